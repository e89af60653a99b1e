/*
 * color.c - when to colour, and the ANSI sequences (color.h).
 */
#include "color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int disabled;

void pc_color_disable(void)
{
	disabled = 1;
}

int pc_color_on(FILE *f)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if (disabled || (no && *no) || !term || !*term || strcmp(term, "dumb") == 0)
		return 0;
	return f && isatty(fileno(f));
}

const char *pc_color(FILE *f, pc_color_id c)
{
	static const char *const seq[] = { "\033[0m", "\033[32m", "\033[33m", "\033[31m", "\033[36m", "\033[1m", "\033[2m" };
	if ((unsigned)c >= sizeof(seq) / sizeof(seq[0]) || !pc_color_on(f))
		return "";
	return seq[c];
}
