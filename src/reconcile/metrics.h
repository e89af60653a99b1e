/*
 * metrics.h - the reconcile loop's HTTP endpoint (libmicrohttpd):
 *
 *   /healthz   200 "ok" while the process serves
 *   /readyz    200 when the last cycle reached the APIs, else 503 with the reason
 *   /metrics   Prometheus text exposition (version 0.0.4), series pipectl_*
 *   /status    JSON of the last plan and apply, as set by the loop
 *
 * The loop records into a pc_metrics from its own thread while the server
 * thread renders; every call takes the object's mutex, and each response is
 * rendered from one consistent snapshot.
 */
#ifndef PC_RECONCILE_METRICS_H
#define PC_RECONCILE_METRICS_H

#include "../util/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pc_metrics pc_metrics;

/* Buckets of pipectl_cycle_duration_seconds (upper bounds, seconds; +Inf implied). */
#define PC_METRICS_N_BUCKETS 11
extern const double pc_metrics_buckets[PC_METRICS_N_BUCKETS];

/* Gauges set once per cycle. */
typedef struct pc_metrics_gauges {
	uint64_t tables_in_sync;
	uint64_t tables_out_of_sync;
	uint64_t tables_degraded;
	uint64_t tables_held;
	uint64_t held_destructive_actions;
	/* statements managed by pipectl by phase (RUNNING, STOPPED, FAILED, ...) */
	const char *const *phases;
	const uint64_t *phase_counts;
	size_t n_phases;
	uint64_t tables_green_pending; /* desired tables with a green version not promoted yet (versions.h) */
} pc_metrics_gauges;

/* A new, empty registry (not serving). Never NULL. */
pc_metrics *pc_metrics_new(void);
/*
 * Serve on addr: "HOST:PORT", ":PORT", "[V6]:PORT"; port 0 picks a free one
 * (read it with pc_metrics_port()). PC_EUSAGE for a bad address, PC_EIO when
 * the socket cannot be bound.
 */
int pc_metrics_listen(pc_metrics *m, const char *addr);
/* The bound port, 0 when not serving. */
int pc_metrics_port(const pc_metrics *m);
/* Stop serving and free (accepts NULL). */
void pc_metrics_free(pc_metrics *m);

/*
 * A cycle ended: result is one of success, failed, invalid (broken commit),
 * error (the APIs could not be reached), suspended, locked; duration in seconds.
 * reached_api sets readiness; success also sets the last success timestamp.
 * not_ready_reason (may be NULL) is shown by /readyz while not ready.
 */
void pc_metrics_cycle(pc_metrics *m, const char *result, double duration_s, int reached_api,
		      const char *not_ready_reason);
/* One action ended: action create/start/..., result ok/failed/skipped/held. */
void pc_metrics_action(pc_metrics *m, const char *action, const char *result, uint64_t n);
/* Replace the gauges (copied). */
void pc_metrics_set_gauges(pc_metrics *m, const pc_metrics_gauges *g);
/*
 * Add API requests by status class: index status/100 as in
 * pc_provider_stats.by_status (0 = network error, 2..5). Counters are
 * cumulative: the loop adds the delta of each cycle.
 */
void pc_metrics_add_api_requests(pc_metrics *m, const uint64_t by_status[6]);
/*
 * The replica's role (two reconcile loops side by side, docs/locking.md):
 * active (holds the leader lock) or standby; leader (may be NULL) says who
 * is active. /metrics: pipectl_leader 1|0 and pipectl_role{role=...};
 * /readyz: 200 "ready: active" or "ready: standby (...)"; /status: "role"
 * and "leader" fields.
 */
void pc_metrics_set_role(pc_metrics *m, int active, const char *leader);
/* The /status body (a JSON document, copied). */
void pc_metrics_set_status(pc_metrics *m, const char *json);

/* Render the exposition into b (what /metrics serves). */
void pc_metrics_render(pc_metrics *m, pc_buf *b);
/* 1 when /readyz answers 200. */
int pc_metrics_ready(pc_metrics *m);

#endif
