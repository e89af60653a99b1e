/*
 * cmd_reconcile.c - `pipectl reconcile`: the continuous loop (loop.h,
 * docs/operating.md). Flags here; environment and pipectl.yaml are read by
 * the loop (flags > env > file).
 */
#include "cli.h"

#include "../reconcile/loop.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "--name VALUE" or "--name=VALUE": the value, or NULL when a is not --name. */
static const char *flag_value(const char *name, int argc, char **argv, int *i, int *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	*missing = 0;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static int parse_int(const char *v, int min, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < min || n > 1000000)
		return -1;
	*out = (int)n;
	return 0;
}

int pc_cmd_reconcile(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *self = pc_cli_find("reconcile");
	pc_loop_options o;
	int rc;

	pc_loop_options_unset(&o);
	o.root = cli->root;
	o.config_path = cli->config_path;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;
		int64_t ms;

		if (strcmp(a, "--once") == 0) {
			o.once = 1;
		} else if (strcmp(a, "--git-fetch") == 0) {
			o.git_fetch = 1;
		} else if (strcmp(a, "--allow-destructive") == 0) {
			o.allow_destructive = 1;
		} else if (strcmp(a, "--prune") == 0) {
			o.prune = 1;
		} else if (strcmp(a, "--suspend") == 0) {
			o.suspend = 1;
		} else if ((v = flag_value("--interval", argc, argv, &i, &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--interval needs a duration such as 30s or 5m");
			o.interval_ms = ms;
		} else if ((v = flag_value("--backoff", argc, argv, &i, &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--backoff needs a duration such as 30s");
			o.backoff_base_ms = ms;
		} else if ((v = flag_value("--max-backoff", argc, argv, &i, &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--max-backoff needs a duration such as 15m");
			o.backoff_max_ms = ms;
		} else if ((v = flag_value("--lock-timeout", argc, argv, &i, &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms < 0)
				return pc_cli_usage_error(self, "--lock-timeout needs a duration such as 0s or 2m");
			o.lock_timeout_ms = ms;
		} else if ((v = flag_value("--lock-ttl", argc, argv, &i, &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--lock-ttl needs a duration such as 5m");
			o.lock_ttl_ms = ms;
		} else if ((v = flag_value("--listen", argc, argv, &i, &missing)) || missing) {
			if (missing || !*v)
				return pc_cli_usage_error(self, "--listen needs HOST:PORT");
			o.listen = v;
		} else if ((v = flag_value("--git-ref", argc, argv, &i, &missing)) || missing) {
			if (missing || !*v)
				return pc_cli_usage_error(self, "--git-ref needs a ref (origin/main, HEAD, a commit id)");
			o.git_ref = v;
		} else if ((v = flag_value("--suspend-file", argc, argv, &i, &missing)) || missing) {
			if (missing || !*v)
				return pc_cli_usage_error(self, "--suspend-file needs a path");
			o.suspend_file = v;
		} else if ((v = flag_value("--log-format", argc, argv, &i, &missing)) || missing) {
			if (missing || (strcmp(v, "json") != 0 && strcmp(v, "text") != 0))
				return pc_cli_usage_error(self, "--log-format is text or json");
			o.json_logs = strcmp(v, "json") == 0;
		} else if ((v = flag_value("--parallelism", argc, argv, &i, &missing)) || missing) {
			if (missing || parse_int(v, 1, &o.parallelism) < 0)
				return pc_cli_usage_error(self, "--parallelism needs a number >= 1");
		} else if ((v = flag_value("--degraded-after", argc, argv, &i, &missing)) || missing) {
			if (missing || parse_int(v, 1, &o.degraded_after) < 0)
				return pc_cli_usage_error(self, "--degraded-after needs a number >= 1");
		} else if ((v = flag_value("--jitter", argc, argv, &i, &missing)) || missing) {
			if (missing || parse_int(v, 0, &o.jitter_pct) < 0 || o.jitter_pct > 50)
				return pc_cli_usage_error(self, "--jitter needs a percentage from 0 to 50");
		} else {
			return pc_cli_usage_error(self, "unknown argument '%s' (see 'pipectl reconcile --help')", a);
		}
	}
	o.log = stderr;
	rc = pc_loop_run(&o);
	if (rc < 0) {
		pc_cli_error("%s", pc_error_last());
		return pc_cli_exit_for(rc);
	}
	return PC_EXIT_OK;
}
