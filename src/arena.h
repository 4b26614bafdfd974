/* arena: one bump allocator per session; everything is freed at once. */
#ifndef ARENA_H
#define ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used_total; /* bytes handed out, for --stats */
};

void arena_init(struct arena *a);
void arena_clear(struct arena *a);

/* Zeroed, 16-byte aligned; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* n elements of `size` bytes, overflow-checked; NULL on overflow or OOM. */
void *arena_alloc_array(struct arena *a, size_t n, size_t size);
/* A copy of p[0..size); NULL on OOM. */
void *arena_dup(struct arena *a, const void *p, size_t size);

/*
 * Grow a vector of `elem` sized items kept in the arena: returns a pointer
 * to a fresh zeroed slot at index *len (then increments *len), or NULL on
 * OOM.  Old storage is abandoned to the arena (amortised doubling).
 */
void *arena_push(struct arena *a, void **items, size_t *len, size_t *cap,
		 size_t elem);

/* Overflow-checked size arithmetic: false when the result would wrap. */
bool size_mul(size_t a, size_t b, size_t *out);
bool size_add(size_t a, size_t b, size_t *out);

/*
 * Test hook: when non-zero, the N-th allocation from now on (arena blocks
 * and writer buffers alike) fails, so out-of-memory paths can be tested.
 */
void mem_fail_after(size_t n);
void *mem_malloc(size_t size);
void *mem_realloc(void *p, size_t size);

#endif
