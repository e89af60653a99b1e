/*
 * diff.h - a unified diff of two texts for the reviewer of a plan (the SQL
 * running in the target against git's), computed by libgit2.
 */
#ifndef PC_CLI_DIFF_H
#define PC_CLI_DIFF_H

#include <stdio.h>

/*
 * Print the unified diff (3 lines of context) of old_text -> new_text to f,
 * every line prefixed by indent: "--- old_label", "+++ new_label", hunks.
 * Coloured on a terminal (color.h). Returns 0, or -1 when libgit2 failed
 * (nothing printed then).
 */
int pc_diff_print(FILE *f, const char *indent, const char *old_label, const char *old_text, const char *new_label,
		  const char *new_text);

#endif
