/*
 * fuzz_journal.c - the journal reader (pc_journal_parse: the SQL text of a
 * journal statement, read from the target) over arbitrary bytes. A journal
 * that reads is whole (every action has a table and an action, every name a
 * table and a statement) and renders to parts (small ones here, so it is
 * split) that read and join again into the same journal. One that does not read leaves nothing behind and an error naming
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

/* Render j as parts, read them back and join them: one whole journal (owned), or abort. */
static pc_journal *round_trip(const pc_journal *j, pc_vec *sqls)
{
	pc_vec parts = PC_VEC_INIT, whole = PC_VEC_INIT, left = PC_VEC_INIT;
	pc_journal *k;
	for (size_t i = 0; i < sqls->len; i++) {
		pc_journal *p = NULL;
		char *name = pc_journal_part_name(j->run, (int)i + 1, (int)sqls->len);
		if (pc_journal_parse(&p, name, sqls->items[i]) != 0)
			abort(); /* what we write we must read */
		pc_vec_push(&parts, p);
		free(name);
	}
	if (pc_journal_join(&parts, &whole, &left) != 0 || whole.len != 1 || left.len)
		abort();
	k = whole.items[0];
	pc_vec_dispose(&whole, NULL);
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = pc_strndup((const char *)data, size);
	pc_journal *j = NULL, *k = NULL;
	pc_vec a = PC_VEC_INIT, b = PC_VEC_INIT;
	int rc;

	if (pc_journal_parse(&j, "dev-pc-journal-fuzz", text) != 0) {
		const char *m = pc_error_last();
		if (j || !m || !strstr(m, "dev-pc-journal-fuzz"))
			abort();
		free(text);
		return 0;
	}
	check_whole(j);
	/* small parts, so that a fuzzed journal is split too */
	if ((rc = pc_journal_sql_parts(&a, j, j->run, 1024)) != 0) {
		if (rc != PC_EINVALID || a.len)
			abort(); /* only a record too large for a part is refused */
		goto done;
	}
	k = round_trip(j, &a);
	check_whole(k);
	if (pc_journal_sql_parts(&b, k, k->run, 1024) != 0 || a.len != b.len)
		abort();
	for (size_t i = 0; i < a.len; i++)
		if (strlen(a.items[i]) > 1024 || strcmp(a.items[i], b.items[i]) != 0)
			abort();
	if (j->actions.len != k->actions.len || j->names.len != k->names.len)
		abort();
done:
	pc_vec_dispose(&a, free);
	pc_vec_dispose(&b, free);
	pc_journal_free(j);
	pc_journal_free(k);
	free(text);
	return 0;
}
