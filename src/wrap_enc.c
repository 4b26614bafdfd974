/*
 * wrap_enc: writing the wrapper's binary (Binary.md "Component
 * Definitions", "Alias Definitions", "Canonical Definitions"; core
 * modules: the core spec's binary format).  A struct wcomp collects the
 * items of consecutive definitions of one kind into one section and
 * counts every index space, so the wrap pass only says what to define
 * and gets the new index back.  Also here: the two generated core modules
 * (shim and fixup) and the start-to-export rewrite of the fused module.
 */
#include <stdio.h>
#include <string.h>

#include "core_module.h"
#include "wrap_impl.h"

/* ---- the pointer map ------------------------------------------------- */

void
wmap_init(struct wmap *m)
{
	memset(m, 0, sizeof *m);
}

static size_t
wmap_slot(const struct wmap *m, const void *key)
{
	uintptr_t h = (uintptr_t)key;
	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (m->cap - 1);
}

bool
wmap_get(const struct wmap *m, const void *key, uint32_t *val)
{
	if (m->cap == 0 || !key)
		return false;
	for (size_t i = wmap_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return false;
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return true;
		}
	}
}

static bool
wmap_grow(struct arena *a, struct wmap *m)
{
	struct wmap bigger = {0};
	bigger.cap = m->cap ? 2 * m->cap : 64;
	bigger.keys = arena_alloc_array(a, bigger.cap, sizeof *bigger.keys);
	bigger.vals = arena_alloc_array(a, bigger.cap, sizeof *bigger.vals);
	if (!bigger.keys || !bigger.vals)
		return false;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] && !wmap_put(a, &bigger, m->keys[i], m->vals[i]))
			return false;
	*m = bigger;
	return true;
}

/* The first value put for a key stays. */
bool
wmap_put(struct arena *a, struct wmap *m, const void *key, uint32_t val)
{
	if (!key)
		return true;
	if (2 * (m->n + 1) > m->cap && !wmap_grow(a, m))
		return false;
	size_t i = wmap_slot(m, key);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->vals[i] = val;
		m->n++;
	}
	return true;
}

/* ---- sections --------------------------------------------------------- */

void
wcomp_init(struct wcomp *c, struct bin_writer *out)
{
	memset(c, 0, sizeof *c);
	c->out = out;
	c->sec_id = 0xff;
	bin_writer_init(&c->sec);
}

void
wcomp_clear(struct wcomp *c)
{
	bin_writer_clear(&c->sec);
}

void
wcomp_preamble(struct bin_writer *w)
{
	static const uint8_t pre[8] = {0x00, 0x61, 0x73, 0x6d,
				       0x0d, 0x00, 0x01, 0x00};
	bin_write_bytes(w, pre, sizeof pre);
}

void
wcomp_flush(struct wcomp *c)
{
	if (c->sec_id == 0xff)
		return;
	if (c->sec.err != MELD_OK && c->out->err == MELD_OK)
		c->out->err = c->sec.err;
	size_t size = bin_u32_size(c->sec_count) + c->sec.len;
	bin_write_u8(c->out, c->sec_id);
	bin_write_u32(c->out, (uint32_t)size);
	bin_write_u32(c->out, c->sec_count);
	bin_write_bytes(c->out, c->sec.buf, c->sec.len);
	c->sec.len = 0;
	c->sec_count = 0;
	c->sec_id = 0xff;
}

struct bin_writer *
wcomp_item(struct wcomp *c, uint8_t id)
{
	if (c->sec_id != id) {
		wcomp_flush(c);
		c->sec_id = id;
	}
	c->sec_count++;
	return &c->sec;
}

void
wcomp_blob(struct wcomp *c, uint8_t id, const uint8_t *p, size_t n)
{
	wcomp_flush(c);
	bin_write_u8(c->out, id);
	if (n > UINT32_MAX) {
		c->out->err = MELD_ENOMEM;
		return;
	}
	bin_write_u32(c->out, (uint32_t)n);
	bin_write_bytes(c->out, p, n);
}

uint32_t
wcomp_new(struct wcomp *c, enum comp_space s)
{
	return c->n[s]++;
}

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

enum meld_status
wcomp_type(struct wcomp *c, struct arena *a, const uint8_t *p, size_t n,
	   uint32_t *out)
{
	uint32_t h = fnv1a(p, n);
	for (size_t i = 0; i < c->ndefs; i++) {
		const struct wtypedef *d = &c->defs[i];
		if (d->hash == h && d->len == n && memcmp(d->bytes, p, n) == 0) {
			*out = d->idx;
			return MELD_OK;
		}
	}
	struct wtypedef *d = arena_push(a, (void **)&c->defs, &c->ndefs,
					&c->defs_cap, sizeof *d);
	uint8_t *copy = arena_dup(a, p, n);
	if (!d || !copy)
		return MELD_ENOMEM;
	bin_write_bytes(wcomp_item(c, WSEC_TYPE), p, n);
	*out = wcomp_new(c, COMP_SPACE_TYPE);
	*d = (struct wtypedef){h, copy, n, *out};
	return MELD_OK;
}

/* ---- pieces of definitions ------------------------------------------- */

void
wenc_name(struct bin_writer *b, const char *s)
{
	bin_write_name(b, (const uint8_t *)s, strlen(s));
}

static void
attribute(struct bin_writer *b, uint8_t kind, struct bin_name n)
{
	bin_write_u8(b, kind);
	bin_write_name(b, n.p, n.len);
}

void
wenc_extern_name(struct bin_writer *b, const struct comp_extern_name *n)
{
	bin_write_u8(b, n->form);
	bin_write_name(b, n->name.p, n->name.len);
	if (n->form != 0x02)
		return;
	bin_write_u32(b, (uint32_t)n->has_implements +
				 (uint32_t)n->has_version_suffix +
				 (uint32_t)n->has_external_id);
	if (n->has_implements)
		attribute(b, 0x00, n->implements);
	if (n->has_version_suffix)
		attribute(b, 0x01, n->version_suffix);
	if (n->has_external_id)
		attribute(b, 0x02, n->external_id);
}

void
wenc_sort(struct bin_writer *b, enum comp_space s)
{
	static const uint8_t core_sorts[] = {
		[COMP_SPACE_CORE_FUNC] = COMP_CORE_SORT_FUNC,
		[COMP_SPACE_CORE_TABLE] = COMP_CORE_SORT_TABLE,
		[COMP_SPACE_CORE_MEMORY] = COMP_CORE_SORT_MEMORY,
		[COMP_SPACE_CORE_GLOBAL] = COMP_CORE_SORT_GLOBAL,
		[COMP_SPACE_CORE_TAG] = COMP_CORE_SORT_TAG,
		[COMP_SPACE_CORE_TYPE] = COMP_CORE_SORT_TYPE,
		[COMP_SPACE_CORE_MODULE] = COMP_CORE_SORT_MODULE,
		[COMP_SPACE_CORE_INSTANCE] = COMP_CORE_SORT_INSTANCE,
	};
	switch (s) {
	case COMP_SPACE_FUNC: bin_write_u8(b, COMP_SORT_FUNC); return;
	case COMP_SPACE_VALUE: bin_write_u8(b, COMP_SORT_VALUE); return;
	case COMP_SPACE_TYPE: bin_write_u8(b, COMP_SORT_TYPE); return;
	case COMP_SPACE_COMPONENT: bin_write_u8(b, COMP_SORT_COMPONENT); return;
	case COMP_SPACE_INSTANCE: bin_write_u8(b, COMP_SORT_INSTANCE); return;
	default:
		bin_write_u8(b, COMP_SORT_CORE);
		bin_write_u8(b, core_sorts[s]);
		return;
	}
}

/* A valtype that is a type index: an s33, so that it never reads as one
 * of the primitive opcodes. */
void
wenc_valtype_idx(struct bin_writer *b, uint32_t typeidx)
{
	bin_write_s64(b, (int64_t)typeidx);
}

uint32_t
wenc_alias_export(struct wcomp *c, uint32_t instidx, const char *name,
		  enum comp_space s)
{
	struct bin_writer *b = wcomp_item(c, WSEC_ALIAS);
	wenc_sort(b, s);
	bin_write_u8(b, COMP_ALIAS_INSTANCE_EXPORT);
	bin_write_u32(b, instidx);
	wenc_name(b, name);
	return wcomp_new(c, s);
}

uint32_t
wenc_alias_core_export(struct wcomp *c, uint32_t instidx, const char *name,
		       enum comp_space s)
{
	struct bin_writer *b = wcomp_item(c, WSEC_ALIAS);
	wenc_sort(b, s);
	bin_write_u8(b, COMP_ALIAS_CORE_INSTANCE_EXPORT);
	bin_write_u32(b, instidx);
	wenc_name(b, name);
	return wcomp_new(c, s);
}

uint32_t
wenc_alias_outer(struct wcomp *c, uint32_t count, uint32_t idx,
		 enum comp_space s)
{
	struct bin_writer *b = wcomp_item(c, WSEC_ALIAS);
	wenc_sort(b, s);
	bin_write_u8(b, COMP_ALIAS_OUTER);
	bin_write_u32(b, count);
	bin_write_u32(b, idx);
	return wcomp_new(c, s);
}

static void
canon_opts(struct bin_writer *b, const struct wopts *o)
{
	uint32_t n = 1u + (uint32_t)(o->memory != WRAP_NONE) +
		     (uint32_t)(o->realloc != WRAP_NONE) +
		     (uint32_t)(o->post_return != WRAP_NONE);
	bin_write_u32(b, n);
	bin_write_u8(b, (uint8_t)o->encoding);
	if (o->memory != WRAP_NONE) {
		bin_write_u8(b, COMP_OPT_MEMORY);
		bin_write_u32(b, o->memory);
	}
	if (o->realloc != WRAP_NONE) {
		bin_write_u8(b, COMP_OPT_REALLOC);
		bin_write_u32(b, o->realloc);
	}
	if (o->post_return != WRAP_NONE) {
		bin_write_u8(b, COMP_OPT_POST_RETURN);
		bin_write_u32(b, o->post_return);
	}
}

uint32_t
wenc_lower(struct wcomp *c, uint32_t funcidx, const struct wopts *o)
{
	struct bin_writer *b = wcomp_item(c, WSEC_CANON);
	bin_write_u8(b, COMP_CANON_LOWER);
	bin_write_u8(b, 0x00);
	bin_write_u32(b, funcidx);
	canon_opts(b, o);
	return wcomp_new(c, COMP_SPACE_CORE_FUNC);
}

uint32_t
wenc_lift(struct wcomp *c, uint32_t core_funcidx, uint32_t typeidx,
	  const struct wopts *o)
{
	struct bin_writer *b = wcomp_item(c, WSEC_CANON);
	bin_write_u8(b, COMP_CANON_LIFT);
	bin_write_u8(b, 0x00);
	bin_write_u32(b, core_funcidx);
	canon_opts(b, o);
	bin_write_u32(b, typeidx);
	return wcomp_new(c, COMP_SPACE_FUNC);
}

uint32_t
wenc_resource_builtin(struct wcomp *c, enum comp_canon_kind k,
		      uint32_t typeidx)
{
	struct bin_writer *b = wcomp_item(c, WSEC_CANON);
	bin_write_u8(b, (uint8_t)k);
	bin_write_u32(b, typeidx);
	return wcomp_new(c, COMP_SPACE_CORE_FUNC);
}

uint32_t
wenc_resource_type(struct wcomp *c, uint32_t dtor_core_funcidx)
{
	struct bin_writer *b = wcomp_item(c, WSEC_TYPE);
	bin_write_u8(b, COMP_TYPE_RESOURCE);
	bin_write_u8(b, COMP_CORE_I32);
	if (dtor_core_funcidx == WRAP_NONE) {
		bin_write_u8(b, 0x00);
	} else {
		bin_write_u8(b, 0x01);
		bin_write_u32(b, dtor_core_funcidx);
	}
	return wcomp_new(c, COMP_SPACE_TYPE);
}

/* ---- generated core modules ------------------------------------------- */

static void
functype(struct bin_writer *b, const struct wslot *s)
{
	bin_write_u8(b, 0x60);
	bin_write_u32(b, s->nparams);
	bin_write_bytes(b, s->params, s->nparams);
	bin_write_u32(b, s->nresults);
	bin_write_bytes(b, s->results, s->nresults);
}

static void
type_section(const struct wslot *slots, size_t n, bool start,
	     struct bin_writer *b)
{
	size_t mark = core_write_section_begin(b, CORE_SEC_TYPE);
	bin_write_u32(b, (uint32_t)n + start);
	for (size_t i = 0; i < n; i++)
		functype(b, &slots[i]);
	if (start) {
		static const struct wslot none = {.nparams = 0};
		functype(b, &none);
	}
	core_write_section_end(b, mark, 0);
}

static void
tabletype(struct bin_writer *b, size_t n)
{
	bin_write_u8(b, 0x70); /* funcref */
	bin_write_u8(b, 0x01); /* min and max */
	bin_write_u32(b, (uint32_t)n);
	bin_write_u32(b, (uint32_t)n);
}

static void
index_name(struct bin_writer *b, size_t i)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%zu", i);
	wenc_name(b, buf);
}

static void
shim_exports(size_t n, struct bin_writer *b)
{
	size_t mark = core_write_section_begin(b, CORE_SEC_EXPORT);
	bin_write_u32(b, (uint32_t)n + 1);
	for (size_t i = 0; i < n; i++) {
		index_name(b, i);
		bin_write_u8(b, CORE_EXTERN_FUNC);
		bin_write_u32(b, (uint32_t)i);
	}
	wenc_name(b, "$imports");
	bin_write_u8(b, CORE_EXTERN_TABLE);
	bin_write_u32(b, 0);
	core_write_section_end(b, mark, 0);
}

/* Function i forwards its arguments to table slot i. */
static void
shim_code(const struct wslot *slots, size_t n, struct bin_writer *b)
{
	size_t mark = core_write_section_begin(b, CORE_SEC_CODE);
	bin_write_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t body = bin_write_reserve_size(b);
		bin_write_u32(b, 0); /* no locals */
		for (uint32_t k = 0; k < slots[i].nparams; k++) {
			bin_write_u8(b, 0x20); /* local.get */
			bin_write_u32(b, k);
		}
		bin_write_u8(b, 0x41); /* i32.const */
		bin_write_s32(b, (int32_t)i);
		bin_write_u8(b, 0x11); /* call_indirect */
		bin_write_u32(b, (uint32_t)i);
		bin_write_u32(b, 0);
		bin_write_u8(b, 0x0b);
		bin_write_patch_size(b, body, 0);
	}
	core_write_section_end(b, mark, 0);
}

enum meld_status
wenc_shim_module(const struct wslot *slots, size_t n, struct bin_writer *b)
{
	core_write_header(b);
	type_section(slots, n, false, b);
	size_t mark = core_write_section_begin(b, CORE_SEC_FUNC);
	bin_write_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		bin_write_u32(b, (uint32_t)i);
	core_write_section_end(b, mark, 0);
	mark = core_write_section_begin(b, CORE_SEC_TABLE);
	bin_write_u32(b, 1);
	tabletype(b, n);
	core_write_section_end(b, mark, 0);
	shim_exports(n, b);
	shim_code(slots, n, b);
	return b->err;
}

static void
fixup_imports(size_t n, bool start, struct bin_writer *b)
{
	size_t mark = core_write_section_begin(b, CORE_SEC_IMPORT);
	bin_write_u32(b, (uint32_t)n + 1 + start);
	wenc_name(b, "");
	wenc_name(b, "$imports");
	bin_write_u8(b, CORE_EXTERN_TABLE);
	tabletype(b, n);
	for (size_t i = 0; i < n; i++) {
		wenc_name(b, "");
		index_name(b, i);
		bin_write_u8(b, CORE_EXTERN_FUNC);
		bin_write_u32(b, (uint32_t)i);
	}
	if (start) {
		wenc_name(b, "");
		wenc_name(b, WRAP_START_EXPORT);
		bin_write_u8(b, CORE_EXTERN_FUNC);
		bin_write_u32(b, (uint32_t)n);
	}
	core_write_section_end(b, mark, 0);
}

enum meld_status
wenc_fixup_module(const struct wslot *slots, size_t n, bool start,
		  struct bin_writer *b)
{
	core_write_header(b);
	type_section(slots, n, start, b);
	fixup_imports(n, start, b);
	size_t mark;
	if (start) {
		mark = core_write_section_begin(b, CORE_SEC_START);
		bin_write_u32(b, (uint32_t)n);
		core_write_section_end(b, mark, 0);
	}
	/* one active segment at offset 0 of table 0: every imported func */
	mark = core_write_section_begin(b, CORE_SEC_ELEM);
	bin_write_u32(b, 1);
	bin_write_u32(b, 0);
	bin_write_u8(b, 0x41);
	bin_write_s32(b, 0);
	bin_write_u8(b, 0x0b);
	bin_write_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		bin_write_u32(b, (uint32_t)i);
	core_write_section_end(b, mark, 0);
	return b->err;
}

/* ---- the fused module, its start turned into an export ---------------- */

static enum meld_status
copy_exports(struct bin_reader *sec, uint32_t start_funcidx,
	     struct bin_writer *b)
{
	uint32_t n;
	enum meld_status st = bin_read_u32(sec, &n, "export count");
	if (st != MELD_OK)
		return st;
	size_t mark = core_write_section_begin(b, CORE_SEC_EXPORT);
	bin_write_u32(b, n + 1);
	bin_write_bytes(b, sec->p, bin_left(sec));
	wenc_name(b, WRAP_START_EXPORT);
	bin_write_u8(b, CORE_EXTERN_FUNC);
	bin_write_u32(b, start_funcidx);
	core_write_section_end(b, mark, 0);
	return MELD_OK;
}

static void
new_exports(uint32_t start_funcidx, struct bin_writer *b)
{
	size_t mark = core_write_section_begin(b, CORE_SEC_EXPORT);
	bin_write_u32(b, 1);
	wenc_name(b, WRAP_START_EXPORT);
	bin_write_u8(b, CORE_EXTERN_FUNC);
	bin_write_u32(b, start_funcidx);
	core_write_section_end(b, mark, 0);
}

enum meld_status
wenc_move_start(struct wrap *w, uint32_t start_funcidx, struct bin_writer *b)
{
	struct bin_reader r;
	bin_reader_init(&r, w->fused, w->fused_len, "(fused module)", w->d);
	const uint8_t *pre;
	enum meld_status st = bin_read_bytes(&r, 8, &pre, "preamble");
	bool had_exports = false;
	if (st == MELD_OK)
		bin_write_bytes(b, pre, 8);
	while (st == MELD_OK && !bin_at_end(&r)) {
		const uint8_t *at = r.p;
		uint8_t id;
		uint32_t size;
		struct bin_reader sec;
		if ((st = bin_read_u8(&r, &id, "section id")) != MELD_OK ||
		    (st = bin_read_u32(&r, &size, "section size")) != MELD_OK ||
		    (st = bin_read_sub(&r, size, &sec, "section")) != MELD_OK)
			break;
		if (id == CORE_SEC_EXPORT) {
			had_exports = true;
			st = copy_exports(&sec, start_funcidx, b);
		} else if (id == CORE_SEC_START) {
			if (!had_exports)
				new_exports(start_funcidx, b);
		} else {
			bin_write_bytes(b, at, (size_t)(r.p - at));
		}
	}
	return st != MELD_OK ? st : b->err;
}
