/*
 * render.c - terraform-like text of a plan (render.h).
 */
#include "render.h"

#include "color.h"
#include "diff.h"

#include <stdio.h>
#include <string.h>

const char *pc_render_symbol(pc_action_kind k)
{
	switch (k) {
	case PC_ACT_CREATE:
		return "+";
	case PC_ACT_START:
		return ">";
	case PC_ACT_REPLACE_DML:
		return "~";
	case PC_ACT_REBUILD:
		return "-/+";
	case PC_ACT_RESTART:
		return "~>";
	case PC_ACT_DROP:
		return "-";
	default:
		return " ";
	}
}

static void print_step(FILE *f, size_t n, const pc_step *s)
{
	fprintf(f, "        %zu. %s%s", n, pc_step_kind_str(s->kind), s->teardown ? " (teardown)" : "");
	if (s->statement)
		fprintf(f, " %s", s->statement);
	if (s->kind == PC_STEP_CREATE_POOL && s->pool_display_name)
		fprintf(f, " '%s'", s->pool_display_name);
	if (s->kind == PC_STEP_CREATE_DML && s->carry_from)
		fprintf(f, " (offsets from %s)", s->carry_from);
	else if (s->kind == PC_STEP_CREATE_DML)
		fputs(" (from earliest)", f);
	if (s->compute_pool)
		fprintf(f, " pool %s", s->compute_pool);
	else if (s->pool_display_name && s->kind != PC_STEP_CREATE_POOL)
		fprintf(f, " pool '%s' (created)", s->pool_display_name);
	fputc('\n', f);
}

void pc_render_summary(FILE *f, const pc_plan *p)
{
	char renew[64] = "";
	if (p->renewals) /* noops that keep their DDL record alive: not counted as unchanged */
		snprintf(renew, sizeof(renew), "; %d DDL record%s to renew", p->renewals, p->renewals == 1 ? "" : "s");
	fprintf(f, "Plan: %d to create, %d to start, %d to replace, %d to rebuild, %d to restart, %d to drop%s; %d unchanged.\n",
		p->summary[PC_ACT_CREATE], p->summary[PC_ACT_START], p->summary[PC_ACT_REPLACE_DML],
		p->summary[PC_ACT_REBUILD], p->summary[PC_ACT_RESTART], p->summary[PC_ACT_DROP], renew,
		p->summary[PC_ACT_NOOP] - p->renewals);
	if (p->greens)
		fprintf(f, "Blue/green: %d green version%s (of the %d to create), %d extra running statement%s until "
			   "promote or rollback.\n",
			p->greens, p->greens == 1 ? "" : "s", p->summary[PC_ACT_CREATE], p->extra_running,
			p->extra_running == 1 ? "" : "s");
}

/* A new green version (docs/reconcile.md, "Blue/green"). */
static int new_green(const pc_action *a)
{
	return a->green >= 2 && a->kind == PC_ACT_CREATE;
}

/* "~ renew" for a noop that renews its DDL record, "+ green" for a new green, else the symbol and the kind. */
static void action_head(char *out, size_t n, const pc_action *a)
{
	if (a->kind == PC_ACT_NOOP && a->renew)
		snprintf(out, n, "~ renew");
	else
		snprintf(out, n, "%s %s", pc_render_symbol(a->kind), new_green(a) ? "green" : pc_action_kind_str(a->kind));
}

const char *pc_render_color(FILE *f, pc_action_kind k)
{
	switch (k) {
	case PC_ACT_CREATE:
	case PC_ACT_START:
		return pc_color(f, PC_COLOR_GREEN);
	case PC_ACT_REPLACE_DML:
	case PC_ACT_RESTART:
		return pc_color(f, PC_COLOR_YELLOW);
	case PC_ACT_REBUILD:
	case PC_ACT_DROP:
		return pc_color(f, PC_COLOR_RED);
	default:
		return "";
	}
}

static void print_value(FILE *f, const char *v)
{
	if (v)
		fprintf(f, "'%s'", v);
	else
		fputs("(none)", f);
}

static void print_diff(FILE *f, const pc_action *a)
{
	for (size_t i = 0; i < a->diff.len; i++) {
		const pc_change *c = a->diff.items[i];
		if (strcmp(c->what, "dml") == 0 || strcmp(c->what, "ddl") == 0) {
			char old_label[512], new_label[512];
			snprintf(old_label, sizeof(old_label), "%s %s (running)", c->statement ? c->statement : a->table,
				 strcmp(c->what, "dml") == 0 ? "DML" : "DDL");
			snprintf(new_label, sizeof(new_label), "%s %s (git)", a->table,
				 strcmp(c->what, "dml") == 0 ? "DML" : "DDL");
			if (pc_diff_print(f, "      ", old_label, c->old_value, new_label, c->new_value) < 0)
				fprintf(f, "      (%s changed; the diff could not be computed)\n", c->what);
			continue;
		}
		if (strcmp(c->what, "compute_pool") == 0)
			fputs("      compute pool: ", f);
		else
			fprintf(f, "      property %s: ", c->key ? c->key : "?");
		print_value(f, c->old_value);
		fputs(" \u2192 ", f);
		print_value(f, c->new_value);
		fputc('\n', f);
	}
}

void pc_render_plan(FILE *f, const pc_plan *p, int verbose)
{
	pc_render_plan_ex(f, p, verbose, 1);
}

void pc_render_plan_ex(FILE *f, const pc_plan *p, int verbose, int diffs)
{
	size_t i, j, wa = 0, wt = 0;

	for (i = 0; i < p->actions.len; i++) {
		const pc_action *a = p->actions.items[i];
		size_t la, lt;
		char head[64];
		if (!pc_action_acts(a) && !verbose)
			continue;
		action_head(head, sizeof(head), a);
		la = strlen(head);
		lt = strlen(pc_action_physical(a));
		if (la > wa)
			wa = la;
		if (lt > wt)
			wt = lt;
	}
	for (i = 0; i < p->warnings.len; i++)
		fprintf(f, "%swarning:%s %s\n", pc_color(f, PC_COLOR_YELLOW), pc_color(f, PC_COLOR_RESET),
			(const char *)p->warnings.items[i]);
	if (p->warnings.len)
		fputc('\n', f);
	if (!pc_plan_has_changes(p)) {
		if (verbose)
			for (i = 0; i < p->actions.len; i++) {
				const pc_action *a = p->actions.items[i];
				fprintf(f, "  %-*s  %-*s  (%s)\n", (int)wa, "  noop", (int)wt, pc_action_physical(a), a->reason);
			}
		fprintf(f, "No changes. The target matches git (%zu table%s checked).\n", p->actions.len,
			p->actions.len == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < p->setup.len; i++) {
		const pc_step *s = p->setup.items[i];
		fprintf(f, "  + %s '%s'\n", pc_step_kind_str(s->kind), s->pool_display_name ? s->pool_display_name : "");
	}
	for (i = 0; i < p->actions.len; i++) {
		const pc_action *a = p->actions.items[i];
		char head[64];
		if (!pc_action_acts(a) && !verbose)
			continue;
		action_head(head, sizeof(head), a);
		if (new_green(a)) {
			/* + green int_orders_v2  (blue int_orders keeps serving), then why it is not in place */
			fprintf(f, "  %s%-*s%s  %-*s  (blue %s keeps serving)\n", pc_render_color(f, a->kind), (int)wa,
				head, *pc_render_color(f, a->kind) ? pc_color(f, PC_COLOR_RESET) : "", (int)wt,
				pc_action_physical(a), a->blue ? a->blue : a->table);
			fprintf(f, "  %-*s  %-*s  because: %s%s%s%s\n", (int)wa, "", (int)wt, "", a->reason,
				a->retires ? "; retires superseded green " : "", a->retires ? a->retires : "",
				a->refused ? " (refused)" : "");
		} else {
			fprintf(f, "  %s%-*s%s  %-*s  (%s)\n", pc_render_color(f, a->kind), (int)wa, head,
				*pc_render_color(f, a->kind) ? pc_color(f, PC_COLOR_RESET) : "", (int)wt,
				pc_action_physical(a), a->reason);
		}
		if (diffs)
			print_diff(f, a);
		if (!verbose)
			continue;
		for (j = 0; j < a->details.len; j++)
			fprintf(f, "        %s\n", (const char *)a->details.items[j]);
		if (a->depends_on.len) {
			fputs("        after:", f);
			for (j = 0; j < a->depends_on.len; j++)
				fprintf(f, " %s", (const char *)a->depends_on.items[j]);
			fputc('\n', f);
		}
		if (a->pool_source)
			fprintf(f, "        pool: %s (%s)\n", a->compute_pool ? a->compute_pool : "-", a->pool_source);
		for (j = 0; j < a->steps.len; j++)
			print_step(f, j + 1, a->steps.items[j]);
	}
	fputc('\n', f);
	pc_render_summary(f, p);
}
