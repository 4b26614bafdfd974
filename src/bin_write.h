/*
 * bin_write: a growable output buffer with a sticky error.  Writes after a
 * failure are ignored; the error is checked once at the end.  Section and
 * body sizes are reserved, then patched when the content is known.
 */
#ifndef BIN_WRITE_H
#define BIN_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "meld.h"

struct bin_writer {
	uint8_t *buf; /* heap (mem_realloc), owned by the writer */
	size_t len;
	size_t cap;
	enum meld_status err;
};

void bin_writer_init(struct bin_writer *w);
void bin_writer_clear(struct bin_writer *w);
/* Hand the buffer over to the caller (free() it); the writer is reset. */
uint8_t *bin_writer_take(struct bin_writer *w, size_t *len);
/*
 * Make room for n more bytes; returns a pointer to them or NULL.  The
 * common case (room left, no error) is inline: the rewriter calls these
 * once per changed immediate, and an out-of-line call there cost as much
 * as the rewriting itself.  bin_write_grow is the rest.
 */
uint8_t *bin_write_grow(struct bin_writer *w, size_t n);

static inline uint8_t *
bin_write_space(struct bin_writer *w, size_t n)
{
	if (w->err != MELD_OK || w->cap - w->len < n)
		return bin_write_grow(w, n);
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

/* The minimal unsigned LEB128 of v into out (5 bytes); returns its length. */
static inline unsigned
bin_encode_u32(uint8_t *out, uint32_t v)
{
	unsigned n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

/* v as an unsigned LEB128 of exactly `width` bytes (v must fit in it). */
static inline void
bin_encode_u32_padded(uint8_t *out, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i + 1 < width; i++) {
		out[i] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[width - 1] = (uint8_t)(v & 0x7f);
}

static inline void
bin_write_u8(struct bin_writer *w, uint8_t v)
{
	uint8_t *p = bin_write_space(w, 1);
	if (p)
		*p = v;
}

static inline void
bin_write_bytes(struct bin_writer *w, const void *src, size_t n)
{
	uint8_t *p = n ? bin_write_space(w, n) : NULL;
	if (p)
		memcpy(p, src, n);
}

static inline void
bin_write_u32(struct bin_writer *w, uint32_t v)
{
	uint8_t *p = bin_write_space(w, 5);
	if (p)
		w->len -= 5 - bin_encode_u32(p, v);
}

void bin_write_u64(struct bin_writer *w, uint64_t v);
void bin_write_s32(struct bin_writer *w, int32_t v);
void bin_write_s64(struct bin_writer *w, int64_t v);
void bin_write_fixed32(struct bin_writer *w, uint32_t v);
void bin_write_fixed64(struct bin_writer *w, uint64_t v);
/* An unsigned LEB128 padded to exactly `width` bytes (1..5). */
void bin_write_u32_padded(struct bin_writer *w, uint32_t v, unsigned width);
/* Length-prefixed bytes (names, blobs). */
void bin_write_name(struct bin_writer *w, const uint8_t *p, size_t n);

/* Bytes the minimal unsigned LEB128 of v takes. */
unsigned bin_u32_size(uint32_t v);

/*
 * Reserve room for a u32 size; returns a mark for bin_write_patch_size.
 * `width` is the encoded width to use when the final size fits in it (so a
 * padded size in the input is kept as it was), or 0 for minimal.
 */
size_t bin_write_reserve_size(struct bin_writer *w);
void bin_write_patch_size(struct bin_writer *w, size_t mark, unsigned width);

#endif
