/*
 * arena: bump allocation in large blocks, freed together.  Sessions allocate
 * their whole IR here, so an early return on error leaks nothing.  All heap
 * traffic goes through mem_malloc/mem_realloc, which carry the
 * fail-the-N-th-allocation hook used by the out-of-memory tests.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK_MIN ((size_t)64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	/* payload follows, aligned */
};

static size_t mem_fail_countdown;

void
mem_fail_after(size_t n)
{
	mem_fail_countdown = n;
}

static bool
mem_should_fail(void)
{
	if (mem_fail_countdown == 0)
		return false;
	return --mem_fail_countdown == 0;
}

void *
mem_malloc(size_t size)
{
	if (mem_should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *
mem_realloc(void *p, size_t size)
{
	if (mem_should_fail())
		return NULL;
	return realloc(p, size ? size : 1);
}

bool
size_mul(size_t a, size_t b, size_t *out)
{
	if (b != 0 && a > SIZE_MAX / b)
		return false;
	*out = a * b;
	return true;
}

bool
size_add(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return false;
	*out = a + b;
	return true;
}

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->used_total = 0;
}

void
arena_clear(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

static size_t
header_size(void)
{
	return (sizeof(struct arena_block) + ARENA_ALIGN - 1) &
	       ~(size_t)(ARENA_ALIGN - 1);
}

static struct arena_block *
arena_new_block(struct arena *a, size_t need)
{
	size_t size = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
	size_t total;
	if (!size_add(size, header_size(), &total))
		return NULL;
	struct arena_block *b = mem_malloc(total);
	if (!b)
		return NULL;
	b->size = size;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	return b;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	size_t rounded;
	if (!size_add(size, ARENA_ALIGN - 1, &rounded))
		return NULL;
	rounded &= ~(size_t)(ARENA_ALIGN - 1);
	if (rounded == 0)
		rounded = ARENA_ALIGN;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < rounded) {
		b = arena_new_block(a, rounded);
		if (!b)
			return NULL;
	}
	uint8_t *p = (uint8_t *)b + header_size() + b->used;
	b->used += rounded;
	a->used_total += rounded;
	memset(p, 0, rounded);
	return p;
}

void *
arena_alloc_array(struct arena *a, size_t n, size_t size)
{
	size_t total;
	if (!size_mul(n, size, &total))
		return NULL;
	return arena_alloc(a, total);
}

void *
arena_dup(struct arena *a, const void *p, size_t size)
{
	void *q = arena_alloc(a, size);
	if (q && size)
		memcpy(q, p, size);
	return q;
}

void *
arena_push(struct arena *a, void **items, size_t *len, size_t *cap,
	   size_t elem)
{
	if (*len == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *n = arena_alloc_array(a, ncap, elem);
		if (!n)
			return NULL;
		if (*len)
			memcpy(n, *items, *len * elem);
		*items = n;
		*cap = ncap;
	}
	uint8_t *slot = (uint8_t *)*items + *len * elem;
	(*len)++;
	memset(slot, 0, elem);
	return slot;
}
