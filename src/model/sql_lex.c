/*
 * sql_lex.c - the Flink SQL tokenizer (one pass, tokens point into the
 * text), the keyword table, token normalization for fingerprints and the
 * statement splitter.
 */
#include "sql.h"
#include "sql_int.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokenizer ---- */

static int is_word_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static int is_word_char(unsigned char c)
{
	return is_word_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void push(pc_token_list *l, pc_tok_kind kind, const char *start, size_t len, int line, int col)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->toks = pc_realloc(l->toks, pc_st_mult(l->cap, sizeof(*l->toks)));
	}
	l->toks[l->len].kind = kind;
	l->toks[l->len].start = start;
	l->toks[l->len].len = len;
	l->toks[l->len].line = line;
	l->toks[l->len].col = col;
	l->len++;
}

/*
 * The tokenizer proper. On failure sets *err_line and *problem and returns
 * PC_EPARSE without touching the error state (callers format the message).
 */
static int lex(pc_token_list *out, const char *text, size_t len, int *err_line, const char **problem)
{
	size_t i = 0, line_start = 0;
	int line = 1;

	if (!text) {
		text = "";
		len = 0;
	}
	out->len = 0;
	if (out->cap < len / 6 + 16) { /* about one token per 5-6 bytes of SQL */
		out->cap = len / 6 + 16;
		out->toks = pc_realloc(out->toks, pc_st_mult(out->cap, sizeof(*out->toks)));
	}
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		size_t s = i;
		int sline = line, scol = (int)(i - line_start) + 1;

		if (c == '\n') {
			line++;
			i++;
			line_start = i;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '-' && i + 1 < len && text[i + 1] == '-') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			int hint = i + 2 < len && text[i + 2] == '+';
			i += 2;
			for (;;) {
				if (i + 1 >= len) {
					*err_line = sline;
					*problem = "unterminated comment";
					return PC_EPARSE;
				}
				if (text[i] == '*' && text[i + 1] == '/')
					break;
				if (text[i] == '\n') {
					line++;
					line_start = i + 1;
				}
				i++;
			}
			i += 2;
			if (hint)
				push(out, PC_TOK_HINT, text + s, i - s, sline, scol);
			continue;
		}
		if (c == '\'' || c == '`' || c == '"') {
			char q = (char)c;
			i++;
			for (;;) {
				if (i >= len) {
					*err_line = sline;
					*problem = q == '`' ? "unterminated quoted identifier"
							    : "unterminated string literal";
					return PC_EPARSE;
				}
				if (text[i] == q) {
					if (i + 1 < len && text[i + 1] == q) {
						i += 2;
						continue;
					}
					break;
				}
				if (text[i] == '\n') {
					line++;
					line_start = i + 1;
				}
				i++;
			}
			i++;
			push(out, q == '`' ? PC_TOK_QIDENT : PC_TOK_STRING, text + s, i - s, sline, scol);
			continue;
		}
		if (is_digit(c) || (c == '.' && i + 1 < len && is_digit((unsigned char)text[i + 1]) &&
				    !(out->len && (out->toks[out->len - 1].kind == PC_TOK_WORD ||
						   out->toks[out->len - 1].kind == PC_TOK_QIDENT) &&
				      out->toks[out->len - 1].start + out->toks[out->len - 1].len == text + i))) {
			int dot = c == '.';
			i++;
			while (i < len) {
				unsigned char d = (unsigned char)text[i];
				if (is_digit(d)) {
					i++;
				} else if (d == '.' && !dot) {
					dot = 1;
					i++;
				} else if ((d == 'e' || d == 'E') && i + 1 < len &&
					   (is_digit((unsigned char)text[i + 1]) ||
					    ((text[i + 1] == '+' || text[i + 1] == '-') && i + 2 < len &&
					     is_digit((unsigned char)text[i + 2])))) {
					i += 2;
					dot = 1;
				} else {
					break;
				}
			}
			/* 1a or 12abc: keep letters attached so it stays one token */
			while (i < len && is_word_char((unsigned char)text[i]))
				i++;
			push(out, PC_TOK_NUMBER, text + s, i - s, sline, scol);
			continue;
		}
		if (is_word_start(c)) {
			i++;
			while (i < len && is_word_char((unsigned char)text[i]))
				i++;
			push(out, PC_TOK_WORD, text + s, i - s, sline, scol);
			continue;
		}
		/* punctuation; a few operators of two characters kept whole */
		if (i + 1 < len) {
			char d = text[i + 1];
			if ((c == '<' && (d == '>' || d == '=')) || (c == '>' && d == '=') ||
			    (c == '!' && d == '=') || (c == '|' && d == '|') || (c == '=' && d == '>') ||
			    (c == ':' && d == ':') || (c == '-' && d == '>')) {
				i += 2;
				push(out, PC_TOK_PUNCT, text + s, 2, sline, scol);
				continue;
			}
		}
		i++;
		push(out, PC_TOK_PUNCT, text + s, 1, sline, scol);
	}
	push(out, PC_TOK_EOF, text + len, 0, line, (int)(len - line_start) + 1);
	return 0;
}

int pc_sql_tokenize(pc_token_list *out, const char *text, size_t len)
{
	int line = 0, rc;
	const char *problem = NULL;
	rc = lex(out, text, len, &line, &problem);
	if (rc)
		return pc_error_set(rc, "line %d: %s", line, problem);
	return 0;
}

/* Used by the analyzer so the message names the file. */
int sql_tokenize_path(pc_token_list *out, const char *path, const char *text, size_t len);
int sql_tokenize_path(pc_token_list *out, const char *path, const char *text, size_t len)
{
	int line = 0, rc;
	const char *problem = NULL;
	rc = lex(out, text, len, &line, &problem);
	if (rc)
		return pc_error_set(rc, "%s:%d: %s", path, line, problem);
	return 0;
}

void pc_token_list_dispose(pc_token_list *l)
{
	if (!l)
		return;
	free(l->toks);
	l->toks = NULL;
	l->len = l->cap = 0;
}

int pc_tok_is(const pc_token *t, const char *kw)
{
	if (!t || t->kind != PC_TOK_WORD)
		return 0;
	/* most calls fail on the first byte: check it before anything else */
	if ((t->start[0] | 0x20) != (kw[0] | 0x20))
		return 0;
	for (size_t i = 0; i < t->len; i++) {
		char a = t->start[i], b = kw[i];
		if (!b)
			return 0;
		if (a >= 'a' && a <= 'z')
			a = (char)(a - 32);
		if (b >= 'a' && b <= 'z')
			b = (char)(b - 32);
		if (a != b)
			return 0;
	}
	return kw[t->len] == '\0';
}

/* ---- keywords ---- */

/*
 * Words that are keywords wherever they appear, so their case can be
 * normalised without merging two different identifiers: Calcite's reserved
 * words (which Flink does not accept as unquoted identifiers) plus Flink DDL
 * words that are not plausible identifiers. Upper case, sorted for the reader.
 * Non-reserved words that are common column names (KEY, DATA, NAME, TYPE...)
 * are deliberately absent: Flink identifiers are case-sensitive.
 */
static const char *const keywords[] = {
	"ABS", "ALL", "ALLOCATE", "ALLOW", "ALTER", "AND", "ANY", "ARE", "ARRAY", "ARRAY_AGG",
	"AS", "ASC", "ASENSITIVE", "ASYMMETRIC", "AT", "ATOMIC", "AUTHORIZATION", "AVG", "BEGIN",
	"BETWEEN", "BIGINT", "BINARY", "BLOB", "BOOLEAN", "BOTH", "BUCKETS", "BY", "BYTES", "CALL",
	"CALLED", "CARDINALITY", "CASCADED", "CASE", "CAST", "CEIL", "CEILING", "CHAR",
	"CHARACTER", "CHARACTER_LENGTH", "CHAR_LENGTH", "CHECK", "CLOB", "CLOSE", "COALESCE",
	"COLLATE", "COLLECT", "COLUMN", "COMMIT", "CONDITION", "CONNECT", "CONSTRAINT",
	"CONVERT", "CORR", "CORRESPONDING", "COUNT", "COVAR_POP", "COVAR_SAMP", "CREATE",
	"CROSS", "CUBE", "CUME_DIST", "CUMULATE", "CURRENT", "CURRENT_CATALOG", "CURRENT_DATE",
	"CURRENT_ROW", "CURRENT_SCHEMA", "CURRENT_TIME", "CURRENT_TIMESTAMP",
	"CURRENT_WATERMARK", "CURSOR", "CYCLE", "DATE", "DAY", "DEALLOCATE", "DEC", "DECIMAL",
	"DECLARE", "DEFAULT", "DEFINE", "DELETE", "DENSE_RANK", "DEREF", "DESC", "DESCRIBE",
	"DESCRIPTOR", "DETERMINISTIC", "DISALLOW", "DISCONNECT", "DISTINCT", "DISTRIBUTED",
	"DOUBLE", "DROP", "DYNAMIC", "EACH", "ELEMENT", "ELSE", "END", "ENFORCED",
	"EQUALS", "ESCAPE", "EVERY", "EXCEPT", "EXEC", "EXECUTE", "EXISTS", "EXP", "EXPLAIN",
	"EXTEND", "EXTERNAL", "EXTRACT", "FALSE", "FETCH", "FILTER", "FIRST_VALUE", "FLOAT",
	"FLOOR", "FOLLOWING", "FOR", "FOREIGN", "FRAME_ROW", "FREE", "FRESHNESS", "FROM", "FULL",
	"FUNCTION", "FUSION", "GET", "GLOBAL", "GRANT", "GROUP", "GROUPING", "GROUPS", "HAVING",
	"HOLD", "HOP", "HOUR", "IDENTITY", "IF", "IMPORT", "IN", "INDICATOR", "INNER",
	"INOUT", "INSENSITIVE", "INSERT", "INT", "INTEGER", "INTERSECT", "INTERSECTION",
	"INTERVAL", "INTO", "IS", "JOIN", "LAG", "LANGUAGE", "LARGE", "LAST_VALUE", "LATERAL",
	"LEAD", "LEADING", "LEFT", "LIKE", "LIKE_REGEX", "LIMIT", "LISTAGG", "LN", "LOCAL",
	"LOCALTIME", "LOCALTIMESTAMP", "LOWER", "MATCH", "MATCHES", "MATCH_NUMBER",
	"MATCH_RECOGNIZE", "MATERIALIZED", "MAX", "MEASURES", "MEMBER", "MERGE", "METHOD", "MIN",
	"MINUS", "MINUTE", "MOD", "MODIFIES", "MODULE", "MONTH", "MULTISET", "NATIONAL",
	"NATURAL", "NCHAR", "NCLOB", "NEW", "NEXT", "NO", "NONE", "NORMALIZE", "NOT", "NTH_VALUE",
	"NTILE", "NULL", "NULLIF", "NUMERIC", "OCCURRENCES_REGEX", "OCTET_LENGTH", "OF", "OFFSET",
	"OLD", "OMIT", "ON", "ONE", "ONLY", "OPEN", "OR", "ORDER", "OUT", "OUTER", "OVER",
	"OVERLAPS", "OVERLAY", "OVERWRITE", "PARAMETER", "PARTITION", "PARTITIONED", "PATTERN",
	"PER", "PERCENT", "PERCENTILE_CONT", "PERCENTILE_DISC", "PERCENT_RANK", "PERIOD",
	"PERMUTE", "PORTION", "POSITION", "POSITION_REGEX", "POWER", "PRECEDES", "PRECEDING",
	"PRECISION", "PREPARE", "PREV", "PRIMARY", "PROCEDURE", "PROCTIME", "RANGE", "RANK",
	"RAW", "READS", "REAL", "RECURSIVE", "REF", "REFERENCES", "REFERENCING", "REGR_AVGX",
	"REGR_AVGY", "REGR_COUNT", "REGR_INTERCEPT", "REGR_R2", "REGR_SLOPE", "REGR_SXX",
	"REGR_SXY", "REGR_SYY", "RELEASE", "RESET", "RESULT", "RETURN", "RETURNS", "REVOKE",
	"RIGHT", "ROLLBACK", "ROLLUP", "ROW", "ROWS", "ROW_NUMBER", "RUNNING", "SAVEPOINT",
	"SCOPE", "SCROLL", "SEARCH", "SECOND", "SEEK", "SELECT", "SENSITIVE", "SESSION_USER",
	"SET", "SHOW", "SIMILAR", "SKIP", "SMALLINT", "SOME", "SPECIFIC", "SPECIFICTYPE", "SQL",
	"SQLEXCEPTION", "SQLSTATE", "SQLWARNING", "SQRT", "START", "STATIC",
	"STDDEV_POP", "STDDEV_SAMP", "STREAM", "STRING", "SUBMULTISET", "SUBSET", "SUBSTRING",
	"SUBSTRING_REGEX", "SUCCEEDS", "SUM", "SYMMETRIC", "SYSTEM", "SYSTEM_TIME",
	"SYSTEM_USER", "TABLE", "TABLESAMPLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP",
	"TIMESTAMP_LTZ", "TIMEZONE_HOUR", "TIMEZONE_MINUTE", "TINYINT", "TO", "TRAILING",
	"TRANSLATE", "TRANSLATE_REGEX", "TRANSLATION", "TREAT", "TRIGGER", "TRIM", "TRIM_ARRAY",
	"TRUE", "TRUNCATE", "TUMBLE", "UESCAPE", "UNION", "UNIQUE", "UNKNOWN", "UNNEST",
	"UPDATE", "UPPER", "UPSERT", "USER", "USING", "VALUE", "VALUES", "VARBINARY", "VARCHAR",
	"VARYING", "VAR_POP", "VAR_SAMP", "VERSIONING", "WATERMARK", "WHEN", "WHENEVER",
	"WHERE", "WIDTH_BUCKET", "WINDOW", "WITH", "WITHIN", "WITHOUT", "YEAR",
};

/*
 * Words of the table above that Flink does not reserve: they are upper-cased
 * in fingerprints but may still name a table or an alias.
 */
static const char *const soft_keywords[] = {
	"BUCKETS", "BYTES", "CUMULATE", "DISTRIBUTED", "ENFORCED", "FRESHNESS", "HOP",
	"MATERIALIZED", "PARTITIONED", "PROCTIME", "RAW", "STRING", "TEMPORARY", "TUMBLE",
	"WATERMARK",
};

/* Non-reserved words that are keywords right after a given keyword. */
static const struct {
	const char *prev, *word;
} context_keywords[] = {
	{ "PRIMARY", "KEY" },      { "NOT", "ENFORCED" },    { "IF", "EXISTS" },
	{ "CREATE", "CATALOG" },   { "USE", "CATALOG" },     { "CREATE", "DATABASE" },
	{ "CREATE", "VIEW" },      { "TEMPORARY", "VIEW" },  { "REPLACE", "VIEW" },
	{ "DROP", "VIEW" },        { "EXECUTE", "STATEMENT" }, { "BEGIN", "STATEMENT" },
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))
#define KW_SLOTS 1024 /* power of two, well over twice N_KEYWORDS */

/* Open-addressing table of keyword indexes + 1 (0 = empty), built once. */
static unsigned short kw_slots[KW_SLOTS];
static pthread_once_t kw_once = PTHREAD_ONCE_INIT;

static unsigned kw_hash(const char *up, size_t n)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)up[i]) * 16777619u;
	return h;
}

static void kw_init(void)
{
	for (size_t k = 0; k < N_KEYWORDS; k++) {
		unsigned h = kw_hash(keywords[k], strlen(keywords[k])) & (KW_SLOTS - 1);
		while (kw_slots[h])
			h = (h + 1) & (KW_SLOTS - 1);
		kw_slots[h] = (unsigned short)(k + 1);
	}
}

int sql_is_keyword(const pc_token *t)
{
	char up[24];
	unsigned h;
	if (!t || t->kind != PC_TOK_WORD || t->len < 2 || t->len > sizeof(up))
		return 0;
	for (size_t i = 0; i < t->len; i++) {
		char c = t->start[i];
		up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	pthread_once(&kw_once, kw_init);
	h = kw_hash(up, t->len) & (KW_SLOTS - 1);
	while (kw_slots[h]) {
		const char *kw = keywords[kw_slots[h] - 1];
		if (strncmp(kw, up, t->len) == 0 && kw[t->len] == '\0')
			return 1;
		h = (h + 1) & (KW_SLOTS - 1);
	}
	return 0;
}

int sql_is_soft_keyword(const pc_token *t)
{
	for (size_t i = 0; i < sizeof(soft_keywords) / sizeof(soft_keywords[0]); i++)
		if (pc_tok_is(t, soft_keywords[i]))
			return 1;
	return 0;
}

static int is_context_keyword(const pc_token *prev, const pc_token *t)
{
	if (!prev || t->kind != PC_TOK_WORD)
		return 0;
	for (size_t i = 0; i < sizeof(context_keywords) / sizeof(context_keywords[0]); i++)
		if (pc_tok_is(t, context_keywords[i].word) && pc_tok_is(prev, context_keywords[i].prev))
			return 1;
	return 0;
}

/* ---- normalization for fingerprints ---- */

/* Hints: whitespace outside quotes collapsed, one space kept between words. */
static void norm_hint(pc_buf *h, const pc_token *t)
{
	const char *p = t->start, *e = t->start + t->len;
	char last = 0;
	int pending_space = 0;
	while (p < e) {
		char c = *p;
		if (c == '\'' || c == '`' || c == '"') {
			const char *q = p + 1;
			while (q < e && *q != c)
				q++;
			if (q < e)
				q++;
			if (pending_space && is_word_char((unsigned char)last))
				pc_buf_putc(h, ' ');
			pending_space = 0;
			pc_buf_put(h, p, (size_t)(q - p));
			last = c;
			p = q;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			pending_space = 1;
			p++;
			continue;
		}
		if (pending_space && is_word_char((unsigned char)last) && is_word_char((unsigned char)c))
			pc_buf_putc(h, ' ');
		pending_space = 0;
		pc_buf_putc(h, c);
		last = c;
		p++;
	}
}

/*
 * A function name: a word right before '(' that does not follow a word which
 * makes it a table, view or alias name (CREATE TABLE t (, INSERT INTO t (,
 * AS t(x), LIKE t (, a.b( ...). Flink resolves function names without
 * regard to case, so they are upper-cased like keywords.
 */
static int is_function_name(const pc_token *prev, const pc_token *t, const pc_token *next)
{
	static const char *const before_names[] = { "TABLE", "INTO", "AS", "EXISTS", "VIEW",
						    "LIKE", "OVERWRITE", "WITH", "RECURSIVE" };
	if (!next || !(next->kind == PC_TOK_PUNCT && next->len == 1 && next->start[0] == '('))
		return 0;
	if (t->len > 64)
		return 0;
	if (!prev)
		return 1;
	if (prev->kind == PC_TOK_PUNCT && prev->len == 1 && prev->start[0] == '.')
		return 0;
	if (prev->kind == PC_TOK_QIDENT)
		return 0;
	for (size_t i = 0; i < sizeof(before_names) / sizeof(before_names[0]); i++)
		if (pc_tok_is(prev, before_names[i]))
			return 0;
	/* FROM a x(c1): an alias with columns right after a table name */
	if (prev->kind == PC_TOK_WORD && !sql_is_keyword(prev))
		return 0;
	return 1;
}

/*
 * `name` around a plain identifier that is not a keyword is the same name
 * as name: read it as that word (formatting is not a change).
 */
static int plain_qident(const pc_token *t, pc_token *word)
{
	const char *c = t->start + 1;
	size_t n = t->len >= 2 ? t->len - 2 : 0;
	if (t->kind != PC_TOK_QIDENT || !n || !((c[0] >= 'a' && c[0] <= 'z') || (c[0] >= 'A' && c[0] <= 'Z') || c[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= '0' && c[i] <= '9') ||
		      c[i] == '_'))
			return 0;
	*word = *t;
	word->kind = PC_TOK_WORD;
	word->start = c;
	word->len = n;
	return !sql_is_keyword(word);
}

/* CREATE TABLE|VIEW IF NOT EXISTS: the three words say nothing about what the table is. */
static int if_not_exists_at(const pc_token_list *l, size_t i, size_t e)
{
	return i > 0 && i + 2 < e && (pc_tok_is(&l->toks[i - 1], "TABLE") || pc_tok_is(&l->toks[i - 1], "VIEW")) &&
	       pc_tok_is(&l->toks[i], "IF") && pc_tok_is(&l->toks[i + 1], "NOT") && pc_tok_is(&l->toks[i + 2], "EXISTS");
}

/* Append one token's normalized form: kind, text, separator. */
static void norm_token(pc_buf *h, const pc_token *prev, const pc_token *t, const pc_token *next)
{
	char *p;
	pc_token word;
	if (plain_qident(t, &word))
		t = &word;
	if (t->kind == PC_TOK_HINT) {
		pc_buf_putc(h, (char)('0' + t->kind));
		norm_hint(h, t);
		pc_buf_putc(h, '\0');
		return;
	}
	if (pc_buf_grow(h, t->len + 2) < 0) /* h is unbounded: never */
		return;
	p = h->ptr + h->len;
	p[0] = (char)('0' + t->kind);
	memcpy(p + 1, t->start, t->len);
	p[t->len + 1] = '\0';
	/* after '.', a word is a name part or a field, never a keyword */
	if (t->kind == PC_TOK_WORD && !(prev && prev->kind == PC_TOK_PUNCT && prev->len == 1 && prev->start[0] == '.') &&
	    (sql_is_keyword(t) || is_context_keyword(prev, t) || is_function_name(prev, t, next)))
		for (size_t i = 1; i <= t->len; i++)
			if (p[i] >= 'a' && p[i] <= 'z')
				p[i] = (char)(p[i] - 32);
	h->len += t->len + 2;
	h->ptr[h->len] = '\0';
}

void sql_stmt_fingerprint(char out[33], const pc_token_list *l, size_t b, size_t e, pc_buf *scratch)
{
	pc_hash h;
	pc_buf_clear(scratch);
	for (size_t i = b; i < e; i++) {
		if (if_not_exists_at(l, i, e)) {
			i += 2;
			continue;
		}
		norm_token(scratch, i > b ? &l->toks[i - 1] : NULL, &l->toks[i],
			   i + 1 < e ? &l->toks[i + 1] : NULL);
	}
	pc_hash_init(&h);
	pc_hash_update(&h, scratch->ptr, scratch->len);
	pc_hash_hex(&h, out);
}

/* ---- statement splitting ---- */

static int is_semi(const pc_token *t)
{
	return t->kind == PC_TOK_PUNCT && t->len == 1 && t->start[0] == ';';
}

/* Index of the first token at or after i that is not a hint. */
static size_t skip_hints(const pc_token_list *l, size_t i)
{
	while (i < l->len && l->toks[i].kind == PC_TOK_HINT)
		i++;
	return i;
}

/*
 * Does a statement set start at i? Returns the index of the first token of
 * the body (after BEGIN / after "BEGIN STATEMENT SET ;"), or 0 when not.
 */
static size_t set_body(const pc_token_list *l, size_t i)
{
	const pc_token *t = l->toks;
	if (i + 3 < l->len && pc_tok_is(&t[i], "EXECUTE") && pc_tok_is(&t[i + 1], "STATEMENT") &&
	    pc_tok_is(&t[i + 2], "SET") && pc_tok_is(&t[i + 3], "BEGIN"))
		return i + 4;
	if (i + 2 < l->len && pc_tok_is(&t[i], "BEGIN") && pc_tok_is(&t[i + 1], "STATEMENT") &&
	    pc_tok_is(&t[i + 2], "SET")) {
		i += 3;
		if (i < l->len && is_semi(&t[i]))
			i++;
		return i;
	}
	return 0;
}

sql_range *sql_split(const pc_token_list *l, size_t *n)
{
	sql_range *r = NULL;
	size_t cap = 0, count = 0, i = 0;
	const pc_token *t = l->toks;

	while (i < l->len && t[i].kind != PC_TOK_EOF) {
		size_t b, body;
		int is_set = 0;
		if (is_semi(&t[i])) {
			i++;
			continue;
		}
		b = i;
		body = set_body(l, skip_hints(l, i));
		if (body) {
			/* up to the END that closes the set (CASE ... END nests) */
			int cases = 0;
			is_set = 1;
			i = body;
			while (i < l->len && t[i].kind != PC_TOK_EOF) {
				if (pc_tok_is(&t[i], "CASE")) {
					cases++;
				} else if (pc_tok_is(&t[i], "END")) {
					if (cases == 0)
						break;
					cases--;
				}
				i++;
			}
			if (t[i].kind != PC_TOK_EOF)
				i++; /* END: what follows starts a new statement, ';' or not */
		} else {
			while (i < l->len && t[i].kind != PC_TOK_EOF && !is_semi(&t[i]))
				i++;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 4;
			r = pc_realloc(r, pc_st_mult(cap, sizeof(*r)));
		}
		r[count].begin = b;
		r[count].end = i;
		r[count].is_set = is_set;
		count++;
	}
	*n = count;
	return r;
}

/* ---- names and literals ---- */

/* Append a token's identifier text (backticks removed, `` unescaped). */
static void put_ident(pc_buf *b, const pc_token *t)
{
	if ((t->kind == PC_TOK_QIDENT || t->kind == PC_TOK_STRING) && t->len >= 2) {
		char q = t->start[0];
		for (size_t i = 1; i + 1 < t->len; i++) {
			pc_buf_putc(b, t->start[i]);
			if (t->start[i] == q && t->start[i + 1] == q)
				i++;
		}
	} else {
		pc_buf_put(b, t->start, t->len);
	}
}

char *sql_name(const pc_token *toks, size_t b, size_t e)
{
	pc_buf out = PC_BUF_INIT;
	for (size_t i = b; i < e; i++) {
		if (toks[i].kind == PC_TOK_PUNCT)
			pc_buf_putc(&out, '.');
		else
			put_ident(&out, &toks[i]);
	}
	return pc_buf_detach(&out);
}

char *sql_string_value(const pc_token *t)
{
	pc_buf out = PC_BUF_INIT;
	if (t->kind == PC_TOK_STRING || t->kind == PC_TOK_QIDENT)
		put_ident(&out, t);
	else
		pc_buf_put(&out, t->start, t->len);
	return pc_buf_detach(&out);
}

/* ---- fingerprint ---- */

/*
 * The file fingerprint is the hash of its statements' fingerprints, so
 * empty statements and a missing final ';' do not matter.
 */
int pc_sql_fingerprint(char out[33], const char *text, size_t len)
{
	pc_token_list l = { 0 };
	pc_buf scratch = PC_BUF_INIT;
	sql_range *r = NULL;
	size_t n = 0;
	pc_hash h;
	int rc = pc_sql_tokenize(&l, text, len);
	if (rc)
		goto done;
	r = sql_split(&l, &n);
	pc_hash_init(&h);
	for (size_t i = 0; i < n; i++) {
		char fp[33];
		sql_stmt_fingerprint(fp, &l, r[i].begin, r[i].end, &scratch);
		pc_hash_update(&h, fp, 32);
	}
	pc_hash_hex(&h, out);
done:
	pc_buf_dispose(&scratch);
	free(r);
	pc_token_list_dispose(&l);
	return rc;
}
