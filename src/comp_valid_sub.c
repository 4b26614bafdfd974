/*
 * comp_valid_sub: subtyping of component-level items (Explainer.md "Type
 * Checking", "Instance Definitions", "Import and Export Definitions"),
 * for instantiation arguments and export ascriptions.
 *
 * Like wasm-tools (and Wasmtime), value and function types must be equal
 * in structure, resources the same resource; instance, component and
 * module types have width subtyping (more exports, fewer imports).
 *
 * Resource identity is comp_scope's: items are shared by pointer.  An
 * expected type is opened in a scope of its own whose imports or exports
 * are substituted by the actual items as they are checked, one declarator
 * at a time, so a (sub resource) the expected type declares becomes the
 * resource the actual item supplies, and later declarators that refer to
 * it compare against that resource.  Component types are compared as
 * wasm-tools does: the expected type's imports are handed to the actual
 * component's imports (contravariantly), then the actual component's
 * exports, seen through those imports, to the expected type's exports.
 */
#include "comp_valid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "comp_types.h"

/* Nesting of types compared at once; deeper passes (the budget's job). */
#define SUB_MAX_DEPTH 100

bool
verr_fail(struct verr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return false;
}

bool
verr_ctx(struct verr *e, bool ok, const char *fmt, ...)
{
	if (ok)
		return true;
	char ctx[200], old[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	size_t n = strlen(ctx), m = strnlen(old, sizeof old - 1);
	if (n + 2 + m >= sizeof e->msg)
		m = sizeof e->msg - n - 3;
	memcpy(e->msg, ctx, n);
	memcpy(e->msg + n, ": ", 2);
	memcpy(e->msg + n + 2, old, m);
	e->msg[n + 2 + m] = '\0';
	return false;
}

struct sub {
	struct vctx *v;
	struct verr *err;
	unsigned depth;
};

/* One more step; false when out of budget (the check then passes). */
static bool
spend(struct sub *x)
{
	if (x->v->budget == 0 || x->depth > SUB_MAX_DEPTH) {
		x->v->out_of_budget = true;
		return false;
	}
	x->v->budget--;
	return true;
}

static bool
name_eq(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* ---- value types ------------------------------------------------------ */

/* A value type seen through its type index: a primitive or a defval. */
struct vt_view {
	bool known;
	enum comp_prim prim; /* NONE: dv */
	const struct comp_defval *dv;
	struct comp_scope *s;
};

static struct vt_view
view_of(struct comp_scope *s, struct comp_valtype vt)
{
	struct vt_view w = {true, vt.prim, NULL, s};
	if (vt.prim != COMP_PRIM_NONE)
		return w;
	struct comp_item *t = comp_scope_valtype(s, vt);
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def ||
	    t->def->kind != COMP_TYPE_DEFVAL) {
		w.known = false;
		return w;
	}
	w.dv = &t->def->defval;
	w.s = t->scope;
	if (w.dv->kind == COMP_DEFVAL_PRIM) {
		w.prim = w.dv->prim;
		w.dv = NULL;
	}
	return w;
}

static const char *
defval_desc(const struct comp_defval *dv)
{
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM: return "primitive";
	case COMP_DEFVAL_RECORD: return "record";
	case COMP_DEFVAL_VARIANT: return "variant";
	case COMP_DEFVAL_LIST: return "list";
	case COMP_DEFVAL_FIXED_LIST: return "fixed-length list";
	case COMP_DEFVAL_TUPLE: return "tuple";
	case COMP_DEFVAL_FLAGS: return "flags";
	case COMP_DEFVAL_ENUM: return "enum";
	case COMP_DEFVAL_OPTION: return "option";
	case COMP_DEFVAL_RESULT: return "result";
	case COMP_DEFVAL_OWN: return "own";
	case COMP_DEFVAL_BORROW: return "borrow";
	case COMP_DEFVAL_STREAM: return "stream";
	case COMP_DEFVAL_FUTURE: return "future";
	case COMP_DEFVAL_MAP: return "map";
	}
	return "defined type";
}

static const char *
view_desc(const struct vt_view *w)
{
	return w->dv ? defval_desc(w->dv) : comp_prim_name(w->prim);
}

static bool sub_vt(struct sub *x, struct comp_scope *as, struct comp_valtype a,
		   struct comp_scope *bs, struct comp_valtype b);

static bool
sub_opt_vt(struct sub *x, const struct vt_view *a, bool ha, struct comp_valtype ta,
	   const struct vt_view *b, bool hb, struct comp_valtype tb,
	   const char *what)
{
	if (ha && hb)
		return verr_ctx(x->err, sub_vt(x, a->s, ta, b->s, tb),
				"type mismatch in %s", what);
	if (!ha && hb)
		return verr_fail(x->err, "expected %s type, but found none", what);
	if (ha && !hb)
		return verr_fail(x->err, "expected %s type to not be present", what);
	return true;
}

static bool
sub_record(struct sub *x, const struct vt_view *a, const struct vt_view *b)
{
	const struct comp_defval *ad = a->dv, *bd = b->dv;
	if (ad->record.nfields != bd->record.nfields)
		return verr_fail(x->err, "expected %u fields, found %u",
				 bd->record.nfields, ad->record.nfields);
	for (uint32_t i = 0; i < ad->record.nfields; i++) {
		const struct comp_field *fa = &ad->record.fields[i], *fb = &bd->record.fields[i];
		if (!name_eq(fa->label, fb->label))
			return verr_fail(x->err, "expected field name `%.*s`, found `%.*s`",
					 (int)fb->label.len, (const char *)fb->label.p,
					 (int)fa->label.len, (const char *)fa->label.p);
		if (!verr_ctx(x->err, sub_vt(x, a->s, fa->type, b->s, fb->type),
			      "type mismatch in record field `%.*s`", (int)fa->label.len,
			      (const char *)fa->label.p))
			return false;
	}
	return true;
}

static bool
sub_variant(struct sub *x, const struct vt_view *a, const struct vt_view *b)
{
	const struct comp_defval *ad = a->dv, *bd = b->dv;
	if (ad->variant.ncases != bd->variant.ncases)
		return verr_fail(x->err, "expected %u cases, found %u",
				 bd->variant.ncases, ad->variant.ncases);
	for (uint32_t i = 0; i < ad->variant.ncases; i++) {
		const struct comp_case *ca = &ad->variant.cases[i], *cb = &bd->variant.cases[i];
		int n = (int)ca->label.len;
		const char *l = (const char *)ca->label.p;
		if (!name_eq(ca->label, cb->label))
			return verr_fail(x->err, "expected case named `%.*s`, found `%.*s`",
					 (int)cb->label.len, (const char *)cb->label.p, n, l);
		if (!ca->has_type && cb->has_type)
			return verr_fail(x->err, "expected case `%.*s` to have a type, found none",
					 n, l);
		if (ca->has_type && !cb->has_type)
			return verr_fail(x->err, "expected case `%.*s` to have no type", n, l);
		if (ca->has_type &&
		    !verr_ctx(x->err, sub_vt(x, a->s, ca->type, b->s, cb->type),
			      "type mismatch in variant case `%.*s`", n, l))
			return false;
	}
	return true;
}

static bool
sub_tuple(struct sub *x, const struct vt_view *a, const struct vt_view *b)
{
	const struct comp_defval *ad = a->dv, *bd = b->dv;
	if (ad->tuple.ntypes != bd->tuple.ntypes)
		return verr_fail(x->err, "expected %u types, found %u",
				 bd->tuple.ntypes, ad->tuple.ntypes);
	for (uint32_t i = 0; i < ad->tuple.ntypes; i++) {
		if (!verr_ctx(x->err, sub_vt(x, a->s, ad->tuple.types[i], b->s,
					      bd->tuple.types[i]),
			      "type mismatch in tuple field %u", i))
			return false;
	}
	return true;
}

static bool
sub_labels(struct sub *x, const struct comp_defval *ad, const struct comp_defval *bd)
{
	bool same = ad->labels.nlabels == bd->labels.nlabels;
	for (uint32_t i = 0; same && i < ad->labels.nlabels; i++)
		same = name_eq(ad->labels.labels[i], bd->labels.labels[i]);
	if (same)
		return true;
	return verr_fail(x->err, "mismatch in %s elements",
			 ad->kind == COMP_DEFVAL_FLAGS ? "flags" : "enum");
}

static bool
sub_handle(struct sub *x, const struct vt_view *a, const struct vt_view *b)
{
	struct comp_item *ra = comp_scope_get(a->s, COMP_SPACE_TYPE, a->dv->resource_typeidx);
	struct comp_item *rb = comp_scope_get(b->s, COMP_SPACE_TYPE, b->dv->resource_typeidx);
	if (!ra || !rb || comp_item_canon(ra)->kind == COMP_ITEM_UNKNOWN ||
	    comp_item_canon(rb)->kind == COMP_ITEM_UNKNOWN || comp_item_same(ra, rb))
		return true;
	return verr_fail(x->err, "resource types are not the same");
}

static bool
sub_defval(struct sub *x, const struct vt_view *a, const struct vt_view *b)
{
	const struct comp_defval *ad = a->dv, *bd = b->dv;
	if (ad->kind != bd->kind)
		return verr_fail(x->err, "expected %s, found %s", defval_desc(bd),
				 defval_desc(ad));
	switch (ad->kind) {
	case COMP_DEFVAL_RECORD:
		return sub_record(x, a, b);
	case COMP_DEFVAL_VARIANT:
		return sub_variant(x, a, b);
	case COMP_DEFVAL_TUPLE:
		return sub_tuple(x, a, b);
	case COMP_DEFVAL_LIST:
		return sub_vt(x, a->s, ad->list.elem, b->s, bd->list.elem);
	case COMP_DEFVAL_FIXED_LIST:
		if (ad->list.len != bd->list.len)
			return verr_fail(x->err, "expected fixed-length %u, found size %u",
					 bd->list.len, ad->list.len);
		return sub_vt(x, a->s, ad->list.elem, b->s, bd->list.elem);
	case COMP_DEFVAL_OPTION:
		return sub_vt(x, a->s, ad->option, b->s, bd->option);
	case COMP_DEFVAL_MAP:
		return verr_ctx(x->err, sub_vt(x, a->s, ad->map.key, b->s, bd->map.key),
				"type mismatch in map key") &&
		       verr_ctx(x->err, sub_vt(x, a->s, ad->map.value, b->s, bd->map.value),
				"type mismatch in map value");
	case COMP_DEFVAL_FLAGS:
	case COMP_DEFVAL_ENUM:
		return sub_labels(x, ad, bd);
	case COMP_DEFVAL_RESULT:
		return sub_opt_vt(x, a, ad->result.has_ok, ad->result.ok, b,
				  bd->result.has_ok, bd->result.ok, "ok") &&
		       sub_opt_vt(x, a, ad->result.has_err, ad->result.err, b,
				  bd->result.has_err, bd->result.err, "err");
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW:
		return sub_handle(x, a, b);
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		return sub_opt_vt(x, a, ad->async_elem.has_elem, ad->async_elem.elem, b,
				  bd->async_elem.has_elem, bd->async_elem.elem,
				  ad->kind == COMP_DEFVAL_STREAM ? "stream" : "future");
	case COMP_DEFVAL_PRIM:
		return true;
	}
	return true;
}

static bool
sub_vt(struct sub *x, struct comp_scope *as, struct comp_valtype a,
       struct comp_scope *bs, struct comp_valtype b)
{
	struct vt_view va = view_of(as, a), vb = view_of(bs, b);
	if (!va.known || !vb.known || !spend(x))
		return true;
	if (!va.dv && !vb.dv) {
		if (va.prim == vb.prim)
			return true;
		return verr_fail(x->err, "expected primitive `%s` found primitive `%s`",
				 comp_prim_name(vb.prim), comp_prim_name(va.prim));
	}
	if (!va.dv || !vb.dv)
		return verr_fail(x->err, "expected %s, found %s", view_desc(&vb),
				 view_desc(&va));
	x->depth++;
	bool ok = sub_defval(x, &va, &vb);
	x->depth--;
	return ok;
}

bool
valid_sub_valtype(struct vctx *v, struct comp_scope *as, struct comp_valtype a,
		  struct comp_scope *bs, struct comp_valtype b, struct verr *err)
{
	struct sub x = {v, err, 0};
	return sub_vt(&x, as, a, bs, b);
}

/* ---- function types ---------------------------------------------------- */

static bool
sub_func(struct sub *x, struct comp_item *ai, struct comp_item *bi)
{
	const struct comp_functype *a = valid_functype_of(ai), *b = valid_functype_of(bi);
	if (!a || !b || !spend(x))
		return true;
	if (a->async != b->async)
		return verr_fail(x->err, "expected %s function, found %s function",
				 b->async ? "async" : "sync", a->async ? "async" : "sync");
	if (a->nparams != b->nparams)
		return verr_fail(x->err, "expected %u parameters, found %u", b->nparams,
				 a->nparams);
	for (uint32_t i = 0; i < a->nparams; i++) {
		struct bin_name an = a->params[i].label, bn = b->params[i].label;
		if (!name_eq(an, bn))
			return verr_fail(x->err, "expected parameter named `%.*s`, found `%.*s`",
					 (int)bn.len, (const char *)bn.p, (int)an.len,
					 (const char *)an.p);
		if (!verr_ctx(x->err, sub_vt(x, ai->scope, a->params[i].type, bi->scope,
					      b->params[i].type),
			      "type mismatch in function parameter `%.*s`", (int)an.len,
			      (const char *)an.p))
			return false;
	}
	if (a->has_result && b->has_result)
		return verr_ctx(x->err, sub_vt(x, ai->scope, a->result, bi->scope, b->result),
				"type mismatch with result type");
	if (a->has_result)
		return verr_fail(x->err, "expected a result, found none");
	if (b->has_result)
		return verr_fail(x->err, "expected no result, found one");
	return true;
}

/* ---- instance and component types -------------------------------------- */

static bool sub_extern(struct sub *x, struct comp_item *actual, enum comp_space sp,
		       const struct comp_externtype *e, struct comp_scope *es);

static const struct comp_export_ref *
find_named(const struct comp_export_ref *refs, uint32_t n, struct bin_name name)
{
	for (uint32_t i = 0; i < n; i++) {
		if (name_eq(refs[i].name, name))
			return &refs[i];
	}
	return NULL;
}

/* The instance type t, its exports given by `a`. */
static bool
sub_instance_refs(struct sub *x, const struct comp_export_ref *a, uint32_t na,
		  struct comp_item *t)
{
	struct comp_scope *ts = comp_scope_new_type(&x->v->sx, t->scope, t->def);
	if (!ts)
		return true;
	ts->exp_src = a;
	ts->nexp_src = na;
	const struct comp_decltype *dt = &t->def->decl;
	for (uint32_t i = 0; i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		if (d->kind == COMP_DECL_EXPORT && !find_named(a, na, d->name.name))
			return verr_fail(x->err, "missing expected export `%.*s`",
					 (int)d->name.name.len, (const char *)d->name.name.p);
	}
	for (uint32_t i = 0; i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		if (!spend(x))
			return true;
		if (d->kind == COMP_DECL_EXPORT) {
			const struct comp_export_ref *r = find_named(a, na, d->name.name);
			if (!verr_ctx(x->err, sub_extern(x, r->item, r->space, &d->ext, ts),
				      "type mismatch in instance export `%.*s`",
				      (int)d->name.name.len, (const char *)d->name.name.p))
				return false;
		}
		comp_scope_add_decl(ts, d);
	}
	return true;
}

/* The exports of an instance item, or false when they cannot be known. */
static bool
instance_exports(struct comp_item *inst, struct comp_export_ref **refs, uint32_t *n)
{
	if (inst->kind != COMP_ITEM_INSTANCE)
		return false;
	if (inst->inst_kind != COMP_INST_INLINE && !comp_item_instance_scope(inst))
		return false;
	*n = comp_item_exports(inst, refs);
	return *n == 0 || *refs != NULL;
}

/* The exports of an instance type, in a scope of their own. */
static bool
type_exports(struct sub *x, struct comp_item *t, struct comp_export_ref **refs,
	     uint32_t *n)
{
	struct comp_scope *ts = comp_scope_new_type(&x->v->sx, t->scope, t->def);
	if (!ts)
		return false;
	comp_scope_fill(ts);
	*n = comp_scope_nexports(ts);
	*refs = arena_alloc_array(x->v->arena, *n ? *n : 1, sizeof **refs);
	if (!*refs)
		return false;
	for (uint32_t i = 0; i < *n; i++) {
		(*refs)[i].item = comp_scope_export_at(ts, i, &(*refs)[i].name,
						       &(*refs)[i].space);
	}
	return true;
}

static bool
is_type_of(struct comp_item *t, enum comp_type_kind k)
{
	return t && t->kind == COMP_ITEM_TYPE && t->def && t->def->kind == k;
}

/* A component: a definition (in lexical scope ls) or a component type. */
struct comp_shape {
	const struct comp_component *def; /* a definition, in lexical scope ls */
	struct comp_scope *ls;
	struct comp_item *type;           /* or a component type */
};

static bool
shape_of(struct comp_item *c, struct comp_shape *sh)
{
	memset(sh, 0, sizeof *sh);
	if (c->kind == COMP_ITEM_COMPONENT && c->def_comp) {
		sh->def = c->def_comp;
		sh->ls = c->scope;
		return true;
	}
	struct comp_item *t = c->kind == COMP_ITEM_COMPONENT ? c->type : c;
	if (!is_type_of(t, COMP_TYPE_COMPONENT))
		return false;
	sh->type = t;
	return true;
}

static bool
check_import(struct sub *x, struct comp_scope *cs, const struct comp_export_ref *given,
	     uint32_t ngiven, const struct comp_extern_name *name,
	     const struct comp_externtype *ext)
{
	const struct comp_export_ref *r = find_named(given, ngiven, name->name);
	if (!r)
		return verr_fail(x->err, "missing import named `%.*s`",
				 (int)name->name.len, (const char *)name->name.p);
	return verr_ctx(x->err, sub_extern(x, r->item, r->space, ext, cs),
			"type mismatch for import `%.*s`", (int)name->name.len,
			(const char *)name->name.p);
}

/*
 * The imports of a component: for each (definition or declarator, in
 * order), `given` supplies an item of a subtype; *out is the component's
 * scope so far (imports substituted).  `all`: build the whole scope, else
 * stop after the last import.
 */
static bool
open_imports(struct sub *x, const struct comp_shape *sh,
	     const struct comp_export_ref *given, uint32_t ngiven, bool all,
	     struct comp_scope **out)
{
	struct comp_scope *cs = sh->def
		? comp_scope_new_component(&x->v->sx, sh->ls, sh->def)
		: comp_scope_new_type(&x->v->sx, sh->type->scope, sh->type->def);
	*out = cs;
	if (!cs)
		return true;
	cs->imp_src = given;
	cs->nimp_src = ngiven;
	if (sh->def) {
		size_t last = 0;
		for (size_t i = 0; i < sh->def->ndefs; i++)
			last = sh->def->defs[i].kind == COMP_DEF_IMPORT ? i + 1 : last;
		for (size_t i = 0; i < (all ? sh->def->ndefs : last); i++) {
			const struct comp_def *d = &sh->def->defs[i];
			if (!spend(x))
				return true;
			if (d->kind == COMP_DEF_IMPORT &&
			    !check_import(x, cs, given, ngiven, &sh->def->imports[d->item].name,
					  &sh->def->imports[d->item].ext))
				return false;
			comp_scope_add_def(cs, d);
		}
		return true;
	}
	const struct comp_decltype *dt = &sh->type->def->decl;
	for (uint32_t i = 0; i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		if (!spend(x))
			return true;
		if (d->kind == COMP_DECL_IMPORT &&
		    !check_import(x, cs, given, ngiven, &d->name, &d->ext))
			return false;
		comp_scope_add_decl(cs, d);
	}
	return true;
}

static bool
scope_exports(struct sub *x, struct comp_scope *cs, struct comp_export_ref **refs,
	      uint32_t *n)
{
	*n = comp_scope_nexports(cs);
	*refs = arena_alloc_array(x->v->arena, *n ? *n : 1, sizeof **refs);
	if (!*refs)
		return false;
	for (uint32_t i = 0; i < *n; i++)
		(*refs)[i].item = comp_scope_export_at(cs, i, &(*refs)[i].name,
						       &(*refs)[i].space);
	return true;
}

/* Component a (definition or type) against component type b. */
static bool
sub_component(struct sub *x, struct comp_item *a, struct comp_item *b)
{
	struct comp_shape sh;
	if (!shape_of(a, &sh) || !is_type_of(b, COMP_TYPE_COMPONENT) || !spend(x))
		return true;
	/* b's imports, as b itself sees them */
	struct comp_scope *b1 = comp_scope_new_type(&x->v->sx, b->scope, b->def);
	if (!b1)
		return true;
	comp_scope_fill(b1);
	const struct comp_decltype *dt = &b->def->decl;
	uint32_t nimp = 0;
	for (uint32_t i = 0; i < dt->ndecls; i++)
		nimp += dt->decls[i].kind == COMP_DECL_IMPORT;
	struct comp_export_ref *imps = arena_alloc_array(x->v->arena, nimp ? nimp : 1,
							 sizeof *imps);
	if (!imps)
		return true;
	nimp = 0;
	for (uint32_t i = 0; i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		if (d->kind != COMP_DECL_IMPORT)
			continue;
		imps[nimp].name = d->name.name;
		imps[nimp].space = d->space;
		imps[nimp].item = comp_scope_get(b1, d->space, d->local_idx);
		nimp++;
	}
	/* handed to a's imports */
	struct comp_scope *as;
	x->depth++;
	bool ok = open_imports(x, &sh, imps, nimp, true, &as);
	x->depth--;
	if (!ok || !as)
		return ok;
	/* a's exports, through those imports, against b's exports */
	struct comp_export_ref *exps;
	uint32_t nexp;
	if (!scope_exports(x, as, &exps, &nexp))
		return true;
	struct comp_scope *b2 = comp_scope_new_type(&x->v->sx, b->scope, b->def);
	if (!b2)
		return true;
	b2->imp_src = imps;
	b2->nimp_src = nimp;
	b2->exp_src = exps;
	b2->nexp_src = nexp;
	for (uint32_t i = 0; i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		if (!spend(x))
			return true;
		if (d->kind == COMP_DECL_EXPORT) {
			const struct comp_export_ref *r = find_named(exps, nexp, d->name.name);
			if (!r)
				return verr_fail(x->err, "missing export named `%.*s`",
						 (int)d->name.name.len,
						 (const char *)d->name.name.p);
			x->depth++;
			ok = sub_extern(x, r->item, r->space, &d->ext, b2);
			x->depth--;
			if (!verr_ctx(x->err, ok, "type mismatch for export `%.*s`",
				      (int)d->name.name.len, (const char *)d->name.name.p))
				return false;
		}
		comp_scope_add_decl(b2, d);
	}
	return true;
}

/* ---- any type, any item ------------------------------------------------- */

static const char *
type_desc(struct comp_item *t)
{
	if (comp_item_is_resource(t))
		return "resource";
	switch (t->def ? t->def->kind : COMP_TYPE_DEFVAL) {
	case COMP_TYPE_FUNC: return "func type";
	case COMP_TYPE_INSTANCE: return "instance type";
	case COMP_TYPE_COMPONENT: return "component type";
	default: return "defined type";
	}
}

static const char *
type_desc_b(struct comp_item *t)
{
	if (comp_item_is_resource(t))
		return "resource";
	switch (t->def ? t->def->kind : COMP_TYPE_DEFVAL) {
	case COMP_TYPE_FUNC: return "func";
	case COMP_TYPE_INSTANCE: return "instance";
	case COMP_TYPE_COMPONENT: return "component";
	default: return "defined type";
	}
}

/* Type a against type b (both TYPE or RESOURCE items). */
static bool
sub_types(struct sub *x, struct comp_item *a, struct comp_item *b)
{
	if (!a || !b)
		return true;
	struct comp_item *ca = comp_item_canon(a), *cb = comp_item_canon(b);
	if (ca->kind == COMP_ITEM_UNKNOWN || cb->kind == COMP_ITEM_UNKNOWN || !spend(x))
		return true;
	if (ca == cb && !comp_item_is_resource(ca))
		return true; /* one type definition, seen twice */
	bool ra = comp_item_is_resource(a), rb = comp_item_is_resource(b);
	if (ra && rb)
		return comp_item_same(a, b) ||
		       verr_fail(x->err, "resource types are not the same");
	if (ra || rb || !ca->def || !cb->def || ca->def->kind != cb->def->kind)
		return verr_fail(x->err, "expected %s, found %s", type_desc_b(b),
				 type_desc(a));
	bool ok = true;
	x->depth++;
	switch (ca->def->kind) {
	case COMP_TYPE_DEFVAL: {
		struct vt_view va = {true, COMP_PRIM_NONE, &ca->def->defval, ca->scope};
		struct vt_view vb = {true, COMP_PRIM_NONE, &cb->def->defval, cb->scope};
		if (va.dv->kind == COMP_DEFVAL_PRIM) {
			va.prim = va.dv->prim;
			va.dv = NULL;
		}
		if (vb.dv->kind == COMP_DEFVAL_PRIM) {
			vb.prim = vb.dv->prim;
			vb.dv = NULL;
		}
		if (!va.dv && !vb.dv)
			ok = va.prim == vb.prim ||
			     verr_fail(x->err, "expected primitive `%s` found primitive `%s`",
				       comp_prim_name(vb.prim), comp_prim_name(va.prim));
		else if (!va.dv || !vb.dv)
			ok = verr_fail(x->err, "expected %s, found %s", view_desc(&vb),
				       view_desc(&va));
		else
			ok = sub_defval(x, &va, &vb);
		break;
	}
	case COMP_TYPE_FUNC:
		ok = sub_func(x, ca, cb);
		break;
	case COMP_TYPE_INSTANCE: {
		struct comp_export_ref *refs;
		uint32_t n;
		ok = !type_exports(x, ca, &refs, &n) || sub_instance_refs(x, refs, n, cb);
		break;
	}
	case COMP_TYPE_COMPONENT:
		ok = sub_component(x, ca, cb);
		break;
	case COMP_TYPE_RESOURCE:
		break;
	}
	x->depth--;
	return ok;
}

static const char *
extern_desc(enum comp_space sp)
{
	switch (sp) {
	case COMP_SPACE_CORE_MODULE: return "module";
	case COMP_SPACE_FUNC: return "func";
	case COMP_SPACE_VALUE: return "value";
	case COMP_SPACE_TYPE: return "type";
	case COMP_SPACE_INSTANCE: return "instance";
	case COMP_SPACE_COMPONENT: return "component";
	default: return comp_space_name(sp);
	}
}

/*
 * An item typed by the very type expected is of that type: a function of
 * that function type, an instance or component imported with it (its
 * resources are its own either way).  Saves walking the same type twice,
 * which nested component types would otherwise make exponential.
 */
static bool
same_type(struct comp_item *actual, struct comp_item *t)
{
	if (!t || !actual->type || actual->asc_src || actual->def_comp)
		return false;
	if (actual->kind != COMP_ITEM_FUNC && actual->kind != COMP_ITEM_COMPONENT &&
	    (actual->kind != COMP_ITEM_INSTANCE || actual->inst_kind != COMP_INST_TYPED))
		return false;
	return comp_item_canon(actual->type) == comp_item_canon(t);
}

static bool
sub_extern(struct sub *x, struct comp_item *actual, enum comp_space sp,
	   const struct comp_externtype *e, struct comp_scope *es)
{
	enum comp_space want = comp_extern_space(e->kind);
	if (!actual || actual->kind == COMP_ITEM_UNKNOWN)
		return true;
	if (sp != want)
		return verr_fail(x->err, "expected %s, found %s", extern_desc(want),
				 extern_desc(sp));
	struct comp_item *t = e->kind == COMP_EXTERN_MODULE
		? comp_scope_get(es, COMP_SPACE_CORE_TYPE, e->idx)
		: comp_scope_get(es, COMP_SPACE_TYPE, e->idx);
	if (same_type(actual, t))
		return true;
	switch (e->kind) {
	case COMP_EXTERN_MODULE:
		return !t || valid_sub_module(x->v, actual, t, x->err);
	case COMP_EXTERN_FUNC:
		return actual->kind != COMP_ITEM_FUNC || !actual->type ||
		       sub_func(x, actual->type, t);
	case COMP_EXTERN_VALUE:
		return actual->kind != COMP_ITEM_VALUE ||
		       sub_vt(x, actual->scope, actual->value_type, es, e->value);
	case COMP_EXTERN_TYPE:
		if (e->bound == COMP_BOUND_EQ)
			return sub_types(x, actual, t);
		if (comp_item_canon(actual)->kind == COMP_ITEM_UNKNOWN ||
		    comp_item_is_resource(actual))
			return true;
		return verr_fail(x->err, "expected resource, found %s", type_desc(actual));
	case COMP_EXTERN_INSTANCE: {
		struct comp_export_ref *refs;
		uint32_t n;
		if (!is_type_of(t, COMP_TYPE_INSTANCE) || !instance_exports(actual, &refs, &n))
			return true;
		x->depth++;
		bool ok = sub_instance_refs(x, refs, n, t);
		x->depth--;
		return ok;
	}
	case COMP_EXTERN_COMPONENT:
		return actual->kind != COMP_ITEM_COMPONENT || sub_component(x, actual, t);
	}
	return true;
}

bool
valid_sub_extern(struct vctx *v, struct comp_item *actual, enum comp_space sp,
		 const struct comp_externtype *e, struct comp_scope *es,
		 struct verr *err)
{
	struct sub x = {v, err, 0};
	return sub_extern(&x, actual, sp, e, es);
}

/* ---- instantiation ------------------------------------------------------ */

enum meld_status
valid_instantiate_args(struct vctx *v, struct comp_scope *s,
		       const struct comp_instance *in)
{
	struct comp_item *ci = comp_scope_get(s, COMP_SPACE_COMPONENT, in->componentidx);
	struct comp_shape sh;
	if (!ci || !shape_of(ci, &sh))
		return MELD_OK;
	struct comp_export_ref *args =
		arena_alloc_array(v->arena, in->nargs ? in->nargs : 1, sizeof *args);
	if (!args)
		return valid_oom(v);
	for (uint32_t i = 0; i < in->nargs; i++) {
		args[i].name = in->args[i].name;
		args[i].space = in->args[i].ref.space;
		args[i].item = comp_scope_get(s, in->args[i].ref.space, in->args[i].ref.idx);
	}
	struct verr err;
	struct sub x = {v, &err, 0};
	struct comp_scope *cs;
	if (open_imports(&x, &sh, args, in->nargs, false, &cs))
		return v->sx.oom ? valid_oom(v) : MELD_OK;
	return valid_fail(v, in->offset, "%s", err.msg);
}
