/*
 * confluent.c - the provider over Confluent Cloud's REST APIs: Flink SQL
 * statements (sql/v1, Flink key), compute pools (fcpm/v2, Cloud key) and
 * topics (Kafka REST v3, Kafka key). URLs come only from the config, so the
 * same code runs against Confluent Cloud and against `pipectl emulator`.
 */
#include "confluent.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "confluent_json.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 100
#define MAX_PAGES 100000 /* 10 million statements: past that, a server loops */
#define DEFAULT_CLOUD_ENDPOINT "https://api.confluent.cloud"

/* One API: its base URL and its own credentials. */
typedef struct api {
	const char *label;     /* "flink", "kafka", "cloud" */
	char *base;            /* owned, no trailing slash */
	const char *key;       /* borrowed from the config */
	const char *secret;
	const char *key_name;  /* config key named in 401 messages */
} api;

typedef struct cf {
	const pc_config *cfg;
	pc_http *http;
	api flink, kafka, cloud;
	pc_kvlist default_props; /* sql.current-catalog / sql.current-database */
} cf;

static cf *impl(pc_provider *p)
{
	return p->impl;
}

/* ---- errors ---- */

static const char *reason(long st)
{
	switch (st) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

/*
 * The one-line error for a non-2xx response: "<what>: HTTP <st>: <detail>".
 * conflict_code: what 409 means for this call (PC_ECONFLICT or PC_EEXISTS).
 */
static int http_fail(const api *a, const pc_http_resp *r, int conflict_code, const char *what)
{
	char *detail = pc_cfjson_error_detail(r->body.ptr, r->body.len);
	char tail[48] = "";
	int code;

	if (r->attempts > 1)
		snprintf(tail, sizeof(tail), " (after %d attempts)", r->attempts);
	switch (r->status) {
	case 401:
		code = PC_EAUTH;
		break;
	case 403:
		code = PC_EAUTH;
		break;
	case 404:
		code = PC_ENOTFOUND;
		break;
	case 409:
		code = conflict_code;
		break;
	default:
		code = r->status == 408 || r->status == 504 ? PC_ETIMEOUT : PC_EHTTP;
		break;
	}
	if (r->status == 401) {
		/* Never echo anything that could hold the key: name the config key instead. */
		pc_error_set(code, "%s: HTTP 401: invalid API key for %s (check %s)%s", what, a->label,
			     a->key_name, tail);
	} else if (detail) {
		pc_error_set(code, "%s: HTTP %ld: %s%s", what, r->status, detail, tail);
	} else if (r->body.len) {
		const char *rs = reason(r->status);
		pc_error_set(code, "%s: HTTP %ld%s%s (non-JSON body)%s", what, r->status,
			     rs ? " " : "", rs ? rs : "", tail);
	} else {
		const char *rs = reason(r->status);
		pc_error_set(code, "%s: HTTP %ld%s%s%s", what, r->status, rs ? " " : "",
			     rs ? rs : "", tail);
	}
	free(detail);
	return code;
}

static int is_2xx(long st)
{
	return st >= 200 && st <= 299;
}

/*
 * One call: send, and turn transport failures and non-2xx statuses into the
 * one-line error. Returns 0 with resp holding a 2xx response.
 */
static int call(cf *c, const api *a, const char *method, const char *url, const char *body,
		int conflict_code, pc_http_resp *resp, const char *what)
{
	pc_http_req req = { 0 };
	int rc;

	req.method = method;
	req.url = url;
	req.user = a->key;
	req.password = a->secret;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	/* POST creates: repeating one after a timeout could create twice. */
	req.idempotent = strcmp(method, "POST") != 0;
	rc = pc_http_do(c->http, &req, resp);
	if (rc != 0)
		return pc_error_wrap("%s", what);
	if (!is_2xx(resp->status))
		return http_fail(a, resp, conflict_code, what);
	return 0;
}

static int parse_fail(const char *what, const pc_http_resp *r)
{
	return pc_error_wrap("%s: HTTP %ld", what, r->status);
}

static int need_cloud(cf *c, const char *what)
{
	if (!c->cloud.key || !*c->cloud.key)
		return pc_error_set(PC_EINVALID, "%s: confluent target: 'confluent.cloud.api_key' is not set", what);
	if (!c->cloud.secret || !*c->cloud.secret)
		return pc_error_set(PC_EINVALID, "%s: confluent target: 'confluent.cloud.api_secret' is not set", what);
	return 0;
}

/* ---- statements ---- */

static char *stmt_url(cf *c, const char *name, const char *suffix)
{
	char *esc = pc_http_escape(name);
	char *u = pc_sprintf("%s/statements/%s%s", c->flink.base, esc, suffix ? suffix : "");
	free(esc);
	return u;
}

/* Move every item of from to the end of to (a list is returned whole or not at all). */
static void move_all(pc_vec *to, pc_vec *from)
{
	for (size_t i = 0; i < from->len; i++)
		pc_vec_push(to, from->items[i]);
	pc_vec_dispose(from, NULL);
}

static int cf_list_statements(pc_provider *p, pc_vec *out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	pc_vec got = PC_VEC_INIT;
	char *token = NULL, *url = NULL;
	int rc = 0, pages = 0;

	pc_http_resp_init(&resp);
	do {
		char *next = NULL;
		free(url);
		if (token) {
			char *esc = pc_http_escape(token);
			url = pc_sprintf("%s/statements?page_size=%d&page_token=%s", c->flink.base,
					 PAGE_SIZE, esc);
			free(esc);
		} else {
			url = pc_sprintf("%s/statements?page_size=%d", c->flink.base, PAGE_SIZE);
		}
		if ((rc = call(c, &c->flink, "GET", url, NULL, PC_ECONFLICT, &resp, "list statements")) != 0)
			goto done;
		if ((rc = pc_cfjson_statement_list(resp.body.ptr, resp.body.len, &got, &next)) != 0) {
			rc = parse_fail("list statements", &resp);
			goto done;
		}
		if (next && !*next) {
			free(next);
			next = NULL;
		}
		if (next && token && strcmp(next, token) == 0) {
			free(next);
			rc = pc_error_set(PC_EHTTP, "list statements: the server returned the same page_token twice");
			goto done;
		}
		free(token);
		token = next;
		if (++pages > MAX_PAGES) {
			rc = pc_error_set(PC_EHTTP, "list statements: more than %d pages", MAX_PAGES);
			goto done;
		}
	} while (token);
done:
	if (rc == 0)
		move_all(out, &got);
	pc_vec_dispose(&got, pc_statement_free);
	free(token);
	free(url);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_get_statement(pc_provider *p, const char *name, pc_statement **out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = stmt_url(c, name, NULL), *what = pc_sprintf("get statement '%s'", name);
	int rc;

	*out = NULL;
	pc_http_resp_init(&resp);
	if ((rc = call(c, &c->flink, "GET", url, NULL, PC_ECONFLICT, &resp, what)) != 0)
		goto done;
	if ((rc = pc_cfjson_statement(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
done:
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

/* Every pair of want is in have with the same value. */
static int kv_subset(const pc_kvlist *want, const pc_kvlist *have)
{
	if (!want)
		return 1;
	for (size_t i = 0; i < want->len; i++) {
		const pc_kv *kv = want->items[i];
		const char *v = pc_kv_get(have, kv->key);
		if (!v || strcmp(v, kv->value ? kv->value : "") != 0)
			return 0;
	}
	return 1;
}

/*
 * The statement found under our name is the one we asked for: same SQL,
 * and our labels and properties (two creators of a lock statement send the
 * same SQL and differ by their labels).
 */
static int is_ours(const pc_statement *st, const pc_statement_spec *spec)
{
	return st->sql && spec->sql && strcmp(st->sql, spec->sql) == 0 &&
	       kv_subset(spec->labels, &st->labels) && kv_subset(spec->properties, &st->properties);
}

static int cf_create_statement(pc_provider *p, const pc_statement_spec *spec, pc_statement **out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = pc_sprintf("%s/statements", c->flink.base);
	char *what = pc_sprintf("create statement '%s'", spec->name ? spec->name : "");
	char *body = NULL;
	int rc;

	if (out)
		*out = NULL;
	pc_http_resp_init(&resp);
	{
		/* The configured pool when the caller names none. */
		pc_statement_spec s = *spec;
		if (!s.compute_pool_id || !*s.compute_pool_id)
			s.compute_pool_id = p->default_pool;
		body = pc_cfjson_statement_create_body(&s, p->principal, &c->default_props);
	}
	rc = call(c, &c->flink, "POST", url, body, PC_EEXISTS, &resp, what);
	if (rc == PC_EEXISTS && resp.attempts > 1) {
		/*
		 * Our own earlier attempt (answered 5xx or 429 after all) may have
		 * created it: when the statement there is ours, that is success.
		 */
		pc_statement *st = NULL;
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", pc_error_last());
		if (p->ops->get_statement(p, spec->name, &st) == 0 && is_ours(st, spec)) {
			if (out)
				*out = st;
			else
				pc_statement_free(st);
			rc = 0;
			goto done;
		}
		pc_statement_free(st);
		pc_error_set(rc, "%s", msg);
		goto done;
	}
	if (rc != 0)
		goto done;
	if (!out)
		goto done;
	if (resp.body.len == 0) {
		/* Some servers answer 202/204 without a body: fetch what was created. */
		rc = p->ops->get_statement(p, spec->name, out);
		goto done;
	}
	if ((rc = pc_cfjson_statement(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
done:
	free(url);
	free(what);
	free(body);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_update_statement(pc_provider *p, const pc_statement *st)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = stmt_url(c, st->name, NULL), *what = pc_sprintf("update statement '%s'", st->name);
	char *body = pc_cfjson_statement_put_body(st, c->cfg->organization_id, c->cfg->environment_id,
						  &c->default_props);
	int rc;

	pc_http_resp_init(&resp);
	rc = call(c, &c->flink, "PUT", url, body, PC_ECONFLICT, &resp, what);
	free(url);
	free(what);
	free(body);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_delete_statement(pc_provider *p, const char *name)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = stmt_url(c, name, NULL), *what = pc_sprintf("delete statement '%s'", name);
	int rc;

	pc_http_resp_init(&resp);
	rc = call(c, &c->flink, "DELETE", url, NULL, PC_ECONFLICT, &resp, what);
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_list_exceptions(pc_provider *p, const char *name, pc_vec *out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = stmt_url(c, name, "/exceptions");
	char *what = pc_sprintf("list exceptions of statement '%s'", name);
	int rc;

	pc_http_resp_init(&resp);
	if ((rc = call(c, &c->flink, "GET", url, NULL, PC_ECONFLICT, &resp, what)) != 0)
		goto done;
	if ((rc = pc_cfjson_exceptions(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
done:
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

/* ---- topics ---- */

static int cf_list_topics(pc_provider *p, pc_vec *out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = pc_sprintf("%s/topics", c->kafka.base);
	int rc;

	pc_http_resp_init(&resp);
	if ((rc = call(c, &c->kafka, "GET", url, NULL, PC_ECONFLICT, &resp, "list topics")) != 0)
		goto done;
	if ((rc = pc_cfjson_topic_list(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail("list topics", &resp);
done:
	free(url);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_get_topic(pc_provider *p, const char *name, pc_topic **out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *esc = pc_http_escape(name);
	char *url = pc_sprintf("%s/topics/%s", c->kafka.base, esc);
	char *what = pc_sprintf("get topic '%s'", name);
	int rc;

	*out = NULL;
	pc_http_resp_init(&resp);
	if ((rc = call(c, &c->kafka, "GET", url, NULL, PC_ECONFLICT, &resp, what)) != 0)
		goto done;
	if ((rc = pc_cfjson_topic(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
done:
	free(esc);
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_delete_topic(pc_provider *p, const char *name)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *esc = pc_http_escape(name);
	char *url = pc_sprintf("%s/topics/%s", c->kafka.base, esc);
	char *what = pc_sprintf("delete topic '%s'", name);
	int rc;

	pc_http_resp_init(&resp);
	rc = call(c, &c->kafka, "DELETE", url, NULL, PC_ECONFLICT, &resp, what);
	free(esc);
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

/* ---- compute pools ---- */

static int cf_list_pools(pc_provider *p, pc_vec *out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	pc_vec got = PC_VEC_INIT;
	char *token = NULL, *url = NULL, *env = pc_http_escape(c->cfg->environment_id);
	int rc, pages = 0;

	pc_http_resp_init(&resp);
	if ((rc = need_cloud(c, "list compute pools")) != 0)
		goto done;
	do {
		char *next = NULL;
		free(url);
		if (token) {
			char *esc = pc_http_escape(token);
			url = pc_sprintf("%s/fcpm/v2/compute-pools?environment=%s&page_size=%d&page_token=%s",
					 c->cloud.base, env, PAGE_SIZE, esc);
			free(esc);
		} else {
			url = pc_sprintf("%s/fcpm/v2/compute-pools?environment=%s&page_size=%d",
					 c->cloud.base, env, PAGE_SIZE);
		}
		if ((rc = call(c, &c->cloud, "GET", url, NULL, PC_ECONFLICT, &resp, "list compute pools")) != 0)
			goto done;
		if ((rc = pc_cfjson_pool_list(resp.body.ptr, resp.body.len, &got, &next)) != 0) {
			rc = parse_fail("list compute pools", &resp);
			goto done;
		}
		if (next && (!*next || (token && strcmp(next, token) == 0))) {
			free(next);
			next = NULL;
		}
		free(token);
		token = next;
		if (++pages > MAX_PAGES)
			break;
	} while (token);
done:
	if (rc == 0)
		move_all(out, &got);
	pc_vec_dispose(&got, pc_pool_free);
	free(token);
	free(url);
	free(env);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_get_pool(pc_provider *p, const char *id, pc_pool **out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *esc = pc_http_escape(id), *env = pc_http_escape(c->cfg->environment_id);
	char *url = pc_sprintf("%s/fcpm/v2/compute-pools/%s?environment=%s", c->cloud.base, esc, env);
	char *what = pc_sprintf("get compute pool '%s'", id);
	int rc;

	*out = NULL;
	pc_http_resp_init(&resp);
	if ((rc = need_cloud(c, what)) != 0)
		goto done;
	if ((rc = call(c, &c->cloud, "GET", url, NULL, PC_ECONFLICT, &resp, what)) != 0)
		goto done;
	if ((rc = pc_cfjson_pool(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
done:
	free(esc);
	free(env);
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

static int cf_create_pool(pc_provider *p, const pc_pool_spec *spec, pc_pool **out)
{
	cf *c = impl(p);
	pc_http_resp resp;
	char *url = pc_sprintf("%s/fcpm/v2/compute-pools", c->cloud.base);
	char *what = pc_sprintf("create compute pool '%s'", spec->display_name ? spec->display_name : "");
	char *body = pc_cfjson_pool_create_body(spec, c->cfg->environment_id);
	int rc;

	if (out)
		*out = NULL;
	pc_http_resp_init(&resp);
	if ((rc = need_cloud(c, what)) != 0)
		goto done;
	if ((rc = call(c, &c->cloud, "POST", url, body, PC_EEXISTS, &resp, what)) != 0)
		goto done;
	if (!out)
		goto done;
	if ((rc = pc_cfjson_pool(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
done:
	free(url);
	free(what);
	free(body);
	pc_http_resp_dispose(&resp);
	return rc;
}

/* ---- lifecycle ---- */

static void cf_free(pc_provider *p)
{
	cf *c;
	if (!p)
		return;
	c = impl(p);
	if (c) {
		pc_http_free(c->http);
		free(c->flink.base);
		free(c->kafka.base);
		free(c->cloud.base);
		pc_kv_dispose(&c->default_props);
		free(c);
	}
	free(p);
}

static const pc_provider_ops confluent_ops = {
	.name = "confluent",
	.list_statements = cf_list_statements,
	.get_statement = cf_get_statement,
	.create_statement = cf_create_statement,
	.update_statement = cf_update_statement,
	.delete_statement = cf_delete_statement,
	.list_exceptions = cf_list_exceptions,
	.list_topics = cf_list_topics,
	.get_topic = cf_get_topic,
	.delete_topic = cf_delete_topic,
	.list_pools = cf_list_pools,
	.get_pool = cf_get_pool,
	.create_pool = cf_create_pool,
	.free = cf_free,
};

static int require(const char *value, const char *key)
{
	if (!value || !*value)
		return pc_error_set(PC_EINVALID, "confluent target: '%s' is not set", key);
	return 0;
}

static int base_url(const char *endpoint, const char *key, const char *path, char **out)
{
	size_t n = strlen(endpoint);
	*out = NULL;
	if (strncmp(endpoint, "https://", 8) != 0 && strncmp(endpoint, "http://", 7) != 0)
		return pc_error_set(PC_EINVALID, "confluent target: '%s' must start with https:// or http://", key);
	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	*out = pc_sprintf("%.*s%s", (int)n, endpoint, path);
	return 0;
}

int pc_confluent_open_with(pc_provider **out, const pc_config *cfg, const pc_http_opts *http)
{
	pc_provider *p = NULL;
	cf *c = NULL;
	char *path = NULL, *org = NULL, *env = NULL, *cluster = NULL;
	int rc;

	*out = NULL;
	if ((rc = require(cfg->organization_id, "confluent.organization_id")) ||
	    (rc = require(cfg->environment_id, "confluent.environment_id")) ||
	    (rc = require(cfg->flink.endpoint, "confluent.flink.endpoint")) ||
	    (rc = require(cfg->flink.api_key, "confluent.flink.api_key")) ||
	    (rc = require(cfg->flink.api_secret, "confluent.flink.api_secret")) ||
	    (rc = require(cfg->kafka.endpoint, "confluent.kafka.endpoint")) ||
	    (rc = require(cfg->kafka_cluster_id, "confluent.kafka.cluster_id")) ||
	    (rc = require(cfg->kafka.api_key, "confluent.kafka.api_key")) ||
	    (rc = require(cfg->kafka.api_secret, "confluent.kafka.api_secret")))
		return rc;

	c = PC_NEW(cf);
	c->cfg = cfg;
	org = pc_http_escape(cfg->organization_id);
	env = pc_http_escape(cfg->environment_id);
	cluster = pc_http_escape(cfg->kafka_cluster_id);

	path = pc_sprintf("/sql/v1/organizations/%s/environments/%s", org, env);
	if ((rc = base_url(cfg->flink.endpoint, "confluent.flink.endpoint", path, &c->flink.base)) != 0)
		goto done;
	free(path);
	path = pc_sprintf("/kafka/v3/clusters/%s", cluster);
	if ((rc = base_url(cfg->kafka.endpoint, "confluent.kafka.endpoint", path, &c->kafka.base)) != 0)
		goto done;
	if ((rc = base_url(cfg->cloud.endpoint && *cfg->cloud.endpoint ? cfg->cloud.endpoint
									 : DEFAULT_CLOUD_ENDPOINT,
			   "confluent.cloud.endpoint", "", &c->cloud.base)) != 0)
		goto done;

	c->flink.label = "flink";
	c->flink.key = cfg->flink.api_key;
	c->flink.secret = cfg->flink.api_secret;
	c->flink.key_name = "confluent.flink.api_key";
	c->kafka.label = "kafka";
	c->kafka.key = cfg->kafka.api_key;
	c->kafka.secret = cfg->kafka.api_secret;
	c->kafka.key_name = "confluent.kafka.api_key";
	c->cloud.label = "cloud";
	c->cloud.key = cfg->cloud.api_key;
	c->cloud.secret = cfg->cloud.api_secret;
	c->cloud.key_name = "confluent.cloud.api_key";
	if (cfg->flink_catalog && *cfg->flink_catalog)
		pc_kv_set(&c->default_props, "sql.current-catalog", cfg->flink_catalog);
	if (cfg->flink_database && *cfg->flink_database)
		pc_kv_set(&c->default_props, "sql.current-database", cfg->flink_database);

	p = PC_NEW(pc_provider);
	p->ops = &confluent_ops;
	p->impl = c;
	p->default_pool = cfg->flink_compute_pool_id;
	p->principal = cfg->principal;
	if ((rc = pc_http_new(&c->http, http, &p->stats)) != 0)
		goto done;
	*out = p;
	p = NULL;
	c = NULL;
done:
	free(path);
	free(org);
	free(env);
	free(cluster);
	if (p) {
		cf_free(p); /* frees c too */
		c = NULL;
	}
	if (c) {
		free(c->flink.base);
		free(c->kafka.base);
		free(c->cloud.base);
		pc_kv_dispose(&c->default_props);
		free(c);
	}
	return rc;
}

int pc_confluent_open(pc_provider **out, const pc_config *cfg)
{
	return pc_confluent_open_with(out, cfg, NULL);
}
