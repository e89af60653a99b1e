/*
 * loop.h - `pipectl reconcile`: keep the target matching git, continuously
 * (docs/operating.md).
 *
 * Every interval (with jitter) one cycle: load the desired state (working
 * tree, or a git ref read without a checkout), fetch the actual state, plan,
 * and apply what may be applied:
 *   - destructive actions (rebuild, drop: they drop a table / delete a topic)
 *     only with allow_destructive; else they are held, with every action
 *     that depends on them, and reported (log, /status, metrics, history);
 *   - green versions (strategy: blue-green) are deployed like any create
 *     (nothing is dropped); with auto_promote, once a cycle succeeded, the
 *     green subgraphs whose greens all run are promoted under the lock
 *     (their blue versions retired, as `pipectl promote`); never without it;
 *   - a table whose actions keep failing backs off exponentially and is
 *     reported degraded after `degraded_after` failures in a row;
 *   - suspended (flag or suspend file): nothing is applied, drift is reported;
 *   - a broken commit (parse errors, a cycle) is reported and skipped: the
 *     last good desired state stays in force;
 *   - the environment lock is taken only when there is something to apply;
 *     a lock held by someone else (a CI apply) skips the cycle;
 *   - replicas side by side: the one holding the leader lock
 *     ("<prefix>-pipectl-leader", held for as long as it runs) is active, the
 *     others stand by (no plan, no apply; /readyz, /metrics and /status say
 *     so) and take over when it is released or lapses (at once when its
 *     process on this host is gone).
 * The caller owns the process: it installs the signal handlers, seeds
 * random() (the interval's jitter) and says where log lines go. Its stop
 * flag (SIGTERM/SIGINT) at 1: the parts already running finish, the lock
 * is released, pc_loop_run returns 0; at 2 the waits are abandoned too.
 * Its reload flag (SIGHUP): configuration reloaded before the next cycle.
 */
#ifndef PC_RECONCILE_LOOP_H
#define PC_RECONCILE_LOOP_H

#include "../util/kv.h"

#include <signal.h>
#include <stdint.h>

#define PC_LOOP_INTERVAL_MS_DEFAULT (60 * 1000)
#define PC_LOOP_BACKOFF_BASE_MS_DEFAULT (30 * 1000)
#define PC_LOOP_BACKOFF_MAX_MS_DEFAULT (15 * 60 * 1000)
#define PC_LOOP_DEGRADED_AFTER_DEFAULT 3

/*
 * Settings. As given by flags, "unset" is NULL for strings and -1 for
 * numbers and booleans; pc_loop_resolve() fills the unset ones from the
 * environment (PIPECTL_*), then from pipectl.yaml's `reconcile:` section,
 * then the defaults.
 */
typedef struct pc_loop_options {
	const char *root;           /* project root (-C), required */
	const char *config_path;    /* --config, NULL: default lookup */
	int64_t interval_ms;        /* --interval / PIPECTL_INTERVAL / reconcile.interval; 60 s */
	int jitter_pct;             /* +- percent of the interval; 10 */
	int once;                   /* --once: one cycle, then return */
	const char *listen;         /* --listen / PIPECTL_LISTEN / reconcile.listen; NULL: no endpoint */
	const char *git_ref;        /* --git-ref / PIPECTL_GIT_REF / reconcile.git_ref; NULL: working tree */
	int git_fetch;              /* --git-fetch / PIPECTL_GIT_FETCH / reconcile.git_fetch; 0 */
	int allow_destructive;      /* --allow-destructive / PIPECTL_ALLOW_DESTRUCTIVE / reconcile.allow_destructive */
	int auto_promote;           /* --auto-promote / PIPECTL_AUTO_PROMOTE / reconcile.auto_promote: promote the
	                               green subgraphs whose greens all run (retire.h); 0 */
	int prune;                  /* --prune / PIPECTL_PRUNE: plan drops of tables gone from git */
	int suspend;                /* --suspend / PIPECTL_SUSPEND */
	const char *suspend_file;   /* --suspend-file / PIPECTL_SUSPEND_FILE; <root>/.pipectl/suspend */
	int json_logs;              /* --log-format json / PIPECTL_LOG_FORMAT / reconcile.log_format */
	int parallelism;            /* --parallelism / PIPECTL_PARALLELISM; apply's default */
	int64_t backoff_base_ms;    /* --backoff / PIPECTL_BACKOFF; 30 s, doubling per failure */
	int64_t backoff_max_ms;     /* --max-backoff / PIPECTL_MAX_BACKOFF; 15 min */
	int degraded_after;         /* --degraded-after; 3 failures in a row */
	int64_t lock_timeout_ms;    /* --lock-timeout / PIPECTL_LOCK_TIMEOUT; 0: skip the cycle when locked */
	int64_t lock_ttl_ms;        /* --lock-ttl / PIPECTL_LOCK_TTL / reconcile.lock_ttl: TTL of the locks it holds; 5m */
	const char *history_path;   /* PIPECTL_HISTORY / reconcile.history; <root>/.pipectl/history.jsonl */
	/* Set by the caller (not from flags, env or file): */
	volatile sig_atomic_t *stop;   /* required: 0 run, 1 stop after what runs, 2 also abandon the waits */
	volatile sig_atomic_t *reload; /* may be NULL: set to 1 to reload the configuration; the loop clears it */
	void (*log)(void *ctx, const char *line, size_t len); /* one whole line with its newline per call; NULL: none */
	void *log_ctx;
} pc_loop_options;

/* Every field unset (root, stop, reload and log NULL). */
void pc_loop_options_unset(pc_loop_options *o);

/*
 * Fill the unset fields of *o from the environment, then from file (the
 * `reconcile.*` entries of pc_config.extra, may be NULL), then defaults.
 * Strings point into the environment, file or flags: they live as long as
 * those. PC_EUSAGE with one line for a value that does not parse (naming
 * where it came from).
 */
int pc_loop_resolve(pc_loop_options *o, const pc_kvlist *file);

/*
 * Run the loop until a signal (or one cycle with once). Returns 0 after a
 * signal; with once: 0 when the cycle succeeded (held actions included),
 * PC_ELOCKED when the lock was held, else a negative code with the cycle's
 * error set. Setup failures (listen address, configuration) are returned
 * before any cycle.
 */
int pc_loop_run(const pc_loop_options *flags);

#endif
