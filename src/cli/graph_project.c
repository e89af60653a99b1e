/*
 * graph_project.c - the whole project's lineage (graph_project.h).
 */
#include "graph_project.h"

#include "color.h"

#include "../util/alloc.h"
#include "../util/map.h"
#include "../util/vec.h"

#include <stdlib.h>
#include <string.h>

/* ---- grouping: layer -> product -> tables ---- */

typedef struct group {
	const char *name;  /* product, or NULL for the tables directly under the layer */
	pc_vec tables;     /* const pc_table *, sorted by name */
} group;

typedef struct layer {
	const char *name;
	pc_vec groups;     /* group *, the NULL product first, then by name */
} layer;

typedef struct view {
	pc_vec layers;     /* layer * */
	pc_vec externals;  /* char * borrowed, sorted, unique */
	pc_map ids;        /* table or external name -> (void *)(id + 1) */
	size_t n_products; /* distinct product names */
} view;

static const char *const known_layers[] = { "sources", "intermediates", "facts", "dimensions", "views" };

static int layer_rank(const char *name)
{
	for (size_t i = 0; i < sizeof known_layers / sizeof known_layers[0]; i++)
		if (strcmp(name, known_layers[i]) == 0)
			return (int)i;
	return 100;
}

static int cmp_layer(const void *a, const void *b)
{
	const layer *x = a, *y = b;
	int rx = layer_rank(x->name), ry = layer_rank(y->name);
	return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x->name, y->name);
}

static int cmp_group(const void *a, const void *b)
{
	const group *x = a, *y = b;
	if (!x->name || !y->name)
		return !!x->name - !!y->name;
	return strcmp(x->name, y->name);
}

static int cmp_table(const void *a, const void *b)
{
	return strcmp(((const pc_table *)a)->name, ((const pc_table *)b)->name);
}

static void view_build(view *v, const pc_project *p)
{
	pc_map seen = PC_MAP_INIT, products = PC_MAP_INIT;
	int id = 0;

	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		const char *ln = t->layer ? t->layer : "unknown";
		layer *l = NULL;
		group *g = NULL;
		for (size_t j = 0; j < v->layers.len && !l; j++)
			if (strcmp(((layer *)v->layers.items[j])->name, ln) == 0)
				l = v->layers.items[j];
		if (!l) {
			l = PC_NEW(layer);
			l->name = ln;
			pc_vec_push(&v->layers, l);
		}
		for (size_t j = 0; j < l->groups.len && !g; j++) {
			group *c = l->groups.items[j];
			if ((!c->name && !t->product) || (c->name && t->product && strcmp(c->name, t->product) == 0))
				g = c;
		}
		if (!g) {
			g = PC_NEW(group);
			g->name = t->product;
			pc_vec_push(&l->groups, g);
		}
		if (t->product && !pc_map_has(&products, t->product)) {
			pc_map_put(&products, t->product, (void *)t->product);
			v->n_products++;
		}
		pc_vec_push(&g->tables, (void *)t);
		for (size_t j = 0; j < t->external_parents.len; j++) {
			const char *x = t->external_parents.items[j];
			if (!pc_map_has(&seen, x)) {
				pc_map_put(&seen, x, (void *)x);
				pc_vec_push(&v->externals, (void *)x);
			}
		}
	}
	pc_vec_sort(&v->layers, cmp_layer);
	for (size_t i = 0; i < v->layers.len; i++) {
		layer *l = v->layers.items[i];
		pc_vec_sort(&l->groups, cmp_group);
		for (size_t j = 0; j < l->groups.len; j++) {
			group *g = l->groups.items[j];
			pc_vec_sort(&g->tables, cmp_table);
			for (size_t k = 0; k < g->tables.len; k++)
				pc_map_put(&v->ids, ((const pc_table *)g->tables.items[k])->name, (void *)(intptr_t)(++id));
		}
	}
	pc_vec_sort_str(&v->externals);
	for (size_t i = 0; i < v->externals.len; i++)
		pc_map_put(&v->ids, v->externals.items[i], (void *)(intptr_t)(++id));
	pc_map_dispose(&seen, NULL);
	pc_map_dispose(&products, NULL);
}

static int id_of(const view *v, const char *name)
{
	return (int)(intptr_t)pc_map_get(&v->ids, name) - 1;
}

static void view_dispose(view *v)
{
	for (size_t i = 0; i < v->layers.len; i++) {
		layer *l = v->layers.items[i];
		for (size_t j = 0; j < l->groups.len; j++) {
			group *g = l->groups.items[j];
			pc_vec_dispose(&g->tables, NULL);
			free(g);
		}
		pc_vec_dispose(&l->groups, NULL);
		free(l);
	}
	pc_vec_dispose(&v->layers, NULL);
	pc_vec_dispose(&v->externals, NULL);
	pc_map_dispose(&v->ids, NULL);
}

#define FOR_TABLES(v, l, g, t)                                                                                 \
	for (size_t li_ = 0; li_ < (v)->layers.len && ((l) = (v)->layers.items[li_]); li_++)                \
		for (size_t gi_ = 0; gi_ < (l)->groups.len && ((g) = (l)->groups.items[gi_]); gi_++)          \
			for (size_t ti_ = 0; ti_ < (g)->tables.len && ((t) = (g)->tables.items[ti_]); ti_++)

/* ---- text ---- */

static const char *LEGEND = "stateful: keeps state, a change rebuilds it and its descendants; "
			    "upsert: upsert sink; protected: protect: true, never dropped; "
			    "external: read, created by no DDL of the tree";

static void put_text(pc_buf *b, const view *v, const pc_project *p, FILE *f)
{
	size_t n_stateful = 0;
	pc_buf_printf(b, "%sLegend:%s %s\n", pc_color(f, PC_COLOR_DIM), pc_color(f, PC_COLOR_RESET), LEGEND);
	for (size_t i = 0; i < v->layers.len; i++) {
		const layer *l = v->layers.items[i];
		pc_buf_printf(b, "\n%s%s%s\n", pc_color(f, PC_COLOR_BOLD), l->name, pc_color(f, PC_COLOR_RESET));
		for (size_t j = 0; j < l->groups.len; j++) {
			const group *g = l->groups.items[j];
			const char *indent = g->name ? "    " : "  ";
			if (g->name)
				pc_buf_printf(b, "  %s/\n", g->name);
			for (size_t k = 0; k < g->tables.len; k++) {
				const pc_table *t = g->tables.items[k];
				int marks = 0;
				n_stateful += t->stateful != 0;
				pc_buf_printf(b, "%s%s", indent, t->name);
				if (t->stateful || t->upsert || t->protect) {
					pc_buf_puts(b, " [");
					if (t->stateful)
						pc_buf_printf(b, "%sstateful%s", pc_color(f, PC_COLOR_YELLOW), pc_color(f, PC_COLOR_RESET)), marks++;
					if (t->upsert)
						pc_buf_printf(b, "%supsert", marks++ ? ", " : "");
					if (t->protect)
						pc_buf_printf(b, "%s%sprotected%s", marks++ ? ", " : "", pc_color(f, PC_COLOR_RED),
							      pc_color(f, PC_COLOR_RESET));
					pc_buf_putc(b, ']');
				}
				if (t->parents.len || t->external_parents.len) {
					pc_buf_puts(b, " <- ");
					for (size_t m = 0; m < t->parents.len; m++)
						pc_buf_printf(b, "%s%s", m ? ", " : "", ((const pc_table *)t->parents.items[m])->name);
					for (size_t m = 0; m < t->external_parents.len; m++)
						pc_buf_printf(b, "%s%s (external)", m || t->parents.len ? ", " : "",
							      (const char *)t->external_parents.items[m]);
				}
				pc_buf_putc(b, '\n');
			}
		}
	}
	if (v->externals.len) {
		pc_buf_printf(b, "\n%sexternal%s\n", pc_color(f, PC_COLOR_BOLD), pc_color(f, PC_COLOR_RESET));
		for (size_t i = 0; i < v->externals.len; i++)
			pc_buf_printf(b, "  %s%s%s\n", pc_color(f, PC_COLOR_DIM), (const char *)v->externals.items[i],
				      pc_color(f, PC_COLOR_RESET));
	}
	pc_buf_printf(b, "\n%zu tables (%zu stateful) in %zu layers and %zu products, %zu external.\n", p->tables.len,
		      n_stateful, v->layers.len, v->n_products, v->externals.len);
}

/* ---- json / yaml ---- */

static void put_json(pc_buf *b, const view *v, int yaml)
{
	const layer *l;
	const group *g;
	const pc_table *t;
	int first = 1;

	pc_buf_puts(b, yaml ? "format_version: \"1\"\ntable: null\nnodes:\n" : "{\"format_version\":\"1\",\"table\":null,\"nodes\":[");
	FOR_TABLES(v, l, g, t) {
		if (yaml) {
			pc_buf_puts(b, "  - name: ");
			pc_buf_put_json_str(b, t->name);
			pc_buf_puts(b, "\n    layer: ");
			pc_buf_put_json_str(b, l->name);
			pc_buf_puts(b, "\n    product: ");
			if (g->name)
				pc_buf_put_json_str(b, g->name);
			else
				pc_buf_puts(b, "null");
			pc_buf_printf(b, "\n    stateful: %s\n    upsert: %s\n    protected: %s\n    external: false\n",
				      t->stateful ? "true" : "false", t->upsert ? "true" : "false", t->protect ? "true" : "false");
			continue;
		}
		pc_buf_puts(b, first ? "{\"name\":" : ",{\"name\":");
		first = 0;
		pc_buf_put_json_str(b, t->name);
		pc_buf_puts(b, ",\"layer\":");
		pc_buf_put_json_str(b, l->name);
		pc_buf_puts(b, ",\"product\":");
		if (g->name)
			pc_buf_put_json_str(b, g->name);
		else
			pc_buf_puts(b, "null");
		pc_buf_printf(b, ",\"stateful\":%s,\"upsert\":%s,\"protected\":%s,\"external\":false}",
			      t->stateful ? "true" : "false", t->upsert ? "true" : "false", t->protect ? "true" : "false");
	}
	for (size_t i = 0; i < v->externals.len; i++) {
		if (yaml) {
			pc_buf_puts(b, "  - name: ");
			pc_buf_put_json_str(b, v->externals.items[i]);
			pc_buf_puts(b, "\n    layer: null\n    product: null\n    stateful: false\n    upsert: false\n"
				       "    protected: false\n    external: true\n");
			continue;
		}
		pc_buf_puts(b, first ? "{\"name\":" : ",{\"name\":");
		first = 0;
		pc_buf_put_json_str(b, v->externals.items[i]);
		pc_buf_puts(b, ",\"layer\":null,\"product\":null,\"stateful\":false,\"upsert\":false,\"protected\":false,"
			       "\"external\":true}");
	}
	pc_buf_puts(b, yaml ? "edges:\n" : "],\"edges\":[");
	first = 1;
	FOR_TABLES(v, l, g, t) {
		for (size_t m = 0; m < t->parents.len + t->external_parents.len; m++) {
			const char *from = m < t->parents.len ? ((const pc_table *)t->parents.items[m])->name
							      : t->external_parents.items[m - t->parents.len];
			pc_buf_puts(b, yaml ? "  - from: " : first ? "{\"from\":" : ",{\"from\":");
			first = 0;
			pc_buf_put_json_str(b, from);
			pc_buf_puts(b, yaml ? "\n    to: " : ",\"to\":");
			pc_buf_put_json_str(b, t->name);
			pc_buf_puts(b, yaml ? "\n" : "}");
		}
	}
	pc_buf_puts(b, yaml ? "" : "]}\n");
}

/* ---- dot ---- */

/* A DOT double-quoted string: '"' and '\' escaped, control characters as spaces. */
static void dot_str(pc_buf *b, const char *s)
{
	pc_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			pc_buf_putc(b, '\\');
		pc_buf_putc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
	pc_buf_putc(b, '"');
}

static void dot_node(pc_buf *b, int id, const pc_table *t, const char *ext_name, const char *indent)
{
	pc_buf_printf(b, "%sn%d [label=", indent, id);
	dot_str(b, t ? t->name : ext_name);
	if (!t)
		pc_buf_puts(b, ", style=dashed, shape=ellipse");
	else {
		pc_buf_printf(b, ", style=\"filled%s\", fillcolor=\"%s\"", t->stateful ? ",bold" : "",
			      t->stateful ? "#ffe08a" : "#ffffff");
		if (t->upsert)
			pc_buf_puts(b, ", peripheries=2");
		if (t->protect)
			pc_buf_puts(b, ", color=\"#c0392b\"");
	}
	pc_buf_puts(b, "];\n");
}

static void put_dot(pc_buf *b, const view *v)
{
	const layer *l;
	const group *g;
	const pc_table *t;

	pc_buf_puts(b, "digraph project {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
	for (size_t i = 0; i < v->layers.len; i++) {
		l = v->layers.items[i];
		pc_buf_printf(b, "  subgraph cluster_l%zu {\n    label=", i);
		dot_str(b, l->name);
		pc_buf_puts(b, "; style=rounded;\n");
		for (size_t j = 0; j < l->groups.len; j++) {
			g = l->groups.items[j];
			const char *in = g->name ? "      " : "    ";
			if (g->name) {
				pc_buf_printf(b, "    subgraph cluster_l%zu_p%zu {\n      label=", i, j);
				dot_str(b, g->name);
				pc_buf_puts(b, "; style=dotted;\n");
			}
			for (size_t k = 0; k < g->tables.len; k++) {
				t = g->tables.items[k];
				dot_node(b, id_of(v, t->name), t, NULL, in);
			}
			if (g->name)
				pc_buf_puts(b, "    }\n");
		}
		pc_buf_puts(b, "  }\n");
	}
	if (v->externals.len) {
		pc_buf_puts(b, "  subgraph cluster_external {\n    label=\"external\"; style=dashed;\n");
		for (size_t i = 0; i < v->externals.len; i++)
			dot_node(b, id_of(v, v->externals.items[i]), NULL, v->externals.items[i], "    ");
		pc_buf_puts(b, "  }\n");
	}
	FOR_TABLES(v, l, g, t) {
		for (size_t m = 0; m < t->parents.len; m++)
			pc_buf_printf(b, "  n%d -> n%d;\n", id_of(v, ((const pc_table *)t->parents.items[m])->name),
				      id_of(v, t->name));
		for (size_t m = 0; m < t->external_parents.len; m++)
			pc_buf_printf(b, "  n%d -> n%d;\n", id_of(v, t->external_parents.items[m]), id_of(v, t->name));
	}
	pc_buf_puts(b, "  subgraph cluster_legend {\n    label=\"legend\"; style=solid;\n"
		       "    legend_table [label=\"table\", style=filled, fillcolor=\"#ffffff\"];\n"
		       "    legend_stateful [label=\"stateful\", style=\"filled,bold\", fillcolor=\"#ffe08a\"];\n"
		       "    legend_upsert [label=\"upsert sink\", peripheries=2];\n"
		       "    legend_protected [label=\"protected\", color=\"#c0392b\"];\n"
		       "    legend_external [label=\"external\", style=dashed, shape=ellipse];\n  }\n}\n");
}

/* ---- mermaid ---- */

/* A Mermaid quoted label: '"', '#', '<', '>' as entity codes, control characters as spaces. */
static void mermaid_str(pc_buf *b, const char *s)
{
	pc_buf_putc(b, '"');
	for (; *s; s++) {
		switch (*s) {
		case '"': pc_buf_puts(b, "#quot;"); break;
		case '#': pc_buf_puts(b, "#35;"); break;
		case '<': pc_buf_puts(b, "#lt;"); break;
		case '>': pc_buf_puts(b, "#gt;"); break;
		default: pc_buf_putc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
		}
	}
	pc_buf_putc(b, '"');
}

static void put_mermaid(pc_buf *b, const view *v)
{
	const layer *l;
	const group *g;
	const pc_table *t;

	pc_buf_puts(b, "flowchart LR\n");
	for (size_t i = 0; i < v->layers.len; i++) {
		l = v->layers.items[i];
		pc_buf_printf(b, "  subgraph L%zu[", i);
		mermaid_str(b, l->name);
		pc_buf_puts(b, "]\n");
		for (size_t j = 0; j < l->groups.len; j++) {
			g = l->groups.items[j];
			if (g->name) {
				pc_buf_printf(b, "    subgraph L%zuP%zu[", i, j);
				mermaid_str(b, g->name);
				pc_buf_puts(b, "]\n");
			}
			for (size_t k = 0; k < g->tables.len; k++) {
				t = g->tables.items[k];
				pc_buf_printf(b, "%sn%d[", g->name ? "      " : "    ", id_of(v, t->name));
				mermaid_str(b, t->name);
				pc_buf_puts(b, "]\n");
			}
			if (g->name)
				pc_buf_puts(b, "    end\n");
		}
		pc_buf_puts(b, "  end\n");
	}
	if (v->externals.len) {
		pc_buf_puts(b, "  subgraph EXT[\"external\"]\n");
		for (size_t i = 0; i < v->externals.len; i++) {
			pc_buf_printf(b, "    n%d([", id_of(v, v->externals.items[i]));
			mermaid_str(b, v->externals.items[i]);
			pc_buf_puts(b, "])\n");
		}
		pc_buf_puts(b, "  end\n");
	}
	FOR_TABLES(v, l, g, t) {
		for (size_t m = 0; m < t->parents.len; m++)
			pc_buf_printf(b, "  n%d --> n%d\n", id_of(v, ((const pc_table *)t->parents.items[m])->name),
				      id_of(v, t->name));
		for (size_t m = 0; m < t->external_parents.len; m++)
			pc_buf_printf(b, "  n%d --> n%d\n", id_of(v, t->external_parents.items[m]), id_of(v, t->name));
	}
	pc_buf_puts(b, "  subgraph LEGEND[\"legend\"]\n    legend_table[\"table\"]\n    legend_stateful[\"stateful\"]\n"
		       "    legend_upsert[\"upsert sink\"]\n    legend_protected[\"protected\"]\n"
		       "    legend_external([\"external\"])\n  end\n"
		       "  classDef stateful fill:#ffe08a,stroke-width:3px\n  classDef upsert stroke-dasharray:2 2\n"
		       "  classDef protected stroke:#c0392b,stroke-width:2px\n  classDef external stroke-dasharray:5 5\n"
		       "  class legend_stateful stateful\n  class legend_upsert upsert\n"
		       "  class legend_protected protected\n  class legend_external external\n");
	FOR_TABLES(v, l, g, t) {
		if (t->stateful)
			pc_buf_printf(b, "  class n%d stateful\n", id_of(v, t->name));
		else if (t->upsert)
			pc_buf_printf(b, "  class n%d upsert\n", id_of(v, t->name));
		if (t->protect)
			pc_buf_printf(b, "  class n%d protected\n", id_of(v, t->name));
	}
	for (size_t i = 0; i < v->externals.len; i++)
		pc_buf_printf(b, "  class n%d external\n", id_of(v, v->externals.items[i]));
}

/* ---- html ---- */

/* A JSON string safe inside <script>: '<', '>' and '&' as \u escapes. */
static void js_str(pc_buf *b, const char *s)
{
	pc_buf tmp = PC_BUF_INIT;
	pc_buf_put_json_str(&tmp, s ? s : "");
	for (size_t i = 0; i < tmp.len; i++) {
		char c = tmp.ptr[i];
		if (c == '<')
			pc_buf_puts(b, "\\u003c");
		else if (c == '>')
			pc_buf_puts(b, "\\u003e");
		else if (c == '&')
			pc_buf_puts(b, "\\u0026");
		else
			pc_buf_putc(b, c);
	}
	pc_buf_dispose(&tmp);
}

extern const char pc_graph_html_page[];

static void put_html(pc_buf *b, const view *v, const pc_project *p)
{
	const layer *l;
	const group *g;
	const pc_table *t;
	const char *page = pc_graph_html_page, *mark = strstr(page, "/*DATA*/");
	int first = 1;

	pc_buf_put(b, page, (size_t)(mark - page));
	pc_buf_printf(b, "{\"aggregate\":%s,\"layers\":[", p->tables.len > PC_GRAPH_HTML_AGGREGATE ? "true" : "false");
	for (size_t i = 0; i < v->layers.len; i++) {
		l = v->layers.items[i];
		pc_buf_puts(b, i ? "," : "");
		js_str(b, l->name);
	}
	pc_buf_puts(b, "],\"tables\":[");
	FOR_TABLES(v, l, g, t) {
		pc_buf_puts(b, first ? "{\"n\":" : ",{\"n\":");
		first = 0;
		js_str(b, t->name);
		pc_buf_puts(b, ",\"l\":");
		js_str(b, l->name);
		pc_buf_puts(b, ",\"p\":");
		if (g->name)
			js_str(b, g->name);
		else
			pc_buf_puts(b, "null");
		pc_buf_printf(b, ",\"s\":%d,\"u\":%d,\"x\":%d,\"r\":[", t->stateful, t->upsert, t->protect);
		for (size_t m = 0; m < t->state_reasons.len; m++) {
			const pc_state_reason *r = t->state_reasons.items[m];
			char *s = pc_sprintf("%s at %s:%d", r->op, t->dml_path ? t->dml_path : t->ddl_path, r->line);
			pc_buf_puts(b, m ? "," : "");
			js_str(b, s);
			free(s);
		}
		pc_buf_puts(b, "],\"par\":[");
		for (size_t m = 0; m < t->parents.len; m++)
			pc_buf_printf(b, "%s%d", m ? "," : "", id_of(v, ((const pc_table *)t->parents.items[m])->name));
		pc_buf_puts(b, "],\"ch\":[");
		for (size_t m = 0; m < t->children.len; m++)
			pc_buf_printf(b, "%s%d", m ? "," : "", id_of(v, ((const pc_table *)t->children.items[m])->name));
		pc_buf_puts(b, "],\"ext\":[");
		for (size_t m = 0; m < t->external_parents.len; m++) {
			pc_buf_puts(b, m ? "," : "");
			js_str(b, t->external_parents.items[m]);
		}
		pc_buf_puts(b, "],\"ddlp\":");
		js_str(b, t->ddl_path);
		pc_buf_puts(b, ",\"ddl\":");
		js_str(b, t->ddl ? t->ddl->text : "");
		pc_buf_puts(b, ",\"dmlp\":");
		js_str(b, t->dml_path ? t->dml_path : "");
		pc_buf_puts(b, ",\"dml\":");
		js_str(b, t->dml ? t->dml->text : "");
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, "],\"externals\":[");
	for (size_t i = 0; i < v->externals.len; i++) {
		pc_buf_puts(b, i ? "," : "");
		js_str(b, v->externals.items[i]);
	}
	pc_buf_puts(b, "]}");
	pc_buf_puts(b, mark + strlen("/*DATA*/"));
}

void pc_graph_project(pc_buf *out, const pc_project *p, const char *format, FILE *f)
{
	view v;
	memset(&v, 0, sizeof v);
	view_build(&v, p);
	if (strcmp(format, "json") == 0)
		put_json(out, &v, 0);
	else if (strcmp(format, "yaml") == 0)
		put_json(out, &v, 1);
	else if (strcmp(format, "dot") == 0)
		put_dot(out, &v);
	else if (strcmp(format, "mermaid") == 0)
		put_mermaid(out, &v);
	else if (strcmp(format, "html") == 0)
		put_html(out, &v, p);
	else
		put_text(out, &v, p, f);
	view_dispose(&v);
}
