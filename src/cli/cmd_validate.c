/*
 * cmd_validate.c - `pipectl validate`: load the project, print every
 * problem as "file:line: error|warning: message" on stderr and a summary
 * on stdout; exit 1 when there is any error. --json: the problems and the
 * counts as one JSON document on stdout instead (stderr stays empty).
 */
#include "args.h"
#include "cli.h"
#include "output.h"

#include "../util/buf.h"

#include <stdio.h>

static void put_json(pc_buf *b, const pc_project *p)
{
	pc_buf_printf(b, "{\"format_version\":\"1\",\"tables\":%zu,\"errors\":%d,\"warnings\":%d,\"problems\":[",
		      p->tables.len, p->n_errors, p->n_warnings);
	for (size_t i = 0; i < p->diags.len; i++) {
		const pc_diag *d = p->diags.items[i];
		pc_buf_puts(b, i ? ",{\"severity\":" : "{\"severity\":");
		pc_buf_puts(b, d->severity == PC_SEV_WARNING ? "\"warning\"" : "\"error\"");
		pc_buf_puts(b, ",\"file\":");
		pc_out_json_str_or_null(b, d->file);
		if (d->line > 0)
			pc_buf_printf(b, ",\"line\":%d", d->line);
		else
			pc_buf_puts(b, ",\"line\":null");
		pc_buf_puts(b, ",\"table\":");
		pc_out_json_str_or_null(b, d->table);
		pc_buf_puts(b, ",\"message\":");
		pc_buf_put_json_str(b, d->message ? d->message : "");
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, "]}\n");
}

int pc_cmd_validate(const pc_cli *cli, int argc, char **argv)
{
	pc_args args = PC_ARGS_INIT(argc, argv);
	pc_project *p = NULL;
	pc_buf b = PC_BUF_INIT;
	int rc, json = 0;

	while (pc_args_next(&args)) {
		if (pc_args_flag(&args, "--json", NULL))
			json = 1;
		else if (pc_args_is_option(&args))
			return pc_cli_usage_error(pc_cli_find("validate"), "unknown option '%s'", args.arg);
		else
			return pc_cli_usage_error(pc_cli_find("validate"), "unexpected argument '%s'", args.arg);
	}
	rc = pc_out_load_project(&p, cli);
	if (rc)
		return rc;
	if (json) {
		put_json(&b, p);
		rc = pc_out_flush(&b, stdout);
		pc_buf_dispose(&b);
		if (rc) {
			pc_project_free(p);
			return rc;
		}
	} else {
		pc_out_diags(stderr, p);
		printf("%zu tables, %d error%s, %d warning%s\n", p->tables.len, p->n_errors, p->n_errors == 1 ? "" : "s",
		       p->n_warnings, p->n_warnings == 1 ? "" : "s");
	}
	rc = p->n_errors ? PC_EXIT_ERROR : PC_EXIT_OK;
	pc_project_free(p);
	return rc;
}
