/*
 * common.c - see common.h.
 */
#include "common.h"

#include "../util/error.h"

int pc_common_session(pc_session *s, const pc_cli *cli)
{
	int rc = pc_session_load(s, cli->root, cli->config_path, NULL, NULL);

	if (rc < 0) {
		if (s->proj && !s->act) {
			/* config, provider and tree were fine: the target was not */
			pc_cli_error("cannot read the actual state: %s", pc_error_last());
			return PC_EXIT_ERROR;
		}
		return pc_cli_fail(NULL, rc);
	}
	return PC_EXIT_OK;
}
