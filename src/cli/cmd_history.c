/*
 * cmd_history.c - `pipectl history [--json] [--limit N]`: past apply and
 * reconcile executions, newest first, from <root>/.pipectl/history.jsonl.
 */
#include "args.h"
#include "cli.h"

#include "../reconcile/history.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 20

static void print_duration(int64_t start, int64_t end)
{
	int64_t ms = end > start ? end - start : 0;
	if (ms < 10000)
		printf("%.1fs", (double)ms / 1000.0);
	else if (ms < 600000)
		printf("%llds", (long long)(ms / 1000));
	else
		printf("%lldm%02llds", (long long)(ms / 60000), (long long)(ms / 1000 % 60));
}

static void print_text(const pc_vec *execs)
{
	if (execs->len == 0) {
		printf("no executions recorded yet\n");
		return;
	}
	for (size_t i = 0; i < execs->len; i++) {
		const pc_execution *e = execs->items[i];
		char when[40] = "-";
		size_t ok = 0, failed = 0, other = 0;

		if (e->start_ms > 0)
			pc_iso8601(e->start_ms, when, sizeof(when));
		for (size_t j = 0; j < e->actions.len; j++) {
			const pc_action_exec *a = e->actions.items[j];
			if (a->result && strcmp(a->result, "ok") == 0)
				ok++;
			else if (a->result && strcmp(a->result, "failed") == 0)
				failed++;
			else
				other++;
		}
		printf("%s  %-9s", when, e->kind ? e->kind : "?");
		if (e->cycle > 0)
			printf(" cycle %-5lld", (long long)e->cycle);
		printf("  commit %.12s  %-9s  ", e->commit ? e->commit : "(worktree)", e->result ? e->result : "running");
		print_duration(e->start_ms, e->end_ms);
		printf("  %zu action%s", e->actions.len + e->actions_omitted,
		       e->actions.len + e->actions_omitted == 1 ? "" : "s");
		if (e->actions.len)
			printf(" (%zu ok, %zu failed, %zu other)", ok, failed, other);
		printf("\n");
		if (e->error)
			printf("    error: %s\n", e->error);
		for (size_t j = 0; j < e->actions.len; j++) {
			const pc_action_exec *a = e->actions.items[j];
			printf("    %-11s %-40s %-8s ", a->action ? a->action : "?", a->table ? a->table : "?",
			       a->result ? a->result : "?");
			print_duration(a->start_ms, a->end_ms);
			if (a->error)
				printf("  %s", a->error);
			printf("\n");
		}
		if (e->actions_omitted)
			printf("    ... %zu more actions not recorded\n", e->actions_omitted);
	}
}

int pc_cmd_history(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *self = pc_cli_find("history");
	pc_vec execs = PC_VEC_INIT;
	char *path = NULL;
	size_t limit = DEFAULT_LIMIT, skipped = 0;
	int json = 0, rc, status = PC_EXIT_OK;
	pc_args args = PC_ARGS_INIT(argc, argv);

	while (pc_args_next(&args)) {
		const char *a = args.arg, *v = NULL;
		int m;
		if (pc_args_flag(&args, "--json", NULL)) {
			json = 1;
		} else if ((m = pc_args_value(&args, "--limit")) != 0) {
			char *end;
			long n;
			if (m < 0)
				return pc_cli_usage_error(self, "--limit needs a number");
			v = args.value;
			n = strtol(v, &end, 10);
			if (!*v || *end || n < 0)
				return pc_cli_usage_error(self, "bad --limit '%s': expected a number >= 0 (0: all)", v);
			limit = (size_t)n;
		} else {
			return pc_cli_usage_error(self, pc_args_is_option(&args) ? "unknown option '%s'" : "unknown argument '%s'", a);
		}
	}

	path = pc_history_path(cli->root);
	rc = pc_history_read(path, limit, &execs, &skipped);
	if (rc < 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	if (skipped)
		pc_cli_warning("%s: %zu unreadable line%s skipped", path, skipped, skipped == 1 ? "" : "s");
	if (json) {
		pc_buf b = PC_BUF_INIT;
		pc_buf_puts(&b, "{\"format_version\":\"1\",\"executions\":[");
		for (size_t i = 0; i < execs.len; i++) {
			if (i)
				pc_buf_putc(&b, ',');
			pc_execution_to_json(execs.items[i], &b);
		}
		pc_buf_puts(&b, "]}\n");
		fwrite(b.ptr, 1, b.len, stdout);
		pc_buf_dispose(&b);
	} else {
		print_text(&execs);
	}
done:
	pc_vec_dispose(&execs, pc_execution_free);
	free(path);
	return status;
}
