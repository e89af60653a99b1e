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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_actual__current_dml_is_the_newest_live_one),
		T(test_actual__unmanaged_statements_are_not_indexed),
		T(test_actual__statement_without_labels_is_read_from_its_sql),
		T(test_actual__in_sync_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
