/*
 * sim_json.c - save and load the whole simulation state (emulator --state,
 * the local target's state file). Timestamps are wall-clock milliseconds, so
 * transitions keep their schedule across runs.
 */
#include "sim_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define STATE_FORMAT 1

/* ---- save ---- */

static json_t *kv_obj(const pc_kvlist *l)
{
	json_t *o = json_object();
	for (size_t i = 0; i < l->len; i++) {
		pc_kv *kv = l->items[i];
		json_object_set_new(o, kv->key, json_string(kv->value));
	}
	return o;
}

static json_t *str_arr(const pc_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		json_array_append_new(a, json_string(v->items[i]));
	return a;
}

static json_t *i64_arr(const int64_t *x, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(x[i]));
	return a;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *stmt_json(const pc_sim_stmt *st)
{
	json_t *o = json_object(), *a;
	json_object_set_new(o, "id", json_integer((json_int_t)st->id));
	json_object_set_new(o, "org", json_string(st->org));
	json_object_set_new(o, "name", json_string(st->name));
	json_object_set_new(o, "sql", json_string(st->sql));
	json_object_set_new(o, "uid", json_string(st->uid));
	json_object_set_new(o, "compute_pool_id", json_string(st->compute_pool_id));
	json_object_set_new(o, "principal", json_string(st->principal));
	json_object_set_new(o, "properties", kv_obj(&st->properties));
	json_object_set_new(o, "labels", kv_obj(&st->labels));
	json_object_set_new(o, "stopped", json_boolean(st->stopped));
	json_object_set_new(o, "resource_version", json_integer(st->resource_version));
	json_object_set_new(o, "created_ms", json_integer(st->created_ms));
	json_object_set_new(o, "updated_ms", json_integer(st->updated_ms));
	json_object_set_new(o, "phase", json_string(pc_sim_phase_name(st->phase)));
	json_object_set_new(o, "detail", json_string(st->detail ? st->detail : ""));
	json_object_set_new(o, "kind", json_integer(st->kind));
	json_object_set_new(o, "sql_kind", str_or_null(st->sql_kind));
	json_object_set_new(o, "stateful", json_boolean(st->stateful));
	json_object_set_new(o, "op", json_integer(st->op));
	json_object_set_new(o, "op_table", str_or_null(st->op_table));
	json_object_set_new(o, "op_if", json_boolean(st->op_if));
	json_object_set_new(o, "op_partitions", json_integer(st->op_partitions));
	json_object_set_new(o, "op_upsert", json_boolean(st->op_upsert));
	json_object_set_new(o, "reads", str_arr(&st->reads));
	json_object_set_new(o, "writes", str_arr(&st->writes));
	json_object_set_new(o, "carry_from", str_or_null(st->carry_from));
	json_object_set_new(o, "started", json_boolean(st->started));
	json_object_set_new(o, "waiting", json_boolean(st->waiting));
	json_object_set_new(o, "due_ms", json_integer(st->due_ms));
	json_object_set_new(o, "as_of_ms", json_integer(st->as_of_ms));
	json_object_set_new(o, "ended_ms", json_integer(st->ended_ms));
	json_object_set_new(o, "wait_since_ms", json_integer(st->wait_since_ms));
	a = json_array();
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		json_array_append_new(a, json_pack("{s:s,s:i,s:o,s:o}", "topic", in->topic, "partitions",
						   in->partitions, "from", i64_arr(in->from, in->partitions), "pos",
						   i64_arr(in->pos, in->partitions)));
	}
	json_object_set_new(o, "inputs", a);
	a = json_array();
	for (size_t i = 0; i < st->outputs.len; i++) {
		pc_sim_output *out = st->outputs.items[i];
		json_array_append_new(a, json_pack("{s:s,s:I}", "topic", out->topic, "produced",
						   (json_int_t)out->produced));
	}
	json_object_set_new(o, "outputs", a);
	json_object_set_new(o, "latest_offsets", kv_obj(&st->latest_offsets));
	json_object_set_new(o, "latest_offsets_ms", json_integer(st->latest_offsets_ms));
	a = json_array();
	for (size_t i = 0; i < st->exceptions.len; i++) {
		pc_sim_exception *x = st->exceptions.items[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:I}", "name", x->name, "message", x->message, "at_ms",
						   (json_int_t)x->at_ms));
	}
	json_object_set_new(o, "exceptions", a);
	return o;
}

int pc_sim_save_json(const pc_sim *s, pc_buf *out)
{
	json_t *root = json_object(), *envs = json_array(), *topics = json_array();
	size_t it = 0;
	const char *k;
	void *v;
	char *text;
	pc_vec names = PC_VEC_INIT;

	json_object_set_new(root, "format", json_integer(STATE_FORMAT));
	json_object_set_new(root, "next_id", json_integer((json_int_t)s->next_id));
	json_object_set_new(root, "next_incarnation", json_integer((json_int_t)s->next_incarnation));
	json_object_set_new(root, "now_ms", json_integer(s->now_ms));
	for (size_t i = 0; i < s->env_list.len; i++) {
		pc_sim_env *e = s->env_list.items[i];
		json_t *eo = json_object(), *sa = json_array(), *aa = json_array(), *pa = json_array();
		json_object_set_new(eo, "id", json_string(e->id));
		for (size_t j = 0; j < e->sorted.len; j++)
			json_array_append_new(sa, stmt_json(e->sorted.items[j]));
		pc_map_keys_sorted(&e->archive, &names);
		for (size_t j = 0; j < names.len; j++)
			json_array_append_new(aa, stmt_json(pc_map_get(&e->archive, names.items[j])));
		names.len = 0;
		for (size_t j = 0; j < e->pools.len; j++) {
			pc_sim_pool *p = e->pools.items[j];
			json_array_append_new(pa, json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:b}", "id", p->id,
							    "display_name", p->display_name, "cloud", p->cloud, "region",
							    p->region, "max_cfu", p->max_cfu, "created_ms",
							    (json_int_t)p->created_ms, "ready_ms", (json_int_t)p->ready_ms,
							    "failed", p->failed));
		}
		json_object_set_new(eo, "pools", pa);
		json_object_set_new(eo, "statements", sa);
		json_object_set_new(eo, "deleted", aa);
		json_array_append_new(envs, eo);
	}
	json_object_set_new(root, "environments", envs);
	while (pc_map_next(&s->topics, &it, &k, &v))
		pc_vec_push(&names, (void *)k);
	pc_vec_sort_str(&names);
	for (size_t i = 0; i < names.len; i++) {
		pc_sim_topic *t = pc_map_get(&s->topics, names.items[i]);
		json_array_append_new(topics, json_pack("{s:s,s:i,s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "name", t->name,
							"partitions", t->partitions, "upsert", t->upsert,
							"incarnation", (json_int_t)t->incarnation, "created_ms",
							(json_int_t)t->created_ms, "as_of_ms", (json_int_t)t->as_of_ms,
							"feed_ms", (json_int_t)t->feed_ms, "written",
							(json_int_t)t->written, "gone_ms", (json_int_t)t->gone_ms));
	}
	pc_vec_dispose(&names, NULL);
	json_object_set_new(root, "topics", topics);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	pc_buf_puts(out, text);
	pc_buf_putc(out, '\n');
	free(text);
	return 0;
}

/* ---- load ---- */

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *jdup(json_t *o, const char *k)
{
	return pc_strdup(jstr(o, k));
}

/* Every saved number is a count, an offset or a time: 0 .. 2^50 keeps sums and differences safe. */
#define JINT_MAX ((int64_t)1 << 50)

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	int64_t x = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	return x < 0 ? 0 : x > JINT_MAX ? JINT_MAX : x;
}

static int jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static void jkv(pc_kvlist *l, json_t *o)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
		if (json_is_string(v))
			pc_kv_set(l, k, json_string_value(v));
}

static void jstrs(pc_vec *dst, json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			pc_vec_push(dst, pc_strdup(json_string_value(v)));
}

static int64_t *jints(json_t *a, int n)
{
	int64_t *x = pc_calloc((size_t)(n > 0 ? n : 1), sizeof(int64_t));
	for (int i = 0; i < n; i++) {
		json_t *v = json_array_get(a, (size_t)i);
		x[i] = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
		x[i] = x[i] < 0 ? 0 : x[i] > JINT_MAX ? JINT_MAX : x[i];
	}
	return x;
}

static int load_stmt(pc_sim_stmt **out, json_t *o, const char *env, const char *label)
{
	pc_sim_stmt *st;
	size_t i;
	json_t *v;

	*out = NULL;
	if (!json_is_object(o) || !jstr(o, "name") || !jstr(o, "sql"))
		return pc_error_set(PC_EPARSE, "could not load '%s': a statement has no name or sql", label);
	st = pc_sim__stmt_new();
	st->id = (uint64_t)jint(o, "id");
	st->org = jdup(o, "org");
	st->env = pc_strdup(env);
	st->name = jdup(o, "name");
	st->sql = jdup(o, "sql");
	st->uid = jdup(o, "uid");
	st->compute_pool_id = jdup(o, "compute_pool_id");
	st->principal = jdup(o, "principal");
	jkv(&st->properties, json_object_get(o, "properties"));
	jkv(&st->labels, json_object_get(o, "labels"));
	st->stopped = jbool(o, "stopped");
	st->resource_version = jint(o, "resource_version");
	st->created_ms = jint(o, "created_ms");
	st->updated_ms = jint(o, "updated_ms");
	if (pc_sim_phase_parse(jstr(o, "phase"), &st->phase) != 0) {
		pc_sim__stmt_free(st);
		return pc_error_set(PC_EPARSE, "could not load '%s': statement '%s' has an unknown phase", label,
				    jstr(o, "name"));
	}
	st->detail = pc_strdup(jstr(o, "detail") ? jstr(o, "detail") : "");
	st->kind = (pc_sim_kind)jint(o, "kind");
	st->sql_kind = jdup(o, "sql_kind");
	st->stateful = jbool(o, "stateful");
	st->op = (pc_sim_ddl_op)jint(o, "op");
	st->op_table = jdup(o, "op_table");
	st->op_if = jbool(o, "op_if");
	st->op_partitions = (int)jint(o, "op_partitions");
	st->op_upsert = jbool(o, "op_upsert");
	jstrs(&st->reads, json_object_get(o, "reads"));
	jstrs(&st->writes, json_object_get(o, "writes"));
	st->carry_from = jdup(o, "carry_from");
	if (st->kind > PC_SIM_KIND_INVALID)
		st->kind = PC_SIM_KIND_INVALID;
	if (st->op > PC_SIM_OP_MATERIALIZED || !st->op_table)
		st->op = PC_SIM_OP_NONE;
	if (st->op_partitions > PC_SIM_MAX_PARTITIONS)
		st->op_partitions = PC_SIM_MAX_PARTITIONS;
	if (!st->carry_from)
		st->waiting = 0;
	st->started = jbool(o, "started");
	st->waiting = jbool(o, "waiting");
	st->due_ms = jint(o, "due_ms");
	st->as_of_ms = jint(o, "as_of_ms");
	st->ended_ms = jint(o, "ended_ms");
	st->wait_since_ms = jint(o, "wait_since_ms");
	json_array_foreach(json_object_get(o, "inputs"), i, v) {
		pc_sim_input *in = PC_NEW(pc_sim_input);
		in->topic = jdup(v, "topic");
		in->partitions = (int)jint(v, "partitions");
		if (!in->topic || in->partitions < 0 || in->partitions > PC_SIM_MAX_PARTITIONS)
			in->partitions = 0;
		if (!in->topic)
			in->topic = pc_strdup("");
		in->from = jints(json_object_get(v, "from"), in->partitions);
		in->pos = jints(json_object_get(v, "pos"), in->partitions);
		pc_vec_push(&st->inputs, in);
	}
	json_array_foreach(json_object_get(o, "outputs"), i, v) {
		pc_sim_output *ou = PC_NEW(pc_sim_output);
		ou->topic = pc_strdup(jstr(v, "topic") ? jstr(v, "topic") : "");
		ou->produced = jint(v, "produced");
		pc_vec_push(&st->outputs, ou);
	}
	jkv(&st->latest_offsets, json_object_get(o, "latest_offsets"));
	st->latest_offsets_ms = jint(o, "latest_offsets_ms");
	json_array_foreach(json_object_get(o, "exceptions"), i, v) {
		pc_sim_exception *x = PC_NEW(pc_sim_exception);
		x->name = pc_strdup(jstr(v, "name") ? jstr(v, "name") : "");
		x->message = pc_strdup(jstr(v, "message") ? jstr(v, "message") : "");
		x->at_ms = jint(v, "at_ms");
		pc_vec_push(&st->exceptions, x);
	}
	if (!st->org)
		st->org = pc_strdup("");
	if (!st->uid)
		st->uid = pc_strdup("");
	if (!st->compute_pool_id)
		st->compute_pool_id = pc_strdup("lfcp-local");
	if (!st->principal)
		st->principal = pc_strdup("");
	*out = st;
	return 0;
}

int pc_sim_load_json(pc_sim *s, const char *text, size_t len, const char *label)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr), *envs, *e, *v;
	size_t i, j;
	int rc = 0;

	if (!root)
		return pc_error_set(PC_EPARSE, "could not load '%s': %s at line %d column %d", label, jerr.text,
				    jerr.line, jerr.column);
	if (!json_is_object(root) || jint(root, "format") != STATE_FORMAT) {
		rc = pc_error_set(PC_EPARSE, "could not load '%s': not a pipectl simulation state (format %d)",
				  label, STATE_FORMAT);
		goto done;
	}
	pc_sim__reset(s);
	s->now_ms = jint(root, "now_ms");
	envs = json_object_get(root, "environments");
	json_array_foreach(json_object_get(root, "topics"), i, v) {
		pc_sim_topic *t;
		if (!jstr(v, "name") || jint(v, "partitions") <= 0 || jint(v, "partitions") > PC_SIM_MAX_PARTITIONS) {
			rc = pc_error_set(PC_EPARSE, "could not load '%s': a topic has no name or partitions", label);
			goto done;
		}
		t = PC_NEW(pc_sim_topic);
		t->name = jdup(v, "name");
		t->partitions = (int)jint(v, "partitions");
		t->upsert = jbool(v, "upsert");
		t->incarnation = (uint64_t)jint(v, "incarnation");
		t->created_ms = jint(v, "created_ms");
		t->as_of_ms = jint(v, "as_of_ms");
		t->feed_ms = jint(v, "feed_ms");
		t->written = jint(v, "written");
		t->gone_ms = jint(v, "gone_ms");
		if (pc_map_get(&s->topics, t->name)) {
			free(t->name);
			free(t);
			rc = pc_error_set(PC_EPARSE, "could not load '%s': topic '%s' appears twice", label,
					  jstr(v, "name"));
			goto done;
		}
		pc_map_put(&s->topics, t->name, t);
		if (t->gone_ms)
			pc_vec_push(&s->lingering, t);
	}
	json_array_foreach(envs, i, e) {
		pc_sim_env *env;
		if (!jstr(e, "id")) {
			rc = pc_error_set(PC_EPARSE, "could not load '%s': an environment has no id", label);
			goto done;
		}
		env = pc_sim_env_get(s, jstr(e, "id"), s->now_ms);
		json_array_foreach(json_object_get(e, "pools"), j, v) {
			pc_sim_pool *p;
			pc_sim_pool *have = NULL;
			for (size_t k = 0; jstr(v, "id") && k < env->pools.len; k++)
				if (strcmp(((pc_sim_pool *)env->pools.items[k])->id, jstr(v, "id")) == 0)
					have = env->pools.items[k];
			if (!jstr(v, "id"))
				continue;
			if (have) { /* the default pool exists already */
				have->created_ms = jint(v, "created_ms");
				have->ready_ms = jint(v, "ready_ms");
				continue;
			}
			p = PC_NEW(pc_sim_pool);
			p->id = pc_strdup(jstr(v, "id") ? jstr(v, "id") : "lfcp-unknown");
			p->env = pc_strdup(env->id);
			p->display_name = pc_strdup(jstr(v, "display_name") ? jstr(v, "display_name") : p->id);
			p->cloud = pc_strdup(jstr(v, "cloud") ? jstr(v, "cloud") : "AWS");
			p->region = pc_strdup(jstr(v, "region") ? jstr(v, "region") : "local");
			p->max_cfu = (int)jint(v, "max_cfu");
			p->created_ms = jint(v, "created_ms");
			p->ready_ms = jint(v, "ready_ms");
			p->failed = jbool(v, "failed");
			pc_vec_push(&env->pools, p);
		}
		json_array_foreach(json_object_get(e, "statements"), j, v) {
			pc_sim_stmt *st;
			rc = load_stmt(&st, v, env->id, label);
			if (rc)
				goto done;
			if (pc_map_get(&env->stmts, st->name)) {
				pc_sim__stmt_free(st);
				rc = pc_error_set(PC_EPARSE, "could not load '%s': statement '%s' appears twice", label,
						  jstr(v, "name"));
				goto done;
			}
			pc_sim__index_stmt(s, env, st);
		}
		json_array_foreach(json_object_get(e, "deleted"), j, v) {
			pc_sim_stmt *st;
			rc = load_stmt(&st, v, env->id, label);
			if (rc)
				goto done;
			st->deleted = 1;
			pc_sim__stmt_free(pc_map_put(&env->archive, st->name, st));
		}
	}
	if ((uint64_t)jint(root, "next_id") > s->next_id)
		s->next_id = (uint64_t)jint(root, "next_id");
	s->next_incarnation = (uint64_t)jint(root, "next_incarnation");
	if (s->next_incarnation == 0)
		s->next_incarnation = 1;
done:
	if (rc)
		pc_sim__reset(s);
	json_decref(root);
	return rc;
}
