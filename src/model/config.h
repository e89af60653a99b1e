/*
 * config.h - pipectl.yaml: where the project, the target and its credentials
 * are (docs/manifest-format.md). The providers need only this, not the whole project.
 */
#ifndef PC_MODEL_CONFIG_H
#define PC_MODEL_CONFIG_H

#include "../util/kv.h"
#include "../util/vec.h"
#include "source.h"

#include <stdint.h>

/* ---- pipectl.yaml ---- */

typedef struct pc_endpoint_cfg {
	char *endpoint;
	char *api_key;
	char *api_secret;   /* secret: never printed */
} pc_endpoint_cfg;

/* One entry of `externals:`: a table read but never deployed (docs/manifest-format.md). */
typedef struct pc_external_cfg {
	char *name;            /* as written: base name or catalog.db.name */
	char *ddl;             /* optional: DDL file relative to the root (local target, emulator) */
	int line;              /* line of the entry in pipectl.yaml */
} pc_external_cfg;

typedef struct pc_config {
	char *path;            /* file read, NULL when defaults */
	char *root;            /* project root (-C) */
	char *pipelines;       /* default "pipelines" (relative to root) */
	char *prefix;          /* default "dev" */
	char *target;          /* "local" (default) | "confluent" */
	char *local_state;     /* default ".pipectl/local-state.json" (relative to root) */
	/* confluent */
	char *organization_id;
	char *environment_id;
	char *principal;
	pc_endpoint_cfg flink;
	char *flink_compute_pool_id;
	char *flink_catalog;
	char *flink_database;
	pc_endpoint_cfg kafka;
	char *kafka_cluster_id;
	pc_endpoint_cfg cloud;
	int pools_create;      /* compute_pools.create */
	char *pools_cloud;
	char *pools_region;
	int pools_max_cfu;
	char *strategy;        /* `strategy:` "in-place" (default, NULL) or "blue-green" (docs/reconcile.md) */
	int blue_green;        /* strategy is blue-green */
	pc_vec protect;        /* `protect:` selectors (char *): never dropped, even once their folder is gone */
	/* `externals:` (pc_external_cfg *, owned), in file order, names unique */
	pc_vec externals;
	/* reconcile loop (optional section `reconcile:`) */
	pc_kvlist extra;       /* other validated settings, key -> value */
} pc_config;

/* How long Confluent keeps a statement after it ends (COMPLETED, FAILED, STOPPED): 30 days. */
#define PC_STATEMENT_RETENTION_MS (30LL * 24 * 3600 * 1000)
/* Default of reconcile.renew_ddl_after (docs/reconcile.md, "Keeping the DDL record alive"). */
#define PC_RENEW_DDL_AFTER_DEFAULT_MS (20LL * 24 * 3600 * 1000)

/*
 * reconcile.renew_ddl_after in ms: the age past which the completed DDL
 * statement of a table without DML is issued again (CREATE TABLE IF NOT
 * EXISTS) before Confluent deletes it. The default when c is NULL or the
 * key is not set; validated by the parser (a duration shorter than 30d).
 */
int64_t pc_config_renew_ddl_after_ms(const pc_config *c);

/*
 * Find and load pipectl.yaml, the one rule: path when given, else
 * $PIPECTL_CONFIG, else the pipectl.yaml of the tree read: for a git source
 * (src->commit set) the commit's own (named "pipectl.yaml@<commit>" in
 * messages; none in the commit: defaults), else <root>/pipectl.yaml when it
 * exists, else defaults. src may be NULL (the working tree).
 */
int pc_config_find(pc_config **out, const char *root, const char *path, pc_source *src);
/*
 * Load pipectl.yaml of the working tree: pc_config_find(out, root, path, NULL)
 * (path NULL: $PIPECTL_CONFIG, else <root>/pipectl.yaml when it exists, else
 * defaults). $PIPECTL_TARGET overrides target. `${VAR}` is
 * interpolated in every string; an unset VAR is an error naming it. An
 * unknown key is an error "<file>:<line>: unknown key 'x' in 'section'".
 */
int pc_config_load(pc_config **out, const char *root, const char *path);
/* Parse from memory (fuzzing, tests). file_label used in messages. */
int pc_config_parse(pc_config **out, const char *root, const char *file_label, const char *text, size_t len);
void pc_config_free(pc_config *c);
/* The declared external whose name (or base name) is name, or NULL. */
const pc_external_cfg *pc_config_external(const pc_config *c, const char *name);
/* Every secret value of the config (for redaction), borrowed pointers. */
void pc_config_secrets(const pc_config *c, pc_vec *out);

#endif
