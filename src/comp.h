/*
 * comp: the component IR (spec: Binary.md, Explainer.md).
 *
 * comp_read turns a component binary into a tree of struct comp_component,
 * one per component definition (the root and every nested component).  A
 * component keeps:
 *   - its definitions in binary order (defs[]): the instantiation pass walks
 *     them in that order, like a runtime instantiating the component;
 *   - one array per kind of definition (core_modules, aliases, canons, ...),
 *     which defs[] indexes;
 *   - every index space (core funcs ... instances) in binary order, each
 *     entry saying which definition created it.
 * Enumerators carry binary values where the format gives one.  Names,
 * module bodies and custom section payloads point into the input, which
 * must outlive the IR.  Every offset is relative to the start of the file,
 * also inside nested components.
 *
 * Files: comp_read.c (sections, definitions), comp_types.c (types, names,
 * aliases, core types), comp_valid*.c (comp_validate), comp_scope.c (what
 * an index refers to, through aliases, imports and instantiation: used by
 * validation and the WIT printer), wit.c, inspect.c.
 *
 * Where the reader follows wasm-tools rather than Binary.md (both are
 * gated features no other encoder writes): a value extern type (🪙) is a
 * bare valtype, and thread.spawn-ref/-indirect/available-parallelism (🧵②)
 * carry no `shared?` byte.  canonopt 0x08 core-type and 0x09 gc (wasm-tools
 * GC extensions) are read too.
 */
#ifndef COMP_H
#define COMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bin_read.h"
#include "common.h"
#include "diag.h"

/* ---- sorts and index spaces ---------------------------------------- */

/* core:sort (Binary.md "Instance Definitions"). */
enum comp_core_sort {
	COMP_CORE_SORT_FUNC = 0x00,
	COMP_CORE_SORT_TABLE = 0x01,
	COMP_CORE_SORT_MEMORY = 0x02,
	COMP_CORE_SORT_GLOBAL = 0x03,
	COMP_CORE_SORT_TAG = 0x04,
	COMP_CORE_SORT_TYPE = 0x10,
	COMP_CORE_SORT_MODULE = 0x11,
	COMP_CORE_SORT_INSTANCE = 0x12
};

/* sort; COMP_SORT_CORE is followed by a core:sort. */
enum comp_sort {
	COMP_SORT_CORE = 0x00,
	COMP_SORT_FUNC = 0x01,
	COMP_SORT_VALUE = 0x02,
	COMP_SORT_TYPE = 0x03,
	COMP_SORT_COMPONENT = 0x04,
	COMP_SORT_INSTANCE = 0x05
};

/* The thirteen index spaces of a component; a sort names exactly one. */
enum comp_space {
	COMP_SPACE_CORE_FUNC,
	COMP_SPACE_CORE_TABLE,
	COMP_SPACE_CORE_MEMORY,
	COMP_SPACE_CORE_GLOBAL,
	COMP_SPACE_CORE_TAG,
	COMP_SPACE_CORE_TYPE,
	COMP_SPACE_CORE_MODULE,
	COMP_SPACE_CORE_INSTANCE,
	COMP_SPACE_FUNC,
	COMP_SPACE_VALUE,
	COMP_SPACE_TYPE,
	COMP_SPACE_COMPONENT,
	COMP_SPACE_INSTANCE,
	COMP_SPACE_COUNT
};

/* An index into one space (a sortidx / core:sortidx). */
struct comp_sortidx {
	enum comp_space space;
	uint32_t idx;
};

/* ---- value types (Binary.md "Type Definitions") -------------------- */

/* primvaltype.  COMP_PRIM_NONE marks a valtype that is a type index. */
enum comp_prim {
	COMP_PRIM_NONE = 0,
	COMP_PRIM_BOOL = 0x7f,
	COMP_PRIM_S8 = 0x7e,
	COMP_PRIM_U8 = 0x7d,
	COMP_PRIM_S16 = 0x7c,
	COMP_PRIM_U16 = 0x7b,
	COMP_PRIM_S32 = 0x7a,
	COMP_PRIM_U32 = 0x79,
	COMP_PRIM_S64 = 0x78,
	COMP_PRIM_U64 = 0x77,
	COMP_PRIM_F32 = 0x76,
	COMP_PRIM_F64 = 0x75,
	COMP_PRIM_CHAR = 0x74,
	COMP_PRIM_STRING = 0x73,
	COMP_PRIM_ERROR_CONTEXT = 0x64
};

/* valtype: a primitive, or an index into the type space of its scope. */
struct comp_valtype {
	enum comp_prim prim; /* COMP_PRIM_NONE: use typeidx */
	uint32_t typeidx;
};

/* defvaltype opcodes; COMP_DEFVAL_PRIM stands for any primvaltype. */
enum comp_defval_kind {
	COMP_DEFVAL_PRIM = 0x00,
	COMP_DEFVAL_RECORD = 0x72,
	COMP_DEFVAL_VARIANT = 0x71,
	COMP_DEFVAL_LIST = 0x70,
	COMP_DEFVAL_FIXED_LIST = 0x67,
	COMP_DEFVAL_TUPLE = 0x6f,
	COMP_DEFVAL_FLAGS = 0x6e,
	COMP_DEFVAL_ENUM = 0x6d,
	COMP_DEFVAL_OPTION = 0x6b,
	COMP_DEFVAL_RESULT = 0x6a,
	COMP_DEFVAL_OWN = 0x69,
	COMP_DEFVAL_BORROW = 0x68,
	COMP_DEFVAL_STREAM = 0x66,
	COMP_DEFVAL_FUTURE = 0x65,
	COMP_DEFVAL_MAP = 0x63
};

/* A labelled value type: record field, function parameter. */
struct comp_field {
	struct bin_name label;
	struct comp_valtype type;
};

struct comp_case {
	struct bin_name label;
	bool has_type;
	struct comp_valtype type;
};

struct comp_defval {
	enum comp_defval_kind kind;
	union {
		enum comp_prim prim; /* PRIM */
		struct {
			struct comp_field *fields;
			uint32_t nfields;
		} record;
		struct {
			struct comp_case *cases;
			uint32_t ncases;
		} variant;
		struct {
			struct comp_valtype elem;
			uint32_t len; /* FIXED_LIST only; > 0 */
		} list;       /* LIST, FIXED_LIST */
		struct {
			struct comp_valtype *types;
			uint32_t ntypes;
		} tuple;
		struct {
			struct bin_name *labels;
			uint32_t nlabels;
		} labels;     /* FLAGS, ENUM */
		struct comp_valtype option;
		struct {
			bool has_ok, has_err;
			struct comp_valtype ok, err;
		} result;
		uint32_t resource_typeidx; /* OWN, BORROW */
		struct {
			bool has_elem;
			struct comp_valtype elem;
		} async_elem; /* STREAM, FUTURE */
		struct {
			struct comp_valtype key, value;
		} map;
	};
};

/* ---- function, resource, component and instance types -------------- */

struct comp_functype {
	bool async;                 /* opcode 0x43 instead of 0x40 */
	struct comp_field *params;
	uint32_t nparams;
	bool has_result;
	struct comp_valtype result;
};

/* Core value types, as they appear in resource reps and core types. */
enum comp_core_valtype_code {
	COMP_CORE_I32 = 0x7f,
	COMP_CORE_I64 = 0x7e,
	COMP_CORE_F32 = 0x7d,
	COMP_CORE_F64 = 0x7c,
	COMP_CORE_V128 = 0x7b,
	COMP_CORE_I8 = 0x78,   /* packed, in struct/array fields only */
	COMP_CORE_I16 = 0x77,  /* packed */
	COMP_CORE_REF = 0x64,      /* (ref ht) */
	COMP_CORE_REF_NULL = 0x63  /* (ref null ht); abbreviations map here */
};

/*
 * A core value type.  Reference types are normalised: funcref (0x70) reads
 * as code REF_NULL with heap = -0x10 (the s33 of 0x70).  heap >= 0 is a
 * core type index; negative values are abstract heap types (s33 of their
 * opcode); `shared` marks the 0x65 prefix.
 */
struct comp_core_valtype {
	enum comp_core_valtype_code code;
	int64_t heap;
	bool shared;
};

struct comp_resource {
	enum comp_core_valtype_code rep; /* i32 (or i64 with cm64) */
	size_t rep_offset;
	bool has_dtor;
	uint32_t dtor_funcidx;           /* core func space */
};

/* externtype (Binary.md "Import and Export Definitions"). */
enum comp_extern_kind {
	COMP_EXTERN_MODULE = 0x00,    /* 0x00 0x11 core:typeidx */
	COMP_EXTERN_FUNC = 0x01,
	COMP_EXTERN_VALUE = 0x02,
	COMP_EXTERN_TYPE = 0x03,
	COMP_EXTERN_COMPONENT = 0x04,
	COMP_EXTERN_INSTANCE = 0x05
};

enum comp_bound {
	COMP_BOUND_EQ = 0x00,
	COMP_BOUND_SUB_RESOURCE = 0x01 /* type bound only */
};

struct comp_externtype {
	enum comp_extern_kind kind;
	/*
	 * MODULE: core type index; FUNC, COMPONENT, INSTANCE: type index;
	 * TYPE with EQ: type index.
	 */
	uint32_t idx;
	enum comp_bound bound;     /* TYPE */
	/*
	 * VALUE (🪙): read as wasm-tools encodes it, a bare valtype (Binary.md
	 * has a `valuebound` byte that no encoder writes yet).
	 */
	bool has_value_type;
	struct comp_valtype value;
};

/* nameattributes: the name plus its optional attributes. */
struct comp_extern_name {
	uint8_t form;            /* 0x00, 0x01 or 0x02 */
	struct bin_name name;
	bool has_implements, has_version_suffix, has_external_id;
	struct bin_name implements, version_suffix, external_id;
	bool duplicate_attribute; /* an attribute kind given twice */
	size_t offset;
};

struct comp_type;
struct comp_core_typedef;

/* An alias (Binary.md "Alias Definitions"). */
enum comp_alias_kind {
	COMP_ALIAS_INSTANCE_EXPORT = 0x00,
	COMP_ALIAS_CORE_INSTANCE_EXPORT = 0x01,
	COMP_ALIAS_OUTER = 0x02
};

struct comp_alias {
	enum comp_alias_kind kind;
	enum comp_space space;       /* sort of the aliased item */
	uint32_t instanceidx;        /* *_EXPORT: (core) instance index */
	struct bin_name name;        /* *_EXPORT: export name */
	uint32_t outer_count;        /* OUTER: enclosing scopes to go up */
	uint32_t outer_idx;          /* OUTER: index in that scope's space */
	uint32_t idx;                /* the new index in `space` */
	size_t offset;
};

/* Declarators of component and instance types. */
enum comp_decl_kind {
	COMP_DECL_CORE_TYPE = 0x00,
	COMP_DECL_TYPE = 0x01,
	COMP_DECL_ALIAS = 0x02,
	COMP_DECL_IMPORT = 0x03, /* component types only */
	COMP_DECL_EXPORT = 0x04
};

struct comp_decl {
	enum comp_decl_kind kind;
	size_t offset;
	struct comp_core_typedef *core_type; /* CORE_TYPE */
	struct comp_type *type;              /* TYPE */
	struct comp_alias alias;             /* ALIAS (alias.idx is local) */
	struct comp_extern_name name;        /* IMPORT, EXPORT */
	struct comp_externtype ext;          /* IMPORT, EXPORT */
	/* Index introduced in the type's local space, or UINT32_MAX. */
	enum comp_space space;
	uint32_t local_idx;
};

/* A component or instance type: its declarators in order. */
struct comp_decltype {
	struct comp_decl *decls;
	uint32_t ndecls;
	/* Sizes of the local index spaces after the last declarator. */
	uint32_t nlocal[COMP_SPACE_COUNT];
};

enum comp_type_kind {
	COMP_TYPE_DEFVAL,   /* defvaltype, any opcode */
	COMP_TYPE_FUNC = 0x40,
	COMP_TYPE_COMPONENT = 0x41,
	COMP_TYPE_INSTANCE = 0x42,
	COMP_TYPE_RESOURCE = 0x3f
};

/* One type definition (a `type` section element or a type declarator). */
struct comp_type {
	enum comp_type_kind kind;
	size_t offset;
	union {
		struct comp_defval defval;
		struct comp_functype func;
		struct comp_decltype decl; /* COMPONENT, INSTANCE */
		struct comp_resource resource;
	};
};

/* ---- core types (Binary.md core:type) ----------------------------- */

/* Composite type opcodes (core spec, GC proposal). */
enum comp_core_comp_kind {
	COMP_CORE_COMP_FUNC = 0x60,
	COMP_CORE_COMP_STRUCT = 0x5f,
	COMP_CORE_COMP_ARRAY = 0x5e,
	COMP_CORE_COMP_CONT = 0x5d
};

struct comp_core_field {
	struct comp_core_valtype type; /* storage type (may be packed) */
	bool mut;
};

/* One sub type of a rec group: one core type index. */
struct comp_core_subtype {
	bool final;
	bool shared;
	uint32_t *supers;
	uint32_t nsupers;
	enum comp_core_comp_kind kind;
	/* FUNC */
	struct comp_core_valtype *params, *results;
	uint32_t nparams, nresults;
	/* STRUCT (fields), ARRAY (one field) */
	struct comp_core_field *fields;
	uint32_t nfields;
	uint32_t cont_typeidx; /* CONT */
};

/* core:externtype, as in core imports and module type exports. */
enum comp_core_extern_kind {
	COMP_CORE_EXTERN_FUNC = 0x00,
	COMP_CORE_EXTERN_TABLE = 0x01,
	COMP_CORE_EXTERN_MEMORY = 0x02,
	COMP_CORE_EXTERN_GLOBAL = 0x03,
	COMP_CORE_EXTERN_TAG = 0x04
};

struct comp_core_limits {
	uint8_t flags; /* bit 0 max, 1 shared, 2 64-bit, 3 page size */
	uint64_t min, max;
	uint32_t page_size_log2;
};

struct comp_core_externtype {
	enum comp_core_extern_kind kind;
	uint32_t typeidx;                /* FUNC, TAG */
	struct comp_core_valtype type;   /* TABLE (element), GLOBAL */
	struct comp_core_limits limits;  /* TABLE, MEMORY */
	bool mut;                        /* GLOBAL */
};

enum comp_module_decl_kind {
	COMP_MODULE_DECL_IMPORT = 0x00,
	COMP_MODULE_DECL_TYPE = 0x01,
	COMP_MODULE_DECL_ALIAS = 0x02, /* outer alias of a core type */
	COMP_MODULE_DECL_EXPORT = 0x03
};

struct comp_module_decl {
	enum comp_module_decl_kind kind;
	size_t offset;
	struct bin_name module, name;       /* IMPORT (module, name), EXPORT (name) */
	struct comp_core_externtype ext;    /* IMPORT, EXPORT */
	struct comp_core_typedef *type;     /* TYPE */
	uint32_t outer_count, outer_idx;    /* ALIAS */
	uint32_t local_idx;                 /* TYPE, ALIAS: local core type index */
};

/*
 * One core:type definition: a module type, or a rec group (a plain func
 * type is a rec group of one) that defines nsubs core type indices.
 */
struct comp_core_typedef {
	bool is_module;
	size_t offset;
	struct comp_module_decl *decls; /* module type */
	uint32_t ndecls;
	uint32_t nlocal_types;          /* module type: local core types */
	struct comp_core_subtype *subs; /* rec group */
	uint32_t nsubs;
	bool explicit_rec;              /* written as a 0x4e rec group */
	uint32_t first_idx;             /* first core type index it defines */
};

/* ---- definitions --------------------------------------------------- */

/* Definition kinds: the section ids that create them. */
enum comp_def_kind {
	COMP_DEF_CORE_MODULE = 1,
	COMP_DEF_CORE_INSTANCE = 2,
	COMP_DEF_CORE_TYPE = 3,
	COMP_DEF_COMPONENT = 4,
	COMP_DEF_INSTANCE = 5,
	COMP_DEF_ALIAS = 6,
	COMP_DEF_TYPE = 7,
	COMP_DEF_CANON = 8,
	COMP_DEF_START = 9,
	COMP_DEF_IMPORT = 10,
	COMP_DEF_EXPORT = 11,
	COMP_DEF_VALUE = 12
};

struct comp_def {
	enum comp_def_kind kind;
	uint32_t item; /* index into the component's array for that kind */
};

/* Where an index-space entry came from. */
struct comp_space_entry {
	enum comp_def_kind origin; /* the definition that created it */
	uint32_t item;             /* index into that kind's array */
	uint32_t sub;              /* rec group member (core types), else 0 */
};

struct core_module; /* core_module.h */

struct comp_core_module {
	const uint8_t *bytes; /* the whole module, preamble included */
	size_t len;
	size_t offset;        /* of bytes[0] in the file */
	uint32_t idx;         /* core module index */
	struct core_module *module; /* read by core_read on demand, or NULL */
};

/* A core instance: `instantiate` or a bag of inline exports. */
enum comp_instance_kind {
	COMP_INSTANCE_INSTANTIATE = 0x00,
	COMP_INSTANCE_FROM_EXPORTS = 0x01
};

/* (with name (instance i)) for core, (with name sortidx) for components. */
struct comp_arg {
	struct bin_name name;
	struct comp_sortidx ref;
	size_t offset;
};

/* An inline export of an instance built from exports. */
struct comp_inline_export {
	struct comp_extern_name name; /* core: only .name is set */
	struct comp_sortidx ref;
};

struct comp_core_instance {
	enum comp_instance_kind kind;
	size_t offset;
	uint32_t moduleidx;                 /* INSTANTIATE */
	struct comp_arg *args;              /* INSTANTIATE: (with n (instance i)) */
	uint32_t nargs;
	struct comp_inline_export *exports; /* FROM_EXPORTS */
	uint32_t nexports;
	uint32_t idx;                       /* core instance index */
};

struct comp_instance {
	enum comp_instance_kind kind;
	size_t offset;
	uint32_t componentidx;              /* INSTANTIATE */
	struct comp_arg *args;
	uint32_t nargs;
	struct comp_inline_export *exports; /* FROM_EXPORTS */
	uint32_t nexports;
	uint32_t idx;                       /* instance index */
};

/* canon opcodes (Binary.md "Canonical Definitions"). */
enum comp_canon_kind {
	COMP_CANON_LIFT = 0x00,
	COMP_CANON_LOWER = 0x01,
	COMP_CANON_RESOURCE_NEW = 0x02,
	COMP_CANON_RESOURCE_DROP = 0x03,
	COMP_CANON_RESOURCE_REP = 0x04,
	COMP_CANON_TASK_CANCEL = 0x05,
	COMP_CANON_SUBTASK_CANCEL = 0x06,
	COMP_CANON_TASK_RETURN = 0x09,
	COMP_CANON_CONTEXT_GET = 0x0a,
	COMP_CANON_CONTEXT_SET = 0x0b,
	COMP_CANON_THREAD_YIELD = 0x0c,
	COMP_CANON_SUBTASK_DROP = 0x0d,
	COMP_CANON_STREAM_NEW = 0x0e,
	COMP_CANON_STREAM_READ = 0x0f,
	COMP_CANON_STREAM_WRITE = 0x10,
	COMP_CANON_STREAM_CANCEL_READ = 0x11,
	COMP_CANON_STREAM_CANCEL_WRITE = 0x12,
	COMP_CANON_STREAM_DROP_READABLE = 0x13,
	COMP_CANON_STREAM_DROP_WRITABLE = 0x14,
	COMP_CANON_FUTURE_NEW = 0x15,
	COMP_CANON_FUTURE_READ = 0x16,
	COMP_CANON_FUTURE_WRITE = 0x17,
	COMP_CANON_FUTURE_CANCEL_READ = 0x18,
	COMP_CANON_FUTURE_CANCEL_WRITE = 0x19,
	COMP_CANON_FUTURE_DROP_READABLE = 0x1a,
	COMP_CANON_FUTURE_DROP_WRITABLE = 0x1b,
	COMP_CANON_ERROR_CONTEXT_NEW = 0x1c,
	COMP_CANON_ERROR_CONTEXT_DEBUG_MESSAGE = 0x1d,
	COMP_CANON_ERROR_CONTEXT_DROP = 0x1e,
	COMP_CANON_WAITABLE_SET_NEW = 0x1f,
	COMP_CANON_WAITABLE_SET_WAIT = 0x20,
	COMP_CANON_WAITABLE_SET_POLL = 0x21,
	COMP_CANON_WAITABLE_SET_DROP = 0x22,
	COMP_CANON_WAITABLE_JOIN = 0x23,
	COMP_CANON_BACKPRESSURE_INC = 0x24,
	COMP_CANON_BACKPRESSURE_DEC = 0x25,
	COMP_CANON_THREAD_INDEX = 0x26,
	COMP_CANON_THREAD_NEW_INDIRECT = 0x27,
	COMP_CANON_THREAD_RESUME_LATER = 0x28,
	COMP_CANON_THREAD_SUSPEND = 0x29,
	COMP_CANON_THREAD_SUSPEND_THEN_RESUME = 0x2a,
	COMP_CANON_THREAD_YIELD_THEN_RESUME = 0x2b,
	COMP_CANON_THREAD_SUSPEND_THEN_PROMOTE = 0x2c,
	COMP_CANON_THREAD_YIELD_THEN_PROMOTE = 0x2d,
	COMP_CANON_THREAD_SPAWN_REF = 0x40,
	COMP_CANON_THREAD_SPAWN_INDIRECT = 0x41,
	COMP_CANON_THREAD_AVAILABLE_PARALLELISM = 0x42
};

/* canonopt opcodes. */
enum comp_string_encoding {
	COMP_STRING_UTF8 = 0x00,
	COMP_STRING_UTF16 = 0x01,
	COMP_STRING_LATIN1_UTF16 = 0x02
};

enum comp_canonopt_code {
	COMP_OPT_UTF8 = 0x00,
	COMP_OPT_UTF16 = 0x01,
	COMP_OPT_LATIN1_UTF16 = 0x02,
	COMP_OPT_MEMORY = 0x03,
	COMP_OPT_REALLOC = 0x04,
	COMP_OPT_POST_RETURN = 0x05,
	COMP_OPT_ASYNC = 0x06,
	COMP_OPT_CALLBACK = 0x07,
	COMP_OPT_CORE_TYPE = 0x08, /* wasm-tools GC extension */
	COMP_OPT_GC = 0x09         /* wasm-tools GC extension */
};

/* The options, decoded; duplicates and conflicts are left to validation. */
struct comp_canon_opts {
	enum comp_string_encoding encoding; /* UTF8 when none given */
	bool has_encoding;
	bool has_memory, has_realloc, has_post_return, has_callback;
	bool has_core_type;
	bool async, gc;
	uint32_t memoryidx;      /* core memory */
	uint32_t realloc_funcidx, post_return_funcidx, callback_funcidx;
	uint32_t core_typeidx;
	/* the raw list, in order, for validation and printing */
	uint8_t *codes;
	uint32_t ncodes;
	size_t offset;
};

struct comp_canon {
	enum comp_canon_kind kind;
	size_t offset;
	uint32_t funcidx;  /* LIFT: core func; LOWER: func */
	uint32_t typeidx;  /* LIFT: func type; resource.*, stream.*, future.*:
			      type; THREAD_NEW_INDIRECT / SPAWN_*: core type */
	uint32_t tableidx; /* THREAD_NEW_INDIRECT, THREAD_SPAWN_INDIRECT */
	struct comp_canon_opts opts; /* LIFT, LOWER, TASK_RETURN, *_READ,
					*_WRITE, ERROR_CONTEXT_NEW/DEBUG_MESSAGE */
	/* TASK_RETURN result */
	bool has_result;
	struct comp_valtype result;
	/* CONTEXT_GET/SET: core valtype and slot */
	struct comp_core_valtype ctx_type;
	uint32_t ctx_slot;
	/*
	 * The async? or cancel? flag byte where the form has one.  The 🧵②
	 * thread.spawn-* / available-parallelism forms are read as wasm-tools
	 * encodes them, without Binary.md's future `shared?` byte.
	 */
	bool flag;
	/* the new index: LIFT → func, everything else → core func */
	enum comp_space space;
	uint32_t idx;
};

/* start (🪙): f(args) producing nresults values. */
struct comp_start {
	uint32_t funcidx;
	uint32_t *args; /* value indices */
	uint32_t nargs;
	uint32_t nresults;
	uint32_t first_result_idx; /* value index of the first result */
	size_t offset;
};

struct comp_import {
	struct comp_extern_name name;
	struct comp_externtype ext;
	enum comp_space space;
	uint32_t idx; /* the new index */
	size_t offset;
};

struct comp_export {
	struct comp_extern_name name;
	struct comp_sortidx ref;
	bool has_ascription;
	struct comp_externtype ascription;
	uint32_t idx; /* exports introduce a new index in ref.space */
	size_t offset;
};

/* value (🪙): a type and the bytes of its encoded value. */
struct comp_value {
	struct comp_valtype type;
	const uint8_t *bytes;
	uint32_t len;
	uint32_t idx;
	size_t offset;
};

/* ---- custom sections ----------------------------------------------- */

struct comp_custom {
	struct bin_name name;
	const uint8_t *payload;
	size_t len;
	size_t offset; /* of the payload */
};

/* component-name: sort names (kept only when the section reads cleanly). */
struct comp_name_assoc {
	uint32_t idx;
	struct bin_name name;
};

struct comp_sort_names {
	enum comp_space space;
	struct comp_name_assoc *names;
	uint32_t nnames;
};

struct comp_names {
	bool present;
	bool has_component_name;
	struct bin_name component_name;
	struct comp_sort_names *sorts;
	uint32_t nsorts;
};

/* producers: field → (name, version) pairs. */
struct comp_producer_value {
	struct bin_name name, version;
};

struct comp_producer_field {
	struct bin_name name;
	struct comp_producer_value *values;
	uint32_t nvalues;
};

struct comp_producers {
	bool present;
	struct comp_producer_field *fields;
	uint32_t nfields;
};

/* ---- the component -------------------------------------------------- */

struct comp_component {
	const uint8_t *bytes; /* preamble .. end */
	size_t len;
	size_t offset;        /* of bytes[0] in the file */
	struct comp_component *parent;
	uint32_t depth;       /* 0 for the root */

	struct comp_def *defs;
	size_t ndefs, defs_cap;

	/* One array per definition kind; defs[].item indexes them. */
	struct comp_core_module *core_modules;
	size_t ncore_modules, core_modules_cap;
	struct comp_core_instance *core_instances;
	size_t ncore_instances, core_instances_cap;
	struct comp_core_typedef *core_types;
	size_t ncore_types, core_types_cap;
	struct comp_component **components;
	size_t ncomponents, components_cap;
	struct comp_instance *instances;
	size_t ninstances, instances_cap;
	struct comp_alias *aliases;
	size_t naliases, aliases_cap;
	struct comp_type *types;
	size_t ntypes, types_cap;
	struct comp_canon *canons;
	size_t ncanons, canons_cap;
	struct comp_start *starts;
	size_t nstarts, starts_cap;
	struct comp_import *imports;
	size_t nimports, imports_cap;
	struct comp_export *exports;
	size_t nexports, exports_cap;
	struct comp_value *values;
	size_t nvalues, values_cap;

	/* The index spaces, in binary order. */
	struct {
		struct comp_space_entry *items;
		size_t len, cap;
	} space[COMP_SPACE_COUNT];

	struct comp_custom *customs;
	size_t ncustoms, customs_cap;
	struct comp_names names;
	struct comp_producers producers;
};

/* ---- entry points --------------------------------------------------- */

/* The preamble's layer field tells a component from a core module. */
enum comp_layer {
	COMP_LAYER_CORE = 0,
	COMP_LAYER_COMPONENT = 1,
	COMP_LAYER_UNKNOWN = -1
};

/* What the 8-byte preamble says (no diagnostic). */
enum comp_layer comp_detect(const uint8_t *bytes, size_t len);

/*
 * Read a whole component (nested components included).  Names and bodies
 * point into `bytes`.  On failure the diagnostic names `input_name` and a
 * file offset.
 */
MELD_CHECK_RESULT enum meld_status
comp_read(struct arena *a, struct diag *d, const char *input_name,
	  const uint8_t *bytes, size_t len, struct comp_component **out);

/*
 * Structural validation after reading (comp_valid.c): index bounds in
 * every space, outer alias depth, type well-formedness basics, import and
 * export names, canon options.  Refusals are MELD_EINVALID.
 */
MELD_CHECK_RESULT enum meld_status
comp_validate(struct arena *a, struct diag *d, const char *input_name,
	      struct comp_component *c);

const char *comp_space_name(enum comp_space s);
/* The space a sort (and core:sort) names; false for an unknown sort. */
bool comp_space_from_sort(uint8_t sort, uint8_t core_sort,
			  enum comp_space *out);
/* Name of a primitive ("u32", "string", ...), NULL for NONE. */
const char *comp_prim_name(enum comp_prim p);
const char *comp_canon_name(enum comp_canon_kind k);
const char *comp_def_kind_name(enum comp_def_kind k);

/* The entry of idx in space s, or NULL when out of bounds. */
const struct comp_space_entry *
comp_space_get(const struct comp_component *c, enum comp_space s,
	       uint32_t idx);

#endif
