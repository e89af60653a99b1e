/*
 * journal.h - the intent of a run, kept in the target (docs/reconcile.md,
 * "Finishing what a crash left"; docs/reconcile.md, "Interruption").
 *
 * Before its first action, apply creates the statements
 *
 *     <prefix-slug>-pc-journal-<hash8>-<i>-of-<n>     (i = 1 .. n)
 *
 * whose immutable SQL texts (`SHOW TABLES` and a comment holding JSON)
 * together record every action of the plan and every statement name the
 * plan gives out, with what it is for (kind, table, content fingerprint).
 * One statement's SQL is capped by the service, so a large plan's journal
 * is split into n parts of at most PC_JOURNAL_PART_MAX bytes; each part
 * names its run (the common "<prefix-slug>-pc-journal-<hash8>"), its index
 * and the count. Every part is written before the first action, so a run
 * whose parts are not all there (killed while writing them, or while a
 * finished run deleted them) started no action: its intent is ignored and
 * its parts are deleted (pc_journal_join()). A run that ends with every
 * action done deletes its parts and every journal it read. A run that dies
 * leaves them; the next plan (on any machine: the journal is read with the
 * other statements) reads it and gives the same names to the same
 * statements, so the executor's idempotent steps adopt what the interrupted
 * run created or left in flight instead of creating, dropping or racing it
 * a second time. Only create, delete, name uniqueness and the immutable SQL
 * text are relied on: no label, no update.
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
	char *statement;    /* the (first) journal statement's name */
	char *run;          /* the run: what its parts share */
	char *created_at;   /* the plan's created_at */
	int part, parts;    /* a parsed part: its index (1-based) and the count; a joined journal: 0, n */
	pc_vec statements;  /* char *: every part's statement name (a joined journal: all n, by index) */
	pc_vec actions;     /* pc_journal_action * */
	pc_vec names;       /* pc_journal_name * */
} pc_journal;

/*
 * The most bytes of SQL one journal statement holds. Confluent takes at most
 * 131,072 characters of `spec.statement` (sql/v1 API: maxLength 131072; the
 * emulator enforces it); a part stays at half that, and counts bytes, which
 * are never fewer than characters.
 */
#define PC_JOURNAL_PART_MAX 65536

void pc_journal_free(void *j);

/* 1 when name is a journal statement under prefix. */
int pc_journal_is_name(const char *prefix, const char *name);
/* A run's name (what its parts' names start with) for prefix, unique by seed (any text). Owned. */
char *pc_journal_make_name(const char *prefix, const char *seed);
/* The statement name of part `part` of `parts` of run (pc_journal_make_name()). Owned. */
char *pc_journal_part_name(const char *run, int part, int parts);

/* Mark in SQL text: what pc_journal_parse() looks for. */
#define PC_JOURNAL_MARK "pipectl-journal "

/*
 * Parse the SQL text of journal statement `statement`: one part (a journal
 * of an older pipectl, not split, reads as part 1 of 1 of its own run).
 * PC_EPARSE with one line naming the statement when the text is not a
 * journal pipectl wrote.
 */
int pc_journal_parse(pc_journal **out, const char *statement, const char *sql);

/*
 * Join parsed parts (pc_journal *, taken: `parts` is left empty) into the
 * journals of the runs whose parts are all present, in the order each run
 * first appears in `parts` (whole: pc_journal *, owned, statements by
 * index). The statement names of the parts of runs not all present go to
 * `leftover` (char *, owned): those runs started no action. PC_EPARSE (one
 * line naming the run) when parts of one run disagree (count, created_at)
 * or one index comes twice: not what pipectl writes.
 */
int pc_journal_join(pc_vec *parts, pc_vec *whole, pc_vec *leftover);

/*
 * Encoding side: start a journal, add actions and names, then render the
 * SQL of its parts (pc_journal_sql_parts()). The JSON escapes '/', so the
 * comment cannot end early.
 */
pc_journal *pc_journal_new(const char *statement, const char *created_at);
void pc_journal_add_action(pc_journal *j, const char *table, const char *kind, const char *dml);
void pc_journal_add_name(pc_journal *j, pc_name_kind kind, const char *table, const char *fp,
			 const char *statement);
/*
 * The SQL of j's parts for run, each at most `max` bytes (PC_JOURNAL_PART_MAX
 * outside tests), in index order, into out (char *, owned; at least one).
 * PC_EINVALID naming the table when one record alone does not fit.
 */
int pc_journal_sql_parts(pc_vec *out, const pc_journal *j, const char *run, size_t max);

#endif
