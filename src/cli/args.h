/*
 * args.h - the one option parser of every command.
 *
 * A command walks its arguments with pc_args_next() and asks, for each,
 * whether it is one of its flags (pc_args_flag) or options with a value
 * (pc_args_value: "--name VALUE" or "--name=VALUE"); what is left is a
 * positional argument, or an unknown option (pc_args_is_option). After
 * "--" every argument is positional. The messages stay with each command.
 *
 *	pc_args a = PC_ARGS_INIT(argc, argv);
 *	while (pc_args_next(&a)) {
 *		if (pc_args_flag(&a, "--json"))
 *			json = 1;
 *		else if ((m = pc_args_value(&a, "--out")) != 0) {
 *			if (m < 0)
 *				return pc_cli_usage_error(cmd, "--out needs a value");
 *			out = a.value;
 *		} else if (pc_args_is_option(&a))
 *			return pc_cli_usage_error(cmd, "unknown option '%s'", a.arg);
 *		else
 *			push(a.arg);
 *	}
 */
#ifndef PC_CLI_ARGS_H
#define PC_CLI_ARGS_H

typedef struct pc_args {
	int argc;
	char **argv;        /* argv[0] is the command name, skipped */
	int i;              /* index of arg */
	const char *arg;    /* the current argument, borrowed from argv */
	const char *value;  /* after pc_args_value() returned 1: its value, borrowed */
	int positional;     /* "--" was seen: every argument is positional */
} pc_args;

#define PC_ARGS_INIT(argc, argv) { (argc), (argv), 0, 0, 0, 0 }

/* Step to the next argument: 1 with a->arg set, 0 at the end. A first "--" is consumed. */
int pc_args_next(pc_args *a);
/* 1 when the current argument is the flag name (or alias, which may be NULL). */
int pc_args_flag(const pc_args *a, const char *name, const char *alias);
/*
 * 1 when the current argument is the option name with its value in a->value
 * ("--name=VALUE", or "--name VALUE" which consumes the next argument),
 * 0 when it is not that option, -1 when "--name" is last (value missing).
 */
int pc_args_value(pc_args *a, const char *name);
/* 1 when the current argument looks like an option ("-x", "--x"; "-" alone is positional). */
int pc_args_is_option(const pc_args *a);

#endif
