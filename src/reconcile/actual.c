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

static void stmt_free(void *p)
{
	pc_actual_stmt *s = p;
	if (!s)
		return;
	pc_statement_free(s->st);
	free(s->table);
	free(s->fp);
	free(s->sql_fp);
	free(s->ddl_fp);
	free(s);
}

static void table_free(void *p)
{
	pc_actual_table *t = p;
	if (!t)
		return;
	free(t->name);
	pc_vec_dispose(&t->dmls, NULL);
	pc_vec_dispose(&t->ddls, NULL);
	free(t);
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
	pc_vec_dispose(&a->stmts, stmt_free);
	pc_vec_dispose(&a->topics, pc_topic_free);
	pc_vec_dispose(&a->pools, pc_pool_free);
	pc_vec_dispose(&a->tables, table_free);
	pc_map_dispose(&a->by_table, NULL);
	pc_map_dispose(&a->by_stmt, NULL);
	pc_map_dispose(&a->by_topic, NULL);
	pc_vec_dispose(&a->journals, pc_journal_free);
	pc_map_dispose(&a->journal_names, free);
	pc_map_dispose(&a->journal_actions, NULL);
	pc_map_dispose(&a->journal_tables, vec_free);
	free(a->journal_error);
	free(a);
}

static char *sql_fp_of(const char *sql)
{
	char fp[33];
	if (!sql || pc_sql_fingerprint(fp, sql, strlen(sql)) < 0) {
		pc_error_clear();
		return NULL;
	}
	return pc_strdup(fp);
}

static pc_actual_stmt *stmt_new(pc_statement *st, const char *prefix)
{
	pc_actual_stmt *s = PC_NEW(pc_actual_stmt);
	const char *v;

	s->st = st;
	s->managed = pc_naming_is_managed(st->name, &st->labels, prefix, &s->kind);
	if (!s->managed)
		return s;
	v = pc_kv_get(&st->labels, PC_LABEL_TABLE_NAME);
	s->table = v ? pc_strdup(v) : pc_naming_table_from_sql(st->sql, s->kind);
	s->fp = pc_strdup(pc_kv_get(&st->labels, PC_LABEL_FP));
	switch (s->kind) {
	case PC_NAME_DDL:
		s->ddl_fp = s->fp ? pc_strdup(s->fp) : sql_fp_of(st->sql);
		break;
	case PC_NAME_DML:
		v = pc_kv_get(&st->labels, PC_LABEL_SQL_FP);
		s->sql_fp = v ? pc_strdup(v) : sql_fp_of(st->sql);
		s->ddl_fp = pc_strdup(pc_kv_get(&st->labels, PC_LABEL_DDL_FP));
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

static pc_actual_table *table_for(pc_actual *a, const char *name)
{
	pc_actual_table *t = pc_map_get(&a->by_table, name);
	if (!t) {
		t = PC_NEW(pc_actual_table);
		t->name = pc_strdup(name);
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

/* Read every journal statement, newest first; the newest journal wins a name or a table. */
static void load_journals(pc_actual *a)
{
	pc_vec js = PC_VEC_INIT;
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
		pc_vec_push(&a->journals, j);
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
	pc_vec_dispose(&js, NULL);
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

int pc_actual_build(pc_actual **out, const char *prefix, pc_vec *statements, pc_vec *topics,
		    pc_vec *pools)
{
	pc_actual *a;
	size_t i;

	*out = NULL;
	if (!prefix || !statements || !topics)
		return pc_error_set(PC_EINVALID, "actual state: missing prefix, statements or topics");
	a = PC_NEW(pc_actual);
	a->prefix = pc_strdup(prefix);
	for (i = 0; i < statements->len; i++) {
		pc_statement *st = statements->items[i];
		if (!st || !st->name) {
			pc_statement_free(st);
			continue;
		}
		pc_vec_push(&a->stmts, stmt_new(st, prefix));
	}
	pc_vec_dispose(statements, NULL);
	pc_vec_sort(&a->stmts, by_stmt_name);
	for (i = 0; i < topics->len; i++) {
		pc_topic *t = topics->items[i];
		if (!t || !t->name) {
			pc_topic_free(t);
			continue;
		}
		pc_vec_push(&a->topics, t);
	}
	pc_vec_dispose(topics, NULL);
	pc_vec_sort(&a->topics, by_topic_name);
	if (pools) {
		a->pools_loaded = 1;
		for (i = 0; i < pools->len; i++)
			pc_vec_push(&a->pools, pools->items[i]);
		pc_vec_dispose(pools, NULL);
	}

	for (i = 0; i < a->topics.len; i++) {
		pc_topic *t = a->topics.items[i];
		pc_map_put(&a->by_topic, t->name, t);
		table_for(a, t->name)->topic_exists = 1;
	}
	for (i = 0; i < a->stmts.len; i++) {
		pc_actual_stmt *s = a->stmts.items[i];
		pc_map_put(&a->by_stmt, s->st->name, s);
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
	*out = a;
	return 0;
}

int pc_actual_load(pc_actual **out, pc_provider *p, const pc_project *proj)
{
	return pc_actual_load_cfg(out, p, proj ? proj->config : NULL);
}

int pc_actual_load_cfg(pc_actual **out, pc_provider *p, const pc_config *cfg)
{
	pc_vec stmts = PC_VEC_INIT, topics = PC_VEC_INIT, pools = PC_VEC_INIT;
	int want_pools = cfg && cfg->pools_create;
	int rc;

	*out = NULL;
	if ((rc = p->ops->list_statements(p, &stmts)) < 0)
		goto done;
	if ((rc = p->ops->list_topics(p, &topics)) < 0)
		goto done;
	if (want_pools && (rc = p->ops->list_pools(p, &pools)) < 0)
		goto done;
	rc = pc_actual_build(out, cfg && cfg->prefix ? cfg->prefix : "dev", &stmts, &topics,
			     want_pools ? &pools : NULL);
done:
	pc_vec_dispose(&stmts, pc_statement_free);
	pc_vec_dispose(&topics, pc_topic_free);
	pc_vec_dispose(&pools, pc_pool_free);
	return rc;
}

const pc_actual_table *pc_actual_table_get(const pc_actual *a, const char *name)
{
	return a && name ? pc_map_get(&a->by_table, name) : NULL;
}

int pc_actual_topic_exists(const pc_actual *a, const char *name)
{
	return a && name && pc_map_has(&a->by_topic, name);
}

const pc_actual_stmt *pc_actual_stmt_get(const pc_actual *a, const char *name)
{
	return a && name ? pc_map_get(&a->by_stmt, name) : NULL;
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
	pc_actual_stmt *s = a && stmt ? pc_map_get(&a->by_stmt, stmt) : NULL;
	pc_actual_table *t;

	if (!s || !table || kind == PC_NAME_DROP)
		return pc_error_set(PC_EINVALID, "adopt: no statement '%s' in the snapshot", stmt ? stmt : "(null)");
	if (s->managed)
		return 0; /* pipectl's own already */
	s->managed = 1;
	s->adopted = 1;
	s->kind = kind;
	free(s->table);
	s->table = pc_strdup(table);
	if (kind == PC_NAME_DDL) {
		s->ddl_fp = sql_fp_of(s->st->sql);
	} else {
		s->sql_fp = sql_fp_of(s->st->sql);
	}
	t = table_for(a, table);
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
