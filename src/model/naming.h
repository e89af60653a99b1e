/*
 * naming.h - statement names and labels pipectl gives what it creates
 * (docs/naming.md). Pure: no I/O.
 *
 * A statement name is
 *
 *     <prefix>-pc-<ddl|dml|drop>-<table-slug>-<hash8>
 *
 * prefix: the config prefix, slugged; table-slug: the table name lowercased,
 * every run of characters outside [a-z0-9] turned into one '-', trimmed of
 * '-', truncated so the whole name is at most 100 characters; hash8: the
 * first 8 hex digits of a hash over (kind, the EXACT table name, case
 * preserved, the content fingerprint, the nonce). Names are valid under
 * Confluent's pattern [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*.
 *
 * The table name passed everywhere here is the table's deployed identity,
 * its PHYSICAL name: the DDL table name for version 1, "<name>_v<N>" for a
 * blue/green version N >= 2 (pc_naming_physical()), so two versions get
 * distinct statements; the slug keeps the "-v<N>" even when it is cut.
 *
 * Labels on every statement pipectl creates:
 *   pipectl-managed=true
 *   pipectl-kind=ddl|dml|drop
 *   pipectl-table=<table-slug, at most 63 chars>
 *   pipectl-table-name=<exact table name>   only when it is a valid label value
 *                                           ([A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?, <= 63)
 *   pipectl-fp=<content fingerprint: DDL fp; DML: pc_naming_dml_fp()>
 *   pipectl-sql-fp=<fingerprint of the SQL alone>            (DML only)
 *   pipectl-ddl-fp=<DDL fingerprint of the table it writes>  (DML only)
 * The DML carries the DDL fingerprint so DDL change detection survives
 * Confluent deleting the completed DDL statement after 30 days.
 */
#ifndef PC_MODEL_NAMING_H
#define PC_MODEL_NAMING_H

#include "../util/kv.h"

#define PC_NAME_MAX 100
#define PC_LABEL_VALUE_MAX 63

/*
 * Label keys. Confluent requires end-user statement labels under
 * `user.confluent.io/`, sets them at create only, and they are hints: the
 * statement's name and SQL stay the record (docs/reconcile.md).
 */
#define PC_LABEL_PREFIX "user.confluent.io/"
#define PC_LABEL_MANAGED PC_LABEL_PREFIX "pipectl-managed"
#define PC_LABEL_KIND PC_LABEL_PREFIX "pipectl-kind"
#define PC_LABEL_TABLE PC_LABEL_PREFIX "pipectl-table"
#define PC_LABEL_TABLE_NAME PC_LABEL_PREFIX "pipectl-table-name"
#define PC_LABEL_FP PC_LABEL_PREFIX "pipectl-fp"
#define PC_LABEL_SQL_FP PC_LABEL_PREFIX "pipectl-sql-fp"
#define PC_LABEL_DDL_FP PC_LABEL_PREFIX "pipectl-ddl-fp"
#define PC_LABEL_PROTECT PC_LABEL_PREFIX "pipectl-protect"

/* The statement property that carries offsets over from an old statement. */
#define PC_PROP_CARRY_OVER "sql.tables.initial-offset-from"

typedef enum pc_name_kind {
	PC_NAME_DDL = 0,  /* CREATE TABLE (runs to COMPLETED) */
	PC_NAME_DML = 1,  /* INSERT INTO / statement set / CTAS (runs unbounded) */
	PC_NAME_DROP = 2, /* DROP TABLE IF EXISTS (runs to COMPLETED) */
} pc_name_kind;

/* "ddl", "dml", "drop". */
const char *pc_name_kind_str(pc_name_kind k);
/* Parse "ddl"/"dml"/"drop"; 0 or PC_EINVALID. */
int pc_name_kind_parse(const char *s, pc_name_kind *out);

/*
 * Slug of s: lowercased, runs of non-[a-z0-9] -> '-', trimmed, at most max
 * characters (trailing '-' removed again after cutting). "" -> "x" so a
 * name part is never empty. Owned result.
 */
char *pc_naming_slug(const char *s, size_t max);

/*
 * Content fingerprint of a DML statement: hash of its SQL fingerprint and
 * its properties (sorted by key; order in files does not matter). out: 32
 * hex + NUL. props may be NULL.
 */
void pc_naming_dml_fp(char out[33], const char *sql_fp, const pc_kvlist *props);

/*
 * The statement name for (prefix, kind, table, content_fp, nonce).
 * nonce: NULL for the first name of this content; a restart of unchanged
 * content (rebuild of an unchanged DML, a DDL run again, a second drop)
 * passes a generation ("1", "2", ...) so the new statement gets a fresh
 * name. Deterministic. Owned result, always valid, at most 100 chars.
 */
char *pc_naming_statement(const char *prefix, pc_name_kind kind, const char *table,
			  const char *content_fp, const char *nonce);

/* 1 when name is a valid Confluent statement name (pattern and length). */
int pc_naming_valid(const char *name);

/* 1 when v may be used as a label value (see above). */
int pc_naming_label_value_ok(const char *v);

/*
 * Fill out (appends/overwrites) with the labels of a statement pipectl
 * creates. stmt_fp: pipectl-fp. sql_fp, ddl_fp: DML only (NULL otherwise).
 */
void pc_naming_labels(pc_kvlist *out, pc_name_kind kind, const char *table,
		      const char *stmt_fp, const char *sql_fp, const char *ddl_fp);

/*
 * Whether a statement is managed by pipectl under this prefix: its name
 * starts with "<prefix-slug>-pc-" and either it carries the label
 * pipectl-managed=true or its name matches the whole pattern
 * "<prefix-slug>-pc-<ddl|dml|drop>-<slug>-<8 hex>". The prefix is required
 * in both cases so two projects with different prefixes sharing one
 * environment never see each other's statements as theirs. When managed
 * and kind is not NULL, *kind is set (label pipectl-kind first, else the
 * name). labels may be NULL. Statements that are not managed are never
 * touched.
 */
int pc_naming_is_managed(const char *name, const pc_kvlist *labels, const char *prefix,
			 pc_name_kind *kind);

/*
 * The table a managed statement of that kind is about, read from its SQL
 * with the analyzer (when the label pipectl-table-name is missing): DDL the
 * table created, DML the table written (CTAS: created), DROP the table
 * dropped; the last part of a qualified name. Owned, or NULL when the SQL
 * names none or does not parse (no error is left set).
 */
char *pc_naming_table_from_sql(const char *sql, pc_name_kind kind);

/* ---- blue/green versions (docs/naming.md, "Versions") ---- */

/* Highest version number a physical name may carry. */
#define PC_VERSION_MAX 9999

/*
 * Physical name of version `version` of the logical table: the logical
 * name itself for version <= 1, else "<logical>_v<version>"
 * ("int_orders", 2 -> "int_orders_v2"). Owned.
 */
char *pc_naming_physical(const char *logical, int version);

/*
 * Syntactic split, no knowledge of the project: when physical ends in
 * "_v<N>" with N a decimal from 2 to PC_VERSION_MAX without a leading zero
 * and at least one character before "_v", *logical_len is the length of
 * what precedes "_v", *version = N and 1 is returned. Otherwise
 * *logical_len = strlen(physical), *version = 1, 0 returned. Either out
 * pointer may be NULL.
 */
int pc_naming_version_split(const char *physical, size_t *logical_len, int *version);

/* Whether name is a logical (desired) table of the project; ctx is the caller's. */
typedef int (*pc_naming_known_fn)(void *ctx, const char *name);

/*
 * Resolve a physical name to (logical, version) against the project's
 * logical names; the ambiguity rule (a desired table literally named
 * "x_v2"):
 *   1. physical is itself a known logical name -> (physical, 1);
 *   2. else the split gives (L, N) and L is known -> (L, N);
 *   3. else (physical, 1): a table the project does not know (an orphan)
 *      is its own logical table.
 * known NULL (no project at hand) -> the syntactic split alone.
 * *logical owned. Never fails.
 */
void pc_naming_version_parse(const char *physical, pc_naming_known_fn known, void *ctx, char **logical,
			     int *version);

#endif
