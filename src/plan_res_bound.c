/*
 * plan_res_bound: the root boundary of the resource types the root
 * exports (README "Resources").  CanonicalABI.md "canon lift", lift_own,
 * lift_borrow, lower_own, lower_borrow, "canon resource.new",
 * "canon resource.rep", "canon resource.drop".
 *
 * Inside the fused module these types live in the per-instance tables
 * like every guest type; every root export that carries their handles
 * gets a boundary function in front of its core function that converts
 * between the inner tables and the outside.  Two outsides:
 *
 *   - a plain core output: the host is one more table among the tables
 *     (the outside of the root).  Its own handles move into the lifting
 *     instance's table, its borrows are lent for the call (the rep in
 *     the defining instance, elsewhere borrow handles of the call's
 *     scope), and an own result moves into the host's table, with every
 *     check of the spec (wrong type, lent or unknown handle, a borrow
 *     kept past the call).  The host drops its handles through the
 *     exported "[resource-drop]r" ("iface#[resource-drop]r"), which runs
 *     the destructor;
 *   - host_resources (the module --component wraps): a definer outside
 *     (the wrapper) defines the type, and the fused module imports its
 *     "[export]iface" "[resource-new]r" (-rep, -drop), as wit-component's
 *     main module does.  Its lift gives a borrow as the rep (the type is
 *     its own) and an own as a handle of its table, which the boundary
 *     function takes out with resource.rep and resource.drop; an own
 *     result leaves through its resource.new.  Its destructor calls the
 *     exported "[dtor]r" ("iface#[dtor]r"), which runs the defining
 *     instance's destructor, except for the resource.drop of a handle
 *     the boundary takes in: that one sets the keep word of the tables'
 *     header first (RTAB_HDR_KEEP), and the [dtor] function only clears
 *     it.
 *
 * Here the boundary function is only reserved among the tables'
 * functions; its body is an adapter of sorts between the outside and the
 * lifting instance in the same memory, made with the adapters
 * (adapt_gen_boundary): it converts the handles wherever they sit in the
 * values (records, variants by discriminant, lists element by element,
 * flat or in memory) where they are.
 */
#include "plan_impl.h"

#include <string.h>

#include "cgen.h"
#include "rtab.h"

static bool
is_table_handle(const struct vtype *t)
{
	const struct inst_res *r = plan_res_of(t->resource);
	return (t->kind == VTYPE_OWN || t->kind == VTYPE_BORROW) && r &&
	       !plan_res_hosted(r);
}

/* Some handle of the tables anywhere in t. */
static bool
carries(const struct vtype *t, unsigned depth)
{
	if (!t || depth > 100 ||
	    !(t->info.props & (VTYPE_P_OWN | VTYPE_P_BORROW)))
		return false;
	if (t->kind == VTYPE_OWN || t->kind == VTYPE_BORROW)
		return is_table_handle(t);
	for (uint32_t i = 0; t->types && i < t->count; i++)
		if (carries(t->types[i], depth + 1))
			return true;
	return carries(t->elem, depth + 1);
}

/* Some handle of the tables in a parameter or the result. */
static bool
func_carries(const struct vtype_func *ft)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (carries(ft->params[i].type, 0))
			return true;
	return carries(ft->result, 0);
}

/* ---- host_resources: the definer's built-ins ------------------------ */

/* The output import of the definer's built-in of this kind for r, or
 * UINT32_MAX. */
static uint32_t
find_outer(const struct plan *p, const struct inst_res *r,
	   enum comp_canon_kind kind)
{
	for (size_t i = 0; i < p->nimports; i++) {
		const struct inst_builtin *b = p->imports[i].builtin;
		if (b && b->res == r && b->kind == kind)
			return (uint32_t)i;
	}
	return UINT32_MAX;
}

static enum meld_status
outer_import(struct pctx *x, const struct inst_res *r,
	     enum comp_canon_kind kind, uint32_t *out)
{
	struct inst_res *res = NULL;
	if ((*out = find_outer(x->p, r, kind)) != UINT32_MAX)
		return MELD_OK;
	for (size_t i = 0; i < x->g->nresources; i++)
		if (x->g->resources[i] == r)
			res = x->g->resources[i];
	struct inst_builtin *b = res ? arena_alloc(x->a, sizeof *b) : NULL;
	if (!b)
		return res ? plan_poom(x)
			   : diag_fail(x->d, MELD_EINVALID, NULL,
				       DIAG_NO_OFFSET,
				       "a root export carries an unknown "
				       "resource type");
	/* a built-in of no core instance: no id, no component instance */
	*b = (struct inst_builtin){UINT32_MAX, kind, res, UINT32_MAX};
	return plan_builtin_import(x, b, out);
}

/* The definer's built-ins the boundary function of t needs: resource.rep
 * and .drop for an own coming in, resource.new for one going out. */
static enum meld_status
outer_imports(struct pctx *x, const struct vtype *t, bool result,
	      unsigned depth)
{
	if (!t || depth > 100 || !(t->info.props & VTYPE_P_OWN))
		return MELD_OK;
	const struct inst_res *r = plan_res_of(t->resource);
	uint32_t idx;
	enum meld_status st = MELD_OK;
	if (t->kind == VTYPE_OWN && (!r || r->host))
		return MELD_OK;
	if (t->kind == VTYPE_OWN && !r->module)
		return diag_fail(x->d, MELD_EINVALID, NULL, DIAG_NO_OFFSET,
				 "a root export carries a resource type the "
				 "root does not export");
	if (t->kind == VTYPE_OWN && result)
		return outer_import(x, r, COMP_CANON_RESOURCE_NEW, &idx);
	if (t->kind == VTYPE_OWN) {
		st = outer_import(x, r, COMP_CANON_RESOURCE_REP, &idx);
		return st == MELD_OK
			       ? outer_import(x, r, COMP_CANON_RESOURCE_DROP,
					      &idx)
			       : st;
	}
	for (uint32_t i = 0; st == MELD_OK && t->types && i < t->count; i++)
		st = outer_imports(x, t->types[i], result, depth + 1);
	return st == MELD_OK ? outer_imports(x, t->elem, result, depth + 1)
			     : st;
}

enum meld_status
plan_res_use_export(struct pctx *x, const struct inst_func *fn)
{
	if (!func_carries(fn->type))
		return MELD_OK;
	x->p->needs_rtab = true;
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; x->p->host_resources && st == MELD_OK &&
			     i < fn->type->nparams;
	     i++)
		st = outer_imports(x, fn->type->params[i].type, false, 0);
	if (st == MELD_OK && x->p->host_resources)
		st = outer_imports(x, fn->type->result, true, 0);
	return st;
}

/* ---- the boundary function ------------------------------------------ */

/* Add f's function (params, then results, in types) to the tables'. */
static enum meld_status
add_func(struct pctx *x, struct cgen_func *f, enum meld_status st,
	 const char *name, const uint8_t *types, uint32_t np, uint32_t nr,
	 uint32_t *funcidx)
{
	struct bin_writer w;
	bin_writer_init(&w);
	if (st == MELD_OK)
		st = cgen_finish(f, &w);
	uint8_t *t = arena_alloc(x->a, np + nr + 1);
	if (t)
		memcpy(t, types, np + nr);
	struct adapt_gen_func fn = {.name = name, .code_size = w.len};
	if (st == MELD_OK && (!t || !(fn.code = arena_dup(x->a, w.buf,
							   w.len))))
		st = MELD_ENOMEM;
	bin_writer_clear(&w);
	cgen_func_clear(f);
	if (st != MELD_OK)
		return st == MELD_ENOMEM ? plan_poom(x)
					 : diag_fail(x->d, st, NULL,
						     DIAG_NO_OFFSET,
						     "%s: cannot generate it",
						     name);
	fn.type = (struct adapt_gen_functype){np, nr, t, t + np};
	return rtab_add_func(x->p->rtab, &fn, funcidx);
}

/*
 * Reserve the boundary function of root export i among the tables'
 * functions; adapt.c makes its body (adapt_gen_boundary), which converts
 * the handles wherever they are in the values.
 */
static enum meld_status
boundary_func(struct pctx *x, size_t i)
{
	const struct inst_export *e = &x->g->exports[i];
	const struct inst_func *fn = e->func;
	if (fn->kind == INST_FUNC_HOST || !func_carries(fn->type))
		return MELD_OK;
	struct abi_sig_opts so = {plan_mem_ptr(x->g, fn->opts.memory), false,
				  false};
	if (so.ptr != ABI_PTR_I32)
		return diag_fail(x->d, MELD_EUNSUPPORTED, fn->input,
				 fn->offset,
				 "root export \"%s\": handles of a resource "
				 "type the root exports with a 64-bit memory",
				 e->name);
	struct abi_core_func cf;
	abi_flatten_functype(fn->type, &so, ABI_LIFT, &cf);
	uint8_t types[VTYPE_FLAT_CAP + 1];
	for (uint32_t k = 0; k < cf.params.count; k++)
		types[k] = (uint8_t)cf.params.types[k];
	if (cf.results.count)
		types[cf.params.count] = (uint8_t)cf.results.types[0];
	struct plan_bound *pb = &x->p->bounds[x->p->nbounds];
	const char *name = plan_str(x, "meld:boundary ", e->name);
	uint8_t *t = arena_alloc(x->a, cf.params.count + 2);
	if (!name || !t)
		return plan_poom(x);
	memcpy(t, types, cf.params.count + cf.results.count);
	struct adapt_gen_func f = {.name = name};
	f.type = (struct adapt_gen_functype){cf.params.count,
					     cf.results.count, t,
					     t + cf.params.count};
	*pb = (struct plan_bound){fn, name, 0, plan_export_target(x->p, fn)};
	x->p->nbounds++;
	enum meld_status st = rtab_add_func(x->p->rtab, &f, &pb->funcidx);
	x->p->export_bound[i] = pb->funcidx;
	return st;
}

/* Some resource type the root exports is kept in the tables. */
static bool
has_root_types(const struct pctx *x)
{
	for (size_t i = 0; i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (!r->host && r->module)
			return true;
	}
	return false;
}

/*
 * host_resources: the [dtor] the definer calls, (func (param rep)): the
 * defining instance's destructor, unless the keep word says the drop was
 * a boundary function's (then it only clears the word).
 */
static enum meld_status
dtor_func(struct pctx *x, const struct inst_res *r, uint32_t *funcidx)
{
	uint32_t tid, mem = x->p->rtab_memidx;
	const struct rtab_type *rt = rtab_find(x->p->rtab, r->vt, &tid);
	if (!rt || rt->dtor_funcidx == RTAB_NONE)
		return MELD_OK;
	struct cgen_func f;
	cgen_func_init(&f, 1);
	cgen_i32_const(&f, 0);
	cgen_i32_load(&f, mem, 2, RTAB_HDR_KEEP);
	cgen_if(&f, CGEN_VOID);
	cgen_i32_const(&f, 0);
	cgen_i32_const(&f, 0);
	cgen_i32_store(&f, mem, 2, RTAB_HDR_KEEP);
	cgen_return(&f);
	cgen_end(&f);
	cgen_local_get(&f, 0);
	cgen_call(&f, rt->dtor_funcidx);
	const char *name = plan_str(x, "meld:dtor ", r->name);
	uint8_t type = rt->rep;
	return add_func(x, &f, name ? MELD_OK : MELD_ENOMEM,
			name ? name : "meld:dtor", &type, 1, 0, funcidx);
}

/* host_resources: the definer's built-ins of every type, for the bodies. */
static enum meld_status
outer_table(struct pctx *x)
{
	struct plan *p = x->p;
	p->outer = arena_alloc_array(x->a, x->g->nresources, sizeof *p->outer);
	if (x->g->nresources && !p->outer)
		return plan_poom(x);
	for (size_t i = 0; i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (r->host || !r->module)
			continue;
		p->outer[p->nouter++] = (struct adapt_gen_outer){
			r->vt, find_outer(p, r, COMP_CANON_RESOURCE_NEW),
			find_outer(p, r, COMP_CANON_RESOURCE_REP),
			find_outer(p, r, COMP_CANON_RESOURCE_DROP)};
	}
	return MELD_OK;
}

static enum meld_status
outer_boundary(struct pctx *x)
{
	struct plan *p = x->p;
	enum meld_status st = outer_table(x);
	p->res_dtor = arena_alloc_array(x->a, x->g->nresources,
					sizeof *p->res_dtor);
	if (x->g->nresources && !p->res_dtor)
		return plan_poom(x);
	for (size_t i = 0; i < x->g->nresources; i++)
		p->res_dtor[i] = UINT32_MAX;
	for (size_t i = 0; st == MELD_OK && i < x->g->nexports; i++)
		st = boundary_func(x, i);
	for (size_t i = 0; st == MELD_OK && i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (!r->host && r->module && r->has_dtor)
			st = dtor_func(x, r, &p->res_dtor[i]);
	}
	return st;
}

enum meld_status
plan_res_boundary(struct pctx *x)
{
	struct plan *p = x->p;
	if (!has_root_types(x))
		return MELD_OK;
	p->bounds = arena_alloc_array(x->a, x->g->nexports, sizeof *p->bounds);
	if (x->g->nexports && !p->bounds)
		return plan_poom(x);
	if (p->host_resources)
		return outer_boundary(x);
	p->host_inst = rtab_ninstances(p->rtab);
	enum meld_status st =
		rtab_add_instance(p->rtab, RTAB_NONE, RTAB_NONE);
	for (size_t i = 0; st == MELD_OK && i < x->g->nexports; i++)
		st = boundary_func(x, i);
	/* the host's drops, exported by plan_res_export_drops */
	for (size_t i = 0; st == MELD_OK && i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		uint32_t funcidx;
		if (!r->host && r->module && r->name)
			st = rtab_builtin(p->rtab, RTAB_DROP, p->host_inst,
					  r->vt, &funcidx);
	}
	return st;
}

/* ---- the exports for the outside ------------------------------------ */

/* "[export]iface" and "[x]" give "iface#[x]r"; the root's "[x]r". */
static const char *
outer_name(struct pctx *x, const struct inst_res *r, const char *what)
{
	const char *iface = r->module + strlen("[export]");
	const char *drop = plan_str(x, what, r->name);
	const char *pre = strcmp(iface, "$root") == 0 ? ""
						      : plan_str(x, iface, "#");
	return drop && pre ? plan_str(x, pre, drop) : NULL;
}

/* host_resources: "[dtor]r" of every root-exported type that has one. */
static enum meld_status
export_dtors(struct pctx *x)
{
	for (size_t i = 0; i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (r->host || !r->module || !r->has_dtor)
			continue;
		const char *name = outer_name(x, r, "[dtor]");
		if (!name)
			return plan_poom(x);
		uint32_t funcidx = x->p->res_dtor && x->p->res_dtor[i] !=
							     UINT32_MAX
					   ? x->p->res_dtor[i]
					   : plan_funcidx(x->p, r->dtor);
		enum meld_status st =
			plan_add_export(x, name, CORE_EXTERN_FUNC, funcidx);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

enum meld_status
plan_res_export_drops(struct pctx *x)
{
	struct plan *p = x->p;
	if (p->host_resources)
		return export_dtors(x);
	if (p->host_inst == UINT32_MAX)
		return MELD_OK;
	for (size_t i = 0; i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (r->host || !r->module || !r->name)
			continue;
		const char *name = outer_name(x, r, "[resource-drop]");
		uint32_t funcidx;
		if (!name)
			return plan_poom(x);
		/* made by plan_res_boundary: this finds it */
		enum meld_status st = rtab_builtin(p->rtab, RTAB_DROP,
						   p->host_inst, r->vt,
						   &funcidx);
		if (st == MELD_OK)
			st = plan_add_export(x, name, CORE_EXTERN_FUNC,
					     funcidx);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}
