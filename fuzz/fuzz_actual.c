/*
 * fuzz_actual.c - a statement list body (as the confluent provider reads
 * each page) made into the compact actual-state snapshot as it is parsed
 * (pc_cfjson_statement_each() into pc_actual_statement_sink()), then indexed
 * and read the ways the planner and status read it: every statement found
 * by its name, every table's current DML, adoption of an unmanaged statement.
 */
#include "providers/confluent_json.h"
#include "reconcile/actual.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pc_actual *a = pc_actual_begin("dev");
	char *next = NULL;
	size_t i;

	pc_cfjson_statement_each((const char *)data, size, pc_actual_statement_sink, a, &next);
	free(next);
	pc_error_clear();
	pc_actual_end(a, NULL);
	for (i = 0; i < a->stmts.len; i++) {
		const pc_actual_stmt *s = a->stmts.items[i];
		if (!s->st->name || pc_actual_stmt_get(a, s->st->name) == NULL)
			abort(); /* every statement is found by its name */
		if (s->st->properties.len && !pc_kv_get(&s->st->properties,
							 ((const pc_kv *)s->st->properties.items[0])->key))
			abort();
	}
	for (i = 0; i < a->tables.len; i++) {
		const pc_actual_table *t = a->tables.items[i];
		if (pc_actual_table_get(a, t->name) != t)
			abort();
		if (t->dml && t->ph != t->dml->st->ph)
			abort();
	}
	for (i = 0; i < a->stmts.len; i++) {
		const pc_actual_stmt *s = a->stmts.items[i];
		/* (a name listed twice is found as either statement: the API's names are unique) */
		if (!s->managed && pc_actual_stmt_get(a, s->st->name) == s) {
			if (pc_actual_adopt(a, s->st->name, "adopted_table", PC_NAME_DML) != 0)
				abort();
			if (!pc_actual_table_get(a, "adopted_table"))
				abort();
			break;
		}
	}
	pc_error_clear();
	pc_actual_free(a);
	return 0;
}
