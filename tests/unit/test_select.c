/* Unit tests for src/reconcile/select: table selectors on a hand-built graph. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "model/select.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/map.h"

#include <stdlib.h>
#include <string.h>

/*
 *   a ──> b ──> d
 *   └──> c ──┘  ^
 *   e ──────────┘      x (alone)
 * products: a,b = p1; c,d,e = p2; x = p3. layers: a,e sources; b,c intermediates; d,x facts.
 */
static pc_project P;

static pc_table *mk(const char *name, const char *layer, const char *product)
{
	pc_table *t = PC_NEW(pc_table);
	t->name = pc_strdup(name);
	t->layer = pc_strdup(layer);
	t->product = pc_strdup(product);
	t->active = 1;
	t->topo_index = (int)P.tables.len;
	pc_vec_push(&P.tables, t);
	pc_vec_push(&P.topo, t);
	pc_map_put(&P.by_name, name, t);
	return t;
}

static void edge(pc_table *p, pc_table *c)
{
	pc_vec_push(&p->children, c);
	pc_vec_push(&c->parents, p);
}

static int setup(void **state)
{
	(void)state;
	memset(&P, 0, sizeof(P));
	pc_table *a = mk("a", "sources", "p1");
	pc_table *e = mk("e", "sources", "p2");
	pc_table *b = mk("b", "intermediates", "p1");
	pc_table *c = mk("c", "intermediates", "p2");
	pc_table *d = mk("d", "facts", "p2");
	mk("x", "facts", "p3");
	edge(a, b);
	edge(a, c);
	edge(b, d);
	edge(c, d);
	edge(e, d);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < P.tables.len; i++) {
		pc_table *t = P.tables.items[i];
		free(t->name);
		free(t->layer);
		free(t->product);
		pc_vec_dispose(&t->parents, NULL);
		pc_vec_dispose(&t->children, NULL);
		free(t);
	}
	pc_vec_dispose(&P.tables, NULL);
	pc_vec_dispose(&P.topo, NULL);
	pc_map_dispose(&P.by_name, NULL);
	return 0;
}

/* The selection as a sorted, comma-joined string ("a,b,d"), or the error. */
static char *sel(const char *s1, const char *s2)
{
	const char *v[2] = { s1, s2 };
	pc_map m = PC_MAP_INIT;
	pc_vec keys = PC_VEC_INIT;
	pc_buf b = PC_BUF_INIT;
	int rc = pc_select(&m, &P, v, s1 ? (s2 ? 2 : 1) : 0);
	if (rc < 0) {
		pc_buf_printf(&b, "error %d: %s", rc, pc_error_last());
	} else {
		pc_map_keys_sorted(&m, &keys);
		for (size_t i = 0; i < keys.len; i++)
			pc_buf_printf(&b, "%s%s", i ? "," : "", (const char *)keys.items[i]);
	}
	pc_vec_dispose(&keys, NULL);
	pc_map_dispose(&m, NULL);
	return pc_buf_detach(&b);
}

#define EXPECT(want, s1, s2)                      \
	do {                                      \
		char *got = sel(s1, s2);          \
		assert_string_equal(got, want);   \
		free(got);                        \
	} while (0)

static void test_select__no_selector_selects_everything(void **state)
{
	(void)state;
	EXPECT("a,b,c,d,e,x", NULL, NULL);
}

static void test_select__a_table_alone(void **state)
{
	(void)state;
	EXPECT("b", "b", NULL);
}

static void test_select__plus_before_adds_ancestors(void **state)
{
	(void)state;
	EXPECT("a,b,c,d,e", "+d", NULL);
	EXPECT("a,b", "+b", NULL);
}

static void test_select__plus_after_adds_descendants(void **state)
{
	(void)state;
	EXPECT("a,b,c,d", "a+", NULL);
	EXPECT("d", "d+", NULL);
}

static void test_select__plus_on_both_sides_adds_both(void **state)
{
	(void)state;
	EXPECT("a,b,d", "+b+", NULL);
}

static void test_select__at_adds_descendants_and_their_ancestors(void **state)
{
	(void)state;
	/* c feeds d; d also needs b, a and e */
	EXPECT("a,b,c,d,e", "@c", NULL);
	EXPECT("x", "@x", NULL);
}

static void test_select__product_and_layer(void **state)
{
	(void)state;
	EXPECT("c,d,e", "product:p2", NULL);
	EXPECT("a,e", "layer:sources", NULL);
}

static void test_select__several_are_a_union(void **state)
{
	(void)state;
	EXPECT("a,b,x", "x", "+b");
	EXPECT("a,b,c,d,e", "product:p2", "a+");
}

static void test_select__unknown_names_are_usage_errors(void **state)
{
	char *got;
	(void)state;
	got = sel("+zz", NULL);
	assert_non_null(strstr(got, "error -6: selector '+zz': no table 'zz' in the project"));
	free(got);
	got = sel("layer:nope", NULL);
	assert_non_null(strstr(got, "selector 'layer:nope' matches no table"));
	free(got);
	got = sel("+", NULL);
	assert_non_null(strstr(got, "names no table"));
	free(got);
	got = sel("product:", NULL);
	assert_non_null(strstr(got, "names no product"));
	free(got);
}

static void test_select__table_names_are_case_sensitive(void **state)
{
	char *got;
	(void)state;
	got = sel("B", NULL);
	assert_non_null(strstr(got, "no table 'B'"));
	free(got);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_select__no_selector_selects_everything),
		T(test_select__a_table_alone),
		T(test_select__plus_before_adds_ancestors),
		T(test_select__plus_after_adds_descendants),
		T(test_select__plus_on_both_sides_adds_both),
		T(test_select__at_adds_descendants_and_their_ancestors),
		T(test_select__product_and_layer),
		T(test_select__several_are_a_union),
		T(test_select__unknown_names_are_usage_errors),
		T(test_select__table_names_are_case_sensitive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
