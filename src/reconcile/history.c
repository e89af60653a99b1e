/*
 * history.c - the bounded run history file (see history.h).
 */
#include "history.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static atomic_uint exec_seq;

pc_execution *pc_execution_new(const char *kind, const char *commit)
{
	pc_execution *e = PC_NEW(pc_execution);

	e->kind = pc_strdup(kind ? kind : "apply");
	e->commit = pc_strdup(commit);
	e->start_ms = pc_wall_ms();
	e->id = pc_sprintf("%s-%lld-%ld-%u", e->kind, (long long)e->start_ms, (long)getpid(),
			   atomic_fetch_add(&exec_seq, 1) + 1);
	pc_vec_init(&e->actions);
	pthread_mutex_init(&e->lock, NULL);
	return e;
}

static void action_free(void *p)
{
	pc_action_exec *a = p;
	if (!a)
		return;
	free(a->table);
	free(a->action);
	free(a->result);
	free(a->error);
	free(a);
}

void pc_execution_add_action(pc_execution *e, const char *table, const char *action,
			     const char *result, int64_t start_ms, int64_t end_ms, const char *error)
{
	pc_action_exec *a;

	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	if (e->actions.len >= PC_HISTORY_MAX_ACTIONS) {
		e->actions_omitted++;
		pthread_mutex_unlock(&e->lock);
		return;
	}
	a = PC_NEW(pc_action_exec);
	a->table = pc_strdup(table);
	a->action = pc_strdup(action);
	a->result = pc_strdup(result);
	a->start_ms = start_ms;
	a->end_ms = end_ms;
	a->error = pc_strdup(error);
	pc_vec_push(&e->actions, a);
	pthread_mutex_unlock(&e->lock);
}

void pc_execution_finish(pc_execution *e, const char *result, const char *error)
{
	if (!e)
		return;
	e->end_ms = pc_wall_ms();
	free(e->result);
	free(e->error);
	e->result = pc_strdup(result);
	e->error = pc_strdup(error);
}

void pc_execution_free(void *p)
{
	pc_execution *e = p;
	if (!e)
		return;
	free(e->id);
	free(e->kind);
	free(e->commit);
	free(e->result);
	free(e->error);
	pc_vec_dispose(&e->actions, action_free);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/* ---- JSON ---- */

static void put_time(pc_buf *b, const char *key, int64_t ms)
{
	char iso[40];
	pc_buf_printf(b, ",\"%s\":", key);
	if (ms <= 0) {
		pc_buf_puts(b, "null");
		return;
	}
	pc_iso8601(ms, iso, sizeof(iso));
	pc_buf_put_json_str(b, iso);
}

static void put_str(pc_buf *b, const char *key, const char *v)
{
	pc_buf_printf(b, ",\"%s\":", key);
	if (v)
		pc_buf_put_json_str(b, v);
	else
		pc_buf_puts(b, "null");
}

static int64_t duration_ms(int64_t start, int64_t end)
{
	return end > start ? end - start : 0;
}

int pc_execution_to_json(const pc_execution *e, pc_buf *b)
{
	pc_execution *me = (pc_execution *)e; /* the lock only */

	pc_buf_puts(b, "{\"format_version\":\"1\"");
	put_str(b, "id", e->id);
	put_str(b, "kind", e->kind);
	pc_buf_printf(b, ",\"cycle\":%lld", (long long)e->cycle);
	put_str(b, "commit", e->commit);
	put_time(b, "started_at", e->start_ms);
	put_time(b, "ended_at", e->end_ms);
	pc_buf_printf(b, ",\"duration_ms\":%lld", (long long)duration_ms(e->start_ms, e->end_ms));
	put_str(b, "result", e->result ? e->result : "running");
	put_str(b, "error", e->error);
	pthread_mutex_lock(&me->lock);
	pc_buf_printf(b, ",\"actions_omitted\":%zu,\"actions\":[", e->actions_omitted);
	for (size_t i = 0; i < e->actions.len; i++) {
		const pc_action_exec *a = e->actions.items[i];
		pc_buf_puts(b, i ? ",{" : "{");
		pc_buf_puts(b, "\"table\":");
		pc_buf_put_json_str(b, a->table ? a->table : "");
		put_str(b, "action", a->action);
		put_str(b, "result", a->result);
		put_time(b, "started_at", a->start_ms);
		put_time(b, "ended_at", a->end_ms);
		pc_buf_printf(b, ",\"duration_ms\":%lld", (long long)duration_ms(a->start_ms, a->end_ms));
		put_str(b, "error", a->error);
		pc_buf_putc(b, '}');
	}
	pthread_mutex_unlock(&me->lock);
	return pc_buf_puts(b, "]}");
}

static char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? pc_strdup(json_string_value(v)) : NULL;
}

int pc_execution_from_json(pc_execution **out, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *root, *acts, *v;
	pc_execution *e;
	size_t i;

	*out = NULL;
	root = json_loadb(line, len, 0, &jerr);
	if (!root)
		return pc_error_set(PC_EPARSE, "history line %d: %s", jerr.line, jerr.text);
	if (!json_is_object(root) || !json_is_string(json_object_get(root, "id")) ||
	    !json_is_string(json_object_get(root, "kind"))) {
		json_decref(root);
		return pc_error_set(PC_EPARSE, "history line is not an execution");
	}
	e = PC_NEW(pc_execution);
	pc_vec_init(&e->actions);
	pthread_mutex_init(&e->lock, NULL);
	e->id = jstr(root, "id");
	e->kind = jstr(root, "kind");
	e->commit = jstr(root, "commit");
	e->result = jstr(root, "result");
	e->error = jstr(root, "error");
	v = json_object_get(root, "cycle");
	e->cycle = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	v = json_object_get(root, "actions_omitted");
	e->actions_omitted = json_is_integer(v) && json_integer_value(v) > 0 ? (size_t)json_integer_value(v) : 0;
	v = json_object_get(root, "started_at");
	e->start_ms = pc_parse_iso8601_ms(json_string_value(v));
	v = json_object_get(root, "ended_at");
	e->end_ms = pc_parse_iso8601_ms(json_string_value(v));
	acts = json_object_get(root, "actions");
	json_array_foreach(acts, i, v) {
		pc_action_exec *a;
		if (!json_is_object(v))
			continue;
		a = PC_NEW(pc_action_exec);
		a->table = jstr(v, "table");
		a->action = jstr(v, "action");
		a->result = jstr(v, "result");
		a->error = jstr(v, "error");
		a->start_ms = pc_parse_iso8601_ms(json_string_value(json_object_get(v, "started_at")));
		a->end_ms = pc_parse_iso8601_ms(json_string_value(json_object_get(v, "ended_at")));
		pc_vec_push(&e->actions, a);
	}
	json_decref(root);
	*out = e;
	return 0;
}

/* ---- the file ---- */

char *pc_history_path(const char *root)
{
	return pc_sprintf("%s/.pipectl/history.jsonl", root && *root ? root : ".");
}

typedef struct line_ref {
	const char *p;
	size_t n;
} line_ref;

/* Split text into non-empty lines (pointers into text). */
static line_ref *split_lines(const char *text, size_t len, size_t *count)
{
	size_t n = 0, cap = 16;
	line_ref *lines = pc_malloc(pc_st_mult(cap, sizeof(*lines)));
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		if (stop > p) {
			if (n == cap) {
				cap = pc_st_mult(cap, 2);
				lines = pc_realloc(lines, pc_st_mult(cap, sizeof(*lines)));
			}
			lines[n].p = p;
			lines[n].n = (size_t)(stop - p);
			n++;
		}
		p = stop + 1;
	}
	*count = n;
	return lines;
}

/* A line that a crash or an editor did not cut: a whole JSON object. */
static int looks_whole(const line_ref *l)
{
	return l->n >= 2 && l->p[0] == '{' && l->p[l->n - 1] == '}';
}

int pc_history_append(const char *path, const pc_execution *e, size_t keep)
{
	pc_buf out = PC_BUF_INIT;
	char *text = NULL, *dir = NULL, *lock_path = NULL;
	line_ref *lines = NULL;
	size_t len = 0, n = 0, whole = 0, skip;
	int fd = -1, rc = 0;

	if (keep == 0)
		keep = PC_HISTORY_KEEP;
	dir = pc_path_dirname(path);
	if ((rc = pc_fs_mkdirs(dir)) < 0)
		goto done;
	lock_path = pc_sprintf("%s.lock", path);
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = pc_error_set(PC_EIO, "could not open '%s': %s", lock_path, strerror(errno));
		goto done;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			rc = pc_error_set(PC_EIO, "could not lock '%s': %s", lock_path, strerror(errno));
			goto done;
		}
	}
	if (pc_fs_is_file(path)) {
		if ((rc = pc_fs_read(&text, &len, path)) < 0)
			goto done;
		lines = split_lines(text, len, &n);
	}
	for (size_t i = 0; i < n; i++)
		whole += looks_whole(&lines[i]) ? 1u : 0u;
	/* keep the newest keep-1 whole lines, then the new one */
	skip = whole + 1 > keep ? whole + 1 - keep : 0;
	for (size_t i = 0; i < n; i++) {
		if (!looks_whole(&lines[i]))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		pc_buf_put(&out, lines[i].p, lines[i].n);
		pc_buf_putc(&out, '\n');
	}
	pc_execution_to_json(e, &out);
	pc_buf_putc(&out, '\n');
	rc = pc_fs_write_atomic(path, out.ptr, out.len);
done:
	if (fd >= 0)
		close(fd); /* releases the flock */
	free(lines);
	free(text);
	free(dir);
	free(lock_path);
	pc_buf_dispose(&out);
	return rc;
}

int pc_history_read(const char *path, size_t limit, pc_vec *out, size_t *skipped)
{
	char *text = NULL;
	line_ref *lines = NULL;
	size_t len = 0, n = 0, bad = 0;
	int rc = 0;

	if (!pc_fs_is_file(path))
		goto done;
	if ((rc = pc_fs_read(&text, &len, path)) < 0)
		goto done;
	lines = split_lines(text, len, &n);
	for (size_t i = n; i > 0 && (limit == 0 || out->len < limit); i--) {
		pc_execution *e = NULL;
		if (pc_execution_from_json(&e, lines[i - 1].p, lines[i - 1].n) < 0) {
			bad++;
			continue;
		}
		pc_vec_push(out, e);
	}
	pc_error_clear();
done:
	if (skipped)
		*skipped = bad;
	free(lines);
	free(text);
	return rc;
}
