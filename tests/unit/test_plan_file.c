/*
 * Unit tests for plan files (src/reconcile/plan_json.c): the JSON round
 * trip, bad files, and the fingerprints a saved plan records.
 */
#include "plan_fixture.h"

/* ---- plan file ---- */

static void test_plan_json__round_trip_is_exact(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	pc_buf a = PC_BUF_INIT, b = PC_BUF_INIT;
	pc_plan *back = NULL;
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 4);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	pc_kv_set(&mid->properties, "sql.state-ttl", "1 h");
	plan_ok(NULL);
	assert_string_equal(F->plan->state_fingerprint, F->act->fingerprint);
	assert_int_equal(pc_plan_write_json(F->plan, &a), 0);
	assert_non_null(strstr(a.ptr, "\"format_version\": \"1\""));
	assert_int_equal(pc_plan_read_json(&back, a.ptr, a.len), 0);
	assert_int_equal(pc_plan_write_json(back, &b), 0);
	assert_string_equal(a.ptr, b.ptr);
	assert_int_equal(back->summary[PC_ACT_REBUILD], F->plan->summary[PC_ACT_REBUILD]);
	assert_string_equal(back->state_fingerprint, F->plan->state_fingerprint);
	assert_int_equal(strlen(back->tree_fingerprint), 32);
	assert_string_equal(back->tree_fingerprint, F->plan->tree_fingerprint);
	pc_plan_free(back);
	pc_buf_dispose(&a);
	pc_buf_dispose(&b);
}

static void test_plan_json__bad_files_are_one_line_errors(void **state)
{
	(void)state;
	pc_plan *p = NULL;
	const char *bad1 = "{\"format_version\":\"2\",\"actions\":[]}";
	const char *bad2 = "{\"format_version\":\"1\",\"actions\":[{\"table\":\"t\",\"action\":\"explode\",\"reason\":\"\"}],"
			   "\"state_fingerprint\":\"0123456789abcdef0123456789abcdef\"}";
	const char *bad3 = "{\"format_version\":";
	const char *bad4 = "{\"format_version\":\"1\",\"actions\":[],"
			   "\"state_fingerprint\":\"0123456789abcdef0123456789abcdeZ\"}";
	assert_int_equal(pc_plan_read_json(&p, bad4, strlen(bad4)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "\"state_fingerprint\" is not 32 hex digits"));
	assert_int_equal(pc_plan_read_json(&p, bad1, strlen(bad1)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "format_version"));
	assert_int_equal(pc_plan_read_json(&p, bad2, strlen(bad2)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "actions[0]: unknown action 'explode'"));
	assert_int_equal(pc_plan_read_json(&p, bad3, strlen(bad3)), PC_EPARSE);
	assert_null(strchr(pc_error_last(), '\n'));
	assert_null(p);
}

static void test_plan_state_fingerprint__changes_with_actual_state(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "RUNNING");
	char first[33];
	(void)st;
	plan_ok(NULL);
	memcpy(first, F->plan->state_fingerprint, 33);
	/* same state rebuilt: same fingerprint */
	fx_new_actual();
	deployed(t, "RUNNING");
	plan_ok(NULL);
	assert_string_equal(first, F->plan->state_fingerprint);
	/* one phase differs */
	fx_new_actual();
	deployed(t, "STOPPED");
	plan_ok(NULL);
	assert_string_not_equal(first, F->plan->state_fingerprint);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_json__round_trip_is_exact),
		T(test_plan_json__bad_files_are_one_line_errors),
		T(test_plan_state_fingerprint__changes_with_actual_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
