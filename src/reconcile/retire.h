/*
 * retire.h - the plans of `pipectl promote SELECTOR...` and `pipectl
 * rollback SELECTOR...` (docs/blue-green.md, docs/cli.md): retire one side
 * of the blue/green pairs of the selected tables.
 *
 * A logical table with two physical versions in the target has a blue one
 * (the lower version, serving) and a green one (the higher, the candidate;
 * versions.h). promote retires every version but the green one, rollback
 * every version but the blue one. To retire a version is to stop and
 * delete its managed DMLs and drop its table (DROP VIEW for a view),
 * readers first: the plan is made of `drop` actions named by the physical
 * table ("int_orders", "int_orders_v2"), with the steps of a destroy, so
 * the ordinary executor runs it, the lock guards it, the history records
 * it and a saved one is applied by `apply FILE` (plan->command says which).
 *
 * Refused, with one line naming the tables, and nothing planned:
 *   - no selected table has a green version ("nothing to promote" /
 *     "nothing to roll back");
 *   - a selection that splits a green subgraph: the tables with a green
 *     version that read one another (a green reading a green, a blue reading
 *     a blue) go together, so that no green is left reading a retired table
 *     and no blue is left read by a green one;
 *   - a statement that stays (outside what is retired) reading a table
 *     that would be retired;
 *   - promote: a green whose DML is not RUNNING (FAILED, PENDING, ...) or
 *     whose table does not exist;
 *   - a table that is protected (protect: true, pipectl.yaml protect:, or a
 *     protection recorded on one of its statements).
 * Pure: reads the project and the snapshot, changes nothing.
 */
#ifndef PC_RECONCILE_RETIRE_H
#define PC_RECONCILE_RETIRE_H

#include "actual.h"
#include "plan.h"

typedef enum pc_retire_kind {
	PC_RETIRE_PROMOTE = 0, /* retire blue: green becomes the table's only (current) version */
	PC_RETIRE_ROLLBACK,    /* retire green: blue, which never stopped, stays */
} pc_retire_kind;

/* "promote", "rollback". */
const char *pc_retire_kind_str(pc_retire_kind k);

/*
 * The plan (see above) for the selectors (as plan's; at least one).
 * Selected tables without a green version are left out with a plan
 * warning. plan->command is "promote" or "rollback". Returns 0, PC_EUSAGE
 * (no selector, an unknown one) or PC_EINVALID with one line.
 */
int pc_plan_retire(pc_plan **out, const pc_project *proj, const pc_actual *act, pc_retire_kind kind,
		   const char *const *selectors, size_t n_selectors);

/*
 * The reconcile loop's --auto-promote: the promote plan of every green
 * subgraph that may be promoted now (every green RUNNING, nothing
 * protected, no reader left on a retired table). *out is NULL when there is
 * none. waiting (may be NULL) gets one owned line per subgraph that is not
 * ready, saying why ("int_orders, fct_orders: ...").
 */
int pc_plan_promote_ready(pc_plan **out, const pc_project *proj, const pc_actual *act, pc_vec *waiting);

/* Number of desired tables that have a green version (/metrics). */
size_t pc_retire_count_green(const pc_project *proj, const pc_actual *act);

#endif
