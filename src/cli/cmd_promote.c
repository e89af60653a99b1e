/*
 * cmd_promote.c - `pipectl promote SELECTOR... [--auto-approve]
 * [--plan-only] [--out FILE]` (docs/blue-green.md): retire the blue
 * versions of the selected tables once every green serves (retire.h).
 * Arguments and the run are shared with rollback (applyrun.h).
 */
#include "applyrun.h"
#include "cli.h"

int pc_cmd_promote(const pc_cli *cli, int argc, char **argv)
{
	return pc_run_retire_main(cli, "promote", PC_RETIRE_PROMOTE, argc, argv);
}
