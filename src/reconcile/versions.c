/*
 * versions.c - per logical table, the physical versions present in the
 * target, with their blue/green roles (versions.h).
 */
#include "versions.h"

#include "../model/naming.h"
#include "../util/alloc.h"
#include "../util/error.h"

#include <stdlib.h>
#include <string.h>

static int known_logical(void *ctx, const char *name)
{
	return pc_project_table(ctx, name) != NULL;
}

/* Whether the physical table is a version that is there (versions.h, "PRESENT"). */
static int present(const pc_actual_table *at, const pc_table *desired)
{
	const pc_actual_stmt *newest = at->ddls.len ? at->ddls.items[0] : NULL;
	size_t i;

	for (i = 0; i < at->dmls.len; i++) {
		const pc_actual_stmt *d = at->dmls.items[i];
		if (pc_phase_live(d->st->ph) || d->st->ph == PC_PHASE_UNKNOWN)
			return 1;
	}
	if (desired && pc_table_is_view(desired))
		return at->ddl && at->ddl->st->ph == PC_PHASE_COMPLETED;
	if (!at->topic_exists)
		return 0;
	/* a completed DROP newer than any DDL: retired, Kafka is still deleting the topic */
	return !(newest && newest->kind == PC_NAME_DROP && newest->st->ph == PC_PHASE_COMPLETED);
}

static void vt_free(void *p)
{
	pc_versioned_table *vt = p;
	if (!vt)
		return;
	free(vt->logical);
	pc_vec_dispose(&vt->versions, free);
	free(vt);
}

void pc_versions_free(pc_versions *v)
{
	if (!v)
		return;
	pc_vec_dispose(&v->tables, vt_free);
	pc_map_dispose(&v->by_logical, NULL);
	pc_map_dispose(&v->by_physical, NULL);
	pc_map_dispose(&v->owner, NULL);
	free(v);
}

static int by_version(const void *x, const void *y)
{
	const pc_version *a = x, *b = y;
	return a->version - b->version;
}

static int by_logical(const void *x, const void *y)
{
	const pc_versioned_table *a = x, *b = y;
	return strcmp(a->logical, b->logical);
}

int pc_versions_build(pc_versions **out, const pc_actual *act, const pc_project *proj)
{
	pc_versions *v;
	size_t i;

	*out = NULL;
	if (!act)
		return pc_error_set(PC_EINVALID, "versions: no actual state");
	v = PC_NEW(pc_versions);
	for (i = 0; i < act->tables.len; i++) {
		const pc_actual_table *at = act->tables.items[i];
		pc_versioned_table *vt;
		pc_version *ver;
		char *logical = NULL;
		int n = 1;
		const pc_table *desired;

		pc_naming_version_parse(at->name, proj ? known_logical : NULL, (void *)proj, &logical, &n);
		desired = proj ? pc_project_table(proj, logical) : NULL;
		if (!present(at, desired)) {
			free(logical);
			continue;
		}
		vt = pc_map_get(&v->by_logical, logical);
		if (!vt) {
			vt = PC_NEW(pc_versioned_table);
			vt->logical = logical;
			vt->desired = desired;
			pc_vec_push(&v->tables, vt);
			pc_map_put(&v->by_logical, vt->logical, vt);
		} else {
			free(logical);
		}
		ver = PC_NEW(pc_version);
		ver->version = n;
		ver->physical = at->name;
		ver->at = at;
		pc_vec_push(&vt->versions, ver);
		pc_map_put(&v->by_physical, at->name, ver);
		pc_map_put(&v->owner, at->name, vt);
	}
	for (i = 0; i < v->tables.len; i++)
		pc_vec_sort(&((pc_versioned_table *)v->tables.items[i])->versions, by_version);
	pc_vec_sort(&v->tables, by_logical);
	*out = v;
	return 0;
}

const pc_versioned_table *pc_versions_get(const pc_versions *v, const char *logical)
{
	return v && logical ? pc_map_get(&v->by_logical, logical) : NULL;
}

const pc_version *pc_versions_by_physical(const pc_versions *v, const char *physical,
					  const pc_versioned_table **vt)
{
	const pc_version *ver = v && physical ? pc_map_get(&v->by_physical, physical) : NULL;
	if (vt)
		*vt = ver ? pc_map_get(&v->owner, physical) : NULL;
	return ver;
}

const pc_version *pc_versions_blue(const pc_versioned_table *vt)
{
	return vt && vt->versions.len >= 2 ? vt->versions.items[0] : NULL;
}

const pc_version *pc_versions_green(const pc_versioned_table *vt)
{
	return vt && vt->versions.len >= 2 ? vt->versions.items[vt->versions.len - 1] : NULL;
}

const pc_version *pc_versions_current(const pc_versioned_table *vt)
{
	return vt && vt->versions.len ? vt->versions.items[vt->versions.len - 1] : NULL;
}

const pc_version *pc_versions_serving(const pc_versioned_table *vt)
{
	return vt && vt->versions.len ? vt->versions.items[0] : NULL;
}

int pc_versions_max(const pc_versioned_table *vt)
{
	const pc_version *c = pc_versions_current(vt);
	return c ? c->version : 0;
}

const char *pc_versions_role(const pc_versioned_table *vt, const pc_version *ver)
{
	if (!vt || vt->versions.len < 2)
		return "current";
	if (ver == pc_versions_blue(vt))
		return "blue";
	if (ver == pc_versions_green(vt))
		return "green";
	return "superseded";
}

const char *pc_versions_current_name(const pc_versions *v, const char *logical)
{
	const pc_version *c = pc_versions_current(pc_versions_get(v, logical));
	return c ? c->physical : logical;
}

const char *pc_versions_serving_name(const pc_versions *v, const char *logical)
{
	const pc_version *c = pc_versions_serving(pc_versions_get(v, logical));
	return c ? c->physical : logical;
}
