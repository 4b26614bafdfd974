/*
 * emit: the fused module, section by section (core spec 5.5 "Modules").
 *
 * Types: each distinct module's rec groups, then the generated function
 * types.  Imports: the plan's function imports.  Functions, tables,
 * memories, tags, globals, element and data segments, code: each core
 * instance's own, in instantiation order, written by core_write_* through
 * the instance's remap; then adapters and the start function.  Active
 * segments the plan made passive are written passive here and applied by
 * the generated start function, which then calls each instance's start
 * (instantiation order, as the component model runs them).
 */
#include "emit.h"

#include <string.h>

#include "adapt.h"
#include "cgen.h"

struct ectx {
	struct arena *a;
	struct diag *d;
	struct plan *p;
	struct inst_graph *g;
	struct bin_writer *w;
};

static enum meld_status
eoom(struct ectx *x)
{
	return diag_fail(x->d, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
			 "out of memory while writing the output");
}

static uint32_t
ndefined(const struct core_module *m, enum core_space s)
{
	return m->space_len[s] - m->space_imported[s];
}

/* ---- types and imports ---------------------------------------------- */

static const struct core_remap *
type_remap_of(const struct ectx *x, const struct core_module *m)
{
	for (size_t i = 0; i < x->g->ncores; i++)
		if (x->g->cores[i].mod == m)
			return &x->p->cores[i].remap;
	return NULL;
}

static void
write_generated(struct bin_writer *w, const struct plan_type *t)
{
	bin_write_u8(w, 0x60);
	bin_write_u32(w, t->nparams);
	for (uint32_t i = 0; i < t->nparams; i++)
		bin_write_u8(w, t->key[2 * i]);
	bin_write_u32(w, t->nresults);
	for (uint32_t i = t->nparams; i < t->nparams + t->nresults; i++)
		bin_write_u8(w, t->key[2 * i]);
}

static enum meld_status
type_section(struct ectx *x)
{
	const struct plan *p = x->p;
	uint32_t count = 0;
	for (size_t k = 0; k < p->ntmods; k++)
		for (uint32_t gi = 0; gi < p->tmods[k].mod->ngroups; gi++)
			count += p->tmods[k].emit[gi];
	for (size_t i = 0; i < p->ntypes; i++)
		count += p->types[i].generated;
	if (count == 0)
		return MELD_OK;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_TYPE);
	bin_write_u32(x->w, count);
	for (size_t k = 0; k < p->ntmods; k++) {
		const struct core_module *m = p->tmods[k].mod;
		const struct core_remap *r = type_remap_of(x, m);
		for (uint32_t gi = 0; gi < m->ngroups; gi++) {
			if (!p->tmods[k].emit[gi])
				continue;
			enum meld_status st =
				core_write_rec_group(m, r, gi, x->w);
			if (st != MELD_OK)
				return st;
		}
	}
	for (size_t i = 0; i < p->ntypes; i++)
		if (p->types[i].generated)
			write_generated(x->w, &p->types[i]);
	core_write_section_end(x->w, mark, 0);
	return MELD_OK;
}

static void
write_str(struct bin_writer *w, const char *s)
{
	bin_write_name(w, (const uint8_t *)s, strlen(s));
}

static void
import_section(struct ectx *x)
{
	const struct plan *p = x->p;
	if (p->nimports == 0)
		return;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_IMPORT);
	bin_write_u32(x->w, (uint32_t)p->nimports);
	for (size_t i = 0; i < p->nimports; i++) {
		write_str(x->w, p->imports[i].module);
		write_str(x->w, p->imports[i].field);
		bin_write_u8(x->w, CORE_EXTERN_FUNC);
		bin_write_u32(x->w, p->imports[i].typeidx);
	}
	core_write_section_end(x->w, mark, 0);
}

/* ---- definitions of every instance ---------------------------------- */

typedef enum meld_status (*entry_writer)(struct ectx *x, size_t core,
					 uint32_t idx);

static enum meld_status
write_func_decl(struct ectx *x, size_t i, uint32_t idx)
{
	return core_write_func_decl(x->g->cores[i].mod,
				    &x->p->cores[i].remap, idx, x->w);
}

static enum meld_status
write_table(struct ectx *x, size_t i, uint32_t idx)
{
	return core_write_table(x->g->cores[i].mod, &x->p->cores[i].remap,
				idx, x->w);
}

static enum meld_status
write_memory(struct ectx *x, size_t i, uint32_t idx)
{
	return core_write_memory(x->g->cores[i].mod, idx, x->w);
}

static enum meld_status
write_tag(struct ectx *x, size_t i, uint32_t idx)
{
	return core_write_tag(x->g->cores[i].mod, &x->p->cores[i].remap, idx,
			      x->w);
}

/* ---- imported immutable globals, resolved ------------------------- */

/* Length of a constant expression that is one numeric constant and its
 * end (i32/i64/f32/f64.const), or 0. */
static size_t
plain_const_len(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p + 1;
	if (p >= end)
		return 0;
	switch (*p) {
	case 0x41:
	case 0x42:
		while (q < end && (*q & 0x80) && q - p < 11)
			q++;
		q++;
		break;
	case 0x43: q += 4; break;
	case 0x44: q += 8; break;
	default: return 0;
	}
	return q < end && *q == 0x0b ? (size_t)(q + 1 - p) : 0;
}

/*
 * A constant expression `global.get G` where G is an imported immutable
 * global stands, in the fused module, for the global of another instance
 * it is bound to.  When that global is initialised by a plain constant,
 * the constant itself is used, so the output is valid also where constant
 * expressions may only read imported globals.  *cp..*cp+*clen: the
 * constant and its end.
 */
static bool
resolve_const(const struct ectx *x, size_t i, const uint8_t *expr,
	      const uint8_t *end, const uint8_t **cp, size_t *clen)
{
	for (unsigned hops = 0; hops < 16; hops++) {
		const struct inst_core *c = &x->g->cores[i];
		uint32_t gidx = 0;
		size_t n = plain_const_len(expr, end);
		if (n)
			return hops > 0 && (*cp = expr, *clen = n, true);
		if (end - expr < 3 || expr[0] != 0x23)
			return false;
		const uint8_t *q = expr + 1;
		for (unsigned shift = 0; q < end && shift < 35; shift += 7) {
			gidx |= (uint32_t)(*q & 0x7f) << shift;
			if (!(*q++ & 0x80))
				break;
		}
		if (q >= end || *q != 0x0b ||
		    gidx >= c->mod->space_imported[CORE_SPACE_GLOBAL])
			return false;
		struct inst_core_val v = c->bound[CORE_SPACE_GLOBAL][gidx];
		const struct core_global *g = &x->g->cores[v.inst].mod->globals[v.idx];
		if (g->mutable || !g->init)
			return false;
		i = v.inst;
		expr = g->init;
		end = g->end;
	}
	return false;
}

static bool
numeric(struct core_valtype t)
{
	return t.code == CORE_VALTYPE_I32 || t.code == CORE_VALTYPE_I64 ||
	       t.code == CORE_VALTYPE_F32 || t.code == CORE_VALTYPE_F64;
}

static enum meld_status
write_global(struct ectx *x, size_t i, uint32_t idx)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct core_global *g = &m->globals[idx];
	const uint8_t *cp;
	size_t clen;
	if (numeric(g->type) && g->init &&
	    resolve_const(x, i, g->init, g->end, &cp, &clen)) {
		bin_write_bytes(x->w, g->p, (size_t)(g->init - g->p));
		bin_write_bytes(x->w, cp, clen);
		return MELD_OK;
	}
	return core_write_global(m, &x->p->cores[i].remap, idx, x->w);
}

static enum meld_status
write_body(struct ectx *x, size_t i, uint32_t idx)
{
	return core_write_body(x->g->cores[i].mod, &x->p->cores[i].remap, idx,
			       x->w);
}

/* Every defined entry of space s of every instance, in order. */
static enum meld_status
each_defined(struct ectx *x, enum core_space s, entry_writer fn)
{
	for (size_t i = 0; i < x->g->ncores; i++) {
		const struct core_module *m = x->g->cores[i].mod;
		for (uint32_t k = m->space_imported[s]; k < m->space_len[s];
		     k++) {
			enum meld_status st = fn(x, i, k);
			if (st != MELD_OK)
				return st;
		}
	}
	return MELD_OK;
}

static uint32_t
count_defined(const struct ectx *x, enum core_space s)
{
	uint32_t n = 0;
	for (size_t i = 0; i < x->g->ncores; i++)
		n += ndefined(x->g->cores[i].mod, s);
	return n;
}

static enum meld_status
simple_section(struct ectx *x, uint8_t id, enum core_space s, entry_writer fn)
{
	uint32_t n = count_defined(x, s);
	if (n == 0)
		return MELD_OK;
	size_t mark = core_write_section_begin(x->w, id);
	bin_write_u32(x->w, n);
	enum meld_status st = each_defined(x, s, fn);
	core_write_section_end(x->w, mark, 0);
	return st;
}

/* The instances' globals, then the flags of the instances whose flags
 * can be observed, both set: (global (mut i32) (i32.const 3)). */
static enum meld_status
global_section(struct ectx *x)
{
	uint32_t n = count_defined(x, CORE_SPACE_GLOBAL) + x->p->nflags;
	if (n == 0)
		return MELD_OK;
	static const uint8_t flag[] = {
		CORE_VALTYPE_I32, 0x01, 0x41,
		PLAN_FLAG_MAY_LEAVE | PLAN_FLAG_MAY_ENTER, 0x0b};
	size_t mark = core_write_section_begin(x->w, CORE_SEC_GLOBAL);
	bin_write_u32(x->w, n);
	enum meld_status st = each_defined(x, CORE_SPACE_GLOBAL, write_global);
	for (uint32_t i = 0; i < x->p->nflags; i++)
		bin_write_bytes(x->w, flag, sizeof flag);
	core_write_section_end(x->w, mark, 0);
	return st;
}

/* The instances' memories, then the handle tables' (rtab.h): i32, no
 * maximum, zeroed. */
static enum meld_status
memory_section(struct ectx *x)
{
	const struct plan *p = x->p;
	uint32_t n = count_defined(x, CORE_SPACE_MEMORY) + (p->rtab ? 1 : 0);
	if (n == 0)
		return MELD_OK;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_MEMORY);
	bin_write_u32(x->w, n);
	enum meld_status st = each_defined(x, CORE_SPACE_MEMORY, write_memory);
	if (p->rtab) {
		bin_write_u8(x->w, 0x00);
		bin_write_u32(x->w, rtab_memory_pages(p->rtab));
	}
	core_write_section_end(x->w, mark, 0);
	return st;
}

static enum meld_status
func_section(struct ectx *x)
{
	const struct plan *p = x->p;
	uint32_t n = p->total[CORE_SPACE_FUNC] - (uint32_t)p->nimports;
	if (n == 0)
		return MELD_OK;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_FUNC);
	bin_write_u32(x->w, n);
	enum meld_status st = each_defined(x, CORE_SPACE_FUNC, write_func_decl);
	for (size_t i = 0; i < p->nadapters; i++)
		bin_write_u32(x->w, p->adapters[i].typeidx);
	for (size_t i = 0; i < p->nguards; i++)
		bin_write_u32(x->w, p->guards[i].typeidx);
	for (uint32_t i = 0; p->rtab && i < rtab_nfuncs(p->rtab); i++)
		bin_write_u32(x->w, p->rtab_typeidx[i]);
	if (p->gen_start)
		bin_write_u32(x->w, p->start_typeidx);
	for (size_t i = 0; i < p->nhelpers; i++)
		bin_write_u32(x->w, p->helpers[i].typeidx);
	core_write_section_end(x->w, mark, 0);
	return st;
}

static void
export_section(struct ectx *x)
{
	const struct plan *p = x->p;
	if (p->nexports == 0)
		return;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_EXPORT);
	bin_write_u32(x->w, (uint32_t)p->nexports);
	for (size_t i = 0; i < p->nexports; i++) {
		write_str(x->w, p->exports[i].name);
		bin_write_u8(x->w, p->exports[i].kind);
		bin_write_u32(x->w, p->exports[i].index);
	}
	core_write_section_end(x->w, mark, 0);
}

static void
start_section(struct ectx *x)
{
	if (!x->p->has_start)
		return;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_START);
	bin_write_u32(x->w, x->p->start_funcidx);
	core_write_section_end(x->w, mark, 0);
}

/* ---- segments ------------------------------------------------------- */

static void
write_reftype(struct bin_writer *w, const struct core_remap *r,
	      struct core_valtype t)
{
	if (t.heap != 0) {
		if (t.code == CORE_VALTYPE_REF)
			bin_write_u8(w, CORE_VALTYPE_REF);
		bin_write_u8(w, t.heap);
		return;
	}
	uint32_t idx = t.typeidx < r->len[CORE_SPACE_TYPE]
			       ? r->map[CORE_SPACE_TYPE][t.typeidx]
			       : t.typeidx;
	bin_write_u8(w, t.code);
	bin_write_s64(w, (int64_t)idx);
}

/*
 * An element segment rewritten by hand: passive (the plan made it so), or
 * active with a resolved constant offset cp..cp+clen.  Same type, same
 * items.
 */
static enum meld_status
rewrite_elem(struct ectx *x, size_t i, const struct core_elem *e,
	     const uint8_t *cp, size_t clen)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct core_remap *r = &x->p->cores[i].remap;
	struct bin_reader rd;
	bin_reader_init(&rd, e->items, (size_t)(e->end - e->items), m->input,
			x->d);
	rd.base = m->base;
	uint32_t n;
	enum meld_status st = bin_read_u32(&rd, &n, "element count");
	bool exprs = e->flags & 4;
	if (cp) {
		bin_write_u32(x->w, exprs ? 6 : 2);
		bin_write_u32(x->w,
			      x->p->cores[i].map[CORE_SPACE_TABLE][e->tableidx]);
		bin_write_bytes(x->w, cp, clen);
	} else {
		bin_write_u32(x->w, exprs ? 5 : 1);
	}
	if (exprs)
		write_reftype(x->w, r, e->type);
	else
		bin_write_u8(x->w, 0x00);
	bin_write_u32(x->w, n);
	for (uint32_t k = 0; st == MELD_OK && k < n; k++) {
		uint32_t f, nf;
		if (exprs) {
			st = core_rewrite_const_expr(r, &rd, x->w);
			continue;
		}
		st = bin_read_u32(&rd, &f, "element function index");
		if (st == MELD_OK)
			st = core_remap_index(r, CORE_SPACE_FUNC, f, &rd,
					      bin_offset(&rd), &nf);
		if (st == MELD_OK)
			bin_write_u32(x->w, nf);
	}
	return st;
}

/* One element segment, k of core instance i. */
static enum meld_status
write_elem(struct ectx *x, size_t i, uint32_t k)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct plan_core *pc = &x->p->cores[i];
	const struct core_elem *e = &m->elems[k];
	const uint8_t *cp;
	size_t clen;
	if (pc->elem_passive[k])
		return rewrite_elem(x, i, e, NULL, 0);
	if (e->mode == CORE_SEG_ACTIVE &&
	    resolve_const(x, i, e->offset, e->end, &cp, &clen))
		return rewrite_elem(x, i, e, cp, clen);
	return core_write_elem(m, &pc->remap, k, CORE_FORM_KEEP, x->w);
}

/* One data segment, k of core instance i. */
static enum meld_status
write_data(struct ectx *x, size_t i, uint32_t k)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct plan_core *pc = &x->p->cores[i];
	const struct core_data *dd = &m->datas[k];
	const uint8_t *cp;
	size_t clen;
	if (pc->data_passive[k]) {
		bin_write_u32(x->w, 1);
	} else if (dd->mode == CORE_SEG_ACTIVE &&
		   resolve_const(x, i, dd->offset, dd->end, &cp, &clen)) {
		bin_write_u32(x->w, 2);
		bin_write_u32(x->w, pc->map[CORE_SPACE_MEMORY][dd->memidx]);
		bin_write_bytes(x->w, cp, clen);
	} else {
		return core_write_data(m, &pc->remap, k, CORE_FORM_KEEP,
				       x->w);
	}
	bin_write_name(x->w, dd->init.p, dd->init.len);
	return MELD_OK;
}

/*
 * The element or data section: every instance's segments of that space,
 * in instance order, each written by `one`.
 */
static enum meld_status
segment_section(struct ectx *x, enum core_space space, uint8_t id,
		enum meld_status (*one)(struct ectx *, size_t, uint32_t))
{
	uint32_t n = x->p->total[space];
	if (n == 0)
		return MELD_OK;
	size_t mark = core_write_section_begin(x->w, id);
	bin_write_u32(x->w, n);
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->ncores; i++) {
		const struct core_module *m = x->g->cores[i].mod;
		for (uint32_t k = 0; st == MELD_OK && k < m->space_len[space];
		     k++)
			st = one(x, i, k);
	}
	core_write_section_end(x->w, mark, 0);
	return st;
}

static void
datacount_section(struct ectx *x)
{
	if (x->p->total[CORE_SPACE_DATA] == 0)
		return;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_DATACOUNT);
	bin_write_u32(x->w, x->p->total[CORE_SPACE_DATA]);
	core_write_section_end(x->w, mark, 0);
}

/* ---- the start function --------------------------------------------- */

/* An offset expression inlined into code: the constant expression
 * rewritten, without its final `end`. */
static enum meld_status
inline_offset(struct ectx *x, size_t i, const uint8_t *expr,
	      const uint8_t *end, struct cgen_func *f)
{
	const struct core_module *m = x->g->cores[i].mod;
	struct bin_reader rd;
	struct bin_writer tmp;
	bin_reader_init(&rd, expr, (size_t)(end - expr), m->input, x->d);
	rd.base = m->base;
	bin_writer_init(&tmp);
	enum meld_status st =
		core_rewrite_const_expr(&x->p->cores[i].remap, &rd, &tmp);
	if (st == MELD_OK && tmp.err != MELD_OK)
		st = eoom(x);
	if (st == MELD_OK)
		bin_write_bytes(&f->code, tmp.buf, tmp.len - 1);
	bin_writer_clear(&tmp);
	return st;
}

static enum meld_status
init_elems(struct ectx *x, size_t i, struct cgen_func *f)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct plan_core *pc = &x->p->cores[i];
	for (uint32_t k = 0; k < m->space_len[CORE_SPACE_ELEM]; k++) {
		if (!pc->elem_passive[k])
			continue;
		const struct core_elem *e = &m->elems[k];
		enum meld_status st = inline_offset(x, i, e->offset, e->end, f);
		if (st != MELD_OK)
			return st;
		cgen_i32_const(f, 0);
		cgen_i32_const(f, (int32_t)e->count);
		core_write_op(&f->code, CORE_OP_TABLE_INIT);
		bin_write_u32(&f->code, pc->map[CORE_SPACE_ELEM][k]);
		bin_write_u32(&f->code, pc->map[CORE_SPACE_TABLE][e->tableidx]);
		core_write_op(&f->code, CORE_OP_ELEM_DROP);
		bin_write_u32(&f->code, pc->map[CORE_SPACE_ELEM][k]);
	}
	return MELD_OK;
}

static enum meld_status
init_datas(struct ectx *x, size_t i, struct cgen_func *f)
{
	const struct core_module *m = x->g->cores[i].mod;
	const struct plan_core *pc = &x->p->cores[i];
	for (uint32_t k = 0; k < m->space_len[CORE_SPACE_DATA]; k++) {
		if (!pc->data_passive[k])
			continue;
		const struct core_data *dd = &m->datas[k];
		enum meld_status st =
			inline_offset(x, i, dd->offset, dd->end, f);
		if (st != MELD_OK)
			return st;
		cgen_i32_const(f, 0);
		cgen_i32_const(f, (int32_t)dd->init.len);
		core_write_op(&f->code, CORE_OP_MEMORY_INIT);
		bin_write_u32(&f->code, pc->map[CORE_SPACE_DATA][k]);
		bin_write_u32(&f->code, pc->map[CORE_SPACE_MEMORY][dd->memidx]);
		core_write_op(&f->code, CORE_OP_DATA_DROP);
		bin_write_u32(&f->code, pc->map[CORE_SPACE_DATA][k]);
	}
	return MELD_OK;
}

static enum meld_status
start_body(struct ectx *x)
{
	struct cgen_func f;
	cgen_func_init(&f, 0);
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < x->g->ncores; i++) {
		const struct core_module *m = x->g->cores[i].mod;
		st = init_elems(x, i, &f);
		if (st == MELD_OK)
			st = init_datas(x, i, &f);
		if (m->has_start)
			cgen_call(&f, x->p->cores[i].map[CORE_SPACE_FUNC]
							[m->start]);
	}
	if (st == MELD_OK)
		st = cgen_finish(&f, x->w);
	cgen_func_clear(&f);
	return st;
}

/* trap_if(not (flags & bit)) */
static void
flag_test(struct cgen_func *f, uint32_t global, uint32_t bit)
{
	cgen_global_get(f, global);
	cgen_i32_const(f, (int32_t)bit);
	cgen_i32_and(f);
	cgen_i32_eqz(f);
	cgen_if(f, CGEN_VOID);
	cgen_unreachable(f);
	cgen_end(f);
}

/* Set or clear one bit of a flags global. */
static void
flag_set(struct cgen_func *f, uint32_t global, uint32_t bit, bool on)
{
	cgen_global_get(f, global);
	cgen_i32_const(f, on ? (int32_t)bit : ~(int32_t)bit);
	if (on)
		cgen_i32_or(f);
	else
		cgen_i32_and(f);
	cgen_global_set(f, global);
}

/*
 * canon_lower's may_leave test, then Store.lift's: trap unless every
 * entered instance may be entered, enter them, call, leave them.
 */
static enum meld_status
guard_body(struct ectx *x, const struct plan_guard *gd)
{
	struct cgen_func f;
	cgen_func_init(&f, gd->nparams);
	if (gd->leave_flag != UINT32_MAX)
		flag_test(&f, gd->leave_flag, PLAN_FLAG_MAY_LEAVE);
	for (uint32_t k = 0; k < gd->nflags; k++)
		flag_test(&f, gd->flags[k], PLAN_FLAG_MAY_ENTER);
	for (uint32_t k = 0; k < gd->nflags; k++)
		flag_set(&f, gd->flags[k], PLAN_FLAG_MAY_ENTER, false);
	for (uint32_t i = 0; i < gd->nparams; i++)
		cgen_local_get(&f, i);
	cgen_call(&f, plan_guard_target(x->p, gd));
	for (uint32_t k = 0; k < gd->nflags; k++)
		flag_set(&f, gd->flags[k], PLAN_FLAG_MAY_ENTER, true);
	enum meld_status st = cgen_finish(&f, x->w);
	cgen_func_clear(&f);
	return st;
}

static enum meld_status
code_section(struct ectx *x)
{
	struct plan *p = x->p;
	uint32_t n = p->total[CORE_SPACE_FUNC] - (uint32_t)p->nimports;
	if (n == 0)
		return MELD_OK;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_CODE);
	bin_write_u32(x->w, n);
	enum meld_status st = each_defined(x, CORE_SPACE_FUNC, write_body);
	for (size_t i = 0; st == MELD_OK && i < p->nadapters; i++)
		bin_write_bytes(x->w, p->adapters[i].code,
				p->adapters[i].code_size);
	for (size_t i = 0; st == MELD_OK && i < p->nguards; i++)
		st = guard_body(x, &p->guards[i]);
	for (uint32_t i = 0; p->rtab && i < rtab_nfuncs(p->rtab); i++)
		bin_write_bytes(x->w, rtab_func(p->rtab, i)->code,
				rtab_func(p->rtab, i)->code_size);
	if (st == MELD_OK && p->gen_start)
		st = start_body(x);
	for (size_t i = 0; st == MELD_OK && i < p->nhelpers; i++)
		bin_write_bytes(x->w, p->helpers[i].code,
				p->helpers[i].code_size);
	core_write_section_end(x->w, mark, 0);
	return st;
}

/* ---- custom sections ------------------------------------------------ */

struct names {
	struct core_name_assoc *a;
	size_t n, cap;
};

static enum meld_status
name_add(struct ectx *x, struct names *nm, uint32_t idx, const char *prefix,
	 const char *name)
{
	size_t lp = strlen(prefix), ln = strlen(name);
	uint8_t *buf = arena_alloc(x->a, lp + ln + 5);
	struct core_name_assoc *as = arena_push(x->a, (void **)&nm->a, &nm->n,
						&nm->cap, sizeof *as);
	if (!buf || !as)
		return eoom(x);
	size_t k = 0;
	uint32_t len = (uint32_t)(lp + ln);
	do {
		buf[k++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
		len >>= 7;
	} while (len);
	memcpy(buf + k, prefix, lp);
	memcpy(buf + k + lp, name, ln);
	as->idx = idx;
	as->p = buf;
	as->end = buf + k + lp + ln;
	return MELD_OK;
}

/* The names the modules give their own definitions, at their new index. */
static enum meld_status
module_names(struct ectx *x, uint8_t id, struct names *nm)
{
	enum core_space s;
	if (!core_name_space(id, &s))
		return MELD_OK;
	for (size_t i = 0; i < x->g->ncores; i++) {
		const struct core_module *m = x->g->cores[i].mod;
		for (uint32_t k = 0; m->names.parsed && k < m->names.nsubs; k++) {
			const struct core_name_sub *sub = &m->names.subs[k];
			if (sub->id != id || !sub->assocs)
				continue;
			for (uint32_t j = 0; j < sub->count; j++) {
				struct core_name_assoc a = sub->assocs[j];
				if (a.idx < m->space_imported[s] ||
				    a.idx >= m->space_len[s])
					continue;
				struct core_name_assoc *as = arena_push(
					x->a, (void **)&nm->a, &nm->n, &nm->cap,
					sizeof *as);
				if (!as)
					return eoom(x);
				*as = a;
				as->idx = x->p->cores[i].map[s][a.idx];
				as->idx_width = 0;
			}
		}
	}
	return MELD_OK;
}

static enum meld_status
generated_names(struct ectx *x, struct names *nm)
{
	const struct plan *p = x->p;
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < p->nadapters; i++) {
		const char *fn = p->adapters[i].lower->func->name;
		st = name_add(x, nm, p->adapters[i].funcidx, "adapter ",
			      fn ? fn : "(unnamed)");
	}
	for (size_t i = 0; st == MELD_OK && i < p->nguards; i++) {
		const struct inst_lower *l = p->guards[i].site;
		const char *fn = l && l->func->name	? l->func->name
				 : p->guards[i].builtin ? "built-in"
							: "export";
		st = name_add(x, nm, p->guards[i].funcidx, "guard ", fn);
	}
	for (uint32_t i = 0; st == MELD_OK && p->rtab &&
			     i < rtab_nfuncs(p->rtab);
	     i++)
		st = name_add(x, nm, p->first_rtab + i, "",
			      rtab_func(p->rtab, i)->name);
	if (st == MELD_OK && p->gen_start)
		st = name_add(x, nm, p->start_funcidx, "meld start", "");
	for (size_t i = 0; st == MELD_OK && i < p->nhelpers; i++)
		st = name_add(x, nm, p->first_helper + (uint32_t)i, "",
			      p->helpers[i].name);
	return st;
}

/* A "name" section: functions, tables, memories, globals. */
static enum meld_status
name_section(struct ectx *x)
{
	static const uint8_t ids[] = {CORE_NAME_FUNC, CORE_NAME_TABLE,
				      CORE_NAME_MEMORY, CORE_NAME_GLOBAL};
	size_t mark = 0;
	bool begun = false;
	enum meld_status st = MELD_OK;
	for (size_t k = 0; st == MELD_OK && k < sizeof ids; k++) {
		struct names nm = {NULL, 0, 0};
		st = module_names(x, ids[k], &nm);
		if (st == MELD_OK && ids[k] == CORE_NAME_FUNC)
			st = generated_names(x, &nm);
		if (st != MELD_OK || nm.n == 0)
			continue;
		if (!begun) {
			mark = core_write_section_begin(x->w, CORE_SEC_CUSTOM);
			write_str(x->w, "name");
			begun = true;
		}
		st = core_write_name_sub(x->w, ids[k], nm.a, nm.n, 0, 0);
	}
	if (begun)
		core_write_section_end(x->w, mark, 0);
	return st;
}

static const char *
encoding_name(enum comp_string_encoding e)
{
	switch (e) {
	case COMP_STRING_UTF16: return "utf16";
	case COMP_STRING_LATIN1_UTF16: return "latin1+utf16";
	default: return "utf8";
	}
}

static void
abi_field(struct bin_writer *w, const char *key, const char *value)
{
	if (!value)
		return;
	bin_write_bytes(w, " ", 1);
	bin_write_bytes(w, key, strlen(key));
	bin_write_bytes(w, "=", 1);
	bin_write_bytes(w, value, strlen(value));
}

/* One text line per boundary function with canonical options. */
static void
abi_section(struct ectx *x)
{
	const struct plan *p = x->p;
	if (!p->abi_ambiguous)
		return;
	size_t mark = core_write_section_begin(x->w, CORE_SEC_CUSTOM);
	write_str(x->w, EMIT_ABI_SECTION);
	for (size_t i = 0; i < p->nabi; i++) {
		const struct plan_abi *ab = &p->abi[i];
		if (ab->is_export) {
			bin_write_bytes(x->w, "export ", 7);
		} else {
			bin_write_bytes(x->w, "import ", 7);
			bin_write_bytes(x->w, ab->module, strlen(ab->module));
			bin_write_bytes(x->w, " ", 1);
		}
		bin_write_bytes(x->w, ab->name, strlen(ab->name));
		abi_field(x->w, "memory", ab->memory);
		abi_field(x->w, "realloc", ab->realloc);
		abi_field(x->w, "post-return", ab->post_return);
		abi_field(x->w, "encoding", encoding_name(ab->encoding));
		bin_write_bytes(x->w, "\n", 1);
	}
	core_write_section_end(x->w, mark, 0);
}

enum meld_status
emit_module(struct arena *a, struct diag *d, struct plan *p,
	    struct bin_writer *w)
{
	struct ectx x = {a, d, p, p->g, w};
	core_write_header(w);
	enum meld_status st = type_section(&x);
	if (st == MELD_OK) {
		import_section(&x);
		st = func_section(&x);
	}
	if (st == MELD_OK)
		st = simple_section(&x, CORE_SEC_TABLE, CORE_SPACE_TABLE,
				    write_table);
	if (st == MELD_OK)
		st = memory_section(&x);
	if (st == MELD_OK)
		st = simple_section(&x, CORE_SEC_TAG, CORE_SPACE_TAG,
				    write_tag);
	if (st == MELD_OK)
		st = global_section(&x);
	if (st == MELD_OK) {
		export_section(&x);
		start_section(&x);
		st = segment_section(&x, CORE_SPACE_ELEM, CORE_SEC_ELEM,
				     write_elem);
	}
	if (st == MELD_OK) {
		datacount_section(&x);
		st = code_section(&x);
	}
	if (st == MELD_OK)
		st = segment_section(&x, CORE_SPACE_DATA, CORE_SEC_DATA,
				     write_data);
	if (st == MELD_OK)
		st = name_section(&x);
	if (st == MELD_OK)
		abi_section(&x);
	if (st == MELD_OK && w->err != MELD_OK)
		st = eoom(&x);
	return st;
}
