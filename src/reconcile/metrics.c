/*
 * metrics.c - /healthz, /readyz, /metrics and /status over libmicrohttpd
 * (see metrics.h).
 */
#include "metrics.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/map.h"
#include "../util/timeutil.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const double pc_metrics_buckets[PC_METRICS_N_BUCKETS] = { 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300 };

static const char *const cycle_results[] = { "success", "failed", "invalid", "error", "suspended", "locked", "standby" };
static const char *const api_codes[6] = { "network_error", "1xx", "2xx", "3xx", "4xx", "5xx" };

struct pc_metrics {
	pthread_mutex_t lock;
	struct MHD_Daemon *daemon;
	int port;
	/* counters */
	pc_map cycles;          /* result -> uint64_t * */
	pc_map actions;         /* "action\nresult" -> uint64_t * */
	uint64_t api[6];
	/* histogram */
	uint64_t buckets[PC_METRICS_N_BUCKETS];
	uint64_t hist_count;
	double hist_sum;
	/* gauges */
	uint64_t tables[4];     /* in_sync, out_of_sync, degraded, held */
	uint64_t held_destructive;
	uint64_t green_pending;
	pc_map phases;          /* phase -> uint64_t * */
	int64_t last_success_ms;
	int ready;
	char *not_ready;
	char *status_json;
	int role;               /* 0 unknown, 1 active, 2 standby */
	char *leader;
};

static uint64_t *counter(pc_map *m, const char *key)
{
	uint64_t *c = pc_map_get(m, key);
	if (!c) {
		c = pc_calloc(1, sizeof(*c));
		pc_map_put(m, key, c);
	}
	return c;
}

pc_metrics *pc_metrics_new(void)
{
	pc_metrics *m = PC_NEW(pc_metrics);

	pthread_mutex_init(&m->lock, NULL);
	pc_map_init(&m->cycles);
	pc_map_init(&m->actions);
	pc_map_init(&m->phases);
	for (size_t i = 0; i < sizeof(cycle_results) / sizeof(cycle_results[0]); i++)
		counter(&m->cycles, cycle_results[i]);
	m->not_ready = pc_strdup("no cycle has completed yet");
	return m;
}

void pc_metrics_free(pc_metrics *m)
{
	if (!m)
		return;
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	pc_map_dispose(&m->cycles, free);
	pc_map_dispose(&m->actions, free);
	pc_map_dispose(&m->phases, free);
	free(m->not_ready);
	free(m->status_json);
	free(m->leader);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* ---- recording ---- */

void pc_metrics_cycle(pc_metrics *m, const char *result, double duration_s, int reached_api,
		      const char *not_ready_reason)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	(*counter(&m->cycles, result))++;
	if (duration_s < 0)
		duration_s = 0;
	for (size_t i = 0; i < PC_METRICS_N_BUCKETS; i++)
		if (duration_s <= pc_metrics_buckets[i])
			m->buckets[i]++;
	m->hist_count++;
	m->hist_sum += duration_s;
	m->ready = reached_api != 0;
	free(m->not_ready);
	m->not_ready = reached_api ? NULL
				   : pc_strdup(not_ready_reason ? not_ready_reason : "the last cycle did not reach the APIs");
	if (strcmp(result, "success") == 0)
		m->last_success_ms = pc_wall_ms();
	pthread_mutex_unlock(&m->lock);
}

void pc_metrics_set_role(pc_metrics *m, int active, const char *leader)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->role = active ? 1 : 2;
	free(m->leader);
	m->leader = leader ? pc_strdup(leader) : NULL;
	pthread_mutex_unlock(&m->lock);
}

void pc_metrics_action(pc_metrics *m, const char *action, const char *result, uint64_t n)
{
	char *key;

	if (!m)
		return;
	key = pc_sprintf("%s\n%s", action, result);
	pthread_mutex_lock(&m->lock);
	*counter(&m->actions, key) += n;
	pthread_mutex_unlock(&m->lock);
	free(key);
}

void pc_metrics_set_gauges(pc_metrics *m, const pc_metrics_gauges *g)
{
	size_t it = 0;
	const char *k;
	void *v;

	if (!m || !g)
		return;
	pthread_mutex_lock(&m->lock);
	m->tables[0] = g->tables_in_sync;
	m->tables[1] = g->tables_out_of_sync;
	m->tables[2] = g->tables_degraded;
	m->tables[3] = g->tables_held;
	m->held_destructive = g->held_destructive_actions;
	m->green_pending = g->tables_green_pending;
	/* a phase seen before and gone now reads 0, so its series does not freeze */
	while (pc_map_next(&m->phases, &it, &k, &v))
		*(uint64_t *)v = 0;
	for (size_t i = 0; i < g->n_phases; i++)
		*counter(&m->phases, g->phases[i]) += g->phase_counts[i];
	pthread_mutex_unlock(&m->lock);
}

void pc_metrics_add_api_requests(pc_metrics *m, const uint64_t by_status[6])
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < 6; i++)
		m->api[i] += by_status[i];
	pthread_mutex_unlock(&m->lock);
}

void pc_metrics_set_status(pc_metrics *m, const char *json)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	free(m->status_json);
	m->status_json = pc_strdup(json);
	pthread_mutex_unlock(&m->lock);
}

int pc_metrics_ready(pc_metrics *m)
{
	int r;
	pthread_mutex_lock(&m->lock);
	r = m->ready;
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* ---- rendering ---- */

/* A label value escaped as the exposition format wants (\\, \", \n). */
static void put_label(pc_buf *b, const char *s)
{
	pc_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			pc_buf_putc(b, '\\');
		if (*s == '\n')
			pc_buf_puts(b, "\\n");
		else
			pc_buf_putc(b, *s);
	}
	pc_buf_putc(b, '"');
}

static void family(pc_buf *b, const char *name, const char *type, const char *help)
{
	pc_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Sorted keys so the output is stable. */
static void render_labeled(pc_buf *b, const pc_map *m, const char *name, const char *label)
{
	pc_vec keys = PC_VEC_INIT;
	pc_map_keys_sorted(m, &keys);
	for (size_t i = 0; i < keys.len; i++) {
		const char *k = keys.items[i];
		pc_buf_printf(b, "%s{%s=", name, label);
		put_label(b, k);
		pc_buf_printf(b, "} %llu\n", (unsigned long long)*(uint64_t *)pc_map_get(m, k));
	}
	pc_vec_dispose(&keys, NULL);
}

void pc_metrics_render(pc_metrics *m, pc_buf *b)
{
	static const char *const states[4] = { "in_sync", "out_of_sync", "degraded", "held" };
	pc_vec keys = PC_VEC_INIT;

	pthread_mutex_lock(&m->lock);
	family(b, "pipectl_build_info", "gauge", "Always 1; the version of the running pipectl as a label.");
	pc_buf_puts(b, "pipectl_build_info{version=");
	put_label(b, PC_VERSION);
	pc_buf_puts(b, "} 1\n");

	if (m->role) {
		family(b, "pipectl_leader", "gauge", "1 when this replica holds the leader lock and acts, 0 on standby.");
		pc_buf_printf(b, "pipectl_leader %d\n", m->role == 1);
		family(b, "pipectl_role", "gauge", "The replica's role: active or standby.");
		pc_buf_printf(b, "pipectl_role{role=\"active\"} %d\npipectl_role{role=\"standby\"} %d\n", m->role == 1,
			      m->role == 2);
	}
	family(b, "pipectl_cycles_total", "counter", "Reconcile cycles by result.");
	render_labeled(b, &m->cycles, "pipectl_cycles_total", "result");

	family(b, "pipectl_cycle_duration_seconds", "histogram", "Duration of reconcile cycles.");
	for (size_t i = 0; i < PC_METRICS_N_BUCKETS; i++) {
		pc_buf_puts(b, "pipectl_cycle_duration_seconds_bucket{le=\"");
		pc_buf_printf(b, "%g", pc_metrics_buckets[i]);
		pc_buf_printf(b, "\"} %llu\n", (unsigned long long)m->buckets[i]);
	}
	pc_buf_printf(b, "pipectl_cycle_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
		      (unsigned long long)m->hist_count);
	pc_buf_puts(b, "pipectl_cycle_duration_seconds_sum ");
	pc_buf_printf(b, "%.6f", m->hist_sum);
	pc_buf_printf(b, "\npipectl_cycle_duration_seconds_count %llu\n", (unsigned long long)m->hist_count);

	family(b, "pipectl_actions_total", "counter", "Actions run by the loop, by action and result.");
	pc_map_keys_sorted(&m->actions, &keys);
	for (size_t i = 0; i < keys.len; i++) {
		const char *k = keys.items[i];
		const char *nl = strchr(k, '\n');
		char *action = pc_strndup(k, (size_t)(nl - k));
		pc_buf_puts(b, "pipectl_actions_total{action=");
		put_label(b, action);
		pc_buf_puts(b, ",result=");
		put_label(b, nl + 1);
		pc_buf_printf(b, "} %llu\n", (unsigned long long)*(uint64_t *)pc_map_get(&m->actions, k));
		free(action);
	}
	pc_vec_dispose(&keys, NULL);

	family(b, "pipectl_tables", "gauge", "Desired tables by sync state at the last cycle.");
	for (int i = 0; i < 4; i++)
		pc_buf_printf(b, "pipectl_tables{state=\"%s\"} %llu\n", states[i], (unsigned long long)m->tables[i]);

	family(b, "pipectl_held_destructive_actions", "gauge",
	       "Destructive actions held back (no --allow-destructive) at the last cycle.");
	pc_buf_printf(b, "pipectl_held_destructive_actions %llu\n", (unsigned long long)m->held_destructive);

	family(b, "pipectl_tables_green_pending", "gauge",
	       "Desired tables with a blue/green version waiting for promote or rollback at the last cycle.");
	pc_buf_printf(b, "pipectl_tables_green_pending %llu\n", (unsigned long long)m->green_pending);

	family(b, "pipectl_statements", "gauge", "Statements managed by pipectl by phase at the last cycle.");
	render_labeled(b, &m->phases, "pipectl_statements", "phase");

	family(b, "pipectl_last_success_timestamp_seconds", "gauge",
	       "Unix time of the last successful cycle (0 when none).");
	pc_buf_puts(b, "pipectl_last_success_timestamp_seconds ");
	pc_buf_printf(b, "%.3f", (double)m->last_success_ms / 1000.0);
	pc_buf_putc(b, '\n');

	family(b, "pipectl_api_requests_total", "counter", "HTTP requests to the Confluent APIs by status class.");
	for (int i = 0; i < 6; i++) {
		if (i == 1)
			continue; /* 1xx never reaches the caller */
		pc_buf_printf(b, "pipectl_api_requests_total{code=\"%s\"} %llu\n", api_codes[i],
			      (unsigned long long)m->api[i]);
	}
	pthread_mutex_unlock(&m->lock);
}

/* ---- HTTP ---- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, pc_buf *body)
{
	size_t len = body->len;
	char *data = pc_buf_detach(body);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	pc_metrics *m = cls;
	pc_buf body = PC_BUF_INIT;
	const char *text = "text/plain; charset=utf-8";

	(void)version;
	(void)upload_data;
	if (!*con_cls) {
		/* first call for this request: headers only */
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* bodies are ignored */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		pc_buf_puts(&body, "method not allowed\n");
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, &body);
	}
	if (strcmp(url, "/healthz") == 0) {
		pc_buf_puts(&body, "ok\n");
		return reply(c, MHD_HTTP_OK, text, &body);
	}
	if (strcmp(url, "/readyz") == 0) {
		unsigned status;
		pthread_mutex_lock(&m->lock);
		status = m->ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
		if (m->ready && m->role == 1)
			pc_buf_puts(&body, "ready: active\n");
		else if (m->ready && m->role == 2)
			pc_buf_printf(&body, "ready: standby (active: %s)\n", m->leader ? m->leader : "another replica");
		else if (m->ready)
			pc_buf_puts(&body, "ready\n");
		else
			pc_buf_printf(&body, "not ready: %s\n", m->not_ready ? m->not_ready : "unknown");
		pthread_mutex_unlock(&m->lock);
		return reply(c, status, text, &body);
	}
	if (strcmp(url, "/metrics") == 0) {
		pc_metrics_render(m, &body);
		return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &body);
	}
	if (strcmp(url, "/status") == 0) {
		pthread_mutex_lock(&m->lock);
		if (m->role && m->status_json && m->status_json[0] == '{') {
			pc_buf_printf(&body, "{\"role\":\"%s\",\"leader\":", m->role == 1 ? "active" : "standby");
			if (m->leader)
				pc_buf_put_json_str(&body, m->leader);
			else
				pc_buf_puts(&body, "null");
			pc_buf_puts(&body, m->status_json[1] == '}' ? "" : ",");
			pc_buf_puts(&body, m->status_json + 1);
		} else if (m->status_json)
			pc_buf_puts(&body, m->status_json);
		else
			pc_buf_puts(&body, "{\"format_version\":\"1\",\"cycle\":0,\"plan\":null,\"apply\":null}");
		pthread_mutex_unlock(&m->lock);
		pc_buf_putc(&body, '\n');
		return reply(c, MHD_HTTP_OK, "application/json", &body);
	}
	pc_buf_puts(&body, "not found: /healthz, /readyz, /metrics, /status\n");
	return reply(c, MHD_HTTP_NOT_FOUND, text, &body);
}

/* Split "HOST:PORT" / ":PORT" / "[V6]:PORT" into a socket address. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, int *v6)
{
	char host[256];
	const char *colon, *port_s;
	struct addrinfo hints, *res = NULL;
	char *end;
	long port;
	int rc;

	if (!addr || !*addr)
		return pc_error_set(PC_EUSAGE, "--listen needs HOST:PORT");
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':')
			return pc_error_set(PC_EUSAGE, "bad listen address '%s': expected [V6]:PORT", addr);
		if ((size_t)(close - addr - 1) >= sizeof(host))
			return pc_error_set(PC_EUSAGE, "bad listen address '%s'", addr);
		memcpy(host, addr + 1, (size_t)(close - addr - 1));
		host[close - addr - 1] = '\0';
		port_s = close + 2;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return pc_error_set(PC_EUSAGE, "bad listen address '%s': expected HOST:PORT", addr);
		if ((size_t)(colon - addr) >= sizeof(host))
			return pc_error_set(PC_EUSAGE, "bad listen address '%s'", addr);
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		port_s = colon + 1;
	}
	port = strtol(port_s, &end, 10);
	if (!*port_s || *end || port < 0 || port > 65535)
		return pc_error_set(PC_EUSAGE, "bad listen address '%s': bad port", addr);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(*host ? host : NULL, port_s, &hints, &res);
	if (rc != 0 || !res)
		return pc_error_set(PC_EUSAGE, "bad listen address '%s': %s", addr, gai_strerror(rc));
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

int pc_metrics_listen(pc_metrics *m, const char *addr)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	int v6 = 0, rc;

	if ((rc = parse_addr(addr, &ss, &v6)) < 0)
		return rc;
	if (v6)
		flags |= MHD_USE_IPv6;
	m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, m,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				     MHD_OPTION_END);
	if (!m->daemon)
		return pc_error_set(PC_EIO, "could not listen on '%s' (address in use or not local?)", addr);
	info = MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_BIND_PORT);
	m->port = info ? info->port : 0;
	return 0;
}

int pc_metrics_port(const pc_metrics *m)
{
	return m && m->daemon ? m->port : 0;
}
