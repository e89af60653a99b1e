/*
 * actual.c - the actual-state snapshot: every statement, every topic (and
 * pools when they matter), indexed per table, with the fingerprints pipectl
 * recorded in labels (docs/reconcile.md).
 */
#include "actual.h"

#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <stdlib.h>
#include <string.h>

/*
 * A DML in a phase pipectl does not know may be writing: it counts as a
 * writer and may be the current DML (the planner then leaves the table
 * alone and says why).
 */
static int may_write(pc_phase ph)
{
	return pc_phase_live(ph) || ph == PC_PHASE_UNKNOWN;
}

/* The table itself and its name are the arena's: only its two vectors are malloc'd. */
static void table_free(void *p)
{
	pc_actual_table *t = p;
	if (!t)
		return;
	pc_vec_dispose(&t->dmls, NULL);
	pc_vec_dispose(&t->ddls, NULL);
}

static void vec_free(void *p)
{
	pc_vec_dispose(p, NULL);
	free(p);
}

void pc_actual_free(pc_actual *a)
{
	if (!a)
		return;
	free(a->prefix);
	pc_vec_dispose(&a->stmts, NULL);
	pc_vec_dispose(&a->topics, NULL);
	pc_vec_dispose(&a->pools, pc_pool_free);
	pc_vec_dispose(&a->tables, table_free);
	pc_map_dispose(&a->by_table, NULL);
	pc_map_dispose(&a->props, NULL);
	pc_vec_dispose(&a->journals, pc_journal_free);
	pc_vec_dispose(&a->journal_leftovers, free);
	pc_map_dispose(&a->journal_names, free);
	pc_map_dispose(&a->journal_actions, NULL);
	pc_map_dispose(&a->journal_tables, vec_free);
	free(a->journal_error);
	pc_arena_dispose(&a->arena);
	free(a);
}

#define ARENA_NEW(a, T) ((T *)pc_arena_alloc(&(a)->arena, sizeof(T)))

/* The SQL fingerprint of sql in the snapshot's arena, or NULL. */
static const char *sql_fp_of(pc_actual *a, const char *sql)
{
	char fp[33];
	if (!sql || pc_sql_fingerprint(fp, sql, strlen(sql)) < 0) {
		pc_error_clear();
		return NULL;
	}
	return pc_arena_strdup(&a->arena, fp);
}

/*
 * The snapshot's one copy of a property (key and value): most statements
 * carry the same few (the catalog, the database), so each pair is stored once.
 */
static pc_kv *prop_of(pc_actual *a, const pc_kv *kv)
{
	const char *value = kv->value ? kv->value : "";
	size_t nk = strlen(kv->key), nv = strlen(value);
	char *key = pc_sprintf("%zu:%s%s", nk, kv->key, value); /* the length keeps "a"+"bc" apart from "ab"+"c" */
	pc_kv *p = pc_map_get(&a->props, key);

	if (!p) {
		p = pc_arena_alloc(&a->arena, sizeof(pc_kv));
		p->key = pc_arena_strndup(&a->arena, kv->key, nk);
		p->value = pc_arena_strndup(&a->arena, value, nv);
		pc_map_put(&a->props, key, p);
	}
	free(key);
	return p;
}

/* What pipectl reads of st, in the arena. */
static pc_actual_st *brief_of(pc_actual *a, const pc_statement *st)
{
	pc_actual_st *r = ARENA_NEW(a, pc_actual_st);
	const char *protect = pc_kv_get(&st->labels, PC_LABEL_PROTECT);
	size_t i;

	r->name = pc_arena_strdup(&a->arena, st->name);
	r->sql = pc_arena_strdup(&a->arena, st->sql);
	r->phase = pc_arena_intern(&a->arena, st->phase);
	r->ph = st->ph;
	r->has_offsets = st->latest_offsets.len > 0;
	r->protect = protect && !strcmp(protect, "true");
	r->detail = pc_arena_strdup(&a->arena, st->detail);
	r->compute_pool_id = pc_arena_intern(&a->arena, st->compute_pool_id);
	r->created_at = pc_arena_strdup(&a->arena, st->created_at);
	r->resource_version = pc_arena_strdup(&a->arena, st->resource_version);
	if (st->properties.len) {
		r->properties.items = pc_arena_alloc(&a->arena, pc_st_mult(st->properties.len, sizeof(void *)));
		r->properties.len = r->properties.cap = st->properties.len;
		for (i = 0; i < st->properties.len; i++)
			r->properties.items[i] = prop_of(a, st->properties.items[i]);
	}
	return r;
}

static pc_actual_stmt *stmt_new(pc_actual *a, const pc_statement *st)
{
	pc_actual_stmt *s = ARENA_NEW(a, pc_actual_stmt);
	const char *v;

	s->st = brief_of(a, st);
	s->managed = pc_naming_is_managed(st->name, &st->labels, a->prefix, &s->kind);
	if (!s->managed)
		return s;
	v = pc_kv_get(&st->labels, PC_LABEL_TABLE_NAME);
	if (v) {
		s->table = pc_arena_strdup(&a->arena, v);
	} else {
		char *t = pc_naming_table_from_sql(st->sql, s->kind);
		s->table = pc_arena_strdup(&a->arena, t);
		free(t);
	}
	s->fp = pc_arena_strdup(&a->arena, pc_kv_get(&st->labels, PC_LABEL_FP));
	switch (s->kind) {
	case PC_NAME_DDL:
		s->ddl_fp = s->fp ? s->fp : sql_fp_of(a, st->sql);
		break;
	case PC_NAME_DML:
		v = pc_kv_get(&st->labels, PC_LABEL_SQL_FP);
		s->sql_fp = v ? pc_arena_strdup(&a->arena, v) : sql_fp_of(a, st->sql);
		s->ddl_fp = pc_arena_strdup(&a->arena, pc_kv_get(&st->labels, PC_LABEL_DDL_FP));
		break;
	case PC_NAME_DROP:
		break;
	}
	return s;
}

/* Newest first: created_at descending, then name. */
static int newest_first(const void *x, const void *y)
{
	const pc_actual_stmt *a = x, *b = y;
	const char *ca = a->st->created_at ? a->st->created_at : "";
	const char *cb = b->st->created_at ? b->st->created_at : "";
	int c = strcmp(cb, ca);
	return c ? c : strcmp(b->st->name, a->st->name);
}

static int by_stmt_name(const void *x, const void *y)
{
	const pc_actual_stmt *a = x, *b = y;
	return strcmp(a->st->name, b->st->name);
}

static int by_topic_name(const void *x, const void *y)
{
	const pc_topic *a = x, *b = y;
	return strcmp(a->name, b->name);
}

static int by_table_name(const void *x, const void *y)
{
	const pc_actual_table *a = x, *b = y;
	return strcmp(a->name, b->name);
}

/* The table of that name, made when new; name must be the arena's. */
static pc_actual_table *table_for(pc_actual *a, const char *name)
{
	pc_actual_table *t = pc_map_get(&a->by_table, name);
	if (!t) {
		t = ARENA_NEW(a, pc_actual_table);
		t->name = name;
		pc_vec_push(&a->tables, t);
		pc_map_put(&a->by_table, name, t);
	}
	return t;
}

static void index_table(pc_actual_table *t)
{
	size_t i;

	pc_vec_sort(&t->dmls, newest_first);
	pc_vec_sort(&t->ddls, newest_first);
	for (i = 0; i < t->dmls.len; i++) {
		pc_actual_stmt *s = t->dmls.items[i];
		if (may_write(s->st->ph))
			t->live_dmls++;
		if (!t->dml && (pc_phase_current(s->st->ph) || s->st->ph == PC_PHASE_UNKNOWN))
			t->dml = s;
	}
	if (!t->dml && t->dmls.len)
		t->dml = t->dmls.items[0];
	for (i = 0; i < t->ddls.len && !t->ddl; i++) {
		pc_actual_stmt *s = t->ddls.items[i];
		if (s->kind == PC_NAME_DDL)
			t->ddl = s;
	}
	/* A DROP newer than the newest DDL means the DDL statement no longer describes the table. */
	if (t->ddl && t->ddls.len && t->ddls.items[0] != t->ddl)
		t->ddl = NULL;
	t->ddl_fp = t->ddl && t->ddl->ddl_fp ? t->ddl->ddl_fp : t->dml ? t->dml->ddl_fp : NULL;
	if (t->dml) {
		t->dml_fp = t->dml->fp;
		t->dml_sql_fp = t->dml->sql_fp;
		t->pool = t->dml->st->compute_pool_id;
		t->phase = t->dml->st->phase;
		t->ph = t->dml->st->ph;
		t->detail = t->dml->st->detail;
	}
}

static void compute_fingerprint(pc_actual *a)
{
	pc_hash h;
	size_t i;

	pc_hash_init(&h);
	for (i = 0; i < a->stmts.len; i++) {
		const pc_actual_stmt *s = a->stmts.items[i];
		if (!s->managed)
			continue;
		pc_hash_update_str(&h, s->st->name);
		pc_hash_update_str(&h, s->st->phase ? s->st->phase : "");
		pc_hash_update_str(&h, s->st->resource_version ? s->st->resource_version : "");
		pc_hash_update_str(&h, s->st->compute_pool_id ? s->st->compute_pool_id : "");
		pc_hash_update_str(&h, s->fp ? s->fp : "");
		pc_hash_update_str(&h, s->sql_fp ? s->sql_fp : "");
		pc_hash_update_str(&h, s->ddl_fp ? s->ddl_fp : "");
	}
	pc_hash_update_str(&h, "--topics--");
	for (i = 0; i < a->topics.len; i++)
		pc_hash_update_str(&h, ((const pc_topic *)a->topics.items[i])->name);
	pc_hash_hex(&h, a->fingerprint);
}

static char *journal_key(pc_name_kind kind, const char *table, const char *fp)
{
	return pc_sprintf("%s\t%s\t%s", pc_name_kind_str(kind), table ? table : "", fp ? fp : "");
}

/*
 * Read every journal statement, newest first, and join the parts of each run
 * (journal.h); the newest journal wins a name or a table. The parts of a run
 * not all present are left over: that run started no action.
 */
static void load_journals(pc_actual *a)
{
	pc_vec js = PC_VEC_INIT, parts = PC_VEC_INIT;
	size_t i, k;

	for (i = 0; i < a->stmts.len; i++) {
		const pc_actual_stmt *s = a->stmts.items[i];
		if (!s->managed && pc_journal_is_name(a->prefix, s->st->name))
			pc_vec_push(&js, (void *)s);
	}
	pc_vec_sort(&js, newest_first);
	for (i = 0; i < js.len; i++) {
		const pc_actual_stmt *s = js.items[i];
		pc_journal *j = NULL;
		if (pc_journal_parse(&j, s->st->name, s->st->sql) != 0) {
			if (!a->journal_error)
				a->journal_error = pc_strdup(pc_error_last());
			pc_error_clear();
			continue;
		}
		pc_vec_push(&parts, j);
	}
	pc_vec_dispose(&js, NULL);
	if (pc_journal_join(&parts, &a->journals, &a->journal_leftovers) != 0) {
		if (!a->journal_error)
			a->journal_error = pc_strdup(pc_error_last());
		pc_error_clear();
	}
	for (i = 0; i < a->journals.len; i++) {
		const pc_journal *j = a->journals.items[i];
		for (k = 0; k < j->names.len; k++) {
			const pc_journal_name *n = j->names.items[k];
			char *key = journal_key(n->kind, n->table, n->fp);
			pc_vec *v = pc_map_get(&a->journal_tables, n->table);
			if (!v) {
				v = PC_NEW(pc_vec);
				pc_map_put(&a->journal_tables, n->table, v);
			}
			pc_vec_push(v, (void *)n);
			if (!pc_map_has(&a->journal_names, key))
				pc_map_put(&a->journal_names, key, pc_strdup(n->statement));
			free(key);
		}
		for (k = 0; k < j->actions.len; k++) {
			pc_journal_action *ja = j->actions.items[k];
			if (!pc_map_has(&a->journal_actions, ja->table))
				pc_map_put(&a->journal_actions, ja->table, ja);
		}
	}
}

const char *pc_actual_journal_name(const pc_actual *a, pc_name_kind kind, const char *table, const char *fp)
{
	char *key;
	const char *v;
	if (!a || !a->journals.len)
		return NULL;
	key = journal_key(kind, table, fp);
	v = pc_map_get(&a->journal_names, key);
	free(key);
	return v;
}

pc_actual *pc_actual_begin(const char *prefix)
{
	pc_actual *a = PC_NEW(pc_actual);
	a->prefix = pc_strdup(prefix ? prefix : "dev");
	pc_arena_init(&a->arena);
	return a;
}

void pc_actual_add_statement(pc_actual *a, pc_statement *st)
{
	if (st && st->name)
		pc_vec_push(&a->stmts, stmt_new(a, st));
	pc_statement_free(st);
}

int pc_actual_statement_sink(void *ctx, pc_statement *st)
{
	pc_actual_add_statement(ctx, st);
	return 0;
}

void pc_actual_add_topic(pc_actual *a, pc_topic *t)
{
	if (t && t->name) {
		pc_topic *c = ARENA_NEW(a, pc_topic);
		c->name = pc_arena_strdup(&a->arena, t->name);
		c->partitions = t->partitions;
		c->replication_factor = t->replication_factor;
		c->is_internal = t->is_internal;
		pc_vec_push(&a->topics, c);
	}
	pc_topic_free(t);
}

void pc_actual_end(pc_actual *a, pc_vec *pools)
{
	size_t i;

	pc_vec_sort(&a->stmts, by_stmt_name);
	pc_vec_sort(&a->topics, by_topic_name);
	if (pools) {
		a->pools_loaded = 1;
		for (i = 0; i < pools->len; i++)
			pc_vec_push(&a->pools, pools->items[i]);
		pc_vec_dispose(pools, NULL);
	}
	for (i = 0; i < a->topics.len; i++) {
		pc_topic *t = a->topics.items[i];
		table_for(a, t->name)->topic_exists = 1;
	}
	for (i = 0; i < a->stmts.len; i++) {
		pc_actual_stmt *s = a->stmts.items[i];
		if (!s->managed || !s->table)
			continue;
		if (s->kind == PC_NAME_DML)
			pc_vec_push(&table_for(a, s->table)->dmls, s);
		else
			pc_vec_push(&table_for(a, s->table)->ddls, s);
	}
	for (i = 0; i < a->tables.len; i++)
		index_table(a->tables.items[i]);
	pc_vec_sort(&a->tables, by_table_name);
	load_journals(a);
	compute_fingerprint(a);
	/* built: what made the properties unique is not needed any more */
	pc_map_dispose(&a->props, NULL);
}

int pc_actual_build(pc_actual **out, const char *prefix, pc_vec *statements, pc_vec *topics,
		    pc_vec *pools)
{
	pc_actual *a;
	size_t i;

	*out = NULL;
	if (!prefix || !statements || !topics)
		return pc_error_set(PC_EINVALID, "actual state: missing prefix, statements or topics");
	a = pc_actual_begin(prefix);
	for (i = 0; i < statements->len; i++)
		pc_actual_add_statement(a, statements->items[i]);
	pc_vec_dispose(statements, NULL);
	for (i = 0; i < topics->len; i++)
		pc_actual_add_topic(a, topics->items[i]);
	pc_vec_dispose(topics, NULL);
	pc_actual_end(a, pools);
	*out = a;
	return 0;
}

int pc_actual_load(pc_actual **out, pc_provider *p, const pc_project *proj)
{
	return pc_actual_load_cfg(out, p, proj ? proj->config : NULL);
}

/*
 * Each statement is made compact as its page is parsed (pc_provider_each_statement()),
 * so the provider's structs of one statement at a time exist, never a page's or a list's.
 */
int pc_actual_load_cfg(pc_actual **out, pc_provider *p, const pc_config *cfg)
{
	pc_vec topics = PC_VEC_INIT, pools = PC_VEC_INIT;
	int want_pools = cfg && cfg->pools_create;
	pc_actual *a = pc_actual_begin(cfg && cfg->prefix ? cfg->prefix : "dev");
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = pc_provider_each_statement(p, pc_actual_statement_sink, a)) < 0)
		goto done;
	if ((rc = p->ops->list_topics(p, &topics)) < 0)
		goto done;
	for (i = 0; i < topics.len; i++)
		pc_actual_add_topic(a, topics.items[i]);
	topics.len = 0;
	if (want_pools && (rc = p->ops->list_pools(p, &pools)) < 0)
		goto done;
	pc_actual_end(a, want_pools ? &pools : NULL);
	*out = a;
	a = NULL;
done:
	pc_actual_free(a);
	pc_vec_dispose(&topics, pc_topic_free);
	pc_vec_dispose(&pools, pc_pool_free);
	return rc;
}

const pc_actual_table *pc_actual_table_get(const pc_actual *a, const char *name)
{
	return a && name ? pc_map_get(&a->by_table, name) : NULL;
}

static int topic_named(const void *key, const void *elem)
{
	return strcmp(key, (*(const pc_topic *const *)elem)->name);
}

static int stmt_named(const void *key, const void *elem)
{
	return strcmp(key, (*(const pc_actual_stmt *const *)elem)->st->name);
}

int pc_actual_topic_exists(const pc_actual *a, const char *name)
{
	return a && name && a->topics.len &&
	       bsearch(name, a->topics.items, a->topics.len, sizeof(void *), topic_named) != NULL;
}

static pc_actual_stmt *stmt_find(const pc_actual *a, const char *name)
{
	pc_actual_stmt **s;
	if (!a || !name || !a->stmts.len)
		return NULL;
	s = bsearch(name, a->stmts.items, a->stmts.len, sizeof(void *), stmt_named);
	return s ? *s : NULL;
}

const pc_actual_stmt *pc_actual_stmt_get(const pc_actual *a, const char *name)
{
	return stmt_find(a, name);
}

int pc_actual_exists(const pc_actual_table *at, const pc_table *t)
{
	if (!at)
		return 0;
	if (pc_table_is_view(t))
		return at->ddl && at->ddl->st->ph == PC_PHASE_COMPLETED;
	return at->topic_exists;
}

int pc_actual_table_in_sync(const pc_actual *a, const pc_table *t, char **reason)
{
	return pc_actual_version_in_sync(a, t, t->name, reason);
}

int pc_actual_version_in_sync(const pc_actual *a, const pc_table *t, const char *physical, char **reason)
{
	const pc_actual_table *at = pc_actual_table_get(a, physical ? physical : t->name);
	char fp[33];

	*reason = NULL;
	if (!pc_actual_exists(at, t)) {
		*reason = pc_strdup(pc_table_is_view(t) ? "view missing" : "table missing");
		return 0;
	}
	if (at->ddl_fp && strcmp(at->ddl_fp, t->ddl_fingerprint)) {
		*reason = pc_strdup("DDL differs");
		return 0;
	}
	if (!pc_table_has_dml(t)) {
		if (!at->ddl_fp && !pc_table_is_view(t)) {
			/* never "in sync" without evidence */
			*reason = pc_strdup("DDL cannot be compared: no statement records it any more (expired?)");
			return 0;
		}
		return 1;
	}
	if (!at->dml || !(pc_phase_current(at->ph) || pc_phase_failed(at->ph) || at->ph == PC_PHASE_UNKNOWN)) {
		*reason = pc_strdup("DML missing");
		return 0;
	}
	if (at->live_dmls > 1) {
		*reason = pc_sprintf("%d DML statements write the table", at->live_dmls);
		return 0;
	}
	if (at->dml_sql_fp && strcmp(at->dml_sql_fp, pc_table_dml_sql_fp(t))) {
		*reason = pc_strdup("SQL differs");
		return 0;
	}
	pc_table_dml_fp(t, fp);
	if (at->dml_fp && strcmp(at->dml_fp, fp)) {
		*reason = pc_strdup("properties differ");
		return 0;
	}
	if (t->compute_pool && at->pool && strcmp(t->compute_pool, at->pool)) {
		*reason = pc_sprintf("compute pool differs (%s, table.yaml says %s)", at->pool, t->compute_pool);
		return 0;
	}
	switch (at->ph) {
	case PC_PHASE_RUNNING:
		return 1;
	case PC_PHASE_FAILED:
	case PC_PHASE_FAILING:
		*reason = at->detail && *at->detail ? pc_sprintf("FAILED: %s", at->detail) : pc_strdup("FAILED");
		return 0;
	case PC_PHASE_UNKNOWN:
		*reason = pc_sprintf("phase %s, unknown to pipectl", at->phase ? at->phase : "(none)");
		return 0;
	default:
		*reason = pc_strdup(at->phase);
		return 0;
	}
}

/* ---- adoption (reconcile/adopt.h): an unmanaged statement taken as the table's own ---- */

int pc_actual_adopt(pc_actual *a, const char *stmt, const char *table, pc_name_kind kind)
{
	pc_actual_stmt *s = stmt_find(a, stmt);
	pc_actual_table *t;

	if (!s || !table || kind == PC_NAME_DROP)
		return pc_error_set(PC_EINVALID, "adopt: no statement '%s' in the snapshot", stmt ? stmt : "(null)");
	if (s->managed)
		return 0; /* pipectl's own already */
	s->managed = 1;
	s->adopted = 1;
	s->kind = kind;
	t = pc_map_get(&a->by_table, table);
	s->table = t ? t->name : pc_arena_strdup(&a->arena, table);
	if (kind == PC_NAME_DDL) {
		s->ddl_fp = sql_fp_of(a, s->st->sql);
	} else {
		s->sql_fp = sql_fp_of(a, s->st->sql);
	}
	t = table_for(a, s->table);
	pc_vec_push(kind == PC_NAME_DML ? &t->dmls : &t->ddls, s);
	/* index again from scratch */
	t->dml = t->ddl = NULL;
	t->live_dmls = 0;
	t->ddl_fp = t->dml_fp = t->dml_sql_fp = t->pool = t->phase = t->detail = NULL;
	t->ph = PC_PHASE_UNKNOWN;
	index_table(t);
	pc_vec_sort(&a->tables, by_table_name);
	compute_fingerprint(a);
	return 0;
}
