/*
 * table_yaml.c - a table folder's table.yaml (docs/manifest-format.md): compute_pool,
 * properties (map), protect, active, statefulness, adopt, strategy.
 */
#include "model_internal.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"

#include <stdlib.h>
#include <string.h>

static int want_scalar(const char *label, yaml_node_t *v, const char *key)
{
	if (v->type != YAML_SCALAR_NODE)
		return pc_error_set(PC_EINVALID, "%s:%d: '%s' must be a string, not %s", label, pc_yaml_line(v), key,
				    pc_yaml_kind(v));
	return 0;
}

static int want_bool(const char *label, yaml_node_t *v, const char *key, int *out)
{
	int b;
	if (want_scalar(label, v, key) < 0)
		return PC_EINVALID;
	b = pc_yaml_bool((const char *)v->data.scalar.value);
	if (b < 0)
		return pc_error_set(PC_EINVALID, "%s:%d: '%s' must be true or false, not '%s'", label,
				    pc_yaml_line(v), key, (const char *)v->data.scalar.value);
	*out = b;
	return 0;
}

/*
 * A Confluent statement name: 1 to 100 characters, lowercase letters,
 * digits and '-', starting with a letter or digit (confluent-api: the name
 * the service accepts).
 */
static int check_statement_name(const char *label, yaml_node_t *v)
{
	const char *s = (const char *)v->data.scalar.value;
	size_t n = strlen(s), i;
	int ok = n >= 1 && n <= 100 && s[0] != '-';
	for (i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
	if (ok)
		return 0;
	return pc_error_set(PC_EINVALID,
			    "%s:%d: 'adopt' must name a statement (1 to 100 lowercase letters, digits and '-'), not '%s'",
			    label, pc_yaml_line(v), s);
}

static int read_properties(pc_table_yaml *t, yaml_document_t *doc, const char *label, yaml_node_t *v)
{
	if (pc_yaml_is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return pc_error_set(PC_EINVALID, "%s:%d: 'properties' must be a map, not %s", label, pc_yaml_line(v),
				    pc_yaml_kind(v));
	for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *val = yaml_document_get_node(doc, pr->value);
		if (!k || !val)
			continue;
		if (k->type != YAML_SCALAR_NODE)
			return pc_error_set(PC_EINVALID, "%s:%d: a property name must be a string, not %s", label,
					    pc_yaml_line(k), pc_yaml_kind(k));
		if (val->type != YAML_SCALAR_NODE)
			return pc_error_set(PC_EINVALID, "%s:%d: property '%s' must be a string, not %s", label,
					    pc_yaml_line(val), (const char *)k->data.scalar.value, pc_yaml_kind(val));
		if (pc_kv_get(&t->properties, (const char *)k->data.scalar.value))
			return pc_error_set(PC_EINVALID, "%s:%d: duplicate property '%s'", label, pc_yaml_line(k),
					    (const char *)k->data.scalar.value);
		pc_kv_set(&t->properties, (const char *)k->data.scalar.value, (const char *)val->data.scalar.value);
	}
	return 0;
}

int pc_table_yaml_parse(pc_table_yaml *out, const char *label, const char *text, size_t len)
{
	yaml_document_t doc;
	yaml_node_t *top = NULL;
	pc_table_yaml t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.active = 1;
	if ((rc = pc_yaml_load(&doc, &top, label, text, len)) < 0)
		return rc;
	if (!top || pc_yaml_is_null(top))
		goto done;
	if (top->type != YAML_MAPPING_NODE) {
		rc = pc_error_set(PC_EINVALID, "%s:%d: table.yaml must be a map of settings, not %s", label,
				  pc_yaml_line(top), pc_yaml_kind(top));
		goto done;
	}
	for (yaml_node_pair_t *pr = top->data.mapping.pairs.start; pr < top->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
		const char *key;
		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: a key must be a string, not %s", label, pc_yaml_line(k),
					  pc_yaml_kind(k));
			goto done;
		}
		key = (const char *)k->data.scalar.value;
		if (strcmp(key, "compute_pool") == 0) {
			if (pc_yaml_is_null(v))
				continue;
			if ((rc = want_scalar(label, v, key)) < 0)
				goto done;
			free(t.compute_pool);
			t.compute_pool = pc_strdup((const char *)v->data.scalar.value);
		} else if (strcmp(key, "properties") == 0) {
			if ((rc = read_properties(&t, &doc, label, v)) < 0)
				goto done;
		} else if (strcmp(key, "protect") == 0) {
			if ((rc = want_bool(label, v, key, &t.protect)) < 0)
				goto done;
		} else if (strcmp(key, "active") == 0) {
			if ((rc = want_bool(label, v, key, &t.active)) < 0)
				goto done;
		} else if (strcmp(key, "statefulness") == 0) {
			const char *s;
			if ((rc = want_scalar(label, v, key)) < 0)
				goto done;
			s = (const char *)v->data.scalar.value;
			if (strcmp(s, "stateful") == 0) {
				t.statefulness = PC_STATE_FORCE_STATEFUL;
			} else if (strcmp(s, "stateless") == 0) {
				t.statefulness = PC_STATE_FORCE_STATELESS;
			} else {
				rc = pc_error_set(PC_EINVALID, "%s:%d: 'statefulness' must be stateful or stateless, not '%s'",
						  label, pc_yaml_line(v), s);
				goto done;
			}
			t.statefulness_line = pc_yaml_line(k);
		} else if (strcmp(key, "strategy") == 0) {
			const char *s;
			if ((rc = want_scalar(label, v, key)) < 0)
				goto done;
			s = (const char *)v->data.scalar.value;
			if (strcmp(s, "in-place") == 0) {
				t.strategy = PC_STRATEGY_IN_PLACE;
			} else if (strcmp(s, "blue-green") == 0) {
				t.strategy = PC_STRATEGY_BLUE_GREEN;
			} else {
				rc = pc_error_set(PC_EINVALID, "%s:%d: 'strategy' must be in-place or blue-green, not '%s'",
						  label, pc_yaml_line(v), s);
				goto done;
			}
		} else if (strcmp(key, "adopt") == 0) {
			if ((rc = want_scalar(label, v, key)) < 0 ||
			    (rc = check_statement_name(label, v)) < 0)
				goto done;
			free(t.adopt);
			t.adopt = pc_strdup((const char *)v->data.scalar.value);
			t.adopt_line = pc_yaml_line(k);
		} else {
			rc = pc_error_set(PC_EINVALID, "%s:%d: unknown key '%s' in table.yaml", label, pc_yaml_line(k), key);
			goto done;
		}
	}
done:
	yaml_document_delete(&doc);
	if (rc < 0) {
		pc_table_yaml_dispose(&t);
		return rc;
	}
	*out = t;
	return 0;
}

void pc_table_yaml_dispose(pc_table_yaml *t)
{
	if (!t)
		return;
	free(t->compute_pool);
	t->compute_pool = NULL;
	free(t->adopt);
	t->adopt = NULL;
	pc_kv_dispose(&t->properties);
}

int pc_table_yaml_set_adopt(char **out, const char *label, const char *text, size_t len, const char *stmt)
{
	yaml_document_t doc;
	yaml_node_t *top = NULL;
	pc_buf b = PC_BUF_INIT;
	pc_table_yaml check;
	int rc, line = 0, col = 0;
	size_t i, at = 0;

	*out = NULL;
	if ((rc = pc_yaml_load(&doc, &top, label, text, len)) < 0)
		return rc;
	if (top && !pc_yaml_is_null(top)) {
		if (top->type != YAML_MAPPING_NODE || top->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
			rc = pc_error_set(PC_EINVALID, "%s:%d: table.yaml is not a block map of settings: add 'adopt: %s' by hand",
					  label, pc_yaml_line(top), stmt);
			goto done;
		}
		for (yaml_node_pair_t *pr = top->data.mapping.pairs.start; pr < top->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
			yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
			if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, "adopt")) {
				if (!v || v->type != YAML_SCALAR_NODE || v->end_mark.line != k->start_mark.line) {
					rc = pc_error_set(PC_EINVALID, "%s:%d: 'adopt' spans several lines: set 'adopt: %s' by hand",
							  label, pc_yaml_line(k), stmt);
					goto done;
				}
				line = (int)k->start_mark.line + 1;
				col = (int)k->start_mark.column;
			}
		}
	}
	if (line) { /* replace that line, keeping its indentation */
		int l = 1;
		for (i = 0; i < len && l < line; i++)
			if (text[i] == '\n')
				l++;
		at = i;
		pc_buf_put(&b, text, at);
		pc_buf_printf(&b, "%*sadopt: %s", col, "", stmt);
		while (at < len && text[at] != '\n')
			at++;
		pc_buf_put(&b, text + at, len - at);
	} else {
		pc_buf_put(&b, text, len);
		if (len && text[len - 1] != '\n')
			pc_buf_put(&b, "\n", 1);
		/* an empty document ("---", "~", comments only) is replaced by the map */
		if (top && pc_yaml_is_null(top) && top->start_mark.index < len &&
		    top->end_mark.index > top->start_mark.index) {
			pc_buf_dispose(&b);
			pc_buf_put(&b, text, top->start_mark.index);
			pc_buf_put(&b, text + top->end_mark.index, len - top->end_mark.index);
			if (b.len && b.ptr[b.len - 1] != '\n')
				pc_buf_put(&b, "\n", 1);
		}
		pc_buf_printf(&b, "adopt: %s\n", stmt);
	}
	/* what is written must load, and say what was meant */
	if ((rc = pc_table_yaml_parse(&check, label, b.ptr, b.len)) < 0)
		goto done;
	if (!check.adopt || strcmp(check.adopt, stmt))
		rc = pc_error_set(PC_EINVALID, "%s: could not set 'adopt: %s' (set it by hand)", label, stmt);
	pc_table_yaml_dispose(&check);
	if (rc == 0)
		*out = pc_buf_detach(&b);
done:
	yaml_document_delete(&doc);
	pc_buf_dispose(&b);
	return rc;
}
