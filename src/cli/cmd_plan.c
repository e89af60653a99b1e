/*
 * cmd_plan.c - `pipectl plan [SELECTOR…] [--json] [--out FILE] [--dml-only]
 * [--force] [--prune] [--detailed-exitcode] [--verbose] [--compute-pool ID]`
 * (design.md §5, docs/reconcile.md).
 *
 * Reads the project and one snapshot of the target, prints the plan.
 * Nothing in the target is changed. Exit: 0 (with --detailed-exitcode: no
 * changes), 2 changes present (--detailed-exitcode), 1 error, 64 usage.
 */
#include "cli.h"
#include "common.h"
#include "render.h"

#include "../reconcile/plan.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 matched, 0 not, -1 value missing. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n))
		return 0;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n])
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*value = argv[++*i];
	return 1;
}

int pc_cmd_plan(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("plan");
	pc_plan_options opt = { 0 };
	pc_vec sels = PC_VEC_INIT;
	const char *out_path = NULL;
	int json = 0, detailed = 0, verbose = 0, rc, status = PC_EXIT_ERROR;
	pc_view view = { 0 };
	pc_plan *plan = NULL;
	pc_buf b = PC_BUF_INIT;

	if (pc_cli_wants_help("plan", argc, argv))
		return PC_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int m;
		if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "--dml-only"))
			opt.dml_only = 1;
		else if (!strcmp(a, "--force"))
			opt.force = 1;
		else if (!strcmp(a, "--prune"))
			opt.prune = 1;
		else if (!strcmp(a, "--detailed-exitcode"))
			detailed = 1;
		else if (!strcmp(a, "--verbose") || !strcmp(a, "-v"))
			verbose = 1;
		else if ((m = opt_value(argc, argv, &i, "--out", &out_path)) != 0 ||
			 (m = opt_value(argc, argv, &i, "--compute-pool", &opt.compute_pool)) != 0) {
			if (m < 0) {
				status = pc_cli_usage_error(cmd, "%s needs a value", a);
				goto done;
			}
		} else if (a[0] == '-' && a[1]) {
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
	opt.selectors = (const char *const *)sels.items;
	opt.n_selectors = sels.len;

	if ((rc = pc_view_open(&view, cli)) != PC_EXIT_OK) {
		status = rc;
		goto done;
	}
	if ((rc = pc_plan_compute(&plan, view.proj, view.act, &opt)) < 0) {
		if (rc == PC_EUSAGE) {
			status = pc_cli_usage_error(cmd, "%s", pc_error_last());
			goto done;
		}
		pc_cli_error("%s", pc_error_last());
		goto done;
	}
	if (out_path && pc_plan_save(plan, out_path) < 0) {
		pc_cli_error("%s", pc_error_last());
		goto done;
	}
	if (json) {
		if (pc_plan_write_json(plan, &b) < 0 || fwrite(b.ptr, 1, b.len, stdout) != b.len) {
			pc_cli_error("could not write the plan");
			goto done;
		}
	} else {
		pc_render_plan(stdout, plan, verbose);
		if (out_path)
			printf("\nPlan saved to '%s'. Apply exactly this plan with: pipectl apply %s\n", out_path,
			       out_path);
	}
	if (fflush(stdout) != 0) {
		pc_cli_error("could not write the plan to stdout");
		goto done;
	}
	status = detailed && pc_plan_has_changes(plan) ? PC_EXIT_CHANGES : PC_EXIT_OK;
done:
	pc_buf_dispose(&b);
	pc_plan_free(plan);
	pc_view_close(&view);
	pc_vec_dispose(&sels, NULL);
	return status;
}
