/*
 * core_op: the opcode table half of core_code (declared in core_code.h):
 * one array per prefix built from opcodes.def (core spec 5.4
 * "Instructions"), opcode encoding, and the index-space remap helpers the
 * rewriter and the writers share.
 */
#include <stdbool.h>

#include "core_code.h"

/* ---- the opcode table, one array per prefix ---- */

#define FB_CODES 0x1f
#define FC_CODES 0x12
#define FD_CODES 0x114
#define FE_CODES 0x4f

/*
 * Each array below keeps the rows of one prefix: OP_<prefix> expands to
 * ROW for that prefix and to NOROW for the others.
 */
#define ROW(code, name, imm) [code] = {name, CORE_IMM_##imm},
#define NOROW(code, name, imm)
#define OP(pfx, code, ident, name, imm) OP_##pfx(code, name, imm)

#define OP_PLAIN(code, name, imm) ROW(code, name, imm)
#define OP_FB(code, name, imm) NOROW(code, name, imm)
#define OP_FC(code, name, imm) NOROW(code, name, imm)
#define OP_FD(code, name, imm) NOROW(code, name, imm)
#define OP_FE(code, name, imm) NOROW(code, name, imm)
const struct core_op_info core_op_plain[256] = {
#include "opcodes.def"
};
#undef OP_PLAIN
#undef OP_FB
#define OP_PLAIN(code, name, imm) NOROW(code, name, imm)
#define OP_FB(code, name, imm) ROW(code, name, imm)
static const struct core_op_info ops_fb[FB_CODES] = {
#include "opcodes.def"
};
#undef OP_FB
#undef OP_FC
#define OP_FB(code, name, imm) NOROW(code, name, imm)
#define OP_FC(code, name, imm) ROW(code, name, imm)
static const struct core_op_info ops_fc[FC_CODES] = {
#include "opcodes.def"
};
#undef OP_FC
#undef OP_FD
#define OP_FC(code, name, imm) NOROW(code, name, imm)
#define OP_FD(code, name, imm) ROW(code, name, imm)
static const struct core_op_info ops_fd[FD_CODES] = {
#include "opcodes.def"
};
#undef OP_FD
#undef OP_FE
#define OP_FD(code, name, imm) NOROW(code, name, imm)
#define OP_FE(code, name, imm) ROW(code, name, imm)
static const struct core_op_info ops_fe[FE_CODES] = {
#include "opcodes.def"
};
#undef OP_PLAIN
#undef OP_FB
#undef OP_FC
#undef OP_FD
#undef OP_FE
#undef OP
#undef ROW
#undef NOROW

const struct core_op_info *
core_op_lookup(enum core_prefix prefix, uint32_t code)
{
	const struct core_op_info *t;
	size_t n;
	switch (prefix) {
	case CORE_PREFIX_PLAIN: t = core_op_plain; n = 256; break;
	case CORE_PREFIX_FB: t = ops_fb; n = FB_CODES; break;
	case CORE_PREFIX_FC: t = ops_fc; n = FC_CODES; break;
	case CORE_PREFIX_FD: t = ops_fd; n = FD_CODES; break;
	case CORE_PREFIX_FE: t = ops_fe; n = FE_CODES; break;
	default: return NULL;
	}
	if (code >= n || t[code].imm == CORE_IMM_UNKNOWN)
		return NULL;
	return &t[code];
}

void
core_write_op(struct bin_writer *w, enum core_opcode op)
{
	uint32_t v = (uint32_t)op;
	uint8_t prefix = (uint8_t)(v >> 16);
	if (prefix != CORE_PREFIX_PLAIN) {
		bin_write_u8(w, prefix);
		bin_write_u32(w, v & 0xffff);
		return;
	}
	bin_write_u8(w, (uint8_t)v);
}

/* ---- index spaces ---- */

const char *
core_space_name(enum core_space s)
{
	switch (s) {
	case CORE_SPACE_TYPE: return "type";
	case CORE_SPACE_FUNC: return "function";
	case CORE_SPACE_TABLE: return "table";
	case CORE_SPACE_MEMORY: return "memory";
	case CORE_SPACE_GLOBAL: return "global";
	case CORE_SPACE_TAG: return "tag";
	case CORE_SPACE_ELEM: return "element segment";
	case CORE_SPACE_DATA: return "data segment";
	case CORE_SPACE_COUNT: break;
	}
	return "?";
}

void
core_remap_identity(struct core_remap *m)
{
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		m->map[s] = NULL;
		m->len[s] = UINT32_MAX;
	}
}

enum meld_status
core_remap_index(const struct core_remap *m, enum core_space s, uint32_t idx,
		 struct bin_reader *r, size_t offset, uint32_t *out)
{
	if (!core_remap_in_bounds(m, s, idx))
		return bin_fail_at(r, MELD_EINVALID, offset,
				   "%s index %u out of range (%u defined)",
				   core_space_name(s), idx, m->len[s]);
	*out = m->map[s] ? m->map[s][idx] : idx;
	return MELD_OK;
}
