/*
 * cli.h - the commands. src/cli is the only place that prints for humans and
 * maps error codes to exit statuses (docs/cli.md).
 */
#ifndef PC_CLI_CLI_H
#define PC_CLI_CLI_H

#include <stdio.h>

enum pc_exit {
	PC_EXIT_OK = 0,
	PC_EXIT_ERROR = 1,
	PC_EXIT_CHANGES = 2,
	PC_EXIT_LOCKED = 3,
	PC_EXIT_USAGE = 64,
};

/* Global options, parsed before the command name. */
typedef struct pc_cli {
	const char *root;        /* -C DIR, default "." */
	const char *config_path; /* --config FILE, NULL = default lookup */
	const char *argv0;
} pc_cli;

/* A command: argv[0] is the command name; returns an exit status. */
typedef int (*pc_cmd_fn)(const pc_cli *cli, int argc, char **argv);

typedef struct pc_command {
	const char *name;
	pc_cmd_fn run;
	const char *summary; /* one line for `pipectl --help` */
	const char *usage;   /* full text for `pipectl CMD --help` */
} pc_command;

/* The command table (NULL-terminated), defined in cli.c. */
extern const pc_command pc_commands[];
const pc_command *pc_cli_find(const char *name);
/* The command name closest to a mistyped one, or NULL. */
const char *pc_cli_suggest_command(const char *name);

/* "error: <msg>" on stderr. */
void pc_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pc_cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Map a PC_E* code to an exit status (PC_ELOCKED -> 3, PC_EUSAGE -> 64, else 1). */
int pc_cli_exit_for(int code);
/*
 * Print an error message on stderr in the compiler's format:
 * "<path>:<line>: <problem>" (as the analyzer and the config loader set
 * them) becomes "<path>:<line>: error: <problem>", anything else
 * "error: <message>".
 */
void pc_cli_error_msg(const char *message);
/*
 * Report a failed call and pick the exit status, the one way for every
 * command: pc_error_last() printed by pc_cli_error_msg() (for PC_EUSAGE
 * followed by cmd's usage line when cmd is not NULL); returns
 * pc_cli_exit_for(rc).
 */
int pc_cli_fail(const pc_command *cmd, int rc);
/* Usage error: prints "error: <msg>" and the command's usage line; returns 64. */
int pc_cli_usage_error(const pc_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv has -h or --help; prints the usage and the caller returns 0. */
int pc_cli_wants_help(const char *name, int argc, char **argv);

/*
 * Commands, one file each (cmd_<name>.c). They are declared weak so that the
 * table in cli.c lists only the commands linked into this build.
 */
#define PC_CMD_DECL(fn) __attribute__((weak)) int fn(const pc_cli *cli, int argc, char **argv)
PC_CMD_DECL(pc_cmd_validate);
PC_CMD_DECL(pc_cmd_inventory);
PC_CMD_DECL(pc_cmd_graph);
PC_CMD_DECL(pc_cmd_analyze);
PC_CMD_DECL(pc_cmd_status);
PC_CMD_DECL(pc_cmd_plan);
PC_CMD_DECL(pc_cmd_show);
PC_CMD_DECL(pc_cmd_new);
PC_CMD_DECL(pc_cmd_init);
PC_CMD_DECL(pc_cmd_import);
PC_CMD_DECL(pc_cmd_apply);
PC_CMD_DECL(pc_cmd_destroy);
PC_CMD_DECL(pc_cmd_promote);
PC_CMD_DECL(pc_cmd_rollback);
PC_CMD_DECL(pc_cmd_reconcile);
PC_CMD_DECL(pc_cmd_history);
PC_CMD_DECL(pc_cmd_emulator);
PC_CMD_DECL(pc_cmd_unlock);

#endif
