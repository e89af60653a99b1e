/*
 * test_session.c - the session: one config, the project and the actual
 * state read at the same time, the provider kept across desired states
 * (src/reconcile/session.c), on the local target of a temp project.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/session.h"
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
	strcpy(root, "/tmp/pc-test-session-XXXXXX");
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

static void test_session__reads_the_project_and_what_the_target_runs(void **state)
{
	pc_session s;
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	(void)state;

	assert_int_equal(pc_session_load(&s, root, NULL, NULL, NULL), 0);
	assert_int_equal(s.proj->tables.len, 2);
	assert_int_equal(s.proj->n_errors, 0);
	assert_string_equal(s.prov->ops->name, "local");
	assert_int_equal(s.act->stmts.len, 0);
	assert_int_equal(s.act->topics.len, 0);
	spec.name = "someone-elses";
	spec.sql = "CREATE TABLE src_a (id INT);";
	assert_int_equal(s.prov->ops->create_statement(s.prov, &spec, &st), 0);
	pc_statement_free(st);
	pc_session_dispose(&s);
	assert_null(s.proj);

	assert_int_equal(pc_session_load(&s, root, NULL, NULL, NULL), 0);
	assert_int_equal(s.act->stmts.len, 1);
	assert_string_equal(s.act->prefix, "snap");
	pc_session_dispose(&s);
}

static void test_session__a_bad_config_is_the_error(void **state)
{
	pc_session s;
	char *cfg = pc_path_join(root, "bad.yaml");
	(void)state;
	assert_int_equal(pc_fs_write_atomic(cfg, "prefix: x\nbogus: 1\n", 19), 0);
	assert_int_equal(pc_session_load(&s, root, cfg, NULL, NULL), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "unknown key 'bogus'"));
	assert_null(s.proj);
	assert_null(s.prov);
	pc_session_dispose(&s);
	unlink(cfg);
	free(cfg);
}

static void test_session__a_missing_tree_is_the_error_and_nothing_leaks(void **state)
{
	pc_session s;
	char *cfg = pc_path_join(root, "other.yaml");
	const char *text = "pipelines: nowhere\n";
	(void)state;
	assert_int_equal(pc_fs_write_atomic(cfg, text, strlen(text)), 0);
	assert_true(pc_session_load(&s, root, cfg, NULL, NULL) < 0);
	assert_non_null(strstr(pc_error_last(), "no pipelines folder 'nowhere'"));
	assert_null(s.proj);
	assert_non_null(s.prov);
	pc_session_dispose(&s);
	unlink(cfg);
	free(cfg);
}

static void test_session__the_project_and_the_provider_share_one_config(void **state)
{
	pc_session s;
	(void)state;
	assert_int_equal(pc_session_load(&s, root, NULL, NULL, NULL), 0);
	assert_non_null(s.config);
	assert_ptr_equal(s.proj->config, s.config);
	assert_ptr_equal(s.prov_config, s.config);
	assert_string_equal(s.act->prefix, "snap");
	pc_session_dispose(&s);
}

static void test_session__the_target_alone_reads_nothing(void **state)
{
	pc_session s;
	(void)state;
	assert_int_equal(pc_session_open_target(&s, root, NULL), 0);
	assert_non_null(s.prov);
	assert_string_equal(s.config->prefix, "snap");
	assert_null(s.proj);
	assert_null(s.act);
	pc_session_dispose(&s);
}

static int gate_refuses(void *ctx, pc_provider *prov, const pc_config *cfg)
{
	int *calls = ctx;
	(*calls)++;
	assert_non_null(prov);
	assert_string_equal(cfg->prefix, "snap");
	return pc_error_set(PC_ELOCKED, "locked by someone else");
}

static void test_session__a_gate_runs_before_anything_is_read(void **state)
{
	pc_session s;
	int calls = 0;
	(void)state;
	assert_int_equal(pc_session_load(&s, root, NULL, gate_refuses, &calls), PC_ELOCKED);
	assert_int_equal(calls, 1);
	assert_string_equal(pc_error_last(), "locked by someone else");
	assert_null(s.proj);
	assert_null(s.act);
	pc_session_dispose(&s);
}

/* Load a config and the project under it, as the loop does each cycle. */
static void desired(pc_config **cfg, pc_project **proj)
{
	assert_int_equal(pc_config_find(cfg, root, NULL, NULL), 0);
	assert_int_equal(pc_project_load_from(proj, *cfg, NULL), 0);
}

static void test_session__the_loop_keeps_its_provider_while_the_connection_is_the_same(void **state)
{
	pc_session s = PC_SESSION_INIT;
	pc_config *cfg;
	pc_project *proj;
	pc_provider *first;
	int reconnected = -1;
	(void)state;

	desired(&cfg, &proj);
	assert_int_equal(pc_session_set_desired(&s, cfg, proj, &reconnected), 0);
	assert_int_equal(reconnected, 1);
	first = s.prov;
	assert_int_equal(pc_session_read_actual(&s), 0);
	assert_non_null(s.act);

	/* the next cycle: a new config, the same target */
	desired(&cfg, &proj);
	assert_int_equal(pc_session_set_desired(&s, cfg, proj, &reconnected), 0);
	assert_int_equal(reconnected, 0);
	assert_ptr_equal(s.prov, first);
	assert_ptr_equal(s.config, cfg);
	assert_ptr_equal(s.proj, proj);
	assert_true(s.prov_config != s.config); /* the provider's own, kept alive */
	assert_null(s.act);
	assert_int_equal(pc_session_read_actual(&s), 0);
	assert_string_equal(s.act->prefix, "snap");

	/* a third one: the config of the second is released, the provider's is kept */
	desired(&cfg, &proj);
	assert_int_equal(pc_session_set_desired(&s, cfg, proj, &reconnected), 0);
	assert_int_equal(reconnected, 0);

	pc_session_close_provider(&s);
	assert_null(s.prov);
	assert_null(s.prov_config);
	assert_true(pc_session_read_actual(&s) < 0);
	desired(&cfg, &proj);
	assert_int_equal(pc_session_set_desired(&s, cfg, proj, &reconnected), 0);
	assert_int_equal(reconnected, 1);
	assert_ptr_equal(s.prov_config, s.config);
	pc_session_dispose(&s);
	assert_null(s.config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session__reads_the_project_and_what_the_target_runs),
		cmocka_unit_test(test_session__a_bad_config_is_the_error),
		cmocka_unit_test(test_session__a_missing_tree_is_the_error_and_nothing_leaks),
		cmocka_unit_test(test_session__the_project_and_the_provider_share_one_config),
		cmocka_unit_test(test_session__a_gate_runs_before_anything_is_read),
		cmocka_unit_test(test_session__the_target_alone_reads_nothing),
		cmocka_unit_test(test_session__the_loop_keeps_its_provider_while_the_connection_is_the_same),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
