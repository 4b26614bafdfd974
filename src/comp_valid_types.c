/*
 * comp_valid_types: validation of component-level types and names
 * (Binary.md "Type Definitions" notes, "Import and Export Definitions"
 * notes; Explainer.md "Import and Export Definitions", "Name Uniqueness";
 * CanonicalABI.md "Flattening" for the option checks in comp_valid.c).
 *
 * What is checked: index bounds in each type's own scope, that value type
 * indices name value types and handle indices name resources, non-empty
 * records/variants/tuples/enums, 1..32 flags, positive fixed-list lengths,
 * kebab-case labels unique in their scope, no borrow in results, resource
 * definitions only in components (rep i32, or i64 with cm64), outer-alias
 * depth and what outer aliases may refer to, alias sorts allowed in
 * declarators, core types (supertypes, references to module types, limits
 * of module type imports and exports).  Names: comp_valid_names.c.
 */
#include "comp_valid.h"

#include <stdlib.h>
#include <string.h>

/* ---- type walks with a budget ----------------------------------------- */

static bool
spend(struct vctx *v)
{
	if (v->budget == 0) {
		v->out_of_budget = true;
		return false;
	}
	v->budget--;
	return true;
}

/* The defined value type behind vt, with the scope to resolve it in. */
static const struct comp_defval *
defval_of(struct comp_scope *s, struct comp_valtype vt, struct comp_scope **ds)
{
	struct comp_item *t = comp_scope_valtype(s, vt);
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def ||
	    t->def->kind != COMP_TYPE_DEFVAL)
		return NULL;
	*ds = t->scope;
	return &t->def->defval;
}

static bool contains(struct vctx *v, struct comp_scope *s,
		     struct comp_valtype vt, bool borrow, unsigned depth);

static bool
contains_any(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv,
	     bool borrow, unsigned depth)
{
	switch (dv->kind) {
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; i < dv->record.nfields; i++) {
			if (contains(v, s, dv->record.fields[i].type, borrow, depth))
				return true;
		}
		return false;
	case COMP_DEFVAL_VARIANT:
		for (uint32_t i = 0; i < dv->variant.ncases; i++) {
			if (dv->variant.cases[i].has_type &&
			    contains(v, s, dv->variant.cases[i].type, borrow, depth))
				return true;
		}
		return false;
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++) {
			if (contains(v, s, dv->tuple.types[i], borrow, depth))
				return true;
		}
		return false;
	case COMP_DEFVAL_LIST:
		return !borrow || contains(v, s, dv->list.elem, borrow, depth);
	case COMP_DEFVAL_MAP:
		return !borrow || contains(v, s, dv->map.key, borrow, depth) ||
		       contains(v, s, dv->map.value, borrow, depth);
	case COMP_DEFVAL_FIXED_LIST:
		return contains(v, s, dv->list.elem, borrow, depth);
	case COMP_DEFVAL_OPTION:
		return contains(v, s, dv->option, borrow, depth);
	case COMP_DEFVAL_RESULT:
		return (dv->result.has_ok && contains(v, s, dv->result.ok, borrow, depth)) ||
		       (dv->result.has_err && contains(v, s, dv->result.err, borrow, depth));
	case COMP_DEFVAL_BORROW:
		return borrow;
	case COMP_DEFVAL_PRIM:
		return !borrow && dv->prim == COMP_PRIM_STRING;
	default:
		return false; /* own, flags, enum, stream, future: no pointer */
	}
}

static bool
contains(struct vctx *v, struct comp_scope *s, struct comp_valtype vt,
	 bool borrow, unsigned depth)
{
	if (vt.prim != COMP_PRIM_NONE)
		return !borrow && vt.prim == COMP_PRIM_STRING;
	struct comp_scope *ds;
	const struct comp_defval *dv = defval_of(s, vt, &ds);
	if (!dv || depth > 200 || !spend(v))
		return false;
	return contains_any(v, ds, dv, borrow, depth + 1);
}

bool
valid_contains_ptr(struct vctx *v, struct comp_scope *s, struct comp_valtype vt)
{
	return contains(v, s, vt, false, 0);
}

bool
valid_contains_borrow(struct vctx *v, struct comp_scope *s,
		      struct comp_valtype vt)
{
	return contains(v, s, vt, true, 0);
}

/* ---- flattening -------------------------------------------------------- */

enum { FLAT_I32 = 0x7f, FLAT_I64 = 0x7e, FLAT_F32 = 0x7d, FLAT_F64 = 0x7c };

struct flat {
	uint8_t *out;
	uint32_t n, max;
	uint8_t ptr; /* FLAT_I32, or FLAT_I64 for a 64-bit memory */
};

static void
flat_push(struct flat *f, uint8_t t)
{
	if (f->n < f->max)
		f->out[f->n] = t;
	if (f->n <= f->max)
		f->n++;
}

static uint8_t
flat_join(uint8_t a, uint8_t b)
{
	if (a == b)
		return a;
	if ((a == FLAT_I32 && b == FLAT_F32) || (a == FLAT_F32 && b == FLAT_I32))
		return FLAT_I32;
	return FLAT_I64;
}

static bool flat_val(struct vctx *v, struct comp_scope *s,
		     struct comp_valtype vt, struct flat *f, unsigned depth);

static uint8_t
flat_prim(enum comp_prim p, uint8_t ptr, bool *two)
{
	*two = false;
	switch (p) {
	case COMP_PRIM_S64:
	case COMP_PRIM_U64: return FLAT_I64;
	case COMP_PRIM_F32: return FLAT_F32;
	case COMP_PRIM_F64: return FLAT_F64;
	case COMP_PRIM_STRING: *two = true; return ptr;
	default: return FLAT_I32;
	}
}

/* Variant-shaped: discriminant, then the join of the cases' payloads. */
static bool
flat_cases(struct vctx *v, struct comp_scope *s, const struct comp_valtype *ts,
	   const bool *has, uint32_t n, struct flat *f, unsigned depth)
{
	uint8_t joined[17];
	uint32_t nj = 0;
	flat_push(f, FLAT_I32);
	for (uint32_t i = 0; i < n; i++) {
		if (!has[i])
			continue;
		uint8_t buf[17];
		struct flat sub = {buf, 0, 16, f->ptr};
		if (!flat_val(v, s, ts[i], &sub, depth))
			return false;
		for (uint32_t k = 0; k < sub.n && k < 17; k++) {
			uint8_t t = k < 16 ? buf[k] : FLAT_I32;
			if (k < nj)
				joined[k] = flat_join(joined[k], t);
			else
				joined[nj++] = t;
		}
	}
	for (uint32_t k = 0; k < nj; k++)
		flat_push(f, joined[k]);
	return true;
}

static bool
flat_defval(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv,
	    struct flat *f, unsigned depth)
{
	bool two, has[2] = {true, true};
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM:
		flat_push(f, flat_prim(dv->prim, f->ptr, &two));
		if (two)
			flat_push(f, f->ptr);
		return true;
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; i < dv->record.nfields && f->n <= f->max; i++) {
			if (!flat_val(v, s, dv->record.fields[i].type, f, depth))
				return false;
		}
		return true;
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; i < dv->tuple.ntypes && f->n <= f->max; i++) {
			if (!flat_val(v, s, dv->tuple.types[i], f, depth))
				return false;
		}
		return true;
	case COMP_DEFVAL_FIXED_LIST:
		for (uint32_t i = 0; i < dv->list.len && f->n <= f->max; i++) {
			if (!flat_val(v, s, dv->list.elem, f, depth))
				return false;
		}
		return true;
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_MAP:
		flat_push(f, f->ptr);
		flat_push(f, f->ptr);
		return true;
	case COMP_DEFVAL_FLAGS:
		for (uint32_t i = 0; i < (dv->labels.nlabels + 31) / 32; i++)
			flat_push(f, FLAT_I32);
		return true;
	case COMP_DEFVAL_VARIANT: {
		uint32_t n = dv->variant.ncases;
		struct comp_valtype *ts = arena_alloc_array(v->arena, n ? n : 1, sizeof *ts);
		bool *hs = arena_alloc_array(v->arena, n ? n : 1, sizeof *hs);
		if (!ts || !hs)
			return false;
		for (uint32_t i = 0; i < n; i++) {
			ts[i] = dv->variant.cases[i].type;
			hs[i] = dv->variant.cases[i].has_type;
		}
		return flat_cases(v, s, ts, hs, n, f, depth);
	}
	case COMP_DEFVAL_OPTION:
		has[0] = false;
		return flat_cases(v, s, (struct comp_valtype[]){dv->option, dv->option},
				  has, 2, f, depth);
	case COMP_DEFVAL_RESULT:
		has[0] = dv->result.has_ok;
		has[1] = dv->result.has_err;
		return flat_cases(v, s, (struct comp_valtype[]){dv->result.ok, dv->result.err},
				  has, 2, f, depth);
	default: /* enum, own, borrow, stream, future */
		flat_push(f, FLAT_I32);
		return true;
	}
}

static bool
flat_val(struct vctx *v, struct comp_scope *s, struct comp_valtype vt,
	 struct flat *f, unsigned depth)
{
	bool two;
	if (vt.prim != COMP_PRIM_NONE) {
		flat_push(f, flat_prim(vt.prim, f->ptr, &two));
		if (two)
			flat_push(f, f->ptr);
		return true;
	}
	struct comp_scope *ds;
	const struct comp_defval *dv = defval_of(s, vt, &ds);
	if (!dv || depth > 200 || !spend(v))
		return false;
	return flat_defval(v, ds, dv, f, depth + 1);
}

bool
valid_flatten(struct vctx *v, struct comp_scope *s, struct comp_valtype vt,
	      uint8_t ptr, uint8_t *out, uint32_t *n, uint32_t max)
{
	struct flat f = {out, *n, max, ptr};
	bool ok = flat_val(v, s, vt, &f, 0);
	*n = f.n;
	return ok;
}

/* ---- value types and type definitions ---------------------------------- */

enum meld_status
valid_valtype(struct vctx *v, struct comp_scope *s, struct comp_valtype vt,
	      size_t offset)
{
	if (vt.prim != COMP_PRIM_NONE)
		return MELD_OK;
	enum meld_status st = valid_index(v, s, COMP_SPACE_TYPE, vt.typeidx,
					  offset, "value type");
	if (st != MELD_OK)
		return st;
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, vt.typeidx);
	if (t->kind == COMP_ITEM_UNKNOWN)
		return MELD_OK;
	if (t->kind != COMP_ITEM_TYPE || t->def->kind != COMP_TYPE_DEFVAL)
		return valid_fail(v, offset, "type index %u is not a defined value type",
				  vt.typeidx);
	return MELD_OK;
}

static bool
is_upper(uint8_t c)
{
	return c >= 'A' && c <= 'Z';
}

static int
label_cmp(const void *a, const void *b)
{
	const struct bin_name *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t cx = is_upper(x->p[i]) ? (uint8_t)(x->p[i] + 32) : x->p[i];
		uint8_t cy = is_upper(y->p[i]) ? (uint8_t)(y->p[i] + 32) : y->p[i];
		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Labels kebab-case and unique (ignoring case) among themselves. */
static enum meld_status
valid_labels(struct vctx *v, const struct bin_name *labels, size_t stride,
	     uint32_t n, size_t offset, const char *what)
{
	struct bin_name *copy = arena_alloc_array(v->arena, n ? n : 1, sizeof *copy);
	if (!copy)
		return valid_oom(v);
	for (uint32_t i = 0; i < n; i++) {
		copy[i] = *(const struct bin_name *)((const uint8_t *)labels + i * stride);
		if (copy[i].len == 0)
			return valid_fail(v, offset, "%s name cannot be empty", what);
		if (!valid_label(copy[i]))
			return valid_fail(v, offset, "%s name `%.*s` is not in kebab case",
					  what, (int)copy[i].len, (const char *)copy[i].p);
	}
	qsort(copy, n, sizeof *copy, label_cmp);
	for (uint32_t i = 1; i < n; i++) {
		if (label_cmp(&copy[i - 1], &copy[i]) == 0)
			return valid_fail(v, offset, "%s name `%.*s` conflicts with previous name",
					  what, (int)copy[i].len, (const char *)copy[i].p);
	}
	return MELD_OK;
}

static enum meld_status
valid_handle(struct vctx *v, struct comp_scope *s, uint32_t idx, size_t off)
{
	enum meld_status st = valid_index(v, s, COMP_SPACE_TYPE, idx, off, "handle");
	if (st != MELD_OK)
		return st;
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, idx);
	if (t->kind != COMP_ITEM_UNKNOWN && !valid_is_resource(t))
		return valid_fail(v, off, "type index %u is not a resource type", idx);
	return MELD_OK;
}

static enum meld_status
valid_valtypes(struct vctx *v, struct comp_scope *s,
	       const struct comp_valtype *ts, size_t stride, uint32_t n,
	       size_t off)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct comp_valtype *t =
			(const struct comp_valtype *)((const uint8_t *)ts + i * stride);
		enum meld_status st = valid_valtype(v, s, *t, off);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

static enum meld_status
valid_variant(struct vctx *v, struct comp_scope *s,
	      const struct comp_defval *dv, size_t off)
{
	if (dv->variant.ncases == 0)
		return valid_fail(v, off, "variant type must have at least one case");
	enum meld_status st = valid_labels(v, &dv->variant.cases[0].label,
					   sizeof(struct comp_case),
					   dv->variant.ncases, off, "variant case");
	for (uint32_t i = 0; st == MELD_OK && i < dv->variant.ncases; i++) {
		if (dv->variant.cases[i].has_type)
			st = valid_valtype(v, s, dv->variant.cases[i].type, off);
	}
	return st;
}

/* char, directly or as a type index naming it. */
static bool
is_char(struct comp_scope *s, struct comp_valtype vt)
{
	if (vt.prim != COMP_PRIM_NONE)
		return vt.prim == COMP_PRIM_CHAR;
	struct comp_item *t = comp_scope_valtype(s, vt);
	return t && t->kind == COMP_ITEM_TYPE && t->def && t->def->kind == COMP_TYPE_DEFVAL &&
	       t->def->defval.kind == COMP_DEFVAL_PRIM && t->def->defval.prim == COMP_PRIM_CHAR;
}

static enum meld_status valid_defval_shape(struct vctx *v, struct comp_scope *s,
					   const struct comp_defval *dv, size_t off);

/* A defined value type: its shape, then elem_size(t, i64) < 2^28. */
static enum meld_status
valid_defval(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv,
	     size_t off)
{
	enum meld_status st = valid_defval_shape(v, s, dv, off);
	if (st != MELD_OK)
		return st;
	uint64_t size = valid_elem_size(v, s, dv);
	if (size >= ((uint64_t)1 << 28))
		return valid_fail(v, off,
				  "type of %llu bytes exceeds maximum byte size of 2^28 - 1",
				  (unsigned long long)size);
	return MELD_OK;
}

static enum meld_status
valid_defval_shape(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv,
		   size_t off)
{
	enum meld_status st = MELD_OK;
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM:
		return MELD_OK;
	case COMP_DEFVAL_RECORD:
		if (dv->record.nfields == 0)
			return valid_fail(v, off, "record type must have at least one field");
		st = valid_labels(v, &dv->record.fields[0].label, sizeof(struct comp_field),
				  dv->record.nfields, off, "record field");
		return st == MELD_OK ? valid_valtypes(v, s, &dv->record.fields[0].type,
						      sizeof(struct comp_field),
						      dv->record.nfields, off)
				     : st;
	case COMP_DEFVAL_VARIANT:
		return valid_variant(v, s, dv, off);
	case COMP_DEFVAL_LIST:
		return valid_valtype(v, s, dv->list.elem, off);
	case COMP_DEFVAL_FIXED_LIST:
		if (dv->list.len == 0)
			return valid_fail(v, off, "Fixed size lists must have more than zero elements");
		if (dv->list.len > (1u << 30))
			return valid_fail(v, off,
					  "fixed-length list element count exceeds limit of 1073741824");
		return valid_valtype(v, s, dv->list.elem, off);
	case COMP_DEFVAL_TUPLE:
		if (dv->tuple.ntypes == 0)
			return valid_fail(v, off, "tuple type must have at least one type");
		return valid_valtypes(v, s, dv->tuple.types, sizeof(struct comp_valtype),
				      dv->tuple.ntypes, off);
	case COMP_DEFVAL_FLAGS:
		if (dv->labels.nlabels == 0)
			return valid_fail(v, off, "flags must have at least one entry");
		if (dv->labels.nlabels > 32)
			return valid_fail(v, off, "cannot have more than 32 flags");
		return valid_labels(v, dv->labels.labels, sizeof(struct bin_name),
				    dv->labels.nlabels, off, "flag");
	case COMP_DEFVAL_ENUM:
		if (dv->labels.nlabels == 0)
			return valid_fail(v, off, "enum type must have at least one variant");
		return valid_labels(v, dv->labels.labels, sizeof(struct bin_name),
				    dv->labels.nlabels, off, "enum tag");
	case COMP_DEFVAL_OPTION:
		return valid_valtype(v, s, dv->option, off);
	case COMP_DEFVAL_RESULT:
		if (dv->result.has_ok)
			st = valid_valtype(v, s, dv->result.ok, off);
		if (st == MELD_OK && dv->result.has_err)
			st = valid_valtype(v, s, dv->result.err, off);
		return st;
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW:
		return valid_handle(v, s, dv->resource_typeidx, off);
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		if (!dv->async_elem.has_elem)
			return MELD_OK;
		if (dv->kind == COMP_DEFVAL_STREAM && is_char(s, dv->async_elem.elem))
			return valid_fail(v, off,
					  "`stream<char>` is not valid at this time, use `stream<u8>` with a defined by encoding instead for now");
		st = valid_valtype(v, s, dv->async_elem.elem, off);
		if (st == MELD_OK && valid_contains_borrow(v, s, dv->async_elem.elem))
			return valid_fail(v, off, "a %s payload cannot contain a borrow",
					  dv->kind == COMP_DEFVAL_STREAM ? "stream" : "future");
		return st;
	case COMP_DEFVAL_MAP:
		st = valid_valtype(v, s, dv->map.key, off);
		return st == MELD_OK ? valid_valtype(v, s, dv->map.value, off) : st;
	}
	return MELD_OK;
}

static enum meld_status
valid_functype(struct vctx *v, struct comp_scope *s,
	       const struct comp_functype *ft, size_t off)
{
	enum meld_status st = valid_labels(v, &ft->params[0].label,
					   sizeof(struct comp_field), ft->nparams,
					   off, "function parameter");
	if (st == MELD_OK)
		st = valid_valtypes(v, s, &ft->params[0].type, sizeof(struct comp_field),
				    ft->nparams, off);
	if (st != MELD_OK || !ft->has_result)
		return st;
	st = valid_valtype(v, s, ft->result, off);
	if (st == MELD_OK && valid_contains_borrow(v, s, ft->result))
		return valid_fail(v, off, "function result cannot contain a `borrow` type");
	return st;
}

static enum meld_status valid_decltype(struct vctx *v, struct comp_scope *s,
				       const struct comp_type *t);

static enum meld_status valid_type_shape(struct vctx *v, struct comp_scope *s,
					 const struct comp_type *t);

enum meld_status
valid_type(struct vctx *v, struct comp_scope *s, const struct comp_type *t)
{
	enum meld_status st = valid_type_shape(v, s, t);
	if (st == MELD_OK && valid_type_size(v, s, t) >= VALID_MAX_TYPE_SIZE)
		return valid_fail(v, t->offset, "effective type size exceeds the limit of %u",
				  (unsigned)VALID_MAX_TYPE_SIZE);
	return st;
}

static enum meld_status
valid_type_shape(struct vctx *v, struct comp_scope *s, const struct comp_type *t)
{
	switch (t->kind) {
	case COMP_TYPE_DEFVAL:
		return valid_defval(v, s, &t->defval, t->offset);
	case COMP_TYPE_FUNC:
		return valid_functype(v, s, &t->func, t->offset);
	case COMP_TYPE_COMPONENT:
	case COMP_TYPE_INSTANCE:
		return valid_decltype(v, s, t);
	case COMP_TYPE_RESOURCE:
		if (s->kind != COMP_SCOPE_COMPONENT)
			return valid_fail(v, t->offset,
					  "resources can only be defined within a concrete component");
		if (t->resource.rep != COMP_CORE_I32 &&
		    t->resource.rep != COMP_CORE_I64)
			return valid_fail(v, t->offset,
					  "resources can only be represented by `i32` (or `i64`)");
		if (t->resource.rep == COMP_CORE_I64 && !(v->features & VALID_F_CM64))
			return valid_fail(v, t->offset,
					  "resources with `i64` require the `cm64` feature to be enabled");
		if (t->resource.has_dtor)
			return valid_index(v, s, COMP_SPACE_CORE_FUNC,
					   t->resource.dtor_funcidx, t->offset,
					   "resource destructor");
		return MELD_OK;
	}
	return MELD_OK;
}

/* ---- extern types, aliases, declarators ------------------------------- */

/* Is core type idx of scope s a module type?  -1 when not known. */
static int
core_type_is_module(struct comp_scope *s, uint32_t idx)
{
	struct comp_item *it = comp_scope_get(s, COMP_SPACE_CORE_TYPE, idx);
	if (!it || !it->core_type)
		return -1;
	return it->core_type->is_module;
}

enum meld_status
valid_externtype(struct vctx *v, struct comp_scope *s,
		 const struct comp_externtype *e, size_t off)
{
	enum comp_type_kind want;
	enum meld_status st;
	switch (e->kind) {
	case COMP_EXTERN_MODULE:
		st = valid_index(v, s, COMP_SPACE_CORE_TYPE, e->idx, off,
				 "module type");
		if (st == MELD_OK && core_type_is_module(s, e->idx) == 0)
			return valid_fail(v, off, "core type index %u is not a module type",
					  e->idx);
		return st;
	case COMP_EXTERN_VALUE:
		return valid_valtype(v, s, e->value, off);
	case COMP_EXTERN_TYPE:
		if (e->bound == COMP_BOUND_SUB_RESOURCE)
			return MELD_OK;
		return valid_index(v, s, COMP_SPACE_TYPE, e->idx, off, "type bound");
	case COMP_EXTERN_FUNC: want = COMP_TYPE_FUNC; break;
	case COMP_EXTERN_COMPONENT: want = COMP_TYPE_COMPONENT; break;
	case COMP_EXTERN_INSTANCE: want = COMP_TYPE_INSTANCE; break;
	default: return MELD_OK;
	}
	st = valid_index(v, s, COMP_SPACE_TYPE, e->idx, off, "extern type");
	if (st != MELD_OK)
		return st;
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, e->idx);
	if (t->kind != COMP_ITEM_UNKNOWN &&
	    (t->kind != COMP_ITEM_TYPE || t->def->kind != want))
		return valid_fail(v, off, "type index %u is not a %s type", e->idx,
				  want == COMP_TYPE_FUNC ? "function"
				  : want == COMP_TYPE_COMPONENT ? "component"
								: "instance");
	return MELD_OK;
}

/* Does going `count` scopes out of s leave a component? */
static bool
crosses_component(struct comp_scope *s, uint32_t count)
{
	for (uint32_t i = 0; s && i < count; i++, s = s->parent) {
		if (s->kind == COMP_SCOPE_COMPONENT)
			return true;
	}
	return false;
}

static bool refers_to_resource(struct vctx *v, struct comp_item *it,
			       unsigned depth);

static bool
vt_refers_to_resource(struct vctx *v, struct comp_scope *s,
		      struct comp_valtype vt, unsigned depth)
{
	return vt.prim == COMP_PRIM_NONE &&
	       refers_to_resource(v, comp_scope_get(s, COMP_SPACE_TYPE, vt.typeidx),
				  depth);
}

static bool
defval_refers_to_resource(struct vctx *v, struct comp_scope *s,
			  const struct comp_defval *dv, unsigned depth)
{
	switch (dv->kind) {
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; i < dv->record.nfields; i++) {
			if (vt_refers_to_resource(v, s, dv->record.fields[i].type, depth))
				return true;
		}
		return false;
	case COMP_DEFVAL_VARIANT:
		for (uint32_t i = 0; i < dv->variant.ncases; i++) {
			if (dv->variant.cases[i].has_type &&
			    vt_refers_to_resource(v, s, dv->variant.cases[i].type, depth))
				return true;
		}
		return false;
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++) {
			if (vt_refers_to_resource(v, s, dv->tuple.types[i], depth))
				return true;
		}
		return false;
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST:
		return vt_refers_to_resource(v, s, dv->list.elem, depth);
	case COMP_DEFVAL_OPTION:
		return vt_refers_to_resource(v, s, dv->option, depth);
	case COMP_DEFVAL_RESULT:
		return (dv->result.has_ok && vt_refers_to_resource(v, s, dv->result.ok, depth)) ||
		       (dv->result.has_err && vt_refers_to_resource(v, s, dv->result.err, depth));
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW:
		return true;
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		return dv->async_elem.has_elem &&
		       vt_refers_to_resource(v, s, dv->async_elem.elem, depth);
	case COMP_DEFVAL_MAP:
		return vt_refers_to_resource(v, s, dv->map.key, depth) ||
		       vt_refers_to_resource(v, s, dv->map.value, depth);
	default:
		return false;
	}
}

/* Component and instance types: any resource from outside the type. */
static bool
decltype_refers_to_resource(struct vctx *v, struct comp_item *t, unsigned depth)
{
	struct comp_scope *ts = comp_scope_new_type(&v->sx, t->scope, t->def);
	if (!ts)
		return false;
	comp_scope_fill(ts);
	for (size_t i = 0; i < ts->space[COMP_SPACE_TYPE].len; i++) {
		struct comp_item *it = ts->space[COMP_SPACE_TYPE].items[i];
		struct comp_item *c = comp_item_canon(it);
		if (c->kind == COMP_ITEM_RESOURCE && c->scope == ts)
			continue; /* the type's own abstract resource */
		if (it->kind == COMP_ITEM_TYPE && it->scope == ts && !it->target &&
		    it->def->kind != COMP_TYPE_RESOURCE)
			continue; /* defined in the type: its parts are visited too */
		if (refers_to_resource(v, it, depth + 1))
			return true;
	}
	return false;
}

static bool
refers_to_resource(struct vctx *v, struct comp_item *it, unsigned depth)
{
	if (!it || depth > 100 || !spend(v))
		return false;
	struct comp_item *c = comp_item_canon(it);
	if (c->kind == COMP_ITEM_RESOURCE)
		return c->scope && c->scope->kind == COMP_SCOPE_COMPONENT;
	if (c->kind != COMP_ITEM_TYPE || !c->def)
		return false;
	switch (c->def->kind) {
	case COMP_TYPE_RESOURCE:
		return true;
	case COMP_TYPE_DEFVAL:
		return defval_refers_to_resource(v, c->scope, &c->def->defval, depth + 1);
	case COMP_TYPE_FUNC:
		for (uint32_t i = 0; i < c->def->func.nparams; i++) {
			if (vt_refers_to_resource(v, c->scope, c->def->func.params[i].type,
						  depth + 1))
				return true;
		}
		return c->def->func.has_result &&
		       vt_refers_to_resource(v, c->scope, c->def->func.result, depth + 1);
	case COMP_TYPE_COMPONENT:
	case COMP_TYPE_INSTANCE:
		return decltype_refers_to_resource(v, c, depth);
	}
	return false;
}

enum meld_status
valid_alias(struct vctx *v, struct comp_scope *s, const struct comp_alias *a,
	    bool in_type)
{
	if (a->kind == COMP_ALIAS_OUTER) {
		if (in_type && a->space != COMP_SPACE_TYPE &&
		    a->space != COMP_SPACE_CORE_TYPE)
			return valid_fail(v, a->offset,
					  "aliases in a component or instance type may only refer to types or instances");
		struct comp_scope *o = comp_scope_outer(s, a->outer_count);
		if (!o)
			return valid_fail(v, a->offset, "invalid outer alias count of %u",
					  a->outer_count);
		enum meld_status ost = valid_index(v, o, a->space, a->outer_idx,
						   a->offset, "outer alias");
		if (ost == MELD_OK && a->space == COMP_SPACE_TYPE &&
		    crosses_component(s, a->outer_count) &&
		    refers_to_resource(v, comp_scope_get(o, COMP_SPACE_TYPE, a->outer_idx), 0))
			return valid_fail(v, a->offset,
					  "type %u of the outer alias refers to resources not defined in the current component",
					  a->outer_idx);
		return ost;
	}
	if (in_type && (a->kind != COMP_ALIAS_INSTANCE_EXPORT ||
			(a->space != COMP_SPACE_TYPE &&
			 a->space != COMP_SPACE_INSTANCE)))
		return valid_fail(v, a->offset,
				  "aliases in a component or instance type may only refer to types or instances");
	if (a->kind == COMP_ALIAS_CORE_INSTANCE_EXPORT)
		return valid_index(v, s, COMP_SPACE_CORE_INSTANCE, a->instanceidx,
				   a->offset, "alias");
	enum meld_status st = valid_index(v, s, COMP_SPACE_INSTANCE,
					  a->instanceidx, a->offset, "alias");
	if (st != MELD_OK)
		return st;
	struct comp_item *inst = comp_scope_get(s, COMP_SPACE_INSTANCE, a->instanceidx);
	bool known = inst->kind == COMP_ITEM_INSTANCE &&
		     (inst->inst_kind == COMP_INST_INLINE ||
		      comp_item_instance_scope(inst) != NULL);
	if (!known)
		return MELD_OK;
	enum comp_space sp;
	struct comp_item *e = comp_item_export(inst, a->name, &sp);
	if (!e)
		return valid_fail(v, a->offset, "instance %u has no export named `%.*s`",
				  a->instanceidx, (int)a->name.len, (const char *)a->name.p);
	if (sp != a->space)
		return valid_fail(v, a->offset, "export `%.*s` of instance %u is a %s, not a %s",
				  (int)a->name.len, (const char *)a->name.p,
				  a->instanceidx, comp_space_name(sp),
				  comp_space_name(a->space));
	return MELD_OK;
}

static enum meld_status
valid_decl(struct vctx *v, struct comp_scope *ts, const struct comp_decl *d,
	   struct valid_names *imports, struct valid_names *exports,
	   struct valid_vis *vis)
{
	enum meld_status st;
	switch (d->kind) {
	case COMP_DECL_CORE_TYPE:
		return valid_core_type(v, ts, d->core_type);
	case COMP_DECL_TYPE:
		return valid_type(v, ts, d->type);
	case COMP_DECL_ALIAS:
		return valid_alias(v, ts, &d->alias, true);
	case COMP_DECL_IMPORT:
	case COMP_DECL_EXPORT:
		st = valid_externtype(v, ts, &d->ext, d->offset);
		if (st != MELD_OK)
			return st;
		comp_scope_add_decl(ts, d);
		st = valid_extern_name(v, ts, d->kind == COMP_DECL_IMPORT ? imports : exports,
				       &d->name, d->space,
				       comp_scope_get(ts, d->space, d->local_idx),
				       d->kind == COMP_DECL_IMPORT);
		if (st != MELD_OK || ts->kind != COMP_SCOPE_COMPONENT_TYPE)
			return st; /* instance types: checked where they are used */
		return valid_visibility(v, vis, comp_scope_get(ts, d->space, d->local_idx),
					d->space, d->kind == COMP_DECL_IMPORT, d->offset);
	}
	return MELD_OK;
}

static enum meld_status
valid_decltype(struct vctx *v, struct comp_scope *s, const struct comp_type *t)
{
	struct comp_scope *ts = comp_scope_new_type(&v->sx, s, t);
	if (!ts)
		return valid_no_scope(v, t->offset);
	struct valid_names imports, exports;
	struct valid_vis vis;
	memset(&imports, 0, sizeof imports);
	memset(&exports, 0, sizeof exports);
	memset(&vis, 0, sizeof vis);
	for (uint32_t i = 0; i < t->decl.ndecls; i++) {
		const struct comp_decl *d = &t->decl.decls[i];
		enum meld_status st = valid_decl(v, ts, d, &imports, &exports, &vis);
		if (st != MELD_OK)
			return st;
		if (d->kind != COMP_DECL_IMPORT && d->kind != COMP_DECL_EXPORT)
			comp_scope_add_decl(ts, d);
	}
	enum meld_status st = valid_names_unique(v, &imports, "import");
	return st == MELD_OK ? valid_names_unique(v, &exports, "export") : st;
}

/* ---- core types -------------------------------------------------------- */

/* Where the core type indices of a core type definition point. */
struct tspace {
	struct comp_scope *s;                    /* component level, or NULL */
	const struct comp_core_subtype **local;  /* module type: its types so far */
	uint32_t nlocal;
	const struct comp_core_typedef *group;   /* the rec group being checked */
	uint32_t first;                          /* its first index */
};

/* The sub type index idx names (NULL if unknown); *module if a module type. */
static const struct comp_core_subtype *
tspace_get(const struct tspace *ts, uint32_t idx, bool *module)
{
	*module = false;
	if (ts->group && idx >= ts->first && idx - ts->first < ts->group->nsubs)
		return &ts->group->subs[idx - ts->first];
	if (!ts->s)
		return idx < ts->nlocal ? ts->local[idx] : NULL;
	struct comp_item *it = comp_scope_get(ts->s, COMP_SPACE_CORE_TYPE, idx);
	if (!it || !it->core_type)
		return NULL;
	if (it->core_type->is_module) {
		*module = true;
		return NULL;
	}
	return it->core_sub < it->core_type->nsubs ? &it->core_type->subs[it->core_sub] : NULL;
}

static enum meld_status
valid_core_valtype(struct vctx *v, const struct tspace *ts,
		   const struct comp_core_valtype *t, uint32_t ntypes, size_t off)
{
	if ((t->code != COMP_CORE_REF && t->code != COMP_CORE_REF_NULL) || t->heap < 0)
		return MELD_OK;
	if ((uint64_t)t->heap >= ntypes)
		return valid_fail(v, off, "type index %lld out of bounds (%u core types)",
				  (long long)t->heap, ntypes);
	bool module;
	tspace_get(ts, (uint32_t)t->heap, &module);
	if (module)
		return valid_fail(v, off, "type index %lld is a module type", (long long)t->heap);
	return MELD_OK;
}

static enum meld_status
valid_subtype(struct vctx *v, const struct tspace *ts, const struct comp_core_subtype *st_,
	      uint32_t self, uint32_t ntypes, size_t off)
{
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; i < st_->nsupers && st == MELD_OK; i++) {
		bool module;
		const struct comp_core_subtype *sup =
			st_->supers[i] < self ? tspace_get(ts, st_->supers[i], &module) : NULL;
		if (st_->supers[i] >= self)
			st = valid_fail(v, off, "supertype index %u out of bounds",
					st_->supers[i]);
		else if (module)
			st = valid_fail(v, off, "type index %u is a module type", st_->supers[i]);
		else if (sup && sup->final)
			st = valid_fail(v, off, "sub type cannot have a final super type");
		else if (sup && sup->kind != st_->kind)
			st = valid_fail(v, off, "sub type must match super type");
	}
	for (uint32_t i = 0; i < st_->nparams && st == MELD_OK; i++)
		st = valid_core_valtype(v, ts, &st_->params[i], ntypes, off);
	for (uint32_t i = 0; i < st_->nresults && st == MELD_OK; i++)
		st = valid_core_valtype(v, ts, &st_->results[i], ntypes, off);
	for (uint32_t i = 0; i < st_->nfields && st == MELD_OK; i++)
		st = valid_core_valtype(v, ts, &st_->fields[i].type, ntypes, off);
	if (st == MELD_OK && st_->kind == COMP_CORE_COMP_CONT &&
	    st_->cont_typeidx >= ntypes)
		st = valid_fail(v, off, "type index %u out of bounds", st_->cont_typeidx);
	return st;
}

/* A rec group whose first type gets index `first` among `first` earlier. */
static enum meld_status
valid_rec_group(struct vctx *v, struct tspace *ts, const struct comp_core_typedef *t,
		uint32_t first)
{
	uint32_t ntypes = first + t->nsubs;
	ts->group = t;
	ts->first = first;
	for (uint32_t i = 0; i < t->nsubs; i++) {
		enum meld_status st = valid_subtype(v, ts, &t->subs[i], first + i,
						    ntypes, t->offset);
		if (st != MELD_OK)
			return st;
	}
	ts->group = NULL;
	return MELD_OK;
}

static enum meld_status
valid_limits(struct vctx *v, const struct comp_core_limits *l, bool memory, size_t off)
{
	bool has_max = l->flags & 0x01, is64 = l->flags & 0x04;
	if (has_max && l->min > l->max)
		return valid_fail(v, off, "size minimum must not be greater than maximum");
	if (!memory || (l->flags & 0x08))
		return MELD_OK; /* custom page sizes change the bound */
	uint64_t pages = is64 ? (uint64_t)1 << 48 : (uint64_t)1 << 16;
	if (l->min > pages || (has_max && l->max > pages))
		return valid_fail(v, off, is64 ? "memory size must be at most 2**48 pages"
					      : "memory size must be at most 65536 pages (4GiB)");
	return MELD_OK;
}

static enum meld_status
valid_core_extern(struct vctx *v, const struct tspace *ts,
		  const struct comp_core_externtype *e, uint32_t ntypes, size_t off)
{
	if ((e->kind == COMP_CORE_EXTERN_FUNC || e->kind == COMP_CORE_EXTERN_TAG) &&
	    e->typeidx >= ntypes)
		return valid_fail(v, off, "type index %u out of bounds", e->typeidx);
	if (e->kind == COMP_CORE_EXTERN_TABLE || e->kind == COMP_CORE_EXTERN_MEMORY) {
		enum meld_status st = valid_limits(v, &e->limits,
						   e->kind == COMP_CORE_EXTERN_MEMORY, off);
		if (st != MELD_OK)
			return st;
	}
	if (e->kind == COMP_CORE_EXTERN_TABLE || e->kind == COMP_CORE_EXTERN_GLOBAL)
		return valid_core_valtype(v, ts, &e->type, ntypes, off);
	return MELD_OK;
}

static bool
same_name(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Imports of a module type unique as module:name pairs, exports by name. */
static enum meld_status
module_type_names(struct vctx *v, const struct comp_core_typedef *t)
{
	if ((uint64_t)t->ndecls * t->ndecls > 64000000u)
		return MELD_OK;
	for (uint32_t i = 0; i < t->ndecls; i++) {
		const struct comp_module_decl *d = &t->decls[i];
		for (uint32_t k = 0; k < i; k++) {
			const struct comp_module_decl *e = &t->decls[k];
			if (d->kind != e->kind || !same_name(d->name, e->name))
				continue;
			if (d->kind == COMP_MODULE_DECL_EXPORT)
				return valid_fail(v, d->offset, "export name `%.*s` already defined",
						  (int)d->name.len, (const char *)d->name.p);
			if (d->kind == COMP_MODULE_DECL_IMPORT && same_name(d->module, e->module))
				return valid_fail(v, d->offset, "duplicate import name `%.*s:%.*s`",
						  (int)d->module.len, (const char *)d->module.p,
						  (int)d->name.len, (const char *)d->name.p);
		}
	}
	return MELD_OK;
}

static enum meld_status
valid_module_type(struct vctx *v, struct comp_scope *s,
		  const struct comp_core_typedef *t)
{
	enum meld_status nst = module_type_names(v, t);
	if (nst != MELD_OK)
		return nst;
	struct tspace ts = {NULL, NULL, 0, NULL, 0};
	ts.local = arena_alloc_array(v->arena, t->nlocal_types + 1, sizeof *ts.local);
	if (!ts.local)
		return valid_oom(v);
	for (uint32_t i = 0; i < t->ndecls; i++) {
		const struct comp_module_decl *d = &t->decls[i];
		enum meld_status st = MELD_OK;
		switch (d->kind) {
		case COMP_MODULE_DECL_TYPE:
			st = valid_rec_group(v, &ts, d->type, ts.nlocal);
			for (uint32_t k = 0; k < d->type->nsubs && ts.nlocal < t->nlocal_types; k++)
				ts.local[ts.nlocal++] = &d->type->subs[k];
			break;
		case COMP_MODULE_DECL_ALIAS: {
			/* count 0 is the module type itself */
			struct comp_scope *o = d->outer_count
				? comp_scope_outer(s, d->outer_count - 1) : NULL;
			const struct comp_core_subtype *sub = NULL;
			bool module = false;
			if (d->outer_count == 0) {
				if (d->outer_idx < ts.nlocal)
					sub = ts.local[d->outer_idx];
				else
					st = valid_fail(v, d->offset, "type index out of bounds");
			} else if (!o) {
				st = valid_fail(v, d->offset, "invalid outer alias count of %u",
						d->outer_count);
			} else {
				st = valid_index(v, o, COMP_SPACE_CORE_TYPE, d->outer_idx,
						 d->offset, "outer alias");
				struct tspace os = {o, NULL, 0, NULL, 0};
				if (st == MELD_OK)
					sub = tspace_get(&os, d->outer_idx, &module);
			}
			if (st == MELD_OK && module)
				st = valid_fail(v, d->offset, "type index %u is a module type",
						d->outer_idx);
			if (ts.nlocal < t->nlocal_types)
				ts.local[ts.nlocal++] = sub;
			break;
		}
		case COMP_MODULE_DECL_IMPORT:
		case COMP_MODULE_DECL_EXPORT:
			st = valid_core_extern(v, &ts, &d->ext, ts.nlocal, d->offset);
			break;
		}
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

enum meld_status
valid_core_type(struct vctx *v, struct comp_scope *s,
		const struct comp_core_typedef *t)
{
	if (t->is_module)
		return valid_module_type(v, s, t);
	struct tspace ts = {s, NULL, 0, NULL, 0};
	return valid_rec_group(v, &ts, t, (uint32_t)s->space[COMP_SPACE_CORE_TYPE].len);
}
