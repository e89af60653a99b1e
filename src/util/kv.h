/*
 * kv.h - small ordered string->string lists (statement properties, labels,
 * table.yaml properties). Insertion order is kept; keys are unique.
 */
#ifndef PC_UTIL_KV_H
#define PC_UTIL_KV_H

#include "vec.h"

/* One allocation holding key and value: read them, never free or reassign them (pc_kv_set does). */
typedef struct pc_kv {
	char *key;
	char *value;
} pc_kv;

/* A pc_vec of pc_kv *, owned. */
typedef pc_vec pc_kvlist;

const char *pc_kv_get(const pc_kvlist *l, const char *key);  /* NULL when absent */
void pc_kv_set(pc_kvlist *l, const char *key, const char *value); /* copies both */
int pc_kv_del(pc_kvlist *l, const char *key);                /* 1 when removed */
void pc_kv_copy(pc_kvlist *dst, const pc_kvlist *src);       /* appends/overwrites */
int pc_kv_equal(const pc_kvlist *a, const pc_kvlist *b);     /* order-insensitive */
void pc_kv_sort(pc_kvlist *l);                               /* by key */
void pc_kv_free(void *kv);
void pc_kv_dispose(pc_kvlist *l);

#endif
