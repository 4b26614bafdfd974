/*
 * wrap_impl: what the wrap files share.
 *
 *   wrap.c        the pass: imports, the core plumbing around the fused
 *                 module (shim, lowerings, instantiation, fixup), exports
 *   wrap_enc.c    writing component binaries: sections, definitions,
 *                 generated core modules, a pointer map
 *   wrap_types.c  types: copying the root's type definitions, encoding
 *                 resolved types anew in a view (the root or a shim)
 *   wrap_export.c the root's exports: lifts, and the shim component of
 *                 an exported instance
 */
#ifndef WRAP_IMPL_H
#define WRAP_IMPL_H

#include "comp_scope.h"
#include "wrap.h"

#define WRAP_NONE UINT32_MAX

/* Section ids of a component (Binary.md "Component Definitions"). */
enum wrap_sec {
	WSEC_CUSTOM = 0,
	WSEC_CORE_MODULE = 1,
	WSEC_CORE_INSTANCE = 2,
	WSEC_CORE_TYPE = 3,
	WSEC_COMPONENT = 4,
	WSEC_INSTANCE = 5,
	WSEC_ALIAS = 6,
	WSEC_TYPE = 7,
	WSEC_CANON = 8,
	WSEC_IMPORT = 10,
	WSEC_EXPORT = 11
};

/* A map from pointers to indices (open addressing, in the arena). */
struct wmap {
	const void **keys;
	uint32_t *vals;
	size_t n, cap;
};

/* A value or function type a component defines (for sharing). */
struct wtypedef {
	uint32_t hash;
	const uint8_t *bytes;
	size_t len;
	uint32_t idx;
};

/* A component being written: the wrapper, or a component inside it. */
struct wcomp {
	struct bin_writer *out; /* finished sections */
	struct bin_writer sec;  /* items of the open section */
	uint8_t sec_id;         /* the open section; 0xff: none */
	uint32_t sec_count;
	uint32_t n[COMP_SPACE_COUNT]; /* next index of each space */
	struct wtypedef *defs;
	size_t ndefs, defs_cap;
};

/* A slot of the shim's table: a function that exists only after the fused
 * module is instantiated. */
struct wslot {
	uint8_t params[20], results[20];
	uint32_t nparams, nresults;
	uint32_t fill; /* the core function the fixup puts there */
};

/* A resource the root exports and the wrapper defines. */
struct wres {
	const struct comp_item *canon; /* its definition in the original */
	const struct inst_res *res;
	uint32_t typeidx;              /* in the wrapper */
	uint32_t named;                /* its alias from the root export that
					  names it (validation tracks names
					  per alias), once made */
	uint32_t slot;                 /* destructor slot, or WRAP_NONE */
};

/* A name → index memo (core exports of the fused instance, aliases of
 * imported functions). */
struct wname {
	const char *a, *b;
	uint32_t kind;
	uint32_t idx;
};

/* One input of the fusion, as the wrapper sees it. */
struct wroot {
	const char *input;
	const struct comp_component *root;
	struct comp_scope *scope;
	uint32_t *rmap[COMP_SPACE_COUNT];
	struct wmap root_types;
};

struct wrap {
	struct arena *a;
	struct diag *d;
	/* The inputs (one root each, linked by name); the fields below up to
	 * root_types are those of the input being worked on (wrap_use). */
	struct wroot *roots;
	size_t nroots;
	const struct inst_input *inputs;
	const char *input;
	const struct comp_component *root;
	struct comp_scope_ctx sctx;
	struct comp_scope *scope;      /* the original root, resolved */
	struct plan *p;
	struct inst_graph *g;
	const uint8_t *fused;
	size_t fused_len;
	struct wcomp c;                /* the wrapper */
	/* original root index → wrapper index, per space */
	uint32_t *rmap[COMP_SPACE_COUNT];
	struct wmap root_types;        /* original root type item → its index */
	struct wmap root_memo;         /* canonical item → wrapper type index */
	struct wres *res;
	size_t nres, res_cap;
	struct wslot *slots;
	size_t nslots, slots_cap;
	struct wname *names;
	size_t nnames, names_cap;
	uint32_t shim_inst;            /* core instance of the shim module */
	uint32_t main_inst;            /* core instance of the fused module */
	bool start_moved;              /* the fixup runs the fused start */
};

/* ---- wrap.c ---------------------------------------------------------- */

enum meld_status wrap_oom(struct wrap *w);
/* Work on input k: its root, scope and index maps. */
void wrap_use(struct wrap *w, size_t k);
/* Is the root import `name` of the input being worked on satisfied by
 * another input's export (and so no import of the wrapper)? */
bool wrap_linked(const struct wrap *w, struct bin_name name);
/* Is the root export `name` of the input being worked on imported by
 * another input (consumed by the linking, so not exported)? */
bool wrap_consumed(const struct wrap *w, struct bin_name name);
enum meld_status wrap_unsupported(struct wrap *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *wrap_str(struct wrap *w, struct bin_name n);
char *wrap_cat(struct wrap *w, const char *a, const char *b);
/* The wrapper's function for a function the root imports (aliased once). */
MELD_CHECK_RESULT enum meld_status
wrap_host_func(struct wrap *w, const struct inst_func *fn, uint32_t *out);
/* The fused instance's core export `name` of this kind (aliased once). */
MELD_CHECK_RESULT enum meld_status
wrap_main_export(struct wrap *w, uint8_t core_sort, const char *name,
		 uint32_t *out);

/* ---- wrap_enc.c ------------------------------------------------------ */

void wmap_init(struct wmap *m);
bool wmap_get(const struct wmap *m, const void *key, uint32_t *val);
MELD_CHECK_RESULT bool wmap_put(struct arena *a, struct wmap *m,
				const void *key, uint32_t val);

void wcomp_init(struct wcomp *c, struct bin_writer *out);
void wcomp_clear(struct wcomp *c);
/* Start one item of a vector section `id` (opening it if needed). */
struct bin_writer *wcomp_item(struct wcomp *c, uint8_t id);
/* Write the open section out. */
void wcomp_flush(struct wcomp *c);
/* A section holding one whole module or component. */
void wcomp_blob(struct wcomp *c, uint8_t id, const uint8_t *p, size_t n);
uint32_t wcomp_new(struct wcomp *c, enum comp_space s);
/* The type encoded as p[0..n): one defined before with the same bytes,
 * else a new definition. */
MELD_CHECK_RESULT enum meld_status
wcomp_type(struct wcomp *c, struct arena *a, const uint8_t *p, size_t n,
	   uint32_t *out);
void wcomp_preamble(struct bin_writer *w);

void wenc_name(struct bin_writer *b, const char *s);
void wenc_extern_name(struct bin_writer *b, const struct comp_extern_name *n);
/* sort (with core:sort) of a space. */
void wenc_sort(struct bin_writer *b, enum comp_space s);
void wenc_valtype_idx(struct bin_writer *b, uint32_t typeidx);

/* Definitions; each returns the new index. */
uint32_t wenc_alias_export(struct wcomp *c, uint32_t instidx, const char *name,
			   enum comp_space s);
uint32_t wenc_alias_core_export(struct wcomp *c, uint32_t instidx,
				const char *name, enum comp_space s);
uint32_t wenc_alias_outer(struct wcomp *c, uint32_t count, uint32_t idx,
			  enum comp_space s);

/* canon options: the encoding always, memory/realloc/post-return when not
 * WRAP_NONE. */
struct wopts {
	enum comp_string_encoding encoding;
	uint32_t memory, realloc, post_return;
};
uint32_t wenc_lower(struct wcomp *c, uint32_t funcidx, const struct wopts *o);
uint32_t wenc_lift(struct wcomp *c, uint32_t core_funcidx, uint32_t typeidx,
		   const struct wopts *o);
uint32_t wenc_resource_builtin(struct wcomp *c, enum comp_canon_kind k,
			       uint32_t typeidx);
uint32_t wenc_resource_type(struct wcomp *c, uint32_t dtor_core_funcidx);

/* The shim module (table + call_indirect trampolines) and the fixup
 * module (element segment filling that table; optionally a start). */
MELD_CHECK_RESULT enum meld_status
wenc_shim_module(const struct wslot *slots, size_t n, struct bin_writer *b);
MELD_CHECK_RESULT enum meld_status
wenc_fixup_module(const struct wslot *slots, size_t n, bool start,
		  struct bin_writer *b);
/* The fused module with its start section turned into an export
 * WRAP_START_EXPORT. */
#define WRAP_START_EXPORT "meld:start"
MELD_CHECK_RESULT enum meld_status
wenc_move_start(struct wrap *w, uint32_t start_funcidx, struct bin_writer *b);

/*
 * What a shim imports beyond the interface's own types ("extra-*"): the
 * types its types refer to that must have a name (records, variants,
 * enums, flags, resources) but that the interface does not export, such
 * as the record inside a type it uses from another interface.
 */
struct wextra {
	struct wmap map;  /* canonical item → the shim's index */
	uint32_t *root;   /* per extra import: the root's type, its argument */
	size_t n, cap;
};

/* Where types are encoded: the wrapper's root, or one half (imports,
 * exports) of a shim component. */
struct wview {
	struct wcomp *c;
	bool root;
	const struct comp_export_ref *ex; /* shim: the interface's exports */
	uint32_t nex;
	uint32_t *at;                     /* per export: its index, if made */
	struct wmap *memo;                /* canonical item → index */
	struct wextra *extra;             /* shim: extra imports */
	struct wview *imp;                /* shim: the view imports are in */
};

/* ---- wrap_types.c ---------------------------------------------------- */

bool wtypes_is_resource(const struct comp_item *it);
/* The resource the wrapper defines for a canonical item, or NULL. */
struct wres *wtypes_find_res(struct wrap *w, const struct comp_item *canon);
/* An extern type with its type index `idx`. */
void wtypes_externtype(struct bin_writer *b, const struct comp_externtype *e,
		       uint32_t idx);
/* A structural copy of a value or function type in the view. */
MELD_CHECK_RESULT enum meld_status
wtypes_view_define(struct wrap *w, struct wview *v, struct comp_item *canon,
		   uint32_t *out);

MELD_CHECK_RESULT enum meld_status wtypes_init(struct wrap *w);
/* The wrapper index of the original root's type `idx` (copied once, its
 * dependencies first). */
MELD_CHECK_RESULT enum meld_status
wtypes_root(struct wrap *w, uint32_t idx, uint32_t *out);
/* The wrapper index of a resolved type item of the original (a copy of
 * a root definition when there is one, else encoded anew). */
MELD_CHECK_RESULT enum meld_status
wtypes_item(struct wrap *w, const struct comp_item *it, uint32_t *out);
/* One root import, its types first. */
MELD_CHECK_RESULT enum meld_status
wtypes_import(struct wrap *w, const struct comp_import *im);
/* The resources the root exports that the original defines: w->res. */
MELD_CHECK_RESULT enum meld_status wtypes_find_resources(struct wrap *w);
/* The wrapper type of a host resource (module, name as in inst_res). */
MELD_CHECK_RESULT enum meld_status
wtypes_host_resource(struct wrap *w, const struct inst_res *r, uint32_t *out);

/* ---- wrap_export.c --------------------------------------------------- */

/* A name inside a shim: "KIND-" and letters for k. */
char *wrap_shim_name(struct wrap *w, const char *kind, uint32_t k);
/* One root export: lifts, types and for an instance its shim component. */
MELD_CHECK_RESULT enum meld_status
wtypes_export(struct wrap *w, const struct comp_export *ex);

#endif
