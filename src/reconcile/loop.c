/*
 * loop.c - the reconcile loop (see loop.h): one cycle = desired state,
 * actual state, plan, what may be applied, report.
 */
#include "loop.h"

#include "../model/project.h"
#include "../model/source.h"
#include "../providers/provider.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/map.h"
#include "../util/timeutil.h"
#include "actual.h"
#include "apply.h"
#include "history.h"
#include "lock.h"
#include "loop_int.h"
#include "metrics.h"
#include "plan.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- logging ---- */

void pc_loop_log(pc_loop *l, const char *level, const char *table, const char *action, const char *fmt, ...)
{
	char ts[40], *msg;
	va_list ap;
	pc_buf b = PC_BUF_INIT;

	va_start(ap, fmt);
	pc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	msg = pc_buf_detach(&b);
	pc_iso8601(pc_wall_ms(), ts, sizeof(ts));
	if (l->o.json_logs) {
		pc_buf_puts(&b, "{\"ts\":");
		pc_buf_put_json_str(&b, ts);
		pc_buf_puts(&b, ",\"level\":");
		pc_buf_put_json_str(&b, level);
		pc_buf_printf(&b, ",\"cycle\":%lld,\"commit\":", (long long)l->cycle);
		if (l->commit)
			pc_buf_put_json_str(&b, l->commit);
		else
			pc_buf_puts(&b, "null");
		if (table) {
			pc_buf_puts(&b, ",\"table\":");
			pc_buf_put_json_str(&b, table);
		}
		if (action) {
			pc_buf_puts(&b, ",\"action\":");
			pc_buf_put_json_str(&b, action);
		}
		pc_buf_puts(&b, ",\"msg\":");
		pc_buf_put_json_str(&b, msg);
		pc_buf_puts(&b, "}\n");
	} else {
		pc_buf_printf(&b, "%s %-5s cycle=%lld commit=%.12s", ts, level, (long long)l->cycle,
			      l->commit ? l->commit : l->o.git_ref ? "-" : "worktree");
		if (table)
			pc_buf_printf(&b, " table=%s", table);
		if (action)
			pc_buf_printf(&b, " action=%s", action);
		pc_buf_printf(&b, " %s\n", msg);
	}
	/* one call per line: lines of several threads never interleave */
	if (l->o.log)
		l->o.log(l->o.log_ctx, b.ptr, b.len);
	pc_buf_dispose(&b);
	free(msg);
}

/* ---- configuration ---- */

static void set_commit(pc_loop *l, const char *commit)
{
	if (commit == l->commit || (commit && l->commit && strcmp(commit, l->commit) == 0))
		return;
	free(l->commit);
	l->commit = pc_strdup(commit);
}

/*
 * (Re)read pipectl.yaml for the loop's own settings and resolve them:
 * flags > env > file > defaults. Called at start and on SIGHUP.
 */
static int load_settings(pc_loop *l)
{
	pc_config *cfg = NULL;
	pc_loop_options o = l->flags;
	int rc;

	if ((rc = pc_config_load(&cfg, l->flags.root, l->flags.config_path)) < 0)
		return rc;
	if ((rc = pc_loop_resolve(&o, &cfg->extra)) < 0) {
		pc_config_free(cfg);
		return rc;
	}
	/* o's strings may point into cfg: keep it as long as o */
	pc_config_free(l->settings_cfg);
	l->settings_cfg = cfg;
	l->o = o;
	free(l->suspend_file);
	l->suspend_file = o.suspend_file ? pc_strdup(o.suspend_file)
					 : pc_sprintf("%s/.pipectl/suspend", l->flags.root);
	free(l->history_path);
	l->history_path = o.history_path ? pc_strdup(o.history_path) : pc_history_path(l->flags.root);
	return 0;
}

/* Collect the provider's request counters into the metrics (delta since last time). */
void pc_loop_collect_api_stats(pc_loop *l)
{
	uint64_t now[6], delta[6];
	if (!l->s.prov)
		return;
	for (int i = 0; i < 6; i++) {
		now[i] = __atomic_load_n(&l->s.prov->stats.by_status[i], __ATOMIC_RELAXED);
		delta[i] = now[i] >= l->api_seen[i] ? now[i] - l->api_seen[i] : now[i];
		l->api_seen[i] = now[i];
	}
	pc_metrics_add_api_requests(l->metrics, delta);
}

/* The leader lock borrows the provider: it is released first. */
static void step_down(pc_loop *l)
{
	if (l->leader && pc_lock_release(l->leader) < 0)
		pc_loop_log(l, "warn", NULL, NULL, "could not release the leader lock: %s", pc_error_last());
	l->leader = NULL;
}

static void close_provider(pc_loop *l)
{
	step_down(l);
	pc_loop_collect_api_stats(l);
	pc_session_close_provider(&l->s);
	memset(l->api_seen, 0, sizeof(l->api_seen));
}

/* ---- desired state ---- */

/*
 * Load this cycle's desired state into *out (owned), or keep the last good
 * one. Sets *invalid when the tree just read is broken (errors set).
 * Returns < 0 when there is no usable desired state at all.
 */
static int load_desired(pc_loop *l, pc_project **out, int *invalid, char **why)
{
	pc_source *src = NULL;
	pc_config *cfg = NULL;
	pc_project *proj = NULL;
	int rc, reconnected = 0, had_provider = l->s.prov != NULL;

	*out = NULL;
	*invalid = 0;
	*why = NULL;
	if (l->o.git_ref) {
		rc = pc_source_open_git(&src, l->flags.root, l->o.git_ref, NULL, l->o.git_fetch);
		if (rc < 0)
			goto done;
		/* the same commit as last time: nothing to read again */
		if (l->s.proj && l->s.proj->commit && strcmp(l->s.proj->commit, src->commit) == 0 && !l->reload) {
			set_commit(l, src->commit);
			goto done;
		}
		if (l->bad_commit && strcmp(l->bad_commit, src->commit) == 0 && !l->reload) {
			*invalid = 1;
			*why = pc_sprintf("commit %.12s is broken (errors logged when it was read): skipped, %s",
					  src->commit,
					  l->s.proj ? "the last good desired state stays in force" : "nothing to reconcile yet");
			goto done;
		}
	}
	if ((rc = pc_config_find(&cfg, l->flags.root, l->flags.config_path, src)) < 0)
		goto done;
	if ((rc = pc_project_load_from(&proj, cfg, src)) < 0)
		goto done;
	if (proj->n_errors > 0) {
		size_t shown = 0;
		*invalid = 1;
		set_commit(l, proj->commit);
		for (size_t i = 0; i < proj->diags.len && shown < 20; i++) {
			const pc_diag *d = proj->diags.items[i];
			char *line;
			if (d->severity != PC_SEV_ERROR)
				continue;
			line = pc_diag_format(d);
			pc_loop_log(l, "error", d->table, NULL, "%s", line);
			free(line);
			shown++;
		}
		if (proj->commit)
			*why = pc_sprintf("commit %.12s has %d error%s: skipped, %s", proj->commit, proj->n_errors,
					  proj->n_errors == 1 ? "" : "s",
					  l->s.proj ? "the last good desired state stays in force" : "nothing to reconcile yet");
		else
			*why = pc_sprintf("the working tree has %d error%s: skipped, %s", proj->n_errors,
					  proj->n_errors == 1 ? "" : "s",
					  l->s.proj ? "the last good desired state stays in force" : "nothing to reconcile yet");
		free(l->bad_commit);
		l->bad_commit = pc_strdup(proj->commit ? proj->commit : "worktree");
		goto done;
	}
	/* a good tree: it becomes the desired state; the target follows its config */
	pc_loop_collect_api_stats(l);
	if (l->leader && !pc_session_same_target(&l->s, cfg))
		step_down(l); /* the leader lock borrows the provider about to be closed */
	rc = pc_session_set_desired(&l->s, cfg, proj, &reconnected);
	cfg = NULL; /* the session's, or freed */
	proj = NULL;
	if (reconnected) {
		memset(l->api_seen, 0, sizeof(l->api_seen));
		if (had_provider)
			pc_loop_log(l, "info", NULL, NULL, "target configuration changed: reconnecting");
	}
	if (rc < 0)
		goto done;
	free(l->bad_commit);
	l->bad_commit = NULL;
	l->reload = 0;
	set_commit(l, l->s.proj->commit);
done:
	pc_project_free(proj);
	pc_config_free(cfg);
	pc_source_free(src);
	if (rc < 0 && l->s.proj && l->s.prov && !*why)
		*why = pc_sprintf("could not read the desired state: %s: keeping the last good one", pc_error_last());
	if (l->s.proj && l->s.prov) {
		*out = l->s.proj;
		if (*invalid || rc < 0)
			set_commit(l, l->s.proj->commit);
		return 0;
	}
	if (rc == 0)
		rc = pc_error_set(PC_EINVALID, "%s", *why ? *why : "no desired state could be loaded");
	return rc;
}

/* ---- leadership ---- */

/*
 * Replicas side by side: the holder of the leader lock acts. 1: active;
 * 0: standby (another replica holds it); < 0: the lock could not be read.
 */
static int lead(pc_loop *l, const pc_project *proj)
{
	pc_lock_opts o;
	const char *why = NULL;
	int rc;

	if (l->leader && pc_lock_lost(l->leader, &why)) {
		pc_loop_log(l, "warn", NULL, NULL, "lost the leadership: %s: standing by", why ? why : "lapsed");
		step_down(l);
	}
	if (l->leader)
		return 1;
	memset(&o, 0, sizeof(o));
	o.prefix = proj->config->prefix;
	o.kind = "leader";
	o.command = "reconcile";
	o.ttl_ms = l->o.lock_ttl_ms;
	o.cancel = l->stop;
	rc = pc_lock_acquire(&l->leader, l->s.prov, &o);
	if (rc == 0) {
		pc_loop_log(l, "info", NULL, NULL, "active: this replica holds the leader lock (run %s)",
			    pc_lock_holder(l->leader));
		pc_metrics_set_role(l->metrics, 1, NULL);
		free(l->standby_for);
		l->standby_for = NULL;
		return 1;
	}
	if (rc != PC_ELOCKED)
		return rc;
	{
		pc_lock_info i;
		char *who = NULL;
		if (pc_lock_inspect(l->s.prov, proj->config->prefix, "leader", &i) == 0)
			who = pc_sprintf("reconcile run %s on host %s (pid %ld)", i.run, i.host ? i.host : "?", i.pid);
		pc_lock_info_dispose(&i);
		pc_error_clear();
		if (!l->standby_for || !who || strcmp(l->standby_for, who) != 0)
			pc_loop_log(l, "info", NULL, NULL, "standby: %s is active", who ? who : "another replica");
		pc_metrics_set_role(l->metrics, 0, who);
		free(l->standby_for);
		l->standby_for = who ? who : pc_strdup("");
	}
	return 0;
}

/* A standby cycle: nothing planned or applied; metrics and /status say so. */
static int stand_by(pc_loop *l, pc_cycle *c)
{
	double secs = (double)(pc_mono_ms() - c->start_mono) / 1000.0;
	char *st = pc_sprintf("{\"format_version\":\"1\",\"cycle\":%lld,\"result\":\"standby\",\"plan\":null,"
			      "\"actions\":[],\"apply\":null}",
			      (long long)l->cycle);
	pc_metrics_set_status(l->metrics, st);
	free(st);
	pc_loop_collect_api_stats(l);
	pc_metrics_cycle(l->metrics, "standby", secs, 1, NULL);
	pc_buf_dispose(&c->status);
	pc_map_dispose(&c->started, NULL);
	pc_execution_free(c->exec);
	c->exec = NULL;
	if (l->o.once)
		return pc_error_set(PC_ELOCKED, "standby: %s is active", l->standby_for && *l->standby_for ? l->standby_for : "another replica");
	return 0;
}

/* ---- the cycle ---- */

static int suspended(pc_loop *l)
{
	return l->o.suspend > 0 || (l->suspend_file && access(l->suspend_file, F_OK) == 0);
}

int pc_loop_cycle(pc_loop *l)
{
	pc_cycle c;
	pc_project *proj = NULL;
	char *why = NULL;
	int invalid = 0, rc;

	memset(&c, 0, sizeof(c));
	pc_buf_init(&c.status, 0);
	pc_map_init(&c.started);
	l->cycle++;
	c.start_mono = pc_mono_ms();
	c.exec = pc_execution_new("reconcile", NULL);
	c.exec->cycle = l->cycle;

	rc = load_desired(l, &proj, &invalid, &why);
	free(c.exec->commit);
	c.exec->commit = pc_strdup(l->commit);
	if (why)
		pc_loop_log(l, invalid ? "error" : "warn", NULL, NULL, "%s", why);
	if (rc < 0) {
		const char *msg = pc_error_last();
		if (!invalid)
			pc_loop_log(l, "error", NULL, NULL, "could not load the desired state: %s", msg);
		pc_loop_finish(l, &c, invalid ? "invalid" : "error", invalid ? (why ? why : msg) : msg, 0);
		free(why);
		return rc;
	}
	c.invalid = invalid;
	c.invalid_reason = why;
	c.suspended = suspended(l);
	if ((rc = lead(l, proj)) <= 0) {
		if (rc == 0) {
			rc = stand_by(l, &c);
		} else {
			char *msg = pc_sprintf("could not read the leader lock: %s", pc_error_last());
			pc_loop_log(l, "error", NULL, NULL, "%s", msg);
			pc_loop_finish(l, &c, "error", msg, 0);
			rc = pc_error_set(rc, "%s", msg);
			free(msg);
		}
		free(why);
		return rc;
	}
	rc = pc_loop_reconcile(l, &c, proj);
	free(why);
	return rc;
}

/* ---- lifecycle ---- */

static void free_loop(pc_loop *l)
{
	close_provider(l);
	pc_session_dispose(&l->s);
	pc_map_dispose(&l->failures, pc_loop_failure_free);
	pc_metrics_free(l->metrics);
	pc_config_free(l->settings_cfg);
	free(l->standby_for);
	free(l->commit);
	free(l->bad_commit);
	free(l->suspend_file);
	free(l->history_path);
}

static int reload_asked(const pc_loop *l)
{
	return l->o.reload && *l->o.reload;
}

/* Sleep up to ms, waking when asked to stop or reload. */
static void nap(const pc_loop *l, int64_t ms)
{
	int64_t end = pc_mono_ms() + ms;
	while (!*l->stop && !reload_asked(l)) {
		int64_t left = end - pc_mono_ms();
		if (left <= 0)
			break;
		pc_sleep_ms(left < 200 ? left : 200);
	}
}

static int64_t jittered(const pc_loop_options *o)
{
	int64_t base = o->interval_ms, span;
	if (o->jitter_pct <= 0)
		return base;
	span = base * o->jitter_pct / 100;
	if (span <= 0)
		return base;
	return base - span + (int64_t)((uint64_t)random() % (uint64_t)(2 * span + 1));
}

int pc_loop_run(const pc_loop_options *flags)
{
	pc_loop l;
	int rc = 0;

	if (!flags->stop)
		return pc_error_set(PC_EINVALID, "reconcile loop: no stop flag");
	memset(&l, 0, sizeof(l));
	l.flags = *flags;
	pc_map_init(&l.failures);
	l.stop = flags->stop;
	if ((rc = load_settings(&l)) < 0)
		goto done;
	l.metrics = pc_metrics_new();
	if (l.o.listen && (rc = pc_metrics_listen(l.metrics, l.o.listen)) < 0)
		goto done;
	if (l.o.listen)
		pc_loop_log(&l, "info", NULL, NULL, "serving /healthz /readyz /metrics /status on %s (port %d)",
			    l.o.listen, pc_metrics_port(l.metrics));
	pc_loop_log(&l, "info", NULL, NULL, "reconciling %s every %llds%s%s%s%s",
		    l.o.git_ref ? l.o.git_ref : "the working tree", (long long)(l.o.interval_ms / 1000),
		    l.o.allow_destructive ? ", destructive actions allowed" : "",
		    l.o.auto_promote ? ", green versions promoted once they run" : "", l.o.git_fetch ? ", fetching first" : "",
		    l.o.once ? ", once" : "");
	for (;;) {
		if (reload_asked(&l)) {
			*l.o.reload = 0;
			if (load_settings(&l) < 0) {
				pc_loop_log(&l, "error", NULL, NULL, "configuration not reloaded: %s", pc_error_last());
			} else {
				l.reload = 1;
				close_provider(&l);
				pc_loop_log(&l, "info", NULL, NULL, "configuration reloaded");
			}
		}
		rc = pc_loop_cycle(&l);
		if (l.o.once || *l.stop)
			break;
		nap(&l, jittered(&l.o));
		if (*l.stop)
			break;
	}
	if (*l.stop) {
		pc_loop_log(&l, "info", NULL, NULL, "stopping on signal: lock released, exiting");
		rc = 0;
	}
done:
	free_loop(&l);
	return rc;
}
