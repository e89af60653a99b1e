/*
 * Unit tests for the actual-state snapshot (src/reconcile/actual.c): the
 * current DML of a table, what is indexed, and the in-sync reasons of status.
 */
#include "plan_fixture.h"

/* ---- the snapshot and status ---- */

static void test_actual__current_dml_is_the_newest_live_one(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *run = deployed(t, "RUNNING");
	pc_statement *failed = dml_stmt(t, "FAILED", "1"); /* newer, but failed */
	(void)failed;
	build_actual();
	const pc_actual_table *at = pc_actual_table_get(F->act, "orders");
	assert_non_null(at);
	assert_true(at->topic_exists);
	assert_string_equal(at->dml->st->name, run->name);
	assert_int_equal(at->dmls.len, 2);
	assert_int_equal(at->live_dmls, 1);
	assert_non_null(at->ddl);
	assert_string_equal(at->ddl_fp, t->ddl_fingerprint);
}

static void test_actual__unmanaged_statements_are_not_indexed(void **state)
{
	(void)state;
	pc_statement *st = stmt("cli-2026-01-01-120000-abc", "RUNNING");
	st->sql = pc_strdup("INSERT INTO orders SELECT * FROM src");
	pc_statement *other = stmt("prod-pc-dml-orders-0a1b2c3d", "RUNNING"); /* another prefix */
	other->sql = pc_strdup("INSERT INTO orders SELECT * FROM src");
	build_actual();
	assert_null(pc_actual_table_get(F->act, "orders"));
	assert_false(((pc_actual_stmt *)pc_actual_stmt_get(F->act, "cli-2026-01-01-120000-abc"))->managed);
}

static void test_actual__statement_without_labels_is_read_from_its_sql(void **state)
{
	(void)state;
	pc_statement *st = stmt("dev-pc-dml-my-orders-0a1b2c3d", "RUNNING");
	st->sql = pc_strdup("INSERT INTO `cat`.`db`.`My_Orders` SELECT id FROM src WHERE x = 1");
	pc_statement *dr = stmt("dev-pc-drop-old-0a1b2c3d", "COMPLETED");
	dr->sql = pc_strdup("DROP TABLE IF EXISTS `cat`.`db`.`Old`");
	build_actual();
	const pc_actual_table *at = pc_actual_table_get(F->act, "My_Orders");
	assert_non_null(at);
	assert_non_null(at->dml);
	assert_non_null(at->dml_sql_fp);
	assert_non_null(pc_actual_table_get(F->act, "Old"));
}

static void test_actual__in_sync_reasons(void **state)
{
	(void)state;
	pc_table *ok = table("ok", "sources", NULL, 1);
	pc_table *gone = table("gone", "sources", NULL, 1);
	pc_table *nodml = table("nodml", "sources", NULL, 1);
	pc_table *sql = table("sql", "sources", NULL, 1);
	pc_table *props = table("props", "sources", NULL, 1);
	pc_table *failed = table("failed", "sources", NULL, 1);
	pc_table *degraded = table("degraded", "sources", NULL, 1);
	int in;
	char *r;
	deployed(ok, "RUNNING");
	topic("nodml");
	ddl_stmt(nodml);
	deployed(sql, "RUNNING");
	deployed(props, "RUNNING");
	pc_statement *f = deployed(failed, "FAILED");
	f->detail = pc_strdup("table src was dropped");
	deployed(degraded, "DEGRADED");
	build_actual();
	set_fp(sql->dml_fingerprint, "m2");
	pc_kv_set(&props->dml_properties, "k", "v");
	(void)gone;

	r = sync_reason(ok, &in);
	assert_true(in);
	assert_null(r);
	const struct { pc_table *t; const char *want; } cases[] = {
		{ gone, "table missing" }, { nodml, "DML missing" }, { sql, "SQL differs" },
		{ props, "properties differ" }, { failed, "FAILED: table src was dropped" },
		{ degraded, "DEGRADED" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = sync_reason(cases[i].t, &in);
		assert_false(in);
		assert_non_null(r);
		assert_string_equal(r, cases[i].want);
		free(r);
	}
}

/* ---- the compact form ---- */

static void test_actual__a_statement_keeps_what_pipectl_reads(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *run = deployed(t, "RUNNING");
	pc_statement *old = dml_stmt(t, "FAILED", "1"); /* newer, not current */
	pc_kv_set(&run->properties, "sql.current-catalog", "env");
	pc_kv_set(&run->properties, "sql.state-ttl", "1 d");
	pc_kv_set(&old->properties, "sql.current-catalog", "env");
	pc_kv_set(&run->labels, PC_LABEL_PROTECT, "true");
	pc_kv_set(&old->latest_offsets, "src", "partition:0,offset:7");
	run->detail = pc_strdup("ok");
	run->uid = pc_strdup("u-1");
	run->principal = pc_strdup("sa-1");
	build_actual();
	const pc_actual_stmt *r = pc_actual_stmt_get(F->act, run->name), *o = pc_actual_stmt_get(F->act, old->name);
	assert_non_null(r);
	assert_non_null(o);
	assert_true(r->managed);
	assert_int_equal(r->kind, PC_NAME_DML);
	assert_string_equal(r->table, "orders");
	assert_string_equal(r->st->name, run->name);
	assert_string_equal(r->st->sql, run->sql);
	assert_string_equal(r->st->phase, "RUNNING");
	assert_int_equal(r->st->ph, PC_PHASE_RUNNING);
	assert_string_equal(r->st->detail, "ok");
	assert_string_equal(r->st->compute_pool_id, "lfcp-cur");
	assert_string_equal(r->st->created_at, run->created_at);
	assert_string_equal(r->st->resource_version, "1");
	assert_true(r->st->protect);
	assert_false(o->st->protect);
	assert_false(r->st->has_offsets);
	assert_true(o->st->has_offsets);
	assert_string_equal(r->fp, pc_kv_get(&run->labels, PC_LABEL_FP));
	assert_string_equal(r->sql_fp, t->dml_fingerprint);
	assert_string_equal(r->ddl_fp, t->ddl_fingerprint);
	/* properties in the API's order; an equal pair is stored once for every statement */
	assert_int_equal(r->st->properties.len, 2);
	assert_string_equal(((const pc_kv *)r->st->properties.items[1])->key, "sql.state-ttl");
	assert_string_equal(pc_kv_get(&r->st->properties, "sql.state-ttl"), "1 d");
	assert_ptr_equal(r->st->properties.items[0], o->st->properties.items[0]);
	/* repeated values are stored once too */
	assert_ptr_equal(r->st->compute_pool_id, o->st->compute_pool_id);
	assert_ptr_equal(pc_actual_table_get(F->act, "orders")->dml, r);
}

static void test_actual__lookups_by_name_find_every_statement_and_topic(void **state)
{
	(void)state;
	char name[64];
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "cli-%03d", (i * 37) % 50); /* out of order */
		stmt(name, "RUNNING");
		snprintf(name, sizeof name, "topic_%03d", (i * 13) % 50);
		topic(name);
	}
	build_actual();
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "cli-%03d", i);
		assert_non_null(pc_actual_stmt_get(F->act, name));
		assert_string_equal(pc_actual_stmt_get(F->act, name)->st->name, name);
		snprintf(name, sizeof name, "topic_%03d", i);
		assert_true(pc_actual_topic_exists(F->act, name));
	}
	assert_null(pc_actual_stmt_get(F->act, "cli-"));
	assert_null(pc_actual_stmt_get(F->act, "cli-050"));
	assert_null(pc_actual_stmt_get(F->act, "a"));
	assert_null(pc_actual_stmt_get(F->act, NULL));
	assert_false(pc_actual_topic_exists(F->act, "topic_0"));
	assert_false(pc_actual_topic_exists(F->act, "zzz"));
}

static void test_actual__built_as_pages_arrive_equals_built_from_lists(void **state)
{
	(void)state;
	pc_table *a = table("a", "sources", NULL, 1), *b = table("b", "sources", NULL, 1);
	pc_statement *st;
	pc_actual *piece;
	deployed(a, "RUNNING");
	deployed(b, "STOPPED");
	st = stmt("cli-other", "RUNNING");
	st->sql = pc_strdup("INSERT INTO b SELECT * FROM a");
	build_actual();
	piece = pc_actual_begin("dev");
	for (size_t i = F->stmts.len; i-- > 0;) /* another order than the list's */
		pc_actual_add_statement(piece, pc_statement_dup(F->stmts.items[i]));
	pc_actual_add_statement(piece, NULL);
	pc_actual_add_statement(piece, PC_NEW(pc_statement)); /* nameless: dropped */
	for (size_t i = 0; i < F->topics.len; i++) {
		pc_topic *t = PC_NEW(pc_topic);
		t->name = pc_strdup(((const pc_topic *)F->topics.items[i])->name);
		pc_actual_add_topic(piece, t);
	}
	pc_actual_add_topic(piece, PC_NEW(pc_topic));
	pc_actual_end(piece, NULL);
	assert_string_equal(piece->fingerprint, F->act->fingerprint);
	assert_int_equal(piece->stmts.len, F->act->stmts.len);
	assert_int_equal(piece->tables.len, F->act->tables.len);
	assert_string_equal(pc_actual_table_get(piece, "b")->phase, "STOPPED");
	assert_false(pc_actual_stmt_get(piece, "cli-other")->managed);
	pc_actual_free(piece);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_actual__a_statement_keeps_what_pipectl_reads),
		T(test_actual__lookups_by_name_find_every_statement_and_topic),
		T(test_actual__built_as_pages_arrive_equals_built_from_lists),
		T(test_actual__current_dml_is_the_newest_live_one),
		T(test_actual__unmanaged_statements_are_not_indexed),
		T(test_actual__statement_without_labels_is_read_from_its_sql),
		T(test_actual__in_sync_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
