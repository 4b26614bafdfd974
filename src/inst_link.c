/*
 * inst_link: the instantiation entry point: one or several inputs, linked
 * by import and export names (like pulseengine/meld), and the root
 * boundary they leave.
 *
 * With several inputs, an import of one is satisfied by the export of the
 * same name of another (types checked in inst_types.c).  Inputs are
 * instantiated providers first (input order breaks ties); a cycle or two
 * providers of one name are link errors.  An export that satisfied an
 * import is consumed; every other export of every input is an export of
 * the fused module.
 */
#include "inst_impl.h"

#include <string.h>

#define INST_MAX_EXPORT_DEPTH 16

static bool
name_eq(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static bool
exports_name(const struct comp_component *c, struct bin_name n)
{
	for (size_t i = 0; i < c->nexports; i++)
		if (name_eq(c->exports[i].name.name, n))
			return true;
	return false;
}

/* The input (other than `self`) exporting `n`: UINT32_MAX when none. */
static enum meld_status
provider_of(struct ictx *x, const struct inst_input *in, size_t n,
	    size_t self, const struct comp_import *im, uint32_t *out)
{
	*out = UINT32_MAX;
	for (size_t j = 0; j < n; j++) {
		if (j == self || !exports_name(in[j].comp, im->name.name))
			continue;
		if (*out != UINT32_MAX) {
			x->input = in[self].name;
			return inst_fail(x, MELD_ELINK, im->offset,
					 "import \"%.*s\" is exported by both "
					 "%s and %s",
					 (int)im->name.name.len,
					 (const char *)im->name.name.p,
					 in[*out].name, in[j].name);
		}
		*out = (uint32_t)j;
	}
	return MELD_OK;
}

static enum meld_status
depends(struct ictx *x, const struct inst_input *in, size_t n, size_t i,
	const bool *placed, bool *ready)
{
	*ready = true;
	const struct comp_component *c = in[i].comp;
	for (size_t k = 0; k < c->nimports; k++) {
		uint32_t p;
		enum meld_status st = provider_of(x, in, n, i, &c->imports[k],
						  &p);
		if (st != MELD_OK)
			return st;
		if (p != UINT32_MAX && !placed[p])
			*ready = false;
	}
	return MELD_OK;
}

/* Providers before their importers; input order among the ready ones. */
static enum meld_status
link_order(struct ictx *x, const struct inst_input *in, size_t n,
	   uint32_t *order)
{
	bool *placed = arena_alloc_array(x->a, n, sizeof *placed);
	if (!placed)
		return inst_oom(x);
	for (size_t k = 0; k < n; k++) {
		size_t pick = n;
		for (size_t i = 0; i < n && pick == n; i++) {
			bool ready;
			if (placed[i])
				continue;
			enum meld_status st = depends(x, in, n, i, placed,
						      &ready);
			if (st != MELD_OK)
				return st;
			if (ready)
				pick = i;
		}
		if (pick == n)
			return diag_fail(x->d, MELD_ELINK, NULL, DIAG_NO_OFFSET,
					 "the inputs import from each other in "
					 "a cycle");
		placed[pick] = true;
		order[k] = (uint32_t)pick;
	}
	return MELD_OK;
}

static enum meld_status
add_linked(struct ictx *x, const struct iframe *f, uint32_t input)
{
	for (size_t i = 0; i < f->exports.n; i++) {
		const struct inamed *e = &f->exports.items[i];
		struct ilinked *l =
			arena_push(x->a, (void **)&x->linked, &x->nlinked,
				   &x->linked_cap, sizeof *l);
		if (!l)
			return inst_oom(x);
		l->name = e->name;
		l->space = e->space;
		l->val = e->val;
		l->input = input;
	}
	return MELD_OK;
}

/* ---- the root boundary ---------------------------------------------- */

static enum meld_status
add_export(struct ictx *x, const char *name, struct inst_func *fn)
{
	for (size_t i = 0; i < x->g->nexports; i++)
		if (strcmp(x->g->exports[i].name, name) == 0)
			return diag_fail(x->d, MELD_ELINK, NULL, DIAG_NO_OFFSET,
					 "two inputs export \"%s\"", name);
	struct inst_export *e =
		arena_push(x->a, (void **)&x->g->exports, &x->g->nexports,
			   &x->g->exports_cap, sizeof *e);
	if (!e)
		return inst_oom(x);
	e->name = name;
	e->func = fn;
	return MELD_OK;
}

/* A resource exported by the root gets wit-component's import names for
 * its built-ins: "[export]iface" "[resource-new]name". */
static enum meld_status
name_resource(struct ictx *x, const char *prefix, const char *name,
	      struct itype *t)
{
	if (!t || t->kind != IT_RES || t->res->host || t->res->module)
		return MELD_OK;
	t->res->module = inst_join(x, "[export]", "", prefix ? prefix : "$root");
	t->res->name = name;
	if (!t->res->module)
		return inst_oom(x);
	t->res->vt->name.p = (const uint8_t *)name;
	t->res->vt->name.len = (uint32_t)strlen(name);
	return MELD_OK;
}

static enum meld_status
collect(struct ictx *x, const char *prefix, const struct inamed *n,
	unsigned depth)
{
	const char *leaf = inst_str(x, n->name);
	const char *full = leaf && prefix ? inst_join(x, prefix, "#", leaf)
					  : leaf;
	if (!full)
		return inst_oom(x);
	switch (n->space) {
	case COMP_SPACE_FUNC:
		n->val.func->name = full;
		return add_export(x, full, n->val.func);
	case COMP_SPACE_TYPE:
		return name_resource(x, prefix, leaf, n->val.type);
	case COMP_SPACE_INSTANCE:
		if (depth >= INST_MAX_EXPORT_DEPTH)
			return diag_fail(x->d, MELD_EUNSUPPORTED, NULL,
					 DIAG_NO_OFFSET,
					 "export \"%s\" nests instances too "
					 "deep",
					 full);
		for (size_t i = 0; i < n->val.instance->n; i++) {
			enum meld_status st =
				collect(x, full, &n->val.instance->items[i],
					depth + 1);
			if (st != MELD_OK)
				return st;
		}
		return MELD_OK;
	case COMP_SPACE_VALUE:
		return diag_fail(x->d, MELD_EUNSUPPORTED, NULL, DIAG_NO_OFFSET,
				 "export \"%s\" is a value", full);
	default:
		/* Modules and components are code without state: a core
		 * module has no way to export them, and nothing runs. */
		return MELD_OK;
	}
}

static enum meld_status
collect_boundary(struct ictx *x)
{
	for (size_t i = 0; i < x->nlinked; i++) {
		if (x->linked[i].used)
			continue;
		struct inamed n = {x->linked[i].name, x->linked[i].space,
				   x->linked[i].val};
		enum meld_status st = collect(x, NULL, &n, 0);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

enum meld_status
inst_run(struct arena *a, struct diag *d, const struct inst_input *inputs,
	 size_t ninputs, struct inst_graph *g)
{
	memset(g, 0, sizeof *g);
	struct ictx x = {.a = a, .d = d, .g = g, .budget = (size_t)4000000};
	g->input_order = arena_alloc_array(a, ninputs, sizeof *g->input_order);
	if (!g->input_order)
		return inst_oom(&x);
	g->ninputs = ninputs;
	enum meld_status st = link_order(&x, inputs, ninputs, g->input_order);
	for (size_t k = 0; st == MELD_OK && k < ninputs; k++) {
		uint32_t i = g->input_order[k];
		struct iframe *f = NULL;
		st = inst_root_frame(&x, &inputs[i], &f);
		if (st == MELD_OK)
			st = add_linked(&x, f, i);
	}
	if (st == MELD_OK)
		st = collect_boundary(&x);
	return st;
}
