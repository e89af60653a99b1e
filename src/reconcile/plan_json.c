/*
 * plan_json.c - the plan as JSON (plan --json, plan files) and back.
 * jansson stays in this file: the rest of reconcile sees pc_plan only.
 */
#include "plan.h"

#include "../model/naming.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/fs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- write ---- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *str_array(const pc_vec *v)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < v->len; i++)
		json_array_append_new(a, json_string(v->items[i]));
	return a;
}

static json_t *kv_object(const pc_kvlist *l)
{
	json_t *o = json_object();
	size_t i;
	for (i = 0; i < l->len; i++) {
		const pc_kv *kv = l->items[i];
		json_object_set_new(o, kv->key, json_string(kv->value ? kv->value : ""));
	}
	return o;
}

static json_t *step_json(const pc_step *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "step", json_string(pc_step_kind_str(s->kind)));
	if (s->teardown)
		json_object_set_new(o, "teardown", json_true());
	if (s->statement)
		json_object_set_new(o, "statement", json_string(s->statement));
	if (s->table)
		json_object_set_new(o, "table", json_string(s->table));
	if (s->sql)
		json_object_set_new(o, "sql", json_string(s->sql));
	if (s->compute_pool)
		json_object_set_new(o, "compute_pool", json_string(s->compute_pool));
	if (s->pool_display_name)
		json_object_set_new(o, "pool_display_name", json_string(s->pool_display_name));
	if (s->properties.len)
		json_object_set_new(o, "properties", kv_object(&s->properties));
	if (s->labels.len)
		json_object_set_new(o, "labels", kv_object(&s->labels));
	if (s->carry_from)
		json_object_set_new(o, "carry_from", json_string(s->carry_from));
	if (s->kind == PC_STEP_CREATE_DML)
		json_object_set_new(o, "from_earliest", json_boolean(s->from_earliest));
	if (!s->wait)
		json_object_set_new(o, "wait", json_false());
	return o;
}

static json_t *steps_json(const pc_vec *steps)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < steps->len; i++)
		json_array_append_new(a, step_json(steps->items[i]));
	return a;
}

static json_t *diff_json(const pc_vec *diff)
{
	json_t *a = json_array();
	for (size_t i = 0; i < diff->len; i++) {
		const pc_change *c = diff->items[i];
		json_t *o = json_object();
		json_object_set_new(o, "what", json_string(c->what));
		if (c->key)
			json_object_set_new(o, "key", json_string(c->key));
		json_object_set_new(o, "statement", jstr(c->statement));
		json_object_set_new(o, "old", jstr(c->old_value));
		json_object_set_new(o, "new", jstr(c->new_value));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *action_json(const pc_action *a)
{
	json_t *o = json_object();
	{
		json_object_set_new(o, "table", json_string(a->table));
		json_object_set_new(o, "action", json_string(pc_action_kind_str(a->kind)));
		json_object_set_new(o, "reason", json_string(a->reason ? a->reason : ""));
		json_object_set_new(o, "details", str_array(&a->details));
		json_object_set_new(o, "wave", json_integer(a->wave));
		json_object_set_new(o, "depends_on", str_array(&a->depends_on));
		json_object_set_new(o, "teardown_after", str_array(&a->teardown_after));
		json_object_set_new(o, "selected", json_boolean(a->selected));
		json_object_set_new(o, "forced_by", jstr(a->forced_by));
		if (a->refused)
			json_object_set_new(o, "refused", json_string(a->refused));
		if (a->renew)
			json_object_set_new(o, "renew", json_string(a->renew));
		json_object_set_new(o, "compute_pool", jstr(a->compute_pool));
		json_object_set_new(o, "pool_source", jstr(a->pool_source));
		json_object_set_new(o, "destructive", json_boolean(a->destructive));
		json_object_set_new(o, "steps", steps_json(&a->steps));
		json_object_set_new(o, "diff", diff_json(&a->diff));
		json_object_set_new(o, "physical", json_string(pc_action_physical(a)));
		if (a->green >= 2) {
			json_t *g = json_object();
			json_object_set_new(g, "physical", json_string(pc_action_physical(a)));
			json_object_set_new(g, "version", json_integer(a->green));
			json_object_set_new(g, "blue", jstr(a->blue));
			json_object_set_new(g, "new", json_boolean(a->kind == PC_ACT_CREATE));
			json_object_set_new(g, "retires", jstr(a->retires));
			json_object_set_new(o, "green", g);
		}
	}
	return o;
}

/* Everything but the actions, whose place is an empty array (pc_plan_write_json() fills it). */
static json_t *plan_json(const pc_plan *p)
{
	json_t *root = json_object(), *summary = json_object(), *opts = json_object();
	size_t i;

	json_object_set_new(root, "format_version", json_string(PC_PLAN_FORMAT_VERSION));
	json_object_set_new(root, "actions", json_array());
	json_object_set_new(root, "setup", steps_json(&p->setup));
	for (i = 0; i < PC_ACT__COUNT; i++)
		json_object_set_new(summary, pc_action_kind_str((pc_action_kind)i), json_integer(p->summary[i]));
	json_object_set_new(summary, "green", json_integer(p->greens));
	json_object_set_new(summary, "extra_running_statements", json_integer(p->extra_running));
	json_object_set_new(summary, "renew", json_integer(p->renewals));
	json_object_set_new(root, "summary", summary);
	json_object_set_new(root, "changes", json_boolean(pc_plan_has_changes(p)));
	json_object_set_new(root, "state_fingerprint", json_string(p->state_fingerprint));
	json_object_set_new(root, "commit", jstr(p->commit));
	json_object_set_new(root, "prefix", jstr(p->prefix));
	json_object_set_new(root, "target", jstr(p->target));
	json_object_set_new(root, "environment_id", jstr(p->environment_id));
	json_object_set_new(root, "created_at", jstr(p->created_at));
	if (p->command)
		json_object_set_new(root, "command", json_string(p->command));
	json_object_set_new(opts, "selectors", str_array(&p->selectors));
	json_object_set_new(opts, "dml_only", json_boolean(p->dml_only));
	json_object_set_new(opts, "force", json_boolean(p->force));
	json_object_set_new(opts, "prune", json_boolean(p->prune));
	json_object_set_new(opts, "blue_green", json_boolean(p->blue_green));
	json_object_set_new(opts, "compute_pool", jstr(p->compute_pool));
	json_object_set_new(root, "options", opts);
	json_object_set_new(root, "warnings", str_array(&p->warnings));
	json_object_set_new(root, "journals", str_array(&p->journals));
	if (p->tree_fingerprint[0])
		json_object_set_new(root, "tree_fingerprint", json_string(p->tree_fingerprint));
	return root;
}

/* s with every line after the first indented by four spaces more (an action at its depth in the plan). */
static void put_indented(pc_buf *out, const char *s)
{
	const char *nl;
	while ((nl = strchr(s, '\n')) != NULL) {
		pc_buf_put(out, s, (size_t)(nl - s + 1));
		pc_buf_puts(out, "    ");
		s = nl + 1;
	}
	pc_buf_puts(out, s);
}

/*
 * The plan as jansson prints it (JSON_INDENT(2), keys in order), made one
 * action at a time: a tree of every action at once is about 2 KB an action
 * (100 MB for 50,000), and the reconcile loop writes the plan into /status
 * every cycle. The top level is printed with an empty "actions" array, and
 * each action, printed alone, is put in its place at its depth: the same
 * bytes as the whole tree printed at once (strings never hold a raw newline).
 */
int pc_plan_write_json(const pc_plan *p, pc_buf *out)
{
	static const char slot[] = "\n  \"actions\": []";
	json_t *root = plan_json(p);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	const char *at;
	int rc = 0;

	json_decref(root);
	if (!s || !(at = strstr(s, slot))) {
		free(s);
		return pc_error_set(PC_ERROR, "could not serialise the plan");
	}
	at += sizeof(slot) - 3; /* at the "[]" */
	pc_buf_put(out, s, (size_t)(at - s));
	if (!p->actions.len)
		pc_buf_puts(out, "[]");
	for (size_t i = 0; i < p->actions.len && rc == 0; i++) {
		json_t *o = action_json(p->actions.items[i]);
		char *a = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (!a) {
			rc = pc_error_set(PC_ERROR, "could not serialise the plan");
			break;
		}
		pc_buf_puts(out, i ? ",\n    " : "[\n    ");
		put_indented(out, a);
		free(a);
	}
	if (p->actions.len)
		pc_buf_puts(out, "\n  ]");
	pc_buf_puts(out, at + 2);
	pc_buf_putc(out, '\n');
	free(s);
	return rc;
}

int pc_plan_save(const pc_plan *p, const char *path)
{
	pc_buf b = PC_BUF_INIT;
	int rc = pc_plan_write_json(p, &b);
	if (rc == 0)
		rc = pc_fs_write_atomic(path, b.ptr, b.len);
	pc_buf_dispose(&b);
	return rc;
}

/* ---- read ---- */

static int bad(const char *where, const char *what)
{
	return pc_error_set(PC_EINVALID, "plan file: %s: %s", where, what);
}

static int get_str(char **out, json_t *o, const char *key, int required, const char *where)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return pc_error_set(PC_EINVALID, "plan file: %s: missing \"%s\"", where, key);
		return 0;
	}
	if (!json_is_string(v))
		return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\" is not a string", where, key);
	*out = pc_strdup(json_string_value(v));
	return 0;
}

static int get_bool(int *out, json_t *o, const char *key, int dflt, const char *where)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v))
		return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\" is not a boolean", where, key);
	*out = json_is_true(v);
	return 0;
}

static int get_str_array(pc_vec *out, json_t *o, const char *key, const char *where)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\" is not an array", where, key);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\"[%zu] is not a string", where, key, i);
		pc_vec_push(out, pc_strdup(json_string_value(e)));
	}
	return 0;
}

static int get_kv(pc_kvlist *out, json_t *o, const char *key, const char *where)
{
	json_t *v = json_object_get(o, key), *e;
	const char *k;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\" is not an object", where, key);
	json_object_foreach(v, k, e) {
		if (!json_is_string(e))
			return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\".%s is not a string", where, key, k);
		pc_kv_set(out, k, json_string_value(e));
	}
	return 0;
}

static int read_step(pc_step **out, json_t *o, const char *where)
{
	pc_step *s = PC_NEW(pc_step);
	char *kind = NULL;
	int rc;

	*out = NULL;
	if (!json_is_object(o)) {
		free(s);
		return bad(where, "not an object");
	}
	if ((rc = get_str(&kind, o, "step", 1, where)) < 0)
		goto done;
	if ((rc = pc_step_kind_parse(kind, &s->kind)) < 0) {
		rc = pc_error_set(PC_EINVALID, "plan file: %s: unknown step '%s'", where, kind);
		goto done;
	}
	if ((rc = get_bool(&s->teardown, o, "teardown", 0, where)) < 0 ||
	    (rc = get_str(&s->statement, o, "statement", s->kind != PC_STEP_CREATE_POOL, where)) < 0 ||
	    (rc = get_str(&s->table, o, "table", 0, where)) < 0 ||
	    (rc = get_str(&s->sql, o, "sql",
			  s->kind == PC_STEP_RUN_DDL || s->kind == PC_STEP_CREATE_DML || s->kind == PC_STEP_DROP_TABLE,
			  where)) < 0 ||
	    (rc = get_str(&s->compute_pool, o, "compute_pool", 0, where)) < 0 ||
	    (rc = get_str(&s->pool_display_name, o, "pool_display_name", s->kind == PC_STEP_CREATE_POOL, where)) < 0 ||
	    (rc = get_kv(&s->properties, o, "properties", where)) < 0 ||
	    (rc = get_kv(&s->labels, o, "labels", where)) < 0 ||
	    (rc = get_str(&s->carry_from, o, "carry_from", 0, where)) < 0 ||
	    (rc = get_bool(&s->from_earliest, o, "from_earliest", 0, where)) < 0 ||
	    (rc = get_bool(&s->wait, o, "wait", 1, where)) < 0)
		goto done;
	*out = s;
	s = NULL;
done:
	free(kind);
	pc_step_free(s);
	return rc;
}

static int read_steps(pc_vec *out, json_t *o, const char *key, const char *where)
{
	json_t *v = json_object_get(o, key), *e;
	char w[96];
	size_t i;
	int rc;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return pc_error_set(PC_EINVALID, "plan file: %s: \"%s\" is not an array", where, key);
	json_array_foreach(v, i, e) {
		pc_step *s;
		snprintf(w, sizeof(w), "%s.%s[%zu]", where, key, i);
		if ((rc = read_step(&s, e, w)) < 0)
			return rc;
		pc_vec_push(out, s);
	}
	return 0;
}

/* "diff" (optional: plans written before it have none). */
static int read_diff(pc_vec *out, json_t *o, const char *where)
{
	json_t *v = json_object_get(o, "diff"), *e;
	size_t i;
	int rc = 0;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(where, "\"diff\" is not an array");
	json_array_foreach(v, i, e) {
		pc_change *c = PC_NEW(pc_change);
		if (!json_is_object(e))
			rc = bad(where, "a \"diff\" entry is not an object");
		else if ((rc = get_str(&c->what, e, "what", 1, where)) >= 0 && (rc = get_str(&c->key, e, "key", 0, where)) >= 0 &&
			 (rc = get_str(&c->statement, e, "statement", 0, where)) >= 0 &&
			 (rc = get_str(&c->old_value, e, "old", 0, where)) >= 0)
			rc = get_str(&c->new_value, e, "new", 0, where);
		if (rc < 0) {
			pc_change_free(c);
			return rc;
		}
		pc_vec_push(out, c);
	}
	return 0;
}

/* "green" (optional): {"physical","version","blue","new","retires"}. */
static int read_green(pc_action *a, json_t *o, const char *where)
{
	json_t *g = json_object_get(o, "green"), *v;
	char *phys = NULL;
	int rc;

	if (!g || json_is_null(g))
		return 0;
	if (!json_is_object(g))
		return bad(where, "\"green\" is not an object");
	v = json_object_get(g, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 2 || json_integer_value(v) > PC_VERSION_MAX)
		return bad(where, "\"green\".version is not a version number (2 or more)");
	a->green = (int)json_integer_value(v);
	if ((rc = get_str(&phys, g, "physical", 1, where)) < 0 || (rc = get_str(&a->blue, g, "blue", 0, where)) < 0 ||
	    (rc = get_str(&a->retires, g, "retires", 0, where)) < 0) {
		free(phys);
		return rc;
	}
	if (!a->physical) {
		a->physical = phys;
	} else {
		if (strcmp(phys, a->physical) != 0)
			rc = bad(where, "\"green\".physical differs from \"physical\"");
		free(phys);
	}
	return rc;
}

static int read_action(pc_action **out, json_t *o, const char *where)
{
	pc_action *a = PC_NEW(pc_action);
	char *kind = NULL;
	json_t *wave;
	int rc;

	*out = NULL;
	if (!json_is_object(o)) {
		free(a);
		return bad(where, "not an object");
	}
	if ((rc = get_str(&a->table, o, "table", 1, where)) < 0 || (rc = get_str(&kind, o, "action", 1, where)) < 0)
		goto done;
	if ((rc = pc_action_kind_parse(kind, &a->kind)) < 0) {
		rc = pc_error_set(PC_EINVALID, "plan file: %s: unknown action '%s'", where, kind);
		goto done;
	}
	wave = json_object_get(o, "wave");
	if (wave && !json_is_integer(wave)) {
		rc = bad(where, "\"wave\" is not an integer");
		goto done;
	}
	a->wave = wave ? (int)json_integer_value(wave) : 0;
	if ((rc = get_str(&a->reason, o, "reason", 1, where)) < 0 ||
	    (rc = get_str_array(&a->details, o, "details", where)) < 0 ||
	    (rc = get_str_array(&a->depends_on, o, "depends_on", where)) < 0 ||
	    (rc = get_str_array(&a->teardown_after, o, "teardown_after", where)) < 0 ||
	    (rc = get_bool(&a->selected, o, "selected", 1, where)) < 0 ||
	    (rc = get_str(&a->forced_by, o, "forced_by", 0, where)) < 0 ||
	    (rc = get_str(&a->refused, o, "refused", 0, where)) < 0 ||
	    (rc = get_str(&a->compute_pool, o, "compute_pool", 0, where)) < 0 ||
	    (rc = get_str(&a->pool_source, o, "pool_source", 0, where)) < 0 ||
	    (rc = get_bool(&a->destructive, o, "destructive", 0, where)) < 0 ||
	    (rc = read_steps(&a->steps, o, "steps", where)) < 0 || (rc = read_diff(&a->diff, o, where)) < 0 ||
	    (rc = get_str(&a->physical, o, "physical", 0, where)) < 0 || (rc = read_green(a, o, where)) < 0 ||
	    (rc = get_str(&a->renew, o, "renew", 0, where)) < 0)
		goto done;
	if (a->renew && (strcmp(a->renew, PC_RENEW_DDL_RECORD) || a->kind != PC_ACT_NOOP)) {
		rc = pc_error_set(PC_EINVALID, "plan file: %s: \"renew\": \"%s\" is not \"%s\" on a noop", where,
				  a->renew, PC_RENEW_DDL_RECORD);
		goto done;
	}
	*out = a;
	a = NULL;
done:
	free(kind);
	pc_action_free(a);
	return rc;
}

int pc_plan_read_json(pc_plan **out, const char *text, size_t len)
{
	json_error_t err;
	json_t *root = json_loadb(text, len, 0, &err), *v, *e;
	pc_plan *p = NULL;
	char *fp = NULL;
	char w[64];
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!root)
		return pc_error_set(PC_EPARSE, "plan file: line %d: %s", err.line, err.text);
	if (!json_is_object(root)) {
		rc = bad("top level", "not an object");
		goto done;
	}
	v = json_object_get(root, "format_version");
	if (json_is_string(v) && atoi(json_string_value(v)) > atoi(PC_PLAN_FORMAT_VERSION)) {
		rc = pc_error_set(PC_EINVALID,
				  "plan file: format_version \"%s\" is newer than this pipectl reads (\"%s\"): "
				  "use the pipectl that wrote it, or plan again",
				  json_string_value(v), PC_PLAN_FORMAT_VERSION);
		goto done;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), PC_PLAN_FORMAT_VERSION)) {
		rc = pc_error_set(PC_EINVALID, "plan file: format_version is not \"%s\"", PC_PLAN_FORMAT_VERSION);
		goto done;
	}
	p = PC_NEW(pc_plan);
	v = json_object_get(root, "actions");
	if (!json_is_array(v)) {
		rc = bad("top level", "\"actions\" is not an array");
		goto done;
	}
	json_array_foreach(v, i, e) {
		pc_action *a;
		snprintf(w, sizeof(w), "actions[%zu]", i);
		if ((rc = read_action(&a, e, w)) < 0)
			goto done;
		pc_vec_push(&p->actions, a);
		p->summary[a->kind]++;
		if (a->green >= 2 && a->kind == PC_ACT_CREATE) {
			p->greens++;
			p->extra_running += pc_action_runs_dml(a);
		}
		p->renewals += a->renew != NULL;
	}
	if ((rc = read_steps(&p->setup, root, "setup", "top level")) < 0 ||
	    (rc = get_str_array(&p->warnings, root, "warnings", "top level")) < 0 ||
	    (rc = get_str_array(&p->journals, root, "journals", "top level")) < 0 ||
	    (rc = get_str(&fp, root, "state_fingerprint", 1, "top level")) < 0 ||
	    (rc = get_str(&p->commit, root, "commit", 0, "top level")) < 0 ||
	    (rc = get_str(&p->prefix, root, "prefix", 0, "top level")) < 0 ||
	    (rc = get_str(&p->target, root, "target", 0, "top level")) < 0 ||
	    (rc = get_str(&p->environment_id, root, "environment_id", 0, "top level")) < 0 ||
	    (rc = get_str(&p->created_at, root, "created_at", 0, "top level")) < 0 ||
	    (rc = get_str(&p->command, root, "command", 0, "top level")) < 0)
		goto done;
	if (p->command && strcmp(p->command, "promote") != 0 && strcmp(p->command, "rollback") != 0) {
		rc = bad("top level", "\"command\" is neither \"promote\" nor \"rollback\"");
		goto done;
	}
	if (strlen(fp) != 32 || strspn(fp, "0123456789abcdef") != 32) {
		rc = bad("top level", "\"state_fingerprint\" is not 32 hex digits");
		goto done;
	}
	memcpy(p->state_fingerprint, fp, 33);
	free(fp);
	fp = NULL;
	if ((rc = get_str(&fp, root, "tree_fingerprint", 0, "top level")) < 0)
		goto done;
	if (fp && (strlen(fp) != 32 || strspn(fp, "0123456789abcdef") != 32)) {
		rc = bad("top level", "\"tree_fingerprint\" is not 32 hex digits");
		goto done;
	}
	if (fp)
		memcpy(p->tree_fingerprint, fp, 33);
	v = json_object_get(root, "options");
	if (v && json_is_object(v)) {
		if ((rc = get_str_array(&p->selectors, v, "selectors", "options")) < 0 ||
		    (rc = get_bool(&p->dml_only, v, "dml_only", 0, "options")) < 0 ||
		    (rc = get_bool(&p->force, v, "force", 0, "options")) < 0 ||
		    (rc = get_bool(&p->prune, v, "prune", 0, "options")) < 0 ||
		    (rc = get_bool(&p->blue_green, v, "blue_green", 0, "options")) < 0 ||
		    (rc = get_str(&p->compute_pool, v, "compute_pool", 0, "options")) < 0)
			goto done;
	}
	*out = p;
	p = NULL;
done:
	free(fp);
	pc_plan_free(p);
	json_decref(root);
	return rc;
}

int pc_plan_load(pc_plan **out, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = pc_fs_read(&text, &len, path)) < 0)
		return rc;
	rc = pc_plan_read_json(out, text, len);
	if (rc < 0)
		pc_error_wrap("%s", path);
	free(text);
	return rc;
}
