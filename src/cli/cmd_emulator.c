/*
 * cmd_emulator.c - `pipectl emulator`: serve the simulated Confluent Cloud
 * (docs/emulator.md) until SIGTERM/SIGINT, then save the state and exit 0.
 */
#include "args.h"
#include "cli.h"

#include "../providers/emulator.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAVE_EVERY_MS 200

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int parse_rate(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || end == s || v < 0 || v > 1)
		return -1;
	*out = v;
	return 0;
}

static int parse_ms(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || v < 0)
		return -1;
	*out = v;
	return 0;
}

static const char *const value_opts[] = {
	"--listen", "--state", "--cluster-id", "--api-key", "--api-secret", "--fail-statement",
	"--hang-path", "--ddl-ms", "--pending-ms", "--latency-ms", "--expire-completed-s",
	"--max-requests", "--exit-after", "--seed", "--fail-rate", "--throttle-rate", "--produce-rate",
	"--project", "--expire-terminal-s", "--topic-linger-ms", "--carry-timeout-s", "--lenient", "--fail-pool",
	"--redirect-first", "--hold",
};

/* The option of value_opts at the current argument: its name (value in a->value), or NULL; *missing when its value is. */
static const char *value_opt(pc_args *a, int *missing)
{
	*missing = 0;
	for (size_t i = 0; i < sizeof(value_opts) / sizeof(value_opts[0]); i++) {
		int m = pc_args_value(a, value_opts[i]);
		if (m > 0)
			return value_opts[i];
		if (m < 0) {
			*missing = 1;
			return value_opts[i];
		}
	}
	return NULL;
}

int pc_cmd_emulator(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("emulator");
	pc_emulator_options o = { 0 };
	pc_emulator *emu = NULL;
	struct sigaction sa;
	int64_t exit_after_ms = 0, v, started, last_save;
	double rate;
	pc_args args = PC_ARGS_INIT(argc, argv);
	const char *project = NULL;
	pc_config *project_cfg = NULL;
	int rc;

	(void)cli;
	if (pc_cli_wants_help("emulator", argc, argv))
		return PC_EXIT_OK;
	o.listen = "127.0.0.1:8089";
	while (pc_args_next(&args)) {
		int missing;
		const char *a, *val;
		if (pc_args_flag(&args, "--forbid-deleted", NULL)) {
			o.sim.forbid_deleted = 1;
			continue;
		}
		if (pc_args_flag(&args, "--topic-linger-hidden", NULL)) {
			o.sim.linger_hidden = 1;
			continue;
		}
		a = value_opt(&args, &missing);
		val = args.value;
		if (!a) {
			if (pc_args_is_option(&args))
				return pc_cli_usage_error(cmd, "unknown option '%s'", args.arg);
			return pc_cli_usage_error(cmd, "unknown argument '%s'", args.arg);
		}
		if (missing)
			return pc_cli_usage_error(cmd, "option '%s' needs a value", a);
		if (strcmp(a, "--listen") == 0)
			o.listen = val;
		else if (strcmp(a, "--state") == 0)
			o.state_path = val;
		else if (strcmp(a, "--cluster-id") == 0)
			o.sim.cluster_id = val;
		else if (strcmp(a, "--api-key") == 0)
			o.api_key = val;
		else if (strcmp(a, "--api-secret") == 0)
			o.api_secret = val;
		else if (strcmp(a, "--fail-statement") == 0)
			o.sim.fail_statement = val;
		else if (strcmp(a, "--project") == 0)
			project = val;
		else if (strcmp(a, "--hang-path") == 0)
			o.hang_path = val;
		else if (strcmp(a, "--fail-pool") == 0)
			o.sim.fail_pool = val;
		else if (strcmp(a, "--hold") == 0)
			o.sim.hold = val;
		else if (strcmp(a, "--redirect-first") == 0)
			o.redirect_host = val;
		else if (strcmp(a, "--lenient") == 0) {
			if (pc_sim_lenient_parse(val, &o.sim.lenient) != 0)
				return pc_cli_usage_error(cmd, "%s", pc_error_last());
		} else if (strcmp(a, "--ddl-ms") == 0 || strcmp(a, "--pending-ms") == 0 || strcmp(a, "--latency-ms") == 0 ||
			 strcmp(a, "--expire-completed-s") == 0 || strcmp(a, "--max-requests") == 0 ||
			 strcmp(a, "--exit-after") == 0 || strcmp(a, "--seed") == 0 ||
			 strcmp(a, "--expire-terminal-s") == 0 || strcmp(a, "--topic-linger-ms") == 0 ||
			 strcmp(a, "--carry-timeout-s") == 0) {
			if (parse_ms(val, &v) != 0)
				return pc_cli_usage_error(cmd, "%s needs a non-negative integer, not '%s'", a, val);
			if (strcmp(a, "--ddl-ms") == 0)
				o.sim.ddl_ms = v ? v : -1;
			else if (strcmp(a, "--pending-ms") == 0)
				o.sim.pending_ms = v ? v : -1;
			else if (strcmp(a, "--latency-ms") == 0)
				o.latency_ms = v;
			else if (strcmp(a, "--expire-completed-s") == 0)
				o.sim.expire_completed_ms = v * 1000;
			else if (strcmp(a, "--expire-terminal-s") == 0)
				o.sim.expire_terminal_ms = v * 1000;
			else if (strcmp(a, "--topic-linger-ms") == 0)
				o.sim.topic_linger_ms = v ? v : -1;
			else if (strcmp(a, "--carry-timeout-s") == 0)
				o.sim.carry_timeout_ms = v * 1000;
			else if (strcmp(a, "--max-requests") == 0)
				o.max_requests = v;
			else if (strcmp(a, "--exit-after") == 0)
				exit_after_ms = v * 1000;
			else
				o.seed = (uint64_t)v;
		} else if (strcmp(a, "--fail-rate") == 0 || strcmp(a, "--throttle-rate") == 0) {
			if (parse_rate(val, &rate) != 0)
				return pc_cli_usage_error(cmd, "%s needs a share between 0 and 1, not '%s'", a, val);
			if (strcmp(a, "--fail-rate") == 0)
				o.fail_rate = rate;
			else
				o.throttle_rate = rate;
		} else {
			char *end;
			double r = strtod(val, &end);
			if (*end || end == val || r < 0)
				return pc_cli_usage_error(cmd, "--produce-rate needs a non-negative number, not '%s'", val);
			o.sim.produce_rate = r > 0 ? r : -1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (project) {
		/* its pipectl.yaml's `externals:` are created from their DDL at start */
		if ((rc = pc_config_load(&project_cfg, project, NULL)) != 0)
			return pc_cli_fail(cmd, rc);
		o.externals = project_cfg;
	}
	rc = pc_emulator_start(&emu, &o);
	if (rc) {
		pc_config_free(project_cfg);
		return pc_cli_fail(cmd, rc);
	}
	{
		const char *colon = strrchr(o.listen, ':');
		int hlen = colon ? (int)(colon - o.listen) : 0;
		if (hlen == 0 || (hlen == 9 && strncmp(o.listen, "localhost", 9) == 0))
			printf("listening on http://127.0.0.1:%d\n", pc_emulator_port(emu));
		else
			printf("listening on http://%.*s:%d\n", hlen, o.listen, pc_emulator_port(emu));
	}
	fflush(stdout);
	started = last_save = pc_mono_ms();
	while (!got_signal && !pc_emulator_done(emu) &&
	       !(exit_after_ms > 0 && pc_mono_ms() - started >= exit_after_ms)) {
		pc_sleep_ms(50);
		if (pc_mono_ms() - last_save >= SAVE_EVERY_MS) {
			if (pc_emulator_flush(emu) != 0)
				pc_cli_warning("%s", pc_error_last());
			last_save = pc_mono_ms();
		}
	}
	rc = pc_emulator_stop(emu);
	pc_config_free(project_cfg);
	if (rc)
		return pc_cli_fail(cmd, rc);
	return PC_EXIT_OK;
}
