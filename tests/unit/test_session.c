/*
 * test_snapshot.c - the project and the actual state read at the same time
 * (src/reconcile/snapshot.c), on the local target of a temp project.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/snapshot.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[64];

static void write_file(const char *rel, const char *text)
{
	char *path = pc_path_join(root, rel), *dir = pc_path_dirname(path);
	assert_int_equal(pc_fs_mkdirs(dir), 0);
	assert_int_equal(pc_fs_write_atomic(path, text, strlen(text)), 0);
	free(dir);
	free(path);
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/pc-test-snapshot-XXXXXX");
	assert_non_null(mkdtemp(root));
	write_file("pipectl.yaml", "prefix: snap\n");
	write_file("pipelines/sources/src_a/sql-scripts/ddl.src_a.sql", "CREATE TABLE src_a (id INT);\n");
	write_file("pipelines/intermediates/int_b/sql-scripts/ddl.int_b.sql", "CREATE TABLE int_b (id INT);\n");
	write_file("pipelines/intermediates/int_b/sql-scripts/dml.int_b.sql",
		   "INSERT INTO int_b SELECT id FROM src_a;\n");
	return 0;
}

static int teardown(void **state)
{
	char *cmd = pc_sprintf("rm -rf '%s'", root);
	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void test_snapshot__reads_the_project_and_what_the_target_runs(void **state)
{
	pc_snapshot s;
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	(void)state;

	assert_int_equal(pc_snapshot_load(&s, root, NULL), 0);
	assert_int_equal(s.proj->tables.len, 2);
	assert_int_equal(s.proj->n_errors, 0);
	assert_string_equal(s.prov->ops->name, "local");
	assert_int_equal(s.act->stmts.len, 0);
	assert_int_equal(s.act->topics.len, 0);
	spec.name = "someone-elses";
	spec.sql = "CREATE TABLE src_a (id INT);";
	assert_int_equal(s.prov->ops->create_statement(s.prov, &spec, &st), 0);
	pc_statement_free(st);
	pc_snapshot_dispose(&s);
	assert_null(s.proj);

	assert_int_equal(pc_snapshot_load(&s, root, NULL), 0);
	assert_int_equal(s.act->stmts.len, 1);
	assert_string_equal(s.act->prefix, "snap");
	pc_snapshot_dispose(&s);
}

static void test_snapshot__a_bad_config_is_the_error(void **state)
{
	pc_snapshot s;
	char *cfg = pc_path_join(root, "bad.yaml");
	(void)state;
	assert_int_equal(pc_fs_write_atomic(cfg, "prefix: x\nbogus: 1\n", 19), 0);
	assert_int_equal(pc_snapshot_load(&s, root, cfg), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "unknown key 'bogus'"));
	assert_null(s.proj);
	assert_null(s.prov);
	pc_snapshot_dispose(&s);
	unlink(cfg);
	free(cfg);
}

static void test_snapshot__a_missing_tree_is_the_error_and_nothing_leaks(void **state)
{
	pc_snapshot s;
	char *cfg = pc_path_join(root, "other.yaml");
	const char *text = "pipelines: nowhere\n";
	(void)state;
	assert_int_equal(pc_fs_write_atomic(cfg, text, strlen(text)), 0);
	assert_true(pc_snapshot_load(&s, root, cfg) < 0);
	assert_non_null(strstr(pc_error_last(), "no pipelines folder 'nowhere'"));
	assert_null(s.proj);
	assert_non_null(s.prov);
	pc_snapshot_dispose(&s);
	unlink(cfg);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot__reads_the_project_and_what_the_target_runs),
		cmocka_unit_test(test_snapshot__a_bad_config_is_the_error),
		cmocka_unit_test(test_snapshot__a_missing_tree_is_the_error_and_nothing_leaks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
