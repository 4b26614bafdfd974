/*
 * plan: the fused module's index spaces and what every lowering becomes
 * (ARCHITECTURE.md, pass 3; CanonicalABI.md "canon lower", "canon lift").
 *
 * The steps, in order:
 *   1. types: each distinct module's type section, in order of first use;
 *   2. uses: every core import binding, in instance order, then the root
 *      exports and resource destructors, decides each lowering: a host
 *      function becomes an output import (one per function and options),
 *      a lifted one a direct call when caller and callee agree bit for
 *      bit and no handle needs the tables, else an adapter (values no
 *      adapter carries yet, streams, futures, error-contexts, are
 *      refused here, naming the function and the type); built-ins of
 *      hosted resources become output imports (plan_res.c);
 *   2b. flags (plan_flags.c): which instances' may_enter and may_leave
 *      can be observed, and the guards around calls no adapter carries;
 *   3. bases: where each instance's definitions start in every space,
 *      then the handle tables' functions and memory (plan_res.c), which
 *      the guest resources' built-ins become;
 *   4. segments: an active segment stays active only when it writes a
 *      table or memory its own instance defines (then nobody can observe
 *      that it is applied earlier than in the original); others become
 *      passive and the start function applies them in instantiation
 *      order, each instance's just before its start function;
 *   5. remaps: per instance, old index → new index in every space;
 *   6. the boundary: exports under wit-component's names, and the
 *      memories and reallocs the canonical options of boundary functions
 *      name ("memory", "cabi_realloc", ...; see plan_boundary below);
 *   7. adapters: their code (adapt.c), and the helper functions they
 *      share, which end the function index space and add their types.
 */
#include "plan_impl.h"

#include <stdio.h>
#include <string.h>

#include "abi.h"
#include "adapt.h"

enum meld_status
plan_poom(struct pctx *x)
{
	return diag_fail(x->d, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
			 "out of memory while planning");
}

char *
plan_str(struct pctx *x, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = arena_alloc(x->a, la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
	}
	return s;
}

/* ---- 1. types ------------------------------------------------------- */

static bool
shareable_valtypes(const struct core_valtype *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].heap == 0 && (v[i].code == CORE_VALTYPE_REF ||
				       v[i].code == CORE_VALTYPE_REF_NULL))
			return false;
	return true;
}

static bool
shareable(const struct core_type *t)
{
	return t->kind == CORE_COMP_FUNC && t->final &&
	       t->supertype == CORE_NO_INDEX &&
	       shareable_valtypes(t->params, t->nparams) &&
	       shareable_valtypes(t->results, t->nresults);
}

static const struct plan_type *
find_type(const struct plan *p, const uint8_t *key, uint32_t np, uint32_t nr)
{
	for (size_t i = 0; i < p->ntypes; i++) {
		const struct plan_type *t = &p->types[i];
		if (t->nparams == np && t->nresults == nr &&
		    memcmp(t->key, key, 2 * (size_t)(np + nr)) == 0)
			return t;
	}
	return NULL;
}

/* The shared type with this key: found, or made (index idx). */
static enum meld_status
share_type(struct pctx *x, uint8_t *key, uint32_t np, uint32_t nr,
	   bool generated, uint32_t *out)
{
	struct plan *p = x->p;
	const struct plan_type *found = find_type(p, key, np, nr);
	if (found) {
		*out = found->idx;
		return MELD_OK;
	}
	struct plan_type *t = arena_push(x->a, (void **)&p->types, &p->ntypes,
					 &p->types_cap, sizeof *t);
	if (!t)
		return plan_poom(x);
	t->idx = p->total[CORE_SPACE_TYPE]++;
	t->key = key;
	t->nparams = np;
	t->nresults = nr;
	t->generated = generated;
	*out = t->idx;
	return MELD_OK;
}

static uint8_t *
type_key(struct pctx *x, const struct core_type *t)
{
	uint32_t n = t->nparams + t->nresults;
	uint8_t *key = arena_alloc(x->a, 2 * (size_t)n + 1);
	for (uint32_t i = 0; key && i < n; i++) {
		const struct core_valtype *v = i < t->nparams
						       ? &t->params[i]
						       : &t->results[i - t->nparams];
		key[2 * i] = v->code;
		key[2 * i + 1] = v->heap;
	}
	return key;
}

static enum meld_status
module_groups(struct pctx *x, struct plan_tmod *tm)
{
	const struct core_module *m = tm->mod;
	for (uint32_t gi = 0; gi < m->ngroups; gi++) {
		const struct core_rec_group *grp = &m->groups[gi];
		const struct core_type *t = &m->types[grp->first_typeidx];
		tm->emit[gi] = true;
		if (grp->ntypes == 1 && shareable(t)) {
			uint8_t *key = type_key(x, t);
			uint32_t before = x->p->total[CORE_SPACE_TYPE];
			if (!key || share_type(x, key, t->nparams, t->nresults,
					       false, &tm->map[grp->first_typeidx]))
				return plan_poom(x);
			tm->emit[gi] = x->p->total[CORE_SPACE_TYPE] != before;
			continue;
		}
		for (uint32_t k = 0; k < grp->ntypes; k++)
			tm->map[grp->first_typeidx + k] =
				x->p->total[CORE_SPACE_TYPE]++;
	}
	return MELD_OK;
}

static const struct plan_tmod *
tmod_of(const struct plan *p, const struct core_module *m)
{
	for (size_t k = 0; k < p->ntmods; k++)
		if (p->tmods[k].mod == m)
			return &p->tmods[k];
	return NULL;
}

static enum meld_status
module_types(struct pctx *x)
{
	struct plan *p = x->p;
	for (size_t i = 0; i < x->g->ncores; i++) {
		const struct core_module *m = x->g->cores[i].mod;
		if (tmod_of(p, m))
			continue;
		struct plan_tmod *tm = arena_push(x->a, (void **)&p->tmods,
						  &p->ntmods, &p->tmods_cap,
						  sizeof *tm);
		if (!tm)
			return plan_poom(x);
		tm->mod = m;
		tm->map = arena_alloc_array(x->a, m->space_len[CORE_SPACE_TYPE],
					    sizeof *tm->map);
		tm->emit = arena_alloc_array(x->a, m->ngroups, sizeof *tm->emit);
		if (!tm->map || !tm->emit)
			return plan_poom(x);
		enum meld_status st = module_groups(x, tm);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

enum meld_status
plan_gen_type(struct pctx *x, const uint8_t *par, uint32_t np,
	      const uint8_t *res, uint32_t nr, uint32_t *out)
{
	uint8_t *key = arena_alloc(x->a, 2 * (size_t)(np + nr) + 1);
	if (!key)
		return plan_poom(x);
	for (uint32_t i = 0; i < np + nr; i++)
		key[2 * i] = i < np ? par[i] : res[i - np];
	return share_type(x, key, np, nr, true, out);
}

enum meld_status
plan_func_type(struct arena *a, struct diag *d, struct plan *p,
	       const uint8_t *params, uint32_t nparams, const uint8_t *results,
	       uint32_t nresults, uint32_t *typeidx)
{
	struct pctx x = {a, d, p, p->g};
	return plan_gen_type(&x, params, nparams, results, nresults, typeidx);
}

enum abi_ptr
plan_mem_ptr(const struct inst_graph *g, struct inst_core_val mem)
{
	if (mem.kind != INST_CORE_DEF)
		return ABI_PTR_I32;
	const struct core_module *m = g->cores[mem.inst].mod;
	if (mem.idx >= m->space_len[CORE_SPACE_MEMORY] || !m->memories)
		return ABI_PTR_I32; /* no such memory: adapt.c refuses it */
	return m->memories[mem.idx].limits.flags & CORE_LIMITS_64
		       ? ABI_PTR_I64
		       : ABI_PTR_I32;
}

/* The core type of a lowering (or lifting) of ft under these options. */
enum meld_status
plan_flat_type(struct pctx *x, const struct vtype_func *ft,
	       const struct inst_opts *o, enum abi_context cx, uint32_t *out)
{
	struct abi_sig_opts so = {plan_mem_ptr(x->g, o->memory), false, false};
	struct abi_core_func cf;
	abi_flatten_functype(ft, &so, cx, &cf);
	uint8_t par[VTYPE_FLAT_CAP], res[VTYPE_FLAT_CAP];
	for (uint32_t i = 0; i < cf.params.count; i++)
		par[i] = (uint8_t)cf.params.types[i];
	for (uint32_t i = 0; i < cf.results.count; i++)
		res[i] = (uint8_t)cf.results.types[i];
	return plan_gen_type(x, par, cf.params.count, res, cf.results.count, out);
}

/* ---- 2. uses -------------------------------------------------------- */

static const char *
func_name(const struct inst_func *fn)
{
	return fn->name ? fn->name : "(unnamed)";
}

/* Why a value of type t cannot cross between components yet, or NULL. */
static const char *
not_adaptable_reason(const struct vtype *t)
{
	uint32_t pr = t->info.props;
	if (pr & VTYPE_P_ASYNC)
		return "is a stream or future: not supported yet";
	if (pr & VTYPE_P_ERRCTX)
		return "is an error-context: not supported yet";
	return NULL;
}

/* A call that no adapter can carry yet: refused, naming the culprit. */
static enum meld_status
refuse_adapter(struct pctx *x, const struct inst_lower *l)
{
	const struct inst_func *fn = l->func;
	const struct vtype_func *ft = fn->type;
	char tb[160], what[96];
	const char *why = NULL;
	const struct vtype *bad = NULL;
	for (uint32_t i = 0; i < ft->nparams && !why; i++) {
		bad = ft->params[i].type;
		why = not_adaptable_reason(bad);
		snprintf(what, sizeof what, "parameter \"%.*s\"",
			 (int)ft->params[i].label.len,
			 (const char *)ft->params[i].label.p);
	}
	if (!why && ft->result) {
		bad = ft->result;
		why = not_adaptable_reason(bad);
		snprintf(what, sizeof what, "the result");
	}
	if (why) {
		vtype_print(bad, tb, sizeof tb);
	} else {
		snprintf(what, sizeof what, "the function");
		vtype_func_print(ft, tb, sizeof tb);
		why = "is async: not supported yet";
	}
	return diag_fail(x->d, MELD_EUNSUPPORTED, l->input, l->offset,
			 "call of \"%s\" from %s to %s: %s has type %s, which "
			 "%s",
			 func_name(fn), inst_comp_name(x->g, l->comp),
			 inst_comp_name(x->g, fn->comp), what, tb, why);
}

static bool
adaptable(const struct vtype_func *ft)
{
	if (ft->async)
		return false;
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (not_adaptable_reason(ft->params[i].type))
			return false;
	return !ft->result || !not_adaptable_reason(ft->result);
}

static bool
carries_handles(const struct vtype_func *ft)
{
	uint32_t h = VTYPE_P_OWN | VTYPE_P_BORROW;
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (ft->params[i].type->info.props & h)
			return true;
	return ft->result && (ft->result->info.props & h);
}

static bool
same_opts(const struct inst_opts *a, const struct inst_opts *b)
{
	return a->encoding == b->encoding &&
	       inst_core_val_eq(a->memory, b->memory) &&
	       inst_core_val_eq(a->realloc, b->realloc);
}

/* A field name not yet used in `module`: field, field$1, field$2, ... */
static const char *
unique_field(struct pctx *x, const char *module, const char *field)
{
	const char *name = field;
	for (unsigned k = 1;; k++) {
		bool taken = false;
		for (size_t i = 0; i < x->p->nimports && !taken; i++)
			taken = strcmp(x->p->imports[i].module, module) == 0 &&
				strcmp(x->p->imports[i].field, name) == 0;
		if (!taken)
			return name;
		char suffix[16];
		snprintf(suffix, sizeof suffix, "$%u", k);
		if (!(name = plan_str(x, field, suffix)))
			return NULL;
	}
}

static enum meld_status
new_import(struct pctx *x, const char *module, const char *field,
	   uint32_t *out)
{
	const char *f = unique_field(x, module, field);
	struct plan_import *im =
		f ? arena_push(x->a, (void **)&x->p->imports, &x->p->nimports,
			       &x->p->imports_cap, sizeof *im)
		  : NULL;
	if (!im)
		return plan_poom(x);
	im->module = module;
	im->field = f;
	*out = (uint32_t)(x->p->nimports - 1);
	return MELD_OK;
}

/* The output import for a host function lowered with these options. */
static enum meld_status
host_import(struct pctx *x, struct inst_func *fn, const struct inst_opts *o,
	    struct inst_lower *l, uint32_t *out)
{
	for (size_t i = 0; i < x->p->nimports; i++) {
		struct plan_import *im = &x->p->imports[i];
		if (im->func == fn && same_opts(&im->opts, o)) {
			*out = (uint32_t)i;
			return MELD_OK;
		}
	}
	uint32_t typeidx;
	enum meld_status st = plan_flat_type(x, fn->type, o, ABI_LOWER, &typeidx);
	if (st == MELD_OK)
		st = new_import(x, fn->module, fn->field, out);
	if (st != MELD_OK)
		return st;
	struct plan_import *im = &x->p->imports[*out];
	im->typeidx = typeidx;
	im->func = fn;
	im->opts = *o;
	im->lower = l;
	return MELD_OK;
}

/*
 * A lifted function called from another component instance: a direct
 * call when the two sides agree bit for bit (scalars that convert to
 * themselves, no post-return), else a generated adapter.  Whatever the
 * adapter will call (callee, post-return, both reallocs) is used too.
 */
static enum meld_status
use_lift(struct pctx *x, struct inst_lower *l, struct plan_site *site)
{
	struct inst_func *fn = l->func;
	struct abi_conv_opts conv = {false};
	if (!adaptable(fn->type))
		return refuse_adapter(x, l);
	if (abi_func_is_scalar(fn->type) &&
	    abi_func_is_passthrough(fn->type, &conv) &&
	    !plan_res_needs_adapter(fn->type) &&
	    fn->opts.post_return.kind == INST_CORE_NONE) {
		site->kind = PLAN_SITE_DIRECT;
		x->p->ndirect++;
		return plan_use(x, fn->callee);
	}
	struct plan_adapter *ad = arena_push(
		x->a, (void **)&x->p->adapters, &x->p->nadapters,
		&x->p->adapters_cap, sizeof *ad);
	if (!ad)
		return plan_poom(x);
	ad->lower = l;
	site->kind = PLAN_SITE_ADAPTER;
	site->adapter = (uint32_t)(x->p->nadapters - 1);
	enum meld_status st =
		plan_flat_type(x, fn->type, &l->opts, ABI_LOWER, &ad->typeidx);
	if (carries_handles(fn->type))
		x->p->needs_rtab = true;
	if (st == MELD_OK)
		st = plan_use(x, fn->callee);
	if (st == MELD_OK)
		st = plan_use(x, fn->opts.post_return);
	if (st == MELD_OK)
		st = plan_use(x, fn->opts.realloc);
	if (st == MELD_OK)
		st = plan_use(x, l->opts.realloc);
	return st;
}

static enum meld_status
use_lower(struct pctx *x, struct inst_lower *l)
{
	struct plan_site *site = &x->p->sites[l->id];
	if (site->kind != PLAN_SITE_NONE)
		return MELD_OK;
	if (l->func->kind == INST_FUNC_HOST) {
		site->kind = PLAN_SITE_IMPORT;
		return host_import(x, l->func, &l->opts, l, &site->import);
	}
	return use_lift(x, l, site);
}

enum meld_status
plan_builtin_sig(struct pctx *x, const struct inst_builtin *b,
		 uint32_t *typeidx)
{
	uint8_t rep = b->res->vt->rep ? b->res->vt->rep : CORE_VALTYPE_I32;
	uint8_t i32 = CORE_VALTYPE_I32;
	switch (b->kind) {
	case COMP_CANON_RESOURCE_NEW:
		return plan_gen_type(x, &rep, 1, &i32, 1, typeidx);
	case COMP_CANON_RESOURCE_REP:
		return plan_gen_type(x, &i32, 1, &rep, 1, typeidx);
	default:
		return plan_gen_type(x, &i32, 1, NULL, 0, typeidx);
	}
}

/* The output import of a resource built-in (module r->module, field
 * "[resource-new]r" ...): one per type and kind. */
enum meld_status
plan_builtin_import(struct pctx *x, struct inst_builtin *b, uint32_t *out)
{
	const struct inst_res *r = b->res;
	const char *prefix = b->kind == COMP_CANON_RESOURCE_NEW
				     ? "[resource-new]"
			     : b->kind == COMP_CANON_RESOURCE_REP
				     ? "[resource-rep]"
				     : "[resource-drop]";
	for (size_t i = 0; i < x->p->nimports; i++) {
		/* the same built-in of another component instance */
		const struct inst_builtin *o = x->p->imports[i].builtin;
		if (o && o->res == r && o->kind == b->kind) {
			*out = (uint32_t)i;
			return MELD_OK;
		}
	}
	const char *field = plan_str(x, prefix, r->name);
	uint32_t typeidx;
	if (!field)
		return plan_poom(x);
	enum meld_status st = plan_builtin_sig(x, b, &typeidx);
	if (st == MELD_OK)
		st = new_import(x, r->module, field, out);
	if (st != MELD_OK)
		return st;
	x->p->imports[*out].typeidx = typeidx;
	x->p->imports[*out].builtin = b;
	return MELD_OK;
}

static enum meld_status
use_builtin(struct pctx *x, struct inst_builtin *b)
{
	if (x->p->builtin_import[b->id] != UINT32_MAX)
		return MELD_OK;
	const struct inst_res *r = b->res;
	if (!plan_res_hosted(r)) {
		/* a table function, placed by plan_res_tables */
		x->p->needs_rtab = true;
		return MELD_OK;
	}
	if (b->kind != COMP_CANON_RESOURCE_DROP)
		return diag_fail(x->d, MELD_EINVALID, NULL, DIAG_NO_OFFSET,
				 "resource.new/rep of an imported resource");
	return plan_builtin_import(x, b, &x->p->builtin_import[b->id]);
}

enum meld_status
plan_use(struct pctx *x, struct inst_core_val v)
{
	switch (v.kind) {
	case INST_CORE_LOWER: return use_lower(x, v.lower);
	case INST_CORE_BUILTIN: return use_builtin(x, v.builtin);
	default: return MELD_OK;
	}
}

static bool
same_valtypes(const struct core_valtype *a, const struct core_valtype *b,
	      uint32_t n, bool *comparable)
{
	for (uint32_t i = 0; i < n; i++) {
		if (a[i].heap == 0 && (a[i].code == CORE_VALTYPE_REF ||
				       a[i].code == CORE_VALTYPE_REF_NULL))
			*comparable = false;
		if (a[i].code != b[i].code || a[i].heap != b[i].heap)
			return false;
	}
	return true;
}

/* Function types of two modules agree (concrete references are not
 * compared: validation's job). */
static bool
functypes_agree(const struct core_type *a, const struct core_type *b)
{
	bool comparable = true;
	if (!a || !b)
		return true;
	bool same = a->nparams == b->nparams && a->nresults == b->nresults &&
		    same_valtypes(a->params, b->params, a->nparams,
				  &comparable) &&
		    same_valtypes(a->results, b->results, a->nresults,
				  &comparable);
	return same || !comparable;
}

/* t is the core function type a lowering of ft gives. */
static bool
functype_is(const struct core_type *t, const struct vtype_func *ft,
	    enum abi_ptr ptr)
{
	struct abi_sig_opts so = {ptr, false, false};
	struct abi_core_func cf;
	abi_flatten_functype(ft, &so, ABI_LOWER, &cf);
	if (!t || t->nparams != cf.params.count ||
	    t->nresults != cf.results.count)
		return false;
	for (uint32_t i = 0; i < t->nparams; i++)
		if (t->params[i].code != (uint8_t)cf.params.types[i])
			return false;
	for (uint32_t i = 0; i < t->nresults; i++)
		if (t->results[i].code != (uint8_t)cf.results.types[i])
			return false;
	return true;
}

/* The import's declared type agrees with what it is bound to. */
static enum meld_status
check_binding(struct pctx *x, const struct inst_core *c, uint32_t k)
{
	const struct core_import *imp = &c->mod->imports[k];
	const struct core_type *want = core_type_at(c->mod,
		c->mod->funcs[imp->index].typeidx);
	struct inst_core_val v = c->imports[k];
	bool ok = true;
	if (v.kind == INST_CORE_DEF)
		ok = functypes_agree(want, inst_def_func_type(x->g, v));
	else if (v.kind == INST_CORE_LOWER)
		ok = functype_is(want, v.lower->func->type,
				 plan_mem_ptr(x->g, v.lower->opts.memory));
	if (!ok)
		return diag_fail(x->d, MELD_EINVALID, c->input, c->offset,
				 "core instance %u: import \"%.*s\" \"%.*s\" "
				 "is bound to a function of another type",
				 c->id, (int)imp->module.len,
				 (const char *)imp->module.p,
				 (int)imp->name.len, (const char *)imp->name.p);
	return MELD_OK;
}

static enum meld_status
use_all(struct pctx *x)
{
	struct inst_graph *g = x->g;
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < g->ncores; i++) {
		const struct inst_core *c = &g->cores[i];
		for (uint32_t k = 0; st == MELD_OK && k < c->mod->nimports;
		     k++) {
			if (c->mod->imports[k].kind != CORE_EXTERN_FUNC)
				continue;
			st = check_binding(x, c, k);
			if (st == MELD_OK)
				st = plan_use(x, c->imports[k]);
		}
	}
	for (size_t i = 0; st == MELD_OK && i < g->nexports; i++) {
		struct inst_func *fn = g->exports[i].func;
		if (fn->kind == INST_FUNC_HOST) {
			/* a re-exported import: exported as the import itself,
			 * which only works when no memory is involved */
			struct inst_opts none = {0};
			uint32_t idx;
			if (!abi_func_is_scalar(fn->type))
				return diag_fail(
					x->d, MELD_EUNSUPPORTED, fn->input,
					fn->offset,
					"export \"%s\" re-exports an imported "
					"function that needs memory",
					g->exports[i].name);
			st = host_import(x, fn, &none, NULL, &idx);
		} else {
			st = plan_use(x, fn->callee);
			if (st == MELD_OK)
				st = plan_res_use_export(x, fn);
			if (st == MELD_OK)
				st = plan_use(x, fn->opts.post_return);
			if (st == MELD_OK)
				st = plan_use(x, fn->opts.realloc);
		}
	}
	for (size_t i = 0; st == MELD_OK && i < g->nresources; i++) {
		const struct inst_res *r = g->resources[i];
		if (!r->host && r->has_dtor)
			st = plan_use(x, r->dtor);
	}
	return st;
}

/* ---- 3. bases, 4. segments, 5. remaps -------------------------------- */

static uint32_t
defined(const struct core_module *m, enum core_space s)
{
	if (s == CORE_SPACE_ELEM || s == CORE_SPACE_DATA ||
	    s == CORE_SPACE_TYPE)
		return m->space_len[s];
	return m->space_len[s] - m->space_imported[s];
}

uint32_t
plan_funcidx(const struct plan *p, struct inst_core_val v)
{
	for (unsigned hops = 0; hops < 1000; hops++) {
		const struct plan_site *site;
		switch (v.kind) {
		case INST_CORE_DEF:
			return p->cores[v.inst].base[CORE_SPACE_FUNC] + v.idx -
			       p->g->cores[v.inst]
				       .mod->space_imported[CORE_SPACE_FUNC];
		case INST_CORE_BUILTIN:
			return p->builtin_import[v.builtin->id];
		case INST_CORE_LOWER:
			site = &p->sites[v.lower->id];
			if (site->guard != UINT32_MAX)
				return p->guards[site->guard].funcidx;
			if (site->kind == PLAN_SITE_IMPORT)
				return site->import;
			if (site->kind == PLAN_SITE_ADAPTER)
				return p->first_adapter + site->adapter;
			if (site->kind != PLAN_SITE_DIRECT)
				return UINT32_MAX;
			v = v.lower->func->callee;
			break;
		default:
			return UINT32_MAX;
		}
	}
	return UINT32_MAX;
}

uint32_t
plan_guard_target(const struct plan *p, const struct plan_guard *gd)
{
	if (gd->builtin)
		return p->builtin_import[gd->builtin->id];
	if (!gd->site)
		return plan_funcidx(p, gd->target);
	const struct plan_site *site = &p->sites[gd->site->id];
	switch (site->kind) {
	case PLAN_SITE_IMPORT: return site->import;
	case PLAN_SITE_ADAPTER: return p->first_adapter + site->adapter;
	default: return plan_funcidx(p, gd->site->func->callee);
	}
}

uint32_t
plan_index(const struct plan *p, enum core_space s, struct inst_core_val v)
{
	if (s == CORE_SPACE_FUNC)
		return plan_funcidx(p, v);
	if (v.kind != INST_CORE_DEF)
		return UINT32_MAX;
	return p->cores[v.inst].base[s] + v.idx -
	       p->g->cores[v.inst].mod->space_imported[s];
}

static void
bases(struct plan *p)
{
	const struct inst_graph *g = p->g;
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		if (s == CORE_SPACE_TYPE)
			continue;
		uint32_t n = s == CORE_SPACE_FUNC ? (uint32_t)p->nimports : 0;
		for (size_t i = 0; i < g->ncores; i++) {
			p->cores[i].base[s] = n;
			n += defined(g->cores[i].mod, (enum core_space)s);
		}
		p->total[s] = n;
	}
	p->first_adapter = p->total[CORE_SPACE_FUNC];
	for (size_t i = 0; i < p->nadapters; i++)
		p->adapters[i].funcidx = p->first_adapter + (uint32_t)i;
	p->total[CORE_SPACE_FUNC] += (uint32_t)p->nadapters;
	for (size_t i = 0; i < p->nguards; i++)
		p->guards[i].funcidx = p->total[CORE_SPACE_FUNC]++;
	p->first_flag = p->total[CORE_SPACE_GLOBAL];
	p->total[CORE_SPACE_GLOBAL] += p->nflags;
	for (size_t e = 0; p->nflags && e < g->ncomps; e++)
		if (p->comp_flag[e] != UINT32_MAX)
			p->comp_flag[e] += p->first_flag;
	for (size_t i = 0; i < p->nguards; i++) {
		struct plan_guard *gd = &p->guards[i];
		for (uint32_t k = 0; k < gd->nflags; k++)
			gd->flags[k] += p->first_flag;
		if (gd->leave_flag != UINT32_MAX)
			gd->leave_flag += p->first_flag;
	}
}

static enum meld_status
segments(struct pctx *x, size_t i)
{
	const struct core_module *m = x->g->cores[i].mod;
	struct plan_core *pc = &x->p->cores[i];
	uint32_t ne = m->space_len[CORE_SPACE_ELEM];
	uint32_t nd = m->space_len[CORE_SPACE_DATA];
	pc->elem_passive = arena_alloc_array(x->a, ne, sizeof(bool));
	pc->data_passive = arena_alloc_array(x->a, nd, sizeof(bool));
	if (!pc->elem_passive || !pc->data_passive)
		return plan_poom(x);
	for (uint32_t k = 0; k < ne; k++) {
		const struct core_elem *e = &m->elems[k];
		pc->elem_passive[k] =
			e->mode == CORE_SEG_ACTIVE &&
			e->tableidx < m->space_imported[CORE_SPACE_TABLE];
		pc->needs_init |= pc->elem_passive[k];
	}
	for (uint32_t k = 0; m->datas && k < nd; k++) {
		const struct core_data *dd = &m->datas[k];
		pc->data_passive[k] =
			dd->mode == CORE_SEG_ACTIVE &&
			dd->memidx < m->space_imported[CORE_SPACE_MEMORY];
		pc->needs_init |= pc->data_passive[k];
	}
	return MELD_OK;
}

static enum meld_status
remap_core(struct pctx *x, size_t i)
{
	const struct inst_core *c = &x->g->cores[i];
	const struct core_module *m = c->mod;
	struct plan_core *pc = &x->p->cores[i];
	const struct plan_guard *gd;
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		uint32_t len = m->space_len[s];
		uint32_t nimp = s == CORE_SPACE_TYPE || s == CORE_SPACE_ELEM ||
						s == CORE_SPACE_DATA
					? 0
					: m->space_imported[s];
		uint32_t *map = arena_alloc_array(x->a, len, sizeof *map);
		if (!map)
			return plan_poom(x);
		const struct plan_tmod *tm = tmod_of(x->p, m);
		for (uint32_t k = 0; k < len; k++) {
			if (s == CORE_SPACE_TYPE) {
				map[k] = tm->map[k];
				continue;
			}
			if (k >= nimp) {
				map[k] = pc->base[s] + k - nimp;
				continue;
			}
			map[k] = plan_index(x->p, (enum core_space)s,
					    c->bound[s][k]);
			if (s == CORE_SPACE_FUNC &&
			    c->bound[s][k].kind == INST_CORE_BUILTIN &&
			    (gd = plan_builtin_guard(x->p, c->bound[s][k].builtin,
						c->comp)))
				map[k] = gd->funcidx;
			if (map[k] == UINT32_MAX)
				return diag_fail(x->d, MELD_EINVALID, c->input,
						 c->offset,
						 "core instance %u: %s import "
						 "%u is bound to nothing",
						 c->id,
						 core_space_name(
							 (enum core_space)s),
						 k);
		}
		pc->map[s] = map;
		pc->remap.map[s] = map;
		pc->remap.len[s] = len;
	}
	return MELD_OK;
}

static enum meld_status
plan_start(struct pctx *x)
{
	struct plan *p = x->p;
	uint32_t nstart = 0, only = 0;
	bool init = false;
	for (size_t i = 0; i < x->g->ncores; i++) {
		if (x->g->cores[i].mod->has_start) {
			nstart++;
			only = p->cores[i].map[CORE_SPACE_FUNC]
					  [x->g->cores[i].mod->start];
		}
		init |= p->cores[i].needs_init;
	}
	if (!init && nstart <= 1) {
		p->has_start = nstart == 1;
		p->start_funcidx = only;
		return MELD_OK;
	}
	p->has_start = true;
	p->gen_start = true;
	p->start_funcidx = p->total[CORE_SPACE_FUNC]++;
	return plan_gen_type(x, NULL, 0, NULL, 0, &p->start_typeidx);
}

/* ---- 6. the boundary ------------------------------------------------ */

enum meld_status
plan_add_export(struct pctx *x, const char *name, uint8_t kind, uint32_t index)
{
	for (size_t i = 0; i < x->p->nexports; i++) {
		const struct plan_export *e = &x->p->exports[i];
		if (strcmp(e->name, name) != 0)
			continue;
		if (e->kind == kind && e->index == index)
			return MELD_OK;
		return diag_fail(x->d, MELD_EUNSUPPORTED, NULL, DIAG_NO_OFFSET,
				 "two different exports would be named \"%s\"",
				 name);
	}
	struct plan_export *e =
		arena_push(x->a, (void **)&x->p->exports, &x->p->nexports,
			   &x->p->exports_cap, sizeof *e);
	if (!e)
		return plan_poom(x);
	e->name = name;
	e->kind = kind;
	e->index = index;
	return MELD_OK;
}

/*
 * Memories and reallocs at the boundary.  A memory group is a distinct
 * memory named by some boundary function's options, numbered by first
 * use (exports first, then imports): group 0's memory is "memory", group
 * k's "memory$k".  Its reallocs: "cabi_realloc[$k]" for lifted exports,
 * "cabi_import_realloc[$k]" for lowered imports (unless it is the same
 * function as the export one).  A second, different function for one of
 * these names gets ".2", ".3" appended.  Whenever this is not enough
 * (several groups, a second function for a name, a string encoding other
 * than UTF-8), emit writes the section "meld:abi" that lists every
 * boundary function with its memory, realloc, post-return and encoding.
 */
struct groups {
	uint32_t mem[64];
	uint32_t n;
};

static int
group_of(struct pctx *x, struct groups *gr, uint32_t memidx)
{
	for (uint32_t k = 0; k < gr->n; k++)
		if (gr->mem[k] == memidx)
			return (int)k;
	if (gr->n == 64)
		return -1;
	gr->mem[gr->n] = memidx;
	if (gr->n > 0)
		x->p->abi_ambiguous = true;
	return (int)gr->n++;
}

static const char *
group_name(struct pctx *x, const char *base, int k)
{
	char buf[16] = "";
	if (k > 0)
		snprintf(buf, sizeof buf, "$%d", k);
	return plan_str(x, base, buf);
}

/* Export funcidx under base (or base.2, ...); the name used. */
static const char *
export_named(struct pctx *x, const char *base, uint8_t kind, uint32_t index)
{
	const char *name = base;
	for (unsigned n = 2; name; n++) {
		const struct plan_export *found = NULL;
		for (size_t i = 0; i < x->p->nexports && !found; i++)
			if (strcmp(x->p->exports[i].name, name) == 0)
				found = &x->p->exports[i];
		if (!found)
			return plan_add_export(x, name, kind, index) == MELD_OK
				       ? name
				       : NULL;
		if (found->kind == kind && found->index == index)
			return name;
		x->p->abi_ambiguous = true;
		char buf[16];
		snprintf(buf, sizeof buf, ".%u", n);
		name = plan_str(x, base, buf);
	}
	return NULL;
}

static enum meld_status
boundary_opts(struct pctx *x, struct groups *gr, struct plan_abi *ab,
	      const struct inst_opts *o, bool is_export)
{
	ab->encoding = o->encoding;
	if (o->memory.kind == INST_CORE_NONE)
		return MELD_OK;
	/* names cannot say the encoding: the section must */
	if (o->encoding != COMP_STRING_UTF8)
		x->p->abi_ambiguous = true;
	uint32_t mem = plan_index(x->p, CORE_SPACE_MEMORY, o->memory);
	int k = group_of(x, gr, mem);
	if (k < 0)
		return diag_fail(x->d, MELD_EUNSUPPORTED, NULL, DIAG_NO_OFFSET,
				 "more than 64 memories at the boundary");
	const char *mname = group_name(x, "memory", k);
	ab->memory = mname ? export_named(x, mname, CORE_EXTERN_MEMORY, mem)
			   : NULL;
	if (!ab->memory)
		return diag_failed(x->d) ? x->d->status : plan_poom(x);
	if (o->realloc.kind == INST_CORE_NONE)
		return MELD_OK;
	uint32_t f = plan_funcidx(x->p, o->realloc);
	const char *rname = group_name(x, "cabi_realloc", k);
	if (!is_export && rname) {
		/* the export realloc of this group, when it is the same */
		bool same = false;
		for (size_t i = 0; i < x->p->nexports && !same; i++)
			same = strcmp(x->p->exports[i].name, rname) == 0 &&
			       x->p->exports[i].index == f &&
			       x->p->exports[i].kind == CORE_EXTERN_FUNC;
		if (!same)
			rname = group_name(x, "cabi_import_realloc", k);
	}
	ab->realloc = rname ? export_named(x, rname, CORE_EXTERN_FUNC, f)
			    : NULL;
	if (!ab->realloc)
		return diag_failed(x->d) ? x->d->status : plan_poom(x);
	return MELD_OK;
}

static struct plan_abi *
new_abi(struct pctx *x)
{
	return arena_push(x->a, (void **)&x->p->abi, &x->p->nabi,
			  &x->p->abi_cap, sizeof(struct plan_abi));
}

uint32_t
plan_export_target(const struct plan *p, const struct inst_func *fn)
{
	for (size_t k = 0; k < p->nguards; k++)
		if (!p->guards[k].site &&
		    inst_core_val_eq(p->guards[k].target, fn->callee))
			return p->guards[k].funcidx;
	return plan_funcidx(p, fn->callee);
}

static enum meld_status
export_func(struct pctx *x, struct groups *gr, size_t i)
{
	const struct inst_export *e = &x->g->exports[i];
	struct inst_func *fn = e->func;
	uint32_t idx;
	enum meld_status st;
	if (fn->kind == INST_FUNC_HOST) {
		/* a re-exported import: the import itself (use_all made it) */
		struct inst_opts none = {0};
		if ((st = host_import(x, fn, &none, NULL, &idx)) != MELD_OK)
			return st;
		return plan_add_export(x, e->name, CORE_EXTERN_FUNC, idx);
	}
	uint32_t target = x->p->export_bound[i] != UINT32_MAX
				  ? x->p->export_bound[i]
				  : plan_export_target(x->p, fn);
	if ((st = plan_add_export(x, e->name, CORE_EXTERN_FUNC, target)) !=
	    MELD_OK)
		return st;
	struct plan_abi *ab = new_abi(x);
	if (!ab)
		return plan_poom(x);
	ab->is_export = true;
	ab->name = e->name;
	if (fn->opts.post_return.kind != INST_CORE_NONE) {
		ab->post_return = plan_str(x, "cabi_post_", e->name);
		if (!ab->post_return)
			return plan_poom(x);
		st = plan_add_export(x, ab->post_return, CORE_EXTERN_FUNC,
				plan_funcidx(x->p, fn->opts.post_return));
		if (st != MELD_OK)
			return st;
	}
	return boundary_opts(x, gr, ab, &fn->opts, true);
}

static enum meld_status
plan_boundary(struct pctx *x)
{
	struct groups gr = {.n = 0};
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->nexports; i++)
		st = export_func(x, &gr, i);
	if (st == MELD_OK)
		st = plan_res_export_drops(x);
	for (size_t i = 0; st == MELD_OK && i < x->p->nimports; i++) {
		struct plan_import *im = &x->p->imports[i];
		if (!im->func || im->opts.memory.kind == INST_CORE_NONE)
			continue;
		struct plan_abi *ab = new_abi(x);
		if (!ab)
			return plan_poom(x);
		ab->module = im->module;
		ab->name = im->field;
		st = boundary_opts(x, &gr, ab, &im->opts, false);
	}
	return st;
}

/* ---- the pass ------------------------------------------------------- */

enum meld_status
plan_build(struct arena *a, struct diag *d, struct inst_graph *g,
	   bool host_resources, struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->g = g;
	p->host_resources = host_resources;
	p->host_inst = UINT32_MAX;
	struct pctx x = {a, d, p, g};
	p->cores = arena_alloc_array(a, g->ncores, sizeof *p->cores);
	p->sites = arena_alloc_array(a, g->nlowers, sizeof *p->sites);
	p->builtin_import =
		arena_alloc_array(a, g->nbuiltins, sizeof *p->builtin_import);
	p->export_bound =
		arena_alloc_array(a, g->nexports, sizeof *p->export_bound);
	if (!p->cores || !p->sites || !p->builtin_import ||
	    (g->nexports && !p->export_bound))
		return plan_poom(&x);
	for (size_t i = 0; i < g->nbuiltins; i++)
		p->builtin_import[i] = UINT32_MAX;
	for (size_t i = 0; i < g->nexports; i++)
		p->export_bound[i] = UINT32_MAX;
	enum meld_status st = module_types(&x);
	if (st == MELD_OK)
		st = use_all(&x);
	if (st == MELD_OK)
		st = plan_guards(&x);
	if (st != MELD_OK)
		return st;
	bases(p);
	st = plan_res_tables(&x);
	for (size_t i = 0; st == MELD_OK && i < g->ncores; i++)
		st = segments(&x, i);
	for (size_t i = 0; st == MELD_OK && i < g->ncores; i++)
		st = remap_core(&x, i);
	if (st == MELD_OK)
		st = plan_start(&x);
	if (st == MELD_OK)
		st = plan_boundary(&x);
	if (st == MELD_OK)
		st = adapt_build(a, d, p);
	return st;
}
