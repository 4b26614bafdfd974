/*
 * emit: write the fused core module from the plan (ARCHITECTURE.md,
 * pass 5).  Every entry of every instance goes through its remap exactly
 * once; generated functions (adapters, the start function) follow the
 * instances' own.  The output depends only on the plan, which depends
 * only on the inputs: fusing twice gives the same bytes.
 */
#ifndef EMIT_H
#define EMIT_H

#include "bin_write.h"
#include "plan.h"

/* The section of the fused module that describes the boundary when
 * several memories make wit-component's names ambiguous. */
#define EMIT_ABI_SECTION "meld:abi"

MELD_CHECK_RESULT enum meld_status
emit_module(struct arena *a, struct diag *d, struct plan *p,
	    struct bin_writer *w);

#endif
