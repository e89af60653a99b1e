/*
 * plan_diff.c - what an action changes in the running statements, for the
 * reviewer (plan.h: pc_plan_diff). Reads the snapshot and the action's
 * steps; the planner's decisions are not touched.
 */
#include "plan.h"

#include "../util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define CARRY_PROPERTY "sql.tables.initial-offset-from"

void pc_change_free(void *p)
{
	pc_change *c = p;
	if (!c)
		return;
	free(c->what);
	free(c->key);
	free(c->statement);
	free(c->old_value);
	free(c->new_value);
	free(c);
}

static void add(pc_action *a, const char *what, const char *key, const char *statement, const char *old_value,
		const char *new_value)
{
	pc_change *c = PC_NEW(pc_change);
	c->what = pc_strdup(what);
	c->key = key ? pc_strdup(key) : NULL;
	c->statement = statement ? pc_strdup(statement) : NULL;
	c->old_value = old_value ? pc_strdup(old_value) : NULL;
	c->new_value = new_value ? pc_strdup(new_value) : NULL;
	pc_vec_push(&a->diff, c);
}

/* s without whitespace at the end of its lines and of the text (owned). */
static char *trimmed(const char *s)
{
	char *out = pc_malloc(strlen(s) + 1), *w = out, *line_end = out;
	for (; *s; s++) {
		if (*s == '\n') {
			w = line_end;
			*w++ = '\n';
			line_end = w;
		} else {
			*w++ = *s;
			if (*s != ' ' && *s != '\t' && *s != '\r')
				line_end = w;
		}
	}
	w = line_end;
	while (w > out && w[-1] == '\n')
		w--;
	*w = 0;
	return out;
}

/* Equal but for whitespace at the end of lines and of the text. */
static int same_text(const char *a, const char *b)
{
	char *ta = trimmed(a), *tb = trimmed(b);
	int same = strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	return same;
}

static const pc_step *find_step(const pc_action *a, pc_step_kind k)
{
	for (size_t i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		if (s->kind == k && !s->teardown)
			return s;
	}
	return NULL;
}

static void diff_properties(pc_action *a, const pc_actual_st *st, const pc_kvlist *want)
{
	size_t i;
	for (i = 0; i < want->len; i++) {
		const pc_kv *kv = want->items[i];
		const char *old = pc_kv_get(&st->properties, kv->key);
		if (strcmp(kv->key, CARRY_PROPERTY) == 0)
			continue;
		if (!old || strcmp(old, kv->value ? kv->value : "") != 0)
			add(a, "property", kv->key, st->name, old, kv->value ? kv->value : "");
	}
	for (i = 0; i < st->properties.len; i++) {
		const pc_kv *kv = st->properties.items[i];
		if (strcmp(kv->key, CARRY_PROPERTY) != 0 && !pc_kv_get(want, kv->key))
			add(a, "property", kv->key, st->name, kv->value ? kv->value : "", NULL);
	}
}

static void diff_action(pc_action *a, const pc_actual_table *at)
{
	const pc_step *dml = find_step(a, PC_STEP_CREATE_DML);
	const pc_step *resume = find_step(a, PC_STEP_RESUME_STATEMENT);
	const pc_step *ddl = find_step(a, PC_STEP_RUN_DDL);
	const pc_actual_st *run = at->dml ? at->dml->st : NULL;
	const pc_step *s = dml ? dml : resume;

	if (ddl && ddl->sql && at->ddl && at->ddl->st->sql && !same_text(at->ddl->st->sql, ddl->sql))
		add(a, "ddl", NULL, at->ddl->st->name, at->ddl->st->sql, ddl->sql);
	if (dml && dml->sql && run && run->sql && !same_text(run->sql, dml->sql))
		add(a, "dml", NULL, run->name, run->sql, dml->sql);
	if (!s || !run)
		return;
	if (s->compute_pool && run->compute_pool_id && strcmp(s->compute_pool, run->compute_pool_id) != 0)
		add(a, "compute_pool", NULL, run->name, run->compute_pool_id, s->compute_pool);
	/* a resume with no properties leaves them as they are */
	if (dml || s->properties.len)
		diff_properties(a, run, &s->properties);
}

void pc_plan_diff(pc_plan *p, const pc_actual *act)
{
	if (!p || !act)
		return;
	for (size_t i = 0; i < p->actions.len; i++) {
		pc_action *a = p->actions.items[i];
		const pc_actual_table *at;
		if (a->kind == PC_ACT_NOOP || a->kind == PC_ACT_DROP || a->diff.len)
			continue;
		/* a new green is compared with the version it stands beside (a superseded green, else blue) */
		if ((at = pc_actual_table_get(act, a->green >= 2 && a->kind == PC_ACT_CREATE
							  ? (a->retires ? a->retires : a->blue ? a->blue : a->table)
							  : pc_action_physical(a))) != NULL)
			diff_action(a, at);
	}
}
