/*
 * Unit tests for blue/green planning (src/reconcile/plan_bluegreen.c and
 * its hooks in plan_decide.c / plan_steps.c): which tables get a green
 * version, under which physical names, with which SQL, and what is never
 * touched (blue).
 */
#include "plan_fixture.h"

#include "reconcile/destroy.h"
#include "reconcile/versions.h"

static pc_plan_options BG = { NULL, 0, 0, 0, 0, NULL, 0, 1 };

/* src (DDL only) -> mid -> leaf, and other (an unimpacted sibling reading src); SQL reads the real parents. */
static void pipeline(pc_table **src, pc_table **mid, pc_table **leaf, pc_table **other)
{
	*src = table("src", "sources", NULL, 0);
	*mid = table("mid", "intermediates", NULL, 1);
	*leaf = table("leaf", "facts", NULL, 1);
	*other = table("other", "facts", NULL, 1);
	edge(*src, *mid);
	edge(*mid, *leaf);
	edge(*src, *other);
	fake_sql_free((*mid)->dml);
	(*mid)->dml = fake_sql((*mid)->dml_path, "INSERT INTO mid SELECT id FROM src WHERE id > 0");
	fake_sql_free((*leaf)->dml);
	(*leaf)->dml = fake_sql((*leaf)->dml_path, "INSERT INTO leaf SELECT mid.id FROM mid");
	fake_sql_free((*other)->dml);
	(*other)->dml = fake_sql((*other)->dml_path, "INSERT INTO other SELECT id FROM src");
}

/* t as pipectl deploys it under a physical name reading the given parent names: topic, DDL, DML. */
static pc_statement *deployed_as(const pc_table *t, const char *physical, const char *phase, const char *reads)
{
	char fp[33];
	char *name;
	pc_statement *st;

	topic(physical);
	name = pc_naming_statement("dev", PC_NAME_DDL, physical, t->ddl_fingerprint, NULL);
	st = stmt(name, "COMPLETED");
	st->sql = pc_sprintf("CREATE TABLE %s (id INT)", physical);
	pc_naming_labels(&st->labels, PC_NAME_DDL, physical, t->ddl_fingerprint, NULL, NULL);
	free(name);
	if (!t->dml)
		return NULL;
	pc_table_dml_fp(t, fp);
	name = pc_naming_statement("dev", PC_NAME_DML, physical, fp, NULL);
	st = stmt(name, phase);
	st->sql = pc_sprintf("INSERT INTO %s SELECT id FROM %s", physical, reads);
	st->compute_pool_id = pc_strdup("lfcp-cur");
	pc_naming_labels(&st->labels, PC_NAME_DML, physical, fp, t->dml_fingerprint, t->ddl_fingerprint);
	free(name);
	return st;
}

/* The whole pipeline deployed as v1. */
static void deploy_v1(pc_table *src, pc_table *mid, pc_table *leaf, pc_table *other)
{
	deployed_as(src, "src", "RUNNING", "");
	deployed_as(mid, "mid", "RUNNING", "src");
	deployed_as(leaf, "leaf", "RUNNING", "mid");
	deployed_as(other, "other", "RUNNING", "src");
}

/* A stateful change to t's DML (not carry-over eligible: the in-place rules rebuild it). */
static void stateful_change(pc_table *t)
{
	stateful(t, "GROUP BY", 3);
	set_fp(t->dml_fingerprint, "m2");
}

/* The table is left as it is (no action, or a noop without steps). */
static void assert_left_alone(const char *table)
{
	const pc_action *a = pc_plan_find(F->plan, table);
	if (a && (a->kind != PC_ACT_NOOP || a->steps.len))
		fail_msg("'%s' is %s: %s", table, pc_action_kind_str(a->kind), a->reason);
}

/* No step of the plan names a statement or table of physical (blue is never touched). */
static void assert_untouched(const char *physical)
{
	for (size_t i = 0; i < F->plan->actions.len; i++) {
		const pc_action *a = F->plan->actions.items[i];
		for (size_t k = 0; k < a->steps.len; k++) {
			const pc_step *s = a->steps.items[k];
			if (s->table && !strcmp(s->table, physical))
				fail_msg("step %zu of '%s' (%s) acts on '%s'", k, a->table, pc_step_kind_str(s->kind),
					 physical);
			if (s->statement && strstr(s->statement, "-pc-") &&
			    pc_actual_stmt_get(F->act, s->statement) &&
			    !strcmp(((const pc_actual_stmt *)pc_actual_stmt_get(F->act, s->statement))->table, physical))
				fail_msg("step %zu of '%s' acts on statement '%s' of '%s'", k, a->table, s->statement,
					 physical);
		}
	}
}

static void test_bg__stateful_change_makes_green_versions_of_it_and_its_descendants_only(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	stateful_change(mid);
	plan_ok(&BG);

	const pc_action *m = act_of("mid"), *l = act_of("leaf");
	assert_int_equal(m->kind, PC_ACT_CREATE);
	assert_int_equal(m->green, 2);
	assert_string_equal(m->physical, "mid_v2");
	assert_string_equal(m->blue, "mid");
	assert_null(m->retires);
	assert_false(m->destructive);
	assert_non_null(strstr(m->reason, "GROUP BY"));
	/* DDL and DML under the green name; the unchanged parent is read as it is */
	assert_int_equal(m->steps.len, 2);
	assert_string_equal(step("mid", 0)->sql, "CREATE TABLE mid_v2 (id INT)");
	assert_string_equal(step("mid", 0)->table, "mid_v2");
	assert_non_null(strstr(step("mid", 0)->statement, "-mid-v2-"));
	assert_string_equal(step("mid", 1)->sql, "INSERT INTO mid_v2 SELECT id FROM src WHERE id > 0");
	assert_true(step("mid", 1)->from_earliest);
	assert_string_equal(pc_kv_get(&step("mid", 1)->labels, PC_LABEL_TABLE_NAME), "mid_v2");
	/* labels record git's fingerprints, not the rewritten text's */
	assert_string_equal(pc_kv_get(&step("mid", 1)->labels, PC_LABEL_SQL_FP), mid->dml_fingerprint);

	/* the child follows its green parent, whatever its own strategy */
	assert_int_equal(l->kind, PC_ACT_CREATE);
	assert_int_equal(l->green, 2);
	assert_string_equal(l->physical, "leaf_v2");
	assert_string_equal(l->forced_by, "mid");
	assert_string_equal(step("leaf", 1)->sql, "INSERT INTO leaf_v2 SELECT mid_v2.id FROM mid_v2");
	assert_int_equal(pc_vec_find_str(&l->depends_on, "mid"), 0);

	/* nothing else: the sibling and the source are not in the plan or noops */
	assert_left_alone("other");
	assert_left_alone("src");
	assert_untouched("mid");
	assert_untouched("leaf");
	assert_int_equal(F->plan->greens, 2);
	assert_int_equal(F->plan->extra_running, 2);
	assert_int_equal(F->plan->summary[PC_ACT_REBUILD], 0);
}

static void test_bg__in_place_rules_still_rebuild_without_the_option(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	stateful_change(mid);
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_int_equal(act_of("mid")->green, 0);
	assert_string_equal(act_of("mid")->physical, "mid");
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_int_equal(F->plan->greens, 0);
}

static void test_bg__stateless_change_stays_replace_dml_in_place(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	set_fp(mid->dml_fingerprint, "m2"); /* stateless, append-only */
	plan_ok(&BG);
	assert_int_equal(kind_of("mid"), PC_ACT_REPLACE_DML);
	assert_int_equal(act_of("mid")->green, 0);
	assert_left_alone("leaf");
	assert_int_equal(F->plan->greens, 0);
}

static void test_bg__strategy_from_pipectl_yaml_and_table_yaml(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	stateful_change(mid);
	F->cfg.blue_green = 1;
	plan_ok(NULL);
	assert_int_equal(act_of("mid")->green, 2);
	assert_int_equal(act_of("leaf")->green, 2);
	/* table.yaml strategy: in-place wins for the table's own rebuild; its child follows it in place */
	mid->strategy = PC_STRATEGY_IN_PLACE;
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_int_equal(act_of("leaf")->green, 0);
	/* and table.yaml strategy: blue-green without the project's */
	F->cfg.blue_green = 0;
	mid->strategy = PC_STRATEGY_BLUE_GREEN;
	plan_ok(NULL);
	assert_int_equal(act_of("mid")->green, 2);
	assert_int_equal(act_of("leaf")->green, 2);
}

/* mid and leaf have a green v2 beside blue v1 (a blue/green apply done, not promoted). */
static void deploy_pair(pc_table *src, pc_table *mid, pc_table *leaf, pc_table *other)
{
	deploy_v1(src, mid, leaf, other);
	deployed_as(mid, "mid_v2", "RUNNING", "src");
	deployed_as(leaf, "leaf_v2", "RUNNING", "mid_v2");
}

static void test_bg__a_pair_in_sync_is_noop_on_green(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_pair(src, mid, leaf, other);
	plan_ok(NULL);
	assert_false(pc_plan_has_changes(F->plan));
	assert_left_alone("mid");
	const char *sel[] = { "mid+" };
	pc_plan_options o = { sel, 1, 0, 0, 0, NULL, 0, 0 };
	plan_ok(&o);
	assert_int_equal(kind_of("mid"), PC_ACT_NOOP);
	assert_string_equal(act_of("mid")->physical, "mid_v2");
	assert_int_equal(act_of("mid")->green, 2);
	assert_string_equal(act_of("mid")->blue, "mid");
}

static void test_bg__a_new_change_updates_green_in_place_when_it_may(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_pair(src, mid, leaf, other);
	set_fp(leaf->dml_fingerprint, "m2"); /* stateless change of the green child */
	plan_ok(NULL);
	const pc_action *l = act_of("leaf");
	assert_int_equal(l->kind, PC_ACT_REPLACE_DML);
	assert_string_equal(l->physical, "leaf_v2");
	assert_int_equal(l->green, 2);
	assert_string_equal(l->blue, "leaf");
	/* the new statement writes the green table and reads the green parent */
	assert_string_equal(step("leaf", 0)->sql, "INSERT INTO leaf_v2 SELECT mid_v2.id FROM mid_v2");
	assert_non_null(strstr(step("leaf", 0)->carry_from, "-leaf-v2-"));
	assert_untouched("leaf");
	assert_untouched("mid");
}

static void test_bg__a_change_that_cannot_update_green_makes_v3_retiring_v2(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_pair(src, mid, leaf, other);
	stateful_change(mid);
	plan_ok(NULL); /* no --blue-green: a pair exists, so never rebuild in place, never touch blue */
	const pc_action *m = act_of("mid"), *l = act_of("leaf");
	assert_int_equal(m->kind, PC_ACT_CREATE);
	assert_int_equal(m->green, 3);
	assert_string_equal(m->physical, "mid_v3");
	assert_string_equal(m->blue, "mid");
	assert_string_equal(m->retires, "mid_v2");
	assert_true(m->destructive);
	assert_string_equal(l->physical, "leaf_v3");
	assert_string_equal(l->retires, "leaf_v2");
	/* the superseded green is torn down (children first), then v3 is built */
	assert_int_equal(pc_vec_find_str(&m->teardown_after, "leaf"), 0);
	int saw_drop = 0;
	for (size_t k = 0; k < m->steps.len; k++) {
		const pc_step *s = m->steps.items[k];
		if (s->kind == PC_STEP_DROP_TABLE) {
			assert_string_equal(s->table, "mid_v2");
			assert_true(s->teardown);
			saw_drop = 1;
		}
		if (s->kind == PC_STEP_CREATE_DML)
			assert_string_equal(s->sql, "INSERT INTO mid_v3 SELECT id FROM src WHERE id > 0");
	}
	assert_true(saw_drop);
	assert_string_equal(step("leaf", l->steps.len - 1)->sql, "INSERT INTO leaf_v3 SELECT mid_v3.id FROM mid_v3");
	assert_untouched("mid");
	assert_untouched("leaf");
}

/* After promote: only v2 remains; it is simply the current table. */
static void deploy_promoted(pc_table *src, pc_table *mid, pc_table *leaf, pc_table *other)
{
	deployed_as(src, "src", "RUNNING", "");
	deployed_as(other, "other", "RUNNING", "src");
	deployed_as(mid, "mid_v2", "RUNNING", "src");
	deployed_as(leaf, "leaf_v2", "RUNNING", "mid_v2");
	/* blue's leftovers: completed DROPs, no topics */
	stmt("dev-pc-drop-mid-0a1b2c3d", "COMPLETED")->sql = pc_strdup("DROP TABLE IF EXISTS `mid`");
	stmt("dev-pc-drop-leaf-0a1b2c3d", "COMPLETED")->sql = pc_strdup("DROP TABLE IF EXISTS `leaf`");
}

static void test_bg__after_promote_v2_is_current_and_the_next_green_is_v3(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_promoted(src, mid, leaf, other);
	plan_ok(NULL);
	assert_false(pc_plan_has_changes(F->plan));
	assert_left_alone("mid"); /* v2 in sync: no orphan, nothing to do */
	assert_int_equal(F->plan->warnings.len, 0);

	stateful_change(mid);
	plan_ok(&BG);
	assert_string_equal(act_of("mid")->physical, "mid_v3");
	assert_string_equal(act_of("mid")->blue, "mid_v2");
	assert_null(act_of("mid")->retires);
	assert_string_equal(act_of("leaf")->physical, "leaf_v3");
	assert_string_equal(act_of("leaf")->blue, "leaf_v2");
	assert_string_equal(step("leaf", 1)->sql, "INSERT INTO leaf_v3 SELECT mid_v3.id FROM mid_v3");
	assert_untouched("mid_v2");
	assert_untouched("leaf_v2");

	/* in place, the current version is rebuilt under its own name, read by its children there */
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_string_equal(act_of("mid")->physical, "mid_v2");
	for (size_t k = 0; k < act_of("mid")->steps.len; k++) {
		const pc_step *s = step("mid", k);
		assert_string_equal(s->table, "mid_v2");
		if (s->kind == PC_STEP_RUN_DDL)
			assert_string_equal(s->sql, "CREATE TABLE mid_v2 (id INT)");
	}
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_string_equal(act_of("leaf")->physical, "leaf_v2");
	assert_string_equal(step("leaf", act_of("leaf")->steps.len - 1)->sql,
			    "INSERT INTO leaf_v2 SELECT mid_v2.id FROM mid_v2");
}

static void test_bg__readers_read_the_current_physical_name(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	pc_table *extra = table("extra", "facts", NULL, 1);
	edge(mid, extra);
	fake_sql_free(extra->dml);
	extra->dml = fake_sql(extra->dml_path, "INSERT INTO extra SELECT * FROM `mid` WHERE 'mid' <> ''");
	deploy_promoted(src, mid, leaf, other);
	plan_ok(NULL);
	assert_int_equal(kind_of("extra"), PC_ACT_CREATE);
	assert_string_equal(act_of("extra")->physical, "extra");
	assert_string_equal(step("extra", 1)->sql, "INSERT INTO extra SELECT * FROM `mid_v2` WHERE 'mid' <> ''");
}

static void test_bg__a_child_left_reading_blue_gets_its_green(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	/* an interrupted blue/green apply: mid_v2 made, leaf_v2 never created */
	deploy_v1(src, mid, leaf, other);
	deployed_as(mid, "mid_v2", "RUNNING", "src");
	plan_ok(NULL);
	const pc_action *l = act_of("leaf");
	assert_int_equal(l->kind, PC_ACT_CREATE);
	assert_string_equal(l->physical, "leaf_v2");
	assert_string_equal(l->blue, "leaf");
	assert_non_null(strstr(l->reason, "'mid_v2'"));
	assert_left_alone("other");
	assert_untouched("leaf");
}

static void test_bg__protected_table_is_refused_naming_it(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	stateful_change(mid);
	mid->protect = 1;
	assert_int_equal(plan_with(&BG), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'mid' is protected"));
	assert_non_null(strstr(pc_error_last(), "green 'mid_v2'"));
	assert_non_null(strstr(pc_error_last(), "retire"));
	/* the loop holds it instead, and what reads it with it */
	pc_plan_options held = BG;
	held.hold_refused = 1;
	plan_ok(&held);
	assert_non_null(act_of("mid")->refused);
	assert_int_equal(act_of("mid")->steps.len, 0);
	/* a protected CHILD is refused too: promote would drop its blue */
	mid->protect = 0;
	leaf->protect = 1;
	assert_int_equal(plan_with(&BG), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'leaf' is protected"));
}

static void test_bg__green_name_taken_by_a_git_table_is_refused(void **state)
{
	(void)state;
	pc_table *x = table("x", "intermediates", NULL, 1);
	pc_table *x2 = table("x_v2", "intermediates", NULL, 1);
	deployed_as(x, "x", "RUNNING", "src");
	deployed_as(x2, "x_v2", "RUNNING", "src");
	stateful_change(x);
	assert_int_equal(plan_with(&BG), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'x_v2', which is a table of the project"));
	/* and x_v2 is never an orphan nor a version of x */
	set_fp(x->dml_fingerprint, "m1");
	x->stateful = x->analyzed_stateful = 0;
	plan_ok(NULL);
	assert_false(pc_plan_has_changes(F->plan));
}

static void test_bg__dml_only_wins_with_a_warning(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	stateful_change(mid);
	pc_plan_options o = BG;
	o.dml_only = 1;
	plan_ok(&o);
	assert_int_equal(kind_of("mid"), PC_ACT_RESTART);
	assert_int_equal(act_of("mid")->green, 0);
	assert_true(has_warning("no green version is made"));
}

static void test_bg__versions_are_never_orphans_but_gone_tables_are(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_pair(src, mid, leaf, other);
	deployed_as(other, "gone", "RUNNING", "src");
	deployed_as(other, "gone_v2", "RUNNING", "src");
	pc_plan_options o = { NULL, 0, 0, 0, 1, NULL, 0, 0 };
	plan_ok(&o);
	assert_int_equal(kind_of("gone"), PC_ACT_DROP);
	assert_int_equal(kind_of("gone_v2"), PC_ACT_DROP);
	assert_null(pc_plan_find(F->plan, "mid_v2"));
	assert_null(pc_plan_find(F->plan, "leaf_v2"));
}

static void test_bg__plan_json_round_trips_the_green(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pc_buf b = PC_BUF_INIT;
	pc_plan *back = NULL;
	pipeline(&src, &mid, &leaf, &other);
	deploy_pair(src, mid, leaf, other);
	stateful_change(mid);
	plan_ok(&BG);
	assert_int_equal(pc_plan_write_json(F->plan, &b), 0);
	assert_non_null(strstr(b.ptr, "\"green\": {"));
	assert_non_null(strstr(b.ptr, "\"extra_running_statements\": 2"));
	assert_non_null(strstr(b.ptr, "\"action\": \"create\""));
	assert_int_equal(pc_plan_read_json(&back, b.ptr, b.len), 0);
	const pc_action *m = pc_plan_find(back, "mid");
	assert_non_null(m);
	assert_string_equal(m->physical, "mid_v3");
	assert_int_equal(m->green, 3);
	assert_string_equal(m->blue, "mid");
	assert_string_equal(m->retires, "mid_v2");
	assert_int_equal(back->greens, 2);
	assert_int_equal(back->extra_running, 2);
	assert_true(back->blue_green);
	/* a green that does not parse is refused with the place */
	const char *badj = "{\"format_version\":\"1\",\"state_fingerprint\":\"00000000000000000000000000000000\","
			   "\"actions\":[{\"table\":\"t\",\"action\":\"create\",\"reason\":\"r\",\"green\":{\"physical\":\"t_v2\","
			   "\"version\":1}}]}";
	pc_plan *p2 = NULL;
	assert_int_equal(pc_plan_read_json(&p2, badj, strlen(badj)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "actions[0]"));
	pc_plan_free(back);
	pc_buf_dispose(&b);
}

static void test_bg__destroy_drops_every_version(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_pair(src, mid, leaf, other);
	build_actual();
	const char *sel[] = { "mid+" };
	assert_int_equal(pc_plan_destroy(&F->plan, &F->proj, F->act, sel, 1), 0);
	const char *want[] = { "leaf_v2", "leaf", "mid_v2", "mid" };
	size_t n = 0;
	for (size_t i = 0; i < F->plan->actions.len; i++) {
		const pc_action *a = F->plan->actions.items[i];
		assert_int_equal(a->kind, PC_ACT_DROP);
		for (size_t k = 0; k < a->steps.len; k++) {
			const pc_step *st = a->steps.items[k];
			if (st->kind == PC_STEP_DROP_TABLE) {
				assert_true(n < 4);
				assert_string_equal(st->table, want[n++]);
			}
		}
	}
	assert_int_equal(n, 4);
	assert_string_equal(act_of("mid")->physical, "mid_v2");
}

static void test_bg__a_table_fed_from_outside_is_rebuilt_in_place_with_a_warning(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	set_fp(src->ddl_fingerprint, "d2"); /* the source's schema changed; it has no DML */
	plan_ok(&BG);
	assert_int_equal(kind_of("src"), PC_ACT_REBUILD);
	assert_int_equal(act_of("src")->green, 0);
	assert_true(has_warning("'src' has no DML (it is fed from outside pipectl)"));
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_int_equal(act_of("mid")->green, 0);
}

static void test_bg__a_like_of_a_promoted_table_names_its_current_version(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	pc_table *copy = table("copy", "intermediates", NULL, 0);
	const char *ddl = "CREATE TABLE copy LIKE mid (EXCLUDING ALL)";
	fake_sql_free(copy->ddl);
	copy->ddl = NULL;
	assert_int_equal(pc_sql_analyze(&copy->ddl, copy->ddl_path, ddl, strlen(ddl)), 0);
	deploy_promoted(src, mid, leaf, other);
	plan_ok(NULL);
	assert_int_equal(kind_of("copy"), PC_ACT_CREATE);
	assert_string_equal(step("copy", 0)->sql, "CREATE TABLE copy LIKE mid_v2 (EXCLUDING ALL)");
}

static void test_bg__sql_that_cannot_be_rewritten_fails_the_plan(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf, *other;
	pipeline(&src, &mid, &leaf, &other);
	deploy_v1(src, mid, leaf, other);
	stateful_change(mid);
	fake_sql_free(leaf->dml);
	leaf->dml = fake_sql(leaf->dml_path, "INSERT INTO leaf SELECT 'unterminated FROM mid");
	/* never the git names under a version (a green writing blue): the plan stops */
	assert_int_equal(plan_with(&BG), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "cannot rewrite the SQL of 'leaf' for 'leaf_v2'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bg__stateful_change_makes_green_versions_of_it_and_its_descendants_only),
		T(test_bg__in_place_rules_still_rebuild_without_the_option),
		T(test_bg__stateless_change_stays_replace_dml_in_place),
		T(test_bg__strategy_from_pipectl_yaml_and_table_yaml),
		T(test_bg__a_pair_in_sync_is_noop_on_green),
		T(test_bg__a_new_change_updates_green_in_place_when_it_may),
		T(test_bg__a_change_that_cannot_update_green_makes_v3_retiring_v2),
		T(test_bg__after_promote_v2_is_current_and_the_next_green_is_v3),
		T(test_bg__readers_read_the_current_physical_name),
		T(test_bg__a_child_left_reading_blue_gets_its_green),
		T(test_bg__protected_table_is_refused_naming_it),
		T(test_bg__green_name_taken_by_a_git_table_is_refused),
		T(test_bg__dml_only_wins_with_a_warning),
		T(test_bg__versions_are_never_orphans_but_gone_tables_are),
		T(test_bg__plan_json_round_trips_the_green),
		T(test_bg__destroy_drops_every_version),
		T(test_bg__sql_that_cannot_be_rewritten_fails_the_plan),
		T(test_bg__a_like_of_a_promoted_table_names_its_current_version),
		T(test_bg__a_table_fed_from_outside_is_rebuilt_in_place_with_a_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
