/*
 * actual.h - one snapshot of what runs in the target environment, indexed
 * per table (docs/reconcile.md).
 *
 * Loaded with a constant number of list requests (every statement page, the
 * topic list, the pool list when pools matter): never one request per table.
 * The snapshot is read-only once built; the planner and `status` read it.
 *
 * It is compact: each listed statement is reduced to what pipectl reads of
 * it (pc_actual_st) as soon as its page is parsed, and the provider's
 * pc_statement is freed; its strings live in the snapshot's arena, and
 * values that repeat (phases, pools, properties) are stored once. A no-op
 * plan of 50,000 tables fits the reconcile container (docs/performance.md).
 */
#ifndef PC_RECONCILE_ACTUAL_H
#define PC_RECONCILE_ACTUAL_H

#include "../model/naming.h"
#include "../model/project.h"
#include "../providers/provider.h"
#include "journal.h"
#include "../util/arena.h"
#include "../util/map.h"
#include "../util/vec.h"

/*
 * What the snapshot keeps of a listed statement: the fields of pc_statement
 * that the planner, status, apply, adoption and the journals read, under
 * the same names; nothing else (labels become pc_actual_stmt's kind, table
 * and fingerprints, and `protect`). Strings are the snapshot's (arena), NULL
 * when the API gave none. To read another field of the API, add it here and
 * in pc_actual_add_statement().
 */
typedef struct pc_actual_st {
	const char *name;
	const char *sql;             /* spec.statement: the plan's diff, adoption, journals, versions */
	const char *phase;           /* status.phase as the API says it (unknown values kept), for display */
	pc_phase ph;                 /* pc_phase_classify(phase): what every decision reads */
	int has_offsets;             /* status.latest_offsets names at least one topic */
	int protect;                 /* label pipectl-protect is "true" */
	const char *detail;          /* status.detail */
	const char *compute_pool_id; /* spec.compute_pool_id */
	const char *created_at;      /* metadata.created_at */
	const char *resource_version;
	pc_kvlist properties;        /* spec.properties, in the API's order: read with pc_kv_get(), never changed */
} pc_actual_st;

/* One statement of the environment, with what pipectl reads from it. */
typedef struct pc_actual_stmt {
	const pc_actual_st *st; /* the snapshot's */
	int managed;            /* pc_naming_is_managed() under the project's prefix, or adopted */
	int adopted;            /* not pipectl's by name: taken over through table.yaml `adopt:` */
	pc_name_kind kind;      /* valid when managed */
	const char *table;      /* exact table name (label pipectl-table-name, else from the SQL), may be NULL */
	/* Recorded fingerprints (the snapshot's, NULL when unknown): */
	const char *fp;         /* pipectl-fp: DDL fp, or DML content fp (SQL + properties) */
	const char *sql_fp;     /* DML: pipectl-sql-fp, else computed from st->sql */
	const char *ddl_fp;     /* DDL: = fp; DML: pipectl-ddl-fp */
} pc_actual_stmt;

/* What actually exists for one table name. Pointers are borrowed from the snapshot. */
typedef struct pc_actual_table {
	const char *name;       /* exact table name (the snapshot's) */
	int topic_exists;
	pc_actual_stmt *dml;    /* current DML: newest managed DML that is live, STOPPED or in an
	                           unknown phase, else the newest managed DML in any phase; NULL when none */
	pc_actual_stmt *ddl;    /* newest managed DDL statement still present, or NULL (expired) */
	pc_vec dmls;            /* pc_actual_stmt *, every managed DML of the table, newest first */
	pc_vec ddls;            /* pc_actual_stmt *, every managed DDL and DROP statement, newest first */
	int live_dmls;          /* managed DMLs that are live or in an unknown phase (>1: duplicates) */
	/* Recorded state (borrowed, NULL when unknown): */
	const char *ddl_fp;     /* ddl->fp, else dml->ddl_fp */
	const char *dml_fp;     /* dml->fp */
	const char *dml_sql_fp; /* dml->sql_fp */
	const char *pool;       /* dml->st->compute_pool_id */
	const char *phase;      /* dml->st->phase, for display */
	pc_phase ph;            /* dml->st->ph; PC_PHASE_UNKNOWN when no DML */
	const char *detail;     /* dml->st->detail */
} pc_actual_table;

typedef struct pc_actual {
	char *prefix;           /* owned */
	pc_arena arena;         /* every statement, topic and table below, and their strings */
	pc_vec stmts;           /* pc_actual_stmt *: every statement, managed or not, sorted by name */
	pc_vec topics;          /* pc_topic *, sorted by name */
	pc_vec pools;           /* pc_pool *, owned (empty unless pools_loaded) */
	int pools_loaded;
	pc_vec tables;          /* pc_actual_table *, sorted by name: every table that has
	                           a topic or a managed statement */
	pc_map by_table;        /* name -> pc_actual_table * (borrowed) */
	pc_map props;           /* while building: each property's one copy (actual.c) */
	char fingerprint[33];   /* hash of sorted (statement name, phase, resource_version, fps) and topic names */
	/* Journals of runs that did not finish (journal.h): */
	pc_vec journals;        /* pc_journal *, owned, newest first: the runs whose parts are all present */
	pc_vec journal_leftovers; /* char *, owned: parts of runs not all present (they started no action) */
	pc_map journal_names;   /* "kind\ttable\tfp" -> statement name (borrowed; the newest journal wins) */
	pc_map journal_actions; /* table -> pc_journal_action * (borrowed; the newest journal wins) */
	pc_map journal_tables;  /* table -> pc_vec * (owned) of every pc_journal_name * for it (borrowed) */
	char *journal_error;    /* a journal statement that cannot be read (one line, owned), or NULL */
} pc_actual;

/*
 * Fetch the snapshot from p for proj (prefix from proj->config). Pools are
 * listed only when the config allows creating them (compute_pools.create).
 * On failure *out is NULL and the provider's one-line error is kept.
 */
int pc_actual_load(pc_actual **out, pc_provider *p, const pc_project *proj);
/* The same from the config alone (prefix, compute_pools.create): the tree is not needed. */
int pc_actual_load_cfg(pc_actual **out, pc_provider *p, const pc_config *cfg);

/*
 * Build a snapshot from lists already fetched (tests, the loop).
 * Takes ownership of the ELEMENTS of statements (pc_statement *), topics
 * (pc_topic *) and pools (pc_pool *, NULL = not loaded); the vectors are
 * left empty. Never fails except on bad arguments.
 */
int pc_actual_build(pc_actual **out, const char *prefix, pc_vec *statements, pc_vec *topics,
		    pc_vec *pools);

/*
 * The same built piece by piece, as the pages arrive: pc_actual_begin(),
 * then any number of pc_actual_add_statement() and pc_actual_add_topic()
 * (each keeps the compact form and frees what it is given, NULL and
 * nameless ones ignored), then pc_actual_end() once, which indexes the
 * snapshot and takes the elements of pools (NULL = not loaded). Until then
 * only pc_actual_free() may be called on it.
 */
pc_actual *pc_actual_begin(const char *prefix);
void pc_actual_add_statement(pc_actual *a, pc_statement *st);
/* pc_statement_fn-compatible: ctx is the pc_actual being built. Always 0. */
int pc_actual_statement_sink(void *ctx, pc_statement *st);
void pc_actual_add_topic(pc_actual *a, pc_topic *t);
void pc_actual_end(pc_actual *a, pc_vec *pools);

void pc_actual_free(pc_actual *a);

/*
 * Take the unmanaged statement stmt as table's own (kind DML: its current
 * writer; kind DDL: the statement that created it), as if pipectl had
 * created it: the planner, status and apply then treat it like a managed
 * one (replaced, retired, rebuilt by the ordinary rules). Its fingerprints
 * are computed from its SQL (it has no pipectl labels). Called by
 * pc_adopt_mark() (adopt.h); a statement managed already is left as it is.
 */
int pc_actual_adopt(pc_actual *a, const char *stmt, const char *table, pc_name_kind kind);

/* The table entry, or NULL when nothing exists for it. */
const pc_actual_table *pc_actual_table_get(const pc_actual *a, const char *name);
/* 1 when a topic of that name exists. */
int pc_actual_topic_exists(const pc_actual *a, const char *name);
/* The statement of that name, or NULL (a binary search: stmts is sorted by name). */
const pc_actual_stmt *pc_actual_stmt_get(const pc_actual *a, const char *name);
/*
 * The name an unfinished run's journal gave to the statement (kind, table,
 * content fp), or NULL. fp NULL matches "".
 */
const char *pc_actual_journal_name(const pc_actual *a, pc_name_kind kind, const char *table, const char *fp);

/*
 * Sync of one desired table (for status and metrics): 1 in sync, 0 not,
 * with *reason (owned) one of "table missing", "DML missing", "SQL differs",
 * "DDL differs", "properties differ", "FAILED: <detail>", "DEGRADED",
 * "STOPPED", "<PHASE>". *reason is NULL when in sync.
 */
int pc_actual_table_in_sync(const pc_actual *a, const pc_table *t, char **reason);
/*
 * The same for one physical version of t (blue/green, versions.h): git is
 * compared with what runs under that name (the fingerprints in labels are
 * git's, whatever the version). pc_actual_table_in_sync() is this with
 * t->name; status and the loop pass pc_versions_current_name().
 */
int pc_actual_version_in_sync(const pc_actual *a, const pc_table *t, const char *physical, char **reason);

/*
 * Whether t exists in the target: its topic, or for a view (pc_table_is_view())
 * its newest managed DDL statement COMPLETED.
 */
int pc_actual_exists(const pc_actual_table *at, const pc_table *t);

#endif
