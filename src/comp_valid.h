/*
 * comp_valid: validation of a component after reading (comp_validate in
 * comp.h).  This header is shared by the comp_valid*.c files; comp_valid.c
 * says which does what.
 */
#ifndef COMP_VALID_H
#define COMP_VALID_H

#include "comp.h"
#include "comp_scope.h"
#include "core_module.h"

/* Steps one validation may spend walking types (then checks are skipped). */
#define VALID_TYPE_BUDGET 1000000

struct vcomp;
struct size_memo;

/*
 * Proposals validation accepts (wasm-tools feature names in comments).
 * meld accepts all of them; comp_read_check can narrow the set to run a
 * .wast script under the features wasm-tools runs it with.
 */
enum valid_feature {
	VALID_F_CM64 = 1u << 0,                 /* cm64 */
	VALID_F_MORE_ASYNC_BUILTINS = 1u << 1,  /* cm-more-async-builtins */
	VALID_F_THREADING = 1u << 2,            /* cm-threading */
	VALID_F_ASYNC_STACKFUL = 1u << 3,       /* cm-async-stackful */
	VALID_F_NESTED_NAMES = 1u << 4,         /* cm-nested-names */
	VALID_F_ALL = 0x7fffffff
};

/*
 * Apply a comma-separated wasm-tools feature list to *out: a name adds
 * its bit, "-name" removes it, "all" sets every bit.
 */
bool valid_features_parse(const char *list, uint32_t *out);

struct vctx {
	struct arena *arena;
	struct diag *diag;
	const char *input;
	struct comp_scope_ctx sx;
	size_t budget;
	bool out_of_budget;
	struct vcomp *cur; /* the component being validated (comp_valid_core.c) */
	uint32_t features;  /* enum valid_feature */
	struct size_memo *size_memo, *tsize_memo; /* comp_valid_size.c */
};

/* comp_validate with a narrower set of features. */
MELD_CHECK_RESULT enum meld_status
comp_validate_features(struct arena *a, struct diag *d, const char *input_name,
		       struct comp_component *c, uint32_t features);

/*
 * A refusal under construction: the innermost check writes what is wrong,
 * each enclosing check prepends where ("type mismatch for import `a`: ...").
 */
struct verr {
	char msg[512];
};

/* Set the message; returns false (so `return verr_fail(...)`). */
bool verr_fail(struct verr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* When !ok, prepend a context to the message; returns ok. */
bool verr_ctx(struct verr *e, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report an invalid component at offset; returns MELD_EINVALID. */
enum meld_status valid_fail(struct vctx *v, size_t offset, const char *fmt,
			    ...) __attribute__((format(printf, 3, 4)));
enum meld_status valid_oom(struct vctx *v);
/*
 * No scope could be made: out of memory, or the work budget is spent
 * (then the component is refused as too large to type-check).
 */
enum meld_status valid_no_scope(struct vctx *v, size_t offset);

/* idx must name an entry of space sp in scope s (as it is now). */
MELD_CHECK_RESULT enum meld_status
valid_index(struct vctx *v, struct comp_scope *s, enum comp_space sp,
	    uint32_t idx, size_t offset, const char *what);

/* ---- comp_valid_core.c: core items and their types -------------------- */

/*
 * The type of a core item (core spec "External Types"), as far as it is
 * known: `known` false means only its kind is.  Concrete reference types
 * (heap 0) are not compared across modules.
 */
struct vcore {
	uint8_t kind; /* enum core_extern_kind */
	bool known;
	const struct core_valtype *params, *results; /* FUNC, TAG */
	uint32_t nparams, nresults;
	struct core_limits limits;                   /* TABLE, MEMORY */
	struct core_valtype type;                    /* TABLE element, GLOBAL */
	bool mut;                                    /* GLOBAL */
};

/* A named core import (module, name) or export (name). */
struct vnamed {
	struct bin_name module, name;
	struct vcore t;
};

/* A module's imports and exports, or a core instance's exports. */
struct vmodule {
	bool known;
	struct vnamed *imports, *exports;
	uint32_t nimports, nexports;
};

/* Per component being validated: the types of its core items. */
struct vcomp {
	struct vcomp *parent;
	struct comp_scope *s;
	struct {
		struct vcore *items;
		size_t len, cap;
	} core[5];                 /* by enum core_extern_kind */
	struct {
		struct vmodule *items; /* exports only */
		size_t len, cap;
	} insts;
	bool has_context_type;
	uint8_t context_type;
	struct {
		bool *used;            /* values (🪙) are used exactly once */
		size_t len, cap;
	} values;
};

/* The vcore of core item idx of space sp (a core func ... tag space). */
const struct vcore *valid_core_at(struct vctx *v, enum comp_space sp,
				  uint32_t idx);
/*
 * Record the types of the core items definition d of the current
 * component introduced (after comp_scope_add_def).  Fails only on
 * allocation.
 */
MELD_CHECK_RESULT enum meld_status
valid_core_note(struct vctx *v, const struct comp_def *d);
/* Imports and exports of a core module item (known false when not). */
struct vmodule valid_module_of(struct vctx *v, struct comp_item *m);
/* Core instantiation: every import given by an argument of its type. */
MELD_CHECK_RESULT enum meld_status
valid_core_instantiate(struct vctx *v, struct comp_scope *s,
		       const struct comp_core_instance *ci);
/* An alias of a core instance's export: it exists, of that sort. */
MELD_CHECK_RESULT enum meld_status
valid_core_alias_export(struct vctx *v, const struct comp_alias *a);
/* vcore b's type written as wasm text ("(func (param i32))"). */
void valid_core_print(const struct vcore *t, char *buf, size_t n);
/* a is a subtype of b (core spec "Import Matching"), or e says why. */
bool valid_core_sub(const struct vcore *a, const struct vcore *b,
		    struct verr *e);
/* A func vcore from flat types (arena-allocated). */
bool valid_core_func(struct vctx *v, const uint8_t *params, uint32_t np,
		     const uint8_t *results, uint32_t nr, struct vcore *out);
/* The func vcore a core type item describes (core-type options). */
bool valid_core_type_func(struct vctx *v, struct comp_item *t,
			  struct vcore *out);

/*
 * Core module item m against module type item t (a core type): width
 * subtyping of imports and exports (wasm-tools' module_type).  Unknown
 * passes.
 */
bool valid_sub_module(struct vctx *v, struct comp_item *m, struct comp_item *t,
		      struct verr *err);

/* ---- comp_valid_types.c --------------------------------------------- */

MELD_CHECK_RESULT enum meld_status
valid_valtype(struct vctx *v, struct comp_scope *s, struct comp_valtype vt,
	      size_t offset);
/* A type definition in scope s (a component or a type scope). */
MELD_CHECK_RESULT enum meld_status
valid_type(struct vctx *v, struct comp_scope *s, const struct comp_type *t);
MELD_CHECK_RESULT enum meld_status
valid_core_type(struct vctx *v, struct comp_scope *s,
		const struct comp_core_typedef *t);
MELD_CHECK_RESULT enum meld_status
valid_externtype(struct vctx *v, struct comp_scope *s,
		 const struct comp_externtype *e, size_t offset);
MELD_CHECK_RESULT enum meld_status
valid_alias(struct vctx *v, struct comp_scope *s, const struct comp_alias *a,
	    bool in_type);

/* Import and export names of one scope. */
struct valid_names {
	bool no_resources; /* a bag of exports: no resource names in context */
	const struct comp_extern_name **names;
	enum comp_space *spaces;
	struct comp_item **items;
	size_t n, cap, spaces_cap, items_cap;
};

/*
 * Check one import or export name (syntax, attributes, [constructor]/
 * [method]/[static] against the resources named before it in `prev`),
 * then add it to `prev`.  item is what it names (may be NULL).
 */
MELD_CHECK_RESULT enum meld_status
valid_extern_name(struct vctx *v, struct comp_scope *s,
		  struct valid_names *prev, const struct comp_extern_name *n,
		  enum comp_space sp, struct comp_item *item, bool is_import);
/* All names of a list strongly-unique (Explainer.md "Name Uniqueness"). */
MELD_CHECK_RESULT enum meld_status
valid_names_unique(struct vctx *v, const struct valid_names *names,
		   const char *what);

/* A label (kebab case, WIT.md / Explainer.md `label`). */
bool valid_label(struct bin_name n);

/*
 * Flattening (CanonicalABI.md "Flattening"), for option checks: appends
 * the core types of vt to out[*n] (up to max; *n past max means "more");
 * ptr is the pointer type (0x7f i32, or 0x7e i64 for a 64-bit memory).
 * Returns false when the type could not be resolved or the budget ran out.
 */
bool valid_flatten(struct vctx *v, struct comp_scope *s,
		   struct comp_valtype vt, uint8_t ptr, uint8_t *out,
		   uint32_t *n, uint32_t max);
/* Does vt transitively contain a string or list (needs memory)? */
bool valid_contains_ptr(struct vctx *v, struct comp_scope *s,
			struct comp_valtype vt);
/* Does vt transitively contain a borrow handle? */
bool valid_contains_borrow(struct vctx *v, struct comp_scope *s,
			   struct comp_valtype vt);
/* The functype of a TYPE item, or NULL. */
const struct comp_functype *valid_functype_of(struct comp_item *t);
bool valid_is_resource(struct comp_item *it);

/* ---- comp_valid_size.c ------------------------------------------------- */

/* elem_size(dv, i64) (CanonicalABI.md), saturating far above 2^28. */
uint64_t valid_elem_size(struct vctx *v, struct comp_scope *s,
			 const struct comp_defval *dv);
/* wasm-tools' effective size of a type (limit VALID_MAX_TYPE_SIZE). */
uint64_t valid_type_size(struct vctx *v, struct comp_scope *s,
			 const struct comp_type *t);
#define VALID_MAX_TYPE_SIZE 1000000

/* ---- comp_valid_vis.c: external visibility --------------------------- */

/* A set of items (by pointer). */
struct vset {
	struct comp_item **slots;
	size_t n, cap;
};

/* The types a component (or component type) has named so far. */
struct valid_vis {
	struct vset imported, exported;
};

/*
 * External visibility (Explainer.md "Import and Export Definitions"; as
 * wasm-tools' validate_and_register_named_types): every record, variant,
 * enum, flags and resource type an import or export refers to is one an
 * earlier import (or, for exports, import or export) named; then the
 * types the import or export introduces are named.
 */
MELD_CHECK_RESULT enum meld_status
valid_visibility(struct vctx *v, struct valid_vis *vis, struct comp_item *it,
		 enum comp_space sp, bool is_import, size_t offset);

/* ---- comp_valid_canon.c ------------------------------------------------ */

MELD_CHECK_RESULT enum meld_status
valid_canon(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn);
/* The core function a canon definition makes (false when unknown). */
bool valid_canon_core_func(struct vctx *v, struct comp_scope *s,
			   const struct comp_canon *cn, struct vcore *out);
/* canon lift/lower with the gc option: the core-type against the GC ABI. */
MELD_CHECK_RESULT enum meld_status
valid_gc_lowering(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn,
		  struct comp_item *ft_item);

/* ---- comp_valid_sub.c: subtyping ------------------------------------ */

/*
 * Is `actual` (an item of space sp) a subtype of extern type e, whose
 * indices resolve in es?  Unknown items pass.  On false, e says why.
 */
bool valid_sub_extern(struct vctx *v, struct comp_item *actual,
		      enum comp_space sp, const struct comp_externtype *e,
		      struct comp_scope *es, struct verr *err);
/* Value type a (in as) against b (in bs). */
bool valid_sub_valtype(struct vctx *v, struct comp_scope *as,
		       struct comp_valtype a, struct comp_scope *bs,
		       struct comp_valtype b, struct verr *err);
/*
 * A component instantiation: every import of the component is given by
 * an argument of a subtype (Explainer.md "Instance Definitions").
 */
MELD_CHECK_RESULT enum meld_status
valid_instantiate_args(struct vctx *v, struct comp_scope *s,
		       const struct comp_instance *in);

#endif
