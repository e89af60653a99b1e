/*
 * model_internal.h - helpers shared by the files of src/model (not part of
 * the contract between helpers): the libyaml edge and the table.yaml parser.
 */
#ifndef PC_MODEL_INTERNAL_H
#define PC_MODEL_INTERNAL_H

#include "../util/kv.h"
#include "project.h"

#include <stddef.h>
#include <yaml.h>

/*
 * Parse YAML text into doc (initialized by this call, release with
 * yaml_document_delete() when 0 is returned). A syntax error is PC_EPARSE
 * "<label>:<line>: <problem>". *root is NULL for an empty document.
 */
int pc_yaml_load(yaml_document_t *doc, yaml_node_t **root, const char *label, const char *text, size_t len);
/* 1-based line of a node. */
int pc_yaml_line(const yaml_node_t *n);
/* "a map", "a list", "a string" for messages. */
const char *pc_yaml_kind(const yaml_node_t *n);
/* true/false/yes/no/on/off (any case): 0 or 1; -1 when not a boolean. */
int pc_yaml_bool(const char *s);
/* A plain scalar that YAML reads as null: "", "~", "null". */
int pc_yaml_is_null(const yaml_node_t *n);

/* What table.yaml says (owned strings). */
typedef struct pc_table_yaml {
	char *compute_pool;
	pc_kvlist properties;
	int protect;
	int active;                    /* default 1 */
	pc_statefulness_override statefulness;
	int statefulness_line;         /* line of the key, 0 when absent */
	char *adopt;                   /* `adopt:` statement name, NULL when absent */
	int adopt_line;                /* line of the key, 0 when absent */
	pc_strategy strategy;          /* `strategy:`, PC_STRATEGY_DEFAULT when absent */
} pc_table_yaml;

/*
 * Parse table.yaml text. On error returns PC_EPARSE / PC_EINVALID with
 * "<label>:<line>: <message>"; *out is filled only on success.
 */
int pc_table_yaml_parse(pc_table_yaml *out, const char *label, const char *text, size_t len);
void pc_table_yaml_dispose(pc_table_yaml *t);

#endif
