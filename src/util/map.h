/*
 * map.h - string-keyed hash map (open addressing, linear probing).
 *
 * Keys are copied and owned by the map; values are not owned unless a free
 * function is given to pc_map_dispose(). Iteration order is unspecified:
 * sort before printing.
 */
#ifndef PC_UTIL_MAP_H
#define PC_UTIL_MAP_H

#include "vec.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pc_map_slot {
	char *key; /* NULL = empty; PC_MAP_TOMB = deleted */
	void *value;
	uint64_t hash;
} pc_map_slot;

typedef struct pc_map {
	pc_map_slot *slots;
	size_t cap;   /* power of two or 0 */
	size_t len;   /* live keys */
	size_t used;  /* live + tombstones */
} pc_map;

#define PC_MAP_INIT { NULL, 0, 0, 0 }

void pc_map_init(pc_map *m);
void pc_map_dispose(pc_map *m, pc_free_fn free_value);
void *pc_map_get(const pc_map *m, const char *key);           /* NULL when absent */
int pc_map_has(const pc_map *m, const char *key);
/* Insert or replace; returns the previous value (or NULL). */
void *pc_map_put(pc_map *m, const char *key, void *value);
/* Remove; returns the removed value (or NULL). */
void *pc_map_del(pc_map *m, const char *key);
/* Iterate: `size_t it = 0; const char *k; void *v; while (pc_map_next(m, &it, &k, &v)) …` */
int pc_map_next(const pc_map *m, size_t *it, const char **key, void **value);
/* All keys, sorted (strings owned by the map). */
void pc_map_keys_sorted(const pc_map *m, pc_vec *out);

uint64_t pc_hash_str(const char *s);

#endif
