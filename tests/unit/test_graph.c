/* Unit tests for src/model/graph.c: edges, externals, order, depth, cycles, duplicates, closures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pc_project *new_project(void)
{
	pc_project *p = PC_NEW(pc_project);
	pc_map_init(&p->by_name);
	return p;
}

/* A table whose DML reads the NULL-terminated names given. */
static pc_table *add(pc_project *p, const char *name, ...)
{
	pc_table *t = pc_table_new();
	pc_sql_file *f = PC_NEW(pc_sql_file);
	pc_sql_stmt *s = PC_NEW(pc_sql_stmt);
	va_list ap;
	const char *r;

	t->name = pc_strdup(name);
	t->folder = pc_sprintf("pipelines/facts/%s", name);
	t->ddl_path = pc_sprintf("pipelines/facts/%s/sql-scripts/ddl.%s.sql", name, name);
	t->dml_path = pc_sprintf("pipelines/facts/%s/sql-scripts/dml.%s.sql", name, name);
	s->kind = PC_STMT_INSERT;
	s->line = 1;
	pc_vec_push(&s->writes, pc_strdup(name));
	va_start(ap, name);
	while ((r = va_arg(ap, const char *)) != NULL)
		pc_vec_push(&s->reads, pc_strdup(r));
	va_end(ap);
	pc_vec_push(&f->stmts, s);
	t->dml = f;
	pc_vec_push(&p->tables, t);
	return t;
}

/* Declare an external table (as `externals:` of pipectl.yaml does). */
static void declare(pc_project *p, const char *name)
{
	pc_external *x = PC_NEW(pc_external);
	x->name = pc_strdup(name);
	pc_vec_push(&p->externals, x);
}

static char *names(const pc_vec *v)
{
	pc_buf b = PC_BUF_INIT;
	for (size_t i = 0; i < v->len; i++) {
		const pc_table *t = v->items[i];
		pc_buf_printf(&b, "%s%s", i ? "," : "", t->name);
	}
	return pc_buf_detach(&b);
}

static void assert_names(const pc_vec *v, const char *want)
{
	char *got = names(v);
	assert_string_equal(got, want);
	free(got);
}

static const char *diag_text(const pc_project *p, size_t i, char **hold)
{
	free(*hold);
	*hold = pc_diag_format(p->diags.items[i]);
	return *hold;
}

static void test_graph__parents_children_externals_and_self_reads(void **state)
{
	pc_project *p = new_project();
	pc_table *orders, *src, *agg;
	(void)state;
	src = add(p, "src_orders", "raw.orders", NULL);
	orders = add(p, "int_orders", "cat.db.src_orders", "`src_orders`", "int_orders", "customers_ext", NULL);
	agg = add(p, "fct_orders", "int_orders", "src_orders", NULL);
	declare(p, "raw.orders");
	declare(p, "`src_orders`");
	declare(p, "customers_ext");
	assert_int_equal(pc_graph_build(p), 0);
	assert_int_equal(p->n_errors, 0);
	assert_names(&orders->parents, "src_orders");
	assert_names(&agg->parents, "int_orders,src_orders");
	assert_names(&src->children, "fct_orders,int_orders");
	assert_int_equal(src->external_parents.len, 1);
	assert_string_equal(src->external_parents.items[0], "raw.orders");
	assert_int_equal(orders->external_parents.len, 2);
	assert_string_equal(orders->external_parents.items[0], "`src_orders`");
	assert_string_equal(orders->external_parents.items[1], "customers_ext");
	assert_ptr_equal(pc_project_table(p, "int_orders"), orders);
	assert_null(pc_project_table(p, "nope"));
	assert_int_equal(pc_project_external(p, "customers_ext")->readers.len, 1);
	assert_ptr_equal(pc_project_external(p, "customers_ext")->readers.items[0], orders);
	assert_ptr_equal(pc_project_external(p, "orders")->readers.items[0], src); /* by base name */
	pc_project_free(p);
}

static void test_graph__undeclared_read_is_an_error_with_did_you_mean(void **state)
{
	pc_project *p = new_project();
	pc_table *f, *g;
	char *hold = NULL;
	(void)state;
	add(p, "int_order_lines_usd", NULL);
	f = add(p, "fct_orders", "int_order_lines_us", NULL);
	g = add(p, "fct_other", "x", "raw_orderz", NULL);
	declare(p, "raw_orders");
	assert_int_equal(pc_graph_build(p), 0);
	assert_int_equal(p->n_errors, 3);
	assert_string_equal(diag_text(p, 0, &hold),
			    "pipelines/facts/fct_orders/sql-scripts/dml.fct_orders.sql:1: 'fct_orders' reads table "
			    "'int_order_lines_us', which no DDL in the tree creates and 'externals' in pipectl.yaml does "
			    "not declare (did you mean 'int_order_lines_usd'?)");
	/* nothing close: no guess */
	assert_string_equal(diag_text(p, 1, &hold),
			    "pipelines/facts/fct_other/sql-scripts/dml.fct_other.sql:1: 'fct_other' reads table 'x', "
			    "which no DDL in the tree creates and 'externals' in pipectl.yaml does not declare");
	assert_string_equal(diag_text(p, 2, &hold),
			    "pipelines/facts/fct_other/sql-scripts/dml.fct_other.sql:1: 'fct_other' reads table "
			    "'raw_orderz', which no DDL in the tree creates and 'externals' in pipectl.yaml does not "
			    "declare (did you mean 'raw_orders'?)");
	assert_true(f->broken);
	assert_true(g->broken);
	free(hold);
	pc_project_free(p);
}

static void test_graph__tables_are_sorted_and_topo_order_is_by_name_among_ready(void **state)
{
	pc_project *p = new_project();
	(void)state;
	add(p, "z_src", NULL);
	add(p, "b_mid", "z_src", NULL);
	add(p, "a_src", NULL);
	add(p, "c_sink", "b_mid", "a_src", NULL); /* parents listed by name */
	add(p, "a_mid", "a_src", NULL);
	assert_int_equal(pc_graph_build(p), 0);
	assert_names(&p->tables, "a_mid,a_src,b_mid,c_sink,z_src");
	assert_names(&p->topo, "a_src,a_mid,z_src,b_mid,c_sink");
	for (size_t i = 0; i < p->topo.len; i++)
		assert_int_equal(((pc_table *)p->topo.items[i])->topo_index, (int)i);
	assert_int_equal(pc_project_table(p, "a_src")->depth, 0);
	assert_int_equal(pc_project_table(p, "a_mid")->depth, 1);
	assert_int_equal(pc_project_table(p, "c_sink")->depth, 2);
	assert_names(&pc_project_table(p, "c_sink")->parents, "a_src,b_mid");
	pc_project_free(p);
}

static void test_graph__depth_is_the_longest_path(void **state)
{
	pc_project *p = new_project();
	(void)state;
	add(p, "a", NULL);
	add(p, "b", "a", NULL);
	add(p, "c", "b", NULL);
	add(p, "d", "a", "c", NULL);
	assert_int_equal(pc_graph_build(p), 0);
	assert_int_equal(pc_project_table(p, "d")->depth, 3);
	pc_project_free(p);
}

static void test_graph__cycle_is_an_error_naming_its_tables(void **state)
{
	pc_project *p = new_project();
	char *hold = NULL;
	(void)state;
	add(p, "src", NULL);
	add(p, "a", "src", "c", NULL);
	add(p, "b", "a", NULL);
	add(p, "c", "b", NULL);
	add(p, "after", "c", NULL); /* below the cycle, not in it */
	assert_int_equal(pc_graph_build(p), 0);
	assert_int_equal(p->n_errors, 1);
	assert_string_equal(diag_text(p, 0, &hold), "pipelines/facts/a/sql-scripts/dml.a.sql:1: cycle: a -> b -> c -> a");
	assert_true(pc_project_table(p, "a")->broken);
	assert_false(pc_project_table(p, "after")->broken);
	assert_false(pc_project_table(p, "src")->broken);
	/* every table is still in topo, the acyclic part first */
	assert_int_equal(p->topo.len, 5);
	assert_ptr_equal(p->topo.items[0], pc_project_table(p, "src"));
	free(hold);
	pc_project_free(p);
}

static void test_graph__two_disjoint_cycles_are_both_reported(void **state)
{
	pc_project *p = new_project();
	char *hold = NULL;
	(void)state;
	add(p, "x1", "x2", NULL);
	add(p, "x2", "x1", NULL);
	add(p, "y1", "y3", NULL);
	add(p, "y2", "y1", NULL);
	add(p, "y3", "y2", NULL);
	assert_int_equal(pc_graph_build(p), 0);
	assert_int_equal(p->n_errors, 2);
	assert_string_equal(diag_text(p, 0, &hold), "pipelines/facts/x1/sql-scripts/dml.x1.sql:1: cycle: x1 -> x2 -> x1");
	assert_string_equal(diag_text(p, 1, &hold), "pipelines/facts/y1/sql-scripts/dml.y1.sql:1: cycle: y1 -> y2 -> y3 -> y1");
	free(hold);
	pc_project_free(p);
}

static void test_graph__same_table_from_two_folders_names_both_files(void **state)
{
	pc_project *p = new_project();
	pc_table *t;
	char *hold = NULL;
	(void)state;
	t = add(p, "orders", NULL);
	free(t->ddl_path);
	t->ddl_path = pc_strdup("pipelines/sources/b/sql-scripts/ddl.orders.sql");
	free(t->folder);
	t->folder = pc_strdup("pipelines/sources/b");
	t = add(p, "orders", NULL);
	free(t->ddl_path);
	t->ddl_path = pc_strdup("pipelines/sources/a/sql-scripts/ddl.orders.sql");
	free(t->folder);
	t->folder = pc_strdup("pipelines/sources/a");
	add(p, "sink", "orders", NULL);
	assert_int_equal(pc_graph_build(p), 0);
	assert_int_equal(p->n_errors, 1);
	assert_int_equal(p->tables.len, 2);
	assert_string_equal(diag_text(p, 0, &hold),
			    "pipelines/sources/b/sql-scripts/ddl.orders.sql: table 'orders' is created twice: by "
			    "'pipelines/sources/a/sql-scripts/ddl.orders.sql' and by "
			    "'pipelines/sources/b/sql-scripts/ddl.orders.sql'");
	assert_string_equal(pc_project_table(p, "orders")->folder, "pipelines/sources/a");
	assert_true(pc_project_table(p, "orders")->broken);
	assert_names(&pc_project_table(p, "sink")->parents, "orders");
	free(hold);
	pc_project_free(p);
}

static void test_graph__ancestors_and_descendants_in_topo_order(void **state)
{
	pc_project *p = new_project();
	pc_vec v = PC_VEC_INIT;
	(void)state;
	add(p, "s1", NULL);
	add(p, "s2", NULL);
	add(p, "m", "s2", "s1", NULL);
	add(p, "k", "m", NULL);
	add(p, "other", "s1", NULL);
	assert_int_equal(pc_graph_build(p), 0);
	pc_graph_ancestors(p, pc_project_table(p, "k"), &v);
	assert_names(&v, "s1,s2,m");
	v.len = 0;
	pc_graph_descendants(p, pc_project_table(p, "s1"), &v);
	assert_names(&v, "other,m,k"); /* topo: s1, other, s2, m, k */
	v.len = 0;
	pc_graph_descendants(p, pc_project_table(p, "k"), &v);
	assert_int_equal(v.len, 0);
	pc_vec_dispose(&v, NULL);
	pc_project_free(p);
}

static void test_graph__carry_over_needs_stateless_and_append(void **state)
{
	pc_table t;
	(void)state;
	memset(&t, 0, sizeof(t));
	assert_true(pc_table_carry_over_eligible(&t));
	t.upsert = 1;
	assert_false(pc_table_carry_over_eligible(&t));
	t.upsert = 0;
	t.stateful = 1;
	assert_false(pc_table_carry_over_eligible(&t));
}

static void test_graph__diag_format_with_and_without_file_and_line(void **state)
{
	pc_diag d = { PC_SEV_ERROR, "a.sql", 3, NULL, "bad" };
	char *s;
	(void)state;
	s = pc_diag_format(&d);
	assert_string_equal(s, "a.sql:3: bad");
	free(s);
	d.line = 0;
	s = pc_diag_format(&d);
	assert_string_equal(s, "a.sql: bad");
	free(s);
	d.file = NULL;
	s = pc_diag_format(&d);
	assert_string_equal(s, "bad");
	free(s);
}

/* A long chain and a wide fan: must stay linear (no timing asserted, only that it completes and is right). */
static void test_graph__ten_thousand_tables_chain_and_fan(void **state)
{
	pc_project *p = new_project();
	char name[32], prev[32];
	int64_t t0;
	(void)state;
	add(p, "t00000", NULL);
	for (int i = 1; i < 10000; i++) {
		snprintf(name, sizeof(name), "t%05d", i);
		snprintf(prev, sizeof(prev), "t%05d", i % 2 ? i - 1 : 0);
		add(p, name, prev, "t00000", NULL);
	}
	t0 = pc_mono_ms();
	assert_int_equal(pc_graph_build(p), 0);
	print_message("graph of 10000 tables: %lld ms\n", (long long)(pc_mono_ms() - t0));
	assert_int_equal(p->n_errors, 0);
	assert_int_equal(p->topo.len, 10000);
	assert_int_equal(pc_project_table(p, "t00000")->children.len, 9999);
	assert_int_equal(pc_project_table(p, "t09999")->depth, 2);
	pc_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graph__parents_children_externals_and_self_reads),
		cmocka_unit_test(test_graph__undeclared_read_is_an_error_with_did_you_mean),
		cmocka_unit_test(test_graph__tables_are_sorted_and_topo_order_is_by_name_among_ready),
		cmocka_unit_test(test_graph__depth_is_the_longest_path),
		cmocka_unit_test(test_graph__cycle_is_an_error_naming_its_tables),
		cmocka_unit_test(test_graph__two_disjoint_cycles_are_both_reported),
		cmocka_unit_test(test_graph__same_table_from_two_folders_names_both_files),
		cmocka_unit_test(test_graph__ancestors_and_descendants_in_topo_order),
		cmocka_unit_test(test_graph__carry_over_needs_stateless_and_append),
		cmocka_unit_test(test_graph__diag_format_with_and_without_file_and_line),
		cmocka_unit_test(test_graph__ten_thousand_tables_chain_and_fan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
