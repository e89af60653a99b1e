/*
 * provider.c - what every provider shares: freeing and copying the plain
 * structs, stop/resume with the 409 retry, the phase classifier.
 */
#include "provider.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* How many times set_stopped GETs again after a stale resource_version. */
#define SET_STOPPED_ATTEMPTS 5

void pc_statement_free(void *ptr)
{
	pc_statement *st = ptr;
	if (!st)
		return;
	free(st->name);
	free(st->sql);
	free(st->phase);
	free(st->detail);
	free(st->compute_pool_id);
	free(st->principal);
	free(st->resource_version);
	free(st->created_at);
	free(st->updated_at);
	free(st->uid);
	free(st->sql_kind);
	pc_kv_dispose(&st->properties);
	pc_kv_dispose(&st->labels);
	pc_kv_dispose(&st->latest_offsets);
	free(st->latest_offsets_timestamp);
	free(st->raw_json);
	free(st);
}

pc_statement *pc_statement_dup(const pc_statement *st)
{
	pc_statement *d;
	if (!st)
		return NULL;
	d = PC_NEW(pc_statement);
	d->name = pc_strdup(st->name);
	d->sql = pc_strdup(st->sql);
	d->phase = pc_strdup(st->phase);
	d->ph = st->ph;
	d->detail = pc_strdup(st->detail);
	d->compute_pool_id = pc_strdup(st->compute_pool_id);
	d->principal = pc_strdup(st->principal);
	d->stopped = st->stopped;
	d->resource_version = pc_strdup(st->resource_version);
	d->created_at = pc_strdup(st->created_at);
	d->updated_at = pc_strdup(st->updated_at);
	d->uid = pc_strdup(st->uid);
	d->sql_kind = pc_strdup(st->sql_kind);
	d->is_append_only = st->is_append_only;
	pc_kv_copy(&d->properties, &st->properties);
	pc_kv_copy(&d->labels, &st->labels);
	pc_kv_copy(&d->latest_offsets, &st->latest_offsets);
	d->latest_offsets_timestamp = pc_strdup(st->latest_offsets_timestamp);
	d->raw_json = pc_strdup(st->raw_json);
	return d;
}

void pc_statement_exception_free(void *ptr)
{
	pc_statement_exception *e = ptr;
	if (!e)
		return;
	free(e->name);
	free(e->message);
	free(e->timestamp);
	free(e);
}

void pc_topic_free(void *ptr)
{
	pc_topic *t = ptr;
	if (!t)
		return;
	free(t->name);
	free(t);
}

void pc_pool_free(void *ptr)
{
	pc_pool *p = ptr;
	if (!p)
		return;
	free(p->id);
	free(p->display_name);
	free(p->phase);
	free(p->cloud);
	free(p->region);
	free(p);
}

void pc_provider_free(pc_provider *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->free)
		p->ops->free(p);
	else
		free(p);
}

int pc_provider_each_statement(pc_provider *p, pc_statement_fn fn, void *ctx)
{
	pc_vec all = PC_VEC_INIT;
	size_t i;
	int rc;

	if (p->ops->each_statement)
		return p->ops->each_statement(p, fn, ctx);
	if ((rc = p->ops->list_statements(p, &all)) < 0)
		goto done;
	for (i = 0; i < all.len; i++) {
		pc_statement *st = all.items[i];
		all.items[i] = NULL;
		if ((rc = fn(ctx, st)) < 0)
			goto done;
	}
done:
	pc_vec_dispose(&all, pc_statement_free);
	return rc;
}

int pc_provider_set_stopped(pc_provider *p, const char *name, int stopped, const char *new_pool)
{
	pc_statement *st = NULL;
	int rc = 0;

	for (int attempt = 1; attempt <= SET_STOPPED_ATTEMPTS; attempt++) {
		pc_statement_free(st);
		st = NULL;
		if ((rc = p->ops->get_statement(p, name, &st)) != 0)
			goto done;
		if (st->stopped == (stopped ? 1 : 0) &&
		    (!new_pool || (st->compute_pool_id && strcmp(st->compute_pool_id, new_pool) == 0)))
			goto done; /* already as asked: no PUT */
		st->stopped = stopped ? 1 : 0;
		if (new_pool) {
			free(st->compute_pool_id);
			st->compute_pool_id = pc_strdup(new_pool);
		}
		rc = p->ops->update_statement(p, st);
		if (rc != PC_ECONFLICT)
			goto done;
		/* Someone else changed it between our GET and PUT: small pause, again. */
		pc_sleep_ms(50 * attempt);
	}
	rc = pc_error_wrap("%s statement '%s': gave up after %d conflicting updates",
			   stopped ? "stop" : "resume", name, SET_STOPPED_ATTEMPTS);
done:
	pc_statement_free(st);
	return rc;
}

static const char *const phase_names[] = {
	[PC_PHASE_UNKNOWN] = "UNKNOWN",   [PC_PHASE_PENDING] = "PENDING",   [PC_PHASE_RUNNING] = "RUNNING",
	[PC_PHASE_COMPLETED] = "COMPLETED", [PC_PHASE_DELETING] = "DELETING", [PC_PHASE_FAILING] = "FAILING",
	[PC_PHASE_FAILED] = "FAILED",     [PC_PHASE_STOPPING] = "STOPPING", [PC_PHASE_STOPPED] = "STOPPED",
	[PC_PHASE_DEGRADED] = "DEGRADED",
};

pc_phase pc_phase_classify(const char *api_phase)
{
	if (!api_phase)
		return PC_PHASE_UNKNOWN;
	for (size_t i = 1; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
		if (strcmp(api_phase, phase_names[i]) == 0)
			return (pc_phase)i;
	return PC_PHASE_UNKNOWN;
}

const char *pc_phase_name(pc_phase ph)
{
	if ((size_t)ph >= sizeof(phase_names) / sizeof(phase_names[0]))
		return phase_names[PC_PHASE_UNKNOWN];
	return phase_names[ph];
}

int pc_phase_running(pc_phase ph)
{
	return ph == PC_PHASE_RUNNING || ph == PC_PHASE_DEGRADED;
}

int pc_phase_live(pc_phase ph)
{
	return pc_phase_running(ph) || ph == PC_PHASE_PENDING || ph == PC_PHASE_STOPPING;
}

int pc_phase_stopped(pc_phase ph)
{
	return ph == PC_PHASE_STOPPED;
}

int pc_phase_stopping_or_stopped(pc_phase ph)
{
	return ph == PC_PHASE_STOPPING || ph == PC_PHASE_STOPPED;
}

int pc_phase_current(pc_phase ph)
{
	return pc_phase_live(ph) || ph == PC_PHASE_STOPPED;
}

int pc_phase_failed(pc_phase ph)
{
	return ph == PC_PHASE_FAILED || ph == PC_PHASE_FAILING;
}

int pc_phase_terminal(pc_phase ph)
{
	return ph == PC_PHASE_COMPLETED || ph == PC_PHASE_FAILED || ph == PC_PHASE_STOPPED;
}

int pc_phase_transitional(pc_phase ph)
{
	return ph == PC_PHASE_PENDING || ph == PC_PHASE_STOPPING || ph == PC_PHASE_DELETING ||
	       ph == PC_PHASE_FAILING;
}

void pc_statement_set_phase(pc_statement *st, const char *api_phase)
{
	free(st->phase);
	st->phase = pc_strdup(api_phase);
	st->ph = pc_phase_classify(api_phase);
}
