/*
 * applyrun.c - the parts of `apply` and `destroy` that are the same
 * (applyrun.h).
 */
#include "applyrun.h"

#include "color.h"
#include "common.h"
#include "output.h"
#include "progress.h"
#include "render.h"

#include "../reconcile/history.h"

#include "../util/error.h"
#include "../util/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t pc_run_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	if (pc_run_interrupted < 2)
		pc_run_interrupted++;
}

void pc_run_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the prompt's read must see EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int parse_int(const char *opt, const char *v, int *out)
{
	char *end;
	long n;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < 1 || n > 1024)
		return pc_error_set(PC_EUSAGE, "%s needs a number from 1 to 1024, not '%s'", opt, v);
	*out = (int)n;
	return 0;
}

static int parse_dur(const char *opt, const char *v, int64_t *out)
{
	if (pc_parse_duration_ms(v, out) != 0)
		return pc_error_set(PC_EUSAGE, "%s needs a duration like 30s or 5m, not '%s'", opt, v);
	return 0;
}

int pc_run_parse_opt(pc_run_opts *o, pc_args *a)
{
	static const char *const dur_opts[] = { "--lock-timeout", "--lock-ttl", "--action-timeout", "--timeout" };
	int64_t *dur_dst[] = { &o->lock_timeout_ms, &o->lock_ttl_ms, &o->action_timeout_ms, &o->total_timeout_ms };
	int m;

	if (pc_args_flag(a, "--auto-approve", NULL)) {
		o->auto_approve = 1;
		return 1;
	}
	if (pc_args_flag(a, "--verbose", "-v")) {
		o->verbose = 1;
		return 1;
	}
	if (pc_args_flag(a, "--json", NULL)) {
		o->json = 1;
		return 1;
	}
	if ((m = pc_args_value(a, "--parallelism")) > 0)
		return parse_int("--parallelism", a->value, &o->parallelism) ? PC_EUSAGE : 1;
	if (m < 0)
		return pc_error_set(PC_EUSAGE, "--parallelism needs a value");
	for (size_t k = 0; k < sizeof dur_opts / sizeof dur_opts[0]; k++) {
		if ((m = pc_args_value(a, dur_opts[k])) > 0)
			return parse_dur(dur_opts[k], a->value, dur_dst[k]) ? PC_EUSAGE : 1;
		if (m < 0)
			return pc_error_set(PC_EUSAGE, "%s needs a value", dur_opts[k]);
	}
	return 0;
}

int pc_run_check_approval_possible(const pc_run_opts *o)
{
	if (o->json && !o->auto_approve)
		return pc_error_set(PC_EUSAGE, "--json needs --auto-approve (there is no question in JSON)");
	if (o->auto_approve || isatty(STDIN_FILENO))
		return 0;
	return pc_error_set(PC_ERROR, "refusing to apply without --auto-approve when stdin is not a terminal");
}

static int take_lock(pc_run *run, const pc_run_opts *o, pc_provider *prov, const pc_config *cfg)
{
	pc_lock_opts lo = { 0 };
	int rc;

	lo.prefix = cfg->prefix;
	lo.ttl_ms = o->lock_ttl_ms;
	lo.command = o->command;
	lo.cancel = &pc_run_interrupted;
	lo.timeout_ms = 0;
	rc = pc_lock_acquire(&run->lock, prov, &lo);
	if (rc != PC_ELOCKED || o->lock_timeout_ms <= 0)
		return rc;
	{
		char d[32];
		pc_progress_duration(o->lock_timeout_ms, d, sizeof d);
		fprintf(stderr, "%s; waiting up to %s\n", pc_error_last(), d);
	}
	lo.timeout_ms = o->lock_timeout_ms;
	return pc_lock_acquire(&run->lock, prov, &lo);
}

typedef struct lock_gate_ctx {
	pc_run *run;
	const pc_run_opts *o;
} lock_gate_ctx;

/* Take the lock between opening the provider and reading anything. */
static int lock_gate(void *ctx, pc_provider *prov, const pc_config *cfg)
{
	lock_gate_ctx *g = ctx;
	int64_t t = pc_mono_ms();
	int rc;

	rc = take_lock(g->run, g->o, prov, cfg);
	g->run->lock_ms = pc_mono_ms() - t;
	return rc;
}

int pc_run_open(pc_run *run, const pc_cli *cli, const pc_run_opts *o)
{
	lock_gate_ctx g = { run, o };
	int64_t t = pc_mono_ms();
	int rc;

	memset(run, 0, sizeof *run);
	rc = pc_session_load(&run->s, cli->root, cli->config_path, lock_gate, &g);
	run->read_ms = pc_mono_ms() - t - run->lock_ms;
	return rc;
}

void pc_run_print_stats(const pc_run *run, FILE *out)
{
	if (!run->s.prov)
		return;
	fprintf(out, "timing: lock %lld ms, then the tree and the actual state (read together) %lld ms\n",
		(long long)run->lock_ms, (long long)run->read_ms);
	pc_run_print_requests(run->s.prov, out);
}

void pc_run_print_requests(const pc_provider *p, FILE *out)
{
	const pc_provider_stats *st;
	if (!p)
		return;
	st = &p->stats;
	fprintf(out, "API requests: %llu (2xx %llu, 4xx %llu, 5xx %llu, network errors %llu), retries %llu\n",
		(unsigned long long)st->requests, (unsigned long long)st->by_status[2],
		(unsigned long long)st->by_status[4], (unsigned long long)st->by_status[5],
		(unsigned long long)st->by_status[0], (unsigned long long)st->retries);
}

void pc_run_close(pc_run *run)
{
	if (run->lock && pc_lock_release(run->lock) != 0)
		pc_cli_warning("%s", pc_error_last());
	run->lock = NULL;
	pc_session_dispose(&run->s);
}

int pc_run_confirm(const char *question)
{
	char line[64];
	ssize_t n;
	size_t len = 0;

	printf("\n%s [y/N] ", question);
	fflush(stdout);
	/* read(2), not fgets: a signal must interrupt the question */
	while (len + 1 < sizeof line) {
		n = read(STDIN_FILENO, line + len, 1);
		if (n <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	if (pc_run_interrupted)
		return 0;
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0 ||
	       strcmp(line, "YES") == 0 || strcmp(line, "Yes") == 0;
}

int pc_run_confirm_plan(const pc_plan *plan, const char *question)
{
	char line[64];
	ssize_t n;
	size_t len = 0, i, destructive = 0;

	for (i = 0; i < plan->actions.len; i++)
		destructive += ((const pc_action *)plan->actions.items[i])->destructive != 0;
	if (!destructive)
		return pc_run_confirm(question);
	/* as Terraform: what deletes data needs the whole word */
	printf("\n%s%zu action%s drop%s a table and %s data.%s\n%s\n  Only 'yes' will be accepted: ",
	       pc_color(stdout, PC_COLOR_RED), destructive, destructive == 1 ? "" : "s", destructive == 1 ? "s" : "",
	       destructive == 1 ? "its" : "their", pc_color(stdout, PC_COLOR_RESET), question);
	fflush(stdout);
	while (len + 1 < sizeof line) {
		n = read(STDIN_FILENO, line + len, 1);
		if (n <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	if (pc_run_interrupted)
		return 0;
	return strcmp(line, "yes") == 0;
}

int pc_run_execute(pc_run *run, const pc_plan *plan, const pc_run_opts *o, const char *verb)
{
	pc_apply_options ao = { 0 };
	pc_apply_result *res = NULL;
	pc_progress *pr;
	const char *term = getenv("TERM");
	int live = isatty(STDOUT_FILENO) && term && strcmp(term, "dumb") != 0;
	int64_t started;
	int rc, status;

	ao.parallelism = o->parallelism;
	ao.action_timeout_ms = o->action_timeout_ms;
	ao.total_timeout_ms = o->total_timeout_ms;
	ao.cancel = &pc_run_interrupted;
	ao.lock = run->lock;
	ao.actual = run->s.act;
	started = pc_wall_ms();
	pr = o->json ? pc_progress_new_json(stdout) : pc_progress_new(stdout, live, o->verbose);
	ao.progress = pc_progress_event;
	ao.progress_ctx = pr;
	if (!o->json)
		printf("\n");
	rc = pc_apply_run(&res, run->s.prov, plan, &ao);
	pc_progress_free(pr);
	if (rc != 0)
		return pc_cli_fail(NULL, rc);
	if (o->json)
		pc_progress_summary_json(stdout, res, verb);
	else
		pc_progress_summary(stdout, res, verb);
	if (pc_history_record_run(run->s.proj->root,
				  plan->command ? plan->command : strcmp(verb, "Destroy") == 0 ? "destroy" : "apply", plan,
				  res, started) != 0)
		pc_cli_warning("could not record the run in the history: %s", pc_error_last());
	status = pc_apply_succeeded(res) ? PC_EXIT_OK : PC_EXIT_ERROR;
	pc_apply_result_free(res);
	fflush(stdout);
	return status;
}

int pc_run_confirm_execute(pc_run *run, const pc_plan *plan, const pc_run_opts *o, const char *question,
			   const char *verb)
{
	if (o->json) {
		pc_progress_plan_json(stdout, plan);
		if (!pc_plan_has_changes(plan)) {
			printf("{\"format_version\":\"1\",\"event\":\"summary\",\"result\":\"no_changes\",\"done\":0,"
			       "\"failed\":0,\"skipped\":0}\n");
			return fflush(stdout) == 0 ? PC_EXIT_OK : PC_EXIT_ERROR;
		}
		return pc_run_execute(run, plan, o, verb);
	}
	pc_render_plan(stdout, plan, o->verbose);
	if (!pc_plan_has_changes(plan))
		return PC_EXIT_OK;
	if (!o->auto_approve && !pc_run_confirm_plan(plan, question)) {
		printf("%s cancelled: nothing was changed.\n", verb);
		return PC_EXIT_ERROR;
	}
	return pc_run_execute(run, plan, o, verb);
}

int pc_run_retire(const pc_cli *cli, const pc_command *self, pc_retire_kind kind, const pc_run_opts *ro,
		  const pc_vec *sels, int plan_only, const char *out_path)
{
	const char *const *sv = (const char *const *)sels->items;
	int promote = kind == PC_RETIRE_PROMOTE, rc, status = PC_EXIT_ERROR;
	pc_plan *plan = NULL;
	pc_run run;

	memset(&run, 0, sizeof run);
	if (plan_only || out_path) {
		pc_session view = PC_SESSION_INIT;
		if ((rc = pc_common_session(&view, cli)) != PC_EXIT_OK) {
			pc_session_dispose(&view);
			return rc;
		}
		if ((rc = pc_plan_retire(&plan, view.proj, view.act, kind, sv, sels->len)) != 0) {
			pc_out_errors(stderr, view.proj);
			status = pc_cli_fail(self, rc);
		} else if (out_path && (rc = pc_plan_save(plan, out_path)) != 0) {
			status = pc_cli_fail(self, rc);
		} else {
			pc_render_plan(stdout, plan, ro->verbose);
			if (out_path)
				printf("\nPlan saved to '%s'. Apply exactly this plan with: pipectl apply %s\n", out_path,
				       out_path);
			status = fflush(stdout) == 0 ? PC_EXIT_OK : PC_EXIT_ERROR;
		}
		pc_plan_free(plan);
		pc_session_dispose(&view);
		return status;
	}
	if ((rc = pc_run_check_approval_possible(ro)) != 0)
		return pc_cli_fail(self, rc);
	pc_run_install_signals();
	if ((rc = pc_run_open(&run, cli, ro)) != 0) {
		status = pc_cli_fail(self, rc);
		goto done;
	}
	if ((rc = pc_plan_retire(&plan, run.s.proj, run.s.act, kind, sv, sels->len)) != 0) {
		pc_out_errors(stderr, run.s.proj);
		status = pc_cli_fail(self, rc);
		goto done;
	}
	status = pc_run_confirm_execute(&run, plan, ro,
					promote ? "Promote: retire these blue versions? Their data is deleted."
						: "Roll back: retire these green versions? Their data is deleted.",
					promote ? "Promote" : "Rollback");
done:
	if (ro->verbose)
		pc_run_print_stats(&run, stderr);
	pc_plan_free(plan);
	pc_run_close(&run);
	return status;
}
