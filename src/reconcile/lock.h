/*
 * lock.h - the environment lock, in the target environment itself, built
 * only on what Confluent guarantees (docs/locking.md):
 *
 * - statement names are unique: of several creates of one name exactly one
 *   gets 201, the others 409;
 * - a statement can be deleted;
 * - the server stamps metadata.created_at on every statement it creates;
 * - spec.statement (the SQL text) is immutable and read back as written.
 *
 * No label is ever read or changed, no statement is created stopped, PUT is
 * never used, and no statement is expected to stay in any phase (every lock
 * statement is a harmless SHOW TABLES LIKE '…' that completes; the service
 * may delete it after 30 days).
 *
 * Statements of the lock "<prefix>-pipectl-<kind>" (kind "lock", or
 * "leader" for the reconcile replicas' election):
 *   <name>                  the anchor: held while it exists; its SQL text
 *                           names the holder (run id, host, pid, process
 *                           start, boot id, pid namespace, command, TTL)
 *   <name>-hb-0..2          heartbeats: renewing creates the next slot and
 *                           deletes the previous one; the newest server
 *                           created_at of the anchor and the holder's
 *                           heartbeats says when the holder was last alive
 *   <name>-takeover-<run>-<k>
 *                           the claim of the one process allowed to delete
 *                           the anchor of the lapsed holder <run>
 * None starts with "<prefix>-pc-", so none is ever taken for a managed
 * statement.
 *
 * A holder is lapsed when its newest lease is older than its TTL by the
 * reader's clock, or at once when it ran on this host (same boot, same pid
 * namespace) and its process is gone.
 */
#ifndef PC_RECONCILE_LOCK_H
#define PC_RECONCILE_LOCK_H

#include "../providers/provider.h"

#include <signal.h>
#include <stdint.h>

#define PC_LOCK_TTL_MS_DEFAULT (5 * 60 * 1000)
#define PC_LOCK_SLOTS 3
/* The literal every lock statement's SQL text carries. */
#define PC_LOCK_MARK "pipectl-lock"
/* The hint label (set at create only, never read back). */
#define PC_LOCK_LABEL "user.confluent.io/pipectl-lock"

typedef struct pc_lock pc_lock;

typedef struct pc_lock_opts {
	const char *prefix;       /* statement prefix from pipectl.yaml (required) */
	const char *kind;         /* NULL: "lock"; "leader" for the reconcile election */
	const char *command;      /* recorded in the holder's identity ("apply", ...); NULL: "pipectl" */
	int64_t ttl_ms;           /* 0: PC_LOCK_TTL_MS_DEFAULT */
	int64_t timeout_ms;       /* how long to wait for a held lock; 0 = fail at once */
	int64_t poll_ms;          /* retry interval while waiting; 0: 2 s */
	int64_t heartbeat_ms;     /* renewal interval; 0: ttl/3; < 0: no heartbeat thread */
	volatile sig_atomic_t *cancel; /* optional: when it becomes non-zero, waiting stops (PC_ECANCELED) */
} pc_lock_opts;

/* Who holds a lock, as read from its statements. */
typedef struct pc_lock_info {
	char *name;        /* the anchor statement */
	char *run;         /* run id; "" when the SQL text is not pipectl's */
	char *host;
	char *command;
	char *phase;       /* the anchor's phase as the API says it (display) */
	pc_phase ph;       /* and as pipectl reads it */
	char *boot;
	char *pidns;
	long pid;
	long long start;   /* process start (clock ticks since boot), 0 unknown */
	int64_t ttl_ms;    /* the holder's TTL */
	int64_t since_ms;  /* anchor created_at (server clock), 0 unknown */
	int64_t beat_ms;   /* newest created_at of the anchor and the holder's heartbeats */
	int same_host;     /* the holder ran on this host (boot id and pid namespace too) */
	int alive;         /* same host: 1 its process runs, 0 gone; other host: -1 */
} pc_lock_info;

/* "<prefix>-pipectl-lock" (owned). */
char *pc_lock_statement_name(const char *prefix);
/* True for any statement of any pipectl lock (anchor, heartbeat, claim). */
int pc_lock_is_lock_statement(const char *name);

/*
 * Take the lock. Waits up to opts->timeout_ms while another live holder has
 * it, then fails with PC_ELOCKED and "locked by <holder> since <time> ...".
 * Starts the heartbeat thread unless opts->heartbeat_ms < 0. The provider
 * is borrowed and must outlive the lock.
 */
int pc_lock_acquire(pc_lock **out, pc_provider *p, const pc_lock_opts *opts);

/* One renewal now (what the heartbeat thread does every interval). */
int pc_lock_renew(pc_lock *l);

/*
 * Non-zero once the lock may be held by someone else: another holder's
 * anchor or heartbeat was found, or no renewal succeeded within 2/3 of the
 * TTL. The caller must start nothing new. reason (borrowed) says why.
 */
int pc_lock_lost(pc_lock *l, const char **reason);

/* Our run id (borrowed). */
const char *pc_lock_holder(const pc_lock *l);

/*
 * Stop the heartbeat; when the lock is still surely ours, delete the anchor,
 * then our heartbeat, and wait (briefly, bounded) until the anchor is gone.
 * Returns 0, or the error of a delete (l is freed in every case). NULL ok.
 */
int pc_lock_release(pc_lock *l);

/* Read who holds the lock of this kind (NULL: "lock"); PC_ENOTFOUND when nobody. */
int pc_lock_inspect(pc_provider *p, const char *prefix, const char *kind, pc_lock_info *out);
void pc_lock_info_dispose(pc_lock_info *i);
/* Whether the holder in i has lapsed at wall time now_ms. */
int pc_lock_info_lapsed(const pc_lock_info *i, int64_t now_ms);
/* "apply run 3f2a… on host h (pid 12, gone), since <iso>, last heartbeat <iso>" (owned). */
char *pc_lock_info_describe(const pc_lock_info *i);

/*
 * End a lock by hand (`pipectl unlock`). Without force, a holder that is
 * alive on this host or not lapsed is refused with PC_ELOCKED; a lapsed one
 * is removed through the same takeover claim as acquire uses. With force,
 * the anchor and every heartbeat and claim are deleted. *info (may be NULL)
 * receives the holder that was found. PC_ENOTFOUND when nobody holds it.
 */
int pc_lock_break(pc_provider *p, const char *prefix, const char *kind, int force, pc_lock_info *info);

/* The SQL text of a lock statement for a holder (tests build lapsed holders with it). Owned. */
char *pc_lock_sql(const char *role, const pc_lock_info *holder, long long seq, const char *of);
/* This process's identity (host, pid, start, boot, pidns) into i, with run and command. */
void pc_lock_self(pc_lock_info *i, const char *run, const char *command, int64_t ttl_ms);

#endif
