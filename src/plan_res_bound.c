/*
 * plan_res_bound: the root boundary of the resource types the root
 * exports, when the fused module keeps their handles itself (no
 * --component; README "Resources").  CanonicalABI.md "canon lift",
 * lift_own, lift_borrow, lower_own, lower_borrow, "canon resource.drop".
 *
 * The host gets a handle table of its own among the tables (one more
 * instance, the outside of the root), and every root export that carries
 * handles of such types gets a boundary function in front of its core
 * function: the host's own handles move into the lifting instance's
 * table, its borrows are lent for the call (lowered as the rep into the
 * defining instance, elsewhere as borrow handles of the call's scope),
 * and an own result moves from the lifting instance's table into the
 * host's, with every check of the spec (a handle of the wrong type, a
 * lent or unknown one, a borrow kept past the call).  The host drops its
 * handles through the exported "[resource-drop]r" ("iface#[resource-drop]r"
 * for an interface's type), which runs the destructor.
 *
 * Handles at fixed flat positions are converted: own, borrow, and records
 * and tuples of them.  A root export that has such handles inside a
 * variant, option, result or list, or passes them through memory, is
 * refused as unsupported.
 */
#include "plan_impl.h"

#include <string.h>

#include "cgen.h"
#include "rtab.h"

/* A handle the tables keep (a borrow or own of a type they define). */
static const struct rtab_type *
table_type(const struct pctx *x, const struct vtype *t, uint32_t *tid)
{
	const struct inst_res *r = plan_res_of(t->resource);
	if (!r || plan_res_hosted(x->p, r) || !x->p->rtab)
		return NULL;
	return rtab_find(x->p->rtab, t->resource, tid);
}

static bool
is_table_handle(const struct pctx *x, const struct vtype *t)
{
	const struct inst_res *r = plan_res_of(t->resource);
	return (t->kind == VTYPE_OWN || t->kind == VTYPE_BORROW) && r &&
	       !plan_res_hosted(x->p, r);
}

/* 0: no handle of the tables in t; 1: only at fixed flat positions;
 * -1: some inside a variant or list. */
static int
shape(const struct pctx *x, const struct vtype *t, unsigned depth)
{
	if (!t || !(t->info.props & (VTYPE_P_OWN | VTYPE_P_BORROW)))
		return 0;
	if (depth > 100)
		return -1;
	if (t->kind == VTYPE_OWN || t->kind == VTYPE_BORROW)
		return is_table_handle(x, t) ? 1 : 0;
	int any = 0;
	bool fixed = t->kind == VTYPE_RECORD || t->kind == VTYPE_TUPLE;
	for (uint32_t i = 0; t->types && i < t->count; i++) {
		int s = shape(x, t->types[i], depth + 1);
		if (s < 0 || (s > 0 && !fixed))
			return -1;
		any |= s;
	}
	int e = shape(x, t->elem, depth + 1);
	return e != 0 ? -1 : any;
}

/* The shape of a function type (results as for a lift). */
static int
func_shape(const struct pctx *x, const struct vtype_func *ft)
{
	int any = 0;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		int s = shape(x, ft->params[i].type, 0);
		if (s < 0)
			return -1;
		any |= s;
	}
	int r = shape(x, ft->result, 0);
	return r < 0 ? -1 : (any | r);
}

enum meld_status
plan_res_use_export(struct pctx *x, const struct inst_func *fn)
{
	if (x->p->host_resources)
		return MELD_OK;
	int s = func_shape(x, fn->type);
	if (s > 0)
		x->p->needs_rtab = true;
	if (s >= 0)
		return MELD_OK;
	return diag_fail(x->d, MELD_EUNSUPPORTED, fn->input, fn->offset,
			 "root export \"%s\": handles of a resource type the "
			 "root exports inside a variant, option, result or "
			 "list cross to the host (only own, borrow, records "
			 "and tuples of them are converted; --component "
			 "keeps such types in the host's table)",
			 fn->name ? fn->name : "?");
}

/* ---- the boundary function ------------------------------------------ */

struct bnd {
	struct pctx *x;
	struct cgen_func f;
	uint32_t inst;   /* the lifting component instance */
	uint32_t slot;   /* next flat value */
	const uint32_t *in; /* flat value k is local in[k] */
	bool result;     /* converting the result (inst to host) */
	enum meld_status st;
};

static void
tab_call(struct bnd *b, enum rtab_fn fn, uint32_t inst, uint32_t tid)
{
	cgen_i32_const(&b->f, (int32_t)inst);
	cgen_i32_const(&b->f, (int32_t)tid);
	cgen_call(&b->f, rtab_fn_index(b->x->p->rtab, fn));
}

static void
convert_handle(struct bnd *b, const struct vtype *t)
{
	uint32_t tid = 0, host = b->x->p->host_inst;
	const struct rtab_type *rt = table_type(b->x, t, &tid);
	cgen_local_get(&b->f, b->in[b->slot++]);
	if (!rt || (b->result && t->kind == VTYPE_BORROW)) {
		b->st = MELD_EINVALID;
		return;
	}
	if (b->result) {
		tab_call(b, RTAB_FN_LIFT_OWN, b->inst, tid);
		tab_call(b, RTAB_FN_LOWER_OWN, host, tid);
	} else if (t->kind == VTYPE_OWN) {
		tab_call(b, RTAB_FN_LIFT_OWN, host, tid);
		tab_call(b, RTAB_FN_LOWER_OWN, b->inst, tid);
	} else {
		tab_call(b, RTAB_FN_LIFT_BORROW, host, tid);
		if (rt->instance == b->inst)
			cgen_i32_wrap_i64(&b->f);
		else
			tab_call(b, RTAB_FN_LOWER_BORROW, b->inst, tid);
	}
}

/* Push t's flat values, its handles converted. */
static void
convert(struct bnd *b, const struct vtype *t, unsigned depth)
{
	if (shape(b->x, t, depth) == 0) {
		for (uint32_t n = abi_flat_count(t); n > 0; n--)
			cgen_local_get(&b->f, b->in[b->slot++]);
		return;
	}
	if (t->kind == VTYPE_OWN || t->kind == VTYPE_BORROW) {
		convert_handle(b, t);
		return;
	}
	for (uint32_t i = 0; t->types && i < t->count; i++)
		convert(b, t->types[i], depth + 1);
}

static bool
has_table_borrow(const struct pctx *x, const struct vtype *t, unsigned d)
{
	if (!t || d > 100 || !(t->info.props & VTYPE_P_BORROW))
		return false;
	if (t->kind == VTYPE_BORROW)
		return is_table_handle(x, t);
	for (uint32_t i = 0; t->types && i < t->count; i++)
		if (has_table_borrow(x, t->types[i], d + 1))
			return true;
	return false;
}

static void
gen_body(struct bnd *b, const struct vtype_func *ft,
	 const struct abi_core_func *cf, uint32_t target)
{
	struct cgen_func *f = &b->f;
	bool scope = false;
	for (uint32_t i = 0; i < ft->nparams; i++)
		scope |= has_table_borrow(b->x, ft->params[i].type, 0);
	uint32_t s = scope ? cgen_local(f, CGEN_I32) : 0;
	uint32_t params[VTYPE_FLAT_CAP], res = 0;
	for (uint32_t i = 0; i < cf->params.count; i++)
		params[i] = i;
	if (scope) {
		cgen_call(f, rtab_fn_index(b->x->p->rtab, RTAB_FN_ENTER));
		cgen_local_set(f, s);
	}
	b->in = params;
	for (uint32_t i = 0; i < ft->nparams; i++)
		convert(b, ft->params[i].type, 0);
	cgen_call(f, target);
	if (cf->results.count == 1) {
		res = cgen_local(f, (enum cgen_valtype)cf->results.types[0]);
		cgen_local_set(f, res);
		b->in = &res;
		b->slot = 0;
		b->result = true;
		convert(b, ft->result, 0);
	}
	if (scope) {
		cgen_local_get(f, s);
		cgen_call(f, rtab_fn_index(b->x->p->rtab, RTAB_FN_LEAVE));
	}
}

static enum meld_status
finish(struct bnd *b, const struct abi_core_func *cf, const char *name,
       uint32_t *funcidx)
{
	struct pctx *x = b->x;
	struct bin_writer w;
	bin_writer_init(&w);
	enum meld_status st = b->st != MELD_OK ? b->st : cgen_finish(&b->f, &w);
	uint8_t *types = arena_alloc(x->a, cf->params.count + 1);
	struct adapt_gen_func fn = {.name = name, .code_size = w.len};
	if (st == MELD_OK && (!types || !(fn.code = arena_dup(x->a, w.buf,
							       w.len))))
		st = MELD_ENOMEM;
	bin_writer_clear(&w);
	cgen_func_clear(&b->f);
	if (st != MELD_OK)
		return st == MELD_ENOMEM ? plan_poom(x)
					 : diag_fail(x->d, st, NULL,
						     DIAG_NO_OFFSET,
						     "root export \"%s\": "
						     "cannot convert its "
						     "handles",
						     name);
	for (uint32_t i = 0; i < cf->params.count; i++)
		types[i] = (uint8_t)cf->params.types[i];
	if (cf->results.count)
		types[cf->params.count] = (uint8_t)cf->results.types[0];
	fn.type = (struct adapt_gen_functype){cf->params.count,
					      cf->results.count, types,
					      types + cf->params.count};
	return rtab_add_func(x->p->rtab, &fn, funcidx);
}

static enum meld_status
boundary_func(struct pctx *x, size_t i)
{
	const struct inst_export *e = &x->g->exports[i];
	const struct inst_func *fn = e->func;
	if (fn->kind == INST_FUNC_HOST || func_shape(x, fn->type) <= 0)
		return MELD_OK;
	struct abi_sig_opts so = {plan_mem_ptr(x->g, fn->opts.memory), false,
				  false};
	struct abi_core_func cf;
	abi_flatten_functype(fn->type, &so, ABI_LIFT, &cf);
	if (cf.params_in_memory || cf.results_in_memory ||
	    cf.results.count > 1)
		return diag_fail(x->d, MELD_EUNSUPPORTED, fn->input,
				 fn->offset,
				 "root export \"%s\": handles of a resource "
				 "type the root exports, passed through "
				 "memory, cannot be converted to the host's "
				 "table yet (--component keeps such types in "
				 "the host's table)",
				 e->name);
	struct bnd b = {.x = x, .inst = fn->comp};
	cgen_func_init(&b.f, cf.params.count);
	gen_body(&b, fn->type, &cf, plan_export_target(x->p, fn));
	const char *name = plan_str(x, "meld:boundary ", e->name);
	if (!name) {
		cgen_func_clear(&b.f);
		return plan_poom(x);
	}
	return finish(&b, &cf, name, &x->p->export_bound[i]);
}

/* Some resource type the root exports is kept in the tables. */
static bool
has_root_types(const struct pctx *x)
{
	for (size_t i = 0; i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (!r->host && r->module && !plan_res_hosted(x->p, r))
			return true;
	}
	return false;
}

enum meld_status
plan_res_boundary(struct pctx *x)
{
	struct plan *p = x->p;
	if (p->host_resources || !has_root_types(x))
		return MELD_OK;
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

/* ---- the host's drop ------------------------------------------------ */

static const char *
drop_name(struct pctx *x, const struct inst_res *r)
{
	/* "[export]iface" gives "iface#[resource-drop]r"; the root's plain */
	const char *iface = r->module + strlen("[export]");
	const char *drop = plan_str(x, "[resource-drop]", r->name);
	const char *pre = strcmp(iface, "$root") == 0 ? ""
						      : plan_str(x, iface, "#");
	return drop && pre ? plan_str(x, pre, drop) : NULL;
}

enum meld_status
plan_res_export_drops(struct pctx *x)
{
	struct plan *p = x->p;
	if (p->host_inst == UINT32_MAX)
		return MELD_OK;
	for (size_t i = 0; i < x->g->nresources; i++) {
		const struct inst_res *r = x->g->resources[i];
		if (r->host || !r->module || !r->name)
			continue;
		const char *name = drop_name(x, r);
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
