/*
 * sim_query.c - the simulation's audit, topics and compute pools.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sim_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <ctype.h>
#include <inttypes.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- audit ---- */

static void audit_one(pc_buf *b, const pc_sim_stmt *st)
{
	pc_buf_puts(b, "{\"name\":");
	pc_buf_put_json_str(b, st->name);
	pc_buf_puts(b, ",\"phase\":");
	pc_buf_put_json_str(b, pc_sim_phase_name(st->phase));
	pc_buf_printf(b, ",\"deleted\":%s,\"as_of_ms\":%" PRId64 ",\"consumed\":{", st->deleted ? "true" : "false",
		      st->as_of_ms);
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, in->topic);
		pc_buf_puts(b, ":[");
		for (int p = 0; p < in->partitions; p++)
			pc_buf_printf(b, "%s{\"partition\":%d,\"from\":%" PRId64 ",\"to\":%" PRId64 "}", p ? "," : "",
				      p, in->from[p], in->pos[p]);
		pc_buf_putc(b, ']');
	}
	pc_buf_puts(b, "},\"produced\":{");
	for (size_t i = 0; i < st->outputs.len; i++) {
		pc_sim_output *o = st->outputs.items[i];
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, o->topic);
		pc_buf_printf(b, ":%" PRId64, o->produced);
	}
	pc_buf_puts(b, "}}");
}

int pc_sim_audit_json(pc_sim *s, int64_t now, const char *env, const char *name, pc_buf *out)
{
	pc_sim_env *e;
	pc_sim_stmt *st;
	pc_sim_tick(s, now);
	e = pc_map_get(&s->envs, env);
	st = e ? pc_map_get(&e->stmts, name) : NULL;
	if (st)
		pc_sim__advance_stmt(s, st, s->now_ms);
	else if (e)
		st = pc_map_get(&e->archive, name);
	if (!st)
		return pc_error_set(PC_ENOTFOUND, "Statement resource=%s does not exist", name);
	audit_one(out, st);
	return 0;
}

int pc_sim_env_audit_json(pc_sim *s, int64_t now, const char *env, pc_buf *out)
{
	pc_sim_env *e;
	pc_vec names = PC_VEC_INIT;
	int first = 1;
	pc_sim_tick(s, now);
	e = pc_map_get(&s->envs, env);
	pc_buf_puts(out, "{\"statements\":[");
	for (size_t i = 0; e && i < e->sorted.len; i++) {
		pc_sim_stmt *st = e->sorted.items[i];
		if (st->kind != PC_SIM_KIND_DML)
			continue;
		pc_sim__advance_stmt(s, st, s->now_ms);
		if (!first)
			pc_buf_putc(out, ',');
		first = 0;
		audit_one(out, st);
	}
	if (e)
		pc_map_keys_sorted(&e->archive, &names);
	for (size_t i = 0; i < names.len; i++) {
		pc_sim_stmt *st = pc_map_get(&e->archive, names.items[i]);
		if (st->kind != PC_SIM_KIND_DML || pc_map_get(&e->stmts, st->name))
			continue;
		if (!first)
			pc_buf_putc(out, ',');
		first = 0;
		audit_one(out, st);
	}
	pc_buf_puts(out, "]}");
	pc_vec_dispose(&names, NULL);
	return 0;
}

static int cmp_topic(const void *a, const void *b)
{
	return strcmp(((const pc_sim_topic *)a)->name, ((const pc_sim_topic *)b)->name);
}

void pc_sim_list_topics(pc_sim *s, int64_t now, pc_vec *out)
{
	size_t it = 0;
	const char *k;
	void *v;
	pc_sim_tick(s, now);
	while (pc_map_next(&s->topics, &it, &k, &v))
		if (!(s->opt.linger_hidden && ((pc_sim_topic *)v)->gone_ms))
			pc_vec_push(out, v);
	pc_vec_sort(out, cmp_topic);
}

int pc_sim_timeline_json(pc_sim *s, int64_t now, const char *env, pc_buf *out)
{
	int first = 1;
	uint64_t oldest = s->timeline.len ? ((pc_sim_mark *)s->timeline.items[0])->seq : s->timeline_seq + 1;
	pc_sim_tick(s, now);
	pc_buf_puts(out, "{\"marks\":[");
	for (size_t i = 0; i < s->timeline.len; i++) {
		const pc_sim_mark *m = s->timeline.items[i];
		if (m->env && strcmp(m->env, env) != 0)
			continue;
		pc_buf_printf(out, "%s{\"seq\":%" PRIu64 ",\"t_ms\":%" PRId64 ",\"%s\":", first ? "" : ",", m->seq, m->t,
			      m->env ? "statement" : "topic");
		first = 0;
		pc_buf_put_json_str(out, m->name);
		pc_buf_puts(out, ",\"event\":");
		pc_buf_put_json_str(out, m->event);
		if (m->kind) {
			pc_buf_puts(out, ",\"kind\":");
			pc_buf_put_json_str(out, m->kind);
			pc_buf_puts(out, ",\"reads\":");
			pc_buf_put_json_str(out, m->reads);
			pc_buf_puts(out, ",\"writes\":");
			pc_buf_put_json_str(out, m->writes);
		}
		pc_buf_putc(out, '}');
	}
	pc_buf_printf(out, "],\"dropped\":%" PRIu64 "}", oldest - 1);
	return 0;
}

int pc_sim_topics_json(pc_sim *s, int64_t now, pc_buf *out)
{
	pc_vec v = PC_VEC_INIT;
	pc_sim_list_topics(s, now, &v);
	pc_buf_puts(out, "{\"topics\":[");
	for (size_t i = 0; i < v.len; i++) {
		pc_sim_topic *tp = v.items[i];
		pc_sim__advance_topic(s, tp, s->now_ms);
		pc_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
		pc_buf_put_json_str(out, tp->name);
		pc_buf_printf(out, ",\"partitions\":%d,\"written\":%" PRId64 ",\"end_offsets\":[", tp->partitions,
			      tp->written);
		for (int p = 0; p < tp->partitions; p++)
			pc_buf_printf(out, "%s%" PRId64, p ? "," : "", pc_sim_topic_end(s, tp, p));
		pc_buf_puts(out, "]}");
	}
	pc_buf_puts(out, "]}");
	pc_vec_dispose(&v, NULL);
	return 0;
}

/* ---- topics ---- */

pc_sim_topic *pc_sim_find_topic(pc_sim *s, int64_t now, const char *name)
{
	pc_sim_topic *tp;
	pc_sim_tick(s, now);
	tp = pc_map_get(&s->topics, name);
	if (tp && s->opt.linger_hidden && tp->gone_ms)
		return NULL; /* KAFKA-6098: gone for the API, its name still taken */
	if (tp)
		pc_sim__advance_topic(s, tp, s->now_ms);
	return tp;
}

int pc_sim_create_topic(pc_sim *s, int64_t now, const char *name, int partitions, pc_sim_topic **out)
{
	pc_sim_tick(s, now);
	*out = NULL;
	if (!name || !*name || strlen(name) > 249)
		return pc_error_set(PC_EINVALID, "invalid topic name");
	if (partitions == 0)
		partitions = 6;
	if (partitions < 0 || partitions > PC_SIM_MAX_PARTITIONS)
		return pc_error_set(PC_EINVALID, "invalid partitions_count %d", partitions);
	if (pc_map_get(&s->topics, name))
		return pc_error_set(PC_EEXISTS, "Topic '%s' already exists.", name);
	*out = pc_sim__topic_add(s, name, partitions, 0, s->now_ms);
	return 0;
}

int pc_sim_delete_topic(pc_sim *s, int64_t now, const char *name)
{
	pc_sim_topic *tp;
	pc_sim_tick(s, now);
	tp = pc_map_get(&s->topics, name);
	if (!tp)
		return pc_error_set(PC_ENOTFOUND, "This server does not host this topic-partition.");
	if (tp->gone_ms && s->opt.linger_hidden)
		return pc_error_set(PC_ENOTFOUND, "This server does not host this topic-partition.");
	if (tp->gone_ms)
		return 0; /* being deleted already */
	pc_sim__topic_drop(s, name, s->now_ms);
	return 0;
}

/* ---- pools ---- */

const char *pc_sim_pool_phase(const pc_sim_pool *p, int64_t now)
{
	if (now < p->ready_ms)
		return "PROVISIONING";
	return p->failed ? "FAILED" : "PROVISIONED";
}

int pc_sim_get_pool(pc_sim *s, int64_t now, const char *env, const char *id, pc_sim_pool **out)
{
	pc_sim_env *e;
	pc_sim_tick(s, now);
	*out = NULL;
	e = pc_sim_env_get(s, env, s->now_ms);
	for (size_t i = 0; i < e->pools.len; i++) {
		pc_sim_pool *p = e->pools.items[i];
		if (strcmp(p->id, id) == 0) {
			*out = p;
			return 0;
		}
	}
	return pc_error_set(PC_ENOTFOUND, "compute pool '%s' not found in environment '%s'", id, env);
}

int pc_sim_find_pool(pc_sim *s, int64_t now, const char *id, pc_sim_pool **out)
{
	pc_sim_tick(s, now);
	*out = NULL;
	for (size_t j = 0; j < s->env_list.len; j++) {
		pc_sim_env *e = s->env_list.items[j];
		for (size_t i = 0; i < e->pools.len; i++) {
			pc_sim_pool *p = e->pools.items[i];
			if (strcmp(p->id, id) == 0) {
				*out = p;
				return 0;
			}
		}
	}
	return pc_error_set(PC_ENOTFOUND, "compute pool '%s' not found", id);
}

/* ^(?:[0-9A-Za-z\-])[\w\.-]{0,63}$ (fcpm/v2) */
static int valid_pool_name(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 64 || !(isalnum((unsigned char)n[0]) || n[0] == '-'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '.' && n[i] != '-')
			return 0;
	return 1;
}

int pc_sim_create_pool(pc_sim *s, int64_t now, const char *env, const char *display_name,
		       const char *cloud, const char *region, int max_cfu, pc_sim_pool **out)
{
	pc_sim_env *e;
	pc_sim_pool *p;
	char id[32];
	pc_sim_tick(s, now);
	*out = NULL;
	/* fcpm/v2 requires all of display_name, cloud, region, max_cfu, environment.id. */
	if (!display_name || !*display_name)
		return pc_error_set(PC_EINVALID, "spec.display_name is required");
	if (!valid_pool_name(display_name))
		return pc_error_set(PC_EINVALID,
				    "spec.display_name '%s' is invalid: at most 64 letters, digits, '_', '.' or '-', "
				    "not starting with '_' or '.'", display_name);
	if (!cloud || !*cloud)
		return pc_error_set(PC_EINVALID, "spec.cloud is required");
	if (!region || !*region)
		return pc_error_set(PC_EINVALID, "spec.region is required");
	if (!max_cfu)
		return pc_error_set(PC_EINVALID, "spec.max_cfu is required");
	if (max_cfu != 5 && max_cfu != 10 && max_cfu != 20 && max_cfu != 30 && max_cfu != 40 && max_cfu != 50)
		return pc_error_set(PC_EINVALID, "spec.max_cfu must be one of 5, 10, 20, 30, 40, 50 (not %d)", max_cfu);
	if (!env || !*env)
		return pc_error_set(PC_EINVALID, "spec.environment.id is required");
	e = pc_sim_env_get(s, env, s->now_ms);
	snprintf(id, sizeof(id), "lfcp-%06" PRIx64, (s->next_id++ * 2654435761u) & 0xffffff);
	p = pc_sim__pool_add(e, id, display_name, s->now_ms, s->now_ms + s->opt.ddl_ms);
	free(p->cloud);
	p->cloud = pc_strdup(cloud);
	free(p->region);
	p->region = pc_strdup(region);
	p->max_cfu = max_cfu;
	if (s->fail_pool_re) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(s->fail_pool_re, NULL);
		p->failed = pcre2_match(s->fail_pool_re, (PCRE2_SPTR)display_name, strlen(display_name), 0, 0, md,
					NULL) >= 0;
		pcre2_match_data_free(md);
	}
	s->changes++;
	*out = p;
	return 0;
}
