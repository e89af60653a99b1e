/*
 * journal.h - the intent of a run, kept in the target (docs/reconcile.md,
 * "Finishing what a crash left"; docs/reconcile.md, "Interruption").
 *
 * Before its first action, apply creates one statement
 *
 *     <prefix-slug>-pc-journal-<hash8>
 *
 * whose immutable SQL text (`SHOW TABLES` and a comment holding JSON)
 * records every action of the plan and every statement name the plan gives
 * out, with what it is for (kind, table, content fingerprint). A run that
 * ends with every action done deletes its journal and every journal it read.
 * A run that dies leaves it; the next plan (on any machine: the journal is
 * read with the other statements) reads it and gives the same names to the
 * same statements, so the executor's idempotent steps adopt what the
 * interrupted run created or left in flight instead of creating, dropping
 * or racing it a second time. Only create, delete, name uniqueness and the
 * immutable SQL text are relied on: no label, no update.
 *
 * Pure (no I/O): encoding and parsing only.
 */
#ifndef PC_RECONCILE_JOURNAL_H
#define PC_RECONCILE_JOURNAL_H

#include "../model/naming.h"
#include "../util/vec.h"

/* One statement name a journaled plan gave out. */
typedef struct pc_journal_name {
	pc_name_kind kind;  /* ddl (also DROP VIEW: its label says drop), dml, drop */
	char *table;
	char *fp;           /* pipectl-fp of the statement ("" when none) */
	char *statement;
} pc_journal_name;

/* One action of a journaled plan. */
typedef struct pc_journal_action {
	char *table;
	char *kind;         /* pc_action_kind_str() */
	char *dml;          /* the DML statement the action leaves current, or NULL */
} pc_journal_action;

typedef struct pc_journal {
	char *statement;    /* the journal statement's name */
	char *created_at;   /* the plan's created_at */
	pc_vec actions;     /* pc_journal_action * */
	pc_vec names;       /* pc_journal_name * */
} pc_journal;

void pc_journal_free(void *j);

/* 1 when name is a journal statement under prefix. */
int pc_journal_is_name(const char *prefix, const char *name);
/* A journal statement name for prefix, unique by seed (any text). Owned. */
char *pc_journal_make_name(const char *prefix, const char *seed);

/* Mark in SQL text: what pc_journal_parse() looks for. */
#define PC_JOURNAL_MARK "pipectl-journal "

/*
 * Parse the SQL text of journal statement `statement`. PC_EPARSE with one
 * line naming the statement when the text is not a journal pipectl wrote.
 */
int pc_journal_parse(pc_journal **out, const char *statement, const char *sql);

/*
 * Encoding side: start a journal, add actions and names, then render the
 * SQL (owned). The JSON escapes '/', so the comment cannot end early.
 */
pc_journal *pc_journal_new(const char *statement, const char *created_at);
void pc_journal_add_action(pc_journal *j, const char *table, const char *kind, const char *dml);
void pc_journal_add_name(pc_journal *j, pc_name_kind kind, const char *table, const char *fp,
			 const char *statement);
char *pc_journal_sql(const pc_journal *j);

#endif
