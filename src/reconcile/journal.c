/*
 * journal.c - the intent of a run as the SQL text of one statement
 * (journal.h).
 */
#include "journal.h"

#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define JOURNAL_INFIX "-pc-journal-"
#define JOURNAL_VERSION 1

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
	free(j->created_at);
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

pc_journal *pc_journal_new(const char *statement, const char *created_at)
{
	pc_journal *j = PC_NEW(pc_journal);
	j->statement = pc_strdup(statement);
	j->created_at = pc_strdup(created_at);
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

char *pc_journal_sql(const pc_journal *j)
{
	json_t *root = json_object(), *acts = json_array(), *names = json_array();
	char *text, *sql;

	json_object_set_new(root, "v", json_integer(JOURNAL_VERSION));
	json_object_set_new(root, "created_at", json_string(j->created_at ? j->created_at : ""));
	for (size_t i = 0; i < j->actions.len; i++) {
		const pc_journal_action *a = j->actions.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "table", json_string(a->table));
		json_object_set_new(o, "action", json_string(a->kind));
		if (a->dml)
			json_object_set_new(o, "dml", json_string(a->dml));
		json_array_append_new(acts, o);
	}
	for (size_t i = 0; i < j->names.len; i++) {
		const pc_journal_name *n = j->names.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(pc_name_kind_str(n->kind)));
		json_object_set_new(o, "table", json_string(n->table));
		json_object_set_new(o, "fp", json_string(n->fp));
		json_object_set_new(o, "statement", json_string(n->statement));
		json_array_append_new(names, o);
	}
	json_object_set_new(root, "actions", acts);
	json_object_set_new(root, "names", names);
	/* JSON_ESCAPE_SLASH: no "*" "/" pair can close the comment early */
	text = json_dumps(root, JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_SORT_KEYS);
	json_decref(root);
	sql = pc_sprintf("SHOW TABLES /* %s%s */", PC_JOURNAL_MARK, text ? text : "{}");
	free(text);
	return sql;
}

static const char *jget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int pc_journal_parse(pc_journal **out, const char *statement, const char *sql)
{
	const char *start, *end;
	json_t *root = NULL, *acts, *names;
	json_error_t jerr;
	pc_journal *j = NULL;
	int rc = 0;

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
	if (json_integer_value(json_object_get(root, "v")) != JOURNAL_VERSION) {
		rc = pc_error_set(PC_EPARSE, "journal statement '%s': unknown journal version", statement);
		goto done;
	}
	acts = json_object_get(root, "actions");
	names = json_object_get(root, "names");
	if (!json_is_array(acts) || !json_is_array(names)) {
		rc = pc_error_set(PC_EPARSE, "journal statement '%s': no actions or names", statement);
		goto done;
	}
	j = pc_journal_new(statement, jget(root, "created_at"));
	for (size_t i = 0; i < json_array_size(acts); i++) {
		json_t *o = json_array_get(acts, i);
		if (!jget(o, "table") || !jget(o, "action")) {
			rc = pc_error_set(PC_EPARSE, "journal statement '%s': action %zu has no table or action",
					  statement, i + 1);
			goto done;
		}
		pc_journal_add_action(j, jget(o, "table"), jget(o, "action"), jget(o, "dml"));
	}
	for (size_t i = 0; i < json_array_size(names); i++) {
		json_t *o = json_array_get(names, i);
		pc_name_kind kind;
		if (!jget(o, "table") || !jget(o, "statement") || pc_name_kind_parse(jget(o, "kind"), &kind) != 0) {
			pc_error_clear();
			rc = pc_error_set(PC_EPARSE, "journal statement '%s': name %zu is incomplete", statement, i + 1);
			goto done;
		}
		pc_journal_add_name(j, kind, jget(o, "table"), jget(o, "fp"), jget(o, "statement"));
	}
	*out = j;
	j = NULL;
done:
	json_decref(root);
	pc_journal_free(j);
	return rc;
}
