/*
 * sim_sql.c - what a statement does in the simulation, from the model's SQL
 * analyzer (pc_sql_analyze): DDL or DML, the table it creates or drops, the
 * topics it reads and writes, the partition count of a new topic.
 */
#include "sim_int.h"

#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/error.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static char *tok_text(const pc_token *t)
{
	if (t->kind == PC_TOK_QIDENT && t->len >= 2)
		return pc_strndup(t->start + 1, t->len - 2);
	return pc_strndup(t->start, t->len);
}

static int is_ident(const pc_token *t)
{
	return t->kind == PC_TOK_WORD || t->kind == PC_TOK_QIDENT;
}

static int is_punct(const pc_token *t, const char *p)
{
	return t->kind == PC_TOK_PUNCT && t->len == strlen(p) && memcmp(t->start, p, t->len) == 0;
}

/* Base name of a (qualified) identifier starting at toks[*i]; advances *i. */
static char *read_name(const pc_token *toks, size_t end, size_t *i)
{
	char *last = NULL;
	while (*i < end && is_ident(&toks[*i])) {
		free(last);
		last = tok_text(&toks[*i]);
		(*i)++;
		if (*i < end && is_punct(&toks[*i], "."))
			(*i)++;
		else
			break;
	}
	return last;
}

static void add_base_names(pc_vec *dst, const pc_vec *src)
{
	for (size_t i = 0; i < src->len; i++)
		pc_vec_add_str_unique(dst, pc_sql_base_name(src->items[i]));
}

/* DROP [TEMPORARY] TABLE [IF EXISTS] name */
static void parse_drop(pc_sim_stmt *st, const pc_token *toks, size_t b, size_t e)
{
	size_t i = b + 1;
	if (i < e && pc_tok_is(&toks[i], "TEMPORARY"))
		i++;
	if (i >= e || !pc_tok_is(&toks[i], "TABLE"))
		return;
	i++;
	if (i + 1 < e && pc_tok_is(&toks[i], "IF") && pc_tok_is(&toks[i + 1], "EXISTS")) {
		st->op_if = 1;
		i += 2;
	}
	st->op_table = read_name(toks, e, &i);
	if (st->op_table) {
		st->op = PC_SIM_OP_DROP;
		free(st->sql_kind);
		st->sql_kind = pc_strdup("DROP_TABLE");
	}
}

/* IF NOT EXISTS anywhere before the name, DISTRIBUTED ... INTO N BUCKETS. */
static void scan_create(pc_sim_stmt *st, const pc_sql_stmt *ss, const pc_token *toks)
{
	for (size_t i = ss->tok_begin; i + 2 < ss->tok_end; i++) {
		if (pc_tok_is(&toks[i], "IF") && pc_tok_is(&toks[i + 1], "NOT") && pc_tok_is(&toks[i + 2], "EXISTS"))
			st->op_if = 1;
		if (is_punct(&toks[i], "("))
			break;
	}
	for (size_t i = ss->tok_begin; i + 2 < ss->tok_end; i++) {
		if (pc_tok_is(&toks[i], "INTO") && toks[i + 1].kind == PC_TOK_NUMBER && pc_tok_is(&toks[i + 2], "BUCKETS")) {
			long n = strtol(toks[i + 1].start, NULL, 10);
			if (n > 0)
				st->op_partitions = n > INT_MAX ? INT_MAX : (int)n;
		}
	}
	for (size_t i = 0; i < ss->with_options.len; i++) {
		pc_kv *kv = ss->with_options.items[i];
		long n = kv->value ? strtol(kv->value, NULL, 10) : 0;
		if (strcmp(kv->key, "kafka.partitions") == 0 && n > 0)
			st->op_partitions = n > INT_MAX ? INT_MAX : (int)n;
	}
	st->op_upsert = ss->upsert;
	if (ss->creates.len > 0)
		st->op_table = pc_strdup(pc_sql_base_name(ss->creates.items[0]));
}

void pc_sim__analyze(pc_sim_stmt *st)
{
	pc_sql_file *f = NULL;
	const pc_sql_stmt *ss = NULL;
	const pc_token *toks;

	st->kind = PC_SIM_KIND_DDL;
	st->op = PC_SIM_OP_NONE;
	if (pc_sql_analyze(&f, "statement", st->sql, strlen(st->sql)) != 0) {
		st->kind = PC_SIM_KIND_INVALID;
		st->sql_kind = pc_strdup("UNKNOWN");
		free(st->detail);
		st->detail = pc_strdup(pc_error_last());
		return;
	}
	for (size_t i = 0; i < f->stmts.len; i++) {
		const pc_sql_stmt *x = f->stmts.items[i];
		if (x->kind != PC_STMT_SET && x->kind != PC_STMT_USE) {
			ss = x;
			break;
		}
	}
	if (!ss && f->stmts.len > 0)
		ss = f->stmts.items[0];
	if (!ss) {
		st->sql_kind = pc_strdup("OTHER");
		goto done;
	}
	toks = f->tokens.toks;
	st->stateful = ss->stateful;
	switch (ss->kind) {
	case PC_STMT_CREATE_TABLE:
		st->sql_kind = pc_strdup("CREATE_TABLE");
		st->op = PC_SIM_OP_CREATE;
		scan_create(st, ss, toks);
		if (!st->op_table)
			st->op = PC_SIM_OP_NONE;
		break;
	case PC_STMT_CREATE_TABLE_AS:
	case PC_STMT_CREATE_MATERIALIZED:
		st->sql_kind = pc_strdup(ss->kind == PC_STMT_CREATE_TABLE_AS ? "CREATE_TABLE_AS"
									 : "CREATE_MATERIALIZED_TABLE");
		st->kind = PC_SIM_KIND_DML;
		st->op = ss->kind == PC_STMT_CREATE_TABLE_AS ? PC_SIM_OP_CTAS : PC_SIM_OP_MATERIALIZED;
		scan_create(st, ss, toks);
		if (!st->op_table)
			st->op = PC_SIM_OP_NONE;
		else
			pc_vec_add_str_unique(&st->writes, st->op_table);
		add_base_names(&st->writes, &ss->writes);
		add_base_names(&st->reads, &ss->reads);
		break;
	case PC_STMT_INSERT:
	case PC_STMT_STATEMENT_SET:
	case PC_STMT_SELECT:
		st->sql_kind = pc_strdup(ss->kind == PC_STMT_INSERT ? "INSERT_INTO"
					 : ss->kind == PC_STMT_SELECT ? "SELECT" : "EXECUTE_STATEMENT_SET");
		st->kind = PC_SIM_KIND_DML;
		add_base_names(&st->writes, &ss->writes);
		add_base_names(&st->reads, &ss->reads);
		break;
	case PC_STMT_DROP:
		st->sql_kind = pc_strdup("DROP");
		parse_drop(st, toks, ss->tok_begin, ss->tok_end);
		break;
	case PC_STMT_CREATE_VIEW:
		st->sql_kind = pc_strdup("CREATE_VIEW");
		break;
	case PC_STMT_CREATE_FUNCTION:
		st->sql_kind = pc_strdup("CREATE_FUNCTION");
		break;
	case PC_STMT_ALTER:
		st->sql_kind = pc_strdup("ALTER_TABLE");
		break;
	case PC_STMT_SET:
		st->sql_kind = pc_strdup("SET");
		break;
	case PC_STMT_USE:
		st->sql_kind = pc_strdup("USE");
		break;
	default:
		st->sql_kind = pc_strdup("OTHER");
		break;
	}
done:
	pc_sql_file_free(f);
}
