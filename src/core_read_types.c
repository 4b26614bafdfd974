/*
 * core_read_types: the value-level grammar of a core module for
 * core_read.c: value, reference and heap types, rec groups and subtypes
 * (core spec 3.0, 5.3 "Types", with the 0x65 `shared` prefix of
 * shared-everything-threads), constant expressions (5.4.9; their length
 * is only known by decoding them, and anything but a constant instruction
 * is refused as invalid) and limits (with custom-page-sizes' page size).
 * Type indices are checked as they are read: inside the type section up
 * to the end of the current rec group, elsewhere against all types.
 */
#include "core_read_impl.h"

#include <string.h>

/* ---- types ---- */

static bool
is_abstract_heap(uint8_t b)
{
	return b >= CORE_HEAP_EXN && b <= CORE_HEAP_NOEXN;
}

/* An index read at `at` that its space of n entries does not have. */
enum meld_status
core_read_unknown(struct bin_reader *r, const uint8_t *at, enum core_space s,
	   uint32_t idx, uint32_t n, const char *what)
{
	const char *name = core_space_name(s);
	return bin_fail_at(r, MELD_EINVALID, (size_t)(at - r->base),
			   "%s: unknown %s %u: %s index out of bounds (%u "
			   "defined)", what, name, idx, name, n);
}

/* Read an index of space s and check it against the entries known now. */
enum meld_status
core_read_index(struct rd *rd, struct bin_reader *r, enum core_space s,
	   uint32_t *idx, const char *what)
{
	const uint8_t *at = r->p;
	enum meld_status st = bin_read_u32(r, idx, what);
	if (st != MELD_OK)
		return st;
	uint32_t n = s == CORE_SPACE_TYPE ? rd->type_bound
					  : (uint32_t)rd->len[s];
	return *idx < n ? MELD_OK : core_read_unknown(r, at, s, *idx, n, what);
}

/* Shared abstract heap types: 0x65 then the abstract type's byte. */
static enum meld_status
read_shared_heaptype(struct bin_reader *r, struct core_valtype *vt,
		     const char *what)
{
	r->p++;
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st != MELD_OK)
		return st;
	if (!is_abstract_heap(b)) {
		r->p--;
		return bin_malformed(r, "%s: unknown shared heap type 0x%02x",
				     what, b);
	}
	vt->heap = b;
	vt->shared = true;
	vt->typeidx = 0;
	return MELD_OK;
}

static enum meld_status
read_heaptype(struct rd *rd, struct bin_reader *r, struct core_valtype *vt,
	      const char *what)
{
	if (r->p < r->end && *r->p == 0x65)
		return read_shared_heaptype(r, vt, what);
	if (r->p < r->end && is_abstract_heap(*r->p)) {
		vt->heap = *r->p++;
		vt->typeidx = 0;
		return MELD_OK;
	}
	const uint8_t *start = r->p;
	int64_t v;
	enum meld_status st = bin_read_s33(r, &v, what);
	if (st != MELD_OK)
		return st;
	if (v < 0) {
		r->p = start;
		return bin_malformed(r, "%s: unknown heap type 0x%02x", what,
				     *start);
	}
	vt->heap = 0;
	vt->typeidx = (uint32_t)v;
	if (v >= rd->type_bound)
		return core_read_unknown(r, start, CORE_SPACE_TYPE, vt->typeidx,
				  rd->type_bound, what);
	return MELD_OK;
}

static enum meld_status
read_reftype_or_valtype(struct rd *rd, struct bin_reader *r,
			struct core_valtype *vt, bool ref_only,
			const char *what)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st != MELD_OK)
		return st;
	memset(vt, 0, sizeof *vt);
	switch (b) {
	case CORE_VALTYPE_I32:
	case CORE_VALTYPE_I64:
	case CORE_VALTYPE_F32:
	case CORE_VALTYPE_F64:
	case CORE_VALTYPE_V128:
		if (ref_only)
			break;
		vt->code = b;
		return MELD_OK;
	case CORE_VALTYPE_REF_NULL:
	case CORE_VALTYPE_REF:
		vt->code = b;
		return read_heaptype(rd, r, vt, what);
	case 0x65: /* shorthand for (ref null (shared ht)) */
		r->p--;
		vt->code = CORE_VALTYPE_REF_NULL;
		return read_shared_heaptype(r, vt, what);
	default:
		if (!is_abstract_heap(b))
			break;
		vt->code = CORE_VALTYPE_REF_NULL;
		vt->heap = b;
		return MELD_OK;
	}
	r->p--;
	return bin_malformed(r, "%s: unknown %s 0x%02x", what,
			     ref_only ? "reference type" : "value type", b);
}

static enum meld_status
read_valtype(struct rd *rd, struct bin_reader *r, struct core_valtype *vt,
	     const char *what)
{
	return read_reftype_or_valtype(rd, r, vt, false, what);
}

enum meld_status
core_read_reftype(struct rd *rd, struct bin_reader *r, struct core_valtype *vt,
	     const char *what)
{
	return read_reftype_or_valtype(rd, r, vt, true, what);
}

static enum meld_status
read_field(struct rd *rd, struct bin_reader *r, struct core_field *f)
{
	enum meld_status st;
	if (r->p < r->end &&
	    (*r->p == CORE_PACKED_I8 || *r->p == CORE_PACKED_I16)) {
		f->packed = *r->p++;
	} else {
		st = read_valtype(rd, r, &f->type, "field type");
		if (st != MELD_OK)
			return st;
	}
	return bin_read_bool(r, &f->mutable, "field", "mutability");
}

static enum meld_status
read_valtypes(struct rd *rd, struct bin_reader *r, uint32_t *n,
	      const struct core_valtype **out, const char *what)
{
	enum meld_status st = bin_read_count(r, n, 1, what);
	if (st != MELD_OK)
		return st;
	struct core_valtype *v = NULL;
	if (*n) {
		v = arena_alloc_array(rd->a, *n, sizeof *v);
		if (!v)
			return core_read_nomem(r);
	}
	for (uint32_t i = 0; i < *n; i++) {
		st = read_valtype(rd, r, &v[i], what);
		if (st != MELD_OK)
			return st;
	}
	*out = v;
	return MELD_OK;
}

static enum meld_status
read_fields(struct rd *rd, struct bin_reader *r, struct core_type *t)
{
	enum meld_status st = MELD_OK;
	uint32_t n = 1;
	if (t->kind == CORE_COMP_STRUCT)
		st = bin_read_count(r, &n, 2, "struct field count");
	if (st != MELD_OK)
		return st;
	struct core_field *f = NULL;
	if (n) {
		f = arena_alloc_array(rd->a, n, sizeof *f);
		if (!f)
			return core_read_nomem(r);
	}
	for (uint32_t i = 0; i < n; i++) {
		st = read_field(rd, r, &f[i]);
		if (st != MELD_OK)
			return st;
	}
	t->nfields = n;
	t->fields = f;
	return MELD_OK;
}

static enum meld_status
read_supertypes(struct bin_reader *r, struct core_type *t, uint32_t typeidx)
{
	uint8_t b = *r->p++;
	t->final = b == 0x4f;
	uint32_t n;
	enum meld_status st = bin_read_count(r, &n, 1, "supertype count");
	if (st != MELD_OK)
		return st;
	if (n > 1)
		return bin_fail_at(r, MELD_EINVALID, bin_offset(r),
				   "subtype: %u supertypes, at most 1 allowed",
				   n);
	if (n == 0)
		return MELD_OK;
	const uint8_t *at = r->p;
	st = bin_read_u32(r, &t->supertype, "supertype index");
	if (st != MELD_OK || t->supertype < typeidx)
		return st;
	/* a supertype is defined before its subtypes */
	return core_read_unknown(r, at, CORE_SPACE_TYPE, t->supertype, typeidx,
			  "supertype index");
}

static enum meld_status
read_subtype(struct rd *rd, struct bin_reader *r, struct core_type *t,
	     uint32_t typeidx)
{
	enum meld_status st;
	t->final = true;
	t->supertype = CORE_NO_INDEX;
	if (r->p < r->end && (*r->p == 0x50 || *r->p == 0x4f)) {
		st = read_supertypes(r, t, typeidx);
		if (st != MELD_OK)
			return st;
	}
	uint8_t kind;
	st = bin_read_u8(r, &kind, "composite type");
	if (st == MELD_OK && kind == 0x65) {
		t->shared = true;
		st = bin_read_u8(r, &kind, "composite type");
	}
	if (st != MELD_OK)
		return st;
	t->kind = kind;
	switch (kind) {
	case CORE_COMP_FUNC:
		st = read_valtypes(rd, r, &t->nparams, &t->params,
				   "parameter type");
		if (st != MELD_OK)
			return st;
		return read_valtypes(rd, r, &t->nresults, &t->results,
				     "result type");
	case CORE_COMP_STRUCT:
	case CORE_COMP_ARRAY:
		return read_fields(rd, r, t);
	default:
		r->p--;
		return bin_malformed(r, "type: unknown composite type 0x%02x",
				     kind);
	}
}

enum meld_status
core_read_rec_group(struct rd *rd, struct bin_reader *r, uint32_t groupidx)
{
	struct core_module *m = rd->m;
	struct core_rec_group *g = &m->groups[groupidx];
	enum meld_status st;
	uint32_t n = 1;
	g->p = r->p;
	g->first_typeidx = (uint32_t)rd->ntypes;
	if (r->p < r->end && *r->p == 0x4e) {
		r->p++;
		st = bin_read_count(r, &n, 2, "rec group size");
		if (st != MELD_OK)
			return st;
	}
	if (rd->ntypes + n > UINT32_MAX - 1)
		return bin_malformed(r, "type: too many types");
	/* types of a rec group may refer to each other */
	rd->type_bound = g->first_typeidx + n;
	for (uint32_t i = 0; i < n; i++) {
		struct core_type *t = arena_push(rd->a, (void **)&m->types,
						 &rd->ntypes, &rd->types_cap,
						 sizeof *t);
		if (!t)
			return core_read_nomem(r);
		t->group = groupidx;
		st = read_subtype(rd, r, t, g->first_typeidx + i);
		if (st != MELD_OK)
			return st;
	}
	g->ntypes = n;
	g->end = r->p;
	return MELD_OK;
}

/* ---- constant expressions, limits ---- */

static enum meld_status
skip_prefixed_const(struct rd *rd, struct bin_reader *r, uint8_t prefix,
		    size_t off, const char *what)
{
	uint32_t sub, x;
	const uint8_t *bytes;
	enum meld_status st = bin_read_u32(r, &sub, what);
	if (st != MELD_OK)
		return st;
	if (prefix == 0xfd && sub == 12)
		return bin_read_bytes(r, 16, &bytes, what);
	if (prefix == 0xfb) {
		switch (sub) {
		case 0: case 1: case 6: case 7: /* struct.new, array.new */
			return core_read_index(rd, r, CORE_SPACE_TYPE, &x,
					       what);
		case 8: /* array.new_fixed */
			st = core_read_index(rd, r, CORE_SPACE_TYPE, &x, what);
			if (st != MELD_OK)
				return st;
			return bin_read_u32(r, &x, what);
		case 26: case 27: case 28:
			return MELD_OK;
		default:
			break;
		}
	}
	return bin_fail_at(r, MELD_EINVALID, off,
			   "%s: instruction 0x%02x %u is not constant", what,
			   prefix, sub);
}

/*
 * A constant expression's global.get: of one of the first nglobals
 * globals (those defined before the expression), an immutable one.
 */
static enum meld_status
read_const_global(struct rd *rd, struct bin_reader *r, uint32_t nglobals,
		  const char *what)
{
	const uint8_t *at = r->p;
	uint32_t idx;
	enum meld_status st = bin_read_u32(r, &idx, what);
	if (st != MELD_OK)
		return st;
	if (idx >= nglobals)
		return core_read_unknown(r, at, CORE_SPACE_GLOBAL, idx,
					 nglobals, what);
	if (rd->m->globals[idx].mutable)
		return bin_fail_at(r, MELD_EINVALID, (size_t)(at - r->base),
				   "%s: constant expression required: global "
				   "%u is mutable", what, idx);
	return MELD_OK;
}

/*
 * Skip one constant expression, its `end` included, checking the indices
 * it uses: global.get may name the first nglobals globals.
 */
enum meld_status
core_read_const_expr(struct rd *rd, struct bin_reader *r, uint32_t nglobals,
		const char *what)
{
	enum meld_status st = MELD_OK;
	for (;;) {
		size_t off = bin_offset(r);
		uint8_t op;
		int32_t s32;
		int64_t s64;
		uint32_t u32;
		uint64_t u64;
		struct core_valtype vt;
		st = bin_read_u8(r, &op, what);
		if (st != MELD_OK)
			return st;
		switch (op) {
		case 0x0b:
			return MELD_OK;
		case 0x41: st = bin_read_s32(r, &s32, what); break;
		case 0x42: st = bin_read_s64(r, &s64, what); break;
		case 0x43: st = bin_read_fixed32(r, &u32, what); break;
		case 0x44: st = bin_read_fixed64(r, &u64, what); break;
		case 0x23: /* global.get */
			st = read_const_global(rd, r, nglobals, what);
			break;
		case 0xd2: /* ref.func */
			st = core_read_index(rd, r, CORE_SPACE_FUNC, &u32,
					     what);
			break;
		case 0xd0: st = read_heaptype(rd, r, &vt, what); break;
		case 0x6a: case 0x6b: case 0x6c: /* i32.add sub mul */
		case 0x7c: case 0x7d: case 0x7e: /* i64.add sub mul */
			break;
		case 0xfb:
		case 0xfd:
			st = skip_prefixed_const(rd, r, op, off, what);
			break;
		default:
			return bin_fail_at(r, MELD_EINVALID, off,
					   "%s: instruction 0x%02x is not constant",
					   what, op);
		}
		if (st != MELD_OK)
			return st;
	}
}

/* A limit: u64 for 64-bit tables and memories, else u32. */
static enum meld_status
read_limit(struct bin_reader *r, bool is64, uint64_t *out, const char *what)
{
	uint32_t v32;
	if (is64)
		return bin_read_u64(r, out, what);
	enum meld_status st = bin_read_u32(r, &v32, what);
	*out = v32;
	return st;
}

/*
 * A memory's size in pages is bounded by its address space: 2^32 or
 * 2^64 bytes (2^48 pages of 64 KiB for memory64).
 */
static bool
pages_fit(uint64_t pages, bool is64, uint32_t page_size_log2)
{
	unsigned bits = is64 ? 64 : 32;
	if (page_size_log2 == 0 && is64)
		return true;
	return pages <= (uint64_t)1 << (bits - page_size_log2);
}

/* Limits that decode but are not valid (core spec "Limits", "Memory types"). */
static enum meld_status
check_limits(struct bin_reader *r, const struct core_limits *l, bool table,
	     size_t off, const char *what)
{
	bool has_max = l->flags & CORE_LIMITS_HAS_MAX;
	bool is64 = l->flags & CORE_LIMITS_64;
	if (has_max && l->min > l->max)
		return bin_fail_at(r, MELD_EINVALID, off, "%s: size minimum "
				   "must not be greater than maximum", what);
	if (table)
		return MELD_OK;
	if (l->page_size_log2 != 0 && l->page_size_log2 != 16)
		return bin_fail_at(r, MELD_EINVALID, off, "%s: invalid custom "
				   "page size 2**%u", what, l->page_size_log2);
	if (!pages_fit(l->min, is64, l->page_size_log2) ||
	    (has_max && !pages_fit(l->max, is64, l->page_size_log2)))
		return bin_fail_at(r, MELD_EINVALID, off, "%s: memory size "
				   "must be at most 2**%u bytes", what,
				   is64 ? 64 : 32);
	return MELD_OK;
}

/*
 * Flags: 0x01 maximum, 0x02 shared (shared-everything-threads for
 * tables), 0x04 64-bit, 0x08 (memories) the page size's exponent follows
 * (custom-page-sizes).
 */
enum meld_status
core_read_limits(struct bin_reader *r, struct core_limits *l, bool table,
	    const char *what)
{
	size_t off = bin_offset(r);
	uint8_t allowed = table ? 0x07 : 0x0f;
	enum meld_status st = bin_read_u8(r, &l->flags, what);
	if (st != MELD_OK)
		return st;
	if (l->flags & ~allowed) {
		r->p--;
		return bin_malformed(r, "%s: limits flags 0x%02x", what,
				     l->flags);
	}
	bool is64 = l->flags & CORE_LIMITS_64;
	l->page_size_log2 = table ? 0 : CORE_PAGE_SIZE_LOG2;
	st = read_limit(r, is64, &l->min, what);
	if (st == MELD_OK && (l->flags & CORE_LIMITS_HAS_MAX))
		st = read_limit(r, is64, &l->max, what);
	if (st == MELD_OK && (l->flags & CORE_LIMITS_PAGE_SIZE))
		st = bin_read_u32(r, &l->page_size_log2, "memory page size");
	if (st != MELD_OK)
		return st;
	return check_limits(r, l, table, off, what);
}

enum meld_status
core_read_tabletype(struct rd *rd, struct bin_reader *r, struct core_table *t)
{
	enum meld_status st = core_read_reftype(rd, r, &t->elem,
					   "table element type");
	if (st != MELD_OK)
		return st;
	return core_read_limits(r, &t->limits, true, "table");
}

enum meld_status
core_read_globaltype(struct rd *rd, struct bin_reader *r, struct core_global *g)
{
	enum meld_status st = read_valtype(rd, r, &g->type, "global type");
	if (st != MELD_OK)
		return st;
	return bin_read_bool(r, &g->mutable, "global", "mutability");
}

/* The type index of a function or a tag: a function type's. */
enum meld_status
core_read_functype_index(struct rd *rd, struct bin_reader *r, uint32_t *typeidx,
		    const char *what)
{
	const uint8_t *at = r->p;
	enum meld_status st =
		core_read_index(rd, r, CORE_SPACE_TYPE, typeidx, what);
	if (st != MELD_OK)
		return st;
	if (rd->m->types[*typeidx].kind == CORE_COMP_FUNC)
		return MELD_OK;
	return bin_fail_at(r, MELD_EINVALID, (size_t)(at - r->base),
			   "%s: type %u is not a function type", what,
			   *typeidx);
}

enum meld_status
core_read_tagtype(struct rd *rd, struct bin_reader *r, uint32_t *typeidx)
{
	uint8_t attr;
	enum meld_status st = bin_read_u8(r, &attr, "tag attribute");
	if (st != MELD_OK)
		return st;
	if (attr != 0) {
		r->p--;
		return bin_malformed(r, "tag attribute 0x%02x", attr);
	}
	return core_read_functype_index(rd, r, typeidx, "tag type index");
}
