/*
 * vtype: constructors, structural equality and printing of resolved
 * component value types (Explainer.md "Type Definitions"; the printed
 * form follows WIT.md's type syntax).  Each constructor copies its arrays
 * into the arena and lets abi_info_compute record the node's canonical
 * ABI facts, so nothing later needs to walk a type to learn its size.
 */
#include "vtype.h"

#include <stdio.h>
#include <string.h>

#include "abi.h"

static struct vtype *
node_new(struct arena *a, enum vtype_kind kind)
{
	struct vtype *t = arena_alloc(a, sizeof *t);
	if (t)
		t->kind = kind;
	return t;
}

static struct vtype *
node_finish(struct vtype *t)
{
	abi_info_compute(t, &t->info);
	return t;
}

/* Copy n labels; NULL only when out of memory. */
static const struct bin_name *
copy_labels(struct arena *a, const struct bin_name *labels, uint32_t n)
{
	struct bin_name *c = arena_alloc_array(a, n, sizeof *c);
	if (c && n)
		memcpy(c, labels, n * sizeof *c);
	return c;
}

/* Copy n child pointers (all NULL when types is NULL). */
static const struct vtype *const *
copy_types(struct arena *a, const struct vtype *const *types, uint32_t n)
{
	const struct vtype **c = arena_alloc_array(a, n, sizeof *c);
	if (c && n && types)
		memcpy(c, types, n * sizeof *c);
	return c;
}

bool
vtype_is_prim(enum vtype_kind kind)
{
	switch (kind) {
	case VTYPE_BOOL:
	case VTYPE_S8:
	case VTYPE_U8:
	case VTYPE_S16:
	case VTYPE_U16:
	case VTYPE_S32:
	case VTYPE_U32:
	case VTYPE_S64:
	case VTYPE_U64:
	case VTYPE_F32:
	case VTYPE_F64:
	case VTYPE_CHAR:
		return true;
	default:
		return false;
	}
}

struct vtype *
vtype_prim(struct arena *a, enum vtype_kind kind)
{
	if (!vtype_is_prim(kind) && kind != VTYPE_STRING &&
	    kind != VTYPE_ERROR_CONTEXT)
		return NULL;
	struct vtype *t = node_new(a, kind);
	return t ? node_finish(t) : NULL;
}

/* A node with n labels and/or n children. */
static struct vtype *
node_members(struct arena *a, enum vtype_kind kind,
	     const struct bin_name *labels, const struct vtype *const *types,
	     uint32_t n, bool has_types)
{
	struct vtype *t = node_new(a, kind);
	if (!t)
		return NULL;
	t->count = n;
	if (labels) {
		t->labels = copy_labels(a, labels, n);
		if (!t->labels)
			return NULL;
	}
	if (has_types) {
		t->types = copy_types(a, types, n);
		if (!t->types)
			return NULL;
	}
	return node_finish(t);
}

struct vtype *
vtype_record(struct arena *a, const struct bin_name *labels,
	     const struct vtype *const *types, uint32_t n)
{
	return node_members(a, VTYPE_RECORD, labels, types, n, true);
}

struct vtype *
vtype_tuple(struct arena *a, const struct vtype *const *types, uint32_t n)
{
	return node_members(a, VTYPE_TUPLE, NULL, types, n, true);
}

struct vtype *
vtype_variant(struct arena *a, const struct bin_name *labels,
	      const struct vtype *const *types, uint32_t n)
{
	return node_members(a, VTYPE_VARIANT, labels, types, n, true);
}

struct vtype *
vtype_enum(struct arena *a, const struct bin_name *labels, uint32_t n)
{
	return node_members(a, VTYPE_ENUM, labels, NULL, n, false);
}

struct vtype *
vtype_flags(struct arena *a, const struct bin_name *labels, uint32_t n)
{
	return node_members(a, VTYPE_FLAGS, labels, NULL, n, false);
}

/* A node with one element (list, option, stream, future). */
static struct vtype *
node_elem(struct arena *a, enum vtype_kind kind, const struct vtype *elem)
{
	struct vtype *t = node_new(a, kind);
	if (!t)
		return NULL;
	t->count = elem ? 1 : 0;
	t->elem = elem;
	return node_finish(t);
}

struct vtype *
vtype_list(struct arena *a, const struct vtype *elem)
{
	return node_elem(a, VTYPE_LIST, elem);
}

struct vtype *
vtype_fixed_list(struct arena *a, const struct vtype *elem, uint32_t length)
{
	struct vtype *t = node_new(a, VTYPE_FIXED_LIST);
	if (!t)
		return NULL;
	t->count = 1;
	t->elem = elem;
	t->length = length;
	return node_finish(t);
}

struct vtype *
vtype_option(struct arena *a, const struct vtype *elem)
{
	return node_elem(a, VTYPE_OPTION, elem);
}

struct vtype *
vtype_result(struct arena *a, const struct vtype *ok, const struct vtype *err)
{
	const struct vtype *types[2] = {ok, err};
	return node_members(a, VTYPE_RESULT, NULL, types, 2, true);
}

static struct vtype *
node_handle(struct arena *a, enum vtype_kind kind,
	    const struct vtype_resource *r)
{
	struct vtype *t = node_new(a, kind);
	if (!t)
		return NULL;
	t->resource = r;
	return node_finish(t);
}

struct vtype *
vtype_own(struct arena *a, const struct vtype_resource *r)
{
	return node_handle(a, VTYPE_OWN, r);
}

struct vtype *
vtype_borrow(struct arena *a, const struct vtype_resource *r)
{
	return node_handle(a, VTYPE_BORROW, r);
}

struct vtype *
vtype_stream(struct arena *a, const struct vtype *elem)
{
	return node_elem(a, VTYPE_STREAM, elem);
}

struct vtype *
vtype_future(struct arena *a, const struct vtype *elem)
{
	return node_elem(a, VTYPE_FUTURE, elem);
}

struct vtype *
vtype_map(struct arena *a, const struct vtype *key, const struct vtype *value)
{
	const struct vtype *kv[2] = {key, value};
	struct vtype *t = node_new(a, VTYPE_MAP);
	if (!t)
		return NULL;
	t->count = 2;
	t->types = copy_types(a, kv, 2);
	t->elem = vtype_tuple(a, kv, 2);
	if (!t->types || !t->elem)
		return NULL;
	return node_finish(t);
}

struct vtype_func *
vtype_func_create(struct arena *a, bool async, const struct vtype_param *params,
		  uint32_t nparams, const struct vtype *result)
{
	struct vtype_func *f = arena_alloc(a, sizeof *f);
	if (!f)
		return NULL;
	struct vtype_param *p = arena_alloc_array(a, nparams, sizeof *p);
	if (!p)
		return NULL;
	if (nparams)
		memcpy(p, params, nparams * sizeof *p);
	f->async = async;
	f->nparams = nparams;
	f->params = p;
	f->result = result;
	return f;
}

/* ---- equality ------------------------------------------------------- */

static bool
name_eq(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static bool
labels_eq(const struct vtype *a, const struct vtype *b)
{
	if (!a->labels || !b->labels)
		return a->labels == b->labels;
	for (uint32_t i = 0; i < a->count; i++)
		if (!name_eq(a->labels[i], b->labels[i]))
			return false;
	return true;
}

static bool
types_eq(const struct vtype *a, const struct vtype *b)
{
	if (!a->types || !b->types)
		return a->types == b->types;
	for (uint32_t i = 0; i < a->count; i++)
		if (!vtype_equal(a->types[i], b->types[i]))
			return false;
	return true;
}

bool
vtype_equal(const struct vtype *a, const struct vtype *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind || a->info.hash != b->info.hash ||
	    a->count != b->count || a->length != b->length ||
	    a->resource != b->resource)
		return false;
	/*
	 * Types beyond meld's limits are never compared structurally: the
	 * walk could be too deep or too long, and they are refused anyway.
	 */
	if (a->info.problem == VTYPE_BAD_TOO_DEEP ||
	    a->info.problem == VTYPE_BAD_TOO_LARGE)
		return false;
	if (!labels_eq(a, b) || !types_eq(a, b))
		return false;
	/* A map's elem is made from its types. */
	return a->kind == VTYPE_MAP || vtype_equal(a->elem, b->elem);
}

bool
vtype_func_equal(const struct vtype_func *a, const struct vtype_func *b)
{
	if (a->async != b->async || a->nparams != b->nparams)
		return false;
	for (uint32_t i = 0; i < a->nparams; i++) {
		if (!name_eq(a->params[i].label, b->params[i].label) ||
		    !vtype_equal(a->params[i].type, b->params[i].type))
			return false;
	}
	return vtype_equal(a->result, b->result);
}

/* ---- printing ------------------------------------------------------- */

/* A bounded output buffer; what does not fit is dropped and marked. */
struct pbuf {
	char *buf;
	size_t cap, len;
	bool full;
};

static void
put_bytes(struct pbuf *p, const void *s, size_t n)
{
	if (p->full)
		return;
	if (n > p->cap - 1 - p->len) {
		n = p->cap - 1 - p->len;
		p->full = true;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static void
put(struct pbuf *p, const char *s)
{
	put_bytes(p, s, strlen(s));
}

static void
put_name(struct pbuf *p, struct bin_name n)
{
	put_bytes(p, n.p, n.len);
}

static void
put_u32(struct pbuf *p, uint32_t v)
{
	char tmp[16];
	snprintf(tmp, sizeof tmp, "%u", (unsigned)v);
	put(p, tmp);
}

static void print_type(struct pbuf *p, const struct vtype *t);

/* "<a, b>" or "<a, _>" for the types of a tuple, result or map. */
static void
print_args(struct pbuf *p, const struct vtype *const *types, uint32_t n)
{
	put(p, "<");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			put(p, ", ");
		if (types[i])
			print_type(p, types[i]);
		else
			put(p, "_");
	}
	put(p, ">");
}

/* "record { a: u8, b: u32 }", "variant { a(u8), b }", "enum { a }". */
static void
print_members(struct pbuf *p, const struct vtype *t)
{
	put(p, vtype_kind_name(t->kind));
	put(p, t->count ? " { " : " {");
	for (uint32_t i = 0; i < t->count && !p->full; i++) {
		if (i)
			put(p, ", ");
		if (t->labels)
			put_name(p, t->labels[i]);
		else
			put_u32(p, i);
		const struct vtype *c = t->types ? t->types[i] : NULL;
		if (c && t->kind == VTYPE_RECORD) {
			put(p, ": ");
			print_type(p, c);
		} else if (c) {
			put(p, "(");
			print_type(p, c);
			put(p, ")");
		}
	}
	put(p, t->count ? " }" : "}");
}

static void
print_resource(struct pbuf *p, const struct vtype *t)
{
	put(p, vtype_kind_name(t->kind));
	put(p, "<");
	if (!t->resource) {
		put(p, "?");
	} else if (t->resource->name.len) {
		put_name(p, t->resource->name);
	} else {
		put(p, "resource#");
		put_u32(p, t->resource->id);
	}
	put(p, ">");
}

/* list<u8>, list<u8, 4>, option<u8>, stream, stream<u8>. */
static void
print_elem(struct pbuf *p, const struct vtype *t)
{
	put(p, t->kind == VTYPE_FIXED_LIST ? "list" : vtype_kind_name(t->kind));
	if (!t->elem)
		return;
	put(p, "<");
	print_type(p, t->elem);
	if (t->kind == VTYPE_FIXED_LIST) {
		put(p, ", ");
		put_u32(p, t->length);
	}
	put(p, ">");
}

static void
print_type(struct pbuf *p, const struct vtype *t)
{
	if (p->full)
		return;
	if (t->name.len) {
		put_name(p, t->name);
		return;
	}
	switch (t->kind) {
	case VTYPE_RECORD:
	case VTYPE_VARIANT:
	case VTYPE_ENUM:
	case VTYPE_FLAGS:
		print_members(p, t);
		break;
	case VTYPE_TUPLE:
	case VTYPE_MAP:
		put(p, vtype_kind_name(t->kind));
		print_args(p, t->types, t->count);
		break;
	case VTYPE_RESULT:
		put(p, "result");
		if (t->types[1])
			print_args(p, t->types, 2);
		else if (t->types[0])
			print_args(p, t->types, 1);
		break;
	case VTYPE_OWN:
	case VTYPE_BORROW:
		print_resource(p, t);
		break;
	case VTYPE_LIST:
	case VTYPE_FIXED_LIST:
	case VTYPE_OPTION:
	case VTYPE_STREAM:
	case VTYPE_FUTURE:
		print_elem(p, t);
		break;
	default:
		put(p, vtype_kind_name(t->kind));
		break;
	}
}

/* Mark truncated output with a trailing "...". */
static const char *
pbuf_done(struct pbuf *p)
{
	if (p->full && p->cap >= 4)
		memcpy(p->buf + p->cap - 4, "...", 4);
	return p->buf;
}

const char *
vtype_print(const struct vtype *t, char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	struct pbuf p = {buf, cap, 0, false};
	buf[0] = '\0';
	print_type(&p, t);
	return pbuf_done(&p);
}

const char *
vtype_func_print(const struct vtype_func *f, char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	struct pbuf p = {buf, cap, 0, false};
	buf[0] = '\0';
	put(&p, f->async ? "async func(" : "func(");
	for (uint32_t i = 0; i < f->nparams; i++) {
		if (i)
			put(&p, ", ");
		put_name(&p, f->params[i].label);
		put(&p, ": ");
		print_type(&p, f->params[i].type);
	}
	put(&p, ")");
	if (f->result) {
		put(&p, " -> ");
		print_type(&p, f->result);
	}
	return pbuf_done(&p);
}

const char *
vtype_kind_name(enum vtype_kind kind)
{
	switch (kind) {
	case VTYPE_BOOL: return "bool";
	case VTYPE_S8: return "s8";
	case VTYPE_U8: return "u8";
	case VTYPE_S16: return "s16";
	case VTYPE_U16: return "u16";
	case VTYPE_S32: return "s32";
	case VTYPE_U32: return "u32";
	case VTYPE_S64: return "s64";
	case VTYPE_U64: return "u64";
	case VTYPE_F32: return "f32";
	case VTYPE_F64: return "f64";
	case VTYPE_CHAR: return "char";
	case VTYPE_STRING: return "string";
	case VTYPE_ERROR_CONTEXT: return "error-context";
	case VTYPE_RECORD: return "record";
	case VTYPE_VARIANT: return "variant";
	case VTYPE_LIST: return "list";
	case VTYPE_FIXED_LIST: return "fixed-length list";
	case VTYPE_TUPLE: return "tuple";
	case VTYPE_FLAGS: return "flags";
	case VTYPE_ENUM: return "enum";
	case VTYPE_OPTION: return "option";
	case VTYPE_RESULT: return "result";
	case VTYPE_OWN: return "own";
	case VTYPE_BORROW: return "borrow";
	case VTYPE_STREAM: return "stream";
	case VTYPE_FUTURE: return "future";
	case VTYPE_MAP: return "map";
	}
	return "?";
}
