/*
 * sql_int.h - internals shared by the SQL tokenizer, statement splitter,
 * query walker and rename (not part of the public API in sql.h).
 */
#ifndef PC_MODEL_SQL_INT_H
#define PC_MODEL_SQL_INT_H

#include "../util/hash.h"
#include "sql.h"

#include <stddef.h>

/* A statement's token range [begin, end), the ';' excluded. */
typedef struct sql_range {
	size_t begin, end;
	int is_set; /* a statement set (BEGIN ... END) */
} sql_range;

/* A table reference found in a table position: tokens [begin, end). */
typedef struct sql_ref {
	size_t begin, end; /* name tokens (parts and dots) */
	int has_alias;
	int role;          /* SQL_REF_READ, SQL_REF_WRITE, SQL_REF_CREATE */
	size_t stmt;       /* index of the statement in the file */
} sql_ref;

enum { SQL_REF_READ = 1, SQL_REF_WRITE = 2, SQL_REF_CREATE = 3 };

/* 1 when t is a WORD in the reserved/structural keyword table. */
int sql_is_keyword(const pc_token *t);
/* 1 when t is a keyword that Flink does not reserve (may name a table). */
int sql_is_soft_keyword(const pc_token *t);

/*
 * Fingerprint of tokens [b, e): comments are already gone; keywords are
 * upper-cased, everything else byte-exact, whitespace ignored. scratch is
 * a buffer reused between calls.
 */
void sql_stmt_fingerprint(char out[33], const pc_token_list *l, size_t b, size_t e, pc_buf *scratch);

/*
 * Split a token list into statements on ';' (statement sets kept whole).
 * Empty statements are skipped. Returns a malloc'ed array, count in *n.
 */
sql_range *sql_split(const pc_token_list *l, size_t *n);

/* Join a qualified name [b, e) into "a.b.c" with quotes removed (owned). */
char *sql_name(const pc_token *toks, size_t b, size_t e);

/* Copy a STRING token's value ('' unescaped), owned. */
char *sql_string_value(const pc_token *t);

/*
 * Analyze one statement range. Table refs are appended to refs (sql_ref *,
 * owned by the caller) when refs is not NULL. Returns 0 or PC_EPARSE
 * with "line N: problem" (the caller prefixes the path).
 */
int sql_analyze_stmt(pc_sql_stmt *st, const pc_token_list *l, const size_t *match,
		     size_t b, size_t e, pc_vec *refs);

/*
 * Walk a query (SELECT / WITH / VALUES / set operations) in [b, e):
 * record reads and stateful operators into st. top: 1 when this is the
 * statement's top-level query (ORDER BY / LIMIT count there). Returns 0,
 * or PC_EPARSE with "line N: problem" when the query is not understood
 * (a misspelled keyword read as an alias, an empty select list).
 */
int sql_walk_query(pc_sql_stmt *st, const pc_token_list *l, const size_t *match,
		    size_t b, size_t e, int top, pc_vec *refs);

/* Add a reason unless the same op and line is there. */
void sql_add_reason(pc_sql_stmt *st, const char *op, int line);

/* Record a table reference [b, e) with a role. */
void sql_add_ref(pc_sql_stmt *st, const pc_token *toks, size_t b, size_t e, int role,
		 int has_alias, pc_vec *refs);

/* ---- strict checks (sql_check.c) ---- */

/* 1 when t can start a statement (a word of the list or '('). */
int sql_is_starter(const pc_token *t);
/* PC_EPARSE "line N: 'x' does not start a Flink SQL statement (did you mean ...?)". */
int sql_error_unknown_start(const pc_token *t);
/* PC_EPARSE on the first double-quoted token of [b, e) (never Flink SQL). */
int sql_check_quotes(const pc_token_list *l, size_t b, size_t e);
/* PC_EPARSE when [b, e) ends on a word that needs a continuation (FROM, AND, ',' ...). */
int sql_check_end(const pc_token_list *l, size_t b, size_t e);
/* PC_EPARSE "line N: unexpected 't' after 'prev' (did you mean ...?)". */
int sql_error_unexpected(const pc_token *prev, const pc_token *t);
/* The word of words (NULL-terminated) that t most likely misspells, or NULL. */
const char *sql_suggest(const pc_token *t, const char *const *words);

#endif
