/*
 * cmd_plan.c - `pipectl plan [SELECTOR…] [--json] [--out FILE] [--dml-only]
 * [--force] [--prune] [--detailed-exitcode] [--verbose] [--compute-pool ID]`
 * (docs/cli.md, docs/reconcile.md).
 *
 * Reads the project and one snapshot of the target, prints the plan.
 * Nothing in the target is changed. Exit: 0 (with --detailed-exitcode: no
 * changes), 2 changes present (--detailed-exitcode), 1 error, 64 usage.
 */
#include "applyrun.h"
#include "args.h"
#include "cli.h"
#include "output.h"
#include "common.h"
#include "render.h"

#include "../reconcile/destroy.h"
#include "../reconcile/plan.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pc_cmd_plan(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("plan");
	pc_plan_options opt = { 0 };
	pc_vec sels = PC_VEC_INIT;
	const char *out_path = NULL;
	int json = 0, detailed = 0, verbose = 0, compact = 0, destroy = 0, rc, status = PC_EXIT_ERROR;
	pc_session view = PC_SESSION_INIT;
	pc_plan *plan = NULL;
	pc_buf b = PC_BUF_INIT;
	pc_args args = PC_ARGS_INIT(argc, argv);

	if (pc_cli_wants_help("plan", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		const char *a = args.arg;
		int m;
		if (pc_args_flag(&args, "--json", NULL))
			json = 1;
		else if (pc_args_flag(&args, "--dml-only", NULL))
			opt.dml_only = 1;
		else if (pc_args_flag(&args, "--force", NULL))
			opt.force = 1;
		else if (pc_args_flag(&args, "--blue-green", NULL))
			opt.blue_green = 1;
		else if (pc_args_flag(&args, "--prune", NULL))
			opt.prune = 1;
		else if (pc_args_flag(&args, "--detailed-exitcode", NULL))
			detailed = 1;
		else if (pc_args_flag(&args, "--verbose", "-v"))
			verbose = 1;
		else if (pc_args_flag(&args, "--compact", NULL))
			compact = 1;
		else if (pc_args_flag(&args, "--destroy", NULL))
			destroy = 1;
		else if ((m = pc_args_value(&args, "--out")) > 0)
			out_path = args.value;
		else if (m == 0 && (m = pc_args_value(&args, "--compute-pool")) > 0)
			opt.compute_pool = args.value;
		else if (m < 0) {
			status = pc_cli_usage_error(cmd, "%s needs a value", a);
			goto done;
		} else if (pc_args_is_option(&args)) {
			status = pc_cli_usage_error(cmd, "unknown option '%s'", a);
			goto done;
		} else {
			pc_vec_push(&sels, (void *)a);
		}
	}
	if (out_path && !*out_path) {
		status = pc_cli_usage_error(cmd, "--out needs a file name");
		goto done;
	}
	if (destroy && !sels.len) {
		status = pc_cli_usage_error(cmd, "--destroy needs at least one selector (TABLE, TABLE+, product:NAME, layer:NAME)");
		goto done;
	}
	if (destroy && (opt.dml_only || opt.force || opt.prune || opt.compute_pool || opt.blue_green)) {
		status = pc_cli_usage_error(cmd, "--destroy plans drops only: --dml-only, --force, --prune, --blue-green and --compute-pool do not apply");
		goto done;
	}
	opt.selectors = (const char *const *)sels.items;
	opt.n_selectors = sels.len;

	if ((rc = pc_common_session(&view, cli)) != PC_EXIT_OK) {
		status = rc;
		goto done;
	}
	rc = destroy ? pc_plan_destroy(&plan, view.proj, view.act, opt.selectors, opt.n_selectors)
		     : pc_plan_compute(&plan, view.proj, view.act, &opt);
	if (rc < 0) {
		pc_out_errors(stderr, view.proj);
		status = pc_cli_fail(cmd, rc);
		goto done;
	}
	if (out_path && (rc = pc_plan_save(plan, out_path)) < 0) {
		status = pc_cli_fail(cmd, rc);
		goto done;
	}
	if (json) {
		if (pc_plan_write_json(plan, &b) < 0 || fwrite(b.ptr, 1, b.len, stdout) != b.len) {
			pc_cli_error("could not write the plan");
			goto done;
		}
	} else {
		pc_render_plan_ex(stdout, plan, verbose, !compact);
		if (out_path)
			printf("\nPlan saved to '%s'. Apply exactly this plan with: pipectl apply %s\n", out_path,
			       out_path);
	}
	if (fflush(stdout) != 0) {
		pc_cli_error("could not write the plan to stdout");
		goto done;
	}
	if (verbose)
		pc_run_print_requests(view.prov, stderr);
	status = detailed && pc_plan_has_changes(plan) ? PC_EXIT_CHANGES : PC_EXIT_OK;
done:
	pc_buf_dispose(&b);
	pc_plan_free(plan);
	pc_session_dispose(&view);
	pc_vec_dispose(&sels, NULL);
	return status;
}
