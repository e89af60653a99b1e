/*
 * cmd_unlock.c - `pipectl unlock [--force] [--leader]` (docs/cli.md, as
 * `terraform force-unlock`): end the environment lock by hand and say whose
 * it was (docs/locking.md).
 *
 * Without --force a holder that may still act is refused (exit 3): one that
 * runs on this host, or whose last heartbeat is younger than its TTL. A dead
 * or lapsed holder is removed through the same takeover claim an acquiring
 * process uses. --force deletes the lock's statements whatever the holder.
 * Exit 0 also when nobody holds the lock.
 */
#include "args.h"
#include "cli.h"

#include "../reconcile/lock.h"
#include "../reconcile/session.h"
#include "../util/alloc.h"
#include "../util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pc_cmd_unlock(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *self = pc_cli_find("unlock");
	pc_session s = PC_SESSION_INIT;
	pc_config *cfg = NULL;
	pc_lock_info info = { 0 };
	const char *kind = "lock";
	char *name = NULL, *who = NULL;
	pc_args args = PC_ARGS_INIT(argc, argv);
	int force = 0, rc, status;

	if (pc_cli_wants_help("unlock", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		if (pc_args_flag(&args, "--force", NULL))
			force = 1;
		else if (pc_args_flag(&args, "--leader", NULL))
			kind = "leader";
		else
			return pc_cli_usage_error(self, "unknown argument '%s'", args.arg);
	}
	/* the target only: no tree, no actual state */
	if ((rc = pc_config_find(&cfg, cli->root, cli->config_path, NULL)) < 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	rc = pc_session_set_desired(&s, cfg, NULL, NULL);
	cfg = NULL; /* the session's */
	if (rc < 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	name = pc_sprintf("%s-pipectl-%s", s.config->prefix ? s.config->prefix : "", kind);
	rc = pc_lock_break(s.prov, s.config->prefix, kind, force, &info);
	if (rc == PC_ENOTFOUND) {
		printf("no lock: nobody holds '%s'\n", name);
		status = PC_EXIT_OK;
		goto done;
	}
	if (rc < 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	who = pc_lock_info_describe(&info);
	printf("released the lock '%s' of %s%s\n", name, who, force ? " (forced)" : "");
	status = PC_EXIT_OK;
done:
	free(who);
	free(name);
	pc_lock_info_dispose(&info);
	pc_session_dispose(&s);
	return status;
}
