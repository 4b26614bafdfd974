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
 * The shim components themselves are written by wrap_export.c.
 */
#include <stdio.h>
#include <string.h>

#include "wrap_impl.h"

/* ---- set up ----------------------------------------------------------- */

enum meld_status
wtypes_init(struct wrap *w)
{
	wmap_init(&w->root_types);
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

bool
wtypes_is_resource(const struct comp_item *it)
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

void
wtypes_externtype(struct bin_writer *b, const struct comp_externtype *e,
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
			wtypes_externtype(b, &d->ext, d->ext.idx);
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

struct wres *
wtypes_find_res(struct wrap *w, const struct comp_item *canon)
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

/* Type idx of the root is an alias of an export of an instance the
 * wrapper has too (an import, or an exported instance it made). */
static bool
root_alias(const struct wrap *w, uint32_t idx)
{
	const struct comp_space_entry *e =
		comp_space_get(w->root, COMP_SPACE_TYPE, idx);
	if (e->origin != COMP_DEF_ALIAS)
		return false;
	const struct comp_alias *al = &w->root->aliases[e->item];
	return al->kind == COMP_ALIAS_INSTANCE_EXPORT &&
	       w->rmap[COMP_SPACE_INSTANCE][al->instanceidx] != WRAP_NONE;
}

static enum meld_status
copy_root_type(struct wrap *w, uint32_t idx, uint32_t *out)
{
	const struct comp_space_entry *e =
		comp_space_get(w->root, COMP_SPACE_TYPE, idx);
	struct comp_item *it = comp_scope_get(w->scope, COMP_SPACE_TYPE, idx);
	const struct wres *r = wtypes_find_res(w, comp_item_canon(it));
	if (r && !root_alias(w, idx)) {
		/* defined by the wrapper, named as the root's exports name it */
		*out = res_index(r);
		return MELD_OK;
	}
	if (e->origin == COMP_DEF_TYPE) {
		const struct comp_type *t = &w->root->types[e->item];
		if (t->kind != COMP_TYPE_RESOURCE)
			return copy_root_def(w, t, out);
		return wrap_unsupported(w, "resource type %u of the root is "
					   "not exported",
					idx);
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
	struct comp_item *it = comp_scope_get(w->scope, COMP_SPACE_TYPE, idx);
	if (st != MELD_OK || (e->origin == COMP_DEF_TYPE &&
			      w->root->types[e->item].kind == COMP_TYPE_RESOURCE) ||
	    (wtypes_find_res(w, comp_item_canon(it)) &&
	     !root_alias(w, idx)))
		return st; /* its name changes when an export names it */
	w->rmap[COMP_SPACE_TYPE][idx] = *out;
	return remember(w, it, *out);
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
	wtypes_externtype(b, &im->ext, t);
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
	if (inst == WRAP_NONE)
		return wrap_unsupported(w, "an export uses type \"%s\" of "
					   "import \"%s\", which another "
					   "input's export satisfies",
					tname, iname);
	struct wname *n = arena_push(w->a, (void **)&w->names, &w->nnames,
				     &w->names_cap, sizeof *n);
	if (!n)
		return wrap_oom(w);
	*n = (struct wname){iname, tname, COMP_SPACE_TYPE, 0};
	n->idx = wenc_alias_export(&w->c, inst, tname, COMP_SPACE_TYPE);
	*out = n->idx;
	return MELD_OK;
}

static enum meld_status host_resource_of(struct wrap *w,
					 const struct inst_res *r,
					 bool *found, uint32_t *out);

/* A host resource is a type of some input's kept import. */
enum meld_status
wtypes_host_resource(struct wrap *w, const struct inst_res *r, uint32_t *out)
{
	const struct comp_component *cur = w->root;
	size_t here = 0;
	bool found = false;
	enum meld_status st = MELD_OK;
	for (size_t k = 0; k < w->nroots; k++)
		if (w->roots[k].root == cur)
			here = k;
	for (size_t k = 0; st == MELD_OK && !found && k < w->nroots; k++) {
		wrap_use(w, k);
		st = host_resource_of(w, r, &found, out);
	}
	wrap_use(w, here);
	if (st == MELD_OK && !found)
		return wrap_unsupported(w, "no root import \"%s\" of host "
					   "resource \"%s\"",
					r->module, r->name);
	return st;
}

static enum meld_status
host_resource_of(struct wrap *w, const struct inst_res *r, bool *found,
		 uint32_t *out)
{
	const struct comp_import *im;
	*found = true;
	if (strcmp(r->module, "$root") == 0) {
		im = root_import(w, r->name, COMP_SPACE_TYPE);
		*found = im && w->rmap[COMP_SPACE_TYPE][im->idx] != WRAP_NONE;
		if (*found)
			*out = w->rmap[COMP_SPACE_TYPE][im->idx];
		return MELD_OK;
	}
	im = root_import(w, r->module, COMP_SPACE_INSTANCE);
	*found = im && w->rmap[COMP_SPACE_INSTANCE][im->idx] != WRAP_NONE;
	if (!*found)
		return MELD_OK;
	struct bin_name n = {(const uint8_t *)r->name,
			     (uint32_t)strlen(r->name)};
	return alias_type_of(w, im, n, out);
}

/* ---- views: encoding resolved types ------------------------------------ */

static enum meld_status view_item(struct wrap *w, struct wview *v,
				  struct comp_item *it, uint32_t *out);

/* A structural copy of a value or function type in the view. */
enum meld_status
wtypes_view_define(struct wrap *w, struct wview *v, struct comp_item *canon,
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
	const struct wres *r = wtypes_find_res(w, canon);
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
	if (wtypes_is_resource(canon))
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
	bool res = wtypes_is_resource(canon);
	if (st == MELD_OK && !res)
		st = wtypes_view_define(w, v->imp, canon, &def);
	char *name = wrap_shim_name(w, "extra", (uint32_t)x->n);
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
	if (wtypes_is_resource(canon))
		return wrap_unsupported(w, "resource \"%.*s\" is used by an "
					   "export that does not name it",
					(int)canon->name.len,
					(const char *)canon->name.p);
	enum meld_status st = wtypes_view_define(w, v, canon, out);
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
	if (!wtypes_is_resource(canon) || canon->kind != COMP_ITEM_TYPE ||
	    wtypes_find_res(w, canon))
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
		if (wrap_consumed(w, ex->name.name))
			continue;
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
