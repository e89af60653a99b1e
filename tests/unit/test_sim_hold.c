/*
 * test_sim_hold.c - holds (sim_hold.c): matching statements stay PENDING or
 * STOPPING, whatever the clock, until released; then they go on at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/sim.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENV "env-test"
#define T0 1700000000000LL
#define LATER (T0 + 3600 * 1000LL) /* far beyond every delay */

static pc_sim *new_sim(const char *hold)
{
	pc_sim *s = NULL;
	pc_sim_options o = { 0 };
	o.ddl_ms = 200;
	o.pending_ms = 300;
	o.produce_rate = 10;
	o.hold = hold;
	assert_int_equal(pc_sim_new(&s, &o), 0);
	return s;
}

static void create_in(pc_sim *s, int64_t now, const char *env, const char *name, const char *sql, const char *carry)
{
	pc_sim_stmt_req r = { 0 };
	pc_sim_stmt *st = NULL;
	pc_kvlist props = PC_VEC_INIT;
	if (carry)
		pc_kv_set(&props, "sql.tables.initial-offset-from", carry);
	r.name = name;
	r.sql = sql;
	r.properties = &props;
	if (pc_sim_create_statement(s, now, "org", env, &r, &st) != 0)
		fail_msg("create %s: %s", name, pc_error_last());
	pc_kv_dispose(&props);
}

static void create(pc_sim *s, int64_t now, const char *name, const char *sql, const char *carry)
{
	create_in(s, now, ENV, name, sql, carry);
}

static const char *phase_in(pc_sim *s, int64_t now, const char *env, const char *name)
{
	pc_sim_stmt *st = NULL;
	if (pc_sim_get_statement(s, now, env, name, &st) != 0)
		fail_msg("get %s: %s", name, pc_error_last());
	return pc_sim_phase_name(st->phase);
}

static const char *phase(pc_sim *s, int64_t now, const char *name)
{
	return phase_in(s, now, ENV, name);
}

static void set_stopped(pc_sim *s, int64_t now, const char *name, int stopped)
{
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	u.stopped = stopped;
	if (pc_sim_update_statement(s, now, ENV, name, &u, &st) != 0)
		fail_msg("update %s: %s", name, pc_error_last());
}

/* The holds JSON of ENV, compared whole. */
static void assert_holds(pc_sim *s, int64_t now, const char *want)
{
	pc_buf b = PC_BUF_INIT;
	assert_int_equal(pc_sim_holds_json(s, now, ENV, &b), 0);
	assert_string_equal(b.ptr, want);
	pc_buf_dispose(&b);
}

static void tables(pc_sim *s)
{
	create(s, T0, "ddl-src", "CREATE TABLE src (id INT) WITH ('kafka.partitions' = '2')", NULL);
	create(s, T0, "ddl-dst", "CREATE TABLE dst (id INT)", NULL);
	pc_sim_tick(s, T0 + 1000);
}

static void test_sim_hold__a_ddl_matching_its_sql_stays_pending_until_the_hold_goes(void **state)
{
	pc_sim *s = new_sim(NULL);
	(void)state;
	assert_int_equal(pc_sim_hold(s, T0, ENV, "DROP TABLE"), 0);
	create(s, T0, "ddl-a", "CREATE TABLE a (id INT)", NULL);
	create(s, T0, "ddl-b", "DROP TABLE IF EXISTS b", NULL);
	assert_string_equal(phase(s, LATER, "ddl-a"), "COMPLETED"); /* not matched: on time */
	assert_string_equal(phase(s, LATER, "ddl-b"), "PENDING");
	assert_holds(s, LATER, "{\"holds\":[\"DROP TABLE\"],\"held\":[\"ddl-b\"],\"held_topics\":[]}");
	/* another pattern is not this hold */
	assert_int_equal(pc_sim_release(s, LATER, ENV, NULL, "DROP"), PC_ENOTFOUND);
	assert_string_equal(phase(s, LATER + 1, "ddl-b"), "PENDING");
	/* lifted: the transition happens at once, not after another --ddl-ms */
	assert_int_equal(pc_sim_release(s, LATER + 1, ENV, NULL, "DROP TABLE"), 0);
	assert_string_equal(phase(s, LATER + 1, "ddl-b"), "COMPLETED");
	assert_holds(s, LATER + 1, "{\"holds\":[],\"held\":[],\"held_topics\":[]}");
	pc_sim_free(s);
}

static void test_sim_hold__a_dml_stays_pending_then_stopping_and_a_named_release_is_for_good(void **state)
{
	pc_sim *s = new_sim(NULL);
	(void)state;
	tables(s);
	assert_int_equal(pc_sim_hold(s, T0 + 1000, ENV, "^dml-a$"), 0); /* by name */
	create(s, T0 + 1000, "dml-a", "INSERT INTO dst SELECT id FROM src", NULL);
	assert_string_equal(phase(s, LATER, "dml-a"), "PENDING");
	assert_int_equal(pc_sim_release(s, LATER, ENV, "dml-a", NULL), 0);
	assert_string_equal(phase(s, LATER, "dml-a"), "RUNNING");
	/* released by name: the hold, still in place, no longer applies to it */
	set_stopped(s, LATER + 10, "dml-a", 1);
	assert_string_equal(phase(s, LATER + 10000, "dml-a"), "STOPPED");
	assert_holds(s, LATER + 10000, "{\"holds\":[\"^dml-a$\"],\"held\":[],\"held_topics\":[]}");
	/* a held statement stopped before it started is STOPPED at once, and no longer held */
	assert_int_equal(pc_sim_hold(s, LATER + 10000, ENV, "^dml-b$"), 0);
	create(s, LATER + 10000, "dml-b", "INSERT INTO dst SELECT id FROM src", NULL);
	assert_holds(s, LATER + 20000, "{\"holds\":[\"^dml-a$\",\"^dml-b$\"],\"held\":[\"dml-b\"],\"held_topics\":[]}");
	set_stopped(s, LATER + 20000, "dml-b", 1);
	assert_string_equal(phase(s, LATER + 20000, "dml-b"), "STOPPED");
	assert_holds(s, LATER + 20000, "{\"holds\":[\"^dml-a$\",\"^dml-b$\"],\"held\":[],\"held_topics\":[]}");
	assert_int_equal(pc_sim_release(s, LATER, ENV, "dml-nope", NULL), PC_ENOTFOUND);
	pc_sim_free(s);
}

static void test_sim_hold__stopping_is_held_and_a_carry_over_waits_then_starts_exactly(void **state)
{
	pc_sim *s = new_sim(NULL);
	pc_buf b = PC_BUF_INIT;
	int64_t t;
	(void)state;
	tables(s);
	create(s, T0 + 1000, "dml-old", "INSERT INTO dst SELECT id FROM src", NULL);
	assert_string_equal(phase(s, T0 + 5000, "dml-old"), "RUNNING");
	assert_int_equal(pc_sim_hold(s, T0 + 5000, ENV, "dml-old"), 0);
	set_stopped(s, T0 + 5000, "dml-old", 1);
	create(s, T0 + 5000, "dml-new", "INSERT INTO dst SELECT id FROM src", "dml-old");
	t = LATER;
	assert_string_equal(phase(s, t, "dml-old"), "STOPPING");
	assert_string_equal(phase(s, t, "dml-new"), "PENDING");
	assert_holds(s, t, "{\"holds\":[\"dml-old\"],\"held\":[\"dml-old\"],\"held_topics\":[]}");
	/* release everything: the stop completes at once, the carry-over starts */
	assert_int_equal(pc_sim_release(s, t, ENV, NULL, NULL), 0);
	assert_string_equal(phase(s, t, "dml-old"), "STOPPED");
	assert_string_equal(phase(s, t + 300, "dml-new"), "RUNNING");
	assert_int_equal(pc_sim_audit_json(s, t + 300, ENV, "dml-new", &b), 0);
	assert_non_null(strstr(b.ptr, "\"src\":[{\"partition\":0,\"from\":"));
	assert_null(strstr(b.ptr, "\"from\":0,")); /* carried over, not from earliest */
	pc_buf_dispose(&b);
	pc_sim_free(s);
}

static void test_sim_hold__a_hold_is_per_environment_and_hold_option_is_global(void **state)
{
	pc_sim *s = new_sim(NULL);
	pc_sim *g = new_sim("CREATE TABLE x");
	pc_sim *bad = NULL;
	pc_sim_options o = { 0 };
	(void)state;
	assert_int_equal(pc_sim_hold(s, T0, "env-other", "CREATE"), 0);
	create(s, T0, "ddl-x", "CREATE TABLE x (id INT)", NULL);
	create_in(s, T0, "env-other", "ddl-x", "CREATE TABLE x2 (id INT)", NULL);
	assert_string_equal(phase(s, LATER, "ddl-x"), "COMPLETED");
	assert_string_equal(phase_in(s, LATER, "env-other", "ddl-x"), "PENDING");
	/* the release of ENV lifts nothing of env-other */
	assert_int_equal(pc_sim_release(s, LATER, ENV, NULL, NULL), 0);
	assert_string_equal(phase_in(s, LATER, "env-other", "ddl-x"), "PENDING");
	pc_sim_free(s);

	/* --hold: every environment; a release of any environment lifts it */
	create(g, T0, "ddl-x", "CREATE TABLE x (id INT)", NULL);
	create_in(g, T0, "env-other", "ddl-x", "CREATE TABLE x (id INT)", NULL);
	assert_string_equal(phase(g, LATER, "ddl-x"), "PENDING");
	assert_string_equal(phase_in(g, LATER, "env-other", "ddl-x"), "PENDING");
	assert_int_equal(pc_sim_release(g, LATER, ENV, NULL, "CREATE TABLE x"), 0);
	assert_string_equal(phase(g, LATER, "ddl-x"), "COMPLETED");
	assert_string_equal(phase_in(g, LATER, "env-other", "ddl-x"), "FAILED"); /* x exists by then */
	pc_sim_free(g);

	bad = new_sim(NULL);
	assert_int_equal(pc_sim_hold(bad, T0, ENV, "(unclosed"), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "invalid hold regex"));
	pc_sim_free(bad);
	o.hold = "(";
	bad = NULL;
	assert_int_equal(pc_sim_new(&bad, &o), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "--hold"));
	assert_null(bad);
}

static void test_sim_hold__a_saved_held_statement_is_decided_again_after_a_load(void **state)
{
	pc_sim *s = new_sim("DROP TABLE");
	pc_sim *free_sim = new_sim(NULL), *held_sim = new_sim("DROP TABLE");
	pc_buf b = PC_BUF_INIT;
	(void)state;
	create(s, T0, "ddl-d", "DROP TABLE IF EXISTS d", NULL);
	assert_string_equal(phase(s, LATER, "ddl-d"), "PENDING");
	assert_int_equal(pc_sim_save_json(s, &b), 0);
	/* holds are not saved: a simulation without one lets it go on */
	assert_int_equal(pc_sim_load_json(free_sim, b.ptr, b.len, "state"), 0);
	assert_string_equal(phase(free_sim, LATER + 1, "ddl-d"), "COMPLETED");
	/* the held transition is: one with the hold keeps it held */
	assert_int_equal(pc_sim_load_json(held_sim, b.ptr, b.len, "state"), 0);
	assert_string_equal(phase(held_sim, LATER + 1, "ddl-d"), "PENDING");
	assert_int_equal(pc_sim_release(held_sim, LATER + 2, ENV, "ddl-d", NULL), 0);
	assert_string_equal(phase(held_sim, LATER + 2, "ddl-d"), "COMPLETED");
	pc_buf_dispose(&b);
	pc_sim_free(s);
	pc_sim_free(free_sim);
	pc_sim_free(held_sim);
}

static void test_sim_hold__a_dropped_topic_matching_a_hold_lingers_until_the_hold_goes(void **state)
{
	pc_sim *s = new_sim(NULL);
	(void)state;
	tables(s);
	assert_int_equal(pc_sim_hold(s, T0 + 1000, "env-any", "^dst$"), 0); /* topics are the cluster's */
	create(s, T0 + 1000, "drop-src", "DROP TABLE src", NULL);
	create(s, T0 + 1000, "drop-dst", "DROP TABLE dst", NULL);
	assert_string_equal(phase(s, T0 + 2000, "drop-dst"), "COMPLETED"); /* the statement is not held */
	assert_null(pc_sim_find_topic(s, LATER, "src"));                      /* lingered 500 ms, gone */
	assert_non_null(pc_sim_find_topic(s, LATER, "dst"));                  /* still lingering */
	assert_holds(s, LATER, "{\"holds\":[],\"held\":[],\"held_topics\":[\"dst\"]}");
	assert_int_equal(pc_sim_release(s, LATER, "env-any", NULL, NULL), 0);
	assert_null(pc_sim_find_topic(s, LATER, "dst"));
	pc_sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_hold__a_ddl_matching_its_sql_stays_pending_until_the_hold_goes),
		cmocka_unit_test(test_sim_hold__a_dml_stays_pending_then_stopping_and_a_named_release_is_for_good),
		cmocka_unit_test(test_sim_hold__stopping_is_held_and_a_carry_over_waits_then_starts_exactly),
		cmocka_unit_test(test_sim_hold__a_hold_is_per_environment_and_hold_option_is_global),
		cmocka_unit_test(test_sim_hold__a_saved_held_statement_is_decided_again_after_a_load),
		cmocka_unit_test(test_sim_hold__a_dropped_topic_matching_a_hold_lingers_until_the_hold_goes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
