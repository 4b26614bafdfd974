/*
 * Unit tests: the component reader (comp_read), its IR (definitions and
 * index spaces with origins), validation (comp_validate) and `meld
 * inspect` on small hand-written binaries.  Inputs that crash the fuzzer
 * (tests/fuzz/fuzz_component.c) are to be added here as cases.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "comp.h"
#include "comp_valid.h"
#include "diag.h"
#include "harness.h"
#include "meld.h"

#define PREAMBLE 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00

struct run {
	struct arena a;
	struct diag d;
	struct comp_component *c;
	enum meld_status st;
};

static void
run_read(struct run *r, const uint8_t *b, size_t n, int validate)
{
	arena_init(&r->a);
	diag_init(&r->d);
	r->c = NULL;
	r->st = comp_read(&r->a, &r->d, "t.wasm", b, n, &r->c);
	if (r->st == MELD_OK && validate)
		r->st = comp_validate(&r->a, &r->d, "t.wasm", r->c);
}

static void
run_clear(struct run *r)
{
	arena_clear(&r->a);
}

/* Read and validate; the status, and the diagnostic mentions `needle`. */
static int
refused_with(const uint8_t *b, size_t n, enum meld_status want,
	     const char *needle)
{
	struct run r;
	run_read(&r, b, n, 1);
	int ok = r.st == want && strstr(diag_text(&r.d), needle) != NULL;
	if (!ok)
		printf("  got: %s\n", diag_text(&r.d));
	run_clear(&r);
	return ok;
}

/* (component (type (func (param "x" u32) (result u32))) (import "f" (func (type 0)))) */
static const uint8_t import_func[] = {
	PREAMBLE,
	0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 'x', 0x79, 0x00, 0x79,
	0x0a, 0x06, 0x01, 0x00, 0x01, 'f', 0x01, 0x00,
};

static void
test_read_import(void)
{
	struct run r;
	run_read(&r, import_func, sizeof import_func, 1);
	CHECK(r.st == MELD_OK);
	if (r.st != MELD_OK) {
		run_clear(&r);
		return;
	}
	const struct comp_component *c = r.c;
	CHECK(c->ndefs == 2);
	CHECK(c->defs[0].kind == COMP_DEF_TYPE);
	CHECK(c->defs[1].kind == COMP_DEF_IMPORT);
	CHECK(c->ntypes == 1 && c->types[0].kind == COMP_TYPE_FUNC);
	CHECK(c->types[0].func.nparams == 1);
	CHECK(bin_name_eq(c->types[0].func.params[0].label, "x"));
	CHECK(c->types[0].func.params[0].type.prim == COMP_PRIM_U32);
	CHECK(c->types[0].func.has_result);
	CHECK(c->nimports == 1 && bin_name_eq(c->imports[0].name.name, "f"));
	CHECK(c->imports[0].ext.kind == COMP_EXTERN_FUNC);
	CHECK(c->imports[0].space == COMP_SPACE_FUNC && c->imports[0].idx == 0);
	const struct comp_space_entry *e = comp_space_get(c, COMP_SPACE_FUNC, 0);
	CHECK(e && e->origin == COMP_DEF_IMPORT && e->item == 0);
	CHECK(comp_space_get(c, COMP_SPACE_FUNC, 1) == NULL);
	e = comp_space_get(c, COMP_SPACE_TYPE, 0);
	CHECK(e && e->origin == COMP_DEF_TYPE);
	CHECK(c->imports[0].offset == 21);
	run_clear(&r);
}

/* A nested component: its offsets count from the start of the file. */
static const uint8_t nested[] = {
	PREAMBLE,
	0x04, 0x0e, /* component section, 14 bytes */
	PREAMBLE,
	0x0a, 0x04, 0x01, 0x00, 0x01, 'a', /* truncated on purpose below */
};

static void
test_nested_offsets(void)
{
	uint8_t b[64];
	size_t n = 0;
	const uint8_t inner[] = {PREAMBLE, 0x07, 0x02, 0x01, 0x73};
	const uint8_t outer[] = {PREAMBLE, 0x04, (uint8_t)sizeof inner};
	memcpy(b, outer, sizeof outer);
	n = sizeof outer;
	memcpy(b + n, inner, sizeof inner);
	n += sizeof inner;
	struct run r;
	run_read(&r, b, n, 1);
	CHECK(r.st == MELD_OK);
	if (r.st == MELD_OK) {
		CHECK(r.c->ncomponents == 1);
		const struct comp_component *in = r.c->components[0];
		CHECK(in->offset == 10);
		CHECK(in->parent == r.c && in->depth == 1);
		CHECK(in->ntypes == 1 && in->types[0].offset == 21);
		CHECK(in->types[0].defval.kind == COMP_DEFVAL_PRIM);
		CHECK(comp_space_get(r.c, COMP_SPACE_COMPONENT, 0) != NULL);
	}
	run_clear(&r);
	/* a malformation inside the nested component: the offset is absolute */
	run_read(&r, nested, sizeof nested, 0);
	CHECK(r.st == MELD_EMALFORMED);
	CHECK(r.d.offset >= 10);
	run_clear(&r);
}

static void
test_malformed(void)
{
	const uint8_t bad_version[] = {0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00};
	CHECK(refused_with(bad_version, sizeof bad_version, MELD_EMALFORMED,
			   "version"));
	const uint8_t core[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
	CHECK(refused_with(core, sizeof core, MELD_EMALFORMED, "core module"));
	const uint8_t unknown_section[] = {PREAMBLE, 0x0d, 0x00};
	CHECK(refused_with(unknown_section, sizeof unknown_section,
			   MELD_EMALFORMED, "unknown section id 13"));
	const uint8_t short_section[] = {PREAMBLE, 0x07, 0x05, 0x01};
	CHECK(refused_with(short_section, sizeof short_section, MELD_EMALFORMED,
			   "type section"));
	const uint8_t bad_type[] = {PREAMBLE, 0x07, 0x02, 0x01, 0x50};
	CHECK(refused_with(bad_type, sizeof bad_type, MELD_EMALFORMED,
			   "invalid type opcode 0x50"));
	const uint8_t huge_count[] = {PREAMBLE, 0x07, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f};
	CHECK(refused_with(huge_count, sizeof huge_count, MELD_EMALFORMED,
			   "count 4294967295"));
	const uint8_t trailing[] = {PREAMBLE, 0x07, 0x03, 0x01, 0x73, 0x73};
	CHECK(refused_with(trailing, sizeof trailing, MELD_EMALFORMED,
			   "unexpected bytes at end"));
	const uint8_t two_starts[] = {PREAMBLE, 0x09, 0x03, 0x00, 0x00, 0x00,
				      0x09, 0x03, 0x00, 0x00, 0x00};
	CHECK(refused_with(two_starts, sizeof two_starts, MELD_EMALFORMED,
			   "at most one start"));
	const uint8_t bad_utf8[] = {PREAMBLE, 0x0a, 0x06, 0x01, 0x00, 0x01, 0xff, 0x01, 0x00};
	CHECK(refused_with(bad_utf8, sizeof bad_utf8, MELD_EMALFORMED, "UTF-8"));
	const uint8_t bad_canon[] = {PREAMBLE, 0x08, 0x02, 0x01, 0x3f};
	CHECK(refused_with(bad_canon, sizeof bad_canon, MELD_EMALFORMED,
			   "canon: invalid opcode 0x3f"));
}

static void
test_invalid(void)
{
	/* import of a func whose type index does not exist */
	const uint8_t oob[] = {PREAMBLE, 0x0a, 0x06, 0x01, 0x00, 0x01, 'f', 0x01, 0x05};
	CHECK(refused_with(oob, sizeof oob, MELD_EINVALID, "out of bounds"));
	/* the same name imported twice, differing only in case */
	const uint8_t dup[] = {PREAMBLE, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
			       0x0a, 0x0b, 0x02, 0x00, 0x01, 'a', 0x01, 0x00,
			       0x00, 0x01, 'A', 0x01, 0x00};
	CHECK(refused_with(dup, sizeof dup, MELD_EINVALID, "conflicts"));
	/* not kebab case */
	const uint8_t kebab[] = {PREAMBLE, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
				 0x0a, 0x07, 0x01, 0x00, 0x02, 'a', '_', 0x01, 0x00};
	CHECK(refused_with(kebab, sizeof kebab, MELD_EINVALID, "kebab"));
	/* a record without fields */
	const uint8_t empty_record[] = {PREAMBLE, 0x07, 0x03, 0x01, 0x72, 0x00};
	CHECK(refused_with(empty_record, sizeof empty_record, MELD_EINVALID,
			   "at least one field"));
	/* an outer alias that goes past the root */
	const uint8_t outer[] = {PREAMBLE, 0x06, 0x05, 0x01, 0x03, 0x02, 0x01, 0x00};
	CHECK(refused_with(outer, sizeof outer, MELD_EINVALID, "outer alias count"));
	/* own of a type that is not a resource */
	const uint8_t own[] = {PREAMBLE, 0x07, 0x04, 0x02, 0x73, 0x69, 0x00};
	CHECK(refused_with(own, sizeof own, MELD_EINVALID, "not a resource"));
	/* a borrow in a function result */
	const uint8_t borrow[] = {PREAMBLE, 0x07, 0x0a, 0x03, 0x3f, 0x7f, 0x00,
				  0x68, 0x00, 0x40, 0x00, 0x00, 0x01};
	CHECK(refused_with(borrow, sizeof borrow, MELD_EINVALID, "borrow"));
	/* canon lower of a func taking a string, without memory */
	const uint8_t lower[] = {PREAMBLE, 0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 's', 0x73, 0x01, 0x00,
				 0x0a, 0x06, 0x01, 0x00, 0x01, 'f', 0x01, 0x00,
				 0x08, 0x05, 0x01, 0x01, 0x00, 0x00, 0x00};
	CHECK(refused_with(lower, sizeof lower, MELD_EINVALID,
			   "`memory` is required"));
	/* post-return on a lowering */
	const uint8_t post[] = {PREAMBLE, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
				0x0a, 0x06, 0x01, 0x00, 0x01, 'f', 0x01, 0x00,
				0x08, 0x07, 0x01, 0x01, 0x00, 0x00, 0x01, 0x05, 0x00};
	CHECK(refused_with(post, sizeof post, MELD_EINVALID, "post-return"));
	/* an alias of an export of an instance that does not exist */
	const uint8_t alias[] = {PREAMBLE, 0x06, 0x06, 0x01, 0x03, 0x00, 0x00, 0x01, 'a'};
	CHECK(refused_with(alias, sizeof alias, MELD_EINVALID, "instance index 0 out of bounds"));
	/* two string encodings */
	const uint8_t enc[] = {PREAMBLE, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
			       0x0a, 0x06, 0x01, 0x00, 0x01, 'f', 0x01, 0x00,
			       0x08, 0x07, 0x01, 0x01, 0x00, 0x00, 0x02, 0x00, 0x01};
	CHECK(refused_with(enc, sizeof enc, MELD_EINVALID, "conflicts"));
}

/*
 * (component
 *   (component (import "a" (type (sub resource))) (import "b" (type (eq 0))))
 *   (type (resource (rep i32))) (type (resource (rep i32)))
 *   (instance (instantiate 0 (with "a" (type 0)) (with "b" (type R)))))
 * with R = 1 (another resource: refused) or R = 0 (the same one).
 */
static const uint8_t two_resources[] = {
	PREAMBLE,
	0x04, 0x16, 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x0a, 0x0c,
	0x02, 0x00, 0x01, 0x61, 0x03, 0x01, 0x00, 0x01, 0x62, 0x03, 0x00, 0x00,
	0x07, 0x07, 0x02, 0x3f, 0x7f, 0x00, 0x3f, 0x7f, 0x00, 0x05, 0x0c, 0x01,
	0x00, 0x00, 0x02, 0x01, 0x61, 0x03, 0x00, 0x01, 0x62, 0x03, 0x01,
};

/* Read and validate with a feature set; the status. */
static enum meld_status
validated(const uint8_t *b, size_t n, uint32_t features)
{
	struct run r;
	arena_init(&r.a);
	diag_init(&r.d);
	r.st = comp_read(&r.a, &r.d, "t.wasm", b, n, &r.c);
	if (r.st == MELD_OK)
		r.st = comp_validate_features(&r.a, &r.d, "t.wasm", r.c, features);
	enum meld_status st = r.st;
	run_clear(&r);
	return st;
}

/* Subtyping of instantiation arguments, resource identity included. */
static void
test_subtyping(void)
{
	CHECK(refused_with(two_resources, sizeof two_resources, MELD_EINVALID,
			   "type mismatch for import `b`: resource types are not the same"));
	uint8_t same[sizeof two_resources];
	memcpy(same, two_resources, sizeof same);
	same[sizeof same - 1] = 0x00; /* (with "b" (type 0)) */
	CHECK(validated(same, sizeof same, VALID_F_ALL) == MELD_OK);
	/*
	 * (component (component (import "f" (func (param "x" string))))
	 *   (import "g" (func (param "x" u32))) (instance (instantiate 0 (with "f" (func 0)))))
	 */
	const uint8_t param[] = {
		PREAMBLE,
		0x04, 0x1a, 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x08,
		0x01, 0x40, 0x01, 0x01, 0x78, 0x73, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x00,
		0x01, 0x66, 0x01, 0x00, 0x07, 0x08, 0x01, 0x40, 0x01, 0x01, 0x78, 0x79,
		0x01, 0x00, 0x0a, 0x06, 0x01, 0x00, 0x01, 0x67, 0x01, 0x00, 0x05, 0x08,
		0x01, 0x00, 0x00, 0x01, 0x01, 0x66, 0x01, 0x00,
	};
	CHECK(refused_with(param, sizeof param, MELD_EINVALID,
			   "type mismatch in function parameter `x`: expected primitive `string` found primitive `u32`"));
}

/* Types, visibility, core signatures of built-ins, values, features. */
static void
test_type_rules(void)
{
	/* (type (record (field "x" u32))) (import "f" (func (param "r" 0))) */
	const uint8_t unnamed[] = {
		PREAMBLE,
		0x07, 0x0d, 0x02, 0x72, 0x01, 0x01, 0x78, 0x79, 0x40, 0x01, 0x01, 0x72,
		0x00, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x00, 0x01, 0x66, 0x01, 0x01,
	};
	CHECK(refused_with(unnamed, sizeof unnamed, MELD_EINVALID,
			   "func not valid to be used as import"));
	/*
	 * An instance exported with a type ascription is checked through the
	 * ascribed type, as wasm-tools checks it: the function's own type uses
	 * the unnamed record r, the ascribed type the exported name rn.
	 * (core module (func (export "f") (param i32))) (core instance ...)
	 * (type $r (record (field "x" u32)))
	 * (func $f (param "p" $r) (canon lift (core func $i "f")))
	 * (export $rn "rn" (type $r))
	 * (type $T (instance (alias outer 1 $rn (type $t))
	 *   (export "f" (func (param "p" $t)))))
	 * (instance $x (export "f" (func $f)))
	 * (export "e" (instance $x) (instance (type $T)))
	 */
	uint8_t ascribed[] = {
		PREAMBLE,
		0x01, 0x2b, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05,
		0x01, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01,
		0x01, 0x66, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, 0x00, 0x09,
		0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x02, 0x01, 0x6d, 0x02, 0x04, 0x01,
		0x00, 0x00, 0x00, 0x07, 0x0d, 0x02, 0x72, 0x01, 0x01, 0x78, 0x79, 0x40,
		0x01, 0x01, 0x70, 0x00, 0x01, 0x00, 0x06, 0x07, 0x01, 0x00, 0x00, 0x01,
		0x00, 0x01, 0x66, 0x08, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0b,
		0x08, 0x01, 0x00, 0x02, 0x72, 0x6e, 0x03, 0x00, 0x00, 0x07, 0x16, 0x01,
		0x42, 0x03, 0x02, 0x03, 0x02, 0x01, 0x02, 0x01, 0x40, 0x01, 0x01, 0x70,
		0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0x66, 0x01, 0x01, 0x05, 0x08, 0x01,
		0x01, 0x01, 0x00, 0x01, 0x66, 0x01, 0x00, 0x0b, 0x09, 0x01, 0x00, 0x01,
		0x65, 0x05, 0x00, 0x01, 0x05, 0x03,
	};
	CHECK(validated(ascribed, sizeof ascribed, VALID_F_ALL) == MELD_OK);
	/* The same with the ascribed type using r itself: refused. */
	ascribed[8 + 102] = 0x00; /* (alias outer 1 $r) */
	CHECK(refused_with(ascribed, sizeof ascribed, MELD_EINVALID,
			   "instance not valid to be used as export"));
	/*
	 * (core module (import "" "f" (func (param i32)))) (core func (canon task.cancel))
	 * (core instance (export "f" (func 0))) (core instance (instantiate 0 (with "" (instance 0))))
	 */
	const uint8_t builtin[] = {
		PREAMBLE,
		0x01, 0x17, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05,
		0x01, 0x60, 0x01, 0x7f, 0x00, 0x02, 0x06, 0x01, 0x00, 0x01, 0x66, 0x00,
		0x00, 0x08, 0x02, 0x01, 0x05, 0x02, 0x0d, 0x02, 0x01, 0x01, 0x01, 0x66,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00,
	};
	CHECK(refused_with(builtin, sizeof builtin, MELD_EINVALID,
			   "expected: (func (param i32)), found:    (func)"));
	/* (type (list u8 268435456)): elem_size 2^28 */
	const uint8_t big[] = {PREAMBLE, 0x07, 0x08, 0x01, 0x67, 0x7d, 0x80, 0x80, 0x80, 0x80, 0x01};
	CHECK(refused_with(big, sizeof big, MELD_EINVALID, "exceeds maximum byte size"));
	/* (import "a" (value string)), never used */
	const uint8_t value[] = {PREAMBLE, 0x0a, 0x06, 0x01, 0x00, 0x01, 'a', 0x02, 0x73};
	CHECK(refused_with(value, sizeof value, MELD_EINVALID, "value index 0 was not used"));
	/* context.get i64 0: only with cm64 */
	const uint8_t ctx[] = {PREAMBLE, 0x08, 0x04, 0x01, 0x0a, 0x7e, 0x00};
	CHECK(validated(ctx, sizeof ctx, VALID_F_ALL) == MELD_OK);
	CHECK(validated(ctx, sizeof ctx, 0) == MELD_EINVALID);
	uint32_t f = 0;
	CHECK(valid_features_parse("cm-async,cm64", &f) && f == VALID_F_CM64);
	CHECK(valid_features_parse("all,-cm64", &f) && !(f & VALID_F_CM64) &&
	      (f & VALID_F_THREADING));
}

/*
 * Seven records, each of ten fields of the one before: wasm-tools' effective
 * type size (10^7) is over its limit, and checking it takes no time.
 */
static void
test_type_size(void)
{
	uint8_t b[8 + 4 + 7 * 32];
	size_t n = 0;
	const uint8_t pre[] = {PREAMBLE};
	memcpy(b, pre, sizeof pre);
	n = sizeof pre;
	b[n++] = 0x07;
	size_t size_at = n;
	n += 2; /* the section size, as a two-byte LEB128 */
	b[n++] = 7;
	for (uint8_t k = 0; k < 7; k++) {
		b[n++] = 0x72;
		b[n++] = 10;
		for (uint8_t i = 0; i < 10; i++) {
			b[n++] = 1;
			b[n++] = (uint8_t)('a' + i);
			b[n++] = k == 0 ? 0x79 : (uint8_t)(k - 1);
		}
	}
	size_t len = n - size_at - 2;
	b[size_at] = (uint8_t)(0x80 | (len & 0x7f));
	b[size_at + 1] = (uint8_t)(len >> 7);
	CHECK(refused_with(b, n, MELD_EINVALID, "effective type size exceeds the limit"));
}

/*
 * Tuples of the level before, twice, each level exported under a name
 * (t0 = u32; t<k> = tuple<t<k-1>, t<k-1>>): the effective type size of
 * level k is 2^(k+1) - 1, over the limit at level 19.  Looking through
 * the exported tuples once per path used to use up the validation
 * budget, after which the size walk counted 1 for every type.
 */
static void
test_type_size_exported(void)
{
	uint8_t b[8 + 25 * 20]; /* at most 18 bytes a level */
	const uint8_t pre[] = {PREAMBLE};
	memcpy(b, pre, sizeof pre);
	size_t n = sizeof pre;
	for (uint8_t k = 0; k < 25; k++) {
		b[n++] = 0x07; /* type section: one type */
		if (k == 0) {
			b[n++] = 2, b[n++] = 1, b[n++] = 0x79;
		} else {
			uint8_t e = (uint8_t)(2 * k - 1); /* the export of k-1 */
			b[n++] = 5, b[n++] = 1, b[n++] = 0x6f, b[n++] = 2;
			b[n++] = e, b[n++] = e;
		}
		uint8_t name_len = k < 10 ? 2 : 3;
		b[n++] = 0x0b; /* export section: "t<k>", type 2k */
		b[n++] = (uint8_t)(6 + name_len);
		b[n++] = 1, b[n++] = 0x00, b[n++] = name_len, b[n++] = 't';
		if (k >= 10)
			b[n++] = (uint8_t)('0' + k / 10);
		b[n++] = (uint8_t)('0' + k % 10);
		b[n++] = 0x03, b[n++] = (uint8_t)(2 * k), b[n++] = 0x00;
	}
	CHECK(refused_with(b, n, MELD_EINVALID, "effective type size exceeds the limit"));
	/* up to level 18 (2^19 - 1) it is valid, and quick */
	size_t upto18 = 0;
	for (size_t i = sizeof pre, k = 0; i < n; k++) {
		if (k == 19) {
			upto18 = i;
			break;
		}
		i += 2 + b[i + 1];         /* the type section */
		i += 2 + b[i + 1];         /* the export section */
	}
	struct run r;
	run_read(&r, b, upto18, 1);
	if (r.st != MELD_OK)
		printf("  got: %s\n", diag_text(&r.d));
	CHECK(r.st == MELD_OK);
	run_clear(&r);
}

static void
test_detect(void)
{
	const uint8_t core[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
	const uint8_t comp[] = {PREAMBLE};
	CHECK(comp_detect(core, sizeof core) == COMP_LAYER_CORE);
	CHECK(comp_detect(comp, sizeof comp) == COMP_LAYER_COMPONENT);
	CHECK(comp_detect(comp, 4) == COMP_LAYER_UNKNOWN);
	CHECK(comp_detect((const uint8_t *)"\0asm\x0d\0\2\0", 8) == COMP_LAYER_UNKNOWN);
}

static const char *
inspect(const uint8_t *b, size_t n, enum meld_inspect_format f,
	struct meld_session **s)
{
	const char *text = NULL;
	*s = meld_session_create();
	if (*s && meld_add_input(*s, "t.wasm", b, n) == MELD_OK &&
	    meld_inspect(*s, 0, f, &text) == MELD_OK)
		return text;
	return NULL;
}

static void
test_inspect(void)
{
	struct meld_session *s;
	const char *wit = inspect(import_func, sizeof import_func,
				  MELD_INSPECT_WIT, &s);
	CHECK(wit && strcmp(wit, "package root:component;\n\nworld root {\n"
				 "  import f: func(x: u32) -> u32;\n}\n") == 0);
	meld_session_destroy(s);
	const char *json = inspect(import_func, sizeof import_func,
				   MELD_INSPECT_JSON, &s);
	CHECK(json && strstr(json, "\"format\": \"component\"") != NULL);
	CHECK(json && strstr(json, "\"wit\": \"import f: func(x: u32) -> u32;\"") != NULL);
	meld_session_destroy(s);
	const char *text = inspect(import_func, sizeof import_func,
				   MELD_INSPECT_TEXT, &s);
	CHECK(text && strstr(text, "component (version 0x0d, layer 1), 26 bytes") != NULL);
	CHECK(text && strstr(text, "imports (1):\n  import f: func(x: u32) -> u32;\n") != NULL);
	meld_session_destroy(s);
	const uint8_t junk[] = {1, 2, 3};
	CHECK(inspect(junk, sizeof junk, MELD_INSPECT_TEXT, &s) == NULL);
	CHECK(meld_session_status(s) == MELD_EMALFORMED);
	meld_session_destroy(s);
}

/* Every allocation failure point is reported as ENOMEM, never a crash. */
static int
oom_ok(const uint8_t *b, size_t len, enum meld_status want)
{
	int ok = 1;
	for (size_t n = 1; n < 400; n++) {
		struct run r;
		mem_fail_after(n);
		run_read(&r, b, len, 1);
		mem_fail_after(0);
		if (r.st != want && r.st != MELD_ENOMEM)
			ok = 0;
		run_clear(&r);
	}
	return ok;
}

static void
test_oom(void)
{
	CHECK(oom_ok(import_func, sizeof import_func, MELD_OK));
	CHECK(oom_ok(two_resources, sizeof two_resources, MELD_EINVALID));
	uint8_t same[sizeof two_resources];
	memcpy(same, two_resources, sizeof same);
	same[sizeof same - 1] = 0x00;
	CHECK(oom_ok(same, sizeof same, MELD_OK));
}

void
test_comp(void)
{
	test_read_import();
	test_nested_offsets();
	test_malformed();
	test_invalid();
	test_subtyping();
	test_type_rules();
	test_type_size();
	test_type_size_exported();
	test_detect();
	test_inspect();
	test_oom();
}
