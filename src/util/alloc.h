/*
 * alloc.h - allocation that never returns NULL (as git's xmalloc): on
 * exhaustion the process prints one line and exits 1. Sizes are
 * overflow-checked.
 */
#ifndef PC_UTIL_ALLOC_H
#define PC_UTIL_ALLOC_H

#include <stddef.h>

void *pc_malloc(size_t n);
void *pc_calloc(size_t count, size_t size);
void *pc_realloc(void *p, size_t n);
char *pc_strdup(const char *s);             /* NULL in, NULL out */
char *pc_strndup(const char *s, size_t n);
char *pc_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t pc_st_add(size_t a, size_t b);       /* dies on overflow */
size_t pc_st_mult(size_t a, size_t b);

#define PC_NEW(T) ((T *)pc_calloc(1, sizeof(T)))

#endif
