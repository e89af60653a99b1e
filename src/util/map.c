#include "map.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

static char tomb_key;
#define TOMB (&tomb_key)

uint64_t pc_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

void pc_map_init(pc_map *m)
{
	memset(m, 0, sizeof(*m));
}

void pc_map_dispose(pc_map *m, pc_free_fn free_value)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		pc_map_slot *s = &m->slots[i];
		if (s->key && s->key != TOMB) {
			if (free_value)
				free_value(s->value);
			free(s->key);
		}
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static pc_map_slot *find(const pc_map *m, const char *key, uint64_t h)
{
	size_t mask, i;
	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		pc_map_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != TOMB && s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
}

static void rehash(pc_map *m, size_t ncap)
{
	pc_map_slot *old = m->slots;
	size_t ocap = m->cap;
	m->slots = pc_calloc(ncap, sizeof(pc_map_slot));
	m->cap = ncap;
	m->used = m->len;
	for (size_t i = 0; i < ocap; i++) {
		pc_map_slot *s = &old[i];
		if (s->key && s->key != TOMB) {
			size_t j = s->hash & (ncap - 1);
			while (m->slots[j].key)
				j = (j + 1) & (ncap - 1);
			m->slots[j] = *s;
		}
	}
	free(old);
}

void *pc_map_get(const pc_map *m, const char *key)
{
	pc_map_slot *s = find(m, key, pc_hash_str(key));
	return s ? s->value : NULL;
}

int pc_map_has(const pc_map *m, const char *key)
{
	return find(m, key, pc_hash_str(key)) != NULL;
}

void *pc_map_put(pc_map *m, const char *key, void *value)
{
	uint64_t h = pc_hash_str(key);
	pc_map_slot *s = find(m, key, h);
	size_t i, mask;

	if (s) {
		void *old = s->value;
		s->value = value;
		return old;
	}
	if ((m->used + 1) * 4 >= m->cap * 3)
		rehash(m, m->cap ? (m->len * 2 + 2 > m->cap ? m->cap * 2 : m->cap) : 16);
	mask = m->cap - 1;
	for (i = h & mask; m->slots[i].key && m->slots[i].key != TOMB; i = (i + 1) & mask)
		;
	if (!m->slots[i].key)
		m->used++;
	m->slots[i].key = pc_strdup(key);
	m->slots[i].value = value;
	m->slots[i].hash = h;
	m->len++;
	return NULL;
}

void *pc_map_del(pc_map *m, const char *key)
{
	pc_map_slot *s = find(m, key, pc_hash_str(key));
	void *v;
	if (!s)
		return NULL;
	v = s->value;
	free(s->key);
	s->key = TOMB;
	s->value = NULL;
	m->len--;
	return v;
}

int pc_map_next(const pc_map *m, size_t *it, const char **key, void **value)
{
	while (*it < m->cap) {
		pc_map_slot *s = &m->slots[(*it)++];
		if (s->key && s->key != TOMB) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			return 1;
		}
	}
	return 0;
}

void pc_map_keys_sorted(const pc_map *m, pc_vec *out)
{
	size_t it = 0;
	const char *k;
	while (pc_map_next(m, &it, &k, NULL))
		pc_vec_push(out, (void *)k);
	pc_vec_sort_str(out);
}
