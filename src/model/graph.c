/*
 * graph.c - the table graph: parents (desired tables a DML reads), children,
 * external parents, a deterministic topological order, depths, cycles.
 *
 * Everything here is linear in tables + edges (times a log for the ready
 * heap): at 10,000 tables the graph is a few milliseconds.
 */
#include "project.h"

#include "../util/alloc.h"
#include "../util/buf.h"

#include <stdlib.h>
#include <string.h>

static int cmp_table_name(const void *a, const void *b)
{
	const pc_table *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	c = strcmp(x->folder ? x->folder : "", y->folder ? y->folder : "");
	if (c)
		return c;
	return strcmp(x->ddl_path ? x->ddl_path : "", y->ddl_path ? y->ddl_path : "");
}

static int cmp_topo_ptr(const void *a, const void *b)
{
	const pc_table *x = *(pc_table *const *)a, *y = *(pc_table *const *)b;
	return (x->topo_index > y->topo_index) - (x->topo_index < y->topo_index);
}

/* Line of the statement that creates the table in its DDL, 0 when unknown. */
static int create_line(const pc_table *t)
{
	if (!t->ddl)
		return 0;
	for (size_t i = 0; i < t->ddl->stmts.len; i++) {
		pc_sql_stmt *s = t->ddl->stmts.items[i];
		if (s->creates.len)
			return s->line;
	}
	return 0;
}

/* A view has no DML, but what its query reads is upstream of it all the same. */
static int ddl_is_view(const pc_table *t)
{
	if (!t->ddl)
		return 0;
	for (size_t i = 0; i < t->ddl->stmts.len; i++) {
		const pc_sql_stmt *s = t->ddl->stmts.items[i];
		if (s->creates.len)
			return s->kind == PC_STMT_CREATE_VIEW;
	}
	return 0;
}

/* Sort by name; a second table of the same name is an error and is dropped. */
static void sort_and_dedup(pc_project *p)
{
	size_t w = 0;

	pc_vec_sort(&p->tables, cmp_table_name);
	for (size_t i = 0; i < p->tables.len; i++) {
		pc_table *t = p->tables.items[i];
		pc_table *kept = w ? p->tables.items[w - 1] : NULL;
		if (kept && strcmp(kept->name, t->name) == 0) {
			pc_project_add_diag(p, PC_SEV_ERROR, t->ddl_path, create_line(t), t->name,
					    "table '%s' is created twice: by '%s' and by '%s'", t->name,
					    kept->ddl_path ? kept->ddl_path : "?", t->ddl_path ? t->ddl_path : "?");
			kept->broken = 1;
			pc_table_free(t);
			continue;
		}
		p->tables.items[w++] = t;
	}
	p->tables.len = w;
}

/* The table or declared external name closest to name, when close enough to be a typo. */
static int close_enough(const char *a, const char *b, int d)
{
	size_t n = strlen(a), m = strlen(b);
	size_t longer = n > m ? n : m;
	/* a typo changes a few letters of a name, never most of it */
	return d <= (longer <= 4 ? 1 : longer <= 10 ? 2 : 3) && (size_t)d * 3 <= longer;
}

static const char *did_you_mean(const pc_project *p, const pc_table *reader, const char *name)
{
	const char *best = NULL;
	int best_d = 1000;
	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		int d = t == reader ? 1000 : pc_sql_edit_distance(name, t->name, 1);
		if (d < best_d && close_enough(name, t->name, d)) {
			best_d = d;
			best = t->name;
		}
	}
	for (size_t i = 0; i < p->externals.len; i++) {
		const pc_external *x = p->externals.items[i];
		int d = pc_sql_edit_distance(name, pc_sql_base_name(x->name), 1);
		if (d < best_d && close_enough(name, pc_sql_base_name(x->name), d)) {
			best_d = d;
			best = x->name;
		}
	}
	return best;
}

/* A read of a name no DDL creates: a declared external, or an error with "did you mean". */
static void external_read(pc_project *p, pc_table *t, const char *path, int line, const char *read, int *n_undeclared)
{
	pc_external *x = pc_project_external(p, read);
	int first = pc_vec_find_str(&t->external_parents, read) < 0;
	pc_vec_add_str_unique(&t->external_parents, read);
	if (x) {
		if (!x->readers.len || x->readers.items[x->readers.len - 1] != t)
			pc_vec_push(&x->readers, t);
		return;
	}
	if (!first)
		return;
	t->broken = 1;
	{
		/* "did you mean" costs a scan of every name: only for the first errors */
		const char *hint = (*n_undeclared)++ < 200 ? did_you_mean(p, t, pc_sql_base_name(read)) : NULL;
		if (hint)
			pc_project_add_diag(p, PC_SEV_ERROR, path, line, t->name,
					    "'%s' reads table '%s', which no DDL in the tree creates and 'externals' in "
					    "pipectl.yaml does not declare (did you mean '%s'?)",
					    t->name, read, hint);
		else
			pc_project_add_diag(p, PC_SEV_ERROR, path, line, t->name,
					    "'%s' reads table '%s', which no DDL in the tree creates and 'externals' in "
					    "pipectl.yaml does not declare",
					    t->name, read);
	}
}

static void add_reads(pc_project *p, pc_table *t, size_t self, const pc_sql_file *f, const char *path, int *stamp,
		      int *n_undeclared)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->stmts.len; i++) {
		pc_sql_stmt *s = f->stmts.items[i];
		for (size_t j = 0; j < s->reads.len; j++) {
			const char *read = s->reads.items[j];
			const char *base = pc_sql_base_name(read);
			pc_table *parent;
			if (strcmp(base, t->name) == 0)
				continue;
			parent = pc_map_get(&p->by_name, base);
			if (!parent) {
				external_read(p, t, path, s->read_lines ? s->read_lines[j] : s->line, read, n_undeclared);
				continue;
			}
			if (stamp[parent->topo_index] == (int)self + 1)
				continue;
			stamp[parent->topo_index] = (int)self + 1;
			pc_vec_push(&t->parents, parent);
			pc_vec_push(&parent->children, t);
		}
	}
}

/* Line (and file) where t's DML, CTAS or view reads the table name; 0 when unknown. */
static int read_line(const pc_table *t, const char *name, const char **file)
{
	const pc_sql_file *fs[2] = { t->dml, t->ddl };
	const char *paths[2] = { t->dml_path, t->ddl_path };
	for (size_t k = 0; k < 2; k++) {
		if (!fs[k])
			continue;
		for (size_t i = 0; i < fs[k]->stmts.len; i++) {
			const pc_sql_stmt *s = fs[k]->stmts.items[i];
			for (size_t j = 0; j < s->reads.len; j++) {
				if (strcmp(pc_sql_base_name(s->reads.items[j]), name) == 0) {
					*file = paths[k];
					return s->read_lines ? s->read_lines[j] : s->line;
				}
			}
		}
	}
	return 0;
}

/* ---- a min-heap of table indexes (the ready set of Kahn's algorithm) ---- */

typedef struct heap {
	size_t *a;
	size_t len;
} heap;

static void heap_push(heap *h, size_t v)
{
	size_t i = h->len++;
	h->a[i] = v;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (h->a[up] <= h->a[i])
			break;
		size_t tmp = h->a[up];
		h->a[up] = h->a[i];
		h->a[i] = tmp;
		i = up;
	}
}

static size_t heap_pop(heap *h)
{
	size_t top = h->a[0], i = 0;
	h->a[0] = h->a[--h->len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->len && h->a[l] < h->a[m])
			m = l;
		if (r < h->len && h->a[r] < h->a[m])
			m = r;
		if (m == i)
			break;
		size_t tmp = h->a[m];
		h->a[m] = h->a[i];
		h->a[i] = tmp;
		i = m;
	}
	return top;
}

/*
 * Tables left after Kahn all have a parent left too, so walking up the
 * smallest-named remaining parent always ends on a cycle or on a path
 * already explored. Each table is walked once: linear.
 */
static void report_cycles(pc_project *p, const char *done)
{
	size_t n = p->tables.len;
	int *mark = pc_calloc(n ? n : 1, sizeof(int)); /* 0 new, walk id while on the walk, -1 explored */
	size_t *path = pc_calloc(n ? n : 1, sizeof(size_t));
	int walk_id = 0;

	for (size_t start = 0; start < n; start++) {
		size_t len = 0, cur = start;
		if (done[start] || mark[start])
			continue;
		walk_id++;
		for (;;) {
			pc_table *t = p->tables.items[cur];
			size_t next = n;
			if (mark[cur] == walk_id) {
				/* cycle: path[k..len) where path[k] == cur; print it downstream */
				size_t k = 0, first;
				pc_buf b = PC_BUF_INIT;
				pc_table *ft;
				while (path[k] != cur)
					k++;
				first = len - 1; /* the smallest name starts the message */
				for (size_t q = k; q < len; q++)
					if (path[q] < path[first])
						first = q;
				pc_buf_puts(&b, "cycle: ");
				/* path goes child -> parent; data flows parent -> child, so walk it backwards */
				for (size_t step = 0, q = first; step <= len - k; step++) {
					pc_table *ct = p->tables.items[path[q]];
					ct->broken = 1;
					if (step)
						pc_buf_puts(&b, " -> ");
					pc_buf_puts(&b, ct->name);
					q = q == k ? len - 1 : q - 1;
				}
				ft = p->tables.items[path[first]];
				{
					/* ft reads the table before it in the cycle: name that read's line */
					size_t up = first + 1 < len ? first + 1 : k;
					const pc_table *src = p->tables.items[path[up]];
					const char *file = NULL;
					int line = read_line(ft, src->name, &file);
					pc_project_add_diag(p, PC_SEV_ERROR, file ? file : ft->dml_path ? ft->dml_path : ft->ddl_path,
							    line, ft->name, "%s", b.ptr);
				}
				pc_buf_dispose(&b);
				break;
			}
			if (mark[cur] != 0)
				break; /* explored by an earlier walk */
			mark[cur] = walk_id;
			path[len++] = cur;
			for (size_t i = 0; i < t->parents.len; i++) {
				pc_table *pt = t->parents.items[i];
				size_t pi = (size_t)pt->topo_index;
				if (!done[pi] && pi < next)
					next = pi;
			}
			if (next == n)
				break; /* cannot happen for a table left by Kahn */
			cur = next;
		}
		for (size_t q = 0; q < len; q++)
			mark[path[q]] = -1;
	}
	free(mark);
	free(path);
}

int pc_graph_build(pc_project *p)
{
	size_t n;
	int *stamp = NULL;
	size_t *indeg = NULL;
	char *done = NULL;
	heap h = { NULL, 0 };
	int n_undeclared = 0;

	sort_and_dedup(p);
	n = p->tables.len;
	pc_map_dispose(&p->by_name, NULL);
	pc_map_init(&p->by_name);
	pc_vec_dispose(&p->topo, NULL);
	for (size_t i = 0; i < n; i++) {
		pc_table *t = p->tables.items[i];
		t->topo_index = (int)i; /* the table's index until the order is known */
		t->depth = 0;
		pc_vec_dispose(&t->parents, NULL);
		pc_vec_dispose(&t->children, NULL);
		pc_vec_dispose(&t->external_parents, free);
		pc_map_put(&p->by_name, t->name, t);
	}

	for (size_t i = 0; i < p->externals.len; i++)
		pc_vec_dispose(&((pc_external *)p->externals.items[i])->readers, NULL);
	stamp = pc_calloc(n ? n : 1, sizeof(int));
	for (size_t i = 0; i < n; i++) {
		pc_table *t = p->tables.items[i];
		add_reads(p, t, i, t->dml, t->dml_path, stamp, &n_undeclared);
		if (t->ctas || ddl_is_view(t))
			add_reads(p, t, i, t->ddl, t->ddl_path, stamp, &n_undeclared);
		/* parents by name (the index is the name order here); children come out by name already */
		if (t->parents.len > 1)
			qsort(t->parents.items, t->parents.len, sizeof(void *), cmp_topo_ptr);
	}

	/* Kahn, the smallest name first among the ready tables */
	indeg = pc_calloc(n ? n : 1, sizeof(size_t));
	done = pc_calloc(n ? n : 1, 1);
	h.a = pc_calloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		pc_table *t = p->tables.items[i];
		indeg[i] = t->parents.len;
		if (!indeg[i])
			heap_push(&h, i);
	}
	while (h.len) {
		size_t i = heap_pop(&h);
		pc_table *t = p->tables.items[i];
		done[i] = 1;
		pc_vec_push(&p->topo, t);
		for (size_t c = 0; c < t->children.len; c++) {
			pc_table *ch = t->children.items[c];
			size_t ci = (size_t)ch->topo_index;
			if (--indeg[ci] == 0)
				heap_push(&h, ci);
		}
	}
	if (p->topo.len < n) {
		report_cycles(p, done);
		/* keep every table in topo (tables of or below a cycle last, by name) */
		for (size_t i = 0; i < n; i++)
			if (!done[i])
				pc_vec_push(&p->topo, p->tables.items[i]);
	}
	for (size_t i = 0; i < p->topo.len; i++)
		((pc_table *)p->topo.items[i])->topo_index = (int)i;
	for (size_t i = 0; i < p->topo.len; i++) {
		pc_table *t = p->topo.items[i];
		for (size_t j = 0; j < t->parents.len; j++) {
			pc_table *pt = t->parents.items[j];
			if (pt->topo_index < t->topo_index && pt->depth + 1 > t->depth)
				t->depth = pt->depth + 1;
		}
	}
	free(stamp);
	free(indeg);
	free(done);
	free(h.a);
	return 0;
}

static void closure(const pc_project *p, const pc_table *t, pc_vec *out, int up)
{
	size_t n = p->tables.len;
	char *seen;
	pc_vec queue = PC_VEC_INIT;
	size_t start = out->len;

	if (!t || !n)
		return;
	seen = pc_calloc(n, 1);
	pc_vec_push(&queue, (void *)t);
	seen[t->topo_index] = 1;
	for (size_t qi = 0; qi < queue.len; qi++) {
		const pc_table *cur = queue.items[qi];
		const pc_vec *next = up ? &cur->parents : &cur->children;
		for (size_t i = 0; i < next->len; i++) {
			pc_table *x = next->items[i];
			if (seen[x->topo_index])
				continue;
			seen[x->topo_index] = 1;
			pc_vec_push(&queue, x);
			pc_vec_push(out, x);
		}
	}
	if (out->len - start > 1)
		qsort(out->items + start, out->len - start, sizeof(void *), cmp_topo_ptr);
	pc_vec_dispose(&queue, NULL);
	free(seen);
}

void pc_graph_ancestors(const pc_project *p, const pc_table *t, pc_vec *out)
{
	closure(p, t, out, 1);
}

void pc_graph_descendants(const pc_project *p, const pc_table *t, pc_vec *out)
{
	closure(p, t, out, 0);
}
