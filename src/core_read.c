/*
 * core_read: the binary format of a core module (core spec 3.0, 5.5
 * "Modules" with 5.3 "Types" and 5.4.9 "Expressions"), and the name
 * section of the custom-section appendix.
 *
 * Every section is checked entry by entry, so a module core_read accepts
 * can be written back by core_write without surprises; code bodies are
 * the exception: only their sizes are read here, the body rewriter
 * decodes them when they are written.  Constant expressions are walked
 * here (their length is only known by decoding them); anything in them
 * but a constant instruction is refused as invalid.
 */
#include "core_module.h"

#include <string.h>

/* Reading state besides the module: vector lengths for arena_push. */
struct rd {
	struct arena *a;
	struct core_module *m;
	size_t ntypes, types_cap;
	size_t nsections, sections_cap;
	size_t len[CORE_SPACE_COUNT], cap[CORE_SPACE_COUNT];
	uint32_t nfunc_decls; /* function section count */
	const uint8_t *code_at, *data_at; /* for count mismatch offsets */
};

static enum meld_status
rd_nomem(struct bin_reader *r)
{
	return bin_fail_at(r, MELD_ENOMEM, bin_offset(r), "out of memory");
}

static void *
rd_push(struct rd *rd, enum core_space s, struct bin_reader *r)
{
	struct core_module *m = rd->m;
	void *slot = NULL;
	switch (s) {
	case CORE_SPACE_FUNC:
		slot = arena_push(rd->a, (void **)&m->funcs, &rd->len[s],
				  &rd->cap[s], sizeof *m->funcs);
		break;
	case CORE_SPACE_TABLE:
		slot = arena_push(rd->a, (void **)&m->tables, &rd->len[s],
				  &rd->cap[s], sizeof *m->tables);
		break;
	case CORE_SPACE_MEMORY:
		slot = arena_push(rd->a, (void **)&m->memories, &rd->len[s],
				  &rd->cap[s], sizeof *m->memories);
		break;
	case CORE_SPACE_GLOBAL:
		slot = arena_push(rd->a, (void **)&m->globals, &rd->len[s],
				  &rd->cap[s], sizeof *m->globals);
		break;
	case CORE_SPACE_TAG:
		slot = arena_push(rd->a, (void **)&m->tags, &rd->len[s],
				  &rd->cap[s], sizeof *m->tags);
		break;
	default:
		break;
	}
	if (!slot)
		rd_nomem(r);
	return slot;
}

/* ---- types ---- */

static bool
is_abstract_heap(uint8_t b)
{
	return b >= CORE_HEAP_EXN && b <= CORE_HEAP_NOEXN;
}

static enum meld_status
read_heaptype(struct bin_reader *r, struct core_valtype *vt, const char *what)
{
	if (r->p < r->end && is_abstract_heap(*r->p)) {
		vt->heap = *r->p++;
		vt->typeidx = 0;
		return MELD_OK;
	}
	const uint8_t *start = r->p;
	int64_t v;
	enum meld_status st = bin_read_s33(r, &v, what);
	if (st != MELD_OK)
		return st;
	if (v < 0) {
		r->p = start;
		return bin_malformed(r, "%s: unknown heap type 0x%02x", what,
				     *start);
	}
	vt->heap = 0;
	vt->typeidx = (uint32_t)v;
	return MELD_OK;
}

static enum meld_status
read_reftype_or_valtype(struct bin_reader *r, struct core_valtype *vt,
			bool ref_only, const char *what)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st != MELD_OK)
		return st;
	memset(vt, 0, sizeof *vt);
	switch (b) {
	case CORE_VALTYPE_I32:
	case CORE_VALTYPE_I64:
	case CORE_VALTYPE_F32:
	case CORE_VALTYPE_F64:
	case CORE_VALTYPE_V128:
		if (ref_only)
			break;
		vt->code = b;
		return MELD_OK;
	case CORE_VALTYPE_REF_NULL:
	case CORE_VALTYPE_REF:
		vt->code = b;
		return read_heaptype(r, vt, what);
	default:
		if (!is_abstract_heap(b))
			break;
		vt->code = CORE_VALTYPE_REF_NULL;
		vt->heap = b;
		return MELD_OK;
	}
	r->p--;
	return bin_malformed(r, "%s: unknown %s 0x%02x", what,
			     ref_only ? "reference type" : "value type", b);
}

static enum meld_status
read_valtype(struct bin_reader *r, struct core_valtype *vt, const char *what)
{
	return read_reftype_or_valtype(r, vt, false, what);
}

static enum meld_status
read_reftype(struct bin_reader *r, struct core_valtype *vt, const char *what)
{
	return read_reftype_or_valtype(r, vt, true, what);
}

static enum meld_status
read_mut(struct bin_reader *r, bool *out, const char *what)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st != MELD_OK)
		return st;
	if (b > 1) {
		r->p--;
		return bin_malformed(r, "%s: mutability 0x%02x", what, b);
	}
	*out = b == 1;
	return MELD_OK;
}

static enum meld_status
read_field(struct bin_reader *r, struct core_field *f)
{
	enum meld_status st;
	if (r->p < r->end &&
	    (*r->p == CORE_PACKED_I8 || *r->p == CORE_PACKED_I16)) {
		f->packed = *r->p++;
	} else {
		st = read_valtype(r, &f->type, "field type");
		if (st != MELD_OK)
			return st;
	}
	return read_mut(r, &f->mutable, "field");
}

static enum meld_status
read_valtypes(struct rd *rd, struct bin_reader *r, uint32_t *n,
	      const struct core_valtype **out, const char *what)
{
	enum meld_status st = bin_read_count(r, n, 1, what);
	if (st != MELD_OK)
		return st;
	struct core_valtype *v = NULL;
	if (*n) {
		v = arena_alloc_array(rd->a, *n, sizeof *v);
		if (!v)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; i < *n; i++) {
		st = read_valtype(r, &v[i], what);
		if (st != MELD_OK)
			return st;
	}
	*out = v;
	return MELD_OK;
}

static enum meld_status
read_fields(struct rd *rd, struct bin_reader *r, struct core_type *t)
{
	enum meld_status st = MELD_OK;
	uint32_t n = 1;
	if (t->kind == CORE_COMP_STRUCT)
		st = bin_read_count(r, &n, 2, "struct field count");
	if (st != MELD_OK)
		return st;
	struct core_field *f = NULL;
	if (n) {
		f = arena_alloc_array(rd->a, n, sizeof *f);
		if (!f)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; i < n; i++) {
		st = read_field(r, &f[i]);
		if (st != MELD_OK)
			return st;
	}
	t->nfields = n;
	t->fields = f;
	return MELD_OK;
}

static enum meld_status
read_supertypes(struct bin_reader *r, struct core_type *t)
{
	uint8_t b = *r->p++;
	t->final = b == 0x4f;
	uint32_t n;
	enum meld_status st = bin_read_count(r, &n, 1, "supertype count");
	if (st != MELD_OK)
		return st;
	if (n > 1)
		return bin_fail_at(r, MELD_EINVALID, bin_offset(r),
				   "subtype: %u supertypes, at most 1 allowed",
				   n);
	if (n == 1)
		return bin_read_u32(r, &t->supertype, "supertype index");
	return MELD_OK;
}

static enum meld_status
read_subtype(struct rd *rd, struct bin_reader *r, struct core_type *t)
{
	enum meld_status st;
	t->final = true;
	t->supertype = CORE_NO_INDEX;
	if (r->p < r->end && (*r->p == 0x50 || *r->p == 0x4f)) {
		st = read_supertypes(r, t);
		if (st != MELD_OK)
			return st;
	}
	uint8_t kind;
	st = bin_read_u8(r, &kind, "composite type");
	if (st != MELD_OK)
		return st;
	t->kind = kind;
	switch (kind) {
	case CORE_COMP_FUNC:
		st = read_valtypes(rd, r, &t->nparams, &t->params,
				   "parameter type");
		if (st != MELD_OK)
			return st;
		return read_valtypes(rd, r, &t->nresults, &t->results,
				     "result type");
	case CORE_COMP_STRUCT:
	case CORE_COMP_ARRAY:
		return read_fields(rd, r, t);
	default:
		r->p--;
		return bin_malformed(r, "type: unknown composite type 0x%02x",
				     kind);
	}
}

static enum meld_status
read_rec_group(struct rd *rd, struct bin_reader *r, uint32_t groupidx)
{
	struct core_module *m = rd->m;
	struct core_rec_group *g = &m->groups[groupidx];
	enum meld_status st;
	uint32_t n = 1;
	g->p = r->p;
	g->first_typeidx = (uint32_t)rd->ntypes;
	if (r->p < r->end && *r->p == 0x4e) {
		r->p++;
		st = bin_read_count(r, &n, 2, "rec group size");
		if (st != MELD_OK)
			return st;
	}
	if (rd->ntypes + n > UINT32_MAX - 1)
		return bin_malformed(r, "type: too many types");
	for (uint32_t i = 0; i < n; i++) {
		struct core_type *t = arena_push(rd->a, (void **)&m->types,
						 &rd->ntypes, &rd->types_cap,
						 sizeof *t);
		if (!t)
			return rd_nomem(r);
		t->group = groupidx;
		st = read_subtype(rd, r, t);
		if (st != MELD_OK)
			return st;
	}
	g->ntypes = n;
	g->end = r->p;
	return MELD_OK;
}

/* ---- constant expressions, limits ---- */

static enum meld_status
skip_prefixed_const(struct bin_reader *r, uint8_t prefix, size_t off,
		    const char *what)
{
	uint32_t sub, x;
	const uint8_t *bytes;
	enum meld_status st = bin_read_u32(r, &sub, what);
	if (st != MELD_OK)
		return st;
	if (prefix == 0xfd && sub == 12)
		return bin_read_bytes(r, 16, &bytes, what);
	if (prefix == 0xfb) {
		switch (sub) {
		case 0: case 1: case 6: case 7:
			return bin_read_u32(r, &x, what);
		case 8:
			st = bin_read_u32(r, &x, what);
			if (st != MELD_OK)
				return st;
			return bin_read_u32(r, &x, what);
		case 26: case 27: case 28:
			return MELD_OK;
		default:
			break;
		}
	}
	return bin_fail_at(r, MELD_EINVALID, off,
			   "%s: instruction 0x%02x %u is not constant", what,
			   prefix, sub);
}

/* Skip one constant expression, its `end` included. */
static enum meld_status
skip_const_expr(struct bin_reader *r, const char *what)
{
	enum meld_status st = MELD_OK;
	for (;;) {
		size_t off = bin_offset(r);
		uint8_t op;
		int32_t s32;
		int64_t s64;
		uint32_t u32;
		uint64_t u64;
		struct core_valtype vt;
		st = bin_read_u8(r, &op, what);
		if (st != MELD_OK)
			return st;
		switch (op) {
		case 0x0b:
			return MELD_OK;
		case 0x41: st = bin_read_s32(r, &s32, what); break;
		case 0x42: st = bin_read_s64(r, &s64, what); break;
		case 0x43: st = bin_read_fixed32(r, &u32, what); break;
		case 0x44: st = bin_read_fixed64(r, &u64, what); break;
		case 0x23: /* global.get */
		case 0xd2: /* ref.func */
			st = bin_read_u32(r, &u32, what);
			break;
		case 0xd0: st = read_heaptype(r, &vt, what); break;
		case 0x6a: case 0x6b: case 0x6c: /* i32.add sub mul */
		case 0x7c: case 0x7d: case 0x7e: /* i64.add sub mul */
			break;
		case 0xfb:
		case 0xfd:
			st = skip_prefixed_const(r, op, off, what);
			break;
		default:
			return bin_fail_at(r, MELD_EINVALID, off,
					   "%s: instruction 0x%02x is not constant",
					   what, op);
		}
		if (st != MELD_OK)
			return st;
	}
}

static enum meld_status
read_limits(struct bin_reader *r, struct core_limits *l, bool table,
	    const char *what)
{
	uint8_t allowed = table ? 0x05 : 0x07;
	enum meld_status st = bin_read_u8(r, &l->flags, what);
	if (st != MELD_OK)
		return st;
	if (l->flags & ~allowed) {
		r->p--;
		return bin_malformed(r, "%s: limits flags 0x%02x", what,
				     l->flags);
	}
	bool is64 = l->flags & CORE_LIMITS_64;
	uint32_t v32;
	if (is64)
		st = bin_read_u64(r, &l->min, what);
	else if ((st = bin_read_u32(r, &v32, what)) == MELD_OK)
		l->min = v32;
	if (st != MELD_OK || !(l->flags & CORE_LIMITS_HAS_MAX))
		return st;
	if (is64)
		return bin_read_u64(r, &l->max, what);
	st = bin_read_u32(r, &v32, what);
	l->max = v32;
	return st;
}

static enum meld_status
read_tabletype(struct bin_reader *r, struct core_table *t)
{
	enum meld_status st = read_reftype(r, &t->elem, "table element type");
	if (st != MELD_OK)
		return st;
	return read_limits(r, &t->limits, true, "table");
}

static enum meld_status
read_globaltype(struct bin_reader *r, struct core_global *g)
{
	enum meld_status st = read_valtype(r, &g->type, "global type");
	if (st != MELD_OK)
		return st;
	return read_mut(r, &g->mutable, "global");
}

static enum meld_status
read_tagtype(struct bin_reader *r, uint32_t *typeidx)
{
	uint8_t attr;
	enum meld_status st = bin_read_u8(r, &attr, "tag attribute");
	if (st != MELD_OK)
		return st;
	if (attr != 0) {
		r->p--;
		return bin_malformed(r, "tag attribute 0x%02x", attr);
	}
	return bin_read_u32(r, typeidx, "tag type index");
}

/* ---- sections ---- */

static enum meld_status
read_count(struct bin_reader *r, struct core_section *s, size_t min_elem,
	   const char *what)
{
	const uint8_t *p = r->p;
	enum meld_status st = bin_read_count(r, &s->count, min_elem, what);
	s->count_width = (uint8_t)(r->p - p);
	return st;
}

static enum meld_status
read_type_section(struct rd *rd, struct bin_reader *r, struct core_section *s)
{
	struct core_module *m = rd->m;
	enum meld_status st = read_count(r, s, 2, "type count");
	if (st != MELD_OK)
		return st;
	if (s->count) {
		m->groups = arena_alloc_array(rd->a, s->count,
					      sizeof *m->groups);
		if (!m->groups)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; i < s->count; i++) {
		st = read_rec_group(rd, r, i);
		if (st != MELD_OK)
			return st;
	}
	m->ngroups = s->count;
	m->space_len[CORE_SPACE_TYPE] = (uint32_t)rd->ntypes;
	return MELD_OK;
}

static enum meld_status
read_import_desc(struct rd *rd, struct bin_reader *r, struct core_import *im,
		 uint32_t importidx)
{
	enum core_space s = core_extern_space(im->kind);
	void *slot = rd_push(rd, s, r);
	if (!slot)
		return MELD_ENOMEM;
	im->index = (uint32_t)rd->len[s] - 1;
	switch (im->kind) {
	case CORE_EXTERN_FUNC: {
		struct core_func *f = slot;
		f->import = importidx;
		return bin_read_u32(r, &f->typeidx, "import type index");
	}
	case CORE_EXTERN_TABLE:
		((struct core_table *)slot)->import = importidx;
		return read_tabletype(r, slot);
	case CORE_EXTERN_MEMORY:
		((struct core_memory *)slot)->import = importidx;
		return read_limits(r, &((struct core_memory *)slot)->limits,
				   false, "memory");
	case CORE_EXTERN_GLOBAL:
		((struct core_global *)slot)->import = importidx;
		return read_globaltype(r, slot);
	default:
		((struct core_tag *)slot)->import = importidx;
		return read_tagtype(r, &((struct core_tag *)slot)->typeidx);
	}
}

static void
set_import_range(struct core_module *m, struct core_import *im)
{
	enum core_space s = core_extern_space(im->kind);
	const uint8_t *p = im->p, *end = im->end;
	switch (s) {
	case CORE_SPACE_FUNC:
		m->funcs[im->index].p = p, m->funcs[im->index].end = end;
		break;
	case CORE_SPACE_TABLE:
		m->tables[im->index].p = p, m->tables[im->index].end = end;
		break;
	case CORE_SPACE_MEMORY:
		m->memories[im->index].p = p;
		m->memories[im->index].end = end;
		break;
	case CORE_SPACE_GLOBAL:
		m->globals[im->index].p = p, m->globals[im->index].end = end;
		break;
	default:
		m->tags[im->index].p = p, m->tags[im->index].end = end;
		break;
	}
}

static enum meld_status
read_import(struct rd *rd, struct bin_reader *r, uint32_t importidx)
{
	struct core_import *im = &rd->m->imports[importidx];
	im->p = r->p;
	enum meld_status st = bin_read_name(r, &im->module, "import module");
	if (st == MELD_OK)
		st = bin_read_name(r, &im->name, "import name");
	if (st != MELD_OK)
		return st;
	im->desc = r->p;
	st = bin_read_u8(r, &im->kind, "import kind");
	if (st != MELD_OK)
		return st;
	if (im->kind > CORE_EXTERN_TAG) {
		r->p--;
		return bin_malformed(r, "import kind 0x%02x", im->kind);
	}
	st = read_import_desc(rd, r, im, importidx);
	im->end = r->p;
	if (st == MELD_OK)
		set_import_range(rd->m, im);
	return st;
}

static enum meld_status
read_import_section(struct rd *rd, struct bin_reader *r,
		    struct core_section *s)
{
	struct core_module *m = rd->m;
	enum meld_status st = read_count(r, s, 4, "import count");
	if (st != MELD_OK)
		return st;
	if (s->count) {
		m->imports = arena_alloc_array(rd->a, s->count,
					       sizeof *m->imports);
		if (!m->imports)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; i < s->count; i++) {
		st = read_import(rd, r, i);
		if (st != MELD_OK)
			return st;
	}
	m->nimports = s->count;
	for (int sp = CORE_SPACE_FUNC; sp <= CORE_SPACE_TAG; sp++)
		m->space_imported[sp] = (uint32_t)rd->len[sp];
	return MELD_OK;
}

static enum meld_status
read_func_section(struct rd *rd, struct bin_reader *r, struct core_section *s)
{
	enum meld_status st = read_count(r, s, 1, "function count");
	if (st != MELD_OK)
		return st;
	for (uint32_t i = 0; i < s->count; i++) {
		struct core_func *f = rd_push(rd, CORE_SPACE_FUNC, r);
		if (!f)
			return MELD_ENOMEM;
		f->import = CORE_NO_INDEX;
		f->p = r->p;
		st = bin_read_u32(r, &f->typeidx, "function type index");
		if (st != MELD_OK)
			return st;
		f->end = r->p;
	}
	rd->nfunc_decls = s->count;
	return MELD_OK;
}

static enum meld_status
read_table(struct bin_reader *r, struct core_table *t)
{
	enum meld_status st;
	t->import = CORE_NO_INDEX;
	t->p = r->p;
	if (r->p < r->end && *r->p == 0x40) {
		r->p++;
		uint8_t zero;
		st = bin_read_u8(r, &zero, "table");
		if (st != MELD_OK)
			return st;
		if (zero != 0) {
			r->p--;
			return bin_malformed(r, "table: 0x%02x after 0x40, "
					     "expected 0x00", zero);
		}
		st = read_tabletype(r, t);
		if (st != MELD_OK)
			return st;
		t->init = r->p;
		st = skip_const_expr(r, "table initialiser");
	} else {
		st = read_tabletype(r, t);
	}
	t->end = r->p;
	return st;
}

static enum meld_status
read_table_section(struct rd *rd, struct bin_reader *r,
		   struct core_section *s)
{
	enum meld_status st = read_count(r, s, 3, "table count");
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++) {
		struct core_table *t = rd_push(rd, CORE_SPACE_TABLE, r);
		if (!t)
			return MELD_ENOMEM;
		st = read_table(r, t);
	}
	return st;
}

static enum meld_status
read_memory_section(struct rd *rd, struct bin_reader *r,
		    struct core_section *s)
{
	enum meld_status st = read_count(r, s, 2, "memory count");
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++) {
		struct core_memory *mem = rd_push(rd, CORE_SPACE_MEMORY, r);
		if (!mem)
			return MELD_ENOMEM;
		mem->import = CORE_NO_INDEX;
		mem->p = r->p;
		st = read_limits(r, &mem->limits, false, "memory");
		mem->end = r->p;
	}
	return st;
}

static enum meld_status
read_tag_section(struct rd *rd, struct bin_reader *r, struct core_section *s)
{
	enum meld_status st = read_count(r, s, 2, "tag count");
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++) {
		struct core_tag *t = rd_push(rd, CORE_SPACE_TAG, r);
		if (!t)
			return MELD_ENOMEM;
		t->import = CORE_NO_INDEX;
		t->p = r->p;
		st = read_tagtype(r, &t->typeidx);
		t->end = r->p;
	}
	return st;
}

static enum meld_status
read_global_section(struct rd *rd, struct bin_reader *r,
		    struct core_section *s)
{
	enum meld_status st = read_count(r, s, 3, "global count");
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++) {
		struct core_global *g = rd_push(rd, CORE_SPACE_GLOBAL, r);
		if (!g)
			return MELD_ENOMEM;
		g->import = CORE_NO_INDEX;
		g->p = r->p;
		st = read_globaltype(r, g);
		if (st != MELD_OK)
			return st;
		g->init = r->p;
		st = skip_const_expr(r, "global initialiser");
		g->end = r->p;
	}
	return st;
}

static enum meld_status
read_export(struct bin_reader *r, struct core_export *e)
{
	e->p = r->p;
	enum meld_status st = bin_read_name(r, &e->name, "export name");
	if (st == MELD_OK)
		st = bin_read_u8(r, &e->kind, "export kind");
	if (st != MELD_OK)
		return st;
	if (e->kind > CORE_EXTERN_TAG) {
		r->p--;
		return bin_malformed(r, "export kind 0x%02x", e->kind);
	}
	st = bin_read_u32(r, &e->index, "export index");
	e->end = r->p;
	return st;
}

static enum meld_status
read_export_section(struct rd *rd, struct bin_reader *r,
		    struct core_section *s)
{
	struct core_module *m = rd->m;
	enum meld_status st = read_count(r, s, 3, "export count");
	if (st != MELD_OK)
		return st;
	if (s->count) {
		m->exports = arena_alloc_array(rd->a, s->count,
					       sizeof *m->exports);
		if (!m->exports)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_export(r, &m->exports[i]);
	m->nexports = s->count;
	return st;
}

static enum meld_status
read_elem_items(struct bin_reader *r, struct core_elem *e)
{
	bool exprs = e->flags & 4;
	e->items = r->p;
	enum meld_status st = bin_read_count(r, &e->count, 1, "element count");
	for (uint32_t i = 0; st == MELD_OK && i < e->count; i++) {
		uint32_t funcidx;
		if (exprs)
			st = skip_const_expr(r, "element expression");
		else
			st = bin_read_u32(r, &funcidx, "element function index");
	}
	return st;
}

static enum meld_status
read_elem_kind(struct bin_reader *r, struct core_elem *e)
{
	if (e->flags & 4)
		return read_reftype(r, &e->type, "element type");
	uint8_t kind;
	enum meld_status st = bin_read_u8(r, &kind, "element kind");
	if (st != MELD_OK)
		return st;
	if (kind != 0) {
		r->p--;
		return bin_malformed(r, "element kind 0x%02x", kind);
	}
	return MELD_OK;
}

static enum meld_status
read_elem(struct bin_reader *r, struct core_elem *e)
{
	e->p = r->p;
	enum meld_status st = bin_read_u32(r, &e->flags, "element flags");
	if (st != MELD_OK)
		return st;
	if (e->flags > 7) {
		r->p = e->p;
		return bin_malformed(r, "element segment flags %u", e->flags);
	}
	e->type.code = CORE_VALTYPE_REF_NULL;
	e->type.heap = CORE_HEAP_FUNC;
	if (e->flags & 1) {
		e->mode = e->flags & 2 ? CORE_SEG_DECLARATIVE : CORE_SEG_PASSIVE;
	} else {
		e->mode = CORE_SEG_ACTIVE;
		if (e->flags & 2)
			st = bin_read_u32(r, &e->tableidx, "element table");
		if (st != MELD_OK)
			return st;
		e->offset = r->p;
		st = skip_const_expr(r, "element offset");
	}
	if (st == MELD_OK && (e->flags & 3))
		st = read_elem_kind(r, e);
	if (st == MELD_OK)
		st = read_elem_items(r, e);
	e->end = r->p;
	return st;
}

static enum meld_status
read_elem_section(struct rd *rd, struct bin_reader *r, struct core_section *s)
{
	struct core_module *m = rd->m;
	enum meld_status st = read_count(r, s, 3, "element segment count");
	if (st != MELD_OK)
		return st;
	if (s->count) {
		m->elems = arena_alloc_array(rd->a, s->count, sizeof *m->elems);
		if (!m->elems)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_elem(r, &m->elems[i]);
	m->space_len[CORE_SPACE_ELEM] = s->count;
	return st;
}

static enum meld_status
read_data(struct bin_reader *r, struct core_data *d)
{
	d->p = r->p;
	enum meld_status st = bin_read_u32(r, &d->flags, "data flags");
	if (st != MELD_OK)
		return st;
	if (d->flags > 2) {
		r->p = d->p;
		return bin_malformed(r, "data segment flags %u", d->flags);
	}
	if (d->flags == 1) {
		d->mode = CORE_SEG_PASSIVE;
	} else {
		d->mode = CORE_SEG_ACTIVE;
		if (d->flags == 2)
			st = bin_read_u32(r, &d->memidx, "data memory");
		if (st != MELD_OK)
			return st;
		d->offset = r->p;
		st = skip_const_expr(r, "data offset");
	}
	if (st == MELD_OK)
		st = bin_read_blob(r, &d->init, "data bytes");
	d->end = r->p;
	return st;
}

static enum meld_status
read_data_section(struct rd *rd, struct bin_reader *r, struct core_section *s)
{
	struct core_module *m = rd->m;
	rd->data_at = r->p;
	enum meld_status st = read_count(r, s, 2, "data segment count");
	if (st != MELD_OK)
		return st;
	if (m->has_datacount && s->count != m->datacount)
		return bin_malformed(r, "data count %u and data section count "
				     "%u differ", m->datacount, s->count);
	if (s->count) {
		m->datas = arena_alloc_array(rd->a, s->count, sizeof *m->datas);
		if (!m->datas)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_data(r, &m->datas[i]);
	m->space_len[CORE_SPACE_DATA] = s->count;
	return st;
}

static enum meld_status
read_body(struct bin_reader *r, struct core_body *b)
{
	const uint8_t *start = r->p;
	enum meld_status st = bin_read_u32(r, &b->len, "function body size");
	if (st != MELD_OK)
		return st;
	b->size_width = (uint8_t)(r->p - start);
	if (b->len == 0) {
		r->p = start;
		return bin_malformed(r, "function body size 0");
	}
	return bin_read_bytes(r, b->len, &b->p, "function body");
}

static enum meld_status
read_code_section(struct rd *rd, struct bin_reader *r, struct core_section *s)
{
	struct core_module *m = rd->m;
	rd->code_at = r->p;
	enum meld_status st = read_count(r, s, 2, "code count");
	if (st != MELD_OK)
		return st;
	if (s->count != rd->nfunc_decls)
		return bin_malformed(r, "code count %u and function count %u "
				     "differ", s->count, rd->nfunc_decls);
	if (s->count) {
		m->bodies = arena_alloc_array(rd->a, s->count,
					      sizeof *m->bodies);
		if (!m->bodies)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_body(r, &m->bodies[i]);
	return st;
}

static enum meld_status
read_u32_section(struct bin_reader *r, uint32_t *out, bool *has,
		 const char *what)
{
	*has = true;
	return bin_read_u32(r, out, what);
}

/* ---- the name section ---- */

static bool
name_is_indirect(uint8_t id)
{
	return id == CORE_NAME_LOCAL || id == CORE_NAME_LABEL ||
	       id == CORE_NAME_FIELD;
}

static enum meld_status
read_name_map(struct bin_reader *r, uint32_t *count)
{
	enum meld_status st = bin_read_count(r, count, 2, "name map count");
	for (uint32_t i = 0; st == MELD_OK && i < *count; i++) {
		uint32_t idx;
		struct bin_name name;
		st = bin_read_u32(r, &idx, "name index");
		if (st == MELD_OK)
			st = bin_read_name(r, &name, "name");
	}
	return st;
}

static enum meld_status
read_name_assocs(struct rd *rd, struct bin_reader *r,
		 struct core_name_sub *sub)
{
	const uint8_t *p = r->p;
	enum meld_status st = bin_read_count(r, &sub->count, 2, "name count");
	if (st != MELD_OK)
		return st;
	sub->count_width = (uint8_t)(r->p - p);
	if (sub->count) {
		sub->assocs = arena_alloc_array(rd->a, sub->count,
						sizeof *sub->assocs);
		if (!sub->assocs)
			return rd_nomem(r);
	}
	for (uint32_t i = 0; i < sub->count; i++) {
		struct core_name_assoc *as = &sub->assocs[i];
		p = r->p;
		st = bin_read_u32(r, &as->idx, "name index");
		if (st != MELD_OK)
			return st;
		as->idx_width = (uint8_t)(r->p - p);
		as->p = r->p;
		if (name_is_indirect(sub->id)) {
			uint32_t n;
			st = read_name_map(r, &n);
		} else {
			struct bin_name name;
			st = bin_read_name(r, &name, "name");
		}
		if (st != MELD_OK)
			return st;
		as->end = r->p;
	}
	return MELD_OK;
}

static enum meld_status
read_name_sub(struct rd *rd, struct bin_reader *r, struct core_name_sub *sub)
{
	sub->start = r->p;
	enum meld_status st = bin_read_u8(r, &sub->id, "name subsection id");
	const uint8_t *p = r->p;
	uint32_t size;
	if (st == MELD_OK)
		st = bin_read_u32(r, &size, "name subsection size");
	if (st != MELD_OK)
		return st;
	sub->size_width = (uint8_t)(r->p - p);
	struct bin_reader sr;
	st = bin_read_sub(r, size, &sr, "name subsection");
	if (st != MELD_OK)
		return st;
	sub->content = sr.p;
	sub->end = sr.end;
	if (sub->id == CORE_NAME_MODULE) {
		struct bin_name name;
		st = bin_read_name(&sr, &name, "module name");
	} else if (sub->id < CORE_NAME_COUNT) {
		st = read_name_assocs(rd, &sr, sub);
	} else {
		return MELD_OK; /* unknown: kept as bytes */
	}
	if (st != MELD_OK)
		return st;
	return bin_expect_end(&sr, "name subsection");
}

/*
 * Parse the name section with a diagnostic of its own: its errors must
 * not fail the module, they only leave it unparsed.
 */
static void
read_names(struct rd *rd, const struct bin_reader *section,
	   uint32_t secidx)
{
	struct core_names *names = &rd->m->names;
	struct diag d;
	diag_init(&d);
	struct bin_reader r = *section;
	r.diag = &d;
	names->present = true;
	names->section = secidx;
	size_t n = 0, cap = 0;
	int last_id = -1;
	while (!bin_at_end(&r)) {
		struct core_name_sub *sub = arena_push(
			rd->a, (void **)&names->subs, &n, &cap, sizeof *sub);
		if (!sub || read_name_sub(rd, &r, sub) != MELD_OK ||
		    (int)sub->id <= last_id)
			return;
		last_id = sub->id;
	}
	names->nsubs = (uint32_t)n;
	names->parsed = true;
}

static enum meld_status
read_custom_section(struct rd *rd, struct bin_reader *r,
		    struct core_section *s, uint32_t secidx)
{
	enum meld_status st = bin_read_name(r, &s->name, "custom section name");
	if (st != MELD_OK)
		return st;
	if (bin_name_eq(s->name, "name") && !rd->m->names.present)
		read_names(rd, r, secidx);
	r->p = r->end;
	return MELD_OK;
}

/* ---- the module ---- */

/* Position of each known section id in the required order (spec 5.5.2). */
static const uint8_t section_rank[CORE_SEC_COUNT] = {
	[CORE_SEC_TYPE] = 1,    [CORE_SEC_IMPORT] = 2,
	[CORE_SEC_FUNC] = 3,    [CORE_SEC_TABLE] = 4,
	[CORE_SEC_MEMORY] = 5,  [CORE_SEC_TAG] = 6,
	[CORE_SEC_GLOBAL] = 7,  [CORE_SEC_EXPORT] = 8,
	[CORE_SEC_START] = 9,   [CORE_SEC_ELEM] = 10,
	[CORE_SEC_DATACOUNT] = 11, [CORE_SEC_CODE] = 12,
	[CORE_SEC_DATA] = 13,
};

static enum meld_status
read_section_content(struct rd *rd, struct bin_reader *r,
		     struct core_section *s, uint32_t secidx)
{
	struct core_module *m = rd->m;
	switch (s->id) {
	case CORE_SEC_CUSTOM: return read_custom_section(rd, r, s, secidx);
	case CORE_SEC_TYPE: return read_type_section(rd, r, s);
	case CORE_SEC_IMPORT: return read_import_section(rd, r, s);
	case CORE_SEC_FUNC: return read_func_section(rd, r, s);
	case CORE_SEC_TABLE: return read_table_section(rd, r, s);
	case CORE_SEC_MEMORY: return read_memory_section(rd, r, s);
	case CORE_SEC_TAG: return read_tag_section(rd, r, s);
	case CORE_SEC_GLOBAL: return read_global_section(rd, r, s);
	case CORE_SEC_EXPORT: return read_export_section(rd, r, s);
	case CORE_SEC_START:
		return read_u32_section(r, &m->start, &m->has_start,
					"start function");
	case CORE_SEC_ELEM: return read_elem_section(rd, r, s);
	case CORE_SEC_DATACOUNT:
		return read_u32_section(r, &m->datacount, &m->has_datacount,
					"data count");
	case CORE_SEC_CODE: return read_code_section(rd, r, s);
	default: return read_data_section(rd, r, s);
	}
}

static enum meld_status
check_section_order(struct rd *rd, struct bin_reader *r, uint8_t id,
		    uint8_t *last_rank)
{
	if (id >= CORE_SEC_COUNT)
		return bin_malformed(r, "unknown section id %u", id);
	if (id == CORE_SEC_CUSTOM)
		return MELD_OK;
	if (rd->m->section_of[id] >= 0)
		return bin_malformed(r, "duplicate %s section",
				     core_section_name(id));
	if (section_rank[id] <= *last_rank)
		return bin_malformed(r, "%s section out of order",
				     core_section_name(id));
	*last_rank = section_rank[id];
	return MELD_OK;
}

static enum meld_status
read_section(struct rd *rd, struct bin_reader *r, uint8_t *last_rank)
{
	struct core_module *m = rd->m;
	const uint8_t *start = r->p;
	uint8_t id;
	enum meld_status st = bin_read_u8(r, &id, "section id");
	if (st != MELD_OK)
		return st;
	r->p = start;
	st = check_section_order(rd, r, id, last_rank);
	if (st != MELD_OK)
		return st;
	r->p++;
	struct core_section *s = arena_push(rd->a, (void **)&m->sections,
					    &rd->nsections, &rd->sections_cap,
					    sizeof *s);
	if (!s)
		return rd_nomem(r);
	uint32_t secidx = (uint32_t)rd->nsections - 1, size;
	const uint8_t *size_at = r->p;
	st = bin_read_u32(r, &size, "section size");
	if (st != MELD_OK)
		return st;
	s->id = id;
	s->start = start;
	s->size_width = (uint8_t)(r->p - size_at);
	struct bin_reader sr;
	st = bin_read_sub(r, size, &sr, "section");
	if (st != MELD_OK)
		return st;
	s->content = sr.p;
	s->end = sr.end;
	if (id != CORE_SEC_CUSTOM)
		m->section_of[id] = (int32_t)secidx;
	st = read_section_content(rd, &sr, s, secidx);
	if (st != MELD_OK)
		return st;
	return bin_expect_end(&sr, core_section_name(id));
}

static enum meld_status
check_header(struct bin_reader *r)
{
	size_t off = bin_offset(r);
	uint32_t magic, version;
	enum meld_status st = bin_read_fixed32(r, &magic, "magic");
	if (st != MELD_OK)
		return st;
	if (magic != 0x6d736100)
		return bin_fail_at(r, MELD_EMALFORMED, off,
				   "magic header not detected");
	off = bin_offset(r);
	st = bin_read_fixed32(r, &version, "version");
	if (st != MELD_OK)
		return st;
	if (version == 0x0001000d)
		return bin_fail_at(r, MELD_EMALFORMED, off,
				   "a component, not a core module");
	if (version != 1)
		return bin_fail_at(r, MELD_EMALFORMED, off,
				   "unknown binary version 0x%08x", version);
	return MELD_OK;
}

/* Index spaces whose defining section is absent still need their imports. */
static enum meld_status
finish(struct rd *rd, struct bin_reader *r)
{
	struct core_module *m = rd->m;
	if (m->section_of[CORE_SEC_CODE] < 0 && rd->nfunc_decls)
		return bin_malformed(r, "function count %u but no code section",
				     rd->nfunc_decls);
	if (m->has_datacount && m->section_of[CORE_SEC_DATA] < 0 &&
	    m->datacount)
		return bin_malformed(r, "data count %u but no data section",
				     m->datacount);
	for (int s = CORE_SPACE_FUNC; s <= CORE_SPACE_TAG; s++) {
		if (rd->len[s] > UINT32_MAX - 1)
			return bin_malformed(r, "too many %ss",
					     core_space_name((enum core_space)s));
		m->space_len[s] = (uint32_t)rd->len[s];
	}
	m->nsections = (uint32_t)rd->nsections;
	return MELD_OK;
}

enum meld_status
core_read(struct arena *a, struct diag *d, const char *input_name,
	  const uint8_t *base, const uint8_t *bytes, size_t len,
	  struct core_module **out)
{
	struct bin_reader r;
	bin_reader_init(&r, bytes, len, input_name, d);
	r.base = base;
	struct core_module *m = arena_alloc(a, sizeof *m);
	if (!m)
		return rd_nomem(&r);
	m->input = input_name;
	m->base = base;
	m->bytes = bytes;
	m->len = len;
	m->diag = d;
	for (int i = 0; i < CORE_SEC_COUNT; i++)
		m->section_of[i] = -1;
	struct rd rd = {.a = a, .m = m};
	enum meld_status st = check_header(&r);
	uint8_t last_rank = 0;
	while (st == MELD_OK && !bin_at_end(&r))
		st = read_section(&rd, &r, &last_rank);
	if (st == MELD_OK)
		st = finish(&rd, &r);
	if (st != MELD_OK)
		return st;
	*out = m;
	return MELD_OK;
}

/* ---- lookups ---- */

const struct core_type *
core_type_at(const struct core_module *m, uint32_t typeidx)
{
	if (typeidx >= m->space_len[CORE_SPACE_TYPE])
		return NULL;
	return &m->types[typeidx];
}

uint32_t
core_func_typeidx(const struct core_module *m, uint32_t funcidx)
{
	if (funcidx >= m->space_len[CORE_SPACE_FUNC])
		return CORE_NO_INDEX;
	return m->funcs[funcidx].typeidx;
}

const struct core_type *
core_func_type(const struct core_module *m, uint32_t funcidx)
{
	uint32_t typeidx = core_func_typeidx(m, funcidx);
	if (typeidx == CORE_NO_INDEX)
		return NULL;
	const struct core_type *t = core_type_at(m, typeidx);
	return t && t->kind == CORE_COMP_FUNC ? t : NULL;
}

const struct core_export *
core_find_export(const struct core_module *m, const char *name, uint8_t kind)
{
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct core_export *e = &m->exports[i];
		if (e->kind == kind && bin_name_eq(e->name, name))
			return e;
	}
	return NULL;
}

enum core_space
core_extern_space(uint8_t kind)
{
	switch (kind) {
	case CORE_EXTERN_FUNC: return CORE_SPACE_FUNC;
	case CORE_EXTERN_TABLE: return CORE_SPACE_TABLE;
	case CORE_EXTERN_MEMORY: return CORE_SPACE_MEMORY;
	case CORE_EXTERN_GLOBAL: return CORE_SPACE_GLOBAL;
	default: return CORE_SPACE_TAG;
	}
}

const char *
core_section_name(uint8_t id)
{
	static const char *const names[CORE_SEC_COUNT] = {
		"custom", "type",   "import", "function", "table",
		"memory", "global", "export", "start",    "element",
		"code",   "data",   "data count", "tag",
	};
	return id < CORE_SEC_COUNT ? names[id] : "unknown";
}

bool
core_valtype_eq(struct core_valtype a, struct core_valtype b)
{
	/* the reader leaves typeidx 0 unless it names a concrete type */
	return a.code == b.code && a.heap == b.heap && a.typeidx == b.typeidx;
}
