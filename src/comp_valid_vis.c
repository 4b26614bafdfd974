/*
 * comp_valid_vis: external visibility of types (Explainer.md "Import and
 * Export Definitions": the types an import or export refers to must be
 * reachable from outside), checked as wasm-tools checks it.
 *
 * A component (and a component type; instance types defer the check to
 * the import or export they end up in) keeps two sets of named types:
 * those its imports introduced, and those its imports or exports
 * introduced.  An import must only refer to imported names, an export to
 * either.  "Refer" stops at the first layer that needs a name: a record,
 * variant, enum or flags type, or the resource of an own or borrow handle;
 * tuples, lists, options, results, streams and futures are looked
 * through.  A type is named when it, or a type it is an alias of, is in
 * the set; an exported definition is a new alias, so using the definition
 * itself rather than its export does not count.  Importing or exporting
 * an instance names the types the instance exports, one by one; an
 * instance exported with a type ascription is seen through that type.
 */
#include "comp_valid.h"

#include <stdint.h>
#include <string.h>

/* ---- a set of pointers (open addressing) -------------------------------- */

static size_t
slot_of(const struct comp_item *it, size_t cap)
{
	uintptr_t h = (uintptr_t)it;
	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

static bool
vset_has(const struct vset *s, const struct comp_item *it)
{
	if (s->cap == 0)
		return false;
	for (size_t i = slot_of(it, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == it)
			return true;
		if (!s->slots[i])
			return false;
	}
}

static bool
vset_add(struct vctx *v, struct vset *s, struct comp_item *it)
{
	if (vset_has(s, it))
		return true;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct comp_item **slots = arena_alloc_array(v->arena, cap, sizeof *slots);
		if (!slots)
			return false;
		memset(slots, 0, cap * sizeof *slots);
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slots[i])
				continue;
			size_t k = slot_of(s->slots[i], cap);
			while (slots[k])
				k = (k + 1) & (cap - 1);
			slots[k] = s->slots[i];
		}
		s->slots = slots;
		s->cap = cap;
	}
	size_t k = slot_of(it, s->cap);
	while (s->slots[k])
		k = (k + 1) & (s->cap - 1);
	s->slots[k] = it;
	s->n++;
	return true;
}

/* ---- named types ---------------------------------------------------------- */

struct vis {
	struct vctx *v;
	const struct vset *set;
	unsigned depth;
	/* types looked through and found named: a type used twice is walked
	   once, so nesting cannot make the walk exponential */
	struct vset done;
};

/* it, or a type it aliases, is in the set. */
static bool
named(const struct vis *x, struct comp_item *it)
{
	for (unsigned i = 0; it && i < 1000; i++, it = it->target) {
		if (vset_has(x->set, it))
			return true;
	}
	return false;
}

/* One more step; out of budget, the component is refused (comp_valid.c). */
static bool
spend(struct vis *x)
{
	if (x->v->budget == 0)
		x->v->out_of_budget = true;
	if (x->depth > 100 || x->v->budget == 0)
		return false;
	x->v->budget--;
	return true;
}

static bool named_vt(struct vis *x, struct comp_scope *s, struct comp_valtype vt);

/* The parts of a defined type that must themselves be named. */
static bool
parts_named(struct vis *x, struct comp_scope *s, const struct comp_defval *dv)
{
	bool ok = true;
	switch (dv->kind) {
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; ok && i < dv->record.nfields; i++)
			ok = named_vt(x, s, dv->record.fields[i].type);
		return ok;
	case COMP_DEFVAL_VARIANT:
		for (uint32_t i = 0; ok && i < dv->variant.ncases; i++)
			ok = !dv->variant.cases[i].has_type ||
			     named_vt(x, s, dv->variant.cases[i].type);
		return ok;
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; ok && i < dv->tuple.ntypes; i++)
			ok = named_vt(x, s, dv->tuple.types[i]);
		return ok;
	case COMP_DEFVAL_RESULT:
		return (!dv->result.has_ok || named_vt(x, s, dv->result.ok)) &&
		       (!dv->result.has_err || named_vt(x, s, dv->result.err));
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST:
		return named_vt(x, s, dv->list.elem);
	case COMP_DEFVAL_OPTION:
		return named_vt(x, s, dv->option);
	case COMP_DEFVAL_MAP:
		return named_vt(x, s, dv->map.key) && named_vt(x, s, dv->map.value);
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW: {
		struct comp_item *r = comp_scope_get(s, COMP_SPACE_TYPE, dv->resource_typeidx);
		return !r || comp_item_canon(r)->kind == COMP_ITEM_UNKNOWN || named(x, r);
	}
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		return !dv->async_elem.has_elem || named_vt(x, s, dv->async_elem.elem);
	default:
		return true; /* primitives, flags, enums */
	}
}

/* A value type used by an import or export: named where it must be. */
static bool
named_vt(struct vis *x, struct comp_scope *s, struct comp_valtype vt)
{
	if (vt.prim != COMP_PRIM_NONE)
		return true;
	struct comp_item *t = comp_scope_valtype(s, vt);
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def || t->def->kind != COMP_TYPE_DEFVAL ||
	    vset_has(&x->done, t) || !spend(x))
		return true;
	enum comp_defval_kind k = t->def->defval.kind;
	if (k == COMP_DEFVAL_RECORD || k == COMP_DEFVAL_VARIANT || k == COMP_DEFVAL_ENUM ||
	    k == COMP_DEFVAL_FLAGS)
		return named(x, t);
	x->depth++;
	bool ok = parts_named(x, t->scope, &t->def->defval);
	x->depth--;
	if (ok && !vset_add(x->v, &x->done, t))
		x->v->sx.oom = true;
	return ok;
}

static bool
func_named(struct vis *x, struct comp_item *ft_item)
{
	const struct comp_functype *ft = valid_functype_of(ft_item);
	bool ok = true;
	for (uint32_t i = 0; ft && ok && i < ft->nparams; i++)
		ok = named_vt(x, ft_item->scope, ft->params[i].type);
	return ok && (!ft || !ft->has_result || named_vt(x, ft_item->scope, ft->result));
}

static bool type_named(struct vis *x, struct comp_item *t);

/* An instance type's exports, as a type import or export refers to them. */
static bool
instance_type_named(struct vis *x, struct comp_item *t)
{
	struct comp_scope *ts = comp_scope_new_type(&x->v->sx, t->scope, t->def);
	if (!ts)
		return true;
	comp_scope_fill(ts);
	uint32_t n = comp_scope_nexports(ts);
	bool ok = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		struct bin_name name;
		enum comp_space sp;
		struct comp_item *e = comp_scope_export_at(ts, i, &name, &sp);
		if (!e)
			continue;
		if (sp == COMP_SPACE_FUNC && e->kind == COMP_ITEM_FUNC)
			ok = func_named(x, e->type);
		else if (sp == COMP_SPACE_TYPE)
			ok = type_named(x, e->target ? e->target : e);
		else if (sp == COMP_SPACE_VALUE && e->kind == COMP_ITEM_VALUE)
			ok = named_vt(x, e->scope, e->value_type);
		else if (sp == COMP_SPACE_INSTANCE && e->kind == COMP_ITEM_INSTANCE &&
			 e->type && e->type->def && e->type->def->kind == COMP_TYPE_INSTANCE)
			ok = instance_type_named(x, e->type);
	}
	return ok;
}

/* The first layer of a type being imported or exported. */
static bool
type_named(struct vis *x, struct comp_item *t)
{
	struct comp_item *c = comp_item_canon(t);
	if (!c || c->kind != COMP_ITEM_TYPE || !c->def || !spend(x))
		return true; /* resources, unknown */
	bool ok = true;
	x->depth++;
	switch (c->def->kind) {
	case COMP_TYPE_DEFVAL:
		ok = parts_named(x, c->scope, &c->def->defval);
		break;
	case COMP_TYPE_FUNC:
		ok = func_named(x, c);
		break;
	case COMP_TYPE_INSTANCE:
		ok = instance_type_named(x, c);
		break;
	default:
		break; /* components are closed; resources always fine */
	}
	x->depth--;
	return ok;
}

/* ---- registering an import or export -------------------------------------- */

struct reg {
	struct vctx *v;
	struct valid_vis *vis;
	bool import;
	unsigned depth;
};

/*
 * Name it.  An alias of an instance's export is the export itself (only
 * import and export definitions make new names), so what it aliases is
 * named too.
 */
static bool
name_type(struct reg *r, struct comp_item *it)
{
	for (unsigned i = 0; it && i < 1000; i++, it = it->via ? it->target : NULL) {
		if (!vset_add(r->v, &r->vis->exported, it) ||
		    (r->import && !vset_add(r->v, &r->vis->imported, it)))
			return false;
	}
	return true;
}

static bool register_item(struct reg *r, struct comp_item *it, enum comp_space sp,
			  bool *oom);

/*
 * An instance exported with a type ascription is seen from outside
 * through the ascribed instance type: its functions are checked with the
 * ascribed function types (which may name types the same export
 * introduces), as wasm-tools checks the export's entity type, not the
 * instance it ascribes.  The scope's exports of an ascribed instance stand
 * for the source instance's items (for resource identity), so the
 * ascribed type is read in a scope of its own; its types and the source's
 * types of the same names are named both.
 */
static bool
register_ascribed(struct reg *r, struct comp_item *it, bool *oom)
{
	struct comp_item *t = it->type;
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def || t->def->kind != COMP_TYPE_INSTANCE)
		return true;
	struct comp_scope *ts = comp_scope_new_type(&r->v->sx, t->scope, t->def);
	if (!ts) {
		*oom = true;
		return true;
	}
	comp_scope_fill(ts);
	struct comp_export_ref *refs;
	uint32_t nsrc = comp_item_exports(it, &refs);
	uint32_t n = comp_scope_nexports(ts);
	bool ok = true;
	r->depth++;
	for (uint32_t i = 0; ok && i < n && !*oom; i++) {
		struct bin_name name;
		enum comp_space sp;
		struct comp_item *e = comp_scope_export_at(ts, i, &name, &sp);
		ok = register_item(r, e, sp, oom);
		struct comp_item *src =
			sp == COMP_SPACE_TYPE ? comp_export_ref_find(refs, nsrc, name, sp) : NULL;
		if (ok && src && src != e && !name_type(r, src))
			*oom = true;
	}
	r->depth--;
	return ok;
}

/* Check one item against the set, then name what it introduces. */
static bool
register_item(struct reg *r, struct comp_item *it, enum comp_space sp, bool *oom)
{
	struct vis x = {r->v, r->import ? &r->vis->imported : &r->vis->exported, 0,
			{0}};
	if (!it || it->kind == COMP_ITEM_UNKNOWN || r->depth > 50)
		return true;
	switch (sp) {
	case COMP_SPACE_TYPE:
		if (!type_named(&x, it->target ? it->target : it))
			return false;
		*oom = !name_type(r, it);
		return true;
	case COMP_SPACE_FUNC:
		return it->kind != COMP_ITEM_FUNC || func_named(&x, it->type);
	case COMP_SPACE_VALUE:
		return it->kind != COMP_ITEM_VALUE || named_vt(&x, it->scope, it->value_type);
	case COMP_SPACE_INSTANCE: {
		if (it->kind != COMP_ITEM_INSTANCE)
			return true;
		if (it->asc_src)
			return register_ascribed(r, it, oom);
		struct comp_export_ref *refs;
		uint32_t n = comp_item_exports(it, &refs);
		r->depth++;
		for (uint32_t i = 0; i < n && !*oom; i++) {
			if (!register_item(r, refs[i].item, refs[i].space, oom)) {
				r->depth--;
				return false;
			}
		}
		r->depth--;
		return true;
	}
	default:
		return true; /* components and modules are closed */
	}
}

static const char *
entity_desc(enum comp_space sp)
{
	switch (sp) {
	case COMP_SPACE_CORE_MODULE: return "module";
	case COMP_SPACE_FUNC: return "func";
	case COMP_SPACE_VALUE: return "value";
	case COMP_SPACE_TYPE: return "type";
	case COMP_SPACE_INSTANCE: return "instance";
	case COMP_SPACE_COMPONENT: return "component";
	default: return comp_space_name(sp);
	}
}

enum meld_status
valid_visibility(struct vctx *v, struct valid_vis *vis, struct comp_item *it,
		 enum comp_space sp, bool is_import, size_t offset)
{
	struct reg r = {v, vis, is_import, 0};
	bool oom = false;
	if (!register_item(&r, it, sp, &oom))
		return valid_fail(v, offset, "%s not valid to be used as %s", entity_desc(sp),
				  is_import ? "import" : "export");
	return oom ? valid_oom(v) : MELD_OK;
}
