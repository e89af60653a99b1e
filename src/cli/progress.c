/*
 * progress.c - live lines on a terminal, plain lines elsewhere (progress.h).
 */
#include "progress.h"
#include "color.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/timeutil.h"
#include "../util/vec.h"

#include <stdlib.h>
#include <string.h>

/* A taller live block would scroll the finished lines away. */
#define LIVE_MAX_LINES 20

typedef struct running {
	const pc_action_result *res;
	char *step;       /* current step text (owned) */
} running;

struct pc_progress {
	FILE *out;
	int live;
	int steps;        /* plain mode: print every step */
	pc_vec running;   /* running * in start order */
	int drawn;        /* lines of the live block on screen */
	int json;         /* JSON lines */
};

pc_progress *pc_progress_new(FILE *out, int live, int steps)
{
	pc_progress *pr = PC_NEW(pc_progress);
	pr->out = out;
	pr->live = live;
	pr->steps = steps;
	return pr;
}

static void running_free(void *ptr)
{
	running *r = ptr;
	if (!r)
		return;
	free(r->step);
	free(r);
}

static void erase(pc_progress *pr)
{
	for (int i = 0; i < pr->drawn; i++)
		fputs("\033[1A\033[2K", pr->out);
	pr->drawn = 0;
}

void pc_progress_free(pc_progress *pr)
{
	if (!pr)
		return;
	if (pr->live) {
		erase(pr);
		fflush(pr->out);
	}
	pc_vec_dispose(&pr->running, running_free);
	free(pr);
}

void pc_progress_duration(int64_t ms, char *out, size_t n)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60000)
		snprintf(out, n, "%.1fs", (double)ms / 1000.0);
	else
		snprintf(out, n, "%ldm%02lds", (long)(ms / 60000), (long)((ms / 1000) % 60));
}

/* The action's word; a new blue/green version is "green" (docs/reconcile.md, "Blue/green"). */
static const char *kind_of(const pc_action_result *res)
{
	if (res->action->green >= 2 && res->action->kind == PC_ACT_CREATE)
		return "green";
	return pc_action_label(res->action);
}

static running *find(pc_progress *pr, const pc_action_result *res, size_t *idx)
{
	for (size_t i = 0; i < pr->running.len; i++) {
		running *r = pr->running.items[i];
		if (r->res == res) {
			if (idx)
				*idx = i;
			return r;
		}
	}
	return NULL;
}

/* Terminal width would be nicer; 160 columns keeps a line from wrapping in most. */
static void put_clipped(FILE *out, const char *s)
{
	size_t n = strlen(s);
	if (n > 158)
		fprintf(out, "%.155s...\n", s);
	else
		fprintf(out, "%s\n", s);
}

static void draw(pc_progress *pr)
{
	int64_t now = pc_mono_ms();
	pc_buf line = PC_BUF_INIT;

	for (size_t i = 0; i < pr->running.len; i++) {
		running *r = pr->running.items[i];
		char el[32];
		if (i == LIVE_MAX_LINES && pr->running.len > LIVE_MAX_LINES + 1) {
			fprintf(pr->out, "  ... and %zu more running\n", pr->running.len - i);
			pr->drawn++;
			break;
		}
		pc_progress_duration(now - r->res->started_ms, el, sizeof el);
		pc_buf_clear(&line);
		pc_buf_printf(&line, "  ... %-11s %s  %s%s%s", kind_of(r->res), pc_action_physical(r->res->action), el,
			      r->step ? "  " : "", r->step ? r->step : "");
		put_clipped(pr->out, line.ptr);
		pr->drawn++;
	}
	pc_buf_dispose(&line);
}

static void end_line(pc_progress *pr, const pc_action_result *res)
{
	char el[32];
	pc_progress_duration(res->duration_ms, el, sizeof el);
	switch (res->state) {
	case PC_RESULT_DONE:
		fprintf(pr->out, "  %s%-6s%s %-11s %s  (%s)\n", pc_color(pr->out, PC_COLOR_GREEN), "ok",
			pc_color(pr->out, PC_COLOR_RESET), kind_of(res), pc_action_physical(res->action), el);
		break;
	case PC_RESULT_FAILED:
		fprintf(pr->out, "  %s%-6s%s %-11s %s  (%s): %s\n", pc_color(pr->out, PC_COLOR_RED), "FAILED",
			pc_color(pr->out, PC_COLOR_RESET), kind_of(res), pc_action_physical(res->action), el,
			res->error ? res->error : "");
		break;
	case PC_RESULT_SKIPPED:
		fprintf(pr->out, "  %s%-6s%s %-11s %s: %s\n", pc_color(pr->out, PC_COLOR_YELLOW), "skip",
			pc_color(pr->out, PC_COLOR_RESET), kind_of(res), pc_action_physical(res->action),
			res->error ? res->error : "skipped");
		break;
	default:
		break;
	}
}

pc_progress *pc_progress_new_json(FILE *out)
{
	pc_progress *pr = pc_progress_new(out, 0, 1);
	pr->json = 1;
	return pr;
}

static void json_line_start(pc_buf *b, const char *event)
{
	pc_buf_puts(b, "{\"format_version\":\"1\",\"event\":");
	pc_buf_put_json_str(b, event);
}

static void json_str_or_null(pc_buf *b, const char *key, const char *s)
{
	pc_buf_printf(b, ",\"%s\":", key);
	if (s)
		pc_buf_put_json_str(b, s);
	else
		pc_buf_puts(b, "null");
}

static void json_event(pc_progress *pr, const pc_apply_event *ev)
{
	const pc_action_result *res = ev->result;
	pc_buf b = PC_BUF_INIT;

	if (ev->kind == PC_APPLY_EV_TICK || (res && !pc_action_acts(res->action)))
		return;
	json_line_start(&b, ev->kind == PC_APPLY_EV_ACTION_START ? "start" : ev->kind == PC_APPLY_EV_STEP ? "step" : "end");
	json_str_or_null(&b, "table", res ? res->action->table : NULL);
	json_str_or_null(&b, "physical", res ? pc_action_physical(res->action) : NULL);
	json_str_or_null(&b, "action", res ? pc_action_label(res->action) : "setup");
	if (ev->kind == PC_APPLY_EV_STEP)
		json_str_or_null(&b, "text", ev->text);
	if (ev->kind == PC_APPLY_EV_ACTION_END && res) {
		json_str_or_null(&b, "result", res->state == PC_RESULT_DONE     ? "ok"
						: res->state == PC_RESULT_FAILED ? "failed"
										 : "skipped");
		pc_buf_printf(&b, ",\"duration_ms\":%lld", (long long)res->duration_ms);
		json_str_or_null(&b, "error", res->error);
		json_str_or_null(&b, "exception", res->exception);
	}
	pc_buf_puts(&b, "}\n");
	fwrite(b.ptr, 1, b.len, pr->out);
	fflush(pr->out);
	pc_buf_dispose(&b);
}

void pc_progress_plan_json(FILE *out, const pc_plan *plan)
{
	pc_buf b = PC_BUF_INIT;
	int first = 1;

	json_line_start(&b, "plan");
	pc_buf_printf(&b, ",\"changes\":%s,\"summary\":{", pc_plan_has_changes(plan) ? "true" : "false");
	for (int k = 0; k < PC_ACT__COUNT; k++)
		pc_buf_printf(&b, "%s\"%s\":%d", k ? "," : "", pc_action_kind_str((pc_action_kind)k), plan->summary[k]);
	pc_buf_printf(&b, ",\"renew\":%d},\"actions\":[", plan->renewals);
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		if (!pc_action_acts(a))
			continue;
		pc_buf_puts(&b, first ? "{\"table\":" : ",{\"table\":");
		first = 0;
		pc_buf_put_json_str(&b, a->table);
		json_str_or_null(&b, "physical", pc_action_physical(a));
		json_str_or_null(&b, "action", pc_action_kind_str(a->kind));
		if (a->renew)
			json_str_or_null(&b, "renew", a->renew);
		json_str_or_null(&b, "reason", a->reason);
		pc_buf_printf(&b, ",\"destructive\":%s,\"green\":%s}", a->destructive ? "true" : "false",
			      a->green >= 2 && a->kind == PC_ACT_CREATE ? "true" : "false");
	}
	pc_buf_puts(&b, "],\"warnings\":[");
	for (size_t i = 0; i < plan->warnings.len; i++) {
		pc_buf_puts(&b, i ? "," : "");
		pc_buf_put_json_str(&b, plan->warnings.items[i]);
	}
	pc_buf_puts(&b, "]}\n");
	fwrite(b.ptr, 1, b.len, out);
	fflush(out);
	pc_buf_dispose(&b);
}

void pc_progress_summary_json(FILE *out, const pc_apply_result *r, const char *verb)
{
	pc_buf b = PC_BUF_INIT;
	(void)verb;
	json_line_start(&b, "summary");
	json_str_or_null(&b, "result", r->interrupted ? "interrupted" : (r->n_failed || r->setup_error) ? "failed" : "success");
	pc_buf_printf(&b, ",\"done\":%d,\"failed\":%d,\"skipped\":%d,\"duration_ms\":%lld", r->n_done, r->n_failed,
		      r->n_skipped, (long long)r->duration_ms);
	json_str_or_null(&b, "error", r->setup_error ? r->setup_error : r->interrupt_reason);
	pc_buf_puts(&b, "}\n");
	fwrite(b.ptr, 1, b.len, out);
	fflush(out);
	pc_buf_dispose(&b);
}

void pc_progress_event(void *ctx, const pc_apply_event *ev)
{
	pc_progress *pr = ctx;
	const pc_action_result *res = ev->result;
	running *r;
	size_t idx;

	if (pr->json) {
		json_event(pr, ev);
		return;
	}

	if (ev->kind == PC_APPLY_EV_TICK && !pr->live)
		return;
	if (res && !pc_action_acts(res->action))
		return;
	if (pr->live)
		erase(pr);
	switch (ev->kind) {
	case PC_APPLY_EV_ACTION_START:
		r = PC_NEW(running);
		r->res = res;
		pc_vec_push(&pr->running, r);
		if (!pr->live)
			fprintf(pr->out, "  %-6s %-11s %s\n", "start", kind_of(res), pc_action_physical(res->action));
		break;
	case PC_APPLY_EV_STEP:
		if (!res) {
			fprintf(pr->out, "  setup: %s\n", ev->text);
			break;
		}
		r = find(pr, res, NULL);
		if (r) {
			free(r->step);
			r->step = pc_strdup(ev->text);
		}
		if (!pr->live && pr->steps)
			fprintf(pr->out, "         %-11s %s: %s\n", kind_of(res), pc_action_physical(res->action), ev->text);
		break;
	case PC_APPLY_EV_ACTION_END:
		if ((r = find(pr, res, &idx)) != NULL) {
			running_free(r);
			pc_vec_remove(&pr->running, idx);
		}
		end_line(pr, res);
		break;
	case PC_APPLY_EV_TICK:
		break;
	}
	if (pr->live)
		draw(pr);
	fflush(pr->out);
}

void pc_progress_summary(FILE *out, const pc_apply_result *r, const char *verb)
{
	int header = 0;

	for (size_t i = 0; i < r->actions.len; i++) {
		const pc_action_result *a = r->actions.items[i];
		if (a->state != PC_RESULT_FAILED)
			continue;
		if (!header++)
			fprintf(out, "\n%sFailed:%s\n", pc_color(out, PC_COLOR_RED), pc_color(out, PC_COLOR_RESET));
		fprintf(out, "  %s %s: %s\n", pc_action_kind_str(a->action->kind), pc_action_physical(a->action),
			a->error ? a->error : "failed");
		if (a->exception)
			fprintf(out, "    latest exception: %s\n", a->exception);
	}
	if (r->setup_error)
		fprintf(out, "\nSetup failed: %s\n", r->setup_error);
	if (r->interrupted)
		fprintf(out, "\nInterrupted: %s; nothing new was started.\n",
			r->interrupt_reason ? r->interrupt_reason : "stopped");
	fprintf(out, "\n%s complete: %d done, %d failed, %d skipped.\n", verb, r->n_done, r->n_failed, r->n_skipped);
}
