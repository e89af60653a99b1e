/*
 * The confluent provider against the real `pipectl emulator` ($PIPECTL),
 * started on a free loopback port: every operation, end to end, over HTTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/confluent.h"
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/timeutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY "emu-key"
#define SECRET "emu-secret-value"
#define WAIT_MS 10000

typedef struct emu {
	pid_t pid;
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
	c->kafka.endpoint = (char *)endpoint;
	c->kafka.api_key = KEY;
	c->kafka.api_secret = (char *)secret;
	c->kafka_cluster_id = "lkc-local";
	c->cloud.endpoint = (char *)endpoint;
	c->cloud.api_key = KEY;
	c->cloud.api_secret = (char *)secret;
}

/* Poll the child's stdout file until "listening on http://127.0.0.1:PORT". */
static int read_endpoint(const char *path, char *out, size_t n)
{
	int64_t deadline = pc_mono_ms() + WAIT_MS;

	while (pc_mono_ms() < deadline) {
		char buf[4096];
		FILE *f = fopen(path, "r");
		size_t len = 0;
		char *at, *end;
		if (f) {
			len = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
		}
		buf[len] = '\0';
		if ((at = strstr(buf, "listening on ")) != NULL && (end = strchr(at, '\n')) != NULL) {
			at += strlen("listening on ");
			snprintf(out, n, "%.*s", (int)(end - at), at);
			return 0;
		}
		pc_sleep_ms(20);
	}
	return -1;
}

/* Start `$PIPECTL emulator` on a free port with Basic auth and the extra options. */
static int start(void **state, const char *const *extra)
{
	const char *bin = getenv("PIPECTL");
	char out_path[] = "/tmp/pipectl-emu-out-XXXXXX";
	const char *argv[24];
	int fd, n = 0;
	emu *e = PC_NEW(emu);
	pc_http_opts o;
	int rc;

	if (!bin || (fd = mkstemp(out_path)) < 0) {
		free(e);
		return -1;
	}
	argv[n++] = bin;
	argv[n++] = "emulator";
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--api-key";
	argv[n++] = KEY;
	argv[n++] = "--api-secret";
	argv[n++] = SECRET;
	for (size_t i = 0; extra && extra[i] && n < 23; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	e->pid = fork();
	if (e->pid == 0) {
		dup2(fd, 1);
		close(fd);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fd);
	rc = e->pid > 0 ? read_endpoint(out_path, e->endpoint, sizeof(e->endpoint)) : -1;
	unlink(out_path); /* the child keeps writing into the unlinked file */
	if (rc != 0) {
		if (e->pid > 0) {
			kill(e->pid, SIGKILL);
			waitpid(e->pid, NULL, 0);
		}
		free(e);
		return -1;
	}
	fill_config(&e->cfg, e->endpoint, SECRET);
	pc_http_opts_default(&o);
	o.timeout_ms = 5000;
	o.backoff_base_ms = 50;
	o.max_attempts = 8;
	if (pc_confluent_open_with(&e->p, &e->cfg, &o) != 0)
		return -1;
	*state = e;
	return 0;
}

static int emu_setup(void **state)
{
	return start(state, NULL);
}

static int emu_setup_faults(void **state)
{
	static const char *const faults[] = { "--fail-rate", "0.3", "--throttle-rate", "0.05",
					      "--seed", "7", NULL };
	return start(state, faults);
}

static int emu_teardown(void **state)
{
	emu *e = *state;
	int64_t deadline = pc_mono_ms() + 5000;
	pc_provider_free(e->p);
	kill(e->pid, SIGTERM);
	while (waitpid(e->pid, NULL, WNOHANG) == 0) {
		if (pc_mono_ms() > deadline) {
			kill(e->pid, SIGKILL);
			waitpid(e->pid, NULL, 0);
			break;
		}
		pc_sleep_ms(20);
	}
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

	assert_int_equal(pc_provider_set_stopped(p, "t-dml-dst", 1, NULL, NULL), 0);
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

	assert_int_equal(pc_provider_set_stopped(p, "t-dml-dst", 0, NULL, NULL), 0);
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
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
