/*
 * common.c - see common.h.
 */
#include "common.h"

#include "../util/error.h"

#include <string.h>

int pc_common_fail(int rc)
{
	pc_cli_error("%s", pc_error_last());
	return pc_cli_exit_for(rc);
}

int pc_view_open(pc_view *v, const pc_cli *cli)
{
	int rc;

	memset(v, 0, sizeof *v);
	if ((rc = pc_project_load(&v->proj, cli->root, cli->config_path)) < 0)
		return pc_common_fail(rc);
	if ((rc = pc_provider_open(&v->prov, v->proj->config)) < 0)
		return pc_common_fail(rc);
	if ((rc = pc_actual_load(&v->act, v->prov, v->proj)) < 0) {
		pc_cli_error("cannot read the actual state: %s", pc_error_last());
		return PC_EXIT_ERROR;
	}
	return PC_EXIT_OK;
}

void pc_view_close(pc_view *v)
{
	pc_actual_free(v->act);
	v->act = NULL;
	pc_provider_free(v->prov);
	v->prov = NULL;
	pc_project_free(v->proj);
	v->proj = NULL;
}
