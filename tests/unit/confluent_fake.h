/*
 * confluent_fake.h - a scripted libmicrohttpd server on 127.0.0.1 (ephemeral
 * port) and the confluent provider pointed at it, shared by
 * test_confluent_api.c and test_confluent_http.c. It answers what each test
 * scripts (status, headers, body, delay) and records every request, for the
 * request shapes and the faults (hang, HTML 429, huge body, 401, ...) the
 * emulator cannot produce; the service's behaviour itself is tested against
 * the emulator module (test_confluent_emulator.c).
 *
 * Header-only (each test is one executable); every helper is static and
 * marked unused so a file that does not need one still builds.
 */
#ifndef PC_TESTS_CONFLUENT_FAKE_H
#define PC_TESTS_CONFLUENT_FAKE_H

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


#define FAKE_UNUSED __attribute__((unused))

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

FAKE_UNUSED static server *srv;

FAKE_UNUSED static void say(server *s, int status, const char *body)
{
	reply *r;
	assert_true(s->n_script < MAX_SCRIPT);
	r = &s->script[s->n_script++];
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->body = pc_strdup(body ? body : "");
	r->body_len = strlen(r->body);
}

FAKE_UNUSED static reply *last_reply(server *s)
{
	return &s->script[s->n_script - 1];
}

FAKE_UNUSED static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	pc_buf *b = cls;
	(void)kind;
	if (b->len)
		pc_buf_putc(b, '&');
	pc_buf_printf(b, "%s=%s", key, value ? value : "");
	return MHD_YES;
}

FAKE_UNUSED static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
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

FAKE_UNUSED static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
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

FAKE_UNUSED static void notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
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

FAKE_UNUSED static int server_setup(void **state)
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

FAKE_UNUSED static int server_teardown(void **state)
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

FAKE_UNUSED static void fill_config(pc_config *c, const char *endpoint)
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
FAKE_UNUSED static pc_http_opts fast_opts(void)
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

FAKE_UNUSED static fixture *open_fixture(server *s, const pc_http_opts *o)
{
	fixture *f = PC_NEW(fixture);
	pc_http_opts d = fast_opts();
	snprintf(f->endpoint, sizeof(f->endpoint), "http://127.0.0.1:%d/", s->port);
	fill_config(&f->cfg, f->endpoint);
	assert_int_equal(pc_confluent_open_with(&f->p, &f->cfg, o ? o : &d), 0);
	return f;
}

FAKE_UNUSED static void close_fixture(fixture *f)
{
	pc_provider_free(f->p);
	free(f);
}

FAKE_UNUSED static request *req(server *s, size_t i)
{
	assert_true(i < s->n_reqs);
	return &s->reqs[i];
}

FAKE_UNUSED static json_t *req_json(server *s, size_t i)
{
	json_error_t err;
	json_t *j = json_loads(req(s, i)->body, 0, &err);
	assert_non_null(j);
	return j;
}

FAKE_UNUSED static const char *jpath(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_string_value(v);
}

FAKE_UNUSED static const char *STATEMENT_JSON =
	"{\"api_version\":\"sql/v1\",\"kind\":\"Statement\",\"organization_id\":\"org-1\","
	"\"environment_id\":\"env-1\",\"name\":\"dev-dml-orders\",\"some_future_field\":{\"x\":[1,2]},"
	"\"metadata\":{\"self\":\"http://x/statements/dev-dml-orders\",\"created_at\":\"2025-08-21T00:23:35.45976Z\","
	"\"updated_at\":\"2025-08-21T00:24:00Z\",\"uid\":\"u-1\",\"resource_version\":\"5\",\"labels\":{\"owner\":\"pipectl\"}},"
	"\"spec\":{\"statement\":\"INSERT INTO enriched SELECT * FROM orders;\","
	"\"properties\":{\"sql.current-catalog\":\"dev\",\"sql.current-database\":\"cluster_0\"},"
	"\"compute_pool_id\":\"lfcp-x7rgx1\",\"principal\":\"sa-abc123\",\"stopped\":true,"
	"\"scaling\":{\"min_cfu\":1}},"
	"\"status\":{\"phase\":\"HIBERNATING\",\"detail\":\"resting\",\"network_kind\":\"PUBLIC\","
	"\"traits\":{\"sql_kind\":\"INSERT_INTO\",\"is_bounded\":false,\"is_append_only\":true},"
	"\"latest_offsets\":{\"orders\":\"partition:0,offset:18446744073709551615;partition:1,offset:7\"},"
	"\"latest_offsets_timestamp\":\"2024-10-14T21:26:07Z\"}}";

FAKE_UNUSED static char *statement_named(const char *name, const char *rv, int stopped)
{
	return pc_sprintf("{\"name\":\"%s\",\"metadata\":{\"resource_version\":\"%s\"},"
			  "\"spec\":{\"statement\":\"INSERT INTO t SELECT * FROM s;\",\"stopped\":%s,"
			  "\"compute_pool_id\":\"lfcp-old\",\"properties\":{\"a\":\"1\"}},"
			  "\"status\":{\"phase\":\"%s\"}}",
			  name, rv, stopped ? "true" : "false", stopped ? "STOPPED" : "RUNNING");
}


#define SRV(t) cmocka_unit_test_setup_teardown(t, server_setup, server_teardown)

#endif
