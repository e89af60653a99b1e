/*
 * destroy.c - the plan of a destroy (destroy.h). It builds its steps with
 * the planner's own step builders (plan_int.h), so names, labels and SQL
 * are exactly those of a --prune drop.
 */
#include "destroy.h"

#include "plan_int.h"
#include "../model/select.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* Why t cannot go: the desired tables that read it and stay. NULL: it can go. */
static char *kept_because(const pc_table *t, const pc_map *dropped)
{
	pc_buf b = PC_BUF_INIT;
	for (size_t i = 0; i < t->children.len; i++) {
		const pc_table *c = t->children.items[i];
		if (pc_map_has(dropped, c->name))
			continue;
		pc_buf_printf(&b, "%s'%s'", b.len ? ", " : "", c->name);
	}
	if (!b.len)
		return NULL;
	return pc_buf_detach(&b);
}

static void record(pc_plan *plan, const pc_project *proj, const pc_actual *act,
		   const char *const *sels, size_t n)
{
	char now[40];
	const pc_config *cfg = proj->config;

	memcpy(plan->state_fingerprint, act->fingerprint, sizeof plan->state_fingerprint);
	plan->commit = pc_strdup(proj->commit);
	plan->prefix = pc_strdup(cfg && cfg->prefix ? cfg->prefix : "dev");
	plan->target = pc_strdup(cfg ? cfg->target : NULL);
	plan->environment_id = pc_strdup(cfg ? cfg->environment_id : NULL);
	pc_iso8601(pc_wall_ms(), now, sizeof now);
	plan->created_at = pc_strdup(now);
	for (size_t i = 0; i < n; i++)
		pc_vec_push(&plan->selectors, pc_strdup(sels[i]));
}

/*
 * The drop of t: every blue/green version present (versions.h), the newest
 * first, else what exists under the logical name.
 */
static pc_action *drop_action(pc_planner *pl, const pc_table *t, const pc_actual_table *at)
{
	pc_action *a = PC_NEW(pc_action);
	const pc_versioned_table *vt = pc_versions_get(pl->versions, t->name);
	a->table = pc_strdup(t->name);
	a->selected = 1;
	if (vt && (vt->versions.len > 1 || strcmp(pc_versions_current(vt)->physical, t->name) != 0)) {
		a->kind = PC_ACT_DROP;
		a->destructive = 1;
		a->physical = pc_strdup(pc_versions_current(vt)->physical);
		a->reason = pc_sprintf("destroy: stop the DMLs and drop the table of each of its %zu version%s",
				       vt->versions.len, vt->versions.len == 1 ? "" : "s");
		for (size_t i = vt->versions.len; i-- > 0;) {
			const pc_version *v = vt->versions.items[i];
			if (!a->compute_pool && v->at->pool) {
				a->compute_pool = pc_strdup(v->at->pool);
				a->pool_source = pc_strdup("current statement");
			}
			pc_steps_remove_dmls(pl, a, v->at, 1);
			if (v->at->topic_exists)
				pc_steps_drop_table(pl, a, v->physical);
		}
		return a;
	}
	if (!at || (!at->topic_exists && !at->dmls.len)) {
		a->kind = PC_ACT_NOOP;
		a->reason = pc_strdup("destroy: nothing deployed");
		return a;
	}
	a->kind = PC_ACT_DROP;
	a->destructive = at->topic_exists;
	a->reason = pc_strdup(at->topic_exists ? "destroy: stop its DML, drop the table"
					       : "destroy: its table is already gone, remove its DML");
	if (at->pool) {
		a->compute_pool = pc_strdup(at->pool);
		a->pool_source = pc_strdup("current statement");
	} else if (pl->cfg && pl->cfg->flink_compute_pool_id) {
		a->compute_pool = pc_strdup(pl->cfg->flink_compute_pool_id);
		a->pool_source = pc_strdup("configured default");
	}
	pc_steps_remove_dmls(pl, a, at, 1);
	if (at->topic_exists)
		pc_steps_drop_table(pl, a, t->name);
	return a;
}

int pc_plan_destroy(pc_plan **out, const pc_project *proj, const pc_actual *act,
		    const char *const *sels, size_t n)
{
	pc_plan_options none = { 0 };
	pc_planner pl;
	pc_map dropped = PC_MAP_INIT;
	pc_vec order = PC_VEC_INIT; /* pc_action *, children first */
	int rc = 0;

	*out = NULL;
	if (!n)
		return pc_error_set(PC_EUSAGE, "destroy needs at least one selector (TABLE, TABLE+, product:NAME, ...)");
	memset(&pl, 0, sizeof pl);
	pl.proj = proj;
	pl.act = act;
	pl.opt = &none;
	pl.cfg = proj->config;
	pl.prefix = pl.cfg && pl.cfg->prefix ? pl.cfg->prefix : "dev";
	pl.plan = PC_NEW(pc_plan);
	record(pl.plan, proj, act, sels, n);
	pc_plan_resolve_protect(&pl);
	if ((rc = pc_versions_build(&pl.versions, act, proj)) < 0)
		goto done;
	if (proj->topo.len != proj->tables.len) {
		rc = pc_error_set(PC_EINVALID, "cannot plan a destroy: the table graph has a cycle (see pipectl validate)");
		goto done;
	}
	if ((rc = pc_select(&pl.selected, proj, sels, n)) < 0)
		goto done;

	/* children before parents: a table goes only when every reader goes */
	for (size_t i = proj->topo.len; i-- > 0;) {
		const pc_table *t = proj->topo.items[i];
		char *why;
		if (!pc_map_has(&pl.selected, t->name))
			continue;
		if (!t->active) {
			pc_plan_warn(&pl, "kept '%s': active: false in table.yaml (left exactly as it is)", t->name);
			continue;
		}
		if ((why = kept_because(t, &dropped)) != NULL) {
			pc_plan_warn(&pl, "kept '%s': still read by %s", t->name, why);
			free(why);
			continue;
		}
		if (t->protect) {
			rc = pc_error_set(PC_EINVALID, "cannot destroy '%s': protect: true in %s/table.yaml",
					  t->name, t->folder ? t->folder : "its folder");
			goto done;
		}
		if (pc_plan_protected_by(&pl, t->name, t)) {
			rc = pc_error_set(PC_EINVALID, "cannot destroy '%s': %s", t->name,
					  pc_plan_protected_by(&pl, t->name, t));
			goto done;
		}
		pc_map_put(&dropped, t->name, (void *)t);
		pc_vec_push(&order, drop_action(&pl, t, pc_actual_table_get(act, t->name)));
	}
	/* teardown_after: the dropped children; waves count from the leaves */
	for (size_t i = 0; i < order.len; i++) {
		pc_action *a = order.items[i];
		const pc_table *t = pc_project_table(proj, a->table);
		pc_map_put(&pl.by_table, a->table, a);
		for (size_t j = 0; j < t->children.len; j++) {
			const pc_table *c = t->children.items[j];
			pc_action *ca = pc_map_get(&pl.by_table, c->name);
			if (!ca || ca->kind == PC_ACT_NOOP || a->kind == PC_ACT_NOOP)
				continue;
			pc_vec_push(&a->teardown_after, pc_strdup(c->name));
			if (ca->wave + 1 > a->wave)
				a->wave = ca->wave + 1;
		}
		pc_vec_sort_str(&a->teardown_after);
		pc_vec_push(&pl.plan->actions, a);
		pl.plan->summary[a->kind]++;
	}
	order.len = 0;
	*out = pl.plan;
	pl.plan = NULL;
done:
	pc_vec_dispose(&order, pc_action_free);
	pc_plan_free(pl.plan);
	pc_map_dispose(&dropped, NULL);
	pc_map_dispose(&pl.selected, NULL);
	pc_map_dispose(&pl.by_table, NULL);
	pc_map_dispose(&pl.names, NULL);
	pc_map_dispose(&pl.protect, NULL);
	pc_versions_free(pl.versions);
	return rc;
}
