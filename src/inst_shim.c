/*
 * inst_shim: wit-component's indirect-call pattern, resolved into direct
 * references (tooling/README.md, "What wit-component produces").
 *
 * wit-component breaks instantiation cycles with a shim module whose
 * functions are trampolines (`local.get 0..n-1; i32.const K;
 * call_indirect T` through the shim's own table) and a fixup module whose
 * active element segment writes the real functions into that table.  When
 * the table's content is fixed by instantiation alone, a reference to a
 * trampoline means the function in its slot, and this pass makes every
 * reference (import bindings, lifted callees, options, destructors) say
 * so.  Conditions, each checked:
 *   - the shim instance defines the table, has no start, and every one of
 *     its functions is a trampoline: nothing in it writes the table;
 *   - every other instance that imports the table has no code;
 *   - each slot's last writer is an active segment with a constant offset
 *     and plain function references, and the table has no initialiser;
 *   - no instance before the last writer has a start function, so no code
 *     can call a trampoline before its slot is filled;
 *   - the slot function's type is the trampoline's type (else the
 *     original traps in call_indirect, and the trampoline is kept).
 * The table and segments stay as they are; only references change.
 */
#include "inst_impl.h"

#include <string.h>

/* Little LEB128 readers that never report: a mismatch only means "not the
 * pattern". */
static bool
leb_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (*p >= end)
			return false;
		uint8_t b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return shift < 28 || b < 0x10;
		}
	}
	return false;
}

static bool
leb_s32(const uint8_t **p, const uint8_t *end, int32_t *out)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 5; i++) {
		if (*p >= end)
			return false;
		uint8_t b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (b & 0x80)
			continue;
		if (i < 4 && (b & 0x40))
			v |= ~(uint32_t)0 << (7 * (i + 1));
		*out = (int32_t)v;
		return true;
	}
	return false;
}

static bool
byte(const uint8_t **p, const uint8_t *end, uint8_t want)
{
	if (*p >= end || **p != want)
		return false;
	(*p)++;
	return true;
}

static bool
same_valtypes(const struct core_valtype *a, uint32_t na,
	      const struct core_valtype *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		if (a[i].code != b[i].code || a[i].heap != b[i].heap)
			return false;
		/* concrete reference types of two modules: not comparable
		 * here, so not resolved */
		if (a[i].heap == 0 && (a[i].code == CORE_VALTYPE_REF ||
				       a[i].code == CORE_VALTYPE_REF_NULL))
			return false;
	}
	return true;
}

static bool
same_functype(const struct core_type *a, const struct core_type *b)
{
	return a && b && a->kind == CORE_COMP_FUNC &&
	       b->kind == CORE_COMP_FUNC &&
	       same_valtypes(a->params, a->nparams, b->params, b->nparams) &&
	       same_valtypes(a->results, a->nresults, b->results, b->nresults);
}

/* A trampoline: its slot and (defined) table, or false. */
static bool
trampoline(const struct core_module *m, uint32_t funcidx, uint32_t *slot,
	   uint32_t *table)
{
	uint32_t nimp = m->space_imported[CORE_SPACE_FUNC];
	const struct core_body *b = &m->bodies[funcidx - nimp];
	const struct core_type *ft = core_func_type(m, funcidx);
	const uint8_t *p = b->p, *end = b->p + b->len;
	uint32_t n, v, typeidx;
	int32_t k;
	if (!ft || !leb_u32(&p, end, &n) || n != 0)
		return false;
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (!byte(&p, end, 0x20) || !leb_u32(&p, end, &v) || v != i)
			return false;
	if (!byte(&p, end, 0x41) || !leb_s32(&p, end, &k) || k < 0 ||
	    !byte(&p, end, 0x11) || !leb_u32(&p, end, &typeidx) ||
	    !leb_u32(&p, end, table) || !byte(&p, end, 0x0b) || p != end)
		return false;
	if (*table < m->space_imported[CORE_SPACE_TABLE] ||
	    *table >= m->space_len[CORE_SPACE_TABLE] ||
	    m->tables[*table].init)
		return false;
	/* the same module: type indices compare directly */
	const struct core_type *ct = core_type_at(m, typeidx);
	if (!ct || !same_functype(ct, ft))
		return false;
	*slot = (uint32_t)k;
	return true;
}

/* ---- the table's content ------------------------------------------- */

struct slots {
	uint32_t n;
	struct inst_core_val *val;
	const struct core_type **type; /* the writer's view of the type */
	uint32_t last_writer;          /* latest instance that wrote one */
};

static bool
binds_table(const struct inst_core *c, uint32_t tidx, uint32_t owner,
	    uint32_t owner_tidx)
{
	const struct core_module *m = c->mod;
	if (c->id == owner)
		return tidx == owner_tidx;
	if (tidx >= m->space_imported[CORE_SPACE_TABLE])
		return false;
	struct inst_core_val v = c->bound[CORE_SPACE_TABLE][tidx];
	return v.inst == owner && v.idx == owner_tidx;
}

static bool
const_offset(const uint8_t *p, const uint8_t *end, uint32_t *out)
{
	int32_t k;
	if (!p || !byte(&p, end, 0x41) || !leb_s32(&p, end, &k) ||
	    !byte(&p, end, 0x0b) || k < 0)
		return false;
	*out = (uint32_t)k;
	return true;
}

/* The function value item i of a segment names, or false (null, or not a
 * plain function reference). */
static bool
elem_item(const struct inst_core *c, const struct core_elem *e,
	  const uint8_t **p, struct inst_core_val *out, uint32_t *funcidx)
{
	const uint8_t *end = e->end;
	if (e->flags & 4) {
		if (!byte(p, end, 0xd2) || !leb_u32(p, end, funcidx) ||
		    !byte(p, end, 0x0b))
			return false;
	} else if (!leb_u32(p, end, funcidx)) {
		return false;
	}
	const struct core_module *m = c->mod;
	if (*funcidx >= m->space_len[CORE_SPACE_FUNC])
		return false;
	if (*funcidx < m->space_imported[CORE_SPACE_FUNC]) {
		*out = c->bound[CORE_SPACE_FUNC][*funcidx];
	} else {
		memset(out, 0, sizeof *out);
		out->kind = INST_CORE_DEF;
		out->inst = c->id;
		out->idx = *funcidx;
	}
	return true;
}

static bool
apply_segment(const struct inst_core *c, const struct core_elem *e,
	      struct slots *s)
{
	uint32_t off, n, funcidx;
	const uint8_t *p = e->items;
	if (!const_offset(e->offset, e->end, &off) || !leb_u32(&p, e->end, &n))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct inst_core_val v;
		if (!elem_item(c, e, &p, &v, &funcidx))
			return false;
		if (off + i < off || off + i >= s->n)
			return false;
		s->val[off + i] = v;
		s->type[off + i] = core_func_type(c->mod, funcidx);
	}
	s->last_writer = c->id;
	return true;
}

/* Every write to table `tidx` of instance `owner`, in instance order. */
static bool
table_content(const struct inst_graph *g, uint32_t owner, uint32_t tidx,
	      struct slots *s)
{
	for (size_t i = 0; i < g->ncores; i++) {
		const struct inst_core *c = &g->cores[i];
		const struct core_module *m = c->mod;
		bool touches = false;
		for (uint32_t t = 0; t < m->space_len[CORE_SPACE_TABLE]; t++)
			touches |= binds_table(c, t, owner, tidx);
		if (!touches)
			continue;
		uint32_t ndef = m->space_len[CORE_SPACE_FUNC] -
				m->space_imported[CORE_SPACE_FUNC];
		if (c->id != owner && (ndef > 0 || m->has_start))
			return false;
		for (uint32_t j = 0; j < m->space_len[CORE_SPACE_ELEM]; j++) {
			const struct core_elem *e = &m->elems[j];
			if (e->mode == CORE_SEG_ACTIVE &&
			    binds_table(c, e->tableidx, owner, tidx) &&
			    !apply_segment(c, e, s))
				return false;
		}
	}
	for (uint32_t i = 0; i < s->last_writer && i < g->ncores; i++)
		if (g->cores[i].mod->has_start)
			return false;
	return true;
}

/* ---- resolving ------------------------------------------------------ */

struct shim_ctx {
	struct arena *a;
	struct inst_graph *g;
	/* per core instance: NULL, or per defined function its target
	 * (kind NONE: not resolved) */
	struct inst_core_val **target;
	uint32_t resolved;
};

static bool
all_trampolines(const struct core_module *m, uint32_t *table)
{
	uint32_t nimp = m->space_imported[CORE_SPACE_FUNC];
	uint32_t first = UINT32_MAX;
	if (m->has_start || m->space_len[CORE_SPACE_FUNC] == nimp)
		return false;
	for (uint32_t f = nimp; f < m->space_len[CORE_SPACE_FUNC]; f++) {
		uint32_t slot, t;
		if (!trampoline(m, f, &slot, &t))
			return false;
		if (first != UINT32_MAX && t != first)
			return false;
		first = t;
	}
	*table = first;
	return true;
}

static enum meld_status
resolve_shim(struct shim_ctx *sx, const struct inst_core *c, uint32_t tidx)
{
	const struct core_module *m = c->mod;
	struct slots s = {.n = (uint32_t)m->tables[tidx].limits.min};
	if (m->tables[tidx].limits.min > 100000)
		return MELD_OK;
	s.val = arena_alloc_array(sx->a, s.n, sizeof *s.val);
	s.type = arena_alloc_array(sx->a, s.n, sizeof *s.type);
	uint32_t nimp = m->space_imported[CORE_SPACE_FUNC];
	uint32_t ndef = m->space_len[CORE_SPACE_FUNC] - nimp;
	struct inst_core_val *tg = arena_alloc_array(sx->a, ndef, sizeof *tg);
	if (!s.val || !s.type || !tg)
		return MELD_ENOMEM;
	if (!table_content(sx->g, c->id, tidx, &s))
		return MELD_OK;
	for (uint32_t f = 0; f < ndef; f++) {
		uint32_t slot, t;
		if (!trampoline(m, nimp + f, &slot, &t) || slot >= s.n ||
		    s.val[slot].kind == INST_CORE_NONE ||
		    !same_functype(s.type[slot], core_func_type(m, nimp + f)))
			continue;
		tg[f] = s.val[slot];
		sx->resolved++;
	}
	sx->target[c->id] = tg;
	return MELD_OK;
}

static struct inst_core_val
follow(const struct shim_ctx *sx, struct inst_core_val v)
{
	for (unsigned hops = 0; hops < 64 && v.kind == INST_CORE_DEF; hops++) {
		const struct inst_core_val *tg = sx->target[v.inst];
		uint32_t nimp =
			sx->g->cores[v.inst].mod->space_imported[CORE_SPACE_FUNC];
		if (!tg || v.idx < nimp || tg[v.idx - nimp].kind ==
						   INST_CORE_NONE)
			break;
		v = tg[v.idx - nimp];
	}
	return v;
}

static void
follow_opts(const struct shim_ctx *sx, struct inst_opts *o)
{
	o->realloc = follow(sx, o->realloc);
	o->post_return = follow(sx, o->post_return);
	o->callback = follow(sx, o->callback);
}

static void
rewrite_all(struct shim_ctx *sx)
{
	struct inst_graph *g = sx->g;
	for (size_t i = 0; i < g->ncores; i++) {
		struct inst_core *c = &g->cores[i];
		for (uint32_t k = 0; k < c->mod->nimports; k++) {
			const struct core_import *imp = &c->mod->imports[k];
			if (imp->kind != CORE_EXTERN_FUNC)
				continue;
			c->imports[k] = follow(sx, c->imports[k]);
			c->bound[CORE_SPACE_FUNC][imp->index] = c->imports[k];
		}
	}
	for (size_t i = 0; i < g->nfuncs; i++) {
		g->funcs[i]->callee = follow(sx, g->funcs[i]->callee);
		follow_opts(sx, &g->funcs[i]->opts);
	}
	for (size_t i = 0; i < g->nlowers; i++)
		follow_opts(sx, &g->lowers[i]->opts);
	for (size_t i = 0; i < g->nresources; i++)
		g->resources[i]->dtor = follow(sx, g->resources[i]->dtor);
}

enum meld_status
inst_resolve_shims(struct arena *a, struct diag *d, struct inst_graph *g,
		   uint32_t *resolved)
{
	struct shim_ctx sx = {.a = a, .g = g};
	*resolved = 0;
	sx.target = arena_alloc_array(a, g->ncores, sizeof *sx.target);
	if (!sx.target && g->ncores)
		return diag_fail(d, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
				 "out of memory resolving shims");
	for (size_t i = 0; i < g->ncores; i++) {
		uint32_t table;
		if (!all_trampolines(g->cores[i].mod, &table))
			continue;
		if (resolve_shim(&sx, &g->cores[i], table) != MELD_OK)
			return diag_fail(d, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
					 "out of memory resolving shims");
	}
	if (sx.resolved)
		rewrite_all(&sx);
	*resolved = sx.resolved;
	return MELD_OK;
}
