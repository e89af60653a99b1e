/*
 * project.h - the desired state: pipectl.yaml, the pipelines tree, the
 * table graph (docs/manifest-format.md).
 *
 * pc_project_load() reads everything it can. Problems with single files are
 * collected in project->diags (file:line: message) and the inventory of
 * everything readable is still built; only a problem that makes the project
 * unusable (missing root, bad pipectl.yaml) is returned as an error.
 */
#ifndef PC_MODEL_PROJECT_H
#define PC_MODEL_PROJECT_H

#include "../util/kv.h"
#include "../util/map.h"
#include "../util/vec.h"
#include "config.h"
#include "source.h"
#include "sql.h"

/* ---- diagnostics ---- */

typedef enum pc_severity { PC_SEV_ERROR = 0, PC_SEV_WARNING = 1 } pc_severity;

typedef struct pc_diag {
	pc_severity severity;
	char *file;   /* path relative to the project root, or NULL */
	int line;     /* 0 when unknown */
	char *table;  /* table concerned, or NULL */
	char *message;
} pc_diag;

/* "file:line: message" / "file: message" / "message" into an owned string. */
char *pc_diag_format(const pc_diag *d);

/* ---- tables ---- */

typedef enum pc_statefulness_override {
	PC_STATE_AUTO = 0,
	PC_STATE_FORCE_STATEFUL,
	PC_STATE_FORCE_STATELESS,
} pc_statefulness_override;

/* `strategy:` of table.yaml: how the table's own rebuilds are deployed (docs/reconcile.md, "Blue/green"). */
typedef enum pc_strategy {
	PC_STRATEGY_DEFAULT = 0, /* pipectl.yaml's strategy (in-place unless it says blue-green) */
	PC_STRATEGY_IN_PLACE,
	PC_STRATEGY_BLUE_GREEN,
} pc_strategy;

typedef struct pc_table {
	char *name;            /* base table name from the DDL, case preserved: the LOGICAL name; what runs
	                          in the target may carry a version (naming.h, pc_naming_physical()) */
	pc_strategy strategy;  /* table.yaml `strategy:` */
	char *layer;           /* sources, intermediates, ..., or "unknown" */
	char *product;         /* NULL when the table sits directly under the layer */
	char *folder;          /* table folder, relative to root */
	char *ddl_path;        /* relative to root */
	char *dml_path;        /* relative to root, NULL when no DML */
	char *props_path;      /* dml.*.properties, NULL when none */
	pc_sql_file *ddl;      /* owned, NULL when it did not parse */
	pc_sql_file *dml;      /* owned, NULL when none or did not parse */
	char ddl_fingerprint[33];
	char dml_fingerprint[33]; /* "" when no DML */
	pc_kvlist dml_properties; /* from dml.*.properties */
	/* table.yaml */
	char *compute_pool;
	pc_kvlist properties;
	int protect;
	int active;            /* default 1 */
	pc_statefulness_override statefulness;
	char *adopt;           /* `adopt:` the running statement pipectl took over as the table's DML, or NULL */
	int adopt_line;        /* line of `adopt:` in table.yaml, 0 when absent */
	char *yaml_path;       /* table.yaml read, relative to root; NULL when none */
	/* analysis */
	int stateful;          /* after override */
	int analyzed_stateful; /* before override */
	pc_vec state_reasons;  /* pc_state_reason * borrowed from dml */
	int upsert;            /* sink is upsert (from the DDL) */
	int ctas;              /* the DDL is a CTAS: it is also the DML */
	/* graph (indexes into project->tables) */
	pc_vec parents;        /* pc_table * borrowed: desired tables read by the DML (or CTAS) */
	pc_vec children;       /* pc_table * borrowed */
	pc_vec external_parents; /* char * owned: names read that no DDL in the tree creates */
	int topo_index;        /* position in project->topo */
	int depth;             /* longest path from a source, 0 for roots */
	int broken;            /* a file of this table has an error */
} pc_table;

/* Carry-over eligible: DML stateless and sink append-only (docs/reconcile.md). */
int pc_table_carry_over_eligible(const pc_table *t);
/* A zeroed table with active = 1 (owned by the caller until pushed to a project). */
pc_table *pc_table_new(void);
/* Free a table and everything it owns (ddl, dml, kv lists, external_parents). NULL ok. */
void pc_table_free(pc_table *t);

/* ---- the desired side, as pipectl records it in labels ---- */

/*
 * 1 when the table's DDL is a CREATE VIEW: no topic, no DML; it "exists"
 * when its newest managed DDL statement is COMPLETED (reconcile/actual.h).
 */
int pc_table_is_view(const pc_table *t);
/* 1 when the table has a statement that runs unbounded (a DML file or a CTAS DDL). */
int pc_table_has_dml(const pc_table *t);
/* Fingerprint of the SQL of that statement (CTAS: the DDL's), or NULL. */
const char *pc_table_dml_sql_fp(const pc_table *t);
/* The user's statement properties: dml.*.properties, then table.yaml `properties` over them. */
void pc_table_user_props(const pc_table *t, pc_kvlist *out);
/* pipectl-fp of the table's DML: pc_naming_dml_fp(SQL fp, user properties). */
void pc_table_dml_fp(const pc_table *t, char out[33]);

/*
 * A table declared in `externals:` of pipectl.yaml: read, never deployed
 * (CDC topics, other teams' topics). Its DDL, when given, is what the local
 * target and the emulator create it from.
 */
typedef struct pc_external {
	char *name;            /* as declared */
	char *ddl_path;        /* relative to the root, NULL when none */
	char *ddl_sql;         /* the DDL's text, NULL when none or unreadable */
	int line;              /* of the entry in pipectl.yaml */
	pc_vec readers;        /* pc_table * borrowed: desired tables that read it, by name */
} pc_external;

typedef struct pc_project {
	pc_config *config;     /* owned when owns_config (pc_project_load), else borrowed */
	int owns_config;
	char *root;
	char *commit;          /* commit id of the tree read, NULL for the working tree */
	pc_vec tables;         /* pc_table *, owned, sorted by name */
	pc_map by_name;        /* name -> pc_table * */
	pc_vec topo;           /* pc_table * borrowed, parents before children (valid when no cycle) */
	pc_vec diags;          /* pc_diag *, owned, in file order */
	pc_vec externals;      /* pc_external *, owned: one per `externals:` entry, in file order */
	int n_errors;
	int n_warnings;
} pc_project;

/*
 * Load config and tree, analyze SQL, build the graph. Returns 0 when the
 * project could be read at all (check n_errors for per-file problems), or a
 * negative code with pc_error_last() set.
 */
int pc_project_load(pc_project **out, const char *root, const char *config_path);
/*
 * Same with an already loaded config (borrowed: it must outlive the project,
 * which others such as the provider may share) and a source for the tree
 * (borrowed; NULL = the working tree under cfg->root).
 */
int pc_project_load_from(pc_project **out, pc_config *cfg, pc_source *src);
void pc_project_free(pc_project *p);
pc_table *pc_project_table(const pc_project *p, const char *name);
/* The declared external named name (full or base name), or NULL. */
pc_external *pc_project_external(const pc_project *p, const char *name);
void pc_project_add_diag(pc_project *p, pc_severity sev, const char *file, int line,
			 const char *table, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * table.yaml text with the key `adopt: stmt` set (replaced on its line, or
 * appended), other keys and comments kept as written; *out owned. The result
 * is parsed again: errors name label:line (a flow-style map or a multi-line
 * value is refused: set the key by hand).
 */
int pc_table_yaml_set_adopt(char **out, const char *label, const char *text, size_t len, const char *stmt);

/* ---- graph ---- */

/*
 * Build parents/children/external_parents/topo from the analyzed tables.
 * Adds diags: a cycle (naming the tables in it), two folders creating the
 * same table, a DML whose INSERT target is not its DDL table, a DML without
 * a DDL. Called by pc_project_load().
 */
int pc_graph_build(pc_project *p);

/* Tables reachable upward (ancestors) / downward (descendants) of t, t excluded, topo order. */
void pc_graph_ancestors(const pc_project *p, const pc_table *t, pc_vec *out);
void pc_graph_descendants(const pc_project *p, const pc_table *t, pc_vec *out);

#endif
