/*
 * sql.h - Flink SQL analysis: a tokenizer and an analyzer (docs/sql-analysis.md).
 *
 * The analyzer splits a file into statements and, per statement, records
 * the tables it creates, writes and reads, whether it is stateful (with the
 * operator and line of each reason), DDL facts (primary key, changelog.mode)
 * and a fingerprint that ignores comments, whitespace and keyword case.
 *
 * Table names are kept as written, case preserved (Flink identifiers are
 * case-sensitive), backticks removed, qualified parts joined with '.':
 * `cat`.`db`.`Orders` -> "cat.db.Orders". pc_sql_base_name() gives the last
 * part, which is what the graph matches on.
 *
 * The model is pure: no I/O here. Nothing in this header allocates outside
 * the returned structs; pc_sql_file_free() releases everything.
 */
#ifndef PC_MODEL_SQL_H
#define PC_MODEL_SQL_H

#include "../util/buf.h"
#include "../util/vec.h"

#include <stddef.h>

/* ---- tokens ---- */

typedef enum pc_tok_kind {
	PC_TOK_EOF = 0,
	PC_TOK_WORD,      /* identifier or keyword, unquoted */
	PC_TOK_QIDENT,    /* `backtick identifier` (text without backticks, `` unescaped) */
	PC_TOK_STRING,    /* 'string literal' (text without quotes, '' unescaped) */
	PC_TOK_NUMBER,
	PC_TOK_PUNCT,     /* one of ( ) , . ; = < > etc., multi-char operators kept whole */
	PC_TOK_HINT,      /* a slash-star-plus hint; text is what is inside */
} pc_tok_kind;

typedef struct pc_token {
	pc_tok_kind kind;
	const char *start; /* points into the source text (includes quotes) */
	size_t len;        /* length in the source */
	int line;          /* 1-based */
	int col;           /* 1-based */
} pc_token;

typedef struct pc_token_list {
	pc_token *toks;
	size_t len, cap;
} pc_token_list;

/*
 * Tokenize text (not necessarily NUL-terminated). Comments are dropped,
 * hints kept as PC_TOK_HINT. On an unterminated string, backtick or block
 * comment returns PC_EPARSE with "line N: unterminated string literal"
 * (or "... quoted identifier", "... comment"; the caller prefixes the file
 * name). A final PC_TOK_EOF is appended.
 */
int pc_sql_tokenize(pc_token_list *out, const char *text, size_t len);
void pc_token_list_dispose(pc_token_list *l);
/* Case-insensitive keyword test on a WORD token. */
int pc_tok_is(const pc_token *t, const char *kw);

/* ---- analysis ---- */

typedef enum pc_stmt_kind {
	PC_STMT_OTHER = 0,
	PC_STMT_CREATE_TABLE,        /* CREATE TABLE [IF NOT EXISTS] t (...) [LIKE ...] */
	PC_STMT_CREATE_TABLE_AS,     /* CTAS */
	PC_STMT_CREATE_MATERIALIZED, /* CREATE [OR ALTER] MATERIALIZED TABLE */
	PC_STMT_CREATE_VIEW,         /* CREATE [TEMPORARY] VIEW */
	PC_STMT_CREATE_FUNCTION,
	PC_STMT_INSERT,              /* INSERT INTO / INSERT OVERWRITE */
	PC_STMT_STATEMENT_SET,       /* EXECUTE STATEMENT SET / BEGIN STATEMENT SET */
	PC_STMT_SELECT,
	PC_STMT_DROP,
	PC_STMT_ALTER,
	PC_STMT_SET,                 /* SET 'k' = 'v' */
	PC_STMT_USE,
} pc_stmt_kind;

/* "CREATE_TABLE", "INSERT", ... as used in analyze --json "kind". */
const char *pc_stmt_kind_name(pc_stmt_kind k);

typedef struct pc_state_reason {
	char *op;   /* "regular join", "GROUP BY", "OVER (ROW_NUMBER)", "window aggregation (TUMBLE)", ... */
	int line;   /* 1-based line in the file */
} pc_state_reason;

typedef struct pc_sql_stmt {
	pc_stmt_kind kind;
	int line;            /* line where the statement starts */
	int end_line;
	pc_vec creates;      /* char *, owned: tables created (CREATE TABLE/CTAS/MATERIALIZED/VIEW) */
	pc_vec writes;       /* char *, owned: INSERT targets, CTAS target */
	pc_vec reads;        /* char *, owned: tables read (not CTE names, not functions) */
	int *write_lines;    /* owned: 1-based line of each writes[i] (its first reference) */
	int *read_lines;     /* owned: 1-based line of each reads[i] (its first reference) */
	pc_vec drops;        /* char *, owned: the table of a DROP [TEMPORARY] TABLE [IF EXISTS] */
	int stateful;
	pc_vec reasons;      /* pc_state_reason *, owned */
	/* DDL facts (CREATE TABLE / CTAS / MATERIALIZED) */
	int has_primary_key;
	char *changelog_mode;  /* value of 'changelog.mode' in WITH (...), or NULL */
	int upsert;            /* changelog_mode upsert/retract, else has_primary_key */
	pc_vec with_options;   /* pc_kv * (util/kv.h), owned: WITH ('k'='v') of a DDL */
	char fingerprint[33];  /* of this statement's normalized tokens */
	size_t tok_begin, tok_end; /* token range in the file's token list */
} pc_sql_stmt;

typedef struct pc_sql_file {
	char *path;            /* as given */
	pc_token_list tokens;  /* points into text */
	char *text;            /* owned copy of the source */
	size_t text_len;
	pc_vec stmts;          /* pc_sql_stmt *, owned */
	char fingerprint[33];  /* of the whole file's normalized tokens */
} pc_sql_file;

/*
 * Analyze one SQL file's text. path is used only in messages (and kept).
 * On a tokenizer or syntax error returns PC_EPARSE with the message
 * "<path>:<line>: <problem>" and *out is NULL. Strict: a statement the
 * analyzer does not understand (an unknown first word, a query with a
 * misspelled keyword, a query cut short by a stray ';', a double-quoted
 * name) is an error, never a silent OTHER (docs/sql-analysis.md).
 */
int pc_sql_analyze(pc_sql_file **out, const char *path, const char *text, size_t len);
void pc_sql_file_free(pc_sql_file *f);

/*
 * Release the token list of an analyzed file (about 32 bytes per token,
 * five to six times the text) when only the statements, the text and the
 * fingerprints are needed, as when a loader keeps thousands of files.
 * Afterwards tokens.len is 0 and tok_begin/tok_end must not be used.
 */
void pc_sql_file_drop_tokens(pc_sql_file *f);

/*
 * Edit distance (insertions, deletions, substitutions, swaps of two
 * neighbours) between a and b, case-folded when icase; 1000 past 256 bytes.
 * Used for "did you mean" on keywords and table names.
 */
int pc_sql_edit_distance(const char *a, const char *b, int icase);

/* Last part of a possibly qualified name: "cat.db.t" -> "t" (pointer into s). */
const char *pc_sql_base_name(const char *s);

/*
 * Fingerprint of text: tokens without comments, keywords upper-cased,
 * whitespace normalised. Same value as pc_sql_file.fingerprint (the hash of
 * its statements' fingerprints; function names are upper-cased too, other
 * identifiers and literals stay byte-exact; see docs/sql-analysis.md).
 */
int pc_sql_fingerprint(char out[33], const char *text, size_t len);

/*
 * Rewrite table references exactly (blue/green, docs/sql-analysis.md
 * "Rename"): every token that names table `from` in a table position
 * (created, INSERT INTO target, FROM/JOIN/LIKE/TABLE(...)/temporal-join
 * read, in statement sets and CTE bodies) becomes `to`, and so does a
 * column qualifier `from.col` where the table is read without an alias;
 * everything else (comments, strings, column names, CTE names) stays byte
 * for byte. An unqualified `from` matches the last part of a qualified
 * reference (which keeps its catalog and database); a qualified `from`
 * matches the whole name. Result appended to out. PC_EPARSE when the SQL
 * does not parse, PC_EINVALID on an empty name.
 */
int pc_sql_rename_table(pc_buf *out, const char *text, size_t len, const char *from, const char *to);
/* The same for n pairs at once (from[i] -> to[i]); the first pair naming a reference wins. */
int pc_sql_rename_tables(pc_buf *out, const char *text, size_t len, const char *const *from,
			 const char *const *to, size_t n);

#endif
