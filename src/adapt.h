/*
 * adapt: the adapters (ARCHITECTURE.md, pass 4).
 *
 * An adapter site is a core import bound to a `canon lower` of a `canon
 * lift` from another component instance, which the plan decided to carry
 * in a generated function.  Each adapter's code comes from adapt_gen.h,
 * given the function type, the caller's `canon lower` options and the
 * callee's `canon lift` options in fused-module indices, the callee, its
 * post-return, and the flags globals the plan found observable (the
 * callers' and callees' may_leave, the entered instances' may_enter).
 * The helper functions the adapters share become the last functions of
 * the fused module.
 */
#ifndef ADAPT_H
#define ADAPT_H

#include "plan.h"

/*
 * Generate the code of every adapter of p (into p->adapters) and the
 * helpers they share (appended to p's functions, their types to p's
 * types); the last step of plan_build, when every other index is known.
 * Fails with the site named: MELD_EUNSUPPORTED (64-bit memories, ...),
 * MELD_EINVALID (an option the type needs is missing), MELD_ENOMEM.
 */
MELD_CHECK_RESULT enum meld_status
adapt_build(struct arena *a, struct diag *d, struct plan *p);

/* "direct", "adapter", "import": how a site was planned. */
const char *adapt_strategy_name(enum plan_site_kind k);

#endif
