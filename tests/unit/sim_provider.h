/*
 * sim_provider.h - the real simulation (the local target over providers/sim*.c)
 * behind a thin wrapper for the faults a process sees, not the service:
 *
 * - `crash_after` > 0: that many mutating calls (create, update, delete,
 *   delete topic) reach the simulation, then every call fails with PC_ENET
 *   (the process died mid-apply); set it to 0 and the process is back;
 * - `call_sleep_ms`: every mutating call takes that long, and `max_inflight`
 *   is the most mutating calls that were ever in flight at once;
 * - `get_fail_once`: the first GET of that statement fails with PC_ENET;
 * - a log of the calls, "create NAME", "update NAME stopped=N", "delete NAME",
 *   "delete-topic NAME", and "phase NAME PHASE" when a GET first sees a phase,
 *   and counters of creates, gets (gets_404 of them answered 404), puts and
 *   deletes;
 * - faults the simulation has no switch for, by statement name: `deleting`
 *   reads in phase DELETING; `ghost`: create answers 409, get answers 404;
 *   `linger_name`: once deleted it stays DELETING (and its name taken) for
 *   `linger_ms` (asynchronous deletion); `create_delay_ms` slows creates;
 *   `failing_once`: the first GET that would read it RUNNING reads FAILING
 *   (a transient failure it recovers from); `failing`: it reads FAILING at
 *   every GET once it left PENDING;
 * - a caller's own refusals: `refuse_puts` (every PUT is refused) and
 *   `refuse_create_stopped` (a create with spec.stopped is refused); `refused`
 *   counts them and every create or PUT the simulation answered 400.
 *
 * Statement and topic behaviour (phases, carry-over, stop, DROP deleting the
 * topic, lingering topics, strictness) is the simulation's own. Its timing is
 * set per wrapper (ddl_ms, pending_ms) through the local target's variables;
 * a failing statement is the simulation's --fail-statement (a SQL pattern).
 * Header-only for the unit tests; one wrapper per test, threads welcome.
 */
#ifndef PC_TESTS_SIM_PROVIDER_H
#define PC_TESTS_SIM_PROVIDER_H

#include "model/project.h"
#include "providers/provider.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/map.h"
#include "util/timeutil.h"
#include "util/vec.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sim_provider {
	pc_provider base; /* first: the ops get &base */
	pc_provider *inner;
	char root[64];
	pc_config cfg;
	pthread_mutex_t mu;
	pc_vec log;        /* char * */
	pc_map seen;       /* statement name -> last phase seen (char *) */
	int mutations, crash_after;
	int inflight, max_inflight, call_sleep_ms;
	const char *get_fail_once;
	int creates, gets, gets_404, puts, deletes, refused;
	const char *deleting, *ghost, *linger_name, *failing_once, *failing;
	int create_delay_ms, linger_ms, refuse_puts, refuse_create_stopped;
	int64_t linger_until;
	pc_statement *lingering;
} sim_provider;

typedef struct sim_provider_opts {
	long ddl_ms;              /* a DDL completes after this (0: default 10; < 0: at once) */
	long pending_ms;          /* a DML is PENDING this long (0: default 10; < 0: at once) */
	const char *fail_sql;     /* statements whose SQL matches fail (PCRE2) */
} sim_provider_opts;

static inline sim_provider *sim_of(pc_provider *p)
{
	return (sim_provider *)p;
}

static inline void sim_log(sim_provider *s, const char *fmt, ...)
{
	va_list ap;
	pc_buf b = PC_BUF_INIT;
	va_start(ap, fmt);
	pc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->mu);
	pc_vec_push(&s->log, pc_buf_detach(&b));
	pthread_mutex_unlock(&s->mu);
}

static inline int sim_crashed(sim_provider *s)
{
	int c;
	pthread_mutex_lock(&s->mu);
	c = s->crash_after > 0 && s->mutations >= s->crash_after;
	pthread_mutex_unlock(&s->mu);
	return c;
}

#define SIM_CRASH_ERR() pc_error_set(PC_ENET, "sim: connection refused (simulated crash)")

static inline int sim_begin(sim_provider *s)
{
	pthread_mutex_lock(&s->mu);
	if (s->crash_after > 0 && s->mutations >= s->crash_after) {
		pthread_mutex_unlock(&s->mu);
		return SIM_CRASH_ERR();
	}
	s->mutations++;
	if (++s->inflight > s->max_inflight)
		s->max_inflight = s->inflight;
	pthread_mutex_unlock(&s->mu);
	if (s->call_sleep_ms)
		pc_sleep_ms(s->call_sleep_ms);
	return 0;
}

static inline void sim_bump(sim_provider *s, int *c)
{
	pthread_mutex_lock(&s->mu);
	(*c)++;
	pthread_mutex_unlock(&s->mu);
}

static inline int sim_end(sim_provider *s, int rc)
{
	pthread_mutex_lock(&s->mu);
	s->inflight--;
	if (rc == PC_EINVALID)
		s->refused++;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static inline int sp_list(pc_provider *p, pc_vec *out)
{
	if (sim_crashed(sim_of(p)))
		return SIM_CRASH_ERR();
	return sim_of(p)->inner->ops->list_statements(sim_of(p)->inner, out);
}

static inline int sp_get(pc_provider *p, const char *name, pc_statement **out)
{
	sim_provider *s = sim_of(p);
	int rc, once = 0;
	*out = NULL;
	if (sim_crashed(s))
		return SIM_CRASH_ERR();
	sim_bump(s, &s->gets);
	if (s->ghost && strcmp(name, s->ghost) == 0)
		return pc_error_set(PC_ENOTFOUND, "Statement resource=%s does not exist", name);
	if (s->lingering && strcmp(name, s->lingering->name) == 0 && pc_mono_ms() < s->linger_until) {
		*out = pc_statement_dup(s->lingering);
		return 0;
	}
	pthread_mutex_lock(&s->mu);
	if (s->get_fail_once && strcmp(s->get_fail_once, name) == 0) {
		s->get_fail_once = NULL;
		once = 1;
	}
	pthread_mutex_unlock(&s->mu);
	if (once)
		return pc_error_set(PC_ENET, "sim: get statement '%s': connection reset (injected)", name);
	rc = s->inner->ops->get_statement(s->inner, name, out);
	if (rc == PC_ENOTFOUND)
		sim_bump(s, &s->gets_404);
	if (rc == 0 && s->deleting && strcmp(name, s->deleting) == 0)
		pc_statement_set_phase(*out, "DELETING");
	if (rc == 0 && (*out)->phase && strcmp((*out)->phase, "PENDING") != 0) {
		const char *detail = NULL;
		pthread_mutex_lock(&s->mu);
		if (s->failing && strcmp(name, s->failing) == 0) {
			detail = "stuck failing: checkpoint storage unreachable";
		} else if (s->failing_once && strcmp(name, s->failing_once) == 0 &&
			   strcmp((*out)->phase, "RUNNING") == 0) {
			s->failing_once = NULL;
			detail = "transient: task restarting";
		}
		pthread_mutex_unlock(&s->mu);
		if (detail) {
			pc_statement_set_phase(*out, "FAILING");
			free((*out)->detail);
			(*out)->detail = pc_strdup(detail);
		}
	}
	if (rc == 0 && (*out)->phase) {
		const char *last;
		int fresh;
		pthread_mutex_lock(&s->mu);
		last = pc_map_get(&s->seen, name);
		fresh = !last || strcmp(last, (*out)->phase) != 0;
		if (fresh)
			free(pc_map_put(&s->seen, name, pc_strdup((*out)->phase)));
		pthread_mutex_unlock(&s->mu);
		if (fresh)
			sim_log(s, "phase %s %s", name, (*out)->phase);
	}
	return rc;
}

static inline int sp_create(pc_provider *p, const pc_statement_spec *spec, pc_statement **out)
{
	sim_provider *s = sim_of(p);
	int rc;
	*out = NULL;
	if ((rc = sim_begin(s)) != 0)
		return rc;
	sim_log(s, "create %s", spec->name);
	sim_bump(s, &s->creates);
	if (spec->stopped && s->refuse_create_stopped)
		return sim_end(s, pc_error_set(PC_EINVALID, "strict: spec.stopped on create is not supported"));
	if (s->ghost && strcmp(spec->name, s->ghost) == 0)
		return sim_end(s, pc_error_set(PC_EEXISTS, "Statement name '%s' already exists", spec->name));
	if (s->lingering && strcmp(spec->name, s->lingering->name) == 0 && pc_mono_ms() < s->linger_until)
		return sim_end(s, pc_error_set(PC_EEXISTS, "Statement name '%s' already exists", spec->name));
	if (s->create_delay_ms)
		pc_sleep_ms(s->create_delay_ms);
	return sim_end(s, s->inner->ops->create_statement(s->inner, spec, out));
}

static inline int sp_update(pc_provider *p, const pc_statement *st)
{
	sim_provider *s = sim_of(p);
	int rc;
	if ((rc = sim_begin(s)) != 0)
		return rc;
	sim_log(s, "update %s stopped=%d", st->name, st->stopped);
	sim_bump(s, &s->puts);
	if (s->refuse_puts)
		return sim_end(s, pc_error_set(PC_EINVALID, "strict: statement '%s' cannot be updated", st->name));
	return sim_end(s, s->inner->ops->update_statement(s->inner, st));
}

static inline int sp_delete(pc_provider *p, const char *name)
{
	sim_provider *s = sim_of(p);
	int rc;
	if ((rc = sim_begin(s)) != 0)
		return rc;
	sim_log(s, "delete %s", name);
	sim_bump(s, &s->deletes);
	if (s->linger_ms && s->linger_name && strcmp(name, s->linger_name) == 0) {
		pc_statement *st = NULL;
		if (s->inner->ops->get_statement(s->inner, name, &st) == 0) {
			pc_statement_set_phase(st, "DELETING");
			pc_statement_free(s->lingering);
			s->lingering = st;
			s->linger_until = pc_mono_ms() + s->linger_ms;
		}
	}
	return sim_end(s, s->inner->ops->delete_statement(s->inner, name));
}

static inline int sp_exceptions(pc_provider *p, const char *name, pc_vec *out)
{
	if (sim_crashed(sim_of(p)))
		return SIM_CRASH_ERR();
	return sim_of(p)->inner->ops->list_exceptions(sim_of(p)->inner, name, out);
}

static inline int sp_list_topics(pc_provider *p, pc_vec *out)
{
	if (sim_crashed(sim_of(p)))
		return SIM_CRASH_ERR();
	return sim_of(p)->inner->ops->list_topics(sim_of(p)->inner, out);
}

static inline int sp_get_topic(pc_provider *p, const char *name, pc_topic **out)
{
	*out = NULL;
	if (sim_crashed(sim_of(p)))
		return SIM_CRASH_ERR();
	return sim_of(p)->inner->ops->get_topic(sim_of(p)->inner, name, out);
}

static inline int sp_delete_topic(pc_provider *p, const char *name)
{
	sim_provider *s = sim_of(p);
	int rc;
	if ((rc = sim_begin(s)) != 0)
		return rc;
	sim_log(s, "delete-topic %s", name);
	return sim_end(s, s->inner->ops->delete_topic(s->inner, name));
}

static const pc_provider_ops sim_provider_ops = {
	.name = "sim-wrapped-local",
	.list_statements = sp_list,
	.get_statement = sp_get,
	.create_statement = sp_create,
	.update_statement = sp_update,
	.delete_statement = sp_delete,
	.list_exceptions = sp_exceptions,
	.list_topics = sp_list_topics,
	.get_topic = sp_get_topic,
	.delete_topic = sp_delete_topic,
};

static inline void sim_setenv_ms(const char *var, long ms)
{
	char v[32];
	snprintf(v, sizeof v, "%ld", ms > 0 ? ms : ms < 0 ? -1 : 10);
	setenv(var, v, 1);
}

static inline sim_provider *sim_provider_new(const sim_provider_opts *o)
{
	sim_provider *s = PC_NEW(sim_provider);
	strcpy(s->root, "/tmp/pc-test-sim-XXXXXX");
	if (!mkdtemp(s->root))
		abort();
	s->cfg.root = s->root;
	s->cfg.local_state = ".pipectl/local-state.json";
	sim_setenv_ms("PIPECTL_LOCAL_DDL_MS", o ? o->ddl_ms : 0);
	sim_setenv_ms("PIPECTL_LOCAL_PENDING_MS", o ? o->pending_ms : 0);
	if (o && o->fail_sql)
		setenv("PIPECTL_LOCAL_FAIL_STATEMENT", o->fail_sql, 1);
	else
		unsetenv("PIPECTL_LOCAL_FAIL_STATEMENT");
	if (pc_local_open(&s->inner, &s->cfg) != 0)
		abort();
	pthread_mutex_init(&s->mu, NULL);
	pc_map_init(&s->seen);
	s->base.ops = &sim_provider_ops;
	s->base.impl = s;
	s->base.poll_min_ms = s->inner->poll_min_ms;
	s->base.poll_max_ms = s->inner->poll_max_ms;
	s->base.topic_delete_timeout_ms = 10000;
	return s;
}

static inline void sim_provider_free(sim_provider *s)
{
	char *cmd;
	if (!s)
		return;
	cmd = pc_sprintf("rm -rf '%s'", s->root);
	pc_provider_free(s->inner);
	pc_statement_free(s->lingering);
	if (system(cmd) != 0)
		abort();
	free(cmd);
	pc_vec_dispose(&s->log, free);
	pc_map_dispose(&s->seen, free);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Index of the first log line starting with `prefix`, or -1. */
static inline long sim_log_index(sim_provider *s, const char *prefix)
{
	long at = -1;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->log.len && at < 0; i++)
		if (strncmp(s->log.items[i], prefix, strlen(prefix)) == 0)
			at = (long)i;
	pthread_mutex_unlock(&s->mu);
	return at;
}

/* How many log lines start with `prefix`. */
static inline int sim_count(sim_provider *s, const char *prefix)
{
	int n = 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->log.len; i++)
		if (strncmp(s->log.items[i], prefix, strlen(prefix)) == 0)
			n++;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The simulation's phase of a statement (owned by the caller), NULL when absent. */
static inline char *sim_phase(sim_provider *s, const char *name)
{
	pc_statement *st = NULL;
	char *ph = NULL;
	if (s->inner->ops->get_statement(s->inner, name, &st) == 0 && st->phase)
		ph = pc_strdup(st->phase);
	pc_error_clear();
	pc_statement_free(st);
	return ph;
}

/*
 * Set the world up through the simulation itself (not logged, not counted):
 * run a statement and wait, bounded, until it reaches `phase`. 0 or -1.
 */
static inline int sim_run(sim_provider *s, const char *name, const char *sql, const char *phase)
{
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	int64_t deadline = pc_mono_ms() + 10000;
	spec.name = name;
	spec.sql = sql;
	if (s->inner->ops->create_statement(s->inner, &spec, &st) != 0)
		return -1;
	for (;;) {
		char *ph;
		pc_statement_free(st);
		st = NULL;
		ph = sim_phase(s, name);
		if (ph && strcmp(ph, phase) == 0) {
			free(ph);
			return 0;
		}
		free(ph);
		if (pc_mono_ms() > deadline)
			return -1;
		pc_sleep_ms(2);
	}
}

/* Stop a statement in the simulation and wait, bounded, for STOPPED. 0 or -1. */
static inline int sim_stop(sim_provider *s, const char *name)
{
	pc_statement *st = NULL;
	int64_t deadline = pc_mono_ms() + 10000;
	char *ph;
	if (s->inner->ops->get_statement(s->inner, name, &st) != 0)
		return -1;
	st->stopped = 1;
	if (s->inner->ops->update_statement(s->inner, st) != 0) {
		pc_statement_free(st);
		return -1;
	}
	pc_statement_free(st);
	while (!(ph = sim_phase(s, name)) || strcmp(ph, "STOPPED") != 0) {
		free(ph);
		if (pc_mono_ms() > deadline)
			return -1;
		pc_sleep_ms(2);
	}
	free(ph);
	return 0;
}

/* Wait, bounded, until the simulation no longer shows topic `name`. 0 or -1. */
static inline int sim_topic_gone(sim_provider *s, const char *name)
{
	int64_t deadline = pc_mono_ms() + 10000;
	for (;;) {
		pc_topic *t = NULL;
		int rc = s->inner->ops->get_topic(s->inner, name, &t);
		pc_topic_free(t);
		pc_error_clear();
		if (rc == PC_ENOTFOUND)
			return 0;
		if (pc_mono_ms() > deadline)
			return -1;
		pc_sleep_ms(2);
	}
}

#endif
