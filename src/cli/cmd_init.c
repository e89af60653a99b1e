/*
 * cmd_init.c - `pipectl init [DIR] [--prefix P]`: a new project that
 * validates, plans and applies on the local target at once: pipectl.yaml
 * (local target, its keys explained), .gitignore (.pipectl/), and a
 * pipelines tree with one source table.
 */
#include "args.h"
#include "cli.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/fs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char config_text[] =
	"# pipectl.yaml - made by 'pipectl init'. Every key is optional; docs/manifest-format.md\n"
	"# has them all. Any string may use ${ENV_VAR}; an unset variable is an error.\n"
	"# Relative paths are relative to the project root (pipectl -C DIR).\n"
	"\n"
	"# Folder of the pipelines tree: pipelines/<layer>/[<product>/]<table>/sql-scripts/\n"
	"pipelines: pipelines\n"
	"\n"
	"# Statement names start with it: <prefix>-pc-<kind>-<table>-<hash8>.\n"
	"prefix: %s\n"
	"\n"
	"# local: an embedded simulation of Confluent Cloud, state in .pipectl/;\n"
	"# confluent: the real service, with a confluent: section (docs/manifest-format.md).\n"
	"target: local\n";

static const char source_text[] =
	"-- src_events: a source table (a topic written by producers outside pipelines).\n"
	"-- New tables: pipectl new table NAME --layer intermediates --from src_events\n"
	"CREATE TABLE src_events (\n"
	"  event_id   STRING NOT NULL,\n"
	"  account_id STRING,\n"
	"  amount     DECIMAL(12, 2),\n"
	"  event_ts   TIMESTAMP_LTZ(3),\n"
	"  WATERMARK FOR event_ts AS event_ts - INTERVAL '5' SECOND\n"
	");\n";

static int valid_prefix(const char *s)
{
	if (!*s || strlen(s) > 40)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

int pc_cmd_init(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("init");
	pc_args args = PC_ARGS_INIT(argc, argv);
	const char *dir = NULL, *prefix = "dev";
	char *cfg = NULL, *gi = NULL, *src_dir = NULL, *src = NULL, *text = NULL;
	int m, rc, status = PC_EXIT_ERROR;

	if (pc_cli_wants_help("init", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		if ((m = pc_args_value(&args, "--prefix")) > 0)
			prefix = args.value;
		else if (m < 0)
			return pc_cli_usage_error(cmd, "--prefix needs a value");
		else if (pc_args_is_option(&args))
			return pc_cli_usage_error(cmd, "unknown option '%s'", args.arg);
		else if (dir)
			return pc_cli_usage_error(cmd, "unexpected argument '%s'", args.arg);
		else
			dir = args.arg;
	}
	if (!dir)
		dir = cli->root;
	if (!valid_prefix(prefix))
		return pc_cli_usage_error(cmd, "--prefix '%s': lowercase letters, digits and '-', at most 40", prefix);
	cfg = pc_path_join(dir, "pipectl.yaml");
	if (pc_fs_is_file(cfg)) {
		pc_cli_error("%s: already exists: this is a project already", cfg);
		goto done;
	}
	src_dir = pc_path_join(dir, "pipelines/sources/events/src_events/sql-scripts");
	src = pc_path_join(src_dir, "ddl.src_events.sql");
	gi = pc_path_join(dir, ".gitignore");
	text = pc_sprintf(config_text, prefix);
	if ((rc = pc_fs_mkdirs(src_dir)) < 0 || (rc = pc_fs_write_atomic(cfg, text, strlen(text))) < 0 ||
	    (rc = pc_fs_write_atomic(src, source_text, strlen(source_text))) < 0 ||
	    (!pc_fs_is_file(gi) && (rc = pc_fs_write_atomic(gi, ".pipectl/\n", 10)) < 0)) {
		pc_cli_error("%s", pc_error_last());
		goto done;
	}
	printf("created %s, %s and one source table in %s\n", cfg, gi, src);
	printf("Next: pipectl%s%s validate, plan, apply (on the local target; no account needed).\n",
	       strcmp(dir, ".") ? " -C " : "", strcmp(dir, ".") ? dir : "");
	status = PC_EXIT_OK;
done:
	free(cfg);
	free(gi);
	free(src_dir);
	free(src);
	free(text);
	return status;
}
