/*
 * Unit tests for core_code: the opcode table, body and constant
 * expression rewriting (identity keeps every byte, a remap changes exactly
 * the index immediates and remapping back restores the input), types, and
 * malformed or invalid input refused with the right diagnostic.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bin_read.h"
#include "bin_write.h"
#include "core_code.h"
#include "harness.h"

/* ---- helpers ---- */

/* "10 05 0b" -> bytes; returns the count. */
static size_t
hex(uint8_t *out, const char *s)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		char pair[3] = {s[0], s[1], 0};
		out[n++] = (uint8_t)strtoul(pair, NULL, 16);
		s += 2;
	}
	return n;
}

struct run {
	struct diag d;
	struct bin_writer w;
	enum meld_status st;
	size_t consumed; /* where the reader was left */
};

enum run_kind { RUN_BODY, RUN_CONST, RUN_VALTYPE, RUN_HEAPTYPE, RUN_REFTYPE,
		RUN_STORAGETYPE };

static enum meld_status
run_bytes(struct run *x, enum run_kind kind, const struct core_remap *m,
	  const uint8_t *in, size_t n)
{
	struct bin_reader r;
	diag_init(&x->d);
	bin_writer_init(&x->w);
	bin_reader_init(&r, in, n, "t.wasm", &x->d);
	switch (kind) {
	case RUN_BODY: x->st = core_rewrite_body(m, &r, &x->w); break;
	case RUN_CONST: x->st = core_rewrite_const_expr(m, &r, &x->w); break;
	case RUN_VALTYPE: x->st = core_rewrite_valtype(m, &r, &x->w); break;
	case RUN_HEAPTYPE: x->st = core_rewrite_heaptype(m, &r, &x->w); break;
	case RUN_REFTYPE: x->st = core_rewrite_reftype(m, &r, &x->w); break;
	case RUN_STORAGETYPE:
		x->st = core_rewrite_storagetype(m, &r, &x->w);
		break;
	}
	x->consumed = bin_offset(&r);
	return x->st;
}

static enum meld_status
run_hex(struct run *x, enum run_kind kind, const struct core_remap *m,
	const char *s)
{
	static uint8_t buf[512];
	size_t n = hex(buf, s);
	return run_bytes(x, kind, m, buf, n);
}

/* The output equals the hex string. */
static bool
out_is(struct run *x, const char *s)
{
	uint8_t want[512];
	size_t n = hex(want, s);
	return x->st == MELD_OK && x->w.len == n &&
	       (n == 0 || memcmp(x->w.buf, want, n) == 0);
}

/* Failed with status st at offset, and the message contains `text`. */
static bool
failed_with(struct run *x, enum meld_status st, size_t offset,
	    const char *text)
{
	const char *msg = diag_text(&x->d);
	bool ok = x->st == st && x->d.status == st && x->d.offset == offset &&
		  strstr(msg, text) != NULL && x->consumed == 0 &&
		  x->w.len == 0;
	if (!ok)
		printf("  got status %d: %s\n", (int)x->st, msg);
	return ok;
}

/* Rewrite the hex body; the output must equal `want`. */
static void
check_rewrite(const struct core_remap *m, const char *in, const char *want)
{
	struct run x;
	run_hex(&x, RUN_BODY, m, in);
	CHECK(out_is(&x, want));
	if (!out_is(&x, want))
		printf("  for %s: %s\n", in, diag_text(&x.d));
	bin_writer_clear(&x.w);
}

static void
check_fail(enum run_kind kind, const struct core_remap *m, const char *in,
	   enum meld_status st, size_t offset, const char *text)
{
	struct run x;
	run_hex(&x, kind, m, in);
	CHECK(failed_with(&x, st, offset, text));
	bin_writer_clear(&x.w);
}

/* Identity in every space, 16 valid indices each. */
static void
remap_small(struct core_remap *m, uint32_t len)
{
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		m->map[s] = NULL;
		m->len[s] = len;
	}
}

/* old i -> i + 200 in every space, and its inverse. */
#define SHIFT 200
static uint32_t shift_up[16];
static uint32_t shift_down[SHIFT + 16];

static void
remap_shift(struct core_remap *up, struct core_remap *down)
{
	for (uint32_t i = 0; i < 16; i++)
		shift_up[i] = i + SHIFT;
	for (uint32_t i = 0; i < SHIFT + 16; i++)
		shift_down[i] = i >= SHIFT ? i - SHIFT : i;
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		up->map[s] = shift_up;
		up->len[s] = 16;
		down->map[s] = shift_down;
		down->len[s] = SHIFT + 16;
	}
}

/* ---- the table ---- */

static unsigned
count_prefix(enum core_prefix p)
{
	unsigned n = 0;
	for (uint32_t code = 0; code < 0x200; code++)
		n += core_op_lookup(p, code) != NULL;
	return n;
}

static void
test_code_table(void)
{
	CHECK(count_prefix(CORE_PREFIX_PLAIN) == 199);
	CHECK(count_prefix(CORE_PREFIX_FB) == 31);
	CHECK(count_prefix(CORE_PREFIX_FC) == 18);
	CHECK(count_prefix(CORE_PREFIX_FD) == 256);
	CHECK(count_prefix(CORE_PREFIX_FE) == 67);
	CHECK(core_op_lookup((enum core_prefix)0xff, 0) == NULL);
	CHECK(core_op_lookup(CORE_PREFIX_PLAIN, 0xfc) == NULL);

	const struct core_op_info *op = core_op_lookup(CORE_PREFIX_PLAIN, 0x1f);
	CHECK(op && op->imm == CORE_IMM_TRY_TABLE &&
	      strcmp(op->name, "try_table") == 0);
	op = core_op_lookup(CORE_PREFIX_FD, 0x113);
	CHECK(op && strcmp(op->name, "i32x4.relaxed_dot_i8x16_i7x16_add_s") == 0);
	CHECK(core_op_lookup(CORE_PREFIX_FD, 0x114) == NULL);
	CHECK(core_op_lookup(CORE_PREFIX_FD, 0x9a) == NULL);
	op = core_op_lookup(CORE_PREFIX_FE, 0x03);
	CHECK(op && op->imm == CORE_IMM_FENCE);
	op = core_op_lookup(CORE_PREFIX_FB, 0x18);
	CHECK(op && op->imm == CORE_IMM_BR_ON_CAST);
	op = core_op_lookup(CORE_PREFIX_FC, 0x0a);
	CHECK(op && op->imm == CORE_IMM_MEMORY_COPY);
	op = core_op_lookup(CORE_PREFIX_PLAIN, 0x3f);
	CHECK(op && op->imm == CORE_IMM_MEM);

	CHECK(CORE_OP_MEMORY_COPY == 0xfc000a);
	CHECK(CORE_OP_I32_ADD == 0x6a);
	CHECK(CORE_OP_REF_CAST_NULL == 0xfb0017);
	struct bin_writer w;
	bin_writer_init(&w);
	core_write_op(&w, CORE_OP_I32_ADD);
	core_write_op(&w, CORE_OP_MEMORY_COPY);
	core_write_op(&w, CORE_OP_I8X16_RELAXED_SWIZZLE);
	core_write_op(&w, CORE_OP_ATOMIC_FENCE);
	uint8_t want[] = {0x6a, 0xfc, 0x0a, 0xfd, 0x80, 0x02, 0xfe, 0x03};
	CHECK(w.len == sizeof want && memcmp(w.buf, want, sizeof want) == 0);
	bin_writer_clear(&w);

	CHECK(strcmp(core_space_name(CORE_SPACE_ELEM), "element segment") == 0);
	CHECK(strcmp(core_space_name(CORE_SPACE_FUNC), "function") == 0);
}

/* ---- every instruction, one body each ---- */

struct sample {
	enum core_imm imm;
	const char *pre;  /* bytes before the instruction */
	const char *args; /* its immediates */
	const char *post; /* bytes after it, before the final end */
	bool indexed;     /* has an index a remap changes */
};

static const struct sample samples[] = {
	{CORE_IMM_NONE, "", "", "", false},
	{CORE_IMM_BLOCK, "", "01", "0b", true},
	{CORE_IMM_IF, "", "40", "05 0b", false},
	{CORE_IMM_ELSE, "04 7f", "", "0b", false},
	{CORE_IMM_END, "02 40", "", "", false},
	{CORE_IMM_TRY, "", "40", "07 01 19 0b", true},
	{CORE_IMM_CATCH, "06 40", "02", "0b", true},
	{CORE_IMM_CATCH_ALL, "06 40 07 00", "", "0b", true},
	{CORE_IMM_DELEGATE, "06 40", "00", "", false},
	{CORE_IMM_TRY_TABLE, "", "40 04 00 03 00 01 01 00 02 00 03 00", "0b",
	 true},
	{CORE_IMM_LABEL, "", "00", "", false},
	{CORE_IMM_BR_TABLE, "", "02 00 01 00", "", false},
	{CORE_IMM_FUNC, "", "05", "", true},
	{CORE_IMM_CALL_INDIRECT, "", "01 00", "", true},
	{CORE_IMM_TYPE, "", "02", "", true},
	{CORE_IMM_LOCAL, "", "03", "", false},
	{CORE_IMM_GLOBAL, "", "01", "", true},
	{CORE_IMM_TABLE, "", "01", "", true},
	{CORE_IMM_TAG, "", "01", "", true},
	{CORE_IMM_MEMARG, "", "02 10", "", true},
	{CORE_IMM_MEMARG_LANE, "", "02 10 03", "", true},
	{CORE_IMM_MEM, "", "00", "", true},
	{CORE_IMM_MEMORY_COPY, "", "00 01", "", true},
	{CORE_IMM_MEMORY_INIT, "", "01 00", "", true},
	{CORE_IMM_DATA, "", "01", "", true},
	{CORE_IMM_ELEM, "", "01", "", true},
	{CORE_IMM_TABLE_INIT, "", "01 00", "", true},
	{CORE_IMM_TABLE_COPY, "", "00 01", "", true},
	{CORE_IMM_I32, "", "80 7f", "", false},
	{CORE_IMM_I64, "", "ff ff ff ff ff ff ff ff ff 7f", "", false},
	{CORE_IMM_F32, "", "00 00 80 3f", "", false},
	{CORE_IMM_F64, "", "00 00 00 00 00 00 f0 3f", "", false},
	{CORE_IMM_V128, "", "0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b 0b",
	 "", false},
	{CORE_IMM_SHUFFLE, "", "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 1f",
	 "", false},
	{CORE_IMM_LANE, "", "07", "", false},
	{CORE_IMM_SELECT_T, "", "02 7f 63 01", "", true},
	{CORE_IMM_HEAPTYPE, "", "03", "", true},
	{CORE_IMM_TYPE_FIELD, "", "01 02", "", true},
	{CORE_IMM_TYPE_TYPE, "", "01 02", "", true},
	{CORE_IMM_TYPE_U32, "", "01 90 4e", "", true},
	{CORE_IMM_TYPE_DATA, "", "01 00", "", true},
	{CORE_IMM_TYPE_ELEM, "", "01 00", "", true},
	{CORE_IMM_BR_ON_CAST, "", "03 00 01 6e", "", true},
	{CORE_IMM_FENCE, "", "00", "", false},
};

static const struct sample *
sample_for(enum core_imm imm)
{
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
		if (samples[i].imm == imm)
			return &samples[i];
	return NULL;
}

/* 00 (no locals), pre, opcode, args, post, 0b. */
static size_t
sample_body(uint8_t *buf, enum core_prefix pfx, uint32_t code,
	    const struct sample *s)
{
	size_t n = 0;
	buf[n++] = 0x00;
	n += hex(buf + n, s->pre);
	struct bin_writer w;
	bin_writer_init(&w);
	core_write_op(&w, (enum core_opcode)((uint32_t)pfx << 16 | code));
	memcpy(buf + n, w.buf, w.len);
	n += w.len;
	bin_writer_clear(&w);
	n += hex(buf + n, s->args);
	n += hex(buf + n, s->post);
	buf[n++] = 0x0b;
	return n;
}

/*
 * Identity keeps the bytes; the shift remap changes the body exactly when
 * the instruction has an index; shifting back restores it; every strict
 * prefix is refused as malformed, inside the prefix, without output.
 */
static bool
check_one_op(enum core_prefix pfx, uint32_t code, const struct sample *s)
{
	struct core_remap id, up, down;
	uint8_t body[128];
	size_t n = sample_body(body, pfx, code, s);
	struct run x, y;
	bool ok = true;
	remap_small(&id, 16);
	remap_shift(&up, &down);

	run_bytes(&x, RUN_BODY, &id, body, n);
	ok &= x.st == MELD_OK && x.w.len == n && memcmp(x.w.buf, body, n) == 0;
	ok &= x.consumed == n;
	bin_writer_clear(&x.w);

	run_bytes(&x, RUN_BODY, &up, body, n);
	ok &= x.st == MELD_OK;
	ok &= (x.w.len != n || memcmp(x.w.buf, body, n) != 0) == s->indexed;
	if (x.st == MELD_OK) {
		run_bytes(&y, RUN_BODY, &down, x.w.buf, x.w.len);
		ok &= y.st == MELD_OK && y.w.len == n &&
		      memcmp(y.w.buf, body, n) == 0;
		bin_writer_clear(&y.w);
	}
	bin_writer_clear(&x.w);

	for (size_t k = 0; k < n; k++) {
		run_bytes(&x, RUN_BODY, &id, body, k);
		ok &= x.st == MELD_EMALFORMED && x.d.offset <= k &&
		      x.consumed == 0 && x.w.len == 0;
		bin_writer_clear(&x.w);
	}
	if (!ok)
		printf("  opcode 0x%02x 0x%x (%s)\n", (unsigned)pfx, code,
		       core_op_lookup(pfx, code)->name);
	return ok;
}

static void
test_code_every_op(void)
{
	static const enum core_prefix prefixes[] = {
		CORE_PREFIX_PLAIN, CORE_PREFIX_FB, CORE_PREFIX_FC,
		CORE_PREFIX_FD, CORE_PREFIX_FE};
	unsigned tried = 0, good = 0;
	for (size_t i = 0; i < 5; i++) {
		for (uint32_t code = 0; code < 0x200; code++) {
			const struct core_op_info *op =
				core_op_lookup(prefixes[i], code);
			if (!op)
				continue;
			const struct sample *s = sample_for(op->imm);
			CHECK(s != NULL);
			if (!s)
				continue;
			tried++;
			good += check_one_op(prefixes[i], code, s);
		}
	}
	CHECK(tried == 571);
	CHECK(good == tried);
}

/* ---- byte identity ---- */

/* A body mixing every kind of immediate, some LEBs padded. */
static const char big_body[] =
	"03 02 7f 01 64 02 01 7d"             /* locals: 2 i32, (ref 2), f32 */
	" 02 40 03 7f 41 85 80 80 80 00 0c 00 0b 1a 0b" /* block, loop */
	" 10 85 80 80 80 00"                    /* call 5, padded */
	" 11 81 80 00 80 80 00"                 /* call_indirect, padded */
	" 28 82 80 00 90 80 80 80 80 80 80 80 80 00" /* i32.load, memory64 */
	" 36 42 01 04"                          /* i32.store mem 1 */
	" 42 80 80 80 80 80 80 80 80 80 7f 1a"  /* i64.const min */
	" 43 00 00 c0 7f 44 00 00 00 00 00 00 f8 7f 1a 1a"
	" 23 81 00 24 01 25 00 26 00"           /* globals, tables */
	" 04 40 01 05 01 0b"                    /* if else */
	" 0e 03 00 01 02 00"                    /* br_table */
	" 1c 01 63 82 00 1a"                    /* select (ref null 2) */
	" d0 70 d1 1a d2 03 1a d0 02 1a"        /* ref.null func, ref.func */
	" fc 08 01 00 fc 09 01 fc 0a 01 00 fc 0b 00" /* bulk memory */
	" fc 0c 01 00 fc 0d 01 fc 0e 00 01 fc 0f 00 fc 10 01 fc 11 00"
	" fc 00 fc 07"                          /* trunc_sat */
	" fd 0c 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
	" fd 0d 00 11 02 13 04 15 06 17 08 19 0a 1b 0c 1d 0e 1f"
	" fd 54 00 00 05 fd 15 0f fd 80 02 fd 93 02"
	" fe 00 02 00 fe 03 00 fe 4e 03 08"
	" 06 40 08 01 07 01 09 00 19 0b"        /* legacy try */
	" 06 40 18 00"                          /* try delegate */
	" 1f 40 02 00 01 00 03 00 0a 0b"        /* try_table */
	" fb 00 02 fb 02 02 01 fb 08 02 03 fb 09 02 01 fb 13 02 01"
	" fb 11 02 02 fb 14 02 fb 17 6b fb 18 01 00 6e 02"
	" 12 03 13 01 00 14 02 15 02 d3 d4 d5 00 d6 00"
	" 0b";

static void
test_code_identity(void)
{
	struct core_remap id, same;
	static uint32_t ident[16];
	uint8_t body[512];
	size_t n = hex(body, big_body);
	struct run x;

	remap_small(&id, 16);
	run_bytes(&x, RUN_BODY, &id, body, n);
	CHECK(x.st == MELD_OK && x.w.len == n &&
	      memcmp(x.w.buf, body, n) == 0);
	CHECK(x.consumed == n);
	if (x.st != MELD_OK)
		printf("  %s\n", diag_text(&x.d));
	bin_writer_clear(&x.w);

	/* explicit identity maps: every value equal, padding kept */
	for (uint32_t i = 0; i < 16; i++)
		ident[i] = i;
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		same.map[s] = ident;
		same.len[s] = 16;
	}
	run_bytes(&x, RUN_BODY, &same, body, n);
	CHECK(x.st == MELD_OK && x.w.len == n &&
	      memcmp(x.w.buf, body, n) == 0);
	bin_writer_clear(&x.w);

	/* check only: no writer */
	struct bin_reader r;
	diag_init(&x.d);
	bin_reader_init(&r, body, n, "t.wasm", &x.d);
	CHECK(core_rewrite_body(&id, &r, NULL) == MELD_OK && bin_at_end(&r));

	/* the shift remap and back gives the minimal encoding of the input */
	struct core_remap up, down;
	remap_shift(&up, &down);
	run_bytes(&x, RUN_BODY, &up, body, n);
	CHECK(x.st == MELD_OK);
	struct run y;
	run_bytes(&y, RUN_BODY, &down, x.w.buf, x.w.len);
	CHECK(y.st == MELD_OK && y.w.len < n);
	bin_writer_clear(&x.w);
	bin_writer_clear(&y.w);

	/* output appends to what the writer already holds */
	struct bin_writer w;
	bin_writer_init(&w);
	bin_write_u8(&w, 0xaa);
	diag_init(&x.d);
	bin_reader_init(&r, body, n, "t.wasm", &x.d);
	CHECK(core_rewrite_body(&id, &r, &w) == MELD_OK);
	CHECK(w.len == n + 1 && w.buf[0] == 0xaa &&
	      memcmp(w.buf + 1, body, n) == 0);
	/* a failure takes back its partial output */
	diag_init(&x.d);
	bin_reader_init(&r, body, n - 1, "t.wasm", &x.d);
	CHECK(core_rewrite_body(&up, &r, &w) == MELD_EMALFORMED);
	CHECK(w.len == n + 1 && r.p == body);
	bin_writer_clear(&w);
}

/* ---- remaps that change immediates ---- */

static uint32_t func_map[] = {0, 1, 2, 3, 4, 300, 6};
static uint32_t type_map[] = {0, 70, 2, 3};
static uint32_t table_map[] = {3, 0, 2, 1};
static uint32_t mem_map[] = {3, 1, 2, 0};
static uint32_t global_map[] = {0, 7, 2};
static uint32_t tag_map[] = {4, 1};
static uint32_t elem_map[] = {0, 9};
static uint32_t data_map[] = {0, 130};

static void
remap_mixed(struct core_remap *m)
{
	m->map[CORE_SPACE_FUNC] = func_map;
	m->len[CORE_SPACE_FUNC] = 7;
	m->map[CORE_SPACE_TYPE] = type_map;
	m->len[CORE_SPACE_TYPE] = 4;
	m->map[CORE_SPACE_TABLE] = table_map;
	m->len[CORE_SPACE_TABLE] = 4;
	m->map[CORE_SPACE_MEMORY] = mem_map;
	m->len[CORE_SPACE_MEMORY] = 4;
	m->map[CORE_SPACE_GLOBAL] = global_map;
	m->len[CORE_SPACE_GLOBAL] = 3;
	m->map[CORE_SPACE_TAG] = tag_map;
	m->len[CORE_SPACE_TAG] = 2;
	m->map[CORE_SPACE_ELEM] = elem_map;
	m->len[CORE_SPACE_ELEM] = 2;
	m->map[CORE_SPACE_DATA] = data_map;
	m->len[CORE_SPACE_DATA] = 2;
}

static void
test_code_remap(void)
{
	struct core_remap m;
	remap_mixed(&m);
	/* functions: call, return_call, ref.func; 300 = ac 02 */
	check_rewrite(&m, "00 10 05 12 05 d2 05 10 04 0b",
		      "00 10 ac 02 12 ac 02 d2 ac 02 10 04 0b");
	/* padded stays padded, changed or not, keeping its width */
	check_rewrite(&m, "00 10 84 80 80 80 00 10 85 80 80 80 00 0b",
		      "00 10 84 80 80 80 00 10 ac 82 80 80 00 0b");
	/* a minimal encoding stays minimal, growing when it must */
	check_rewrite(&m, "00 10 05 10 04 0b", "00 10 ac 02 10 04 0b");
	/* types: call_indirect (type, table), return_call_indirect */
	check_rewrite(&m, "00 11 01 00 13 01 03 0b", "00 11 46 03 13 46 01 0b");
	/* block type index is s33: 70 needs two bytes (c6 00) */
	check_rewrite(&m, "00 02 01 0b 03 02 0b 04 01 0b 0b",
		      "00 02 c6 00 0b 03 02 0b 04 c6 00 0b 0b");
	/* ref.null, select t, call_ref, struct.new (u32: 70 = 46) */
	check_rewrite(&m, "00 d0 01 1c 01 63 01 14 01 fb 00 01 fb 05 01 03 0b",
		      "00 d0 c6 00 1c 01 63 c6 00 14 46 fb 00 46 fb 05 46 03 0b");
	/* GC casts: heap types and array.copy */
	check_rewrite(&m, "00 fb 14 01 fb 18 01 00 01 70 fb 11 01 01 0b",
		      "00 fb 14 c6 00 fb 18 01 00 c6 00 70 fb 11 46 46 0b");
	/* locals with a typed reference */
	check_rewrite(&m, "02 01 7f 02 64 01 0b", "02 01 7f 02 64 c6 00 0b");
	/* tables */
	check_rewrite(&m, "00 25 00 26 01 fc 0f 02 fc 10 03 fc 11 00 0b",
		      "00 25 03 26 00 fc 0f 02 fc 10 01 fc 11 03 0b");
	check_rewrite(&m, "00 fc 0e 00 01 fc 0c 01 00 fc 0d 01 0b",
		      "00 fc 0e 03 00 fc 0c 09 03 fc 0d 09 0b");
	/* globals */
	check_rewrite(&m, "00 23 01 24 01 23 02 0b", "00 23 07 24 07 23 02 0b");
	/* tags: throw, legacy catch, try_table catch and catch_ref */
	check_rewrite(&m, "00 08 00 06 40 07 00 07 01 0b 0b",
		      "00 08 04 06 40 07 04 07 01 0b 0b");
	check_rewrite(&m, "00 1f 40 03 00 00 00 01 00 00 02 00 0b 0b",
		      "00 1f 40 03 00 04 00 01 04 00 02 00 0b 0b");
	/* data and element segments: 130 = 82 01 */
	check_rewrite(&m, "00 fc 08 01 00 fc 09 01 fb 09 00 01 fb 12 00 01 0b",
		      "00 fc 08 82 01 03 fc 09 82 01 fb 09 00 82 01 fb 12 00 82 01 0b");
	check_rewrite(&m, "00 fb 0a 00 01 fb 13 00 01 0b",
		      "00 fb 0a 00 09 fb 13 00 09 0b");
}

static void
test_code_memarg(void)
{
	struct core_remap m;
	remap_mixed(&m); /* memory 0 -> 3, 3 -> 0, 1 and 2 unchanged */
	/* implicit 0 -> 3: bit 6 set, index inserted, offset kept */
	check_rewrite(&m, "00 28 02 10 0b", "00 28 42 03 10 0b");
	/* explicit 3 -> 0: bit 6 cleared, index dropped */
	check_rewrite(&m, "00 36 42 03 90 80 80 80 00 0b",
		      "00 36 02 90 80 80 80 00 0b");
	/* explicit 1 stays, bytes kept (padded flags too) */
	check_rewrite(&m, "00 28 c2 80 80 80 00 01 10 0b",
		      "00 28 c2 80 80 80 00 01 10 0b");
	/* explicit 0 -> 3 */
	check_rewrite(&m, "00 28 42 00 10 0b", "00 28 42 03 10 0b");
	/* memory64 offset: ten bytes, kept */
	check_rewrite(&m, "00 29 03 ff ff ff ff ff ff ff ff ff 01 0b",
		      "00 29 43 03 ff ff ff ff ff ff ff ff ff 01 0b");
	/* lanes, atomics */
	check_rewrite(&m, "00 fd 54 00 00 05 fe 10 02 00 fd 0b 44 03 00 0b",
		      "00 fd 54 40 03 00 05 fe 10 42 03 00 fd 0b 04 00 0b");
	/* memory.size/grow/fill/copy/init */
	check_rewrite(&m, "00 3f 00 40 03 fc 0b 00 fc 0a 00 03 fc 08 00 00 0b",
		      "00 3f 03 40 00 fc 0b 03 fc 0a 03 00 fc 08 00 03 0b");

	/* and back: 0 <-> 3 is its own inverse */
	uint8_t in[64];
	size_t n = hex(in, "00 28 02 10 36 42 03 90 80 80 80 00 fc 0a 00 03 0b");
	struct run x, y;
	run_bytes(&x, RUN_BODY, &m, in, n);
	CHECK(x.st == MELD_OK);
	run_bytes(&y, RUN_BODY, &m, x.w.buf, x.w.len);
	CHECK(y.st == MELD_OK && y.w.len == n && memcmp(y.w.buf, in, n) == 0);
	bin_writer_clear(&x.w);
	bin_writer_clear(&y.w);

	/* a memarg in a module without memories is invalid */
	struct core_remap none;
	remap_small(&none, 4);
	none.len[CORE_SPACE_MEMORY] = 0;
	check_fail(RUN_BODY, &none, "00 28 02 10 0b", MELD_EINVALID, 2,
		   "code: i32.load: memory index 0 out of range (0 defined)");
}

/* ---- malformed and invalid ---- */

static void
test_code_malformed(void)
{
	struct core_remap m;
	remap_small(&m, 16);
	/* unknown opcodes in every space */
	check_fail(RUN_BODY, &m, "00 01 27 0b", MELD_EMALFORMED, 2,
		   "t.wasm:0x2: malformed: code: unknown opcode 0x27");
	check_fail(RUN_BODY, &m, "00 ff 0b", MELD_EMALFORMED, 1,
		   "unknown opcode 0xff");
	check_fail(RUN_BODY, &m, "00 16 0b", MELD_EMALFORMED, 1,
		   "unknown opcode 0x16");
	check_fail(RUN_BODY, &m, "00 c5 0b", MELD_EMALFORMED, 1,
		   "unknown opcode 0xc5");
	check_fail(RUN_BODY, &m, "00 fb 1f 0b", MELD_EMALFORMED, 1,
		   "code: unknown opcode 0xfb 0x1f");
	check_fail(RUN_BODY, &m, "00 01 fc 55 0b", MELD_EMALFORMED, 2,
		   "t.wasm:0x2: malformed: code: unknown opcode 0xfc 0x55");
	check_fail(RUN_BODY, &m, "00 fd 94 02 0b", MELD_EMALFORMED, 1,
		   "unknown opcode 0xfd 0x114");
	check_fail(RUN_BODY, &m, "00 fd 9a 01 0b", MELD_EMALFORMED, 1,
		   "unknown opcode 0xfd 0x9a");
	check_fail(RUN_BODY, &m, "00 fe 04 0b", MELD_EMALFORMED, 1,
		   "unknown opcode 0xfe 0x4");
	check_fail(RUN_BODY, &m, "00 fc 80 80 80 80 80 00", MELD_EMALFORMED, 2,
		   "prefixed opcode: integer representation too long");

	/* bad LEBs name the instruction and the field */
	check_fail(RUN_BODY, &m, "00 10 80 80 80 80 80 00 0b", MELD_EMALFORMED,
		   2, "code: call funcidx: integer representation too long");
	check_fail(RUN_BODY, &m, "00 10 ff ff ff ff 1f 0b", MELD_EMALFORMED, 2,
		   "code: call funcidx: integer too large");
	check_fail(RUN_BODY, &m, "00 41 ff ff ff ff 0f 0b", MELD_EMALFORMED, 2,
		   "code: i32.const value: integer too large");
	check_fail(RUN_BODY, &m, "00 10", MELD_EMALFORMED, 2,
		   "code: call funcidx: unexpected end (LEB128)");
	check_fail(RUN_BODY, &m, "00 43 00 00", MELD_EMALFORMED, 2,
		   "code: f32.const value: unexpected end (4 bytes needed, 2 left)");

	/* structure */
	check_fail(RUN_BODY, &m, "00 05 0b", MELD_EMALFORMED, 1,
		   "code: else: not allowed here (only inside if)");
	check_fail(RUN_BODY, &m, "00 04 40 05 05 0b 0b", MELD_EMALFORMED, 4,
		   "else: not allowed here");
	check_fail(RUN_BODY, &m, "00 02 40 07 00 0b 0b", MELD_EMALFORMED, 3,
		   "code: catch: not allowed here");
	check_fail(RUN_BODY, &m, "00 06 40 19 07 00 0b 0b", MELD_EMALFORMED, 4,
		   "code: catch: not allowed here");
	check_fail(RUN_BODY, &m, "00 06 40 19 19 0b 0b", MELD_EMALFORMED, 4,
		   "code: catch_all: not allowed here");
	check_fail(RUN_BODY, &m, "00 06 40 07 00 18 00 0b", MELD_EMALFORMED, 5,
		   "code: delegate: not allowed here (only inside try, without catch)");
	check_fail(RUN_BODY, &m, "00 18 00 0b", MELD_EMALFORMED, 1,
		   "delegate: not allowed here");
	check_fail(RUN_BODY, &m, "00 0b 0b", MELD_EMALFORMED, 2,
		   "code: 1 bytes after the final end");
	check_fail(RUN_BODY, &m, "00 02 40 0b", MELD_EMALFORMED, 4,
		   "code: unexpected end, 1 block not closed");
	check_fail(RUN_BODY, &m, "00 02 40 03 40", MELD_EMALFORMED, 5,
		   "unexpected end, 3 blocks not closed");
	check_fail(RUN_BODY, &m, "", MELD_EMALFORMED, 0,
		   "code: local group count: unexpected end");

	/* counts checked before anything else */
	check_fail(RUN_BODY, &m, "00 0e ff ff ff ff 0f 00 0b", MELD_EMALFORMED,
		   2, "code: br_table label count: count 4294967295, only 2 bytes left");
	check_fail(RUN_BODY, &m, "00 0e 02 00 00", MELD_EMALFORMED, 5,
		   "br_table labelidx: unexpected end");
	check_fail(RUN_BODY, &m, "00 1c ff ff ff ff 0f 7f 0b", MELD_EMALFORMED,
		   2, "code: select valtype count: count 4294967295");
	check_fail(RUN_BODY, &m, "00 1f 40 ff ff ff ff 0f 0b", MELD_EMALFORMED,
		   3, "code: try_table catch count: count 4294967295");
	check_fail(RUN_BODY, &m, "ff ff ff ff 0f 7f", MELD_EMALFORMED, 0,
		   "code: local group count: count 4294967295, only 1 bytes left");

	/* immediates with a closed set of values */
	check_fail(RUN_BODY, &m, "00 1f 40 01 04 00 0b 0b", MELD_EMALFORMED, 4,
		   "code: try_table catch kind: unknown catch clause 0x04");
	check_fail(RUN_BODY, &m, "00 28 80 01 00 0b", MELD_EMALFORMED, 2,
		   "code: i32.load memarg flags: 0x80 is not an alignment");
	check_fail(RUN_BODY, &m, "00 fb 18 04 00 6e 6e 0b", MELD_EMALFORMED, 3,
		   "code: br_on_cast castflags: 0x04");
	check_fail(RUN_BODY, &m, "00 fe 03 01 0b", MELD_EMALFORMED, 3,
		   "code: atomic.fence flags: 0x01, must be 0x00");
	check_fail(RUN_BODY, &m, "00 d0 7b 0b", MELD_EMALFORMED, 2,
		   "code: ref.null heap type: unknown heap type 0x7b");
	check_fail(RUN_BODY, &m, "00 d0 ff 7f 0b", MELD_EMALFORMED, 2,
		   "unknown heap type 0xff");
	check_fail(RUN_BODY, &m, "00 02 50 0b 0b", MELD_EMALFORMED, 2,
		   "code: block blocktype: unknown block type 0x50");
	check_fail(RUN_BODY, &m, "00 1c 01 40 0b", MELD_EMALFORMED, 3,
		   "code: select valtype: unknown value type 0x40");
	check_fail(RUN_BODY, &m, "01 01 50 0b", MELD_EMALFORMED, 2,
		   "code: local type: unknown value type 0x50");

	/* locals: engines' limit, and the spec's 2^32 - 1 */
	check_fail(RUN_BODY, &m, "02 ff ff 03 7f 01 7e 0b", MELD_EUNSUPPORTED, 1,
		   "code: 65535 locals, engines allow 50000");
	check_fail(RUN_BODY, &m, "02 01 7f ff ff ff ff 0f 7e 0b",
		   MELD_EMALFORMED, 3, "code: too many locals");
	check_rewrite(&m, "02 cf 86 03 7f 01 7e 0b", "02 cf 86 03 7f 01 7e 0b");
}

static void
test_code_invalid(void)
{
	struct core_remap m;
	remap_small(&m, 2);
	check_fail(RUN_BODY, &m, "00 01 10 05 0b", MELD_EINVALID, 3,
		   "t.wasm:0x3: invalid: code: call: function index 5 out of range (2 defined)");
	check_fail(RUN_BODY, &m, "00 11 02 00 0b", MELD_EINVALID, 2,
		   "code: call_indirect: type index 2 out of range");
	check_fail(RUN_BODY, &m, "00 11 00 02 0b", MELD_EINVALID, 3,
		   "table index 2 out of range");
	check_fail(RUN_BODY, &m, "00 28 42 02 00 0b", MELD_EINVALID, 3,
		   "code: i32.load: memory index 2 out of range");
	check_fail(RUN_BODY, &m, "00 23 09 0b", MELD_EINVALID, 2,
		   "code: global.get: global index 9 out of range");
	check_fail(RUN_BODY, &m, "00 08 02 0b", MELD_EINVALID, 2,
		   "code: throw: tag index 2 out of range");
	check_fail(RUN_BODY, &m, "00 06 40 07 03 0b 0b", MELD_EINVALID, 4,
		   "code: catch: tag index 3 out of range");
	check_fail(RUN_BODY, &m, "00 1f 40 01 01 05 00 0b 0b", MELD_EINVALID,
		   5, "code: try_table: tag index 5 out of range");
	check_fail(RUN_BODY, &m, "00 fc 0d 02 0b", MELD_EINVALID, 3,
		   "code: elem.drop: element segment index 2 out of range");
	check_fail(RUN_BODY, &m, "00 fc 09 02 0b", MELD_EINVALID, 3,
		   "code: data.drop: data segment index 2 out of range");
	check_fail(RUN_BODY, &m, "00 fb 09 00 07 0b", MELD_EINVALID, 4,
		   "code: array.new_data: data segment index 7");
	check_fail(RUN_BODY, &m, "00 02 05 0b 0b", MELD_EINVALID, 2,
		   "code: block: type index 5 out of range");
	check_fail(RUN_BODY, &m, "01 01 63 05 0b", MELD_EINVALID, 3,
		   "code: type index 5 out of range");

	/* core_remap_index itself */
	struct diag d;
	struct bin_reader r;
	uint8_t dummy = 0;
	uint32_t out = 0;
	diag_init(&d);
	bin_reader_init(&r, &dummy, 1, "t.wasm", &d);
	CHECK(core_remap_index(&m, CORE_SPACE_FUNC, 1, &r, 0, &out) ==
		      MELD_OK &&
	      out == 1);
	CHECK(core_remap_index(&m, CORE_SPACE_DATA, 2, &r, 0x10, &out) ==
	      MELD_EINVALID);
	CHECK(strcmp(diag_text(&d), "t.wasm:0x10: invalid: data segment index "
				    "2 out of range (2 defined)") == 0);
	struct core_remap any;
	core_remap_identity(&any);
	CHECK(core_remap_index(&any, CORE_SPACE_TAG, 123456, &r, 0, &out) ==
		      MELD_OK &&
	      out == 123456);
}

/* Every strict prefix of a real multi-instruction body is refused. */
static void
test_code_truncation(void)
{
	struct core_remap m;
	uint8_t body[512];
	size_t n = hex(body, big_body);
	unsigned refused = 0, clean = 0;
	remap_small(&m, 16);
	for (size_t k = 0; k < n; k++) {
		struct run x;
		run_bytes(&x, RUN_BODY, &m, body, k);
		refused += x.st == MELD_EMALFORMED && x.d.offset <= k;
		clean += x.consumed == 0 && x.w.len == 0;
		bin_writer_clear(&x.w);
	}
	CHECK(refused == n);
	CHECK(clean == n);
	/* and as a constant expression (no locals): same, never past k */
	refused = 0;
	for (size_t k = 8; k < n; k++) {
		struct run x;
		run_bytes(&x, RUN_CONST, &m, body + 8, k - 8);
		refused += x.st == MELD_EMALFORMED;
		bin_writer_clear(&x.w);
	}
	CHECK(refused == n - 8);
}

/*
 * Every one-byte change of the big body: either it still decodes (then
 * identity copies it exactly) or it is refused with a diagnostic inside
 * the body and no output.  Never a crash (run under ASan too).
 */
static void
test_code_mutations(void)
{
	struct core_remap m;
	uint8_t body[512];
	size_t n = hex(body, big_body);
	unsigned runs = 0, sound = 0;
	remap_small(&m, 16);
	for (size_t i = 0; i < n; i++) {
		uint8_t orig = body[i];
		for (unsigned v = 0; v < 256; v++) {
			struct run x;
			body[i] = (uint8_t)v;
			run_bytes(&x, RUN_BODY, &m, body, n);
			runs++;
			if (x.st == MELD_OK)
				sound += x.w.len == n &&
					 memcmp(x.w.buf, body, n) == 0 &&
					 x.consumed == n;
			else
				sound += x.d.status == x.st &&
					 x.d.offset <= n && x.w.len == 0 &&
					 x.consumed == 0;
			bin_writer_clear(&x.w);
		}
		body[i] = orig;
	}
	CHECK(runs == n * 256);
	CHECK(sound == runs);
}

/* Nesting deeper than the inline frame stack, and out of memory there. */
static void
test_code_nesting(void)
{
	enum { DEPTH = 1000 };
	static uint8_t body[2 * DEPTH + DEPTH + 8];
	size_t n = 0;
	struct core_remap m;
	struct run x;
	remap_small(&m, 4);
	body[n++] = 0x00;
	for (int i = 0; i < DEPTH; i++) {
		body[n++] = i % 2 ? 0x02 : 0x04; /* block / if */
		body[n++] = 0x40;
	}
	for (int i = 0; i < DEPTH; i++)
		body[n++] = 0x0b;
	body[n++] = 0x0b;
	run_bytes(&x, RUN_BODY, &m, body, n);
	CHECK(x.st == MELD_OK && x.w.len == n &&
	      memcmp(x.w.buf, body, n) == 0);
	bin_writer_clear(&x.w);

	/* one end too few */
	run_bytes(&x, RUN_BODY, &m, body, n - 1);
	CHECK(x.st == MELD_EMALFORMED);
	CHECK(strstr(diag_text(&x.d), "1 block not closed") != NULL);
	bin_writer_clear(&x.w);

	/* the frame stack cannot grow: out of memory, nothing leaks */
	struct diag d;
	struct bin_reader r;
	diag_init(&d);
	bin_reader_init(&r, body, n, "t.wasm", &d);
	mem_fail_after(1);
	CHECK(core_rewrite_body(&m, &r, NULL) == MELD_ENOMEM);
	mem_fail_after(0);
	CHECK(d.status == MELD_ENOMEM && r.p == body);

	/* the writer cannot grow */
	struct bin_writer w;
	bin_writer_init(&w);
	diag_init(&d);
	uint8_t small[] = {0x00, 0x01, 0x0b};
	bin_reader_init(&r, small, sizeof small, "t.wasm", &d);
	mem_fail_after(1);
	CHECK(core_rewrite_body(&m, &r, &w) == MELD_ENOMEM);
	mem_fail_after(0);
	CHECK(strstr(diag_text(&d), "out of memory") != NULL);
	bin_writer_clear(&w);
}

static void
test_code_const_expr(void)
{
	struct core_remap m;
	struct run x;
	remap_mixed(&m);
	/* extended-const: stops after its end, leaving what follows */
	run_hex(&x, RUN_CONST, &m, "41 05 23 01 6a 0b 99 98");
	CHECK(out_is(&x, "41 05 23 07 6a 0b") && x.consumed == 6);
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_CONST, &m, "d2 05 0b");
	CHECK(out_is(&x, "d2 ac 02 0b") && x.consumed == 3);
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_CONST, &m, "0b");
	CHECK(out_is(&x, "0b") && x.consumed == 1);
	bin_writer_clear(&x.w);
	/* GC constants: struct.new, array.new_fixed, ref.i31 */
	run_hex(&x, RUN_CONST, &m, "41 01 fb 1c 41 02 fb 08 01 02 fb 00 01 0b");
	CHECK(out_is(&x, "41 01 fb 1c 41 02 fb 08 46 02 fb 00 46 0b"));
	bin_writer_clear(&x.w);
	check_fail(RUN_CONST, &m, "41 05", MELD_EMALFORMED, 2,
		   "constant expression: unexpected end, 1 block not closed");
	check_fail(RUN_CONST, &m, "23 05 0b", MELD_EINVALID, 1,
		   "constant expression: global.get: global index 5 out of range");
	check_fail(RUN_CONST, &m, "", MELD_EMALFORMED, 0,
		   "constant expression: unexpected end");
}

static void
test_code_types(void)
{
	struct core_remap m;
	struct run x;
	remap_mixed(&m); /* type 1 -> 70 */
	run_hex(&x, RUN_VALTYPE, &m, "7f 00");
	CHECK(out_is(&x, "7f") && x.consumed == 1);
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_VALTYPE, &m, "63 01");
	CHECK(out_is(&x, "63 c6 00"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_VALTYPE, &m, "64 81 80 80 80 00");
	CHECK(out_is(&x, "64 c6 00"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_VALTYPE, &m, "64 82 80 00");
	CHECK(out_is(&x, "64 82 80 00"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_VALTYPE, &m, "69");
	CHECK(out_is(&x, "69"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_HEAPTYPE, &m, "74");
	CHECK(out_is(&x, "74"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_HEAPTYPE, &m, "01");
	CHECK(out_is(&x, "c6 00"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_REFTYPE, &m, "70");
	CHECK(out_is(&x, "70"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_REFTYPE, &m, "64 01");
	CHECK(out_is(&x, "64 c6 00"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_STORAGETYPE, &m, "78");
	CHECK(out_is(&x, "78"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_STORAGETYPE, &m, "63 01");
	CHECK(out_is(&x, "63 c6 00"));
	bin_writer_clear(&x.w);

	/* a type index of 64 or more is two s33 bytes: c0 00 */
	static uint32_t big[70];
	for (uint32_t i = 0; i < 70; i++)
		big[i] = 69 - i;
	struct core_remap rev;
	remap_small(&rev, 4);
	rev.map[CORE_SPACE_TYPE] = big;
	rev.len[CORE_SPACE_TYPE] = 70;
	run_hex(&x, RUN_VALTYPE, &rev, "63 05");
	CHECK(out_is(&x, "63 c0 00"));
	bin_writer_clear(&x.w);
	run_hex(&x, RUN_VALTYPE, &rev, "63 c0 00");
	CHECK(out_is(&x, "63 05"));
	bin_writer_clear(&x.w);

	check_fail(RUN_VALTYPE, &m, "7a", MELD_EMALFORMED, 0,
		   "value type: unknown value type 0x7a");
	check_fail(RUN_VALTYPE, &m, "78", MELD_EMALFORMED, 0,
		   "unknown value type 0x78");
	check_fail(RUN_VALTYPE, &m, "63", MELD_EMALFORMED, 1,
		   "value type: unexpected end");
	check_fail(RUN_VALTYPE, &m, "63 05", MELD_EINVALID, 1,
		   "value type: type index 5 out of range (4 defined)");
	check_fail(RUN_REFTYPE, &m, "7f", MELD_EMALFORMED, 0,
		   "reference type: unknown reference type 0x7f");
	check_fail(RUN_HEAPTYPE, &m, "68", MELD_EMALFORMED, 0,
		   "heap type: unknown heap type 0x68");
	check_fail(RUN_HEAPTYPE, &m, "80 80 80 80 70", MELD_EMALFORMED, 0,
		   "heap type: unknown heap type 0x80");
	check_fail(RUN_STORAGETYPE, &m, "", MELD_EMALFORMED, 0,
		   "storage type: unexpected end");
}

void
test_code(void)
{
	test_code_table();
	test_code_every_op();
	test_code_identity();
	test_code_remap();
	test_code_memarg();
	test_code_malformed();
	test_code_invalid();
	test_code_truncation();
	test_code_mutations();
	test_code_nesting();
	test_code_const_expr();
	test_code_types();
}
