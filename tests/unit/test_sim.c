/*
 * test_sim.c - the simulated Confluent Cloud with a fake clock.
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

static pc_sim *new_sim(const char *fail, int64_t expire_ms)
{
	pc_sim *s = NULL;
	pc_sim_options o = { 0 };
	o.ddl_ms = 200;
	o.pending_ms = 300;
	o.produce_rate = 10;
	o.fail_statement = fail;
	o.expire_completed_ms = expire_ms;
	assert_int_equal(pc_sim_new(&s, &o), 0);
	return s;
}

static pc_sim_stmt *create(pc_sim *s, int64_t now, const char *name, const char *sql, const char *carry)
{
	pc_sim_stmt_req r = { 0 };
	pc_sim_stmt *st = NULL;
	pc_kvlist props = PC_VEC_INIT;
	int rc;
	if (carry)
		pc_kv_set(&props, "sql.tables.initial-offset-from", carry);
	r.name = name;
	r.sql = sql;
	r.properties = &props;
	rc = pc_sim_create_statement(s, now, "org", ENV, &r, &st);
	if (rc)
		fail_msg("create %s: %s", name, pc_error_last());
	pc_kv_dispose(&props);
	return st;
}

static pc_sim_stmt *get(pc_sim *s, int64_t now, const char *name)
{
	pc_sim_stmt *st = NULL;
	int rc = pc_sim_get_statement(s, now, ENV, name, &st);
	if (rc)
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

static void two_tables(pc_sim *s)
{
	create(s, T0, "ddl-src", "CREATE TABLE src (id INT) WITH ('kafka.partitions' = '2')", NULL);
	create(s, T0, "ddl-dst", "CREATE TABLE dst (id INT)", NULL);
}

static void test_sim_ddl__create_table_completes_after_ddl_ms_and_makes_a_topic(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_topic *t;
	(void)state;
	two_tables(s);
	assert_string_equal(phase(s, T0 + 100, "ddl-src"), "PENDING");
	assert_null(pc_sim_find_topic(s, T0 + 100, "src"));
	assert_string_equal(phase(s, T0 + 200, "ddl-src"), "COMPLETED");
	t = pc_sim_find_topic(s, T0 + 200, "src");
	assert_non_null(t);
	assert_int_equal(t->partitions, 2);
	assert_int_equal(pc_sim_find_topic(s, T0 + 200, "dst")->partitions, 6);
	pc_sim_free(s);
}

static void test_sim_ddl__buckets_qualified_names_and_ctas(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	(void)state;
	create(s, T0, "ddl-b", "CREATE TABLE `cat`.`db`.`bucketed` (id INT) DISTRIBUTED BY HASH(id) INTO 4 BUCKETS", NULL);
	assert_string_equal(phase(s, T0 + 200, "ddl-b"), "COMPLETED");
	assert_int_equal(pc_sim_find_topic(s, T0 + 200, "bucketed")->partitions, 4);
	st = create(s, T0 + 200, "ctas", "CREATE TABLE copy AS SELECT id FROM bucketed", NULL);
	assert_string_equal(st->sql_kind, "CREATE_TABLE_AS");
	assert_string_equal(phase(s, T0 + 500, "ctas"), "RUNNING");
	assert_non_null(pc_sim_find_topic(s, T0 + 500, "copy"));
	create(s, T0 + 600, "drop-b", "DROP TABLE IF EXISTS cat.db.bucketed", NULL);
	assert_string_equal(phase(s, T0 + 800, "drop-b"), "COMPLETED");
	assert_string_equal(phase(s, T0 + 800, "ctas"), "FAILED");
	/* Kafka deletes the topic asynchronously: it lingers topic_linger_ms (500) */
	assert_non_null(pc_sim_find_topic(s, T0 + 800, "bucketed"));
	assert_null(pc_sim_find_topic(s, T0 + 1300, "bucketed"));
	pc_sim_free(s);
}

static void test_sim_ddl__existing_table_fails_without_if_not_exists(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 500, "ddl-src-2", "CREATE TABLE src (id INT)", NULL);
	create(s, T0 + 500, "ddl-src-3", "CREATE TABLE IF NOT EXISTS src (id INT)", NULL);
	st = get(s, T0 + 1000, "ddl-src-2");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	assert_string_equal(st->detail, "Table 'src' already exists");
	assert_string_equal(phase(s, T0 + 1000, "ddl-src-3"), "COMPLETED");
	pc_sim_free(s);
}

static void test_sim_ddl__drop_missing_table_fails_unless_if_exists(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	(void)state;
	create(s, T0, "drop-1", "DROP TABLE nothing", NULL);
	create(s, T0, "drop-2", "DROP TABLE IF EXISTS nothing", NULL);
	assert_string_equal(phase(s, T0 + 300, "drop-1"), "FAILED");
	assert_string_equal(get(s, T0 + 300, "drop-1")->detail, "Table 'nothing' does not exist");
	assert_string_equal(phase(s, T0 + 300, "drop-2"), "COMPLETED");
	pc_sim_free(s);
}

static void test_sim_dml__runs_after_pending_ms_and_consumes_source_records(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_buf b = PC_BUF_INIT;
	pc_sim_stmt *st;
	pc_sim_input *in;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml-dst", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_string_equal(phase(s, T0 + 400, "dml-dst"), "PENDING");
	assert_string_equal(phase(s, T0 + 500, "dml-dst"), "RUNNING");
	/* src was created at T0+200; at T0+10200 it holds 10 s * 10 records per partition */
	st = get(s, T0 + 10200, "dml-dst");
	in = st->inputs.items[0];
	assert_int_equal(in->partitions, 2);
	assert_int_equal(in->from[0], 0);
	assert_int_equal(in->pos[0], 100);
	assert_int_equal(in->pos[1], 100);
	assert_int_equal(((pc_sim_output *)st->outputs.items[0])->produced, 200);
	assert_int_equal(pc_sim_audit_json(s, T0 + 10200, ENV, "dml-dst", &b), 0);
	assert_non_null(strstr(b.ptr, "\"consumed\":{\"src\":[{\"partition\":0,\"from\":0,\"to\":100}"));
	assert_non_null(strstr(b.ptr, "\"produced\":{\"dst\":200}"));
	pc_buf_dispose(&b);
	pc_sim_free(s);
}

static void test_sim_dml__missing_table_fails_naming_it(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	(void)state;
	create(s, T0, "ddl-dst", "CREATE TABLE dst (id INT)", NULL);
	create(s, T0, "dml-dst", "INSERT INTO dst SELECT * FROM missing_src", NULL);
	st = get(s, T0 + 1000, "dml-dst");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	assert_string_equal(st->detail, "Table 'missing_src' does not exist");
	assert_int_equal(st->exceptions.len, 1);
	pc_sim_free(s);
}

static void test_sim_sql__unparsable_statement_fails_keeping_its_detail(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	const pc_sim_exception *e;
	(void)state;
	create(s, T0, "odd", "SELEC 1 FORM t", NULL);
	st = get(s, T0 + 1000, "odd");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	/* the parse error the detail held at create is the detail and the exception once FAILED */
	assert_non_null(strstr(st->detail, "'SELEC' does not start a Flink SQL statement"));
	assert_int_equal(st->exceptions.len, 1);
	e = st->exceptions.items[0];
	assert_string_equal(e->message, st->detail);
	pc_sim_free(s);
}

/* The timeline: phases, deletion and topics in order, the first mark with kind and tables; capped. */
static void test_sim_timeline__marks_phases_topics_in_order_and_keeps_the_newest(void **state)
{
	pc_sim *s = NULL;
	pc_sim_options o = { 0 };
	pc_buf b = PC_BUF_INIT;
	const char *p;
	(void)state;
	o.ddl_ms = 200;
	o.pending_ms = 300;
	o.timeline_max = 100;
	assert_int_equal(pc_sim_new(&s, &o), 0);
	two_tables(s);
	create(s, T0 + 200, "dml-dst", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_string_equal(phase(s, T0 + 600, "dml-dst"), "RUNNING");
	create(s, T0 + 1000, "drop-src", "DROP TABLE src", NULL);
	assert_string_equal(phase(s, T0 + 1300, "dml-dst"), "FAILED");
	assert_int_equal(pc_sim_delete_statement(s, T0 + 1400, ENV, "dml-dst"), 0);
	assert_int_equal(pc_sim_timeline_json(s, T0 + 1500, ENV, &b), 0);
	/* ddl-src created, completed, its topic; dml-dst created (with its tables), running; the drop; failed; deleted */
	p = strstr(b.ptr, "\"statement\":\"ddl-src\",\"event\":\"PENDING\",\"kind\":\"ddl\"");
	assert_non_null(p);
	p = strstr(p, "\"topic\":\"src\",\"event\":\"CREATED\"");
	assert_non_null(p);
	p = strstr(p, "\"statement\":\"dml-dst\",\"event\":\"PENDING\",\"kind\":\"dml\",\"reads\":\"src\",\"writes\":\"dst\"");
	assert_non_null(p);
	p = strstr(p, "\"statement\":\"dml-dst\",\"event\":\"RUNNING\"}");
	assert_non_null(p);
	p = strstr(p, "\"topic\":\"src\",\"event\":\"DROPPED\"");
	assert_non_null(p);
	p = strstr(p, "\"statement\":\"dml-dst\",\"event\":\"FAILED\"}");
	assert_non_null(p);
	p = strstr(p, "\"statement\":\"dml-dst\",\"event\":\"DELETED\"}");
	assert_non_null(p);
	assert_non_null(strstr(b.ptr, "],\"dropped\":0}"));
	/* another environment sees the topics only */
	pc_buf_clear(&b);
	assert_int_equal(pc_sim_timeline_json(s, T0 + 1500, "env-other", &b), 0);
	assert_null(strstr(b.ptr, "\"statement\""));
	assert_non_null(strstr(b.ptr, "\"topic\":\"src\""));
	pc_sim_free(s);
	/* beyond the cap the oldest marks go, and are counted */
	o.timeline_max = 4;
	assert_int_equal(pc_sim_new(&s, &o), 0);
	two_tables(s);
	create(s, T0 + 200, "dml-dst", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_string_equal(phase(s, T0 + 600, "dml-dst"), "RUNNING");
	pc_buf_clear(&b);
	assert_int_equal(pc_sim_timeline_json(s, T0 + 600, ENV, &b), 0);
	assert_null(strstr(b.ptr, "\"statement\":\"ddl-src\",\"event\":\"PENDING\""));
	assert_non_null(strstr(b.ptr, "\"statement\":\"dml-dst\",\"event\":\"RUNNING\"}]"));
	assert_null(strstr(b.ptr, "\"dropped\":0}"));
	pc_sim_free(s);
	/* off by default (the local target keeps none) */
	s = new_sim(NULL, 0);
	two_tables(s);
	pc_buf_clear(&b);
	assert_int_equal(pc_sim_timeline_json(s, T0 + 300, ENV, &b), 0);
	assert_string_equal(b.ptr, "{\"marks\":[],\"dropped\":0}");
	pc_buf_dispose(&b);
	pc_sim_free(s);
}

static void test_sim_dml__drop_under_a_running_statement_fails_it(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml-dst", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_string_equal(phase(s, T0 + 600, "dml-dst"), "RUNNING");
	create(s, T0 + 1000, "drop-src", "DROP TABLE src", NULL);
	st = get(s, T0 + 1300, "dml-dst");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	assert_non_null(strstr(st->detail, "'src'"));
	assert_int_equal(st->exceptions.len, 1);
	assert_null(pc_sim_find_topic(s, T0 + 1700, "src")); /* dropped at 1200, lingers 500 ms */
	pc_sim_free(s);
}

static int64_t sum_from_to(const pc_sim_input *in, int which)
{
	int64_t n = 0;
	for (int p = 0; p < in->partitions; p++)
		n += which ? in->pos[p] : in->from[p];
	return n;
}

static void test_sim_carry_over__new_statement_starts_exactly_where_the_old_stopped(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *old, *nw;
	pc_sim_input *oi, *ni;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml-v1", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_string_equal(phase(s, T0 + 3000, "dml-v1"), "RUNNING");
	nw = create(s, T0 + 5000, "dml-v2", "INSERT INTO dst SELECT id FROM src", "dml-v1");
	nw = get(s, T0 + 6000, "dml-v2");
	assert_string_equal(pc_sim_phase_name(nw->phase), "PENDING");
	assert_string_equal(nw->detail, "Statement is currently pending until referenced statement dml-v1 is stopped");
	assert_int_equal(set_stopped(s, T0 + 7000, "dml-v1", 1), 0);
	assert_string_equal(phase(s, T0 + 7100, "dml-v1"), "STOPPING");
	old = get(s, T0 + 7200, "dml-v1");
	assert_string_equal(pc_sim_phase_name(old->phase), "STOPPED");
	assert_string_equal(pc_kv_get(&old->latest_offsets, "src"), "partition:0,offset:70;partition:1,offset:70");
	nw = get(s, T0 + 20000, "dml-v2");
	assert_string_equal(pc_sim_phase_name(nw->phase), "RUNNING");
	oi = old->inputs.items[0];
	ni = nw->inputs.items[0];
	for (int p = 0; p < 2; p++)
		assert_int_equal(ni->from[p], oi->pos[p]); /* no gap, no overlap */
	assert_int_equal(sum_from_to(ni, 1), 2 * 198);
	/* the old one no longer moves */
	old = get(s, T0 + 30000, "dml-v1");
	assert_int_equal(((pc_sim_input *)old->inputs.items[0])->pos[0], 70);
	pc_sim_free(s);
}

static void test_sim_carry_over__missing_referenced_statement_fails(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml-v2", "INSERT INTO dst SELECT * FROM src", "dml-nope");
	st = get(s, T0 + 1000, "dml-v2");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	assert_non_null(strstr(st->detail, "dml-nope"));
	pc_sim_free(s);
}

static void test_sim_carry_over__deleting_the_referenced_statement_fails_the_waiting_one(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml-v1", "INSERT INTO dst SELECT * FROM src", NULL);
	create(s, T0 + 1000, "dml-v2", "INSERT INTO dst SELECT id FROM src", "dml-v1");
	assert_string_equal(phase(s, T0 + 1500, "dml-v2"), "PENDING");
	assert_int_equal(pc_sim_delete_statement(s, T0 + 2000, ENV, "dml-v1"), 0);
	st = get(s, T0 + 2000, "dml-v2");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	assert_non_null(strstr(st->detail, "dml-v1"));
	pc_sim_free(s);
}

static void test_sim_stop__resume_continues_from_the_stop(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt *st;
	pc_sim_input *in;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_int_equal(set_stopped(s, T0 + 2200, "dml", 1), 0);
	assert_string_equal(phase(s, T0 + 2400, "dml"), "STOPPED");
	assert_int_equal(set_stopped(s, T0 + 5000, "dml", 0), 0);
	st = get(s, T0 + 5000, "dml");
	assert_string_equal(pc_sim_phase_name(st->phase), "PENDING");
	assert_int_equal(st->latest_offsets.len, 0);
	st = get(s, T0 + 10200, "dml");
	assert_string_equal(pc_sim_phase_name(st->phase), "RUNNING");
	in = st->inputs.items[0];
	assert_int_equal(in->from[0], 0);
	assert_int_equal(in->pos[0], 100);
	pc_sim_free(s);
}

static void test_sim_update__stale_resource_version_conflicts(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	char ver[32];
	(void)state;
	two_tables(s);
	st = create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL);
	snprintf(ver, sizeof(ver), "%lld", (long long)st->resource_version);
	get(s, T0 + 600, "dml"); /* PENDING -> RUNNING bumps the version */
	u.resource_version = ver;
	u.stopped = 1;
	assert_int_equal(pc_sim_update_statement(s, T0 + 700, ENV, "dml", &u, &st), PC_ECONFLICT);
	snprintf(ver, sizeof(ver), "%lld", (long long)get(s, T0 + 700, "dml")->resource_version);
	assert_int_equal(pc_sim_update_statement(s, T0 + 700, ENV, "dml", &u, &st), 0);
	pc_sim_free(s);
}

static void test_sim_update__pool_changes_only_while_stopped(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL);
	u.stopped = -1;
	u.compute_pool_id = "lfcp-other";
	assert_int_equal(pc_sim_update_statement(s, T0 + 600, ENV, "dml", &u, &st), PC_EINVALID);
	assert_int_equal(set_stopped(s, T0 + 700, "dml", 1), 0);
	u.stopped = 0;
	assert_int_equal(pc_sim_update_statement(s, T0 + 1000, ENV, "dml", &u, &st), 0);
	assert_string_equal(st->compute_pool_id, "lfcp-other");
	pc_sim_free(s);
}

static void test_sim_create__duplicate_and_invalid_names_are_refused(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt_req r = { 0 };
	pc_sim_stmt *st;
	char longname[128];
	(void)state;
	create(s, T0, "a.b-c", "CREATE TABLE x (id INT)", NULL);
	r.name = "a.b-c";
	r.sql = "CREATE TABLE y (id INT)";
	assert_int_equal(pc_sim_create_statement(s, T0, "org", ENV, &r, &st), PC_EEXISTS);
	assert_string_equal(pc_error_last(), "Statement name 'a.b-c' already exists");
	r.name = "Bad_Name";
	assert_int_equal(pc_sim_create_statement(s, T0, "org", ENV, &r, &st), PC_EINVALID);
	r.name = "a-";
	assert_int_equal(pc_sim_create_statement(s, T0, "org", ENV, &r, &st), PC_EINVALID);
	memset(longname, 'a', 101);
	longname[101] = 0;
	r.name = longname;
	assert_int_equal(pc_sim_create_statement(s, T0, "org", ENV, &r, &st), PC_EINVALID);
	pc_sim_free(s);
}

/* Confluent's spec.statement maxLength is 131072 characters: counted as characters, not bytes. */
static void test_sim_create__sql_longer_than_131072_characters_is_refused(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_sim_stmt_req r = { 0 };
	pc_sim_stmt *st;
	const char *pre = "SHOW TABLES /* ", *post = " */";
	size_t fill = 131072 - strlen(pre) - strlen(post), len = strlen(pre) + 2 * fill + strlen(post);
	char *sql = malloc(len + 2);
	(void)state;
	/* 131072 characters, twice as many bytes ('é' is two in UTF-8): accepted */
	strcpy(sql, pre);
	for (size_t i = 0; i < fill; i++)
		memcpy(sql + strlen(pre) + 2 * i, "\xc3\xa9", 2);
	strcpy(sql + strlen(pre) + 2 * fill, post);
	create(s, T0, "wide", sql, NULL);
	/* one character more: refused */
	memmove(sql + 1, sql, len + 1);
	sql[0] = ' ';
	r.name = "wider";
	r.sql = sql;
	assert_int_equal(pc_sim_create_statement(s, T0, "org", ENV, &r, &st), PC_EINVALID);
	assert_string_equal(pc_error_last(), "spec.statement is longer than 131072 characters");
	free(sql);
	pc_sim_free(s);
}

static void test_sim_fail_statement__matching_sql_fails_with_an_exception(void **state)
{
	pc_sim *s = new_sim("FROM\\s+src", 0);
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL);
	st = get(s, T0 + 600, "dml");
	assert_string_equal(pc_sim_phase_name(st->phase), "FAILED");
	assert_int_equal(st->exceptions.len, 1);
	assert_non_null(strstr(((pc_sim_exception *)st->exceptions.items[0])->message, "--fail-statement"));
	assert_string_equal(phase(s, T0 + 600, "ddl-src"), "COMPLETED");
	pc_sim_free(s);
}

static void test_sim_expiry__completed_statements_go_away_after_n_seconds(void **state)
{
	pc_sim *s = new_sim(NULL, 5000);
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	assert_string_equal(phase(s, T0 + 1000, "ddl-src"), "COMPLETED");
	assert_int_equal(pc_sim_get_statement(s, T0 + 5100, ENV, "ddl-src", &st), 0);
	assert_int_equal(pc_sim_get_statement(s, T0 + 5200, ENV, "ddl-src", &st), PC_ENOTFOUND);
	assert_string_equal(pc_error_last(), "Statement resource=ddl-src does not exist");
	assert_non_null(pc_sim_find_topic(s, T0 + 5200, "src"));
	pc_sim_free(s);
}

static void test_sim_list__pages_in_name_order_without_gaps(void **state)
{
	pc_sim *s = new_sim(NULL, 0);
	pc_vec page = PC_VEC_INIT;
	char *tok = NULL, *next = NULL, name[32];
	int seen = 0;
	(void)state;
	for (int i = 24; i >= 0; i--) {
		snprintf(name, sizeof(name), "st-%03d", i);
		create(s, T0, name, "CREATE TABLE IF NOT EXISTS x (id INT)", NULL);
	}
	do {
		page.len = 0;
		assert_int_equal(pc_sim_list_statements(s, T0 + 1, ENV, NULL, tok, 10, &page, &next), 0);
		for (size_t i = 0; i < page.len; i++) {
			snprintf(name, sizeof(name), "st-%03d", seen++);
			assert_string_equal(((pc_sim_stmt *)page.items[i])->name, name);
		}
		free(tok);
		tok = next;
	} while (tok);
	assert_int_equal(seen, 25);
	pc_vec_dispose(&page, NULL);
	pc_sim_free(s);
}

static void test_sim_json__save_and_load_keep_state_and_schedule(void **state)
{
	pc_sim *s = new_sim(NULL, 0), *t = new_sim(NULL, 0);
	pc_buf a = PC_BUF_INIT, b = PC_BUF_INIT;
	pc_sim_stmt *st;
	(void)state;
	two_tables(s);
	create(s, T0 + 200, "dml", "INSERT INTO dst SELECT * FROM src", NULL);
	assert_int_equal(pc_sim_save_json(s, &a), 0);
	assert_int_equal(pc_sim_load_json(t, a.ptr, a.len, "state.json"), 0);
	assert_int_equal(pc_sim_save_json(t, &b), 0);
	assert_string_equal(a.ptr, b.ptr);
	/* the loaded copy moves on by itself as the original does */
	st = NULL;
	assert_int_equal(pc_sim_get_statement(t, T0 + 10200, ENV, "dml", &st), 0);
	assert_string_equal(pc_sim_phase_name(st->phase), "RUNNING");
	assert_int_equal(((pc_sim_input *)st->inputs.items[0])->pos[1], 100);
	assert_int_equal(pc_sim_load_json(t, "{\"format\":1,", 12, "state.json"), PC_EPARSE);
	assert_non_null(strstr(pc_error_last(), "could not load 'state.json': "));
	assert_non_null(strstr(pc_error_last(), "line 1"));
	pc_buf_dispose(&a);
	pc_buf_dispose(&b);
	pc_sim_free(s);
	pc_sim_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_ddl__create_table_completes_after_ddl_ms_and_makes_a_topic),
		cmocka_unit_test(test_sim_ddl__buckets_qualified_names_and_ctas),
		cmocka_unit_test(test_sim_ddl__existing_table_fails_without_if_not_exists),
		cmocka_unit_test(test_sim_ddl__drop_missing_table_fails_unless_if_exists),
		cmocka_unit_test(test_sim_dml__runs_after_pending_ms_and_consumes_source_records),
		cmocka_unit_test(test_sim_dml__missing_table_fails_naming_it),
		cmocka_unit_test(test_sim_sql__unparsable_statement_fails_keeping_its_detail),
		cmocka_unit_test(test_sim_dml__drop_under_a_running_statement_fails_it),
		cmocka_unit_test(test_sim_carry_over__new_statement_starts_exactly_where_the_old_stopped),
		cmocka_unit_test(test_sim_carry_over__missing_referenced_statement_fails),
		cmocka_unit_test(test_sim_carry_over__deleting_the_referenced_statement_fails_the_waiting_one),
		cmocka_unit_test(test_sim_stop__resume_continues_from_the_stop),
		cmocka_unit_test(test_sim_update__stale_resource_version_conflicts),
		cmocka_unit_test(test_sim_update__pool_changes_only_while_stopped),
		cmocka_unit_test(test_sim_create__duplicate_and_invalid_names_are_refused),
		cmocka_unit_test(test_sim_create__sql_longer_than_131072_characters_is_refused),
		cmocka_unit_test(test_sim_fail_statement__matching_sql_fails_with_an_exception),
		cmocka_unit_test(test_sim_expiry__completed_statements_go_away_after_n_seconds),
		cmocka_unit_test(test_sim_list__pages_in_name_order_without_gaps),
		cmocka_unit_test(test_sim_json__save_and_load_keep_state_and_schedule),
		cmocka_unit_test(test_sim_timeline__marks_phases_topics_in_order_and_keeps_the_newest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
