/* Unit tests for src/model/naming: statement names and labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/naming.h"
#include "util/kv.h"

#include <stdlib.h>
#include <string.h>

#define FP1 "0123456789abcdef0123456789abcdef"
#define FP2 "fedcba9876543210fedcba9876543210"

static void test_naming_statement__has_the_documented_shape(void **state)
{
	char *n = pc_naming_statement("dev", PC_NAME_DDL, "Fct_Orders", FP1, NULL);
	(void)state;
	assert_int_equal(strncmp(n, "dev-pc-ddl-fct-orders-", 22), 0);
	assert_int_equal(strlen(n), 22 + 8);
	assert_true(pc_naming_valid(n));
	free(n);
}

static void test_naming_statement__is_deterministic(void **state)
{
	char *a = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, NULL);
	char *b = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, NULL);
	(void)state;
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_naming_statement__changes_with_content_kind_and_nonce(void **state)
{
	char *a = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, NULL);
	char *b = pc_naming_statement("dev", PC_NAME_DML, "orders", FP2, NULL);
	char *c = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, "1");
	char *d = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, "2");
	(void)state;
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(c, d);
	free(a);
	free(b);
	free(c);
	free(d);
}

static void test_naming_statement__case_distinct_tables_get_distinct_names(void **state)
{
	char *a = pc_naming_statement("dev", PC_NAME_DML, "Orders", FP1, NULL);
	char *b = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, NULL);
	(void)state;
	assert_string_not_equal(a, b);
	/* same slug, the hash tells them apart */
	assert_int_equal(strncmp(a, b, strlen(a) - 8), 0);
	free(a);
	free(b);
}

static void test_naming_statement__long_and_odd_names_stay_valid_and_short(void **state)
{
	char big[400];
	const char *odd[] = { "`cat`.`db`.Weird Name!!", "___", "ÄÖÜ", "a", "9lives",
			      "x.y.z", "--lead--trail--", "" };
	size_t i;
	(void)state;
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[150] = '_';
	char *n = pc_naming_statement("A very Long PREFIX that goes on and on and on and on", PC_NAME_DROP,
				      big, FP1, "17");
	assert_true(strlen(n) <= PC_NAME_MAX);
	assert_true(pc_naming_valid(n));
	free(n);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		n = pc_naming_statement("dev", PC_NAME_DML, odd[i], FP2, NULL);
		assert_true(pc_naming_valid(n));
		assert_true(strlen(n) <= PC_NAME_MAX);
		free(n);
	}
}

static void test_naming_valid__follows_confluent_pattern(void **state)
{
	char over[102];
	(void)state;
	assert_true(pc_naming_valid("a"));
	assert_true(pc_naming_valid("dev-pc-dml-x-0a1b2c3d"));
	assert_true(pc_naming_valid("a.b-c.d"));
	assert_false(pc_naming_valid(""));
	assert_false(pc_naming_valid("-a"));
	assert_false(pc_naming_valid("a-"));
	assert_false(pc_naming_valid("A"));
	assert_false(pc_naming_valid("a..b"));
	assert_false(pc_naming_valid("a_b"));
	memset(over, 'a', 101);
	over[101] = '\0';
	assert_false(pc_naming_valid(over));
	over[100] = '\0';
	assert_true(pc_naming_valid(over));
}

static void test_naming_slug__lowercases_and_collapses(void **state)
{
	char *s = pc_naming_slug("__Fct__Orders.V2__", 0);
	(void)state;
	assert_string_equal(s, "fct-orders-v2");
	free(s);
	s = pc_naming_slug("abc-def", 4);
	assert_string_equal(s, "abc");
	free(s);
	s = pc_naming_slug("!!", 0);
	assert_string_equal(s, "x");
	free(s);
}

static void test_naming_dml_fp__ignores_property_order_and_sees_values(void **state)
{
	pc_kvlist a = PC_VEC_INIT, b = PC_VEC_INIT;
	char fa[33], fb[33], fnone[33];
	(void)state;
	pc_kv_set(&a, "k1", "v1");
	pc_kv_set(&a, "k2", "v2");
	pc_kv_set(&b, "k2", "v2");
	pc_kv_set(&b, "k1", "v1");
	pc_naming_dml_fp(fa, FP1, &a);
	pc_naming_dml_fp(fb, FP1, &b);
	assert_string_equal(fa, fb);
	pc_naming_dml_fp(fnone, FP1, NULL);
	assert_string_not_equal(fa, fnone);
	pc_kv_set(&b, "k2", "other");
	pc_naming_dml_fp(fb, FP1, &b);
	assert_string_not_equal(fa, fb);
	pc_naming_dml_fp(fb, FP2, &a);
	assert_string_not_equal(fa, fb);
	pc_kv_dispose(&a);
	pc_kv_dispose(&b);
}

static void test_naming_labels__dml_carries_ddl_fingerprint(void **state)
{
	pc_kvlist l = PC_VEC_INIT;
	(void)state;
	pc_naming_labels(&l, PC_NAME_DML, "Fct_Orders", FP1, FP2, FP2);
	assert_string_equal(pc_kv_get(&l, PC_LABEL_MANAGED), "true");
	assert_string_equal(pc_kv_get(&l, PC_LABEL_KIND), "dml");
	assert_string_equal(pc_kv_get(&l, PC_LABEL_TABLE), "fct-orders");
	assert_string_equal(pc_kv_get(&l, PC_LABEL_TABLE_NAME), "Fct_Orders");
	assert_string_equal(pc_kv_get(&l, PC_LABEL_FP), FP1);
	assert_string_equal(pc_kv_get(&l, PC_LABEL_DDL_FP), FP2);
	assert_string_equal(pc_kv_get(&l, PC_LABEL_SQL_FP), FP2);
	pc_kv_dispose(&l);
}

static void test_naming_labels__odd_table_name_is_not_a_label_value(void **state)
{
	pc_kvlist l = PC_VEC_INIT;
	(void)state;
	pc_naming_labels(&l, PC_NAME_DDL, "cat.db.My Table", FP1, NULL, NULL);
	assert_null(pc_kv_get(&l, PC_LABEL_TABLE_NAME));
	assert_string_equal(pc_kv_get(&l, PC_LABEL_TABLE), "cat-db-my-table");
	assert_null(pc_kv_get(&l, PC_LABEL_DDL_FP));
	pc_kv_dispose(&l);
}

static void test_naming_is_managed__by_name_pattern_or_label_under_prefix(void **state)
{
	pc_kvlist l = PC_VEC_INIT;
	pc_name_kind k = PC_NAME_DDL;
	char *n = pc_naming_statement("dev", PC_NAME_DML, "orders", FP1, NULL);
	(void)state;
	assert_true(pc_naming_is_managed(n, NULL, "dev", &k));
	assert_int_equal(k, PC_NAME_DML);
	/* another project's prefix */
	assert_false(pc_naming_is_managed(n, NULL, "prod", NULL));
	/* a statement someone else made */
	assert_false(pc_naming_is_managed("cli-2025-01-01-120000-abc", NULL, "dev", NULL));
	assert_false(pc_naming_is_managed("dev-dml-orders", NULL, "dev", NULL));
	/* the name pattern is broken but the label says it is ours */
	assert_false(pc_naming_is_managed("dev-pc-custom", NULL, "dev", NULL));
	pc_kv_set(&l, PC_LABEL_MANAGED, "true");
	pc_kv_set(&l, PC_LABEL_KIND, "drop");
	assert_true(pc_naming_is_managed("dev-pc-custom", &l, "dev", &k));
	assert_int_equal(k, PC_NAME_DROP);
	free(n);
	pc_kv_dispose(&l);
}

static void test_name_kind__round_trips(void **state)
{
	pc_name_kind k;
	(void)state;
	assert_int_equal(pc_name_kind_parse("drop", &k), 0);
	assert_int_equal(k, PC_NAME_DROP);
	assert_string_equal(pc_name_kind_str(PC_NAME_DDL), "ddl");
	assert_true(pc_name_kind_parse("bogus", &k) < 0);
}

static void expect_table(const char *sql, pc_name_kind kind, const char *want)
{
	char *got = pc_naming_table_from_sql(sql, kind);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_naming_table_from_sql__reads_the_table_of_each_kind(void **state)
{
	(void)state;
	expect_table("DROP TABLE IF EXISTS `cat`.`db`.`Old`", PC_NAME_DROP, "Old");
	expect_table("drop table Orders", PC_NAME_DROP, "Orders");
	expect_table("DROP TEMPORARY TABLE IF EXISTS db.tmp", PC_NAME_DROP, "tmp");
	expect_table("DROP VIEW v", PC_NAME_DROP, NULL);
	expect_table("CREATE TABLE `a b` (id INT)", PC_NAME_DDL, "a b");
	expect_table("INSERT INTO o SELECT * FROM s", PC_NAME_DML, "o");
	expect_table("CREATE TABLE c AS SELECT * FROM s", PC_NAME_DML, "c");
	expect_table("INSERT INTO 'unterminated", PC_NAME_DML, NULL);
	expect_table(NULL, PC_NAME_DDL, NULL);
}


/* ---- blue/green versions ---- */

static void test_naming_physical__v1_is_the_logical_name(void **state)
{
	char *a = pc_naming_physical("int_orders", 1);
	char *b = pc_naming_physical("int_orders", 2);
	char *c = pc_naming_physical("int_orders", 0);
	(void)state;
	assert_string_equal(a, "int_orders");
	assert_string_equal(b, "int_orders_v2");
	assert_string_equal(c, "int_orders");
	free(a);
	free(b);
	free(c);
}

static void test_naming_version_split__only_a_real_suffix(void **state)
{
	size_t l;
	int v;
	(void)state;
	assert_int_equal(pc_naming_version_split("int_orders_v2", &l, &v), 1);
	assert_int_equal(l, strlen("int_orders"));
	assert_int_equal(v, 2);
	assert_int_equal(pc_naming_version_split("x_v9999", &l, &v), 1);
	assert_int_equal(v, 9999);
	assert_int_equal(l, 1);
	/* not versions: v1, v0, leading zero, too big, nothing before, no digits, upper V */
	const char *no[] = { "x_v1", "x_v0", "x_v02", "x_v10000", "_v2", "x_v", "x_V2", "xv2", "x_v2a", "", "v2" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(pc_naming_version_split(no[i], &l, &v), 0);
		assert_int_equal(v, 1);
		assert_int_equal(l, strlen(no[i]));
	}
	assert_int_equal(pc_naming_version_split(NULL, NULL, NULL), 0);
}

static int known_names(void *ctx, const char *name)
{
	for (const char *const *p = ctx; *p; p++)
		if (!strcmp(*p, name))
			return 1;
	return 0;
}

static void test_naming_version_parse__known_logical_names_decide(void **state)
{
	const char *known[] = { "orders", "x", "x_v2", "raw_v3", NULL };
	char *l;
	int v;
	(void)state;
	pc_naming_version_parse("orders_v3", known_names, (void *)known, &l, &v);
	assert_string_equal(l, "orders");
	assert_int_equal(v, 3);
	free(l);
	/* a desired table literally named x_v2 is itself, version 1 */
	pc_naming_version_parse("x_v2", known_names, (void *)known, &l, &v);
	assert_string_equal(l, "x_v2");
	assert_int_equal(v, 1);
	free(l);
	/* and its own green */
	pc_naming_version_parse("x_v2_v2", known_names, (void *)known, &l, &v);
	assert_string_equal(l, "x_v2");
	assert_int_equal(v, 2);
	free(l);
	pc_naming_version_parse("raw_v3", known_names, (void *)known, &l, &v);
	assert_string_equal(l, "raw_v3");
	assert_int_equal(v, 1);
	free(l);
	/* unknown base: the table is its own logical (an orphan) */
	pc_naming_version_parse("gone_v2", known_names, (void *)known, &l, &v);
	assert_string_equal(l, "gone_v2");
	assert_int_equal(v, 1);
	free(l);
	/* no project: the syntax alone */
	pc_naming_version_parse("gone_v2", NULL, NULL, &l, &v);
	assert_string_equal(l, "gone");
	assert_int_equal(v, 2);
	free(l);
	pc_naming_version_parse("orders", known_names, (void *)known, &l, &v);
	assert_string_equal(l, "orders");
	assert_int_equal(v, 1);
	free(l);
}

static void test_naming_statement__version_survives_in_the_slug(void **state)
{
	char big[200];
	char *n, *phys;
	(void)state;
	n = pc_naming_statement("dev", PC_NAME_DML, "int_orders_v2", FP1, NULL);
	assert_int_equal(strncmp(n, "dev-pc-dml-int-orders-v2-", 25), 0);
	free(n);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	phys = pc_naming_physical(big, 12);
	n = pc_naming_statement("dev", PC_NAME_DML, phys, FP1, NULL);
	assert_true(pc_naming_valid(n));
	assert_true(strlen(n) <= PC_NAME_MAX);
	assert_non_null(strstr(n, "-v12-"));
	free(n);
	free(phys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_naming_statement__has_the_documented_shape),
		cmocka_unit_test(test_naming_statement__is_deterministic),
		cmocka_unit_test(test_naming_statement__changes_with_content_kind_and_nonce),
		cmocka_unit_test(test_naming_statement__case_distinct_tables_get_distinct_names),
		cmocka_unit_test(test_naming_statement__long_and_odd_names_stay_valid_and_short),
		cmocka_unit_test(test_naming_valid__follows_confluent_pattern),
		cmocka_unit_test(test_naming_slug__lowercases_and_collapses),
		cmocka_unit_test(test_naming_dml_fp__ignores_property_order_and_sees_values),
		cmocka_unit_test(test_naming_labels__dml_carries_ddl_fingerprint),
		cmocka_unit_test(test_naming_labels__odd_table_name_is_not_a_label_value),
		cmocka_unit_test(test_naming_is_managed__by_name_pattern_or_label_under_prefix),
		cmocka_unit_test(test_name_kind__round_trips),
		cmocka_unit_test(test_naming_table_from_sql__reads_the_table_of_each_kind),
		cmocka_unit_test(test_naming_physical__v1_is_the_logical_name),
		cmocka_unit_test(test_naming_version_split__only_a_real_suffix),
		cmocka_unit_test(test_naming_version_parse__known_logical_names_decide),
		cmocka_unit_test(test_naming_statement__version_survives_in_the_slug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
