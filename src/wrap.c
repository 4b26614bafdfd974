/*
 * wrap: the fused module as a component (ARCHITECTURE.md, pass 6;
 * Explainer.md "Canonical Definitions", "Instance Definitions").
 *
 * The wrapper, in order:
 *   1. the root's imports, with their types copied from the root;
 *   2. the shim module (one call_indirect trampoline per table slot),
 *      when some lowering needs the fused module's memory or realloc, or
 *      an exported resource has a destructor;
 *   3. the exported resources' types, their destructors from the shim;
 *   4. the fused module, and one core instance per module name it
 *      imports: lowerings without memory, resource built-ins, and shim
 *      trampolines for the rest; the fused instance;
 *   5. the lowerings with memory/realloc, the destructors, and the fixup
 *      module that puts them into the shim's table and then runs the fused
 *      module's start function;
 *   6. the root's exports: lifts with the original options, and for each
 *      exported instance its type-only shim component (wrap_types.c).
 * Each plan import says which root import it lowers and with what
 * options (plan.h, struct plan_abi: the names under which the fused module
 * exports those options' memories and reallocs).
 */
#include "wrap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "comp_valid.h"
#include "wrap_impl.h"

/* ---- helpers --------------------------------------------------------- */

enum meld_status
wrap_oom(struct wrap *w)
{
	return diag_fail(w->d, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
			 "out of memory while wrapping");
}

enum meld_status
wrap_unsupported(struct wrap *w, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return diag_fail(w->d, MELD_EUNSUPPORTED, w->input, DIAG_NO_OFFSET,
			 "--component: %s", buf);
}

/* ---- several inputs ---------------------------------------------------- */

void
wrap_use(struct wrap *w, size_t k)
{
	const struct wroot *r = &w->roots[k];
	w->input = r->input;
	w->root = r->root;
	w->scope = r->scope;
	memcpy(w->rmap, r->rmap, sizeof w->rmap);
	w->root_types = r->root_types;
}

static bool
same_name(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static bool
has_export(const struct comp_component *c, struct bin_name n)
{
	for (size_t i = 0; i < c->nexports; i++)
		if (same_name(c->exports[i].name.name, n))
			return true;
	return false;
}

static bool
has_import(const struct comp_component *c, struct bin_name n)
{
	for (size_t i = 0; i < c->nimports; i++)
		if (same_name(c->imports[i].name.name, n))
			return true;
	return false;
}

bool
wrap_linked(const struct wrap *w, struct bin_name name)
{
	for (size_t k = 0; k < w->nroots; k++)
		if (w->roots[k].root != w->root &&
		    has_export(w->roots[k].root, name))
			return true;
	return false;
}

bool
wrap_consumed(const struct wrap *w, struct bin_name name)
{
	for (size_t k = 0; k < w->nroots; k++)
		if (w->roots[k].root != w->root &&
		    has_import(w->roots[k].root, name))
			return true;
	return false;
}

static enum meld_status
roots_init(struct wrap *w)
{
	comp_scope_ctx_init(&w->sctx, w->a);
	w->roots = arena_alloc_array(w->a, w->nroots, sizeof *w->roots);
	if (!w->roots)
		return wrap_oom(w);
	for (size_t k = 0; k < w->nroots; k++) {
		struct wroot *r = &w->roots[k];
		w->input = w->inputs[k].name;
		w->root = w->inputs[k].comp;
		enum meld_status st = wtypes_init(w);
		if (st != MELD_OK)
			return st;
		r->input = w->input;
		r->root = w->root;
		r->scope = w->scope;
		memcpy(r->rmap, w->rmap, sizeof r->rmap);
		r->root_types = w->root_types;
	}
	wrap_use(w, 0);
	return MELD_OK;
}

char *
wrap_str(struct wrap *w, struct bin_name n)
{
	char *s = arena_alloc(w->a, (size_t)n.len + 1);
	if (s && n.len)
		memcpy(s, n.p, n.len);
	return s;
}

char *
wrap_cat(struct wrap *w, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = arena_alloc(w->a, la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
	}
	return s;
}

static bool
name_memo(struct wrap *w, uint32_t kind, const char *a, const char *b,
	  uint32_t *out)
{
	for (size_t i = 0; i < w->nnames; i++) {
		const struct wname *n = &w->names[i];
		if (n->kind == kind && strcmp(n->a, a) == 0 &&
		    strcmp(n->b, b) == 0) {
			*out = n->idx;
			return true;
		}
	}
	return false;
}

static enum meld_status
name_add(struct wrap *w, uint32_t kind, const char *a, const char *b,
	 uint32_t idx)
{
	struct wname *n = arena_push(w->a, (void **)&w->names, &w->nnames,
				     &w->names_cap, sizeof *n);
	if (!n)
		return wrap_oom(w);
	*n = (struct wname){a, b, kind, idx};
	return MELD_OK;
}

/* Memo kinds beyond the component spaces. */
#define MEMO_MAIN 0x100u

static enum comp_space
core_space(uint8_t sort)
{
	switch (sort) {
	case COMP_CORE_SORT_MEMORY: return COMP_SPACE_CORE_MEMORY;
	case COMP_CORE_SORT_TABLE: return COMP_SPACE_CORE_TABLE;
	case COMP_CORE_SORT_GLOBAL: return COMP_SPACE_CORE_GLOBAL;
	default: return COMP_SPACE_CORE_FUNC;
	}
}

enum meld_status
wrap_main_export(struct wrap *w, uint8_t core_sort, const char *name,
		 uint32_t *out)
{
	if (name_memo(w, MEMO_MAIN + core_sort, name, "", out))
		return MELD_OK;
	*out = wenc_alias_core_export(&w->c, w->main_inst, name,
				      core_space(core_sort));
	return name_add(w, MEMO_MAIN + core_sort, name, "", *out);
}

/* ---- what the fused module imports ------------------------------------ */

/* The input whose root import `name` of space `want` is an import of the
 * wrapper (identical imports of several inputs are one). */
static const struct wroot *
kept_import(const struct wrap *w, enum comp_space want, const char *name,
	    const struct comp_import **out)
{
	for (size_t k = 0; k < w->nroots; k++) {
		const struct wroot *r = &w->roots[k];
		for (size_t i = 0; i < r->root->nimports; i++) {
			const struct comp_import *im = &r->root->imports[i];
			if (im->space == want && bin_name_eq(im->name.name, name) &&
			    r->rmap[want][im->idx] != WRAP_NONE) {
				*out = im;
				return r;
			}
		}
	}
	return NULL;
}

/* The wrapper function for a host function of an original root. */
enum meld_status
wrap_host_func(struct wrap *w, const struct inst_func *fn, uint32_t *out)
{
	const char *module = fn->module, *field = fn->field;
	enum comp_space want = strcmp(module, "$root") == 0
				       ? COMP_SPACE_FUNC
				       : COMP_SPACE_INSTANCE;
	const char *name = want == COMP_SPACE_FUNC ? field : module;
	const struct comp_import *im;
	const struct wroot *r = kept_import(w, want, name, &im);
	if (r) {
		uint32_t idx = r->rmap[want][im->idx];
		if (want == COMP_SPACE_FUNC) {
			*out = idx;
			return MELD_OK;
		}
		if (name_memo(w, COMP_SPACE_FUNC, module, field, out))
			return MELD_OK;
		*out = wenc_alias_export(&w->c, idx, field, COMP_SPACE_FUNC);
		return name_add(w, COMP_SPACE_FUNC, module, field, *out);
	}
	return wrap_unsupported(w, "host function \"%s\" \"%s\" is no root "
				   "import",
				module, field);
}

static const struct plan_abi *
import_abi(struct wrap *w, const struct plan_import *im)
{
	for (size_t i = 0; i < w->p->nabi; i++) {
		const struct plan_abi *ab = &w->p->abi[i];
		if (!ab->is_export && strcmp(ab->module, im->module) == 0 &&
		    strcmp(ab->name, im->field) == 0)
			return ab;
	}
	return NULL;
}

static bool
needs_slot(const struct plan_import *im)
{
	return im->func && (im->opts.memory.kind != INST_CORE_NONE ||
			    im->opts.realloc.kind != INST_CORE_NONE);
}

static enum meld_status
new_slot(struct wrap *w, uint32_t *out)
{
	struct wslot *s = arena_push(w->a, (void **)&w->slots, &w->nslots,
				     &w->slots_cap, sizeof *s);
	if (!s)
		return wrap_oom(w);
	s->fill = WRAP_NONE;
	*out = (uint32_t)(w->nslots - 1);
	return MELD_OK;
}

/* The slot's signature: the fused module's type of the import. */
static enum meld_status
import_slot(struct wrap *w, const struct plan_import *im, uint32_t *out)
{
	const struct plan_type *t = NULL;
	for (size_t i = 0; i < w->p->ntypes && !t; i++)
		if (w->p->types[i].idx == im->typeidx)
			t = &w->p->types[i];
	if (!t || t->nparams > 20 || t->nresults > 20)
		return wrap_unsupported(w, "import \"%s\" \"%s\": no plain "
					   "function type",
					im->module, im->field);
	enum meld_status st = new_slot(w, out);
	if (st != MELD_OK)
		return st;
	struct wslot *s = &w->slots[*out];
	s->nparams = t->nparams;
	s->nresults = t->nresults;
	for (uint32_t i = 0; i < t->nparams + t->nresults; i++) {
		uint8_t code = t->key[2 * i];
		if (i < t->nparams)
			s->params[i] = code;
		else
			s->results[i - t->nparams] = code;
	}
	return MELD_OK;
}

static enum meld_status
dtor_slot(struct wrap *w, struct wres *r)
{
	enum meld_status st = new_slot(w, &r->slot);
	if (st != MELD_OK)
		return st;
	struct wslot *s = &w->slots[r->slot];
	s->nparams = 1;
	s->params[0] = 0x7f; /* i32 */
	return MELD_OK;
}

/* Decide every slot: lowerings with memory first, then destructors. */
static enum meld_status
plan_slots(struct wrap *w, uint32_t *import_slots)
{
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < w->p->nimports; i++) {
		import_slots[i] = WRAP_NONE;
		if (needs_slot(&w->p->imports[i]))
			st = import_slot(w, &w->p->imports[i], &import_slots[i]);
	}
	for (size_t i = 0; st == MELD_OK && i < w->nres; i++)
		if (w->res[i].res->has_dtor)
			st = dtor_slot(w, &w->res[i]);
	return st;
}

static enum meld_status
shim_module(struct wrap *w)
{
	struct bin_writer b;
	bin_writer_init(&b);
	enum meld_status st = wenc_shim_module(w->slots, w->nslots, &b);
	if (st == MELD_OK) {
		wcomp_blob(&w->c, WSEC_CORE_MODULE, b.buf, b.len);
		uint32_t mod = wcomp_new(&w->c, COMP_SPACE_CORE_MODULE);
		struct bin_writer *it = wcomp_item(&w->c, WSEC_CORE_INSTANCE);
		bin_write_u8(it, COMP_INSTANCE_INSTANTIATE);
		bin_write_u32(it, mod);
		bin_write_u32(it, 0);
		w->shim_inst = wcomp_new(&w->c, COMP_SPACE_CORE_INSTANCE);
	}
	bin_writer_clear(&b);
	return st == MELD_OK ? MELD_OK : wrap_oom(w);
}

static uint32_t
shim_func(struct wrap *w, uint32_t slot)
{
	char name[16];
	snprintf(name, sizeof name, "%u", slot);
	return wenc_alias_core_export(&w->c, w->shim_inst, name,
				      COMP_SPACE_CORE_FUNC);
}

static enum meld_status
resource_types(struct wrap *w)
{
	for (size_t i = 0; i < w->nres; i++) {
		struct wres *r = &w->res[i];
		uint32_t dtor = r->slot == WRAP_NONE ? WRAP_NONE
						     : shim_func(w, r->slot);
		r->typeidx = wenc_resource_type(&w->c, dtor);
		if (!wmap_put(w->a, &w->root_memo, r->canon, r->typeidx))
			return wrap_oom(w);
	}
	return MELD_OK;
}

static enum meld_status
builtin_func(struct wrap *w, const struct inst_builtin *b, uint32_t *out)
{
	uint32_t t = WRAP_NONE;
	if (b->res->host) {
		enum meld_status st = wtypes_host_resource(w, b->res, &t);
		if (st != MELD_OK)
			return st;
	}
	for (size_t i = 0; i < w->nres && t == WRAP_NONE; i++)
		if (w->res[i].res == b->res)
			t = w->res[i].typeidx;
	if (t == WRAP_NONE)
		return wrap_unsupported(w, "resource \"%s\" is not exported",
					b->res->name ? b->res->name : "?");
	*out = wenc_resource_builtin(&w->c, b->kind, t);
	return MELD_OK;
}

/* The core function the fused module gets for import i. */
static enum meld_status
import_func(struct wrap *w, size_t i, uint32_t slot, uint32_t *out)
{
	const struct plan_import *im = &w->p->imports[i];
	if (im->builtin)
		return builtin_func(w, im->builtin, out);
	if (!im->func)
		return wrap_unsupported(w, "import \"%s\" \"%s\" of unknown "
					   "origin",
					im->module, im->field);
	if (slot != WRAP_NONE) {
		*out = shim_func(w, slot);
		return MELD_OK;
	}
	uint32_t f;
	enum meld_status st = wrap_host_func(w, im->func, &f);
	struct wopts o = {im->opts.encoding, WRAP_NONE, WRAP_NONE, WRAP_NONE};
	if (st == MELD_OK)
		*out = wenc_lower(&w->c, f, &o);
	return st;
}

/* ---- the fused instance ------------------------------------------------ */

static enum meld_status
fused_module(struct wrap *w)
{
	if (!w->start_moved) {
		wcomp_blob(&w->c, WSEC_CORE_MODULE, w->fused, w->fused_len);
		return MELD_OK;
	}
	struct bin_writer b;
	bin_writer_init(&b);
	enum meld_status st = wenc_move_start(w, w->p->start_funcidx, &b);
	if (st == MELD_OK)
		wcomp_blob(&w->c, WSEC_CORE_MODULE, b.buf, b.len);
	bin_writer_clear(&b);
	return st;
}

/* One core instance of inline exports: the imports of one module name. */
static uint32_t
module_args(struct wrap *w, const char *module, const uint32_t *funcs)
{
	uint32_t n = 0;
	for (size_t i = 0; i < w->p->nimports; i++)
		n += strcmp(w->p->imports[i].module, module) == 0;
	struct bin_writer *b = wcomp_item(&w->c, WSEC_CORE_INSTANCE);
	bin_write_u8(b, COMP_INSTANCE_FROM_EXPORTS);
	bin_write_u32(b, n);
	for (size_t i = 0; i < w->p->nimports; i++) {
		if (strcmp(w->p->imports[i].module, module) != 0)
			continue;
		wenc_name(b, w->p->imports[i].field);
		bin_write_u8(b, COMP_CORE_SORT_FUNC);
		bin_write_u32(b, funcs[i]);
	}
	return wcomp_new(&w->c, COMP_SPACE_CORE_INSTANCE);
}

static bool
first_of_module(const struct plan *p, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(p->imports[k].module, p->imports[i].module) == 0)
			return false;
	return true;
}

static enum meld_status
instantiate_main(struct wrap *w, uint32_t moduleidx, const uint32_t *funcs)
{
	size_t nmod = 0;
	uint32_t *inst = arena_alloc_array(w->a, w->p->nimports + 1,
					   sizeof *inst);
	if (!inst)
		return wrap_oom(w);
	for (size_t i = 0; i < w->p->nimports; i++)
		if (first_of_module(w->p, i)) {
			inst[i] = module_args(w, w->p->imports[i].module, funcs);
			nmod++;
		}
	struct bin_writer *b = wcomp_item(&w->c, WSEC_CORE_INSTANCE);
	bin_write_u8(b, COMP_INSTANCE_INSTANTIATE);
	bin_write_u32(b, moduleidx);
	bin_write_u32(b, (uint32_t)nmod);
	for (size_t i = 0; i < w->p->nimports; i++) {
		if (!first_of_module(w->p, i))
			continue;
		wenc_name(b, w->p->imports[i].module);
		bin_write_u8(b, COMP_CORE_SORT_INSTANCE);
		bin_write_u32(b, inst[i]);
	}
	w->main_inst = wcomp_new(&w->c, COMP_SPACE_CORE_INSTANCE);
	return MELD_OK;
}

static enum meld_status
main_instance(struct wrap *w, const uint32_t *slots)
{
	uint32_t *funcs = arena_alloc_array(w->a, w->p->nimports + 1,
					    sizeof *funcs);
	if (!funcs)
		return wrap_oom(w);
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < w->p->nimports; i++)
		st = import_func(w, i, slots[i], &funcs[i]);
	if (st != MELD_OK)
		return st;
	st = fused_module(w);
	if (st != MELD_OK)
		return st;
	uint32_t mod = wcomp_new(&w->c, COMP_SPACE_CORE_MODULE);
	return instantiate_main(w, mod, funcs);
}

/* ---- after the fused instance: the table's contents ---------------------- */

static enum meld_status
lower_late(struct wrap *w, const struct plan_import *im, uint32_t *out)
{
	const struct plan_abi *ab = import_abi(w, im);
	struct wopts o = {im->opts.encoding, WRAP_NONE, WRAP_NONE, WRAP_NONE};
	uint32_t f;
	enum meld_status st = wrap_host_func(w, im->func, &f);
	if (st == MELD_OK && (!ab || !ab->memory))
		st = wrap_unsupported(w, "import \"%s\" \"%s\": the fused "
					 "module does not say its memory",
				      im->module, im->field);
	if (st == MELD_OK)
		st = wrap_main_export(w, COMP_CORE_SORT_MEMORY, ab->memory,
				      &o.memory);
	if (st == MELD_OK && ab->realloc)
		st = wrap_main_export(w, COMP_CORE_SORT_FUNC, ab->realloc,
				      &o.realloc);
	if (st == MELD_OK) {
		o.encoding = ab->encoding;
		*out = wenc_lower(&w->c, f, &o);
	}
	return st;
}

static enum meld_status
dtor_name(struct wrap *w, const struct inst_res *r, char **out)
{
	const char *iface = r->module + strlen("[export]");
	char *dtor = wrap_cat(w, "[dtor]", r->name);
	char *pre = strcmp(iface, "$root") == 0 ? wrap_cat(w, "", "")
						: wrap_cat(w, iface, "#");
	*out = dtor && pre ? wrap_cat(w, pre, dtor) : NULL;
	return *out ? MELD_OK : wrap_oom(w);
}

static enum meld_status
fill_slots(struct wrap *w, const uint32_t *slots)
{
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < w->p->nimports; i++)
		if (slots[i] != WRAP_NONE)
			st = lower_late(w, &w->p->imports[i],
					&w->slots[slots[i]].fill);
	for (size_t i = 0; st == MELD_OK && i < w->nres; i++) {
		const struct wres *r = &w->res[i];
		char *name;
		if (r->slot == WRAP_NONE)
			continue;
		st = dtor_name(w, r->res, &name);
		if (st == MELD_OK)
			st = wrap_main_export(w, COMP_CORE_SORT_FUNC, name,
					      &w->slots[r->slot].fill);
	}
	return st;
}

static void
inline_export(struct bin_writer *b, const char *name, uint8_t sort,
	      uint32_t idx)
{
	wenc_name(b, name);
	bin_write_u8(b, sort);
	bin_write_u32(b, idx);
}

static enum meld_status
fixup(struct wrap *w)
{
	uint32_t table = wenc_alias_core_export(&w->c, w->shim_inst, "$imports",
						COMP_SPACE_CORE_TABLE);
	uint32_t start = WRAP_NONE;
	enum meld_status st = MELD_OK;
	if (w->start_moved)
		st = wrap_main_export(w, COMP_CORE_SORT_FUNC, WRAP_START_EXPORT,
				      &start);
	struct bin_writer m;
	bin_writer_init(&m);
	if (st == MELD_OK)
		st = wenc_fixup_module(w->slots, w->nslots, w->start_moved, &m);
	if (st == MELD_OK) {
		wcomp_blob(&w->c, WSEC_CORE_MODULE, m.buf, m.len);
		uint32_t mod = wcomp_new(&w->c, COMP_SPACE_CORE_MODULE);
		struct bin_writer *b = wcomp_item(&w->c, WSEC_CORE_INSTANCE);
		bin_write_u8(b, COMP_INSTANCE_FROM_EXPORTS);
		bin_write_u32(b, (uint32_t)w->nslots + 1 + w->start_moved);
		inline_export(b, "$imports", COMP_CORE_SORT_TABLE, table);
		for (size_t i = 0; i < w->nslots; i++) {
			char name[24];
			snprintf(name, sizeof name, "%zu", i);
			inline_export(b, name, COMP_CORE_SORT_FUNC,
				      w->slots[i].fill);
		}
		if (w->start_moved)
			inline_export(b, WRAP_START_EXPORT, COMP_CORE_SORT_FUNC,
				      start);
		uint32_t args = wcomp_new(&w->c, COMP_SPACE_CORE_INSTANCE);
		b = wcomp_item(&w->c, WSEC_CORE_INSTANCE);
		bin_write_u8(b, COMP_INSTANCE_INSTANTIATE);
		bin_write_u32(b, mod);
		bin_write_u32(b, 1);
		wenc_name(b, "");
		bin_write_u8(b, COMP_CORE_SORT_INSTANCE);
		bin_write_u32(b, args);
		wcomp_new(&w->c, COMP_SPACE_CORE_INSTANCE);
	}
	bin_writer_clear(&m);
	return st;
}

/* ---- the pass ---------------------------------------------------------- */

/* The same type both ways (each a subtype of the other). */
static bool
same_import_type(struct wrap *w, const struct wroot *a,
		 const struct comp_import *ia, const struct wroot *b,
		 const struct comp_import *ib)
{
	struct vctx v;
	struct verr err;
	memset(&v, 0, sizeof v);
	v.arena = w->a;
	v.diag = w->d;
	v.input = a->input;
	v.budget = (size_t)1000000;
	v.features = VALID_F_ALL;
	comp_scope_ctx_init(&v.sx, w->a);
	struct comp_item *xa = comp_scope_get(a->scope, ia->space, ia->idx);
	struct comp_item *xb = comp_scope_get(b->scope, ib->space, ib->idx);
	return ia->space == ib->space &&
	       valid_sub_extern(&v, xa, ia->space, &ib->ext, b->scope, &err) &&
	       valid_sub_extern(&v, xb, ib->space, &ia->ext, a->scope, &err);
}

/* An import an earlier input has too: the same import of the wrapper. */
static enum meld_status
shared_import(struct wrap *w, size_t k, const struct comp_import *im,
	      bool *done)
{
	*done = false;
	for (size_t j = 0; j < k && !*done; j++) {
		const struct wroot *r = &w->roots[j];
		for (size_t i = 0; i < r->root->nimports && !*done; i++) {
			const struct comp_import *prev = &r->root->imports[i];
			if (!same_name(prev->name.name, im->name.name))
				continue;
			if (!same_import_type(w, r, prev, &w->roots[k], im))
				return diag_fail(w->d, MELD_ELINK, w->input,
						 im->offset,
						 "--component: import \"%.*s\" "
						 "has another type in %s",
						 (int)im->name.name.len,
						 (const char *)im->name.name.p,
						 r->input);
			uint32_t idx = r->rmap[im->space][prev->idx];
			w->rmap[im->space][im->idx] = idx;
			*done = true;
			struct comp_item *it =
				comp_scope_get(w->scope, im->space, im->idx);
			if (im->space == COMP_SPACE_TYPE &&
			    !wmap_put(w->a, &w->root_memo, comp_item_canon(it),
				      idx))
				return wrap_oom(w);
		}
	}
	return MELD_OK;
}

/* Every input's imports, but those another input's exports satisfy;
 * identical imports of several inputs once. */
static enum meld_status
imports(struct wrap *w)
{
	enum meld_status st = MELD_OK;
	for (size_t k = 0; st == MELD_OK && k < w->nroots; k++) {
		wrap_use(w, k);
		for (size_t i = 0; st == MELD_OK && i < w->root->ndefs; i++) {
			if (w->root->defs[i].kind != COMP_DEF_IMPORT)
				continue;
			const struct comp_import *im =
				&w->root->imports[w->root->defs[i].item];
			bool done;
			if (wrap_linked(w, im->name.name))
				continue;
			st = shared_import(w, k, im, &done);
			if (st == MELD_OK && !done)
				st = wtypes_import(w, im);
		}
	}
	return st;
}

/* A name two inputs export, neither consumed: refused. */
static enum meld_status
export_clash(struct wrap *w, const struct comp_export *ex)
{
	for (size_t k = 0; k < w->nroots; k++) {
		const struct wroot *r = &w->roots[k];
		if (r->root != w->root && has_export(r->root, ex->name.name))
			return diag_fail(w->d, MELD_ELINK, w->input, ex->offset,
					 "--component: \"%.*s\" is exported by "
					 "both %s and %s",
					 (int)ex->name.name.len,
					 (const char *)ex->name.name.p,
					 w->input, r->input);
	}
	return MELD_OK;
}

/* Every input's exports, providers first, but those another input
 * imports (the linking consumed them). */
static enum meld_status
exports(struct wrap *w)
{
	enum meld_status st = MELD_OK;
	for (size_t n = 0; st == MELD_OK && n < w->nroots; n++) {
		wrap_use(w, w->g->ninputs == w->nroots ? w->g->input_order[n] : n);
		for (size_t i = 0; st == MELD_OK && i < w->root->ndefs; i++) {
			if (w->root->defs[i].kind != COMP_DEF_EXPORT)
				continue;
			const struct comp_export *ex =
				&w->root->exports[w->root->defs[i].item];
			if (wrap_consumed(w, ex->name.name))
				continue;
			st = export_clash(w, ex);
			if (st == MELD_OK)
				st = wtypes_export(w, ex);
		}
	}
	return st;
}

static enum meld_status
core_side(struct wrap *w)
{
	uint32_t *slots = arena_alloc_array(w->a, w->p->nimports + 1,
					    sizeof *slots);
	if (!slots)
		return wrap_oom(w);
	enum meld_status st = plan_slots(w, slots);
	w->start_moved = st == MELD_OK && w->nslots > 0 && w->p->has_start;
	if (st == MELD_OK && w->nslots > 0)
		st = shim_module(w);
	if (st == MELD_OK)
		st = resource_types(w);
	if (st == MELD_OK)
		st = main_instance(w, slots);
	if (st == MELD_OK && w->nslots > 0)
		st = fill_slots(w, slots);
	if (st == MELD_OK && w->nslots > 0)
		st = fixup(w);
	return st;
}

/* The resources every input's unconsumed exports define. */
static enum meld_status
resources(struct wrap *w)
{
	enum meld_status st = MELD_OK;
	for (size_t k = 0; st == MELD_OK && k < w->nroots; k++) {
		wrap_use(w, k);
		st = wtypes_find_resources(w);
	}
	return st;
}

enum meld_status
wrap_component(struct arena *a, struct diag *d, const struct inst_input *in,
	       size_t nin, struct plan *p, const uint8_t *fused,
	       size_t fused_len, struct bin_writer *out)
{
	struct wrap w;
	memset(&w, 0, sizeof w);
	w.a = a;
	w.d = d;
	w.inputs = in;
	w.nroots = nin;
	w.p = p;
	w.g = p->g;
	w.fused = fused;
	w.fused_len = fused_len;
	wcomp_init(&w.c, out);
	wcomp_preamble(out);
	enum meld_status st = roots_init(&w);
	if (st == MELD_OK)
		st = imports(&w);
	if (st == MELD_OK)
		st = resources(&w);
	if (st == MELD_OK)
		st = core_side(&w);
	if (st == MELD_OK)
		st = exports(&w);
	wcomp_flush(&w.c);
	wcomp_clear(&w.c);
	if (st == MELD_OK && out->err != MELD_OK)
		st = wrap_oom(&w);
	return st;
}
