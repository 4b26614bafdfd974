/*
 * wit: printing component-level types as WIT (WIT.md "Item: world",
 * "Item: interface", "Item: type", "Item: func").  Types are printed by
 * name when they have one (the export that owns them, see
 * comp_item_claim_exports), otherwise structurally.  Constructs WIT cannot
 * express (core modules, components, values at world level) are printed
 * as `//` comments.
 */
#include "wit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Deeper structural printing than this prints `...` (cyclic input). */
#define WIT_MAX_DEPTH 32

void
wit_init(struct wit_printer *p, struct bin_writer *w, struct arena *a)
{
	memset(p, 0, sizeof *p);
	p->w = w;
	p->arena = a;
	p->line_start = true;
	p->max_nodes = WIT_MAX_NODES;
}

/* ---- output --------------------------------------------------------- */

static void
raw(struct wit_printer *p, const char *s, size_t n)
{
	if (n == 0 || p->over_budget)
		return;
	if (p->line_start) {
		for (unsigned i = 0; i < p->indent; i++)
			bin_write_bytes(p->w, "  ", 2);
		p->line_start = false;
	}
	bin_write_bytes(p->w, s, n);
}

static void
put(struct wit_printer *p, const char *s)
{
	raw(p, s, strlen(s));
}

static void
fmt(struct wit_printer *p, const char *f, ...) __attribute__((format(printf, 2, 3)));

static void
fmt(struct wit_printer *p, const char *f, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	if (n > 0)
		raw(p, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void
newline(struct wit_printer *p)
{
	bin_write_u8(p->w, '\n');
	p->line_start = true;
}

static void
new_item(struct wit_printer *p)
{
	if (p->any_items)
		newline(p);
	p->any_items = true;
}

static void
block_start(struct wit_printer *p)
{
	put(p, " {");
	newline(p);
	p->indent++;
}

static void
block_end(struct wit_printer *p)
{
	p->indent--;
	put(p, "}");
	newline(p);
}

static void
semicolon(struct wit_printer *p)
{
	put(p, ";");
	newline(p);
}

static const char *const wit_keywords[] = {
	"as", "async", "bool", "borrow", "char", "constructor", "enum",
	"export", "f32", "f64", "flags", "from", "func", "future", "import",
	"include", "interface", "list", "map", "option", "own", "package",
	"record", "resource", "result", "s16", "s32", "s64", "s8", "static",
	"stream", "string", "tuple", "type", "u16", "u32", "u64", "u8", "use",
	"variant", "with", "world",
};

/* A label, %-escaped when it is a keyword. */
static void
label(struct wit_printer *p, struct bin_name n)
{
	for (size_t i = 0; i < sizeof wit_keywords / sizeof wit_keywords[0]; i++) {
		if (bin_name_eq(n, wit_keywords[i])) {
			put(p, "%");
			break;
		}
	}
	raw(p, (const char *)n.p, n.len);
}

static void
name_raw(struct wit_printer *p, struct bin_name n)
{
	raw(p, (const char *)n.p, n.len);
}

/* ---- names ---------------------------------------------------------- */

static bool
is_interface_name(struct bin_name n)
{
	return memchr(n.p, ':', n.len) != NULL && memchr(n.p, '/', n.len) != NULL;
}

static bool
has_prefix(struct bin_name n, const char *pre)
{
	size_t k = strlen(pre);
	return n.len >= k && memcmp(n.p, pre, k) == 0;
}

enum fn_kind { FN_FREE, FN_CONSTRUCTOR, FN_METHOD, FN_STATIC };

/* Split "[method]r.f" into kind, resource "r" and item "f". */
static enum fn_kind
fn_split(struct bin_name n, struct bin_name *res, struct bin_name *item)
{
	static const struct {
		const char *pre;
		enum fn_kind k;
	} forms[] = {{"[constructor]", FN_CONSTRUCTOR},
		     {"[method]", FN_METHOD},
		     {"[static]", FN_STATIC},
		     {"[async method]", FN_METHOD},
		     {"[async static]", FN_STATIC}};
	*item = n;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		if (!has_prefix(n, forms[i].pre))
			continue;
		size_t k = strlen(forms[i].pre);
		res->p = n.p + k;
		res->len = n.len - (uint32_t)k;
		if (forms[i].k == FN_CONSTRUCTOR)
			return FN_CONSTRUCTOR;
		const uint8_t *dot = memchr(res->p, '.', res->len);
		if (!dot)
			return FN_FREE;
		item->p = dot + 1;
		item->len = (uint32_t)(res->p + res->len - item->p);
		res->len = (uint32_t)(dot - res->p);
		return forms[i].k;
	}
	if (has_prefix(n, "[async]")) {
		item->p = n.p + 7;
		item->len = n.len - 7;
	}
	return FN_FREE;
}

static bool
bin_names_equal(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* ---- type references ------------------------------------------------ */

static void print_item_ref(struct wit_printer *p, struct comp_item *it,
			   unsigned depth);

static bool
is_resource(const struct comp_item *it)
{
	return it && (it->kind == COMP_ITEM_RESOURCE ||
		      (it->kind == COMP_ITEM_TYPE &&
		       it->def->kind == COMP_TYPE_RESOURCE));
}

static void
print_ref(struct wit_printer *p, struct comp_scope *s, struct comp_valtype vt,
	  unsigned depth)
{
	if (vt.prim != COMP_PRIM_NONE) {
		put(p, comp_prim_name(vt.prim));
		return;
	}
	print_item_ref(p, comp_scope_valtype(s, vt), depth);
}

static void
print_opt_args(struct wit_printer *p, const char *head, struct comp_scope *s,
	       bool has, struct comp_valtype vt, unsigned depth)
{
	put(p, head);
	if (has) {
		put(p, "<");
		print_ref(p, s, vt, depth);
		put(p, ">");
	}
}

static void
print_resource_name(struct wit_printer *p, struct comp_scope *s,
		    uint32_t typeidx)
{
	struct comp_item *r = comp_scope_get(s, COMP_SPACE_TYPE, typeidx);
	if (r && r->name.p)
		label(p, r->name);
	else
		put(p, "<resource>");
}

static void
print_result(struct wit_printer *p, struct comp_scope *s,
	     const struct comp_defval *dv, unsigned depth)
{
	put(p, "result");
	if (!dv->result.has_ok && !dv->result.has_err)
		return;
	put(p, "<");
	if (dv->result.has_ok)
		print_ref(p, s, dv->result.ok, depth);
	else
		put(p, "_");
	if (dv->result.has_err) {
		put(p, ", ");
		print_ref(p, s, dv->result.err, depth);
	}
	put(p, ">");
}

/* An anonymous defined value type, as WIT writes it in place. */
static void
print_defval(struct wit_printer *p, struct comp_scope *s,
	     const struct comp_defval *dv, unsigned depth)
{
	switch (dv->kind) {
	case COMP_DEFVAL_PRIM:
		put(p, comp_prim_name(dv->prim));
		return;
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST:
		put(p, "list<");
		print_ref(p, s, dv->list.elem, depth);
		if (dv->kind == COMP_DEFVAL_FIXED_LIST)
			fmt(p, ", %u", dv->list.len);
		put(p, ">");
		return;
	case COMP_DEFVAL_TUPLE:
		put(p, "tuple<");
		for (uint32_t i = 0; i < dv->tuple.ntypes; i++) {
			if (i)
				put(p, ", ");
			print_ref(p, s, dv->tuple.types[i], depth);
		}
		put(p, ">");
		return;
	case COMP_DEFVAL_OPTION:
		print_opt_args(p, "option", s, true, dv->option, depth);
		return;
	case COMP_DEFVAL_RESULT:
		print_result(p, s, dv, depth);
		return;
	case COMP_DEFVAL_OWN:
		print_resource_name(p, s, dv->resource_typeidx);
		return;
	case COMP_DEFVAL_BORROW:
		put(p, "borrow<");
		print_resource_name(p, s, dv->resource_typeidx);
		put(p, ">");
		return;
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		print_opt_args(p, dv->kind == COMP_DEFVAL_STREAM ? "stream" : "future",
			       s, dv->async_elem.has_elem, dv->async_elem.elem,
			       depth);
		return;
	case COMP_DEFVAL_MAP:
		put(p, "map<");
		print_ref(p, s, dv->map.key, depth);
		put(p, ", ");
		print_ref(p, s, dv->map.value, depth);
		put(p, ">");
		return;
	case COMP_DEFVAL_RECORD:
		put(p, "record { ... }");
		return;
	case COMP_DEFVAL_VARIANT:
		put(p, "variant { ... }");
		return;
	case COMP_DEFVAL_FLAGS:
		put(p, "flags { ... }");
		return;
	case COMP_DEFVAL_ENUM:
		put(p, "enum { ... }");
		return;
	}
}

static void
print_item_ref(struct wit_printer *p, struct comp_item *it, unsigned depth)
{
	if (!it || (it->kind != COMP_ITEM_TYPE && it->kind != COMP_ITEM_RESOURCE)) {
		put(p, "<unknown>");
		return;
	}
	if (it->name.p) {
		label(p, it->name);
		return;
	}
	if (it->kind == COMP_ITEM_RESOURCE || depth >= WIT_MAX_DEPTH ||
	    it->def->kind != COMP_TYPE_DEFVAL) {
		put(p, it->kind == COMP_ITEM_RESOURCE ? "<resource>" : "...");
		return;
	}
	if (p->over_budget)
		return;
	if (++p->nodes > p->max_nodes) {
		p->over_budget = true;
		p->over_offset = it->def->offset;
		return;
	}
	print_defval(p, it->scope, &it->def->defval, depth + 1);
}

void
wit_print_valtype(struct wit_printer *p, struct comp_scope *s,
		  struct comp_valtype vt)
{
	print_ref(p, s, vt, 0);
}

/* ---- functions ------------------------------------------------------ */

static const struct comp_functype *
func_type(const struct comp_item *fn, struct comp_scope **s)
{
	if (!fn || fn->kind != COMP_ITEM_FUNC || !fn->type ||
	    fn->type->kind != COMP_ITEM_TYPE || fn->type->def->kind != COMP_TYPE_FUNC)
		return NULL;
	*s = fn->type->scope;
	return &fn->type->def->func;
}

/* A constructor whose result is just own<R> prints no result. */
static bool
shorthand_result(struct comp_scope *s, const struct comp_functype *ft)
{
	struct comp_item *r = comp_scope_valtype(s, ft->result);
	return r && r->kind == COMP_ITEM_TYPE && r->def->kind == COMP_TYPE_DEFVAL &&
	       r->def->defval.kind == COMP_DEFVAL_OWN && !r->name.p;
}

static void
print_func(struct wit_printer *p, const struct comp_item *fn, enum fn_kind k)
{
	struct comp_scope *s;
	const struct comp_functype *ft = func_type(fn, &s);
	if (!ft) {
		put(p, k == FN_CONSTRUCTOR ? "constructor(<unknown>)"
					   : "func(<unknown>)");
		return;
	}
	if (ft->async)
		put(p, "async ");
	put(p, k == FN_CONSTRUCTOR ? "constructor(" : "func(");
	uint32_t skip = k == FN_METHOD && ft->nparams > 0 ? 1 : 0;
	for (uint32_t i = skip; i < ft->nparams; i++) {
		if (i > skip)
			put(p, ", ");
		label(p, ft->params[i].label);
		put(p, ": ");
		print_ref(p, s, ft->params[i].type, 0);
	}
	put(p, ")");
	if (!ft->has_result || (k == FN_CONSTRUCTOR && shorthand_result(s, ft)))
		return;
	put(p, " -> ");
	print_ref(p, s, ft->result, 0);
}

/* ---- type declarations ---------------------------------------------- */

static void
print_fields(struct wit_printer *p, struct comp_scope *s,
	     const struct comp_defval *dv)
{
	for (uint32_t i = 0; i < dv->record.nfields; i++) {
		label(p, dv->record.fields[i].label);
		put(p, ": ");
		print_ref(p, s, dv->record.fields[i].type, 0);
		put(p, ",");
		newline(p);
	}
}

static void
print_cases(struct wit_printer *p, struct comp_scope *s,
	    const struct comp_defval *dv)
{
	for (uint32_t i = 0; i < dv->variant.ncases; i++) {
		const struct comp_case *c = &dv->variant.cases[i];
		label(p, c->label);
		if (c->has_type) {
			put(p, "(");
			print_ref(p, s, c->type, 0);
			put(p, ")");
		}
		put(p, ",");
		newline(p);
	}
}

static void
print_labels(struct wit_printer *p, const struct comp_defval *dv)
{
	for (uint32_t i = 0; i < dv->labels.nlabels; i++) {
		label(p, dv->labels.labels[i]);
		put(p, ",");
		newline(p);
	}
}

/* `record name { ... }`, `type name = ...;` and so on. */
static void
declare_type(struct wit_printer *p, struct bin_name name, struct comp_item *it)
{
	const struct comp_defval *dv = &it->def->defval;
	static const char *const block_kw[] = {"record", "variant", "flags", "enum"};
	int kw = dv->kind == COMP_DEFVAL_RECORD    ? 0
		 : dv->kind == COMP_DEFVAL_VARIANT ? 1
		 : dv->kind == COMP_DEFVAL_FLAGS   ? 2
		 : dv->kind == COMP_DEFVAL_ENUM    ? 3
						   : -1;
	if (it->def->kind != COMP_TYPE_DEFVAL || kw < 0) {
		put(p, "type ");
		label(p, name);
		put(p, " = ");
		if (it->def->kind == COMP_TYPE_DEFVAL &&
		    dv->kind == COMP_DEFVAL_OWN) {
			put(p, "own<");
			print_resource_name(p, it->scope, dv->resource_typeidx);
			put(p, ">");
		} else if (it->def->kind == COMP_TYPE_DEFVAL) {
			print_defval(p, it->scope, dv, 1);
		} else {
			put(p, "<not a value type>");
		}
		semicolon(p);
		return;
	}
	put(p, block_kw[kw]);
	put(p, " ");
	label(p, name);
	block_start(p);
	if (kw == 0)
		print_fields(p, it->scope, dv);
	else if (kw == 1)
		print_cases(p, it->scope, dv);
	else
		print_labels(p, dv);
	block_end(p);
}

/* One function (of a resource block, or free-standing). */
struct wit_fn {
	const struct comp_extern_name *xname;
	struct bin_name name;
	struct comp_item *item;
	enum fn_kind kind;
	struct bin_name res, item_name;
	bool printed;
};

static void
print_resource(struct wit_printer *p, struct bin_name name, struct wit_fn *fns,
	       uint32_t nfns)
{
	put(p, "resource ");
	label(p, name);
	bool any = false;
	for (uint32_t i = 0; i < nfns; i++) {
		struct wit_fn *f = &fns[i];
		if (f->kind == FN_FREE || f->printed ||
		    !bin_names_equal(f->res, name))
			continue;
		if (!any)
			block_start(p);
		any = true;
		f->printed = true;
		if (f->kind != FN_CONSTRUCTOR) {
			label(p, f->item_name);
			put(p, f->kind == FN_STATIC ? ": static " : ": ");
		}
		print_func(p, f->item, f->kind);
		semicolon(p);
	}
	if (any)
		block_end(p);
	else
		semicolon(p);
}

/* ---- interfaces and worlds ------------------------------------------ */

struct wit_type {
	struct bin_name name;
	struct comp_item *item;
};

static bool
in_types(const struct wit_type *types, uint32_t n, const struct comp_item *it,
	 uint32_t *at)
{
	for (uint32_t i = 0; i < n; i++) {
		if (types[i].item == it) {
			*at = i;
			return true;
		}
	}
	return false;
}

enum type_origin {
	ORIGIN_DEFINE,  /* defined here */
	ORIGIN_USE,     /* `use path.{name as n}`: from another interface */
	ORIGIN_ALIAS    /* `type n = m;`: another type of this interface */
};

/*
 * Where the type exported as types[k] comes from: follow its alias chain
 * to the first alias taken from another instance's exports (a `use`), or
 * to another of this interface's own types, or to the definition.
 */
static enum type_origin
type_origin(const struct wit_type *types, uint32_t n, uint32_t k,
	    const struct comp_item *self, struct comp_item **from)
{
	struct comp_item *it = types[k].item->target;
	unsigned steps = 0;
	for (; it && steps < 1000; it = it->target, steps++) {
		uint32_t at;
		*from = it;
		if (it->via && it->via != self && it->via->name.p)
			return ORIGIN_USE;
		if (in_types(types, n, it, &at) && at != k)
			return ORIGIN_ALIAS;
	}
	return ORIGIN_DEFINE;
}

/* uses, then declarations, of the interface `self` (NULL: the world). */
static void
print_types(struct wit_printer *p, const struct comp_item *self,
	    struct wit_type *types, uint32_t ntypes, struct wit_fn *fns,
	    uint32_t nfns)
{
	for (uint32_t i = 0; i < ntypes; i++) {
		struct comp_item *from;
		if (type_origin(types, ntypes, i, self, &from) != ORIGIN_USE)
			continue;
		p->any_items = true;
		put(p, "use ");
		name_raw(p, from->via->name);
		put(p, ".{");
		label(p, from->name);
		if (!bin_names_equal(from->name, types[i].name)) {
			put(p, " as ");
			label(p, types[i].name);
		}
		put(p, "}");
		semicolon(p);
	}
	for (uint32_t i = 0; i < ntypes; i++) {
		struct comp_item *it = types[i].item, *from;
		enum type_origin o = type_origin(types, ntypes, i, self, &from);
		if (o == ORIGIN_USE)
			continue;
		new_item(p);
		if (o == ORIGIN_ALIAS) {
			put(p, "type ");
			label(p, types[i].name);
			put(p, " = ");
			label(p, from->name);
			semicolon(p);
		} else if (is_resource(it)) {
			print_resource(p, types[i].name, fns, nfns);
		} else if (it->kind == COMP_ITEM_TYPE) {
			declare_type(p, types[i].name, it);
		} else {
			put(p, "type ");
			label(p, types[i].name);
			put(p, " = <unknown>;");
			newline(p);
		}
	}
}

static void
fn_init(struct wit_fn *f, const struct comp_extern_name *xn,
	struct bin_name name, struct comp_item *it)
{
	memset(f, 0, sizeof *f);
	f->xname = xn;
	f->name = name;
	f->item = it;
	f->kind = fn_split(name, &f->res, &f->item_name);
}

static void
print_interface_body(struct wit_printer *p, struct comp_item *inst)
{
	struct comp_export_ref *ex;
	uint32_t n = comp_item_exports(inst, &ex);
	struct wit_type *types = arena_alloc_array(p->arena, n + 1, sizeof *types);
	struct wit_fn *fns = arena_alloc_array(p->arena, n + 1, sizeof *fns);
	if (!types || !fns) {
		p->w->err = MELD_ENOMEM;
		return;
	}
	uint32_t ntypes = 0, nfns = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (ex[i].space == COMP_SPACE_TYPE) {
			types[ntypes].name = ex[i].name;
			types[ntypes++].item = ex[i].item;
		} else if (ex[i].space == COMP_SPACE_FUNC) {
			fn_init(&fns[nfns++], NULL, ex[i].name, ex[i].item);
		}
	}
	bool prev = p->any_items;
	p->any_items = false;
	print_types(p, inst, types, ntypes, fns, nfns);
	for (uint32_t i = 0; i < nfns; i++) {
		if (fns[i].printed || fns[i].kind != FN_FREE)
			continue;
		new_item(p);
		label(p, fns[i].item_name);
		put(p, ": ");
		print_func(p, fns[i].item, FN_FREE);
		semicolon(p);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (ex[i].space == COMP_SPACE_TYPE || ex[i].space == COMP_SPACE_FUNC)
			continue;
		new_item(p);
		put(p, "// ");
		name_raw(p, ex[i].name);
		put(p, ": ");
		put(p, comp_space_name(ex[i].space));
		put(p, " (not expressible in WIT)");
		newline(p);
	}
	p->any_items = prev;
}

void
wit_print_extern(struct wit_printer *p, const char *keyword,
		 const struct comp_extern_name *xn, struct comp_item *item,
		 enum comp_space space)
{
	struct bin_name name = xn->name;
	if (space == COMP_SPACE_INSTANCE) {
		put(p, keyword);
		put(p, " ");
		name_raw(p, name);
		if (is_interface_name(name) && !p->expand_named) {
			semicolon(p);
			return;
		}
		if (xn->has_implements && !p->expand_named) {
			put(p, ": ");
			name_raw(p, xn->implements);
			semicolon(p);
			return;
		}
		put(p, ": interface");
		block_start(p);
		print_interface_body(p, item);
		block_end(p);
		return;
	}
	if (space == COMP_SPACE_FUNC) {
		put(p, keyword);
		put(p, " ");
		label(p, name);
		put(p, ": ");
		print_func(p, item, FN_FREE);
		semicolon(p);
		return;
	}
	put(p, "// ");
	put(p, keyword);
	put(p, " ");
	name_raw(p, name);
	put(p, ": ");
	put(p, comp_space_name(space));
	put(p, " (not expressible in WIT)");
	newline(p);
}

/* World imports: interfaces, then types (with resource functions), then
 * functions, as wit-component orders them. */
static void
print_world_imports(struct wit_printer *p, struct comp_scope *root)
{
	const struct comp_component *c = root->comp;
	size_t n = c->nimports;
	struct wit_type *types = arena_alloc_array(p->arena, n + 1, sizeof *types);
	struct wit_fn *fns = arena_alloc_array(p->arena, n + 1, sizeof *fns);
	if (!types || !fns) {
		p->w->err = MELD_ENOMEM;
		return;
	}
	uint32_t ntypes = 0, nfns = 0;
	for (size_t i = 0; i < n; i++) {
		const struct comp_import *im = &c->imports[i];
		struct comp_item *it = comp_scope_get(root, im->space, im->idx);
		if (im->space == COMP_SPACE_TYPE) {
			types[ntypes].name = im->name.name;
			types[ntypes++].item = it;
		} else if (im->space == COMP_SPACE_FUNC) {
			fn_init(&fns[nfns++], &im->name, im->name.name, it);
		} else {
			wit_print_extern(p, "import", &im->name, it, im->space);
			p->any_items = true;
		}
	}
	print_types(p, NULL, types, ntypes, fns, nfns);
	for (uint32_t i = 0; i < nfns; i++) {
		if (fns[i].printed)
			continue;
		wit_print_extern(p, "import", fns[i].xname, fns[i].item,
				 COMP_SPACE_FUNC);
		p->any_items = true;
	}
}

void
wit_print_world(struct wit_printer *p, struct comp_scope *root)
{
	const struct comp_component *c = root->comp;
	put(p, "package root:component;");
	newline(p);
	newline(p);
	put(p, "world root");
	block_start(p);
	p->any_items = false;
	print_world_imports(p, root);
	if (c->nexports)
		new_item(p);
	for (size_t i = 0; i < c->nexports; i++) {
		const struct comp_export *ex = &c->exports[i];
		struct comp_item *it = comp_scope_get(root, ex->ref.space, ex->idx);
		if (ex->ref.space == COMP_SPACE_TYPE)
			continue; /* a world cannot export a type */
		wit_print_extern(p, "export", &ex->name, it, ex->ref.space);
	}
	block_end(p);
}
