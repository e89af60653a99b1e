/*
 * adopt.c - which table an unmanaged statement writes (from its SQL), the
 * table.yaml `adopt:` keys applied to a snapshot, what `pipectl import`
 * finds, and the never-a-second-writer check of a plan (adopt.h).
 */
#include "adopt.h"

#include "../model/select.h"
#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/fs.h"

#include <stdlib.h>
#include <string.h>

/* A DML in one of these phases writes, or may write again once resumed. */
static int may_write(pc_phase ph)
{
	return pc_phase_live(ph) || ph == PC_PHASE_STOPPED || ph == PC_PHASE_STOPPING || ph == PC_PHASE_UNKNOWN;
}

static void writer_free(void *p)
{
	pc_adopt_writer *w = p;
	if (!w)
		return;
	free(w->table);
	free(w);
}

void pc_adopt_scan_free(pc_adopt_scan *s)
{
	if (!s)
		return;
	pc_vec_dispose(&s->writers, writer_free);
	pc_vec_dispose(&s->ddls, writer_free);
	pc_vec_dispose(&s->skipped, free);
	free(s);
}

static void push_writer(pc_vec *v, const pc_actual_stmt *s, const char *table)
{
	pc_adopt_writer *w = PC_NEW(pc_adopt_writer);
	w->s = s;
	w->table = pc_strdup(pc_sql_base_name(table));
	pc_vec_push(v, w);
}

/* Newest first: created_at descending, then name. */
static int newest_first(const void *x, const void *y)
{
	const pc_adopt_writer *a = x, *b = y;
	const char *ca = a->s->st->created_at ? a->s->st->created_at : "";
	const char *cb = b->s->st->created_at ? b->s->st->created_at : "";
	int c = strcmp(cb, ca);
	return c ? c : strcmp(b->s->st->name, a->s->st->name);
}

/*
 * What st's SQL writes: INSERT targets and CTAS targets into writes, plain
 * CREATE TABLE/VIEW targets into creates (base names, owned). -1 with the
 * analyzer's error when the SQL cannot be analyzed.
 */
static int analyze(const pc_actual_st *st, pc_vec *writes, pc_vec *creates)
{
	pc_sql_file *f = NULL;
	size_t i, j;

	if (!st->sql || !*st->sql)
		return pc_error_set(PC_EPARSE, "%s: no SQL", st->name);
	if (pc_sql_analyze(&f, st->name, st->sql, strlen(st->sql)) < 0)
		return -1;
	for (i = 0; i < f->stmts.len; i++) {
		const pc_sql_stmt *s = f->stmts.items[i];
		for (j = 0; j < s->writes.len; j++)
			pc_vec_add_str_unique(writes, pc_sql_base_name(s->writes.items[j]));
		if (s->kind == PC_STMT_CREATE_TABLE || s->kind == PC_STMT_CREATE_VIEW)
			for (j = 0; j < s->creates.len; j++)
				pc_vec_add_str_unique(creates, pc_sql_base_name(s->creates.items[j]));
	}
	pc_sql_file_free(f);
	return 0;
}

int pc_adopt_scan_build(pc_adopt_scan **out, const pc_actual *a)
{
	pc_adopt_scan *sc;
	size_t i, j;

	*out = NULL;
	if (!a)
		return pc_error_set(PC_EINVALID, "adopt: no snapshot");
	sc = PC_NEW(pc_adopt_scan);
	for (i = 0; i < a->stmts.len; i++) {
		const pc_actual_stmt *s = a->stmts.items[i];
		pc_vec writes = PC_VEC_INIT, creates = PC_VEC_INIT;
		if (s->managed) /* pipectl's own, or adopted */
			continue;
		if (analyze(s->st, &writes, &creates) < 0) {
			pc_vec_push(&sc->skipped, pc_sprintf("statement '%s' (%s): its SQL cannot be analyzed, skipped: %s",
							     s->st->name, s->st->phase ? s->st->phase : "no phase",
							     pc_error_last()));
			pc_error_clear();
			continue;
		}
		for (j = 0; j < writes.len; j++)
			if (may_write(s->st->ph))
				push_writer(&sc->writers, s, writes.items[j]);
		for (j = 0; j < creates.len; j++)
			push_writer(&sc->ddls, s, creates.items[j]);
		pc_vec_dispose(&writes, free);
		pc_vec_dispose(&creates, free);
	}
	pc_vec_sort(&sc->writers, newest_first);
	pc_vec_sort(&sc->ddls, newest_first);
	*out = sc;
	return 0;
}

void pc_adopt_writers_of(const pc_adopt_scan *s, const char *table, pc_vec *out)
{
	size_t i;
	for (i = 0; s && i < s->writers.len; i++) {
		pc_adopt_writer *w = s->writers.items[i];
		if (!strcmp(w->table, table))
			pc_vec_push(out, w);
	}
}

const pc_adopt_writer *pc_adopt_ddl_of(const pc_adopt_scan *s, const char *table)
{
	size_t i;
	for (i = 0; s && i < s->ddls.len; i++) {
		const pc_adopt_writer *w = s->ddls.items[i];
		if (!strcmp(w->table, table) && !w->s->managed)
			return w;
	}
	return NULL;
}

/* The table.yaml of t relative to the root (the one read, else beside sql-scripts/), owned. */
static char *yaml_rel(const pc_table *t)
{
	if (t->yaml_path)
		return pc_strdup(t->yaml_path);
	return pc_sprintf("%s/table.yaml", t->folder ? t->folder : ".");
}

/* 1 when the table has a DML statement of pipectl's own (not adopted). */
static int has_own_dml(const pc_actual *a, const pc_table *t)
{
	const pc_actual_table *at = pc_actual_table_get(a, t->name);
	size_t i;
	for (i = 0; at && i < at->dmls.len; i++)
		if (!((const pc_actual_stmt *)at->dmls.items[i])->adopted)
			return 1;
	return 0;
}

static int mark_one(pc_actual *a, const pc_table *t, const pc_adopt_scan *sc)
{
	const pc_actual_stmt *s = pc_actual_stmt_get(a, t->adopt);
	const pc_actual_table *at;
	const pc_adopt_writer *ddl;
	pc_vec writes = PC_VEC_INIT, creates = PC_VEC_INIT;
	char *rel = yaml_rel(t);
	int rc = 0;

	if (!s) {
		if (!has_own_dml(a, t))
			rc = pc_error_set(PC_ENOTFOUND,
					  "%s:%d: adopt: statement '%s' does not exist in the environment (table '%s'); "
					  "remove the key, or find the table's writer with: pipectl import %s",
					  rel, t->adopt_line, t->adopt, t->name, t->name);
		goto done; /* else pipectl has replaced it since: the key is stale */
	}
	if (s->managed && !s->adopted)
		goto done; /* pipectl's own */
	if (analyze(s->st, &writes, &creates) < 0) {
		rc = pc_error_set(PC_EINVALID, "%s:%d: adopt: the SQL of statement '%s' cannot be analyzed: %s", rel,
				  t->adopt_line, t->adopt, pc_error_last());
		goto done;
	}
	if (pc_vec_find_str(&writes, t->name) >= 0) {
		if ((rc = pc_actual_adopt(a, s->st->name, t->name, PC_NAME_DML)) < 0)
			goto done;
	} else if (pc_vec_find_str(&creates, t->name) >= 0 && !pc_table_has_dml(t)) {
		rc = pc_actual_adopt(a, s->st->name, t->name, PC_NAME_DDL);
		goto done;
	} else {
		rc = pc_error_set(PC_EINVALID, "%s:%d: adopt: statement '%s' does not write table '%s'%s%s%s", rel,
				  t->adopt_line, t->adopt, t->name, writes.len ? " (it writes '" : "",
				  writes.len ? (const char *)writes.items[0] : "", writes.len ? "')" : "");
		goto done;
	}
	/* The statement that created the table, when pipectl has none for it. */
	at = pc_actual_table_get(a, t->name);
	ddl = pc_adopt_ddl_of(sc, t->name);
	if (ddl && at && !at->ddl)
		rc = pc_actual_adopt(a, ddl->s->st->name, t->name, PC_NAME_DDL);
done:
	pc_vec_dispose(&writes, free);
	pc_vec_dispose(&creates, free);
	free(rel);
	return rc;
}

int pc_adopt_mark(pc_actual *a, const pc_project *proj)
{
	pc_adopt_scan *sc = NULL;
	size_t i;
	int rc = 0, any = 0;

	if (!a || !proj)
		return 0;
	for (i = 0; i < proj->tables.len && !any; i++)
		any = ((const pc_table *)proj->tables.items[i])->adopt != NULL;
	if (!any)
		return 0;
	if ((rc = pc_adopt_scan_build(&sc, a)) < 0)
		return rc;
	for (i = 0; i < proj->tables.len && rc == 0; i++) {
		const pc_table *t = proj->tables.items[i];
		if (t->adopt)
			rc = mark_one(a, t, sc);
	}
	pc_adopt_scan_free(sc);
	return rc;
}

/* ---- import ---- */

void pc_adoption_free(void *p)
{
	pc_adoption *d = p;
	if (!d)
		return;
	free(d->why);
	free(d->ddl_note);
	free(d);
}

/* "fingerprint equal", or the differences that remain, joined by "; " (owned). */
static char *differences(const pc_project *proj, const pc_table *t, const pc_actual_st *st)
{
	pc_buf b = PC_BUF_INIT;
	pc_kvlist props = PC_VEC_INIT;
	const char *want = pc_table_dml_sql_fp(t);
	char fp[33];
	size_t i;

	if (!st->sql || pc_sql_fingerprint(fp, st->sql, strlen(st->sql)) < 0 || !want || strcmp(fp, want)) {
		pc_error_clear();
		pc_buf_printf(&b, "SQL differs (the next apply replaces it by the ordinary rules)");
	}
	pc_table_user_props(t, &props);
	for (i = 0; i < props.len; i++) {
		const pc_kv *kv = props.items[i];
		const char *have = pc_kv_get(&st->properties, kv->key);
		if (!have || strcmp(have, kv->value))
			pc_buf_printf(&b, "%sproperty '%s' differs (running: %s, git: %s)", b.len ? "; " : "", kv->key,
				      have ? have : "unset", kv->value);
	}
	pc_kv_dispose(&props);
	if (t->compute_pool && st->compute_pool_id && strcmp(t->compute_pool, st->compute_pool_id))
		pc_buf_printf(&b, "%scompute pool differs (running on %s, table.yaml says %s)", b.len ? "; " : "",
			      st->compute_pool_id, t->compute_pool);
	(void)proj;
	if (!b.len)
		pc_buf_printf(&b, "fingerprint equal");
	return pc_buf_detach(&b);
}

static char *ddl_note_of(const pc_table *t, const pc_actual_stmt *ddl, int topic_exists)
{
	char fp[33];
	if (!topic_exists && !pc_table_is_view(t))
		return pc_strdup("its topic does not exist: the next apply creates the table");
	if (!ddl)
		return pc_strdup("no DDL statement left (expired?): the existing table is taken as matching the DDL in git");
	if (!ddl->st->sql || pc_sql_fingerprint(fp, ddl->st->sql, strlen(ddl->st->sql)) < 0) {
		pc_error_clear();
		return pc_sprintf("DDL statement '%s' cannot be read: the existing table is taken as matching", ddl->st->name);
	}
	if (strcmp(fp, t->ddl_fingerprint))
		return pc_sprintf("DDL statement '%s' differs from git: the next apply rebuilds the table", ddl->st->name);
	return pc_sprintf("DDL statement '%s' equal", ddl->st->name);
}

int pc_adopt_find(pc_vec *out, const pc_project *proj, const pc_actual *a, const pc_adopt_scan *scan,
		  const char *const *sels, size_t n)
{
	pc_map selected = PC_MAP_INIT;
	size_t i;
	int rc;

	if ((rc = pc_select(&selected, proj, sels, n)) < 0)
		goto done;
	for (i = 0; i < proj->topo.len; i++) {
		const pc_table *t = proj->topo.items[i];
		const pc_actual_table *at = pc_actual_table_get(a, t->name);
		const pc_adopt_writer *dw = pc_adopt_ddl_of(scan, t->name);
		pc_vec ws = PC_VEC_INIT;
		pc_adoption *d;

		if (!pc_map_has(&selected, t->name) || !pc_table_has_dml(t))
			continue;
		pc_adopt_writers_of(scan, t->name, &ws);
		/* the table's own current writer (adopted or pipectl's) counts too */
		if (ws.len && at && at->dml && may_write(at->ph)) {
			const pc_adopt_writer *w0 = ws.items[0];
			rc = pc_error_set(PC_EINVALID,
					  "table '%s' is written by two statements, %s '%s' (%s) and '%s' (%s), which pipectl "
					  "does not manage: stop and delete the one that should not run, then import again",
					  t->name, at->dml->adopted ? "the adopted" : "pipectl's", at->dml->st->name,
					  at->phase ? at->phase : "?", w0->s->st->name, w0->s->st->phase ? w0->s->st->phase : "?");
			pc_vec_dispose(&ws, NULL);
			goto done;
		}
		if (ws.len > 1) {
			const pc_adopt_writer *w0 = ws.items[0], *w1 = ws.items[1];
			rc = pc_error_set(PC_EINVALID,
					  "table '%s' is written by two statements pipectl does not manage, '%s' (%s) and '%s' "
					  "(%s): stop and delete the one that should not run, then import again",
					  t->name, w0->s->st->name, w0->s->st->phase ? w0->s->st->phase : "?", w1->s->st->name,
					  w1->s->st->phase ? w1->s->st->phase : "?");
			pc_vec_dispose(&ws, NULL);
			goto done;
		}
		d = PC_NEW(pc_adoption);
		d->t = t;
		d->topic_exists = at && at->topic_exists;
		d->ddl = at && at->ddl && at->ddl->adopted ? at->ddl : dw ? dw->s : NULL;
		if (ws.len) {
			d->verdict = PC_ADOPT_TAKE;
			d->dml = ((const pc_adopt_writer *)ws.items[0])->s;
		} else if (at && at->dml && at->dml->adopted) {
			d->verdict = PC_ADOPT_ALREADY;
			d->dml = at->dml;
		} else if (at && at->dml) {
			d->verdict = PC_ADOPT_OWN;
			d->dml = at->dml;
		} else {
			d->verdict = PC_ADOPT_NONE;
		}
		pc_vec_dispose(&ws, NULL);
		if (d->verdict == PC_ADOPT_TAKE || d->verdict == PC_ADOPT_ALREADY)
			d->why = differences(proj, t, d->dml->st);
		d->ddl_note = ddl_note_of(t, d->ddl, d->topic_exists);
		pc_vec_push(out, d);
	}
done:
	pc_map_dispose(&selected, NULL);
	return rc;
}

/* ---- never a second writer ---- */

/* 1 when the action starts a DML (create, carry-over, resume). */
static int starts_dml(const pc_action *a)
{
	size_t i;
	for (i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		if (s->kind == PC_STEP_CREATE_DML || s->kind == PC_STEP_RESUME_STATEMENT)
			return 1;
	}
	return 0;
}

int pc_adopt_check_plan(pc_plan *plan, const pc_actual *a)
{
	pc_adopt_scan *sc = NULL;
	size_t i;
	int rc = 0;

	if ((rc = pc_adopt_scan_build(&sc, a)) < 0)
		return rc;
	for (i = 0; i < plan->actions.len && rc == 0; i++) {
		const pc_action *act = plan->actions.items[i];
		pc_vec ws = PC_VEC_INIT;
		const pc_adopt_writer *w;
		if (act->kind == PC_ACT_DROP)
			continue;
		pc_adopt_writers_of(sc, pc_action_physical(act), &ws);
		w = ws.len ? ws.items[0] : NULL;
		if (w && starts_dml(act))
			rc = pc_error_set(PC_EINVALID,
					  "table '%s' is written by statement '%s' (%s), which pipectl does not manage: "
					  "starting pipectl's DML would make a second writer; adopt it with: "
					  "pipectl import %s --write",
					  act->table, w->s->st->name, w->s->st->phase ? w->s->st->phase : "no phase", act->table);
		else if (w)
			pc_vec_push(&plan->warnings,
				    pc_sprintf("'%s' is also written by statement '%s' (%s), which pipectl does not manage: "
					       "stop and delete it, or adopt it with: pipectl import %s --write",
					       act->table, w->s->st->name, w->s->st->phase ? w->s->st->phase : "no phase",
					       act->table));
		pc_vec_dispose(&ws, NULL);
	}
	pc_adopt_scan_free(sc);
	return rc;
}

/* ---- recording an adoption in git ---- */

int pc_adopt_write(const pc_project *proj, const pc_table *t, const char *stmt)
{
	const char *root = proj->root ? proj->root : ".";
	char *rel = yaml_rel(t);
	char *path = pc_sprintf("%s/%s", root, rel);
	char *text = NULL, *next = NULL;
	size_t len = 0;
	int rc;

	if (pc_fs_is_file(path)) {
		if ((rc = pc_fs_read(&text, &len, path)) < 0)
			goto done;
	}
	if ((rc = pc_table_yaml_set_adopt(&next, rel, text ? text : "", len, stmt)) < 0)
		goto done;
	rc = pc_fs_write_atomic(path, next, strlen(next));
done:
	free(rel);
	free(path);
	free(text);
	free(next);
	return rc;
}
