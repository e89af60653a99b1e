/*
 * cmd_rollback.c - `pipectl rollback SELECTOR... [--auto-approve]
 * [--plan-only] [--out FILE]` (docs/blue-green.md): retire the green
 * versions of the selected tables; blue, which never stopped, stays (retire.h).
 * Arguments and the run are shared with promote (applyrun.h).
 */
#include "applyrun.h"
#include "cli.h"

int pc_cmd_rollback(const pc_cli *cli, int argc, char **argv)
{
	return pc_run_retire_main(cli, "rollback", PC_RETIRE_ROLLBACK, argc, argv);
}
