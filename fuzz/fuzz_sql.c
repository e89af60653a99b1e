/*
 * fuzz_sql.c - libFuzzer target for the SQL tokenizer, analyzer,
 * fingerprint and rename: any input must give 0 or PC_EPARSE, never a
 * crash, a leak or undefined behaviour; and analysis must agree with
 * the stand-alone fingerprint.
 */
#include "model/sql.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	pc_sql_file *f = NULL;
	pc_buf out = PC_BUF_INIT;
	char fp[33];
	int rc, frc;

	rc = pc_sql_analyze(&f, "fuzz.sql", text, size);
	if (rc != 0 && rc != PC_EPARSE)
		abort();
	frc = pc_sql_fingerprint(fp, text, size);
	if (rc == 0) {
		if (frc != 0 || strcmp(fp, f->fingerprint) != 0)
			abort();
		for (size_t i = 0; i < f->stmts.len; i++) {
			pc_sql_stmt *st = f->stmts.items[i];
			if (st->line < 1 || st->end_line < st->line || st->stateful != (st->reasons.len > 0))
				abort();
			pc_stmt_kind_name(st->kind);
			for (size_t k = 0; k < st->reads.len; k++) {
				pc_sql_base_name(st->reads.items[k]);
				/* every read and write keeps a line inside its statement */
				if (!st->read_lines || st->read_lines[k] < st->line || st->read_lines[k] > st->end_line)
					abort();
				if (strlen(st->reads.items[k]) <= 256 &&
				    pc_sql_edit_distance(st->reads.items[k], st->reads.items[k], 1) != 0)
					abort(); /* longer names are capped at 1000 by design */
			}
			for (size_t k = 0; k < st->writes.len; k++)
				if (!st->write_lines || st->write_lines[k] < st->line || st->write_lines[k] > st->end_line)
					abort();
		}
		/* renaming a table to its own name gives the text back */
		for (size_t i = 0; i < f->stmts.len; i++) {
			pc_sql_stmt *st = f->stmts.items[i];
			const char *name = st->reads.len ? st->reads.items[0] : NULL;
			if (!name || strchr(name, '.'))
				continue;
			if (pc_sql_rename_table(&out, text, size, name, name) != 0)
				abort();
			if (out.len != size || memcmp(out.ptr, text, size) != 0)
				abort();
			break;
		}
		/* several at once (blue/green): every unqualified read and write to itself gives the text back */
		{
			pc_vec names = PC_VEC_INIT;
			for (size_t i = 0; i < f->stmts.len; i++) {
				pc_sql_stmt *st = f->stmts.items[i];
				for (size_t k = 0; k < st->reads.len + st->writes.len; k++) {
					const char *n = k < st->reads.len ? st->reads.items[k] : st->writes.items[k - st->reads.len];
					if (!strchr(n, '.') && pc_vec_find_str(&names, n) < 0)
						pc_vec_push(&names, (void *)n);
				}
			}
			pc_buf_truncate(&out, 0);
			if (names.len) {
				if (pc_sql_rename_tables(&out, text, size, (const char *const *)names.items,
							 (const char *const *)names.items, names.len) != 0)
					abort();
				if (out.len != size || memcmp(out.ptr, text, size) != 0)
					abort();
			}
			pc_vec_dispose(&names, NULL);
		}
	}
	pc_buf_dispose(&out);
	pc_sql_file_free(f);
	return 0;
}
