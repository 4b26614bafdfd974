/*
 * comp_valid_gc: the GC ABI of `canon lower ... gc (core-type $t)` (a
 * wasm-tools extension of CanonicalABI.md, feature cm-gc): each
 * component parameter and the result must lower to the matching core
 * type of $t.  Scalars lower to i32/i64/f32/f64 (8- and 16-bit ones to
 * packed i8/i16 inside structs and arrays), strings to arrays of i8 (or
 * i16 for utf16), records and tuples to structs of as many fields,
 * variants, options and results to empty structs, lists to arrays,
 * flags and enums to i32, handles, streams, futures and error contexts
 * to extern references.
 */
#include "comp_valid.h"

#include <stdio.h>
#include <string.h>

/* A core value or storage type, with the scope its type indices name. */
struct gc_core {
	struct comp_core_valtype t;
	bool field; /* a struct field or array element: packed types allowed */
	struct comp_scope *ts;
};

struct gc_cx {
	struct vctx *v;
	struct verr *err;
	enum comp_string_encoding enc;
	unsigned depth;
};

static void
print_core(const struct gc_core *c, char *buf, size_t n)
{
	static const struct {
		uint8_t code;
		const char *name;
	} heaps[] = {{0x69, "exn"}, {0x6a, "array"}, {0x6b, "struct"}, {0x6c, "i31"},
		     {0x6d, "eq"}, {0x6e, "any"}, {0x6f, "extern"}, {0x70, "func"},
		     {0x71, "none"}, {0x72, "noextern"}, {0x73, "nofunc"}, {0x74, "noexn"}};
	const struct comp_core_valtype *t = &c->t;
	switch (t->code) {
	case COMP_CORE_I32: snprintf(buf, n, "i32"); return;
	case COMP_CORE_I64: snprintf(buf, n, "i64"); return;
	case COMP_CORE_F32: snprintf(buf, n, "f32"); return;
	case COMP_CORE_F64: snprintf(buf, n, "f64"); return;
	case COMP_CORE_V128: snprintf(buf, n, "v128"); return;
	case COMP_CORE_I8: snprintf(buf, n, "i8"); return;
	case COMP_CORE_I16: snprintf(buf, n, "i16"); return;
	default: break;
	}
	bool null = t->code == COMP_CORE_REF_NULL;
	if (t->heap >= 0) {
		snprintf(buf, n, "(ref %s%lld)", null ? "null " : "", (long long)t->heap);
		return;
	}
	const char *h = "?";
	for (size_t i = 0; i < sizeof heaps / sizeof heaps[0]; i++) {
		if (heaps[i].code == (uint8_t)(t->heap + 0x80))
			h = heaps[i].name;
	}
	if (null)
		snprintf(buf, n, "%sref", h);
	else
		snprintf(buf, n, "(ref %s)", h);
}

/* The composite type a concrete reference names, or NULL. */
static const struct comp_core_subtype *
concrete(const struct gc_core *c)
{
	if ((c->t.code != COMP_CORE_REF && c->t.code != COMP_CORE_REF_NULL) || c->t.heap < 0)
		return NULL;
	struct comp_item *it = comp_scope_get(c->ts, COMP_SPACE_CORE_TYPE, (uint32_t)c->t.heap);
	if (!it || !it->core_type || it->core_type->is_module ||
	    it->core_sub >= it->core_type->nsubs)
		return NULL;
	return &it->core_type->subs[it->core_sub];
}

static bool
is_extern_ref(const struct gc_core *c)
{
	return (c->t.code == COMP_CORE_REF || c->t.code == COMP_CORE_REF_NULL) &&
	       c->t.heap < 0 && (uint8_t)(c->t.heap + 0x80) == 0x6f;
}

/* "expected to lower component `comp` type <tail>, [but ]found `core`" */
static bool
mismatch(struct gc_cx *x, const struct gc_core *c, const char *comp, const char *tail,
	 bool but)
{
	char found[64];
	print_core(c, found, sizeof found);
	return verr_fail(x->err, "expected to lower component `%s` type %s, %sfound `%s`",
			 comp, tail, but ? "but " : "", found);
}

/* bool ... f64 and char. */
static bool
gc_prim(struct gc_cx *x, enum comp_prim p, const struct gc_core *c)
{
	const char *name = comp_prim_name(p);
	enum comp_core_valtype_code want = COMP_CORE_I32, packed = COMP_CORE_I32;
	switch (p) {
	case COMP_PRIM_BOOL:
	case COMP_PRIM_S8:
	case COMP_PRIM_U8: packed = COMP_CORE_I8; break;
	case COMP_PRIM_S16:
	case COMP_PRIM_U16: packed = COMP_CORE_I16; break;
	case COMP_PRIM_S64:
	case COMP_PRIM_U64: want = packed = COMP_CORE_I64; break;
	case COMP_PRIM_F32: want = packed = COMP_CORE_F32; break;
	case COMP_PRIM_F64: want = packed = COMP_CORE_F64; break;
	case COMP_PRIM_STRING: {
		bool wide = x->enc == COMP_STRING_UTF16;
		const struct comp_core_subtype *st = concrete(c);
		if (st && st->kind == COMP_CORE_COMP_ARRAY && st->nfields == 1 &&
		    st->fields[0].type.code == (wide ? COMP_CORE_I16 : COMP_CORE_I8))
			return true;
		return mismatch(x, c, name, wide ? "to core `(ref null? (array (mut? i16)))` type"
						 : "to core `(ref null? (array (mut? i8)))` type",
				false);
	}
	case COMP_PRIM_ERROR_CONTEXT:
		if (is_extern_ref(c))
			return true;
		return mismatch(x, c, name, "into core `(ref null? extern)` type", true);
	default: break;
	}
	enum comp_core_valtype_code ok = c->field ? packed : want;
	if (c->t.code == ok)
		return true;
	char tail[40];
	snprintf(tail, sizeof tail, "to core `%s` type",
		 ok == COMP_CORE_I8 ? "i8" : ok == COMP_CORE_I16 ? "i16"
		 : ok == COMP_CORE_I64 ? "i64" : ok == COMP_CORE_F32 ? "f32"
		 : ok == COMP_CORE_F64 ? "f64" : "i32");
	return mismatch(x, c, name, tail, false);
}

static bool gc_vt(struct gc_cx *x, struct comp_scope *s, struct comp_valtype vt,
		  const struct gc_core *c);

/* Records and tuples: a struct with one field per component field. */
static bool
gc_product(struct gc_cx *x, struct comp_scope *s, const struct comp_valtype *ts,
	   size_t stride, uint32_t n, const struct gc_core *c, const char *kind)
{
	const struct comp_core_subtype *st = concrete(c);
	if (!st || st->kind != COMP_CORE_COMP_STRUCT)
		return mismatch(x, c, kind, "to core `(ref null? (struct ...))`", true);
	if (st->nfields != n)
		return verr_fail(x->err, "core `struct` has %u fields, but component `%s` has %u fields",
				 st->nfields, kind, n);
	for (uint32_t i = 0; i < n; i++) {
		struct gc_core f = {st->fields[i].type, true, c->ts};
		const struct comp_valtype *t =
			(const struct comp_valtype *)((const uint8_t *)ts + i * stride);
		if (!gc_vt(x, s, *t, &f))
			return false;
	}
	return true;
}

static bool
gc_sum(struct gc_cx *x, const struct gc_core *c, const char *kind)
{
	const struct comp_core_subtype *st = concrete(c);
	if (st && st->kind == COMP_CORE_COMP_STRUCT && st->nfields == 0)
		return true;
	return mismatch(x, c, kind, "to core `(ref null? (struct))`", true);
}

static bool
gc_defval(struct gc_cx *x, struct comp_scope *s, const struct comp_defval *dv,
	  const struct gc_core *c)
{
	const struct comp_core_subtype *st;
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM:
		return gc_prim(x, dv->prim, c);
	case COMP_DEFVAL_RECORD:
		return gc_product(x, s, &dv->record.fields[0].type, sizeof(struct comp_field),
				  dv->record.nfields, c, "record");
	case COMP_DEFVAL_TUPLE:
		return gc_product(x, s, dv->tuple.types, sizeof(struct comp_valtype),
				  dv->tuple.ntypes, c, "tuple");
	case COMP_DEFVAL_VARIANT:
		return gc_sum(x, c, "variant");
	case COMP_DEFVAL_OPTION:
		return gc_sum(x, c, "option");
	case COMP_DEFVAL_RESULT:
		return gc_sum(x, c, "result");
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST: {
		st = concrete(c);
		if (!st || st->kind != COMP_CORE_COMP_ARRAY || st->nfields != 1)
			return mismatch(x, c, "list", "into `(ref null? (array ...))`", true);
		struct gc_core e = {st->fields[0].type, true, c->ts};
		return gc_vt(x, s, dv->list.elem, &e);
	}
	case COMP_DEFVAL_MAP:
		return verr_fail(x->err, "GC lowering for component `map` type is not yet implemented");
	case COMP_DEFVAL_FLAGS:
	case COMP_DEFVAL_ENUM:
		if (c->t.code == COMP_CORE_I32)
			return true;
		return mismatch(x, c, dv->kind == COMP_DEFVAL_FLAGS ? "flags" : "enum",
				"into core `i32` type", true);
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW:
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE: {
		static const char *names[] = {"own", "borrow", "stream", "future"};
		const char *name = dv->kind == COMP_DEFVAL_OWN ? names[0]
				   : dv->kind == COMP_DEFVAL_BORROW ? names[1]
				   : dv->kind == COMP_DEFVAL_STREAM ? names[2] : names[3];
		if (is_extern_ref(c))
			return true;
		return mismatch(x, c, name, "into core `(ref null? extern)` type", true);
	}
	}
	return true;
}

static bool
gc_vt(struct gc_cx *x, struct comp_scope *s, struct comp_valtype vt,
      const struct gc_core *c)
{
	if (x->v->budget == 0)
		x->v->out_of_budget = true;
	if (x->depth > 100 || x->v->budget == 0)
		return true;
	x->v->budget--;
	if (vt.prim != COMP_PRIM_NONE)
		return gc_prim(x, vt.prim, c);
	struct comp_item *t = comp_scope_valtype(s, vt);
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def || t->def->kind != COMP_TYPE_DEFVAL)
		return true;
	x->depth++;
	bool ok = gc_defval(x, t->scope, &t->def->defval, c);
	x->depth--;
	return ok;
}

enum meld_status
valid_gc_lowering(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn,
		  struct comp_item *ft_item)
{
	const struct comp_canon_opts *o = &cn->opts;
	const struct comp_functype *ft = valid_functype_of(ft_item);
	if (cn->kind != COMP_CANON_LOWER || !o->has_core_type || !ft)
		return MELD_OK; /* lift checks the core function as wasm-tools does not */
	struct comp_item *ct = comp_scope_get(s, COMP_SPACE_CORE_TYPE, o->core_typeidx);
	if (!ct || !ct->core_type || ct->core_type->is_module ||
	    ct->core_sub >= ct->core_type->nsubs)
		return MELD_OK;
	const struct comp_core_subtype *st = &ct->core_type->subs[ct->core_sub];
	if (st->kind != COMP_CORE_COMP_FUNC)
		return MELD_OK;
	if (st->nparams != ft->nparams)
		return valid_fail(v, cn->offset,
				  "declared `core-type` has %u parameters, but component function has %u parameters",
				  st->nparams, ft->nparams);
	struct verr err;
	struct gc_cx x = {v, &err, o->encoding, 0};
	for (uint32_t i = 0; i < ft->nparams; i++) {
		struct gc_core c = {st->params[i], false, ct->scope};
		if (!gc_vt(&x, ft_item->scope, ft->params[i].type, &c))
			return valid_fail(v, cn->offset, "%s", err.msg);
	}
	uint32_t nres = ft->has_result ? 1 : 0;
	if (st->nresults != nres)
		return valid_fail(v, cn->offset,
				  "declared `core-type` has %u results, but component function has %u results",
				  st->nresults, nres);
	if (ft->has_result) {
		struct gc_core c = {st->results[0], false, ct->scope};
		if (!gc_vt(&x, ft_item->scope, ft->result, &c))
			return valid_fail(v, cn->offset, "%s", err.msg);
	}
	return MELD_OK;
}
