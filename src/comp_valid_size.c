/*
 * comp_valid_size: the byte size of a value type in linear memory
 * (CanonicalABI.md "Element Size" and "Alignment"), with 64-bit pointers,
 * for the rule that every defined value type has elem_size(t, i64) < 2^28
 * (Explainer.md "Type Definitions", validation notes).
 *
 * Also the "effective type size" wasm-tools bounds (1,000,000): a type
 * counts one plus the sizes of the types it refers to, as often as it
 * refers to them, so nesting can make a small binary describe a huge
 * type.
 *
 * Sizes of referenced types are kept per type item, so a chain of types
 * that each use the previous one twice costs one walk per type, not one
 * per path.  Sizes saturate at SIZE_CAP, far above the limits.
 */
#include "comp_valid.h"

#include <stdint.h>
#include <string.h>

#define SIZE_CAP ((uint64_t)1 << 40)

struct size_align {
	uint64_t size;
	uint32_t align;
};

struct size_memo {
	const struct comp_item **keys;
	struct size_align *vals;
	size_t n, cap;
};

static size_t
memo_slot(const struct comp_item *it, size_t cap)
{
	uintptr_t h = (uintptr_t)it;
	h ^= h >> 15;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 9) & (cap - 1);
}

static bool
memo_get(const struct size_memo *m, const struct comp_item *it, struct size_align *out)
{
	if (!m || m->cap == 0)
		return false;
	for (size_t i = memo_slot(it, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == it) {
			*out = m->vals[i];
			return true;
		}
		if (!m->keys[i])
			return false;
	}
}

static void
memo_put_at(const struct comp_item **keys, struct size_align *vals, size_t cap,
	    const struct comp_item *it, struct size_align sa)
{
	size_t i = memo_slot(it, cap);
	while (keys[i] && keys[i] != it)
		i = (i + 1) & (cap - 1);
	keys[i] = it;
	vals[i] = sa;
}

static void
memo_put(struct vctx *v, struct size_memo **slot, const struct comp_item *it,
	 struct size_align sa)
{
	struct size_memo *m = *slot;
	if (!m) {
		m = arena_alloc(v->arena, sizeof *m);
		if (!m)
			return;
		memset(m, 0, sizeof *m);
		*slot = m;
	}
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		const struct comp_item **keys = arena_alloc_array(v->arena, cap, sizeof *keys);
		struct size_align *vals = arena_alloc_array(v->arena, cap, sizeof *vals);
		if (!keys || !vals)
			return;
		memset(keys, 0, cap * sizeof *keys);
		for (size_t i = 0; i < m->cap; i++) {
			if (m->keys[i])
				memo_put_at(keys, vals, cap, m->keys[i], m->vals[i]);
		}
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	memo_put_at(m->keys, m->vals, m->cap, it, sa);
	m->n++;
}

static uint64_t
align_to(uint64_t n, uint32_t a)
{
	return a > 1 ? (n + a - 1) / a * a : n;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b > SIZE_CAP ? SIZE_CAP : a + b;
}

static struct size_align
prim_size(enum comp_prim p)
{
	switch (p) {
	case COMP_PRIM_BOOL:
	case COMP_PRIM_S8:
	case COMP_PRIM_U8: return (struct size_align){1, 1};
	case COMP_PRIM_S16:
	case COMP_PRIM_U16: return (struct size_align){2, 2};
	case COMP_PRIM_S64:
	case COMP_PRIM_U64:
	case COMP_PRIM_F64: return (struct size_align){8, 8};
	case COMP_PRIM_STRING: return (struct size_align){16, 8};
	default: return (struct size_align){4, 4};
	}
}

/* The discriminant of a variant with n cases. */
static uint32_t
disc_size(uint64_t n)
{
	return n <= 256 ? 1 : n <= 65536 ? 2 : 4;
}

static struct size_align vt_size(struct vctx *v, struct comp_scope *s,
				 struct comp_valtype vt, unsigned depth);

/* Fields laid out in order (records, tuples). */
struct layout {
	uint64_t size;
	uint32_t align;
};

static void
lay(struct layout *l, struct size_align f)
{
	l->size = sat_add(align_to(l->size, f.align), f.size);
	if (f.align > l->align)
		l->align = f.align;
}

/* Variant-shaped: discriminant, then the largest payload. */
static struct size_align
cases_size(uint64_t ncases, const struct size_align *payloads, uint32_t n)
{
	uint32_t d = disc_size(ncases), a = 1;
	uint64_t max = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (payloads[i].align > a)
			a = payloads[i].align;
		if (payloads[i].size > max)
			max = payloads[i].size;
	}
	uint64_t size = sat_add(align_to(d, a), max);
	uint32_t align = a > d ? a : d;
	return (struct size_align){align_to(size, align), align};
}

static struct size_align
defval_size(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv,
	    unsigned depth)
{
	struct layout l = {0, 1};
	struct size_align p[2];
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM:
		return prim_size(dv->prim);
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; i < dv->record.nfields; i++)
			lay(&l, vt_size(v, s, dv->record.fields[i].type, depth));
		return (struct size_align){align_to(l.size, l.align), l.align};
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++)
			lay(&l, vt_size(v, s, dv->tuple.types[i], depth));
		return (struct size_align){align_to(l.size, l.align), l.align};
	case COMP_DEFVAL_VARIANT: {
		uint32_t a = 1;
		uint64_t max = 0;
		for (uint32_t i = 0; i < dv->variant.ncases; i++) {
			if (!dv->variant.cases[i].has_type)
				continue;
			struct size_align c = vt_size(v, s, dv->variant.cases[i].type, depth);
			a = c.align > a ? c.align : a;
			max = c.size > max ? c.size : max;
		}
		p[0] = (struct size_align){max, a};
		return cases_size(dv->variant.ncases, p, 1);
	}
	case COMP_DEFVAL_ENUM:
		return cases_size(dv->labels.nlabels, NULL, 0);
	case COMP_DEFVAL_FLAGS: {
		uint32_t n = dv->labels.nlabels;
		if (n <= 8)
			return (struct size_align){n ? 1 : 0, 1};
		if (n <= 16)
			return (struct size_align){2, 2};
		return (struct size_align){4 * (((uint64_t)n + 31) / 32), 4};
	}
	case COMP_DEFVAL_OPTION:
		p[0] = vt_size(v, s, dv->option, depth);
		return cases_size(2, p, 1);
	case COMP_DEFVAL_RESULT: {
		uint32_t n = 0;
		if (dv->result.has_ok)
			p[n++] = vt_size(v, s, dv->result.ok, depth);
		if (dv->result.has_err)
			p[n++] = vt_size(v, s, dv->result.err, depth);
		return cases_size(2, p, n);
	}
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_MAP:
		return (struct size_align){16, 8};
	case COMP_DEFVAL_FIXED_LIST: {
		struct size_align e = vt_size(v, s, dv->list.elem, depth);
		uint64_t es = align_to(e.size, e.align);
		uint64_t total = es && dv->list.len > SIZE_CAP / es ? SIZE_CAP
								   : es * dv->list.len;
		return (struct size_align){total, e.align};
	}
	default:
		return (struct size_align){4, 4}; /* handles, streams, futures */
	}
}

static struct size_align
vt_size(struct vctx *v, struct comp_scope *s, struct comp_valtype vt, unsigned depth)
{
	struct size_align sa = {4, 4};
	if (vt.prim != COMP_PRIM_NONE)
		return prim_size(vt.prim);
	struct comp_item *t = comp_item_canon(comp_scope_valtype(s, vt));
	if (v->budget == 0)
		v->out_of_budget = true; /* refused once the definition is done */
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def || t->def->kind != COMP_TYPE_DEFVAL ||
	    depth > 200 || v->budget == 0)
		return sa;
	if (memo_get(v->size_memo, t, &sa))
		return sa;
	v->budget--;
	sa = defval_size(v, t->scope, &t->def->defval, depth + 1);
	memo_put(v, &v->size_memo, t, sa);
	return sa;
}

uint64_t
valid_elem_size(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv)
{
	struct size_align sa = defval_size(v, s, dv, 0);
	return align_to(sa.size, sa.align);
}

/* ---- effective type size --------------------------------------------------- */

static uint64_t item_tsize(struct vctx *v, struct comp_item *t, unsigned depth);

static uint64_t
vt_tsize(struct vctx *v, struct comp_scope *s, struct comp_valtype vt, unsigned depth)
{
	if (vt.prim != COMP_PRIM_NONE)
		return 1;
	return item_tsize(v, comp_scope_valtype(s, vt), depth);
}

static uint64_t
defval_tsize(struct vctx *v, struct comp_scope *s, const struct comp_defval *dv,
	     unsigned depth)
{
	uint64_t n = 1;
	switch (dv->kind) {
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; i < dv->record.nfields; i++)
			n = sat_add(n, vt_tsize(v, s, dv->record.fields[i].type, depth));
		return n;
	case COMP_DEFVAL_VARIANT:
		for (uint32_t i = 0; i < dv->variant.ncases; i++) {
			if (dv->variant.cases[i].has_type)
				n = sat_add(n, vt_tsize(v, s, dv->variant.cases[i].type, depth));
		}
		return n;
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++)
			n = sat_add(n, vt_tsize(v, s, dv->tuple.types[i], depth));
		return n;
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST:
		return sat_add(n, vt_tsize(v, s, dv->list.elem, depth));
	case COMP_DEFVAL_OPTION:
		return sat_add(n, vt_tsize(v, s, dv->option, depth));
	case COMP_DEFVAL_RESULT:
		if (dv->result.has_ok)
			n = sat_add(n, vt_tsize(v, s, dv->result.ok, depth));
		if (dv->result.has_err)
			n = sat_add(n, vt_tsize(v, s, dv->result.err, depth));
		return n;
	case COMP_DEFVAL_MAP:
		return sat_add(sat_add(n, vt_tsize(v, s, dv->map.key, depth)),
			       vt_tsize(v, s, dv->map.value, depth));
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		return dv->async_elem.has_elem
			       ? sat_add(n, vt_tsize(v, s, dv->async_elem.elem, depth)) : n;
	default:
		return n;
	}
}

/* An import or export of a component or instance type, in its scope. */
static uint64_t
extern_tsize(struct vctx *v, struct comp_scope *ts, const struct comp_externtype *e,
	     unsigned depth)
{
	switch (e->kind) {
	case COMP_EXTERN_MODULE:
		return 1;
	case COMP_EXTERN_VALUE:
		return vt_tsize(v, ts, e->value, depth);
	case COMP_EXTERN_TYPE:
		if (e->bound == COMP_BOUND_SUB_RESOURCE)
			return 1;
		/* fall through */
	default:
		return item_tsize(v, comp_scope_get(ts, COMP_SPACE_TYPE, e->idx), depth);
	}
}

static uint64_t
decltype_tsize(struct vctx *v, struct comp_scope *s, const struct comp_type *t,
	       unsigned depth)
{
	struct comp_scope *ts = comp_scope_new_type(&v->sx, s, t);
	uint64_t n = 1;
	for (uint32_t i = 0; ts && i < t->decl.ndecls && n < SIZE_CAP; i++) {
		const struct comp_decl *d = &t->decl.decls[i];
		if (d->kind == COMP_DECL_IMPORT || d->kind == COMP_DECL_EXPORT)
			n = sat_add(n, extern_tsize(v, ts, &d->ext, depth));
		comp_scope_add_decl(ts, d);
	}
	return n;
}

static uint64_t
type_tsize(struct vctx *v, struct comp_scope *s, const struct comp_type *t, unsigned depth)
{
	uint64_t n = 1;
	switch (t->kind) {
	case COMP_TYPE_DEFVAL:
		return defval_tsize(v, s, &t->defval, depth);
	case COMP_TYPE_FUNC:
		for (uint32_t i = 0; i < t->func.nparams; i++)
			n = sat_add(n, vt_tsize(v, s, t->func.params[i].type, depth));
		return t->func.has_result ? sat_add(n, vt_tsize(v, s, t->func.result, depth)) : n;
	case COMP_TYPE_COMPONENT:
	case COMP_TYPE_INSTANCE:
		return decltype_tsize(v, s, t, depth);
	case COMP_TYPE_RESOURCE:
		return 1;
	}
	return 1;
}

static uint64_t
item_tsize(struct vctx *v, struct comp_item *t, unsigned depth)
{
	struct size_align sa;
	t = comp_item_canon(t);
	if (v->budget == 0)
		v->out_of_budget = true; /* refused once the definition is done */
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def || depth > 200 || v->budget == 0)
		return 1;
	if (memo_get(v->tsize_memo, t, &sa))
		return sa.size;
	v->budget--;
	sa.size = type_tsize(v, t->scope, t->def, depth + 1);
	sa.align = 0;
	memo_put(v, &v->tsize_memo, t, sa);
	return sa.size;
}

uint64_t
valid_type_size(struct vctx *v, struct comp_scope *s, const struct comp_type *t)
{
	return type_tsize(v, s, t, 0);
}
