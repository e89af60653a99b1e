/*
 * render.h - terraform-like text of a plan, shared by plan, apply and
 * destroy. Only src/cli prints.
 *
 *   + create       fct_orders  (table absent)
 *   ~ replace-dml  int_orders  (DML changed; stateless, append-only: offsets carried over)
 *   -/+ rebuild    dim_users   (DML changed; stateful: GROUP BY at dml.dim_users.sql:7)
 *   > start        src_x       (DML stopped: resume it)
 *   - drop         old_t       (gone from git (--prune))
 *   Plan: 1 to create, 1 to start, 1 to replace, 1 to rebuild, 0 to restart, 1 to drop.
 */
#ifndef PC_CLI_RENDER_H
#define PC_CLI_RENDER_H

#include "../reconcile/plan.h"

#include <stdio.h>

/* Symbol of an action: "+", "~", "-/+", ">", "-", "-/+" (restart: "~>"), " " (noop). */
const char *pc_render_symbol(pc_action_kind k);

/*
 * Print the plan: warnings, one line per action (noops only when verbose;
 * with verbose also details and steps), then the summary line, or
 * "No changes. Actual state matches git." when nothing is to be done.
 */
void pc_render_plan(FILE *f, const pc_plan *p, int verbose);
/*
 * The same; with diffs, each action is followed by what it changes in the
 * running statements (pc_action.diff): a unified diff of the SQL (running
 * statement -> git), "compute pool: old → new", "property K: old → new".
 * pc_render_plan shows them; plan --compact does not.
 */
void pc_render_plan_ex(FILE *f, const pc_plan *p, int verbose, int diffs);
/* The colour of an action kind on f (color.h): green, yellow or red. */
const char *pc_render_color(FILE *f, pc_action_kind k);

/* "Plan: 3 to create, …" into f (with newline). */
void pc_render_summary(FILE *f, const pc_plan *p);

#endif
