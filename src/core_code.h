/*
 * core_code: instructions.  One opcode table (opcodes.def) drives decoding,
 * rewriting and encoding of function bodies and constant expressions; every
 * index-bearing immediate goes through a core_remap.  An immediate whose
 * value does not change keeps its original bytes (padded LEBs included),
 * so an identity remap reproduces the input exactly.
 */
#ifndef CORE_CODE_H
#define CORE_CODE_H

#include <stdbool.h>
#include <stdint.h>

#include "bin_read.h"
#include "bin_write.h"
#include "common.h"

/* The index spaces of a core module. */
enum core_space {
	CORE_SPACE_TYPE,
	CORE_SPACE_FUNC,
	CORE_SPACE_TABLE,
	CORE_SPACE_MEMORY,
	CORE_SPACE_GLOBAL,
	CORE_SPACE_TAG,
	CORE_SPACE_ELEM,
	CORE_SPACE_DATA,
	CORE_SPACE_COUNT
};

/*
 * Old index → new index, per space.  map[s] == NULL means identity; then
 * len[s] still bounds the valid old indices (an index >= len[s] is refused
 * as invalid).  Use UINT32_MAX in len[s] to skip bounds checking.
 */
struct core_remap {
	const uint32_t *map[CORE_SPACE_COUNT];
	uint32_t len[CORE_SPACE_COUNT];
};

/*
 * Engines refuse a function with more locals than this (an implementation
 * limit shared by V8, SpiderMonkey and Wasmtime); so does meld.
 */
#define CORE_MAX_LOCALS 50000u

/*
 * What follows an opcode.  The structured kinds (BLOCK .. TRY_TABLE) also
 * say how the instruction opens or closes a block.
 */
enum core_imm {
	CORE_IMM_UNKNOWN = 0,   /* not an instruction */
	CORE_IMM_NONE,
	CORE_IMM_BLOCK,         /* blocktype; opens block or loop */
	CORE_IMM_IF,            /* blocktype; opens if */
	CORE_IMM_ELSE,          /* only inside if */
	CORE_IMM_END,
	CORE_IMM_TRY,           /* legacy try: blocktype */
	CORE_IMM_CATCH,         /* legacy catch: tagidx, only inside try */
	CORE_IMM_CATCH_ALL,     /* legacy, only inside try */
	CORE_IMM_DELEGATE,      /* legacy: labelidx, closes a try */
	CORE_IMM_TRY_TABLE,     /* blocktype, vec(catch clause) */
	CORE_IMM_LABEL,         /* labelidx */
	CORE_IMM_BR_TABLE,      /* vec(labelidx) labelidx */
	CORE_IMM_FUNC,          /* funcidx */
	CORE_IMM_CALL_INDIRECT, /* typeidx tableidx */
	CORE_IMM_TYPE,          /* typeidx */
	CORE_IMM_LOCAL,         /* localidx */
	CORE_IMM_GLOBAL,        /* globalidx */
	CORE_IMM_TABLE,         /* tableidx */
	CORE_IMM_TAG,           /* tagidx */
	CORE_IMM_MEMARG,        /* flags [memidx] offset */
	CORE_IMM_MEMARG_LANE,   /* memarg, lane byte */
	CORE_IMM_MEM,           /* memidx */
	CORE_IMM_MEMORY_COPY,   /* memidx memidx */
	CORE_IMM_MEMORY_INIT,   /* dataidx memidx */
	CORE_IMM_DATA,          /* dataidx */
	CORE_IMM_ELEM,          /* elemidx */
	CORE_IMM_TABLE_INIT,    /* elemidx tableidx */
	CORE_IMM_TABLE_COPY,    /* tableidx tableidx */
	CORE_IMM_I32,           /* s32 */
	CORE_IMM_I64,           /* s64 */
	CORE_IMM_F32,           /* 4 bytes */
	CORE_IMM_F64,           /* 8 bytes */
	CORE_IMM_V128,          /* 16 bytes */
	CORE_IMM_SHUFFLE,       /* 16 lane bytes */
	CORE_IMM_LANE,          /* lane byte */
	CORE_IMM_SELECT_T,      /* vec(valtype) */
	CORE_IMM_HEAPTYPE,      /* heaptype */
	CORE_IMM_TYPE_FIELD,    /* typeidx fieldidx */
	CORE_IMM_TYPE_TYPE,     /* typeidx typeidx */
	CORE_IMM_TYPE_U32,      /* typeidx u32 */
	CORE_IMM_TYPE_DATA,     /* typeidx dataidx */
	CORE_IMM_TYPE_ELEM,     /* typeidx elemidx */
	CORE_IMM_BR_ON_CAST,    /* castflags labelidx heaptype heaptype */
	CORE_IMM_FENCE          /* a 0x00 byte */
};

/* Opcode prefixes; PLAIN is a single-byte opcode. */
enum core_prefix {
	CORE_PREFIX_PLAIN = 0x00,
	CORE_PREFIX_FB = 0xfb,
	CORE_PREFIX_FC = 0xfc,
	CORE_PREFIX_FD = 0xfd,
	CORE_PREFIX_FE = 0xfe
};

/* Every instruction: prefix << 16 | code, e.g. CORE_OP_MEMORY_COPY. */
enum core_opcode {
#define OP(pfx, code, ident, name, imm) \
	CORE_OP_##ident = (CORE_PREFIX_##pfx << 16) | (code),
#include "opcodes.def"
#undef OP
};

struct core_op_info {
	const char *name; /* text-format mnemonic */
	enum core_imm imm;
};

/* The rows of the single-byte opcodes (imm UNKNOWN: none, or a prefix). */
extern const struct core_op_info core_op_plain[256];

/* The table row of an opcode, or NULL when there is no such instruction. */
const struct core_op_info *core_op_lookup(enum core_prefix prefix,
					  uint32_t code);

/* Encode an opcode (its prefix byte and LEB128 code, or its one byte). */
void core_write_op(struct bin_writer *w, enum core_opcode op);

const char *core_space_name(enum core_space s);

/* Whether idx is an index of space s that m maps. */
static inline bool
core_remap_in_bounds(const struct core_remap *m, enum core_space s,
		     uint32_t idx)
{
	return idx < m->len[s] || m->len[s] == UINT32_MAX;
}

/* Identity in every space, no bounds (for checking code only). */
void core_remap_identity(struct core_remap *m);

/* Map one index; fails (invalid, at offset) when it is out of bounds. */
MELD_CHECK_RESULT enum meld_status
core_remap_index(const struct core_remap *m, enum core_space s, uint32_t idx,
		 struct bin_reader *r, size_t offset, uint32_t *out);

/*
 * Rewrite one function body (the bytes after its size: local declarations
 * then the expression up to its final `end`), from r to w.  r must span
 * exactly the body.  On success r is at its end; on failure r has not
 * moved and the diagnostic names the offset.  w may be NULL: the body is
 * then only checked.  What is checked: every opcode known, every LEB
 * well-formed, blocks balanced (else/catch/catch_all/delegate only where
 * the grammar allows them), nothing after the final end, every index in
 * bounds of its space, at most CORE_MAX_LOCALS locals.  Typing is not
 * checked.
 */
MELD_CHECK_RESULT enum meld_status
core_rewrite_body(const struct core_remap *m, struct bin_reader *r,
		  struct bin_writer *w);

/*
 * Rewrite one constant expression (global/table initialisers, element and
 * data offsets, element expressions): instructions up to and including
 * the `end` that closes it; r is left just past that `end`.  Any
 * instruction is accepted (extended-const and GC allow many; which ones
 * are constant is validation, not decoding).  w may be NULL.
 */
MELD_CHECK_RESULT enum meld_status
core_rewrite_const_expr(const struct core_remap *m, struct bin_reader *r,
			struct bin_writer *w);

/*
 * Value types, heap types and reference types as they appear in types,
 * locals, globals, tables and instructions: type indices inside them are
 * remapped.  These read from r and write to w (w may be NULL).  A storage
 * type (struct and array fields) is a value type or a packed i8/i16.
 */
MELD_CHECK_RESULT enum meld_status
core_rewrite_valtype(const struct core_remap *m, struct bin_reader *r,
		     struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_rewrite_heaptype(const struct core_remap *m, struct bin_reader *r,
		      struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_rewrite_reftype(const struct core_remap *m, struct bin_reader *r,
		     struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_rewrite_storagetype(const struct core_remap *m, struct bin_reader *r,
			 struct bin_writer *w);

#endif
