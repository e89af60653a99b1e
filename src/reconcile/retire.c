/*
 * retire.c - the plans of promote and rollback (retire.h). The steps are
 * the planner's own (plan_int.h: the same names, labels and SQL as a
 * destroy), so the ordinary executor runs them.
 */
#include "retire.h"

#include "plan_int.h"
#include "versions.h"
#include "../model/select.h"
#include "../model/sql.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdlib.h>
#include <string.h>

const char *pc_retire_kind_str(pc_retire_kind k)
{
	return k == PC_RETIRE_ROLLBACK ? "rollback" : "promote";
}

/* ---- the pairs: desired tables with two or more versions in the target ---- */

/*
 * A pair: a desired table with two or more versions present (versions.h);
 * versions ascending, [0] blue, [len-1] green, any between superseded.
 */
typedef struct rpair {
	const pc_versioned_table *vt; /* borrowed from the view */
	const pc_table *t;
	size_t comp;                  /* green subgraph (union-find parent index into the pairs) */
	int in_scope;                 /* selected */
} rpair;

typedef pc_version rversion;

#define VERSIONS(p) (&(p)->vt->versions)

static const rversion *blue_of(const rpair *r)
{
	return pc_versions_blue(r->vt);
}

static const rversion *green_of(const rpair *r)
{
	return pc_versions_green(r->vt);
}

/* The pairs, in topological order. */
static void collect_pairs(const pc_project *proj, const pc_versions *view, pc_vec *out)
{
	for (size_t i = 0; i < proj->topo.len; i++) {
		const pc_table *t = proj->topo.items[i];
		const pc_versioned_table *vt = pc_versions_get(view, t->name);
		rpair *r;
		if (!vt || !pc_versions_green(vt))
			continue;
		r = PC_NEW(rpair);
		r->vt = vt;
		r->t = t;
		pc_vec_push(out, r);
	}
}

/* ---- what each live statement reads, from its SQL ---- */

/*
 * phys table -> pc_vec * of the physical tables its managed DMLs read
 * (owned strings): every DML in reads (the order of the teardowns, the
 * subgraphs), the live and stopped ones (which may run again) in live.
 */
static void collect_reads(const pc_actual *act, pc_map *reads, pc_map *live)
{
	for (size_t i = 0; i < act->tables.len; i++) {
		const pc_actual_table *at = act->tables.items[i];
		pc_vec *v = NULL, *lv = NULL;
		for (size_t j = 0; j < at->dmls.len; j++) {
			const pc_actual_stmt *d = at->dmls.items[j];
			int is_live = pc_phase_live(d->st->ph) || pc_phase_stopped(d->st->ph) || d->st->ph == PC_PHASE_UNKNOWN;
			pc_sql_file *f = NULL;
			if (!d->st->sql)
				continue;
			if (pc_sql_analyze(&f, d->st->name, d->st->sql, strlen(d->st->sql)) < 0) {
				pc_error_clear();
				continue;
			}
			for (size_t s = 0; s < f->stmts.len; s++) {
				const pc_sql_stmt *st = f->stmts.items[s];
				for (size_t k = 0; k < st->reads.len; k++) {
					const char *name = pc_sql_base_name(st->reads.items[k]);
					if (!v)
						v = PC_NEW(pc_vec);
					pc_vec_add_str_unique(v, name);
					if (!is_live)
						continue;
					if (!lv)
						lv = PC_NEW(pc_vec);
					pc_vec_add_str_unique(lv, name);
				}
			}
			pc_sql_file_free(f);
		}
		if (v)
			pc_map_put(reads, at->name, v);
		if (lv)
			pc_map_put(live, at->name, lv);
	}
}

static void free_str_vec(void *p)
{
	pc_vec *v = p;
	if (!v)
		return;
	pc_vec_dispose(v, free);
	free(v);
}

/* ---- union-find over the pairs ---- */

static size_t find(pc_vec *pairs, size_t i)
{
	while (((rpair *)pairs->items[i])->comp != i)
		i = ((rpair *)pairs->items[i])->comp = ((rpair *)pairs->items[((rpair *)pairs->items[i])->comp])->comp;
	return i;
}

static void unite(pc_vec *pairs, size_t a, size_t b)
{
	a = find(pairs, a);
	b = find(pairs, b);
	if (a != b)
		((rpair *)pairs->items[a > b ? a : b])->comp = a < b ? a : b;
}

/*
 * Green subgraphs: two tables with versions go together when one is a
 * parent of the other in git, or when a version of one reads a version of
 * the other in the target.
 */
static void link_components(pc_vec *pairs, const pc_map *reads)
{
	pc_map index = PC_MAP_INIT; /* logical and physical name -> pair index + 1 */
	for (size_t i = 0; i < pairs->len; i++) {
		rpair *r = pairs->items[i];
		r->comp = i;
		pc_map_put(&index, r->t->name, (void *)(uintptr_t)(i + 1));
		for (size_t k = 0; k < VERSIONS(r)->len; k++)
			pc_map_put(&index, ((rversion *)VERSIONS(r)->items[k])->physical, (void *)(uintptr_t)(i + 1));
	}
	for (size_t i = 0; i < pairs->len; i++) {
		rpair *r = pairs->items[i];
		for (size_t j = 0; j < r->t->children.len; j++) {
			uintptr_t c = (uintptr_t)pc_map_get(&index, ((const pc_table *)r->t->children.items[j])->name);
			if (c)
				unite(pairs, i, c - 1);
		}
		for (size_t k = 0; k < VERSIONS(r)->len; k++) {
			const pc_vec *rd = pc_map_get(reads, ((rversion *)VERSIONS(r)->items[k])->physical);
			for (size_t j = 0; rd && j < rd->len; j++) {
				uintptr_t p = (uintptr_t)pc_map_get(&index, rd->items[j]);
				if (p)
					unite(pairs, i, p - 1);
			}
		}
	}
	pc_map_dispose(&index, NULL);
}

/* ---- the checks ---- */

typedef struct retire {
	pc_planner pl;
	pc_retire_kind kind;
	pc_versions *view; /* owned */
	pc_vec pairs;    /* rpair * */
	pc_map reads;    /* phys -> pc_vec *: what its DMLs read */
	pc_map live;     /* phys -> pc_vec *: what its live or stopped DMLs read */
	pc_map retired;  /* phys -> rversion * (borrowed) */
	pc_map owner;    /* phys -> rpair * (borrowed) */
	pc_map logical;  /* logical name -> rpair * (borrowed) */
} retire;

/* "'a', 'b'" of the names in v (at most 8, then "and N more"). Owned. */
static char *name_list(const pc_vec *v)
{
	pc_buf b = PC_BUF_INIT;
	for (size_t i = 0; i < v->len; i++) {
		if (i == 8) {
			pc_buf_printf(&b, " and %zu more", v->len - i);
			break;
		}
		pc_buf_printf(&b, "%s'%s'", i ? ", " : "", (const char *)v->items[i]);
	}
	return pc_buf_detach(&b);
}

/* A component that the selection takes only in part. */
static int check_components(retire *r)
{
	for (size_t i = 0; i < r->pairs.len; i++) {
		rpair *p = r->pairs.items[i];
		pc_vec missing = PC_VEC_INIT;
		char *list;
		int rc;
		if (!p->in_scope)
			continue;
		for (size_t j = 0; j < r->pairs.len; j++) {
			rpair *q = r->pairs.items[j];
			if (!q->in_scope && find(&r->pairs, j) == find(&r->pairs, i))
				pc_vec_push(&missing, (void *)q->t->name);
		}
		if (!missing.len)
			continue;
		list = name_list(&missing);
		rc = pc_error_set(PC_EINVALID,
				  "cannot %s '%s' without %s: they are one green subgraph (their versions read one "
				  "another), so they are promoted or rolled back together; select them too (e.g. %s+)",
				  pc_retire_kind_str(r->kind), p->t->name, list,
				  ((rpair *)r->pairs.items[find(&r->pairs, i)])->t->name);
		free(list);
		pc_vec_dispose(&missing, NULL);
		return rc;
	}
	return 0;
}

/* A statement that stays reading a table that goes. */
static int check_readers(retire *r)
{
	size_t it = 0;
	const char *key;
	void *val;
	pc_vec names = PC_VEC_INIT;
	int rc = 0;

	while (pc_map_next(&r->live, &it, &key, &val))
		pc_vec_push(&names, (void *)key);
	pc_vec_sort_str(&names); /* the same message every time */
	for (size_t i = 0; i < names.len && !rc; i++) {
		const char *reader = names.items[i];
		const pc_vec *rd = pc_map_get(&r->live, reader);
		if (pc_map_has(&r->retired, reader))
			continue;
		for (size_t j = 0; j < rd->len; j++) {
			const char *t = rd->items[j];
			const rpair *p;
			if (!pc_map_has(&r->retired, t))
				continue;
			p = pc_map_get(&r->owner, t);
			rc = pc_error_set(PC_EINVALID,
					  "cannot %s '%s': '%s' still reads '%s', which this %s retires; %s",
					  pc_retire_kind_str(r->kind), p->t->name, reader, t, pc_retire_kind_str(r->kind),
					  r->kind == PC_RETIRE_PROMOTE ? "its reader must move to the green version first"
								       : "select the reader's table too");
			break;
		}
	}
	pc_vec_dispose(&names, NULL);
	return rc;
}

/* promote: every green of the selection serves. */
static int check_ready(const rpair *p, char **why)
{
	const rversion *g = green_of(p);
	const pc_actual_table *at = g->at;
	*why = NULL;
	if (!pc_actual_exists(at, p->t)) {
		*why = pc_sprintf("its green '%s' does not exist yet", g->physical);
		return 0;
	}
	if (!p->t->dml && !p->t->ctas)
		return 1; /* a table without DML: its existence is all */
	if (!at->dml) {
		*why = pc_sprintf("its green '%s' has no DML statement", g->physical);
		return 0;
	}
	if (at->ph == PC_PHASE_RUNNING && at->live_dmls <= 1)
		return 1;
	if (at->ph == PC_PHASE_RUNNING)
		*why = pc_sprintf("its green '%s' has %d live DML statements", g->physical, at->live_dmls);
	else if (pc_phase_failed(at->ph) && at->detail && *at->detail)
		*why = pc_sprintf("its green '%s' is %s (statement %s: %s)", g->physical, at->phase ? at->phase : "FAILED",
				  at->dml->st->name, at->detail);
	else
		*why = pc_sprintf("its green '%s' is %s (statement %s), not RUNNING", g->physical,
				  at->phase ? at->phase : pc_phase_name(at->ph), at->dml->st->name);
	return 0;
}

/* A version other than green carries the protect label (set when it was made). */
static int protect_recorded(const rpair *p)
{
	for (size_t k = 0; k < VERSIONS(p)->len; k++) {
		const rversion *v = VERSIONS(p)->items[k];
		if (v != green_of(p) && pc_plan_protect_recorded(v->at))
			return 1;
	}
	return 0;
}

static int check_protect(const retire *r, const rpair *p)
{
	const char *by = pc_plan_protected_by(&r->pl, p->t->name, p->t);
	for (size_t k = 0; !by && k < VERSIONS(p)->len; k++) {
		const rversion *v = VERSIONS(p)->items[k];
		if (pc_map_has(&r->retired, v->physical) && pc_plan_protect_recorded(v->at))
			by = "a protection recorded in the target";
	}
	if (!by)
		return 0;
	return pc_error_set(PC_EINVALID, "cannot %s '%s': it is protected (%s); nothing was changed",
			    pc_retire_kind_str(r->kind), p->t->name, by);
}

/* ---- the plan ---- */

static void record(pc_plan *plan, const pc_project *proj, const pc_actual *act, const char *const *sels, size_t n,
		   pc_retire_kind kind)
{
	char now[40];
	const pc_config *cfg = proj->config;

	memcpy(plan->state_fingerprint, act->fingerprint, sizeof plan->state_fingerprint);
	plan->commit = pc_strdup(proj->commit);
	pc_plan_tree_fingerprint(proj, plan->tree_fingerprint);
	plan->prefix = pc_strdup(cfg && cfg->prefix ? cfg->prefix : "dev");
	plan->target = pc_strdup(cfg ? cfg->target : NULL);
	plan->environment_id = pc_strdup(cfg ? cfg->environment_id : NULL);
	pc_iso8601(pc_wall_ms(), now, sizeof now);
	plan->created_at = pc_strdup(now);
	plan->command = pc_strdup(pc_retire_kind_str(kind));
	for (size_t i = 0; i < n; i++)
		pc_vec_push(&plan->selectors, pc_strdup(sels[i]));
}

static pc_action *retire_action(retire *r, const rpair *p, const rversion *v)
{
	pc_planner *pl = &r->pl;
	pc_action *a = PC_NEW(pc_action);
	const pc_actual_table *at = v->at;

	a->table = pc_strdup(v->physical); /* a version of its own: two of one table may go */
	a->physical = pc_strdup(v->physical);
	a->selected = 1;
	a->kind = PC_ACT_DROP;
	a->destructive = at->topic_exists;
	if (r->kind == PC_RETIRE_PROMOTE)
		a->reason = pc_sprintf("promote: retire %s; green '%s' serves", pc_versions_role(p->vt, v),
				       green_of(p)->physical);
	else
		a->reason = pc_sprintf("rollback: retire %s; blue '%s' keeps serving", pc_versions_role(p->vt, v),
				       blue_of(p)->physical);
	if (at->pool) {
		a->compute_pool = pc_strdup(at->pool);
		a->pool_source = pc_strdup("current statement");
	} else if (pl->cfg && pl->cfg->flink_compute_pool_id) {
		a->compute_pool = pc_strdup(pl->cfg->flink_compute_pool_id);
		a->pool_source = pc_strdup("configured default");
	}
	pc_steps_remove_dmls(pl, a, at, 1);
	if (at->topic_exists)
		pc_steps_drop_table(pl, a, v->physical);
	return a;
}

/* Retired versions, readers first; teardown_after: the retired readers. */
static void build_actions(retire *r)
{
	pc_plan *plan = r->pl.plan;
	pc_map by_table = PC_MAP_INIT;

	for (size_t i = r->pairs.len; i-- > 0;) {
		const rpair *p = r->pairs.items[i];
		if (!p->in_scope)
			continue;
		for (size_t k = VERSIONS(p)->len; k-- > 0;) {
			const rversion *v = VERSIONS(p)->items[k];
			pc_action *a;
			if (!pc_map_has(&r->retired, v->physical))
				continue;
			a = retire_action(r, p, v);
			pc_map_put(&by_table, a->table, a);
			pc_vec_push(&plan->actions, a);
			plan->summary[a->kind]++;
		}
	}
	/* a retired table goes after every retired table that reads it */
	for (size_t i = 0; i < plan->actions.len; i++) {
		pc_action *reader = plan->actions.items[i];
		const pc_vec *rd = pc_map_get(&r->reads, reader->table);
		for (size_t j = 0; rd && j < rd->len; j++) {
			pc_action *a = pc_map_get(&by_table, rd->items[j]);
			if (a && a != reader)
				pc_vec_add_str_unique(&a->teardown_after, reader->table);
		}
	}
	/* waves count from the readers (a fixed point: the read graph has no cycle) */
	for (size_t pass = 0; pass <= plan->actions.len; pass++) {
		int moved = 0;
		for (size_t i = 0; i < plan->actions.len; i++) {
			pc_action *a = plan->actions.items[i];
			for (size_t j = 0; j < a->teardown_after.len; j++) {
				const pc_action *c = pc_map_get(&by_table, a->teardown_after.items[j]);
				if (c && c->wave + 1 > a->wave) {
					a->wave = c->wave + 1;
					moved = 1;
				}
			}
		}
		if (!moved)
			break;
	}
	for (size_t i = 0; i < plan->actions.len; i++)
		pc_vec_sort_str(&((pc_action *)plan->actions.items[i])->teardown_after);
	pc_map_dispose(&by_table, NULL);
}

/* A table whose interrupted work is moot once this plan ran: it retires it, or nothing of it is present. */
static int moot_table(const retire *r, const char *table)
{
	return pc_map_has(&r->retired, table) || !pc_versions_by_physical(r->view, table, NULL);
}

/*
 * The journals of interrupted runs whose work this plan makes moot, so that
 * a successful run deletes them and the next plan has nothing to finish (or
 * to adopt by name): every statement they named belongs to a version this
 * plan retires, or to a table not present and is absent or finished (not
 * in flight); every drop they meant is of such a table. An interrupted promote, rollback or
 * destroy, or a blue/green apply whose green this rollback retires.
 */
static void take_journals(retire *r)
{
	const pc_actual *act = r->pl.act;
	for (size_t i = 0; i < act->journals.len; i++) {
		const pc_journal *j = act->journals.items[i];
		int ours = j->actions.len > 0;
		for (size_t k = 0; ours && k < j->actions.len; k++) {
			const pc_journal_action *ja = j->actions.items[k];
			if (strcmp(ja->kind, "drop") == 0)
				ours = moot_table(r, ja->table);
		}
		for (size_t k = 0; ours && k < j->names.len; k++) {
			const pc_journal_name *n = j->names.items[k];
			const pc_actual_stmt *st = pc_actual_stmt_get(act, n->statement);
			ours = moot_table(r, n->table) && (!st || pc_map_has(&r->retired, n->table) ||
							   pc_phase_terminal(st->st->ph));
		}
		if (ours)
			pc_vec_push(&r->pl.plan->journals, pc_strdup(j->statement));
	}
}

static void retire_init(retire *r, const pc_project *proj, const pc_actual *act, pc_retire_kind kind)
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->pl.proj = proj;
	r->pl.act = act;
	r->pl.cfg = proj->config;
	r->pl.prefix = r->pl.cfg && r->pl.cfg->prefix ? r->pl.cfg->prefix : "dev";
	r->pl.plan = PC_NEW(pc_plan);
	pc_plan_resolve_protect(&r->pl);
	if (pc_versions_build(&r->view, act, proj) < 0)
		pc_error_clear(); /* bad arguments only: no pairs */
	if (r->view)
		collect_pairs(proj, r->view, &r->pairs);
	collect_reads(act, &r->reads, &r->live);
	link_components(&r->pairs, &r->reads);
	for (size_t i = 0; i < r->pairs.len; i++) {
		rpair *p = r->pairs.items[i];
		pc_map_put(&r->logical, p->t->name, p);
		for (size_t k = 0; k < VERSIONS(p)->len; k++)
			pc_map_put(&r->owner, ((rversion *)VERSIONS(p)->items[k])->physical, p);
	}
}

static void retire_dispose(retire *r)
{
	pc_plan_free(r->pl.plan);
	pc_map_dispose(&r->pl.selected, NULL);
	pc_map_dispose(&r->pl.by_table, NULL);
	pc_map_dispose(&r->pl.names, NULL);
	pc_map_dispose(&r->pl.adopted, NULL);
	pc_map_dispose(&r->pl.protect, NULL);
	pc_vec_dispose(&r->pairs, free);
	pc_versions_free(r->view);
	pc_map_dispose(&r->reads, free_str_vec);
	pc_map_dispose(&r->live, free_str_vec);
	pc_map_dispose(&r->retired, NULL);
	pc_map_dispose(&r->owner, NULL);
	pc_map_dispose(&r->logical, NULL);
}

/* What goes: every version but green (promote) or but blue (rollback) of the pairs in scope. */
static void mark_retired(retire *r)
{
	for (size_t i = 0; i < r->pairs.len; i++) {
		rpair *p = r->pairs.items[i];
		const rversion *keep;
		if (!p->in_scope)
			continue;
		keep = r->kind == PC_RETIRE_PROMOTE ? green_of(p) : blue_of(p);
		for (size_t k = 0; k < VERSIONS(p)->len; k++) {
			rversion *v = VERSIONS(p)->items[k];
			if (v != keep)
				pc_map_put(&r->retired, v->physical, v);
		}
	}
}

/* Every check, in the order that gives the most useful message first. */
static int check_all(retire *r)
{
	int rc;
	if ((rc = check_components(r)) < 0)
		return rc;
	for (size_t i = 0; i < r->pairs.len; i++) {
		const rpair *p = r->pairs.items[i];
		char *why = NULL;
		if (!p->in_scope)
			continue;
		if ((rc = check_protect(r, p)) < 0)
			return rc;
		if (r->kind == PC_RETIRE_PROMOTE && !check_ready(p, &why)) {
			rc = pc_error_set(PC_EINVALID, "cannot promote '%s': %s; nothing was changed", p->t->name, why);
			free(why);
			return rc;
		}
	}
	return check_readers(r);
}

static int finish(retire *r, pc_plan **out)
{
	build_actions(r);
	take_journals(r);
	*out = r->pl.plan;
	r->pl.plan = NULL;
	return 0;
}

int pc_plan_retire(pc_plan **out, const pc_project *proj, const pc_actual *act, pc_retire_kind kind,
		   const char *const *sels, size_t n)
{
	retire r;
	pc_vec without = PC_VEC_INIT;
	size_t in_scope = 0;
	int rc;

	*out = NULL;
	if (!n)
		return pc_error_set(PC_EUSAGE, "%s needs at least one selector (TABLE, TABLE+, product:NAME, ...)",
				    pc_retire_kind_str(kind));
	if (proj->topo.len != proj->tables.len)
		return pc_error_set(PC_EINVALID, "cannot plan a %s: the table graph has a cycle (see pipectl validate)",
				    pc_retire_kind_str(kind));
	retire_init(&r, proj, act, kind);
	record(r.pl.plan, proj, act, sels, n, kind);
	if ((rc = pc_select(&r.pl.selected, proj, sels, n)) < 0)
		goto done;
	for (size_t i = 0; i < r.pairs.len; i++) {
		rpair *p = r.pairs.items[i];
		p->in_scope = pc_map_has(&r.pl.selected, p->t->name);
		in_scope += p->in_scope != 0;
	}
	for (size_t i = 0; i < proj->topo.len; i++) {
		const pc_table *t = proj->topo.items[i];
		if (pc_map_has(&r.pl.selected, t->name) && !pc_map_has(&r.logical, t->name))
			pc_vec_push(&without, (void *)t->name);
	}
	if (!in_scope) {
		char *list = name_list(&without);
		rc = pc_error_set(PC_EINVALID, "nothing to %s: no green version of %s (pipectl status shows the versions)",
				  kind == PC_RETIRE_PROMOTE ? "promote" : "roll back", list);
		free(list);
		goto done;
	}
	if (without.len) {
		char *list = name_list(&without);
		pc_plan_warn(&r.pl, "no green version, left as they are: %s", list);
		free(list);
	}
	mark_retired(&r);
	if ((rc = check_all(&r)) < 0)
		goto done;
	rc = finish(&r, out);
done:
	pc_vec_dispose(&without, NULL);
	retire_dispose(&r);
	return rc;
}

int pc_plan_promote_ready(pc_plan **out, const pc_project *proj, const pc_actual *act, pc_vec *waiting)
{
	retire r;
	size_t in_scope = 0;
	int rc = 0;

	*out = NULL;
	if (proj->topo.len != proj->tables.len)
		return 0;
	retire_init(&r, proj, act, PC_RETIRE_PROMOTE);
	record(r.pl.plan, proj, act, NULL, 0, PC_RETIRE_PROMOTE);
	/* one subgraph at a time: in scope when every table of it may go */
	for (size_t i = 0; i < r.pairs.len; i++) {
		pc_buf names = PC_BUF_INIT;
		char *why = NULL;
		int ready = 1;
		if (find(&r.pairs, i) != i)
			continue;
		for (size_t j = i; j < r.pairs.len; j++) {
			rpair *p = r.pairs.items[j];
			if (find(&r.pairs, j) != i)
				continue;
			pc_buf_printf(&names, "%s%s", names.len ? ", " : "", p->t->name);
			if (ready && (pc_plan_protected_by(&r.pl, p->t->name, p->t) || protect_recorded(p))) {
				ready = 0;
				why = pc_sprintf("'%s' is protected", p->t->name);
			} else if (ready && !check_ready(p, &why)) {
				char *w = pc_sprintf("'%s': %s", p->t->name, why);
				free(why);
				why = w;
				ready = 0;
			}
		}
		for (size_t j = i; ready && j < r.pairs.len; j++)
			if (find(&r.pairs, j) == i)
				((rpair *)r.pairs.items[j])->in_scope = 1;
		if (ready)
			in_scope++;
		else if (waiting)
			pc_vec_push(waiting, pc_sprintf("%s: %s", names.ptr, why));
		free(why);
		pc_buf_dispose(&names);
	}
	if (in_scope) {
		mark_retired(&r);
		if (check_readers(&r) < 0) {
			if (waiting)
				pc_vec_push(waiting, pc_strdup(pc_error_last()));
			pc_error_clear();
		} else {
			rc = finish(&r, out);
		}
	}
	retire_dispose(&r);
	return rc;
}

size_t pc_retire_count_green(const pc_project *proj, const pc_actual *act)
{
	pc_versions *view = NULL;
	size_t n = 0;
	if (pc_versions_build(&view, act, proj) < 0) {
		pc_error_clear();
		return 0;
	}
	for (size_t i = 0; i < proj->tables.len; i++)
		n += pc_versions_green(pc_versions_get(view, ((const pc_table *)proj->tables.items[i])->name)) != NULL;
	pc_versions_free(view);
	return n;
}
