/*
 * test_abi: resolved value types and the canonical ABI's layout math.
 * Every expected size, alignment, flattening and offset below was worked
 * out by hand from CanonicalABI.md ("Alignment", "Element Size",
 * "Flattening"); the comment beside each row shows the working so a
 * reader can check it.  Types are written in a small WIT-like syntax
 * parsed here (test_abi_parse_type), with two extensions for big
 * label lists: enum<N> and flags<N> have N generated labels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "harness.h"
#include "vtype.h"

/* Shared with test_cgen.c. */
struct vtype *test_abi_parse_type(struct arena *a, const char *text,
				  const struct vtype_resource *res);
struct vtype_func *test_abi_parse_func(struct arena *a, const char *text,
				       const struct vtype_resource *res);

/* ---- a tiny parser for the test types -------------------------------- */

#define MAX_MEMBERS 32

struct tp {
	const char *p;
	struct arena *a;
	const struct vtype_resource *res; /* res[0] is "r", res[1] is "s" */
	bool err;
};

static void
tp_ws(struct tp *t)
{
	while (*t->p == ' ')
		t->p++;
}

static bool
tp_eat(struct tp *t, char c)
{
	tp_ws(t);
	if (*t->p != c)
		return false;
	t->p++;
	return true;
}

static void
tp_expect(struct tp *t, char c)
{
	if (!tp_eat(t, c))
		t->err = true;
}

static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static struct bin_name
tp_word(struct tp *t)
{
	tp_ws(t);
	struct bin_name n = {(const uint8_t *)t->p, 0};
	while (is_word(t->p[n.len]))
		n.len++;
	t->p += n.len;
	if (n.len == 0)
		t->err = true;
	return n;
}

static uint32_t
tp_number(struct tp *t)
{
	struct bin_name n = tp_word(t);
	char tmp[16] = {0};
	if (n.len == 0 || n.len >= sizeof tmp)
		return t->err = true, 0;
	memcpy(tmp, n.p, n.len);
	return (uint32_t)strtoul(tmp, NULL, 10);
}

static struct vtype *tp_type(struct tp *t);

static const struct {
	const char *name;
	enum vtype_kind kind;
} prims[] = {
	{"bool", VTYPE_BOOL},   {"s8", VTYPE_S8},         {"u8", VTYPE_U8},
	{"s16", VTYPE_S16},     {"u16", VTYPE_U16},       {"s32", VTYPE_S32},
	{"u32", VTYPE_U32},     {"s64", VTYPE_S64},       {"u64", VTYPE_U64},
	{"f32", VTYPE_F32},     {"f64", VTYPE_F64},       {"char", VTYPE_CHAR},
	{"string", VTYPE_STRING}, {"error-context", VTYPE_ERROR_CONTEXT},
};

/* N generated labels "l0".."l<N-1>", in the arena. */
static struct bin_name *
gen_labels(struct arena *a, uint32_t n)
{
	struct bin_name *l = arena_alloc_array(a, n, sizeof *l);
	for (uint32_t i = 0; l && i < n; i++) {
		char tmp[16];
		int len = snprintf(tmp, sizeof tmp, "l%u", (unsigned)i);
		l[i].p = arena_dup(a, tmp, (size_t)len);
		l[i].len = (uint32_t)len;
	}
	return l;
}

/* "{ a, b }" or "<N>" after enum / flags. */
static struct vtype *
tp_labels(struct tp *t, enum vtype_kind kind)
{
	struct bin_name labels[MAX_MEMBERS];
	struct bin_name *l = labels;
	uint32_t n = 0;
	if (tp_eat(t, '<')) {
		n = tp_number(t);
		tp_expect(t, '>');
		l = gen_labels(t->a, n);
	} else {
		tp_expect(t, '{');
		while (!t->err && !tp_eat(t, '}') && n < MAX_MEMBERS) {
			if (n)
				tp_expect(t, ',');
			labels[n++] = tp_word(t);
		}
	}
	if (t->err || !l)
		return NULL;
	return kind == VTYPE_ENUM ? vtype_enum(t->a, l, n)
				  : vtype_flags(t->a, l, n);
}

/* "{ a: T, ... }" (record) or "{ a(T), b, ... }" (variant). */
static struct vtype *
tp_members(struct tp *t, enum vtype_kind kind)
{
	struct bin_name labels[MAX_MEMBERS];
	const struct vtype *types[MAX_MEMBERS] = {0};
	uint32_t n = 0;
	tp_expect(t, '{');
	while (!t->err && !tp_eat(t, '}') && n < MAX_MEMBERS) {
		if (n)
			tp_expect(t, ',');
		labels[n] = tp_word(t);
		if (kind == VTYPE_RECORD) {
			tp_expect(t, ':');
			types[n] = tp_type(t);
		} else if (tp_eat(t, '(')) {
			types[n] = tp_type(t);
			tp_expect(t, ')');
		}
		n++;
	}
	if (t->err)
		return NULL;
	return kind == VTYPE_RECORD ? vtype_record(t->a, labels, types, n)
				    : vtype_variant(t->a, labels, types, n);
}

/* "<T, U, ...>" with "_" for an absent type; returns the count. */
static uint32_t
tp_args(struct tp *t, const struct vtype **types)
{
	uint32_t n = 0;
	if (!tp_eat(t, '<'))
		return 0;
	while (!t->err && !tp_eat(t, '>') && n < MAX_MEMBERS) {
		if (n)
			tp_expect(t, ',');
		tp_ws(t);
		if (t->p[0] == '_' && !is_word(t->p[1]))
			t->p++, types[n++] = NULL;
		else
			types[n++] = tp_type(t);
	}
	return n;
}

static const struct vtype_resource *
tp_resource(struct tp *t)
{
	tp_expect(t, '<');
	struct bin_name n = tp_word(t);
	tp_expect(t, '>');
	if (n.len == 1 && n.p[0] == 'r')
		return &t->res[0];
	if (n.len == 1 && n.p[0] == 's')
		return &t->res[1];
	t->err = true;
	return NULL;
}

static struct vtype *
tp_list(struct tp *t)
{
	tp_expect(t, '<');
	const struct vtype *elem = tp_type(t);
	if (tp_eat(t, ',')) {
		uint32_t len = tp_number(t);
		tp_expect(t, '>');
		return t->err ? NULL : vtype_fixed_list(t->a, elem, len);
	}
	tp_expect(t, '>');
	return t->err ? NULL : vtype_list(t->a, elem);
}

static struct vtype *
tp_compound(struct tp *t, struct bin_name w)
{
	const struct vtype *args[MAX_MEMBERS] = {0};
	if (bin_name_eq(w, "list"))
		return tp_list(t);
	if (bin_name_eq(w, "record"))
		return tp_members(t, VTYPE_RECORD);
	if (bin_name_eq(w, "variant"))
		return tp_members(t, VTYPE_VARIANT);
	if (bin_name_eq(w, "enum"))
		return tp_labels(t, VTYPE_ENUM);
	if (bin_name_eq(w, "flags"))
		return tp_labels(t, VTYPE_FLAGS);
	if (bin_name_eq(w, "own"))
		return vtype_own(t->a, tp_resource(t));
	if (bin_name_eq(w, "borrow"))
		return vtype_borrow(t->a, tp_resource(t));
	uint32_t n = tp_args(t, args);
	if (t->err)
		return NULL;
	if (bin_name_eq(w, "tuple"))
		return vtype_tuple(t->a, args, n);
	if (bin_name_eq(w, "option") && n == 1)
		return vtype_option(t->a, args[0]);
	if (bin_name_eq(w, "result") && n <= 2)
		return vtype_result(t->a, args[0], args[1]);
	if (bin_name_eq(w, "stream") && n <= 1)
		return vtype_stream(t->a, args[0]);
	if (bin_name_eq(w, "future") && n <= 1)
		return vtype_future(t->a, args[0]);
	if (bin_name_eq(w, "map") && n == 2)
		return vtype_map(t->a, args[0], args[1]);
	t->err = true;
	return NULL;
}

static struct vtype *
tp_type(struct tp *t)
{
	struct bin_name w = tp_word(t);
	if (t->err)
		return NULL;
	struct vtype *v = NULL;
	for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
		if (bin_name_eq(w, prims[i].name))
			v = vtype_prim(t->a, prims[i].kind);
	if (!v)
		v = tp_compound(t, w);
	if (!v)
		t->err = true;
	return v;
}

/* Set while allocations are made to fail on purpose. */
static bool tp_quiet;

struct vtype *
test_abi_parse_type(struct arena *a, const char *text,
		    const struct vtype_resource *res)
{
	struct tp t = {text, a, res, false};
	struct vtype *v = tp_type(&t);
	tp_ws(&t);
	if (t.err || *t.p != '\0') {
		if (!tp_quiet)
			printf("parse error in '%s' at '%s'\n", text, t.p);
		return NULL;
	}
	return v;
}

/* "func(a: T, b: U) -> R", "async func()". */
struct vtype_func *
test_abi_parse_func(struct arena *a, const char *text,
		    const struct vtype_resource *res)
{
	struct tp t = {text, a, res, false};
	struct vtype_param params[64];
	uint32_t n = 0;
	struct bin_name w = tp_word(&t);
	bool async = bin_name_eq(w, "async");
	if (async)
		w = tp_word(&t);
	if (!bin_name_eq(w, "func"))
		t.err = true;
	tp_expect(&t, '(');
	while (!t.err && !tp_eat(&t, ')') && n < 64) {
		if (n)
			tp_expect(&t, ',');
		params[n].label = tp_word(&t);
		tp_expect(&t, ':');
		params[n++].type = tp_type(&t);
	}
	const struct vtype *result = NULL;
	if (tp_eat(&t, '-')) {
		tp_expect(&t, '>');
		result = tp_type(&t);
	}
	tp_ws(&t);
	if (t.err || *t.p != '\0') {
		printf("parse error in '%s' at '%s'\n", text, t.p);
		return NULL;
	}
	return vtype_func_create(a, async, params, n, result);
}

/* ---- helpers --------------------------------------------------------- */

static const char *
core_name(enum abi_core c)
{
	switch (c) {
	case ABI_I32: return "i32";
	case ABI_I64: return "i64";
	case ABI_F32: return "f32";
	case ABI_F64: return "f64";
	}
	return "?";
}

/* "i32 i64 f32" */
static const char *
flat_text(const struct abi_flat *f, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < f->count && len + 5 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					i ? " " : "", core_name(f->types[i]));
	return buf;
}

/* Field offsets of a record/tuple, or "p<N>" for a variant's payload. */
static const char *
offsets_text(const struct vtype *t, enum abi_ptr ptr, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	if (abi_case_count(t) > 0) {
		snprintf(buf, cap, "p%u", (unsigned)abi_payload_offset(t, ptr));
		return buf;
	}
	for (uint32_t i = 0; i < abi_field_count(t) && len + 12 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%u",
					i ? " " : "",
					(unsigned)abi_field_offset(t, i, ptr));
	return buf;
}

static struct vtype_resource test_res[2];

static void
init_resources(void)
{
	test_res[0].id = 0;
	test_res[0].name.p = (const uint8_t *)"r";
	test_res[0].name.len = 1;
	test_res[1].id = 1;
	test_res[1].name.p = (const uint8_t *)"s";
	test_res[1].name.len = 1;
}

/* ---- layout table ---------------------------------------------------- */

struct layout_case {
	const char *type;
	uint32_t size, align;     /* i32 pointers */
	const char *flat;         /* flatten_type, i32 pointers */
	const char *offsets;      /* fields "0 4", payload "p4", or "" */
	uint32_t size64, align64; /* i64 pointers; 0: same as i32 */
	enum vtype_problem problem;
};

static const struct layout_case layout_cases[] = {
	/* primitives: sizes are their widths; string = (ptr, len) */
	{"bool", 1, 1, "i32", "", 0, 0, VTYPE_OK},
	{"s8", 1, 1, "i32", "", 0, 0, VTYPE_OK},
	{"u8", 1, 1, "i32", "", 0, 0, VTYPE_OK},
	{"s16", 2, 2, "i32", "", 0, 0, VTYPE_OK},
	{"u16", 2, 2, "i32", "", 0, 0, VTYPE_OK},
	{"s32", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"u32", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"s64", 8, 8, "i64", "", 0, 0, VTYPE_OK},
	{"u64", 8, 8, "i64", "", 0, 0, VTYPE_OK},
	{"f32", 4, 4, "f32", "", 0, 0, VTYPE_OK},
	{"f64", 8, 8, "f64", "", 0, 0, VTYPE_OK},
	{"char", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"error-context", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	/* string: 2 * ptr_size, aligned to ptr_size; i64: 16, 8 */
	{"string", 8, 4, "i32 i32", "", 16, 8, VTYPE_OK},
	{"own<r>", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"borrow<r>", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"stream<u8>", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"future", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	/* variable-length list: like string */
	{"list<u64>", 8, 4, "i32 i32", "", 16, 8, VTYPE_OK},
	/* map<K,V> = list<tuple<K,V>> */
	{"map<string, u32>", 8, 4, "i32 i32", "", 16, 8, VTYPE_OK},
	/* fixed-length lists: maybe_length * elem_size, elem alignment,
	 * flattening repeated maybe_length times */
	{"list<u8, 4>", 4, 1, "i32 i32 i32 i32", "", 0, 0, VTYPE_OK},
	{"list<u32, 3>", 12, 4, "i32 i32 i32", "", 0, 0, VTYPE_OK},
	/* inner list<u16,2>: 4 bytes, align 2; outer 3 * 4 = 12 */
	{"list<list<u16, 2>, 3>", 12, 2, "i32 i32 i32 i32 i32 i32", "", 0, 0,
	 VTYPE_OK},
	/* list<string,2>: 2 * 8 = 16 (i64: 2 * 16 = 32, align 8) */
	{"list<string, 2>", 16, 4, "i32 i32 i32 i32", "", 32, 8, VTYPE_OK},
	/* tuple<u8,u32>: u8@0 (end 1), u32 aligned to 4 @4 (end 8) */
	{"tuple<u8, u32>", 8, 4, "i32 i32", "0 4", 0, 0, VTYPE_OK},
	/* u8@0 end 1; list<u8,3> align 1 @1 end 4; u16 @4 end 6; align 2 */
	{"tuple<u8, list<u8, 3>, u16>", 6, 2, "i32 i32 i32 i32 i32", "0 1 4",
	 0, 0, VTYPE_OK},
	/* a@0 end 1; b align 2 @2 end 4; c align 8 @8 end 16; d @16 end 17;
	 * align_to(17, 8) = 24 */
	{"record { a: u8, b: u16, c: u64, d: u8 }", 24, 8, "i32 i32 i64 i32",
	 "0 2 8 16", 0, 0, VTYPE_OK},
	/* a@0 end 8; b@8 end 9; align_to(9, 8) = 16 */
	{"record { a: u64, b: u8 }", 16, 8, "i64 i32", "0 8", 0, 0, VTYPE_OK},
	/* i32: a@0 end 8; b@8 end 9; c align 8 @16 end 24.
	 * i64: a@0 end 16; b@16 end 17; c @24 end 32 */
	{"record { a: string, b: u8, c: f64 }", 24, 8, "i32 i32 i32 f64",
	 "0 8 16", 32, 8, VTYPE_OK},
	/* option<char>: disc 1, payload @4, size 8, align 4;
	 * record: a@0 end 1, b@4 end 12 */
	{"record { a: bool, b: option<char> }", 12, 4, "i32 i32 i32", "0 4", 0,
	 0, VTYPE_OK},
	/* option<u8> = variant { none, some(u8) }: disc u8; payload @1;
	 * 1 + 1 = 2, align 1; flat [i32 disc] + [i32] */
	{"option<u8>", 2, 1, "i32 i32", "p1", 0, 0, VTYPE_OK},
	/* option<option<u8>>: inner 2 bytes align 1; 1 + 2 = 3 */
	{"option<option<u8>>", 3, 1, "i32 i32 i32", "p1", 0, 0, VTYPE_OK},
	/* option<u64>: payload aligned to 8: @8, 8 + 8 = 16 */
	{"option<u64>", 16, 8, "i32 i64", "p8", 0, 0, VTYPE_OK},
	/* result<_, string>: ok has no payload; payload @4 (string align),
	 * 4 + 8 = 12; i64: @8, 8 + 16 = 24, align 8 */
	{"result<_, string>", 12, 4, "i32 i32 i32", "p4", 24, 8, VTYPE_OK},
	/* result: no payloads at all: just the u8 discriminant */
	{"result", 1, 1, "i32", "p1", 0, 0, VTYPE_OK},
	/* join(i32, f32) = i32 */
	{"result<u32, f32>", 8, 4, "i32 i32", "p4", 0, 0, VTYPE_OK},
	/* join(f32, f64) = i64; payload @8, size 16 */
	{"result<f32, f64>", 16, 8, "i32 i64", "p8", 0, 0, VTYPE_OK},
	/* join(i64, f32) = i64 */
	{"result<u64, f32>", 16, 8, "i32 i64", "p8", 0, 0, VTYPE_OK},
	/* cases: a [i32], b [f32 i32], c [i64], d none.
	 * slot 0: join(join(i32, f32), i64) = i64; slot 1: i32.
	 * case alignments 1, 4, 8 -> payload @8; max case size 8 -> 16 */
	{"variant { a(u8), b(tuple<f32, u32>), c(u64), d }", 16, 8,
	 "i32 i64 i32", "p8", 0, 0, VTYPE_OK},
	/* nested: a = option<f32> [i32 f32] (8 bytes, align 4);
	 * b = result<u8, s64> [i32 i64] (16 bytes, align 8).
	 * slot 0: join(i32, i32) = i32; slot 1: join(f32, i64) = i64.
	 * outer: disc 1, payload @8, 8 + 16 = 24, align 8 */
	{"variant { a(option<f32>), b(result<u8, s64>) }", 24, 8,
	 "i32 i32 i64", "p8", 0, 0, VTYPE_OK},
	/* enum = variant without payloads: u8 discriminant */
	{"enum { a, b, c }", 1, 1, "i32", "p1", 0, 0, VTYPE_OK},
	/* 256 cases still fit u8 (ceil(log2(256)/8) = 1) */
	{"enum<256>", 1, 1, "i32", "p1", 0, 0, VTYPE_OK},
	/* 257 cases: u16 (ceil(log2(257)/8) = 2) */
	{"enum<257>", 2, 2, "i32", "p2", 0, 0, VTYPE_OK},
	/* 65536 cases: u16; 65537: u32 (ceil(16.00002/8) = 3 -> u32) */
	{"enum<65536>", 2, 2, "i32", "p2", 0, 0, VTYPE_OK},
	{"enum<65537>", 4, 4, "i32", "p4", 0, 0, VTYPE_OK},
	/* flags: <=8 -> 1 byte, <=16 -> 2, <=32 -> 4, one i32.
	 * 0 and >32 labels are invalid today; the earlier spec's rule
	 * (4 bytes and one i32 per 32 labels, 0 -> nothing) is kept. */
	{"flags<0>", 0, 1, "", "", 0, 0, VTYPE_BAD_FLAGS},
	{"flags<1>", 1, 1, "i32", "", 0, 0, VTYPE_OK},
	{"flags<8>", 1, 1, "i32", "", 0, 0, VTYPE_OK},
	{"flags<9>", 2, 2, "i32", "", 0, 0, VTYPE_OK},
	{"flags<16>", 2, 2, "i32", "", 0, 0, VTYPE_OK},
	{"flags<17>", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"flags<32>", 4, 4, "i32", "", 0, 0, VTYPE_OK},
	{"flags<33>", 8, 4, "i32 i32", "", 0, 0, VTYPE_BAD_FLAGS},
	{"flags<64>", 8, 4, "i32 i32", "", 0, 0, VTYPE_BAD_FLAGS},
	{"flags<65>", 12, 4, "i32 i32 i32", "", 0, 0, VTYPE_BAD_FLAGS},
	/* record { a: flags<9>, b: u8 }: a@0 end 2, b@2 end 3 -> 4 */
	{"record { a: flags<9>, b: u8 }", 4, 2, "i32 i32", "0 2", 0, 0,
	 VTYPE_OK},
	/* invalid shapes still get numbers */
	{"list<u8, 0>", 0, 1, "", "", 0, 0, VTYPE_BAD_LENGTH},
	{"record { }", 0, 1, "", "", 0, 0, VTYPE_BAD_EMPTY},
};

static void
test_layout_table(struct arena *a)
{
	char buf[256], text[128];
	for (size_t i = 0; i < sizeof layout_cases / sizeof layout_cases[0];
	     i++) {
		const struct layout_case *c = &layout_cases[i];
		struct vtype *t = test_abi_parse_type(a, c->type, test_res);
		CHECK(t != NULL);
		if (!t)
			continue;
		struct abi_flat flat;
		abi_flatten(t, ABI_PTR_I32, &flat);
		uint32_t size64 = c->size64 ? c->size64 : c->size;
		uint32_t align64 = c->align64 ? c->align64 : c->align;
		bool ok = abi_elem_size(t, ABI_PTR_I32) == c->size &&
			  abi_alignment(t, ABI_PTR_I32) == c->align &&
			  abi_elem_size(t, ABI_PTR_I64) == size64 &&
			  abi_alignment(t, ABI_PTR_I64) == align64 &&
			  strcmp(flat_text(&flat, buf, sizeof buf), c->flat) ==
				  0 &&
			  abi_flat_count(t) == flat.count &&
			  strcmp(offsets_text(t, ABI_PTR_I32, text,
					      sizeof text),
				 c->offsets) == 0 &&
			  t->info.problem == c->problem;
		if (!ok)
			printf("  %s: size %u align %u size64 %u align64 %u "
			       "flat '%s' offsets '%s' problem %u\n",
			       c->type, abi_elem_size(t, ABI_PTR_I32),
			       abi_alignment(t, ABI_PTR_I32),
			       abi_elem_size(t, ABI_PTR_I64),
			       abi_alignment(t, ABI_PTR_I64),
			       flat_text(&flat, buf, sizeof buf),
			       offsets_text(t, ABI_PTR_I32, text, sizeof text),
			       t->info.problem);
		CHECK(ok);
	}
}

/* ---- sizes near and past the limit ------------------------------------ */

static void
test_size_limits(struct arena *a)
{
	struct diag d;
	struct vtype *t;

	/* 2^28 - 1 bytes is the largest allowed */
	t = test_abi_parse_type(a, "list<u8, 268435455>", test_res);
	CHECK(t && abi_elem_size(t, ABI_PTR_I32) == 268435455u);
	CHECK(t && t->info.problem == VTYPE_OK);
	/* 2^28 bytes is refused */
	t = test_abi_parse_type(a, "list<u8, 268435456>", test_res);
	CHECK(t && abi_elem_size(t, ABI_PTR_I32) == VTYPE_SIZE_TOO_BIG);
	diag_init(&d);
	CHECK(t && abi_check(t, &d, "x.wasm", 0x10) == MELD_EINVALID);
	CHECK(strstr(diag_text(&d), "x.wasm:0x10: invalid:") != NULL);
	CHECK(strstr(diag_text(&d), "2^28") != NULL);
	/* 8 * 2^25 = 2^28: refused; 8 * (2^25 - 1) fits */
	t = test_abi_parse_type(a, "list<u64, 33554432>", test_res);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_BIG);
	t = test_abi_parse_type(a, "list<u64, 33554431>", test_res);
	CHECK(t && abi_elem_size(t, ABI_PTR_I32) == 268435448u);
	/*
	 * The limit applies to elem_size(t, 'i64'): 2^24 strings are
	 * 2^27 bytes with i32 pointers but 2^28 with i64 ones.
	 */
	t = test_abi_parse_type(a, "list<string, 16777216>", test_res);
	CHECK(t && abi_elem_size(t, ABI_PTR_I32) == 134217728u);
	CHECK(t && abi_elem_size(t, ABI_PTR_I64) == VTYPE_SIZE_TOO_BIG);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_BIG);
	/* nested lengths whose product overflows 64 bits stay "too big" */
	t = test_abi_parse_type(
		a,
		"list<list<list<u64, 4294967295>, 4294967295>, 4294967295>",
		test_res);
	CHECK(t && abi_elem_size(t, ABI_PTR_I32) == VTYPE_SIZE_TOO_BIG);
	CHECK(t && abi_elem_size(t, ABI_PTR_I64) == VTYPE_SIZE_TOO_BIG);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_BIG);
	/* 16 * 2^16 * 2^16 bytes: the middle level is already too big */
	t = test_abi_parse_type(
		a, "list<list<list<u8, 65536>, 65536>, 65536>", test_res);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_BIG);
	/* a too-big member makes its record, variant and option too big */
	t = test_abi_parse_type(
		a, "record { a: u8, b: option<list<u8, 268435456>> }",
		test_res);
	CHECK(t && abi_elem_size(t, ABI_PTR_I32) == VTYPE_SIZE_TOO_BIG);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_BIG);
	/* a record whose fields sum past the limit */
	t = test_abi_parse_type(
		a, "tuple<list<u8, 200000000>, list<u8, 200000000>>", test_res);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_BIG);
	/* elem_size_list directly */
	uint32_t len = 3, out = 0;
	t = vtype_prim(a, VTYPE_U16);
	CHECK(abi_elem_size_list(t, &len, ABI_PTR_I32, &out) && out == 6);
	CHECK(abi_elem_size_list(t, NULL, ABI_PTR_I64, &out) && out == 16);
	len = 1u << 27;
	CHECK(!abi_elem_size_list(t, &len, ABI_PTR_I32, &out));
	/* other problems are reported with their own words */
	diag_init(&d);
	t = test_abi_parse_type(a, "flags<33>", test_res);
	CHECK(t && abi_check(t, &d, "y.wasm", 3) == MELD_EINVALID);
	CHECK(strstr(diag_text(&d), "1 to 32 labels") != NULL);
	diag_init(&d);
	t = test_abi_parse_type(a, "option<list<u8, 0>>", test_res);
	CHECK(t && abi_check(t, &d, "y.wasm", 3) == MELD_EINVALID);
	CHECK(strstr(diag_text(&d), "length above 0") != NULL);
	diag_init(&d);
	t = test_abi_parse_type(a, "tuple<u8, string>", test_res);
	CHECK(t && abi_check(t, &d, "y.wasm", 3) == MELD_OK);
	CHECK(!diag_failed(&d));
}

/* Nesting beyond meld's limits: refused, never walked. */
static void
test_walk_limits(struct arena *a)
{
	struct diag d;
	const struct vtype *t = vtype_prim(a, VTYPE_U8);
	for (uint32_t i = 0; i < VTYPE_MAX_DEPTH + 10 && t; i++)
		t = vtype_option(a, t);
	CHECK(t && t->info.problem == VTYPE_BAD_TOO_DEEP);
	diag_init(&d);
	CHECK(t && abi_check(t, &d, "z.wasm", 1) == MELD_EUNSUPPORTED);
	struct abi_flat flat;
	abi_flatten(t, ABI_PTR_I32, &flat);
	CHECK(flat.count == VTYPE_FLAT_CAP);
	CHECK(!vtype_equal(t, vtype_option(a, t)));
	CHECK(vtype_equal(t, t));

	/* a DAG of doubling tuples: 2^40 leaves if expanded, 40 nodes */
	const struct vtype *u = vtype_prim(a, VTYPE_U8);
	const struct vtype *w = vtype_prim(a, VTYPE_U8);
	for (int i = 0; i < 40 && u && w; i++) {
		const struct vtype *pair[2] = {u, u};
		const struct vtype *pair2[2] = {w, w};
		u = vtype_tuple(a, pair, 2);
		w = vtype_tuple(a, pair2, 2);
	}
	CHECK(u && u->info.problem == VTYPE_BAD_TOO_LARGE);
	CHECK(u && u->info.flat == VTYPE_FLAT_CAP);
	/* distinct but equal DAGs are not walked */
	CHECK(u && w && !vtype_equal(u, w));
	diag_init(&d);
	CHECK(u && abi_check(u, &d, "z.wasm", 1) == MELD_EUNSUPPORTED);
	char buf[64];
	vtype_print(u, buf, sizeof buf);
	CHECK(strlen(buf) == sizeof buf - 1);
	CHECK(strcmp(buf + sizeof buf - 4, "...") == 0);
}

/* ---- function types --------------------------------------------------- */

struct func_case {
	const char *func;
	enum abi_ptr ptr;
	bool async, callback;
	enum abi_context cx;
	const char *params, *results;
	bool params_in_memory, results_in_memory;
};

static const struct func_case func_cases[] = {
	/* 16 flat params fit */
	{"func(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, "
	 "h: u32, i: u32, j: u32, k: u32, l: u32, m: u32, n: u32, o: u32, "
	 "p: u64)",
	 ABI_PTR_I32, false, false, ABI_LIFT,
	 "i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i64", "",
	 false, false},
	/* 17 flat params: one pointer to the tuple in memory */
	{"func(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, "
	 "h: u32, i: u32, j: u32, k: u32, l: u32, m: u32, n: u32, o: u32, "
	 "p: u32, q: u32) -> u32",
	 ABI_PTR_I32, false, false, ABI_LOWER, "i32", "i32", true, false},
	/* 17 flat through one record: string (2) + 15 u8 */
	{"func(r: record { s: string, a: u8, b: u8, c: u8, d: u8, e: u8, "
	 "f: u8, g: u8, h: u8, i: u8, j: u8, k: u8, l: u8, m: u8, n: u8, "
	 "o: u8 })",
	 ABI_PTR_I64, false, false, ABI_LIFT, "i64", "", true, false},
	/* a multi-value result: lift returns a pointer ... */
	{"func(a: f32) -> tuple<u32, f64>", ABI_PTR_I32, false, false,
	 ABI_LIFT, "f32", "i32", false, true},
	/* ... lower takes a pointer to write it to */
	{"func(a: f32) -> tuple<u32, f64>", ABI_PTR_I32, false, false,
	 ABI_LOWER, "f32 i32", "", false, true},
	/* string in, string out; memory64 pointers */
	{"func(s: string) -> string", ABI_PTR_I64, false, false, ABI_LIFT,
	 "i64 i64", "i64", false, true},
	{"func(s: string) -> string", ABI_PTR_I64, false, false, ABI_LOWER,
	 "i64 i64 i64", "", false, true},
	/* 16 flat params and a result in memory: 17 core params */
	{"func(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, "
	 "h: u32, i: u32, j: u32, k: u32, l: u32, m: u32, n: u32, o: u32, "
	 "p: u32) -> string",
	 ABI_PTR_I32, false, false, ABI_LOWER,
	 "i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32",
	 "", false, true},
	/* option<u8> is two flat values: more than MAX_FLAT_RESULTS */
	{"func() -> option<u8>", ABI_PTR_I32, false, false, ABI_LIFT, "",
	 "i32", false, true},
	/* one flat result stays a result */
	{"func() -> enum { a, b }", ABI_PTR_I32, false, false, ABI_LIFT, "",
	 "i32", false, false},
	{"func() -> u64", ABI_PTR_I32, false, false, ABI_LOWER, "", "i64",
	 false, false},
	/* async lower: more than 4 params go through memory; a result adds
	 * an out-pointer; the core result is the i32 status */
	{"async func(a: u8, b: u8, c: u8, d: u8, e: u8) -> u32", ABI_PTR_I32,
	 true, false, ABI_LOWER, "i32 i32", "i32", true, true},
	{"async func(a: u8, b: u8, c: u8, d: u8) -> u32", ABI_PTR_I32, true,
	 false, ABI_LOWER, "i32 i32 i32 i32 i32", "i32", false, true},
	{"async func(a: u8)", ABI_PTR_I32, true, false, ABI_LOWER, "i32",
	 "i32", false, false},
	/* async lift: results through task.return; callback returns i32 */
	{"async func(a: u8, b: u8, c: u8, d: u8, e: u8) -> u32", ABI_PTR_I32,
	 true, true, ABI_LIFT, "i32 i32 i32 i32 i32", "i32", false, false},
	{"async func(a: u8) -> string", ABI_PTR_I32, true, false, ABI_LIFT,
	 "i32", "", false, false},
};

static void
test_functypes(struct arena *a)
{
	char p[256], r[64];
	for (size_t i = 0; i < sizeof func_cases / sizeof func_cases[0]; i++) {
		const struct func_case *c = &func_cases[i];
		struct vtype_func *ft = test_abi_parse_func(a, c->func, test_res);
		CHECK(ft != NULL);
		if (!ft)
			continue;
		struct abi_sig_opts o = {c->ptr, c->async, c->callback};
		struct abi_core_func cf;
		abi_flatten_functype(ft, &o, c->cx, &cf);
		flat_text(&cf.params, p, sizeof p);
		flat_text(&cf.results, r, sizeof r);
		bool ok = strcmp(p, c->params) == 0 &&
			  strcmp(r, c->results) == 0 &&
			  cf.params_in_memory == c->params_in_memory &&
			  cf.results_in_memory == c->results_in_memory;
		if (!ok)
			printf("  %s (%s): params '%s' results '%s' %d %d\n",
			       c->func, c->cx == ABI_LIFT ? "lift" : "lower", p,
			       r, cf.params_in_memory, cf.results_in_memory);
		CHECK(ok);
	}
}

/* ---- predicates, equality, printing ------------------------------------ */

static bool
type_is(struct arena *a, const char *text, bool (*pred)(const struct vtype *))
{
	struct vtype *t = test_abi_parse_type(a, text, test_res);
	return t && pred(t);
}

static void
test_predicates(struct arena *a)
{
	CHECK(type_is(a, "list<u8>", abi_needs_memory));
	CHECK(type_is(a, "option<string>", abi_needs_memory));
	CHECK(type_is(a, "map<u8, u8>", abi_needs_memory));
	CHECK(!type_is(a, "list<u8, 4>", abi_needs_memory));
	CHECK(!type_is(a, "stream<string>", abi_needs_memory));
	CHECK(type_is(a, "option<own<r>>", abi_contains_resource));
	CHECK(type_is(a, "tuple<u8, borrow<r>>", abi_contains_borrow));
	CHECK(!type_is(a, "own<r>", abi_contains_borrow));
	CHECK(!type_is(a, "future<own<r>>", abi_contains_resource));
	CHECK(type_is(a, "result<stream<u8>>", abi_contains_async));
	CHECK(type_is(a, "variant { a(u8), b(tuple<f32, u64>) }",
		      abi_is_scalar));
	CHECK(type_is(a, "list<char, 3>", abi_is_scalar));
	CHECK(!type_is(a, "error-context", abi_is_scalar));
	CHECK(!type_is(a, "flags<33>", abi_is_scalar)); /* invalid */

	struct abi_conv_opts keep = {false}, canon = {true};
	struct {
		const char *func;
		bool scalar, passthrough, passthrough_canon;
	} fc[] = {
		{"func(a: u32, b: s64, c: f32, d: record { x: f64, y: u64 }) "
		 "-> s32",
		 true, true, false},
		{"func(a: flags<32>, b: list<u32, 4>) -> u64", true, true, true},
		{"func(a: u8)", true, false, false},
		{"func(a: flags<31>)", true, false, false},
		{"func() -> bool", true, false, false},
		{"func(a: enum { x })", true, false, false},
		{"func(a: option<u32>) -> char", true, false, false},
		{"func(a: string)", false, false, false},
		{"func(a: own<r>)", false, false, false},
		{"func() -> tuple<u32, u32>", false, false, false},
		{"async func(a: u32)", false, false, false},
		{"func(a: list<u32, 16>)", true, true, true},
		{"func(a: list<u32, 16>, b: bool)", false, false, false},
	};
	for (size_t i = 0; i < sizeof fc / sizeof fc[0]; i++) {
		struct vtype_func *ft = test_abi_parse_func(a, fc[i].func,
							    test_res);
		CHECK(ft != NULL);
		if (!ft)
			continue;
		bool ok = abi_func_is_scalar(ft) == fc[i].scalar &&
			  abi_func_is_passthrough(ft, &keep) ==
				  fc[i].passthrough &&
			  abi_func_is_passthrough(ft, &canon) ==
				  fc[i].passthrough_canon;
		if (!ok)
			printf("  predicates of %s\n", fc[i].func);
		CHECK(ok);
	}
}

static bool
equal_text(struct arena *a, const char *x, const char *y)
{
	struct vtype *t = test_abi_parse_type(a, x, test_res);
	struct vtype *u = test_abi_parse_type(a, y, test_res);
	return t && u && vtype_equal(t, u) && t->info.hash == u->info.hash;
}

static void
test_equality(struct arena *a)
{
	CHECK(equal_text(a, "record { a: u8, b: list<u32> }",
			 "record { a: u8, b: list<u32> }"));
	CHECK(!equal_text(a, "record { a: u8 }", "record { b: u8 }"));
	CHECK(!equal_text(a, "record { a: u8 }", "record { a: s8 }"));
	CHECK(!equal_text(a, "tuple<u8>", "record { 0: u8 }"));
	CHECK(!equal_text(a, "list<u8, 3>", "list<u8, 4>"));
	CHECK(!equal_text(a, "list<u8, 3>", "list<u8>"));
	CHECK(equal_text(a, "own<r>", "own<r>"));
	CHECK(!equal_text(a, "own<r>", "own<s>"));
	CHECK(!equal_text(a, "own<r>", "borrow<r>"));
	CHECK(equal_text(a, "result<_, string>", "result<_, string>"));
	CHECK(!equal_text(a, "result<_, string>", "result<string>"));
	CHECK(!equal_text(a, "variant { a, b(u8) }", "variant { a(u8), b }"));
	CHECK(equal_text(a, "map<string, u8>", "map<string, u8>"));
	CHECK(!equal_text(a, "map<string, u8>", "map<string, s8>"));
	CHECK(!equal_text(a, "stream", "stream<u8>"));

	/* two resources with the same name are still different types */
	struct vtype_resource twins[2] = {test_res[0], test_res[0]};
	twins[1].id = 7;
	struct vtype *x = test_abi_parse_type(a, "own<r>", &twins[0]);
	struct vtype *y = test_abi_parse_type(a, "own<r>", &twins[1]);
	CHECK(x && y && !vtype_equal(x, y));

	struct vtype_func *f = test_abi_parse_func(a, "func(a: u8) -> u8",
						   test_res);
	struct vtype_func *g = test_abi_parse_func(a, "func(a: u8) -> u8",
						   test_res);
	struct vtype_func *h = test_abi_parse_func(a, "func(b: u8) -> u8",
						   test_res);
	struct vtype_func *k = test_abi_parse_func(a, "func(a: u8)", test_res);
	CHECK(f && g && h && k);
	if (f && g && h && k) {
		CHECK(vtype_func_equal(f, g));
		CHECK(!vtype_func_equal(f, h));
		CHECK(!vtype_func_equal(f, k));
	}
}

static void
test_printing(struct arena *a)
{
	static const char *round_trip[] = {
		"record { a: u32, b: list<string> }",
		"variant { a(u8), b, c(option<char>) }",
		"enum { red, green }",
		"flags { x, y }",
		"result<_, string>",
		"result<u8>",
		"result<u8, s16>",
		"result",
		"list<u8, 4>",
		"tuple<f32, f64, bool>",
		"own<r>",
		"borrow<s>",
		"stream",
		"future<u8>",
		"map<string, u64>",
		"error-context",
	};
	char buf[128];
	for (size_t i = 0; i < sizeof round_trip / sizeof round_trip[0]; i++) {
		struct vtype *t = test_abi_parse_type(a, round_trip[i],
						      test_res);
		CHECK(t != NULL);
		if (!t)
			continue;
		vtype_print(t, buf, sizeof buf);
		if (strcmp(buf, round_trip[i]) != 0)
			printf("  printed '%s' as '%s'\n", round_trip[i], buf);
		CHECK(strcmp(buf, round_trip[i]) == 0);
	}
	/* a named node prints as its name */
	struct vtype *t = test_abi_parse_type(a, "record { a: u32 }", test_res);
	CHECK(t != NULL);
	if (t) {
		t->name.p = (const uint8_t *)"point";
		t->name.len = 5;
		const struct vtype *elems[1] = {t};
		struct vtype *l = vtype_list(a, elems[0]);
		CHECK(l && strcmp(vtype_print(l, buf, sizeof buf),
				  "list<point>") == 0);
	}
	/* anonymous resources print their id */
	struct vtype_resource anon = {0};
	anon.id = 42;
	struct vtype *o = vtype_own(a, &anon);
	CHECK(o && strcmp(vtype_print(o, buf, sizeof buf),
			  "own<resource#42>") == 0);
	/* truncation */
	t = test_abi_parse_type(a, "record { alpha: u32, beta: u32 }",
				test_res);
	CHECK(t && strcmp(vtype_print(t, buf, 12), "record {...") == 0);
	struct vtype_func *f = test_abi_parse_func(
		a, "async func(a: u8, b: string) -> list<u8>", test_res);
	CHECK(f && strcmp(vtype_func_print(f, buf, sizeof buf),
			  "async func(a: u8, b: string) -> list<u8>") == 0);
}

/* Allocation failures come back as NULL, never as a half-built type. */
static void
test_oom(void)
{
	int failures = 0;
	for (size_t n = 1; n < 12; n++) {
		struct arena a;
		arena_init(&a);
		tp_quiet = true;
		mem_fail_after(n);
		struct vtype *t = test_abi_parse_type(
			&a, "record { a: map<string, u8>, b: list<u8> }",
			test_res);
		mem_fail_after(0);
		tp_quiet = false;
		if (!t)
			failures++;
		else
			CHECK(abi_elem_size(t, ABI_PTR_I32) == 16);
		arena_clear(&a);
	}
	CHECK(failures >= 1);
}

void
test_abi(void)
{
	struct arena a;
	arena_init(&a);
	init_resources();
	test_layout_table(&a);
	test_size_limits(&a);
	test_walk_limits(&a);
	test_functypes(&a);
	test_predicates(&a);
	test_equality(&a);
	test_printing(&a);
	test_oom();
	arena_clear(&a);
}
