/*
 * plan_int.h - what the planner's files share (plan.c, plan_decide.c,
 * plan_steps.c). Not for other modules.
 */
#ifndef PC_RECONCILE_PLAN_INT_H
#define PC_RECONCILE_PLAN_INT_H

#include "plan.h"
#include "versions.h"

typedef struct pc_planner {
	const pc_project *proj;
	const pc_actual *act;
	const pc_plan_options *opt;
	const pc_config *cfg;      /* may be NULL in tests */
	const char *prefix;
	pc_plan *plan;
	pc_map selected;           /* name -> pc_table *: matched by the selectors */
	pc_map pulled;             /* name -> pc_table * (the descendant that needs it) */
	pc_map by_table;           /* name -> pc_action * */
	pc_map names;              /* statement names given out by this plan */
	pc_map adopted;            /* statement names taken over from an unfinished run's journal */
	pc_map protect;            /* table name -> the `protect:` selector of pipectl.yaml naming it (borrowed) */
	int no_adopt;              /* the action being built drops its table afresh: nothing after the
	                              drop may be taken over from a journal */
	const char *keep_dml;      /* the table being decided: a DML of an unfinished run this plan adopts
	                              (never torn down), or NULL */
	int pool_setup_done;       /* the create_pool setup step exists */
	/* blue/green (plan_bluegreen.c) */
	pc_versions *versions;     /* owned: the versions present in act (versions.h) */
	pc_map physical;           /* logical -> char * (owned): the physical name a decided table has
	                              once the plan is applied (a green's, else its current one) */
	char *sql_error;           /* owned: SQL that could not be rewritten for a version (fails the plan) */
	const char *phys;          /* physical name of the action being built: its statements, labels and
	                              the table its SQL creates or writes (NULL: the logical name) */
} pc_planner;

/* Fill pl->protect from pipectl.yaml's `protect:` selectors (a plain name counts even when its folder is gone). */
void pc_plan_resolve_protect(pc_planner *pl);
/* Why the table may never be dropped ("protect: true in table.yaml", "protect: X in pipectl.yaml"), or NULL. t may be NULL. */
const char *pc_plan_protected_by(const pc_planner *pl, const char *name, const pc_table *t);

/* 1 when a statement of the table carries the protect label (set at create time). */
int pc_plan_protect_recorded(const pc_actual_table *at);

/* Decide the action of one desired table (pass 2). Adds it to the plan when in scope. */
int pc_plan_decide(pc_planner *pl, pc_table *t);
/*
 * A noop of a table without DML whose newest completed DDL record proves it
 * matches git and is older than reconcile.renew_ddl_after: add the steps
 * that renew the record (its DDL again as CREATE TABLE IF NOT EXISTS under
 * a new name, then delete the old record; or only the delete of records a
 * newer one supersedes) and set a->renew and the reason. Anything else:
 * nothing changes. Always 0 (plan_renew.c).
 */
int pc_plan_renew(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at);
/* Orphans: drops with --prune, warnings without. */
int pc_plan_orphans(pc_planner *pl);

int pc_plan_check_external(pc_planner *pl, const pc_table *t);
int pc_plan_check_broken(const pc_project *proj, const pc_table *t);
void pc_plan_warn(pc_planner *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- blue/green (plan_bluegreen.c) ---- */

/* The physical name a table is read under by the statements of this plan (see pc_planner.physical). */
const char *pc_plan_physical_of(const pc_planner *pl, const char *logical);
/* The physical name the steps of t's action use (pl->phys, else t->name). */
const char *pc_plan_phys(const pc_planner *pl, const pc_table *t);
/*
 * t's SQL text as deployed: its own table renamed to pc_plan_phys(), every
 * desired parent renamed to pc_plan_physical_of() (only names that differ;
 * through the tokenizer, pc_sql_rename_tables()). Owned.
 */
char *pc_plan_sql_for(pc_planner *pl, const pc_table *t, const char *text);
/* Whether t's own rebuilds are deployed blue/green (--blue-green, table.yaml, pipectl.yaml). */
int pc_plan_strategy_blue_green(const pc_planner *pl, const pc_table *t);
/*
 * A parent that t's current DML reads under another physical name than the
 * one this plan gives it (a blue/green apply interrupted before t's green
 * was made, a green rolled back under a reader): that parent (borrowed),
 * with the name read in *read_name (owned); else NULL. Analyzes the DML's
 * SQL only when some parent of t has a version other than v1 or several.
 */
const pc_table *pc_plan_stale_parent(pc_planner *pl, const pc_table *t, const pc_actual_table *at, char **read_name);
/*
 * Turn a rebuild into a green version when blue/green applies (a pair
 * exists, the rebuild was forced by a green parent, or t's own rebuild
 * under strategy blue-green): sets kind CREATE, physical, green, blue,
 * retires and the reason. 1 when it did, 0 when the rebuild stays in
 * place, negative on a refusal (protected table, a name taken by a git
 * table) unless hold_refused (then a->refused is set and 1 returned).
 */
int pc_plan_make_green(pc_planner *pl, pc_action *a, const pc_table *t);

/* ---- steps (plan_steps.c) ---- */

/* 1 when some step of the action is a teardown step. */
int pc_action_has_teardown(const pc_action *a);

/*
 * The name of a statement the plan creates. When an unfinished run's
 * journal gave a name to this (kind, table, fp) and the run did not finish
 * that table (pc_plan_journal_unfinished()), that name, so the executor
 * adopts what the run created or left in flight (unless it FAILED). Else a
 * name not used in the snapshot nor earlier in this plan:
 * pc_naming_statement() with nonce NULL, then "1", "2", ... Owned.
 */
char *pc_plan_fresh_name(pc_planner *pl, pc_name_kind kind, const char *table, const char *fp);

/*
 * 1 when an unfinished run's journal holds an action for the table that
 * it did not finish: some statement it named for the table is absent or
 * still in flight, or the DML it meant to leave current is not running.
 */
int pc_plan_journal_unfinished(const pc_planner *pl, const char *table);
/* The journaled name for (kind, table, fp) the plan may adopt, or NULL. */
const char *pc_plan_journal_adoptable(const pc_planner *pl, pc_name_kind kind, const char *table, const char *fp);

/* 1 when the DROP of table this plan would issue is one an unfinished run's journal named. */
int pc_steps_drop_adoptable(const pc_planner *pl, const char *table);

/* The pool named explicitly for t (table.yaml, else --compute-pool) and where from, or NULL. */
const char *pc_plan_explicit_pool(const pc_planner *pl, const pc_table *t, const char **source);
/* Resolve the compute pool of a table's action (sets a->compute_pool, a->pool_source). */
void pc_plan_resolve_pool(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at);
/* 1 when table.yaml names a pool that differs from the current statement's. */
int pc_plan_pool_changed(const pc_planner *pl, const pc_table *t, const pc_actual_table *at);

/* Teardown: stop every live managed DML of the table, delete every managed DML. */
void pc_steps_remove_dmls(pc_planner *pl, pc_action *a, const pc_actual_table *at, int teardown);
/* Stop+delete the live DMLs other than keep (duplicates), not teardown. */
void pc_steps_remove_extras(pc_planner *pl, pc_action *a, const pc_actual_table *at,
			    const pc_actual_stmt *keep, int teardown);
/* Teardown: DROP TABLE IF EXISTS. */
void pc_steps_drop_table(pc_planner *pl, pc_action *a, const char *table);
/* Build: DROP VIEW IF EXISTS (a statement that completes; views hold no data). */
void pc_steps_drop_view(pc_planner *pl, pc_action *a, const pc_table *t);
/*
 * Build: the table's DDL again as CREATE TABLE IF NOT EXISTS under a fresh
 * name, which leaves the table as it is and records (labels) what it is. 0
 * when the DDL is not a plain CREATE TABLE (nothing added).
 */
int pc_steps_record_ddl(pc_planner *pl, pc_action *a, const pc_table *t);
/* 1 when pc_steps_record_ddl() can issue t's DDL again (a plain CREATE TABLE, not AS SELECT). */
int pc_steps_ddl_renewable(const pc_table *t);
/* Build: DDL then DML from earliest (CTAS: the one statement). */
void pc_steps_create(pc_planner *pl, pc_action *a, const pc_table *t);
/* Build: a new DML; carry_from NULL = from earliest. wait: see pc_step.wait. */
pc_step *pc_steps_create_dml(pc_planner *pl, pc_action *a, const pc_table *t, const char *carry_from);
/* Stop (unless not stopped_needed) then resume with the desired pool, properties and labels. */
void pc_steps_resume(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_stmt *dml,
		     int stop_first);
pc_step *pc_step_new(pc_step_kind kind, const char *statement, const char *table);

#endif
