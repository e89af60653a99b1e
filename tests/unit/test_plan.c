/*
 * Unit tests for src/reconcile/plan: the rules table of design.md §4, row
 * by row, on projects and actual states built by hand; cascades, options,
 * pools, orphans, and the JSON round trip.
 */
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixture: a project and an actual state built by hand ---- */

typedef struct fx {
	pc_project proj;
	pc_config cfg;
	pc_vec stmts;  /* pc_statement * until built */
	pc_vec topics; /* pc_topic * */
	pc_vec pools;
	int with_pools;
	pc_actual *act;
	pc_plan *plan;
	int clock;     /* created_at counter */
} fx;

static fx *F;

static int setup(void **state)
{
	F = PC_NEW(fx);
	F->cfg.prefix = pc_strdup("dev");
	F->proj.config = &F->cfg;
	pc_map_init(&F->proj.by_name);
	*state = F;
	return 0;
}

static pc_sql_file *fake_sql(const char *path, const char *text)
{
	pc_sql_file *f = PC_NEW(pc_sql_file);
	f->path = pc_strdup(path);
	f->text = pc_strdup(text);
	f->text_len = strlen(text);
	return f;
}

static void fake_sql_free(pc_sql_file *f)
{
	pc_sql_file_free(f); /* fakes have no statements: the real free handles both */
}

static void table_free(pc_table *t)
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

static int teardown(void **state)
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
	free(F);
	F = NULL;
	return 0;
}

static void set_fp(char out[33], const char *tag)
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
static pc_table *table(const char *name, const char *layer, const char *product, int has_dml)
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

static void edge(pc_table *parent, pc_table *child)
{
	pc_vec_push(&parent->children, child);
	pc_vec_push(&child->parents, parent);
	child->depth = parent->depth + 1;
}

static void stateful(pc_table *t, const char *op, int line)
{
	pc_state_reason *r = PC_NEW(pc_state_reason);
	r->op = pc_strdup(op);
	r->line = line;
	pc_vec_push(&t->state_reasons, r);
	t->stateful = t->analyzed_stateful = 1;
}

static void topic(const char *name)
{
	pc_topic *tp = PC_NEW(pc_topic);
	tp->name = pc_strdup(name);
	tp->partitions = 6;
	pc_vec_push(&F->topics, tp);
}

static pc_statement *stmt(const char *name, const char *phase)
{
	pc_statement *st = PC_NEW(pc_statement);
	char ts[40];
	st->name = pc_strdup(name);
	pc_statement_set_phase(st, phase);
	st->resource_version = pc_strdup("1");
	snprintf(ts, sizeof(ts), "2026-01-01T00:00:%02dZ", F->clock++);
	st->created_at = pc_strdup(ts);
	st->is_append_only = -1;
	pc_vec_push(&F->stmts, st);
	return st;
}

/* The DDL statement pipectl would have run for t, COMPLETED. */
static pc_statement *ddl_stmt(const pc_table *t)
{
	char *name = pc_naming_statement("dev", PC_NAME_DDL, t->name, t->ddl_fingerprint, NULL);
	pc_statement *st = stmt(name, "COMPLETED");
	st->sql = pc_strdup(t->ddl->text);
	pc_naming_labels(&st->labels, PC_NAME_DDL, t->name, t->ddl_fingerprint, NULL, NULL);
	free(name);
	return st;
}

/* The DML statement pipectl would have created for t as it is now. */
static pc_statement *dml_stmt(const pc_table *t, const char *phase, const char *nonce)
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
static pc_statement *deployed(const pc_table *t, const char *phase)
{
	topic(t->name);
	ddl_stmt(t);
	return t->dml ? dml_stmt(t, phase, NULL) : NULL;
}

static int plan_with(const pc_plan_options *opt)
{
	if (!F->act)
		assert_int_equal(pc_actual_build(&F->act, "dev", &F->stmts, &F->topics, F->with_pools ? &F->pools : NULL), 0);
	pc_plan_free(F->plan);
	F->plan = NULL;
	return pc_plan_compute(&F->plan, &F->proj, F->act, opt);
}

static void plan_ok(const pc_plan_options *opt)
{
	int rc = plan_with(opt);
	if (rc != 0)
		fail_msg("plan failed: %s", pc_error_last());
}

static const pc_action *act_of(const char *table)
{
	const pc_action *a = pc_plan_find(F->plan, table);
	if (!a)
		fail_msg("no action for '%s'", table);
	return a;
}

static pc_action_kind kind_of(const char *table)
{
	return act_of(table)->kind;
}

static const pc_step *step(const char *table, size_t i)
{
	const pc_action *a = act_of(table);
	if (i >= a->steps.len)
		fail_msg("'%s' has %zu steps, wanted #%zu", table, a->steps.len, i);
	return a->steps.items[i];
}

static int has_warning(const char *needle)
{
	for (size_t i = 0; i < F->plan->warnings.len; i++)
		if (strstr(F->plan->warnings.items[i], needle))
			return 1;
	return 0;
}

/* src -> mid -> leaf, all stateless with DML except src (DDL only). */
static void chain(pc_table **src, pc_table **mid, pc_table **leaf)
{
	*src = table("src", "sources", "p1", 0);
	*mid = table("mid", "intermediates", "p1", 1);
	*leaf = table("leaf", "facts", "p2", 1);
	edge(*src, *mid);
	edge(*mid, *leaf);
}

/* ---- rules table rows ---- */

static void test_plan_rule__absent_table_is_created_ddl_then_dml(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	(void)t;
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_CREATE);
	assert_string_equal(act_of("orders")->reason, "table absent");
	assert_int_equal(act_of("orders")->steps.len, 2);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("orders", 0)->sql, "CREATE TABLE orders (id INT)");
	assert_true(pc_naming_valid(step("orders", 0)->statement));
	assert_int_equal(step("orders", 1)->kind, PC_STEP_CREATE_DML);
	assert_true(step("orders", 1)->from_earliest);
	assert_null(step("orders", 1)->carry_from);
	assert_string_equal(pc_kv_get(&step("orders", 1)->labels, PC_LABEL_DDL_FP), t->ddl_fingerprint);
	assert_int_equal(F->plan->summary[PC_ACT_CREATE], 1);
	assert_true(pc_plan_has_changes(F->plan));
}

static void test_plan_rule__unchanged_running_is_noop(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "RUNNING");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
	assert_int_equal(act_of("orders")->steps.len, 0);
	assert_false(pc_plan_has_changes(F->plan));
}

static void test_plan_rule__dml_in_an_unknown_phase_is_left_alone_with_a_warning(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "HIBERNATING");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
	assert_int_equal(act_of("orders")->steps.len, 0);
	assert_non_null(strstr(act_of("orders")->reason, "HIBERNATING"));
	assert_true(has_warning(st->name));
	assert_true(has_warning("which pipectl does not know"));
}

static void test_plan_rule__stopped_dml_is_resumed(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "STOPPED");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_int_equal(act_of("orders")->steps.len, 1);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_RESUME_STATEMENT);
	assert_string_equal(step("orders", 0)->statement, st->name);
	assert_string_equal(act_of("orders")->pool_source, "current statement");
}

static void test_plan_rule__failed_eligible_dml_restarts_carrying_offsets(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "FAILED");
	char *old = pc_strdup(st->name);
	pc_kv_set(&st->latest_offsets, "src", "partition:0,offset:10");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_int_equal(step("orders", 0)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("orders", 0)->carry_from, old);
	assert_string_equal(pc_kv_get(&step("orders", 0)->properties, PC_PROP_CARRY_OVER), old);
	assert_string_not_equal(step("orders", 0)->statement, old);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_DELETE_STATEMENT);
	free(old);
}

static void test_plan_rule__failed_eligible_dml_without_offsets_rebuilds(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "FAILED");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("orders")->reason, "offsets are unknown"));
}

static void test_plan_rule__missing_stateful_dml_rebuilds_with_the_operator(void **state)
{
	(void)state;
	pc_table *t = table("agg", "facts", NULL, 1);
	stateful(t, "GROUP BY", 7);
	topic("agg");
	ddl_stmt(t);
	plan_ok(NULL);
	assert_int_equal(kind_of("agg"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("agg")->reason, "DML missing"));
	assert_non_null(strstr(act_of("agg")->reason, "GROUP BY at pipelines/facts/agg/sql-scripts/dml.agg.sql:7"));
	assert_true(act_of("agg")->destructive);
	/* no DML to stop: drop, DDL, DML */
	assert_int_equal(step("agg", 0)->kind, PC_STEP_DROP_TABLE);
	assert_string_equal(step("agg", 0)->sql, "DROP TABLE IF EXISTS `agg`");
	assert_true(step("agg", 0)->teardown);
	assert_int_equal(step("agg", 1)->kind, PC_STEP_RUN_DDL);
	assert_false(step("agg", 1)->teardown);
}

static void test_plan_rule__changed_stateless_dml_is_replaced_children_untouched(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	chain(&src, &mid, &leaf);
	deployed(src, "RUNNING");
	pc_statement *old = deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(NULL);
	assert_int_equal(kind_of("mid"), PC_ACT_REPLACE_DML);
	assert_int_equal(kind_of("leaf"), PC_ACT_NOOP);
	assert_int_equal(kind_of("src"), PC_ACT_NOOP);
	assert_int_equal(step("mid", 0)->kind, PC_STEP_CREATE_DML);
	assert_string_equal(step("mid", 0)->carry_from, old->name);
	assert_false(step("mid", 0)->wait);
	assert_false(step("mid", 0)->from_earliest);
	assert_int_equal(step("mid", 1)->kind, PC_STEP_STOP_STATEMENT);
	assert_string_equal(step("mid", 1)->statement, old->name);
	assert_false(step("mid", 1)->teardown);
	assert_int_equal(step("mid", 2)->kind, PC_STEP_DELETE_STATEMENT);
	assert_false(act_of("mid")->destructive);
}

static void test_plan_rule__changed_stateful_dml_rebuilds_and_cascades(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	chain(&src, &mid, &leaf);
	stateful(mid, "regular join", 3);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_NOOP);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("mid")->reason, "regular join at"));
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_string_equal(act_of("leaf")->forced_by, "mid");
	assert_non_null(strstr(act_of("leaf")->reason, "parent 'mid' is rebuilt"));
	/* creates parents first, stops children first */
	assert_int_equal(act_of("leaf")->depends_on.len, 1);
	assert_string_equal(act_of("leaf")->depends_on.items[0], "mid");
	assert_int_equal(act_of("mid")->teardown_after.len, 1);
	assert_string_equal(act_of("mid")->teardown_after.items[0], "leaf");
	assert_int_equal(act_of("mid")->wave, 0);
	assert_int_equal(act_of("leaf")->wave, 1);
	/* stop, delete, drop, ddl, dml */
	assert_int_equal(act_of("mid")->steps.len, 5);
	assert_int_equal(step("mid", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_int_equal(step("mid", 1)->kind, PC_STEP_DELETE_STATEMENT);
	assert_int_equal(step("mid", 2)->kind, PC_STEP_DROP_TABLE);
	assert_int_equal(step("mid", 3)->kind, PC_STEP_RUN_DDL);
	assert_int_equal(step("mid", 4)->kind, PC_STEP_CREATE_DML);
	assert_true(step("mid", 4)->from_earliest);
}

static void test_plan_rule__cascade_reaches_unselected_descendants(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	const char *sel[] = { "mid" };
	pc_plan_options opt = { sel, 1, 0, 0, 0, NULL };
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 2);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(&opt);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_true(act_of("mid")->selected);
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_false(act_of("leaf")->selected);
	assert_null(pc_plan_find(F->plan, "src"));
}

static void test_plan_rule__ddl_change_rebuilds_even_when_ddl_statement_expired(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	topic("orders");
	dml_stmt(t, "RUNNING", NULL); /* the DDL statement is gone: the DML label remembers */
	set_fp(t->ddl_fingerprint, "d2");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_string_equal(act_of("orders")->reason, "DDL changed");
}

static void test_plan_rule__ddl_only_table_with_expired_ddl_is_assumed_unchanged(void **state)
{
	(void)state;
	pc_table *t = table("ref", "sources", NULL, 0);
	(void)t;
	topic("ref");
	plan_ok(NULL);
	assert_int_equal(kind_of("ref"), PC_ACT_NOOP);
	assert_true(has_warning("DDL assumed unchanged"));
}

static void test_plan_rule__pool_change_only_stops_then_resumes(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "RUNNING");
	t->compute_pool = pc_strdup("lfcp-new");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_non_null(strstr(act_of("orders")->reason, "lfcp-cur -> lfcp-new"));
	assert_int_equal(step("orders", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_false(step("orders", 0)->teardown);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_RESUME_STATEMENT);
	assert_string_equal(step("orders", 1)->statement, st->name);
	assert_string_equal(step("orders", 1)->compute_pool, "lfcp-new");
}

static void test_plan_rule__property_change_only_stops_then_resumes(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "RUNNING");
	pc_kv_set(&t->properties, "sql.state-ttl", "1 d");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	assert_non_null(strstr(act_of("orders")->reason, "properties changed"));
	assert_string_equal(pc_kv_get(&step("orders", 1)->properties, "sql.state-ttl"), "1 d");
	assert_non_null(pc_kv_get(&step("orders", 1)->labels, PC_LABEL_FP));
}

static void test_plan_rule__two_live_dmls_stop_the_extra_one(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *old = deployed(t, "RUNNING");
	pc_statement *dup = dml_stmt(t, "RUNNING", "1");
	(void)dup;
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_START);
	/* the newest is kept, the older one stopped and deleted */
	assert_int_equal(step("orders", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_string_equal(step("orders", 0)->statement, old->name);
	assert_int_equal(step("orders", 1)->kind, PC_STEP_DELETE_STATEMENT);
}

static void test_plan_rule__created_parent_rebuilds_existing_child(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	chain(&src, &mid, &leaf);
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	/* src's topic is gone */
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_CREATE);
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_string_equal(act_of("mid")->forced_by, "src");
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
}

static void test_plan_rule__rebuild_of_unchanged_dml_gets_a_fresh_name(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "RUNNING");
	const char *sel[] = { "orders" };
	pc_plan_options opt = { sel, 1, 0, 1, 0, NULL };
	plan_ok(&opt);
	assert_int_equal(kind_of("orders"), PC_ACT_REBUILD);
	assert_string_equal(act_of("orders")->reason, "--force");
	const pc_step *dml = step("orders", 4);
	assert_int_equal(dml->kind, PC_STEP_CREATE_DML);
	assert_string_not_equal(dml->statement, st->name);
	assert_true(pc_naming_valid(dml->statement));
	/* the DDL is unchanged too: its statement needs a new name as well */
	assert_int_equal(step("orders", 3)->kind, PC_STEP_RUN_DDL);
	assert_null(pc_actual_stmt_get(F->act, step("orders", 3)->statement));
}

static void test_plan_rule__changed_upsert_dml_rebuilds_naming_the_sink(void **state)
{
	(void)state;
	pc_table *t = table("latest", "facts", NULL, 1);
	t->upsert = 1;
	deployed(t, "RUNNING");
	set_fp(t->dml_fingerprint, "m2");
	plan_ok(NULL);
	assert_int_equal(kind_of("latest"), PC_ACT_REBUILD);
	assert_string_equal(act_of("latest")->reason,
			    "DML changed; upsert sink: offsets cannot be carried over, reprocess from earliest");
}

/* ---- options ---- */

static void test_plan_dml_only__rebuild_becomes_restart_with_warning(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	pc_plan_options opt = { NULL, 0, 1, 0, 0, NULL };
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 2);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	plan_ok(&opt);
	assert_int_equal(kind_of("mid"), PC_ACT_RESTART);
	assert_int_equal(kind_of("leaf"), PC_ACT_RESTART);
	assert_true(has_warning("rows may repeat"));
	for (size_t i = 0; i < act_of("mid")->steps.len; i++) {
		assert_int_not_equal(step("mid", i)->kind, PC_STEP_DROP_TABLE);
		assert_int_not_equal(step("mid", i)->kind, PC_STEP_RUN_DDL);
	}
	assert_int_equal(step("mid", 2)->kind, PC_STEP_CREATE_DML);
	assert_true(step("mid", 2)->from_earliest);
	assert_false(act_of("mid")->destructive);
}

static void test_plan_force__rebuilds_only_selected_and_cascades(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	const char *sel[] = { "mid" };
	pc_plan_options opt = { sel, 1, 0, 1, 0, NULL };
	chain(&src, &mid, &leaf);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	deployed(leaf, "RUNNING");
	plan_ok(&opt);
	assert_null(pc_plan_find(F->plan, "src"));
	assert_int_equal(kind_of("mid"), PC_ACT_REBUILD);
	assert_int_equal(kind_of("leaf"), PC_ACT_REBUILD);
	assert_non_null(strstr(act_of("leaf")->reason, "parent 'mid'"));
}

static void test_plan_protect__rebuild_of_protected_table_is_an_error(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	stateful(t, "GROUP BY", 2);
	t->protect = 1;
	deployed(t, "RUNNING");
	set_fp(t->dml_fingerprint, "m2");
	assert_int_equal(plan_with(NULL), PC_EINVALID);
	assert_null(F->plan);
	assert_non_null(strstr(pc_error_last(), "'orders' is protected"));
	assert_non_null(strstr(pc_error_last(), "DML changed"));
}

static void test_plan_active_false__no_action_even_when_changed(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "STOPPED");
	set_fp(t->ddl_fingerprint, "d9");
	t->active = 0;
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
	assert_int_equal(act_of("orders")->steps.len, 0);
	assert_non_null(strstr(act_of("orders")->reason, "active: false"));
}

static void test_plan_external__missing_topic_is_an_error_naming_the_reader(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_vec_push(&t->external_parents, pc_strdup("cat.db.raw_orders"));
	assert_int_equal(plan_with(NULL), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "table 'orders' reads 'cat.db.raw_orders'"));
}

static void test_plan_external__present_topic_plans(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_vec_push(&t->external_parents, pc_strdup("raw_orders"));
	topic("raw_orders");
	plan_ok(NULL);
	assert_int_equal(kind_of("orders"), PC_ACT_CREATE);
	/* an external table is never an orphan: it has no managed statement */
	assert_null(pc_plan_find(F->plan, "raw_orders"));
}

/* ---- selectors ---- */

static size_t n_actions(void)
{
	return F->plan->actions.len;
}

static void diamond_deployed(void)
{
	/* a -> b -> d, a -> c -> d, x (independent), all running */
	pc_table *a = table("a", "sources", "p1", 1);
	pc_table *b = table("b", "intermediates", "p1", 1);
	pc_table *c = table("c", "intermediates", "p2", 1);
	pc_table *d = table("d", "facts", "p2", 1);
	pc_table *x = table("x", "facts", "p3", 1);
	pc_table *e = table("e", "sources", "p2", 1);
	edge(a, b);
	edge(a, c);
	edge(b, d);
	edge(c, d);
	edge(e, d);
	deployed(a, "RUNNING");
	deployed(b, "RUNNING");
	deployed(c, "RUNNING");
	deployed(d, "RUNNING");
	deployed(x, "RUNNING");
	deployed(e, "RUNNING");
}

static void test_plan_select__each_form(void **state)
{
	(void)state;
	diamond_deployed();
	const char *one[] = { "b" };
	pc_plan_options o = { one, 1, 0, 0, 0, NULL };
	plan_ok(&o);
	assert_int_equal(n_actions(), 1);
	assert_int_equal(kind_of("b"), PC_ACT_NOOP);

	const char *up[] = { "+b" };
	o.selectors = up;
	plan_ok(&o);
	assert_int_equal(n_actions(), 2);
	assert_non_null(pc_plan_find(F->plan, "a"));

	const char *down[] = { "b+" };
	o.selectors = down;
	plan_ok(&o);
	assert_int_equal(n_actions(), 2);
	assert_non_null(pc_plan_find(F->plan, "d"));

	const char *at[] = { "@b" };
	o.selectors = at;
	plan_ok(&o);
	/* b, its descendant d, and the ancestors of both: a, c, e */
	assert_int_equal(n_actions(), 5);
	assert_null(pc_plan_find(F->plan, "x"));

	const char *prod[] = { "product:p2" };
	o.selectors = prod;
	plan_ok(&o);
	assert_int_equal(n_actions(), 3);
	assert_non_null(pc_plan_find(F->plan, "c"));
	assert_non_null(pc_plan_find(F->plan, "e"));

	const char *layer[] = { "layer:facts" };
	o.selectors = layer;
	plan_ok(&o);
	assert_int_equal(n_actions(), 2);

	const char *uni[] = { "x", "layer:sources" };
	o.selectors = uni;
	o.n_selectors = 2;
	plan_ok(&o);
	assert_int_equal(n_actions(), 3);
}

static void test_plan_select__unknown_table_is_a_usage_error(void **state)
{
	(void)state;
	diamond_deployed();
	const char *bad[] = { "+nope" };
	pc_plan_options o = { bad, 1, 0, 0, 0, NULL };
	assert_int_equal(plan_with(&o), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "no table 'nope'"));
	const char *badp[] = { "product:zzz" };
	o.selectors = badp;
	assert_int_equal(plan_with(&o), PC_EUSAGE);
	assert_non_null(strstr(pc_error_last(), "matches no table"));
}

static void test_plan_select__absent_or_stopped_ancestors_are_brought_in(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	const char *sel[] = { "leaf" };
	pc_plan_options opt = { sel, 1, 0, 0, 0, NULL };
	chain(&src, &mid, &leaf);
	topic("src");
	ddl_stmt(src);
	deployed(mid, "STOPPED");
	/* leaf absent */
	plan_ok(&opt);
	assert_int_equal(kind_of("leaf"), PC_ACT_CREATE);
	assert_int_equal(kind_of("mid"), PC_ACT_START);
	assert_false(act_of("mid")->selected);
	/* src exists and has no DML: it is fine and not brought in */
	assert_null(pc_plan_find(F->plan, "src"));
	assert_string_equal(act_of("leaf")->depends_on.items[0], "mid");
}

/* ---- orphans ---- */

static void orphan_running(const char *name, const char *reads)
{
	pc_statement *st;
	char *n;
	char sql[128];
	char fp[33];
	set_fp(fp, name);
	topic(name);
	n = pc_naming_statement("dev", PC_NAME_DML, name, fp, NULL);
	st = stmt(n, "RUNNING");
	snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT * FROM %s", name, reads);
	st->sql = pc_strdup(sql);
	pc_naming_labels(&st->labels, PC_NAME_DML, name, fp, fp, fp);
	free(n);
}

static void test_plan_prune__orphan_reported_without_prune(void **state)
{
	(void)state;
	table("kept", "sources", NULL, 0);
	topic("kept");
	orphan_running("gone", "kept");
	topic("someone_elses");
	plan_ok(NULL);
	assert_null(pc_plan_find(F->plan, "gone"));
	assert_true(has_warning("orphan: 'gone'"));
	assert_false(has_warning("someone_elses"));
}

static void test_plan_prune__orphan_dropped_with_prune(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL };
	table("kept", "sources", NULL, 0);
	topic("kept");
	orphan_running("gone", "kept");
	plan_ok(&opt);
	assert_int_equal(kind_of("gone"), PC_ACT_DROP);
	assert_true(act_of("gone")->destructive);
	assert_int_equal(step("gone", 0)->kind, PC_STEP_STOP_STATEMENT);
	assert_int_equal(step("gone", 1)->kind, PC_STEP_DELETE_STATEMENT);
	assert_int_equal(step("gone", 2)->kind, PC_STEP_DROP_TABLE);
	assert_true(step("gone", 2)->teardown);
	assert_int_equal(F->plan->summary[PC_ACT_DROP], 1);
}

static void test_plan_prune__orphan_still_read_is_an_error(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL };
	pc_table *t = table("reader", "facts", NULL, 1);
	pc_vec_push(&t->external_parents, pc_strdup("gone"));
	orphan_running("gone", "x");
	deployed(t, "RUNNING");
	assert_int_equal(plan_with(&opt), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "cannot drop 'gone'"));
	assert_non_null(strstr(pc_error_last(), "'reader' still reads it"));
}

static void test_plan_prune__protected_orphan_is_an_error(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL };
	orphan_running("gone", "x");
	pc_kv_set(&((pc_statement *)F->stmts.items[F->stmts.len - 1])->labels, PC_LABEL_PROTECT, "true");
	assert_int_equal(plan_with(&opt), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "protected"));
}

static void test_plan_prune__readers_are_dropped_first(void **state)
{
	(void)state;
	pc_plan_options opt = { NULL, 0, 0, 0, 1, NULL };
	orphan_running("o_src", "ext");
	orphan_running("o_sink", "o_src");
	plan_ok(&opt);
	assert_int_equal(kind_of("o_src"), PC_ACT_DROP);
	assert_int_equal(act_of("o_src")->teardown_after.len, 1);
	assert_string_equal(act_of("o_src")->teardown_after.items[0], "o_sink");
	assert_true(act_of("o_src")->wave > act_of("o_sink")->wave);
}

/* ---- pools ---- */

static void test_plan_pool__resolution_order(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_plan_options opt = { NULL, 0, 0, 0, 0, "lfcp-flag" };

	/* nothing anywhere: the provider's default */
	plan_ok(NULL);
	assert_null(act_of("orders")->compute_pool);
	assert_string_equal(act_of("orders")->pool_source, "provider default");

	/* compute_pools.create: a setup step creates pipectl's pool */
	F->cfg.pools_create = 1;
	plan_ok(NULL);
	assert_int_equal(F->plan->setup.len, 1);
	assert_int_equal(((pc_step *)F->plan->setup.items[0])->kind, PC_STEP_CREATE_POOL);
	assert_string_equal(((pc_step *)F->plan->setup.items[0])->pool_display_name, "dev-pipectl");
	assert_string_equal(act_of("orders")->pool_source, "created");
	assert_string_equal(step("orders", 1)->pool_display_name, "dev-pipectl");

	/* configured default beats creating one */
	F->cfg.flink_compute_pool_id = pc_strdup("lfcp-default");
	plan_ok(NULL);
	assert_int_equal(F->plan->setup.len, 0);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-default");

	/* --compute-pool beats the default */
	plan_ok(&opt);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-flag");
	assert_string_equal(step("orders", 0)->compute_pool, "lfcp-flag");

	/* table.yaml beats the flag */
	t->compute_pool = pc_strdup("lfcp-yaml");
	plan_ok(&opt);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-yaml");
	assert_string_equal(act_of("orders")->pool_source, "table.yaml");
}

static void test_plan_pool__current_statement_beats_default(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	deployed(t, "STOPPED");
	F->cfg.flink_compute_pool_id = pc_strdup("lfcp-default");
	plan_ok(NULL);
	assert_string_equal(act_of("orders")->compute_pool, "lfcp-cur");
	assert_string_equal(act_of("orders")->pool_source, "current statement");
}

static void test_plan_pool__flag_does_not_move_running_statements(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_plan_options opt = { NULL, 0, 0, 0, 0, "lfcp-flag" };
	deployed(t, "RUNNING");
	plan_ok(&opt);
	assert_int_equal(kind_of("orders"), PC_ACT_NOOP);
}

static void test_plan_pool__noops_never_create_a_pool(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	deployed(src, "RUNNING");
	F->cfg.pools_create = 1;
	plan_ok(NULL);
	assert_int_equal(kind_of("src"), PC_ACT_NOOP);
	assert_int_equal(F->plan->setup.len, 0);
	assert_false(pc_plan_has_changes(F->plan));
}

/* ---- plan file ---- */

static void test_plan_json__round_trip_is_exact(void **state)
{
	(void)state;
	pc_table *src, *mid, *leaf;
	pc_buf a = PC_BUF_INIT, b = PC_BUF_INIT;
	pc_plan *back = NULL;
	chain(&src, &mid, &leaf);
	stateful(mid, "GROUP BY", 4);
	deployed(src, "RUNNING");
	deployed(mid, "RUNNING");
	set_fp(mid->dml_fingerprint, "m2");
	pc_kv_set(&mid->properties, "sql.state-ttl", "1 h");
	plan_ok(NULL);
	assert_string_equal(F->plan->state_fingerprint, F->act->fingerprint);
	assert_int_equal(pc_plan_write_json(F->plan, &a), 0);
	assert_non_null(strstr(a.ptr, "\"format_version\": \"1\""));
	assert_int_equal(pc_plan_read_json(&back, a.ptr, a.len), 0);
	assert_int_equal(pc_plan_write_json(back, &b), 0);
	assert_string_equal(a.ptr, b.ptr);
	assert_int_equal(back->summary[PC_ACT_REBUILD], F->plan->summary[PC_ACT_REBUILD]);
	assert_string_equal(back->state_fingerprint, F->plan->state_fingerprint);
	pc_plan_free(back);
	pc_buf_dispose(&a);
	pc_buf_dispose(&b);
}

static void test_plan_json__bad_files_are_one_line_errors(void **state)
{
	(void)state;
	pc_plan *p = NULL;
	const char *bad1 = "{\"format_version\":\"2\",\"actions\":[]}";
	const char *bad2 = "{\"format_version\":\"1\",\"actions\":[{\"table\":\"t\",\"action\":\"explode\",\"reason\":\"\"}],"
			   "\"state_fingerprint\":\"0123456789abcdef0123456789abcdef\"}";
	const char *bad3 = "{\"format_version\":";
	const char *bad4 = "{\"format_version\":\"1\",\"actions\":[],"
			   "\"state_fingerprint\":\"0123456789abcdef0123456789abcdeZ\"}";
	assert_int_equal(pc_plan_read_json(&p, bad4, strlen(bad4)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "\"state_fingerprint\" is not 32 hex digits"));
	assert_int_equal(pc_plan_read_json(&p, bad1, strlen(bad1)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "format_version"));
	assert_int_equal(pc_plan_read_json(&p, bad2, strlen(bad2)), PC_EINVALID);
	assert_non_null(strstr(pc_error_last(), "actions[0]: unknown action 'explode'"));
	assert_int_equal(pc_plan_read_json(&p, bad3, strlen(bad3)), PC_EPARSE);
	assert_null(strchr(pc_error_last(), '\n'));
	assert_null(p);
}

static void test_plan_state_fingerprint__changes_with_actual_state(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *st = deployed(t, "RUNNING");
	char first[33];
	(void)st;
	plan_ok(NULL);
	memcpy(first, F->plan->state_fingerprint, 33);
	/* same state rebuilt: same fingerprint */
	pc_actual_free(F->act);
	F->act = NULL;
	deployed(t, "RUNNING");
	plan_ok(NULL);
	assert_string_equal(first, F->plan->state_fingerprint);
	/* one phase differs */
	pc_actual_free(F->act);
	F->act = NULL;
	deployed(t, "STOPPED");
	plan_ok(NULL);
	assert_string_not_equal(first, F->plan->state_fingerprint);
}


/* ---- the snapshot and status ---- */

static void build_actual(void)
{
	assert_int_equal(pc_actual_build(&F->act, "dev", &F->stmts, &F->topics, NULL), 0);
}

static char *sync_reason(const pc_table *t, int *in_sync)
{
	char *reason = NULL;
	*in_sync = pc_actual_table_in_sync(F->act, t, &reason);
	return reason;
}

static void test_actual__current_dml_is_the_newest_live_one(void **state)
{
	(void)state;
	pc_table *t = table("orders", "sources", NULL, 1);
	pc_statement *run = deployed(t, "RUNNING");
	pc_statement *failed = dml_stmt(t, "FAILED", "1"); /* newer, but failed */
	(void)failed;
	build_actual();
	const pc_actual_table *at = pc_actual_table_get(F->act, "orders");
	assert_non_null(at);
	assert_true(at->topic_exists);
	assert_string_equal(at->dml->st->name, run->name);
	assert_int_equal(at->dmls.len, 2);
	assert_int_equal(at->live_dmls, 1);
	assert_non_null(at->ddl);
	assert_string_equal(at->ddl_fp, t->ddl_fingerprint);
}

static void test_actual__unmanaged_statements_are_not_indexed(void **state)
{
	(void)state;
	pc_statement *st = stmt("cli-2026-01-01-120000-abc", "RUNNING");
	st->sql = pc_strdup("INSERT INTO orders SELECT * FROM src");
	pc_statement *other = stmt("prod-pc-dml-orders-0a1b2c3d", "RUNNING"); /* another prefix */
	other->sql = pc_strdup("INSERT INTO orders SELECT * FROM src");
	build_actual();
	assert_null(pc_actual_table_get(F->act, "orders"));
	assert_false(((pc_actual_stmt *)pc_actual_stmt_get(F->act, "cli-2026-01-01-120000-abc"))->managed);
}

static void test_actual__statement_without_labels_is_read_from_its_sql(void **state)
{
	(void)state;
	pc_statement *st = stmt("dev-pc-dml-my-orders-0a1b2c3d", "RUNNING");
	st->sql = pc_strdup("INSERT INTO `cat`.`db`.`My_Orders` SELECT id FROM src WHERE x = 1");
	pc_statement *dr = stmt("dev-pc-drop-old-0a1b2c3d", "COMPLETED");
	dr->sql = pc_strdup("DROP TABLE IF EXISTS `cat`.`db`.`Old`");
	build_actual();
	const pc_actual_table *at = pc_actual_table_get(F->act, "My_Orders");
	assert_non_null(at);
	assert_non_null(at->dml);
	assert_non_null(at->dml_sql_fp);
	assert_non_null(pc_actual_table_get(F->act, "Old"));
}

static void test_actual__in_sync_reasons(void **state)
{
	(void)state;
	pc_table *ok = table("ok", "sources", NULL, 1);
	pc_table *gone = table("gone", "sources", NULL, 1);
	pc_table *nodml = table("nodml", "sources", NULL, 1);
	pc_table *sql = table("sql", "sources", NULL, 1);
	pc_table *props = table("props", "sources", NULL, 1);
	pc_table *failed = table("failed", "sources", NULL, 1);
	pc_table *degraded = table("degraded", "sources", NULL, 1);
	int in;
	char *r;
	deployed(ok, "RUNNING");
	topic("nodml");
	ddl_stmt(nodml);
	deployed(sql, "RUNNING");
	deployed(props, "RUNNING");
	pc_statement *f = deployed(failed, "FAILED");
	f->detail = pc_strdup("table src was dropped");
	deployed(degraded, "DEGRADED");
	build_actual();
	set_fp(sql->dml_fingerprint, "m2");
	pc_kv_set(&props->dml_properties, "k", "v");
	(void)gone;

	r = sync_reason(ok, &in);
	assert_true(in);
	assert_null(r);
	const struct { pc_table *t; const char *want; } cases[] = {
		{ gone, "table missing" }, { nodml, "DML missing" }, { sql, "SQL differs" },
		{ props, "properties differ" }, { failed, "FAILED: table src was dropped" },
		{ degraded, "DEGRADED" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = sync_reason(cases[i].t, &in);
		assert_false(in);
		assert_non_null(r);
		assert_string_equal(r, cases[i].want);
		free(r);
	}
}

/* ---- views ---- */

/* A view over `over`: its DDL is analysed for real (CREATE VIEW). */
static pc_table *view(const char *name, pc_table *over)
{
	char sql[128];
	pc_table *v = table(name, "views", NULL, 0);
	pc_sql_file_free(v->ddl);
	snprintf(sql, sizeof(sql), "CREATE VIEW %s AS SELECT id FROM %s", name, over->name);
	assert_int_equal(pc_sql_analyze(&v->ddl, v->ddl_path, sql, strlen(sql)), 0);
	edge(over, v);
	return v;
}

static void test_plan_view__absent_view_is_dropped_if_exists_then_created(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	(void)v;
	deployed(src, "RUNNING");
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_CREATE);
	assert_int_equal(act_of("v_src")->steps.len, 2);
	assert_int_equal(step("v_src", 0)->kind, PC_STEP_RUN_DDL);
	assert_string_equal(step("v_src", 0)->sql, "DROP VIEW IF EXISTS `v_src`");
	assert_int_equal(step("v_src", 1)->kind, PC_STEP_RUN_DDL);
	assert_non_null(strstr(step("v_src", 1)->sql, "CREATE VIEW v_src"));
	assert_false(act_of("v_src")->destructive);
}

static void test_plan_view__existing_view_is_noop_and_needs_no_topic(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	deployed(src, "RUNNING");
	ddl_stmt(v); /* COMPLETED, no topic */
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_NOOP);
	int in;
	char *r = sync_reason(v, &in);
	assert_true(in);
	assert_null(r);
}

static void test_plan_view__changed_view_rebuilds_and_its_readers_too(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	pc_table *rd = table("reader", "facts", NULL, 1);
	edge(v, rd);
	deployed(src, "RUNNING");
	ddl_stmt(v);
	deployed(rd, "RUNNING");
	set_fp(v->ddl_fingerprint, "d2");
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_REBUILD);
	assert_string_equal(act_of("v_src")->reason, "view definition changed");
	assert_int_equal(kind_of("reader"), PC_ACT_REBUILD);
}

static void test_plan_view__expired_view_is_created_without_cascade(void **state)
{
	(void)state;
	pc_table *src = table("src", "sources", NULL, 0);
	pc_table *v = view("v_src", src);
	pc_table *rd = table("reader", "facts", NULL, 1);
	edge(v, rd);
	deployed(src, "RUNNING");
	deployed(rd, "RUNNING"); /* the view's DDL statement expired */
	plan_ok(NULL);
	assert_int_equal(kind_of("v_src"), PC_ACT_CREATE);
	assert_int_equal(kind_of("reader"), PC_ACT_NOOP);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_rule__absent_table_is_created_ddl_then_dml),
		T(test_plan_rule__unchanged_running_is_noop),
		T(test_plan_rule__dml_in_an_unknown_phase_is_left_alone_with_a_warning),
		T(test_plan_rule__stopped_dml_is_resumed),
		T(test_plan_rule__failed_eligible_dml_restarts_carrying_offsets),
		T(test_plan_rule__failed_eligible_dml_without_offsets_rebuilds),
		T(test_plan_rule__missing_stateful_dml_rebuilds_with_the_operator),
		T(test_plan_rule__changed_stateless_dml_is_replaced_children_untouched),
		T(test_plan_rule__changed_stateful_dml_rebuilds_and_cascades),
		T(test_plan_rule__cascade_reaches_unselected_descendants),
		T(test_plan_rule__ddl_change_rebuilds_even_when_ddl_statement_expired),
		T(test_plan_rule__ddl_only_table_with_expired_ddl_is_assumed_unchanged),
		T(test_plan_rule__pool_change_only_stops_then_resumes),
		T(test_plan_rule__property_change_only_stops_then_resumes),
		T(test_plan_rule__two_live_dmls_stop_the_extra_one),
		T(test_plan_rule__created_parent_rebuilds_existing_child),
		T(test_plan_rule__rebuild_of_unchanged_dml_gets_a_fresh_name),
		T(test_plan_rule__changed_upsert_dml_rebuilds_naming_the_sink),
		T(test_plan_dml_only__rebuild_becomes_restart_with_warning),
		T(test_plan_force__rebuilds_only_selected_and_cascades),
		T(test_plan_protect__rebuild_of_protected_table_is_an_error),
		T(test_plan_active_false__no_action_even_when_changed),
		T(test_plan_external__missing_topic_is_an_error_naming_the_reader),
		T(test_plan_external__present_topic_plans),
		T(test_plan_select__each_form),
		T(test_plan_select__unknown_table_is_a_usage_error),
		T(test_plan_select__absent_or_stopped_ancestors_are_brought_in),
		T(test_plan_prune__orphan_reported_without_prune),
		T(test_plan_prune__orphan_dropped_with_prune),
		T(test_plan_prune__orphan_still_read_is_an_error),
		T(test_plan_prune__protected_orphan_is_an_error),
		T(test_plan_prune__readers_are_dropped_first),
		T(test_plan_pool__resolution_order),
		T(test_plan_pool__current_statement_beats_default),
		T(test_plan_pool__noops_never_create_a_pool),
		T(test_plan_pool__flag_does_not_move_running_statements),
		T(test_plan_json__round_trip_is_exact),
		T(test_plan_json__bad_files_are_one_line_errors),
		T(test_plan_state_fingerprint__changes_with_actual_state),
		T(test_actual__current_dml_is_the_newest_live_one),
		T(test_actual__unmanaged_statements_are_not_indexed),
		T(test_actual__statement_without_labels_is_read_from_its_sql),
		T(test_actual__in_sync_reasons),
		T(test_plan_view__absent_view_is_dropped_if_exists_then_created),
		T(test_plan_view__existing_view_is_noop_and_needs_no_topic),
		T(test_plan_view__changed_view_rebuilds_and_its_readers_too),
		T(test_plan_view__expired_view_is_created_without_cascade),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
