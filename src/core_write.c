/*
 * core_write: a core module back to bytes (core spec 3.0, 5.5 "Modules";
 * the name section of the custom-section appendix), with every index
 * rewritten through a core_remap.
 *
 * Entries are written by re-reading their bytes in the input, so what the
 * remap leaves alone keeps its exact encoding; a section none of whose
 * index spaces is remapped is copied whole.  Instructions (bodies and
 * constant expressions) and value types go through core_code.h.
 */
#include "core_module.h"

#include <stdlib.h>
#include <string.h>

#define SP(s) (1u << (s))
#define ALL_SPACES ((1u << CORE_SPACE_COUNT) - 1)
#define CONST_EXPR_SPACES \
	(SP(CORE_SPACE_TYPE) | SP(CORE_SPACE_FUNC) | SP(CORE_SPACE_GLOBAL))

/* The index spaces each section mentions. */
static const unsigned section_spaces[CORE_SEC_COUNT] = {
	[CORE_SEC_TYPE] = SP(CORE_SPACE_TYPE),
	[CORE_SEC_IMPORT] = SP(CORE_SPACE_TYPE),
	[CORE_SEC_FUNC] = SP(CORE_SPACE_TYPE),
	[CORE_SEC_TABLE] = CONST_EXPR_SPACES,
	[CORE_SEC_MEMORY] = 0,
	[CORE_SEC_GLOBAL] = CONST_EXPR_SPACES,
	[CORE_SEC_EXPORT] = SP(CORE_SPACE_FUNC) | SP(CORE_SPACE_TABLE) |
			    SP(CORE_SPACE_MEMORY) | SP(CORE_SPACE_GLOBAL) |
			    SP(CORE_SPACE_TAG),
	[CORE_SEC_START] = SP(CORE_SPACE_FUNC),
	[CORE_SEC_ELEM] = CONST_EXPR_SPACES | SP(CORE_SPACE_TABLE),
	[CORE_SEC_CODE] = ALL_SPACES,
	[CORE_SEC_DATA] = CONST_EXPR_SPACES | SP(CORE_SPACE_MEMORY),
	[CORE_SEC_DATACOUNT] = 0,
	[CORE_SEC_TAG] = SP(CORE_SPACE_TYPE),
};

/* core_code needs a remap; NULL stands for this one. */
static const struct core_remap *
nonnull(const struct core_remap *remap)
{
	static const struct core_remap identity = {
		.len = {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX,
			UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX},
	};
	_Static_assert(CORE_SPACE_COUNT == 8, "one len per space");
	return remap ? remap : &identity;
}

static bool
remapped(const struct core_remap *remap, unsigned spaces)
{
	if (!remap)
		return false;
	for (int s = 0; s < CORE_SPACE_COUNT; s++)
		if ((spaces & SP(s)) && remap->map[s])
			return true;
	return false;
}

/* A reader over bytes of m's input, for re-reading one entry. */
static void
entry_reader(const struct core_module *m, const uint8_t *p,
	     const uint8_t *end, struct bin_reader *r)
{
	bin_reader_init(r, p, (size_t)(end - p), m->input, m->diag);
	r->base = m->base;
}

static enum meld_status
map_index(const struct core_remap *remap, enum core_space s, uint32_t idx,
	  struct bin_reader *r, size_t offset, uint32_t *out)
{
	if (!remap) {
		*out = idx;
		return MELD_OK;
	}
	return core_remap_index(remap, s, idx, r, offset, out);
}

unsigned
core_pad_width(uint32_t value, unsigned width)
{
	return width > bin_u32_size(value) ? width : 0;
}

/* v, encoded the way the input encoded `old` in `width` bytes. */
static void
write_like(struct bin_writer *w, uint32_t v, uint32_t old, unsigned width)
{
	bin_write_u32_padded(w, v, core_pad_width(old, width));
}

void
core_write_count(struct bin_writer *w, uint32_t count, uint32_t old_count,
		 unsigned old_width)
{
	write_like(w, count, old_count, old_width);
}

/* Copy r's bytes up to `end` (inside r) unchanged. */
static void
copy_to(struct bin_reader *r, const uint8_t *end, struct bin_writer *w)
{
	bin_write_bytes(w, r->p, (size_t)(end - r->p));
	r->p = end;
}

/* Read a u32 LEB and copy it unchanged; the value goes to *out. */
static enum meld_status
copy_u32(struct bin_reader *r, struct bin_writer *w, uint32_t *out,
	 const char *what)
{
	const uint8_t *p = r->p;
	enum meld_status st = bin_read_u32(r, out, what);
	if (st == MELD_OK)
		bin_write_bytes(w, p, (size_t)(r->p - p));
	return st;
}

static enum meld_status
copy_byte(struct bin_reader *r, struct bin_writer *w, uint8_t *out,
	  const char *what)
{
	enum meld_status st = bin_read_u8(r, out, what);
	if (st == MELD_OK)
		bin_write_u8(w, *out);
	return st;
}

/* Read an index of space s, write it remapped. */
static enum meld_status
copy_index(const struct core_remap *remap, enum core_space s,
	   struct bin_reader *r, struct bin_writer *w)
{
	const uint8_t *p = r->p;
	size_t off = bin_offset(r);
	uint32_t idx, new_idx;
	enum meld_status st = bin_read_u32(r, &idx, core_space_name(s));
	if (st == MELD_OK)
		st = map_index(remap, s, idx, r, off, &new_idx);
	if (st == MELD_OK)
		write_like(w, new_idx, idx, (unsigned)(r->p - p));
	return st;
}

static enum meld_status
copy_limits(struct bin_reader *r, struct bin_writer *w)
{
	const uint8_t *p = r->p;
	uint8_t flags;
	uint64_t v;
	uint32_t page_size_log2;
	enum meld_status st = bin_read_u8(r, &flags, "limits");
	if (st == MELD_OK)
		st = bin_read_u64(r, &v, "limits minimum");
	if (st == MELD_OK && (flags & CORE_LIMITS_HAS_MAX))
		st = bin_read_u64(r, &v, "limits maximum");
	if (st == MELD_OK && (flags & CORE_LIMITS_PAGE_SIZE))
		st = bin_read_u32(r, &page_size_log2, "memory page size");
	if (st == MELD_OK)
		bin_write_bytes(w, p, (size_t)(r->p - p));
	return st;
}

static enum meld_status
write_failed(const struct core_module *m, struct bin_writer *w)
{
	if (w->err == MELD_OK)
		return MELD_OK;
	return diag_fail(m->diag, w->err, m->input, DIAG_NO_OFFSET,
			 "writing the module failed");
}

/* ---- framing ---- */

void
core_write_header(struct bin_writer *w)
{
	static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d,
					  0x01, 0x00, 0x00, 0x00};
	bin_write_bytes(w, header, sizeof header);
}

size_t
core_write_section_begin(struct bin_writer *w, uint8_t id)
{
	bin_write_u8(w, id);
	return bin_write_reserve_size(w);
}

void
core_write_section_end(struct bin_writer *w, size_t mark, unsigned size_width)
{
	bin_write_patch_size(w, mark, size_width);
}

/* ---- types ---- */

static enum meld_status
write_field(const struct core_remap *remap, struct bin_reader *r,
	    struct bin_writer *w)
{
	enum meld_status st = MELD_OK;
	uint8_t b;
	if (*r->p == CORE_PACKED_I8 || *r->p == CORE_PACKED_I16)
		bin_write_u8(w, *r->p++);
	else
		st = core_rewrite_valtype(remap, r, w);
	if (st == MELD_OK)
		st = copy_byte(r, w, &b, "field mutability");
	return st;
}

static enum meld_status
write_valtypes(const struct core_remap *remap, struct bin_reader *r,
	       struct bin_writer *w)
{
	uint32_t n;
	enum meld_status st = copy_u32(r, w, &n, "type count");
	for (uint32_t i = 0; st == MELD_OK && i < n; i++)
		st = core_rewrite_valtype(remap, r, w);
	return st;
}

static enum meld_status
write_subtype(const struct core_remap *remap, struct bin_reader *r,
	      struct bin_writer *w)
{
	enum meld_status st = MELD_OK;
	uint8_t b;
	uint32_t n;
	if (*r->p == 0x50 || *r->p == 0x4f) {
		bin_write_u8(w, *r->p++);
		st = copy_u32(r, w, &n, "supertype count");
		for (uint32_t i = 0; st == MELD_OK && i < n; i++)
			st = copy_index(remap, CORE_SPACE_TYPE, r, w);
	}
	if (st == MELD_OK)
		st = copy_byte(r, w, &b, "composite type");
	if (st == MELD_OK && b == 0x65) /* shared */
		st = copy_byte(r, w, &b, "composite type");
	if (st != MELD_OK)
		return st;
	switch (b) {
	case CORE_COMP_FUNC:
		st = write_valtypes(remap, r, w);
		if (st == MELD_OK)
			st = write_valtypes(remap, r, w);
		return st;
	case CORE_COMP_STRUCT:
		st = copy_u32(r, w, &n, "field count");
		for (uint32_t i = 0; st == MELD_OK && i < n; i++)
			st = write_field(remap, r, w);
		return st;
	default:
		return write_field(remap, r, w);
	}
}

enum meld_status
core_write_rec_group(const struct core_module *m,
		     const struct core_remap *remap, uint32_t groupidx,
		     struct bin_writer *w)
{
	const struct core_rec_group *g = &m->groups[groupidx];
	if (!remapped(remap, SP(CORE_SPACE_TYPE))) {
		bin_write_bytes(w, g->p, (size_t)(g->end - g->p));
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, g->p, g->end, &r);
	enum meld_status st = MELD_OK;
	uint32_t n;
	if (*r.p == 0x4e) {
		bin_write_u8(w, *r.p++);
		st = copy_u32(&r, w, &n, "rec group size");
	}
	for (uint32_t i = 0; st == MELD_OK && i < g->ntypes; i++)
		st = write_subtype(remap, &r, w);
	return st;
}

/* ---- imports and definitions ---- */

static enum meld_status
write_tabletype(const struct core_remap *remap, struct bin_reader *r,
		struct bin_writer *w)
{
	enum meld_status st = core_rewrite_reftype(remap, r, w);
	if (st == MELD_OK)
		st = copy_limits(r, w);
	return st;
}

static enum meld_status
write_globaltype(const struct core_remap *remap, struct bin_reader *r,
		 struct bin_writer *w)
{
	uint8_t mut;
	enum meld_status st = core_rewrite_valtype(remap, r, w);
	if (st == MELD_OK)
		st = copy_byte(r, w, &mut, "global mutability");
	return st;
}

static enum meld_status
write_tagtype(const struct core_remap *remap, struct bin_reader *r,
	      struct bin_writer *w)
{
	uint8_t attr;
	enum meld_status st = copy_byte(r, w, &attr, "tag attribute");
	if (st == MELD_OK)
		st = copy_index(remap, CORE_SPACE_TYPE, r, w);
	return st;
}

enum meld_status
core_write_import_desc(const struct core_module *m,
		       const struct core_remap *remap, uint32_t importidx,
		       struct bin_writer *w)
{
	const struct core_import *im = &m->imports[importidx];
	if (!remapped(remap, SP(CORE_SPACE_TYPE))) {
		bin_write_bytes(w, im->desc, (size_t)(im->end - im->desc));
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, im->desc, im->end, &r);
	uint8_t kind;
	enum meld_status st = copy_byte(&r, w, &kind, "import kind");
	if (st != MELD_OK)
		return st;
	switch (kind) {
	case CORE_EXTERN_FUNC:
		return copy_index(remap, CORE_SPACE_TYPE, &r, w);
	case CORE_EXTERN_TABLE:
		return write_tabletype(remap, &r, w);
	case CORE_EXTERN_MEMORY:
		return copy_limits(&r, w);
	case CORE_EXTERN_GLOBAL:
		return write_globaltype(remap, &r, w);
	default:
		return write_tagtype(remap, &r, w);
	}
}

enum meld_status
core_write_import(const struct core_module *m, const struct core_remap *remap,
		  uint32_t importidx, struct bin_writer *w)
{
	const struct core_import *im = &m->imports[importidx];
	bin_write_bytes(w, im->p, (size_t)(im->desc - im->p));
	return core_write_import_desc(m, remap, importidx, w);
}

static enum meld_status
not_defined(const struct core_module *m, enum core_space s, uint32_t idx)
{
	return diag_fail(m->diag, MELD_EUSAGE, m->input, DIAG_NO_OFFSET,
			 "%s %u is not a defined one", core_space_name(s),
			 idx);
}

static bool
is_defined(const struct core_module *m, enum core_space s, uint32_t idx)
{
	return idx >= m->space_imported[s] && idx < m->space_len[s];
}

enum meld_status
core_write_func_decl(const struct core_module *m,
		     const struct core_remap *remap, uint32_t funcidx,
		     struct bin_writer *w)
{
	if (!is_defined(m, CORE_SPACE_FUNC, funcidx))
		return not_defined(m, CORE_SPACE_FUNC, funcidx);
	const struct core_func *f = &m->funcs[funcidx];
	struct bin_reader r;
	entry_reader(m, f->p, f->end, &r);
	return copy_index(remap, CORE_SPACE_TYPE, &r, w);
}

enum meld_status
core_write_table(const struct core_module *m, const struct core_remap *remap,
		 uint32_t tableidx, struct bin_writer *w)
{
	if (!is_defined(m, CORE_SPACE_TABLE, tableidx))
		return not_defined(m, CORE_SPACE_TABLE, tableidx);
	const struct core_table *t = &m->tables[tableidx];
	if (!remapped(remap, CONST_EXPR_SPACES)) {
		bin_write_bytes(w, t->p, (size_t)(t->end - t->p));
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, t->p, t->end, &r);
	if (*r.p == 0x40)
		copy_to(&r, r.p + 2, w);
	enum meld_status st = write_tabletype(remap, &r, w);
	if (st == MELD_OK && t->init)
		st = core_rewrite_const_expr(remap, &r, w);
	return st;
}

enum meld_status
core_write_memory(const struct core_module *m, uint32_t memidx,
		  struct bin_writer *w)
{
	if (!is_defined(m, CORE_SPACE_MEMORY, memidx))
		return not_defined(m, CORE_SPACE_MEMORY, memidx);
	const struct core_memory *mem = &m->memories[memidx];
	bin_write_bytes(w, mem->p, (size_t)(mem->end - mem->p));
	return MELD_OK;
}

enum meld_status
core_write_tag(const struct core_module *m, const struct core_remap *remap,
	       uint32_t tagidx, struct bin_writer *w)
{
	if (!is_defined(m, CORE_SPACE_TAG, tagidx))
		return not_defined(m, CORE_SPACE_TAG, tagidx);
	const struct core_tag *t = &m->tags[tagidx];
	struct bin_reader r;
	entry_reader(m, t->p, t->end, &r);
	return write_tagtype(remap, &r, w);
}

enum meld_status
core_write_global(const struct core_module *m, const struct core_remap *remap,
		  uint32_t globalidx, struct bin_writer *w)
{
	if (!is_defined(m, CORE_SPACE_GLOBAL, globalidx))
		return not_defined(m, CORE_SPACE_GLOBAL, globalidx);
	const struct core_global *g = &m->globals[globalidx];
	if (!remapped(remap, CONST_EXPR_SPACES)) {
		bin_write_bytes(w, g->p, (size_t)(g->end - g->p));
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, g->p, g->end, &r);
	enum meld_status st = write_globaltype(remap, &r, w);
	if (st == MELD_OK)
		st = core_rewrite_const_expr(remap, &r, w);
	return st;
}

enum meld_status
core_write_export(const struct core_module *m, const struct core_remap *remap,
		  uint32_t exportidx, struct bin_writer *w)
{
	const struct core_export *e = &m->exports[exportidx];
	struct bin_reader r;
	entry_reader(m, e->p, e->end, &r);
	copy_to(&r, e->name.p + e->name.len + 1, w); /* name and kind */
	return copy_index(remap, core_extern_space(e->kind), &r, w);
}

enum meld_status
core_write_start(const struct core_module *m, const struct core_remap *remap,
		 struct bin_writer *w)
{
	int32_t secidx = m->section_of[CORE_SEC_START];
	if (secidx < 0)
		return MELD_OK;
	const struct core_section *s = &m->sections[secidx];
	struct bin_reader r;
	entry_reader(m, s->content, s->end, &r);
	return copy_index(remap, CORE_SPACE_FUNC, &r, w);
}

/* ---- segments ---- */

/* Whether a segment on index 0 is written compactly. */
static bool
want_compact(enum core_seg_form form, bool was_compact, bool can_compact,
	     uint32_t new_idx)
{
	if (new_idx != 0)
		return false;
	switch (form) {
	case CORE_FORM_KEEP: return was_compact;
	case CORE_FORM_COMPACT: return can_compact;
	default: return false;
	}
}

static enum meld_status
skip_reftype(struct bin_reader *r)
{
	uint8_t b;
	int64_t ht;
	enum meld_status st = bin_read_u8(r, &b, "reference type");
	if (st == MELD_OK && (b == CORE_VALTYPE_REF || b == CORE_VALTYPE_REF_NULL) &&
	    r->p < r->end && *r->p == 0x65)
		st = bin_read_u8(r, &b, "heap type");
	if (st == MELD_OK && b == 0x65) /* shared: an abstract heap type */
		return bin_read_u8(r, &b, "heap type");
	if (st == MELD_OK && (b == CORE_VALTYPE_REF || b == CORE_VALTYPE_REF_NULL))
		st = bin_read_s33(r, &ht, "heap type");
	return st;
}

/*
 * The segment's target index (table or memory) and the flags that encode
 * it: flag bit `explicit_bit` says the index is written.
 */
struct seg_target {
	uint32_t flags, new_flags;
	unsigned flags_width;
	bool was_explicit, explicit;
	uint32_t new_idx;
};

static enum meld_status
read_seg_target(const struct core_remap *remap, enum core_space s,
		enum core_seg_form form, bool can_compact, uint32_t explicit_bit,
		struct bin_reader *r, struct seg_target *t)
{
	size_t off = bin_offset(r);
	const uint8_t *p = r->p;
	enum meld_status st = bin_read_u32(r, &t->flags, "segment flags");
	if (st != MELD_OK)
		return st;
	t->flags_width = (unsigned)(r->p - p);
	t->was_explicit = t->flags & explicit_bit;
	uint32_t idx = 0;
	if (t->was_explicit) {
		off = bin_offset(r);
		p = r->p;
		st = bin_read_u32(r, &idx, core_space_name(s));
		r->p = p; /* read again when written */
	}
	if (st == MELD_OK)
		st = map_index(remap, s, idx, r, off, &t->new_idx);
	if (st != MELD_OK)
		return st;
	t->explicit = !want_compact(form, !t->was_explicit, can_compact,
				    t->new_idx);
	t->new_flags = t->explicit ? t->flags | explicit_bit
				   : t->flags & ~explicit_bit;
	return MELD_OK;
}

/* Flags, then the target index when the new form names it. */
static void
write_seg_target(struct bin_reader *r, const struct seg_target *t,
		 struct bin_writer *w)
{
	write_like(w, t->new_flags, t->flags, t->flags_width);
	if (t->was_explicit) {
		const uint8_t *p = r->p;
		uint32_t idx;
		if (bin_read_u32(r, &idx, "index") != MELD_OK)
			return; /* read once already */
		if (t->explicit)
			write_like(w, t->new_idx, idx, (unsigned)(r->p - p));
	} else if (t->explicit) {
		bin_write_u32(w, t->new_idx);
	}
}

/* Element kind or type: dropped, added or rewritten with the form. */
static enum meld_status
write_elem_kind(const struct core_remap *remap, const struct seg_target *t,
		struct bin_reader *r, struct bin_writer *w)
{
	bool exprs = t->flags & 4;
	bool had = t->flags & 3, has = t->new_flags & 3;
	uint8_t b;
	if (had && !has)
		return exprs ? skip_reftype(r) : bin_read_u8(r, &b, "kind");
	if (!had && has) {
		bin_write_u8(w, exprs ? CORE_HEAP_FUNC : 0x00);
		return MELD_OK;
	}
	if (!had)
		return MELD_OK;
	if (exprs)
		return core_rewrite_reftype(remap, r, w);
	return copy_byte(r, w, &b, "element kind");
}

static enum meld_status
write_elem_items(const struct core_remap *remap, bool exprs,
		 struct bin_reader *r, struct bin_writer *w)
{
	uint32_t n;
	enum meld_status st = copy_u32(r, w, &n, "element count");
	for (uint32_t i = 0; st == MELD_OK && i < n; i++) {
		if (exprs)
			st = core_rewrite_const_expr(remap, r, w);
		else
			st = copy_index(remap, CORE_SPACE_FUNC, r, w);
	}
	return st;
}

static bool
elem_can_compact(const struct core_elem *e)
{
	return !(e->flags & 4) || (e->type.code == CORE_VALTYPE_REF_NULL &&
				   e->type.heap == CORE_HEAP_FUNC);
}

enum meld_status
core_write_elem(const struct core_module *m, const struct core_remap *remap,
		uint32_t elemidx, enum core_seg_form form,
		struct bin_writer *w)
{
	const struct core_elem *e = &m->elems[elemidx];
	if (!remapped(remap, section_spaces[CORE_SEC_ELEM]) &&
	    form == CORE_FORM_KEEP) {
		bin_write_bytes(w, e->p, (size_t)(e->end - e->p));
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, e->p, e->end, &r);
	remap = nonnull(remap);
	enum meld_status st;
	if (e->mode != CORE_SEG_ACTIVE) {
		uint32_t flags;
		st = copy_u32(&r, w, &flags, "element flags");
	} else {
		struct seg_target t;
		st = read_seg_target(remap, CORE_SPACE_TABLE, form,
				     elem_can_compact(e), 2, &r, &t);
		if (st != MELD_OK)
			return st;
		write_seg_target(&r, &t, w);
		st = core_rewrite_const_expr(remap, &r, w);
		if (st == MELD_OK)
			st = write_elem_kind(remap, &t, &r, w);
		if (st == MELD_OK)
			return write_elem_items(remap, e->flags & 4, &r, w);
		return st;
	}
	uint8_t b;
	if (st == MELD_OK && (e->flags & 4))
		st = core_rewrite_reftype(remap, &r, w);
	else if (st == MELD_OK)
		st = copy_byte(&r, w, &b, "element kind");
	if (st == MELD_OK)
		st = write_elem_items(remap, e->flags & 4, &r, w);
	return st;
}

enum meld_status
core_write_data(const struct core_module *m, const struct core_remap *remap,
		uint32_t dataidx, enum core_seg_form form,
		struct bin_writer *w)
{
	const struct core_data *d = &m->datas[dataidx];
	if (d->mode != CORE_SEG_ACTIVE ||
	    (!remapped(remap, section_spaces[CORE_SEC_DATA]) &&
	     form == CORE_FORM_KEEP)) {
		bin_write_bytes(w, d->p, (size_t)(d->end - d->p));
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, d->p, d->end, &r);
	remap = nonnull(remap);
	struct seg_target t;
	enum meld_status st = read_seg_target(remap, CORE_SPACE_MEMORY, form,
					      true, 2, &r, &t);
	if (st != MELD_OK)
		return st;
	write_seg_target(&r, &t, w);
	st = core_rewrite_const_expr(remap, &r, w);
	if (st == MELD_OK)
		copy_to(&r, d->end, w);
	return st;
}

/* ---- code ---- */

/* v in exactly `width` bytes (width at least its minimal size). */
static void
encode_padded(uint8_t *p, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++) {
		p[i] = (uint8_t)((v & 0x7f) | (i + 1 < width ? 0x80 : 0));
		v >>= 7;
	}
}

/*
 * Put the size of the body written since `mark` in front of it.  `guess`
 * bytes were left for it (the input's width), so the body only moves when
 * its new size needs another width.
 */
static void
patch_body_size(struct bin_writer *w, size_t mark, unsigned guess,
		unsigned pad)
{
	if (w->err != MELD_OK)
		return;
	size_t content = w->len - mark - guess;
	if (content > UINT32_MAX) {
		w->err = MELD_ENOMEM;
		return;
	}
	unsigned width = bin_u32_size((uint32_t)content);
	if (pad > width)
		width = pad;
	if (width > guess && !bin_write_space(w, width - guess))
		return;
	if (width != guess) {
		memmove(w->buf + mark + width, w->buf + mark + guess, content);
		w->len = mark + width + content;
	}
	encode_padded(w->buf + mark, (uint32_t)content, width);
}

enum meld_status
core_write_body(const struct core_module *m, const struct core_remap *remap,
		uint32_t funcidx, struct bin_writer *w)
{
	if (!is_defined(m, CORE_SPACE_FUNC, funcidx))
		return not_defined(m, CORE_SPACE_FUNC, funcidx);
	const struct core_body *b =
		&m->bodies[funcidx - m->space_imported[CORE_SPACE_FUNC]];
	if (!remapped(remap, ALL_SPACES)) {
		bin_write_bytes(w, b->p - b->size_width,
				(size_t)b->size_width + b->len);
		return MELD_OK;
	}
	struct bin_reader r;
	entry_reader(m, b->p, b->p + b->len, &r);
	size_t mark = w->len;
	if (!bin_write_space(w, b->size_width))
		return write_failed(m, w);
	enum meld_status st = core_rewrite_body(remap, &r, w);
	if (st != MELD_OK)
		return st;
	patch_body_size(w, mark, b->size_width,
			core_pad_width(b->len, b->size_width));
	return write_failed(m, w);
}

void
core_write_reserve(struct bin_writer *w, size_t n)
{
	size_t len = w->len;
	if (bin_write_space(w, n))
		w->len = len;
}

/* ---- names ---- */

bool
core_name_space(uint8_t id, enum core_space *out)
{
	static const int8_t spaces[CORE_NAME_COUNT] = {
		[CORE_NAME_MODULE] = -1,
		[CORE_NAME_FUNC] = CORE_SPACE_FUNC,
		[CORE_NAME_LOCAL] = CORE_SPACE_FUNC,
		[CORE_NAME_LABEL] = CORE_SPACE_FUNC,
		[CORE_NAME_TYPE] = CORE_SPACE_TYPE,
		[CORE_NAME_TABLE] = CORE_SPACE_TABLE,
		[CORE_NAME_MEMORY] = CORE_SPACE_MEMORY,
		[CORE_NAME_GLOBAL] = CORE_SPACE_GLOBAL,
		[CORE_NAME_ELEM] = CORE_SPACE_ELEM,
		[CORE_NAME_DATA] = CORE_SPACE_DATA,
		[CORE_NAME_FIELD] = CORE_SPACE_TYPE,
		[CORE_NAME_TAG] = CORE_SPACE_TAG,
	};
	if (id >= CORE_NAME_COUNT || spaces[id] < 0)
		return false;
	*out = (enum core_space)spaces[id];
	return true;
}

/* An association on its way out: new index, old index, input position. */
struct name_ent {
	uint32_t idx, old, pos;
	uint8_t width; /* pad the index to this width (0: minimal) */
};

static void
merge_ents(struct name_ent *a, size_t mid, size_t n, struct name_ent *tmp)
{
	size_t i = 0, j = mid, k = 0;
	while (i < mid && j < n)
		tmp[k++] = a[j].idx < a[i].idx ? a[j++] : a[i++];
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

/* Stable sort by new index; sorted input (the usual case) costs one pass. */
static bool
sort_ents(struct name_ent *a, size_t n)
{
	size_t i = 1;
	while (i < n && a[i - 1].idx <= a[i].idx)
		i++;
	if (i >= n)
		return true;
	struct name_ent *tmp = mem_malloc(n * sizeof *tmp);
	if (!tmp)
		return false;
	for (size_t width = 1; width < n; width *= 2)
		for (size_t lo = 0; lo + width < n; lo += 2 * width) {
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			merge_ents(a + lo, width, hi - lo, tmp);
		}
	free(tmp);
	return true;
}

static void
write_sub(struct bin_writer *w, uint8_t id,
	  const struct core_name_assoc *assocs, const struct name_ent *ents,
	  size_t n, unsigned count_width, unsigned size_width)
{
	bin_write_u8(w, id);
	size_t mark = bin_write_reserve_size(w);
	bin_write_u32_padded(w, (uint32_t)n, count_width);
	for (size_t i = 0; i < n; i++) {
		const struct core_name_assoc *a = &assocs[ents[i].pos];
		bin_write_u32_padded(w, ents[i].idx, ents[i].width);
		bin_write_bytes(w, a->p, (size_t)(a->end - a->p));
	}
	bin_write_patch_size(w, mark, size_width);
}

static enum meld_status
writer_nomem(struct bin_writer *w)
{
	if (w->err == MELD_OK)
		w->err = MELD_ENOMEM;
	return w->err;
}

enum meld_status
core_write_name_sub(struct bin_writer *w, uint8_t id,
		    const struct core_name_assoc *assocs, size_t n,
		    unsigned count_width, unsigned size_width)
{
	if (n > UINT32_MAX)
		return writer_nomem(w);
	struct name_ent *ents = mem_malloc((n ? n : 1) * sizeof *ents);
	if (!ents)
		return writer_nomem(w);
	for (size_t i = 0; i < n; i++)
		ents[i] = (struct name_ent){assocs[i].idx, assocs[i].idx,
					    (uint32_t)i, assocs[i].idx_width};
	size_t kept = 0;
	if (sort_ents(ents, n)) {
		for (size_t i = 0; i < n; i++)
			if (kept == 0 || ents[kept - 1].idx != ents[i].idx)
				ents[kept++] = ents[i];
		write_sub(w, id, assocs, ents, kept, count_width, size_width);
	} else {
		writer_nomem(w);
	}
	free(ents);
	return w->err;
}

static bool
name_lookup(const struct core_remap *remap, enum core_space s, uint32_t idx,
	    uint32_t *out)
{
	*out = idx;
	if (!remap || !remap->map[s])
		return true;
	if (idx >= remap->len[s])
		return false;
	*out = remap->map[s][idx];
	return *out != CORE_NO_INDEX;
}

/*
 * When several old indices map to one new index, the name of the first
 * (in input order) is kept; an input that names one index twice keeps
 * both.  ents (n, in input order) is filtered in place; byidx is scratch.
 */
static size_t
drop_collisions(struct name_ent *ents, size_t n, struct name_ent *byidx,
		bool *drop, bool sorted)
{
	for (size_t i = 0; i < n; i++) {
		const struct name_ent *first = &byidx[i];
		while (i + 1 < n && byidx[i + 1].idx == first->idx) {
			i++;
			if (byidx[i].old != first->old)
				drop[byidx[i].pos] = true;
		}
	}
	struct name_ent *out = sorted ? byidx : ents;
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (!drop[out[i].pos])
			ents[kept++] = out[i];
	return kept;
}

/*
 * A name map (or indirect map) remapped: the names of dropped indices
 * go; the entries keep the input's order, sorted again by new index when
 * the input was sorted.
 */
static enum meld_status
write_name_map(const struct core_module *m, const struct core_remap *remap,
	       const struct core_name_sub *sub, struct bin_writer *w)
{
	enum core_space s;
	if (!core_name_space(sub->id, &s))
		return MELD_OK; /* unknown: its indices cannot be remapped */
	size_t count = sub->count ? sub->count : 1, n = 0;
	struct name_ent *ents = mem_malloc(2 * count * sizeof *ents);
	bool *drop = mem_malloc(count * sizeof *drop);
	if (!ents || !drop) {
		free(ents);
		free(drop);
		writer_nomem(w);
		return write_failed(m, w);
	}
	bool sorted = true;
	for (uint32_t i = 0; i < sub->count; i++) {
		const struct core_name_assoc *in = &sub->assocs[i];
		uint32_t idx;
		drop[i] = false;
		if (i > 0 && in->idx < sub->assocs[i - 1].idx)
			sorted = false;
		if (name_lookup(remap, s, in->idx, &idx))
			ents[n++] = (struct name_ent){
				idx, in->idx, i,
				(uint8_t)core_pad_width(in->idx, in->idx_width)};
	}
	struct name_ent *byidx = ents + count;
	memcpy(byidx, ents, n * sizeof *ents);
	if (!sort_ents(byidx, n))
		writer_nomem(w);
	else
		n = drop_collisions(ents, n, byidx, drop, sorted);
	if (w->err == MELD_OK && (n || !sub->count))
		write_sub(w, sub->id, sub->assocs, ents, n,
			  core_pad_width(sub->count, sub->count_width),
			  core_pad_width((uint32_t)(sub->end - sub->content),
					 sub->size_width));
	free(ents);
	free(drop);
	return write_failed(m, w);
}

enum meld_status
core_write_names(const struct core_module *m, const struct core_remap *remap,
		 struct bin_writer *w)
{
	const struct core_names *names = &m->names;
	if (!names->present)
		return MELD_OK;
	const struct core_section *s = &m->sections[names->section];
	if (!remapped(remap, ALL_SPACES)) {
		bin_write_bytes(w, s->start, (size_t)(s->end - s->start));
		return MELD_OK;
	}
	if (!names->parsed)
		return MELD_OK; /* dropped: its indices cannot be remapped */
	size_t mark = core_write_section_begin(w, CORE_SEC_CUSTOM);
	bin_write_bytes(w, s->content,
			(size_t)(s->name.p + s->name.len - s->content));
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; st == MELD_OK && i < names->nsubs; i++) {
		const struct core_name_sub *sub = &names->subs[i];
		if (sub->id == CORE_NAME_MODULE)
			bin_write_bytes(w, sub->start,
					(size_t)(sub->end - sub->start));
		else
			st = write_name_map(m, remap, sub, w);
	}
	core_write_section_end(w, mark,
			       core_pad_width((uint32_t)(s->end - s->content),
					      s->size_width));
	return st;
}

/* ---- sections and the module ---- */

static enum meld_status
write_entries(const struct core_module *m, const struct core_remap *remap,
	      uint8_t id, struct bin_writer *w)
{
	enum meld_status st = MELD_OK;
	uint32_t first = 0, n = 0;
	enum core_space s = CORE_SPACE_COUNT;
	switch (id) {
	case CORE_SEC_FUNC: case CORE_SEC_CODE: s = CORE_SPACE_FUNC; break;
	case CORE_SEC_TABLE: s = CORE_SPACE_TABLE; break;
	case CORE_SEC_MEMORY: s = CORE_SPACE_MEMORY; break;
	case CORE_SEC_GLOBAL: s = CORE_SPACE_GLOBAL; break;
	case CORE_SEC_TAG: s = CORE_SPACE_TAG; break;
	case CORE_SEC_TYPE: n = m->ngroups; break;
	case CORE_SEC_IMPORT: n = m->nimports; break;
	case CORE_SEC_EXPORT: n = m->nexports; break;
	case CORE_SEC_ELEM: n = m->space_len[CORE_SPACE_ELEM]; break;
	case CORE_SEC_DATA: n = m->space_len[CORE_SPACE_DATA]; break;
	default: break;
	}
	if (s != CORE_SPACE_COUNT) {
		first = m->space_imported[s];
		n = m->space_len[s];
	}
	for (uint32_t i = first; st == MELD_OK && i < n; i++) {
		switch (id) {
		case CORE_SEC_TYPE: st = core_write_rec_group(m, remap, i, w); break;
		case CORE_SEC_IMPORT: st = core_write_import(m, remap, i, w); break;
		case CORE_SEC_FUNC: st = core_write_func_decl(m, remap, i, w); break;
		case CORE_SEC_TABLE: st = core_write_table(m, remap, i, w); break;
		case CORE_SEC_MEMORY: st = core_write_memory(m, i, w); break;
		case CORE_SEC_GLOBAL: st = core_write_global(m, remap, i, w); break;
		case CORE_SEC_TAG: st = core_write_tag(m, remap, i, w); break;
		case CORE_SEC_EXPORT: st = core_write_export(m, remap, i, w); break;
		case CORE_SEC_CODE: st = core_write_body(m, remap, i, w); break;
		case CORE_SEC_ELEM:
			st = core_write_elem(m, remap, i, CORE_FORM_KEEP, w);
			break;
		default:
			st = core_write_data(m, remap, i, CORE_FORM_KEEP, w);
			break;
		}
	}
	return st;
}

enum meld_status
core_write_section(const struct core_module *m, const struct core_remap *remap,
		   uint32_t secidx, struct bin_writer *w)
{
	const struct core_section *s = &m->sections[secidx];
	if (s->id == CORE_SEC_CUSTOM && m->names.present &&
	    secidx == m->names.section)
		return core_write_names(m, remap, w);
	if (s->id == CORE_SEC_CUSTOM && bin_name_eq(s->name, "name") &&
	    remapped(remap, ALL_SPACES))
		return MELD_OK; /* a second name section: not parsed, dropped */
	if (!remapped(remap, section_spaces[s->id])) {
		bin_write_bytes(w, s->start, (size_t)(s->end - s->start));
		return MELD_OK;
	}
	size_t mark = core_write_section_begin(w, s->id);
	enum meld_status st;
	if (s->id == CORE_SEC_START) {
		st = core_write_start(m, remap, w);
	} else {
		bin_write_bytes(w, s->content, s->count_width);
		st = write_entries(m, remap, s->id, w);
	}
	core_write_section_end(w, mark,
			       core_pad_width((uint32_t)(s->end - s->content),
					      s->size_width));
	return st;
}

enum meld_status
core_write_module(const struct core_module *m, const struct core_remap *remap,
		  struct bin_writer *w)
{
	if (!remapped(remap, ALL_SPACES)) {
		bin_write_bytes(w, m->bytes, m->len);
		return write_failed(m, w);
	}
	core_write_reserve(w, m->len + m->len / 8);
	bin_write_bytes(w, m->bytes, 8);
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; st == MELD_OK && i < m->nsections; i++)
		st = core_write_section(m, remap, i, w);
	if (st != MELD_OK)
		return st;
	return write_failed(m, w);
}
