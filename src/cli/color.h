/*
 * color.h - ANSI colour on a terminal, as Terraform uses it (create green,
 * replace yellow, rebuild and drop red, warnings yellow), and never
 * elsewhere: off when the stream is not a terminal, when NO_COLOR is set
 * to a non-empty value (no-color.org), when TERM is "dumb" or unset, and
 * after --no-color (any command, anywhere before "--").
 */
#ifndef PC_CLI_COLOR_H
#define PC_CLI_COLOR_H

#include <stdio.h>

typedef enum pc_color_id {
	PC_COLOR_RESET = 0,
	PC_COLOR_GREEN,
	PC_COLOR_YELLOW,
	PC_COLOR_RED,
	PC_COLOR_CYAN,
	PC_COLOR_BOLD,
	PC_COLOR_DIM,
} pc_color_id;

/* --no-color: no colour on any stream for the rest of the process. */
void pc_color_disable(void);
/* 1 when text written to f may be coloured (see above). */
int pc_color_on(FILE *f);
/* The escape sequence of c for f: "" when f is not coloured. */
const char *pc_color(FILE *f, pc_color_id c);

#endif
