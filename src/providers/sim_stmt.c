/*
 * sim_stmt.c - the statement API of the simulation (sim.h): create, get,
 * update (PUT), delete and list, with Confluent's refusals (docs/emulator.md,
 * "What the service does").
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sim_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <inttypes.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- statements ---- */

static int valid_name(const char *n)
{
	/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* */
	size_t len = strlen(n);
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (c == '.') {
			if (i == 0 || i + 1 == len || n[i - 1] == '-' || n[i - 1] == '.' || n[i + 1] == '-')
				return 0;
		} else if (c == '-') {
			if (i == 0 || i + 1 == len || n[i - 1] == '.')
				return 0;
		} else if (!alnum) {
			return 0;
		}
	}
	return 1;
}

/* Characters (code points) of UTF-8 text: every byte that does not continue a sequence. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void make_uid(pc_sim *s, pc_sim_stmt *st)
{
	uint64_t x = st->id * 0x9E3779B97F4A7C15ULL ^ (uint64_t)st->created_ms;
	uint64_t y = x * 0xBF58476D1CE4E5B9ULL ^ (x >> 31);
	(void)s;
	st->uid = pc_sprintf("%08" PRIx32 "-%04" PRIx32 "-4%03" PRIx32 "-8%03" PRIx32 "-%012" PRIx64,
			     (uint32_t)(x >> 32), (uint32_t)(x >> 16) & 0xffff, (uint32_t)(y >> 52) & 0xfff,
			     (uint32_t)(y >> 40) & 0xfff, (uint64_t)(y & 0xffffffffffffULL));
}

/* End-user labels must be under user.confluent.io/ (Confluent's SQL driver: LABEL_PREFIX). */
static int check_labels(const pc_sim *s, const pc_kvlist *labels)
{
	size_t plen = strlen(PC_SIM_LABEL_PREFIX);
	if (!labels || (s->opt.lenient & PC_SIM_LENIENT_LABELS_PREFIX))
		return 0;
	for (size_t i = 0; i < labels->len; i++) {
		const pc_kv *kv = labels->items[i];
		if (strncmp(kv->key, PC_SIM_LABEL_PREFIX, plen) != 0 || !kv->key[plen])
			return pc_error_set(PC_EINVALID,
					    "metadata.labels: label key '%s' is invalid: end-user labels must start "
					    "with '%s'", kv->key, PC_SIM_LABEL_PREFIX);
	}
	return 0;
}

/* Confluent can stop and resume only INSERT INTO, EXECUTE STATEMENT SET and CREATE TABLE AS. */
static int stoppable(const pc_sim *s, const pc_sim_stmt *st)
{
	if (s->opt.lenient & PC_SIM_LENIENT_STOP_ANY)
		return st->kind == PC_SIM_KIND_DML;
	return st->kind == PC_SIM_KIND_DML && st->sql_kind &&
	       (strcmp(st->sql_kind, "INSERT_INTO") == 0 || strcmp(st->sql_kind, "EXECUTE_STATEMENT_SET") == 0 ||
		strcmp(st->sql_kind, "CREATE_TABLE_AS") == 0);
}

int pc_sim_create_statement(pc_sim *s, int64_t now, const char *org, const char *env,
			    const pc_sim_stmt_req *req, pc_sim_stmt **out)
{
	int rc;
	pc_sim_env *e;
	pc_sim_stmt *st;
	const char *carry;

	*out = NULL;
	pc_sim_tick(s, now);
	now = s->now_ms;
	if (!req->name || !*req->name)
		return pc_error_set(PC_EINVALID, "name is required");
	if (!valid_name(req->name))
		return pc_error_set(PC_EINVALID,
				    "Statement name '%s' is invalid: it must be at most %d characters of lowercase "
				    "letters, digits, '-' and '.', and start and end with a letter or digit",
				    req->name, NAME_MAX_LEN);
	if (!req->sql || !*req->sql)
		return pc_error_set(PC_EINVALID, "spec.statement is required");
	if (utf8_chars(req->sql) > SQL_MAX_LEN)
		return pc_error_set(PC_EINVALID, "spec.statement is longer than %d characters", SQL_MAX_LEN);
	if ((rc = check_labels(s, req->labels)) != 0)
		return rc;
	e = pc_sim_env_get(s, env, now);
	if (pc_map_get(&e->stmts, req->name))
		return pc_error_set(PC_EEXISTS, "Statement name '%s' already exists", req->name);

	st = pc_sim__stmt_new();
	st->id = s->next_id++;
	st->org = pc_strdup(org ? org : "");
	st->env = pc_strdup(env);
	st->name = pc_strdup(req->name);
	st->sql = pc_strdup(req->sql);
	st->compute_pool_id = pc_strdup(req->compute_pool_id && *req->compute_pool_id ? req->compute_pool_id
							     : DEFAULT_POOL);
	st->principal = pc_strdup(req->principal && *req->principal ? req->principal : "u-local");
	if (req->properties)
		pc_kv_copy(&st->properties, req->properties);
	if (req->labels)
		pc_kv_copy(&st->labels, req->labels);
	carry = pc_kv_get(&st->properties, CARRY_PROP);
	if (carry && *carry)
		st->carry_from = pc_strdup(carry);
	st->created_ms = st->updated_ms = now;
	st->resource_version = 1;
	make_uid(s, st);
	st->detail = pc_strdup("");
	pc_sim__analyze(st);
	if (st->kind == PC_SIM_KIND_DML)
		pc_sim__refresh_sink_upsert(s, st);
	/* Confluent ignores spec.stopped on create: the statement runs. */
	if (st->kind == PC_SIM_KIND_DML && req->stopped && (s->opt.lenient & PC_SIM_LENIENT_CREATE_STOPPED)) {
		st->stopped = 1;
		st->phase = PC_SIM_STOPPED;
	} else {
		st->phase = PC_SIM_PENDING;
		st->due_ms = now + (st->kind == PC_SIM_KIND_DML ? s->opt.pending_ms : s->opt.ddl_ms);
	}
	pc_sim__index_stmt(s, e, st);
	s->changes++;
	pc_sim__mark_stmt(s, st, now, NULL);
	pc_sim_tick(s, now); /* zero delays complete at once */
	*out = st;
	return 0;
}

static int lookup(pc_sim *s, int64_t now, const char *env, const char *name, pc_sim_env **pe, pc_sim_stmt **out)
{
	pc_sim_env *e;
	pc_sim_tick(s, now);
	e = pc_map_get(&s->envs, env);
	*out = e ? pc_map_get(&e->stmts, name) : NULL;
	if (pe)
		*pe = e;
	if (!*out && e && s->opt.forbid_deleted && pc_map_get(&e->archive, name))
		return pc_error_set(PC_EAUTH, "Forbidden: access to statement resource=%s is denied", name);
	if (!*out)
		return pc_error_set(PC_ENOTFOUND, "Statement resource=%s does not exist", name);
	return 0;
}

int pc_sim_get_statement(pc_sim *s, int64_t now, const char *env, const char *name, pc_sim_stmt **out)
{
	int rc = lookup(s, now, env, name, NULL, out);
	if (rc == 0)
		pc_sim__advance_stmt(s, *out, s->now_ms);
	return rc;
}

static int str_differs(const char *want, const char *have)
{
	return want && strcmp(want, have ? have : "") != 0;
}

int pc_sim_update_statement(pc_sim *s, int64_t now, const char *env, const char *name,
			    const pc_sim_update *u, pc_sim_stmt **out)
{
	pc_sim_stmt *st;
	int rc, stop_change, respec, props_change;
	char ver[32];

	*out = NULL;
	rc = lookup(s, now, env, name, NULL, &st);
	if (rc)
		return rc;
	now = s->now_ms;
	snprintf(ver, sizeof(ver), "%" PRId64, st->resource_version);
	if (u->resource_version && *u->resource_version && strcmp(u->resource_version, ver) != 0)
		return pc_error_set(PC_ECONFLICT,
				    "resource version mismatch for statement '%s': have %s, current is %s", name,
				    u->resource_version, ver);
	if (u->sql && strcmp(u->sql, st->sql) != 0)
		return pc_error_set(PC_EINVALID, "spec.statement of statement '%s' can not be changed", name);
	props_change = u->properties && !pc_kv_equal(u->properties, &st->properties);
	if (props_change && !(s->opt.lenient & PC_SIM_LENIENT_PROPERTIES))
		return pc_error_set(PC_EINVALID,
				    "spec.properties of statement '%s' can not be changed: create a new statement", name);
	respec = str_differs(u->compute_pool_id, st->compute_pool_id) || str_differs(u->principal, st->principal) ||
		 props_change;
	if (respec && st->phase != PC_SIM_STOPPED)
		return pc_error_set(PC_EINVALID,
				    "compute_pool_id and principal of statement '%s' can only be changed "
				    "while it is stopped (phase %s)", name, pc_sim_phase_name(st->phase));
	stop_change = u->stopped >= 0 && (u->stopped != 0) != (st->stopped != 0);
	if (stop_change && !stoppable(s, st) &&
	    !((s->opt.lenient & PC_SIM_LENIENT_STOP_ANY) &&
	      (st->phase == PC_SIM_COMPLETED || st->phase == PC_SIM_FAILED)))
		return pc_error_set(PC_EINVALID, "statement '%s' (%s) is not INSERT INTO, EXECUTE STATEMENT SET or "
				    "CREATE TABLE AS and can not be %s", name, st->sql_kind ? st->sql_kind : "UNKNOWN",
				    u->stopped ? "stopped" : "resumed");
	if (stop_change && !u->stopped && st->phase != PC_SIM_STOPPED && st->phase != PC_SIM_STOPPING)
		return pc_error_set(PC_EINVALID, "statement '%s' can not be resumed from phase %s", name,
				    pc_sim_phase_name(st->phase));

	if (respec) {
		if (u->compute_pool_id) {
			free(st->compute_pool_id);
			st->compute_pool_id = pc_strdup(*u->compute_pool_id ? u->compute_pool_id : DEFAULT_POOL);
		}
		if (u->principal) {
			free(st->principal);
			st->principal = pc_strdup(u->principal);
		}
		if (u->properties) {
			pc_kv_dispose(&st->properties);
			pc_kv_copy(&st->properties, u->properties);
		}
	}
	/* Labels are set at create; a PUT that changes them is accepted and changes nothing. */
	if (u->labels && (s->opt.lenient & PC_SIM_LENIENT_LABELS_UPDATE) && !pc_kv_equal(u->labels, &st->labels)) {
		pc_kv_dispose(&st->labels);
		pc_kv_copy(&st->labels, u->labels);
		respec = 1;
	}
	if (stop_change) {
		st->stopped = u->stopped != 0;
		if (st->stopped) {
			if (st->phase == PC_SIM_RUNNING || st->phase == PC_SIM_PENDING) {
				pc_sim_env *e = pc_map_get(&s->envs, st->env);
				if (st->waiting) {
					pc_sim__vec_remove_ptr(&e->waiting, st);
					st->waiting = 0;
				}
				pc_sim__advance_stmt(s, st, now);
				st->phase = st->phase == PC_SIM_RUNNING || st->started ? PC_SIM_STOPPING
										       : PC_SIM_STOPPED;
				if (st->phase == PC_SIM_STOPPING)
					pc_sim__schedule(s, st, now + s->opt.ddl_ms);
				else
					st->due_ms = 0;
				pc_sim__set_detail(st, "");
			}
		} else {
			/* resume: a STOPPING statement finishes its stop first */
			if (st->phase == PC_SIM_STOPPING)
				pc_sim__finish_stop(s, st, now);
			st->phase = PC_SIM_PENDING;
			st->ended_ms = 0;
			pc_kv_dispose(&st->latest_offsets);
			st->latest_offsets_ms = 0;
			pc_sim__schedule(s, st, now + s->opt.pending_ms);
		}
	}
	if (stop_change || respec)
		pc_sim__touch(s, st, now);
	pc_sim_tick(s, now);
	*out = st;
	return 0;
}

int pc_sim_delete_statement(pc_sim *s, int64_t now, const char *env, const char *name)
{
	pc_sim_env *e;
	pc_sim_stmt *st;
	int rc = lookup(s, now, env, name, &e, &st);
	if (rc)
		return rc;
	pc_sim__remove_stmt(s, e, st, s->now_ms);
	return 0;
}

int pc_sim_list_statements(pc_sim *s, int64_t now, const char *env, const char *pool,
			   const char *page_token, int page_size, pc_vec *out, char **next)
{
	pc_sim_env *e;
	size_t i;

	*next = NULL;
	pc_sim_tick(s, now);
	if (page_size <= 0)
		page_size = 10;
	e = pc_map_get(&s->envs, env);
	if (!e)
		return 0;
	i = page_token && *page_token ? pc_sim__sorted_bound(&e->sorted, page_token, 1) : 0;
	for (; i < e->sorted.len && out->len < (size_t)page_size; i++) {
		pc_sim_stmt *st = e->sorted.items[i];
		if (pool && *pool && strcmp(st->compute_pool_id, pool) != 0)
			continue;
		pc_vec_push(out, st);
	}
	if (i < e->sorted.len && out->len > 0)
		*next = pc_strdup(((pc_sim_stmt *)out->items[out->len - 1])->name);
	return 0;
}
