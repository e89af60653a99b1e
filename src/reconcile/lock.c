/*
 * lock.c - the environment lock (see lock.h and docs/locking.md).
 */
#include "lock.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_POLL_MS 2000
/* A 409 then a 404 (the lock went between our create and our read): retried this often, this far apart. */
#define CHURN_MAX 20
#define CHURN_SLEEP_MS 200
/* A lock in DELETING is waited for this long beyond the caller's timeout... */
#define DELETING_GRACE_MS 5000
/* ...and this long after we deleted a lapsed holder's anchor ourselves. */
#define OWN_DELETE_WAIT_MS 60000
/* Abandoned takeover claims of one holder we step over before giving up. */
#define CLAIMS_MAX 8
/* How long release waits for its anchor to be gone. */
#define RELEASE_WAIT_MS 10000

struct pc_lock {
	pc_provider *p;
	char *name;        /* anchor */
	pc_lock_info me;   /* our identity (run, host, pid, ...) */
	int64_t ttl_ms;
	int64_t heartbeat_ms;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int thread_running;
	int stopping;
	int lost;
	char *lost_reason;
	int slot;           /* our newest heartbeat slot, -1: the anchor is our newest lease */
	long long seq;      /* heartbeats created */
	int64_t fresh_mono; /* when the request of our newest lease was sent (monotonic) */
};

/* ---- names ---- */

static char *anchor_name(const char *prefix, const char *kind)
{
	return pc_sprintf("%s-pipectl-%s", prefix ? prefix : "", kind && *kind ? kind : "lock");
}

char *pc_lock_statement_name(const char *prefix)
{
	return anchor_name(prefix, "lock");
}

static char *slot_name(const char *anchor, int slot)
{
	return pc_sprintf("%s-hb-%d", anchor, slot);
}

static char *claim_name(const char *anchor, const char *run, int k)
{
	return pc_sprintf("%s-takeover-%s-%d", anchor, run && *run ? run : "unknown", k);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

int pc_lock_is_lock_statement(const char *name)
{
	const char *kinds[] = { "-pipectl-lock", "-pipectl-leader" };
	if (!name || !*name || name[0] == '-')
		return 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const char *at = strstr(name, kinds[i]);
		if (!at || at == name)
			continue;
		if (ends_with(name, kinds[i]) || strncmp(at + strlen(kinds[i]), "-hb-", 4) == 0 ||
		    strncmp(at + strlen(kinds[i]), "-takeover-", 10) == 0)
			return 1;
	}
	return 0;
}

/* ---- identity ---- */

/* Keep [A-Za-z0-9._:-], so a value never ends the literal or a token. */
static char *clean(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	char *o;
	if (n > max)
		n = max;
	o = pc_malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		o[i] = (char)(isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-' ? c : '-');
	}
	o[n] = '\0';
	return o;
}

static char *read_line_file(const char *path)
{
	char buf[128] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return pc_strdup("");
	if (!fgets(buf, sizeof buf, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return clean(buf, 64);
}

/* Field 22 of /proc/<pid>/stat: the process start in clock ticks since boot; 0 unknown. */
static long long proc_start(long pid)
{
	char path[64], buf[1024];
	const char *p;
	FILE *f;
	size_t n;
	long long v = 0;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return 0;
	p++;
	/* after ')': field 3 (state) ... field 22 */
	for (int field = 3; field < 22 && *p; field++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
	}
	while (*p == ' ')
		p++;
	v = strtoll(p, NULL, 10);
	return v > 0 ? v : 0;
}

static char *pid_namespace(void)
{
	char buf[64];
	ssize_t n = readlink("/proc/self/ns/pid", buf, sizeof buf - 1);
	if (n <= 0)
		return pc_strdup("");
	buf[n] = '\0';
	return clean(buf, 40);
}

static char *random_run(void)
{
	unsigned char b[6];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, b, sizeof b) : -1;
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof b) {
		uint64_t x = (uint64_t)pc_wall_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)pc_mono_ms();
		for (size_t i = 0; i < sizeof b; i++, x >>= 8)
			b[i] = (unsigned char)x;
	}
	return pc_sprintf("%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

void pc_lock_self(pc_lock_info *i, const char *run, const char *command, int64_t ttl_ms)
{
	char host[256] = "";
	memset(i, 0, sizeof *i);
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	i->host = clean(host[0] ? host : "unknown", 63);
	i->pid = (long)getpid();
	i->start = proc_start(i->pid);
	i->boot = read_line_file("/proc/sys/kernel/random/boot_id");
	i->pidns = pid_namespace();
	i->run = run ? clean(run, 32) : random_run();
	i->command = clean(command && *command ? command : "pipectl", 32);
	i->ttl_ms = ttl_ms;
	i->phase = pc_strdup("");
	i->name = pc_strdup("");
}

void pc_lock_info_dispose(pc_lock_info *i)
{
	if (!i)
		return;
	free(i->name);
	free(i->run);
	free(i->host);
	free(i->command);
	free(i->phase);
	free(i->boot);
	free(i->pidns);
	memset(i, 0, sizeof *i);
}

char *pc_lock_sql(const char *role, const pc_lock_info *h, long long seq, const char *of)
{
	return pc_sprintf("SHOW TABLES LIKE '" PC_LOCK_MARK " v=1 role=%s run=%s host=%s pid=%ld start=%lld boot=%s "
			  "pidns=%s cmd=%s ttl_ms=%lld seq=%lld%s%s'",
			  role, h->run, h->host, h->pid, h->start, h->boot[0] ? h->boot : "-",
			  h->pidns[0] ? h->pidns : "-", h->command, (long long)h->ttl_ms, seq, of ? " of=" : "",
			  of ? of : "");
}

/* Parse a lock statement's SQL text into i (identity fields). 0, or -1 when it is not pipectl's. */
static int parse_sql(const char *sql, pc_lock_info *i, char **role, char **of)
{
	const char *p = sql ? strstr(sql, "'" PC_LOCK_MARK " ") : NULL;
	if (role)
		*role = NULL;
	if (of)
		*of = NULL;
	if (!p)
		return -1;
	p += strlen(PC_LOCK_MARK) + 2;
	while (*p && *p != '\'') {
		const char *k = p, *eq, *v, *end;
		char *val;
		while (*p && *p != ' ' && *p != '\'')
			p++;
		end = p;
		while (*p == ' ')
			p++;
		if (!(eq = memchr(k, '=', (size_t)(end - k))))
			continue;
		v = eq + 1;
		val = pc_strndup(v, (size_t)(end - v));
#define KEY(s) ((size_t)(eq - k) == strlen(s) && strncmp(k, s, strlen(s)) == 0)
		if (KEY("run")) {
			free(i->run);
			i->run = val;
		} else if (KEY("host")) {
			free(i->host);
			i->host = val;
		} else if (KEY("cmd")) {
			free(i->command);
			i->command = val;
		} else if (KEY("boot")) {
			free(i->boot);
			i->boot = val;
		} else if (KEY("pidns")) {
			free(i->pidns);
			i->pidns = val;
		} else if (KEY("role") && role && !*role) {
			*role = val;
		} else if (KEY("of") && of && !*of) {
			*of = val;
		} else {
			if (KEY("pid"))
				i->pid = strtol(val, NULL, 10);
			else if (KEY("start"))
				i->start = strtoll(val, NULL, 10);
			else if (KEY("ttl_ms"))
				i->ttl_ms = strtoll(val, NULL, 10);
			free(val);
		}
#undef KEY
	}
	return 0;
}

/* Same host: host name, boot and pid namespace all equal to ours (so its pid means a process here). */
static void judge_host(pc_lock_info *i)
{
	pc_lock_info me;
	pc_lock_self(&me, "x", NULL, 0);
	i->same_host = i->host && i->boot && i->pidns && me.boot[0] && me.pidns[0] && strcmp(i->host, me.host) == 0 &&
		       strcmp(i->boot, me.boot) == 0 && strcmp(i->pidns, me.pidns) == 0;
	i->alive = -1;
	if (i->same_host && i->pid > 0) {
		if (kill((pid_t)i->pid, 0) == 0 || errno == EPERM) {
			long long st = proc_start(i->pid);
			/* a reused pid: another process started at another time */
			i->alive = (i->start && st && st != i->start) ? 0 : 1;
		} else {
			i->alive = errno == ESRCH ? 0 : 1;
		}
	}
	pc_lock_info_dispose(&me);
}

int pc_lock_info_lapsed(const pc_lock_info *i, int64_t now_ms)
{
	int64_t ttl = i->ttl_ms > 0 ? i->ttl_ms : PC_LOCK_TTL_MS_DEFAULT;
	if (i->same_host && i->alive == 0)
		return 1;
	return now_ms - i->beat_ms >= ttl;
}

char *pc_lock_info_describe(const pc_lock_info *i)
{
	char since[40] = "an unknown time", beat[40] = "never";
	const char *state = i->same_host ? (i->alive == 0 ? ", gone" : ", running") : "";
	if (i->since_ms)
		pc_iso8601(i->since_ms, since, sizeof since);
	if (i->beat_ms)
		pc_iso8601(i->beat_ms, beat, sizeof beat);
	if (!i->run || !i->run[0])
		return pc_sprintf("an unknown holder (statement '%s' is not pipectl's) since %s", i->name, since);
	return pc_sprintf("%s run %s on host %s (pid %ld%s) since %s, last heartbeat %s", i->command ? i->command : "?",
			  i->run, i->host ? i->host : "?", i->pid, state, since, beat);
}

/* GET that reads a deleted statement's 403 as gone (the service may answer either). */
static int get_stmt(pc_provider *p, const char *name, pc_statement **out)
{
	int rc = p->ops->get_statement(p, name, out);
	if (rc == PC_EAUTH) {
		pc_statement_free(*out);
		*out = NULL;
		rc = pc_error_set(PC_ENOTFOUND, "statement '%s' is gone (403)", name);
	}
	return rc;
}

/* The run id an anchor names ("" when not pipectl's): one GET. */
static int read_anchor_run(pc_provider *p, const char *name, char **run)
{
	pc_statement *st = NULL;
	pc_lock_info i = { 0 };
	int rc;
	*run = NULL;
	if ((rc = get_stmt(p, name, &st)) != 0)
		return rc;
	*run = pc_strdup(parse_sql(st->sql, &i, NULL, NULL) == 0 && i.run ? i.run : "");
	pc_lock_info_dispose(&i);
	pc_statement_free(st);
	return 0;
}

/* Read the holder of anchor `name`: its identity and newest lease. PC_ENOTFOUND when no anchor. */
static int read_holder(pc_provider *p, const char *name, pc_lock_info *out)
{
	pc_statement *st = NULL;
	int rc;

	pc_lock_info_dispose(out);
	out->name = pc_strdup(name);
	if ((rc = get_stmt(p, name, &st)) != 0)
		return rc;
	out->phase = pc_strdup(st->phase ? st->phase : "");
	out->ph = st->ph;
	if (parse_sql(st->sql, out, NULL, NULL) != 0 || !out->run) {
		free(out->run);
		out->run = pc_strdup("");
	}
	out->since_ms = out->beat_ms = pc_parse_iso8601_ms(st->created_at);
	if (out->since_ms == 0)
		out->since_ms = out->beat_ms = pc_wall_ms(); /* no timestamp: count it fresh */
	pc_statement_free(st);
	st = NULL;
	for (int s = 0; out->run[0] && s < PC_LOCK_SLOTS; s++) {
		char *sn = slot_name(name, s);
		pc_lock_info hb = { 0 };
		if (get_stmt(p, sn, &st) == 0 && parse_sql(st->sql, &hb, NULL, NULL) == 0 && hb.run &&
		    strcmp(hb.run, out->run) == 0) {
			int64_t t = pc_parse_iso8601_ms(st->created_at);
			if (t > out->beat_ms)
				out->beat_ms = t;
		}
		pc_lock_info_dispose(&hb);
		pc_statement_free(st);
		st = NULL;
		free(sn);
	}
	pc_error_clear();
	judge_host(out);
	return 0;
}

int pc_lock_inspect(pc_provider *p, const char *prefix, const char *kind, pc_lock_info *out)
{
	char *name = anchor_name(prefix, kind);
	int rc;
	memset(out, 0, sizeof *out);
	rc = read_holder(p, name, out);
	free(name);
	return rc;
}

/* ---- creating and deleting lock statements ---- */

static int create_lock_stmt(pc_lock *l, const char *name, const char *role, long long seq, const char *of,
			    int64_t *created_ms)
{
	pc_kvlist labels = PC_VEC_INIT;
	pc_statement *st = NULL;
	pc_statement_spec spec = { 0 };
	char *sql = pc_lock_sql(role, &l->me, seq, of);
	int rc;

	pc_kv_set(&labels, PC_LOCK_LABEL, role); /* a hint for people; never read */
	spec.name = name;
	spec.sql = sql;
	spec.compute_pool_id = l->p->default_pool;
	spec.principal = l->p->principal;
	spec.labels = &labels;
	rc = l->p->ops->create_statement(l->p, &spec, &st);
	if (rc == 0 && created_ms) {
		*created_ms = st ? pc_parse_iso8601_ms(st->created_at) : 0;
		if (!*created_ms)
			*created_ms = pc_wall_ms();
	}
	pc_statement_free(st);
	pc_kv_dispose(&labels);
	free(sql);
	return rc;
}

static int delete_gone_ok(pc_provider *p, const char *name)
{
	int rc = p->ops->delete_statement(p, name);
	if (rc == PC_ENOTFOUND || rc == PC_EAUTH) {
		pc_error_clear();
		return 0;
	}
	return rc;
}

/* Delete the holder's heartbeats (those whose text names run). */
static void delete_beats_of(pc_provider *p, const char *anchor, const char *run, int any)
{
	for (int s = 0; s < PC_LOCK_SLOTS; s++) {
		char *sn = slot_name(anchor, s);
		pc_statement *st = NULL;
		pc_lock_info hb = { 0 };
		if (get_stmt(p, sn, &st) == 0 &&
		    (any || (parse_sql(st->sql, &hb, NULL, NULL) == 0 && hb.run && strcmp(hb.run, run) == 0)))
			delete_gone_ok(p, sn);
		pc_lock_info_dispose(&hb);
		pc_statement_free(st);
		free(sn);
	}
	pc_error_clear();
}

static void delete_claims_of(pc_provider *p, const char *anchor, const char *run, int upto)
{
	for (int k = 1; k <= upto; k++) {
		char *cn = claim_name(anchor, run, k);
		delete_gone_ok(p, cn);
		free(cn);
	}
	pc_error_clear();
}

/*
 * Remove the anchor of the lapsed holder in *held. The one process whose
 * claim "<anchor>-takeover-<run>-<k>" was created may delete it; a claim
 * older than the lock's TTL was abandoned and the next k is tried.
 * 0: the anchor is gone (deleted by us, or already); 1: somebody else is
 * taking it over (wait); < 0: error.
 */
static int take_over(pc_provider *p, pc_lock_info *self, const char *anchor, const pc_lock_info *held,
		     int64_t ttl_ms)
{
	pc_lock_info now = { 0 };
	int k, rc = 0;

	for (k = 1; k <= CLAIMS_MAX; k++) {
		char *cn = claim_name(anchor, held->run, k);
		pc_kvlist labels = PC_VEC_INIT;
		pc_statement_spec spec = { 0 };
		pc_statement *st = NULL;
		char *sql = pc_lock_sql("takeover", self, k, held->run[0] ? held->run : "unknown");

		pc_kv_set(&labels, PC_LOCK_LABEL, "takeover");
		spec.name = cn;
		spec.sql = sql;
		spec.compute_pool_id = p->default_pool;
		spec.principal = p->principal;
		spec.labels = &labels;
		rc = p->ops->create_statement(p, &spec, &st);
		pc_statement_free(st);
		st = NULL;
		pc_kv_dispose(&labels);
		free(sql);
		if (rc == PC_EEXISTS || rc == PC_ECONFLICT) {
			pc_lock_info c = { 0 };
			int64_t at = 0;
			rc = get_stmt(p, cn, &st);
			if (rc == 0) {
				parse_sql(st->sql, &c, NULL, NULL);
				at = pc_parse_iso8601_ms(st->created_at);
			}
			pc_statement_free(st);
			free(cn);
			if (rc == PC_ENOTFOUND) {
				pc_lock_info_dispose(&c);
				pc_error_clear();
				return 1; /* it went away meanwhile: look at the lock again */
			}
			if (rc != 0) {
				pc_lock_info_dispose(&c);
				return rc;
			}
			if (c.run && strcmp(c.run, self->run) == 0) {
				pc_lock_info_dispose(&c);
				rc = 0;
				break; /* ours: a create whose answer was lost */
			}
			pc_lock_info_dispose(&c);
			if (at && pc_wall_ms() - at < ttl_ms)
				return 1; /* a live taker: wait */
			continue; /* abandoned: the next claim */
		}
		free(cn);
		if (rc != 0)
			return pc_error_wrap("could not claim the takeover of the lock '%s'", anchor);
		break;
	}
	if (k > CLAIMS_MAX)
		return pc_error_set(PC_ELOCKED,
				    "the lock '%s' has %d abandoned takeovers of %s: end it with `pipectl unlock --force`",
				    anchor, CLAIMS_MAX, held->run);
	/* We hold the claim: the anchor may be deleted by us alone, if it is still the lapsed holder's. */
	rc = read_holder(p, anchor, &now);
	if (rc == 0 && strcmp(now.run, held->run) == 0) {
		if ((rc = delete_gone_ok(p, anchor)) != 0) {
			pc_error_wrap("could not delete the lapsed lock '%s'", anchor);
			goto done;
		}
		delete_beats_of(p, anchor, held->run, 0);
	} else if (rc == PC_ENOTFOUND) {
		pc_error_clear();
	} else if (rc != 0) {
		goto done;
	}
	rc = 0;
done:
	delete_claims_of(p, anchor, held->run, k);
	pc_lock_info_dispose(&now);
	return rc;
}

/* ---- acquire ---- */

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

static int locked_error(const pc_lock_info *info)
{
	char *who = pc_lock_info_describe(info);
	int rc = pc_error_set(PC_ELOCKED, "locked by %s (statement '%s'; it lapses %lld s after the last heartbeat)",
			      who, info->name, (long long)(info->ttl_ms / 1000));
	free(who);
	return rc;
}

static void sleep_cancelable(int64_t ms, volatile sig_atomic_t *cancel)
{
	int64_t end = pc_mono_ms() + ms;
	while (!(cancel && *cancel)) {
		int64_t left = end - pc_mono_ms();
		if (left <= 0)
			break;
		pc_sleep_ms(left < 100 ? left : 100);
	}
}

/*
 * After our anchor was created: heartbeats of another run in the slots mean
 * a holder whose anchor vanished (deleted by hand or by the service) may
 * still act. Wait until they lapse (bounded by their TTL), deleting the
 * lapsed ones, so that its last possible action is over before ours start.
 */
static int settle_slots(pc_lock *l, volatile sig_atomic_t *cancel, int64_t poll_ms)
{
	for (int s = 0; s < PC_LOCK_SLOTS; s++) {
		char *sn = slot_name(l->name, s);
		for (;;) {
			pc_statement *st = NULL;
			pc_lock_info hb = { 0 };
			int rc = get_stmt(l->p, sn, &st), live = 0;
			if (rc == 0) {
				if (parse_sql(st->sql, &hb, NULL, NULL) != 0 || !hb.run || strcmp(hb.run, l->me.run) != 0) {
					hb.beat_ms = pc_parse_iso8601_ms(st->created_at);
					if (!hb.ttl_ms)
						hb.ttl_ms = l->ttl_ms;
					judge_host(&hb);
					live = !pc_lock_info_lapsed(&hb, pc_wall_ms());
					if (!live)
						delete_gone_ok(l->p, sn);
				}
			}
			pc_statement_free(st);
			pc_lock_info_dispose(&hb);
			pc_error_clear();
			if (!live)
				break;
			if (cancel && *cancel) {
				int e = pc_error_set(PC_ECANCELED, "interrupted while waiting for the heartbeat '%s' to lapse",
						     sn);
				free(sn);
				return e;
			}
			sleep_cancelable(poll_ms, cancel);
		}
		free(sn);
	}
	return 0;
}

static void *heartbeat_main(void *arg);

static void lock_free(pc_lock *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->name);
	pc_lock_info_dispose(&l->me);
	free(l->lost_reason);
	free(l);
}

int pc_lock_acquire(pc_lock **out, pc_provider *p, const pc_lock_opts *opts)
{
	pc_lock *l = NULL;
	pc_lock_info info = { 0 };
	int64_t deadline, poll_ms, deleting_until = 0, own_delete_until = 0;
	int churn = 0, rc;

	*out = NULL;
	if (!opts || !opts->prefix || !*opts->prefix)
		return pc_error_set(PC_EINVALID, "lock: no statement prefix configured");
	l = PC_NEW(pc_lock);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->p = p;
	l->name = anchor_name(opts->prefix, opts->kind);
	l->ttl_ms = opts->ttl_ms > 0 ? opts->ttl_ms : PC_LOCK_TTL_MS_DEFAULT;
	pc_lock_self(&l->me, NULL, opts->command, l->ttl_ms);
	l->heartbeat_ms = opts->heartbeat_ms != 0 ? opts->heartbeat_ms : l->ttl_ms / 3;
	l->slot = -1;
	poll_ms = opts->poll_ms > 0 ? opts->poll_ms : DEFAULT_POLL_MS;
	deadline = pc_mono_ms() + (opts->timeout_ms > 0 ? opts->timeout_ms : 0);

	for (;;) {
		int64_t left, sent = pc_mono_ms(), created = 0;

		if (opts->cancel && *opts->cancel) {
			rc = pc_error_set(PC_ECANCELED, "interrupted while waiting for the lock '%s'", l->name);
			goto done;
		}
		rc = create_lock_stmt(l, l->name, "anchor", 0, NULL, &created);
		if (rc == 0) {
			l->fresh_mono = sent;
			break;
		}
		if (rc != PC_ECONFLICT && rc != PC_EEXISTS) {
			pc_error_wrap("could not take the lock '%s'", l->name);
			goto done;
		}
		rc = read_holder(p, l->name, &info);
		left = deadline - pc_mono_ms();
		if (rc == PC_ENOTFOUND) {
			/* released between our create and our read: bounded, never a hot loop */
			if (++churn > CHURN_MAX && left <= 0) {
				rc = pc_error_set(PC_ELOCKED, "the lock '%s' was taken and released %d times while we tried: giving up",
						  l->name, churn);
				goto done;
			}
			sleep_cancelable(CHURN_SLEEP_MS, opts->cancel);
			continue;
		}
		if (rc != 0) {
			pc_error_wrap("could not read the lock '%s'", l->name);
			goto done;
		}
		if (info.run[0] && strcmp(info.run, l->me.run) == 0) {
			l->fresh_mono = sent; /* ours: a create whose answer was lost */
			break;
		}
		if (info.ph == PC_PHASE_DELETING) {
			char *who = pc_lock_info_describe(&info);
			if (!deleting_until)
				deleting_until = (deadline > pc_mono_ms() ? deadline : pc_mono_ms()) + DELETING_GRACE_MS;
			if (deleting_until < own_delete_until)
				deleting_until = own_delete_until; /* our own takeover's delete is under way */
			if (pc_mono_ms() >= deleting_until) {
				rc = pc_error_set(PC_ELOCKED, "the lock '%s' of %s is still being deleted (phase DELETING): try again later",
						  l->name, who);
				free(who);
				goto done;
			}
			free(who);
			sleep_cancelable(poll_ms < 500 ? poll_ms : 500, opts->cancel);
			continue;
		}
		if (pc_lock_info_lapsed(&info, pc_wall_ms())) {
			rc = take_over(p, &l->me, l->name, &info, info.ttl_ms > 0 ? info.ttl_ms : l->ttl_ms);
			if (rc < 0)
				goto done;
			if (rc == 0) {
				own_delete_until = pc_mono_ms() + OWN_DELETE_WAIT_MS;
				continue; /* the lapsed anchor is gone (or going): create ours */
			}
		}
		if (left <= 0) {
			rc = locked_error(&info);
			goto done;
		}
		sleep_cancelable(left < poll_ms ? left : poll_ms, opts->cancel);
	}

	if ((rc = settle_slots(l, opts->cancel, poll_ms < 500 ? poll_ms : 500)) != 0) {
		char *msg = pc_strdup(pc_error_last());
		pc_lock_release(l);
		l = NULL;
		rc = pc_error_set(rc, "%s", msg);
		free(msg);
		goto done;
	}
	if (l->heartbeat_ms > 0) {
		if (pthread_create(&l->thread, NULL, heartbeat_main, l) != 0) {
			pc_lock_release(l);
			l = NULL;
			rc = pc_error_set(PC_ERROR, "could not start the lock heartbeat thread");
			goto done;
		}
		l->thread_running = 1;
	}
	*out = l;
	l = NULL;
	rc = 0;
done:
	pc_lock_info_dispose(&info);
	lock_free(l);
	return rc;
}

/* ---- hold ---- */

int pc_lock_renew(pc_lock *l)
{
	pc_lock_info a = { 0 };
	int rc, slot;

	rc = read_holder(l->p, l->name, &a);
	if (rc == PC_ENOTFOUND) {
		/* our anchor vanished (the service's clean-up, or by hand): create it again, atomically */
		rc = create_lock_stmt(l, l->name, "anchor", 0, NULL, NULL);
		if (rc == PC_EEXISTS || rc == PC_ECONFLICT) {
			mark_lost(l, pc_sprintf("the lock '%s' was deleted and taken by another process", l->name));
			rc = pc_error_set(PC_ELOCKED, "lost the lock '%s': deleted and taken by another process", l->name);
		}
		if (rc != 0)
			goto done;
	} else if (rc != 0) {
		goto done;
	} else if (strcmp(a.run, l->me.run) != 0 || a.ph == PC_PHASE_DELETING) {
		char *who = pc_lock_info_describe(&a);
		mark_lost(l, pc_sprintf("the lock '%s' is now %s", l->name,
					strcmp(a.run, l->me.run) ? who : "being deleted"));
		rc = pc_error_set(PC_ELOCKED, "lost the lock '%s': %s", l->name,
				  strcmp(a.run, l->me.run) ? who : "being deleted");
		free(who);
		goto done;
	}
	/* the next slot; one that is taken is stepped over (a slow delete, a lapsed holder's leftover) */
	slot = l->slot;
	for (int tries = 0; tries < PC_LOCK_SLOTS; tries++) {
		char *sn;
		int64_t sent;
		slot = (slot + 1) % PC_LOCK_SLOTS;
		if (slot == l->slot)
			continue;
		sn = slot_name(l->name, slot);
		sent = pc_mono_ms();
		rc = create_lock_stmt(l, sn, "heartbeat", l->seq + 1, NULL, NULL);
		if (rc == 0) {
			int old = l->slot;
			pthread_mutex_lock(&l->mu);
			l->fresh_mono = sent;
			l->slot = slot;
			l->seq++;
			pthread_mutex_unlock(&l->mu);
			free(sn);
			if (old >= 0) {
				char *on = slot_name(l->name, old);
				delete_gone_ok(l->p, on);
				free(on);
				pc_error_clear();
			}
			goto done;
		}
		if (rc == PC_EEXISTS || rc == PC_ECONFLICT) {
			pc_statement *st = NULL;
			pc_lock_info hb = { 0 };
			if (get_stmt(l->p, sn, &st) == 0 && parse_sql(st->sql, &hb, NULL, NULL) == 0 && hb.run &&
			    strcmp(hb.run, l->me.run) != 0) {
				hb.beat_ms = pc_parse_iso8601_ms(st->created_at);
				judge_host(&hb);
				if (!pc_lock_info_lapsed(&hb, pc_wall_ms())) {
					mark_lost(l, pc_sprintf("another holder (run %s) renews the lock '%s'", hb.run, l->name));
					rc = pc_error_set(PC_ELOCKED, "lost the lock '%s': run %s renews it", l->name, hb.run);
					pc_lock_info_dispose(&hb);
					pc_statement_free(st);
					free(sn);
					goto done;
				}
			}
			/* ours from before, or lapsed: remove it, and use the next slot now */
			delete_gone_ok(l->p, sn);
			pc_lock_info_dispose(&hb);
			pc_statement_free(st);
			pc_error_clear();
			free(sn);
			continue;
		}
		free(sn);
		goto done;
	}
	if (rc == 0 || rc == PC_EEXISTS || rc == PC_ECONFLICT)
		rc = pc_error_set(PC_ECONFLICT, "could not renew the lock '%s': every heartbeat slot is taken", l->name);
done:
	pc_lock_info_dispose(&a);
	return rc;
}

/* Lost by time: no lease younger than 2/3 of the TTL (others may judge us lapsed at one TTL). */
static int expired_locally(pc_lock *l)
{
	int64_t fresh;
	pthread_mutex_lock(&l->mu);
	fresh = l->fresh_mono;
	pthread_mutex_unlock(&l->mu);
	return pc_mono_ms() - fresh >= l->ttl_ms * 2 / 3;
}

static void *heartbeat_main(void *arg)
{
	pc_lock *l = arg;
	int64_t wait = l->heartbeat_ms;

	pthread_mutex_lock(&l->mu);
	while (!l->stopping && !l->lost) {
		struct timespec ts;
		int64_t at = pc_wall_ms() + wait;
		ts.tv_sec = (time_t)(at / 1000);
		ts.tv_nsec = (long)(at % 1000) * 1000000;
		while (!l->stopping && pc_wall_ms() < at)
			pthread_cond_timedwait(&l->cv, &l->mu, &ts);
		if (l->stopping)
			break;
		pthread_mutex_unlock(&l->mu);
		wait = l->heartbeat_ms;
		if (pc_lock_renew(l) != 0) {
			/* a failed renewal (network, 5xx) is retried sooner; past 2/3 TTL the lock counts as lost */
			wait = l->heartbeat_ms / 4 > 0 ? l->heartbeat_ms / 4 : 1;
			if (expired_locally(l))
				mark_lost(l, pc_sprintf("could not renew the lock '%s' in time: %s", l->name,
							pc_error_last()));
		}
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int pc_lock_lost(pc_lock *l, const char **reason)
{
	int lost;
	if (!l)
		return 0;
	if (l->heartbeat_ms > 0 && expired_locally(l))
		mark_lost(l, pc_sprintf("no heartbeat of the lock '%s' succeeded within 2/3 of its TTL", l->name));
	pthread_mutex_lock(&l->mu);
	lost = l->lost;
	if (reason)
		*reason = l->lost_reason;
	pthread_mutex_unlock(&l->mu);
	return lost;
}

const char *pc_lock_holder(const pc_lock *l)
{
	return l ? l->me.run : NULL;
}

/* ---- release ---- */

int pc_lock_release(pc_lock *l)
{
	char *run = NULL;
	int rc = 0, safe;

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
	/*
	 * Only while nobody can have judged us lapsed: lost, or past 2/3 of the
	 * TTL, the anchor may already be another holder's, and a delete by name
	 * would end that one's lock. It is then left to lapse.
	 */
	safe = !l->lost && !expired_locally(l);
	if (!safe)
		goto done;
	rc = read_anchor_run(l->p, l->name, &run);
	if (rc == PC_ENOTFOUND) {
		rc = 0;
		pc_error_clear();
		goto done;
	}
	if (rc != 0) {
		pc_error_wrap("could not release the lock '%s'", l->name);
		goto done;
	}
	if (strcmp(run, l->me.run) != 0)
		goto done; /* not ours any more: leave it to its holder */
	if ((rc = delete_gone_ok(l->p, l->name)) != 0) {
		pc_error_wrap("could not release the lock '%s'", l->name);
		goto done;
	}
	if (l->slot >= 0) {
		char *sn = slot_name(l->name, l->slot);
		delete_gone_ok(l->p, sn);
		free(sn);
		pc_error_clear();
	}
	/* bounded: the next process should find it free, not DELETING */
	for (int64_t until = pc_mono_ms() + RELEASE_WAIT_MS, nap = 50; pc_mono_ms() < until; nap = nap < 800 ? nap * 2 : nap) {
		pc_statement *st = NULL;
		int g = get_stmt(l->p, l->name, &st);
		pc_statement_free(st);
		if (g != 0)
			break;
		pc_sleep_ms(nap);
	}
	pc_error_clear();
	rc = 0;
done:
	free(run);
	lock_free(l);
	return rc;
}

/* ---- unlock ---- */

int pc_lock_break(pc_provider *p, const char *prefix, const char *kind, int force, pc_lock_info *info)
{
	pc_lock_info h = { 0 }, self;
	char *anchor = anchor_name(prefix, kind);
	int rc;

	pc_lock_self(&self, NULL, "unlock", PC_LOCK_TTL_MS_DEFAULT);
	if ((rc = read_holder(p, anchor, &h)) != 0)
		goto done;
	if (force) {
		if ((rc = delete_gone_ok(p, anchor)) != 0) {
			pc_error_wrap("could not delete the lock '%s'", anchor);
			goto done;
		}
		delete_beats_of(p, anchor, "", 1);
		for (int k = 1; h.run[0] && k <= CLAIMS_MAX; k++) {
			char *cn = claim_name(anchor, h.run, k);
			delete_gone_ok(p, cn);
			free(cn);
		}
		pc_error_clear();
		goto done;
	}
	if (!pc_lock_info_lapsed(&h, pc_wall_ms())) {
		char *who = pc_lock_info_describe(&h);
		rc = pc_error_set(PC_ELOCKED, "the lock '%s' is held by %s, which %s: not unlocked (use --force if it is certainly dead)",
				  anchor, who, h.same_host && h.alive == 1 ? "is running on this host" : "has not lapsed yet");
		free(who);
		goto done;
	}
	rc = take_over(p, &self, anchor, &h, h.ttl_ms > 0 ? h.ttl_ms : PC_LOCK_TTL_MS_DEFAULT);
	if (rc == 1)
		rc = pc_error_set(PC_ELOCKED, "the lock '%s' is being taken over by another process right now", anchor);
done:
	if (info) {
		*info = h;
		memset(&h, 0, sizeof h);
	}
	pc_lock_info_dispose(&h);
	pc_lock_info_dispose(&self);
	free(anchor);
	return rc;
}
