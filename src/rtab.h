/*
 * rtab: resource handle tables, generated as core code (CanonicalABI.md
 * "Table State", "Resource State", lift_own, lift_borrow, lower_own,
 * lower_borrow, Task.num_borrows, Subtask.add_lender/deliver_resolve,
 * "canon resource.new", "canon resource.drop", "canon resource.rep").
 *
 * One handle table per component instance, as the spec has it.  All
 * tables live in one memory that belongs to the fused module (no original
 * component can address it); the pass adds that memory, rtab only needs
 * its index.  The memory starts zeroed and holds:
 *
 *   0        the global header: bytes used in the heap, the borrow stack
 *            (base, capacity, top), the innermost open borrow scope and
 *            a word the root boundary uses (RTAB_HDR_KEEP)
 *   32 + 32k the header of instance k: its element array (address,
 *            capacity), the highest index ever handed out, the head of
 *            its free list, the number of live host borrows lent to it
 *   heap     element arrays and the borrow stack, bump-allocated; a full
 *            array is replaced by one twice its size (memory.grow as
 *            needed; old arrays are abandoned, so the heap is at most
 *            twice the live tables).  No fixed limit but the spec's
 *            Table.MAX_LENGTH (2^28 - 1) and the memory's 4 GiB.
 *
 * An element (RTAB_ELEM_SIZE bytes) is a ResourceHandle: rep (i32 or
 * i64), tag (0: free; else (type id << 1) | own), num_lends, and the
 * borrow scope of a borrow handle.  A free element holds the next free
 * index instead, so Table.add's free.pop() is a linked-list pop and
 * handle numbers are exactly the spec's; index 0 is never handed out.
 *
 * The borrow stack (RTAB_ENTRY_SIZE-byte entries) stands for the spec's
 * Task.num_borrows and Subtask.lenders of the synchronous calls in
 * progress: an adapter that carries borrows opens a scope entry (its
 * borrow count), lift_borrow pushes a lender entry per lent handle,
 * lower_borrow counts into the innermost scope, resource.drop of a borrow
 * handle counts down the scope stored in the handle, and closing the
 * scope traps unless its count is 0 (Task.return_), then gives every lent
 * handle back (Subtask.deliver_resolve).  Calls are synchronous, so
 * scopes nest like the calls.
 *
 * Host resources (types the root imports, such as WASI streams) have no
 * table here: their handles are the host's own i32s and pass through
 * adapters unchanged, so every original component uses the handles the
 * host understands and host imports need no translation.  The one thing
 * the host cannot know is that a component received a borrow of such a
 * handle from another fused component: the adapter records it (a host
 * borrow entry in the callee's scope), and that component's resource.drop
 * consumes the record instead of dropping the host's handle; the scope
 * still traps if it was not dropped.  What the spec would catch and this
 * does not: misuse of a host handle across fused components (using an own
 * handle after passing it on, passing a borrowed one on as own), since
 * the host's single table cannot tell the components apart.
 *
 * Using it from the fusion pass:
 *
 *	r = rtab_create(arena, diag, first_funcidx, memidx);
 *	for each component instance, in id order:
 *		rtab_add_instance(r, parent_or_RTAB_NONE, flags_globalidx);
 *	for each resource type (defined or host):
 *		rtab_add_type(r, &(struct rtab_type){...});
 *	for each resource.new/rep/drop a core instance imports:
 *		rtab_builtin(r, kind, instance, res, &funcidx);
 *	adapt_gen_create(..., first_funcidx + rtab_nfuncs(r), ...);
 *	adapt_gen_set_rtab(g, r);   // then the adapters, each site with
 *	                            // caller_instance, callee_instance
 *	rtab_finish(r);
 *	for (i = 0; i < rtab_nfuncs(r); i++)   // funcidx first_funcidx + i
 *		emit rtab_func(r, i)->type and ->code
 *	add memory memidx: i32, min rtab_memory_pages(r), no maximum
 *
 * The flags globals are adapt_gen's (ADAPT_GEN_MAY_LEAVE/MAY_ENTER bits):
 * resource.new and resource.drop trap unless their instance may leave,
 * and a destructor call enters the defining instance the way Store.lift
 * does.  rtab needs no globals of its own.
 */
#ifndef RTAB_H
#define RTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "adapt_gen.h"
#include "arena.h"
#include "common.h"
#include "diag.h"
#include "vtype.h"

#define RTAB_NONE UINT32_MAX

/* ---- storage layout (for the generated code, tests and debugging) ---- */

#define RTAB_HDR_HEAP 0u        /* bytes used in the heap */
#define RTAB_HDR_STACK_BASE 4u  /* address of the borrow stack */
#define RTAB_HDR_STACK_CAP 8u   /* its capacity in entries */
#define RTAB_HDR_STACK_TOP 12u  /* its last used entry (entry 0 unused) */
#define RTAB_HDR_SCOPE 16u      /* the innermost open scope entry, or 0 */
#define RTAB_HDR_KEEP 20u       /* 1: the next [dtor] call keeps the rep
				   (plan_res_bound.c) */
#define RTAB_INST_BASE 32u      /* instance k's header: at 32 + 32k */
#define RTAB_INST_SHIFT 5u
#define RTAB_I_ARRAY 0u         /* address of its element array */
#define RTAB_I_CAP 4u           /* capacity in elements */
#define RTAB_I_USED 8u          /* highest index handed out */
#define RTAB_I_FREE 12u         /* head of the free list, or 0 */
#define RTAB_I_HOST 16u         /* live host borrows lent to it */

#define RTAB_ELEM_SIZE 24u
#define RTAB_E_REP 0u           /* i64 (an i32 rep in the low half) */
#define RTAB_E_TAG 8u           /* 0 free, else (type id << 1) | own */
#define RTAB_E_LENDS 12u        /* num_lends */
#define RTAB_E_SCOPE 16u        /* borrow: scope entry; free: next free */

#define RTAB_ENTRY_SIZE 16u     /* borrow stack entries: kind and 3 words */
enum rtab_entry_kind {
	RTAB_ENTRY_SCOPE = 1,   /* w1 enclosing scope, w2 num_borrows */
	RTAB_ENTRY_LEND = 2,    /* w1 instance, w2 index: a lent handle */
	RTAB_ENTRY_HOST = 3,    /* w1 instance, w2 host handle, w3 scope;
				   the kind word holds type id << 3 too */
	RTAB_ENTRY_DEAD = 4     /* a host borrow that was dropped */
};

#define RTAB_MAX_LENGTH ((1u << 28) - 1)
#define RTAB_FIRST_CAP 8u       /* elements in a table's first array */
#define RTAB_FIRST_STACK 16u    /* entries in the first borrow stack */

/* ---- the functions ------------------------------------------------- */

/*
 * The shared functions, at first_funcidx + their number.  `inst` is an
 * instance number, `tid` a type id (rtab_find), reps are i64 throughout.
 * Every check traps (unreachable) as the spec's trap_if does.
 */
enum rtab_fn {
	RTAB_FN_ALLOC,        /* (bytes) -> addr: the heap */
	RTAB_FN_PUSH,         /* (w0, w1, w2, w3) -> entry: the borrow stack */
	RTAB_FN_GROW,         /* (inst): double a table's array */
	RTAB_FN_SLOT,         /* (i, inst) -> addr: Table.get */
	RTAB_FN_GET,          /* (i, inst, tid) -> addr: and the type check */
	RTAB_FN_ADD,          /* (rep, inst, tag, scope) -> i: Table.add */
	RTAB_FN_LIFT_OWN,     /* (i, inst, tid) -> rep */
	RTAB_FN_LIFT_BORROW,  /* (i, inst, tid) -> rep; lends it */
	RTAB_FN_LOWER_OWN,    /* (rep, inst, tid) -> i */
	RTAB_FN_LOWER_BORROW, /* (rep, inst, tid) -> i, in the open scope */
	RTAB_FN_REP,          /* (i, inst, tid) -> rep */
	RTAB_FN_DROP,         /* (i, inst, tid) -> (rep, own): the table part */
	RTAB_FN_ENTER,        /* () -> scope: open a borrow scope */
	RTAB_FN_LEAVE,        /* (scope): check, return the lent, close */
	RTAB_FN_HOST_BORROW,  /* (h, inst, tid) -> h: record a host borrow */
	RTAB_FN_HOST_DROP,    /* (h, inst, tid) -> 1: a host borrow, dropped */
	RTAB_FN_COUNT
};

/* The canon built-ins, with exactly their core signatures. */
enum rtab_builtin_kind {
	RTAB_NEW,  /* (func (param rep) (result i32)) */
	RTAB_REP,  /* (func (param i32) (result rep)) */
	RTAB_DROP  /* (func (param i32)) */
};

/* A resource type. */
struct rtab_type {
	const struct vtype_resource *res; /* its identity */
	uint32_t instance;          /* defining instance; RTAB_NONE: host */
	uint8_t rep;                /* 0x7f i32 or 0x7e i64 */
	uint32_t dtor_funcidx;      /* (func (param rep)), or RTAB_NONE */
	uint32_t host_drop_funcidx; /* host: (func (param i32)) that drops a
				       host handle (its canon resource.drop) */
};

struct rtab;

/* A builder whose functions get indices from first_funcidx on. */
struct rtab *rtab_create(struct arena *a, struct diag *d,
			 uint32_t first_funcidx, uint32_t memidx);

/*
 * The next component instance (numbered from 0 in call order); parent:
 * an earlier instance or RTAB_NONE; flags: its flags global or RTAB_NONE.
 */
MELD_CHECK_RESULT enum meld_status
rtab_add_instance(struct rtab *r, uint32_t parent, uint32_t flags_globalidx);

/* A resource type; each identity once.  Type ids count from 1. */
MELD_CHECK_RESULT enum meld_status rtab_add_type(struct rtab *r,
						 const struct rtab_type *t);

/*
 * The function of a canon built-in of `res` used in instance `inst`
 * (one per kind, instance and type).  resource.new and .rep need the
 * defining instance; host types have only resource.drop.
 */
MELD_CHECK_RESULT enum meld_status
rtab_builtin(struct rtab *r, enum rtab_builtin_kind kind, uint32_t inst,
	     const struct vtype_resource *res, uint32_t *funcidx);

/*
 * A function generated elsewhere that calls the tables' functions (a root
 * boundary function, plan_res_bound.c), numbered with the built-ins; its
 * code may come later (rtab_set_code).
 */
MELD_CHECK_RESULT enum meld_status
rtab_add_func(struct rtab *r, const struct adapt_gen_func *fn,
	      uint32_t *funcidx);

/* The body of a function rtab_add_func added without one (NULL code). */
MELD_CHECK_RESULT enum meld_status
rtab_set_code(struct rtab *r, uint32_t funcidx, const uint8_t *code,
	      size_t code_size);

/* Generate every body (after the last rtab_add_* and rtab_builtin). */
MELD_CHECK_RESULT enum meld_status rtab_finish(struct rtab *r);

/* The functions, in funcidx order (bodies after rtab_finish). */
uint32_t rtab_nfuncs(const struct rtab *r);
const struct adapt_gen_func *rtab_func(const struct rtab *r, uint32_t i);

/* The table memory: its index and the pages it needs at the start. */
uint32_t rtab_memidx(const struct rtab *r);
uint32_t rtab_memory_pages(const struct rtab *r);
uint32_t rtab_ninstances(const struct rtab *r);

/* For adapters: a shared function's index; a type, its id (NULL: none). */
uint32_t rtab_fn_index(const struct rtab *r, enum rtab_fn f);
const struct rtab_type *rtab_find(const struct rtab *r,
				  const struct vtype_resource *res,
				  uint32_t *tid);

#endif
