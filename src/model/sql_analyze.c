/*
 * sql_analyze.c - statements: what each one creates, writes and reads,
 * DDL facts (primary key, WITH options, changelog.mode) and fingerprints.
 * Queries inside statements are walked by sql_query.c.
 */
#include "sql.h"
#include "sql_int.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/hash.h"
#include "../util/kv.h"
#include "../util/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sql_tokenize_path(pc_token_list *out, const char *path, const char *text, size_t len);
int sql_analyze_refs(pc_sql_file **out, const char *path, const char *text, size_t len, pc_vec *refs);

const char *pc_stmt_kind_name(pc_stmt_kind k)
{
	switch (k) {
	case PC_STMT_CREATE_TABLE: return "CREATE_TABLE";
	case PC_STMT_CREATE_TABLE_AS: return "CREATE_TABLE_AS";
	case PC_STMT_CREATE_MATERIALIZED: return "CREATE_MATERIALIZED_TABLE";
	case PC_STMT_CREATE_VIEW: return "CREATE_VIEW";
	case PC_STMT_CREATE_FUNCTION: return "CREATE_FUNCTION";
	case PC_STMT_INSERT: return "INSERT";
	case PC_STMT_STATEMENT_SET: return "STATEMENT_SET";
	case PC_STMT_SELECT: return "SELECT";
	case PC_STMT_DROP: return "DROP";
	case PC_STMT_ALTER: return "ALTER";
	case PC_STMT_SET: return "SET";
	case PC_STMT_USE: return "USE";
	case PC_STMT_OTHER: break;
	}
	return "OTHER";
}

const char *pc_sql_base_name(const char *s)
{
	const char *dot;
	if (!s)
		return NULL;
	dot = strrchr(s, '.');
	return dot ? dot + 1 : s;
}

static void reason_free(void *p)
{
	pc_state_reason *r = p;
	if (!r)
		return;
	free(r->op);
	free(r);
}

static void stmt_free(void *p)
{
	pc_sql_stmt *st = p;
	if (!st)
		return;
	pc_vec_dispose(&st->creates, free);
	pc_vec_dispose(&st->writes, free);
	pc_vec_dispose(&st->reads, free);
	free(st->write_lines);
	free(st->read_lines);
	pc_vec_dispose(&st->drops, free);
	pc_vec_dispose(&st->reasons, reason_free);
	pc_kv_dispose(&st->with_options);
	free(st->changelog_mode);
	free(st);
}

void pc_sql_file_free(pc_sql_file *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->text);
	pc_token_list_dispose(&f->tokens);
	pc_vec_dispose(&f->stmts, stmt_free);
	free(f);
}

void pc_sql_file_drop_tokens(pc_sql_file *f)
{
	if (f)
		pc_token_list_dispose(&f->tokens);
}

/*
 * Names and reasons are pushed as found and made unique once per statement
 * (dedupe_*), so a statement with thousands of tables stays linear.
 */
void sql_add_reason(pc_sql_stmt *st, const char *op, int line)
{
	pc_state_reason *r;
	if (st->reasons.len) { /* the same operator twice in a row is common */
		r = st->reasons.items[st->reasons.len - 1];
		if (r->line == line && strcmp(r->op, op) == 0)
			return;
	}
	r = PC_NEW(pc_state_reason);
	r->op = pc_strdup(op);
	r->line = line;
	pc_vec_push(&st->reasons, r);
	st->stateful = 1;
}

void sql_add_ref(pc_sql_stmt *st, const pc_token *toks, size_t b, size_t e, int role, int has_alias,
		 pc_vec *refs)
{
	pc_vec *v = role == SQL_REF_READ ? &st->reads : role == SQL_REF_WRITE ? &st->writes : &st->creates;
	int **lines = role == SQL_REF_READ ? &st->read_lines : role == SQL_REF_WRITE ? &st->write_lines : NULL;
	size_t oldcap = v->cap;
	pc_vec_push(v, sql_name(toks, b, e));
	if (lines) {
		if (v->cap != oldcap || !*lines)
			*lines = pc_realloc(*lines, pc_st_mult(v->cap, sizeof(int)));
		(*lines)[v->len - 1] = toks[b].line;
	}
	if (refs) {
		sql_ref *r = PC_NEW(sql_ref);
		r->begin = b;
		r->end = e;
		r->role = role;
		r->has_alias = has_alias;
		pc_vec_push(refs, r);
	}
}

/* Keep the first of equal strings, in order (lines, when given, follow them). */
static void dedupe_strs(pc_vec *v, int *lines)
{
	pc_map seen = PC_MAP_INIT;
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++) {
		char *s = v->items[i];
		int dup = 0;
		if (v->len <= 8) {
			for (size_t k = 0; k < n && !dup; k++)
				dup = strcmp(v->items[k], s) == 0;
		} else {
			dup = pc_map_has(&seen, s);
			if (!dup)
				pc_map_put(&seen, s, s);
		}
		if (dup) {
			free(s);
		} else {
			if (lines)
				lines[n] = lines[i];
			v->items[n++] = s;
		}
	}
	v->len = n;
	pc_map_dispose(&seen, NULL);
}

/* Keep the first of equal (op, line) reasons, in order. */
static void dedupe_reasons(pc_vec *v)
{
	pc_map seen = PC_MAP_INIT;
	pc_buf key = PC_BUF_INIT;
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++) {
		pc_state_reason *r = v->items[i];
		int dup = 0;
		if (v->len <= 8) {
			for (size_t k = 0; k < n && !dup; k++) {
				pc_state_reason *q = v->items[k];
				dup = q->line == r->line && strcmp(q->op, r->op) == 0;
			}
		} else {
			pc_buf_clear(&key);
			pc_buf_printf(&key, "%d:%s", r->line, r->op);
			dup = pc_map_has(&seen, key.ptr);
			if (!dup)
				pc_map_put(&seen, key.ptr, r);
		}
		if (dup)
			reason_free(r);
		else
			v->items[n++] = r;
	}
	v->len = n;
	pc_buf_dispose(&key);
	pc_map_dispose(&seen, NULL);
}

/* Move everything src found into dst (src is left empty), lines with them. */
static void move_all(pc_vec *dst, int **dst_lines, pc_vec *src, const int *src_lines)
{
	for (size_t i = 0; i < src->len; i++) {
		size_t oldcap = dst->cap;
		pc_vec_push(dst, src->items[i]);
		if (dst_lines) {
			if (dst->cap != oldcap || !*dst_lines)
				*dst_lines = pc_realloc(*dst_lines, pc_st_mult(dst->cap, sizeof(int)));
			(*dst_lines)[dst->len - 1] = src_lines ? src_lines[i] : 0;
		}
	}
	src->len = 0;
}

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

/* End (exclusive) of a qualified name at i, or i when there is none. */
static size_t name_end(const pc_token *t, size_t i, size_t e)
{
	if (i >= e || !is_name_tok(&t[i]))
		return i;
	i++;
	while (i + 1 < e && is_punct(&t[i], '.') &&
	       (t[i + 1].kind == PC_TOK_WORD || t[i + 1].kind == PC_TOK_QIDENT))
		i += 2;
	return i;
}

static size_t skip_hints(const pc_token *t, size_t i, size_t e)
{
	while (i < e && t[i].kind == PC_TOK_HINT)
		i++;
	return i;
}

static int starts_query(const pc_token *t)
{
	return pc_tok_is(t, "SELECT") || pc_tok_is(t, "WITH") || pc_tok_is(t, "VALUES") ||
	       pc_tok_is(t, "TABLE") || is_punct(t, '(');
}

/* WITH ('k' = 'v', ...): options of a DDL, '(' at i, ')' at close. */
static void parse_options(pc_sql_stmt *st, const pc_token *t, size_t i, size_t close)
{
	size_t j = i + 1;
	while (j < close) {
		pc_buf key = PC_BUF_INIT;
		char *value = NULL;
		/* key: a string or a dotted word */
		if (t[j].kind == PC_TOK_STRING) {
			char *k = sql_string_value(&t[j]);
			pc_buf_puts(&key, k);
			free(k);
			j++;
		} else {
			while (j < close && !is_punct(&t[j], '=') && !is_punct(&t[j], ',')) {
				pc_buf_put(&key, t[j].start, t[j].len);
				j++;
			}
		}
		if (j < close && is_punct(&t[j], '=')) {
			j++;
			if (j < close && !is_punct(&t[j], ','))
				value = sql_string_value(&t[j++]);
		}
		if (key.len && value)
			pc_kv_set(&st->with_options, key.ptr, value);
		free(value);
		pc_buf_dispose(&key);
		/* to the next ',' at this level */
		while (j < close && !is_punct(&t[j], ','))
			j++;
		j++;
	}
}

static int ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static int parse_create(pc_sql_stmt *st, const pc_token_list *l, const size_t *match, size_t i,
			size_t e, pc_vec *refs)
{
	const pc_token *t = l->toks;
	int line = t[i].line;
	const char *what;
	size_t j, nb;
	int replace = pc_tok_is(&t[i], "REPLACE");

	i++; /* CREATE, or REPLACE of REPLACE TABLE t AS ... */
	if (i < e && pc_tok_is(&t[i], "OR") && i + 1 < e)
		i += 2; /* OR REPLACE / OR ALTER */
	if (i < e && pc_tok_is(&t[i], "TEMPORARY"))
		i++;
	if (i < e && pc_tok_is(&t[i], "SYSTEM"))
		i++;
	if (i + 1 < e && pc_tok_is(&t[i], "MATERIALIZED") && pc_tok_is(&t[i + 1], "TABLE")) {
		st->kind = PC_STMT_CREATE_MATERIALIZED;
		what = "create materialized table";
		i += 2;
	} else if (i < e && pc_tok_is(&t[i], "TABLE")) {
		st->kind = PC_STMT_CREATE_TABLE;
		what = "create table";
		i++;
	} else if (i < e && pc_tok_is(&t[i], "VIEW")) {
		st->kind = PC_STMT_CREATE_VIEW;
		what = "create view";
		i++;
	} else if (i < e && pc_tok_is(&t[i], "FUNCTION")) {
		st->kind = PC_STMT_CREATE_FUNCTION;
		return 0;
	} else if (i < e && (pc_tok_is(&t[i], "CATALOG") || pc_tok_is(&t[i], "DATABASE") ||
			     pc_tok_is(&t[i], "MODEL") || pc_tok_is(&t[i], "CONNECTION"))) {
		st->kind = PC_STMT_OTHER; /* understood, but names no table */
		return 0;
	} else {
		static const char *const objects[] = { "TABLE", "VIEW", "FUNCTION", "MATERIALIZED", "CATALOG",
						       "DATABASE", "MODEL", "TEMPORARY", NULL };
		const char *hint = i < e ? sql_suggest(&t[i], objects) : NULL;
		if (i >= e)
			return pc_error_set(PC_EPARSE, "line %d: CREATE without what to create", line);
		if (hint)
			return pc_error_set(PC_EPARSE, "line %d: CREATE %.*s is not a Flink SQL statement (did you mean %s?)",
					    t[i].line, (int)(t[i].len > 40 ? 40 : t[i].len), t[i].start, hint);
		return pc_error_set(PC_EPARSE,
				    "line %d: CREATE %.*s is not a Flink SQL statement (expected TABLE, VIEW, "
				    "MATERIALIZED TABLE, FUNCTION, CATALOG, DATABASE or MODEL)",
				    t[i].line, (int)(t[i].len > 40 ? 40 : t[i].len), t[i].start);
	}
	if (i + 2 < e && pc_tok_is(&t[i], "IF") && pc_tok_is(&t[i + 1], "NOT") && pc_tok_is(&t[i + 2], "EXISTS"))
		i += 3;
	nb = i;
	j = name_end(t, i, e);
	if (j == i)
		return pc_error_set(PC_EPARSE, "line %d: %s without a name", i < e ? t[i].line : line, what);
	sql_add_ref(st, t, i, j, SQL_REF_CREATE, 0, refs);
	i = j;
	while (i < e) {
		if (is_punct(&t[i], '(')) {
			size_t close = match[i] > i && match[i] < e ? match[i] : e;
			if (st->kind != PC_STMT_CREATE_VIEW && i == j) { /* the column list */
				for (size_t k = i + 1; k + 1 < close; k++)
					if (pc_tok_is(&t[k], "PRIMARY") && pc_tok_is(&t[k + 1], "KEY"))
						st->has_primary_key = 1;
			}
			i = close + 1;
			continue;
		}
		if (pc_tok_is(&t[i], "WITH") && i + 1 < e && is_punct(&t[i + 1], '(')) {
			size_t close = match[i + 1] > i + 1 && match[i + 1] < e ? match[i + 1] : e;
			parse_options(st, t, i + 1, close);
			i = close + 1;
			continue;
		}
		if (pc_tok_is(&t[i], "LIKE")) {
			size_t k = name_end(t, i + 1, e);
			if (k > i + 1)
				sql_add_ref(st, t, i + 1, k, SQL_REF_READ, 0, refs);
			i = k > i + 1 ? k : i + 1;
			continue;
		}
		if (pc_tok_is(&t[i], "AS")) {
			size_t q = skip_hints(t, i + 1, e);
			int rc;
			if (st->kind == PC_STMT_CREATE_TABLE)
				st->kind = PC_STMT_CREATE_TABLE_AS;
			if (st->kind != PC_STMT_CREATE_VIEW)
				sql_add_ref(st, t, nb, j, SQL_REF_WRITE, 0, NULL);
			if ((rc = sql_walk_query(st, l, match, q, e, 1, refs)) != 0)
				return rc;
			break;
		}
		if (t[i].kind == PC_TOK_WORD && !sql_is_keyword(&t[i])) {
			/* a misspelled clause (WTIH, COMENT) would drop what follows it */
			static const char *const clauses[] = { "WITH", "COMMENT", "PARTITIONED", "DISTRIBUTED",
							       "LIKE", "FRESHNESS", NULL };
			const char *hint = sql_suggest(&t[i], clauses);
			if (hint && !(i > 0 && (is_punct(&t[i - 1], '=') || pc_tok_is(&t[i - 1], "BY"))))
				return pc_error_set(PC_EPARSE, "line %d: unexpected '%.*s' (did you mean %s?)", t[i].line,
						    (int)(t[i].len > 40 ? 40 : t[i].len), t[i].start, hint);
		}
		i++;
	}
	if (replace && st->kind != PC_STMT_CREATE_TABLE_AS)
		return pc_error_set(PC_EPARSE, "line %d: REPLACE TABLE needs an AS query", line);
	if (st->kind != PC_STMT_CREATE_VIEW) {
		const char *mode = pc_kv_get(&st->with_options, "changelog.mode");
		if (mode) {
			st->changelog_mode = pc_strdup(mode);
			st->upsert = ieq(mode, "upsert") || ieq(mode, "retract");
		} else {
			st->upsert = st->has_primary_key;
		}
	}
	return 0;
}

static int parse_insert(pc_sql_stmt *st, const pc_token_list *l, const size_t *match, size_t i,
			size_t e, pc_vec *refs)
{
	const pc_token *t = l->toks;
	int line = t[i].line;
	size_t j;

	st->kind = PC_STMT_INSERT;
	i++;
	if (i < e && (pc_tok_is(&t[i], "INTO") || pc_tok_is(&t[i], "OVERWRITE")))
		i++;
	if (i < e && pc_tok_is(&t[i], "TABLE"))
		i++;
	j = name_end(t, i, e);
	if (j == i)
		return pc_error_set(PC_EPARSE, "line %d: insert without a target table", line);
	sql_add_ref(st, t, i, j, SQL_REF_WRITE, 0, refs);
	i = skip_hints(t, j, e);
	if (i + 1 < e && pc_tok_is(&t[i], "PARTITION") && is_punct(&t[i + 1], '(') && match[i + 1] > i + 1)
		i = skip_hints(t, match[i + 1] + 1, e);
	if (i + 1 < e && is_punct(&t[i], '(') && !starts_query(&t[i + 1]) && match[i] > i && match[i] < e)
		i = skip_hints(t, match[i] + 1, e); /* column list */
	if (i >= e)
		return pc_error_set(PC_EPARSE, "line %d: INSERT INTO %.*s without a query", line,
				    (int)(t[j - 1].len > 40 ? 40 : t[j - 1].len), t[j - 1].start);
	return sql_walk_query(st, l, match, i, e, 1, refs);
}

static void merge(pc_sql_stmt *dst, pc_sql_stmt *src)
{
	move_all(&dst->creates, NULL, &src->creates, NULL);
	move_all(&dst->writes, &dst->write_lines, &src->writes, src->write_lines);
	move_all(&dst->reads, &dst->read_lines, &src->reads, src->read_lines);
	move_all(&dst->reasons, NULL, &src->reasons, NULL);
	dst->stateful = dst->reasons.len > 0;
}

/* DROP ...; for DROP [TEMPORARY] TABLE [IF EXISTS] name, the name goes to drops. */
static int parse_drop(pc_sql_stmt *st, const pc_token *t, size_t i, size_t e)
{
	size_t n;

	st->kind = PC_STMT_DROP;
	i++;
	if (i < e && pc_tok_is(&t[i], "TEMPORARY"))
		i++;
	if (i >= e || !pc_tok_is(&t[i], "TABLE"))
		return 0;
	i++;
	if (i + 1 < e && pc_tok_is(&t[i], "IF") && pc_tok_is(&t[i + 1], "EXISTS"))
		i += 2;
	n = name_end(t, i, e);
	if (n > i)
		pc_vec_push(&st->drops, sql_name(t, i, n));
	return 0;
}

/* A statement set: analyze each inner statement and merge them. */
static int parse_set(pc_sql_stmt *st, const pc_token_list *l, const size_t *match, size_t body,
		     size_t e, pc_vec *refs)
{
	const pc_token *t = l->toks;
	size_t i = body, end = e;
	int cases = 0, rc = 0;

	st->kind = PC_STMT_STATEMENT_SET;
	/* the END closing the set */
	for (size_t k = body; k < e; k++) {
		if (pc_tok_is(&t[k], "CASE")) {
			cases++;
		} else if (pc_tok_is(&t[k], "END")) {
			if (cases == 0) {
				end = k;
				break;
			}
			cases--;
		}
	}
	while (i < end) {
		size_t b = i;
		pc_sql_stmt inner;
		while (i < end && !is_punct(&t[i], ';'))
			i++;
		if (i > b) {
			memset(&inner, 0, sizeof(inner));
			rc = sql_analyze_stmt(&inner, l, match, b, i, refs);
			merge(st, &inner);
			pc_vec_dispose(&inner.creates, free);
			pc_vec_dispose(&inner.writes, free);
			pc_vec_dispose(&inner.reads, free);
			free(inner.write_lines);
			free(inner.read_lines);
			pc_vec_dispose(&inner.drops, free);
			pc_vec_dispose(&inner.reasons, reason_free);
			pc_kv_dispose(&inner.with_options);
			free(inner.changelog_mode);
			if (rc)
				return rc;
		}
		i++;
	}
	return 0;
}

static int analyze_body(pc_sql_stmt *st, const pc_token_list *l, const size_t *match, size_t i, size_t e,
			pc_vec *refs)
{
	const pc_token *t = l->toks;

	if (i + 3 < e && pc_tok_is(&t[i], "EXECUTE") && pc_tok_is(&t[i + 1], "STATEMENT") &&
	    pc_tok_is(&t[i + 2], "SET") && pc_tok_is(&t[i + 3], "BEGIN"))
		return parse_set(st, l, match, i + 4, e, refs);
	if (i + 2 < e && pc_tok_is(&t[i], "BEGIN") && pc_tok_is(&t[i + 1], "STATEMENT") &&
	    pc_tok_is(&t[i + 2], "SET"))
		return parse_set(st, l, match, i + 3, e, refs);
	if (pc_tok_is(&t[i], "EXECUTE") && i + 1 < e && pc_tok_is(&t[i + 1], "INSERT"))
		i++;
	if (pc_tok_is(&t[i], "CREATE") || (pc_tok_is(&t[i], "REPLACE") && i + 1 < e && pc_tok_is(&t[i + 1], "TABLE")))
		return parse_create(st, l, match, i, e, refs);
	if (pc_tok_is(&t[i], "INSERT"))
		return parse_insert(st, l, match, i, e, refs);
	if (starts_query(&t[i])) {
		st->kind = PC_STMT_SELECT;
		return sql_walk_query(st, l, match, i, e, 1, refs);
	}
	if (!sql_is_starter(&t[i]))
		return sql_error_unknown_start(&t[i]);
	if (pc_tok_is(&t[i], "DROP"))
		return parse_drop(st, t, i, e);
	if (pc_tok_is(&t[i], "ALTER"))
		st->kind = PC_STMT_ALTER;
	else if (pc_tok_is(&t[i], "SET"))
		st->kind = PC_STMT_SET;
	else if (pc_tok_is(&t[i], "USE"))
		st->kind = PC_STMT_USE;
	else
		st->kind = PC_STMT_OTHER;
	return 0;
}

int sql_analyze_stmt(pc_sql_stmt *st, const pc_token_list *l, const size_t *match, size_t b, size_t e,
		     pc_vec *refs)
{
	const pc_token *t = l->toks;
	size_t i = skip_hints(t, b, e);
	int is_set, rc;

	if (i >= e)
		return 0;
	is_set = (i + 3 < e && pc_tok_is(&t[i], "EXECUTE") && pc_tok_is(&t[i + 1], "STATEMENT")) ||
		 (i + 2 < e && pc_tok_is(&t[i], "BEGIN") && pc_tok_is(&t[i + 1], "STATEMENT"));
	if ((rc = sql_check_quotes(l, i, e)) != 0)
		return rc;
	if ((rc = analyze_body(st, l, match, i, e, refs)) != 0)
		return rc;
	return is_set ? 0 : sql_check_end(l, i, e);
}

/* Reasons in line order (stable: same-line reasons keep their order). */
static void sort_reasons(pc_sql_stmt *st)
{
	void **r = st->reasons.items;
	for (size_t i = 1; i < st->reasons.len; i++) {
		void *x = r[i];
		size_t j = i;
		while (j > 0 && ((pc_state_reason *)r[j - 1])->line > ((pc_state_reason *)x)->line) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

/*
 * Match parentheses within each statement: match[i] is the index of the
 * partner of a '(' or ')'. Fails on the first unbalanced one.
 */
static int match_parens(size_t *match, const pc_token_list *l, const sql_range *r, size_t n, int *bad_line)
{
	size_t *stack = NULL, sp = 0, cap = 0;
	int rc = 0;
	for (size_t s = 0; s < n && !rc; s++) {
		sp = 0;
		for (size_t i = r[s].begin; i < r[s].end; i++) {
			const pc_token *t = &l->toks[i];
			if (is_punct(t, '(')) {
				if (sp == cap) {
					cap = cap ? cap * 2 : 16;
					stack = pc_realloc(stack, pc_st_mult(cap, sizeof(*stack)));
				}
				stack[sp++] = i;
			} else if (is_punct(t, ')')) {
				if (sp == 0) {
					*bad_line = t->line;
					rc = PC_EPARSE;
					break;
				}
				sp--;
				match[i] = stack[sp];
				match[stack[sp]] = i;
			}
		}
		if (!rc && sp > 0) {
			*bad_line = l->toks[stack[sp - 1]].line;
			rc = PC_EPARSE;
		}
	}
	free(stack);
	return rc;
}

int sql_analyze_refs(pc_sql_file **out, const char *path, const char *text, size_t len, pc_vec *refs)
{
	pc_sql_file *f = PC_NEW(pc_sql_file);
	sql_range *r = NULL;
	size_t n = 0, *match = NULL;
	pc_hash fh;
	pc_buf scratch = PC_BUF_INIT;
	int rc, bad_line = 0;

	*out = NULL;
	if (!path)
		path = "<sql>";
	f->path = pc_strdup(path);
	f->text = pc_malloc(len + 1);
	if (len)
		memcpy(f->text, text, len);
	f->text[len] = '\0'; /* text may be NULL when len is 0 */
	f->text_len = len;
	rc = sql_tokenize_path(&f->tokens, path, f->text, len);
	if (rc)
		goto done;
	if (f->tokens.cap > f->tokens.len + 16) { /* kept with the file: no slack */
		f->tokens.toks = pc_realloc(f->tokens.toks, pc_st_mult(f->tokens.len, sizeof(*f->tokens.toks)));
		f->tokens.cap = f->tokens.len;
	}
	r = sql_split(&f->tokens, &n);
	match = pc_calloc(f->tokens.len, sizeof(*match));
	rc = match_parens(match, &f->tokens, r, n, &bad_line);
	if (rc) {
		pc_error_set(rc, "%s:%d: unbalanced parenthesis", path, bad_line);
		goto done;
	}
	pc_hash_init(&fh);
	for (size_t s = 0; s < n; s++) {
		pc_sql_stmt *st = PC_NEW(pc_sql_stmt);
		size_t first_ref = refs ? refs->len : 0;
		pc_vec_push(&f->stmts, st);
		st->tok_begin = r[s].begin;
		st->tok_end = r[s].end;
		st->line = f->tokens.toks[r[s].begin].line;
		st->end_line = f->tokens.toks[r[s].end - 1].line;
		rc = sql_analyze_stmt(st, &f->tokens, match, r[s].begin, r[s].end, refs);
		if (rc) {
			/* "line N: x" -> "path:N: x" */
			char *msg = pc_strdup(pc_error_last());
			pc_error_set(rc, "%s:%s", path, strncmp(msg, "line ", 5) == 0 ? msg + 5 : msg);
			free(msg);
			goto done;
		}
		dedupe_strs(&st->creates, NULL);
		dedupe_strs(&st->writes, st->write_lines);
		dedupe_strs(&st->reads, st->read_lines);
		dedupe_reasons(&st->reasons);
		sort_reasons(st);
		if (refs)
			for (size_t k = first_ref; k < refs->len; k++)
				((sql_ref *)refs->items[k])->stmt = s;
		sql_stmt_fingerprint(st->fingerprint, &f->tokens, r[s].begin, r[s].end, &scratch);
		pc_hash_update(&fh, st->fingerprint, 32);
	}
	pc_hash_hex(&fh, f->fingerprint);
	*out = f;
	f = NULL;
done:
	pc_buf_dispose(&scratch);
	free(r);
	free(match);
	pc_sql_file_free(f);
	return rc;
}

int pc_sql_analyze(pc_sql_file **out, const char *path, const char *text, size_t len)
{
	return sql_analyze_refs(out, path, text, len, NULL);
}
