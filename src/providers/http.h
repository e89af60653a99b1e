/*
 * http.h - the HTTP client the confluent provider talks through (libcurl).
 *
 * One pc_http is shared by every thread of the process: it keeps a pool of
 * curl easy handles (each keeps its open connections, so connections are
 * reused) and a curl share for DNS and TLS sessions. Requests are retried on
 * 429, 5xx, timeouts and connection failures with capped exponential backoff
 * and jitter, honouring Retry-After, within a number of attempts and a total
 * time budget. TLS is always verified for https. Credentials are passed to
 * curl as user/password (never in a URL) and never appear in a message;
 * curl's verbose mode is never turned on.
 */
#ifndef PC_PROVIDERS_HTTP_H
#define PC_PROVIDERS_HTTP_H

#include "../util/buf.h"
#include "provider.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pc_http_opts {
	long connect_timeout_ms; /* per attempt; default 10 s */
	long timeout_ms;         /* per attempt, whole transfer; default 30 s */
	int max_attempts;        /* including the first; default 6 */
	int64_t budget_ms;       /* all attempts and pauses together; default 120 s */
	int64_t backoff_base_ms; /* first pause; default 500 ms, doubled each retry */
	int64_t backoff_max_ms;  /* cap of one pause (and of Retry-After); default 30 s */
	size_t max_body;         /* response body cap; default 16 MiB */
} pc_http_opts;

/* Fill o with the defaults above. */
void pc_http_opts_default(pc_http_opts *o);

typedef struct pc_http pc_http;

/*
 * A client. opts NULL: defaults (fields left 0 take their default too).
 * stats (borrowed, may be NULL) receives the counters, updated atomically.
 */
int pc_http_new(pc_http **out, const pc_http_opts *opts, pc_provider_stats *stats);
void pc_http_free(pc_http *h);
/* The response body cap in force (pc_http_opts.max_body). */
size_t pc_http_max_body(const pc_http *h);

/*
 * Where a 2xx response's body goes as it arrives, instead of resp->body
 * (which then stays empty), so that a long list is never held whole:
 * begin(ctx) before every attempt (a request sent again starts over), then
 * data(ctx, bytes, n) for each piece; a nonzero return (with the error set)
 * ends the transfer and is what pc_http_do() returns. The bodies of other
 * statuses go to resp->body as always (the error's detail).
 */
typedef struct pc_http_stream {
	void (*begin)(void *ctx);
	int (*data)(void *ctx, const char *p, size_t n);
	void *ctx;
} pc_http_stream;

typedef struct pc_http_req {
	const char *method;       /* GET, POST, PUT, DELETE, PATCH */
	const char *url;          /* full URL, query included */
	const char *user;         /* Basic auth, may be NULL (then no auth) */
	const char *password;
	const char *body;         /* may be NULL */
	size_t body_len;
	const char *content_type; /* default application/json when body given */
	int idempotent;           /* retry after a timeout (the request may have been processed) */
	const pc_http_stream *stream; /* may be NULL: the body into resp->body */
} pc_http_req;

typedef struct pc_http_resp {
	long status;           /* last HTTP status received */
	pc_buf body;           /* capped at max_body */
	char *content_type;    /* owned, may be NULL */
	char *location;        /* owned, may be NULL */
	int attempts;          /* how many requests were sent */
} pc_http_resp;

void pc_http_resp_init(pc_http_resp *r);
void pc_http_resp_dispose(pc_http_resp *r);

/*
 * Send req, retrying as described above. A 307/308 is followed (at most 5
 * times) only to https hosts under .confluent.cloud or to 127.0.0.1, sending the
 * request again with its auth; elsewhere it is PC_EHTTP, unsent. Returns 0
 * when a response was received (any status: a 429/5xx that outlived its
 * retries is returned too, for the caller to report), or PC_ETIMEOUT,
 * PC_ENET, PC_ETOOBIG or PC_EHTTP with a one-line message naming the URL
 * (without its query or any user:password@).
 */
int pc_http_do(pc_http *h, const pc_http_req *req, pc_http_resp *resp);

/*
 * Parse a Retry-After value (delta seconds or an HTTP date) into
 * milliseconds from now; -1 when it cannot be parsed. now_wall_ms: the
 * current wall clock (epoch ms).
 */
int64_t pc_http_parse_retry_after(const char *value, int64_t now_wall_ms);

/* Escape s for a URL path segment or query value (owned). */
char *pc_http_escape(const char *s);

#endif
