/*
 * bin_write: encoding side of the binary format (LEB128, fixed-width,
 * names).  Sizes are written into a 5-byte reservation and the content is
 * moved down when the final size needs fewer bytes, so output is always
 * minimal unless the caller asks to keep an input's padded width.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "bin_write.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define SIZE_RESERVE 5

void
bin_writer_init(struct bin_writer *w)
{
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	w->err = MELD_OK;
}

void
bin_writer_clear(struct bin_writer *w)
{
	free(w->buf);
	bin_writer_init(w);
}

uint8_t *
bin_writer_take(struct bin_writer *w, size_t *len)
{
	uint8_t *b = w->buf;
	*len = w->len;
	bin_writer_init(w);
	return b;
}

/*
 * A large output buffer is backed by huge pages where the system allows
 * (transparent huge pages in `madvise` mode): a page fault per 2 MiB
 * instead of per 4 KiB, which on a virtual machine was a third of the
 * time of writing a 10 MB module.  Only the aligned interior is advised.
 */
static void
advise_huge(uint8_t *buf, size_t cap)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t start = ((uintptr_t)buf + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)buf + cap) & ~(huge - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)buf;
	(void)cap;
#endif
}

uint8_t *
bin_write_grow(struct bin_writer *w, size_t n)
{
	if (w->err != MELD_OK)
		return NULL;
	if (w->cap - w->len < n) {
		size_t need;
		if (!size_add(w->len, n, &need)) {
			w->err = MELD_ENOMEM;
			return NULL;
		}
		size_t ncap = w->cap ? w->cap : 256;
		while (ncap < need) {
			if (!size_mul(ncap, 2, &ncap)) {
				w->err = MELD_ENOMEM;
				return NULL;
			}
		}
		uint8_t *nb = mem_realloc(w->buf, ncap);
		if (!nb) {
			w->err = MELD_ENOMEM;
			return NULL;
		}
		w->buf = nb;
		w->cap = ncap;
		if (ncap >= (size_t)4 << 20)
			advise_huge(nb, ncap);
	}
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

void
bin_write_u64(struct bin_writer *w, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		if (v)
			b |= 0x80;
		tmp[n++] = b;
	} while (v);
	bin_write_bytes(w, tmp, n);
}

void
bin_write_s64(struct bin_writer *w, int64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	for (;;) {
		uint8_t b = (uint8_t)((uint64_t)v & 0x7f);
		/* arithmetic shift, spelled portably */
		v = v < 0 ? ~(~v >> 7) : v >> 7;
		bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
		if (!done)
			b |= 0x80;
		tmp[n++] = b;
		if (done)
			break;
	}
	bin_write_bytes(w, tmp, n);
}

void
bin_write_s32(struct bin_writer *w, int32_t v)
{
	bin_write_s64(w, v);
}

void
bin_write_fixed32(struct bin_writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	bin_write_bytes(w, b, 4);
}

void
bin_write_fixed64(struct bin_writer *w, uint64_t v)
{
	uint8_t b[8];
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	bin_write_bytes(w, b, 8);
}

unsigned
bin_u32_size(uint32_t v)
{
	unsigned n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void
bin_write_u32_padded(struct bin_writer *w, uint32_t v, unsigned width)
{
	if (width < bin_u32_size(v) || width > 5)
		width = bin_u32_size(v);
	uint8_t *p = bin_write_space(w, width);
	if (p)
		bin_encode_u32_padded(p, v, width);
}

void
bin_write_name(struct bin_writer *w, const uint8_t *p, size_t n)
{
	if (n > UINT32_MAX) {
		w->err = MELD_ENOMEM;
		return;
	}
	bin_write_u32(w, (uint32_t)n);
	bin_write_bytes(w, p, n);
}

size_t
bin_write_reserve_size(struct bin_writer *w)
{
	size_t mark = w->len;
	bin_write_space(w, SIZE_RESERVE);
	return mark;
}

void
bin_write_patch_size(struct bin_writer *w, size_t mark, unsigned width)
{
	if (w->err != MELD_OK)
		return;
	size_t content = w->len - mark - SIZE_RESERVE;
	if (content > UINT32_MAX) {
		w->err = MELD_ENOMEM;
		return;
	}
	uint32_t size = (uint32_t)content;
	unsigned need = bin_u32_size(size);
	if (width < need || width > SIZE_RESERVE)
		width = need;
	uint8_t *at = w->buf + mark;
	if (width != SIZE_RESERVE)
		memmove(at + width, at + SIZE_RESERVE, content);
	bin_encode_u32_padded(at, size, width);
	w->len -= SIZE_RESERVE - width;
}
