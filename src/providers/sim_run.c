/*
 * sim_run.c - what happens to a statement and its tables over time: a DDL
 * creates or drops its table (a dropped topic lingers, as Kafka deletes
 * asynchronously), a DML starts (with carry-over and its timeout), stops,
 * fails and expires (docs/emulator.md, "Semantics").
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


/* ---- transitions ---- */

void pc_sim__touch(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	st->resource_version++;
	st->updated_ms = t;
	s->changes++;
}

void pc_sim__set_detail(pc_sim_stmt *st, const char *detail)
{
	char *d = pc_strdup(detail ? detail : ""); /* detail may be st->detail itself */
	free(st->detail);
	st->detail = d;
}

static void add_exception(pc_sim_stmt *st, const char *name, const char *msg, int64_t t)
{
	pc_sim_exception *x = PC_NEW(pc_sim_exception);
	x->name = pc_strdup(name);
	x->message = pc_strdup(msg);
	x->at_ms = t;
	pc_vec_push(&st->exceptions, x);
	if (st->exceptions.len > 10) {
		pc_sim__exception_free(st->exceptions.items[0]);
		pc_vec_remove(&st->exceptions, 0);
	}
}

/*
 * How long a statement that ended in phase ph is kept (0: for ever).
 * Confluent deletes COMPLETED, FAILED and STOPPED statements 30 days after
 * they end; --expire-completed-s keeps the older rule (not STOPPED).
 */
int64_t pc_sim__expire_after(const pc_sim *s, pc_sim_phase ph)
{
	int64_t a = s->opt.expire_terminal_ms, b = ph == PC_SIM_STOPPED ? 0 : s->opt.expire_completed_ms;
	if (a > 0 && b > 0)
		return a < b ? a : b;
	return a > 0 ? a : b > 0 ? b : 0;
}

void pc_sim__schedule_expiry(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	int64_t after = pc_sim__expire_after(s, st->phase);
	st->ended_ms = t;
	st->due_ms = 0;
	if (after > 0)
		pc_sim__schedule(s, st, t + after);
}

static void end_stmt(pc_sim *s, pc_sim_stmt *st, pc_sim_phase ph, int64_t t)
{
	st->phase = ph;
	pc_sim__schedule_expiry(s, st, t);
	pc_sim__touch(s, st, t);
}

void pc_sim__fail_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t, const char *detail, const char *exc_name)
{
	pc_sim_env *e = pc_map_get(&s->envs, st->env);
	pc_sim__advance_stmt(s, st, t);
	if (st->waiting && e) {
		pc_sim__vec_remove_ptr(&e->waiting, st);
		st->waiting = 0;
	}
	pc_sim__set_detail(st, detail); /* detail may be st->detail itself: read st->detail from here on */
	add_exception(st, exc_name ? exc_name : "org.apache.flink.table.api.ValidationException", st->detail, t);
	end_stmt(s, st, PC_SIM_FAILED, t);
}

static int matches_fail(const pc_sim *s, const pc_sim_stmt *st)
{
	pcre2_match_data *md;
	int rc;
	if (!s->fail_re)
		return 0;
	md = pcre2_match_data_create_from_pattern(s->fail_re, NULL);
	rc = pcre2_match(s->fail_re, (PCRE2_SPTR)st->sql, strlen(st->sql), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

pc_sim_topic *pc_sim__live_topic(pc_sim *s, const char *name)
{
	pc_sim_topic *tp = pc_map_get(&s->topics, name);
	return tp && !tp->gone_ms ? tp : NULL;
}

pc_sim_topic *pc_sim__topic_add(pc_sim *s, const char *name, int partitions, int upsert, int64_t t)
{
	pc_sim_topic *tp = PC_NEW(pc_sim_topic);
	tp->name = pc_strdup(name);
	tp->partitions = partitions > 0 ? partitions : 6;
	tp->upsert = upsert;
	tp->incarnation = s->next_incarnation++;
	tp->created_ms = t;
	tp->as_of_ms = t;
	pc_map_put(&s->topics, name, tp);
	s->changes++;
	return tp;
}

static int stmt_uses(const pc_sim_stmt *st, const char *topic)
{
	return pc_vec_find_str(&st->reads, topic) >= 0 || pc_vec_find_str(&st->writes, topic) >= 0;
}

void pc_sim__topic_drop(pc_sim *s, const char *name, int64_t t)
{
	pc_sim_topic *tp = pc_map_get(&s->topics, name);
	char *detail;
	if (!tp || tp->gone_ms)
		return;
	detail = pc_sprintf("Table '%s' was dropped while the statement was running", name);
	for (size_t i = 0; i < s->env_list.len; i++) {
		pc_sim_env *e = s->env_list.items[i];
		for (size_t j = 0; j < e->sorted.len; j++) {
			pc_sim_stmt *st = e->sorted.items[j];
			if (!pc_sim__is_dml(st) || !stmt_uses(st, name))
				continue;
			if (st->phase == PC_SIM_RUNNING || st->phase == PC_SIM_STOPPING)
				pc_sim__fail_stmt(s, st, t, detail, "org.apache.flink.table.api.TableNotExistException");
		}
	}
	free(detail);
	pc_sim__advance_topic(s, tp, t);
	if (s->opt.topic_linger_ms > 0) {
		/* Kafka deletes the topic asynchronously: it lingers, its name taken. */
		tp->gone_ms = t + s->opt.topic_linger_ms;
		pc_vec_push(&s->lingering, tp);
	} else {
		pc_sim__topic_free(pc_map_del(&s->topics, name));
	}
	s->changes++;
}

/* Lingering topics whose deletion is done by t are gone. */
void pc_sim__purge_lingering(pc_sim *s, int64_t t)
{
	for (size_t i = 0; i < s->lingering.len;) {
		pc_sim_topic *tp = s->lingering.items[i];
		if (tp->gone_ms > t || pc_sim__topic_held(s, tp->name)) {
			i++; /* a held one lingers until released (sim_hold.c) */
			continue;
		}
		pc_vec_remove(&s->lingering, i);
		pc_sim__topic_free(pc_map_del(&s->topics, tp->name));
		s->changes++;
	}
}

void pc_sim__start_ddl(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	char *msg = NULL;
	pc_sim_topic *tp = st->op_table ? pc_map_get(&s->topics, st->op_table) : NULL;
	int lingering = tp && tp->gone_ms;

	if (matches_fail(s, st)) {
		pc_sim__fail_stmt(s, st, t, "simulated failure: the statement matches --fail-statement",
			  "org.apache.flink.runtime.JobException");
		return;
	}
	if (st->kind == PC_SIM_KIND_INVALID) {
		pc_sim__fail_stmt(s, st, t, st->detail && *st->detail ? st->detail : "SQL parse failed",
			  "org.apache.flink.table.api.SqlParserException");
		return;
	}
	if ((st->op == PC_SIM_OP_CREATE || st->op == PC_SIM_OP_CTAS || st->op == PC_SIM_OP_MATERIALIZED) &&
	    st->op_partitions > PC_SIM_MAX_PARTITIONS) {
		msg = pc_sprintf("Table '%s': %d partitions exceed the limit of %d", st->op_table, st->op_partitions,
				 PC_SIM_MAX_PARTITIONS);
		pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
		goto done;
	}
	if (st->op == PC_SIM_OP_CREATE) {
		if (lingering) {
			msg = pc_sprintf("Table '%s' already exists: its topic is still being deleted", st->op_table);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.kafka.common.errors.TopicExistsException");
			goto done;
		}
		if (tp && !st->op_if) {
			msg = pc_sprintf("Table '%s' already exists", st->op_table);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.catalog.exceptions.TableAlreadyExistException");
			goto done;
		}
		if (!tp)
			pc_sim__topic_add(s, st->op_table, st->op_partitions, st->op_upsert, t);
	} else if (st->op == PC_SIM_OP_DROP) {
		if (lingering)
			tp = NULL;
		if (!tp && !st->op_if) {
			msg = pc_sprintf("Table '%s' does not exist", st->op_table);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.catalog.exceptions.TableNotExistException");
			goto done;
		}
		if (tp)
			pc_sim__topic_drop(s, st->op_table, t);
	}
	pc_sim__set_detail(st, "");
	end_stmt(s, st, PC_SIM_COMPLETED, t);
done:
	free(msg);
}

static pc_sim_input *find_input(const pc_sim_stmt *st, const char *topic)
{
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		if (strcmp(in->topic, topic) == 0)
			return in;
	}
	return NULL;
}

/* Set up inputs and outputs on the first start (from carry, or earliest). */
static void setup_io(pc_sim *s, pc_sim_stmt *st, const pc_sim_stmt *carry)
{
	for (size_t i = 0; i < st->reads.len; i++) {
		const char *name = st->reads.items[i];
		pc_sim_topic *tp = pc_sim__live_topic(s, name);
		pc_sim_input *in, *old;
		if (!tp || find_input(st, name))
			continue;
		in = PC_NEW(pc_sim_input);
		in->topic = pc_strdup(name);
		in->partitions = tp->partitions;
		in->from = pc_calloc((size_t)tp->partitions, sizeof(int64_t));
		in->pos = pc_calloc((size_t)tp->partitions, sizeof(int64_t));
		old = carry ? find_input(carry, name) : NULL;
		if (old && old->partitions == in->partitions)
			for (int p = 0; p < in->partitions; p++)
				in->from[p] = in->pos[p] = old->pos[p];
		pc_vec_push(&st->inputs, in);
	}
	for (size_t i = 0; i < st->writes.len; i++) {
		pc_sim_output *o = PC_NEW(pc_sim_output);
		o->topic = pc_strdup(st->writes.items[i]);
		pc_vec_push(&st->outputs, o);
	}
	st->started = 1;
}

/* An INSERT's sink is upsert when the table it writes was created as one. */
void pc_sim__refresh_sink_upsert(pc_sim *s, pc_sim_stmt *st)
{
	if (st->op != PC_SIM_OP_NONE)
		return;
	st->op_upsert = 0;
	for (size_t i = 0; i < st->writes.len; i++) {
		pc_sim_topic *tp = pc_sim__live_topic(s, st->writes.items[i]);
		if (tp && tp->upsert)
			st->op_upsert = 1;
	}
}

void pc_sim__start_dml(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	pc_sim_env *e = pc_map_get(&s->envs, st->env);
	pc_sim_stmt *carry = NULL;
	char *msg = NULL;

	if (matches_fail(s, st)) {
		pc_sim__fail_stmt(s, st, t, "simulated failure: the statement matches --fail-statement",
			  "org.apache.flink.runtime.JobException");
		return;
	}
	for (size_t i = 0; i < st->reads.len; i++) {
		if (!pc_sim__live_topic(s, st->reads.items[i])) {
			msg = pc_sprintf("Table '%s' does not exist", (char *)st->reads.items[i]);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
	}
	if (!st->started && (st->op == PC_SIM_OP_CTAS || st->op == PC_SIM_OP_MATERIALIZED)) {
		pc_sim_topic *tp = pc_map_get(&s->topics, st->op_table);
		if (st->op_partitions > PC_SIM_MAX_PARTITIONS) {
			msg = pc_sprintf("Table '%s': %d partitions exceed the limit of %d", st->op_table,
					 st->op_partitions, PC_SIM_MAX_PARTITIONS);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
		if (tp && (tp->gone_ms || (st->op == PC_SIM_OP_CTAS && !st->op_if))) {
			msg = pc_sprintf("Table '%s' already exists", st->op_table);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.catalog.exceptions.TableAlreadyExistException");
			goto done;
		}
		if (!tp)
			pc_sim__topic_add(s, st->op_table, st->op_partitions, st->op_upsert, t);
	}
	for (size_t i = 0; i < st->writes.len; i++) {
		if (!pc_sim__live_topic(s, st->writes.items[i])) {
			msg = pc_sprintf("Table '%s' does not exist", (char *)st->writes.items[i]);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
	}
	pc_sim__refresh_sink_upsert(s, st);
	if (!st->started && st->carry_from) {
		carry = pc_map_get(&e->stmts, st->carry_from);
		if (!carry) {
			msg = pc_sprintf("Statement '%s' referenced in '%s' does not exist", st->carry_from, CARRY_PROP);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
		if (carry->phase != PC_SIM_STOPPED && carry->phase != PC_SIM_FAILED) {
			if (st->waiting && t >= st->wait_since_ms + s->opt.carry_timeout_ms) {
				/* Confluent waits 6 hours for the referenced statement, then fails. */
				msg = pc_sprintf("Referenced statement %s was not stopped within %" PRId64
						 " s: '%s' can not start", st->carry_from,
						 s->opt.carry_timeout_ms / 1000, CARRY_PROP);
				pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
				goto done;
			}
			if (!st->waiting) {
				msg = pc_sprintf("Statement is currently pending until referenced statement %s is stopped",
						 st->carry_from);
				pc_sim__set_detail(st, msg);
				st->waiting = 1;
				st->wait_since_ms = t;
				pc_vec_push(&e->waiting, st);
				pc_sim__touch(s, st, t);
			}
			pc_sim__schedule(s, st, st->wait_since_ms + s->opt.carry_timeout_ms);
			goto done;
		}
		if (st->stateful || st->op_upsert) {
			msg = pc_sprintf("'%s' is only supported for stateless statements with an append-only sink",
					 CARRY_PROP);
			pc_sim__fail_stmt(s, st, t, msg, "org.apache.flink.table.api.ValidationException");
			goto done;
		}
	}
	if (st->waiting) {
		pc_sim__vec_remove_ptr(&e->waiting, st);
		st->waiting = 0;
	}
	if (!st->started)
		setup_io(s, st, carry);
	st->phase = PC_SIM_RUNNING;
	st->as_of_ms = t;
	st->due_ms = 0;
	pc_sim__set_detail(st, "");
	pc_sim__touch(s, st, t);
done:
	free(msg);
}

static void fill_latest_offsets(pc_sim_stmt *st)
{
	pc_buf b = PC_BUF_INIT;
	pc_kv_dispose(&st->latest_offsets);
	for (size_t i = 0; i < st->inputs.len; i++) {
		pc_sim_input *in = st->inputs.items[i];
		pc_buf_clear(&b);
		for (int p = 0; p < in->partitions; p++)
			pc_buf_printf(&b, "%spartition:%d,offset:%" PRId64, p ? ";" : "", p, in->pos[p]);
		pc_kv_set(&st->latest_offsets, in->topic, b.ptr);
	}
	pc_buf_dispose(&b);
}

void pc_sim__finish_stop(pc_sim *s, pc_sim_stmt *st, int64_t t)
{
	pc_sim_env *e = pc_map_get(&s->envs, st->env);
	st->phase = PC_SIM_RUNNING;  /* consume up to the stop */
	pc_sim__advance_stmt(s, st, t);
	st->phase = PC_SIM_STOPPED;
	pc_sim__schedule_expiry(s, st, t);
	fill_latest_offsets(st);
	st->latest_offsets_ms = t;
	pc_sim__set_detail(st, "");
	pc_sim__touch(s, st, t);
	/* wake the statements that wait to carry over from this one */
	for (size_t i = 0; e && i < e->waiting.len; i++) {
		pc_sim_stmt *w = e->waiting.items[i];
		if (w->carry_from && strcmp(w->carry_from, st->name) == 0)
			pc_sim__schedule(s, w, t);
	}
}
