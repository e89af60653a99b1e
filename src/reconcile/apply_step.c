/*
 * apply_step.c - one step of a plan, made idempotent: read first, act only
 * on what is missing, then wait for the phase the step needs (plan.h,
 * "How apply runs a plan", point 3 and 4).
 */
#include "apply_internal.h"

#include "../model/naming.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Consecutive read errors a wait tolerates (the provider already retried each). */
#define WAIT_READ_ERRORS 5
#define POOL_WAIT_MS (15 * 60 * 1000)

typedef enum want {
	WANT_COMPLETED,
	WANT_RUNNING,
	WANT_STOPPED,
	WANT_ABSENT,
	WANT_SETTLED, /* no longer in flight: terminal, failed or gone */
} want;

static const char *want_str(want w)
{
	switch (w) {
	case WANT_COMPLETED: return "COMPLETED";
	case WANT_RUNNING: return "RUNNING";
	case WANT_STOPPED: return "STOPPED";
	case WANT_ABSENT: return "deleted";
	case WANT_SETTLED: return "finished";
	}
	return "?";
}

/* A compute pool's phase (pools have their own phases, not statement ones). */
static int pool_phase_is(const char *phase, const char *name)
{
	return phase && strcmp(phase, name) == 0;
}

/* Still already: nothing to stop (STOPPED, COMPLETED, FAILED, FAILING). */
static int phase_still(pc_phase ph)
{
	return pc_phase_terminal(ph) || pc_phase_failed(ph);
}

void pc_step_ctx_init(pc_step_ctx *c, const pc_step_env *env, pc_action_result *res, const pc_action *action)
{
	memset(c, 0, sizeof(*c));
	c->env = env;
	c->p = env->p;
	c->o = env->o;
	c->res = res;
	c->action = action;
	c->deadline = pc_mono_ms() + env->o->action_timeout_ms;
	if (env->total_deadline && env->total_deadline < c->deadline)
		c->deadline = env->total_deadline;
}

void pc_step_ctx_dispose(pc_step_ctx *c)
{
	free(c->exception);
	free(c->pending_running);
	free(c->failed);
	c->exception = c->pending_running = c->failed = NULL;
}

/* What a step does, for the progress display (one callback at a time). */
static void progress(pc_step_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(pc_step_ctx *c, const char *fmt, ...)
{
	pc_apply_event ev;
	pc_buf b = PC_BUF_INIT;
	va_list ap;
	if (!c->o->progress)
		return;
	va_start(ap, fmt);
	pc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	ev.kind = PC_APPLY_EV_STEP;
	ev.result = c->res;
	ev.text = b.ptr;
	pthread_mutex_lock(c->env->cb_mu);
	c->o->progress(c->o->progress_ctx, &ev);
	pthread_mutex_unlock(c->env->cb_mu);
	pc_buf_dispose(&b);
}

/* Pool id created or found for a display name by a setup step (borrowed) or NULL. */
static const char *pool_of(pc_step_ctx *c, const char *display_name)
{
	const char *id;
	pthread_mutex_lock(c->env->cb_mu);
	id = pc_map_get(c->env->pools, display_name);
	pthread_mutex_unlock(c->env->cb_mu);
	return id;
}

static void set_pool(pc_step_ctx *c, const char *display_name, const char *id)
{
	pthread_mutex_lock(c->env->cb_mu);
	free(pc_map_put(c->env->pools, display_name, pc_strdup(id)));
	pthread_mutex_unlock(c->env->cb_mu);
}

/* Second stage of a cancel (flag >= 2) or the total deadline: waits give up. */
static int abort_waits(const pc_step_ctx *c)
{
	if (c->o->cancel && *c->o->cancel >= 2)
		return 1;
	return c->env->total_deadline && pc_mono_ms() >= c->env->total_deadline;
}

/* The message of a FAILED statement, with its latest exception kept aside. */
static int failed_error(pc_step_ctx *c, const pc_statement *st)
{
	pc_vec ex = PC_VEC_INIT;
	const char *detail = st->detail && *st->detail ? st->detail : NULL;
	int code;

	free(c->failed);
	c->failed = pc_strdup(st->name);
	if (c->p->ops->list_exceptions(c->p, st->name, &ex) == 0 && ex.len > 0) {
		const pc_statement_exception *e = ex.items[0];
		free(c->exception);
		c->exception = pc_strdup(e->message ? e->message : e->name);
	}
	pc_vec_dispose(&ex, pc_statement_exception_free);
	if (detail)
		code = pc_error_set(PC_ERROR, "statement '%s' %s: %s", st->name, st->phase, detail);
	else if (c->exception)
		code = pc_error_set(PC_ERROR, "statement '%s' %s: %s", st->name, st->phase, c->exception);
	else
		code = pc_error_set(PC_ERROR, "statement '%s' %s", st->name, st->phase);
	return code;
}

/*
 * Poll backoff: x1.25 per poll from poll_min_ms up to poll_max_ms. A gentle
 * factor keeps the time lost after a phase change under a quarter of the
 * wait (doubling could nearly double every wait along a critical path),
 * while a long wait still settles at one read per poll_max_ms.
 */
static int64_t next_delay(const pc_step_ctx *c, int64_t d)
{
	d += d / 4 > 0 ? d / 4 : 1;
	return d > c->o->poll_max_ms ? c->o->poll_max_ms : d;
}

static int sleep_or_abort(pc_step_ctx *c, int64_t ms)
{
	int64_t until = pc_mono_ms() + ms;
	while (pc_mono_ms() < until) {
		int64_t left = until - pc_mono_ms();
		if (abort_waits(c))
			return pc_error_set(PC_ECANCELED, "interrupted");
		pc_sleep_ms(left < 100 ? left : 100);
	}
	return 0;
}

/*
 * Poll a statement until it reaches what w asks for, with backoff. A phase
 * change is reported to the progress display. Reaching the deadline is
 * PC_ETIMEOUT; a FAILED statement ends the wait with its exception.
 */
static int wait_for(pc_step_ctx *c, const char *name, want w)
{
	pc_statement *st = NULL;
	char *seen = NULL;
	int64_t delay = c->o->poll_min_ms;
	int errors = 0, failing_seen = 0, rc;

	for (;;) {
		pc_statement_free(st);
		st = NULL;
		rc = c->p->ops->get_statement(c->p, name, &st);
		if (rc == PC_ENOTFOUND) {
			if (w == WANT_ABSENT || w == WANT_STOPPED || w == WANT_SETTLED) {
				rc = 0;
				goto done;
			}
			rc = pc_error_set(PC_ENOTFOUND, "statement '%s' disappeared while waiting for it to be %s",
					  name, want_str(w));
			goto done;
		}
		if (rc != 0) {
			if (++errors > WAIT_READ_ERRORS)
				goto done;
		} else {
			const char *shown = st->phase ? st->phase : "";
			pc_phase ph = st->ph;
			errors = 0;
			if (ph != PC_PHASE_FAILING)
				failing_seen = 0;
			if (!seen || strcmp(seen, shown) != 0) {
				free(seen);
				seen = pc_strdup(shown);
				progress(c, "wait for '%s' to be %s: %s", name, want_str(w), shown);
			}
			/* PC_PHASE_UNKNOWN matches no case: keep polling until the deadline. */
			switch (w) {
			case WANT_COMPLETED:
				if (ph == PC_PHASE_COMPLETED)
					goto done;
				break;
			case WANT_RUNNING:
				/* A bounded DML (INSERT ... VALUES) ends COMPLETED: that is success too. */
				if (pc_phase_running(ph) || ph == PC_PHASE_COMPLETED)
					goto done;
				if (ph == PC_PHASE_STOPPED) {
					rc = pc_error_set(PC_ERROR, "statement '%s' was stopped while waiting for it to run", name);
					goto done;
				}
				break;
			case WANT_STOPPED:
				if (phase_still(ph))
					goto done;
				break;
			case WANT_SETTLED:
				if (phase_still(ph))
					goto done;
				break;
			case WANT_ABSENT:
				break;
			}
			/* FAILING seen once is read again before it counts: it may still recover */
			if (ph == PC_PHASE_FAILING && !failing_seen) {
				failing_seen = 1;
			} else if (w != WANT_STOPPED && w != WANT_ABSENT && w != WANT_SETTLED && pc_phase_failed(ph)) {
				rc = failed_error(c, st);
				goto done;
			}
		}
		if (pc_mono_ms() >= c->deadline) {
			rc = pc_error_set(PC_ETIMEOUT, "timed out waiting for statement '%s' to be %s (phase %s%s%s)",
					  name, want_str(w), seen ? seen : "unknown",
					  st && st->detail && *st->detail ? ": " : "",
					  st && st->detail ? st->detail : "");
			goto done;
		}
		if ((rc = sleep_or_abort(c, delay)) != 0) {
			pc_error_set(PC_ECANCELED, "interrupted while waiting for statement '%s' to be %s", name, want_str(w));
			goto done;
		}
		delay = next_delay(c, delay);
	}
done:
	pc_statement_free(st);
	free(seen);
	return rc;
}

/* ---- stop / resume ---- */

static int step_stop(pc_step_ctx *c, const pc_step *s)
{
	pc_statement *st = NULL;
	int rc;

	rc = c->p->ops->get_statement(c->p, s->statement, &st);
	if (rc == PC_ENOTFOUND) {
		rc = 0; /* nothing to stop */
		goto done;
	}
	if (rc != 0)
		goto done;
	if (phase_still(st->ph))
		goto done; /* already still (an unknown phase is stopped: it may be writing) */
	if (!st->stopped) {
		progress(c, "stop statement '%s'", s->statement);
		rc = pc_provider_set_stopped(c->p, s->statement, 1, NULL);
		if (rc == PC_ENOTFOUND) {
			rc = 0;
			goto done;
		}
		if (rc != 0)
			goto done;
	}
	rc = wait_for(c, s->statement, WANT_STOPPED);
done:
	pc_statement_free(st);
	return rc;
}

static const char *step_pool(pc_step_ctx *c, const pc_step *s)
{
	if (s->compute_pool)
		return s->compute_pool;
	if (s->pool_display_name)
		return pool_of(c, s->pool_display_name);
	return NULL;
}

static int step_resume(pc_step_ctx *c, const pc_step *s)
{
	pc_statement *st = NULL;
	const char *pool = step_pool(c, s);
	int rc = 0;

	if (s->pool_display_name && !s->compute_pool && !pool)
		return pc_error_set(PC_EINVALID, "compute pool '%s' was not created", s->pool_display_name);
	for (int attempt = 1; attempt <= 5; attempt++) {
		pc_statement_free(st);
		st = NULL;
		rc = c->p->ops->get_statement(c->p, s->statement, &st);
		if (rc == PC_ENOTFOUND) {
			rc = pc_error_set(PC_ENOTFOUND, "cannot resume statement '%s': it does not exist", s->statement);
			goto done;
		}
		if (rc != 0)
			goto done;
		if (!st->stopped && pc_phase_live(st->ph) && st->ph != PC_PHASE_STOPPING)
			break; /* already resumed (a previous run): only wait */
		if (st->ph == PC_PHASE_STOPPING) {
			if ((rc = wait_for(c, s->statement, WANT_STOPPED)) != 0)
				goto done;
			continue;
		}
		st->stopped = 0;
		if (pool) {
			free(st->compute_pool_id);
			st->compute_pool_id = pc_strdup(pool);
		}
		/* Only stopped, the pool and the principal change on Confluent: never properties or labels. */
		progress(c, "resume statement '%s'%s%s", s->statement,
				       pool ? " on pool " : "", pool ? pool : "");
		rc = c->p->ops->update_statement(c->p, st);
		if (rc != PC_ECONFLICT)
			break;
		pc_sleep_ms(50 * attempt);
	}
	if (rc != 0)
		goto done;
	rc = wait_for(c, s->statement, WANT_RUNNING);
done:
	pc_statement_free(st);
	return rc;
}

static int step_delete(pc_step_ctx *c, const pc_step *s)
{
	int rc;

	progress(c, "delete statement '%s'", s->statement);
	rc = c->p->ops->delete_statement(c->p, s->statement);
	if (rc == PC_ENOTFOUND)
		return 0; /* deleted already */
	if (rc != 0)
		return rc;
	return wait_for(c, s->statement, WANT_ABSENT);
}

/* ---- create (DDL, DML, DROP) ---- */

/*
 * Create a statement unless it exists already (a previous run created it:
 * adopt it). *created tells which.
 */
static int create_or_adopt(pc_step_ctx *c, const pc_step *s, int *created)
{
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	const char *pool = step_pool(c, s);
	int rc;

	*created = 0;
	if (s->pool_display_name && !s->compute_pool && !pool)
		return pc_error_set(PC_EINVALID, "compute pool '%s' was not created", s->pool_display_name);
	rc = c->p->ops->get_statement(c->p, s->statement, &st);
	pc_statement_free(st);
	if (rc == 0)
		return 0;
	if (rc != PC_ENOTFOUND)
		return rc;
	spec.name = s->statement;
	spec.sql = s->sql;
	spec.compute_pool_id = pool ? pool : c->p->default_pool;
	spec.principal = c->p->principal;
	spec.properties = &s->properties;
	spec.labels = &s->labels;
	progress(c, "create statement '%s'", s->statement);
	st = NULL;
	rc = c->p->ops->create_statement(c->p, &spec, &st);
	pc_statement_free(st);
	if (rc == PC_ECONFLICT || rc == PC_EEXISTS)
		return 0; /* our earlier (retried) create got there: adopt it */
	if (rc == 0)
		*created = 1;
	return rc;
}

/*
 * Never race an interrupted run: every other managed DDL or DROP statement
 * of the table that the snapshot saw in flight must have finished before
 * this step creates its own (an older DROP completing after a new CREATE
 * would drop the new table). One GET per such statement, usually none.
 */
static int wait_in_flight(pc_step_ctx *c, const pc_step *s)
{
	const pc_actual_table *t;
	int rc = 0;

	if (!c->o->actual || !s->table)
		return 0;
	t = pc_map_get(&c->o->actual->by_table, s->table);
	for (size_t i = 0; t && i < t->ddls.len && rc == 0; i++) {
		const pc_actual_stmt *as = t->ddls.items[i];
		if (phase_still(as->st->ph) || (s->statement && !strcmp(as->st->name, s->statement)))
			continue;
		progress(c, "wait for '%s' of an interrupted run to finish", as->st->name);
		rc = wait_for(c, as->st->name, WANT_SETTLED);
	}
	return rc;
}

/*
 * Wait, within the target's topic_delete_timeout_ms, for table's topic to be
 * gone: Kafka deletes a dropped table's topic asynchronously. drop: the
 * statement whose completion should have removed it (for the message).
 */
static int wait_topic_gone(pc_step_ctx *c, const char *table, const char *drop)
{
	int64_t limit = c->p->topic_delete_timeout_ms > 0 ? c->p->topic_delete_timeout_ms
							    : PC_TOPIC_DELETE_TIMEOUT_MS_DEFAULT;
	int64_t until = pc_mono_ms() + limit;
	int errors = 0, reported = 0, rc;

	for (int64_t d = c->o->poll_min_ms;; d = next_delay(c, d)) {
		pc_topic *topic = NULL;
		rc = c->p->ops->get_topic(c->p, table, &topic);
		pc_topic_free(topic);
		if (rc == PC_ENOTFOUND)
			return 0;
		if (rc != 0 && ++errors > WAIT_READ_ERRORS)
			return rc;
		if (rc == 0)
			errors = 0;
		if (pc_mono_ms() >= until)
			return pc_error_set(PC_ETIMEOUT,
					    "table '%s': its topic still exists %lld s after '%s' completed "
					    "(Kafka deletes topics asynchronously; confluent.topic_delete_timeout): "
					    "apply again later",
					    table, (long long)(limit / 1000), drop);
		if (!reported++)
			progress(c, "wait for the topic of '%s' to be deleted", table);
		if ((rc = sleep_or_abort(c, d)) != 0)
			return rc;
	}
}

static int is_already_exists(const pc_statement *st)
{
	return st && pc_phase_failed(st->ph) && st->detail && strstr(st->detail, "already exists");
}

/*
 * Whether a DROP of s's table by pipectl may still hold the name: a drop
 * step of this action before s (drop_table, or a DROP VIEW run as DDL), or
 * the snapshot's newest DDL-side statement of the table is a managed DROP
 * (an earlier run's, completed or in flight: its topic may linger).
 */
static int drop_by_us_known(const pc_step_ctx *c, const pc_step *s)
{
	const pc_actual_table *t;
	for (size_t i = 0; c->action && i < c->action->steps.len; i++) {
		const pc_step *d = c->action->steps.items[i];
		const char *kind = pc_kv_get(&d->labels, PC_LABEL_KIND);
		if (d == s)
			break;
		if (d->table && !strcmp(d->table, s->table) &&
		    (d->kind == PC_STEP_DROP_TABLE || (kind && !strcmp(kind, "drop"))))
			return 1;
	}
	t = c->o->actual ? pc_map_get(&c->o->actual->by_table, s->table) : NULL;
	return t && t->ddls.len && ((const pc_actual_stmt *)t->ddls.items[0])->kind == PC_NAME_DROP;
}

static int step_run_ddl(pc_step_ctx *c, const pc_step *s)
{
	int64_t limit = c->p->topic_delete_timeout_ms > 0 ? c->p->topic_delete_timeout_ms
							    : PC_TOPIC_DELETE_TIMEOUT_MS_DEFAULT;
	int64_t until = pc_mono_ms() + limit, d = c->o->poll_min_ms;
	int created, rc;

	if ((rc = wait_in_flight(c, s)) != 0)
		return rc;
	for (;;) {
		pc_statement *st = NULL;
		int exists;
		if ((rc = create_or_adopt(c, s, &created)) != 0)
			return rc;
		rc = wait_for(c, s->statement, WANT_COMPLETED);
		if (rc == 0 || !s->table)
			return rc;
		/*
		 * A CREATE TABLE that met "already exists" while the table's old
		 * topic is still being deleted (Kafka may already answer 404 for
		 * it): wait for the topic to go, then run it again (the failed
		 * statement deleted first: names are unique), until the target's
		 * topic_delete_timeout_ms.
		 */
		exists = c->p->ops->get_statement(c->p, s->statement, &st) == 0 && is_already_exists(st);
		if (exists && !drop_by_us_known(c, s)) {
			/* nothing of ours is going away: waiting would only take topic_delete_timeout to say so */
			rc = pc_error_set(PC_ERROR,
					  "table '%s': statement '%s' failed: %s; no DROP of the table by pipectl is "
					  "pending or known, so it was made outside this plan: plan again",
					  s->table, s->statement, st->detail);
			pc_statement_free(st);
			return rc;
		}
		pc_statement_free(st);
		if (!exists)
			return rc;
		if (pc_mono_ms() >= until)
			return pc_error_set(PC_ETIMEOUT,
					    "table '%s': statement '%s' still meets 'already exists' %lld s after the "
					    "table was dropped (its topic is still being deleted; "
					    "confluent.topic_delete_timeout): apply again later",
					    s->table, s->statement, (long long)(limit / 1000));
		if ((rc = wait_topic_gone(c, s->table, s->statement)) != 0)
			return rc;
		if ((rc = sleep_or_abort(c, d)) != 0)
			return rc;
		d = next_delay(c, d);
		progress(c, "run '%s' again: the old topic of '%s' is being deleted", s->statement, s->table);
		rc = c->p->ops->delete_statement(c->p, s->statement);
		if (rc != 0 && rc != PC_ENOTFOUND)
			return rc;
		if ((rc = wait_for(c, s->statement, WANT_ABSENT)) != 0)
			return rc;
	}
}

/*
 * Never two DML statements writing one table: every other managed DML of
 * the table that the snapshot saw live must be still now (the plan's
 * teardown stopped it), except the carry-over source. One GET per such
 * statement, usually none.
 */
static int check_single_writer(pc_step_ctx *c, const pc_step *s)
{
	const pc_actual_table *t;
	int rc = 0;

	if (!c->o->actual || !s->table)
		return 0;
	t = pc_map_get(&c->o->actual->by_table, s->table);
	if (!t)
		return 0;
	for (size_t i = 0; i < t->dmls.len; i++) {
		const pc_actual_stmt *as = t->dmls.items[i];
		pc_statement *st = NULL;
		const char *name = as->st->name;

		if (strcmp(name, s->statement) == 0 || (s->carry_from && strcmp(name, s->carry_from) == 0))
			continue;
		if (!pc_phase_live(as->st->ph) && as->st->ph != PC_PHASE_UNKNOWN)
			continue; /* still when the snapshot was taken */
		rc = c->p->ops->get_statement(c->p, name, &st);
		if (rc == PC_ENOTFOUND) {
			rc = 0;
			continue;
		}
		/* one in an unknown phase may be writing: refuse as for a live one */
		if (rc == 0 && (pc_phase_live(st->ph) || st->ph == PC_PHASE_UNKNOWN) &&
		    !(st->stopped && st->ph == PC_PHASE_STOPPING))
			rc = pc_error_set(PC_ECONFLICT,
					  "refusing to create statement '%s': statement '%s' still writes table '%s' (%s)",
					  s->statement, name, s->table, st->phase ? st->phase : "no phase");
		else if (rc == 0 && st->ph == PC_PHASE_STOPPING)
			rc = wait_for(c, name, WANT_STOPPED);
		pc_statement_free(st);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int step_create_dml(pc_step_ctx *c, const pc_step *s)
{
	pc_statement *st = NULL;
	int created, rc;

	/* Adopt a statement a previous run created; a FAILED one ends here. */
	rc = c->p->ops->get_statement(c->p, s->statement, &st);
	if (rc == 0 && st->ph == PC_PHASE_FAILED) {
		rc = failed_error(c, st);
		pc_statement_free(st);
		return rc;
	}
	pc_statement_free(st);
	if (rc == PC_ENOTFOUND) {
		if ((rc = check_single_writer(c, s)) != 0)
			return rc;
	} else if (rc != 0) {
		return rc;
	}
	if ((rc = create_or_adopt(c, s, &created)) != 0)
		return rc;
	if (!s->wait && s->carry_from) {
		/* Stays PENDING until carry_from is stopped by the next step. */
		free(c->pending_running);
		c->pending_running = pc_strdup(s->statement);
		return 0;
	}
	return wait_for(c, s->statement, WANT_RUNNING);
}

/*
 * A rebuild run again after a crash: its DROP completed, then its own DDL
 * (a later step of the same action) created the table again. The table is
 * the new one and must not be dropped.
 */
static int rebuilt_by_this_action(pc_step_ctx *c, const pc_step *drop)
{
	int after = 0;
	if (!c->action)
		return 0;
	for (size_t i = 0; i < c->action->steps.len; i++) {
		const pc_step *s = c->action->steps.items[i];
		pc_statement *st = NULL;
		int rc;
		if (s == drop) {
			after = 1;
			continue;
		}
		if (!after || s->kind != PC_STEP_RUN_DDL || !s->table || strcmp(s->table, drop->table) != 0)
			continue;
		rc = c->p->ops->get_statement(c->p, s->statement, &st);
		pc_statement_free(st);
		if (rc == 0)
			return 1;
	}
	return 0;
}

static int step_drop_table(pc_step_ctx *c, const pc_step *s)
{
	pc_statement *st = NULL;
	pc_topic *topic = NULL;
	int created, rc;

	if ((rc = wait_in_flight(c, s)) != 0)
		goto done;
	/* A DROP statement of this name from a previous run: let it finish first. */
	rc = c->p->ops->get_statement(c->p, s->statement, &st);
	if (rc == 0 && st->ph != PC_PHASE_COMPLETED) {
		if ((rc = wait_for(c, s->statement, WANT_COMPLETED)) != 0)
			goto done;
	} else if (rc != 0 && rc != PC_ENOTFOUND) {
		goto done;
	}
	rc = c->p->ops->get_topic(c->p, s->table, &topic);
	if (rc == PC_ENOTFOUND) {
		rc = 0; /* dropped already: never twice */
		goto done;
	}
	if (rc != 0)
		goto done;
	if ((rc = create_or_adopt(c, s, &created)) != 0)
		goto done;
	if (!created) {
		pc_statement_free(st);
		st = NULL;
		if ((rc = c->p->ops->get_statement(c->p, s->statement, &st)) != 0)
			goto done;
		if (st->ph == PC_PHASE_COMPLETED && rebuilt_by_this_action(c, s)) {
			rc = 0; /* the table there now is the one this action's DDL made */
			goto done;
		}
		if (st->ph == PC_PHASE_COMPLETED) {
			/* Its topic may still be going (a rerun soon after): wait; else it was created again. */
			if ((rc = wait_topic_gone(c, s->table, s->statement)) == PC_ETIMEOUT)
				rc = pc_error_set(PC_ERROR,
						  "drop statement '%s' completed before, yet table '%s' still exists: "
						  "its topic is not deleted or it was created again: plan again",
						  s->statement, s->table);
			goto done;
		}
	}
	if ((rc = wait_for(c, s->statement, WANT_COMPLETED)) != 0)
		goto done;
	/* Kafka deletes the topic asynchronously (Terraform waits up to an hour). */
	rc = wait_topic_gone(c, s->table, s->statement);
done:
	pc_statement_free(st);
	pc_topic_free(topic);
	return rc;
}

/* ---- compute pool (setup) ---- */

static int step_create_pool(pc_step_ctx *c, const pc_step *s)
{
	pc_vec pools = PC_VEC_INIT;
	pc_pool *pool = NULL;
	pc_pool_spec spec = { 0 };
	char *id = NULL;
	int64_t until, delay = c->o->poll_min_ms;
	int rc;

	if ((rc = c->p->ops->list_pools(c->p, &pools)) != 0)
		goto done;
	for (size_t i = 0; i < pools.len; i++) {
		pc_pool *pp = pools.items[i];
		if (pp->display_name && strcmp(pp->display_name, s->pool_display_name) == 0) {
			id = pc_strdup(pp->id);
			break;
		}
	}
	if (!id) {
		spec.display_name = s->pool_display_name;
		progress(c, "create compute pool '%s'", s->pool_display_name);
		if ((rc = c->p->ops->create_pool(c->p, &spec, &pool)) != 0)
			goto done;
		id = pc_strdup(pool->id);
	}
	until = pc_mono_ms() + POOL_WAIT_MS;
	for (;;) {
		pc_pool_free(pool);
		pool = NULL;
		if ((rc = c->p->ops->get_pool(c->p, id, &pool)) != 0)
			goto done;
		if (pool_phase_is(pool->phase, "PROVISIONED"))
			break;
		if (pool_phase_is(pool->phase, "FAILED")) {
			rc = pc_error_set(PC_ERROR,
					  "compute pool '%s' (%s) FAILED to provision: delete it in Confluent Cloud, "
					  "then apply again",
					  s->pool_display_name, id);
			goto done;
		}
		if (pc_mono_ms() >= until) {
			rc = pc_error_set(PC_ETIMEOUT, "timed out waiting for compute pool '%s' (%s) to provision",
					  s->pool_display_name, id);
			goto done;
		}
		if ((rc = sleep_or_abort(c, delay)) != 0)
			goto done;
		delay = next_delay(c, delay);
	}
	set_pool(c, s->pool_display_name, id);
done:
	pc_vec_dispose(&pools, pc_pool_free);
	pc_pool_free(pool);
	free(id);
	return rc;
}

/* ---- a replacement whose new statement failed ---- */

/* The create_dml step of a replacement (carrying offsets) whose statement is the one that FAILED, or NULL. */
static const pc_step *failed_replacement(const pc_step_ctx *c)
{
	if (!c->action || !c->failed)
		return NULL;
	for (size_t i = 0; i < c->action->steps.len; i++) {
		const pc_step *s = c->action->steps.items[i];
		if (s->kind == PC_STEP_CREATE_DML && s->carry_from && !strcmp(s->statement, c->failed))
			return s;
	}
	return NULL;
}

int pc_apply_step_undo_replace(pc_step_ctx *c, char **done)
{
	const pc_step *s = failed_replacement(c);
	pc_statement *old = NULL;
	int rc;

	*done = NULL;
	if (!s)
		return 0;
	c->deadline = pc_mono_ms() + c->o->action_timeout_ms;
	rc = c->p->ops->get_statement(c->p, s->carry_from, &old);
	if (rc == 0 && pc_phase_stopping_or_stopped(old->ph)) {
		/* the new statement never ran: the old one's offsets are intact, it goes on from them */
		progress(c, "resume statement '%s' (its replacement failed)", s->carry_from);
		if ((rc = wait_for(c, s->carry_from, WANT_STOPPED)) == 0 &&
		    (rc = pc_provider_set_stopped(c->p, s->carry_from, 0, NULL)) == 0)
			rc = wait_for(c, s->carry_from, WANT_RUNNING);
		if (rc != 0)
			goto done;
		*done = pc_sprintf("'%s' resumed", s->carry_from);
	} else if (rc != 0 && rc != PC_ENOTFOUND) {
		goto done;
	}
	progress(c, "delete the failed statement '%s'", s->statement);
	rc = c->p->ops->delete_statement(c->p, s->statement);
	if (rc == PC_ENOTFOUND)
		rc = 0;
	if (rc == 0) {
		char *msg = pc_sprintf("%s%sthe failed '%s' deleted", *done ? *done : "", *done ? ", " : "", s->statement);
		free(*done);
		*done = msg;
	}
done:
	pc_statement_free(old);
	return rc;
}

/* ---- dispatch ---- */

int pc_apply_step_run(pc_step_ctx *c, const pc_step *s)
{
	int rc;

	/*
	 * A carry-over DML created (or adopted) by an earlier step waits for its
	 * source to stop. Only a stop may come before it runs: anything else
	 * (deleting the source above all, when a rerun finds it stopped already)
	 * waits until it is RUNNING, or the new statement would fail with its
	 * reference gone.
	 */
	if (c->pending_running && s->kind != PC_STEP_STOP_STATEMENT && s->kind != PC_STEP_CREATE_DML &&
	    (rc = pc_apply_step_finish(c)) != 0)
		return rc;
	switch (s->kind) {
	case PC_STEP_STOP_STATEMENT: rc = step_stop(c, s); break;
	case PC_STEP_DELETE_STATEMENT: rc = step_delete(c, s); break;
	case PC_STEP_DROP_TABLE: rc = step_drop_table(c, s); break;
	case PC_STEP_RUN_DDL: rc = step_run_ddl(c, s); break;
	case PC_STEP_CREATE_DML: rc = step_create_dml(c, s); break;
	case PC_STEP_RESUME_STATEMENT: rc = step_resume(c, s); break;
	case PC_STEP_CREATE_POOL: rc = step_create_pool(c, s); break;
	default:
		return pc_error_set(PC_EINVALID, "unknown plan step %d", (int)s->kind);
	}
	if (rc != 0)
		return rc;
	/* the source is stopped: the carry-over DML starts now */
	if (c->pending_running && s->kind == PC_STEP_STOP_STATEMENT)
		return pc_apply_step_finish(c);
	return 0;
}

int pc_apply_step_finish(pc_step_ctx *c)
{
	int rc;
	char *name = c->pending_running;

	if (!name)
		return 0;
	c->pending_running = NULL;
	rc = wait_for(c, name, WANT_RUNNING);
	free(name);
	return rc;
}
