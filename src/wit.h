/*
 * wit: WIT text (WIT.md) for a component's imports, exports and world,
 * printed from resolved scopes (comp_scope.h).  The layout follows what
 * wit-component's printer (and so `jco wit`) writes, so the two can be
 * compared: interfaces first, then types and resources with their
 * functions, then functions; two-space indentation.
 */
#ifndef WIT_H
#define WIT_H

#include <stdbool.h>

#include "bin_write.h"
#include "comp_scope.h"

struct wit_printer {
	struct bin_writer *w;
	struct arena *arena;
	unsigned indent;
	bool line_start;
	bool any_items;
	/* Print the bodies of interface-named instances too (inspect). */
	bool expand_named;
	/*
	 * Anonymous types written out in place so far, and the budget for
	 * them: written in full, a type that uses another twice doubles, so
	 * a small component can describe a type too large to print.  Past
	 * the budget nothing more is written; over_budget says so and
	 * over_offset is the type definition that did not fit.
	 */
	size_t nodes, max_nodes;
	bool over_budget;
	size_t over_offset;
};

/* The default of wit_printer.max_nodes. */
#define WIT_MAX_NODES 100000

void wit_init(struct wit_printer *p, struct bin_writer *w, struct arena *a);

/*
 * The world of a component scope (filled): "package root:component;" and
 * "world root { ... }", as `jco wit` prints it.
 */
void wit_print_world(struct wit_printer *p, struct comp_scope *root);

/*
 * One import or export line of a world: `import name: func(...);`,
 * `import ns:pkg/iface;` or `import name: interface { ... }`.
 */
void wit_print_extern(struct wit_printer *p, const char *keyword,
		      const struct comp_extern_name *name,
		      struct comp_item *item, enum comp_space space);

/* A value type as WIT (`list<u8>`, `result<_, string>`, a type name). */
void wit_print_valtype(struct wit_printer *p, struct comp_scope *s,
		       struct comp_valtype vt);

#endif
