/*
 * select.h - table selectors (docs/cli.md, docs/reconcile.md).
 *
 *   TABLE          the table
 *   +TABLE         the table and all its ancestors
 *   TABLE+         the table and all its descendants
 *   +TABLE+        both
 *   @TABLE         the table, its descendants, and every ancestor of those
 *                  descendants (dbt's '@': everything needed to rebuild what
 *                  the table feeds)
 *   product:NAME   every table of that product
 *   layer:NAME     every table of that layer
 *
 * Several selectors are a union. The ancestors a selection cannot run
 * without (absent or not running) are added by the planner, not here.
 */
#ifndef PC_MODEL_SELECT_H
#define PC_MODEL_SELECT_H

#include "project.h"
#include "../util/map.h"

/*
 * Resolve selectors into out (table name -> pc_table *, borrowed; out must
 * be initialised). n == 0 selects every table. An unknown table, or a
 * product:/layer: that matches nothing, is PC_EUSAGE with one line naming
 * the selector.
 */
int pc_select(pc_map *out, const pc_project *proj, const char *const *sels, size_t n);

#endif
