/*
 * apply_step.c - one step of a plan, made idempotent: read first, act only
 * on what is missing, then wait for the phase the step needs (plan.h,
 * "How apply runs a plan", point 3 and 4).
 *
 * "Read first" costs no request when the run already knows: the snapshot the
 * plan was made from (read once, under the lock) and the responses of the
 * run's own requests say which statements exist (pc_known below). A create
 * of a statement known to be absent is sent at once: it is conditional by
 * itself (names are unique: 409), and a 409 is answered by reading the
 * statement and adopting it. Waits start from the create's own response and
 * poll at the phase's cadence (docs/apply.md, "Requests").
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

/* ---- what this run knows of each statement ---- */

/* One statement as this run last saw it through its own requests. */
typedef struct known_stmt {
	int present;      /* 0: answered 404 */
	int stale;        /* changed by a request of ours without a body (PUT, DELETE): read it again */
	pc_phase ph;      /* when present */
	int stopped;      /* spec.stopped, when present */
} known_stmt;

struct pc_known {
	pthread_mutex_t mu;
	pc_map by_name;   /* statement name -> known_stmt * (owned) */
};

pc_known *pc_known_new(void)
{
	pc_known *k = PC_NEW(pc_known);
	pthread_mutex_init(&k->mu, NULL);
	pc_map_init(&k->by_name);
	return k;
}

void pc_known_free(pc_known *k)
{
	if (!k)
		return;
	pc_map_dispose(&k->by_name, free);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

/* Record what a response of ours said of name: st, or NULL for 404; stale: we just changed it. */
static void learn(pc_step_ctx *c, const char *name, const pc_statement *st, int stale)
{
	pc_known *kn = c->env->known;
	known_stmt *k;
	if (!kn || !name)
		return;
	pthread_mutex_lock(&kn->mu);
	if (!(k = pc_map_get(&kn->by_name, name))) {
		k = PC_NEW(known_stmt);
		pc_map_put(&kn->by_name, name, k);
	}
	k->present = st != NULL || stale;
	k->stale = stale;
	k->ph = st ? st->ph : PC_PHASE_UNKNOWN;
	k->stopped = st ? st->stopped : 0;
	pthread_mutex_unlock(&kn->mu);
}

/*
 * What the run knows of name: 1 with *out set, from its own responses
 * (*observed = 1) or else from the snapshot (presence and phase); 0 when it
 * must read (no snapshot, or a request of ours changed it since).
 */
static int known(pc_step_ctx *c, const char *name, known_stmt *out, int *observed)
{
	pc_known *kn = c->env->known;
	const pc_actual_stmt *as;
	int hit = 0;

	memset(out, 0, sizeof(*out));
	if (observed)
		*observed = 0;
	if (kn) {
		known_stmt *k;
		pthread_mutex_lock(&kn->mu);
		if ((k = pc_map_get(&kn->by_name, name)) != NULL) {
			*out = *k;
			hit = 1;
		}
		pthread_mutex_unlock(&kn->mu);
	}
	if (hit) {
		if (observed)
			*observed = 1;
		return !out->stale;
	}
	if (!c->o->actual)
		return 0;
	if ((as = pc_actual_stmt_get(c->o->actual, name)) != NULL) {
		out->present = 1;
		out->ph = as->st->ph;
	}
	return 1;
}

/* 1 when the run knows that no statement of that name exists (no request needed). */
static int known_absent(pc_step_ctx *c, const char *name)
{
	known_stmt k;
	return known(c, name, &k, NULL) && !k.present;
}

/* GET a statement, and remember the answer. */
static int get_stmt(pc_step_ctx *c, const char *name, pc_statement **out)
{
	int rc;
	*out = NULL;
	rc = c->p->ops->get_statement(c->p, name, out);
	if (rc == 0)
		learn(c, name, *out, 0);
	else if (rc == PC_ENOTFOUND)
		learn(c, name, NULL, 0);
	return rc;
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
 * Poll backoff: the pause grows by poll_factor per poll (x1.25 on 127.0.0.1
 * and the local target, x1.5 against the service) up to poll_max_ms. A
 * gentle factor keeps the time lost after a phase change under a quarter
 * (a half) of the wait, while a long wait still settles at one read per
 * poll_max_ms.
 */
static int64_t next_delay(const pc_step_ctx *c, int64_t d)
{
	int64_t n = (int64_t)((double)d * c->o->poll_factor);
	if (n <= d)
		n = d + 1;
	return n > c->o->poll_max_ms ? c->o->poll_max_ms : n;
}

/*
 * The first pause of a wait: what the phase needs. A DDL or DROP completes
 * in about a second on Confluent Cloud, a DML takes tens of seconds to run
 * (poll.ddl, poll.dml); a stop or a delete settles quickly (poll.min).
 */
static int64_t first_delay(const pc_step_ctx *c, want w)
{
	switch (w) {
	case WANT_COMPLETED: return c->o->poll_ddl_ms;
	case WANT_RUNNING: return c->o->poll_dml_ms;
	default: return c->o->poll_min_ms;
	}
}

void pc_apply_step_polling(pc_apply_options *o, const pc_provider *p)
{
	if (o->poll_ddl_ms <= 0)
		o->poll_ddl_ms = p && p->poll_ddl_ms > 0 ? p->poll_ddl_ms : o->poll_min_ms;
	if (o->poll_dml_ms <= 0)
		o->poll_dml_ms = p && p->poll_dml_ms > 0 ? p->poll_dml_ms : o->poll_min_ms;
	if (o->poll_factor <= 1.0)
		o->poll_factor = p && p->poll_factor > 1.0 ? p->poll_factor : PC_POLL_FACTOR_LOCAL;
	/* within [min, max] */
	if (o->poll_ddl_ms < o->poll_min_ms)
		o->poll_ddl_ms = o->poll_min_ms;
	if (o->poll_dml_ms < o->poll_min_ms)
		o->poll_dml_ms = o->poll_min_ms;
	if (o->poll_ddl_ms > o->poll_max_ms)
		o->poll_ddl_ms = o->poll_max_ms;
	if (o->poll_dml_ms > o->poll_max_ms)
		o->poll_dml_ms = o->poll_max_ms;
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
 * Poll a statement until it reaches what w asks for, with backoff. first
 * (owned, may be NULL) is what a response of ours just said of it: it is
 * looked at before any read. acted: a request of ours just changed it (a
 * create, a PUT, a DELETE), so the first read waits for the phase's first
 * pause; otherwise (adopting, waiting for another's statement) the first
 * read is at once. A phase change is reported to the progress display.
 * Reaching the deadline is PC_ETIMEOUT; a FAILED statement ends the wait
 * with its exception.
 */
static int wait_from(pc_step_ctx *c, const char *name, want w, pc_statement *first, int acted)
{
	pc_statement *st = first;
	char *seen = NULL;
	int64_t delay = first_delay(c, w);
	int errors = 0, failing_seen = 0, have = first != NULL, rc = 0;

	if (acted && !have) {
		if ((rc = sleep_or_abort(c, delay)) != 0) {
			pc_error_set(PC_ECANCELED, "interrupted while waiting for statement '%s' to be %s", name,
				     want_str(w));
			goto done;
		}
		delay = next_delay(c, delay);
	}
	for (;;) {
		if (have) {
			have = 0; /* a response in hand: no read */
			rc = 0;
		} else {
			pc_statement_free(st);
			st = NULL;
			rc = get_stmt(c, name, &st);
		}
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

/* Wait, reading at once (nothing of ours just changed it). */
static int wait_for(pc_step_ctx *c, const char *name, want w)
{
	return wait_from(c, name, w, NULL, 0);
}

/* ---- stop / resume ---- */

#define PUT_ATTEMPTS 5

/*
 * One GET (the PUT needs the fetched object), then the PUT of it stopped; a
 * 409 (someone changed it between the two) reads it again, a few times.
 */
static int step_stop(pc_step_ctx *c, const pc_step *s)
{
	pc_statement *st = NULL;
	int rc = 0, put = 0;

	for (int attempt = 1; attempt <= PUT_ATTEMPTS; attempt++) {
		pc_statement_free(st);
		st = NULL;
		rc = get_stmt(c, s->statement, &st);
		if (rc == PC_ENOTFOUND) {
			rc = 0; /* nothing to stop */
			goto done;
		}
		if (rc != 0)
			goto done;
		if (phase_still(st->ph))
			goto done; /* already still (an unknown phase is stopped: it may be writing) */
		if (st->stopped)
			break; /* stopping already: only wait */
		if (attempt == 1)
			progress(c, "stop statement '%s'", s->statement);
		st->stopped = 1;
		rc = c->p->ops->update_statement(c->p, st);
		if (rc == PC_ENOTFOUND) {
			learn(c, s->statement, NULL, 0);
			rc = 0;
			goto done;
		}
		if (rc != PC_ECONFLICT) {
			put = rc == 0;
			break;
		}
		pc_sleep_ms(50 * attempt);
	}
	if (rc == PC_ECONFLICT)
		rc = pc_error_wrap("stop statement '%s': gave up after %d conflicting updates", s->statement,
				   PUT_ATTEMPTS);
	if (rc != 0)
		goto done;
	if (put)
		learn(c, s->statement, NULL, 1);
	rc = wait_from(c, s->statement, WANT_STOPPED, NULL, put);
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
	int rc = 0, put = 0;

	if (s->pool_display_name && !s->compute_pool && !pool)
		return pc_error_set(PC_EINVALID, "compute pool '%s' was not created", s->pool_display_name);
	for (int attempt = 1; attempt <= PUT_ATTEMPTS; attempt++) {
		pc_statement_free(st);
		st = NULL;
		put = 0;
		rc = get_stmt(c, s->statement, &st);
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
		if (rc != PC_ECONFLICT) {
			put = rc == 0;
			break;
		}
		pc_sleep_ms(50 * attempt);
	}
	if (rc != 0)
		goto done;
	if (put)
		learn(c, s->statement, NULL, 1);
	rc = wait_from(c, s->statement, WANT_RUNNING, NULL, put);
done:
	pc_statement_free(st);
	return rc;
}

static int step_delete(pc_step_ctx *c, const pc_step *s)
{
	int rc;

	progress(c, "delete statement '%s'", s->statement);
	rc = c->p->ops->delete_statement(c->p, s->statement);
	if (rc == PC_ENOTFOUND) {
		learn(c, s->statement, NULL, 0);
		return 0; /* deleted already */
	}
	if (rc != 0)
		return rc;
	learn(c, s->statement, NULL, 1);
	return wait_from(c, s->statement, WANT_ABSENT, NULL, 1);
}

/* ---- create (DDL, DML, DROP) ---- */

/*
 * Create a statement unless it exists already (a previous run created it:
 * adopt it). *created tells which; *st (owned, may be NULL) is the
 * statement as the create's response or the adopting read gave it.
 * absent: the caller has just read it absent. A statement the run knows to
 * be absent (the snapshot, a 404 of ours) is created without a read: the
 * create is conditional by itself, and its 409 reads and adopts it.
 */
static int create_or_adopt(pc_step_ctx *c, const pc_step *s, int absent, int *created, pc_statement **st)
{
	pc_statement_spec spec = { 0 };
	const char *pool = step_pool(c, s);
	int rc;

	*created = 0;
	*st = NULL;
	if (s->pool_display_name && !s->compute_pool && !pool)
		return pc_error_set(PC_EINVALID, "compute pool '%s' was not created", s->pool_display_name);
	if (!absent && !known_absent(c, s->statement)) {
		rc = get_stmt(c, s->statement, st);
		if (rc != PC_ENOTFOUND)
			return rc; /* 0: there, adopt it */
	}
	spec.name = s->statement;
	spec.sql = s->sql;
	spec.compute_pool_id = pool ? pool : c->p->default_pool;
	spec.principal = c->p->principal;
	spec.properties = &s->properties;
	spec.labels = &s->labels;
	progress(c, "create statement '%s'", s->statement);
	rc = c->p->ops->create_statement(c->p, &spec, st);
	if (rc == PC_ECONFLICT || rc == PC_EEXISTS) {
		/* there already (our earlier, retried create; a run the snapshot did not see): adopt it */
		pc_statement_free(*st);
		*st = NULL;
		rc = get_stmt(c, s->statement, st);
		if (rc == PC_ENOTFOUND)
			rc = 0; /* the name is taken but reads 404: the wait says it disappeared */
		return rc;
	}
	if (rc != 0) {
		pc_statement_free(*st);
		*st = NULL;
		return rc;
	}
	*created = 1;
	if (*st)
		learn(c, s->statement, *st, 0);
	else
		learn(c, s->statement, NULL, 1);
	return 0;
}

/*
 * Never race an interrupted run: every other managed DDL or DROP statement
 * of the table that the snapshot saw in flight must have finished before
 * this step creates its own (an older DROP completing after a new CREATE
 * would drop the new table). One GET per such statement the run has not
 * seen finish, usually none. *waited (may be NULL): there was one (the
 * table may differ from the snapshot).
 */
static int wait_in_flight(pc_step_ctx *c, const pc_step *s, int *waited)
{
	const pc_actual_table *t;
	int rc = 0;

	if (waited)
		*waited = 0;
	if (!c->o->actual || !s->table)
		return 0;
	t = pc_map_get(&c->o->actual->by_table, s->table);
	for (size_t i = 0; t && i < t->ddls.len && rc == 0; i++) {
		const pc_actual_stmt *as = t->ddls.items[i];
		known_stmt k;
		int observed;
		if (phase_still(as->st->ph) || (s->statement && !strcmp(as->st->name, s->statement)))
			continue;
		if (waited)
			*waited = 1; /* the table may have changed since the snapshot */
		if (known(c, as->st->name, &k, &observed) && observed && (!k.present || phase_still(k.ph)))
			continue; /* this run saw it finish */
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
	int created, rc, absent = 0;

	if ((rc = wait_in_flight(c, s, NULL)) != 0)
		return rc;
	for (;;) {
		pc_statement *st = NULL;
		int exists;
		if ((rc = create_or_adopt(c, s, absent, &created, &st)) != 0)
			return rc;
		rc = wait_from(c, s->statement, WANT_COMPLETED, st, created);
		if (rc == 0 || !s->table)
			return rc;
		st = NULL;
		/*
		 * A CREATE TABLE that met "already exists" while the table's old
		 * topic is still being deleted (Kafka may already answer 404 for
		 * it): wait for the topic to go, then run it again (the failed
		 * statement deleted first: names are unique), until the target's
		 * topic_delete_timeout_ms.
		 */
		exists = get_stmt(c, s->statement, &st) == 0 && is_already_exists(st);
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
		learn(c, s->statement, NULL, rc == 0);
		if ((rc = wait_from(c, s->statement, WANT_ABSENT, NULL, 1)) != 0)
			return rc;
		absent = 1;
	}
}

/*
 * Never two DML statements writing one table: every other managed DML of
 * the table that the snapshot saw live must be still now (the plan's
 * teardown stopped it), except the carry-over source. One GET per such
 * statement the run has not itself seen stopped or deleted, usually none.
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
		known_stmt k;
		int observed;

		if (strcmp(name, s->statement) == 0 || (s->carry_from && strcmp(name, s->carry_from) == 0))
			continue;
		if (!pc_phase_live(as->st->ph) && as->st->ph != PC_PHASE_UNKNOWN)
			continue; /* still when the snapshot was taken */
		if (known(c, name, &k, &observed) && observed && (!k.present || phase_still(k.ph)))
			continue; /* this run saw it stopped or gone (its teardown) */
		rc = get_stmt(c, name, &st);
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
	int created, rc = PC_ENOTFOUND;

	/* Adopt a statement a previous run created; a FAILED one ends here. */
	if (!known_absent(c, s->statement)) {
		rc = get_stmt(c, s->statement, &st);
		if (rc != 0 && rc != PC_ENOTFOUND)
			return rc;
	}
	if (rc == PC_ENOTFOUND) {
		if ((rc = check_single_writer(c, s)) != 0)
			return rc;
		if ((rc = create_or_adopt(c, s, 1, &created, &st)) != 0)
			return rc;
	} else {
		created = 0;
	}
	if (st && st->ph == PC_PHASE_FAILED) {
		rc = failed_error(c, st);
		pc_statement_free(st);
		return rc;
	}
	if (!s->wait && s->carry_from) {
		/* Stays PENDING until carry_from is stopped by the next step. */
		pc_statement_free(st);
		free(c->pending_running);
		c->pending_running = pc_strdup(s->statement);
		return 0;
	}
	return wait_from(c, s->statement, WANT_RUNNING, st, created);
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
		rc = get_stmt(c, s->statement, &st);
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
	int created, rc, absent, waited;

	if ((rc = wait_in_flight(c, s, &waited)) != 0)
		goto done;
	/* A DROP statement of this name from a previous run: let it finish first. */
	if (!(absent = known_absent(c, s->statement))) {
		rc = get_stmt(c, s->statement, &st);
		if (rc == PC_ENOTFOUND) {
			absent = 1;
		} else if (rc != 0) {
			goto done;
		} else if (st->ph != PC_PHASE_COMPLETED) {
			if ((rc = wait_for(c, s->statement, WANT_COMPLETED)) != 0)
				goto done;
		}
		pc_statement_free(st);
		st = NULL;
	}
	/*
	 * Does the table still exist? Known without a read when the snapshot saw
	 * the topic, no DROP of this name exists and no DDL or DROP of an
	 * interrupted run was in flight: only this action drops or creates its
	 * table, and its DDL comes after this step.
	 */
	if (!(absent && !waited && pc_actual_topic_exists(c->o->actual, s->table))) {
		rc = c->p->ops->get_topic(c->p, s->table, &topic);
		if (rc == PC_ENOTFOUND) {
			rc = 0; /* dropped already: never twice */
			goto done;
		}
		if (rc != 0)
			goto done;
	}
	if ((rc = create_or_adopt(c, s, absent, &created, &st)) != 0)
		goto done;
	if (!created) {
		if (!st && (rc = get_stmt(c, s->statement, &st)) != 0)
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
	rc = wait_from(c, s->statement, WANT_COMPLETED, st, created);
	st = NULL;
	if (rc != 0)
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
	rc = get_stmt(c, s->carry_from, &old);
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
