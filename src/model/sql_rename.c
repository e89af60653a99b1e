/*
 * sql_rename.c - rewrite table references through the tokenizer and the
 * analyzer (for blue/green, not built yet): only tokens in table positions
 * change, and column qualifiers that name the table where it is read
 * without an alias; every other byte (comments, strings, spacing) stays.
 */
#include "sql.h"
#include "sql_int.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <stdlib.h>
#include <string.h>

int sql_analyze_refs(pc_sql_file **out, const char *path, const char *text, size_t len, pc_vec *refs);

typedef struct edit {
	size_t from, to; /* byte range in the text */
	size_t tok;      /* first token (for rendering quotes) */
	int whole;       /* 0: one name token, 1: a whole qualified name, 2: a column qualifier */
	size_t map;      /* index of the (from, to) pair */
} edit;
static int cmp_edit(const void *a, const void *b)
{
	const edit *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* Can s stand unquoted? The tokenizer's word characters, no reserved word. */
static int plain_ident(const char *s, size_t n)
{
	pc_token t;
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '$' || c >= 0x80))
			return 0;
	}
	t.kind = PC_TOK_WORD;
	t.start = s;
	t.len = n;
	return !sql_is_keyword(&t) || sql_is_soft_keyword(&t);
}

/* One name part, quoted when the original was or when it must be. */
static void put_part(pc_buf *out, const char *s, size_t n, int quoted)
{
	if (!quoted && plain_ident(s, n)) {
		pc_buf_put(out, s, n);
		return;
	}
	pc_buf_putc(out, '`');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '`')
			pc_buf_putc(out, '`');
		pc_buf_putc(out, s[i]);
	}
	pc_buf_putc(out, '`');
}

static void put_name(pc_buf *out, const char *name, int quoted)
{
	const char *p = name;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		put_part(out, p, n, quoted);
		if (!dot)
			break;
		pc_buf_putc(out, '.');
		p = dot + 1;
	}
}

static int tok_text_eq(const pc_token *t, const char *s)
{
	char *n;
	int eq;
	if (t->kind != PC_TOK_WORD && t->kind != PC_TOK_QIDENT)
		return 0;
	n = sql_string_value(t);
	eq = strcmp(n, s) == 0;
	free(n);
	return eq;
}

static void add_edit(edit **ed, size_t *n, size_t *cap, size_t from, size_t to, size_t tok, int whole, size_t map)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*ed = pc_realloc(*ed, pc_st_mult(*cap, sizeof(**ed)));
	}
	(*ed)[*n].from = from;
	(*ed)[*n].to = to;
	(*ed)[*n].tok = tok;
	(*ed)[*n].whole = whole;
	(*ed)[*n].map = map;
	(*n)++;
}

/* Index of the pair whose `from` names this reference, or n when none. */
static size_t match_ref(const char *name, const char *const *from, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		int qualified = strchr(from[j], '.') != NULL;
		if (qualified ? strcmp(name, from[j]) == 0 : strcmp(pc_sql_base_name(name), from[j]) == 0)
			return j;
	}
	return n;
}

int pc_sql_rename_table(pc_buf *out, const char *text, size_t len, const char *from, const char *to)
{
	return pc_sql_rename_tables(out, text, len, &from, &to, 1);
}

int pc_sql_rename_tables(pc_buf *out, const char *text, size_t len, const char *const *from,
			 const char *const *to, size_t n)
{
	pc_sql_file *f = NULL;
	pc_vec refs = PC_VEC_INIT;
	edit *ed = NULL;
	size_t ned = 0, cap = 0, pos = 0;
	unsigned char *bare = NULL; /* [stmt * n + j]: table from[j] is read without an alias in stmt */
	int rc;

	for (size_t j = 0; j < n; j++)
		if (!from || !to || !from[j] || !*from[j] || !to[j] || !*to[j])
			return pc_error_set(PC_EINVALID, "rename needs a table name and a new name");
	rc = sql_analyze_refs(&f, "<sql>", text, len, &refs);
	if (rc)
		goto done;
	if (!n) {
		pc_buf_put(out, f->text, f->text_len);
		goto done;
	}
	bare = pc_calloc(pc_st_mult(f->stmts.len + 1, n), 1);
	for (size_t i = 0; i < refs.len; i++) {
		sql_ref *r = refs.items[i];
		const pc_token *t = f->tokens.toks;
		char *name = sql_name(t, r->begin, r->end);
		size_t j = match_ref(name, from, n);
		free(name);
		if (j == n)
			continue;
		if (strchr(from[j], '.')) {
			size_t a = (size_t)(t[r->begin].start - f->text);
			size_t b = (size_t)(t[r->end - 1].start + t[r->end - 1].len - f->text);
			add_edit(&ed, &ned, &cap, a, b, r->begin, 1, j);
		} else {
			const pc_token *last = &t[r->end - 1];
			size_t a = (size_t)(last->start - f->text);
			add_edit(&ed, &ned, &cap, a, a + last->len, r->end - 1, 0, j);
		}
		if (r->role == SQL_REF_READ && !r->has_alias && r->stmt < f->stmts.len)
			bare[r->stmt * n + j] = 1;
	}
	/* column qualifiers "t.col" where t is read without an alias */
	for (size_t s = 0; s < f->stmts.len; s++) {
		pc_sql_stmt *st = f->stmts.items[s];
		const pc_token *t = f->tokens.toks;
		for (size_t i = st->tok_begin; i + 2 < st->tok_end; i++) {
			int in_ref = 0;
			size_t j;
			if (!(t[i + 1].kind == PC_TOK_PUNCT && t[i + 1].len == 1 && t[i + 1].start[0] == '.'))
				continue;
			if (i > st->tok_begin && t[i - 1].kind == PC_TOK_PUNCT && t[i - 1].len == 1 &&
			    t[i - 1].start[0] == '.')
				continue;
			for (j = 0; j < n; j++)
				if (bare[s * n + j] && tok_text_eq(&t[i], pc_sql_base_name(from[j])))
					break;
			if (j == n)
				continue;
			for (size_t k = 0; k < refs.len && !in_ref; k++) {
				sql_ref *r = refs.items[k];
				in_ref = i >= r->begin && i < r->end;
			}
			if (in_ref)
				continue;
			add_edit(&ed, &ned, &cap, (size_t)(t[i].start - f->text),
				 (size_t)(t[i].start - f->text) + t[i].len, i, 2, j);
		}
	}
	if (ned)
		qsort(ed, ned, sizeof(*ed), cmp_edit);
	for (size_t i = 0; i < ned; i++) {
		const pc_token *t = &f->tokens.toks[ed[i].tok];
		const char *new_name = to[ed[i].map];
		if (ed[i].from < pos) /* never overlap edits */
			continue;
		pc_buf_put(out, f->text + pos, ed[i].from - pos);
		if (ed[i].whole != 1 && tok_text_eq(t, ed[i].whole == 2 ? pc_sql_base_name(new_name) : new_name))
			pc_buf_put(out, f->text + ed[i].from, ed[i].to - ed[i].from); /* unchanged */
		else if (ed[i].whole == 2) /* a column qualifier: the new base name */
			put_part(out, pc_sql_base_name(new_name), strlen(pc_sql_base_name(new_name)),
				 t->kind == PC_TOK_QIDENT);
		else
			put_name(out, new_name, t->kind == PC_TOK_QIDENT);
		pos = ed[i].to;
	}
	pc_buf_put(out, f->text + pos, f->text_len - pos);
done:
	free(bare);
	free(ed);
	pc_vec_dispose(&refs, free);
	pc_sql_file_free(f);
	return rc;
}
