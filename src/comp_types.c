/*
 * comp_types: the type-level productions of the component binary format
 * (Binary.md "Type Definitions", "Import and Export Definitions", "Alias
 * Definitions") and the core types a component may define (core:type:
 * module types and, with WebAssembly 3.0, rec groups).  Only structure is
 * checked here; comp_valid.c checks what the types refer to.
 */
#include "comp_types.h"

#include <string.h>

enum meld_status
comp_oom(struct bin_reader *r)
{
	return bin_fail_at(r, MELD_ENOMEM, bin_offset(r), "out of memory");
}

void *
comp_alloc_array(struct comp_rctx *x, struct bin_reader *r, size_t n,
		 size_t size)
{
	void *p = arena_alloc_array(x->arena, n ? n : 1, size);
	if (!p)
		(void)comp_oom(r);
	return p;
}

static bool
is_prim(uint8_t b)
{
	return (b >= COMP_PRIM_STRING && b <= COMP_PRIM_BOOL) ||
	       b == COMP_PRIM_ERROR_CONTEXT;
}

enum meld_status
comp_read_valtype(struct bin_reader *r, struct comp_valtype *out,
		  const char *what)
{
	if (bin_at_end(r))
		return bin_malformed(r, "%s: unexpected end", what);
	if (is_prim(*r->p)) {
		out->prim = (enum comp_prim)*r->p++;
		out->typeidx = 0;
		return MELD_OK;
	}
	const uint8_t *start = r->p;
	int64_t v;
	enum meld_status st = bin_read_s33(r, &v, what);
	if (st != MELD_OK)
		return st;
	if (v < 0) {
		r->p = start;
		return bin_malformed(r, "%s: invalid value type 0x%02x", what,
				     *start);
	}
	out->prim = COMP_PRIM_NONE;
	out->typeidx = (uint32_t)v;
	return MELD_OK;
}

/* ---- core value types ---------------------------------------------- */

static bool
is_abstract_heap(uint8_t b)
{
	return (b >= 0x68 && b <= 0x75);
}

static enum meld_status
read_heaptype(struct bin_reader *r, struct comp_core_valtype *out,
	      const char *what)
{
	uint8_t b;
	if (!bin_at_end(r) && *r->p == 0x65) {
		r->p++;
		out->shared = true;
		if (bin_read_u8(r, &b, what) != MELD_OK)
			return MELD_EMALFORMED;
		if (!is_abstract_heap(b))
			return bin_malformed(r, "%s: invalid shared heap type 0x%02x",
					     what, b);
		out->heap = (int64_t)b - 0x80;
		return MELD_OK;
	}
	const uint8_t *start = r->p;
	int64_t v;
	enum meld_status st = bin_read_s33(r, &v, what);
	if (st != MELD_OK)
		return st;
	if (v < 0 && !is_abstract_heap((uint8_t)(v + 0x80))) {
		r->p = start;
		return bin_malformed(r, "%s: invalid heap type", what);
	}
	out->heap = v;
	return MELD_OK;
}

enum meld_status
comp_read_core_valtype(struct bin_reader *r, struct comp_core_valtype *out,
		       bool storage, const char *what)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st != MELD_OK)
		return st;
	memset(out, 0, sizeof *out);
	if (b >= COMP_CORE_V128 && b <= COMP_CORE_I32) {
		out->code = (enum comp_core_valtype_code)b;
		return MELD_OK;
	}
	if (storage && (b == COMP_CORE_I8 || b == COMP_CORE_I16)) {
		out->code = (enum comp_core_valtype_code)b;
		return MELD_OK;
	}
	if (is_abstract_heap(b)) {
		out->code = COMP_CORE_REF_NULL;
		out->heap = (int64_t)b - 0x80;
		return MELD_OK;
	}
	if (b == COMP_CORE_REF || b == COMP_CORE_REF_NULL) {
		out->code = (enum comp_core_valtype_code)b;
		return read_heaptype(r, out, what);
	}
	r->p--;
	return bin_malformed(r, "%s: invalid core value type 0x%02x", what, b);
}

static enum meld_status
read_core_valtypes(struct comp_rctx *x, struct bin_reader *r,
		   struct comp_core_valtype **out, uint32_t *n,
		   const char *what)
{
	enum meld_status st = bin_read_count(r, n, 1, what);
	if (st != MELD_OK)
		return st;
	*out = comp_alloc_array(x, r, *n, sizeof **out);
	if (!*out)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < *n; i++) {
		st = comp_read_core_valtype(r, &(*out)[i], false, what);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

/* ---- sorts, names, extern types, aliases --------------------------- */

enum meld_status
comp_read_sort(struct bin_reader *r, enum comp_space *out, const char *what)
{
	const uint8_t *start = r->p;
	uint8_t sort, core_sort = 0;
	enum meld_status st = bin_read_u8(r, &sort, what);
	if (st == MELD_OK && sort == COMP_SORT_CORE)
		st = bin_read_u8(r, &core_sort, what);
	if (st != MELD_OK) {
		r->p = start;
		return st;
	}
	if (!comp_space_from_sort(sort, core_sort, out)) {
		r->p = start;
		if (sort == COMP_SORT_CORE)
			return bin_malformed(r, "%s: invalid core sort 0x%02x",
					     what, core_sort);
		return bin_malformed(r, "%s: invalid sort 0x%02x", what, sort);
	}
	return MELD_OK;
}

enum meld_status
comp_read_sortidx(struct bin_reader *r, struct comp_sortidx *out,
		  const char *what)
{
	enum meld_status st = comp_read_sort(r, &out->space, what);
	if (st != MELD_OK)
		return st;
	return bin_read_u32(r, &out->idx, what);
}

static enum meld_status
read_attribute(struct bin_reader *r, struct comp_extern_name *out)
{
	uint8_t b;
	struct bin_name n;
	enum meld_status st = bin_read_u8(r, &b, "name attribute");
	if (st != MELD_OK)
		return st;
	if (b > 0x02) {
		r->p--;
		return bin_malformed(r, "name attribute: invalid kind 0x%02x", b);
	}
	st = bin_read_name(r, &n, "name attribute");
	if (st != MELD_OK)
		return st;
	bool *has = b == 0x00 ? &out->has_implements
		    : b == 0x01 ? &out->has_version_suffix
				: &out->has_external_id;
	struct bin_name *slot = b == 0x00 ? &out->implements
				: b == 0x01 ? &out->version_suffix
					    : &out->external_id;
	if (*has)
		out->duplicate_attribute = true;
	*has = true;
	*slot = n;
	return MELD_OK;
}

enum meld_status
comp_read_extern_name(struct bin_reader *r, struct comp_extern_name *out,
		      const char *what)
{
	memset(out, 0, sizeof *out);
	out->offset = bin_offset(r);
	enum meld_status st = bin_read_u8(r, &out->form, what);
	if (st != MELD_OK)
		return st;
	if (out->form > 0x02) {
		r->p--;
		return bin_malformed(r, "%s: invalid name form 0x%02x", what,
				     out->form);
	}
	st = bin_read_name(r, &out->name, what);
	if (st != MELD_OK || out->form != 0x02)
		return st;
	uint32_t n;
	st = bin_read_count(r, &n, 2, "name attributes");
	for (uint32_t i = 0; st == MELD_OK && i < n; i++)
		st = read_attribute(r, out);
	return st;
}

enum comp_space
comp_extern_space(enum comp_extern_kind k)
{
	switch (k) {
	case COMP_EXTERN_MODULE: return COMP_SPACE_CORE_MODULE;
	case COMP_EXTERN_FUNC: return COMP_SPACE_FUNC;
	case COMP_EXTERN_VALUE: return COMP_SPACE_VALUE;
	case COMP_EXTERN_TYPE: return COMP_SPACE_TYPE;
	case COMP_EXTERN_COMPONENT: return COMP_SPACE_COMPONENT;
	case COMP_EXTERN_INSTANCE: return COMP_SPACE_INSTANCE;
	}
	return COMP_SPACE_COUNT;
}

/*
 * A type bound: (eq i) or (sub resource).  A value extern type (🪙) is
 * read as wasm-tools writes it, a bare valtype; Binary.md's `valuebound`
 * (0x00 eq / 0x01 valtype) is not what any encoder emits today.
 */
static enum meld_status
read_bound(struct bin_reader *r, struct comp_externtype *out)
{
	uint8_t b;
	if (out->kind == COMP_EXTERN_VALUE) {
		out->has_value_type = true;
		return comp_read_valtype(r, &out->value, "value type");
	}
	enum meld_status st = bin_read_u8(r, &b, "type bound");
	if (st != MELD_OK)
		return st;
	if (b == COMP_BOUND_SUB_RESOURCE) {
		out->bound = COMP_BOUND_SUB_RESOURCE;
		return MELD_OK;
	}
	if (b == COMP_BOUND_EQ) {
		out->bound = COMP_BOUND_EQ;
		return bin_read_u32(r, &out->idx, "type bound index");
	}
	r->p--;
	return bin_malformed(r, "type bound: invalid kind 0x%02x", b);
}

enum meld_status
comp_read_externtype(struct bin_reader *r, struct comp_externtype *out)
{
	const uint8_t *start = r->p;
	uint8_t b, b2;
	memset(out, 0, sizeof *out);
	enum meld_status st = bin_read_u8(r, &b, "extern type");
	if (st != MELD_OK)
		return st;
	switch (b) {
	case COMP_EXTERN_MODULE:
		st = bin_read_u8(r, &b2, "extern type");
		if (st == MELD_OK && b2 != COMP_CORE_SORT_MODULE) {
			r->p = start;
			return bin_malformed(r, "extern type: invalid core sort 0x%02x (only module)",
					     b2);
		}
		out->kind = COMP_EXTERN_MODULE;
		return st == MELD_OK ? bin_read_u32(r, &out->idx,
						    "module type index")
				     : st;
	case COMP_EXTERN_FUNC:
	case COMP_EXTERN_COMPONENT:
	case COMP_EXTERN_INSTANCE:
		out->kind = (enum comp_extern_kind)b;
		return bin_read_u32(r, &out->idx, "extern type index");
	case COMP_EXTERN_VALUE:
	case COMP_EXTERN_TYPE:
		out->kind = (enum comp_extern_kind)b;
		return read_bound(r, out);
	default:
		r->p = start;
		return bin_malformed(r, "extern type: invalid kind 0x%02x", b);
	}
}

enum meld_status
comp_read_alias(struct bin_reader *r, struct comp_alias *out)
{
	memset(out, 0, sizeof *out);
	out->offset = bin_offset(r);
	enum meld_status st = comp_read_sort(r, &out->space, "alias sort");
	if (st != MELD_OK)
		return st;
	uint8_t b;
	st = bin_read_u8(r, &b, "alias kind");
	if (st != MELD_OK)
		return st;
	switch (b) {
	case COMP_ALIAS_INSTANCE_EXPORT:
	case COMP_ALIAS_CORE_INSTANCE_EXPORT:
		out->kind = (enum comp_alias_kind)b;
		st = bin_read_u32(r, &out->instanceidx, "alias instance index");
		return st == MELD_OK ? bin_read_name(r, &out->name,
						     "alias export name")
				     : st;
	case COMP_ALIAS_OUTER:
		out->kind = COMP_ALIAS_OUTER;
		if (out->space != COMP_SPACE_CORE_MODULE &&
		    out->space != COMP_SPACE_CORE_TYPE &&
		    out->space != COMP_SPACE_TYPE &&
		    out->space != COMP_SPACE_COMPONENT)
			return bin_malformed(r, "outer alias: sort %s cannot be aliased from an outer scope",
					     comp_space_name(out->space));
		st = bin_read_u32(r, &out->outer_count, "outer alias count");
		return st == MELD_OK ? bin_read_u32(r, &out->outer_idx,
						    "outer alias index")
				     : st;
	default:
		r->p--;
		return bin_malformed(r, "alias: invalid kind 0x%02x", b);
	}
}

/* ---- defined value types ------------------------------------------- */

static enum meld_status
read_label(struct bin_reader *r, struct bin_name *out, const char *what)
{
	return bin_read_name(r, out, what);
}

static enum meld_status
read_fields(struct comp_rctx *x, struct bin_reader *r,
	    struct comp_field **out, uint32_t *n, const char *what)
{
	enum meld_status st = bin_read_count(r, n, 2, what);
	if (st != MELD_OK)
		return st;
	*out = comp_alloc_array(x, r, *n, sizeof **out);
	if (!*out)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < *n; i++) {
		st = read_label(r, &(*out)[i].label, what);
		if (st == MELD_OK)
			st = comp_read_valtype(r, &(*out)[i].type, what);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

static enum meld_status
read_opt_valtype(struct bin_reader *r, bool *has, struct comp_valtype *out,
		 const char *what)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st != MELD_OK)
		return st;
	if (b == 0x00) {
		*has = false;
		return MELD_OK;
	}
	if (b == 0x01) {
		*has = true;
		return comp_read_valtype(r, out, what);
	}
	r->p--;
	return bin_malformed(r, "%s: invalid optional value type flag 0x%02x",
			     what, b);
}

static enum meld_status
read_cases(struct comp_rctx *x, struct bin_reader *r, struct comp_defval *dv)
{
	uint32_t n;
	enum meld_status st = bin_read_count(r, &n, 3, "variant cases");
	if (st != MELD_OK)
		return st;
	struct comp_case *cases = comp_alloc_array(x, r, n, sizeof *cases);
	if (!cases)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t z;
		st = read_label(r, &cases[i].label, "variant case label");
		if (st == MELD_OK)
			st = read_opt_valtype(r, &cases[i].has_type,
					      &cases[i].type, "variant case type");
		if (st == MELD_OK)
			st = bin_read_u8(r, &z, "variant case end");
		if (st != MELD_OK)
			return st;
		if (z != 0x00) {
			r->p--;
			return bin_malformed(r, "variant case: expected 0x00, found 0x%02x (refines is gone)",
					     z);
		}
	}
	dv->variant.cases = cases;
	dv->variant.ncases = n;
	return MELD_OK;
}

static enum meld_status
read_labels(struct comp_rctx *x, struct bin_reader *r, struct comp_defval *dv,
	    const char *what)
{
	uint32_t n;
	enum meld_status st = bin_read_count(r, &n, 1, what);
	if (st != MELD_OK)
		return st;
	struct bin_name *labels = comp_alloc_array(x, r, n, sizeof *labels);
	if (!labels)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		st = read_label(r, &labels[i], what);
		if (st != MELD_OK)
			return st;
	}
	dv->labels.labels = labels;
	dv->labels.nlabels = n;
	return MELD_OK;
}

static enum meld_status
read_tuple(struct comp_rctx *x, struct bin_reader *r, struct comp_defval *dv)
{
	uint32_t n;
	enum meld_status st = bin_read_count(r, &n, 1, "tuple types");
	if (st != MELD_OK)
		return st;
	struct comp_valtype *types = comp_alloc_array(x, r, n, sizeof *types);
	if (!types)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		st = comp_read_valtype(r, &types[i], "tuple type");
		if (st != MELD_OK)
			return st;
	}
	dv->tuple.types = types;
	dv->tuple.ntypes = n;
	return MELD_OK;
}

static enum meld_status
read_defval(struct comp_rctx *x, struct bin_reader *r, uint8_t op,
	    struct comp_defval *dv)
{
	dv->kind = (enum comp_defval_kind)op;
	switch (op) {
	case COMP_DEFVAL_RECORD:
		return read_fields(x, r, &dv->record.fields,
				   &dv->record.nfields, "record fields");
	case COMP_DEFVAL_VARIANT:
		return read_cases(x, r, dv);
	case COMP_DEFVAL_LIST:
		return comp_read_valtype(r, &dv->list.elem, "list element type");
	case COMP_DEFVAL_FIXED_LIST:
		if (comp_read_valtype(r, &dv->list.elem, "list element type") !=
		    MELD_OK)
			return MELD_EMALFORMED;
		return bin_read_u32(r, &dv->list.len, "fixed list length");
	case COMP_DEFVAL_TUPLE:
		return read_tuple(x, r, dv);
	case COMP_DEFVAL_FLAGS:
		return read_labels(x, r, dv, "flags labels");
	case COMP_DEFVAL_ENUM:
		return read_labels(x, r, dv, "enum labels");
	case COMP_DEFVAL_OPTION:
		return comp_read_valtype(r, &dv->option, "option type");
	case COMP_DEFVAL_RESULT:
		if (read_opt_valtype(r, &dv->result.has_ok, &dv->result.ok,
				     "result ok type") != MELD_OK)
			return MELD_EMALFORMED;
		return read_opt_valtype(r, &dv->result.has_err, &dv->result.err,
					"result error type");
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW:
		return bin_read_u32(r, &dv->resource_typeidx,
				    "handle resource type index");
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		return read_opt_valtype(r, &dv->async_elem.has_elem,
					&dv->async_elem.elem,
					op == COMP_DEFVAL_STREAM ? "stream type"
								 : "future type");
	case COMP_DEFVAL_MAP:
		if (comp_read_valtype(r, &dv->map.key, "map key type") != MELD_OK)
			return MELD_EMALFORMED;
		return comp_read_valtype(r, &dv->map.value, "map value type");
	default:
		r->p--;
		return bin_malformed(r, "type: invalid type opcode 0x%02x", op);
	}
}

/* ---- function, resource, component and instance types -------------- */

static enum meld_status
read_functype(struct comp_rctx *x, struct bin_reader *r, uint8_t op,
	      struct comp_functype *ft)
{
	ft->async = op == 0x43;
	enum meld_status st = read_fields(x, r, &ft->params, &ft->nparams,
					  "function parameters");
	if (st != MELD_OK)
		return st;
	uint8_t b, z;
	st = bin_read_u8(r, &b, "function results");
	if (st != MELD_OK)
		return st;
	if (b == 0x00) {
		ft->has_result = true;
		return comp_read_valtype(r, &ft->result, "function result");
	}
	if (b == 0x01) {
		st = bin_read_u8(r, &z, "function results");
		if (st == MELD_OK && z != 0x00) {
			r->p--;
			return bin_malformed(r, "function results: named results are not allowed (count %u)",
					     z);
		}
		return st;
	}
	r->p--;
	return bin_malformed(r, "function results: invalid kind 0x%02x", b);
}

static enum meld_status
read_resource(struct bin_reader *r, struct comp_resource *res)
{
	struct comp_core_valtype rep;
	enum meld_status st =
		comp_read_core_valtype(r, &rep, false, "resource representation");
	if (st != MELD_OK)
		return st;
	res->rep = rep.code;
	res->rep_offset = bin_offset(r);
	uint8_t b;
	st = bin_read_u8(r, &b, "resource destructor");
	if (st != MELD_OK)
		return st;
	if (b == 0x01) {
		res->has_dtor = true;
		return bin_read_u32(r, &res->dtor_funcidx,
				    "resource destructor index");
	}
	if (b != 0x00) {
		r->p--;
		return bin_malformed(r, "resource destructor: invalid flag 0x%02x", b);
	}
	return MELD_OK;
}

static enum meld_status read_decltype(struct comp_rctx *x,
				      struct bin_reader *r, bool component,
				      struct comp_decltype *dt);

enum meld_status
comp_read_type(struct comp_rctx *x, struct bin_reader *r, struct comp_type *out)
{
	memset(out, 0, sizeof *out);
	out->offset = bin_offset(r);
	uint8_t op;
	enum meld_status st = bin_read_u8(r, &op, "type");
	if (st != MELD_OK)
		return st;
	if (is_prim(op)) {
		out->kind = COMP_TYPE_DEFVAL;
		out->defval.kind = COMP_DEFVAL_PRIM;
		out->defval.prim = (enum comp_prim)op;
		return MELD_OK;
	}
	switch (op) {
	case 0x40:
	case 0x43:
		out->kind = COMP_TYPE_FUNC;
		return read_functype(x, r, op, &out->func);
	case COMP_TYPE_COMPONENT:
	case COMP_TYPE_INSTANCE:
		out->kind = (enum comp_type_kind)op;
		return read_decltype(x, r, op == COMP_TYPE_COMPONENT,
				     &out->decl);
	case COMP_TYPE_RESOURCE:
		out->kind = COMP_TYPE_RESOURCE;
		return read_resource(r, &out->resource);
	default:
		out->kind = COMP_TYPE_DEFVAL;
		return read_defval(x, r, op, &out->defval);
	}
}

/* Count one new index in a type's local space; UINT32_MAX if none. */
static void
decl_introduce(struct comp_decltype *dt, struct comp_decl *d,
	       enum comp_space s, uint32_t n)
{
	d->space = s;
	d->local_idx = dt->nlocal[s];
	dt->nlocal[s] += n;
}

static enum meld_status
read_decl(struct comp_rctx *x, struct bin_reader *r, bool component,
	  struct comp_decltype *dt, struct comp_decl *d)
{
	uint8_t b;
	d->offset = bin_offset(r);
	d->space = COMP_SPACE_COUNT;
	d->local_idx = UINT32_MAX;
	enum meld_status st = bin_read_u8(r, &b, "type declarator");
	if (st != MELD_OK)
		return st;
	d->kind = (enum comp_decl_kind)b;
	switch (b) {
	case COMP_DECL_CORE_TYPE:
		d->core_type = arena_alloc(x->arena, sizeof *d->core_type);
		if (!d->core_type)
			return comp_oom(r);
		st = comp_read_core_type(x, r, d->core_type);
		if (st == MELD_OK)
			decl_introduce(dt, d, COMP_SPACE_CORE_TYPE,
				       d->core_type->is_module
					       ? 1
					       : d->core_type->nsubs);
		return st;
	case COMP_DECL_TYPE:
		d->type = arena_alloc(x->arena, sizeof *d->type);
		if (!d->type)
			return comp_oom(r);
		st = comp_read_type(x, r, d->type);
		if (st == MELD_OK)
			decl_introduce(dt, d, COMP_SPACE_TYPE, 1);
		return st;
	case COMP_DECL_ALIAS:
		st = comp_read_alias(r, &d->alias);
		if (st == MELD_OK) {
			decl_introduce(dt, d, d->alias.space, 1);
			d->alias.idx = d->local_idx;
		}
		return st;
	case COMP_DECL_IMPORT:
	case COMP_DECL_EXPORT:
		if (b == COMP_DECL_IMPORT && !component)
			break;
		st = comp_read_extern_name(r, &d->name, b == COMP_DECL_IMPORT
								? "import name"
								: "export name");
		if (st == MELD_OK)
			st = comp_read_externtype(r, &d->ext);
		if (st == MELD_OK)
			decl_introduce(dt, d, comp_extern_space(d->ext.kind), 1);
		return st;
	default:
		break;
	}
	r->p--;
	return bin_malformed(r, "%s type declarator: invalid kind 0x%02x",
			     component ? "component" : "instance", b);
}

static enum meld_status
read_decltype(struct comp_rctx *x, struct bin_reader *r, bool component,
	      struct comp_decltype *dt)
{
	if (x->depth >= COMP_MAX_NESTING)
		return bin_malformed(r, "type: nesting deeper than %d",
				     COMP_MAX_NESTING);
	uint32_t n;
	enum meld_status st = bin_read_count(r, &n, 2, "type declarators");
	if (st != MELD_OK)
		return st;
	dt->decls = comp_alloc_array(x, r, n, sizeof *dt->decls);
	if (!dt->decls)
		return MELD_ENOMEM;
	dt->ndecls = n;
	x->depth++;
	for (uint32_t i = 0; i < n && st == MELD_OK; i++)
		st = read_decl(x, r, component, dt, &dt->decls[i]);
	x->depth--;
	return st;
}

/* ---- core types ---------------------------------------------------- */

static enum meld_status
read_limits(struct bin_reader *r, struct comp_core_limits *l, bool memory)
{
	enum meld_status st = bin_read_u8(r, &l->flags, "limits flags");
	if (st != MELD_OK)
		return st;
	uint8_t allowed = memory ? 0x0f : 0x07;
	if (l->flags & ~allowed) {
		r->p--;
		return bin_malformed(r, "limits: invalid flags 0x%02x", l->flags);
	}
	bool is64 = (l->flags & 0x04) != 0;
	uint32_t v32;
	if (is64)
		st = bin_read_u64(r, &l->min, "limits minimum");
	else if ((st = bin_read_u32(r, &v32, "limits minimum")) == MELD_OK)
		l->min = v32;
	if (st != MELD_OK || !(l->flags & 0x01))
		goto page;
	if (is64)
		st = bin_read_u64(r, &l->max, "limits maximum");
	else if ((st = bin_read_u32(r, &v32, "limits maximum")) == MELD_OK)
		l->max = v32;
page:
	if (st == MELD_OK && (l->flags & 0x08))
		st = bin_read_u32(r, &l->page_size_log2, "memory page size");
	return st;
}

static enum meld_status
read_core_externtype(struct bin_reader *r, struct comp_core_externtype *e)
{
	uint8_t b, mut;
	memset(e, 0, sizeof *e);
	enum meld_status st = bin_read_u8(r, &b, "core extern type");
	if (st != MELD_OK)
		return st;
	e->kind = (enum comp_core_extern_kind)b;
	switch (b) {
	case COMP_CORE_EXTERN_FUNC:
		return bin_read_u32(r, &e->typeidx, "core func type index");
	case COMP_CORE_EXTERN_TABLE:
		st = comp_read_core_valtype(r, &e->type, false, "table element type");
		if (st == MELD_OK && e->type.code != COMP_CORE_REF &&
		    e->type.code != COMP_CORE_REF_NULL)
			return bin_malformed(r, "table element type: not a reference type");
		return st == MELD_OK ? read_limits(r, &e->limits, false) : st;
	case COMP_CORE_EXTERN_MEMORY:
		return read_limits(r, &e->limits, true);
	case COMP_CORE_EXTERN_GLOBAL:
		st = comp_read_core_valtype(r, &e->type, false, "global type");
		if (st == MELD_OK)
			st = bin_read_u8(r, &mut, "global mutability");
		if (st == MELD_OK && (mut & ~0x03u)) {
			r->p--;
			return bin_malformed(r, "global mutability: invalid flag 0x%02x", mut);
		}
		e->mut = (mut & 0x01) != 0;
		return st;
	case COMP_CORE_EXTERN_TAG:
		st = bin_read_u8(r, &mut, "tag attribute");
		if (st == MELD_OK && mut != 0x00) {
			r->p--;
			return bin_malformed(r, "tag attribute: invalid 0x%02x", mut);
		}
		return st == MELD_OK ? bin_read_u32(r, &e->typeidx,
						    "tag type index")
				     : st;
	default:
		r->p--;
		return bin_malformed(r, "core extern type: invalid kind 0x%02x", b);
	}
}

static enum meld_status
read_fieldtype(struct bin_reader *r, struct comp_core_field *f)
{
	uint8_t mut;
	enum meld_status st =
		comp_read_core_valtype(r, &f->type, true, "field type");
	if (st == MELD_OK)
		st = bin_read_u8(r, &mut, "field mutability");
	if (st == MELD_OK && mut > 1) {
		r->p--;
		return bin_malformed(r, "field mutability: invalid flag 0x%02x", mut);
	}
	f->mut = mut == 1;
	return st;
}

static enum meld_status
read_comptype(struct comp_rctx *x, struct bin_reader *r,
	      struct comp_core_subtype *s)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, "core composite type");
	if (st == MELD_OK && b == 0x65) {
		s->shared = true;
		st = bin_read_u8(r, &b, "core composite type");
	}
	if (st != MELD_OK)
		return st;
	s->kind = (enum comp_core_comp_kind)b;
	switch (b) {
	case COMP_CORE_COMP_FUNC:
		st = read_core_valtypes(x, r, &s->params, &s->nparams,
					"core func parameters");
		return st == MELD_OK ? read_core_valtypes(x, r, &s->results,
							  &s->nresults,
							  "core func results")
				     : st;
	case COMP_CORE_COMP_STRUCT:
		st = bin_read_count(r, &s->nfields, 2, "struct fields");
		if (st != MELD_OK)
			return st;
		break;
	case COMP_CORE_COMP_ARRAY:
		s->nfields = 1;
		break;
	case COMP_CORE_COMP_CONT:
		return bin_read_u32(r, &s->cont_typeidx, "cont type index");
	default:
		r->p--;
		return bin_malformed(r, "core type: invalid composite type 0x%02x", b);
	}
	s->fields = comp_alloc_array(x, r, s->nfields, sizeof *s->fields);
	if (!s->fields)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < s->nfields && st == MELD_OK; i++)
		st = read_fieldtype(r, &s->fields[i]);
	return st;
}

static enum meld_status
read_subtype(struct comp_rctx *x, struct bin_reader *r,
	     struct comp_core_subtype *s)
{
	memset(s, 0, sizeof *s);
	s->final = true;
	if (!bin_at_end(r) && (*r->p == 0x50 || *r->p == 0x4f)) {
		s->final = *r->p++ == 0x4f;
		enum meld_status st =
			bin_read_count(r, &s->nsupers, 1, "supertypes");
		if (st != MELD_OK)
			return st;
		s->supers = comp_alloc_array(x, r, s->nsupers, sizeof *s->supers);
		if (!s->supers)
			return MELD_ENOMEM;
		for (uint32_t i = 0; i < s->nsupers; i++) {
			st = bin_read_u32(r, &s->supers[i], "supertype index");
			if (st != MELD_OK)
				return st;
		}
	}
	return read_comptype(x, r, s);
}

static enum meld_status
read_rec_group(struct comp_rctx *x, struct bin_reader *r,
	       struct comp_core_typedef *out)
{
	uint32_t n = 1;
	enum meld_status st;
	if (!bin_at_end(r) && *r->p == 0x4e) {
		r->p++;
		out->explicit_rec = true;
		st = bin_read_count(r, &n, 1, "rec group types");
		if (st != MELD_OK)
			return st;
	}
	out->subs = comp_alloc_array(x, r, n, sizeof *out->subs);
	if (!out->subs)
		return MELD_ENOMEM;
	out->nsubs = n;
	for (uint32_t i = 0; i < n; i++) {
		st = read_subtype(x, r, &out->subs[i]);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

static enum meld_status
read_module_decl(struct comp_rctx *x, struct bin_reader *r,
		 struct comp_core_typedef *mt, struct comp_module_decl *d)
{
	uint8_t b, sort, kind;
	d->offset = bin_offset(r);
	d->local_idx = UINT32_MAX;
	enum meld_status st = bin_read_u8(r, &b, "module type declarator");
	if (st != MELD_OK)
		return st;
	d->kind = (enum comp_module_decl_kind)b;
	switch (b) {
	case COMP_MODULE_DECL_IMPORT:
		st = bin_read_name(r, &d->module, "import module name");
		if (st == MELD_OK)
			st = bin_read_name(r, &d->name, "import name");
		return st == MELD_OK ? read_core_externtype(r, &d->ext) : st;
	case COMP_MODULE_DECL_TYPE:
		/* inside a module type, 0x50 is a sub type, never a module */
		d->type = arena_alloc(x->arena, sizeof *d->type);
		if (!d->type)
			return comp_oom(r);
		d->type->offset = bin_offset(r);
		st = read_rec_group(x, r, d->type);
		if (st == MELD_OK) {
			d->local_idx = mt->nlocal_types;
			mt->nlocal_types += d->type->nsubs;
		}
		return st;
	case COMP_MODULE_DECL_ALIAS:
		st = bin_read_u8(r, &sort, "module type alias sort");
		if (st == MELD_OK && sort != COMP_CORE_SORT_TYPE) {
			r->p--;
			return bin_malformed(r, "module type alias: invalid sort 0x%02x (only type)",
					     sort);
		}
		if (st == MELD_OK)
			st = bin_read_u8(r, &kind, "module type alias kind");
		if (st == MELD_OK && kind != 0x01) {
			r->p--;
			return bin_malformed(r, "module type alias: invalid kind 0x%02x (only outer)",
					     kind);
		}
		if (st == MELD_OK)
			st = bin_read_u32(r, &d->outer_count, "outer alias count");
		if (st == MELD_OK)
			st = bin_read_u32(r, &d->outer_idx, "outer alias index");
		if (st == MELD_OK)
			d->local_idx = mt->nlocal_types++;
		return st;
	case COMP_MODULE_DECL_EXPORT:
		st = bin_read_name(r, &d->name, "export name");
		return st == MELD_OK ? read_core_externtype(r, &d->ext) : st;
	default:
		r->p--;
		return bin_malformed(r, "module type declarator: invalid kind 0x%02x", b);
	}
}

static enum meld_status
read_module_type(struct comp_rctx *x, struct bin_reader *r,
		 struct comp_core_typedef *out)
{
	if (x->depth >= COMP_MAX_NESTING)
		return bin_malformed(r, "core type: nesting deeper than %d",
				     COMP_MAX_NESTING);
	out->is_module = true;
	enum meld_status st =
		bin_read_count(r, &out->ndecls, 2, "module type declarators");
	if (st != MELD_OK)
		return st;
	out->decls = comp_alloc_array(x, r, out->ndecls, sizeof *out->decls);
	if (!out->decls)
		return MELD_ENOMEM;
	x->depth++;
	for (uint32_t i = 0; i < out->ndecls && st == MELD_OK; i++)
		st = read_module_decl(x, r, out, &out->decls[i]);
	x->depth--;
	return st;
}

enum meld_status
comp_read_core_type(struct comp_rctx *x, struct bin_reader *r,
		    struct comp_core_typedef *out)
{
	memset(out, 0, sizeof *out);
	out->offset = bin_offset(r);
	if (bin_at_end(r))
		return bin_malformed(r, "core type: unexpected end");
	if (*r->p == 0x50) {
		r->p++;
		return read_module_type(x, r, out);
	}
	if (*r->p == 0x00) {
		/* a non-final sub type, prefixed to tell it from a module type */
		if (bin_left(r) < 2 || r->p[1] != 0x50) {
			r->p++;
			return bin_malformed(r, "core type: 0x00 must be followed by a non-final sub type (0x50)");
		}
		r->p++;
	}
	return read_rec_group(x, r, out);
}
