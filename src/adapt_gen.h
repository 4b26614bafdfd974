/*
 * adapt_gen: the general adapter generator (CanonicalABI.md "canon lift",
 * "canon lower", "Loading", "Storing", "Flat Lifting", "Flat Lowering",
 * "Lifting and Lowering Values").
 *
 * An adapter replaces a `canon lower` of a `canon lift`: it has the
 * caller's lowered core signature and does, in one core function, what
 * the two canonical definitions do together for a synchronous call:
 *
 *   trap unless the caller may leave; trap unless every instance of the
 *   entering set may be entered, then clear their may_enter; lift the
 *   arguments from the caller's flat values or parameter area and lower
 *   them into the callee's flat values or into memory allocated with the
 *   callee's realloc; call the callee; lift its results and lower them
 *   into the caller's flat result or return area (allocating with the
 *   caller's realloc); call post-return with the callee's raw results;
 *   set may_enter again.
 *
 * Lifting and lowering are fused: each value is read from the source side
 * and written to the destination side in one walk, trapping where either
 * would trap (bad char, discriminant, alignment, bounds, invalid string,
 * misaligned or out-of-bounds realloc result).  Work shared between
 * adapters lives in helper functions that a builder (struct adapt_gen)
 * generates once per fused module: realloc calls with their checks, one
 * string function per (source, destination) pair of memories and
 * encodings, one list function per element type and pair of sides,
 * UTF-8/UTF-16 decoders, encoders and validators.
 *
 * Using it from the fusion pass:
 *
 *	g = adapt_gen_create(arena, diag, first_helper_funcidx);
 *	for each adapter site s, in funcidx order:
 *		st = adapt_gen_add(g, &site_of_s, &fn);
 *		// fn.type: the adapter's core type (the caller's lowered
 *		// signature); fn.code: its code entry (size, locals, body)
 *	for (i = 0; i < adapt_gen_nhelpers(g); i++)
 *		h = adapt_gen_helper(g, i);   // funcidx first_helper + i
 *		// add h->type to the type section, a function entry, and
 *		// h->code to the code section, in this order
 *
 * Helper indices are handed out as helpers are first needed, starting at
 * first_helper_funcidx, so the pass must place the helpers last in the
 * function index space (after adapters, the start function, ...), and
 * must know that index before generating.  Every site's functions are
 * complete when adapt_gen_add returns.
 *
 * Per-instance flags: one mutable i32 global per component instance
 * (initial value ADAPT_GEN_MAY_LEAVE | ADAPT_GEN_MAY_ENTER) stands for the
 * spec's ComponentInstance.may_leave and may_enter.  The pass gives each
 * side its instance's global (or ADAPT_GEN_NONE to skip tracking) and the
 * entering set of the call (the callee's instance and those of its
 * ancestors that are not the caller's or its ancestors,
 * ComponentInstance.entering_set) as a list of globals.
 *
 * Resources (own and borrow anywhere in a value) need the handle tables
 * of rtab.h: after adapt_gen_set_rtab, each site names the rtab instance
 * of both sides (caller_instance, callee_instance).  Per handle, as
 * Wasmtime's adapters do, the adapter lifts from the source instance's
 * table and lowers into the destination's at once: own<T> moves (removed
 * from one table, added to the other), borrow<T> is lent (the source
 * handle's num_lends counts it until the call returns) and lowered as the
 * rep into T's defining instance, elsewhere as a borrow handle of the
 * call's scope, which the adapter opens before the arguments and closes
 * after the results, trapping if the callee kept a borrow.  Handles of
 * host resources pass through (rtab.h explains).  The spec lifts every
 * argument before lowering any; only an adapter whose caller and callee
 * are the same component instance can tell the difference (handle
 * numbers, and a repeated own argument that the spec would trap on).
 *
 * Pointers are i32 (memory64 is refused with MELD_EUNSUPPORTED), as are
 * async functions and types holding streams, futures, error-contexts, or
 * resources when no tables were given.
 */
#ifndef ADAPT_GEN_H
#define ADAPT_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "common.h"
#include "diag.h"
#include "vtype.h"

struct rtab;

/* An absent index (no memory, no realloc, no post-return, no global). */
#define ADAPT_GEN_NONE UINT32_MAX

/* The binary codes of the string-encoding canonopt. */
enum adapt_gen_encoding {
	ADAPT_GEN_UTF8 = 0x00,
	ADAPT_GEN_UTF16 = 0x01,
	ADAPT_GEN_LATIN1_UTF16 = 0x02
};

/* Bits of a per-instance flags global. */
enum adapt_gen_flag {
	ADAPT_GEN_MAY_LEAVE = 1,
	ADAPT_GEN_MAY_ENTER = 2
};

/* The canonical options of one side, with fused-module indices. */
struct adapt_gen_side {
	uint32_t memidx;          /* ADAPT_GEN_NONE: no memory option */
	bool memory64;            /* the memory is an i64 one (refused) */
	uint32_t realloc_funcidx; /* ADAPT_GEN_NONE: no realloc option */
	enum adapt_gen_encoding encoding;
	uint32_t flags_globalidx; /* its instance's flags, or ADAPT_GEN_NONE */
};

struct adapt_gen_site {
	const struct vtype_func *ft;
	struct adapt_gen_side caller;  /* the `canon lower` */
	struct adapt_gen_side callee;  /* the `canon lift` */
	uint32_t callee_funcidx;
	uint32_t post_return_funcidx;  /* ADAPT_GEN_NONE: none */
	const uint32_t *enter_globalidx; /* the entering set's flags */
	uint32_t nenter;
	/*
	 * The deterministic profile: NaNs become the canonical NaN.  Off,
	 * float bits pass through (the spec allows a host to keep them).
	 */
	bool canon_nans;
	/* For diagnostics: the site's name and where it was defined. */
	const char *name;
	const char *input;
	size_t offset;
	/* Resources: the rtab instances of the two sides. */
	uint32_t caller_instance, callee_instance;
};

/* A core function type: value type codes (0x7f i32, 0x7e i64, ...). */
struct adapt_gen_functype {
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
};

/* A generated function: its type and its code-section entry. */
struct adapt_gen_func {
	const char *name;         /* for the name section */
	uint32_t funcidx;         /* helpers; ADAPT_GEN_NONE for adapters */
	struct adapt_gen_functype type;
	const uint8_t *code;      /* u32 size, locals, body, end */
	size_t code_size;
};

struct adapt_gen;

/* A builder whose helpers get indices from first_helper_funcidx on. */
struct adapt_gen *adapt_gen_create(struct arena *a, struct diag *d,
				   uint32_t first_helper_funcidx);

/*
 * The handle tables that adapters of types holding own or borrow use
 * (rtab.h); without them such types are refused.
 */
void adapt_gen_set_rtab(struct adapt_gen *g, struct rtab *r);

/*
 * Generate the adapter of one site (and any helper it needs that does
 * not exist yet).  *out points into the builder's arena.  Fails with
 * MELD_EUNSUPPORTED (async, memory64, resources without tables,
 * streams, futures, error-contexts), MELD_EINVALID (an option the type
 * requires is missing, a borrow in the result, a resource the tables do
 * not know) or MELD_ENOMEM, recorded in the diagnostic with the site's
 * input and offset.
 */
MELD_CHECK_RESULT enum meld_status
adapt_gen_add(struct adapt_gen *g, const struct adapt_gen_site *site,
	      struct adapt_gen_func *out);

/* The helpers generated so far, in funcidx order. */
uint32_t adapt_gen_nhelpers(const struct adapt_gen *g);
const struct adapt_gen_func *adapt_gen_helper(const struct adapt_gen *g,
					      uint32_t i);

/* Total code bytes of the helpers (for --stats). */
size_t adapt_gen_helper_code_size(const struct adapt_gen *g);

/*
 * A root boundary function (plan_res_bound.c): in front of a root
 * export's core function, with the lift's core signature, it converts
 * the handles of the parameters (from the outside to the lifting
 * instance) and of the result (back) in place: flat values in their
 * locals, values in memory (parameter and return areas, list elements)
 * where they are, since both sides share the lifting instance's memory.
 * Everything without handles is left as it is.  The outside is the
 * host's table (an rtab instance) or ADAPT_GEN_OUTER, the handles of a
 * definer outside (host_resources): its built-ins per type in `outer`.
 */
#define ADAPT_GEN_OUTER (UINT32_MAX - 1)
struct adapt_gen_outer {
	const struct vtype_resource *res;
	uint32_t new_funcidx, rep_funcidx, drop_funcidx; /* or NONE */
};
struct adapt_gen_boundary {
	const struct vtype_func *ft;
	uint32_t memidx;         /* the lifting instance's memory, or NONE */
	uint32_t outer_instance; /* the host's table, or ADAPT_GEN_OUTER */
	uint32_t instance;       /* the lifting instance */
	uint32_t target_funcidx;
	const struct adapt_gen_outer *outer;
	size_t nouter;
	const char *name;
	const char *input;
	size_t offset;
};
MELD_CHECK_RESULT enum meld_status
adapt_gen_boundary(struct adapt_gen *g, const struct adapt_gen_boundary *b,
		   struct adapt_gen_func *out);

#endif
