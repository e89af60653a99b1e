/*
 * The confluent provider against the emulator module itself
 * (providers/emulator.c), served in-process on a free loopback port: every
 * operation, end to end, over HTTP, against the strict simulation, so a
 * behaviour of the service is modelled once (docs/emulator.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/confluent.h"
#include "providers/emulator.h"
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/timeutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "emu-key"
#define SECRET "emu-secret-value"
#define WAIT_MS 10000

typedef struct emu {
	pc_emulator *srv;
	char endpoint[96];
	pc_config cfg;
	pc_provider *p;
} emu;

static void fill_config(pc_config *c, const char *endpoint, const char *secret)
{
	memset(c, 0, sizeof(*c));
	c->target = "confluent";
	c->organization_id = "0b7c7a39-2d2c-4a4e-9a4c-1f0e7e3f9d10";
	c->environment_id = "env-provtest";
	c->principal = "sa-pipectl";
	c->flink.endpoint = (char *)endpoint;
	c->flink.api_key = KEY;
	c->flink.api_secret = (char *)secret;
	c->flink_catalog = "provtest";
	c->flink_database = "lkc-local";
	c->kafka.endpoint = (char *)endpoint;
	c->kafka.api_key = KEY;
	c->kafka.api_secret = (char *)secret;
	c->kafka_cluster_id = "lkc-local";
	c->cloud.endpoint = (char *)endpoint;
	c->cloud.api_key = KEY;
	c->cloud.api_secret = (char *)secret;
	c->pools_cloud = "AWS";
	c->pools_region = "us-east-2";
	c->pools_max_cfu = 10;
}

/* Serve the emulator in-process on a free port with Basic auth and the given options. */
static int start_with(void **state, const pc_emulator_options *extra)
{
	emu *e = PC_NEW(emu);
	pc_emulator_options eo = { 0 };
	pc_http_opts o;

	if (extra)
		eo = *extra;
	eo.listen = "127.0.0.1:0";
	eo.api_key = KEY;
	eo.api_secret = SECRET;
	if (eo.sim.ddl_ms == 0)
		eo.sim.ddl_ms = 100;
	if (eo.sim.pending_ms == 0)
		eo.sim.pending_ms = 150;
	if (pc_emulator_start(&e->srv, &eo) != 0) {
		fprintf(stderr, "emulator: %s\n", pc_error_last());
		free(e);
		return -1;
	}
	snprintf(e->endpoint, sizeof(e->endpoint), "http://127.0.0.1:%d", pc_emulator_port(e->srv));
	fill_config(&e->cfg, e->endpoint, SECRET);
	pc_http_opts_default(&o);
	o.timeout_ms = 5000;
	o.backoff_base_ms = 50;
	o.max_attempts = 8;
	if (pc_confluent_open_with(&e->p, &e->cfg, &o) != 0) {
		fprintf(stderr, "open: %s\n", pc_error_last());
		pc_emulator_stop(e->srv);
		free(e);
		return -1;
	}
	*state = e;
	return 0;
}

static int emu_setup(void **state)
{
	return start_with(state, NULL);
}

static int emu_setup_faults(void **state)
{
	pc_emulator_options o = { 0 };
	o.fail_rate = 0.3;
	o.throttle_rate = 0.05;
	o.seed = 7;
	return start_with(state, &o);
}

/* A deleted statement answers 403; each connection's first request is redirected to 127.0.0.1. */
static int emu_setup_403_307(void **state)
{
	pc_emulator_options o = { 0 };
	o.sim.forbid_deleted = 1;
	o.redirect_host = "self";
	return start_with(state, &o);
}

static int emu_setup_redirect_away(void **state)
{
	pc_emulator_options o = { 0 };
	o.redirect_host = "evil.example:443";
	return start_with(state, &o);
}

static int emu_teardown(void **state)
{
	emu *e = *state;
	pc_provider_free(e->p);
	pc_emulator_stop(e->srv);
	free(e);
	return 0;
}

/* Poll until the statement reaches phase (or fail the test). */
static pc_statement *wait_phase(pc_provider *p, const char *name, const char *phase)
{
	int64_t deadline = pc_mono_ms() + WAIT_MS;
	for (;;) {
		pc_statement *st = NULL;
		int rc = p->ops->get_statement(p, name, &st);
		if (rc != 0)
			fail_msg("get statement '%s': %s", name, pc_error_last());
		if (st->phase && strcmp(st->phase, phase) == 0)
			return st;
		if (pc_mono_ms() > deadline)
			fail_msg("statement '%s' stayed %s (detail: %s), expected %s", name,
				 st->phase ? st->phase : "(none)", st->detail ? st->detail : "", phase);
		pc_statement_free(st);
		pc_sleep_ms(50);
	}
}

static void create(pc_provider *p, const char *name, const char *sql, const pc_kvlist *props)
{
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	spec.name = name;
	spec.sql = sql;
	spec.properties = props;
	if (p->ops->create_statement(p, &spec, &st) != 0)
		fail_msg("create '%s': %s", name, pc_error_last());
	assert_string_equal(st->name, name);
	assert_string_equal(st->sql, sql);
	pc_statement_free(st);
}

static void test_emulator__ddl_completes_and_makes_its_topic(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_statement *st;
	pc_topic *t = NULL;
	pc_vec topics = PC_VEC_INIT;
	int seen = 0;

	create(p, "t-ddl-orders", "CREATE TABLE orders (id INT, v STRING);", NULL);
	st = wait_phase(p, "t-ddl-orders", "COMPLETED");
	pc_statement_free(st);
	assert_int_equal(p->ops->get_topic(p, "orders", &t), 0);
	assert_string_equal(t->name, "orders");
	assert_true(t->partitions > 0);
	pc_topic_free(t);
	assert_int_equal(p->ops->list_topics(p, &topics), 0);
	for (size_t i = 0; i < topics.len; i++)
		seen += strcmp(((pc_topic *)topics.items[i])->name, "orders") == 0;
	assert_int_equal(seen, 1);
	pc_vec_dispose(&topics, pc_topic_free);
}

static void test_emulator__insert_runs_stops_resumes_and_is_deleted(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_statement *st, *stale;

	create(p, "t-ddl-src", "CREATE TABLE src (id INT, v STRING);", NULL);
	pc_statement_free(wait_phase(p, "t-ddl-src", "COMPLETED"));
	create(p, "t-ddl-dst", "CREATE TABLE dst (id INT, v STRING);", NULL);
	pc_statement_free(wait_phase(p, "t-ddl-dst", "COMPLETED"));
	create(p, "t-dml-dst", "INSERT INTO dst SELECT id, v FROM src;", NULL);
	stale = wait_phase(p, "t-dml-dst", "RUNNING");
	assert_int_equal(stale->stopped, 0);

	assert_int_equal(pc_provider_set_stopped(p, "t-dml-dst", 1, NULL), 0);
	st = wait_phase(p, "t-dml-dst", "STOPPED");
	assert_int_equal(st->stopped, 1);
	/* A stopped statement reports where it stopped, per topic read, as strings. */
	assert_non_null(pc_kv_get(&st->latest_offsets, "src"));
	assert_non_null(strstr(pc_kv_get(&st->latest_offsets, "src"), "partition:0,offset:"));
	pc_statement_free(st);

	/* The version fetched before the stop is stale now. */
	assert_int_equal(p->ops->update_statement(p, stale), PC_ECONFLICT);
	assert_non_null(strstr(pc_error_last(), "update statement 't-dml-dst': HTTP 409"));
	pc_statement_free(stale);

	assert_int_equal(pc_provider_set_stopped(p, "t-dml-dst", 0, NULL), 0);
	st = wait_phase(p, "t-dml-dst", "RUNNING");
	assert_int_equal(st->stopped, 0);
	pc_statement_free(st);

	assert_int_equal(p->ops->delete_statement(p, "t-dml-dst"), 0);
	{
		int64_t deadline = pc_mono_ms() + WAIT_MS;
		int rc;
		do {
			st = NULL;
			rc = p->ops->get_statement(p, "t-dml-dst", &st);
			pc_statement_free(st);
			if (rc == 0)
				pc_sleep_ms(50);
		} while (rc == 0 && pc_mono_ms() < deadline);
		assert_int_equal(rc, PC_ENOTFOUND);
		assert_non_null(strstr(pc_error_last(), "get statement 't-dml-dst': HTTP 404"));
	}
	assert_int_equal(p->ops->delete_statement(p, "t-dml-dst"), PC_ENOTFOUND);
}

static void test_emulator__duplicate_name_and_failed_statement(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_statement_spec spec = { .name = "t-dup", .sql = "CREATE TABLE dup (x INT);" };
	pc_statement *st = NULL;
	pc_vec ex = PC_VEC_INIT;

	create(p, "t-dup", "CREATE TABLE dup (x INT);", NULL);
	assert_int_equal(p->ops->create_statement(p, &spec, &st), PC_EEXISTS);
	assert_null(st);
	assert_non_null(strstr(pc_error_last(), "create statement 't-dup': HTTP 409"));

	create(p, "t-dml-broken", "INSERT INTO nowhere SELECT * FROM missing_table;", NULL);
	st = wait_phase(p, "t-dml-broken", "FAILED");
	assert_non_null(st->detail);
	pc_statement_free(st);
	assert_int_equal(p->ops->list_exceptions(p, "t-dml-broken", &ex), 0);
	pc_vec_dispose(&ex, pc_statement_exception_free);
}

static void test_emulator__list_follows_pages_past_250_statements(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_vec all = PC_VEC_INIT;
	pc_vec names = PC_VEC_INIT;
	uint64_t before;
	size_t ours = 0;

	for (int i = 0; i < 260; i++) {
		char name[64], sql[96];
		snprintf(name, sizeof(name), "t-page-%03d", i);
		snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS page_%03d (x INT);", i);
		create(p, name, sql, NULL);
	}
	before = p->stats.requests;
	assert_int_equal(p->ops->list_statements(p, &all), 0);
	assert_true(p->stats.requests - before >= 3);
	assert_true(p->stats.requests - before <= (all.len + 99) / 100 + 1);
	for (size_t i = 0; i < all.len; i++) {
		const char *n = ((pc_statement *)all.items[i])->name;
		assert_int_equal(pc_vec_add_str_unique(&names, n), 1); /* no duplicates across pages */
		ours += strncmp(n, "t-page-", 7) == 0;
	}
	assert_int_equal(ours, 260);
	pc_vec_dispose(&names, free);
	pc_vec_dispose(&all, pc_statement_free);
}

static void wait_topic_gone(pc_provider *p, const char *name)
{
	int64_t deadline = pc_mono_ms() + WAIT_MS;
	pc_topic *t = NULL;
	int rc;
	while ((rc = p->ops->get_topic(p, name, &t)) == 0) {
		pc_topic_free(t);
		t = NULL;
		assert_true(pc_mono_ms() < deadline);
		pc_sleep_ms(50);
	}
	assert_int_equal(rc, PC_ENOTFOUND);
}

static void test_emulator__drop_table_and_delete_topic(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_topic *t = NULL;

	create(p, "t-ddl-a", "CREATE TABLE gone_a (x INT);", NULL);
	pc_statement_free(wait_phase(p, "t-ddl-a", "COMPLETED"));
	create(p, "t-ddl-b", "CREATE TABLE gone_b (x INT);", NULL);
	pc_statement_free(wait_phase(p, "t-ddl-b", "COMPLETED"));
	create(p, "t-drop-a", "DROP TABLE gone_a;", NULL);
	pc_statement_free(wait_phase(p, "t-drop-a", "COMPLETED"));
	/* Kafka deletes the topic after the DROP, asynchronously: it lingers, then 404 */
	wait_topic_gone(p, "gone_a");
	assert_int_equal(p->ops->delete_topic(p, "gone_b"), 0);
	wait_topic_gone(p, "gone_b");
	assert_int_equal(p->ops->get_topic(p, "gone_b", &t), PC_ENOTFOUND);
	assert_non_null(strstr(pc_error_last(), "get topic 'gone_b': HTTP 404"));
	assert_int_equal(p->ops->delete_topic(p, "gone_b"), PC_ENOTFOUND);
}

static void test_emulator__pool_is_created_and_provisions(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_pool_spec spec = { .display_name = "pipectl-test", .cloud = "AWS", .region = "us-east-2", .max_cfu = 10 };
	pc_pool *pool = NULL;
	pc_vec pools = PC_VEC_INIT;
	int64_t deadline = pc_mono_ms() + WAIT_MS;
	char *id;
	int seen = 0;

	assert_int_equal(p->ops->create_pool(p, &spec, &pool), 0);
	assert_non_null(pool->id);
	assert_string_equal(pool->display_name, "pipectl-test");
	id = pc_strdup(pool->id);
	pc_pool_free(pool);
	for (;;) {
		pool = NULL;
		assert_int_equal(p->ops->get_pool(p, id, &pool), 0);
		if (pool->phase && strcmp(pool->phase, "PROVISIONED") == 0)
			break;
		assert_true(pc_mono_ms() < deadline);
		pc_pool_free(pool);
		pc_sleep_ms(50);
	}
	assert_int_equal(pool->max_cfu, 10);
	pc_pool_free(pool);
	assert_int_equal(p->ops->list_pools(p, &pools), 0);
	for (size_t i = 0; i < pools.len; i++)
		seen += strcmp(((pc_pool *)pools.items[i])->id, id) == 0;
	assert_int_equal(seen, 1);
	pc_vec_dispose(&pools, pc_pool_free);
	free(id);
}

static void test_emulator__a_wrong_secret_is_eauth_without_the_secret(void **state)
{
	emu *e = *state;
	pc_config c;
	pc_provider *p = NULL;
	pc_vec v = PC_VEC_INIT;

	fill_config(&c, e->endpoint, "not-the-secret");
	assert_int_equal(pc_confluent_open(&p, &c), 0);
	assert_int_equal(p->ops->list_statements(p, &v), PC_EAUTH);
	assert_non_null(strstr(pc_error_last(), "HTTP 401: invalid API key for flink"));
	assert_null(strstr(pc_error_last(), "not-the-secret"));
	assert_int_equal(p->ops->list_topics(p, &v), PC_EAUTH);
	assert_non_null(strstr(pc_error_last(), "invalid API key for kafka"));
	pc_provider_free(p);
}

static void test_emulator__operations_survive_5xx_and_429_storms(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_vec all = PC_VEC_INIT, topics = PC_VEC_INIT;

	for (int i = 0; i < 20; i++) {
		char name[64], sql[96];
		snprintf(name, sizeof(name), "t-storm-%02d", i);
		snprintf(sql, sizeof(sql), "CREATE TABLE storm_%02d (x INT);", i);
		create(p, name, sql, NULL);
	}
	pc_statement_free(wait_phase(p, "t-storm-19", "COMPLETED"));
	assert_int_equal(p->ops->list_statements(p, &all), 0);
	assert_true(all.len >= 20);
	assert_int_equal(p->ops->list_topics(p, &topics), 0);
	assert_true(p->stats.retries > 0);
	assert_true(p->stats.by_status[5] > 0);
	pc_vec_dispose(&all, pc_statement_free);
	pc_vec_dispose(&topics, pc_topic_free);
}

/* ---- the strict service: what Confluent refuses, the provider never sends ---- */

static void test_emulator__labels_without_the_user_prefix_are_refused(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_kvlist labels = PC_VEC_INIT;
	pc_statement_spec spec = { .name = "t-lab", .sql = "CREATE TABLE lab (x INT);" };
	pc_statement *st = NULL;

	pc_kv_set(&labels, "owner", "me");
	spec.labels = &labels;
	assert_int_not_equal(p->ops->create_statement(p, &spec, &st), 0);
	assert_non_null(strstr(pc_error_last(), "create statement 't-lab': HTTP 400"));
	assert_non_null(strstr(pc_error_last(), "user.confluent.io/"));
	pc_kv_dispose(&labels);
	pc_kv_set(&labels, "user.confluent.io/owner", "me");
	assert_int_equal(p->ops->create_statement(p, &spec, &st), 0);
	assert_string_equal(pc_kv_get(&st->labels, "user.confluent.io/owner"), "me");
	pc_statement_free(st);
	pc_kv_dispose(&labels);
}

static void test_emulator__created_stopped_runs_and_ddl_can_not_be_stopped(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_statement_spec spec = { .name = "t-show", .sql = "SHOW TABLES;", .stopped = 1 };
	pc_statement *st = NULL;

	assert_int_equal(p->ops->create_statement(p, &spec, &st), 0);
	pc_statement_free(st);
	st = wait_phase(p, "t-show", "COMPLETED");
	assert_int_equal(st->stopped, 0);
	pc_statement_free(st);
	assert_int_not_equal(pc_provider_set_stopped(p, "t-show", 1, NULL), 0);
	assert_non_null(strstr(pc_error_last(), "update statement 't-show': HTTP 400"));
	assert_non_null(strstr(pc_error_last(), "can not be stopped"));
}

static void test_emulator__a_deleted_statement_answering_403_is_gone(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_statement *st = NULL;

	create(p, "t-del", "CREATE TABLE del (x INT);", NULL);
	pc_statement_free(wait_phase(p, "t-del", "COMPLETED"));
	assert_int_equal(p->ops->delete_statement(p, "t-del"), 0);
	assert_int_equal(p->ops->get_statement(p, "t-del", &st), PC_ENOTFOUND);
	assert_non_null(strstr(pc_error_last(), "gone (HTTP 403"));
	assert_int_equal(p->ops->delete_statement(p, "t-del"), PC_ENOTFOUND);
	/* every new connection's first request was redirected (307) to 127.0.0.1 and followed */
	assert_true(p->stats.by_status[3] > 0);
}

static void test_emulator__a_403_on_a_statement_not_deleted_here_stays_an_error(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p, *other = NULL;
	pc_statement *st = NULL;

	create(p, "t-theirs", "CREATE TABLE theirs (x INT);", NULL);
	pc_statement_free(wait_phase(p, "t-theirs", "COMPLETED"));
	/* another process deletes it: this one did not, so the 403 is not read as gone */
	assert_int_equal(pc_confluent_open(&other, &e->cfg), 0);
	assert_int_equal(other->ops->delete_statement(other, "t-theirs"), 0);
	pc_provider_free(other);
	assert_int_equal(p->ops->get_statement(p, "t-theirs", &st), PC_EAUTH);
	assert_non_null(strstr(pc_error_last(), "get statement 't-theirs': HTTP 403: Forbidden"));
}

static void test_emulator__a_redirect_outside_confluent_is_not_followed(void **state)
{
	emu *e = *state;
	pc_provider *p = e->p;
	pc_vec v = PC_VEC_INIT;

	assert_int_not_equal(p->ops->list_statements(p, &v), 0);
	assert_non_null(strstr(pc_error_last(), "list statements"));
	assert_non_null(strstr(pc_error_last(), "redirected (HTTP 307) to http://evil.example"));
	assert_non_null(strstr(pc_error_last(), "not followed"));
	assert_null(strstr(pc_error_last(), SECRET));
	assert_null(strchr(pc_error_last(), '\n'));
	assert_int_equal(v.len, 0);
}

static void test_emulator__credentials_in_an_endpoint_never_show(void **state)
{
	emu *e = *state;
	pc_config c;
	pc_provider *p = NULL;
	pc_vec v = PC_VEC_INIT;
	pc_http_opts o;

	(void)e;
	/* a closed port on 127.0.0.1, with user:password in the URL */
	fill_config(&c, "http://someone:pw-in-url-123@127.0.0.1:1", SECRET);
	pc_http_opts_default(&o);
	o.max_attempts = 2;
	o.backoff_base_ms = 10;
	assert_int_equal(pc_confluent_open_with(&p, &c, &o), 0);
	assert_int_equal(p->ops->list_statements(p, &v), PC_ENET);
	assert_non_null(strstr(pc_error_last(), "127.0.0.1:1"));
	assert_null(strstr(pc_error_last(), "pw-in-url-123"));
	assert_null(strstr(pc_error_last(), "someone"));
	assert_int_equal(p->ops->list_topics(p, &v), PC_ENET);
	assert_null(strstr(pc_error_last(), "pw-in-url-123"));
	pc_provider_free(p);
}

static void test_emulator__pool_create_sends_the_required_fields_from_the_config(void **state)
{
	emu *e = *state;
	pc_config c = e->cfg;
	pc_provider *p = NULL;
	pc_pool_spec spec = { .display_name = "pipectl-cfg" };
	pc_pool *pool = NULL;

	/* the fields come from pipectl.yaml confluent.compute_pools */
	assert_int_equal(e->p->ops->create_pool(e->p, &spec, &pool), 0);
	assert_string_equal(pool->cloud, "AWS");
	assert_string_equal(pool->region, "us-east-2");
	assert_int_equal(pool->max_cfu, 10);
	pc_pool_free(pool);
	pool = NULL;
	/* missing in the config: named, nothing sent */
	c.pools_region = NULL;
	assert_int_equal(pc_confluent_open(&p, &c), 0);
	assert_int_equal(p->ops->create_pool(p, &spec, &pool), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'confluent.compute_pools.region' is not set"));
	assert_int_equal(p->stats.requests, 0);
	pc_provider_free(p);
}

static void test_emulator__catalog_and_database_are_required(void **state)
{
	emu *e = *state;
	pc_config c = e->cfg;
	pc_provider *p = NULL;

	c.path = "proj/pipectl.yaml";
	c.flink_catalog = NULL;
	assert_int_equal(pc_confluent_open(&p, &c), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "proj/pipectl.yaml: confluent target: 'confluent.flink.catalog' is not set"));
	c.flink_catalog = "x";
	c.flink_database = "";
	assert_int_equal(pc_confluent_open(&p, &c), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'confluent.flink.database' is not set"));
	assert_null(p);
}

static void test_emulator__polling_is_fast_here_and_seconds_against_the_service(void **state)
{
	emu *e = *state;
	pc_config c = e->cfg;
	pc_provider *p = NULL;

	assert_int_equal(e->p->poll_min_ms, PC_POLL_MIN_MS_LOCAL);
	assert_int_equal(e->p->poll_max_ms, PC_POLL_MAX_MS_LOCAL);
	assert_int_equal(e->p->poll_ddl_ms, PC_POLL_DDL_MS_LOCAL);
	assert_int_equal(e->p->poll_dml_ms, PC_POLL_DML_MS_LOCAL);
	assert_true(e->p->poll_factor == PC_POLL_FACTOR_LOCAL);
	assert_int_equal(e->p->topic_delete_timeout_ms, PC_TOPIC_DELETE_TIMEOUT_MS_DEFAULT);
	c.flink.endpoint = "https://flink.us-east-2.aws.confluent.cloud";
	assert_int_equal(pc_confluent_open(&p, &c), 0);
	assert_int_equal(p->poll_min_ms, PC_POLL_MIN_MS_SERVICE);
	assert_int_equal(p->poll_max_ms, PC_POLL_MAX_MS_SERVICE);
	assert_int_equal(p->poll_ddl_ms, PC_POLL_DDL_MS_SERVICE);
	assert_int_equal(p->poll_dml_ms, PC_POLL_DML_MS_SERVICE);
	assert_true(p->poll_factor == PC_POLL_FACTOR_SERVICE);
	pc_provider_free(p);
	pc_kv_set(&c.extra, "confluent.poll.min", "2s");
	pc_kv_set(&c.extra, "confluent.poll.max", "30s");
	pc_kv_set(&c.extra, "confluent.poll.ddl", "3s");
	pc_kv_set(&c.extra, "confluent.poll.dml", "20s");
	pc_kv_set(&c.extra, "confluent.poll.factor", "2");
	pc_kv_set(&c.extra, "confluent.topic_delete_timeout", "1h");
	assert_int_equal(pc_confluent_open(&p, &c), 0);
	assert_int_equal(p->poll_min_ms, 2000);
	assert_int_equal(p->poll_max_ms, 30000);
	assert_int_equal(p->poll_ddl_ms, 3000);
	assert_int_equal(p->poll_dml_ms, 20000);
	assert_true(p->poll_factor == 2.0);
	assert_int_equal(p->topic_delete_timeout_ms, 3600000);
	pc_provider_free(p);
	pc_kv_dispose(&c.extra);
}

#define EMU(t) cmocka_unit_test_setup_teardown(t, emu_setup, emu_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		EMU(test_emulator__ddl_completes_and_makes_its_topic),
		EMU(test_emulator__insert_runs_stops_resumes_and_is_deleted),
		EMU(test_emulator__duplicate_name_and_failed_statement),
		EMU(test_emulator__list_follows_pages_past_250_statements),
		EMU(test_emulator__drop_table_and_delete_topic),
		EMU(test_emulator__pool_is_created_and_provisions),
		EMU(test_emulator__a_wrong_secret_is_eauth_without_the_secret),
		cmocka_unit_test_setup_teardown(test_emulator__operations_survive_5xx_and_429_storms,
						emu_setup_faults, emu_teardown),
		EMU(test_emulator__labels_without_the_user_prefix_are_refused),
		EMU(test_emulator__created_stopped_runs_and_ddl_can_not_be_stopped),
		cmocka_unit_test_setup_teardown(test_emulator__a_deleted_statement_answering_403_is_gone,
						emu_setup_403_307, emu_teardown),
		cmocka_unit_test_setup_teardown(test_emulator__a_403_on_a_statement_not_deleted_here_stays_an_error,
						emu_setup_403_307, emu_teardown),
		cmocka_unit_test_setup_teardown(test_emulator__a_redirect_outside_confluent_is_not_followed,
						emu_setup_redirect_away, emu_teardown),
		EMU(test_emulator__credentials_in_an_endpoint_never_show),
		EMU(test_emulator__pool_create_sends_the_required_fields_from_the_config),
		EMU(test_emulator__catalog_and_database_are_required),
		EMU(test_emulator__polling_is_fast_here_and_seconds_against_the_service),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
