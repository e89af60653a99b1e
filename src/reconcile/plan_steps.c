/*
 * plan_steps.c - the concrete steps of each action: statement names, SQL,
 * pools, properties and labels, so that a saved plan applies exactly what
 * it shows.
 */
#include "plan_int.h"

#include "../model/sql.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Display name of the pool pipectl creates when nothing else names one. */
#define POOL_SUFFIX "-pipectl"

/* Label pipectl puts on the statements of a `protect: true` table. */
#define LABEL_PROTECT PC_LABEL_PROTECT

static const char *const step_names[] = { "stop_statement", "delete_statement", "drop_table", "run_ddl",
					  "create_dml", "resume_statement", "create_pool" };

const char *pc_step_kind_str(pc_step_kind k)
{
	return (unsigned)k < PC_STEP__COUNT ? step_names[k] : "?";
}

int pc_step_kind_parse(const char *s, pc_step_kind *out)
{
	for (int i = 0; s && i < PC_STEP__COUNT; i++) {
		if (!strcmp(s, step_names[i])) {
			*out = (pc_step_kind)i;
			return 0;
		}
	}
	return pc_error_set(PC_EINVALID, "unknown step '%s'", s ? s : "");
}

void pc_step_free(void *p)
{
	pc_step *s = p;
	if (!s)
		return;
	free(s->statement);
	free(s->table);
	free(s->sql);
	free(s->compute_pool);
	free(s->pool_display_name);
	pc_kv_dispose(&s->properties);
	pc_kv_dispose(&s->labels);
	free(s->carry_from);
	free(s);
}

pc_step *pc_step_new(pc_step_kind kind, const char *statement, const char *table)
{
	pc_step *s = PC_NEW(pc_step);
	s->kind = kind;
	s->statement = pc_strdup(statement);
	s->table = pc_strdup(table);
	s->wait = 1;
	return s;
}

int pc_action_has_teardown(const pc_action *a)
{
	size_t i;
	for (i = 0; i < a->steps.len; i++)
		if (((const pc_step *)a->steps.items[i])->teardown)
			return 1;
	return 0;
}

int pc_plan_journal_unfinished(const pc_planner *pl, const char *table)
{
	const pc_journal_action *ja = pc_map_get(&pl->act->journal_actions, table);
	const pc_actual_stmt *s;
	const pc_vec *names;
	size_t i;

	if (!ja)
		return 0;
	if (ja->dml) {
		s = pc_actual_stmt_get(pl->act, ja->dml);
		if (!s || !pc_phase_running(s->st->ph))
			return 1;
	}
	names = pc_map_get(&pl->act->journal_tables, table);
	for (i = 0; names && i < names->len; i++) {
		const pc_journal_name *n = names->items[i];
		s = pc_actual_stmt_get(pl->act, n->statement);
		if (!s || (!pc_phase_terminal(s->st->ph) && !pc_phase_running(s->st->ph)))
			return 1;
	}
	return 0;
}

const char *pc_plan_journal_adoptable(const pc_planner *pl, pc_name_kind kind, const char *table, const char *fp)
{
	const char *name = pc_actual_journal_name(pl->act, kind, table, fp);
	const pc_actual_stmt *s;

	if (!name || pl->no_adopt || pc_map_has(&pl->names, name) || !pc_plan_journal_unfinished(pl, table))
		return NULL;
	s = pc_actual_stmt_get(pl->act, name);
	if (s && pc_phase_failed(s->st->ph))
		return NULL; /* a failed attempt is not adopted: a fresh name tries again */
	return name;
}

char *pc_plan_fresh_name(pc_planner *pl, pc_name_kind kind, const char *table, const char *fp)
{
	char nonce[24];
	const char *journaled = pc_plan_journal_adoptable(pl, kind, table, fp);
	char *name;
	unsigned gen = 0;

	if (journaled) {
		name = pc_strdup(journaled);
		pc_map_put(&pl->names, name, NULL);
		pc_map_put(&pl->adopted, name, NULL);
		return name;
	}
	name = pc_naming_statement(pl->prefix, kind, table, fp, NULL);

	while (pc_actual_stmt_get(pl->act, name) || pc_map_has(&pl->names, name)) {
		free(name);
		snprintf(nonce, sizeof(nonce), "%u", ++gen);
		name = pc_naming_statement(pl->prefix, kind, table, fp, nonce);
	}
	pc_map_put(&pl->names, name, NULL);
	return name;
}

/* ---- pools ---- */

const char *pc_plan_explicit_pool(const pc_planner *pl, const pc_table *t, const char **source)
{
	if (t->compute_pool && *t->compute_pool) {
		*source = "table.yaml";
		return t->compute_pool;
	}
	if (pl->opt->compute_pool && *pl->opt->compute_pool) {
		*source = "--compute-pool";
		return pl->opt->compute_pool;
	}
	return NULL;
}

int pc_plan_pool_changed(const pc_planner *pl, const pc_table *t, const pc_actual_table *at)
{
	/*
	 * Only table.yaml is desired state: --compute-pool places what this plan
	 * creates or resumes anyway, it does not move every running statement.
	 */
	(void)pl;
	return t->compute_pool && *t->compute_pool && at && at->dml && at->pool &&
	       strcmp(t->compute_pool, at->pool) != 0;
}

void pc_plan_resolve_pool(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_table *at)
{
	const char *src = NULL;
	const char *pool = pc_plan_explicit_pool(pl, t, &src);
	char *display = NULL;
	size_t i;

	if (!pool && at && at->dml && at->pool && *at->pool) {
		pool = at->pool;
		src = "current statement";
	}
	if (!pool && pl->cfg && pl->cfg->flink_compute_pool_id && *pl->cfg->flink_compute_pool_id) {
		pool = pl->cfg->flink_compute_pool_id;
		src = "configured default";
	}
	if (!pool && pl->cfg && pl->cfg->pools_create) {
		display = pc_sprintf("%s%s", pl->prefix, POOL_SUFFIX);
		for (i = 0; i < pl->act->pools.len; i++) {
			const pc_pool *p = pl->act->pools.items[i];
			/* a FAILED pool is no place for statements: the setup step reports it */
			if (p->display_name && !strcmp(p->display_name, display) && p->id &&
			    !(p->phase && !strcmp(p->phase, "FAILED"))) {
				pool = p->id;
				src = "pipectl's pool";
				break;
			}
		}
		if (!pool) {
			if (!pl->pool_setup_done) {
				pc_step *s = pc_step_new(PC_STEP_CREATE_POOL, NULL, NULL);
				s->pool_display_name = pc_strdup(display);
				pc_vec_push(&pl->plan->setup, s);
				pl->pool_setup_done = 1;
			}
			free(a->pool_source);
			a->pool_source = pc_strdup("created");
			free(display);
			return;
		}
	}
	free(display);
	free(a->compute_pool);
	free(a->pool_source);
	a->compute_pool = pc_strdup(pool);
	a->pool_source = pc_strdup(pool ? src : "provider default");
}

/* Pool of a step from its action: the id, or a reference to the created pool. */
static void step_pool(pc_planner *pl, pc_step *s, const pc_action *a)
{
	s->compute_pool = pc_strdup(a->compute_pool);
	if (!a->compute_pool && a->pool_source && !strcmp(a->pool_source, "created"))
		s->pool_display_name = pc_sprintf("%s%s", pl->prefix, POOL_SUFFIX);
}

/* sql.current-catalog / sql.current-database from the config. */
static void base_props(const pc_planner *pl, pc_kvlist *out)
{
	if (pl->cfg && pl->cfg->flink_catalog && *pl->cfg->flink_catalog)
		pc_kv_set(out, "sql.current-catalog", pl->cfg->flink_catalog);
	if (pl->cfg && pl->cfg->flink_database && *pl->cfg->flink_database)
		pc_kv_set(out, "sql.current-database", pl->cfg->flink_database);
}

static void dml_props(const pc_planner *pl, const pc_table *t, pc_kvlist *out)
{
	base_props(pl, out);
	pc_table_user_props(t, out);
}

/* The fingerprints recorded are git's (the logical SQL), so change detection compares git with any version. */
static void dml_labels(const pc_planner *pl, const pc_table *t, pc_kvlist *out)
{
	char fp[33];
	pc_table_dml_fp(t, fp);
	pc_naming_labels(out, PC_NAME_DML, pc_plan_phys(pl, t), fp, pc_table_dml_sql_fp(t), t->ddl_fingerprint);
	if (t->protect)
		pc_kv_set(out, LABEL_PROTECT, "true");
}

/* ---- steps ---- */

void pc_steps_remove_dmls(pc_planner *pl, pc_action *a, const pc_actual_table *at, int teardown)
{
	size_t i;
	pc_step *s;
	(void)pl;
	if (!at)
		return;
	for (i = 0; i < at->dmls.len; i++) {
		const pc_actual_stmt *d = at->dmls.items[i];
		if (!pc_phase_live(d->st->ph) && d->st->ph != PC_PHASE_UNKNOWN)
			continue; /* still already; one in an unknown phase may write: stop it */
		if (pl->keep_dml && !strcmp(d->st->name, pl->keep_dml))
			continue; /* the interrupted run's new DML: this plan adopts it */
		s = pc_step_new(PC_STEP_STOP_STATEMENT, d->st->name, at->name);
		s->teardown = teardown;
		pc_vec_push(&a->steps, s);
	}
	for (i = 0; i < at->dmls.len; i++) {
		const pc_actual_stmt *d = at->dmls.items[i];
		if (pl->keep_dml && !strcmp(d->st->name, pl->keep_dml))
			continue;
		s = pc_step_new(PC_STEP_DELETE_STATEMENT, d->st->name, at->name);
		s->teardown = teardown;
		pc_vec_push(&a->steps, s);
	}
}

void pc_steps_remove_extras(pc_planner *pl, pc_action *a, const pc_actual_table *at,
			    const pc_actual_stmt *keep, int teardown)
{
	size_t i;
	pc_step *s;
	(void)pl;
	if (!at)
		return;
	for (i = 0; i < at->dmls.len; i++) {
		const pc_actual_stmt *d = at->dmls.items[i];
		if (d == keep || (pl->keep_dml && !strcmp(d->st->name, pl->keep_dml)))
			continue;
		/* every other DML goes: a stopped or failed one left behind would be a future carry-over source */
		if (pc_phase_live(d->st->ph) || d->st->ph == PC_PHASE_UNKNOWN) {
			s = pc_step_new(PC_STEP_STOP_STATEMENT, d->st->name, at->name);
			s->teardown = teardown;
			pc_vec_push(&a->steps, s);
		}
		s = pc_step_new(PC_STEP_DELETE_STATEMENT, d->st->name, at->name);
		s->teardown = teardown;
		pc_vec_push(&a->steps, s);
	}
}

static char *drop_sql(const char *table)
{
	pc_buf b = PC_BUF_INIT;
	const char *p;
	pc_buf_puts(&b, "DROP TABLE IF EXISTS `");
	for (p = table; *p; p++) {
		if (*p == '`')
			pc_buf_putc(&b, '`');
		pc_buf_putc(&b, *p);
	}
	pc_buf_puts(&b, "`");
	return pc_buf_detach(&b);
}

/*
 * The table's newest DDL-side statement when it is a DROP that completed or
 * is still in flight while the topic is still there: the table was dropped
 * (Kafka deletes its topic asynchronously) or is being dropped. Its name is
 * taken again, so the executor waits for it instead of dropping twice.
 */
static const char *pending_drop(const pc_planner *pl, const char *table)
{
	const pc_actual_table *at = pc_actual_table_get(pl->act, table);
	const pc_actual_stmt *d = at && at->ddls.len ? at->ddls.items[0] : NULL;
	if (!d || d->kind != PC_NAME_DROP || !at->topic_exists || pc_phase_failed(d->st->ph) ||
	    d->st->ph == PC_PHASE_UNKNOWN)
		return NULL;
	return d->st->name;
}

int pc_steps_drop_adoptable(const pc_planner *pl, const char *table)
{
	char *sql;
	char fp[33];
	int yes;

	if (pending_drop(pl, table))
		return 1;
	sql = drop_sql(table);
	if (pc_sql_fingerprint(fp, sql, strlen(sql)) < 0) {
		pc_error_clear();
		fp[0] = '\0';
	}
	yes = pc_plan_journal_adoptable(pl, PC_NAME_DROP, table, fp) != NULL;
	free(sql);
	return yes;
}

void pc_steps_drop_table(pc_planner *pl, pc_action *a, const char *table)
{
	char *sql = drop_sql(table);
	char fp[33];
	pc_step *s;

	if (pc_sql_fingerprint(fp, sql, strlen(sql)) < 0) {
		pc_error_clear();
		fp[0] = '\0';
	}
	s = pc_step_new(PC_STEP_DROP_TABLE, NULL, table);
	if (pending_drop(pl, table) && !pc_map_has(&pl->names, pending_drop(pl, table))) {
		s->statement = pc_strdup(pending_drop(pl, table));
		pc_map_put(&pl->names, s->statement, NULL);
		pc_map_put(&pl->adopted, s->statement, NULL);
	} else {
		s->statement = pc_plan_fresh_name(pl, PC_NAME_DROP, table, fp);
	}
	s->sql = sql;
	s->teardown = 1;
	step_pool(pl, s, a);
	base_props(pl, &s->properties);
	pc_naming_labels(&s->labels, PC_NAME_DROP, table, fp, NULL, NULL);
	pc_vec_push(&a->steps, s);
}

void pc_steps_drop_view(pc_planner *pl, pc_action *a, const pc_table *t)
{
	pc_buf b = PC_BUF_INIT;
	char fp[33];
	pc_step *s;
	const char *p;

	pc_buf_puts(&b, "DROP VIEW IF EXISTS `");
	for (p = pc_plan_phys(pl, t); *p; p++) {
		if (*p == '`')
			pc_buf_putc(&b, '`');
		pc_buf_putc(&b, *p);
	}
	pc_buf_putc(&b, '`');
	if (pc_sql_fingerprint(fp, b.ptr, b.len) < 0) {
		pc_error_clear();
		fp[0] = '\0';
	}
	/* run_ddl, not drop_table: there is no topic to check, and IF EXISTS makes it idempotent */
	s = pc_step_new(PC_STEP_RUN_DDL, NULL, pc_plan_phys(pl, t));
	s->statement = pc_plan_fresh_name(pl, PC_NAME_DROP, pc_plan_phys(pl, t), fp);
	s->sql = pc_buf_detach(&b);
	step_pool(pl, s, a);
	base_props(pl, &s->properties);
	pc_naming_labels(&s->labels, PC_NAME_DROP, pc_plan_phys(pl, t), fp, NULL, NULL);
	pc_vec_push(&a->steps, s);
}

static const char *ddl_text(const pc_table *t)
{
	return t->ddl ? t->ddl->text : "";
}

pc_step *pc_steps_create_dml(pc_planner *pl, pc_action *a, const pc_table *t, const char *carry_from)
{
	const char *sql = t->ctas ? ddl_text(t) : t->dml ? t->dml->text : "";
	char fp[33];
	pc_step *s;

	pc_table_dml_fp(t, fp);
	s = pc_step_new(PC_STEP_CREATE_DML, NULL, pc_plan_phys(pl, t));
	s->statement = pc_plan_fresh_name(pl, PC_NAME_DML, pc_plan_phys(pl, t), fp);
	s->sql = pc_plan_sql_for(pl, t, sql);
	step_pool(pl, s, a);
	dml_props(pl, t, &s->properties);
	if (carry_from) {
		pc_kv_set(&s->properties, PC_PROP_CARRY_OVER, carry_from);
		s->carry_from = pc_strdup(carry_from);
	} else {
		s->from_earliest = 1;
	}
	dml_labels(pl, t, &s->labels);
	pc_vec_push(&a->steps, s);
	return s;
}

void pc_steps_create(pc_planner *pl, pc_action *a, const pc_table *t)
{
	pc_step *s;

	if (!t->ctas) {
		s = pc_step_new(PC_STEP_RUN_DDL, NULL, pc_plan_phys(pl, t));
		s->statement = pc_plan_fresh_name(pl, PC_NAME_DDL, pc_plan_phys(pl, t), t->ddl_fingerprint);
		s->sql = pc_plan_sql_for(pl, t, ddl_text(t));
		step_pool(pl, s, a);
		base_props(pl, &s->properties);
		pc_naming_labels(&s->labels, PC_NAME_DDL, pc_plan_phys(pl, t), t->ddl_fingerprint, NULL, NULL);
		if (t->protect)
			pc_kv_set(&s->labels, LABEL_PROTECT, "true");
		pc_vec_push(&a->steps, s);
	}
	if (pc_table_has_dml(t))
		pc_steps_create_dml(pl, a, t, NULL);
}

/* "CREATE TABLE x ..." as "CREATE TABLE IF NOT EXISTS x ...", or NULL when the text is not that shape. */
static char *if_not_exists_sql(const char *sql)
{
	pc_token_list tl = { 0 };
	char *out = NULL;
	size_t i = 0;

	if (!sql || pc_sql_tokenize(&tl, sql, strlen(sql)) < 0) {
		pc_error_clear();
		goto done;
	}
	if (i + 1 < tl.len && pc_tok_is(&tl.toks[i], "CREATE") && pc_tok_is(&tl.toks[i + 1], "TABLE")) {
		const pc_token *after = &tl.toks[i + 2];
		if (i + 2 < tl.len && pc_tok_is(after, "IF")) {
			out = pc_strdup(sql);
		} else if (i + 2 < tl.len) {
			size_t at = (size_t)(after->start - sql);
			out = pc_sprintf("%.*sIF NOT EXISTS %s", (int)at, sql, sql + at);
		}
	}
done:
	pc_token_list_dispose(&tl);
	return out;
}

int pc_steps_ddl_renewable(const pc_table *t)
{
	char *sql = t->ctas ? NULL : if_not_exists_sql(ddl_text(t));
	int yes = sql != NULL;
	free(sql);
	return yes;
}

int pc_steps_record_ddl(pc_planner *pl, pc_action *a, const pc_table *t)
{
	char *ddl = t->ctas ? NULL : pc_plan_sql_for(pl, t, ddl_text(t));
	char *sql = ddl ? if_not_exists_sql(ddl) : NULL;
	pc_step *s;

	free(ddl);
	if (!sql)
		return 0;
	s = pc_step_new(PC_STEP_RUN_DDL, NULL, pc_plan_phys(pl, t));
	s->statement = pc_plan_fresh_name(pl, PC_NAME_DDL, pc_plan_phys(pl, t), t->ddl_fingerprint);
	s->sql = sql;
	step_pool(pl, s, a);
	base_props(pl, &s->properties);
	pc_naming_labels(&s->labels, PC_NAME_DDL, pc_plan_phys(pl, t), t->ddl_fingerprint, NULL, NULL);
	if (t->protect)
		pc_kv_set(&s->labels, LABEL_PROTECT, "true");
	pc_vec_push(&a->steps, s);
	return 1;
}

void pc_steps_resume(pc_planner *pl, pc_action *a, const pc_table *t, const pc_actual_stmt *dml,
		     int stop_first)
{
	pc_step *s;

	if (stop_first)
		pc_vec_push(&a->steps, pc_step_new(PC_STEP_STOP_STATEMENT, dml->st->name, pc_plan_phys(pl, t)));
	s = pc_step_new(PC_STEP_RESUME_STATEMENT, dml->st->name, pc_plan_phys(pl, t));
	step_pool(pl, s, a);
	/* The properties replace the statement's as a whole: exactly what a new
	 * statement would get (a removed property goes away; the carry-over
	 * property of the first run is no longer needed). */
	dml_props(pl, t, &s->properties);
	dml_labels(pl, t, &s->labels);
	pc_vec_push(&a->steps, s);
}
