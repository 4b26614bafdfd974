/*
 * Unit tests for core_read/core_write: section order and counts, huge
 * counts, every element segment encoding, memory and table limits, rec
 * groups, constant expressions, name-section remapping, offsets into a
 * larger file, and out-of-memory paths.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bin_write.h"
#include "core_module.h"
#include "harness.h"

/* ---- building modules ---- */

struct mb {
	uint8_t b[4096];
	size_t n;
};

static size_t
unhex(uint8_t *out, const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ' ')
			continue;
		char pair[3] = {s[0], s[1], 0};
		out[n++] = (uint8_t)strtoul(pair, NULL, 16);
		s++;
	}
	return n;
}

static void
mb_init(struct mb *m)
{
	m->n = unhex(m->b, "00 61 73 6d 01 00 00 00");
}

static void
mb_raw(struct mb *m, const char *hex)
{
	m->n += unhex(m->b + m->n, hex);
}

/* A section: id, its size (computed), content given in hex. */
static void
mb_sec(struct mb *m, uint8_t id, const char *hex)
{
	uint8_t tmp[2048];
	size_t len = unhex(tmp, hex);
	m->b[m->n++] = id;
	struct bin_writer w;
	bin_writer_init(&w);
	bin_write_u32(&w, (uint32_t)len);
	memcpy(m->b + m->n, w.buf, w.len);
	m->n += w.len;
	bin_writer_clear(&w);
	memcpy(m->b + m->n, tmp, len);
	m->n += len;
}

struct ctx {
	struct arena a;
	struct diag d;
	struct core_module *m;
	enum meld_status st;
};

static enum meld_status
ctx_read(struct ctx *c, const struct mb *m)
{
	arena_init(&c->a);
	diag_init(&c->d);
	c->m = NULL;
	c->st = core_read(&c->a, &c->d, "t.wasm", m->b, m->b, m->n, &c->m);
	return c->st;
}

static void
ctx_clear(struct ctx *c)
{
	arena_clear(&c->a);
}

/* Read must fail with a diagnostic that contains `want`. */
static void
check_refused(const struct mb *m, const char *want)
{
	struct ctx c;
	CHECK(ctx_read(&c, m) != MELD_OK);
	const char *text = diag_text(&c.d);
	CHECK(strstr(text, "t.wasm:0x") == text);
	if (!strstr(text, want))
		printf("  expected \"%s\" in \"%s\"\n", want, text);
	CHECK(strstr(text, want) != NULL);
	ctx_clear(&c);
}

/* A section of a module given in hex; a NULL hex ends a list. */
struct sec {
	uint8_t id;
	const char *hex;
};

/* A module, its sections in order, and what reading it must report. */
struct refusal {
	struct sec secs[4];
	const char *want;
};

static void
check_refusals(const struct refusal *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mb m;
		mb_init(&m);
		for (size_t k = 0; k < 4 && r[i].secs[k].hex; k++)
			mb_sec(&m, r[i].secs[k].id, r[i].secs[k].hex);
		check_refused(&m, r[i].want);
	}
}

/* Write with remap (NULL: identity) and compare with a hex string. */
static bool
written_is(const struct core_module *m, const struct core_remap *remap,
	   const uint8_t *want, size_t want_len)
{
	struct bin_writer w;
	bin_writer_init(&w);
	enum meld_status st = core_write_module(m, remap, &w);
	bool ok = st == MELD_OK && w.len == want_len &&
		  memcmp(w.buf, want, want_len) == 0;
	if (!ok) {
		printf("  got (%d):", (int)st);
		for (size_t i = 0; i < w.len; i++)
			printf(" %02x", w.buf[i]);
		printf("\n");
	}
	bin_writer_clear(&w);
	return ok;
}

static bool
identity_ok(const struct ctx *c, const struct mb *m)
{
	return written_is(c->m, NULL, m->b, m->n);
}

/* A remap that adds `shift` to every index of every space. */
struct shift {
	uint32_t maps[CORE_SPACE_COUNT][64];
	struct core_remap r;
};

static void
shift_init(struct shift *s, uint32_t shift)
{
	for (int sp = 0; sp < CORE_SPACE_COUNT; sp++) {
		for (uint32_t i = 0; i < 64; i++)
			s->maps[sp][i] = i + shift;
		s->r.map[sp] = s->maps[sp];
		s->r.len[sp] = 64;
	}
}

/* ---- tests ---- */

static void
test_empty_and_header(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->nsections == 0);
	CHECK(c.m->space_len[CORE_SPACE_FUNC] == 0);
	CHECK(identity_ok(&c, &m));
	struct shift sh;
	shift_init(&sh, 1);
	CHECK(written_is(c.m, &sh.r, m.b, m.n));
	ctx_clear(&c);

	m.n = unhex(m.b, "00 61 73 6d 0d 00 01 00");
	check_refused(&m, "0x4: malformed: a component");
	m.n = unhex(m.b, "00 61 73 6e 01 00 00 00");
	check_refused(&m, "0x0: malformed: magic");
	m.n = unhex(m.b, "00 61 73 6d 02 00 00 00");
	check_refused(&m, "0x4: malformed: unknown binary version");
	m.n = unhex(m.b, "00 61 73");
	check_refused(&m, "0x0: malformed: magic: unexpected end");
}

static void
test_section_order(void)
{
	struct mb m;
	struct ctx c;

	static const struct refusal refusals[] = {
		{{{3, "00"}, {1, "00"}},
		 "0xb: malformed: type section out of order"},
		{{{1, "00"}, {1, "00"}},
		 "0xb: malformed: duplicate type section"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);

	/* tag between memory and global; data count between elem and code */
	mb_init(&m);
	mb_sec(&m, 1, "01 60 00 00");
	mb_sec(&m, 5, "00");
	mb_sec(&m, 13, "01 00 00");
	mb_sec(&m, 6, "00");
	mb_sec(&m, 0, "03 61 62 63 ff");
	mb_sec(&m, 9, "00");
	mb_sec(&m, 12, "00");
	mb_sec(&m, 10, "00");
	mb_sec(&m, 11, "00");
	mb_sec(&m, 0, "00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->nsections == 10);
	CHECK(c.m->space_len[CORE_SPACE_TAG] == 1);
	CHECK(c.m->tags[0].typeidx == 0);
	CHECK(c.m->has_datacount && c.m->datacount == 0);
	CHECK(bin_name_eq(c.m->sections[4].name, "abc"));
	CHECK(identity_ok(&c, &m));
	ctx_clear(&c);

	static const struct refusal refusals2[] = {
		{{{6, "00"}, {13, "00"}},
		 "malformed: tag section out of order"},
		{{{10, "00"}, {12, "00"}},
		 "malformed: data count section out of order"},
		{{{14, "00"}}, "0x8: malformed: unknown section id 14"},
	};
	check_refusals(refusals2, sizeof refusals2 / sizeof refusals2[0]);

	/* section size beyond the end, and content left over */
	mb_init(&m);
	mb_raw(&m, "01 05 00");
	check_refused(&m, "0xa: malformed: section: size 5, only 1 bytes left");
	static const struct refusal refusals3[] = {
		{{{1, "00 00"}},
		 "0xb: malformed: type: 1 unexpected bytes at end"},
		/* a custom section needs a valid name */
		{{{0, "02 c3 28"}},
		 "0xa: malformed: custom section name: malformed UTF-8"},
	};
	check_refusals(refusals3, sizeof refusals3 / sizeof refusals3[0]);
}

static void
test_counts(void)
{
	struct mb m;
	struct ctx c;

	static const struct refusal refusals[] = {
		/* function and code counts must agree, absent sections count 0 */
		{{{1, "01 60 00 00"}, {3, "01 00"}},
		 "malformed: function count 1 but no code section"},
		{{{1, "01 60 00 00"}, {10, "01 02 00 0b"}},
		 "malformed: code count 1 and function count 0 differ"},
		{{{1, "01 60 00 00"}, {3, "02 00 00"}, {10, "01 02 00 0b"}},
		 "malformed: code count 1 and function count 2 differ"},
		/* data count must match the data section */
		{{{12, "02"}, {11, "01 01 00"}},
		 "malformed: data count 2 and data section count 1 differ"},
		{{{12, "01"}}, "malformed: data count 1 but no data section"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
	mb_init(&m);
	mb_sec(&m, 12, "01");
	mb_sec(&m, 11, "01 01 00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->space_len[CORE_SPACE_DATA] == 1);
	CHECK(c.m->datas[0].mode == CORE_SEG_PASSIVE);
	ctx_clear(&c);

	static const struct refusal refusals2[] = {
		/* huge counts are refused before anything is allocated */
		{{{1, "ff ff ff ff 0f 60"}},
		 "0xa: malformed: type count: count 4294967295, only 1 bytes left"},
		{{{2, "80 80 80 80 08"}},
		 "malformed: import count: count 2147483648, only 0 bytes left"},
		{{{10, "ff ff ff 7f 00"}},
		 "malformed: code count: count 268435455"},
		{{{1, "01 60 ff ff ff ff 0f 7f"}},
		 "malformed: parameter type: count 4294967295"},
		{{{9, "01 01 00 ff ff ff ff 0f"}},
		 "malformed: element count: count 4294967295"},
		{{{1, "01 4e ff ff ff ff 0f"}},
		 "malformed: rec group size: count 4294967295"},
		/* an over-long LEB count */
		{{{1, "80 80 80 80 80 00"}},
		 "malformed: type count: integer representation too long"},
		/* a body of size 0 */
		{{{1, "01 60 00 00"}, {3, "01 00"}, {10, "01 00 00"}},
		 "malformed: function body size 0"},
	};
	check_refusals(refusals2, sizeof refusals2 / sizeof refusals2[0]);
}

/* Every element segment encoding, decoded, then rewritten. */
static void
test_elem_encodings(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1, "01 60 00 00");
	mb_sec(&m, 3, "01 00");
	mb_sec(&m, 4, "02 70 00 01 70 00 01");
	mb_sec(&m, 9,
	       "08"
	       " 00 41 01 0b 01 00"             /* 0: active table 0, funcs */
	       " 01 00 01 00"                   /* 1: passive, elemkind */
	       " 02 01 41 02 0b 00 01 00"       /* 2: active table 1 */
	       " 03 00 01 00"                   /* 3: declarative */
	       " 04 41 03 0b 01 d2 00 0b"       /* 4: active table 0, exprs */
	       " 05 70 01 d0 70 0b"             /* 5: passive, reftype */
	       " 06 01 41 04 0b 70 01 d2 00 0b" /* 6: active table 1, exprs */
	       " 07 70 01 d2 00 0b");           /* 7: declarative, exprs */
	mb_sec(&m, 10, "01 02 00 0b");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	const struct core_module *cm = c.m;
	CHECK(cm->space_len[CORE_SPACE_ELEM] == 8);
	static const uint8_t modes[8] = {
		CORE_SEG_ACTIVE,  CORE_SEG_PASSIVE, CORE_SEG_ACTIVE,
		CORE_SEG_DECLARATIVE, CORE_SEG_ACTIVE, CORE_SEG_PASSIVE,
		CORE_SEG_ACTIVE,  CORE_SEG_DECLARATIVE};
	for (uint32_t i = 0; i < 8; i++) {
		CHECK(cm->elems[i].flags == i);
		CHECK(cm->elems[i].mode == modes[i]);
		CHECK(cm->elems[i].count == 1);
		CHECK(cm->elems[i].type.code == CORE_VALTYPE_REF_NULL);
		CHECK(cm->elems[i].type.heap == CORE_HEAP_FUNC);
	}
	CHECK(cm->elems[2].tableidx == 1 && cm->elems[6].tableidx == 1);
	CHECK(cm->elems[0].tableidx == 0 && cm->elems[4].tableidx == 0);
	CHECK(identity_ok(&c, &m));

	/* every index + 1: compact forms become explicit ones */
	struct shift sh;
	shift_init(&sh, 1);
	struct mb want;
	mb_init(&want);
	mb_sec(&want, 1, "01 60 00 00");
	mb_sec(&want, 3, "01 01");
	mb_sec(&want, 4, "02 70 00 01 70 00 01");
	mb_sec(&want, 9,
	       "08"
	       " 02 01 41 01 0b 00 01 01"
	       " 01 00 01 01"
	       " 02 02 41 02 0b 00 01 01"
	       " 03 00 01 01"
	       " 06 01 41 03 0b 70 01 d2 01 0b"
	       " 05 70 01 d0 70 0b"
	       " 06 02 41 04 0b 70 01 d2 01 0b"
	       " 07 70 01 d2 01 0b");
	mb_sec(&want, 10, "01 02 00 0b");
	CHECK(written_is(cm, &sh.r, want.b, want.n));

	/* the entry writer's forms */
	struct bin_writer w;
	bin_writer_init(&w);
	CHECK(core_write_elem(cm, NULL, 2, CORE_FORM_COMPACT, &w) == MELD_OK);
	CHECK(w.len == 8); /* table 1 stays explicit */
	w.len = 0;
	CHECK(core_write_elem(cm, NULL, 0, CORE_FORM_EXPLICIT, &w) == MELD_OK);
	uint8_t e0[16];
	CHECK(w.len == unhex(e0, "02 00 41 01 0b 00 01 00") &&
	      memcmp(w.buf, e0, w.len) == 0);
	w.len = 0;
	CHECK(core_write_elem(cm, NULL, 4, CORE_FORM_EXPLICIT, &w) == MELD_OK);
	CHECK(w.len == unhex(e0, "06 00 41 03 0b 70 01 d2 00 0b") &&
	      memcmp(w.buf, e0, w.len) == 0);
	bin_writer_clear(&w);
	ctx_clear(&c);

	static const struct refusal refusals[] = {
		/* flags 8 and elemkind 1 are refused */
		{{{9, "01 08 00 00"}}, "malformed: element segment flags 8"},
		{{{9, "01 01 01 00"}}, "malformed: element kind 0x01"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
}

static void
test_limits(void)
{
	struct mb m;
	struct ctx c;
	/* memory flags 0..7: max, shared, memory64 */
	mb_init(&m);
	mb_sec(&m, 5, "08 00 01 01 01 02 02 01 03 01 02 04 80 80 80 80 10"
		      " 05 00 01 06 01 07 01 05");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->space_len[CORE_SPACE_MEMORY] == 8);
	for (uint32_t i = 0; i < 8; i++)
		CHECK(c.m->memories[i].limits.flags == i);
	CHECK(c.m->memories[1].limits.min == 1 &&
	      c.m->memories[1].limits.max == 2);
	CHECK(c.m->memories[4].limits.min == (uint64_t)1 << 32);
	CHECK(c.m->memories[7].limits.max == 5);
	CHECK(identity_ok(&c, &m));
	ctx_clear(&c);
	/* custom page sizes: the exponent after the limits, 0 or 16 */
	mb_init(&m);
	mb_sec(&m, 5, "03 08 81 80 04 00 09 01 02 10 00 00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->memories[0].limits.page_size_log2 == 0);
	CHECK(c.m->memories[0].limits.min == 65537);
	CHECK(c.m->memories[1].limits.page_size_log2 == 16);
	CHECK(c.m->memories[1].limits.max == 2);
	CHECK(c.m->memories[2].limits.page_size_log2 == CORE_PAGE_SIZE_LOG2);
	CHECK(identity_ok(&c, &m));
	ctx_clear(&c);
	/* an imported one, its import rewritten through a remap */
	mb_init(&m);
	mb_sec(&m, 2, "01 01 61 01 62 02 09 01 02 00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->memories[0].limits.page_size_log2 == 0);
	struct shift sh;
	shift_init(&sh, 1);
	CHECK(written_is(c.m, &sh.r, m.b, m.n));
	ctx_clear(&c);
	static const struct refusal refusals[] = {
		{{{5, "01 08 00"}},
		 "0xd: malformed: memory page size: unexpected end"},
		{{{5, "01 08 00 03"}},
		 "0xb: invalid: memory: invalid custom page size 2**3"},
		{{{5, "01 10 00"}},
		 "0xb: malformed: memory: limits flags 0x10"},
		{{{5, "01 01 02 01"}},
		 "0xb: invalid: memory: size minimum must not be "
		 "greater than maximum"},
		{{{5, "01 00 81 80 04"}},
		 "0xb: invalid: memory: memory size must be at most "
		 "2**32 bytes"},
		/* a u64 minimum is refused for a 32-bit memory */
		{{{5, "01 00 80 80 80 80 10"}},
		 "malformed: memory: integer too large"},
		/* tables: no page size; the 0x40 0x00 form has an initialiser */
		{{{4, "01 70 08 00 00"}},
		 "malformed: table: limits flags 0x08"},
		{{{4, "01 70 05 03 02"}},
		 "invalid: table: size minimum must not be greater"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
	mb_init(&m);
	mb_sec(&m, 4, "03 40 00 70 00 01 d0 70 0b 6f 05 00 02 64 70 00 00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->tables[0].init != NULL && c.m->tables[1].init == NULL);
	CHECK(c.m->tables[1].elem.heap == CORE_HEAP_EXTERN);
	CHECK(c.m->tables[1].limits.flags == 5 &&
	      c.m->tables[1].limits.max == 2);
	CHECK(c.m->tables[2].elem.code == CORE_VALTYPE_REF);
	CHECK(identity_ok(&c, &m));
	ctx_clear(&c);
	mb_init(&m);
	mb_sec(&m, 4, "01 40 01 70 00 01 0b");
	check_refused(&m, "malformed: table: 0x01 after 0x40");
}

static void
test_rec_groups(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1,
	       "03"
	       " 60 01 7f 01 7e"                      /* 0: func i32 -> i64 */
	       " 4e 02 50 00 5f 02 78 01 63 01 00"   /* 1: sub struct */
	       "       4f 01 01 5e 64 01 01"          /* 2: sub final array */
	       " 50 01 01 5f 00");                    /* 3: sub of 1 */
	CHECK(ctx_read(&c, &m) == MELD_OK);
	const struct core_module *cm = c.m;
	CHECK(cm->ngroups == 3 && cm->space_len[CORE_SPACE_TYPE] == 4);
	CHECK(cm->groups[1].first_typeidx == 1 && cm->groups[1].ntypes == 2);
	CHECK(cm->types[0].kind == CORE_COMP_FUNC && cm->types[0].nparams == 1);
	CHECK(cm->types[0].results[0].code == CORE_VALTYPE_I64);
	CHECK(cm->types[1].kind == CORE_COMP_STRUCT && !cm->types[1].final);
	CHECK(cm->types[1].supertype == CORE_NO_INDEX);
	CHECK(cm->types[1].nfields == 2);
	CHECK(cm->types[1].fields[0].packed == CORE_PACKED_I8);
	CHECK(cm->types[1].fields[0].mutable);
	CHECK(cm->types[1].fields[1].type.code == CORE_VALTYPE_REF_NULL);
	CHECK(cm->types[1].fields[1].type.heap == 0);
	CHECK(cm->types[1].fields[1].type.typeidx == 1);
	CHECK(cm->types[2].final && cm->types[2].supertype == 1);
	CHECK(cm->types[2].group == 1 && cm->types[3].group == 2);
	CHECK(cm->types[3].kind == CORE_COMP_STRUCT && !cm->types[3].final);
	CHECK(identity_ok(&c, &m));
	struct shift sh;
	shift_init(&sh, 2);
	struct mb want;
	mb_init(&want);
	mb_sec(&want, 1,
	       "03 60 01 7f 01 7e"
	       " 4e 02 50 00 5f 02 78 01 63 03 00 4f 01 03 5e 64 03 01"
	       " 50 01 03 5f 00");
	CHECK(written_is(cm, &sh.r, want.b, want.n));
	ctx_clear(&c);

	static const struct refusal refusals[] = {
		{{{1, "01 50 02 00 00 5f 00"}},
		 "invalid: subtype: 2 supertypes"},
		{{{1, "01 61 00 00"}},
		 "0xb: malformed: type: unknown composite type 0x61"},
		{{{1, "01 60 01 40 00"}},
		 "0xd: malformed: parameter type: unknown value type 0x40"},
		{{{1, "01 5e 7f 02"}}, "malformed: field: mutability 0x02"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
}

/* shared-everything-threads: shared composite and abstract heap types. */
static void
test_shared(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1, "02 65 60 00 00 60 01 63 65 6e 00");
	mb_sec(&m, 3, "01 00");
	mb_sec(&m, 4, "02 63 65 70 03 01 02 65 70 00 01");
	mb_sec(&m, 9, "01 05 63 65 70 01 d0 65 70 0b");
	mb_sec(&m, 10, "01 02 00 0b");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	const struct core_module *cm = c.m;
	CHECK(cm->types[0].shared && !cm->types[1].shared);
	CHECK(cm->types[1].params[0].shared &&
	      cm->types[1].params[0].heap == CORE_HEAP_ANY);
	CHECK(cm->tables[0].elem.shared &&
	      cm->tables[0].elem.heap == CORE_HEAP_FUNC);
	CHECK(cm->tables[0].limits.flags == 3);
	CHECK(cm->tables[1].elem.shared &&
	      cm->tables[1].elem.code == CORE_VALTYPE_REF_NULL &&
	      cm->tables[1].elem.heap == CORE_HEAP_FUNC);
	CHECK(cm->elems[0].type.shared);
	CHECK(identity_ok(&c, &m));
	/* rewritten through a remap, the prefixes are kept */
	struct shift sh;
	shift_init(&sh, 1);
	struct mb want;
	mb_init(&want);
	mb_sec(&want, 1, "02 65 60 00 00 60 01 63 65 6e 00");
	mb_sec(&want, 3, "01 01");
	mb_sec(&want, 4, "02 63 65 70 03 01 02 65 70 00 01");
	mb_sec(&want, 9, "01 05 63 65 70 01 d0 65 70 0b");
	mb_sec(&want, 10, "01 02 00 0b");
	CHECK(written_is(cm, &sh.r, want.b, want.n));
	ctx_clear(&c);
	mb_init(&m);
	mb_sec(&m, 4, "01 63 65 00 00 01");
	check_refused(&m, "0xd: malformed: table element type: unknown "
			  "shared heap type 0x00");
}

/* Indices checked against their index space as they are read. */
static void
test_index_bounds(void)
{
	struct mb m;
	static const struct refusal refusals[] = {
		/* exports: an index the space does not have */
		{{{7, "01 01 61 00 00"}},
		 "0xe: invalid: export index: unknown function 0: "
		 "function index out of bounds (0 defined)"},
		{{{5, "01 00 01"}, {7, "01 01 6d 02 03"}},
		 "invalid: export index: unknown memory 3"},
		{{{7, "01 01 67 03 00"}}, "unknown global 0"},
		{{{7, "01 01 74 01 00"}}, "unknown table 0"},
		{{{7, "01 01 74 04 00"}}, "unknown tag 0"},
		/* export names are unique: the second "a" (at 0x18) is reported */
		{{{5, "01 00 01"},
		  {7, "03 01 61 02 00 01 62 02 00 01 61 02 00"}},
		 "0x18: invalid: export name \"a\": duplicate"},
		/* function and tag types: in bounds and function types */
		{{{3, "01 00"}},
		 "0xb: invalid: function type index: unknown type 0"},
		{{{1, "01 5f 00"}, {3, "01 00"}},
		 "invalid: function type index: type 0 is not a "
		 "function type"},
		{{{2, "01 01 61 01 62 00 02"}},
		 "invalid: import type index: unknown type 2"},
		{{{13, "01 00 00"}}, "invalid: tag type index: unknown type 0"},
		/* the start function: in bounds, of type [] -> [] */
		{{{8, "00"}},
		 "0xa: invalid: start function: unknown function 0"},
		{{{1, "01 60 01 7f 00"},
		  {3, "01 00"},
		  {8, "00"},
		  {10, "01 02 00 0b"}},
		 "invalid: start function 0: type must be [] -> []"},
		/* segments: tables and memories, explicit or index 0 */
		{{{9, "01 00 41 00 0b 00"}},
		 "0xb: invalid: element table: unknown table 0"},
		{{{4, "01 70 00 01"}, {9, "01 02 01 41 00 0b 00 00"}},
		 "invalid: element table: unknown table 1"},
		{{{4, "01 70 00 01"}, {9, "01 00 41 00 0b 01 05"}},
		 "invalid: element function index: unknown function 5"},
		{{{11, "01 00 41 00 0b 00"}},
		 "0xb: invalid: data memory: unknown memory 0"},
		{{{5, "01 00 01"}, {11, "01 02 01 41 00 0b 00"}},
		 "invalid: data memory: unknown memory 1"},
		/* constant expressions: earlier immutable globals, known functions */
		{{{6, "02 7f 00 23 01 0b 7f 00 41 00 0b"}},
		 "0xe: invalid: global initialiser: unknown global 1"},
		{{{2, "01 01 61 01 62 03 7f 01"}, {6, "01 7f 00 23 00 0b"}},
		 "invalid: global initialiser: constant expression "
		 "required"},
		{{{6, "01 70 00 d2 03 0b"}},
		 "invalid: global initialiser: unknown function 3"},
		{{{6, "01 70 00 d0 07 0b"}},
		 "invalid: global initialiser: unknown type 7"},
		{{{6, "01 7f 00 41 00 fb 00 02 0b"}},
		 "invalid: global initialiser: unknown type 2"},
		/* heap types: inside the type section, only up to the rec group */
		{{{1, "01 60 01 63 05 00"}},
		 "0xe: invalid: parameter type: unknown type 5"},
		{{{1, "02 5f 01 63 01 00 5f 00"}},
		 "invalid: field type: unknown type 1"},
		{{{1, "02 50 01 01 5f 00 50 00 5f 00"}},
		 "0xd: invalid: supertype index: unknown type 1"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1, "01 4e 02 5f 01 63 01 00 5f 00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	ctx_clear(&c);
}

static void
test_imports_exports(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1, "02 60 01 7f 00 60 00 00");
	mb_sec(&m, 2,
	       "05 01 61 01 66 00 01"       /* func (type 1) */
	       " 01 61 01 74 01 70 00 00"   /* table */
	       " 01 61 01 6d 02 00 01"      /* memory */
	       " 01 61 01 67 03 7f 01"      /* global mut i32 */
	       " 01 61 01 65 04 00 00");    /* tag (type 0) */
	mb_sec(&m, 3, "02 00 01");
	mb_sec(&m, 6, "01 7e 00 42 2a 0b");
	mb_sec(&m, 7, "03 01 78 00 02 01 79 03 01 01 7a 02 00");
	mb_sec(&m, 8, "02");
	mb_sec(&m, 10, "02 02 00 0b 02 00 0b");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	const struct core_module *cm = c.m;
	CHECK(cm->nimports == 5);
	for (int s = CORE_SPACE_FUNC; s <= CORE_SPACE_TAG; s++)
		CHECK(cm->space_imported[s] == 1);
	CHECK(cm->space_len[CORE_SPACE_FUNC] == 3);
	CHECK(cm->space_len[CORE_SPACE_GLOBAL] == 2);
	CHECK(cm->imports[3].kind == CORE_EXTERN_GLOBAL);
	CHECK(cm->globals[0].mutable && cm->globals[0].import == 3);
	CHECK(cm->globals[1].type.code == CORE_VALTYPE_I64 &&
	      cm->globals[1].import == CORE_NO_INDEX);
	CHECK(cm->funcs[0].import == 0 && cm->funcs[0].typeidx == 1);
	CHECK(core_func_type(cm, 0)->nresults == 0);
	CHECK(core_func_type(cm, 1)->nparams == 1);
	CHECK(core_func_typeidx(cm, 2) == 1);
	CHECK(core_func_type(cm, 3) == NULL);
	CHECK(cm->tags[0].typeidx == 0);
	CHECK(cm->has_start && cm->start == 2);
	const struct core_export *e = core_find_export(cm, "y", CORE_EXTERN_GLOBAL);
	CHECK(e && e->index == 1);
	CHECK(core_find_export(cm, "y", CORE_EXTERN_FUNC) == NULL);
	CHECK(identity_ok(&c, &m));

	struct shift sh;
	shift_init(&sh, 1);
	struct mb want;
	mb_init(&want);
	mb_sec(&want, 1, "02 60 01 7f 00 60 00 00");
	mb_sec(&want, 2,
	       "05 01 61 01 66 00 02 01 61 01 74 01 70 00 00"
	       " 01 61 01 6d 02 00 01 01 61 01 67 03 7f 01"
	       " 01 61 01 65 04 00 01");
	mb_sec(&want, 3, "02 01 02");
	mb_sec(&want, 6, "01 7e 00 42 2a 0b");
	mb_sec(&want, 7, "03 01 78 00 03 01 79 03 02 01 7a 02 01");
	mb_sec(&want, 8, "03");
	mb_sec(&want, 10, "02 02 00 0b 02 00 0b");
	CHECK(written_is(cm, &sh.r, want.b, want.n));
	ctx_clear(&c);

	static const struct refusal refusals[] = {
		{{{2, "01 01 61 01 62 05 00"}}, "malformed: import kind 0x05"},
		{{{7, "01 01 61 05 00"}}, "malformed: export kind 0x05"},
		{{{13, "01 01 00"}}, "malformed: tag attribute 0x01"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
}

static void
test_const_exprs(void)
{
	struct mb m;
	struct ctx c;
	/* extended-const, ref.func, v128.const, GC struct.new in a global */
	mb_init(&m);
	mb_sec(&m, 1, "02 60 00 00 5f 01 7f 00");
	mb_sec(&m, 3, "01 00");
	mb_sec(&m, 6,
	       "04 7f 00 41 01 41 02 6a 0b"
	       " 70 00 d2 00 0b"
	       " 7b 00 fd 0c 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 0b"
	       " 64 01 00 41 07 fb 00 01 0b");
	mb_sec(&m, 10, "01 02 00 0b");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->space_len[CORE_SPACE_GLOBAL] == 4);
	CHECK(identity_ok(&c, &m));
	ctx_clear(&c);
	static const struct refusal refusals[] = {
		{{{6, "01 7f 00 20 00 0b"}},
		 "0xd: invalid: global initialiser: instruction 0x20 is not constant"},
		{{{6, "01 7f 00 41 00"}},
		 "malformed: global initialiser: unexpected end"},
		{{{11, "01 03 00 41 00 0b 00"}},
		 "malformed: data segment flags 3"},
	};
	check_refusals(refusals, sizeof refusals / sizeof refusals[0]);
}

/* Data segment forms, a table initialiser, the count writer. */
static void
test_data_and_tables(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1, "01 60 00 00");
	mb_sec(&m, 3, "01 00");
	mb_sec(&m, 4, "01 40 00 70 00 01 d2 00 0b");
	mb_sec(&m, 5, "02 00 01 00 01");
	mb_sec(&m, 10, "01 02 00 0b");
	mb_sec(&m, 11, "04 00 41 00 0b 01 61 01 01 62 02 01 41 00 0b 01 63"
		       " 02 00 41 00 0b 00");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	const struct core_module *cm = c.m;
	CHECK(cm->datas[0].mode == CORE_SEG_ACTIVE && cm->datas[0].memidx == 0);
	CHECK(cm->datas[1].mode == CORE_SEG_PASSIVE);
	CHECK(cm->datas[1].init.len == 1 && cm->datas[1].init.p[0] == 0x62);
	CHECK(cm->datas[2].memidx == 1 && cm->datas[3].flags == 2);
	CHECK(identity_ok(&c, &m));
	struct shift sh;
	shift_init(&sh, 1);
	struct mb want;
	mb_init(&want);
	mb_sec(&want, 1, "01 60 00 00");
	mb_sec(&want, 3, "01 01");
	mb_sec(&want, 4, "01 40 00 70 00 01 d2 01 0b");
	mb_sec(&want, 5, "02 00 01 00 01");
	mb_sec(&want, 10, "01 02 00 0b");
	mb_sec(&want, 11, "04 02 01 41 00 0b 01 61 01 01 62 02 02 41 00 0b 01 63"
			  " 02 01 41 00 0b 00");
	CHECK(written_is(cm, &sh.r, want.b, want.n));

	struct bin_writer w;
	uint8_t e[16];
	bin_writer_init(&w);
	CHECK(core_write_data(cm, NULL, 3, CORE_FORM_COMPACT, &w) == MELD_OK);
	CHECK(w.len == unhex(e, "00 41 00 0b 00") && memcmp(w.buf, e, w.len) == 0);
	w.len = 0;
	CHECK(core_write_data(cm, NULL, 0, CORE_FORM_EXPLICIT, &w) == MELD_OK);
	CHECK(w.len == unhex(e, "02 00 41 00 0b 01 61") &&
	      memcmp(w.buf, e, w.len) == 0);
	w.len = 0;
	CHECK(core_write_table(cm, &sh.r, 0, &w) == MELD_OK);
	CHECK(w.len == unhex(e, "40 00 70 00 01 d2 01 0b") &&
	      memcmp(w.buf, e, w.len) == 0);
	/* counts keep a padded width, minimal ones stay minimal */
	w.len = 0;
	core_write_count(&w, 200, 3, 5);
	core_write_count(&w, 200, 3, 1);
	core_write_count(&w, 3, 200, 2);
	CHECK(w.len == unhex(e, "c8 81 80 80 00 c8 01 03") &&
	      memcmp(w.buf, e, w.len) == 0);
	bin_writer_clear(&w);
	ctx_clear(&c);
}

/* A module inside a larger file: offsets count from the file's start. */
static void
test_offsets_in_file(void)
{
	uint8_t file[64] = {0};
	struct mb m;
	mb_init(&m);
	mb_sec(&m, 1, "01 60 01 99 00");
	memcpy(file + 20, m.b, m.n);
	struct arena a;
	struct diag d;
	struct core_module *cm;
	arena_init(&a);
	diag_init(&d);
	CHECK(core_read(&a, &d, "c.wasm", file, file + 20, m.n, &cm) ==
	      MELD_EMALFORMED);
	CHECK(strstr(diag_text(&d), "c.wasm:0x21: malformed:") != NULL);
	arena_clear(&a);
}

static void
test_names(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_sec(&m, 1, "01 60 00 00");
	mb_sec(&m, 3, "03 00 00 00");
	mb_sec(&m, 10, "03 02 00 0b 02 00 0b 02 00 0b");
	mb_sec(&m, 0,
	       "04 6e 61 6d 65"
	       " 00 02 01 6d"                               /* module "m" */
	       " 01 0a 03 00 01 61 01 01 62 02 01 63"       /* a b c */
	       " 02 08 01 02 02 00 01 78 01 00"             /* locals of 2 */
	       " 07 04 01 00 01 67"                         /* global g */
	       " 0c 01 ff");                                /* unknown */
	CHECK(ctx_read(&c, &m) == MELD_OK);
	const struct core_module *cm = c.m;
	CHECK(cm->names.present && cm->names.parsed);
	CHECK(cm->names.nsubs == 5);
	CHECK(cm->names.subs[1].count == 3);
	CHECK(cm->names.subs[2].assocs[0].idx == 2);
	CHECK(identity_ok(&c, &m));

	/* func 0 dropped, 1 and 2 swapped; globals shifted */
	uint32_t funcs[3] = {CORE_NO_INDEX, 1, 0}, globals[1] = {4};
	struct core_remap r = {0};
	for (int s = 0; s < CORE_SPACE_COUNT; s++)
		r.len[s] = UINT32_MAX;
	r.map[CORE_SPACE_FUNC] = funcs;
	r.len[CORE_SPACE_FUNC] = 3;
	r.map[CORE_SPACE_GLOBAL] = globals;
	r.len[CORE_SPACE_GLOBAL] = 1;
	struct bin_writer w;
	bin_writer_init(&w);
	CHECK(core_write_names(cm, &r, &w) == MELD_OK);
	uint8_t want[64];
	size_t n = unhex(want,
			 "00 22 04 6e 61 6d 65 00 02 01 6d"
			 " 01 07 02 00 01 63 01 01 62" /* sorted again */
			 " 02 08 01 00 02 00 01 78 01 00"
			 " 07 04 01 04 01 67");
	CHECK(w.len == n && memcmp(w.buf, want, n) == 0);

	/* not injective: 0 and 2 both to 0; the first name stays */
	uint32_t merge[3] = {0, 1, 0};
	r.map[CORE_SPACE_FUNC] = merge;
	w.len = 0;
	CHECK(core_write_names(cm, &r, &w) == MELD_OK);
	n = unhex(want,
		  "00 22 04 6e 61 6d 65 00 02 01 6d"
		  " 01 07 02 00 01 61 01 01 62"
		  " 02 08 01 00 02 00 01 78 01 00"
		  " 07 04 01 04 01 67");
	CHECK(w.len == n && memcmp(w.buf, want, n) == 0);

	/* the emitter's subsection writer sorts and drops duplicates */
	struct core_name_assoc as[3] = {
		{5, 0, want + 3, want + 5},
		{2, 0, want + 3, want + 4},
		{5, 0, want + 3, want + 4},
	};
	w.len = 0;
	CHECK(core_write_name_sub(&w, CORE_NAME_FUNC, as, 3, 0, 0) == MELD_OK);
	uint8_t sub[16];
	n = unhex(sub, "01 06 02 02 6e 05 6e 61");
	CHECK(w.len == n && memcmp(w.buf, sub, n) == 0);
	bin_writer_clear(&w);
	ctx_clear(&c);

	/* a broken name section does not fail the module; remapping drops it */
	mb_init(&m);
	mb_sec(&m, 0, "04 6e 61 6d 65 01 05 09 00 01 61");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	CHECK(c.m->names.present && !c.m->names.parsed);
	CHECK(identity_ok(&c, &m));
	struct shift sh;
	shift_init(&sh, 1);
	uint8_t header[8];
	CHECK(written_is(c.m, &sh.r, header, unhex(header, "00 61 73 6d 01 00 00 00")));
	ctx_clear(&c);
}

/* Padded sizes and counts keep their width; an out-of-range index fails. */
static void
test_widths_and_bounds(void)
{
	struct mb m;
	struct ctx c;
	mb_init(&m);
	mb_raw(&m, "01 84 80 80 80 00 01 60 00 00");       /* padded size */
	mb_raw(&m, "03 06 81 80 80 80 00 00");              /* padded count */
	mb_raw(&m, "07 09 01 01 66 00 80 80 80 80 00");     /* padded index */
	mb_raw(&m, "0a 04 01 02 00 0b");
	CHECK(ctx_read(&c, &m) == MELD_OK);
	struct shift sh;
	shift_init(&sh, 3);
	struct mb want;
	mb_init(&want);
	mb_raw(&want, "01 84 80 80 80 00 01 60 00 00");
	mb_raw(&want, "03 06 81 80 80 80 00 03");
	mb_raw(&want, "07 09 01 01 66 00 83 80 80 80 00");
	mb_raw(&want, "0a 04 01 02 00 0b");
	CHECK(written_is(c.m, &sh.r, want.b, want.n));
	sh.r.len[CORE_SPACE_FUNC] = 0;
	struct bin_writer w;
	bin_writer_init(&w);
	CHECK(core_write_module(c.m, &sh.r, &w) == MELD_EINVALID);
	CHECK(strstr(diag_text(&c.d), "t.wasm:0x20: invalid: function index 0 out of range") != NULL);
	CHECK(core_write_func_decl(c.m, NULL, 1, &w) == MELD_EUSAGE);
	bin_writer_clear(&w);
	ctx_clear(&c);
}

/* Every allocation failing in turn ends in ENOMEM, never a crash. */
static void
test_out_of_memory(void)
{
	struct mb m;
	mb_init(&m);
	mb_sec(&m, 1, "02 60 01 7f 00 4e 01 5f 01 7f 00");
	mb_sec(&m, 2, "01 01 61 01 62 00 00");
	mb_sec(&m, 3, "01 00");
	mb_sec(&m, 7, "01 01 78 00 01");
	mb_sec(&m, 10, "01 02 00 0b");
	mb_sec(&m, 0, "04 6e 61 6d 65 01 04 01 00 01 61");
	bool reached_ok = false;
	for (size_t n = 1; n < 64 && !reached_ok; n++) {
		struct ctx c;
		arena_init(&c.a);
		diag_init(&c.d);
		mem_fail_after(n);
		enum meld_status st =
			core_read(&c.a, &c.d, "t.wasm", m.b, m.b, m.n, &c.m);
		mem_fail_after(0);
		CHECK(st == MELD_OK || st == MELD_ENOMEM);
		reached_ok = st == MELD_OK;
		ctx_clear(&c);
	}
	CHECK(reached_ok);
}

void
test_module(void)
{
	test_empty_and_header();
	test_section_order();
	test_counts();
	test_elem_encodings();
	test_limits();
	test_rec_groups();
	test_shared();
	test_index_bounds();
	test_imports_exports();
	test_const_exprs();
	test_data_and_tables();
	test_offsets_in_file();
	test_names();
	test_widths_and_bounds();
	test_out_of_memory();
}
