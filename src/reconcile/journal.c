/*
 * journal.c - the intent of a run as the SQL text of one or more statements
 * (journal.h).
 *
 * Format 2, one part:
 *   SHOW TABLES, then a comment: pipectl-journal {"a":[…],"at":"<created_at>","n":[…],"p":i,"pn":n,"run":"<run>","v":2}
 * an action {"a":kind,"d":dml,"t":table}, a name {"f":fp,"k":kind,"s":statement,"t":table}
 * ("d" and "f" left out when there is none). Format 1 (one statement, long
 * keys) is still read.
 */
#include "journal.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/map.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JOURNAL_INFIX "-pc-journal-"
#define JOURNAL_VERSION 2
#define JOURNAL_HEAD "SHOW TABLES /* " PC_JOURNAL_MARK
#define JOURNAL_TAIL " */"
#define JSON_FLAGS (JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_SORT_KEYS | JSON_ENCODE_ANY)

static void name_free(void *p)
{
	pc_journal_name *n = p;
	if (!n)
		return;
	free(n->table);
	free(n->fp);
	free(n->statement);
	free(n);
}

static void action_free(void *p)
{
	pc_journal_action *a = p;
	if (!a)
		return;
	free(a->table);
	free(a->kind);
	free(a->dml);
	free(a);
}

void pc_journal_free(void *p)
{
	pc_journal *j = p;
	if (!j)
		return;
	free(j->statement);
	free(j->run);
	free(j->created_at);
	pc_vec_dispose(&j->statements, free);
	pc_vec_dispose(&j->actions, action_free);
	pc_vec_dispose(&j->names, name_free);
	free(j);
}

int pc_journal_is_name(const char *prefix, const char *name)
{
	char *pfx = pc_naming_slug(prefix ? prefix : "", 40);
	size_t n = strlen(pfx);
	int yes = name && strncmp(name, pfx, n) == 0 && strncmp(name + n, JOURNAL_INFIX, strlen(JOURNAL_INFIX)) == 0;
	free(pfx);
	return yes;
}

char *pc_journal_make_name(const char *prefix, const char *seed)
{
	char *pfx = pc_naming_slug(prefix ? prefix : "", 40);
	char hex[33], *name;
	pc_hash h;

	pc_hash_init(&h);
	pc_hash_update_str(&h, seed ? seed : "");
	pc_hash_hex(&h, hex);
	hex[8] = '\0';
	name = pc_sprintf("%s%s%s", pfx, JOURNAL_INFIX, hex);
	free(pfx);
	return name;
}

char *pc_journal_part_name(const char *run, int part, int parts)
{
	return pc_sprintf("%s-%d-of-%d", run, part, parts);
}

pc_journal *pc_journal_new(const char *statement, const char *created_at)
{
	pc_journal *j = PC_NEW(pc_journal);
	j->statement = pc_strdup(statement);
	j->created_at = pc_strdup(created_at ? created_at : "");
	return j;
}

void pc_journal_add_action(pc_journal *j, const char *table, const char *kind, const char *dml)
{
	pc_journal_action *a = PC_NEW(pc_journal_action);
	a->table = pc_strdup(table);
	a->kind = pc_strdup(kind);
	a->dml = pc_strdup(dml);
	pc_vec_push(&j->actions, a);
}

void pc_journal_add_name(pc_journal *j, pc_name_kind kind, const char *table, const char *fp,
			 const char *statement)
{
	pc_journal_name *n = PC_NEW(pc_journal_name);
	n->kind = kind;
	n->table = pc_strdup(table);
	n->fp = pc_strdup(fp ? fp : "");
	n->statement = pc_strdup(statement);
	pc_vec_push(&j->names, n);
}

/* One record's JSON text (owned). */
static char *action_json(const pc_journal_action *a)
{
	json_t *o = json_object();
	char *text;
	json_object_set_new(o, "t", json_string(a->table));
	json_object_set_new(o, "a", json_string(a->kind));
	if (a->dml)
		json_object_set_new(o, "d", json_string(a->dml));
	text = json_dumps(o, JSON_FLAGS);
	json_decref(o);
	return text;
}

static char *name_json(const pc_journal_name *n)
{
	json_t *o = json_object();
	char *text;
	json_object_set_new(o, "k", json_string(pc_name_kind_str(n->kind)));
	json_object_set_new(o, "t", json_string(n->table));
	if (n->fp && *n->fp)
		json_object_set_new(o, "f", json_string(n->fp));
	json_object_set_new(o, "s", json_string(n->statement));
	text = json_dumps(o, JSON_FLAGS);
	json_decref(o);
	return text;
}

static void put_json_str(pc_buf *b, const char *s)
{
	json_t *v = json_string(s ? s : "");
	char *text = json_dumps(v, JSON_FLAGS);
	pc_buf_puts(b, text ? text : "\"\"");
	free(text);
	json_decref(v);
}

/* The SQL of one part: records [from, to) of the concatenated actions and names. */
static char *render_part(const pc_journal *j, const char *run, char **recs, size_t n_acts, size_t from, size_t to,
			 int part, int parts)
{
	pc_buf b = PC_BUF_INIT;
	size_t i, k = 0;

	pc_buf_puts(&b, JOURNAL_HEAD "{\"a\":[");
	for (i = from; i < to && i < n_acts; i++, k++)
		pc_buf_printf(&b, "%s%s", k ? "," : "", recs[i]);
	pc_buf_puts(&b, "],\"at\":");
	put_json_str(&b, j->created_at);
	pc_buf_puts(&b, ",\"n\":[");
	for (i = from > n_acts ? from : n_acts, k = 0; i < to; i++, k++)
		pc_buf_printf(&b, "%s%s", k ? "," : "", recs[i]);
	pc_buf_printf(&b, "],\"p\":%d,\"pn\":%d,\"run\":", part, parts);
	put_json_str(&b, run);
	pc_buf_printf(&b, ",\"v\":%d}" JOURNAL_TAIL, JOURNAL_VERSION);
	return pc_buf_detach(&b);
}

int pc_journal_sql_parts(pc_vec *out, const pc_journal *j, const char *run, size_t max)
{
	size_t n_acts = j->actions.len, n = n_acts + j->names.len, i, used, overhead;
	char **recs = pc_calloc(n ? n : 1, sizeof(*recs));
	pc_vec starts = PC_VEC_INIT; /* (size_t) index of each part's first record */
	char *empty;
	int rc = 0;

	for (i = 0; i < n; i++)
		recs[i] = i < n_acts ? action_json(j->actions.items[i]) : name_json(j->names.items[i - n_acts]);
	/* what a part holds besides its records: an empty part with the widest index and count */
	empty = render_part(j, run, recs, n_acts, 0, 0, 999999, 999999);
	overhead = strlen(empty);
	free(empty);
	used = max; /* a fresh part starts at the first record */
	for (i = 0; i < n; i++) {
		size_t len = strlen(recs[i]) + 1; /* and its comma */
		const char *table = i < n_acts ? ((const pc_journal_action *)j->actions.items[i])->table
					       : ((const pc_journal_name *)j->names.items[i - n_acts])->table;
		if (overhead + len > max) {
			rc = pc_error_set(PC_EINVALID,
					  "the journal record of table '%s' is %zu characters: a journal statement holds at most %zu",
					  table, len - 1, max > overhead ? max - overhead : 0);
			goto done;
		}
		if (used + len > max) {
			pc_vec_push(&starts, (void *)(uintptr_t)i);
			used = overhead;
		}
		used += len;
	}
	if (!starts.len)
		pc_vec_push(&starts, (void *)(uintptr_t)0);
	for (i = 0; i < starts.len; i++) {
		size_t from = (uintptr_t)starts.items[i];
		size_t to = i + 1 < starts.len ? (uintptr_t)starts.items[i + 1] : n;
		pc_vec_push(out, render_part(j, run, recs, n_acts, from, to, (int)i + 1, (int)starts.len));
	}
done:
	for (i = 0; i < n; i++)
		free(recs[i]);
	free(recs);
	pc_vec_dispose(&starts, NULL);
	return rc;
}

static const char *jget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int pc_journal_parse(pc_journal **out, const char *statement, const char *sql)
{
	const char *start, *end;
	json_t *root = NULL, *acts, *names, *pv, *pnv;
	json_error_t jerr;
	pc_journal *j = NULL;
	json_int_t v;
	int rc = 0, v1;

	*out = NULL;
	start = sql ? strstr(sql, PC_JOURNAL_MARK) : NULL;
	end = start ? strstr(start, "*/") : NULL;
	if (!start || !end) {
		rc = pc_error_set(PC_EPARSE, "journal statement '%s': no journal in its SQL text", statement);
		goto done;
	}
	start += strlen(PC_JOURNAL_MARK);
	root = json_loadb(start, (size_t)(end - start), 0, &jerr);
	if (!root || !json_is_object(root)) {
		rc = pc_error_set(PC_EPARSE, "journal statement '%s': %s", statement,
				  root ? "not a JSON object" : jerr.text);
		goto done;
	}
	v = json_integer_value(json_object_get(root, "v"));
	if (v != 1 && v != JOURNAL_VERSION) {
		rc = pc_error_set(PC_EPARSE, "journal statement '%s': unknown journal version", statement);
		goto done;
	}
	v1 = v == 1;
	acts = json_object_get(root, v1 ? "actions" : "a");
	names = json_object_get(root, v1 ? "names" : "n");
	if (!json_is_array(acts) || !json_is_array(names)) {
		rc = pc_error_set(PC_EPARSE, "journal statement '%s': no actions or names", statement);
		goto done;
	}
	j = pc_journal_new(statement, jget(root, v1 ? "created_at" : "at"));
	if (v1) {
		j->run = pc_strdup(statement);
		j->part = j->parts = 1;
	} else {
		pv = json_object_get(root, "p");
		pnv = json_object_get(root, "pn");
		if (!jget(root, "run") || !json_is_integer(pv) || !json_is_integer(pnv) || json_integer_value(pnv) < 1 ||
		    json_integer_value(pv) < 1 || json_integer_value(pv) > json_integer_value(pnv) ||
		    json_integer_value(pnv) > 1000000) {
			rc = pc_error_set(PC_EPARSE, "journal statement '%s': no run, part or part count", statement);
			goto done;
		}
		j->run = pc_strdup(jget(root, "run"));
		j->part = (int)json_integer_value(pv);
		j->parts = (int)json_integer_value(pnv);
	}
	pc_vec_push(&j->statements, pc_strdup(statement));
	for (size_t i = 0; i < json_array_size(acts); i++) {
		json_t *o = json_array_get(acts, i);
		const char *t = jget(o, v1 ? "table" : "t"), *k = jget(o, v1 ? "action" : "a");
		if (!t || !k) {
			rc = pc_error_set(PC_EPARSE, "journal statement '%s': action %zu has no table or action",
					  statement, i + 1);
			goto done;
		}
		pc_journal_add_action(j, t, k, jget(o, v1 ? "dml" : "d"));
	}
	for (size_t i = 0; i < json_array_size(names); i++) {
		json_t *o = json_array_get(names, i);
		const char *t = jget(o, v1 ? "table" : "t"), *st = jget(o, v1 ? "statement" : "s");
		pc_name_kind kind;
		if (!t || !st || pc_name_kind_parse(jget(o, v1 ? "kind" : "k"), &kind) != 0) {
			pc_error_clear();
			rc = pc_error_set(PC_EPARSE, "journal statement '%s': name %zu is incomplete", statement, i + 1);
			goto done;
		}
		pc_journal_add_name(j, kind, t, jget(o, v1 ? "fp" : "f"), st);
	}
	*out = j;
	j = NULL;
done:
	json_decref(root);
	pc_journal_free(j);
	return rc;
}

static int by_part(const void *x, const void *y)
{
	const pc_journal *a = x, *b = y;
	return (a->part > b->part) - (a->part < b->part);
}

/* Move src's records into dst. */
static void take_records(pc_journal *dst, pc_journal *src)
{
	for (size_t i = 0; i < src->actions.len; i++)
		pc_vec_push(&dst->actions, src->actions.items[i]);
	for (size_t i = 0; i < src->names.len; i++)
		pc_vec_push(&dst->names, src->names.items[i]);
	for (size_t i = 0; i < src->statements.len; i++)
		pc_vec_push(&dst->statements, src->statements.items[i]);
	pc_vec_dispose(&src->actions, NULL);
	pc_vec_dispose(&src->names, NULL);
	pc_vec_dispose(&src->statements, NULL);
}

static void free_parts(void *p)
{
	pc_vec_dispose(p, pc_journal_free);
	free(p);
}

int pc_journal_join(pc_vec *parts, pc_vec *whole, pc_vec *leftover)
{
	pc_map runs = PC_MAP_INIT; /* run -> pc_vec * of its parts */
	pc_vec order = PC_VEC_INIT; /* char *: runs by first appearance (borrowed from their first part) */
	int rc = 0;
	size_t i, k;

	for (i = 0; i < parts->len; i++) {
		pc_journal *p = parts->items[i];
		pc_vec *v = pc_map_get(&runs, p->run);
		if (!v) {
			v = PC_NEW(pc_vec);
			pc_map_put(&runs, p->run, v);
			pc_vec_push(&order, p->run);
		}
		pc_vec_push(v, p);
	}
	pc_vec_dispose(parts, NULL); /* its parts are in runs now */
	for (i = 0; i < order.len; i++) {
		pc_vec *v = pc_map_get(&runs, order.items[i]);
		pc_journal *first;
		pc_vec_sort(v, by_part);
		first = v->items[0];
		for (k = 0; !rc && k < v->len; k++) {
			const pc_journal *p = v->items[k];
			if (p->parts != first->parts || strcmp(p->created_at, first->created_at) != 0 ||
			    (k && p->part == ((const pc_journal *)v->items[k - 1])->part))
				rc = pc_error_set(PC_EPARSE,
						  "journal '%s': its parts ('%s', '%s') disagree: not a journal pipectl wrote",
						  p->run, first->statement, p->statement);
		}
		if (rc)
			break;
		if ((int)v->len != first->parts) {
			for (k = 0; k < v->len; k++)
				pc_vec_push(leftover, pc_strdup(((const pc_journal *)v->items[k])->statement));
			continue;
		}
		/* complete: part 1 takes the records of the others, in index order */
		pc_vec_remove(v, 0);
		for (k = 0; k < v->len; k++)
			take_records(first, v->items[k]);
		first->part = 0;
		pc_vec_push(whole, first);
	}
	pc_vec_dispose(&order, NULL);
	pc_map_dispose(&runs, free_parts);
	return rc;
}
