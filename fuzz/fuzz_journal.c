/*
 * fuzz_journal.c - the journal reader (pc_journal_parse: the SQL text of a
 * journal statement, read from the target) over arbitrary bytes. A journal
 * that reads is whole (every action has a table and an action, every name a
 * table and a statement) and renders to SQL that reads again into the same
 * journal. One that does not read leaves nothing behind and an error naming
 * the statement.
 */
#include "reconcile/journal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_whole(const pc_journal *j)
{
	for (size_t i = 0; i < j->actions.len; i++) {
		const pc_journal_action *a = j->actions.items[i];
		if (!a->table || !a->kind)
			abort();
	}
	for (size_t i = 0; i < j->names.len; i++) {
		const pc_journal_name *n = j->names.items[i];
		if (!n->table || !n->statement || !n->fp)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = pc_strndup((const char *)data, size);
	pc_journal *j = NULL, *k = NULL;
	char *a, *b;

	if (pc_journal_parse(&j, "dev-pc-journal-fuzz", text) != 0) {
		const char *m = pc_error_last();
		if (j || !m || !strstr(m, "dev-pc-journal-fuzz"))
			abort();
		free(text);
		return 0;
	}
	check_whole(j);
	a = pc_journal_sql(j);
	if (pc_journal_parse(&k, "dev-pc-journal-fuzz", a) != 0)
		abort(); /* what we write we must read */
	check_whole(k);
	b = pc_journal_sql(k);
	if (strcmp(a, b) != 0 || j->actions.len != k->actions.len || j->names.len != k->names.len)
		abort();
	free(a);
	free(b);
	pc_journal_free(j);
	pc_journal_free(k);
	free(text);
	return 0;
}
