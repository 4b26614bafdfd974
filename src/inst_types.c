/*
 * inst_types: component types during instantiation (Explainer.md "Type
 * Definitions", "Declarators", "Type Checking").
 *
 * Type definitions are converted into vtypes once per component instance
 * that evaluates them, so a type refers to resource identities, never to
 * index spaces.  Instance types of root imports are evaluated into host
 * instances: a function export becomes a host function (an output import),
 * a `(sub resource)` export a fresh host resource.  Imports linked to
 * another input are checked against the same declarators.
 */
#include "inst_impl.h"

#include <string.h>

struct tscope *
inst_tscope_up(struct tscope *s, uint32_t count)
{
	for (uint32_t i = 0; s && i < count; i++)
		s = s->up;
	return s;
}

struct inst_res *
inst_new_resource(struct ictx *x, bool host, uint32_t comp)
{
	struct inst_res *r = arena_alloc(x->a, sizeof *r);
	struct vtype_resource *vt = arena_alloc(x->a, sizeof *vt);
	struct inst_res **slot = arena_push(
		x->a, (void **)&x->g->resources, &x->g->nresources,
		&x->g->resources_cap, sizeof *slot);
	if (!r || !vt || !slot)
		return NULL;
	*slot = r;
	vt->id = x->next_res++;
	vt->instance = comp;
	vt->rep = COMP_CORE_I32;
	vt->pass_data = r;
	r->vt = vt;
	r->host = host;
	r->comp = comp;
	return r;
}

static struct itype *
scope_type(struct tscope *s, uint32_t idx)
{
	return s && idx < s->ntypes ? s->types[idx] : NULL;
}

enum meld_status
inst_valtype(struct ictx *x, struct tscope *s, struct comp_valtype vt,
	     size_t offset, const struct vtype **out)
{
	if (vt.prim != COMP_PRIM_NONE) {
		*out = vtype_prim(x->a, (enum vtype_kind)vt.prim);
		return *out ? MELD_OK : inst_oom(x);
	}
	struct itype *t = scope_type(s, vt.typeidx);
	if (!t || t->kind != IT_VAL)
		return inst_fail(x, MELD_EINVALID, offset,
				 "type %u is not a value type", vt.typeidx);
	*out = t->val;
	return MELD_OK;
}

static enum meld_status
valtypes(struct ictx *x, struct tscope *s, const struct comp_valtype *in,
	 const bool *present, uint32_t n, size_t offset,
	 const struct vtype ***out)
{
	const struct vtype **ts = arena_alloc_array(x->a, n, sizeof *ts);
	if (!ts)
		return inst_oom(x);
	for (uint32_t i = 0; i < n; i++) {
		if (present && !present[i])
			continue;
		enum meld_status st = inst_valtype(x, s, in[i], offset, &ts[i]);
		if (st != MELD_OK)
			return st;
	}
	*out = ts;
	return MELD_OK;
}

static enum meld_status
record_type(struct ictx *x, struct tscope *s, const struct comp_defval *dv,
	    size_t off, const struct vtype **out)
{
	uint32_t n = dv->record.nfields;
	struct bin_name *labels = arena_alloc_array(x->a, n, sizeof *labels);
	struct comp_valtype *vts = arena_alloc_array(x->a, n, sizeof *vts);
	if (!labels || !vts)
		return inst_oom(x);
	for (uint32_t i = 0; i < n; i++) {
		labels[i] = dv->record.fields[i].label;
		vts[i] = dv->record.fields[i].type;
	}
	const struct vtype **ts;
	enum meld_status st = valtypes(x, s, vts, NULL, n, off, &ts);
	if (st != MELD_OK)
		return st;
	*out = vtype_record(x->a, labels, ts, n);
	return *out ? MELD_OK : inst_oom(x);
}

static enum meld_status
variant_type(struct ictx *x, struct tscope *s, const struct comp_defval *dv,
	     size_t off, const struct vtype **out)
{
	uint32_t n = dv->variant.ncases;
	struct bin_name *labels = arena_alloc_array(x->a, n, sizeof *labels);
	struct comp_valtype *vts = arena_alloc_array(x->a, n, sizeof *vts);
	bool *present = arena_alloc_array(x->a, n, sizeof *present);
	if (!labels || !vts || !present)
		return inst_oom(x);
	for (uint32_t i = 0; i < n; i++) {
		labels[i] = dv->variant.cases[i].label;
		vts[i] = dv->variant.cases[i].type;
		present[i] = dv->variant.cases[i].has_type;
	}
	const struct vtype **ts;
	enum meld_status st = valtypes(x, s, vts, present, n, off, &ts);
	if (st != MELD_OK)
		return st;
	*out = vtype_variant(x->a, labels, ts, n);
	return *out ? MELD_OK : inst_oom(x);
}

static enum meld_status
handle_type(struct ictx *x, struct tscope *s, const struct comp_defval *dv,
	    size_t off, const struct vtype **out)
{
	struct itype *t = scope_type(s, dv->resource_typeidx);
	if (!t || t->kind != IT_RES)
		return inst_fail(x, MELD_EINVALID, off,
				 "own/borrow of type %u, not a resource",
				 dv->resource_typeidx);
	*out = dv->kind == COMP_DEFVAL_OWN ? vtype_own(x->a, t->res->vt)
					   : vtype_borrow(x->a, t->res->vt);
	return *out ? MELD_OK : inst_oom(x);
}

/* An optional valtype: NULL when absent. */
static enum meld_status
opt_valtype(struct ictx *x, struct tscope *s, bool has, struct comp_valtype vt,
	    size_t off, const struct vtype **out)
{
	*out = NULL;
	return has ? inst_valtype(x, s, vt, off, out) : MELD_OK;
}

static enum meld_status
defval_type(struct ictx *x, struct tscope *s, const struct comp_defval *dv,
	    size_t off, const struct vtype **out)
{
	const struct vtype *a = NULL, *b = NULL, **ts;
	enum meld_status st = MELD_OK;
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM:
		*out = vtype_prim(x->a, (enum vtype_kind)dv->prim);
		break;
	case COMP_DEFVAL_RECORD: return record_type(x, s, dv, off, out);
	case COMP_DEFVAL_VARIANT: return variant_type(x, s, dv, off, out);
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST:
		if ((st = inst_valtype(x, s, dv->list.elem, off, &a)))
			return st;
		*out = dv->kind == COMP_DEFVAL_LIST
			       ? vtype_list(x->a, a)
			       : vtype_fixed_list(x->a, a, dv->list.len);
		break;
	case COMP_DEFVAL_TUPLE:
		st = valtypes(x, s, dv->tuple.types, NULL, dv->tuple.ntypes,
			      off, &ts);
		if (st != MELD_OK)
			return st;
		*out = vtype_tuple(x->a, ts, dv->tuple.ntypes);
		break;
	case COMP_DEFVAL_FLAGS:
		*out = vtype_flags(x->a, dv->labels.labels, dv->labels.nlabels);
		break;
	case COMP_DEFVAL_ENUM:
		*out = vtype_enum(x->a, dv->labels.labels, dv->labels.nlabels);
		break;
	case COMP_DEFVAL_OPTION:
		if ((st = inst_valtype(x, s, dv->option, off, &a)))
			return st;
		*out = vtype_option(x->a, a);
		break;
	case COMP_DEFVAL_RESULT:
		if ((st = opt_valtype(x, s, dv->result.has_ok, dv->result.ok,
				      off, &a)) ||
		    (st = opt_valtype(x, s, dv->result.has_err, dv->result.err,
				      off, &b)))
			return st;
		*out = vtype_result(x->a, a, b);
		break;
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW: return handle_type(x, s, dv, off, out);
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		if ((st = opt_valtype(x, s, dv->async_elem.has_elem,
				      dv->async_elem.elem, off, &a)))
			return st;
		*out = dv->kind == COMP_DEFVAL_STREAM ? vtype_stream(x->a, a)
						      : vtype_future(x->a, a);
		break;
	case COMP_DEFVAL_MAP:
		if ((st = inst_valtype(x, s, dv->map.key, off, &a)) ||
		    (st = inst_valtype(x, s, dv->map.value, off, &b)))
			return st;
		*out = vtype_map(x->a, a, b);
		break;
	default:
		return inst_fail(x, MELD_EINVALID, off, "unknown value type");
	}
	return *out ? MELD_OK : inst_oom(x);
}

static enum meld_status
func_type(struct ictx *x, struct tscope *s, const struct comp_functype *ft,
	  size_t off, const struct vtype_func **out)
{
	struct vtype_param *ps =
		arena_alloc_array(x->a, ft->nparams, sizeof *ps);
	if (!ps)
		return inst_oom(x);
	enum meld_status st;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		ps[i].label = ft->params[i].label;
		st = inst_valtype(x, s, ft->params[i].type, off, &ps[i].type);
		if (st != MELD_OK)
			return st;
	}
	const struct vtype *res;
	if ((st = opt_valtype(x, s, ft->has_result, ft->result, off, &res)))
		return st;
	*out = vtype_func_create(x->a, ft->async, ps, ft->nparams, res);
	return *out ? MELD_OK : inst_oom(x);
}

enum meld_status
inst_type_def(struct ictx *x, struct tscope *s, const struct comp_type *t,
	      uint32_t comp, size_t offset, struct itype **out)
{
	(void)comp;
	struct itype *it = arena_alloc(x->a, sizeof *it);
	if (!it)
		return inst_oom(x);
	enum meld_status st = MELD_OK;
	switch (t->kind) {
	case COMP_TYPE_DEFVAL:
		it->kind = IT_VAL;
		st = defval_type(x, s, &t->defval, offset, &it->val);
		break;
	case COMP_TYPE_FUNC:
		it->kind = IT_FUNC;
		st = func_type(x, s, &t->func, offset, &it->func);
		break;
	case COMP_TYPE_COMPONENT:
	case COMP_TYPE_INSTANCE:
		it->kind = IT_DECL;
		it->decl = t;
		it->scope = s;
		break;
	case COMP_TYPE_RESOURCE:
		return inst_fail(x, MELD_EINVALID, offset,
				 "a resource type inside a type declaration");
	}
	*out = it;
	return st;
}

/* ---- instance types: host instances and link checks ---------------- */

/*
 * Walks an instance type's declarators.  For every export the callback
 * gets the declarator and the local scope so far; it binds type exports
 * in the local scope (ls->types[d->local_idx]).
 */
struct decl_walk {
	struct ictx *x;
	const char *module;
	struct ibag *bag;          /* host: the bag being built */
	const struct ival *have;   /* link check: the instance provided */
	const char *what;
};

static enum meld_status walk_instance(struct decl_walk *w, struct itype *t,
				      size_t off);

static enum meld_status
local_alias(struct ictx *x, struct tscope *ls, const struct comp_decl *d)
{
	if (d->alias.kind != COMP_ALIAS_OUTER)
		return inst_fail(x, MELD_EUNSUPPORTED, d->offset,
				 "export alias in an instance type");
	if (d->alias.space != COMP_SPACE_TYPE || d->local_idx >= ls->ntypes)
		return MELD_OK;
	struct tscope *o = inst_tscope_up(ls, d->alias.outer_count);
	struct itype *t = scope_type(o, d->alias.outer_idx);
	if (!t)
		return inst_fail(x, MELD_EINVALID, d->offset,
				 "outer alias of an unknown type");
	ls->types[d->local_idx] = t;
	return MELD_OK;
}

static enum meld_status
host_export(struct decl_walk *w, struct tscope *ls, const struct comp_decl *d)
{
	struct ictx *x = w->x;
	const char *field = inst_str(x, d->name.name);
	struct ival val = {0};
	enum comp_space sp;
	enum meld_status st = MELD_OK;
	struct itype *t = scope_type(ls, d->ext.idx);
	if (!field)
		return inst_oom(x);
	switch (d->ext.kind) {
	case COMP_EXTERN_FUNC:
		sp = COMP_SPACE_FUNC;
		st = inst_host_func(x, t, w->module, field, d->offset,
				    &val.func);
		break;
	case COMP_EXTERN_TYPE:
		sp = COMP_SPACE_TYPE;
		if (d->ext.bound == COMP_BOUND_EQ) {
			val.type = t;
			break;
		}
		val.type = arena_alloc(x->a, sizeof *val.type);
		if (!val.type ||
		    !(val.type->res = inst_new_resource(x, true, UINT32_MAX)))
			return inst_oom(x);
		val.type->kind = IT_RES;
		val.type->res->module = w->module;
		val.type->res->name = field;
		val.type->res->vt->name = d->name.name;
		break;
	case COMP_EXTERN_INSTANCE: {
		sp = COMP_SPACE_INSTANCE;
		const char *m = inst_join(x, w->module, "#", field);
		if (!m)
			return inst_oom(x);
		st = inst_host_instance(x, t, m, d->offset, &val.instance);
		break;
	}
	case COMP_EXTERN_MODULE:
		sp = COMP_SPACE_CORE_MODULE; /* opaque: see host_import */
		break;
	case COMP_EXTERN_COMPONENT:
		sp = COMP_SPACE_COMPONENT;
		break;
	default:
		sp = COMP_SPACE_VALUE;
		break;
	}
	if (st != MELD_OK)
		return st;
	if (sp == COMP_SPACE_TYPE && d->local_idx < ls->ntypes)
		ls->types[d->local_idx] = val.type;
	return inst_bag_add(x, w->bag, d->name.name, sp, val);
}

static bool
same_type(const struct itype *a, const struct itype *b)
{
	if (!a || !b || a->kind != b->kind)
		return a == b;
	switch (a->kind) {
	case IT_VAL: return vtype_equal(a->val, b->val);
	case IT_FUNC: return vtype_func_equal(a->func, b->func);
	case IT_RES: return a->res == b->res;
	default: return true;
	}
}

static enum meld_status
link_mismatch(struct decl_walk *w, const struct comp_decl *d, const char *why)
{
	return inst_fail(w->x, MELD_ELINK, d->offset,
			 "import \"%s\": export \"%.*s\" %s", w->what,
			 (int)d->name.name.len, (const char *)d->name.name.p,
			 why);
}

static enum meld_status
check_export(struct decl_walk *w, struct tscope *ls, const struct comp_decl *d)
{
	struct ictx *x = w->x;
	enum comp_space sp;
	struct ival *v = inst_bag_find(w->have->instance, d->name.name, &sp);
	struct itype *t = scope_type(ls, d->ext.idx);
	if (!v)
		return link_mismatch(w, d, "is missing in the linked input");
	switch (d->ext.kind) {
	case COMP_EXTERN_FUNC:
		if (sp != COMP_SPACE_FUNC)
			return link_mismatch(w, d, "is not a function");
		return inst_check_import(x, sp, t, v, w->what, d->offset);
	case COMP_EXTERN_TYPE:
		if (sp != COMP_SPACE_TYPE)
			return link_mismatch(w, d, "is not a type");
		if (d->ext.bound == COMP_BOUND_EQ && !same_type(t, v->type))
			return link_mismatch(w, d, "has a different type");
		if (d->ext.bound != COMP_BOUND_EQ &&
		    (!v->type || v->type->kind != IT_RES))
			return link_mismatch(w, d, "is not a resource");
		if (d->local_idx < ls->ntypes)
			ls->types[d->local_idx] = v->type;
		return MELD_OK;
	case COMP_EXTERN_INSTANCE:
		if (sp != COMP_SPACE_INSTANCE)
			return link_mismatch(w, d, "is not an instance");
		return inst_check_import(x, sp, t, v, w->what, d->offset);
	default:
		return MELD_OK;
	}
}

static enum meld_status
walk_instance(struct decl_walk *w, struct itype *t, size_t off)
{
	struct ictx *x = w->x;
	if (!t || t->kind != IT_DECL || t->decl->kind != COMP_TYPE_INSTANCE)
		return inst_fail(x, MELD_EINVALID, off,
				 "an instance import whose type is not an "
				 "instance type");
	const struct comp_decltype *dt = &t->decl->decl;
	struct tscope *ls = arena_alloc(x->a, sizeof *ls);
	if (!ls)
		return inst_oom(x);
	ls->up = t->scope;
	ls->ntypes = dt->nlocal[COMP_SPACE_TYPE];
	ls->types = arena_alloc_array(x->a, ls->ntypes, sizeof *ls->types);
	if (!ls->types)
		return inst_oom(x);
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; st == MELD_OK && i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		struct itype *lt = NULL;
		switch (d->kind) {
		case COMP_DECL_CORE_TYPE:
			break;
		case COMP_DECL_TYPE:
			st = inst_type_def(x, ls, d->type, UINT32_MAX,
					   d->offset, &lt);
			if (st == MELD_OK && d->local_idx < ls->ntypes)
				ls->types[d->local_idx] = lt;
			break;
		case COMP_DECL_ALIAS:
			st = local_alias(x, ls, d);
			break;
		case COMP_DECL_EXPORT:
			st = w->have ? check_export(w, ls, d)
				     : host_export(w, ls, d);
			break;
		case COMP_DECL_IMPORT:
			st = inst_fail(x, MELD_EINVALID, d->offset,
				       "import declarator in an instance type");
			break;
		}
	}
	return st;
}

enum meld_status
inst_host_instance(struct ictx *x, struct itype *t, const char *module,
		   size_t offset, struct ibag **out)
{
	struct ibag *bag = arena_alloc(x->a, sizeof *bag);
	if (!bag)
		return inst_oom(x);
	struct decl_walk w = {.x = x, .module = module, .bag = bag};
	*out = bag;
	return walk_instance(&w, t, offset);
}

enum meld_status
inst_host_func(struct ictx *x, struct itype *t, const char *module,
	       const char *field, size_t offset, struct inst_func **out)
{
	if (!t || t->kind != IT_FUNC)
		return inst_fail(x, MELD_EINVALID, offset,
				 "function import \"%s\" without a function "
				 "type",
				 field);
	struct inst_func *fn = arena_alloc(x->a, sizeof *fn);
	struct inst_func **slot =
		arena_push(x->a, (void **)&x->g->funcs, &x->g->nfuncs,
			   &x->g->funcs_cap, sizeof *slot);
	if (!fn || !slot)
		return inst_oom(x);
	*slot = fn;
	fn->id = (uint32_t)(x->g->nfuncs - 1);
	fn->kind = INST_FUNC_HOST;
	fn->type = t->func;
	fn->module = module;
	fn->field = field;
	fn->name = field;
	fn->offset = offset;
	fn->input = x->input;
	fn->comp = UINT32_MAX;
	*out = fn;
	return MELD_OK;
}

enum meld_status
inst_check_import(struct ictx *x, enum comp_space space, struct itype *want,
		  const struct ival *have, const char *what, size_t offset)
{
	char a[160], b[160];
	switch (space) {
	case COMP_SPACE_FUNC:
		if (!want || want->kind != IT_FUNC || !have->func)
			return inst_fail(x, MELD_ELINK, offset,
					 "import \"%s\": not a function", what);
		if (vtype_func_equal(want->func, have->func->type))
			return MELD_OK;
		return inst_fail(x, MELD_ELINK, offset,
				 "import \"%s\": expects %s, the linked input "
				 "exports %s",
				 what, vtype_func_print(want->func, a, sizeof a),
				 vtype_func_print(have->func->type, b,
						  sizeof b));
	case COMP_SPACE_INSTANCE: {
		struct decl_walk w = {.x = x, .have = have, .what = what};
		return walk_instance(&w, want, offset);
	}
	default:
		return MELD_OK;
	}
}
