#include "kv.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

void pc_kv_free(void *p)
{
	pc_kv *kv = p;
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	free(kv);
}

void pc_kv_dispose(pc_kvlist *l)
{
	pc_vec_dispose(l, pc_kv_free);
}

static pc_kv *find(const pc_kvlist *l, const char *key, size_t *idx)
{
	for (size_t i = 0; i < l->len; i++) {
		pc_kv *kv = l->items[i];
		if (strcmp(kv->key, key) == 0) {
			if (idx)
				*idx = i;
			return kv;
		}
	}
	return NULL;
}

const char *pc_kv_get(const pc_kvlist *l, const char *key)
{
	pc_kv *kv = find(l, key, NULL);
	return kv ? kv->value : NULL;
}

void pc_kv_set(pc_kvlist *l, const char *key, const char *value)
{
	pc_kv *kv = find(l, key, NULL);
	if (kv) {
		free(kv->value);
		kv->value = pc_strdup(value);
		return;
	}
	kv = PC_NEW(pc_kv);
	kv->key = pc_strdup(key);
	kv->value = pc_strdup(value);
	pc_vec_push(l, kv);
}

int pc_kv_del(pc_kvlist *l, const char *key)
{
	size_t i;
	pc_kv *kv = find(l, key, &i);
	if (!kv)
		return 0;
	pc_vec_remove(l, i);
	pc_kv_free(kv);
	return 1;
}

void pc_kv_copy(pc_kvlist *dst, const pc_kvlist *src)
{
	for (size_t i = 0; i < src->len; i++) {
		pc_kv *kv = src->items[i];
		pc_kv_set(dst, kv->key, kv->value);
	}
}

int pc_kv_equal(const pc_kvlist *a, const pc_kvlist *b)
{
	if (a->len != b->len)
		return 0;
	for (size_t i = 0; i < a->len; i++) {
		pc_kv *kv = a->items[i];
		const char *o = pc_kv_get(b, kv->key);
		if (!o || strcmp(o, kv->value) != 0)
			return 0;
	}
	return 1;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const pc_kv *)a)->key, ((const pc_kv *)b)->key);
}

void pc_kv_sort(pc_kvlist *l)
{
	pc_vec_sort(l, cmp_kv);
}
