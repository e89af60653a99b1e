/*
 * loop_options.c - the loop's settings: flags > environment > pipectl.yaml
 * (`reconcile:`) > defaults (see loop.h).
 */
#include "loop.h"

#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pc_loop_options_unset(pc_loop_options *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = -1;
	o->jitter_pct = -1;
	o->once = -1;
	o->git_fetch = -1;
	o->allow_destructive = -1;
	o->auto_promote = -1;
	o->prune = -1;
	o->suspend = -1;
	o->json_logs = -1;
	o->parallelism = -1;
	o->backoff_base_ms = -1;
	o->backoff_max_ms = -1;
	o->degraded_after = -1;
	o->lock_timeout_ms = -1;
	o->lock_ttl_ms = -1;
}

/* The value and where it came from ("PIPECTL_X" or "pipectl.yaml reconcile.x"), or NULL. */
static const char *lookup(const char *env, const char *key, const pc_kvlist *file, const char **from)
{
	const char *v = env ? getenv(env) : NULL;
	if (v && *v) {
		*from = env;
		return v;
	}
	if (key && file && (v = pc_kv_get(file, key)) != NULL) {
		*from = key;
		return v;
	}
	return NULL;
}

static int parse_bool(const char *v, const char *from, int *out)
{
	if (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off")) {
		*out = 0;
		return 0;
	}
	return pc_error_set(PC_EUSAGE, "%s: '%s' is not true or false", from, v);
}

static int res_bool(int *slot, const char *env, const char *key, const pc_kvlist *file, int def)
{
	const char *from = NULL, *v;
	if (*slot >= 0)
		return 0;
	v = lookup(env, key, file, &from);
	if (!v) {
		*slot = def;
		return 0;
	}
	return parse_bool(v, from, slot);
}

static int res_duration(int64_t *slot, const char *env, const char *key, const pc_kvlist *file, int64_t def,
			int allow_zero)
{
	const char *from = NULL, *v;
	int64_t ms;
	if (*slot >= 0)
		return 0;
	v = lookup(env, key, file, &from);
	if (!v) {
		*slot = def;
		return 0;
	}
	if (pc_parse_duration_ms(v, &ms) < 0 || ms < 0 || (!allow_zero && ms == 0))
		return pc_error_set(PC_EUSAGE, "%s: '%s' is not a duration such as 30s, 5m or 1h", from, v);
	*slot = ms;
	return 0;
}

static int res_int(int *slot, const char *env, const char *key, const pc_kvlist *file, int def, int min)
{
	const char *from = NULL, *v;
	char *end;
	long n;
	if (*slot >= 0)
		return 0;
	v = lookup(env, key, file, &from);
	if (!v) {
		*slot = def;
		return 0;
	}
	n = strtol(v, &end, 10);
	if (!*v || *end || n < min || n > 1000000)
		return pc_error_set(PC_EUSAGE, "%s: '%s' is not a number >= %d", from, v, min);
	*slot = (int)n;
	return 0;
}

static void res_str(const char **slot, const char *env, const char *key, const pc_kvlist *file)
{
	const char *from = NULL;
	if (*slot)
		return;
	*slot = lookup(env, key, file, &from);
}

int pc_loop_resolve(pc_loop_options *o, const pc_kvlist *file)
{
	const char *from = NULL, *v;
	int rc;

	if ((rc = res_duration(&o->interval_ms, "PIPECTL_INTERVAL", "reconcile.interval", file,
			       PC_LOOP_INTERVAL_MS_DEFAULT, 0)) < 0)
		return rc;
	if ((rc = res_int(&o->jitter_pct, "PIPECTL_JITTER", "reconcile.jitter", file, 10, 0)) < 0)
		return rc;
	if (o->jitter_pct > 50)
		o->jitter_pct = 50;
	if (o->once < 0)
		o->once = 0;
	res_str(&o->listen, "PIPECTL_LISTEN", "reconcile.listen", file);
	res_str(&o->git_ref, "PIPECTL_GIT_REF", "reconcile.git_ref", file);
	res_str(&o->suspend_file, "PIPECTL_SUSPEND_FILE", "reconcile.suspend_file", file);
	res_str(&o->history_path, "PIPECTL_HISTORY", "reconcile.history", file);
	if ((rc = res_bool(&o->git_fetch, "PIPECTL_GIT_FETCH", "reconcile.git_fetch", file, 0)) < 0 ||
	    (rc = res_bool(&o->allow_destructive, "PIPECTL_ALLOW_DESTRUCTIVE", "reconcile.allow_destructive", file,
			   0)) < 0 ||
	    (rc = res_bool(&o->auto_promote, "PIPECTL_AUTO_PROMOTE", "reconcile.auto_promote", file, 0)) < 0 ||
	    (rc = res_bool(&o->prune, "PIPECTL_PRUNE", "reconcile.prune", file, 0)) < 0 ||
	    (rc = res_bool(&o->suspend, "PIPECTL_SUSPEND", "reconcile.suspend", file, 0)) < 0)
		return rc;
	if (o->json_logs < 0) {
		v = lookup("PIPECTL_LOG_FORMAT", "reconcile.log_format", file, &from);
		if (!v || strcmp(v, "text") == 0)
			o->json_logs = 0;
		else if (strcmp(v, "json") == 0)
			o->json_logs = 1;
		else
			return pc_error_set(PC_EUSAGE, "%s: log format '%s' is not text or json", from, v);
	}
	if ((rc = res_int(&o->parallelism, "PIPECTL_PARALLELISM", "reconcile.parallelism", file, 0, 1)) < 0 ||
	    (rc = res_int(&o->degraded_after, "PIPECTL_DEGRADED_AFTER", "reconcile.degraded_after", file,
			  PC_LOOP_DEGRADED_AFTER_DEFAULT, 1)) < 0)
		return rc;
	if ((rc = res_duration(&o->backoff_base_ms, "PIPECTL_BACKOFF", "reconcile.backoff", file,
			       PC_LOOP_BACKOFF_BASE_MS_DEFAULT, 0)) < 0 ||
	    (rc = res_duration(&o->backoff_max_ms, "PIPECTL_MAX_BACKOFF", "reconcile.max_backoff", file,
			       PC_LOOP_BACKOFF_MAX_MS_DEFAULT, 0)) < 0 ||
	    (rc = res_duration(&o->lock_timeout_ms, "PIPECTL_LOCK_TIMEOUT", "reconcile.lock_timeout", file, 0, 1)) <
		    0 ||
	    (rc = res_duration(&o->lock_ttl_ms, "PIPECTL_LOCK_TTL", "reconcile.lock_ttl", file, 0, 0)) < 0)
		return rc;
	if (o->backoff_max_ms < o->backoff_base_ms)
		o->backoff_max_ms = o->backoff_base_ms;
	return 0;
}
