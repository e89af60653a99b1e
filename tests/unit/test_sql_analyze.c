/* Unit tests for the Flink SQL analyzer: tables, statefulness, DDL facts, rename. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/sql.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/kv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "KIND c=.. w=.. r=a,b s=op@line,op@line" for one statement. */
static void summary(pc_buf *b, const pc_sql_stmt *st)
{
	const pc_vec *lists[] = { &st->creates, &st->writes, &st->reads };
	const char *tags[] = { "c", "w", "r" };
	pc_buf_puts(b, pc_stmt_kind_name(st->kind));
	for (int k = 0; k < 3; k++) {
		if (!lists[k]->len)
			continue;
		pc_buf_printf(b, " %s=", tags[k]);
		for (size_t i = 0; i < lists[k]->len; i++)
			pc_buf_printf(b, "%s%s", i ? "," : "", (char *)lists[k]->items[i]);
	}
	if (st->reasons.len) {
		pc_buf_puts(b, " s=");
		for (size_t i = 0; i < st->reasons.len; i++) {
			pc_state_reason *r = st->reasons.items[i];
			pc_buf_printf(b, "%s%s@%d", i ? "," : "", r->op, r->line);
		}
	}
	assert_int_equal(st->stateful, st->reasons.len > 0);
}

/* Summaries of every statement, separated by " | ". */
static char *analyze(const char *sql)
{
	pc_sql_file *f = NULL;
	pc_buf b = PC_BUF_INIT;
	int rc = pc_sql_analyze(&f, "t.sql", sql, strlen(sql));
	if (rc) {
		fprintf(stderr, "unexpected error: %s\n", pc_error_last());
		fail();
	}
	for (size_t i = 0; i < f->stmts.len; i++) {
		if (i)
			pc_buf_puts(&b, " | ");
		summary(&b, f->stmts.items[i]);
	}
	pc_sql_file_free(f);
	return pc_buf_detach(&b);
}

#define EXPECT(sql, want)                                   \
	do {                                                \
		char *got_ = analyze(sql);                  \
		assert_string_equal(got_, want);            \
		free(got_);                                 \
	} while (0)

static pc_sql_file *analyze_file(const char *sql)
{
	pc_sql_file *f = NULL;
	assert_int_equal(pc_sql_analyze(&f, "t.sql", sql, strlen(sql)), 0);
	return f;
}

static void expect_error(const char *sql, const char *msg)
{
	pc_sql_file *f = (pc_sql_file *)1;
	assert_int_equal(pc_sql_analyze(&f, "dir/x.sql", sql, strlen(sql)), PC_EPARSE);
	assert_null(f);
	assert_string_equal(pc_error_last(), msg);
}

/* ---- tables ---- */

static void test_sql_reads__simple_insert_select(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT a, b FROM src WHERE a > 1", "INSERT w=t r=src");
}

static void test_sql_reads__qualified_and_backtick_names_keep_case(void **state)
{
	(void)state;
	EXPECT("INSERT INTO `cat`.`db`.`Out` SELECT * FROM `cat`.`db`.`Orders` UNION ALL SELECT * FROM cat.db.More",
	       "INSERT w=cat.db.Out r=cat.db.Orders,cat.db.More");
	EXPECT("INSERT INTO `my``t` SELECT * FROM `a b`", "INSERT w=my`t r=a b");
	/* Flink's non-reserved keywords can name tables */
	EXPECT("INSERT INTO string SELECT * FROM raw JOIN hop ON raw.k = hop.k", "INSERT w=string r=raw,hop s=regular join@1");
	/* an empty quoted identifier is no name (Flink rejects it) */
	EXPECT("SELECT * FROM ``x", "SELECT");
}

static void test_sql_reads__cte_name_is_not_a_table(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t WITH a AS (SELECT * FROM src1), b (x) AS (SELECT x FROM a JOIN src2 ON a.x = src2.x)\n"
	       "SELECT * FROM b, a",
	       "INSERT w=t r=src1,src2 s=regular join@1,regular join@2");
	EXPECT("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent", "SELECT r=orders");
}

static void test_sql_reads__subqueries_at_any_depth(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT * FROM (SELECT * FROM (SELECT a FROM deep) x) y", "INSERT w=t r=deep");
	/* a subquery as a value is planned as a join (docs/sql-analysis.md) */
	EXPECT("SELECT (SELECT 1 FROM s1) AS c FROM s2", "SELECT r=s1,s2 s=scalar subquery (join)@1");
}

static void test_sql_reads__from_inside_functions_is_not_a_table(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT EXTRACT(DAY FROM ts), TRIM(BOTH ' ' FROM y), SUBSTRING(x FROM 1 FOR 2),\n"
	       " OVERLAY(x PLACING 'a' FROM 2 FOR 1), POSITION(a IN b) FROM src\n"
	       " WHERE a IS DISTINCT FROM b AND c IS NOT DISTINCT FROM d",
	       "INSERT w=t r=src");
	EXPECT("SELECT CAST(x AS TIMESTAMP(3) WITH LOCAL TIME ZONE) FROM s", "SELECT r=s");
}

static void test_sql_reads__keywords_and_semicolons_in_strings_and_comments(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT 'x; FROM fake JOIN fake2' AS s -- FROM c1; JOIN c2\n"
	       "/* ; SELECT * FROM c3; */ FROM real_src",
	       "INSERT w=t r=real_src");
}

static void test_sql_reads__joins_in_all_forms(void **state)
{
	(void)state;
	EXPECT("SELECT * FROM a JOIN b ON a.k = b.k INNER JOIN c ON c.k = a.k LEFT JOIN d ON d.k = a.k\n"
	       "RIGHT OUTER JOIN e USING (k) FULL OUTER JOIN f ON f.k = a.k LEFT OUTER JOIN g ON TRUE\n"
	       "CROSS JOIN h",
	       "SELECT r=a,b,c,d,e,f,g,h s=regular join@1,regular join@2,regular join@3");
	EXPECT("SELECT * FROM a, b\nWHERE a.k = b.k", "SELECT r=a,b s=regular join@1");
	EXPECT("SELECT * FROM a AS x JOIN (SELECT * FROM b) y ON x.k = y.k", "SELECT r=a,b s=regular join@1");
}

static void test_sql_reads__union_branches(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT a FROM s1 UNION ALL SELECT a FROM s2 UNION ALL (SELECT a FROM s3)",
	       "INSERT w=t r=s1,s2,s3");
}

static void test_sql_reads__window_tvfs_read_their_table(void **state)
{
	(void)state;
	EXPECT("SELECT * FROM TABLE(HOP(TABLE src1, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))",
	       "SELECT r=src1");
	EXPECT("SELECT * FROM TABLE(TUMBLE(DATA => TABLE src2, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '1' MINUTE))",
	       "SELECT r=src2");
	EXPECT("SELECT * FROM TABLE(SESSION(TABLE src3 PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
	       "SELECT r=src3");
	/* a CTE as the TVF's input is not a table */
	EXPECT("WITH c AS (SELECT * FROM raw_src) SELECT window_start, COUNT(*)\n"
	       "FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
	       "SELECT r=raw_src s=window aggregation (TUMBLE)@2");
}

static void test_sql_reads__lateral_table_and_unnest_are_not_tables_nor_joins(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT * FROM src CROSS JOIN UNNEST(src.arr) AS u(x)", "INSERT w=t r=src");
	EXPECT("INSERT INTO t SELECT * FROM src, LATERAL TABLE(split(src.s)) AS u(x)", "INSERT w=t r=src");
	EXPECT("INSERT INTO t SELECT * FROM src LEFT JOIN LATERAL TABLE(f(x)) AS u(y) ON TRUE", "INSERT w=t r=src");
}

static void test_sql_reads__lateral_subquery_reads_and_joins(void **state)
{
	(void)state;
	EXPECT("SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.k = a.k)", "SELECT r=a,b s=regular join@1");
}

static void test_sql_reads__match_recognize_keeps_its_table(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT * FROM ticks\nMATCH_RECOGNIZE (PARTITION BY sym ORDER BY ts\n"
	       " MEASURES FIRST(A.ts) AS s, COUNT(B.x) AS n PATTERN (A B+) DEFINE A AS A.p > 0)",
	       "INSERT w=t r=ticks s=MATCH_RECOGNIZE@2");
}

/* ---- statement kinds ---- */

static void test_sql_stmt__create_table_with_pk_options_and_distribution(void **state)
{
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	f = analyze_file("CREATE TABLE IF NOT EXISTS orders (\n id STRING,\n amount DECIMAL(10, 2),\n"
			 " PRIMARY KEY (id) NOT ENFORCED\n) DISTRIBUTED BY HASH(id) INTO 6 BUCKETS\n"
			 "WITH ('kafka.retention.time' = '0', 'value.format' = 'avro-registry', 'x' = 'it''s');");
	assert_int_equal(f->stmts.len, 1);
	st = f->stmts.items[0];
	assert_int_equal(st->kind, PC_STMT_CREATE_TABLE);
	assert_string_equal(st->creates.items[0], "orders");
	assert_int_equal(st->writes.len, 0);
	assert_int_equal(st->reads.len, 0);
	assert_true(st->has_primary_key);
	assert_true(st->upsert);
	assert_null(st->changelog_mode);
	assert_string_equal(pc_kv_get(&st->with_options, "value.format"), "avro-registry");
	assert_string_equal(pc_kv_get(&st->with_options, "x"), "it's");
	assert_int_equal(st->with_options.len, 3);
	assert_int_equal(st->line, 1);
	assert_int_equal(st->end_line, 6);
	pc_sql_file_drop_tokens(f);
	assert_int_equal(f->tokens.len, 0);
	assert_string_equal(st->creates.items[0], "orders");
	pc_sql_file_free(f);
}

static void test_sql_stmt__changelog_mode_decides_upsert(void **state)
{
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	f = analyze_file("CREATE TABLE a (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('changelog.mode' = 'append');\n"
			 "CREATE TABLE b (id INT) WITH ('changelog.mode' = 'retract');\n"
			 "CREATE TABLE c (id INT PRIMARY KEY NOT ENFORCED);\n"
			 "CREATE TABLE d (id INT) WITH ('changelog.mode' = 'UPSERT');\n"
			 "CREATE TABLE e (id INT);");
	st = f->stmts.items[0];
	assert_true(st->has_primary_key);
	assert_false(st->upsert);
	assert_string_equal(st->changelog_mode, "append");
	st = f->stmts.items[1];
	assert_true(st->upsert);
	st = f->stmts.items[2];
	assert_true(st->has_primary_key);
	assert_true(st->upsert);
	st = f->stmts.items[3];
	assert_true(st->upsert);
	st = f->stmts.items[4];
	assert_false(st->upsert);
	assert_false(st->has_primary_key);
	pc_sql_file_free(f);
}

static void test_sql_stmt__create_table_like_reads_its_source(void **state)
{
	(void)state;
	EXPECT("CREATE TABLE t LIKE src", "CREATE_TABLE c=t r=src");
	EXPECT("CREATE TABLE t (x INT) WITH ('a' = 'b') LIKE base (EXCLUDING OPTIONS)", "CREATE_TABLE c=t r=base");
}

static void test_sql_stmt__ctas_creates_writes_reads_and_is_analyzed(void **state)
{
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	EXPECT("CREATE TABLE agg WITH ('changelog.mode' = 'upsert') AS\nSELECT k, COUNT(*) FROM src\nGROUP BY k",
	       "CREATE_TABLE_AS c=agg w=agg r=src s=GROUP BY@3");
	EXPECT("CREATE TABLE t (PRIMARY KEY (k) NOT ENFORCED) DISTRIBUTED INTO 4 BUCKETS AS SELECT k FROM s",
	       "CREATE_TABLE_AS c=t w=t r=s");
	f = analyze_file("CREATE TABLE t (PRIMARY KEY (k) NOT ENFORCED) AS SELECT k FROM s");
	st = f->stmts.items[0];
	assert_true(st->upsert);
	pc_sql_file_free(f);
}

static void test_sql_stmt__materialized_table(void **state)
{
	(void)state;
	EXPECT("CREATE OR ALTER MATERIALIZED TABLE mt FRESHNESS = INTERVAL '3' MINUTE AS SELECT a FROM s",
	       "CREATE_MATERIALIZED_TABLE c=mt w=mt r=s");
	EXPECT("CREATE MATERIALIZED TABLE mt AS SELECT k, SUM(v) FROM s GROUP BY k",
	       "CREATE_MATERIALIZED_TABLE c=mt w=mt r=s s=GROUP BY@1");
}

static void test_sql_stmt__views_create_and_read(void **state)
{
	(void)state;
	EXPECT("CREATE TEMPORARY VIEW v (a) AS SELECT a FROM s", "CREATE_VIEW c=v r=s");
	EXPECT("CREATE VIEW IF NOT EXISTS db.v AS SELECT a FROM s", "CREATE_VIEW c=db.v r=s");
}

static void test_sql_stmt__insert_values_reads_nothing(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t VALUES (1, 'a'), (2, 'b')", "INSERT w=t");
	EXPECT("INSERT INTO t (a, b) VALUES (1, 'a')", "INSERT w=t");
	EXPECT("INSERT INTO t (a, b) SELECT a, b FROM s", "INSERT w=t r=s");
	EXPECT("INSERT INTO t (SELECT a FROM s)", "INSERT w=t r=s");
	EXPECT("INSERT OVERWRITE t PARTITION (dt = '1') SELECT a FROM s", "INSERT w=t r=s");
	EXPECT("INSERT INTO t /*+ OPTIONS('sink.parallelism' = '2') */ SELECT a FROM s /*+ OPTIONS('x' = 'y') */",
	       "INSERT w=t r=s");
}

static void test_sql_stmt__statement_set_execute_form(void **state)
{
	(void)state;
	EXPECT("EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO o1 SELECT CASE WHEN a THEN 1 ELSE 2 END FROM s1;\n"
	       "  INSERT INTO o2 SELECT k, COUNT(*) FROM s2 GROUP BY k;\nEND;\nINSERT INTO o3 SELECT * FROM s3;",
	       "STATEMENT_SET w=o1,o2 r=s1,s2 s=GROUP BY@4 | INSERT w=o3 r=s3");
}

static void test_sql_stmt__statement_set_client_form(void **state)
{
	(void)state;
	EXPECT("BEGIN STATEMENT SET;\nINSERT INTO o1 SELECT * FROM s1;\nINSERT INTO o2 SELECT * FROM s2;\nEND;",
	       "STATEMENT_SET w=o1,o2 r=s1,s2");
	EXPECT("BEGIN STATEMENT SET;\nINSERT INTO o1 SELECT * FROM s1;\nEND\nINSERT INTO o3 SELECT * FROM s3",
	       "STATEMENT_SET w=o1 r=s1 | INSERT w=o3 r=s3");
}

static void test_sql_stmt__other_kinds(void **state)
{
	(void)state;
	EXPECT("SET 'sql.state-ttl' = '1 h';\nUSE CATALOG c;\nUSE db;\nDROP TABLE IF EXISTS t;\n"
	       "ALTER TABLE t SET ('a' = 'b');\nCREATE FUNCTION f AS 'x.Y';\nSHOW TABLES;\nRESET;",
	       "SET | USE | USE | DROP | ALTER | CREATE_FUNCTION | OTHER | OTHER");
}

static void test_sql_stmt__split_keeps_lines_and_skips_empty_statements(void **state)
{
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	f = analyze_file(";;\n-- c\nSELECT 1 FROM a;\n\n;\nSELECT 2\nFROM b\n");
	assert_int_equal(f->stmts.len, 2);
	st = f->stmts.items[0];
	assert_int_equal(st->line, 3);
	st = f->stmts.items[1];
	assert_int_equal(st->line, 6);
	assert_int_equal(st->end_line, 7);
	pc_sql_file_free(f);
}

static void test_sql_stmt__unknown_statement_is_an_error(void **state)
{
	(void)state;
	expect_error("FOO BAR baz (1, 2)", "dir/x.sql:1: 'FOO' does not start a Flink SQL statement");
	/* statements that name no table but are Flink SQL are OTHER */
	EXPECT("SHOW TABLES; DESCRIBE t; EXPLAIN SELECT 1; CREATE CATALOG c WITH ('type' = 'x')",
	       "OTHER | OTHER | OTHER | OTHER");
	EXPECT("SET; RESET;", "SET | OTHER"); /* the SQL client lists and resets every property */
	EXPECT("", "");
	EXPECT("-- only a comment\n", "");
}

/* ---- errors ---- */

static void test_sql_errors__unterminated_string_names_file_and_line(void **state)
{
	(void)state;
	expect_error("SELECT 1;\nSELECT 'x\n;\n", "dir/x.sql:2: unterminated string literal");
	expect_error("SELECT `x", "dir/x.sql:1: unterminated quoted identifier");
	expect_error("SELECT 1 /* x", "dir/x.sql:1: unterminated comment");
}

static void test_sql_errors__unbalanced_parenthesis(void **state)
{
	(void)state;
	expect_error("SELECT 1;\nCREATE TABLE t (\n a INT,\n b VARCHAR(3);\n", "dir/x.sql:2: unbalanced parenthesis");
	expect_error("SELECT f(x))\nFROM s", "dir/x.sql:1: unbalanced parenthesis");
}

static void test_sql_errors__clearly_broken_statements(void **state)
{
	(void)state;
	expect_error("INSERT INTO\n;", "dir/x.sql:1: insert without a target table");
	expect_error("CREATE TABLE (a INT)", "dir/x.sql:1: create table without a name");
	expect_error("\nCREATE TABLE IF NOT EXISTS", "dir/x.sql:2: create table without a name");
}


/* ---- strict: what the analyzer does not understand is an error ---- */

static void test_sql_strict__typos_are_errors_with_did_you_mean(void **state)
{
	(void)state;
	expect_error("-- x\nSELEC a FROM t", "dir/x.sql:2: 'SELEC' does not start a Flink SQL statement (did you mean SELECT?)");
	expect_error("inset into t select a from s",
		     "dir/x.sql:1: 'inset' does not start a Flink SQL statement (did you mean INSERT?)");
	expect_error("INSERT INTO t\nSELECT a\nFORM src", "dir/x.sql:3: unexpected 'src' after 'FORM' (did you mean FROM?)");
	expect_error("INSERT INTO t SELECT * FORM src", "dir/x.sql:1: unexpected 'src' after 'FORM' (did you mean FROM?)");
	expect_error("INSERT INTO t\nSELEC a FROM s", "dir/x.sql:2: expected a query, found 'SELEC' (did you mean SELECT?)");
	expect_error("SELECT a FROM t1 JOIN t2\nOM t1.k = t2.k", "dir/x.sql:2: unexpected 't1' after 'OM' (did you mean ON?)");
	expect_error("SELECT a FROM t WHER a > 1", "dir/x.sql:1: unexpected 'a' after 'WHER' (did you mean WHERE?)");
	expect_error("SELECT a FROM t GRUOP BY a", "dir/x.sql:1: unexpected 'BY' after 'GRUOP' (did you mean GROUP?)");
	expect_error("CREATE TABEL t (a INT)", "dir/x.sql:1: CREATE TABEL is not a Flink SQL statement (did you mean TABLE?)");
	expect_error("CREATE TABLE t (a INT)\nWTIH ('k' = 'v')", "dir/x.sql:2: unexpected 'WTIH' (did you mean WITH?)");
	expect_error("FOO", "dir/x.sql:1: 'FOO' does not start a Flink SQL statement");
	/* a ';' cutting a query in two: the second half cannot start a statement */
	expect_error("INSERT INTO t\nSELECT a, b;\nFROM src;",
		     "dir/x.sql:3: a statement cannot start with 'FROM' (does a ';' before it cut a statement in two?)");
	expect_error("INSERT INTO t SELECT a FROM s WHERE;\na > 1;",
		     "dir/x.sql:1: the statement ends after 'WHERE' (does a ';' cut it in two?)");
	expect_error("INSERT INTO t SELECT a FROM s WHERE a = 1 AND;",
		     "dir/x.sql:1: the statement ends after 'AND' (does a ';' cut it in two?)");
	/* a typo inside a statement set names the inner line */
	expect_error("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT x FROM b;\nINSERT INTO c SELECT y FORM d;\nEND;",
		     "dir/x.sql:3: unexpected 'd' after 'FORM' (did you mean FROM?)");
}

static void test_sql_strict__double_quoted_names_get_a_clear_error(void **state)
{
	(void)state;
	expect_error("CREATE TABLE \"orders\" (a INT)",
		     "dir/x.sql:1: \"orders\" is double-quoted: Flink SQL quotes a name with backticks (`orders`) and a "
		     "string with single quotes ('orders')");
	expect_error("INSERT INTO t\nSELECT a FROM \"src\"",
		     "dir/x.sql:2: \"src\" is double-quoted: Flink SQL quotes a name with backticks (`src`) and a "
		     "string with single quotes ('src')");
}

static void test_sql_strict__what_flink_accepts_still_parses(void **state)
{
	(void)state;
	EXPECT("SELECT a b, c AS d, e.* , 'x' y, 1 z, f(g) h FROM t1 t, t2 AS u", "SELECT r=t1,t2 s=regular join@1");
	EXPECT("SELECT a FROM t ORDER BY a NULLS LAST", "SELECT r=t s=ORDER BY@1");
	EXPECT("SELECT price * qty total, -1 neg, TIMESTAMP '2020-01-01 00:00:00' ts FROM t", "SELECT r=t");
	EXPECT("SELECT COUNT(*) FILTER (WHERE a > 1) cnt FROM t GROUP BY b", "SELECT r=t s=GROUP BY@1");
	EXPECT("SELECT o.id FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts AS x ON o.k = x.k",
	       "SELECT r=o,r s=temporal join@1");
	EXPECT("SELECT a FROM t CROSS JOIN UNNEST(arr) WITH ORDINALITY AS u (v, n)", "SELECT r=t");
	EXPECT("SELECT a FROM t /*+ OPTIONS('k' = 'v') */ x WHERE a IS NOT DISTINCT FROM b", "SELECT r=t");
}

static void test_sql_strict__line_of_each_write_and_read(void **state)
{
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	f = analyze_file("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT * FROM s1;\n"
			 "INSERT INTO b\nSELECT * FROM s1 JOIN\n s2 ON s1.k = s2.k;\nEND;");
	st = f->stmts.items[0];
	assert_int_equal(st->writes.len, 2);
	assert_string_equal(st->writes.items[1], "b");
	assert_int_equal(st->write_lines[0], 2);
	assert_int_equal(st->write_lines[1], 3);
	assert_int_equal(st->reads.len, 2);
	assert_int_equal(st->read_lines[0], 2);
	assert_int_equal(st->read_lines[1], 5);
	pc_sql_file_free(f);
}

static void test_sql_state__any_some_all_having_and_scalar_subqueries(void **state)
{
	(void)state;
	EXPECT("SELECT * FROM o WHERE x = ANY (SELECT k FROM d)", "SELECT r=o,d s=semi join (ANY subquery)@1");
	EXPECT("SELECT * FROM o WHERE x =\nSOME (SELECT k FROM d)", "SELECT r=o,d s=semi join (SOME subquery)@2");
	EXPECT("SELECT * FROM o WHERE x > ALL (SELECT k FROM d)", "SELECT r=o,d s=semi join (ALL subquery)@1");
	/* UNION ALL (SELECT ...) is an append, not an ALL subquery */
	EXPECT("SELECT a FROM o UNION ALL (SELECT a FROM d)", "SELECT r=o,d");
	EXPECT("SELECT 1 AS one FROM o\nHAVING COUNT(*) > 1", "SELECT r=o s=aggregation without GROUP BY (HAVING)@2");
	EXPECT("SELECT k FROM o GROUP BY k HAVING COUNT(*) > 1", "SELECT r=o s=GROUP BY@1");
	/* a correlated scalar subquery in SELECT or WHERE is planned as a join */
	EXPECT("INSERT INTO t SELECT s.k,\n (SELECT d.x FROM dim d WHERE d.k = s.k) AS x FROM s",
	       "INSERT w=t r=dim,s s=scalar subquery (join)@2");
	EXPECT("SELECT s.k FROM s WHERE s.v > (SELECT MAX(v) FROM dim)",
	       "SELECT r=s,dim s=scalar subquery (join)@1,aggregation without GROUP BY (MAX)@1");
	EXPECT("WITH c AS (SELECT (SELECT d.x FROM dim d WHERE d.k = s.k) AS x FROM s) SELECT x FROM c",
	       "SELECT r=dim,s s=scalar subquery (join)@1");
	/* a subquery in FROM is not, nor a CTE body, nor a set operation's branch */
	EXPECT("SELECT x.k FROM (SELECT k FROM s) x", "SELECT r=s");
	EXPECT("WITH c AS (SELECT k FROM s) SELECT k FROM c UNION ALL (SELECT k FROM d)", "SELECT r=s,d");
}

static void test_sql_stmt__replace_table_as_and_keyword_cte_names(void **state)
{
	(void)state;
	EXPECT("REPLACE TABLE t AS SELECT a FROM src", "CREATE_TABLE_AS c=t w=t r=src");
	EXPECT("CREATE OR REPLACE TABLE t WITH ('k' = 'v') AS SELECT a FROM src", "CREATE_TABLE_AS c=t w=t r=src");
	expect_error("REPLACE TABLE t (a INT)", "dir/x.sql:1: REPLACE TABLE needs an AS query");
	/* `groups` is a keyword, but it names a CTE: later CTEs stay CTEs */
	EXPECT("INSERT INTO t WITH groups AS (SELECT * FROM a), b AS (SELECT * FROM groups)\nSELECT * FROM b",
	       "INSERT w=t r=a");
}

/* ---- statefulness ---- */

static void test_sql_state__stateless_pipeline_has_no_reasons(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT a, UPPER(b), CAST(c AS INT) FROM s WHERE a > 1 AND b LIKE 'x%'\n"
	       "UNION ALL SELECT a, b, c FROM s2 CROSS JOIN UNNEST(arr) AS x(y)",
	       "INSERT w=t r=s,s2");
	EXPECT("INSERT INTO t SELECT * FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
	       "INSERT w=t r=s");
}

static void test_sql_state__join_kinds_are_named(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT * FROM o\nJOIN r FOR SYSTEM_TIME AS OF o.ts ON o.k = r.k",
	       "INSERT w=t r=o,r s=temporal join@2");
	EXPECT("INSERT INTO t SELECT * FROM a\nJOIN b ON a.id = b.id\n AND a.ts BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts",
	       "INSERT w=t r=a,b s=interval join@2");
	EXPECT("INSERT INTO t SELECT * FROM a\nLEFT JOIN b ON a.id = b.id", "INSERT w=t r=a,b s=regular join@2");
	EXPECT("INSERT INTO t SELECT * FROM a,\n b WHERE a.id = b.id AND a.ts BETWEEN b.ts - INTERVAL '4' HOUR AND b.ts",
	       "INSERT w=t r=a,b s=interval join@1");
	EXPECT("INSERT INTO t SELECT * FROM a, b WHERE a.id = b.id", "INSERT w=t r=a,b s=regular join@1");
}

static void test_sql_state__group_by_and_global_aggregates(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT k, SUM(v) FROM s\nGROUP BY k HAVING SUM(v) > 1", "INSERT w=t r=s s=GROUP BY@2");
	EXPECT("INSERT INTO t SELECT\n COALESCE(max(v), 0) FROM s", "INSERT w=t r=s s=aggregation without GROUP BY (MAX)@2");
	EXPECT("INSERT INTO t SELECT LISTAGG(v) FROM s", "INSERT w=t r=s s=aggregation without GROUP BY (LISTAGG)@1");
	/* reasons come in line order */
	EXPECT("INSERT INTO t SELECT\n SUM(v) FROM a\n JOIN b ON a.k = b.k", "INSERT w=t r=a,b s=aggregation without GROUP BY (SUM)@2,regular join@3");
}

static void test_sql_state__distinct_forms(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT DISTINCT a FROM s", "INSERT w=t r=s s=SELECT DISTINCT@1");
	EXPECT("INSERT INTO t SELECT k, COUNT(DISTINCT u) FROM s GROUP BY k",
	       "INSERT w=t r=s s=COUNT(DISTINCT)@1,GROUP BY@1");
	EXPECT("INSERT INTO t SELECT a FROM s1 UNION SELECT a FROM s2", "INSERT w=t r=s1,s2 s=UNION (DISTINCT)@1");
	EXPECT("SELECT a FROM s1\nINTERSECT ALL SELECT a FROM s2\nEXCEPT SELECT a FROM s3\nMINUS SELECT a FROM s4",
	       "SELECT r=s1,s2,s3,s4 s=INTERSECT ALL@2,EXCEPT@3,EXCEPT@4");
}

static void test_sql_state__over_and_row_number(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT * FROM (\n SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM s\n"
	       ") WHERE rn = 1",
	       "INSERT w=t r=s s=OVER (ROW_NUMBER: deduplication/Top-N)@2");
	EXPECT("INSERT INTO t SELECT k, SUM(v) OVER w FROM s\nWINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
	       "INSERT w=t r=s s=OVER (SUM)@1");
	EXPECT("INSERT INTO t SELECT LAG(v) OVER (PARTITION BY k ORDER BY ts) FROM s", "INSERT w=t r=s s=OVER (LAG)@1");
	EXPECT("INSERT INTO t SELECT COUNT(*) FILTER (WHERE v > 0) OVER (PARTITION BY k ORDER BY ts) FROM s",
	       "INSERT w=t r=s s=OVER (COUNT)@1");
	EXPECT("INSERT INTO t SELECT LEAD(v, 1) FROM s", "INSERT w=t r=s s=LEAD@1");
}

static void test_sql_state__window_aggregation(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT window_start, window_end, SUM(v)\nFROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE))\n"
	       "GROUP BY window_start, window_end",
	       "INSERT w=t r=s s=window aggregation (TUMBLE)@3");
	EXPECT("INSERT INTO t SELECT k, COUNT(*) FROM TABLE(CUMULATE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR))\n"
	       "GROUP BY k, window_start, window_end",
	       "INSERT w=t r=s s=window aggregation (CUMULATE)@2");
	EXPECT("INSERT INTO t SELECT k, COUNT(*) FROM s GROUP BY k, TUMBLE(ts, INTERVAL '1' MINUTE)",
	       "INSERT w=t r=s s=window aggregation (TUMBLE)@1");
	EXPECT("INSERT INTO t WITH w AS (SELECT * FROM TABLE(HOP(TABLE s, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)))\n"
	       "SELECT window_start, COUNT(*) FROM w GROUP BY window_start, window_end",
	       "INSERT w=t r=s s=window aggregation (HOP)@2");
}

static void test_sql_state__order_by_and_limit_only_at_top_level(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT a FROM s\nORDER BY a\nLIMIT 10", "INSERT w=t r=s s=ORDER BY@2,LIMIT@3");
	/* a subquery's ORDER BY alone is dropped by the planner; with LIMIT it is a Top-N */
	EXPECT("INSERT INTO t SELECT * FROM (SELECT a FROM s ORDER BY a) x", "INSERT w=t r=s");
	EXPECT("INSERT INTO t SELECT * FROM (SELECT a FROM s ORDER BY a\n LIMIT 3) x", "INSERT w=t r=s s=LIMIT@2");
	EXPECT("INSERT INTO t SELECT a, ROW_NUMBER() OVER (ORDER BY ts) AS r FROM s",
	       "INSERT w=t r=s s=OVER (ROW_NUMBER: deduplication/Top-N)@1");
}

static void test_sql_state__statement_set_merges_reasons(void **state)
{
	(void)state;
	EXPECT("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT * FROM x;\nINSERT INTO b SELECT DISTINCT k FROM y;\nEND",
	       "STATEMENT_SET w=a,b r=x,y s=SELECT DISTINCT@3");
}


static void test_sql_reads__nested_ctes_and_hint_before_statement(void **state)
{
	(void)state;
	EXPECT("/*+ OPTIONS('x' = 'y') */ INSERT INTO t\nWITH a AS (WITH b AS (SELECT * FROM raw) SELECT * FROM b),\n"
	       " c AS (SELECT * FROM a UNION ALL SELECT * FROM other)\nSELECT * FROM c",
	       "INSERT w=t r=raw,other");
}

static void test_sql_state__in_and_exists_subqueries_are_semi_joins(void **state)
{
	(void)state;
	EXPECT("INSERT INTO t SELECT * FROM a WHERE k IN (SELECT k FROM b)\n AND EXISTS (SELECT 1 FROM c WHERE c.k = a.k)",
	       "INSERT w=t r=a,b,c s=semi join (IN subquery)@1,semi join (EXISTS subquery)@2");
	EXPECT("INSERT INTO t SELECT * FROM a WHERE k IN (1, 2, 3)", "INSERT w=t r=a");
}

static void test_sql_state__ctas_and_set_inner_errors_name_the_line(void **state)
{
	(void)state;
	expect_error("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nINSERT INTO;\nEND;",
		     "dir/x.sql:3: insert without a target table");
	expect_error("CREATE VIEW AS SELECT 1", "dir/x.sql:1: create view without a name");
}

static void test_sql_stmt__half_written_sql_is_an_error_naming_its_line(void **state)
{
	(void)state;
	/* half-written statements: no crash, an error naming the line (never a silent OTHER) */
	expect_error("INSERT INTO t SELECT FROM", "dir/x.sql:1: SELECT without a column list");
	expect_error("INSERT INTO t SELECT a FROM s\nJOIN",
		     "dir/x.sql:2: the statement ends after 'JOIN' (does a ';' cut it in two?)");
	expect_error("SELECT * FROM a, ", "dir/x.sql:1: the statement ends after ',' (does a ';' cut it in two?)");
	expect_error("WITH a AS", "dir/x.sql:1: the statement ends after 'AS' (does a ';' cut it in two?)");
	expect_error("CREATE TABLE t AS", "dir/x.sql:1: a query is missing");
	expect_error("CREATE", "dir/x.sql:1: CREATE without what to create");
	expect_error("INSERT INTO t", "dir/x.sql:1: INSERT INTO t without a query");
	/* still fine: what Flink accepts */
	EXPECT("WITH a AS (SELECT 1)", "SELECT");
	EXPECT("CREATE TABLE t", "CREATE_TABLE c=t");
	EXPECT("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM b;", "STATEMENT_SET w=a r=b");
	EXPECT("INSERT INTO t SELECT a FROM s WHERE x = {{ var }}", "INSERT w=t r=s");
}

static void test_sql_stmt__shift_left_style_files(void **state)
{
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	f = analyze_file("CREATE TABLE IF NOT EXISTS int_orders (\n"
			 "  order_id STRING NOT NULL,\n"
			 "  `key` BYTES,\n"
			 "  ts TIMESTAMP_LTZ(3),\n"
			 "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,\n"
			 "  PRIMARY KEY(order_id) NOT ENFORCED\n"
			 ") DISTRIBUTED BY HASH(order_id) INTO 1 BUCKETS WITH (\n"
			 "  'changelog.mode' = 'upsert',\n"
			 "  'key.avro-registry.schema-context' = '.flink-dev',\n"
			 "  'value.format' = 'avro-registry'\n"
			 ");\n");
	st = f->stmts.items[0];
	assert_string_equal(st->creates.items[0], "int_orders");
	assert_true(st->upsert);
	assert_string_equal(st->changelog_mode, "upsert");
	assert_string_equal(pc_kv_get(&st->with_options, "key.avro-registry.schema-context"), ".flink-dev");
	pc_sql_file_free(f);
	EXPECT("INSERT INTO int_orders\n"
	       "WITH src AS (\n"
	       "  SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY `$rowtime` DESC) AS row_num\n"
	       "  FROM src_orders\n"
	       ")\n"
	       "SELECT o.order_id, c.name\n"
	       "FROM src o\n"
	       "LEFT JOIN src_customers FOR SYSTEM_TIME AS OF o.`$rowtime` AS c ON o.cid = c.id\n"
	       "WHERE row_num = 1;\n",
	       "INSERT w=int_orders r=src_orders,src_customers s=OVER (ROW_NUMBER: deduplication/Top-N)@3,temporal join@8");
}


static void test_sql_reads__deep_nesting_and_many_tables(void **state)
{
	pc_buf b = PC_BUF_INIT;
	pc_sql_file *f;
	pc_sql_stmt *st;
	(void)state;
	/* 3000 nested subqueries joined on IN subqueries, then 3000 comma-joined tables */
	pc_buf_puts(&b, "INSERT INTO t SELECT * FROM a JOIN b ON a.x IN ");
	for (int i = 0; i < 3000; i++)
		pc_buf_printf(&b, "(SELECT y FROM c%d JOIN d ON c%d.k IN ", i, i);
	pc_buf_puts(&b, "(1)");
	for (int i = 0; i < 3000; i++)
		pc_buf_putc(&b, ')');
	pc_buf_puts(&b, ";\nSELECT SUM(x) FROM s0");
	for (int i = 1; i < 3000; i++)
		pc_buf_printf(&b, ", s%d, s0", i);
	assert_int_equal(pc_sql_analyze(&f, "deep.sql", b.ptr, b.len), 0);
	st = f->stmts.items[0];
	assert_int_equal(st->reads.len, 3 + 3000);
	assert_string_equal(st->reads.items[3002], "c2999");
	st = f->stmts.items[1];
	assert_int_equal(st->reads.len, 3000);
	assert_int_equal(st->reasons.len, 2);
	pc_sql_file_free(f);
	pc_buf_dispose(&b);
}

/* ---- base name and kinds ---- */

static void test_sql_base_name__last_part(void **state)
{
	(void)state;
	assert_string_equal(pc_sql_base_name("cat.db.t"), "t");
	assert_string_equal(pc_sql_base_name("t"), "t");
	assert_null(pc_sql_base_name(NULL));
	assert_string_equal(pc_stmt_kind_name(PC_STMT_CREATE_MATERIALIZED), "CREATE_MATERIALIZED_TABLE");
	assert_string_equal(pc_stmt_kind_name(PC_STMT_OTHER), "OTHER");
}

/* ---- rename ---- */

static char *rename_sql(const char *sql, const char *from, const char *to)
{
	pc_buf b = PC_BUF_INIT;
	assert_int_equal(pc_sql_rename_table(&b, sql, strlen(sql), from, to), 0);
	return pc_buf_detach(&b);
}

#define EXPECT_RENAME(sql, from, to, want)              \
	do {                                            \
		char *got_ = rename_sql(sql, from, to); \
		assert_string_equal(got_, want);        \
		free(got_);                             \
	} while (0)

static void test_sql_rename__only_table_positions_change(void **state)
{
	(void)state;
	EXPECT_RENAME("INSERT INTO out_t\n-- orders stays in comments\nSELECT o.orders, 'orders' FROM orders o JOIN x ON o.k = x.k;",
		      "orders", "orders_v2",
		      "INSERT INTO out_t\n-- orders stays in comments\nSELECT o.orders, 'orders' FROM orders_v2 o JOIN x ON o.k = x.k;");
	EXPECT_RENAME("CREATE TABLE orders (id INT);\nINSERT INTO orders SELECT * FROM src;", "orders", "orders_v2",
		      "CREATE TABLE orders_v2 (id INT);\nINSERT INTO orders_v2 SELECT * FROM src;");
}

static void test_sql_rename__backticks_and_qualified_names(void **state)
{
	(void)state;
	EXPECT_RENAME("SELECT * FROM `cat`.`db`.`orders`", "orders", "orders_v2", "SELECT * FROM `cat`.`db`.`orders_v2`");
	EXPECT_RENAME("SELECT * FROM cat.db.orders", "cat.db.orders", "cat.db.orders_v2", "SELECT * FROM cat.db.orders_v2");
	EXPECT_RENAME("SELECT * FROM orders", "orders", "my table", "SELECT * FROM `my table`");
	EXPECT_RENAME("CREATE TABLE t2 LIKE orders;\nEXECUTE STATEMENT SET BEGIN INSERT INTO orders SELECT * FROM x; END;",
		      "orders", "db.orders_v2",
		      "CREATE TABLE t2 LIKE db.orders_v2;\nEXECUTE STATEMENT SET BEGIN INSERT INTO db.orders_v2 SELECT * FROM x; END;");
	EXPECT_RENAME("SELECT * FROM `user`", "user", "user_v2", "SELECT * FROM `user_v2`");
	EXPECT_RENAME("SELECT * FROM other", "orders", "x", "SELECT * FROM other");
}

static void test_sql_rename__cte_named_like_the_table_is_left_alone(void **state)
{
	(void)state;
	EXPECT_RENAME("WITH orders AS (SELECT * FROM raw) SELECT * FROM orders", "orders", "o2",
		      "WITH orders AS (SELECT * FROM raw) SELECT * FROM orders");
}

static void test_sql_rename__qualifiers_follow_an_unaliased_table(void **state)
{
	(void)state;
	EXPECT_RENAME("SELECT orders.id, x.orders FROM orders JOIN x ON orders.k = x.k", "orders", "orders_v2",
		      "SELECT orders_v2.id, x.orders FROM orders_v2 JOIN x ON orders_v2.k = x.k");
	EXPECT_RENAME("SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))", "orders", "o2",
		      "SELECT * FROM TABLE(TUMBLE(TABLE o2, DESCRIPTOR(ts), INTERVAL '1' MINUTE))");
}

static void test_sql_rename__bad_sql_is_an_error(void **state)
{
	pc_buf b = PC_BUF_INIT;
	(void)state;
	assert_int_equal(pc_sql_rename_table(&b, "SELECT 'x", 9, "a", "b"), PC_EPARSE);
	pc_buf_dispose(&b);
}


static char *rename_many(const char *sql, const char *const *from, const char *const *to, size_t n)
{
	pc_buf b = PC_BUF_INIT;
	assert_int_equal(pc_sql_rename_tables(&b, sql, strlen(sql), from, to, n), 0);
	return pc_buf_detach(&b);
}

#define EXPECT_RENAME_MANY(sql, want)                                                              \
	do {                                                                                       \
		char *got_ = rename_many(sql, FROM, TO, sizeof(FROM) / sizeof(FROM[0]));           \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

/* The green of a blue/green plan: the created table, its target and every green parent at once. */
static void test_sql_rename_many__every_table_position_in_one_pass(void **state)
{
	static const char *const FROM[] = { "int_orders", "fct_orders", "rates" };
	static const char *const TO[] = { "int_orders_v2", "fct_orders_v2", "rates_v3" };
	(void)state;
	/* created table and INSERT target */
	EXPECT_RENAME_MANY("CREATE TABLE fct_orders (id INT, PRIMARY KEY (id) NOT ENFORCED)",
			   "CREATE TABLE fct_orders_v2 (id INT, PRIMARY KEY (id) NOT ENFORCED)");
	/* FROM, JOIN, temporal join, TVF; the unchanged table `customers` stays */
	EXPECT_RENAME_MANY("INSERT INTO fct_orders\n"
			   "SELECT o.id, r.rate, c.name FROM int_orders AS o\n"
			   "JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.cur = r.cur\n"
			   "LEFT JOIN customers c ON c.id = o.cid",
			   "INSERT INTO fct_orders_v2\n"
			   "SELECT o.id, r.rate, c.name FROM int_orders_v2 AS o\n"
			   "JOIN rates_v3 FOR SYSTEM_TIME AS OF o.ts AS r ON o.cur = r.cur\n"
			   "LEFT JOIN customers c ON c.id = o.cid");
	EXPECT_RENAME_MANY("INSERT INTO fct_orders SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE int_orders, "
			   "DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
			   "INSERT INTO fct_orders_v2 SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE int_orders_v2, "
			   "DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end");
	/* statement sets: both inserts and their reads */
	EXPECT_RENAME_MANY("EXECUTE STATEMENT SET BEGIN\n"
			   "INSERT INTO fct_orders SELECT * FROM int_orders;\n"
			   "INSERT INTO audit SELECT * FROM rates;\n"
			   "END;",
			   "EXECUTE STATEMENT SET BEGIN\n"
			   "INSERT INTO fct_orders_v2 SELECT * FROM int_orders_v2;\n"
			   "INSERT INTO audit SELECT * FROM rates_v3;\n"
			   "END;");
	/* a CTE body reads the table; the CTE's own name is not a table */
	EXPECT_RENAME_MANY("INSERT INTO fct_orders WITH recent AS (SELECT * FROM int_orders WHERE ts > 0) "
			   "SELECT * FROM recent UNION ALL SELECT * FROM (SELECT * FROM rates) s",
			   "INSERT INTO fct_orders_v2 WITH recent AS (SELECT * FROM int_orders_v2 WHERE ts > 0) "
			   "SELECT * FROM recent UNION ALL SELECT * FROM (SELECT * FROM rates_v3) s");
}

static void test_sql_rename_many__traps_are_left_alone(void **state)
{
	static const char *const FROM[] = { "int_orders", "rates" };
	static const char *const TO[] = { "int_orders_v2", "rates_v2" };
	(void)state;
	/* a column named like a table, a string literal, a comment, an alias named like a table */
	EXPECT_RENAME_MANY("INSERT INTO out_t /* from int_orders */ SELECT x.int_orders, 'int_orders' AS rates, "
			   "`rates` FROM src AS x -- reads rates\n",
			   "INSERT INTO out_t /* from int_orders */ SELECT x.int_orders, 'int_orders' AS rates, "
			   "`rates` FROM src AS x -- reads rates\n");
	/* a CTE shadowing a table name: its references are the CTE, not the table */
	EXPECT_RENAME_MANY("INSERT INTO out_t WITH int_orders AS (SELECT * FROM rates) SELECT * FROM int_orders",
			   "INSERT INTO out_t WITH int_orders AS (SELECT * FROM rates_v2) SELECT * FROM int_orders");
	/* backticked and qualified references keep their quoting and their catalog/database */
	EXPECT_RENAME_MANY("INSERT INTO out_t SELECT * FROM `cat`.`db`.`int_orders` JOIN cat.db.rates ON TRUE",
			   "INSERT INTO out_t SELECT * FROM `cat`.`db`.`int_orders_v2` JOIN cat.db.rates_v2 ON TRUE");
	/* an unaliased table's column qualifier follows it; a qualifier of another table does not */
	EXPECT_RENAME_MANY("INSERT INTO out_t SELECT int_orders.id, x.rates FROM int_orders JOIN x ON int_orders.k = x.k",
			   "INSERT INTO out_t SELECT int_orders_v2.id, x.rates FROM int_orders_v2 JOIN x ON int_orders_v2.k = x.k");
	/* a table whose name only starts like one renamed is another table */
	EXPECT_RENAME_MANY("INSERT INTO out_t SELECT * FROM int_orders_archive", "INSERT INTO out_t SELECT * FROM int_orders_archive");
}

static void test_sql_rename_many__no_pair_copies_and_empty_name_is_refused(void **state)
{
	pc_buf b = PC_BUF_INIT;
	const char *from[] = { "a", "" };
	const char *to[] = { "a_v2", "b" };
	(void)state;
	assert_int_equal(pc_sql_rename_tables(&b, "SELECT * FROM a", 15, from, to, 0), 0);
	assert_string_equal(b.ptr, "SELECT * FROM a");
	assert_int_equal(pc_sql_rename_tables(&b, "SELECT * FROM a", 15, from, to, 2), PC_EINVALID);
	pc_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_reads__simple_insert_select),
		cmocka_unit_test(test_sql_reads__qualified_and_backtick_names_keep_case),
		cmocka_unit_test(test_sql_reads__cte_name_is_not_a_table),
		cmocka_unit_test(test_sql_reads__subqueries_at_any_depth),
		cmocka_unit_test(test_sql_reads__from_inside_functions_is_not_a_table),
		cmocka_unit_test(test_sql_reads__keywords_and_semicolons_in_strings_and_comments),
		cmocka_unit_test(test_sql_reads__joins_in_all_forms),
		cmocka_unit_test(test_sql_reads__union_branches),
		cmocka_unit_test(test_sql_reads__window_tvfs_read_their_table),
		cmocka_unit_test(test_sql_reads__lateral_table_and_unnest_are_not_tables_nor_joins),
		cmocka_unit_test(test_sql_reads__lateral_subquery_reads_and_joins),
		cmocka_unit_test(test_sql_reads__match_recognize_keeps_its_table),
		cmocka_unit_test(test_sql_stmt__create_table_with_pk_options_and_distribution),
		cmocka_unit_test(test_sql_stmt__changelog_mode_decides_upsert),
		cmocka_unit_test(test_sql_stmt__create_table_like_reads_its_source),
		cmocka_unit_test(test_sql_stmt__ctas_creates_writes_reads_and_is_analyzed),
		cmocka_unit_test(test_sql_stmt__materialized_table),
		cmocka_unit_test(test_sql_stmt__views_create_and_read),
		cmocka_unit_test(test_sql_stmt__insert_values_reads_nothing),
		cmocka_unit_test(test_sql_stmt__statement_set_execute_form),
		cmocka_unit_test(test_sql_rename_many__every_table_position_in_one_pass),
		cmocka_unit_test(test_sql_rename_many__traps_are_left_alone),
		cmocka_unit_test(test_sql_rename_many__no_pair_copies_and_empty_name_is_refused),
		cmocka_unit_test(test_sql_stmt__statement_set_client_form),
		cmocka_unit_test(test_sql_stmt__other_kinds),
		cmocka_unit_test(test_sql_stmt__split_keeps_lines_and_skips_empty_statements),
		cmocka_unit_test(test_sql_stmt__unknown_statement_is_an_error),
		cmocka_unit_test(test_sql_errors__unterminated_string_names_file_and_line),
		cmocka_unit_test(test_sql_errors__unbalanced_parenthesis),
		cmocka_unit_test(test_sql_errors__clearly_broken_statements),
		cmocka_unit_test(test_sql_state__stateless_pipeline_has_no_reasons),
		cmocka_unit_test(test_sql_state__join_kinds_are_named),
		cmocka_unit_test(test_sql_state__group_by_and_global_aggregates),
		cmocka_unit_test(test_sql_state__distinct_forms),
		cmocka_unit_test(test_sql_state__over_and_row_number),
		cmocka_unit_test(test_sql_state__window_aggregation),
		cmocka_unit_test(test_sql_state__order_by_and_limit_only_at_top_level),
		cmocka_unit_test(test_sql_state__statement_set_merges_reasons),
		cmocka_unit_test(test_sql_reads__nested_ctes_and_hint_before_statement),
		cmocka_unit_test(test_sql_state__in_and_exists_subqueries_are_semi_joins),
		cmocka_unit_test(test_sql_state__ctas_and_set_inner_errors_name_the_line),
		cmocka_unit_test(test_sql_stmt__half_written_sql_is_an_error_naming_its_line),
		cmocka_unit_test(test_sql_stmt__shift_left_style_files),
		cmocka_unit_test(test_sql_strict__typos_are_errors_with_did_you_mean),
		cmocka_unit_test(test_sql_strict__double_quoted_names_get_a_clear_error),
		cmocka_unit_test(test_sql_strict__what_flink_accepts_still_parses),
		cmocka_unit_test(test_sql_strict__line_of_each_write_and_read),
		cmocka_unit_test(test_sql_state__any_some_all_having_and_scalar_subqueries),
		cmocka_unit_test(test_sql_stmt__replace_table_as_and_keyword_cte_names),
		cmocka_unit_test(test_sql_reads__deep_nesting_and_many_tables),
		cmocka_unit_test(test_sql_base_name__last_part),
		cmocka_unit_test(test_sql_rename__only_table_positions_change),
		cmocka_unit_test(test_sql_rename__backticks_and_qualified_names),
		cmocka_unit_test(test_sql_rename__cte_named_like_the_table_is_left_alone),
		cmocka_unit_test(test_sql_rename__qualifiers_follow_an_unaliased_table),
		cmocka_unit_test(test_sql_rename__bad_sql_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
