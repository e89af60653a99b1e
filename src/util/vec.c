#include "vec.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

void pc_vec_init(pc_vec *v)
{
	v->items = NULL;
	v->len = v->cap = 0;
}

void pc_vec_push(pc_vec *v, void *item)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? pc_st_mult(v->cap, 2) : 8;
		v->items = pc_realloc(v->items, pc_st_mult(v->cap, sizeof(void *)));
	}
	v->items[v->len++] = item;
}

void *pc_vec_pop(pc_vec *v)
{
	return v->len ? v->items[--v->len] : NULL;
}

void *pc_vec_get(const pc_vec *v, size_t i)
{
	return i < v->len ? v->items[i] : NULL;
}

void pc_vec_remove(pc_vec *v, size_t i)
{
	if (i >= v->len)
		return;
	memmove(v->items + i, v->items + i + 1, (v->len - i - 1) * sizeof(void *));
	v->len--;
}

static _Thread_local int (*sort_cmp)(const void *, const void *);

static int sort_tramp(const void *a, const void *b)
{
	return sort_cmp(*(void *const *)a, *(void *const *)b);
}

void pc_vec_sort(pc_vec *v, int (*cmp)(const void *a, const void *b))
{
	if (v->len < 2)
		return;
	sort_cmp = cmp;
	qsort(v->items, v->len, sizeof(void *), sort_tramp);
}

void pc_vec_dispose(pc_vec *v, pc_free_fn free_fn)
{
	if (!v)
		return;
	if (free_fn)
		for (size_t i = 0; i < v->len; i++)
			free_fn(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

long pc_vec_find_str(const pc_vec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return (long)i;
	return -1;
}

int pc_vec_add_str_unique(pc_vec *v, const char *s)
{
	if (pc_vec_find_str(v, s) >= 0)
		return 0;
	pc_vec_push(v, pc_strdup(s));
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

void pc_vec_sort_str(pc_vec *v)
{
	pc_vec_sort(v, cmp_str);
}
