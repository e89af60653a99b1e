/*
 * The analyzer on a corpus of real Flink SQL (tests/fixtures/flink_sql): every
 * file parses, every statement gets the kind its first line lists, and the
 * reads and stateful operators listed are exactly the ones found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/sql.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of "-- key: value" in the file's leading comment lines, or NULL (owned). */
static char *header(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;
	while (strncmp(p, "-- ", 3) == 0) {
		const char *nl = strchr(p, '\n');
		if (strncmp(p + 3, key, kl) == 0 && p[3 + kl] == ':') {
			const char *v = p + 3 + kl + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)((nl ? nl : v + strlen(v)) - v));
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

/* Append s to b (sep between) unless already there. */
static void add_unique(pc_buf *b, const char *sep, const char *s)
{
	char *seen = strndup(b->ptr ? b->ptr : "", b->len);
	int found = 0;
	for (char *tok = strtok(seen, "|"); tok && !found; tok = strtok(NULL, "|")) {
		while (*tok == ' ')
			tok++;
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = '\0';
		found = strcmp(tok, s) == 0;
	}
	free(seen);
	if (found)
		return;
	if (b->len)
		pc_buf_puts(b, sep);
	pc_buf_puts(b, s);
}

static void check_file(const char *dir, const char *name)
{
	char *path = pc_path_join(dir, name), *text = NULL, *kinds, *reads, *stateful;
	size_t len = 0;
	pc_sql_file *f = NULL;
	pc_buf k = PC_BUF_INIT, r = PC_BUF_INIT, s = PC_BUF_INIT;

	assert_int_equal(pc_fs_read(&text, &len, path), 0);
	if (pc_sql_analyze(&f, name, text, len) != 0) {
		fprintf(stderr, "%s: %s\n", name, pc_error_last());
		fail();
	}
	for (size_t i = 0; i < f->stmts.len; i++) {
		const pc_sql_stmt *st = f->stmts.items[i];
		if (k.len)
			pc_buf_putc(&k, ' ');
		pc_buf_puts(&k, pc_stmt_kind_name(st->kind));
		for (size_t j = 0; j < st->reads.len; j++)
			add_unique(&r, " | ", pc_sql_base_name(st->reads.items[j]));
		for (size_t j = 0; j < st->reasons.len; j++)
			add_unique(&s, " | ", ((pc_state_reason *)st->reasons.items[j])->op);
	}
	kinds = header(text, "kinds");
	reads = header(text, "reads");
	stateful = header(text, "stateful");
	assert_non_null(kinds);
	fprintf(stderr, "%s\n  kinds: %s\n  reads: %s\n  stateful: %s\n", name, k.ptr ? k.ptr : "",
		r.ptr ? r.ptr : "", s.ptr ? s.ptr : "");
	assert_string_equal(k.ptr ? k.ptr : "", kinds);
	assert_string_equal(r.ptr ? r.ptr : "", reads ? reads : "");
	assert_string_equal(s.ptr ? s.ptr : "", stateful ? stateful : "");
	free(kinds);
	free(reads);
	free(stateful);
	pc_buf_dispose(&k);
	pc_buf_dispose(&r);
	pc_buf_dispose(&s);
	pc_sql_file_free(f);
	free(text);
	free(path);
}

static void test_sql_corpus__real_flink_sql_parses_and_is_classified(void **state)
{
	char *dir = pc_path_join(PC_SOURCE_DIR, "tests/fixtures/flink_sql");
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0) {
			check_file(dir, e->d_name);
			n++;
		}
	}
	closedir(d);
	free(dir);
	assert_true(n >= 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_corpus__real_flink_sql_parses_and_is_classified),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
