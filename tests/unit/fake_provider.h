/*
 * fake_provider.h - an in-memory pc_provider for unit tests of the lock and
 * the apply executor (included by test_lock.c and test_apply.c; not a test
 * of its own).
 *
 * It keeps statements and topics in memory and moves phases forward a step
 * per read, as Confluent does over time:
 * - a DDL (CREATE TABLE / DROP TABLE / other non-INSERT text) goes PENDING
 *   then COMPLETED after `ddl_polls` reads; CREATE TABLE x makes topic x,
 *   DROP TABLE x deletes it (at completion);
 * - an INSERT INTO goes PENDING then RUNNING after `dml_polls` reads, or
 *   FAILED when its target topic is missing or its name matches `fail_name`
 *   (substring); with sql.tables.initial-offset-from it stays PENDING until
 *   the referenced statement is stopped;
 * - PUT is a compare-and-swap on resource_version (409 when stale);
 *   stopping goes STOPPING then STOPPED after one read;
 * - every call is logged ("create NAME", "update NAME stopped=1", ...);
 * - `crash_after` > 0: that many mutating calls succeed, then every call
 *   fails with PC_ENET (a process dying mid-apply, seen from the API);
 * - `call_sleep_ms` makes each mutating call take time, and the highest
 *   number of mutating calls in flight at once is recorded in `max_inflight`.
 */
#ifndef PC_TESTS_FAKE_PROVIDER_H
#define PC_TESTS_FAKE_PROVIDER_H

#include "providers/provider.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/kv.h"
#include "util/timeutil.h"
#include "util/vec.h"

#include <ctype.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_UNUSED __attribute__((unused))

typedef struct fake_stmt {
	pc_statement *st;
	int polls;      /* reads left before the next phase */
	int flapped;    /* went through FAILING once (flap_name) */
	long rv;
	struct fake_provider *owner; /* for the log */
} fake_stmt;

typedef struct fake_provider {
	pc_provider base;
	pthread_mutex_t mu;
	pc_vec stmts;   /* fake_stmt * */
	pc_vec topics;  /* char * */
	pc_vec log;     /* char * */
	int ddl_polls;
	int dml_polls;
	const char *fail_name;  /* statements whose name contains it go FAILED */
	const char *flap_name;  /* DMLs whose name contains it pass through FAILING once, then RUN */
	const char *failing_name; /* DMLs whose name contains it go FAILING and stay there */
	int crash_after;        /* 0: never */
	int mutations;
	int call_sleep_ms;
	int inflight, max_inflight;
	int fail_get_once;      /* next get_statement answers PC_EHTTP */
	long uid_seq;
} fake_provider;

static fake_provider *fake_of(pc_provider *p)
{
	return (fake_provider *)p;
}

static void fake_log(fake_provider *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fake_log(fake_provider *f, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pc_vec_push(&f->log, pc_strdup(line));
}

static fake_stmt *fake_find(fake_provider *f, const char *name)
{
	for (size_t i = 0; i < f->stmts.len; i++) {
		fake_stmt *s = f->stmts.items[i];
		if (strcmp(s->st->name, name) == 0)
			return s;
	}
	return NULL;
}

static int fake_has_topic(fake_provider *f, const char *t)
{
	return pc_vec_find_str(&f->topics, t) >= 0;
}

/* The identifier after `kw` in sql (case-insensitive keyword), into out. */
static int fake_word_after(const char *sql, const char *kw, char *out, size_t n)
{
	size_t kl = strlen(kw), i = 0;
	for (const char *s = sql; *s; s++) {
		if (strncasecmp(s, kw, kl) != 0)
			continue;
		s += kl;
		while (*s == ' ' || *s == '\n' || *s == '`')
			s++;
		if (strncasecmp(s, "IF NOT EXISTS ", 14) == 0)
			s += 14;
		if (strncasecmp(s, "IF EXISTS ", 10) == 0)
			s += 10;
		while (*s == '`')
			s++;
		while (*s && (isalnum((unsigned char)*s) || *s == '_' || *s == '.') && i + 1 < n)
			out[i++] = *s++;
		out[i] = '\0';
		return i > 0;
	}
	return 0;
}

static int fake_is_dml(const char *sql)
{
	while (*sql == ' ' || *sql == '\n')
		sql++;
	return strncasecmp(sql, "INSERT", 6) == 0 || strncasecmp(sql, "EXECUTE", 7) == 0;
}

static void fake_set_phase(fake_stmt *s, const char *phase, const char *detail)
{
	if (s->owner && (!s->st->phase || strcmp(s->st->phase, phase) != 0))
		fake_log(s->owner, "phase %s %s", s->st->name, phase);
	char *ph = pc_strdup(phase), *de = pc_strdup(detail ? detail : ""); /* may alias the old ones */
	free(s->st->phase);
	s->st->phase = ph;
	s->st->ph = pc_phase_classify(ph);
	free(s->st->detail);
	s->st->detail = de;
	s->rv++;
	free(s->st->resource_version);
	s->st->resource_version = pc_sprintf("%ld", s->rv);
}

/* Move one statement a step forward (called under the mutex, on reads). */
static void fake_advance(fake_provider *f, fake_stmt *s)
{
	pc_statement *st = s->st;
	char word[128];

	if (!st->phase)
		return;
	if (strcmp(st->phase, "STOPPING") == 0) {
		fake_set_phase(s, "STOPPED", "");
		return;
	}
	if (strcmp(st->phase, "FAILING") == 0 && s->flapped == 1) {
		s->flapped = 2; /* recovers: RUNNING from now on */
		fake_set_phase(s, "RUNNING", "");
		return;
	}
	if (strcmp(st->phase, "PENDING") != 0)
		return;
	if (s->polls > 0) {
		s->polls--;
		return;
	}
	if (fake_is_dml(st->sql)) {
		const char *from = pc_kv_get(&st->properties, "sql.tables.initial-offset-from");
		if (from) {
			fake_stmt *old = fake_find(f, from);
			if (old && !(old->st->stopped && old->st->phase && strcmp(old->st->phase, "STOPPED") == 0))
				return; /* waits for the old one to stop */
		}
		if (f->fail_name && strstr(st->name, f->fail_name)) {
			fake_set_phase(s, "FAILED", "injected failure");
			return;
		}
		if (f->flap_name && strstr(st->name, f->flap_name) && !s->flapped) {
			s->flapped = 1;
			fake_set_phase(s, "FAILING", "transient: task restarting");
			return;
		}
		if (f->failing_name && strstr(st->name, f->failing_name)) {
			fake_set_phase(s, "FAILING", "stuck failing: checkpoint storage unreachable");
			return;
		}
		if (fake_word_after(st->sql, "INSERT INTO ", word, sizeof word) && !fake_has_topic(f, word)) {
			fake_set_phase(s, "FAILED", "table does not exist");
			return;
		}
		fake_set_phase(s, "RUNNING", "");
		return;
	}
	if (f->fail_name && strstr(st->name, f->fail_name)) {
		fake_set_phase(s, "FAILED", "injected failure");
		return;
	}
	if (fake_word_after(st->sql, "CREATE TABLE ", word, sizeof word))
		pc_vec_add_str_unique(&f->topics, word);
	else if (fake_word_after(st->sql, "DROP TABLE ", word, sizeof word)) {
		long i = pc_vec_find_str(&f->topics, word);
		if (i >= 0) {
			free(f->topics.items[i]);
			pc_vec_remove(&f->topics, (size_t)i);
		}
	}
	fake_set_phase(s, "COMPLETED", "");
}

/* Mutating calls: crash simulation and the in-flight counter. */
static int fake_begin_mutation(fake_provider *f)
{
	if (f->crash_after > 0 && f->mutations >= f->crash_after)
		return pc_error_set(PC_ENET, "fake: connection refused (simulated crash)");
	f->mutations++;
	f->inflight++;
	if (f->inflight > f->max_inflight)
		f->max_inflight = f->inflight;
	if (f->call_sleep_ms) {
		pthread_mutex_unlock(&f->mu);
		pc_sleep_ms(f->call_sleep_ms);
		pthread_mutex_lock(&f->mu);
	}
	return 0;
}

static void fake_end_mutation(fake_provider *f)
{
	f->inflight--;
}

static int fake_crashed(fake_provider *f)
{
	return f->crash_after > 0 && f->mutations >= f->crash_after;
}

static int fake_list_statements(pc_provider *p, pc_vec *out)
{
	fake_provider *f = fake_of(p);
	pthread_mutex_lock(&f->mu);
	if (fake_crashed(f)) {
		pthread_mutex_unlock(&f->mu);
		return pc_error_set(PC_ENET, "fake: connection refused (simulated crash)");
	}
	for (size_t i = 0; i < f->stmts.len; i++) {
		fake_stmt *s = f->stmts.items[i];
		fake_advance(f, s);
		pc_vec_push(out, pc_statement_dup(s->st));
	}
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static int fake_get_statement(pc_provider *p, const char *name, pc_statement **out)
{
	fake_provider *f = fake_of(p);
	fake_stmt *s;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&f->mu);
	if (fake_crashed(f)) {
		rc = pc_error_set(PC_ENET, "fake: connection refused (simulated crash)");
		goto done;
	}
	if (f->fail_get_once) {
		f->fail_get_once = 0;
		rc = pc_error_set(PC_EHTTP, "fake: HTTP 503");
		goto done;
	}
	s = fake_find(f, name);
	if (!s) {
		rc = pc_error_set(PC_ENOTFOUND, "statement '%s': HTTP 404: Statement resource=%s does not exist", name, name);
		goto done;
	}
	fake_advance(f, s);
	*out = pc_statement_dup(s->st);
done:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_create_statement(pc_provider *p, const pc_statement_spec *spec, pc_statement **out)
{
	fake_provider *f = fake_of(p);
	fake_stmt *s;
	int rc;

	if (out)
		*out = NULL;
	pthread_mutex_lock(&f->mu);
	if ((rc = fake_begin_mutation(f)) != 0)
		goto done;
	fake_log(f, "create %s", spec->name);
	if (fake_find(f, spec->name)) {
		rc = pc_error_set(PC_ECONFLICT, "create statement '%s': HTTP 409: already exists", spec->name);
		fake_end_mutation(f);
		goto done;
	}
	s = PC_NEW(fake_stmt);
	s->st = PC_NEW(pc_statement);
	s->st->name = pc_strdup(spec->name);
	s->st->sql = pc_strdup(spec->sql);
	s->st->compute_pool_id = pc_strdup(spec->compute_pool_id);
	s->st->principal = pc_strdup(spec->principal);
	s->st->stopped = spec->stopped;
	s->st->is_append_only = -1;
	s->st->uid = pc_sprintf("uid-%ld", ++f->uid_seq);
	s->st->created_at = pc_strdup("2026-01-01T00:00:00Z");
	if (spec->properties)
		pc_kv_copy(&s->st->properties, spec->properties);
	if (spec->labels)
		pc_kv_copy(&s->st->labels, spec->labels);
	s->polls = fake_is_dml(spec->sql) ? f->dml_polls : f->ddl_polls;
	s->owner = f;
	fake_set_phase(s, spec->stopped ? "STOPPED" : "PENDING", "");
	pc_vec_push(&f->stmts, s);
	if (out)
		*out = pc_statement_dup(s->st);
	fake_end_mutation(f);
done:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_update_statement(pc_provider *p, const pc_statement *st)
{
	fake_provider *f = fake_of(p);
	fake_stmt *s;
	int rc;

	pthread_mutex_lock(&f->mu);
	if ((rc = fake_begin_mutation(f)) != 0)
		goto done;
	fake_log(f, "update %s stopped=%d", st->name, st->stopped);
	s = fake_find(f, st->name);
	if (!s) {
		rc = pc_error_set(PC_ENOTFOUND, "update statement '%s': HTTP 404", st->name);
	} else if (!st->resource_version || atol(st->resource_version) != s->rv) {
		rc = pc_error_set(PC_ECONFLICT, "update statement '%s': HTTP 409: stale resource_version", st->name);
	} else {
		int was_stopped = s->st->stopped;
		pc_kv_dispose(&s->st->labels);
		pc_kv_copy(&s->st->labels, &st->labels);
		pc_kv_dispose(&s->st->properties);
		pc_kv_copy(&s->st->properties, &st->properties);
		free(s->st->compute_pool_id);
		s->st->compute_pool_id = pc_strdup(st->compute_pool_id);
		s->st->stopped = st->stopped;
		if (st->stopped && !was_stopped && s->st->phase &&
		    (strcmp(s->st->phase, "RUNNING") == 0 || strcmp(s->st->phase, "PENDING") == 0))
			fake_set_phase(s, "STOPPING", "");
		else if (!st->stopped && was_stopped && fake_is_dml(s->st->sql)) {
			s->polls = f->dml_polls;
			fake_set_phase(s, "PENDING", "");
		} else
			fake_set_phase(s, s->st->phase, s->st->detail);
	}
	fake_end_mutation(f);
done:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_delete_statement(pc_provider *p, const char *name)
{
	fake_provider *f = fake_of(p);
	int rc;

	pthread_mutex_lock(&f->mu);
	if ((rc = fake_begin_mutation(f)) != 0)
		goto done;
	fake_log(f, "delete %s", name);
	rc = pc_error_set(PC_ENOTFOUND, "delete statement '%s': HTTP 404", name);
	for (size_t i = 0; i < f->stmts.len; i++) {
		fake_stmt *s = f->stmts.items[i];
		if (strcmp(s->st->name, name) == 0) {
			pc_statement_free(s->st);
			free(s);
			pc_vec_remove(&f->stmts, i);
			rc = 0;
			break;
		}
	}
	fake_end_mutation(f);
done:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_list_exceptions(pc_provider *p, const char *name, pc_vec *out)
{
	fake_provider *f = fake_of(p);
	fake_stmt *s;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	s = fake_find(f, name);
	if (!s) {
		rc = pc_error_set(PC_ENOTFOUND, "statement '%s': HTTP 404", name);
	} else if (s->st->phase && strcmp(s->st->phase, "FAILED") == 0) {
		pc_statement_exception *e = PC_NEW(pc_statement_exception);
		e->name = pc_strdup("java.lang.RuntimeException");
		e->message = pc_sprintf("%s: boom in %s", s->st->detail, name);
		e->timestamp = pc_strdup("2026-01-01T00:00:01Z");
		pc_vec_push(out, e);
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_list_topics(pc_provider *p, pc_vec *out)
{
	fake_provider *f = fake_of(p);
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->topics.len; i++) {
		pc_topic *t = PC_NEW(pc_topic);
		t->name = pc_strdup(f->topics.items[i]);
		t->partitions = 1;
		t->replication_factor = 3;
		pc_vec_push(out, t);
	}
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static int fake_get_topic(pc_provider *p, const char *name, pc_topic **out)
{
	fake_provider *f = fake_of(p);
	int rc = 0;
	*out = NULL;
	pthread_mutex_lock(&f->mu);
	if (!fake_has_topic(f, name)) {
		rc = pc_error_set(PC_ENOTFOUND, "topic '%s': HTTP 404", name);
	} else {
		*out = PC_NEW(pc_topic);
		(*out)->name = pc_strdup(name);
		(*out)->partitions = 1;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_delete_topic(pc_provider *p, const char *name)
{
	fake_provider *f = fake_of(p);
	long i;
	int rc;
	pthread_mutex_lock(&f->mu);
	if ((rc = fake_begin_mutation(f)) != 0)
		goto done;
	fake_log(f, "delete-topic %s", name);
	i = pc_vec_find_str(&f->topics, name);
	if (i < 0) {
		rc = pc_error_set(PC_ENOTFOUND, "topic '%s': HTTP 404", name);
	} else {
		free(f->topics.items[i]);
		pc_vec_remove(&f->topics, (size_t)i);
	}
	fake_end_mutation(f);
done:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_list_pools(pc_provider *p, pc_vec *out)
{
	(void)p;
	(void)out;
	return 0;
}

static int fake_get_pool(pc_provider *p, const char *id, pc_pool **out)
{
	(void)p;
	*out = NULL;
	return pc_error_set(PC_ENOTFOUND, "compute pool '%s': HTTP 404", id);
}

static int fake_create_pool(pc_provider *p, const pc_pool_spec *spec, pc_pool **out)
{
	fake_provider *f = fake_of(p);
	pthread_mutex_lock(&f->mu);
	fake_log(f, "create-pool %s", spec->display_name);
	pthread_mutex_unlock(&f->mu);
	*out = PC_NEW(pc_pool);
	(*out)->id = pc_strdup("lfcp-fake1");
	(*out)->display_name = pc_strdup(spec->display_name);
	(*out)->phase = pc_strdup("PROVISIONED");
	return 0;
}

static void fake_stmt_free(void *ptr)
{
	fake_stmt *s = ptr;
	if (!s)
		return;
	pc_statement_free(s->st);
	free(s);
}

static void fake_free(pc_provider *p)
{
	fake_provider *f = fake_of(p);
	pc_vec_dispose(&f->stmts, fake_stmt_free);
	pc_vec_dispose(&f->topics, free);
	pc_vec_dispose(&f->log, free);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static const pc_provider_ops fake_ops = {
	.name = "fake",
	.list_statements = fake_list_statements,
	.get_statement = fake_get_statement,
	.create_statement = fake_create_statement,
	.update_statement = fake_update_statement,
	.delete_statement = fake_delete_statement,
	.list_exceptions = fake_list_exceptions,
	.list_topics = fake_list_topics,
	.get_topic = fake_get_topic,
	.delete_topic = fake_delete_topic,
	.list_pools = fake_list_pools,
	.get_pool = fake_get_pool,
	.create_pool = fake_create_pool,
	.free = fake_free,
};

static FAKE_UNUSED fake_provider *fake_new(void)
{
	fake_provider *f = PC_NEW(fake_provider);
	f->base.ops = &fake_ops;
	f->base.impl = f;
	pthread_mutex_init(&f->mu, NULL);
	return f;
}

/* Lines of the call log starting with `prefix`, counted. */
static FAKE_UNUSED int fake_count(fake_provider *f, const char *prefix)
{
	int n = 0;
	pthread_mutex_lock(&f->mu);
	for (size_t i = 0; i < f->log.len; i++)
		if (strncmp(f->log.items[i], prefix, strlen(prefix)) == 0)
			n++;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* Index in the log of the first line equal to `line`, or -1. */
static FAKE_UNUSED long fake_log_index(fake_provider *f, const char *line)
{
	long r;
	pthread_mutex_lock(&f->mu);
	r = pc_vec_find_str(&f->log, line);
	pthread_mutex_unlock(&f->mu);
	return r;
}

/* The phase of a statement now (owned copy), NULL when absent. */
static FAKE_UNUSED char *fake_phase(fake_provider *f, const char *name)
{
	fake_stmt *s;
	char *r = NULL;
	pthread_mutex_lock(&f->mu);
	s = fake_find(f, name);
	if (s)
		r = pc_strdup(s->st->phase);
	pthread_mutex_unlock(&f->mu);
	return r;
}

/* Put a statement in place directly (a previous run's leftovers). */
static FAKE_UNUSED void fake_put(fake_provider *f, const char *name, const char *sql, const char *phase,
				 int stopped, const pc_kvlist *labels)
{
	fake_stmt *s = PC_NEW(fake_stmt);
	s->st = PC_NEW(pc_statement);
	s->st->name = pc_strdup(name);
	s->st->sql = pc_strdup(sql);
	s->st->stopped = stopped;
	s->st->is_append_only = -1;
	if (labels)
		pc_kv_copy(&s->st->labels, labels);
	pthread_mutex_lock(&f->mu);
	fake_set_phase(s, phase, "");
	s->owner = f;
	pc_vec_push(&f->stmts, s);
	pthread_mutex_unlock(&f->mu);
}

static FAKE_UNUSED void fake_add_topic(fake_provider *f, const char *t)
{
	pthread_mutex_lock(&f->mu);
	pc_vec_add_str_unique(&f->topics, t);
	pthread_mutex_unlock(&f->mu);
}

#endif
