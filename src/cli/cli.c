#include "cli.h"

#include "../util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const pc_command pc_commands[] = {
	{ "validate", pc_cmd_validate, "parse the project; report every problem as file:line: message",
	  "usage: pipectl [-C DIR] [--config FILE] validate\n"
	  "\n"
	  "Parse pipectl.yaml and every SQL file of the pipelines tree, analyze the\n"
	  "statements and build the table graph. Every problem is printed on one line\n"
	  "as 'file:line: message'. Exit 0 when there is none, 1 otherwise.\n" },
	{ "inventory", pc_cmd_inventory, "list every table with its layer, product, files, parents and children",
	  "usage: pipectl [-C DIR] inventory [--json]\n"
	  "\n"
	  "List every table of the project: name, layer, product, DDL and DML files,\n"
	  "parents, children, external parents, statefulness and upsert sink.\n"
	  "\n"
	  "  --json    machine-readable output (format_version 1, see docs/cli.md)\n" },
	{ "graph", pc_cmd_graph, "show a table's ancestors and descendants",
	  "usage: pipectl [-C DIR] graph TABLE [--up|--down] [--format text|json|yaml|dot|mermaid]\n"
	  "\n"
	  "Show the lineage of TABLE: its ancestors (--up), its descendants (--down),\n"
	  "or both (default).\n" },
	{ "analyze", pc_cmd_analyze, "show what SQL files create, write and read, and why they are stateful",
	  "usage: pipectl analyze FILE.sql... [--json]\n"
	  "\n"
	  "Analyze SQL files on their own (no project needed): per statement the\n"
	  "tables created, written and read, and each stateful operator with its line.\n" },
	{ "status", pc_cmd_status, "show what actually runs per table and whether it matches git",
	  "usage: pipectl [-C DIR] status [--json]\n"
	  "\n"
	  "Per desired table: whether its table (topic) exists, its DML statement and\n"
	  "phase, and whether it is in sync with git (SQL differs, FAILED with the\n"
	  "latest exception, DEGRADED). Also lists statements and topics pipectl\n"
	  "manages that git no longer has.\n" },
	{ "plan", pc_cmd_plan, "show the actions that would make the target match git",
	  "usage: pipectl [-C DIR] plan [SELECTOR...] [--json] [--out FILE] [--dml-only] [--force]\n"
	  "                              [--prune] [--detailed-exitcode] [--verbose]\n" },
	{ "apply", pc_cmd_apply, "apply a plan (saved, or computed now)",
	  "usage: pipectl [-C DIR] apply [PLANFILE | SELECTOR...] [--auto-approve] [--parallelism N]\n"
	  "                               [--dml-only] [--force] [--prune] [--lock-timeout D]\n" },
	{ "destroy", pc_cmd_destroy, "remove a pipeline, keeping tables other pipelines read",
	  "usage: pipectl [-C DIR] destroy SELECTOR... [--auto-approve]\n" },
	{ "reconcile", pc_cmd_reconcile, "keep the target matching git, continuously",
	  "usage: pipectl [-C DIR] reconcile [--interval 60s] [--once] [--listen ADDR] [--git-ref REF]\n" },
	{ "history", pc_cmd_history, "show past apply and reconcile executions",
	  "usage: pipectl [-C DIR] history [--json] [--limit N]\n" },
	{ "emulator", pc_cmd_emulator, "serve a simulated Confluent Cloud on a loopback port",
	  "usage: pipectl emulator [--listen 127.0.0.1:8089] [--state FILE] [fault and timing options]\n" },
	{ NULL, NULL, NULL, NULL },
};

const pc_command *pc_cli_find(const char *name)
{
	for (const pc_command *c = pc_commands; c->name; c++)
		if (c->run && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void pc_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void pc_cli_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int pc_cli_exit_for(int code)
{
	switch (code) {
	case 0: return PC_EXIT_OK;
	case PC_ELOCKED: return PC_EXIT_LOCKED;
	case PC_EUSAGE: return PC_EXIT_USAGE;
	default: return PC_EXIT_ERROR;
	}
}

int pc_cli_usage_error(const pc_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (cmd) {
		const char *nl = strchr(cmd->usage, '\n');
		fprintf(stderr, "%.*s\n", nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage), cmd->usage);
	}
	return PC_EXIT_USAGE;
}

int pc_cli_wants_help(const char *name, int argc, char **argv)
{
	const pc_command *c = pc_cli_find(name);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			if (c)
				fputs(c->usage, stdout);
			return 1;
		}
	}
	return 0;
}
