/*
 * Unit tests for src/reconcile/retire.c: the plans of promote and rollback
 * on a hand-built project and snapshot (plan_fixture.h).
 *
 *   src -> mid -> leaf        mid and leaf have a blue and a green version
 *      \-> other              other has one version
 */
#include "plan_fixture.h"

#include "reconcile/journal.h"
#include "reconcile/retire.h"

static pc_table *SRC, *MID, *LEAF, *OTHER;

/* One physical version of t: topic, DDL, DML (phase) that reads `reads`. */
static pc_statement *version(const pc_table *t, const char *phys, const char *phase, const char *reads)
{
	char fp[33], *name, *sql;
	pc_statement *st;

	topic(phys);
	sql = pc_sprintf("CREATE TABLE %s (id INT)", phys);
	name = pc_naming_statement("dev", PC_NAME_DDL, phys, t->ddl_fingerprint, NULL);
	st = stmt(name, "COMPLETED");
	st->sql = sql;
	pc_naming_labels(&st->labels, PC_NAME_DDL, phys, t->ddl_fingerprint, NULL, NULL);
	free(name);
	if (!t->dml)
		return NULL;
	set_fp(fp, phys);
	name = pc_naming_statement("dev", PC_NAME_DML, phys, fp, NULL);
	st = stmt(name, phase);
	st->sql = pc_sprintf("INSERT INTO `%s` SELECT id FROM %s", phys, reads);
	st->compute_pool_id = pc_strdup("lfcp-cur");
	pc_naming_labels(&st->labels, PC_NAME_DML, phys, fp, fp, t->ddl_fingerprint);
	free(name);
	return st;
}

static void project(void)
{
	SRC = table("src", "sources", "p", 0);
	MID = table("mid", "intermediates", "p", 1);
	LEAF = table("leaf", "facts", "p", 1);
	OTHER = table("other", "facts", "p", 1);
	edge(SRC, MID);
	edge(MID, LEAF);
	edge(SRC, OTHER);
}

/* Everything serves; mid and leaf have greens in green_phase. */
static void pairs(const char *green_phase)
{
	project();
	version(SRC, "src", "RUNNING", "");
	version(MID, "mid", "RUNNING", "src");
	version(LEAF, "leaf", "RUNNING", "mid");
	version(OTHER, "other", "RUNNING", "src");
	version(MID, "mid_v2", "RUNNING", "src");
	version(LEAF, "leaf_v2", green_phase, "mid_v2");
	build_actual();
}

static int retire(pc_retire_kind kind, const char *sel)
{
	const char *sels[] = { sel };
	pc_plan_free(F->plan);
	F->plan = NULL;
	return pc_plan_retire(&F->plan, &F->proj, F->act, kind, sels, 1);
}

static void expect_refused(pc_retire_kind kind, const char *sel, const char *needle)
{
	int rc = retire(kind, sel);
	assert_int_equal(rc, PC_EINVALID);
	assert_null(F->plan);
	if (!strstr(pc_error_last(), needle))
		fail_msg("refusal '%s' does not say '%s'", pc_error_last(), needle);
}

static size_t n_steps(const char *table, pc_step_kind kind)
{
	const pc_action *a = act_of(table);
	size_t n = 0;
	for (size_t i = 0; i < a->steps.len; i++)
		n += ((const pc_step *)a->steps.items[i])->kind == kind;
	return n;
}

/* promote mid+: the blue versions go, readers first, with stop, delete and drop. */
static void test_promote_retires_blue(void **state)
{
	(void)state;
	pairs("RUNNING");
	assert_int_equal(retire(PC_RETIRE_PROMOTE, "mid+"), 0);
	assert_string_equal(F->plan->command, "promote");
	assert_int_equal(F->plan->actions.len, 2);
	assert_int_equal(kind_of("mid"), PC_ACT_DROP);
	assert_int_equal(kind_of("leaf"), PC_ACT_DROP);
	assert_null(pc_plan_find(F->plan, "mid_v2"));
	assert_null(pc_plan_find(F->plan, "leaf_v2"));
	assert_null(pc_plan_find(F->plan, "other"));
	assert_int_equal(n_steps("mid", PC_STEP_STOP_STATEMENT), 1);
	assert_int_equal(n_steps("mid", PC_STEP_DELETE_STATEMENT), 1);
	assert_int_equal(n_steps("mid", PC_STEP_DROP_TABLE), 1);
	assert_string_equal(step("mid", 2)->table, "mid");
	assert_true(act_of("mid")->destructive);
	/* leaf (which reads mid) goes first */
	assert_int_equal(act_of("mid")->teardown_after.len, 1);
	assert_string_equal(act_of("mid")->teardown_after.items[0], "leaf");
	assert_int_equal(act_of("mid")->wave, 1);
	assert_int_equal(act_of("leaf")->wave, 0);
	assert_string_equal(act_of("mid")->reason, "promote: retire blue; green 'mid_v2' serves");
	assert_int_equal(F->plan->summary[PC_ACT_DROP], 2);
}

/* rollback mid+: the greens go, the blues are untouched. */
static void test_rollback_retires_green(void **state)
{
	(void)state;
	pairs("FAILED");
	assert_int_equal(retire(PC_RETIRE_ROLLBACK, "mid+"), 0);
	assert_string_equal(F->plan->command, "rollback");
	assert_int_equal(F->plan->actions.len, 2);
	assert_int_equal(kind_of("mid_v2"), PC_ACT_DROP);
	assert_int_equal(kind_of("leaf_v2"), PC_ACT_DROP);
	assert_null(pc_plan_find(F->plan, "mid"));
	/* a FAILED statement is not stopped, only deleted */
	assert_int_equal(n_steps("leaf_v2", PC_STEP_STOP_STATEMENT), 0);
	assert_int_equal(n_steps("leaf_v2", PC_STEP_DELETE_STATEMENT), 1);
	assert_string_equal(act_of("mid_v2")->teardown_after.items[0], "leaf_v2");
	assert_string_equal(act_of("leaf_v2")->reason, "rollback: retire green; blue 'leaf' keeps serving");
}

static void test_split_subgraph_refused(void **state)
{
	(void)state;
	pairs("RUNNING");
	expect_refused(PC_RETIRE_PROMOTE, "mid", "cannot promote 'mid' without 'leaf'");
	expect_refused(PC_RETIRE_ROLLBACK, "leaf", "cannot rollback 'leaf' without 'mid'");
}

static void test_promote_needs_running_green(void **state)
{
	(void)state;
	pairs("FAILED");
	expect_refused(PC_RETIRE_PROMOTE, "mid+", "cannot promote 'leaf': its green 'leaf_v2' is FAILED");
}

static void test_promote_pending_refused(void **state)
{
	(void)state;
	pairs("PENDING");
	expect_refused(PC_RETIRE_PROMOTE, "mid+", "its green 'leaf_v2' is PENDING");
}

static void test_nothing_to_retire(void **state)
{
	(void)state;
	pairs("RUNNING");
	expect_refused(PC_RETIRE_ROLLBACK, "other", "nothing to roll back: no green version of 'other'");
	expect_refused(PC_RETIRE_PROMOTE, "src", "nothing to promote: no green version of 'src'");
	/* with something to do, a selected table without green is a warning */
	assert_int_equal(retire(PC_RETIRE_PROMOTE, "+leaf"), 0);
	assert_true(has_warning("no green version, left as they are: 'src'"));
}

static void test_unknown_selector(void **state)
{
	(void)state;
	pairs("RUNNING");
	assert_int_equal(retire(PC_RETIRE_PROMOTE, "nope"), PC_EUSAGE);
	assert_int_equal(pc_plan_retire(&F->plan, &F->proj, F->act, PC_RETIRE_PROMOTE, NULL, 0), PC_EUSAGE);
}

static void test_protected_refused(void **state)
{
	(void)state;
	pairs("RUNNING");
	LEAF->protect = 1;
	expect_refused(PC_RETIRE_PROMOTE, "mid+", "cannot promote 'leaf': it is protected");
	expect_refused(PC_RETIRE_ROLLBACK, "mid+", "cannot rollback 'leaf': it is protected");
}

/* A statement that stays and reads what would go: refused, naming both. */
static void test_reader_left_behind(void **state)
{
	(void)state;
	project();
	version(SRC, "src", "RUNNING", "");
	version(MID, "mid", "RUNNING", "src");
	version(LEAF, "leaf", "RUNNING", "mid");
	version(OTHER, "other", "RUNNING", "mid"); /* reads blue mid, has no green */
	version(MID, "mid_v2", "RUNNING", "src");
	version(LEAF, "leaf_v2", "RUNNING", "mid_v2");
	build_actual();
	expect_refused(PC_RETIRE_PROMOTE, "mid+", "'other' still reads 'mid'");
	/* rollback of mid+ leaves blue mid: fine */
	assert_int_equal(retire(PC_RETIRE_ROLLBACK, "mid+"), 0);
}

/* Three versions: promote keeps the highest; rollback keeps the lowest. */
static void test_three_versions(void **state)
{
	(void)state;
	project();
	version(SRC, "src", "RUNNING", "");
	version(MID, "mid_v2", "RUNNING", "src");
	version(MID, "mid_v3", "RUNNING", "src");
	version(MID, "mid_v10", "RUNNING", "src");
	version(LEAF, "leaf", "RUNNING", "mid_v10");
	version(OTHER, "other", "RUNNING", "src");
	build_actual();
	assert_int_equal(retire(PC_RETIRE_PROMOTE, "mid"), 0);
	assert_int_equal(F->plan->actions.len, 2);
	assert_non_null(pc_plan_find(F->plan, "mid_v2"));
	assert_non_null(pc_plan_find(F->plan, "mid_v3"));
	assert_string_equal(act_of("mid_v3")->reason, "promote: retire superseded; green 'mid_v10' serves");
	/* leaf reads mid_v10: rolling mid back would leave it reading a retired table */
	expect_refused(PC_RETIRE_ROLLBACK, "mid", "'leaf' still reads 'mid_v10'");
}

/* The loop's --auto-promote: only subgraphs whose greens all run. */
static void test_promote_ready(void **state)
{
	pc_vec waiting = PC_VEC_INIT;
	(void)state;
	pairs("PENDING");
	assert_int_equal(pc_retire_count_green(&F->proj, F->act), 2);
	assert_int_equal(pc_plan_promote_ready(&F->plan, &F->proj, F->act, &waiting), 0);
	assert_null(F->plan);
	assert_int_equal(waiting.len, 1);
	assert_non_null(strstr(waiting.items[0], "mid, leaf: 'leaf': its green 'leaf_v2' is PENDING"));
	pc_vec_dispose(&waiting, free);
}

static void test_promote_ready_all_running(void **state)
{
	pc_vec waiting = PC_VEC_INIT;
	(void)state;
	pairs("RUNNING");
	assert_int_equal(pc_plan_promote_ready(&F->plan, &F->proj, F->act, &waiting), 0);
	assert_non_null(F->plan);
	assert_int_equal(waiting.len, 0);
	assert_int_equal(F->plan->actions.len, 2);
	assert_string_equal(F->plan->command, "promote");
	pc_vec_dispose(&waiting, free);
}

/* A saved plan keeps its command; a plan file with another command is refused. */
static void test_plan_file_command(void **state)
{
	pc_buf b = PC_BUF_INIT;
	pc_plan *back = NULL;
	char *bad;
	(void)state;
	pairs("RUNNING");
	assert_int_equal(retire(PC_RETIRE_ROLLBACK, "mid+"), 0);
	assert_int_equal(pc_plan_write_json(F->plan, &b), 0);
	assert_int_equal(pc_plan_read_json(&back, b.ptr, b.len), 0);
	assert_string_equal(back->command, "rollback");
	assert_int_equal(back->actions.len, 2);
	pc_plan_free(back);
	back = NULL;
	bad = strstr(b.ptr, "\"command\": \"rollback\"");
	if (!bad)
		bad = strstr(b.ptr, "\"command\":\"rollback\"");
	assert_non_null(bad);
	memcpy(strstr(bad, "rollback"), "rollbakk", 8);
	assert_int_equal(pc_plan_read_json(&back, b.ptr, b.len), PC_EINVALID);
	assert_null(back);
	pc_buf_dispose(&b);
}


/* An interrupted run's journal: (kind, table, statement) names and one action. */
static void journal(const char *seed, const char *action_table, const char *action_kind, const char *const *names,
		    size_t n)
{
	char *name = pc_journal_make_name("dev", seed), *part = pc_journal_part_name(name, 1, 1);
	pc_journal *j = pc_journal_new(name, "2026-01-01T00:00:00Z");
	pc_statement *st = stmt(part, "COMPLETED");
	pc_vec sqls = PC_VEC_INIT;
	pc_journal_add_action(j, action_table, action_kind, NULL);
	for (size_t i = 0; i + 1 < n; i += 2)
		pc_journal_add_name(j, PC_NAME_DDL, names[i], "", names[i + 1]);
	assert_int_equal(pc_journal_sql_parts(&sqls, j, name, PC_JOURNAL_PART_MAX), 0);
	assert_int_equal(sqls.len, 1);
	st->sql = sqls.items[0];
	pc_vec_dispose(&sqls, NULL);
	pc_journal_free(j);
	free(part);
	free(name);
}

static size_t act_journals(void)
{
	return F->act->journals.len;
}

static int plan_finishes(size_t i)
{
	return i < F->plan->journals.len;
}

/*
 * A rollback takes over the journal of an interrupted apply whose green it
 * retires (else a later plan would adopt that run's DDL name for a table
 * the rollback dropped); a promote, which keeps that green, does not.
 */
static void test_journals_made_moot(void **state)
{
	static const char *const names[] = { "mid_v2", "dev-pc-ddl-mid-v2-00000001", "leaf_v2", "dev-pc-ddl-leaf-v2-00000002" };
	(void)state;
	project();
	version(SRC, "src", "RUNNING", "");
	version(MID, "mid", "RUNNING", "src");
	version(LEAF, "leaf", "RUNNING", "mid");
	version(OTHER, "other", "RUNNING", "src");
	version(MID, "mid_v2", "RUNNING", "src");
	version(LEAF, "leaf_v2", "RUNNING", "mid_v2");
	journal("a", "mid", "create", names, 4);
	build_actual();
	assert_int_equal(act_journals(), 1);
	assert_int_equal(retire(PC_RETIRE_ROLLBACK, "mid+"), 0);
	assert_true(plan_finishes(0));
	assert_int_equal(F->plan->journals.len, 1);
	assert_int_equal(retire(PC_RETIRE_PROMOTE, "mid+"), 0);
	assert_int_equal(F->plan->journals.len, 0);
}

/* A journal about another table that is present is never taken. */
static void test_journal_of_another_table_kept(void **state)
{
	static const char *const other[] = { "other", "dev-pc-ddl-other-00000003" };
	(void)state;
	project();
	version(SRC, "src", "RUNNING", "");
	version(MID, "mid", "RUNNING", "src");
	version(LEAF, "leaf", "RUNNING", "mid");
	version(OTHER, "other", "RUNNING", "src");
	version(MID, "mid_v2", "RUNNING", "src");
	version(LEAF, "leaf_v2", "RUNNING", "mid_v2");
	journal("b", "other", "rebuild", other, 2);
	build_actual();
	assert_int_equal(retire(PC_RETIRE_ROLLBACK, "mid+"), 0);
	assert_int_equal(F->plan->journals.len, 0);
}

/* An interrupted promote: its reader was retired (DROP done, table gone), the rerun finishes it and its journal. */
static void test_journal_of_interrupted_promote(void **state)
{
	static const char *const names[] = { "leaf", "dev-pc-drop-leaf-00000004", "mid", "dev-pc-drop-mid-00000005" };
	(void)state;
	project();
	version(SRC, "src", "RUNNING", "");
	version(MID, "mid", "STOPPED", "src");
	version(OTHER, "other", "RUNNING", "src");
	version(MID, "mid_v2", "RUNNING", "src");
	version(LEAF, "leaf_v2", "RUNNING", "mid_v2");
	stmt("dev-pc-drop-leaf-00000004", "COMPLETED")->sql = pc_strdup("DROP TABLE IF EXISTS `leaf`");
	stmt("dev-pc-drop-mid-00000005", "PENDING")->sql = pc_strdup("DROP TABLE IF EXISTS `mid`");
	journal("c", "leaf", "drop", names, 4);
	build_actual();
	assert_int_equal(retire(PC_RETIRE_PROMOTE, "mid"), 0);
	assert_int_equal(F->plan->actions.len, 1);
	assert_int_equal(kind_of("mid"), PC_ACT_DROP);
	assert_int_equal(F->plan->journals.len, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_promote_retires_blue),   T(test_rollback_retires_green), T(test_split_subgraph_refused),
		T(test_promote_needs_running_green), T(test_promote_pending_refused), T(test_nothing_to_retire),
		T(test_unknown_selector),       T(test_protected_refused),      T(test_reader_left_behind),
		T(test_three_versions),         T(test_promote_ready),          T(test_promote_ready_all_running),
		T(test_plan_file_command),      T(test_journals_made_moot),     T(test_journal_of_another_table_kept),
		T(test_journal_of_interrupted_promote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
