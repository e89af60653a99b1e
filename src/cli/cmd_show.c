/*
 * cmd_show.c - `pipectl show PLANFILE [--json] [--compact]`: a saved plan
 * (plan --out) printed as plan printed it, with what it was made from.
 * Reads only the file: no project, no target, no network.
 */
#include "args.h"
#include "cli.h"
#include "render.h"

#include "../reconcile/plan.h"
#include "../util/buf.h"

#include <stdio.h>

int pc_cmd_show(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("show");
	pc_args args = PC_ARGS_INIT(argc, argv);
	const char *path = NULL;
	int json = 0, compact = 0, rc, status = PC_EXIT_ERROR;
	pc_plan *plan = NULL;
	pc_buf b = PC_BUF_INIT;

	(void)cli;
	if (pc_cli_wants_help("show", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		if (pc_args_flag(&args, "--json", NULL))
			json = 1;
		else if (pc_args_flag(&args, "--compact", NULL))
			compact = 1;
		else if (pc_args_is_option(&args))
			return pc_cli_usage_error(cmd, "unknown option '%s'", args.arg);
		else if (path)
			return pc_cli_usage_error(cmd, "one PLANFILE only ('%s' and '%s')", path, args.arg);
		else
			path = args.arg;
	}
	if (!path)
		return pc_cli_usage_error(cmd, "PLANFILE is missing (write one with 'pipectl plan --out FILE')");
	if ((rc = pc_plan_load(&plan, path)) < 0)
		return pc_cli_fail(cmd, rc);
	if (json) {
		if (pc_plan_write_json(plan, &b) < 0 || fwrite(b.ptr, 1, b.len, stdout) != b.len) {
			pc_cli_error("could not write the plan");
			goto done;
		}
	} else {
		if (plan->command)
			printf("Plan of 'pipectl %s' (docs/blue-green.md).\n", plan->command);
		printf("Plan file %s: made %s from %s%s, target %s%s%s, prefix %s, state %s.\n", path,
		       plan->created_at ? plan->created_at : "(unknown time)", plan->commit ? "commit " : "",
		       plan->commit ? plan->commit : "the working tree", plan->target ? plan->target : "(unknown)",
		       plan->environment_id ? " environment " : "", plan->environment_id ? plan->environment_id : "",
		       plan->prefix ? plan->prefix : "(unknown)", plan->state_fingerprint);
		if (plan->selectors.len || plan->dml_only || plan->force || plan->prune || plan->compute_pool ||
		    plan->blue_green) {
			fputs("Options:", stdout);
			for (size_t i = 0; i < plan->selectors.len; i++)
				printf(" %s", (const char *)plan->selectors.items[i]);
			printf("%s%s%s%s%s%s\n", plan->dml_only ? " --dml-only" : "", plan->force ? " --force" : "",
			       plan->prune ? " --prune" : "", plan->blue_green ? " --blue-green" : "",
			       plan->compute_pool ? " --compute-pool " : "",
			       plan->compute_pool ? plan->compute_pool : "");
		}
		putchar('\n');
		pc_render_plan_ex(stdout, plan, 0, !compact);
		printf("\nApply exactly this plan with: pipectl apply %s (refused if the target changed since).\n", path);
	}
	if (fflush(stdout) != 0) {
		pc_cli_error("could not write the plan to stdout");
		goto done;
	}
	status = PC_EXIT_OK;
done:
	pc_buf_dispose(&b);
	pc_plan_free(plan);
	return status;
}
