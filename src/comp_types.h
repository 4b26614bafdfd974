/*
 * comp_types: reading the pieces of the component binary format that
 * both definitions and type declarators use: value types, type
 * definitions, core types, extern types and names, aliases.
 */
#ifndef COMP_TYPES_H
#define COMP_TYPES_H

#include "comp.h"

/* Deeper nesting of components or types than this is refused. */
#define COMP_MAX_NESTING 100

/* Reading context: where allocations go and how deep we are. */
struct comp_rctx {
	struct arena *arena;
	unsigned depth;
};

/* Report an allocation failure at the reader's position. */
enum meld_status comp_oom(struct bin_reader *r);
/* Allocate n zeroed elements, or report ENOMEM; n may be 0. */
void *comp_alloc_array(struct comp_rctx *x, struct bin_reader *r, size_t n,
		       size_t size);

MELD_CHECK_RESULT enum meld_status
comp_read_valtype(struct bin_reader *r, struct comp_valtype *out,
		  const char *what);
MELD_CHECK_RESULT enum meld_status
comp_read_core_valtype(struct bin_reader *r, struct comp_core_valtype *out,
		       bool storage, const char *what);
MELD_CHECK_RESULT enum meld_status
comp_read_sortidx(struct bin_reader *r, struct comp_sortidx *out,
		  const char *what);
MELD_CHECK_RESULT enum meld_status
comp_read_sort(struct bin_reader *r, enum comp_space *out, const char *what);
MELD_CHECK_RESULT enum meld_status
comp_read_extern_name(struct bin_reader *r, struct comp_extern_name *out,
		      const char *what);
MELD_CHECK_RESULT enum meld_status
comp_read_externtype(struct bin_reader *r, struct comp_externtype *out);
MELD_CHECK_RESULT enum meld_status
comp_read_alias(struct bin_reader *r, struct comp_alias *out);
MELD_CHECK_RESULT enum meld_status
comp_read_type(struct comp_rctx *x, struct bin_reader *r,
	       struct comp_type *out);
MELD_CHECK_RESULT enum meld_status
comp_read_core_type(struct comp_rctx *x, struct bin_reader *r,
		    struct comp_core_typedef *out);

/* The space an extern kind's import or export adds to. */
enum comp_space comp_extern_space(enum comp_extern_kind k);

#endif
