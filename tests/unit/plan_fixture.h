/*
 * plan_fixture.h - included by the planner's unit tests (test_plan_*.c,
 * test_actual.c): a project and an actual state built by hand, and the
 * helpers that read the plan computed from them. Each test runs with a
 * fresh fixture (T(fn): setup, fn, teardown).
 */
#ifndef PC_TESTS_PLAN_FIXTURE_H
#define PC_TESTS_PLAN_FIXTURE_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/naming.h"
#include "model/project.h"
#include "reconcile/actual.h"
#include "reconcile/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/kv.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_UNUSED __attribute__((unused))
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- fixture: a project and an actual state built by hand ---- */

typedef struct fx {
	pc_project proj;
	pc_config cfg;
	pc_vec stmts;  /* pc_statement *: the snapshot is built from copies, these stay for the tests to read */
	pc_vec topics; /* pc_topic * */
	pc_vec pools;
	int with_pools;
	pc_actual *act;
	pc_plan *plan;
	int clock;     /* created_at counter */
} fx;

static fx *F;

static FX_UNUSED int setup(void **state)
{
	F = PC_NEW(fx);
	F->cfg.prefix = pc_strdup("dev");
	F->proj.config = &F->cfg;
	pc_map_init(&F->proj.by_name);
	*state = F;
	return 0;
}

static FX_UNUSED pc_sql_file *fake_sql(const char *path, const char *text)
{
	pc_sql_file *f = PC_NEW(pc_sql_file);
	f->path = pc_strdup(path);
	f->text = pc_strdup(text);
	f->text_len = strlen(text);
	return f;
}

static FX_UNUSED void fake_sql_free(pc_sql_file *f)
{
	pc_sql_file_free(f); /* fakes have no statements: the real free handles both */
}

static FX_UNUSED void table_free(pc_table *t)
{
	free(t->name);
	free(t->layer);
	free(t->product);
	free(t->ddl_path);
	free(t->dml_path);
	fake_sql_free(t->ddl);
	fake_sql_free(t->dml);
	pc_kv_dispose(&t->dml_properties);
	pc_kv_dispose(&t->properties);
	free(t->compute_pool);
	for (size_t i = 0; i < t->state_reasons.len; i++) {
		pc_state_reason *r = t->state_reasons.items[i];
		free(r->op);
		free(r);
	}
	pc_vec_dispose(&t->state_reasons, NULL);
	pc_vec_dispose(&t->parents, NULL);
	pc_vec_dispose(&t->children, NULL);
	pc_vec_dispose(&t->external_parents, free);
	free(t);
}

static FX_UNUSED int teardown(void **state)
{
	(void)state;
	pc_plan_free(F->plan);
	pc_actual_free(F->act);
	pc_vec_dispose(&F->stmts, pc_statement_free);
	pc_vec_dispose(&F->topics, pc_topic_free);
	pc_vec_dispose(&F->pools, pc_pool_free);
	for (size_t i = 0; i < F->proj.tables.len; i++)
		table_free(F->proj.tables.items[i]);
	pc_vec_dispose(&F->proj.tables, NULL);
	pc_vec_dispose(&F->proj.topo, NULL);
	pc_map_dispose(&F->proj.by_name, NULL);
	for (size_t i = 0; i < F->proj.diags.len; i++) {
		pc_diag *d = F->proj.diags.items[i];
		free(d->file);
		free(d->table);
		free(d->message);
		free(d);
	}
	pc_vec_dispose(&F->proj.diags, NULL);
	free(F->cfg.prefix);
	free(F->cfg.flink_compute_pool_id);
	pc_kv_dispose(&F->cfg.extra);
	free(F);
	F = NULL;
	return 0;
}

static FX_UNUSED void set_fp(char out[33], const char *tag)
{
	/* 32 hex digits derived from a short tag, so tests read "d1", "m2" */
	pc_buf b = PC_BUF_INIT;
	for (const char *p = tag; *p; p++)
		pc_buf_printf(&b, "%02x", (unsigned char)*p);
	while (b.len < 32)
		pc_buf_putc(&b, '0');
	memcpy(out, b.ptr, 32);
	out[32] = '\0';
	pc_buf_dispose(&b);
}

/* A table in topological order of creation: parents must exist already. */
static FX_UNUSED pc_table *table(const char *name, const char *layer, const char *product, int has_dml)
{
	pc_table *t = PC_NEW(pc_table);
	char path[256];
	t->name = pc_strdup(name);
	t->layer = pc_strdup(layer);
	t->product = pc_strdup(product);
	t->active = 1;
	snprintf(path, sizeof(path), "pipelines/%s/%s/sql-scripts/ddl.%s.sql", layer, name, name);
	t->ddl_path = pc_strdup(path);
	{
		char sql[256];
		snprintf(sql, sizeof(sql), "CREATE TABLE %s (id INT)", name);
		t->ddl = fake_sql(path, sql);
	}
	set_fp(t->ddl_fingerprint, "d1");
	if (has_dml) {
		char sql[256];
		snprintf(path, sizeof(path), "pipelines/%s/%s/sql-scripts/dml.%s.sql", layer, name, name);
		t->dml_path = pc_strdup(path);
		snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT * FROM src", name);
		t->dml = fake_sql(path, sql);
		set_fp(t->dml_fingerprint, "m1");
	}
	t->topo_index = (int)F->proj.topo.len;
	pc_vec_push(&F->proj.tables, t);
	pc_vec_push(&F->proj.topo, t);
	pc_map_put(&F->proj.by_name, name, t);
	return t;
}

static FX_UNUSED void edge(pc_table *parent, pc_table *child)
{
	pc_vec_push(&parent->children, child);
	pc_vec_push(&child->parents, parent);
	child->depth = parent->depth + 1;
}

static FX_UNUSED void stateful(pc_table *t, const char *op, int line)
{
	pc_state_reason *r = PC_NEW(pc_state_reason);
	r->op = pc_strdup(op);
	r->line = line;
	pc_vec_push(&t->state_reasons, r);
	t->stateful = t->analyzed_stateful = 1;
}

static FX_UNUSED void topic(const char *name)
{
	pc_topic *tp = PC_NEW(pc_topic);
	tp->name = pc_strdup(name);
	tp->partitions = 6;
	pc_vec_push(&F->topics, tp);
}

static FX_UNUSED pc_statement *stmt(const char *name, const char *phase)
{
	pc_statement *st = PC_NEW(pc_statement);
	char ts[40];
	st->name = pc_strdup(name);
	pc_statement_set_phase(st, phase);
	st->resource_version = pc_strdup("1");
	/* an hour ago, one second apart in creation order: fresh records, never due for renewal (plan_renew.c) */
	pc_iso8601(pc_wall_ms() - 3600 * 1000 + 1000 * F->clock++, ts, sizeof(ts));
	st->created_at = pc_strdup(ts);
	st->is_append_only = -1;
	pc_vec_push(&F->stmts, st);
	return st;
}

/* The DDL statement pipectl would have run for t, COMPLETED. */
static FX_UNUSED pc_statement *ddl_stmt(const pc_table *t)
{
	char *name = pc_naming_statement("dev", PC_NAME_DDL, t->name, t->ddl_fingerprint, NULL);
	pc_statement *st = stmt(name, "COMPLETED");
	st->sql = pc_strdup(t->ddl->text);
	pc_naming_labels(&st->labels, PC_NAME_DDL, t->name, t->ddl_fingerprint, NULL, NULL);
	free(name);
	return st;
}

/* The DML statement pipectl would have created for t as it is now. */
static FX_UNUSED pc_statement *dml_stmt(const pc_table *t, const char *phase, const char *nonce)
{
	char fp[33];
	pc_table_dml_fp(t, fp);
	char *name = pc_naming_statement("dev", PC_NAME_DML, t->name, fp, nonce);
	pc_statement *st = stmt(name, phase);
	st->sql = pc_strdup(t->dml->text);
	st->stopped = !strcmp(phase, "STOPPED");
	st->compute_pool_id = pc_strdup("lfcp-cur");
	pc_naming_labels(&st->labels, PC_NAME_DML, t->name, fp, t->dml_fingerprint, t->ddl_fingerprint);
	free(name);
	return st;
}

/* t fully deployed as it is now: topic, DDL statement, DML in phase. */
static FX_UNUSED pc_statement *deployed(const pc_table *t, const char *phase)
{
	topic(t->name);
	ddl_stmt(t);
	return t->dml ? dml_stmt(t, phase, NULL) : NULL;
}

/* The snapshot of F's statements and topics (it keeps a compact form and frees what it is given: copies). */
static FX_UNUSED void fx_build_actual(pc_vec *pools)
{
	pc_vec stmts = PC_VEC_INIT, topics = PC_VEC_INIT;
	for (size_t i = 0; i < F->stmts.len; i++)
		pc_vec_push(&stmts, pc_statement_dup(F->stmts.items[i]));
	for (size_t i = 0; i < F->topics.len; i++) {
		const pc_topic *t = F->topics.items[i];
		pc_topic *c = PC_NEW(pc_topic);
		*c = *t;
		c->name = pc_strdup(t->name);
		pc_vec_push(&topics, c);
	}
	assert_int_equal(pc_actual_build(&F->act, "dev", &stmts, &topics, pools), 0);
}

/* Drop the snapshot and the statements and topics it was built from: the next plan reads a new state. */
static FX_UNUSED void fx_new_actual(void)
{
	pc_actual_free(F->act);
	F->act = NULL;
	pc_vec_dispose(&F->stmts, pc_statement_free);
	pc_vec_dispose(&F->topics, pc_topic_free);
}

static FX_UNUSED int plan_with(const pc_plan_options *opt)
{
	if (!F->act)
		fx_build_actual(F->with_pools ? &F->pools : NULL);
	pc_plan_free(F->plan);
	F->plan = NULL;
	return pc_plan_compute(&F->plan, &F->proj, F->act, opt);
}

static FX_UNUSED void plan_ok(const pc_plan_options *opt)
{
	int rc = plan_with(opt);
	if (rc != 0)
		fail_msg("plan failed: %s", pc_error_last());
}

static FX_UNUSED const pc_action *act_of(const char *table)
{
	const pc_action *a = pc_plan_find(F->plan, table);
	if (!a)
		fail_msg("no action for '%s'", table);
	return a;
}

static FX_UNUSED pc_action_kind kind_of(const char *table)
{
	return act_of(table)->kind;
}

static FX_UNUSED const pc_step *step(const char *table, size_t i)
{
	const pc_action *a = act_of(table);
	if (i >= a->steps.len)
		fail_msg("'%s' has %zu steps, wanted #%zu", table, a->steps.len, i);
	return a->steps.items[i];
}

static FX_UNUSED int has_warning(const char *needle)
{
	for (size_t i = 0; i < F->plan->warnings.len; i++)
		if (strstr(F->plan->warnings.items[i], needle))
			return 1;
	return 0;
}

/* src -> mid -> leaf, all stateless with DML except src (DDL only). */
static FX_UNUSED void chain(pc_table **src, pc_table **mid, pc_table **leaf)
{
	*src = table("src", "sources", "p1", 0);
	*mid = table("mid", "intermediates", "p1", 1);
	*leaf = table("leaf", "facts", "p2", 1);
	edge(*src, *mid);
	edge(*mid, *leaf);
}

static FX_UNUSED void build_actual(void)
{
	fx_build_actual(NULL);
}

static FX_UNUSED char *sync_reason(const pc_table *t, int *in_sync)
{
	char *reason = NULL;
	*in_sync = pc_actual_table_in_sync(F->act, t, &reason);
	return reason;
}

#endif
