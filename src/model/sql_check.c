/*
 * sql_check.c - the strict half of the analyzer: what makes a statement
 * "not understood" (an error naming its line) instead of a silent OTHER.
 *
 * The walker (sql_query.c) stays tolerant of everything Flink accepts; the
 * checks here are narrow and each one names the token it trips on:
 * - the first word of a statement must start a Flink SQL statement;
 * - a double-quoted token is never Flink SQL (names take backticks,
 *   strings single quotes);
 * - a statement may not end on a word that needs a continuation (FROM,
 *   WHERE, AND, ',' ...): the sign of a ';' cutting a query in two.
 * Misspelled keywords get "did you mean" from a short edit distance.
 */
#include "sql.h"
#include "sql_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fold(char c, int icase)
{
	return icase ? (char)tolower((unsigned char)c) : c;
}

int pc_sql_edit_distance(const char *a, const char *b, int icase)
{
	size_t n = strlen(a), m = strlen(b);
	int *d, r;
	if (n > 256 || m > 256) /* names, not texts: a cap keeps it cheap */
		return 1000;
	/* optimal string alignment: insert, delete, substitute, swap two neighbours */
	d = pc_calloc((n + 1) * (m + 1), sizeof(int));
#define D(i, j) d[(i) * (m + 1) + (j)]
	for (size_t i = 0; i <= n; i++)
		D(i, 0) = (int)i;
	for (size_t j = 0; j <= m; j++)
		D(0, j) = (int)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int cost = fold(a[i - 1], icase) == fold(b[j - 1], icase) ? 0 : 1;
			int v = D(i - 1, j - 1) + cost;
			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && fold(a[i - 1], icase) == fold(b[j - 2], icase) &&
			    fold(a[i - 2], icase) == fold(b[j - 1], icase) && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(n, m);
#undef D
	free(d);
	return r;
}

/* Edits allowed for a word of length n to count as a misspelling. */
static int allowed_edits(size_t n)
{
	return n <= 3 ? 1 : n <= 6 ? 2 : 3;
}

const char *sql_suggest(const pc_token *t, const char *const *words)
{
	char w[64];
	const char *best = NULL;
	int best_d = 1000;
	if (t->kind != PC_TOK_WORD || t->len >= sizeof(w) || t->len < 2)
		return NULL;
	memcpy(w, t->start, t->len);
	w[t->len] = '\0';
	for (size_t i = 0; words[i]; i++) {
		int d = pc_sql_edit_distance(w, words[i], 1);
		if (d < best_d) {
			best_d = d;
			best = words[i];
		}
	}
	if (best_d == 0 || best_d > allowed_edits(t->len))
		return NULL;
	return best;
}

/* Words that start a Flink SQL statement (Flink's SQL client and Confluent Cloud). */
static const char *const starters[] = {
	"CREATE", "INSERT", "EXECUTE", "BEGIN", "SELECT", "WITH", "VALUES", "TABLE", "DROP", "ALTER",
	"SET", "RESET", "USE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "LOAD", "UNLOAD", "ADD",
	"REMOVE", "ANALYZE", "TRUNCATE", "DELETE", "UPDATE", "CALL", "REPLACE", "COMPILE", "STOP",
	NULL,
};

/* Words that only continue a statement: a statement starting with one was cut by a ';'. */
static const char *const continuations[] = {
	"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "JOIN", "LEFT", "RIGHT", "FULL",
	"INNER", "CROSS", "ON", "AND", "OR", "UNION", "INTERSECT", "EXCEPT", "WINDOW", "AS",
	"INTO", "PARTITION", "BY", "NOT", "IN", "WHEN", "THEN", "ELSE", "END", "OVER", "FETCH",
	"OFFSET", "QUALIFY", "USING", "LATERAL", "DISTINCT", "ALL", NULL,
};

int sql_is_starter(const pc_token *t)
{
	for (size_t i = 0; starters[i]; i++)
		if (pc_tok_is(t, starters[i]))
			return 1;
	return t->kind == PC_TOK_PUNCT && t->len == 1 && t->start[0] == '(';
}

/* Text of a token for a message, cut at 40 bytes. */
static void tok_text(char *dst, size_t cap, const pc_token *t)
{
	size_t n = t->len < cap - 1 ? t->len : cap - 1;
	memcpy(dst, t->start, n);
	dst[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)dst[i] < 0x20)
			dst[i] = ' ';
}

int sql_error_unknown_start(const pc_token *t)
{
	char w[48];
	const char *hint;
	tok_text(w, sizeof(w), t);
	for (size_t i = 0; continuations[i]; i++)
		if (pc_tok_is(t, continuations[i]))
			return pc_error_set(PC_EPARSE,
					    "line %d: a statement cannot start with '%s' (does a ';' before it cut a "
					    "statement in two?)",
					    t->line, w);
	hint = sql_suggest(t, starters);
	if (hint)
		return pc_error_set(PC_EPARSE, "line %d: '%s' does not start a Flink SQL statement (did you mean %s?)",
				    t->line, w, hint);
	return pc_error_set(PC_EPARSE, "line %d: '%s' does not start a Flink SQL statement", t->line, w);
}

/* Words after which a statement cannot end. */
static const char *const dangling[] = {
	"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "BY", "JOIN", "ON", "USING", "AND",
	"OR", "NOT", "AS", "INTO", "UNION", "INTERSECT", "EXCEPT", "MINUS", "ALL", "DISTINCT",
	"LIMIT", "WITH", "CASE", "WHEN", "THEN", "ELSE", "IN", "LIKE", "BETWEEN", "IS", "OVER",
	"PARTITION", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "OUTER", "NATURAL", "LATERAL",
	"VALUES", "TABLE", "INSERT", "WINDOW", NULL, /* not SET: `SET;` lists the properties */
};

static int dangling_punct(const pc_token *t)
{
	if (t->kind != PC_TOK_PUNCT)
		return 0;
	if (t->len == 1)
		return strchr(",=<>+-*/%|.", t->start[0]) != NULL;
	return 1; /* <>, <=, >=, !=, ||, => ... */
}

int sql_check_quotes(const pc_token_list *l, size_t b, size_t e)
{
	const pc_token *t = l->toks;
	for (size_t i = b; i < e; i++) {
		if (t[i].kind == PC_TOK_STRING && t[i].start[0] == '"') {
			char w[48];
			size_t n = t[i].len > 2 ? t[i].len - 2 : 0;
			if (n > 40)
				n = 40;
			memcpy(w, t[i].start + 1, n);
			w[n] = '\0';
			for (size_t k = 0; k < n; k++)
				if ((unsigned char)w[k] < 0x20)
					w[k] = ' ';
			return pc_error_set(PC_EPARSE,
					    "line %d: \"%s\" is double-quoted: Flink SQL quotes a name with backticks "
					    "(`%s`) and a string with single quotes ('%s')",
					    t[i].line, w, w, w);
		}
	}
	return 0;
}

int sql_check_end(const pc_token_list *l, size_t b, size_t e)
{
	const pc_token *t = l->toks;
	size_t last = e;
	for (size_t i = b; i < e; i++)
		if (t[i].kind != PC_TOK_HINT)
			last = i;
	if (last == e)
		return 0;
	for (size_t k = 0; dangling[k]; k++) {
		if (pc_tok_is(&t[last], dangling[k])) {
			char w[48];
			tok_text(w, sizeof(w), &t[last]);
			return pc_error_set(PC_EPARSE,
					    "line %d: the statement ends after '%s' (does a ';' cut it in two?)",
					    t[last].line, w);
		}
	}
	if (dangling_punct(&t[last]) && !(t[last].len == 1 && t[last].start[0] == '*')) {
		char w[8];
		tok_text(w, sizeof(w), &t[last]);
		return pc_error_set(PC_EPARSE, "line %d: the statement ends after '%s' (does a ';' cut it in two?)",
				    t[last].line, w);
	}
	return 0;
}

/* Keywords a misspelled word in a query most likely stands for. */
static const char *const query_words[] = {
	"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "JOIN", "LEFT", "RIGHT", "INNER", "CROSS",
	"OUTER", "FULL", "ON", "USING", "UNION", "INTERSECT", "EXCEPT", "LIMIT", "WINDOW", "AND",
	"OR", "NOT", "SELECT", "AS", "LATERAL", "DISTINCT", "BETWEEN", "LIKE", "VALUES", NULL,
};

int sql_error_unexpected(const pc_token *prev, const pc_token *t)
{
	char w[48], p[48];
	const char *hint = prev ? sql_suggest(prev, query_words) : NULL;
	tok_text(w, sizeof(w), t);
	if (hint) {
		tok_text(p, sizeof(p), prev);
		return pc_error_set(PC_EPARSE, "line %d: unexpected '%s' after '%s' (did you mean %s?)", t->line, w,
				    p, hint);
	}
	hint = sql_suggest(t, query_words);
	if (hint)
		return pc_error_set(PC_EPARSE, "line %d: unexpected '%s' (did you mean %s?)", t->line, w, hint);
	return pc_error_set(PC_EPARSE, "line %d: unexpected '%s'", t->line, w);
}
