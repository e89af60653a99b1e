/*
 * plan.c - diff desired against actual state into a plan (docs/reconcile.md,
 * docs/reconcile.md). Pure: reads the project and the snapshot only.
 *
 * Three passes, each linear in tables + edges:
 *  1. scope: the selection, plus the ancestors it cannot run without
 *     (absent or not running), walked upward;
 *  2. decide, in topological order, one action per table in scope; a
 *     table whose parent gets a new topic (create over existing children,
 *     rebuild, restart) is brought in and rebuilt too, selected or not;
 *  3. orphans (--prune), dependencies and waves.
 * The steps of each action are built in plan_steps.c.
 */
#include "plan.h"
#include "plan_int.h"

#include "adopt.h"
#include "../model/select.h"

#include "../util/alloc.h"
#include "../util/hash.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = { "noop", "create", "start", "replace-dml",
					    "rebuild", "restart", "drop" };

const char *pc_action_kind_str(pc_action_kind k)
{
	return (unsigned)k < PC_ACT__COUNT ? action_names[k] : "?";
}

int pc_action_kind_parse(const char *s, pc_action_kind *out)
{
	for (int i = 0; s && i < PC_ACT__COUNT; i++) {
		if (!strcmp(s, action_names[i])) {
			*out = (pc_action_kind)i;
			return 0;
		}
	}
	return pc_error_set(PC_EINVALID, "unknown action '%s'", s ? s : "");
}

void pc_action_free(void *p)
{
	pc_action *a = p;
	if (!a)
		return;
	free(a->table);
	free(a->reason);
	pc_vec_dispose(&a->details, free);
	pc_vec_dispose(&a->depends_on, free);
	pc_vec_dispose(&a->teardown_after, free);
	pc_vec_dispose(&a->steps, pc_step_free);
	free(a->compute_pool);
	free(a->pool_source);
	free(a->forced_by);
	free(a->refused);
	pc_vec_dispose(&a->diff, pc_change_free);
	free(a->renew);
	free(a->physical);
	free(a->blue);
	free(a->retires);
	free(a);
}

int pc_action_acts(const pc_action *a)
{
	return a && (a->kind != PC_ACT_NOOP || (a->renew && a->steps.len));
}

const char *pc_action_label(const pc_action *a)
{
	return a->kind == PC_ACT_NOOP && a->renew ? "renew" : pc_action_kind_str(a->kind);
}

const char *pc_action_physical(const pc_action *a)
{
	return a->physical ? a->physical : a->table;
}

int pc_action_runs_dml(const pc_action *a)
{
	for (size_t i = 0; i < a->steps.len; i++)
		if (((const pc_step *)a->steps.items[i])->kind == PC_STEP_CREATE_DML)
			return 1;
	return 0;
}

void pc_plan_free(pc_plan *p)
{
	if (!p)
		return;
	pc_vec_dispose(&p->actions, pc_action_free);
	pc_vec_dispose(&p->setup, pc_step_free);
	pc_vec_dispose(&p->warnings, free);
	free(p->commit);
	free(p->prefix);
	free(p->target);
	free(p->environment_id);
	free(p->created_at);
	free(p->command);
	pc_vec_dispose(&p->selectors, free);
	free(p->compute_pool);
	pc_vec_dispose(&p->journals, free);
	free(p);
}

int pc_plan_has_changes(const pc_plan *p)
{
	size_t i;
	if (!p)
		return 0;
	if (p->setup.len || p->journals.len)
		return 1;
	for (i = 0; i < p->actions.len; i++)
		if (pc_action_acts(p->actions.items[i]))
			return 1;
	return 0;
}

const pc_action *pc_plan_find(const pc_plan *p, const char *table)
{
	size_t i;
	for (i = 0; p && i < p->actions.len; i++) {
		const pc_action *a = p->actions.items[i];
		if (!strcmp(a->table, table))
			return a;
	}
	return NULL;
}

void pc_plan_warn(pc_planner *pl, const char *fmt, ...)
{
	va_list ap;
	pc_buf b = PC_BUF_INIT;
	va_start(ap, fmt);
	pc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pc_vec_push(&pl->plan->warnings, pc_buf_detach(&b));
}

/* ---- pass 1: scope ---- */

/* A table its children cannot run without: absent, or its DML not running. */
static int needs_bringing_up(const pc_planner *pl, const pc_table *t)
{
	const pc_actual_table *at = pc_actual_table_get(pl->act, pc_versions_current_name(pl->versions, t->name));
	if (!pc_actual_exists(at, t))
		return 1;
	if (!pc_table_has_dml(t))
		return 0;
	return !at->dml || !pc_phase_live(at->ph);
}

static void pull_in_ancestors(pc_planner *pl)
{
	pc_vec stack = PC_VEC_INIT;
	pc_map seen = PC_MAP_INIT;
	size_t i, j;

	for (i = 0; i < pl->proj->tables.len; i++) {
		pc_table *t = pl->proj->tables.items[i];
		if (pc_map_has(&pl->selected, t->name)) {
			pc_vec_push(&stack, t);
			pc_map_put(&seen, t->name, t);
		}
	}
	while (stack.len) {
		pc_table *t = pc_vec_pop(&stack);
		for (j = 0; j < t->parents.len; j++) {
			pc_table *p = t->parents.items[j];
			if (pc_map_has(&seen, p->name))
				continue;
			pc_map_put(&seen, p->name, p);
			pc_vec_push(&stack, p);
			if (!pc_map_has(&pl->selected, p->name) && p->active &&
			    needs_bringing_up(pl, p))
				pc_map_put(&pl->pulled, p->name, t);
		}
	}
	pc_map_dispose(&seen, NULL);
	pc_vec_dispose(&stack, NULL);
}

size_t pc_plan_missing_externals(const pc_project *proj, const pc_actual *act, pc_vec *out)
{
	size_t n = 0;
	for (size_t i = 0; i < proj->externals.len; i++) {
		const pc_external *x = proj->externals.items[i];
		const pc_table *reader;
		if (!x->readers.len || pc_actual_topic_exists(act, pc_sql_base_name(x->name)))
			continue;
		reader = x->readers.items[0];
		pc_vec_push(out, pc_sprintf("external table '%s' (declared in pipectl.yaml) does not exist in the "
					    "target; '%s' reads it",
					    x->name, reader->name));
		n++;
	}
	return n;
}

int pc_plan_check_external(pc_planner *pl, const pc_table *t)
{
	size_t i;
	for (i = 0; i < t->external_parents.len; i++) {
		const char *e = t->external_parents.items[i];
		if (!pc_actual_topic_exists(pl->act, pc_sql_base_name(e))) {
			if (pc_project_external(pl->proj, e))
				return pc_error_set(PC_EINVALID,
						    "external table '%s' (declared in pipectl.yaml) does not exist in the "
						    "target; '%s' reads it",
						    e, t->name);
			return pc_error_set(PC_EINVALID,
					    "table '%s' reads '%s', which no DDL in the tree creates and which does "
					    "not exist in the target",
					    t->name, e);
		}
	}
	return 0;
}

static int check_cycle(const pc_project *proj)
{
	size_t i;
	if (proj->topo.len >= proj->tables.len)
		return 0;
	for (i = 0; i < proj->diags.len; i++) {
		const pc_diag *d = proj->diags.items[i];
		if (d->severity == PC_SEV_ERROR && d->message && strstr(d->message, "cycle")) {
			char *m = pc_diag_format(d);
			int rc = pc_error_set(PC_EINVALID, "cannot plan: %s", m);
			free(m);
			return rc;
		}
	}
	return pc_error_set(PC_EINVALID, "cannot plan: the table graph has a cycle");
}

int pc_plan_check_broken(const pc_project *proj, const pc_table *t)
{
	size_t i;
	if (!t->broken)
		return 0;
	for (i = 0; i < proj->diags.len; i++) {
		const pc_diag *d = proj->diags.items[i];
		if (d->severity != PC_SEV_ERROR)
			continue;
		if ((d->table && !strcmp(d->table, t->name)) ||
		    (d->file && ((t->ddl_path && !strcmp(d->file, t->ddl_path)) ||
				 (t->dml_path && !strcmp(d->file, t->dml_path)) ||
				 (t->props_path && !strcmp(d->file, t->props_path))))) {
			char *m = pc_diag_format(d);
			int rc = pc_error_set(PC_EINVALID, "cannot plan '%s': %s", t->name, m);
			free(m);
			return rc;
		}
	}
	return pc_error_set(PC_EINVALID, "cannot plan '%s': its files have errors (see pipectl validate)",
			    t->name);
}

/* ---- pass 3: dependencies and waves ---- */

/*
 * The wave of a build action (docs/reconcile.md "Ordering"): the rounds of
 * creation it waits for beyond the four waves every plan takes. A parent
 * adds one when its table comes to exist only as its CTAS runs, or when the
 * child's own DDL reads it (a view); a plain parent adds nothing, since a DML
 * waits only for the tables it reads to exist. Planned in topological order,
 * so a parent's wave is known.
 */
static int wave_step(const pc_table *parent, const pc_action *pa, const pc_table *child)
{
	int step = 0;
	if (parent->ctas && pa->kind != PC_ACT_START && pa->kind != PC_ACT_REPLACE_DML)
		step++;
	if (pc_table_is_view(child))
		step++;
	return step;
}

static void link_actions(pc_planner *pl)
{
	pc_plan *plan = pl->plan;
	size_t i, j;

	for (i = 0; i < plan->actions.len; i++) {
		pc_action *a = plan->actions.items[i];
		const pc_table *t;
		int wave = 0;
		if (a->kind == PC_ACT_DROP || a->kind == PC_ACT_NOOP)
			continue;
		t = pc_project_table(pl->proj, a->table);
		for (j = 0; t && j < t->parents.len; j++) {
			const pc_table *p = t->parents.items[j];
			pc_action *pa = pc_map_get(&pl->by_table, p->name);
			if (!pa || pa->kind == PC_ACT_NOOP)
				continue;
			pc_vec_push(&a->depends_on, pc_strdup(p->name));
			if (pa->wave + wave_step(p, pa, t) > wave)
				wave = pa->wave + wave_step(p, pa, t);
			if (pc_action_has_teardown(a))
				pc_vec_push(&pa->teardown_after, pc_strdup(a->table));
		}
		a->wave = wave;
	}
	for (i = 0; i < plan->actions.len; i++) {
		pc_action *a = plan->actions.items[i];
		pc_vec_sort_str(&a->depends_on);
		pc_vec_sort_str(&a->teardown_after);
	}
}

/* ---- entry ---- */

static void record_options(pc_plan *plan, const pc_project *proj, const pc_actual *act,
			   const pc_plan_options *opt)
{
	char now[40];
	const pc_config *cfg = proj->config;
	size_t i;

	memcpy(plan->state_fingerprint, act->fingerprint, sizeof(plan->state_fingerprint));
	plan->commit = pc_strdup(proj->commit);
	pc_plan_tree_fingerprint(proj, plan->tree_fingerprint);
	plan->prefix = pc_strdup(cfg && cfg->prefix ? cfg->prefix : "dev");
	plan->target = pc_strdup(cfg ? cfg->target : NULL);
	plan->environment_id = pc_strdup(cfg ? cfg->environment_id : NULL);
	pc_iso8601(pc_wall_ms(), now, sizeof(now));
	plan->created_at = pc_strdup(now);
	for (i = 0; i < opt->n_selectors; i++)
		pc_vec_push(&plan->selectors, pc_strdup(opt->selectors[i]));
	plan->dml_only = opt->dml_only;
	plan->force = opt->force;
	plan->prune = opt->prune;
	plan->blue_green = opt->blue_green;
	plan->compute_pool = pc_strdup(opt->compute_pool);
	for (i = 0; i < act->journals.len; i++) {
		const pc_journal *j = act->journals.items[i];
		for (size_t k = 0; k < j->statements.len; k++)
			pc_vec_push(&plan->journals, pc_strdup(j->statements.items[k]));
	}
	for (i = 0; i < act->journal_leftovers.len; i++)
		pc_vec_push(&plan->journals, pc_strdup(act->journal_leftovers.items[i]));
}

void pc_plan_tree_fingerprint(const pc_project *proj, char out[33])
{
	pc_hash h;
	char fp[33];
	size_t i;

	pc_hash_init(&h);
	pc_hash_update_str(&h, proj->config && proj->config->prefix ? proj->config->prefix : "");
	for (i = 0; i < proj->tables.len; i++) { /* sorted by name */
		const pc_table *t = proj->tables.items[i];
		pc_hash_update_str(&h, t->name);
		pc_hash_update_str(&h, t->ddl_fingerprint);
		pc_table_dml_fp(t, fp);
		pc_hash_update_str(&h, pc_table_has_dml(t) ? fp : "");
		pc_hash_update_str(&h, t->compute_pool ? t->compute_pool : "");
		pc_hash_update(&h, &t->protect, sizeof(t->protect));
		pc_hash_update(&h, &t->active, sizeof(t->active));
		pc_hash_update(&h, &t->statefulness, sizeof(t->statefulness));
		if (t->strategy != PC_STRATEGY_DEFAULT) /* absent: the same fingerprint as before strategies */
			pc_hash_update(&h, &t->strategy, sizeof(t->strategy));
	}
	if (proj->config && proj->config->blue_green)
		pc_hash_update_str(&h, "strategy: blue-green");
	pc_hash_hex(&h, out);
}

void pc_plan_check_tree(pc_plan *plan, const pc_project *proj)
{
	char now[33];
	pc_plan_tree_fingerprint(proj, now);
	if (plan->commit && proj->commit && strcmp(plan->commit, proj->commit) != 0)
		pc_vec_push(&plan->warnings, pc_sprintf("the saved plan was made from commit %.12s, the tree is at %.12s "
							"now: it applies what it shows, not what git says now",
							plan->commit, proj->commit));
	else if (plan->tree_fingerprint[0] && strcmp(plan->tree_fingerprint, now) != 0)
		pc_vec_push(&plan->warnings, pc_strdup("the saved plan was made from another tree (the files changed "
						       "since): it applies what it shows, not what git says now"));
}

void pc_plan_resolve_protect(pc_planner *pl)
{
	const pc_vec *sels = pl->cfg ? &pl->cfg->protect : NULL;
	size_t i;
	for (i = 0; sels && i < sels->len; i++) {
		const char *sel = sels->items[i];
		pc_map got = PC_MAP_INIT;
		size_t it = 0;
		const char *name;
		void *v;
		if (!strpbrk(sel, ":+@")) {
			pc_map_put(&pl->protect, sel, (void *)sel); /* by name: its folder may be gone */
			continue;
		}
		if (pc_select(&got, pl->proj, &sel, 1) == 0)
			while (pc_map_next(&got, &it, &name, &v))
				if (!pc_map_has(&pl->protect, name))
					pc_map_put(&pl->protect, name, (void *)sel);
		pc_error_clear(); /* a layer or product with no table left protects nothing */
		pc_map_dispose(&got, NULL);
	}
}

const char *pc_plan_protected_by(const pc_planner *pl, const char *name, const pc_table *t)
{
	static __thread char why[160];
	const char *sel = pc_map_get(&pl->protect, name);
	if (sel) {
		snprintf(why, sizeof(why), "protect: %s in pipectl.yaml", sel);
		return why;
	}
	if (t && t->protect)
		return "protect: true in table.yaml";
	return NULL;
}

/* A project with errors cannot be told apart from what did not load: never plan it. */
static int check_errors(const pc_project *proj)
{
	size_t i;
	if (!proj->n_errors)
		return 0;
	for (i = 0; i < proj->diags.len; i++) {
		const pc_diag *d = proj->diags.items[i];
		if (d->severity == PC_SEV_ERROR) {
			char *msg = pc_diag_format(d);
			int rc = d->table ? pc_error_set(PC_EINVALID, "cannot plan '%s': %s (the project has %d error%s: see "
								      "pipectl validate)",
							 d->table, msg, proj->n_errors, proj->n_errors == 1 ? "" : "s")
					  : pc_error_set(PC_EINVALID, "cannot plan: %s (the project has %d error%s: see pipectl "
								      "validate)",
							 msg, proj->n_errors, proj->n_errors == 1 ? "" : "s");
			free(msg);
			return rc;
		}
	}
	return pc_error_set(PC_EINVALID, "the project has %d error%s: see pipectl validate", proj->n_errors,
			    proj->n_errors == 1 ? "" : "s");
}

int pc_plan_compute(pc_plan **out, const pc_project *proj, const pc_actual *act,
		    const pc_plan_options *opt_in)
{
	pc_plan_options none = { 0 };
	const pc_plan_options *opt = opt_in ? opt_in : &none;
	pc_planner pl;
	size_t i;
	int rc;

	*out = NULL;
	memset(&pl, 0, sizeof(pl));
	pl.proj = proj;
	pl.act = act;
	pl.opt = opt;
	pl.cfg = proj->config;
	pl.prefix = pl.cfg && pl.cfg->prefix ? pl.cfg->prefix : "dev";
	pl.plan = PC_NEW(pc_plan);
	record_options(pl.plan, proj, act, opt);

	if ((rc = check_errors(proj)) < 0 || (rc = check_cycle(proj)) < 0)
		goto done;
	if (act->journal_error) {
		rc = pc_error_set(PC_EINVALID, "%s: what the interrupted run did is unknown; check it and delete the "
					       "statement by hand",
				  act->journal_error);
		goto done;
	}
	for (i = 0; i < act->journals.len; i++)
		pc_plan_warn(&pl, "an interrupted run left journal '%s': this plan finishes its work",
			     ((const pc_journal *)act->journals.items[i])->run);
	for (i = 0; i < act->journal_leftovers.len; i++)
		pc_plan_warn(&pl,
			     "journal statement '%s' is part of a journal whose other parts are missing: that run "
			     "started no action; deleted when this plan's run ends",
			     (const char *)act->journal_leftovers.items[i]);
	if ((rc = pc_versions_build(&pl.versions, act, proj)) < 0 ||
	    (rc = pc_select(&pl.selected, proj, opt->selectors, opt->n_selectors)) < 0)
		goto done;
	pull_in_ancestors(&pl);
	pc_plan_resolve_protect(&pl);

	/* pass 2: topological order, cascades flow down */
	for (i = 0; i < proj->topo.len; i++) {
		pc_table *t = proj->topo.items[i];
		if ((rc = pc_plan_decide(&pl, t)) < 0)
			goto done;
	}
	if ((rc = pc_plan_orphans(&pl)) < 0)
		goto done;
	if ((rc = pc_adopt_check_plan(pl.plan, act)) < 0) /* never a second writer (adopt.h) */
		goto done;
	link_actions(&pl);
	for (i = 0; i < pl.plan->actions.len; i++) {
		const pc_action *a = pl.plan->actions.items[i];
		pl.plan->summary[a->kind]++;
		if (a->green >= 2 && a->kind == PC_ACT_CREATE && !a->refused) {
			pl.plan->greens++;
			pl.plan->extra_running += pc_action_runs_dml(a);
		}
		pl.plan->renewals += a->kind == PC_ACT_NOOP && a->renew;
	}
	pc_plan_diff(pl.plan, act);
	*out = pl.plan;
	pl.plan = NULL;
done:
	pc_plan_free(pl.plan);
	pc_map_dispose(&pl.selected, NULL);
	pc_map_dispose(&pl.pulled, NULL);
	pc_map_dispose(&pl.by_table, NULL);
	pc_map_dispose(&pl.names, NULL);
	pc_map_dispose(&pl.adopted, NULL);
	pc_map_dispose(&pl.protect, NULL);
	pc_map_dispose(&pl.physical, free);
	pc_versions_free(pl.versions);
	free(pl.sql_error);
	return rc;
}
