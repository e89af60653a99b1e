/*
 * test_local.c - the local target: the provider interface over the in-process
 * simulation, with its state file under the project root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
	char root[64];
	pc_config cfg;
} fixture;

static int setup(void **state)
{
	fixture *f = PC_NEW(fixture);
	strcpy(f->root, "/tmp/pc-test-local-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	f->cfg.root = f->root;
	f->cfg.local_state = ".pipectl/local-state.json";
	setenv("PIPECTL_LOCAL_DDL_MS", "20", 1);
	setenv("PIPECTL_LOCAL_PENDING_MS", "30", 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char *cmd = pc_sprintf("rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static pc_provider *open_local(fixture *f)
{
	pc_provider *p = NULL;
	assert_int_equal(pc_local_open(&p, &f->cfg), 0);
	assert_string_equal(p->ops->name, "local");
	return p;
}

static void create_ok(pc_provider *p, const char *name, const char *sql)
{
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	spec.name = name;
	spec.sql = sql;
	if (p->ops->create_statement(p, &spec, &st) != 0)
		fail_msg("create %s: %s", name, pc_error_last());
	assert_string_equal(st->name, name);
	assert_string_equal(st->phase, "PENDING");
	pc_statement_free(st);
}

static char *phase_after(pc_provider *p, const char *name, int64_t wait_ms)
{
	pc_statement *st = NULL;
	char *phase;
	pc_sleep_ms(wait_ms);
	if (p->ops->get_statement(p, name, &st) != 0)
		fail_msg("get %s: %s", name, pc_error_last());
	phase = pc_strdup(st->phase);
	pc_statement_free(st);
	return phase;
}

static void assert_phase(pc_provider *p, const char *name, int64_t wait_ms, const char *want)
{
	char *ph = phase_after(p, name, wait_ms);
	assert_string_equal(ph, want);
	free(ph);
}

static void test_local_statements__run_and_survive_a_restart(void **state)
{
	fixture *f = *state;
	pc_provider *p = open_local(f);
	pc_vec v = PC_VEC_INIT;
	pc_topic *t = NULL;
	char *path;

	create_ok(p, "dev-ddl-orders", "CREATE TABLE orders (id INT)");
	create_ok(p, "dev-ddl-big", "CREATE TABLE big (id INT) WITH ('kafka.partitions' = '2')");
	assert_phase(p, "dev-ddl-orders", 60, "COMPLETED");
	create_ok(p, "dev-dml-big", "INSERT INTO big SELECT * FROM orders");
	pc_provider_free(p);

	path = pc_sprintf("%s/.pipectl/local-state.json", f->root);
	assert_true(pc_fs_is_file(path));
	free(path);

	/* a new provider (as a new run) reads the file; time went on meanwhile */
	p = open_local(f);
	assert_phase(p, "dev-dml-big", 60, "RUNNING");
	assert_int_equal(p->ops->list_statements(p, &v), 0);
	assert_int_equal(v.len, 3);
	assert_string_equal(((pc_statement *)v.items[0])->name, "dev-ddl-big");
	pc_vec_dispose(&v, pc_statement_free);
	assert_int_equal(p->ops->get_topic(p, "big", &t), 0);
	assert_int_equal(t->partitions, 2);
	pc_topic_free(t);
	assert_int_equal(p->ops->list_topics(p, &v), 0);
	assert_int_equal(v.len, 2);
	pc_vec_dispose(&v, pc_topic_free);
	pc_provider_free(p);
}

static void test_local_update__stop_gives_latest_offsets_and_stale_versions_conflict(void **state)
{
	fixture *f = *state;
	pc_provider *p = open_local(f);
	pc_statement *st = NULL;
	char *old_version;

	create_ok(p, "ddl-a", "CREATE TABLE a (id INT) WITH ('kafka.partitions' = '1')");
	create_ok(p, "ddl-b", "CREATE TABLE b (id INT)");
	assert_phase(p, "ddl-a", 50, "COMPLETED");
	create_ok(p, "dml-b", "INSERT INTO b SELECT * FROM a");
	assert_phase(p, "dml-b", 60, "RUNNING");
	assert_int_equal(p->ops->get_statement(p, "dml-b", &st), 0);
	old_version = pc_strdup(st->resource_version);
	st->stopped = 1;
	assert_int_equal(p->ops->update_statement(p, st), 0);
	/* the same (now stale) object again */
	assert_int_equal(p->ops->update_statement(p, st), PC_ECONFLICT);
	pc_statement_free(st);
	assert_phase(p, "dml-b", 60, "STOPPED");
	assert_int_equal(p->ops->get_statement(p, "dml-b", &st), 0);
	assert_true(st->stopped);
	assert_string_not_equal(st->resource_version, old_version);
	assert_non_null(pc_kv_get(&st->latest_offsets, "a"));
	assert_true(strncmp(pc_kv_get(&st->latest_offsets, "a"), "partition:0,offset:", 19) == 0);
	assert_non_null(st->latest_offsets_timestamp);
	pc_statement_free(st);
	free(old_version);
	assert_int_equal(p->ops->delete_statement(p, "dml-b"), 0);
	assert_int_equal(p->ops->get_statement(p, "dml-b", &st), PC_ENOTFOUND);
	assert_int_equal(p->ops->delete_statement(p, "dml-b"), PC_ENOTFOUND);
	pc_provider_free(p);
}

static void test_local_exceptions__failed_statement_reports_the_missing_table(void **state)
{
	fixture *f = *state;
	pc_provider *p = open_local(f);
	pc_vec v = PC_VEC_INIT;
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;

	create_ok(p, "dml-x", "INSERT INTO nowhere SELECT * FROM nothing");
	assert_phase(p, "dml-x", 60, "FAILED");
	assert_int_equal(p->ops->list_exceptions(p, "dml-x", &v), 0);
	assert_int_equal(v.len, 1);
	assert_non_null(strstr(((pc_statement_exception *)v.items[0])->message, "nothing"));
	pc_vec_dispose(&v, pc_statement_exception_free);
	spec.name = "dml-x";
	spec.sql = "SELECT 1";
	assert_int_equal(p->ops->create_statement(p, &spec, &st), PC_EEXISTS);
	assert_null(st);
	pc_provider_free(p);
}

static void test_local_pools__default_pool_and_created_pool_provision(void **state)
{
	fixture *f = *state;
	pc_provider *p = open_local(f);
	pc_pool_spec spec = { "pool-a", "AWS", "us-east-1", 10 };
	pc_pool *pool = NULL, *again = NULL;
	pc_vec v = PC_VEC_INIT;

	assert_int_equal(p->ops->create_pool(p, &spec, &pool), 0);
	assert_string_equal(pool->phase, "PROVISIONING");
	pc_sleep_ms(40);
	assert_int_equal(p->ops->get_pool(p, pool->id, &again), 0);
	assert_string_equal(again->phase, "PROVISIONED");
	assert_int_equal(p->ops->list_pools(p, &v), 0);
	assert_int_equal(v.len, 2);
	assert_string_equal(((pc_pool *)v.items[0])->id, "lfcp-local");
	pc_vec_dispose(&v, pc_pool_free);
	pc_pool_free(pool);
	pc_pool_free(again);
	pc_provider_free(p);
}

static void write_file(const char *root, const char *rel, const char *text)
{
	char *path = pc_path_join(root, rel), *dir = pc_path_dirname(path);
	assert_int_equal(pc_fs_mkdirs(dir), 0);
	assert_int_equal(pc_fs_write_atomic(path, text, strlen(text)), 0);
	free(dir);
	free(path);
}

static void test_local_externals__declared_ones_exist_as_topics_from_their_ddl(void **state)
{
	fixture *f = *state;
	pc_external_cfg raw = { "raw_orders", "externals/raw_orders.sql", 3 };
	pc_external_cfg bare = { "cat.db.raw_users", NULL, 5 };
	pc_provider *p;
	pc_topic *t = NULL;
	pc_vec stmts = PC_VEC_INIT;

	write_file(f->root, "externals/raw_orders.sql",
		   "-- the CDC topic\nCREATE TABLE raw_orders (id INT) DISTRIBUTED INTO 3 BUCKETS;\n");
	pc_vec_push(&f->cfg.externals, &raw);
	pc_vec_push(&f->cfg.externals, &bare);
	p = open_local(f);
	/* created on first use, as a topic with the DDL's partitions, and by no statement */
	assert_int_equal(p->ops->get_topic(p, "raw_orders", &t), 0);
	assert_int_equal(t->partitions, 3);
	pc_topic_free(t);
	assert_int_equal(p->ops->get_topic(p, "raw_users", &t), PC_ENOTFOUND); /* no DDL: never created */
	assert_int_equal(p->ops->list_statements(p, &stmts), 0);
	assert_int_equal(stmts.len, 0);
	pc_provider_free(p);
	/* kept in the state: a provider without the externals still sees it */
	pc_vec_dispose(&f->cfg.externals, NULL);
	p = open_local(f);
	assert_int_equal(p->ops->get_topic(p, "raw_orders", &t), 0);
	pc_topic_free(t);
	/* a dropped external comes back: it is the target's precondition, not pipectl's table */
	pc_vec_push(&f->cfg.externals, &raw);
	pc_provider_free(p);
	p = open_local(f);
	assert_int_equal(p->ops->delete_topic(p, "raw_orders"), 0);
	assert_int_equal(p->ops->get_topic(p, "raw_orders", &t), 0);
	pc_topic_free(t);
	pc_provider_free(p);
	/* a DDL that creates another table is an error naming the external */
	write_file(f->root, "externals/raw_orders.sql", "CREATE TABLE raw_order (id INT);\n");
	{
		char *state_file = pc_path_join(f->root, ".pipectl/local-state.json");
		assert_int_equal(unlink(state_file), 0); /* a fresh target: the external must be created */
		free(state_file);
	}
	p = open_local(f);
	assert_int_equal(p->ops->get_topic(p, "raw_orders", &t), PC_EINVALID);
	assert_string_equal(pc_error_last(), "external table 'raw_orders': its DDL 'externals/raw_orders.sql' does not create it");
	pc_provider_free(p);
	pc_vec_dispose(&f->cfg.externals, NULL);
	pc_vec_dispose(&stmts, pc_statement_free);
}

static void test_local_state__two_providers_see_each_others_changes(void **state)
{
	fixture *f = *state;
	pc_provider *a = open_local(f), *b = open_local(f);
	pc_statement *st = NULL;

	create_ok(a, "ddl-one", "CREATE TABLE one (id INT)");
	assert_int_equal(b->ops->get_statement(b, "ddl-one", &st), 0);
	pc_statement_free(st);
	assert_int_equal(b->ops->delete_statement(b, "ddl-one"), 0);
	assert_int_equal(a->ops->get_statement(a, "ddl-one", &st), PC_ENOTFOUND);
	pc_provider_free(a);
	pc_provider_free(b);
}

static void test_local_state__interleaved_writers_lose_nothing(void **state)
{
	fixture *f = *state;
	pc_provider *a = open_local(f), *b = open_local(f), *c;
	pc_vec v = PC_VEC_INIT;
	char name[32];

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "ddl-%02d", i);
		create_ok(i % 2 ? b : a, name, "SHOW TABLES");
	}
	pc_provider_free(a);
	pc_provider_free(b);
	c = open_local(f);
	assert_int_equal(c->ops->list_statements(c, &v), 0);
	assert_int_equal(v.len, 40);
	pc_vec_dispose(&v, pc_statement_free);
	pc_provider_free(c);
}

static void test_local_state__corrupt_file_is_reported_and_left_untouched(void **state)
{
	fixture *f = *state;
	pc_provider *p;
	pc_statement *st = NULL;
	char *dir = pc_sprintf("%s/.pipectl", f->root), *path = pc_path_join(dir, "local-state.json");
	char *text = NULL;
	size_t len;
	const char *bad = "{\"format\": 1,\n  \"environments\": [\n";

	assert_int_equal(pc_fs_mkdirs(dir), 0);
	assert_int_equal(pc_fs_write_atomic(path, bad, strlen(bad)), 0);
	p = open_local(f);
	assert_int_equal(p->ops->get_statement(p, "x", &st), PC_EPARSE);
	assert_true(strncmp(pc_error_last(), "could not load local state '.pipectl/local-state.json': ", 56) == 0);
	assert_non_null(strstr(pc_error_last(), "line 3"));
	assert_int_equal(p->ops->create_statement(p, &(pc_statement_spec){ .name = "y", .sql = "SELECT 1" }, &st),
			 PC_EPARSE);
	pc_provider_free(p);
	assert_int_equal(pc_fs_read(&text, &len, path), 0);
	assert_string_equal(text, bad);
	free(text);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_local_statements__run_and_survive_a_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_update__stop_gives_latest_offsets_and_stale_versions_conflict,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_exceptions__failed_statement_reports_the_missing_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_local_pools__default_pool_and_created_pool_provision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_state__two_providers_see_each_others_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_externals__declared_ones_exist_as_topics_from_their_ddl, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_local_state__interleaved_writers_lose_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_state__corrupt_file_is_reported_and_left_untouched, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
