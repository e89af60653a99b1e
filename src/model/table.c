/*
 * table.c - pc_table and pc_project lifecycles, diagnostics.
 */
#include "project.h"
#include "naming.h"

#include "../util/alloc.h"
#include "../util/buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int pc_table_carry_over_eligible(const pc_table *t)
{
	return t && !t->stateful && !t->upsert;
}

pc_table *pc_table_new(void)
{
	pc_table *t = PC_NEW(pc_table);
	t->active = 1;
	return t;
}

void pc_table_free(pc_table *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->layer);
	free(t->product);
	free(t->folder);
	free(t->ddl_path);
	free(t->dml_path);
	free(t->props_path);
	free(t->adopt);
	free(t->yaml_path);
	pc_sql_file_free(t->ddl);
	pc_sql_file_free(t->dml);
	pc_kv_dispose(&t->dml_properties);
	free(t->compute_pool);
	pc_kv_dispose(&t->properties);
	pc_vec_dispose(&t->state_reasons, NULL);
	pc_vec_dispose(&t->parents, NULL);
	pc_vec_dispose(&t->children, NULL);
	pc_vec_dispose(&t->external_parents, free);
	free(t);
}

static void table_free_fn(void *p)
{
	pc_table_free(p);
}

static void diag_free(void *p)
{
	pc_diag *d = p;
	if (!d)
		return;
	free(d->file);
	free(d->table);
	free(d->message);
	free(d);
}

char *pc_diag_format(const pc_diag *d)
{
	if (!d)
		return pc_strdup("");
	if (d->file && d->line > 0)
		return pc_sprintf("%s:%d: %s", d->file, d->line, d->message);
	if (d->file)
		return pc_sprintf("%s: %s", d->file, d->message);
	return pc_strdup(d->message);
}

void pc_project_add_diag(pc_project *p, pc_severity sev, const char *file, int line, const char *table,
			 const char *fmt, ...)
{
	pc_diag *d = PC_NEW(pc_diag);
	pc_buf b = PC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	d->severity = sev;
	d->file = pc_strdup(file);
	d->line = line;
	d->table = pc_strdup(table);
	d->message = pc_buf_detach(&b);
	pc_vec_push(&p->diags, d);
	if (sev == PC_SEV_ERROR)
		p->n_errors++;
	else
		p->n_warnings++;
}

pc_table *pc_project_table(const pc_project *p, const char *name)
{
	if (!p || !name)
		return NULL;
	return pc_map_get(&p->by_name, name);
}

static void external_free_fn(void *v)
{
	pc_external *x = v;
	if (!x)
		return;
	free(x->name);
	free(x->ddl_path);
	free(x->ddl_sql);
	pc_vec_dispose(&x->readers, NULL);
	free(x);
}

void pc_project_free(pc_project *p)
{
	if (!p)
		return;
	if (p->owns_config)
		pc_config_free(p->config);
	free(p->root);
	free(p->commit);
	pc_vec_dispose(&p->tables, table_free_fn);
	pc_map_dispose(&p->by_name, NULL);
	pc_vec_dispose(&p->topo, NULL);
	pc_vec_dispose(&p->diags, diag_free);
	pc_vec_dispose(&p->externals, external_free_fn);
	free(p);
}

pc_external *pc_project_external(const pc_project *p, const char *name)
{
	const char *base;
	if (!p || !name)
		return NULL;
	base = pc_sql_base_name(name);
	for (size_t i = 0; i < p->externals.len; i++) {
		pc_external *x = p->externals.items[i];
		if (strcmp(x->name, name) == 0 || strcmp(pc_sql_base_name(x->name), base) == 0)
			return x;
	}
	return NULL;
}

/* ---- the desired side, as pipectl records it in labels ---- */

int pc_table_is_view(const pc_table *t)
{
	size_t i;
	if (!t || !t->ddl)
		return 0;
	for (i = 0; i < t->ddl->stmts.len; i++) {
		const pc_sql_stmt *s = t->ddl->stmts.items[i];
		if (s->creates.len)
			return s->kind == PC_STMT_CREATE_VIEW;
	}
	return 0;
}

int pc_table_has_dml(const pc_table *t)
{
	return t && (t->ctas || t->dml) && !pc_table_is_view(t);
}

const char *pc_table_dml_sql_fp(const pc_table *t)
{
	if (!t)
		return NULL;
	if (t->ctas)
		return t->ddl_fingerprint;
	return t->dml ? t->dml_fingerprint : NULL;
}

void pc_table_user_props(const pc_table *t, pc_kvlist *out)
{
	pc_kv_copy(out, &t->dml_properties);
	pc_kv_copy(out, &t->properties);
}

void pc_table_dml_fp(const pc_table *t, char out[33])
{
	pc_kvlist props = PC_VEC_INIT;
	pc_table_user_props(t, &props);
	pc_naming_dml_fp(out, pc_table_dml_sql_fp(t), &props);
	pc_kv_dispose(&props);
}
