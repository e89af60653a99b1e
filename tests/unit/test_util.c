/* Unit tests for src/util: buffer, vector, map, kv, hash, fs, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/kv.h"
#include "util/map.h"
#include "util/timeutil.h"
#include "util/vec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static void test_buf__grows_and_stays_terminated(void **state)
{
	pc_buf b = PC_BUF_INIT;
	(void)state;
	assert_string_equal(b.ptr, "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(pc_buf_printf(&b, "%d,", i), 0);
	assert_int_equal(strncmp(b.ptr, "0,1,2,", 6), 0);
	assert_int_equal(b.ptr[b.len], '\0');
	char *s = pc_buf_detach(&b);
	assert_string_equal(b.ptr, "");
	free(s);
}

static void test_buf__cap_refuses_growth_past_max(void **state)
{
	pc_buf b;
	(void)state;
	pc_buf_init(&b, 8);
	assert_int_equal(pc_buf_puts(&b, "12345678"), 0);
	assert_int_equal(pc_buf_putc(&b, '9'), PC_ETOOBIG);
	assert_int_equal(b.len, 8);
	pc_buf_dispose(&b);
}

static void test_buf__json_string_is_escaped(void **state)
{
	pc_buf b = PC_BUF_INIT;
	(void)state;
	pc_buf_put_json_str(&b, "a\"b\\c\n\x01");
	assert_string_equal(b.ptr, "\"a\\\"b\\\\c\\n\\u0001\"");
	pc_buf_clear(&b);
	/* runs of plain characters around escapes, at the start and the end; UTF-8 and DEL as they are */
	pc_buf_put_json_str(&b, "\"lead\tmiddle\r\x1f\x7f\xc3\xa9 end\\");
	assert_string_equal(b.ptr, "\"\\\"lead\\tmiddle\\r\\u001f\x7f\xc3\xa9 end\\\\\"");
	pc_buf_clear(&b);
	pc_buf_put_json_str(&b, "");
	assert_string_equal(b.ptr, "\"\"");
	pc_buf_dispose(&b);
}

static void test_arena__allocations_are_aligned_zeroed_and_kept_apart(void **state)
{
	pc_arena a = PC_ARENA_INIT;
	char *big, *s[2000];
	(void)state;
	for (int i = 0; i < 2000; i++) { /* many blocks' worth */
		char text[32];
		void *p = pc_arena_alloc(&a, (size_t)(i % 40) + 1);
		assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
		for (int k = 0; k < i % 40 + 1; k++)
			assert_int_equal(((unsigned char *)p)[k], 0);
		memset(p, 0xff, (size_t)(i % 40) + 1);
		snprintf(text, sizeof text, "string %d", i);
		s[i] = pc_arena_strdup(&a, text);
	}
	big = pc_arena_alloc(&a, 100000); /* larger than a block */
	memset(big, 'x', 100000);
	for (int i = 0; i < 2000; i++) {
		char text[32];
		snprintf(text, sizeof text, "string %d", i);
		assert_string_equal(s[i], text);
	}
	assert_string_equal(pc_arena_strndup(&a, "abcdef", 3), "abc");
	assert_null(pc_arena_strdup(&a, NULL));
	assert_true(a.used >= 100000);
	assert_true(a.reserved >= a.used);
	pc_arena_dispose(&a);
	assert_int_equal(a.used, 0);
	assert_null(a.blocks);
}

static void test_arena__intern_gives_one_copy_per_value(void **state)
{
	pc_arena a = PC_ARENA_INIT;
	char buf[16] = "RUNNING";
	const char *x, *y;
	(void)state;
	x = pc_arena_intern(&a, buf);
	strcpy(buf, "STOPPED");
	y = pc_arena_intern(&a, "RUNNING");
	assert_ptr_equal(x, y);
	assert_string_equal(x, "RUNNING"); /* a copy, not the caller's buffer */
	assert_ptr_not_equal(pc_arena_intern(&a, buf), x);
	assert_string_equal(pc_arena_intern(&a, ""), "");
	assert_null(pc_arena_intern(&a, NULL));
	pc_arena_dispose(&a);
}

static void test_map__put_get_delete_many(void **state)
{
	pc_map m = PC_MAP_INIT;
	char key[32];
	(void)state;
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		assert_null(pc_map_put(&m, key, (void *)(i + 1)));
	}
	assert_int_equal(m.len, 5000);
	for (long i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "k%ld", i);
		assert_ptr_equal(pc_map_del(&m, key), (void *)(i + 1));
	}
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		if (i % 2)
			assert_ptr_equal(pc_map_get(&m, key), (void *)(i + 1));
		else
			assert_null(pc_map_get(&m, key));
	}
	pc_map_dispose(&m, NULL);
}

static void test_vec__unique_strings_and_sort(void **state)
{
	pc_vec v = PC_VEC_INIT;
	(void)state;
	assert_int_equal(pc_vec_add_str_unique(&v, "b"), 1);
	assert_int_equal(pc_vec_add_str_unique(&v, "a"), 1);
	assert_int_equal(pc_vec_add_str_unique(&v, "b"), 0);
	pc_vec_sort_str(&v);
	assert_string_equal(v.items[0], "a");
	assert_int_equal(pc_vec_find_str(&v, "b"), 1);
	pc_vec_dispose(&v, free);
}

static void test_kv__set_overwrites_and_equal_ignores_order(void **state)
{
	pc_kvlist a = PC_VEC_INIT, b = PC_VEC_INIT;
	(void)state;
	pc_kv_set(&a, "x", "1");
	pc_kv_set(&a, "y", "2");
	pc_kv_set(&a, "x", "3");
	pc_kv_set(&b, "y", "2");
	pc_kv_set(&b, "x", "3");
	assert_string_equal(pc_kv_get(&a, "x"), "3");
	assert_true(pc_kv_equal(&a, &b));
	pc_kv_del(&b, "y");
	assert_false(pc_kv_equal(&a, &b));
	pc_kv_dispose(&a);
	pc_kv_dispose(&b);
}

static void test_hash__same_input_same_hex_and_differs_otherwise(void **state)
{
	pc_hash h1, h2;
	char a[33], b[33];
	(void)state;
	pc_hash_init(&h1);
	pc_hash_update_str(&h1, "INSERT INTO t SELECT 1");
	pc_hash_init(&h2);
	pc_hash_update_str(&h2, "INSERT INTO t SELECT 1");
	pc_hash_hex(&h1, a);
	pc_hash_hex(&h2, b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 32);
	pc_hash_update_str(&h2, "x");
	pc_hash_hex(&h2, b);
	assert_string_not_equal(a, b);
}

static void test_fs__atomic_write_then_read(void **state)
{
	char dir[] = "/tmp/pc_test_fsXXXXXX";
	char *path, *data = NULL;
	size_t len = 0;
	(void)state;
	assert_non_null(mkdtemp(dir));
	path = pc_sprintf("%s/a/b/c.json", dir);
	char *parent = pc_path_dirname(path);
	assert_int_equal(pc_fs_mkdirs(parent), 0);
	assert_int_equal(pc_fs_write_atomic(path, "{}\n", 3), 0);
	assert_int_equal(pc_fs_read(&data, &len, path), 0);
	assert_string_equal(data, "{}\n");
	assert_int_equal(len, 3);
	free(data);
	assert_int_equal(pc_fs_read(&data, &len, "/nonexistent/x"), PC_EIO);
	assert_non_null(strstr(pc_error_last(), "could not read '/nonexistent/x'"));
	unlink(path);
	free(path);
	free(parent);
}

static void test_duration__units(void **state)
{
	int64_t ms;
	(void)state;
	assert_int_equal(pc_parse_duration_ms("60s", &ms), 0);
	assert_int_equal(ms, 60000);
	assert_int_equal(pc_parse_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(pc_parse_duration_ms("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(pc_parse_duration_ms("5", &ms), 0);
	assert_int_equal(ms, 5000);
	assert_int_equal(pc_parse_duration_ms("20d", &ms), 0);
	assert_int_equal(ms, (int64_t)20 * 86400000);
	assert_int_equal(pc_parse_duration_ms("5x", &ms), PC_EUSAGE);
}

static void test_iso8601__parsed_back_to_epoch_ms(void **state)
{
	char ts[40];
	(void)state;
	pc_iso8601(1755735815459, ts, sizeof(ts));
	assert_string_equal(ts, "2025-08-21T00:23:35.459Z");
	assert_int_equal(pc_parse_iso8601_ms(ts), 1755735815459);
	assert_int_equal(pc_parse_iso8601_ms("2025-08-21T00:23:35.45976Z"), 1755735815459);
	assert_int_equal(pc_parse_iso8601_ms("2025-08-21T00:23:35Z"), 1755735815000);
	assert_int_equal(pc_parse_iso8601_ms("yesterday"), 0);
	assert_int_equal(pc_parse_iso8601_ms(""), 0);
	assert_int_equal(pc_parse_iso8601_ms(NULL), 0);
}

static void test_duration__too_long_or_not_a_number_is_refused(void **state)
{
	int64_t ms = 7;
	(void)state;
	assert_int_equal(pc_parse_duration_ms("6777777777777777777777777777777777770s", &ms), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "too long"));
	assert_int_equal(pc_parse_duration_ms("1e300h", &ms), PC_EUSAGE);
	assert_int_equal(pc_parse_duration_ms("inf", &ms), PC_EUSAGE);
	assert_int_equal(pc_parse_duration_ms("nan", &ms), PC_EUSAGE);
	assert_int_equal(pc_parse_duration_ms("nanms", &ms), PC_EUSAGE);
	assert_int_equal(ms, 7);
	assert_int_equal(pc_parse_duration_ms("1000000h", &ms), 0);
	assert_int_equal(ms, (int64_t)3600000 * 1000000);
}

static void test_error__message_is_always_one_line(void **state)
{
	(void)state;
	pc_error_set(PC_EPARSE, "unknown action '%s'", "x\ny\r\tz\x1b[31m");
	assert_string_equal(pc_error_last(), "unknown action 'x y  z [31m'");
	pc_error_wrap("plan file '%s'", "a\nb");
	assert_string_equal(pc_error_last(), "plan file 'a b': unknown action 'x y  z [31m'");
	assert_int_equal(pc_error_last_code(), PC_EPARSE);
}

static void *fail_in_thread(void *arg)
{
	pc_error_state *st = arg;
	pc_error_set(PC_ETIMEOUT, "request timed out after %d ms", 250);
	assert_int_equal(pc_error_save(st), PC_ETIMEOUT);
	assert_string_equal(pc_error_last(), ""); /* moved, not copied */
	return NULL;
}

static void test_error__save_and_restore_carry_an_error_across_threads(void **state)
{
	pc_error_state st = { 0, NULL };
	pthread_t th;
	(void)state;
	pc_error_set(PC_EIO, "this thread's own");
	assert_int_equal(pthread_create(&th, NULL, fail_in_thread, &st), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_string_equal(pc_error_last(), "this thread's own");
	assert_int_equal(pc_error_restore(&st), PC_ETIMEOUT);
	assert_string_equal(pc_error_last(), "request timed out after 250 ms");
	assert_int_equal(pc_error_last_code(), PC_ETIMEOUT);
	assert_null(st.message);
	/* nothing saved: restoring clears */
	pc_error_clear();
	assert_int_equal(pc_error_save(&st), 0);
	assert_null(st.message);
	pc_error_set(PC_EIO, "later");
	assert_int_equal(pc_error_restore(&st), 0);
	assert_string_equal(pc_error_last(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__grows_and_stays_terminated),
		cmocka_unit_test(test_buf__cap_refuses_growth_past_max),
		cmocka_unit_test(test_buf__json_string_is_escaped),
		cmocka_unit_test(test_arena__allocations_are_aligned_zeroed_and_kept_apart),
		cmocka_unit_test(test_arena__intern_gives_one_copy_per_value),
		cmocka_unit_test(test_map__put_get_delete_many),
		cmocka_unit_test(test_vec__unique_strings_and_sort),
		cmocka_unit_test(test_kv__set_overwrites_and_equal_ignores_order),
		cmocka_unit_test(test_hash__same_input_same_hex_and_differs_otherwise),
		cmocka_unit_test(test_fs__atomic_write_then_read),
		cmocka_unit_test(test_duration__units),
		cmocka_unit_test(test_iso8601__parsed_back_to_epoch_ms),
		cmocka_unit_test(test_error__message_is_always_one_line),
		cmocka_unit_test(test_error__save_and_restore_carry_an_error_across_threads),
		cmocka_unit_test(test_duration__too_long_or_not_a_number_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
