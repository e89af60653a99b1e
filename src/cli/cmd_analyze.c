/*
 * cmd_analyze.c - `pipectl analyze FILE.sql... [--json]`: what each
 * statement of standalone SQL files creates, writes and reads, and why it
 * is stateful. No project is needed. A file that cannot be read or parsed
 * is reported as "file:line: error: message"; the other files are still
 * analyzed and the exit status is 1.
 */
#include "args.h"
#include "cli.h"
#include "output.h"

#include "../model/sql.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_stmt_json(pc_buf *b, const pc_sql_stmt *s)
{
	pc_buf_puts(b, "{\"kind\":");
	pc_buf_put_json_str(b, pc_stmt_kind_name(s->kind));
	pc_buf_printf(b, ",\"line\":%d,\"creates\":", s->line);
	pc_out_json_strs(b, &s->creates);
	pc_buf_puts(b, ",\"writes\":");
	pc_out_json_strs(b, &s->writes);
	pc_buf_puts(b, ",\"reads\":");
	pc_out_json_strs(b, &s->reads);
	pc_buf_printf(b, ",\"stateful\":%s,\"reasons\":[", s->stateful ? "true" : "false");
	for (size_t i = 0; i < s->reasons.len; i++) {
		const pc_state_reason *r = s->reasons.items[i];
		pc_buf_puts(b, i ? ",{\"op\":" : "{\"op\":");
		pc_buf_put_json_str(b, r->op);
		pc_buf_printf(b, ",\"line\":%d}", r->line);
	}
	pc_buf_printf(b, "],\"upsert\":%s}", s->upsert ? "true" : "false");
}

static void put_list_text(pc_buf *b, const char *label, const pc_vec *v)
{
	if (!v->len)
		return;
	pc_buf_printf(b, "    %-8s ", label);
	for (size_t i = 0; i < v->len; i++)
		pc_buf_printf(b, "%s%s", i ? ", " : "", (const char *)v->items[i]);
	pc_buf_putc(b, '\n');
}

static void put_stmt_text(pc_buf *b, const pc_sql_stmt *s)
{
	pc_buf_printf(b, "  line %d: %s%s%s\n", s->line, pc_stmt_kind_name(s->kind),
		      s->stateful ? ", stateful" : ", stateless", s->upsert ? ", upsert sink" : "");
	put_list_text(b, "creates", &s->creates);
	put_list_text(b, "writes", &s->writes);
	put_list_text(b, "reads", &s->reads);
	for (size_t i = 0; i < s->reasons.len; i++) {
		const pc_state_reason *r = s->reasons.items[i];
		pc_buf_printf(b, "    %-8s %s (line %d)\n", i ? "" : "state", r->op, r->line);
	}
}

int pc_cmd_analyze(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("analyze");
	pc_vec files = PC_VEC_INIT;
	pc_buf out = PC_BUF_INIT;
	pc_args args = PC_ARGS_INIT(argc, argv);
	int json = 0, failed = 0, rc;

	(void)cli;
	while (pc_args_next(&args)) {
		if (pc_args_flag(&args, "--json", NULL)) {
			json = 1;
		} else if (pc_args_is_option(&args)) {
			pc_vec_dispose(&files, NULL);
			return pc_cli_usage_error(cmd, "unknown option '%s'", args.arg);
		} else {
			pc_vec_push(&files, (void *)args.arg);
		}
	}
	if (!files.len) {
		pc_vec_dispose(&files, NULL);
		return pc_cli_usage_error(cmd, "missing FILE.sql");
	}
	if (json)
		pc_buf_puts(&out, "{\"format_version\":\"1\",\"files\":[");
	for (size_t i = 0; i < files.len; i++) {
		const char *path = files.items[i];
		char *text = NULL;
		size_t len = 0;
		pc_sql_file *f = NULL;

		rc = pc_fs_read(&text, &len, path);
		if (!rc)
			rc = pc_sql_analyze(&f, path, text, len);
		if (rc) {
			pc_cli_error_msg(pc_error_last());
			failed = 1;
		}
		if (json) {
			pc_buf_puts(&out, i ? ",{\"file\":" : "{\"file\":");
			pc_buf_put_json_str(&out, path);
			if (rc) {
				pc_buf_puts(&out, ",\"error\":");
				pc_buf_put_json_str(&out, pc_error_last());
			}
			pc_buf_puts(&out, ",\"statements\":[");
			for (size_t j = 0; f && j < f->stmts.len; j++) {
				if (j)
					pc_buf_putc(&out, ',');
				put_stmt_json(&out, f->stmts.items[j]);
			}
			pc_buf_puts(&out, "]}");
		} else if (f) {
			pc_buf_printf(&out, "%s%s:\n", i ? "\n" : "", path);
			if (!f->stmts.len)
				pc_buf_puts(&out, "  (no statement)\n");
			for (size_t j = 0; j < f->stmts.len; j++)
				put_stmt_text(&out, f->stmts.items[j]);
		}
		pc_sql_file_free(f);
		free(text);
	}
	if (json)
		pc_buf_puts(&out, "]}\n");
	rc = pc_out_flush(&out, stdout);
	if (!rc && failed)
		rc = PC_EXIT_ERROR;
	pc_buf_dispose(&out);
	pc_vec_dispose(&files, NULL);
	return rc;
}
