/*
 * plan_decide.c - the rules table of design.md §4, one table at a time,
 * and the orphans (docs/reconcile.md).
 */
#include "plan_int.h"

#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef enum dml_state { DML_LIVE, DML_STOPPED, DML_FAILED, DML_MISSING, DML_UNKNOWN } dml_state;

/* What the planner does with the current DML's phase (provider.h says why STOPPING is stopped here). */
static dml_state state_of(const pc_actual_table *at)
{
	if (!at || !at->dml)
		return DML_MISSING;
	switch (at->ph) {
	case PC_PHASE_RUNNING:
	case PC_PHASE_PENDING:
	case PC_PHASE_DEGRADED:
		return DML_LIVE;
	case PC_PHASE_STOPPING:
	case PC_PHASE_STOPPED:
		return DML_STOPPED;
	case PC_PHASE_FAILED:
	case PC_PHASE_FAILING:
		return DML_FAILED;
	case PC_PHASE_COMPLETED:
	case PC_PHASE_DELETING:
		return DML_MISSING;
	case PC_PHASE_UNKNOWN:
		break;
	}
	return DML_UNKNOWN;
}

/* Where the offsets of a new statement can come from, or NULL. */
static const pc_actual_stmt *carry_source(const pc_actual_table *at)
{
	size_t i;
	dml_state s = state_of(at);
	if (s == DML_LIVE || s == DML_STOPPED)
		return at->dml;
	for (i = 0; at && i < at->dmls.len; i++) {
		const pc_actual_stmt *d = at->dmls.items[i];
		if (d->st->latest_offsets.len)
			return d;
	}
	return NULL;
}

/* "stateful: GROUP BY at f.sql:7", "upsert sink", ... why carry-over is impossible. */
static char *why_not_eligible(const pc_table *t)
{
	const char *file = t->ctas ? t->ddl_path : t->dml_path;
	if (t->stateful) {
		if (t->statefulness == PC_STATE_FORCE_STATEFUL && !t->analyzed_stateful)
			return pc_strdup("stateful (table.yaml statefulness: stateful)");
		if (t->state_reasons.len) {
			const pc_state_reason *r = t->state_reasons.items[0];
			return pc_sprintf("stateful: %s at %s:%d", r->op, file ? file : "?", r->line);
		}
		return pc_strdup("stateful");
	}
	if (t->upsert)
		return pc_strdup("upsert sink");
	if (t->ctas)
		return pc_strdup("CREATE TABLE AS");
	return pc_strdup("carry-over not possible");
}

static void add_state_details(pc_action *a, const pc_table *t)
{
	const char *file = t->ctas ? t->ddl_path : t->dml_path;
	size_t i;
	for (i = 0; i < t->state_reasons.len; i++) {
		const pc_state_reason *r = t->state_reasons.items[i];
		pc_vec_push(&a->details, pc_sprintf("stateful: %s at %s:%d", r->op, file ? file : "?", r->line));
	}
	if (t->upsert)
		pc_vec_push(&a->details, pc_sprintf("upsert sink (%s)", t->ddl_path ? t->ddl_path : "DDL"));
}

static void set_reason(pc_action *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(pc_action *a, const char *fmt, ...)
{
	va_list ap;
	pc_buf b = PC_BUF_INIT;
	va_start(ap, fmt);
	pc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(a->reason);
	a->reason = pc_buf_detach(&b);
}

/* The first parent whose topic is new in this plan (create, rebuild, restart). */
static const pc_action *forcing_parent(pc_planner *pl, const pc_table *t)
{
	size_t i;
	for (i = 0; i < t->parents.len; i++) {
		const pc_table *p = t->parents.items[i];
		const pc_action *pa = pc_map_get(&pl->by_table, p->name);
		if (!pa)
			continue;
		/* a view created again (its DDL statement expired) changes nothing downstream */
		if (pa->kind == PC_ACT_CREATE && pc_table_is_view(p))
			continue;
		if (pa->kind == PC_ACT_CREATE || pa->kind == PC_ACT_REBUILD || pa->kind == PC_ACT_RESTART)
			return pa;
	}
	return NULL;
}

static void add_action(pc_planner *pl, pc_action *a)
{
	pc_vec_push(&pl->plan->actions, a);
	pc_map_put(&pl->by_table, a->table, a);
}

static const char *verb_of(pc_action_kind k)
{
	switch (k) {
	case PC_ACT_CREATE:
		return "created";
	case PC_ACT_RESTART:
		return "restarted from earliest";
	default:
		return "rebuilt";
	}
}

/* Same SQL, other properties (recorded in pipectl-fp). */
static int props_changed(const pc_table *t, const pc_actual_table *at)
{
	const char *want = pc_table_dml_sql_fp(t);
	char fp[33];
	if (!at || !at->dml || !at->dml_sql_fp || !want || strcmp(at->dml_sql_fp, want) || !at->dml_fp)
		return 0;
	pc_table_dml_fp(t, fp);
	return strcmp(at->dml_fp, fp) != 0;
}

/* Decide the kind and reason of a table that exists. */
static void decide_existing(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at,
			    const pc_action *parent, const pc_actual_stmt **carry)
{
	int has_dml = pc_table_has_dml(t);
	int eligible = pc_table_carry_over_eligible(t) && !t->ctas;
	int ddl_changed = at->ddl_fp && strcmp(at->ddl_fp, t->ddl_fingerprint) != 0;
	dml_state st = state_of(at);
	const char *want_sql_fp = pc_table_dml_sql_fp(t);
	int sql_changed = 0, props_diff = 0, pool_changed;
	char *why = NULL;

	if (!at->ddl_fp)
		pc_plan_warn(pl, "'%s': no DDL statement or DML label records its DDL (expired after 30 days?): "
				 "DDL assumed unchanged", t->name);
	if (has_dml && at->dml) {
		sql_changed = !at->dml_sql_fp || !want_sql_fp || strcmp(at->dml_sql_fp, want_sql_fp) != 0;
		props_diff = props_changed(t, at);
	}
	pool_changed = has_dml && pc_plan_pool_changed(pl, t, at);

	if (pl->opt->force && pc_map_has(&pl->selected, t->name)) {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "--force");
		return;
	}
	if (ddl_changed) {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "DDL changed");
		return;
	}
	if (parent) {
		a->kind = PC_ACT_REBUILD;
		a->forced_by = pc_strdup(parent->table);
		if (parent->kind == PC_ACT_RESTART)
			set_reason(a, "parent '%s' is restarted from earliest: its rows come again", parent->table);
		else
			set_reason(a, "parent '%s' is %s: its topic is new, re-read it from earliest", parent->table,
				   verb_of(parent->kind));
		return;
	}
	if (!has_dml) {
		a->kind = PC_ACT_NOOP;
		set_reason(a, "table exists, DDL unchanged");
		return;
	}
	if (st == DML_UNKNOWN) {
		/* It may be writing or not: neither a second writer nor a resume is safe. */
		a->kind = PC_ACT_NOOP;
		set_reason(a, "statement '%s' is in phase %s, which pipectl does not know: left as it is",
			   at->dml->st->name, at->phase ? at->phase : "(none)");
		pc_plan_warn(pl, "'%s': statement '%s' is in phase %s, which pipectl does not know: left as it is",
			     t->name, at->dml->st->name, at->phase ? at->phase : "(none)");
		return;
	}
	if (sql_changed && at->dml) {
		*carry = carry_source(at);
		if (eligible && *carry) {
			a->kind = PC_ACT_REPLACE_DML;
			set_reason(a, "DML changed; stateless, append-only: new statement carries offsets from '%s'",
				   (*carry)->st->name);
		} else if (!eligible) {
			why = why_not_eligible(t);
			a->kind = PC_ACT_REBUILD;
			set_reason(a, "DML changed; %s: %s", why,
				   t->stateful ? "its state must be rebuilt from earliest"
					       : "offsets cannot be carried over, reprocess from earliest");
		} else {
			a->kind = PC_ACT_REBUILD;
			set_reason(a, "DML changed; the old statement is %s and its offsets are unknown",
				   at->phase ? at->phase : "gone");
		}
		free(why);
		return;
	}
	switch (st) {
	case DML_LIVE:
		if (pool_changed || props_diff) {
			a->kind = PC_ACT_START;
			if (pool_changed)
			{
				const char *src;
				set_reason(a, "compute pool %s -> %s: stop, then resume (state and offsets kept)",
					   at->pool, pc_plan_explicit_pool(pl, t, &src));
			}
			else
				set_reason(a, "properties changed: stop, then resume (state and offsets kept)");
		} else if (at->live_dmls > 1) {
			a->kind = PC_ACT_START;
			set_reason(a, "%d DML statements write the table: stop the extra ones", at->live_dmls);
		} else {
			a->kind = PC_ACT_NOOP;
			set_reason(a, "up to date (%s)", at->phase);
			if (at->ph == PC_PHASE_DEGRADED)
				pc_plan_warn(pl, "'%s': statement '%s' is DEGRADED", t->name, at->dml->st->name);
		}
		return;
	case DML_STOPPED:
		a->kind = PC_ACT_START;
		set_reason(a, "DML stopped: resume it (state and offsets kept)%s",
			   pool_changed || props_diff ? " with the new pool/properties" : "");
		return;
	case DML_UNKNOWN: /* held above */
		return;
	case DML_FAILED:
	case DML_MISSING:
		*carry = carry_source(at);
		if (eligible && *carry) {
			a->kind = PC_ACT_START;
			set_reason(a, "DML %s: new statement carrying offsets from '%s'",
				   st == DML_FAILED ? "FAILED" : "missing", (*carry)->st->name);
		} else if (eligible) {
			a->kind = PC_ACT_REBUILD;
			set_reason(a, "DML %s and its offsets are unknown: reprocess from earliest",
				   st == DML_FAILED ? "FAILED" : "missing");
		} else {
			why = why_not_eligible(t);
			a->kind = PC_ACT_REBUILD;
			set_reason(a, "DML %s; %s: its state is gone, only reprocessing from earliest is exact",
				   st == DML_FAILED ? "FAILED" : "missing", why);
			free(why);
		}
		if (st == DML_FAILED && at->detail && *at->detail)
			pc_vec_push(&a->details, pc_sprintf("'%s' failed: %s", at->dml->st->name, at->detail));
		return;
	}
}

/* A view holds no data: absent or changed, it is dropped (IF EXISTS) and created again. */
static void decide_view(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at,
			const pc_action *parent)
{
	if (!pc_actual_exists(at, t)) {
		a->kind = PC_ACT_CREATE;
		set_reason(a, "view absent (no completed DDL statement records it; it may have expired)");
	} else if (pl->opt->force && pc_map_has(&pl->selected, t->name)) {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "--force");
	} else if (at->ddl_fp && strcmp(at->ddl_fp, t->ddl_fingerprint) != 0) {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "view definition changed");
	} else if (parent) {
		a->kind = PC_ACT_REBUILD;
		a->forced_by = pc_strdup(parent->table);
		set_reason(a, "parent '%s' is %s: what the view reads is new", parent->table, verb_of(parent->kind));
	} else {
		a->kind = PC_ACT_NOOP;
		set_reason(a, "view exists, definition unchanged");
	}
}

static void build_steps(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at,
			const pc_actual_stmt *carry)
{
	int exists = at && at->topic_exists;
	pc_step *s;

	if (pc_table_is_view(t)) {
		if (a->kind == PC_ACT_CREATE || a->kind == PC_ACT_REBUILD) {
			pc_steps_drop_view(pl, a, t);
			pc_steps_create(pl, a, t);
		}
		return;
	}
	switch (a->kind) {
	case PC_ACT_NOOP:
	case PC_ACT_DROP:
	case PC_ACT__COUNT:
		break;
	case PC_ACT_CREATE:
		pc_steps_remove_dmls(pl, a, at, 1);
		pc_steps_create(pl, a, t);
		break;
	case PC_ACT_REBUILD:
		pc_steps_remove_dmls(pl, a, at, 1);
		if (exists)
			pc_steps_drop_table(pl, a, t->name);
		pc_steps_create(pl, a, t);
		break;
	case PC_ACT_RESTART:
		pc_steps_remove_dmls(pl, a, at, 1);
		pc_steps_create_dml(pl, a, t, NULL);
		break;
	case PC_ACT_REPLACE_DML:
		s = pc_steps_create_dml(pl, a, t, carry->st->name);
		s->wait = !pc_phase_live(carry->st->ph);
		pc_steps_remove_dmls(pl, a, at, 0);
		break;
	case PC_ACT_START:
		if (carry) { /* failed or missing: a new statement carrying offsets */
			pc_steps_create_dml(pl, a, t, carry->st->name);
			pc_steps_remove_dmls(pl, a, at, 0);
		} else if (state_of(at) == DML_STOPPED) {
			pc_steps_resume(pl, a, t, at->dml, 0);
			pc_steps_remove_extras(pl, a, at, at->dml, 0);
		} else if (pc_plan_pool_changed(pl, t, at) || props_changed(t, at)) {
			pc_steps_resume(pl, a, t, at->dml, 1);
			pc_steps_remove_extras(pl, a, at, at->dml, 0);
		} else {
			pc_steps_remove_extras(pl, a, at, at->dml, 0);
		}
		break;
	}
}

int pc_plan_decide(pc_planner *pl, pc_table *t)
{
	int in_sel = pc_map_has(&pl->selected, t->name);
	int in_pull = pc_map_has(&pl->pulled, t->name);
	const pc_action *parent = forcing_parent(pl, t);
	const pc_actual_table *at;
	const pc_actual_stmt *carry = NULL;
	pc_action *a;
	int rc;

	at = pc_actual_table_get(pl->act, t->name);
	/* A parent's new topic matters only to a child that exists and reads the old one. */
	if (parent && !pc_actual_exists(at, t))
		parent = NULL;
	if (!in_sel && !in_pull && !parent)
		return 0;
	a = PC_NEW(pc_action);
	a->table = pc_strdup(t->name);
	a->selected = in_sel;
	if (!t->active) {
		a->kind = PC_ACT_NOOP;
		set_reason(a, "active: false: left exactly as it is");
		if (parent)
			pc_plan_warn(pl, "'%s' is active: false and reads '%s', which is %s: it may fail or "
					 "read rows twice", t->name, parent->table, verb_of(parent->kind));
		add_action(pl, a);
		return 0;
	}
	if ((rc = pc_plan_check_broken(pl->proj, t)) < 0 || (rc = pc_plan_check_external(pl, t)) < 0) {
		pc_action_free(a);
		return rc;
	}
	if (t->statefulness != PC_STATE_AUTO && t->stateful != t->analyzed_stateful)
		pc_plan_warn(pl, "'%s': statefulness overridden by table.yaml (%s; the analysis says %s)", t->name,
			     t->stateful ? "stateful" : "stateless", t->analyzed_stateful ? "stateful" : "stateless");
	if (pc_table_is_view(t)) {
		decide_view(pl, a, t, at, parent);
	} else if (!at || !at->topic_exists) {
		a->kind = PC_ACT_CREATE;
		set_reason(a, "table absent");
		if (pl->opt->dml_only)
			pc_plan_warn(pl, "'%s' is absent: created with its DDL despite --dml-only", t->name);
	} else {
		decide_existing(pl, a, t, at, parent, &carry);
	}
	if (a->kind == PC_ACT_REBUILD && pl->opt->dml_only) {
		char *r = a->reason;
		if (pc_table_has_dml(t)) {
			a->kind = PC_ACT_RESTART;
			a->reason = pc_sprintf("%s (--dml-only: table kept, DML restarted from earliest)", r);
			pc_plan_warn(pl, "'%s' restarts from earliest into its existing table (--dml-only): rows "
					 "may repeat", t->name);
		} else {
			a->kind = PC_ACT_NOOP;
			a->reason = pc_sprintf("%s; not applied (--dml-only runs no DDL)", r);
			pc_plan_warn(pl, "'%s': %s, not applied (--dml-only)", t->name, r);
		}
		free(r);
	}
	if (a->kind == PC_ACT_REBUILD && t->protect && !pc_table_is_view(t)) {
		rc = pc_error_set(PC_EINVALID, "table '%s' is protected (protect: true) but would be rebuilt: %s",
				  t->name, a->reason);
		pc_action_free(a);
		return rc;
	}
	if (a->kind == PC_ACT_REBUILD || a->kind == PC_ACT_REPLACE_DML || a->kind == PC_ACT_RESTART)
		add_state_details(a, t);
	a->destructive = a->kind == PC_ACT_REBUILD && !pc_table_is_view(t);
	/* only what runs a statement needs a pool (and may create pipectl's) */
	if (a->kind != PC_ACT_NOOP)
		pc_plan_resolve_pool(pl, a, t, at);
	build_steps(pl, a, t, at, carry);
	add_action(pl, a);
	return 0;
}

/* ---- orphans ---- */

typedef struct orphan {
	const pc_actual_table *at;
	pc_action *a;
	pc_vec readers;   /* orphan * whose DML reads this one */
	int wave;         /* -1: not computed, -2: in progress */
} orphan;

static const char *protect_label(const pc_actual_table *at)
{
	size_t i;
	for (i = 0; i < at->dmls.len + at->ddls.len; i++) {
		const pc_actual_stmt *s = i < at->dmls.len ? at->dmls.items[i] : at->ddls.items[i - at->dmls.len];
		const char *v = pc_kv_get(&s->st->labels, PC_LABEL_PROTECT);
		if (v && !strcmp(v, "true"))
			return s->st->name;
	}
	return NULL;
}

static int orphan_wave(orphan *o)
{
	size_t i;
	int w = 0;
	if (o->wave >= 0)
		return o->wave;
	if (o->wave == -2)
		return 0; /* a cycle among orphans: break it */
	o->wave = -2;
	for (i = 0; i < o->readers.len; i++) {
		int rw = orphan_wave(o->readers.items[i]) + 1;
		if (rw > w)
			w = rw;
	}
	o->wave = w;
	return w;
}

static int by_wave(const void *x, const void *y)
{
	const orphan *a = x, *b = y;
	if (a->wave != b->wave)
		return a->wave - b->wave;
	return strcmp(a->at->name, b->at->name);
}

static void orphan_free(void *p)
{
	orphan *o = p;
	if (!o)
		return;
	pc_vec_dispose(&o->readers, NULL);
	free(o);
}

/* Orphans whose DML reads another orphan: the reader is dropped first. */
static void link_orphan_readers(pc_vec *orphans, pc_map *by_name)
{
	size_t i, j, k;
	for (i = 0; i < orphans->len; i++) {
		orphan *o = orphans->items[i];
		pc_sql_file *f = NULL;
		const pc_statement *st = o->at->dml ? o->at->dml->st : NULL;
		if (!st || !st->sql || pc_sql_analyze(&f, st->name, st->sql, strlen(st->sql)) < 0) {
			pc_error_clear();
			continue;
		}
		for (j = 0; j < f->stmts.len; j++) {
			const pc_sql_stmt *s = f->stmts.items[j];
			for (k = 0; k < s->reads.len; k++) {
				orphan *src = pc_map_get(by_name, pc_sql_base_name(s->reads.items[k]));
				if (src && src != o && pc_vec_find_str(&src->a->teardown_after, o->at->name) < 0) {
					pc_vec_push(&src->readers, o);
					pc_vec_push(&src->a->teardown_after, pc_strdup(o->at->name));
				}
			}
		}
		pc_sql_file_free(f);
	}
}

int pc_plan_orphans(pc_planner *pl)
{
	pc_vec orphans = PC_VEC_INIT;
	pc_map by_name = PC_MAP_INIT, readers = PC_MAP_INIT;
	size_t i, j;
	int rc = 0;
	int prune = pl->opt->prune && !pl->opt->n_selectors;

	if (pl->opt->prune && pl->opt->n_selectors)
		pc_plan_warn(pl, "--prune is ignored with selectors: plan without selectors to drop orphans");
	for (i = 0; i < pl->act->tables.len; i++) {
		const pc_actual_table *at = pl->act->tables.items[i];
		orphan *o;
		if (pc_project_table(pl->proj, at->name))
			continue;
		if (!at->dmls.len && !at->ddls.len)
			continue; /* not ours */
		if (!at->topic_exists && !at->dmls.len)
			continue; /* only finished DDL/DROP statements left: they expire */
		o = PC_NEW(orphan);
		o->at = at;
		o->wave = -1;
		pc_vec_push(&orphans, o);
	}
	if (!orphans.len)
		goto done;
	if (!prune) {
		for (i = 0; i < orphans.len; i++) {
			const orphan *o = orphans.items[i];
			pc_plan_warn(pl, "orphan: '%s' is no longer in git (%s%s%s); --prune drops it", o->at->name,
				     o->at->topic_exists ? "topic" : "",
				     o->at->topic_exists && o->at->dml ? ", statement " : o->at->dml ? "statement " : "",
				     o->at->dml ? o->at->dml->st->name : "");
		}
		goto done;
	}
	if (pl->proj->n_errors) {
		rc = pc_error_set(PC_EINVALID, "--prune refused: the project has %d error(s), so what is gone from git "
					       "cannot be told apart from what did not load (see pipectl validate)",
				  pl->proj->n_errors);
		goto done;
	}
	/* desired tables reading a name that no DDL creates */
	for (i = 0; i < pl->proj->tables.len; i++) {
		const pc_table *t = pl->proj->tables.items[i];
		for (j = 0; j < t->external_parents.len; j++)
			pc_map_put(&readers, pc_sql_base_name(t->external_parents.items[j]), (void *)t);
	}
	for (i = 0; i < orphans.len; i++) {
		orphan *o = orphans.items[i];
		const pc_table *reader = pc_map_get(&readers, o->at->name);
		const char *prot = protect_label(o->at);
		if (reader) {
			rc = pc_error_set(PC_EINVALID, "cannot drop '%s', gone from git: table '%s' still reads it",
					  o->at->name, reader->name);
			goto done;
		}
		if (prot) {
			rc = pc_error_set(PC_EINVALID,
					  "cannot drop '%s', gone from git: it was protected (protect: true, label on "
					  "statement '%s'); drop it by hand",
					  o->at->name, prot);
			goto done;
		}
		o->a = PC_NEW(pc_action);
		o->a->table = pc_strdup(o->at->name);
		o->a->kind = PC_ACT_DROP;
		o->a->destructive = 1;
		o->a->reason = pc_strdup(o->at->topic_exists ? "gone from git (--prune): stop its DML, drop the table"
							     : "gone from git (--prune): its table is already gone, remove "
							       "its DML");
		if (o->at->pool) {
			o->a->compute_pool = pc_strdup(o->at->pool);
			o->a->pool_source = pc_strdup("current statement");
		} else if (pl->cfg && pl->cfg->flink_compute_pool_id) {
			o->a->compute_pool = pc_strdup(pl->cfg->flink_compute_pool_id);
			o->a->pool_source = pc_strdup("configured default");
		}
		pc_steps_remove_dmls(pl, o->a, o->at, 1);
		if (o->at->topic_exists)
			pc_steps_drop_table(pl, o->a, o->at->name);
		pc_map_put(&by_name, o->at->name, o);
	}
	link_orphan_readers(&orphans, &by_name);
	for (i = 0; i < orphans.len; i++)
		orphan_wave(orphans.items[i]);
	pc_vec_sort(&orphans, by_wave);
	for (i = 0; i < orphans.len; i++) {
		orphan *o = orphans.items[i];
		o->a->wave = o->wave;
		pc_vec_sort_str(&o->a->teardown_after);
		add_action(pl, o->a);
		o->a = NULL;
	}
done:
	for (i = 0; i < orphans.len; i++)
		pc_action_free(((orphan *)orphans.items[i])->a);
	pc_vec_dispose(&orphans, orphan_free);
	pc_map_dispose(&by_name, NULL);
	pc_map_dispose(&readers, NULL);
	return rc;
}
