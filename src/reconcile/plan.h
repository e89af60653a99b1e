/*
 * plan.h - diff desired state (pc_project) against actual state (pc_actual)
 * into a plan: one action per selected table with its reason, its
 * dependencies, its wave, and the concrete steps apply executes
 * (docs/reconcile.md).
 *
 * Planning is pure: it reads the project and the snapshot and changes
 * nothing. A saved plan (JSON, pc_plan_write_json) holds every step with
 * its statement name, SQL, pool, properties and labels, so apply executes
 * exactly what the plan shows; it also records the fingerprint of the
 * actual state it was computed from (stale-plan detection).
 *
 * ---- How apply runs a plan (contract with src/reconcile/apply) ----
 *
 * 1. plan->setup steps first, in order (today: at most one create_pool).
 * 2. Each action's steps run in order. Steps with `teardown` set (the
 *    leading stop/delete/drop of a rebuild, restart or drop) form the
 *    action's TEARDOWN part; the rest its BUILD part.
 *    - teardown of action A starts once the teardown of every action named
 *      in A->teardown_after (its children in the plan) has finished:
 *      stops and drops run children first;
 *    - build of A starts once A's own teardown is done and the build of
 *      every action named in A->depends_on (its parents in the plan) has
 *      finished: creates and starts run parents first.
 *    An action is done when its last step is done. When an action fails,
 *    every action that (transitively) depends on it is skipped.
 * 3. Every step checks actual state before acting (idempotence):
 *    stop of a statement that is absent or already stopped/failed is done;
 *    delete of an absent statement is done; drop_table of an absent topic
 *    is done; run_ddl/create_dml of a statement that already exists with
 *    that name waits for it instead of creating; resume of a running
 *    statement is done; create_pool reuses a pool of that display name.
 *    The check is the snapshot the plan was made from, kept current by the
 *    responses of apply's own requests, plus conditional requests: a
 *    statement known to be absent is created at once and a 409 reads and
 *    adopts it (apply_step.c).
 * 4. Waits: run_ddl and drop_table until COMPLETED; create_dml and
 *    resume_statement until RUNNING (PENDING is a wait: a carry-over
 *    statement stays PENDING until carry_from is stopped, which is why
 *    replace-dml's stop of the old statement comes after the create and
 *    must not wait for RUNNING first: see pc_step.wait); stop until STOPPED
 *    (or FAILED / absent).
 *
 * Wave: 0 for actions with no dependency in the plan, else 1 + the largest
 * wave of depends_on. Only for display and parallelism estimates.
 */
#ifndef PC_RECONCILE_PLAN_H
#define PC_RECONCILE_PLAN_H

#include "../model/project.h"
#include "../util/buf.h"
#include "../util/kv.h"
#include "../util/vec.h"
#include "actual.h"

#define PC_PLAN_FORMAT_VERSION "1"

typedef enum pc_action_kind {
	PC_ACT_NOOP = 0,
	PC_ACT_CREATE,       /* table absent: DDL, then DML */
	PC_ACT_START,        /* resume a stopped DML, or new DML carrying offsets, or stop+resume for pool/props */
	PC_ACT_REPLACE_DML,  /* new DML with sql.tables.initial-offset-from = old; then stop+delete old */
	PC_ACT_REBUILD,      /* stop DML, drop table, DDL, DML from earliest */
	PC_ACT_RESTART,      /* --dml-only rebuild: stop DML, new DML from earliest, table kept */
	PC_ACT_DROP,         /* --prune: stop DML, drop table */
	PC_ACT__COUNT
} pc_action_kind;

/* "noop", "create", "start", "replace-dml", "rebuild", "restart", "drop". */
const char *pc_action_kind_str(pc_action_kind k);
int pc_action_kind_parse(const char *s, pc_action_kind *out); /* 0 or PC_EINVALID */

typedef enum pc_step_kind {
	PC_STEP_STOP_STATEMENT = 0, /* statement */
	PC_STEP_DELETE_STATEMENT,   /* statement */
	PC_STEP_DROP_TABLE,         /* table, statement (the DROP statement to create), sql, labels */
	PC_STEP_RUN_DDL,            /* statement, sql, compute_pool, properties, labels */
	PC_STEP_CREATE_DML,         /* statement, sql, compute_pool, properties, labels, carry_from, from_earliest */
	PC_STEP_RESUME_STATEMENT,   /* statement, compute_pool, properties, labels (NULL/empty = unchanged) */
	PC_STEP_CREATE_POOL,        /* pool_display_name */
	PC_STEP__COUNT
} pc_step_kind;

/* "stop_statement", "delete_statement", "drop_table", "run_ddl", "create_dml",
 * "resume_statement", "create_pool". */
const char *pc_step_kind_str(pc_step_kind k);
int pc_step_kind_parse(const char *s, pc_step_kind *out);

typedef struct pc_step {
	pc_step_kind kind;
	int teardown;          /* part of the action's teardown (see top of file) */
	char *statement;       /* statement acted on or created; NULL for create_pool */
	char *table;           /* drop_table: table dropped; else the action's table */
	char *sql;             /* run_ddl, create_dml, drop_table ("DROP TABLE IF EXISTS `t`") */
	/*
	 * Compute pool id for run_ddl/create_dml/resume_statement. NULL: the
	 * provider's default (resume: unchanged). When pool_display_name is set
	 * instead (pool created by this plan), apply uses the id of the pool
	 * with that display name (created by the setup step).
	 */
	char *compute_pool;
	char *pool_display_name; /* create_pool; or reference to the pool created in setup */
	pc_kvlist properties;  /* statement properties (incl. sql.current-catalog/-database when
	                          configured and, for carry-over, sql.tables.initial-offset-from) */
	pc_kvlist labels;      /* labels of the created statement (resume: labels to set) */
	char *carry_from;      /* create_dml: old statement whose offsets are carried, or NULL */
	int from_earliest;     /* create_dml: starts from the earliest offset (no carry-over) */
	/*
	 * Wait for the target phase before the next step: 1 (default) except
	 * for a carry-over create_dml, which stays PENDING until carry_from is
	 * stopped by the next step; apply then waits for RUNNING after that stop.
	 */
	int wait;
} pc_step;

void pc_step_free(void *s);

typedef struct pc_action {
	char *table;
	pc_action_kind kind;
	char *reason;          /* one line: what changed / why (never empty) */
	pc_vec details;        /* char *, extra lines: stateful operators with file:line, etc. */
	int wave;
	pc_vec depends_on;     /* char *: tables whose action's BUILD must finish before ours */
	pc_vec teardown_after; /* char *: tables whose action's TEARDOWN must finish before ours */
	pc_vec steps;          /* pc_step *, in order */
	char *compute_pool;    /* resolved pool id, or NULL (default / created pool) */
	char *pool_source;     /* "table.yaml", "--compute-pool", "current statement",
	                          "configured default", "created", "provider default", or NULL (no DML) */
	char *forced_by;       /* parent table whose rebuild forced this action, or NULL */
	int selected;          /* 1: matched by the selectors; 0: pulled in (ancestor or cascade) */
	int destructive;       /* drops a table or deletes a topic (rebuild, drop) */
	char *refused;         /* with pc_plan_options.hold_refused: why this action may not run (a
	                          protected table the rules would rebuild or drop); it has no steps and
	                          apply fails it without acting. NULL otherwise */
	pc_vec diff;           /* pc_change *: what git changes in the running statements (plan_diff.c) */
	/*
	 * Maintenance of a noop (the action stays `noop`: the table is as git
	 * says): PC_RENEW_DDL_RECORD when the steps issue the table's DDL again
	 * as CREATE TABLE IF NOT EXISTS under a new name and delete the old
	 * record before Confluent expires it (docs/reconcile.md, "Keeping the
	 * DDL record alive"), or only delete records a newer one supersedes.
	 * NULL otherwise.
	 */
	char *renew;
	/*
	 * Blue/green (docs/reconcile.md, "Blue/green"). `table` stays the
	 * logical (git) name; physical is the version the action works on:
	 * the one it creates or changes (a drop: the one it drops). NULL means
	 * the logical name itself (v1; plans written before versions).
	 */
	char *physical;
	int green;             /* >= 2: the action makes (create) or changes (any other kind) the GREEN
	                          version `physical` = <table>_v<green>, while `blue` keeps serving; 0 otherwise */
	char *blue;            /* with green: the blue physical name that keeps serving; else NULL */
	char *retires;         /* with green create: a superseded green (an older candidate) this action
	                          tears down first (stop its DML, drop its table); else NULL */
} pc_action;

/* pc_action.renew: the DDL record of a table without DML is renewed. */
#define PC_RENEW_DDL_RECORD "ddl-record"

/* 1 when the action acts on the target: any kind but noop, or a noop that renews. */
int pc_action_acts(const pc_action *a);
/* Its name in logs, history and metrics: the kind, or "renew" for a noop that renews. */
const char *pc_action_label(const pc_action *a);
/* The physical name of the action's table (a->physical, else a->table). */
const char *pc_action_physical(const pc_action *a);
/* 1 when the action starts a DML statement (a create_dml step). */
int pc_action_runs_dml(const pc_action *a);

/*
 * One difference between what runs and what the action will run, for the
 * reviewer (plan text, plan --json "diff", show). Display only: apply never
 * reads it. old_value NULL: absent in the target; new_value NULL: removed.
 */
typedef struct pc_change {
	char *what;      /* "dml" (its SQL), "ddl" (its SQL), "compute_pool", "property" */
	char *key;       /* property: its key; else NULL */
	char *statement; /* the running statement compared, or NULL */
	char *old_value;
	char *new_value;
} pc_change;

void pc_change_free(void *c);


void pc_action_free(void *a);

typedef struct pc_plan_options {
	const char *const *selectors; /* TABLE, +TABLE, TABLE+, +TABLE+, @TABLE, product:N, layer:N */
	size_t n_selectors;           /* 0: every table */
	int dml_only;
	int force;
	int prune;
	const char *compute_pool;     /* --compute-pool, or NULL */
	/*
	 * The loop: a part of the plan that must be refused (a protected table
	 * the rules would rebuild or drop) becomes an action with `refused` set
	 * instead of failing the whole plan, so the rest can still be applied.
	 */
	int hold_refused;
	/*
	 * --blue-green: every rebuild the in-place rules would plan becomes a
	 * green version (docs/reconcile.md, "Blue/green"). pipectl.yaml and
	 * table.yaml `strategy: blue-green` do the same without the flag.
	 */
	int blue_green;
} pc_plan_options;

typedef struct pc_plan {
	pc_vec actions;        /* pc_action *, topological (parents first; drops last, children first) */
	pc_vec setup;          /* pc_step *, run before any action (create_pool) */
	pc_vec warnings;       /* char *, one line each */
	char state_fingerprint[33]; /* pc_actual.fingerprint the plan was computed from */
	char *commit;          /* project commit, or NULL (working tree) */
	char tree_fingerprint[33]; /* pc_plan_tree_fingerprint() of the project planned ("" when unknown) */
	char *prefix;
	char *target;          /* config target ("local", "confluent") */
	char *environment_id;  /* config environment, may be NULL */
	char *created_at;      /* ISO-8601 */
	/* options recorded */
	pc_vec selectors;      /* char * */
	int dml_only, force, prune;
	int blue_green;        /* --blue-green given */
	char *compute_pool;
	int summary[PC_ACT__COUNT]; /* number of actions per kind */
	int greens;            /* actions that create a green version */
	int extra_running;     /* statements that run beside their blue once the plan is applied
	                          (one per green version with a DML) */
	int renewals;          /* noop actions with `renew` set (counted in summary[PC_ACT_NOOP] too) */
	pc_vec journals;       /* char *: journal statements of unfinished runs this plan finishes
	                          (journal.h); a successful apply deletes them */
	char *command;         /* the command whose plan this is when not plan/apply's own: "promote" or
	                          "rollback" (retire.h), NULL otherwise; saved, shown, and the kind
	                          the history records when the plan is applied */
} pc_plan;

/*
 * Declared externals (pipectl.yaml `externals:`) that a desired table reads
 * and that do not exist in the target: one owned line each in out
 * ("external table 'x' (declared in pipectl.yaml) does not exist in the
 * target; 't' reads it"). Returns how many. status reports them.
 */
size_t pc_plan_missing_externals(const pc_project *proj, const pc_actual *act, pc_vec *out);

/*
 * Compute the plan. Returns 0, or a negative code with one line (a missing
 * external table naming the table that reads it, a cycle, a protected
 * table the rules would drop, an unknown selector, a project with errors,
 * a journal statement of an interrupted run that cannot be read).
 * *out is NULL on error.
 */
int pc_plan_compute(pc_plan **out, const pc_project *proj, const pc_actual *act,
		    const pc_plan_options *opt);

void pc_plan_free(pc_plan *p);

/*
 * Fill every action's diff from the running statements of act and the
 * action's own steps: the DML's and DDL's SQL when the text differs, the
 * compute pool and each statement property that differs
 * (sql.tables.initial-offset-from, the carry-over, is not a change).
 * Called by pc_plan_compute; never fails.
 */
void pc_plan_diff(pc_plan *p, const pc_actual *act);

/* 1 when some action acts (pc_action_acts: not a noop, or a renewal), setup is not empty, or a journal is left to finish. */
int pc_plan_has_changes(const pc_plan *p);

/*
 * Fingerprint of the desired state as planned: every table's name, DDL and
 * DML fingerprints, properties, pool, protect, active and statefulness, and
 * the prefix. Two trees with the same fingerprint plan the same.
 */
void pc_plan_tree_fingerprint(const pc_project *proj, char out[33]);
/*
 * A saved plan about to be applied: when the tree now differs from the one
 * it was made from (commit or fingerprint), add a warning saying so. The
 * plan applies what it shows all the same.
 */
void pc_plan_check_tree(pc_plan *plan, const pc_project *proj);

/* Action of a table, or NULL. Linear. */
const pc_action *pc_plan_find(const pc_plan *p, const char *table);

/* ---- JSON (plan_json.c) ---- */

/*
 * The plan as JSON (docs/cli.md): {"format_version":"1","actions":[{"table",
 * "action","reason","details","wave","depends_on","teardown_after","selected",
 * "forced_by","compute_pool","pool_source","destructive","steps":[…]}],
 * "setup":[…],"summary":{"create":N,…,"noop":N},"state_fingerprint","commit",
 * "prefix","target","environment_id","created_at","options":{…},"warnings":[…]}.
 * No secret is ever part of a plan. Appended to out.
 */
int pc_plan_write_json(const pc_plan *p, pc_buf *out);
/* Parse a plan written by pc_plan_write_json. PC_EPARSE/PC_EINVALID with one line. */
int pc_plan_read_json(pc_plan **out, const char *text, size_t len);
/* Write to a file atomically / read a file. */
int pc_plan_save(const pc_plan *p, const char *path);
int pc_plan_load(pc_plan **out, const char *path);

#endif
