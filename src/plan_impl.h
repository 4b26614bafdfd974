/*
 * plan_impl: what the files of the plan pass share (plan.c, the index
 * spaces and sites; plan_flags.c, may_enter/may_leave and the guards;
 * plan_res.c, the resource handle tables).
 */
#ifndef PLAN_IMPL_H
#define PLAN_IMPL_H

#include "abi.h"
#include "plan.h"

struct pctx {
	struct arena *a;
	struct diag *d;
	struct plan *p;
	struct inst_graph *g;
};

enum meld_status plan_poom(struct pctx *x);

/* a then b, in the arena. */
char *plan_str(struct pctx *x, const char *a, const char *b);
/* An export of the fused module (names must differ). */
MELD_CHECK_RESULT enum meld_status
plan_add_export(struct pctx *x, const char *name, uint8_t kind, uint32_t index);
/* The pointer type of a memory option. */
enum abi_ptr plan_mem_ptr(const struct inst_graph *g, struct inst_core_val mem);
/* What a root export of a lifted function calls: its guard or callee. */
uint32_t plan_export_target(const struct plan *p, const struct inst_func *fn);

/* A generated function type, deduplicated. */
MELD_CHECK_RESULT enum meld_status
plan_gen_type(struct pctx *x, const uint8_t *par, uint32_t np,
	      const uint8_t *res, uint32_t nr, uint32_t *out);
/* The core type of a lowering (or lifting) of ft under these options. */
MELD_CHECK_RESULT enum meld_status
plan_flat_type(struct pctx *x, const struct vtype_func *ft,
	       const struct inst_opts *o, enum abi_context cx, uint32_t *out);
/* The core type of a resource built-in. */
MELD_CHECK_RESULT enum meld_status
plan_builtin_sig(struct pctx *x, const struct inst_builtin *b,
		 uint32_t *typeidx);

/* The output import of a resource built-in (its module, "[resource-new]r"
 * and so on): one per type and kind. */
MELD_CHECK_RESULT enum meld_status
plan_builtin_import(struct pctx *x, struct inst_builtin *b, uint32_t *out);
/* What calling v needs: imports, adapters (plan.c). */
MELD_CHECK_RESULT enum meld_status plan_use(struct pctx *x,
					    struct inst_core_val v);

/* plan_flags.c */

/* A call of v leaves its instance (a lowering, resource.new or .drop). */
bool plan_leaves(struct inst_core_val v);
/* Flags, then the guards of the calls no adapter carries. */
MELD_CHECK_RESULT enum meld_status plan_guards(struct pctx *x);
/* The guard of a resource built-in called from instance comp, if any. */
const struct plan_guard *plan_builtin_guard(const struct plan *p,
					    const struct inst_builtin *b,
					    uint32_t comp);

/* plan_res.c */

/* Resource identity of a handle type's resource. */
const struct inst_res *plan_res_of(const struct vtype_resource *vt);
/* Handles of this resource live in the host's table: the root imports
 * it. */
bool plan_res_hosted(const struct inst_res *r);
/* ft carries a handle that needs the tables: an own of a guest resource
 * or any borrow. */
bool plan_res_needs_adapter(const struct vtype_func *ft);
/* After the bases: the tables' functions and memory, the built-ins'
 * function indices. */
MELD_CHECK_RESULT enum meld_status plan_res_tables(struct pctx *x);

/* plan_res_bound.c: the root boundary of resources the tables keep */

/* A root export: the tables are needed when it carries their handles;
 * with host_resources, the definer's built-ins its boundary calls are
 * imported. */
MELD_CHECK_RESULT enum meld_status
plan_res_use_export(struct pctx *x, const struct inst_func *fn);
/* In plan_res_tables, after the built-ins: the boundary functions of the
 * root exports that carry handles, and the host's table (plain output) or
 * the [dtor] functions (host_resources). */
MELD_CHECK_RESULT enum meld_status plan_res_boundary(struct pctx *x);
/* Without host_resources, the exported [resource-drop] of every
 * root-exported resource type: how the host drops its handles.  With
 * host_resources, the exported [dtor] of every such type that has a
 * destructor: how the definer outside runs it. */
MELD_CHECK_RESULT enum meld_status plan_res_export_drops(struct pctx *x);

#endif
