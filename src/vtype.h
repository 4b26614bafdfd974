/*
 * vtype: resolved component value types (Explainer.md "Type Definitions").
 *
 * A vtype is a tree (a DAG when parts are shared) that no longer refers to
 * any component's index spaces: the instantiation pass converts the scoped
 * types of comp.h into these, once per type definition it meets.  Labels
 * point into the input bytes.  Resource types are identity objects (one
 * struct vtype_resource per resource type definition per component
 * instance); own/borrow point to them and equality compares them by
 * address.
 *
 * Every constructor computes the node's canonical ABI facts (struct
 * vtype_info, filled by abi_info_compute from the children's facts), so
 * layout questions cost O(1) or O(children) and never walk a whole tree.
 * Constructors copy the caller's arrays into the arena and return NULL
 * when out of memory (vtype_prim also for a kind that is not primitive).  A type that the component model forbids (an empty
 * record, flags with 33 labels, a type too large for the canonical ABI)
 * can still be built; its info records the problem and abi_check reports
 * it.
 */
#ifndef VTYPE_H
#define VTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bin_read.h"

/* Kinds carry the binary opcodes of primvaltype / defvaltype. */
enum vtype_kind {
	VTYPE_BOOL = 0x7f,
	VTYPE_S8 = 0x7e,
	VTYPE_U8 = 0x7d,
	VTYPE_S16 = 0x7c,
	VTYPE_U16 = 0x7b,
	VTYPE_S32 = 0x7a,
	VTYPE_U32 = 0x79,
	VTYPE_S64 = 0x78,
	VTYPE_U64 = 0x77,
	VTYPE_F32 = 0x76,
	VTYPE_F64 = 0x75,
	VTYPE_CHAR = 0x74,
	VTYPE_STRING = 0x73,
	VTYPE_ERROR_CONTEXT = 0x64,
	VTYPE_RECORD = 0x72,
	VTYPE_VARIANT = 0x71,
	VTYPE_LIST = 0x70,
	VTYPE_FIXED_LIST = 0x67,
	VTYPE_TUPLE = 0x6f,
	VTYPE_FLAGS = 0x6e,
	VTYPE_ENUM = 0x6d,
	VTYPE_OPTION = 0x6b,
	VTYPE_RESULT = 0x6a,
	VTYPE_OWN = 0x69,
	VTYPE_BORROW = 0x68,
	VTYPE_STREAM = 0x66,
	VTYPE_FUTURE = 0x65,
	VTYPE_MAP = 0x63
};

/*
 * A resource type.  The instantiation pass creates one per resource type
 * definition per component instance and fills what it knows; vtype itself
 * only uses the address (identity), `id` (stable order, printing) and
 * `name` (printing).
 */
struct vtype_resource {
	uint32_t id;            /* unique in the session, in creation order */
	struct bin_name name;   /* the export/import name, or empty */
	uint32_t instance;      /* the defining component instance */
	uint8_t rep;            /* core valtype code of the representation */
	bool has_dtor;
	uint32_t dtor_funcidx;  /* in whatever space the pass chooses */
	void *pass_data;        /* free for the instantiation/plan passes */
};

/* Pointer widths: index into vtype_info arrays (see enum abi_ptr). */
#define VTYPE_NPTR 2

/*
 * Canonical ABI facts about one node, computed at construction (abi.c).
 * `size`/`align` per pointer width (i32, i64 memories); a size of
 * VTYPE_SIZE_TOO_BIG means elem_size reached 2^28 (or overflowed), which
 * validation forbids.  `flat` is the flat value count, saturating at
 * VTYPE_FLAT_CAP ("more than MAX_FLAT_PARAMS").  `tree_size` counts nodes
 * as if shared parts were copied (wasmparser's "effective type size"),
 * saturating; `depth` is the nesting depth (a primitive has depth 1).
 */
#define VTYPE_SIZE_TOO_BIG UINT32_MAX
#define VTYPE_FLAT_CAP 17u

/*
 * meld's own limits on a type (MELD_EUNSUPPORTED beyond them), so that no
 * walk over a type recurses too deep or visits too many nodes: nesting
 * depth, and wasmparser's "effective type size" (shared parts counted
 * each time they are used).  Walkers refuse types beyond them.
 */
#define VTYPE_MAX_DEPTH 1000u
#define VTYPE_MAX_TREE_SIZE 1000000u

/* Properties of a type and everything in it. */
enum vtype_prop {
	VTYPE_P_STRING = 1u << 0,  /* contains string */
	VTYPE_P_LIST = 1u << 1,    /* contains a variable-length list or map */
	VTYPE_P_OWN = 1u << 2,
	VTYPE_P_BORROW = 1u << 3,
	VTYPE_P_ASYNC = 1u << 4,   /* contains stream or future */
	VTYPE_P_ERRCTX = 1u << 5,  /* contains error-context */
	VTYPE_P_FLOAT = 1u << 6    /* contains f32 or f64 */
};

/* Why a type is not a valid component value type (first problem found). */
enum vtype_problem {
	VTYPE_OK = 0,
	VTYPE_BAD_EMPTY,      /* record, tuple, variant or enum without members */
	VTYPE_BAD_FLAGS,      /* flags with 0 or more than 32 labels */
	VTYPE_BAD_LENGTH,     /* fixed-length list of length 0 */
	VTYPE_BAD_TOO_BIG,    /* elem_size(t, i64) >= 2^28 */
	VTYPE_BAD_TOO_DEEP,   /* nesting deeper than VTYPE_MAX_DEPTH */
	VTYPE_BAD_TOO_LARGE   /* tree_size above VTYPE_MAX_TREE_SIZE */
};

struct vtype_info {
	uint32_t size[VTYPE_NPTR];
	uint8_t align[VTYPE_NPTR];
	uint8_t flat;
	uint8_t problem;   /* enum vtype_problem */
	uint32_t props;    /* enum vtype_prop bits */
	uint32_t depth;
	uint32_t tree_size;
	uint32_t hash;     /* structural; equal types hash equally */
};

/*
 * One node.  Which fields are used depends on the kind:
 *   record:      count fields, labels[count], types[count]
 *   tuple:       count elements, types[count]
 *   variant:     count cases, labels[count], types[count] (NULL: no payload)
 *   enum, flags: count labels, labels[count]
 *   list:        elem
 *   fixed list:  elem, length
 *   option:      elem
 *   result:      count 2, types[0] ok, types[1] error (NULL: none)
 *   own, borrow: resource
 *   stream, future: elem (NULL: none)
 *   map:         count 2, types[0] key, types[1] value; elem is the
 *                synthesised tuple<key, value> it despecialises through
 * `name` (optional) is printed instead of the structure.
 */
struct vtype {
	enum vtype_kind kind;
	uint32_t count;
	const struct vtype *const *types;
	const struct bin_name *labels;
	const struct vtype *elem;
	uint32_t length;
	const struct vtype_resource *resource;
	struct bin_name name;
	struct vtype_info info;
};

/* A named parameter of a function type. */
struct vtype_param {
	struct bin_name label;
	const struct vtype *type;
};

/* A component function type; result NULL when there is none. */
struct vtype_func {
	bool async;
	uint32_t nparams;
	const struct vtype_param *params;
	const struct vtype *result;
};

/* Primitives: bool .. string, error-context. */
struct vtype *vtype_prim(struct arena *a, enum vtype_kind kind);
struct vtype *vtype_record(struct arena *a, const struct bin_name *labels,
			   const struct vtype *const *types, uint32_t n);
struct vtype *vtype_tuple(struct arena *a, const struct vtype *const *types,
			  uint32_t n);
/* types may be NULL (no case has a payload) or hold NULLs. */
struct vtype *vtype_variant(struct arena *a, const struct bin_name *labels,
			    const struct vtype *const *types, uint32_t n);
struct vtype *vtype_enum(struct arena *a, const struct bin_name *labels,
			 uint32_t n);
struct vtype *vtype_flags(struct arena *a, const struct bin_name *labels,
			  uint32_t n);
struct vtype *vtype_list(struct arena *a, const struct vtype *elem);
struct vtype *vtype_fixed_list(struct arena *a, const struct vtype *elem,
			       uint32_t length);
struct vtype *vtype_option(struct arena *a, const struct vtype *t);
/* ok and err may be NULL. */
struct vtype *vtype_result(struct arena *a, const struct vtype *ok,
			   const struct vtype *err);
struct vtype *vtype_own(struct arena *a, const struct vtype_resource *r);
struct vtype *vtype_borrow(struct arena *a, const struct vtype_resource *r);
/* elem may be NULL. */
struct vtype *vtype_stream(struct arena *a, const struct vtype *elem);
struct vtype *vtype_future(struct arena *a, const struct vtype *elem);
struct vtype *vtype_map(struct arena *a, const struct vtype *key,
			const struct vtype *value);

/* A function type; params are copied.  NULL when out of memory. */
struct vtype_func *vtype_func_create(struct arena *a, bool async,
				     const struct vtype_param *params,
				     uint32_t nparams,
				     const struct vtype *result);

/* True for bool .. char (the kinds that are one scalar value). */
bool vtype_is_prim(enum vtype_kind kind);

/*
 * Structural equality: kinds, labels, lengths and children equal,
 * resources the same object.  Names given with `name` do not count.
 */
bool vtype_equal(const struct vtype *a, const struct vtype *b);
bool vtype_func_equal(const struct vtype_func *a, const struct vtype_func *b);

/*
 * WIT-like text for diagnostics: "list<string>", "record { a: u32 }",
 * "own<file>".  Named nodes print as their name.  Always NUL-terminates;
 * text that does not fit ends in "...".  Returns buf.
 */
const char *vtype_print(const struct vtype *t, char *buf, size_t cap);
const char *vtype_func_print(const struct vtype_func *f, char *buf,
			     size_t cap);

/* "u32", "record", "error-context", ... */
const char *vtype_kind_name(enum vtype_kind kind);

#endif
