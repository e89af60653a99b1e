/*
 * Unit tests for src/reconcile/adopt (and the `adopt:` key of table.yaml):
 * which table an unmanaged statement writes, found by its SQL; what import
 * finds (equal, differences, two writers, unanalyzable SQL); the adoption
 * applied to a snapshot and planned (noop, replace-dml from the adopted
 * statement, the stale key); never a second writer; table.yaml rewritten
 * with other keys and comments kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "reconcile/actual.h"
#include "reconcile/adopt.h"
#include "reconcile/plan.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
	pc_project *proj;
	pc_vec stmts;  /* pc_statement * until built */
	pc_vec topics;
	pc_actual *act;
	int clock;
} fx;

static fx *F;

static char *read_fixture(const char *table, const char *kind)
{
	static const char *const folders[][2] = {
		{ "src_c360_users", "sources/c360/src_users" },
		{ "src_c360_groups", "sources/c360/src_groups" },
		{ "int_c360_user_group", "intermediates/c360/user_group" },
		{ "fct_c360_users_per_group", "facts/c360/users_per_group" },
	};
	char *path = NULL, *text = NULL;
	size_t len, i;
	for (i = 0; i < 4; i++)
		if (!strcmp(folders[i][0], table))
			path = pc_sprintf("%s/tests/fixtures/projects/shift_left/pipelines/%s/sql-scripts/%s.%s.sql",
					  PC_SOURCE_DIR, folders[i][1], kind, table);
	assert_non_null(path);
	assert_int_equal(pc_fs_read(&text, &len, path), 0);
	free(path);
	return text;
}

static int setup(void **state)
{
	char *root = pc_sprintf("%s/tests/fixtures/projects/shift_left", PC_SOURCE_DIR);
	F = PC_NEW(fx);
	assert_int_equal(pc_project_load(&F->proj, root, NULL), 0);
	assert_int_equal(F->proj->n_errors, 0);
	free(root);
	*state = F;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pc_actual_free(F->act);
	pc_vec_dispose(&F->stmts, pc_statement_free);
	pc_vec_dispose(&F->topics, pc_topic_free);
	pc_project_free(F->proj);
	free(F);
	F = NULL;
	return 0;
}

static pc_statement *stmt(const char *name, const char *sql, const char *phase)
{
	pc_statement *st = PC_NEW(pc_statement);
	st->name = pc_strdup(name);
	st->sql = pc_strdup(sql);
	st->phase = pc_strdup(phase);
	st->ph = pc_phase_classify(phase);
	st->created_at = pc_sprintf("2026-11-30T00:00:%02dZ", F->clock++);
	st->compute_pool_id = pc_strdup("lfcp-1");
	pc_vec_push(&F->stmts, st);
	return st;
}

static void topic(const char *name)
{
	pc_topic *t = PC_NEW(pc_topic);
	t->name = pc_strdup(name);
	pc_vec_push(&F->topics, t);
}

/* shift_left's deployment: topics, DDLs COMPLETED, DMLs RUNNING, its names, no labels. */
static void shift_left(void)
{
	static const char *const tables[] = { "src_c360_users", "src_c360_groups", "int_c360_user_group",
					       "fct_c360_users_per_group" };
	topic("raw_users");
	topic("raw_groups");
	for (size_t i = 0; i < 4; i++) {
		char *ddl = read_fixture(tables[i], "ddl"), *dml = read_fixture(tables[i], "dml");
		char *dashed = pc_strdup(tables[i]);
		for (char *p = dashed; *p; p++)
			if (*p == '_')
				*p = '-';
		char *n1 = pc_sprintf("dev-usw2-c360-ddl-%s", dashed), *n2 = pc_sprintf("dev-usw2-c360-dml-%s", dashed);
		topic(tables[i]);
		stmt(n1, ddl, "COMPLETED");
		stmt(n2, dml, "RUNNING");
		free(ddl);
		free(dml);
		free(dashed);
		free(n1);
		free(n2);
	}
}

static void build(void)
{
	assert_int_equal(pc_actual_build(&F->act, "dev", &F->stmts, &F->topics, NULL), 0);
}

static void adopt_key(const char *table, const char *stmt_name)
{
	pc_table *t = pc_project_table(F->proj, table);
	assert_non_null(t);
	free(t->adopt);
	t->adopt = pc_strdup(stmt_name);
	t->adopt_line = 1;
}

static const pc_action *action_of(const pc_plan *p, const char *table)
{
	for (size_t i = 0; i < p->actions.len; i++) {
		const pc_action *a = p->actions.items[i];
		if (!strcmp(a->table, table))
			return a;
	}
	return NULL;
}

/* ---- what import finds ---- */

static void test_find_equal(void **state)
{
	pc_adopt_scan *sc = NULL;
	pc_vec found = PC_VEC_INIT;
	(void)state;
	shift_left();
	stmt("dev-usw2-odd", "SELEC 1 FORM t", "FAILED");
	build();
	assert_int_equal(pc_adopt_scan_build(&sc, F->act), 0);
	assert_int_equal(sc->skipped.len, 1);
	assert_non_null(strstr(sc->skipped.items[0], "statement 'dev-usw2-odd' (FAILED): its SQL cannot be analyzed"));
	assert_int_equal(pc_adopt_find(&found, F->proj, F->act, sc, NULL, 0), 0);
	assert_int_equal(found.len, 4);
	for (size_t i = 0; i < found.len; i++) {
		const pc_adoption *d = found.items[i];
		assert_int_equal(d->verdict, PC_ADOPT_TAKE);
		assert_string_equal(d->why, "fingerprint equal");
		assert_non_null(strstr(d->dml->st->name, "-dml-"));
		assert_non_null(strstr(d->ddl_note, "equal"));
	}
	pc_vec_dispose(&found, pc_adoption_free);
	pc_adopt_scan_free(sc);
}

static void test_find_differences_and_two_writers(void **state)
{
	pc_adopt_scan *sc = NULL;
	pc_vec found = PC_VEC_INIT;
	const char *sels[] = { "src_c360_groups" };
	(void)state;
	topic("raw_groups");
	topic("src_c360_groups");
	stmt("team-a-groups", "INSERT INTO src_c360_groups SELECT group_id, group_name FROM raw_groups WHERE 1 = 1;",
	     "STOPPED");
	build();
	assert_int_equal(pc_adopt_scan_build(&sc, F->act), 0);
	assert_int_equal(pc_adopt_find(&found, F->proj, F->act, sc, sels, 1), 0);
	assert_int_equal(found.len, 1);
	{
		const pc_adoption *d = found.items[0];
		assert_int_equal(d->verdict, PC_ADOPT_TAKE);
		assert_string_equal(d->dml->st->name, "team-a-groups");
		assert_non_null(strstr(d->why, "SQL differs"));
		assert_non_null(strstr(d->ddl_note, "no DDL statement left"));
	}
	pc_vec_dispose(&found, pc_adoption_free);
	pc_adopt_scan_free(sc);
	pc_actual_free(F->act);
	F->act = NULL;

	/* two unmanaged writers: one error naming both */
	topic("src_c360_groups");
	stmt("team-a-groups", "INSERT INTO src_c360_groups SELECT group_id, group_name FROM raw_groups;", "RUNNING");
	stmt("team-b-groups", "INSERT INTO `it`.`db`.src_c360_groups SELECT group_id, group_name FROM raw_groups;",
	     "PENDING");
	build();
	assert_int_equal(pc_adopt_scan_build(&sc, F->act), 0);
	assert_int_equal(pc_adopt_find(&found, F->proj, F->act, sc, NULL, 0), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "table 'src_c360_groups' is written by two statements pipectl does not "
						"manage, 'team-b-groups' (PENDING) and 'team-a-groups' (RUNNING)"));
	pc_vec_dispose(&found, pc_adoption_free);
	pc_adopt_scan_free(sc);
}

/* ---- adopted: planned as the table's own ---- */

static void test_mark_then_plan(void **state)
{
	pc_plan *plan = NULL;
	const pc_action *a;
	(void)state;
	shift_left();
	build();
	/* without adoption: never a second writer */
	assert_int_equal(pc_plan_compute(&plan, F->proj, F->act, NULL), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "is written by statement 'dev-usw2-c360-dml-"));
	assert_non_null(strstr(pc_error_last(), "--write"));
	/* adopted: in sync, no change */
	adopt_key("src_c360_users", "dev-usw2-c360-dml-src-c360-users");
	adopt_key("src_c360_groups", "dev-usw2-c360-dml-src-c360-groups");
	adopt_key("int_c360_user_group", "dev-usw2-c360-dml-int-c360-user-group");
	adopt_key("fct_c360_users_per_group", "dev-usw2-c360-dml-fct-c360-users-per-group");
	assert_int_equal(pc_adopt_mark(F->act, F->proj), 0);
	assert_int_equal(pc_plan_compute(&plan, F->proj, F->act, NULL), 0);
	assert_int_equal(pc_plan_has_changes(plan), 0);
	assert_int_equal(plan->warnings.len, 0); /* the DDL statements were adopted too */
	for (size_t i = 0; i < F->proj->tables.len; i++) {
		char *why = NULL;
		assert_int_equal(pc_actual_table_in_sync(F->act, F->proj->tables.items[i], &why), 1);
	}
	pc_plan_free(plan);
	plan = NULL;
	/* marking twice changes nothing */
	assert_int_equal(pc_adopt_mark(F->act, F->proj), 0);
	assert_int_equal(pc_actual_table_get(F->act, "src_c360_users")->dmls.len, 1);
	/* a stateless change: replace-dml carrying offsets from the adopted statement */
	{
		pc_table *t = pc_project_table(F->proj, "src_c360_groups");
		memset(t->dml_fingerprint, 'e', 32);
	}
	assert_int_equal(pc_plan_compute(&plan, F->proj, F->act, NULL), 0);
	a = action_of(plan, "src_c360_groups");
	assert_non_null(a);
	assert_int_equal(a->kind, PC_ACT_REPLACE_DML);
	assert_non_null(strstr(a->reason, "carries offsets from 'dev-usw2-c360-dml-src-c360-groups'"));
	assert_int_equal(plan->summary[PC_ACT_REPLACE_DML], 1);
	assert_int_equal(plan->summary[PC_ACT_REBUILD], 0);
	pc_plan_free(plan);
}

static void test_plan_warns_of_a_writer_next_to_an_adopted_one(void **state)
{
	pc_plan *plan = NULL;
	int found = 0;
	(void)state;
	shift_left();
	stmt("team-b-users", "INSERT INTO src_c360_users SELECT user_id, user_name, group_id FROM raw_users;",
	     "STOPPED");
	build();
	adopt_key("src_c360_users", "dev-usw2-c360-dml-src-c360-users");
	adopt_key("src_c360_groups", "dev-usw2-c360-dml-src-c360-groups");
	adopt_key("int_c360_user_group", "dev-usw2-c360-dml-int-c360-user-group");
	adopt_key("fct_c360_users_per_group", "dev-usw2-c360-dml-fct-c360-users-per-group");
	assert_int_equal(pc_adopt_mark(F->act, F->proj), 0);
	assert_int_equal(pc_plan_compute(&plan, F->proj, F->act, NULL), 0);
	assert_int_equal(pc_plan_has_changes(plan), 0);
	for (size_t i = 0; i < plan->warnings.len; i++)
		found += strstr(plan->warnings.items[i], "'src_c360_users' is also written by statement 'team-b-users' "
							 "(STOPPED), which pipectl does not manage") != NULL;
	assert_int_equal(found, 1);
	pc_plan_free(plan);
	/* --force would start a DML next to it: refused */
	{
		const char *sels[] = { "src_c360_users" };
		pc_plan_options o = { 0 };
		o.selectors = sels;
		o.n_selectors = 1;
		o.force = 1;
		assert_int_equal(pc_plan_compute(&plan, F->proj, F->act, &o), PC_EINVALID);
		assert_non_null(strstr(pc_error_last(), "table 'src_c360_users' is written by statement 'team-b-users' "
							"(STOPPED), which pipectl does not manage"));
	}
}

static void test_mark_errors(void **state)
{
	(void)state;
	shift_left();
	build();
	adopt_key("src_c360_users", "dev-usw2-c360-dml-gone");
	assert_int_equal(pc_adopt_mark(F->act, F->proj), PC_ENOTFOUND);
	assert_non_null(strstr(pc_error_last(), "table.yaml:1: adopt: statement 'dev-usw2-c360-dml-gone' does not exist "
						"in the environment (table 'src_c360_users')"));
	adopt_key("src_c360_users", "dev-usw2-c360-dml-src-c360-groups");
	assert_int_equal(pc_adopt_mark(F->act, F->proj), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "does not write table 'src_c360_users' (it writes 'src_c360_groups')"));
}

/* ---- table.yaml ---- */

static void test_yaml_set_adopt(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(pc_table_yaml_set_adopt(&out, "t.yaml", "", 0, "dev-a"), 0);
	assert_string_equal(out, "adopt: dev-a\n");
	free(out);
	const char *y1 = "# team c360\nprotect: true # keep\nproperties:\n  a: b\n";
	assert_int_equal(pc_table_yaml_set_adopt(&out, "t.yaml", y1, strlen(y1), "dev-a"), 0);
	assert_string_equal(out, "# team c360\nprotect: true # keep\nproperties:\n  a: b\nadopt: dev-a\n");
	free(out);
	const char *y2 = "adopt: dev-old\nprotect: false";
	assert_int_equal(pc_table_yaml_set_adopt(&out, "t.yaml", y2, strlen(y2), "dev-new"), 0);
	assert_string_equal(out, "adopt: dev-new\nprotect: false");
	free(out);
	const char *y3 = "{protect: true}\n";
	assert_int_equal(pc_table_yaml_set_adopt(&out, "t.yaml", y3, strlen(y3), "dev-a"), PC_EINVALID);
	assert_null(out);
	assert_non_null(strstr(pc_error_last(), "t.yaml:1: table.yaml is not a block map"));
	assert_int_equal(pc_table_yaml_set_adopt(&out, "t.yaml", "", 0, "Bad_Name"), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'adopt' must name a statement"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_equal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_differences_and_two_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_then_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_warns_of_a_writer_next_to_an_adopted_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_errors, setup, teardown),
		cmocka_unit_test(test_yaml_set_adopt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
