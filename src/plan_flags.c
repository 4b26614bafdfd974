/*
 * plan_flags: which component instances' may_enter and may_leave can be
 * observed, and the guards around the calls that no adapter carries
 * (CanonicalABI.md "may_enter_from", "canon_lower", "reallocate",
 * "post-return"; plan.h explains guards).
 */
#include "plan_impl.h"

#include <string.h>

/* ---- flags: may_enter and may_leave ---------------------------------- */

/*
 * CanonicalABI.md "may_enter_from": a call into component instance C
 * enters C and its ancestors, minus those the caller is already inside,
 * and traps when one of them is entered already.  Statically, instance e
 * can be entered twice only when some call chain leaves e's subtree and
 * comes back into it (donut wrapping, or a cycle of components); for the
 * others the flag is never tested (the spec's "optimized-out" flags).
 * Such an e has an observable may_enter (comp_enter): the adapters that
 * enter e test and clear it themselves, direct calls and root exports
 * lifted inside e go through a guard.  Reentrance by the host (calling an
 * export from inside an import) is the host's to check, as for any core
 * module.
 *
 * "canon_lower" traps unless the calling instance may leave, which it may
 * not while an adapter runs its realloc or post-return ("reallocate",
 * "post-return").  That is observable only when such a function can
 * reach, in the core call graph, a lowered call (an import bound to a
 * `canon lower`, resource.new or resource.drop): see "reaching" below.
 * Such an instance has an observable may_leave (comp_leave): adapters
 * clear and set it around those calls and test it before calling out of
 * it; its other lowered calls (direct, host imports, built-ins) go
 * through a guard.
 *
 * Each instance with an observable flag gets one flags global holding
 * both (PLAN_FLAG_*, the convention of adapt_gen.h), both set at first.
 */

static bool
inside(const struct inst_graph *g, uint32_t e, uint32_t v)
{
	for (unsigned d = 0; v != UINT32_MAX && d < 1000; d++) {
		if (v == e)
			return true;
		v = g->comps[v].parent;
	}
	return false;
}

/* The calls between component instances, grouped by caller (CSR). */
struct edges {
	uint32_t *from, *to;
	size_t n;
	uint32_t *first;  /* per instance: its first edge in `by` */
	uint32_t *by;     /* edge numbers sorted by caller */
};

static bool
at_risk(const struct inst_graph *g, const struct edges *ed, uint32_t e,
	bool *seen, uint32_t *queue)
{
	size_t head = 0, tail = 0;
	memset(seen, 0, g->ncomps * sizeof *seen);
	for (size_t k = 0; k < ed->n; k++)
		if (inside(g, e, ed->from[k]) && !inside(g, e, ed->to[k]) &&
		    !seen[ed->to[k]])
			seen[ed->to[k]] = true, queue[tail++] = ed->to[k];
	while (head < tail) {
		uint32_t v = queue[head++];
		if (inside(g, e, v))
			return true;
		for (uint32_t j = ed->first[v]; j < ed->first[v + 1]; j++) {
			uint32_t w = ed->to[ed->by[j]];
			if (!seen[w])
				seen[w] = true, queue[tail++] = w;
		}
	}
	return false;
}

/* Counting sort of the edges by caller. */
static void
group_edges(const struct inst_graph *g, struct edges *ed)
{
	for (size_t k = 0; k < ed->n; k++)
		ed->first[ed->from[k] + 1]++;
	for (size_t v = 0; v < g->ncomps; v++)
		ed->first[v + 1] += ed->first[v];
	for (size_t k = 0; k < ed->n; k++)
		ed->by[ed->first[ed->from[k]]++] = (uint32_t)k;
	for (size_t v = g->ncomps; v > 0; v--)
		ed->first[v] = ed->first[v - 1];
	ed->first[0] = 0;
}

static enum meld_status
find_enter(struct pctx *x)
{
	const struct inst_graph *g = x->g;
	struct plan *p = x->p;
	struct edges ed = {0};
	bool *seen = arena_alloc_array(x->a, g->ncomps, sizeof *seen);
	uint32_t *queue = arena_alloc_array(x->a, g->ncomps, sizeof *queue);
	ed.from = arena_alloc_array(x->a, g->nlowers, sizeof *ed.from);
	ed.to = arena_alloc_array(x->a, g->nlowers, sizeof *ed.to);
	ed.by = arena_alloc_array(x->a, g->nlowers, sizeof *ed.by);
	ed.first = arena_alloc_array(x->a, g->ncomps + 1, sizeof *ed.first);
	if (!seen || !queue || !ed.from || !ed.to || !ed.by || !ed.first)
		return plan_poom(x);
	for (size_t i = 0; i < g->nlowers; i++) {
		const struct inst_lower *l = g->lowers[i];
		enum plan_site_kind k = p->sites[i].kind;
		if (k != PLAN_SITE_DIRECT && k != PLAN_SITE_ADAPTER)
			continue;
		ed.from[ed.n] = l->comp;
		ed.to[ed.n++] = l->func->comp;
	}
	group_edges(g, &ed);
	for (uint32_t e = 0; ed.n && e < g->ncomps; e++)
		p->comp_enter[e] = at_risk(g, &ed, e, seen, queue);
	return MELD_OK;
}

/* ---- reaching a lowered call ---- */

/*
 * The core call graph comes from the body rewriter (core_code.h: an
 * immediate that keeps its value keeps its bytes).  A body rewritten with
 * every function index j mapped to ~j differs from the original exactly
 * at its function immediates (call, return_call, ref.func), whose first
 * bytes always differ (the low 7 bits of j and ~j do), so reading both
 * copies side by side yields every function the body names.  A body that
 * names any table or type (call_indirect, call_ref, ...) is taken to
 * reach a lowered call, as is one that cannot be read, and every
 * function of an instance not looked at.  Nodes: every function index of
 * every core instance, numbered instance after instance.
 */
struct cg_edge {
	uint32_t from, to; /* `from` names `to` */
};

struct callgraph {
	uint32_t *first;        /* per core instance: node of its index 0 */
	bool *reach;            /* per node */
	struct cg_edge *edges;
	size_t nedges, edges_cap;
	uint32_t *nots;         /* nots[j] == ~j */
	struct bin_writer w;
};

bool
plan_leaves(struct inst_core_val v)
{
	if (v.kind == INST_CORE_LOWER)
		return true;
	return v.kind == INST_CORE_BUILTIN &&
	       v.builtin->kind != COMP_CANON_RESOURCE_REP;
}

static enum meld_status
cg_edge(struct pctx *x, struct callgraph *cg, uint32_t from, uint32_t to)
{
	struct cg_edge *e = arena_push(x->a, (void **)&cg->edges, &cg->nedges,
				       &cg->edges_cap, sizeof *e);
	if (!e)
		return plan_poom(x);
	e->from = from;
	e->to = to;
	return MELD_OK;
}

/* A LEB128 u32 of any width; false when it is not one. */
static bool
cg_leb(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 35 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Rewrite body b through rm into cg->w; false when it cannot be read. */
static bool
cg_rewrite(struct callgraph *cg, const struct core_module *m,
	   const struct core_body *b, const struct core_remap *rm)
{
	struct diag scratch;
	struct bin_reader r;
	diag_init(&scratch);
	bin_reader_init(&r, b->p, b->len, m->input, &scratch);
	r.base = m->base;
	cg->w.len = 0;
	return core_rewrite_body(rm, &r, &cg->w) == MELD_OK &&
	       cg->w.err == MELD_OK;
}

/* The functions body k of instance i names, as edges; else reach. */
static enum meld_status
cg_body(struct pctx *x, struct callgraph *cg, size_t i, uint32_t k,
	const struct core_remap *calls, const struct core_remap *indirect)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct core_body *b =
		&m->bodies[k - m->space_imported[CORE_SPACE_FUNC]];
	uint32_t node = cg->first[i] + k;
	if (!cg_rewrite(cg, m, b, indirect) || cg->w.len != b->len ||
	    memcmp(cg->w.buf, b->p, b->len) != 0 ||
	    !cg_rewrite(cg, m, b, calls)) {
		cg->reach[node] = true;
		return MELD_OK;
	}
	const uint8_t *a = b->p, *ae = b->p + b->len;
	const uint8_t *o = cg->w.buf, *oe = cg->w.buf + cg->w.len;
	while (a < ae && o < oe) {
		uint32_t old, now;
		if (*a == *o) {
			a++, o++;
			continue;
		}
		if (!cg_leb(&a, ae, &old) || !cg_leb(&o, oe, &now) ||
		    ~now != old) {
			cg->reach[node] = true;
			return MELD_OK;
		}
		enum meld_status st = cg_edge(x, cg, node, cg->first[i] + old);
		if (st != MELD_OK)
			return st;
	}
	if (a != ae || o != oe)
		cg->reach[node] = true;
	return MELD_OK;
}

/* Instance i's functions: its imports' bindings, its bodies' calls. */
static enum meld_status
cg_core(struct pctx *x, struct callgraph *cg, size_t i, bool look)
{
	const struct inst_core *c = &x->g->cores[i];
	const struct core_module *m = c->mod;
	uint32_t nimp = m->space_imported[CORE_SPACE_FUNC];
	uint32_t n = m->space_len[CORE_SPACE_FUNC];
	struct core_remap calls, indirect;
	core_remap_identity(&calls);
	core_remap_identity(&indirect);
	calls.map[CORE_SPACE_FUNC] = cg->nots;
	calls.len[CORE_SPACE_FUNC] = n;
	indirect.map[CORE_SPACE_TABLE] = indirect.map[CORE_SPACE_TYPE] =
		cg->nots;
	indirect.len[CORE_SPACE_TABLE] = m->space_len[CORE_SPACE_TABLE];
	indirect.len[CORE_SPACE_TYPE] = m->space_len[CORE_SPACE_TYPE];
	enum meld_status st = MELD_OK;
	for (uint32_t k = 0; st == MELD_OK && k < n; k++) {
		uint32_t node = cg->first[i] + k;
		struct inst_core_val v =
			k < nimp ? c->bound[CORE_SPACE_FUNC][k]
				 : (struct inst_core_val){.kind = INST_CORE_NONE};
		if (k >= nimp && look)
			st = cg_body(x, cg, i, k, &calls, &indirect);
		else if (k >= nimp || plan_leaves(v))
			cg->reach[node] = true;
		else if (v.kind == INST_CORE_DEF)
			st = cg_edge(x, cg, node, cg->first[v.inst] + v.idx);
	}
	return st;
}

/* Every node that reaches a lowered call: backwards from the seeds. */
static enum meld_status
cg_spread(struct pctx *x, struct callgraph *cg, uint32_t nnodes)
{
	uint32_t *first = arena_alloc_array(x->a, (size_t)nnodes + 1,
					    sizeof *first);
	uint32_t *by = arena_alloc_array(x->a, cg->nedges + 1, sizeof *by);
	uint32_t *queue = arena_alloc_array(x->a, nnodes + 1, sizeof *queue);
	if (!first || !by || !queue)
		return plan_poom(x);
	for (size_t e = 0; e < cg->nedges; e++)
		first[cg->edges[e].to + 1]++;
	for (uint32_t v = 0; v < nnodes; v++)
		first[v + 1] += first[v];
	for (size_t e = 0; e < cg->nedges; e++)
		by[first[cg->edges[e].to]++] = cg->edges[e].from;
	for (uint32_t v = nnodes; v > 0; v--)
		first[v] = first[v - 1];
	first[0] = 0;
	size_t head = 0, tail = 0;
	for (uint32_t v = 0; v < nnodes; v++)
		if (cg->reach[v])
			queue[tail++] = v;
	while (head < tail) {
		uint32_t v = queue[head++];
		for (uint32_t j = first[v]; j < first[v + 1]; j++)
			if (!cg->reach[by[j]])
				cg->reach[by[j]] = true, queue[tail++] = by[j];
	}
	return MELD_OK;
}

/* The call graph of the instances of the components marked in look. */
static enum meld_status
cg_build(struct pctx *x, struct callgraph *cg, const bool *look)
{
	const struct inst_graph *g = x->g;
	uint32_t nnodes = 0, most = 1;
	cg->first = arena_alloc_array(x->a, g->ncores + 1, sizeof *cg->first);
	if (!cg->first)
		return plan_poom(x);
	for (size_t i = 0; i < g->ncores; i++) {
		const struct core_module *m = g->cores[i].mod;
		cg->first[i] = nnodes;
		nnodes += m->space_len[CORE_SPACE_FUNC];
		for (int s = CORE_SPACE_TYPE; s <= CORE_SPACE_TABLE; s++)
			if (m->space_len[s] > most)
				most = m->space_len[s];
	}
	cg->reach = arena_alloc_array(x->a, (size_t)nnodes + 1,
				      sizeof *cg->reach);
	cg->nots = arena_alloc_array(x->a, most, sizeof *cg->nots);
	if (!cg->reach || !cg->nots)
		return plan_poom(x);
	for (uint32_t j = 0; j < most; j++)
		cg->nots[j] = ~j;
	enum meld_status st = MELD_OK;
	bin_writer_init(&cg->w);
	for (size_t i = 0; st == MELD_OK && i < g->ncores; i++)
		st = cg_core(x, cg, i, look[g->cores[i].comp]);
	bin_writer_clear(&cg->w);
	return st == MELD_OK ? cg_spread(x, cg, nnodes) : st;
}

static bool
cg_reaches(const struct callgraph *cg, struct inst_core_val v)
{
	if (v.kind == INST_CORE_DEF)
		return cg->reach[cg->first[v.inst] + v.idx];
	return plan_leaves(v);
}

/*
 * What an adapter calls with may_leave cleared, and whose flag that is:
 * the callee's realloc when parameters go to its memory, its post-return,
 * the caller's realloc when the result holds strings or lists.
 */
static uint32_t
leave_calls(const struct inst_lower *l, struct inst_core_val fn[3],
	    uint32_t comp[3])
{
	const struct inst_func *f = l->func;
	struct abi_sig_opts so = {ABI_PTR_I32, false, false};
	struct abi_core_func cf;
	abi_flatten_functype(f->type, &so, ABI_LIFT, &cf);
	bool pmem = cf.params_in_memory;
	uint32_t n = 0;
	for (uint32_t i = 0; i < f->type->nparams; i++)
		pmem = pmem || abi_needs_memory(f->type->params[i].type);
	if (pmem && f->opts.realloc.kind != INST_CORE_NONE)
		fn[n] = f->opts.realloc, comp[n++] = f->comp;
	if (f->opts.post_return.kind != INST_CORE_NONE)
		fn[n] = f->opts.post_return, comp[n++] = f->comp;
	if (f->type->result && abi_needs_memory(f->type->result) &&
	    l->opts.realloc.kind != INST_CORE_NONE)
		fn[n] = l->opts.realloc, comp[n++] = l->comp;
	return n;
}

static enum meld_status
find_leave(struct pctx *x)
{
	struct plan *p = x->p;
	bool *look = arena_alloc_array(x->a, x->g->ncomps, sizeof *look);
	struct inst_core_val fn[3];
	uint32_t comp[3];
	bool any = false;
	if (!look)
		return plan_poom(x);
	for (size_t i = 0; i < p->nadapters; i++)
		for (uint32_t k = leave_calls(p->adapters[i].lower, fn, comp);
		     k > 0; k--)
			look[comp[k - 1]] = any = true;
	if (!any)
		return MELD_OK;
	struct callgraph cg;
	memset(&cg, 0, sizeof cg);
	enum meld_status st = cg_build(x, &cg, look);
	for (size_t i = 0; st == MELD_OK && i < p->nadapters; i++)
		for (uint32_t k = leave_calls(p->adapters[i].lower, fn, comp);
		     k > 0; k--)
			if (cg_reaches(&cg, fn[k - 1]))
				p->comp_leave[comp[k - 1]] = true;
	return st;
}

static enum meld_status
find_flags(struct pctx *x)
{
	struct plan *p = x->p;
	size_t n = x->g->ncomps;
	p->comp_flag = arena_alloc_array(x->a, n, sizeof *p->comp_flag);
	p->comp_enter = arena_alloc_array(x->a, n, sizeof *p->comp_enter);
	p->comp_leave = arena_alloc_array(x->a, n, sizeof *p->comp_leave);
	if (!p->comp_flag || !p->comp_enter || !p->comp_leave)
		return plan_poom(x);
	enum meld_status st = find_enter(x);
	if (st == MELD_OK)
		st = find_leave(x);
	for (size_t e = 0; e < n; e++)
		p->comp_flag[e] = p->comp_enter[e] || p->comp_leave[e]
					  ? p->nflags++
					  : UINT32_MAX;
	return st;
}

/* ---- guards ---- */

uint32_t
plan_entered_flags(const struct plan *p, uint32_t from, uint32_t to,
		   uint32_t *out)
{
	uint32_t n = 0;
	for (uint32_t v = to, d = 0; v != UINT32_MAX && d < 1000;
	     v = p->g->comps[v].parent, d++)
		if (p->comp_enter[v] &&
		    (from == UINT32_MAX || !inside(p->g, v, from)))
			out[n++] = p->comp_flag[v];
	return n;
}

/* The caller's flags global when its may_leave is observable. */
static uint32_t
leave_flag(const struct plan *p, uint32_t comp)
{
	return comp != UINT32_MAX && p->comp_leave[comp] ? p->comp_flag[comp]
							 : UINT32_MAX;
}

/* A guard for a call from `from` into `to`, when it has anything to
 * check; *out NULL when not. */
static enum meld_status
new_guard(struct pctx *x, uint32_t from, uint32_t to, struct plan_guard **out)
{
	uint32_t depth = 0;
	for (uint32_t v = to; v != UINT32_MAX && depth < 1000;
	     v = x->g->comps[v].parent)
		depth++;
	uint32_t *flags = arena_alloc_array(x->a, depth + 1, sizeof *flags);
	if (!flags)
		return plan_poom(x);
	uint32_t n = plan_entered_flags(x->p, from, to, flags);
	uint32_t leave = leave_flag(x->p, from);
	*out = NULL;
	if (n == 0 && leave == UINT32_MAX)
		return MELD_OK;
	struct plan_guard *gd =
		arena_push(x->a, (void **)&x->p->guards, &x->p->nguards,
			   &x->p->guards_cap, sizeof *gd);
	if (!gd)
		return plan_poom(x);
	memset(gd, 0, sizeof *gd);
	gd->leave_flag = leave;
	gd->flags = flags;
	gd->nflags = n;
	gd->comp = from;
	*out = gd;
	return MELD_OK;
}

static uint32_t
type_params(const struct plan *p, uint32_t typeidx)
{
	for (size_t i = 0; i < p->ntypes; i++)
		if (p->types[i].idx == typeidx)
			return p->types[i].nparams;
	return 0;
}

/* Lowerings that no adapter carries: direct calls and host imports. */
static enum meld_status
guard_sites(struct pctx *x)
{
	struct plan *p = x->p;
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->nlowers; i++) {
		struct inst_lower *l = x->g->lowers[i];
		enum plan_site_kind k = p->sites[i].kind;
		struct plan_guard *gd;
		if (k != PLAN_SITE_DIRECT && k != PLAN_SITE_IMPORT)
			continue;
		st = new_guard(x, l->comp,
			       k == PLAN_SITE_DIRECT ? l->func->comp
						     : UINT32_MAX,
			       &gd);
		if (st != MELD_OK || !gd)
			continue;
		gd->site = l;
		st = plan_flat_type(x, l->func->type, &l->opts, ABI_LOWER,
			       &gd->typeidx);
		p->sites[i].guard = (uint32_t)(p->nguards - 1);
	}
	return st;
}

/* The guard of a resource built-in called from instance comp, if any. */
const struct plan_guard *
plan_builtin_guard(const struct plan *p, const struct inst_builtin *b,
	      uint32_t comp)
{
	for (size_t i = 0; i < p->nguards; i++)
		if (p->guards[i].builtin == b && p->guards[i].comp == comp)
			return &p->guards[i];
	return NULL;
}

/* resource.new and resource.drop test may_leave too. */
static enum meld_status
guard_builtins(struct pctx *x)
{
	struct plan *p = x->p;
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->ncores; i++) {
		const struct inst_core *c = &x->g->cores[i];
		uint32_t nimp = c->mod->space_imported[CORE_SPACE_FUNC];
		for (uint32_t k = 0; st == MELD_OK && k < nimp; k++) {
			struct inst_core_val v = c->bound[CORE_SPACE_FUNC][k];
			struct plan_guard *gd;
			if (v.kind != INST_CORE_BUILTIN || !plan_leaves(v) ||
			    !p->comp_leave[c->comp] ||
			    plan_builtin_guard(p, v.builtin, c->comp))
				continue;
			st = new_guard(x, c->comp, UINT32_MAX, &gd);
			if (st == MELD_OK && gd) {
				gd->builtin = v.builtin;
				st = plan_builtin_sig(x, v.builtin, &gd->typeidx);
			}
		}
	}
	return st;
}

/* Root exports lifted inside an instance whose may_enter is observable. */
static enum meld_status
guard_exports(struct pctx *x)
{
	struct plan *p = x->p;
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->nexports; i++) {
		struct inst_func *fn = x->g->exports[i].func;
		struct plan_guard *gd;
		bool done = false;
		if (fn->kind != INST_FUNC_LIFT)
			continue;
		for (size_t k = 0; k < p->nguards && !done; k++)
			done = !p->guards[k].site && !p->guards[k].builtin &&
			       inst_core_val_eq(p->guards[k].target,
						fn->callee);
		if (done || (st = new_guard(x, UINT32_MAX, fn->comp, &gd)) ||
		    !gd)
			continue;
		gd->target = fn->callee;
		st = plan_flat_type(x, fn->type, &fn->opts, ABI_LIFT, &gd->typeidx);
	}
	return st;
}

enum meld_status
plan_guards(struct pctx *x)
{
	struct plan *p = x->p;
	for (size_t i = 0; i < x->g->nlowers; i++)
		p->sites[i].guard = UINT32_MAX;
	enum meld_status st = find_flags(x);
	if (st != MELD_OK || p->nflags == 0)
		return st;
	st = guard_sites(x);
	if (st == MELD_OK)
		st = guard_builtins(x);
	if (st == MELD_OK)
		st = guard_exports(x);
	for (size_t i = 0; i < p->nguards; i++)
		p->guards[i].nparams = type_params(p, p->guards[i].typeidx);
	return st;
}
