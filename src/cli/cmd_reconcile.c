/*
 * cmd_reconcile.c - `pipectl reconcile`: the continuous loop (loop.h,
 * docs/operating.md). Flags here; environment and pipectl.yaml are read by
 * the loop (flags > env > file). The process is the command's: the signal
 * handlers, the seed of the interval's jitter and where the log lines go.
 */
#include "args.h"
#include "cli.h"

#include "../reconcile/loop.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the process: signals and the log sink ---- */

static volatile sig_atomic_t g_stop;   /* SIGTERM/SIGINT count, up to 2 */
static volatile sig_atomic_t g_reload; /* SIGHUP seen */

static void on_stop(int sig)
{
	(void)sig;
	if (g_stop < 2)
		g_stop++;
}

static void on_hup(int sig)
{
	(void)sig;
	g_reload = 1;
}

static void install_signals(struct sigaction *old_term, struct sigaction *old_int, struct sigaction *old_hup)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: sleeps and waits wake up */
	sigaction(SIGTERM, &sa, old_term);
	sigaction(SIGINT, &sa, old_int);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, old_hup);
	signal(SIGPIPE, SIG_IGN);
}

/* One write per line, flushed: the lines of several threads never interleave. */
static void log_line(void *ctx, const char *line, size_t len)
{
	FILE *out = ctx;
	fwrite(line, 1, len, out);
	fflush(out);
}

/* "--name VALUE" or "--name=VALUE": the value, or NULL (*missing set when it is --name without a value). */
static const char *flag_value(pc_args *args, const char *name, int *missing)
{
	int m = pc_args_value(args, name);
	*missing = m < 0;
	return m > 0 ? args->value : NULL;
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
	pc_args args = PC_ARGS_INIT(argc, argv);
	struct sigaction old_term, old_int, old_hup;
	int rc;

	pc_loop_options_unset(&o);
	o.root = cli->root;
	o.config_path = cli->config_path;
	while (pc_args_next(&args)) {
		const char *a = args.arg, *v;
		int missing = 0;
		int64_t ms;

		if (pc_args_flag(&args, "--once", NULL)) {
			o.once = 1;
		} else if (pc_args_flag(&args, "--git-fetch", NULL)) {
			o.git_fetch = 1;
		} else if (pc_args_flag(&args, "--allow-destructive", NULL)) {
			o.allow_destructive = 1;
		} else if (pc_args_flag(&args, "--auto-promote", NULL)) {
			o.auto_promote = 1;
		} else if (pc_args_flag(&args, "--prune", NULL)) {
			o.prune = 1;
		} else if (pc_args_flag(&args, "--suspend", NULL)) {
			o.suspend = 1;
		} else if ((v = flag_value(&args, "--interval", &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--interval needs a duration such as 30s or 5m");
			o.interval_ms = ms;
		} else if ((v = flag_value(&args, "--backoff", &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--backoff needs a duration such as 30s");
			o.backoff_base_ms = ms;
		} else if ((v = flag_value(&args, "--max-backoff", &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--max-backoff needs a duration such as 15m");
			o.backoff_max_ms = ms;
		} else if ((v = flag_value(&args, "--lock-timeout", &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms < 0)
				return pc_cli_usage_error(self, "--lock-timeout needs a duration such as 0s or 2m");
			o.lock_timeout_ms = ms;
		} else if ((v = flag_value(&args, "--lock-ttl", &missing)) || missing) {
			if (missing || pc_parse_duration_ms(v, &ms) < 0 || ms <= 0)
				return pc_cli_usage_error(self, "--lock-ttl needs a duration such as 5m");
			o.lock_ttl_ms = ms;
		} else if ((v = flag_value(&args, "--listen", &missing)) || missing) {
			if (missing || !*v)
				return pc_cli_usage_error(self, "--listen needs HOST:PORT");
			o.listen = v;
		} else if ((v = flag_value(&args, "--git-ref", &missing)) || missing) {
			if (missing || !*v)
				return pc_cli_usage_error(self, "--git-ref needs a ref (origin/main, HEAD, a commit id)");
			o.git_ref = v;
		} else if ((v = flag_value(&args, "--suspend-file", &missing)) || missing) {
			if (missing || !*v)
				return pc_cli_usage_error(self, "--suspend-file needs a path");
			o.suspend_file = v;
		} else if ((v = flag_value(&args, "--log-format", &missing)) || missing) {
			if (missing || (strcmp(v, "json") != 0 && strcmp(v, "text") != 0))
				return pc_cli_usage_error(self, "--log-format is text or json");
			o.json_logs = strcmp(v, "json") == 0;
		} else if ((v = flag_value(&args, "--parallelism", &missing)) || missing) {
			if (missing || parse_int(v, 1, &o.parallelism) < 0)
				return pc_cli_usage_error(self, "--parallelism needs a number >= 1");
		} else if ((v = flag_value(&args, "--degraded-after", &missing)) || missing) {
			if (missing || parse_int(v, 1, &o.degraded_after) < 0)
				return pc_cli_usage_error(self, "--degraded-after needs a number >= 1");
		} else if ((v = flag_value(&args, "--jitter", &missing)) || missing) {
			if (missing || parse_int(v, 0, &o.jitter_pct) < 0 || o.jitter_pct > 50)
				return pc_cli_usage_error(self, "--jitter needs a percentage from 0 to 50");
		} else {
			if (pc_args_is_option(&args))
				return pc_cli_usage_error(self, "unknown option '%s'", a);
			return pc_cli_usage_error(self, "unknown argument '%s' (see 'pipectl reconcile --help')", a);
		}
	}
	g_stop = 0;
	g_reload = 0;
	o.stop = &g_stop;
	o.reload = &g_reload;
	o.log = log_line;
	o.log_ctx = stderr;
	srandom((unsigned)(pc_wall_ms() ^ getpid()));
	install_signals(&old_term, &old_int, &old_hup);
	rc = pc_loop_run(&o);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (rc < 0)
		return pc_cli_fail(self, rc);
	return PC_EXIT_OK;
}
