/*
 * provider_open.c - the provider the config names.
 */
#include "provider.h"

#include "../util/error.h"

#include <string.h>

int pc_provider_open(pc_provider **out, const pc_config *cfg)
{
	const char *target = cfg->target && *cfg->target ? cfg->target : "local";

	*out = NULL;
	if (strcmp(target, "local") == 0)
		return pc_local_open(out, cfg);
	if (strcmp(target, "confluent") == 0)
		return pc_confluent_open(out, cfg);
	return pc_error_set(PC_EINVALID, "unknown target '%s' (expected 'local' or 'confluent')", target);
}
