/* Unit tests for src/model/loader.c: the tree, table files, and every loader diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *fixture(const char *name)
{
	return pc_sprintf("%s/tests/fixtures/projects/%s", PC_SOURCE_DIR, name);
}

static pc_project *load_fixture(const char *name)
{
	char *root = fixture(name);
	pc_project *p = NULL;
	int rc = pc_project_load(&p, root, NULL);
	if (rc < 0)
		fail_msg("loading %s: %s", name, pc_error_last());
	free(root);
	return p;
}

/* Every diagnostic as "file:line: message", one per line. */
static char *all_diags(const pc_project *p)
{
	pc_buf b = PC_BUF_INIT;
	for (size_t i = 0; i < p->diags.len; i++) {
		char *s = pc_diag_format(p->diags.items[i]);
		pc_buf_printf(&b, "%s\n", s);
		free(s);
	}
	return pc_buf_detach(&b);
}

static void assert_diags(const pc_project *p, const char *want)
{
	char *got = all_diags(p);
	assert_string_equal(got, want);
	free(got);
}

static char *table_names(const pc_vec *v)
{
	pc_buf b = PC_BUF_INIT;
	for (size_t i = 0; i < v->len; i++)
		pc_buf_printf(&b, "%s%s", i ? "," : "", ((pc_table *)v->items[i])->name);
	return pc_buf_detach(&b);
}

static void assert_tables(const pc_vec *v, const char *want)
{
	char *got = table_names(v);
	assert_string_equal(got, want);
	free(got);
}

/* ---- temporary trees ---- */

static char tmp_root[64];

static int tmp_setup(void **state)
{
	(void)state;
	unsetenv("PIPECTL_CONFIG");
	unsetenv("PIPECTL_TARGET");
	strcpy(tmp_root, "/tmp/pc_loader_XXXXXX");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int tmp_teardown(void **state)
{
	char *cmd = pc_sprintf("rm -rf '%s'", tmp_root);
	(void)state;
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp_root);
	free(cmd);
	return 0;
}

static void put(const char *rel, const char *text)
{
	char *path = pc_path_join(tmp_root, rel);
	char *dir = pc_path_dirname(path);
	FILE *f;
	assert_int_equal(pc_fs_mkdirs(dir), 0);
	/* plain stdio: no fsync, so thousands of files are quick to write */
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(dir);
	free(path);
}

static int env_setup(void **state)
{
	(void)state;
	unsetenv("PIPECTL_CONFIG");
	unsetenv("PIPECTL_TARGET");
	return 0;
}

static pc_project *load_tmp(void)
{
	pc_project *p = NULL;
	if (pc_project_load(&p, tmp_root, NULL) < 0)
		fail_msg("loading: %s", pc_error_last());
	return p;
}

/* ---- fixtures ---- */

static void test_loader__basic_project_reads_layers_products_and_files(void **state)
{
	pc_project *p = load_fixture("basic");
	pc_table *t;
	(void)state;
	assert_int_equal(p->n_errors, 0);
	assert_string_equal(p->config->prefix, "test");
	assert_null(p->commit);
	assert_tables(&p->tables, "fct_revenue,int_orders,src_customers,src_orders,v_big_orders");
	assert_tables(&p->topo, "src_customers,src_orders,int_orders,fct_revenue,v_big_orders");

	t = pc_project_table(p, "src_orders");
	assert_string_equal(t->layer, "sources");
	assert_null(t->product);
	assert_string_equal(t->folder, "pipelines/sources/src_orders");
	assert_string_equal(t->ddl_path, "pipelines/sources/src_orders/sql-scripts/ddl.src_orders.sql");
	assert_string_equal(t->dml_path, "pipelines/sources/src_orders/sql-scripts/dml.src_orders.sql");
	assert_int_equal(t->external_parents.len, 1);
	assert_string_equal(t->external_parents.items[0], "raw.orders_topic");
	assert_false(t->upsert);
	assert_int_equal(strlen(t->ddl_fingerprint), 32);
	assert_int_equal(strlen(t->dml_fingerprint), 32);

	t = pc_project_table(p, "src_customers");
	assert_true(t->upsert);
	assert_null(t->dml_path);
	assert_string_equal(t->dml_fingerprint, "");
	assert_false(t->stateful);

	t = pc_project_table(p, "int_orders");
	assert_string_equal(t->layer, "intermediates");
	assert_string_equal(t->product, "sales");
	assert_tables(&t->parents, "src_orders");
	assert_tables(&t->children, "fct_revenue,v_big_orders");
	assert_string_equal(t->props_path, "pipelines/intermediates/sales/int_orders/sql-scripts/dml.int_orders.properties");
	assert_int_equal(t->dml_properties.len, 2);
	assert_string_equal(pc_kv_get(&t->dml_properties, "sql.state-ttl"), "1 d");
	assert_string_equal(pc_kv_get(&t->dml_properties, "client.statement-name"), "int-orders");
	assert_string_equal(t->compute_pool, "lfcp-123");
	assert_true(t->protect);
	assert_true(t->active);
	assert_string_equal(pc_kv_get(&t->properties, "sql.local-time-zone"), "UTC");
	assert_false(t->stateful);
	assert_true(pc_table_carry_over_eligible(t));

	/* deeper nesting: the product is the first folder under the layer */
	t = pc_project_table(p, "fct_revenue");
	assert_string_equal(t->product, "sales");
	assert_string_equal(t->folder, "pipelines/facts/sales/revenue/fct_revenue");
	assert_tables(&t->parents, "int_orders,src_customers");
	assert_int_equal(t->depth, 2);
	assert_true(t->analyzed_stateful);
	assert_true(t->state_reasons.len > 0);
	assert_false(t->stateful); /* table.yaml says stateless */
	assert_int_equal(t->statefulness, PC_STATE_FORCE_STATELESS);
	assert_false(t->active);
	assert_true(t->upsert);
	assert_false(pc_table_carry_over_eligible(t));

	t = pc_project_table(p, "v_big_orders");
	assert_true(t->ctas);
	assert_null(t->dml);
	assert_string_equal(t->layer, "views");
	assert_tables(&t->parents, "int_orders");

	/* the override is a warning naming table.yaml and the analysis */
	assert_int_equal(p->n_warnings, 1);
	{
		char *s = all_diags(p);
		const char *want = "pipelines/facts/sales/revenue/fct_revenue/table.yaml:1: statefulness 'stateless' "
				   "overrides the analysis, which found 'fct_revenue' stateful (";
		assert_true(strncmp(s, want, strlen(want)) == 0);
		assert_non_null(strstr(s, " at pipelines/facts/sales/revenue/fct_revenue/sql-scripts/dml.fct_revenue.sql:"));
		free(s);
	}
	pc_project_free(p);
}

static void test_loader__shift_left_project_loads_as_is(void **state)
{
	pc_project *p = load_fixture("shift_left");
	pc_table *t;
	(void)state;
	/* inventory.json, pipeline_definition.json, Makefiles, tests/, tracking.md, staging/: ignored */
	assert_diags(p, "");
	assert_tables(&p->tables, "fct_c360_users_per_group,int_c360_user_group,src_c360_groups,src_c360_users");
	t = pc_project_table(p, "int_c360_user_group");
	assert_string_equal(t->product, "c360");
	assert_tables(&t->parents, "src_c360_groups,src_c360_users");
	assert_true(t->stateful);
	assert_true(pc_project_table(p, "src_c360_users")->upsert);
	assert_false(pc_project_table(p, "src_c360_groups")->upsert);
	assert_string_equal(pc_project_table(p, "src_c360_users")->external_parents.items[0], "raw_users");
	assert_int_equal(pc_project_table(p, "fct_c360_users_per_group")->depth, 2);
	/* its CDC topics are declared in pipectl.yaml, with the DDL the local target creates them from */
	assert_int_equal(p->externals.len, 2);
	{
		pc_external *x = pc_project_external(p, "raw_users");
		assert_non_null(x);
		assert_string_equal(x->ddl_path, "externals/raw_users.sql");
		assert_non_null(strstr(x->ddl_sql, "CREATE TABLE raw_users"));
		assert_int_equal(x->readers.len, 1);
		assert_string_equal(((pc_table *)x->readers.items[0])->name, "src_c360_users");
	}
	pc_project_free(p);
}

static void test_loader__cycle_is_reported(void **state)
{
	pc_project *p = load_fixture("cycle");
	(void)state;
	assert_diags(p, "pipelines/intermediates/a/sql-scripts/dml.a.sql:2: cycle: a -> b -> c -> a\n");
	assert_int_equal(p->tables.len, 3);
	pc_project_free(p);
}

static void test_loader__dml_without_ddl_names_the_file(void **state)
{
	pc_project *p = load_fixture("missing_ddl");
	(void)state;
	assert_diags(p, "pipelines/facts/orphan/sql-scripts/dml.orphan.sql: DML without a DDL: no ddl.*.sql in "
			"'pipelines/facts/orphan/sql-scripts'\n");
	assert_tables(&p->tables, "ok");
	pc_project_free(p);
}

static void test_loader__duplicate_table_names_both_files(void **state)
{
	pc_project *p = load_fixture("duplicate_table");
	(void)state;
	assert_diags(p, "pipelines/sources/second/sql-scripts/ddl.orders.sql:2: table 'orders' is created twice: by "
			"'pipelines/sources/first/sql-scripts/ddl.orders.sql' and by "
			"'pipelines/sources/second/sql-scripts/ddl.orders.sql'\n");
	assert_tables(&p->tables, "orders");
	pc_project_free(p);
}

static void test_loader__unknown_table_yaml_key_is_an_error_with_line(void **state)
{
	pc_project *p = load_fixture("bad_table_yaml");
	(void)state;
	assert_diags(p, "pipelines/sources/t/table.yaml:2: unknown key 'protected' in table.yaml\n");
	assert_true(pc_project_table(p, "t")->broken);
	pc_project_free(p);
}

static void test_loader__bad_pipectl_yaml_fails_the_load(void **state)
{
	char *root = fixture("bad_config"), *want;
	pc_project *p = NULL;
	(void)state;
	assert_int_equal(pc_project_load(&p, root, NULL), PC_EINVALID);
	assert_null(p);
	want = pc_sprintf("%s/pipectl.yaml:5: unknown key 'compute_pool' in 'confluent.flink'", root);
	assert_string_equal(pc_error_last(), want);
	free(want);
	free(root);
}

static void test_loader__unterminated_string_is_reported_and_the_rest_loads(void **state)
{
	pc_project *p = load_fixture("unterminated_string");
	pc_table *t;
	(void)state;
	assert_diags(p, "pipelines/sources/s/sql-scripts/dml.s.sql:3: unterminated string literal\n");
	t = pc_project_table(p, "s");
	assert_non_null(t);
	assert_true(t->broken);
	assert_null(t->dml);
	assert_non_null(t->ddl);
	pc_project_free(p);
}

static void test_loader__dml_target_mismatch_is_an_error(void **state)
{
	pc_project *p = load_fixture("dml_mismatch");
	(void)state;
	assert_diags(p, "pipelines/intermediates/int_a/sql-scripts/dml.int_a.sql:2: INSERT INTO 'int_b' does not match "
			"the table 'int_a' created by 'pipelines/intermediates/int_a/sql-scripts/ddl.int_a.sql'\n");
	assert_true(pc_project_table(p, "int_a")->broken);
	pc_project_free(p);
}

static void test_loader__unknown_layer_is_a_warning(void **state)
{
	pc_project *p = load_fixture("unknown_layer");
	(void)state;
	assert_diags(p, "pipelines/bronze: unknown layer 'bronze' (expected sources, intermediates, facts, dimensions, "
			"views, seeds or stage): its tables get layer 'unknown'\n");
	assert_int_equal(p->n_errors, 0);
	assert_int_equal(p->n_warnings, 1);
	assert_string_equal(pc_project_table(p, "t1")->layer, "unknown");
	pc_project_free(p);
}

static void test_loader__unreadable_files_are_reported(void **state)
{
	pc_project *p = load_fixture("unreadable");
	(void)state;
	/* a dangling symlink named like a DML; a directory named like a DDL */
	assert_diags(p, "pipelines/sources/dangling/sql-scripts/dml.dangling.sql: could not read file: No such file or "
			"directory\n"
			"pipelines/sources/dir_ddl/sql-scripts/ddl.dir_ddl.sql: could not read file: is a directory\n");
	assert_true(pc_project_table(p, "dangling")->broken);
	assert_non_null(pc_project_table(p, "dangling")->ddl);
	assert_true(pc_project_table(p, "dir_ddl")->broken);
	pc_project_free(p);
}

/* ---- temporary trees ---- */

static void test_loader__permission_denied_is_reported(void **state)
{
	pc_project *p;
	char *path;
	(void)state;
	if (geteuid() == 0)
		skip(); /* root reads anything; the dangling symlink fixture covers this case */
	put("pipelines/sources/t/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	put("pipelines/sources/t/sql-scripts/dml.t.sql", "INSERT INTO t SELECT id FROM x;\n");
	path = pc_path_join(tmp_root, "pipelines/sources/t/sql-scripts/dml.t.sql");
	chmod(path, 0);
	p = load_tmp();
	assert_diags(p, "pipelines/sources/t/sql-scripts/dml.t.sql: could not read file: Permission denied\n");
	chmod(path, 0644);
	free(path);
	pc_project_free(p);
}

static void test_loader__two_ddl_files_in_one_folder_is_an_error(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/t/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	put("pipelines/sources/t/sql-scripts/ddl.t2.sql", "CREATE TABLE t2 (id STRING);\n");
	p = load_tmp();
	assert_diags(p, "pipelines/sources/t/sql-scripts/ddl.t2.sql: a second DDL file in the folder (the first is "
			"'pipelines/sources/t/sql-scripts/ddl.t.sql')\n");
	assert_tables(&p->tables, "t");
	assert_true(pc_project_table(p, "t")->broken);
	pc_project_free(p);
}

static void test_loader__ddl_that_creates_no_table_is_an_error(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/t/sql-scripts/ddl.t.sql", "-- work in progress\n");
	p = load_tmp();
	assert_diags(p, "pipelines/sources/t/sql-scripts/ddl.t.sql: no CREATE TABLE statement (expected CREATE TABLE, "
			"CREATE TABLE AS or CREATE MATERIALIZED TABLE)\n");
	/* the table is still listed, under the name of its file */
	assert_true(pc_project_table(p, "t")->broken);
	pc_project_free(p);
}

static void test_loader__ctas_with_a_dml_file_is_an_error(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/s/sql-scripts/ddl.s.sql", "CREATE TABLE s (id STRING);\n");
	put("pipelines/views/v/sql-scripts/ddl.v.sql", "CREATE TABLE v AS SELECT id FROM s;\n");
	put("pipelines/views/v/sql-scripts/dml.v.sql", "INSERT INTO v SELECT id FROM s;\n");
	p = load_tmp();
	assert_diags(p, "pipelines/views/v/sql-scripts/dml.v.sql: 'v' is created by a CREATE TABLE AS in "
			"'pipelines/views/v/sql-scripts/ddl.v.sql', which is its DML; remove this file or the AS query\n");
	assert_tables(&pc_project_table(p, "v")->parents, "s");
	pc_project_free(p);
}

static void test_loader__view_reads_are_parents_and_like_is_not(void **state)
{
	pc_project *p;
	pc_table *v;
	(void)state;
	put("pipelines/sources/s/sql-scripts/ddl.s.sql", "CREATE TABLE s (id STRING);\n");
	put("pipelines/sources/s2/sql-scripts/ddl.s2.sql", "CREATE TABLE s2 LIKE s;\n");
	put("pipelines/views/v/sql-scripts/ddl.v.sql", "CREATE VIEW v AS SELECT id FROM s WHERE id <> '';\n");
	p = load_tmp();
	assert_diags(p, "");
	v = pc_project_table(p, "v");
	assert_false(v->ctas);
	assert_tables(&v->parents, "s");
	assert_int_equal(pc_project_table(p, "s2")->parents.len, 0);
	pc_project_free(p);
}

static void test_loader__dml_with_no_insert_is_an_error(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/t/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	put("pipelines/sources/t/sql-scripts/dml.t.sql", "SELECT id FROM t;\n");
	p = load_tmp();
	assert_diags(p, "pipelines/sources/t/sql-scripts/dml.t.sql: no INSERT INTO statement\n");
	pc_project_free(p);
}

static void test_loader__bad_properties_line_is_an_error_with_line(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/t/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	put("pipelines/sources/t/sql-scripts/dml.t.properties", "# c\n\na=1\njust words\n=2\n! other comment\nb = x=y \n");
	p = load_tmp();
	assert_diags(p, "pipelines/sources/t/sql-scripts/dml.t.properties:4: expected key=value\n"
			"pipelines/sources/t/sql-scripts/dml.t.properties:5: empty key before '='\n");
	assert_string_equal(pc_kv_get(&pc_project_table(p, "t")->dml_properties, "a"), "1");
	assert_string_equal(pc_kv_get(&pc_project_table(p, "t")->dml_properties, "b"), "x=y");
	pc_project_free(p);
}

static void test_loader__table_yaml_errors_and_stateful_override(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/a/sql-scripts/ddl.a.sql", "CREATE TABLE a (id STRING);\n");
	put("pipelines/sources/a/sql-scripts/table.yaml", "statefulness: stateful\n"); /* inside sql-scripts */
	put("pipelines/sources/b/sql-scripts/ddl.b.sql", "CREATE TABLE b (id STRING);\n");
	put("pipelines/sources/b/table.yaml", "protect: maybe\n");
	put("pipelines/sources/c/sql-scripts/ddl.c.sql", "CREATE TABLE c (id STRING);\n");
	put("pipelines/sources/c/table.yaml", "statefulness: sometimes\n");
	put("pipelines/sources/d/sql-scripts/ddl.d.sql", "CREATE TABLE d (id STRING);\n");
	put("pipelines/sources/d/table.yaml", "properties: [a, b]\n");
	put("pipelines/sources/e/sql-scripts/ddl.e.sql", "CREATE TABLE e (id STRING);\n");
	put("pipelines/sources/e/table.yaml", "active: false\ncompute_pool: {id: x}\n");
	put("pipelines/sources/f/sql-scripts/ddl.f.sql", "CREATE TABLE f (id STRING);\n");
	put("pipelines/sources/f/table.yaml", "protect: true\n");
	put("pipelines/sources/f/sql-scripts/table.yaml", "protect: false\n");
	put("pipelines/sources/g/sql-scripts/ddl.g.sql", "CREATE TABLE g (id STRING);\n");
	put("pipelines/sources/g/table.yaml", "protect: [true\n");
	put("pipelines/sources/h/sql-scripts/ddl.h.sql", "CREATE TABLE h (id STRING);\n");
	put("pipelines/sources/h/table.yaml", "strategy: blue-green\n");
	put("pipelines/sources/i/sql-scripts/ddl.i.sql", "CREATE TABLE i (id STRING);\n");
	put("pipelines/sources/i/table.yaml", "strategy: red-black\n");
	p = load_tmp();
	assert_int_equal(pc_project_table(p, "h")->strategy, PC_STRATEGY_BLUE_GREEN);
	assert_int_equal(pc_project_table(p, "a")->strategy, PC_STRATEGY_DEFAULT);
	{
		char *got = all_diags(p);
		assert_non_null(strstr(got, "pipelines/sources/i/table.yaml:1: 'strategy' must be in-place or blue-green, not 'red-black'\n"));
		free(got);
	}
	{
		char *got = all_diags(p);
		const char *want =
			"pipelines/sources/a/sql-scripts/table.yaml:1: statefulness 'stateful' overrides the analysis, which "
			"found 'a' stateless\n"
			"pipelines/sources/b/table.yaml:1: 'protect' must be true or false, not 'maybe'\n"
			"pipelines/sources/c/table.yaml:1: 'statefulness' must be stateful or stateless, not 'sometimes'\n"
			"pipelines/sources/d/table.yaml:1: 'properties' must be a map, not a list\n"
			"pipelines/sources/e/table.yaml:2: 'compute_pool' must be a string, not a map\n"
			"pipelines/sources/f/sql-scripts/table.yaml: a second table.yaml (the first is "
			"'pipelines/sources/f/table.yaml')\n"
			"pipelines/sources/g/table.yaml:2: ";
		assert_true(strncmp(got, want, strlen(want)) == 0);
		free(got);
	}
	assert_true(pc_project_table(p, "a")->stateful);
	assert_false(pc_project_table(p, "a")->analyzed_stateful);
	assert_true(pc_project_table(p, "f")->protect);
	assert_int_equal(p->n_warnings, 1);
	assert_int_equal(p->n_errors, 7); /* i: an unknown strategy */
	pc_project_free(p);
}

static void test_loader__empty_sql_scripts_is_a_warning(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/wip/sql-scripts/notes.txt", "todo\n");
	p = load_tmp();
	assert_diags(p, "pipelines/sources/wip/sql-scripts: no ddl.*.sql: the folder is not a table and is ignored\n");
	assert_int_equal(p->n_errors, 0);
	pc_project_free(p);
}

static void test_loader__table_folder_without_layer_is_a_warning(void **state)
{
	pc_project *p;
	(void)state;
	put("pipelines/sources/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	p = load_tmp();
	assert_diags(p, "pipelines/sources: table folder directly under 'pipelines' has no layer: its layer is 'unknown'\n");
	assert_string_equal(pc_project_table(p, "t")->layer, "unknown");
	assert_null(pc_project_table(p, "t")->product);
	pc_project_free(p);
}

static void test_loader__pipelines_folder_comes_from_the_config(void **state)
{
	pc_project *p;
	(void)state;
	put("pipectl.yaml", "pipelines: flink/tree/\n");
	put("flink/tree/facts/p/t/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	p = load_tmp();
	assert_diags(p, "");
	assert_string_equal(pc_project_table(p, "t")->ddl_path, "flink/tree/facts/p/t/sql-scripts/ddl.t.sql");
	assert_string_equal(pc_project_table(p, "t")->product, "p");
	pc_project_free(p);
}

static void test_loader__missing_pipelines_folder_or_root_is_an_error(void **state)
{
	pc_project *p = NULL;
	char *want;
	(void)state;
	assert_int_equal(pc_project_load(&p, tmp_root, NULL), PC_ENOTFOUND);
	want = pc_sprintf("no pipelines folder 'pipelines' in '%s'", tmp_root);
	assert_string_equal(pc_error_last(), want);
	free(want);
	assert_int_equal(pc_project_load(&p, "/nonexistent/project", NULL), PC_ENOTFOUND);
	assert_string_equal(pc_error_last(), "project root '/nonexistent/project' does not exist");
	assert_null(p);
}

static void test_loader__load_from_reads_through_a_given_source(void **state)
{
	pc_project *p = NULL;
	pc_config *cfg = NULL;
	pc_source *src = NULL;
	(void)state;
	put("pipelines/sources/t/sql-scripts/ddl.t.sql", "CREATE TABLE t (id STRING);\n");
	assert_int_equal(pc_config_load(&cfg, tmp_root, NULL), 0);
	assert_int_equal(pc_source_open_fs(&src, tmp_root), 0);
	assert_int_equal(pc_project_load_from(&p, cfg, src), 0);
	assert_tables(&p->tables, "t");
	pc_project_free(p);
	pc_config_free(cfg);
	pc_source_free(src);
}

/* 2,000 tables: a load at scale is right; prints its time (measured, not asserted; bench/ measures 10,000+). */
static void test_loader__two_thousand_tables_load(void **state)
{
	pc_project *p;
	char rel[256], sql[512];
	int64_t t0;
	(void)state;
	for (int i = 0; i < 2000; i++) {
		snprintf(rel, sizeof(rel), "pipelines/intermediates/p%02d/t%05d/sql-scripts/ddl.t%05d.sql", i % 50, i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%05d (id STRING, v BIGINT);\n", i);
		put(rel, sql);
		if (i) {
			snprintf(rel, sizeof(rel), "pipelines/intermediates/p%02d/t%05d/sql-scripts/dml.t%05d.sql", i % 50, i, i);
			snprintf(sql, sizeof(sql), "INSERT INTO t%05d\nSELECT a.id, a.v FROM t%05d a JOIN t%05d b ON a.id = b.id;\n",
				 i, i / 2, (i * 7) % i);
			put(rel, sql);
		}
	}
	t0 = pc_mono_ms();
	p = load_tmp();
	print_message("load of 2000 tables: %lld ms\n", (long long)(pc_mono_ms() - t0));
	assert_int_equal(p->tables.len, 2000);
	assert_int_equal(p->n_errors, 0);
	assert_int_equal(pc_project_table(p, "t01999")->parents.len, 2);
	assert_string_equal(((pc_table *)pc_project_table(p, "t01999")->parents.items[0])->name, "t00000");
	assert_string_equal(((pc_table *)pc_project_table(p, "t01999")->parents.items[1])->name, "t00999");
	pc_project_free(p);
}

/* Tables (name, layer, product, folder, broken, stateful, parents) and diagnostics, counts last. */
static char *describe_load(const char *root, int threads)
{
	pc_project *p = NULL;
	pc_config *cfg = NULL;
	pc_source *src = NULL;
	pc_buf b = PC_BUF_INIT;
	char *diags;

	if (pc_config_load(&cfg, root, NULL) < 0)
		fail_msg("config of %s: %s", root, pc_error_last());
	assert_int_equal(pc_source_open_fs(&src, root), 0);
	src->threads = threads;
	assert_int_equal(pc_project_load_from(&p, cfg, src), 0);
	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		char *parents = table_names(&t->parents);
		pc_buf_printf(&b, "%s %s %s %s broken=%d stateful=%d <- %s\n", t->name, t->layer,
			      t->product ? t->product : "-", t->folder, t->broken, t->stateful, parents);
		free(parents);
	}
	diags = all_diags(p);
	pc_buf_printf(&b, "%s%d errors, %d warnings\n", diags, p->n_errors, p->n_warnings);
	free(diags);
	pc_project_free(p);
	pc_config_free(cfg);
	pc_source_free(src);
	return pc_buf_detach(&b);
}

static void assert_same_on_threads(const char *root)
{
	char *one = describe_load(root, 1);
	for (int n = 2; n <= 8; n *= 2) {
		char *many = describe_load(root, n);
		assert_string_equal(many, one);
		free(many);
	}
	free(one);
}

/*
 * The loader reads table folders on several threads: the tables, their
 * order and every diagnostic in its place are the same as on one thread,
 * for every fixture and for a tree mixing the walk's own diagnostics
 * (unknown layers with and without tables, a table folder with no layer,
 * misplaced SQL) with the table folders' diagnostics.
 */
static void test_loader__threads_give_the_same_project(void **state)
{
	static const char *const fixtures[] = { "basic", "cycle", "dml_mismatch", "duplicate_table", "missing_ddl",
						"shift_left", "unknown_layer", "unterminated_string", NULL };
	char rel[256], sql[512];
	(void)state;
	for (size_t i = 0; fixtures[i]; i++) {
		char *root = fixture(fixtures[i]);
		assert_same_on_threads(root);
		free(root);
	}
	put("pipectl.yaml", "prefix: t\n");
	for (int i = 0; i < 400; i++) {
		const char *layer = i % 5 == 0 ? "sources" : i % 5 == 1 ? "facts" : i % 5 == 2 ? "weird" : "views";
		snprintf(rel, sizeof(rel), "pipelines/%s/p%d/t%03d/sql-scripts/ddl.t%03d.sql", layer, i % 7, i, i);
		if (i % 37 == 5)
			snprintf(sql, sizeof(sql), "CREATE TABLE t%03d (id STRING;\n", i); /* broken */
		else
			snprintf(sql, sizeof(sql), "CREATE TABLE t%03d (id STRING, v BIGINT);\n", i);
		put(rel, sql);
		if (i >= 5) {
			snprintf(rel, sizeof(rel), "pipelines/%s/p%d/t%03d/sql-scripts/dml.t%03d.sql", layer, i % 7, i, i);
			snprintf(sql, sizeof(sql), "INSERT INTO t%03d SELECT id, %s FROM t%03d;\n", i,
				 i % 3 ? "v" : "COUNT(*) AS v", i - 5 + (i % 3 == 0 ? 0 : 0));
			put(rel, sql);
		}
		if (i % 23 == 0) {
			snprintf(rel, sizeof(rel), "pipelines/%s/p%d/t%03d/sql-scripts/dml.t%03d.sq", layer, i % 7, i, i);
			put(rel, "-- misnamed\n");
		}
		if (i % 41 == 0) {
			snprintf(rel, sizeof(rel), "pipelines/%s/p%d/ddl.stray%03d.sql", layer, i % 7, i);
			put(rel, "CREATE TABLE x (id INT);\n");
			snprintf(rel, sizeof(rel), "pipelines/%s/p%d/u%03d/sql-scipts/ddl.u%03d.sql", layer, i % 7, i, i);
			put(rel, "CREATE TABLE x (id INT);\n");
		}
	}
	put("pipelines/direct/sql-scripts/ddl.direct.sql", "CREATE TABLE direct (id STRING);\n");
	put("pipelines/empty_layer/p/notes.txt", "no tables here\n");
	put("pipelines/odd/p/q/sql-scripts/ddl.q.sql", "CREATE TABLE q (id STRING);\n");
	assert_same_on_threads(tmp_root);
	{
		char *one = describe_load(tmp_root, 1);
		/* the tree did exercise what the comparison is about */
		assert_non_null(strstr(one, "unknown layer 'weird'"));
		assert_non_null(strstr(one, "unknown layer 'odd'"));
		assert_null(strstr(one, "unknown layer 'empty_layer'"));
		assert_non_null(strstr(one, "has no layer"));
		assert_non_null(strstr(one, "not read: SQL files of a table go in its 'sql-scripts/' folder"));
		assert_non_null(strstr(one, "a DML file must be named"));
		assert_non_null(strstr(one, "t005 sources"));
		free(one);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_loader__basic_project_reads_layers_products_and_files, env_setup),
		cmocka_unit_test(test_loader__shift_left_project_loads_as_is),
		cmocka_unit_test(test_loader__cycle_is_reported),
		cmocka_unit_test(test_loader__dml_without_ddl_names_the_file),
		cmocka_unit_test(test_loader__duplicate_table_names_both_files),
		cmocka_unit_test(test_loader__unknown_table_yaml_key_is_an_error_with_line),
		cmocka_unit_test(test_loader__bad_pipectl_yaml_fails_the_load),
		cmocka_unit_test(test_loader__unterminated_string_is_reported_and_the_rest_loads),
		cmocka_unit_test(test_loader__dml_target_mismatch_is_an_error),
		cmocka_unit_test(test_loader__unknown_layer_is_a_warning),
		cmocka_unit_test(test_loader__unreadable_files_are_reported),
		cmocka_unit_test_setup_teardown(test_loader__permission_denied_is_reported, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__two_ddl_files_in_one_folder_is_an_error, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__ddl_that_creates_no_table_is_an_error, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__ctas_with_a_dml_file_is_an_error, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__view_reads_are_parents_and_like_is_not, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__dml_with_no_insert_is_an_error, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__bad_properties_line_is_an_error_with_line, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__table_yaml_errors_and_stateful_override, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__empty_sql_scripts_is_a_warning, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__table_folder_without_layer_is_a_warning, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__pipelines_folder_comes_from_the_config, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__missing_pipelines_folder_or_root_is_an_error, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__load_from_reads_through_a_given_source, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__two_thousand_tables_load, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_loader__threads_give_the_same_project, tmp_setup, tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
