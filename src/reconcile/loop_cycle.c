/*
 * loop_cycle.c - one reconcile cycle once the desired state is known:
 * actual state, plan, what may be applied (held, deferred, suspended),
 * apply under the lock, and the report (log, metrics, /status, history).
 */
#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"
#include "actual.h"
#include "apply.h"
#include "lock.h"
#include "loop_int.h"
#include "plan.h"
#include "retire.h"
#include "versions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What the loop does with each action of the plan. */
typedef enum disposition {
	D_NOOP = 0,
	D_APPLY,
	D_HELD,      /* destructive (or depends on one) and not allowed */
	D_DEFERRED,  /* the table (or a parent) is backing off after failures */
	D_SUSPENDED, /* the loop is suspended */
} disposition;

static const char *disp_str(disposition d)
{
	switch (d) {
	case D_APPLY: return "apply";
	case D_HELD: return "held";
	case D_DEFERRED: return "deferred";
	case D_SUSPENDED: return "suspended";
	default: return "noop";
	}
}

void pc_loop_failure_free(void *p)
{
	pc_loop_failure *f = p;
	if (!f)
		return;
	free(f->last_error);
	free(f->action);
	free(f);
}

/* table -> (void *)(index + 1) */
static void index_plan(const pc_plan *plan, pc_map *idx)
{
	for (size_t i = 0; i < plan->actions.len; i++)
		pc_map_put(idx, ((const pc_action *)plan->actions.items[i])->table, (void *)(uintptr_t)(i + 1));
}

static int has_teardown(const pc_action *a)
{
	for (size_t i = 0; i < a->steps.len; i++)
		if (((const pc_step *)a->steps.items[i])->teardown)
			return 1;
	return 0;
}

/*
 * Decide per action. Forward over depends_on (parents first): an action
 * whose parent is held or deferred waits too; backward over teardown_after:
 * an action whose teardown must follow a held child's waits too; forward
 * again for what that changed.
 */
static void classify(pc_loop *l, const pc_plan *plan, int suspended, disposition *disp)
{
	pc_map idx = PC_MAP_INIT;
	int64_t now = pc_mono_ms();
	size_t n = plan->actions.len;

	index_plan(plan, &idx);
	for (size_t i = 0; i < n; i++) {
		const pc_action *a = plan->actions.items[i];
		const pc_loop_failure *f = pc_map_get(&l->failures, a->table);
		if (!pc_action_acts(a))
			disp[i] = D_NOOP;
		else if (a->refused)
			disp[i] = D_HELD; /* refused by the rules (a protected table): held whatever is allowed */
		else if (a->destructive && !l->o.allow_destructive)
			disp[i] = D_HELD;
		else if (f && now < f->retry_at_mono)
			disp[i] = D_DEFERRED;
		else
			disp[i] = D_APPLY;
	}
	for (int pass = 0; pass < 3; pass++) {
		int backward = pass == 1;
		for (size_t k = 0; k < n; k++) {
			size_t i = backward ? n - 1 - k : k;
			const pc_action *a = plan->actions.items[i];
			const pc_vec *deps = backward ? &a->teardown_after : &a->depends_on;
			if (disp[i] != D_APPLY)
				continue;
			for (size_t j = 0; j < deps->len; j++) {
				uintptr_t at = (uintptr_t)pc_map_get(&idx, deps->items[j]);
				if (at && (disp[at - 1] == D_HELD || disp[at - 1] == D_DEFERRED)) {
					disp[i] = disp[at - 1];
					break;
				}
			}
		}
	}
	if (suspended)
		for (size_t i = 0; i < n; i++)
			if (disp[i] != D_NOOP)
				disp[i] = D_SUSPENDED;
	pc_map_dispose(&idx, NULL);
}

/* The parent (in the plan) that holds or defers a, or NULL when it is its own reason. */
static const char *blocking_parent(const pc_action *a, const disposition *disp, const pc_map *idx)
{
	for (size_t j = 0; j < a->depends_on.len; j++) {
		uintptr_t at = (uintptr_t)pc_map_get(idx, a->depends_on.items[j]);
		if (at && (disp[at - 1] == D_HELD || disp[at - 1] == D_DEFERRED))
			return a->depends_on.items[j];
	}
	return NULL;
}

/* ---- apply progress ---- */

typedef struct progress_ctx {
	pc_loop *l;
	pc_cycle *c;
} progress_ctx;

static const char *result_word(pc_result_state s)
{
	switch (s) {
	case PC_RESULT_DONE: return "ok";
	case PC_RESULT_FAILED: return "failed";
	case PC_RESULT_SKIPPED: return "skipped";
	case PC_RESULT_NOOP: return "noop";
	default: return pc_result_state_str(s);
	}
}

/*
 * Called by the executor, one call at a time. On SIGTERM the executor is
 * cancelled only once no started action is between its teardown and its
 * build: an action that dropped its table also creates it again.
 */
static void on_progress(void *ctx, const pc_apply_event *ev)
{
	progress_ctx *p = ctx;
	pc_loop *l = p->l;
	pc_cycle *c = p->c;
	const pc_action_result *r = ev->result;

	if (ev->kind == PC_APPLY_EV_ACTION_START && r) {
		const char *kind = pc_action_label(r->action);
		pc_loop_log(l, "info", r->action->table, kind, "started: %s", r->action->reason);
		if (has_teardown(r->action) && !pc_map_has(&c->started, r->action->table)) {
			pc_map_put(&c->started, r->action->table, (void *)1);
			c->in_flight_teardown++;
		}
	} else if (ev->kind == PC_APPLY_EV_ACTION_END && r) {
		const char *kind = pc_action_label(r->action);
		const char *word = result_word(r->state);
		int64_t s = r->started_ms ? r->started_ms + c->wall_minus_mono : pc_wall_ms();
		int64_t e = r->ended_ms ? r->ended_ms + c->wall_minus_mono : pc_wall_ms();
		char *err = NULL;

		if (pc_map_del(&c->started, r->action->table))
			c->in_flight_teardown--;
		if (r->error && r->exception && !strstr(r->error, r->exception))
			err = pc_sprintf("%s: %s", r->error, r->exception);
		else if (r->error || r->exception)
			err = pc_strdup(r->error ? r->error : r->exception);
		if (r->state == PC_RESULT_FAILED)
			pc_loop_log(l, "error", r->action->table, kind, "failed after %.1fs: %s",
				    (double)r->duration_ms / 1000.0, err ? err : "unknown error");
		else if (r->state == PC_RESULT_SKIPPED)
			pc_loop_log(l, "warn", r->action->table, kind, "skipped: %s", err ? err : "a dependency failed");
		else
			pc_loop_log(l, "info", r->action->table, kind, "done in %.1fs", (double)r->duration_ms / 1000.0);
		if (r->state != PC_RESULT_NOOP) {
			pc_execution_add_action(c->exec, r->action->table, kind, word, s, e, err);
			pc_metrics_action(l->metrics, kind, word, 1);
		}
		free(err);
	}
	if (*l->stop >= 2)
		c->exec_cancel = 2;
	else if (*l->stop && !c->exec_cancel && c->in_flight_teardown == 0)
		c->exec_cancel = 1;
}

/* ---- failure memory ---- */

static int64_t backoff_ms(const pc_loop *l, int failures)
{
	int64_t d = l->o.backoff_base_ms;
	for (int i = 1; i < failures && d < l->o.backoff_max_ms; i++)
		d *= 2;
	return d < l->o.backoff_max_ms ? d : l->o.backoff_max_ms;
}

static void remember(pc_loop *l, const pc_apply_result *res)
{
	for (size_t i = 0; i < res->actions.len; i++) {
		const pc_action_result *r = res->actions.items[i];
		const char *t = r->action->table;
		pc_loop_failure *f = pc_map_get(&l->failures, t);
		if (r->state == PC_RESULT_DONE) {
			if (f && f->failures >= l->o.degraded_after)
				pc_loop_log(l, "info", t, pc_action_label(r->action),
					    "recovered after %d failures", f->failures);
			pc_loop_failure_free(pc_map_del(&l->failures, t));
		} else if (r->state == PC_RESULT_FAILED) {
			int64_t d;
			if (!f) {
				f = PC_NEW(pc_loop_failure);
				pc_map_put(&l->failures, t, f);
			}
			f->failures++;
			d = backoff_ms(l, f->failures);
			f->retry_at_mono = pc_mono_ms() + d;
			f->retry_at_wall = pc_wall_ms() + d;
			free(f->last_error);
			f->last_error = pc_strdup(r->exception ? r->exception : r->error);
			free(f->action);
			f->action = pc_strdup(pc_action_label(r->action));
			pc_loop_log(l, f->failures >= l->o.degraded_after ? "error" : "warn", t, f->action,
				    "%s: %d failure%s in a row, next attempt in %llds", f->failures >= l->o.degraded_after
				    ? "degraded" : "backing off", f->failures, f->failures == 1 ? "" : "s",
				    (long long)(d / 1000));
		}
	}
}

/* Forget failures of tables that need nothing now, or are gone. */
static void forget_healed(pc_loop *l, const pc_plan *plan)
{
	pc_vec keys = PC_VEC_INIT;
	pc_map idx = PC_MAP_INIT;

	if (!plan || l->failures.len == 0)
		return;
	index_plan(plan, &idx);
	pc_map_keys_sorted(&l->failures, &keys);
	for (size_t i = 0; i < keys.len; i++) {
		uintptr_t at = (uintptr_t)pc_map_get(&idx, keys.items[i]);
		const pc_action *a = at ? plan->actions.items[at - 1] : NULL;
		if (!a || !pc_action_acts(a))
			pc_loop_failure_free(pc_map_del(&l->failures, keys.items[i]));
	}
	pc_vec_dispose(&keys, NULL);
	pc_map_dispose(&idx, NULL);
}

/* ---- report ---- */

static void put_str_or_null(pc_buf *b, const char *s)
{
	if (s)
		pc_buf_put_json_str(b, s);
	else
		pc_buf_puts(b, "null");
}

static void put_iso(pc_buf *b, int64_t wall_ms)
{
	char iso[40];
	pc_iso8601(wall_ms, iso, sizeof(iso));
	pc_buf_put_json_str(b, iso);
}

/* table -> its pc_action_result (borrowed), for the actions the executor ran. */
static void index_results(const pc_apply_result *res, pc_map *result_of)
{
	if (res)
		for (size_t i = 0; i < res->actions.len; i++) {
			const pc_action_result *r = res->actions.items[i];
			pc_map_put(result_of, r->action->table, (void *)r);
		}
}

/* The table gauges: in sync, out of sync, degraded, held, held destructive actions. */
static void count_tables(const pc_loop *l, const pc_project *proj, const pc_actual *act, const pc_plan *plan,
			 const disposition *disp, const pc_map *result_of, pc_metrics_gauges *g)
{
	pc_versions *view = NULL;

	if (pc_versions_build(&view, act, proj) < 0)
		pc_error_clear(); /* bad arguments only */
	for (size_t i = 0; i < proj->tables.len; i++)
		g->tables_green_pending +=
			pc_versions_green(pc_versions_get(view, ((const pc_table *)proj->tables.items[i])->name)) != NULL;
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		const pc_loop_failure *f = pc_map_get(&l->failures, a->table);
		const pc_action_result *r = pc_map_get(result_of, a->table);
		if (f && f->failures >= l->o.degraded_after) {
			g->tables_degraded++;
		} else if (disp[i] == D_HELD) {
			g->tables_held++;
		} else if (disp[i] == D_NOOP) {
			const pc_table *t = pc_project_table(proj, a->table);
			char *why = NULL;
			/* the current version (green when there is one) is what git is compared with */
			if (!t || pc_actual_version_in_sync(act, t, pc_versions_current_name(view, t->name), &why))
				g->tables_in_sync++;
			else
				g->tables_out_of_sync++;
			free(why);
		} else if (r && r->state == PC_RESULT_DONE) {
			g->tables_in_sync++;
		} else {
			g->tables_out_of_sync++;
		}
		if (a->kind != PC_ACT_NOOP && a->destructive && disp[i] == D_HELD)
			g->held_destructive_actions++;
	}
	pc_versions_free(view);
}

/* The gauges, with the managed statements per phase, to the metrics. */
static void set_gauges(pc_loop *l, const pc_actual *act, pc_metrics_gauges *g)
{
	pc_map phases = PC_MAP_INIT;
	pc_vec names = PC_VEC_INIT;
	const char **phase_names;
	uint64_t *phase_counts;

	for (size_t i = 0; i < act->stmts.len; i++) {
		const pc_actual_stmt *s = act->stmts.items[i];
		uint64_t *cnt;
		if (!s->managed || !s->st->phase)
			continue;
		if (!(cnt = pc_map_get(&phases, s->st->phase))) {
			cnt = pc_calloc(1, sizeof(*cnt));
			pc_map_put(&phases, s->st->phase, cnt);
		}
		(*cnt)++;
	}
	pc_map_keys_sorted(&phases, &names);
	phase_names = pc_calloc(names.len + 1, sizeof(*phase_names));
	phase_counts = pc_calloc(names.len + 1, sizeof(*phase_counts));
	for (size_t i = 0; i < names.len; i++) {
		phase_names[i] = names.items[i];
		phase_counts[i] = *(uint64_t *)pc_map_get(&phases, names.items[i]);
	}
	g->phases = phase_names;
	g->phase_counts = phase_counts;
	g->n_phases = names.len;
	pc_metrics_set_gauges(l->metrics, g);
	g->phases = NULL;
	g->phase_counts = NULL;
	free(phase_names);
	free(phase_counts);
	pc_vec_dispose(&names, NULL);
	pc_map_dispose(&phases, free);
}

/* The plan part of /status: the plan, then what the loop did with it. */
static void put_status(const pc_loop *l, pc_cycle *c, const pc_plan *plan, const disposition *disp,
		       const pc_apply_result *res, const pc_map *result_of, const pc_metrics_gauges *g)
{
	int first = 1;

	pc_buf_puts(&c->status, ",\"plan\":");
	pc_plan_write_json(plan, &c->status);
	pc_buf_puts(&c->status, ",\"actions\":[");
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		const pc_action_result *r = pc_map_get(result_of, a->table);
		const pc_loop_failure *f = pc_map_get(&l->failures, a->table);
		if (disp[i] == D_NOOP && !f)
			continue;
		pc_buf_puts(&c->status, first ? "{" : ",{");
		first = 0;
		pc_buf_puts(&c->status, "\"table\":");
		pc_buf_put_json_str(&c->status, a->table);
		pc_buf_printf(&c->status, ",\"action\":\"%s\",\"destructive\":%s,\"disposition\":\"%s\",\"reason\":",
			      pc_action_kind_str(a->kind), a->destructive ? "true" : "false", disp_str(disp[i]));
		put_str_or_null(&c->status, a->reason);
		if (a->renew) { /* a noop that renews its DDL record (plan.h) */
			pc_buf_puts(&c->status, ",\"renew\":");
			pc_buf_put_json_str(&c->status, a->renew);
		}
		pc_buf_puts(&c->status, ",\"result\":");
		put_str_or_null(&c->status, r ? result_word(r->state) : NULL);
		pc_buf_puts(&c->status, ",\"error\":");
		put_str_or_null(&c->status, r ? (r->exception ? r->exception : r->error) : NULL);
		if (f) {
			pc_buf_printf(&c->status, ",\"failures\":%d,\"degraded\":%s,\"retry_at\":", f->failures,
				      f->failures >= l->o.degraded_after ? "true" : "false");
			put_iso(&c->status, f->retry_at_wall);
			pc_buf_puts(&c->status, ",\"last_error\":");
			put_str_or_null(&c->status, f->last_error);
		}
		pc_buf_putc(&c->status, '}');
	}
	pc_buf_puts(&c->status, "]");
	if (res)
		pc_buf_printf(&c->status, ",\"apply\":{\"done\":%d,\"failed\":%d,\"skipped\":%d,\"interrupted\":%s}",
			      res->n_done, res->n_failed, res->n_skipped, res->interrupted ? "true" : "false");
	else
		pc_buf_puts(&c->status, ",\"apply\":null");
	pc_buf_printf(&c->status,
		      ",\"tables\":{\"in_sync\":%llu,\"out_of_sync\":%llu,\"degraded\":%llu,\"held\":%llu,"
		      "\"green_pending\":%llu}",
		      (unsigned long long)g->tables_in_sync, (unsigned long long)g->tables_out_of_sync,
		      (unsigned long long)g->tables_degraded, (unsigned long long)g->tables_held,
		      (unsigned long long)g->tables_green_pending);
}

/* Gauges and the plan part of /status. */
static void report_plan(pc_loop *l, pc_cycle *c, const pc_project *proj, const pc_actual *act,
			const pc_plan *plan, const disposition *disp, const pc_apply_result *res)
{
	pc_metrics_gauges g;
	pc_map result_of = PC_MAP_INIT;

	memset(&g, 0, sizeof(g));
	index_results(res, &result_of);
	count_tables(l, proj, act, plan, disp, &result_of, &g);
	set_gauges(l, act, &g);
	put_status(l, c, plan, disp, res, &result_of, &g);
	pc_map_dispose(&result_of, NULL);
}

void pc_loop_finish(pc_loop *l, pc_cycle *c, const char *result, const char *error, int reached_api)
{
	pc_buf st = PC_BUF_INIT;
	double secs = (double)(pc_mono_ms() - c->start_mono) / 1000.0;
	int rc;

	pc_execution_finish(c->exec, result, error);
	free(c->exec->commit);
	c->exec->commit = pc_strdup(l->commit);
	if ((rc = pc_history_append(l->history_path, c->exec, 0)) < 0)
		pc_loop_log(l, "warn", NULL, NULL, "history not recorded: %s", pc_error_last());

	pc_buf_printf(&st, "{\"format_version\":\"1\",\"cycle\":%lld,\"commit\":", (long long)l->cycle);
	put_str_or_null(&st, l->commit);
	pc_buf_puts(&st, ",\"started_at\":");
	put_iso(&st, c->exec->start_ms);
	pc_buf_printf(&st, ",\"duration_ms\":%lld,\"result\":", (long long)(c->exec->end_ms - c->exec->start_ms));
	pc_buf_put_json_str(&st, result);
	pc_buf_puts(&st, ",\"error\":");
	put_str_or_null(&st, error);
	pc_buf_printf(&st, ",\"suspended\":%s,\"allow_destructive\":%s", c->suspended ? "true" : "false",
		      l->o.allow_destructive ? "true" : "false");
	if (c->status.len)
		pc_buf_put(&st, c->status.ptr, c->status.len);
	else
		pc_buf_puts(&st, ",\"plan\":null,\"actions\":[],\"apply\":null");
	pc_buf_putc(&st, '}');
	pc_metrics_set_status(l->metrics, st.ptr);

	pc_loop_collect_api_stats(l);
	pc_metrics_cycle(l->metrics, result, secs, reached_api, error);
	pc_loop_log(l, strcmp(result, "success") == 0 || strcmp(result, "suspended") == 0 ? "info" : "warn", NULL,
		    NULL, "cycle %s in %.1fs%s%s", result, secs, error ? ": " : "", error ? error : "");

	pc_buf_dispose(&st);
	pc_buf_dispose(&c->status);
	pc_map_dispose(&c->started, NULL);
	pc_execution_free(c->exec);
	c->exec = NULL;
}

/* ---- the cycle ---- */

/* Snapshot and plan; on failure the error is logged and the result word set. */
static int snapshot_and_plan(pc_loop *l, const pc_project *proj, const pc_actual **act, pc_plan **plan,
			     const char **result)
{
	pc_plan_options popt;
	int rc;

	memset(&popt, 0, sizeof(popt));
	popt.prune = l->o.prune > 0;
	popt.hold_refused = 1; /* a refused part is held; the rest is repaired */
	*act = NULL;
	if ((rc = pc_session_read_actual(&l->s)) < 0) {
		*result = "error";
		pc_loop_log(l, "error", NULL, NULL, "could not read the actual state: %s", pc_error_last());
		return rc;
	}
	*act = l->s.act;
	if ((rc = pc_plan_compute(plan, proj, *act, &popt)) < 0) {
		*result = "failed";
		pc_loop_log(l, "error", NULL, NULL, "could not plan: %s", pc_error_last());
		return rc;
	}
	if (!(*plan)->commit && proj->commit)
		(*plan)->commit = pc_strdup(proj->commit);
	return 0;
}

static void log_plan(pc_loop *l, const pc_plan *plan, const disposition *disp, int *n_apply)
{
	size_t counts[5] = { 0 };
	pc_map idx = PC_MAP_INIT;

	index_plan(plan, &idx);

	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		const char *kind = pc_action_label(a);
		const char *parent;
		counts[disp[i]]++;
		switch (disp[i]) {
		case D_APPLY:
			break;
		case D_HELD:
			parent = blocking_parent(a, disp, &idx);
			if (a->refused)
				pc_loop_log(l, "warn", a->table, kind, "held: refused: %s", a->refused);
			else if (parent)
				pc_loop_log(l, "warn", a->table, kind, "held: depends on held or deferred '%s' (%s)", parent,
					    a->reason);
			else
				pc_loop_log(l, "warn", a->table, kind,
					    "held: destructive, not applied without --allow-destructive (%s)", a->reason);
			break;
		case D_DEFERRED: {
			const pc_loop_failure *f = pc_map_get(&l->failures, a->table);
			parent = blocking_parent(a, disp, &idx);
			if (f)
				pc_loop_log(l, "info", a->table, kind, "deferred: backing off after %d failure%s: %s",
					    f->failures, f->failures == 1 ? "" : "s",
					    f->last_error ? f->last_error : "unknown error");
			else
				pc_loop_log(l, "info", a->table, kind, "deferred: depends on '%s'",
					    parent ? parent : "a deferred table");
			break;
		}
		case D_SUSPENDED:
			pc_loop_log(l, "info", a->table, kind, "drift (suspended, not applied): %s", a->reason);
			break;
		default:
			break;
		}
	}
	pc_map_dispose(&idx, NULL);
	*n_apply = (int)counts[D_APPLY];
	pc_loop_log(l, "info", NULL, NULL, "plan: %zu to apply, %zu held, %zu deferred, %zu suspended, %zu in sync",
		    counts[D_APPLY], counts[D_HELD], counts[D_DEFERRED], counts[D_SUSPENDED], counts[D_NOOP]);
}

static void record_unapplied(pc_cycle *c, const pc_plan *plan, const disposition *disp)
{
	int64_t now = pc_wall_ms();
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		if (disp[i] == D_HELD || disp[i] == D_DEFERRED || disp[i] == D_SUSPENDED)
			pc_execution_add_action(c->exec, a->table, pc_action_label(a), disp_str(disp[i]), now,
						now, a->reason);
	}
}

static void count_unapplied_metrics(pc_loop *l, const pc_plan *plan, const disposition *disp)
{
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		if (disp[i] == D_HELD || disp[i] == D_DEFERRED)
			pc_metrics_action(l->metrics, pc_action_label(a), disp_str(disp[i]), 1);
	}
}

/* What one cycle holds between its parts. */
typedef struct cycle_run {
	const pc_actual *act;     /* borrowed from the loop's session */
	pc_plan *plan;
	disposition *disp;        /* per action of plan */
	pc_apply_result *res;
	const char *result;       /* success, failed, error, suspended, locked, invalid */
	char *error;              /* owned, NULL when none */
} cycle_run;

/* Snapshot, plan and the disposition of every action. */
static int plan_cycle(pc_loop *l, const pc_project *proj, int suspended, cycle_run *r)
{
	int rc = snapshot_and_plan(l, proj, &r->act, &r->plan, &r->result);
	if (rc < 0) {
		r->error = pc_strdup(pc_error_last());
		return rc;
	}
	free(r->disp);
	r->disp = pc_calloc(r->plan->actions.len + 1, sizeof(*r->disp));
	classify(l, r->plan, suspended, r->disp);
	return 0;
}

/* Run the applicable actions of r->plan (borrowed into a plan of their own) under lock. */
static void run_applicable(pc_loop *l, pc_cycle *c, pc_lock *lock, cycle_run *r)
{
	pc_plan sub = *r->plan;
	pc_apply_options aopt;
	progress_ctx pctx = { l, c };

	pc_vec_init(&sub.actions);
	for (size_t i = 0; i < r->plan->actions.len; i++) {
		if (r->disp[i] == D_APPLY)
			pc_vec_push(&sub.actions, r->plan->actions.items[i]);
		else if (r->disp[i] != D_NOOP)
			pc_vec_init(&sub.journals); /* a part waits: the journals of unfinished runs are still needed */
	}
	memset(&aopt, 0, sizeof(aopt));
	aopt.parallelism = l->o.parallelism;
	aopt.cancel = &c->exec_cancel;
	aopt.lock = lock;
	aopt.actual = r->act;
	aopt.progress = on_progress;
	aopt.progress_ctx = &pctx;
	c->wall_minus_mono = pc_wall_ms() - pc_mono_ms();
	if (sub.actions.len && !*l->stop) {
		if (pc_apply_run(&r->res, l->s.prov, &sub, &aopt) < 0) {
			r->result = "failed";
			r->error = pc_strdup(pc_error_last());
			pc_loop_log(l, "error", NULL, NULL, "could not apply: %s", r->error);
		} else {
			const pc_apply_result *res = r->res;
			remember(l, res);
			if (res->setup_error) {
				r->result = "failed";
				r->error = pc_sprintf("setup failed: %s", res->setup_error);
			} else if (res->n_failed) {
				r->result = "failed";
				r->error = pc_sprintf("%d action%s failed, %d skipped", res->n_failed,
						      res->n_failed == 1 ? "" : "s", res->n_skipped);
			} else if (res->interrupted) {
				r->error = pc_sprintf("interrupted: %s",
						      res->interrupt_reason ? res->interrupt_reason : "stopped");
				if (!*l->stop)
					r->result = "failed";
			}
		}
	}
	pc_vec_dispose(&sub.actions, NULL);
}

/*
 * Take the lock, plan again under it (the state may have moved), apply.
 * Returns < 0 when the plan under the lock failed (nothing to report but
 * the error); a lock held elsewhere is a result ("locked"), not a failure.
 */
static int apply_locked(pc_loop *l, pc_cycle *c, const pc_project *proj, cycle_run *r)
{
	pc_lock *lock = NULL;
	pc_lock_opts lopt;
	int rc;

	memset(&lopt, 0, sizeof(lopt));
	lopt.prefix = proj->config->prefix;
	lopt.timeout_ms = l->o.lock_timeout_ms;
	lopt.cancel = l->stop;
	lopt.command = "reconcile";
	lopt.ttl_ms = l->o.lock_ttl_ms;
	if ((rc = pc_lock_acquire(&lock, l->s.prov, &lopt)) < 0) {
		r->result = rc == PC_ELOCKED ? "locked" : "error";
		r->error = pc_strdup(pc_error_last());
		pc_loop_log(l, rc == PC_ELOCKED ? "warn" : "error", NULL, NULL, "not applied: %s", r->error);
		return 0;
	}
	r->act = NULL;
	pc_plan_free(r->plan);
	r->plan = NULL;
	if ((rc = plan_cycle(l, proj, c->suspended, r)) < 0) {
		pc_lock_release(lock);
		return rc;
	}
	run_applicable(l, c, lock, r);
	if (pc_lock_release(lock) < 0)
		pc_loop_log(l, "warn", NULL, NULL, "could not release the lock: %s", pc_error_last());
	return 0;
}

/*
 * --auto-promote, once the cycle succeeded: the green subgraphs that are
 * ready in this cycle's snapshot are promoted under the lock, planned again
 * from a fresh snapshot there (retire.h), as `pipectl promote` would. Their
 * drops are logged, counted and recorded with the cycle's other actions.
 * r->act is read here for the last time (a fresh snapshot replaces it).
 */
static void auto_promote(pc_loop *l, pc_cycle *c, const pc_project *proj, cycle_run *r)
{
	pc_plan *plan = NULL;
	pc_vec waiting = PC_VEC_INIT;
	pc_apply_result *res = NULL;
	pc_apply_options aopt;
	progress_ctx pctx = { l, c };
	pc_lock *lock = NULL;
	pc_lock_opts lopt;
	int rc;

	if (!l->o.auto_promote || c->suspended || *l->stop || !r->act || strcmp(r->result, "success") != 0)
		return;
	pc_plan_promote_ready(&plan, proj, r->act, &waiting);
	for (size_t i = 0; i < waiting.len; i++)
		pc_loop_log(l, "info", NULL, "drop", "auto-promote waits: %s", (const char *)waiting.items[i]);
	pc_vec_dispose(&waiting, free);
	if (!plan)
		return;
	pc_plan_free(plan);
	plan = NULL;
	memset(&lopt, 0, sizeof(lopt));
	lopt.prefix = proj->config->prefix;
	lopt.timeout_ms = l->o.lock_timeout_ms;
	lopt.cancel = l->stop;
	lopt.command = "reconcile";
	lopt.ttl_ms = l->o.lock_ttl_ms;
	if ((rc = pc_lock_acquire(&lock, l->s.prov, &lopt)) < 0) {
		pc_loop_log(l, "warn", NULL, NULL, "auto-promote not done: %s", pc_error_last());
		return;
	}
	r->act = NULL;
	if (pc_session_read_actual(&l->s) < 0) {
		r->result = "error";
		free(r->error);
		r->error = pc_sprintf("auto-promote: could not read the actual state: %s", pc_error_last());
		goto done;
	}
	if (pc_plan_promote_ready(&plan, proj, l->s.act, NULL) < 0 || !plan)
		goto done;
	memset(&aopt, 0, sizeof(aopt));
	aopt.parallelism = l->o.parallelism;
	aopt.cancel = &c->exec_cancel;
	aopt.lock = lock;
	aopt.actual = l->s.act;
	aopt.progress = on_progress;
	aopt.progress_ctx = &pctx;
	pc_loop_log(l, "info", NULL, "drop", "auto-promote: retiring %zu blue version%s", plan->actions.len,
		    plan->actions.len == 1 ? "" : "s");
	if (pc_apply_run(&res, l->s.prov, plan, &aopt) < 0 || !pc_apply_succeeded(res)) {
		r->result = "failed";
		free(r->error);
		r->error = res ? pc_sprintf("auto-promote: %d action%s failed, %d skipped", res->n_failed,
					    res->n_failed == 1 ? "" : "s", res->n_skipped)
			       : pc_sprintf("auto-promote: %s", pc_error_last());
		pc_loop_log(l, "error", NULL, "drop", "%s", r->error);
	}
done:
	pc_apply_result_free(res);
	pc_plan_free(plan);
	if (pc_lock_release(lock) < 0)
		pc_loop_log(l, "warn", NULL, NULL, "could not release the lock: %s", pc_error_last());
}

/* Failure memory, history, metrics and /status of a planned cycle. */
static void report_cycle(pc_loop *l, pc_cycle *c, const pc_project *proj, cycle_run *r)
{
	forget_healed(l, r->plan);
	record_unapplied(c, r->plan, r->disp);
	count_unapplied_metrics(l, r->plan, r->disp);
	report_plan(l, c, proj, r->act, r->plan, r->disp, r->res);
	if (c->invalid && strcmp(r->result, "success") == 0) {
		r->result = "invalid";
		if (!r->error && c->invalid_reason)
			r->error = pc_strdup(c->invalid_reason);
	}
}

/* The cycle's return code from its result word, with the error set. */
static int cycle_rc(const char *result, const char *error)
{
	if (strcmp(result, "success") == 0 || strcmp(result, "suspended") == 0)
		return 0;
	if (strcmp(result, "locked") == 0)
		return pc_error_set(PC_ELOCKED, "%s", error ? error : "locked");
	return pc_error_set(strcmp(result, "invalid") == 0 ? PC_EINVALID : PC_ERROR, "%s", error ? error : result);
}

int pc_loop_reconcile(pc_loop *l, pc_cycle *c, const pc_project *proj)
{
	cycle_run r;
	int n_apply = 0, rc;

	memset(&r, 0, sizeof(r));
	r.result = "success";
	if (plan_cycle(l, proj, c->suspended, &r) < 0) {
		c->reached_api = r.act != NULL;
		goto done;
	}
	c->reached_api = 1;
	log_plan(l, r.plan, r.disp, &n_apply);
	if (c->suspended)
		r.result = "suspended";
	else if (n_apply > 0 && !*l->stop && apply_locked(l, c, proj, &r) < 0)
		goto done;
	report_cycle(l, c, proj, &r);
	auto_promote(l, c, proj, &r);
done:
	pc_loop_finish(l, c, r.result, r.error, c->reached_api);
	pc_apply_result_free(r.res);
	pc_plan_free(r.plan);
	free(r.disp);
	/* read again next cycle: not held while the loop waits, nor while it reads the next tree */
	pc_actual_free(l->s.act);
	l->s.act = NULL;
	rc = cycle_rc(r.result, r.error);
	free(r.error);
	return rc;
}
