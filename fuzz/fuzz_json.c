/*
 * fuzz_json.c - every Confluent response body parser of the confluent
 * provider (statement, statement list, exceptions, topic, topic list, pool,
 * pool list, error detail, page token) over arbitrary bytes.
 */
#include "providers/confluent_json.h"
#include "providers/provider.h"
#include "util/alloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
