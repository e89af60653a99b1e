/*
 * versions.h - the blue/green view of an actual-state snapshot: per logical
 * table, the physical versions present in the target (docs/reconcile.md,
 * "Blue/green"; names in docs/naming.md, "Versions").
 *
 * Physical names carry the version: "int_orders" is v1, "int_orders_v2"
 * v2 (pc_naming_physical()). The snapshot (actual.h) indexes tables by
 * physical name; this view groups them by logical name with the ambiguity
 * rule of pc_naming_version_parse() against the project's table names.
 *
 * Roles, while two or more versions are present:
 *   blue    the LOWEST version: it serves readers (topics other teams read)
 *           until `promote` retires it;
 *   green   the HIGHEST version: the candidate; change detection compares
 *           git against it, and every plan acts on it, never on blue;
 *   superseded  any version between the two (a green replaced by a newer
 *           green that could not be updated in place); promote and rollback
 *           retire it with the blue/green it sits between.
 * With one version present it is simply the current table (no role).
 * "current" (what the planner diffs and what a plan's readers are rewritten
 * to) is the highest version; "serving" (what outside readers use) is the
 * lowest. With none present, both are the logical name (v1) and a create
 * makes it.
 *
 * A version is PRESENT when its topic exists and no completed DROP of it is
 * newer than its DDL (Kafka deletes topics asynchronously), or (a view) its
 * newest DDL statement COMPLETED, or a managed DML of it may be writing
 * (live or unknown phase). Leftover finished DDL/DROP statements alone do
 * not make a version (they expire after 30 days).
 *
 * Read-only once built; borrows from the snapshot, which must outlive it.
 */
#ifndef PC_RECONCILE_VERSIONS_H
#define PC_RECONCILE_VERSIONS_H

#include "../model/project.h"
#include "../util/map.h"
#include "../util/vec.h"
#include "actual.h"

typedef struct pc_version {
	int version;               /* 1 = the unversioned name */
	const char *physical;      /* borrowed: at->name */
	const pc_actual_table *at; /* borrowed from the snapshot: topic, DMLs and their phases, DDLs */
} pc_version;

typedef struct pc_versioned_table {
	char *logical;             /* owned: the git (logical) table name */
	const pc_table *desired;   /* borrowed from the project, NULL when git no longer has it */
	pc_vec versions;           /* pc_version *, owned, ascending by version: the versions present */
} pc_versioned_table;

typedef struct pc_versions {
	pc_vec tables;             /* pc_versioned_table *, owned, sorted by logical name; only tables
	                              with at least one version present */
	pc_map by_logical;         /* logical -> pc_versioned_table * (borrowed) */
	pc_map by_physical;        /* physical -> pc_version * (borrowed), present versions only */
	pc_map owner;              /* physical -> pc_versioned_table * holding it (borrowed) */
} pc_versions;

/*
 * Build the view of act. proj (may be NULL) gives the logical names for the
 * ambiguity rule and tells views apart; without it the syntactic split
 * decides. Never fails except on bad arguments (PC_EINVALID).
 */
int pc_versions_build(pc_versions **out, const pc_actual *act, const pc_project *proj);
void pc_versions_free(pc_versions *v);

/* The versions of a logical table, or NULL when none is present. */
const pc_versioned_table *pc_versions_get(const pc_versions *v, const char *logical);
/* The present version of that physical name (and its table through *vt when not NULL), or NULL. */
const pc_version *pc_versions_by_physical(const pc_versions *v, const char *physical,
					  const pc_versioned_table **vt);

/* Lowest version when two or more are present, else NULL. vt may be NULL. */
const pc_version *pc_versions_blue(const pc_versioned_table *vt);
/* Highest version when two or more are present, else NULL. vt may be NULL. */
const pc_version *pc_versions_green(const pc_versioned_table *vt);
/* Highest version present (green, or the only one), or NULL. vt may be NULL. */
const pc_version *pc_versions_current(const pc_versioned_table *vt);
/* Lowest version present (blue, or the only one), or NULL. vt may be NULL. */
const pc_version *pc_versions_serving(const pc_versioned_table *vt);
/* Highest version number present, 0 when none. vt may be NULL. */
int pc_versions_max(const pc_versioned_table *vt);
/* "blue", "green", "superseded" or "current" (the only one) for a version of vt. */
const char *pc_versions_role(const pc_versioned_table *vt, const pc_version *ver);

/*
 * Physical name the planner works on for logical: the current version's,
 * or the logical name itself when no version is present. Borrowed (from
 * the snapshot, or logical itself).
 */
const char *pc_versions_current_name(const pc_versions *v, const char *logical);
/* The same for readers outside the plan: the serving (lowest) version's name, or logical. */
const char *pc_versions_serving_name(const pc_versions *v, const char *logical);

#endif
