/*
 * render.c - terraform-like text of a plan (render.h).
 */
#include "render.h"

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
	fprintf(f, "Plan: %d to create, %d to start, %d to replace, %d to rebuild, %d to restart, %d to drop; %d unchanged.\n",
		p->summary[PC_ACT_CREATE], p->summary[PC_ACT_START], p->summary[PC_ACT_REPLACE_DML],
		p->summary[PC_ACT_REBUILD], p->summary[PC_ACT_RESTART], p->summary[PC_ACT_DROP],
		p->summary[PC_ACT_NOOP]);
}

void pc_render_plan(FILE *f, const pc_plan *p, int verbose)
{
	size_t i, j, wa = 0, wt = 0;

	for (i = 0; i < p->actions.len; i++) {
		const pc_action *a = p->actions.items[i];
		size_t la, lt;
		if (a->kind == PC_ACT_NOOP && !verbose)
			continue;
		la = strlen(pc_render_symbol(a->kind)) + 1 + strlen(pc_action_kind_str(a->kind));
		lt = strlen(a->table);
		if (la > wa)
			wa = la;
		if (lt > wt)
			wt = lt;
	}
	for (i = 0; i < p->warnings.len; i++)
		fprintf(f, "warning: %s\n", (const char *)p->warnings.items[i]);
	if (p->warnings.len)
		fputc('\n', f);
	if (!pc_plan_has_changes(p)) {
		if (verbose)
			for (i = 0; i < p->actions.len; i++) {
				const pc_action *a = p->actions.items[i];
				fprintf(f, "  %-*s  %-*s  (%s)\n", (int)wa, "  noop", (int)wt, a->table, a->reason);
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
		if (a->kind == PC_ACT_NOOP && !verbose)
			continue;
		snprintf(head, sizeof(head), "%s %s", pc_render_symbol(a->kind), pc_action_kind_str(a->kind));
		fprintf(f, "  %-*s  %-*s  (%s)\n", (int)wa, head, (int)wt, a->table, a->reason);
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
