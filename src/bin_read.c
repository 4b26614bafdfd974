/*
 * bin_read: LEB128 and fixed-width decoding as the WebAssembly binary
 * format defines it (core spec 5.2.2 "Integers"): an encoding may use at
 * most ceil(N/7) bytes, and the unused bits of its last byte must be zero
 * (unsigned) or copies of the sign bit (signed).
 */
#include "bin_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
bin_reader_init(struct bin_reader *r, const uint8_t *data, size_t len,
		const char *input, struct diag *d)
{
	r->p = data;
	r->end = data + len;
	r->base = data;
	r->input = input;
	r->diag = d;
}

static enum meld_status
bin_vfail(struct bin_reader *r, enum meld_status st, size_t offset,
	  const char *fmt, va_list ap)
{
	char msg[400];
	vsnprintf(msg, sizeof msg, fmt, ap);
	return diag_fail(r->diag, st, r->input, offset, "%s", msg);
}

enum meld_status
bin_malformed(struct bin_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum meld_status st =
		bin_vfail(r, MELD_EMALFORMED, bin_offset(r), fmt, ap);
	va_end(ap);
	return st;
}

enum meld_status
bin_fail_at(struct bin_reader *r, enum meld_status st, size_t offset,
	    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	st = bin_vfail(r, st, offset, fmt, ap);
	va_end(ap);
	return st;
}

/*
 * Decode an LEB128 of at most `bits` significant bits.  The value is
 * returned zero- or sign-extended to 64 bits.
 */
static enum meld_status
bin_read_leb(struct bin_reader *r, unsigned bits, bool is_signed,
	     uint64_t *out, const char *what)
{
	unsigned max_bytes = (bits + 6) / 7;
	uint64_t value = 0;
	unsigned shift = 0;
	const uint8_t *p = r->p;
	for (unsigned i = 0;; i++) {
		if (p == r->end)
			return bin_malformed(r, "%s: unexpected end (LEB128)",
					     what);
		uint8_t byte = *p++;
		if (i + 1 == max_bytes) {
			/* last permitted byte: check unused bits */
			unsigned used = bits - 7 * i; /* value bits here */
			unsigned keep = used - (is_signed ? 1u : 0u);
			unsigned rest = (unsigned)(byte & 0x7f) >> keep;
			unsigned all = 0x7fu >> keep;
			if (byte & 0x80)
				return bin_malformed(r, "%s: integer representation too long", what);
			if (!is_signed && rest != 0)
				return bin_malformed(r, "%s: integer too large", what);
			if (is_signed && rest != 0 && rest != all)
				return bin_malformed(r, "%s: integer too large", what);
		}
		value |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
		if (!(byte & 0x80)) {
			if (is_signed && shift < 64 && (byte & 0x40))
				value |= ~(uint64_t)0 << shift;
			break;
		}
	}
	r->p = p;
	*out = value;
	return MELD_OK;
}

enum meld_status
bin_read_u8(struct bin_reader *r, uint8_t *out, const char *what)
{
	if (r->p == r->end)
		return bin_malformed(r, "%s: unexpected end", what);
	*out = *r->p++;
	return MELD_OK;
}

enum meld_status
bin_read_bool(struct bin_reader *r, bool *out, const char *what,
	      const char *kind)
{
	if (r->p == r->end)
		return bin_malformed(r, "%s: unexpected end", what);
	if (*r->p > 1)
		return bin_malformed(r, "%s: %s 0x%02x", what, kind, *r->p);
	*out = *r->p++ == 1;
	return MELD_OK;
}

enum meld_status
bin_read_u32(struct bin_reader *r, uint32_t *out, const char *what)
{
	uint64_t v;
	enum meld_status st = bin_read_leb(r, 32, false, &v, what);
	if (st == MELD_OK)
		*out = (uint32_t)v;
	return st;
}

enum meld_status
bin_read_u64(struct bin_reader *r, uint64_t *out, const char *what)
{
	return bin_read_leb(r, 64, false, out, what);
}

enum meld_status
bin_read_s32(struct bin_reader *r, int32_t *out, const char *what)
{
	uint64_t v;
	enum meld_status st = bin_read_leb(r, 32, true, &v, what);
	if (st == MELD_OK)
		*out = (int32_t)(uint32_t)v;
	return st;
}

enum meld_status
bin_read_s33(struct bin_reader *r, int64_t *out, const char *what)
{
	uint64_t v;
	enum meld_status st = bin_read_leb(r, 33, true, &v, what);
	if (st == MELD_OK)
		*out = (int64_t)v;
	return st;
}

enum meld_status
bin_read_s64(struct bin_reader *r, int64_t *out, const char *what)
{
	uint64_t v;
	enum meld_status st = bin_read_leb(r, 64, true, &v, what);
	if (st == MELD_OK)
		*out = (int64_t)v;
	return st;
}

enum meld_status
bin_read_fixed32(struct bin_reader *r, uint32_t *out, const char *what)
{
	if (bin_left(r) < 4)
		return bin_malformed(r, "%s: unexpected end", what);
	*out = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 |
	       (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return MELD_OK;
}

enum meld_status
bin_read_fixed64(struct bin_reader *r, uint64_t *out, const char *what)
{
	if (bin_left(r) < 8)
		return bin_malformed(r, "%s: unexpected end", what);
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	*out = v;
	return MELD_OK;
}

enum meld_status
bin_read_bytes(struct bin_reader *r, size_t n, const uint8_t **out,
	       const char *what)
{
	if (bin_left(r) < n)
		return bin_malformed(r, "%s: %zu bytes needed, only %zu left",
				     what, n, bin_left(r));
	*out = r->p;
	r->p += n;
	return MELD_OK;
}

enum meld_status
bin_read_blob(struct bin_reader *r, struct bin_name *out, const char *what)
{
	const uint8_t *start = r->p;
	uint32_t len;
	enum meld_status st = bin_read_u32(r, &len, what);
	if (st != MELD_OK)
		return st;
	if (bin_left(r) < len) {
		st = bin_malformed(r, "%s: length %u, only %zu bytes left",
				   what, len, bin_left(r));
		r->p = start;
		return st;
	}
	out->p = r->p;
	out->len = len;
	r->p += len;
	return MELD_OK;
}

enum meld_status
bin_read_name(struct bin_reader *r, struct bin_name *out, const char *what)
{
	const uint8_t *start = r->p;
	enum meld_status st = bin_read_blob(r, out, what);
	if (st != MELD_OK)
		return st;
	if (!bin_utf8_valid(out->p, out->len)) {
		r->p = start;
		return bin_malformed(r, "%s: malformed UTF-8 encoding", what);
	}
	return MELD_OK;
}

enum meld_status
bin_read_count(struct bin_reader *r, uint32_t *out, size_t min_elem_size,
	       const char *what)
{
	const uint8_t *start = r->p;
	uint32_t n;
	enum meld_status st = bin_read_u32(r, &n, what);
	if (st != MELD_OK)
		return st;
	size_t left = bin_left(r);
	if (min_elem_size && (uint64_t)n * min_elem_size > left) {
		r->p = start;
		return bin_malformed(r, "%s: count %u, only %zu bytes left",
				     what, n, left);
	}
	*out = n;
	return MELD_OK;
}

enum meld_status
bin_read_sub(struct bin_reader *r, size_t n, struct bin_reader *sub,
	     const char *what)
{
	if (bin_left(r) < n)
		return bin_malformed(r, "%s: size %zu, only %zu bytes left",
				     what, n, bin_left(r));
	*sub = *r;
	sub->end = r->p + n;
	r->p += n;
	return MELD_OK;
}

enum meld_status
bin_expect_end(struct bin_reader *r, const char *what)
{
	if (!bin_at_end(r))
		return bin_malformed(r, "%s: %zu unexpected bytes at end",
				     what, bin_left(r));
	return MELD_OK;
}

bool
bin_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min_cp[len] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

bool
bin_name_eq(struct bin_name a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && memcmp(a.p, s, n) == 0;
}
