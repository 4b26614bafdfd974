/*
 * rtab: the handle tables of the fused module, one per component
 * instance, as core functions over a memory of their own (CanonicalABI.md
 * "Table State", "Resource State", lift_own, lift_borrow, lower_own,
 * lower_borrow, "canon resource.new", "canon resource.drop", "canon
 * resource.rep", Task.return_'s num_borrows check, Subtask.add_lender and
 * deliver_resolve).  rtab.h describes the storage and the design.
 *
 * The shared functions take the instance and type as parameters, so the
 * code is generated once whatever the number of instances and types; each
 * canon built-in is a few instructions around them, with its instance,
 * type, flags and destructor as constants.
 */
#include "rtab.h"

#include <stdio.h>
#include <string.h>

#include "cgen.h"

struct rt_inst {
	uint32_t parent;
	uint32_t flags;
};

struct rt_builtin {
	enum rtab_builtin_kind kind;
	uint32_t inst;
	uint32_t tid; /* 0: a function rtab_add_func was given */
	struct adapt_gen_func fn;
};

struct rtab {
	struct arena *a;
	struct diag *d;
	uint32_t first_funcidx;
	uint32_t memidx;
	struct rt_inst *insts;
	size_t ninsts, insts_cap;
	struct rtab_type *types;
	size_t ntypes, types_cap;
	struct rt_builtin *builtins;
	size_t nbuiltins, builtins_cap;
	struct adapt_gen_func fns[RTAB_FN_COUNT];
	bool finished;
};

/* ---- function types ------------------------------------------------- */

#define I32 0x7f
#define I64 0x7e

static const uint8_t t_i[] = {I32}, t_ii[] = {I32, I32};
static const uint8_t t_iii[] = {I32, I32, I32};
static const uint8_t t_iiii[] = {I32, I32, I32, I32};
static const uint8_t t_l[] = {I64}, t_li[] = {I64, I32};
static const uint8_t t_lii[] = {I64, I32, I32};
static const uint8_t t_liii[] = {I64, I32, I32, I32};

/* (Empty lists point somewhere too, so that memcpy of 0 bytes is fine.) */
static const struct {
	const char *name;
	struct adapt_gen_functype type;
} fn_info[RTAB_FN_COUNT] = {
	[RTAB_FN_ALLOC] = {"meld:rtab.alloc", {1, 1, t_i, t_i}},
	[RTAB_FN_PUSH] = {"meld:rtab.push", {4, 1, t_iiii, t_i}},
	[RTAB_FN_GROW] = {"meld:rtab.grow", {1, 0, t_i, t_i}},
	[RTAB_FN_SLOT] = {"meld:rtab.slot", {2, 1, t_ii, t_i}},
	[RTAB_FN_GET] = {"meld:rtab.get", {3, 1, t_iii, t_i}},
	[RTAB_FN_ADD] = {"meld:rtab.add", {4, 1, t_liii, t_i}},
	[RTAB_FN_LIFT_OWN] = {"meld:rtab.lift_own", {3, 1, t_iii, t_l}},
	[RTAB_FN_LIFT_BORROW] = {"meld:rtab.lift_borrow", {3, 1, t_iii, t_l}},
	[RTAB_FN_LOWER_OWN] = {"meld:rtab.lower_own", {3, 1, t_lii, t_i}},
	[RTAB_FN_LOWER_BORROW] = {"meld:rtab.lower_borrow", {3, 1, t_lii, t_i}},
	[RTAB_FN_REP] = {"meld:rtab.rep", {3, 1, t_iii, t_l}},
	[RTAB_FN_DROP] = {"meld:rtab.drop", {3, 2, t_iii, t_li}},
	[RTAB_FN_ENTER] = {"meld:rtab.enter", {0, 1, t_i, t_i}},
	[RTAB_FN_LEAVE] = {"meld:rtab.leave", {1, 0, t_i, t_i}},
	[RTAB_FN_HOST_BORROW] = {"meld:rtab.host_borrow", {3, 1, t_iii, t_i}},
	[RTAB_FN_HOST_DROP] = {"meld:rtab.host_drop", {3, 1, t_iii, t_i}},
};

/* ---- emitting ------------------------------------------------------- */

struct rt {
	struct rtab *r;
	struct cgen_func f;
	uint32_t mem;
};

static void
c32(struct rt *x, uint32_t v)
{
	cgen_i32_const(&x->f, (int32_t)v);
}

static void
get(struct rt *x, uint32_t l)
{
	cgen_local_get(&x->f, l);
}

static void
set(struct rt *x, uint32_t l)
{
	cgen_local_set(&x->f, l);
}

static void
tee(struct rt *x, uint32_t l)
{
	cgen_local_tee(&x->f, l);
}

static void
ld(struct rt *x, uint32_t off)
{
	cgen_i32_load(&x->f, x->mem, 2, off);
}

static void
st(struct rt *x, uint32_t off)
{
	cgen_i32_store(&x->f, x->mem, 2, off);
}

static void
call(struct rt *x, enum rtab_fn fn)
{
	cgen_call(&x->f, x->r->first_funcidx + fn);
}

static void
trap_if(struct rt *x)
{
	cgen_if(&x->f, CGEN_VOID);
	cgen_unreachable(&x->f);
	cgen_end(&x->f);
}

/* A global header word: push its value. */
static void
hdr_get(struct rt *x, uint32_t off)
{
	c32(x, 0);
	ld(x, off);
}

/* Instance header of the instance in local `inst`: push its address - 32. */
static void
inst_hdr(struct rt *x, uint32_t inst)
{
	get(x, inst);
	c32(x, RTAB_INST_SHIFT);
	cgen_i32_shl(&x->f);
}

/* The address of element i (locals) of the instance whose header is h. */
static void
elem_addr(struct rt *x, uint32_t h, uint32_t i)
{
	get(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_ARRAY);
	get(x, i);
	c32(x, RTAB_ELEM_SIZE);
	cgen_i32_mul(&x->f);
	cgen_i32_add(&x->f);
}

/* The address of borrow stack entry k (a local). */
static void
entry_addr(struct rt *x, uint32_t k)
{
	hdr_get(x, RTAB_HDR_STACK_BASE);
	get(x, k);
	c32(x, 4);
	cgen_i32_shl(&x->f);
	cgen_i32_add(&x->f);
}

/* word at `off` of the address in local `a` += delta */
static void
bump(struct rt *x, uint32_t a, uint32_t off, int32_t delta)
{
	get(x, a);
	get(x, a);
	ld(x, off);
	cgen_i32_const(&x->f, delta);
	cgen_i32_add(&x->f);
	st(x, off);
}

/* cap ? cap * 2 : first, into local `out`; traps when bytes would wrap */
static void
double_cap(struct rt *x, uint32_t cap, uint32_t first, uint32_t limit,
	   uint32_t out)
{
	get(x, cap);
	c32(x, limit);
	cgen_i32_ge_u(&x->f);
	trap_if(x);
	get(x, cap);
	c32(x, 1);
	cgen_i32_shl(&x->f);
	c32(x, first);
	get(x, cap);
	cgen_select(&x->f);
	set(x, out);
}

/* Table.remove's bookkeeping for element a (index i, header h). */
static void
free_elem(struct rt *x, uint32_t a, uint32_t i, uint32_t h)
{
	get(x, a);
	c32(x, 0);
	st(x, RTAB_E_TAG);
	get(x, a);
	get(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_FREE);
	st(x, RTAB_E_SCOPE);
	get(x, h);
	get(x, i);
	st(x, RTAB_INST_BASE + RTAB_I_FREE);
}

/* ---- the heap and the borrow stack ---------------------------------- */

static uint32_t
heap_base(const struct rtab *r)
{
	return RTAB_INST_BASE + (uint32_t)r->ninsts * (1u << RTAB_INST_SHIFT);
}

/* bytes -> address: bump allocation, growing the memory as needed */
static void
gen_alloc(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t addr = cgen_local(f, CGEN_I32), end = cgen_local(f, CGEN_I64);
	uint32_t base = heap_base(x->r);
	hdr_get(x, RTAB_HDR_HEAP);
	c32(x, base);
	cgen_i32_add(f);
	tee(x, addr);
	cgen_i64_extend_i32_u(f);
	get(x, 0);
	cgen_i64_extend_i32_u(f);
	cgen_i64_add(f);
	tee(x, end);
	cgen_i64_const(f, 0xffffffffll);
	cgen_i64_gt_u(f);
	trap_if(x);
	/* end - memory bytes, when positive, in pages rounded up */
	get(x, end);
	cgen_memory_size(f, x->mem);
	cgen_i64_extend_i32_u(f);
	cgen_i64_const(f, 16);
	cgen_i64_shl(f);
	cgen_i64_sub(f);
	tee(x, end);
	cgen_i64_const(f, 0);
	cgen_i64_gt_s(f);
	cgen_if(f, CGEN_VOID);
	get(x, end);
	cgen_i64_const(f, 0xffff);
	cgen_i64_add(f);
	cgen_i64_const(f, 16);
	cgen_i64_shr_u(f);
	cgen_i32_wrap_i64(f);
	cgen_memory_grow(f, x->mem);
	c32(x, UINT32_MAX);
	cgen_i32_eq(f);
	trap_if(x);
	cgen_end(f);
	c32(x, 0);
	get(x, addr);
	get(x, 0);
	cgen_i32_add(f);
	c32(x, base);
	cgen_i32_sub(f);
	st(x, RTAB_HDR_HEAP);
	get(x, addr);
}

/* (w0, w1, w2, w3) -> entry index, doubling the stack when full */
static void
gen_push(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t k = cgen_local(f, CGEN_I32), cap = cgen_local(f, CGEN_I32);
	uint32_t ncap = cgen_local(f, CGEN_I32), a = cgen_local(f, CGEN_I32);
	hdr_get(x, RTAB_HDR_STACK_TOP);
	c32(x, 1);
	cgen_i32_add(f);
	tee(x, k);
	hdr_get(x, RTAB_HDR_STACK_CAP);
	tee(x, cap);
	cgen_i32_ge_u(f);
	cgen_if(f, CGEN_VOID);
	double_cap(x, cap, RTAB_FIRST_STACK, 1u << 27, ncap);
	get(x, ncap);
	c32(x, 4);
	cgen_i32_shl(f);
	call(x, RTAB_FN_ALLOC);
	tee(x, a);
	hdr_get(x, RTAB_HDR_STACK_BASE);
	get(x, cap);
	c32(x, 4);
	cgen_i32_shl(f);
	cgen_memory_copy(f, x->mem, x->mem);
	c32(x, 0);
	get(x, a);
	st(x, RTAB_HDR_STACK_BASE);
	c32(x, 0);
	get(x, ncap);
	st(x, RTAB_HDR_STACK_CAP);
	cgen_end(f);
	entry_addr(x, k);
	set(x, a);
	for (uint32_t i = 0; i < 4; i++) {
		get(x, a);
		get(x, i);
		st(x, 4 * i);
	}
	c32(x, 0);
	get(x, k);
	st(x, RTAB_HDR_STACK_TOP);
	get(x, k);
}

/* () -> scope: a new innermost scope entry with no borrows */
static void
gen_enter(struct rt *x)
{
	uint32_t s = cgen_local(&x->f, CGEN_I32);
	c32(x, RTAB_ENTRY_SCOPE);
	hdr_get(x, RTAB_HDR_SCOPE);
	c32(x, 0);
	c32(x, 0);
	call(x, RTAB_FN_PUSH);
	set(x, s);
	c32(x, 0);
	get(x, s);
	st(x, RTAB_HDR_SCOPE);
	get(x, s);
}

/*
 * (scope): Task.return_'s trap_if(num_borrows > 0), then
 * Subtask.deliver_resolve for every handle lent since the scope opened,
 * then close it.
 */
static void
gen_leave(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t k = cgen_local(f, CGEN_I32), e = cgen_local(f, CGEN_I32);
	uint32_t a = cgen_local(f, CGEN_I32);
	get(x, 0);
	cgen_i32_eqz(f);
	trap_if(x);
	entry_addr(x, 0);
	ld(x, 8);
	trap_if(x);
	hdr_get(x, RTAB_HDR_STACK_TOP);
	set(x, k);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	get(x, k);
	get(x, 0);
	cgen_i32_le_u(f);
	cgen_br_if(f, 1);
	entry_addr(x, k);
	tee(x, e);
	ld(x, 0);
	c32(x, RTAB_ENTRY_LEND);
	cgen_i32_eq(f);
	cgen_if(f, CGEN_VOID);
	get(x, e);
	ld(x, 8);
	get(x, e);
	ld(x, 4);
	call(x, RTAB_FN_SLOT);
	set(x, a);
	bump(x, a, RTAB_E_LENDS, -1);
	cgen_end(f);
	get(x, k);
	c32(x, 1);
	cgen_i32_sub(f);
	set(x, k);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
	c32(x, 0);
	entry_addr(x, 0);
	ld(x, 4);
	st(x, RTAB_HDR_SCOPE);
	c32(x, 0);
	get(x, 0);
	c32(x, 1);
	cgen_i32_sub(f);
	st(x, RTAB_HDR_STACK_TOP);
}

/* ---- the tables ----------------------------------------------------- */

/* (inst): replace the array by one twice its size */
static void
gen_grow(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t h = cgen_local(f, CGEN_I32), cap = cgen_local(f, CGEN_I32);
	uint32_t ncap = cgen_local(f, CGEN_I32), a = cgen_local(f, CGEN_I32);
	inst_hdr(x, 0);
	tee(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_CAP);
	set(x, cap);
	double_cap(x, cap, RTAB_FIRST_CAP, 1u << 27, ncap);
	get(x, ncap);
	c32(x, RTAB_ELEM_SIZE);
	cgen_i32_mul(f);
	call(x, RTAB_FN_ALLOC);
	tee(x, a);
	get(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_ARRAY);
	get(x, cap);
	c32(x, RTAB_ELEM_SIZE);
	cgen_i32_mul(f);
	cgen_memory_copy(f, x->mem, x->mem);
	get(x, h);
	get(x, a);
	st(x, RTAB_INST_BASE + RTAB_I_ARRAY);
	get(x, h);
	get(x, ncap);
	st(x, RTAB_INST_BASE + RTAB_I_CAP);
}

/* (i, inst) -> element: Table.get's bounds and hole checks */
static void
gen_slot(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t h = cgen_local(f, CGEN_I32), a = cgen_local(f, CGEN_I32);
	get(x, 0);
	c32(x, 1);
	cgen_i32_sub(f); /* index 0 wraps to the top: out of range too */
	inst_hdr(x, 1);
	tee(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_USED);
	cgen_i32_ge_u(f);
	trap_if(x);
	elem_addr(x, h, 0);
	tee(x, a);
	ld(x, RTAB_E_TAG);
	cgen_i32_eqz(f);
	trap_if(x);
	get(x, a);
}

/* (i, inst, tid) -> element: also trap_if(h.rt is not rt) */
static void
gen_get(struct rt *x)
{
	uint32_t a = cgen_local(&x->f, CGEN_I32);
	get(x, 0);
	get(x, 1);
	call(x, RTAB_FN_SLOT);
	tee(x, a);
	ld(x, RTAB_E_TAG);
	c32(x, 1);
	cgen_i32_shr_u(&x->f);
	get(x, 2);
	cgen_i32_ne(&x->f);
	trap_if(x);
	get(x, a);
}

/* (rep, inst, tag, scope) -> i: Table.add, free list first */
static void
gen_add(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t h = cgen_local(f, CGEN_I32), i = cgen_local(f, CGEN_I32);
	uint32_t a = cgen_local(f, CGEN_I32);
	inst_hdr(x, 1);
	tee(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_FREE);
	tee(x, i);
	cgen_if(f, CGEN_VOID);
	elem_addr(x, h, i);
	set(x, a);
	get(x, h);
	get(x, a);
	ld(x, RTAB_E_SCOPE);
	st(x, RTAB_INST_BASE + RTAB_I_FREE);
	cgen_else(f);
	get(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_USED);
	c32(x, 1);
	cgen_i32_add(f);
	tee(x, i);
	c32(x, RTAB_MAX_LENGTH);
	cgen_i32_gt_u(f);
	trap_if(x);
	get(x, i);
	get(x, h);
	ld(x, RTAB_INST_BASE + RTAB_I_CAP);
	cgen_i32_ge_u(f);
	cgen_if(f, CGEN_VOID);
	get(x, 1);
	call(x, RTAB_FN_GROW);
	cgen_end(f);
	get(x, h);
	get(x, i);
	st(x, RTAB_INST_BASE + RTAB_I_USED);
	elem_addr(x, h, i);
	set(x, a);
	cgen_end(f);
	get(x, a);
	get(x, 0);
	cgen_i64_store(f, x->mem, 3, RTAB_E_REP);
	get(x, a);
	get(x, 2);
	st(x, RTAB_E_TAG);
	get(x, a);
	c32(x, 0);
	st(x, RTAB_E_LENDS);
	get(x, a);
	get(x, 3);
	st(x, RTAB_E_SCOPE);
	get(x, i);
}

/* push the element of (i, inst, tid) = locals 0..2 into local a */
static void
get_elem(struct rt *x, uint32_t a)
{
	get(x, 0);
	get(x, 1);
	get(x, 2);
	call(x, RTAB_FN_GET);
	set(x, a);
}

/* trap_if(h.num_lends != 0) */
static void
check_no_lends(struct rt *x, uint32_t a)
{
	get(x, a);
	ld(x, RTAB_E_LENDS);
	trap_if(x);
}

/* (i, inst, tid) -> rep: lift_own */
static void
gen_lift_own(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t a = cgen_local(f, CGEN_I32), h = cgen_local(f, CGEN_I32);
	get_elem(x, a);
	check_no_lends(x, a);
	get(x, a);
	ld(x, RTAB_E_TAG);
	c32(x, 1);
	cgen_i32_and(f);
	cgen_i32_eqz(f);
	trap_if(x);
	inst_hdr(x, 1);
	set(x, h);
	free_elem(x, a, 0, h);
	get(x, a);
	cgen_i64_load(f, x->mem, 3, RTAB_E_REP);
}

/* (i, inst, tid) -> rep: lift_borrow, with Subtask.add_lender */
static void
gen_lift_borrow(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t a = cgen_local(f, CGEN_I32);
	get_elem(x, a);
	bump(x, a, RTAB_E_LENDS, 1);
	c32(x, RTAB_ENTRY_LEND);
	get(x, 1);
	get(x, 0);
	c32(x, 0);
	call(x, RTAB_FN_PUSH);
	cgen_drop(f);
	get(x, a);
	cgen_i64_load(f, x->mem, 3, RTAB_E_REP);
}

/* (rep, inst, tid) -> i: lower_own */
static void
gen_lower_own(struct rt *x)
{
	get(x, 0);
	get(x, 1);
	get(x, 2);
	c32(x, 1);
	cgen_i32_shl(&x->f);
	c32(x, 1);
	cgen_i32_or(&x->f);
	c32(x, 0);
	call(x, RTAB_FN_ADD);
}

/* (rep, inst, tid) -> i: lower_borrow into the open scope */
static void
gen_lower_borrow(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t s = cgen_local(f, CGEN_I32), i = cgen_local(f, CGEN_I32);
	uint32_t e = cgen_local(f, CGEN_I32);
	hdr_get(x, RTAB_HDR_SCOPE);
	tee(x, s);
	cgen_i32_eqz(f);
	trap_if(x);
	get(x, 0);
	get(x, 1);
	get(x, 2);
	c32(x, 1);
	cgen_i32_shl(f);
	get(x, s);
	call(x, RTAB_FN_ADD);
	set(x, i);
	entry_addr(x, s);
	set(x, e);
	bump(x, e, 8, 1);
	get(x, i);
}

/* (i, inst, tid) -> rep: canon resource.rep's table part */
static void
gen_rep(struct rt *x)
{
	uint32_t a = cgen_local(&x->f, CGEN_I32);
	get_elem(x, a);
	get(x, a);
	cgen_i64_load(&x->f, x->mem, 3, RTAB_E_REP);
}

/*
 * (i, inst, tid) -> (rep, own): canon resource.drop's table part; a
 * borrow handle counts down its scope's num_borrows.
 */
static void
gen_drop(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t a = cgen_local(f, CGEN_I32), tag = cgen_local(f, CGEN_I32);
	uint32_t e = cgen_local(f, CGEN_I32), h = cgen_local(f, CGEN_I32);
	get_elem(x, a);
	check_no_lends(x, a);
	get(x, a);
	ld(x, RTAB_E_TAG);
	c32(x, 1);
	cgen_i32_and(f);
	tee(x, tag);
	cgen_i32_eqz(f);
	cgen_if(f, CGEN_VOID);
	get(x, a);
	ld(x, RTAB_E_SCOPE);
	set(x, e);
	entry_addr(x, e);
	set(x, e);
	bump(x, e, 8, -1);
	cgen_end(f);
	inst_hdr(x, 1);
	set(x, h);
	free_elem(x, a, 0, h);
	get(x, a);
	cgen_i64_load(f, x->mem, 3, RTAB_E_REP);
	get(x, tag);
}

/* (h, inst, tid) -> h: a host handle borrowed into inst's open scope */
static void
gen_host_borrow(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t s = cgen_local(f, CGEN_I32), e = cgen_local(f, CGEN_I32);
	hdr_get(x, RTAB_HDR_SCOPE);
	tee(x, s);
	cgen_i32_eqz(f);
	trap_if(x);
	get(x, 2);
	c32(x, 3);
	cgen_i32_shl(f);
	c32(x, RTAB_ENTRY_HOST);
	cgen_i32_or(f);
	get(x, 1);
	get(x, 0);
	get(x, s);
	call(x, RTAB_FN_PUSH);
	cgen_drop(f);
	entry_addr(x, s);
	set(x, e);
	bump(x, e, 8, 1);
	inst_hdr(x, 1);
	set(x, e);
	bump(x, e, RTAB_INST_BASE + RTAB_I_HOST, 1);
	get(x, 0);
}

/* the entry in local e is a live host borrow of handle 0 by instance 1 */
static void
host_entry_matches(struct rt *x, uint32_t e)
{
	struct cgen_func *f = &x->f;
	get(x, e);
	ld(x, 0);
	c32(x, 7);
	cgen_i32_and(f);
	c32(x, RTAB_ENTRY_HOST);
	cgen_i32_eq(f);
	get(x, e);
	ld(x, 4);
	get(x, 1);
	cgen_i32_eq(f);
	cgen_i32_and(f);
	get(x, e);
	ld(x, 8);
	get(x, 0);
	cgen_i32_eq(f);
	cgen_i32_and(f);
}

/* consume the host borrow entry in local e (type checked) */
static void
host_consume(struct rt *x, uint32_t e, uint32_t s)
{
	struct cgen_func *f = &x->f;
	get(x, e);
	ld(x, 0);
	c32(x, 3);
	cgen_i32_shr_u(f);
	get(x, 2);
	cgen_i32_ne(f);
	trap_if(x);
	get(x, e);
	c32(x, RTAB_ENTRY_DEAD);
	st(x, 0);
	get(x, e);
	ld(x, 12);
	set(x, s);
	entry_addr(x, s);
	set(x, s);
	bump(x, s, 8, -1);
	inst_hdr(x, 1);
	set(x, s);
	bump(x, s, RTAB_INST_BASE + RTAB_I_HOST, -1);
}

/* (h, inst, tid) -> 1 when h is a host borrow of inst (now dropped) */
static void
gen_host_drop(struct rt *x)
{
	struct cgen_func *f = &x->f;
	uint32_t k = cgen_local(f, CGEN_I32), e = cgen_local(f, CGEN_I32);
	uint32_t s = cgen_local(f, CGEN_I32);
	inst_hdr(x, 1);
	ld(x, RTAB_INST_BASE + RTAB_I_HOST);
	cgen_i32_eqz(f);
	cgen_if(f, CGEN_VOID);
	c32(x, 0);
	cgen_return(f);
	cgen_end(f);
	hdr_get(x, RTAB_HDR_STACK_TOP);
	set(x, k);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	get(x, k);
	cgen_i32_eqz(f);
	cgen_br_if(f, 1);
	entry_addr(x, k);
	set(x, e);
	host_entry_matches(x, e);
	cgen_if(f, CGEN_VOID);
	host_consume(x, e, s);
	c32(x, 1);
	cgen_return(f);
	cgen_end(f);
	get(x, k);
	c32(x, 1);
	cgen_i32_sub(f);
	set(x, k);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
	c32(x, 0);
}

/* ---- the canon built-ins -------------------------------------------- */

static bool
is_ancestor_or_self(const struct rtab *r, uint32_t a, uint32_t of)
{
	for (uint32_t i = of; i != RTAB_NONE; i = r->insts[i].parent)
		if (i == a)
			return true;
	return false;
}

/* trap_if(not flags & bit) for an instance's flags global */
static void
flag_check(struct rt *x, uint32_t global, uint32_t bit)
{
	if (global == RTAB_NONE)
		return;
	cgen_global_get(&x->f, global);
	c32(x, bit);
	cgen_i32_and(&x->f);
	cgen_i32_eqz(&x->f);
	trap_if(x);
}

static void
flag_update(struct rt *x, uint32_t global, uint32_t bit, bool on)
{
	if (global == RTAB_NONE)
		return;
	cgen_global_get(&x->f, global);
	c32(x, on ? bit : ~bit);
	if (on)
		cgen_i32_or(&x->f);
	else
		cgen_i32_and(&x->f);
	cgen_global_set(&x->f, global);
}

/*
 * For each instance of impl.entering_set(caller) (ComponentInstance
 * entering_set: impl and its ancestors, less the caller's): what `what`
 * asks: 0 check may_enter, 1 clear it, 2 set it.
 */
static void
entering_set(struct rt *x, uint32_t impl, uint32_t caller, int what)
{
	const struct rtab *r = x->r;
	for (uint32_t i = impl; i != RTAB_NONE; i = r->insts[i].parent) {
		if (is_ancestor_or_self(r, i, caller))
			continue;
		uint32_t g = r->insts[i].flags;
		if (what == 0)
			flag_check(x, g, ADAPT_GEN_MAY_ENTER);
		else
			flag_update(x, g, ADAPT_GEN_MAY_ENTER, what == 2);
	}
}

/* canon resource.new: (rep) -> i */
static void
gen_new_builtin(struct rt *x, const struct rt_builtin *b,
		const struct rtab_type *t)
{
	flag_check(x, x->r->insts[b->inst].flags, ADAPT_GEN_MAY_LEAVE);
	get(x, 0);
	if (t->rep == I32)
		cgen_i64_extend_i32_u(&x->f);
	c32(x, b->inst);
	c32(x, b->tid);
	call(x, RTAB_FN_LOWER_OWN);
}

/* canon resource.rep: (i) -> rep */
static void
gen_rep_builtin(struct rt *x, const struct rt_builtin *b,
		const struct rtab_type *t)
{
	get(x, 0);
	c32(x, b->inst);
	c32(x, b->tid);
	call(x, RTAB_FN_REP);
	if (t->rep == I32)
		cgen_i32_wrap_i64(&x->f);
}

/*
 * canon resource.drop: (i).  Dropping an own handle calls the destructor
 * in the defining instance as Store.lift would: trap unless the entering
 * set may be entered, then enter it for the call.  Without a destructor
 * the call is the empty function, but its entry check still applies.
 */
static void
gen_drop_builtin(struct rt *x, const struct rt_builtin *b,
		 const struct rtab_type *t)
{
	struct cgen_func *f = &x->f;
	uint32_t rep = cgen_local(f, CGEN_I64), own = cgen_local(f, CGEN_I32);
	flag_check(x, x->r->insts[b->inst].flags, ADAPT_GEN_MAY_LEAVE);
	get(x, 0);
	c32(x, b->inst);
	c32(x, b->tid);
	call(x, RTAB_FN_DROP);
	set(x, own);
	set(x, rep);
	get(x, own);
	cgen_if(f, CGEN_VOID);
	entering_set(x, t->instance, b->inst, 0);
	if (t->dtor_funcidx != RTAB_NONE) {
		entering_set(x, t->instance, b->inst, 1);
		get(x, rep);
		if (t->rep == I32)
			cgen_i32_wrap_i64(f);
		cgen_call(f, t->dtor_funcidx);
		entering_set(x, t->instance, b->inst, 2);
	}
	cgen_end(f);
}

/* resource.drop of a host type: a borrow record, else the host's drop */
static void
gen_host_drop_builtin(struct rt *x, const struct rt_builtin *b,
		      const struct rtab_type *t)
{
	flag_check(x, x->r->insts[b->inst].flags, ADAPT_GEN_MAY_LEAVE);
	get(x, 0);
	c32(x, b->inst);
	c32(x, b->tid);
	call(x, RTAB_FN_HOST_DROP);
	cgen_i32_eqz(&x->f);
	cgen_if(&x->f, CGEN_VOID);
	get(x, 0);
	cgen_call(&x->f, t->host_drop_funcidx);
	cgen_end(&x->f);
}

/* ---- finishing ------------------------------------------------------ */

static void
rt_init(struct rt *x, struct rtab *r, uint32_t nparams)
{
	x->r = r;
	x->mem = r->memidx;
	cgen_func_init(&x->f, nparams);
}

static enum meld_status
finish_body(struct rt *x, struct adapt_gen_func *out)
{
	struct bin_writer w;
	bin_writer_init(&w);
	enum meld_status st = cgen_finish(&x->f, &w);
	if (st == MELD_OK) {
		out->code = arena_dup(x->r->a, w.buf, w.len);
		out->code_size = w.len;
		if (!out->code)
			st = MELD_ENOMEM;
	}
	bin_writer_clear(&w);
	cgen_func_clear(&x->f);
	return st;
}

static void
gen_fn(struct rt *x, enum rtab_fn fn)
{
	switch (fn) {
	case RTAB_FN_ALLOC: gen_alloc(x); break;
	case RTAB_FN_PUSH: gen_push(x); break;
	case RTAB_FN_GROW: gen_grow(x); break;
	case RTAB_FN_SLOT: gen_slot(x); break;
	case RTAB_FN_GET: gen_get(x); break;
	case RTAB_FN_ADD: gen_add(x); break;
	case RTAB_FN_LIFT_OWN: gen_lift_own(x); break;
	case RTAB_FN_LIFT_BORROW: gen_lift_borrow(x); break;
	case RTAB_FN_LOWER_OWN: gen_lower_own(x); break;
	case RTAB_FN_LOWER_BORROW: gen_lower_borrow(x); break;
	case RTAB_FN_REP: gen_rep(x); break;
	case RTAB_FN_DROP: gen_drop(x); break;
	case RTAB_FN_ENTER: gen_enter(x); break;
	case RTAB_FN_LEAVE: gen_leave(x); break;
	case RTAB_FN_HOST_BORROW: gen_host_borrow(x); break;
	default: gen_host_drop(x); break;
	}
}

static enum meld_status
gen_builtin(struct rtab *r, struct rt_builtin *b)
{
	if (b->tid == 0) /* rtab_add_func's: a body, given or set */
		return b->fn.code ? MELD_OK : MELD_EUSAGE;
	const struct rtab_type *t = &r->types[b->tid - 1];
	struct rt x;
	rt_init(&x, r, 1);
	switch (b->kind) {
	case RTAB_NEW: gen_new_builtin(&x, b, t); break;
	case RTAB_REP: gen_rep_builtin(&x, b, t); break;
	default:
		if (t->instance == RTAB_NONE)
			gen_host_drop_builtin(&x, b, t);
		else
			gen_drop_builtin(&x, b, t);
		break;
	}
	return finish_body(&x, &b->fn);
}

enum meld_status
rtab_finish(struct rtab *r)
{
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; st == MELD_OK && i < RTAB_FN_COUNT; i++) {
		struct rt x;
		rt_init(&x, r, fn_info[i].type.nparams);
		gen_fn(&x, (enum rtab_fn)i);
		r->fns[i].name = fn_info[i].name;
		r->fns[i].funcidx = r->first_funcidx + i;
		r->fns[i].type = fn_info[i].type;
		st = finish_body(&x, &r->fns[i]);
	}
	for (size_t i = 0; st == MELD_OK && i < r->nbuiltins; i++)
		st = gen_builtin(r, &r->builtins[i]);
	if (st != MELD_OK)
		return diag_fail(r->d, st, NULL, DIAG_NO_OFFSET,
				 "cannot generate the resource tables: %s",
				 st == MELD_ENOMEM   ? "out of memory"
				 : st == MELD_EUSAGE ? "a function has no body"
						     : "internal error");
	r->finished = true;
	return MELD_OK;
}

/* ---- the builder ---------------------------------------------------- */

struct rtab *
rtab_create(struct arena *a, struct diag *d, uint32_t first_funcidx,
	    uint32_t memidx)
{
	struct rtab *r = arena_alloc(a, sizeof *r);
	if (!r)
		return NULL;
	r->a = a;
	r->d = d;
	r->first_funcidx = first_funcidx;
	r->memidx = memidx;
	return r;
}

static enum meld_status
fail(struct rtab *r, enum meld_status st, const char *msg)
{
	return diag_fail(r->d, st, NULL, DIAG_NO_OFFSET, "resource tables: %s",
			 msg);
}

enum meld_status
rtab_add_instance(struct rtab *r, uint32_t parent, uint32_t flags_globalidx)
{
	if (r->ninsts >= (1u << 20))
		return fail(r, MELD_EUNSUPPORTED,
			    "too many component instances");
	if (parent != RTAB_NONE && parent >= r->ninsts)
		return fail(r, MELD_EUSAGE, "a parent instance comes later");
	struct rt_inst *in = arena_push(r->a, (void **)&r->insts, &r->ninsts,
					&r->insts_cap, sizeof *in);
	if (!in)
		return fail(r, MELD_ENOMEM, "out of memory");
	in->parent = parent;
	in->flags = flags_globalidx;
	return MELD_OK;
}

const struct rtab_type *
rtab_find(const struct rtab *r, const struct vtype_resource *res,
	  uint32_t *tid)
{
	for (size_t i = 0; i < r->ntypes; i++)
		if (r->types[i].res == res) {
			if (tid)
				*tid = (uint32_t)i + 1;
			return &r->types[i];
		}
	return NULL;
}

enum meld_status
rtab_add_type(struct rtab *r, const struct rtab_type *t)
{
	if (!t->res || rtab_find(r, t->res, NULL))
		return fail(r, MELD_EUSAGE, "a resource type added twice");
	if (t->instance != RTAB_NONE && t->instance >= r->ninsts)
		return fail(r, MELD_EUSAGE,
			    "a resource of an unknown instance");
	if (t->rep != I32 && t->rep != I64)
		return fail(r, MELD_EINVALID,
			    "a resource representation other than i32, i64");
	if (r->ntypes >= (1u << 24))
		return fail(r, MELD_EUNSUPPORTED, "too many resource types");
	struct rtab_type *n = arena_push(r->a, (void **)&r->types, &r->ntypes,
					 &r->types_cap, sizeof *n);
	if (!n)
		return fail(r, MELD_ENOMEM, "out of memory");
	*n = *t;
	return MELD_OK;
}

static const char *
builtin_name(struct rtab *r, enum rtab_builtin_kind k, uint32_t inst,
	     const struct rtab_type *t)
{
	static const char *const kinds[] = {"new", "rep", "drop"};
	const struct bin_name *n = &t->res->name;
	char buf[160];
	snprintf(buf, sizeof buf, "meld:[resource-%s]%.*s@%u", kinds[k],
		 n->p ? (int)(n->len > 100 ? 100 : n->len) : 0,
		 n->p ? (const char *)n->p : "", inst);
	return arena_dup(r->a, buf, strlen(buf) + 1);
}

static struct adapt_gen_functype
builtin_type(enum rtab_builtin_kind k, const struct rtab_type *t)
{
	const uint8_t *rep = t->rep == I64 ? t_l : t_i;
	switch (k) {
	case RTAB_NEW: return (struct adapt_gen_functype){1, 1, rep, t_i};
	case RTAB_REP: return (struct adapt_gen_functype){1, 1, t_i, rep};
	default: return (struct adapt_gen_functype){1, 0, t_i, t_i};
	}
}

static enum meld_status
check_builtin(struct rtab *r, enum rtab_builtin_kind kind, uint32_t inst,
	      const struct rtab_type *t)
{
	if (r->finished)
		return fail(r, MELD_EUSAGE, "a built-in after rtab_finish");
	if (inst >= r->ninsts)
		return fail(r, MELD_EUSAGE,
			    "a built-in of an unknown instance");
	if (kind != RTAB_DROP && t->instance != inst)
		return fail(r, MELD_EINVALID,
			    "resource.new and resource.rep need a resource "
			    "type defined by their own component instance");
	if (kind == RTAB_DROP && t->instance == RTAB_NONE &&
	    t->host_drop_funcidx == RTAB_NONE)
		return fail(r, MELD_EUSAGE,
			    "a host resource without its drop function");
	return MELD_OK;
}

enum meld_status
rtab_builtin(struct rtab *r, enum rtab_builtin_kind kind, uint32_t inst,
	     const struct vtype_resource *res, uint32_t *funcidx)
{
	uint32_t tid = 0;
	const struct rtab_type *t = rtab_find(r, res, &tid);
	if (!t)
		return fail(r, MELD_EUSAGE,
			    "a built-in of an unknown resource");
	enum meld_status st = check_builtin(r, kind, inst, t);
	if (st != MELD_OK)
		return st;
	uint32_t base = r->first_funcidx + RTAB_FN_COUNT;
	for (size_t i = 0; i < r->nbuiltins; i++) {
		const struct rt_builtin *b = &r->builtins[i];
		if (b->kind == kind && b->inst == inst && b->tid == tid) {
			*funcidx = base + (uint32_t)i;
			return MELD_OK;
		}
	}
	struct rt_builtin *b = arena_push(r->a, (void **)&r->builtins,
					  &r->nbuiltins, &r->builtins_cap,
					  sizeof *b);
	const char *name = b ? builtin_name(r, kind, inst, t) : NULL;
	if (!name) {
		if (b)
			r->nbuiltins--;
		return fail(r, MELD_ENOMEM, "out of memory");
	}
	b->kind = kind;
	b->inst = inst;
	b->tid = tid;
	b->fn.name = name;
	b->fn.funcidx = base + (uint32_t)(r->nbuiltins - 1);
	b->fn.type = builtin_type(kind, t);
	*funcidx = b->fn.funcidx;
	return MELD_OK;
}

enum meld_status
rtab_add_func(struct rtab *r, const struct adapt_gen_func *fn,
	      uint32_t *funcidx)
{
	if (r->finished)
		return fail(r, MELD_EUSAGE, "a function after rtab_finish");
	struct rt_builtin *b = arena_push(r->a, (void **)&r->builtins,
					  &r->nbuiltins, &r->builtins_cap,
					  sizeof *b);
	if (!b)
		return fail(r, MELD_ENOMEM, "out of memory");
	*b = (struct rt_builtin){.tid = 0, .fn = *fn};
	b->fn.funcidx = r->first_funcidx + RTAB_FN_COUNT +
			(uint32_t)(r->nbuiltins - 1);
	*funcidx = b->fn.funcidx;
	return MELD_OK;
}

enum meld_status
rtab_set_code(struct rtab *r, uint32_t funcidx, const uint8_t *code,
	      size_t code_size)
{
	uint32_t i = funcidx - r->first_funcidx - RTAB_FN_COUNT;
	if (funcidx < r->first_funcidx + RTAB_FN_COUNT || i >= r->nbuiltins ||
	    r->builtins[i].tid != 0 || r->builtins[i].fn.code)
		return fail(r, MELD_EUSAGE, "a body for no empty function");
	r->builtins[i].fn.code = code;
	r->builtins[i].fn.code_size = code_size;
	return MELD_OK;
}

uint32_t
rtab_nfuncs(const struct rtab *r)
{
	return RTAB_FN_COUNT + (uint32_t)r->nbuiltins;
}

const struct adapt_gen_func *
rtab_func(const struct rtab *r, uint32_t i)
{
	if (i < RTAB_FN_COUNT)
		return &r->fns[i];
	if (i - RTAB_FN_COUNT < r->nbuiltins)
		return &r->builtins[i - RTAB_FN_COUNT].fn;
	return NULL;
}

uint32_t
rtab_memidx(const struct rtab *r)
{
	return r->memidx;
}

uint32_t
rtab_memory_pages(const struct rtab *r)
{
	return (heap_base(r) + 0xffffu) >> 16;
}

uint32_t
rtab_ninstances(const struct rtab *r)
{
	return (uint32_t)r->ninsts;
}

uint32_t
rtab_fn_index(const struct rtab *r, enum rtab_fn f)
{
	return r->first_funcidx + (uint32_t)f;
}
