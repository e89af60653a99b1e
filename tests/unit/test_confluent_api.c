/*
 * test_confluent_api.c - the confluent provider's requests and their
 * mapping (src/providers/confluent.c, confluent_json.c, provider.c) against
 * the scripted server of confluent_fake.h: every field sent and read, the
 * PUT of the fetched object, pagination, stop/resume with its 409 retry,
 * topics and pools with their own keys, the pure helpers.
 */
#include "confluent_fake.h"

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

static void test_confluent_update__puts_the_fetched_object_back_with_only_allowed_changes(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	pc_statement *st = NULL;
	json_t *j;

	say(s, 200, STATEMENT_JSON);
	assert_int_equal(f->p->ops->get_statement(f->p, "dev-dml-orders", &st), 0);
	st->stopped = 0;
	free(st->compute_pool_id);
	st->compute_pool_id = pc_strdup("lfcp-new");
	pc_kv_set(&st->labels, "user.confluent.io/x", "ignored"); /* labels are never sent changed */
	say(s, 202, "");
	assert_int_equal(f->p->ops->update_statement(f->p, st), 0);
	assert_string_equal(req(s, 1)->method, "PUT");
	assert_string_equal(req(s, 1)->path, SQL_PREFIX "/statements/dev-dml-orders");
	j = req_json(s, 1);
	assert_string_equal(jpath(j, "metadata", "resource_version", NULL), "5");
	assert_string_equal(jpath(j, "spec", "statement", NULL), "INSERT INTO enriched SELECT * FROM orders;");
	assert_string_equal(jpath(j, "spec", "compute_pool_id", NULL), "lfcp-new");
	assert_string_equal(jpath(j, "spec", "properties", "sql.current-catalog"), "dev");
	assert_string_equal(jpath(j, "organization_id", NULL, NULL), ORG);
	assert_string_equal(jpath(j, "environment_id", NULL, NULL), ENV);
	assert_true(json_is_false(json_object_get(json_object_get(j, "spec"), "stopped")));
	/* fields pipectl does not know survive, labels stay as fetched */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "spec"), "scaling"),
							    "min_cfu")), 1);
	assert_non_null(json_object_get(j, "some_future_field"));
	assert_string_equal(jpath(j, "metadata", "labels", "owner"), "pipectl");
	assert_null(jpath(j, "metadata", "labels", "user.confluent.io/x"));
	json_decref(j);

	/* properties have no update path: refused before anything is sent */
	pc_kv_set(&st->properties, "sql.current-catalog", "other");
	assert_int_equal(f->p->ops->update_statement(f->p, st), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "properties can not be changed"));
	assert_int_equal(s->n_reqs, 2);
	pc_kv_set(&st->properties, "sql.current-catalog", "dev");

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

/* What each_statement handed over: names in order; stop_after > 0 refuses the statement of that rank. */
typedef struct taken {
	pc_vec names;
	int stop_after;
} taken;

static int take(void *ctx, pc_statement *st)
{
	taken *t = ctx;
	pc_vec_push(&t->names, pc_strdup(st->name));
	pc_statement_free(st);
	if (t->stop_after && (int)t->names.len == t->stop_after)
		return pc_error_set(PC_EINVALID, "enough");
	return 0;
}

static void test_confluent_list__each_statement_is_handed_over_as_its_page_arrives(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	taken t = { PC_VEC_INIT, 0 };
	char *p1 = pc_sprintf("{\"metadata\":{\"next\":\"http://127.0.0.1:%d%s/statements?page_token=t2\"},"
			      "\"data\":[{\"name\":\"s1\"},{\"name\":\"s2\"}]}", s->port, SQL_PREFIX);

	assert_non_null(f->p->ops->each_statement);
	say(s, 200, p1);
	say(s, 200, "{\"metadata\":{\"next\":\"\"},\"data\":[{\"name\":\"s3\"}]}");
	assert_int_equal(pc_provider_each_statement(f->p, take, &t), 0);
	assert_int_equal(s->n_reqs, 2);
	assert_int_equal(t.names.len, 3);
	assert_string_equal(t.names.items[0], "s1");
	assert_string_equal(t.names.items[2], "s3");
	pc_vec_dispose(&t.names, free);

	/* the taker's error ends the list: no further page is read */
	t.stop_after = 1;
	say(s, 200, p1);
	assert_int_equal(pc_provider_each_statement(f->p, take, &t), PC_EINVALID);
	assert_string_equal(pc_error_last(), "enough");
	assert_int_equal(s->n_reqs, 3);
	assert_int_equal(t.names.len, 1);
	pc_vec_dispose(&t.names, free);

	/* a page that breaks off: what came before it was handed over, the error names the list */
	t.stop_after = 0;
	say(s, 200, "{\"data\":[{\"name\":\"s1\"},{\"name\"");
	assert_int_equal(pc_provider_each_statement(f->p, take, &t), PC_EPARSE);
	assert_non_null(strstr(pc_error_last(), "list statements"));
	assert_int_equal(t.names.len, 1);
	pc_vec_dispose(&t.names, free);
	free(p1);
	close_fixture(f);
}

/* A provider without each_statement: its list, handed over in order (pc_provider_each_statement()). */
static int list_two(pc_provider *p, pc_vec *out)
{
	(void)p;
	for (int i = 1; i <= 2; i++) {
		pc_statement *st = PC_NEW(pc_statement);
		st->name = pc_sprintf("l%d", i);
		pc_vec_push(out, st);
	}
	return 0;
}

static void test_provider__each_statement_falls_back_on_the_list(void **state)
{
	static const pc_provider_ops ops = { .name = "list-only", .list_statements = list_two };
	pc_provider p;
	taken t = { PC_VEC_INIT, 0 };
	(void)state;
	memset(&p, 0, sizeof p);
	p.ops = &ops;
	assert_int_equal(pc_provider_each_statement(&p, take, &t), 0);
	assert_int_equal(t.names.len, 2);
	assert_string_equal(t.names.items[1], "l2");
	pc_vec_dispose(&t.names, free);
	/* refused part-way: the rest is freed, not leaked (ASan) */
	t.stop_after = 1;
	assert_int_equal(pc_provider_each_statement(&p, take, &t), PC_EINVALID);
	assert_int_equal(t.names.len, 1);
	pc_vec_dispose(&t.names, free);
}

static void test_confluent_set_stopped__retries_after_a_409(void **state)
{
	server *s = *state;
	fixture *f = open_fixture(s, NULL);
	char *v5 = statement_named("a", "5", 1), *v6 = statement_named("a", "6", 1);
	json_t *j;

	say(s, 200, v5);
	say(s, 409, "{\"errors\":[{\"detail\":\"stale resource_version\"}]}");
	say(s, 200, v6);
	say(s, 202, "");
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 0, "lfcp-new"), 0);
	assert_int_equal(s->n_reqs, 4);
	assert_string_equal(req(s, 0)->method, "GET");
	assert_string_equal(req(s, 1)->method, "PUT");
	assert_string_equal(req(s, 2)->method, "GET");
	assert_string_equal(req(s, 3)->method, "PUT");
	j = req_json(s, 3);
	assert_string_equal(jpath(j, "metadata", "resource_version", NULL), "6");
	assert_true(json_is_false(json_object_get(json_object_get(j, "spec"), "stopped")));
	assert_string_equal(jpath(j, "spec", "compute_pool_id", NULL), "lfcp-new");
	assert_string_equal(jpath(j, "spec", "properties", "a"), "1"); /* as fetched */
	json_decref(j);
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
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 1, "lfcp-old"), 0);
	assert_int_equal(s->n_reqs, 1);
	say(s, 200, st);
	say(s, 202, "");
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 1, "lfcp-other"), 0);
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
	assert_int_equal(pc_provider_set_stopped(f->p, "a", 1, NULL), PC_ECONFLICT);
	assert_int_equal(s->n_reqs, 10);
	assert_non_null(strstr(pc_error_last(), "stop statement 'a': gave up after 5 conflicting updates"));
	free(v5);
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

/*
 * The topic list is read as it arrives: a list far larger than the body cap
 * reads whole (the cap bounds one topic), a retried request starts over
 * (no topic twice), and one topic larger than the cap is refused.
 */
static void test_confluent_topics__a_list_larger_than_the_body_cap_is_read_as_it_arrives(void **state)
{
	server *s = *state;
	pc_http_opts o = fast_opts();
	fixture *f;
	pc_vec v = PC_VEC_INIT;
	pc_buf big = PC_BUF_INIT;
	char *huge;

	o.max_body = 4096;
	f = open_fixture(s, &o);
	pc_buf_puts(&big, "{\"kind\":\"KafkaTopicList\",\"data\":[");
	for (int i = 0; i < 2000; i++)
		pc_buf_printf(&big, "%s{\"topic_name\":\"topic_%04d\",\"partitions_count\":%d}", i ? "," : "", i, i % 7 + 1);
	pc_buf_puts(&big, "],\"metadata\":{\"self\":\"x\",\"next\":null}}");
	assert_true(big.len > 20 * o.max_body);
	say(s, 503, "{\"error_code\":50300,\"message\":\"busy\"}");
	say(s, 200, big.ptr);
	assert_int_equal(f->p->ops->list_topics(f->p, &v), 0);
	assert_int_equal(s->n_reqs, 2);
	assert_int_equal(v.len, 2000);
	assert_string_equal(((pc_topic *)v.items[0])->name, "topic_0000");
	assert_string_equal(((pc_topic *)v.items[1999])->name, "topic_1999");
	assert_int_equal(((pc_topic *)v.items[1999])->partitions, 1999 % 7 + 1);
	pc_vec_dispose(&v, pc_topic_free);

	huge = pc_calloc(1, 60000);
	memset(huge, 'x', 59999); /* more than a read of the socket and the cap */
	pc_buf_clear(&big);
	pc_buf_printf(&big, "{\"data\":[{\"topic_name\":\"a\"},{\"topic_name\":\"%s\"}]}", huge);
	say(s, 200, big.ptr);
	assert_int_equal(f->p->ops->list_topics(f->p, &v), PC_ETOOBIG);
	assert_non_null(strstr(pc_error_last(), "list topics"));
	assert_non_null(strstr(pc_error_last(), "longer than 4096 bytes"));
	assert_int_equal(v.len, 0);

	say(s, 200, "{\"data\":[{\"topic_name\":\"a\"},");
	assert_int_equal(f->p->ops->list_topics(f->p, &v), PC_EPARSE);
	assert_non_null(strstr(pc_error_last(), "list topics: HTTP 200: malformed JSON body"));
	assert_int_equal(v.len, 0);
	free(huge);
	pc_buf_dispose(&big);
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

/* The same body through pc_cfjson_feed in slices of chunk bytes (a restart first drops a false start). */
static char *topic_feed_of(const char *body, size_t chunk)
{
	pc_cfjson_feed *f = pc_cfjson_topic_feed_new(1024);
	pc_vec v = PC_VEC_INIT;
	pc_buf b = PC_BUF_INIT;
	size_t len = strlen(body), at;
	int rc = 0;
	const char *false_start = "{\"data\":[{\"topic_name\":\"x\"},";
	assert_int_equal(pc_cfjson_feed_put(f, false_start, strlen(false_start)), 0);
	pc_cfjson_feed_restart(f);
	pc_vec_push(&v, NULL);
	for (at = 0; at < len && rc == 0; at += chunk)
		rc = pc_cfjson_feed_put(f, body + at, len - at < chunk ? len - at : chunk);
	if (rc == 0)
		rc = pc_cfjson_feed_end(f, &v, NULL);
	if (rc != 0) {
		assert_int_equal(v.len, 1);
		pc_buf_printf(&b, "ERR: %s", pc_error_last());
	} else {
		for (size_t i = 1; i < v.len; i++)
			pc_buf_printf(&b, "%s%s", i > 1 ? "," : "", ((pc_topic *)v.items[i])->name);
	}
	pc_vec_dispose(&v, pc_topic_free);
	pc_cfjson_feed_free(f);
	return pc_buf_detach(&b);
}

/* want, whether the body is read whole or as it arrives in slices of any size (the same error too). */
static void assert_topic_list(const char *body, const char *want)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 8, 13, 64 };
	char *got = topic_list_of(body);
	if (strncmp(want, "ERR: ", 5) == 0 ? strncmp(got, want, strlen(want)) != 0 : strcmp(got, want) != 0)
		fail_msg("body %s\n  got  %s\n  want %s", body, got, want);
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		char *fed = topic_feed_of(body, chunks[i]);
		if (strcmp(fed, got) != 0)
			fail_msg("body %s in slices of %zu\n  got  %s\n  whole %s", body, chunks[i], fed, got);
		free(fed);
	}
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
	/* values a slice can cut: numbers, literals, escapes, unicode */
	assert_topic_list("{\"n\":123456789,\"t\":true,\"f\":false,\"z\":null,\"data\":[{\"topic_name\":\"q\\\"\\u00e9\\\\\","
			  "\"partitions_count\":12345}],\"x\":-0.5e-3}",
			  "q\"\xc3\xa9\\");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}],\"n\":12 3}", "ERR: malformed JSON body: ',' or '}' expected");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}],\"t\":tru}", "ERR: malformed JSON body: ");
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\"}]}\n\n", "a");
	/*
	 * UTF-8 characters cut in two by a slice: jansson fails at a cut
	 * character's first byte, not at the end of what it was given. Long
	 * names, so that a value is tried while cut (a short one is complete
	 * by the time it is tried again).
	 */
	{
		pc_buf body = PC_BUF_INIT, want = PC_BUF_INIT;
		pc_buf_puts(&body, "{\"data\":[");
		for (int t = 0; t < 3; t++) {
			pc_buf_puts(&body, t ? ",{\"topic_name\":\"" : "{\"topic_name\":\"");
			pc_buf_puts(&want, t ? "," : "");
			for (int i = 0; i < 150; i++) {
				const char *ch = t == 0 ? "\xc3\xa9" : t == 1 ? "\xe6\x97\xa5" : "\xf0\x9f\x98\x80";
				pc_buf_puts(&body, ch);
				pc_buf_puts(&want, ch);
			}
			pc_buf_puts(&body, "\"}");
		}
		pc_buf_puts(&body, "]}");
		assert_topic_list(body.ptr, want.ptr);
		pc_buf_dispose(&body);
		pc_buf_dispose(&want);
	}
	assert_topic_list("{\"data\":[{\"topic_name\":\"a\xca\"}]}", "ERR: malformed JSON body: unable to decode byte 0xca");
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
		SRV(test_confluent_update__puts_the_fetched_object_back_with_only_allowed_changes),
		SRV(test_confluent_delete__any_2xx_is_success_and_404_is_enotfound),
		SRV(test_confluent_exceptions__most_recent_first),
		SRV(test_confluent_list__follows_next_page_token_over_three_pages),
		SRV(test_confluent_list__each_statement_is_handed_over_as_its_page_arrives),
		SRV(test_confluent_topics__a_list_larger_than_the_body_cap_is_read_as_it_arrives),
		SRV(test_confluent_set_stopped__retries_after_a_409),
		SRV(test_confluent_set_stopped__gives_up_after_repeated_conflicts),
		SRV(test_confluent_set_stopped__does_nothing_when_already_as_asked),
		SRV(test_confluent_topics__list_get_delete_use_the_kafka_key),
		SRV(test_confluent_pools__list_get_create_use_the_cloud_key),
		cmocka_unit_test(test_confluent_json__page_token_and_error_detail),
		cmocka_unit_test(test_confluent_json__lists_parse_one_element_at_a_time),
		cmocka_unit_test(test_provider__phase_helpers_tolerate_unknown_phases),
		cmocka_unit_test(test_provider__phases_classify_every_api_name_and_back),
		cmocka_unit_test(test_provider__statement_dup_copies_everything),
		cmocka_unit_test(test_provider__each_statement_falls_back_on_the_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
