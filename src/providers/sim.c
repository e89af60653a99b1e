/*
 * sim.c - the simulated Confluent Cloud state machine (see sim.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sim.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <inttypes.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 100
#define SQL_MAX_LEN 131072
#define DEFAULT_POOL "lfcp-local"
#define CARRY_PROP "sql.tables.initial-offset-from"

static const char *phase_names[] = {
	"PENDING", "RUNNING", "COMPLETED", "DELETING", "FAILING",
	"FAILED", "STOPPING", "STOPPED", "DEGRADED",
};

const char *pc_sim_phase_name(pc_sim_phase p)
{
	if ((unsigned)p < sizeof(phase_names) / sizeof(phase_names[0]))
		return phase_names[p];
	return "PENDING";
}

int pc_sim_phase_parse(const char *s, pc_sim_phase *out)
{
	for (size_t i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
		if (s && strcmp(s, phase_names[i]) == 0) {
			*out = (pc_sim_phase)i;
			return 0;
		}
	return pc_error_set(PC_EINVALID, "unknown phase '%s'", s ? s : "");
}

/* ---- the event heap ---- */

static int ev_less(const pc_sim_event *a, const pc_sim_event *b)
{
	return a->due < b->due || (a->due == b->due && a->id < b->id);
}

void pc_sim__heap_push(pc_sim *s, int64_t due, uint64_t id)
{
	size_t i;
	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 64;
		s->heap = pc_realloc(s->heap, pc_st_mult(s->heap_cap, sizeof(*s->heap)));
	}
	i = s->heap_len++;
	s->heap[i].due = due;
	s->heap[i].id = id;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		pc_sim_event tmp;
		if (!ev_less(&s->heap[i], &s->heap[parent]))
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[parent];
		s->heap[parent] = tmp;
		i = parent;
	}
}

static pc_sim_event heap_pop(pc_sim *s)
{
	pc_sim_event top = s->heap[0];
	size_t i = 0;
	s->heap[0] = s->heap[--s->heap_len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		pc_sim_event tmp;
		if (l < s->heap_len && ev_less(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->heap_len && ev_less(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
	return top;
}

static void schedule(pc_sim *s, pc_sim_stmt *st, int64_t due)
{
	st->due_ms = due;
	pc_sim__heap_push(s, due, st->id);
}

static pc_sim_stmt *stmt_by_id(pc_sim *s, uint64_t id)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRIu64, id);
	return pc_map_get(&s->by_id, key);
}

/* ---- environments ---- */

pc_sim_pool *pc_sim__pool_add(pc_sim_env *e, const char *id, const char *name, int64_t now, int64_t ready)
{
	pc_sim_pool *p = PC_NEW(pc_sim_pool);
	p->id = pc_strdup(id);
	p->env = pc_strdup(e->id);
	p->display_name = pc_strdup(name);
	p->cloud = pc_strdup("AWS");
	p->region = pc_strdup("local");
	p->max_cfu = 10;
	p->created_ms = now;
	p->ready_ms = ready;
	pc_vec_push(&e->pools, p);
	return p;
}

pc_sim_env *pc_sim_env_get(pc_sim *s, const char *env_id, int64_t now)
{
	pc_sim_env *e = pc_map_get(&s->envs, env_id);
	if (e)
		return e;
	e = PC_NEW(pc_sim_env);
	e->id = pc_strdup(env_id);
	pc_map_init(&e->stmts);
	pc_map_init(&e->archive);
	pc_sim__pool_add(e, DEFAULT_POOL, "local", now, now);
	pc_map_put(&s->envs, env_id, e);
	pc_vec_push(&s->env_list, e);
	s->changes++;
	return e;
}

static int cmp_name_key(const char *name, const pc_sim_stmt *st)
{
	return strcmp(name, st->name);
}

/* First index whose name is > name (strict) or >= name. */
static size_t sorted_bound(const pc_vec *v, const char *name, int strict)
{
	size_t lo = 0, hi = v->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_name_key(name, v->items[mid]);
		if (c > 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sorted_insert(pc_vec *v, pc_sim_stmt *st)
{
	size_t i = sorted_bound(v, st->name, 0);
	pc_vec_push(v, NULL);
	memmove(&v->items[i + 1], &v->items[i], (v->len - 1 - i) * sizeof(void *));
	v->items[i] = st;
}

static void sorted_remove(pc_vec *v, pc_sim_stmt *st)
{
	size_t i = sorted_bound(v, st->name, 0);
	if (i < v->len && v->items[i] == st)
		pc_vec_remove(v, i);
}

static void vec_remove_ptr(pc_vec *v, const void *p)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->items[i] == p) {
			pc_vec_remove(v, i);
			return;
		}
}

static int is_dml(const pc_sim_stmt *st)
{
	return st->kind == PC_SIM_KIND_DML;
}

/* Register a live statement in the indexes (create and load). */
void pc_sim__index_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRIu64, st->id);
	pc_map_put(&e->stmts, st->name, st);
	sorted_insert(&e->sorted, st);
	pc_map_put(&s->by_id, key, st);
	if (st->id >= s->next_id)
		s->next_id = st->id + 1;
	if (is_dml(st)) {
		for (size_t i = 0; i < st->writes.len; i++) {
			pc_vec *w = pc_map_get(&s->writers, st->writes.items[i]);
			if (!w) {
				w = PC_NEW(pc_vec);
				pc_map_put(&s->writers, st->writes.items[i], w);
			}
			pc_vec_push(w, st);
		}
	}
	if (st->waiting)
		pc_vec_push(&e->waiting, st);
	if (st->due_ms)
		pc_sim__heap_push(s, st->due_ms, st->id);
}

/* ---- offsets ---- */

/* Records k in [0, x) with k mod P == p: written records go round-robin. */
static int64_t rr_count(int64_t x, int P, int p)
{
	if (x <= p)
		return 0;
	return (x - p - 1) / P + 1;
}

int64_t pc_sim_topic_end(const pc_sim *s, const pc_sim_topic *t, int partition)
{
	int64_t feed = (int64_t)(s->opt.produce_rate * (double)t->feed_ms / 1000.0);
	return feed + rr_count(t->written, t->partitions, partition);
}

void pc_sim__advance_topic(pc_sim *s, pc_sim_topic *tp, int64_t t)
{
	pc_vec *w;
	if (tp->gone_ms && t > tp->gone_ms)
		t = tp->gone_ms; /* a dropped topic receives nothing more */
	if (tp->as_of_ms >= t)
		return;
	w = pc_map_get(&s->writers, tp->name);
	if (!w || w->len == 0)
		tp->feed_ms += t - tp->as_of_ms;
	tp->as_of_ms = t;
	if (w)
		for (size_t i = 0; i < w->len; i++)
			pc_sim__advance_stmt(s, w->items[i], t);
}

void pc_sim__advance_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	int64_t n = 0;
	if (st->phase != PC_SIM_RUNNING || st->as_of_ms >= t)
		return;
	st->as_of_ms = t;
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		pc_sim_topic *tp = pc_map_get(&s->topics, in->topic);
		if (!tp || tp->partitions != in->partitions)
			continue;
		pc_sim__advance_topic(s, tp, t);
		for (int p = 0; p < in->partitions; p++) {
			int64_t end = pc_sim_topic_end(s, tp, p);
			if (end > in->pos[p]) {
				n += end - in->pos[p];
				in->pos[p] = end;
			}
		}
	}
	if (n == 0)
		return;
	for (size_t i = 0; i < st->outputs.len; i++) {
		pc_sim_output *o = st->outputs.items[i];
		pc_sim_topic *tp = pc_map_get(&s->topics, o->topic);
		if (!tp)
			continue;
		pc_sim__advance_topic(s, tp, t);
		tp->written += n;
		o->produced += n;
	}
	s->changes++;
}

/* ---- transitions ---- */

static void touch(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	st->resource_version++;
	st->updated_ms = t;
	s->changes++;
}

static void set_detail(pc_sim_stmt *st, const char *detail)
{
	free(st->detail);
	st->detail = pc_strdup(detail ? detail : "");
}

static void add_exception(pc_sim_stmt *st, const char *name, const char *msg, int64_t t)
{
	pc_sim_exception *x = PC_NEW(pc_sim_exception);
	x->name = pc_strdup(name);
	x->message = pc_strdup(msg);
	x->at_ms = t;
	pc_vec_push(&st->exceptions, x);
	if (st->exceptions.len > 10) {
		pc_sim__exception_free(st->exceptions.items[0]);
		pc_vec_remove(&st->exceptions, 0);
	}
}

/*
 * How long a statement that ended in phase ph is kept (0: for ever).
 * Confluent deletes COMPLETED, FAILED and STOPPED statements 30 days after
 * they end; --expire-completed-s keeps the older rule (not STOPPED).
 */
static int64_t expire_after(const pc_sim *s, pc_sim_phase ph)
{
	int64_t a = s->opt.expire_terminal_ms, b = ph == PC_SIM_STOPPED ? 0 : s->opt.expire_completed_ms;
	if (a > 0 && b > 0)
		return a < b ? a : b;
	return a > 0 ? a : b > 0 ? b : 0;
}

static void schedule_expiry(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	int64_t after = expire_after(s, st->phase);
	st->ended_ms = t;
	st->due_ms = 0;
	if (after > 0)
		schedule(s, st, t + after);
}

static void end_stmt(pc_sim *s, pc_sim_stmt *st, pc_sim_phase ph, int64_t t)
{
	st->phase = ph;
	schedule_expiry(s, st, t);
	touch(s, st, t);
}

static void fail_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t, const char *detail, const char *exc_name)
{
	pc_sim_env *e = pc_map_get(&s->envs, st->env);
	pc_sim__advance_stmt(s, st, t);
	if (st->waiting && e) {
		vec_remove_ptr(&e->waiting, st);
		st->waiting = 0;
	}
	set_detail(st, detail);
	add_exception(st, exc_name ? exc_name : "org.apache.flink.table.api.ValidationException", detail, t);
	end_stmt(s, st, PC_SIM_FAILED, t);
}

static int matches_fail(const pc_sim *s, const pc_sim_stmt *st)
{
	pcre2_match_data *md;
	int rc;
	if (!s->fail_re)
		return 0;
	md = pcre2_match_data_create_from_pattern(s->fail_re, NULL);
	rc = pcre2_match(s->fail_re, (PCRE2_SPTR)st->sql, strlen(st->sql), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

pc_sim_topic *pc_sim__live_topic(pc_sim *s, const char *name)
{
	pc_sim_topic *tp = pc_map_get(&s->topics, name);
	return tp && !tp->gone_ms ? tp : NULL;
}

pc_sim_topic *pc_sim__topic_add(pc_sim *s, const char *name, int partitions, int upsert, int64_t t)
{
	pc_sim_topic *tp = PC_NEW(pc_sim_topic);
	tp->name = pc_strdup(name);
	tp->partitions = partitions > 0 ? partitions : 6;
	tp->upsert = upsert;
	tp->incarnation = s->next_incarnation++;
	tp->created_ms = t;
	tp->as_of_ms = t;
	pc_map_put(&s->topics, name, tp);
	s->changes++;
	return tp;
}

static int stmt_uses(const pc_sim_stmt *st, const char *topic)
{
	return pc_vec_find_str(&st->reads, topic) >= 0 || pc_vec_find_str(&st->writes, topic) >= 0;
}

void pc_sim__topic_drop(pc_sim *s, const char *name, int64_t t)
{
	pc_sim_topic *tp = pc_map_get(&s->topics, name);
	char *detail;
	if (!tp || tp->gone_ms)
		return;
	detail = pc_sprintf("Table '%s' was dropped while the statement was running", name);
	for (size_t i = 0; i < s->env_list.len; i++) {
		pc_sim_env *e = s->env_list.items[i];
		for (size_t j = 0; j < e->sorted.len; j++) {
			pc_sim_stmt *st = e->sorted.items[j];
			if (!is_dml(st) || !stmt_uses(st, name))
				continue;
			if (st->phase == PC_SIM_RUNNING || st->phase == PC_SIM_STOPPING)
				fail_stmt(s, st, t, detail, "org.apache.flink.table.api.TableNotExistException");
		}
	}
	free(detail);
	pc_sim__advance_topic(s, tp, t);
	if (s->opt.topic_linger_ms > 0) {
		/* Kafka deletes the topic asynchronously: it lingers, its name taken. */
		tp->gone_ms = t + s->opt.topic_linger_ms;
		pc_vec_push(&s->lingering, tp);
	} else {
		pc_sim__topic_free(pc_map_del(&s->topics, name));
	}
	s->changes++;
}

/* Lingering topics whose deletion is done by t are gone. */
static void purge_lingering(pc_sim *s, int64_t t)
{
	for (size_t i = 0; i < s->lingering.len;) {
		pc_sim_topic *tp = s->lingering.items[i];
		if (tp->gone_ms > t) {
			i++;
			continue;
		}
		pc_vec_remove(&s->lingering, i);
		pc_sim__topic_free(pc_map_del(&s->topics, tp->name));
		s->changes++;
	}
}

static void start_ddl(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	char *msg = NULL;
	pc_sim_topic *tp = st->op_table ? pc_map_get(&s->topics, st->op_table) : NULL;
	int lingering = tp && tp->gone_ms;

	if (matches_fail(s, st)) {
		fail_stmt(s, st, t, "simulated failure: the statement matches --fail-statement",
			  "org.apache.flink.runtime.JobException");
		return;
	}
	if (st->kind == PC_SIM_KIND_INVALID) {
		fail_stmt(s, st, t, st->detail && *st->detail ? st->detail : "SQL parse failed",
			  "org.apache.flink.table.api.SqlParserException");
		return;
	}
	if ((st->op == PC_SIM_OP_CREATE || st->op == PC_SIM_OP_CTAS || st->op == PC_SIM_OP_MATERIALIZED) &&
	    st->op_partitions > PC_SIM_MAX_PARTITIONS) {
		msg = pc_sprintf("Table '%s': %d partitions exceed the limit of %d", st->op_table, st->op_partitions,
				 PC_SIM_MAX_PARTITIONS);
		fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
		goto done;
	}
	if (st->op == PC_SIM_OP_CREATE) {
		if (lingering) {
			msg = pc_sprintf("Table '%s' already exists: its topic is still being deleted", st->op_table);
			fail_stmt(s, st, t, msg, "org.apache.kafka.common.errors.TopicExistsException");
			goto done;
		}
		if (tp && !st->op_if) {
			msg = pc_sprintf("Table '%s' already exists", st->op_table);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.catalog.exceptions.TableAlreadyExistException");
			goto done;
		}
		if (!tp)
			pc_sim__topic_add(s, st->op_table, st->op_partitions, st->op_upsert, t);
	} else if (st->op == PC_SIM_OP_DROP) {
		if (lingering)
			tp = NULL;
		if (!tp && !st->op_if) {
			msg = pc_sprintf("Table '%s' does not exist", st->op_table);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.catalog.exceptions.TableNotExistException");
			goto done;
		}
		if (tp)
			pc_sim__topic_drop(s, st->op_table, t);
	}
	set_detail(st, "");
	end_stmt(s, st, PC_SIM_COMPLETED, t);
done:
	free(msg);
}

static pc_sim_input *find_input(const pc_sim_stmt *st, const char *topic)
{
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		if (strcmp(in->topic, topic) == 0)
			return in;
	}
	return NULL;
}

/* Set up inputs and outputs on the first start (from carry, or earliest). */
static void setup_io(pc_sim *s, pc_sim_stmt *st, const pc_sim_stmt *carry)
{
	for (size_t i = 0; i < st->reads.len; i++) {
		const char *name = st->reads.items[i];
		pc_sim_topic *tp = pc_sim__live_topic(s, name);
		pc_sim_input *in, *old;
		if (!tp || find_input(st, name))
			continue;
		in = PC_NEW(pc_sim_input);
		in->topic = pc_strdup(name);
		in->partitions = tp->partitions;
		in->from = pc_calloc((size_t)tp->partitions, sizeof(int64_t));
		in->pos = pc_calloc((size_t)tp->partitions, sizeof(int64_t));
		old = carry ? find_input(carry, name) : NULL;
		if (old && old->partitions == in->partitions)
			for (int p = 0; p < in->partitions; p++)
				in->from[p] = in->pos[p] = old->pos[p];
		pc_vec_push(&st->inputs, in);
	}
	for (size_t i = 0; i < st->writes.len; i++) {
		pc_sim_output *o = PC_NEW(pc_sim_output);
		o->topic = pc_strdup(st->writes.items[i]);
		pc_vec_push(&st->outputs, o);
	}
	st->started = 1;
}

/* An INSERT's sink is upsert when the table it writes was created as one. */
static void refresh_sink_upsert(pc_sim *s, pc_sim_stmt *st)
{
	if (st->op != PC_SIM_OP_NONE)
		return;
	st->op_upsert = 0;
	for (size_t i = 0; i < st->writes.len; i++) {
		pc_sim_topic *tp = pc_sim__live_topic(s, st->writes.items[i]);
		if (tp && tp->upsert)
			st->op_upsert = 1;
	}
}

static void start_dml(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	pc_sim_env *e = pc_map_get(&s->envs, st->env);
	pc_sim_stmt *carry = NULL;
	char *msg = NULL;

	if (matches_fail(s, st)) {
		fail_stmt(s, st, t, "simulated failure: the statement matches --fail-statement",
			  "org.apache.flink.runtime.JobException");
		return;
	}
	for (size_t i = 0; i < st->reads.len; i++) {
		if (!pc_sim__live_topic(s, st->reads.items[i])) {
			msg = pc_sprintf("Table '%s' does not exist", (char *)st->reads.items[i]);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
	}
	if (!st->started && (st->op == PC_SIM_OP_CTAS || st->op == PC_SIM_OP_MATERIALIZED)) {
		pc_sim_topic *tp = pc_map_get(&s->topics, st->op_table);
		if (st->op_partitions > PC_SIM_MAX_PARTITIONS) {
			msg = pc_sprintf("Table '%s': %d partitions exceed the limit of %d", st->op_table,
					 st->op_partitions, PC_SIM_MAX_PARTITIONS);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
		if (tp && (tp->gone_ms || (st->op == PC_SIM_OP_CTAS && !st->op_if))) {
			msg = pc_sprintf("Table '%s' already exists", st->op_table);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.catalog.exceptions.TableAlreadyExistException");
			goto done;
		}
		if (!tp)
			pc_sim__topic_add(s, st->op_table, st->op_partitions, st->op_upsert, t);
	}
	for (size_t i = 0; i < st->writes.len; i++) {
		if (!pc_sim__live_topic(s, st->writes.items[i])) {
			msg = pc_sprintf("Table '%s' does not exist", (char *)st->writes.items[i]);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
	}
	refresh_sink_upsert(s, st);
	if (!st->started && st->carry_from) {
		carry = pc_map_get(&e->stmts, st->carry_from);
		if (!carry) {
			msg = pc_sprintf("Statement '%s' referenced in '%s' does not exist", st->carry_from, CARRY_PROP);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
		if (carry->phase != PC_SIM_STOPPED && carry->phase != PC_SIM_FAILED) {
			if (st->waiting && t >= st->wait_since_ms + s->opt.carry_timeout_ms) {
				/* Confluent waits 6 hours for the referenced statement, then fails. */
				msg = pc_sprintf("Referenced statement %s was not stopped within %" PRId64
						 " s: '%s' can not start", st->carry_from,
						 s->opt.carry_timeout_ms / 1000, CARRY_PROP);
				fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
				goto done;
			}
			if (!st->waiting) {
				msg = pc_sprintf("Statement is currently pending until referenced statement %s is stopped",
						 st->carry_from);
				set_detail(st, msg);
				st->waiting = 1;
				st->wait_since_ms = t;
				pc_vec_push(&e->waiting, st);
				touch(s, st, t);
			}
			schedule(s, st, st->wait_since_ms + s->opt.carry_timeout_ms);
			goto done;
		}
		if (st->stateful || st->op_upsert) {
			msg = pc_sprintf("'%s' is only supported for stateless statements with an append-only sink",
					 CARRY_PROP);
			fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
	}
	if (st->waiting) {
		vec_remove_ptr(&e->waiting, st);
		st->waiting = 0;
	}
	if (!st->started)
		setup_io(s, st, carry);
	st->phase = PC_SIM_RUNNING;
	st->as_of_ms = t;
	st->due_ms = 0;
	set_detail(st, "");
	touch(s, st, t);
done:
	free(msg);
}

static void fill_latest_offsets(pc_sim_stmt *st)
{
	pc_buf b = PC_BUF_INIT;
	pc_kv_dispose(&st->latest_offsets);
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		pc_buf_clear(&b);
		for (int p = 0; p < in->partitions; p++)
			pc_buf_printf(&b, "%spartition:%d,offset:%" PRId64, p ? ";" : "", p, in->pos[p]);
		pc_kv_set(&st->latest_offsets, in->topic, b.ptr);
	}
	pc_buf_dispose(&b);
}

static void finish_stop(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	pc_sim_env *e = pc_map_get(&s->envs, st->env);
	st->phase = PC_SIM_RUNNING;  /* consume up to the stop */
	pc_sim__advance_stmt(s, st, t);
	st->phase = PC_SIM_STOPPED;
	schedule_expiry(s, st, t);
	fill_latest_offsets(st);
	st->latest_offsets_ms = t;
	set_detail(st, "");
	touch(s, st, t);
	/* wake the statements that wait to carry over from this one */
	for (size_t i = 0; e && i < e->waiting.len; i++) {
		pc_sim_stmt *w = e->waiting.items[i];
		if (w->carry_from && strcmp(w->carry_from, st->name) == 0)
			schedule(s, w, t);
	}
}

static void remove_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st, int64_t t);

static void process(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	st->due_ms = 0;
	switch (st->phase) {
	case PC_SIM_PENDING:
		if (st->kind == PC_SIM_KIND_DML)
			start_dml(s, st, t);
		else
			start_ddl(s, st, t);
		break;
	case PC_SIM_STOPPING:
		finish_stop(s, st, t);
		break;
	case PC_SIM_COMPLETED:
	case PC_SIM_FAILED:
	case PC_SIM_STOPPED:
		if (expire_after(s, st->phase) > 0 && st->ended_ms && t >= st->ended_ms + expire_after(s, st->phase))
			remove_stmt(s, pc_map_get(&s->envs, st->env), st, t);
		break;
	default:
		break;
	}
}

void pc_sim_tick(pc_sim *s, int64_t now)
{
	if (now > s->now_ms)
		s->now_ms = now;
	now = s->now_ms;
	while (s->heap_len > 0 && s->heap[0].due <= now) {
		pc_sim_event ev = heap_pop(s);
		pc_sim_stmt *st = stmt_by_id(s, ev.id);
		if (!st || st->due_ms != ev.due)
			continue;
		purge_lingering(s, ev.due);
		process(s, st, ev.due);
	}
	purge_lingering(s, now);
}

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
	if (strlen(req->sql) > SQL_MAX_LEN)
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
		refresh_sink_upsert(s, st);
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
					vec_remove_ptr(&e->waiting, st);
					st->waiting = 0;
				}
				pc_sim__advance_stmt(s, st, now);
				st->phase = st->phase == PC_SIM_RUNNING || st->started ? PC_SIM_STOPPING
										       : PC_SIM_STOPPED;
				if (st->phase == PC_SIM_STOPPING)
					schedule(s, st, now + s->opt.ddl_ms);
				else
					st->due_ms = 0;
				set_detail(st, "");
			}
		} else {
			/* resume: a STOPPING statement finishes its stop first */
			if (st->phase == PC_SIM_STOPPING)
				finish_stop(s, st, now);
			st->phase = PC_SIM_PENDING;
			st->ended_ms = 0;
			pc_kv_dispose(&st->latest_offsets);
			st->latest_offsets_ms = 0;
			schedule(s, st, now + s->opt.pending_ms);
		}
	}
	if (stop_change || respec)
		touch(s, st, now);
	pc_sim_tick(s, now);
	*out = st;
	return 0;
}

static void remove_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st, int64_t t)
{
	char key[32];
	pc_sim_stmt *old;
	pc_sim__advance_stmt(s, st, t);
	if (is_dml(st)) {
		for (size_t i = 0; i < st->writes.len; i++) {
			pc_vec *w = pc_map_get(&s->writers, st->writes.items[i]);
			pc_sim_topic *tp = pc_map_get(&s->topics, st->writes.items[i]);
			if (tp)
				pc_sim__advance_topic(s, tp, t); /* feed accounting switches at t */
			if (w)
				vec_remove_ptr(w, st);
		}
	}
	if (st->waiting)
		vec_remove_ptr(&e->waiting, st);
	st->waiting = 0;
	/* statements waiting to carry over from this one now fail */
	for (size_t i = 0; i < e->waiting.len; i++) {
		pc_sim_stmt *w = e->waiting.items[i];
		if (w->carry_from && strcmp(w->carry_from, st->name) == 0)
			schedule(s, w, t);
	}
	snprintf(key, sizeof(key), "%" PRIu64, st->id);
	pc_map_del(&s->by_id, key);
	pc_map_del(&e->stmts, st->name);
	sorted_remove(&e->sorted, st);
	if (st->phase == PC_SIM_RUNNING || st->phase == PC_SIM_STOPPING)
		st->phase = PC_SIM_DELETING;
	st->deleted = 1;
	st->due_ms = 0;
	st->updated_ms = t;
	old = pc_map_put(&e->archive, st->name, st);
	pc_sim__stmt_free(old);
	s->changes++;
}

int pc_sim_delete_statement(pc_sim *s, int64_t now, const char *env, const char *name)
{
	pc_sim_env *e;
	pc_sim_stmt *st;
	int rc = lookup(s, now, env, name, &e, &st);
	if (rc)
		return rc;
	remove_stmt(s, e, st, s->now_ms);
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
	i = page_token && *page_token ? sorted_bound(&e->sorted, page_token, 1) : 0;
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
