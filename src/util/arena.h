/*
 * arena.h - many small allocations that live and die together (after git's
 * mem-pool): carved from large blocks, freed all at once.
 *
 * The actual-state snapshot holds tens of thousands of statements, each with
 * a dozen short strings: one malloc each would cost a chunk header and a
 * rounding apiece and scatter them among the freed trees of the parsed pages
 * (docs/performance.md, "Memory of a no-op plan"). An arena costs nothing
 * per allocation, and pc_arena_intern() stores a string that repeats (a
 * phase, a pool id, a property) once.
 *
 * Not thread-safe: one arena is filled by one thread at a time.
 */
#ifndef PC_UTIL_ARENA_H
#define PC_UTIL_ARENA_H

#include "map.h"

#include <stddef.h>

typedef struct pc_arena_block pc_arena_block;

typedef struct pc_arena {
	pc_arena_block *blocks; /* newest first; allocations come from the newest */
	size_t used;            /* bytes handed out, for tests and the benchmark */
	size_t reserved;        /* bytes of every block */
	pc_map interned;        /* string -> its one copy in the arena */
} pc_arena;

#define PC_ARENA_INIT { NULL, 0, 0, PC_MAP_INIT }

void pc_arena_init(pc_arena *a);
/* Free every block and every allocation made from them; a is empty again. */
void pc_arena_dispose(pc_arena *a);

/* n zeroed bytes aligned for any type, valid until the arena is disposed (never NULL). */
void *pc_arena_alloc(pc_arena *a, size_t n) __attribute__((warn_unused_result));
/* A copy of s in the arena; NULL in, NULL out. */
char *pc_arena_strdup(pc_arena *a, const char *s);
char *pc_arena_strndup(pc_arena *a, const char *s, size_t n);
/*
 * The arena's one copy of s (made on first use): equal strings give the
 * same pointer. For values that repeat across many objects; a unique value
 * costs a map entry more than pc_arena_strdup(). NULL in, NULL out.
 */
const char *pc_arena_intern(pc_arena *a, const char *s);

#endif
