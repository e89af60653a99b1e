/*
 * Unit tests for src/reconcile/destroy.c: the plan of a destroy on a small
 * project read from a temp dir and a hand-built actual state (no HTTP).
 *
 *   src -> mid -> leaf
 *            \--> other
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/naming.h"
#include "model/project.h"
#include "reconcile/actual.h"
#include "reconcile/destroy.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
	char root[64];
	pc_project *proj;
	pc_actual *act;
} fixture;

static void write_file(const char *root, const char *rel, const char *text)
{
	char *path = pc_sprintf("%s/%s", root, rel), *dir = pc_strdup(path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(pc_fs_mkdirs(dir), 0);
	assert_int_equal(pc_fs_write_atomic(path, text, strlen(text)), 0);
	free(path);
	free(dir);
}

static void add_table(const char *root, const char *name, const char *parent, const char *table_yaml)
{
	char *rel = pc_sprintf("pipelines/intermediates/p/%s/sql-scripts/ddl.%s.sql", name, name);
	char *sql = pc_sprintf("CREATE TABLE %s (id INT);\n", name);
	write_file(root, rel, sql);
	free(rel);
	free(sql);
	if (parent) {
		rel = pc_sprintf("pipelines/intermediates/p/%s/sql-scripts/dml.%s.sql", name, name);
		sql = pc_sprintf("INSERT INTO %s SELECT id FROM %s;\n", name, parent);
		write_file(root, rel, sql);
		free(rel);
		free(sql);
	}
	if (table_yaml) {
		rel = pc_sprintf("pipelines/intermediates/p/%s/table.yaml", name);
		write_file(root, rel, table_yaml);
		free(rel);
	}
}

/* What a previous apply left: every table has a topic, every DML runs. */
static void build_actual(fixture *fx)
{
	pc_vec stmts = PC_VEC_INIT, topics = PC_VEC_INIT;
	for (size_t i = 0; i < fx->proj->tables.len; i++) {
		const pc_table *t = fx->proj->tables.items[i];
		pc_topic *tp = PC_NEW(pc_topic);
		tp->name = pc_strdup(t->name);
		tp->partitions = 1;
		pc_vec_push(&topics, tp);
		if (!t->dml)
			continue;
		pc_statement *st = PC_NEW(pc_statement);
		char fp[33];
		pc_table_dml_fp(t, fp);
		st->name = pc_naming_statement("dev", PC_NAME_DML, t->name, fp, NULL);
		st->sql = pc_strdup(t->dml->text);
		pc_statement_set_phase(st, "RUNNING");
		st->resource_version = pc_strdup("1");
		st->is_append_only = -1;
		pc_naming_labels(&st->labels, PC_NAME_DML, t->name, fp, pc_table_dml_sql_fp(t), t->ddl_fingerprint);
		pc_vec_push(&stmts, st);
	}
	assert_int_equal(pc_actual_build(&fx->act, "dev", &stmts, &topics, NULL), 0);
	pc_vec_dispose(&stmts, pc_statement_free);
	pc_vec_dispose(&topics, pc_topic_free);
}

static int setup(void **state)
{
	fixture *fx = PC_NEW(fixture);
	snprintf(fx->root, sizeof fx->root, "/tmp/pc-destroy-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	add_table(fx->root, "src", NULL, NULL);
	add_table(fx->root, "mid", "src", NULL);
	add_table(fx->root, "leaf", "mid", "protect: true\n");
	add_table(fx->root, "other", "mid", NULL);
	assert_int_equal(pc_project_load(&fx->proj, fx->root, NULL), 0);
	assert_int_equal(fx->proj->n_errors, 0);
	build_actual(fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	char *cmd = pc_sprintf("rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	pc_actual_free(fx->act);
	pc_project_free(fx->proj);
	free(fx);
	return 0;
}

static const pc_action *action_of(const pc_plan *p, const char *table)
{
	return pc_plan_find(p, table);
}

static int has_step(const pc_action *a, pc_step_kind k)
{
	for (size_t i = 0; i < a->steps.len; i++)
		if (((const pc_step *)a->steps.items[i])->kind == k)
			return 1;
	return 0;
}

static void test_destroy__a_table_still_read_outside_the_selection_is_kept(void **state)
{
	fixture *fx = *state;
	const char *sels[] = { "mid" };
	pc_plan *p = NULL;

	assert_int_equal(pc_plan_destroy(&p, fx->proj, fx->act, sels, 1), 0);
	assert_false(pc_plan_has_changes(p));
	assert_int_equal(p->warnings.len, 1);
	assert_string_equal(p->warnings.items[0], "kept 'mid': still read by 'leaf', 'other'");
	pc_plan_free(p);
}

static void test_destroy__drops_children_first_and_leaves_the_rest(void **state)
{
	fixture *fx = *state;
	const char *sels[] = { "mid", "other" };
	const pc_action *mid, *other;
	pc_plan *p = NULL;

	/* leaf is not selected: it still reads mid, so mid stays; other goes */
	assert_int_equal(pc_plan_destroy(&p, fx->proj, fx->act, sels, 2), 0);
	other = action_of(p, "other");
	assert_non_null(other);
	assert_int_equal(other->kind, PC_ACT_DROP);
	assert_true(has_step(other, PC_STEP_STOP_STATEMENT));
	assert_true(has_step(other, PC_STEP_DELETE_STATEMENT));
	assert_true(has_step(other, PC_STEP_DROP_TABLE));
	for (size_t i = 0; i < other->steps.len; i++)
		assert_true(((const pc_step *)other->steps.items[i])->teardown);
	assert_null(action_of(p, "mid"));
	assert_null(action_of(p, "src"));
	assert_string_equal(p->warnings.items[0], "kept 'mid': still read by 'leaf'");
	pc_plan_free(p);

	/* the order of the selectors does not matter */
	const char *sels2[] = { "other", "mid" };
	assert_int_equal(pc_plan_destroy(&p, fx->proj, fx->act, sels2, 2), 0);
	mid = action_of(p, "mid");
	assert_null(mid); /* leaf still reads it */
	assert_non_null(action_of(p, "other"));
	pc_plan_free(p);
}

static void test_destroy__protect_true_is_refused_with_the_table_named(void **state)
{
	fixture *fx = *state;
	const char *sels[] = { "mid+" };
	pc_plan *p = NULL;

	assert_int_equal(pc_plan_destroy(&p, fx->proj, fx->act, sels, 1), PC_EINVALID);
	assert_null(p);
	assert_non_null(strstr(pc_error_last(), "cannot destroy 'leaf': protect: true"));
}

static void test_destroy__a_whole_subtree_goes_children_first(void **state)
{
	fixture *fx = *state;
	const char *sels[] = { "mid+" };
	const pc_action *mid, *other, *leaf;
	pc_plan *p = NULL;

	/* drop leaf's protection for this test */
	char *yaml = pc_sprintf("%s/pipelines/intermediates/p/leaf/table.yaml", fx->root);
	assert_int_equal(unlink(yaml), 0);
	free(yaml);
	pc_actual_free(fx->act);
	pc_project_free(fx->proj);
	assert_int_equal(pc_project_load(&fx->proj, fx->root, NULL), 0);
	build_actual(fx);

	assert_int_equal(pc_plan_destroy(&p, fx->proj, fx->act, sels, 1), 0);
	mid = action_of(p, "mid");
	other = action_of(p, "other");
	leaf = action_of(p, "leaf");
	assert_non_null(mid);
	assert_non_null(other);
	assert_non_null(leaf);
	assert_null(action_of(p, "src"));
	assert_int_equal(p->summary[PC_ACT_DROP], 3);
	assert_int_equal(mid->teardown_after.len, 2);
	assert_string_equal(mid->teardown_after.items[0], "leaf");
	assert_string_equal(mid->teardown_after.items[1], "other");
	assert_int_equal(mid->wave, 0); /* the stops side by side, then the drops */
	assert_int_equal(leaf->wave, 0);
	assert_int_equal(p->warnings.len, 0);
	pc_plan_free(p);
}

static void test_destroy__needs_a_selector(void **state)
{
	fixture *fx = *state;
	pc_plan *p = NULL;
	assert_int_equal(pc_plan_destroy(&p, fx->proj, fx->act, NULL, 0), PC_EUSAGE);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_destroy__a_table_still_read_outside_the_selection_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy__drops_children_first_and_leaves_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy__protect_true_is_refused_with_the_table_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy__a_whole_subtree_goes_children_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy__needs_a_selector, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
