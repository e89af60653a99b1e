/*
 * cmd_inventory.c - `pipectl inventory [--json]`: every table of the
 * project with its layer, product, files, parents, children and state.
 *
 * Per-file problems do not stop the listing: the inventory of everything
 * readable is printed on stdout, the problems on stderr, and the exit
 * status is 1 when any of them is an error.
 */
#include "args.h"
#include "cli.h"
#include "output.h"

#include "../util/buf.h"

#include <stdio.h>
#include <string.h>

#define JSON_SLICE (64 * 1024)

static const char *reason_file(const pc_table *t)
{
	return t->ctas || !t->dml_path ? t->ddl_path : t->dml_path;
}

static void put_table_json(pc_buf *b, const pc_table *t)
{
	pc_buf_puts(b, "{\"name\":");
	pc_buf_put_json_str(b, t->name);
	pc_buf_puts(b, ",\"layer\":");
	pc_out_json_str_or_null(b, t->layer);
	pc_buf_puts(b, ",\"product\":");
	pc_out_json_str_or_null(b, t->product);
	pc_buf_puts(b, ",\"ddl\":");
	pc_out_json_str_or_null(b, t->ddl_path);
	pc_buf_puts(b, ",\"dml\":");
	pc_out_json_str_or_null(b, t->dml_path);
	pc_buf_puts(b, ",\"parents\":");
	pc_out_json_table_names(b, &t->parents);
	pc_buf_puts(b, ",\"children\":");
	pc_out_json_table_names(b, &t->children);
	pc_buf_puts(b, ",\"external_parents\":");
	pc_out_json_strs(b, &t->external_parents);
	pc_buf_puts(b, t->stateful ? ",\"stateful\":true,\"state_reasons\":[" : ",\"stateful\":false,\"state_reasons\":[");
	for (size_t i = 0; i < t->state_reasons.len; i++) {
		const pc_state_reason *r = t->state_reasons.items[i];
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_puts(b, "{\"op\":");
		pc_buf_put_json_str(b, r->op);
		pc_buf_printf(b, ",\"line\":%d,\"file\":", r->line);
		pc_out_json_str_or_null(b, reason_file(t));
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, t->upsert ? "],\"upsert\":true}" : "],\"upsert\":false}");
}

static void put_names(pc_buf *b, const pc_vec *tables, const pc_vec *external)
{
	pc_vec sorted = PC_VEC_INIT;
	size_t n = 0;

	pc_out_sorted_tables(&sorted, tables);
	for (size_t i = 0; i < sorted.len; i++, n++)
		pc_buf_printf(b, "%s%s", n ? "," : "", ((const pc_table *)sorted.items[i])->name);
	pc_vec_dispose(&sorted, NULL);
	for (size_t i = 0; external && i < external->len; i++, n++)
		pc_buf_printf(b, "%s%s (external)", n ? "," : "", (const char *)external->items[i]);
	if (!n)
		pc_buf_putc(b, '-');
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void put_text(pc_buf *out, const pc_project *p)
{
	size_t wn = 4, wl = 5, wp = 7;
	pc_buf cell = PC_BUF_INIT;

	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		wn = max_sz(wn, strlen(t->name));
		wl = max_sz(wl, t->layer ? strlen(t->layer) : 1);
		wp = max_sz(wp, t->product ? strlen(t->product) : 1);
	}
	pc_buf_printf(out, "%-*s  %-*s  %-*s  %-8s  %-6s  %s  ->  %s\n", (int)wn, "NAME", (int)wl, "LAYER",
		      (int)wp, "PRODUCT", "STATE", "SINK", "PARENTS", "CHILDREN");
	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		pc_buf_printf(out, "%-*s  %-*s  %-*s  %-8s  %-6s  ", (int)wn, t->name, (int)wl,
			      t->layer ? t->layer : "-", (int)wp, t->product ? t->product : "-",
			      t->stateful ? "stateful" : "-", t->upsert ? "upsert" : "append");
		pc_buf_clear(&cell);
		put_names(&cell, &t->parents, &t->external_parents);
		pc_buf_puts(out, cell.ptr);
		pc_buf_puts(out, "  ->  ");
		pc_buf_clear(&cell);
		put_names(&cell, &t->children, NULL);
		pc_buf_puts(out, cell.ptr);
		pc_buf_putc(out, '\n');
	}
	pc_buf_dispose(&cell);
}

int pc_cmd_inventory(const pc_cli *cli, int argc, char **argv)
{
	pc_project *p = NULL;
	pc_buf out = PC_BUF_INIT;
	pc_args args = PC_ARGS_INIT(argc, argv);
	int json = 0, rc;

	while (pc_args_next(&args)) {
		if (pc_args_flag(&args, "--json", NULL))
			json = 1;
		else if (pc_args_is_option(&args))
			return pc_cli_usage_error(pc_cli_find("inventory"), "unknown option '%s'", args.arg);
		else
			return pc_cli_usage_error(pc_cli_find("inventory"), "unexpected argument '%s'", args.arg);
	}
	rc = pc_out_load_project(&p, cli);
	if (rc)
		return rc;
	pc_out_diags(stderr, p);
	if (json) {
		/*
		 * Written as it is made, a slice at a time: the JSON of 100,000
		 * tables is about 45 MB, which need not be held whole.
		 */
		pc_buf_puts(&out, "{\"format_version\":\"1\",\"tables\":[");
		for (size_t i = 0; i < p->tables.len && !rc; i++) {
			if (i)
				pc_buf_putc(&out, ',');
			put_table_json(&out, p->tables.items[i]);
			if (out.len >= JSON_SLICE) {
				rc = pc_out_write(&out, stdout);
				pc_buf_clear(&out);
			}
		}
		pc_buf_puts(&out, "]}\n");
	} else {
		put_text(&out, p);
	}
	if (!rc)
		rc = pc_out_flush(&out, stdout);
	if (!rc && p->n_errors)
		rc = PC_EXIT_ERROR;
	pc_buf_dispose(&out);
	pc_project_free(p);
	return rc;
}
