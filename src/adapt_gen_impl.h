/*
 * adapt_gen_impl: what the parts of the adapter generator share.
 *   adapt_gen.c         the builder, helper registry, realloc helper, the
 *                       adapter's frame (flags, parameter and return areas)
 *   adapt_gen_value.c   translating values: flat to flat, memory to memory,
 *                       list helpers
 *   adapt_gen_string.c  string helpers: checks, validation, transcoding
 */
#ifndef ADAPT_GEN_IMPL_H
#define ADAPT_GEN_IMPL_H

#include "abi.h"
#include "adapt_gen.h"
#include "cgen.h"

/* CanonicalABI.md "Loading": MAX_STRING/LIST_BYTE_LENGTH. */
#define AG_MAX_BYTE_LENGTH ((1u << 28) - 1)
/* utf16_tag for i32 memories. */
#define AG_UTF16_TAG 0x80000000u

/* Helper functions, each keyed by what it is specialised for. */
enum ag_kind {
	AG_REALLOC,  /* (old, old_size, align, new_size) -> ptr: dst side */
	AG_STRING,   /* (ptr, units) -> (ptr, units): src mem+enc -> dst side */
	AG_LIST,     /* (ptr, len) -> ptr: list<elem>, src mem -> dst side */
	AG_VALID8,   /* (ptr, bytes): trap unless UTF-8; src mem */
	AG_VALID16,  /* (ptr, units): trap unless UTF-16; src mem */
	AG_DEC8,     /* (ptr, bytes left) -> (code point, bytes); src mem */
	AG_DEC16,    /* (ptr, units left) -> (code point, units); src mem */
	AG_ENC8,     /* (ptr, code point) -> ptr after it; dst mem */
	AG_ENC16     /* (ptr, code point) -> ptr after it; dst mem */
};

struct ag_key {
	enum ag_kind kind;
	uint32_t src_mem;
	enum adapt_gen_encoding src_enc;
	struct adapt_gen_side dst;
	const struct vtype *elem;
	bool canon_nans;
	uint32_t src_inst, dst_inst; /* lists of handles: the tables */
	bool in_place;               /* a boundary's list: handles only */
};

struct ag_helper {
	struct ag_key key;
	struct adapt_gen_func fn;
};

struct adapt_gen {
	struct arena *a;
	struct diag *d;
	uint32_t first_funcidx;
	struct ag_helper *helpers;
	size_t nhelpers, cap;
	size_t ndone;             /* helpers whose body exists */
	const struct adapt_gen_site *site; /* the one being generated */
	struct rtab *rtab;        /* handle tables, or NULL */
	const struct adapt_gen_boundary *bound; /* the one being generated */
};

/* Reusable scratch locals of one core type (see ag_tmp). */
struct ag_pool {
	uint32_t *locals;
	uint32_t n, cap, used;
};

/* One function being generated. */
struct ag_fn {
	struct adapt_gen *g;
	struct cgen_func f;
	bool canon_nans;
	struct ag_pool pools[4]; /* i32, i64, f32, f64 */
	enum meld_status err;    /* sticky, beside f's own */
	bool in_place;           /* a boundary: convert handles where they
				    are, leave everything else */
};

/* A place in memory: the address in local `base` plus `off`. */
struct ag_addr {
	uint32_t mem;
	uint32_t base;
	uint32_t off;
};

/* ---- adapt_gen.c ---------------------------------------------------- */

void ag_fn_init(struct ag_fn *x, struct adapt_gen *g, uint32_t nparams,
		bool canon_nans);
void ag_fn_clear(struct ag_fn *x);
/* A scratch local: reused after ag_tmp_release(x, mark). */
uint32_t ag_tmp(struct ag_fn *x, enum abi_core t);
void ag_tmp_mark(const struct ag_fn *x, uint32_t mark[4]);
void ag_tmp_release(struct ag_fn *x, const uint32_t mark[4]);
/* The function index of a helper, added (body pending) when new. */
uint32_t ag_helper(struct ag_fn *x, const struct ag_key *k);
uint32_t ag_realloc_helper(struct ag_fn *x, const struct adapt_gen_side *d);
/* Record a failure that is not cgen's (unsupported type, ...). */
void ag_fail(struct ag_fn *x, enum meld_status st);

/* Trap when the i32 on the stack is not zero. */
void ag_trap_if(struct ag_fn *x);
/* trap_if(ptr != align_to(ptr, align)) for the pointer in a local. */
void ag_check_align(struct ag_fn *x, uint32_t ptr, uint32_t align);
/* trap_if(ptr + len > len(memory)): len in a local or a constant. */
void ag_check_bounds(struct ag_fn *x, uint32_t mem, uint32_t ptr,
		     uint32_t len_local);
void ag_check_bounds_const(struct ag_fn *x, uint32_t mem, uint32_t ptr,
			   uint32_t len);
/* Push base + off (an address) for a load or store. */
void ag_push_addr(struct ag_fn *x, struct ag_addr a);
/* Push the address in local `base` (offset left to the memarg). */
void ag_push_base(struct ag_fn *x, struct ag_addr a);
/* local = local + k */
void ag_add_const(struct ag_fn *x, uint32_t local, int32_t k);

/* ---- adapt_gen_value.c ---------------------------------------------- */

/*
 * Flat to flat: the value of type t whose flat values are in[slot..]
 * (passed as have[slot..]) is lifted and lowered into out[slot..].
 * At the top level (inside false) out slots are created here (an
 * unchanged value keeps its input local); inside a variant they exist.
 */
struct ag_flat {
	const uint32_t *in;
	uint32_t *out;
	const enum abi_core *have;
	const struct adapt_gen_side *src, *dst;
	uint32_t src_inst, dst_inst; /* rtab instances */
};
void ag_flat_value(struct ag_fn *x, struct ag_flat *c, const struct vtype *t,
		   uint32_t slot, bool inside);

/* Memory to memory: the value of type t at src is written at dst. */
struct ag_mem {
	const struct adapt_gen_side *src, *dst;
	uint32_t src_inst, dst_inst; /* rtab instances */
};
void ag_mem_value(struct ag_fn *x, const struct ag_mem *c,
		  const struct vtype *t, struct ag_addr src,
		  struct ag_addr dst);

/* Fields at offsets (a record, the parameters): plain runs copied whole. */
struct ag_field {
	const struct vtype *t;
	uint32_t off;
};
void ag_mem_fields(struct ag_fn *x, const struct ag_mem *c,
		   const struct ag_field *fs, uint32_t n, struct ag_addr src,
		   struct ag_addr dst);

/* The body of an AG_LIST helper. */
void ag_gen_list(struct ag_fn *x, const struct ag_key *k);

/*
 * The first part of t that no adapter can carry yet (streams, futures,
 * error-contexts, and resources unless `handles`), or NULL.
 */
const struct vtype *ag_unsupported_part(const struct vtype *t, bool handles);

/* Whether t holds own or borrow. */
bool ag_has_handles(const struct vtype *t);

/* ---- adapt_gen_string.c --------------------------------------------- */

/* The body of an AG_STRING, AG_VALID*, AG_DEC* or AG_ENC* helper. */
void ag_gen_string(struct ag_fn *x, const struct ag_key *k);
void ag_gen_codec(struct ag_fn *x, const struct ag_key *k);

#endif
