/*
 * Unit tests for keeping a DML-less table's DDL record alive
 * (src/reconcile/plan_renew.c, docs/reconcile.md "Keeping the DDL record
 * alive"): when it is renewed, what the steps are, what an interrupted
 * renewal leaves to its rerun, and how a plan file carries it.
 */
#include "plan_fixture.h"

#define DAY_MS (24LL * 3600 * 1000)

/* The statement's created_at set to ms ago. */
static void aged(pc_statement *st, int64_t ms)
{
	char ts[40];
	pc_iso8601(pc_wall_ms() - ms, ts, sizeof(ts));
	free(st->created_at);
	st->created_at = pc_strdup(ts);
}

/* A DDL record of t with a nonce (a renewal's name), in phase, ms old. */
static pc_statement *ddl_record(const pc_table *t, const char *nonce, const char *phase, int64_t ms)
{
	char *name = pc_naming_statement("dev", PC_NAME_DDL, t->name, t->ddl_fingerprint, nonce);
	pc_statement *st = stmt(name, phase);
	st->sql = pc_sprintf("CREATE TABLE IF NOT EXISTS %s (id INT)", t->name);
	pc_naming_labels(&st->labels, PC_NAME_DDL, t->name, t->ddl_fingerprint, NULL, NULL);
	aged(st, ms);
	free(name);
	return st;
}

static void test_renew__an_old_record_that_matches_git_is_issued_again_then_deleted(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_statement *old;
	const pc_action *a;
	topic("ref");
	old = ddl_stmt(t);
	aged(old, 21 * DAY_MS);
	plan_ok(NULL);
	a = act_of("ref");
	/* the action stays a noop (design: the table is as git says), with maintenance */
	assert_int_equal(a->kind, PC_ACT_NOOP);
	assert_non_null(a->renew);
	assert_string_equal(a->renew, PC_RENEW_DDL_RECORD);
	assert_string_equal(pc_action_label(a), "renew");
	assert_non_null(strstr(a->reason, old->name));
	assert_non_null(strstr(a->reason, "21 days old"));
	assert_non_null(strstr(a->reason, "expires in 9 days"));
	assert_int_equal(a->steps.len, 2);
	/* 1. git's DDL again, IF NOT EXISTS, under a new name, labelled like any DDL */
	assert_int_equal(step("ref", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("ref", 0)->sql, "CREATE TABLE IF NOT EXISTS ref (id INT)");
	assert_string_not_equal(step("ref", 0)->statement, old->name);
	assert_true(pc_naming_valid(step("ref", 0)->statement));
	assert_string_equal(pc_kv_get(&step("ref", 0)->labels, PC_LABEL_FP), t->ddl_fingerprint);
	assert_string_equal(pc_kv_get(&step("ref", 0)->labels, PC_LABEL_KIND), "ddl");
	assert_true(step("ref", 0)->wait);
	/* 2. then the old record goes */
	assert_int_equal(step("ref", 1)->kind, PC_STEP_DELETE_STATEMENT);
	assert_string_equal(step("ref", 1)->statement, old->name);
	assert_false(step("ref", 1)->teardown);
	assert_false(a->destructive);
	/* a change: apply will act (plan --detailed-exitcode 2), counted apart */
	assert_true(pc_plan_has_changes(F->plan));
	assert_int_equal(F->plan->summary[PC_ACT_NOOP], 1);
	assert_int_equal(F->plan->renewals, 1);
}

static void test_renew__a_renewal_never_gives_out_the_name_of_a_deleted_record(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	char *first = pc_naming_statement("dev", PC_NAME_DDL, "ref", t->ddl_fingerprint, NULL);
	char *nonce, *want;
	pc_statement *r1;
	topic("ref");
	/* the first record (plain name) was renewed and deleted; its successor is due now */
	r1 = ddl_record(t, "1", "COMPLETED", 21 * DAY_MS);
	plan_ok(NULL);
	assert_non_null(act_of("ref")->renew);
	assert_string_not_equal(step("ref", 0)->statement, first);
	assert_string_not_equal(step("ref", 0)->statement, r1->name);
	/* a chain: the new name derives from the record it renews (two plans of one state agree) */
	nonce = pc_sprintf("renew %s", r1->name);
	want = pc_naming_statement("dev", PC_NAME_DDL, "ref", t->ddl_fingerprint, nonce);
	assert_string_equal(step("ref", 0)->statement, want);
	assert_string_equal(step("ref", 1)->statement, r1->name);
	free(nonce);
	free(want);
	free(first);
}

static void test_renew__a_fresh_record_is_left_alone(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	topic("ref");
	aged(ddl_stmt(t), 19 * DAY_MS);
	plan_ok(NULL);
	assert_int_equal(kind_of("ref"), PC_ACT_NOOP);
	assert_null(act_of("ref")->renew);
	assert_int_equal(act_of("ref")->steps.len, 0);
	assert_false(pc_plan_has_changes(F->plan));
	assert_int_equal(F->plan->renewals, 0);
}

static void test_renew__a_record_that_proves_a_difference_is_never_renewed(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	topic("ref");
	aged(ddl_stmt(t), 21 * DAY_MS);
	set_fp(t->ddl_fingerprint, "d2"); /* git's DDL changed */
	plan_ok(NULL);
	assert_int_equal(kind_of("ref"), PC_ACT_REBUILD);
	assert_string_equal(act_of("ref")->reason, "DDL changed");
	assert_null(act_of("ref")->renew);
}

static void test_renew__a_table_with_a_dml_keeps_its_ddl_fingerprint_on_the_dml(void **state)
{
	(void)state;
	pc_table *t = table("mid", "intermediates", NULL, 1);
	pc_statement *d;
	topic("mid");
	aged(ddl_stmt(t), 25 * DAY_MS);
	d = dml_stmt(t, "RUNNING", NULL);
	aged(d, 25 * DAY_MS); /* a running statement never expires */
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_NOOP);
	assert_null(act_of("mid")->renew);
	assert_false(pc_plan_has_changes(F->plan));
}

static void test_renew__killed_after_the_new_record_the_rerun_only_deletes_the_older(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_statement *old, *fresh;
	topic("ref");
	old = ddl_stmt(t);
	aged(old, 21 * DAY_MS);
	fresh = ddl_record(t, "1", "COMPLETED", 60 * 1000);
	plan_ok(NULL);
	assert_int_equal(kind_of("ref"), PC_ACT_NOOP);
	assert_non_null(act_of("ref")->renew);
	assert_non_null(strstr(act_of("ref")->reason, fresh->name));
	assert_int_equal(act_of("ref")->steps.len, 1);
	assert_int_equal(step("ref", 0)->kind, PC_STEP_DELETE_STATEMENT);
	assert_string_equal(step("ref", 0)->statement, old->name);
	assert_true(pc_plan_has_changes(F->plan));
}

static void test_renew__killed_while_the_new_record_runs_the_rerun_waits_for_it(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_statement *old, *pending;
	topic("ref");
	old = ddl_stmt(t);
	aged(old, 21 * DAY_MS);
	pending = ddl_record(t, "1", "PENDING", 1000);
	plan_ok(NULL);
	assert_int_equal(kind_of("ref"), PC_ACT_NOOP);
	assert_non_null(act_of("ref")->renew);
	assert_int_equal(act_of("ref")->steps.len, 2);
	/* never a second record beside the one in flight: the same name, so apply waits for it */
	assert_int_equal(step("ref", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("ref", 0)->statement, pending->name);
	assert_string_equal(step("ref", 1)->statement, old->name);
}

static void test_renew__a_failed_new_record_leaves_the_old_one_to_renew_again(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_statement *old, *failed;
	topic("ref");
	old = ddl_stmt(t);
	aged(old, 21 * DAY_MS);
	failed = ddl_record(t, "1", "FAILED", 1000);
	plan_ok(NULL);
	assert_non_null(act_of("ref")->renew);
	assert_int_equal(act_of("ref")->steps.len, 2);
	assert_string_not_equal(step("ref", 0)->statement, failed->name);
	assert_string_not_equal(step("ref", 0)->statement, old->name);
	assert_string_equal(step("ref", 1)->statement, old->name);
}

static void test_renew__records_before_a_drop_describe_another_table(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_statement *drop, *rec;
	char *name;
	topic("ref");
	aged(ddl_stmt(t), 25 * DAY_MS);
	name = pc_naming_statement("dev", PC_NAME_DROP, "ref", t->ddl_fingerprint, NULL);
	drop = stmt(name, "COMPLETED");
	free(name);
	drop->sql = pc_strdup("DROP TABLE IF EXISTS `ref`");
	pc_naming_labels(&drop->labels, PC_NAME_DROP, "ref", t->ddl_fingerprint, NULL, NULL);
	aged(drop, 24 * DAY_MS);
	rec = ddl_record(t, "1", "COMPLETED", 23 * DAY_MS);
	plan_ok(NULL);
	/* the newest record is renewed; the one older than the DROP is not its to delete */
	assert_non_null(act_of("ref")->renew);
	assert_int_equal(act_of("ref")->steps.len, 2);
	assert_string_equal(step("ref", 1)->statement, rec->name);
}

static void test_renew__the_threshold_comes_from_pipectl_yaml(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	topic("ref");
	aged(ddl_stmt(t), 10 * 1000);
	pc_kv_set(&F->cfg.extra, "reconcile.renew_ddl_after", "5s");
	plan_ok(NULL);
	assert_non_null(act_of("ref")->renew);
	assert_non_null(strstr(act_of("ref")->reason, "10 s old"));
	pc_kv_set(&F->cfg.extra, "reconcile.renew_ddl_after", "1m");
	plan_ok(NULL);
	assert_null(act_of("ref")->renew);
}

static void test_renew__dml_only_views_and_inactive_tables_are_left_alone(void **state)
{
	(void)state;
	pc_plan_options o = { .dml_only = 1 };
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_table *v = table("v_ref", "views", NULL, 0);
	pc_table *off = table("off", "sources", NULL, 0);
	const char *vsql = "CREATE VIEW v_ref AS SELECT id FROM ref";
	pc_statement *vs;
	pc_sql_file_free(v->ddl);
	assert_int_equal(pc_sql_analyze(&v->ddl, v->ddl_path, vsql, strlen(vsql)), 0);
	edge(t, v);
	off->active = 0;
	topic("ref");
	topic("off");
	aged(ddl_stmt(t), 21 * DAY_MS);
	vs = ddl_stmt(v);
	aged(vs, 21 * DAY_MS);
	aged(ddl_stmt(off), 21 * DAY_MS);
	plan_ok(&o); /* --dml-only runs no DDL */
	assert_null(act_of("ref")->renew);
	plan_ok(NULL);
	assert_non_null(act_of("ref")->renew);
	/* a view expired is created again whole (exact, not destructive); an inactive table is left as it is */
	assert_null(act_of("v_ref")->renew);
	assert_null(act_of("off")->renew);
}

static void test_renew__a_plan_file_carries_it(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	pc_plan *back = NULL;
	pc_buf b = PC_BUF_INIT;
	char *bad;
	topic("ref");
	aged(ddl_stmt(t), 21 * DAY_MS);
	plan_ok(NULL);
	assert_int_equal(pc_plan_write_json(F->plan, &b), 0);
	assert_true(strstr(b.ptr, "\"renew\": \"ddl-record\"") || strstr(b.ptr, "\"renew\":\"ddl-record\""));
	assert_int_equal(pc_plan_read_json(&back, b.ptr, b.len), 0);
	assert_string_equal(((const pc_action *)back->actions.items[0])->renew, PC_RENEW_DDL_RECORD);
	assert_int_equal(back->renewals, 1);
	assert_true(pc_plan_has_changes(back));
	pc_plan_free(back);
	/* anything else is refused, naming the action */
	bad = pc_strdup(b.ptr);
	memcpy(strstr(bad, "ddl-record"), "ddl-xxxxxx", 10);
	assert_int_not_equal(pc_plan_read_json(&back, bad, strlen(bad)), 0);
	assert_non_null(strstr(pc_error_last(), "actions[0]"));
	assert_non_null(strstr(pc_error_last(), "renew"));
	pc_error_clear();
	free(bad);
	pc_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_renew__an_old_record_that_matches_git_is_issued_again_then_deleted),
		T(test_renew__a_renewal_never_gives_out_the_name_of_a_deleted_record),
		T(test_renew__a_fresh_record_is_left_alone),
		T(test_renew__a_record_that_proves_a_difference_is_never_renewed),
		T(test_renew__a_table_with_a_dml_keeps_its_ddl_fingerprint_on_the_dml),
		T(test_renew__killed_after_the_new_record_the_rerun_only_deletes_the_older),
		T(test_renew__killed_while_the_new_record_runs_the_rerun_waits_for_it),
		T(test_renew__a_failed_new_record_leaves_the_old_one_to_renew_again),
		T(test_renew__records_before_a_drop_describe_another_table),
		T(test_renew__the_threshold_comes_from_pipectl_yaml),
		T(test_renew__dml_only_views_and_inactive_tables_are_left_alone),
		T(test_renew__a_plan_file_carries_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
