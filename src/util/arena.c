#include "arena.h"

#include "alloc.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* 64 KiB blocks: a few hundred statements each; larger requests get a block of their own. */
#define BLOCK_SIZE (64 * 1024)
#define ALIGN (alignof(max_align_t))

struct pc_arena_block {
	pc_arena_block *next;
	size_t size; /* bytes of data[] */
	size_t at;   /* bytes of data[] handed out */
	alignas(max_align_t) unsigned char data[];
};

void pc_arena_init(pc_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void pc_arena_dispose(pc_arena *a)
{
	pc_arena_block *b, *next;
	if (!a)
		return;
	for (b = a->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	pc_map_dispose(&a->interned, NULL);
	memset(a, 0, sizeof(*a));
}

static pc_arena_block *block_new(pc_arena *a, size_t size)
{
	pc_arena_block *b = pc_malloc(pc_st_add(sizeof(pc_arena_block), size));
	b->size = size;
	b->at = 0;
	a->reserved += size;
	return b;
}

/* n bytes at a multiple of align (a power of two, at most ALIGN), not zeroed. */
static void *take(pc_arena *a, size_t n, size_t align)
{
	pc_arena_block *b = a->blocks;
	size_t at;
	void *p;

	if (n > BLOCK_SIZE / 4) {
		/* its own block, kept behind the current one so that its free space is not lost */
		pc_arena_block *big = block_new(a, n);
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			big->next = NULL;
			a->blocks = big;
		}
		big->at = n;
		a->used += n;
		return big->data;
	}
	at = b ? (b->at + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->size || b->size - at < n) {
		b = block_new(a, BLOCK_SIZE);
		b->next = a->blocks;
		a->blocks = b;
		at = 0;
	}
	p = b->data + at;
	a->used += at + n - b->at;
	b->at = at + n;
	return p;
}

void *pc_arena_alloc(pc_arena *a, size_t n)
{
	void *p = take(a, n ? n : 1, ALIGN);
	memset(p, 0, n ? n : 1);
	return p;
}

char *pc_arena_strndup(pc_arena *a, const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = take(a, pc_st_add(n, 1), 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *pc_arena_strdup(pc_arena *a, const char *s)
{
	return s ? pc_arena_strndup(a, s, strlen(s)) : NULL;
}

const char *pc_arena_intern(pc_arena *a, const char *s)
{
	char *p;
	if (!s)
		return NULL;
	if ((p = pc_map_get(&a->interned, s)) != NULL)
		return p;
	p = pc_arena_strdup(a, s);
	pc_map_put(&a->interned, s, p);
	return p;
}
