/*
 * core_read_impl: what the core module reader's files (core_read.c,
 * core_read_types.c) share: the reading state and the readers of types,
 * constant expressions and limits that sections use.
 */
#ifndef CORE_READ_IMPL_H
#define CORE_READ_IMPL_H

#include "core_module.h"

/* Reading state besides the module: vector lengths for arena_push. */
struct rd {
	struct arena *a;
	struct core_module *m;
	size_t ntypes, types_cap;
	size_t nsections, sections_cap;
	size_t len[CORE_SPACE_COUNT], cap[CORE_SPACE_COUNT];
	uint32_t nfunc_decls; /* function section count */
	uint32_t type_bound; /* type indices below it can be referred to */
	const uint8_t *code_at, *data_at; /* for count mismatch offsets */
};

enum meld_status core_read_nomem(struct bin_reader *r);

/*
 * An index read at `at` that its space of n entries does not have:
 * "what: unknown function 5: function index out of bounds".
 */
MELD_CHECK_RESULT enum meld_status
core_read_unknown(struct bin_reader *r, const uint8_t *at, enum core_space s,
		  uint32_t idx, uint32_t n, const char *what);

/* An index of space s, checked against the entries read so far. */
MELD_CHECK_RESULT enum meld_status
core_read_index(struct rd *rd, struct bin_reader *r, enum core_space s,
		uint32_t *idx, const char *what);

/* One entry of the type section (a rec group or a lone subtype). */
MELD_CHECK_RESULT enum meld_status
core_read_rec_group(struct rd *rd, struct bin_reader *r, uint32_t groupidx);

MELD_CHECK_RESULT enum meld_status
core_read_reftype(struct rd *rd, struct bin_reader *r, struct core_valtype *vt,
		  const char *what);

/*
 * Skip one constant expression, its `end` included, checking what it
 * names: global.get may name only the first nglobals globals, immutable.
 */
MELD_CHECK_RESULT enum meld_status
core_read_const_expr(struct rd *rd, struct bin_reader *r, uint32_t nglobals,
		     const char *what);

MELD_CHECK_RESULT enum meld_status
core_read_limits(struct bin_reader *r, struct core_limits *l, bool table,
		 const char *what);
MELD_CHECK_RESULT enum meld_status
core_read_tabletype(struct rd *rd, struct bin_reader *r, struct core_table *t);
MELD_CHECK_RESULT enum meld_status
core_read_globaltype(struct rd *rd, struct bin_reader *r,
		     struct core_global *g);
MELD_CHECK_RESULT enum meld_status
core_read_tagtype(struct rd *rd, struct bin_reader *r, uint32_t *typeidx);

/* The type index of a function (or tag): it must name a function type. */
MELD_CHECK_RESULT enum meld_status
core_read_functype_index(struct rd *rd, struct bin_reader *r,
			 uint32_t *typeidx, const char *what);

#endif
