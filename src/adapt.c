/*
 * adapt: each adapter site of the plan handed to the general adapter
 * generator (adapt_gen.h; CanonicalABI.md "canon lower", "canon lift"),
 * in funcidx order, then the helpers it made placed after every other
 * function.  Only what the function type needs is passed on: a scalar
 * function's adapter gets no memory (so 64-bit memories do not matter to
 * it), and flags only where plan.c found them observable, so ordinary
 * compositions get adapters with no flag code at all.
 */
#include "adapt.h"

#include "abi.h"
#include "adapt_gen.h"
#include "rtab.h"

const char *
adapt_strategy_name(enum plan_site_kind k)
{
	switch (k) {
	case PLAN_SITE_IMPORT: return "import";
	case PLAN_SITE_DIRECT: return "direct";
	case PLAN_SITE_ADAPTER: return "adapter";
	default: return "unused";
	}
}

static enum meld_status
aoom(struct diag *d)
{
	return diag_fail(d, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
			 "out of memory while generating adapters");
}

/* Anything of ft goes through memory: strings, lists, or too many flat
 * values. */
static bool
uses_memory(const struct vtype_func *ft)
{
	struct abi_sig_opts so = {ABI_PTR_I32, false, false};
	struct abi_core_func cf;
	abi_flatten_functype(ft, &so, ABI_LIFT, &cf);
	bool mem = cf.params_in_memory || cf.results_in_memory;
	for (uint32_t i = 0; i < ft->nparams && !mem; i++)
		mem = abi_needs_memory(ft->params[i].type);
	return mem || (ft->result && abi_needs_memory(ft->result));
}

/* A memory its module has (exports are not checked against the spaces
 * when read: an option may name a memory that does not exist). */
static bool
memory_exists(const struct plan *p, struct inst_core_val mem)
{
	if (mem.kind != INST_CORE_DEF)
		return true;
	const struct core_module *m = p->g->cores[mem.inst].mod;
	return mem.idx < m->space_len[CORE_SPACE_MEMORY] && m->memories;
}

static bool
memory64(const struct plan *p, struct inst_core_val mem)
{
	if (mem.kind != INST_CORE_DEF)
		return false;
	const struct core_module *m = p->g->cores[mem.inst].mod;
	return (m->memories[mem.idx].limits.flags & CORE_LIMITS_64) != 0;
}

/* One side's canonical options in fused indices. */
static struct adapt_gen_side
side_of(const struct plan *p, const struct inst_opts *o, uint32_t comp,
	bool mem)
{
	struct adapt_gen_side s = {
		.memidx = ADAPT_GEN_NONE,
		.realloc_funcidx = ADAPT_GEN_NONE,
		.encoding = (enum adapt_gen_encoding)o->encoding,
		.flags_globalidx = ADAPT_GEN_NONE,
	};
	if (mem && o->memory.kind != INST_CORE_NONE) {
		s.memidx = plan_index(p, CORE_SPACE_MEMORY, o->memory);
		s.memory64 = memory64(p, o->memory);
	}
	if (mem && o->realloc.kind != INST_CORE_NONE)
		s.realloc_funcidx = plan_funcidx(p, o->realloc);
	if (p->comp_leave[comp])
		s.flags_globalidx = p->comp_flag[comp];
	return s;
}

static void
site_of(const struct plan *p, const struct plan_adapter *ad,
	struct adapt_gen_site *s, uint32_t *enter)
{
	const struct inst_lower *l = ad->lower;
	const struct inst_func *fn = l->func;
	bool mem = uses_memory(fn->type);
	*s = (struct adapt_gen_site){
		.ft = fn->type,
		.caller = side_of(p, &l->opts, l->comp, mem),
		.callee = side_of(p, &fn->opts, fn->comp, mem),
		.callee_funcidx = plan_funcidx(p, fn->callee),
		.post_return_funcidx = ADAPT_GEN_NONE,
		.enter_globalidx = enter,
		.nenter = plan_entered_flags(p, l->comp, fn->comp, enter),
		.canon_nans = false,
		.name = fn->name ? fn->name : "(unnamed)",
		.input = l->input,
		.offset = l->offset,
		.caller_instance = l->comp,
		.callee_instance = fn->comp,
	};
	if (fn->opts.post_return.kind != INST_CORE_NONE)
		s->post_return_funcidx = plan_funcidx(p, fn->opts.post_return);
}

static enum meld_status
add_adapter(struct arena *a, struct diag *d, struct plan *p,
	    struct adapt_gen *g, struct plan_adapter *ad, uint32_t *enter)
{
	struct adapt_gen_site s;
	struct adapt_gen_func fn;
	const struct inst_lower *l = ad->lower;
	if (!memory_exists(p, l->opts.memory) ||
	    !memory_exists(p, l->func->opts.memory))
		return diag_fail(d, MELD_EINVALID, l->input, l->offset,
				 "call of \"%s\": a memory option names a "
				 "memory its core module does not have",
				 l->func->name ? l->func->name : "(unnamed)");
	site_of(p, ad, &s, enter);
	enum meld_status st = adapt_gen_add(g, &s, &fn);
	if (st != MELD_OK)
		return st;
	ad->code = fn.code;
	ad->code_size = fn.code_size;
	return plan_func_type(a, d, p, fn.type.params, fn.type.nparams,
			      fn.type.results, fn.type.nresults, &ad->typeidx);
}

static enum meld_status
add_helpers(struct arena *a, struct diag *d, struct plan *p,
	    const struct adapt_gen *g)
{
	uint32_t n = adapt_gen_nhelpers(g);
	p->nhelpers = n;
	p->helper_code_size = adapt_gen_helper_code_size(g);
	if (n == 0)
		return MELD_OK;
	p->helpers = arena_alloc_array(a, n, sizeof *p->helpers);
	if (!p->helpers)
		return aoom(d);
	for (uint32_t i = 0; i < n; i++) {
		const struct adapt_gen_func *h = adapt_gen_helper(g, i);
		struct plan_helper *ph = &p->helpers[i];
		ph->name = h->name;
		ph->code = h->code;
		ph->code_size = h->code_size;
		enum meld_status st = plan_func_type(
			a, d, p, h->type.params, h->type.nparams,
			h->type.results, h->type.nresults, &ph->typeidx);
		if (st != MELD_OK)
			return st;
	}
	p->total[CORE_SPACE_FUNC] += n;
	return MELD_OK;
}

/* The handle tables' bodies and their functions' types. */
static enum meld_status
table_types(struct arena *a, struct diag *d, struct plan *p)
{
	enum meld_status st = rtab_finish(p->rtab);
	uint32_t n = rtab_nfuncs(p->rtab);
	if (st != MELD_OK)
		return st;
	p->rtab_typeidx = arena_alloc_array(a, n, sizeof *p->rtab_typeidx);
	if (!p->rtab_typeidx)
		return aoom(d);
	for (uint32_t i = 0; st == MELD_OK && i < n; i++) {
		const struct adapt_gen_func *f = rtab_func(p->rtab, i);
		st = plan_func_type(a, d, p, f->type.params, f->type.nparams,
				    f->type.results, f->type.nresults,
				    &p->rtab_typeidx[i]);
	}
	return st;
}

/* The bodies of the root boundary functions plan_res_bound.c reserved. */
static enum meld_status
add_bounds(struct plan *p, struct adapt_gen *g)
{
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < p->nbounds; i++) {
		const struct plan_bound *pb = &p->bounds[i];
		const struct inst_func *fn = pb->fn;
		struct adapt_gen_boundary b = {
			.ft = fn->type,
			.memidx = ADAPT_GEN_NONE,
			.outer_instance = p->host_resources ? ADAPT_GEN_OUTER
							    : p->host_inst,
			.instance = fn->comp,
			.target_funcidx = pb->target_funcidx,
			.outer = p->outer,
			.nouter = p->nouter,
			.name = pb->name,
			.input = fn->input,
			.offset = fn->offset,
		};
		if (fn->opts.memory.kind != INST_CORE_NONE)
			b.memidx = plan_index(p, CORE_SPACE_MEMORY,
					      fn->opts.memory);
		struct adapt_gen_func out;
		st = adapt_gen_boundary(g, &b, &out);
		if (st == MELD_OK)
			st = rtab_set_code(p->rtab, pb->funcidx, out.code,
					   out.code_size);
	}
	return st;
}

enum meld_status
adapt_build(struct arena *a, struct diag *d, struct plan *p)
{
	p->first_helper = p->total[CORE_SPACE_FUNC];
	if (p->nadapters == 0 && p->nbounds == 0)
		return p->rtab ? table_types(a, d, p) : MELD_OK;
	struct adapt_gen *g = adapt_gen_create(a, d, p->first_helper);
	uint32_t *enter = arena_alloc_array(a, p->g->ncomps + 1,
					    sizeof *enter);
	if (!g || !enter)
		return aoom(d);
	if (p->rtab)
		adapt_gen_set_rtab(g, p->rtab);
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < p->nadapters; i++)
		st = add_adapter(a, d, p, g, &p->adapters[i], enter);
	if (st == MELD_OK)
		st = add_bounds(p, g);
	if (st == MELD_OK && p->rtab)
		st = table_types(a, d, p);
	return st == MELD_OK ? add_helpers(a, d, p, g) : st;
}
