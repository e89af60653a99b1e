/*
 * test_confluent_http.c - the HTTP client (src/providers/http.c) under
 * faults the emulator cannot produce, through the confluent provider and the
 * scripted server of confluent_fake.h: retries, Retry-After, timeouts, the
 * total budget, 401 without the secret, malformed and HTML bodies, the body
 * cap, an unreachable port, connection reuse, threads, redirects.
 */
#include "confluent_fake.h"

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


/* ---- redirects and 403 ---- */

static void test_http__a_307_to_127_0_0_1_is_followed_with_method_body_and_auth(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement_spec spec = { .name = "a", .sql = "CREATE TABLE a (x INT);" };
	pc_statement *st = NULL;
	char *loc = pc_sprintf("Location: http://127.0.0.1:%d/moved" SQL_PREFIX "/statements", s->port);

	say(s, 307, "");
	last_reply(s)->headers[0] = loc;
	say(s, 201, STATEMENT_JSON);
	assert_int_equal(f->p->ops->create_statement(f->p, &spec, &st), 0);
	assert_int_equal(s->n_reqs, 2);
	assert_string_equal(req(s, 1)->method, "POST");
	assert_string_equal(req(s, 1)->path, "/moved" SQL_PREFIX "/statements");
	assert_string_equal(req(s, 1)->auth, FLINK_AUTH);
	assert_non_null(strstr(req(s, 1)->body, "CREATE TABLE a (x INT);"));
	pc_statement_free(st);
	free(loc);
	close_fixture(f);
}

static void test_http__a_redirect_elsewhere_is_refused_unsent(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;

	say(s, 307, "");
	last_reply(s)->headers[0] = "Location: https://flink.example.com/sql/v1/x";
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EHTTP);
	assert_non_null(strstr(pc_error_last(), "get statement 'a': "));
	assert_non_null(strstr(pc_error_last(), "redirected (HTTP 307) to https://flink.example.com, outside Confluent's hosts"));
	say(s, 308, "");
	/* http to a Confluent host would send the key in clear: refused too */
	last_reply(s)->headers[0] = "Location: http://flink.us-east-2.aws.confluent.cloud/sql/v1/x";
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EHTTP);
	assert_non_null(strstr(pc_error_last(), "redirected (HTTP 308) to http://flink.us-east-2.aws.confluent.cloud"));
	assert_int_equal(s->n_reqs, 2);
	close_fixture(f);
}

static void test_http__redirect_loops_end(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	char *loc = pc_sprintf("Location: http://127.0.0.1:%d/again", s->port);

	s->fallback.status = 307;
	s->fallback.headers[0] = loc;
	assert_int_equal(f->p->ops->get_statement(f->p, "a", &st), PC_EHTTP);
	assert_non_null(strstr(pc_error_last(), "more than 5 redirects"));
	assert_int_equal(s->n_reqs, 6);
	s->fallback.status = 0;
	s->fallback.headers[0] = NULL;
	free(loc);
	close_fixture(f);
}

static void test_http__a_403_after_our_delete_is_gone_else_an_error(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	const char *forbidden = "{\"errors\":[{\"status\":\"403\",\"detail\":\"Forbidden Access\"}]}";

	say(s, 403, forbidden);
	assert_int_equal(f->p->ops->get_statement(f->p, "b", &st), PC_EAUTH);
	assert_string_equal(pc_error_last(), "get statement 'b': HTTP 403: Forbidden Access");
	say(s, 202, "");
	assert_int_equal(f->p->ops->delete_statement(f->p, "b"), 0);
	say(s, 403, forbidden);
	assert_int_equal(f->p->ops->get_statement(f->p, "b", &st), PC_ENOTFOUND);
	assert_non_null(strstr(pc_error_last(), "get statement 'b': gone (HTTP 403 after it was deleted)"));
	close_fixture(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SRV(test_http__a_307_to_127_0_0_1_is_followed_with_method_body_and_auth),
		SRV(test_http__a_redirect_elsewhere_is_refused_unsent),
		SRV(test_http__redirect_loops_end),
		SRV(test_http__a_403_after_our_delete_is_gone_else_an_error),
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
		cmocka_unit_test(test_http_retry_after__seconds_and_http_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
