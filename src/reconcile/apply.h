/*
 * apply.h - the executor: runs a plan's actions as a DAG on a pool of
 * threads (docs/reconcile.md, the contract at the top of plan.h, docs/apply.md).
 *
 * - plan->setup steps run first, one after the other;
 * - each action is split in four tasks, its STOP, DROP, DDL and DML parts
 *   (apply.c says which steps each holds), each after the one before. The
 *   DROP of A waits for the STOP of every table in A->teardown_after (no
 *   drop under a running reader); the DML of A waits until every table in
 *   A->depends_on and their ancestors in the plan exist (their DDL; a CTAS
 *   once it runs), not for their DML; a DDL waits for the tables it reads
 *   (a view, LIKE). Four waves whatever the depth (docs/reconcile.md);
 * - at most `parallelism` tasks run at once;
 * - every step reads the statement (or topic) first and does only what is
 *   still missing, so running a plan again after a failure or a crash
 *   converges: nothing is created twice, dropped twice or stopped twice;
 * - before creating a DML it checks that no other managed DML of the same
 *   table (as known from the snapshot the plan was made from) is still live,
 *   except the carry-over source of a replace-dml;
 * - a step reads only what the run does not know: the snapshot (actual)
 *   and the responses of the run's own requests say which statements
 *   exist; a create of one known absent is sent at once (a 409 reads and
 *   adopts it);
 * - waits start from the create's response and poll with backoff: the first
 *   read after the phase's first pause (poll_ddl_ms, poll_dml_ms), growing
 *   by poll_factor up to poll_max_ms; a FAILED/FAILING statement ends its
 *   action with the statement's latest exception;
 * - when a task fails, every task that waits on it (transitively), and every
 *   part not yet started of the actions that depend on it, is skipped; what
 *   already started finishes; independent branches go on;
 * - a cancel flag (SIGINT/SIGTERM), a lost lock or the total timeout stop
 *   new tasks from starting; the parts already running finish.
 *
 * Thread-safety: pc_apply_run() is called from one thread; it calls the
 * progress callbacks from its worker threads, one at a time.
 */
#ifndef PC_RECONCILE_APPLY_H
#define PC_RECONCILE_APPLY_H

#include "../providers/provider.h"
#include "actual.h"
#include "lock.h"
#include "plan.h"

#include <signal.h>
#include <stdint.h>

#define PC_APPLY_PARALLELISM_DEFAULT 32
#define PC_APPLY_ACTION_TIMEOUT_MS_DEFAULT (10 * 60 * 1000)

typedef enum pc_result_state {
	PC_RESULT_PENDING = 0, /* not started yet */
	PC_RESULT_RUNNING,
	PC_RESULT_DONE,
	PC_RESULT_FAILED,
	PC_RESULT_SKIPPED,     /* a task it waits on failed, or the run was interrupted */
	PC_RESULT_NOOP,        /* a noop action: nothing to do, not counted */
} pc_result_state;

/* "pending", "running", "done", "failed", "skipped", "noop". */
const char *pc_result_state_str(pc_result_state s);

/* The outcome of one action. */
typedef struct pc_action_result {
	const pc_action *action;  /* borrowed from the plan */
	pc_result_state state;
	int64_t started_ms;       /* monotonic; 0 when it never started */
	int64_t ended_ms;
	int64_t duration_ms;      /* time spent running its steps */
	int steps_done;
	char *error;              /* failed: one line; skipped: why (owned, may be NULL) */
	char *exception;          /* latest exception of a FAILED statement (owned, may be NULL) */
	char *failed_statement;   /* the statement whose FAILED phase failed the action (owned), or NULL
	                             (a timeout, a network error: something may still be in flight) */
	int teardown_done;        /* its teardown ran (a skipped rebuild may have dropped its table) */
} pc_action_result;

typedef struct pc_apply_result {
	pc_vec actions;           /* pc_action_result *, owned, in plan order */
	int n_done, n_failed, n_skipped, n_noop;
	char *setup_error;        /* setup step failure, or NULL */
	int interrupted;          /* cancel flag, lost lock or total timeout stopped it */
	char *interrupt_reason;   /* owned, may be NULL */
	int64_t duration_ms;
} pc_apply_result;

void pc_apply_result_free(pc_apply_result *r);

/* Events for the progress display. Pointers are valid during the call only. */
typedef enum pc_apply_event_kind {
	PC_APPLY_EV_ACTION_START = 0, /* first step of the action begins */
	PC_APPLY_EV_STEP,             /* a step begins, or a wait sees a new phase (text) */
	PC_APPLY_EV_ACTION_END,       /* done, failed or skipped (result->state) */
	PC_APPLY_EV_TICK,             /* every ~250 ms while something runs (live redraw) */
} pc_apply_event_kind;

typedef struct pc_apply_event {
	pc_apply_event_kind kind;
	const pc_action_result *result; /* NULL for TICK */
	const char *text;               /* STEP: "create statement 'x'", "wait for 'x': PENDING" */
} pc_apply_event;

typedef void (*pc_apply_progress_fn)(void *ctx, const pc_apply_event *ev);

typedef struct pc_apply_options {
	int parallelism;            /* <= 0: PC_APPLY_PARALLELISM_DEFAULT */
	int64_t action_timeout_ms;  /* per task; <= 0: PC_APPLY_ACTION_TIMEOUT_MS_DEFAULT */
	int64_t total_timeout_ms;   /* <= 0: none */
	int64_t poll_min_ms;        /* <= 0: the provider's poll_min_ms, else 100 */
	int64_t poll_max_ms;        /* <= 0: the provider's poll_max_ms, else 2000 */
	int64_t poll_ddl_ms;        /* first pause of a DDL/DROP wait; <= 0: the provider's, else poll_min_ms */
	int64_t poll_dml_ms;        /* first pause of a DML's wait to run; <= 0: the provider's, else poll_min_ms */
	double poll_factor;         /* growth of the pause per poll; <= 1: the provider's, else 1.25 */
	volatile sig_atomic_t *cancel; /* optional */
	pc_lock *lock;              /* optional: a lost lock interrupts the run */
	const pc_actual *actual;    /* optional: snapshot the plan was computed from (writer guard) */
	pc_apply_progress_fn progress; /* optional */
	void *progress_ctx;
} pc_apply_options;

/*
 * Run the plan against p. Returns 0 when the run happened (look at the
 * counts: every non-noop action done means success), or a negative code for
 * bad arguments (a dependency cycle in the plan). *out is always set on 0.
 */
int pc_apply_run(pc_apply_result **out, pc_provider *p, const pc_plan *plan,
		 const pc_apply_options *opts);

/* 1 when every non-noop action is done and no setup step failed. */
int pc_apply_succeeded(const pc_apply_result *r);
/*
 * 1 when nothing the run started can still be in flight or half done: it
 * was not interrupted, every failed action failed on a FAILED statement (its
 * undo done), and no skipped action had begun (a child whose DDL ran before
 * its parent failed keeps the journal, so the rerun adopts that DDL and
 * finishes the create). Then the run's journal is no longer needed.
 */
int pc_apply_settled(const pc_apply_result *r);

#endif
