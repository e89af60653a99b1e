/*
 * fuzz_json.c - every Confluent response body parser of the confluent
 * provider (statement, statement list, exceptions, topic, topic list, pool,
 * pool list, error detail, page token) over arbitrary bytes; and the topic
 * list read as it arrives (pc_cfjson_feed), in slices whose size the first
 * byte chooses, which must give what the whole body gives, error included.
 */
#include "providers/confluent_json.h"
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The topic names of a list, or "ERR: <message>" (owned). */
static char *topics_of(int rc, const pc_vec *v)
{
	size_t n = 0;
	char *s, *w;
	if (rc != 0)
		return pc_sprintf("ERR: %s", pc_error_last());
	for (size_t i = 0; i < v->len; i++)
		n += strlen(((const pc_topic *)v->items[i])->name) + 1;
	w = s = pc_malloc(n + 1);
	for (size_t i = 0; i < v->len; i++) {
		size_t k = strlen(((const pc_topic *)v->items[i])->name);
		memcpy(w, ((const pc_topic *)v->items[i])->name, k);
		w += k;
		*w++ = '\n';
	}
	*w = 0;
	return s;
}

static void feed_matches_whole(const char *body, size_t size)
{
	pc_vec whole = PC_VEC_INIT, fed = PC_VEC_INIT;
	pc_cfjson_feed *f = pc_cfjson_topic_feed_new(0);
	size_t chunk = size ? (size_t)(unsigned char)body[0] % 17 + 1 : 1;
	char *a, *b;
	int rc = 0;

	a = topics_of(pc_cfjson_topic_list(body, size, &whole), &whole);
	for (size_t at = 0; at < size && rc == 0; at += chunk)
		rc = pc_cfjson_feed_put(f, body + at, size - at < chunk ? size - at : chunk);
	if (rc == 0)
		rc = pc_cfjson_feed_end(f, &fed, NULL);
	b = topics_of(rc, &fed);
	if (strcmp(a, b) != 0)
		abort(); /* read as it arrives, a body must read as it does whole */
	free(a);
	free(b);
	pc_cfjson_feed_free(f);
	pc_vec_dispose(&whole, pc_topic_free);
	pc_vec_dispose(&fed, pc_topic_free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	pc_statement *st = NULL;
	pc_topic *t = NULL;
	pc_pool *p = NULL;
	pc_vec v = PC_VEC_INIT;
	char *next = NULL, *s, *text;

	if (pc_cfjson_statement(body, size, &st) == 0) {
		/* What was parsed must survive a copy and a PUT body. */
		pc_statement *d = pc_statement_dup(st);
		char *put = NULL;
		if (pc_cfjson_statement_put_body(d, &put) == 0)
			free(put);
		pc_statement_free(d);
	}
	pc_statement_free(st);
	pc_cfjson_statement_list(body, size, &v, &next);
	pc_vec_dispose(&v, pc_statement_free);
	free(next);
	next = NULL;
	pc_cfjson_exceptions(body, size, &v);
	pc_vec_dispose(&v, pc_statement_exception_free);
	pc_cfjson_topic(body, size, &t);
	pc_topic_free(t);
	pc_cfjson_topic_list(body, size, &v);
	pc_vec_dispose(&v, pc_topic_free);
	feed_matches_whole(body, size);
	pc_cfjson_pool(body, size, &p);
	pc_pool_free(p);
	pc_cfjson_pool_list(body, size, &v, &next);
	pc_vec_dispose(&v, pc_pool_free);
	free(next);
	s = pc_cfjson_error_detail(body, size);
	if (s && (strchr(s, '\n') || strlen(s) > 400))
		abort(); /* the detail must be one short line */
	free(s);
	text = pc_strndup(body, size);
	free(pc_cfjson_page_token(text));
	free(text);
	return 0;
}
