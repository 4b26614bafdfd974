/*
 * cgen: a builder for the function bodies meld generates (adapters, handle
 * tables, the start function).  A body under construction holds its
 * locals as (count, type) runs, added on demand after the parameters, and
 * its code; each instruction has one emitter.  Errors are sticky: a misuse
 * (unbalanced end, branch to a label that does not exist, alignment above
 * the natural one, too many locals) or an allocation failure is recorded
 * once and reported by cgen_finish, so emitting code needs no checks.
 *
 * Opcodes come from the one opcode table (opcodes.def via core_code.h).
 */
#ifndef CGEN_H
#define CGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "bin_write.h"
#include "common.h"
#include "core_code.h"

/* Value types of locals and block results (their binary codes). */
enum cgen_valtype {
	CGEN_I32 = 0x7f,
	CGEN_I64 = 0x7e,
	CGEN_F32 = 0x7d,
	CGEN_F64 = 0x7c,
	CGEN_V128 = 0x7b,
	CGEN_FUNCREF = 0x70,
	CGEN_EXTERNREF = 0x6f,
	CGEN_VOID = 0x40 /* the empty block type; not for locals */
};

struct cgen_local_run {
	uint32_t count;
	enum cgen_valtype type;
};

/* What opened a structured block (for else/end checking). */
enum cgen_block_kind {
	CGEN_BLOCK_BLOCK,
	CGEN_BLOCK_LOOP,
	CGEN_BLOCK_IF,
	CGEN_BLOCK_ELSE
};

struct cgen_func {
	uint32_t nparams;
	uint32_t nlocals; /* declared after the parameters */
	struct cgen_local_run *runs;
	uint32_t nruns, runs_cap;
	uint8_t *blocks; /* enum cgen_block_kind of each open block */
	uint32_t depth, blocks_cap;
	struct bin_writer code;
	enum meld_status err;
};

/* A body whose first nparams locals are the function's parameters. */
void cgen_func_init(struct cgen_func *f, uint32_t nparams);
void cgen_func_clear(struct cgen_func *f);

/* A new local of type t; returns its index (after params and locals). */
uint32_t cgen_local(struct cgen_func *f, enum cgen_valtype t);

/* The first error so far (MELD_OK while all is well). */
enum meld_status cgen_status(const struct cgen_func *f);

/*
 * Write the body as the code section holds it: u32 size, local
 * declarations, the code, the final end.  Fails on a recorded error or
 * when blocks are still open; f is left as it was, so it can be finished
 * again into another writer.
 */
MELD_CHECK_RESULT enum meld_status cgen_finish(struct cgen_func *f,
					       struct bin_writer *w);

/* Any instruction without immediates (numeric, drop, select, ...). */
void cgen_op(struct cgen_func *f, enum core_opcode op);

/* Control */
void cgen_unreachable(struct cgen_func *f);
void cgen_nop(struct cgen_func *f);
void cgen_block(struct cgen_func *f, enum cgen_valtype bt);
void cgen_loop(struct cgen_func *f, enum cgen_valtype bt);
void cgen_if(struct cgen_func *f, enum cgen_valtype bt);
void cgen_else(struct cgen_func *f);
void cgen_end(struct cgen_func *f);
/* Label depths count outwards from the innermost open block (0). */
void cgen_br(struct cgen_func *f, uint32_t depth);
void cgen_br_if(struct cgen_func *f, uint32_t depth);
void cgen_br_table(struct cgen_func *f, const uint32_t *depths, uint32_t n,
		   uint32_t default_depth);
/* br_table 0 1 .. n-1 default: a dense dispatch, value i to label i. */
void cgen_br_table_seq(struct cgen_func *f, uint32_t n,
		       uint32_t default_depth);
void cgen_return(struct cgen_func *f);
void cgen_call(struct cgen_func *f, uint32_t funcidx);
void cgen_call_indirect(struct cgen_func *f, uint32_t typeidx,
			uint32_t tableidx);
void cgen_return_call(struct cgen_func *f, uint32_t funcidx);
void cgen_drop(struct cgen_func *f);
void cgen_select(struct cgen_func *f);

/* Variables */
void cgen_local_get(struct cgen_func *f, uint32_t localidx);
void cgen_local_set(struct cgen_func *f, uint32_t localidx);
void cgen_local_tee(struct cgen_func *f, uint32_t localidx);
void cgen_global_get(struct cgen_func *f, uint32_t globalidx);
void cgen_global_set(struct cgen_func *f, uint32_t globalidx);

/* Constants; floats are given as their bit patterns. */
void cgen_i32_const(struct cgen_func *f, int32_t v);
void cgen_i64_const(struct cgen_func *f, int64_t v);
void cgen_f32_const(struct cgen_func *f, uint32_t bits);
void cgen_f64_const(struct cgen_func *f, uint64_t bits);

/*
 * A load or store: `natural_log2` is log2 of the access width, which
 * `align_log2` may not exceed.  The memarg names the memory (flags bit 6
 * set, then memidx) only when memidx is not 0.  The offset is a u64 so
 * memory64 accesses fit.
 */
void cgen_memop(struct cgen_func *f, enum core_opcode op,
		unsigned natural_log2, uint32_t memidx, unsigned align_log2,
		uint64_t offset);

/* Memory (bulk memory, multi-memory) */
void cgen_memory_size(struct cgen_func *f, uint32_t memidx);
void cgen_memory_grow(struct cgen_func *f, uint32_t memidx);
void cgen_memory_copy(struct cgen_func *f, uint32_t dst_memidx,
		      uint32_t src_memidx);
void cgen_memory_fill(struct cgen_func *f, uint32_t memidx);

/* Tables and references */
void cgen_table_get(struct cgen_func *f, uint32_t tableidx);
void cgen_table_set(struct cgen_func *f, uint32_t tableidx);
void cgen_table_grow(struct cgen_func *f, uint32_t tableidx);
void cgen_table_size(struct cgen_func *f, uint32_t tableidx);
void cgen_table_fill(struct cgen_func *f, uint32_t tableidx);
void cgen_ref_func(struct cgen_func *f, uint32_t funcidx);
/* ref.null of an abstract heap type: CGEN_FUNCREF or CGEN_EXTERNREF. */
void cgen_ref_null(struct cgen_func *f, enum cgen_valtype reftype);
void cgen_ref_is_null(struct cgen_func *f);

/* ---- one emitter per load and store --------------------------------- */

#define CGEN_MEMOP(name, op, log2)                                          \
	static inline void name(struct cgen_func *f, uint32_t memidx,       \
				unsigned align_log2, uint64_t offset)       \
	{                                                                   \
		cgen_memop(f, op, log2, memidx, align_log2, offset);        \
	}
CGEN_MEMOP(cgen_i32_load, CORE_OP_I32_LOAD, 2)
CGEN_MEMOP(cgen_i64_load, CORE_OP_I64_LOAD, 3)
CGEN_MEMOP(cgen_f32_load, CORE_OP_F32_LOAD, 2)
CGEN_MEMOP(cgen_f64_load, CORE_OP_F64_LOAD, 3)
CGEN_MEMOP(cgen_i32_load8_s, CORE_OP_I32_LOAD8_S, 0)
CGEN_MEMOP(cgen_i32_load8_u, CORE_OP_I32_LOAD8_U, 0)
CGEN_MEMOP(cgen_i32_load16_s, CORE_OP_I32_LOAD16_S, 1)
CGEN_MEMOP(cgen_i32_load16_u, CORE_OP_I32_LOAD16_U, 1)
CGEN_MEMOP(cgen_i64_load8_s, CORE_OP_I64_LOAD8_S, 0)
CGEN_MEMOP(cgen_i64_load8_u, CORE_OP_I64_LOAD8_U, 0)
CGEN_MEMOP(cgen_i64_load16_s, CORE_OP_I64_LOAD16_S, 1)
CGEN_MEMOP(cgen_i64_load16_u, CORE_OP_I64_LOAD16_U, 1)
CGEN_MEMOP(cgen_i64_load32_s, CORE_OP_I64_LOAD32_S, 2)
CGEN_MEMOP(cgen_i64_load32_u, CORE_OP_I64_LOAD32_U, 2)
CGEN_MEMOP(cgen_i32_store, CORE_OP_I32_STORE, 2)
CGEN_MEMOP(cgen_i64_store, CORE_OP_I64_STORE, 3)
CGEN_MEMOP(cgen_f32_store, CORE_OP_F32_STORE, 2)
CGEN_MEMOP(cgen_f64_store, CORE_OP_F64_STORE, 3)
CGEN_MEMOP(cgen_i32_store8, CORE_OP_I32_STORE8, 0)
CGEN_MEMOP(cgen_i32_store16, CORE_OP_I32_STORE16, 1)
CGEN_MEMOP(cgen_i64_store8, CORE_OP_I64_STORE8, 0)
CGEN_MEMOP(cgen_i64_store16, CORE_OP_I64_STORE16, 1)
CGEN_MEMOP(cgen_i64_store32, CORE_OP_I64_STORE32, 2)
#undef CGEN_MEMOP

/* ---- one emitter per numeric instruction ---------------------------- */

#define CGEN_NUM(name, op)                                                  \
	static inline void name(struct cgen_func *f)                        \
	{                                                                   \
		cgen_op(f, op);                                             \
	}
/* i32 */
CGEN_NUM(cgen_i32_eqz, CORE_OP_I32_EQZ)
CGEN_NUM(cgen_i32_eq, CORE_OP_I32_EQ)
CGEN_NUM(cgen_i32_ne, CORE_OP_I32_NE)
CGEN_NUM(cgen_i32_lt_s, CORE_OP_I32_LT_S)
CGEN_NUM(cgen_i32_lt_u, CORE_OP_I32_LT_U)
CGEN_NUM(cgen_i32_gt_s, CORE_OP_I32_GT_S)
CGEN_NUM(cgen_i32_gt_u, CORE_OP_I32_GT_U)
CGEN_NUM(cgen_i32_le_s, CORE_OP_I32_LE_S)
CGEN_NUM(cgen_i32_le_u, CORE_OP_I32_LE_U)
CGEN_NUM(cgen_i32_ge_s, CORE_OP_I32_GE_S)
CGEN_NUM(cgen_i32_ge_u, CORE_OP_I32_GE_U)
CGEN_NUM(cgen_i32_clz, CORE_OP_I32_CLZ)
CGEN_NUM(cgen_i32_ctz, CORE_OP_I32_CTZ)
CGEN_NUM(cgen_i32_popcnt, CORE_OP_I32_POPCNT)
CGEN_NUM(cgen_i32_add, CORE_OP_I32_ADD)
CGEN_NUM(cgen_i32_sub, CORE_OP_I32_SUB)
CGEN_NUM(cgen_i32_mul, CORE_OP_I32_MUL)
CGEN_NUM(cgen_i32_div_s, CORE_OP_I32_DIV_S)
CGEN_NUM(cgen_i32_div_u, CORE_OP_I32_DIV_U)
CGEN_NUM(cgen_i32_rem_s, CORE_OP_I32_REM_S)
CGEN_NUM(cgen_i32_rem_u, CORE_OP_I32_REM_U)
CGEN_NUM(cgen_i32_and, CORE_OP_I32_AND)
CGEN_NUM(cgen_i32_or, CORE_OP_I32_OR)
CGEN_NUM(cgen_i32_xor, CORE_OP_I32_XOR)
CGEN_NUM(cgen_i32_shl, CORE_OP_I32_SHL)
CGEN_NUM(cgen_i32_shr_s, CORE_OP_I32_SHR_S)
CGEN_NUM(cgen_i32_shr_u, CORE_OP_I32_SHR_U)
CGEN_NUM(cgen_i32_rotl, CORE_OP_I32_ROTL)
CGEN_NUM(cgen_i32_rotr, CORE_OP_I32_ROTR)
/* i64 */
CGEN_NUM(cgen_i64_eqz, CORE_OP_I64_EQZ)
CGEN_NUM(cgen_i64_eq, CORE_OP_I64_EQ)
CGEN_NUM(cgen_i64_ne, CORE_OP_I64_NE)
CGEN_NUM(cgen_i64_lt_s, CORE_OP_I64_LT_S)
CGEN_NUM(cgen_i64_lt_u, CORE_OP_I64_LT_U)
CGEN_NUM(cgen_i64_gt_s, CORE_OP_I64_GT_S)
CGEN_NUM(cgen_i64_gt_u, CORE_OP_I64_GT_U)
CGEN_NUM(cgen_i64_le_s, CORE_OP_I64_LE_S)
CGEN_NUM(cgen_i64_le_u, CORE_OP_I64_LE_U)
CGEN_NUM(cgen_i64_ge_s, CORE_OP_I64_GE_S)
CGEN_NUM(cgen_i64_ge_u, CORE_OP_I64_GE_U)
CGEN_NUM(cgen_i64_clz, CORE_OP_I64_CLZ)
CGEN_NUM(cgen_i64_ctz, CORE_OP_I64_CTZ)
CGEN_NUM(cgen_i64_popcnt, CORE_OP_I64_POPCNT)
CGEN_NUM(cgen_i64_add, CORE_OP_I64_ADD)
CGEN_NUM(cgen_i64_sub, CORE_OP_I64_SUB)
CGEN_NUM(cgen_i64_mul, CORE_OP_I64_MUL)
CGEN_NUM(cgen_i64_div_s, CORE_OP_I64_DIV_S)
CGEN_NUM(cgen_i64_div_u, CORE_OP_I64_DIV_U)
CGEN_NUM(cgen_i64_rem_s, CORE_OP_I64_REM_S)
CGEN_NUM(cgen_i64_rem_u, CORE_OP_I64_REM_U)
CGEN_NUM(cgen_i64_and, CORE_OP_I64_AND)
CGEN_NUM(cgen_i64_or, CORE_OP_I64_OR)
CGEN_NUM(cgen_i64_xor, CORE_OP_I64_XOR)
CGEN_NUM(cgen_i64_shl, CORE_OP_I64_SHL)
CGEN_NUM(cgen_i64_shr_s, CORE_OP_I64_SHR_S)
CGEN_NUM(cgen_i64_shr_u, CORE_OP_I64_SHR_U)
CGEN_NUM(cgen_i64_rotl, CORE_OP_I64_ROTL)
CGEN_NUM(cgen_i64_rotr, CORE_OP_I64_ROTR)
/* f32, f64 */
CGEN_NUM(cgen_f32_eq, CORE_OP_F32_EQ)
CGEN_NUM(cgen_f32_ne, CORE_OP_F32_NE)
CGEN_NUM(cgen_f32_lt, CORE_OP_F32_LT)
CGEN_NUM(cgen_f32_gt, CORE_OP_F32_GT)
CGEN_NUM(cgen_f32_le, CORE_OP_F32_LE)
CGEN_NUM(cgen_f32_ge, CORE_OP_F32_GE)
CGEN_NUM(cgen_f32_abs, CORE_OP_F32_ABS)
CGEN_NUM(cgen_f32_neg, CORE_OP_F32_NEG)
CGEN_NUM(cgen_f32_add, CORE_OP_F32_ADD)
CGEN_NUM(cgen_f32_sub, CORE_OP_F32_SUB)
CGEN_NUM(cgen_f32_mul, CORE_OP_F32_MUL)
CGEN_NUM(cgen_f32_div, CORE_OP_F32_DIV)
CGEN_NUM(cgen_f64_eq, CORE_OP_F64_EQ)
CGEN_NUM(cgen_f64_ne, CORE_OP_F64_NE)
CGEN_NUM(cgen_f64_lt, CORE_OP_F64_LT)
CGEN_NUM(cgen_f64_gt, CORE_OP_F64_GT)
CGEN_NUM(cgen_f64_le, CORE_OP_F64_LE)
CGEN_NUM(cgen_f64_ge, CORE_OP_F64_GE)
CGEN_NUM(cgen_f64_abs, CORE_OP_F64_ABS)
CGEN_NUM(cgen_f64_neg, CORE_OP_F64_NEG)
CGEN_NUM(cgen_f64_add, CORE_OP_F64_ADD)
CGEN_NUM(cgen_f64_sub, CORE_OP_F64_SUB)
CGEN_NUM(cgen_f64_mul, CORE_OP_F64_MUL)
CGEN_NUM(cgen_f64_div, CORE_OP_F64_DIV)
/* conversions */
CGEN_NUM(cgen_i32_wrap_i64, CORE_OP_I32_WRAP_I64)
CGEN_NUM(cgen_i64_extend_i32_s, CORE_OP_I64_EXTEND_I32_S)
CGEN_NUM(cgen_i64_extend_i32_u, CORE_OP_I64_EXTEND_I32_U)
CGEN_NUM(cgen_i32_extend8_s, CORE_OP_I32_EXTEND8_S)
CGEN_NUM(cgen_i32_extend16_s, CORE_OP_I32_EXTEND16_S)
CGEN_NUM(cgen_i64_extend8_s, CORE_OP_I64_EXTEND8_S)
CGEN_NUM(cgen_i64_extend16_s, CORE_OP_I64_EXTEND16_S)
CGEN_NUM(cgen_i64_extend32_s, CORE_OP_I64_EXTEND32_S)
CGEN_NUM(cgen_i32_reinterpret_f32, CORE_OP_I32_REINTERPRET_F32)
CGEN_NUM(cgen_i64_reinterpret_f64, CORE_OP_I64_REINTERPRET_F64)
CGEN_NUM(cgen_f32_reinterpret_i32, CORE_OP_F32_REINTERPRET_I32)
CGEN_NUM(cgen_f64_reinterpret_i64, CORE_OP_F64_REINTERPRET_I64)
CGEN_NUM(cgen_f32_demote_f64, CORE_OP_F32_DEMOTE_F64)
CGEN_NUM(cgen_f64_promote_f32, CORE_OP_F64_PROMOTE_F32)
CGEN_NUM(cgen_f32_convert_i32_s, CORE_OP_F32_CONVERT_I32_S)
CGEN_NUM(cgen_f32_convert_i32_u, CORE_OP_F32_CONVERT_I32_U)
CGEN_NUM(cgen_f64_convert_i32_s, CORE_OP_F64_CONVERT_I32_S)
CGEN_NUM(cgen_f64_convert_i32_u, CORE_OP_F64_CONVERT_I32_U)
CGEN_NUM(cgen_i32_trunc_sat_f32_s, CORE_OP_I32_TRUNC_SAT_F32_S)
CGEN_NUM(cgen_i32_trunc_sat_f32_u, CORE_OP_I32_TRUNC_SAT_F32_U)
CGEN_NUM(cgen_i32_trunc_sat_f64_s, CORE_OP_I32_TRUNC_SAT_F64_S)
CGEN_NUM(cgen_i32_trunc_sat_f64_u, CORE_OP_I32_TRUNC_SAT_F64_U)
#undef CGEN_NUM

#endif
