/*
 * common.h - what several commands share: printing a failure the one way,
 * and the read-only view of a target (project, provider, one snapshot of the
 * actual state) that `plan` and `status` start from.
 */
#ifndef PC_CLI_COMMON_H
#define PC_CLI_COMMON_H

#include "cli.h"

#include "../model/project.h"
#include "../providers/provider.h"
#include "../reconcile/actual.h"

/* Everything a view holds; pc_view_close() frees it. */
typedef struct pc_view {
	pc_project *proj;
	pc_provider *prov;
	pc_actual *act;
	pc_config *prov_cfg; /* the provider's copy of the config */
} pc_view;

/*
 * Load the project, open its provider, read the actual state (no lock; the
 * tree and the API pages are read at the same time: pc_snapshot_load). On
 * an error it is printed and the exit status returned; PC_EXIT_OK when the
 * view is complete. Call pc_view_close() in every case.
 */
int pc_view_open(pc_view *v, const pc_cli *cli);
void pc_view_close(pc_view *v);

#endif
