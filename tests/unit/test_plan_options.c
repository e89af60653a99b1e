/*
 * Unit tests for what the plan options and the project change
 * (src/reconcile/plan.c, plan_decide.c, plan_steps.c): --dml-only, --force,
 * protect, active, externals, selectors, orphans (--prune), compute pools.
 */
#include "plan_fixture.h"

/* ---- options ---- */

static void test_plan_dml_only__rebuild_becomes_restart_with_warning(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	pc_plan_options opt = { NULL, 0, 1, 0, 0, NULL, 0, 0 };
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 2);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(&opt);
	assert_int_equal(kind_of("mid"), PC_ACT_RESTART);
	assert_int_equal(kind_of("leaf"), PC_ACT_RESTART);
	assert_true(has_warning("rows may repeat"));
	for (size_t i = 0; i < act_of("mid")->steps.len; i++) {
		assert_int_not_equal(step("mid", i)->kind, PC_STEP_DROP_TABLE);
		assert_int_not_equal(step("mid", i)->kind, PC_STEP_RUN_DDL);
	}
	assert_int_equal(step("mid", 2)->kind, PC_STEP_CREATE_DML);
	assert_true(step("mid", 2)->from_earliest);
	assert_false(act_of("mid")->destructive);
}

static void test_plan_force__rebuilds_only_selected_and_cascades(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	const char *sel[] = { "mid" };
	pc_plan_options opt = { sel, 1, 0, 1, 0, NULL, 0, 0 };
	chain(&src, &mid, &leaf);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	plan_ok(&opt);
	assert_null(pc_plan_find(F->plan, "src"));
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("leaf")->reason, "parent 'mid'"));
}

static void test_plan_protect__rebuild_of_protected_table_is_an_error(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	stateful(t, "GROUP BY", 2);
	t->protect = 1;
	deployed(t, "RUNNING");
	set_fp(t->dml_fingerprint, "m2");
	assert_int_equal(plan_with(NULL), PC_EINVALID);
	assert_null(F->plan);
	assert_non_null(strstr(pc_error_last(), "'orders' is protected"));
	assert_non_null(strstr(pc_error_last(), "DML changed"));
}

static void test_plan_active_false__no_action_even_when_changed(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "STOPPED");
	set_fp(t->ddl_fingerprint, "d9");
	t->active = 0;
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
	assert_int_equal(act_of("orders")->steps.len, 0);
	assert_non_null(strstr(act_of("orders")->reason, "active: false"));
}

static void test_plan_external__missing_topic_is_an_error_naming_the_reader(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_vec_push(&t->external_parents, pc_strdup("cat.db.raw_orders"));
	assert_int_equal(plan_with(NULL), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "table 'orders' reads 'cat.db.raw_orders'"));
}

static void test_plan_external__present_topic_plans(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_vec_push(&t->external_parents, pc_strdup("raw_orders"));
	topic("raw_orders");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_CREATE);
	/* an external table is never an orphan: it has no managed statement */
	assert_null(pc_plan_find(F->plan, "raw_orders"));
}

/* ---- selectors ---- */

static size_t n_actions(void)
{
	return F->plan->actions.len;
}

static void diamond_deployed(void)
{
	/* a -> b -> d, a -> c -> d, x (independent), all running */
	pc_table *a = table("a", "sources", "p1", 1);
	pc_table *b = table("b", "intermediates", "p1", 1);
	pc_table *c = table("c", "intermediates", "p2", 1);
	pc_table *d = table("d", "facts", "p2", 1);
	pc_table *x = table("x", "facts", "p3", 1);
	pc_table *e = table("e", "sources", "p2", 1);
	edge(a, b);
	edge(a, c);
	edge(b, d);
	edge(c, d);
	edge(e, d);
	deployed(a, "RUNNING");
	deployed(b, "RUNNING");
	deployed(c, "RUNNING");
	deployed(d, "RUNNING");
	deployed(x, "RUNNING");
	deployed(e, "RUNNING");
}

static void test_plan_select__each_form(void **state)
{
	(void)state;
	diamond_deployed();
	const char *one[] = { "b" };
	pc_plan_options o = { one, 1, 0, 0, 0, NULL, 0, 0 };
	plan_ok(&o);
	assert_int_equal(n_actions(), 1);
	assert_int_equal(kind_of("b"), PC_ACT_NOOP);

	const char *up[] = { "+b" };
	o.selectors = up;
	plan_ok(&o);
	assert_int_equal(n_actions(), 2);
	assert_non_null(pc_plan_find(F->plan, "a"));

	const char *down[] = { "b+" };
	o.selectors = down;
	plan_ok(&o);
	assert_int_equal(n_actions(), 2);
	assert_non_null(pc_plan_find(F->plan, "d"));

	const char *at[] = { "@b" };
	o.selectors = at;
	plan_ok(&o);
	/* b, its descendant d, and the ancestors of both: a, c, e */
	assert_int_equal(n_actions(), 5);
	assert_null(pc_plan_find(F->plan, "x"));

	const char *prod[] = { "product:p2" };
	o.selectors = prod;
	plan_ok(&o);
	assert_int_equal(n_actions(), 3);
	assert_non_null(pc_plan_find(F->plan, "c"));
	assert_non_null(pc_plan_find(F->plan, "e"));

	const char *layer[] = { "layer:facts" };
	o.selectors = layer;
	plan_ok(&o);
	assert_int_equal(n_actions(), 2);

	const char *uni[] = { "x", "layer:sources" };
	o.selectors = uni;
	o.n_selectors = 2;
	plan_ok(&o);
	assert_int_equal(n_actions(), 3);
}

static void test_plan_select__unknown_table_is_a_usage_error(void **state)
{
	(void)state;
	diamond_deployed();
	const char *bad[] = { "+nope" };
	pc_plan_options o = { bad, 1, 0, 0, 0, NULL, 0, 0 };
	assert_int_equal(plan_with(&o), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "no table 'nope'"));
	const char *badp[] = { "product:zzz" };
	o.selectors = badp;
	assert_int_equal(plan_with(&o), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "matches no table"));
}

static void test_plan_select__absent_or_stopped_ancestors_are_brought_in(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	const char *sel[] = { "leaf" };
	pc_plan_options opt = { sel, 1, 0, 0, 0, NULL, 0, 0 };
	chain(&src, &mid, &leaf);
	topic("src");
	ddl_stmt(src);
	deployed(mid, "STOPPED");
	/* leaf absent */
	plan_ok(&opt);
	assert_int_equal(kind_of("leaf"), PC_ACT_CREATE);
	assert_int_equal(kind_of("mid"), PC_ACT_START);
	assert_false(act_of("mid")->selected);
	/* src exists and has no DML: it is fine and not brought in */
	assert_null(pc_plan_find(F->plan, "src"));
	assert_string_equal(act_of("leaf")->depends_on.items[0], "mid");
}

/* ---- orphans ---- */

static void orphan_running(const char *name, const char *reads)
{
	pc_statement *st;
	char *n;
	char sql[128];
	char fp[33];
	set_fp(fp, name);
	topic(name);
	n = pc_naming_statement("dev", PC_NAME_DML, name, fp, NULL);
	st = stmt(n, "RUNNING");
	snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT * FROM %s", name, reads);
	st->sql = pc_strdup(sql);
	pc_naming_labels(&st->labels, PC_NAME_DML, name, fp, fp, fp);
	free(n);
}

static void test_plan_prune__orphan_reported_without_prune(void **state)
{
	(void)state;
	table("kept", "sources", NULL, 0);
	topic("kept");
	orphan_running("gone", "kept");
	topic("someone_elses");
	plan_ok(NULL);
	assert_null(pc_plan_find(F->plan, "gone"));
	assert_true(has_warning("orphan: 'gone'"));
	assert_false(has_warning("someone_elses"));
}

static void test_plan_prune__orphan_dropped_with_prune(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL, 0, 0 };
	table("kept", "sources", NULL, 0);
	topic("kept");
	orphan_running("gone", "kept");
	plan_ok(&opt);
	assert_int_equal(kind_of("gone"), PC_ACT_DROP);
	assert_true(act_of("gone")->destructive);
	assert_int_equal(step("gone", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_int_equal(step("gone", 1)->kind, PC_STEP_DELETE_STATEMENT);
	assert_int_equal(step("gone", 2)->kind, PC_STEP_DROP_TABLE);
	assert_true(step("gone", 2)->teardown);
	assert_int_equal(F->plan->summary[PC_ACT_DROP], 1);
}

static void test_plan_prune__orphan_still_read_is_an_error(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL, 0, 0 };
	pc_table *t = table("reader", "facts", NULL, 1);
	pc_vec_push(&t->external_parents, pc_strdup("gone"));
	orphan_running("gone", "x");
	deployed(t, "RUNNING");
	assert_int_equal(plan_with(&opt), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "cannot drop 'gone'"));
	assert_non_null(strstr(pc_error_last(), "'reader' still reads it"));
}

static void test_plan_prune__protected_orphan_is_an_error(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL, 0, 0 };
	orphan_running("gone", "x");
	pc_kv_set(&((pc_statement *)F->stmts.items[F->stmts.len - 1])->labels, PC_LABEL_PROTECT, "true");
	assert_int_equal(plan_with(&opt), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "protected"));
}

static void test_plan_prune__readers_are_dropped_first(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL, 0, 0 };
	orphan_running("o_src", "ext");
	orphan_running("o_sink", "o_src");
	plan_ok(&opt);
	assert_int_equal(kind_of("o_src"), PC_ACT_DROP);
	assert_int_equal(act_of("o_src")->teardown_after.len, 1);
	assert_string_equal(act_of("o_src")->teardown_after.items[0], "o_sink");
	assert_true(act_of("o_src")->wave > act_of("o_sink")->wave);
}

/* ---- pools ---- */

static void test_plan_pool__resolution_order(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_plan_options opt = { NULL, 0, 0, 0, 0, "lfcp-flag", 0, 0 };

	/* nothing anywhere: the provider's default */
	plan_ok(NULL);
	assert_null(act_of("orders")->compute_pool);
	assert_string_equal(act_of("orders")->pool_source, "provider default");

	/* compute_pools.create: a setup step creates pipectl's pool */
	F->cfg.pools_create = 1;
	plan_ok(NULL);
	assert_int_equal(F->plan->setup.len, 1);
	assert_int_equal(((pc_step *)F->plan->setup.items[0])->kind, PC_STEP_CREATE_POOL);
	assert_string_equal(((pc_step *)F->plan->setup.items[0])->pool_display_name, "dev-pipectl");
	assert_string_equal(act_of("orders")->pool_source, "created");
	assert_string_equal(step("orders", 1)->pool_display_name, "dev-pipectl");

	/* configured default beats creating one */
	F->cfg.flink_compute_pool_id = pc_strdup("lfcp-default");
	plan_ok(NULL);
	assert_int_equal(F->plan->setup.len, 0);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-default");

	/* --compute-pool beats the default */
	plan_ok(&opt);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-flag");
	assert_string_equal(step("orders", 0)->compute_pool, "lfcp-flag");

	/* table.yaml beats the flag */
	t->compute_pool = pc_strdup("lfcp-yaml");
	plan_ok(&opt);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-yaml");
	assert_string_equal(act_of("orders")->pool_source, "table.yaml");
}

static void test_plan_pool__current_statement_beats_default(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "STOPPED");
	F->cfg.flink_compute_pool_id = pc_strdup("lfcp-default");
	plan_ok(NULL);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-cur");
	assert_string_equal(act_of("orders")->pool_source, "current statement");
}

static void test_plan_pool__flag_does_not_move_running_statements(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_plan_options opt = { NULL, 0, 0, 0, 0, "lfcp-flag", 0, 0 };
	deployed(t, "RUNNING");
	plan_ok(&opt);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
}

static void test_plan_pool__noops_never_create_a_pool(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	deployed(src, "RUNNING");
	F->cfg.pools_create = 1;
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_NOOP);
	assert_int_equal(F->plan->setup.len, 0);
	assert_false(pc_plan_has_changes(F->plan));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_dml_only__rebuild_becomes_restart_with_warning),
		T(test_plan_force__rebuilds_only_selected_and_cascades),
		T(test_plan_protect__rebuild_of_protected_table_is_an_error),
		T(test_plan_active_false__no_action_even_when_changed),
		T(test_plan_external__missing_topic_is_an_error_naming_the_reader),
		T(test_plan_external__present_topic_plans),
		T(test_plan_select__each_form),
		T(test_plan_select__unknown_table_is_a_usage_error),
		T(test_plan_select__absent_or_stopped_ancestors_are_brought_in),
		T(test_plan_prune__orphan_reported_without_prune),
		T(test_plan_prune__orphan_dropped_with_prune),
		T(test_plan_prune__orphan_still_read_is_an_error),
		T(test_plan_prune__protected_orphan_is_an_error),
		T(test_plan_prune__readers_are_dropped_first),
		T(test_plan_pool__resolution_order),
		T(test_plan_pool__current_statement_beats_default),
		T(test_plan_pool__noops_never_create_a_pool),
		T(test_plan_pool__flag_does_not_move_running_statements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
