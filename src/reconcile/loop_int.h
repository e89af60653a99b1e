/*
 * loop_int.h - what the files of the reconcile loop share (loop.c: the
 * lifecycle and the desired state; loop_cycle.c: plan, apply, report).
 * Not part of the contract between modules.
 */
#ifndef PC_RECONCILE_LOOP_INT_H
#define PC_RECONCILE_LOOP_INT_H

#include "../model/project.h"
#include "../providers/provider.h"
#include "../util/buf.h"
#include "../util/map.h"
#include "history.h"
#include "loop.h"
#include "metrics.h"
#include "session.h"

#include <signal.h>
#include <stdint.h>

/* Per-table failure memory: exponential backoff, degraded after N in a row. */
typedef struct pc_loop_failure {
	int failures;          /* in a row */
	int64_t retry_at_mono; /* no new attempt before this */
	int64_t retry_at_wall;
	char *last_error;
	char *action;
} pc_loop_failure;

void pc_loop_failure_free(void *f);

typedef struct pc_loop {
	pc_loop_options flags;      /* as given (unset fields stay unset) */
	pc_loop_options o;          /* resolved */
	pc_config *settings_cfg;    /* the pipectl.yaml the settings were read from (o's strings may point into it) */
	char *suspend_file;
	char *history_path;
	pc_metrics *metrics;
	pc_session s;               /* the desired state in force (last good one), its config, the target, the actual state */
	uint64_t api_seen[6];
	char *bad_commit;           /* last broken commit ("worktree" for a broken working tree) */
	int reload;                 /* read the desired state again even if the commit did not move */
	char *commit;               /* commit of the desired state in force (for logs) */
	int64_t cycle;
	pc_map failures;            /* table -> pc_loop_failure * */
	volatile sig_atomic_t *stop; /* signals */
	struct pc_lock *leader;     /* the leader lock while this replica is active (loop.c) */
	char *standby_for;          /* who was active when we last stood by (logged once per holder) */
} pc_loop;

/* One cycle's bookkeeping. */
typedef struct pc_cycle {
	int64_t start_mono;
	pc_execution *exec;
	int invalid;               /* the tree just read is broken (last good one used) */
	char *invalid_reason;      /* borrowed */
	int suspended;
	int reached_api;
	/* apply-time tracking (progress callback) */
	volatile sig_atomic_t exec_cancel;
	int in_flight_teardown;    /* started actions with a teardown part, not ended */
	pc_map started;            /* table -> (void *)1 for started, not ended actions with teardown */
	int64_t wall_minus_mono;
	pc_buf status;             /* fields of /status after the common ones: ,"plan":…,"apply":… */
} pc_cycle;

/* A log line (text or JSON) with the cycle and commit. level: debug, info, warn, error. */
void pc_loop_log(pc_loop *l, const char *level, const char *table, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Add the provider's request counters since the last call to the metrics. */
void pc_loop_collect_api_stats(pc_loop *l);
/* Load the desired state, then pc_loop_reconcile (loop.c). */
int pc_loop_cycle(pc_loop *l);
/* Actual state, plan, apply, report for proj (loop_cycle.c). Ends the cycle. */
int pc_loop_reconcile(pc_loop *l, pc_cycle *c, const pc_project *proj);
/*
 * End the cycle: history, metrics, /status (when the plan part did not
 * already), log. result: success, failed, invalid, error, suspended, locked.
 */
void pc_loop_finish(pc_loop *l, pc_cycle *c, const char *result, const char *error, int reached_api);

#endif
