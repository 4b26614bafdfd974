/*
 * inst: symbolic instantiation (Explainer.md "Instance Definitions",
 * "Alias Definitions", "Canonical Definitions").
 *
 * inst_run evaluates the root component (or several, linked by name) the
 * way a runtime instantiates it, without running any code: every
 * definition is walked in binary order, nested components are instantiated
 * with their actual arguments, and the result is an instance graph:
 *   - a flat, ordered list of core instances, each import of each bound to
 *     exactly what the component's definitions say;
 *   - the root boundary: lifted functions exported by the root, the host
 *     functions and resources it imports;
 *   - the resource types, one identity per definition per component
 *     instance.
 * Everything is numbered in creation order, so every later pass iterates
 * arrays and the output is deterministic.
 */
#ifndef INST_H
#define INST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "comp.h"
#include "core_module.h"
#include "session.h"
#include "vtype.h"

struct inst_lower;
struct inst_builtin;

/* Where a core function, table, memory, global or tag comes from. */
enum inst_core_kind {
	INST_CORE_NONE,    /* nothing (an absent option) */
	INST_CORE_DEF,     /* defined by core instance `inst`, index `idx` */
	INST_CORE_LOWER,   /* a `canon lower` (funcs only) */
	INST_CORE_BUILTIN  /* resource.new/rep/drop (funcs only) */
};

struct inst_core_val {
	enum inst_core_kind kind;
	uint32_t inst;  /* DEF: core instance id */
	uint32_t idx;   /* DEF: a defined (never imported) index of its module */
	struct inst_lower *lower;
	struct inst_builtin *builtin;
};

/* canonopt, with every index resolved to a core value. */
struct inst_opts {
	enum comp_string_encoding encoding;
	struct inst_core_val memory, realloc, post_return, callback;
	bool async;
};

enum inst_func_kind {
	INST_FUNC_LIFT, /* canon lift in some component instance */
	INST_FUNC_HOST  /* imported by the root from the host */
};

/* A component-level function value. */
struct inst_func {
	enum inst_func_kind kind;
	uint32_t id;
	const struct vtype_func *type;
	/* LIFT */
	struct inst_core_val callee;
	struct inst_opts opts;
	uint32_t comp;          /* the lifting component instance */
	/* HOST: the output import it becomes (wit-component's naming) */
	const char *module, *field;
	/* The name it was last exported or imported under, for messages. */
	const char *name;
	size_t offset;          /* of its definition */
	const char *input;
};

/* A `canon lower` evaluated in one component instance: an adapter site
 * when it lowers a lifted function, an output import for a host one. */
struct inst_lower {
	uint32_t id;
	struct inst_func *func;
	struct inst_opts opts;
	uint32_t comp;          /* the lowering (calling) component instance */
	size_t offset;
	const char *input;
};

/* Resource identity: pass_data of its vtype_resource points here. */
struct inst_res {
	struct vtype_resource *vt;
	bool host;                  /* imported from the host */
	uint32_t comp;              /* defining component instance */
	const char *module, *name;  /* host: import path; defined: the root
				       export path, when exported (else NULL) */
	bool has_dtor;
	struct inst_core_val dtor;
};

/* resource.new / resource.rep / resource.drop of one resource, defined
 * in one component instance (whose handle table it uses). */
struct inst_builtin {
	uint32_t id;
	enum comp_canon_kind kind;
	struct inst_res *res;
	uint32_t comp;
};

/* One core module instance. */
struct inst_core {
	uint32_t id;
	const struct comp_core_module *cmod;
	struct core_module *mod;
	struct inst_core_val *imports; /* one per module import */
	/* The same bindings by imported index, per space (func .. tag). */
	struct inst_core_val *bound[CORE_SPACE_COUNT];
	uint32_t comp;                 /* owning component instance */
	const char *input;
	size_t offset;                 /* of its instantiate definition */
};

/* One component instance (the root of each input is one too). */
struct inst_comp {
	uint32_t id;
	uint32_t parent;               /* creating instance; UINT32_MAX: root */
	const struct comp_component *comp;
	const char *name;              /* a display path: "root", "root/$p" */
	const char *input;
};

/* A function or resource at the root boundary. */
struct inst_export {
	const char *name;   /* core export name: "f", "iface#f" */
	struct inst_func *func;
};

struct inst_graph {
	struct inst_core *cores;
	size_t ncores, cores_cap;
	struct inst_comp *comps;
	size_t ncomps, comps_cap;
	struct inst_lower **lowers;
	size_t nlowers, lowers_cap;
	struct inst_builtin **builtins;
	size_t nbuiltins, builtins_cap;
	struct inst_res **resources;
	size_t nresources, resources_cap;
	struct inst_func **funcs;
	size_t nfuncs, funcs_cap;
	struct inst_export *exports;
	size_t nexports, exports_cap;
	/* inputs, in the order they were instantiated */
	uint32_t *input_order;
	size_t ninputs;
};

/* One input, read. */
struct inst_input {
	const char *name;
	struct comp_component *comp;
};

/*
 * Instantiate the inputs (linked by import/export names when there are
 * several) into g.  Refuses with a diagnostic: unsupported features
 * (values, component start, async built-ins, module or component imports
 * of the root), invalid references, link errors.
 */
MELD_CHECK_RESULT enum meld_status
inst_run(struct arena *a, struct diag *d, const struct inst_input *inputs,
	 size_t ninputs, struct inst_graph *g);

/*
 * wit-component's indirect-call pattern: a shim module whose functions only
 * `call_indirect` through a table that a fixup module's element segment
 * fills.  Every reference to such a trampoline whose slot is known at
 * instantiation is replaced by the function in the slot (inst_shim.c).
 * Returns how many trampolines were resolved.
 */
MELD_CHECK_RESULT enum meld_status
inst_resolve_shims(struct arena *a, struct diag *d, struct inst_graph *g,
		   uint32_t *resolved);

/* The core type of a function value defined by a core instance. */
const struct core_type *inst_def_func_type(const struct inst_graph *g,
					   struct inst_core_val v);

/* Display name of a component instance. */
const char *inst_comp_name(const struct inst_graph *g, uint32_t comp);

bool inst_core_val_eq(struct inst_core_val a, struct inst_core_val b);

#endif
