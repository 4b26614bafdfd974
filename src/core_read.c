/*
 * core_read: the binary format of a core module (core spec 3.0, 5.5
 * "Modules"), and the name section of the custom-section appendix; types,
 * constant expressions and limits are read by core_read_types.c.
 *
 * Every section is checked entry by entry, so a module core_read accepts
 * can be written back by core_write without surprises; code bodies are
 * the exception: only their sizes are read here, the body rewriter
 * decodes them when they are written.  Every index outside code bodies is
 * checked against its index space as it is read (section order makes
 * every space it can name complete by then), so later passes may index
 * arrays with them.
 */
#include "core_read_impl.h"

#include <stdlib.h>
#include <string.h>


enum meld_status
core_read_nomem(struct bin_reader *r)
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
		core_read_nomem(r);
	return slot;
}

/* The globals read so far. */
static uint32_t
nglobals(const struct rd *rd)
{
	return (uint32_t)rd->len[CORE_SPACE_GLOBAL];
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
			return core_read_nomem(r);
	}
	for (uint32_t i = 0; i < s->count; i++) {
		st = core_read_rec_group(rd, r, i);
		if (st != MELD_OK)
			return st;
	}
	m->ngroups = s->count;
	m->space_len[CORE_SPACE_TYPE] = (uint32_t)rd->ntypes;
	rd->type_bound = (uint32_t)rd->ntypes;
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
		return core_read_functype_index(rd, r, &f->typeidx,
					   "import type index");
	}
	case CORE_EXTERN_TABLE:
		((struct core_table *)slot)->import = importidx;
		return core_read_tabletype(rd, r, slot);
	case CORE_EXTERN_MEMORY:
		((struct core_memory *)slot)->import = importidx;
		return core_read_limits(r,
					&((struct core_memory *)slot)->limits,
					false, "memory");
	case CORE_EXTERN_GLOBAL:
		((struct core_global *)slot)->import = importidx;
		return core_read_globaltype(rd, r, slot);
	default:
		((struct core_tag *)slot)->import = importidx;
		return core_read_tagtype(rd, r,
					 &((struct core_tag *)slot)->typeidx);
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
			return core_read_nomem(r);
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
		st = core_read_functype_index(rd, r, &f->typeidx,
					 "function type index");
		if (st != MELD_OK)
			return st;
		f->end = r->p;
	}
	rd->nfunc_decls = s->count;
	return MELD_OK;
}

static enum meld_status
read_table(struct rd *rd, struct bin_reader *r, struct core_table *t)
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
		st = core_read_tabletype(rd, r, t);
		if (st != MELD_OK)
			return st;
		t->init = r->p;
		st = core_read_const_expr(rd, r, nglobals(rd),
					  "table initialiser");
	} else {
		st = core_read_tabletype(rd, r, t);
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
		st = read_table(rd, r, t);
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
		st = core_read_limits(r, &mem->limits, false, "memory");
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
		st = core_read_tagtype(rd, r, &t->typeidx);
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
		st = core_read_globaltype(rd, r, g);
		if (st != MELD_OK)
			return st;
		g->init = r->p;
		/* only the globals before this one */
		st = core_read_const_expr(rd, r, nglobals(rd) - 1,
					  "global initialiser");
		g->end = r->p;
	}
	return st;
}

static enum meld_status
read_export(struct rd *rd, struct bin_reader *r, struct core_export *e)
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
	st = core_read_index(rd, r, core_extern_space(e->kind), &e->index,
			"export index");
	e->end = r->p;
	return st;
}

static int
cmp_names(struct bin_name a, struct bin_name b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c == 0 && a.len != b.len)
		c = a.len < b.len ? -1 : 1;
	return c;
}

static int
cmp_export_name(const void *pa, const void *pb)
{
	const struct core_export *a = *(const struct core_export *const *)pa;
	const struct core_export *b = *(const struct core_export *const *)pb;
	int c = cmp_names(a->name, b->name);
	if (c == 0) /* ties by position: the first of equal names first */
		c = a->p < b->p ? -1 : 1;
	return c;
}

/*
 * Export names are unique.  Sorted, a duplicate sits right after the
 * first export of its name; the earliest duplicate in the input is
 * reported.
 */
static enum meld_status
check_export_names(struct rd *rd, struct bin_reader *r)
{
	struct core_module *m = rd->m;
	if (m->nexports < 2)
		return MELD_OK;
	const struct core_export **v =
		arena_alloc_array(rd->a, m->nexports, sizeof *v);
	if (!v)
		return core_read_nomem(r);
	for (uint32_t i = 0; i < m->nexports; i++)
		v[i] = &m->exports[i];
	qsort(v, m->nexports, sizeof *v, cmp_export_name);
	const struct core_export *dup = NULL;
	for (uint32_t i = 1; i < m->nexports; i++) {
		if (cmp_names(v[i - 1]->name, v[i]->name) == 0 &&
		    (!dup || v[i]->p < dup->p))
			dup = v[i];
	}
	if (!dup)
		return MELD_OK;
	return bin_fail_at(r, MELD_EINVALID, (size_t)(dup->p - r->base),
			   "export name \"%.*s\": duplicate export name",
			   (int)dup->name.len, (const char *)dup->name.p);
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
			return core_read_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_export(rd, r, &m->exports[i]);
	m->nexports = s->count;
	if (st != MELD_OK)
		return st;
	return check_export_names(rd, r);
}

static enum meld_status
read_elem_items(struct rd *rd, struct bin_reader *r, struct core_elem *e)
{
	bool exprs = e->flags & 4;
	e->items = r->p;
	enum meld_status st = bin_read_count(r, &e->count, 1, "element count");
	for (uint32_t i = 0; st == MELD_OK && i < e->count; i++) {
		uint32_t funcidx;
		if (exprs)
			st = core_read_const_expr(rd, r, nglobals(rd),
					  "element expression");
		else
			st = core_read_index(rd, r, CORE_SPACE_FUNC, &funcidx,
					"element function index");
	}
	return st;
}

static enum meld_status
read_elem_kind(struct rd *rd, struct bin_reader *r, struct core_elem *e)
{
	if (e->flags & 4)
		return core_read_reftype(rd, r, &e->type, "element type");
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

/*
 * An active segment's table or memory: explicit (read here) or, in the
 * compact encodings, index 0, which must exist too.
 */
static enum meld_status
read_seg_target(struct rd *rd, struct bin_reader *r, enum core_space s,
		const uint8_t *flags_at, bool explicit, uint32_t *idx,
		const char *what)
{
	if (explicit)
		return core_read_index(rd, r, s, idx, what);
	*idx = 0;
	uint32_t n = (uint32_t)rd->len[s];
	return n > 0 ? MELD_OK : core_read_unknown(r, flags_at, s, 0, n, what);
}

static enum meld_status
read_elem(struct rd *rd, struct bin_reader *r, struct core_elem *e)
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
		st = read_seg_target(rd, r, CORE_SPACE_TABLE, e->p,
				     e->flags & 2, &e->tableidx,
				     "element table");
		if (st != MELD_OK)
			return st;
		e->offset = r->p;
		st = core_read_const_expr(rd, r, nglobals(rd),
					  "element offset");
	}
	if (st == MELD_OK && (e->flags & 3))
		st = read_elem_kind(rd, r, e);
	if (st == MELD_OK)
		st = read_elem_items(rd, r, e);
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
			return core_read_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_elem(rd, r, &m->elems[i]);
	m->space_len[CORE_SPACE_ELEM] = s->count;
	return st;
}

static enum meld_status
read_data(struct rd *rd, struct bin_reader *r, struct core_data *d)
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
		st = read_seg_target(rd, r, CORE_SPACE_MEMORY, d->p,
				     d->flags == 2, &d->memidx, "data memory");
		if (st != MELD_OK)
			return st;
		d->offset = r->p;
		st = core_read_const_expr(rd, r, nglobals(rd),
					  "data offset");
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
			return core_read_nomem(r);
	}
	for (uint32_t i = 0; st == MELD_OK && i < s->count; i++)
		st = read_data(rd, r, &m->datas[i]);
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
			return core_read_nomem(r);
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

/* The start function: a function of type [] -> []. */
static enum meld_status
read_start_section(struct rd *rd, struct bin_reader *r)
{
	struct core_module *m = rd->m;
	const uint8_t *at = r->p;
	m->has_start = true;
	enum meld_status st = core_read_index(rd, r, CORE_SPACE_FUNC, &m->start,
					 "start function");
	if (st != MELD_OK)
		return st;
	const struct core_type *t = &m->types[m->funcs[m->start].typeidx];
	if (t->nparams == 0 && t->nresults == 0)
		return MELD_OK;
	return bin_fail_at(r, MELD_EINVALID, (size_t)(at - r->base),
			   "start function %u: type must be [] -> []",
			   m->start);
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
			return core_read_nomem(r);
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
	case CORE_SEC_START: return read_start_section(rd, r);
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
		return core_read_nomem(r);
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
		return core_read_nomem(&r);
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
	return a.code == b.code && a.heap == b.heap && a.shared == b.shared &&
	       a.typeidx == b.typeidx;
}
