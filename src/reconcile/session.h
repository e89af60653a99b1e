/*
 * snapshot.h - the desired and the actual state, read at the same time.
 *
 * Reading the tree (files, SQL analysis) and reading the target (pages of
 * statements, the topic list) are independent until the plan compares them:
 * the actual state needs only the config. So the API pages are fetched on a
 * second thread while this one reads the tree; at 10,000 tables that hides
 * the tree's cost behind the network's.
 */
#ifndef PC_RECONCILE_SNAPSHOT_H
#define PC_RECONCILE_SNAPSHOT_H

#include "../model/project.h"
#include "../providers/provider.h"
#include "actual.h"

/* What pc_snapshot_load() reads; everything owned. */
typedef struct pc_snapshot {
	pc_project *proj;
	pc_provider *prov;
	pc_actual *act;
	pc_config *prov_cfg; /* the provider's own copy of the config (it borrows it) */
} pc_snapshot;

/*
 * Load the config (root, config_path as pc_config_load), open its provider,
 * then read the project and the actual state concurrently. The provider and
 * the fetch get their own copy of the config, so nothing is shared between
 * the two threads. On failure returns the first error (config, provider,
 * project, then actual state) with pc_error_last() set; call
 * pc_snapshot_dispose() in every case. The project may carry per-file
 * problems (n_errors) with rc 0, as pc_project_load.
 */
int pc_snapshot_load(pc_snapshot *s, const char *root, const char *config_path);
/*
 * The same with a gate: gate(ctx, provider, config) runs once the provider is
 * open and before anything is read (apply takes the environment lock there,
 * so the actual state is read under it). A negative return stops the load
 * with that code.
 */
typedef int (*pc_snapshot_gate)(void *ctx, pc_provider *prov, const pc_config *cfg);
int pc_snapshot_load_gated(pc_snapshot *s, const char *root, const char *config_path,
			   pc_snapshot_gate gate, void *ctx);
/* Free the actual state, the provider, the project and the config; zeroes s. */
void pc_snapshot_dispose(pc_snapshot *s);

#endif
