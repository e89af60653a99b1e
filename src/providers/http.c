/*
 * http.c - libcurl client with connection reuse, caps, timeouts and retries
 * (see http.h).
 */
#include "http.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"
#include "../util/vec.h"

#include <curl/curl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_ATTEMPTS 6
#define DEFAULT_BUDGET_MS 120000
#define DEFAULT_BACKOFF_BASE_MS 500
#define DEFAULT_BACKOFF_MAX_MS 30000
#define DEFAULT_MAX_BODY ((size_t)16 << 20)
#define POOL_KEEP 16 /* idle easy handles kept (each with its connections) */

struct pc_http {
	pc_http_opts o;
	pc_provider_stats *stats;
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	pc_vec idle; /* CURL * ready for reuse */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void pc_http_opts_default(pc_http_opts *o)
{
	o->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->max_attempts = DEFAULT_MAX_ATTEMPTS;
	o->budget_ms = DEFAULT_BUDGET_MS;
	o->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
	o->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
	o->max_body = DEFAULT_MAX_BODY;
}

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *user)
{
	pc_http *h = user;
	(void)handle;
	(void)access;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&h->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *user)
{
	pc_http *h = user;
	(void)handle;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&h->share_locks[data]);
}

int pc_http_new(pc_http **out, const pc_http_opts *opts, pc_provider_stats *stats)
{
	pc_http *h;
	pc_http_opts d;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return pc_error_set(PC_ERROR, "could not initialise libcurl: %s",
				    curl_easy_strerror(global_rc));
	pc_http_opts_default(&d);
	h = PC_NEW(pc_http);
	h->o = d;
	if (opts) {
		if (opts->connect_timeout_ms > 0)
			h->o.connect_timeout_ms = opts->connect_timeout_ms;
		if (opts->timeout_ms > 0)
			h->o.timeout_ms = opts->timeout_ms;
		if (opts->max_attempts > 0)
			h->o.max_attempts = opts->max_attempts;
		if (opts->budget_ms > 0)
			h->o.budget_ms = opts->budget_ms;
		if (opts->backoff_base_ms > 0)
			h->o.backoff_base_ms = opts->backoff_base_ms;
		if (opts->backoff_max_ms > 0)
			h->o.backoff_max_ms = opts->backoff_max_ms;
		if (opts->max_body > 0)
			h->o.max_body = opts->max_body;
	}
	h->stats = stats;
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&h->share_locks[i], NULL);
	pthread_mutex_init(&h->pool_lock, NULL);
	h->share = curl_share_init();
	if (h->share) {
		curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock);
		curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
		curl_share_setopt(h->share, CURLSHOPT_USERDATA, h);
		curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	}
	*out = h;
	return 0;
}

void pc_http_free(pc_http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->idle.len; i++)
		curl_easy_cleanup(h->idle.items[i]);
	pc_vec_dispose(&h->idle, NULL);
	if (h->share)
		curl_share_cleanup(h->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&h->share_locks[i]);
	pthread_mutex_destroy(&h->pool_lock);
	free(h);
}

size_t pc_http_max_body(const pc_http *h)
{
	return h->o.max_body;
}

void pc_http_resp_init(pc_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	pc_buf_init(&r->body, 0);
}

void pc_http_resp_dispose(pc_http_resp *r)
{
	if (!r)
		return;
	pc_buf_dispose(&r->body);
	free(r->content_type);
	free(r->location);
	r->content_type = r->location = NULL;
}

/* ---- easy handle pool ---- */

static CURL *take_handle(pc_http *h)
{
	CURL *c;
	pthread_mutex_lock(&h->pool_lock);
	c = pc_vec_pop(&h->idle);
	pthread_mutex_unlock(&h->pool_lock);
	if (c)
		curl_easy_reset(c); /* options go; connections and caches stay */
	else
		c = curl_easy_init();
	return c;
}

static void give_handle(pc_http *h, CURL *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&h->pool_lock);
	if (h->idle.len < POOL_KEEP) {
		pc_vec_push(&h->idle, c);
		c = NULL;
	}
	pthread_mutex_unlock(&h->pool_lock);
	if (c)
		curl_easy_cleanup(c);
}

/* ---- one attempt ---- */

typedef struct sink {
	pc_buf *body;
	int toobig;
	CURL *c;
	const pc_http_stream *stream; /* NULL: everything into body */
	int decided;                  /* the status is known: streaming or not */
	int streaming;                /* a 2xx body, going to stream */
	int stream_rc;                /* the stream's refusal */
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	sink *s = user;
	size_t n = size * nmemb;
	if (s->stream && !s->decided) {
		long st = 0;
		curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &st);
		s->streaming = st >= 200 && st <= 299;
		s->decided = 1;
	}
	if (s->streaming) {
		if ((s->stream_rc = s->stream->data(s->stream->ctx, data, n)) != 0)
			return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
		return n;
	}
	if (pc_buf_put(s->body, data, n) != 0) {
		s->toobig = 1;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return n;
}

static char *header_value(CURL *c, const char *name)
{
	struct curl_header *hd = NULL;
	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK || !hd || !hd->value)
		return NULL;
	return pc_strdup(hd->value);
}

static void count(pc_http *h, uint64_t *field)
{
	(void)h;
	__atomic_fetch_add(field, 1, __ATOMIC_RELAXED);
}

/*
 * The URL for messages: without its query, and without any user:password@
 * an endpoint may carry (credentials are never printed).
 */
static char *url_for_msg(const char *url)
{
	const char *q = strchr(url, '?'), *scheme = strstr(url, "://"), *host, *at, *end;
	size_t n = q ? (size_t)(q - url) : strlen(url);
	pc_buf b = PC_BUF_INIT;

	host = scheme ? scheme + 3 : url;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (!at || (size_t)(at - url) >= n)
		return pc_strndup(url, n);
	pc_buf_put(&b, url, (size_t)(host - url));
	pc_buf_put(&b, at + 1, n - (size_t)(at + 1 - url));
	return pc_buf_detach(&b);
}

#define MAX_REDIRECTS 5
#define CONFLUENT_DOMAIN ".confluent.cloud"

/*
 * A redirect is followed only to Confluent's own hosts over https
 * (*.confluent.cloud), or to 127.0.0.1 (the emulator, tests): the request
 * is sent again there with its Basic auth. *out: the absolute target (owned).
 */
static int redirect_target(const char *from, const char *location, long status, char **out)
{
	CURLU *u = curl_url();
	char *host = NULL, *scheme = NULL, *abs = NULL, *umsg = url_for_msg(from);
	size_t n, m = strlen(CONFLUENT_DOMAIN);
	int rc = 0, ok;

	*out = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, from, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &abs, 0) != CURLUE_OK) {
		rc = pc_error_set(PC_EHTTP, "%s answered HTTP %ld with an unusable Location", umsg, status);
		goto done;
	}
	n = strlen(host);
	ok = (strcmp(host, "127.0.0.1") == 0 && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)) ||
	     (strcmp(scheme, "https") == 0 && n > m && strcasecmp(host + n - m, CONFLUENT_DOMAIN) == 0);
	if (!ok) {
		rc = pc_error_set(PC_EHTTP,
				  "%s redirected (HTTP %ld) to %s://%s, outside Confluent's hosts (https://*%s): "
				  "not followed, credentials not sent",
				  umsg, status, scheme, host, CONFLUENT_DOMAIN);
		goto done;
	}
	*out = pc_strdup(abs);
done:
	curl_free(host);
	curl_free(scheme);
	curl_free(abs);
	curl_url_cleanup(u);
	free(umsg);
	return rc;
}

typedef enum outcome {
	OUT_RESPONSE,   /* a status arrived */
	OUT_CONNECT,    /* not sent: retry is always safe */
	OUT_TIMEOUT,    /* may have been processed */
	OUT_BROKEN,     /* connection broke after sending: may have been processed */
	OUT_FATAL,      /* TLS failure, too big, bad URL: do not retry */
} outcome;

static outcome attempt(pc_http *h, CURL *c, const pc_http_req *req, long timeout_ms,
		       pc_http_resp *resp, int *rc_out, int64_t *retry_after_ms)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *headers = NULL;
	sink s = { &resp->body, 0, c, req->stream, 0, 0, 0 };
	CURLcode cc;
	char *umsg = NULL;
	outcome out = OUT_FATAL;
	char *ra;

	errbuf[0] = '\0';
	*rc_out = 0;
	*retry_after_ms = -1;
	pc_buf_clear(&resp->body);
	free(resp->content_type);
	free(resp->location);
	resp->content_type = resp->location = NULL;
	resp->status = 0;

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 h->o.connect_timeout_ms < timeout_ms ? h->o.connect_timeout_ms : timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pipectl/" PC_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (h->share)
		curl_easy_setopt(c, CURLOPT_SHARE, h->share);
	if (req->user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	if (req->body) {
		char ct[128];
		snprintf(ct, sizeof(ct), "Content-Type: %s",
			 req->content_type ? req->content_type : "application/json");
		headers = curl_slist_append(headers, ct);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		/* No "Expect: 100-continue" round trip. */
		headers = curl_slist_append(headers, "Expect:");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else if (!(strcmp(req->method, "POST") == 0 && req->body))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);

	if (req->stream)
		req->stream->begin(req->stream->ctx);
	cc = curl_easy_perform(c);
	if (h->stats)
		count(h, &h->stats->requests);
	umsg = url_for_msg(req->url);
	if (cc == CURLE_OK) {
		long st = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		resp->status = st;
		if (h->stats) {
			long idx = st / 100;
			if (idx >= 1 && idx <= 5)
				count(h, &h->stats->by_status[idx]);
		}
		resp->content_type = header_value(c, "Content-Type");
		resp->location = header_value(c, "Location");
		if ((ra = header_value(c, "Retry-After")) != NULL) {
			*retry_after_ms = pc_http_parse_retry_after(ra, pc_wall_ms());
			free(ra);
		}
		out = OUT_RESPONSE;
		goto done;
	}
	if (s.stream_rc) {
		/* a 2xx body the stream refused: its own error, set where it failed */
		if (h->stats)
			count(h, &h->stats->by_status[2]);
		*rc_out = s.stream_rc;
		out = OUT_FATAL;
		goto done;
	}
	if (h->stats)
		count(h, &h->stats->by_status[0]);
	if (!errbuf[0])
		snprintf(errbuf, sizeof(errbuf), "%s", curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (s.toobig) {
			*rc_out = pc_error_set(PC_ETOOBIG, "response from %s larger than %zu bytes",
					       umsg, h->o.max_body);
			out = OUT_FATAL;
			goto done;
		}
		*rc_out = pc_error_set(PC_ENET, "could not read the response of %s: %s", umsg, errbuf);
		out = OUT_FATAL;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		*rc_out = pc_error_set(PC_ETIMEOUT, "%s did not answer within %ld ms: %s",
				       umsg, timeout_ms, errbuf);
		out = OUT_TIMEOUT;
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		*rc_out = pc_error_set(PC_ENET, "could not connect to %s: %s", umsg, errbuf);
		out = OUT_CONNECT;
		break;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		*rc_out = pc_error_set(PC_ENET, "connection to %s broke: %s", umsg, errbuf);
		out = OUT_BROKEN;
		break;
	default:
		*rc_out = pc_error_set(PC_ENET, "could not connect to %s: %s", umsg, errbuf);
		out = OUT_FATAL;
		break;
	}
done:
	/* errbuf lives on this stack frame: detach it before returning. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(umsg);
	return out;
}

static unsigned jitter_rand(void)
{
	static _Thread_local unsigned seed;
	if (!seed)
		seed = (unsigned)pc_mono_ms() ^ (unsigned)(uintptr_t)&seed ^ (unsigned)getpid();
	return (unsigned)rand_r(&seed);
}

/* Capped exponential backoff with "equal jitter": half fixed, half random. */
static int64_t backoff_ms(const pc_http_opts *o, int retry)
{
	int64_t d = o->backoff_base_ms;
	for (int i = 1; i < retry && d < o->backoff_max_ms; i++)
		d *= 2;
	if (d > o->backoff_max_ms)
		d = o->backoff_max_ms;
	return d / 2 + (int64_t)(jitter_rand() % (unsigned)(d / 2 + 1));
}

static int retryable_status(long st)
{
	return st == 408 || st == 429 || (st >= 500 && st <= 599 && st != 501);
}

static int do_once(pc_http *h, const pc_http_req *req, pc_http_resp *resp);

int pc_http_do(pc_http *h, const pc_http_req *in, pc_http_resp *resp)
{
	pc_http_req req = *in;
	char *url = NULL;
	int rc;

	for (int hops = 0;; hops++) {
		char *next = NULL;
		if ((rc = do_once(h, &req, resp)) != 0)
			break;
		if ((resp->status != 307 && resp->status != 308) || !resp->location || !*resp->location)
			break;
		if (hops >= MAX_REDIRECTS) {
			char *umsg = url_for_msg(in->url);
			rc = pc_error_set(PC_EHTTP, "%s: more than %d redirects", umsg, MAX_REDIRECTS);
			free(umsg);
			break;
		}
		if ((rc = redirect_target(req.url, resp->location, resp->status, &next)) != 0)
			break;
		free(url);
		req.url = url = next;
	}
	free(url);
	return rc;
}

static int do_once(pc_http *h, const pc_http_req *req, pc_http_resp *resp)
{
	int64_t start = pc_mono_ms(), deadline = start + h->o.budget_ms;
	CURL *c = take_handle(h);
	int rc = 0;

	if (!c)
		return pc_error_set(PC_ERROR, "could not create a curl handle");
	resp->body.max = h->o.max_body;
	resp->attempts = 0;
	for (int n = 1;; n++) {
		int64_t now = pc_mono_ms(), left = deadline - now, retry_after = -1, pause;
		long tmo = h->o.timeout_ms;
		outcome out;
		int retry;

		if (left < 1)
			left = 1;
		if (tmo > left)
			tmo = (long)left;
		resp->attempts = n;
		out = attempt(h, c, req, tmo, resp, &rc, &retry_after);
		switch (out) {
		case OUT_RESPONSE:
			retry = retryable_status(resp->status);
			break;
		case OUT_CONNECT:
			retry = 1;
			break;
		case OUT_TIMEOUT:
		case OUT_BROKEN:
			retry = req->idempotent;
			break;
		default:
			retry = 0;
			break;
		}
		if (!retry || n >= h->o.max_attempts)
			break;
		pause = retry_after >= 0 ? retry_after : backoff_ms(&h->o, n);
		if (pause > h->o.backoff_max_ms)
			pause = h->o.backoff_max_ms;
		/* A pause that would end past the budget: stop now with what we have. */
		if (pc_mono_ms() + pause >= deadline)
			break;
		if (h->stats)
			count(h, &h->stats->retries);
		pc_sleep_ms(pause);
		rc = 0;
	}
	if (rc != 0) {
		/* Failed transfers can leave a connection in a bad state: do not keep it. */
		curl_easy_cleanup(c);
		c = NULL;
		if (resp->attempts > 1) {
			char msg[1024];
			snprintf(msg, sizeof(msg), "%s", pc_error_last());
			pc_error_set(rc, "%s (%d attempts)", msg, resp->attempts);
		}
	}
	give_handle(h, c);
	return rc;
}

int64_t pc_http_parse_retry_after(const char *value, int64_t now_wall_ms)
{
	const char *p = value;
	char *end;
	long long secs;
	time_t t;

	if (!value)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		secs = strtoll(p, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end != '\0' || secs < 0)
			return -1;
		if (secs > 86400)
			secs = 86400;
		return (int64_t)secs * 1000;
	}
	t = curl_getdate(p, NULL);
	if (t == (time_t)-1)
		return -1;
	{
		int64_t ms = (int64_t)t * 1000 - now_wall_ms;
		return ms < 0 ? 0 : ms;
	}
}

char *pc_http_escape(const char *s)
{
	pc_buf b = PC_BUF_INIT;
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			pc_buf_putc(&b, (char)*p);
		} else {
			pc_buf_putc(&b, '%');
			pc_buf_putc(&b, hex[*p >> 4]);
			pc_buf_putc(&b, hex[*p & 15]);
		}
	}
	return pc_buf_detach(&b);
}
