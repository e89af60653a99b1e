/*
 * emulator_routes.c - the emulator's routes: sql/v1 statements, fcpm/v2
 * compute pools, kafka/v3 topics and the /emulator/v1 audit API.
 */
#include "emulator_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---- statements ---- */


static int stmt_list(route *r, const char *org, const char *env)
{
	const char *ps = pc_emu_qarg(r->c, "page_size"), *tok = pc_emu_qarg(r->c, "page_token");
	const char *pool = pc_emu_qarg(r->c, "spec.compute_pool_id");
	pc_vec page = PC_VEC_INIT;
	pc_buf b = PC_BUF_INIT;
	char *next = NULL, *end = NULL;
	long size = 10;
	int ret;

	if (ps && *ps) {
		size = strtol(ps, &end, 10);
		if (*end || size < 1 || size > 100)
			return pc_emu_send_error(r->c, 400, NULL, "page_size must be an integer between 1 and 100", NULL, NULL);
	}
	pthread_mutex_lock(&r->e->mu);
	pc_sim_list_statements(r->e->sim, r->now, env, pool, tok, (int)size, &page, &next);
	pc_buf_puts(&b, "{\"api_version\":\"sql/v1\",\"kind\":\"StatementList\",\"metadata\":{\"self\":");
	pc_buf_printf(&b, "\"%s/sql/v1/organizations/%s/environments/%s/statements\",\"next\":", r->base, org, env);
	if (next)
		pc_buf_printf(&b, "\"%s/sql/v1/organizations/%s/environments/%s/statements?page_size=%ld&page_token=%s\"",
			      r->base, org, env, size, next);
	else
		pc_buf_puts(&b, "\"\"");
	pc_buf_puts(&b, "},\"data\":[");
	for (size_t i = 0; i < page.len; i++) {
		if (i)
			pc_buf_putc(&b, ',');
		pc_emu_statement_json(&b, r->base, page.items[i], r->e->sim->now_ms);
	}
	pthread_mutex_unlock(&r->e->mu);
	pc_buf_puts(&b, "]}");
	ret = pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
	pc_buf_dispose(&b);
	pc_vec_dispose(&page, NULL);
	free(next);
	return ret;
}

/*
 * The request's body, a JSON object, into *body (the caller decrefs it).
 * Otherwise -1: the answer is sent (or the connection is to be closed) and
 * *ret is what the handler returns.
 */
static int object_body(route *r, const req_ctx *rq, json_t **body, int *ret)
{
	int rc;

	if ((rc = pc_emu_parse_body(r->c, rq, body, 0)) != 0) {
		*ret = rc > 0 ? MHD_YES : MHD_NO;
		return -1;
	}
	if (!json_is_object(*body)) {
		json_decref(*body);
		*body = NULL;
		*ret = pc_emu_send_error(r->c, 400, NULL, "request body must be a JSON object", NULL, NULL);
		return -1;
	}
	return 0;
}

static int stmt_create(route *r, const req_ctx *rq, const char *org, const char *env)
{
	json_t *body = NULL, *spec, *meta, *stopped;
	pc_kvlist props = PC_VEC_INIT, labels = PC_VEC_INIT;
	pc_sim_stmt_req q = { 0 };
	pc_sim_stmt *st;
	pc_buf b = PC_BUF_INIT;
	char *loc = NULL;
	int ret, rc;

	if (object_body(r, rq, &body, &ret) != 0)
		return ret;
	spec = json_object_get(body, "spec");
	meta = json_object_get(body, "metadata");
	q.name = pc_emu_jstr(body, "name");
	q.sql = pc_emu_jstr(spec, "statement");
	q.compute_pool_id = pc_emu_jstr(spec, "compute_pool_id");
	q.principal = pc_emu_jstr(spec, "principal");
	stopped = json_object_get(spec, "stopped");
	q.stopped = json_is_true(stopped);
	pc_emu_json_to_kv(&props, json_object_get(spec, "properties"));
	pc_emu_json_to_kv(&labels, json_object_get(meta, "labels"));
	q.properties = &props;
	q.labels = &labels;
	pthread_mutex_lock(&r->e->mu);
	rc = pc_sim_create_statement(r->e->sim, r->now, org, env, &q, &st);
	if (rc == 0)
		pc_emu_statement_json(&b, r->base, st, r->e->sim->now_ms);
	pthread_mutex_unlock(&r->e->mu);
	if (rc) {
		ret = pc_emu_send_sim_error(r->c, rc);
		goto done;
	}
	loc = pc_sprintf("%s/sql/v1/organizations/%s/environments/%s/statements/%s", r->base, org, env, q.name);
	ret = pc_emu_send(r->c, 201, &b, loc, NULL, NULL);
done:
	free(loc);
	pc_buf_dispose(&b);
	pc_kv_dispose(&props);
	pc_kv_dispose(&labels);
	json_decref(body);
	return ret;
}

static int stmt_get(route *r, const char *env, const char *name)
{
	pc_sim_stmt *st;
	pc_buf b = PC_BUF_INIT;
	int rc, ret;
	pthread_mutex_lock(&r->e->mu);
	rc = pc_sim_get_statement(r->e->sim, r->now, env, name, &st);
	if (rc == 0)
		pc_emu_statement_json(&b, r->base, st, r->e->sim->now_ms);
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
	pc_buf_dispose(&b);
	return ret;
}

/* PUT: the whole object; fields that are absent stay as they are. */
static int stmt_put(route *r, const req_ctx *rq, const char *env, const char *name)
{
	json_t *body = NULL, *spec, *meta, *v;
	pc_kvlist props = PC_VEC_INIT, labels = PC_VEC_INIT;
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	char ver[32];
	int rc, ret;

	if (object_body(r, rq, &body, &ret) != 0)
		return ret;
	spec = json_object_get(body, "spec");
	meta = json_object_get(body, "metadata");
	v = json_object_get(meta, "resource_version");
	if (json_is_string(v))
		u.resource_version = json_string_value(v);
	else if (json_is_integer(v)) {
		snprintf(ver, sizeof(ver), "%lld", (long long)json_integer_value(v));
		u.resource_version = ver;
	}
	u.sql = pc_emu_jstr(spec, "statement");
	v = json_object_get(spec, "stopped");
	u.stopped = json_is_boolean(v) ? json_is_true(v) : -1;
	u.compute_pool_id = pc_emu_jstr(spec, "compute_pool_id");
	u.principal = pc_emu_jstr(spec, "principal");
	if (json_is_object(json_object_get(spec, "properties"))) {
		pc_emu_json_to_kv(&props, json_object_get(spec, "properties"));
		u.properties = &props;
	}
	if (json_is_object(json_object_get(meta, "labels"))) {
		pc_emu_json_to_kv(&labels, json_object_get(meta, "labels"));
		u.labels = &labels;
	}
	pthread_mutex_lock(&r->e->mu);
	rc = pc_sim_update_statement(r->e->sim, r->now, env, name, &u, &st);
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 202, NULL, NULL, NULL, NULL);
	pc_kv_dispose(&props);
	pc_kv_dispose(&labels);
	json_decref(body);
	return ret;
}

/* PATCH: a JSON patch (RFC 6902) of replace/add operations on spec fields. */
static int stmt_patch(route *r, const req_ctx *rq, const char *env, const char *name)
{
	json_t *body = NULL, *op;
	pc_kvlist props = PC_VEC_INIT, labels = PC_VEC_INIT;
	pc_sim_update u = { 0 };
	pc_sim_stmt *st;
	pc_buf b = PC_BUF_INIT;
	size_t i;
	int rc, ret;

	if ((rc = pc_emu_parse_body(r->c, rq, &body, 0)) != 0)
		return rc > 0 ? MHD_YES : MHD_NO;
	u.stopped = -1;
	if (!json_is_array(body)) {
		ret = pc_emu_send_error(r->c, 400, NULL, "a JSON patch must be an array of operations", NULL, NULL);
		goto done;
	}
	json_array_foreach(body, i, op) {
		const char *o = pc_emu_jstr(op, "op"), *path = pc_emu_jstr(op, "path");
		json_t *val = json_object_get(op, "value");
		int ok = 0;
		if (o && path && (strcmp(o, "replace") == 0 || strcmp(o, "add") == 0)) {
			if (strcmp(path, "/spec/stopped") == 0 && json_is_boolean(val)) {
				u.stopped = json_is_true(val);
				ok = 1;
			} else if (strcmp(path, "/spec/compute_pool_id") == 0 && json_is_string(val)) {
				u.compute_pool_id = json_string_value(val);
				ok = 1;
			} else if (strcmp(path, "/spec/principal") == 0 && json_is_string(val)) {
				u.principal = json_string_value(val);
				ok = 1;
			} else if (strcmp(path, "/spec/properties") == 0 && json_is_object(val)) {
				pc_emu_json_to_kv(&props, val);
				u.properties = &props;
				ok = 1;
			} else if (strcmp(path, "/metadata/labels") == 0 && json_is_object(val)) {
				pc_emu_json_to_kv(&labels, val);
				u.labels = &labels;
				ok = 1;
			}
		}
		if (!ok) {
			char *msg = pc_sprintf("unsupported patch operation '%s' on '%s'", o ? o : "", path ? path : "");
			ret = pc_emu_send_error(r->c, 400, NULL, msg, NULL, NULL);
			free(msg);
			goto done;
		}
	}
	pthread_mutex_lock(&r->e->mu);
	rc = pc_sim_update_statement(r->e->sim, r->now, env, name, &u, &st);
	if (rc == 0)
		pc_emu_statement_json(&b, r->base, st, r->e->sim->now_ms);
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
done:
	pc_buf_dispose(&b);
	pc_kv_dispose(&props);
	pc_kv_dispose(&labels);
	json_decref(body);
	return ret;
}

static int stmt_delete(route *r, const char *env, const char *name)
{
	int rc;
	pthread_mutex_lock(&r->e->mu);
	rc = pc_sim_delete_statement(r->e->sim, r->now, env, name);
	pthread_mutex_unlock(&r->e->mu);
	return rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 202, NULL, NULL, NULL, NULL);
}

static int stmt_exceptions(route *r, const char *org, const char *env, const char *name)
{
	pc_sim_stmt *st;
	pc_buf b = PC_BUF_INIT;
	int rc, ret;
	pthread_mutex_lock(&r->e->mu);
	rc = pc_sim_get_statement(r->e->sim, r->now, env, name, &st);
	if (rc == 0)
		pc_emu_exceptions_json(&b, r->base, org, st);
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
	pc_buf_dispose(&b);
	return ret;
}

/* Ids that go into URLs and JSON as they are. */
static int safe_id(const char *s)
{
	if (!*s || strlen(s) > 128)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

int pc_emu_route_sql(route *r, const req_ctx *rq, char **seg, int n)
{
	/* sql v1 organizations ORG environments ENV statements [NAME [exceptions]] */
	const char *org, *env, *m = r->method;
	if (n < 7 || strcmp(seg[2], "organizations") != 0 || strcmp(seg[4], "environments") != 0 ||
	    strcmp(seg[6], "statements") != 0 || n > 9)
		return pc_emu_send_error(r->c, 404, NULL, "no such resource", NULL, NULL);
	org = seg[3];
	env = seg[5];
	if (!safe_id(org) || !safe_id(env))
		return pc_emu_send_error(r->c, 400, NULL, "invalid organization or environment id", NULL, NULL);
	if (n == 7) {
		if (strcmp(m, "GET") == 0)
			return stmt_list(r, org, env);
		if (strcmp(m, "POST") == 0)
			return stmt_create(r, rq, org, env);
	} else if (n == 8) {
		if (strcmp(m, "GET") == 0)
			return stmt_get(r, env, seg[7]);
		if (strcmp(m, "PUT") == 0)
			return stmt_put(r, rq, env, seg[7]);
		if (strcmp(m, "PATCH") == 0)
			return stmt_patch(r, rq, env, seg[7]);
		if (strcmp(m, "DELETE") == 0)
			return stmt_delete(r, env, seg[7]);
	} else if (n == 9 && strcmp(seg[8], "exceptions") == 0) {
		if (strcmp(m, "GET") == 0)
			return stmt_exceptions(r, org, env, seg[7]);
	} else {
		return pc_emu_send_error(r->c, 404, NULL, "no such resource", NULL, NULL);
	}
	return pc_emu_send_error(r->c, 405, NULL, "method not allowed", NULL, NULL);
}

/* ---- compute pools ---- */

int pc_emu_route_pools(route *r, const req_ctx *rq, char **seg, int n)
{
	const char *env = pc_emu_qarg(r->c, "environment");
	pc_buf b = PC_BUF_INIT;
	pc_sim_pool *p;
	json_t *body = NULL, *spec;
	char *loc = NULL;
	int rc, ret;

	if (n < 3 || strcmp(seg[2], "compute-pools") != 0 || n > 4)
		return pc_emu_send_error(r->c, 404, NULL, "no such resource", NULL, NULL);
	if (n == 3 && strcmp(r->method, "POST") == 0) {
		if ((rc = pc_emu_parse_body(r->c, rq, &body, 0)) != 0)
			return rc > 0 ? MHD_YES : MHD_NO;
		spec = json_object_get(body, "spec");
		env = pc_emu_jstr(json_object_get(spec, "environment"), "id");
		if (!env || !*env || !safe_id(env)) {
			ret = pc_emu_send_error(r->c, 400, NULL, "spec.environment.id is required", NULL, NULL);
			goto done;
		}
		pthread_mutex_lock(&r->e->mu);
		rc = pc_sim_create_pool(r->e->sim, r->now, env, pc_emu_jstr(spec, "display_name"), pc_emu_jstr(spec, "cloud"),
					pc_emu_jstr(spec, "region"),
					(int)json_integer_value(json_object_get(spec, "max_cfu")), &p);
		if (rc == 0) {
			pc_emu_pool_json(&b, r->base, p, r->e->sim->now_ms);
			loc = pc_sprintf("%s/fcpm/v2/compute-pools/%s?environment=%s", r->base, p->id, env);
		}
		pthread_mutex_unlock(&r->e->mu);
		ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 202, &b, loc, NULL, NULL);
		goto done;
	}
	if (strcmp(r->method, "GET") != 0) {
		ret = pc_emu_send_error(r->c, 405, NULL, "method not allowed", NULL, NULL);
		goto done;
	}
	if (!env || !*env || !safe_id(env)) {
		ret = pc_emu_send_error(r->c, 400, NULL, "query parameter 'environment' is required", NULL, NULL);
		goto done;
	}
	pthread_mutex_lock(&r->e->mu);
	if (n == 3) {
		pc_sim_env *e = pc_sim_env_get(r->e->sim, env, r->now);
		pc_buf_puts(&b, "{\"api_version\":\"fcpm/v2\",\"kind\":\"ComputePoolList\",\"metadata\":{\"first\":");
		pc_buf_printf(&b, "\"%s/fcpm/v2/compute-pools?environment=%s\",\"next\":\"\",\"total_size\":%zu},\"data\":[",
			      r->base, env, e->pools.len);
		for (size_t i = 0; i < e->pools.len; i++) {
			if (i)
				pc_buf_putc(&b, ',');
			pc_emu_pool_json(&b, r->base, e->pools.items[i], r->e->sim->now_ms);
		}
		pc_buf_puts(&b, "]}");
		rc = 0;
	} else {
		rc = pc_sim_get_pool(r->e->sim, r->now, env, seg[3], &p);
		if (rc == 0)
			pc_emu_pool_json(&b, r->base, p, r->e->sim->now_ms);
	}
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
done:
	free(loc);
	json_decref(body);
	pc_buf_dispose(&b);
	return ret;
}

/* ---- kafka topics ---- */

int pc_emu_route_kafka(route *r, const req_ctx *rq, char **seg, int n)
{
	/* kafka v3 clusters CLUSTER topics [NAME] */
	pc_buf b = PC_BUF_INIT;
	pc_sim_topic *t;
	json_t *body = NULL;
	const char *cluster;
	int rc = 0, ret;

	if (n < 5 || strcmp(seg[2], "clusters") != 0 || strcmp(seg[4], "topics") != 0 || n > 6)
		return pc_emu_send_kafka_error(r->c, 404, 404, "HTTP 404 Not Found", NULL, NULL);
	cluster = seg[3];
	if (strcmp(cluster, r->e->sim->cluster_id) != 0)
		return pc_emu_send_kafka_error(r->c, 404, 40402, "Cluster not found.", NULL, NULL);
	if (n == 5 && strcmp(r->method, "GET") == 0) {
		pc_vec v = PC_VEC_INIT;
		pthread_mutex_lock(&r->e->mu);
		pc_sim_list_topics(r->e->sim, r->now, &v);
		pc_buf_printf(&b, "{\"kind\":\"KafkaTopicList\",\"metadata\":{\"self\":\"%s/kafka/v3/clusters/%s/topics\","
			      "\"next\":null},\"data\":[", r->base, cluster);
		for (size_t i = 0; i < v.len; i++) {
			if (i)
				pc_buf_putc(&b, ',');
			pc_emu_topic_json(&b, r->base, cluster, v.items[i]);
		}
		pthread_mutex_unlock(&r->e->mu);
		pc_buf_puts(&b, "]}");
		pc_vec_dispose(&v, NULL);
		ret = pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
	} else if (n == 5 && strcmp(r->method, "POST") == 0) {
		json_t *pc;
		if ((rc = pc_emu_parse_body(r->c, rq, &body, 1)) != 0)
			return rc > 0 ? MHD_YES : MHD_NO;
		pc = json_object_get(body, "partitions_count");
		if (!pc_emu_jstr(body, "topic_name") || (pc && !json_is_integer(pc))) {
			ret = pc_emu_send_kafka_error(r->c, 400, 40002, "topic_name is required", NULL, NULL);
			goto done;
		}
		pthread_mutex_lock(&r->e->mu);
		rc = pc_sim_create_topic(r->e->sim, r->now, pc_emu_jstr(body, "topic_name"),
					 pc ? (int)json_integer_value(pc) : 0, &t);
		if (rc == 0)
			pc_emu_topic_json(&b, r->base, cluster, t);
		pthread_mutex_unlock(&r->e->mu);
		if (rc)
			ret = pc_emu_send_kafka_error(r->c, 400, 40002, pc_error_last(), NULL, NULL);
		else
			ret = pc_emu_send(r->c, 201, &b, NULL, NULL, NULL);
	} else if (n == 6 && strcmp(r->method, "GET") == 0) {
		pthread_mutex_lock(&r->e->mu);
		t = pc_sim_find_topic(r->e->sim, r->now, seg[5]);
		if (t)
			pc_emu_topic_json(&b, r->base, cluster, t);
		pthread_mutex_unlock(&r->e->mu);
		ret = t ? pc_emu_send(r->c, 200, &b, NULL, NULL, NULL)
			: pc_emu_send_kafka_error(r->c, 404, 40403, "This server does not host this topic-partition.", NULL, NULL);
	} else if (n == 6 && strcmp(r->method, "DELETE") == 0) {
		pthread_mutex_lock(&r->e->mu);
		rc = pc_sim_delete_topic(r->e->sim, r->now, seg[5]);
		pthread_mutex_unlock(&r->e->mu);
		ret = rc ? pc_emu_send_kafka_error(r->c, 404, 40403, "This server does not host this topic-partition.", NULL, NULL)
			 : pc_emu_send(r->c, 204, NULL, NULL, NULL, NULL);
	} else {
		ret = pc_emu_send_kafka_error(r->c, 405, 405, "HTTP 405 Method Not Allowed", NULL, NULL);
	}
done:
	json_decref(body);
	pc_buf_dispose(&b);
	return ret;
}

/* ---- /emulator/v1 ---- */

/*
 * Holds (sim_hold.c): GET …/environments/{env}/hold; POST …/hold {"regex"};
 * POST …/release {"name"} or {"regex"} or {}. Each answers the env's holds.
 */
static int route_hold(route *r, const req_ctx *rq, const char *env, const char *what)
{
	pc_buf b = PC_BUF_INIT;
	json_t *body = NULL;
	int rc = 0, ret;
	const char *name = NULL, *regex = NULL;

	if (strcmp(r->method, "POST") == 0) {
		if (rq->body.len > 0) {
			if ((rc = object_body(r, rq, &body, &ret)) != 0)
				return ret;
			name = pc_emu_jstr(body, "name");
			regex = pc_emu_jstr(body, "regex");
		}
	} else if (strcmp(r->method, "GET") != 0 || strcmp(what, "hold") != 0) {
		return pc_emu_send_error(r->c, 405, NULL, "method not allowed", NULL, NULL);
	}
	pthread_mutex_lock(&r->e->mu);
	if (strcmp(r->method, "POST") == 0 && strcmp(what, "hold") == 0)
		rc = regex ? pc_sim_hold(r->e->sim, r->now, env, regex)
			   : pc_error_set(PC_EINVALID, "a hold needs \"regex\"");
	else if (strcmp(r->method, "POST") == 0)
		rc = pc_sim_release(r->e->sim, r->now, env, name, regex);
	if (rc == 0)
		rc = pc_sim_holds_json(r->e->sim, r->now, env, &b);
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
	json_decref(body);
	pc_buf_dispose(&b);
	return ret;
}

int pc_emu_route_emulator(route *r, const req_ctx *rq, char **seg, int n)
{
	pc_buf b = PC_BUF_INIT;
	int rc = 0, ret;
	if (n == 5 && strcmp(seg[2], "environments") == 0 && (strcmp(seg[4], "hold") == 0 || strcmp(seg[4], "release") == 0))
		return route_hold(r, rq, seg[3], seg[4]);
	if (strcmp(r->method, "GET") != 0)
		return pc_emu_send_error(r->c, 405, NULL, "method not allowed", NULL, NULL);
	pthread_mutex_lock(&r->e->mu);
	if (n == 3 && strcmp(seg[2], "topics") == 0)
		rc = pc_sim_topics_json(r->e->sim, r->now, &b);
	else if (n == 5 && strcmp(seg[2], "environments") == 0 && strcmp(seg[4], "topics") == 0)
		rc = pc_sim_topics_json(r->e->sim, r->now, &b);
	else if (n == 5 && strcmp(seg[2], "environments") == 0 && strcmp(seg[4], "audit") == 0)
		rc = pc_sim_env_audit_json(r->e->sim, r->now, seg[3], &b);
	else if (n == 7 && strcmp(seg[2], "environments") == 0 && strcmp(seg[4], "statements") == 0 &&
		 strcmp(seg[6], "audit") == 0)
		rc = pc_sim_audit_json(r->e->sim, r->now, seg[3], seg[5], &b);
	else
		rc = pc_error_set(PC_ENOTFOUND, "no such resource");
	pthread_mutex_unlock(&r->e->mu);
	ret = rc ? pc_emu_send_sim_error(r->c, rc) : pc_emu_send(r->c, 200, &b, NULL, NULL, NULL);
	pc_buf_dispose(&b);
	return ret;
}
