/*
 * destroy.h - the plan of `pipectl destroy SELECTOR...` (docs/cli.md,
 * docs/apply.md): drop the selected pipeline, children first, keeping every
 * table that a table outside the selection still reads.
 */
#ifndef PC_RECONCILE_DESTROY_H
#define PC_RECONCILE_DESTROY_H

#include "actual.h"
#include "plan.h"

/*
 * A plan of `drop` actions for the selected tables (selectors as plan's;
 * at least one). A selected table is kept, not dropped, when a desired
 * table that is not dropped reads it (outside the selection, kept itself,
 * or `active: false`); each kept table is a plan warning
 * "kept 'x': still read by 'y', 'z'". A selected table with
 * `protect: true` that would be dropped is an error naming it. Each drop
 * stops and deletes the table's managed DMLs and drops its table; its
 * teardown_after names its dropped children. Tables with nothing deployed
 * get a noop. Pure: changes nothing.
 */
int pc_plan_destroy(pc_plan **out, const pc_project *proj, const pc_actual *act,
		    const char *const *selectors, size_t n_selectors);

#endif
