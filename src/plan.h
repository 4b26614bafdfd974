/*
 * plan: the fused module's index spaces (ARCHITECTURE.md, pass 3).
 *
 * Order of every space: output imports first, then each core instance's
 * own definitions in instantiation order (a module instantiated twice gets
 * two copies of its state), then generated functions (adapters, the start
 * function).  Types: each distinct module's types once, then the types of
 * generated functions and imports, deduplicated.  Per core instance one
 * struct core_remap maps every old index to its new one; an import bound
 * to another instance's export maps to that definition's new index.
 *
 * The plan also decides, per adapter site (a core import bound to a
 * `canon lower`): an output import (host function), a direct call (caller
 * and callee agree bit for bit), or a generated adapter; which active
 * segments stay active (plan.c explains when); which component instances
 * need a flags global (may_enter, may_leave); and, last, it generates the
 * adapters' code (adapt.c), whose shared helper functions end the
 * function index space.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rtab.h"

enum plan_site_kind {
	PLAN_SITE_NONE,
	PLAN_SITE_IMPORT,  /* lowers a host function: an output import */
	PLAN_SITE_DIRECT,  /* the callee itself, no adapter */
	PLAN_SITE_ADAPTER  /* a generated adapter (adapt.c, adapt_gen.h) */
};

/*
 * A function type that needs no rec group of its own (final, no
 * supertype, no reference to a concrete type): such types are shared by
 * every module and generated function that uses them.
 */
struct plan_type {
	uint32_t idx;
	uint8_t *key;            /* per value type: code, abstract heap type */
	uint32_t nparams, nresults;
	bool generated;          /* written after the modules' rec groups */
};

/* Where the types of one distinct module went. */
struct plan_tmod {
	const struct core_module *mod;
	uint32_t *map;           /* old type index → new */
	bool *emit;              /* per rec group: written (else shared) */
};

/* One function import of the fused module. */
struct plan_import {
	const char *module, *field;
	uint32_t typeidx;
	struct inst_func *func;       /* host function, or NULL */
	struct inst_builtin *builtin; /* resource built-in, or NULL */
	struct inst_opts opts;        /* the lowering's options */
	struct inst_lower *lower;     /* the first lowering, or NULL */
};

struct plan_adapter {
	struct inst_lower *lower;
	uint32_t typeidx;
	uint32_t funcidx;
	const uint8_t *code; /* its code entry (size, locals, body) */
	size_t code_size;
};

/* A function the adapters share (realloc calls, strings, lists, ...). */
struct plan_helper {
	const char *name;
	uint32_t typeidx;
	const uint8_t *code; /* its code entry */
	size_t code_size;
};

/* A lowering: what calling it means in the fused module. */
struct plan_site {
	enum plan_site_kind kind;
	uint32_t import;   /* IMPORT: index into imports */
	uint32_t adapter;  /* ADAPTER: index into adapters */
	uint32_t guard;    /* index into guards, or UINT32_MAX */
};

/*
 * A guard around a call that no adapter carries (a direct call, a host
 * import, a resource built-in, a root export): traps unless the caller
 * may leave (CanonicalABI.md "canon_lower": trap_if(not may_leave)) and
 * unless every instance it enters may be entered ("may_enter_from"),
 * clears their may_enter, calls its target, sets them again.  Only the
 * instances whose flags can be observed have one (plan.c, "flags"), so
 * most fusions have no guard at all.
 */
struct plan_guard {
	uint32_t funcidx;
	uint32_t typeidx;
	uint32_t nparams;
	struct inst_lower *site;       /* guards this lowering, or NULL */
	struct inst_builtin *builtin;  /* or this resource built-in, or NULL */
	uint32_t comp;                 /* builtin: the calling instance */
	struct inst_core_val target;   /* else: the lifted export's callee */
	uint32_t leave_flag;           /* caller's flags global, or UINT32_MAX */
	uint32_t *flags;               /* entered instances' flags globals */
	uint32_t nflags;
};

/* Bits of a flags global (adapt_gen.h: ADAPT_GEN_MAY_LEAVE, _MAY_ENTER);
 * each starts with both set. */
#define PLAN_FLAG_MAY_LEAVE 1u
#define PLAN_FLAG_MAY_ENTER 2u

struct plan_core {
	struct core_remap remap;
	uint32_t *map[CORE_SPACE_COUNT];
	uint32_t base[CORE_SPACE_COUNT]; /* new index of its first definition */
	bool *elem_passive;              /* active segments made passive */
	bool *data_passive;
	bool needs_init;                 /* has such segments */
};

struct plan_export {
	const char *name;
	uint8_t kind; /* enum core_extern_kind */
	uint32_t index;
};

/* A root-boundary function with canonical options (see emit's meld:abi). */
struct plan_abi {
	bool is_export;
	const char *module, *name;
	const char *memory, *realloc, *post_return;
	enum comp_string_encoding encoding;
};

/* A root boundary function reserved among the tables' (plan_res_bound.c),
 * its body made with the adapters (adapt_gen_boundary). */
struct plan_bound {
	const struct inst_func *fn;
	const char *name;
	uint32_t funcidx;        /* the reserved function */
	uint32_t target_funcidx; /* the export's core function */
};

struct plan {
	struct inst_graph *g;
	uint32_t total[CORE_SPACE_COUNT];
	struct plan_core *cores;
	/* types: module rec groups by first use, then generated ones */
	struct plan_tmod *tmods;
	size_t ntmods, tmods_cap;
	struct plan_type *types;
	size_t ntypes, types_cap;
	/* functions */
	struct plan_import *imports;
	size_t nimports, imports_cap;
	struct plan_site *sites;         /* by lower id */
	uint32_t *builtin_import;        /* by builtin id: its funcidx (an
					    import or a table function);
					    UINT32_MAX: none */
	struct plan_adapter *adapters;
	size_t nadapters, adapters_cap;
	uint32_t first_adapter;
	struct plan_guard *guards;
	size_t nguards, guards_cap;
	/* by component instance: its flags global or UINT32_MAX, and which
	 * of its flags can be observed */
	uint32_t *comp_flag;
	bool *comp_enter, *comp_leave;
	uint32_t nflags;
	uint32_t first_flag;             /* global index of the first flag */
	/* helpers shared by adapters: the last functions */
	struct plan_helper *helpers;
	size_t nhelpers, helpers_cap;
	uint32_t first_helper;
	size_t helper_code_size;
	bool has_start;
	bool gen_start;                  /* a generated start function */
	uint32_t start_funcidx;
	uint32_t start_typeidx;
	/* the boundary */
	struct plan_export *exports;
	size_t nexports, exports_cap;
	struct plan_abi *abi;
	size_t nabi, abi_cap;
	bool abi_ambiguous;              /* several memories at the boundary */
	/* resource handle tables (plan_res.c), when any are needed: their
	 * functions follow the guards, their memory every other memory */
	struct rtab *rtab;
	bool needs_rtab;
	uint32_t first_rtab;
	uint32_t rtab_memidx;
	uint32_t *rtab_typeidx;          /* per table function */
	/* root-exported resources live in the tables; the root exports
	 * convert their handles (plan_res_bound.c) to, when false, the
	 * host's table among the tables, or when true (--component), handles
	 * of a definer outside: imported [export] built-ins, exported
	 * [dtor]s (README "Resources") */
	bool host_resources;
	uint32_t host_inst;              /* the host's table, or UINT32_MAX */
	uint32_t *res_dtor;              /* host_resources: by resource, its
					    exported [dtor], or UINT32_MAX */
	uint32_t *export_bound;          /* by root export: its boundary
					    function, or UINT32_MAX */
	struct plan_bound *bounds;       /* their bodies, made by adapt.c */
	size_t nbounds;
	struct adapt_gen_outer *outer;   /* host_resources: the built-ins */
	size_t nouter;
	/* figures */
	uint32_t ndirect;
};

MELD_CHECK_RESULT enum meld_status
plan_build(struct arena *a, struct diag *d, struct inst_graph *g,
	   bool host_resources, struct plan *p);

/* The index of a generated function type (types deduplicated). */
MELD_CHECK_RESULT enum meld_status
plan_func_type(struct arena *a, struct diag *d, struct plan *p,
	       const uint8_t *params, uint32_t nparams, const uint8_t *results,
	       uint32_t nresults, uint32_t *typeidx);

/* The fused index of a core function value. */
uint32_t plan_funcidx(const struct plan *p, struct inst_core_val v);
/*
 * The flags globals of the instances a call from component instance
 * `from` (UINT32_MAX: the host) into `to` (UINT32_MAX: none) enters and
 * whose may_enter can be observed (CanonicalABI.md "entering_set"); out
 * has room for to's depth.  Their count.
 */
uint32_t plan_entered_flags(const struct plan *p, uint32_t from, uint32_t to,
			    uint32_t *out);
/* What a guard calls. */
uint32_t plan_guard_target(const struct plan *p, const struct plan_guard *gd);
/* The fused index of a table, memory, global or tag value. */
uint32_t plan_index(const struct plan *p, enum core_space s,
		    struct inst_core_val v);

#endif
