/*
 * apply_internal.h - what apply.c (the scheduler) and apply_step.c (the
 * steps and their waits) share. Not for other modules.
 */
#ifndef PC_RECONCILE_APPLY_INTERNAL_H
#define PC_RECONCILE_APPLY_INTERNAL_H

#include "apply.h"

#include "../util/map.h"

#include <pthread.h>

typedef struct pc_apply_exec pc_apply_exec;

/* The state one task (a part of an action) carries through its steps. */
typedef struct pc_step_ctx {
	pc_provider *p;
	pc_apply_exec *ex;
	const pc_apply_options *o;   /* defaults resolved */
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
 * Create the journal statement of plan (nothing when every action is a
 * noop). *name (owned) is its name, NULL when none was needed.
 */
int pc_apply_journal_write(pc_provider *p, const pc_plan *plan, char **name);
/* Every action done: delete the run's journal and the journals the plan finished (best effort). */
void pc_apply_journal_finish(pc_provider *p, const pc_plan *plan, const char *own);

/* From apply.c, for apply_step.c: */
void pc_apply_exec_progress(pc_apply_exec *ex, const pc_action_result *res, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Pool id created or found for a display name by a setup step (borrowed) or NULL. */
const char *pc_apply_exec_pool(pc_apply_exec *ex, const char *display_name);
void pc_apply_exec_set_pool(pc_apply_exec *ex, const char *display_name, const char *id);
/* Second stage of a cancel (flag >= 2) or the total deadline: waits give up. */
int pc_apply_exec_abort_waits(pc_apply_exec *ex);

#endif
