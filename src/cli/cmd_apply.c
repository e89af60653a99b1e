/*
 * cmd_apply.c - `pipectl apply [PLANFILE | SELECTOR...]` (docs/cli.md,
 * docs/apply.md): take the lock, compute the plan (or read a saved one and
 * refuse it when the target changed since), show it, ask, execute.
 */
#include "applyrun.h"
#include "args.h"
#include "cli.h"
#include "output.h"
#include "common.h"

#include "../util/error.h"
#include "../util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_plan_file(const char *arg)
{
	struct stat st;
	size_t n = strlen(arg);
	if (n > 5 && strcmp(arg + n - 5, ".json") == 0)
		return 1;
	return stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

/* A saved plan is applied only to what it was made from. */
static int check_saved_plan(const pc_plan *plan, const pc_run *run)
{
	const pc_config *cfg = run->s.config;
	if (plan->prefix && cfg->prefix && strcmp(plan->prefix, cfg->prefix) != 0)
		return pc_error_set(PC_EINVALID, "saved plan was made for prefix '%s', this project uses '%s'",
				    plan->prefix, cfg->prefix);
	if (plan->target && cfg->target && strcmp(plan->target, cfg->target) != 0)
		return pc_error_set(PC_EINVALID, "saved plan was made for target '%s', this project uses '%s'",
				    plan->target, cfg->target);
	if (plan->environment_id && cfg->environment_id && strcmp(plan->environment_id, cfg->environment_id) != 0)
		return pc_error_set(PC_EINVALID, "saved plan was made for environment '%s', not '%s'",
				    plan->environment_id, cfg->environment_id);
	if (strcmp(plan->state_fingerprint, run->s.act->fingerprint) != 0)
		return pc_error_set(PC_EINVALID, "saved plan is stale: the target changed since it was made; run plan again");
	return 0;
}

int pc_cmd_apply(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *self = pc_cli_find("apply");
	pc_run_opts ro = { 0 };
	pc_plan_options po = { 0 };
	pc_vec sels = PC_VEC_INIT;
	pc_run run;
	pc_plan *plan = NULL;
	const char *plan_file = NULL;
	int plan_opts = 0, rc, status = PC_EXIT_ERROR;
	pc_args args = PC_ARGS_INIT(argc, argv);

	memset(&run, 0, sizeof run);
	if (pc_cli_wants_help("apply", argc, argv))
		return PC_EXIT_OK;
	ro.lock_timeout_ms = PC_LOCK_TIMEOUT_MS_DEFAULT;
	ro.command = "apply";
	while (pc_args_next(&args)) {
		const char *a = args.arg;
		int m;
		if ((rc = pc_run_parse_opt(&ro, &args)) < 0) {
			status = pc_cli_usage_error(self, "%s", pc_error_last());
			goto done;
		} else if (rc == 1) {
			continue;
		}
		if (pc_args_flag(&args, "--dml-only", NULL)) {
			po.dml_only = 1;
			plan_opts = 1;
		} else if (pc_args_flag(&args, "--force", NULL)) {
			po.force = 1;
			plan_opts = 1;
		} else if (pc_args_flag(&args, "--prune", NULL)) {
			po.prune = 1;
			plan_opts = 1;
		} else if (pc_args_flag(&args, "--blue-green", NULL)) {
			po.blue_green = 1;
			plan_opts = 1;
		} else if ((m = pc_args_value(&args, "--compute-pool")) != 0) {
			if (m < 0) {
				status = pc_cli_usage_error(self, "--compute-pool needs a pool id");
				goto done;
			}
			po.compute_pool = args.value;
			plan_opts = 1;
		} else if (pc_args_is_option(&args)) {
			status = pc_cli_usage_error(self, "unknown option '%s'", a);
			goto done;
		} else {
			pc_vec_push(&sels, (void *)a);
		}
	}
	if (sels.len == 1 && is_plan_file(sels.items[0])) {
		plan_file = sels.items[0];
		if (plan_opts) {
			status = pc_cli_usage_error(self, "--dml-only, --force, --prune, --blue-green and --compute-pool "
							  "are recorded in the saved plan; give them to 'plan --out'");
			goto done;
		}
	}
	if ((rc = pc_run_check_approval_possible(&ro)) != 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	pc_run_install_signals();

	if (plan_file && (rc = pc_plan_load(&plan, plan_file)) != 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	if ((rc = pc_run_open(&run, cli, &ro)) != 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	if (plan_file) {
		if ((rc = check_saved_plan(plan, &run)) != 0) {
			status = pc_cli_fail(self, rc);
			goto done;
		}
		pc_plan_check_tree(plan, run.s.proj);
	} else {
		po.selectors = (const char *const *)sels.items;
		po.n_selectors = sels.len;
		if ((rc = pc_plan_compute(&plan, run.s.proj, run.s.act, &po)) != 0) {
			pc_out_errors(stderr, run.s.proj);
			status = pc_cli_fail(self, rc);
			goto done;
		}
	}
	if (plan->command && strcmp(plan->command, "promote") == 0)
		status = pc_run_confirm_execute(&run, plan, &ro, "Promote: retire these blue versions?", "Promote");
	else if (plan->command)
		status = pc_run_confirm_execute(&run, plan, &ro, "Roll back: retire these green versions?", "Rollback");
	else
		status = pc_run_confirm_execute(&run, plan, &ro, "Apply these changes?", "Apply");
done:
	if (ro.verbose)
		pc_run_print_stats(&run, stderr);
	pc_plan_free(plan);
	pc_run_close(&run);
	pc_vec_dispose(&sels, NULL);
	return status;
}
