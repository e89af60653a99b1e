/*
 * history.h - the run history: every `apply` and every reconcile cycle is an
 * execution with nested action executions (start, end, result, duration,
 * error), appended to a bounded local file (JSON lines, one execution per
 * line, oldest first), by default <root>/.pipectl/history.jsonl.
 *
 * The file keeps the last PC_HISTORY_KEEP executions; each execution keeps at
 * most PC_HISTORY_MAX_ACTIONS action entries (the rest are counted in
 * `actions_omitted`), so the file stays bounded whatever the project size.
 * Every append rewrites the file atomically (temp file + rename) under an
 * flock on "<file>.lock", so `apply` and a running loop can both append.
 *
 * cmd_apply calls pc_history_record_apply() (below) after pc_apply_run().
 * By hand:
 *     pc_execution *ex = pc_execution_new("apply", proj->commit);
 *     ... for each action when it ends (any thread):
 *     pc_execution_add_action(ex, table, "create", "ok", start_ms, end_ms, NULL);
 *     pc_execution_finish(ex, "failed", "2 actions failed");
 *     char *path = pc_history_path(cfg->root);
 *     pc_history_append(path, ex, 0);    // 0 = PC_HISTORY_KEEP
 *     free(path); pc_execution_free(ex);
 */
#ifndef PC_RECONCILE_HISTORY_H
#define PC_RECONCILE_HISTORY_H

#include "../util/buf.h"
#include "../util/vec.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define PC_HISTORY_KEEP 500
#define PC_HISTORY_MAX_ACTIONS 1000

/* One action of an execution. Times are Unix epoch milliseconds. */
typedef struct pc_action_exec {
	char *table;
	char *action;    /* create, start, replace-dml, rebuild, restart, drop, ... */
	char *result;    /* ok, failed, skipped, held */
	int64_t start_ms;
	int64_t end_ms;
	char *error;     /* one line, NULL when none */
} pc_action_exec;

typedef struct pc_execution {
	char *id;        /* unique: "<kind>-<start ms>-<pid>-<seq>" */
	char *kind;      /* "apply" | "reconcile" */
	char *commit;    /* full commit id of the desired state, NULL for a working tree */
	int64_t cycle;   /* reconcile cycle number, 0 for apply */
	int64_t start_ms;
	int64_t end_ms;  /* 0 while running */
	char *result;    /* success, failed, invalid, suspended, held, error, ... (NULL while running) */
	char *error;     /* NULL when none */
	pc_vec actions;  /* pc_action_exec *, owned, in the order they ended */
	size_t actions_omitted; /* past PC_HISTORY_MAX_ACTIONS */
	pthread_mutex_t lock;   /* guards actions: executors add from many threads */
} pc_execution;

/* A new execution started now. kind and commit are copied (commit may be NULL). */
pc_execution *pc_execution_new(const char *kind, const char *commit);
/* Record an action that ended (thread-safe). Strings are copied; error may be NULL. */
void pc_execution_add_action(pc_execution *e, const char *table, const char *action,
			     const char *result, int64_t start_ms, int64_t end_ms, const char *error);
/* Set the end time (now), result and error (may be NULL). */
void pc_execution_finish(pc_execution *e, const char *result, const char *error);
void pc_execution_free(void *e);    /* pc_free_fn-compatible, accepts NULL */

/* Append e as one JSON line (format_version "1", no trailing newline) to b. */
int pc_execution_to_json(const pc_execution *e, pc_buf *b);
/* Parse one line written by pc_execution_to_json(). PC_EPARSE when it is not one. */
int pc_execution_from_json(pc_execution **out, const char *line, size_t len);

/* <root>/.pipectl/history.jsonl, owned. */
char *pc_history_path(const char *root);

/*
 * Append e to the history file at path, keeping the last `keep` executions
 * (0: PC_HISTORY_KEEP). Creates the directory when needed. Lines that do not
 * parse are dropped on rewrite. Returns 0 or PC_EIO.
 */
int pc_history_append(const char *path, const pc_execution *e, size_t keep);

/*
 * Read the history, most recent first, at most `limit` executions (0: all)
 * into out (pc_execution *, owned by out; free with pc_execution_free). A
 * missing file is an empty history. Unparsable lines are skipped and
 * counted in *skipped (may be NULL).
 */
int pc_history_read(const char *path, size_t limit, pc_vec *out, size_t *skipped);

/*
 * Record one `pipectl apply` run (history_apply.c): an execution of kind
 * "apply" for plan->commit with one action per action result that is not a
 * noop (ok, failed, skipped; start and end from the executor's clocks), its
 * result "success" when pc_apply_succeeded(), else "failed" (or
 * "interrupted"), and error = setup error / interruption reason / "N actions
 * failed". Appends to pc_history_path(root). Returns 0 or PC_EIO (the caller
 * warns; a history that cannot be written never fails an apply).
 */
struct pc_plan;
struct pc_apply_result;
int pc_history_record_apply(const char *root, const struct pc_plan *plan, const struct pc_apply_result *res,
			    int64_t started_wall_ms);
/* The same with the execution's kind: "apply" or "destroy". */
int pc_history_record_run(const char *root, const char *kind, const struct pc_plan *plan,
			  const struct pc_apply_result *res, int64_t started_wall_ms);

#endif
