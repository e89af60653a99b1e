/*
 * history_apply.c - an `apply` run recorded in the history (see history.h).
 */
#include "apply.h"
#include "history.h"
#include "plan.h"

#include "../util/alloc.h"
#include "../util/timeutil.h"

#include <stdlib.h>

static const char *word(pc_result_state s)
{
	switch (s) {
	case PC_RESULT_DONE: return "ok";
	case PC_RESULT_FAILED: return "failed";
	case PC_RESULT_SKIPPED: return "skipped";
	default: return pc_result_state_str(s);
	}
}

int pc_history_record_apply(const char *root, const pc_plan *plan, const pc_apply_result *res,
			    int64_t started_wall_ms)
{
	return pc_history_record_run(root, "apply", plan, res, started_wall_ms);
}

int pc_history_record_run(const char *root, const char *kind, const pc_plan *plan, const pc_apply_result *res,
			  int64_t started_wall_ms)
{
	pc_execution *e = pc_execution_new(kind ? kind : "apply", plan ? plan->commit : NULL);
	int64_t wall_minus_mono = pc_wall_ms() - pc_mono_ms();
	char *path = pc_history_path(root), *error = NULL;
	const char *result = "success";
	int rc;

	if (started_wall_ms > 0)
		e->start_ms = started_wall_ms;
	for (size_t i = 0; res && i < res->actions.len; i++) {
		const pc_action_result *r = res->actions.items[i];
		const char *err = r->exception ? r->exception : r->error;
		int64_t s, t;
		if (r->state == PC_RESULT_NOOP)
			continue;
		s = r->started_ms ? r->started_ms + wall_minus_mono : e->start_ms;
		t = r->ended_ms ? r->ended_ms + wall_minus_mono : s;
		pc_execution_add_action(e, r->action->table, pc_action_label(r->action), word(r->state), s, t,
					err);
	}
	if (!res) {
		result = "failed";
		error = pc_strdup("the plan could not be run");
	} else if (res->setup_error) {
		result = "failed";
		error = pc_sprintf("setup failed: %s", res->setup_error);
	} else if (res->n_failed) {
		result = "failed";
		error = pc_sprintf("%d action%s failed, %d skipped", res->n_failed, res->n_failed == 1 ? "" : "s",
				   res->n_skipped);
	} else if (res->interrupted) {
		result = "interrupted";
		error = pc_strdup(res->interrupt_reason ? res->interrupt_reason : "interrupted");
	}
	pc_execution_finish(e, result, error);
	rc = pc_history_append(path, e, 0);
	free(error);
	free(path);
	pc_execution_free(e);
	return rc;
}
