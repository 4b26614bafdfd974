/*
 * adapt_gen: the builder of adapters and their shared helpers, and the
 * frame of each adapter (CanonicalABI.md "canon lower", "canon lift",
 * Store.lift/Store.lower in "Embedding", "Lifting and Lowering Values",
 * LiftLowerContext.reallocate).
 *
 * The frame is what canon_lower, Store.lift's func_inst and canon_lift do
 * around the values: the may_leave check of the caller, the may_enter
 * checks and updates of the entering set, the parameter area (more than
 * MAX_FLAT_PARAMS flat values) and the return area (more than
 * MAX_FLAT_RESULTS), the call, post-return with may_leave cleared, and
 * for borrowed arguments the call's borrow scope (rtab.h).  The values
 * themselves are adapt_gen_value.c's; strings adapt_gen_string.c's.
 */
#include "adapt_gen.h"

#include <stdio.h>
#include <string.h>

#include "adapt_gen_impl.h"
#include "rtab.h"

/* ---- helper function types ------------------------------------------ */

static const uint8_t i32x4[4] = {0x7f, 0x7f, 0x7f, 0x7f};

static struct adapt_gen_functype
helper_type(enum ag_kind k)
{
	struct adapt_gen_functype t = {2, 1, i32x4, i32x4};
	switch (k) {
	case AG_REALLOC:
		t.nparams = 4;
		break;
	case AG_STRING:
	case AG_DEC8:
	case AG_DEC16:
		t.nresults = 2;
		break;
	case AG_VALID8:
	case AG_VALID16:
		t.nresults = 0;
		break;
	default: /* list, encoders */
		break;
	}
	return t;
}

static const char *
enc_name(enum adapt_gen_encoding e)
{
	switch (e) {
	case ADAPT_GEN_UTF16: return "utf16";
	case ADAPT_GEN_LATIN1_UTF16: return "latin1+utf16";
	default: return "utf8";
	}
}

static const char *
helper_name(struct arena *a, const struct ag_key *k)
{
	char buf[256], ty[160];
	switch (k->kind) {
	case AG_REALLOC:
		snprintf(buf, sizeof buf, "meld:realloc mem%u", k->dst.memidx);
		break;
	case AG_STRING:
		snprintf(buf, sizeof buf, "meld:string %s mem%u -> %s mem%u",
			 enc_name(k->src_enc), k->src_mem,
			 enc_name(k->dst.encoding), k->dst.memidx);
		break;
	case AG_LIST:
		if (k->in_place)
			snprintf(buf, sizeof buf,
				 "meld:list<%s> in place mem%u @%u -> @%u",
				 vtype_print(k->elem, ty, sizeof ty),
				 k->src_mem, k->src_inst, k->dst_inst);
		else if (ag_has_handles(k->elem))
			snprintf(buf, sizeof buf,
				 "meld:list<%s> mem%u@%u -> mem%u@%u",
				 vtype_print(k->elem, ty, sizeof ty),
				 k->src_mem, k->src_inst, k->dst.memidx,
				 k->dst_inst);
		else
			snprintf(buf, sizeof buf, "meld:list<%s> mem%u -> mem%u",
				 vtype_print(k->elem, ty, sizeof ty),
				 k->src_mem, k->dst.memidx);
		break;
	case AG_VALID8:
	case AG_VALID16:
		snprintf(buf, sizeof buf, "meld:validate %s mem%u",
			 k->kind == AG_VALID8 ? "utf8" : "utf16", k->src_mem);
		break;
	case AG_DEC8:
	case AG_DEC16:
		snprintf(buf, sizeof buf, "meld:decode %s mem%u",
			 k->kind == AG_DEC8 ? "utf8" : "utf16", k->src_mem);
		break;
	default:
		snprintf(buf, sizeof buf, "meld:encode %s mem%u",
			 k->kind == AG_ENC8 ? "utf8" : "utf16", k->dst.memidx);
		break;
	}
	return arena_dup(a, buf, strlen(buf) + 1);
}

/* ---- the helper registry -------------------------------------------- */

static bool
side_eq(const struct adapt_gen_side *a, const struct adapt_gen_side *b)
{
	return a->memidx == b->memidx &&
	       a->realloc_funcidx == b->realloc_funcidx &&
	       a->encoding == b->encoding &&
	       a->flags_globalidx == b->flags_globalidx;
}

/* Keys are built with only the fields their kind uses (others zero). */
static bool
key_eq(const struct ag_key *a, const struct ag_key *b)
{
	if (a->kind != b->kind || a->src_mem != b->src_mem ||
	    a->src_enc != b->src_enc || !side_eq(&a->dst, &b->dst) ||
	    a->canon_nans != b->canon_nans || a->src_inst != b->src_inst ||
	    a->dst_inst != b->dst_inst || a->in_place != b->in_place)
		return false;
	if (a->elem == b->elem)
		return true;
	return a->elem && b->elem && a->elem->info.hash == b->elem->info.hash &&
	       vtype_equal(a->elem, b->elem);
}

uint32_t
ag_helper(struct ag_fn *x, const struct ag_key *k)
{
	struct adapt_gen *g = x->g;
	for (size_t i = 0; i < g->nhelpers; i++)
		if (key_eq(&g->helpers[i].key, k))
			return g->helpers[i].fn.funcidx;
	struct ag_helper *h = arena_push(g->a, (void **)&g->helpers,
					 &g->nhelpers, &g->cap, sizeof *h);
	const char *name = h ? helper_name(g->a, k) : NULL;
	if (!h || !name) {
		if (h)
			g->nhelpers--;
		ag_fail(x, MELD_ENOMEM);
		return 0;
	}
	h->key = *k;
	h->fn.name = name;
	h->fn.funcidx = g->first_funcidx + (uint32_t)(g->nhelpers - 1);
	h->fn.type = helper_type(k->kind);
	return h->fn.funcidx;
}

uint32_t
ag_realloc_helper(struct ag_fn *x, const struct adapt_gen_side *d)
{
	struct ag_key k;
	memset(&k, 0, sizeof k);
	k.kind = AG_REALLOC;
	k.dst.memidx = d->memidx;
	k.dst.realloc_funcidx = d->realloc_funcidx;
	k.dst.flags_globalidx = d->flags_globalidx;
	return ag_helper(x, &k);
}

/* ---- one function in progress --------------------------------------- */

void
ag_fn_init(struct ag_fn *x, struct adapt_gen *g, uint32_t nparams,
	   bool canon_nans)
{
	memset(x, 0, sizeof *x);
	x->g = g;
	x->canon_nans = canon_nans;
	cgen_func_init(&x->f, nparams);
}

void
ag_fn_clear(struct ag_fn *x)
{
	cgen_func_clear(&x->f);
}

void
ag_fail(struct ag_fn *x, enum meld_status st)
{
	if (x->err == MELD_OK)
		x->err = st;
}

static unsigned
pool_of(enum abi_core t)
{
	return (unsigned)(ABI_I32 - t) & 3u; /* i32 0, i64 1, f32 2, f64 3 */
}

uint32_t
ag_tmp(struct ag_fn *x, enum abi_core t)
{
	struct ag_pool *p = &x->pools[pool_of(t)];
	if (p->used < p->n)
		return p->locals[p->used++];
	uint32_t l = cgen_local(&x->f, (enum cgen_valtype)t);
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? 2 * p->cap : 8;
		uint32_t *n = arena_alloc_array(x->g->a, cap, sizeof *n);
		if (!n) {
			ag_fail(x, MELD_ENOMEM);
			return l;
		}
		if (p->n)
			memcpy(n, p->locals, p->n * sizeof *n);
		p->locals = n;
		p->cap = cap;
	}
	p->locals[p->n++] = l;
	p->used = p->n;
	return l;
}

void
ag_tmp_mark(const struct ag_fn *x, uint32_t mark[4])
{
	for (unsigned i = 0; i < 4; i++)
		mark[i] = x->pools[i].used;
}

void
ag_tmp_release(struct ag_fn *x, const uint32_t mark[4])
{
	for (unsigned i = 0; i < 4; i++)
		x->pools[i].used = mark[i];
}

/* ---- small emitters ------------------------------------------------- */

void
ag_trap_if(struct ag_fn *x)
{
	cgen_if(&x->f, CGEN_VOID);
	cgen_unreachable(&x->f);
	cgen_end(&x->f);
}

void
ag_check_align(struct ag_fn *x, uint32_t ptr, uint32_t align)
{
	if (align <= 1)
		return;
	cgen_local_get(&x->f, ptr);
	cgen_i32_const(&x->f, (int32_t)(align - 1));
	cgen_i32_and(&x->f);
	ag_trap_if(x);
}

/* The memory's byte length as an i64 (an i32 memory has < 2^32 + 1). */
static void
mem_bytes(struct ag_fn *x, uint32_t mem)
{
	cgen_memory_size(&x->f, mem);
	cgen_i64_extend_i32_u(&x->f);
	cgen_i64_const(&x->f, 16);
	cgen_i64_shl(&x->f);
}

void
ag_check_bounds(struct ag_fn *x, uint32_t mem, uint32_t ptr,
		uint32_t len_local)
{
	struct cgen_func *f = &x->f;
	cgen_local_get(f, ptr);
	cgen_i64_extend_i32_u(f);
	cgen_local_get(f, len_local);
	cgen_i64_extend_i32_u(f);
	cgen_i64_add(f);
	mem_bytes(x, mem);
	cgen_i64_gt_u(f);
	ag_trap_if(x);
}

void
ag_check_bounds_const(struct ag_fn *x, uint32_t mem, uint32_t ptr,
		      uint32_t len)
{
	struct cgen_func *f = &x->f;
	cgen_local_get(f, ptr);
	cgen_i64_extend_i32_u(f);
	cgen_i64_const(f, (int64_t)len);
	cgen_i64_add(f);
	mem_bytes(x, mem);
	cgen_i64_gt_u(f);
	ag_trap_if(x);
}

void
ag_push_addr(struct ag_fn *x, struct ag_addr a)
{
	cgen_local_get(&x->f, a.base);
	if (a.off) {
		cgen_i32_const(&x->f, (int32_t)a.off);
		cgen_i32_add(&x->f);
	}
}

void
ag_push_base(struct ag_fn *x, struct ag_addr a)
{
	cgen_local_get(&x->f, a.base);
}

void
ag_add_const(struct ag_fn *x, uint32_t local, int32_t k)
{
	cgen_local_get(&x->f, local);
	cgen_i32_const(&x->f, k);
	cgen_i32_add(&x->f);
	cgen_local_set(&x->f, local);
}

/* Clear (set false) or set one flag bit of an instance's global. */
static void
flag_update(struct ag_fn *x, uint32_t global, uint32_t bit, bool set)
{
	if (global == ADAPT_GEN_NONE)
		return;
	cgen_global_get(&x->f, global);
	if (set) {
		cgen_i32_const(&x->f, (int32_t)bit);
		cgen_i32_or(&x->f);
	} else {
		cgen_i32_const(&x->f, (int32_t)~bit);
		cgen_i32_and(&x->f);
	}
	cgen_global_set(&x->f, global);
}

/* trap_if(not flag) */
static void
flag_check(struct ag_fn *x, uint32_t global, uint32_t bit)
{
	if (global == ADAPT_GEN_NONE)
		return;
	cgen_global_get(&x->f, global);
	cgen_i32_const(&x->f, (int32_t)bit);
	cgen_i32_and(&x->f);
	cgen_i32_eqz(&x->f);
	ag_trap_if(x);
}

/* ---- the realloc helper --------------------------------------------- */

/*
 * LiftLowerContext.reallocate with may_leave cleared around the call,
 * then the checks every caller of it makes in "Storing" and
 * lower_flat_values: the result aligned and in bounds for new_size.
 */
static void
gen_realloc(struct ag_fn *x, const struct ag_key *k)
{
	struct cgen_func *f = &x->f;
	uint32_t g = k->dst.flags_globalidx;
	uint32_t p = cgen_local(f, CGEN_I32);
	flag_update(x, g, ADAPT_GEN_MAY_LEAVE, false);
	for (uint32_t i = 0; i < 4; i++)
		cgen_local_get(f, i);
	cgen_call(f, k->dst.realloc_funcidx);
	cgen_local_set(f, p);
	flag_update(x, g, ADAPT_GEN_MAY_LEAVE, true);
	cgen_local_get(f, p);
	cgen_local_get(f, 2);
	cgen_i32_const(f, 1);
	cgen_i32_sub(f);
	cgen_i32_and(f);
	ag_trap_if(x);
	ag_check_bounds(x, k->dst.memidx, p, 3);
	cgen_local_get(f, p);
}

/* ---- finishing functions -------------------------------------------- */

static enum meld_status
finish_fn(struct ag_fn *x, struct adapt_gen_func *out)
{
	enum meld_status st = x->err != MELD_OK ? x->err : cgen_status(&x->f);
	struct bin_writer w;
	bin_writer_init(&w);
	if (st == MELD_OK)
		st = cgen_finish(&x->f, &w);
	if (st == MELD_OK) {
		out->code = arena_dup(x->g->a, w.buf, w.len);
		out->code_size = w.len;
		if (!out->code)
			st = MELD_ENOMEM;
	}
	bin_writer_clear(&w);
	return st;
}

static enum meld_status
gen_helper(struct adapt_gen *g, size_t i)
{
	struct ag_key k = g->helpers[i].key; /* the array may move */
	struct adapt_gen_functype t = g->helpers[i].fn.type;
	struct ag_fn x;
	ag_fn_init(&x, g, t.nparams, k.canon_nans);
	x.in_place = k.in_place;
	switch (k.kind) {
	case AG_REALLOC:
		gen_realloc(&x, &k);
		break;
	case AG_STRING:
		ag_gen_string(&x, &k);
		break;
	case AG_LIST:
		ag_gen_list(&x, &k);
		break;
	default:
		ag_gen_codec(&x, &k);
		break;
	}
	struct adapt_gen_func fn = g->helpers[i].fn;
	enum meld_status st = finish_fn(&x, &fn);
	ag_fn_clear(&x);
	if (st == MELD_OK)
		g->helpers[i].fn = fn;
	return st;
}

/* ---- the adapter ---------------------------------------------------- */

/* The flat types of a core signature, as value type codes. */
static const uint8_t *
flat_codes(struct arena *a, const struct abi_flat *fl)
{
	uint8_t *c = arena_alloc(a, fl->count + 1);
	for (uint32_t i = 0; c && i < fl->count; i++)
		c[i] = (uint8_t)fl->types[i];
	return c;
}

struct frame {
	const struct adapt_gen_site *s;
	struct abi_core_func lower, lift;
	uint32_t align, size; /* the parameter tuple's */
	bool borrows;         /* a parameter holds a borrow: a scope */
};

/* The parameters as a tuple in memory (lift/lower_flat_values). */
static void
layout_of(const struct vtype_func *ft, struct ag_field *fs, uint32_t *palign,
	  uint32_t *psize)
{
	uint32_t s = 0, align = 1;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		const struct vtype *t = ft->params[i].type;
		uint32_t al = abi_alignment(t, ABI_PTR_I32);
		s = abi_align_to(s, al);
		fs[i].t = t;
		fs[i].off = s;
		s += abi_elem_size(t, ABI_PTR_I32);
		if (al > align)
			align = al;
	}
	*palign = align;
	*psize = abi_align_to(s, align);
}

static void
param_layout(struct frame *fr, struct ag_field *fs)
{
	layout_of(fr->s->ft, fs, &fr->align, &fr->size);
}

/* Parameters through memory: the caller's area into a callee area. */
static void
params_in_memory(struct ag_fn *x, struct frame *fr)
{
	const struct adapt_gen_site *s = fr->s;
	const struct vtype_func *ft = s->ft;
	struct ag_field *fs = arena_alloc_array(x->g->a, ft->nparams,
						sizeof *fs);
	if (!fs) {
		ag_fail(x, MELD_ENOMEM);
		return;
	}
	param_layout(fr, fs);
	ag_check_align(x, 0, fr->align);
	ag_check_bounds_const(x, s->caller.memidx, 0, fr->size);
	uint32_t dst = cgen_local(&x->f, CGEN_I32);
	cgen_i32_const(&x->f, 0);
	cgen_i32_const(&x->f, 0);
	cgen_i32_const(&x->f, (int32_t)fr->align);
	cgen_i32_const(&x->f, (int32_t)fr->size);
	cgen_call(&x->f, ag_realloc_helper(x, &s->callee));
	cgen_local_set(&x->f, dst);
	struct ag_mem c = {&s->caller, &s->callee, s->caller_instance,
			   s->callee_instance};
	struct ag_addr from = {s->caller.memidx, 0, 0};
	struct ag_addr to = {s->callee.memidx, dst, 0};
	ag_mem_fields(x, &c, fs, ft->nparams, from, to);
	cgen_local_get(&x->f, dst);
}

/* Parameters as flat values, pushed for the call. */
static void
params_flat(struct ag_fn *x, struct frame *fr)
{
	const struct adapt_gen_site *s = fr->s;
	uint32_t n = fr->lift.params.count;
	uint32_t in[VTYPE_FLAT_CAP] = {0}, out[VTYPE_FLAT_CAP] = {0};
	for (uint32_t i = 0; i < n; i++)
		in[i] = i;
	struct ag_flat c = {in,
			    out,
			    fr->lift.params.types,
			    &s->caller,
			    &s->callee,
			    s->caller_instance,
			    s->callee_instance};
	uint32_t slot = 0;
	for (uint32_t i = 0; i < s->ft->nparams; i++) {
		const struct vtype *t = s->ft->params[i].type;
		ag_flat_value(x, &c, t, slot, false);
		slot += t->info.flat;
	}
	for (uint32_t i = 0; i < n; i++)
		cgen_local_get(&x->f, out[i]);
}

/*
 * The results: from the callee's flat result or returned pointer into
 * the caller's flat result or return area.  *raw receives the local
 * holding the callee's raw result (for post-return), *ret the local to
 * return (ADAPT_GEN_NONE when nothing is returned).
 */
static void
results(struct ag_fn *x, struct frame *fr, uint32_t *raw, uint32_t *ret)
{
	const struct adapt_gen_site *s = fr->s;
	const struct vtype *t = s->ft->result;
	*raw = *ret = ADAPT_GEN_NONE;
	if (!t)
		return;
	*raw = cgen_local(&x->f, (enum cgen_valtype)fr->lift.results.types[0]);
	cgen_local_set(&x->f, *raw);
	if (!fr->lift.results_in_memory) {
		struct ag_flat c = {raw,
				    ret,
				    fr->lift.results.types,
				    &s->callee,
				    &s->caller,
				    s->callee_instance,
				    s->caller_instance};
		ag_flat_value(x, &c, t, 0, false);
		return;
	}
	uint32_t align = abi_alignment(t, ABI_PTR_I32);
	uint32_t size = abi_elem_size(t, ABI_PTR_I32);
	uint32_t retptr = fr->lower.params.count - 1;
	ag_check_align(x, *raw, align);
	ag_check_bounds_const(x, s->callee.memidx, *raw, size);
	ag_check_align(x, retptr, align);
	ag_check_bounds_const(x, s->caller.memidx, retptr, size);
	struct ag_mem c = {&s->callee, &s->caller, s->callee_instance,
			   s->caller_instance};
	struct ag_addr from = {s->callee.memidx, *raw, 0};
	struct ag_addr to = {s->caller.memidx, retptr, 0};
	ag_mem_value(x, &c, t, from, to);
}

static void
gen_adapter(struct ag_fn *x, struct frame *fr)
{
	const struct adapt_gen_site *s = fr->s;
	struct cgen_func *f = &x->f;
	/* canon_lower: trap_if(not thread.task.inst.may_leave) */
	flag_check(x, s->caller.flags_globalidx, ADAPT_GEN_MAY_LEAVE);
	/* Store.lift: trap_if(not may_enter_from(caller)); enter_from */
	for (uint32_t i = 0; i < s->nenter; i++)
		flag_check(x, s->enter_globalidx[i], ADAPT_GEN_MAY_ENTER);
	for (uint32_t i = 0; i < s->nenter; i++)
		flag_update(x, s->enter_globalidx[i], ADAPT_GEN_MAY_ENTER,
			    false);
	/* the callee Task's num_borrows and the Subtask's lenders */
	uint32_t scope = ADAPT_GEN_NONE;
	if (fr->borrows) {
		scope = cgen_local(f, CGEN_I32);
		cgen_call(f, rtab_fn_index(x->g->rtab, RTAB_FN_ENTER));
		cgen_local_set(f, scope);
	}
	if (fr->lift.params_in_memory)
		params_in_memory(x, fr);
	else
		params_flat(x, fr);
	cgen_call(f, s->callee_funcidx);
	uint32_t raw, ret;
	results(x, fr, &raw, &ret);
	/* Task.return_'s check, then Subtask.deliver_resolve */
	if (scope != ADAPT_GEN_NONE) {
		cgen_local_get(f, scope);
		cgen_call(f, rtab_fn_index(x->g->rtab, RTAB_FN_LEAVE));
	}
	if (s->post_return_funcidx != ADAPT_GEN_NONE) {
		flag_update(x, s->callee.flags_globalidx, ADAPT_GEN_MAY_LEAVE,
			    false);
		if (raw != ADAPT_GEN_NONE)
			cgen_local_get(f, raw);
		cgen_call(f, s->post_return_funcidx);
		flag_update(x, s->callee.flags_globalidx, ADAPT_GEN_MAY_LEAVE,
			    true);
	}
	/* Store.lift: leave_to(caller) */
	for (uint32_t i = 0; i < s->nenter; i++)
		flag_update(x, s->enter_globalidx[i], ADAPT_GEN_MAY_ENTER,
			    true);
	if (ret != ADAPT_GEN_NONE)
		cgen_local_get(f, ret);
}

/* ---- checking a site ------------------------------------------------ */

static enum meld_status
site_fail(struct adapt_gen *g, enum meld_status st, const char *what)
{
	const struct adapt_gen_site *s = g->site;
	return diag_fail(g->d, st, s->input, s->offset,
			 "cannot generate the adapter for \"%s\": %s",
			 s->name ? s->name : "(unnamed)", what);
}

/*
 * The first handle in t the tables cannot carry: a resource they do not
 * know, a borrow in a result (validation forbids it), or a borrow of an
 * i64 representation lowered as its rep.  *st receives the status.
 */
static const struct vtype *
bad_handle(const struct adapt_gen *g, const struct vtype *t, bool result,
	   enum meld_status *st)
{
	if (!ag_has_handles(t))
		return NULL;
	if (t->kind == VTYPE_OWN || t->kind == VTYPE_BORROW) {
		const struct rtab_type *rt =
			rtab_find(g->rtab, t->resource, NULL);
		*st = MELD_EINVALID;
		if (!rt || (result && t->kind == VTYPE_BORROW))
			return t;
		*st = MELD_EUNSUPPORTED;
		if (t->kind == VTYPE_BORROW && rt->rep != 0x7f)
			return t;
		return NULL;
	}
	if (t->types)
		for (uint32_t i = 0; i < t->count; i++) {
			const struct vtype *u =
				bad_handle(g, t->types[i], result, st);
			if (u)
				return u;
		}
	return t->kind == VTYPE_MAP ? NULL : bad_handle(g, t->elem, result, st);
}

static enum meld_status
check_handles(struct adapt_gen *g, const struct vtype *t, bool result)
{
	char ty[160], msg[256];
	enum meld_status st = MELD_OK;
	const struct vtype *u = bad_handle(g, t, result, &st);
	if (!u)
		return MELD_OK;
	vtype_print(u, ty, sizeof ty);
	if (st == MELD_EUNSUPPORTED)
		snprintf(msg, sizeof msg,
			 "%s: borrows of i64 representations cannot be "
			 "adapted yet", ty);
	else if (result && u->kind == VTYPE_BORROW)
		snprintf(msg, sizeof msg, "%s in a function result", ty);
	else
		snprintf(msg, sizeof msg,
			 "%s: the resource has no handle table", ty);
	return site_fail(g, st, msg);
}

static enum meld_status
check_types(struct adapt_gen *g)
{
	const struct vtype_func *ft = g->site->ft;
	char ty[160], msg[256];
	bool handles = g->rtab != NULL;
	for (uint32_t i = 0; i <= ft->nparams; i++) {
		const struct vtype *t = i < ft->nparams ? ft->params[i].type
							: ft->result;
		if (!t)
			continue;
		const struct vtype *u = ag_unsupported_part(t, handles);
		if (u) {
			snprintf(msg, sizeof msg,
				 "values of type %s cannot be adapted yet",
				 vtype_print(u, ty, sizeof ty));
			return site_fail(g, MELD_EUNSUPPORTED, msg);
		}
		enum meld_status st = abi_check(t, g->d, g->site->input,
						g->site->offset);
		if (st == MELD_OK && handles)
			st = check_handles(g, t, i == ft->nparams);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

/* Handles need both sides' tables: instances the tables know. */
static enum meld_status
check_instances(struct adapt_gen *g, struct frame *fr)
{
	const struct adapt_gen_site *s = g->site;
	const struct vtype_func *ft = s->ft;
	bool handles = ft->result && ag_has_handles(ft->result);
	for (uint32_t i = 0; i < ft->nparams; i++) {
		const struct vtype *t = ft->params[i].type;
		handles = handles || ag_has_handles(t);
		fr->borrows = fr->borrows || (t->info.props & VTYPE_P_BORROW);
	}
	if (!handles)
		return MELD_OK;
	uint32_t n = rtab_ninstances(g->rtab);
	if (s->caller_instance >= n || s->callee_instance >= n)
		return site_fail(g, MELD_EUSAGE,
				 "a side's component instance has no handle "
				 "table");
	return MELD_OK;
}

/* canonopt validation: the options the type requires. */
static enum meld_status
check_options(struct adapt_gen *g, const struct frame *fr)
{
	const struct adapt_gen_site *s = g->site;
	const struct vtype_func *ft = s->ft;
	bool pmem = fr->lift.params_in_memory, rmem = fr->lift.results_in_memory;
	for (uint32_t i = 0; i < ft->nparams; i++)
		pmem = pmem || abi_needs_memory(ft->params[i].type);
	rmem = rmem || (ft->result && abi_needs_memory(ft->result));
	bool rneeds = ft->result && abi_needs_memory(ft->result);
	if ((pmem || rmem) && s->caller.memidx == ADAPT_GEN_NONE)
		return site_fail(g, MELD_EINVALID,
				 "the canon lower has no memory option");
	if ((pmem || rmem) && s->callee.memidx == ADAPT_GEN_NONE)
		return site_fail(g, MELD_EINVALID,
				 "the canon lift has no memory option");
	if (pmem && s->callee.realloc_funcidx == ADAPT_GEN_NONE)
		return site_fail(g, MELD_EINVALID,
				 "the canon lift has no realloc option");
	if (rneeds && s->caller.realloc_funcidx == ADAPT_GEN_NONE)
		return site_fail(g, MELD_EINVALID,
				 "the canon lower has no realloc option");
	return MELD_OK;
}

static enum meld_status
check_site(struct adapt_gen *g, struct frame *fr)
{
	const struct adapt_gen_site *s = g->site;
	if (s->ft->async)
		return site_fail(g, MELD_EUNSUPPORTED,
				 "async functions cannot be adapted yet");
	if ((s->caller.memory64 && s->caller.memidx != ADAPT_GEN_NONE) ||
	    (s->callee.memory64 && s->callee.memidx != ADAPT_GEN_NONE))
		return site_fail(g, MELD_EUNSUPPORTED,
				 "64-bit memories cannot be adapted yet");
	enum meld_status st = check_types(g);
	if (st == MELD_OK && g->rtab)
		st = check_instances(g, fr);
	if (st != MELD_OK)
		return st;
	struct abi_sig_opts o = {ABI_PTR_I32, false, false};
	abi_flatten_functype(s->ft, &o, ABI_LOWER, &fr->lower);
	abi_flatten_functype(s->ft, &o, ABI_LIFT, &fr->lift);
	return check_options(g, fr);
}

/* ---- the builder ---------------------------------------------------- */

struct adapt_gen *
adapt_gen_create(struct arena *a, struct diag *d, uint32_t first_helper_funcidx)
{
	struct adapt_gen *g = arena_alloc(a, sizeof *g);
	if (!g)
		return NULL;
	g->a = a;
	g->d = d;
	g->first_funcidx = first_helper_funcidx;
	return g;
}

void
adapt_gen_set_rtab(struct adapt_gen *g, struct rtab *r)
{
	g->rtab = r;
}

static enum meld_status
drain_helpers(struct adapt_gen *g)
{
	while (g->ndone < g->nhelpers) {
		enum meld_status st = gen_helper(g, g->ndone);
		if (st != MELD_OK)
			return st;
		g->ndone++;
	}
	return MELD_OK;
}

static enum meld_status
fail_status(struct adapt_gen *g, enum meld_status st)
{
	if (st == MELD_ENOMEM)
		return site_fail(g, st, "out of memory");
	if (st == MELD_EUNSUPPORTED)
		return site_fail(g, st, "the type is too large to adapt");
	return site_fail(g, st, "internal error in the generated code");
}

enum meld_status
adapt_gen_add(struct adapt_gen *g, const struct adapt_gen_site *site,
	      struct adapt_gen_func *out)
{
	memset(out, 0, sizeof *out);
	g->site = site;
	struct frame fr;
	memset(&fr, 0, sizeof fr);
	fr.s = site;
	enum meld_status st = check_site(g, &fr);
	if (st != MELD_OK)
		return st;
	out->name = site->name;
	out->funcidx = ADAPT_GEN_NONE;
	out->type.nparams = fr.lower.params.count;
	out->type.nresults = fr.lower.results.count;
	out->type.params = flat_codes(g->a, &fr.lower.params);
	out->type.results = flat_codes(g->a, &fr.lower.results);
	if (!out->type.params || !out->type.results)
		return fail_status(g, MELD_ENOMEM);
	struct ag_fn x;
	ag_fn_init(&x, g, fr.lower.params.count, site->canon_nans);
	gen_adapter(&x, &fr);
	st = finish_fn(&x, out);
	ag_fn_clear(&x);
	if (st == MELD_OK)
		st = drain_helpers(g);
	if (st != MELD_OK)
		return fail_status(g, st);
	return MELD_OK;
}

uint32_t
adapt_gen_nhelpers(const struct adapt_gen *g)
{
	return (uint32_t)g->ndone;
}

const struct adapt_gen_func *
adapt_gen_helper(const struct adapt_gen *g, uint32_t i)
{
	return i < g->ndone ? &g->helpers[i].fn : NULL;
}

size_t
adapt_gen_helper_code_size(const struct adapt_gen *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->ndone; i++)
		n += g->helpers[i].fn.code_size;
	return n;
}

/* ---- a root boundary function --------------------------------------- */

/* The parameters where they are: in memory or in their locals. */
static void
bound_params(struct ag_fn *x, const struct abi_core_func *cf,
	     const struct adapt_gen_side *side)
{
	const struct adapt_gen_boundary *b = x->g->bound;
	uint32_t n = b->ft->nparams;
	if (cf->params_in_memory) {
		uint32_t align, size;
		struct ag_field *fs = arena_alloc_array(x->g->a, n, sizeof *fs);
		if (!fs) {
			ag_fail(x, MELD_ENOMEM);
			return;
		}
		layout_of(b->ft, fs, &align, &size);
		ag_check_align(x, 0, align);
		ag_check_bounds_const(x, side->memidx, 0, size);
		struct ag_mem c = {side, side, b->outer_instance, b->instance};
		struct ag_addr at = {side->memidx, 0, 0};
		ag_mem_fields(x, &c, fs, n, at, at);
		return;
	}
	uint32_t in[VTYPE_FLAT_CAP] = {0}, slot = 0;
	for (uint32_t i = 0; i < cf->params.count; i++)
		in[i] = i;
	struct ag_flat c = {in, in, cf->params.types, side, side,
			    b->outer_instance, b->instance};
	for (uint32_t i = 0; i < n; i++) {
		const struct vtype *t = b->ft->params[i].type;
		ag_flat_value(x, &c, t, slot, true);
		slot += t->info.flat;
	}
}

/* The result in the local raw (a value or the return area's address). */
static void
bound_result(struct ag_fn *x, const struct abi_core_func *cf,
	     const struct adapt_gen_side *side, uint32_t raw)
{
	const struct adapt_gen_boundary *b = x->g->bound;
	const struct vtype *t = b->ft->result;
	uint32_t ret[1] = {raw};
	if (!cf->results_in_memory) {
		struct ag_flat c = {ret, ret, cf->results.types, side, side,
				    b->instance, b->outer_instance};
		ag_flat_value(x, &c, t, 0, true);
		return;
	}
	if (!ag_has_handles(t))
		return;
	ag_check_align(x, raw, abi_alignment(t, ABI_PTR_I32));
	ag_check_bounds_const(x, side->memidx, raw,
			      abi_elem_size(t, ABI_PTR_I32));
	struct ag_mem c = {side, side, b->instance, b->outer_instance};
	struct ag_addr at = {side->memidx, raw, 0};
	ag_mem_value(x, &c, t, at, at);
}

static void
gen_boundary(struct ag_fn *x, const struct abi_core_func *cf)
{
	const struct adapt_gen_boundary *b = x->g->bound;
	struct cgen_func *f = &x->f;
	struct adapt_gen_side side = {b->memidx, false, ADAPT_GEN_NONE,
				      ADAPT_GEN_UTF8, ADAPT_GEN_NONE};
	bool borrows = false;
	for (uint32_t i = 0; i < b->ft->nparams; i++)
		borrows |= (b->ft->params[i].type->info.props &
			    VTYPE_P_BORROW) != 0;
	uint32_t scope = borrows ? cgen_local(f, CGEN_I32) : 0;
	if (borrows) {
		cgen_call(f, rtab_fn_index(x->g->rtab, RTAB_FN_ENTER));
		cgen_local_set(f, scope);
	}
	bound_params(x, cf, &side);
	for (uint32_t i = 0; i < cf->params.count; i++)
		cgen_local_get(f, i);
	cgen_call(f, b->target_funcidx);
	uint32_t raw = 0;
	if (cf->results.count) {
		raw = cgen_local(f, (enum cgen_valtype)cf->results.types[0]);
		cgen_local_set(f, raw);
		bound_result(x, cf, &side, raw);
	}
	if (borrows) {
		cgen_local_get(f, scope);
		cgen_call(f, rtab_fn_index(x->g->rtab, RTAB_FN_LEAVE));
	}
	if (cf->results.count)
		cgen_local_get(f, raw);
}

enum meld_status
adapt_gen_boundary(struct adapt_gen *g, const struct adapt_gen_boundary *b,
		   struct adapt_gen_func *out)
{
	memset(out, 0, sizeof *out);
	struct adapt_gen_site site = {.ft = b->ft, .name = b->name,
				      .input = b->input, .offset = b->offset};
	struct abi_sig_opts so = {ABI_PTR_I32, false, false};
	struct abi_core_func cf;
	abi_flatten_functype(b->ft, &so, ABI_LIFT, &cf);
	g->site = &site;
	g->bound = b;
	out->name = b->name;
	out->funcidx = ADAPT_GEN_NONE;
	out->type.nparams = cf.params.count;
	out->type.nresults = cf.results.count;
	out->type.params = flat_codes(g->a, &cf.params);
	out->type.results = flat_codes(g->a, &cf.results);
	enum meld_status st = MELD_ENOMEM;
	if (out->type.params && out->type.results && g->rtab) {
		struct ag_fn x;
		ag_fn_init(&x, g, cf.params.count, false);
		x.in_place = true;
		gen_boundary(&x, &cf);
		st = finish_fn(&x, out);
		ag_fn_clear(&x);
		if (st == MELD_OK)
			st = drain_helpers(g);
	}
	if (st != MELD_OK)
		st = fail_status(g, st);
	g->site = NULL;
	g->bound = NULL;
	return st;
}
