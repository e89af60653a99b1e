/*
 * output.c - printing helpers of the read-only commands.
 */
#include "output.h"

#include "../util/error.h"

#include <string.h>

static const char *severity_name(pc_severity s)
{
	return s == PC_SEV_WARNING ? "warning" : "error";
}

void pc_out_diag(FILE *f, const pc_diag *d)
{
	if (!d)
		return;
	if (d->file && d->line > 0)
		fprintf(f, "%s:%d: %s: %s\n", d->file, d->line, severity_name(d->severity), d->message);
	else if (d->file)
		fprintf(f, "%s: %s: %s\n", d->file, severity_name(d->severity), d->message);
	else
		fprintf(f, "%s: %s\n", severity_name(d->severity), d->message);
}

void pc_out_diags(FILE *f, const pc_project *p)
{
	for (size_t i = 0; i < p->diags.len; i++)
		pc_out_diag(f, p->diags.items[i]);
}

void pc_out_errors(FILE *f, const pc_project *p)
{
	for (size_t i = 0; p && i < p->diags.len; i++) {
		const pc_diag *d = p->diags.items[i];
		if (d->severity != PC_SEV_WARNING)
			pc_out_diag(f, d);
	}
}

void pc_out_json_strs(pc_buf *b, const pc_vec *v)
{
	pc_buf_putc(b, '[');
	for (size_t i = 0; i < v->len; i++) {
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, v->items[i]);
	}
	pc_buf_putc(b, ']');
}

static int cmp_table_name(const void *a, const void *b)
{
	return strcmp(((const pc_table *)a)->name, ((const pc_table *)b)->name);
}

void pc_out_sorted_tables(pc_vec *out, const pc_vec *tables)
{
	out->len = 0;
	for (size_t i = 0; i < tables->len; i++)
		pc_vec_push(out, tables->items[i]);
	pc_vec_sort(out, cmp_table_name);
}

void pc_out_json_table_names(pc_buf *b, const pc_vec *v)
{
	pc_vec sorted = PC_VEC_INIT;

	pc_out_sorted_tables(&sorted, v);
	pc_buf_putc(b, '[');
	for (size_t i = 0; i < sorted.len; i++) {
		const pc_table *t = sorted.items[i];
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, t->name);
	}
	pc_buf_putc(b, ']');
	pc_vec_dispose(&sorted, NULL);
}

void pc_out_json_str_or_null(pc_buf *b, const char *s)
{
	if (s)
		pc_buf_put_json_str(b, s);
	else
		pc_buf_puts(b, "null");
}

int pc_out_write(const pc_buf *b, FILE *f)
{
	if (b->len && fwrite(b->ptr, 1, b->len, f) != b->len) {
		pc_cli_error("could not write the output");
		return PC_EXIT_ERROR;
	}
	return 0;
}

int pc_out_flush(pc_buf *b, FILE *f)
{
	if (pc_out_write(b, f) != 0)
		return PC_EXIT_ERROR;
	if (fflush(f) != 0) {
		pc_cli_error("could not write the output");
		return PC_EXIT_ERROR;
	}
	return 0;
}

int pc_out_load_project(pc_project **out, const pc_cli *cli)
{
	int rc = pc_project_load(out, cli->root, cli->config_path);
	if (rc < 0) {
		*out = NULL;
		return pc_cli_fail(NULL, rc);
	}
	return 0;
}
