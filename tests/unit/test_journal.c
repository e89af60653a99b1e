/* Unit tests for src/reconcile/journal.c: the intent of a run as SQL text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/journal.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static void test_journal__sql_reads_back_the_same_journal(void **state)
{
	pc_journal *j = pc_journal_new("dev-pc-journal-1", "2026-01-01T00:00:00Z"), *back = NULL;
	char *sql, *again;
	(void)state;
	pc_journal_add_action(j, "t", "rebuild", "dev-pc-dml-t-1");
	pc_journal_add_action(j, "u", "drop", NULL);
	pc_journal_add_name(j, PC_NAME_DROP, "t", NULL, "dev-pc-drop-t-1");
	pc_journal_add_name(j, PC_NAME_DDL, "t */ DROP TABLE x; /*", "fp1", "dev-pc-ddl-t-1");
	sql = pc_journal_sql(j);
	assert_true(strncmp(sql, "SHOW TABLES /* ", 15) == 0);
	/* the comment ends once, at the end: a name cannot close it early */
	assert_ptr_equal(strstr(sql, "*/"), sql + strlen(sql) - 2);
	assert_int_equal(pc_journal_parse(&back, "dev-pc-journal-1", sql), 0);
	assert_int_equal(back->actions.len, 2);
	assert_int_equal(back->names.len, 2);
	assert_string_equal(((pc_journal_action *)back->actions.items[0])->dml, "dev-pc-dml-t-1");
	assert_null(((pc_journal_action *)back->actions.items[1])->dml);
	assert_string_equal(((pc_journal_name *)back->names.items[1])->table, "t */ DROP TABLE x; /*");
	assert_int_equal(((pc_journal_name *)back->names.items[0])->kind, PC_NAME_DROP);
	assert_string_equal(((pc_journal_name *)back->names.items[0])->fp, "");
	again = pc_journal_sql(back);
	assert_string_equal(sql, again);
	free(sql);
	free(again);
	pc_journal_free(j);
	pc_journal_free(back);
}

static void test_journal__text_that_is_not_a_journal_is_one_line_naming_the_statement(void **state)
{
	static const char *const bad[] = {
		"SHOW TABLES",
		"SHOW TABLES /* pipectl-journal {\"v\":1} */",
		"SHOW TABLES /* pipectl-journal {\"v\":2,\"actions\":[],\"names\":[]} */",
		"SHOW TABLES /* pipectl-journal {\"v\":1,\"actions\":[{}],\"names\":[]} */",
		"SHOW TABLES /* pipectl-journal {\"v\":1,\"actions\":[],\"names\":[{\"kind\":\"x\",\"table\":\"t\",\"statement\":\"s\"}]} */",
		"SHOW TABLES /* pipectl-journal {not json */",
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
	char *n = pc_journal_make_name("Dev", "seed");
	(void)state;
	assert_true(strncmp(n, "dev-pc-journal-", 15) == 0);
	assert_int_equal(strlen(n), 15 + 8);
	assert_true(pc_journal_is_name("Dev", n));
	assert_false(pc_journal_is_name("prod", n));
	assert_false(pc_journal_is_name("dev", "dev-pc-dml-t-12345678"));
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal__sql_reads_back_the_same_journal),
		cmocka_unit_test(test_journal__text_that_is_not_a_journal_is_one_line_naming_the_statement),
		cmocka_unit_test(test_journal__names_belong_to_their_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
