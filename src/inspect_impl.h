/*
 * inspect_impl: what the `meld inspect` files share: inspect.c (the
 * component tree, the entry point), inspect_core.c (core modules) and
 * inspect_externs.c (root imports and exports: WIT, JSON types, lift
 * options).
 */
#ifndef INSPECT_IMPL_H
#define INSPECT_IMPL_H

#include "inspect.h"

#include "bin_write.h"
#include "comp.h"
#include "comp_scope.h"
#include "core_module.h"
#include "json.h"
#include "wit.h"

struct insp {
	struct meld_session *s;
	const struct session_input *in;
	struct bin_writer *w;
	struct json j;
	bool json;
	/* export types (json): nodes written, the export being written */
	size_t type_nodes;
	struct bin_name cur_instance, cur_func;
};

/*
 * Type nodes one inspect may write (JSON types and WIT together).
 * Written out in full, a type that uses another twice doubles: a small
 * component can describe a type too large to print.
 */
#define INSPECT_TYPE_NODES 100000

void inspect_out(struct insp *x, const char *f, ...)
	__attribute__((format(printf, 2, 3)));
void inspect_out_indent(struct insp *x, unsigned depth);
/* A name as a quoted string (escaping quotes, backslashes, controls). */
void inspect_out_quoted(struct insp *x, struct bin_name n);
void inspect_json_name(struct json *j, const char *key, struct bin_name n);

/* A core module: its sections, imports and exports (inspect_core.c). */
MELD_CHECK_RESULT enum meld_status inspect_core(struct insp *x);

/* The root's imports and exports with their types (inspect_externs.c). */
MELD_CHECK_RESULT enum meld_status
inspect_root_externs(struct insp *x, struct comp_scope *root);

/* A WIT printer ran out of the type budget: the diagnostic. */
MELD_CHECK_RESULT enum meld_status
inspect_wit_refuse(struct insp *x, const struct wit_printer *p);

#endif
