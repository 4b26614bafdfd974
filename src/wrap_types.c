/*
 * wrap_types: the wrapper's types (Explainer.md "Type Definitions",
 * "Import and Export Definitions"; Binary.md "Type Definitions").
 *
 * Two ways a type reaches the wrapper:
 *   - copied: a type definition of the original root (and, first, every
 *     root type it refers to; instance types keep their declarators, only
 *     outer aliases that reach the root are renumbered).  The root's
 *     imports are copied this way, so they keep their exact shape;
 *   - encoded anew from a resolved item (comp_scope.h) in a "view": the
 *     wrapper's root, or one of the two halves of an export's shim
 *     component.  A reference resolves to the view's name for it when it
 *     has one (a type export of the interface, a copied root type, an
 *     alias of an imported instance's type), else to a structural copy.
 *
 * An exported instance gets wit-component's shape: a component that
 * imports every type ("import-type-*") and function ("import-func-*") of
 * the interface, then exports each type (defined again, so the exported
 * functions' types name the exported types) and each function with its
 * type ascribed.  Both printers of WIT (meld's and wit-component's) read
 * type names and `use`s from exactly this shape.
 */
#include <stdio.h>
#include <string.h>

#include "wrap_impl.h"

/* ---- set up ----------------------------------------------------------- */

enum meld_status
wtypes_init(struct wrap *w)
{
	comp_scope_ctx_init(&w->sctx, w->a);
	w->scope = comp_scope_new_component(&w->sctx, NULL, w->root);
	if (!w->scope)
		return wrap_oom(w);
	comp_scope_fill(w->scope);
	if (w->sctx.oom)
		return wrap_oom(w);
	for (int s = 0; s < COMP_SPACE_COUNT; s++) {
		size_t n = w->root->space[s].len;
		w->rmap[s] = arena_alloc_array(w->a, n ? n : 1, sizeof(uint32_t));
		if (!w->rmap[s])
			return wrap_oom(w);
		memset(w->rmap[s], 0xff, (n ? n : 1) * sizeof(uint32_t));
	}
	const struct comp_scope *sc = w->scope;
	for (size_t i = 0; i < sc->space[COMP_SPACE_TYPE].len; i++)
		if (!wmap_put(w->a, &w->root_types,
			      sc->space[COMP_SPACE_TYPE].items[i], (uint32_t)i))
			return wrap_oom(w);
	return MELD_OK;
}

static bool
is_resource(const struct comp_item *it)
{
	return it && (it->kind == COMP_ITEM_RESOURCE ||
		      (it->kind == COMP_ITEM_TYPE && it->def &&
		       it->def->kind == COMP_TYPE_RESOURCE));
}

static enum meld_status
remember(struct wrap *w, const struct comp_item *it, uint32_t idx)
{
	if (it && !wmap_put(w->a, &w->root_memo, comp_item_canon((struct comp_item *)it), idx))
		return wrap_oom(w);
	return MELD_OK;
}

/* ---- the value types a definition refers to --------------------------- */

/*
 * Every valtype slot of a defined value type or function type, in
 * encoding order; own/borrow give their resource as a type index.  The
 * writers below consume the resolved indices in the same order.
 */
struct wslots {
	struct comp_valtype *out; /* NULL: only count */
	uint32_t n, cap;
};

static void
slot(struct wslots *s, struct comp_valtype v)
{
	if (s->out && s->n < s->cap)
		s->out[s->n] = v;
	s->n++;
}

static void
defval_slots(const struct comp_defval *dv, struct wslots *s)
{
	struct comp_valtype res = {COMP_PRIM_NONE, dv->resource_typeidx};
	switch (dv->kind) {
	case COMP_DEFVAL_RECORD:
		for (uint32_t i = 0; i < dv->record.nfields; i++)
			slot(s, dv->record.fields[i].type);
		return;
	case COMP_DEFVAL_VARIANT:
		for (uint32_t i = 0; i < dv->variant.ncases; i++)
			if (dv->variant.cases[i].has_type)
				slot(s, dv->variant.cases[i].type);
		return;
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST: slot(s, dv->list.elem); return;
	case COMP_DEFVAL_TUPLE:
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++)
			slot(s, dv->tuple.types[i]);
		return;
	case COMP_DEFVAL_OPTION: slot(s, dv->option); return;
	case COMP_DEFVAL_RESULT:
		if (dv->result.has_ok)
			slot(s, dv->result.ok);
		if (dv->result.has_err)
			slot(s, dv->result.err);
		return;
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW: slot(s, res); return;
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		if (dv->async_elem.has_elem)
			slot(s, dv->async_elem.elem);
		return;
	case COMP_DEFVAL_MAP:
		slot(s, dv->map.key);
		slot(s, dv->map.value);
		return;
	default: return;
	}
}

static uint32_t
type_slots(const struct comp_type *t, struct comp_valtype *out, uint32_t cap)
{
	struct wslots s = {out, 0, cap};
	if (t->kind != COMP_TYPE_FUNC) {
		defval_slots(&t->defval, &s);
		return s.n;
	}
	for (uint32_t i = 0; i < t->func.nparams; i++)
		slot(&s, t->func.params[i].type);
	if (t->func.has_result)
		slot(&s, t->func.result);
	return s.n;
}

/* Resolved slots: kids[i] is the new index of slot i (prims ignored);
 * NULL keeps every index as it is. */
struct wkids {
	const uint32_t *idx;
	uint32_t next;
};

static void
put_vt(struct bin_writer *b, struct comp_valtype vt, struct wkids *k)
{
	uint32_t i = k->next++;
	if (vt.prim != COMP_PRIM_NONE)
		bin_write_u8(b, (uint8_t)vt.prim);
	else
		wenc_valtype_idx(b, k->idx ? k->idx[i] : vt.typeidx);
}

static void
put_opt_vt(struct bin_writer *b, bool has, struct comp_valtype vt,
	   struct wkids *k)
{
	bin_write_u8(b, has ? 0x01 : 0x00);
	if (has)
		put_vt(b, vt, k);
}

static void
put_label(struct bin_writer *b, struct bin_name n)
{
	bin_write_name(b, n.p, n.len);
}

static void
write_labels(struct bin_writer *b, const struct comp_defval *dv)
{
	bin_write_u32(b, dv->labels.nlabels);
	for (uint32_t i = 0; i < dv->labels.nlabels; i++)
		put_label(b, dv->labels.labels[i]);
}

static void
write_variant(struct bin_writer *b, const struct comp_defval *dv,
	      struct wkids *k)
{
	bin_write_u32(b, dv->variant.ncases);
	for (uint32_t i = 0; i < dv->variant.ncases; i++) {
		const struct comp_case *c = &dv->variant.cases[i];
		put_label(b, c->label);
		put_opt_vt(b, c->has_type, c->type, k);
		bin_write_u8(b, 0x00);
	}
}

static void
write_defval(struct bin_writer *b, const struct comp_defval *dv,
	     struct wkids *k)
{
	if (dv->kind == COMP_DEFVAL_PRIM) {
		bin_write_u8(b, (uint8_t)dv->prim);
		return;
	}
	bin_write_u8(b, (uint8_t)dv->kind);
	switch (dv->kind) {
	case COMP_DEFVAL_RECORD:
		bin_write_u32(b, dv->record.nfields);
		for (uint32_t i = 0; i < dv->record.nfields; i++) {
			put_label(b, dv->record.fields[i].label);
			put_vt(b, dv->record.fields[i].type, k);
		}
		return;
	case COMP_DEFVAL_VARIANT: write_variant(b, dv, k); return;
	case COMP_DEFVAL_LIST: put_vt(b, dv->list.elem, k); return;
	case COMP_DEFVAL_FIXED_LIST:
		put_vt(b, dv->list.elem, k);
		bin_write_u32(b, dv->list.len);
		return;
	case COMP_DEFVAL_TUPLE:
		bin_write_u32(b, dv->tuple.ntypes);
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++)
			put_vt(b, dv->tuple.types[i], k);
		return;
	case COMP_DEFVAL_FLAGS:
	case COMP_DEFVAL_ENUM: write_labels(b, dv); return;
	case COMP_DEFVAL_OPTION: put_vt(b, dv->option, k); return;
	case COMP_DEFVAL_RESULT:
		put_opt_vt(b, dv->result.has_ok, dv->result.ok, k);
		put_opt_vt(b, dv->result.has_err, dv->result.err, k);
		return;
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW: {
		uint32_t i = k->next++;
		bin_write_u32(b, k->idx ? k->idx[i] : dv->resource_typeidx);
		return;
	}
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		put_opt_vt(b, dv->async_elem.has_elem, dv->async_elem.elem, k);
		return;
	case COMP_DEFVAL_MAP:
		put_vt(b, dv->map.key, k);
		put_vt(b, dv->map.value, k);
		return;
	default: return;
	}
}

static void
write_functype(struct bin_writer *b, const struct comp_functype *ft,
	       struct wkids *k)
{
	bin_write_u8(b, ft->async ? 0x43 : 0x40);
	bin_write_u32(b, ft->nparams);
	for (uint32_t i = 0; i < ft->nparams; i++) {
		put_label(b, ft->params[i].label);
		put_vt(b, ft->params[i].type, k);
	}
	if (ft->has_result) {
		bin_write_u8(b, 0x00);
		put_vt(b, ft->result, k);
	} else {
		bin_write_u8(b, 0x01);
		bin_write_u8(b, 0x00);
	}
}

/* A value or function type with its slots resolved. */
static void
write_simple(struct bin_writer *b, const struct comp_type *t, struct wkids *k)
{
	if (t->kind == COMP_TYPE_FUNC)
		write_functype(b, &t->func, k);
	else
		write_defval(b, &t->defval, k);
}

/*
 * A value or function type, defined once per component: one written
 * with the same bytes before (same structure, same referenced indices)
 * is the same type.
 */
static enum meld_status
write_shared(struct wrap *w, struct wcomp *c, const struct comp_type *t,
	     const uint32_t *kids, uint32_t *out)
{
	struct bin_writer b;
	struct wkids k = {kids, 0};
	bin_writer_init(&b);
	write_simple(&b, t, &k);
	enum meld_status st = b.err;
	if (st == MELD_OK)
		st = wcomp_type(c, w->a, b.buf, b.len, out);
	bin_writer_clear(&b);
	return st == MELD_OK ? MELD_OK : wrap_oom(w);
}

/* ---- copying the root's definitions ----------------------------------- */

static void
write_externtype(struct bin_writer *b, const struct comp_externtype *e,
		 uint32_t idx)
{
	bin_write_u8(b, (uint8_t)e->kind);
	switch (e->kind) {
	case COMP_EXTERN_MODULE:
		bin_write_u8(b, COMP_CORE_SORT_MODULE);
		bin_write_u32(b, idx);
		return;
	case COMP_EXTERN_TYPE:
		bin_write_u8(b, (uint8_t)e->bound);
		if (e->bound == COMP_BOUND_EQ)
			bin_write_u32(b, idx);
		return;
	default:
		bin_write_u32(b, idx);
		return;
	}
}

static enum meld_status copy_decls_deps(struct wrap *w,
					const struct comp_decltype *dt,
					uint32_t depth);

/* The root types a type declared `depth` scopes inside the root needs. */
static enum meld_status
copy_deps(struct wrap *w, const struct comp_type *t, uint32_t depth)
{
	if (t->kind == COMP_TYPE_INSTANCE || t->kind == COMP_TYPE_COMPONENT)
		return copy_decls_deps(w, &t->decl, depth + 1);
	if (t->kind == COMP_TYPE_RESOURCE)
		return wrap_unsupported(w, "a resource type declared inside "
					   "an imported type");
	return MELD_OK;
}

static enum meld_status
copy_decls_deps(struct wrap *w, const struct comp_decltype *dt,
		uint32_t depth)
{
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; st == MELD_OK && i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		uint32_t ignored;
		if (d->kind == COMP_DECL_CORE_TYPE)
			return wrap_unsupported(w, "core types inside an "
						   "imported type");
		if (d->kind == COMP_DECL_TYPE)
			st = copy_deps(w, d->type, depth);
		else if (d->kind == COMP_DECL_ALIAS &&
			 d->alias.kind == COMP_ALIAS_OUTER &&
			 d->alias.outer_count == depth) {
			if (d->alias.space != COMP_SPACE_TYPE)
				return wrap_unsupported(
					w, "an outer alias of a %s in an "
					   "imported type",
					comp_space_name(d->alias.space));
			st = wtypes_root(w, d->alias.outer_idx, &ignored);
		}
	}
	return st;
}

static void write_decltype(struct wrap *w, struct bin_writer *b,
			   const struct comp_type *t, uint32_t depth);

static void
write_alias_decl(struct wrap *w, struct bin_writer *b,
		 const struct comp_alias *al, uint32_t depth)
{
	wenc_sort(b, al->space);
	bin_write_u8(b, (uint8_t)al->kind);
	if (al->kind == COMP_ALIAS_OUTER) {
		bin_write_u32(b, al->outer_count);
		bin_write_u32(b, al->outer_count == depth
					 ? w->rmap[COMP_SPACE_TYPE][al->outer_idx]
					 : al->outer_idx);
		return;
	}
	bin_write_u32(b, al->instanceidx);
	bin_write_name(b, al->name.p, al->name.len);
}

/* A type declared inside an instance or component type: local indices
 * stay, outer aliases reaching the root are renumbered. */
static void
write_local_type(struct wrap *w, struct bin_writer *b,
		 const struct comp_type *t, uint32_t depth)
{
	struct wkids same = {NULL, 0};
	if (t->kind == COMP_TYPE_INSTANCE || t->kind == COMP_TYPE_COMPONENT)
		write_decltype(w, b, t, depth + 1);
	else
		write_simple(b, t, &same);
}

static void
write_decltype(struct wrap *w, struct bin_writer *b, const struct comp_type *t,
	       uint32_t depth)
{
	const struct comp_decltype *dt = &t->decl;
	bin_write_u8(b, (uint8_t)t->kind);
	bin_write_u32(b, dt->ndecls);
	for (uint32_t i = 0; i < dt->ndecls; i++) {
		const struct comp_decl *d = &dt->decls[i];
		bin_write_u8(b, (uint8_t)d->kind);
		switch (d->kind) {
		case COMP_DECL_TYPE: write_local_type(w, b, d->type, depth); break;
		case COMP_DECL_ALIAS: write_alias_decl(w, b, &d->alias, depth); break;
		case COMP_DECL_IMPORT:
		case COMP_DECL_EXPORT:
			wenc_extern_name(b, &d->name);
			write_externtype(b, &d->ext, d->ext.idx);
			break;
		default: break;
		}
	}
}

static enum meld_status
copy_root_def(struct wrap *w, const struct comp_type *t, uint32_t *out)
{
	if (t->kind == COMP_TYPE_INSTANCE || t->kind == COMP_TYPE_COMPONENT) {
		enum meld_status st = copy_deps(w, t, 0);
		if (st != MELD_OK)
			return st;
		write_decltype(w, wcomp_item(&w->c, WSEC_TYPE), t, 1);
		*out = wcomp_new(&w->c, COMP_SPACE_TYPE);
		return MELD_OK;
	}
	uint32_t n = type_slots(t, NULL, 0);
	struct comp_valtype *vt = arena_alloc_array(w->a, n + 1, sizeof *vt);
	uint32_t *idx = arena_alloc_array(w->a, n + 1, sizeof *idx);
	if (!vt || !idx)
		return wrap_oom(w);
	type_slots(t, vt, n);
	for (uint32_t i = 0; i < n; i++) {
		if (vt[i].prim != COMP_PRIM_NONE)
			continue;
		enum meld_status st = wtypes_root(w, vt[i].typeidx, &idx[i]);
		if (st != MELD_OK)
			return st;
	}
	return write_shared(w, &w->c, t, idx, out);
}

static struct wres *
find_res(struct wrap *w, const struct comp_item *canon)
{
	for (size_t i = 0; i < w->nres; i++)
		if (w->res[i].canon == canon)
			return &w->res[i];
	return NULL;
}

/* The wrapper's name for a resource it defines: once a root export names
 * it, the alias from that export. */
static uint32_t
res_index(const struct wres *r)
{
	return r->named != WRAP_NONE ? r->named : r->typeidx;
}

static enum meld_status
copy_root_type(struct wrap *w, uint32_t idx, uint32_t *out)
{
	const struct comp_space_entry *e =
		comp_space_get(w->root, COMP_SPACE_TYPE, idx);
	struct comp_item *it = comp_scope_get(w->scope, COMP_SPACE_TYPE, idx);
	if (e->origin == COMP_DEF_TYPE) {
		const struct comp_type *t = &w->root->types[e->item];
		if (t->kind != COMP_TYPE_RESOURCE)
			return copy_root_def(w, t, out);
		const struct wres *r = find_res(w, comp_item_canon(it));
		if (!r)
			return wrap_unsupported(w, "resource type %u of the "
						   "root is not exported",
						idx);
		*out = res_index(r);
		return MELD_OK;
	}
	if (e->origin == COMP_DEF_ALIAS) {
		const struct comp_alias *al = &w->root->aliases[e->item];
		uint32_t inst = al->kind == COMP_ALIAS_INSTANCE_EXPORT
					? w->rmap[COMP_SPACE_INSTANCE][al->instanceidx]
					: WRAP_NONE;
		char *name = wrap_str(w, al->name);
		if (!name)
			return wrap_oom(w);
		if (inst == WRAP_NONE)
			return wrap_unsupported(w, "type %u of the root is an "
						   "alias the wrapper cannot "
						   "make",
						idx);
		*out = wenc_alias_export(&w->c, inst, name, COMP_SPACE_TYPE);
		return MELD_OK;
	}
	return wrap_unsupported(w, "type %u of the root (a %s) is used before "
				   "the wrapper defines it",
				idx, comp_def_kind_name(e->origin));
}

enum meld_status
wtypes_root(struct wrap *w, uint32_t idx, uint32_t *out)
{
	if (idx >= w->root->space[COMP_SPACE_TYPE].len)
		return wrap_unsupported(w, "type index %u out of range", idx);
	if (w->rmap[COMP_SPACE_TYPE][idx] != WRAP_NONE) {
		*out = w->rmap[COMP_SPACE_TYPE][idx];
		return MELD_OK;
	}
	enum meld_status st = copy_root_type(w, idx, out);
	const struct comp_space_entry *e =
		comp_space_get(w->root, COMP_SPACE_TYPE, idx);
	if (st != MELD_OK || (e->origin == COMP_DEF_TYPE &&
			      w->root->types[e->item].kind == COMP_TYPE_RESOURCE))
		return st; /* its name changes when an export names it */
	w->rmap[COMP_SPACE_TYPE][idx] = *out;
	return remember(w, comp_scope_get(w->scope, COMP_SPACE_TYPE, idx),
			*out);
}

enum meld_status
wtypes_import(struct wrap *w, const struct comp_import *im)
{
	uint32_t t = 0;
	enum meld_status st = MELD_OK;
	switch (im->ext.kind) {
	case COMP_EXTERN_FUNC:
	case COMP_EXTERN_INSTANCE:
	case COMP_EXTERN_COMPONENT:
		st = wtypes_root(w, im->ext.idx, &t);
		break;
	case COMP_EXTERN_TYPE:
		if (im->ext.bound == COMP_BOUND_EQ)
			st = wtypes_root(w, im->ext.idx, &t);
		break;
	default:
		return wrap_unsupported(w, "root import \"%.*s\" is a %s",
					(int)im->name.name.len,
					(const char *)im->name.name.p,
					comp_space_name(im->space));
	}
	if (st != MELD_OK)
		return st;
	struct bin_writer *b = wcomp_item(&w->c, WSEC_IMPORT);
	wenc_extern_name(b, &im->name);
	write_externtype(b, &im->ext, t);
	uint32_t idx = wcomp_new(&w->c, im->space);
	w->rmap[im->space][im->idx] = idx;
	if (im->space != COMP_SPACE_TYPE)
		return MELD_OK;
	return remember(w, comp_scope_get(w->scope, COMP_SPACE_TYPE, im->idx),
			idx);
}

/* ---- root imports by name --------------------------------------------- */

static const struct comp_import *
root_import(struct wrap *w, const char *name, enum comp_space s)
{
	for (size_t i = 0; i < w->root->nimports; i++) {
		const struct comp_import *im = &w->root->imports[i];
		if (im->space == s && bin_name_eq(im->name.name, name))
			return im;
	}
	return NULL;
}

/* The root instance import whose type scope declared `it`. */
static const struct comp_import *
import_declaring(struct wrap *w, const struct comp_item *it)
{
	for (size_t i = 0; i < w->root->nimports; i++) {
		const struct comp_import *im = &w->root->imports[i];
		if (im->space != COMP_SPACE_INSTANCE)
			continue;
		struct comp_item *inst =
			comp_scope_get(w->scope, COMP_SPACE_INSTANCE, im->idx);
		if (inst && comp_item_instance_scope(inst) == it->scope)
			return im;
	}
	return NULL;
}

static enum meld_status
alias_type_of(struct wrap *w, const struct comp_import *im,
	      struct bin_name name, uint32_t *out)
{
	char *iname = wrap_str(w, im->name.name), *tname = wrap_str(w, name);
	if (!iname || !tname)
		return wrap_oom(w);
	for (size_t i = 0; i < w->nnames; i++) {
		const struct wname *n = &w->names[i];
		if (n->kind == COMP_SPACE_TYPE && strcmp(n->a, iname) == 0 &&
		    strcmp(n->b, tname) == 0) {
			*out = n->idx;
			return MELD_OK;
		}
	}
	uint32_t inst = w->rmap[COMP_SPACE_INSTANCE][im->idx];
	struct wname *n = arena_push(w->a, (void **)&w->names, &w->nnames,
				     &w->names_cap, sizeof *n);
	if (!n)
		return wrap_oom(w);
	*n = (struct wname){iname, tname, COMP_SPACE_TYPE, 0};
	n->idx = wenc_alias_export(&w->c, inst, tname, COMP_SPACE_TYPE);
	*out = n->idx;
	return MELD_OK;
}

enum meld_status
wtypes_host_resource(struct wrap *w, const struct inst_res *r, uint32_t *out)
{
	const struct comp_import *im;
	if (strcmp(r->module, "$root") == 0) {
		im = root_import(w, r->name, COMP_SPACE_TYPE);
		if (!im)
			return wrap_unsupported(w, "no root type import \"%s\"",
						r->name);
		*out = w->rmap[COMP_SPACE_TYPE][im->idx];
		return MELD_OK;
	}
	im = root_import(w, r->module, COMP_SPACE_INSTANCE);
	if (!im)
		return wrap_unsupported(w, "no root instance import \"%s\"",
					r->module);
	struct bin_name n = {(const uint8_t *)r->name,
			     (uint32_t)strlen(r->name)};
	return alias_type_of(w, im, n, out);
}

/* ---- views: encoding resolved types ------------------------------------ */

/*
 * What a shim imports beyond the interface's own types ("extra-*"): the
 * types its types refer to that must have a name (records, variants,
 * enums, flags, resources) but that the interface does not export, such
 * as the record inside a type it uses from another interface.
 */
struct wextra {
	struct wmap map;  /* canonical item → the shim's index */
	uint32_t *root;   /* per extra import: the root's type, its argument */
	size_t n, cap;
};

struct wview {
	struct wcomp *c;
	bool root;
	const struct comp_export_ref *ex; /* shim: the interface's exports */
	uint32_t nex;
	uint32_t *at;                     /* per export: its index, if made */
	struct wmap *memo;                /* canonical item → index */
	struct wextra *extra;             /* shim: extra imports */
	struct wview *imp;                /* shim: the view imports are in */
};

static enum meld_status view_item(struct wrap *w, struct wview *v,
				  struct comp_item *it, uint32_t *out);
static char *shim_name(struct wrap *w, const char *kind, uint32_t k);

/* A structural copy of a value or function type in the view. */
static enum meld_status
view_define(struct wrap *w, struct wview *v, struct comp_item *canon,
	    uint32_t *out)
{
	const struct comp_type *t = canon->def;
	if (!t || (t->kind != COMP_TYPE_DEFVAL && t->kind != COMP_TYPE_FUNC))
		return wrap_unsupported(w, "an exported type that is not a "
					   "value or function type");
	uint32_t n = type_slots(t, NULL, 0);
	struct comp_valtype *vt = arena_alloc_array(w->a, n + 1, sizeof *vt);
	uint32_t *idx = arena_alloc_array(w->a, n + 1, sizeof *idx);
	if (!vt || !idx)
		return wrap_oom(w);
	type_slots(t, vt, n);
	for (uint32_t i = 0; i < n; i++) {
		if (vt[i].prim != COMP_PRIM_NONE)
			continue;
		struct comp_item *kid = comp_scope_get(
			canon->scope, COMP_SPACE_TYPE, vt[i].typeidx);
		enum meld_status st = view_item(w, v, kid, &idx[i]);
		if (st != MELD_OK)
			return st;
	}
	return write_shared(w, v->c, t, idx, out);
}

/* The view's own name for `it`: an export of the interface. */
static bool
view_named(const struct wview *v, struct comp_item *it, uint32_t *out)
{
	for (uint32_t k = 0; k < v->nex; k++)
		if (v->ex[k].item == it && v->at[k] != WRAP_NONE) {
			*out = v->at[k];
			return true;
		}
	struct comp_item *canon = comp_item_canon(it);
	for (uint32_t k = 0; k < v->nex; k++)
		if (v->ex[k].space == COMP_SPACE_TYPE &&
		    comp_item_canon(v->ex[k].item) == canon &&
		    v->at[k] != WRAP_NONE) {
			*out = v->at[k];
			return true;
		}
	return false;
}

/* The root's name for `it`: a copied root type, or a type of an import. */
static enum meld_status
root_named(struct wrap *w, struct comp_item *it, bool *found, uint32_t *out)
{
	*found = true;
	for (struct comp_item *x = it; x; x = x->target) {
		uint32_t idx;
		if (wmap_get(&w->root_types, x, &idx))
			return wtypes_root(w, idx, out);
	}
	struct comp_item *canon = comp_item_canon(it);
	const struct wres *r = find_res(w, canon);
	if (r) {
		*out = res_index(r);
		return MELD_OK;
	}
	if (wmap_get(&w->root_memo, canon, out))
		return MELD_OK;
	const struct comp_import *im =
		canon->name.p ? import_declaring(w, canon) : NULL;
	if (im) {
		enum meld_status st = alias_type_of(w, im, canon->name, out);
		return st == MELD_OK ? remember(w, canon, *out) : st;
	}
	*found = false;
	return MELD_OK;
}

/* A type that validation wants named where a function uses it. */
static bool
needs_name(const struct comp_item *canon)
{
	if (is_resource(canon))
		return true;
	if (!canon->def || canon->def->kind != COMP_TYPE_DEFVAL)
		return false;
	switch (canon->def->defval.kind) {
	case COMP_DEFVAL_RECORD:
	case COMP_DEFVAL_VARIANT:
	case COMP_DEFVAL_ENUM:
	case COMP_DEFVAL_FLAGS: return true;
	default: return false;
	}
}

static enum meld_status
extra_import(struct wrap *w, struct wview *v, struct comp_item *it,
	     uint32_t *out)
{
	struct comp_item *canon = comp_item_canon(it);
	struct wextra *x = v->extra;
	if (wmap_get(&x->map, canon, out))
		return MELD_OK;
	uint32_t root, def = 0;
	enum meld_status st = wtypes_item(w, it, &root);
	bool res = is_resource(canon);
	if (st == MELD_OK && !res)
		st = view_define(w, v->imp, canon, &def);
	char *name = shim_name(w, "extra", (uint32_t)x->n);
	uint32_t *slot = arena_push(w->a, (void **)&x->root, &x->n, &x->cap,
				    sizeof *slot);
	if (st != MELD_OK)
		return st;
	if (!name || !slot)
		return wrap_oom(w);
	*slot = root;
	struct bin_writer *b = wcomp_item(v->c, WSEC_IMPORT);
	bin_write_u8(b, 0x00);
	wenc_name(b, name);
	bin_write_u8(b, COMP_EXTERN_TYPE);
	bin_write_u8(b, res ? COMP_BOUND_SUB_RESOURCE : COMP_BOUND_EQ);
	if (!res)
		bin_write_u32(b, def);
	*out = wcomp_new(v->c, COMP_SPACE_TYPE);
	return wmap_put(w->a, &x->map, canon, *out) ? MELD_OK : wrap_oom(w);
}

static enum meld_status
view_item(struct wrap *w, struct wview *v, struct comp_item *it,
	  uint32_t *out)
{
	if (!it || (it->kind != COMP_ITEM_TYPE && it->kind != COMP_ITEM_RESOURCE))
		return wrap_unsupported(w, "a type the wrapper cannot resolve");
	if (!v->root && view_named(v, it, out))
		return MELD_OK;
	if (!v->root && needs_name(comp_item_canon(it)))
		return extra_import(w, v, it, out);
	if (v->root) {
		bool found;
		enum meld_status st = root_named(w, it, &found, out);
		if (st != MELD_OK || found)
			return st;
	}
	struct comp_item *canon = comp_item_canon(it);
	if (wmap_get(v->memo, canon, out))
		return MELD_OK;
	if (is_resource(canon))
		return wrap_unsupported(w, "resource \"%.*s\" is used by an "
					   "export that does not name it",
					(int)canon->name.len,
					(const char *)canon->name.p);
	enum meld_status st = view_define(w, v, canon, out);
	if (st == MELD_OK && !wmap_put(w->a, v->memo, canon, *out))
		return wrap_oom(w);
	return st;
}

static void
root_view(struct wrap *w, struct wview *v)
{
	memset(v, 0, sizeof *v);
	v->c = &w->c;
	v->root = true;
	v->memo = &w->root_memo;
}

/* The wrapper index of an item, in the root view. */
enum meld_status
wtypes_item(struct wrap *w, const struct comp_item *it, uint32_t *out)
{
	struct wview v;
	root_view(w, &v);
	return view_item(w, &v, (struct comp_item *)it, out);
}

/* ---- resources the root exports ---------------------------------------- */

static const struct inst_res *
graph_resource(struct wrap *w, const char *module, const char *name)
{
	for (size_t i = 0; i < w->g->nresources; i++) {
		const struct inst_res *r = w->g->resources[i];
		if (!r->host && r->module && r->name &&
		    strcmp(r->module, module) == 0 && strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

static enum meld_status
add_resource(struct wrap *w, const char *prefix, struct bin_name name,
	     struct comp_item *it)
{
	struct comp_item *canon = comp_item_canon(it);
	if (!is_resource(canon) || canon->kind != COMP_ITEM_TYPE ||
	    find_res(w, canon))
		return MELD_OK;
	char *leaf = wrap_str(w, name);
	char *module = wrap_cat(w, "[export]", prefix);
	if (!leaf || !module)
		return wrap_oom(w);
	const struct inst_res *r = graph_resource(w, module, leaf);
	if (!r)
		return wrap_unsupported(w, "exported resource \"%s\" of \"%s\" "
					   "has no definition in the fusion",
					leaf, prefix);
	struct wres *x = arena_push(w->a, (void **)&w->res, &w->nres,
				    &w->res_cap, sizeof *x);
	if (!x)
		return wrap_oom(w);
	x->canon = canon;
	x->res = r;
	x->typeidx = WRAP_NONE;
	x->named = WRAP_NONE;
	x->slot = WRAP_NONE;
	return MELD_OK;
}

enum meld_status
wtypes_find_resources(struct wrap *w)
{
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < w->root->nexports; i++) {
		const struct comp_export *ex = &w->root->exports[i];
		struct comp_item *it =
			comp_scope_get(w->scope, ex->ref.space, ex->idx);
		if (ex->ref.space == COMP_SPACE_TYPE) {
			st = add_resource(w, "$root", ex->name.name, it);
			continue;
		}
		if (ex->ref.space != COMP_SPACE_INSTANCE)
			continue;
		char *iface = wrap_str(w, ex->name.name);
		struct comp_export_ref *refs;
		uint32_t n = comp_item_exports(it, &refs);
		if (!iface)
			return wrap_oom(w);
		for (uint32_t k = 0; st == MELD_OK && k < n; k++)
			if (refs[k].space == COMP_SPACE_TYPE)
				st = add_resource(w, iface, refs[k].name,
						  refs[k].item);
	}
	return st;
}

/* ---- exports ------------------------------------------------------------ */

/* Where the core function behind a root export comes from. */
static const struct inst_export *
graph_export(struct wrap *w, const char *name)
{
	for (size_t i = 0; i < w->g->nexports; i++)
		if (strcmp(w->g->exports[i].name, name) == 0)
			return &w->g->exports[i];
	return NULL;
}

static const struct plan_abi *
export_abi(struct wrap *w, const char *name)
{
	for (size_t i = 0; i < w->p->nabi; i++)
		if (w->p->abi[i].is_export && strcmp(w->p->abi[i].name, name) == 0)
			return &w->p->abi[i];
	return NULL;
}

static enum meld_status
main_opt(struct wrap *w, uint8_t sort, const char *name, uint32_t *out)
{
	*out = WRAP_NONE;
	return name ? wrap_main_export(w, sort, name, out) : MELD_OK;
}

/* The component function for the root export whose core name is `name`,
 * of type `fn->type` (a function item of the original). */
static enum meld_status
export_func(struct wrap *w, const char *name, struct comp_item *fn,
	    uint32_t *out)
{
	const struct inst_export *ge = graph_export(w, name);
	if (!ge)
		return wrap_unsupported(w, "export \"%s\" is not in the fused "
					   "module",
					name);
	if (ge->func->kind == INST_FUNC_HOST) /* an import, re-exported */
		return wrap_host_func(w, ge->func, out);
	const struct plan_abi *ab = export_abi(w, name);
	struct wopts o = {COMP_STRING_UTF8, WRAP_NONE, WRAP_NONE, WRAP_NONE};
	uint32_t core, typeidx;
	enum meld_status st = wrap_main_export(w, COMP_CORE_SORT_FUNC, name, &core);
	if (st == MELD_OK && ab) {
		o.encoding = ab->encoding;
		st = main_opt(w, COMP_CORE_SORT_MEMORY, ab->memory, &o.memory);
		if (st == MELD_OK)
			st = main_opt(w, COMP_CORE_SORT_FUNC, ab->realloc,
				      &o.realloc);
		if (st == MELD_OK)
			st = main_opt(w, COMP_CORE_SORT_FUNC, ab->post_return,
				      &o.post_return);
	}
	if (st == MELD_OK && (!fn || fn->kind != COMP_ITEM_FUNC || !fn->type))
		st = wrap_unsupported(w, "export \"%s\" has no function type",
				      name);
	if (st == MELD_OK)
		st = wtypes_item(w, fn->type, &typeidx);
	if (st == MELD_OK)
		*out = wenc_lift(&w->c, core, typeidx, &o);
	return st;
}

/* wit-component's order of type origins (wit.c type_origin). */
enum worigin { WO_DEFINE, WO_USE, WO_ALIAS };

static enum worigin
origin(const struct comp_export_ref *ex, uint32_t n, uint32_t k,
       const struct comp_item *self, uint32_t *of)
{
	for (struct comp_item *it = ex[k].item->target; it; it = it->target) {
		if (it->via && it->via != self && it->via->name.p)
			return WO_USE;
		for (uint32_t j = 0; j < n; j++)
			if (j != k && ex[j].item == it) {
				*of = j;
				return WO_ALIAS;
			}
	}
	return WO_DEFINE;
}

/* Names inside a shim: kebab-case words, so letters only. */
static char *
shim_name(struct wrap *w, const char *kind, uint32_t k)
{
	char buf[40];
	int n = snprintf(buf, sizeof buf, "%s-", kind);
	char tmp[16];
	int m = 0;
	do {
		tmp[m++] = (char)('a' + k % 26);
		k /= 26;
	} while (k && m < 15);
	while (m > 0 && n < (int)sizeof buf - 1)
		buf[n++] = tmp[--m];
	buf[n] = 0;
	return wrap_cat(w, buf, "");
}

/* An exported instance being wrapped. */
struct wshim {
	const char *iface;
	struct comp_item *self;
	struct comp_export_ref *ex;
	uint32_t n;
	uint32_t *arg;   /* per export: the root's function or type */
	struct wcomp c;
	struct bin_writer bytes;
	struct wview imp, exp;
	struct wmap imp_memo, exp_memo;
	struct wextra extra;
	uint32_t *imp_func; /* per export: the shim's imported function */
};

static enum meld_status
shim_args(struct wrap *w, struct wshim *s)
{
	enum meld_status st = MELD_OK;
	for (uint32_t k = 0; st == MELD_OK && k < s->n; k++) {
		const struct comp_export_ref *e = &s->ex[k];
		if (e->space == COMP_SPACE_TYPE) {
			st = wtypes_item(w, e->item, &s->arg[k]);
		} else if (e->space == COMP_SPACE_FUNC) {
			char *leaf = wrap_str(w, e->name);
			char *full = leaf ? wrap_cat(w, s->iface, "#") : NULL;
			full = full ? wrap_cat(w, full, leaf) : NULL;
			st = full ? export_func(w, full, e->item, &s->arg[k])
				  : wrap_oom(w);
		} else {
			st = wrap_unsupported(w, "export \"%s\" holds a %s, "
						 "not a function or type",
					      s->iface,
					      comp_space_name(e->space));
		}
	}
	return st;
}

static void
plain_name(struct bin_writer *b, const char *s)
{
	bin_write_u8(b, 0x00);
	wenc_name(b, s);
}

static void
bin_plain_name(struct bin_writer *b, struct bin_name n)
{
	bin_write_u8(b, 0x00);
	bin_write_name(b, n.p, n.len);
}

static enum meld_status
shim_import_type(struct wrap *w, struct wshim *s, uint32_t k)
{
	uint32_t of = 0, def = 0;
	enum worigin o = origin(s->ex, s->n, k, s->self, &of);
	struct comp_item *canon = comp_item_canon(s->ex[k].item);
	enum comp_bound bound = COMP_BOUND_EQ;
	enum meld_status st = MELD_OK;
	if (o == WO_ALIAS && s->imp.at[of] != WRAP_NONE)
		def = s->imp.at[of];
	else if (is_resource(canon))
		bound = COMP_BOUND_SUB_RESOURCE;
	else
		st = view_define(w, &s->imp, canon, &def);
	char *name = shim_name(w, "type", k);
	if (st != MELD_OK || !name)
		return st != MELD_OK ? st : wrap_oom(w);
	struct bin_writer *b = wcomp_item(&s->c, WSEC_IMPORT);
	plain_name(b, name);
	bin_write_u8(b, COMP_EXTERN_TYPE);
	bin_write_u8(b, (uint8_t)bound);
	if (bound == COMP_BOUND_EQ)
		bin_write_u32(b, def);
	s->imp.at[k] = wcomp_new(&s->c, COMP_SPACE_TYPE);
	return MELD_OK;
}

static enum meld_status
shim_import_func(struct wrap *w, struct wshim *s, uint32_t k)
{
	struct comp_item *fn = s->ex[k].item;
	uint32_t t;
	if (fn->kind != COMP_ITEM_FUNC || !fn->type)
		return wrap_unsupported(w, "a function of \"%s\" without a "
					   "type",
					s->iface);
	enum meld_status st = view_define(w, &s->imp, comp_item_canon(fn->type), &t);
	char *name = shim_name(w, "func", k);
	if (st != MELD_OK || !name)
		return st != MELD_OK ? st : wrap_oom(w);
	struct bin_writer *b = wcomp_item(&s->c, WSEC_IMPORT);
	plain_name(b, name);
	bin_write_u8(b, COMP_EXTERN_FUNC);
	bin_write_u32(b, t);
	s->imp_func[k] = wcomp_new(&s->c, COMP_SPACE_FUNC);
	return MELD_OK;
}

static enum meld_status
shim_export_type(struct wrap *w, struct wshim *s, uint32_t k)
{
	uint32_t of = 0, t;
	enum worigin o = origin(s->ex, s->n, k, s->self, &of);
	struct comp_item *canon = comp_item_canon(s->ex[k].item);
	enum meld_status st = MELD_OK;
	if (o == WO_ALIAS && s->exp.at[of] != WRAP_NONE)
		t = s->exp.at[of];
	else if (o == WO_USE || is_resource(canon))
		t = s->imp.at[k];
	else
		st = view_define(w, &s->exp, canon, &t);
	if (st != MELD_OK)
		return st;
	struct bin_writer *b = wcomp_item(&s->c, WSEC_EXPORT);
	bin_plain_name(b, s->ex[k].name);
	wenc_sort(b, COMP_SPACE_TYPE);
	bin_write_u32(b, t);
	bin_write_u8(b, 0x00); /* no ascription */
	s->exp.at[k] = wcomp_new(&s->c, COMP_SPACE_TYPE);
	return MELD_OK;
}

static enum meld_status
shim_export_func(struct wrap *w, struct wshim *s, uint32_t k)
{
	uint32_t t;
	struct comp_item *fn = s->ex[k].item;
	enum meld_status st = view_define(w, &s->exp, comp_item_canon(fn->type), &t);
	if (st != MELD_OK)
		return st;
	struct bin_writer *b = wcomp_item(&s->c, WSEC_EXPORT);
	bin_plain_name(b, s->ex[k].name);
	wenc_sort(b, COMP_SPACE_FUNC);
	bin_write_u32(b, s->imp_func[k]);
	bin_write_u8(b, 0x01);
	bin_write_u8(b, COMP_EXTERN_FUNC);
	bin_write_u32(b, t);
	s->exp.at[k] = wcomp_new(&s->c, COMP_SPACE_FUNC);
	return MELD_OK;
}

static enum meld_status
shim_body(struct wrap *w, struct wshim *s)
{
	enum meld_status st = MELD_OK;
	wcomp_preamble(&s->bytes);
	for (uint32_t k = 0; st == MELD_OK && k < s->n; k++)
		if (s->ex[k].space == COMP_SPACE_TYPE)
			st = shim_import_type(w, s, k);
	for (uint32_t k = 0; st == MELD_OK && k < s->n; k++)
		if (s->ex[k].space == COMP_SPACE_FUNC)
			st = shim_import_func(w, s, k);
	for (uint32_t k = 0; st == MELD_OK && k < s->n; k++)
		st = s->ex[k].space == COMP_SPACE_TYPE ? shim_export_type(w, s, k)
						       : shim_export_func(w, s, k);
	wcomp_flush(&s->c);
	if (st == MELD_OK && s->bytes.err != MELD_OK)
		st = wrap_oom(w);
	return st;
}

/* Instantiate the shim with the root's functions and types. */
static uint32_t
shim_instance(struct wrap *w, struct wshim *s, uint32_t compidx)
{
	struct bin_writer *b = wcomp_item(&w->c, WSEC_INSTANCE);
	bin_write_u8(b, COMP_INSTANCE_INSTANTIATE);
	bin_write_u32(b, compidx);
	bin_write_u32(b, s->n + (uint32_t)s->extra.n);
	for (uint32_t k = 0; k < s->n; k++) {
		bool ty = s->ex[k].space == COMP_SPACE_TYPE;
		char *name = shim_name(w, ty ? "type" : "func", k);
		wenc_name(b, name ? name : "");
		wenc_sort(b, ty ? COMP_SPACE_TYPE : COMP_SPACE_FUNC);
		bin_write_u32(b, s->arg[k]);
	}
	for (uint32_t k = 0; k < s->extra.n; k++) {
		char *name = shim_name(w, "extra", k);
		wenc_name(b, name ? name : "");
		wenc_sort(b, COMP_SPACE_TYPE);
		bin_write_u32(b, s->extra.root[k]);
	}
	return wcomp_new(&w->c, COMP_SPACE_INSTANCE);
}

static enum meld_status
shim_init(struct wrap *w, struct wshim *s, const char *iface,
	  struct comp_item *inst)
{
	memset(s, 0, sizeof *s);
	s->iface = iface;
	s->self = inst;
	s->n = comp_item_exports(inst, &s->ex);
	if (!s->ex)
		return wrap_oom(w);
	s->arg = arena_alloc_array(w->a, s->n + 1, sizeof *s->arg);
	s->imp.at = arena_alloc_array(w->a, s->n + 1, sizeof(uint32_t));
	s->exp.at = arena_alloc_array(w->a, s->n + 1, sizeof(uint32_t));
	s->imp_func = arena_alloc_array(w->a, s->n + 1, sizeof(uint32_t));
	if (!s->arg || !s->imp.at || !s->exp.at || !s->imp_func)
		return wrap_oom(w);
	for (uint32_t k = 0; k < s->n; k++)
		s->imp.at[k] = s->exp.at[k] = WRAP_NONE;
	bin_writer_init(&s->bytes);
	wcomp_init(&s->c, &s->bytes);
	s->imp.c = s->exp.c = &s->c;
	s->imp.memo = &s->imp_memo;
	s->exp.memo = &s->exp_memo;
	s->imp.extra = s->exp.extra = &s->extra;
	s->imp.imp = s->exp.imp = &s->imp;
	s->imp.ex = s->exp.ex = s->ex;
	s->imp.nex = s->exp.nex = s->n;
	return MELD_OK;
}

static enum meld_status
export_instance(struct wrap *w, const struct comp_export *ex,
		struct comp_item *inst, uint32_t *out)
{
	struct wshim s;
	char *iface = wrap_str(w, ex->name.name);
	if (!iface)
		return wrap_oom(w);
	enum meld_status st = shim_init(w, &s, iface, inst);
	if (st == MELD_OK)
		st = shim_args(w, &s);
	if (st == MELD_OK)
		st = shim_body(w, &s);
	if (st == MELD_OK) {
		wcomp_blob(&w->c, WSEC_COMPONENT, s.bytes.buf, s.bytes.len);
		uint32_t comp = wcomp_new(&w->c, COMP_SPACE_COMPONENT);
		*out = shim_instance(w, &s, comp);
	}
	wcomp_clear(&s.c);
	bin_writer_clear(&s.bytes);
	return st;
}

/* The resources an exported instance names: later uses take its alias. */
static enum meld_status
name_resources(struct wrap *w, struct comp_item *inst, uint32_t instidx)
{
	struct comp_export_ref *ex;
	uint32_t n = comp_item_exports(inst, &ex);
	for (uint32_t k = 0; k < n; k++) {
		struct wres *r = ex[k].space == COMP_SPACE_TYPE
					 ? find_res(w, comp_item_canon(ex[k].item))
					 : NULL;
		if (!r || r->named != WRAP_NONE)
			continue;
		char *name = wrap_str(w, ex[k].name);
		if (!name)
			return wrap_oom(w);
		r->named = wenc_alias_export(&w->c, instidx, name, COMP_SPACE_TYPE);
	}
	return MELD_OK;
}

static uint32_t
write_export(struct wrap *w, const struct comp_export *ex, uint32_t idx,
	     const uint32_t *ascribed)
{
	struct bin_writer *b = wcomp_item(&w->c, WSEC_EXPORT);
	wenc_extern_name(b, &ex->name);
	wenc_sort(b, ex->ref.space);
	bin_write_u32(b, idx);
	if (ascribed) {
		bin_write_u8(b, 0x01);
		write_externtype(b, &ex->ascription, *ascribed);
	} else {
		bin_write_u8(b, 0x00);
	}
	return wcomp_new(&w->c, ex->ref.space);
}

enum meld_status
wtypes_export(struct wrap *w, const struct comp_export *ex)
{
	enum comp_space sp = ex->ref.space;
	/* a type export names its target; others are their own item */
	struct comp_item *it = comp_scope_get(
		w->scope, sp, sp == COMP_SPACE_TYPE ? ex->ref.idx : ex->idx);
	uint32_t idx = 0, asc = 0;
	bool has_asc = ex->has_ascription && sp == COMP_SPACE_FUNC;
	enum meld_status st = MELD_OK;
	char *name = wrap_str(w, ex->name.name);
	if (!name)
		return wrap_oom(w);
	if (sp == COMP_SPACE_FUNC)
		st = export_func(w, name, it, &idx);
	else if (sp == COMP_SPACE_INSTANCE)
		st = export_instance(w, ex, it, &idx);
	else if (sp == COMP_SPACE_TYPE)
		st = wtypes_item(w, it, &idx);
	else
		st = wrap_unsupported(w, "root export \"%s\" is a %s", name,
				      comp_space_name(sp));
	if (st == MELD_OK && has_asc)
		st = wtypes_root(w, ex->ascription.idx, &asc);
	if (st != MELD_OK)
		return st;
	if (sp == COMP_SPACE_INSTANCE &&
	    w->rmap[sp][ex->ref.idx] == WRAP_NONE)
		w->rmap[sp][ex->ref.idx] = idx;
	w->rmap[sp][ex->idx] = write_export(w, ex, idx, has_asc ? &asc : NULL);
	return sp == COMP_SPACE_INSTANCE ? name_resources(w, it, w->rmap[sp][ex->idx])
					 : MELD_OK;
}
