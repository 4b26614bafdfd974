/*
 * core_code: decoding and rewriting of instructions (core spec 5.4
 * "Instructions", 5.3 "Types", 5.5.13 "Code section"), driven by the one
 * opcode table in opcodes.def.
 *
 * The rewriter streams.  It walks the input and remembers where the input
 * not yet copied to the output starts; only when an immediate's value
 * changes does it copy the unchanged run before it (one memcpy) and write
 * the new encoding.  So an unchanged immediate keeps its bytes, padded
 * LEBs included, and with identity maps a whole body is a single copy.
 * Nothing is allocated per instruction; only a block nesting deeper than
 * FRAMES_INLINE takes one heap buffer for the body.
 *
 * Speed (bench/README.md): the loop in code_expr takes the one-byte forms
 * of the common instructions itself, code_fast the common immediates that
 * change, and only the rest goes through code_imm, the full decoder with
 * every check and message.  The opcode tables are in core_op.c.
 */
#include "core_code.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/*
 * What the loop does with a plain opcode by itself: most instructions
 * have no immediate (STEP_NONE), or one LEB128 that fusion never changes
 * (local, label, constant: STEP_LEB), or are an `end`; when memory 0
 * stays memory 0, a load or store on it changes nothing either
 * (STEP_MEM).  The loop takes their one-byte forms with a compare each
 * and no call: a plain branch lets the processor run ahead to the next
 * instruction, where a computed length would make it wait.  Everything
 * else goes to code_fast and code_imm.
 */
enum code_step { STEP_OTHER, STEP_NONE, STEP_LEB, STEP_END, STEP_MEM };

#define STEP_OF(k, mem)                                                   \
	((k) == CORE_IMM_NONE	  ? STEP_NONE                             \
	 : (k) == CORE_IMM_END	  ? STEP_END                              \
	 : (k) == CORE_IMM_MEMARG ? (mem)                                 \
	 : ((k) == CORE_IMM_LOCAL || (k) == CORE_IMM_LABEL ||             \
	    (k) == CORE_IMM_I32 || (k) == CORE_IMM_I64)                   \
		 ? STEP_LEB                                               \
		 : STEP_OTHER)
#define OP(pfx, code, ident, name, imm) OP_##pfx(code, imm)
#define OP_FB(code, imm)
#define OP_FC(code, imm)
#define OP_FD(code, imm)
#define OP_FE(code, imm)
#define OP_PLAIN(code, imm) [code] = STEP_OF(CORE_IMM_##imm, STEP_OTHER),
static const uint8_t code_steps[256] = {
#include "opcodes.def"
};
#undef OP_PLAIN
#define OP_PLAIN(code, imm) [code] = STEP_OF(CORE_IMM_##imm, STEP_MEM),
static const uint8_t code_steps_mem0[256] = {
#include "opcodes.def"
};
#undef OP
#undef OP_PLAIN
#undef OP_FB
#undef OP_FC
#undef OP_FD
#undef OP_FE
#undef STEP_OF

/* ---- the streaming state ---- */

/* What an open block allows next (else, catch, ... only where legal). */
enum frame_kind {
	FRAME_BLOCK,    /* block, loop, try_table, the expression itself */
	FRAME_IF,       /* may see else */
	FRAME_ELSE,
	FRAME_TRY,      /* may see catch, catch_all or delegate */
	FRAME_CATCH,    /* after a catch: more catch, or catch_all */
	FRAME_CATCH_ALL /* after catch_all: only end */
};

#define FRAMES_INLINE 64

struct code_rw {
	const struct core_remap *m;
	struct bin_reader *r; /* input name, base offset and diagnostic */
	struct bin_writer *w; /* NULL: check only */
	size_t w_start;       /* output length before this call */
	const uint8_t *p;
	const uint8_t *end;
	const uint8_t *copy_from; /* first input byte not yet copied to w */
	const char *ctx;          /* "code", "constant expression", ... */
	const uint8_t *op_at;     /* instruction being read, for messages */
	bool mem0_kept;           /* memory 0 exists and stays memory 0 */
	const uint8_t *steps;     /* code_steps or code_steps_mem0 */
	bool mem0_ok;             /* memory 0 exists */
	uint32_t mem0_new;        /* and becomes this memory */
	uint8_t *frames;
	size_t depth;
	size_t cap;
	uint8_t frames_inline[FRAMES_INLINE];
};

static void
code_init(struct code_rw *rw, const struct core_remap *m,
	  struct bin_reader *r, struct bin_writer *w, const char *ctx)
{
	rw->m = m;
	rw->r = r;
	rw->w = w;
	rw->w_start = w ? w->len : 0;
	rw->p = r->p;
	rw->end = r->end;
	rw->copy_from = r->p;
	rw->ctx = ctx;
	rw->op_at = NULL;
	rw->mem0_ok = core_remap_in_bounds(m, CORE_SPACE_MEMORY, 0);
	rw->mem0_new = rw->mem0_ok && m->map[CORE_SPACE_MEMORY]
			       ? m->map[CORE_SPACE_MEMORY][0]
			       : 0;
	rw->mem0_kept = rw->mem0_ok && rw->mem0_new == 0;
	rw->steps = rw->mem0_kept ? code_steps_mem0 : code_steps;
	rw->frames = rw->frames_inline;
	rw->depth = 0;
	rw->cap = FRAMES_INLINE;
}

/* Copy the unchanged input up to `upto` to the output. */
static void
code_flush(struct code_rw *rw, const uint8_t *upto)
{
	if (rw->w)
		bin_write_bytes(rw->w, rw->copy_from,
				(size_t)(upto - rw->copy_from));
	rw->copy_from = upto;
}

/*
 * A changed immediate at `at`: the unchanged input from the last copy up
 * to `at` goes out, and the result points where the new encoding goes
 * (room for CODE_ENC bytes), or is NULL when there is no output (checking
 * only, or the writer failed).  code_put then counts the n bytes written
 * there and resumes copying at `resume`.  The new bytes are stored
 * straight into the output: encoded on the stack and copied as a block,
 * they would be read back before their byte stores retire, and that
 * stall cost more than the rest of the rewrite.  A run of up to CODE_ENC
 * bytes is copied as one fixed-size block (the bytes past it are
 * overwritten or never counted).
 */
#define CODE_ENC 16

static inline uint8_t *
code_out(struct code_rw *rw, const uint8_t *at)
{
	struct bin_writer *w = rw->w;
	const uint8_t *from = rw->copy_from;
	size_t run = (size_t)(at - from);
	if (!w || w->err != MELD_OK)
		return NULL;
	if (w->cap - w->len < run + CODE_ENC) {
		if (!bin_write_space(w, run + CODE_ENC))
			return NULL;
		w->len -= run + CODE_ENC;
	}
	uint8_t *o = w->buf + w->len;
	if (run <= CODE_ENC && (size_t)(rw->end - from) >= CODE_ENC)
		memcpy(o, from, CODE_ENC);
	else
		memcpy(o, from, run);
	w->len += run;
	return o + run;
}

static inline void
code_put(struct code_rw *rw, const uint8_t *o, size_t n,
	 const uint8_t *resume)
{
	if (o)
		rw->w->len += n;
	rw->copy_from = resume;
}

/*
 * The u32 immediate at [at, end) is written as v instead.  An input LEB
 * that was padded (a minimal encoding never ends in a zero byte, except
 * the one-byte zero), as linkers leave relocated indices, keeps its width
 * when v fits in it; a minimal one stays minimal.  So a remap and its
 * inverse give back the input bytes.
 */
static inline void
code_replace_u32(struct code_rw *rw, const uint8_t *at, const uint8_t *end,
		 uint32_t v)
{
	uint8_t *o = code_out(rw, at);
	unsigned width = (unsigned)(end - at), n = 0;
	if (o && width > 1 && end[-1] == 0x00 && bin_u32_size(v) <= width) {
		bin_encode_u32_padded(o, v, width);
		n = width;
	} else if (o) {
		n = bin_encode_u32(o, v);
	}
	code_put(rw, o, n, end);
}

/* The s33 type index just read, at [at, p), is written as v instead. */
static void
code_replace_s33(struct code_rw *rw, const uint8_t *at, uint32_t v)
{
	uint8_t *o = code_out(rw, at);
	unsigned n = 0;
	if (o) {
		n = bin_encode_u32(o, v);
		/* a signed LEB needs a clear sign bit in its last byte */
		if (o[n - 1] & 0x40) {
			o[n - 1] |= 0x80;
			o[n++] = 0x00;
		}
	}
	code_put(rw, o, n, rw->p);
}

/*
 * End of a public call: copy the rest, and either advance the reader or,
 * on failure, take back what this call wrote so no partial output stays.
 */
static enum meld_status
code_finish(struct code_rw *rw, enum meld_status st)
{
	if (st == MELD_OK) {
		code_flush(rw, rw->p);
		if (rw->w && rw->w->err != MELD_OK)
			st = diag_fail(rw->r->diag, rw->w->err, rw->r->input,
				       DIAG_NO_OFFSET,
				       "%s: out of memory writing output",
				       rw->ctx);
	}
	if (st == MELD_OK)
		rw->r->p = rw->p;
	else if (rw->w && rw->w->err == MELD_OK)
		rw->w->len = rw->w_start;
	if (rw->frames != rw->frames_inline)
		free(rw->frames);
	return st;
}

/* ---- diagnostics ---- */

/* The mnemonic of the instruction whose opcode starts at `at`. */
static const char *
code_op_name(const struct code_rw *rw, const uint8_t *at)
{
	const struct core_op_info *op = &core_op_plain[at[0]];
	if (op->imm != CORE_IMM_UNKNOWN)
		return op->name;
	/* a prefixed opcode that was already decoded once */
	uint32_t code = 0;
	unsigned shift = 0;
	for (const uint8_t *p = at + 1; p < rw->end && shift < 35; p++) {
		code |= (uint32_t)(*p & 0x7f) << shift;
		shift += 7;
		if (!(*p & 0x80))
			break;
	}
	op = core_op_lookup((enum core_prefix)at[0], code);
	return op ? op->name : "?";
}

/*
 * One diagnostic: "<ctx>: [<instruction>] [<field>]: <message>" at the
 * offset of `at`.
 */
static enum meld_status
code_fail(struct code_rw *rw, enum meld_status st, const uint8_t *at,
	  const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum meld_status
code_fail(struct code_rw *rw, enum meld_status st, const uint8_t *at,
	  const char *field, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *op = rw->op_at ? code_op_name(rw, rw->op_at) : NULL;
	const char *sep = op && field ? " " : "";
	return bin_fail_at(rw->r, st, (size_t)(at - rw->r->base),
			   "%s: %s%s%s%s%s", rw->ctx, op ? op : "", sep,
			   field ? field : "", op || field ? ": " : "", msg);
}

static enum meld_status
code_truncated(struct code_rw *rw, const char *field, size_t need)
{
	return code_fail(rw, MELD_EMALFORMED, rw->p, field,
			 "unexpected end (%zu bytes needed, %zu left)", need,
			 (size_t)(rw->end - rw->p));
}

/* ---- primitive reads ---- */

/*
 * An LEB128 of at most `bits` significant bits (core spec 5.2.2): at most
 * ceil(bits/7) bytes, and the unused bits of the last byte zero (unsigned)
 * or copies of the sign (signed).  The value is zero- or sign-extended.
 */
static enum meld_status
code_leb(struct code_rw *rw, unsigned bits, bool is_signed, uint64_t *out,
	 const char *field)
{
	unsigned max_bytes = (bits + 6) / 7;
	uint64_t value = 0;
	unsigned shift = 0;
	const uint8_t *p = rw->p;
	*out = 0;
	for (unsigned i = 0;; i++) {
		if (p == rw->end)
			return code_fail(rw, MELD_EMALFORMED, rw->p, field,
					 "unexpected end (LEB128)");
		uint8_t byte = *p++;
		if (i + 1 == max_bytes) {
			unsigned keep = bits - 7 * i - (is_signed ? 1u : 0u);
			unsigned rest = (unsigned)(byte & 0x7f) >> keep;
			if (byte & 0x80)
				return code_fail(rw, MELD_EMALFORMED, rw->p,
						 field, "integer representation too long");
			if (rest != 0 && (!is_signed || rest != 0x7fu >> keep))
				return code_fail(rw, MELD_EMALFORMED, rw->p,
						 field, "integer too large");
		}
		value |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
		if (!(byte & 0x80)) {
			if (is_signed && shift < 64 && (byte & 0x40))
				value |= ~(uint64_t)0 << shift;
			break;
		}
	}
	rw->p = p;
	*out = value;
	return MELD_OK;
}

/*
 * Fast paths: an LEB of at most four bytes is always well-formed for every
 * integer type here (each allows five or more), so only longer ones need
 * code_leb's checks.
 */
static inline enum meld_status
code_u32(struct code_rw *rw, uint32_t *out, const char *field)
{
	const uint8_t *p = rw->p;
	size_t left = (size_t)(rw->end - p);
	uint32_t v = 0;
	for (size_t i = 0; i < 4 && i < left; i++) {
		v |= (uint32_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] < 0x80) {
			rw->p = p + i + 1;
			*out = v;
			return MELD_OK;
		}
	}
	uint64_t v64 = 0;
	enum meld_status st = code_leb(rw, 32, false, &v64, field);
	*out = (uint32_t)v64;
	return st;
}

/* Skip a well-formed LEB128 whose value does not matter to fusion. */
static inline enum meld_status
code_skip_leb(struct code_rw *rw, unsigned bits, bool is_signed,
	      const char *field)
{
	const uint8_t *p = rw->p;
	size_t left = (size_t)(rw->end - p);
	for (size_t i = 0; i < 4 && i < left; i++) {
		if (p[i] < 0x80) {
			rw->p = p + i + 1;
			return MELD_OK;
		}
	}
	uint64_t v;
	return code_leb(rw, bits, is_signed, &v, field);
}

static inline enum meld_status
code_skip_bytes(struct code_rw *rw, size_t n, const char *field)
{
	if ((size_t)(rw->end - rw->p) < n)
		return code_truncated(rw, field, n);
	rw->p += n;
	return MELD_OK;
}

static enum meld_status
code_u8(struct code_rw *rw, uint8_t *out, const char *field)
{
	if (rw->p == rw->end)
		return code_truncated(rw, field, 1);
	*out = *rw->p++;
	return MELD_OK;
}

/* A vector count; each element takes at least min_size bytes. */
static enum meld_status
code_count(struct code_rw *rw, uint32_t *out, size_t min_size,
	   const char *field)
{
	const uint8_t *at = rw->p;
	enum meld_status st = code_u32(rw, out, field);
	if (st != MELD_OK)
		return st;
	size_t left = (size_t)(rw->end - rw->p);
	if ((uint64_t)*out * min_size > left) {
		rw->p = at;
		return code_fail(rw, MELD_EMALFORMED, at, field,
				 "count %u, only %zu bytes left", *out, left);
	}
	return MELD_OK;
}

/* ---- indices ---- */

static enum meld_status
code_lookup(struct code_rw *rw, enum core_space s, uint32_t idx,
	    const uint8_t *at, uint32_t *out)
{
	const struct core_remap *m = rw->m;
	*out = idx;
	if (!core_remap_in_bounds(m, s, idx))
		return code_fail(rw, MELD_EINVALID, at, NULL,
				 "%s index %u out of range (%u defined)",
				 core_space_name(s), idx, m->len[s]);
	*out = m->map[s] ? m->map[s][idx] : idx;
	return MELD_OK;
}

/* A u32 index immediate of space s. */
static inline enum meld_status
code_index(struct code_rw *rw, enum core_space s, const char *field)
{
	const uint8_t *at = rw->p;
	uint32_t idx, new_idx;
	enum meld_status st = code_u32(rw, &idx, field);
	if (st == MELD_OK)
		st = code_lookup(rw, s, idx, at, &new_idx);
	if (st == MELD_OK && new_idx != idx)
		code_replace_u32(rw, at, rw->p, new_idx);
	return st;
}

/* Two index immediates in a row (call_indirect, memory.copy, ...). */
static enum meld_status
code_index2(struct code_rw *rw, enum core_space s1, const char *f1,
	    enum core_space s2, const char *f2)
{
	enum meld_status st = code_index(rw, s1, f1);
	return st != MELD_OK ? st : code_index(rw, s2, f2);
}

/* ---- types (core spec 5.3) ---- */

enum {
	TYPE_EMPTY = 0x40,     /* block type [] -> [] */
	TYPE_REF_NULL = 0x63,  /* (ref null ht) */
	TYPE_REF = 0x64,       /* (ref ht) */
	TYPE_ABS_FIRST = 0x69, /* exn .. noexn: abstract heap types */
	TYPE_ABS_LAST = 0x74,
	TYPE_I16 = 0x77,       /* packed storage types */
	TYPE_I8 = 0x78,
	TYPE_V128 = 0x7b,      /* v128 .. i32: number and vector types */
	TYPE_I32 = 0x7f
};

/* A value type that is one byte: number, vector or (ref null abstract). */
static bool
type_is_short(uint8_t b)
{
	return (b >= TYPE_V128 && b <= TYPE_I32) ||
	       (b >= TYPE_ABS_FIRST && b <= TYPE_ABS_LAST);
}

/*
 * A type index where the grammar allows a negative s33 for something else
 * (heap types, block types): a negative value here is not one of those.
 */
static enum meld_status
code_s33_typeidx(struct code_rw *rw, const char *field, const char *what)
{
	const uint8_t *at = rw->p;
	uint64_t v;
	enum meld_status st = code_leb(rw, 33, true, &v, field);
	if (st != MELD_OK)
		return st;
	if ((int64_t)v < 0) {
		rw->p = at;
		return code_fail(rw, MELD_EMALFORMED, at, field,
				 "unknown %s 0x%02x", what, at[0]);
	}
	uint32_t idx = (uint32_t)v, new_idx;
	st = code_lookup(rw, CORE_SPACE_TYPE, idx, at, &new_idx);
	if (st == MELD_OK && new_idx != idx)
		code_replace_s33(rw, at, new_idx);
	return st;
}

static enum meld_status
code_heaptype(struct code_rw *rw, const char *field)
{
	if (rw->p == rw->end)
		return code_truncated(rw, field, 1);
	/* shared-everything-threads: 0x65 then an abstract heap type */
	bool shared = rw->p[0] == 0x65;
	if (shared && ++rw->p == rw->end)
		return code_truncated(rw, field, 1);
	if (rw->p[0] >= TYPE_ABS_FIRST && rw->p[0] <= TYPE_ABS_LAST) {
		rw->p++;
		return MELD_OK;
	}
	if (shared)
		return code_fail(rw, MELD_EMALFORMED, rw->p, field,
				 "unknown shared heap type 0x%02x", rw->p[0]);
	return code_s33_typeidx(rw, field, "heap type");
}

static enum meld_status
code_valtype(struct code_rw *rw, const char *field)
{
	if (rw->p == rw->end)
		return code_truncated(rw, field, 1);
	uint8_t b = *rw->p;
	if (type_is_short(b)) {
		rw->p++;
		return MELD_OK;
	}
	if (b == TYPE_REF || b == TYPE_REF_NULL) {
		rw->p++;
		return code_heaptype(rw, field);
	}
	if (b == 0x65) /* (ref null (shared ht)) */
		return code_heaptype(rw, field);
	return code_fail(rw, MELD_EMALFORMED, rw->p, field,
			 "unknown value type 0x%02x", b);
}

static enum meld_status
code_reftype(struct code_rw *rw, const char *field)
{
	if (rw->p == rw->end)
		return code_truncated(rw, field, 1);
	uint8_t b = *rw->p;
	if (b >= TYPE_ABS_FIRST && b <= TYPE_ABS_LAST) {
		rw->p++;
		return MELD_OK;
	}
	if (b == TYPE_REF || b == TYPE_REF_NULL) {
		rw->p++;
		return code_heaptype(rw, field);
	}
	if (b == 0x65) /* (ref null (shared ht)) */
		return code_heaptype(rw, field);
	return code_fail(rw, MELD_EMALFORMED, rw->p, field,
			 "unknown reference type 0x%02x", b);
}

static enum meld_status
code_storagetype(struct code_rw *rw, const char *field)
{
	if (rw->p < rw->end && (*rw->p == TYPE_I8 || *rw->p == TYPE_I16)) {
		rw->p++;
		return MELD_OK;
	}
	return code_valtype(rw, field);
}

/* blocktype ::= 0x40 | valtype | s33 type index (multi-value) */
static enum meld_status
code_blocktype(struct code_rw *rw)
{
	if (rw->p == rw->end)
		return code_truncated(rw, "blocktype", 1);
	uint8_t b = *rw->p;
	if (b == TYPE_EMPTY || type_is_short(b)) {
		rw->p++;
		return MELD_OK;
	}
	if (b == TYPE_REF || b == TYPE_REF_NULL) {
		rw->p++;
		return code_heaptype(rw, "blocktype");
	}
	return code_s33_typeidx(rw, "blocktype", "block type");
}

/* ---- blocks ---- */

static enum meld_status
code_push(struct code_rw *rw, enum frame_kind k)
{
	if (rw->depth == rw->cap) {
		size_t cap = rw->cap * 2;
		uint8_t *old = rw->frames == rw->frames_inline ? NULL
							       : rw->frames;
		uint8_t *f = mem_realloc(old, cap);
		if (!f)
			return code_fail(rw, MELD_ENOMEM, rw->p, NULL,
					 "out of memory (%zu nested blocks)",
					 rw->depth);
		if (!old)
			memcpy(f, rw->frames_inline, rw->depth);
		rw->frames = f;
		rw->cap = cap;
	}
	rw->frames[rw->depth++] = (uint8_t)k;
	return MELD_OK;
}

static enum meld_status
code_open(struct code_rw *rw, enum frame_kind k)
{
	enum meld_status st = code_blocktype(rw);
	return st != MELD_OK ? st : code_push(rw, k);
}

/* else, catch, catch_all, delegate: legal only right inside `allowed`. */
static enum meld_status
code_clause(struct code_rw *rw, unsigned allowed, const char *where)
{
	uint8_t top = rw->frames[rw->depth - 1];
	if (!(allowed & 1u << top))
		return code_fail(rw, MELD_EMALFORMED, rw->op_at, NULL,
				 "not allowed here (only %s)", where);
	return MELD_OK;
}

static enum meld_status
code_else(struct code_rw *rw)
{
	enum meld_status st = code_clause(rw, 1u << FRAME_IF, "inside if");
	if (st == MELD_OK)
		rw->frames[rw->depth - 1] = FRAME_ELSE;
	return st;
}

static enum meld_status
code_catch(struct code_rw *rw, enum frame_kind next)
{
	enum meld_status st = code_clause(
		rw, 1u << FRAME_TRY | 1u << FRAME_CATCH,
		"inside try, before catch_all");
	if (st == MELD_OK)
		rw->frames[rw->depth - 1] = (uint8_t)next;
	if (st == MELD_OK && next == FRAME_CATCH)
		st = code_index(rw, CORE_SPACE_TAG, "tagidx");
	return st;
}

static enum meld_status
code_delegate(struct code_rw *rw)
{
	enum meld_status st = code_clause(rw, 1u << FRAME_TRY,
					  "inside try, without catch");
	if (st == MELD_OK)
		st = code_skip_leb(rw, 32, false, "labelidx");
	if (st == MELD_OK)
		rw->depth--;
	return st;
}

/* try_table blocktype vec(catch): the catch clauses name tags and labels */
static enum meld_status
code_try_table(struct code_rw *rw)
{
	uint32_t n;
	enum meld_status st = code_blocktype(rw);
	if (st == MELD_OK)
		st = code_count(rw, &n, 2, "catch count");
	for (uint32_t i = 0; st == MELD_OK && i < n; i++) {
		const uint8_t *at = rw->p;
		uint8_t kind = 0;
		st = code_u8(rw, &kind, "catch kind");
		if (st != MELD_OK)
			break;
		if (kind > 3) {
			rw->p = at;
			return code_fail(rw, MELD_EMALFORMED, at, "catch kind",
					 "unknown catch clause 0x%02x", kind);
		}
		/* 0 catch, 1 catch_ref: a tag; 2 catch_all, 3 catch_all_ref */
		if (kind < 2)
			st = code_index(rw, CORE_SPACE_TAG, "tagidx");
		if (st == MELD_OK)
			st = code_skip_leb(rw, 32, false, "labelidx");
	}
	return st != MELD_OK ? st : code_push(rw, FRAME_BLOCK);
}

/* ---- other immediates ---- */

static enum meld_status
code_br_table(struct code_rw *rw)
{
	uint32_t n;
	/* n labels and the default, each at least one byte */
	enum meld_status st = code_count(rw, &n, 1, "label count");
	for (uint64_t i = 0; st == MELD_OK && i <= n; i++)
		st = code_skip_leb(rw, 32, false, "labelidx");
	return st;
}

static enum meld_status
code_select_t(struct code_rw *rw)
{
	uint32_t n;
	enum meld_status st = code_count(rw, &n, 1, "valtype count");
	for (uint32_t i = 0; st == MELD_OK && i < n; i++)
		st = code_valtype(rw, "valtype");
	return st;
}

/*
 * The memarg flags [memidx] at [at, offset_at) name memory new_idx now:
 * memory 0 unnamed (bit 6 clear), any other named.
 */
static inline void
code_memarg_emit(struct code_rw *rw, const uint8_t *at, uint32_t flags,
		 uint32_t new_idx, const uint8_t *offset_at)
{
	uint8_t *o = code_out(rw, at);
	unsigned n = 0;
	uint32_t align = flags & 0x3f;
	if (o)
		n = bin_encode_u32(o, new_idx ? align | 0x40 : align);
	if (o && new_idx)
		n += bin_encode_u32(o + n, new_idx);
	code_put(rw, o, n, offset_at);
}

/*
 * memarg ::= flags:u32 [memidx:u32 if flags bit 6] offset:u64.  A memory
 * other than 0 must be named (bit 6 set); memory 0 may or may not be.  A
 * changed memory index rewrites flags and index; the offset keeps its
 * bytes.
 */
static enum meld_status
code_memarg(struct code_rw *rw)
{
	const uint8_t *at = rw->p, *idx_at;
	uint32_t flags, memidx = 0, new_idx;
	enum meld_status st = code_u32(rw, &flags, "memarg flags");
	if (st != MELD_OK)
		return st;
	if (flags >= 0x80) {
		rw->p = at;
		return code_fail(rw, MELD_EMALFORMED, at, "memarg flags",
				 "0x%x is not an alignment exponent", flags);
	}
	idx_at = (flags & 0x40) ? rw->p : at;
	if (flags & 0x40)
		st = code_u32(rw, &memidx, "memidx");
	const uint8_t *offset_at = rw->p;
	if (st == MELD_OK)
		st = code_skip_leb(rw, 64, false, "memarg offset");
	if (st == MELD_OK)
		st = code_lookup(rw, CORE_SPACE_MEMORY, memidx, idx_at,
				 &new_idx);
	if (st != MELD_OK || new_idx == memidx)
		return st;
	code_memarg_emit(rw, at, flags, new_idx, offset_at);
	return MELD_OK;
}

/* br_on_cast(_fail) castflags:u8 labelidx heaptype heaptype */
static enum meld_status
code_br_on_cast(struct code_rw *rw)
{
	const uint8_t *at = rw->p;
	uint8_t flags = 0;
	enum meld_status st = code_u8(rw, &flags, "castflags");
	if (st == MELD_OK && flags > 3) {
		rw->p = at;
		return code_fail(rw, MELD_EMALFORMED, at, "castflags",
				 "0x%02x, only bits 0 and 1 may be set", flags);
	}
	if (st == MELD_OK)
		st = code_skip_leb(rw, 32, false, "labelidx");
	if (st == MELD_OK)
		st = code_heaptype(rw, "source heap type");
	if (st == MELD_OK)
		st = code_heaptype(rw, "target heap type");
	return st;
}

static enum meld_status
code_fence(struct code_rw *rw)
{
	const uint8_t *at = rw->p;
	uint8_t b = 0;
	enum meld_status st = code_u8(rw, &b, "flags");
	if (st == MELD_OK && b != 0) {
		rw->p = at;
		return code_fail(rw, MELD_EMALFORMED, at, "flags",
				 "0x%02x, must be 0x00", b);
	}
	return st;
}

/* An index followed by a plain u32 (struct.get's field, new_fixed's size) */
static enum meld_status
code_type_u32(struct code_rw *rw, const char *field)
{
	enum meld_status st = code_index(rw, CORE_SPACE_TYPE, "typeidx");
	return st != MELD_OK ? st : code_skip_leb(rw, 32, false, field);
}

static enum meld_status
code_imm(struct code_rw *rw, enum core_imm imm)
{
	switch (imm) {
	case CORE_IMM_NONE: return MELD_OK;
	case CORE_IMM_BLOCK: return code_open(rw, FRAME_BLOCK);
	case CORE_IMM_IF: return code_open(rw, FRAME_IF);
	case CORE_IMM_ELSE: return code_else(rw);
	case CORE_IMM_END: rw->depth--; return MELD_OK;
	case CORE_IMM_TRY: return code_open(rw, FRAME_TRY);
	case CORE_IMM_CATCH: return code_catch(rw, FRAME_CATCH);
	case CORE_IMM_CATCH_ALL: return code_catch(rw, FRAME_CATCH_ALL);
	case CORE_IMM_DELEGATE: return code_delegate(rw);
	case CORE_IMM_TRY_TABLE: return code_try_table(rw);
	case CORE_IMM_LABEL: return code_skip_leb(rw, 32, false, "labelidx");
	case CORE_IMM_BR_TABLE: return code_br_table(rw);
	case CORE_IMM_FUNC: return code_index(rw, CORE_SPACE_FUNC, "funcidx");
	case CORE_IMM_CALL_INDIRECT:
		return code_index2(rw, CORE_SPACE_TYPE, "typeidx",
				   CORE_SPACE_TABLE, "tableidx");
	case CORE_IMM_TYPE: return code_index(rw, CORE_SPACE_TYPE, "typeidx");
	case CORE_IMM_LOCAL: return code_skip_leb(rw, 32, false, "localidx");
	case CORE_IMM_GLOBAL:
		return code_index(rw, CORE_SPACE_GLOBAL, "globalidx");
	case CORE_IMM_TABLE:
		return code_index(rw, CORE_SPACE_TABLE, "tableidx");
	case CORE_IMM_TAG: return code_index(rw, CORE_SPACE_TAG, "tagidx");
	case CORE_IMM_MEMARG: return code_memarg(rw);
	case CORE_IMM_MEMARG_LANE: {
		enum meld_status st = code_memarg(rw);
		return st != MELD_OK ? st : code_skip_bytes(rw, 1, "lane");
	}
	case CORE_IMM_MEM: return code_index(rw, CORE_SPACE_MEMORY, "memidx");
	case CORE_IMM_MEMORY_COPY:
		return code_index2(rw, CORE_SPACE_MEMORY, "memidx",
				   CORE_SPACE_MEMORY, "memidx");
	case CORE_IMM_MEMORY_INIT:
		return code_index2(rw, CORE_SPACE_DATA, "dataidx",
				   CORE_SPACE_MEMORY, "memidx");
	case CORE_IMM_DATA: return code_index(rw, CORE_SPACE_DATA, "dataidx");
	case CORE_IMM_ELEM: return code_index(rw, CORE_SPACE_ELEM, "elemidx");
	case CORE_IMM_TABLE_INIT:
		return code_index2(rw, CORE_SPACE_ELEM, "elemidx",
				   CORE_SPACE_TABLE, "tableidx");
	case CORE_IMM_TABLE_COPY:
		return code_index2(rw, CORE_SPACE_TABLE, "tableidx",
				   CORE_SPACE_TABLE, "tableidx");
	case CORE_IMM_I32: return code_skip_leb(rw, 32, true, "value");
	case CORE_IMM_I64: return code_skip_leb(rw, 64, true, "value");
	case CORE_IMM_F32: return code_skip_bytes(rw, 4, "value");
	case CORE_IMM_F64: return code_skip_bytes(rw, 8, "value");
	case CORE_IMM_V128: return code_skip_bytes(rw, 16, "value");
	case CORE_IMM_SHUFFLE: return code_skip_bytes(rw, 16, "lanes");
	case CORE_IMM_LANE: return code_skip_bytes(rw, 1, "lane");
	case CORE_IMM_SELECT_T: return code_select_t(rw);
	case CORE_IMM_HEAPTYPE: return code_heaptype(rw, "heap type");
	case CORE_IMM_TYPE_FIELD: return code_type_u32(rw, "fieldidx");
	case CORE_IMM_TYPE_TYPE:
		return code_index2(rw, CORE_SPACE_TYPE, "typeidx",
				   CORE_SPACE_TYPE, "typeidx");
	case CORE_IMM_TYPE_U32: return code_type_u32(rw, "size");
	case CORE_IMM_TYPE_DATA:
		return code_index2(rw, CORE_SPACE_TYPE, "typeidx",
				   CORE_SPACE_DATA, "dataidx");
	case CORE_IMM_TYPE_ELEM:
		return code_index2(rw, CORE_SPACE_TYPE, "typeidx",
				   CORE_SPACE_ELEM, "elemidx");
	case CORE_IMM_BR_ON_CAST: return code_br_on_cast(rw);
	case CORE_IMM_FENCE: return code_fence(rw);
	case CORE_IMM_UNKNOWN: break;
	}
	return code_fail(rw, MELD_EMALFORMED, rw->op_at, NULL,
			 "no immediate kind");
}

/* A prefixed opcode: its u32 code after the prefix byte, then the table. */
static enum meld_status
code_prefixed(struct code_rw *rw, const uint8_t *at, enum core_imm *imm)
{
	uint8_t prefix = at[0];
	if (prefix < CORE_PREFIX_FB || prefix > CORE_PREFIX_FE)
		return code_fail(rw, MELD_EMALFORMED, at, NULL,
				 "unknown opcode 0x%02x", prefix);
	uint32_t code;
	enum meld_status st = code_u32(rw, &code, "prefixed opcode");
	if (st != MELD_OK)
		return st;
	const struct core_op_info *op =
		core_op_lookup((enum core_prefix)prefix, code);
	if (!op)
		return code_fail(rw, MELD_EMALFORMED, at, NULL,
				 "unknown opcode 0x%02x 0x%x", prefix, code);
	*imm = op->imm;
	return MELD_OK;
}

/* ---- the instruction loop ---- */

/*
 * The fast paths below take the common shapes of the common instructions
 * without leaving the loop: an LEB128 of at most four bytes (always
 * well-formed for every integer type here, each allowing five or more), a
 * load or store with a one-byte alignment.  Anything else, including
 * every error, goes through code_imm, which decodes the instruction again
 * from its opcode with the full checks and messages.
 */

/* The end of an LEB128 of at most four bytes at p, or NULL. */
static inline const uint8_t *
code_fast_skip(const uint8_t *p, const uint8_t *end)
{
	size_t left = (size_t)(end - p);
	for (size_t i = 0; i < 4 && i < left; i++)
		if (p[i] < 0x80)
			return p + i + 1;
	return NULL;
}

/* The same for a u32 whose value matters. */
static inline const uint8_t *
code_fast_u32(const uint8_t *p, const uint8_t *end, uint32_t *out)
{
	size_t left = (size_t)(end - p);
	uint32_t v = 0;
	for (size_t i = 0; i < 4 && i < left; i++) {
		v |= (uint32_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] < 0x80) {
			*out = v;
			return p + i + 1;
		}
	}
	return NULL;
}

/* An index of space s at q, remapped; its end, or NULL for the slow path. */
static inline const uint8_t *
code_fast_index(struct code_rw *rw, enum core_space s, const uint8_t *q)
{
	uint32_t idx;
	const uint8_t *e = code_fast_u32(q, rw->end, &idx);
	if (!e || !core_remap_in_bounds(rw->m, s, idx))
		return NULL;
	const uint32_t *map = rw->m->map[s];
	if (map && map[idx] != idx)
		code_replace_u32(rw, q, e, map[idx]);
	return e;
}

/* A memarg on memory 0 at q (flags of one byte, bit 6 clear). */
static inline const uint8_t *
code_fast_memarg(struct code_rw *rw, const uint8_t *q)
{
	if (q == rw->end || *q >= 0x40 || !rw->mem0_ok)
		return NULL;
	const uint8_t *e = code_fast_skip(q + 1, rw->end);
	if (e && !rw->mem0_kept)
		code_memarg_emit(rw, q, *q, rw->mem0_new, q + 1);
	return e;
}

/*
 * The instruction at p by the fast paths: what the loop's one-byte forms
 * did not take (longer LEBs, changed indices and memories, the last bytes
 * of a body).  Its end, or NULL for code_slow.
 */
static inline const uint8_t *
code_fast(struct code_rw *rw, const uint8_t *p, enum core_imm imm)
{
	if (imm == CORE_IMM_NONE)
		return p + 1;
	if (imm == CORE_IMM_LOCAL || imm == CORE_IMM_LABEL ||
	    imm == CORE_IMM_I32 || imm == CORE_IMM_I64)
		return code_fast_skip(p + 1, rw->end);
	if (imm == CORE_IMM_MEMARG)
		return code_fast_memarg(rw, p + 1);
	if (imm == CORE_IMM_END) {
		rw->depth--;
		return p + 1;
	}
	if (imm == CORE_IMM_FUNC)
		return code_fast_index(rw, CORE_SPACE_FUNC, p + 1);
	if (imm == CORE_IMM_GLOBAL)
		return code_fast_index(rw, CORE_SPACE_GLOBAL, p + 1);
	return NULL;
}

/* One instruction by code_imm: the full decoder, checks and messages. */
static enum meld_status
code_slow(struct code_rw *rw, const uint8_t *p)
{
	enum core_imm imm = core_op_plain[*p].imm;
	enum meld_status st = MELD_OK;
	rw->p = p + 1;
	if (imm == CORE_IMM_UNKNOWN)
		st = code_prefixed(rw, p, &imm);
	rw->op_at = p;
	if (st == MELD_OK)
		st = code_imm(rw, imm);
	rw->op_at = NULL;
	return st;
}

/* Instructions until the `end` that closes the outermost open block. */
static enum meld_status
code_expr(struct code_rw *rw)
{
	const uint8_t *p = rw->p, *end = rw->end, *next;
	size_t depth = rw->depth;
	while (depth > 0) {
		if (end - p >= 3) {
			unsigned step = rw->steps[*p];
			if (step == STEP_NONE) {
				p++;
				continue;
			}
			if (step == STEP_LEB && p[1] < 0x80) {
				p += 2;
				continue;
			}
			if (step == STEP_MEM && p[1] < 0x40 && p[2] < 0x80) {
				p += 3;
				continue;
			}
			if (step == STEP_END) {
				depth--;
				p++;
				continue;
			}
		} else if (p == end) {
			rw->p = p;
			return code_fail(rw, MELD_EMALFORMED, p, NULL,
					 "unexpected end, %zu block%s not closed",
					 depth, depth == 1 ? "" : "s");
		}
		rw->depth = depth;
		next = code_fast(rw, p, core_op_plain[*p].imm);
		if (!next) {
			enum meld_status st = code_slow(rw, p);
			if (st != MELD_OK)
				return st;
			next = rw->p;
		}
		depth = rw->depth;
		p = next;
	}
	rw->depth = 0;
	rw->p = p;
	return MELD_OK;
}

/* locals ::= vec(n:u32 t:valtype), at most CORE_MAX_LOCALS in total */
static enum meld_status
code_locals(struct code_rw *rw)
{
	uint32_t groups;
	uint64_t total = 0;
	enum meld_status st = code_count(rw, &groups, 2, "local group count");
	for (uint32_t i = 0; st == MELD_OK && i < groups; i++) {
		const uint8_t *at = rw->p;
		uint32_t n;
		st = code_u32(rw, &n, "local count");
		if (st != MELD_OK)
			break;
		total += n;
		if (total > UINT32_MAX)
			return code_fail(rw, MELD_EMALFORMED, at, NULL,
					 "too many locals");
		if (total > CORE_MAX_LOCALS)
			return code_fail(rw, MELD_EUNSUPPORTED, at, NULL,
					 "%llu locals, engines allow %u",
					 (unsigned long long)total,
					 CORE_MAX_LOCALS);
		st = code_valtype(rw, "local type");
	}
	return st;
}

/* ---- the public entry points ---- */

enum meld_status
core_rewrite_body(const struct core_remap *m, struct bin_reader *r,
		  struct bin_writer *w)
{
	struct code_rw rw;
	code_init(&rw, m, r, w, "code");
	enum meld_status st = code_locals(&rw);
	if (st == MELD_OK)
		st = code_push(&rw, FRAME_BLOCK);
	if (st == MELD_OK)
		st = code_expr(&rw);
	if (st == MELD_OK && rw.p != rw.end)
		st = code_fail(&rw, MELD_EMALFORMED, rw.p, NULL,
			       "%zu bytes after the final end",
			       (size_t)(rw.end - rw.p));
	return code_finish(&rw, st);
}

enum meld_status
core_rewrite_const_expr(const struct core_remap *m, struct bin_reader *r,
			struct bin_writer *w)
{
	struct code_rw rw;
	code_init(&rw, m, r, w, "constant expression");
	enum meld_status st = code_push(&rw, FRAME_BLOCK);
	if (st == MELD_OK)
		st = code_expr(&rw);
	return code_finish(&rw, st);
}

enum meld_status
core_rewrite_valtype(const struct core_remap *m, struct bin_reader *r,
		     struct bin_writer *w)
{
	struct code_rw rw;
	code_init(&rw, m, r, w, "value type");
	return code_finish(&rw, code_valtype(&rw, NULL));
}

enum meld_status
core_rewrite_heaptype(const struct core_remap *m, struct bin_reader *r,
		      struct bin_writer *w)
{
	struct code_rw rw;
	code_init(&rw, m, r, w, "heap type");
	return code_finish(&rw, code_heaptype(&rw, NULL));
}

enum meld_status
core_rewrite_reftype(const struct core_remap *m, struct bin_reader *r,
		     struct bin_writer *w)
{
	struct code_rw rw;
	code_init(&rw, m, r, w, "reference type");
	return code_finish(&rw, code_reftype(&rw, NULL));
}

enum meld_status
core_rewrite_storagetype(const struct core_remap *m, struct bin_reader *r,
			 struct bin_writer *w)
{
	struct code_rw rw;
	code_init(&rw, m, r, w, "storage type");
	return code_finish(&rw, code_storagetype(&rw, NULL));
}
