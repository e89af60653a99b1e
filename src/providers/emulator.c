/*
 * emulator.c - the simulation served over Confluent's REST paths (see
 * emulator.h and docs/emulator.md). Rendering of the bodies is in
 * emulator_json.c.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "emulator.h"
#include "emulator_int.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "http.h"
#include "../util/timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BODY_MAX (1024 * 1024)
#define HANG_MAX_MS 120000


/* ---- small helpers ---- */

/* When this thread started handling the current request (Server-Timing). */
static __thread int64_t t_start_ns;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t rng_next(pc_emulator *e)
{
	uint64_t x = e->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	e->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static double rng_unit(pc_emulator *e)
{
	return (double)(rng_next(e) >> 11) / 9007199254740992.0;
}

int pc_emu_send(struct MHD_Connection *c, unsigned status, const pc_buf *body, const char *location,
		     const char *extra_name, const char *extra_value)
{
	struct MHD_Response *r;
	int ret;
	r = MHD_create_response_from_buffer(body ? body->len : 0, body ? body->ptr : (void *)"",
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (body && body->len)
		MHD_add_response_header(r, "Content-Type", "application/json");
	if (location)
		MHD_add_response_header(r, "Location", location);
	if (extra_name)
		MHD_add_response_header(r, extra_name, extra_value);
	if (t_start_ns) {
		char timing[48];
		snprintf(timing, sizeof(timing), "app;dur=%.3f", (double)(mono_ns() - t_start_ns) / 1e6);
		MHD_add_response_header(r, "Server-Timing", timing);
	}
	ret = (int)MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *status_title(unsigned st, const char **code)
{
	switch (st) {
	case 400: *code = "bad_request"; return "Bad Request";
	case 401: *code = "unauthorized"; return "Unauthorized";
	case 404: *code = "not_found"; return "Not Found";
	case 405: *code = "method_not_allowed"; return "Method Not Allowed";
	case 409: *code = "conflict"; return "Conflict";
	case 413: *code = "payload_too_large"; return "Payload Too Large";
	case 429: *code = "too_many_requests"; return "Too Many Requests";
	case 503: *code = "service_unavailable"; return "Service Unavailable";
	default: *code = "internal_server_error"; return "Internal Server Error";
	}
}

/* Confluent's {"errors":[...]} body (sql/v1, fcpm/v2). */
int pc_emu_send_error(struct MHD_Connection *c, unsigned st, const char *code, const char *detail,
		      const char *hname, const char *hvalue)
{
	pc_buf b = PC_BUF_INIT;
	const char *dflt;
	const char *title = status_title(st, &dflt);
	int ret;
	pc_buf_printf(&b, "{\"errors\":[{\"status\":\"%u\",\"code\":", st);
	pc_buf_put_json_str(&b, code ? code : dflt);
	pc_buf_puts(&b, ",\"title\":");
	pc_buf_put_json_str(&b, title);
	pc_buf_puts(&b, ",\"detail\":");
	pc_buf_put_json_str(&b, detail ? detail : title);
	pc_buf_puts(&b, "}]}");
	ret = pc_emu_send(c, st, &b, NULL, hname, hvalue);
	pc_buf_dispose(&b);
	return ret;
}

/* Kafka REST's {"error_code":N,"message":"..."} body. */
int pc_emu_send_kafka_error(struct MHD_Connection *c, unsigned st, int code, const char *msg, const char *hname,
			    const char *hvalue)
{
	pc_buf b = PC_BUF_INIT;
	int ret;
	pc_buf_printf(&b, "{\"error_code\":%d,\"message\":", code);
	pc_buf_put_json_str(&b, msg);
	pc_buf_putc(&b, '}');
	ret = pc_emu_send(c, st, &b, NULL, hname, hvalue);
	pc_buf_dispose(&b);
	return ret;
}

static int send_any_error(struct MHD_Connection *c, int kafka, unsigned st, const char *msg, const char *hname,
			  const char *hvalue)
{
	if (kafka)
		return pc_emu_send_kafka_error(c, st, (int)st == 401 ? 40101 : (int)st, msg, hname, hvalue);
	return pc_emu_send_error(c, st, NULL, msg, hname, hvalue);
}

static unsigned status_for(int rc)
{
	switch (rc) {
	case PC_ENOTFOUND: return 404;
	case PC_EAUTH: return 403;
	case PC_EEXISTS:
	case PC_ECONFLICT: return 409;
	case PC_EINVALID:
	case PC_EPARSE: return 400;
	default: return 500;
	}
}

int pc_emu_send_sim_error(struct MHD_Connection *c, int rc)
{
	const char *code = rc == PC_EEXISTS ? "resource_already_exists" : NULL;
	return pc_emu_send_error(c, status_for(rc), code, pc_error_last(), NULL, NULL);
}

const char *pc_emu_qarg(struct MHD_Connection *c, const char *k)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static char *base_url(pc_emulator *e, struct MHD_Connection *c)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	if (host && *host && !strpbrk(host, "\"\\/ \t\r\n"))
		return pc_sprintf("http://%s", host);
	return pc_sprintf("http://127.0.0.1:%d", e->port);
}

static int b64_val(int ch)
{
	if (ch >= 'A' && ch <= 'Z') return ch - 'A';
	if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9') return ch - '0' + 52;
	if (ch == '+') return 62;
	if (ch == '/') return 63;
	return -1;
}

/* "Basic base64(key:secret)" matches the configured pair. */
static int auth_ok(pc_emulator *e, struct MHD_Connection *c)
{
	const char *h;
	pc_buf dec = PC_BUF_INIT;
	unsigned acc = 0;
	int bits = 0, ok;
	char *want;
	if (!e->api_key)
		return 1;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (!h || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (h += 6; *h && *h != '='; h++) {
		int v = b64_val((unsigned char)*h);
		if (v < 0)
			break;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			pc_buf_putc(&dec, (char)((acc >> bits) & 0xff));
		}
	}
	want = pc_sprintf("%s:%s", e->api_key, e->api_secret);
	ok = dec.len == strlen(want) && memcmp(dec.ptr, want, dec.len) == 0;
	free(want);
	pc_buf_dispose(&dec);
	return ok;
}

/* Split "/a/b/c" into segments (pointers into the copy). */
static int split_path(char *copy, char **seg, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, "/", &save); t && n < max; t = strtok_r(NULL, "/", &save))
		seg[n++] = t;
	return n;
}

int pc_emu_parse_body(struct MHD_Connection *c, const req_ctx *rq, json_t **out, int kafka)
{
	json_error_t jerr;
	char *msg;
	int ret;
	*out = json_loadb(rq->body.ptr, rq->body.len, 0, &jerr);
	if (*out)
		return 0;
	msg = pc_sprintf("malformed JSON request body: %s at line %d column %d", jerr.text, jerr.line, jerr.column);
	ret = kafka ? pc_emu_send_kafka_error(c, 400, 40001, msg, NULL, NULL) : pc_emu_send_error(c, 400, NULL, msg, NULL, NULL);
	free(msg);
	return ret == MHD_YES ? 1 : -1;
}

void pc_emu_json_to_kv(pc_kvlist *l, json_t *o)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			pc_kv_set(l, k, json_string_value(v));
		else if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
			char *s = json_dumps(v, JSON_ENCODE_ANY);
			pc_kv_set(l, k, s);
			free(s);
		}
	}
}

const char *pc_emu_jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- the handler ---- */

static enum MHD_Result hang(pc_emulator *e)
{
	int64_t until = pc_mono_ms() + HANG_MAX_MS;
	while (!atomic_load(&e->stopping) && pc_mono_ms() < until)
		pc_sleep_ms(50);
	return MHD_NO; /* close the connection without an answer */
}

static int hang_re_matches(const pc_emulator *e, const char *s)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern((pcre2_code *)e->hang_re, NULL);
	int m = pcre2_match((pcre2_code *)e->hang_re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return m >= 0;
}

/*
 * --hang-path: the request's path matches; a create (POST …/statements) is
 * matched as the path of the statement its body names (…/statements/NAME),
 * so "every request about NAME" includes the one that creates it.
 */
static int hang_matches(const pc_emulator *e, const char *url, const char *method, const req_ctx *rq)
{
	size_t n = strlen(url);
	int m = hang_re_matches(e, url);
	if (!m && strcmp(method, "POST") == 0 && n >= 11 && strcmp(url + n - 11, "/statements") == 0 && rq->body.len) {
		json_t *j = json_loadb(rq->body.ptr, rq->body.len, 0, NULL);
		const char *name = j ? pc_emu_jstr(j, "name") : NULL;
		if (name) {
			char *path = pc_sprintf("%s/%s", url, name);
			m = hang_re_matches(e, path);
			free(path);
		}
		json_decref(j);
	}
	return m;
}

static int first_on_connection(struct MHD_Connection *c);
static int send_redirect(pc_emulator *e, struct MHD_Connection *c, const char *url);

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	pc_emulator *e = cls;
	req_ctx *rq = *con_cls;
	char *copy = NULL, *seg[16];
	int n, ret, kafka, emu;
	route r = { 0 };
	double roll_throttle, roll_fail, roll_kind;
	(void)version;

	if (!rq) {
		rq = PC_NEW(req_ctx);
		pc_buf_init(&rq->body, BODY_MAX);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (pc_buf_put(&rq->body, upload_data, *upload_size) != 0)
			rq->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&e->requests, 1);
	copy = pc_strdup(url);
	n = split_path(copy, seg, 16);
	kafka = n >= 1 && strcmp(seg[0], "kafka") == 0;
	emu = n >= 1 && strcmp(seg[0], "emulator") == 0;
	if (e->hang_re && !emu && hang_matches(e, url, method, rq)) {
		free(copy);
		return hang(e);
	}
	if (e->opt.latency_ms > 0 && !emu)
		pc_sleep_ms(e->opt.latency_ms);
	pthread_mutex_lock(&e->mu);
	roll_throttle = rng_unit(e);
	roll_fail = rng_unit(e);
	roll_kind = rng_unit(e);
	pthread_mutex_unlock(&e->mu);
	t_start_ns = mono_ns();
	r.e = e;
	r.c = c;
	r.method = method;
	r.base = base_url(e, c);
	r.now = pc_wall_ms();
	if (!emu && !auth_ok(e, c)) {
		ret = send_any_error(c, kafka, 401, kafka ? "Unauthorized" : "invalid API key or secret",
				     "WWW-Authenticate", "Basic error=\"invalid_key\"");
	} else if (!emu && roll_throttle < e->opt.throttle_rate) {
		ret = send_any_error(c, kafka, 429, "too many requests, retry later", "Retry-After", "1");
	} else if (!emu && roll_fail < e->opt.fail_rate) {
		ret = send_any_error(c, kafka, roll_kind < 0.5 ? 500 : 503, "simulated server failure", NULL, NULL);
	} else if (!emu && e->opt.redirect_host && *e->opt.redirect_host && first_on_connection(c)) {
		ret = send_redirect(e, c, url);
	} else if (rq->too_big) {
		ret = send_any_error(c, kafka, 413, "request body too large", NULL, NULL);
	} else if (n >= 2 && strcmp(seg[0], "sql") == 0 && strcmp(seg[1], "v1") == 0) {
		ret = pc_emu_route_sql(&r, rq, seg, n);
	} else if (n >= 2 && strcmp(seg[0], "fcpm") == 0 && strcmp(seg[1], "v2") == 0) {
		ret = pc_emu_route_pools(&r, rq, seg, n);
	} else if (n >= 2 && kafka && strcmp(seg[1], "v3") == 0) {
		ret = pc_emu_route_kafka(&r, rq, seg, n);
	} else if (n >= 2 && emu && strcmp(seg[1], "v1") == 0) {
		ret = pc_emu_route_emulator(&r, rq, seg, n);
	} else {
		ret = send_any_error(c, kafka, 404, "no such resource", NULL, NULL);
	}
	free(r.base);
	free(copy);
	return ret == MHD_YES ? MHD_YES : MHD_NO;
}

static enum MHD_Result append_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	pc_buf *b = cls;
	char *k = pc_http_escape(key), *v = value ? pc_http_escape(value) : NULL;
	(void)kind;
	pc_buf_printf(b, "%s%s%s%s", b->len ? "&" : "", k, v ? "=" : "", v ? v : "");
	free(k);
	free(v);
	return MHD_YES;
}

/* Each connection's first request is redirected (--redirect-first). */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = PC_NEW(int);
	} else {
		free(*socket_context);
		*socket_context = NULL;
	}
}

static int first_on_connection(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	int *seen = ci ? ci->socket_context : NULL;
	if (!seen || *seen)
		return 0;
	*seen = 1;
	return 1;
}

/* 307 to the same path and query on redirect_host ("self": this server). */
static int send_redirect(pc_emulator *e, struct MHD_Connection *c, const char *url)
{
	const char *q = NULL;
	char *loc, *query = NULL;
	int ret;
	/* MHD hands over the path without its query: rebuild it from the arguments. */
	{
		pc_buf b = PC_BUF_INIT;
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, append_arg, &b);
		if (b.len)
			query = pc_strdup(b.ptr);
		pc_buf_dispose(&b);
	}
	q = query ? query : "";
	if (strcmp(e->opt.redirect_host, "self") == 0)
		loc = pc_sprintf("http://127.0.0.1:%d%s%s%s", e->port, url, *q ? "?" : "", q);
	else
		loc = pc_sprintf("http://%s%s%s%s", e->opt.redirect_host, url, *q ? "?" : "", q);
	ret = pc_emu_send(c, 307, NULL, loc, NULL, NULL);
	free(loc);
	free(query);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	req_ctx *rq = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;
	if (!rq)
		return;
	pc_buf_dispose(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* ---- lifecycle ---- */

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	char *end;
	long port;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return pc_error_set(PC_EUSAGE, "--listen '%s' is not HOST:PORT", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return pc_error_set(PC_EUSAGE, "--listen '%s': '%s' is not an IPv4 address", s, host);
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return pc_error_set(PC_EUSAGE, "--listen '%s': bad port", s);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

int pc_emulator_start(pc_emulator **out, const pc_emulator_options *opt)
{
	pc_emulator *e = PC_NEW(pc_emulator);
	struct sockaddr_in sa;
	char *text = NULL;
	size_t len = 0;
	const union MHD_DaemonInfo *info;
	int rc = 0;

	*out = NULL;
	e->opt = *opt;
	pthread_mutex_init(&e->mu, NULL);
	e->rng = opt->seed ? opt->seed * 0x9E3779B97F4A7C15ULL : 0x853c49e6748fea9bULL;
	if ((rc = parse_listen(opt->listen ? opt->listen : "127.0.0.1:8089", &sa)) != 0)
		goto done;
	if ((opt->api_key && *opt->api_key) != (opt->api_secret && *opt->api_secret)) {
		rc = pc_error_set(PC_EUSAGE, "--api-key and --api-secret go together");
		goto done;
	}
	if (opt->api_key && *opt->api_key) {
		e->api_key = pc_strdup(opt->api_key);
		e->api_secret = pc_strdup(opt->api_secret);
	}
	if (opt->hang_path && *opt->hang_path) {
		int err;
		size_t off;
		e->hang_re = (void *)pcre2_compile((PCRE2_SPTR)opt->hang_path, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		if (!e->hang_re) {
			rc = pc_error_set(PC_EUSAGE, "invalid --hang-path pattern at offset %zu", off);
			goto done;
		}
	}
	if ((rc = pc_sim_new(&e->sim, &opt->sim)) != 0)
		goto done;
	if (opt->state_path && *opt->state_path) {
		e->state_path = pc_strdup(opt->state_path);
		if (pc_fs_is_file(e->state_path)) {
			if ((rc = pc_fs_read(&text, &len, e->state_path)) != 0)
				goto done;
			if ((rc = pc_sim_load_json(e->sim, text, len, e->state_path)) != 0)
				goto done;
		}
	}
	e->saved_changes = e->sim->changes;
	/* a project's declared externals exist before any statement reads them */
	if (opt->externals && (rc = pc_sim_seed_externals(e->sim, pc_wall_ms(), opt->externals, NULL)) != 0)
		goto done;
	e->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
				  handler, e, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_NOTIFY_COMPLETED, completed, e, MHD_OPTION_NOTIFY_CONNECTION, on_connection, e,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)300, MHD_OPTION_END);
	if (!e->mhd) {
		rc = pc_error_set(PC_ENET, "could not listen on '%s': %s", opt->listen ? opt->listen : "127.0.0.1:8089",
				  strerror(errno ? errno : EADDRINUSE));
		goto done;
	}
	info = MHD_get_daemon_info(e->mhd, MHD_DAEMON_INFO_BIND_PORT);
	e->port = info ? info->port : ntohs(sa.sin_port);
	*out = e;
	e = NULL;
done:
	free(text);
	if (e) {
		pc_sim_free(e->sim);
		e->sim = NULL;
		pc_emulator_stop(e);
	}
	return rc;
}

int pc_emulator_port(const pc_emulator *e)
{
	return e->port;
}

int pc_emulator_done(const pc_emulator *e)
{
	return e->opt.max_requests > 0 && atomic_load(&((pc_emulator *)e)->requests) >= e->opt.max_requests;
}

int pc_emulator_flush(pc_emulator *e)
{
	pc_buf b = PC_BUF_INIT;
	uint64_t changes;
	int rc = 0;
	if (!e->state_path || !e->sim)
		return 0;
	pthread_mutex_lock(&e->mu);
	changes = e->sim->changes;
	if (changes != e->saved_changes)
		pc_sim_save_json(e->sim, &b);
	pthread_mutex_unlock(&e->mu);
	if (b.len) {
		rc = pc_fs_write_atomic(e->state_path, b.ptr, b.len);
		if (rc == 0)
			e->saved_changes = changes;
	}
	pc_buf_dispose(&b);
	return rc;
}

int pc_emulator_stop(pc_emulator *e)
{
	int rc;
	if (!e)
		return 0;
	atomic_store(&e->stopping, 1);
	if (e->mhd)
		MHD_stop_daemon(e->mhd);
	rc = pc_emulator_flush(e);
	pc_sim_free(e->sim);
	if (e->hang_re)
		pcre2_code_free((pcre2_code *)e->hang_re);
	pthread_mutex_destroy(&e->mu);
	free(e->state_path);
	free(e->api_key);
	free(e->api_secret);
	free(e);
	return rc;
}
