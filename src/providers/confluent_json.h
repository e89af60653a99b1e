/*
 * confluent_json.h - Confluent REST bodies <-> the provider's plain structs
 * (jansson stays inside this file and confluent.c).
 *
 * Parsers are tolerant: unknown fields and unknown phases are kept or
 * ignored, missing fields stay NULL/0 (is_append_only -1), offsets are kept
 * as strings. A body that is not JSON, or not the expected shape, gives
 * PC_EPARSE with a one-line message ("malformed JSON body: …" /
 * "unexpected JSON body: …"). Results are owned by the caller.
 */
#ifndef PC_PROVIDERS_CONFLUENT_JSON_H
#define PC_PROVIDERS_CONFLUENT_JSON_H

#include "provider.h"

#include <stddef.h>

/* sql/v1 Statement. */
int pc_cfjson_statement(const char *body, size_t len, pc_statement **out);
/*
 * sql/v1 StatementList: appends pc_statement * to out; *next_token is the
 * page_token of metadata.next (owned), NULL on the last page.
 */
int pc_cfjson_statement_list(const char *body, size_t len, pc_vec *out, char **next_token);
/*
 * The same body, each statement handed to fn as soon as it is parsed (its
 * JSON tree is freed before the next is read). On an error part-way, fn has
 * had the statements before it; *next_token is then NULL.
 */
int pc_cfjson_statement_each(const char *body, size_t len, pc_statement_fn fn, void *ctx, char **next_token);
/* sql/v1 StatementExceptionList: appends pc_statement_exception *, most recent first. */
int pc_cfjson_exceptions(const char *body, size_t len, pc_vec *out);
/* kafka/v3 KafkaTopic / KafkaTopicList (appends pc_topic *). */
int pc_cfjson_topic(const char *body, size_t len, pc_topic **out);
int pc_cfjson_topic_list(const char *body, size_t len, pc_vec *out);
/*
 * A list body read as it arrives, never held whole (the topic list is one
 * page of every topic of the cluster: 6 MB of JSON for 10,000 topics):
 * pc_cfjson_feed_put() the bytes as they come, each element is parsed as
 * soon as it is complete; pc_cfjson_feed_end() once the body has ended
 * appends the elements to out (all or nothing) and gives the next page's
 * token as the list parsers do. The errors are theirs, with the byte offset
 * in the whole body; after one, every call returns it. max_pending caps the
 * bytes of one element not yet complete (0: no cap). restart forgets
 * everything (a request sent again).
 */
typedef struct pc_cfjson_feed pc_cfjson_feed;
pc_cfjson_feed *pc_cfjson_topic_feed_new(size_t max_pending);
int pc_cfjson_feed_put(pc_cfjson_feed *f, const char *p, size_t n);
int pc_cfjson_feed_end(pc_cfjson_feed *f, pc_vec *out, char **next_token);
void pc_cfjson_feed_restart(pc_cfjson_feed *f);
void pc_cfjson_feed_free(pc_cfjson_feed *f);
/* fcpm/v2 ComputePool / ComputePoolList (appends pc_pool *; next as above). */
int pc_cfjson_pool(const char *body, size_t len, pc_pool **out);
int pc_cfjson_pool_list(const char *body, size_t len, pc_vec *out, char **next_token);

/*
 * The API's own words from an error body, on one line and at most ~300
 * bytes: errors[0].detail, else errors[0].title, else Kafka's "message",
 * else a top-level "error"/"detail" string. NULL when the body is not JSON
 * or says nothing usable. Owned.
 */
char *pc_cfjson_error_detail(const char *body, size_t len);

/* The page_token query parameter of a `metadata.next` URL (decoded, owned), or NULL. */
char *pc_cfjson_page_token(const char *next_url);

/*
 * Request bodies (owned, compact JSON). default_props are added to
 * spec.properties for keys the spec does not give (sql.current-catalog,
 * sql.current-database); may be NULL.
 */
char *pc_cfjson_statement_create_body(const pc_statement_spec *spec, const char *principal,
				      const pc_kvlist *default_props);
/*
 * The PUT body: st->raw_json (the object as fetched) sent back with only
 * spec.stopped, spec.compute_pool_id, spec.principal and
 * metadata.resource_version taken from st, so fields pipectl does not know
 * (spec.scaling, ...) survive. A changed SQL or properties in st is
 * PC_EINVALID (Confluent has no update path for them), as is a missing raw_json.
 */
int pc_cfjson_statement_put_body(const pc_statement *st, char **out);
char *pc_cfjson_pool_create_body(const pc_pool_spec *spec, const char *env);

#endif
