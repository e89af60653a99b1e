/*
 * plan_bluegreen.c - blue/green in the planner (docs/reconcile.md,
 * "Blue/green"): which physical version each table's statements use, the
 * SQL rewritten to those names, and a rebuild turned into a green version.
 */
#include "plan_int.h"

#include "../model/naming.h"
#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"

#include <stdlib.h>
#include <string.h>

const char *pc_plan_physical_of(const pc_planner *pl, const char *logical)
{
	const char *p = pc_map_get(&pl->physical, logical);
	return p ? p : pc_versions_current_name(pl->versions, logical);
}

const char *pc_plan_phys(const pc_planner *pl, const pc_table *t)
{
	return pl->phys ? pl->phys : t->name;
}

int pc_plan_strategy_blue_green(const pc_planner *pl, const pc_table *t)
{
	if (pl->opt->blue_green)
		return 1;
	if (t->strategy != PC_STRATEGY_DEFAULT)
		return t->strategy == PC_STRATEGY_BLUE_GREEN;
	return pl->cfg && pl->cfg->blue_green;
}

/* Rename a git table read under another physical name (once). */
static void add_read(const pc_planner *pl, pc_vec *from, pc_vec *to, const char *logical)
{
	const char *pp = pc_plan_physical_of(pl, logical);
	if (strcmp(pp, logical) != 0 && pc_vec_find_str(from, logical) < 0) {
		pc_vec_push(from, (void *)logical);
		pc_vec_push(to, (void *)pp);
	}
}

static void add_reads_of(const pc_planner *pl, pc_vec *from, pc_vec *to, const pc_sql_file *f)
{
	for (size_t i = 0; f && i < f->stmts.len; i++) {
		const pc_sql_stmt *st = f->stmts.items[i];
		for (size_t k = 0; k < st->reads.len; k++) {
			const pc_table *r = pc_project_table(pl->proj, pc_sql_base_name(st->reads.items[k]));
			if (r)
				add_read(pl, from, to, r->name);
		}
	}
}

char *pc_plan_sql_for(pc_planner *pl, const pc_table *t, const char *text)
{
	pc_vec from = PC_VEC_INIT, to = PC_VEC_INIT;
	pc_buf out = PC_BUF_INIT;
	const char *phys = pc_plan_phys(pl, t);
	size_t i;

	if (!text)
		return NULL;
	if (strcmp(phys, t->name) != 0) {
		pc_vec_push(&from, t->name);
		pc_vec_push(&to, (void *)phys);
	}
	for (i = 0; i < t->parents.len; i++)
		add_read(pl, &from, &to, ((const pc_table *)t->parents.items[i])->name);
	/* other git tables the SQL names without reading their rows (CREATE TABLE ... LIKE) */
	add_reads_of(pl, &from, &to, t->ddl);
	add_reads_of(pl, &from, &to, t->dml);
	if (!from.len) {
		pc_vec_dispose(&from, NULL);
		pc_vec_dispose(&to, NULL);
		return pc_strdup(text);
	}
	if (pc_sql_rename_tables(&out, text, strlen(text), (const char *const *)from.items,
				 (const char *const *)to.items, from.len) < 0) {
		/* never deploy the git names under a version: the plan fails (pc_plan_decide) */
		if (!pl->sql_error)
			pl->sql_error = pc_sprintf("cannot rewrite the SQL of '%s' for '%s': %s", t->name, phys,
						   pc_error_last());
		pc_error_clear();
		pc_buf_dispose(&out);
		pc_buf_puts(&out, text);
	}
	pc_vec_dispose(&from, NULL);
	pc_vec_dispose(&to, NULL);
	return pc_buf_detach(&out);
}

/* Whether any parent of t is read under a name other than its logical one, or has several versions. */
static int parents_versioned(const pc_planner *pl, const pc_table *t)
{
	for (size_t i = 0; i < t->parents.len; i++) {
		const pc_table *p = t->parents.items[i];
		const pc_versioned_table *vt = pc_versions_get(pl->versions, p->name);
		if (strcmp(pc_plan_physical_of(pl, p->name), p->name) != 0 || (vt && vt->versions.len > 1))
			return 1;
	}
	return 0;
}

static int known_table(void *ctx, const char *name)
{
	return pc_project_table(ctx, name) != NULL;
}

const pc_table *pc_plan_stale_parent(pc_planner *pl, const pc_table *t, const pc_actual_table *at, char **read_name)
{
	pc_sql_file *f = NULL;
	const pc_table *stale = NULL;
	const char *sql;

	*read_name = NULL;
	if (!at || !at->dml || !(sql = at->dml->st->sql) || !parents_versioned(pl, t))
		return NULL;
	if (pc_sql_analyze(&f, at->dml->st->name, sql, strlen(sql)) < 0) {
		pc_error_clear();
		return NULL;
	}
	for (size_t i = 0; i < f->stmts.len && !stale; i++) {
		const pc_sql_stmt *s = f->stmts.items[i];
		for (size_t k = 0; k < s->reads.len && !stale; k++) {
			const char *r = pc_sql_base_name(s->reads.items[k]);
			char *logical = NULL;
			int v;
			pc_naming_version_parse(r, known_table, (void *)pl->proj, &logical, &v);
			for (size_t j = 0; j < t->parents.len && !stale; j++) {
				const pc_table *p = t->parents.items[j];
				if (!strcmp(logical, p->name) && strcmp(r, pc_plan_physical_of(pl, p->name)) != 0) {
					stale = p;
					*read_name = pc_strdup(r);
				}
			}
			free(logical);
		}
	}
	pc_sql_file_free(f);
	return stale;
}

/* Whether the parent named is green: a green made by this plan, or a blue/green pair in the target. */
static int parent_green(const pc_planner *pl, const char *name)
{
	const pc_action *pa = name ? pc_map_get(&pl->by_table, name) : NULL;
	if (pa && pa->green >= 2 && pa->kind == PC_ACT_CREATE)
		return 1;
	return name && pc_versions_green(pc_versions_get(pl->versions, name)) != NULL;
}

int pc_plan_make_green(pc_planner *pl, pc_action *a, const pc_table *t)
{
	const pc_versioned_table *vt = pc_versions_get(pl->versions, t->name);
	int pair = pc_versions_green(vt) != NULL;
	int from_parent = a->forced_by && parent_green(pl, a->forced_by);
	int own = !a->forced_by && pc_plan_strategy_blue_green(pl, t);
	const char *by, *blue;
	char *green;
	int v, rc;

	if (a->kind != PC_ACT_REBUILD || !(pair || from_parent || own))
		return 0;
	if (!pc_table_has_dml(t) && !pc_table_is_view(t)) {
		/* fed from outside: its producers write the logical name, a green would stay empty */
		pc_plan_warn(pl, "'%s' has no DML (it is fed from outside pipectl): blue/green cannot make a version "
				 "its producers write to, so it is rebuilt in place (and what reads it with it)",
			     t->name);
		return 0;
	}
	v = (pc_versions_max(vt) > 1 ? pc_versions_max(vt) : 1) + 1;
	if (v > PC_VERSION_MAX)
		return pc_error_set(PC_EINVALID, "table '%s': blue/green version %d is over the limit (%d)", t->name, v,
				    PC_VERSION_MAX);
	green = pc_naming_physical(t->name, v);
	blue = pc_versions_serving_name(pl->versions, t->name);
	if (pc_project_table(pl->proj, green)) {
		rc = pc_error_set(PC_EINVALID, "table '%s': its green version would be named '%s', which is a table of "
					       "the project: rename one of them",
				  t->name, green);
		free(green);
		return rc;
	}
	by = pc_plan_protected_by(pl, t->name, t);
	if (by && !pc_table_is_view(t)) {
		char *why = pc_sprintf("table '%s' is protected (%s) but blue/green would make green '%s' (%s); "
				       "promoting it would retire (drop) '%s'",
				       t->name, by, green, a->reason, blue);
		free(green);
		if (!pl->opt->hold_refused) {
			rc = pc_error_set(PC_EINVALID, "%s", why);
			free(why);
			return rc;
		}
		a->refused = why;
		a->destructive = 1;
		return 1;
	}
	a->kind = PC_ACT_CREATE;
	free(a->physical);
	a->physical = green;
	a->green = v;
	free(a->blue);
	a->blue = pc_strdup(blue);
	free(a->retires);
	a->retires = pair ? pc_strdup(pc_versions_current(vt)->physical) : NULL;
	if (a->retires)
		pc_vec_push(&a->details, pc_sprintf("retires green '%s', which is superseded before it was promoted: "
						    "its DML stops and its table is dropped",
						    a->retires));
	pc_vec_push(&a->details, pc_sprintf("green '%s' reads from earliest; blue '%s' keeps serving until "
					    "'pipectl promote %s'",
					    green, blue, t->name));
	return 1;
}
