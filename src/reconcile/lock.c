/*
 * lock.c - the environment lock (see lock.h and docs/locking.md).
 */
#include "lock.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOCK_SUFFIX "-pipectl-lock"
#define DEFAULT_POLL_MS 2000
/* Attempts of one renewal against 409s (somebody touched the object). */
#define RENEW_ATTEMPTS 5

struct pc_lock {
	pc_provider *p;
	char *name;
	char *holder;
	int64_t ttl_ms;
	int64_t since_s;
	int64_t heartbeat_ms;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int thread_running;
	int stopping;
	int lost;
	char *lost_reason;
	int64_t expires_s;   /* the expiry we last wrote successfully */
};

char *pc_lock_statement_name(const char *prefix)
{
	return pc_sprintf("%s%s", prefix ? prefix : "", LOCK_SUFFIX);
}

int pc_lock_is_lock_statement(const char *name)
{
	size_t n, s = strlen(LOCK_SUFFIX);
	if (!name)
		return 0;
	n = strlen(name);
	return n > s && strcmp(name + n - s, LOCK_SUFFIX) == 0;
}

static int64_t now_s(void)
{
	return pc_wall_ms() / 1000;
}

/* Label values: lowercase [a-z0-9.-], so they pass any label validation. */
static char *default_holder(void)
{
	char host[256] = "host";
	unsigned rnd;
	char *s;

	if (gethostname(host, sizeof host - 1) != 0 || !host[0])
		snprintf(host, sizeof host, "host");
	host[sizeof host - 1] = '\0';
	host[40] = '\0'; /* keep the label short */
	rnd = (unsigned)(pc_wall_ms() ^ ((int64_t)getpid() << 16) ^ (int64_t)(uintptr_t)&rnd) & 0xffffu;
	s = pc_sprintf("%s-%ld-%04x", host, (long)getpid(), rnd);
	for (char *c = s; *c; c++) {
		*c = (char)tolower((unsigned char)*c);
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
			*c = '-';
	}
	return s;
}

static int64_t label_int(const pc_kvlist *labels, const char *key)
{
	const char *v = pc_kv_get(labels, key);
	char *end;
	long long n;
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0)
		return 0;
	return (int64_t)n;
}

static void read_info(const pc_statement *st, pc_lock_info *out)
{
	const char *h = pc_kv_get(&st->labels, PC_LOCK_LABEL_HOLDER);
	out->holder = pc_strdup(h ? h : "");
	out->since_s = label_int(&st->labels, PC_LOCK_LABEL_SINCE);
	out->expires_s = label_int(&st->labels, PC_LOCK_LABEL_EXPIRES);
}

void pc_lock_info_dispose(pc_lock_info *i)
{
	if (!i)
		return;
	free(i->holder);
	i->holder = NULL;
}

static void set_labels(pc_kvlist *labels, const char *holder, int64_t since, int64_t expires)
{
	char num[32];
	pc_kv_set(labels, PC_LOCK_LABEL_HOLDER, holder);
	snprintf(num, sizeof num, "%" PRId64, since);
	pc_kv_set(labels, PC_LOCK_LABEL_SINCE, num);
	snprintf(num, sizeof num, "%" PRId64, expires);
	pc_kv_set(labels, PC_LOCK_LABEL_EXPIRES, num);
}

static int64_t ttl_s(const pc_lock *l)
{
	int64_t s = l->ttl_ms / 1000;
	return s > 0 ? s : 1;
}

/* The atomic create. 0: ours; PC_ECONFLICT/PC_EEXISTS: somebody has it. */
static int try_create(pc_lock *l)
{
	pc_kvlist labels = PC_VEC_INIT;
	pc_statement *st = NULL;
	pc_statement_spec spec = { 0 };
	int64_t now = now_s();
	int rc;

	set_labels(&labels, l->holder, now, now + ttl_s(l));
	spec.name = l->name;
	spec.sql = PC_LOCK_SQL;
	spec.compute_pool_id = l->p->default_pool;
	spec.principal = l->p->principal;
	spec.labels = &labels;
	spec.stopped = 1;
	rc = l->p->ops->create_statement(l->p, &spec, &st);
	if (rc == 0) {
		l->since_s = now;
		l->expires_s = now + ttl_s(l);
	}
	pc_statement_free(st);
	pc_kv_dispose(&labels);
	return rc;
}

/*
 * Take over an expired lock: PUT the object we read with our labels. The
 * PUT carries the resource_version we read, so if anybody (the old holder
 * renewing, another taker) wrote in between, we get PC_ECONFLICT.
 */
static int try_takeover(pc_lock *l, pc_statement *st)
{
	int64_t now = now_s();
	int rc;

	set_labels(&st->labels, l->holder, now, now + ttl_s(l));
	rc = l->p->ops->update_statement(l->p, st);
	if (rc == 0) {
		l->since_s = now;
		l->expires_s = now + ttl_s(l);
	}
	return rc;
}

static int locked_error(const pc_lock *l, const pc_lock_info *info)
{
	char since[40], expires[40];
	pc_iso8601(info->since_s * 1000, since, sizeof since);
	pc_iso8601(info->expires_s * 1000, expires, sizeof expires);
	return pc_error_set(PC_ELOCKED, "locked by %s since %s (statement '%s', expires %s unless renewed)",
			    info->holder[0] ? info->holder : "an unknown holder", since, l->name, expires);
}

static void mark_lost(pc_lock *l, char *reason)
{
	pthread_mutex_lock(&l->mu);
	if (!l->lost) {
		l->lost = 1;
		l->lost_reason = reason;
		reason = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	free(reason);
}

int pc_lock_renew(pc_lock *l)
{
	pc_statement *st = NULL;
	int rc = 0;

	for (int attempt = 1; attempt <= RENEW_ATTEMPTS; attempt++) {
		const char *h;
		int64_t now;

		pc_statement_free(st);
		st = NULL;
		rc = l->p->ops->get_statement(l->p, l->name, &st);
		if (rc == PC_ENOTFOUND) {
			/*
			 * Deleted under us (by hand, or expired by the service).
			 * Re-create it: still atomic, so if another process got
			 * there first we have lost the lock.
			 */
			rc = try_create(l);
			if (rc == PC_ECONFLICT || rc == PC_EEXISTS) {
				mark_lost(l, pc_sprintf("lock statement '%s' was deleted and re-created by another process", l->name));
				rc = pc_error_set(PC_ELOCKED, "lost the lock '%s': deleted and taken by another process", l->name);
			}
			goto done;
		}
		if (rc != 0)
			goto done;
		h = pc_kv_get(&st->labels, PC_LOCK_LABEL_HOLDER);
		if (!h || strcmp(h, l->holder) != 0) {
			mark_lost(l, pc_sprintf("lock '%s' was taken over by %s", l->name, h ? h : "an unknown holder"));
			rc = pc_error_set(PC_ELOCKED, "lost the lock '%s': now held by %s", l->name, h ? h : "an unknown holder");
			goto done;
		}
		now = now_s();
		set_labels(&st->labels, l->holder, l->since_s, now + ttl_s(l));
		rc = l->p->ops->update_statement(l->p, st);
		if (rc == 0) {
			pthread_mutex_lock(&l->mu);
			l->expires_s = now + ttl_s(l);
			pthread_mutex_unlock(&l->mu);
			goto done;
		}
		if (rc != PC_ECONFLICT)
			goto done;
	}
	rc = pc_error_set(PC_ECONFLICT, "could not renew the lock '%s': %d conflicting updates", l->name, RENEW_ATTEMPTS);
done:
	pc_statement_free(st);
	return rc;
}

static void *heartbeat_main(void *arg)
{
	pc_lock *l = arg;

	pthread_mutex_lock(&l->mu);
	while (!l->stopping && !l->lost) {
		struct timespec ts;
		int64_t at = pc_wall_ms() + l->heartbeat_ms, exp;
		ts.tv_sec = (time_t)(at / 1000);
		ts.tv_nsec = (long)(at % 1000) * 1000000;
		while (!l->stopping && pc_wall_ms() < at)
			pthread_cond_timedwait(&l->cv, &l->mu, &ts);
		if (l->stopping)
			break;
		pthread_mutex_unlock(&l->mu);
		if (pc_lock_renew(l) != 0) {
			/*
			 * A failed renewal (network, 5xx) is retried at the next
			 * tick; once our last written expiry has passed somebody
			 * may legitimately take the lock over, so it counts as lost.
			 */
			pthread_mutex_lock(&l->mu);
			exp = l->expires_s;
			pthread_mutex_unlock(&l->mu);
			if (now_s() >= exp)
				mark_lost(l, pc_sprintf("could not renew the lock '%s' before it expired: %s",
							l->name, pc_error_last()));
		}
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void lock_free(pc_lock *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->name);
	free(l->holder);
	free(l->lost_reason);
	free(l);
}

int pc_lock_acquire(pc_lock **out, pc_provider *p, const pc_lock_opts *opts)
{
	pc_lock *l = NULL;
	pc_statement *st = NULL;
	pc_lock_info info = { 0 };
	int64_t deadline, poll_ms;
	int rc;

	*out = NULL;
	if (!opts || !opts->prefix || !*opts->prefix)
		return pc_error_set(PC_EINVALID, "lock: no statement prefix configured");
	l = PC_NEW(pc_lock);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->p = p;
	l->name = pc_lock_statement_name(opts->prefix);
	l->holder = opts->holder ? pc_strdup(opts->holder) : default_holder();
	l->ttl_ms = opts->ttl_ms > 0 ? opts->ttl_ms : PC_LOCK_TTL_MS_DEFAULT;
	l->heartbeat_ms = opts->heartbeat_ms != 0 ? opts->heartbeat_ms : l->ttl_ms / 3;
	poll_ms = opts->poll_ms > 0 ? opts->poll_ms : DEFAULT_POLL_MS;
	deadline = pc_mono_ms() + (opts->timeout_ms > 0 ? opts->timeout_ms : 0);

	for (;;) {
		int64_t left;

		if (opts->cancel && *opts->cancel) {
			rc = pc_error_set(PC_ECANCELED, "interrupted while waiting for the lock '%s'", l->name);
			goto done;
		}
		rc = try_create(l);
		if (rc == 0)
			break;
		if (rc != PC_ECONFLICT && rc != PC_EEXISTS) {
			pc_error_wrap("could not take the lock '%s'", l->name);
			goto done;
		}
		pc_statement_free(st);
		st = NULL;
		rc = p->ops->get_statement(p, l->name, &st);
		if (rc == PC_ENOTFOUND)
			continue; /* released between our create and our get */
		if (rc != 0) {
			pc_error_wrap("could not read the lock '%s'", l->name);
			goto done;
		}
		pc_lock_info_dispose(&info);
		read_info(st, &info);
		if (info.holder[0] && strcmp(info.holder, l->holder) == 0) {
			/* Ours already (a create that succeeded but whose answer was lost). */
			l->since_s = info.since_s ? info.since_s : now_s();
			l->expires_s = info.expires_s;
			break;
		}
		if (now_s() >= info.expires_s) {
			rc = try_takeover(l, st);
			if (rc == 0)
				break;
			if (rc == PC_ECONFLICT || rc == PC_ENOTFOUND)
				continue; /* somebody else moved first: look again */
			pc_error_wrap("could not take over the expired lock '%s'", l->name);
			goto done;
		}
		left = deadline - pc_mono_ms();
		if (left <= 0) {
			rc = locked_error(l, &info);
			goto done;
		}
		pc_sleep_ms(left < poll_ms ? left : poll_ms);
	}

	if (l->heartbeat_ms > 0) {
		if (pthread_create(&l->thread, NULL, heartbeat_main, l) != 0) {
			rc = pc_error_set(PC_ERROR, "could not start the lock heartbeat thread");
			pc_lock_release(l);
			l = NULL;
			goto done;
		}
		l->thread_running = 1;
	}
	*out = l;
	l = NULL;
	rc = 0;
done:
	pc_statement_free(st);
	pc_lock_info_dispose(&info);
	lock_free(l);
	return rc;
}

int pc_lock_lost(pc_lock *l, const char **reason)
{
	int lost;
	if (!l)
		return 0;
	pthread_mutex_lock(&l->mu);
	lost = l->lost;
	if (reason)
		*reason = l->lost_reason;
	pthread_mutex_unlock(&l->mu);
	return lost;
}

const char *pc_lock_holder(const pc_lock *l)
{
	return l ? l->holder : NULL;
}

int pc_lock_release(pc_lock *l)
{
	pc_statement *st = NULL;
	const char *h;
	int rc = 0;

	if (!l)
		return 0;
	if (l->thread_running) {
		pthread_mutex_lock(&l->mu);
		l->stopping = 1;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->thread, NULL);
		l->thread_running = 0;
	}
	rc = l->p->ops->get_statement(l->p, l->name, &st);
	if (rc == PC_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (rc != 0) {
		pc_error_wrap("could not release the lock '%s'", l->name);
		goto done;
	}
	h = pc_kv_get(&st->labels, PC_LOCK_LABEL_HOLDER);
	if (!h || strcmp(h, l->holder) != 0)
		goto done; /* not ours any more: leave it to its holder */
	rc = l->p->ops->delete_statement(l->p, l->name);
	if (rc == PC_ENOTFOUND)
		rc = 0;
	else if (rc != 0)
		pc_error_wrap("could not release the lock '%s'", l->name);
done:
	pc_statement_free(st);
	lock_free(l);
	return rc;
}

int pc_lock_inspect(pc_provider *p, const char *prefix, pc_lock_info *out)
{
	char *name = pc_lock_statement_name(prefix);
	pc_statement *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	rc = p->ops->get_statement(p, name, &st);
	if (rc == 0)
		read_info(st, out);
	pc_statement_free(st);
	free(name);
	return rc;
}
