/*
 * Unit tests for src/providers/{provider,http,confluent,confluent_json}.c:
 * the confluent provider against a scripted libmicrohttpd server on
 * 127.0.0.1 (ephemeral port), over real HTTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/confluent.h"
#include "providers/confluent_json.h"
#include "providers/http.h"
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/timeutil.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the scripted server ---- */

#define MAX_SCRIPT 64
#define MAX_REQS 256

typedef struct reply {
	int status;
	const char *headers[4]; /* "Name: value" */
	char *body;             /* owned */
	size_t body_len;
	int delay_ms;
} reply;

typedef struct request {
	char method[16];
	char path[512];
	char query[1024];
	char auth[256];
	char content_type[128];
	char *body;
} request;

typedef struct server {
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock;
	reply script[MAX_SCRIPT];
	size_t n_script, next;
	reply fallback; /* used when the script is exhausted (status 0: 418) */
	request reqs[MAX_REQS];
	size_t n_reqs;
	int connections;
	volatile int stopping;
} server;

typedef struct conn_ctx {
	pc_buf body;
} conn_ctx;

static server *srv;

static void say(server *s, int status, const char *body)
{
	reply *r;
	assert_true(s->n_script < MAX_SCRIPT);
	r = &s->script[s->n_script++];
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->body = pc_strdup(body ? body : "");
	r->body_len = strlen(r->body);
}

static reply *last_reply(server *s)
{
	return &s->script[s->n_script - 1];
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	pc_buf *b = cls;
	(void)kind;
	if (b->len)
		pc_buf_putc(b, '&');
	pc_buf_printf(b, "%s=%s", key, value ? value : "");
	return MHD_YES;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	server *s = cls;
	conn_ctx *ctx = *con_cls;
	reply r;
	request *rq = NULL;
	pc_buf q = PC_BUF_INIT;
	struct MHD_Response *resp;
	const char *v;
	enum MHD_Result ret;
	(void)version;

	if (!ctx) {
		ctx = PC_NEW(conn_ctx);
		pc_buf_init(&ctx->body, 0);
		*con_cls = ctx;
		return MHD_YES;
	}
	if (*upload_size) {
		pc_buf_put(&ctx->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);

	pthread_mutex_lock(&s->lock);
	if (s->n_reqs < MAX_REQS) {
		rq = &s->reqs[s->n_reqs++];
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		snprintf(rq->path, sizeof(rq->path), "%s", url);
		snprintf(rq->query, sizeof(rq->query), "%s", q.ptr);
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		snprintf(rq->auth, sizeof(rq->auth), "%s", v ? v : "");
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		snprintf(rq->content_type, sizeof(rq->content_type), "%s", v ? v : "");
		rq->body = pc_strdup(ctx->body.ptr);
	}
	if (s->next < s->n_script)
		r = s->script[s->next++];
	else
		r = s->fallback;
	pthread_mutex_unlock(&s->lock);
	pc_buf_dispose(&q);

	for (int waited = 0; waited < r.delay_ms && !s->stopping; waited += 20)
		usleep(20000);
	if (!r.status) {
		static char unscripted[] = "{\"errors\":[{\"detail\":\"unscripted request\"}]}";
		r.status = 418;
		r.body = unscripted;
		r.body_len = strlen(unscripted);
	}
	resp = MHD_create_response_from_buffer(r.body_len, r.body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	for (int i = 0; i < 4 && r.headers[i]; i++) {
		char name[128];
		const char *colon = strchr(r.headers[i], ':');
		snprintf(name, sizeof(name), "%.*s", (int)(colon - r.headers[i]), r.headers[i]);
		if (strcasecmp(name, "Content-Type") == 0)
			MHD_del_response_header(resp, "Content-Type", "application/json");
		MHD_add_response_header(resp, name, colon + 2);
	}
	ret = MHD_queue_response(conn, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	conn_ctx *ctx = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (ctx) {
		pc_buf_dispose(&ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
}

static void notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
		   enum MHD_ConnectionNotificationCode code)
{
	server *s = cls;
	(void)conn;
	(void)socket_ctx;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&s->lock);
		s->connections++;
		pthread_mutex_unlock(&s->lock);
	}
}

static int server_setup(void **state)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	server *s = PC_NEW(server);

	pthread_mutex_init(&s->lock, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				0, NULL, NULL, handler, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_NOTIFY_COMPLETED, completed, s,
				MHD_OPTION_NOTIFY_CONNECTION, notify, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				MHD_OPTION_END);
	if (!s->d)
		return -1;
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	srv = s;
	*state = s;
	return s->port ? 0 : -1;
}

static int server_teardown(void **state)
{
	server *s = *state;
	s->stopping = 1;
	MHD_stop_daemon(s->d);
	for (size_t i = 0; i < s->n_script; i++)
		free(s->script[i].body);
	free(s->fallback.body);
	for (size_t i = 0; i < s->n_reqs && i < MAX_REQS; i++)
		free(s->reqs[i].body);
	pthread_mutex_destroy(&s->lock);
	free(s);
	srv = NULL;
	return 0;
}

/* ---- the provider under test ---- */

#define ORG "org-1"
#define ENV "env-1"
#define SQL_PREFIX "/sql/v1/organizations/" ORG "/environments/" ENV
#define FLINK_AUTH "Basic ZmtleTpmc2VjcmV0" /* fkey:fsecret */
#define KAFKA_AUTH "Basic a2tleTprc2VjcmV0" /* kkey:ksecret */
#define CLOUD_AUTH "Basic Y2tleTpjc2VjcmV0" /* ckey:csecret */

typedef struct fixture {
	pc_config cfg;
	char endpoint[64];
	pc_provider *p;
} fixture;

static void fill_config(pc_config *c, const char *endpoint)
{
	memset(c, 0, sizeof(*c));
	c->target = "confluent";
	c->organization_id = ORG;
	c->environment_id = ENV;
	c->principal = "sa-abc";
	c->flink.endpoint = (char *)endpoint;
	c->flink.api_key = "fkey";
	c->flink.api_secret = "fsecret";
	c->flink_compute_pool_id = "lfcp-default";
	c->flink_catalog = "dev-env";
	c->flink_database = "cluster_0";
	c->kafka.endpoint = (char *)endpoint;
	c->kafka.api_key = "kkey";
	c->kafka.api_secret = "ksecret";
	c->kafka_cluster_id = "lkc-1";
	c->cloud.endpoint = (char *)endpoint;
	c->cloud.api_key = "ckey";
	c->cloud.api_secret = "csecret";
}

/* Small timeouts and pauses so failures are quick. */
static pc_http_opts fast_opts(void)
{
	pc_http_opts o;
	pc_http_opts_default(&o);
	o.connect_timeout_ms = 1000;
	o.timeout_ms = 2000;
	o.max_attempts = 4;
	o.budget_ms = 10000;
	o.backoff_base_ms = 20;
	o.backoff_max_ms = 2000;
	return o;
}

static fixture *open_fixture(server *s, const pc_http_opts *o)
{
	fixture *f = PC_NEW(fixture);
	pc_http_opts d = fast_opts();
	snprintf(f->endpoint, sizeof(f->endpoint), "http://127.0.0.1:%d/", s->port);
	fill_config(&f->cfg, f->endpoint);
	assert_int_equal(pc_confluent_open_with(&f->p, &f->cfg, o ? o : &d), 0);
	return f;
}

static void close_fixture(fixture *f)
{
	pc_provider_free(f->p);
	free(f);
}

static request *req(server *s, size_t i)
{
	assert_true(i < s->n_reqs);
	return &s->reqs[i];
}

static json_t *req_json(server *s, size_t i)
{
	json_error_t err;
	json_t *j = json_loads(req(s, i)->body, 0, &err);
	assert_non_null(j);
	return j;
}

static const char *jpath(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_string_value(v);
}

static const char *STATEMENT_JSON =
	"{\"api_version\":\"sql/v1\",\"kind\":\"Statement\",\"organization_id\":\"org-1\","
	"\"environment_id\":\"env-1\",\"name\":\"dev-dml-orders\",\"some_future_field\":{\"x\":[1,2]},"
	"\"metadata\":{\"self\":\"http://x/statements/dev-dml-orders\",\"created_at\":\"2025-08-21T00:23:35.45976Z\","
	"\"updated_at\":\"2025-08-21T00:24:00Z\",\"uid\":\"u-1\",\"resource_version\":\"5\",\"labels\":{\"owner\":\"pipectl\"}},"
	"\"spec\":{\"statement\":\"INSERT INTO enriched SELECT * FROM orders;\","
	"\"properties\":{\"sql.current-catalog\":\"dev\",\"sql.current-database\":\"cluster_0\"},"
	"\"compute_pool_id\":\"lfcp-x7rgx1\",\"principal\":\"sa-abc123\",\"stopped\":true},"
	"\"status\":{\"phase\":\"HIBERNATING\",\"detail\":\"resting\",\"network_kind\":\"PUBLIC\","
	"\"traits\":{\"sql_kind\":\"INSERT_INTO\",\"is_bounded\":false,\"is_append_only\":true},"
	"\"latest_offsets\":{\"orders\":\"partition:0,offset:18446744073709551615;partition:1,offset:7\"},"
	"\"latest_offsets_timestamp\":\"2024-10-14T21:26:07Z\"}}";

static char *statement_named(const char *name, const char *rv, int stopped)
{
	return pc_sprintf("{\"name\":\"%s\",\"metadata\":{\"resource_version\":\"%s\"},"
			  "\"spec\":{\"statement\":\"INSERT INTO t SELECT * FROM s;\",\"stopped\":%s,"
			  "\"compute_pool_id\":\"lfcp-old\",\"properties\":{\"a\":\"1\"}},"
			  "\"status\":{\"phase\":\"%s\"}}",
			  name, rv, stopped ? "true" : "false", stopped ? "STOPPED" : "RUNNING");
}

/* ---- tests: open ---- */

static void test_confluent_open__missing_flink_endpoint_is_named(void **state)
{
	pc_config c;
	pc_provider *p = NULL;
	(void)state;
	fill_config(&c, "http://127.0.0.1:1");
	c.flink.endpoint = NULL;
	assert_int_equal(pc_confluent_open(&p, &c), PC_EINVALID);
	assert_null(p);
	assert_string_equal(pc_error_last(), "confluent target: 'confluent.flink.endpoint' is not set");
	fill_config(&c, "http://127.0.0.1:1");
	c.kafka.api_secret = "";
	assert_int_equal(pc_confluent_open(&p, &c), PC_EINVALID);
	assert_string_equal(pc_error_last(), "confluent target: 'confluent.kafka.api_secret' is not set");
	fill_config(&c, "ftp://127.0.0.1:1");
	assert_int_equal(pc_confluent_open(&p, &c), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "must start with https:// or http://"));
}

static void test_confluent_pools__missing_cloud_key_is_named(void **state)
{
	server *s = *state;
	fixture *f = PC_NEW(fixture);
	pc_vec v = PC_VEC_INIT;
	pc_http_opts o = fast_opts();
	snprintf(f->endpoint, sizeof(f->endpoint), "http://127.0.0.1:%d", s->port);
	fill_config(&f->cfg, f->endpoint);
	f->cfg.cloud.api_key = NULL;
	assert_int_equal(pc_confluent_open_with(&f->p, &f->cfg, &o), 0);
	assert_int_equal(f->p->ops->list_pools(f->p, &v), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "'confluent.cloud.api_key' is not set"));
	assert_int_equal(s->n_reqs, 0);
	close_fixture(f);
}

/* ---- tests: statements ---- */

static void test_confluent_get__maps_every_field_and_tolerates_unknown_ones(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;

	say(s, 200, STATEMENT_JSON);
	assert_int_equal(f->p->ops->get_statement(f->p, "dev-dml-orders", &st), 0);
	assert_string_equal(req(s, 0)->method, "GET");
	assert_string_equal(req(s, 0)->path, SQL_PREFIX "/statements/dev-dml-orders");
	assert_string_equal(req(s, 0)->auth, FLINK_AUTH);
	assert_string_equal(st->name, "dev-dml-orders");
	assert_string_equal(st->sql, "INSERT INTO enriched SELECT * FROM orders;");
	assert_string_equal(st->phase, "HIBERNATING");
	assert_int_equal(st->ph, PC_PHASE_UNKNOWN); /* kept for display, classified unknown */
	assert_string_equal(st->detail, "resting");
	assert_string_equal(st->compute_pool_id, "lfcp-x7rgx1");
	assert_string_equal(st->principal, "sa-abc123");
	assert_int_equal(st->stopped, 1);
	assert_string_equal(st->resource_version, "5");
	assert_string_equal(st->created_at, "2025-08-21T00:23:35.45976Z");
	assert_string_equal(st->uid, "u-1");
	assert_string_equal(st->sql_kind, "INSERT_INTO");
	assert_int_equal(st->is_append_only, 1);
	assert_string_equal(pc_kv_get(&st->properties, "sql.current-catalog"), "dev");
	assert_string_equal(pc_kv_get(&st->labels, "owner"), "pipectl");
	assert_string_equal(pc_kv_get(&st->latest_offsets, "orders"),
			    "partition:0,offset:18446744073709551615;partition:1,offset:7");
	assert_string_equal(st->latest_offsets_timestamp, "2024-10-14T21:26:07Z");
	pc_statement_free(st);
	close_fixture(f);
}

static void test_confluent_get__absent_traits_leave_append_only_unknown(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;

	say(s, 200, "{\"name\":\"a\",\"spec\":{\"statement\":\"CREATE TABLE a (x INT);\"},\"status\":{\"phase\":\"COMPLETED\"}}");
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), 0);
	assert_int_equal(st->is_append_only, -1);
	assert_null(st->sql_kind);
	assert_int_equal(st->stopped, 0);
	assert_int_equal(st->latest_offsets.len, 0);
	pc_statement_free(st);
	close_fixture(f);
}

static void test_confluent_create__sends_every_field_and_adds_catalog_defaults(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	pc_kvlist props = PC_VEC_INIT, labels = PC_VEC_INIT;
	pc_statement_spec spec = { 0 };
	json_t *j;

	pc_kv_set(&props, "sql.current-database", "other_cluster");
	pc_kv_set(&props, "sql.tables.initial-offset-from", "dev-dml-orders-1");
	pc_kv_set(&labels, "pipectl.table", "orders");
	spec.name = "dev-dml-orders-2";
	spec.sql = "INSERT INTO enriched SELECT * FROM \"orders\";";
	spec.properties = &props;
	spec.labels = &labels;
	spec.stopped = 0;
	say(s, 201, STATEMENT_JSON);
	last_reply(s)->headers[0] = "Location: http://x/statements/dev-dml-orders-2";
	assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), 0);
	assert_string_equal(req(s, 0)->method, "POST");
	assert_string_equal(req(s, 0)->path, SQL_PREFIX "/statements");
	assert_string_equal(req(s, 0)->auth, FLINK_AUTH);
	assert_string_equal(req(s, 0)->content_type, "application/json");
	j = req_json(s, 0);
	assert_string_equal(jpath(j, "name", NULL, NULL), "dev-dml-orders-2");
	assert_string_equal(jpath(j, "spec", "statement", NULL), spec.sql);
	assert_string_equal(jpath(j, "spec", "compute_pool_id", NULL), "lfcp-default");
	assert_string_equal(jpath(j, "spec", "principal", NULL), "sa-abc");
	assert_true(json_is_false(json_object_get(json_object_get(j, "spec"), "stopped")));
	assert_string_equal(jpath(j, "spec", "properties", "sql.current-catalog"), "dev-env");
	assert_string_equal(jpath(j, "spec", "properties", "sql.current-database"), "other_cluster");
	assert_string_equal(jpath(j, "spec", "properties", "sql.tables.initial-offset-from"), "dev-dml-orders-1");
	assert_string_equal(jpath(j, "metadata", "labels", "pipectl.table"), "orders");
	json_decref(j);
	assert_string_equal(st->name, "dev-dml-orders");
	pc_statement_free(st);
	pc_kv_dispose(&props);
	pc_kv_dispose(&labels);
	close_fixture(f);
}

static void test_confluent_create__duplicate_name_is_eexists_with_detail(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	pc_statement_spec spec = { .name = "a", .sql = "CREATE TABLE a (x INT);" };

	say(s, 409, "{\"errors\":[{\"status\":\"409\",\"code\":\"resource_already_exists\",\"title\":\"Conflict\",\"detail\":\"Statement name 'a' already in use\"}]}");
	assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), PC_EEXISTS);
	assert_null(st);
	assert_string_equal(pc_error_last(), "create statement 'a': HTTP 409: Statement name 'a' already in use");
	close_fixture(f);
}

static void test_confluent_create__a_retried_create_that_went_through_is_success(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	char *ours = statement_named("a", "1", 0);
	pc_statement_spec spec = { .name = "a", .sql = "INSERT INTO t SELECT * FROM s;" };

	say(s, 503, "{\"errors\":[{\"detail\":\"try later\"}]}");
	say(s, 409, "{\"errors\":[{\"detail\":\"already exists\"}]}");
	say(s, 200, ours);
	assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), 0);
	assert_string_equal(st->name, "a");
	assert_string_equal(req(s, 2)->method, "GET");
	pc_statement_free(st);
	st = NULL;

	/* Same SQL, other labels: somebody else's statement (a lock held by another). */
	{
		pc_kvlist labels = PC_VEC_INIT;
		pc_kv_set(&labels, "holder", "me");
		spec.labels = &labels;
		say(s, 503, "");
		say(s, 409, "{\"errors\":[{\"detail\":\"already exists\"}]}");
		say(s, 200, ours);
		assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), PC_EEXISTS);
		assert_null(st);
		spec.labels = NULL;
		pc_kv_dispose(&labels);
	}

	/* Same name, other SQL: somebody else's statement, a real conflict. */
	spec.sql = "INSERT INTO t SELECT 1;";
	say(s, 500, "");
	say(s, 409, "{\"errors\":[{\"detail\":\"already exists\"}]}");
	say(s, 200, ours);
	assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), PC_EEXISTS);
	assert_null(st);
	assert_string_equal(pc_error_last(), "create statement 'a': HTTP 409: already exists (after 2 attempts)");
	free(ours);
	close_fixture(f);
}

static void test_confluent_get__403_is_eauth_with_the_api_detail(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;

	say(s, 403, "{\"errors\":[{\"status\":\"403\",\"detail\":\"Forbidden Access\"}]}");
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EAUTH);
	assert_string_equal(pc_error_last(), "get statement 'a': HTTP 403: Forbidden Access");
	assert_int_equal(s->n_reqs, 1);
	close_fixture(f);
}

static void test_confluent_create__a_timeout_is_not_retried(void **state)
{
	server *s = *state;
	pc_http_opts o = fast_opts();
	fixture *f;
	pc_statement_spec spec = { .name = "a", .sql = "CREATE TABLE a (x INT);" };
	pc_statement *st = NULL;

	o.timeout_ms = 300;
	f = open_fixture(s, &o);
	say(s, 201, STATEMENT_JSON);
	last_reply(s)->delay_ms = 2000;
	assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), PC_ETIMEOUT);
	assert_int_equal(s->n_reqs, 1);
	close_fixture(f);
}

static void test_confluent_update__puts_whole_object_with_resource_version(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	json_t *j;

	say(s, 200, STATEMENT_JSON);
	assert_int_equal(f->p->ops->get_statement(f->p, "dev-dml-orders", &st), 0);
	st->stopped = 0;
	say(s, 202, "");
	assert_int_equal(f->p->ops->update_statement(f->p, st), 0);
	assert_string_equal(req(s, 1)->method, "PUT");
	assert_string_equal(req(s, 1)->path, SQL_PREFIX "/statements/dev-dml-orders");
	j = req_json(s, 1);
	assert_string_equal(jpath(j, "metadata", "resource_version", NULL), "5");
	assert_string_equal(jpath(j, "spec", "statement", NULL), "INSERT INTO enriched SELECT * FROM orders;");
	assert_string_equal(jpath(j, "spec", "compute_pool_id", NULL), "lfcp-x7rgx1");
	assert_string_equal(jpath(j, "spec", "properties", "sql.current-catalog"), "dev");
	assert_string_equal(jpath(j, "organization_id", NULL, NULL), ORG);
	assert_string_equal(jpath(j, "environment_id", NULL, NULL), ENV);
	assert_true(json_is_false(json_object_get(json_object_get(j, "spec"), "stopped")));
	json_decref(j);

	say(s, 409, "{\"errors\":[{\"status\":\"409\",\"detail\":\"resource version mismatch\"}]}");
	assert_int_equal(f->p->ops->update_statement(f->p, st), PC_ECONFLICT);
	assert_string_equal(pc_error_last(), "update statement 'dev-dml-orders': HTTP 409: resource version mismatch");
	pc_statement_free(st);
	close_fixture(f);
}

static void test_confluent_delete__any_2xx_is_success_and_404_is_enotfound(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);

	say(s, 202, "");
	say(s, 204, "");
	say(s, 404, "{\"errors\":[{\"id\":\"e\",\"status\":\"404\",\"code\":\"not_found\",\"title\":\"Not Found\",\"detail\":\"Statement resource=x does not exist\"}]}");
	assert_int_equal(f->p->ops->delete_statement(f->p, "a"), 0);
	assert_int_equal(f->p->ops->delete_statement(f->p, "b"), 0);
	assert_int_equal(f->p->ops->delete_statement(f->p, "x"), PC_ENOTFOUND);
	assert_string_equal(pc_error_last(), "delete statement 'x': HTTP 404: Statement resource=x does not exist");
	assert_string_equal(req(s, 0)->method, "DELETE");
	assert_string_equal(req(s, 2)->path, SQL_PREFIX "/statements/x");
	close_fixture(f);
}

static void test_confluent_exceptions__most_recent_first(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_vec v = PC_VEC_INIT;

	say(s, 200, "{\"api_version\":\"sql/v1\",\"kind\":\"StatementExceptionList\",\"data\":["
		    "{\"kind\":\"StatementException\",\"name\":\"old\",\"message\":\"first\",\"timestamp\":\"2025-11-10T16:20:00Z\"},"
		    "{\"kind\":\"StatementException\",\"name\":\"new\",\"message\":\"Table 'orders' does not exist\",\"timestamp\":\"2025-11-10T16:21:00Z\"}]}");
	assert_int_equal(f->p->ops->list_exceptions(f->p, "a", &v), 0);
	assert_string_equal(req(s, 0)->path, SQL_PREFIX "/statements/a/exceptions");
	assert_int_equal(v.len, 2);
	assert_string_equal(((pc_statement_exception *)v.items[0])->message, "Table 'orders' does not exist");
	assert_string_equal(((pc_statement_exception *)v.items[1])->name, "old");
	pc_vec_dispose(&v, pc_statement_exception_free);
	close_fixture(f);
}

static void test_confluent_list__follows_next_page_token_over_three_pages(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_vec v = PC_VEC_INIT;
	char *p1, *p2, *p3;

	p1 = pc_sprintf("{\"kind\":\"StatementList\",\"metadata\":{\"next\":\"http://127.0.0.1:%d%s/statements?page_size=100&page_token=tok%%2B2\"},"
			"\"data\":[{\"name\":\"s1\"},{\"name\":\"s2\"}]}", s->port, SQL_PREFIX);
	p2 = pc_sprintf("{\"metadata\":{\"next\":\"https://elsewhere/x?page_token=tok3&page_size=100\"},\"data\":[{\"name\":\"s3\"}]}");
	p3 = pc_sprintf("{\"metadata\":{\"next\":\"\"},\"data\":[{\"name\":\"s4\",\"status\":{\"phase\":\"RUNNING\"}}]}");
	say(s, 200, p1);
	say(s, 200, p2);
	say(s, 200, p3);
	assert_int_equal(f->p->ops->list_statements(f->p, &v), 0);
	assert_int_equal(s->n_reqs, 3);
	assert_string_equal(req(s, 0)->path, SQL_PREFIX "/statements");
	assert_string_equal(req(s, 0)->query, "page_size=100");
	assert_string_equal(req(s, 1)->query, "page_size=100&page_token=tok+2");
	assert_string_equal(req(s, 2)->query, "page_size=100&page_token=tok3");
	assert_int_equal(v.len, 4);
	assert_string_equal(((pc_statement *)v.items[3])->name, "s4");
	assert_string_equal(((pc_statement *)v.items[3])->phase, "RUNNING");
	pc_vec_dispose(&v, pc_statement_free);
	free(p1);
	free(p2);
	free(p3);
	close_fixture(f);
}

static void test_confluent_set_stopped__retries_after_a_409(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	char *v5 = statement_named("a", "5", 1), *v6 = statement_named("a", "6", 1);
	pc_kvlist props = PC_VEC_INIT;
	json_t *j;

	pc_kv_set(&props, "b", "2");
	say(s, 200, v5);
	say(s, 409, "{\"errors\":[{\"detail\":\"stale resource_version\"}]}");
	say(s, 200, v6);
	say(s, 202, "");
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 0, "lfcp-new", &props), 0);
	assert_int_equal(s->n_reqs, 4);
	assert_string_equal(req(s, 0)->method, "GET");
	assert_string_equal(req(s, 1)->method, "PUT");
	assert_string_equal(req(s, 2)->method, "GET");
	assert_string_equal(req(s, 3)->method, "PUT");
	j = req_json(s, 3);
	assert_string_equal(jpath(j, "metadata", "resource_version", NULL), "6");
	assert_true(json_is_false(json_object_get(json_object_get(j, "spec"), "stopped")));
	assert_string_equal(jpath(j, "spec", "compute_pool_id", NULL), "lfcp-new");
	assert_string_equal(jpath(j, "spec", "properties", "b"), "2");
	assert_null(jpath(j, "spec", "properties", "a"));
	json_decref(j);
	pc_kv_dispose(&props);
	free(v5);
	free(v6);
	close_fixture(f);
}

static void test_confluent_set_stopped__does_nothing_when_already_as_asked(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	char *st = statement_named("a", "5", 1);

	say(s, 200, st);
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 1, "lfcp-old", NULL), 0);
	assert_int_equal(s->n_reqs, 1);
	say(s, 200, st);
	say(s, 202, "");
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 1, "lfcp-other", NULL), 0);
	assert_int_equal(s->n_reqs, 3);
	assert_string_equal(req(s, 2)->method, "PUT");
	free(st);
	close_fixture(f);
}

static void test_confluent_set_stopped__gives_up_after_repeated_conflicts(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	char *v5 = statement_named("a", "5", 0);

	for (int i = 0; i < 5; i++) {
		say(s, 200, v5);
		say(s, 409, "{\"errors\":[{\"detail\":\"stale\"}]}");
	}
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 1, NULL, NULL), PC_ECONFLICT);
	assert_int_equal(s->n_reqs, 10);
	assert_non_null(strstr(pc_error_last(), "stop statement 'a': gave up after 5 conflicting updates"));
	free(v5);
	close_fixture(f);
}

/* ---- tests: retries, timeouts, bad bodies ---- */

static void test_http__429_with_retry_after_is_honoured(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	int64_t t0;

	say(s, 429, "{\"errors\":[{\"detail\":\"slow down\"}]}");
	last_reply(s)->headers[0] = "Retry-After: 1";
	say(s, 200, STATEMENT_JSON);
	t0 = pc_mono_ms();
	assert_int_equal(f->p->ops->get_statement(f->p, "dev-dml-orders", &st), 0);
	assert_true(pc_mono_ms() - t0 >= 950);
	assert_int_equal(s->n_reqs, 2);
	assert_int_equal(f->p->stats.retries, 1);
	assert_int_equal(f->p->stats.requests, 2);
	assert_int_equal(f->p->stats.by_status[4], 1);
	assert_int_equal(f->p->stats.by_status[2], 1);
	pc_statement_free(st);
	close_fixture(f);
}

static void test_http__5xx_burst_then_success(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_vec v = PC_VEC_INIT;

	say(s, 503, "{\"errors\":[{\"detail\":\"unavailable\"}]}");
	say(s, 502, "<html>bad gateway</html>");
	say(s, 500, "");
	say(s, 200, "{\"data\":[{\"topic_name\":\"orders\",\"partitions_count\":6}]}");
	assert_int_equal(f->p->ops->list_topics(f->p, &v), 0);
	assert_int_equal(s->n_reqs, 4);
	assert_int_equal(v.len, 1);
	assert_int_equal(f->p->stats.by_status[5], 3);
	assert_int_equal(f->p->stats.retries, 3);
	pc_vec_dispose(&v, pc_topic_free);
	close_fixture(f);
}

static void test_http__retries_are_bounded(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_vec v = PC_VEC_INIT;

	s->fallback.status = 503;
	s->fallback.body = pc_strdup("{\"errors\":[{\"detail\":\"still down\"}]}");
	s->fallback.body_len = strlen(s->fallback.body);
	assert_int_equal(f->p->ops->list_topics(f->p, &v), PC_EHTTP);
	assert_int_equal(s->n_reqs, 4); /* max_attempts */
	assert_string_equal(pc_error_last(), "list topics: HTTP 503: still down (after 4 attempts)");
	assert_int_equal(v.len, 0);
	close_fixture(f);
}

static void test_http__a_hanging_server_times_out(void **state)
{
	server *s = *state;
	pc_http_opts o = fast_opts();
	fixture *f;
	pc_statement *st = NULL;
	int64_t t0, took;

	o.timeout_ms = 300;
	o.max_attempts = 2;
	f = open_fixture(s, &o);
	say(s, 200, STATEMENT_JSON);
	last_reply(s)->delay_ms = 5000;
	say(s, 200, STATEMENT_JSON);
	last_reply(s)->delay_ms = 5000;
	t0 = pc_mono_ms();
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_ETIMEOUT);
	took = pc_mono_ms() - t0;
	assert_true(took >= 550);
	assert_true(took < 2000);
	assert_int_equal(s->n_reqs, 2);
	assert_non_null(strstr(pc_error_last(), "get statement 'a': "));
	assert_non_null(strstr(pc_error_last(), "did not answer within 300 ms"));
	close_fixture(f);
}

static void test_http__the_total_budget_bounds_a_hanging_server(void **state)
{
	server *s = *state;
	pc_http_opts o = fast_opts();
	fixture *f;
	pc_statement *st = NULL;
	int64_t t0, took;

	o.timeout_ms = 5000;
	o.budget_ms = 700;
	f = open_fixture(s, &o);
	say(s, 200, STATEMENT_JSON);
	last_reply(s)->delay_ms = 5000;
	t0 = pc_mono_ms();
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_ETIMEOUT);
	took = pc_mono_ms() - t0;
	assert_true(took < 1500);
	close_fixture(f);
}

static void test_http__401_is_eauth_and_never_shows_the_secret(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;

	/* A server that echoes what it got must not make us print it. */
	say(s, 401, "{\"errors\":[{\"detail\":\"bad credentials fkey:fsecret\"}]}");
	last_reply(s)->headers[0] = "WWW-Authenticate: Basic error=\"invalid_key\"";
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EAUTH);
	assert_string_equal(pc_error_last(),
			    "get statement 'a': HTTP 401: invalid API key for flink (check confluent.flink.api_key)");
	assert_null(strstr(pc_error_last(), "fsecret"));
	assert_int_equal(s->n_reqs, 1);

	say(s, 401, "");
	assert_int_equal(f->p->ops->delete_topic(f->p, "t"), PC_EAUTH);
	assert_string_equal(pc_error_last(),
			    "delete topic 't': HTTP 401: invalid API key for kafka (check confluent.kafka.api_key)");
	assert_null(strstr(pc_error_last(), "ksecret"));
	close_fixture(f);
}

static void test_http__malformed_json_is_a_clear_error(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;

	say(s, 200, "{\"name\": \"a\", \"spec\": {");
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EPARSE);
	assert_null(st);
	assert_non_null(strstr(pc_error_last(), "get statement 'a': HTTP 200: malformed JSON body: "));
	assert_null(strchr(pc_error_last(), '\n'));

	say(s, 200, "[1,2]");
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EPARSE);
	assert_string_equal(pc_error_last(), "get statement 'a': HTTP 200: unexpected JSON body: a statement is not an object");

	/* A list is returned whole or not at all. */
	{
		pc_vec v = PC_VEC_INIT;
		say(s, 200, "{\"metadata\":{\"next\":\"\"},\"data\":[{\"name\":\"a\"},{\"nameless\":1}]}");
		assert_int_equal(f->p->ops->list_statements(f->p, &v), PC_EPARSE);
		assert_string_equal(pc_error_last(), "list statements: HTTP 200: unexpected JSON body: statement without 'name'");
		assert_int_equal(v.len, 0);
	}
	close_fixture(f);
}

static void test_http__an_html_429_page_is_reported_by_status(void **state)
{
	server *s = *state;
	pc_http_opts o = fast_opts();
	fixture *f;
	pc_vec v = PC_VEC_INIT;

	o.max_attempts = 2;
	f = open_fixture(s, &o);
	for (int i = 0; i < 2; i++) {
		say(s, 429, "<html><body><h1>429 Too Many Requests</h1>\n<p>slow</p></body></html>");
		last_reply(s)->headers[0] = "Content-Type: text/html";
	}
	assert_int_equal(f->p->ops->list_topics(f->p, &v), PC_EHTTP);
	assert_string_equal(pc_error_last(), "list topics: HTTP 429 Too Many Requests (non-JSON body) (after 2 attempts)");
	assert_int_equal(s->n_reqs, 2);
	close_fixture(f);
}

static void test_http__a_body_past_the_cap_is_etoobig(void **state)
{
	server *s = *state;
	pc_http_opts o = fast_opts();
	fixture *f;
	pc_vec v = PC_VEC_INIT;
	reply *r;

	o.max_body = 1 << 20;
	f = open_fixture(s, &o);
	say(s, 200, "");
	r = last_reply(s);
	free(r->body);
	r->body_len = (size_t)3 << 20;
	r->body = pc_malloc(r->body_len + 1);
	memset(r->body, ' ', r->body_len);
	r->body[0] = '{';
	r->body[r->body_len] = '\0';
	assert_int_equal(f->p->ops->list_statements(f->p, &v), PC_ETOOBIG);
	assert_non_null(strstr(pc_error_last(), "list statements: response from http://127.0.0.1:"));
	assert_non_null(strstr(pc_error_last(), "larger than 1048576 bytes"));
	assert_int_equal(s->n_reqs, 1);
	assert_int_equal(v.len, 0);
	close_fixture(f);
}

static void test_http__an_unreachable_port_is_enet_after_bounded_attempts(void **state)
{
	pc_config c;
	pc_provider *p = NULL;
	pc_http_opts o = fast_opts();
	pc_vec v = PC_VEC_INIT;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char endpoint[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	(void)state;

	/* A port that was free a moment ago and has no listener. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	fill_config(&c, endpoint);
	o.max_attempts = 3;
	assert_int_equal(pc_confluent_open_with(&p, &c, &o), 0);
	assert_int_equal(p->ops->list_statements(p, &v), PC_ENET);
	assert_non_null(strstr(pc_error_last(), "list statements: could not connect to http://127.0.0.1:"));
	assert_non_null(strstr(pc_error_last(), "(3 attempts)"));
	assert_null(strstr(pc_error_last(), "page_size"));
	assert_int_equal(p->stats.requests, 3);
	assert_int_equal(p->stats.by_status[0], 3);
	pc_provider_free(p);
}

static void test_http__connections_are_reused(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);

	for (int i = 0; i < 5; i++)
		say(s, 204, "");
	for (int i = 0; i < 5; i++)
		assert_int_equal(f->p->ops->delete_topic(f->p, "t"), 0);
	assert_int_equal(s->n_reqs, 5);
	assert_int_equal(s->connections, 1);
	close_fixture(f);
}

typedef struct worker {
	pc_provider *p;
	int failures;
} worker;

static void *get_many(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < 25; i++) {
		pc_topic *t = NULL;
		if (w->p->ops->get_topic(w->p, "orders", &t) != 0 || strcmp(t->name, "orders") != 0)
			w->failures++;
		pc_topic_free(t);
	}
	return NULL;
}

static void test_http__several_threads_share_one_provider(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pthread_t th[4];
	worker w[4];

	s->fallback.status = 200;
	s->fallback.body = pc_strdup("{\"kind\":\"KafkaTopic\",\"topic_name\":\"orders\",\"partitions_count\":6}");
	s->fallback.body_len = strlen(s->fallback.body);
	for (int i = 0; i < 4; i++) {
		w[i].p = f->p;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, get_many, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(f->p->stats.requests, 100);
	assert_int_equal(f->p->stats.by_status[2], 100);
	assert_true(s->connections <= 16);
	close_fixture(f);
}

/* ---- tests: topics and pools ---- */

static void test_confluent_topics__list_get_delete_use_the_kafka_key(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_vec v = PC_VEC_INIT;
	pc_topic *t = NULL;

	say(s, 200, "{\"kind\":\"KafkaTopicList\",\"metadata\":{\"self\":\"x\",\"next\":null},\"data\":["
		    "{\"kind\":\"KafkaTopic\",\"cluster_id\":\"lkc-1\",\"topic_name\":\"orders\",\"is_internal\":false,\"replication_factor\":3,\"partitions_count\":6},"
		    "{\"kind\":\"KafkaTopic\",\"topic_name\":\"_schemas\",\"is_internal\":true,\"partitions_count\":1}]}");
	say(s, 200, "{\"kind\":\"KafkaTopic\",\"topic_name\":\"orders\",\"replication_factor\":3,\"partitions_count\":6}");
	say(s, 204, "");
	say(s, 404, "{\"error_code\":40403,\"message\":\"This server does not host this topic-partition.\"}");
	assert_int_equal(f->p->ops->list_topics(f->p, &v), 0);
	assert_int_equal(v.len, 2);
	assert_string_equal(((pc_topic *)v.items[0])->name, "orders");
	assert_int_equal(((pc_topic *)v.items[0])->partitions, 6);
	assert_int_equal(((pc_topic *)v.items[0])->replication_factor, 3);
	assert_int_equal(((pc_topic *)v.items[1])->is_internal, 1);
	assert_int_equal(f->p->ops->get_topic(f->p, "orders", &t), 0);
	assert_int_equal(t->partitions, 6);
	assert_int_equal(f->p->ops->delete_topic(f->p, "orders"), 0);
	assert_int_equal(f->p->ops->delete_topic(f->p, "gone"), PC_ENOTFOUND);
	assert_string_equal(pc_error_last(), "delete topic 'gone': HTTP 404: This server does not host this topic-partition.");
	assert_string_equal(req(s, 0)->path, "/kafka/v3/clusters/lkc-1/topics");
	assert_string_equal(req(s, 1)->path, "/kafka/v3/clusters/lkc-1/topics/orders");
	assert_string_equal(req(s, 2)->method, "DELETE");
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(req(s, i)->auth, KAFKA_AUTH);
	pc_topic_free(t);
	pc_vec_dispose(&v, pc_topic_free);
	close_fixture(f);
}

static void test_confluent_pools__list_get_create_use_the_cloud_key(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_vec v = PC_VEC_INIT;
	pc_pool *p = NULL;
	pc_pool_spec spec = { .display_name = "pipectl-dev", .cloud = "AWS", .region = "us-east-2", .max_cfu = 10 };
	char *page1 = pc_sprintf("{\"api_version\":\"fcpm/v2\",\"kind\":\"ComputePoolList\",\"metadata\":{\"next\":\"http://127.0.0.1:%d/fcpm/v2/compute-pools?environment=env-1&page_size=100&page_token=p2\"},"
				 "\"data\":[{\"id\":\"lfcp-1\",\"spec\":{\"display_name\":\"one\",\"cloud\":\"AWS\",\"region\":\"us-east-2\",\"max_cfu\":20},\"status\":{\"phase\":\"PROVISIONED\",\"current_cfu\":3}}]}",
				 s->port);
	json_t *j;

	say(s, 200, page1);
	say(s, 200, "{\"metadata\":{},\"data\":[{\"id\":\"lfcp-2\",\"status\":{\"phase\":\"NEWPHASE\"}}]}");
	say(s, 200, "{\"id\":\"lfcp-1\",\"spec\":{\"display_name\":\"one\",\"max_cfu\":20},\"status\":{\"phase\":\"PROVISIONED\"}}");
	say(s, 202, "{\"api_version\":\"fcpm/v2\",\"kind\":\"ComputePool\",\"id\":\"lfcp-3\",\"spec\":{\"display_name\":\"pipectl-dev\",\"cloud\":\"AWS\",\"region\":\"us-east-2\",\"max_cfu\":10},\"status\":{\"phase\":\"PROVISIONING\",\"current_cfu\":0}}");
	last_reply(s)->headers[0] = "Location: http://x/fcpm/v2/compute-pools/lfcp-3";
	assert_int_equal(f->p->ops->list_pools(f->p, &v), 0);
	assert_int_equal(v.len, 2);
	assert_string_equal(((pc_pool *)v.items[0])->id, "lfcp-1");
	assert_string_equal(((pc_pool *)v.items[0])->phase, "PROVISIONED");
	assert_int_equal(((pc_pool *)v.items[0])->max_cfu, 20);
	assert_int_equal(((pc_pool *)v.items[0])->current_cfu, 3);
	assert_string_equal(((pc_pool *)v.items[1])->phase, "NEWPHASE");
	assert_string_equal(req(s, 0)->path, "/fcpm/v2/compute-pools");
	assert_string_equal(req(s, 0)->query, "environment=env-1&page_size=100");
	assert_string_equal(req(s, 1)->query, "environment=env-1&page_size=100&page_token=p2");
	assert_int_equal(f->p->ops->get_pool(f->p, "lfcp-1", &p), 0);
	assert_string_equal(req(s, 2)->path, "/fcpm/v2/compute-pools/lfcp-1");
	assert_string_equal(req(s, 2)->query, "environment=env-1");
	assert_string_equal(p->display_name, "one");
	pc_pool_free(p);
	assert_int_equal(f->p->ops->create_pool(f->p, &spec, &p), 0);
	assert_string_equal(req(s, 3)->method, "POST");
	assert_string_equal(req(s, 3)->path, "/fcpm/v2/compute-pools");
	j = req_json(s, 3);
	assert_string_equal(jpath(j, "spec", "display_name", NULL), "pipectl-dev");
	assert_string_equal(jpath(j, "spec", "cloud", NULL), "AWS");
	assert_string_equal(jpath(j, "spec", "region", NULL), "us-east-2");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "spec"), "max_cfu")), 10);
	assert_string_equal(jpath(j, "spec", "environment", "id"), ENV);
	json_decref(j);
	assert_string_equal(p->id, "lfcp-3");
	assert_string_equal(p->phase, "PROVISIONING");
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(req(s, i)->auth, CLOUD_AUTH);
	pc_pool_free(p);
	pc_vec_dispose(&v, pc_pool_free);
	free(page1);
	close_fixture(f);
}

/* ---- tests: pure helpers ---- */

static void test_http_retry_after__seconds_and_http_dates(void **state)
{
	(void)state;
	assert_int_equal(pc_http_parse_retry_after("1", 0), 1000);
	assert_int_equal(pc_http_parse_retry_after(" 120 ", 0), 120000);
	assert_int_equal(pc_http_parse_retry_after("-3", 0), -1);
	assert_int_equal(pc_http_parse_retry_after("soon", 0), -1);
	/* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
	assert_int_equal(pc_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412478000LL), 2000);
	assert_int_equal(pc_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490000LL), 0);
}

static char *detail_of(const char *body)
{
	return pc_cfjson_error_detail(body, strlen(body));
}

static void test_confluent_json__page_token_and_error_detail(void **state)
{
	char *t;
	(void)state;
	t = pc_cfjson_page_token("https://x/statements?page_size=100&page_token=a%2Fb%3D");
	assert_string_equal(t, "a/b=");
	free(t);
	assert_null(pc_cfjson_page_token("https://x/statements?page_size=100"));
	assert_null(pc_cfjson_page_token(""));
	t = detail_of("{\"errors\":[{\"title\":\"Bad Request\",\"detail\":\"\"}]}");
	assert_non_null(t);
	assert_string_equal(t, "Bad Request");
	free(t);
	t = detail_of("{\"errors\":[{\"detail\":\"line one\\nline   two\"}]}");
	assert_non_null(t);
	assert_string_equal(t, "line one line two");
	free(t);
	assert_null(pc_cfjson_error_detail("<html>", 6));
}

static void test_provider__phase_helpers_tolerate_unknown_phases(void **state)
{
	(void)state;
	assert_true(pc_phase_transitional(pc_phase_classify("PENDING")));
	assert_true(pc_phase_transitional(pc_phase_classify("STOPPING")));
	assert_true(pc_phase_transitional(pc_phase_classify("DELETING")));
	assert_false(pc_phase_transitional(pc_phase_classify("RUNNING")));
	assert_int_equal(pc_phase_classify("SOMETHING_NEW"), PC_PHASE_UNKNOWN);
	assert_int_equal(pc_phase_classify(NULL), PC_PHASE_UNKNOWN);
	assert_false(pc_phase_transitional(PC_PHASE_UNKNOWN));
	assert_false(pc_phase_live(PC_PHASE_UNKNOWN));
	assert_false(pc_phase_current(PC_PHASE_UNKNOWN));
	assert_true(pc_phase_failed(pc_phase_classify("FAILED")));
	assert_true(pc_phase_failed(pc_phase_classify("FAILING")));
	assert_false(pc_phase_failed(pc_phase_classify("DEGRADED")));
	assert_false(pc_phase_failed(PC_PHASE_UNKNOWN));
}

static void test_provider__phases_classify_every_api_name_and_back(void **state)
{
	static const char *const names[] = { "PENDING", "RUNNING", "COMPLETED", "DELETING", "FAILING",
					     "FAILED", "STOPPING", "STOPPED", "DEGRADED" };
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pc_phase ph = pc_phase_classify(names[i]);
		assert_int_not_equal(ph, PC_PHASE_UNKNOWN);
		assert_string_equal(pc_phase_name(ph), names[i]);
	}
	assert_string_equal(pc_phase_name(PC_PHASE_UNKNOWN), "UNKNOWN");
	assert_int_equal(pc_phase_classify("running"), PC_PHASE_UNKNOWN); /* the API spells them upper case */
	/* STOPPING still writes (live) yet will not run again by itself (stopping or stopped) */
	assert_true(pc_phase_live(PC_PHASE_STOPPING));
	assert_true(pc_phase_stopping_or_stopped(PC_PHASE_STOPPING));
	assert_false(pc_phase_stopped(PC_PHASE_STOPPING));
	assert_false(pc_phase_live(PC_PHASE_STOPPED));
	assert_true(pc_phase_current(PC_PHASE_STOPPED));
	assert_true(pc_phase_terminal(PC_PHASE_STOPPED));
	assert_false(pc_phase_terminal(PC_PHASE_FAILING));
	assert_true(pc_phase_running(PC_PHASE_DEGRADED));
}

static void test_provider__statement_dup_copies_everything(void **state)
{
	pc_statement *a = NULL, *b;
	(void)state;
	assert_int_equal(pc_cfjson_statement(STATEMENT_JSON, strlen(STATEMENT_JSON), &a), 0);
	b = pc_statement_dup(a);
	pc_statement_free(a);
	assert_string_equal(b->name, "dev-dml-orders");
	assert_string_equal(b->uid, "u-1");
	assert_string_equal(pc_kv_get(&b->latest_offsets, "orders"),
			    "partition:0,offset:18446744073709551615;partition:1,offset:7");
	assert_int_equal(b->is_append_only, 1);
	pc_statement_free(b);
	pc_statement_free(NULL);
	assert_null(pc_statement_dup(NULL));
}

/* Names of a topic list body, or "ERR: <message>" (out untouched on error). */
static char *topic_list_of(const char *body)
{
	pc_vec v = PC_VEC_INIT;
	pc_buf b = PC_BUF_INIT;
	pc_vec_push(&v, NULL); /* a list only appends: a failed parse leaves this alone */
	if (pc_cfjson_topic_list(body, strlen(body), &v) != 0) {
		assert_int_equal(v.len, 1);
		pc_buf_printf(&b, "ERR: %s", pc_error_last());
	} else {
		for (size_t i = 1; i < v.len; i++)
			pc_buf_printf(&b, "%s%s", i > 1 ? "," : "", ((pc_topic *)v.items[i])->name);
	}
	pc_vec_dispose(&v, pc_topic_free);
	return pc_buf_detach(&b);
}

static void assert_topic_list(const char *body, const char *want)
{
	char *got = topic_list_of(body);
	if (strncmp(want, "ERR: ", 5) == 0 ? strncmp(got, want, strlen(want)) != 0 : strcmp(got, want) != 0)
		fail_msg("body %s\n  got  %s\n  want %s", body, got, want);
	free(got);
}

/*
 * Lists are parsed one element at a time (the top-level members and each
 * element of "data" by jansson, the punctuation between them here): every
 * layout of a valid body reads the same, and every broken one is an error
 * that leaves the output alone.
 */
static void test_confluent_json__lists_parse_one_element_at_a_time(void **state)
{
	pc_vec v = PC_VEC_INIT;
	char *next = NULL;
	(void)state;
	assert_topic_list("{\"kind\":\"KafkaTopicList\",\"metadata\":{\"self\":\"x\",\"next\":null},"
			  "\"data\":[{\"topic_name\":\"a\",\"partitions_count\":6},{\"topic_name\":\"b\"}]}",
			  "a,b");
	assert_topic_list(" \n{ \"data\" :\n[ {\"topic_name\":\"a\"} ,\t{\"topic_name\":\"b\"} ] , \"n\" : -1.5e3 ,"
			  " \"t\": true, \"s\": \"}]\\\"\" , \"z\": null }\n ",
			  "a,b");
	assert_topic_list("{\"data\":[]}", "");
	assert_topic_list("{\"data\":null}", "");
	assert_topic_list("{}", "");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\\u00e9\"}]}", "a\xc3\xa9");
	assert_topic_list("{\"data\":{}}", "ERR: unexpected JSON body: 'data' is not an array");
	assert_topic_list("[1]", "ERR: unexpected JSON body: a list is not an object");
	assert_topic_list("", "ERR: malformed JSON body: ");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"},{\"topic_name\":\"b\"}", "ERR: malformed JSON body: ");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}{\"topic_name\":\"b\"}]}",
			  "ERR: malformed JSON body: ',' or ']' expected (at byte 27)");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}],}", "ERR: malformed JSON body: string or '}' expected");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}]} x", "ERR: malformed JSON body: end of file expected");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}] \"k\":1}", "ERR: malformed JSON body: ',' or '}' expected");
	assert_topic_list("{\"data\" [] }", "ERR: malformed JSON body: ':' expected");
	assert_topic_list("{\"data\":[],\"data\":[{\"topic_name\":\"a\"}]}",
			  "ERR: malformed JSON body: duplicate object key 'data'");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\",\"topic_name\":\"b\"}]}", "ERR: malformed JSON body: duplicate");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"},{\"partitions_count\":1}]}",
			  "ERR: unexpected JSON body: topic without 'topic_name'");
	/* the next page's token, whether metadata comes before or after data */
	assert_int_equal(pc_cfjson_statement_list("{\"data\":[{\"name\":\"s1\"}],\"metadata\":{\"next\":"
						  "\"https://x/statements?page_size=1&page_token=t2\"}}",
						  strlen("{\"data\":[{\"name\":\"s1\"}],\"metadata\":{\"next\":"
							 "\"https://x/statements?page_size=1&page_token=t2\"}}"),
						  &v, &next),
			 0);
	assert_int_equal(v.len, 1);
	assert_string_equal(((pc_statement *)v.items[0])->name, "s1");
	assert_string_equal(next, "t2");
	free(next);
	pc_vec_dispose(&v, pc_statement_free);
}

#define SRV(t) cmocka_unit_test_setup_teardown(t, server_setup, server_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confluent_open__missing_flink_endpoint_is_named),
		SRV(test_confluent_pools__missing_cloud_key_is_named),
		SRV(test_confluent_get__maps_every_field_and_tolerates_unknown_ones),
		SRV(test_confluent_get__absent_traits_leave_append_only_unknown),
		SRV(test_confluent_create__sends_every_field_and_adds_catalog_defaults),
		SRV(test_confluent_create__duplicate_name_is_eexists_with_detail),
		SRV(test_confluent_create__a_timeout_is_not_retried),
		SRV(test_confluent_create__a_retried_create_that_went_through_is_success),
		SRV(test_confluent_get__403_is_eauth_with_the_api_detail),
		SRV(test_confluent_update__puts_whole_object_with_resource_version),
		SRV(test_confluent_delete__any_2xx_is_success_and_404_is_enotfound),
		SRV(test_confluent_exceptions__most_recent_first),
		SRV(test_confluent_list__follows_next_page_token_over_three_pages),
		SRV(test_confluent_set_stopped__retries_after_a_409),
		SRV(test_confluent_set_stopped__gives_up_after_repeated_conflicts),
		SRV(test_confluent_set_stopped__does_nothing_when_already_as_asked),
		SRV(test_http__429_with_retry_after_is_honoured),
		SRV(test_http__5xx_burst_then_success),
		SRV(test_http__retries_are_bounded),
		SRV(test_http__a_hanging_server_times_out),
		SRV(test_http__the_total_budget_bounds_a_hanging_server),
		SRV(test_http__401_is_eauth_and_never_shows_the_secret),
		SRV(test_http__malformed_json_is_a_clear_error),
		SRV(test_http__an_html_429_page_is_reported_by_status),
		SRV(test_http__a_body_past_the_cap_is_etoobig),
		cmocka_unit_test(test_http__an_unreachable_port_is_enet_after_bounded_attempts),
		SRV(test_http__connections_are_reused),
		SRV(test_http__several_threads_share_one_provider),
		SRV(test_confluent_topics__list_get_delete_use_the_kafka_key),
		SRV(test_confluent_pools__list_get_create_use_the_cloud_key),
		cmocka_unit_test(test_http_retry_after__seconds_and_http_dates),
		cmocka_unit_test(test_confluent_json__page_token_and_error_detail),
		cmocka_unit_test(test_confluent_json__lists_parse_one_element_at_a_time),
		cmocka_unit_test(test_provider__phase_helpers_tolerate_unknown_phases),
		cmocka_unit_test(test_provider__phases_classify_every_api_name_and_back),
		cmocka_unit_test(test_provider__statement_dup_copies_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
