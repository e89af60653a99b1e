/*
 * diff.c - unified diff through git_diff_buffers (diff.h).
 */
#include "diff.h"

#include "color.h"

#include "../util/alloc.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

/* s with a newline at its end (owned): a missing one is no change to a reviewer. */
static char *with_eol(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *o = pc_malloc(n + 2);
	memcpy(o, s ? s : "", n);
	if (n && o[n - 1] != '\n')
		o[n++] = '\n';
	o[n] = 0;
	return o;
}

typedef struct diff_ctx {
	FILE *f;
	const char *indent;
} diff_ctx;

static int on_hunk(const git_diff_delta *delta, const git_diff_hunk *hunk, void *payload)
{
	diff_ctx *c = payload;
	size_t n = hunk->header_len;
	(void)delta;
	while (n && (hunk->header[n - 1] == '\n' || hunk->header[n - 1] == '\r'))
		n--;
	fprintf(c->f, "%s%s%.*s%s\n", c->indent, pc_color(c->f, PC_COLOR_CYAN), (int)n, hunk->header,
		pc_color(c->f, PC_COLOR_RESET));
	return 0;
}

static int on_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *line, void *payload)
{
	diff_ctx *c = payload;
	size_t n = line->content_len;
	pc_color_id col = PC_COLOR_RESET;
	char origin = line->origin;
	(void)delta;
	(void)hunk;
	switch (line->origin) {
	case GIT_DIFF_LINE_ADDITION:
		col = PC_COLOR_GREEN;
		break;
	case GIT_DIFF_LINE_DELETION:
		col = PC_COLOR_RED;
		break;
	case GIT_DIFF_LINE_CONTEXT:
		break;
	case GIT_DIFF_LINE_CONTEXT_EOFNL:
	case GIT_DIFF_LINE_ADD_EOFNL:
	case GIT_DIFF_LINE_DEL_EOFNL:
		return 0; /* "\ No newline at end of file": noise for SQL */
	default:
		return 0;
	}
	while (n && (line->content[n - 1] == '\n' || line->content[n - 1] == '\r'))
		n--;
	if (col == PC_COLOR_RESET)
		fprintf(c->f, "%s%c%.*s\n", c->indent, origin, (int)n, line->content);
	else
		fprintf(c->f, "%s%s%c%.*s%s\n", c->indent, pc_color(c->f, col), origin, (int)n, line->content,
			pc_color(c->f, PC_COLOR_RESET));
	return 0;
}

int pc_diff_print(FILE *f, const char *indent, const char *old_label, const char *old_text, const char *new_label,
		  const char *new_text)
{
	git_diff_options opts;
	diff_ctx c = { f, indent ? indent : "" };
	char *a, *b;
	int rc;

	if (git_libgit2_init() < 0)
		return -1;
	a = with_eol(old_text);
	b = with_eol(new_text);
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 3;
	fprintf(f, "%s%s--- %s%s\n", c.indent, pc_color(f, PC_COLOR_BOLD), old_label, pc_color(f, PC_COLOR_RESET));
	fprintf(f, "%s%s+++ %s%s\n", c.indent, pc_color(f, PC_COLOR_BOLD), new_label, pc_color(f, PC_COLOR_RESET));
	rc = git_diff_buffers(a, strlen(a), old_label, b, strlen(b), new_label, &opts, NULL, NULL, on_hunk, on_line, &c);
	git_libgit2_shutdown();
	free(a);
	free(b);
	return rc < 0 ? -1 : 0;
}
