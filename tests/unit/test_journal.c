/* Unit tests for src/reconcile/journal.c: the intent of a run as the SQL text of its parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/journal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN "dev-pc-journal-0123abcd"

/* A journal of n tables as a create of each would write it (a DDL and a DML name per table). */
static pc_journal *journal_of(size_t n)
{
	pc_journal *j = pc_journal_new(RUN, "2026-01-01T00:00:00Z");
	for (size_t i = 0; i < n; i++) {
		char t[64], ddl[100], dml[100];
		snprintf(t, sizeof(t), "int_table_number_%06zu", i);
		snprintf(ddl, sizeof(ddl), "dev-pc-ddl-int-table-number-%06zu-%08zx", i, i * 7919);
		snprintf(dml, sizeof(dml), "dev-pc-dml-int-table-number-%06zu-%08zx", i, i * 7907);
		pc_journal_add_action(j, t, "create", dml);
		pc_journal_add_name(j, PC_NAME_DDL, t, "0123456789abcdef0123456789abcdef", ddl);
		pc_journal_add_name(j, PC_NAME_DML, t, "fedcba9876543210fedcba9876543210", dml);
	}
	return j;
}

/* Parse each SQL of sqls as the part its index names; the parts into out. */
static void parse_parts(pc_vec *out, const pc_vec *sqls, const char *run)
{
	for (size_t i = 0; i < sqls->len; i++) {
		pc_journal *p = NULL;
		char *name = pc_journal_part_name(run, (int)i + 1, (int)sqls->len);
		assert_int_equal(pc_journal_parse(&p, name, sqls->items[i]), 0);
		assert_int_equal(p->part, (int)i + 1);
		assert_int_equal(p->parts, (int)sqls->len);
		assert_string_equal(p->run, run);
		pc_vec_push(out, p);
		free(name);
	}
}

static void test_journal__sql_reads_back_the_same_journal(void **state)
{
	pc_journal *j = pc_journal_new(RUN, "2026-01-01T00:00:00Z"), *back;
	pc_vec sqls = PC_VEC_INIT, again = PC_VEC_INIT, parts = PC_VEC_INIT, whole = PC_VEC_INIT, left = PC_VEC_INIT;
	const char *sql;
	(void)state;
	pc_journal_add_action(j, "t", "rebuild", "dev-pc-dml-t-1");
	pc_journal_add_action(j, "u", "drop", NULL);
	pc_journal_add_name(j, PC_NAME_DROP, "t", NULL, "dev-pc-drop-t-1");
	pc_journal_add_name(j, PC_NAME_DDL, "t */ DROP TABLE x; /*", "fp1", "dev-pc-ddl-t-1");
	assert_int_equal(pc_journal_sql_parts(&sqls, j, RUN, PC_JOURNAL_PART_MAX), 0);
	assert_int_equal(sqls.len, 1);
	sql = sqls.items[0];
	assert_true(strncmp(sql, "SHOW TABLES /* ", 15) == 0);
	/* the comment ends once, at the end: a name cannot close it early */
	assert_ptr_equal(strstr(sql, "*/"), sql + strlen(sql) - 2);
	parse_parts(&parts, &sqls, RUN);
	assert_int_equal(pc_journal_join(&parts, &whole, &left), 0);
	assert_int_equal(parts.len, 0);
	assert_int_equal(left.len, 0);
	assert_int_equal(whole.len, 1);
	back = whole.items[0];
	assert_string_equal(back->run, RUN);
	assert_string_equal(back->created_at, "2026-01-01T00:00:00Z");
	assert_int_equal(back->statements.len, 1);
	assert_string_equal(back->statements.items[0], RUN "-1-of-1");
	assert_int_equal(back->actions.len, 2);
	assert_int_equal(back->names.len, 2);
	assert_string_equal(((pc_journal_action *)back->actions.items[0])->dml, "dev-pc-dml-t-1");
	assert_null(((pc_journal_action *)back->actions.items[1])->dml);
	assert_string_equal(((pc_journal_name *)back->names.items[1])->table, "t */ DROP TABLE x; /*");
	assert_int_equal(((pc_journal_name *)back->names.items[0])->kind, PC_NAME_DROP);
	assert_string_equal(((pc_journal_name *)back->names.items[0])->fp, "");
	assert_int_equal(pc_journal_sql_parts(&again, back, RUN, PC_JOURNAL_PART_MAX), 0);
	assert_int_equal(again.len, 1);
	assert_string_equal(sql, again.items[0]);
	pc_vec_dispose(&sqls, free);
	pc_vec_dispose(&again, free);
	pc_vec_dispose(&whole, pc_journal_free);
	pc_journal_free(j);
}

static void test_journal__a_large_journal_is_split_and_joined_in_order(void **state)
{
	pc_journal *j = journal_of(200), *back;
	pc_vec sqls = PC_VEC_INIT, parts = PC_VEC_INIT, whole = PC_VEC_INIT, left = PC_VEC_INIT;
	const size_t max = 3000;
	(void)state;
	assert_int_equal(pc_journal_sql_parts(&sqls, j, RUN, max), 0);
	assert_true(sqls.len >= 20);
	for (size_t i = 0; i < sqls.len; i++) {
		assert_true(strlen(sqls.items[i]) <= max);
		/* the parts are full: the next record would not have fitted */
		if (i + 1 < sqls.len)
			assert_true(strlen(sqls.items[i]) > max - 200);
	}
	parse_parts(&parts, &sqls, RUN);
	/* read in any order (the list is newest first, ties by name): parts 3, 1, 2, … */
	void *tmp = parts.items[0];
	parts.items[0] = parts.items[2];
	parts.items[2] = tmp;
	assert_int_equal(pc_journal_join(&parts, &whole, &left), 0);
	assert_int_equal(left.len, 0);
	assert_int_equal(whole.len, 1);
	back = whole.items[0];
	assert_int_equal(back->parts, (int)sqls.len);
	assert_int_equal(back->statements.len, sqls.len);
	for (size_t i = 0; i < back->statements.len; i++) {
		char *name = pc_journal_part_name(RUN, (int)i + 1, (int)sqls.len);
		assert_string_equal(back->statements.items[i], name);
		free(name);
	}
	assert_int_equal(back->actions.len, 200);
	assert_int_equal(back->names.len, 400);
	for (size_t i = 0; i < 200; i++) {
		const pc_journal_action *a = j->actions.items[i], *b = back->actions.items[i];
		assert_string_equal(a->table, b->table);
		assert_string_equal(a->kind, b->kind);
		assert_string_equal(a->dml, b->dml);
	}
	for (size_t i = 0; i < 400; i++) {
		const pc_journal_name *a = j->names.items[i], *b = back->names.items[i];
		assert_int_equal(a->kind, b->kind);
		assert_string_equal(a->table, b->table);
		assert_string_equal(a->fp, b->fp);
		assert_string_equal(a->statement, b->statement);
	}
	pc_vec_dispose(&sqls, free);
	pc_vec_dispose(&whole, pc_journal_free);
	pc_journal_free(j);
}

/* Join the parts of sqls whose index (1-based) keep[] says; return the leftovers' count, whole's count in *n_whole. */
static size_t join_some(const pc_vec *sqls, const int *keep, pc_vec *left, size_t *n_whole)
{
	pc_vec all = PC_VEC_INIT, parts = PC_VEC_INIT, whole = PC_VEC_INIT;
	parse_parts(&all, sqls, RUN);
	for (size_t i = 0; i < all.len; i++) {
		if (keep[i])
			pc_vec_push(&parts, all.items[i]);
		else
			pc_journal_free(all.items[i]);
	}
	pc_vec_dispose(&all, NULL);
	assert_int_equal(pc_journal_join(&parts, &whole, left), 0);
	*n_whole = whole.len;
	pc_vec_dispose(&whole, pc_journal_free);
	return left->len;
}

static void test_journal__an_incomplete_set_is_left_over_not_read(void **state)
{
	pc_journal *j = journal_of(40);
	pc_vec sqls = PC_VEC_INIT, left = PC_VEC_INIT;
	int keep[64];
	size_t n_whole;
	(void)state;
	assert_int_equal(pc_journal_sql_parts(&sqls, j, RUN, 2000), 0);
	assert_true(sqls.len >= 4 && sqls.len <= 64);
	/* killed while writing the parts: the first two are there, the others never were */
	memset(keep, 0, sizeof(keep));
	keep[0] = keep[1] = 1;
	assert_int_equal(join_some(&sqls, keep, &left, &n_whole), 2);
	assert_int_equal(n_whole, 0);
	assert_non_null(pc_vec_get(&left, 0));
	pc_vec_dispose(&left, free);
	/* one part in the middle missing (deleted by hand, or by a finishing run killed while deleting) */
	for (size_t i = 0; i < sqls.len; i++)
		keep[i] = i != 2;
	assert_int_equal(join_some(&sqls, keep, &left, &n_whole), sqls.len - 1);
	assert_int_equal(n_whole, 0);
	for (size_t i = 0; i < left.len; i++)
		assert_null(strstr(left.items[i], "-3-of-"));
	pc_vec_dispose(&left, free);
	/* the last one missing */
	for (size_t i = 0; i < sqls.len; i++)
		keep[i] = i + 1 != sqls.len;
	assert_int_equal(join_some(&sqls, keep, &left, &n_whole), sqls.len - 1);
	assert_int_equal(n_whole, 0);
	pc_vec_dispose(&left, free);
	/* all there */
	for (size_t i = 0; i < sqls.len; i++)
		keep[i] = 1;
	assert_int_equal(join_some(&sqls, keep, &left, &n_whole), 0);
	assert_int_equal(n_whole, 1);
	pc_vec_dispose(&left, free);
	pc_vec_dispose(&sqls, free);
	pc_journal_free(j);
}

static void test_journal__two_runs_join_apart_in_the_order_read(void **state)
{
	pc_journal *a = journal_of(30), *b = journal_of(5);
	pc_vec sa = PC_VEC_INIT, sb = PC_VEC_INIT, parts = PC_VEC_INIT, whole = PC_VEC_INIT, left = PC_VEC_INIT;
	(void)state;
	assert_int_equal(pc_journal_sql_parts(&sa, a, "dev-pc-journal-aaaaaaaa", 2000), 0);
	assert_int_equal(pc_journal_sql_parts(&sb, b, "dev-pc-journal-bbbbbbbb", 2000), 0);
	parse_parts(&parts, &sb, "dev-pc-journal-bbbbbbbb"); /* newest first */
	parse_parts(&parts, &sa, "dev-pc-journal-aaaaaaaa");
	assert_int_equal(pc_journal_join(&parts, &whole, &left), 0);
	assert_int_equal(whole.len, 2);
	assert_string_equal(((pc_journal *)whole.items[0])->run, "dev-pc-journal-bbbbbbbb");
	assert_int_equal(((pc_journal *)whole.items[0])->actions.len, 5);
	assert_int_equal(((pc_journal *)whole.items[1])->actions.len, 30);
	pc_vec_dispose(&sa, free);
	pc_vec_dispose(&sb, free);
	pc_vec_dispose(&whole, pc_journal_free);
	pc_journal_free(a);
	pc_journal_free(b);
}

static void test_journal__parts_that_disagree_are_not_a_journal(void **state)
{
	static const char *const sql[] = {
		"SHOW TABLES /* pipectl-journal {\"a\":[],\"at\":\"x\",\"n\":[],\"p\":1,\"pn\":2,\"run\":\"r\",\"v\":2} */",
		"SHOW TABLES /* pipectl-journal {\"a\":[],\"at\":\"x\",\"n\":[],\"p\":2,\"pn\":3,\"run\":\"r\",\"v\":2} */",
	};
	pc_vec parts = PC_VEC_INIT, whole = PC_VEC_INIT, left = PC_VEC_INIT;
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		pc_journal *p = NULL;
		assert_int_equal(pc_journal_parse(&p, i ? "dev-pc-journal-r-2-of-3" : "dev-pc-journal-r-1-of-2", sql[i]),
				 0);
		pc_vec_push(&parts, p);
	}
	assert_int_equal(pc_journal_join(&parts, &whole, &left), PC_EPARSE);
	assert_non_null(strstr(pc_error_last(), "journal 'r'"));
	assert_int_equal(whole.len + left.len + parts.len, 0);
}

static void test_journal__every_part_of_10000_tables_fits_the_service(void **state)
{
	pc_journal *j = journal_of(10000);
	pc_vec sqls = PC_VEC_INIT;
	size_t total = 0;
	(void)state;
	assert_true(PC_JOURNAL_PART_MAX <= 131072 / 2);
	assert_int_equal(pc_journal_sql_parts(&sqls, j, RUN, PC_JOURNAL_PART_MAX), 0);
	for (size_t i = 0; i < sqls.len; i++) {
		assert_true(strlen(sqls.items[i]) <= PC_JOURNAL_PART_MAX);
		total += strlen(sqls.items[i]);
	}
	/* packed: no more parts than the bytes need (357 bytes a table here, long names; 55 parts) */
	assert_int_equal(sqls.len, (total + PC_JOURNAL_PART_MAX - 1) / PC_JOURNAL_PART_MAX);
	pc_vec_dispose(&sqls, free);
	pc_journal_free(j);
}

static void test_journal__a_record_too_large_for_one_part_is_refused_naming_its_table(void **state)
{
	pc_journal *j = journal_of(3);
	pc_vec sqls = PC_VEC_INIT;
	char big[600];
	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pc_journal_add_action(j, big, "create", NULL);
	assert_int_equal(pc_journal_sql_parts(&sqls, j, RUN, 500), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "journal record of table 'xxxx"));
	pc_vec_dispose(&sqls, free);
	pc_journal_free(j);
}

static void test_journal__a_journal_of_the_older_format_reads_as_one_whole_part(void **state)
{
	const char *sql = "SHOW TABLES /* pipectl-journal {\"actions\":[{\"action\":\"create\",\"dml\":\"d1\",\"table\":\"t\"}],"
			  "\"created_at\":\"c\",\"names\":[{\"fp\":\"f\",\"kind\":\"dml\",\"statement\":\"d1\",\"table\":\"t\"}],"
			  "\"v\":1} */";
	pc_journal *p = NULL;
	pc_vec parts = PC_VEC_INIT, whole = PC_VEC_INIT, left = PC_VEC_INIT;
	(void)state;
	assert_int_equal(pc_journal_parse(&p, "dev-pc-journal-12345678", sql), 0);
	pc_vec_push(&parts, p);
	assert_int_equal(pc_journal_join(&parts, &whole, &left), 0);
	assert_int_equal(whole.len, 1);
	p = whole.items[0];
	assert_string_equal(p->statements.items[0], "dev-pc-journal-12345678");
	assert_string_equal(((pc_journal_name *)p->names.items[0])->statement, "d1");
	assert_string_equal(((pc_journal_action *)p->actions.items[0])->dml, "d1");
	pc_vec_dispose(&whole, pc_journal_free);
}

static void test_journal__text_that_is_not_a_journal_is_one_line_naming_the_statement(void **state)
{
	static const char *const bad[] = {
		"SHOW TABLES",
		"SHOW TABLES /* pipectl-journal {\"v\":1} */",
		"SHOW TABLES /* pipectl-journal {\"v\":3,\"a\":[],\"n\":[]} */",
		"SHOW TABLES /* pipectl-journal {\"v\":1,\"actions\":[{}],\"names\":[]} */",
		"SHOW TABLES /* pipectl-journal {\"v\":1,\"actions\":[],\"names\":[{\"kind\":\"x\",\"table\":\"t\",\"statement\":\"s\"}]} */",
		"SHOW TABLES /* pipectl-journal {not json */",
		"SHOW TABLES /* pipectl-journal {\"v\":2,\"a\":[],\"n\":[],\"run\":\"r\",\"p\":1} */",
		"SHOW TABLES /* pipectl-journal {\"v\":2,\"a\":[],\"n\":[],\"run\":\"r\",\"p\":3,\"pn\":2} */",
		"SHOW TABLES /* pipectl-journal {\"v\":2,\"a\":[],\"n\":[],\"p\":1,\"pn\":1} */",
		"SHOW TABLES /* pipectl-journal {\"v\":2,\"a\":[{\"t\":\"x\"}],\"n\":[],\"run\":\"r\",\"p\":1,\"pn\":1} */",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pc_journal *j = NULL;
		assert_int_equal(pc_journal_parse(&j, "dev-pc-journal-9", bad[i]), PC_EPARSE);
		assert_null(j);
		assert_non_null(strstr(pc_error_last(), "journal statement 'dev-pc-journal-9'"));
		assert_null(strchr(pc_error_last(), '\n'));
	}
}

static void test_journal__names_belong_to_their_prefix(void **state)
{
	char *n = pc_journal_make_name("Dev", "seed"), *part;
	char *long_run = pc_journal_make_name("a-prefix-of-forty-characters-long-enough", "seed");
	(void)state;
	assert_true(strncmp(n, "dev-pc-journal-", 15) == 0);
	assert_int_equal(strlen(n), 15 + 8);
	assert_true(pc_journal_is_name("Dev", n));
	assert_false(pc_journal_is_name("prod", n));
	assert_false(pc_journal_is_name("dev", "dev-pc-dml-t-12345678"));
	part = pc_journal_part_name(n, 2, 7);
	assert_true(pc_journal_is_name("dev", part));
	assert_int_equal(strlen(part), strlen(n) + strlen("-2-of-7"));
	free(part);
	/* the longest prefix and a million parts still give a name of at most 100 characters */
	part = pc_journal_part_name(long_run, 999999, 999999);
	assert_true(strlen(part) <= 100);
	free(part);
	free(long_run);
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal__sql_reads_back_the_same_journal),
		cmocka_unit_test(test_journal__a_large_journal_is_split_and_joined_in_order),
		cmocka_unit_test(test_journal__an_incomplete_set_is_left_over_not_read),
		cmocka_unit_test(test_journal__two_runs_join_apart_in_the_order_read),
		cmocka_unit_test(test_journal__parts_that_disagree_are_not_a_journal),
		cmocka_unit_test(test_journal__every_part_of_10000_tables_fits_the_service),
		cmocka_unit_test(test_journal__a_record_too_large_for_one_part_is_refused_naming_its_table),
		cmocka_unit_test(test_journal__a_journal_of_the_older_format_reads_as_one_whole_part),
		cmocka_unit_test(test_journal__text_that_is_not_a_journal_is_one_line_naming_the_statement),
		cmocka_unit_test(test_journal__names_belong_to_their_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
