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
#include "../util/timeutil.h"
#include "confluent_json.h"
#include "http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 100
#define MAX_PAGES 100000 /* 10 million statements: past that, a server loops */
#define DEFAULT_CLOUD_ENDPOINT "https://api.confluent.cloud"
/* Statements this process deleted, remembered to read a later 403 as "gone". */
#define DELETED_MAX 1024

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
	pthread_mutex_t deleted_mu;
	pc_vec deleted;          /* char *, oldest first, at most DELETED_MAX */
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

static int need_cloud(cf *c, const char *what)
{
	if (!c->cloud.key || !*c->cloud.key)
		return pc_error_set(PC_EINVALID, "%s: confluent target: 'confluent.cloud.api_key' is not set", what);
	if (!c->cloud.secret || !*c->cloud.secret)
		return pc_error_set(PC_EINVALID, "%s: confluent target: 'confluent.cloud.api_secret' is not set", what);
	return 0;
}

/*
 * One call: send, and turn transport failures and non-2xx statuses into the
 * one-line error. Returns 0 with resp holding a 2xx response. The cloud API's
 * key is optional in the config: a call to it without one fails here, unsent.
 */
static int call_stream(cf *c, const api *a, const char *method, const char *url, const char *body,
		       int conflict_code, pc_http_resp *resp, const char *what, const pc_http_stream *stream)
{
	pc_http_req req = { 0 };
	int rc;

	if (a == &c->cloud && (rc = need_cloud(c, what)) != 0)
		return rc;
	req.method = method;
	req.url = url;
	req.user = a->key;
	req.password = a->secret;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	/* POST creates: repeating one after a timeout could create twice. */
	req.idempotent = strcmp(method, "POST") != 0;
	req.stream = stream;
	rc = pc_http_do(c->http, &req, resp);
	if (rc != 0)
		return pc_error_wrap("%s", what);
	if (!is_2xx(resp->status))
		return http_fail(a, resp, conflict_code, what);
	return 0;
}

/* The same, the 2xx body into resp (call_stream() with a stream: as it arrives). */
static int call(cf *c, const api *a, const char *method, const char *url, const char *body,
		int conflict_code, pc_http_resp *resp, const char *what)
{
	return call_stream(c, a, method, url, body, conflict_code, resp, what, NULL);
}

static int parse_fail(const char *what, const pc_http_resp *r)
{
	return pc_error_wrap("%s: HTTP %ld", what, r->status);
}

/* Turns a 2xx body into *out (the type behind out is the parser's). */
typedef int (*parse_fn)(const char *body, size_t len, void *out);

static int parse_statement(const char *body, size_t len, void *out)
{
	return pc_cfjson_statement(body, len, out);
}

static int parse_exceptions(const char *body, size_t len, void *out)
{
	return pc_cfjson_exceptions(body, len, out);
}

static int parse_topic(const char *body, size_t len, void *out)
{
	return pc_cfjson_topic(body, len, out);
}

static int parse_pool(const char *body, size_t len, void *out)
{
	return pc_cfjson_pool(body, len, out);
}

/*
 * One request of one page: call, then (parse not NULL) turn the 2xx body into
 * out. Takes url and what (pc_sprintf'd by the caller) and frees them.
 */
static int request(cf *c, const api *a, const char *method, char *url, const char *body,
		   int conflict_code, char *what, parse_fn parse, void *out)
{
	pc_http_resp resp;
	int rc;

	pc_http_resp_init(&resp);
	rc = call(c, a, method, url, body, conflict_code, &resp, what);
	if (rc == 0 && parse && (rc = parse(resp.body.ptr, resp.body.len, out)) != 0)
		rc = parse_fail(what, &resp);
	free(url);
	free(what);
	pc_http_resp_dispose(&resp);
	return rc;
}

/* Turns one page's body into items (pushed on out) and the next page's token. */
typedef int (*page_parse_fn)(const char *body, size_t len, pc_vec *out, char **next_token);
/* Takes one page's body (ctx: where its items go); sets the next page's token. */
typedef int (*page_fn)(void *ctx, const char *body, size_t len, char **next_token);

/*
 * GET every page of a list: url is the first page's URL (it has a query),
 * each next one adds &page_token=. An empty next token ends the list. strict:
 * a token repeated or more than MAX_PAGES pages is an error; otherwise the
 * list ends there with what was read. Each page's body goes to take as soon
 * as it arrives, and is freed before the next is requested.
 */
static int each_page(cf *c, const api *a, const char *url, const char *what, page_fn take, void *ctx, int strict)
{
	pc_http_resp resp;
	char *token = NULL, *page = NULL;
	int rc = 0, pages = 0;

	pc_http_resp_init(&resp);
	do {
		char *next = NULL;
		free(page);
		if (token) {
			char *esc = pc_http_escape(token);
			page = pc_sprintf("%s&page_token=%s", url, esc);
			free(esc);
		} else {
			page = pc_strdup(url);
		}
		if ((rc = call(c, a, "GET", page, NULL, PC_ECONFLICT, &resp, what)) != 0)
			goto done;
		if ((rc = take(ctx, resp.body.ptr, resp.body.len, &next)) != 0) {
			if (rc == PC_EPARSE)
				rc = parse_fail(what, &resp);
			goto done;
		}
		if (next && (!*next || (!strict && token && strcmp(next, token) == 0))) {
			free(next);
			next = NULL;
		}
		if (next && token && strcmp(next, token) == 0) {
			free(next);
			rc = pc_error_set(PC_EHTTP, "%s: the server returned the same page_token twice", what);
			goto done;
		}
		free(token);
		token = next;
		if (++pages > MAX_PAGES) {
			if (strict)
				rc = pc_error_set(PC_EHTTP, "%s: more than %d pages", what, MAX_PAGES);
			break;
		}
	} while (token);
done:
	free(token);
	free(page);
	pc_http_resp_dispose(&resp);
	return rc;
}

typedef struct vec_pages {
	page_parse_fn parse;
	pc_vec got;
} vec_pages;

static int take_into_vec(void *ctx, const char *body, size_t len, char **next_token)
{
	vec_pages *v = ctx;
	return v->parse(body, len, &v->got, next_token);
}

/* Every page of a list onto out, all or nothing (each_page() says how the pages are walked). */
static int list_pages(cf *c, const api *a, const char *url, const char *what, page_parse_fn parse,
		      pc_free_fn free_item, int strict, pc_vec *out)
{
	vec_pages v = { parse, PC_VEC_INIT };
	int rc = each_page(c, a, url, what, take_into_vec, &v, strict);

	if (rc == 0) {
		for (size_t i = 0; i < v.got.len; i++)
			pc_vec_push(out, v.got.items[i]);
		v.got.len = 0;
	}
	pc_vec_dispose(&v.got, free_item);
	return rc;
}

/* ---- statements ---- */

static char *stmt_url(cf *c, const char *name, const char *suffix)
{
	char *esc = pc_http_escape(name);
	char *u = pc_sprintf("%s/statements/%s%s", c->flink.base, esc, suffix ? suffix : "");
	free(esc);
	return u;
}

static int cf_list_statements(pc_provider *p, pc_vec *out)
{
	cf *c = impl(p);
	char *url = pc_sprintf("%s/statements?page_size=%d", c->flink.base, PAGE_SIZE);
	int rc = list_pages(c, &c->flink, url, "list statements", pc_cfjson_statement_list,
			    pc_statement_free, 1, out);

	free(url);
	return rc;
}

typedef struct stmt_pages {
	pc_statement_fn fn;
	void *ctx;
} stmt_pages;

static int take_statements(void *ctx, const char *body, size_t len, char **next_token)
{
	stmt_pages *sp = ctx;
	return pc_cfjson_statement_each(body, len, sp->fn, sp->ctx, next_token);
}

/* The same pages as cf_list_statements(), each statement to fn as its page is parsed. */
static int cf_each_statement(pc_provider *p, pc_statement_fn fn, void *ctx)
{
	cf *c = impl(p);
	char *url = pc_sprintf("%s/statements?page_size=%d", c->flink.base, PAGE_SIZE);
	stmt_pages sp = { fn, ctx };
	int rc = each_page(c, &c->flink, url, "list statements", take_statements, &sp, 1);

	free(url);
	return rc;
}

static void remember_deleted(cf *c, const char *name)
{
	pthread_mutex_lock(&c->deleted_mu);
	if (pc_vec_find_str(&c->deleted, name) < 0) {
		if (c->deleted.len >= DELETED_MAX) {
			free(c->deleted.items[0]);
			pc_vec_remove(&c->deleted, 0);
		}
		pc_vec_push(&c->deleted, pc_strdup(name));
	}
	pthread_mutex_unlock(&c->deleted_mu);
}

static int was_deleted(cf *c, const char *name)
{
	int found;
	pthread_mutex_lock(&c->deleted_mu);
	found = pc_vec_find_str(&c->deleted, name) >= 0;
	pthread_mutex_unlock(&c->deleted_mu);
	return found;
}

/*
 * A statement this process deleted may answer 403 rather than 404 (as
 * Confluent's Terraform provider reads it): that is "gone". A 403 on any
 * other statement stays an error with the API's detail.
 */
static int gone_if_deleted(cf *c, int rc, const char *name, const char *what)
{
	if (rc == PC_EAUTH && strstr(pc_error_last(), "HTTP 403") && was_deleted(c, name))
		return pc_error_set(PC_ENOTFOUND, "%s statement '%s': gone (HTTP 403 after it was deleted)", what, name);
	return rc;
}

static int cf_get_statement(pc_provider *p, const char *name, pc_statement **out)
{
	cf *c = impl(p);
	int rc;

	*out = NULL;
	rc = request(c, &c->flink, "GET", stmt_url(c, name, NULL), NULL, PC_ECONFLICT,
		     pc_sprintf("get statement '%s'", name), parse_statement, out);
	return gone_if_deleted(c, rc, name, "get");
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

/*
 * PUT the object as fetched, with only stopped, pool and principal from st
 * (the gateway wants the whole object; fields pipectl does not know must
 * survive). Without the fetched object (a listed statement), GET it first.
 */
static int cf_update_statement(pc_provider *p, const pc_statement *st)
{
	cf *c = impl(p);
	pc_statement *fresh = NULL, *send = NULL;
	char *body = NULL;
	int rc;

	if (!st->raw_json) {
		if ((rc = cf_get_statement(p, st->name, &fresh)) != 0)
			goto done;
		send = pc_statement_dup(st);
		free(send->raw_json);
		send->raw_json = fresh->raw_json;
		fresh->raw_json = NULL;
		st = send;
	}
	if ((rc = pc_cfjson_statement_put_body(st, &body)) != 0) {
		rc = pc_error_wrap("update statement '%s'", st->name);
		goto done;
	}
	rc = request(c, &c->flink, "PUT", stmt_url(c, st->name, NULL), body, PC_ECONFLICT,
		     pc_sprintf("update statement '%s'", st->name), NULL, NULL);
	rc = gone_if_deleted(c, rc, st->name, "update");
done:
	free(body);
	pc_statement_free(fresh);
	pc_statement_free(send);
	return rc;
}

static int cf_delete_statement(pc_provider *p, const char *name)
{
	cf *c = impl(p);
	int rc;

	/* Before the request: a DELETE whose answer is lost still deleted it. */
	remember_deleted(c, name);
	rc = request(c, &c->flink, "DELETE", stmt_url(c, name, NULL), NULL, PC_ECONFLICT,
		     pc_sprintf("delete statement '%s'", name), NULL, NULL);
	return gone_if_deleted(c, rc, name, "delete");
}

static int cf_list_exceptions(pc_provider *p, const char *name, pc_vec *out)
{
	cf *c = impl(p);

	return request(c, &c->flink, "GET", stmt_url(c, name, "/exceptions"), NULL, PC_ECONFLICT,
		       pc_sprintf("list exceptions of statement '%s'", name), parse_exceptions, out);
}

/* ---- topics ---- */

static char *topic_url(cf *c, const char *name)
{
	char *esc = pc_http_escape(name);
	char *u = pc_sprintf("%s/topics/%s", c->kafka.base, esc);
	free(esc);
	return u;
}

static void feed_begin(void *ctx)
{
	pc_cfjson_feed_restart(ctx);
}

static int feed_data(void *ctx, const char *p, size_t n)
{
	return pc_cfjson_feed_put(ctx, p, n);
}

/*
 * Kafka's topic list is one page of every topic of the cluster (31 MB of
 * JSON for 50,000 topics): read as it arrives, each topic parsed as soon as
 * it is complete, never held whole (and so not bounded by the body cap,
 * which bounds one topic instead).
 */
static int cf_list_topics(pc_provider *p, pc_vec *out)
{
	cf *c = impl(p);
	char *url = pc_sprintf("%s/topics", c->kafka.base);
	pc_cfjson_feed *f = pc_cfjson_topic_feed_new(pc_http_max_body(c->http));
	pc_http_stream stream = { feed_begin, feed_data, f };
	pc_http_resp resp;
	int rc;

	pc_http_resp_init(&resp);
	rc = call_stream(c, &c->kafka, "GET", url, NULL, PC_ECONFLICT, &resp, "list topics", &stream);
	if (rc == 0 && (rc = pc_cfjson_feed_end(f, out, NULL)) != 0)
		rc = pc_error_wrap("list topics: HTTP %ld", resp.status);
	pc_cfjson_feed_free(f);
	pc_http_resp_dispose(&resp);
	free(url);
	return rc;
}

static int cf_get_topic(pc_provider *p, const char *name, pc_topic **out)
{
	cf *c = impl(p);

	*out = NULL;
	return request(c, &c->kafka, "GET", topic_url(c, name), NULL, PC_ECONFLICT,
		       pc_sprintf("get topic '%s'", name), parse_topic, out);
}

static int cf_delete_topic(pc_provider *p, const char *name)
{
	cf *c = impl(p);

	return request(c, &c->kafka, "DELETE", topic_url(c, name), NULL, PC_ECONFLICT,
		       pc_sprintf("delete topic '%s'", name), NULL, NULL);
}

/* ---- compute pools ---- */

static int cf_list_pools(pc_provider *p, pc_vec *out)
{
	cf *c = impl(p);
	char *env = pc_http_escape(c->cfg->environment_id);
	char *url = pc_sprintf("%s/fcpm/v2/compute-pools?environment=%s&page_size=%d", c->cloud.base,
			       env, PAGE_SIZE);
	int rc = list_pages(c, &c->cloud, url, "list compute pools", pc_cfjson_pool_list, pc_pool_free,
			    0, out);

	free(url);
	free(env);
	return rc;
}

static int cf_get_pool(pc_provider *p, const char *id, pc_pool **out)
{
	cf *c = impl(p);
	char *esc = pc_http_escape(id), *env = pc_http_escape(c->cfg->environment_id);
	char *url = pc_sprintf("%s/fcpm/v2/compute-pools/%s?environment=%s", c->cloud.base, esc, env);

	*out = NULL;
	free(esc);
	free(env);
	return request(c, &c->cloud, "GET", url, NULL, PC_ECONFLICT,
		       pc_sprintf("get compute pool '%s'", id), parse_pool, out);
}

/* fcpm/v2 requires display_name, cloud, region, max_cfu: the caller's, else pipectl.yaml's. */
static int pool_spec_complete(cf *c, const pc_pool_spec *in, pc_pool_spec *out)
{
	const pc_config *cfg = c->cfg;
	const char *what = in->display_name ? in->display_name : "";

	*out = *in;
	if (!out->cloud || !*out->cloud)
		out->cloud = cfg->pools_cloud;
	if (!out->region || !*out->region)
		out->region = cfg->pools_region;
	if (out->max_cfu <= 0)
		out->max_cfu = cfg->pools_max_cfu;
	if (!out->cloud || !*out->cloud)
		return pc_error_set(PC_EINVALID, "create compute pool '%s': 'confluent.compute_pools.cloud' is not set%s%s",
				    what, cfg->path ? " in " : "", cfg->path ? cfg->path : "");
	if (!out->region || !*out->region)
		return pc_error_set(PC_EINVALID, "create compute pool '%s': 'confluent.compute_pools.region' is not set%s%s",
				    what, cfg->path ? " in " : "", cfg->path ? cfg->path : "");
	if (out->max_cfu <= 0)
		return pc_error_set(PC_EINVALID, "create compute pool '%s': 'confluent.compute_pools.max_cfu' is not set%s%s",
				    what, cfg->path ? " in " : "", cfg->path ? cfg->path : "");
	return 0;
}

static int cf_create_pool(pc_provider *p, const pc_pool_spec *in, pc_pool **out)
{
	cf *c = impl(p);
	pc_pool_spec full, *spec = &full;
	char *body;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = pool_spec_complete(c, in, &full)) != 0)
		return rc;
	body = pc_cfjson_pool_create_body(spec, c->cfg->environment_id);
	rc = request(c, &c->cloud, "POST", pc_sprintf("%s/fcpm/v2/compute-pools", c->cloud.base), body,
		     PC_EEXISTS,
		     pc_sprintf("create compute pool '%s'", spec->display_name ? spec->display_name : ""),
		     out ? parse_pool : NULL, out);
	free(body);
	return rc;
}

/* ---- lifecycle ---- */

static void cf_dispose(cf *c)
{
	if (!c)
		return;
	pc_http_free(c->http);
	pc_vec_dispose(&c->deleted, free);
	pthread_mutex_destroy(&c->deleted_mu);
	free(c->flink.base);
	free(c->kafka.base);
	free(c->cloud.base);
	pc_kv_dispose(&c->default_props);
	free(c);
}

static void cf_free(pc_provider *p)
{
	if (!p)
		return;
	cf_dispose(impl(p));
	free(p);
}

static const pc_provider_ops confluent_ops = {
	.name = "confluent",
	.list_statements = cf_list_statements,
	.each_statement = cf_each_statement,
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

/*
 * Without sql.current-catalog/-database, unqualified table names resolve
 * against the catalog `default` and fail at run time: both are required.
 */
static int require_in_file(const pc_config *cfg, const char *value, const char *key, const char *why)
{
	if (value && *value)
		return 0;
	return pc_error_set(PC_EINVALID, "%s%sconfluent target: '%s' is not set (%s)", cfg->path ? cfg->path : "",
			    cfg->path ? ": " : "", key, why);
}

/* A duration of pipectl.yaml (validated by the config loader), else def. */
static int64_t cfg_ms(const pc_config *cfg, const char *key, int64_t def)
{
	const char *v = pc_kv_get(&cfg->extra, key);
	int64_t ms;
	if (v && pc_parse_duration_ms(v, &ms) == 0 && ms > 0)
		return ms;
	return def;
}

/* A backoff factor of pipectl.yaml (validated by the config loader: 1 to 4), else def. */
static double cfg_factor(const pc_config *cfg, const char *key, double def)
{
	const char *v = pc_kv_get(&cfg->extra, key);
	char *end = NULL;
	double f;
	if (!v)
		return def;
	f = strtod(v, &end);
	return end != v && !*end && f > 1.0 && f <= 4.0 ? f : def;
}

/* The emulator and tests listen on 127.0.0.1: poll them fast; the service in seconds. */
static int is_loopback(const char *endpoint)
{
	const char *h = strstr(endpoint, "://"), *at, *slash;
	h = h ? h + 3 : endpoint;
	at = strchr(h, '@');
	slash = strchr(h, '/');
	if (at && (!slash || at < slash))
		h = at + 1; /* user:password@ */
	return strncmp(h, "127.0.0.1", 9) == 0 && (h[9] == ':' || h[9] == '/' || !h[9]);
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

static void set_api(api *a, const char *label, const char *key, const char *secret,
		    const char *key_name)
{
	a->label = label;
	a->key = key;
	a->secret = secret;
	a->key_name = key_name;
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
	    (rc = require(cfg->kafka.api_secret, "confluent.kafka.api_secret")) ||
	    (rc = require_in_file(cfg, cfg->flink_catalog, "confluent.flink.catalog",
				  "the environment's display name, for sql.current-catalog")) ||
	    (rc = require_in_file(cfg, cfg->flink_database, "confluent.flink.database",
				  "the Kafka cluster's name, for sql.current-database")))
		return rc;

	c = PC_NEW(cf);
	c->cfg = cfg;
	pthread_mutex_init(&c->deleted_mu, NULL);
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

	set_api(&c->flink, "flink", cfg->flink.api_key, cfg->flink.api_secret, "confluent.flink.api_key");
	set_api(&c->kafka, "kafka", cfg->kafka.api_key, cfg->kafka.api_secret, "confluent.kafka.api_key");
	set_api(&c->cloud, "cloud", cfg->cloud.api_key, cfg->cloud.api_secret, "confluent.cloud.api_key");
	if (cfg->flink_catalog && *cfg->flink_catalog)
		pc_kv_set(&c->default_props, "sql.current-catalog", cfg->flink_catalog);
	if (cfg->flink_database && *cfg->flink_database)
		pc_kv_set(&c->default_props, "sql.current-database", cfg->flink_database);

	p = PC_NEW(pc_provider);
	p->ops = &confluent_ops;
	p->impl = c;
	p->default_pool = cfg->flink_compute_pool_id;
	p->principal = cfg->principal;
	{
		int local = is_loopback(cfg->flink.endpoint);
		p->poll_min_ms = cfg_ms(cfg, "confluent.poll.min", local ? PC_POLL_MIN_MS_LOCAL : PC_POLL_MIN_MS_SERVICE);
		p->poll_max_ms = cfg_ms(cfg, "confluent.poll.max", local ? PC_POLL_MAX_MS_LOCAL : PC_POLL_MAX_MS_SERVICE);
		if (p->poll_max_ms < p->poll_min_ms)
			p->poll_max_ms = p->poll_min_ms;
		p->poll_ddl_ms = cfg_ms(cfg, "confluent.poll.ddl", local ? PC_POLL_DDL_MS_LOCAL : PC_POLL_DDL_MS_SERVICE);
		p->poll_dml_ms = cfg_ms(cfg, "confluent.poll.dml", local ? PC_POLL_DML_MS_LOCAL : PC_POLL_DML_MS_SERVICE);
		p->poll_factor = cfg_factor(cfg, "confluent.poll.factor",
					    local ? PC_POLL_FACTOR_LOCAL : PC_POLL_FACTOR_SERVICE);
		p->topic_delete_timeout_ms = cfg_ms(cfg, "confluent.topic_delete_timeout",
						    PC_TOPIC_DELETE_TIMEOUT_MS_DEFAULT);
	}
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
	cf_dispose(c);
	return rc;
}

int pc_confluent_open(pc_provider **out, const pc_config *cfg)
{
	return pc_confluent_open_with(out, cfg, NULL);
}
