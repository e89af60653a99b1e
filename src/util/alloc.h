/*
 * alloc.h - allocation that never returns NULL (as git's xmalloc): on
 * exhaustion the process prints one line and exits 1. Sizes are
 * overflow-checked.
 */
#ifndef PC_UTIL_ALLOC_H
#define PC_UTIL_ALLOC_H

#include <stddef.h>

/* The result is the caller's to free: dropping it is a leak, so the compiler refuses it. */
void *pc_malloc(size_t n) __attribute__((warn_unused_result));
void *pc_calloc(size_t count, size_t size) __attribute__((warn_unused_result));
void *pc_realloc(void *p, size_t n) __attribute__((warn_unused_result));
char *pc_strdup(const char *s) __attribute__((warn_unused_result));             /* NULL in, NULL out */
char *pc_strndup(const char *s, size_t n) __attribute__((warn_unused_result));
char *pc_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), warn_unused_result));
size_t pc_st_add(size_t a, size_t b);       /* dies on overflow */
size_t pc_st_mult(size_t a, size_t b);

#define PC_NEW(T) ((T *)pc_calloc(1, sizeof(T)))

#endif
