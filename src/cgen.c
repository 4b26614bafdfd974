/*
 * cgen: encoding of generated function bodies (core spec 5.4
 * "Instructions", 5.5.13 "Code Section").  Instructions go straight into a
 * growable writer; locals are kept as runs of one type, which is exactly
 * how the code section declares them.  Structured blocks are tracked so
 * that else/end/br are checked when emitted, not discovered later by a
 * validator.
 */
#include "cgen.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Bit 6 of a memarg's flags: a memory index follows. */
#define MEMARG_HAS_MEMIDX 0x40u

static void
cgen_fail(struct cgen_func *f, enum meld_status st)
{
	if (f->err == MELD_OK)
		f->err = st;
}

void
cgen_func_init(struct cgen_func *f, uint32_t nparams)
{
	memset(f, 0, sizeof *f);
	f->nparams = nparams;
	bin_writer_init(&f->code);
	f->err = MELD_OK;
	if (nparams > CORE_MAX_LOCALS)
		f->err = MELD_EUNSUPPORTED;
}

void
cgen_func_clear(struct cgen_func *f)
{
	free(f->runs);
	free(f->blocks);
	bin_writer_clear(&f->code);
	memset(f, 0, sizeof *f);
}

enum meld_status
cgen_status(const struct cgen_func *f)
{
	if (f->err != MELD_OK)
		return f->err;
	return f->code.err;
}

/* Grow a heap array of `elem`-sized items to hold one more. */
static bool
grow(void **items, uint32_t len, uint32_t *cap, size_t elem)
{
	if (len < *cap)
		return true;
	uint32_t ncap = *cap ? *cap * 2 : 8;
	size_t bytes;
	if (ncap < *cap || !size_mul(ncap, elem, &bytes))
		return false;
	void *n = mem_realloc(*items, bytes);
	if (!n)
		return false;
	*items = n;
	*cap = ncap;
	return true;
}

uint32_t
cgen_local(struct cgen_func *f, enum cgen_valtype t)
{
	uint32_t idx = f->nparams + f->nlocals;
	if (t == CGEN_VOID) {
		cgen_fail(f, MELD_EINVALID);
		return idx;
	}
	if (idx >= CORE_MAX_LOCALS) {
		cgen_fail(f, MELD_EUNSUPPORTED);
		return idx;
	}
	if (f->nruns == 0 || f->runs[f->nruns - 1].type != t) {
		if (!grow((void **)&f->runs, f->nruns, &f->runs_cap,
			  sizeof *f->runs)) {
			cgen_fail(f, MELD_ENOMEM);
			return idx;
		}
		f->runs[f->nruns].count = 0;
		f->runs[f->nruns].type = t;
		f->nruns++;
	}
	f->runs[f->nruns - 1].count++;
	f->nlocals++;
	return idx;
}

void
cgen_op(struct cgen_func *f, enum core_opcode op)
{
	uint32_t prefix = (uint32_t)op >> 16;
	uint32_t code = (uint32_t)op & 0xffffu;
	if (prefix == CORE_PREFIX_PLAIN) {
		bin_write_u8(&f->code, (uint8_t)code);
		return;
	}
	bin_write_u8(&f->code, (uint8_t)prefix);
	bin_write_u32(&f->code, code);
}

static void
op_u32(struct cgen_func *f, enum core_opcode op, uint32_t imm)
{
	cgen_op(f, op);
	bin_write_u32(&f->code, imm);
}

/* ---- control -------------------------------------------------------- */

static void
open_block(struct cgen_func *f, enum core_opcode op, enum cgen_block_kind k,
	   enum cgen_valtype bt)
{
	if (!grow((void **)&f->blocks, f->depth, &f->blocks_cap,
		  sizeof *f->blocks)) {
		cgen_fail(f, MELD_ENOMEM);
		return;
	}
	f->blocks[f->depth++] = (uint8_t)k;
	cgen_op(f, op);
	bin_write_u8(&f->code, (uint8_t)bt);
}

void
cgen_unreachable(struct cgen_func *f)
{
	cgen_op(f, CORE_OP_UNREACHABLE);
}

void
cgen_nop(struct cgen_func *f)
{
	cgen_op(f, CORE_OP_NOP);
}

void
cgen_block(struct cgen_func *f, enum cgen_valtype bt)
{
	open_block(f, CORE_OP_BLOCK, CGEN_BLOCK_BLOCK, bt);
}

void
cgen_loop(struct cgen_func *f, enum cgen_valtype bt)
{
	open_block(f, CORE_OP_LOOP, CGEN_BLOCK_LOOP, bt);
}

void
cgen_if(struct cgen_func *f, enum cgen_valtype bt)
{
	open_block(f, CORE_OP_IF, CGEN_BLOCK_IF, bt);
}

void
cgen_else(struct cgen_func *f)
{
	if (f->depth == 0 || f->blocks[f->depth - 1] != CGEN_BLOCK_IF) {
		cgen_fail(f, MELD_EINVALID);
		return;
	}
	f->blocks[f->depth - 1] = CGEN_BLOCK_ELSE;
	cgen_op(f, CORE_OP_ELSE);
}

void
cgen_end(struct cgen_func *f)
{
	/* The function's own end is written by cgen_finish. */
	if (f->depth == 0) {
		cgen_fail(f, MELD_EINVALID);
		return;
	}
	f->depth--;
	cgen_op(f, CORE_OP_END);
}

/* A label may name any open block or the function body itself. */
static bool
label_ok(struct cgen_func *f, uint32_t depth)
{
	if (depth > f->depth) {
		cgen_fail(f, MELD_EINVALID);
		return false;
	}
	return true;
}

void
cgen_br(struct cgen_func *f, uint32_t depth)
{
	if (label_ok(f, depth))
		op_u32(f, CORE_OP_BR, depth);
}

void
cgen_br_if(struct cgen_func *f, uint32_t depth)
{
	if (label_ok(f, depth))
		op_u32(f, CORE_OP_BR_IF, depth);
}

void
cgen_br_table(struct cgen_func *f, const uint32_t *depths, uint32_t n,
	      uint32_t default_depth)
{
	for (uint32_t i = 0; i < n; i++)
		if (!label_ok(f, depths[i]))
			return;
	if (!label_ok(f, default_depth))
		return;
	op_u32(f, CORE_OP_BR_TABLE, n);
	for (uint32_t i = 0; i < n; i++)
		bin_write_u32(&f->code, depths[i]);
	bin_write_u32(&f->code, default_depth);
}

void
cgen_br_table_seq(struct cgen_func *f, uint32_t n, uint32_t default_depth)
{
	if ((n > 0 && !label_ok(f, n - 1)) || !label_ok(f, default_depth))
		return;
	op_u32(f, CORE_OP_BR_TABLE, n);
	for (uint32_t i = 0; i < n; i++)
		bin_write_u32(&f->code, i);
	bin_write_u32(&f->code, default_depth);
}

void
cgen_return(struct cgen_func *f)
{
	cgen_op(f, CORE_OP_RETURN);
}

void
cgen_call(struct cgen_func *f, uint32_t funcidx)
{
	op_u32(f, CORE_OP_CALL, funcidx);
}

void
cgen_call_indirect(struct cgen_func *f, uint32_t typeidx, uint32_t tableidx)
{
	op_u32(f, CORE_OP_CALL_INDIRECT, typeidx);
	bin_write_u32(&f->code, tableidx);
}

void
cgen_return_call(struct cgen_func *f, uint32_t funcidx)
{
	op_u32(f, CORE_OP_RETURN_CALL, funcidx);
}

void
cgen_drop(struct cgen_func *f)
{
	cgen_op(f, CORE_OP_DROP);
}

void
cgen_select(struct cgen_func *f)
{
	cgen_op(f, CORE_OP_SELECT);
}

/* ---- variables and constants ---------------------------------------- */

static void
local_op(struct cgen_func *f, enum core_opcode op, uint32_t localidx)
{
	if (localidx >= f->nparams + f->nlocals) {
		cgen_fail(f, MELD_EINVALID);
		return;
	}
	op_u32(f, op, localidx);
}

void
cgen_local_get(struct cgen_func *f, uint32_t localidx)
{
	local_op(f, CORE_OP_LOCAL_GET, localidx);
}

void
cgen_local_set(struct cgen_func *f, uint32_t localidx)
{
	local_op(f, CORE_OP_LOCAL_SET, localidx);
}

void
cgen_local_tee(struct cgen_func *f, uint32_t localidx)
{
	local_op(f, CORE_OP_LOCAL_TEE, localidx);
}

void
cgen_global_get(struct cgen_func *f, uint32_t globalidx)
{
	op_u32(f, CORE_OP_GLOBAL_GET, globalidx);
}

void
cgen_global_set(struct cgen_func *f, uint32_t globalidx)
{
	op_u32(f, CORE_OP_GLOBAL_SET, globalidx);
}

void
cgen_i32_const(struct cgen_func *f, int32_t v)
{
	cgen_op(f, CORE_OP_I32_CONST);
	bin_write_s32(&f->code, v);
}

void
cgen_i64_const(struct cgen_func *f, int64_t v)
{
	cgen_op(f, CORE_OP_I64_CONST);
	bin_write_s64(&f->code, v);
}

void
cgen_f32_const(struct cgen_func *f, uint32_t bits)
{
	cgen_op(f, CORE_OP_F32_CONST);
	bin_write_fixed32(&f->code, bits);
}

void
cgen_f64_const(struct cgen_func *f, uint64_t bits)
{
	cgen_op(f, CORE_OP_F64_CONST);
	bin_write_fixed64(&f->code, bits);
}

/* ---- memory --------------------------------------------------------- */

void
cgen_memop(struct cgen_func *f, enum core_opcode op, unsigned natural_log2,
	   uint32_t memidx, unsigned align_log2, uint64_t offset)
{
	if (align_log2 > natural_log2) {
		cgen_fail(f, MELD_EINVALID);
		return;
	}
	cgen_op(f, op);
	if (memidx == 0) {
		bin_write_u32(&f->code, align_log2);
	} else {
		bin_write_u32(&f->code, align_log2 | MEMARG_HAS_MEMIDX);
		bin_write_u32(&f->code, memidx);
	}
	bin_write_u64(&f->code, offset);
}

void
cgen_memory_size(struct cgen_func *f, uint32_t memidx)
{
	op_u32(f, CORE_OP_MEMORY_SIZE, memidx);
}

void
cgen_memory_grow(struct cgen_func *f, uint32_t memidx)
{
	op_u32(f, CORE_OP_MEMORY_GROW, memidx);
}

void
cgen_memory_copy(struct cgen_func *f, uint32_t dst_memidx,
		 uint32_t src_memidx)
{
	op_u32(f, CORE_OP_MEMORY_COPY, dst_memidx);
	bin_write_u32(&f->code, src_memidx);
}

void
cgen_memory_fill(struct cgen_func *f, uint32_t memidx)
{
	op_u32(f, CORE_OP_MEMORY_FILL, memidx);
}

/* ---- tables and references ------------------------------------------ */

void
cgen_table_get(struct cgen_func *f, uint32_t tableidx)
{
	op_u32(f, CORE_OP_TABLE_GET, tableidx);
}

void
cgen_table_set(struct cgen_func *f, uint32_t tableidx)
{
	op_u32(f, CORE_OP_TABLE_SET, tableidx);
}

void
cgen_table_grow(struct cgen_func *f, uint32_t tableidx)
{
	op_u32(f, CORE_OP_TABLE_GROW, tableidx);
}

void
cgen_table_size(struct cgen_func *f, uint32_t tableidx)
{
	op_u32(f, CORE_OP_TABLE_SIZE, tableidx);
}

void
cgen_table_fill(struct cgen_func *f, uint32_t tableidx)
{
	op_u32(f, CORE_OP_TABLE_FILL, tableidx);
}

void
cgen_ref_func(struct cgen_func *f, uint32_t funcidx)
{
	op_u32(f, CORE_OP_REF_FUNC, funcidx);
}

void
cgen_ref_null(struct cgen_func *f, enum cgen_valtype reftype)
{
	if (reftype != CGEN_FUNCREF && reftype != CGEN_EXTERNREF) {
		cgen_fail(f, MELD_EINVALID);
		return;
	}
	cgen_op(f, CORE_OP_REF_NULL);
	bin_write_u8(&f->code, (uint8_t)reftype);
}

void
cgen_ref_is_null(struct cgen_func *f)
{
	cgen_op(f, CORE_OP_REF_IS_NULL);
}

/* ---- finishing ------------------------------------------------------ */

enum meld_status
cgen_finish(struct cgen_func *f, struct bin_writer *w)
{
	enum meld_status st = cgen_status(f);
	if (st != MELD_OK)
		return st;
	if (f->depth != 0)
		return MELD_EINVALID;
	size_t mark = bin_write_reserve_size(w);
	bin_write_u32(w, f->nruns);
	for (uint32_t i = 0; i < f->nruns; i++) {
		bin_write_u32(w, f->runs[i].count);
		bin_write_u8(w, (uint8_t)f->runs[i].type);
	}
	bin_write_bytes(w, f->code.buf, f->code.len);
	bin_write_u8(w, (uint8_t)(CORE_OP_END & 0xff));
	bin_write_patch_size(w, mark, 0);
	return w->err;
}
