/* Unit tests for src/reconcile/loop_options.c: flags > environment > pipectl.yaml > defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/loop.h"
#include "util/error.h"
#include "util/kv.h"

#include <stdlib.h>
#include <string.h>

static const char *const envs[] = {
	"PIPECTL_INTERVAL", "PIPECTL_LISTEN", "PIPECTL_GIT_REF", "PIPECTL_GIT_FETCH", "PIPECTL_ALLOW_DESTRUCTIVE",
	"PIPECTL_PRUNE", "PIPECTL_SUSPEND", "PIPECTL_SUSPEND_FILE", "PIPECTL_LOG_FORMAT", "PIPECTL_PARALLELISM",
	"PIPECTL_BACKOFF", "PIPECTL_MAX_BACKOFF", "PIPECTL_DEGRADED_AFTER", "PIPECTL_LOCK_TIMEOUT",
	"PIPECTL_HISTORY", "PIPECTL_JITTER", "PIPECTL_AUTO_PROMOTE",
};

static int clear_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
		unsetenv(envs[i]);
	return 0;
}

static void test_loop_options__defaults_when_nothing_is_given(void **state)
{
	pc_loop_options o;
	(void)state;
	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, NULL), 0);
	assert_int_equal(o.interval_ms, PC_LOOP_INTERVAL_MS_DEFAULT);
	assert_int_equal(o.jitter_pct, 10);
	assert_int_equal(o.once, 0);
	assert_null(o.listen);
	assert_null(o.git_ref);
	assert_int_equal(o.git_fetch, 0);
	assert_int_equal(o.allow_destructive, 0);
	assert_int_equal(o.auto_promote, 0);
	assert_int_equal(o.prune, 0);
	assert_int_equal(o.suspend, 0);
	assert_int_equal(o.json_logs, 0);
	assert_int_equal(o.parallelism, 0);
	assert_int_equal(o.backoff_base_ms, PC_LOOP_BACKOFF_BASE_MS_DEFAULT);
	assert_int_equal(o.backoff_max_ms, PC_LOOP_BACKOFF_MAX_MS_DEFAULT);
	assert_int_equal(o.degraded_after, PC_LOOP_DEGRADED_AFTER_DEFAULT);
	assert_int_equal(o.lock_timeout_ms, 0);
}

static void test_loop_options__file_then_env_then_flags_win(void **state)
{
	pc_kvlist file = PC_VEC_INIT;
	pc_loop_options o;
	(void)state;

	pc_kv_set(&file, "reconcile.interval", "5m");
	pc_kv_set(&file, "reconcile.listen", "0.0.0.0:9090");
	pc_kv_set(&file, "reconcile.git_ref", "origin/main");
	pc_kv_set(&file, "reconcile.allow_destructive", "true");
	pc_kv_set(&file, "reconcile.auto_promote", "true");

	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, &file), 0);
	assert_int_equal(o.auto_promote, 1);
	assert_int_equal(o.interval_ms, 5 * 60 * 1000);
	assert_string_equal(o.listen, "0.0.0.0:9090");
	assert_string_equal(o.git_ref, "origin/main");
	assert_int_equal(o.allow_destructive, 1);

	setenv("PIPECTL_INTERVAL", "30s", 1);
	setenv("PIPECTL_GIT_REF", "origin/release", 1);
	setenv("PIPECTL_ALLOW_DESTRUCTIVE", "false", 1);
	setenv("PIPECTL_AUTO_PROMOTE", "false", 1);
	setenv("PIPECTL_LOG_FORMAT", "json", 1);
	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, &file), 0);
	assert_int_equal(o.auto_promote, 0);
	assert_int_equal(o.interval_ms, 30 * 1000);
	assert_string_equal(o.git_ref, "origin/release");
	assert_int_equal(o.allow_destructive, 0);
	assert_int_equal(o.json_logs, 1);
	assert_string_equal(o.listen, "0.0.0.0:9090");

	pc_loop_options_unset(&o);
	o.interval_ms = 2000;
	o.git_ref = "HEAD";
	o.allow_destructive = 1;
	o.json_logs = 0;
	assert_int_equal(pc_loop_resolve(&o, &file), 0);
	assert_int_equal(o.interval_ms, 2000);
	assert_string_equal(o.git_ref, "HEAD");
	assert_int_equal(o.allow_destructive, 1);
	assert_int_equal(o.json_logs, 0);
	pc_kv_dispose(&file);
}

static void test_loop_options__bad_values_name_where_they_came_from(void **state)
{
	pc_kvlist file = PC_VEC_INIT;
	pc_loop_options o;
	(void)state;

	setenv("PIPECTL_INTERVAL", "soon", 1);
	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, NULL), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "PIPECTL_INTERVAL"));
	assert_non_null(strstr(pc_error_last(), "'soon'"));
	unsetenv("PIPECTL_INTERVAL");

	pc_kv_set(&file, "reconcile.allow_destructive", "maybe");
	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, &file), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "reconcile.allow_destructive"));
	pc_kv_dispose(&file);

	setenv("PIPECTL_LOG_FORMAT", "xml", 1);
	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, NULL), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "xml"));
	unsetenv("PIPECTL_LOG_FORMAT");

	setenv("PIPECTL_PARALLELISM", "0", 1);
	pc_loop_options_unset(&o);
	assert_int_equal(pc_loop_resolve(&o, NULL), PC_EUSAGE);
	unsetenv("PIPECTL_PARALLELISM");
}

static void test_loop_options__max_backoff_is_never_below_the_base(void **state)
{
	pc_loop_options o;
	(void)state;
	pc_loop_options_unset(&o);
	o.backoff_base_ms = 60000;
	o.backoff_max_ms = 1000;
	assert_int_equal(pc_loop_resolve(&o, NULL), 0);
	assert_int_equal(o.backoff_max_ms, 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_loop_options__defaults_when_nothing_is_given, clear_env),
		cmocka_unit_test_setup(test_loop_options__file_then_env_then_flags_win, clear_env),
		cmocka_unit_test_setup(test_loop_options__bad_values_name_where_they_came_from, clear_env),
		cmocka_unit_test_setup(test_loop_options__max_backoff_is_never_below_the_base, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
