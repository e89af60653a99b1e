/*
 * vec.h - the one vector type: a growable array of pointers.
 *
 * A vector does not own its elements unless the caller says so by passing a
 * free function to pc_vec_dispose().
 */
#ifndef PC_UTIL_VEC_H
#define PC_UTIL_VEC_H

#include <stddef.h>

typedef struct pc_vec {
	void **items;
	size_t len;
	size_t cap;
} pc_vec;

#define PC_VEC_INIT { NULL, 0, 0 }

typedef void (*pc_free_fn)(void *);

void pc_vec_init(pc_vec *v);
void pc_vec_push(pc_vec *v, void *item);
void *pc_vec_pop(pc_vec *v);                     /* NULL when empty */
void *pc_vec_get(const pc_vec *v, size_t i);     /* NULL when out of range */
void pc_vec_remove(pc_vec *v, size_t i);         /* keeps order */
void pc_vec_sort(pc_vec *v, int (*cmp)(const void *a, const void *b)); /* cmp gets the elements */
/* Free each element with free_fn (may be NULL) and release the array. */
void pc_vec_dispose(pc_vec *v, pc_free_fn free_fn);
/* Index of the first string equal to s in a vector of char *, or -1. */
long pc_vec_find_str(const pc_vec *v, const char *s);
/* Push a copy of s unless an equal string is there; returns 1 when added. */
int pc_vec_add_str_unique(pc_vec *v, const char *s);
/* Sort a vector of char * with strcmp. */
void pc_vec_sort_str(pc_vec *v);

#endif
