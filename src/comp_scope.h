/*
 * comp_scope: what each index of a component (or of a component/instance
 * type) refers to, resolved through imports, aliases, exports and
 * instantiation arguments.  Validation and the WIT printer use it to find
 * the type of a function, the exports of an instance, the definition
 * behind a type index.
 *
 * A scope is built one definition (or declarator) at a time, in binary
 * order, so a caller can interleave its own checks.  Items are shared by
 * pointer: an alias or an export of an item is the same item, which gives
 * resources their identity.  A budget bounds the work, so adversarial
 * nesting cannot make resolution explode; past it items become UNKNOWN.
 */
#ifndef COMP_SCOPE_H
#define COMP_SCOPE_H

#include "comp.h"

enum comp_item_kind {
	COMP_ITEM_UNKNOWN,   /* could not be resolved (or out of budget) */
	COMP_ITEM_CORE,      /* any core item: only its existence matters here */
	COMP_ITEM_VALUE,
	COMP_ITEM_TYPE,      /* a type definition: def, in scope */
	COMP_ITEM_RESOURCE,  /* an abstract resource (imported, or (sub resource)) */
	COMP_ITEM_FUNC,      /* a function: type is its functype item */
	COMP_ITEM_INSTANCE,  /* see inst_kind */
	COMP_ITEM_COMPONENT  /* see comp_kind */
};

enum comp_inst_kind {
	COMP_INST_TYPED,      /* of an instance type (import, export decl) */
	COMP_INST_INLINE,     /* built from inline exports */
	COMP_INST_INSTANTIATED /* a component instantiated with arguments */
};

struct comp_scope;

struct comp_item {
	enum comp_item_kind kind;
	/* TYPE: the definition and the scope its indices resolve in.
	 * A TYPE whose def is a resource type is a concrete resource whose
	 * identity is this item. */
	const struct comp_type *def;
	struct comp_scope *scope;
	/* FUNC: its function type (a TYPE item), or NULL if unknown.
	 * INSTANCE TYPED, COMPONENT typed: the instance/component type. */
	struct comp_item *type;
	/* INSTANCE */
	enum comp_inst_kind inst_kind;
	const struct comp_instance *inst;  /* INLINE, INSTANTIATED */
	struct comp_scope *inst_scope;     /* lazily built: exports live here */
	/* COMPONENT: a nested definition (def_comp, in lexical scope) or a
	 * component type (type) */
	const struct comp_component *def_comp;
	/* The name this item was first imported or exported under, if any. */
	struct bin_name name;
	/*
	 * TYPE, RESOURCE aliases.  Every export of a type, every import of a
	 * type (eq i) and every alias of an instance's type export is a new
	 * item naming the same type: `target` is the item it names, `canon`
	 * the original at the end of the chain, `via` (instance-export
	 * aliases only) the instance it was taken from.  WIT printing needs
	 * this provenance to tell `use a.{t}` from a definition.
	 */
	struct comp_item *target, *canon, *via;
	bool by_export; /* the new type index of an export definition */
	/* VALUE: its type; RESOURCE: the declarator that introduced it */
	struct comp_valtype value_type;
	/*
	 * CORE items, where they say more than existence: a core type's
	 * definition (and its member of a rec group), a module's definition
	 * (cmod) or, for a module of a module type, that type (`type`, a
	 * CORE item with core_type set).
	 */
	const struct comp_core_typedef *core_type;
	uint32_t core_sub;
	const struct comp_core_module *cmod;
	/*
	 * INSTANCE TYPED by an export's type ascription: the instance it
	 * ascribes, whose exports stand for the ascribed type's resources.
	 */
	struct comp_item *asc_src;
};

struct comp_export_ref {
	struct bin_name name;
	struct comp_item *item;
	enum comp_space space;
};

enum comp_scope_kind {
	COMP_SCOPE_COMPONENT,
	COMP_SCOPE_COMPONENT_TYPE,
	COMP_SCOPE_INSTANCE_TYPE
};

struct comp_scope_ctx {
	struct arena *arena;
	size_t budget;  /* items left to create */
	unsigned depth; /* lazy instantiations in progress */
	bool oom;
};

struct comp_scope {
	enum comp_scope_kind kind;
	struct comp_scope_ctx *ctx;
	struct comp_scope *parent;          /* lexically enclosing scope */
	const struct comp_component *comp;  /* COMPONENT */
	const struct comp_decltype *decl;   /* type scopes */
	/* instantiation arguments: resolved in args_scope */
	const struct comp_instance *args;
	struct comp_scope *args_scope;
	/*
	 * Substitutions (validation's subtype checks): an import whose name
	 * is in imp_src is that item; in a type scope, an export whose name
	 * is in exp_src is that item when it has the export's sort (and, for
	 * a resource bound, is a resource).
	 */
	const struct comp_export_ref *imp_src, *exp_src;
	uint32_t nimp_src, nexp_src;
	struct {
		struct comp_item **items;
		size_t len, cap;
	} space[COMP_SPACE_COUNT];
};

void comp_scope_ctx_init(struct comp_scope_ctx *x, struct arena *a);

/* A component scope with nothing added yet. */
struct comp_scope *comp_scope_new_component(struct comp_scope_ctx *x,
					    struct comp_scope *parent,
					    const struct comp_component *c);
/* A type scope (component or instance type) with nothing added yet. */
struct comp_scope *comp_scope_new_type(struct comp_scope_ctx *x,
				       struct comp_scope *parent,
				       const struct comp_type *t);

/* Add the items one definition (of s->comp) introduces. */
void comp_scope_add_def(struct comp_scope *s, const struct comp_def *d);
/* Add the items one declarator (of s->decl) introduces. */
void comp_scope_add_decl(struct comp_scope *s, const struct comp_decl *d);
/* Add every definition or declarator at once. */
void comp_scope_fill(struct comp_scope *s);

/* The item at idx in space sp, or NULL when out of range. */
struct comp_item *comp_scope_get(const struct comp_scope *s,
				 enum comp_space sp, uint32_t idx);
/* Follow `count` lexical scopes outwards; NULL past the root. */
struct comp_scope *comp_scope_outer(struct comp_scope *s, uint32_t count);

/*
 * The scope where an instance's exports live (built on first use), or
 * NULL when unknown.  Exports are then found with comp_scope_export.
 */
struct comp_scope *comp_item_instance_scope(struct comp_item *inst);
/* The item an instance exports under `name` (and its space), or NULL. */
struct comp_item *comp_item_export(struct comp_item *inst,
				   struct bin_name name, enum comp_space *sp);

/*
 * The exports of a scope, in order: for a component scope its export
 * definitions, for a type scope its export declarators.  Returns the count;
 * comp_scope_export_at gives each one.
 */
uint32_t comp_scope_nexports(const struct comp_scope *s);
struct comp_item *comp_scope_export_at(struct comp_scope *s, uint32_t i,
				       struct bin_name *name,
				       enum comp_space *sp);

/*
 * The exports of any instance item (typed, inline or instantiated), in
 * order, as an arena array; returns the count (0 when unknown).
 */
uint32_t comp_item_exports(struct comp_item *inst,
			   struct comp_export_ref **out);
/* The original item an alias chain ends at (the item itself if none). */
struct comp_item *comp_item_canon(struct comp_item *it);

/* Resolve a valtype's type index: the TYPE/RESOURCE item or NULL. */
struct comp_item *comp_scope_valtype(struct comp_scope *s,
				     struct comp_valtype vt);

/* The item in imp_src/exp_src named `name` with space sp, or NULL. */
struct comp_item *comp_export_ref_find(const struct comp_export_ref *refs,
				       uint32_t n, struct bin_name name,
				       enum comp_space sp);
/* Is it (through aliases) a resource: abstract or defined? */
bool comp_item_is_resource(struct comp_item *it);

/* Same item, or the same resource. */
bool comp_item_same(const struct comp_item *a, const struct comp_item *b);

#endif
