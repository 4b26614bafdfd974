/*
 * comp_valid: validation of a component, a pass after comp_read
 * (Explainer.md, Binary.md notes on each section, CanonicalABI.md for
 * canon definitions), so that fusion refuses what a runtime would refuse.
 *
 * Definitions are checked in binary order against the index spaces as
 * they stand at that point (comp_scope builds them alongside), so every
 * index must name an earlier definition.  Nested core modules are read
 * with core_read (their structure is checked there, not their code) and
 * kept in the IR.  Where wasm-tools and the spec differ, wasm-tools is
 * followed (type equality for value and function types, its messages).
 *
 * This file: the walk, core modules and instances, component instances,
 * exports and their ascriptions, the start function, values (🪙) used
 * exactly once, feature sets.  The rest:
 *   comp_valid_types.c  type definitions, extern types, aliases, core types
 *   comp_valid_names.c  import/export names and their uniqueness
 *   comp_valid_vis.c    external visibility of the types imports/exports use
 *   comp_valid_sub.c    subtyping: instantiation arguments, ascriptions
 *   comp_valid_core.c   types of core items, core instantiation, modules
 *   comp_valid_canon.c  canon definitions, options, built-in signatures
 *   comp_valid_gc.c     the GC ABI of the gc/core-type options
 *   comp_valid_size.c   elem_size < 2^28 and the effective type size limit
 * Work is bounded: past VALID_TYPE_BUDGET steps (or comp_scope's item
 * budget) a component is refused as too large to type-check, as
 * wasm-tools refuses types past its effective size limit.
 *
 * Not checked: the code of nested core modules (function bodies).
 */
#include "comp_valid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "comp_types.h"
#include "core_module.h"

enum meld_status
valid_fail(struct vctx *v, size_t offset, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return diag_fail(v->diag, MELD_EINVALID, v->input, offset, "%s", msg);
}

enum meld_status
valid_oom(struct vctx *v)
{
	return diag_fail(v->diag, MELD_ENOMEM, v->input, DIAG_NO_OFFSET,
			 "out of memory");
}

enum meld_status
valid_no_scope(struct vctx *v, size_t offset)
{
	if (v->sx.oom)
		return valid_oom(v);
	return valid_fail(v, offset,
			  "effective type size exceeds the limit: checking the types of this component takes more than %u steps",
			  (unsigned)VALID_TYPE_BUDGET);
}

enum meld_status
valid_index(struct vctx *v, struct comp_scope *s, enum comp_space sp,
	    uint32_t idx, size_t offset, const char *what)
{
	if (idx < s->space[sp].len)
		return MELD_OK;
	return valid_fail(v, offset, "%s: %s index %u out of bounds (%zu defined)",
			  what, comp_space_name(sp), idx, s->space[sp].len);
}

/* ---- core modules and core instances ----------------------------------- */

static bool
name_same(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/*
 * Two-level import names mangle to one level in components ("m:n"), so
 * two imports with the same pair are refused (quadratic, but a module
 * with very many imports is refused before that by the budget).
 */
static enum meld_status
dup_core_imports(struct vctx *v, const struct comp_core_module *m)
{
	const struct core_module *cm = m->module;
	if ((uint64_t)cm->nimports * cm->nimports > 64000000u)
		return MELD_OK;
	for (uint32_t i = 1; i < cm->nimports; i++) {
		for (uint32_t k = 0; k < i; k++) {
			if (name_same(cm->imports[i].module, cm->imports[k].module) &&
			    name_same(cm->imports[i].name, cm->imports[k].name))
				return valid_fail(v, (size_t)(cm->imports[i].p - (m->bytes - m->offset)),
						  "duplicate import name `%.*s:%.*s`",
						  (int)cm->imports[i].module.len,
						  (const char *)cm->imports[i].module.p,
						  (int)cm->imports[i].name.len,
						  (const char *)cm->imports[i].name.p);
		}
	}
	return MELD_OK;
}

static enum meld_status
valid_core_module(struct vctx *v, struct comp_core_module *m)
{
	if (!m->module) {
		enum meld_status st = core_read(v->arena, v->diag, v->input,
						m->bytes - m->offset, m->bytes,
						m->len, &m->module);
		if (st != MELD_OK)
			return st;
	}
	return dup_core_imports(v, m);
}

static enum meld_status
dup_arg_names(struct vctx *v, const struct comp_arg *args, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		for (uint32_t k = 0; k < i; k++) {
			if (args[i].name.len == args[k].name.len &&
			    memcmp(args[i].name.p, args[k].name.p, args[i].name.len) == 0)
				return valid_fail(v, args[i].offset,
						  "duplicate instantiation argument named `%.*s`",
						  (int)args[i].name.len,
						  (const char *)args[i].name.p);
		}
	}
	return MELD_OK;
}

static enum meld_status
valid_core_instance(struct vctx *v, struct comp_scope *s,
		    const struct comp_core_instance *ci)
{
	enum meld_status st = MELD_OK;
	if (ci->kind == COMP_INSTANCE_INSTANTIATE) {
		st = valid_index(v, s, COMP_SPACE_CORE_MODULE, ci->moduleidx,
				 ci->offset, "core instantiate");
		for (uint32_t i = 0; st == MELD_OK && i < ci->nargs; i++)
			st = valid_index(v, s, COMP_SPACE_CORE_INSTANCE,
					 ci->args[i].ref.idx, ci->args[i].offset,
					 "core instantiate argument");
		if (st == MELD_OK)
			st = dup_arg_names(v, ci->args, ci->nargs);
		return st == MELD_OK ? valid_core_instantiate(v, s, ci) : st;
	}
	for (uint32_t i = 0; st == MELD_OK && i < ci->nexports; i++) {
		const struct comp_inline_export *e = &ci->exports[i];
		st = valid_index(v, s, e->ref.space, e->ref.idx, e->name.offset,
				 "core instance export");
		for (uint32_t k = 0; st == MELD_OK && k < i; k++) {
			if (ci->exports[k].name.name.len == e->name.name.len &&
			    memcmp(ci->exports[k].name.name.p, e->name.name.p,
				   e->name.name.len) == 0)
				st = valid_fail(v, e->name.offset,
						"export name `%.*s` already defined",
						(int)e->name.name.len,
						(const char *)e->name.name.p);
		}
	}
	return st;
}

/* An alias of a core instance's export: the export exists, of that sort. */
static enum meld_status
valid_core_alias(struct vctx *v, struct comp_scope *s, const struct comp_alias *a)
{
	enum meld_status st = valid_alias(v, s, a, false);
	if (st != MELD_OK || a->kind != COMP_ALIAS_CORE_INSTANCE_EXPORT)
		return st;
	return valid_core_alias_export(v, a);
}

/* ---- component instances ------------------------------------------------ */

static enum meld_status
valid_instance(struct vctx *v, struct comp_scope *s,
	       const struct comp_instance *in)
{
	enum meld_status st = MELD_OK;
	if (in->kind == COMP_INSTANCE_INSTANTIATE) {
		st = valid_index(v, s, COMP_SPACE_COMPONENT, in->componentidx,
				 in->offset, "instantiate");
		for (uint32_t i = 0; st == MELD_OK && i < in->nargs; i++)
			st = valid_index(v, s, in->args[i].ref.space, in->args[i].ref.idx,
					 in->args[i].offset, "instantiate argument");
		if (st == MELD_OK)
			st = dup_arg_names(v, in->args, in->nargs);
		return st == MELD_OK ? valid_instantiate_args(v, s, in) : st;
	}
	struct valid_names names;
	memset(&names, 0, sizeof names);
	names.no_resources = true;
	for (uint32_t i = 0; st == MELD_OK && i < in->nexports; i++) {
		const struct comp_inline_export *e = &in->exports[i];
		st = valid_index(v, s, e->ref.space, e->ref.idx, e->name.offset,
				 "instance export");
		if (st == MELD_OK && e->ref.space < COMP_SPACE_FUNC &&
		    e->ref.space != COMP_SPACE_CORE_MODULE)
			st = valid_fail(v, e->name.offset,
					"instance export `%.*s`: a %s cannot be exported",
					(int)e->name.name.len, (const char *)e->name.name.p,
					comp_space_name(e->ref.space));
		if (st == MELD_OK)
			st = valid_extern_name(v, s, &names, &e->name, e->ref.space,
					       comp_scope_get(s, e->ref.space, e->ref.idx),
					       false);
	}
	return st == MELD_OK ? valid_names_unique(v, &names, "instance export") : st;
}

/* A type definition of a component; a destructor has type [i32] -> []. */
static enum meld_status
valid_local_type(struct vctx *v, struct comp_scope *s, const struct comp_type *t)
{
	enum meld_status st = valid_type(v, s, t);
	if (st != MELD_OK || t->kind != COMP_TYPE_RESOURCE || !t->resource.has_dtor)
		return st;
	const struct vcore *sig = valid_core_at(v, COMP_SPACE_CORE_FUNC, t->resource.dtor_funcidx);
	if (sig && sig->known &&
	    (sig->nparams != 1 || sig->params[0].code != t->resource.rep ||
	     sig->nresults != 0))
		return valid_fail(v, t->offset, "wrong signature for a destructor");
	return MELD_OK;
}

/* ---- imports, exports, start, values ----------------------------------- */

static enum meld_status
valid_export(struct vctx *v, struct comp_scope *s, const struct comp_export *ex)
{
	enum meld_status st = valid_index(v, s, ex->ref.space, ex->ref.idx,
					  ex->offset, "export");
	if (st != MELD_OK)
		return st;
	if (ex->ref.space < COMP_SPACE_FUNC && ex->ref.space != COMP_SPACE_CORE_MODULE)
		return valid_fail(v, ex->offset, "export `%.*s`: a %s cannot be exported",
				  (int)ex->name.name.len, (const char *)ex->name.name.p,
				  comp_space_name(ex->ref.space));
	if (!ex->has_ascription)
		return MELD_OK;
	st = valid_externtype(v, s, &ex->ascription, ex->offset);
	if (st == MELD_OK && comp_extern_space(ex->ascription.kind) != ex->ref.space)
		return valid_fail(v, ex->offset,
				  "export `%.*s`: the type ascription is for a different sort",
				  (int)ex->name.name.len, (const char *)ex->name.name.p);
	struct verr err;
	if (st == MELD_OK &&
	    !valid_sub_extern(v, comp_scope_get(s, ex->ref.space, ex->ref.idx),
			      ex->ref.space, &ex->ascription, s, &err))
		return valid_fail(v, ex->offset,
				  "ascribed type of export is not compatible with item's type: %s",
				  err.msg);
	return st;
}

/* ---- values (🪙): each used exactly once --------------------------------- */

static enum meld_status
use_value(struct vctx *v, uint32_t idx, size_t offset)
{
	struct vcomp *vc = v->cur;
	if (idx >= vc->values.len)
		return MELD_OK; /* bounds are checked on their own */
	if (vc->values.used[idx])
		return valid_fail(v, offset, "value %u cannot be used more than once", idx);
	vc->values.used[idx] = true;
	return MELD_OK;
}

/* The values definition d used. */
static enum meld_status
use_values(struct vctx *v, const struct comp_component *c, const struct comp_def *d)
{
	enum meld_status st = MELD_OK;
	if (d->kind == COMP_DEF_START) {
		const struct comp_start *sd = &c->starts[d->item];
		for (uint32_t i = 0; st == MELD_OK && i < sd->nargs; i++)
			st = use_value(v, sd->args[i], sd->offset);
	} else if (d->kind == COMP_DEF_EXPORT) {
		const struct comp_export *ex = &c->exports[d->item];
		if (ex->ref.space == COMP_SPACE_VALUE)
			st = use_value(v, ex->ref.idx, ex->offset);
	} else if (d->kind == COMP_DEF_INSTANCE) {
		const struct comp_instance *in = &c->instances[d->item];
		for (uint32_t i = 0; st == MELD_OK && i < in->nargs; i++) {
			if (in->args[i].ref.space == COMP_SPACE_VALUE)
				st = use_value(v, in->args[i].ref.idx, in->args[i].offset);
		}
		for (uint32_t i = 0; st == MELD_OK && i < in->nexports; i++) {
			if (in->exports[i].ref.space == COMP_SPACE_VALUE)
				st = use_value(v, in->exports[i].ref.idx, in->offset);
		}
	}
	return st;
}

/* New values: unused, except the new index of an export. */
static enum meld_status
note_values(struct vctx *v, struct comp_scope *s, const struct comp_def *d)
{
	struct vcomp *vc = v->cur;
	while (vc->values.len < s->space[COMP_SPACE_VALUE].len) {
		bool *slot = arena_push(v->arena, (void **)&vc->values.used, &vc->values.len,
					&vc->values.cap, sizeof *slot);
		if (!slot)
			return valid_oom(v);
		*slot = d->kind == COMP_DEF_EXPORT;
	}
	return MELD_OK;
}

static enum meld_status
values_all_used(struct vctx *v, const struct comp_component *c)
{
	struct vcomp *vc = v->cur;
	for (size_t i = 0; i < vc->values.len; i++) {
		if (!vc->values.used[i])
			return valid_fail(v, c->offset + c->len,
					  "value index %zu was not used as part of an instantiation, start function, or export",
					  i);
	}
	return MELD_OK;
}

static enum meld_status
valid_start(struct vctx *v, struct comp_scope *s, const struct comp_start *st_)
{
	enum meld_status st = valid_index(v, s, COMP_SPACE_FUNC, st_->funcidx,
					  st_->offset, "start");
	for (uint32_t i = 0; st == MELD_OK && i < st_->nargs; i++)
		st = valid_index(v, s, COMP_SPACE_VALUE, st_->args[i], st_->offset,
				 "start argument");
	if (st != MELD_OK)
		return st;
	struct comp_item *f = comp_scope_get(s, COMP_SPACE_FUNC, st_->funcidx);
	const struct comp_functype *ft =
		f->kind == COMP_ITEM_FUNC ? valid_functype_of(f->type) : NULL;
	if (ft && ft->nparams != st_->nargs)
		return valid_fail(v, st_->offset, "start function requires %u arguments",
				  ft->nparams);
	if (ft && (ft->has_result ? 1u : 0u) != st_->nresults)
		return valid_fail(v, st_->offset, "start function results size mismatch");
	for (uint32_t i = 0; ft && i < st_->nargs; i++) {
		struct comp_item *val = comp_scope_get(s, COMP_SPACE_VALUE, st_->args[i]);
		struct verr err;
		if (val->kind == COMP_ITEM_VALUE &&
		    !valid_sub_valtype(v, val->scope, val->value_type, f->type->scope,
				       ft->params[i].type, &err))
			return valid_fail(v, st_->offset,
					  "value type mismatch for component start function argument %u: %s",
					  i, err.msg);
	}
	return MELD_OK;
}

/* ---- the walk ------------------------------------------------------------- */

struct comp_names_seen {
	struct valid_names imports, exports;
	struct valid_vis vis;
};

static enum meld_status valid_component(struct vctx *v, struct comp_scope *s);

static enum meld_status
valid_def(struct vctx *v, struct comp_scope *s, const struct comp_def *d)
{
	struct comp_component *c = (struct comp_component *)s->comp;
	switch (d->kind) {
	case COMP_DEF_CORE_MODULE:
		return valid_core_module(v, &c->core_modules[d->item]);
	case COMP_DEF_CORE_INSTANCE:
		return valid_core_instance(v, s, &c->core_instances[d->item]);
	case COMP_DEF_CORE_TYPE:
		return valid_core_type(v, s, &c->core_types[d->item]);
	case COMP_DEF_COMPONENT: {
		struct comp_scope *child =
			comp_scope_new_component(&v->sx, s, c->components[d->item]);
		return child ? valid_component(v, child)
			     : valid_no_scope(v, c->components[d->item]->offset);
	}
	case COMP_DEF_INSTANCE:
		return valid_instance(v, s, &c->instances[d->item]);
	case COMP_DEF_ALIAS:
		return valid_core_alias(v, s, &c->aliases[d->item]);
	case COMP_DEF_TYPE:
		return valid_local_type(v, s, &c->types[d->item]);
	case COMP_DEF_CANON:
		return valid_canon(v, s, &c->canons[d->item]);
	case COMP_DEF_START:
		return valid_start(v, s, &c->starts[d->item]);
	case COMP_DEF_IMPORT:
		return valid_externtype(v, s, &c->imports[d->item].ext,
					c->imports[d->item].offset);
	case COMP_DEF_EXPORT:
		return valid_export(v, s, &c->exports[d->item]);
	case COMP_DEF_VALUE:
		return valid_valtype(v, s, c->values[d->item].type,
				     c->values[d->item].offset);
	}
	return MELD_OK;
}

/* Names are checked once the definition's item exists (resources first). */
static enum meld_status
valid_def_name(struct vctx *v, struct comp_scope *s, const struct comp_def *d,
	       struct comp_names_seen *seen)
{
	const struct comp_component *c = s->comp;
	enum meld_status st;
	if (d->kind == COMP_DEF_IMPORT) {
		const struct comp_import *im = &c->imports[d->item];
		struct comp_item *it = comp_scope_get(s, im->space, im->idx);
		st = valid_extern_name(v, s, &seen->imports, &im->name, im->space,
				       it, true);
		return st == MELD_OK ? valid_visibility(v, &seen->vis, it, im->space, true,
							 im->offset)
				     : st;
	}
	if (d->kind == COMP_DEF_EXPORT) {
		const struct comp_export *ex = &c->exports[d->item];
		struct comp_item *it = comp_scope_get(s, ex->ref.space, ex->idx);
		st = valid_extern_name(v, s, &seen->exports, &ex->name, ex->ref.space,
				       it, false);
		return st == MELD_OK ? valid_visibility(v, &seen->vis, it, ex->ref.space, false,
							 ex->offset)
				     : st;
	}
	return MELD_OK;
}

static enum meld_status
valid_defs(struct vctx *v, struct comp_scope *s)
{
	const struct comp_component *c = s->comp;
	struct comp_names_seen seen;
	memset(&seen, 0, sizeof seen);
	for (size_t i = 0; i < c->ndefs; i++) {
		enum meld_status st = valid_def(v, s, &c->defs[i]);
		if (st == MELD_OK)
			st = use_values(v, c, &c->defs[i]);
		if (st != MELD_OK)
			return st;
		comp_scope_add_def(s, &c->defs[i]);
		st = valid_core_note(v, &c->defs[i]);
		if (st == MELD_OK)
			st = note_values(v, s, &c->defs[i]);
		if (st == MELD_OK)
			st = valid_def_name(v, s, &c->defs[i], &seen);
		if (st != MELD_OK)
			return st;
		if (v->sx.oom)
			return valid_oom(v);
		if (v->out_of_budget || v->sx.budget == 0)
			return valid_no_scope(v, c->offset);
	}
	enum meld_status st = valid_names_unique(v, &seen.imports, "import");
	if (st == MELD_OK)
		st = valid_names_unique(v, &seen.exports, "export");
	return st == MELD_OK ? values_all_used(v, c) : st;
}

static enum meld_status
valid_component(struct vctx *v, struct comp_scope *s)
{
	struct vcomp *vc = arena_alloc(v->arena, sizeof *vc);
	if (!vc)
		return valid_oom(v);
	memset(vc, 0, sizeof *vc);
	vc->parent = v->cur;
	vc->s = s;
	v->cur = vc;
	enum meld_status st = valid_defs(v, s);
	v->cur = vc->parent;
	return st;
}

enum meld_status
comp_validate(struct arena *a, struct diag *d, const char *input_name,
	      struct comp_component *c)
{
	return comp_validate_features(a, d, input_name, c, VALID_F_ALL);
}

bool
valid_features_parse(const char *list, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{"cm64", VALID_F_CM64},
		{"cm-more-async-builtins", VALID_F_MORE_ASYNC_BUILTINS},
		{"cm-threading", VALID_F_THREADING},
		{"cm-async-stackful", VALID_F_ASYNC_STACKFUL},
		{"cm-nested-names", VALID_F_NESTED_NAMES},
	};
	while (*list) {
		size_t n = strcspn(list, ",");
		bool off = *list == '-';
		const char *name = list + off;
		size_t len = n - off;
		if (len == 3 && strncmp(name, "all", 3) == 0)
			*out = off ? 0u : (uint32_t)VALID_F_ALL;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			if (strlen(names[i].name) != len || strncmp(names[i].name, name, len) != 0)
				continue;
			if (off)
				*out &= ~names[i].bit;
			else
				*out |= names[i].bit;
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return true;
}

enum meld_status
comp_validate_features(struct arena *a, struct diag *d, const char *input_name,
		       struct comp_component *c, uint32_t features)
{
	struct vctx v;
	memset(&v, 0, sizeof v);
	v.arena = a;
	v.diag = d;
	v.input = input_name;
	v.budget = VALID_TYPE_BUDGET;
	v.features = features;
	comp_scope_ctx_init(&v.sx, a);
	struct comp_scope *root = comp_scope_new_component(&v.sx, NULL, c);
	if (!root)
		return valid_no_scope(&v, c->offset);
	return valid_component(&v, root);
}
