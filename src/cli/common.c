/*
 * common.c - see common.h.
 */
#include "common.h"

#include "../reconcile/snapshot.h"
#include "../util/error.h"

#include <string.h>

int pc_view_open(pc_view *v, const pc_cli *cli)
{
	pc_snapshot s;
	int rc = pc_snapshot_load(&s, cli->root, cli->config_path);

	v->proj = s.proj;
	v->prov = s.prov;
	v->act = s.act;
	v->prov_cfg = s.prov_cfg;
	if (rc < 0) {
		if (v->proj && !v->act) {
			/* config, provider and tree were fine: the target was not */
			pc_cli_error("cannot read the actual state: %s", pc_error_last());
			return PC_EXIT_ERROR;
		}
		return pc_cli_fail(NULL, rc);
	}
	return PC_EXIT_OK;
}

void pc_view_close(pc_view *v)
{
	pc_snapshot s = { v->proj, v->prov, v->act, v->prov_cfg };
	pc_snapshot_dispose(&s);
	memset(v, 0, sizeof *v);
}
