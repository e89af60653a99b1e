/*
 * sql_query.c - the query walker: one left-to-right pass over a query's
 * tokens with a stack of parenthesis frames. It finds table references in
 * table positions (FROM, JOIN, ',' in a FROM clause, TABLE x inside window
 * TVFs) and the operators that keep state (docs/sql-analysis.md).
 *
 * A FROM is a table FROM only in a frame that has seen SELECT, which is
 * what keeps EXTRACT(DAY FROM ts), TRIM(BOTH ' ' FROM y), SUBSTRING(x FROM 1)
 * and OVERLAY(... PLACING ... FROM ...) out; IS [NOT] DISTINCT FROM is
 * recognized by the words before it.
 */
#include "sql.h"
#include "sql_int.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FR_PAREN = 0, FR_FUNC, FR_OTHER };

/*
 * In a select list or a FROM clause an item is an expression (or a table)
 * and at most one alias: `a b` is `a AS b`, but a third name in a row
 * (`a FORM t`, `t1 JOIN t2 OM t1.k = ...`) is a misspelled keyword.
 */
enum { RUN_OTHER = 0, RUN_END, RUN_ALIAS, RUN_AS };

typedef struct frame {
	size_t close;      /* index of the ')' ending this frame (e for the outermost) */
	int kind;          /* FR_*: FUNC/PAREN frames pass aggregates up to their query */
	int has_select;
	int in_select;     /* between SELECT and FROM */
	int in_from;       /* in a FROM clause */
	int expect_table;  /* the next item is a table position */
	int cte_expect;    /* expecting a CTE name (after WITH or ',' after a CTE body) */
	int is_cte_body;
	int group_by;
	const pc_token *agg; /* first aggregate outside OVER in the select list */
	const char *tvf;     /* window TVF in this frame's FROM (static string) */
	int join_pending, join_line, join_temporal;
	int top;           /* the statement's top-level query */
	int run;           /* strict check of select lists and FROM clauses: RUN_* */
	const pc_token *run_prev; /* the word that set RUN_ALIAS */
	size_t owner;      /* 1 + index of the query frame whose select list holds this one, 0 = none */
} frame;

typedef struct walker {
	pc_sql_stmt *st;
	const pc_token *t;
	const size_t *match;
	size_t e;
	pc_vec *refs;
	int rc;             /* first strict-check error, PC_EPARSE with its message set */
	pc_map ctes;        /* CTE names of this query (keys only) */
	const char *last_tvf; /* the last window TVF seen anywhere (for GROUP BY over a CTE of it) */
	frame *fr;
	size_t depth, cap;
} walker;

static int is_punct(const pc_token *t, char c)
{
	return t->kind == PC_TOK_PUNCT && t->len == 1 && t->start[0] == c;
}

/* An identifier: a non-keyword word or a non-empty `quoted` one (no NUL byte). */
static int is_name_tok(const pc_token *t)
{
	if (t->kind == PC_TOK_QIDENT)
		return t->len > 2 && !memchr(t->start, '\0', t->len);
	return t->kind == PC_TOK_WORD && (!sql_is_keyword(t) || sql_is_soft_keyword(t));
}

static const char *const aggregates[] = {
	"COUNT", "SUM", "MIN", "MAX", "AVG", "COLLECT", "LISTAGG", "FIRST_VALUE", "LAST_VALUE",
	"STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VAR_POP", "VAR_SAMP", "ARRAY_AGG",
	"JSON_ARRAYAGG", "JSON_OBJECTAGG", "BOOL_AND", "BOOL_OR", "APPROX_COUNT_DISTINCT",
	"PERCENTILE", "MODE",
};

static int is_aggregate(const pc_token *t)
{
	for (size_t i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++)
		if (pc_tok_is(t, aggregates[i]))
			return 1;
	return 0;
}

static const char *window_tvf(const pc_token *t)
{
	static const char *const names[] = { "TUMBLE", "HOP", "CUMULATE", "SESSION" };
	for (size_t i = 0; i < 4; i++)
		if (pc_tok_is(t, names[i]))
			return names[i];
	return NULL;
}

/* Words that end a FROM clause or a join condition at their level. */
static int is_clause_word(const pc_token *t)
{
	static const char *const words[] = { "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER",
					     "LIMIT", "QUALIFY", "FETCH", "OFFSET", "UNION",
					     "INTERSECT", "EXCEPT", "MINUS", "SELECT" };
	if (t->kind != PC_TOK_WORD)
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (pc_tok_is(t, words[i]))
			return 1;
	return 0;
}

static int is_join_word(const pc_token *t)
{
	static const char *const words[] = { "JOIN", "LEFT", "RIGHT", "FULL", "INNER",
					     "CROSS", "NATURAL", "OUTER" };
	if (t->kind != PC_TOK_WORD)
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (pc_tok_is(t, words[i]))
			return 1;
	return 0;
}

/* A word upper-cased into dst (truncated to fit) for operator names. */
static void upper_name(char *dst, size_t cap, const pc_token *t)
{
	size_t n = t->len < cap - 1 ? t->len : cap - 1;
	for (size_t i = 0; i < n; i++) {
		char c = t->start[i];
		dst[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	dst[n] = '\0';
}

static frame *cur(walker *w)
{
	return &w->fr[w->depth - 1];
}

static void push_frame(walker *w, size_t close, int kind)
{
	frame *f;
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->fr = pc_realloc(w->fr, pc_st_mult(w->cap, sizeof(*w->fr)));
	}
	f = &w->fr[w->depth++];
	memset(f, 0, sizeof(*f));
	f->close = close;
	f->kind = kind;
	if (w->depth > 1 && kind != FR_OTHER) {
		frame *p = &w->fr[w->depth - 2];
		if (p->has_select)
			f->owner = w->depth - 1;
		else if (p->kind != FR_OTHER)
			f->owner = p->owner;
	}
}

static void flush_join(walker *w, frame *f, int interval)
{
	if (!f->join_pending)
		return;
	sql_add_reason(w->st, f->join_temporal ? "temporal join" : interval ? "interval join" : "regular join",
		       f->join_line);
	f->join_pending = 0;
	f->join_temporal = 0;
}

/* End of one SELECT branch: a pending join and a global aggregate settle. */
static void finish_branch(walker *w, frame *f)
{
	flush_join(w, f, 0);
	if (f->agg && !f->group_by) {
		char op[96];
		char name[40];
		upper_name(name, sizeof(name), f->agg);
		snprintf(op, sizeof(op), "aggregation without GROUP BY (%s)", name);
		sql_add_reason(w->st, op, f->agg->line);
	}
	f->agg = NULL;
	f->group_by = 0;
	f->in_select = 0;
	f->in_from = 0;
	f->expect_table = 0;
	f->tvf = NULL;
}

static int is_cte(walker *w, size_t b, size_t e)
{
	int found;
	char *n;
	if (e != b + 1 || !w->ctes.len)
		return 0;
	n = sql_name(w->t, b, e);
	found = pc_map_has(&w->ctes, n);
	free(n);
	return found;
}

/* End of a qualified name starting at i (exclusive), or i when none. */
static size_t name_end(walker *w, size_t i)
{
	const pc_token *t = w->t;
	if (i >= w->e || !is_name_tok(&t[i]))
		return i;
	i++;
	while (i + 1 < w->e && is_punct(&t[i], '.') &&
	       (t[i + 1].kind == PC_TOK_WORD || t[i + 1].kind == PC_TOK_QIDENT))
		i += 2;
	return i;
}

static size_t skip_hints(walker *w, size_t i)
{
	while (i < w->e && w->t[i].kind == PC_TOK_HINT)
		i++;
	return i;
}

/* A table item: returns the index of its last token. */
static size_t table_item(walker *w, frame *f, size_t i)
{
	const pc_token *t = w->t;
	size_t j = name_end(w, i), k;
	int alias;
	if (j == i)
		j = i + 1; /* a CTE named by a keyword */
	k = skip_hints(w, j);
	/* FOR SYSTEM_TIME AS OF: a temporal (or lookup) join */
	if (k + 1 < w->e && pc_tok_is(&t[k], "FOR") && pc_tok_is(&t[k + 1], "SYSTEM_TIME") &&
	    f->join_pending)
		f->join_temporal = 1;
	alias = k < w->e && (pc_tok_is(&t[k], "AS") || is_name_tok(&t[k]));
	if (!is_cte(w, i, j))
		sql_add_ref(w->st, t, i, j, SQL_REF_READ, alias, w->refs);
	f->expect_table = 0;
	f->run = RUN_END;
	return j - 1;
}

/*
 * Index of the ')' closing a subquery that opens at i, or 0 when the '('
 * at i is not a subquery. Clause scans jump over subqueries: each one is
 * scanned by its own clauses, which keeps the walk linear.
 */
static size_t subquery_end(walker *w, size_t i)
{
	const pc_token *t = w->t;
	if (i + 1 < w->e && (pc_tok_is(&t[i + 1], "SELECT") || pc_tok_is(&t[i + 1], "WITH")) &&
	    w->match[i] > i && w->match[i] < w->e)
		return w->match[i];
	return 0;
}

/* Scan a join condition from i for a time bound (INTERVAL or BETWEEN). */
static int interval_condition(walker *w, size_t i, size_t close)
{
	const pc_token *t = w->t;
	int depth = 0;
	for (; i < close && i < w->e; i++) {
		if (is_punct(&t[i], '(') && subquery_end(w, i))
			i = subquery_end(w, i);
		else if (is_punct(&t[i], '('))
			depth++;
		else if (is_punct(&t[i], ')')) {
			if (--depth < 0)
				break;
		} else if (depth == 0 && (is_clause_word(&t[i]) || is_join_word(&t[i]) ||
					  is_punct(&t[i], ',') || is_punct(&t[i], ';')))
			break;
		else if (pc_tok_is(&t[i], "INTERVAL") || pc_tok_is(&t[i], "BETWEEN"))
			return 1;
	}
	return 0;
}

/* GROUP BY at i: a window aggregation or a plain GROUP BY. */
static void group_by(walker *w, frame *f, size_t i, size_t close)
{
	const pc_token *t = w->t;
	const char *legacy = NULL;
	int windowed = 0, depth = 0;
	char op[64];
	for (size_t j = i + 2; j < close && j < w->e; j++) {
		if (is_punct(&t[j], '(') && subquery_end(w, j))
			j = subquery_end(w, j);
		else if (is_punct(&t[j], '('))
			depth++;
		else if (is_punct(&t[j], ')')) {
			if (--depth < 0)
				break;
		} else if (depth == 0 && is_clause_word(&t[j]))
			break;
		else if (pc_tok_is(&t[j], "window_start") || pc_tok_is(&t[j], "window_end") ||
			 pc_tok_is(&t[j], "window_time"))
			windowed = 1;
		else if (depth == 0 && j + 1 < w->e && is_punct(&t[j + 1], '(') && window_tvf(&t[j]))
			legacy = window_tvf(&t[j]);
	}
	f->group_by = 1;
	if (legacy) {
		snprintf(op, sizeof(op), "window aggregation (%s)", legacy);
	} else if (windowed) {
		if (f->tvf || w->last_tvf)
			snprintf(op, sizeof(op), "window aggregation (%s)", f->tvf ? f->tvf : w->last_tvf);
		else
			snprintf(op, sizeof(op), "window aggregation");
	} else {
		snprintf(op, sizeof(op), "GROUP BY");
	}
	sql_add_reason(w->st, op, t[i].line);
}

/* Mark an aggregate on the query whose select list holds it. */
static void note_aggregate(walker *w, const pc_token *fn)
{
	frame *f = cur(w);
	if (!f->has_select) {
		if (f->kind == FR_OTHER || !f->owner)
			return;
		f = &w->fr[f->owner - 1];
	}
	if (f->in_select && !f->agg)
		f->agg = fn;
}

static void over(walker *w, size_t i)
{
	const pc_token *t = w->t;
	char op[96];
	const pc_token *fn = NULL;
	size_t k = i;
	/* fn(...) [FILTER (WHERE ...)] [WITHIN GROUP (...)] OVER */
	while (k > 0 && is_punct(&t[k - 1], ')') && w->match[k - 1] > 0) {
		fn = &t[w->match[k - 1] - 1];
		if (!(pc_tok_is(fn, "FILTER") || pc_tok_is(fn, "GROUP")))
			break;
		k = w->match[k - 1] - 1;
		if (pc_tok_is(fn, "GROUP") && k > 0 && pc_tok_is(&t[k - 1], "WITHIN"))
			k--;
		fn = NULL;
	}
	if (fn && (pc_tok_is(fn, "ROW_NUMBER"))) {
		snprintf(op, sizeof(op), "OVER (ROW_NUMBER: deduplication/Top-N)");
	} else if (fn && (pc_tok_is(fn, "RANK") || pc_tok_is(fn, "DENSE_RANK"))) {
		snprintf(op, sizeof(op), "OVER (%s: Top-N)", pc_tok_is(fn, "RANK") ? "RANK" : "DENSE_RANK");
	} else if (fn && fn->kind == PC_TOK_WORD) {
		char name[40];
		upper_name(name, sizeof(name), fn);
		snprintf(op, sizeof(op), "OVER (%s)", name);
	} else {
		snprintf(op, sizeof(op), "OVER");
	}
	sql_add_reason(w->st, op, t[i].line);
}

/* Kind of the frame opened by the '(' at i. */
static int paren_kind(walker *w, size_t i, size_t b)
{
	const pc_token *p;
	if (i == b)
		return FR_PAREN;
	p = &w->t[i - 1];
	if (p->kind == PC_TOK_QIDENT)
		return FR_OTHER;
	if (p->kind != PC_TOK_WORD)
		return FR_PAREN;
	if (pc_tok_is(p, "OVER") || pc_tok_is(p, "MATCH_RECOGNIZE") || pc_tok_is(p, "AS") ||
	    pc_tok_is(p, "IN") || pc_tok_is(p, "EXISTS") || pc_tok_is(p, "VALUES") ||
	    pc_tok_is(p, "FILTER") || pc_tok_is(p, "WITHIN") || pc_tok_is(p, "GROUP") ||
	    pc_tok_is(p, "PATTERN") || pc_tok_is(p, "DESCRIPTOR") || pc_tok_is(p, "ROW"))
		return FR_OTHER;
	return FR_FUNC;
}

static int is_distinct_from(const pc_token *t, size_t i, size_t b)
{
	/* IS DISTINCT FROM / IS NOT DISTINCT FROM */
	if (i < b + 2 || !pc_tok_is(&t[i - 1], "DISTINCT"))
		return 0;
	if (pc_tok_is(&t[i - 2], "IS"))
		return 1;
	return i >= b + 3 && pc_tok_is(&t[i - 2], "NOT") && pc_tok_is(&t[i - 3], "IS");
}

/* Checked frames: a select list or a FROM clause of a query. */
static int run_checked(const frame *f)
{
	return f->has_select && (f->in_select || f->in_from);
}

/*
 * A word that is not reserved but is structural where it appears in a
 * select list or a FROM clause (`WITH ORDINALITY`, `NULLS FIRST`...).
 */
static int structural_word(const pc_token *t)
{
	static const char *const words[] = { "ORDINALITY", "NULLS", "FIRST", "LAST", "UNBOUNDED",
					     "PRECEDING", "FOLLOWING", "ROW", "ROWS", "ESCAPE", NULL };
	for (size_t i = 0; words[i]; i++)
		if (pc_tok_is(t, words[i]))
			return 1;
	return 0;
}

/* One token at a checked frame's level; sets w->rc on a name after an alias. */
static void run_token(walker *w, frame *f, size_t i, size_t b)
{
	const pc_token *t = w->t, *tk = &t[i];
	if (!run_checked(f) || w->rc)
		return;
	if (tk->kind == PC_TOK_STRING || tk->kind == PC_TOK_NUMBER) {
		f->run = RUN_END;
		return;
	}
	if (tk->kind == PC_TOK_PUNCT) {
		if (is_punct(tk, '.'))
			return; /* inside a qualified name */
		if (is_punct(tk, '*') && i > b &&
		    (is_punct(&t[i - 1], '.') || is_punct(&t[i - 1], ',') || pc_tok_is(&t[i - 1], "SELECT") ||
		     pc_tok_is(&t[i - 1], "DISTINCT") || pc_tok_is(&t[i - 1], "ALL")))
			f->run = RUN_END;
		else
			f->run = RUN_OTHER;
		return;
	}
	if (tk->kind != PC_TOK_WORD && tk->kind != PC_TOK_QIDENT)
		return;
	if (i > b && is_punct(&t[i - 1], '.'))
		return; /* a later part of a qualified name */
	if (tk->kind == PC_TOK_WORD && (!is_name_tok(tk) || structural_word(tk))) {
		if (pc_tok_is(tk, "BY") && f->run == RUN_ALIAS) {
			w->rc = sql_error_unexpected(f->run_prev, tk);
			return;
		}
		f->run = pc_tok_is(tk, "AS") ? RUN_AS : RUN_OTHER;
		return;
	}
	if (i + 1 < w->e && is_punct(&t[i + 1], '(')) {
		f->run = RUN_OTHER; /* a function call: its ')' ends the expression */
		return;
	}
	if (f->run == RUN_ALIAS) {
		w->rc = sql_error_unexpected(f->run_prev, tk);
		return;
	}
	if (f->run == RUN_END || f->run == RUN_AS) {
		f->run = RUN_ALIAS;
		f->run_prev = tk;
	} else {
		f->run = RUN_END;
	}
}

/* The '(' at i opens a subquery used as a value: ANY/SOME/ALL, or scalar. */
static void value_subquery(walker *w, frame *f, size_t i, size_t b)
{
	const pc_token *t = w->t, *p;
	if (i == b || f->expect_table)
		return;
	p = &t[i - 1];
	if (pc_tok_is(p, "ANY") || pc_tok_is(p, "SOME") ||
	    (pc_tok_is(p, "ALL") && !(i >= b + 2 && (pc_tok_is(&t[i - 2], "UNION") || pc_tok_is(&t[i - 2], "INTERSECT") ||
						     pc_tok_is(&t[i - 2], "EXCEPT") || pc_tok_is(&t[i - 2], "MINUS"))))) {
		sql_add_reason(w->st, pc_tok_is(p, "ANY")    ? "semi join (ANY subquery)"
				      : pc_tok_is(p, "SOME") ? "semi join (SOME subquery)"
							     : "semi join (ALL subquery)",
			       p->line);
		return;
	}
	if (pc_tok_is(p, "IN") || pc_tok_is(p, "EXISTS") || pc_tok_is(p, "AS") || pc_tok_is(p, "UNION") ||
	    pc_tok_is(p, "INTERSECT") || pc_tok_is(p, "EXCEPT") || pc_tok_is(p, "MINUS") ||
	    pc_tok_is(p, "DISTINCT") || pc_tok_is(p, "ALL") || pc_tok_is(p, "LATERAL") ||
	    pc_tok_is(p, "FROM") || pc_tok_is(p, "JOIN") || pc_tok_is(p, "TABLE") || is_punct(p, '(') ||
	    p->kind == PC_TOK_HINT)
		return;
	/* an expression: SELECT (SELECT ...), WHERE x = (SELECT ...), f((SELECT ...)) */
	sql_add_reason(w->st, "scalar subquery (join)", t[i + 1].line);
}

static int starts_query_tok(const pc_token *t)
{
	return pc_tok_is(t, "SELECT") || pc_tok_is(t, "WITH") || pc_tok_is(t, "VALUES") ||
	       pc_tok_is(t, "TABLE") || is_punct(t, '(');
}

static const char *const query_starts[] = { "SELECT", "WITH", "VALUES", "TABLE", NULL };

int sql_walk_query(pc_sql_stmt *st, const pc_token_list *l, const size_t *match, size_t b,
		   size_t e, int top, pc_vec *refs)
{
	walker w;
	const pc_token *t = l->toks;
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.t = t;
	w.match = match;
	w.e = e;
	w.refs = refs;
	push_frame(&w, e, FR_PAREN);
	w.fr[0].top = top;

	while (b < e && t[b].kind == PC_TOK_HINT)
		b++;
	if (b >= e) {
		w.rc = pc_error_set(PC_EPARSE, "line %d: a query is missing", b < l->len ? t[b].line : 0);
		goto done;
	}
	if (!starts_query_tok(&t[b])) {
		const char *hint = sql_suggest(&t[b], query_starts);
		char word[48];
		size_t n = t[b].len < 40 ? t[b].len : 40;
		memcpy(word, t[b].start, n);
		word[n] = '\0';
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)word[k] < 0x20)
				word[k] = ' ';
		if (hint)
			w.rc = pc_error_set(PC_EPARSE, "line %d: expected a query, found '%s' (did you mean %s?)",
					    t[b].line, word, hint);
		else
			w.rc = pc_error_set(PC_EPARSE, "line %d: expected a query (SELECT, WITH, VALUES), found '%s'",
					    t[b].line, word);
		goto done;
	}

	/* TABLE src as a whole query */
	if (b < e && pc_tok_is(&t[b], "TABLE") && b + 1 < e && is_name_tok(&t[b + 1])) {
		size_t j = name_end(&w, b + 1);
		sql_add_ref(st, t, b + 1, j, SQL_REF_READ, 0, refs);
		b = j;
	}

	for (size_t i = b; i < e && !w.rc; i++) {
		const pc_token *tk = &t[i];
		frame *f = cur(&w);

		if (tk->kind == PC_TOK_HINT)
			continue;
		if (!is_punct(tk, '(') && !is_punct(tk, ')') && !f->expect_table && !f->cte_expect) {
			run_token(&w, f, i, b);
			if (w.rc)
				break;
		}

		if (is_punct(tk, '(')) {
			size_t close = match[i] > i && match[i] < e ? match[i] : e;
			int kind = paren_kind(&w, i, b);
			int subquery = i + 1 < e && (pc_tok_is(&t[i + 1], "SELECT") || pc_tok_is(&t[i + 1], "WITH"));
			if (subquery && i > b && (pc_tok_is(&t[i - 1], "IN") || pc_tok_is(&t[i - 1], "EXISTS")))
				sql_add_reason(st, pc_tok_is(&t[i - 1], "IN") ? "semi join (IN subquery)"
									  : "semi join (EXISTS subquery)",
					       t[i - 1].line);
			else if (subquery)
				value_subquery(&w, f, i, b);
			f->expect_table = 0;
			push_frame(&w, close, kind);
			continue;
		}
		if (is_punct(tk, ')')) {
			if (w.depth > 1) {
				int was_cte = f->is_cte_body;
				finish_branch(&w, f);
				w.depth--;
				cur(&w)->run = RUN_END;
				if (was_cte && i + 1 < e && is_punct(&t[i + 1], ',')) {
					cur(&w)->cte_expect = 1;
					i++;
				}
			}
			continue;
		}

		/* CTE list: WITH name [(cols)] AS ( query ) [, ...] */
		if (f->cte_expect) {
			size_t j = name_end(&w, i);
			/* a CTE may be named by a keyword Flink does not reserve (`groups`, `year`...) */
			if (j == i && tk->kind == PC_TOK_WORD && i + 1 < e &&
			    (pc_tok_is(&t[i + 1], "AS") || is_punct(&t[i + 1], '(')))
				j = i + 1;
			if (j > i) {
				char *n = sql_name(t, i, j);
				pc_map_put(&w.ctes, n, NULL);
				free(n);
				if (j < e && is_punct(&t[j], '(') && match[j] > j && match[j] < e)
					j = match[j] + 1;
				if (j < e && pc_tok_is(&t[j], "AS"))
					j++;
				f->cte_expect = 0;
				if (j < e && is_punct(&t[j], '(')) {
					size_t close = match[j] > j && match[j] < e ? match[j] : e;
					push_frame(&w, close, FR_PAREN);
					cur(&w)->is_cte_body = 1;
					i = j;
				} else {
					i = j - 1;
				}
				continue;
			}
			f->cte_expect = 0;
		}
		if (pc_tok_is(tk, "WITH") && i + 1 < e && !is_punct(&t[i + 1], '(')) {
			f->cte_expect = 1;
			if (pc_tok_is(&t[i + 1], "RECURSIVE"))
				i++;
			continue;
		}

		if (f->expect_table) {
			if (pc_tok_is(tk, "LATERAL")) {
				if (i + 1 < e && pc_tok_is(&t[i + 1], "TABLE")) {
					f->join_pending = 0; /* LATERAL TABLE(f(x)): a table function */
					f->expect_table = 0;
					i++;
				}
				continue;
			}
			if (pc_tok_is(tk, "UNNEST")) {
				f->join_pending = 0; /* CROSS JOIN UNNEST: per row, no state */
				f->expect_table = 0;
				continue;
			}
			if (pc_tok_is(tk, "TABLE") && i + 1 < e && is_punct(&t[i + 1], '(')) {
				if (i + 2 < e && window_tvf(&t[i + 2]))
					f->tvf = w.last_tvf = window_tvf(&t[i + 2]);
				f->expect_table = 0;
				continue;
			}
			if (is_name_tok(tk) || (tk->kind == PC_TOK_WORD && is_cte(&w, i, i + 1))) {
				i = table_item(&w, f, i);
				continue;
			}
			f->expect_table = 0;
		}

		if (tk->kind == PC_TOK_PUNCT) {
			if (is_punct(tk, ',') && f->in_from && !f->in_select) {
				flush_join(&w, f, 0);
				f->join_pending = 1;
				f->join_line = tk->line;
				f->expect_table = 1;
			}
			continue;
		}
		if (tk->kind != PC_TOK_WORD)
			continue;
		/* a plain identifier (most words): nothing below applies to it */
		if (!(i + 1 < e && is_punct(&t[i + 1], '(')) && !sql_is_keyword(tk))
			continue;

		if (pc_tok_is(tk, "SELECT")) {
			if (f->has_select && (f->in_from || f->in_select))
				finish_branch(&w, f);
			f->has_select = 1;
			f->in_select = 1;
			f->in_from = 0;
			f->run = RUN_OTHER;
			if (i + 1 < e && pc_tok_is(&t[i + 1], "DISTINCT"))
				sql_add_reason(st, "SELECT DISTINCT", t[i + 1].line);
			{
				size_t k = i + 1;
				while (k < e && (t[k].kind == PC_TOK_HINT || pc_tok_is(&t[k], "DISTINCT") ||
						 pc_tok_is(&t[k], "ALL")))
					k++;
				if (k >= e || pc_tok_is(&t[k], "FROM") || is_punct(&t[k], ')')) {
					w.rc = pc_error_set(PC_EPARSE, "line %d: SELECT without a column list", tk->line);
					break;
				}
			}
		} else if (pc_tok_is(tk, "FROM")) {
			if (f->has_select && !is_distinct_from(t, i, b)) {
				flush_join(&w, f, 0);
				f->in_select = 0;
				f->in_from = 1;
				f->expect_table = 1;
			}
		} else if (pc_tok_is(tk, "JOIN")) {
			if (f->in_from) {
				flush_join(&w, f, 0);
				f->join_pending = 1;
				f->join_line = tk->line;
				f->expect_table = 1;
			}
		} else if (pc_tok_is(tk, "ON") && f->in_from) {
			flush_join(&w, f, interval_condition(&w, i + 1, f->close));
		} else if (pc_tok_is(tk, "USING") && f->in_from) {
			flush_join(&w, f, 0);
		} else if (pc_tok_is(tk, "UNION") || pc_tok_is(tk, "INTERSECT") || pc_tok_is(tk, "EXCEPT") ||
			   pc_tok_is(tk, "MINUS")) {
			int all = i + 1 < e && pc_tok_is(&t[i + 1], "ALL");
			finish_branch(&w, f);
			/* UNION ALL only appends; every other set operation remembers rows */
			if (!pc_tok_is(tk, "UNION"))
				sql_add_reason(st, pc_tok_is(tk, "INTERSECT") ? (all ? "INTERSECT ALL" : "INTERSECT")
									: (all ? "EXCEPT ALL" : "EXCEPT"),
					       tk->line);
			else if (!all)
				sql_add_reason(st, "UNION (DISTINCT)", tk->line);
		} else if (f->has_select && is_clause_word(tk)) {
			/* FROM a, b WHERE ... a.ts BETWEEN b.ts - INTERVAL ...: an interval join too */
			flush_join(&w, f, f->join_pending && pc_tok_is(tk, "WHERE") ? interval_condition(&w, i + 1, f->close) : 0);
			f->in_select = 0;
			f->in_from = 0;
			if (pc_tok_is(tk, "GROUP") && i + 1 < e && pc_tok_is(&t[i + 1], "BY")) {
				group_by(&w, f, i, f->close);
			} else if (pc_tok_is(tk, "HAVING") && !f->group_by) {
				/* HAVING without GROUP BY: the whole input is one group */
				sql_add_reason(st, "aggregation without GROUP BY (HAVING)", tk->line);
				f->group_by = 1; /* one reason is enough for this branch */
			} else if (f->top && pc_tok_is(tk, "ORDER") && i + 1 < e && pc_tok_is(&t[i + 1], "BY")) {
				sql_add_reason(st, "ORDER BY", tk->line);
			} else if (pc_tok_is(tk, "LIMIT") || pc_tok_is(tk, "FETCH")) {
				/* at any level: in a subquery, ORDER BY ... LIMIT is a Top-N */
				sql_add_reason(st, "LIMIT", tk->line);
			}
		} else if (pc_tok_is(tk, "MATCH_RECOGNIZE")) {
			sql_add_reason(st, "MATCH_RECOGNIZE", tk->line);
		} else if (pc_tok_is(tk, "OVER")) {
			over(&w, i);
		} else if (pc_tok_is(tk, "TABLE") && i + 1 < e && is_name_tok(&t[i + 1]) && i > b &&
			   (is_punct(&t[i - 1], '(') || is_punct(&t[i - 1], ',') ||
			    (t[i - 1].kind == PC_TOK_PUNCT && t[i - 1].len == 2 && t[i - 1].start[0] == '='))) {
			/* TABLE src as a TVF argument (also DATA => TABLE src) */
			size_t j = name_end(&w, i + 1);
			if (!is_cte(&w, i + 1, j))
				sql_add_ref(st, t, i + 1, j, SQL_REF_READ, 0, refs);
			i = j - 1;
		} else if (i + 1 < e && is_punct(&t[i + 1], '(') && (i == b || !is_punct(&t[i - 1], '.'))) {
			size_t close = match[i + 1];
			int over_follows = 0;
			if (close > i + 1 && close + 1 < e) {
				size_t k = close + 1;
				/* FILTER (WHERE ...) or WITHIN GROUP (...) before OVER */
				while (k + 1 < e && (pc_tok_is(&t[k], "FILTER") || pc_tok_is(&t[k], "WITHIN"))) {
					if (pc_tok_is(&t[k], "WITHIN"))
						k++;
					if (k + 1 < e && is_punct(&t[k + 1], '(') && match[k + 1] > k + 1)
						k = match[k + 1] + 1;
					else
						break;
				}
				over_follows = k < e && pc_tok_is(&t[k], "OVER");
			}
			if (is_aggregate(tk)) {
				if (!over_follows)
					note_aggregate(&w, tk);
				if (i + 2 < e && pc_tok_is(&t[i + 2], "DISTINCT")) {
					char op[64];
					char name[40];
					upper_name(name, sizeof(name), tk);
					snprintf(op, sizeof(op), "%s(DISTINCT)", name);
					sql_add_reason(st, op, tk->line);
				}
			} else if ((pc_tok_is(tk, "LAG") || pc_tok_is(tk, "LEAD")) && !over_follows) {
				sql_add_reason(st, pc_tok_is(tk, "LAG") ? "LAG" : "LEAD", tk->line);
			}
		}
	}
done:
	while (w.depth > 0) {
		finish_branch(&w, cur(&w));
		w.depth--;
	}
	free(w.fr);
	pc_map_dispose(&w.ctes, NULL);
	return w.rc;
}
