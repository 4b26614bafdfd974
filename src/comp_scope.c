/*
 * comp_scope: index resolution over the component IR (Explainer.md
 * "Index Spaces", "Alias Definitions", "Instance Definitions",
 * "Type Definitions" / declarators).  Every definition appends items to
 * the spaces of its scope exactly as comp_read numbered them, so an index
 * in the IR is an index here.
 */
#include "comp_scope.h"

#include <string.h>

#include "comp_types.h"

/* Nested lazy instantiation deeper than this resolves to UNKNOWN. */
#define SCOPE_MAX_DEPTH 64
/* Items a whole session may create. */
#define SCOPE_BUDGET 250000
/* What a new scope costs of it (a scope is a few items' worth of memory). */
#define SCOPE_COST 3

static struct comp_item unknown_item = {.kind = COMP_ITEM_UNKNOWN};

void
comp_scope_ctx_init(struct comp_scope_ctx *x, struct arena *a)
{
	memset(x, 0, sizeof *x);
	x->arena = a;
	x->budget = SCOPE_BUDGET;
}

static struct comp_item *
item_new(struct comp_scope *s, enum comp_item_kind k)
{
	struct comp_scope_ctx *x = s->ctx;
	if (x->budget == 0)
		return &unknown_item;
	struct comp_item *it = arena_alloc(x->arena, sizeof *it);
	if (!it) {
		x->oom = true;
		return &unknown_item;
	}
	x->budget--;
	it->kind = k;
	it->scope = s;
	return it;
}

static void
push_item(struct comp_scope *s, enum comp_space sp, struct comp_item *it)
{
	if ((unsigned)sp >= COMP_SPACE_COUNT)
		return;
	struct comp_item **slot =
		arena_push(s->ctx->arena, (void **)&s->space[sp].items,
			   &s->space[sp].len, &s->space[sp].cap, sizeof *slot);
	if (!slot) {
		s->ctx->oom = true;
		return;
	}
	*slot = it ? it : &unknown_item;
}

static void
name_item(struct comp_item *it, struct bin_name name)
{
	if (it != &unknown_item && it->name.p == NULL)
		it->name = name;
}

static struct comp_scope *
scope_new(struct comp_scope_ctx *x, struct comp_scope *parent,
	  enum comp_scope_kind kind)
{
	/* a scope weighs about as much as a few items: it spends the budget too */
	if (x->budget < SCOPE_COST)
		return NULL;
	x->budget -= SCOPE_COST;
	struct comp_scope *s = arena_alloc(x->arena, sizeof *s);
	if (!s) {
		x->oom = true;
		return NULL;
	}
	s->kind = kind;
	s->ctx = x;
	s->parent = parent;
	return s;
}

struct comp_scope *
comp_scope_new_component(struct comp_scope_ctx *x, struct comp_scope *parent,
			 const struct comp_component *c)
{
	struct comp_scope *s = scope_new(x, parent, COMP_SCOPE_COMPONENT);
	if (s)
		s->comp = c;
	return s;
}

struct comp_scope *
comp_scope_new_type(struct comp_scope_ctx *x, struct comp_scope *parent,
		    const struct comp_type *t)
{
	struct comp_scope *s = scope_new(
		x, parent,
		t->kind == COMP_TYPE_COMPONENT ? COMP_SCOPE_COMPONENT_TYPE
					       : COMP_SCOPE_INSTANCE_TYPE);
	if (s)
		s->decl = &t->decl;
	return s;
}

struct comp_item *
comp_scope_get(const struct comp_scope *s, enum comp_space sp, uint32_t idx)
{
	if (!s || (unsigned)sp >= COMP_SPACE_COUNT || idx >= s->space[sp].len)
		return NULL;
	return s->space[sp].items[idx];
}

/* Like comp_scope_get, but UNKNOWN instead of NULL. */
static struct comp_item *
get(const struct comp_scope *s, enum comp_space sp, uint32_t idx)
{
	struct comp_item *it = comp_scope_get(s, sp, idx);
	return it ? it : &unknown_item;
}

struct comp_scope *
comp_scope_outer(struct comp_scope *s, uint32_t count)
{
	while (s && count > 0) {
		s = s->parent;
		count--;
	}
	return s;
}

struct comp_item *
comp_scope_valtype(struct comp_scope *s, struct comp_valtype vt)
{
	if (vt.prim != COMP_PRIM_NONE)
		return NULL;
	return comp_scope_get(s, COMP_SPACE_TYPE, vt.typeidx);
}

bool
comp_item_same(const struct comp_item *a, const struct comp_item *b)
{
	if (a && a->canon)
		a = a->canon;
	if (b && b->canon)
		b = b->canon;
	return a && a == b && a->kind != COMP_ITEM_UNKNOWN;
}

struct comp_item *
comp_export_ref_find(const struct comp_export_ref *refs, uint32_t n,
		     struct bin_name name, enum comp_space sp)
{
	for (uint32_t i = 0; i < n; i++) {
		if (refs[i].space == sp && refs[i].name.len == name.len &&
		    (name.len == 0 || memcmp(refs[i].name.p, name.p, name.len) == 0))
			return refs[i].item;
	}
	return NULL;
}

bool
comp_item_is_resource(struct comp_item *it)
{
	it = comp_item_canon(it);
	return it && (it->kind == COMP_ITEM_RESOURCE ||
		      (it->kind == COMP_ITEM_TYPE && it->def &&
		       it->def->kind == COMP_TYPE_RESOURCE));
}

/* A new name for a type item (see comp_scope.h); other items as they are. */
static struct comp_item *
alias_new(struct comp_scope *s, struct comp_item *target, struct bin_name name,
	  struct comp_item *via)
{
	if (target->kind != COMP_ITEM_TYPE && target->kind != COMP_ITEM_RESOURCE)
		return target;
	struct comp_item *it = item_new(s, target->kind);
	if (it == &unknown_item)
		return target;
	it->def = target->def;
	it->scope = target->scope;
	it->name = name;
	it->target = target;
	it->canon = target->canon ? target->canon : target;
	it->via = via;
	return it;
}

/* ---- instances and their exports ------------------------------------ */

static bool
name_eq(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static struct comp_scope *
build_instantiated(struct comp_item *inst)
{
	struct comp_item *ci = get(inst->scope, COMP_SPACE_COMPONENT,
				   inst->inst->componentidx);
	struct comp_scope *s = NULL;
	if (ci->kind != COMP_ITEM_COMPONENT)
		return NULL;
	if (ci->def_comp)
		s = comp_scope_new_component(inst->scope->ctx, ci->scope,
					     ci->def_comp);
	else if (ci->type && ci->type->kind == COMP_ITEM_TYPE &&
		 ci->type->def->kind == COMP_TYPE_COMPONENT)
		s = comp_scope_new_type(inst->scope->ctx, ci->type->scope,
					ci->type->def);
	if (!s)
		return NULL;
	s->args = inst->inst;
	s->args_scope = inst->scope;
	return s;
}

static struct comp_scope *
build_typed(struct comp_item *inst)
{
	struct comp_item *t = inst->type;
	if (!t || t->kind != COMP_ITEM_TYPE || t->def->kind != COMP_TYPE_INSTANCE)
		return NULL;
	struct comp_scope *s = comp_scope_new_type(inst->scope->ctx, t->scope, t->def);
	if (s && inst->asc_src) {
		struct comp_export_ref *refs;
		s->nexp_src = comp_item_exports(inst->asc_src, &refs);
		s->exp_src = refs;
	}
	return s;
}

/* Give every item the instance exports a name (if it has none). */
static void
name_exports(struct comp_scope *s)
{
	uint32_t n = comp_scope_nexports(s);
	for (uint32_t i = 0; i < n; i++) {
		struct bin_name name;
		enum comp_space sp;
		struct comp_item *it = comp_scope_export_at(s, i, &name, &sp);
		if (it)
			name_item(it, name);
	}
}

struct comp_scope *
comp_item_instance_scope(struct comp_item *inst)
{
	if (!inst || inst->kind != COMP_ITEM_INSTANCE ||
	    inst->inst_kind == COMP_INST_INLINE)
		return NULL;
	if (inst->inst_scope)
		return inst->inst_scope;
	struct comp_scope_ctx *x = inst->scope->ctx;
	if (x->depth >= SCOPE_MAX_DEPTH || x->budget == 0)
		return NULL;
	struct comp_scope *s = inst->inst_kind == COMP_INST_TYPED
				       ? build_typed(inst)
				       : build_instantiated(inst);
	if (!s)
		return NULL;
	x->depth++;
	comp_scope_fill(s);
	x->depth--;
	name_exports(s);
	inst->inst_scope = s;
	return s;
}

static struct comp_item *
inline_export(struct comp_item *inst, struct bin_name name,
	      enum comp_space *sp)
{
	const struct comp_instance *in = inst->inst;
	for (uint32_t i = 0; i < in->nexports; i++) {
		if (name_eq(in->exports[i].name.name, name)) {
			*sp = in->exports[i].ref.space;
			return get(inst->scope, *sp, in->exports[i].ref.idx);
		}
	}
	return NULL;
}

struct comp_item *
comp_item_export(struct comp_item *inst, struct bin_name name,
		 enum comp_space *sp)
{
	if (!inst || inst->kind != COMP_ITEM_INSTANCE)
		return NULL;
	if (inst->inst_kind == COMP_INST_INLINE)
		return inline_export(inst, name, sp);
	struct comp_scope *s = comp_item_instance_scope(inst);
	if (!s)
		return NULL;
	uint32_t n = comp_scope_nexports(s);
	for (uint32_t i = 0; i < n; i++) {
		struct bin_name en;
		struct comp_item *it = comp_scope_export_at(s, i, &en, sp);
		if (name_eq(en, name))
			return it;
	}
	return NULL;
}

uint32_t
comp_scope_nexports(const struct comp_scope *s)
{
	if (s->kind == COMP_SCOPE_COMPONENT)
		return (uint32_t)s->comp->nexports;
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->decl->ndecls; i++)
		n += s->decl->decls[i].kind == COMP_DECL_EXPORT;
	return n;
}

struct comp_item *
comp_scope_export_at(struct comp_scope *s, uint32_t i, struct bin_name *name,
		     enum comp_space *sp)
{
	if (s->kind == COMP_SCOPE_COMPONENT) {
		const struct comp_export *ex = &s->comp->exports[i];
		*name = ex->name.name;
		*sp = ex->ref.space;
		return get(s, ex->ref.space, ex->idx);
	}
	for (uint32_t k = 0; k < s->decl->ndecls; k++) {
		const struct comp_decl *d = &s->decl->decls[k];
		if (d->kind != COMP_DECL_EXPORT || i-- > 0)
			continue;
		*name = d->name.name;
		*sp = d->space;
		return get(s, d->space, d->local_idx);
	}
	return NULL;
}

uint32_t
comp_item_exports(struct comp_item *inst, struct comp_export_ref **out)
{
	*out = NULL;
	if (!inst || inst->kind != COMP_ITEM_INSTANCE)
		return 0;
	struct arena *a;
	uint32_t n;
	struct comp_scope *s = NULL;
	if (inst->inst_kind == COMP_INST_INLINE) {
		n = inst->inst->nexports;
		a = inst->scope->ctx->arena;
	} else {
		s = comp_item_instance_scope(inst);
		if (!s)
			return 0;
		n = comp_scope_nexports(s);
		a = s->ctx->arena;
	}
	struct comp_export_ref *refs =
		arena_alloc_array(a, n ? n : 1, sizeof *refs);
	if (!refs)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (s) {
			refs[i].item = comp_scope_export_at(s, i, &refs[i].name,
							    &refs[i].space);
		} else {
			const struct comp_inline_export *e = &inst->inst->exports[i];
			refs[i].name = e->name.name;
			refs[i].space = e->ref.space;
			refs[i].item = get(inst->scope, e->ref.space, e->ref.idx);
		}
		if (!refs[i].item)
			refs[i].item = &unknown_item;
	}
	*out = refs;
	return n;
}

struct comp_item *
comp_item_canon(struct comp_item *it)
{
	return it && it->canon ? it->canon : it;
}

/* ---- building ------------------------------------------------------- */

static struct comp_item *
from_externtype(struct comp_scope *s, const struct comp_externtype *e)
{
	struct comp_item *it;
	switch (e->kind) {
	case COMP_EXTERN_MODULE:
		it = item_new(s, COMP_ITEM_CORE);
		if (it != &unknown_item)
			it->type = get(s, COMP_SPACE_CORE_TYPE, e->idx);
		return it;
	case COMP_EXTERN_FUNC:
		it = item_new(s, COMP_ITEM_FUNC);
		if (it != &unknown_item)
			it->type = get(s, COMP_SPACE_TYPE, e->idx);
		return it;
	case COMP_EXTERN_VALUE:
		it = item_new(s, COMP_ITEM_VALUE);
		if (it != &unknown_item)
			it->value_type = e->value;
		return it;
	case COMP_EXTERN_TYPE:
		if (e->bound == COMP_BOUND_EQ)
			return get(s, COMP_SPACE_TYPE, e->idx);
		return item_new(s, COMP_ITEM_RESOURCE);
	case COMP_EXTERN_COMPONENT:
		it = item_new(s, COMP_ITEM_COMPONENT);
		if (it != &unknown_item)
			it->type = get(s, COMP_SPACE_TYPE, e->idx);
		return it;
	case COMP_EXTERN_INSTANCE:
		it = item_new(s, COMP_ITEM_INSTANCE);
		if (it != &unknown_item) {
			it->inst_kind = COMP_INST_TYPED;
			it->type = get(s, COMP_SPACE_TYPE, e->idx);
		}
		return it;
	}
	return &unknown_item;
}

static struct comp_item *
resolve_import(struct comp_scope *s, const struct comp_extern_name *name,
	       const struct comp_externtype *e)
{
	if (s->imp_src) {
		struct comp_item *it = comp_export_ref_find(
			s->imp_src, s->nimp_src, name->name, comp_extern_space(e->kind));
		if (it)
			return it;
	}
	if (s->args) {
		for (uint32_t i = 0; i < s->args->nargs; i++) {
			const struct comp_arg *a = &s->args->args[i];
			if (name_eq(a->name, name->name))
				return get(s->args_scope, a->ref.space, a->ref.idx);
		}
	}
	struct comp_item *it = from_externtype(s, e);
	if (e->kind == COMP_EXTERN_TYPE && e->bound == COMP_BOUND_EQ)
		return alias_new(s, it, name->name, NULL);
	name_item(it, name->name);
	return it;
}

static struct comp_item *
resolve_alias(struct comp_scope *s, const struct comp_alias *a)
{
	struct comp_item *it;
	enum comp_space sp;
	switch (a->kind) {
	case COMP_ALIAS_INSTANCE_EXPORT: {
		struct comp_item *inst =
			get(s, COMP_SPACE_INSTANCE, a->instanceidx);
		it = comp_item_export(inst, a->name, &sp);
		if (!it || sp != a->space)
			return &unknown_item;
		return a->space == COMP_SPACE_TYPE
			       ? alias_new(s, it, a->name, inst)
			       : it;
	}
	case COMP_ALIAS_CORE_INSTANCE_EXPORT:
		return item_new(s, COMP_ITEM_CORE);
	case COMP_ALIAS_OUTER:
		return get(comp_scope_outer(s, a->outer_count), a->space,
			   a->outer_idx);
	}
	return &unknown_item;
}

static void
add_n(struct comp_scope *s, enum comp_space sp, enum comp_item_kind k,
      uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		push_item(s, sp, item_new(s, k));
}

/* The core types one core type definition introduces. */
static void
add_core_type(struct comp_scope *s, const struct comp_core_typedef *t)
{
	uint32_t n = t->is_module ? 1 : t->nsubs;
	for (uint32_t i = 0; i < n; i++) {
		struct comp_item *it = item_new(s, COMP_ITEM_CORE);
		if (it != &unknown_item) {
			it->core_type = t;
			it->core_sub = i;
		}
		push_item(s, COMP_SPACE_CORE_TYPE, it);
	}
}

static void
add_instance(struct comp_scope *s, const struct comp_instance *in)
{
	struct comp_item *it = item_new(s, COMP_ITEM_INSTANCE);
	if (it != &unknown_item) {
		it->inst = in;
		it->inst_kind = in->kind == COMP_INSTANCE_INSTANTIATE
					? COMP_INST_INSTANTIATED
					: COMP_INST_INLINE;
	}
	push_item(s, COMP_SPACE_INSTANCE, it);
}

static void
add_export(struct comp_scope *s, const struct comp_export *ex)
{
	struct comp_item *it = get(s, ex->ref.space, ex->ref.idx);
	if (ex->has_ascription && ex->ascription.kind != COMP_EXTERN_TYPE &&
	    it->kind != COMP_ITEM_UNKNOWN) {
		/* the ascribed type is what the outside sees */
		struct comp_item *asc = from_externtype(s, &ex->ascription);
		if (asc->kind == COMP_ITEM_FUNC || asc->kind == COMP_ITEM_INSTANCE ||
		    asc->kind == COMP_ITEM_COMPONENT) {
			asc->inst = it->inst;
			asc->def_comp = it->def_comp;
			if (it->kind == COMP_ITEM_INSTANCE &&
			    asc->kind == COMP_ITEM_INSTANCE) {
				asc->inst_kind = COMP_INST_TYPED;
				asc->asc_src = it;
			}
			it = asc;
		}
	}
	if (ex->has_ascription && ex->ascription.kind == COMP_EXTERN_TYPE &&
	    ex->ascription.bound == COMP_BOUND_SUB_RESOURCE) {
		/* an abstract resource: a new type outside, however it is defined */
		struct comp_item *r = item_new(s, COMP_ITEM_RESOURCE);
		if (r != &unknown_item) {
			r->name = ex->name.name;
			r->by_export = true;
			push_item(s, ex->ref.space, r);
			return;
		}
	}
	if (ex->ref.space == COMP_SPACE_TYPE) {
		struct comp_item *target = it;
		it = alias_new(s, target, ex->name.name, NULL);
		if (it != target)
			it->by_export = true;
	} else
		name_item(it, ex->name.name);
	push_item(s, ex->ref.space, it);
}

static void
add_canon(struct comp_scope *s, const struct comp_canon *cn)
{
	if (cn->kind != COMP_CANON_LIFT) {
		push_item(s, COMP_SPACE_CORE_FUNC, item_new(s, COMP_ITEM_CORE));
		return;
	}
	struct comp_item *it = item_new(s, COMP_ITEM_FUNC);
	if (it != &unknown_item)
		it->type = get(s, COMP_SPACE_TYPE, cn->typeidx);
	push_item(s, COMP_SPACE_FUNC, it);
}

/* The values a start function returns, typed by its function type. */
static void
add_start_results(struct comp_scope *s, const struct comp_start *st)
{
	struct comp_item *f = get(s, COMP_SPACE_FUNC, st->funcidx);
	struct comp_item *t = f->kind == COMP_ITEM_FUNC ? f->type : NULL;
	bool typed = t && t->kind == COMP_ITEM_TYPE && t->def &&
		     t->def->kind == COMP_TYPE_FUNC && t->def->func.has_result;
	for (uint32_t i = 0; i < st->nresults; i++) {
		struct comp_item *it = typed ? item_new(s, COMP_ITEM_VALUE) : &unknown_item;
		if (it != &unknown_item) {
			it->scope = t->scope;
			it->value_type = t->def->func.result;
		}
		push_item(s, COMP_SPACE_VALUE, it);
	}
}

void
comp_scope_add_def(struct comp_scope *s, const struct comp_def *d)
{
	const struct comp_component *c = s->comp;
	struct comp_item *it;
	switch (d->kind) {
	case COMP_DEF_CORE_MODULE:
		it = item_new(s, COMP_ITEM_CORE);
		if (it != &unknown_item)
			it->cmod = &c->core_modules[d->item];
		push_item(s, COMP_SPACE_CORE_MODULE, it);
		return;
	case COMP_DEF_CORE_INSTANCE:
		add_n(s, COMP_SPACE_CORE_INSTANCE, COMP_ITEM_CORE, 1);
		return;
	case COMP_DEF_CORE_TYPE:
		add_core_type(s, &c->core_types[d->item]);
		return;
	case COMP_DEF_COMPONENT:
		it = item_new(s, COMP_ITEM_COMPONENT);
		if (it != &unknown_item)
			it->def_comp = c->components[d->item];
		push_item(s, COMP_SPACE_COMPONENT, it);
		return;
	case COMP_DEF_INSTANCE:
		add_instance(s, &c->instances[d->item]);
		return;
	case COMP_DEF_ALIAS:
		push_item(s, c->aliases[d->item].space,
			  resolve_alias(s, &c->aliases[d->item]));
		return;
	case COMP_DEF_TYPE:
		it = item_new(s, COMP_ITEM_TYPE);
		if (it != &unknown_item)
			it->def = &c->types[d->item];
		push_item(s, COMP_SPACE_TYPE, it);
		return;
	case COMP_DEF_CANON:
		add_canon(s, &c->canons[d->item]);
		return;
	case COMP_DEF_START:
		add_start_results(s, &c->starts[d->item]);
		return;
	case COMP_DEF_IMPORT:
		push_item(s, c->imports[d->item].space,
			  resolve_import(s, &c->imports[d->item].name,
					 &c->imports[d->item].ext));
		return;
	case COMP_DEF_EXPORT:
		add_export(s, &c->exports[d->item]);
		return;
	case COMP_DEF_VALUE:
		it = item_new(s, COMP_ITEM_VALUE);
		if (it != &unknown_item)
			it->value_type = c->values[d->item].type;
		push_item(s, COMP_SPACE_VALUE, it);
		return;
	}
}

/* The item exp_src gives for an export declarator, or NULL. */
static struct comp_item *
substitute_export(struct comp_scope *s, const struct comp_decl *d)
{
	if (!s->exp_src)
		return NULL;
	struct comp_item *it = comp_export_ref_find(s->exp_src, s->nexp_src,
						    d->name.name, d->space);
	if (!it || it->kind == COMP_ITEM_UNKNOWN)
		return NULL;
	if (d->ext.kind == COMP_EXTERN_TYPE && d->ext.bound == COMP_BOUND_SUB_RESOURCE &&
	    !comp_item_is_resource(it))
		return NULL;
	return it;
}

void
comp_scope_add_decl(struct comp_scope *s, const struct comp_decl *d)
{
	struct comp_item *it;
	switch (d->kind) {
	case COMP_DECL_CORE_TYPE:
		add_core_type(s, d->core_type);
		return;
	case COMP_DECL_TYPE:
		it = item_new(s, COMP_ITEM_TYPE);
		if (it != &unknown_item)
			it->def = d->type;
		push_item(s, COMP_SPACE_TYPE, it);
		return;
	case COMP_DECL_ALIAS:
		push_item(s, d->alias.space, resolve_alias(s, &d->alias));
		return;
	case COMP_DECL_IMPORT:
		push_item(s, d->space, resolve_import(s, &d->name, &d->ext));
		return;
	case COMP_DECL_EXPORT:
		it = substitute_export(s, d);
		if (it) {
			push_item(s, d->space, it);
			return;
		}
		it = from_externtype(s, &d->ext);
		if (d->ext.kind == COMP_EXTERN_TYPE && d->ext.bound == COMP_BOUND_EQ)
			it = alias_new(s, it, d->name.name, NULL);
		else
			name_item(it, d->name.name);
		push_item(s, d->space, it);
		return;
	}
}

void
comp_scope_fill(struct comp_scope *s)
{
	if (s->kind == COMP_SCOPE_COMPONENT) {
		for (size_t i = 0; i < s->comp->ndefs; i++)
			comp_scope_add_def(s, &s->comp->defs[i]);
		return;
	}
	for (uint32_t i = 0; i < s->decl->ndecls; i++)
		comp_scope_add_decl(s, &s->decl->decls[i]);
}
