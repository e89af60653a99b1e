/*
 * cmd_import.c - `pipectl import [SELECTOR…] [--write]` (docs/cli.md,
 * docs/migrating-from-shift-left.md).
 *
 * Reads every statement of the environment, finds by its SQL which desired
 * table each one writes, and prints for every selected table with a DML what
 * it would adopt and why (fingerprint equal, or the differences left). With
 * --write, records each adoption in the table's table.yaml (`adopt:`).
 * Nothing in the target is changed. Exit: 0, 1 error (nothing written), 64 usage.
 */
#include "args.h"
#include "cli.h"
#include "common.h"

#include "../reconcile/adopt.h"
#include "../util/error.h"
#include "../util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *phase_of(const pc_actual_stmt *s)
{
	return s->st->phase ? s->st->phase : "no phase";
}

static void print_adoption(const pc_adoption *d, int write)
{
	switch (d->verdict) {
	case PC_ADOPT_TAKE:
		printf("%-8s %s: statement '%s' (%s): %s; %s\n", write ? "adopted" : "adopt", d->t->name,
		       d->dml->st->name, phase_of(d->dml), d->why, d->ddl_note);
		break;
	case PC_ADOPT_ALREADY:
		printf("%-8s %s: statement '%s' (%s) is adopted already (table.yaml): %s; %s\n", "keep", d->t->name,
		       d->dml->st->name, phase_of(d->dml), d->why, d->ddl_note);
		break;
	case PC_ADOPT_OWN:
		printf("%-8s %s: pipectl's own statement '%s' (%s) writes it: nothing to adopt\n", "keep", d->t->name,
		       d->dml->st->name, phase_of(d->dml));
		break;
	case PC_ADOPT_NONE:
		printf("%-8s %s: no statement writes it; %s\n", "none", d->t->name, d->ddl_note);
		break;
	}
}

int pc_cmd_import(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("import");
	pc_vec sels = PC_VEC_INIT, found = PC_VEC_INIT;
	pc_session view = PC_SESSION_INIT;
	pc_adopt_scan *scan = NULL;
	pc_args args = PC_ARGS_INIT(argc, argv);
	int write = 0, rc, status = PC_EXIT_ERROR;
	size_t i, n_take = 0;

	if (pc_cli_wants_help("import", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		const char *a = args.arg;
		if (pc_args_flag(&args, "--write", NULL))
			write = 1;
		else if (pc_args_is_option(&args)) {
			status = pc_cli_usage_error(cmd, "unknown option '%s'", a);
			goto done;
		} else {
			pc_vec_push(&sels, (void *)a);
		}
	}
	if ((rc = pc_common_session(&view, cli)) != PC_EXIT_OK) {
		status = rc;
		goto done;
	}
	if (write && view.proj->n_errors) {
		pc_cli_error("import --write refused: the project has %d error(s) (see pipectl validate)",
			     view.proj->n_errors);
		goto done;
	}
	if ((rc = pc_adopt_scan_build(&scan, view.act)) < 0 ||
	    (rc = pc_adopt_find(&found, view.proj, view.act, scan, (const char *const *)sels.items, sels.len)) < 0) {
		status = pc_cli_fail(cmd, rc);
		goto done;
	}
	for (i = 0; i < scan->skipped.len; i++)
		printf("%-8s %s\n", "skip", (const char *)scan->skipped.items[i]);
	for (i = 0; i < found.len; i++) {
		const pc_adoption *d = found.items[i];
		if (d->verdict != PC_ADOPT_TAKE)
			continue;
		n_take++;
		if (write && (rc = pc_adopt_write(view.proj, d->t, d->dml->st->name)) < 0) {
			status = pc_cli_fail(cmd, rc);
			goto done;
		}
	}
	for (i = 0; i < found.len; i++)
		print_adoption(found.items[i], write);
	if (write)
		printf("\n%zu adoption(s) recorded in table.yaml (adopt:). Commit them; then 'pipectl plan' shows what "
		       "is left to change.\n", n_take);
	else if (n_take)
		printf("\n%zu to adopt. Record them in table.yaml with: pipectl import%s%s --write\n", n_take,
		       sels.len ? " " : "", sels.len ? "SELECTOR..." : "");
	else
		printf("\nNothing to adopt.\n");
	if (fflush(stdout) != 0) {
		pc_cli_error("could not write to stdout");
		goto done;
	}
	status = PC_EXIT_OK;
done:
	pc_vec_dispose(&found, pc_adoption_free);
	pc_adopt_scan_free(scan);
	pc_session_dispose(&view);
	pc_vec_dispose(&sels, NULL);
	return status;
}
