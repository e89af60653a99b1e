/*
 * cmd_destroy.c - `pipectl destroy SELECTOR... [--auto-approve]`: show the
 * plan of drops (children first; tables other pipelines read are kept and
 * said so), ask, execute exactly that plan.
 */
#include "applyrun.h"
#include "args.h"
#include "cli.h"
#include "output.h"
#include "common.h"
#include "render.h"

#include "../reconcile/destroy.h"
#include "../util/error.h"
#include "../util/vec.h"

#include <stdio.h>
#include <string.h>

int pc_cmd_destroy(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *self = pc_cli_find("destroy");
	pc_run_opts ro = { 0 };
	pc_vec sels = PC_VEC_INIT;
	pc_run run;
	pc_plan *plan = NULL;
	int rc, status = PC_EXIT_ERROR, plan_only = 0;
	pc_args args = PC_ARGS_INIT(argc, argv);

	memset(&run, 0, sizeof run);
	if (pc_cli_wants_help("destroy", argc, argv))
		return PC_EXIT_OK;
	ro.lock_timeout_ms = PC_LOCK_TIMEOUT_MS_DEFAULT;
	ro.command = "destroy";
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
			continue;
		}
		if (pc_args_is_option(&args)) {
			status = pc_cli_usage_error(self, "unknown option '%s'", a);
			goto done;
		}
		pc_vec_push(&sels, (void *)a);
	}
	if (!sels.len) {
		status = pc_cli_usage_error(self, "destroy needs at least one selector (TABLE, TABLE+, product:NAME, layer:NAME)");
		goto done;
	}
	if (plan_only) {
		pc_session view = PC_SESSION_INIT;
		if ((rc = pc_common_session(&view, cli)) != PC_EXIT_OK) {
			pc_session_dispose(&view);
			status = rc;
			goto done;
		}
		if ((rc = pc_plan_destroy(&plan, view.proj, view.act, (const char *const *)sels.items, sels.len)) != 0)
			status = pc_cli_fail(self, rc);
		else {
			pc_render_plan(stdout, plan, ro.verbose);
			status = fflush(stdout) == 0 ? PC_EXIT_OK : PC_EXIT_ERROR;
		}
		pc_session_dispose(&view);
		goto done;
	}
	if ((rc = pc_run_check_approval_possible(&ro)) != 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	pc_run_install_signals();
	if ((rc = pc_run_open(&run, cli, &ro)) != 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	if ((rc = pc_plan_destroy(&plan, run.s.proj, run.s.act, (const char *const *)sels.items, sels.len)) != 0) {
		pc_out_errors(stderr, run.s.proj);
		status = pc_cli_fail(self, rc);
		goto done;
	}
	status = pc_run_confirm_execute(&run, plan, &ro, "Destroy these tables? Their data is deleted.",
					"Destroy");
done:
	if (ro.verbose)
		pc_run_print_stats(&run, stderr);
	pc_plan_free(plan);
	pc_run_close(&run);
	pc_vec_dispose(&sels, NULL);
	return status;
}
