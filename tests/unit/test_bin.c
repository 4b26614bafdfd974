/* Unit tests: LEB128 decoding/encoding, the reader cursor, the writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bin_read.h"
#include "bin_write.h"
#include "harness.h"

struct leb_case {
	const char *name;
	uint8_t bytes[12];
	size_t len;
	int ok;
	uint64_t value;
};

static enum meld_status
read_as(int kind, struct bin_reader *r, uint64_t *v)
{
	enum meld_status st;
	uint32_t u32;
	int32_t s32;
	int64_t s64;
	switch (kind) {
	case 0:
		st = bin_read_u32(r, &u32, "u32");
		*v = u32;
		return st;
	case 1:
		st = bin_read_s32(r, &s32, "s32");
		*v = (uint64_t)(int64_t)s32;
		return st;
	case 2:
		return bin_read_u64(r, v, "u64");
	case 3:
		st = bin_read_s64(r, &s64, "s64");
		*v = (uint64_t)s64;
		return st;
	default:
		st = bin_read_s33(r, &s64, "s33");
		*v = (uint64_t)s64;
		return st;
	}
}

static void
check_leb(int kind, const uint8_t *bytes, size_t len, int ok, uint64_t want)
{
	struct diag d;
	struct bin_reader r;
	uint64_t v = 0;
	diag_init(&d);
	bin_reader_init(&r, bytes, len, "t.wasm", &d);
	enum meld_status st = read_as(kind, &r, &v);
	CHECK((st == MELD_OK) == (ok != 0));
	if (ok) {
		CHECK(v == want);
		CHECK(bin_at_end(&r));
	} else {
		/* a failed read leaves the cursor where it was */
		CHECK(bin_offset(&r) == 0);
		CHECK(d.status == MELD_EMALFORMED);
		CHECK(strstr(diag_text(&d), "t.wasm:0x0: malformed:") != NULL);
	}
}

void
test_leb(void)
{
	/* u32 */
	check_leb(0, (const uint8_t[]){0x00}, 1, 1, 0);
	check_leb(0, (const uint8_t[]){0xe5, 0x8e, 0x26}, 3, 1, 624485);
	check_leb(0, (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x00}, 5, 1, 0);
	check_leb(0, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5, 1,
		  0xffffffffu);
	check_leb(0, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x1f}, 5, 0, 0);
	check_leb(0, (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6,
		  0, 0);
	check_leb(0, (const uint8_t[]){0x80, 0x80}, 2, 0, 0);
	check_leb(0, (const uint8_t[]){0}, 0, 0, 0);
	/* s32 */
	check_leb(1, (const uint8_t[]){0x7f}, 1, 1, (uint64_t)-1);
	check_leb(1, (const uint8_t[]){0x80, 0x7f}, 2, 1, (uint64_t)-128);
	check_leb(1, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x07}, 5, 1,
		  0x7fffffff);
	check_leb(1, (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x78}, 5, 1,
		  (uint64_t)(int64_t)INT32_MIN);
	check_leb(1, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5, 0, 0);
	check_leb(1, (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x70}, 5, 0, 0);
	check_leb(1, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x7f}, 5, 1,
		  (uint64_t)-1);
	/* u64 */
	check_leb(2,
		  (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0x01},
		  10, 1, UINT64_MAX);
	check_leb(2,
		  (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0x02},
		  10, 0, 0);
	/* s64 */
	check_leb(3,
		  (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
				    0x80, 0x80, 0x7f},
		  10, 1, (uint64_t)INT64_MIN);
	check_leb(3,
		  (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
				    0x80, 0x80, 0x01},
		  10, 0, 0);
	check_leb(3,
		  (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0x00},
		  10, 1, (uint64_t)INT64_MAX);
	/* s33 (block types) */
	check_leb(4, (const uint8_t[]){0x40}, 1, 1, (uint64_t)-64);
	check_leb(4, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5, 1,
		  0xffffffffu);
	check_leb(4, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x1f}, 5, 0, 0);

	/* encoder ↔ decoder on boundary values */
	static const int64_t sv[] = {0, 1, -1, 63, 64, -64, -65, 8191, -8192,
				     INT32_MAX, INT32_MIN, INT64_MAX,
				     INT64_MIN};
	for (size_t i = 0; i < sizeof sv / sizeof sv[0]; i++) {
		struct bin_writer w;
		bin_writer_init(&w);
		bin_write_s64(&w, sv[i]);
		check_leb(3, w.buf, w.len, 1, (uint64_t)sv[i]);
		bin_writer_clear(&w);
	}
	static const uint32_t uv[] = {0, 127, 128, 16383, 16384, UINT32_MAX};
	for (size_t i = 0; i < sizeof uv / sizeof uv[0]; i++) {
		struct bin_writer w;
		bin_writer_init(&w);
		bin_write_u32(&w, uv[i]);
		CHECK(w.len == bin_u32_size(uv[i]));
		check_leb(0, w.buf, w.len, 1, uv[i]);
		bin_writer_clear(&w);
	}
}

void
test_reader(void)
{
	struct diag d;
	struct bin_reader r, sub;
	diag_init(&d);
	/* a count that promises more elements than bytes left is refused */
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2};
	bin_reader_init(&r, huge, sizeof huge, "c.wasm", &d);
	uint32_t n;
	CHECK(bin_read_count(&r, &n, 1, "type count") == MELD_EMALFORMED);
	CHECK(bin_offset(&r) == 0);
	CHECK(strstr(diag_text(&d), "type count: count 4294967295, only 2 bytes left") != NULL);

	/* sub-readers keep absolute offsets and stop at their end */
	static const uint8_t data[] = {9, 9, 3, 'a', 'b', 'c', 7};
	diag_init(&d);
	bin_reader_init(&r, data, sizeof data, "s.wasm", &d);
	const uint8_t *skip;
	CHECK(bin_read_bytes(&r, 2, &skip, "skip") == MELD_OK);
	CHECK(bin_read_sub(&r, 4, &sub, "section") == MELD_OK);
	CHECK(bin_offset(&sub) == 2);
	struct bin_name name;
	CHECK(bin_read_name(&sub, &name, "name") == MELD_OK);
	CHECK(bin_name_eq(name, "abc"));
	CHECK(bin_at_end(&sub));
	uint8_t b;
	CHECK(bin_read_u8(&sub, &b, "past end") == MELD_EMALFORMED);
	CHECK(strncmp(diag_text(&d), "s.wasm:0x6: malformed: past end", 31) == 0);
	CHECK(bin_read_u8(&r, &b, "last") == MELD_OK && b == 7);

	/* names must be UTF-8; lengths past the end are refused */
	static const uint8_t bad_utf8[] = {2, 0xc0, 0x80};
	diag_init(&d);
	bin_reader_init(&r, bad_utf8, sizeof bad_utf8, "u.wasm", &d);
	CHECK(bin_read_name(&r, &name, "import name") == MELD_EMALFORMED);
	CHECK(bin_offset(&r) == 0);
	static const uint8_t short_name[] = {5, 'a'};
	diag_init(&d);
	bin_reader_init(&r, short_name, sizeof short_name, "u.wasm", &d);
	CHECK(bin_read_name(&r, &name, "export name") == MELD_EMALFORMED);
	CHECK(bin_offset(&r) == 0);
	CHECK(bin_utf8_valid((const uint8_t *)"\xe2\x82\xac", 3));
	CHECK(!bin_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!bin_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
	CHECK(!bin_utf8_valid((const uint8_t *)"\xe0\x80\x80", 3)); /* overlong */

	/* the first error wins */
	diag_init(&d);
	diag_fail(&d, MELD_EINVALID, "a.wasm", 0x1a2, "first");
	diag_fail(&d, MELD_EMALFORMED, "b.wasm", 3, "second");
	CHECK(strcmp(diag_text(&d), "a.wasm:0x1a2: invalid: first") == 0);
}

void
test_writer(void)
{
	struct bin_writer w;
	bin_writer_init(&w);
	/* a reserved size shrinks to its minimal encoding */
	bin_write_u8(&w, 0xaa);
	size_t mark = bin_write_reserve_size(&w);
	for (int i = 0; i < 200; i++)
		bin_write_u8(&w, (uint8_t)i);
	bin_write_patch_size(&w, mark, 0);
	CHECK(w.err == MELD_OK);
	CHECK(w.len == 1 + 2 + 200);
	CHECK(w.buf[1] == 0xc8 && w.buf[2] == 0x01);
	CHECK(w.buf[3] == 0 && w.buf[202] == 199);
	/* a requested padded width is kept when the size fits */
	size_t mark2 = bin_write_reserve_size(&w);
	bin_write_u8(&w, 1);
	bin_write_patch_size(&w, mark2, 5);
	CHECK(w.len == 203 + 5 + 1);
	CHECK(memcmp(w.buf + 203, "\x81\x80\x80\x80\x00\x01", 6) == 0);
	/* nested reservations patch independently */
	bin_writer_clear(&w);
	size_t outer = bin_write_reserve_size(&w);
	size_t inner = bin_write_reserve_size(&w);
	bin_write_bytes(&w, "xyz", 3);
	bin_write_patch_size(&w, inner, 0);
	bin_write_patch_size(&w, outer, 0);
	CHECK(w.len == 5 && memcmp(w.buf, "\x04\x03xyz", 5) == 0);
	/* padded LEB writing */
	bin_writer_clear(&w);
	bin_write_u32_padded(&w, 3, 5);
	CHECK(w.len == 5 && memcmp(w.buf, "\x83\x80\x80\x80\x00", 5) == 0);
	bin_writer_clear(&w);
	/* the error is sticky: a failed allocation stops all later writes */
	mem_fail_after(1);
	bin_write_u8(&w, 1);
	CHECK(w.err == MELD_ENOMEM);
	bin_write_u8(&w, 2);
	CHECK(w.len == 0);
	mem_fail_after(0);
	bin_writer_clear(&w);
}

void
test_arena(void)
{
	struct arena a;
	arena_init(&a);
	uint32_t *v = NULL;
	size_t len = 0, cap = 0;
	for (uint32_t i = 0; i < 10000; i++) {
		uint32_t *slot = arena_push(&a, (void **)&v, &len, &cap, sizeof *v);
		CHECK(slot != NULL);
		*slot = i;
	}
	CHECK(len == 10000 && v[9999] == 9999 && v[0] == 0);
	CHECK(arena_alloc_array(&a, SIZE_MAX / 2, 4) == NULL);
	size_t out;
	CHECK(!size_mul(SIZE_MAX, 2, &out));
	CHECK(!size_add(SIZE_MAX, 1, &out));
	void *big = arena_alloc(&a, 1 << 20);
	CHECK(big != NULL);
	mem_fail_after(1);
	CHECK(arena_alloc(&a, 1 << 20) == NULL);
	mem_fail_after(0);
	arena_clear(&a);
}
