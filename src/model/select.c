/*
 * select.c - resolve table selectors into a set of tables (select.h).
 */
#include "select.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/suggest.h"

#include <stdlib.h>
#include <string.h>

static void add(pc_map *out, pc_table *t)
{
	pc_map_put(out, t->name, t);
}

static void add_all(pc_map *out, const pc_vec *v)
{
	size_t i;
	for (i = 0; i < v->len; i++)
		add(out, v->items[i]);
}

/* @T: T, its descendants, and every ancestor of T and of those descendants. */
static void add_at(pc_map *out, const pc_project *proj, pc_table *t)
{
	pc_vec down = PC_VEC_INIT, up = PC_VEC_INIT;
	pc_map seen = PC_MAP_INIT;
	size_t i;

	pc_graph_descendants(proj, t, &down);
	pc_vec_push(&down, t);
	for (i = 0; i < down.len; i++)
		pc_map_put(&seen, ((pc_table *)down.items[i])->name, down.items[i]);
	/* Walk upward from the whole set at once: linear in the graph. */
	for (i = 0; i < down.len; i++)
		pc_vec_push(&up, down.items[i]);
	while (up.len) {
		pc_table *x = pc_vec_pop(&up);
		size_t j;
		add(out, x);
		for (j = 0; j < x->parents.len; j++) {
			pc_table *p = x->parents.items[j];
			if (!pc_map_has(&seen, p->name)) {
				pc_map_put(&seen, p->name, p);
				pc_vec_push(&up, p);
			}
		}
	}
	pc_map_dispose(&seen, NULL);
	pc_vec_dispose(&down, NULL);
	pc_vec_dispose(&up, NULL);
}

static int select_one(pc_map *out, const pc_project *proj, const char *sel)
{
	const char *name = sel;
	size_t n = strlen(sel);
	int up = 0, down = 0, at = 0, rc = 0, matched = 0;
	char *copy = NULL;
	pc_table *t;
	pc_vec v = PC_VEC_INIT;
	size_t i;

	if (!strncmp(sel, "product:", 8) || !strncmp(sel, "layer:", 6)) {
		int is_product = sel[0] == 'p';
		const char *want = sel + (is_product ? 8 : 6);
		if (!*want)
			return pc_error_set(PC_EUSAGE, "selector '%s' names no %s", sel,
					    is_product ? "product" : "layer");
		for (i = 0; i < proj->tables.len; i++) {
			pc_table *x = proj->tables.items[i];
			const char *have = is_product ? x->product : x->layer;
			if (have && !strcmp(have, want)) {
				add(out, x);
				matched++;
			}
		}
		if (!matched) {
			pc_vec names = PC_VEC_INIT;
			const char *best;
			for (i = 0; i < proj->tables.len; i++) {
				pc_table *x = proj->tables.items[i];
				const char *have = is_product ? x->product : x->layer;
				if (have && pc_vec_find_str(&names, have) < 0)
					pc_vec_push(&names, (void *)have);
			}
			best = pc_suggest(want, (const char *const *)names.items, names.len);
			if (best)
				rc = pc_error_set(PC_EUSAGE, "selector '%s' matches no table (did you mean '%s:%s'?)", sel,
						  is_product ? "product" : "layer", best);
			else
				rc = pc_error_set(PC_EUSAGE, "selector '%s' matches no table", sel);
			pc_vec_dispose(&names, NULL);
			return rc;
		}
		return 0;
	}
	if (n && sel[0] == '@') {
		at = 1;
		name++;
		n--;
	} else {
		if (n && sel[0] == '+') {
			up = 1;
			name++;
			n--;
		}
		if (n && name[n - 1] == '+') {
			down = 1;
			n--;
		}
	}
	copy = pc_strndup(name, n);
	if (!*copy) {
		rc = pc_error_set(PC_EUSAGE, "selector '%s' names no table", sel);
		goto done;
	}
	t = pc_project_table(proj, copy);
	if (!t) {
		const char *best;
		for (i = 0; i < proj->tables.len; i++)
			pc_vec_push(&v, ((pc_table *)proj->tables.items[i])->name);
		best = pc_suggest(copy, (const char *const *)v.items, v.len);
		if (best)
			rc = pc_error_set(PC_EUSAGE, "selector '%s': no table '%s' in the project (did you mean '%s'?)", sel,
					  copy, best);
		else
			rc = pc_error_set(PC_EUSAGE, "selector '%s': no table '%s' in the project", sel, copy);
		goto done;
	}
	add(out, t);
	if (at) {
		add_at(out, proj, t);
		goto done;
	}
	if (up) {
		pc_graph_ancestors(proj, t, &v);
		add_all(out, &v);
	}
	if (down) {
		pc_graph_descendants(proj, t, &v);
		add_all(out, &v);
	}
done:
	pc_vec_dispose(&v, NULL);
	free(copy);
	return rc;
}

int pc_select(pc_map *out, const pc_project *proj, const char *const *sels, size_t n)
{
	size_t i;
	int rc;

	if (!n) {
		add_all(out, &proj->tables);
		return 0;
	}
	for (i = 0; i < n; i++)
		if ((rc = select_one(out, proj, sels[i])) < 0)
			return rc;
	return 0;
}
