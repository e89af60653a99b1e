/*
 * Unit tests for the blue/green versions view (src/reconcile/versions.c):
 * grouping physical tables by logical name, roles, presence.
 */
#include "plan_fixture.h"

#include "reconcile/versions.h"

/* t deployed under a physical name: topic, DDL, DML in phase (the statements pipectl makes for it). */
static pc_statement *deployed_as(const pc_table *t, const char *physical, const char *phase)
{
	char fp[33];
	char *name;
	pc_statement *st;

	topic(physical);
	name = pc_naming_statement("dev", PC_NAME_DDL, physical, t->ddl_fingerprint, NULL);
	st = stmt(name, "COMPLETED");
	st->sql = pc_sprintf("CREATE TABLE %s (id INT)", physical);
	pc_naming_labels(&st->labels, PC_NAME_DDL, physical, t->ddl_fingerprint, NULL, NULL);
	free(name);
	if (!t->dml)
		return NULL;
	pc_table_dml_fp(t, fp);
	name = pc_naming_statement("dev", PC_NAME_DML, physical, fp, NULL);
	st = stmt(name, phase);
	st->sql = pc_sprintf("INSERT INTO %s SELECT * FROM src", physical);
	pc_naming_labels(&st->labels, PC_NAME_DML, physical, fp, t->dml_fingerprint, t->ddl_fingerprint);
	free(name);
	return st;
}

static pc_versions *V;

static pc_versions *versions(void)
{
	build_actual();
	assert_int_equal(pc_versions_build(&V, F->act, &F->proj), 0);
	return V;
}

static void free_versions(void)
{
	pc_versions_free(V);
	V = NULL;
}

static void test_versions__blue_is_lowest_green_highest(void **state)
{
	(void)state;
	pc_table *t = table("int_orders", "intermediates", NULL, 1);
	deployed_as(t, "int_orders", "RUNNING");
	deployed_as(t, "int_orders_v2", "PENDING");
	versions();
	const pc_versioned_table *vt = pc_versions_get(V, "int_orders");
	assert_non_null(vt);
	assert_ptr_equal(vt->desired, t);
	assert_int_equal(vt->versions.len, 2);
	assert_string_equal(pc_versions_blue(vt)->physical, "int_orders");
	assert_int_equal(pc_versions_blue(vt)->version, 1);
	assert_string_equal(pc_versions_green(vt)->physical, "int_orders_v2");
	assert_int_equal(pc_versions_green(vt)->version, 2);
	assert_string_equal(pc_versions_green(vt)->at->phase, "PENDING");
	assert_string_equal(pc_versions_current_name(V, "int_orders"), "int_orders_v2");
	assert_string_equal(pc_versions_serving_name(V, "int_orders"), "int_orders");
	assert_string_equal(pc_versions_role(vt, pc_versions_blue(vt)), "blue");
	assert_string_equal(pc_versions_role(vt, pc_versions_green(vt)), "green");
	assert_int_equal(pc_versions_max(vt), 2);
	const pc_versioned_table *owner = NULL;
	assert_non_null(pc_versions_by_physical(V, "int_orders_v2", &owner));
	assert_ptr_equal(owner, vt);
	free_versions();
}

static void test_versions__one_version_is_current_without_roles(void **state)
{
	(void)state;
	pc_table *t = table("fct", "facts", NULL, 1);
	deployed_as(t, "fct_v2", "RUNNING"); /* after promote: only v2 */
	/* v1's leftovers: a completed DROP and no topic */
	pc_statement *d = stmt("dev-pc-drop-fct-0a1b2c3d", "COMPLETED");
	d->sql = pc_strdup("DROP TABLE IF EXISTS `fct`");
	versions();
	const pc_versioned_table *vt = pc_versions_get(V, "fct");
	assert_int_equal(vt->versions.len, 1);
	assert_null(pc_versions_blue(vt));
	assert_null(pc_versions_green(vt));
	assert_string_equal(pc_versions_current(vt)->physical, "fct_v2");
	assert_string_equal(pc_versions_role(vt, pc_versions_current(vt)), "current");
	assert_string_equal(pc_versions_current_name(V, "fct"), "fct_v2");
	assert_string_equal(pc_versions_serving_name(V, "fct"), "fct_v2");
	/* nothing present: the logical name */
	assert_null(pc_versions_get(V, "absent"));
	assert_string_equal(pc_versions_current_name(V, "absent"), "absent");
	assert_int_equal(pc_versions_max(NULL), 0);
	free_versions();
}

static void test_versions__a_desired_table_named_like_a_version_is_its_own(void **state)
{
	(void)state;
	pc_table *x = table("x", "intermediates", NULL, 1);
	pc_table *x2 = table("x_v2", "intermediates", NULL, 1);
	deployed_as(x, "x", "RUNNING");
	deployed_as(x2, "x_v2", "RUNNING");
	deployed_as(x2, "x_v2_v2", "RUNNING");
	deployed_as(x, "gone_v3", "RUNNING"); /* unknown base: its own logical table */
	versions();
	assert_int_equal(pc_versions_get(V, "x")->versions.len, 1);
	assert_int_equal(pc_versions_get(V, "x_v2")->versions.len, 2);
	assert_string_equal(pc_versions_current_name(V, "x_v2"), "x_v2_v2");
	assert_non_null(pc_versions_get(V, "gone_v3"));
	assert_null(pc_versions_get(V, "gone"));
	free_versions();
}

static void test_versions__retired_and_superseded(void **state)
{
	(void)state;
	pc_table *t = table("m", "intermediates", NULL, 1);
	deployed_as(t, "m", "RUNNING");
	deployed_as(t, "m_v2", "RUNNING");
	deployed_as(t, "m_v3", "RUNNING");
	/* m_v4 retired: DROP completed after its DDL, topic still being deleted, DML stopped */
	deployed_as(t, "m_v4", "STOPPED");
	pc_statement *d = stmt("dev-pc-drop-m-v4-0a1b2c3d", "COMPLETED");
	d->sql = pc_strdup("DROP TABLE IF EXISTS `m_v4`");
	versions();
	const pc_versioned_table *vt = pc_versions_get(V, "m");
	assert_int_equal(vt->versions.len, 3);
	assert_string_equal(pc_versions_role(vt, vt->versions.items[1]), "superseded");
	assert_string_equal(pc_versions_green(vt)->physical, "m_v3");
	assert_null(pc_versions_by_physical(V, "m_v4", NULL));
	free_versions();
}

static void test_versions__without_project_the_suffix_decides(void **state)
{
	(void)state;
	pc_table *t = table("a", "intermediates", NULL, 1);
	deployed_as(t, "a", "RUNNING");
	deployed_as(t, "a_v2", "RUNNING");
	build_actual();
	assert_int_equal(pc_versions_build(&V, F->act, NULL), 0);
	assert_int_equal(pc_versions_get(V, "a")->versions.len, 2);
	assert_null(pc_versions_get(V, "a")->desired);
	free_versions();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_versions__blue_is_lowest_green_highest),
		T(test_versions__one_version_is_current_without_roles),
		T(test_versions__a_desired_table_named_like_a_version_is_its_own),
		T(test_versions__retired_and_superseded),
		T(test_versions__without_project_the_suffix_decides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
