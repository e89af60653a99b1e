/*
 * Unit tests for the rules table of docs/reconcile.md (src/reconcile/plan_decide.c),
 * row by row, on projects and actual states built by hand; cascades and views.
 */
#include "plan_fixture.h"

#include "reconcile/journal.h"

/* ---- rules table rows ---- */

static void test_plan_rule__absent_table_is_created_ddl_then_dml(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	(void)t;
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_CREATE);
	assert_string_equal(act_of("orders")->reason, "table absent");
	assert_int_equal(act_of("orders")->steps.len, 2);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("orders", 0)->sql, "CREATE TABLE orders (id INT)");
	assert_true(pc_naming_valid(step("orders", 0)->statement));
	assert_int_equal(step("orders", 1)->kind, PC_STEP_CREATE_DML);
	assert_true(step("orders", 1)->from_earliest);
	assert_null(step("orders", 1)->carry_from);
	assert_string_equal(pc_kv_get(&step("orders", 1)->labels, PC_LABEL_DDL_FP), t->ddl_fingerprint);
	assert_int_equal(F->plan->summary[PC_ACT_CREATE], 1);
	assert_true(pc_plan_has_changes(F->plan));
}

static void test_plan_rule__unchanged_running_is_noop(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "RUNNING");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
	assert_int_equal(act_of("orders")->steps.len, 0);
	assert_false(pc_plan_has_changes(F->plan));
}

static void test_plan_rule__dml_in_an_unknown_phase_is_left_alone_with_a_warning(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "HIBERNATING");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
	assert_int_equal(act_of("orders")->steps.len, 0);
	assert_non_null(strstr(act_of("orders")->reason, "HIBERNATING"));
	assert_true(has_warning(st->name));
	assert_true(has_warning("which pipectl does not know"));
}

static void test_plan_rule__stopped_dml_is_resumed(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "STOPPED");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_int_equal(act_of("orders")->steps.len, 1);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_RESUME_STATEMENT);
	assert_string_equal(step("orders", 0)->statement, st->name);
	assert_string_equal(act_of("orders")->pool_source, "current statement");
}

static void test_plan_rule__failed_eligible_dml_restarts_carrying_offsets(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "FAILED");
	char *old = pc_strdup(st->name);
	pc_kv_set(&st->latest_offsets, "src", "partition:0,offset:10");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("orders", 0)->carry_from, old);
	assert_string_equal(pc_kv_get(&step("orders", 0)->properties, PC_PROP_CARRY_OVER), old);
	assert_string_not_equal(step("orders", 0)->statement, old);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_DELETE_STATEMENT);
	free(old);
}

static void test_plan_rule__failed_eligible_dml_without_offsets_rebuilds(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "FAILED");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("orders")->reason, "offsets are unknown"));
}

static void test_plan_rule__missing_stateful_dml_rebuilds_with_the_operator(void **state)
{
	(void)state;
	pc_table *t = table("agg", "facts", NULL, 1);
	stateful(t, "GROUP BY", 7);
	topic("agg");
	ddl_stmt(t);
	plan_ok(NULL);
	assert_int_equal(kind_of("agg"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("agg")->reason, "DML missing"));
	assert_non_null(strstr(act_of("agg")->reason, "GROUP BY at pipelines/facts/agg/sql-scripts/dml.agg.sql:7"));
	assert_true(act_of("agg")->destructive);
	/* no DML to stop: drop, DDL, DML */
	assert_int_equal(step("agg", 0)->kind, PC_STEP_DROP_TABLE);
	assert_string_equal(step("agg", 0)->sql, "DROP TABLE IF EXISTS `agg`");
	assert_true(step("agg", 0)->teardown);
	assert_int_equal(step("agg", 1)->kind, PC_STEP_RUN_DDL);
	assert_false(step("agg", 1)->teardown);
}

static void test_plan_rule__changed_stateless_dml_is_replaced_children_untouched(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	chain(&src, &mid, &leaf);
	deployed(src, "RUNNING");
	pc_statement *old = deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_REPLACE_DML);
	assert_int_equal(kind_of("leaf"), PC_ACT_NOOP);
	assert_int_equal(kind_of("src"), PC_ACT_NOOP);
	assert_int_equal(step("mid", 0)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("mid", 0)->carry_from, old->name);
	assert_false(step("mid", 0)->wait);
	assert_false(step("mid", 0)->from_earliest);
	assert_int_equal(step("mid", 1)->kind, PC_STEP_STOP_STATEMENT);
	assert_string_equal(step("mid", 1)->statement, old->name);
	assert_false(step("mid", 1)->teardown);
	assert_int_equal(step("mid", 2)->kind, PC_STEP_DELETE_STATEMENT);
	assert_false(act_of("mid")->destructive);
}

static void test_plan_rule__changed_stateful_dml_rebuilds_and_cascades(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	chain(&src, &mid, &leaf);
	stateful(mid, "regular join", 3);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_NOOP);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("mid")->reason, "regular join at"));
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_string_equal(act_of("leaf")->forced_by, "mid");
	assert_non_null(strstr(act_of("leaf")->reason, "parent 'mid' is rebuilt"));
	/* a DML once its parents exist, a drop once its children are stopped */
	assert_int_equal(act_of("leaf")->depends_on.len, 1);
	assert_string_equal(act_of("leaf")->depends_on.items[0], "mid");
	assert_int_equal(act_of("mid")->teardown_after.len, 1);
	assert_string_equal(act_of("mid")->teardown_after.items[0], "leaf");
	/* the waves (docs/reconcile.md): leaf's DML waits only for mid's table, so no extra round */
	assert_int_equal(act_of("mid")->wave, 0);
	assert_int_equal(act_of("leaf")->wave, 0);
	/* stop, delete, drop, ddl, dml */
	assert_int_equal(act_of("mid")->steps.len, 5);
	assert_int_equal(step("mid", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_int_equal(step("mid", 1)->kind, PC_STEP_DELETE_STATEMENT);
	assert_int_equal(step("mid", 2)->kind, PC_STEP_DROP_TABLE);
	assert_int_equal(step("mid", 3)->kind, PC_STEP_RUN_DDL);
	assert_int_equal(step("mid", 4)->kind, PC_STEP_CREATE_DML);
	assert_true(step("mid", 4)->from_earliest);
}

static void test_plan_rule__cascade_reaches_unselected_descendants(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	const char *sel[] = { "mid" };
	pc_plan_options opt = { sel, 1, 0, 0, 0, NULL, 0, 0 };
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 2);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(&opt);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_true(act_of("mid")->selected);
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_false(act_of("leaf")->selected);
	assert_null(pc_plan_find(F->plan, "src"));
}

static void test_plan_rule__ddl_change_rebuilds_even_when_ddl_statement_expired(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	topic("orders");
	dml_stmt(t, "RUNNING", NULL); /* the DDL statement is gone: the DML label remembers */
	set_fp(t->ddl_fingerprint, "d2");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_string_equal(act_of("orders")->reason, "DDL changed");
}

static void test_plan_rule__ddl_only_table_with_expired_ddl_says_it_cannot_be_compared(void **state)
{
	(void)state;
	char *why = NULL;
	pc_table *t = table("ref", "sources", NULL, 0);
	topic("ref");
	plan_ok(NULL);
	assert_int_equal(kind_of("ref"), PC_ACT_NOOP);
	assert_non_null(strstr(act_of("ref")->reason, "cannot be compared"));
	assert_true(has_warning("'ref': its DDL cannot be compared with git"));
	/* never "in sync" without evidence */
	assert_int_equal(pc_actual_table_in_sync(F->act, t, &why), 0);
	assert_non_null(strstr(why, "cannot be compared"));
	free(why);
}

static void test_plan_rule__pool_change_only_stops_then_resumes(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "RUNNING");
	t->compute_pool = pc_strdup("lfcp-new");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_non_null(strstr(act_of("orders")->reason, "lfcp-cur -> lfcp-new"));
	assert_int_equal(step("orders", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_false(step("orders", 0)->teardown);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_RESUME_STATEMENT);
	assert_string_equal(step("orders", 1)->statement, st->name);
	assert_string_equal(step("orders", 1)->compute_pool, "lfcp-new");
}

static void test_plan_rule__property_change_is_a_new_statement_carrying_offsets(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *old = deployed(t, "RUNNING");
	pc_kv_set(&t->properties, "sql.state-ttl", "1 d");
	plan_ok(NULL);
	/* properties are immutable on Confluent: never a PUT of new properties */
	assert_int_equal(kind_of("orders"), PC_ACT_REPLACE_DML);
	assert_non_null(strstr(act_of("orders")->reason, "properties changed"));
	assert_int_equal(step("orders", 0)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("orders", 0)->carry_from, old->name);
	assert_string_equal(pc_kv_get(&step("orders", 0)->properties, "sql.state-ttl"), "1 d");
	assert_non_null(pc_kv_get(&step("orders", 0)->labels, PC_LABEL_FP));
	for (size_t i = 0; i < act_of("orders")->steps.len; i++)
		assert_int_not_equal(step("orders", i)->kind, PC_STEP_RESUME_STATEMENT);
}

static void test_plan_rule__property_change_of_a_stateful_dml_rebuilds(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "RUNNING");
	stateful(t, "GROUP BY", 3);
	pc_kv_set(&t->properties, "sql.state-ttl", "1 d");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("orders")->reason, "properties changed"));
}

static void test_plan_rule__two_live_dmls_stop_the_extra_one(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *old = deployed(t, "RUNNING");
	pc_statement *dup = dml_stmt(t, "RUNNING", "1");
	(void)dup;
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	/* the newest is kept, the older one stopped and deleted */
	assert_int_equal(step("orders", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_string_equal(step("orders", 0)->statement, old->name);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_DELETE_STATEMENT);
}

static void test_plan_rule__created_parent_rebuilds_existing_child(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	chain(&src, &mid, &leaf);
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	/* src's topic is gone */
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_CREATE);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_string_equal(act_of("mid")->forced_by, "src");
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
}

static void test_plan_rule__rebuild_of_unchanged_dml_gets_a_fresh_name(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "RUNNING");
	const char *sel[] = { "orders" };
	pc_plan_options opt = { sel, 1, 0, 1, 0, NULL, 0, 0 };
	plan_ok(&opt);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_string_equal(act_of("orders")->reason, "--force");
	const pc_step *dml = step("orders", 4);
	assert_int_equal(dml->kind, PC_STEP_CREATE_DML);
	assert_string_not_equal(dml->statement, st->name);
	assert_true(pc_naming_valid(dml->statement));
	/* the DDL is unchanged too: its statement needs a new name as well */
	assert_int_equal(step("orders", 3)->kind, PC_STEP_RUN_DDL);
	assert_null(pc_actual_stmt_get(F->act, step("orders", 3)->statement));
}

static void test_plan_rule__changed_upsert_dml_rebuilds_naming_the_sink(void **state)
{
	(void)state;
	pc_table *t = table("latest", "facts", NULL, 1);
	t->upsert = 1;
	deployed(t, "RUNNING");
	set_fp(t->dml_fingerprint, "m2");
	plan_ok(NULL);
	assert_int_equal(kind_of("latest"), PC_ACT_REBUILD);
	assert_string_equal(act_of("latest")->reason,
			    "DML changed; upsert sink: offsets cannot be carried over, reprocess from earliest");
}

/* ---- views ---- */

/* A view over `over`: its DDL is analysed for real (CREATE VIEW). */
static pc_table *view(const char *name, pc_table *over)
{
	char sql[128];
	pc_table *v = table(name, "views", NULL, 0);
	pc_sql_file_free(v->ddl);
	snprintf(sql, sizeof(sql), "CREATE VIEW %s AS SELECT id FROM %s", name, over->name);
	assert_int_equal(pc_sql_analyze(&v->ddl, v->ddl_path, sql, strlen(sql)), 0);
	edge(over, v);
	return v;
}

static void test_plan_view__absent_view_is_dropped_if_exists_then_created(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	(void)v;
	deployed(src, "RUNNING");
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_CREATE);
	assert_int_equal(act_of("v_src")->steps.len, 2);
	assert_int_equal(step("v_src", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("v_src", 0)->sql, "DROP VIEW IF EXISTS `v_src`");
	assert_int_equal(step("v_src", 1)->kind, PC_STEP_RUN_DDL);
	assert_non_null(strstr(step("v_src", 1)->sql, "CREATE VIEW v_src"));
	assert_false(act_of("v_src")->destructive);
}

/* wave: a view's DDL reads its source, so it waits one round for a source the plan creates */
static void test_plan_view__a_view_over_a_created_table_is_one_wave_later(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	pc_table *rd = table("reader", "facts", NULL, 1);
	edge(src, rd);
	(void)v;
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_CREATE);
	assert_int_equal(act_of("src")->wave, 0);
	assert_int_equal(act_of("v_src")->wave, 1);
	assert_int_equal(act_of("reader")->wave, 0); /* a DML waits only for its input to exist */
}

static void test_plan_view__existing_view_is_noop_and_needs_no_topic(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	deployed(src, "RUNNING");
	ddl_stmt(v); /* COMPLETED, no topic */
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_NOOP);
	int in;
	char *r = sync_reason(v, &in);
	assert_true(in);
	assert_null(r);
}

static void test_plan_view__changed_view_rebuilds_and_its_readers_too(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	pc_table *rd = table("reader", "facts", NULL, 1);
	edge(v, rd);
	deployed(src, "RUNNING");
	ddl_stmt(v);
	deployed(rd, "RUNNING");
	set_fp(v->ddl_fingerprint, "d2");
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_REBUILD);
	assert_string_equal(act_of("v_src")->reason, "view definition changed");
	assert_int_equal(kind_of("reader"), PC_ACT_REBUILD);
}

static void test_plan_view__expired_view_is_created_without_cascade(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	pc_table *rd = table("reader", "facts", NULL, 1);
	edge(v, rd);
	deployed(src, "RUNNING");
	deployed(rd, "RUNNING"); /* the view's DDL statement expired */
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_CREATE);
	assert_int_equal(kind_of("reader"), PC_ACT_NOOP);
}

/* ---- finishing an interrupted run: the journal ---- */

/* The journal an interrupted `create` of t left, naming its DDL and DML statements. */
static void journal_of_create(const pc_table *t, const char *ddl, const char *dml)
{
	char fp[33];
	pc_journal *j = pc_journal_new("dev-pc-journal-0000000a", "2026-01-01T00:00:00Z");
	pc_statement *st;
	pc_table_dml_fp(t, fp);
	pc_journal_add_action(j, t->name, "create", dml);
	pc_journal_add_name(j, PC_NAME_DDL, t->name, t->ddl_fingerprint, ddl);
	pc_journal_add_name(j, PC_NAME_DML, t->name, fp, dml);
	st = stmt("dev-pc-journal-0000000a-1-of-1", "COMPLETED");
	pc_vec sqls = PC_VEC_INIT;
	assert_int_equal(pc_journal_sql_parts(&sqls, j, "dev-pc-journal-0000000a", PC_JOURNAL_PART_MAX), 0);
	assert_int_equal(sqls.len, 1);
	st->sql = sqls.items[0];
	pc_vec_dispose(&sqls, NULL);
	pc_journal_free(j);
}

static void test_plan_journal__a_create_killed_after_its_ddl_only_starts_its_dml(void **state)
{
	(void)state;
	char fp[33];
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *ddl;
	char *dml;
	topic("orders");
	ddl = ddl_stmt(t);
	pc_table_dml_fp(t, fp);
	dml = pc_naming_statement("dev", PC_NAME_DML, t->name, fp, "7");
	journal_of_create(t, ddl->name, dml);
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_CREATE);
	assert_non_null(strstr(act_of("orders")->reason, "finishing the create of an interrupted run"));
	/* the DDL the run made is adopted (no DROP), the DML gets the name the run gave it */
	for (size_t i = 0; i < act_of("orders")->steps.len; i++)
		assert_int_not_equal(step("orders", i)->kind, PC_STEP_DROP_TABLE);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("orders", 0)->statement, ddl->name);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("orders", 1)->statement, dml);
	assert_true(step("orders", 1)->from_earliest);
	assert_true(has_warning("an interrupted run left journal 'dev-pc-journal-0000000a'"));
	assert_int_equal(F->plan->journals.len, 1);
	free(dml);
}

/*
 * A child whose DDL ran in the DDL wave while its parent's DDL failed (the
 * run's journal stays): the parent is created now, which would force the
 * child's rebuild, but no DML of the child ever read the parent: the create
 * is finished, nothing dropped.
 */
static void test_plan_journal__a_child_skipped_after_its_ddl_is_finished_not_rebuilt(void **state)
{
	(void)state;
	char fp[33];
	pc_table *src = table("src", "sources", NULL, 1);
	pc_table *mid = table("mid", "facts", NULL, 1);
	pc_statement *ddl;
	char *dml;
	edge(src, mid);
	topic("mid");
	ddl = ddl_stmt(mid);
	pc_table_dml_fp(mid, fp);
	dml = pc_naming_statement("dev", PC_NAME_DML, mid->name, fp, "7");
	journal_of_create(mid, ddl->name, dml);
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_CREATE);
	assert_int_equal(kind_of("mid"), PC_ACT_CREATE);
	assert_non_null(strstr(act_of("mid")->reason, "finishing the create of an interrupted run"));
	assert_null(act_of("mid")->forced_by);
	assert_false(act_of("mid")->destructive);
	for (size_t i = 0; i < act_of("mid")->steps.len; i++)
		assert_int_not_equal(step("mid", i)->kind, PC_STEP_DROP_TABLE);
	assert_string_equal(act_of("mid")->depends_on.items[0], "src");
	free(dml);
}

/* The same with a DML of the child there: it read the parent's old topic, so it rebuilds. */
static void test_plan_journal__a_child_whose_dml_ran_rebuilds_with_its_new_parent(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 1);
	pc_table *mid = table("mid", "facts", NULL, 1);
	pc_statement *ddl, *d;
	edge(src, mid);
	topic("mid");
	ddl = ddl_stmt(mid);
	d = dml_stmt(mid, "RUNNING", "7");
	journal_of_create(mid, ddl->name, d->name);
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_CREATE);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_string_equal(act_of("mid")->forced_by, "src");
}

/*
 * A rebuild cascade killed after the parent's DROP and DDL and the child's
 * new DML (the waves create the child's DML once the parent's new table
 * exists, before the parent's own DML): the rerun adopts the parent's DROP
 * and DDL, and the child, whose DML the same run created over that new
 * table, is not rebuilt a second time.
 */
static void test_plan_journal__a_child_rebuilt_over_the_runs_new_parent_is_not_rebuilt_again(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	pc_statement *drop, *ddl, *leaf_dml;
	pc_journal *j;
	char fp[33], dfp[33], *mid_dml, *drop_name;
	const char *drop_sql = "DROP TABLE IF EXISTS `mid`";
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 1);
	deployed(src, NULL);
	topic("mid");
	ddl_stmt(mid); /* the old DDL */
	assert_int_equal(pc_sql_fingerprint(dfp, drop_sql, strlen(drop_sql)), 0);
	drop_name = pc_naming_statement("dev", PC_NAME_DROP, "mid", dfp, NULL);
	drop = stmt(drop_name, "COMPLETED");
	drop->sql = pc_strdup(drop_sql);
	pc_naming_labels(&drop->labels, PC_NAME_DROP, "mid", dfp, NULL, NULL);
	set_fp(mid->ddl_fingerprint, "d2");
	ddl = ddl_stmt(mid); /* the killed run's new DDL, after its DROP */
	pc_table_dml_fp(mid, fp);
	mid_dml = pc_naming_statement("dev", PC_NAME_DML, "mid", fp, "9");
	topic("leaf");
	ddl_stmt(leaf);
	leaf_dml = dml_stmt(leaf, "RUNNING", "9"); /* the killed run's new DML of the child */
	j = pc_journal_new("dev-pc-journal-0000000c", "2026-01-01T00:00:00Z");
	pc_journal_add_action(j, "mid", "rebuild", mid_dml);
	pc_journal_add_name(j, PC_NAME_DROP, "mid", dfp, drop_name);
	pc_journal_add_name(j, PC_NAME_DDL, "mid", mid->ddl_fingerprint, ddl->name);
	pc_journal_add_name(j, PC_NAME_DML, "mid", fp, mid_dml);
	pc_journal_add_action(j, "leaf", "rebuild", leaf_dml->name);
	{
		pc_vec sqls = PC_VEC_INIT;
		assert_int_equal(pc_journal_sql_parts(&sqls, j, "dev-pc-journal-0000000c", PC_JOURNAL_PART_MAX), 0);
		assert_int_equal(sqls.len, 1);
		stmt("dev-pc-journal-0000000c-1-of-1", "COMPLETED")->sql = sqls.items[0];
		pc_vec_dispose(&sqls, NULL);
	}
	pc_journal_free(j);
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	for (size_t i = 0; i < act_of("mid")->steps.len; i++) {
		const pc_step *st = step("mid", i);
		if (st->kind == PC_STEP_DROP_TABLE)
			assert_string_equal(st->statement, drop_name); /* adopted: never dropped twice */
		if (st->kind == PC_STEP_RUN_DDL)
			assert_string_equal(st->statement, ddl->name);
	}
	assert_int_equal(kind_of("leaf"), PC_ACT_NOOP);
	free(mid_dml);
	free(drop_name);
}

/* Killed between its DML's create and RUNNING (the waves create every DML early): the rerun waits for it. */
static void test_plan_journal__a_create_killed_before_its_dml_ran_waits_for_it(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *ddl, *pending;
	topic("orders");
	ddl = ddl_stmt(t);
	pending = dml_stmt(t, "PENDING", "7");
	journal_of_create(t, ddl->name, pending->name);
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_non_null(strstr(act_of("orders")->reason, "an interrupted run created its DML"));
	assert_int_equal(act_of("orders")->steps.len, 1);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("orders", 0)->statement, pending->name); /* adopted: the executor waits */
}

/* The same PENDING DML without a journal: live, nothing to do (the next plan sees how it ends). */
static void test_plan_journal__a_pending_dml_without_a_journal_is_left_alone(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	topic("orders");
	ddl_stmt(t);
	dml_stmt(t, "PENDING", "7");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
}

static void test_plan_journal__without_it_a_missing_dml_rebuilds(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	topic("orders");
	ddl_stmt(t);
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_int_equal(F->plan->journals.len, 0);
}

static void test_plan_journal__a_failed_statement_is_never_adopted(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *ddl, *failed;
	topic("orders");
	ddl = ddl_stmt(t);
	failed = dml_stmt(t, "FAILED", "7");
	journal_of_create(t, ddl->name, failed->name);
	plan_ok(NULL);
	/* the run's DML FAILED: a fresh table and a fresh name are the exact way */
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	for (size_t i = 0; i < act_of("orders")->steps.len; i++) {
		const pc_step *s = step("orders", i);
		if (s->kind == PC_STEP_RUN_DDL)
			assert_string_not_equal(s->statement, ddl->name);
		if (s->kind == PC_STEP_CREATE_DML)
			assert_string_not_equal(s->statement, failed->name);
	}
}

/*
 * The journal of an interrupted create of t written in small parts (several),
 * each a statement; with keep_last 0 its last part is not there. The count.
 */
static size_t journal_parts_of_create(const pc_table *t, const char *ddl, const char *dml, int keep_last)
{
	char fp[33];
	pc_journal *j = pc_journal_new("dev-pc-journal-0000000c", "2026-01-01T00:00:00Z");
	pc_vec sqls = PC_VEC_INIT;
	size_t n;
	pc_table_dml_fp(t, fp);
	pc_journal_add_action(j, t->name, "create", dml);
	pc_journal_add_name(j, PC_NAME_DDL, t->name, t->ddl_fingerprint, ddl);
	pc_journal_add_name(j, PC_NAME_DML, t->name, fp, dml);
	assert_int_equal(pc_journal_sql_parts(&sqls, j, "dev-pc-journal-0000000c", 300), 0);
	n = sqls.len;
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		char *name = pc_journal_part_name("dev-pc-journal-0000000c", (int)i + 1, (int)n);
		if (keep_last || i + 1 < n)
			stmt(name, "COMPLETED")->sql = sqls.items[i];
		else
			free(sqls.items[i]);
		free(name);
	}
	pc_vec_dispose(&sqls, NULL);
	pc_journal_free(j);
	return n;
}

static void test_plan_journal__a_journal_in_parts_is_read_whole(void **state)
{
	(void)state;
	char fp[33];
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *ddl;
	char *dml;
	size_t n;
	topic("orders");
	ddl = ddl_stmt(t);
	pc_table_dml_fp(t, fp);
	dml = pc_naming_statement("dev", PC_NAME_DML, t->name, fp, "7");
	n = journal_parts_of_create(t, ddl->name, dml, 1);
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_CREATE);
	assert_non_null(strstr(act_of("orders")->reason, "finishing the create of an interrupted run"));
	assert_string_equal(step("orders", 1)->statement, dml);
	assert_true(has_warning("an interrupted run left journal 'dev-pc-journal-0000000c'"));
	/* a successful apply deletes every part */
	assert_int_equal(F->plan->journals.len, n);
	free(dml);
}

static void test_plan_journal__a_journal_missing_a_part_is_not_read_and_is_deleted(void **state)
{
	(void)state;
	char fp[33];
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *ddl;
	char *dml;
	size_t n;
	topic("orders");
	ddl = ddl_stmt(t);
	pc_table_dml_fp(t, fp);
	dml = pc_naming_statement("dev", PC_NAME_DML, t->name, fp, "7");
	n = journal_parts_of_create(t, ddl->name, dml, 0);
	plan_ok(NULL);
	/* that run started no action: nothing of it is adopted, the plan is the one without a journal */
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_false(has_warning("an interrupted run left journal"));
	assert_true(has_warning("is part of a journal whose other parts are missing: that run started no action"));
	assert_int_equal(F->plan->journals.len, n - 1);
	free(dml);
}

static void test_plan_journal__an_unreadable_journal_stops_the_plan(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st;
	deployed(t, "RUNNING");
	st = stmt("dev-pc-journal-0000000b", "COMPLETED");
	st->sql = pc_strdup("SHOW TABLES /* pipectl-journal {\"v\":9} */");
	assert_int_equal(plan_with(NULL), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "dev-pc-journal-0000000b"));
	assert_non_null(strstr(pc_error_last(), "what the interrupted run did is unknown"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_rule__absent_table_is_created_ddl_then_dml),
		T(test_plan_journal__a_create_killed_before_its_dml_ran_waits_for_it),
		T(test_plan_journal__a_child_skipped_after_its_ddl_is_finished_not_rebuilt),
		T(test_plan_journal__a_child_whose_dml_ran_rebuilds_with_its_new_parent),
		T(test_plan_journal__a_child_rebuilt_over_the_runs_new_parent_is_not_rebuilt_again),
		T(test_plan_journal__a_pending_dml_without_a_journal_is_left_alone),
		T(test_plan_view__a_view_over_a_created_table_is_one_wave_later),
		T(test_plan_rule__unchanged_running_is_noop),
		T(test_plan_rule__dml_in_an_unknown_phase_is_left_alone_with_a_warning),
		T(test_plan_rule__stopped_dml_is_resumed),
		T(test_plan_rule__failed_eligible_dml_restarts_carrying_offsets),
		T(test_plan_rule__failed_eligible_dml_without_offsets_rebuilds),
		T(test_plan_rule__missing_stateful_dml_rebuilds_with_the_operator),
		T(test_plan_rule__changed_stateless_dml_is_replaced_children_untouched),
		T(test_plan_rule__changed_stateful_dml_rebuilds_and_cascades),
		T(test_plan_rule__cascade_reaches_unselected_descendants),
		T(test_plan_rule__ddl_change_rebuilds_even_when_ddl_statement_expired),
		T(test_plan_rule__ddl_only_table_with_expired_ddl_says_it_cannot_be_compared),
		T(test_plan_rule__pool_change_only_stops_then_resumes),
		T(test_plan_rule__property_change_is_a_new_statement_carrying_offsets),
		T(test_plan_rule__property_change_of_a_stateful_dml_rebuilds),
		T(test_plan_rule__two_live_dmls_stop_the_extra_one),
		T(test_plan_rule__created_parent_rebuilds_existing_child),
		T(test_plan_rule__rebuild_of_unchanged_dml_gets_a_fresh_name),
		T(test_plan_rule__changed_upsert_dml_rebuilds_naming_the_sink),
		T(test_plan_view__absent_view_is_dropped_if_exists_then_created),
		T(test_plan_view__existing_view_is_noop_and_needs_no_topic),
		T(test_plan_view__changed_view_rebuilds_and_its_readers_too),
		T(test_plan_view__expired_view_is_created_without_cascade),
		T(test_plan_journal__a_create_killed_after_its_ddl_only_starts_its_dml),
		T(test_plan_journal__without_it_a_missing_dml_rebuilds),
		T(test_plan_journal__a_failed_statement_is_never_adopted),
		T(test_plan_journal__an_unreadable_journal_stops_the_plan),
		T(test_plan_journal__a_journal_in_parts_is_read_whole),
		T(test_plan_journal__a_journal_missing_a_part_is_not_read_and_is_deleted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
