/*
 * plan_decide.c - the rules table of docs/reconcile.md, one table at a time,
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

/*
 * Where the offsets of a new statement can come from, or NULL: the current
 * DML when live or stopped, else the table's newest DML when it recorded
 * offsets. Never an older one: its offsets are behind what a newer
 * statement already produced (docs/reconcile.md).
 */
static const pc_actual_stmt *carry_source(const pc_actual_table *at)
{
	dml_state s = state_of(at);
	const pc_actual_stmt *newest;
	if (s == DML_LIVE || s == DML_STOPPED)
		return at->dml;
	newest = at && at->dmls.len ? at->dmls.items[0] : NULL;
	return newest && newest->st->has_offsets ? newest : NULL;
}

/*
 * An interrupted replacement: the current DML carries offsets from another
 * DML of the table that is still there, and has not started running. The
 * source, or NULL.
 */
static const pc_actual_stmt *pending_carry_source(const pc_actual_table *at)
{
	const char *from;
	size_t i;
	if (!at || !at->dml || at->dml->st->ph != PC_PHASE_PENDING)
		return NULL;
	from = pc_kv_get(&at->dml->st->properties, PC_PROP_CARRY_OVER);
	for (i = 0; from && i < at->dmls.len; i++) {
		const pc_actual_stmt *d = at->dmls.items[i];
		if (d != at->dml && !strcmp(d->st->name, from))
			return d;
	}
	return NULL;
}

/* Managed DMLs of the table other than its current one (stopped, failed or live). */
static size_t extra_dmls(const pc_actual_table *at)
{
	return at && at->dml && at->dmls.len > 1 ? at->dmls.len - 1 : 0;
}

/* The newest DDL-side statement is a DROP still in flight (an interrupted run's), or NULL. */
static const pc_actual_stmt *drop_in_flight(const pc_actual_table *at)
{
	const pc_actual_stmt *d = at && at->ddls.len ? at->ddls.items[0] : NULL;
	return d && d->kind == PC_NAME_DROP && !pc_phase_terminal(d->st->ph) && !pc_phase_failed(d->st->ph) ? d
														: NULL;
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
		if (pa->kind == PC_ACT_CREATE && pc_table_is_view(p) && pa->green < 2)
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

/* What decide_existing reads about a table, computed once. */
typedef struct facts {
	int has_dml;
	int eligible;
	int ddl_changed;
	int sql_changed;
	int props_diff;
	int pool_changed;
	dml_state st;
} facts;

static void read_facts(pc_planner *pl, facts *f, const pc_table *t, const pc_actual_table *at)
{
	const char *want_sql_fp = pc_table_dml_sql_fp(t);
	const pc_actual_stmt *drop = drop_in_flight(at);

	memset(f, 0, sizeof(*f));
	f->has_dml = pc_table_has_dml(t);
	f->eligible = pc_table_carry_over_eligible(t) && !t->ctas;
	f->ddl_changed = at->ddl_fp && strcmp(at->ddl_fp, t->ddl_fingerprint) != 0;
	f->st = state_of(at);
	if (!drop && !at->ddl_fp && f->has_dml)
		pc_plan_warn(pl, "'%s': no DDL statement or DML label records its DDL (expired after 30 days?): "
				 "DDL assumed unchanged", t->name);
	else if (!drop && !at->ddl_fp)
		pc_plan_warn(pl, "'%s': its DDL cannot be compared with git: no statement records it any more (Confluent "
				 "deletes completed statements after 30 days); 'pipectl apply --force %s' makes it from git",
			     t->name, t->name);
	if (f->has_dml && at->dml) {
		f->sql_changed = !at->dml_sql_fp || !want_sql_fp || strcmp(at->dml_sql_fp, want_sql_fp) != 0;
		f->props_diff = props_changed(t, at);
	}
	f->pool_changed = f->has_dml && pc_plan_pool_changed(pl, t, at);
}

/* A new statement for a changed DML: replace-dml when offsets can be carried, else rebuild. */
static void decide_changed_dml(pc_action *a, const pc_table *t, const pc_actual_table *at, const facts *f,
			       const char *what, const pc_actual_stmt **carry)
{
	char *why = NULL;
	*carry = carry_source(at);
	if (f->eligible && *carry) {
		a->kind = PC_ACT_REPLACE_DML;
		set_reason(a, "%s; stateless, append-only: new statement carries offsets from '%s'", what,
			   (*carry)->st->name);
	} else if (!f->eligible) {
		why = why_not_eligible(t);
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "%s; %s: %s", what, why,
			   t->stateful ? "its state must be rebuilt from earliest"
				       : "offsets cannot be carried over, reprocess from earliest");
		*carry = NULL;
	} else {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "%s; the old statement is %s and its offsets are unknown", what,
			   at->phase ? at->phase : "gone");
	}
	free(why);
}

/* The DML is live, SQL unchanged: pool moves, extras go, else nothing. */
static void decide_live(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at,
			const facts *f)
{
	const char *src;
	if (f->pool_changed) {
		a->kind = PC_ACT_START;
		set_reason(a, "compute pool %s -> %s: stop, then resume (state and offsets kept)", at->pool,
			   pc_plan_explicit_pool(pl, t, &src));
	} else if (at->live_dmls > 1) {
		a->kind = PC_ACT_START;
		set_reason(a, "%d DML statements write the table: stop the extra ones", at->live_dmls);
	} else if (extra_dmls(at)) {
		a->kind = PC_ACT_START;
		set_reason(a, "%zu older DML statement%s of the table left by an interrupted run: delete %s "
			      "(offsets are only ever carried from the newest)",
			   extra_dmls(at), extra_dmls(at) == 1 ? "" : "s", extra_dmls(at) == 1 ? "it" : "them");
	} else {
		a->kind = PC_ACT_NOOP;
		set_reason(a, "up to date (%s)", at->phase);
		if (at->ph == PC_PHASE_DEGRADED)
			pc_plan_warn(pl, "'%s': statement '%s' is DEGRADED", t->name, at->dml->st->name);
	}
}

/* The DML failed or is missing, SQL unchanged: a new statement carrying offsets, else rebuild. */
static void decide_failed_or_missing(pc_action *a, const pc_table *t, const pc_actual_table *at, const facts *f,
				     const pc_actual_stmt **carry)
{
	const char *what = f->st == DML_FAILED ? "FAILED" : "missing";
	char *why;
	*carry = carry_source(at);
	if (f->eligible && *carry) {
		a->kind = PC_ACT_START;
		set_reason(a, "DML %s: new statement carrying offsets from '%s'", what, (*carry)->st->name);
	} else if (f->eligible) {
		*carry = NULL;
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "DML %s and its offsets are unknown: reprocess from earliest", what);
	} else {
		*carry = NULL;
		why = why_not_eligible(t);
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "DML %s; %s: its state is gone, only reprocessing from earliest is exact", what, why);
		free(why);
	}
	if (f->st == DML_FAILED && at->detail && *at->detail)
		pc_vec_push(&a->details, pc_sprintf("'%s' failed: %s", at->dml->st->name, at->detail));
}

/* A rebuild forced by --force, a DDL change or a parent with a new topic; 0 when none applies. */
static int decide_forced_rebuild(pc_planner *pl, pc_action *a, const pc_table *t, const facts *f,
				 const pc_action *parent)
{
	if (pl->opt->force && pc_map_has(&pl->selected, t->name)) {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "--force");
		return 1;
	}
	if (f->ddl_changed) {
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "DDL changed");
		return 1;
	}
	if (!parent)
		return 0;
	a->kind = PC_ACT_REBUILD;
	a->forced_by = pc_strdup(parent->table);
	if (parent->kind == PC_ACT_RESTART)
		set_reason(a, "parent '%s' is restarted from earliest: its rows come again", parent->table);
	else if (parent->green >= 2)
		set_reason(a, "parent '%s' gets green '%s': a version of this table must read it from earliest",
			   parent->table, pc_action_physical(parent));
	else
		set_reason(a, "parent '%s' is %s: its topic is new, re-read it from earliest", parent->table,
			   verb_of(parent->kind));
	return 1;
}

/*
 * A parent *created* in this plan (a new input) does not force a rebuild of
 * a carry-over eligible child whose DML changed to read it: a replace-dml
 * continues the shared inputs from the old offsets and reads the new one
 * from earliest (docs/reconcile.md). Only a rebuilt or restarted parent does.
 */
static int created_parent_allows_replace(const pc_action *parent, const pc_actual_table *at, const facts *f)
{
	/* a green parent is no new input: it replaces one, so its readers need green versions too */
	return parent && parent->kind == PC_ACT_CREATE && parent->green < 2 && f->eligible && f->sql_changed &&
	       (f->st == DML_LIVE || f->st == DML_STOPPED) && at->dml;
}

/* Decide the kind and reason of a table that exists. */
static void decide_existing(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at,
			    const pc_action *parent, const pc_actual_stmt **carry)
{
	facts f;
	const pc_actual_stmt *src;

	read_facts(pl, &f, t, at);
	if ((src = drop_in_flight(at)) != NULL) {
		/* the table is going away under us: wait for that DROP (never a second one), then make it again */
		a->kind = PC_ACT_REBUILD;
		set_reason(a, "DROP statement '%s' of an interrupted run is still %s: wait for it, then create the "
			      "table again",
			   src->st->name, src->st->phase ? src->st->phase : "in flight");
		return;
	}
	if (created_parent_allows_replace(parent, at, &f))
		parent = NULL;
	if (decide_forced_rebuild(pl, a, t, &f, parent))
		return;
	if (!f.has_dml) {
		a->kind = PC_ACT_NOOP;
		set_reason(a, at->ddl_fp ? "table exists, DDL unchanged"
					 : "table exists; its DDL cannot be compared (no statement records it any more)");
		return;
	}
	if (f.st == DML_UNKNOWN) {
		/* It may be writing or not: neither a second writer nor a resume is safe. */
		a->kind = PC_ACT_NOOP;
		set_reason(a, "statement '%s' is in phase %s, which pipectl does not know: left as it is",
			   at->dml->st->name, at->phase ? at->phase : "(none)");
		pc_plan_warn(pl, "'%s': statement '%s' is in phase %s, which pipectl does not know: left as it is",
			     t->name, at->dml->st->name, at->phase ? at->phase : "(none)");
		return;
	}
	if ((src = pending_carry_source(at)) != NULL) {
		/* finish it before anything else: cutting it would leave the table without a writer */
		a->kind = PC_ACT_REPLACE_DML;
		*carry = src;
		set_reason(a, "finishing an interrupted replacement: '%s' starts once '%s' is stopped, then '%s' "
			      "is deleted",
			   at->dml->st->name, src->st->name, src->st->name);
		if (f.sql_changed || f.props_diff)
			pc_plan_warn(pl, "'%s': the DML changed again; the next run replaces it once this replacement "
					 "is finished", t->name);
		return;
	}
	if (f.sql_changed && at->dml) {
		decide_changed_dml(a, t, at, &f, "DML changed", carry);
		return;
	}
	if (f.props_diff && (f.st == DML_LIVE || f.st == DML_STOPPED)) {
		/* properties are immutable on Confluent: a new statement */
		decide_changed_dml(a, t, at, &f, "properties changed", carry);
		return;
	}
	switch (f.st) {
	case DML_LIVE:
		decide_live(pl, a, t, at, &f);
		return;
	case DML_STOPPED:
		a->kind = PC_ACT_START;
		set_reason(a, "DML stopped: resume it (state and offsets kept)%s",
			   f.pool_changed ? " on the new pool" : "");
		return;
	case DML_UNKNOWN: /* held above */
		return;
	case DML_FAILED:
	case DML_MISSING:
		decide_failed_or_missing(a, t, at, &f, carry);
		return;
	}
}

/* A plain CREATE TABLE (not AS SELECT): its DDL can be issued again with IF NOT EXISTS. */
static int starts_with_create_table(const char *sql)
{
	pc_token_list tl = { 0 };
	int yes = 0;
	if (sql && pc_sql_tokenize(&tl, sql, strlen(sql)) == 0)
		yes = tl.len > 2 && pc_tok_is(&tl.toks[0], "CREATE") && pc_tok_is(&tl.toks[1], "TABLE");
	pc_error_clear();
	pc_token_list_dispose(&tl);
	return yes;
}

/* ---- finishing an interrupted run (journal.h) ---- */

/* The DML an unfinished run created for t as it is now, when it still exists: adopted, never torn down. */
static const char *adoptable_dml(const pc_planner *pl, const pc_table *t)
{
	char fp[33];
	const char *name;
	if (!pc_table_has_dml(t))
		return NULL;
	pc_table_dml_fp(t, fp);
	name = pc_plan_journal_adoptable(pl, PC_NAME_DML, pc_plan_phys(pl, t), fp);
	return name && pc_actual_stmt_get(pl->act, name) ? name : NULL;
}

/*
 * An interrupted create: its DDL ran (the table is the one it created) and
 * its DML was never started. The rules alone would read "DML missing,
 * offsets unknown" and rebuild, dropping the table the run had just made;
 * the journal proves it is new, so only the DML remains, from earliest.
 */
static void finish_journaled_create(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at)
{
	const pc_journal_action *ja = pc_map_get(&pl->act->journal_actions, pc_plan_phys(pl, t));
	const char *ddl;
	if (a->kind != PC_ACT_REBUILD || !ja || strcmp(ja->kind, pc_action_kind_str(PC_ACT_CREATE)) != 0 ||
	    a->forced_by || !at || !at->ddl || at->ddl->st->ph != PC_PHASE_COMPLETED)
		return;
	ddl = pc_plan_journal_adoptable(pl, PC_NAME_DDL, pc_plan_phys(pl, t), t->ddl_fingerprint);
	if (!ddl || strcmp(ddl, at->ddl->st->name) != 0 || (at->dml && strcmp(at->dml->st->name, pl->keep_dml ? pl->keep_dml : "")))
		return;
	a->kind = PC_ACT_CREATE;
	set_reason(a, "finishing the create of an interrupted run: its DDL '%s' made the table, its DML starts "
		      "from earliest", ddl);
}

/* Say which statements the action takes over from an unfinished run. */
static void note_adopted(pc_planner *pl, pc_action *a)
{
	pc_buf b = PC_BUF_INIT;
	size_t i;
	for (i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		if (!s->statement || !pc_map_has(&pl->adopted, s->statement) ||
		    (s->kind != PC_STEP_RUN_DDL && s->kind != PC_STEP_CREATE_DML && s->kind != PC_STEP_DROP_TABLE))
			continue;
		pc_buf_printf(&b, "%s'%s'", b.len ? ", " : "", s->statement);
	}
	if (b.len)
		pc_vec_push(&a->details, pc_sprintf("finishes what an interrupted run began: adopts %s", b.ptr));
	pc_buf_dispose(&b);
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
			pl->no_adopt = 1; /* a view is made again whole (IF EXISTS): nothing to take over */
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
		/* a fresh DROP makes a fresh table: nothing an unfinished run created may be kept or adopted */
		if (exists && !pc_steps_drop_adoptable(pl, pc_plan_phys(pl, t))) {
			pl->no_adopt = 1;
			pl->keep_dml = NULL;
		}
		pc_steps_remove_dmls(pl, a, at, 1);
		if (exists)
			pc_steps_drop_table(pl, a, pc_plan_phys(pl, t));
		pc_steps_create(pl, a, t);
		break;
	case PC_ACT_RESTART:
		pc_steps_remove_dmls(pl, a, at, 1);
		pc_steps_create_dml(pl, a, t, NULL);
		break;
	case PC_ACT_REPLACE_DML:
		if (pending_carry_source(at) == carry) {
			/* the interrupted replacement's own statement, adopted */
			s = pc_steps_create_dml(pl, a, t, carry->st->name);
			free(s->statement);
			s->statement = pc_strdup(at->dml->st->name);
			s->wait = 0;
			pc_steps_remove_extras(pl, a, at, at->dml, 0);
			break;
		}
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
		} else if (pc_plan_pool_changed(pl, t, at)) {
			pc_steps_resume(pl, a, t, at->dml, 1);
			pc_steps_remove_extras(pl, a, at, at->dml, 0);
		} else {
			pc_steps_remove_extras(pl, a, at, at->dml, 0);
		}
		break;
	}
}

/* A rebuild because t's DML reads a parent under a name this plan no longer gives it. */
static void decide_stale_parent(pc_action *a, const pc_table *stale, const char *read_name, const char *now)
{
	a->kind = PC_ACT_REBUILD;
	free(a->forced_by);
	a->forced_by = pc_strdup(stale->name);
	set_reason(a, "its DML reads '%s' as '%s', which is now '%s': re-read it from earliest", stale->name,
		   read_name, now);
}

/* The steps of a green version: retire a superseded green first, then create the green from earliest. */
static void build_green_steps(pc_planner *pl, pc_action *a, const pc_table *t)
{
	const pc_actual_table *old = a->retires ? pc_actual_table_get(pl->act, a->retires) : NULL;
	if (a->retires) {
		pl->phys = a->retires;
		if (old && old->topic_exists && !pc_steps_drop_adoptable(pl, a->retires)) {
			pl->no_adopt = 1;
			pl->keep_dml = NULL;
		}
		pc_steps_remove_dmls(pl, a, old, 1);
		if (old && old->topic_exists)
			pc_steps_drop_table(pl, a, a->retires);
		else if (pc_table_is_view(t))
			pc_steps_drop_view(pl, a, t);
	}
	pl->phys = a->physical;
	pl->keep_dml = pl->no_adopt ? NULL : adoptable_dml(pl, t);
	if (pc_table_is_view(t)) {
		pc_steps_drop_view(pl, a, t);
		pc_steps_create(pl, a, t);
		return;
	}
	/* leftovers of an earlier attempt under the green name (a FAILED DML) go first */
	pc_steps_remove_dmls(pl, a, pc_actual_table_get(pl->act, a->physical), 1);
	pc_steps_create(pl, a, t);
}

int pc_plan_decide(pc_planner *pl, pc_table *t)
{
	int in_sel = pc_map_has(&pl->selected, t->name);
	int in_pull = pc_map_has(&pl->pulled, t->name);
	const pc_action *parent = forcing_parent(pl, t);
	const pc_actual_table *at;
	const pc_actual_stmt *carry = NULL;
	const pc_versioned_table *vt = pc_versions_get(pl->versions, t->name);
	const pc_table *stale = NULL;
	char *stale_read = NULL;
	pc_action *a;
	int rc, record = 0, green;

	/* blue/green: the rules work on the current version (green when there is one), never on blue */
	pl->phys = pc_versions_current_name(pl->versions, t->name);
	at = pc_actual_table_get(pl->act, pl->phys);
	/* A parent's new topic matters only to a child that exists and reads the old one. */
	if (parent && !pc_actual_exists(at, t))
		parent = NULL;
	if (!parent && t->active && pc_actual_exists(at, t))
		stale = pc_plan_stale_parent(pl, t, at, &stale_read);
	if (!in_sel && !in_pull && !parent && !stale) {
		pl->phys = NULL;
		return 0;
	}
	a = PC_NEW(pc_action);
	a->table = pc_strdup(t->name);
	a->physical = pc_strdup(pl->phys);
	a->selected = in_sel;
	if (pc_versions_green(vt)) {
		a->green = pc_versions_green(vt)->version;
		a->blue = pc_strdup(pc_versions_blue(vt)->physical);
	}
	rc = 0;
	if (!t->active) {
		a->kind = PC_ACT_NOOP;
		set_reason(a, "active: false: left exactly as it is");
		if (parent)
			pc_plan_warn(pl, "'%s' is active: false and reads '%s', which is %s: it may fail or "
					 "read rows twice", t->name, parent->table, verb_of(parent->kind));
		goto add;
	}
	if ((rc = pc_plan_check_broken(pl->proj, t)) < 0 || (rc = pc_plan_check_external(pl, t)) < 0)
		goto fail;
	if (t->statefulness != PC_STATE_AUTO && t->stateful != t->analyzed_stateful)
		pc_plan_warn(pl, "'%s': statefulness overridden by table.yaml (%s; the analysis says %s)", t->name,
			     t->stateful ? "stateful" : "stateless", t->analyzed_stateful ? "stateful" : "stateless");
	pl->keep_dml = adoptable_dml(pl, t);
	if (pc_table_is_view(t)) {
		decide_view(pl, a, t, at, parent);
	} else if (!at || !at->topic_exists) {
		a->kind = PC_ACT_CREATE;
		set_reason(a, "table absent");
		if (pl->opt->dml_only)
			pc_plan_warn(pl, "'%s' is absent: created with its DDL despite --dml-only", t->name);
	} else {
		decide_existing(pl, a, t, at, parent, &carry);
		finish_journaled_create(pl, a, t, at);
	}
	if (stale && a->kind != PC_ACT_REBUILD && a->kind != PC_ACT_CREATE) {
		decide_stale_parent(a, stale, stale_read, pc_plan_physical_of(pl, stale->name));
		carry = NULL;
	}
	if (a->kind == PC_ACT_REBUILD && pl->opt->dml_only) {
		char *r = a->reason;
		if (pc_plan_strategy_blue_green(pl, t))
			pc_plan_warn(pl, "'%s': --dml-only runs no DDL, so no green version is made: it is handled in "
					 "place", t->name);
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
	if ((green = pc_plan_make_green(pl, a, t)) < 0) {
		rc = green;
		goto fail;
	}
	if (a->refused)
		goto add; /* held (the loop): no steps */
	if (a->kind == PC_ACT_REBUILD && pc_plan_protected_by(pl, t->name, t) && !pc_table_is_view(t)) {
		const char *by = pc_plan_protected_by(pl, t->name, t);
		if (pl->opt->hold_refused) {
			/* held, never run: no steps; what reads it is held with it */
			a->refused = pc_sprintf("table '%s' is protected (%s) but would be rebuilt: %s", t->name, by,
						a->reason);
			a->destructive = 1;
			goto add;
		}
		rc = pc_error_set(PC_EINVALID, "table '%s' is protected (%s) but would be rebuilt: %s", t->name,
				  by, a->reason);
		goto fail;
	}
	if (a->kind == PC_ACT_NOOP && t->protect && at && at->topic_exists && !pc_plan_protect_recorded(at) &&
	    !pc_table_is_view(t) && !pl->opt->dml_only) {
		/* protect: true came after the table was made: record it in the target, where a removed folder cannot take it */
		if (at->ddl_fp && !strcmp(at->ddl_fp, t->ddl_fingerprint) && !t->ctas && t->ddl &&
		    starts_with_create_table(t->ddl->text)) {
			record = 1;
			a->kind = PC_ACT_START;
			set_reason(a, "protect: true came after the table was made: record it in the target (its DDL "
				      "again as CREATE TABLE IF NOT EXISTS, which leaves the table as it is)");
		} else if (!pc_map_has(&pl->protect, t->name)) {
			pc_plan_warn(pl, "'%s' is protected by its table.yaml only and nothing in the target records it: "
					 "list it under protect: in pipectl.yaml so it stays protected once its folder is gone",
				     t->name);
		}
	}
	if (a->kind == PC_ACT_REBUILD || a->kind == PC_ACT_REPLACE_DML || a->kind == PC_ACT_RESTART || green)
		add_state_details(a, t);
	a->destructive = green ? a->retires != NULL : a->kind == PC_ACT_REBUILD && !pc_table_is_view(t);
	/* only what runs a statement needs a pool (and may create pipectl's) */
	if (a->kind != PC_ACT_NOOP)
		pc_plan_resolve_pool(pl, a, t, at);
	if (record)
		pc_steps_record_ddl(pl, a, t);
	else
		pc_plan_renew(pl, a, t, at); /* a noop that keeps its DDL record alive (plan_renew.c) */
	if (green)
		build_green_steps(pl, a, t);
	else
		build_steps(pl, a, t, at, carry);
	if (pl->sql_error) {
		rc = pc_error_set(PC_EINVALID, "%s", pl->sql_error);
		goto fail;
	}
	note_adopted(pl, a);
add:
	pl->keep_dml = NULL;
	pl->no_adopt = 0;
	pl->phys = NULL;
	pc_map_put(&pl->physical, t->name, pc_strdup(pc_action_physical(a)));
	free(stale_read);
	add_action(pl, a);
	return 0;
fail:
	pl->keep_dml = NULL;
	pl->no_adopt = 0;
	pl->phys = NULL;
	free(stale_read);
	pc_action_free(a);
	return rc;
}

/* ---- orphans ---- */

typedef struct orphan {
	const pc_actual_table *at;
	pc_action *a;
	pc_vec readers;   /* orphan * whose DML reads this one */
	int wave;         /* -1: not computed, -2: in progress */
} orphan;

static const char *protect_label(const pc_actual_table *at);

int pc_plan_protect_recorded(const pc_actual_table *at)
{
	return protect_label(at) != NULL;
}

static const char *protect_label(const pc_actual_table *at)
{
	size_t i;
	for (i = 0; i < at->dmls.len + at->ddls.len; i++) {
		const pc_actual_stmt *s = i < at->dmls.len ? at->dmls.items[i] : at->ddls.items[i - at->dmls.len];
		if (s->st->protect)
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
		const pc_actual_st *st = o->at->dml ? o->at->dml->st : NULL;
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

static int known_desired(void *ctx, const char *name)
{
	return pc_project_table(ctx, name) != NULL;
}

/* 1 when name is a version (v2 and up) of a table git has. */
static int version_of_desired(const pc_planner *pl, const char *name)
{
	char *logical = NULL;
	int v;
	pc_naming_version_parse(name, known_desired, (void *)pl->proj, &logical, &v);
	free(logical);
	return v >= 2;
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
		if (pc_project_table(pl->proj, at->name) || version_of_desired(pl, at->name))
			continue; /* a desired table, or one of its blue/green versions */
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
		const char *by_cfg = pc_plan_protected_by(pl, o->at->name, NULL);
		if (reader)
			rc = pc_error_set(PC_EINVALID, "cannot drop '%s', gone from git: table '%s' still reads it",
					  o->at->name, reader->name);
		else if (by_cfg)
			rc = pc_error_set(PC_EINVALID, "cannot drop '%s', gone from git: it is protected (%s); drop it by hand",
					  o->at->name, by_cfg);
		else if (prot)
			rc = pc_error_set(PC_EINVALID,
					  "cannot drop '%s', gone from git: it was protected (protect: true, label on "
					  "statement '%s'); drop it by hand",
					  o->at->name, prot);
		if (rc < 0 && pl->opt->hold_refused) {
			/* the loop: held with the reason, the rest of the plan goes on */
			pc_action *held = PC_NEW(pc_action);
			held->table = pc_strdup(o->at->name);
			held->kind = PC_ACT_DROP;
			held->destructive = 1;
			held->refused = pc_strdup(pc_error_last());
			held->reason = pc_strdup("gone from git (--prune)");
			pc_error_clear();
			rc = 0;
			add_action(pl, held);
			continue;
		}
		if (rc < 0)
			goto done;
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
		if (!o->a)
			continue; /* held (hold_refused): added already */
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
