/*
 * inst: symbolic instantiation of a component, the way a runtime
 * instantiates it (Explainer.md "Instance Definitions", "Alias
 * Definitions", "Canonical Definitions", "Import and Export Definitions").
 *
 * A frame per component instance holds, per index space, what every index
 * refers to.  The definitions are walked in binary order; `instantiate` of
 * a core module adds a core instance to the graph with each import bound to
 * the value its argument exports; `instantiate` of a component recurses
 * with the arguments as the child's imports.  Imports of the root become
 * host values (instance types are evaluated in inst_types.c), or, with
 * several inputs, exports of an input instantiated before (inst_link.c).
 */
#include "inst_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Deeper instantiation than this, or more work, is refused. */
#define INST_MAX_DEPTH 200
#define INST_BUDGET ((size_t)4 * 1000 * 1000)
#define INST_MAX_CORES 100000

enum meld_status
inst_oom(struct ictx *x)
{
	return diag_fail(x->d, MELD_ENOMEM, x->input, DIAG_NO_OFFSET,
			 "out of memory while instantiating");
}

enum meld_status
inst_fail(struct ictx *x, enum meld_status st, size_t offset, const char *fmt,
	  ...)
{
	char buf[448];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return diag_fail(x->d, st, x->input, offset, "%s", buf);
}

char *
inst_str(struct ictx *x, struct bin_name n)
{
	char *s = arena_alloc(x->a, (size_t)n.len + 1);
	if (s && n.len)
		memcpy(s, n.p, n.len);
	return s;
}

char *
inst_join(struct ictx *x, const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
	char *s = arena_alloc(x->a, la + ls + lb + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, sep, ls);
	memcpy(s + la + ls, b, lb);
	return s;
}

static bool
name_eq(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

struct ival *
inst_bag_find(struct ibag *b, struct bin_name name, enum comp_space *space)
{
	for (size_t i = 0; i < b->n; i++) {
		if (name_eq(b->items[i].name, name)) {
			*space = b->items[i].space;
			return &b->items[i].val;
		}
	}
	return NULL;
}

enum meld_status
inst_bag_add(struct ictx *x, struct ibag *b, struct bin_name name,
	     enum comp_space space, struct ival val)
{
	struct inamed *n = arena_push(x->a, (void **)&b->items, &b->n, &b->cap,
				      sizeof *n);
	if (!n)
		return inst_oom(x);
	n->name = name;
	n->space = space;
	n->val = val;
	return MELD_OK;
}

bool
inst_core_val_eq(struct inst_core_val a, struct inst_core_val b)
{
	if (a.kind != b.kind)
		return false;
	switch (a.kind) {
	case INST_CORE_NONE: return true;
	case INST_CORE_DEF: return a.inst == b.inst && a.idx == b.idx;
	case INST_CORE_LOWER: return a.lower == b.lower;
	case INST_CORE_BUILTIN: return a.builtin == b.builtin;
	}
	return false;
}

const char *
inst_comp_name(const struct inst_graph *g, uint32_t comp)
{
	return comp < g->ncomps ? g->comps[comp].name : "?";
}

const struct core_type *
inst_def_func_type(const struct inst_graph *g, struct inst_core_val v)
{
	if (v.kind != INST_CORE_DEF || v.inst >= g->ncores)
		return NULL;
	return core_func_type(g->cores[v.inst].mod, v.idx);
}

/* ---- index spaces of a frame ---------------------------------------- */

static const char *
space_name(enum comp_space s)
{
	return comp_space_name(s);
}

static enum meld_status
get(struct ictx *x, struct iframe *f, enum comp_space s, uint32_t idx,
    size_t off, struct ival **out)
{
	if (idx >= f->next[s] || !f->vals[s][idx].set)
		return inst_fail(x, MELD_EINVALID, off,
				 "%s index %u is not defined here",
				 space_name(s), idx);
	*out = &f->vals[s][idx];
	return MELD_OK;
}

static enum meld_status
put(struct ictx *x, struct iframe *f, enum comp_space s, struct ival v,
    size_t off)
{
	if (f->next[s] >= f->comp->space[s].len)
		return inst_fail(x, MELD_EINVALID, off,
				 "%s index space overflows its definitions",
				 space_name(s));
	uint32_t idx = f->next[s]++;
	v.set = true;
	f->vals[s][idx] = v;
	if (s == COMP_SPACE_TYPE)
		f->ts.types[idx] = v.type;
	return MELD_OK;
}

static enum meld_status
new_frame(struct ictx *x, const struct comp_component *c, struct iframe *lex,
	  struct iframe **out)
{
	struct iframe *f = arena_alloc(x->a, sizeof *f);
	if (!f)
		return inst_oom(x);
	f->comp = c;
	f->lex = lex;
	for (int s = 0; s < COMP_SPACE_COUNT; s++) {
		f->vals[s] = arena_alloc_array(x->a, c->space[s].len,
					       sizeof *f->vals[s]);
		if (!f->vals[s])
			return inst_oom(x);
	}
	uint32_t ntypes = (uint32_t)c->space[COMP_SPACE_TYPE].len;
	f->ts.types = arena_alloc_array(x->a, ntypes, sizeof *f->ts.types);
	if (!f->ts.types)
		return inst_oom(x);
	f->ts.ntypes = ntypes;
	f->ts.up = lex ? &lex->ts : NULL;
	*out = f;
	return MELD_OK;
}

/* ---- core instances ------------------------------------------------- */

static bool
core_space_of(enum comp_space s, enum core_space *cs, uint8_t *kind)
{
	switch (s) {
	case COMP_SPACE_CORE_FUNC:
		*cs = CORE_SPACE_FUNC, *kind = CORE_EXTERN_FUNC;
		return true;
	case COMP_SPACE_CORE_TABLE:
		*cs = CORE_SPACE_TABLE, *kind = CORE_EXTERN_TABLE;
		return true;
	case COMP_SPACE_CORE_MEMORY:
		*cs = CORE_SPACE_MEMORY, *kind = CORE_EXTERN_MEMORY;
		return true;
	case COMP_SPACE_CORE_GLOBAL:
		*cs = CORE_SPACE_GLOBAL, *kind = CORE_EXTERN_GLOBAL;
		return true;
	case COMP_SPACE_CORE_TAG:
		*cs = CORE_SPACE_TAG, *kind = CORE_EXTERN_TAG;
		return true;
	default:
		return false;
	}
}

static enum comp_space
comp_space_of_kind(uint8_t kind)
{
	switch (kind) {
	case CORE_EXTERN_FUNC: return COMP_SPACE_CORE_FUNC;
	case CORE_EXTERN_TABLE: return COMP_SPACE_CORE_TABLE;
	case CORE_EXTERN_MEMORY: return COMP_SPACE_CORE_MEMORY;
	case CORE_EXTERN_GLOBAL: return COMP_SPACE_CORE_GLOBAL;
	default: return COMP_SPACE_CORE_TAG;
	}
}

/* An export of an instantiated module, followed through re-exported
 * imports to what defines it. */
static bool
module_export(const struct inst_core *c, struct bin_name name,
	      enum comp_space s, struct inst_core_val *out)
{
	enum core_space cs;
	uint8_t kind;
	if (!core_space_of(s, &cs, &kind))
		return false;
	const struct core_module *m = c->mod;
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct core_export *e = &m->exports[i];
		if (e->kind != kind || !name_eq(e->name, name))
			continue;
		if (e->index < m->space_imported[cs]) {
			*out = c->bound[cs][e->index];
		} else {
			memset(out, 0, sizeof *out);
			out->kind = INST_CORE_DEF;
			out->inst = c->id;
			out->idx = e->index;
		}
		return true;
	}
	return false;
}

static enum meld_status
cinst_export(struct ictx *x, const struct icinst *ci, struct bin_name name,
	     enum comp_space s, size_t off, struct inst_core_val *out)
{
	if (ci->module) {
		if (module_export(&x->g->cores[ci->core], name, s, out))
			return MELD_OK;
	} else {
		for (size_t i = 0; i < ci->n; i++) {
			if (ci->items[i].space == s &&
			    name_eq(ci->items[i].name, name)) {
				*out = ci->items[i].val.core;
				return MELD_OK;
			}
		}
	}
	return inst_fail(x, MELD_EINVALID, off,
			 "core instance has no %s export \"%.*s\"",
			 space_name(s), (int)name.len, (const char *)name.p);
}

static enum meld_status
parse_module(struct ictx *x, const struct comp_core_module *cm)
{
	if (cm->module)
		return MELD_OK;
	struct core_module *m;
	const uint8_t *base = cm->bytes - cm->offset;
	enum meld_status st =
		core_read(x->a, x->d, x->input, base, cm->bytes, cm->len, &m);
	if (st != MELD_OK)
		return st;
	/* The IR leaves this slot for the pass that reads modules on demand. */
	((struct comp_core_module *)cm)->module = m;
	return MELD_OK;
}

static const struct comp_arg *
find_arg(const struct comp_arg *args, uint32_t n, struct bin_name name)
{
	for (uint32_t i = 0; i < n; i++)
		if (name_eq(args[i].name, name))
			return &args[i];
	return NULL;
}

/*
 * Core import matching (core spec "Import Subtyping"): limits.  The
 * minimum compares the size the table or memory has now, which a start
 * function that ran before may have grown: then only `grown` is known.
 */
static bool
limits_match(const struct core_limits *have, const struct core_limits *want,
	     bool grown)
{
	uint8_t kind = CORE_LIMITS_SHARED | CORE_LIMITS_64 | 0x08;
	if ((have->flags ^ want->flags) & kind ||
	    (!grown && have->min < want->min))
		return false;
	return !(want->flags & CORE_LIMITS_HAS_MAX) ||
	       ((have->flags & CORE_LIMITS_HAS_MAX) && have->max <= want->max);
}

/* Value types of two modules: equal, except that references to concrete
 * types are not compared here. */
static bool
valtype_match(struct core_valtype a, struct core_valtype b)
{
	if (a.code != b.code)
		return false;
	if (a.code != CORE_VALTYPE_REF && a.code != CORE_VALTYPE_REF_NULL)
		return true;
	return a.heap == b.heap;
}

/* A definition of one module satisfies an import of another. */
static bool
import_matches(const struct core_module *im, const struct core_import *imp,
	       const struct core_module *em, uint32_t idx, bool grown)
{
	switch (imp->kind) {
	case CORE_EXTERN_TABLE: {
		const struct core_table *w = &im->tables[imp->index];
		const struct core_table *h = &em->tables[idx];
		return valtype_match(h->elem, w->elem) &&
		       limits_match(&h->limits, &w->limits, grown);
	}
	case CORE_EXTERN_MEMORY:
		return limits_match(&em->memories[idx].limits,
				    &im->memories[imp->index].limits, grown);
	case CORE_EXTERN_GLOBAL: {
		const struct core_global *w = &im->globals[imp->index];
		const struct core_global *h = &em->globals[idx];
		return h->mutable == w->mutable &&
		       valtype_match(h->type, w->type);
	}
	default:
		return true; /* functions: checked by the plan; tags: below */
	}
}

static enum meld_status
bind_import(struct ictx *x, struct iframe *f,
	    const struct comp_core_instance *ci, uint32_t coreid, uint32_t i)
{
	const struct core_import *imp = &x->g->cores[coreid].mod->imports[i];
	const struct comp_arg *arg = find_arg(ci->args, ci->nargs, imp->module);
	if (!arg)
		return inst_fail(x, MELD_EINVALID, ci->offset,
				 "core instantiation: no argument \"%.*s\" for "
				 "import \"%.*s\" \"%.*s\"",
				 (int)imp->module.len,
				 (const char *)imp->module.p,
				 (int)imp->module.len,
				 (const char *)imp->module.p,
				 (int)imp->name.len, (const char *)imp->name.p);
	struct ival *v = NULL;
	enum meld_status st = get(x, f, COMP_SPACE_CORE_INSTANCE, arg->ref.idx,
				  arg->offset, &v);
	if (st != MELD_OK)
		return st;
	struct inst_core_val cv;
	enum comp_space s = comp_space_of_kind(imp->kind);
	st = cinst_export(x, v->cinst, imp->name, s, arg->offset, &cv);
	if (st != MELD_OK)
		return st;
	if (cv.kind != INST_CORE_DEF && s != COMP_SPACE_CORE_FUNC)
		return inst_fail(x, MELD_EINVALID, arg->offset,
				 "import \"%.*s\": not a core %s",
				 (int)imp->name.len, (const char *)imp->name.p,
				 space_name(s));
	bool grown = x->started;
	if (cv.kind == INST_CORE_DEF &&
	    !import_matches(x->g->cores[coreid].mod, imp,
			    x->g->cores[cv.inst].mod, cv.idx, grown))
		return inst_fail(x, MELD_EINVALID, arg->offset,
				 "core instantiation: import \"%.*s\" \"%.*s\" "
				 "is given a %s of an incompatible type",
				 (int)imp->module.len,
				 (const char *)imp->module.p,
				 (int)imp->name.len, (const char *)imp->name.p,
				 space_name(s));
	struct inst_core *c = &x->g->cores[coreid];
	enum core_space cs = core_extern_space(imp->kind);
	c->imports[i] = cv;
	c->bound[cs][imp->index] = cv;
	return MELD_OK;
}

static enum meld_status
instantiate_module(struct ictx *x, struct iframe *f,
		   const struct comp_core_instance *ci, uint32_t *out)
{
	struct ival *mv = NULL;
	enum meld_status st =
		get(x, f, COMP_SPACE_CORE_MODULE, ci->moduleidx, ci->offset, &mv);
	if (st != MELD_OK)
		return st;
	if (!mv->module)
		return inst_fail(x, MELD_EUNSUPPORTED, ci->offset,
				 "instantiating an imported core module");
	if ((st = parse_module(x, mv->module)) != MELD_OK)
		return st;
	if (x->g->ncores >= INST_MAX_CORES)
		return inst_fail(x, MELD_EUNSUPPORTED, ci->offset,
				 "more than %u core instances",
				 INST_MAX_CORES);
	struct inst_core *c = arena_push(x->a, (void **)&x->g->cores,
					 &x->g->ncores, &x->g->cores_cap,
					 sizeof *c);
	if (!c)
		return inst_oom(x);
	uint32_t id = (uint32_t)(x->g->ncores - 1);
	c->id = id;
	c->cmod = mv->module;
	c->mod = mv->module->module;
	c->comp = f->id;
	c->input = x->input;
	c->offset = ci->offset;
	c->imports = arena_alloc_array(x->a, c->mod->nimports,
				       sizeof *c->imports);
	if (!c->imports)
		return inst_oom(x);
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		c->bound[s] = arena_alloc_array(x->a,
						c->mod->space_imported[s],
						sizeof *c->bound[s]);
		if (!c->bound[s])
			return inst_oom(x);
	}
	for (uint32_t i = 0; i < x->g->cores[id].mod->nimports; i++)
		if ((st = bind_import(x, f, ci, id, i)) != MELD_OK)
			return st;
	x->started |= x->g->cores[id].mod->has_start;
	*out = id;
	return MELD_OK;
}

static enum meld_status
def_core_instance(struct ictx *x, struct iframe *f,
		  const struct comp_core_instance *ci)
{
	struct icinst *v = arena_alloc(x->a, sizeof *v);
	if (!v)
		return inst_oom(x);
	enum meld_status st = MELD_OK;
	if (ci->kind == COMP_INSTANCE_INSTANTIATE) {
		v->module = true;
		st = instantiate_module(x, f, ci, &v->core);
	}
	for (uint32_t i = 0; st == MELD_OK && !v->module && i < ci->nexports;
	     i++) {
		const struct comp_inline_export *e = &ci->exports[i];
		enum core_space cs;
		uint8_t kind;
		struct ival *ev = NULL;
		if (!core_space_of(e->ref.space, &cs, &kind))
			return inst_fail(x, MELD_EUNSUPPORTED, ci->offset,
					 "core instance exporting a %s",
					 space_name(e->ref.space));
		st = get(x, f, e->ref.space, e->ref.idx, ci->offset, &ev);
		if (st != MELD_OK)
			return st;
		struct inamed *n = arena_push(x->a, (void **)&v->items, &v->n,
					      &v->cap, sizeof *n);
		if (!n)
			return inst_oom(x);
		n->name = e->name.name;
		n->space = e->ref.space;
		n->val = *ev;
	}
	if (st != MELD_OK)
		return st;
	struct ival val = {.cinst = v};
	return put(x, f, COMP_SPACE_CORE_INSTANCE, val, ci->offset);
}

/* ---- component instances -------------------------------------------- */

static enum meld_status run_frame(struct ictx *x,
				  const struct comp_component *c,
				  struct iframe *lex, const struct inamed *args,
				  size_t nargs, uint32_t parent,
				  const char *name, struct iframe **out);

static const char *
sort_name(struct ictx *x, const struct comp_component *c, enum comp_space s,
	  uint32_t idx)
{
	for (uint32_t i = 0; i < c->names.nsorts; i++) {
		const struct comp_sort_names *sn = &c->names.sorts[i];
		if (sn->space != s)
			continue;
		for (uint32_t j = 0; j < sn->nnames; j++)
			if (sn->names[j].idx == idx)
				return inst_str(x, sn->names[j].name);
	}
	char buf[24];
	snprintf(buf, sizeof buf, "#%u", idx);
	return inst_str(x, (struct bin_name){(const uint8_t *)buf,
					     (uint32_t)strlen(buf)});
}

static enum meld_status
instantiate_component(struct ictx *x, struct iframe *f,
		      const struct comp_instance *in, struct ibag **out)
{
	struct ival *cv = NULL;
	enum meld_status st = get(x, f, COMP_SPACE_COMPONENT, in->componentidx,
				  in->offset, &cv);
	if (st != MELD_OK)
		return st;
	if (!cv->component)
		return inst_fail(x, MELD_EUNSUPPORTED, in->offset,
				 "instantiating an imported component");
	struct inamed *args = arena_alloc_array(x->a, in->nargs, sizeof *args);
	if (!args)
		return inst_oom(x);
	for (uint32_t i = 0; i < in->nargs; i++) {
		struct ival *av = NULL;
		st = get(x, f, in->args[i].ref.space, in->args[i].ref.idx,
			 in->args[i].offset, &av);
		if (st != MELD_OK)
			return st;
		args[i].name = in->args[i].name;
		args[i].space = in->args[i].ref.space;
		args[i].val = *av;
	}
	const char *leaf = sort_name(x, f->comp, COMP_SPACE_INSTANCE, in->idx);
	const char *name = leaf ? inst_join(x, x->g->comps[f->id].name, "/",
					    leaf)
				: NULL;
	if (!name)
		return inst_oom(x);
	struct iframe *child = NULL;
	st = run_frame(x, cv->component->comp, cv->component->lex, args,
		       in->nargs, f->id, name, &child);
	if (st != MELD_OK)
		return st;
	*out = &child->exports;
	return MELD_OK;
}

/* Functions are named for messages by the first name they go by. */
static enum meld_status
name_func(struct ictx *x, struct ival *v, struct bin_name name)
{
	if (!v->func || v->func->name)
		return MELD_OK;
	v->func->name = inst_str(x, name);
	return v->func->name ? MELD_OK : inst_oom(x);
}

static enum meld_status
def_instance(struct ictx *x, struct iframe *f, const struct comp_instance *in)
{
	struct ibag *bag = NULL;
	enum meld_status st = MELD_OK;
	if (in->kind == COMP_INSTANCE_INSTANTIATE) {
		st = instantiate_component(x, f, in, &bag);
	} else if (!(bag = arena_alloc(x->a, sizeof *bag))) {
		st = inst_oom(x);
	}
	for (uint32_t i = 0; st == MELD_OK &&
			     in->kind == COMP_INSTANCE_FROM_EXPORTS &&
			     i < in->nexports;
	     i++) {
		const struct comp_inline_export *e = &in->exports[i];
		struct ival *ev = NULL;
		st = get(x, f, e->ref.space, e->ref.idx, in->offset, &ev);
		if (st == MELD_OK)
			st = name_func(x, ev, e->name.name);
		if (st == MELD_OK)
			st = inst_bag_add(x, bag, e->name.name, e->ref.space,
					  *ev);
	}
	if (st != MELD_OK)
		return st;
	struct ival val = {.instance = bag};
	return put(x, f, COMP_SPACE_INSTANCE, val, in->offset);
}

/* ---- aliases -------------------------------------------------------- */

static enum meld_status
def_alias(struct ictx *x, struct iframe *f, const struct comp_alias *al)
{
	struct ival *v = NULL;
	enum meld_status st;
	struct ival val = {0};
	switch (al->kind) {
	case COMP_ALIAS_INSTANCE_EXPORT: {
		st = get(x, f, COMP_SPACE_INSTANCE, al->instanceidx, al->offset,
			 &v);
		if (st != MELD_OK)
			return st;
		enum comp_space sp;
		struct ival *ev = inst_bag_find(v->instance, al->name, &sp);
		if (!ev || sp != al->space)
			return inst_fail(x, MELD_EINVALID, al->offset,
					 "instance has no %s export \"%.*s\"",
					 space_name(al->space),
					 (int)al->name.len,
					 (const char *)al->name.p);
		if ((st = name_func(x, ev, al->name)) != MELD_OK)
			return st;
		val = *ev;
		break;
	}
	case COMP_ALIAS_CORE_INSTANCE_EXPORT:
		st = get(x, f, COMP_SPACE_CORE_INSTANCE, al->instanceidx,
			 al->offset, &v);
		if (st == MELD_OK)
			st = cinst_export(x, v->cinst, al->name, al->space,
					  al->offset, &val.core);
		if (st != MELD_OK)
			return st;
		break;
	case COMP_ALIAS_OUTER: {
		struct iframe *o = f;
		for (uint32_t i = 0; o && i < al->outer_count; i++)
			o = o->lex;
		if (!o)
			return inst_fail(x, MELD_EINVALID, al->offset,
					 "outer alias count %u goes past the "
					 "root",
					 al->outer_count);
		if ((st = get(x, o, al->space, al->outer_idx, al->offset,
			      &v)) != MELD_OK)
			return st;
		val = *v;
		break;
	}
	default:
		return inst_fail(x, MELD_EINVALID, al->offset, "bad alias");
	}
	return put(x, f, al->space, val, al->offset);
}

/* ---- types and canonical definitions -------------------------------- */

static enum meld_status
def_type(struct ictx *x, struct iframe *f, const struct comp_type *t)
{
	struct itype *it = NULL;
	enum meld_status st;
	if (t->kind == COMP_TYPE_RESOURCE) {
		/* Generative: a fresh identity per component instance. */
		it = arena_alloc(x->a, sizeof *it);
		struct inst_res *r = inst_new_resource(x, false, f->id);
		if (!it || !r)
			return inst_oom(x);
		r->vt->rep = (uint8_t)t->resource.rep;
		if (t->resource.has_dtor) {
			struct ival *dv = NULL;
			st = get(x, f, COMP_SPACE_CORE_FUNC,
				 t->resource.dtor_funcidx, t->offset, &dv);
			if (st != MELD_OK)
				return st;
			r->has_dtor = true;
			r->dtor = dv->core;
			r->vt->has_dtor = true;
		}
		it->kind = IT_RES;
		it->res = r;
	} else if ((st = inst_type_def(x, &f->ts, t, f->id, t->offset,
				       &it)) != MELD_OK) {
		return st;
	}
	struct ival val = {.type = it};
	return put(x, f, COMP_SPACE_TYPE, val, t->offset);
}

static enum meld_status
opt_core(struct ictx *x, struct iframe *f, enum comp_space s, uint32_t idx,
	 size_t off, struct inst_core_val *out)
{
	struct ival *v = NULL;
	enum meld_status st = get(x, f, s, idx, off, &v);
	if (st == MELD_OK)
		*out = v->core;
	return st;
}

static enum meld_status
resolve_opts(struct ictx *x, struct iframe *f, const struct comp_canon *cn,
	     struct inst_opts *out)
{
	const struct comp_canon_opts *o = &cn->opts;
	enum meld_status st = MELD_OK;
	memset(out, 0, sizeof *out);
	out->encoding = o->encoding;
	out->async = o->async;
	if (o->gc || o->has_core_type)
		return inst_fail(x, MELD_EUNSUPPORTED, cn->offset,
				 "the gc canonical option is not supported");
	if (o->has_memory)
		st = opt_core(x, f, COMP_SPACE_CORE_MEMORY, o->memoryidx,
			      cn->offset, &out->memory);
	if (st == MELD_OK && o->has_realloc)
		st = opt_core(x, f, COMP_SPACE_CORE_FUNC, o->realloc_funcidx,
			      cn->offset, &out->realloc);
	if (st == MELD_OK && o->has_post_return)
		st = opt_core(x, f, COMP_SPACE_CORE_FUNC,
			      o->post_return_funcidx, cn->offset,
			      &out->post_return);
	if (st == MELD_OK && o->has_callback)
		st = opt_core(x, f, COMP_SPACE_CORE_FUNC, o->callback_funcidx,
			      cn->offset, &out->callback);
	return st;
}

static enum meld_status
push_func(struct ictx *x, struct inst_func **out)
{
	struct inst_func *fn = arena_alloc(x->a, sizeof *fn);
	struct inst_func **slot =
		arena_push(x->a, (void **)&x->g->funcs, &x->g->nfuncs,
			   &x->g->funcs_cap, sizeof *slot);
	if (!fn || !slot)
		return inst_oom(x);
	fn->id = (uint32_t)(x->g->nfuncs - 1);
	*slot = fn;
	*out = fn;
	return MELD_OK;
}

static enum meld_status
canon_lift(struct ictx *x, struct iframe *f, const struct comp_canon *cn)
{
	struct ival *cv = NULL, *tv = NULL;
	struct inst_func *fn = NULL;
	enum meld_status st =
		get(x, f, COMP_SPACE_CORE_FUNC, cn->funcidx, cn->offset, &cv);
	if (st == MELD_OK)
		st = get(x, f, COMP_SPACE_TYPE, cn->typeidx, cn->offset, &tv);
	if (st != MELD_OK)
		return st;
	if (!tv->type || tv->type->kind != IT_FUNC)
		return inst_fail(x, MELD_EINVALID, cn->offset,
				 "canon lift: type %u is not a function type",
				 cn->typeidx);
	if ((st = push_func(x, &fn)) != MELD_OK)
		return st;
	fn->kind = INST_FUNC_LIFT;
	fn->type = tv->type->func;
	fn->callee = cv->core;
	fn->comp = f->id;
	fn->offset = cn->offset;
	fn->input = x->input;
	if ((st = resolve_opts(x, f, cn, &fn->opts)) != MELD_OK)
		return st;
	if (fn->opts.async || fn->type->async)
		return inst_fail(x, MELD_EUNSUPPORTED, cn->offset,
				 "canon lift of an async function");
	struct ival val = {.func = fn};
	return put(x, f, COMP_SPACE_FUNC, val, cn->offset);
}

static enum meld_status
canon_lower(struct ictx *x, struct iframe *f, const struct comp_canon *cn)
{
	struct ival *fv = NULL;
	enum meld_status st =
		get(x, f, COMP_SPACE_FUNC, cn->funcidx, cn->offset, &fv);
	if (st != MELD_OK)
		return st;
	struct inst_lower *lw = arena_alloc(x->a, sizeof *lw);
	struct inst_lower **slot =
		arena_push(x->a, (void **)&x->g->lowers, &x->g->nlowers,
			   &x->g->lowers_cap, sizeof *slot);
	if (!lw || !slot)
		return inst_oom(x);
	*slot = lw;
	lw->id = (uint32_t)(x->g->nlowers - 1);
	lw->func = fv->func;
	lw->comp = f->id;
	lw->offset = cn->offset;
	lw->input = x->input;
	if ((st = resolve_opts(x, f, cn, &lw->opts)) != MELD_OK)
		return st;
	if (lw->opts.async || fv->func->type->async)
		return inst_fail(x, MELD_EUNSUPPORTED, cn->offset,
				 "canon lower of an async function");
	struct ival val = {.core = {.kind = INST_CORE_LOWER, .lower = lw}};
	return put(x, f, COMP_SPACE_CORE_FUNC, val, cn->offset);
}

static enum meld_status
canon_builtin(struct ictx *x, struct iframe *f, const struct comp_canon *cn)
{
	struct ival *tv = NULL;
	enum meld_status st =
		get(x, f, COMP_SPACE_TYPE, cn->typeidx, cn->offset, &tv);
	if (st != MELD_OK)
		return st;
	if (!tv->type || tv->type->kind != IT_RES)
		return inst_fail(x, MELD_EINVALID, cn->offset,
				 "canon %s: type %u is not a resource type",
				 comp_canon_name(cn->kind), cn->typeidx);
	if (cn->flag)
		return inst_fail(x, MELD_EUNSUPPORTED, cn->offset,
				 "async resource.drop");
	struct inst_res *r = tv->type->res;
	struct inst_builtin *b = NULL;
	for (size_t i = 0; i < x->g->nbuiltins && !b; i++)
		if (x->g->builtins[i]->res == r &&
		    x->g->builtins[i]->kind == cn->kind &&
		    x->g->builtins[i]->comp == f->id)
			b = x->g->builtins[i];
	if (!b) {
		struct inst_builtin **slot = arena_push(
			x->a, (void **)&x->g->builtins, &x->g->nbuiltins,
			&x->g->builtins_cap, sizeof *slot);
		b = arena_alloc(x->a, sizeof *b);
		if (!slot || !b)
			return inst_oom(x);
		*slot = b;
		b->id = (uint32_t)(x->g->nbuiltins - 1);
		b->kind = cn->kind;
		b->res = r;
		b->comp = f->id;
	}
	struct ival val = {.core = {.kind = INST_CORE_BUILTIN, .builtin = b}};
	return put(x, f, COMP_SPACE_CORE_FUNC, val, cn->offset);
}

static enum meld_status
def_canon(struct ictx *x, struct iframe *f, const struct comp_canon *cn)
{
	switch (cn->kind) {
	case COMP_CANON_LIFT: return canon_lift(x, f, cn);
	case COMP_CANON_LOWER: return canon_lower(x, f, cn);
	case COMP_CANON_RESOURCE_NEW:
	case COMP_CANON_RESOURCE_DROP:
	case COMP_CANON_RESOURCE_REP: return canon_builtin(x, f, cn);
	default:
		return inst_fail(x, MELD_EUNSUPPORTED, cn->offset,
				 "canon %s: async, stream, future, "
				 "error-context and thread built-ins are not "
				 "supported yet",
				 comp_canon_name(cn->kind));
	}
}

/* ---- imports and exports -------------------------------------------- */

static struct ilinked *
find_linked(struct ictx *x, struct bin_name name)
{
	for (size_t i = 0; i < x->nlinked; i++)
		if (name_eq(x->linked[i].name, name))
			return &x->linked[i];
	return NULL;
}

static enum meld_status
import_type_of(struct ictx *x, struct iframe *f, const struct comp_import *im,
	       struct itype **out)
{
	struct ival *tv = NULL;
	enum meld_status st =
		get(x, f, COMP_SPACE_TYPE, im->ext.idx, im->offset, &tv);
	if (st == MELD_OK)
		*out = tv->type;
	return st;
}

static enum meld_status
host_import(struct ictx *x, struct iframe *f, const struct comp_import *im,
	    struct ival *val)
{
	const char *name = inst_str(x, im->name.name);
	struct itype *t = NULL;
	enum meld_status st = MELD_OK;
	if (!name)
		return inst_oom(x);
	if (im->ext.kind == COMP_EXTERN_INSTANCE ||
	    im->ext.kind == COMP_EXTERN_FUNC ||
	    (im->ext.kind == COMP_EXTERN_TYPE && im->ext.bound == COMP_BOUND_EQ))
		st = import_type_of(x, f, im, &t);
	if (st != MELD_OK)
		return st;
	switch (im->ext.kind) {
	case COMP_EXTERN_INSTANCE:
		return inst_host_instance(x, t, name, im->offset,
					  &val->instance);
	case COMP_EXTERN_FUNC:
		return inst_host_func(x, t, "$root", name, im->offset,
				      &val->func);
	case COMP_EXTERN_TYPE:
		if (im->ext.bound == COMP_BOUND_EQ) {
			val->type = t;
			return MELD_OK;
		}
		val->type = arena_alloc(x->a, sizeof *val->type);
		if (!val->type ||
		    !(val->type->res = inst_new_resource(x, true, f->id)))
			return inst_oom(x);
		val->type->kind = IT_RES;
		val->type->res->module = "$root";
		val->type->res->name = name;
		return MELD_OK;
	default:
		/* Core modules, components and values imported from the host
		 * stay opaque: instantiating or using them is refused there. */
		return MELD_OK;
	}
}


static enum meld_status
linked_import(struct ictx *x, struct iframe *f, const struct comp_import *im,
	      struct ilinked *l, struct ival *val)
{
	if (l->space != im->space)
		return inst_fail(x, MELD_ELINK, im->offset,
				 "import \"%.*s\" is a %s, but input %u exports "
				 "a %s under that name",
				 (int)im->name.name.len,
				 (const char *)im->name.name.p,
				 space_name(im->space), l->input,
				 space_name(l->space));
	struct itype *t = NULL;
	enum meld_status st = MELD_OK;
	if (im->ext.kind == COMP_EXTERN_INSTANCE ||
	    im->ext.kind == COMP_EXTERN_FUNC)
		st = import_type_of(x, f, im, &t);
	const char *what = inst_str(x, im->name.name);
	if (st == MELD_OK && !what)
		st = inst_oom(x);
	if (st == MELD_OK && t)
		st = inst_check_import(x, im->space, t, &l->val, what,
				       im->offset);
	if (st != MELD_OK)
		return st;
	l->used = true;
	*val = l->val;
	return MELD_OK;
}

static enum meld_status
def_import(struct ictx *x, struct iframe *f, const struct comp_import *im)
{
	struct ival val = {0};
	enum meld_status st = MELD_OK;
	if (f->root) {
		struct ilinked *l = find_linked(x, im->name.name);
		st = l ? linked_import(x, f, im, l, &val)
		       : host_import(x, f, im, &val);
	} else {
		const struct inamed *arg = NULL;
		for (size_t i = 0; i < f->nargs && !arg; i++)
			if (name_eq(f->args[i].name, im->name.name))
				arg = &f->args[i];
		if (arg && arg->space == im->space) {
			val = arg->val;
		} else if (!arg && im->ext.kind == COMP_EXTERN_TYPE &&
			   im->ext.bound == COMP_BOUND_EQ) {
			struct itype *t = NULL;
			st = import_type_of(x, f, im, &t);
			val.type = t;
		} else {
			st = inst_fail(x, MELD_EINVALID, im->offset,
				       "import \"%.*s\": no %s argument of "
				       "that name",
				       (int)im->name.name.len,
				       (const char *)im->name.name.p,
				       space_name(im->space));
		}
	}
	if (st != MELD_OK)
		return st;
	return put(x, f, im->space, val, im->offset);
}

static enum meld_status
def_export(struct ictx *x, struct iframe *f, const struct comp_export *ex)
{
	struct ival *v = NULL;
	enum meld_status st =
		get(x, f, ex->ref.space, ex->ref.idx, ex->offset, &v);
	if (st != MELD_OK)
		return st;
	struct ival val = *v;
	if (val.func && ex->ref.space == COMP_SPACE_FUNC &&
	    !(val.func->name = inst_str(x, ex->name.name)))
		return inst_oom(x);
	st = inst_bag_add(x, &f->exports, ex->name.name, ex->ref.space, val);
	if (st != MELD_OK)
		return st;
	return put(x, f, ex->ref.space, val, ex->offset);
}

/* ---- the walk ------------------------------------------------------- */

static enum meld_status
def_eval(struct ictx *x, struct iframe *f, const struct comp_def *d)
{
	const struct comp_component *c = f->comp;
	struct ival val = {0};
	switch (d->kind) {
	case COMP_DEF_CORE_MODULE:
		val.module = &c->core_modules[d->item];
		return put(x, f, COMP_SPACE_CORE_MODULE, val,
			   c->core_modules[d->item].offset);
	case COMP_DEF_CORE_INSTANCE:
		return def_core_instance(x, f, &c->core_instances[d->item]);
	case COMP_DEF_CORE_TYPE: {
		const struct comp_core_typedef *t = &c->core_types[d->item];
		uint32_t n = t->is_module ? 1 : t->nsubs;
		for (uint32_t i = 0; i < n; i++) {
			enum meld_status st = put(x, f, COMP_SPACE_CORE_TYPE,
						  val, t->offset);
			if (st != MELD_OK)
				return st;
		}
		return MELD_OK;
	}
	case COMP_DEF_COMPONENT:
		if (!(val.component = arena_alloc(x->a, sizeof *val.component)))
			return inst_oom(x);
		val.component->comp = c->components[d->item];
		val.component->lex = f;
		return put(x, f, COMP_SPACE_COMPONENT, val,
			   c->components[d->item]->offset);
	case COMP_DEF_INSTANCE:
		return def_instance(x, f, &c->instances[d->item]);
	case COMP_DEF_ALIAS:
		return def_alias(x, f, &c->aliases[d->item]);
	case COMP_DEF_TYPE:
		return def_type(x, f, &c->types[d->item]);
	case COMP_DEF_CANON:
		return def_canon(x, f, &c->canons[d->item]);
	case COMP_DEF_IMPORT:
		return def_import(x, f, &c->imports[d->item]);
	case COMP_DEF_EXPORT:
		return def_export(x, f, &c->exports[d->item]);
	case COMP_DEF_START:
		return inst_fail(x, MELD_EUNSUPPORTED,
				 c->starts[d->item].offset,
				 "component start functions are not supported");
	case COMP_DEF_VALUE:
		return inst_fail(x, MELD_EUNSUPPORTED,
				 c->values[d->item].offset,
				 "component values are not supported");
	}
	return inst_fail(x, MELD_EINVALID, c->offset, "unknown definition");
}

static enum meld_status
run_frame(struct ictx *x, const struct comp_component *c, struct iframe *lex,
	  const struct inamed *args, size_t nargs, uint32_t parent,
	  const char *name, struct iframe **out)
{
	if (x->depth >= INST_MAX_DEPTH)
		return inst_fail(x, MELD_EUNSUPPORTED, c->offset,
				 "components instantiated more than %u deep",
				 INST_MAX_DEPTH);
	struct iframe *f = NULL;
	enum meld_status st = new_frame(x, c, lex, &f);
	if (st != MELD_OK)
		return st;
	struct inst_comp *ic = arena_push(x->a, (void **)&x->g->comps,
					  &x->g->ncomps, &x->g->comps_cap,
					  sizeof *ic);
	if (!ic)
		return inst_oom(x);
	f->id = (uint32_t)(x->g->ncomps - 1);
	ic->id = f->id;
	ic->parent = parent;
	ic->comp = c;
	ic->name = name;
	ic->input = x->input;
	f->root = parent == UINT32_MAX;
	f->args = args;
	f->nargs = nargs;
	x->depth++;
	for (size_t i = 0; st == MELD_OK && i < c->ndefs; i++) {
		if (x->budget == 0)
			return inst_fail(x, MELD_EUNSUPPORTED, c->offset,
					 "instantiation takes more than %zu "
					 "definitions",
					 INST_BUDGET);
		x->budget--;
		st = def_eval(x, f, &c->defs[i]);
	}
	x->depth--;
	*out = f;
	return st;
}

enum meld_status
inst_root_frame(struct ictx *x, const struct inst_input *in,
		struct iframe **out)
{
	const char *base = strrchr(in->name, '/');
	x->input = in->name;
	return run_frame(x, in->comp, NULL, NULL, 0, UINT32_MAX,
			 base ? base + 1 : in->name, out);
}
