/*
 * plan_res: resource types across fused components (Explainer.md
 * "Resource types"; CanonicalABI.md "Table State", "canon resource.new",
 * "canon resource.rep", "canon resource.drop", lift_own, lower_borrow).
 *
 * A resource type's identity is its inst_res: the component instance
 * whose type definition created it.  Two kinds of types:
 *
 *   - guest types, defined inside the composition (whether the root
 *     exports them or not): their handles live in the handle tables of
 *     rtab.h, one table per component instance, in a memory of the fused
 *     module.  Every resource.new/rep/drop of a core instance becomes the
 *     table function of its component instance and type; adapters move
 *     own handles and lend borrows between the tables; the root exports
 *     that carry handles of a type the root exports convert them at the
 *     boundary (plan_res_bound.c);
 *   - hosted types, whose table the host keeps: types the root imports
 *     (WASI streams).  Their handles are the host's numbers and pass
 *     through adapters unchanged; their resource.drop stays an output
 *     import, called through the tables when they exist, so that a
 *     borrow another component lent is not dropped in the host.
 *
 * The tables exist only when something needs them (a built-in of a guest
 * type, an adapter or a root export that carries a handle), so fusions
 * without resources crossing components come out as before.
 */
#include "plan_impl.h"

#include <string.h>

const struct inst_res *
plan_res_of(const struct vtype_resource *vt)
{
	return vt ? vt->pass_data : NULL;
}

bool
plan_res_hosted(const struct inst_res *r)
{
	return r && r->host;
}

/* t holds a borrow, or an own of a guest type. */
static bool
needs_tables(const struct vtype *t, unsigned depth)
{
	if (!t || depth > 100 ||
	    !(t->info.props & (VTYPE_P_OWN | VTYPE_P_BORROW)))
		return false;
	if (t->kind == VTYPE_BORROW)
		return true;
	if (t->kind == VTYPE_OWN)
		return !plan_res_hosted(plan_res_of(t->resource));
	for (uint32_t i = 0; t->types && i < t->count; i++)
		if (needs_tables(t->types[i], depth + 1))
			return true;
	return needs_tables(t->elem, depth + 1);
}

bool
plan_res_needs_adapter(const struct vtype_func *ft)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (needs_tables(ft->params[i].type, 0))
			return true;
	return needs_tables(ft->result, 0);
}

/* The output import of a hosted type's built-in of this kind, or NONE. */
static uint32_t
hosted_import(const struct plan *p, const struct inst_res *r,
	      enum comp_canon_kind kind)
{
	for (size_t i = 0; i < p->nimports; i++) {
		const struct inst_builtin *b = p->imports[i].builtin;
		if (b && b->res == r && b->kind == kind)
			return (uint32_t)i;
	}
	return RTAB_NONE;
}

static enum meld_status
add_type(struct pctx *x, const struct inst_res *r)
{
	struct rtab_type t = {
		.res = r->vt,
		.instance = plan_res_hosted(r) ? RTAB_NONE : r->comp,
		.rep = r->vt->rep ? r->vt->rep : CORE_VALTYPE_I32,
		.dtor_funcidx = RTAB_NONE,
		.host_drop_funcidx =
			plan_res_hosted(r)
				? hosted_import(x->p, r, COMP_CANON_RESOURCE_DROP)
				: RTAB_NONE,
	};
	if (!plan_res_hosted(r) && r->has_dtor) {
		t.dtor_funcidx = plan_funcidx(x->p, r->dtor);
		if (t.dtor_funcidx == UINT32_MAX)
			return diag_fail(x->d, MELD_EINVALID, NULL,
					 DIAG_NO_OFFSET,
					 "the destructor of a resource type "
					 "defined in %s is no function",
					 inst_comp_name(x->g, r->comp));
	}
	return rtab_add_type(x->p->rtab, &t);
}

static enum rtab_builtin_kind
builtin_kind(enum comp_canon_kind k)
{
	return k == COMP_CANON_RESOURCE_NEW   ? RTAB_NEW
	       : k == COMP_CANON_RESOURCE_REP ? RTAB_REP
					      : RTAB_DROP;
}

/*
 * A core instance's built-in: the table function of its component
 * instance.  Hosted types keep their import, but resource.drop goes
 * through the tables (a lent host borrow is dropped there).
 */
static enum meld_status
bind_builtin(struct pctx *x, const struct inst_core *c,
	     const struct inst_builtin *b)
{
	const struct inst_res *r = b->res;
	if (plan_res_hosted(r) && (b->kind != COMP_CANON_RESOURCE_DROP ||
				   hosted_import(x->p, r, b->kind) == RTAB_NONE))
		return MELD_OK;
	return rtab_builtin(x->p->rtab, builtin_kind(b->kind), c->comp, r->vt,
			    &x->p->builtin_import[b->id]);
}

static enum meld_status
bind_all(struct pctx *x)
{
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->ncores; i++) {
		const struct inst_core *c = &x->g->cores[i];
		uint32_t nimp = c->mod->space_imported[CORE_SPACE_FUNC];
		for (uint32_t k = 0; st == MELD_OK && k < nimp; k++) {
			struct inst_core_val v = c->bound[CORE_SPACE_FUNC][k];
			if (v.kind == INST_CORE_BUILTIN)
				st = bind_builtin(x, c, v.builtin);
		}
	}
	return st;
}

enum meld_status
plan_res_tables(struct pctx *x)
{
	struct plan *p = x->p;
	const struct inst_graph *g = x->g;
	if (!p->needs_rtab)
		return MELD_OK;
	p->first_rtab = p->total[CORE_SPACE_FUNC];
	p->rtab_memidx = p->total[CORE_SPACE_MEMORY]++;
	p->rtab = rtab_create(x->a, x->d, p->first_rtab, p->rtab_memidx);
	if (!p->rtab)
		return plan_poom(x);
	enum meld_status st = MELD_OK;
	for (size_t e = 0; st == MELD_OK && e < g->ncomps; e++)
		st = rtab_add_instance(p->rtab, g->comps[e].parent,
				       p->comp_flag[e]);
	for (size_t i = 0; st == MELD_OK && i < g->nresources; i++)
		st = add_type(x, g->resources[i]);
	if (st == MELD_OK)
		st = bind_all(x);
	if (st == MELD_OK)
		st = plan_res_boundary(x);
	p->total[CORE_SPACE_FUNC] += rtab_nfuncs(p->rtab);
	return st;
}
