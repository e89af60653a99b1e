/*
 * apply_journal.c - the journal of a run (journal.h): written before the
 * first action, deleted with the journals the plan finished once every
 * action is done.
 */
#include "apply_internal.h"

#include "../model/naming.h"
#include "../util/alloc.h"
#include "../util/error.h"
#include "../util/timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOURNAL_NAME_ATTEMPTS 5

/* The DML statement an action leaves current, or NULL. */
static const char *action_dml(const pc_action *a)
{
	const char *dml = NULL;
	for (size_t i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		if (s->kind == PC_STEP_CREATE_DML || s->kind == PC_STEP_RESUME_STATEMENT)
			dml = s->statement;
	}
	return dml;
}

static void add_names(pc_journal *j, const pc_action *a)
{
	for (size_t i = 0; i < a->steps.len; i++) {
		const pc_step *s = a->steps.items[i];
		pc_name_kind kind;
		if (s->kind != PC_STEP_RUN_DDL && s->kind != PC_STEP_CREATE_DML && s->kind != PC_STEP_DROP_TABLE)
			continue;
		if (!s->statement || pc_name_kind_parse(pc_kv_get(&s->labels, PC_LABEL_KIND), &kind) != 0) {
			pc_error_clear();
			kind = s->kind == PC_STEP_CREATE_DML ? PC_NAME_DML
			       : s->kind == PC_STEP_DROP_TABLE ? PC_NAME_DROP
							       : PC_NAME_DDL;
		}
		pc_journal_add_name(j, kind, s->table ? s->table : a->table, pc_kv_get(&s->labels, PC_LABEL_FP),
				    s->statement);
	}
}

/* Where the journal statement runs: the pool and catalog/database of the plan's first statement. */
static const pc_step *first_statement_step(const pc_plan *plan)
{
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		for (size_t k = 0; k < a->steps.len; k++) {
			const pc_step *s = a->steps.items[k];
			if (s->kind == PC_STEP_RUN_DDL || s->kind == PC_STEP_CREATE_DML || s->kind == PC_STEP_DROP_TABLE)
				return s;
		}
	}
	return NULL;
}

/* Delete the statements in names (best effort). */
static void delete_all(pc_provider *p, const pc_vec *names)
{
	for (size_t i = 0; i < names->len; i++)
		if (p->ops->delete_statement(p, names->items[i]) != 0)
			pc_error_clear();
}

/*
 * Create the parts of run, in index order, into written (their names). On
 * failure the parts written stay in `written` for the caller to delete.
 */
static int write_parts(pc_provider *p, pc_statement_spec *spec, const char *run, const pc_vec *sqls,
		       pc_vec *written)
{
	int rc = 0;
	for (size_t i = 0; i < sqls->len && rc == 0; i++) {
		pc_statement *st = NULL;
		char *name = pc_journal_part_name(run, (int)i + 1, (int)sqls->len);
		spec->name = name;
		spec->sql = sqls->items[i];
		rc = p->ops->create_statement(p, spec, &st);
		pc_statement_free(st);
		if (rc == 0) {
			pc_vec_push(written, name);
			continue;
		}
		if (rc != PC_ECONFLICT && rc != PC_EEXISTS)
			rc = pc_error_wrap("writing the journal statement '%s'", name);
		free(name);
	}
	return rc;
}

int pc_apply_journal_write(pc_provider *p, const pc_plan *plan, pc_vec *names_out)
{
	const pc_step *where = first_statement_step(plan);
	pc_statement_spec spec = { 0 };
	pc_kvlist props = PC_VEC_INIT;
	pc_vec sqls = PC_VEC_INIT;
	pc_journal *j;
	char *seed, *run;
	const char *v;
	int rc, n = 0;

	for (size_t i = 0; i < plan->actions.len; i++)
		if (((const pc_action *)plan->actions.items[i])->kind != PC_ACT_NOOP)
			n++;
	if (!n)
		return 0;
	seed = pc_sprintf("%s %s %lld %ld", plan->created_at ? plan->created_at : "", plan->state_fingerprint,
			  (long long)pc_wall_ms(), (long)getpid());
	run = pc_journal_make_name(plan->prefix, seed);
	j = pc_journal_new(run, plan->created_at);
	for (size_t i = 0; i < plan->actions.len; i++) {
		const pc_action *a = plan->actions.items[i];
		if (a->kind == PC_ACT_NOOP)
			continue;
		pc_journal_add_action(j, pc_action_physical(a), pc_action_kind_str(a->kind), action_dml(a));
		add_names(j, a);
	}
	if (where && (v = pc_kv_get(&where->properties, "sql.current-catalog")))
		pc_kv_set(&props, "sql.current-catalog", v);
	if (where && (v = pc_kv_get(&where->properties, "sql.current-database")))
		pc_kv_set(&props, "sql.current-database", v);
	spec.compute_pool_id = where && where->compute_pool ? where->compute_pool : p->default_pool;
	spec.principal = p->principal;
	spec.properties = &props;
	/*
	 * Every part is written before the first action (the caller starts none
	 * on failure): a run whose parts are not all there started nothing. A
	 * run name is unique per run: on the rare clash, the parts written are
	 * deleted and the whole journal is written again under another name.
	 */
	for (int attempt = 1;; attempt++) {
		if ((rc = pc_journal_sql_parts(&sqls, j, run, PC_JOURNAL_PART_MAX)) != 0)
			break;
		rc = write_parts(p, &spec, run, &sqls, names_out);
		pc_vec_dispose(&sqls, free);
		if (rc == 0 || (rc != PC_ECONFLICT && rc != PC_EEXISTS) || attempt == JOURNAL_NAME_ATTEMPTS)
			break;
		pc_error_clear();
		delete_all(p, names_out);
		pc_vec_dispose(names_out, free);
		char *again = pc_sprintf("%s %d", seed, attempt);
		free(run);
		run = pc_journal_make_name(plan->prefix, again);
		free(again);
	}
	if (rc == PC_ECONFLICT || rc == PC_EEXISTS)
		rc = pc_error_wrap("writing the journal of run '%s'", run);
	if (rc != 0) {
		/* no action starts: parts left would be an incomplete journal, harmless, but they go now */
		char *why = pc_strdup(pc_error_last());
		delete_all(p, names_out);
		pc_vec_dispose(names_out, free);
		pc_error_set(rc, "%s", why);
		free(why);
	}
	free(seed);
	free(run);
	pc_journal_free(j);
	pc_kv_dispose(&props);
	return rc;
}

void pc_apply_journal_finish(pc_provider *p, const pc_plan *plan, const pc_vec *own)
{
	delete_all(p, own);
	delete_all(p, &plan->journals);
}
