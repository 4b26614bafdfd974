/*
 * wrap_export: the root's exports (Explainer.md "Canonical Definitions",
 * "Instance Definitions").  A function export is a lift of the fused
 * module's export with the original canonical options; an exported
 * instance gets wit-component's shape: a type-only shim component that
 * imports every type ("type-*") and function ("func-*") of the interface,
 * then exports each type (defined again, so the exported functions' types
 * name the exported types) and each function with its type ascribed.
 * Both printers of WIT (meld's and wit-component's) read type names and
 * `use`s from exactly this shape.
 */
#include <stdio.h>
#include <string.h>

#include "wrap_impl.h"

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
char *
wrap_shim_name(struct wrap *w, const char *kind, uint32_t k)
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

/* A function inside an instance the interface exports ("nest-*"): the
 * shim imports it and builds the nested instances from such imports. */
struct wleaf {
	struct comp_item *fn;
	uint32_t arg;      /* the root's function, the shim's argument */
	uint32_t imp;      /* the shim's imported function */
};

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
	struct wleaf *leaf; /* functions of nested instances, depth first */
	size_t nleaf, leaf_cap;
};

static char *
full_name(struct wrap *w, const char *prefix, struct bin_name leaf)
{
	char *l = wrap_str(w, leaf);
	char *p = l ? wrap_cat(w, prefix, "#") : NULL;
	return p ? wrap_cat(w, p, l) : NULL;
}

/* The functions of an instance nested in the interface, whose core
 * exports are named "IFACE#INSTANCE#...#FUNC" (inst.c); depth first, the
 * order nested_instance reads them back in. */
static enum meld_status
nested_args(struct wrap *w, struct wshim *s, const char *prefix,
	    struct comp_item *inst, uint32_t depth)
{
	struct comp_export_ref *ex;
	uint32_t n = comp_item_exports(inst, &ex);
	enum meld_status st = ex ? MELD_OK : wrap_oom(w);
	if (depth > 32)
		return wrap_unsupported(w, "instances nested %u deep in \"%s\"",
					depth, s->iface);
	for (uint32_t k = 0; st == MELD_OK && k < n; k++) {
		char *full = full_name(w, prefix, ex[k].name);
		if (!full)
			return wrap_oom(w);
		if (ex[k].space == COMP_SPACE_INSTANCE) {
			st = nested_args(w, s, full, ex[k].item, depth + 1);
			continue;
		}
		if (ex[k].space != COMP_SPACE_FUNC)
			return wrap_unsupported(w, "\"%s\" is a %s inside an "
						   "instance the root exports "
						   "(only functions and "
						   "instances are)",
						full, comp_space_name(ex[k].space));
		struct wleaf *l = arena_push(w->a, (void **)&s->leaf, &s->nleaf,
					     &s->leaf_cap, sizeof *l);
		if (!l)
			return wrap_oom(w);
		l->fn = ex[k].item;
		l->imp = WRAP_NONE;
		st = export_func(w, full, ex[k].item, &l->arg);
	}
	return st;
}

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
		} else if (e->space == COMP_SPACE_INSTANCE) {
			char *full = full_name(w, s->iface, e->name);
			s->arg[k] = WRAP_NONE;
			st = full ? nested_args(w, s, full, e->item, 1)
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
	else if (wtypes_is_resource(canon))
		bound = COMP_BOUND_SUB_RESOURCE;
	else
		st = wtypes_view_define(w, &s->imp, canon, &def);
	char *name = wrap_shim_name(w, "type", k);
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
	enum meld_status st = wtypes_view_define(w, &s->imp, comp_item_canon(fn->type), &t);
	char *name = wrap_shim_name(w, "func", k);
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
shim_import_leaf(struct wrap *w, struct wshim *s, size_t i)
{
	struct wleaf *l = &s->leaf[i];
	uint32_t t;
	if (l->fn->kind != COMP_ITEM_FUNC || !l->fn->type)
		return wrap_unsupported(w, "a function nested in \"%s\" "
					   "without a type",
					s->iface);
	enum meld_status st = wtypes_view_define(
		w, &s->imp, comp_item_canon(l->fn->type), &t);
	char *name = wrap_shim_name(w, "nest", (uint32_t)i);
	if (st != MELD_OK || !name)
		return st != MELD_OK ? st : wrap_oom(w);
	struct bin_writer *b = wcomp_item(&s->c, WSEC_IMPORT);
	plain_name(b, name);
	bin_write_u8(b, COMP_EXTERN_FUNC);
	bin_write_u32(b, t);
	l->imp = wcomp_new(&s->c, COMP_SPACE_FUNC);
	return MELD_OK;
}

/* A nested instance inside the shim: inline exports of the imported
 * functions and of the instances inside it, made first.  Structural
 * function types: the instance's type is the original's. */
static enum meld_status
nested_instance(struct wrap *w, struct wshim *s, struct comp_item *inst,
		size_t *next, uint32_t *out)
{
	struct comp_export_ref *ex;
	uint32_t n = comp_item_exports(inst, &ex);
	uint32_t *idx = arena_alloc_array(w->a, n + 1, sizeof *idx);
	if (!ex || !idx)
		return wrap_oom(w);
	for (uint32_t k = 0; k < n; k++) {
		if (ex[k].space == COMP_SPACE_INSTANCE) {
			enum meld_status st =
				nested_instance(w, s, ex[k].item, next, &idx[k]);
			if (st != MELD_OK)
				return st;
		} else if (*next < s->nleaf) {
			idx[k] = s->leaf[(*next)++].imp;
		}
	}
	struct bin_writer *b = wcomp_item(&s->c, WSEC_INSTANCE);
	bin_write_u8(b, COMP_INSTANCE_FROM_EXPORTS);
	bin_write_u32(b, n);
	for (uint32_t k = 0; k < n; k++) {
		bin_plain_name(b, ex[k].name);
		wenc_sort(b, ex[k].space);
		bin_write_u32(b, idx[k]);
	}
	*out = wcomp_new(&s->c, COMP_SPACE_INSTANCE);
	return MELD_OK;
}

/* The instance type of a nested instance, in the shim's export half: each
 * function's type (naming the exported types, as an export must) and each
 * inner instance's type defined in the shim first, then taken in by outer
 * aliases. */
static enum meld_status
nested_type(struct wrap *w, struct wshim *s, struct comp_item *inst,
	    size_t *next, uint32_t depth, uint32_t *out)
{
	struct comp_export_ref *ex;
	uint32_t n = comp_item_exports(inst, &ex);
	uint32_t *outer = arena_alloc_array(w->a, n + 1, sizeof *outer);
	if (!ex || !outer)
		return wrap_oom(w);
	enum meld_status st = MELD_OK;
	for (uint32_t k = 0; st == MELD_OK && k < n; k++) {
		if (ex[k].space == COMP_SPACE_INSTANCE)
			st = nested_type(w, s, ex[k].item, next, depth + 1,
					 &outer[k]);
		else if (*next < s->nleaf)
			st = wtypes_view_define(
				w, &s->exp,
				comp_item_canon(s->leaf[(*next)++].fn->type),
				&outer[k]);
	}
	struct bin_writer b;
	bin_writer_init(&b);
	bin_write_u8(&b, 0x42); /* instance type */
	bin_write_u32(&b, 2 * n);
	for (uint32_t k = 0; k < n; k++) {
		bin_write_u8(&b, 0x02); /* alias */
		wenc_sort(&b, COMP_SPACE_TYPE);
		bin_write_u8(&b, 0x02); /* outer */
		bin_write_u32(&b, 1);
		bin_write_u32(&b, outer[k]);
		bin_write_u8(&b, 0x04); /* export */
		bin_plain_name(&b, ex[k].name);
		bin_write_u8(&b, ex[k].space == COMP_SPACE_INSTANCE
					 ? COMP_EXTERN_INSTANCE
					 : COMP_EXTERN_FUNC);
		bin_write_u32(&b, k); /* the alias's local type */
	}
	if (st == MELD_OK && b.err != MELD_OK)
		st = wrap_oom(w);
	if (st == MELD_OK && wcomp_type(&s->c, w->a, b.buf, b.len, out) != MELD_OK)
		st = wrap_oom(w);
	bin_writer_clear(&b);
	(void)depth;
	return st;
}

static enum meld_status
shim_export_instance(struct wrap *w, struct wshim *s, uint32_t k,
		     size_t *next)
{
	uint32_t inst, t;
	size_t at = *next;
	enum meld_status st = nested_type(w, s, s->ex[k].item, &at, 0, &t);
	if (st == MELD_OK)
		st = nested_instance(w, s, s->ex[k].item, next, &inst);
	if (st != MELD_OK)
		return st;
	struct bin_writer *b = wcomp_item(&s->c, WSEC_EXPORT);
	bin_plain_name(b, s->ex[k].name);
	wenc_sort(b, COMP_SPACE_INSTANCE);
	bin_write_u32(b, inst);
	bin_write_u8(b, 0x01);
	bin_write_u8(b, COMP_EXTERN_INSTANCE);
	bin_write_u32(b, t);
	s->exp.at[k] = wcomp_new(&s->c, COMP_SPACE_INSTANCE);
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
	else if (o == WO_USE || wtypes_is_resource(canon))
		t = s->imp.at[k];
	else
		st = wtypes_view_define(w, &s->exp, canon, &t);
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
	enum meld_status st = wtypes_view_define(w, &s->exp, comp_item_canon(fn->type), &t);
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
	for (size_t i = 0; st == MELD_OK && i < s->nleaf; i++)
		st = shim_import_leaf(w, s, i);
	size_t next = 0;
	for (uint32_t k = 0; st == MELD_OK && k < s->n; k++) {
		if (s->ex[k].space == COMP_SPACE_TYPE)
			st = shim_export_type(w, s, k);
		else if (s->ex[k].space == COMP_SPACE_FUNC)
			st = shim_export_func(w, s, k);
		else
			st = shim_export_instance(w, s, k, &next);
	}
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
	uint32_t ninst = 0;
	for (uint32_t k = 0; k < s->n; k++)
		ninst += s->ex[k].space == COMP_SPACE_INSTANCE;
	bin_write_u32(b, s->n - ninst + (uint32_t)(s->extra.n + s->nleaf));
	for (uint32_t k = 0; k < s->n; k++) {
		bool ty = s->ex[k].space == COMP_SPACE_TYPE;
		if (s->ex[k].space == COMP_SPACE_INSTANCE)
			continue;
		char *name = wrap_shim_name(w, ty ? "type" : "func", k);
		wenc_name(b, name ? name : "");
		wenc_sort(b, ty ? COMP_SPACE_TYPE : COMP_SPACE_FUNC);
		bin_write_u32(b, s->arg[k]);
	}
	for (uint32_t k = 0; k < s->extra.n; k++) {
		char *name = wrap_shim_name(w, "extra", k);
		wenc_name(b, name ? name : "");
		wenc_sort(b, COMP_SPACE_TYPE);
		bin_write_u32(b, s->extra.root[k]);
	}
	for (size_t i = 0; i < s->nleaf; i++) {
		char *name = wrap_shim_name(w, "nest", (uint32_t)i);
		wenc_name(b, name ? name : "");
		wenc_sort(b, COMP_SPACE_FUNC);
		bin_write_u32(b, s->leaf[i].arg);
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
					 ? wtypes_find_res(w, comp_item_canon(ex[k].item))
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
		wtypes_externtype(b, &ex->ascription, *ascribed);
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
