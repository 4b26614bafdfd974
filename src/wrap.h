/*
 * wrap: the fused core module inside a component with the original root's
 * imports and exports (ARCHITECTURE.md, pass 6; Explainer.md "Canonical
 * Definitions").  The wrapper holds the fused module once and only the
 * component-level plumbing around it: the root's imports (their types
 * copied from the root), lowerings of those imports with the options each
 * original lowering had, resource types for the resources the root
 * exports, lifts of the fused module's boundary exports, and per exported
 * instance a small type-only component that gives it its interface type.
 *
 * Lowerings that name the fused module's memory or realloc cannot exist
 * before it is instantiated, so they go through wit-component's pattern:
 * a generated shim module whose functions call_indirect through a table,
 * and a fixup module whose element segment fills that table once the
 * fused instance exists (resource destructors take the same path).  The
 * fused module's start function then runs from the fixup module, after
 * the table is filled, as the original components' initialisers ran after
 * their imports were lowered.
 */
#ifndef WRAP_H
#define WRAP_H

#include "bin_write.h"
#include "inst.h"
#include "plan.h"

/*
 * Wrap the fused module `fused` (as emit wrote it from `p`) into a
 * component with the imports and exports of the inputs in[0..nin): the
 * imports no other input's export satisfies (identical ones once, same
 * name meaning same type), and the exports no other input imports (a
 * name exported twice is refused).  The component is written to `out`.
 */
MELD_CHECK_RESULT enum meld_status
wrap_component(struct arena *a, struct diag *d, const struct inst_input *in,
	       size_t nin, struct plan *p, const uint8_t *fused,
	       size_t fused_len, struct bin_writer *out);

#endif
