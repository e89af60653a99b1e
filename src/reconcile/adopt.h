/*
 * adopt.h - taking over statements pipectl did not create (docs/reconcile.md,
 * docs/migrating-from-shift-left.md).
 *
 * Labels are never relied on (Confluent does not change them after create):
 * which table an unmanaged statement writes is read from its SQL with the
 * model's analyzer. An adoption is recorded in git, table.yaml
 * `adopt: <statement>`, so the tree stays the only truth; pc_adopt_mark()
 * applies those keys to a snapshot, after which the adopted statement is the
 * table's current DML for the planner, status and apply alike.
 */
#ifndef PC_RECONCILE_ADOPT_H
#define PC_RECONCILE_ADOPT_H

#include "../model/project.h"
#include "actual.h"
#include "plan.h"

/* An unmanaged statement and the table its SQL writes (or, for a DDL, creates). */
typedef struct pc_adopt_writer {
	const pc_actual_stmt *s; /* borrowed from the snapshot */
	char *table;             /* base table name, owned */
} pc_adopt_writer;

/* Every unmanaged statement of a snapshot, by what its SQL writes. */
typedef struct pc_adopt_scan {
	pc_vec writers; /* pc_adopt_writer *, owned: DMLs that may write (live, STOPPED/STOPPING, unknown phase) */
	pc_vec ddls;    /* pc_adopt_writer *, owned: CREATE TABLE / VIEW statements (not CTAS), newest first */
	pc_vec skipped; /* char *, owned: "statement 'x': its SQL cannot be analyzed (...)": skipped */
} pc_adopt_scan;

/* Analyze every unmanaged statement of a (never fails except on bad arguments). */
int pc_adopt_scan_build(pc_adopt_scan **out, const pc_actual *a);
void pc_adopt_scan_free(pc_adopt_scan *s);
/* The unmanaged writers of table (pc_adopt_writer *, borrowed) pushed to out. */
void pc_adopt_writers_of(const pc_adopt_scan *s, const char *table, pc_vec *out);
/* The newest unmanaged statement that created table, or NULL. */
const pc_adopt_writer *pc_adopt_ddl_of(const pc_adopt_scan *s, const char *table);

/*
 * Apply the project's `adopt:` keys to the snapshot (pc_actual_adopt()):
 * the named statement becomes the table's DML, and the unmanaged statement
 * that created the table (when one is left) its DDL. A key naming a statement
 * that no longer exists is an error unless pipectl has replaced it since
 * (the table has a DML of pipectl's own: the key is stale, harmless).
 * Errors (one line, naming table.yaml:line and the statement): the statement
 * is gone, its SQL cannot be analyzed, it writes another table.
 */
int pc_adopt_mark(pc_actual *a, const pc_project *proj);

/* What `pipectl import` finds for one desired table. */
typedef enum pc_adopt_verdict {
	PC_ADOPT_TAKE = 0,  /* an unmanaged writer to adopt */
	PC_ADOPT_ALREADY,   /* table.yaml adopts it already */
	PC_ADOPT_OWN,       /* pipectl's own DML writes it: nothing to adopt */
	PC_ADOPT_NONE,      /* no statement writes it */
} pc_adopt_verdict;

typedef struct pc_adoption {
	const pc_table *t;             /* borrowed */
	pc_adopt_verdict verdict;
	const pc_actual_stmt *dml;     /* the writer (TAKE, ALREADY, OWN), borrowed */
	const pc_actual_stmt *ddl;     /* the unmanaged DDL statement that created it, or NULL */
	int topic_exists;
	char *why;                     /* owned: "fingerprint equal" or the differences left ("SQL differs; ...") */
	char *ddl_note;                /* owned: what is known of the table's DDL */
} pc_adoption;

void pc_adoption_free(void *p);

/*
 * For every table of proj selected by sels (all when n == 0) that has a DML,
 * the adoption found in snapshot a (marked by pc_adopt_mark() already) with
 * scan (of the same snapshot). out receives pc_adoption * (owned).
 * Two unmanaged statements writing one table: error naming both.
 */
int pc_adopt_find(pc_vec *out, const pc_project *proj, const pc_actual *a, const pc_adopt_scan *scan,
		  const char *const *sels, size_t n);

/*
 * Record the adoption in t's table.yaml (created when absent): the key
 * `adopt: stmt` replaced or added; other keys and comments are kept as
 * written. The file is parsed again afterwards (a table.yaml that does not
 * load is never written).
 */
int pc_adopt_write(const pc_project *proj, const pc_table *t, const char *stmt);

/*
 * Never a second writer (docs/reconcile.md): error when the plan starts a DML on
 * a table that an unmanaged, not adopted statement may be writing, naming
 * that statement and `pipectl import TABLE --write`. A table of the plan
 * that such a statement writes while pipectl starts nothing on it gets a
 * warning in plan->warnings saying the same.
 */
int pc_adopt_check_plan(pc_plan *plan, const pc_actual *a);

#endif
