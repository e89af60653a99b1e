/*
 * local.c - the `local` target: the provider interface over the simulation
 * (sim.h) run in-process, its state in a JSON file under the project root
 * (config `local.state`, default .pipectl/local-state.json).
 *
 * Every operation takes a process mutex and an flock on "<state>.lock",
 * reloads the state file when another process changed it, and runs. Changes
 * are saved atomically (temp + rename) at once, or, when the last save is
 * less than 200 ms old, by a flusher thread 200 ms after it (and when the
 * provider is freed); the flock is held until they are saved. Two pipectl
 * processes on one project therefore never interleave half-written state. Timestamps
 * are wall-clock, so statements move on between runs. A state file that does
 * not parse is an error, never silently reset.
 */
#include "provider.h"
#include "sim.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCAL_ENV "env-local"
#define LOCAL_ORG "local"
#define LOCAL_DDL_MS 100
#define LOCAL_PENDING_MS 200
#define LOCAL_TOPIC_LINGER_MS 300
#define SAVE_EVERY_MS 200

typedef struct local_impl {
	char *label;        /* the configured path, for messages */
	char *path;         /* absolute or root-relative path of the state file */
	char *lock_path;
	pthread_mutex_t mu;
	pc_sim *sim;
	int loaded;         /* file identity below is valid */
	struct stat seen;   /* the file as last loaded or saved */
	uint64_t saved_changes;
	int lock_fd;        /* >= 0 while we hold the flock */
	int dirty;          /* changes not saved yet (the flock is held) */
	int64_t last_save_ms;
	const pc_config *cfg; /* borrowed: its `externals:` are created when missing */
	int seeded;         /* externals were created by begin(): the operation changed the state */
	pthread_cond_t cv;  /* wakes the flusher */
	pthread_t thread;
	int closing;
} local_impl;

static local_impl *impl(pc_provider *p)
{
	return p->impl;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void unlock_file(local_impl *l)
{
	if (l->lock_fd >= 0) {
		flock(l->lock_fd, LOCK_UN);
		close(l->lock_fd);
		l->lock_fd = -1;
	}
}

/* Write the state (caller holds mu and the flock). */
static int save(local_impl *l)
{
	pc_buf b = PC_BUF_INIT;
	struct stat stt;
	int rc;
	pc_sim_save_json(l->sim, &b);
	rc = pc_fs_write_atomic(l->path, b.ptr, b.len);
	pc_buf_dispose(&b);
	l->last_save_ms = pc_mono_ms();
	l->dirty = 0;
	if (rc == 0) {
		l->saved_changes = l->sim->changes;
		if (stat(l->path, &stt) == 0) {
			l->seen = stt;
			l->loaded = 1;
		}
	} else {
		l->loaded = 0; /* reload what is on disk next time */
	}
	return rc;
}

/*
 * Lock, then bring the in-memory state up to date with the file. While our
 * own unsaved changes are pending we still hold the flock, and the file is
 * ours: nothing to reload.
 */
static int begin(local_impl *l)
{
	struct stat stt;
	char *text = NULL, *dir = NULL;
	size_t len = 0;
	int rc = 0;

	pthread_mutex_lock(&l->mu);
	if (l->lock_fd >= 0)
		return 0;
	dir = pc_path_dirname(l->path);
	if ((rc = pc_fs_mkdirs(dir)) != 0)
		goto fail;
	l->lock_fd = open(l->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (l->lock_fd < 0) {
		rc = pc_error_set(PC_EIO, "could not open '%s': %s", l->lock_path, strerror(errno));
		goto fail;
	}
	while (flock(l->lock_fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			rc = pc_error_set(PC_EIO, "could not lock '%s': %s", l->lock_path, strerror(errno));
			goto fail;
		}
	}
	if (stat(l->path, &stt) == 0) {
		if (!l->loaded || !same_file(&stt, &l->seen)) {
			if ((rc = pc_fs_read(&text, &len, l->path)) != 0)
				goto fail;
			if ((rc = pc_sim_load_json(l->sim, text, len, l->label)) != 0) {
				char *msg = pc_strdup(pc_error_last());
				const char *tail = strstr(msg, "': ");
				rc = pc_error_set(PC_EPARSE, "could not load local state '%s': %s", l->label,
						  tail ? tail + 3 : msg);
				free(msg);
				l->loaded = 0;
				goto fail;
			}
			l->seen = stt;
			l->loaded = 1;
			l->saved_changes = l->sim->changes;
		}
	} else if (errno == ENOENT) {
		if (l->loaded) { /* removed by someone: start afresh */
			pc_sim__reset(l->sim);
			l->loaded = 0;
		}
	} else {
		rc = pc_error_set(PC_EIO, "could not read '%s': %s", l->label, strerror(errno));
		goto fail;
	}
	{
		/* the declared externals exist on the local target as they would on Confluent */
		int n = 0;
		if ((rc = pc_sim_seed_externals(l->sim, pc_wall_ms(), l->cfg, &n)) != 0)
			goto fail;
		if (n)
			l->seeded = 1;
	}
	free(dir);
	free(text);
	return 0;
fail:
	unlock_file(l);
	pthread_mutex_unlock(&l->mu);
	free(dir);
	free(text);
	return rc;
}

/*
 * After an operation. A changing operation (mutating) marks the state
 * dirty; it is saved at once when the last save is SAVE_EVERY_MS old, else
 * by the flusher thread SAVE_EVERY_MS after the last save, and the flock is
 * held until then, so no other process sees or writes a state without our
 * changes. Reads may move the simulation on in memory (phases, offsets);
 * that alone is not saved: it is a pure function of the saved state and the
 * clock, so the next process derives the same. Returns rc, or the save's
 * error.
 */
static int end_op(local_impl *l, int rc, int mutating)
{
	int err = 0;
	if ((mutating || l->seeded) && l->sim->changes != l->saved_changes)
		l->dirty = 1;
	l->seeded = 0;
	if (l->dirty && pc_mono_ms() - l->last_save_ms >= SAVE_EVERY_MS)
		err = save(l);
	if (l->dirty)
		pthread_cond_signal(&l->cv);
	else
		unlock_file(l);
	pthread_mutex_unlock(&l->mu);
	return rc ? rc : err;
}

/* Saves pending changes in the background and releases the flock. */
static void *flusher(void *arg)
{
	local_impl *l = arg;
	pthread_mutex_lock(&l->mu);
	while (!l->closing) {
		if (l->dirty) {
			int64_t wait = l->last_save_ms + SAVE_EVERY_MS - pc_mono_ms();
			if (wait <= 0) {
				save(l);
				unlock_file(l);
				continue;
			}
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(wait / 1000);
			ts.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&l->cv, &l->mu, &ts);
		} else {
			pthread_cond_wait(&l->cv, &l->mu);
		}
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static int64_t now_ms(void)
{
	return pc_wall_ms();
}

static char *iso(int64_t ms)
{
	char t[40];
	pc_iso8601(ms, t, sizeof(t));
	return pc_strdup(t);
}

static pc_statement *to_statement(const pc_sim_stmt *s)
{
	pc_statement *st = PC_NEW(pc_statement);
	st->name = pc_strdup(s->name);
	st->sql = pc_strdup(s->sql);
	pc_statement_set_phase(st, pc_sim_phase_name(s->phase));
	st->detail = pc_strdup(s->detail ? s->detail : "");
	st->compute_pool_id = pc_strdup(s->compute_pool_id);
	st->principal = pc_strdup(s->principal);
	st->stopped = s->stopped;
	st->resource_version = pc_sprintf("%lld", (long long)s->resource_version);
	st->created_at = iso(s->created_ms);
	st->updated_at = iso(s->updated_ms);
	st->uid = pc_strdup(s->uid);
	st->sql_kind = pc_strdup(s->sql_kind);
	st->is_append_only = !s->stateful && !s->op_upsert;
	pc_kv_copy(&st->properties, &s->properties);
	pc_kv_copy(&st->labels, &s->labels);
	if (s->phase == PC_SIM_STOPPED && s->latest_offsets_ms) {
		pc_kv_copy(&st->latest_offsets, &s->latest_offsets);
		st->latest_offsets_timestamp = iso(s->latest_offsets_ms);
	}
	return st;
}

static pc_pool *to_pool(const pc_sim_pool *s, int64_t now)
{
	pc_pool *p = PC_NEW(pc_pool);
	p->id = pc_strdup(s->id);
	p->display_name = pc_strdup(s->display_name);
	p->phase = pc_strdup(pc_sim_pool_phase(s, now));
	p->cloud = pc_strdup(s->cloud);
	p->region = pc_strdup(s->region);
	p->max_cfu = s->max_cfu;
	p->current_cfu = 0;
	return p;
}

static pc_topic *to_topic(const pc_sim_topic *s)
{
	pc_topic *t = PC_NEW(pc_topic);
	t->name = pc_strdup(s->name);
	t->partitions = s->partitions;
	t->replication_factor = 3;
	t->is_internal = 0;
	return t;
}

static void count(pc_provider *p, int rc)
{
	int cls = rc == 0 ? 2 : (rc == PC_ENOTFOUND || rc == PC_EEXISTS || rc == PC_ECONFLICT || rc == PC_EINVALID) ? 4 : 5;
	__atomic_add_fetch(&p->stats.requests, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&p->stats.by_status[cls], 1, __ATOMIC_RELAXED);
}

/* end_op(), then the operation is counted in the provider's stats. */
static int finish(pc_provider *p, int rc, int mutating)
{
	rc = end_op(impl(p), rc, mutating);
	count(p, rc);
	return rc;
}

/* ---- statements ---- */

static int local_list_statements(pc_provider *p, pc_vec *out)
{
	local_impl *l = impl(p);
	pc_vec page = PC_VEC_INIT;
	char *next = NULL;
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_list_statements(l->sim, now_ms(), LOCAL_ENV, NULL, NULL, INT_MAX, &page, &next);
	for (size_t i = 0; rc == 0 && i < page.len; i++)
		pc_vec_push(out, to_statement(page.items[i]));
	free(next);
	pc_vec_dispose(&page, NULL);
	return finish(p, rc, 0);
}

static int local_each_statement(pc_provider *p, pc_statement_fn fn, void *ctx)
{
	local_impl *l = impl(p);
	pc_vec page = PC_VEC_INIT;
	char *next = NULL;
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_list_statements(l->sim, now_ms(), LOCAL_ENV, NULL, NULL, INT_MAX, &page, &next);
	for (size_t i = 0; rc == 0 && i < page.len; i++)
		rc = fn(ctx, to_statement(page.items[i]));
	free(next);
	pc_vec_dispose(&page, NULL);
	return finish(p, rc, 0);
}

static int local_get_statement(pc_provider *p, const char *name, pc_statement **out)
{
	local_impl *l = impl(p);
	pc_sim_stmt *s;
	int rc;
	*out = NULL;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_get_statement(l->sim, now_ms(), LOCAL_ENV, name, &s);
	if (rc == 0)
		*out = to_statement(s);
	return finish(p, rc, 0);
}

static int local_create_statement(pc_provider *p, const pc_statement_spec *spec, pc_statement **out)
{
	local_impl *l = impl(p);
	pc_sim_stmt_req q = { 0 };
	pc_sim_stmt *s;
	int rc;
	*out = NULL;
	q.name = spec->name;
	q.sql = spec->sql;
	q.compute_pool_id = spec->compute_pool_id ? spec->compute_pool_id : p->default_pool;
	q.principal = spec->principal ? spec->principal : p->principal;
	q.properties = spec->properties;
	q.labels = spec->labels;
	q.stopped = spec->stopped;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_create_statement(l->sim, now_ms(), LOCAL_ORG, LOCAL_ENV, &q, &s);
	if (rc == 0)
		*out = to_statement(s);
	return finish(p, rc, 1);
}

static int local_update_statement(pc_provider *p, const pc_statement *st)
{
	local_impl *l = impl(p);
	pc_sim_update u = { 0 };
	pc_sim_stmt *s;
	int rc;
	u.resource_version = st->resource_version;
	u.sql = st->sql;
	u.stopped = st->stopped;
	u.compute_pool_id = st->compute_pool_id;
	u.principal = st->principal;
	u.properties = &st->properties;
	u.labels = &st->labels;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_update_statement(l->sim, now_ms(), LOCAL_ENV, st->name, &u, &s);
	return finish(p, rc, 1);
}

static int local_delete_statement(pc_provider *p, const char *name)
{
	local_impl *l = impl(p);
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_delete_statement(l->sim, now_ms(), LOCAL_ENV, name);
	return finish(p, rc, 1);
}

static int local_list_exceptions(pc_provider *p, const char *name, pc_vec *out)
{
	local_impl *l = impl(p);
	pc_sim_stmt *s;
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_get_statement(l->sim, now_ms(), LOCAL_ENV, name, &s);
	for (size_t i = s && rc == 0 ? s->exceptions.len : 0; i > 0; i--) {
		pc_sim_exception *x = s->exceptions.items[i - 1];
		pc_statement_exception *e = PC_NEW(pc_statement_exception);
		e->name = pc_strdup(x->name);
		e->message = pc_strdup(x->message);
		e->timestamp = iso(x->at_ms);
		pc_vec_push(out, e);
	}
	return finish(p, rc, 0);
}

/* ---- topics ---- */

static int local_list_topics(pc_provider *p, pc_vec *out)
{
	local_impl *l = impl(p);
	pc_vec v = PC_VEC_INIT;
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	pc_sim_list_topics(l->sim, now_ms(), &v);
	for (size_t i = 0; i < v.len; i++)
		pc_vec_push(out, to_topic(v.items[i]));
	pc_vec_dispose(&v, NULL);
	return finish(p, 0, 0);
}

static int local_get_topic(pc_provider *p, const char *name, pc_topic **out)
{
	local_impl *l = impl(p);
	pc_sim_topic *t;
	int rc;
	*out = NULL;
	if ((rc = begin(l)) != 0)
		return rc;
	t = pc_sim_find_topic(l->sim, now_ms(), name);
	if (t)
		*out = to_topic(t);
	else
		rc = pc_error_set(PC_ENOTFOUND, "topic '%s' does not exist", name);
	return finish(p, rc, 0);
}

static int local_delete_topic(pc_provider *p, const char *name)
{
	local_impl *l = impl(p);
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_delete_topic(l->sim, now_ms(), name);
	if (rc == PC_ENOTFOUND)
		rc = pc_error_set(PC_ENOTFOUND, "topic '%s' does not exist", name);
	return finish(p, rc, 1);
}

/* ---- pools ---- */

static int local_list_pools(pc_provider *p, pc_vec *out)
{
	local_impl *l = impl(p);
	pc_sim_env *e;
	int64_t now = now_ms();
	int rc;
	if ((rc = begin(l)) != 0)
		return rc;
	pc_sim_tick(l->sim, now);
	e = pc_sim_env_get(l->sim, LOCAL_ENV, now);
	for (size_t i = 0; i < e->pools.len; i++)
		pc_vec_push(out, to_pool(e->pools.items[i], l->sim->now_ms));
	return finish(p, 0, 0);
}

static int local_get_pool(pc_provider *p, const char *id, pc_pool **out)
{
	local_impl *l = impl(p);
	pc_sim_pool *sp;
	int rc;
	*out = NULL;
	if ((rc = begin(l)) != 0)
		return rc;
	rc = pc_sim_get_pool(l->sim, now_ms(), LOCAL_ENV, id, &sp);
	if (rc == 0)
		*out = to_pool(sp, l->sim->now_ms);
	return finish(p, rc, 0);
}

static int local_create_pool(pc_provider *p, const pc_pool_spec *spec, pc_pool **out)
{
	local_impl *l = impl(p);
	pc_sim_pool *sp;
	int rc;
	*out = NULL;
	if ((rc = begin(l)) != 0)
		return rc;
	/* fcpm/v2 requires them all: the caller's, else pipectl.yaml's, else the local ones. */
	{
		const pc_config *c = l->cfg;
		const char *cloud = spec->cloud ? spec->cloud : c && c->pools_cloud ? c->pools_cloud : "AWS";
		const char *region = spec->region ? spec->region : c && c->pools_region ? c->pools_region : "local";
		int cfu = spec->max_cfu ? spec->max_cfu : c && c->pools_max_cfu ? c->pools_max_cfu : 10;
		rc = pc_sim_create_pool(l->sim, now_ms(), LOCAL_ENV, spec->display_name, cloud, region, cfu, &sp);
	}
	if (rc == 0)
		*out = to_pool(sp, l->sim->now_ms);
	return finish(p, rc, 1);
}

/* Frees what pc_local_open made (the flusher stopped, the flock released). */
static void impl_dispose(local_impl *l)
{
	pc_sim_free(l->sim);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l->label);
	free(l->path);
	free(l->lock_path);
	free(l);
}

static void local_free(pc_provider *p)
{
	local_impl *l;
	if (!p)
		return;
	l = p->impl;
	if (l) {
		pthread_mutex_lock(&l->mu);
		l->closing = 1;
		pthread_cond_signal(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->thread, NULL);
		if (l->dirty)
			save(l); /* an error here has no caller left to tell: the next run reloads the file */
		unlock_file(l);
		impl_dispose(l);
	}
	free(p);
}

static const pc_provider_ops local_ops = {
	.name = "local",
	.list_statements = local_list_statements,
	.each_statement = local_each_statement,
	.get_statement = local_get_statement,
	.create_statement = local_create_statement,
	.update_statement = local_update_statement,
	.delete_statement = local_delete_statement,
	.list_exceptions = local_list_exceptions,
	.list_topics = local_list_topics,
	.get_topic = local_get_topic,
	.delete_topic = local_delete_topic,
	.list_pools = local_list_pools,
	.get_pool = local_get_pool,
	.create_pool = local_create_pool,
	.free = local_free,
};

int pc_local_open(pc_provider **out, const pc_config *cfg)
{
	pc_provider *p = NULL;
	local_impl *l = NULL;
	pc_sim_options o = { 0 };
	const char *rel = cfg && cfg->local_state && *cfg->local_state ? cfg->local_state : ".pipectl/local-state.json";
	const char *root = cfg && cfg->root && *cfg->root ? cfg->root : ".";
	const char *env;
	int rc;

	*out = NULL;
	l = PC_NEW(local_impl);
	l->lock_fd = -1;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->label = pc_strdup(rel);
	l->cfg = cfg;
	l->path = rel[0] == '/' ? pc_strdup(rel) : pc_path_join(root, rel);
	l->lock_path = pc_sprintf("%s.lock", l->path);
	o.ddl_ms = LOCAL_DDL_MS;
	o.pending_ms = LOCAL_PENDING_MS;
	o.topic_linger_ms = LOCAL_TOPIC_LINGER_MS;
	/* tests slow the local target down or make it instant */
	if ((env = getenv("PIPECTL_LOCAL_DDL_MS")) && *env)
		o.ddl_ms = atoll(env) > 0 ? atoll(env) : -1;
	if ((env = getenv("PIPECTL_LOCAL_PENDING_MS")) && *env)
		o.pending_ms = atoll(env) > 0 ? atoll(env) : -1;
	if ((env = getenv("PIPECTL_LOCAL_FAIL_STATEMENT")) && *env)
		o.fail_statement = env;
	if ((env = getenv("PIPECTL_LOCAL_FAIL_POOL")) && *env)
		o.fail_pool = env;
	if ((env = getenv("PIPECTL_LOCAL_TOPIC_LINGER_HIDDEN")) && *env)
		o.linger_hidden = atoi(env) != 0;
	if ((env = getenv("PIPECTL_LOCAL_TOPIC_LINGER_MS")) && *env)
		o.topic_linger_ms = atoll(env) > 0 ? atoll(env) : -1;
	if ((env = getenv("PIPECTL_LOCAL_EXPIRE_TERMINAL_S")) && *env)
		o.expire_terminal_ms = atoll(env) * 1000;
	if ((env = getenv("PIPECTL_LOCAL_LENIENT")) && *env && pc_sim_lenient_parse(env, &o.lenient) != 0) {
		rc = pc_error_wrap("PIPECTL_LOCAL_LENIENT");
		impl_dispose(l);
		return rc;
	}
	if ((rc = pc_sim_new(&l->sim, &o)) != 0) {
		impl_dispose(l);
		return rc;
	}
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_destroy(&l->cv);
		pthread_cond_init(&l->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	l->last_save_ms = pc_mono_ms() - SAVE_EVERY_MS;
	pthread_create(&l->thread, NULL, flusher, l);
	p = PC_NEW(pc_provider);
	p->ops = &local_ops;
	p->impl = l;
	p->default_pool = cfg && cfg->flink_compute_pool_id && *cfg->flink_compute_pool_id ? cfg->flink_compute_pool_id
											      : NULL;
	p->principal = cfg && cfg->principal && *cfg->principal ? cfg->principal : NULL;
	p->poll_min_ms = PC_POLL_MIN_MS_LOCAL;
	p->poll_max_ms = PC_POLL_MAX_MS_LOCAL;
	/* the first read of a phase when the simulation is due to reach it */
	p->poll_ddl_ms = o.ddl_ms > 0 ? o.ddl_ms : PC_POLL_MIN_MS_LOCAL;
	p->poll_dml_ms = o.pending_ms > 0 ? o.pending_ms : PC_POLL_MIN_MS_LOCAL;
	p->poll_factor = PC_POLL_FACTOR_LOCAL;
	p->topic_delete_timeout_ms = PC_TOPIC_DELETE_TIMEOUT_MS_DEFAULT;
	*out = p;
	return 0;
}
