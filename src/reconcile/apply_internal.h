/*
 * apply_internal.h - what apply.c (the scheduler) and apply_step.c (the
 * steps and their waits) share. Not for other modules.
 */
#ifndef PC_RECONCILE_APPLY_INTERNAL_H
#define PC_RECONCILE_APPLY_INTERNAL_H

#include "apply.h"

#include "../util/map.h"

#include <pthread.h>

/*
 * What one run knows of the statements it touched: the answer of its last
 * request about each (present with its phase, 404, or changed by a PUT or
 * DELETE of its own), beside the snapshot the plan was made from. Shared by
 * the worker threads (it locks itself). Owned by the scheduler.
 */
typedef struct pc_known pc_known;
pc_known *pc_known_new(void);
void pc_known_free(pc_known *k);

/*
 * Fill the polling cadence o leaves unset (<= 0) from the provider: the
 * first pause of a DDL's and of a DML's wait, the backoff factor; after
 * poll_min_ms and poll_max_ms are resolved.
 */
void pc_apply_step_polling(pc_apply_options *o, const pc_provider *p);

/*
 * What every step of a run shares, set up once by the scheduler (apply.c)
 * before any step runs: the steps never call back into the scheduler.
 */
typedef struct pc_step_env {
	pc_provider *p;
	const pc_apply_options *o;   /* defaults resolved: polling, cancel flag, snapshot, progress */
	pthread_mutex_t *cb_mu;      /* progress callbacks one at a time; also guards pools */
	pc_map *pools;               /* pool display name -> id (char *), filled by setup steps */
	pc_known *known;             /* what the run's own responses said of each statement (apply_step.c) */
	int64_t total_deadline;      /* monotonic ms, 0: none */
} pc_step_env;

/* The state one task (a part of an action) carries through its steps. */
typedef struct pc_step_ctx {
	const pc_step_env *env;
	pc_provider *p;              /* env->p */
	const pc_apply_options *o;   /* env->o */
	pc_action_result *res;       /* NULL for setup steps */
	const pc_action *action;     /* the action, NULL for setup */
	int64_t deadline;            /* monotonic ms */
	char *pending_running;       /* carry-over DML created without waiting: wait for RUNNING later */
	char *exception;             /* latest exception of a FAILED statement (owned) */
	char *failed;                /* name of the statement that FAILED (owned), or NULL */
} pc_step_ctx;

/* Run one step (apply_step.c). 0, or a negative code with the message set. */
int pc_apply_step_run(pc_step_ctx *c, const pc_step *s);
/* After the last step of a task: wait for a still pending carry-over DML. */
int pc_apply_step_finish(pc_step_ctx *c);
/*
 * After a failed task: when the statement that FAILED is the new statement
 * of a replacement (create_dml carrying offsets), resume the old statement
 * (the new one never ran, so its offsets are intact) and delete the failed
 * one. *done (owned) says what was done, NULL when nothing. 0, or the error
 * of the undo itself.
 */
int pc_apply_step_undo_replace(pc_step_ctx *c, char **done);

/* ---- the journal of the run (apply_journal.c, journal.h) ---- */

/*
 * Create the journal statements of plan, every part (nothing when every
 * action is a noop), their names pushed to *names (char *, owned). On
 * failure none is left and *names is empty.
 */
int pc_apply_journal_write(pc_provider *p, const pc_plan *plan, pc_vec *names);
/* Every action done: delete the run's journal parts (own) and the journals the plan finished (best effort). */
void pc_apply_journal_finish(pc_provider *p, const pc_plan *plan, const pc_vec *own);

/* A step context for env (res, action NULL for setup steps), its deadline from now. */
void pc_step_ctx_init(pc_step_ctx *c, const pc_step_env *env, pc_action_result *res, const pc_action *action);
/* Free what a step context owns. */
void pc_step_ctx_dispose(pc_step_ctx *c);

#endif
