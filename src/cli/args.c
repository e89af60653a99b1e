/*
 * args.c - the option parser of every command (args.h).
 */
#include "args.h"

#include <string.h>

int pc_args_next(pc_args *a)
{
	a->value = NULL;
	if (++a->i >= a->argc) {
		a->arg = NULL;
		return 0;
	}
	a->arg = a->argv[a->i];
	if (!a->positional && strcmp(a->arg, "--") == 0) {
		a->positional = 1;
		return pc_args_next(a);
	}
	return 1;
}

int pc_args_flag(const pc_args *a, const char *name, const char *alias)
{
	if (a->positional || !a->arg)
		return 0;
	return strcmp(a->arg, name) == 0 || (alias && strcmp(a->arg, alias) == 0);
}

int pc_args_value(pc_args *a, const char *name)
{
	size_t n = strlen(name);

	if (a->positional || !a->arg || strncmp(a->arg, name, n) != 0)
		return 0;
	if (a->arg[n] == '=') {
		a->value = a->arg + n + 1;
		return 1;
	}
	if (a->arg[n] != '\0')
		return 0;
	if (a->i + 1 >= a->argc)
		return -1;
	a->value = a->argv[++a->i];
	return 1;
}

int pc_args_is_option(const pc_args *a)
{
	return !a->positional && a->arg && a->arg[0] == '-' && a->arg[1];
}
