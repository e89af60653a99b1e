/*
 * apply.c - the executor's scheduler: tasks (the four parts of each action:
 * stop, drop, DDL, DML), their prerequisites, a pool of worker threads,
 * skipping on failure, interruption (see apply.h).
 *
 * The waves (design.md §4, docs/reconcile.md "Ordering"). An action's steps
 * are cut, in their order, into four parts: STOP (its leading teardown stops
 * and deletes), DROP (the teardown from its first drop on), DDL (the build up
 * to its last run_ddl) and DML (the rest of the build: create, resume, a
 * replacement's stop of the old statement). A part starts once:
 *   - the action's own previous part is done;
 *   - DROP: the STOP part of every reader named in teardown_after is done
 *     (a table is dropped only once every statement reading it is stopped);
 *   - DML: every parent named in depends_on exists, and so do all of their
 *     ancestors in the plan (a DML starts once every table it reads exists,
 *     not once its parents' DML runs: reading a new, empty topic from
 *     earliest is exact; the ancestors too, so that a DDL that fails anywhere
 *     upstream keeps every DML below it from starting);
 *   - DDL: every table its DDL reads (a view's query, CREATE TABLE ... LIKE)
 *     exists, when the plan creates that table.
 * A table exists once its action's DDL part is done, or its DML part when a
 * CTAS (or materialized table) creates it. So every stop of a plan runs side
 * by side, then every drop, every DDL, every DML: four waves whatever the
 * depth of the graph (only a CTAS, a view or a LIKE reading a table the plan
 * creates adds a round: the plan's `wave`).
 *
 * The TREE task of an action (no step) ends once its table exists and its
 * parents' TREE tasks ended: the DML waits on the parents' TREE.
 *
 * Failure: when a part fails or is skipped, its own later parts and every
 * part not yet started of the actions that depend on it (transitively,
 * through depends_on) are skipped. So a failed DDL (or stop, or drop) skips
 * every descendant's DML: none was created. A part already started is left
 * to finish: a child whose DML was created before its parent's DML failed
 * keeps running (its input exists; docs/reconcile.md says what the rerun
 * does).
 */
#include "apply_internal.h"

#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The parts of an action; TREE has no step: the action's table and every ancestor's exist. */
enum { PART_STOP = 0, PART_DROP = 1, PART_DDL = 2, PART_DML = 3, PART_TREE = 4, NPARTS = 5 };

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

	task *tasks;             /* NPARTS per action: [NPARTS * i + part] */
	pc_vec *children;        /* per action: indexes (uintptr_t) of the actions whose depends_on names it */
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
		/* skipped half way (its DDL ran in the DDL wave, its DML was skipped): the rerun finishes it */
		if (a->state == PC_RESULT_SKIPPED && a->started_ms)
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

/*
 * The part of step i of a (see the top of the file): teardown steps before
 * the first teardown drop are STOP, from it on DROP; build steps up to the
 * last build run_ddl are DDL, after it DML. Never below the part of the step
 * before, so the parts keep the steps' order.
 */
static int step_part(const pc_action *a, size_t i)
{
	size_t first_drop = SIZE_MAX, last_ddl = SIZE_MAX;
	int part = PART_STOP;

	for (size_t k = 0; k < a->steps.len; k++) {
		const pc_step *s = a->steps.items[k];
		if (s->teardown && first_drop == SIZE_MAX &&
		    (s->kind == PC_STEP_DROP_TABLE || s->kind == PC_STEP_RUN_DDL))
			first_drop = k;
		if (!s->teardown && s->kind == PC_STEP_RUN_DDL)
			last_ddl = k;
	}
	for (size_t k = 0; k <= i && k < a->steps.len; k++) {
		const pc_step *s = a->steps.items[k];
		int p;
		if (s->teardown)
			p = first_drop != SIZE_MAX && k >= first_drop ? PART_DROP : PART_STOP;
		else
			p = last_ddl != SIZE_MAX && k <= last_ddl ? PART_DDL : PART_DML;
		if (p > part)
			part = p;
	}
	return part;
}

static int action_has_part(const pc_action *a, int part)
{
	for (size_t i = 0; i < a->steps.len; i++)
		if (step_part(a, i) == part)
			return 1;
	return 0;
}

static task *part_of(pc_apply_exec *ex, size_t action, int part)
{
	return &ex->tasks[NPARTS * action + (size_t)part];
}

static void add_edge(task *from, task *to)
{
	pc_vec_push(&from->dependents, to);
	to->waiting++;
}

/* Check the graph has no cycle (Kahn's count); the plan guarantees it, a hand-edited file might not. */
static int graph_acyclic(pc_apply_exec *ex, size_t n)
{
	int *w = pc_calloc(n + 1, sizeof *w);
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

/*
 * Whether the actions' own edges (depends_on, or teardown_after) have no
 * cycle. The parts' graph can be acyclic while they are not (a DML waits
 * only for its parents' DDL): tables that read each other in a circle are
 * refused all the same. names: 0 depends_on, 1 teardown_after.
 */
static int actions_acyclic(const pc_plan *plan, const pc_map *idx, int which)
{
	size_t n = plan->actions.len;
	int *w = pc_calloc(n + 1, sizeof *w);
	pc_vec *after = pc_calloc(n + 1, sizeof *after); /* per action: the actions waiting on it */
	pc_vec q = PC_VEC_INIT;
	size_t seen = 0, head = 0;

	for (size_t i = 0; i < n; i++) {
		const pc_action *a = plan->actions.items[i];
		const pc_vec *names = which ? &a->teardown_after : &a->depends_on;
		for (size_t j = 0; j < names->len; j++) {
			uintptr_t k = (uintptr_t)pc_map_get(idx, names->items[j]);
			if (k && k - 1 != i) {
				w[i]++;
				pc_vec_push(&after[k - 1], (void *)(uintptr_t)i);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!w[i])
			pc_vec_push(&q, (void *)(uintptr_t)i);
	while (head < q.len) {
		size_t i = (uintptr_t)q.items[head++];
		seen++;
		for (size_t j = 0; j < after[i].len; j++) {
			size_t c = (uintptr_t)after[i].items[j];
			if (--w[c] == 0)
				pc_vec_push(&q, (void *)(uintptr_t)c);
		}
	}
	for (size_t i = 0; i < n; i++)
		pc_vec_dispose(&after[i], NULL);
	free(after);
	pc_vec_dispose(&q, NULL);
	free(w);
	return seen == n;
}

/*
 * The part after which a's table exists: its DML part when a build
 * create_dml of a is a CTAS or a materialized table (the statement creates
 * the table as it starts), else its DDL part.
 */
static int exists_part(const pc_action *a)
{
	for (size_t i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		pc_sql_file *f = NULL;
		int creates = 0;
		if (s->teardown || s->kind != PC_STEP_CREATE_DML || !s->sql)
			continue;
		if (pc_sql_analyze(&f, a->table, s->sql, strlen(s->sql)) != 0) {
			pc_error_clear();
			return PART_DML; /* not understood: the safe side */
		}
		for (size_t j = 0; j < f->stmts.len; j++) {
			const pc_sql_stmt *st = f->stmts.items[j];
			creates |= st->kind == PC_STMT_CREATE_TABLE_AS || st->kind == PC_STMT_CREATE_MATERIALIZED;
		}
		pc_sql_file_free(f);
		if (creates)
			return PART_DML;
	}
	return PART_DDL;
}

/*
 * The DDL of action i waits for the existence of every table its build
 * run_ddl steps read that the plan creates (a view's query, LIKE).
 */
static void add_ddl_reads(pc_apply_exec *ex, const pc_map *idx, size_t i, const int *exists)
{
	const pc_action *a = ex->plan->actions.items[i];
	for (size_t k = 0; k < a->steps.len; k++) {
		const pc_step *s = a->steps.items[k];
		pc_sql_file *f = NULL;
		if (s->teardown || s->kind != PC_STEP_RUN_DDL || !s->sql)
			continue;
		if (pc_sql_analyze(&f, a->table, s->sql, strlen(s->sql)) != 0) {
			pc_error_clear(); /* the service reports it when the step runs */
			continue;
		}
		for (size_t j = 0; j < f->stmts.len; j++) {
			const pc_sql_stmt *st = f->stmts.items[j];
			for (size_t r = 0; r < st->reads.len; r++) {
				uintptr_t p = (uintptr_t)pc_map_get(idx, pc_sql_base_name(st->reads.items[r]));
				if (p && p - 1 != i)
					add_edge(part_of(ex, p - 1, exists[p - 1]), part_of(ex, i, PART_DDL));
			}
		}
		pc_sql_file_free(f);
	}
}

static int build_graph(pc_apply_exec *ex)
{
	const pc_plan *plan = ex->plan;
	size_t n = plan->actions.len;
	pc_map idx = PC_MAP_INIT;
	int *exists = pc_calloc(n + 1, sizeof *exists);
	int rc = 0;

	ex->tasks = pc_calloc(pc_st_mult(n, NPARTS) + 1, sizeof *ex->tasks);
	ex->parts_left = pc_calloc(n + 1, sizeof *ex->parts_left);
	ex->children = pc_calloc(n + 1, sizeof *ex->children);
	for (size_t i = 0; i < n; i++) {
		const pc_action *a = plan->actions.items[i];
		pc_map_put(&idx, a->table, (void *)(uintptr_t)(i + 1));
		for (int part = 0; part < NPARTS; part++) {
			task *t = part_of(ex, i, part);
			t->action = i;
			t->part = part;
		}
		ex->parts_left[i] = NPARTS;
		exists[i] = exists_part(a);
	}
	for (size_t i = 0; i < n; i++) {
		const pc_action *a = plan->actions.items[i];
		/* each part after the action's previous one; the tree once the table exists */
		for (int part = 1; part <= PART_DML; part++)
			add_edge(part_of(ex, i, part - 1), part_of(ex, i, part));
		add_edge(part_of(ex, i, exists[i]), part_of(ex, i, PART_TREE));
		/* the drop after the stop of every reader named */
		for (size_t j = 0; j < a->teardown_after.len; j++) {
			uintptr_t k = (uintptr_t)pc_map_get(&idx, a->teardown_after.items[j]);
			if (k && k - 1 != i)
				add_edge(part_of(ex, k - 1, PART_STOP), part_of(ex, i, PART_DROP));
		}
		/* the DML (and the tree) once every parent named and its ancestors exist */
		for (size_t j = 0; j < a->depends_on.len; j++) {
			uintptr_t k = (uintptr_t)pc_map_get(&idx, a->depends_on.items[j]);
			if (k && k - 1 != i) {
				add_edge(part_of(ex, k - 1, PART_TREE), part_of(ex, i, PART_DML));
				add_edge(part_of(ex, k - 1, PART_TREE), part_of(ex, i, PART_TREE));
				pc_vec_push(&ex->children[k - 1], (void *)(uintptr_t)i);
			}
		}
		add_ddl_reads(ex, &idx, i, exists);
	}
	if (!graph_acyclic(ex, NPARTS * n) || !actions_acyclic(plan, &idx, 0) || !actions_acyclic(plan, &idx, 1))
		rc = pc_error_set(PC_EINVALID, "the plan's dependencies form a cycle: plan again");
	pc_map_dispose(&idx, NULL);
	free(exists);
	return rc;
}

/* ---- finishing tasks (called with ex->mu held) ---- */

static void action_part_finished(pc_apply_exec *ex, size_t ai, pc_vec *ended)
{
	pc_action_result *res = ex->r->actions.items[ai];
	int failed = 0, skipped = 0;

	if (--ex->parts_left[ai] > 0)
		return;
	for (int part = 0; part < NPARTS; part++) {
		failed |= part_of(ex, ai, part)->state == PC_RESULT_FAILED;
		skipped |= part_of(ex, ai, part)->state == PC_RESULT_SKIPPED;
	}
	if (failed)
		res->state = PC_RESULT_FAILED;
	else if (skipped)
		res->state = PC_RESULT_SKIPPED;
	else if (!pc_action_acts(res->action))
		res->state = PC_RESULT_NOOP;
	else
		res->state = PC_RESULT_DONE;
	if (res->started_ms)
		res->ended_ms = pc_mono_ms();
	pc_vec_push(ended, res);
}

/*
 * Mark t skipped, and everything waiting on it, and every part not started
 * of the actions that depend on its action (iteratively: chains can be long).
 * A part already started or ended is left alone, and the skipping stops
 * there: what it made exists.
 */
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
		for (size_t j = 0; j < ex->children[s->action].len; j++)
			for (int part = 0; part < NPARTS; part++)
				pc_vec_push(&stack, part_of(ex, (uintptr_t)ex->children[s->action].items[j], part));
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
		/* our own later parts are skipped too (the action counts as failed), and the dependents' */
		for (size_t j = 0; j < t->dependents.len; j++)
			skip_from(ex, t->dependents.items[j], why, ended);
		for (size_t j = 0; j < ex->children[t->action].len; j++)
			for (int part = 0; part < NPARTS; part++)
				skip_from(ex, part_of(ex, (uintptr_t)ex->children[t->action].items[j], part), why,
					  ended);
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
		if (step_part(a, i) != t->part)
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

/*
 * The next task a worker may start, taken off the queue (take) or only
 * looked at, or NULL. After an interruption none: the parts running finish,
 * nothing new starts (with the waves most actions have begun by then, so
 * finishing begun actions would not stop the run). Called with ex->mu held.
 */
static task *next_ready(pc_apply_exec *ex, int take)
{
	while (ex->ready_head < ex->ready.len && ((task *)ex->ready.items[ex->ready_head])->state != PC_RESULT_PENDING)
		ex->ready_head++; /* skipped while it waited in the queue */
	for (size_t k = ex->ready_head; k < ex->ready.len; k++) {
		task *t = ex->ready.items[k];
		/* after an interruption only a part without steps (it acts on nothing) may still end */
		if (t->state != PC_RESULT_PENDING ||
		    (ex->stop_new && action_has_part(((pc_action_result *)ex->r->actions.items[t->action])->action, t->part)))
			continue;
		if (take) {
			ex->ready.items[k] = ex->ready.items[ex->ready_head];
			ex->ready.items[ex->ready_head++] = t;
		}
		return t;
	}
	return NULL;
}

/* The action's teardown is done once its STOP and DROP parts are, when it has one. Called with ex->mu held. */
static void note_teardown(pc_apply_exec *ex, size_t ai)
{
	pc_action_result *res = ex->r->actions.items[ai];
	if (part_of(ex, ai, PART_STOP)->state == PC_RESULT_DONE && part_of(ex, ai, PART_DROP)->state == PC_RESULT_DONE &&
	    (action_has_part(res->action, PART_STOP) || action_has_part(res->action, PART_DROP)))
		res->teardown_done = 1;
}

static void *worker_main(void *arg)
{
	pc_apply_exec *ex = arg;
	pc_vec ended = PC_VEC_INIT;

	pthread_mutex_lock(&ex->mu);
	for (;;) {
		task *t = NULL;
		pc_action_result *res;
		int first = 0, has_steps, rc = 0;
		int64_t t0;

		check_interrupt(ex);
		while (!ex->shutdown && (t = next_ready(ex, 1)) == NULL)
			pthread_cond_wait(&ex->work_cv, &ex->mu);
		if (ex->shutdown)
			break;
		res = ex->r->actions.items[t->action];
		has_steps = action_has_part(res->action, t->part);
		if (!has_steps) {
			finish_task(ex, t, PC_RESULT_DONE, &ended);
			note_teardown(ex, t->action);
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
		ex->running--;
		finish_task(ex, t, rc == 0 ? PC_RESULT_DONE : PC_RESULT_FAILED, &ended);
		note_teardown(ex, t->action);
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
		for (size_t i = 0; i < NPARTS * n; i++)
			pc_vec_dispose(&ex->tasks[i].dependents, NULL);
	free(ex->tasks);
	free(ex->parts_left);
	if (ex->children)
		for (size_t i = 0; i < n; i++)
			pc_vec_dispose(&ex->children[i], NULL);
	free(ex->children);
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
	for (size_t i = 0; i < NPARTS * ex->plan->actions.len; i++)
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
	for (size_t i = 0; i < NPARTS * n; i++)
		if (ex->tasks[i].waiting == 0)
			pc_vec_push(&ex->ready, &ex->tasks[i]);
	pthread_mutex_unlock(&ex->mu);
	*threads = pc_calloc((size_t)ex->o.parallelism, sizeof **threads);
	for (int i = 0; i < ex->o.parallelism && (size_t)i < NPARTS * n; i++) {
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
		if (ex->stop_new && ex->running == 0 && !next_ready(ex, 0))
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
		for (size_t i = 0; i < NPARTS * ex->plan->actions.len; i++)
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
	ex.unfinished = NPARTS * plan->actions.len;
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
