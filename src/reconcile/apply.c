/*
 * apply.c - the executor's scheduler: tasks (the teardown and the build of
 * each action), their prerequisites, a pool of worker threads, skipping on
 * failure, interruption (see apply.h).
 */
#include "apply_internal.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PART_TEARDOWN = 0, PART_BUILD = 1 };

typedef struct task {
	size_t action;          /* index into plan->actions / results */
	int part;
	int waiting;            /* prerequisites not finished yet */
	pc_vec dependents;      /* task * that wait on this one */
	pc_result_state state;  /* PENDING, RUNNING, DONE, FAILED, SKIPPED */
} task;

typedef struct pc_apply_exec {
	pc_provider *p;
	const pc_plan *plan;
	pc_apply_options o;
	pc_apply_result *r;

	pthread_mutex_t mu;
	pthread_cond_t work_cv;  /* workers: a task is ready, or shut down */
	pthread_cond_t main_cv;  /* coordinator: a task finished */
	pthread_mutex_t cb_mu;   /* progress callbacks one at a time; also guards pools */

	task *tasks;             /* 2 per action: [2i] teardown, [2i+1] build */
	int *parts_left;         /* per action: tasks not finished */
	pc_vec ready;            /* task * */
	size_t ready_head;
	size_t unfinished;
	int running;
	int stop_new;            /* start nothing new */
	int shutdown;
	int64_t total_deadline;  /* monotonic, 0 none */
	pc_map pools;            /* display name -> id (char *, owned) */
	pc_step_env env;         /* what the steps share (points into this struct) */
} pc_apply_exec;

const char *pc_result_state_str(pc_result_state s)
{
	switch (s) {
	case PC_RESULT_PENDING: return "pending";
	case PC_RESULT_RUNNING: return "running";
	case PC_RESULT_DONE: return "done";
	case PC_RESULT_FAILED: return "failed";
	case PC_RESULT_SKIPPED: return "skipped";
	case PC_RESULT_NOOP: return "noop";
	}
	return "?";
}

static void result_free(void *ptr)
{
	pc_action_result *r = ptr;
	if (!r)
		return;
	free(r->error);
	free(r->exception);
	free(r->failed_statement);
	free(r);
}

void pc_apply_result_free(pc_apply_result *r)
{
	if (!r)
		return;
	pc_vec_dispose(&r->actions, result_free);
	free(r->setup_error);
	free(r->interrupt_reason);
	free(r);
}

int pc_apply_succeeded(const pc_apply_result *r)
{
	return r && !r->setup_error && r->n_failed == 0 && r->n_skipped == 0 && !r->interrupted;
}

int pc_apply_settled(const pc_apply_result *r)
{
	if (!r || r->interrupted)
		return 0;
	for (size_t i = 0; i < r->actions.len; i++) {
		const pc_action_result *a = r->actions.items[i];
		if (a->state == PC_RESULT_FAILED && !a->failed_statement)
			return 0;
	}
	return 1;
}

/* ---- progress ---- */

static void emit(pc_apply_exec *ex, pc_apply_event_kind kind, const pc_action_result *res, const char *text)
{
	pc_apply_event ev;
	if (!ex->o.progress)
		return;
	ev.kind = kind;
	ev.result = res;
	ev.text = text;
	pthread_mutex_lock(&ex->cb_mu);
	ex->o.progress(ex->o.progress_ctx, &ev);
	pthread_mutex_unlock(&ex->cb_mu);
}

/* ---- the task graph ---- */

static int action_has_part(const pc_action *a, int part)
{
	for (size_t i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		if ((s->teardown ? PART_TEARDOWN : PART_BUILD) == part)
			return 1;
	}
	return 0;
}

static void add_edge(task *from, task *to)
{
	pc_vec_push(&from->dependents, to);
	to->waiting++;
}

/* Check the graph has no cycle (Kahn's count); the plan guarantees it, a hand-edited file might not. */
static int graph_acyclic(pc_apply_exec *ex, size_t n)
{
	int *w = pc_calloc(n, sizeof *w);
	pc_vec q = PC_VEC_INIT;
	size_t seen = 0, head = 0;

	for (size_t i = 0; i < n; i++) {
		w[i] = ex->tasks[i].waiting;
		if (!w[i])
			pc_vec_push(&q, &ex->tasks[i]);
	}
	while (head < q.len) {
		task *t = q.items[head++];
		seen++;
		for (size_t j = 0; j < t->dependents.len; j++) {
			task *d = t->dependents.items[j];
			if (--w[d - ex->tasks] == 0)
				pc_vec_push(&q, d);
		}
	}
	pc_vec_dispose(&q, NULL);
	free(w);
	return seen == n;
}

static int build_graph(pc_apply_exec *ex)
{
	const pc_plan *plan = ex->plan;
	size_t n = plan->actions.len;
	pc_map idx = PC_MAP_INIT;
	int rc = 0;

	ex->tasks = pc_calloc(pc_st_mult(n, 2) + 1, sizeof *ex->tasks);
	ex->parts_left = pc_calloc(n + 1, sizeof *ex->parts_left);
	for (size_t i = 0; i < n; i++) {
		const pc_action *a = plan->actions.items[i];
		pc_map_put(&idx, a->table, (void *)(uintptr_t)(i + 1));
		for (int part = 0; part < 2; part++) {
			task *t = &ex->tasks[2 * i + (size_t)part];
			t->action = i;
			t->part = part;
		}
		ex->parts_left[i] = 2;
	}
	for (size_t i = 0; i < n; i++) {
		const pc_action *a = plan->actions.items[i];
		task *td = &ex->tasks[2 * i], *bu = &ex->tasks[2 * i + 1];
		/* build after own teardown */
		add_edge(td, bu);
		/* teardown after the teardown of the children named */
		for (size_t j = 0; j < a->teardown_after.len; j++) {
			uintptr_t k = (uintptr_t)pc_map_get(&idx, a->teardown_after.items[j]);
			if (k && k - 1 != i)
				add_edge(&ex->tasks[2 * (k - 1)], td);
		}
		/* build after the build of the parents named */
		for (size_t j = 0; j < a->depends_on.len; j++) {
			uintptr_t k = (uintptr_t)pc_map_get(&idx, a->depends_on.items[j]);
			if (k && k - 1 != i)
				add_edge(&ex->tasks[2 * (k - 1) + 1], bu);
		}
	}
	if (!graph_acyclic(ex, 2 * n))
		rc = pc_error_set(PC_EINVALID, "the plan's dependencies form a cycle: plan again");
	pc_map_dispose(&idx, NULL);
	return rc;
}

/* ---- finishing tasks (called with ex->mu held) ---- */

static void action_part_finished(pc_apply_exec *ex, size_t ai, pc_vec *ended)
{
	pc_action_result *res = ex->r->actions.items[ai];
	task *td = &ex->tasks[2 * ai], *bu = &ex->tasks[2 * ai + 1];

	if (--ex->parts_left[ai] > 0)
		return;
	if (td->state == PC_RESULT_FAILED || bu->state == PC_RESULT_FAILED)
		res->state = PC_RESULT_FAILED;
	else if (td->state == PC_RESULT_SKIPPED || bu->state == PC_RESULT_SKIPPED)
		res->state = PC_RESULT_SKIPPED;
	else if (!pc_action_acts(res->action))
		res->state = PC_RESULT_NOOP;
	else
		res->state = PC_RESULT_DONE;
	if (res->started_ms)
		res->ended_ms = pc_mono_ms();
	pc_vec_push(ended, res);
}

/* Mark t and everything waiting on it skipped (iteratively: chains can be long). */
static void skip_from(pc_apply_exec *ex, task *t, const char *why, pc_vec *ended)
{
	pc_vec stack = PC_VEC_INIT;

	pc_vec_push(&stack, t);
	while (stack.len) {
		task *s = pc_vec_pop(&stack);
		pc_action_result *res;
		if (s->state != PC_RESULT_PENDING)
			continue;
		s->state = PC_RESULT_SKIPPED;
		ex->unfinished--;
		res = ex->r->actions.items[s->action];
		if (!res->error)
			res->error = pc_strdup(why);
		action_part_finished(ex, s->action, ended);
		for (size_t j = 0; j < s->dependents.len; j++)
			pc_vec_push(&stack, s->dependents.items[j]);
	}
	pc_vec_dispose(&stack, NULL);
}

static void finish_task(pc_apply_exec *ex, task *t, pc_result_state st, pc_vec *ended)
{
	t->state = st;
	ex->unfinished--;
	action_part_finished(ex, t->action, ended);
	if (st == PC_RESULT_DONE) {
		for (size_t j = 0; j < t->dependents.len; j++) {
			task *d = t->dependents.items[j];
			if (--d->waiting == 0 && d->state == PC_RESULT_PENDING)
				pc_vec_push(&ex->ready, d);
		}
	} else {
		const pc_action *a = ((pc_action_result *)ex->r->actions.items[t->action])->action;
		char *why = pc_sprintf("skipped: '%s' %s", a->table,
				       st == PC_RESULT_FAILED ? "failed" : "was skipped");
		/* (our own build after a failed teardown is skipped too; the action counts as failed) */
		for (size_t j = 0; j < t->dependents.len; j++)
			skip_from(ex, t->dependents.items[j], why, ended);
		free(why);
	}
	pthread_cond_broadcast(&ex->work_cv);
	pthread_cond_signal(&ex->main_cv);
}

static void emit_ended(pc_apply_exec *ex, pc_vec *ended)
{
	for (size_t i = 0; i < ended->len; i++)
		emit(ex, PC_APPLY_EV_ACTION_END, ended->items[i], NULL);
	ended->len = 0;
}

static void check_interrupt(pc_apply_exec *ex);

/* ---- running a task ---- */

static int run_steps(pc_apply_exec *ex, task *t, pc_action_result *res)
{
	const pc_action *a = res->action;
	pc_step_ctx c;
	int rc = 0, undo_ok = 0;

	pc_step_ctx_init(&c, &ex->env, res, a);
	if (a->refused)
		rc = pc_error_set(PC_EINVALID, "%s", a->refused); /* a held part of a loop's plan: never acted on */
	for (size_t i = 0; i < a->steps.len && rc == 0; i++) {
		const pc_step *s = a->steps.items[i];
		if ((s->teardown ? PART_TEARDOWN : PART_BUILD) != t->part)
			continue;
		if ((rc = pc_apply_step_run(&c, s)) != 0)
			break;
		pthread_mutex_lock(&ex->mu);
		res->steps_done++;
		pthread_mutex_unlock(&ex->mu);
	}
	if (rc == 0)
		rc = pc_apply_step_finish(&c);
	if (rc != 0) {
		char *why = pc_strdup(pc_error_last()), *undone = NULL;
		if (!(undo_ok = pc_apply_step_undo_replace(&c, &undone) == 0)) {
			char *m = pc_sprintf("%s (undoing the replacement failed too: %s)", why, pc_error_last());
			free(why);
			why = m;
		} else if (undone) {
			char *m = pc_sprintf("%s (the pipeline keeps flowing: %s)", why, undone);
			free(why);
			why = m;
		}
		free(undone);
		pthread_mutex_lock(&ex->mu);
		free(res->error);
		res->error = why;
		if (c.exception) {
			free(res->exception);
			res->exception = c.exception;
			c.exception = NULL;
		}
		if (c.failed && undo_ok) {
			free(res->failed_statement);
			res->failed_statement = c.failed;
			c.failed = NULL;
		}
		pthread_mutex_unlock(&ex->mu);
	}
	pc_step_ctx_dispose(&c);
	return rc;
}

static void *worker_main(void *arg)
{
	pc_apply_exec *ex = arg;
	pc_vec ended = PC_VEC_INIT;

	pthread_mutex_lock(&ex->mu);
	for (;;) {
		task *t;
		pc_action_result *res;
		int first = 0, has_steps, rc = 0;
		int64_t t0;

		check_interrupt(ex);
		while (!ex->shutdown && (ex->stop_new || ex->ready_head >= ex->ready.len))
			pthread_cond_wait(&ex->work_cv, &ex->mu);
		if (ex->shutdown)
			break;
		t = ex->ready.items[ex->ready_head++];
		res = ex->r->actions.items[t->action];
		has_steps = action_has_part(res->action, t->part);
		if (!has_steps) {
			finish_task(ex, t, PC_RESULT_DONE, &ended);
			pthread_mutex_unlock(&ex->mu);
			emit_ended(ex, &ended);
			pthread_mutex_lock(&ex->mu);
			continue;
		}
		t->state = PC_RESULT_RUNNING;
		ex->running++;
		if (!res->started_ms) {
			res->started_ms = pc_mono_ms();
			res->state = PC_RESULT_RUNNING;
			first = 1;
		}
		pthread_mutex_unlock(&ex->mu);

		if (first)
			emit(ex, PC_APPLY_EV_ACTION_START, res, NULL);
		t0 = pc_mono_ms();
		rc = run_steps(ex, t, res);

		pthread_mutex_lock(&ex->mu);
		res->duration_ms += pc_mono_ms() - t0;
		if (t->part == PART_TEARDOWN && rc == 0)
			res->teardown_done = 1;
		ex->running--;
		finish_task(ex, t, rc == 0 ? PC_RESULT_DONE : PC_RESULT_FAILED, &ended);
		pthread_mutex_unlock(&ex->mu);
		emit_ended(ex, &ended);
		pthread_mutex_lock(&ex->mu);
	}
	pthread_mutex_unlock(&ex->mu);
	pc_vec_dispose(&ended, NULL);
	return NULL;
}

/* ---- setup and the coordinator ---- */

static int run_setup(pc_apply_exec *ex)
{
	pc_step_ctx c;
	int rc = 0;

	pc_step_ctx_init(&c, &ex->env, NULL, NULL);
	for (size_t i = 0; i < ex->plan->setup.len && rc == 0; i++)
		rc = pc_apply_step_run(&c, ex->plan->setup.items[i]);
	if (rc != 0)
		ex->r->setup_error = pc_strdup(pc_error_last());
	pc_step_ctx_dispose(&c);
	return rc;
}

/* Why new work must not start, or NULL. Called with ex->mu held. */
static char *interruption(pc_apply_exec *ex)
{
	const char *why = NULL;
	if (ex->o.cancel && *ex->o.cancel)
		return pc_strdup("interrupted by a signal");
	if (ex->o.lock && pc_lock_lost(ex->o.lock, &why))
		return pc_sprintf("lost the lock: %s", why ? why : "taken by another process");
	if (ex->total_deadline && pc_mono_ms() >= ex->total_deadline)
		return pc_strdup("the total timeout was reached");
	return NULL;
}

/* Set stop_new when the run must stop starting work. Called with ex->mu held. */
static void check_interrupt(pc_apply_exec *ex)
{
	char *why;
	if (ex->stop_new || (why = interruption(ex)) == NULL)
		return;
	ex->stop_new = 1;
	ex->r->interrupted = 1;
	ex->r->interrupt_reason = why;
	pthread_cond_broadcast(&ex->work_cv);
	pthread_cond_signal(&ex->main_cv);
}

static void resolve_options(pc_apply_options *o, const pc_provider *p)
{
	if (o->parallelism <= 0)
		o->parallelism = PC_APPLY_PARALLELISM_DEFAULT;
	if (o->action_timeout_ms <= 0)
		o->action_timeout_ms = PC_APPLY_ACTION_TIMEOUT_MS_DEFAULT;
	/* The target's cadence (seconds against Confluent Cloud, pipectl.yaml confluent.poll). */
	if (o->poll_min_ms <= 0)
		o->poll_min_ms = p && p->poll_min_ms > 0 ? p->poll_min_ms : 100;
	if (o->poll_max_ms <= 0)
		o->poll_max_ms = p && p->poll_max_ms > 0 ? p->poll_max_ms : 2000;
	if (o->poll_max_ms < o->poll_min_ms)
		o->poll_max_ms = o->poll_min_ms;
	pc_apply_step_polling(o, p);
}

static void count(pc_apply_result *r)
{
	r->n_done = r->n_failed = r->n_skipped = r->n_noop = 0;
	for (size_t i = 0; i < r->actions.len; i++) {
		const pc_action_result *a = r->actions.items[i];
		switch (a->state) {
		case PC_RESULT_DONE: r->n_done++; break;
		case PC_RESULT_FAILED: r->n_failed++; break;
		case PC_RESULT_NOOP: r->n_noop++; break;
		default: r->n_skipped++; break;
		}
	}
}

/* Set up the executor for plan: options resolved, one result per action, the shared step env. */
static void exec_init(pc_apply_exec *ex, pc_provider *p, const pc_plan *plan, const pc_apply_options *opts,
		      int64_t t0)
{
	pc_apply_options defaults = { 0 };

	memset(ex, 0, sizeof(*ex));
	ex->p = p;
	ex->plan = plan;
	ex->o = opts ? *opts : defaults;
	resolve_options(&ex->o, p);
	if (ex->o.total_timeout_ms > 0)
		ex->total_deadline = t0 + ex->o.total_timeout_ms;
	pthread_mutex_init(&ex->mu, NULL);
	pthread_mutex_init(&ex->cb_mu, NULL);
	pthread_cond_init(&ex->work_cv, NULL);
	pthread_cond_init(&ex->main_cv, NULL);
	ex->env.p = p;
	ex->env.o = &ex->o;
	ex->env.cb_mu = &ex->cb_mu;
	ex->env.pools = &ex->pools;
	ex->env.known = pc_known_new();
	ex->env.total_deadline = ex->total_deadline;
	ex->r = PC_NEW(pc_apply_result);
	for (size_t i = 0; i < plan->actions.len; i++) {
		pc_action_result *res = PC_NEW(pc_action_result);
		res->action = plan->actions.items[i];
		pc_vec_push(&ex->r->actions, res);
	}
}

/* Stop the workers (they finish their step first) and free what the executor owns but the result. */
static void exec_dispose(pc_apply_exec *ex, pthread_t *threads, size_t nthreads)
{
	size_t n = ex->plan->actions.len;
	if (nthreads) {
		pthread_mutex_lock(&ex->mu);
		ex->shutdown = 1;
		pthread_cond_broadcast(&ex->work_cv);
		pthread_mutex_unlock(&ex->mu);
		for (size_t i = 0; i < nthreads; i++)
			pthread_join(threads[i], NULL);
	}
	if (ex->tasks)
		for (size_t i = 0; i < 2 * n; i++)
			pc_vec_dispose(&ex->tasks[i].dependents, NULL);
	free(ex->tasks);
	free(ex->parts_left);
	pc_vec_dispose(&ex->ready, NULL);
	pc_map_dispose(&ex->pools, free);
	pc_known_free(ex->env.known);
	pthread_mutex_destroy(&ex->mu);
	pthread_mutex_destroy(&ex->cb_mu);
	pthread_cond_destroy(&ex->work_cv);
	pthread_cond_destroy(&ex->main_cv);
}

/* Skip every task with why ("skipped: …"): nothing runs. */
static void skip_all(pc_apply_exec *ex, const char *why)
{
	pc_vec ended = PC_VEC_INIT;
	pthread_mutex_lock(&ex->mu);
	for (size_t i = 0; i < 2 * ex->plan->actions.len; i++)
		skip_from(ex, &ex->tasks[i], why, &ended);
	pthread_mutex_unlock(&ex->mu);
	emit_ended(ex, &ended);
	pc_vec_dispose(&ended, NULL);
}

/* Queue the tasks with no prerequisite and start up to `parallelism` workers. 0, or an error. */
static int start_workers(pc_apply_exec *ex, pthread_t **threads, size_t *nthreads)
{
	size_t n = ex->plan->actions.len;

	pthread_mutex_lock(&ex->mu);
	for (size_t i = 0; i < 2 * n; i++)
		if (ex->tasks[i].waiting == 0)
			pc_vec_push(&ex->ready, &ex->tasks[i]);
	pthread_mutex_unlock(&ex->mu);
	*threads = pc_calloc((size_t)ex->o.parallelism, sizeof **threads);
	for (int i = 0; i < ex->o.parallelism && (size_t)i < 2 * n; i++) {
		if (pthread_create(&(*threads)[*nthreads], NULL, worker_main, ex) != 0)
			break;
		(*nthreads)++;
	}
	if (n && !*nthreads)
		return pc_error_set(PC_ERROR, "could not start any worker thread");
	return 0;
}

/* Until every task ended or an interruption stopped new work: ticks, then skips what never started. */
static void coordinate(pc_apply_exec *ex)
{
	pc_vec ended = PC_VEC_INIT;

	pthread_mutex_lock(&ex->mu);
	while (ex->unfinished > 0) {
		struct timespec ts;

		check_interrupt(ex);
		if (ex->stop_new && ex->running == 0)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ex->main_cv, &ex->mu, &ts);
		pthread_mutex_unlock(&ex->mu);
		emit(ex, PC_APPLY_EV_TICK, NULL, NULL);
		pthread_mutex_lock(&ex->mu);
	}
	if (ex->stop_new) {
		char *why = pc_sprintf("skipped: %s", ex->r->interrupt_reason);
		for (size_t i = 0; i < 2 * ex->plan->actions.len; i++)
			skip_from(ex, &ex->tasks[i], why, &ended);
		free(why);
	}
	ex->shutdown = 1;
	pthread_cond_broadcast(&ex->work_cv);
	pthread_mutex_unlock(&ex->mu);
	emit_ended(ex, &ended);
	pc_vec_dispose(&ended, NULL);
}

int pc_apply_run(pc_apply_result **out, pc_provider *p, const pc_plan *plan, const pc_apply_options *opts)
{
	pc_apply_exec ex;
	pthread_t *threads = NULL;
	size_t nthreads = 0;
	pc_vec journal = PC_VEC_INIT;
	int64_t t0 = pc_mono_ms();
	int rc;

	*out = NULL;
	exec_init(&ex, p, plan, opts, t0);
	if ((rc = build_graph(&ex)) != 0)
		goto done;
	ex.unfinished = 2 * plan->actions.len;
	if (pc_apply_journal_write(p, plan, &journal) != 0) {
		char *why;
		ex.r->setup_error = pc_strdup(pc_error_last());
		why = pc_sprintf("skipped: %s", ex.r->setup_error);
		skip_all(&ex, why);
		free(why);
	} else if (run_setup(&ex) != 0) {
		char *why = pc_sprintf("skipped: setup failed: %s", ex.r->setup_error);
		skip_all(&ex, why);
		free(why);
	} else if ((rc = start_workers(&ex, &threads, &nthreads)) == 0) {
		coordinate(&ex);
	}
done:
	exec_dispose(&ex, threads, nthreads);
	free(threads);
	if (rc == 0) {
		count(ex.r);
		if (pc_apply_settled(ex.r))
			pc_apply_journal_finish(p, plan, &journal);
		ex.r->duration_ms = pc_mono_ms() - t0;
		*out = ex.r;
	} else {
		pc_apply_result_free(ex.r);
	}
	pc_vec_dispose(&journal, free);
	return rc;
}
