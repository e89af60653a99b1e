/*
 * suggest.c - the closest candidate by edit distance (suggest.h).
 */
#include "suggest.h"

#include "alloc.h"
#include "vec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Optimal string alignment distance, capped at cap + 1. */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *prev2, *prev, *cur;

	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	prev2 = pc_calloc(lb + 1, sizeof *prev2);
	prev = pc_calloc(lb + 1, sizeof *prev);
	cur = pc_calloc(lb + 1, sizeof *cur);
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t *t;
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(prev2);
	free(prev);
	free(cur);
	return d > cap ? cap + 1 : d;
}

const char *pc_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t len = word ? strlen(word) : 0, cap = len <= 4 ? 1 : len <= 8 ? 2 : 3, best_d = cap + 1;
	const char *best = NULL;

	if (!len)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d;
		if (!candidates[i] || strcmp(candidates[i], word) == 0)
			continue;
		d = distance(word, candidates[i], cap);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

void pc_suggest_option(const char *word, const char *usage, char *out, size_t n)
{
	pc_vec opts = PC_VEC_INIT;
	const char *p = usage, *best;
	char *eq = NULL;

	if (n)
		out[0] = 0;
	if (!word || !usage || !n)
		return;
	/* "--name=VALUE": compare the name */
	if (strncmp(word, "--", 2) == 0 && strchr(word, '='))
		eq = pc_strndup(word, (size_t)(strchr(word, '=') - word));
	while ((p = strchr(p, '-')) != NULL) {
		const char *s = p;
		if ((p == usage || isspace((unsigned char)p[-1]) || p[-1] == '[' || p[-1] == '|' || p[-1] == ',') &&
		    (isalpha((unsigned char)p[1]) || (p[1] == '-' && isalpha((unsigned char)p[2])))) {
			p += p[1] == '-' ? 2 : 1;
			while (isalnum((unsigned char)*p) || *p == '-')
				p++;
			pc_vec_push(&opts, pc_strndup(s, (size_t)(p - s)));
		} else {
			p++;
		}
	}
	best = pc_suggest(eq ? eq : word, (const char *const *)opts.items, opts.len);
	if (best)
		snprintf(out, n, "%s", best);
	free(eq);
	pc_vec_dispose(&opts, free);
}
