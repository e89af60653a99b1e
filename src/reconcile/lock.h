/*
 * lock.h - the environment lock: one Flink statement named
 * "<prefix>-pipectl-lock" in the target environment itself, so that a CI
 * runner and the reconcile loop in a container see each other.
 *
 * Why it is safe (docs/locking.md):
 * - acquiring is the atomic create of a statement with a fixed name: the API
 *   answers 409 to every creator but one;
 * - the statement carries labels pipectl-lock-holder, pipectl-lock-since and
 *   pipectl-lock-expires (unix seconds); the holder renews "expires" every
 *   TTL/3 with a PUT guarded by metadata.resource_version (compare-and-swap);
 * - a lock whose "expires" lies in the past belongs to a dead holder: it is
 *   taken over with the same CAS PUT, so of two processes that race for it
 *   exactly one wins (the other gets 409 and looks again);
 * - release deletes the statement only while it still names us as holder.
 */
#ifndef PC_RECONCILE_LOCK_H
#define PC_RECONCILE_LOCK_H

#include "../providers/provider.h"

#include <signal.h>
#include <stdint.h>

#define PC_LOCK_TTL_MS_DEFAULT (5 * 60 * 1000)
#define PC_LOCK_LABEL_HOLDER "user.confluent.io/pipectl-lock-holder"
#define PC_LOCK_LABEL_SINCE "user.confluent.io/pipectl-lock-since"
#define PC_LOCK_LABEL_EXPIRES "user.confluent.io/pipectl-lock-expires"
/* The statement text: harmless, and created stopped so it never runs. */
#define PC_LOCK_SQL "SHOW TABLES;"

typedef struct pc_lock pc_lock;

typedef struct pc_lock_opts {
	const char *prefix;       /* statement prefix from pipectl.yaml (required) */
	const char *holder;       /* NULL: "<host>-<pid>-<random>" slug */
	int64_t ttl_ms;           /* 0: PC_LOCK_TTL_MS_DEFAULT */
	int64_t timeout_ms;       /* how long to wait for a held lock; 0 = fail at once */
	int64_t poll_ms;          /* retry interval while waiting; 0: 2 s */
	int64_t heartbeat_ms;     /* renewal interval; 0: ttl/3; < 0: no heartbeat thread */
	volatile sig_atomic_t *cancel; /* optional: when it becomes non-zero, waiting stops (PC_ECANCELED) */
} pc_lock_opts;

/* Who holds a lock, as read from its statement. */
typedef struct pc_lock_info {
	char *holder;      /* "" when the label is missing */
	int64_t since_s;   /* 0 when unknown */
	int64_t expires_s; /* 0 when unknown (then it counts as expired) */
} pc_lock_info;

/* "<prefix>-pipectl-lock" (owned). */
char *pc_lock_statement_name(const char *prefix);
/* True when name is the lock statement of some prefix (plan and status skip it). */
int pc_lock_is_lock_statement(const char *name);

/*
 * Take the lock. Waits up to opts->timeout_ms while another live holder has
 * it, then fails with PC_ELOCKED and the message
 * "locked by <holder> since <iso time>". Starts the heartbeat thread unless
 * opts->heartbeat_ms < 0. The provider is borrowed and must outlive the lock.
 */
int pc_lock_acquire(pc_lock **out, pc_provider *p, const pc_lock_opts *opts);

/* One renewal now (what the heartbeat thread does every interval). */
int pc_lock_renew(pc_lock *l);

/*
 * Non-zero once the heartbeat found the lock taken by someone else or could
 * not renew it before it expired: the caller must start nothing new.
 * reason (borrowed, may be NULL) says why.
 */
int pc_lock_lost(pc_lock *l, const char **reason);

const char *pc_lock_holder(const pc_lock *l);

/*
 * Stop the heartbeat, delete the statement if it still names us, free l.
 * Returns 0, or the error of the delete (l is freed in every case).
 * NULL is accepted.
 */
int pc_lock_release(pc_lock *l);

/* Read who holds the lock of this prefix; PC_ENOTFOUND when nobody. */
int pc_lock_inspect(pc_provider *p, const char *prefix, pc_lock_info *out);
void pc_lock_info_dispose(pc_lock_info *i);

#endif
