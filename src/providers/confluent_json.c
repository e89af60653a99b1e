/*
 * confluent_json.c - Confluent REST bodies <-> plain structs (see the header).
 */
#include "confluent_json.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_MAX 300

static int load(const char *body, size_t len, json_t **out)
{
	json_error_t err;
	*out = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &err);
	if (!*out)
		return pc_error_set(PC_EPARSE, "malformed JSON body: %s (line %d, column %d)",
				    err.text, err.line, err.column);
	return 0;
}

static int unexpected(const char *what)
{
	return pc_error_set(PC_EPARSE, "unexpected JSON body: %s", what);
}

/* A string field (numbers and booleans converted), owned, NULL when absent. */
static char *str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_string(v))
		return pc_strndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return pc_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return pc_sprintf("%.17g", json_real_value(v));
	return NULL;
}

static int integer(const json_t *obj, const char *key, int dflt)
{
	const json_t *v = json_object_get(obj, key);
	json_int_t i;
	if (json_is_integer(v)) {
		i = json_integer_value(v);
		if (i > 0x7fffffff || i < -0x7fffffff)
			return dflt;
		return (int)i;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d > 2147483647.0 || d < -2147483647.0 || d != d)
			return dflt;
		return (int)d;
	}
	return dflt;
}

/* -1 absent or null, 0/1 otherwise. */
static int boolean(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_true(v))
		return 1;
	if (json_is_false(v))
		return 0;
	return -1;
}

/* A string map into a kvlist (non-string values converted, null skipped). */
static void strmap(const json_t *obj, const char *key, pc_kvlist *out)
{
	const json_t *m = json_object_get(obj, key);
	const char *k;
	json_t *v;
	if (!json_is_object(m))
		return;
	json_object_foreach((json_t *)m, k, v) {
		char *s = NULL;
		if (json_is_string(v))
			s = pc_strndup(json_string_value(v), json_string_length(v));
		else if (json_is_integer(v))
			s = pc_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else if (json_is_boolean(v))
			s = pc_strdup(json_is_true(v) ? "true" : "false");
		if (s) {
			pc_kv_set(out, k, s);
			free(s);
		}
	}
}

/* ---- statements ---- */

static int statement_from(const json_t *o, pc_statement **out)
{
	pc_statement *st;
	const json_t *md, *spec, *status, *traits;
	int b;

	*out = NULL;
	if (!json_is_object(o))
		return unexpected("a statement is not an object");
	st = PC_NEW(pc_statement);
	st->name = str(o, "name");
	if (!st->name) {
		pc_statement_free(st);
		return unexpected("statement without 'name'");
	}
	md = json_object_get(o, "metadata");
	spec = json_object_get(o, "spec");
	status = json_object_get(o, "status");
	traits = json_object_get(status, "traits");
	st->resource_version = str(md, "resource_version");
	st->created_at = str(md, "created_at");
	st->updated_at = str(md, "updated_at");
	st->uid = str(md, "uid");
	strmap(md, "labels", &st->labels);
	st->sql = str(spec, "statement");
	st->compute_pool_id = str(spec, "compute_pool_id");
	st->principal = str(spec, "principal");
	st->stopped = boolean(spec, "stopped") == 1;
	strmap(spec, "properties", &st->properties);
	st->phase = str(status, "phase");
	st->ph = pc_phase_classify(st->phase);
	st->detail = str(status, "detail");
	st->sql_kind = str(traits, "sql_kind");
	b = boolean(traits, "is_append_only");
	st->is_append_only = b;
	strmap(status, "latest_offsets", &st->latest_offsets);
	st->latest_offsets_timestamp = str(status, "latest_offsets_timestamp");
	*out = st;
	return 0;
}

int pc_cfjson_statement(const char *body, size_t len, pc_statement **out)
{
	json_t *root = NULL;
	int rc;
	*out = NULL;
	if ((rc = load(body, len, &root)) != 0)
		return rc;
	rc = statement_from(root, out);
	if (rc == 0)
		(*out)->raw_json = pc_strndup(body, len);
	json_decref(root);
	return rc;
}

char *pc_cfjson_page_token(const char *next_url)
{
	const char *q, *p;
	if (!next_url || !*next_url || !(q = strchr(next_url, '?')))
		return NULL;
	for (p = q + 1; *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		if ((size_t)(end - p) > 11 && strncmp(p, "page_token=", 11) == 0) {
			pc_buf b = PC_BUF_INIT;
			for (const char *c = p + 11; c < end; c++) {
				if (*c == '%' && c + 2 < end &&
				    strchr("0123456789abcdefABCDEF", c[1]) &&
				    strchr("0123456789abcdefABCDEF", c[2])) {
					char hx[3] = { c[1], c[2], 0 };
					pc_buf_putc(&b, (char)strtol(hx, NULL, 16));
					c += 2;
				} else {
					pc_buf_putc(&b, *c == '+' ? ' ' : *c);
				}
			}
			return pc_buf_detach(&b);
		}
		p = amp ? amp + 1 : end;
	}
	return NULL;
}

/* data[] of a list, each turned into an element by fn. */
typedef int (*item_fn)(const json_t *o, void **out);
/* Where each element goes: takes it (even when it fails), 0 or an error that ends the list. */
typedef int (*item_sink)(void *ctx, void *item);

/*
 * A list body is read one value at a time: jansson parses each member of the
 * top-level object and each element of "data" on its own (JSON_DISABLE_EOF_CHECK
 * stops it after one value and gives the bytes it used), and each element
 * is turned into its struct and freed before the next is parsed. Only one
 * element's tree exists at a time. This code handles only the punctuation
 * between values: { } [ ] : , and whitespace.
 *
 * The same reader takes a body as it arrives (pc_cfjson_feed below): it
 * stops where the bytes run out and goes on from there when more come, so
 * a topic list, one page of every topic of the cluster (6 MB of JSON for
 * 10,000 topics, 31 MB for 50,000), is never held whole. A value that does
 * not parse from what has arrived (cut off, or broken) is tried again once
 * the bytes waiting have doubled (so a long value is parsed a bounded number
 * of times), and for the last time when the body has ended, which gives the
 * error the whole body gives.
 */
typedef enum lstate {
	L_START,      /* '{' */
	L_FIRST_KEY,  /* a key or '}' */
	L_KEY,        /* a key */
	L_COLON,
	L_VALUE,      /* the member's value ("data": '[' starts the elements) */
	L_MEMBER_END, /* ',' or '}' */
	L_FIRST_ITEM, /* an element or ']' */
	L_ITEM,
	L_ITEM_END,   /* ',' or ']' */
	L_TAIL,       /* only whitespace */
} lstate;

typedef struct lreader {
	lstate state;
	size_t base;      /* offset in the body of the bytes the reader is given */
	size_t retry_len; /* a cut-off value: try again when this many bytes wait (0: now) */
	char *key;        /* the member being read */
	pc_vec keys;      /* every member's key (char *, owned): a duplicate is an error */
	json_t *md;       /* "metadata" */
	item_fn fn;
	item_sink put;
	void *ctx;
} lreader;

static void lreader_init(lreader *r, item_fn fn, item_sink put, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->fn = fn;
	r->put = put;
	r->ctx = ctx;
}

static void lreader_dispose(lreader *r)
{
	free(r->key);
	pc_vec_dispose(&r->keys, free);
	json_decref(r->md);
	r->key = NULL;
	r->md = NULL;
}

/* The next byte that is not whitespace from *at (moved to it), or -1 at the end of p. */
static int next_char(const char *p, size_t len, size_t *at)
{
	while (*at < len && strchr(" \t\r\n", p[*at]) && p[*at])
		(*at)++;
	return *at < len ? (unsigned char)p[*at] : -1;
}

#define NEED_MORE 1

/*
 * One JSON value at *at: 0 with *out (moved past it), NEED_MORE when it may
 * be cut off by the end of what has arrived, or PC_EPARSE.
 */
static int read_value(lreader *r, const char *p, size_t len, size_t *at, int final, json_t **out)
{
	size_t avail = len - *at;
	json_error_t err;
	json_t *v;

	*out = NULL;
	if (!final && r->retry_len && len < r->retry_len)
		return NEED_MORE;
	v = json_loadb(p + *at, avail, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &err);
	if (!final && (!v || (size_t)err.position >= avail)) {
		/*
		 * Ends where the bytes do (a number may go on), or fails: what
		 * follows may complete it (jansson places a UTF-8 sequence cut in
		 * two at its first byte, not at the end), and a real error is found
		 * again, the same, once the body has ended.
		 */
		json_decref(v);
		r->retry_len = len * 2 > len + 64 ? len * 2 : len + 64;
		return NEED_MORE;
	}
	r->retry_len = 0;
	if (!v)
		return pc_error_set(PC_EPARSE, "malformed JSON body: %s (at byte %zu)", err.text,
				    r->base + *at + (size_t)(err.position > 0 ? err.position : 0));
	*at += (size_t)err.position;
	*out = v;
	return 0;
}

/*
 * Read what p[0..len) holds (p is the rest of the body from r->base on);
 * final: the body ends there. Returns 0 (with *used, the bytes consumed;
 * the others are to be given again with what follows them) or an error.
 */
static int lreader_run(lreader *r, const char *p, size_t len, int final, size_t *used)
{
	size_t at = 0;
	json_t *v = NULL;
	int rc = 0, c;

	for (;;) {
		size_t mark = at;
		c = next_char(p, len, &at);
		if (c < 0 && !final && r->state != L_TAIL)
			break; /* wait for more */
		switch (r->state) {
		case L_START:
			if (c != '{') {
				/* not an object: let jansson say what it is (or why it is not JSON) */
				if (!final) {
					at = mark;
					goto out;
				}
				if ((rc = read_value(r, p, len, &at, final, &v)) != 0)
					goto out;
				rc = unexpected("a list is not an object");
				goto out;
			}
			at++;
			r->state = L_FIRST_KEY;
			break;
		case L_FIRST_KEY:
			if (c == '}') {
				at++;
				r->state = L_TAIL;
				break;
			}
			r->state = L_KEY;
			break;
		case L_KEY: {
			const char *k;
			if (c != '"') {
				rc = pc_error_set(PC_EPARSE, "malformed JSON body: string or '}' expected (at byte %zu)",
						  r->base + at);
				goto out;
			}
			if ((rc = read_value(r, p, len, &at, final, &v)) != 0)
				goto out;
			k = json_string_value(v);
			if (pc_vec_find_str(&r->keys, k) >= 0) {
				rc = pc_error_set(PC_EPARSE, "malformed JSON body: duplicate object key '%s'", k);
				goto out;
			}
			pc_vec_push(&r->keys, pc_strdup(k));
			free(r->key);
			r->key = pc_strdup(k);
			json_decref(v);
			v = NULL;
			r->state = L_COLON;
			break;
		}
		case L_COLON:
			if (c != ':') {
				rc = pc_error_set(PC_EPARSE, "malformed JSON body: ':' expected (at byte %zu)", r->base + at);
				goto out;
			}
			at++;
			r->state = L_VALUE;
			break;
		case L_VALUE:
			if (strcmp(r->key, "data") == 0 && c == '[') {
				at++;
				r->state = L_FIRST_ITEM;
				break;
			}
			if ((rc = read_value(r, p, len, &at, final, &v)) != 0)
				goto out;
			if (strcmp(r->key, "data") == 0 && !json_is_null(v)) {
				rc = unexpected("'data' is not an array");
				goto out;
			}
			if (strcmp(r->key, "metadata") == 0) {
				json_decref(r->md);
				r->md = v;
				v = NULL;
			}
			json_decref(v);
			v = NULL;
			r->state = L_MEMBER_END;
			break;
		case L_MEMBER_END:
			at++;
			if (c == '}') {
				r->state = L_TAIL;
				break;
			}
			if (c != ',') {
				rc = pc_error_set(PC_EPARSE, "malformed JSON body: ',' or '}' expected (at byte %zu)",
						  r->base + at - 1);
				goto out;
			}
			r->state = L_KEY;
			break;
		case L_FIRST_ITEM:
			if (c == ']') {
				at++;
				r->state = L_MEMBER_END;
				break;
			}
			r->state = L_ITEM;
			break;
		case L_ITEM: {
			void *item = NULL;
			if ((rc = read_value(r, p, len, &at, final, &v)) != 0)
				goto out;
			rc = r->fn(v, &item);
			json_decref(v);
			v = NULL;
			if (rc != 0 || (rc = r->put(r->ctx, item)) != 0)
				goto out;
			r->state = L_ITEM_END;
			break;
		}
		case L_ITEM_END:
			at++;
			if (c == ']') {
				r->state = L_MEMBER_END;
				break;
			}
			if (c != ',') {
				rc = pc_error_set(PC_EPARSE, "malformed JSON body: ',' or ']' expected (at byte %zu)",
						  r->base + at - 1);
				goto out;
			}
			r->state = L_ITEM;
			break;
		case L_TAIL:
			if (c >= 0) {
				rc = pc_error_set(PC_EPARSE, "malformed JSON body: end of file expected (at byte %zu)",
						  r->base + at);
				goto out;
			}
			goto out;
		}
	}
out:
	if (rc == NEED_MORE)
		rc = 0;
	json_decref(v);
	*used = at;
	return rc;
}

/* metadata.next's page token (owned), or NULL. */
static char *lreader_next_token(const lreader *r)
{
	const json_t *next = json_object_get(r->md, "next");
	return json_is_string(next) ? pc_cfjson_page_token(json_string_value(next)) : NULL;
}

/* A whole list body, each element into put as soon as it is parsed. */
static int list_each(const char *body, size_t len, char **next_token, item_fn fn, item_sink put, void *ctx)
{
	lreader r;
	size_t used = 0;
	int rc;

	if (next_token)
		*next_token = NULL;
	lreader_init(&r, fn, put, ctx);
	rc = lreader_run(&r, body ? body : "", body ? len : 0, 1, &used);
	if (rc == 0 && next_token)
		*next_token = lreader_next_token(&r);
	lreader_dispose(&r);
	return rc;
}

static int push_item(void *ctx, void *item)
{
	pc_vec_push(ctx, item);
	return 0;
}

/* A list body onto out, all or nothing: out only grows when the whole body parsed. */
static int list_from(const char *body, size_t len, pc_vec *out, char **next_token, item_fn fn,
		     pc_free_fn free_fn)
{
	pc_vec got = PC_VEC_INIT;
	int rc = list_each(body, len, next_token, fn, push_item, &got);

	if (rc == 0) {
		for (size_t i = 0; i < got.len; i++)
			pc_vec_push(out, got.items[i]);
		got.len = 0;
	} else if (next_token) {
		free(*next_token);
		*next_token = NULL;
	}
	pc_vec_dispose(&got, free_fn);
	return rc;
}

static int statement_item(const json_t *o, void **out)
{
	return statement_from(o, (pc_statement **)out);
}

int pc_cfjson_statement_list(const char *body, size_t len, pc_vec *out, char **next_token)
{
	return list_from(body, len, out, next_token, statement_item, pc_statement_free);
}

typedef struct each_ctx {
	pc_statement_fn fn;
	void *ctx;
} each_ctx;

static int put_statement(void *ctx, void *item)
{
	each_ctx *e = ctx;
	return e->fn(e->ctx, item);
}

int pc_cfjson_statement_each(const char *body, size_t len, pc_statement_fn fn, void *ctx, char **next_token)
{
	each_ctx e = { fn, ctx };
	int rc = list_each(body, len, next_token, statement_item, put_statement, &e);

	if (rc != 0 && next_token) {
		free(*next_token);
		*next_token = NULL;
	}
	return rc;
}

static int exception_item(const json_t *o, void **out)
{
	pc_statement_exception *e;
	if (!json_is_object(o))
		return unexpected("an exception is not an object");
	e = PC_NEW(pc_statement_exception);
	e->name = str(o, "name");
	e->message = str(o, "message");
	e->timestamp = str(o, "timestamp");
	*out = e;
	return 0;
}

static int by_timestamp_desc(const void *a, const void *b)
{
	const pc_statement_exception *x = a, *y = b;
	const char *tx = x->timestamp ? x->timestamp : "", *ty = y->timestamp ? y->timestamp : "";
	return strcmp(ty, tx);
}

int pc_cfjson_exceptions(const char *body, size_t len, pc_vec *out)
{
	size_t first = out->len;
	int rc = list_from(body, len, out, NULL, exception_item, pc_statement_exception_free);
	if (rc == 0 && out->len - first > 1 && first == 0)
		pc_vec_sort(out, by_timestamp_desc);
	return rc;
}

/* ---- topics ---- */

static int topic_item(const json_t *o, void **out)
{
	pc_topic *t;
	int b;
	if (!json_is_object(o))
		return unexpected("a topic is not an object");
	t = PC_NEW(pc_topic);
	t->name = str(o, "topic_name");
	if (!t->name) {
		pc_topic_free(t);
		return unexpected("topic without 'topic_name'");
	}
	t->partitions = integer(o, "partitions_count", 0);
	t->replication_factor = integer(o, "replication_factor", 0);
	b = boolean(o, "is_internal");
	t->is_internal = b == 1;
	*out = t;
	return 0;
}

int pc_cfjson_topic(const char *body, size_t len, pc_topic **out)
{
	json_t *root = NULL;
	int rc;
	*out = NULL;
	if ((rc = load(body, len, &root)) != 0)
		return rc;
	rc = topic_item(root, (void **)out);
	json_decref(root);
	return rc;
}

int pc_cfjson_topic_list(const char *body, size_t len, pc_vec *out)
{
	return list_from(body, len, out, NULL, topic_item, pc_topic_free);
}

/* ---- a list body as it arrives ---- */

struct pc_cfjson_feed {
	lreader r;
	pc_buf pend;       /* bytes not read yet: the start of a value cut off by the end of what arrived */
	pc_vec got;        /* the elements read so far */
	size_t max;        /* longest value not yet complete (0: no cap) */
	pc_free_fn free_fn;
	int rc;            /* the first error: every later call returns it */
};

static pc_cfjson_feed *feed_new(item_fn fn, pc_free_fn free_fn, size_t max_pending)
{
	pc_cfjson_feed *f = PC_NEW(pc_cfjson_feed);
	f->free_fn = free_fn;
	lreader_init(&f->r, fn, push_item, &f->got);
	pc_buf_init(&f->pend, 0);
	f->max = max_pending;
	return f;
}

pc_cfjson_feed *pc_cfjson_topic_feed_new(size_t max_pending)
{
	return feed_new(topic_item, pc_topic_free, max_pending);
}

void pc_cfjson_feed_restart(pc_cfjson_feed *f)
{
	item_fn fn = f->r.fn;
	lreader_dispose(&f->r);
	lreader_init(&f->r, fn, push_item, &f->got);
	pc_buf_clear(&f->pend);
	pc_vec_dispose(&f->got, f->free_fn);
	f->rc = 0;
}

/* Read what is pending; keep what could not be read yet. */
static int feed_run(pc_cfjson_feed *f, int final)
{
	size_t used = 0;
	if (f->rc)
		return f->rc;
	f->rc = lreader_run(&f->r, f->pend.ptr, f->pend.len, final, &used);
	if (f->rc)
		return f->rc;
	if (used) {
		memmove(f->pend.ptr, f->pend.ptr + used, f->pend.len - used);
		pc_buf_truncate(&f->pend, f->pend.len - used);
		f->r.base += used;
		if (f->r.retry_len)
			f->r.retry_len = f->r.retry_len > used ? f->r.retry_len - used : 0;
	}
	/* what waits is one value cut off by the end of what arrived, tried again by the time it reaches the cap */
	if (f->max && f->r.retry_len > f->max)
		f->r.retry_len = f->max;
	if (!final && f->max && f->pend.len > f->max)
		return f->rc = pc_error_set(PC_ETOOBIG, "a list element longer than %zu bytes", f->max);
	return 0;
}

int pc_cfjson_feed_put(pc_cfjson_feed *f, const char *p, size_t n)
{
	if (f->rc)
		return f->rc;
	pc_buf_put(&f->pend, p, n); /* uncapped: the cap is checked on what is left once read */
	return feed_run(f, 0);
}

int pc_cfjson_feed_end(pc_cfjson_feed *f, pc_vec *out, char **next_token)
{
	int rc = feed_run(f, 1);
	if (next_token)
		*next_token = rc == 0 ? lreader_next_token(&f->r) : NULL;
	if (rc == 0) {
		for (size_t i = 0; i < f->got.len; i++)
			pc_vec_push(out, f->got.items[i]);
		f->got.len = 0;
	}
	return rc;
}

void pc_cfjson_feed_free(pc_cfjson_feed *f)
{
	if (!f)
		return;
	lreader_dispose(&f->r);
	pc_buf_dispose(&f->pend);
	pc_vec_dispose(&f->got, f->free_fn);
	free(f);
}

/* ---- compute pools ---- */

static int pool_item(const json_t *o, void **out)
{
	pc_pool *p;
	const json_t *spec, *status;
	if (!json_is_object(o))
		return unexpected("a compute pool is not an object");
	p = PC_NEW(pc_pool);
	p->id = str(o, "id");
	if (!p->id) {
		pc_pool_free(p);
		return unexpected("compute pool without 'id'");
	}
	spec = json_object_get(o, "spec");
	status = json_object_get(o, "status");
	p->display_name = str(spec, "display_name");
	p->cloud = str(spec, "cloud");
	p->region = str(spec, "region");
	p->max_cfu = integer(spec, "max_cfu", 0);
	p->phase = str(status, "phase");
	p->current_cfu = integer(status, "current_cfu", 0);
	*out = p;
	return 0;
}

int pc_cfjson_pool(const char *body, size_t len, pc_pool **out)
{
	json_t *root = NULL;
	int rc;
	*out = NULL;
	if ((rc = load(body, len, &root)) != 0)
		return rc;
	rc = pool_item(root, (void **)out);
	json_decref(root);
	return rc;
}

int pc_cfjson_pool_list(const char *body, size_t len, pc_vec *out, char **next_token)
{
	return list_from(body, len, out, next_token, pool_item, pc_pool_free);
}

/* ---- errors ---- */

static char *one_line(const char *s)
{
	pc_buf b = PC_BUF_INIT;
	size_t n = 0;
	int space = 0;
	for (const char *p = s; *p && n < DETAIL_MAX; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = 1;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space && b.len)
			pc_buf_putc(&b, ' ');
		space = 0;
		pc_buf_putc(&b, (char)c);
		n++;
	}
	if (*s && n >= DETAIL_MAX)
		pc_buf_puts(&b, "...");
	if (!b.len) {
		pc_buf_dispose(&b);
		return NULL;
	}
	return pc_buf_detach(&b);
}

static const char *nonempty(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_string(v) && json_string_value(v)[0])
		return json_string_value(v);
	return NULL;
}

char *pc_cfjson_error_detail(const char *body, size_t len)
{
	json_t *root;
	json_error_t err;
	const json_t *errors, *e0;
	const char *s = NULL;
	char *out = NULL;

	if (!body || !len)
		return NULL;
	root = json_loadb(body, len, 0, &err);
	if (!root)
		return NULL;
	if (!json_is_object(root))
		goto done;
	errors = json_object_get(root, "errors");
	e0 = json_array_get(errors, 0);
	if (json_is_object(e0))
		s = nonempty(e0, "detail") ? nonempty(e0, "detail") : nonempty(e0, "title");
	if (!s)
		s = nonempty(root, "message");
	if (!s)
		s = nonempty(root, "detail");
	if (!s)
		s = nonempty(root, "error");
	if (!s && json_is_object(json_object_get(root, "error")))
		s = nonempty(json_object_get(root, "error"), "message");
	if (s)
		out = one_line(s);
done:
	json_decref(root);
	return out;
}

/* ---- request bodies ---- */

static json_t *kv_object(const pc_kvlist *l)
{
	json_t *o = json_object();
	if (l)
		for (size_t i = 0; i < l->len; i++) {
			const pc_kv *kv = l->items[i];
			json_object_set_new(o, kv->key, json_string(kv->value ? kv->value : ""));
		}
	return o;
}

static void add_defaults(json_t *props, const pc_kvlist *defaults)
{
	if (!defaults)
		return;
	for (size_t i = 0; i < defaults->len; i++) {
		const pc_kv *kv = defaults->items[i];
		if (!json_object_get(props, kv->key))
			json_object_set_new(props, kv->key, json_string(kv->value));
	}
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

static char *dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	char *r = pc_strdup(s ? s : "{}");
	free(s);
	json_decref(o);
	return r;
}

char *pc_cfjson_statement_create_body(const pc_statement_spec *spec, const char *principal,
				      const pc_kvlist *default_props)
{
	json_t *o = json_object(), *sp = json_object(), *md = json_object(), *props;

	json_object_set_new(o, "name", json_string(spec->name ? spec->name : ""));
	json_object_set_new(sp, "statement", json_string(spec->sql ? spec->sql : ""));
	props = kv_object(spec->properties);
	add_defaults(props, default_props);
	json_object_set_new(sp, "properties", props);
	set_str(sp, "compute_pool_id", spec->compute_pool_id);
	set_str(sp, "principal", spec->principal ? spec->principal : principal);
	json_object_set_new(sp, "stopped", json_boolean(spec->stopped));
	json_object_set_new(o, "spec", sp);
	json_object_set_new(md, "labels", kv_object(spec->labels));
	json_object_set_new(o, "metadata", md);
	return dump(o);
}

int pc_cfjson_statement_put_body(const pc_statement *st, char **out)
{
	json_t *o = NULL, *sp, *md;
	pc_kvlist props = PC_VEC_INIT;
	char *sql = NULL;
	int rc = 0;

	*out = NULL;
	if (!st->raw_json || (rc = load(st->raw_json, strlen(st->raw_json), &o)) != 0 || !json_is_object(o)) {
		rc = pc_error_set(PC_EINVALID, "statement '%s': no fetched object to send back", st->name ? st->name : "");
		goto done;
	}
	sp = json_object_get(o, "spec");
	md = json_object_get(o, "metadata");
	if (!json_is_object(sp) || !json_is_object(md)) {
		rc = pc_error_set(PC_EINVALID, "statement '%s': the fetched object has no spec or metadata",
				  st->name ? st->name : "");
		goto done;
	}
	/* Confluent has no update path for the SQL or the properties. */
	sql = str(sp, "statement");
	strmap(sp, "properties", &props);
	if (st->sql && (!sql || strcmp(sql, st->sql) != 0)) {
		rc = pc_error_set(PC_EINVALID, "statement '%s': its SQL can not be changed (create a new statement)",
				  st->name);
		goto done;
	}
	if (!pc_kv_equal(&props, &st->properties)) {
		rc = pc_error_set(PC_EINVALID,
				  "statement '%s': its properties can not be changed (create a new statement)", st->name);
		goto done;
	}
	json_object_set_new(sp, "stopped", json_boolean(st->stopped));
	set_str(sp, "compute_pool_id", st->compute_pool_id);
	set_str(sp, "principal", st->principal);
	set_str(md, "resource_version", st->resource_version);
	*out = dump(o);
	o = NULL;
done:
	json_decref(o);
	pc_kv_dispose(&props);
	free(sql);
	return rc;
}

char *pc_cfjson_pool_create_body(const pc_pool_spec *spec, const char *env)
{
	json_t *o = json_object(), *sp = json_object(), *e = json_object();
	set_str(sp, "display_name", spec->display_name);
	set_str(sp, "cloud", spec->cloud);
	set_str(sp, "region", spec->region);
	if (spec->max_cfu > 0)
		json_object_set_new(sp, "max_cfu", json_integer(spec->max_cfu));
	json_object_set_new(e, "id", json_string(env ? env : ""));
	json_object_set_new(sp, "environment", e);
	json_object_set_new(o, "spec", sp);
	return dump(o);
}
