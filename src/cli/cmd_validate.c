/*
 * cmd_validate.c - `pipectl validate`: load the project, print every
 * problem as "file:line: error|warning: message" on stderr and a summary
 * on stdout; exit 1 when there is any error.
 */
#include "args.h"
#include "cli.h"
#include "output.h"

#include <stdio.h>

int pc_cmd_validate(const pc_cli *cli, int argc, char **argv)
{
	pc_args args = PC_ARGS_INIT(argc, argv);
	pc_project *p = NULL;
	int rc;

	if (pc_args_next(&args))
		return pc_cli_usage_error(pc_cli_find("validate"), "unexpected argument '%s'", args.arg);
	rc = pc_out_load_project(&p, cli);
	if (rc)
		return rc;
	pc_out_diags(stderr, p);
	printf("%zu tables, %d error%s, %d warning%s\n", p->tables.len,
	       p->n_errors, p->n_errors == 1 ? "" : "s",
	       p->n_warnings, p->n_warnings == 1 ? "" : "s");
	rc = p->n_errors ? PC_EXIT_ERROR : PC_EXIT_OK;
	pc_project_free(p);
	return rc;
}
