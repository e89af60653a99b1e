/*
 * cmd_graph.c - `pipectl graph TABLE [--up|--down] [--format F]`: the
 * lineage of one table as an indented tree, JSON, YAML, Graphviz dot or
 * Mermaid.
 *
 * The node set is the table, its ancestors (--up or default) with the
 * external tables they read, and its descendants (--down or default). Edges
 * are the parent links between nodes of that set. The text tree prints a
 * node's subtree once; a node met again is marked "(see above)", so a DAG
 * with fan-in prints in linear size.
 */
#include "args.h"
#include "cli.h"
#include "color.h"
#include "graph_project.h"
#include "../util/suggest.h"
#include "output.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dir { DIR_BOTH = 0, DIR_UP, DIR_DOWN };

typedef struct node {
	const char *name;
	const pc_table *t; /* NULL for an external table */
	int id;
} node;

typedef struct edge {
	const node *from, *to;
} edge;

typedef struct lineage {
	const pc_table *root;
	pc_vec nodes;  /* node *, owned: externals (sorted) then tables in topo order */
	pc_map by_name; /* name -> node * */
	pc_vec edges;  /* edge *, owned */
	pc_vec ext;    /* char *, owned: names of the external nodes */
} lineage;

static int cmp_table_topo(const void *a, const void *b)
{
	const pc_table *x = a, *y = b;
	return (x->topo_index > y->topo_index) - (x->topo_index < y->topo_index);
}

static int cmp_table_name(const void *a, const void *b)
{
	return strcmp(((const pc_table *)a)->name, ((const pc_table *)b)->name);
}

static node *add_node(lineage *g, const char *name, const pc_table *t)
{
	node *n = pc_map_get(&g->by_name, name);
	if (n)
		return n;
	n = PC_NEW(node);
	n->name = name;
	n->t = t;
	pc_map_put(&g->by_name, name, n);
	pc_vec_push(&g->nodes, n);
	return n;
}

static void add_edge(lineage *g, const node *from, const node *to)
{
	edge *e = PC_NEW(edge);
	e->from = from;
	e->to = to;
	pc_vec_push(&g->edges, e);
}

static void lineage_build(lineage *g, const pc_project *p, const pc_table *root, enum dir d)
{
	pc_vec tables = PC_VEC_INIT;
	pc_vec *ext = &g->ext;
	pc_map seen = PC_MAP_INIT;

	g->root = root;
	if (d != DIR_DOWN)
		pc_graph_ancestors(p, root, &tables);
	pc_vec_push(&tables, (void *)root);
	if (d != DIR_UP)
		pc_graph_descendants(p, root, &tables);
	pc_vec_sort(&tables, cmp_table_topo);
	if (d != DIR_DOWN) {
		for (size_t i = 0; i < tables.len; i++) {
			const pc_table *t = tables.items[i];
			if (d == DIR_BOTH && t != root && t->topo_index > root->topo_index)
				continue; /* a descendant: its other inputs are not lineage of root */
			for (size_t j = 0; j < t->external_parents.len; j++) {
				const char *x = t->external_parents.items[j];
				if (!pc_map_has(&seen, x)) {
					pc_map_put(&seen, x, (void *)x);
					pc_vec_push(ext, pc_strdup(x));
				}
			}
		}
	}
	pc_vec_sort_str(ext);
	for (size_t i = 0; i < ext->len; i++)
		add_node(g, ext->items[i], NULL);
	for (size_t i = 0; i < tables.len; i++) {
		const pc_table *t = tables.items[i];
		add_node(g, t->name, t);
	}
	for (size_t i = 0; i < g->nodes.len; i++)
		((node *)g->nodes.items[i])->id = (int)i;
	for (size_t i = 0; i < tables.len; i++) {
		const pc_table *t = tables.items[i];
		const node *to = pc_map_get(&g->by_name, t->name);
		for (size_t j = 0; j < t->parents.len; j++) {
			const pc_table *par = t->parents.items[j];
			const node *from = pc_map_get(&g->by_name, par->name);
			if (from && from->t == par)
				add_edge(g, from, to);
		}
		for (size_t j = 0; j < t->external_parents.len; j++) {
			const node *from = pc_map_get(&g->by_name, t->external_parents.items[j]);
			if (from && !from->t)
				add_edge(g, from, to);
		}
	}
	pc_vec_dispose(&tables, NULL);
	pc_map_dispose(&seen, NULL);
}

static void lineage_dispose(lineage *g)
{
	pc_vec_dispose(&g->nodes, free);
	pc_vec_dispose(&g->edges, free);
	pc_map_dispose(&g->by_name, NULL);
	pc_vec_dispose(&g->ext, free);
}

/* ---- text ---- */

static void put_label(pc_buf *b, const node *n)
{
	const pc_table *t = n->t;
	/* the text goes to stdout: coloured when that is a terminal */
	if (!t) {
		pc_buf_printf(b, "%s%s [external]%s", pc_color(stdout, PC_COLOR_DIM), n->name,
			      pc_color(stdout, PC_COLOR_RESET));
		return;
	}
	pc_buf_printf(b, "%s%s%s [%s%s%s%s%s%s%s]", pc_color(stdout, PC_COLOR_BOLD), t->name, pc_color(stdout, PC_COLOR_RESET),
		      t->layer ? t->layer : "unknown", t->product ? "/" : "", t->product ? t->product : "",
		      t->stateful ? pc_color(stdout, PC_COLOR_YELLOW) : "", t->stateful ? ", stateful" : "",
		      t->stateful ? pc_color(stdout, PC_COLOR_RESET) : "", t->upsert ? ", upsert" : "");
}

static void put_tree(pc_buf *b, const lineage *g, const pc_table *t, int up, int depth, pc_map *seen)
{
	pc_vec next = PC_VEC_INIT;
	const pc_vec *links = up ? &t->parents : &t->children;

	for (size_t i = 0; i < links->len; i++)
		if (pc_map_get(&g->by_name, ((pc_table *)links->items[i])->name))
			pc_vec_push(&next, links->items[i]);
	pc_vec_sort(&next, cmp_table_name);
	for (size_t i = 0; i < next.len; i++) {
		const pc_table *c = next.items[i];
		const node *n = pc_map_get(&g->by_name, c->name);
		pc_buf_printf(b, "%*s", 2 * depth, "");
		put_label(b, n);
		if (pc_map_has(seen, c->name) && (up ? c->parents.len + c->external_parents.len : c->children.len)) {
			pc_buf_puts(b, " (see above)\n");
			continue;
		}
		pc_buf_putc(b, '\n');
		pc_map_put(seen, c->name, (void *)c);
		put_tree(b, g, c, up, depth + 1, seen);
	}
	if (up) {
		pc_vec ext = PC_VEC_INIT;
		for (size_t i = 0; i < t->external_parents.len; i++)
			pc_vec_push(&ext, t->external_parents.items[i]);
		pc_vec_sort_str(&ext);
		for (size_t i = 0; i < ext.len; i++)
			pc_buf_printf(b, "%*s%s [external]\n", 2 * depth, "", (const char *)ext.items[i]);
		pc_vec_dispose(&ext, NULL);
	}
	pc_vec_dispose(&next, NULL);
}

static void put_text(pc_buf *b, const lineage *g, enum dir d)
{
	pc_map seen = PC_MAP_INIT;

	put_label(b, pc_map_get(&g->by_name, g->root->name));
	pc_buf_putc(b, '\n');
	if (d != DIR_DOWN) {
		pc_buf_puts(b, "upstream (reads from):\n");
		if (!g->root->parents.len && !g->root->external_parents.len)
			pc_buf_puts(b, "  (none)\n");
		put_tree(b, g, g->root, 1, 1, &seen);
	}
	if (d != DIR_UP) {
		pc_map_dispose(&seen, NULL);
		pc_map_init(&seen);
		pc_buf_puts(b, "downstream (read by):\n");
		if (!g->root->children.len)
			pc_buf_puts(b, "  (none)\n");
		put_tree(b, g, g->root, 0, 1, &seen);
	}
	pc_map_dispose(&seen, NULL);
}

/* ---- json / yaml ---- */

static void put_json(pc_buf *b, const lineage *g)
{
	pc_buf_puts(b, "{\"format_version\":\"1\",\"table\":");
	pc_buf_put_json_str(b, g->root->name);
	pc_buf_puts(b, ",\"nodes\":[");
	for (size_t i = 0; i < g->nodes.len; i++) {
		const node *n = g->nodes.items[i];
		pc_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		pc_buf_put_json_str(b, n->name);
		pc_buf_puts(b, ",\"layer\":");
		pc_out_json_str_or_null(b, n->t ? n->t->layer : NULL);
		pc_buf_printf(b, ",\"stateful\":%s,\"external\":%s}", n->t && n->t->stateful ? "true" : "false",
			      n->t ? "false" : "true");
	}
	pc_buf_puts(b, "],\"edges\":[");
	for (size_t i = 0; i < g->edges.len; i++) {
		const edge *e = g->edges.items[i];
		pc_buf_puts(b, i ? ",{\"from\":" : "{\"from\":");
		pc_buf_put_json_str(b, e->from->name);
		pc_buf_puts(b, ",\"to\":");
		pc_buf_put_json_str(b, e->to->name);
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, "]}\n");
}

/* YAML: the JSON document's structure, strings double-quoted (valid YAML). */
static void put_yaml(pc_buf *b, const lineage *g)
{
	pc_buf_puts(b, "format_version: \"1\"\ntable: ");
	pc_buf_put_json_str(b, g->root->name);
	pc_buf_puts(b, g->nodes.len ? "\nnodes:\n" : "\nnodes: []\n");
	for (size_t i = 0; i < g->nodes.len; i++) {
		const node *n = g->nodes.items[i];
		pc_buf_puts(b, "  - name: ");
		pc_buf_put_json_str(b, n->name);
		pc_buf_puts(b, "\n    layer: ");
		pc_out_json_str_or_null(b, n->t ? n->t->layer : NULL);
		pc_buf_printf(b, "\n    stateful: %s\n    external: %s\n", n->t && n->t->stateful ? "true" : "false",
			      n->t ? "false" : "true");
	}
	pc_buf_puts(b, g->edges.len ? "edges:\n" : "edges: []\n");
	for (size_t i = 0; i < g->edges.len; i++) {
		const edge *e = g->edges.items[i];
		pc_buf_puts(b, "  - from: ");
		pc_buf_put_json_str(b, e->from->name);
		pc_buf_puts(b, "\n    to: ");
		pc_buf_put_json_str(b, e->to->name);
		pc_buf_putc(b, '\n');
	}
}

/* ---- dot / mermaid ---- */

static void put_dot(pc_buf *b, const lineage *g)
{
	pc_buf_puts(b, "digraph lineage {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
	for (size_t i = 0; i < g->nodes.len; i++) {
		const node *n = g->nodes.items[i];
		pc_buf_printf(b, "  n%d [label=", n->id);
		pc_buf_put_json_str(b, n->name);
		if (!n->t)
			pc_buf_puts(b, ", style=dashed, shape=ellipse");
		else if (n->t == g->root)
			pc_buf_printf(b, ", style=\"filled%s\", fillcolor=\"#ffe08a\"", n->t->stateful ? ",bold" : "");
		else if (n->t->stateful)
			pc_buf_puts(b, ", style=bold");
		pc_buf_puts(b, "];\n");
	}
	for (size_t i = 0; i < g->edges.len; i++) {
		const edge *e = g->edges.items[i];
		pc_buf_printf(b, "  n%d -> n%d;\n", e->from->id, e->to->id);
	}
	pc_buf_puts(b, "}\n");
}

static void put_mermaid_label(pc_buf *b, const char *s)
{
	pc_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			pc_buf_puts(b, "#quot;");
		else if (*s == '#')
			pc_buf_puts(b, "#35;");
		else if (*s == '<')
			pc_buf_puts(b, "#lt;");
		else if (*s == '>')
			pc_buf_puts(b, "#gt;");
		else
			pc_buf_putc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
	pc_buf_putc(b, '"');
}

static void put_mermaid(pc_buf *b, const lineage *g)
{
	pc_buf_puts(b, "flowchart LR\n");
	for (size_t i = 0; i < g->nodes.len; i++) {
		const node *n = g->nodes.items[i];
		pc_buf_printf(b, "  n%d%s", n->id, n->t ? "[" : "([");
		put_mermaid_label(b, n->name);
		pc_buf_puts(b, n->t ? "]\n" : "])\n");
	}
	for (size_t i = 0; i < g->edges.len; i++) {
		const edge *e = g->edges.items[i];
		pc_buf_printf(b, "  n%d --> n%d\n", e->from->id, e->to->id);
	}
	pc_buf_puts(b, "  classDef stateful stroke-width:3px\n  classDef external stroke-dasharray:5 5\n"
		       "  classDef selected fill:#ffe08a\n");
	for (size_t i = 0; i < g->nodes.len; i++) {
		const node *n = g->nodes.items[i];
		if (!n->t)
			pc_buf_printf(b, "  class n%d external\n", n->id);
		else if (n->t->stateful)
			pc_buf_printf(b, "  class n%d stateful\n", n->id);
	}
	pc_buf_printf(b, "  class n%d selected\n", ((const node *)pc_map_get(&g->by_name, g->root->name))->id);
}

/* The first table (by name) that reads the external table `name`, or NULL. */
static const pc_table *external_reader(const pc_project *p, const char *name)
{
	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		if (pc_vec_find_str(&t->external_parents, name) >= 0)
			return t;
	}
	return NULL;
}

int pc_cmd_graph(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("graph");
	pc_project *p = NULL;
	lineage g = { NULL, PC_VEC_INIT, PC_MAP_INIT, PC_VEC_INIT, PC_VEC_INIT };
	pc_buf out = PC_BUF_INIT;
	const char *name = NULL, *format = "text";
	const pc_table *t;
	enum dir d = DIR_BOTH;
	pc_args args = PC_ARGS_INIT(argc, argv);
	int rc;

	while (pc_args_next(&args)) {
		int m = pc_args_value(&args, "--format");
		if (m < 0)
			return pc_cli_usage_error(cmd, "--format needs a value");
		if (m > 0)
			format = args.value;
		else if (pc_args_flag(&args, "--up", NULL))
			d = d == DIR_DOWN ? DIR_BOTH : DIR_UP;
		else if (pc_args_flag(&args, "--down", NULL))
			d = d == DIR_UP ? DIR_BOTH : DIR_DOWN;
		else if (pc_args_is_option(&args))
			return pc_cli_usage_error(cmd, "unknown option '%s'", args.arg);
		else if (name)
			return pc_cli_usage_error(cmd, "unexpected argument '%s'", args.arg);
		else
			name = args.arg;
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "yaml") &&
	    strcmp(format, "dot") && strcmp(format, "mermaid") && (name || strcmp(format, "html")))
		return pc_cli_usage_error(cmd, "unknown format '%s' (text, json, yaml, dot, mermaid%s)", format,
					  name ? "; html for the whole project" : ", html");
	if (!name && d != DIR_BOTH)
		return pc_cli_usage_error(cmd, "--up and --down need a TABLE");
	rc = pc_out_load_project(&p, cli);
	if (rc)
		return rc;
	pc_out_diags(stderr, p);
	if (!name) {
		pc_graph_project(&out, p, format, stdout);
		rc = pc_out_flush(&out, stdout);
		if (!rc && p->n_errors)
			rc = PC_EXIT_ERROR;
		goto done;
	}
	t = pc_project_table(p, name);
	if (!t) {
		const pc_table *reader = external_reader(p, name);
		if (reader)
			pc_cli_error("'%s' is an external table (no DDL in the tree creates it; '%s' reads it): "
				     "run graph on a table of the tree", name, reader->name);
		else {
			pc_vec names = PC_VEC_INIT;
			const char *best;
			for (size_t i = 0; i < p->tables.len; i++)
				pc_vec_push(&names, ((pc_table *)p->tables.items[i])->name);
			best = pc_suggest(name, (const char *const *)names.items, names.len);
			if (best)
				pc_cli_error("unknown table '%s' (did you mean '%s'?)", name, best);
			else
				pc_cli_error("unknown table '%s'", name);
			pc_vec_dispose(&names, NULL);
		}
		rc = PC_EXIT_ERROR;
		goto done;
	}
	lineage_build(&g, p, t, d);
	if (strcmp(format, "json") == 0)
		put_json(&out, &g);
	else if (strcmp(format, "yaml") == 0)
		put_yaml(&out, &g);
	else if (strcmp(format, "dot") == 0)
		put_dot(&out, &g);
	else if (strcmp(format, "mermaid") == 0)
		put_mermaid(&out, &g);
	else
		put_text(&out, &g, d);
	rc = pc_out_flush(&out, stdout);
	if (!rc && p->n_errors)
		rc = PC_EXIT_ERROR;
done:
	lineage_dispose(&g);
	pc_buf_dispose(&out);
	pc_project_free(p);
	return rc;
}
