/*
 * applyrun.h - what `apply`, `destroy`, `promote` and `rollback` share: opening the target, the
 * environment lock, the confirmation prompt, running a plan with progress,
 * and the signal handling (SIGINT/SIGTERM: start nothing new, a second one
 * also abandons the waits; the lock is released in every case).
 */
#ifndef PC_CLI_APPLYRUN_H
#define PC_CLI_APPLYRUN_H

#include "args.h"
#include "cli.h"

#include "../reconcile/apply.h"
#include "../reconcile/lock.h"
#include "../reconcile/plan.h"
#include "../reconcile/retire.h"
#include "../reconcile/session.h"

#include <signal.h>

#define PC_LOCK_TIMEOUT_MS_DEFAULT (5 * 60 * 1000)

typedef struct pc_run_opts {
	int auto_approve;
	int parallelism;
	int64_t lock_timeout_ms;   /* default PC_LOCK_TIMEOUT_MS_DEFAULT */
	int64_t lock_ttl_ms;       /* 0: lock default */
	int64_t action_timeout_ms; /* 0: executor default */
	int64_t total_timeout_ms;  /* 0: none */
	int verbose;
	int json;                  /* --json: one JSON event per line on stdout (needs --auto-approve) */
	const char *command;        /* recorded in the lock holder's identity ("apply", "destroy") */
} pc_run_opts;

/* Everything a run holds; pc_run_close() releases it (lock first). */
typedef struct pc_run {
	pc_session s;           /* config, project, provider, actual state (read under the lock) */
	pc_lock *lock;
	int64_t lock_ms, read_ms; /* pc_run_open: the lock, then the tree and the actual state read together */
} pc_run;

/* Set by the SIGINT/SIGTERM handler: 1 after the first signal, 2 after the second. */
extern volatile sig_atomic_t pc_run_interrupted;
void pc_run_install_signals(void);

/*
 * Parse the options both commands accept. Returns 1 when the current
 * argument was one of them (consuming its value), 0 when not, or a negative
 * PC_EUSAGE with the message set.
 */
int pc_run_parse_opt(pc_run_opts *o, pc_args *a);

/*
 * Before any change: when stdin is not a terminal and --auto-approve is
 * missing, fail (PC_EUSAGE is not right: it is exit 1 by design).
 */
int pc_run_check_approval_possible(const pc_run_opts *o);

/* Load the config, open the provider, take the lock (waiting as told), read the project and the actual state. */
int pc_run_open(pc_run *run, const pc_cli *cli, const pc_run_opts *o);
void pc_run_close(pc_run *run);
/* "API requests: N (2xx …), retries R" (with --verbose; requests made by this process). */
void pc_run_print_stats(const pc_run *run, FILE *out);
/* The "API requests: …" line alone, of provider p (plan --verbose prints it on stderr). */
void pc_run_print_requests(const pc_provider *p, FILE *out);

/* Ask "<question> [y/N] " on the terminal; 1 yes. */
int pc_run_confirm(const char *question);
/*
 * Ask about plan: pc_run_confirm when nothing in it is destructive; else,
 * as Terraform, say how many actions drop a table and accept only "yes".
 */
int pc_run_confirm_plan(const pc_plan *plan, const char *question);

/* Execute with live/plain progress and print the summary; returns the exit status. */
int pc_run_execute(pc_run *run, const pc_plan *plan, const pc_run_opts *o, const char *verb);

/*
 * Show the plan; when it changes anything, ask question (unless
 * --auto-approve) and execute it. Returns the exit status: PC_EXIT_OK when
 * there is nothing to do, PC_EXIT_ERROR when declined ("<verb> cancelled:
 * nothing was changed.").
 */
int pc_run_confirm_execute(pc_run *run, const pc_plan *plan, const pc_run_opts *o, const char *question,
			   const char *verb);

/*
 * `promote` and `rollback` (retire.h) once their arguments are read: with
 * plan_only or out_path, plan without the lock, show it (and save it to
 * out_path for 'apply FILE'); else take the lock, plan under it, show, ask
 * (unless --auto-approve), execute and record the run in the history.
 * Returns the exit status.
 */
int pc_run_retire(const pc_cli *cli, const pc_command *self, pc_retire_kind kind, const pc_run_opts *ro,
		  const pc_vec *sels, int plan_only, const char *out_path);

/*
 * The whole of `promote` or `rollback` (name, kind) from its arguments:
 * SELECTOR... [--plan-only] [--out FILE] and apply's options, then
 * pc_run_retire(). Returns the exit status (PC_EXIT_USAGE on bad arguments).
 */
int pc_run_retire_main(const pc_cli *cli, const char *name, pc_retire_kind kind, int argc, char **argv);

#endif
