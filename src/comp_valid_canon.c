/*
 * comp_valid_canon: canon definitions (Explainer.md "Canonical
 * Definitions", "Canonical built-ins"; CanonicalABI.md "Flattening" and
 * the per-built-in signatures) and the core function type each one
 * defines.
 *
 * Options: no duplicates, one string encoding, a memory that is not
 * shared (64-bit only with cm64), realloc with memory and the signature
 * (ptr ptr ptr ptr) -> ptr, callback only with async, no post-return
 * with async, core-type only with gc and naming a function type.  Lift
 * and lower flatten the function type as wasm-tools does (async lowering
 * passes at most 4 flat parameters and returns a status), require memory
 * and realloc where the flat form needs them, and compare the lifted core
 * function and the post-return and callback functions with what they must
 * be.  Every other built-in gets its fixed signature, so core
 * instantiation checks its import against it (comp_valid_core.c).
 */
#include "comp_valid.h"

#include <stdio.h>
#include <string.h>

enum { I32 = 0x7f, I64 = 0x7e };

/* ---- options ------------------------------------------------------------- */

static const char *
opt_name(uint8_t code)
{
	switch (code) {
	case COMP_OPT_UTF8: return "utf8";
	case COMP_OPT_UTF16: return "utf16";
	case COMP_OPT_LATIN1_UTF16: return "latin1-utf16";
	case COMP_OPT_MEMORY: return "memory";
	case COMP_OPT_REALLOC: return "realloc";
	case COMP_OPT_POST_RETURN: return "post-return";
	case COMP_OPT_ASYNC: return "async";
	case COMP_OPT_CALLBACK: return "callback";
	case COMP_OPT_CORE_TYPE: return "core-type";
	case COMP_OPT_GC: return "gc";
	}
	return "?";
}

static bool
is_encoding(uint8_t code)
{
	return code <= COMP_OPT_LATIN1_UTF16;
}

static bool
has_feature(struct vctx *v, uint32_t f)
{
	return (v->features & f) != 0;
}

/* A memory the canonical ABI may use; *ptr gets its pointer type. */
static enum meld_status
valid_cabi_memory(struct vctx *v, uint32_t memidx, size_t offset, uint8_t *ptr)
{
	const struct vcore *m = valid_core_at(v, COMP_SPACE_CORE_MEMORY, memidx);
	*ptr = I32;
	if (!m || !m->known)
		return MELD_OK;
	if (m->limits.flags & CORE_LIMITS_64) {
		if (!has_feature(v, VALID_F_CM64))
			return valid_fail(v, offset,
					  "64-bit memories require the `cm64` feature to be enabled");
		*ptr = I64;
	}
	if (m->limits.flags & CORE_LIMITS_SHARED)
		return valid_fail(v, offset,
				  "canonical ABI memory: mismatch in the shared flag for memories");
	return MELD_OK;
}

static bool
codes_eq(const struct core_valtype *t, uint32_t n, const uint8_t *codes, uint32_t nc)
{
	if (n != nc)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (t[i].code != codes[i])
			return false;
	}
	return true;
}

/* Has known core func t exactly this signature (true when unknown)? */
static bool
sig_is(const struct vcore *t, const uint8_t *p, uint32_t np, const uint8_t *r,
       uint32_t nr)
{
	return !t || !t->known ||
	       (codes_eq(t->params, t->nparams, p, np) &&
		codes_eq(t->results, t->nresults, r, nr));
}

static enum meld_status
valid_opt_indices(struct vctx *v, struct comp_scope *s, const struct comp_canon_opts *o)
{
	enum meld_status st = MELD_OK;
	if (o->has_memory)
		st = valid_index(v, s, COMP_SPACE_CORE_MEMORY, o->memoryidx,
				 o->offset, "memory option");
	if (st == MELD_OK && o->has_realloc)
		st = valid_index(v, s, COMP_SPACE_CORE_FUNC, o->realloc_funcidx,
				 o->offset, "realloc option");
	if (st == MELD_OK && o->has_post_return)
		st = valid_index(v, s, COMP_SPACE_CORE_FUNC, o->post_return_funcidx,
				 o->offset, "post-return option");
	if (st == MELD_OK && o->has_callback)
		st = valid_index(v, s, COMP_SPACE_CORE_FUNC, o->callback_funcidx,
				 o->offset, "callback option");
	if (st == MELD_OK && o->has_core_type)
		st = valid_index(v, s, COMP_SPACE_CORE_TYPE, o->core_typeidx,
				 o->offset, "core-type option");
	return st;
}

/*
 * The options on their own (wasm-tools' check_options); *ptr gets the
 * pointer type of the memory (i32 without one).
 */
static enum meld_status
valid_opts(struct vctx *v, struct comp_scope *s, const struct comp_canon_opts *o,
	   uint8_t *ptr)
{
	*ptr = I32;
	for (uint32_t i = 0; i < o->ncodes; i++) {
		for (uint32_t k = 0; k < i; k++) {
			uint8_t a = o->codes[k], b = o->codes[i];
			if (a == b)
				return valid_fail(v, o->offset,
						  "canonical option `%s` is specified more than once",
						  opt_name(b));
			if (is_encoding(a) && is_encoding(b))
				return valid_fail(v, o->offset,
						  "canonical encoding option `%s` conflicts with option `%s`",
						  opt_name(a), opt_name(b));
		}
	}
	enum meld_status st = valid_opt_indices(v, s, o);
	if (st == MELD_OK && o->has_memory)
		st = valid_cabi_memory(v, o->memoryidx, o->offset, ptr);
	if (st != MELD_OK)
		return st;
	if (o->has_callback && !o->async)
		return valid_fail(v, o->offset, "cannot specify callback without async");
	if (o->has_post_return && o->async)
		return valid_fail(v, o->offset, "cannot specify post-return function in async");
	if (o->has_core_type) {
		struct vcore t;
		if (!valid_core_type_func(v, comp_scope_get(s, COMP_SPACE_CORE_TYPE,
							  o->core_typeidx), &t))
			return valid_fail(v, o->offset,
					  "canonical option `core type` must reference a core function type");
		if (!o->gc)
			return valid_fail(v, o->offset, "cannot specify `core-type` without `gc`");
	}
	if (!o->has_realloc)
		return MELD_OK;
	if (!o->has_memory)
		return valid_fail(v, o->offset,
				  "canonical option `realloc` requires `memory` to also be specified");
	const uint8_t p[4] = {*ptr, *ptr, *ptr, *ptr};
	if (!sig_is(valid_core_at(v, COMP_SPACE_CORE_FUNC, o->realloc_funcidx), p, 4, p, 1))
		return valid_fail(v, o->offset,
				  "canonical option `realloc` uses a core function with an incorrect signature");
	return MELD_OK;
}

/* No post-return or callback (and gc needs core-type) when lowering. */
static enum meld_status
valid_check_lower(struct vctx *v, const struct comp_canon_opts *o)
{
	if (o->has_post_return)
		return valid_fail(v, o->offset,
				  "canonical option `post-return` cannot be specified for lowerings");
	if (o->has_callback)
		return valid_fail(v, o->offset,
				  "canonical option `callback` cannot be specified for lowerings");
	if (o->gc && !o->has_core_type)
		return valid_fail(v, o->offset,
				  "cannot specify `gc` without also specifying a `core-type` for lowerings");
	return MELD_OK;
}

static enum meld_status
require(struct vctx *v, const struct comp_canon_opts *o, bool memory, bool realloc)
{
	if ((memory || realloc) && !o->has_memory)
		return valid_fail(v, o->offset, "canonical option `memory` is required");
	if (realloc && !o->has_realloc)
		return valid_fail(v, o->offset, "canonical option `realloc` is required");
	return MELD_OK;
}

/* ---- lowering a function type --------------------------------------------- */

/* A flat core signature and the options it needs. */
struct lowered {
	bool known;
	uint8_t params[18], results[18];
	uint32_t np, nr;
	bool need_memory, need_realloc;
};

static bool
push_flat(struct vctx *v, struct comp_scope *fs, struct comp_valtype vt, uint8_t ptr,
	  uint8_t *out, uint32_t *n, uint32_t max, bool *overflow)
{
	uint32_t before = *n;
	if (!valid_flatten(v, fs, vt, ptr, out, n, max))
		return false;
	*overflow = *n > max;
	if (*overflow)
		*n = before;
	return true;
}

/*
 * CanonicalABI.md "Flattening" as wasm-tools lowers a function type: lift
 * (abi_lift) or lower, sync or async (with or without a callback).
 */
static void
lower_functype(struct vctx *v, struct comp_scope *fs, const struct comp_functype *ft,
	       bool lift, bool async, bool callback, uint8_t ptr, struct lowered *out)
{
	memset(out, 0, sizeof *out);
	uint32_t max = !lift && async ? 4 : 16;
	bool overflow = false;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		if (valid_contains_ptr(v, fs, ft->params[i].type)) {
			out->need_memory = true;
			out->need_realloc |= lift;
		}
		if (!push_flat(v, fs, ft->params[i].type, ptr, out->params, &out->np, max,
			       &overflow))
			return;
		if (overflow) {
			out->params[0] = ptr;
			out->np = 1;
			out->need_memory = true;
			out->need_realloc |= lift;
			break;
		}
	}
	if (ft->has_result && !lift && valid_contains_ptr(v, fs, ft->result))
		out->need_realloc = true;
	if (!async) {
		if (ft->has_result &&
		    !push_flat(v, fs, ft->result, ptr, out->results, &out->nr, 1, &overflow))
			return;
		if (ft->has_result && overflow) {
			out->need_memory = true;
			out->nr = 0;
			if (lift)
				out->results[out->nr++] = ptr;
			else
				out->params[out->np++] = ptr;
		}
	} else if (!lift) {
		if (ft->has_result) {
			out->params[out->np++] = I32;
			out->need_memory = true;
		}
		out->results[out->nr++] = I32;
	} else {
		if (ft->has_result) {
			uint8_t tmp[17];
			uint32_t n = 0;
			if (!push_flat(v, fs, ft->result, ptr, tmp, &n, 16, &overflow))
				return;
			if (overflow || valid_contains_ptr(v, fs, ft->result))
				out->need_memory = true;
		}
		if (callback)
			out->results[out->nr++] = I32;
	}
	out->known = true;
}

static void
print_types_debug(char *buf, size_t n, const uint8_t *codes,
		  const struct core_valtype *vts, uint32_t count)
{
	size_t len = 0;
	buf[0] = '\0';
	len += (size_t)snprintf(buf, n, "[");
	for (uint32_t i = 0; i < count && len < n; i++) {
		uint8_t c = codes ? codes[i] : vts[i].code;
		const char *name = c == 0x7f ? "I32" : c == 0x7e ? "I64" : c == 0x7d ? "F32"
				 : c == 0x7c ? "F64" : c == 0x7b ? "V128" : "Ref";
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", name);
	}
	if (len < n)
		snprintf(buf + len, n - len, "]");
}

/* The lifted core function, and its post-return, against the flat signature. */
static enum meld_status
valid_lift_core(struct vctx *v, const struct comp_canon *cn, const struct lowered *l)
{
	const struct vcore *t = valid_core_at(v, COMP_SPACE_CORE_FUNC, cn->funcidx);
	if (!t || !t->known)
		return MELD_OK;
	char a[200], b[200];
	if (!codes_eq(t->params, t->nparams, l->params, l->np)) {
		print_types_debug(a, sizeof a, l->params, NULL, l->np);
		print_types_debug(b, sizeof b, NULL, t->params, t->nparams);
		return valid_fail(v, cn->offset,
				  "lowered parameter types `%s` do not match parameter types `%s` of core function %u",
				  a, b, cn->funcidx);
	}
	if (!codes_eq(t->results, t->nresults, l->results, l->nr)) {
		print_types_debug(a, sizeof a, l->results, NULL, l->nr);
		print_types_debug(b, sizeof b, NULL, t->results, t->nresults);
		return valid_fail(v, cn->offset,
				  "lowered result types `%s` do not match result types `%s` of core function %u",
				  a, b, cn->funcidx);
	}
	const struct comp_canon_opts *o = &cn->opts;
	const struct vcore *pr = o->has_post_return
		? valid_core_at(v, COMP_SPACE_CORE_FUNC, o->post_return_funcidx) : NULL;
	if (pr && pr->known &&
	    (pr->nresults != 0 || !codes_eq(pr->params, pr->nparams, l->results, l->nr)))
		return valid_fail(v, cn->offset,
				  "canonical option `post-return` uses a core function with an incorrect signature");
	return MELD_OK;
}

/* ---- lift and lower ------------------------------------------------------- */

static const struct comp_functype *
lift_lower_type(struct comp_scope *s, const struct comp_canon *cn,
		struct comp_item **ft_item)
{
	if (cn->kind == COMP_CANON_LIFT) {
		*ft_item = comp_scope_get(s, COMP_SPACE_TYPE, cn->typeidx);
	} else {
		struct comp_item *f = comp_scope_get(s, COMP_SPACE_FUNC, cn->funcidx);
		*ft_item = f && f->kind == COMP_ITEM_FUNC ? f->type : NULL;
	}
	return valid_functype_of(*ft_item);
}

static enum meld_status
valid_lift_lower_indices(struct vctx *v, struct comp_scope *s,
			 const struct comp_canon *cn)
{
	if (cn->kind == COMP_CANON_LOWER)
		return valid_index(v, s, COMP_SPACE_FUNC, cn->funcidx, cn->offset,
				   "canon lower");
	enum meld_status st = valid_index(v, s, COMP_SPACE_CORE_FUNC, cn->funcidx,
					  cn->offset, "canon lift");
	if (st == MELD_OK)
		st = valid_index(v, s, COMP_SPACE_TYPE, cn->typeidx, cn->offset,
				 "canon lift type");
	if (st != MELD_OK)
		return st;
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, cn->typeidx);
	if (t->kind != COMP_ITEM_UNKNOWN && !valid_functype_of(t))
		return valid_fail(v, cn->offset, "type index %u is not a function type",
				  cn->typeidx);
	return MELD_OK;
}

static enum meld_status
valid_lift_opts(struct vctx *v, const struct comp_canon *cn)
{
	const struct comp_canon_opts *o = &cn->opts;
	if (o->has_core_type)
		return valid_fail(v, cn->offset,
				  "canonical option `core-type` is not allowed in `canon lift`");
	if (o->async && !o->has_callback && !has_feature(v, VALID_F_ASYNC_STACKFUL))
		return valid_fail(v, cn->offset,
				  "requires the component model async stackful feature");
	if (!o->has_callback)
		return MELD_OK;
	const struct vcore *cb = valid_core_at(v, COMP_SPACE_CORE_FUNC, o->callback_funcidx);
	const uint8_t three[3] = {I32, I32, I32};
	if (cb && cb->known && !codes_eq(cb->params, cb->nparams, three, 3) &&
	    !codes_eq(cb->params, cb->nparams, three, 1))
		return valid_fail(v, cn->offset,
				  "canonical option `callback` uses a core function with an incorrect signature");
	return MELD_OK;
}

static enum meld_status
valid_lift_lower(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn)
{
	bool lift = cn->kind == COMP_CANON_LIFT;
	const struct comp_canon_opts *o = &cn->opts;
	uint8_t ptr;
	enum meld_status st = valid_lift_lower_indices(v, s, cn);
	if (st == MELD_OK)
		st = valid_opts(v, s, o, &ptr);
	if (st == MELD_OK)
		st = lift ? valid_lift_opts(v, cn) : valid_check_lower(v, o);
	struct comp_item *ft_item;
	const struct comp_functype *ft = lift_lower_type(s, cn, &ft_item);
	if (st != MELD_OK || !ft)
		return st;
	if (o->async && !ft->async)
		return valid_fail(v, cn->offset,
				  "the `async` canonical option requires an async function type");
	if (o->gc)
		return valid_gc_lowering(v, s, cn, ft_item);
	struct lowered l;
	lower_functype(v, ft_item->scope, ft, lift, o->async, o->has_callback, ptr, &l);
	if (!l.known)
		return MELD_OK;
	st = require(v, o, l.need_memory, l.need_realloc);
	return st == MELD_OK && lift ? valid_lift_core(v, cn, &l) : st;
}

/* ---- other built-ins ------------------------------------------------------ */

/* resource.new and resource.rep need a resource defined in this component. */
static enum meld_status
valid_resource_builtin(struct vctx *v, struct comp_scope *s,
		       const struct comp_canon *cn)
{
	enum meld_status st = valid_index(v, s, COMP_SPACE_TYPE, cn->typeidx,
					  cn->offset, comp_canon_name(cn->kind));
	if (st != MELD_OK)
		return st;
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, cn->typeidx);
	if (t->kind == COMP_ITEM_UNKNOWN)
		return MELD_OK;
	if (!valid_is_resource(t))
		return valid_fail(v, cn->offset, "type index %u is not a resource type",
				  cn->typeidx);
	struct comp_item *r = comp_item_canon(t);
	if (cn->kind != COMP_CANON_RESOURCE_DROP &&
	    (r->kind != COMP_ITEM_TYPE || r->scope != s))
		return valid_fail(v, cn->offset,
				  "%s: type index %u is not a local resource",
				  comp_canon_name(cn->kind), cn->typeidx);
	return MELD_OK;
}

/* The stream or future type a stream.* or future.* built-in names. */
static const struct comp_defval *
async_type(struct comp_scope *s, const struct comp_canon *cn, struct comp_scope **ds)
{
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, cn->typeidx);
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def || t->def->kind != COMP_TYPE_DEFVAL)
		return NULL;
	*ds = t->scope;
	return &t->def->defval;
}

static bool
is_read_write(enum comp_canon_kind k)
{
	return k == COMP_CANON_STREAM_READ || k == COMP_CANON_STREAM_WRITE ||
	       k == COMP_CANON_FUTURE_READ || k == COMP_CANON_FUTURE_WRITE;
}

static bool
is_cancel(enum comp_canon_kind k)
{
	return k == COMP_CANON_STREAM_CANCEL_READ || k == COMP_CANON_STREAM_CANCEL_WRITE ||
	       k == COMP_CANON_FUTURE_CANCEL_READ || k == COMP_CANON_FUTURE_CANCEL_WRITE;
}

/* stream.* and future.*: the type, and read/write's options. */
static enum meld_status
valid_async_builtin(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn,
		    enum comp_defval_kind want)
{
	const char *name = comp_canon_name(cn->kind);
	const char *what = want == COMP_DEFVAL_STREAM ? "stream" : "future";
	enum meld_status st = valid_index(v, s, COMP_SPACE_TYPE, cn->typeidx,
					  cn->offset, name);
	if (st != MELD_OK)
		return st;
	struct comp_scope *ds = s;
	struct comp_item *t = comp_scope_get(s, COMP_SPACE_TYPE, cn->typeidx);
	const struct comp_defval *dv = async_type(s, cn, &ds);
	if (t->kind != COMP_ITEM_UNKNOWN && (!dv || dv->kind != want))
		return valid_fail(v, cn->offset, "`%s` requires a %s type", name, what);
	if (is_cancel(cn->kind) && cn->flag && !has_feature(v, VALID_F_MORE_ASYNC_BUILTINS))
		return valid_fail(v, cn->offset,
				  "async `%s` requires the component model more async builtins feature",
				  name);
	if (!is_read_write(cn->kind))
		return MELD_OK;
	uint8_t ptr;
	const struct comp_canon_opts *o = &cn->opts;
	st = valid_opts(v, s, o, &ptr);
	if (st != MELD_OK)
		return st;
	if (!o->async && !has_feature(v, VALID_F_MORE_ASYNC_BUILTINS))
		return valid_fail(v, cn->offset,
				  "synchronous `%s` requires the component model more async builtins feature",
				  name);
	bool elem = dv && dv->async_elem.has_elem;
	bool read = cn->kind == COMP_CANON_STREAM_READ || cn->kind == COMP_CANON_FUTURE_READ;
	st = require(v, o, elem, read && elem && valid_contains_ptr(v, ds, dv->async_elem.elem));
	return st == MELD_OK ? valid_check_lower(v, o) : st;
}

/* task.return: its result lowered like a sync parameter list. */
static enum meld_status
valid_task_return(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn)
{
	const struct comp_canon_opts *o = &cn->opts;
	enum meld_status st = MELD_OK;
	uint8_t ptr;
	if (cn->has_result)
		st = valid_valtype(v, s, cn->result, cn->offset);
	if (st == MELD_OK)
		st = valid_opts(v, s, o, &ptr);
	if (st != MELD_OK)
		return st;
	if (o->has_realloc)
		return valid_fail(v, cn->offset, "cannot specify `realloc` option on `task.return`");
	if (o->has_post_return)
		return valid_fail(v, cn->offset,
				  "cannot specify `post-return` option on `task.return`");
	st = valid_check_lower(v, o);
	if (st != MELD_OK)
		return st;
	if (o->async)
		return valid_fail(v, cn->offset, "cannot specify `async` option on `task.return`");
	if (!cn->has_result || o->gc)
		return MELD_OK;
	uint8_t flat[17];
	uint32_t n = 0;
	bool overflow;
	if (!push_flat(v, s, cn->result, ptr, flat, &n, 16, &overflow))
		return MELD_OK;
	return require(v, o, overflow || valid_contains_ptr(v, s, cn->result), false);
}

static enum meld_status
valid_context(struct vctx *v, const struct comp_canon *cn)
{
	const char *name = comp_canon_name(cn->kind);
	uint8_t t = (uint8_t)cn->ctx_type.code;
	if (t != I32 && t != I64)
		return valid_fail(v, cn->offset, "`%s` only supports `i32` or `i64`", name);
	if (t == I64 && !has_feature(v, VALID_F_CM64))
		return valid_fail(v, cn->offset,
				  "64-bit `%s` requires the component model 64-bit feature", name);
	struct vcomp *vc = v->cur;
	if (vc->has_context_type && vc->context_type != t)
		return valid_fail(v, cn->offset, "`%s` type must match previous context type",
				  name);
	vc->has_context_type = true;
	vc->context_type = t;
	if (cn->ctx_slot > 0 && !has_feature(v, VALID_F_THREADING))
		return valid_fail(v, cn->offset, "`%s` immediate must be zero: %u", name,
				  cn->ctx_slot);
	if (cn->ctx_slot > 1)
		return valid_fail(v, cn->offset, "`%s` immediate must be zero or one: %u",
				  name, cn->ctx_slot);
	return MELD_OK;
}

/* error-context.new / debug-message: memory (and realloc), sync. */
static enum meld_status
valid_error_context(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn)
{
	const struct comp_canon_opts *o = &cn->opts;
	uint8_t ptr;
	enum meld_status st = valid_opts(v, s, o, &ptr);
	if (st == MELD_OK)
		st = require(v, o, true, cn->kind == COMP_CANON_ERROR_CONTEXT_DEBUG_MESSAGE);
	if (st == MELD_OK && o->async)
		return valid_fail(v, cn->offset, "cannot specify `async` option on `%s`",
				  comp_canon_name(cn->kind));
	return st == MELD_OK ? valid_check_lower(v, o) : st;
}

/* thread.new-indirect: a start function [i32] -> [] through a funcref table. */
static enum meld_status
valid_thread_new(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn)
{
	const char *name = comp_canon_name(cn->kind);
	enum meld_status st = valid_index(v, s, COMP_SPACE_CORE_TABLE, cn->tableidx,
					  cn->offset, name);
	if (st == MELD_OK)
		st = valid_index(v, s, COMP_SPACE_CORE_TYPE, cn->typeidx, cn->offset, name);
	if (st != MELD_OK)
		return st;
	struct comp_item *ti = comp_scope_get(s, COMP_SPACE_CORE_TYPE, cn->typeidx);
	struct vcore t;
	const uint8_t i32[1] = {I32};
	if (ti->core_type && ti->core_type->is_module)
		return valid_fail(v, cn->offset, "expected a core function type");
	if (ti->core_type && !valid_core_type_func(v, ti, &t))
		return valid_fail(v, cn->offset, "start type must be a function");
	bool spawn = cn->kind != COMP_CANON_THREAD_NEW_INDIRECT;
	if (ti->core_type && !codes_eq(t.params, t.nparams, i32, 1))
		return valid_fail(v, cn->offset,
				  "%s function must take a single `i32` argument (currently)",
				  spawn ? "spawn" : "start");
	if (ti->core_type && t.nresults != 0)
		return valid_fail(v, cn->offset, "%s function must not return any values",
				  spawn ? "spawn" : "start");
	if (cn->kind == COMP_CANON_THREAD_SPAWN_REF)
		return MELD_OK;
	const struct vcore *tab = valid_core_at(v, COMP_SPACE_CORE_TABLE, cn->tableidx);
	if (tab && tab->known &&
	    ((tab->limits.flags & CORE_LIMITS_64) || tab->type.code != CORE_VALTYPE_REF_NULL ||
	     tab->type.heap != CORE_HEAP_FUNC))
		return valid_fail(v, cn->offset,
				  "table is not a 32-bit table of (ref null (func))");
	return MELD_OK;
}

static enum meld_status
valid_waitable_set(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn)
{
	uint8_t ptr;
	enum meld_status st = valid_index(v, s, COMP_SPACE_CORE_MEMORY, cn->opts.memoryidx,
					  cn->offset, comp_canon_name(cn->kind));
	return st == MELD_OK ? valid_cabi_memory(v, cn->opts.memoryidx, cn->offset, &ptr)
			     : st;
}

enum meld_status
valid_canon(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn)
{
	switch (cn->kind) {
	case COMP_CANON_LIFT:
	case COMP_CANON_LOWER:
		return valid_lift_lower(v, s, cn);
	case COMP_CANON_RESOURCE_NEW:
	case COMP_CANON_RESOURCE_DROP:
	case COMP_CANON_RESOURCE_REP:
		return valid_resource_builtin(v, s, cn);
	case COMP_CANON_STREAM_NEW:
	case COMP_CANON_STREAM_READ:
	case COMP_CANON_STREAM_WRITE:
	case COMP_CANON_STREAM_CANCEL_READ:
	case COMP_CANON_STREAM_CANCEL_WRITE:
	case COMP_CANON_STREAM_DROP_READABLE:
	case COMP_CANON_STREAM_DROP_WRITABLE:
		return valid_async_builtin(v, s, cn, COMP_DEFVAL_STREAM);
	case COMP_CANON_FUTURE_NEW:
	case COMP_CANON_FUTURE_READ:
	case COMP_CANON_FUTURE_WRITE:
	case COMP_CANON_FUTURE_CANCEL_READ:
	case COMP_CANON_FUTURE_CANCEL_WRITE:
	case COMP_CANON_FUTURE_DROP_READABLE:
	case COMP_CANON_FUTURE_DROP_WRITABLE:
		return valid_async_builtin(v, s, cn, COMP_DEFVAL_FUTURE);
	case COMP_CANON_TASK_RETURN:
		return valid_task_return(v, s, cn);
	case COMP_CANON_CONTEXT_GET:
	case COMP_CANON_CONTEXT_SET:
		return valid_context(v, cn);
	case COMP_CANON_SUBTASK_CANCEL:
		if (cn->flag && !has_feature(v, VALID_F_MORE_ASYNC_BUILTINS))
			return valid_fail(v, cn->offset,
					  "async `subtask.cancel` requires the component model more async builtins feature");
		return MELD_OK;
	case COMP_CANON_ERROR_CONTEXT_NEW:
	case COMP_CANON_ERROR_CONTEXT_DEBUG_MESSAGE:
		return valid_error_context(v, s, cn);
	case COMP_CANON_WAITABLE_SET_WAIT:
	case COMP_CANON_WAITABLE_SET_POLL:
		return valid_waitable_set(v, s, cn);
	case COMP_CANON_THREAD_NEW_INDIRECT:
	case COMP_CANON_THREAD_SPAWN_INDIRECT:
	case COMP_CANON_THREAD_SPAWN_REF:
		return valid_thread_new(v, s, cn);
	default:
		return MELD_OK;
	}
}

/* ---- the core function each definition makes ------------------------------ */

static bool
fixed(struct vctx *v, struct vcore *out, const uint8_t *p, uint32_t np,
      const uint8_t *r, uint32_t nr)
{
	return valid_core_func(v, p, np, r, nr, out);
}

/* The rep of the resource a resource.* built-in names: i32 unless known. */
static uint8_t
resource_rep(struct comp_scope *s, uint32_t typeidx)
{
	struct comp_item *it = comp_item_canon(comp_scope_get(s, COMP_SPACE_TYPE, typeidx));
	if (it && it->kind == COMP_ITEM_TYPE && it->def &&
	    it->def->kind == COMP_TYPE_RESOURCE)
		return (uint8_t)it->def->resource.rep;
	return I32;
}

static bool
lowered_func(struct vctx *v, struct comp_scope *s, const struct comp_canon *cn,
	     struct vcore *out)
{
	const struct comp_canon_opts *o = &cn->opts;
	if (o->gc)
		return o->has_core_type &&
		       valid_core_type_func(v, comp_scope_get(s, COMP_SPACE_CORE_TYPE,
							      o->core_typeidx), out);
	uint8_t ptr = I32;
	const struct vcore *m = o->has_memory
		? valid_core_at(v, COMP_SPACE_CORE_MEMORY, o->memoryidx) : NULL;
	if (m && m->known && (m->limits.flags & CORE_LIMITS_64))
		ptr = I64;
	struct lowered l;
	if (cn->kind == COMP_CANON_TASK_RETURN) {
		struct comp_field f = {{(const uint8_t *)"v", 1}, cn->result};
		struct comp_functype ft = {false, &f, cn->has_result ? 1u : 0u, false, {0, 0}};
		lower_functype(v, s, &ft, false, false, false, ptr, &l);
	} else {
		struct comp_item *ft_item;
		const struct comp_functype *ft = lift_lower_type(s, cn, &ft_item);
		if (!ft)
			return false;
		lower_functype(v, ft_item->scope, ft, false, o->async, false, ptr, &l);
	}
	return l.known && fixed(v, out, l.params, l.np, l.results, l.nr);
}

bool
valid_canon_core_func(struct vctx *v, struct comp_scope *s,
		      const struct comp_canon *cn, struct vcore *out)
{
	static const uint8_t i32[3] = {I32, I32, I32}, i64[1] = {I64};
	uint8_t one[2];
	memset(out, 0, sizeof *out);
	out->kind = CORE_EXTERN_FUNC;
	switch (cn->kind) {
	case COMP_CANON_LOWER:
	case COMP_CANON_TASK_RETURN:
		return lowered_func(v, s, cn, out);
	case COMP_CANON_RESOURCE_NEW:
		one[0] = resource_rep(s, cn->typeidx);
		return fixed(v, out, one, 1, i32, 1);
	case COMP_CANON_RESOURCE_REP:
		one[0] = resource_rep(s, cn->typeidx);
		return fixed(v, out, i32, 1, one, 1);
	case COMP_CANON_CONTEXT_GET:
		one[0] = (uint8_t)cn->ctx_type.code;
		return fixed(v, out, NULL, 0, one, 1);
	case COMP_CANON_CONTEXT_SET:
		one[0] = (uint8_t)cn->ctx_type.code;
		return fixed(v, out, one, 1, NULL, 0);
	case COMP_CANON_STREAM_NEW:
	case COMP_CANON_FUTURE_NEW:
		return fixed(v, out, NULL, 0, i64, 1);
	case COMP_CANON_STREAM_READ:
	case COMP_CANON_STREAM_WRITE:
		return fixed(v, out, i32, 3, i32, 1);
	case COMP_CANON_FUTURE_READ:
	case COMP_CANON_FUTURE_WRITE:
	case COMP_CANON_ERROR_CONTEXT_NEW:
		return fixed(v, out, i32, 2, i32, 1);
	case COMP_CANON_ERROR_CONTEXT_DEBUG_MESSAGE:
	case COMP_CANON_WAITABLE_JOIN:
		return fixed(v, out, i32, 2, NULL, 0);
	case COMP_CANON_TASK_CANCEL:
	case COMP_CANON_BACKPRESSURE_INC:
	case COMP_CANON_BACKPRESSURE_DEC:
		return fixed(v, out, NULL, 0, NULL, 0);
	case COMP_CANON_RESOURCE_DROP:
	case COMP_CANON_SUBTASK_DROP:
	case COMP_CANON_STREAM_DROP_READABLE:
	case COMP_CANON_STREAM_DROP_WRITABLE:
	case COMP_CANON_FUTURE_DROP_READABLE:
	case COMP_CANON_FUTURE_DROP_WRITABLE:
	case COMP_CANON_ERROR_CONTEXT_DROP:
	case COMP_CANON_WAITABLE_SET_DROP:
	case COMP_CANON_THREAD_RESUME_LATER:
		return fixed(v, out, i32, 1, NULL, 0);
	case COMP_CANON_SUBTASK_CANCEL:
	case COMP_CANON_STREAM_CANCEL_READ:
	case COMP_CANON_STREAM_CANCEL_WRITE:
	case COMP_CANON_FUTURE_CANCEL_READ:
	case COMP_CANON_FUTURE_CANCEL_WRITE:
	case COMP_CANON_THREAD_SUSPEND_THEN_RESUME:
	case COMP_CANON_THREAD_YIELD_THEN_RESUME:
	case COMP_CANON_THREAD_SUSPEND_THEN_PROMOTE:
	case COMP_CANON_THREAD_YIELD_THEN_PROMOTE:
		return fixed(v, out, i32, 1, i32, 1);
	case COMP_CANON_WAITABLE_SET_NEW:
	case COMP_CANON_THREAD_YIELD:
	case COMP_CANON_THREAD_INDEX:
	case COMP_CANON_THREAD_SUSPEND:
	case COMP_CANON_THREAD_AVAILABLE_PARALLELISM:
		return fixed(v, out, NULL, 0, i32, 1);
	case COMP_CANON_WAITABLE_SET_WAIT:
	case COMP_CANON_WAITABLE_SET_POLL: {
		const struct vcore *m = valid_core_at(v, COMP_SPACE_CORE_MEMORY,
						      cn->opts.memoryidx);
		one[0] = I32;
		one[1] = m && m->known && (m->limits.flags & CORE_LIMITS_64) ? I64 : I32;
		return fixed(v, out, one, 2, i32, 1);
	}
	case COMP_CANON_THREAD_NEW_INDIRECT:
	case COMP_CANON_THREAD_SPAWN_INDIRECT:
		return fixed(v, out, i32, 2, i32, 1);
	case COMP_CANON_LIFT:
	case COMP_CANON_THREAD_SPAWN_REF:
		return false; /* a component func; a concrete reference parameter */
	}
	return false;
}
