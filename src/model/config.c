/*
 * config.c - pipectl.yaml (docs/manifest-format.md) through libyaml's document API.
 *
 * The file is walked against a fixed schema: every key is known, every
 * value has one type, and an unknown key or a wrong type is an error naming
 * the file and line. `${VAR}` is interpolated in every string value.
 */
#include "project.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/timeutil.h"
#include "model_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- libyaml edge (shared with table_yaml.c) ---- */

int pc_yaml_load(yaml_document_t *doc, yaml_node_t **root, const char *label, const char *text, size_t len)
{
	yaml_parser_t parser;
	int rc = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&parser))
		return pc_error_set(PC_ERROR, "%s: could not initialize the yaml parser", label);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, doc)) {
		const char *problem = parser.problem ? parser.problem : "invalid yaml";
		size_t line = parser.problem_mark.line + 1;
		if (parser.context)
			rc = pc_error_set(PC_EPARSE, "%s:%zu: %s %s", label, line, problem, parser.context);
		else
			rc = pc_error_set(PC_EPARSE, "%s:%zu: %s", label, line, problem);
		yaml_parser_delete(&parser);
		return rc;
	}
	yaml_parser_delete(&parser);
	*root = yaml_document_get_root_node(doc);
	return 0;
}

int pc_yaml_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

const char *pc_yaml_kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a map";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a string";
	}
}

int pc_yaml_bool(const char *s)
{
	static const char *yes[] = { "true", "yes", "on" };
	static const char *no[] = { "false", "no", "off" };
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

int pc_yaml_is_null(const yaml_node_t *n)
{
	const char *v;
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

/* ---- schema ---- */

typedef enum field_kind {
	F_STR, F_INT, F_BOOL, F_DURATION, F_FACTOR, F_MAP, F_EXTRA_STR, F_EXTRA_BOOL, F_EXTERNALS, F_STRLIST
} field_kind;

typedef struct field {
	const char *key;
	field_kind kind;
	size_t offset;                /* into pc_config (F_STR, F_INT, F_BOOL) */
	const struct field *children; /* F_MAP, terminated by key NULL */
} field;

#define STR(k, m) { k, F_STR, offsetof(pc_config, m), NULL }
#define INT(k, m) { k, F_INT, offsetof(pc_config, m), NULL }
#define BOOL(k, m) { k, F_BOOL, offsetof(pc_config, m), NULL }
#define MAP(k, c) { k, F_MAP, 0, c }
#define END { NULL, F_STR, 0, NULL }

static const field local_fields[] = { STR("state", local_state), END };
static const field flink_fields[] = {
	STR("endpoint", flink.endpoint),   STR("api_key", flink.api_key),
	STR("api_secret", flink.api_secret), STR("compute_pool_id", flink_compute_pool_id),
	STR("catalog", flink_catalog),     STR("database", flink_database),
	END,
};
static const field kafka_fields[] = {
	STR("endpoint", kafka.endpoint), STR("cluster_id", kafka_cluster_id),
	STR("api_key", kafka.api_key),   STR("api_secret", kafka.api_secret),
	END,
};
static const field cloud_fields[] = {
	STR("endpoint", cloud.endpoint), STR("api_key", cloud.api_key), STR("api_secret", cloud.api_secret), END,
};
static const field pools_fields[] = {
	BOOL("create", pools_create), STR("cloud", pools_cloud), STR("region", pools_region),
	INT("max_cfu", pools_max_cfu), END,
};
static const field poll_fields[] = {
	{ "min", F_DURATION, 0, NULL }, { "max", F_DURATION, 0, NULL }, { "ddl", F_DURATION, 0, NULL },
	{ "dml", F_DURATION, 0, NULL }, { "factor", F_FACTOR, 0, NULL },  END,
};
static const field confluent_fields[] = {
	STR("organization_id", organization_id),
	STR("environment_id", environment_id),
	STR("principal", principal),
	MAP("flink", flink_fields),
	MAP("kafka", kafka_fields),
	MAP("cloud", cloud_fields),
	MAP("compute_pools", pools_fields),
	MAP("poll", poll_fields),
	{ "topic_delete_timeout", F_DURATION, 0, NULL },
	END,
};
static const field reconcile_fields[] = {
	{ "interval", F_DURATION, 0, NULL },      { "listen", F_EXTRA_STR, 0, NULL },
	{ "git_ref", F_EXTRA_STR, 0, NULL },       { "allow_destructive", F_EXTRA_BOOL, 0, NULL },
	{ "history", F_EXTRA_STR, 0, NULL },       { "git_fetch", F_EXTRA_BOOL, 0, NULL },
	{ "log_format", F_EXTRA_STR, 0, NULL },    { "suspend", F_EXTRA_BOOL, 0, NULL },
	{ "suspend_file", F_EXTRA_STR, 0, NULL },  { "prune", F_EXTRA_BOOL, 0, NULL },
	{ "parallelism", F_EXTRA_STR, 0, NULL },   { "degraded_after", F_EXTRA_STR, 0, NULL },
	{ "jitter", F_EXTRA_STR, 0, NULL },        { "backoff", F_DURATION, 0, NULL },
	{ "max_backoff", F_DURATION, 0, NULL },    { "lock_timeout", F_EXTRA_STR, 0, NULL },
	{ "lock_ttl", F_DURATION, 0, NULL },       { "renew_ddl_after", F_DURATION, 0, NULL },
	{ "auto_promote", F_EXTRA_BOOL, 0, NULL },
	END,
};
static const field top_fields[] = {
	STR("pipelines", pipelines),
	STR("prefix", prefix),
	STR("target", target),
	STR("strategy", strategy),
	MAP("local", local_fields),
	MAP("confluent", confluent_fields),
	MAP("reconcile", reconcile_fields),
	{ "protect", F_STRLIST, offsetof(pc_config, protect), NULL },
	{ "externals", F_EXTERNALS, 0, NULL },
	END,
};

/* ---- interpolation ---- */

/* `${VAR}` from the environment, `$$` -> `$`; any other `$` is kept. */
static int interpolate(char **out, const char *s, const char *label, int line)
{
	pc_buf b = PC_BUF_INIT;
	const char *p = s;

	*out = NULL;
	while (*p) {
		const char *dollar = strchr(p, '$');
		if (!dollar) {
			pc_buf_puts(&b, p);
			break;
		}
		pc_buf_put(&b, p, (size_t)(dollar - p));
		if (dollar[1] == '$') {
			pc_buf_putc(&b, '$');
			p = dollar + 2;
		} else if (dollar[1] == '{') {
			const char *name = dollar + 2, *end = strchr(name, '}');
			char *var;
			const char *val;
			if (!end) {
				pc_buf_dispose(&b);
				return pc_error_set(PC_EINVALID, "%s:%d: unterminated '${' in '%s'", label, line, s);
			}
			var = pc_strndup(name, (size_t)(end - name));
			for (const char *c = var; *c; c++) {
				if (!(isalnum((unsigned char)*c) || *c == '_')) {
					int rc = pc_error_set(PC_EINVALID, "%s:%d: invalid environment variable name '%s'",
							      label, line, var);
					free(var);
					pc_buf_dispose(&b);
					return rc;
				}
			}
			if (!var[0] || !(val = getenv(var))) {
				int rc = var[0] ? pc_error_set(PC_EINVALID, "%s:%d: environment variable '%s' is not set",
							       label, line, var)
						: pc_error_set(PC_EINVALID, "%s:%d: empty '${}' in a value", label, line);
				free(var);
				pc_buf_dispose(&b);
				return rc;
			}
			pc_buf_puts(&b, val);
			free(var);
			p = end + 1;
		} else {
			pc_buf_putc(&b, '$');
			p = dollar + 1;
		}
	}
	*out = pc_buf_detach(&b);
	return 0;
}

/* ---- walk ---- */

typedef struct walk {
	yaml_document_t *doc;
	const char *label;
	pc_config *cfg;
} walk;

static char **str_slot(pc_config *c, size_t off)
{
	return (char **)((char *)c + off);
}

static int *int_slot(pc_config *c, size_t off)
{
	return (int *)((char *)c + off);
}

static int scalar_value(walk *w, yaml_node_t *v, const char *path, char **out)
{
	*out = NULL;
	if (v->type != YAML_SCALAR_NODE)
		return pc_error_set(PC_EINVALID, "%s:%d: '%s' must be a string, not %s", w->label, pc_yaml_line(v),
				    path, pc_yaml_kind(v));
	return interpolate(out, (const char *)v->data.scalar.value, w->label, pc_yaml_line(v));
}

static int set_field(walk *w, const field *f, yaml_node_t *v, const char *path);

static int walk_map(walk *w, yaml_node_t *map, const field *fields, const char *section)
{
	/* duplicate detection: a key seen twice in one map is an error */
	const char *seen[16] = { 0 };
	size_t n_seen = 0;

	if (map->type != YAML_MAPPING_NODE) {
		if (section[0])
			return pc_error_set(PC_EINVALID, "%s:%d: '%s' must be a map, not %s", w->label,
					    pc_yaml_line(map), section, pc_yaml_kind(map));
		return pc_error_set(PC_EINVALID, "%s:%d: the file must be a map of settings, not %s", w->label,
				    pc_yaml_line(map), pc_yaml_kind(map));
	}
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const field *f = NULL;
		const char *key;
		char *path;
		int rc;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE)
			return pc_error_set(PC_EINVALID, "%s:%d: a key must be a string, not %s", w->label,
					    pc_yaml_line(k), pc_yaml_kind(k));
		key = (const char *)k->data.scalar.value;
		for (const field *c = fields; c->key; c++)
			if (strcmp(c->key, key) == 0)
				f = c;
		if (!f) {
			if (section[0])
				return pc_error_set(PC_EINVALID, "%s:%d: unknown key '%s' in '%s'", w->label,
						    pc_yaml_line(k), key, section);
			return pc_error_set(PC_EINVALID, "%s:%d: unknown key '%s'", w->label, pc_yaml_line(k), key);
		}
		for (size_t i = 0; i < n_seen; i++)
			if (seen[i] == f->key)
				return pc_error_set(PC_EINVALID, "%s:%d: duplicate key '%s'%s%s%s", w->label,
						    pc_yaml_line(k), key, section[0] ? " in '" : "", section,
						    section[0] ? "'" : "");
		if (n_seen < 16)
			seen[n_seen++] = f->key;
		path = section[0] ? pc_sprintf("%s.%s", section, key) : pc_strdup(key);
		rc = set_field(w, f, v, path);
		free(path);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- externals: a list of {name, ddl} (a plain string is a name) ---- */

static void external_free(void *p)
{
	pc_external_cfg *x = p;
	if (!x)
		return;
	free(x->name);
	free(x->ddl);
	free(x);
}

/* A path inside the project: relative, no '..' part. */
static int inside_project(const char *p)
{
	const char *s = p;
	if (!p[0] || p[0] == '/')
		return 0;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return 0;
		if (!e)
			break;
		s = e + 1;
	}
	return 1;
}

static int external_entry(walk *w, yaml_node_t *item, pc_external_cfg *x)
{
	int rc;
	x->line = pc_yaml_line(item);
	if (item->type == YAML_SCALAR_NODE)
		return scalar_value(w, item, "externals", &x->name);
	if (item->type != YAML_MAPPING_NODE)
		return pc_error_set(PC_EINVALID, "%s:%d: an entry of 'externals' must be a map (name, ddl), not %s",
				    w->label, x->line, pc_yaml_kind(item));
	for (yaml_node_pair_t *pr = item->data.mapping.pairs.start; pr < item->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key;
		char **slot;
		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE)
			return pc_error_set(PC_EINVALID, "%s:%d: a key must be a string, not %s", w->label, pc_yaml_line(k),
					    pc_yaml_kind(k));
		key = (const char *)k->data.scalar.value;
		if (strcmp(key, "name") == 0)
			slot = &x->name;
		else if (strcmp(key, "ddl") == 0)
			slot = &x->ddl;
		else
			return pc_error_set(PC_EINVALID, "%s:%d: unknown key '%s' in 'externals' (expected name, ddl)",
					    w->label, pc_yaml_line(k), key);
		if (*slot)
			return pc_error_set(PC_EINVALID, "%s:%d: duplicate key '%s' in 'externals'", w->label,
					    pc_yaml_line(k), key);
		if ((rc = scalar_value(w, v, strcmp(key, "name") == 0 ? "externals.name" : "externals.ddl", slot)) < 0)
			return rc;
	}
	if (!x->name || !x->name[0])
		return pc_error_set(PC_EINVALID, "%s:%d: an entry of 'externals' needs a name", w->label, x->line);
	if (x->ddl && !inside_project(x->ddl))
		return pc_error_set(PC_EINVALID, "%s:%d: 'externals.ddl' must be a file inside the project, not '%s'",
				    w->label, x->line, x->ddl);
	return 0;
}

static int walk_externals(walk *w, yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return pc_error_set(PC_EINVALID, "%s:%d: 'externals' must be a list, not %s", w->label, pc_yaml_line(v),
				    pc_yaml_kind(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(w->doc, *it);
		pc_external_cfg *x;
		int rc;
		if (!item)
			continue;
		x = PC_NEW(pc_external_cfg);
		if ((rc = external_entry(w, item, x)) < 0) {
			external_free(x);
			return rc;
		}
		if (pc_config_external(w->cfg, x->name)) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: external table '%s' is declared twice", w->label, x->line,
					  x->name);
			external_free(x);
			return rc;
		}
		pc_vec_push(&w->cfg->externals, x);
	}
	return 0;
}

int64_t pc_config_renew_ddl_after_ms(const pc_config *c)
{
	const char *v = c ? pc_kv_get(&c->extra, "reconcile.renew_ddl_after") : NULL;
	int64_t ms;
	if (!v)
		return PC_RENEW_DDL_AFTER_DEFAULT_MS;
	if (pc_parse_duration_ms(v, &ms) < 0) {
		pc_error_clear(); /* the parser accepted it: only a hand-made config gets here */
		return PC_RENEW_DDL_AFTER_DEFAULT_MS;
	}
	return ms > 0 && ms < PC_STATEMENT_RETENTION_MS ? ms : PC_RENEW_DDL_AFTER_DEFAULT_MS;
}

const pc_external_cfg *pc_config_external(const pc_config *c, const char *name)
{
	const char *base;
	if (!c || !name)
		return NULL;
	base = strrchr(name, '.');
	base = base ? base + 1 : name;
	for (size_t i = 0; i < c->externals.len; i++) {
		const pc_external_cfg *x = c->externals.items[i];
		const char *xb = strrchr(x->name, '.');
		xb = xb ? xb + 1 : x->name;
		if (strcmp(x->name, name) == 0 || strcmp(xb, base) == 0)
			return x;
	}
	return NULL;
}

static int set_field(walk *w, const field *f, yaml_node_t *v, const char *path)
{
	char *s = NULL;
	int rc = 0;

	if (f->kind == F_EXTERNALS)
		return pc_yaml_is_null(v) ? 0 : walk_externals(w, v);
	if (f->kind == F_MAP) {
		if (pc_yaml_is_null(v))
			return 0;
		return walk_map(w, v, f->children, path);
	}
	if (pc_yaml_is_null(v))
		return 0; /* `key:` with no value: leave the default */
	if (f->kind == F_STRLIST) {
		/* one string, or a list of strings */
		pc_vec *list = (pc_vec *)((char *)w->cfg + f->offset);
		if (v->type != YAML_SEQUENCE_NODE) {
			if ((rc = scalar_value(w, v, path, &s)) < 0)
				return rc;
			pc_vec_push(list, s);
			return 0;
		}
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			if ((rc = scalar_value(w, yaml_document_get_node(w->doc, *it), path, &s)) < 0)
				return rc;
			pc_vec_push(list, s);
		}
		return 0;
	}
	if ((rc = scalar_value(w, v, path, &s)) < 0)
		return rc;
	switch (f->kind) {
	case F_STR: {
		char **slot = str_slot(w->cfg, f->offset);
		free(*slot);
		*slot = s;
		s = NULL;
		break;
	}
	case F_INT: {
		char *end;
		long n;
		errno = 0;
		n = strtol(s, &end, 10);
		if (!s[0] || *end || errno || n < 0 || n > INT_MAX) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: '%s' must be a non-negative integer, not '%s'",
					  w->label, pc_yaml_line(v), path, s);
			break;
		}
		*int_slot(w->cfg, f->offset) = (int)n;
		break;
	}
	case F_BOOL:
	case F_EXTRA_BOOL: {
		int b = pc_yaml_bool(s);
		if (b < 0) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: '%s' must be true or false, not '%s'", w->label,
					  pc_yaml_line(v), path, s);
			break;
		}
		if (f->kind == F_BOOL)
			*int_slot(w->cfg, f->offset) = b;
		else
			pc_kv_set(&w->cfg->extra, path, b ? "true" : "false");
		break;
	}
	case F_DURATION: {
		int64_t ms;
		if (pc_parse_duration_ms(s, &ms) < 0 || ms <= 0) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: '%s' must be a duration such as 60s or 5m, not '%s'",
					  w->label, pc_yaml_line(v), path, s);
			break;
		}
		if (!strcmp(path, "reconcile.renew_ddl_after") && ms >= PC_STATEMENT_RETENTION_MS) {
			/* the record would be gone before it is renewed */
			rc = pc_error_set(PC_EINVALID, "%s:%d: '%s' must be shorter than 30d (Confluent deletes completed "
						       "statements 30 days after they end), not '%s'",
					  w->label, pc_yaml_line(v), path, s);
			break;
		}
		pc_kv_set(&w->cfg->extra, path, s);
		break;
	}
	case F_FACTOR: {
		/* a backoff factor: more than 1 (the pause grows), at most 4 */
		char *end = NULL;
		double x = strtod(s, &end);
		if (end == s || *end || !(x > 1.0 && x <= 4.0)) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: '%s' must be a number above 1 and at most 4, such as 1.5, not '%s'",
					  w->label, pc_yaml_line(v), path, s);
			break;
		}
		pc_kv_set(&w->cfg->extra, path, s);
		break;
	}
	case F_EXTRA_STR:
		pc_kv_set(&w->cfg->extra, path, s);
		break;
	case F_MAP:
	case F_STRLIST:
	case F_EXTERNALS:
		break;
	}
	free(s);
	return rc;
}

/* ---- public ---- */

static pc_config *config_defaults(const char *root)
{
	pc_config *c = PC_NEW(pc_config);
	c->root = pc_strdup(root && root[0] ? root : ".");
	c->pipelines = pc_strdup("pipelines");
	c->prefix = pc_strdup("dev");
	c->target = pc_strdup("local");
	c->local_state = pc_strdup(".pipectl/local-state.json");
	return c;
}

/* $PIPECTL_TARGET, then the check that the target is known. */
static int config_finish(pc_config *c, const char *label, int target_line)
{
	const char *env = getenv("PIPECTL_TARGET");
	if (env && env[0]) {
		free(c->target);
		c->target = pc_strdup(env);
		if (strcmp(env, "local") != 0 && strcmp(env, "confluent") != 0)
			return pc_error_set(PC_EINVALID, "PIPECTL_TARGET: target must be 'local' or 'confluent', not '%s'",
					    env);
	}
	if (strcmp(c->target, "local") != 0 && strcmp(c->target, "confluent") != 0) {
		if (label && target_line > 0)
			return pc_error_set(PC_EINVALID, "%s:%d: target must be 'local' or 'confluent', not '%s'", label,
					    target_line, c->target);
		return pc_error_set(PC_EINVALID, "target must be 'local' or 'confluent', not '%s'", c->target);
	}
	if (!c->pipelines[0] || !c->prefix[0])
		return pc_error_set(PC_EINVALID, "%s: 'pipelines' and 'prefix' must not be empty", label ? label : "config");
	if (c->pipelines[0] == '/' || strcmp(c->pipelines, "..") == 0 || strncmp(c->pipelines, "../", 3) == 0 ||
	    strstr(c->pipelines, "/../") || (strlen(c->pipelines) >= 3 && strcmp(c->pipelines + strlen(c->pipelines) - 3, "/..") == 0))
		return pc_error_set(PC_EINVALID, "%s: 'pipelines' must be a folder inside the project, not '%s'",
				    label ? label : "config", c->pipelines);
	return 0;
}

static int find_key_line(yaml_document_t *doc, yaml_node_t *root, const char *key)
{
	if (!root || root->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
			return pc_yaml_line(yaml_document_get_node(doc, pr->value));
	}
	return 0;
}

/* `strategy:` in-place (default) or blue-green. */
static int check_strategy(pc_config *c, const char *label, int line)
{
	if (!c->strategy || !strcmp(c->strategy, "in-place"))
		return 0;
	if (!strcmp(c->strategy, "blue-green")) {
		c->blue_green = 1;
		return 0;
	}
	return pc_error_set(PC_EINVALID, "%s:%d: strategy must be 'in-place' or 'blue-green', not '%s'", label, line,
			    c->strategy);
}

int pc_config_parse(pc_config **out, const char *root, const char *file_label, const char *text, size_t len)
{
	yaml_document_t doc;
	yaml_node_t *top = NULL;
	pc_config *c = config_defaults(root);
	const char *label = file_label ? file_label : "pipectl.yaml";
	walk w;
	int rc, target_line = 0;

	*out = NULL;
	if ((rc = pc_yaml_load(&doc, &top, label, text, len)) < 0) {
		pc_config_free(c);
		return rc;
	}
	w.doc = &doc;
	w.label = label;
	w.cfg = c;
	if (top && !pc_yaml_is_null(top))
		rc = walk_map(&w, top, top_fields, "");
	if (rc == 0)
		target_line = find_key_line(&doc, top, "target");
	if (rc == 0)
		rc = check_strategy(c, label, find_key_line(&doc, top, "strategy"));
	yaml_document_delete(&doc);
	if (rc == 0)
		rc = config_finish(c, label, target_line);
	if (rc < 0) {
		pc_config_free(c);
		return rc;
	}
	c->path = pc_strdup(label);
	*out = c;
	return 0;
}

int pc_config_find(pc_config **out, const char *root, const char *path, pc_source *src)
{
	const char *env = getenv("PIPECTL_CONFIG");
	char *text = NULL, *found = NULL, *label = NULL;
	const char *use = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!root || !root[0])
		root = ".";
	if (path && path[0]) {
		use = path;
	} else if (env && env[0]) {
		use = env;
	} else if (src && src->commit) {
		/* the commit's own pipectl.yaml, read without a checkout; none: the defaults */
		if (src->ops->kind(src, "pipectl.yaml") != 2)
			return pc_config_parse(out, root, "pipectl.yaml", "", 0);
		if ((rc = src->ops->read_file(src, "pipectl.yaml", &text, &len)) < 0)
			return rc;
		label = pc_sprintf("pipectl.yaml@%.12s", src->commit);
		rc = pc_config_parse(out, root, label, text, len);
		free(label);
		free(text);
		return rc;
	} else {
		found = strcmp(root, ".") == 0 ? pc_strdup("pipectl.yaml") : pc_path_join(root, "pipectl.yaml");
		if (pc_fs_is_file(found))
			use = found;
	}
	if (!use) {
		pc_config *c = config_defaults(root);
		free(found);
		if ((rc = config_finish(c, NULL, 0)) < 0) {
			pc_config_free(c);
			return rc;
		}
		*out = c;
		return 0;
	}
	if ((rc = pc_fs_read(&text, &len, use)) < 0) {
		free(found);
		return rc;
	}
	rc = pc_config_parse(out, root, use, text, len);
	free(text);
	free(found);
	return rc;
}

int pc_config_load(pc_config **out, const char *root, const char *path)
{
	return pc_config_find(out, root, path, NULL);
}

void pc_config_free(pc_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->root);
	free(c->pipelines);
	free(c->prefix);
	free(c->target);
	free(c->strategy);
	free(c->local_state);
	free(c->organization_id);
	free(c->environment_id);
	free(c->principal);
	free(c->flink.endpoint);
	free(c->flink.api_key);
	free(c->flink.api_secret);
	free(c->flink_compute_pool_id);
	free(c->flink_catalog);
	free(c->flink_database);
	free(c->kafka.endpoint);
	free(c->kafka.api_key);
	free(c->kafka.api_secret);
	free(c->kafka_cluster_id);
	free(c->cloud.endpoint);
	free(c->cloud.api_key);
	free(c->cloud.api_secret);
	free(c->pools_cloud);
	free(c->pools_region);
	pc_kv_dispose(&c->extra);
	pc_vec_dispose(&c->protect, free);
	pc_vec_dispose(&c->externals, external_free);
	free(c);
}

void pc_config_secrets(const pc_config *c, pc_vec *out)
{
	const pc_endpoint_cfg *eps[3];
	if (!c)
		return;
	eps[0] = &c->flink;
	eps[1] = &c->kafka;
	eps[2] = &c->cloud;
	for (size_t i = 0; i < 3; i++) {
		if (eps[i]->api_secret && eps[i]->api_secret[0])
			pc_vec_push(out, eps[i]->api_secret);
		if (eps[i]->api_key && eps[i]->api_key[0])
			pc_vec_push(out, eps[i]->api_key);
	}
}
