/* Unit tests for src/reconcile/history.c: the bounded run history file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/apply.h"
#include "reconcile/history.h"
#include "reconcile/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
	char dir[64];
	char *path;
} fixture;

static int setup(void **state)
{
	fixture *f = PC_NEW(fixture);
	strcpy(f->dir, "/tmp/pc-history-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = pc_history_path(f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char *cmd = pc_sprintf("rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->path);
	free(f);
	return 0;
}

static void test_history__path_is_under_dot_pipectl(void **state)
{
	fixture *f = *state;
	char *want = pc_sprintf("%s/.pipectl/history.jsonl", f->dir);
	assert_string_equal(f->path, want);
	free(want);
}

static void test_history__execution_round_trips_with_nested_actions(void **state)
{
	fixture *f = *state;
	pc_execution *e = pc_execution_new("reconcile", "0123456789abcdef0123456789abcdef01234567");
	pc_vec got = PC_VEC_INIT;
	pc_execution *r;
	pc_action_exec *a;
	int64_t t0 = 1755735815459; /* 2025-08-20T23:43:35.459Z */

	e->cycle = 7;
	pc_execution_add_action(e, "int_orders", "create", "ok", t0, t0 + 1500, NULL);
	pc_execution_add_action(e, "fct_sales", "rebuild", "failed", t0 + 10, t0 + 2010, "statement 'x' failed: \"boom\"\n");
	pc_execution_finish(e, "failed", "1 action failed");
	assert_int_equal(pc_history_append(f->path, e, 0), 0);

	assert_int_equal(pc_history_read(f->path, 0, &got, NULL), 0);
	assert_int_equal(got.len, 1);
	r = got.items[0];
	assert_string_equal(r->id, e->id);
	assert_string_equal(r->kind, "reconcile");
	assert_string_equal(r->commit, "0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(r->cycle, 7);
	assert_string_equal(r->result, "failed");
	assert_string_equal(r->error, "1 action failed");
	assert_int_equal(r->start_ms, e->start_ms);
	assert_int_equal(r->end_ms, e->end_ms);
	assert_int_equal(r->actions.len, 2);
	a = r->actions.items[0];
	assert_string_equal(a->table, "int_orders");
	assert_string_equal(a->action, "create");
	assert_string_equal(a->result, "ok");
	assert_int_equal(a->start_ms, t0);
	assert_int_equal(a->end_ms, t0 + 1500);
	assert_null(a->error);
	a = r->actions.items[1];
	assert_string_equal(a->result, "failed");
	assert_string_equal(a->error, "statement 'x' failed: \"boom\"\n");
	pc_vec_dispose(&got, pc_execution_free);
	pc_execution_free(e);
}

static void test_history__json_line_carries_durations_and_format_version(void **state)
{
	pc_execution *e = pc_execution_new("apply", NULL);
	pc_buf b = PC_BUF_INIT;
	(void)state;

	e->start_ms = 1000;
	pc_execution_add_action(e, "t", "start", "ok", 2000, 2250, NULL);
	pc_execution_finish(e, "success", NULL);
	e->end_ms = 4500;
	pc_execution_to_json(e, &b);
	assert_null(strchr(b.ptr, '\n'));
	assert_non_null(strstr(b.ptr, "\"format_version\":\"1\""));
	assert_non_null(strstr(b.ptr, "\"commit\":null"));
	assert_non_null(strstr(b.ptr, "\"duration_ms\":3500"));
	assert_non_null(strstr(b.ptr, "\"duration_ms\":250"));
	assert_non_null(strstr(b.ptr, "\"started_at\":\"1970-01-01T00:00:01.000Z\""));
	pc_buf_dispose(&b);
	pc_execution_free(e);
}

static void test_history__keeps_only_the_last_n_executions_newest_first(void **state)
{
	fixture *f = *state;
	pc_vec got = PC_VEC_INIT;
	char ids[12][96];

	for (int i = 0; i < 12; i++) {
		pc_execution *e = pc_execution_new("reconcile", NULL);
		e->cycle = i + 1;
		pc_execution_finish(e, "success", NULL);
		snprintf(ids[i], sizeof(ids[i]), "%s", e->id);
		assert_int_equal(pc_history_append(f->path, e, 5), 0);
		pc_execution_free(e);
	}
	assert_int_equal(pc_history_read(f->path, 0, &got, NULL), 0);
	assert_int_equal(got.len, 5);
	for (int i = 0; i < 5; i++) {
		pc_execution *r = got.items[i];
		assert_int_equal(r->cycle, 12 - i);
		assert_string_equal(r->id, ids[11 - i]);
	}
	pc_vec_dispose(&got, pc_execution_free);

	assert_int_equal(pc_history_read(f->path, 2, &got, NULL), 0);
	assert_int_equal(got.len, 2);
	assert_int_equal(((pc_execution *)got.items[0])->cycle, 12);
	assert_int_equal(((pc_execution *)got.items[1])->cycle, 11);
	pc_vec_dispose(&got, pc_execution_free);
}

static void test_history__missing_file_is_an_empty_history(void **state)
{
	fixture *f = *state;
	pc_vec got = PC_VEC_INIT;
	size_t skipped = 99;
	assert_int_equal(pc_history_read(f->path, 10, &got, &skipped), 0);
	assert_int_equal(got.len, 0);
	assert_int_equal(skipped, 0);
}

static void test_history__a_torn_or_garbage_line_is_skipped_and_dropped_on_rewrite(void **state)
{
	fixture *f = *state;
	pc_vec got = PC_VEC_INIT;
	size_t skipped = 0;
	pc_execution *e = pc_execution_new("apply", NULL);
	char *dir = pc_sprintf("%s/.pipectl", f->dir);
	const char *junk = "not json\n{\"format_version\":\"1\",\"id\":\"old\",\"kind\":\"apply\",\"actions\":[]}\n{\"id\":\"torn";
	char *text = NULL;
	size_t len;

	assert_int_equal(pc_fs_mkdirs(dir), 0);
	assert_int_equal(pc_fs_write_atomic(f->path, junk, strlen(junk)), 0);
	assert_int_equal(pc_history_read(f->path, 0, &got, &skipped), 0);
	assert_int_equal(got.len, 1);
	assert_int_equal(skipped, 2);
	assert_string_equal(((pc_execution *)got.items[0])->id, "old");
	pc_vec_dispose(&got, pc_execution_free);

	pc_execution_finish(e, "success", NULL);
	assert_int_equal(pc_history_append(f->path, e, 0), 0);
	assert_int_equal(pc_fs_read(&text, &len, f->path), 0);
	assert_null(strstr(text, "not json"));
	assert_null(strstr(text, "torn"));
	assert_int_equal(pc_history_read(f->path, 0, &got, &skipped), 0);
	assert_int_equal(got.len, 2);
	assert_int_equal(skipped, 0);
	pc_vec_dispose(&got, pc_execution_free);
	pc_execution_free(e);
	free(text);
	free(dir);
}

static void test_history__actions_past_the_cap_are_counted_not_stored(void **state)
{
	fixture *f = *state;
	pc_execution *e = pc_execution_new("apply", NULL);
	pc_vec got = PC_VEC_INIT;
	pc_execution *r;

	for (int i = 0; i < PC_HISTORY_MAX_ACTIONS + 25; i++)
		pc_execution_add_action(e, "t", "create", "ok", 1, 2, NULL);
	assert_int_equal(e->actions.len, PC_HISTORY_MAX_ACTIONS);
	assert_int_equal(e->actions_omitted, 25);
	pc_execution_finish(e, "success", NULL);
	assert_int_equal(pc_history_append(f->path, e, 0), 0);
	assert_int_equal(pc_history_read(f->path, 1, &got, NULL), 0);
	r = got.items[0];
	assert_int_equal(r->actions.len, PC_HISTORY_MAX_ACTIONS);
	assert_int_equal(r->actions_omitted, 25);
	pc_vec_dispose(&got, pc_execution_free);
	pc_execution_free(e);
}

typedef struct adder {
	pc_execution *e;
	int id;
} adder;

static void *add_many(void *arg)
{
	adder *a = arg;
	char table[32];
	for (int i = 0; i < 100; i++) {
		snprintf(table, sizeof(table), "t%d_%d", a->id, i);
		pc_execution_add_action(a->e, table, "start", "ok", 1, 2, NULL);
	}
	return NULL;
}

static void test_history__actions_can_be_added_from_many_threads(void **state)
{
	pc_execution *e = pc_execution_new("apply", NULL);
	pthread_t th[4];
	adder args[4];
	(void)state;

	for (int i = 0; i < 4; i++) {
		args[i].e = e;
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, add_many, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(e->actions.len, 400);
	pc_execution_free(e);
}

static void test_history__unwritable_directory_is_an_io_error(void **state)
{
	pc_execution *e = pc_execution_new("apply", NULL);
	(void)state;
	pc_execution_finish(e, "success", NULL);
	assert_int_equal(pc_history_append("/proc/nope/history.jsonl", e, 0), PC_EIO);
	assert_non_null(strstr(pc_error_last(), "/proc/nope"));
	pc_execution_free(e);
}

static void test_history__an_apply_run_is_recorded_with_its_actions(void **state)
{
	fixture *f = *state;
	pc_plan plan;
	pc_action a1, a2, a3;
	pc_action_result r1, r2, r3;
	pc_apply_result res;
	pc_vec got = PC_VEC_INIT;
	pc_execution *e;
	pc_action_exec *x;
	int64_t mono = pc_mono_ms();

	memset(&plan, 0, sizeof(plan));
	memset(&a1, 0, sizeof(a1));
	memset(&a2, 0, sizeof(a2));
	memset(&a3, 0, sizeof(a3));
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	memset(&res, 0, sizeof(res));
	plan.commit = "89abcdef0123456789abcdef0123456789abcdef";
	a1.table = "int_orders";
	a1.kind = PC_ACT_CREATE;
	a2.table = "fct_sales";
	a2.kind = PC_ACT_REBUILD;
	a3.table = "src_orders";
	a3.kind = PC_ACT_NOOP;
	r1.action = &a1;
	r1.state = PC_RESULT_DONE;
	r1.started_ms = mono - 3000;
	r1.ended_ms = mono - 1000;
	r2.action = &a2;
	r2.state = PC_RESULT_FAILED;
	r2.started_ms = mono - 900;
	r2.ended_ms = mono - 400;
	r2.error = "statement 'x' failed";
	r2.exception = "division by zero";
	r3.action = &a3;
	r3.state = PC_RESULT_NOOP;
	pc_vec_push(&res.actions, &r1);
	pc_vec_push(&res.actions, &r2);
	pc_vec_push(&res.actions, &r3);
	res.n_done = 1;
	res.n_failed = 1;

	assert_int_equal(pc_history_record_apply(f->dir, &plan, &res, pc_wall_ms() - 3500), 0);
	assert_int_equal(pc_history_read(f->path, 0, &got, NULL), 0);
	assert_int_equal(got.len, 1);
	e = got.items[0];
	assert_string_equal(e->kind, "apply");
	assert_string_equal(e->commit, plan.commit);
	assert_string_equal(e->result, "failed");
	assert_string_equal(e->error, "1 action failed, 0 skipped");
	assert_int_equal(e->actions.len, 2); /* the noop is not recorded */
	x = e->actions.items[0];
	assert_string_equal(x->table, "int_orders");
	assert_string_equal(x->action, "create");
	assert_string_equal(x->result, "ok");
	assert_true(x->end_ms - x->start_ms >= 1990 && x->end_ms - x->start_ms <= 2010);
	x = e->actions.items[1];
	assert_string_equal(x->action, "rebuild");
	assert_string_equal(x->result, "failed");
	assert_string_equal(x->error, "division by zero");
	pc_vec_dispose(&got, pc_execution_free);
	pc_vec_dispose(&res.actions, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history__path_is_under_dot_pipectl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__execution_round_trips_with_nested_actions, setup, teardown),
		cmocka_unit_test(test_history__json_line_carries_durations_and_format_version),
		cmocka_unit_test_setup_teardown(test_history__keeps_only_the_last_n_executions_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__missing_file_is_an_empty_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__a_torn_or_garbage_line_is_skipped_and_dropped_on_rewrite,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__actions_past_the_cap_are_counted_not_stored, setup, teardown),
		cmocka_unit_test(test_history__actions_can_be_added_from_many_threads),
		cmocka_unit_test(test_history__unwritable_directory_is_an_io_error),
		cmocka_unit_test_setup_teardown(test_history__an_apply_run_is_recorded_with_its_actions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
