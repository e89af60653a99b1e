/*
 * retirerun.c - the arguments of `promote` and `rollback` (applyrun.h:
 * pc_run_retire_main), one reader for the two commands, whose entry points
 * stay in cmd_promote.c and cmd_rollback.c.
 */
#include "applyrun.h"
#include "args.h"
#include "cli.h"

#include "../util/error.h"
#include "../util/vec.h"

int pc_run_retire_main(const pc_cli *cli, const char *name, pc_retire_kind kind, int argc, char **argv)
{
	const pc_command *self = pc_cli_find(name);
	pc_run_opts ro = { 0 };
	pc_vec sels = PC_VEC_INIT;
	const char *out_path = NULL;
	int rc, m, status = PC_EXIT_ERROR, plan_only = 0;
	pc_args args = PC_ARGS_INIT(argc, argv);

	if (pc_cli_wants_help(name, argc, argv))
		return PC_EXIT_OK;
	ro.lock_timeout_ms = PC_LOCK_TIMEOUT_MS_DEFAULT;
	ro.command = name;
	while (pc_args_next(&args)) {
		const char *a = args.arg;
		if ((rc = pc_run_parse_opt(&ro, &args)) < 0) {
			status = pc_cli_usage_error(self, "%s", pc_error_last());
			goto done;
		} else if (rc == 1) {
			continue;
		}
		if (pc_args_flag(&args, "--plan-only", NULL)) {
			plan_only = 1;
		} else if ((m = pc_args_value(&args, "--out")) != 0) {
			if (m < 0 || !*args.value) {
				status = pc_cli_usage_error(self, "--out needs a file name");
				goto done;
			}
			out_path = args.value;
		} else if (pc_args_is_option(&args)) {
			status = pc_cli_usage_error(self, "unknown option '%s'", a);
			goto done;
		} else {
			pc_vec_push(&sels, (void *)a);
		}
	}
	if (!sels.len) {
		status = pc_cli_usage_error(self, "%s needs at least one selector (TABLE, TABLE+, product:NAME, layer:NAME)", name);
		goto done;
	}
	status = pc_run_retire(cli, self, kind, &ro, &sels, plan_only, out_path);
done:
	pc_vec_dispose(&sels, NULL);
	return status;
}
