/*
 * main.c - global options and command dispatch.
 */
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/color.h"
#include "util/suggest.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static const char *const global_opts[] = { "-C", "--config", "--no-color", "--help", "--version" };

/* "error: unknown command 'X'" with the closest command; exit status 64. */
static int unknown_command(const char *name)
{
	const char *best = pc_cli_suggest_command(name);
	fprintf(stderr, "error: unknown command '%s'", name);
	if (best)
		fprintf(stderr, " (did you mean '%s'?)", best);
	fprintf(stderr, "\nRun 'pipectl --help' for the list of commands.\n");
	return PC_EXIT_USAGE;
}

static void print_help(void)
{
	printf("usage: pipectl [-C DIR] [--config FILE] COMMAND [ARGS]\n"
	       "\n"
	       "pipectl keeps Flink SQL pipelines on Confluent Cloud matching a git tree.\n"
	       "\n"
	       "Commands:\n");
	for (const pc_command *c = pc_commands; c->name; c++)
		if (c->run)
			printf("  %-10s %s\n", c->name, c->summary);
	printf("\n"
	       "Options:\n"
	       "  -C DIR          project root (default .)\n"
	       "  --config FILE   pipectl.yaml to use (default DIR/pipectl.yaml, or $PIPECTL_CONFIG)\n"
	       "  --no-color      no colour, also accepted after the command (NO_COLOR=1 too;\n"
	       "                  colour is only ever used on a terminal)\n"
	       "  -h, --help      this help; 'pipectl COMMAND --help' for a command\n"
	       "  --version       print the version\n"
	       "\n"
	       "Exit codes: 0 success, 1 error, 2 changes present (plan --detailed-exitcode),\n"
	       "3 lock held by another process, 64 usage error.\n");
}

int main(int argc, char **argv)
{
	pc_cli cli = { ".", NULL, argv[0] };
	pc_args args;
	const pc_command *cmd;
	int i, j, rc, m;

	/* --no-color is global and accepted anywhere before "--": taken out here */
	for (i = j = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--no-color") == 0)
			pc_color_disable();
		else
			argv[j++] = argv[i];
	}
	argc = j;
	argv[argc] = NULL;
	args = (pc_args)PC_ARGS_INIT(argc, argv);

	while (pc_args_next(&args)) {
		const char *a = args.arg;
		if ((m = pc_args_value(&args, "-C")) != 0) {
			if (m < 0) {
				fprintf(stderr, "error: -C needs a directory\n");
				return PC_EXIT_USAGE;
			}
			cli.root = args.value;
		} else if (strncmp(a, "-C", 2) == 0 && a[2] && !args.positional) {
			cli.root = a + 2;
		} else if ((m = pc_args_value(&args, "--config")) != 0) {
			if (m < 0) {
				fprintf(stderr, "error: --config needs a file\n");
				return PC_EXIT_USAGE;
			}
			cli.config_path = args.value;
		} else if (pc_args_flag(&args, "-h", "--help") || pc_args_flag(&args, "help", NULL)) {
			if (strcmp(a, "help") == 0 && args.i + 1 < argc) {
				if (!(cmd = pc_cli_find(argv[args.i + 1])))
					return unknown_command(argv[args.i + 1]);
				fputs(cmd->usage, stdout);
				return PC_EXIT_OK;
			}
			print_help();
			return PC_EXIT_OK;
		} else if (pc_args_flag(&args, "--version", "version")) {
			printf("pipectl %s\n", PC_VERSION);
			return PC_EXIT_OK;
		} else if (a[0] == '-' && !args.positional) {
			const char *best = pc_suggest(a, global_opts, sizeof global_opts / sizeof global_opts[0]);
			fprintf(stderr, "error: unknown option '%s'", a);
			if (best)
				fprintf(stderr, " (did you mean '%s'?)", best);
			fputc('\n', stderr);
			fprintf(stderr, "usage: pipectl [-C DIR] [--config FILE] COMMAND [ARGS]\n");
			return PC_EXIT_USAGE;
		} else {
			break;
		}
	}
	i = args.arg ? args.i : argc;
	if (i >= argc) {
		print_help();
		return PC_EXIT_USAGE;
	}
	cmd = pc_cli_find(argv[i]);
	if (!cmd)
		return unknown_command(argv[i]);
	if (pc_cli_wants_help(cmd->name, argc - i, argv + i))
		return PC_EXIT_OK;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmd->run(&cli, argc - i, argv + i);
	curl_global_cleanup();
	return rc;
}
