/* Unit tests for src/model/config.c: pipectl.yaml keys, defaults, interpolation, overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse(pc_config **c, const char *text)
{
	return pc_config_parse(c, "/proj", "pipectl.yaml", text, strlen(text));
}

static int setup(void **state)
{
	(void)state;
	unsetenv("PIPECTL_TARGET");
	unsetenv("PIPECTL_CONFIG");
	return 0;
}

static void test_config__empty_file_gives_defaults(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, ""), 0);
	assert_string_equal(c->root, "/proj");
	assert_string_equal(c->pipelines, "pipelines");
	assert_string_equal(c->prefix, "dev");
	assert_string_equal(c->target, "local");
	assert_string_equal(c->local_state, ".pipectl/local-state.json");
	assert_null(c->flink.api_secret);
	assert_int_equal(c->pools_create, 0);
	assert_int_equal(c->extra.len, 0);
	pc_config_free(c);
}

static void test_config__every_documented_key_is_read(void **state)
{
	pc_config *c = NULL;
	(void)state;
	const char *y = "pipelines: pl\n"
			"prefix: prod\n"
			"target: confluent\n"
			"local:\n  state: st.json\n"
			"confluent:\n"
			"  organization_id: org-1\n"
			"  environment_id: env-abc\n"
			"  principal: sa-1\n"
			"  flink: {endpoint: https://flink.example, api_key: FK, api_secret: FS,\n"
			"          compute_pool_id: lfcp-1, catalog: envname, database: clustername}\n"
			"  kafka: {endpoint: https://pkc.example, cluster_id: lkc-1, api_key: KK, api_secret: KS}\n"
			"  cloud:\n    endpoint: https://api.confluent.cloud\n    api_key: CK\n    api_secret: CS\n"
			"  compute_pools: {create: true, cloud: AWS, region: us-east-1, max_cfu: 10}\n"
			"reconcile:\n  interval: 30s\n  listen: 127.0.0.1:9000\n  git_ref: origin/main\n"
			"  allow_destructive: yes\n  history: 50\n";
	assert_int_equal(parse(&c, y), 0);
	assert_string_equal(c->pipelines, "pl");
	assert_string_equal(c->prefix, "prod");
	assert_string_equal(c->target, "confluent");
	assert_string_equal(c->local_state, "st.json");
	assert_string_equal(c->organization_id, "org-1");
	assert_string_equal(c->environment_id, "env-abc");
	assert_string_equal(c->principal, "sa-1");
	assert_string_equal(c->flink.endpoint, "https://flink.example");
	assert_string_equal(c->flink.api_key, "FK");
	assert_string_equal(c->flink.api_secret, "FS");
	assert_string_equal(c->flink_compute_pool_id, "lfcp-1");
	assert_string_equal(c->flink_catalog, "envname");
	assert_string_equal(c->flink_database, "clustername");
	assert_string_equal(c->kafka.endpoint, "https://pkc.example");
	assert_string_equal(c->kafka_cluster_id, "lkc-1");
	assert_string_equal(c->kafka.api_key, "KK");
	assert_string_equal(c->kafka.api_secret, "KS");
	assert_string_equal(c->cloud.endpoint, "https://api.confluent.cloud");
	assert_string_equal(c->cloud.api_secret, "CS");
	assert_int_equal(c->pools_create, 1);
	assert_string_equal(c->pools_cloud, "AWS");
	assert_string_equal(c->pools_region, "us-east-1");
	assert_int_equal(c->pools_max_cfu, 10);
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.interval"), "30s");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.listen"), "127.0.0.1:9000");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.git_ref"), "origin/main");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.allow_destructive"), "true");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.history"), "50");
	pc_config_free(c);
}

static void test_config__unknown_key_names_file_line_and_section(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "confluent:\n  flink:\n    endpoint: x\n    api_secrt: y\n"), PC_EINVALID);
	assert_null(c);
	assert_string_equal(pc_error_last(), "pipectl.yaml:4: unknown key 'api_secrt' in 'confluent.flink'");
	assert_int_equal(parse(&c, "prefix: a\npipeline: b\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: unknown key 'pipeline'");
	assert_int_equal(parse(&c, "reconcile:\n  every: 5s\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: unknown key 'every' in 'reconcile'");
}

static void test_config__externals_are_read_and_checked(void **state)
{
	pc_config *c = NULL;
	const pc_external_cfg *x;
	(void)state;
	setenv("PC_TEST_EXT", "raw_payments", 1);
	assert_int_equal(parse(&c, "externals:\n  - name: raw_orders\n    ddl: externals/raw_orders.sql\n"
				   "  - name: cat.db.raw_users\n  - ${PC_TEST_EXT}\n"),
			 0);
	assert_int_equal(c->externals.len, 3);
	x = c->externals.items[0];
	assert_string_equal(x->name, "raw_orders");
	assert_string_equal(x->ddl, "externals/raw_orders.sql");
	assert_int_equal(x->line, 2);
	x = c->externals.items[1];
	assert_null(x->ddl);
	assert_string_equal(((pc_external_cfg *)c->externals.items[2])->name, "raw_payments");
	/* found by full or base name */
	assert_ptr_equal(pc_config_external(c, "raw_users"), x);
	assert_ptr_equal(pc_config_external(c, "cat.db.raw_users"), x);
	assert_null(pc_config_external(c, "raw_user"));
	pc_config_free(c);
	unsetenv("PC_TEST_EXT");

	assert_int_equal(parse(&c, "externals:\n  - name: a\n    dll: a.sql\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:3: unknown key 'dll' in 'externals' (expected name, ddl)");
	assert_int_equal(parse(&c, "externals:\n  - ddl: a.sql\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: an entry of 'externals' needs a name");
	assert_int_equal(parse(&c, "externals:\n  - a\n  - name: a\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:3: external table 'a' is declared twice");
	assert_int_equal(parse(&c, "externals:\n  name: a\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: 'externals' must be a list, not a map");
	assert_int_equal(parse(&c, "externals:\n  - name: a\n    ddl: ../outside.sql\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(),
			    "pipectl.yaml:2: 'externals.ddl' must be a file inside the project, not '../outside.sql'");
	assert_int_equal(parse(&c, "externals:\n  - [a]\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: an entry of 'externals' must be a map (name, ddl), not a list");
	assert_null(c);
}

static void test_config__a_map_where_a_string_is_expected_is_an_error(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "prefix:\n  a: b\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: 'prefix' must be a string, not a map");
	assert_int_equal(parse(&c, "confluent:\n  flink: https://x\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: 'confluent.flink' must be a map, not a string");
	assert_int_equal(parse(&c, "confluent:\n  compute_pools:\n    max_cfu: many\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:3: 'confluent.compute_pools.max_cfu' must be a non-negative integer, not 'many'");
	assert_int_equal(parse(&c, "confluent:\n  compute_pools: {create: maybe}\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: 'confluent.compute_pools.create' must be true or false, not 'maybe'");
	assert_int_equal(parse(&c, "- a\n- b\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:1: the file must be a map of settings, not a list");
	assert_int_equal(parse(&c, "reconcile: {interval: soon}\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:1: 'reconcile.interval' must be a duration such as 60s or 5m, not 'soon'");
	assert_int_equal(parse(&c, "reconcile: {max_backoff: later}\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:1: 'reconcile.max_backoff' must be a duration such as 60s or 5m, not 'later'");
	assert_int_equal(parse(&c, "confluent:\n  poll: {ddl: 2s, dml: 10s, factor: 2}\n"), 0);
	assert_string_equal(pc_kv_get(&c->extra, "confluent.poll.ddl"), "2s");
	assert_string_equal(pc_kv_get(&c->extra, "confluent.poll.factor"), "2");
	pc_config_free(c);
	c = NULL;
	assert_int_equal(parse(&c, "confluent:\n  poll: {factor: 1}\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: 'confluent.poll.factor' must be a number above 1 and at most 4, such as 1.5, not '1'");
	assert_int_equal(parse(&c, "confluent:\n  poll:\n    dml: soon\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:3: 'confluent.poll.dml' must be a duration such as 60s or 5m, not 'soon'");
	assert_int_equal(parse(&c, "reconcile: {renew_ddl_after: 30d}\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:1: 'reconcile.renew_ddl_after' must be shorter than 30d "
					     "(Confluent deletes completed statements 30 days after they end), not '30d'");
	assert_int_equal(parse(&c, "reconcile: {git_fetch: sometimes}\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:1: 'reconcile.git_fetch' must be true or false, not 'sometimes'");
}

static void test_config__every_loop_setting_is_accepted(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "reconcile:\n  git_fetch: true\n  log_format: json\n  suspend: false\n"
				   "  suspend_file: /run/pause\n  prune: true\n  parallelism: 4\n"
				   "  degraded_after: 5\n  jitter: 20\n  backoff: 10s\n  max_backoff: 10m\n"
				   "  lock_timeout: 0s\n  lock_ttl: 2m\n  renew_ddl_after: 25d\n"), 0);
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.lock_ttl"), "2m");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.renew_ddl_after"), "25d");
	assert_int_equal(pc_config_renew_ddl_after_ms(c), (int64_t)25 * 86400000);
	assert_int_equal(pc_config_renew_ddl_after_ms(NULL), PC_RENEW_DDL_AFTER_DEFAULT_MS);
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.git_fetch"), "true");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.log_format"), "json");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.suspend_file"), "/run/pause");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.parallelism"), "4");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.backoff"), "10s");
	assert_string_equal(pc_kv_get(&c->extra, "reconcile.lock_timeout"), "0s");
	pc_config_free(c);
}

static void test_config__duplicate_key_is_an_error(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "prefix: a\nprefix: b\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: duplicate key 'prefix'");
}

static void test_config__syntax_error_has_a_line(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "prefix: dev\nconfluent:\n  flink: {endpoint: x\n"), PC_EPARSE);
	assert_null(c);
	assert_true(strncmp(pc_error_last(), "pipectl.yaml:4: ", 16) == 0);
}

static void test_config__env_vars_are_interpolated_and_dollar_dollar_escapes(void **state)
{
	pc_config *c = NULL;
	(void)state;
	setenv("PC_TEST_SECRET", "s3cr3t", 1);
	setenv("PC_TEST_ENV", "env-42", 1);
	assert_int_equal(parse(&c, "confluent:\n  environment_id: ${PC_TEST_ENV}\n"
				   "  flink: {api_secret: \"${PC_TEST_SECRET}\"}\n"
				   "prefix: a$$b-${PC_TEST_ENV}-$x\n"),
			 0);
	assert_string_equal(c->environment_id, "env-42");
	assert_string_equal(c->flink.api_secret, "s3cr3t");
	assert_string_equal(c->prefix, "a$b-env-42-$x");
	pc_config_free(c);
	unsetenv("PC_TEST_SECRET");
	unsetenv("PC_TEST_ENV");
}

static void test_config__unset_env_var_is_an_error_naming_it(void **state)
{
	pc_config *c = NULL;
	(void)state;
	unsetenv("PC_TEST_NOT_SET");
	assert_int_equal(parse(&c, "prefix: dev\nconfluent:\n  cloud:\n    api_key: ${PC_TEST_NOT_SET}\n"), PC_EINVALID);
	assert_null(c);
	assert_string_equal(pc_error_last(), "pipectl.yaml:4: environment variable 'PC_TEST_NOT_SET' is not set");
	assert_int_equal(parse(&c, "prefix: ${OOPS\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:1: unterminated '${' in '${OOPS'");
}

static void test_config__target_must_be_local_or_confluent(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "prefix: dev\ntarget: aws\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: target must be 'local' or 'confluent', not 'aws'");
}

static void test_config__strategy_is_in_place_or_blue_green(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "prefix: dev\n"), 0);
	assert_false(c->blue_green);
	pc_config_free(c);
	assert_int_equal(parse(&c, "strategy: in-place\n"), 0);
	assert_false(c->blue_green);
	pc_config_free(c);
	assert_int_equal(parse(&c, "prefix: dev\nstrategy: blue-green\n"), 0);
	assert_true(c->blue_green);
	assert_string_equal(c->strategy, "blue-green");
	pc_config_free(c);
	assert_int_equal(parse(&c, "prefix: dev\nstrategy: bluegreen\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml:2: strategy must be 'in-place' or 'blue-green', not 'bluegreen'");
}

static void test_config__pipelines_must_stay_inside_the_project(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "pipelines: /etc\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "pipectl.yaml: 'pipelines' must be a folder inside the project, not '/etc'");
	assert_int_equal(parse(&c, "pipelines: a/../../b\n"), PC_EINVALID);
	assert_int_equal(parse(&c, "pipelines: flink/pipelines\n"), 0);
	pc_config_free(c);
}

static void test_config__pipectl_target_overrides_the_file(void **state)
{
	pc_config *c = NULL;
	(void)state;
	setenv("PIPECTL_TARGET", "confluent", 1);
	assert_int_equal(parse(&c, "target: local\n"), 0);
	assert_string_equal(c->target, "confluent");
	pc_config_free(c);
	setenv("PIPECTL_TARGET", "cloud", 1);
	assert_int_equal(parse(&c, "target: local\n"), PC_EINVALID);
	assert_string_equal(pc_error_last(), "PIPECTL_TARGET: target must be 'local' or 'confluent', not 'cloud'");
	unsetenv("PIPECTL_TARGET");
}

static void test_config__load_finds_root_file_or_pipectl_config_or_defaults(void **state)
{
	char dir[] = "/tmp/pc_cfg_XXXXXX";
	char *f1, *f2;
	pc_config *c = NULL;
	(void)state;
	assert_non_null(mkdtemp(dir));
	/* no file: defaults */
	assert_int_equal(pc_config_load(&c, dir, NULL), 0);
	assert_null(c->path);
	assert_string_equal(c->prefix, "dev");
	pc_config_free(c);
	/* <root>/pipectl.yaml */
	f1 = pc_path_join(dir, "pipectl.yaml");
	assert_int_equal(pc_fs_write_atomic(f1, "prefix: fromroot\n", 17), 0);
	assert_int_equal(pc_config_load(&c, dir, NULL), 0);
	assert_string_equal(c->prefix, "fromroot");
	assert_string_equal(c->path, f1);
	pc_config_free(c);
	/* $PIPECTL_CONFIG wins over the root file */
	f2 = pc_path_join(dir, "other.yaml");
	assert_int_equal(pc_fs_write_atomic(f2, "prefix: fromenv\nbogus: 1\n", 25), 0);
	setenv("PIPECTL_CONFIG", f2, 1);
	assert_int_equal(pc_config_load(&c, dir, NULL), PC_EINVALID);
	{
		char *want = pc_sprintf("%s:2: unknown key 'bogus'", f2);
		assert_string_equal(pc_error_last(), want);
		free(want);
	}
	/* an explicit path wins over $PIPECTL_CONFIG */
	assert_int_equal(pc_config_load(&c, dir, f1), 0);
	assert_string_equal(c->prefix, "fromroot");
	pc_config_free(c);
	unsetenv("PIPECTL_CONFIG");
	/* an explicit path that does not exist is an error */
	assert_true(pc_config_load(&c, dir, "/nonexistent/pipectl.yaml") < 0);
	assert_non_null(strstr(pc_error_last(), "/nonexistent/pipectl.yaml"));
	unlink(f1);
	unlink(f2);
	rmdir(dir);
	free(f1);
	free(f2);
}

static void test_config__secrets_lists_keys_and_secrets(void **state)
{
	pc_config *c = NULL;
	pc_vec v = PC_VEC_INIT;
	(void)state;
	assert_int_equal(parse(&c, "confluent:\n  flink: {api_key: FK, api_secret: FS}\n  kafka: {api_secret: KS}\n"), 0);
	pc_config_secrets(c, &v);
	assert_int_equal(v.len, 3);
	assert_true(pc_vec_find_str(&v, "FK") >= 0);
	assert_true(pc_vec_find_str(&v, "FS") >= 0);
	assert_true(pc_vec_find_str(&v, "KS") >= 0);
	pc_vec_dispose(&v, NULL);
	pc_config_free(c);
}

static void test_config__empty_values_keep_defaults(void **state)
{
	pc_config *c = NULL;
	(void)state;
	assert_int_equal(parse(&c, "prefix:\nconfluent:\nlocal: ~\n"), 0);
	assert_string_equal(c->prefix, "dev");
	assert_string_equal(c->local_state, ".pipectl/local-state.json");
	pc_config_free(c);
}

/* A tree at a commit, in memory: one pipectl.yaml (or none). */
static const char *commit_yaml;

static int mem_kind(pc_source *s, const char *rel)
{
	(void)s;
	return commit_yaml && strcmp(rel, "pipectl.yaml") == 0 ? 2 : 0;
}

static int mem_read(pc_source *s, const char *rel, char **out, size_t *len)
{
	(void)s;
	if (!commit_yaml || strcmp(rel, "pipectl.yaml") != 0)
		return pc_error_set(PC_ENOTFOUND, "no %s", rel);
	*out = pc_strdup(commit_yaml);
	*len = strlen(commit_yaml);
	return 0;
}

static const pc_source_ops mem_ops = { NULL, mem_kind, mem_read, NULL };

static void test_config__find_follows_one_rule(void **state)
{
	char dir[] = "/tmp/pc-test-find-XXXXXX";
	pc_source git = { &mem_ops, NULL, NULL, "0123456789abcdef0123", 1 };
	pc_config *c = NULL;
	char *own, *flag;
	(void)state;
	assert_non_null(mkdtemp(dir));
	own = pc_path_join(dir, "pipectl.yaml");
	flag = pc_path_join(dir, "flag.yaml");
	assert_int_equal(pc_fs_write_atomic(own, "prefix: worktree\n", 17), 0);
	assert_int_equal(pc_fs_write_atomic(flag, "prefix: flag\n", 13), 0);

	/* the working tree's own */
	assert_int_equal(pc_config_find(&c, dir, NULL, NULL), 0);
	assert_string_equal(c->prefix, "worktree");
	pc_config_free(c);
	/* a commit's own, named with the commit in messages */
	commit_yaml = "prefix: committed\n";
	assert_int_equal(pc_config_find(&c, dir, NULL, &git), 0);
	assert_string_equal(c->prefix, "committed");
	pc_config_free(c);
	commit_yaml = "prefix: x\nbogus: 1\n";
	assert_int_equal(pc_config_find(&c, dir, NULL, &git), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "pipectl.yaml@0123456789ab:2"));
	/* a commit without one: the defaults */
	commit_yaml = NULL;
	assert_int_equal(pc_config_find(&c, dir, NULL, &git), 0);
	assert_string_equal(c->prefix, "dev");
	pc_config_free(c);
	/* $PIPECTL_CONFIG over the tree's, the flag over both */
	setenv("PIPECTL_CONFIG", own, 1);
	commit_yaml = "prefix: committed\n";
	assert_int_equal(pc_config_find(&c, dir, NULL, &git), 0);
	assert_string_equal(c->prefix, "worktree");
	pc_config_free(c);
	assert_int_equal(pc_config_find(&c, dir, flag, &git), 0);
	assert_string_equal(c->prefix, "flag");
	pc_config_free(c);
	unsetenv("PIPECTL_CONFIG");

	unlink(own);
	unlink(flag);
	rmdir(dir);
	free(own);
	free(flag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config__empty_file_gives_defaults, setup),
		cmocka_unit_test_setup(test_config__every_documented_key_is_read, setup),
		cmocka_unit_test_setup(test_config__unknown_key_names_file_line_and_section, setup),
		cmocka_unit_test_setup(test_config__a_map_where_a_string_is_expected_is_an_error, setup),
		cmocka_unit_test_setup(test_config__every_loop_setting_is_accepted, setup),
		cmocka_unit_test_setup(test_config__duplicate_key_is_an_error, setup),
		cmocka_unit_test_setup(test_config__syntax_error_has_a_line, setup),
		cmocka_unit_test_setup(test_config__env_vars_are_interpolated_and_dollar_dollar_escapes, setup),
		cmocka_unit_test_setup(test_config__unset_env_var_is_an_error_naming_it, setup),
		cmocka_unit_test_setup(test_config__target_must_be_local_or_confluent, setup),
		cmocka_unit_test_setup(test_config__strategy_is_in_place_or_blue_green, setup),
		cmocka_unit_test_setup(test_config__pipelines_must_stay_inside_the_project, setup),
		cmocka_unit_test_setup(test_config__pipectl_target_overrides_the_file, setup),
		cmocka_unit_test_setup(test_config__load_finds_root_file_or_pipectl_config_or_defaults, setup),
		cmocka_unit_test_setup(test_config__secrets_lists_keys_and_secrets, setup),
		cmocka_unit_test_setup(test_config__empty_values_keep_defaults, setup),
		cmocka_unit_test_setup(test_config__externals_are_read_and_checked, setup),
		cmocka_unit_test_setup(test_config__find_follows_one_rule, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
