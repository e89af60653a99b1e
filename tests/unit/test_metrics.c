/* Unit tests for src/reconcile/metrics.c: the loop's HTTP endpoint, fetched with libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/metrics.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/map.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fetching ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	pc_buf_put(ud, p, size * n);
	return size * n;
}

/* GET (or another method) http://127.0.0.1:port/path; returns the status. */
static long fetch(int port, const char *method, const char *path, pc_buf *body, char **content_type)
{
	CURL *c = curl_easy_init();
	char url[128];
	long status = 0;
	char *ct = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	if (content_type)
		*content_type = pc_strdup(ct);
	curl_easy_cleanup(c);
	return status;
}

/* ---- a small parser of the exposition format ---- */

typedef struct exposition {
	pc_map types;    /* family -> "counter" | "gauge" | "histogram" (owned char *) */
	pc_map samples;  /* "name{labels}" -> double * */
} exposition;

/* The family a sample belongs to: histogram series drop _bucket/_sum/_count. */
static char *family_of(const exposition *x, const char *name)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	if (pc_map_has(&x->types, name))
		return pc_strdup(name);
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(name), s = strlen(sfx[i]);
		if (n > s && strcmp(name + n - s, sfx[i]) == 0) {
			char *base = pc_strndup(name, n - s);
			const char *t = pc_map_get(&x->types, base);
			if (t && strcmp(t, "histogram") == 0)
				return base;
			free(base);
		}
	}
	return NULL;
}

/* Parse strictly: every sample belongs to a family declared by # TYPE before it. */
static void parse_exposition(exposition *x, const char *text)
{
	const char *p = text;

	pc_map_init(&x->types);
	pc_map_init(&x->samples);
	while (*p) {
		const char *nl = strchr(p, '\n');
		char *line;
		assert_non_null(nl); /* every line ends with \n */
		line = pc_strndup(p, (size_t)(nl - p));
		p = nl + 1;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[128], type[32];
			assert_int_equal(sscanf(line + 7, "%127s %31s", name, type), 2);
			assert_false(pc_map_has(&x->types, name)); /* declared once */
			pc_map_put(&x->types, name, pc_strdup(type));
		} else if (strncmp(line, "# HELP ", 7) == 0) {
			/* free text */
		} else {
			char *sp = strrchr(line, ' ');
			char *end, *fam, *key;
			double *v = pc_malloc(sizeof(*v));
			size_t name_len;
			assert_non_null(sp);
			*v = strtod(sp + 1, &end);
			assert_true(*end == '\0' && end != sp + 1);
			key = pc_strndup(line, (size_t)(sp - line));
			name_len = strcspn(key, "{");
			for (size_t i = 0; i < name_len; i++)
				assert_true((key[i] >= 'a' && key[i] <= 'z') || key[i] == '_' || (key[i] >= '0' && key[i] <= '9'));
			if (key[name_len])
				assert_int_equal(key[strlen(key) - 1], '}');
			char *name = pc_strndup(key, name_len);
			fam = family_of(x, name);
			assert_non_null(fam);
			assert_int_equal(strncmp(fam, "pipectl_", 8), 0);
			assert_false(pc_map_has(&x->samples, key)); /* no duplicate series */
			pc_map_put(&x->samples, key, v);
			free(fam);
			free(name);
			free(key);
		}
		free(line);
	}
}

static void exposition_dispose(exposition *x)
{
	pc_map_dispose(&x->types, free);
	pc_map_dispose(&x->samples, free);
}

static double sample(const exposition *x, const char *key)
{
	double *v = pc_map_get(&x->samples, key);
	if (!v)
		fail_msg("series '%s' missing", key);
	return *v;
}

static const char *type_of(const exposition *x, const char *fam)
{
	const char *t = pc_map_get(&x->types, fam);
	if (!t)
		fail_msg("family '%s' not declared", fam);
	return t;
}

/* ---- fixture: a server on a free port ---- */

static int setup(void **state)
{
	pc_metrics *m = pc_metrics_new();
	assert_int_equal(pc_metrics_listen(m, "127.0.0.1:0"), 0);
	assert_true(pc_metrics_port(m) > 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	pc_metrics_free(*state);
	return 0;
}

static void test_metrics__healthz_is_always_ok(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	assert_int_equal(fetch(pc_metrics_port(m), "GET", "/healthz", &b, NULL), 200);
	assert_string_equal(b.ptr, "ok\n");
	pc_buf_dispose(&b);
}

static void test_metrics__readyz_follows_whether_the_last_cycle_reached_the_apis(void **state)
{
	pc_metrics *m = *state;
	int port = pc_metrics_port(m);
	pc_buf b = PC_BUF_INIT;

	assert_int_equal(fetch(port, "GET", "/readyz", &b, NULL), 503);
	assert_non_null(strstr(b.ptr, "no cycle"));
	pc_buf_clear(&b);
	pc_metrics_cycle(m, "success", 0.2, 1, NULL);
	assert_int_equal(fetch(port, "GET", "/readyz", &b, NULL), 200);
	pc_buf_clear(&b);
	pc_metrics_cycle(m, "error", 0.2, 0, "confluent: http 503: service unavailable");
	assert_int_equal(fetch(port, "GET", "/readyz", &b, NULL), 503);
	assert_non_null(strstr(b.ptr, "http 503"));
	assert_false(pc_metrics_ready(m));
	pc_buf_dispose(&b);
}

static void test_metrics__exposition_has_every_family_with_its_type_and_values(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	exposition x;
	char *ct = NULL;
	static const char *const phases[] = { "RUNNING", "FAILED" };
	static const uint64_t counts[] = { 12, 1 };
	pc_metrics_gauges g = { 12, 2, 1, 3, 4, phases, counts, 2, 5 };
	uint64_t api[6] = { 1, 0, 40, 0, 2, 5 };

	pc_metrics_cycle(m, "success", 0.3, 1, NULL);
	pc_metrics_cycle(m, "success", 7.0, 1, NULL);
	pc_metrics_cycle(m, "failed", 400.0, 1, NULL);
	pc_metrics_action(m, "create", "ok", 3);
	pc_metrics_action(m, "rebuild", "held", 1);
	pc_metrics_action(m, "create", "ok", 1);
	pc_metrics_set_gauges(&*m, &g);
	pc_metrics_add_api_requests(m, api);
	pc_metrics_add_api_requests(m, api);

	assert_int_equal(fetch(pc_metrics_port(m), "GET", "/metrics", &b, &ct), 200);
	assert_non_null(strstr(ct, "text/plain"));
	assert_non_null(strstr(ct, "version=0.0.4"));
	parse_exposition(&x, b.ptr);

	assert_string_equal(type_of(&x, "pipectl_cycles_total"), "counter");
	assert_string_equal(type_of(&x, "pipectl_cycle_duration_seconds"), "histogram");
	assert_string_equal(type_of(&x, "pipectl_actions_total"), "counter");
	assert_string_equal(type_of(&x, "pipectl_tables"), "gauge");
	assert_string_equal(type_of(&x, "pipectl_held_destructive_actions"), "gauge");
	assert_string_equal(type_of(&x, "pipectl_statements"), "gauge");
	assert_string_equal(type_of(&x, "pipectl_last_success_timestamp_seconds"), "gauge");
	assert_string_equal(type_of(&x, "pipectl_api_requests_total"), "counter");

	assert_true(sample(&x, "pipectl_cycles_total{result=\"success\"}") == 2);
	assert_true(sample(&x, "pipectl_cycles_total{result=\"failed\"}") == 1);
	assert_true(sample(&x, "pipectl_cycles_total{result=\"invalid\"}") == 0);
	assert_true(sample(&x, "pipectl_actions_total{action=\"create\",result=\"ok\"}") == 4);
	assert_true(sample(&x, "pipectl_actions_total{action=\"rebuild\",result=\"held\"}") == 1);
	assert_true(sample(&x, "pipectl_tables{state=\"in_sync\"}") == 12);
	assert_true(sample(&x, "pipectl_tables{state=\"out_of_sync\"}") == 2);
	assert_true(sample(&x, "pipectl_tables{state=\"degraded\"}") == 1);
	assert_true(sample(&x, "pipectl_tables{state=\"held\"}") == 3);
	assert_true(sample(&x, "pipectl_held_destructive_actions") == 4);
	assert_string_equal(type_of(&x, "pipectl_tables_green_pending"), "gauge");
	assert_true(sample(&x, "pipectl_tables_green_pending") == 5);
	assert_true(sample(&x, "pipectl_statements{phase=\"RUNNING\"}") == 12);
	assert_true(sample(&x, "pipectl_statements{phase=\"FAILED\"}") == 1);
	assert_true(sample(&x, "pipectl_api_requests_total{code=\"2xx\"}") == 80);
	assert_true(sample(&x, "pipectl_api_requests_total{code=\"5xx\"}") == 10);
	assert_true(sample(&x, "pipectl_api_requests_total{code=\"network_error\"}") == 2);
	assert_true(sample(&x, "pipectl_last_success_timestamp_seconds") > 1.7e9);

	/* histogram: cumulative buckets, +Inf = count, sum of observations */
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_bucket{le=\"0.1\"}") == 0);
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_bucket{le=\"0.5\"}") == 1);
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_bucket{le=\"10\"}") == 2);
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_bucket{le=\"300\"}") == 2);
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_bucket{le=\"+Inf\"}") == 3);
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_count") == 3);
	assert_true(sample(&x, "pipectl_cycle_duration_seconds_sum") > 407.29 &&
		    sample(&x, "pipectl_cycle_duration_seconds_sum") < 407.31);
	{
		double prev = 0;
		char key[96];
		for (int i = 0; i < PC_METRICS_N_BUCKETS; i++) {
			snprintf(key, sizeof(key), "pipectl_cycle_duration_seconds_bucket{le=\"%g\"}", pc_metrics_buckets[i]);
			assert_true(sample(&x, key) >= prev);
			prev = sample(&x, key);
		}
	}
	exposition_dispose(&x);
	free(ct);
	pc_buf_dispose(&b);
}

static void test_metrics__a_phase_that_disappears_reads_zero(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	exposition x;
	static const char *const p1[] = { "FAILED" };
	static const char *const p2[] = { "RUNNING" };
	static const uint64_t one[] = { 1 };
	pc_metrics_gauges g1 = { 0, 0, 0, 0, 0, p1, one, 1, 0 };
	pc_metrics_gauges g2 = { 0, 0, 0, 0, 0, p2, one, 1, 0 };

	pc_metrics_set_gauges(m, &g1);
	pc_metrics_set_gauges(m, &g2);
	pc_metrics_render(m, &b);
	parse_exposition(&x, b.ptr);
	assert_true(sample(&x, "pipectl_statements{phase=\"FAILED\"}") == 0);
	assert_true(sample(&x, "pipectl_statements{phase=\"RUNNING\"}") == 1);
	exposition_dispose(&x);
	pc_buf_dispose(&b);
}

static void test_metrics__label_values_are_escaped(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	pc_metrics_action(m, "we\"ird\\", "ok", 1);
	pc_metrics_render(m, &b);
	assert_non_null(strstr(b.ptr, "pipectl_actions_total{action=\"we\\\"ird\\\\\",result=\"ok\"} 1\n"));
	pc_buf_dispose(&b);
}

static void test_metrics__build_info_names_the_version(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	exposition x;

	pc_metrics_render(m, &b);
	assert_non_null(strstr(b.ptr, "# TYPE pipectl_build_info gauge\n"));
	parse_exposition(&x, b.ptr);
	assert_true(sample(&x, "pipectl_build_info{version=\"" PC_VERSION "\"}") == 1);
	exposition_dispose(&x);
	pc_buf_dispose(&b);
}

static void test_metrics__status_serves_the_json_the_loop_set(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	json_t *j;
	char *ct = NULL;

	assert_int_equal(fetch(pc_metrics_port(m), "GET", "/status", &b, NULL), 200);
	j = json_loads(b.ptr, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "format_version")), "1");
	assert_true(json_is_null(json_object_get(j, "plan")));
	json_decref(j);
	pc_buf_clear(&b);

	pc_metrics_set_status(m, "{\"format_version\":\"1\",\"cycle\":3,\"plan\":{\"actions\":[]}}");
	assert_int_equal(fetch(pc_metrics_port(m), "GET", "/status", &b, &ct), 200);
	assert_string_equal(ct, "application/json");
	j = json_loads(b.ptr, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "cycle")), 3);
	json_decref(j);
	free(ct);
	pc_buf_dispose(&b);
}

static void test_metrics__unknown_path_is_404_and_post_is_405(void **state)
{
	pc_metrics *m = *state;
	pc_buf b = PC_BUF_INIT;
	assert_int_equal(fetch(pc_metrics_port(m), "GET", "/nope", &b, NULL), 404);
	pc_buf_clear(&b);
	assert_int_equal(fetch(pc_metrics_port(m), "POST", "/metrics", &b, NULL), 405);
	pc_buf_dispose(&b);
}

static void test_metrics__bad_listen_addresses_are_usage_errors(void **state)
{
	pc_metrics *m = pc_metrics_new();
	(void)state;
	assert_int_equal(pc_metrics_listen(m, "9090"), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "9090"));
	assert_int_equal(pc_metrics_listen(m, "127.0.0.1:99999"), PC_EUSAGE);
	assert_int_equal(pc_metrics_listen(m, "[::1:80"), PC_EUSAGE);
	assert_int_equal(pc_metrics_port(m), 0);
	pc_metrics_free(m);
}

static void test_metrics__a_port_in_use_is_an_io_error(void **state)
{
	pc_metrics *m = *state;
	pc_metrics *other = pc_metrics_new();
	char addr[64];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", pc_metrics_port(m));
	assert_int_equal(pc_metrics_listen(other, addr), PC_EIO);
	assert_non_null(strstr(pc_error_last(), addr));
	pc_metrics_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_metrics__healthz_is_always_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics__readyz_follows_whether_the_last_cycle_reached_the_apis, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics__exposition_has_every_family_with_its_type_and_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics__a_phase_that_disappears_reads_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics__label_values_are_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics__build_info_names_the_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics__status_serves_the_json_the_loop_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics__unknown_path_is_404_and_post_is_405, setup, teardown),
		cmocka_unit_test(test_metrics__bad_listen_addresses_are_usage_errors),
		cmocka_unit_test_setup_teardown(test_metrics__a_port_in_use_is_an_io_error, setup, teardown),
	};
	int rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
