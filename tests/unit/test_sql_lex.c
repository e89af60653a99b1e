/* Unit tests for the Flink SQL tokenizer, splitting and fingerprints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/sql.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static pc_token_list lex_ok(const char *s)
{
	pc_token_list l = { 0 };
	assert_int_equal(pc_sql_tokenize(&l, s, strlen(s)), 0);
	return l;
}

static int tok_eq(const pc_token *t, const char *s)
{
	return t->len == strlen(s) && memcmp(t->start, s, t->len) == 0;
}

static void test_sql_lex__words_numbers_punct_and_lines(void **state)
{
	pc_token_list l = lex_ok("SELECT a.b,\n  1.5e3 <> x >= 'y' || z => w");
	(void)state;
	assert_int_equal(l.toks[0].kind, PC_TOK_WORD);
	assert_true(tok_eq(&l.toks[0], "SELECT"));
	assert_true(tok_eq(&l.toks[2], "."));
	assert_int_equal(l.toks[5].kind, PC_TOK_NUMBER);
	assert_true(tok_eq(&l.toks[5], "1.5e3"));
	assert_int_equal(l.toks[5].line, 2);
	assert_int_equal(l.toks[5].col, 3);
	assert_true(tok_eq(&l.toks[6], "<>"));
	assert_true(tok_eq(&l.toks[8], ">="));
	assert_int_equal(l.toks[9].kind, PC_TOK_STRING);
	assert_true(tok_eq(&l.toks[10], "||"));
	assert_true(tok_eq(&l.toks[12], "=>"));
	assert_int_equal(l.toks[l.len - 1].kind, PC_TOK_EOF);
	pc_token_list_dispose(&l);
}

static void test_sql_lex__comments_are_dropped_hints_kept(void **state)
{
	pc_token_list l = lex_ok("a -- one; two\n/* three; 'four */ b /*+ OPTIONS('k'='v') */ c");
	(void)state;
	assert_int_equal(l.len, 5);
	assert_true(tok_eq(&l.toks[0], "a"));
	assert_true(tok_eq(&l.toks[1], "b"));
	assert_int_equal(l.toks[1].line, 2);
	assert_int_equal(l.toks[2].kind, PC_TOK_HINT);
	assert_true(tok_eq(&l.toks[2], "/*+ OPTIONS('k'='v') */"));
	assert_true(tok_eq(&l.toks[3], "c"));
	pc_token_list_dispose(&l);
}

static void test_sql_lex__string_with_doubled_quote_and_semicolon_is_one_token(void **state)
{
	pc_token_list l = lex_ok("x = 'it''s; SELECT -- not a comment' ;");
	(void)state;
	assert_int_equal(l.len, 5);
	assert_int_equal(l.toks[2].kind, PC_TOK_STRING);
	assert_true(tok_eq(&l.toks[2], "'it''s; SELECT -- not a comment'"));
	assert_true(tok_eq(&l.toks[3], ";"));
	pc_token_list_dispose(&l);
}

static void test_sql_lex__backtick_identifier_keeps_case_and_escape(void **state)
{
	pc_token_list l = lex_ok("`My``Tab;le`.`x`");
	(void)state;
	assert_int_equal(l.len, 4);
	assert_int_equal(l.toks[0].kind, PC_TOK_QIDENT);
	assert_true(tok_eq(&l.toks[0], "`My``Tab;le`"));
	pc_token_list_dispose(&l);
}

static void test_sql_lex__multiline_string_counts_lines(void **state)
{
	pc_token_list l = lex_ok("'a\nb'\nc");
	(void)state;
	assert_int_equal(l.toks[1].line, 3);
	pc_token_list_dispose(&l);
}

static void test_sql_lex__unterminated_string_names_its_first_line(void **state)
{
	pc_token_list l = { 0 };
	const char *s = "SELECT 1;\nSELECT 'abc\n\n";
	(void)state;
	assert_int_equal(pc_sql_tokenize(&l, s, strlen(s)), PC_EPARSE);
	assert_string_equal(pc_error_last(), "line 2: unterminated string literal");
	pc_token_list_dispose(&l);
}

static void test_sql_lex__unterminated_backtick_and_comment_fail(void **state)
{
	pc_token_list l = { 0 };
	(void)state;
	assert_int_equal(pc_sql_tokenize(&l, "a\n`b", 4), PC_EPARSE);
	assert_string_equal(pc_error_last(), "line 2: unterminated quoted identifier");
	assert_int_equal(pc_sql_tokenize(&l, "a /* b\n\n", 8), PC_EPARSE);
	assert_string_equal(pc_error_last(), "line 1: unterminated comment");
	assert_int_equal(pc_sql_tokenize(&l, "a /*+ hint", 10), PC_EPARSE);
	pc_token_list_dispose(&l);
}

static void test_sql_lex__text_need_not_be_terminated(void **state)
{
	char buf[3] = { 'a', 'b', 'c' };
	pc_token_list l = { 0 };
	(void)state;
	assert_int_equal(pc_sql_tokenize(&l, buf, 2), 0);
	assert_int_equal(l.len, 2);
	assert_int_equal(l.toks[0].len, 2);
	pc_token_list_dispose(&l);
}

static void test_sql_lex__tok_is_ignores_case_only_for_words(void **state)
{
	pc_token_list l = lex_ok("select `select` 'select'");
	(void)state;
	assert_true(pc_tok_is(&l.toks[0], "SELECT"));
	assert_false(pc_tok_is(&l.toks[0], "SELECTS"));
	assert_false(pc_tok_is(&l.toks[1], "SELECT"));
	assert_false(pc_tok_is(&l.toks[2], "SELECT"));
	pc_token_list_dispose(&l);
}

static void fp(char out[33], const char *s)
{
	assert_int_equal(pc_sql_fingerprint(out, s, strlen(s)), 0);
}

static void test_sql_fingerprint__formatting_comments_and_keyword_case_do_not_matter(void **state)
{
	char a[33], b[33];
	(void)state;
	fp(a, "INSERT INTO t SELECT id, COUNT(*) FROM src /*+ OPTIONS('a'='b') */ GROUP BY id;");
	fp(b, "-- a comment\ninsert into t\n  select id,\n\tcount( * ) -- x\n  from src /*+  OPTIONS( 'a' = 'b' ) */\n  /* block */ group   by id");
	assert_string_equal(a, b);
	fp(b, "CREATE TABLE t (k STRING, PRIMARY KEY (k) NOT ENFORCED)");
	fp(a, "create table t (k string, primary key (k) not enforced);;");
	assert_string_equal(a, b);
	fp(a, "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM b; END;\nCREATE TEMPORARY VIEW v AS SELECT 1");
	fp(b, "execute statement set begin insert into a select * from b; end\n;create temporary view v as select 1;");
	assert_string_equal(a, b);
	/* function names are case-insensitive in Flink */
	fp(a, "SELECT CONCAT(a, b), DATE_FORMAT(ts, 'yyyy'), my_udf(x) FROM t");
	fp(b, "select concat(a, b), date_format(ts, 'yyyy'), MY_UDF(x) from t");
	assert_string_equal(a, b);
}

static void test_sql_fingerprint__backticks_around_plain_names_and_if_not_exists_do_not_matter(void **state)
{
	char a[33], b[33];
	(void)state;
	fp(a, "INSERT INTO refunds SELECT refund_id, amount FROM src");
	fp(b, "INSERT INTO `refunds` SELECT `refund_id`, `amount` FROM `src`");
	assert_string_equal(a, b);
	fp(a, "CREATE TABLE t (id INT)");
	fp(b, "CREATE TABLE IF NOT EXISTS t (id INT)");
	assert_string_equal(a, b);
	fp(b, "create table if not exists `t` (`id` INT)");
	assert_string_equal(a, b);
	/* a quoted name that is not a plain identifier, or that is a keyword, stays what it is */
	fp(a, "SELECT `a-b` FROM t");
	fp(b, "SELECT `a_b` FROM t");
	assert_string_not_equal(a, b);
	fp(a, "SELECT `select` FROM t");
	fp(b, "SELECT `SELECT` FROM t");
	assert_string_not_equal(a, b);
	/* quoting keeps the case of a name */
	fp(a, "SELECT `Refund_Id` FROM t");
	fp(b, "SELECT refund_id FROM t");
	assert_string_not_equal(a, b);
	/* IF NOT EXISTS elsewhere is kept */
	fp(a, "SELECT 1 FROM t WHERE NOT EXISTS (SELECT 1 FROM u)");
	fp(b, "SELECT 1 FROM t WHERE EXISTS (SELECT 1 FROM u)");
	assert_string_not_equal(a, b);
}

static void test_sql_fingerprint__identifier_case_and_literals_matter(void **state)
{
	char a[33], b[33];
	(void)state;
	fp(a, "SELECT id FROM Orders");
	fp(b, "SELECT id FROM orders");
	assert_string_not_equal(a, b);
	fp(b, "SELECT ID FROM Orders");
	assert_string_not_equal(a, b);
	fp(a, "SELECT 'a' FROM t");
	fp(b, "SELECT 'A' FROM t");
	assert_string_not_equal(a, b);
	fp(b, "SELECT 'a ' FROM t");
	assert_string_not_equal(a, b);
	fp(a, "SELECT `key` FROM t");
	fp(b, "SELECT `KEY` FROM t");
	assert_string_not_equal(a, b);
	fp(a, "SELECT key FROM t");
	fp(b, "SELECT KEY FROM t");
	assert_string_not_equal(a, b);
	/* non-reserved words that are keywords only in context stay identifiers elsewhere */
	fp(a, "SELECT view, statement FROM t");
	fp(b, "SELECT VIEW, STATEMENT FROM t");
	assert_string_not_equal(a, b);
	/* names before '(' that are tables, views or aliases keep their case */
	fp(a, "CREATE TABLE Orders (id INT)");
	fp(b, "CREATE TABLE orders (id INT)");
	assert_string_not_equal(a, b);
	fp(a, "INSERT INTO db.Out (a) SELECT a FROM s");
	fp(b, "INSERT INTO db.out (a) SELECT a FROM s");
	assert_string_not_equal(a, b);
	fp(a, "SELECT * FROM s, UNNEST(arr) AS T(x)");
	fp(b, "SELECT * FROM s, UNNEST(arr) AS t(x)");
	assert_string_not_equal(a, b);
	fp(a, "WITH A (x) AS (SELECT 1) SELECT * FROM A");
	fp(b, "WITH a (x) AS (SELECT 1) SELECT * FROM a");
	assert_string_not_equal(a, b);
	fp(a, "SELECT 1 FROM t WHERE x > 1");
	fp(b, "SELECT 1 FROM t WHERE x > 2");
	assert_string_not_equal(a, b);
}

static void test_sql_fingerprint__matches_the_analyzed_file(void **state)
{
	const char *s = "CREATE TABLE a (x INT);\nINSERT INTO a VALUES (1);";
	pc_sql_file *f = NULL;
	char a[33];
	(void)state;
	fp(a, s);
	assert_int_equal(pc_sql_analyze(&f, "f.sql", s, strlen(s)), 0);
	assert_string_equal(a, f->fingerprint);
	pc_sql_file_free(f);
}

static void test_sql_fingerprint__unterminated_string_is_an_error(void **state)
{
	char a[33];
	(void)state;
	assert_int_equal(pc_sql_fingerprint(a, "SELECT 'x", 9), PC_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_lex__words_numbers_punct_and_lines),
		cmocka_unit_test(test_sql_lex__comments_are_dropped_hints_kept),
		cmocka_unit_test(test_sql_lex__string_with_doubled_quote_and_semicolon_is_one_token),
		cmocka_unit_test(test_sql_lex__backtick_identifier_keeps_case_and_escape),
		cmocka_unit_test(test_sql_lex__multiline_string_counts_lines),
		cmocka_unit_test(test_sql_lex__unterminated_string_names_its_first_line),
		cmocka_unit_test(test_sql_lex__unterminated_backtick_and_comment_fail),
		cmocka_unit_test(test_sql_lex__text_need_not_be_terminated),
		cmocka_unit_test(test_sql_lex__tok_is_ignores_case_only_for_words),
		cmocka_unit_test(test_sql_fingerprint__formatting_comments_and_keyword_case_do_not_matter),
		cmocka_unit_test(test_sql_fingerprint__backticks_around_plain_names_and_if_not_exists_do_not_matter),
		cmocka_unit_test(test_sql_fingerprint__identifier_case_and_literals_matter),
		cmocka_unit_test(test_sql_fingerprint__matches_the_analyzed_file),
		cmocka_unit_test(test_sql_fingerprint__unterminated_string_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
