/*
 * progress.h - what `apply` and `destroy` show while the executor runs.
 *
 * On a terminal: a finished action prints one permanent line, and below
 * them a live block has one line per running action with its elapsed time
 * and current step, redrawn in place (ANSI cursor moves). Not a terminal
 * (CI logs): plain lines, one per event, never redrawn.
 */
#ifndef PC_CLI_PROGRESS_H
#define PC_CLI_PROGRESS_H

#include "../reconcile/apply.h"

#include <stdio.h>

typedef struct pc_progress pc_progress;

/*
 * out is borrowed; live: 1 for the terminal display, 0 for plain lines.
 * steps: in plain mode, also print each step (create, wait, stop…) of each
 * action, not only its start and end (apply --verbose).
 */
pc_progress *pc_progress_new(FILE *out, int live, int steps);
/*
 * JSON lines (apply --json): one object per line on out for each action's
 * start, step and end: {"format_version":"1","event":"start"|"step"|"end",
 * "table","action", "text" (step), "result","duration_ms","error",
 * "exception" (end)}; setup steps have "table": null.
 */
pc_progress *pc_progress_new_json(FILE *out);
/* {"event":"plan","changes","summary":{kind:N},"actions":[{"table","action","reason","destructive"}],"warnings"}. */
void pc_progress_plan_json(FILE *out, const pc_plan *plan);
/* {"event":"summary","result":"success"|"failed"|"interrupted","done","failed","skipped","error"}. */
void pc_progress_summary_json(FILE *out, const pc_apply_result *r, const char *verb);
/* Erase the live block (if any); then free. NULL accepted. */
void pc_progress_free(pc_progress *pr);

/* The callback to give pc_apply_options.progress, with pr as its context. */
void pc_progress_event(void *pr, const pc_apply_event *ev);

/* "1.2s", "3m05s" into out. */
void pc_progress_duration(int64_t ms, char *out, size_t n);

/*
 * The end of a run: each failed action with its error and latest
 * exception, then "Apply complete: 5 done, 1 failed, 2 skipped."
 * (verb: "Apply" or "Destroy").
 */
void pc_progress_summary(FILE *out, const pc_apply_result *r, const char *verb);

#endif
