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
 * and callee agree bit for bit), or a generated scalar adapter; and which
 * active segments stay active (plan.c explains when).
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "inst.h"

enum plan_site_kind {
	PLAN_SITE_NONE,
	PLAN_SITE_IMPORT,  /* lowers a host function: an output import */
	PLAN_SITE_DIRECT,  /* the callee itself, no adapter */
	PLAN_SITE_ADAPTER  /* a generated scalar adapter */
};

/* A function type the fused module needs besides the modules' own. */
struct plan_type {
	uint8_t *params, *results; /* core value type codes */
	uint32_t nparams, nresults;
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
};

/* A lowering: what calling it means in the fused module. */
struct plan_site {
	enum plan_site_kind kind;
	uint32_t import;   /* IMPORT: index into imports */
	uint32_t adapter;  /* ADAPTER: index into adapters */
};

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

struct plan {
	struct inst_graph *g;
	uint32_t total[CORE_SPACE_COUNT];
	struct plan_core *cores;
	/* types: module types by first use, then generated ones */
	const struct core_module **type_mods;
	uint32_t *type_mod_base;
	size_t ntype_mods, type_mods_cap;
	uint32_t first_gen_type;
	struct plan_type *types;
	size_t ntypes, types_cap;
	/* functions */
	struct plan_import *imports;
	size_t nimports, imports_cap;
	struct plan_site *sites;         /* by lower id */
	uint32_t *builtin_import;        /* by builtin id; UINT32_MAX: none */
	struct plan_adapter *adapters;
	size_t nadapters, adapters_cap;
	uint32_t first_adapter;
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
	/* figures */
	uint32_t ndirect;
};

MELD_CHECK_RESULT enum meld_status
plan_build(struct arena *a, struct diag *d, struct inst_graph *g,
	   struct plan *p);

/* The fused index of a core function value. */
uint32_t plan_funcidx(const struct plan *p, struct inst_core_val v);
/* The fused index of a table, memory, global or tag value. */
uint32_t plan_index(const struct plan *p, enum core_space s,
		    struct inst_core_val v);

#endif
