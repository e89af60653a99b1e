/*
 * test_sim_strict.c - the simulation is as strict as Confluent Cloud
 * (docs/emulator.md, "What the service does"), and each lenient behaviour
 * comes back only by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/sim.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENV "env-test"
#define T0 1700000000000LL

static pc_sim *new_sim_with(const pc_sim_options *extra)
{
	pc_sim *s = NULL;
	pc_sim_options o = { 0 };
	if (extra)
		o = *extra;
	o.ddl_ms = 200;
	o.pending_ms = 300;
	o.produce_rate = 10;
	assert_int_equal(pc_sim_new(&s, &o), 0);
	return s;
}

static int try_create(pc_sim *s, int64_t now, const char *name, const char *sql, const pc_kvlist *labels,
		      const pc_kvlist *props, int stopped)
{
	pc_sim_stmt_req r = { 0 };
	pc_sim_stmt *st = NULL;
	r.name = name;
	r.sql = sql;
	r.labels = labels;
	r.properties = props;
	r.stopped = stopped;
	return pc_sim_create_statement(s, now, "org", ENV, &r, &st);
}

static void create(pc_sim *s, int64_t now, const char *name, const char *sql)
{
	if (try_create(s, now, name, sql, NULL, NULL, 0) != 0)
		fail_msg("create %s: %s", name, pc_error_last());
}

static pc_sim_stmt *get(pc_sim *s, int64_t now, const char *name)
{
	pc_sim_stmt *st = NULL;
	if (pc_sim_get_statement(s, now, ENV, name, &st) != 0)
		fail_msg("get %s: %s", name, pc_error_last());
	return st;
}

static const char *phase(pc_sim *s, int64_t now, const char *name)
{
	return pc_sim_phase_name(get(s, now, name)->phase);
}

static int set_stopped(pc_sim *s, int64_t now, const char *name, int stopped)
{
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	u.stopped = stopped;
	return pc_sim_update_statement(s, now, ENV, name, &u, &st);
}

static void tables(pc_sim *s)
{
	create(s, T0, "ddl-src", "CREATE TABLE src (id INT)");
	create(s, T0, "ddl-dst", "CREATE TABLE dst (id INT)");
	assert_string_equal(phase(s, T0 + 200, "ddl-dst"), "COMPLETED");
}

static void test_strict__labels_need_the_user_prefix_at_create(void **state)
{
	pc_sim *s = new_sim_with(NULL);
	pc_kvlist labels = PC_VEC_INIT;
	pc_sim_options o = { 0 };
	(void)state;
	pc_kv_set(&labels, "pipectl-kind", "ddl");
	assert_int_equal(try_create(s, T0, "a", "CREATE TABLE a (id INT)", &labels, NULL, 0), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'pipectl-kind'"));
	assert_non_null(strstr(pc_error_last(), "user.confluent.io/"));
	pc_kv_dispose(&labels);
	pc_kv_set(&labels, "user.confluent.io/pipectl-kind", "ddl");
	assert_int_equal(try_create(s, T0, "a", "CREATE TABLE a (id INT)", &labels, NULL, 0), 0);
	pc_sim_free(s);
	/* by name: labels-prefix */
	pc_kv_dispose(&labels);
	pc_kv_set(&labels, "pipectl-kind", "ddl");
	o.lenient = PC_SIM_LENIENT_LABELS_PREFIX;
	s = new_sim_with(&o);
	assert_int_equal(try_create(s, T0, "a", "CREATE TABLE a (id INT)", &labels, NULL, 0), 0);
	pc_kv_dispose(&labels);
	pc_sim_free(s);
}

static void test_strict__created_stopped_runs_anyway(void **state)
{
	pc_sim *s = new_sim_with(NULL);
	pc_sim_options o = { 0 };
	(void)state;
	tables(s);
	assert_int_equal(try_create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL, NULL, 1), 0);
	assert_false(get(s, T0 + 200, "dml")->stopped);
	assert_string_equal(phase(s, T0 + 500, "dml"), "RUNNING");
	assert_int_equal(try_create(s, T0 + 200, "lock", "SHOW TABLES;", NULL, NULL, 1), 0);
	assert_string_equal(phase(s, T0 + 700, "lock"), "COMPLETED"); /* created at 500: time only moves on */
	pc_sim_free(s);
	o.lenient = PC_SIM_LENIENT_CREATE_STOPPED;
	s = new_sim_with(&o);
	tables(s);
	assert_int_equal(try_create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL, NULL, 1), 0);
	assert_string_equal(phase(s, T0 + 500, "dml"), "STOPPED");
	pc_sim_free(s);
}

static void test_strict__only_insert_statement_set_and_ctas_stop(void **state)
{
	pc_sim *s = new_sim_with(NULL);
	(void)state;
	tables(s);
	create(s, T0 + 200, "sel", "SELECT * FROM src");
	create(s, T0 + 200, "ctas", "CREATE TABLE cp AS SELECT * FROM src");
	create(s, T0 + 200, "ins", "INSERT INTO dst SELECT * FROM src");
	assert_string_equal(phase(s, T0 + 500, "sel"), "RUNNING");
	/* a DDL, COMPLETED */
	assert_int_equal(set_stopped(s, T0 + 500, "ddl-src", 1), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "CREATE_TABLE"));
	assert_non_null(strstr(pc_error_last(), "can not be stopped"));
	/* a foreground SELECT */
	assert_int_equal(set_stopped(s, T0 + 500, "sel", 1), PC_EINVALID);
	assert_int_equal(set_stopped(s, T0 + 500, "ctas", 1), 0);
	assert_int_equal(set_stopped(s, T0 + 500, "ins", 1), 0);
	assert_string_equal(phase(s, T0 + 700, "ins"), "STOPPED");
	pc_sim_free(s);
}

static void test_strict__put_refuses_properties_and_ignores_labels(void **state)
{
	pc_sim *s = new_sim_with(NULL);
	pc_kvlist props = PC_VEC_INIT, labels = PC_VEC_INIT;
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	int64_t v;
	(void)state;
	tables(s);
	create(s, T0 + 200, "ins", "INSERT INTO dst SELECT * FROM src");
	assert_int_equal(set_stopped(s, T0 + 500, "ins", 1), 0);
	assert_string_equal(phase(s, T0 + 700, "ins"), "STOPPED");
	/* properties: refused even while stopped */
	pc_kv_set(&props, "sql.current-catalog", "other");
	u.stopped = -1;
	u.properties = &props;
	assert_int_equal(pc_sim_update_statement(s, T0 + 700, ENV, "ins", &u, &st), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "spec.properties"));
	/* the SQL: refused */
	u.properties = NULL;
	u.sql = "INSERT INTO dst SELECT id FROM src";
	assert_int_equal(pc_sim_update_statement(s, T0 + 700, ENV, "ins", &u, &st), PC_EINVALID);
	/* labels: accepted, nothing changes */
	u.sql = NULL;
	pc_kv_set(&labels, "user.confluent.io/x", "y");
	u.labels = &labels;
	v = get(s, T0 + 700, "ins")->resource_version;
	assert_int_equal(pc_sim_update_statement(s, T0 + 700, ENV, "ins", &u, &st), 0);
	assert_null(pc_kv_get(&get(s, T0 + 700, "ins")->labels, "user.confluent.io/x"));
	assert_int_equal(get(s, T0 + 700, "ins")->resource_version, v);
	/* the pool changes on resume */
	u.labels = NULL;
	u.stopped = 0;
	u.compute_pool_id = "lfcp-other";
	assert_int_equal(pc_sim_update_statement(s, T0 + 700, ENV, "ins", &u, &st), 0);
	assert_string_equal(get(s, T0 + 700, "ins")->compute_pool_id, "lfcp-other");
	pc_kv_dispose(&props);
	pc_kv_dispose(&labels);
	pc_sim_free(s);
}

static void test_strict__dropped_topic_lingers_and_blocks_a_create(void **state)
{
	pc_sim_options o = { 0 };
	pc_sim *s;
	(void)state;
	o.topic_linger_ms = 1000;
	s = new_sim_with(&o);
	tables(s);
	create(s, T0 + 200, "drop", "DROP TABLE dst");
	assert_string_equal(phase(s, T0 + 400, "drop"), "COMPLETED");
	assert_non_null(pc_sim_find_topic(s, T0 + 400, "dst"));
	create(s, T0 + 400, "again", "CREATE TABLE IF NOT EXISTS dst (id INT)");
	assert_string_equal(phase(s, T0 + 600, "again"), "FAILED");
	assert_non_null(strstr(get(s, T0 + 600, "again")->detail, "already exists"));
	/* an INSERT into the dropped table fails: the table is gone from the catalog */
	create(s, T0 + 600, "ins", "INSERT INTO dst SELECT * FROM src");
	assert_string_equal(phase(s, T0 + 900, "ins"), "FAILED");
	/* after the linger the name is free */
	assert_null(pc_sim_find_topic(s, T0 + 1400, "dst"));
	create(s, T0 + 1400, "again2", "CREATE TABLE dst (id INT)");
	assert_string_equal(phase(s, T0 + 1600, "again2"), "COMPLETED");
	assert_non_null(pc_sim_find_topic(s, T0 + 1600, "dst"));
	pc_sim_free(s);
}

static void test_strict__stopped_statements_expire_too(void **state)
{
	pc_sim_options o = { 0 };
	pc_sim *s;
	pc_sim_stmt *st;
	(void)state;
	o.expire_terminal_ms = 5000;
	s = new_sim_with(&o);
	tables(s);
	create(s, T0 + 200, "ins", "INSERT INTO dst SELECT * FROM src");
	assert_int_equal(set_stopped(s, T0 + 600, "ins", 1), 0);
	assert_string_equal(phase(s, T0 + 800, "ins"), "STOPPED");
	assert_int_equal(pc_sim_get_statement(s, T0 + 5799, ENV, "ins", &st), 0);
	assert_int_equal(pc_sim_get_statement(s, T0 + 5800, ENV, "ins", &st), PC_ENOTFOUND);
	/* the DDLs went at 200 + 5000 */
	assert_int_equal(pc_sim_get_statement(s, T0 + 5800, ENV, "ddl-src", &st), PC_ENOTFOUND);
	pc_sim_free(s);
}

static void test_strict__resumed_statement_does_not_expire(void **state)
{
	pc_sim_options o = { 0 };
	pc_sim *s;
	pc_sim_stmt *st;
	(void)state;
	o.expire_terminal_ms = 5000;
	s = new_sim_with(&o);
	tables(s);
	create(s, T0 + 200, "ins", "INSERT INTO dst SELECT * FROM src");
	assert_int_equal(set_stopped(s, T0 + 600, "ins", 1), 0);
	assert_string_equal(phase(s, T0 + 800, "ins"), "STOPPED");
	assert_int_equal(set_stopped(s, T0 + 1000, "ins", 0), 0);
	assert_int_equal(pc_sim_get_statement(s, T0 + 9000, ENV, "ins", &st), 0);
	assert_string_equal(pc_sim_phase_name(st->phase), "RUNNING");
	pc_sim_free(s);
}

static void test_strict__carry_over_fails_after_its_timeout(void **state)
{
	pc_sim_options o = { 0 };
	pc_kvlist props = PC_VEC_INIT;
	pc_sim *s;
	(void)state;
	o.carry_timeout_ms = 10000;
	s = new_sim_with(&o);
	tables(s);
	create(s, T0 + 200, "old", "INSERT INTO dst SELECT * FROM src");
	pc_kv_set(&props, "sql.tables.initial-offset-from", "old");
	assert_int_equal(try_create(s, T0 + 600, "new", "INSERT INTO dst SELECT id FROM src", NULL, &props, 0), 0);
	assert_string_equal(phase(s, T0 + 5000, "new"), "PENDING");
	assert_non_null(strstr(get(s, T0 + 5000, "new")->detail, "pending until referenced statement old"));
	assert_string_equal(phase(s, T0 + 10900, "new"), "FAILED");
	assert_non_null(strstr(get(s, T0 + 10900, "new")->detail, "was not stopped within 10 s"));
	pc_kv_dispose(&props);
	pc_sim_free(s);
}

static void test_strict__deleted_statement_may_answer_403(void **state)
{
	pc_sim_options o = { 0 };
	pc_sim *s;
	pc_sim_stmt *st;
	(void)state;
	o.forbid_deleted = 1;
	s = new_sim_with(&o);
	create(s, T0, "a", "CREATE TABLE a (id INT)");
	assert_int_equal(pc_sim_delete_statement(s, T0 + 300, ENV, "a"), 0);
	assert_int_equal(pc_sim_get_statement(s, T0 + 300, ENV, "a", &st), PC_EAUTH);
	assert_int_equal(pc_sim_get_statement(s, T0 + 300, ENV, "never", &st), PC_ENOTFOUND);
	pc_sim_free(s);
}

static void test_strict__pool_create_requires_its_fields(void **state)
{
	pc_sim_options o = { 0 };
	pc_sim *s = new_sim_with(NULL);
	pc_sim_pool *p;
	(void)state;
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "pool-a", NULL, "us-east-2", 10, &p), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "spec.cloud"));
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "pool-a", "AWS", "", 10, &p), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "spec.region"));
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "pool-a", "AWS", "us-east-2", 0, &p), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "spec.max_cfu"));
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "pool-a", "AWS", "us-east-2", 15, &p), PC_EINVALID);
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "_bad", "AWS", "us-east-2", 10, &p), PC_EINVALID);
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "pool-a", "AWS", "us-east-2", 10, &p), 0);
	assert_string_equal(pc_sim_pool_phase(p, T0), "PROVISIONING");
	assert_string_equal(pc_sim_pool_phase(p, T0 + 200), "PROVISIONED");
	pc_sim_free(s);
	o.fail_pool = "^doomed";
	s = new_sim_with(&o);
	assert_int_equal(pc_sim_create_pool(s, T0, ENV, "doomed-pool", "AWS", "us-east-2", 10, &p), 0);
	assert_string_equal(pc_sim_pool_phase(p, T0 + 200), "FAILED");
	pc_sim_free(s);
}

static void test_strict__lenient_names_parse(void **state)
{
	unsigned bits;
	(void)state;
	assert_int_equal(pc_sim_lenient_parse("labels-update,stop-any", &bits), 0);
	assert_int_equal(bits, PC_SIM_LENIENT_LABELS_UPDATE | PC_SIM_LENIENT_STOP_ANY);
	assert_int_equal(pc_sim_lenient_parse("labels-update,nope", &bits), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "'nope'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict__labels_need_the_user_prefix_at_create),
		cmocka_unit_test(test_strict__created_stopped_runs_anyway),
		cmocka_unit_test(test_strict__only_insert_statement_set_and_ctas_stop),
		cmocka_unit_test(test_strict__put_refuses_properties_and_ignores_labels),
		cmocka_unit_test(test_strict__dropped_topic_lingers_and_blocks_a_create),
		cmocka_unit_test(test_strict__stopped_statements_expire_too),
		cmocka_unit_test(test_strict__resumed_statement_does_not_expire),
		cmocka_unit_test(test_strict__carry_over_fails_after_its_timeout),
		cmocka_unit_test(test_strict__deleted_statement_may_answer_403),
		cmocka_unit_test(test_strict__pool_create_requires_its_fields),
		cmocka_unit_test(test_strict__lenient_names_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
