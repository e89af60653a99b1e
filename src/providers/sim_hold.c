/*
 * sim_hold.c - holds (sim.h): a test-only control that keeps matching
 * statements in their transitional phase (PENDING, STOPPING) until they are
 * released, so that an integration test can interrupt pipectl in that phase
 * without relying on a time window (docs/emulator.md, "Holds").
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sim_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

static void rule_free(void *p)
{
	pc_sim_hold_rule *r = p;
	if (!r)
		return;
	if (r->re)
		pcre2_code_free(r->re);
	free(r->env);
	free(r->pattern);
	free(r);
}

void pc_sim__holds_free(pc_sim *s)
{
	pc_vec_dispose(&s->holds, rule_free);
}

static int applies(const pc_sim_hold_rule *r, const char *env)
{
	return !r->env || (env && strcmp(r->env, env) == 0);
}

static int re_matches(void *re, const char *text)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

int pc_sim__held(const pc_sim *s, const pc_sim_stmt *st)
{
	if (st->released || st->deleted)
		return 0;
	for (size_t i = 0; i < s->holds.len; i++) {
		const pc_sim_hold_rule *r = s->holds.items[i];
		if (applies(r, st->env) && (re_matches(r->re, st->name) || (st->sql && re_matches(r->re, st->sql))))
			return 1;
	}
	return 0;
}

int pc_sim__topic_held(const pc_sim *s, const char *topic)
{
	for (size_t i = 0; i < s->holds.len; i++) {
		const pc_sim_hold_rule *r = s->holds.items[i];
		if (re_matches(r->re, topic))
			return 1;
	}
	return 0;
}

int pc_sim_hold(pc_sim *s, int64_t now, const char *env, const char *pattern)
{
	pc_sim_hold_rule *r;
	void *re;
	int err;
	size_t off;

	pc_sim_tick(s, now);
	if (!pattern || !*pattern)
		return pc_error_set(PC_EINVALID, "a hold needs a regex");
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return pc_error_set(PC_EINVALID, "invalid hold regex at offset %zu: %s", off, (char *)msg);
	}
	r = PC_NEW(pc_sim_hold_rule);
	r->env = env ? pc_strdup(env) : NULL;
	r->pattern = pc_strdup(pattern);
	r->re = re;
	pc_vec_push(&s->holds, r);
	return 0;
}

/* st's due transition waits for a release (a stop or a delete since then ended the wait). */
static int waits(const pc_sim_stmt *st)
{
	return st->held && (st->phase == PC_SIM_PENDING || st->phase == PC_SIM_STOPPING);
}

/* Held statements of env (NULL: all) that no longer match go on at now. */
static void wake(pc_sim *s, int64_t now, const char *env)
{
	for (size_t i = 0; i < s->env_list.len; i++) {
		pc_sim_env *e = s->env_list.items[i];
		if (env && strcmp(e->id, env) != 0)
			continue;
		for (size_t j = 0; j < e->sorted.len; j++) {
			pc_sim_stmt *st = e->sorted.items[j];
			if (st->held && !waits(st))
				st->held = 0;
			else if (waits(st) && !pc_sim__held(s, st))
				pc_sim__schedule(s, st, now);
		}
	}
	pc_sim_tick(s, now);
}

int pc_sim_release(pc_sim *s, int64_t now, const char *env, const char *name, const char *pattern)
{
	pc_sim_env *e;
	size_t removed = 0;

	pc_sim_tick(s, now);
	if (name) {
		pc_sim_stmt *st;
		e = env ? pc_map_get(&s->envs, env) : NULL;
		st = e ? pc_map_get(&e->stmts, name) : NULL;
		if (!st)
			return pc_error_set(PC_ENOTFOUND, "Statement resource=%s does not exist", name);
		st->released = 1;
		wake(s, now, env);
		return 0;
	}
	for (size_t i = 0; i < s->holds.len;) {
		pc_sim_hold_rule *r = s->holds.items[i];
		if (applies(r, env) && (!pattern || strcmp(r->pattern, pattern) == 0)) {
			rule_free(r);
			pc_vec_remove(&s->holds, i);
			removed++;
		} else {
			i++;
		}
	}
	if (pattern && removed == 0)
		return pc_error_set(PC_ENOTFOUND, "no hold '%s'", pattern);
	/* a global hold lifted may release statements of any environment */
	wake(s, now, NULL);
	return 0;
}

int pc_sim_holds_json(pc_sim *s, int64_t now, const char *env, pc_buf *out)
{
	pc_sim_env *e;
	int first = 1;

	pc_sim_tick(s, now);
	pc_buf_puts(out, "{\"holds\":[");
	for (size_t i = 0; i < s->holds.len; i++) {
		pc_sim_hold_rule *r = s->holds.items[i];
		if (!applies(r, env))
			continue;
		if (!first)
			pc_buf_putc(out, ',');
		pc_buf_put_json_str(out, r->pattern);
		first = 0;
	}
	pc_buf_puts(out, "],\"held\":[");
	first = 1;
	e = env ? pc_map_get(&s->envs, env) : NULL;
	for (size_t i = 0; e && i < e->sorted.len; i++) {
		pc_sim_stmt *st = e->sorted.items[i];
		if (!waits(st))
			continue;
		if (!first)
			pc_buf_putc(out, ',');
		pc_buf_put_json_str(out, st->name);
		first = 0;
	}
	pc_buf_puts(out, "],\"held_topics\":[");
	first = 1;
	for (size_t i = 0; i < s->lingering.len; i++) {
		pc_sim_topic *tp = s->lingering.items[i];
		if (tp->gone_ms > s->now_ms)
			continue;
		if (!first)
			pc_buf_putc(out, ',');
		pc_buf_put_json_str(out, tp->name);
		first = 0;
	}
	pc_buf_puts(out, "]}");
	return 0;
}
