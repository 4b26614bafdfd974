/*
 * comp_read: the component binary reader (Binary.md, all sections).
 *
 * Reads the preamble, then every section in order, appending each
 * definition to the component's definition list and to the index space it
 * extends.  Nested components are read recursively with offsets still
 * counted from the start of the file.  Core modules stay byte ranges (read
 * later by core_read).  Nothing here checks what an index refers to; that
 * is comp_valid.c's job.
 */
#include "comp.h"

#include <string.h>

#include "comp_types.h"

static const uint8_t comp_magic[4] = {0x00, 0x61, 0x73, 0x6d};

enum comp_layer
comp_detect(const uint8_t *bytes, size_t len)
{
	if (len < 8 || memcmp(bytes, comp_magic, 4) != 0)
		return COMP_LAYER_UNKNOWN;
	if (bytes[6] == 0x01 && bytes[7] == 0x00)
		return COMP_LAYER_COMPONENT;
	if (bytes[6] == 0x00 && bytes[7] == 0x00)
		return COMP_LAYER_CORE;
	return COMP_LAYER_UNKNOWN;
}

/* ---- names for diagnostics and printing ----------------------------- */

const char *
comp_space_name(enum comp_space s)
{
	static const char *const names[COMP_SPACE_COUNT] = {
		"core func", "core table", "core memory", "core global",
		"core tag", "core type", "core module", "core instance",
		"func", "value", "type", "component", "instance",
	};
	return (unsigned)s < COMP_SPACE_COUNT ? names[s] : "?";
}

bool
comp_space_from_sort(uint8_t sort, uint8_t core_sort, enum comp_space *out)
{
	switch (sort) {
	case COMP_SORT_CORE:
		switch (core_sort) {
		case COMP_CORE_SORT_FUNC: *out = COMP_SPACE_CORE_FUNC; return true;
		case COMP_CORE_SORT_TABLE: *out = COMP_SPACE_CORE_TABLE; return true;
		case COMP_CORE_SORT_MEMORY: *out = COMP_SPACE_CORE_MEMORY; return true;
		case COMP_CORE_SORT_GLOBAL: *out = COMP_SPACE_CORE_GLOBAL; return true;
		case COMP_CORE_SORT_TAG: *out = COMP_SPACE_CORE_TAG; return true;
		case COMP_CORE_SORT_TYPE: *out = COMP_SPACE_CORE_TYPE; return true;
		case COMP_CORE_SORT_MODULE: *out = COMP_SPACE_CORE_MODULE; return true;
		case COMP_CORE_SORT_INSTANCE: *out = COMP_SPACE_CORE_INSTANCE; return true;
		default: return false;
		}
	case COMP_SORT_FUNC: *out = COMP_SPACE_FUNC; return true;
	case COMP_SORT_VALUE: *out = COMP_SPACE_VALUE; return true;
	case COMP_SORT_TYPE: *out = COMP_SPACE_TYPE; return true;
	case COMP_SORT_COMPONENT: *out = COMP_SPACE_COMPONENT; return true;
	case COMP_SORT_INSTANCE: *out = COMP_SPACE_INSTANCE; return true;
	default: return false;
	}
}

const char *
comp_prim_name(enum comp_prim p)
{
	switch (p) {
	case COMP_PRIM_NONE: return NULL;
	case COMP_PRIM_BOOL: return "bool";
	case COMP_PRIM_S8: return "s8";
	case COMP_PRIM_U8: return "u8";
	case COMP_PRIM_S16: return "s16";
	case COMP_PRIM_U16: return "u16";
	case COMP_PRIM_S32: return "s32";
	case COMP_PRIM_U32: return "u32";
	case COMP_PRIM_S64: return "s64";
	case COMP_PRIM_U64: return "u64";
	case COMP_PRIM_F32: return "f32";
	case COMP_PRIM_F64: return "f64";
	case COMP_PRIM_CHAR: return "char";
	case COMP_PRIM_STRING: return "string";
	case COMP_PRIM_ERROR_CONTEXT: return "error-context";
	}
	return NULL;
}

const char *
comp_canon_name(enum comp_canon_kind k)
{
	switch (k) {
	case COMP_CANON_LIFT: return "lift";
	case COMP_CANON_LOWER: return "lower";
	case COMP_CANON_RESOURCE_NEW: return "resource.new";
	case COMP_CANON_RESOURCE_DROP: return "resource.drop";
	case COMP_CANON_RESOURCE_REP: return "resource.rep";
	case COMP_CANON_TASK_CANCEL: return "task.cancel";
	case COMP_CANON_SUBTASK_CANCEL: return "subtask.cancel";
	case COMP_CANON_TASK_RETURN: return "task.return";
	case COMP_CANON_CONTEXT_GET: return "context.get";
	case COMP_CANON_CONTEXT_SET: return "context.set";
	case COMP_CANON_THREAD_YIELD: return "thread.yield";
	case COMP_CANON_SUBTASK_DROP: return "subtask.drop";
	case COMP_CANON_STREAM_NEW: return "stream.new";
	case COMP_CANON_STREAM_READ: return "stream.read";
	case COMP_CANON_STREAM_WRITE: return "stream.write";
	case COMP_CANON_STREAM_CANCEL_READ: return "stream.cancel-read";
	case COMP_CANON_STREAM_CANCEL_WRITE: return "stream.cancel-write";
	case COMP_CANON_STREAM_DROP_READABLE: return "stream.drop-readable";
	case COMP_CANON_STREAM_DROP_WRITABLE: return "stream.drop-writable";
	case COMP_CANON_FUTURE_NEW: return "future.new";
	case COMP_CANON_FUTURE_READ: return "future.read";
	case COMP_CANON_FUTURE_WRITE: return "future.write";
	case COMP_CANON_FUTURE_CANCEL_READ: return "future.cancel-read";
	case COMP_CANON_FUTURE_CANCEL_WRITE: return "future.cancel-write";
	case COMP_CANON_FUTURE_DROP_READABLE: return "future.drop-readable";
	case COMP_CANON_FUTURE_DROP_WRITABLE: return "future.drop-writable";
	case COMP_CANON_ERROR_CONTEXT_NEW: return "error-context.new";
	case COMP_CANON_ERROR_CONTEXT_DEBUG_MESSAGE: return "error-context.debug-message";
	case COMP_CANON_ERROR_CONTEXT_DROP: return "error-context.drop";
	case COMP_CANON_WAITABLE_SET_NEW: return "waitable-set.new";
	case COMP_CANON_WAITABLE_SET_WAIT: return "waitable-set.wait";
	case COMP_CANON_WAITABLE_SET_POLL: return "waitable-set.poll";
	case COMP_CANON_WAITABLE_SET_DROP: return "waitable-set.drop";
	case COMP_CANON_WAITABLE_JOIN: return "waitable.join";
	case COMP_CANON_BACKPRESSURE_INC: return "backpressure.inc";
	case COMP_CANON_BACKPRESSURE_DEC: return "backpressure.dec";
	case COMP_CANON_THREAD_INDEX: return "thread.index";
	case COMP_CANON_THREAD_NEW_INDIRECT: return "thread.new-indirect";
	case COMP_CANON_THREAD_RESUME_LATER: return "thread.resume-later";
	case COMP_CANON_THREAD_SUSPEND: return "thread.suspend";
	case COMP_CANON_THREAD_SUSPEND_THEN_RESUME: return "thread.suspend-then-resume";
	case COMP_CANON_THREAD_YIELD_THEN_RESUME: return "thread.yield-then-resume";
	case COMP_CANON_THREAD_SUSPEND_THEN_PROMOTE: return "thread.suspend-then-promote";
	case COMP_CANON_THREAD_YIELD_THEN_PROMOTE: return "thread.yield-then-promote";
	case COMP_CANON_THREAD_SPAWN_REF: return "thread.spawn-ref";
	case COMP_CANON_THREAD_SPAWN_INDIRECT: return "thread.spawn-indirect";
	case COMP_CANON_THREAD_AVAILABLE_PARALLELISM: return "thread.available-parallelism";
	}
	return "?";
}

const char *
comp_def_kind_name(enum comp_def_kind k)
{
	switch (k) {
	case COMP_DEF_CORE_MODULE: return "core module";
	case COMP_DEF_CORE_INSTANCE: return "core instance";
	case COMP_DEF_CORE_TYPE: return "core type";
	case COMP_DEF_COMPONENT: return "component";
	case COMP_DEF_INSTANCE: return "instance";
	case COMP_DEF_ALIAS: return "alias";
	case COMP_DEF_TYPE: return "type";
	case COMP_DEF_CANON: return "canon";
	case COMP_DEF_START: return "start";
	case COMP_DEF_IMPORT: return "import";
	case COMP_DEF_EXPORT: return "export";
	case COMP_DEF_VALUE: return "value";
	}
	return "?";
}

const struct comp_space_entry *
comp_space_get(const struct comp_component *c, enum comp_space s,
	       uint32_t idx)
{
	if ((unsigned)s >= COMP_SPACE_COUNT || idx >= c->space[s].len)
		return NULL;
	return &c->space[s].items[idx];
}

/* ---- building the component ----------------------------------------- */

struct reader {
	struct comp_rctx x;
	struct comp_component *c;
	struct bin_reader *r;
};

/* Record a definition; *item receives its index in the kind's array. */
static enum meld_status
add_def(struct reader *rd, enum comp_def_kind kind, size_t item)
{
	struct comp_component *c = rd->c;
	struct comp_def *d = arena_push(rd->x.arena, (void **)&c->defs,
					&c->ndefs, &c->defs_cap, sizeof *d);
	if (!d)
		return comp_oom(rd->r);
	d->kind = kind;
	d->item = (uint32_t)item;
	return MELD_OK;
}

/* Append n entries to a space; *first receives the first new index. */
static enum meld_status
add_index(struct reader *rd, enum comp_space s, enum comp_def_kind origin,
	  size_t item, uint32_t n, uint32_t *first)
{
	struct comp_component *c = rd->c;
	if (c->space[s].len + n > UINT32_MAX)
		return bin_malformed(rd->r, "%s index space: too many entries",
				     comp_space_name(s));
	*first = (uint32_t)c->space[s].len;
	for (uint32_t i = 0; i < n; i++) {
		struct comp_space_entry *e =
			arena_push(rd->x.arena, (void **)&c->space[s].items,
				   &c->space[s].len, &c->space[s].cap, sizeof *e);
		if (!e)
			return comp_oom(rd->r);
		e->origin = origin;
		e->item = (uint32_t)item;
		e->sub = i;
	}
	return MELD_OK;
}

/* Grow one of the per-kind arrays; NULL (with ENOMEM reported) on OOM. */
static void *
push(struct reader *rd, void **items, size_t *len, size_t *cap, size_t elem)
{
	void *p = arena_push(rd->x.arena, items, len, cap, elem);
	if (!p)
		(void)comp_oom(rd->r);
	return p;
}

/* ---- core modules and instances ------------------------------------- */

static enum meld_status
read_core_module_section(struct reader *rd, struct bin_reader *sec)
{
	struct comp_component *c = rd->c;
	if (bin_left(sec) < 8 || memcmp(sec->p, comp_magic, 4) != 0)
		return bin_malformed(sec, "core module: bad magic number");
	if (sec->p[4] != 0x01 || sec->p[5] || sec->p[6] || sec->p[7])
		return bin_malformed(sec, "core module: unsupported version 0x%02x%02x%02x%02x",
				     sec->p[7], sec->p[6], sec->p[5], sec->p[4]);
	size_t item = c->ncore_modules;
	struct comp_core_module *m =
		push(rd, (void **)&c->core_modules, &c->ncore_modules,
		     &c->core_modules_cap, sizeof *m);
	if (!m)
		return MELD_ENOMEM;
	m->bytes = sec->p;
	m->len = bin_left(sec);
	m->offset = bin_offset(sec);
	sec->p = sec->end;
	enum meld_status st = add_def(rd, COMP_DEF_CORE_MODULE, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_CORE_MODULE,
					 COMP_DEF_CORE_MODULE, item, 1, &m->idx)
			     : st;
}

static enum meld_status
read_core_arg(struct bin_reader *r, struct comp_arg *a)
{
	uint8_t kind;
	a->offset = bin_offset(r);
	enum meld_status st = bin_read_name(r, &a->name, "instantiate argument name");
	if (st == MELD_OK)
		st = bin_read_u8(r, &kind, "instantiate argument kind");
	if (st != MELD_OK)
		return st;
	if (kind != COMP_CORE_SORT_INSTANCE) {
		r->p--;
		return bin_malformed(r, "core instantiate argument: invalid kind 0x%02x (only instance)",
				     kind);
	}
	a->ref.space = COMP_SPACE_CORE_INSTANCE;
	return bin_read_u32(r, &a->ref.idx, "instantiate argument index");
}

static enum meld_status
read_core_inline_export(struct bin_reader *r, struct comp_inline_export *e)
{
	uint8_t sort;
	memset(e, 0, sizeof *e);
	e->name.offset = bin_offset(r);
	enum meld_status st = bin_read_name(r, &e->name.name, "export name");
	if (st == MELD_OK)
		st = bin_read_u8(r, &sort, "export sort");
	if (st != MELD_OK)
		return st;
	if (!comp_space_from_sort(COMP_SORT_CORE, sort, &e->ref.space)) {
		r->p--;
		return bin_malformed(r, "export sort: invalid core sort 0x%02x", sort);
	}
	return bin_read_u32(r, &e->ref.idx, "export index");
}

static enum meld_status
read_core_instance(struct reader *rd, struct bin_reader *r,
		   struct comp_core_instance *ci)
{
	uint8_t b;
	ci->offset = bin_offset(r);
	enum meld_status st = bin_read_u8(r, &b, "core instance");
	if (st != MELD_OK)
		return st;
	ci->kind = (enum comp_instance_kind)b;
	if (b == COMP_INSTANCE_INSTANTIATE) {
		st = bin_read_u32(r, &ci->moduleidx, "core module index");
		if (st == MELD_OK)
			st = bin_read_count(r, &ci->nargs, 3, "instantiate arguments");
		if (st != MELD_OK)
			return st;
		ci->args = comp_alloc_array(&rd->x, r, ci->nargs, sizeof *ci->args);
		if (!ci->args)
			return MELD_ENOMEM;
		for (uint32_t i = 0; i < ci->nargs && st == MELD_OK; i++)
			st = read_core_arg(r, &ci->args[i]);
		return st;
	}
	if (b == COMP_INSTANCE_FROM_EXPORTS) {
		st = bin_read_count(r, &ci->nexports, 3, "inline exports");
		if (st != MELD_OK)
			return st;
		ci->exports = comp_alloc_array(&rd->x, r, ci->nexports,
					       sizeof *ci->exports);
		if (!ci->exports)
			return MELD_ENOMEM;
		for (uint32_t i = 0; i < ci->nexports && st == MELD_OK; i++)
			st = read_core_inline_export(r, &ci->exports[i]);
		return st;
	}
	r->p--;
	return bin_malformed(r, "core instance: invalid kind 0x%02x", b);
}

/* A section that is a vector of items, each read by `one`. */
typedef enum meld_status (*vec_item_fn)(struct reader *rd,
					struct bin_reader *r, uint32_t i);

static enum meld_status
read_vec_section(struct reader *rd, struct bin_reader *sec, const char *what,
		 vec_item_fn one)
{
	uint32_t n;
	enum meld_status st = bin_read_count(sec, &n, 1, what);
	for (uint32_t i = 0; i < n && st == MELD_OK; i++)
		st = one(rd, sec, i);
	return st;
}

static enum meld_status
core_instance_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->ncore_instances;
	struct comp_core_instance *ci =
		push(rd, (void **)&c->core_instances, &c->ncore_instances,
		     &c->core_instances_cap, sizeof *ci);
	if (!ci)
		return MELD_ENOMEM;
	enum meld_status st = read_core_instance(rd, r, ci);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_CORE_INSTANCE, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_CORE_INSTANCE,
					 COMP_DEF_CORE_INSTANCE, item, 1,
					 &ci->idx)
			     : st;
}

static enum meld_status
core_type_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->ncore_types;
	struct comp_core_typedef *t =
		push(rd, (void **)&c->core_types, &c->ncore_types,
		     &c->core_types_cap, sizeof *t);
	if (!t)
		return MELD_ENOMEM;
	enum meld_status st = comp_read_core_type(&rd->x, r, t);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_CORE_TYPE, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_CORE_TYPE,
					 COMP_DEF_CORE_TYPE, item,
					 t->is_module ? 1 : t->nsubs,
					 &t->first_idx)
			     : st;
}

/* ---- component instances, aliases, types ---------------------------- */

static enum meld_status
read_arg(struct bin_reader *r, struct comp_arg *a)
{
	a->offset = bin_offset(r);
	enum meld_status st = bin_read_name(r, &a->name, "instantiate argument name");
	return st == MELD_OK ? comp_read_sortidx(r, &a->ref, "instantiate argument")
			     : st;
}

static enum meld_status
read_instance(struct reader *rd, struct bin_reader *r, struct comp_instance *in)
{
	uint8_t b;
	in->offset = bin_offset(r);
	enum meld_status st = bin_read_u8(r, &b, "instance");
	if (st != MELD_OK)
		return st;
	in->kind = (enum comp_instance_kind)b;
	if (b == COMP_INSTANCE_INSTANTIATE) {
		st = bin_read_u32(r, &in->componentidx, "component index");
		if (st == MELD_OK)
			st = bin_read_count(r, &in->nargs, 3, "instantiate arguments");
		if (st != MELD_OK)
			return st;
		in->args = comp_alloc_array(&rd->x, r, in->nargs, sizeof *in->args);
		if (!in->args)
			return MELD_ENOMEM;
		for (uint32_t i = 0; i < in->nargs && st == MELD_OK; i++)
			st = read_arg(r, &in->args[i]);
		return st;
	}
	if (b == COMP_INSTANCE_FROM_EXPORTS) {
		st = bin_read_count(r, &in->nexports, 4, "inline exports");
		if (st != MELD_OK)
			return st;
		in->exports = comp_alloc_array(&rd->x, r, in->nexports,
					       sizeof *in->exports);
		if (!in->exports)
			return MELD_ENOMEM;
		for (uint32_t i = 0; i < in->nexports && st == MELD_OK; i++) {
			st = comp_read_extern_name(r, &in->exports[i].name,
						   "export name");
			if (st == MELD_OK)
				st = comp_read_sortidx(r, &in->exports[i].ref,
						       "export");
		}
		return st;
	}
	r->p--;
	return bin_malformed(r, "instance: invalid kind 0x%02x", b);
}

static enum meld_status
instance_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->ninstances;
	struct comp_instance *in = push(rd, (void **)&c->instances,
					&c->ninstances, &c->instances_cap,
					sizeof *in);
	if (!in)
		return MELD_ENOMEM;
	enum meld_status st = read_instance(rd, r, in);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_INSTANCE, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_INSTANCE,
					 COMP_DEF_INSTANCE, item, 1, &in->idx)
			     : st;
}

static enum meld_status
alias_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->naliases;
	struct comp_alias *a = push(rd, (void **)&c->aliases, &c->naliases,
				    &c->aliases_cap, sizeof *a);
	if (!a)
		return MELD_ENOMEM;
	enum meld_status st = comp_read_alias(r, a);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_ALIAS, item);
	return st == MELD_OK ? add_index(rd, a->space, COMP_DEF_ALIAS, item, 1,
					 &a->idx)
			     : st;
}

static enum meld_status
type_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->ntypes;
	struct comp_type *t = push(rd, (void **)&c->types, &c->ntypes,
				   &c->types_cap, sizeof *t);
	if (!t)
		return MELD_ENOMEM;
	enum meld_status st = comp_read_type(&rd->x, r, t);
	uint32_t idx;
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_TYPE, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_TYPE, COMP_DEF_TYPE,
					 item, 1, &idx)
			     : st;
}

/* ---- canon ---------------------------------------------------------- */

static enum meld_status
read_canonopt(struct bin_reader *r, struct comp_canon_opts *o, uint8_t *code)
{
	enum meld_status st = bin_read_u8(r, code, "canonical option");
	if (st != MELD_OK)
		return st;
	switch (*code) {
	case COMP_OPT_UTF8:
	case COMP_OPT_UTF16:
	case COMP_OPT_LATIN1_UTF16:
		o->has_encoding = true;
		o->encoding = (enum comp_string_encoding)*code;
		return MELD_OK;
	case COMP_OPT_MEMORY:
		o->has_memory = true;
		return bin_read_u32(r, &o->memoryidx, "memory option index");
	case COMP_OPT_REALLOC:
		o->has_realloc = true;
		return bin_read_u32(r, &o->realloc_funcidx, "realloc option index");
	case COMP_OPT_POST_RETURN:
		o->has_post_return = true;
		return bin_read_u32(r, &o->post_return_funcidx,
				    "post-return option index");
	case COMP_OPT_ASYNC:
		o->async = true;
		return MELD_OK;
	case COMP_OPT_CALLBACK:
		o->has_callback = true;
		return bin_read_u32(r, &o->callback_funcidx,
				    "callback option index");
	case COMP_OPT_CORE_TYPE:
		o->has_core_type = true;
		return bin_read_u32(r, &o->core_typeidx, "core-type option index");
	case COMP_OPT_GC:
		o->gc = true;
		return MELD_OK;
	default:
		r->p--;
		return bin_malformed(r, "canonical option: invalid opcode 0x%02x", *code);
	}
}

static enum meld_status
read_opts(struct comp_rctx *x, struct bin_reader *r, struct comp_canon_opts *o)
{
	o->offset = bin_offset(r);
	enum meld_status st = bin_read_count(r, &o->ncodes, 1, "canonical options");
	if (st != MELD_OK)
		return st;
	o->codes = comp_alloc_array(x, r, o->ncodes, 1);
	if (!o->codes)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < o->ncodes && st == MELD_OK; i++)
		st = read_canonopt(r, o, &o->codes[i]);
	return st;
}

static enum meld_status
read_sort_byte(struct bin_reader *r, uint8_t want, const char *what)
{
	uint8_t b;
	enum meld_status st = bin_read_u8(r, &b, what);
	if (st == MELD_OK && b != want) {
		r->p--;
		return bin_malformed(r, "%s: expected func sort 0x%02x, found 0x%02x",
				     what, want, b);
	}
	return st;
}

static enum meld_status
read_task_return(struct comp_rctx *x, struct bin_reader *r,
		 struct comp_canon *cn)
{
	uint8_t b, z;
	enum meld_status st = bin_read_u8(r, &b, "task.return results");
	if (st != MELD_OK)
		return st;
	if (b == 0x00) {
		cn->has_result = true;
		st = comp_read_valtype(r, &cn->result, "task.return result");
	} else if (b == 0x01) {
		st = bin_read_u8(r, &z, "task.return results");
		if (st == MELD_OK && z != 0x00) {
			r->p--;
			return bin_malformed(r, "task.return results: invalid 0x%02x", z);
		}
	} else {
		r->p--;
		return bin_malformed(r, "task.return results: invalid kind 0x%02x", b);
	}
	return st == MELD_OK ? read_opts(x, r, &cn->opts) : st;
}

/* The immediates of the built-ins that follow a type index. */
static enum meld_status
read_typed_builtin(struct comp_rctx *x, struct bin_reader *r,
		   struct comp_canon *cn)
{
	enum meld_status st = bin_read_u32(r, &cn->typeidx, "canon type index");
	if (st != MELD_OK)
		return st;
	switch (cn->kind) {
	case COMP_CANON_STREAM_READ:
	case COMP_CANON_STREAM_WRITE:
	case COMP_CANON_FUTURE_READ:
	case COMP_CANON_FUTURE_WRITE:
		return read_opts(x, r, &cn->opts);
	case COMP_CANON_STREAM_CANCEL_READ:
	case COMP_CANON_STREAM_CANCEL_WRITE:
	case COMP_CANON_FUTURE_CANCEL_READ:
	case COMP_CANON_FUTURE_CANCEL_WRITE:
		return bin_read_bool(r, &cn->flag, "async flag", "invalid flag");
	default:
		return MELD_OK;
	}
}

static enum meld_status
read_canon_body(struct comp_rctx *x, struct bin_reader *r,
		struct comp_canon *cn)
{
	enum meld_status st;
	switch (cn->kind) {
	case COMP_CANON_LIFT:
		st = read_sort_byte(r, 0x00, "canon lift");
		if (st == MELD_OK)
			st = bin_read_u32(r, &cn->funcidx, "lift core func index");
		if (st == MELD_OK)
			st = read_opts(x, r, &cn->opts);
		return st == MELD_OK ? bin_read_u32(r, &cn->typeidx,
						    "lift type index")
				     : st;
	case COMP_CANON_LOWER:
		st = read_sort_byte(r, 0x00, "canon lower");
		if (st == MELD_OK)
			st = bin_read_u32(r, &cn->funcidx, "lower func index");
		return st == MELD_OK ? read_opts(x, r, &cn->opts) : st;
	case COMP_CANON_RESOURCE_NEW:
	case COMP_CANON_RESOURCE_DROP:
	case COMP_CANON_RESOURCE_REP:
	case COMP_CANON_STREAM_NEW:
	case COMP_CANON_STREAM_READ:
	case COMP_CANON_STREAM_WRITE:
	case COMP_CANON_STREAM_CANCEL_READ:
	case COMP_CANON_STREAM_CANCEL_WRITE:
	case COMP_CANON_STREAM_DROP_READABLE:
	case COMP_CANON_STREAM_DROP_WRITABLE:
	case COMP_CANON_FUTURE_NEW:
	case COMP_CANON_FUTURE_READ:
	case COMP_CANON_FUTURE_WRITE:
	case COMP_CANON_FUTURE_CANCEL_READ:
	case COMP_CANON_FUTURE_CANCEL_WRITE:
	case COMP_CANON_FUTURE_DROP_READABLE:
	case COMP_CANON_FUTURE_DROP_WRITABLE:
		return read_typed_builtin(x, r, cn);
	case COMP_CANON_TASK_RETURN:
		return read_task_return(x, r, cn);
	case COMP_CANON_CONTEXT_GET:
	case COMP_CANON_CONTEXT_SET:
		st = comp_read_core_valtype(r, &cn->ctx_type, false,
					    "context type");
		return st == MELD_OK ? bin_read_u32(r, &cn->ctx_slot,
						    "context slot")
				     : st;
	case COMP_CANON_SUBTASK_CANCEL:
		return bin_read_bool(r, &cn->flag, "async flag", "invalid flag");
	case COMP_CANON_ERROR_CONTEXT_NEW:
	case COMP_CANON_ERROR_CONTEXT_DEBUG_MESSAGE:
		return read_opts(x, r, &cn->opts);
	case COMP_CANON_WAITABLE_SET_WAIT:
	case COMP_CANON_WAITABLE_SET_POLL:
		st = bin_read_bool(r, &cn->flag, "cancellable flag",
				   "invalid flag");
		cn->opts.has_memory = true;
		return st == MELD_OK ? bin_read_u32(r, &cn->opts.memoryidx,
						    "memory index")
				     : st;
	case COMP_CANON_THREAD_SUSPEND:
	case COMP_CANON_THREAD_YIELD:
	case COMP_CANON_THREAD_SUSPEND_THEN_RESUME:
	case COMP_CANON_THREAD_YIELD_THEN_RESUME:
	case COMP_CANON_THREAD_SUSPEND_THEN_PROMOTE:
	case COMP_CANON_THREAD_YIELD_THEN_PROMOTE:
		return bin_read_bool(r, &cn->flag, "cancellable flag",
				     "invalid flag");
	case COMP_CANON_THREAD_SPAWN_REF:
		return bin_read_u32(r, &cn->typeidx, "core type index");
	case COMP_CANON_THREAD_NEW_INDIRECT:
	case COMP_CANON_THREAD_SPAWN_INDIRECT:
		st = bin_read_u32(r, &cn->typeidx, "core type index");
		return st == MELD_OK ? bin_read_u32(r, &cn->tableidx,
						    "table index")
				     : st;
	case COMP_CANON_TASK_CANCEL:
	case COMP_CANON_SUBTASK_DROP:
	case COMP_CANON_ERROR_CONTEXT_DROP:
	case COMP_CANON_WAITABLE_SET_NEW:
	case COMP_CANON_WAITABLE_SET_DROP:
	case COMP_CANON_WAITABLE_JOIN:
	case COMP_CANON_BACKPRESSURE_INC:
	case COMP_CANON_BACKPRESSURE_DEC:
	case COMP_CANON_THREAD_INDEX:
	case COMP_CANON_THREAD_RESUME_LATER:
	case COMP_CANON_THREAD_AVAILABLE_PARALLELISM:
		return MELD_OK;
	}
	r->p--;
	return bin_malformed(r, "canon: invalid opcode 0x%02x", (unsigned)cn->kind);
}

static bool
canon_known(uint8_t op)
{
	return op <= 0x06 || (op >= 0x09 && op <= 0x2d) ||
	       (op >= 0x40 && op <= 0x42);
}

static enum meld_status
canon_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->ncanons;
	struct comp_canon *cn = push(rd, (void **)&c->canons, &c->ncanons,
				     &c->canons_cap, sizeof *cn);
	if (!cn)
		return MELD_ENOMEM;
	cn->offset = bin_offset(r);
	uint8_t op;
	enum meld_status st = bin_read_u8(r, &op, "canon");
	if (st != MELD_OK)
		return st;
	if (!canon_known(op)) {
		r->p--;
		return bin_malformed(r, "canon: invalid opcode 0x%02x", op);
	}
	cn->kind = (enum comp_canon_kind)op;
	st = read_canon_body(&rd->x, r, cn);
	cn->space = cn->kind == COMP_CANON_LIFT ? COMP_SPACE_FUNC
						: COMP_SPACE_CORE_FUNC;
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_CANON, item);
	return st == MELD_OK ? add_index(rd, cn->space, COMP_DEF_CANON, item, 1,
					 &cn->idx)
			     : st;
}

/* ---- start, imports, exports, values -------------------------------- */

static enum meld_status
read_start_section(struct reader *rd, struct bin_reader *r)
{
	struct comp_component *c = rd->c;
	size_t item = c->nstarts;
	if (c->nstarts > 0)
		return bin_malformed(r, "start section: a component has at most one start function");
	struct comp_start *s = push(rd, (void **)&c->starts, &c->nstarts,
				    &c->starts_cap, sizeof *s);
	if (!s)
		return MELD_ENOMEM;
	s->offset = bin_offset(r);
	enum meld_status st = bin_read_u32(r, &s->funcidx, "start func index");
	if (st == MELD_OK)
		st = bin_read_count(r, &s->nargs, 1, "start arguments");
	if (st != MELD_OK)
		return st;
	s->args = comp_alloc_array(&rd->x, r, s->nargs, sizeof *s->args);
	if (!s->args)
		return MELD_ENOMEM;
	for (uint32_t i = 0; i < s->nargs && st == MELD_OK; i++)
		st = bin_read_u32(r, &s->args[i], "start argument value index");
	if (st == MELD_OK)
		st = bin_read_u32(r, &s->nresults, "start result count");
	if (st == MELD_OK && s->nresults > 1000)
		return bin_malformed(r, "start: result count %u too large", s->nresults);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_START, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_VALUE, COMP_DEF_START,
					 item, s->nresults, &s->first_result_idx)
			     : st;
}

static enum meld_status
import_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->nimports;
	struct comp_import *im = push(rd, (void **)&c->imports, &c->nimports,
				      &c->imports_cap, sizeof *im);
	if (!im)
		return MELD_ENOMEM;
	im->offset = bin_offset(r);
	enum meld_status st = comp_read_extern_name(r, &im->name, "import name");
	if (st == MELD_OK)
		st = comp_read_externtype(r, &im->ext);
	im->space = comp_extern_space(im->ext.kind);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_IMPORT, item);
	return st == MELD_OK ? add_index(rd, im->space, COMP_DEF_IMPORT, item,
					 1, &im->idx)
			     : st;
}

static enum meld_status
export_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->nexports;
	struct comp_export *ex = push(rd, (void **)&c->exports, &c->nexports,
				      &c->exports_cap, sizeof *ex);
	if (!ex)
		return MELD_ENOMEM;
	ex->offset = bin_offset(r);
	enum meld_status st = comp_read_extern_name(r, &ex->name, "export name");
	if (st == MELD_OK)
		st = comp_read_sortidx(r, &ex->ref, "export");
	uint8_t b = 0;
	if (st == MELD_OK)
		st = bin_read_u8(r, &b, "export type ascription");
	if (st == MELD_OK && b > 1) {
		r->p--;
		return bin_malformed(r, "export type ascription: invalid flag 0x%02x", b);
	}
	ex->has_ascription = b == 1;
	if (st == MELD_OK && ex->has_ascription)
		st = comp_read_externtype(r, &ex->ascription);
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_EXPORT, item);
	return st == MELD_OK ? add_index(rd, ex->ref.space, COMP_DEF_EXPORT,
					 item, 1, &ex->idx)
			     : st;
}

static enum meld_status
value_item(struct reader *rd, struct bin_reader *r, uint32_t i)
{
	struct comp_component *c = rd->c;
	(void)i;
	size_t item = c->nvalues;
	struct comp_value *v = push(rd, (void **)&c->values, &c->nvalues,
				    &c->values_cap, sizeof *v);
	if (!v)
		return MELD_ENOMEM;
	v->offset = bin_offset(r);
	enum meld_status st = comp_read_valtype(r, &v->type, "value type");
	if (st == MELD_OK)
		st = bin_read_u32(r, &v->len, "value length");
	if (st == MELD_OK)
		st = bin_read_bytes(r, v->len, &v->bytes, "value");
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_VALUE, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_VALUE, COMP_DEF_VALUE,
					 item, 1, &v->idx)
			     : st;
}

/* ---- custom sections: component-name and producers ------------------ */

/*
 * Both are read on a scratch diagnostic: a broken name or producers
 * section is ignored, never an error (Binary.md "Name Section").
 */
static bool
read_namemap(struct comp_rctx *x, struct bin_reader *r,
	     struct comp_sort_names *sn)
{
	if (bin_read_count(r, &sn->nnames, 2, "name map") != MELD_OK)
		return false;
	sn->names = arena_alloc_array(x->arena, sn->nnames ? sn->nnames : 1,
				      sizeof *sn->names);
	if (!sn->names)
		return false;
	for (uint32_t i = 0; i < sn->nnames; i++) {
		if (bin_read_u32(r, &sn->names[i].idx, "name index") != MELD_OK ||
		    bin_read_name(r, &sn->names[i].name, "name") != MELD_OK)
			return false;
	}
	return true;
}

static bool
read_name_subsection(struct comp_rctx *x, struct bin_reader *r,
		     struct comp_names *names, size_t *sorts_cap,
		     size_t *nsorts)
{
	uint8_t id;
	uint32_t size;
	struct bin_reader sub;
	if (bin_read_u8(r, &id, "name subsection id") != MELD_OK ||
	    bin_read_u32(r, &size, "name subsection size") != MELD_OK ||
	    bin_read_sub(r, size, &sub, "name subsection") != MELD_OK)
		return false;
	if (id == 0x00) {
		names->has_component_name = true;
		return bin_read_name(&sub, &names->component_name,
				     "component name") == MELD_OK;
	}
	if (id != 0x01)
		return true; /* unknown subsections are skipped */
	struct comp_sort_names *sn =
		arena_push(x->arena, (void **)&names->sorts, nsorts, sorts_cap,
			   sizeof *sn);
	if (!sn)
		return false;
	names->nsorts = (uint32_t)*nsorts;
	return comp_read_sort(&sub, &sn->space, "name sort") == MELD_OK &&
	       read_namemap(x, &sub, sn);
}

static void
read_names(struct comp_rctx *x, struct comp_custom *cs,
	   struct comp_names *names)
{
	struct diag scratch;
	struct bin_reader r;
	diag_init(&scratch);
	bin_reader_init(&r, cs->payload, cs->len, "", &scratch);
	size_t cap = 0, n = 0;
	struct comp_names tmp;
	memset(&tmp, 0, sizeof tmp);
	while (!bin_at_end(&r)) {
		if (!read_name_subsection(x, &r, &tmp, &cap, &n))
			return;
	}
	tmp.present = true;
	*names = tmp;
}

static bool
read_producer_field(struct comp_rctx *x, struct bin_reader *r,
		    struct comp_producer_field *f)
{
	if (bin_read_name(r, &f->name, "producers field") != MELD_OK ||
	    bin_read_count(r, &f->nvalues, 2, "producers values") != MELD_OK)
		return false;
	f->values = arena_alloc_array(x->arena, f->nvalues ? f->nvalues : 1,
				      sizeof *f->values);
	if (!f->values)
		return false;
	for (uint32_t i = 0; i < f->nvalues; i++) {
		if (bin_read_name(r, &f->values[i].name, "producer") != MELD_OK ||
		    bin_read_name(r, &f->values[i].version, "version") != MELD_OK)
			return false;
	}
	return true;
}

static void
read_producers(struct comp_rctx *x, struct comp_custom *cs,
	       struct comp_producers *p)
{
	struct diag scratch;
	struct bin_reader r;
	uint32_t n;
	diag_init(&scratch);
	bin_reader_init(&r, cs->payload, cs->len, "", &scratch);
	if (bin_read_count(&r, &n, 2, "producers fields") != MELD_OK)
		return;
	struct comp_producer_field *fields =
		arena_alloc_array(x->arena, n ? n : 1, sizeof *fields);
	if (!fields)
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (!read_producer_field(x, &r, &fields[i]))
			return;
	}
	if (!bin_at_end(&r))
		return;
	p->present = true;
	p->fields = fields;
	p->nfields = n;
}

static enum meld_status
read_custom_section(struct reader *rd, struct bin_reader *sec)
{
	struct comp_component *c = rd->c;
	struct comp_custom *cs = push(rd, (void **)&c->customs, &c->ncustoms,
				      &c->customs_cap, sizeof *cs);
	if (!cs)
		return MELD_ENOMEM;
	enum meld_status st = bin_read_name(sec, &cs->name, "custom section name");
	if (st != MELD_OK)
		return st;
	cs->payload = sec->p;
	cs->len = bin_left(sec);
	cs->offset = bin_offset(sec);
	sec->p = sec->end;
	if (bin_name_eq(cs->name, "component-name"))
		read_names(&rd->x, cs, &c->names);
	else if (bin_name_eq(cs->name, "producers"))
		read_producers(&rd->x, cs, &c->producers);
	return MELD_OK;
}

/* ---- sections and components --------------------------------------- */

static enum meld_status read_component(struct comp_rctx *x,
				       struct bin_reader *r,
				       struct comp_component *parent,
				       struct comp_component **out);

static enum meld_status
read_nested_component(struct reader *rd, struct bin_reader *sec)
{
	struct comp_component *c = rd->c;
	size_t item = c->ncomponents;
	struct comp_component **slot =
		push(rd, (void **)&c->components, &c->ncomponents,
		     &c->components_cap, sizeof *slot);
	if (!slot)
		return MELD_ENOMEM;
	enum meld_status st = read_component(&rd->x, sec, c, slot);
	uint32_t idx;
	if (st == MELD_OK)
		st = add_def(rd, COMP_DEF_COMPONENT, item);
	return st == MELD_OK ? add_index(rd, COMP_SPACE_COMPONENT,
					 COMP_DEF_COMPONENT, item, 1, &idx)
			     : st;
}

static enum meld_status
read_section(struct reader *rd, uint8_t id, struct bin_reader *sec)
{
	switch (id) {
	case 0: return read_custom_section(rd, sec);
	case 1: return read_core_module_section(rd, sec);
	case 2: return read_vec_section(rd, sec, "core instances", core_instance_item);
	case 3: return read_vec_section(rd, sec, "core types", core_type_item);
	case 4: return read_nested_component(rd, sec);
	case 5: return read_vec_section(rd, sec, "instances", instance_item);
	case 6: return read_vec_section(rd, sec, "aliases", alias_item);
	case 7: return read_vec_section(rd, sec, "types", type_item);
	case 8: return read_vec_section(rd, sec, "canons", canon_item);
	case 9: return read_start_section(rd, sec);
	case 10: return read_vec_section(rd, sec, "imports", import_item);
	case 11: return read_vec_section(rd, sec, "exports", export_item);
	case 12: return read_vec_section(rd, sec, "values", value_item);
	default:
		return bin_malformed(sec, "unknown section id %u", id);
	}
}

static const char *
section_name(uint8_t id)
{
	static const char *const names[] = {
		"custom section", "core module section", "core instance section",
		"core type section", "component section", "instance section",
		"alias section", "type section", "canon section", "start section",
		"import section", "export section", "value section",
	};
	return id < sizeof names / sizeof names[0] ? names[id] : "section";
}

static enum meld_status
read_preamble(struct bin_reader *r)
{
	uint32_t magic, version;
	enum meld_status st = bin_read_fixed32(r, &magic, "magic number");
	if (st != MELD_OK)
		return st;
	if (magic != 0x6d736100u) {
		r->p -= 4;
		return bin_malformed(r, "magic number: not a WebAssembly binary");
	}
	st = bin_read_fixed32(r, &version, "version");
	if (st != MELD_OK)
		return st;
	if (version != 0x0001000du) {
		r->p -= 4;
		if ((version & 0xffff0000u) == 0)
			return bin_malformed(r, "expected a component (layer 1), found a core module");
		return bin_malformed(r, "component version 0x%04x layer %u: only version 0x0d, layer 1 is supported",
				     version & 0xffffu, version >> 16);
	}
	return MELD_OK;
}

static enum meld_status
read_sections(struct reader *rd, struct bin_reader *r)
{
	while (!bin_at_end(r)) {
		uint8_t id;
		uint32_t size;
		struct bin_reader sec;
		enum meld_status st = bin_read_u8(r, &id, "section id");
		if (st == MELD_OK && id > 12) {
			r->p--;
			return bin_malformed(r, "unknown section id %u", id);
		}
		if (st == MELD_OK)
			st = bin_read_u32(r, &size, section_name(id));
		if (st == MELD_OK)
			st = bin_read_sub(r, size, &sec, section_name(id));
		rd->r = &sec;
		if (st == MELD_OK)
			st = read_section(rd, id, &sec);
		rd->r = r;
		if (st == MELD_OK)
			st = bin_expect_end(&sec, section_name(id));
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

static enum meld_status
read_component(struct comp_rctx *x, struct bin_reader *r,
	       struct comp_component *parent, struct comp_component **out)
{
	if (x->depth >= COMP_MAX_NESTING)
		return bin_malformed(r, "component: nesting deeper than %d",
				     COMP_MAX_NESTING);
	struct comp_component *c = arena_alloc(x->arena, sizeof *c);
	if (!c)
		return comp_oom(r);
	c->bytes = r->p;
	c->len = bin_left(r);
	c->offset = bin_offset(r);
	c->parent = parent;
	c->depth = parent ? parent->depth + 1 : 0;
	enum meld_status st = read_preamble(r);
	if (st != MELD_OK)
		return st;
	struct reader rd = {.x = *x, .c = c, .r = r};
	rd.x.depth++;
	st = read_sections(&rd, r);
	if (st == MELD_OK)
		*out = c;
	return st;
}

enum meld_status
comp_read(struct arena *a, struct diag *d, const char *input_name,
	  const uint8_t *bytes, size_t len, struct comp_component **out)
{
	struct bin_reader r;
	struct comp_rctx x = {.arena = a, .depth = 0};
	bin_reader_init(&r, bytes, len, input_name, d);
	return read_component(&x, &r, NULL, out);
}
