/*
 * adapt_gen_value: moving one value from the caller's side to the
 * callee's (or back), lifting and lowering fused (CanonicalABI.md
 * "Loading", "Storing", "Flat Lifting", "Flat Lowering").
 *
 * Both sides use i32 pointers, so a type has the same flattening and the
 * same layout on both: a value travels flat to flat (parameters and
 * results within MAX_FLAT_PARAMS / MAX_FLAT_RESULTS) or memory to memory
 * (parameter and return areas, list elements), never flat to memory.
 * What differs is the memory, the realloc and the string encoding, and
 * every check lifting makes happens on the way: bool normalised, char
 * checked, discriminants checked, flags masked to their labels.
 *
 * Data that needs no check and has no padding (integers, floats unless
 * NaNs are canonicalised, flags using every bit, records and fixed-length
 * lists of those) is copied as bytes: memory.copy for whole lists.
 * Strings and lists call helpers (one per element type and pair of
 * sides), so an adapter's size follows its type without the lists in it.
 * Handles (own, borrow) call the tables' functions (rtab.h) of the two
 * sides' component instances.
 */
#include <string.h>

#include "adapt_gen_impl.h"
#include "rtab.h"

/* ---- types ---------------------------------------------------------- */

bool
ag_has_handles(const struct vtype *t)
{
	return t && (t->info.props & (VTYPE_P_OWN | VTYPE_P_BORROW));
}

const struct vtype *
ag_unsupported_part(const struct vtype *t, bool handles)
{
	uint32_t bad = VTYPE_P_ASYNC | VTYPE_P_ERRCTX;
	if (!handles)
		bad |= VTYPE_P_OWN | VTYPE_P_BORROW;
	if (!t || !(t->info.props & bad))
		return NULL;
	switch (t->kind) {
	case VTYPE_OWN:
	case VTYPE_BORROW:
		return handles ? NULL : t;
	case VTYPE_STREAM:
	case VTYPE_FUTURE:
	case VTYPE_ERROR_CONTEXT:
		return t;
	default:
		break;
	}
	if (t->types)
		for (uint32_t i = 0; i < t->count; i++) {
			const struct vtype *u =
				ag_unsupported_part(t->types[i], handles);
			if (u)
				return u;
		}
	return t->kind == VTYPE_MAP ? NULL
				    : ag_unsupported_part(t->elem, handles);
}

static enum abi_core
prim_core(enum vtype_kind k)
{
	switch (k) {
	case VTYPE_S64:
	case VTYPE_U64: return ABI_I64;
	case VTYPE_F32: return ABI_F32;
	case VTYPE_F64: return ABI_F64;
	default: return ABI_I32;
	}
}

static uint32_t
flags_mask(const struct vtype *t)
{
	return t->count >= 32 ? UINT32_MAX : (1u << t->count) - 1;
}

/*
 * Bytes that mean themselves: a copy is the lift and the lower, and the
 * type has no padding the spec would leave unwritten.
 */
static bool
is_bulk(const struct vtype *t, bool canon_nans)
{
	switch (abi_despecialize(t)) {
	case VTYPE_U8:
	case VTYPE_S8:
	case VTYPE_U16:
	case VTYPE_S16:
	case VTYPE_U32:
	case VTYPE_S32:
	case VTYPE_U64:
	case VTYPE_S64:
		return true;
	case VTYPE_F32:
	case VTYPE_F64:
		return !canon_nans;
	case VTYPE_FLAGS:
		return t->count == 8 * abi_elem_size(t, ABI_PTR_I32);
	case VTYPE_FIXED_LIST:
		return is_bulk(t->elem, canon_nans);
	case VTYPE_RECORD: {
		uint32_t sum = 0;
		for (uint32_t i = 0; i < abi_field_count(t); i++) {
			const struct vtype *fl = abi_field(t, i);
			if (!is_bulk(fl, canon_nans))
				return false;
			sum += abi_elem_size(fl, ABI_PTR_I32);
		}
		return sum == abi_elem_size(t, ABI_PTR_I32);
	}
	default:
		return false;
	}
}

/* ---- scalar conversions on the stack -------------------------------- */

/* CoerceValueIter.next: from the passed type to the wanted one. */
static void
coerce_in(struct cgen_func *f, enum abi_core have, enum abi_core want)
{
	if (have == want)
		return;
	if (have == ABI_I64 && want != ABI_F64)
		cgen_i32_wrap_i64(f);
	if (want == ABI_F32)
		cgen_f32_reinterpret_i32(f);
	else if (want == ABI_F64)
		cgen_f64_reinterpret_i64(f);
}

/* lower_flat_variant's coercions: from the value's type to the passed. */
static void
coerce_out(struct cgen_func *f, enum abi_core want, enum abi_core have)
{
	if (have == want)
		return;
	if (want == ABI_F32)
		cgen_i32_reinterpret_f32(f);
	else if (want == ABI_F64)
		cgen_i64_reinterpret_f64(f);
	if (have == ABI_I64 && want != ABI_F64)
		cgen_i64_extend_i32_u(f);
}

static void
zero(struct cgen_func *f, enum abi_core t)
{
	switch (t) {
	case ABI_I64: cgen_i64_const(f, 0); break;
	case ABI_F32: cgen_f32_const(f, 0); break;
	case ABI_F64: cgen_f64_const(f, 0); break;
	default: cgen_i32_const(f, 0); break;
	}
}

/* convert_i32_to_char on the i32 on the stack. */
static void
check_char(struct ag_fn *x)
{
	struct cgen_func *f = &x->f;
	uint32_t s = ag_tmp(x, ABI_I32);
	cgen_local_tee(f, s);
	cgen_i32_const(f, 0x110000);
	cgen_i32_ge_u(f);
	cgen_local_get(f, s);
	cgen_i32_const(f, 0xd800);
	cgen_i32_sub(f);
	cgen_i32_const(f, 0x800);
	cgen_i32_lt_u(f);
	cgen_i32_or(f);
	ag_trap_if(x);
	cgen_local_get(f, s);
}

/* canonicalize_nan32/64: x == x ? x : NaN */
static void
canon_nan(struct ag_fn *x, enum abi_core t)
{
	struct cgen_func *f = &x->f;
	uint32_t s = ag_tmp(x, t);
	cgen_local_tee(f, s);
	if (t == ABI_F32)
		cgen_f32_const(f, 0x7fc00000u);
	else
		cgen_f64_const(f, 0x7ff8000000000000u);
	cgen_local_get(f, s);
	cgen_local_get(f, s);
	if (t == ABI_F32)
		cgen_f32_eq(f);
	else
		cgen_f64_eq(f);
	cgen_select(f);
}

/*
 * lift_flat then lower_flat of a scalar held in its own flat type.
 * `mask`: a flags word's label bits.  False: it converts to itself.
 */
static bool
scalar_ops(struct ag_fn *x, enum vtype_kind k, uint32_t mask, bool emit)
{
	struct cgen_func *f = &x->f;
	switch (k) {
	case VTYPE_BOOL:
		if (emit) {
			cgen_i32_const(f, 0);
			cgen_i32_ne(f);
		}
		return true;
	case VTYPE_U8:
	case VTYPE_U16:
		if (emit) {
			cgen_i32_const(f, k == VTYPE_U8 ? 0xff : 0xffff);
			cgen_i32_and(f);
		}
		return true;
	case VTYPE_S8:
		if (emit)
			cgen_i32_extend8_s(f);
		return true;
	case VTYPE_S16:
		if (emit)
			cgen_i32_extend16_s(f);
		return true;
	case VTYPE_CHAR:
		if (emit)
			check_char(x);
		return true;
	case VTYPE_F32:
	case VTYPE_F64:
		if (!x->canon_nans)
			return false;
		if (emit)
			canon_nan(x, prim_core(k));
		return true;
	case VTYPE_FLAGS:
		if (mask == UINT32_MAX)
			return false;
		if (emit) {
			cgen_i32_const(f, (int32_t)mask);
			cgen_i32_and(f);
		}
		return true;
	default:
		return false;
	}
}

/* ---- keys of the helpers a value needs ------------------------------ */

static uint32_t
string_helper(struct ag_fn *x, const struct adapt_gen_side *src,
	      const struct adapt_gen_side *dst)
{
	struct ag_key k;
	memset(&k, 0, sizeof k);
	k.kind = AG_STRING;
	k.src_mem = src->memidx;
	k.src_enc = src->encoding;
	k.dst = *dst;
	k.dst.memory64 = false;
	return ag_helper(x, &k);
}

/* The tables only matter to lists of handles: others are shared. */
static uint32_t
list_helper(struct ag_fn *x, const struct adapt_gen_side *src,
	    const struct adapt_gen_side *dst, uint32_t src_inst,
	    uint32_t dst_inst, const struct vtype *elem)
{
	struct ag_key k;
	memset(&k, 0, sizeof k);
	k.kind = AG_LIST;
	k.src_mem = src->memidx;
	k.src_enc = src->encoding;
	k.dst = *dst;
	k.dst.memory64 = false;
	k.elem = elem;
	k.canon_nans = x->canon_nans;
	k.in_place = x->in_place;
	if (ag_has_handles(elem)) {
		k.src_inst = src_inst;
		k.dst_inst = dst_inst;
	}
	return ag_helper(x, &k);
}

/* ---- handles (lift_own/lift_borrow, then lower_own/lower_borrow) ---- */

static void
rtab_call(struct ag_fn *x, enum rtab_fn fn, uint32_t inst, uint32_t tid)
{
	cgen_i32_const(&x->f, (int32_t)inst);
	cgen_i32_const(&x->f, (int32_t)tid);
	cgen_call(&x->f, rtab_fn_index(x->g->rtab, fn));
}

/* The definer outside's built-ins for res (a boundary's). */
static const struct adapt_gen_outer *
outer_of(struct ag_fn *x, const struct vtype_resource *res)
{
	const struct adapt_gen_boundary *b = x->g->bound;
	for (size_t i = 0; b && i < b->nouter; i++)
		if (b->outer[i].res == res)
			return &b->outer[i];
	ag_fail(x, MELD_EINVALID);
	return NULL;
}

/*
 * A boundary's handle of the definer outside: an own one comes in by
 * resource.rep and .drop (the keep word set, so the definer's [dtor]
 * keeps the resource) and goes out by resource.new; a borrow comes in
 * as the rep, lent on as a borrow handle outside its defining instance.
 */
static void
handle_outer(struct ag_fn *x, const struct vtype *t,
	     const struct rtab_type *rt, uint32_t tid, uint32_t dst_inst)
{
	struct cgen_func *f = &x->f;
	const struct adapt_gen_outer *o = outer_of(x, t->resource);
	if (!o)
		return;
	if (dst_inst == ADAPT_GEN_OUTER) {
		if (t->kind != VTYPE_OWN)
			ag_fail(x, MELD_EINVALID);
		if (rt->rep == 0x7f)
			cgen_i32_wrap_i64(f);
		cgen_call(f, o->new_funcidx);
		return;
	}
	if (t->kind == VTYPE_BORROW) {
		if (rt->instance == dst_inst)
			return;
		if (rt->rep == 0x7f)
			cgen_i64_extend_i32_u(f);
		rtab_call(x, RTAB_FN_LOWER_BORROW, dst_inst, tid);
		return;
	}
	uint32_t mark[4];
	ag_tmp_mark(x, mark);
	uint32_t h = ag_tmp(x, ABI_I32);
	uint32_t rep = ag_tmp(x, rt->rep == 0x7f ? ABI_I32
							   : ABI_I64);
	cgen_local_tee(f, h);
	cgen_call(f, o->rep_funcidx);
	cgen_local_set(f, rep);
	if (rt->dtor_funcidx != RTAB_NONE) {
		cgen_i32_const(f, 0);
		cgen_i32_const(f, 1);
		cgen_i32_store(f, rtab_memidx(x->g->rtab), 2, RTAB_HDR_KEEP);
	}
	cgen_local_get(f, h);
	cgen_call(f, o->drop_funcidx);
	cgen_local_get(f, rep);
	if (rt->rep == 0x7f)
		cgen_i64_extend_i32_u(f);
	rtab_call(x, RTAB_FN_LOWER_OWN, dst_inst, tid);
	ag_tmp_release(x, mark);
}

/*
 * The handle on the stack, from the source instance's table, becomes the
 * destination's: own moves; borrow is lent, then lowered as the rep into
 * the defining instance, elsewhere as a borrow handle of the open scope.
 * Host handles pass through; a host borrow is recorded for the callee.
 */
static void
handle_ops(struct ag_fn *x, const struct vtype *t, uint32_t src_inst,
	   uint32_t dst_inst)
{
	uint32_t tid = 0;
	const struct rtab_type *rt =
		x->g->rtab ? rtab_find(x->g->rtab, t->resource, &tid) : NULL;
	if (!rt) {
		ag_fail(x, MELD_EINVALID);
		return;
	}
	bool host = rt->instance == RTAB_NONE;
	if (!host && dst_inst == ADAPT_GEN_OUTER) {
		rtab_call(x, RTAB_FN_LIFT_OWN, src_inst, tid);
		handle_outer(x, t, rt, tid, dst_inst);
		return;
	}
	if (!host && src_inst == ADAPT_GEN_OUTER) {
		handle_outer(x, t, rt, tid, dst_inst);
		return;
	}
	if (t->kind == VTYPE_OWN) {
		if (host)
			return;
		rtab_call(x, RTAB_FN_LIFT_OWN, src_inst, tid);
		rtab_call(x, RTAB_FN_LOWER_OWN, dst_inst, tid);
		return;
	}
	if (host) {
		rtab_call(x, RTAB_FN_HOST_BORROW, dst_inst, tid);
		return;
	}
	rtab_call(x, RTAB_FN_LIFT_BORROW, src_inst, tid);
	if (rt->instance == dst_inst)
		cgen_i32_wrap_i64(&x->f);
	else
		rtab_call(x, RTAB_FN_LOWER_BORROW, dst_inst, tid);
}

/* ---- flat to flat --------------------------------------------------- */

static void
flat_leaf(struct ag_fn *x, struct ag_flat *c, enum vtype_kind k,
	  uint32_t mask, uint32_t slot, bool inside)
{
	struct cgen_func *f = &x->f;
	enum abi_core have = c->have[slot];
	enum abi_core want = k == VTYPE_FLAGS ? ABI_I32 : prim_core(k);
	bool changes = scalar_ops(x, k, mask, false);
	if (!inside) {
		if (!changes) {
			c->out[slot] = c->in[slot];
			return;
		}
		c->out[slot] = cgen_local(f, (enum cgen_valtype)have);
	}
	cgen_local_get(f, c->in[slot]);
	/* an unchanged float is only bits: move it as an integer */
	if (!changes && have != want)
		want = want == ABI_F32 ? ABI_I32
		       : want == ABI_F64 ? ABI_I64
					 : want;
	coerce_in(f, have, want);
	scalar_ops(x, k, mask, true);
	coerce_out(f, want, have);
	cgen_local_set(f, c->out[slot]);
}

/* Push slot `slot` as an i32 (a pointer or length). */
static void
flat_get_i32(struct ag_fn *x, struct ag_flat *c, uint32_t slot)
{
	cgen_local_get(&x->f, c->in[slot]);
	coerce_in(&x->f, c->have[slot], ABI_I32);
}

static void
flat_set_i32(struct ag_fn *x, struct ag_flat *c, uint32_t slot)
{
	coerce_out(&x->f, ABI_I32, c->have[slot]);
	cgen_local_set(&x->f, c->out[slot]);
}

/* lift_flat_string, then lower_flat_string. */
static void
flat_string(struct ag_fn *x, struct ag_flat *c, uint32_t slot, bool inside)
{
	if (!inside) {
		c->out[slot] = cgen_local(&x->f, CGEN_I32);
		c->out[slot + 1] = cgen_local(&x->f, CGEN_I32);
	}
	flat_get_i32(x, c, slot);
	flat_get_i32(x, c, slot + 1);
	cgen_call(&x->f, string_helper(x, c->src, c->dst));
	flat_set_i32(x, c, slot + 1);
	flat_set_i32(x, c, slot);
}

/* lift_flat_list, then lower_flat_list: the length is kept. */
static void
flat_list(struct ag_fn *x, struct ag_flat *c, const struct vtype *t,
	  uint32_t slot, bool inside)
{
	struct cgen_func *f = &x->f;
	if (!inside) {
		c->out[slot] = cgen_local(f, CGEN_I32);
		c->out[slot + 1] = c->in[slot + 1];
	}
	flat_get_i32(x, c, slot);
	flat_get_i32(x, c, slot + 1);
	cgen_call(f, list_helper(x, c->src, c->dst, c->src_inst, c->dst_inst,
				 abi_list_elem(t)));
	flat_set_i32(x, c, slot);
	if (inside) {
		cgen_local_get(f, c->in[slot + 1]);
		cgen_local_set(f, c->out[slot + 1]);
	}
}

/* A handle in a flat value (an i64 slot inside a variant, too). */
static void
flat_handle(struct ag_fn *x, struct ag_flat *c, const struct vtype *t,
	    uint32_t slot, bool inside)
{
	if (!inside)
		c->out[slot] = cgen_local(&x->f, CGEN_I32);
	flat_get_i32(x, c, slot);
	handle_ops(x, t, c->src_inst, c->dst_inst);
	flat_set_i32(x, c, slot);
}

/* The cases after the discriminant check: one block per case. */
static void
flat_cases(struct ag_fn *x, struct ag_flat *c, const struct vtype *t,
	   uint32_t slot, uint32_t d)
{
	struct cgen_func *f = &x->f;
	uint32_t n = abi_case_count(t);
	uint32_t m = t->info.flat - 1; /* payload slots */
	for (uint32_t i = 0; i <= n; i++)
		cgen_block(f, CGEN_VOID);
	cgen_local_get(f, d);
	cgen_br_table_seq(f, n, n - 1); /* d < n was checked */
	for (uint32_t i = 0; i < n; i++) {
		cgen_end(f);
		const struct vtype *p = abi_case(t, i);
		uint32_t k = 0;
		if (p) {
			ag_flat_value(x, c, p, slot + 1, true);
			k = p->info.flat;
		}
		for (uint32_t s = slot + 1 + k; s <= slot + m; s++) {
			zero(f, c->have[s]); /* lower_flat_variant pads */
			cgen_local_set(f, c->out[s]);
		}
		if (i + 1 < n)
			cgen_br(f, n - 1 - i);
	}
	cgen_end(f);
}

/* lift_flat_variant, then lower_flat_variant. */
static void
flat_variant(struct ag_fn *x, struct ag_flat *c, const struct vtype *t,
	     uint32_t slot, bool inside)
{
	struct cgen_func *f = &x->f;
	uint32_t n = abi_case_count(t);
	if (!inside)
		for (uint32_t s = slot; s < slot + t->info.flat; s++)
			c->out[s] = cgen_local(f, (enum cgen_valtype)c->have[s]);
	uint32_t mark[4];
	ag_tmp_mark(x, mark);
	uint32_t d = ag_tmp(x, ABI_I32);
	flat_get_i32(x, c, slot);
	cgen_local_tee(f, d);
	cgen_i32_const(f, (int32_t)n);
	cgen_i32_ge_u(f); /* trap_if(case_index >= len(cases)) */
	ag_trap_if(x);
	cgen_local_get(f, d);
	flat_set_i32(x, c, slot);
	if (t->info.flat > 1)
		flat_cases(x, c, t, slot, d);
	ag_tmp_release(x, mark);
}

void
ag_flat_value(struct ag_fn *x, struct ag_flat *c, const struct vtype *t,
	      uint32_t slot, bool inside)
{
	if (x->in_place && !ag_has_handles(t))
		return;
	switch (abi_despecialize(t)) {
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++) {
			const struct vtype *fl = abi_field(t, i);
			ag_flat_value(x, c, fl, slot, inside);
			slot += fl->info.flat;
		}
		break;
	case VTYPE_FIXED_LIST:
		for (uint32_t i = 0; i < t->length; i++) {
			ag_flat_value(x, c, t->elem, slot, inside);
			slot += t->elem->info.flat;
		}
		break;
	case VTYPE_VARIANT:
		flat_variant(x, c, t, slot, inside);
		break;
	case VTYPE_FLAGS:
		flat_leaf(x, c, VTYPE_FLAGS, flags_mask(t), slot, inside);
		break;
	case VTYPE_STRING:
		flat_string(x, c, slot, inside);
		break;
	case VTYPE_LIST:
		flat_list(x, c, t, slot, inside);
		break;
	case VTYPE_OWN:
	case VTYPE_BORROW:
		flat_handle(x, c, t, slot, inside);
		break;
	default:
		if (vtype_is_prim(t->kind))
			flat_leaf(x, c, t->kind, UINT32_MAX, slot, inside);
		else
			ag_fail(x, MELD_EUNSUPPORTED);
		break;
	}
}

/* ---- memory to memory ----------------------------------------------- */

static unsigned
log2_u32(uint32_t v)
{
	unsigned l = 0;
	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

/* Load `size` bytes (1, 2, 4, 8) as an integer; align: of the type. */
static void
load_int(struct ag_fn *x, uint32_t size, bool sign, struct ag_addr a,
	 uint32_t align)
{
	unsigned al = log2_u32(align < size ? align : size);
	ag_push_base(x, a);
	switch (size) {
	case 1:
		if (sign)
			cgen_i32_load8_s(&x->f, a.mem, 0, a.off);
		else
			cgen_i32_load8_u(&x->f, a.mem, 0, a.off);
		break;
	case 2:
		if (sign)
			cgen_i32_load16_s(&x->f, a.mem, al, a.off);
		else
			cgen_i32_load16_u(&x->f, a.mem, al, a.off);
		break;
	case 4:
		cgen_i32_load(&x->f, a.mem, al, a.off);
		break;
	default:
		cgen_i64_load(&x->f, a.mem, al, a.off);
		break;
	}
}

/* Store the integer on the stack (after the base pushed earlier). */
static void
store_int(struct ag_fn *x, uint32_t size, struct ag_addr a, uint32_t align)
{
	unsigned al = log2_u32(align < size ? align : size);
	switch (size) {
	case 1:
		cgen_i32_store8(&x->f, a.mem, 0, a.off);
		break;
	case 2:
		cgen_i32_store16(&x->f, a.mem, al, a.off);
		break;
	case 4:
		cgen_i32_store(&x->f, a.mem, al, a.off);
		break;
	default:
		cgen_i64_store(&x->f, a.mem, al, a.off);
		break;
	}
}

static void
copy_bytes(struct ag_fn *x, struct ag_addr src, struct ag_addr dst,
	   uint32_t size, uint32_t align)
{
	if (size == 1 || size == 2 || size == 4 || size == 8) {
		ag_push_base(x, dst);
		load_int(x, size, false, src, align);
		store_int(x, size, dst, align);
		return;
	}
	ag_push_addr(x, dst);
	ag_push_addr(x, src);
	cgen_i32_const(&x->f, (int32_t)size);
	cgen_memory_copy(&x->f, dst.mem, src.mem);
}

/* A scalar that needs a check or a normalisation. */
static void
mem_scalar(struct ag_fn *x, enum vtype_kind k, struct ag_addr src,
	   struct ag_addr dst)
{
	struct cgen_func *f = &x->f;
	ag_push_base(x, dst);
	switch (k) {
	case VTYPE_BOOL:
		load_int(x, 1, false, src, 1);
		cgen_i32_const(f, 0);
		cgen_i32_ne(f);
		store_int(x, 1, dst, 1);
		break;
	case VTYPE_CHAR:
		load_int(x, 4, false, src, 4);
		check_char(x);
		store_int(x, 4, dst, 4);
		break;
	case VTYPE_F32:
		ag_push_base(x, src);
		cgen_f32_load(f, src.mem, 2, src.off);
		scalar_ops(x, k, UINT32_MAX, true);
		cgen_f32_store(f, dst.mem, 2, dst.off);
		break;
	case VTYPE_F64:
		ag_push_base(x, src);
		cgen_f64_load(f, src.mem, 3, src.off);
		scalar_ops(x, k, UINT32_MAX, true);
		cgen_f64_store(f, dst.mem, 3, dst.off);
		break;
	default: /* integers are bulk; nothing else reaches here */
		ag_fail(x, MELD_EUNSUPPORTED);
		cgen_drop(f);
		break;
	}
}

/* load_int, lift, lower, store_int of one handle. */
static void
mem_handle(struct ag_fn *x, const struct ag_mem *c, const struct vtype *t,
	   struct ag_addr src, struct ag_addr dst)
{
	ag_push_base(x, dst);
	load_int(x, 4, false, src, 4);
	handle_ops(x, t, c->src_inst, c->dst_inst);
	store_int(x, 4, dst, 4);
}

/* load_flags, store_flags: the label bits only. */
static void
mem_flags(struct ag_fn *x, const struct vtype *t, struct ag_addr src,
	  struct ag_addr dst)
{
	uint32_t size = abi_elem_size(t, ABI_PTR_I32);
	ag_push_base(x, dst);
	load_int(x, size, false, src, size);
	cgen_i32_const(&x->f, (int32_t)flags_mask(t));
	cgen_i32_and(&x->f);
	store_int(x, size, dst, size);
}

/*
 * A (ptr, length) pair at off, off + 4, moved by helper `fn`: a string
 * helper takes (ptr, units) and returns (ptr, units) in the destination
 * encoding; a list helper takes (ptr, length) and returns the new ptr,
 * the length staying as it is (`same_len`).
 */
static void
mem_ptr_len(struct ag_fn *x, struct ag_addr src, struct ag_addr dst,
	    uint32_t fn, bool same_len)
{
	struct cgen_func *f = &x->f;
	uint32_t mark[4];
	ag_tmp_mark(x, mark);
	uint32_t len = ag_tmp(x, ABI_I32);
	ag_push_base(x, dst);
	load_int(x, 4, false, src, 4);
	struct ag_addr s4 = src;
	s4.off += 4;
	load_int(x, 4, false, s4, 4);
	if (same_len)
		cgen_local_tee(f, len);
	cgen_call(f, fn);
	if (!same_len)
		cgen_local_set(f, len);
	store_int(x, 4, dst, 4);
	struct ag_addr d4 = dst;
	d4.off += 4;
	ag_push_base(x, d4);
	cgen_local_get(f, len);
	store_int(x, 4, d4, 4);
	ag_tmp_release(x, mark);
}

/* load_string, then store_string. */
static void
mem_string(struct ag_fn *x, const struct ag_mem *c, struct ag_addr src,
	   struct ag_addr dst)
{
	mem_ptr_len(x, src, dst, string_helper(x, c->src, c->dst), false);
}

/* load_list, then store_list. */
static void
mem_list(struct ag_fn *x, const struct ag_mem *c, const struct vtype *t,
	 struct ag_addr src, struct ag_addr dst)
{
	mem_ptr_len(x, src, dst,
		    list_helper(x, c->src, c->dst, c->src_inst, c->dst_inst,
				abi_list_elem(t)),
		    true);
}

/* load_variant, then store_variant, one block per case. */
static void
mem_variant(struct ag_fn *x, const struct ag_mem *c, const struct vtype *t,
	    struct ag_addr src, struct ag_addr dst)
{
	struct cgen_func *f = &x->f;
	uint32_t n = abi_case_count(t);
	uint32_t dsize = abi_discriminant_size(n);
	uint32_t mark[4];
	ag_tmp_mark(x, mark);
	uint32_t d = ag_tmp(x, ABI_I32);
	load_int(x, dsize, false, src, dsize);
	cgen_local_tee(f, d);
	cgen_i32_const(f, (int32_t)n);
	cgen_i32_ge_u(f); /* trap_if(case_index >= len(cases)) */
	ag_trap_if(x);
	ag_push_base(x, dst);
	cgen_local_get(f, d);
	store_int(x, dsize, dst, dsize);
	bool payloads = false;
	for (uint32_t i = 0; i < n; i++)
		payloads = payloads || abi_case(t, i);
	if (payloads) {
		uint32_t po = abi_payload_offset(t, ABI_PTR_I32);
		struct ag_addr sp = src, dp = dst;
		sp.off += po;
		dp.off += po;
		for (uint32_t i = 0; i <= n; i++)
			cgen_block(f, CGEN_VOID);
		cgen_local_get(f, d);
		cgen_br_table_seq(f, n, n - 1);
		for (uint32_t i = 0; i < n; i++) {
			cgen_end(f);
			if (abi_case(t, i))
				ag_mem_value(x, c, abi_case(t, i), sp, dp);
			if (i + 1 < n)
				cgen_br(f, n - 1 - i);
		}
		cgen_end(f);
	}
	ag_tmp_release(x, mark);
}

/* A fixed-length list: short ones unrolled, long ones in a loop. */
static void
mem_fixed_list(struct ag_fn *x, const struct ag_mem *c, const struct vtype *t,
	       struct ag_addr src, struct ag_addr dst)
{
	struct cgen_func *f = &x->f;
	uint32_t es = abi_elem_size(t->elem, ABI_PTR_I32);
	if (t->length <= 4) {
		for (uint32_t i = 0; i < t->length; i++) {
			ag_mem_value(x, c, t->elem, src, dst);
			src.off += es;
			dst.off += es;
		}
		return;
	}
	uint32_t mark[4];
	ag_tmp_mark(x, mark);
	uint32_t sp = ag_tmp(x, ABI_I32), dp = ag_tmp(x, ABI_I32);
	uint32_t n = ag_tmp(x, ABI_I32);
	ag_push_addr(x, src);
	cgen_local_set(f, sp);
	ag_push_addr(x, dst);
	cgen_local_set(f, dp);
	cgen_i32_const(f, (int32_t)t->length);
	cgen_local_set(f, n);
	cgen_loop(f, CGEN_VOID);
	struct ag_addr s0 = {src.mem, sp, 0}, d0 = {dst.mem, dp, 0};
	ag_mem_value(x, c, t->elem, s0, d0);
	ag_add_const(x, sp, (int32_t)es);
	ag_add_const(x, dp, (int32_t)es);
	ag_add_const(x, n, -1);
	cgen_local_get(f, n);
	cgen_br_if(f, 0);
	cgen_end(f);
	ag_tmp_release(x, mark);
}

void
ag_mem_fields(struct ag_fn *x, const struct ag_mem *c,
	      const struct ag_field *fs, uint32_t n, struct ag_addr src,
	      struct ag_addr dst)
{
	for (uint32_t i = 0; i < n;) {
		struct ag_addr s = src, d = dst;
		s.off += fs[i].off;
		d.off += fs[i].off;
		if (!is_bulk(fs[i].t, x->canon_nans)) {
			ag_mem_value(x, c, fs[i].t, s, d);
			i++;
			continue;
		}
		/* a run of plain fields with no gap between them: one copy */
		uint32_t end = fs[i].off + abi_elem_size(fs[i].t, ABI_PTR_I32);
		uint32_t j = i + 1;
		while (j < n && fs[j].off == end &&
		       is_bulk(fs[j].t, x->canon_nans)) {
			end += abi_elem_size(fs[j].t, ABI_PTR_I32);
			j++;
		}
		uint32_t align = abi_alignment(fs[i].t, ABI_PTR_I32);
		copy_bytes(x, s, d, end - fs[i].off, align);
		i = j;
	}
}

/* A record or tuple: its fields, in runs. */
static void
mem_record(struct ag_fn *x, const struct ag_mem *c, const struct vtype *t,
	   struct ag_addr src, struct ag_addr dst)
{
	uint32_t n = abi_field_count(t);
	struct ag_field *fs = arena_alloc_array(x->g->a, n, sizeof *fs);
	if (!fs) {
		ag_fail(x, MELD_ENOMEM);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		fs[i].t = abi_field(t, i);
		fs[i].off = abi_field_offset(t, i, ABI_PTR_I32);
	}
	ag_mem_fields(x, c, fs, n, src, dst);
}

void
ag_mem_value(struct ag_fn *x, const struct ag_mem *c, const struct vtype *t,
	     struct ag_addr src, struct ag_addr dst)
{
	if (x->in_place && !ag_has_handles(t))
		return;
	if (is_bulk(t, x->canon_nans)) {
		copy_bytes(x, src, dst, abi_elem_size(t, ABI_PTR_I32),
			   abi_alignment(t, ABI_PTR_I32));
		return;
	}
	switch (abi_despecialize(t)) {
	case VTYPE_RECORD:
		mem_record(x, c, t, src, dst);
		break;
	case VTYPE_FIXED_LIST:
		mem_fixed_list(x, c, t, src, dst);
		break;
	case VTYPE_VARIANT:
		mem_variant(x, c, t, src, dst);
		break;
	case VTYPE_FLAGS:
		mem_flags(x, t, src, dst);
		break;
	case VTYPE_STRING:
		mem_string(x, c, src, dst);
		break;
	case VTYPE_LIST:
		mem_list(x, c, t, src, dst);
		break;
	case VTYPE_OWN:
	case VTYPE_BORROW:
		mem_handle(x, c, t, src, dst);
		break;
	default:
		if (vtype_is_prim(t->kind))
			mem_scalar(x, t->kind, src, dst);
		else
			ag_fail(x, MELD_EUNSUPPORTED);
		break;
	}
}

/* ---- the list helper ------------------------------------------------ */

/* A boundary's list (checked): its elements' handles where they are. */
static void
list_in_place(struct ag_fn *x, const struct ag_key *k)
{
	struct cgen_func *f = &x->f;
	const struct vtype *e = k->elem;
	uint32_t size = abi_elem_size(e, ABI_PTR_I32);
	uint32_t p = cgen_local(f, CGEN_I32);
	struct ag_mem c = {&k->dst, &k->dst, k->src_inst, k->dst_inst};
	struct ag_addr at = {k->src_mem, p, 0};
	cgen_local_get(f, 0);
	cgen_local_set(f, p);
	cgen_block(f, CGEN_VOID);
	cgen_local_get(f, 1);
	cgen_i32_eqz(f);
	cgen_br_if(f, 0);
	cgen_loop(f, CGEN_VOID);
	ag_mem_value(x, &c, e, at, at);
	ag_add_const(x, p, (int32_t)size);
	ag_add_const(x, 1, -1);
	cgen_local_get(f, 1);
	cgen_br_if(f, 0);
	cgen_end(f);
	cgen_end(f);
	cgen_local_get(f, 0);
}

/*
 * (ptr, length) -> new ptr: load_list_from_range's checks in the source
 * memory, store_list_into_range's allocation in the destination, then
 * the elements: one memory.copy when they are plain bytes, else a loop.
 */
void
ag_gen_list(struct ag_fn *x, const struct ag_key *k)
{
	struct cgen_func *f = &x->f;
	const struct vtype *e = k->elem;
	uint32_t size = abi_elem_size(e, ABI_PTR_I32);
	uint32_t align = abi_alignment(e, ABI_PTR_I32);
	struct adapt_gen_side src = {k->src_mem, false, ADAPT_GEN_NONE,
				     k->src_enc, ADAPT_GEN_NONE};
	uint32_t bytes = cgen_local(f, CGEN_I32), d = cgen_local(f, CGEN_I32);
	cgen_local_get(f, 1);
	cgen_i64_extend_i32_u(f);
	cgen_i64_const(f, size);
	cgen_i64_mul(f);
	cgen_i64_const(f, AG_MAX_BYTE_LENGTH);
	cgen_i64_gt_u(f);
	ag_trap_if(x);
	cgen_local_get(f, 1);
	cgen_i32_const(f, (int32_t)size);
	cgen_i32_mul(f);
	cgen_local_set(f, bytes);
	ag_check_align(x, 0, align);
	ag_check_bounds(x, k->src_mem, 0, bytes);
	if (k->in_place) {
		list_in_place(x, k);
		return;
	}
	cgen_i32_const(f, 0);
	cgen_i32_const(f, 0);
	cgen_i32_const(f, (int32_t)align);
	cgen_local_get(f, bytes);
	cgen_call(f, ag_realloc_helper(x, &k->dst));
	cgen_local_tee(f, d);
	if (is_bulk(e, k->canon_nans)) {
		cgen_local_get(f, 0);
		cgen_local_get(f, bytes);
		cgen_memory_copy(f, k->dst.memidx, k->src_mem);
		cgen_local_get(f, d);
		return;
	}
	/* bytes is free now: the destination cursor */
	cgen_local_set(f, bytes);
	struct ag_mem c = {&src, &k->dst, k->src_inst, k->dst_inst};
	struct ag_addr s0 = {k->src_mem, 0, 0}, d0 = {k->dst.memidx, bytes, 0};
	cgen_block(f, CGEN_VOID);
	cgen_local_get(f, 1);
	cgen_i32_eqz(f);
	cgen_br_if(f, 0);
	cgen_loop(f, CGEN_VOID);
	ag_mem_value(x, &c, e, s0, d0);
	ag_add_const(x, 0, (int32_t)size);
	ag_add_const(x, bytes, (int32_t)size);
	ag_add_const(x, 1, -1);
	cgen_local_get(f, 1);
	cgen_br_if(f, 0);
	cgen_end(f);
	cgen_end(f);
	cgen_local_get(f, d);
}
