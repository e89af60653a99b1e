/*
 * sim.c - the simulated Confluent Cloud's core (see sim.h): phases, the
 * event heap, environments and their indexes, offsets, and the clock that
 * applies due transitions (sim_run.c) in time order.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sim_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <inttypes.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *phase_names[] = {
	"PENDING", "RUNNING", "COMPLETED", "DELETING", "FAILING",
	"FAILED", "STOPPING", "STOPPED", "DEGRADED",
};

const char *pc_sim_phase_name(pc_sim_phase p)
{
	if ((unsigned)p < sizeof(phase_names) / sizeof(phase_names[0]))
		return phase_names[p];
	return "PENDING";
}

int pc_sim_phase_parse(const char *s, pc_sim_phase *out)
{
	for (size_t i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
		if (s && strcmp(s, phase_names[i]) == 0) {
			*out = (pc_sim_phase)i;
			return 0;
		}
	return pc_error_set(PC_EINVALID, "unknown phase '%s'", s ? s : "");
}

/* ---- the event heap ---- */

static int ev_less(const pc_sim_event *a, const pc_sim_event *b)
{
	return a->due < b->due || (a->due == b->due && a->id < b->id);
}

void pc_sim__heap_push(pc_sim *s, int64_t due, uint64_t id)
{
	size_t i;
	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 64;
		s->heap = pc_realloc(s->heap, pc_st_mult(s->heap_cap, sizeof(*s->heap)));
	}
	i = s->heap_len++;
	s->heap[i].due = due;
	s->heap[i].id = id;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		pc_sim_event tmp;
		if (!ev_less(&s->heap[i], &s->heap[parent]))
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[parent];
		s->heap[parent] = tmp;
		i = parent;
	}
}

static pc_sim_event heap_pop(pc_sim *s)
{
	pc_sim_event top = s->heap[0];
	size_t i = 0;
	s->heap[0] = s->heap[--s->heap_len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		pc_sim_event tmp;
		if (l < s->heap_len && ev_less(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->heap_len && ev_less(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
	return top;
}

void pc_sim__schedule(pc_sim *s, pc_sim_stmt *st, int64_t due)
{
	st->held = 0; /* a new transition: the holds decide again when it is due */
	st->due_ms = due;
	pc_sim__heap_push(s, due, st->id);
}

static pc_sim_stmt *stmt_by_id(pc_sim *s, uint64_t id)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRIu64, id);
	return pc_map_get(&s->by_id, key);
}

/* ---- environments ---- */

pc_sim_pool *pc_sim__pool_add(pc_sim_env *e, const char *id, const char *name, int64_t now, int64_t ready)
{
	pc_sim_pool *p = PC_NEW(pc_sim_pool);
	p->id = pc_strdup(id);
	p->env = pc_strdup(e->id);
	p->display_name = pc_strdup(name);
	p->cloud = pc_strdup("AWS");
	p->region = pc_strdup("local");
	p->max_cfu = 10;
	p->created_ms = now;
	p->ready_ms = ready;
	pc_vec_push(&e->pools, p);
	return p;
}

pc_sim_env *pc_sim_env_get(pc_sim *s, const char *env_id, int64_t now)
{
	pc_sim_env *e = pc_map_get(&s->envs, env_id);
	if (e)
		return e;
	e = PC_NEW(pc_sim_env);
	e->id = pc_strdup(env_id);
	pc_map_init(&e->stmts);
	pc_map_init(&e->archive);
	pc_sim__pool_add(e, DEFAULT_POOL, "local", now, now);
	pc_map_put(&s->envs, env_id, e);
	pc_vec_push(&s->env_list, e);
	s->changes++;
	return e;
}

static int cmp_name_key(const char *name, const pc_sim_stmt *st)
{
	return strcmp(name, st->name);
}

/* First index whose name is > name (strict) or >= name. */
size_t pc_sim__sorted_bound(const pc_vec *v, const char *name, int strict)
{
	size_t lo = 0, hi = v->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_name_key(name, v->items[mid]);
		if (c > 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void pc_sim__sorted_insert(pc_vec *v, pc_sim_stmt *st)
{
	size_t i = pc_sim__sorted_bound(v, st->name, 0);
	pc_vec_push(v, NULL);
	memmove(&v->items[i + 1], &v->items[i], (v->len - 1 - i) * sizeof(void *));
	v->items[i] = st;
}

void pc_sim__sorted_remove(pc_vec *v, pc_sim_stmt *st)
{
	size_t i = pc_sim__sorted_bound(v, st->name, 0);
	if (i < v->len && v->items[i] == st)
		pc_vec_remove(v, i);
}

void pc_sim__vec_remove_ptr(pc_vec *v, const void *p)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->items[i] == p) {
			pc_vec_remove(v, i);
			return;
		}
}

int pc_sim__is_dml(const pc_sim_stmt *st)
{
	return st->kind == PC_SIM_KIND_DML;
}

/* Register a live statement in the indexes (create and load). */
void pc_sim__index_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st)
{
	char key[32];
	snprintf(key, sizeof(key), "%" PRIu64, st->id);
	pc_map_put(&e->stmts, st->name, st);
	pc_sim__sorted_insert(&e->sorted, st);
	pc_map_put(&s->by_id, key, st);
	if (st->id >= s->next_id)
		s->next_id = st->id + 1;
	if (pc_sim__is_dml(st)) {
		for (size_t i = 0; i < st->writes.len; i++) {
			pc_vec *w = pc_map_get(&s->writers, st->writes.items[i]);
			if (!w) {
				w = PC_NEW(pc_vec);
				pc_map_put(&s->writers, st->writes.items[i], w);
			}
			pc_vec_push(w, st);
		}
	}
	if (st->waiting)
		pc_vec_push(&e->waiting, st);
	if (st->due_ms)
		pc_sim__heap_push(s, st->due_ms, st->id);
}

/* ---- offsets ---- */

/* Records k in [0, x) with k mod P == p: written records go round-robin. */
static int64_t rr_count(int64_t x, int P, int p)
{
	if (x <= p)
		return 0;
	return (x - p - 1) / P + 1;
}

int64_t pc_sim_topic_end(const pc_sim *s, const pc_sim_topic *t, int partition)
{
	int64_t feed = (int64_t)(s->opt.produce_rate * (double)t->feed_ms / 1000.0);
	return feed + rr_count(t->written, t->partitions, partition);
}

void pc_sim__advance_topic(pc_sim *s, pc_sim_topic *tp, int64_t t)
{
	pc_vec *w;
	if (tp->gone_ms && t > tp->gone_ms)
		t = tp->gone_ms; /* a dropped topic receives nothing more */
	if (tp->as_of_ms >= t)
		return;
	w = pc_map_get(&s->writers, tp->name);
	if (!w || w->len == 0)
		tp->feed_ms += t - tp->as_of_ms;
	tp->as_of_ms = t;
	if (w)
		for (size_t i = 0; i < w->len; i++)
			pc_sim__advance_stmt(s, w->items[i], t);
}

void pc_sim__advance_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	int64_t n = 0;
	if (st->phase != PC_SIM_RUNNING || st->as_of_ms >= t)
		return;
	st->as_of_ms = t;
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		pc_sim_topic *tp = pc_map_get(&s->topics, in->topic);
		if (!tp || tp->partitions != in->partitions)
			continue;
		pc_sim__advance_topic(s, tp, t);
		for (int p = 0; p < in->partitions; p++) {
			int64_t end = pc_sim_topic_end(s, tp, p);
			if (end > in->pos[p]) {
				n += end - in->pos[p];
				in->pos[p] = end;
			}
		}
	}
	if (n == 0)
		return;
	for (size_t i = 0; i < st->outputs.len; i++) {
		pc_sim_output *o = st->outputs.items[i];
		pc_sim_topic *tp = pc_map_get(&s->topics, o->topic);
		if (!tp)
			continue;
		pc_sim__advance_topic(s, tp, t);
		tp->written += n;
		o->produced += n;
	}
	s->changes++;
}

static void process(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	if ((st->phase == PC_SIM_PENDING || st->phase == PC_SIM_STOPPING) && pc_sim__held(s, st)) {
		/* held (sim_hold.c): a release schedules it again; due_ms stays, so a
		   reloaded state decides again with its own holds */
		st->held = 1;
		return;
	}
	st->held = 0;
	st->due_ms = 0;
	switch (st->phase) {
	case PC_SIM_PENDING:
		if (st->kind == PC_SIM_KIND_DML)
			pc_sim__start_dml(s, st, t);
		else
			pc_sim__start_ddl(s, st, t);
		break;
	case PC_SIM_STOPPING:
		pc_sim__finish_stop(s, st, t);
		break;
	case PC_SIM_COMPLETED:
	case PC_SIM_FAILED:
	case PC_SIM_STOPPED:
		if (pc_sim__expire_after(s, st->phase) > 0 && st->ended_ms && t >= st->ended_ms + pc_sim__expire_after(s, st->phase))
			pc_sim__remove_stmt(s, pc_map_get(&s->envs, st->env), st, t);
		break;
	default:
		break;
	}
}

void pc_sim_tick(pc_sim *s, int64_t now)
{
	if (now > s->now_ms)
		s->now_ms = now;
	now = s->now_ms;
	while (s->heap_len > 0 && s->heap[0].due <= now) {
		pc_sim_event ev = heap_pop(s);
		pc_sim_stmt *st = stmt_by_id(s, ev.id);
		if (!st || st->due_ms != ev.due)
			continue;
		pc_sim__purge_lingering(s, ev.due);
		process(s, st, ev.due);
	}
	pc_sim__purge_lingering(s, now);
}

void pc_sim__remove_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st, int64_t t)
{
	char key[32];
	pc_sim_stmt *old;
	pc_sim__advance_stmt(s, st, t);
	if (pc_sim__is_dml(st)) {
		for (size_t i = 0; i < st->writes.len; i++) {
			pc_vec *w = pc_map_get(&s->writers, st->writes.items[i]);
			pc_sim_topic *tp = pc_map_get(&s->topics, st->writes.items[i]);
			if (tp)
				pc_sim__advance_topic(s, tp, t); /* feed accounting switches at t */
			if (w)
				pc_sim__vec_remove_ptr(w, st);
		}
	}
	if (st->waiting)
		pc_sim__vec_remove_ptr(&e->waiting, st);
	st->waiting = 0;
	/* statements waiting to carry over from this one now fail */
	for (size_t i = 0; i < e->waiting.len; i++) {
		pc_sim_stmt *w = e->waiting.items[i];
		if (w->carry_from && strcmp(w->carry_from, st->name) == 0)
			pc_sim__schedule(s, w, t);
	}
	snprintf(key, sizeof(key), "%" PRIu64, st->id);
	pc_map_del(&s->by_id, key);
	pc_map_del(&e->stmts, st->name);
	pc_sim__sorted_remove(&e->sorted, st);
	if (st->phase == PC_SIM_RUNNING || st->phase == PC_SIM_STOPPING)
		st->phase = PC_SIM_DELETING;
	st->deleted = 1;
	st->due_ms = 0;
	st->updated_ms = t;
	old = pc_map_put(&e->archive, st->name, st);
	pc_sim__stmt_free(old);
	s->changes++;
}
