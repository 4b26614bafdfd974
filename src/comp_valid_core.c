/*
 * comp_valid_core: the types of a component's core items and the checks
 * that need them (Explainer.md "Instance Definitions" and "Canonical
 * Definitions"; core spec 3.0 "Import Matching" for external types and
 * limits subtyping).
 *
 * Every core func, table, memory, global and tag of the component being
 * validated gets a vcore as it is defined: aliases of core instance
 * exports take the type the instance exports (known when the module is
 * defined here or has a module type), canon definitions the signature of
 * their built-in (comp_valid_canon.c).  Core instances keep their exports.
 * Modules are described from the item comp_scope gives for them: a
 * nested module definition (read with core_read) or a module type.
 *
 * Checked here: core instantiation arguments against the module's imports,
 * aliases of core instance exports, and module subtyping (fewer imports,
 * more exports) for component-level arguments and ascriptions.
 */
#include "comp_valid.h"

#include <stdio.h>
#include <string.h>

/* ---- core value types ------------------------------------------------- */

/* A reader core valtype in core_module's form. */
static struct core_valtype
vt_from_comp(const struct comp_core_valtype *t)
{
	struct core_valtype r;
	memset(&r, 0, sizeof r);
	r.code = (uint8_t)t->code;
	r.shared = t->shared;
	if (t->code == COMP_CORE_REF || t->code == COMP_CORE_REF_NULL) {
		if (t->heap >= 0)
			r.typeidx = (uint32_t)t->heap;
		else
			r.heap = (uint8_t)(t->heap + 0x80);
	}
	return r;
}

static const char *
heap_name(uint8_t h)
{
	switch (h) {
	case CORE_HEAP_EXN: return "exn";
	case CORE_HEAP_ARRAY: return "array";
	case CORE_HEAP_STRUCT: return "struct";
	case CORE_HEAP_I31: return "i31";
	case CORE_HEAP_EQ: return "eq";
	case CORE_HEAP_ANY: return "any";
	case CORE_HEAP_EXTERN: return "extern";
	case CORE_HEAP_FUNC: return "func";
	case CORE_HEAP_NONE: return "none";
	case CORE_HEAP_NOEXTERN: return "noextern";
	case CORE_HEAP_NOFUNC: return "nofunc";
	case CORE_HEAP_NOEXN: return "noexn";
	}
	return "?";
}

static void
print_vt(struct core_valtype t, char *buf, size_t n)
{
	switch (t.code) {
	case CORE_VALTYPE_I32: snprintf(buf, n, "i32"); return;
	case CORE_VALTYPE_I64: snprintf(buf, n, "i64"); return;
	case CORE_VALTYPE_F32: snprintf(buf, n, "f32"); return;
	case CORE_VALTYPE_F64: snprintf(buf, n, "f64"); return;
	case CORE_VALTYPE_V128: snprintf(buf, n, "v128"); return;
	}
	bool null = t.code == CORE_VALTYPE_REF_NULL;
	if (t.heap == 0)
		snprintf(buf, n, "(ref %s%u)", null ? "null " : "", t.typeidx);
	else if (t.shared)
		snprintf(buf, n, "(ref %s(shared %s))", null ? "null " : "",
			 heap_name(t.heap));
	else if (null)
		snprintf(buf, n, "%sref", heap_name(t.heap));
	else
		snprintf(buf, n, "(ref %s)", heap_name(t.heap));
}

static void
append(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);
	if (len + 1 < n)
		snprintf(buf + len, n - len, "%s", s);
}

static void
print_list(char *buf, size_t n, const char *what, const struct core_valtype *ts,
	   uint32_t count)
{
	if (count == 0)
		return;
	append(buf, n, " (");
	append(buf, n, what);
	for (uint32_t i = 0; i < count; i++) {
		char one[40];
		print_vt(ts[i], one, sizeof one);
		append(buf, n, " ");
		append(buf, n, one);
	}
	append(buf, n, ")");
}

void
valid_core_print(const struct vcore *t, char *buf, size_t n)
{
	buf[0] = '\0';
	append(buf, n, t->kind == CORE_EXTERN_TAG ? "(tag" : "(func");
	print_list(buf, n, "param", t->params, t->nparams);
	print_list(buf, n, "result", t->results, t->nresults);
	append(buf, n, ")");
}

static bool
vt_eq(struct core_valtype a, struct core_valtype b)
{
	if (a.code != b.code || a.heap != b.heap || a.shared != b.shared)
		return false;
	return true; /* concrete types (heap 0) are not compared across modules */
}

static bool
vts_eq(const struct core_valtype *a, uint32_t na, const struct core_valtype *b,
       uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		if (!vt_eq(a[i], b[i]))
			return false;
	}
	return true;
}

static const char *
kind_name(uint8_t k)
{
	switch (k) {
	case CORE_EXTERN_FUNC: return "func";
	case CORE_EXTERN_TABLE: return "table";
	case CORE_EXTERN_MEMORY: return "memory";
	case CORE_EXTERN_GLOBAL: return "global";
	case CORE_EXTERN_TAG: return "tag";
	}
	return "?";
}

static bool
limits_match(const struct core_limits *a, const struct core_limits *b)
{
	if (a->min < b->min)
		return false;
	if (!(b->flags & CORE_LIMITS_HAS_MAX))
		return true;
	return (a->flags & CORE_LIMITS_HAS_MAX) && a->max <= b->max;
}

bool
valid_core_sub(const struct vcore *a, const struct vcore *b, struct verr *e)
{
	char x[200], y[200];
	if (a->kind != b->kind)
		return verr_fail(e, "expected %s, found %s", kind_name(b->kind),
				 kind_name(a->kind));
	if (!a->known || !b->known)
		return true;
	switch (a->kind) {
	case CORE_EXTERN_FUNC:
	case CORE_EXTERN_TAG:
		if (vts_eq(a->params, a->nparams, b->params, b->nparams) &&
		    vts_eq(a->results, a->nresults, b->results, b->nresults))
			return true;
		valid_core_print(b, x, sizeof x);
		valid_core_print(a, y, sizeof y);
		return verr_fail(e, "expected: %s, found:    %s", x, y);
	case CORE_EXTERN_GLOBAL:
		if (a->mut != b->mut)
			return verr_fail(e, "global types differ in mutability");
		if (vt_eq(a->type, b->type))
			return true;
		print_vt(b->type, x, sizeof x);
		print_vt(a->type, y, sizeof y);
		return verr_fail(e, "expected global type %s, found %s", x, y);
	case CORE_EXTERN_TABLE:
		if (!vt_eq(a->type, b->type)) {
			print_vt(b->type, x, sizeof x);
			print_vt(a->type, y, sizeof y);
			return verr_fail(e, "expected table element type %s, found %s", x, y);
		}
		if ((a->limits.flags ^ b->limits.flags) & CORE_LIMITS_SHARED)
			return verr_fail(e, "mismatch in the shared flag for tables");
		return limits_match(&a->limits, &b->limits) ||
		       verr_fail(e, "mismatch in table limits");
	case CORE_EXTERN_MEMORY:
		if ((a->limits.flags ^ b->limits.flags) & CORE_LIMITS_SHARED)
			return verr_fail(e, "mismatch in the shared flag for memories");
		if ((a->limits.flags ^ b->limits.flags) & CORE_LIMITS_64)
			return verr_fail(e, "mismatch in index type used for memories");
		if (a->limits.page_size_log2 != b->limits.page_size_log2)
			return verr_fail(e, "mismatch in page size for memories");
		return limits_match(&a->limits, &b->limits) ||
		       verr_fail(e, "mismatch in memory limits");
	}
	return true;
}

bool
valid_core_func(struct vctx *v, const uint8_t *params, uint32_t np,
		const uint8_t *results, uint32_t nr, struct vcore *out)
{
	struct core_valtype *p = arena_alloc_array(v->arena, np + nr + 1, sizeof *p);
	memset(out, 0, sizeof *out);
	out->kind = CORE_EXTERN_FUNC;
	if (!p)
		return false;
	for (uint32_t i = 0; i < np; i++)
		p[i].code = params[i];
	for (uint32_t i = 0; i < nr; i++)
		p[np + i].code = results[i];
	out->known = true;
	out->params = p;
	out->nparams = np;
	out->results = p + np;
	out->nresults = nr;
	return true;
}

/* ---- modules ------------------------------------------------------------ */

/* An item of a module definition: its type from the module. */
static struct vcore
desc_of_module(const struct core_module *m, uint8_t kind, uint32_t idx)
{
	struct vcore d;
	memset(&d, 0, sizeof d);
	d.kind = kind;
	const struct core_type *t = NULL;
	switch (kind) {
	case CORE_EXTERN_FUNC:
		t = core_func_type(m, idx);
		break;
	case CORE_EXTERN_TAG:
		if (idx < m->space_len[CORE_SPACE_TAG])
			t = core_type_at(m, m->tags[idx].typeidx);
		break;
	case CORE_EXTERN_TABLE:
		if (idx < m->space_len[CORE_SPACE_TABLE]) {
			d.limits = m->tables[idx].limits;
			d.type = m->tables[idx].elem;
			d.known = true;
		}
		return d;
	case CORE_EXTERN_MEMORY:
		if (idx < m->space_len[CORE_SPACE_MEMORY]) {
			d.limits = m->memories[idx].limits;
			d.known = true;
		}
		return d;
	case CORE_EXTERN_GLOBAL:
		if (idx < m->space_len[CORE_SPACE_GLOBAL]) {
			d.type = m->globals[idx].type;
			d.mut = m->globals[idx].mutable;
			d.known = true;
		}
		return d;
	}
	if (t && t->kind == CORE_COMP_FUNC) {
		d.params = t->params;
		d.results = t->results;
		d.nparams = t->nparams;
		d.nresults = t->nresults;
		d.known = true;
	}
	return d;
}

static struct vmodule
module_from_def(struct vctx *v, const struct core_module *m)
{
	struct vmodule r;
	memset(&r, 0, sizeof r);
	r.imports = arena_alloc_array(v->arena, m->nimports + 1, sizeof *r.imports);
	r.exports = arena_alloc_array(v->arena, m->nexports + 1, sizeof *r.exports);
	if (!r.imports || !r.exports)
		return r;
	for (uint32_t i = 0; i < m->nimports; i++) {
		r.imports[i].module = m->imports[i].module;
		r.imports[i].name = m->imports[i].name;
		r.imports[i].t = desc_of_module(m, m->imports[i].kind, m->imports[i].index);
	}
	for (uint32_t i = 0; i < m->nexports; i++) {
		r.exports[i].name = m->exports[i].name;
		r.exports[i].t = desc_of_module(m, m->exports[i].kind, m->exports[i].index);
	}
	r.nimports = m->nimports;
	r.nexports = m->nexports;
	r.known = true;
	return r;
}

/* A core sub type as a func vcore (false unless it is a func type). */
static bool
func_from_sub(struct vctx *v, const struct comp_core_subtype *st, struct vcore *out)
{
	if (!st || st->kind != COMP_CORE_COMP_FUNC)
		return false;
	struct core_valtype *p =
		arena_alloc_array(v->arena, st->nparams + st->nresults + 1, sizeof *p);
	if (!p)
		return false;
	for (uint32_t i = 0; i < st->nparams; i++)
		p[i] = vt_from_comp(&st->params[i]);
	for (uint32_t i = 0; i < st->nresults; i++)
		p[st->nparams + i] = vt_from_comp(&st->results[i]);
	out->params = p;
	out->nparams = st->nparams;
	out->results = p + st->nparams;
	out->nresults = st->nresults;
	out->known = true;
	return true;
}

/* The sub type a core type item names (NULL for a module type). */
static const struct comp_core_subtype *
sub_of_item(struct comp_item *it)
{
	if (!it || !it->core_type || it->core_type->is_module ||
	    it->core_sub >= it->core_type->nsubs)
		return NULL;
	return &it->core_type->subs[it->core_sub];
}

bool
valid_core_type_func(struct vctx *v, struct comp_item *t, struct vcore *out)
{
	memset(out, 0, sizeof *out);
	out->kind = CORE_EXTERN_FUNC;
	return func_from_sub(v, sub_of_item(t), out);
}

static void
limits_from_comp(const struct comp_core_limits *l, struct core_limits *out)
{
	out->flags = l->flags & (CORE_LIMITS_HAS_MAX | CORE_LIMITS_SHARED | CORE_LIMITS_64);
	out->min = l->min;
	out->max = l->max;
	out->page_size_log2 = l->flags & CORE_LIMITS_PAGE_SIZE ? l->page_size_log2
							       : CORE_PAGE_SIZE_LOG2;
}

/* A module type declarator's extern type; local types in `subs`. */
static struct vcore
desc_of_decl(struct vctx *v, const struct comp_core_externtype *e,
	     const struct comp_core_subtype **subs, uint32_t nsubs)
{
	struct vcore d;
	memset(&d, 0, sizeof d);
	d.kind = (uint8_t)e->kind;
	switch (e->kind) {
	case COMP_CORE_EXTERN_FUNC:
	case COMP_CORE_EXTERN_TAG:
		func_from_sub(v, e->typeidx < nsubs ? subs[e->typeidx] : NULL, &d);
		return d;
	case COMP_CORE_EXTERN_TABLE:
		d.type = vt_from_comp(&e->type);
		limits_from_comp(&e->limits, &d.limits);
		break;
	case COMP_CORE_EXTERN_MEMORY:
		limits_from_comp(&e->limits, &d.limits);
		break;
	case COMP_CORE_EXTERN_GLOBAL:
		d.type = vt_from_comp(&e->type);
		d.mut = e->mut;
		break;
	}
	d.known = true;
	return d;
}

/* The local type space of a module type, declarator by declarator. */
static const struct comp_core_subtype **
module_type_subs(struct vctx *v, struct comp_item *t, uint32_t *n)
{
	const struct comp_core_typedef *mt = t->core_type;
	const struct comp_core_subtype **subs =
		arena_alloc_array(v->arena, mt->nlocal_types + 1, sizeof *subs);
	*n = 0;
	if (!subs)
		return NULL;
	for (uint32_t i = 0; i < mt->ndecls; i++) {
		const struct comp_module_decl *d = &mt->decls[i];
		if (d->kind == COMP_MODULE_DECL_TYPE) {
			for (uint32_t k = 0; k < d->type->nsubs && *n < mt->nlocal_types; k++)
				subs[(*n)++] = &d->type->subs[k];
		} else if (d->kind == COMP_MODULE_DECL_ALIAS && *n < mt->nlocal_types) {
			const struct comp_core_subtype *st = NULL;
			if (d->outer_count == 0)
				st = d->outer_idx < *n ? subs[d->outer_idx] : NULL;
			else
				st = sub_of_item(comp_scope_get(
					comp_scope_outer(t->scope, d->outer_count - 1),
					COMP_SPACE_CORE_TYPE, d->outer_idx));
			subs[(*n)++] = st;
		}
	}
	return subs;
}

static struct vmodule
module_from_type(struct vctx *v, struct comp_item *t)
{
	struct vmodule r;
	memset(&r, 0, sizeof r);
	const struct comp_core_typedef *mt = t->core_type;
	uint32_t nsubs;
	const struct comp_core_subtype **subs = module_type_subs(v, t, &nsubs);
	r.imports = arena_alloc_array(v->arena, mt->ndecls + 1, sizeof *r.imports);
	r.exports = arena_alloc_array(v->arena, mt->ndecls + 1, sizeof *r.exports);
	if (!subs || !r.imports || !r.exports)
		return r;
	for (uint32_t i = 0; i < mt->ndecls; i++) {
		const struct comp_module_decl *d = &mt->decls[i];
		struct vnamed *nd;
		if (d->kind == COMP_MODULE_DECL_IMPORT)
			nd = &r.imports[r.nimports++];
		else if (d->kind == COMP_MODULE_DECL_EXPORT)
			nd = &r.exports[r.nexports++];
		else
			continue;
		nd->module = d->module;
		nd->name = d->name;
		nd->t = desc_of_decl(v, &d->ext, subs, nsubs);
	}
	r.known = true;
	return r;
}

struct vmodule
valid_module_of(struct vctx *v, struct comp_item *m)
{
	struct vmodule none;
	memset(&none, 0, sizeof none);
	if (!m || m->kind != COMP_ITEM_CORE)
		return none;
	if (m->cmod)
		return m->cmod->module ? module_from_def(v, m->cmod->module) : none;
	if (m->type && m->type->core_type && m->type->core_type->is_module)
		return module_from_type(v, m->type);
	return none;
}

static bool
name_eq(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static const struct vnamed *
find_export(const struct vmodule *m, struct bin_name name)
{
	for (uint32_t i = 0; i < m->nexports; i++) {
		if (name_eq(m->exports[i].name, name))
			return &m->exports[i];
	}
	return NULL;
}

static const struct vnamed *
find_import(const struct vmodule *m, struct bin_name module, struct bin_name name)
{
	for (uint32_t i = 0; i < m->nimports; i++) {
		if (name_eq(m->imports[i].module, module) && name_eq(m->imports[i].name, name))
			return &m->imports[i];
	}
	return NULL;
}

bool
valid_sub_module(struct vctx *v, struct comp_item *m, struct comp_item *t,
		 struct verr *err)
{
	struct vmodule a = valid_module_of(v, m);
	if (!a.known || !t->core_type || !t->core_type->is_module)
		return true;
	struct vmodule b = module_from_type(v, t);
	if (!b.known || (uint64_t)(a.nimports + b.nexports) * (a.nexports + b.nimports) >
				v->budget)
		return true;
	for (uint32_t i = 0; i < a.nimports; i++) {
		const struct vnamed *ai = &a.imports[i];
		const struct vnamed *bi = find_import(&b, ai->module, ai->name);
		if (!bi)
			return verr_fail(err, "missing expected import `%.*s::%.*s`",
					 (int)ai->module.len, (const char *)ai->module.p,
					 (int)ai->name.len, (const char *)ai->name.p);
		if (!verr_ctx(err, valid_core_sub(&bi->t, &ai->t, err),
			      "type mismatch in import `%.*s::%.*s`", (int)ai->module.len,
			      (const char *)ai->module.p, (int)ai->name.len,
			      (const char *)ai->name.p))
			return false;
	}
	for (uint32_t i = 0; i < b.nexports; i++) {
		const struct vnamed *be = &b.exports[i];
		const struct vnamed *ae = find_export(&a, be->name);
		if (!ae)
			return verr_fail(err, "missing expected export `%.*s`",
					 (int)be->name.len, (const char *)be->name.p);
		if (!verr_ctx(err, valid_core_sub(&ae->t, &be->t, err),
			      "type mismatch in export `%.*s`", (int)be->name.len,
			      (const char *)be->name.p))
			return false;
	}
	return true;
}

/* ---- the core items of the component being validated ------------------- */

static int
kind_of_space(enum comp_space sp)
{
	switch (sp) {
	case COMP_SPACE_CORE_FUNC: return CORE_EXTERN_FUNC;
	case COMP_SPACE_CORE_TABLE: return CORE_EXTERN_TABLE;
	case COMP_SPACE_CORE_MEMORY: return CORE_EXTERN_MEMORY;
	case COMP_SPACE_CORE_GLOBAL: return CORE_EXTERN_GLOBAL;
	case COMP_SPACE_CORE_TAG: return CORE_EXTERN_TAG;
	default: return -1;
	}
}

static const enum comp_space core_spaces[5] = {
	COMP_SPACE_CORE_FUNC, COMP_SPACE_CORE_TABLE, COMP_SPACE_CORE_MEMORY,
	COMP_SPACE_CORE_GLOBAL, COMP_SPACE_CORE_TAG};

const struct vcore *
valid_core_at(struct vctx *v, enum comp_space sp, uint32_t idx)
{
	int k = kind_of_space(sp);
	struct vcomp *vc = v->cur;
	if (!vc || k < 0 || idx >= vc->core[k].len)
		return NULL;
	return &vc->core[k].items[idx];
}

static const struct vmodule *
inst_at(struct vctx *v, uint32_t idx)
{
	struct vcomp *vc = v->cur;
	if (!vc || idx >= vc->insts.len)
		return NULL;
	return &vc->insts.items[idx];
}

/* The exports of a core instance definition. */
static struct vmodule
inst_of_def(struct vctx *v, const struct comp_core_instance *ci)
{
	if (ci->kind == COMP_INSTANCE_INSTANTIATE) {
		struct vmodule m = valid_module_of(
			v, comp_scope_get(v->cur->s, COMP_SPACE_CORE_MODULE, ci->moduleidx));
		m.imports = NULL;
		m.nimports = 0;
		return m;
	}
	struct vmodule r;
	memset(&r, 0, sizeof r);
	r.exports = arena_alloc_array(v->arena, ci->nexports + 1, sizeof *r.exports);
	if (!r.exports)
		return r;
	for (uint32_t i = 0; i < ci->nexports; i++) {
		const struct comp_inline_export *x = &ci->exports[i];
		struct vnamed *e = &r.exports[i];
		e->name = x->name.name;
		const struct vcore *t = valid_core_at(v, x->ref.space, x->ref.idx);
		if (t)
			e->t = *t;
		else
			e->t.kind = (uint8_t)kind_of_space(x->ref.space);
	}
	r.nexports = ci->nexports;
	r.known = true;
	return r;
}

/* The type of core item idx of space sp, from the definition that made it. */
static struct vcore
core_of_entry(struct vctx *v, enum comp_space sp, uint32_t idx)
{
	const struct comp_component *c = v->cur->s->comp;
	const struct comp_space_entry *e = comp_space_get(c, sp, idx);
	struct vcore d;
	memset(&d, 0, sizeof d);
	d.kind = (uint8_t)kind_of_space(sp);
	if (!e)
		return d;
	if (e->origin == COMP_DEF_CANON) {
		valid_canon_core_func(v, v->cur->s, &c->canons[e->item], &d);
		return d;
	}
	if (e->origin != COMP_DEF_ALIAS)
		return d;
	const struct comp_alias *a = &c->aliases[e->item];
	const struct vmodule *in = a->kind == COMP_ALIAS_CORE_INSTANCE_EXPORT
		? inst_at(v, a->instanceidx) : NULL;
	const struct vnamed *x = in && in->known ? find_export(in, a->name) : NULL;
	if (x && x->t.kind == d.kind)
		d = x->t;
	return d;
}

enum meld_status
valid_core_note(struct vctx *v, const struct comp_def *d)
{
	struct vcomp *vc = v->cur;
	struct comp_scope *s = vc->s;
	(void)d;
	for (int k = 0; k < 5; k++) {
		enum comp_space sp = core_spaces[k];
		while (vc->core[k].len < s->space[sp].len) {
			struct vcore t = core_of_entry(v, sp, (uint32_t)vc->core[k].len);
			struct vcore *slot = arena_push(v->arena, (void **)&vc->core[k].items,
							&vc->core[k].len, &vc->core[k].cap,
							sizeof *slot);
			if (!slot)
				return valid_oom(v);
			*slot = t;
		}
	}
	while (vc->insts.len < s->space[COMP_SPACE_CORE_INSTANCE].len) {
		const struct comp_space_entry *e = comp_space_get(
			s->comp, COMP_SPACE_CORE_INSTANCE, (uint32_t)vc->insts.len);
		struct vmodule m;
		memset(&m, 0, sizeof m);
		if (e && e->origin == COMP_DEF_CORE_INSTANCE)
			m = inst_of_def(v, &s->comp->core_instances[e->item]);
		struct vmodule *slot = arena_push(v->arena, (void **)&vc->insts.items,
						  &vc->insts.len, &vc->insts.cap,
						  sizeof *slot);
		if (!slot)
			return valid_oom(v);
		*slot = m;
	}
	return MELD_OK;
}

/* ---- checks ------------------------------------------------------------- */

enum meld_status
valid_core_instantiate(struct vctx *v, struct comp_scope *s,
		       const struct comp_core_instance *ci)
{
	struct vmodule m = valid_module_of(
		v, comp_scope_get(s, COMP_SPACE_CORE_MODULE, ci->moduleidx));
	if (!m.known)
		return MELD_OK;
	for (uint32_t i = 0; i < m.nimports; i++) {
		const struct vnamed *im = &m.imports[i];
		int mn = (int)im->module.len, nn = (int)im->name.len;
		const char *mp = (const char *)im->module.p, *np = (const char *)im->name.p;
		const struct comp_arg *arg = NULL;
		for (uint32_t k = 0; k < ci->nargs && !arg; k++) {
			if (name_eq(ci->args[k].name, im->module))
				arg = &ci->args[k];
		}
		if (!arg)
			return valid_fail(v, ci->offset,
					  "missing module instantiation argument named `%.*s`",
					  mn, mp);
		const struct vmodule *in = inst_at(v, arg->ref.idx);
		if (!in || !in->known)
			continue;
		const struct vnamed *x = find_export(in, im->name);
		if (!x)
			return valid_fail(v, ci->offset,
					  "module instantiation argument `%.*s` does not export an item named `%.*s`",
					  mn, mp, nn, np);
		struct verr err;
		if (!valid_core_sub(&x->t, &im->t, &err))
			return valid_fail(v, ci->offset,
					  "type mismatch for export `%.*s` of module instantiation argument `%.*s`: %s",
					  nn, np, mn, mp, err.msg);
	}
	return MELD_OK;
}

enum meld_status
valid_core_alias_export(struct vctx *v, const struct comp_alias *a)
{
	const struct vmodule *in = inst_at(v, a->instanceidx);
	if (!in || !in->known)
		return MELD_OK;
	const struct vnamed *x = find_export(in, a->name);
	if (!x)
		return valid_fail(v, a->offset, "core instance %u has no export named `%.*s`",
				  a->instanceidx, (int)a->name.len, (const char *)a->name.p);
	if (x->t.kind != kind_of_space(a->space))
		return valid_fail(v, a->offset, "export `%.*s` of core instance %u is a %s, not a %s",
				  (int)a->name.len, (const char *)a->name.p, a->instanceidx,
				  kind_name(x->t.kind), comp_space_name(a->space));
	return MELD_OK;
}
