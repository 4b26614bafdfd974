/*
 * inspect_externs: the root component's imports and exports for `meld
 * inspect`: each as a line of WIT (wit.c), and for JSON each exported
 * function's type written out in full with the options of the `canon
 * lift` behind it (Explainer.md "Canonical Definitions").
 */
#include "inspect_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- components: root imports and exports as WIT -------------------- */

/* A WIT printer ran out of its budget: refuse rather than print. */
enum meld_status
inspect_wit_refuse(struct insp *x, const struct wit_printer *p)
{
	return diag_fail(&x->s->diag, MELD_EUNSUPPORTED, x->in->name,
			 p->over_offset,
			 "types written out in full take more than %zu nodes; "
			 "too large to print as WIT", p->max_nodes);
}

/* The WIT of one root import or export, into its own buffer. */
static enum meld_status
extern_wit(struct insp *x, const char *keyword,
	   const struct comp_extern_name *name,
	   struct comp_item *item, enum comp_space space, unsigned indent,
	   struct bin_writer *w)
{
	struct wit_printer p;
	wit_init(&p, w, &x->s->arena);
	p.expand_named = true;
	p.indent = indent;
	/* one budget for every type this inspect writes out */
	p.nodes = x->type_nodes;
	p.max_nodes = INSPECT_TYPE_NODES;
	wit_print_extern(&p, keyword, name, item, space);
	x->type_nodes = p.nodes;
	if (p.over_budget)
		return inspect_wit_refuse(x, &p);
	return w->err;
}

/* ---- components: export types and lift options ----------------------- */

/*
 * For the `.wast` runner (tests/js/README.md, "Types from meld inspect
 * --json"): each root function export, and each function of a root
 * instance export, gets its function type written out in full, every
 * type index resolved in the scope that defined it, and the options of
 * the `canon lift` behind it.
 */

/* Value types nested deeper than this are refused. */
#define INSPECT_TYPE_DEPTH 32
/* Steps taken to follow a function or a memory to its definition. */
#define INSPECT_TRACE_STEPS 256

static enum meld_status type_refuse(struct insp *x, size_t offset,
				    const char *f, ...)
	__attribute__((format(printf, 3, 4)));

/* Refuse the export being written, naming it. */
static enum meld_status
type_refuse(struct insp *x, size_t offset, const char *f, ...)
{
	char why[128];
	struct bin_name a = x->cur_instance, b = x->cur_func;
	va_list ap;
	va_start(ap, f);
	vsnprintf(why, sizeof why, f, ap);
	va_end(ap);
	return diag_fail(&x->s->diag, MELD_EUNSUPPORTED, x->in->name, offset,
			 "export \"%.*s%s%.*s\": %s", (int)a.len, (const char *)a.p,
			 a.len ? "#" : "", (int)b.len, (const char *)b.p, why);
}

static enum meld_status json_valtype(struct insp *x, struct comp_scope *s,
				     struct comp_valtype vt, unsigned depth);

static enum meld_status
json_opt_valtype(struct insp *x, const char *key, struct comp_scope *s,
		 bool has, struct comp_valtype vt, unsigned depth)
{
	json_key(&x->j, key);
	if (!has) {
		json_null(&x->j);
		return MELD_OK;
	}
	return json_valtype(x, s, vt, depth);
}

/* `{"name": ..., "type": ...}`, the shape of fields and parameters. */
static enum meld_status
json_field(struct insp *x, struct comp_scope *s, struct bin_name label,
	   bool has, struct comp_valtype vt, unsigned depth)
{
	json_object_begin(&x->j);
	inspect_json_name(&x->j, "name", label);
	enum meld_status st = json_opt_valtype(x, "type", s, has, vt, depth);
	json_object_end(&x->j);
	return st;
}

static void
json_labels(struct insp *x, const struct comp_defval *dv)
{
	json_key(&x->j, "names");
	json_array_begin(&x->j);
	for (uint32_t i = 0; i < dv->labels.nlabels; i++)
		json_string_n(&x->j, dv->labels.labels[i].p, dv->labels.labels[i].len);
	json_array_end(&x->j);
}

/* A resource by the name it was defined or imported under, else its index. */
static void
json_resource(struct insp *x, struct comp_scope *s, uint32_t typeidx)
{
	struct comp_item *r = comp_scope_get(s, COMP_SPACE_TYPE, typeidx);
	struct comp_item *orig = comp_item_canon(r);
	json_key(&x->j, "resource");
	if (r && r->name.p)
		json_string_n(&x->j, r->name.p, r->name.len);
	else if (orig && orig->name.p)
		json_string_n(&x->j, orig->name.p, orig->name.len);
	else
		json_uint(&x->j, typeidx);
}

static const char *
defval_kind_name(enum comp_defval_kind k)
{
	switch (k) {
	case COMP_DEFVAL_PRIM: return "prim";
	case COMP_DEFVAL_RECORD: return "record";
	case COMP_DEFVAL_VARIANT: return "variant";
	case COMP_DEFVAL_LIST: return "list";
	case COMP_DEFVAL_FIXED_LIST: return "list";
	case COMP_DEFVAL_TUPLE: return "tuple";
	case COMP_DEFVAL_FLAGS: return "flags";
	case COMP_DEFVAL_ENUM: return "enum";
	case COMP_DEFVAL_OPTION: return "option";
	case COMP_DEFVAL_RESULT: return "result";
	case COMP_DEFVAL_OWN: return "own";
	case COMP_DEFVAL_BORROW: return "borrow";
	case COMP_DEFVAL_STREAM: return "stream";
	case COMP_DEFVAL_FUTURE: return "future";
	case COMP_DEFVAL_MAP: return "map";
	}
	return "?";
}

/* The members of a record, tuple or variant: one array. */
static enum meld_status
json_members(struct insp *x, struct comp_scope *s,
	     const struct comp_defval *dv, unsigned depth)
{
	enum meld_status st = MELD_OK;
	json_key(&x->j, dv->kind == COMP_DEFVAL_RECORD  ? "fields"
			: dv->kind == COMP_DEFVAL_TUPLE ? "types"
							: "cases");
	json_array_begin(&x->j);
	if (dv->kind == COMP_DEFVAL_RECORD) {
		for (uint32_t i = 0; i < dv->record.nfields && st == MELD_OK; i++)
			st = json_field(x, s, dv->record.fields[i].label, true,
					dv->record.fields[i].type, depth);
	} else if (dv->kind == COMP_DEFVAL_TUPLE) {
		for (uint32_t i = 0; i < dv->tuple.ntypes && st == MELD_OK; i++)
			st = json_valtype(x, s, dv->tuple.types[i], depth);
	} else {
		for (uint32_t i = 0; i < dv->variant.ncases && st == MELD_OK; i++) {
			const struct comp_case *c = &dv->variant.cases[i];
			st = json_field(x, s, c->label, c->has_type, c->type, depth);
		}
	}
	json_array_end(&x->j);
	return st;
}

/* The fields after "kind" of a defined value type. */
static enum meld_status
json_defval_body(struct insp *x, struct comp_scope *s,
		 const struct comp_defval *dv, unsigned depth)
{
	enum meld_status st;
	switch (dv->kind) {
	case COMP_DEFVAL_LIST:
	case COMP_DEFVAL_FIXED_LIST:
		json_key(&x->j, "element");
		st = json_valtype(x, s, dv->list.elem, depth);
		if (dv->kind == COMP_DEFVAL_FIXED_LIST)
			json_kv_uint(&x->j, "length", dv->list.len);
		return st;
	case COMP_DEFVAL_RECORD:
	case COMP_DEFVAL_TUPLE:
	case COMP_DEFVAL_VARIANT:
		return json_members(x, s, dv, depth);
	case COMP_DEFVAL_FLAGS:
	case COMP_DEFVAL_ENUM:
		json_labels(x, dv);
		return MELD_OK;
	case COMP_DEFVAL_OPTION:
		return json_opt_valtype(x, "type", s, true, dv->option, depth);
	case COMP_DEFVAL_RESULT:
		st = json_opt_valtype(x, "ok", s, dv->result.has_ok,
				      dv->result.ok, depth);
		if (st == MELD_OK)
			st = json_opt_valtype(x, "error", s, dv->result.has_err,
					      dv->result.err, depth);
		return st;
	case COMP_DEFVAL_OWN:
	case COMP_DEFVAL_BORROW:
		json_resource(x, s, dv->resource_typeidx);
		return MELD_OK;
	case COMP_DEFVAL_STREAM:
	case COMP_DEFVAL_FUTURE:
		return json_opt_valtype(x, "type", s, dv->async_elem.has_elem,
					dv->async_elem.elem, depth);
	case COMP_DEFVAL_MAP:
		json_key(&x->j, "key");
		st = json_valtype(x, s, dv->map.key, depth);
		if (st == MELD_OK) {
			json_key(&x->j, "value");
			st = json_valtype(x, s, dv->map.value, depth);
		}
		return st;
	case COMP_DEFVAL_PRIM:
		break;
	}
	return MELD_OK;
}

/* A value type written out in full: a primitive's name, else an object. */
static enum meld_status
json_valtype(struct insp *x, struct comp_scope *s, struct comp_valtype vt,
	     unsigned depth)
{
	if (vt.prim != COMP_PRIM_NONE) {
		json_string(&x->j, comp_prim_name(vt.prim));
		return MELD_OK;
	}
	struct comp_item *it = comp_scope_valtype(s, vt);
	if (!it || it->kind != COMP_ITEM_TYPE ||
	    it->def->kind != COMP_TYPE_DEFVAL)
		return type_refuse(x, DIAG_NO_OFFSET,
				   "type index %u does not resolve to a value "
				   "type", vt.typeidx);
	const struct comp_defval *dv = &it->def->defval;
	if (depth >= INSPECT_TYPE_DEPTH)
		return type_refuse(x, it->def->offset,
				   "value type nested more than %d levels deep",
				   INSPECT_TYPE_DEPTH);
	if (++x->type_nodes > INSPECT_TYPE_NODES)
		return type_refuse(x, it->def->offset,
				   "types written out in full take more than "
				   "%d nodes", INSPECT_TYPE_NODES);
	if (dv->kind == COMP_DEFVAL_PRIM) {
		json_string(&x->j, comp_prim_name(dv->prim));
		return MELD_OK;
	}
	json_object_begin(&x->j);
	json_kv_string(&x->j, "kind", defval_kind_name(dv->kind));
	enum meld_status st = json_defval_body(x, it->scope, dv, depth + 1);
	json_object_end(&x->j);
	return st;
}

/* "type": the function type of fn; nothing when it is not known. */
static enum meld_status
json_functype(struct insp *x, const struct comp_item *fn)
{
	const struct comp_item *t = fn ? fn->type : NULL;
	if (!fn || fn->kind != COMP_ITEM_FUNC || !t ||
	    t->kind != COMP_ITEM_TYPE || t->def->kind != COMP_TYPE_FUNC)
		return MELD_OK;
	const struct comp_functype *ft = &t->def->func;
	enum meld_status st = MELD_OK;
	json_key(&x->j, "type");
	json_object_begin(&x->j);
	json_key(&x->j, "params");
	json_array_begin(&x->j);
	for (uint32_t i = 0; i < ft->nparams && st == MELD_OK; i++)
		st = json_field(x, t->scope, ft->params[i].label, true,
				ft->params[i].type, 0);
	json_array_end(&x->j);
	if (st == MELD_OK)
		st = json_opt_valtype(x, "result", t->scope, ft->has_result,
				      ft->result, 0);
	json_kv_bool(&x->j, "async", ft->async);
	json_object_end(&x->j);
	return st;
}

/* ---- following a function to its canon lift ---- */

static bool
names_equal(struct bin_name a, struct bin_name b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static bool trace_instance_export(struct comp_scope **s, uint32_t instidx,
				  struct bin_name name, enum comp_space sp,
				  uint32_t *idx, unsigned *steps);

/*
 * Follow index idx of space sp in component scope *s through exports,
 * imports bound by instantiation arguments, outer aliases and aliases of
 * instance exports to the definition that made it.  Returns that
 * definition's entry (*s and *idx updated), or NULL when there is none
 * to find: a root import, an instance of an imported component, a chain
 * longer than INSPECT_TRACE_STEPS.
 */
static const struct comp_space_entry *
trace_def(struct comp_scope **s, enum comp_space sp, uint32_t *idx,
	  unsigned *steps)
{
	while (*s && (*s)->kind == COMP_SCOPE_COMPONENT &&
	       (*steps)++ < INSPECT_TRACE_STEPS) {
		const struct comp_component *c = (*s)->comp;
		const struct comp_space_entry *e = comp_space_get(c, sp, *idx);
		const struct comp_alias *al;
		if (!e)
			return NULL;
		switch (e->origin) {
		case COMP_DEF_EXPORT:
			*idx = c->exports[e->item].ref.idx;
			break;
		case COMP_DEF_IMPORT: {
			const struct comp_instance *args = (*s)->args;
			const struct comp_arg *a = NULL;
			for (uint32_t i = 0; args && i < args->nargs; i++)
				if (names_equal(args->args[i].name,
						c->imports[e->item].name.name))
					a = &args->args[i];
			if (!a || a->ref.space != sp)
				return NULL;
			*s = (*s)->args_scope;
			*idx = a->ref.idx;
			break;
		}
		case COMP_DEF_ALIAS:
			al = &c->aliases[e->item];
			if (al->kind == COMP_ALIAS_OUTER) {
				*s = comp_scope_outer(*s, al->outer_count);
				*idx = al->outer_idx;
			} else if (al->kind != COMP_ALIAS_INSTANCE_EXPORT ||
				   !trace_instance_export(s, al->instanceidx, al->name,
							  sp, idx, steps)) {
				return NULL;
			}
			break;
		default:
			return e;
		}
	}
	return NULL;
}

/* What instance instidx of *s exports as `name` (in space sp). */
static bool
trace_instance_export(struct comp_scope **s, uint32_t instidx,
		      struct bin_name name, enum comp_space sp, uint32_t *idx,
		      unsigned *steps)
{
	const struct comp_space_entry *e =
		trace_def(s, COMP_SPACE_INSTANCE, &instidx, steps);
	if (!e || e->origin != COMP_DEF_INSTANCE)
		return false;
	const struct comp_instance *in = &(*s)->comp->instances[e->item];
	if (in->kind == COMP_INSTANCE_FROM_EXPORTS) {
		for (uint32_t i = 0; i < in->nexports; i++) {
			if (names_equal(in->exports[i].name.name, name) &&
			    in->exports[i].ref.space == sp) {
				*idx = in->exports[i].ref.idx;
				return true;
			}
		}
		return false;
	}
	struct comp_scope *inner = comp_item_instance_scope(
		comp_scope_get(*s, COMP_SPACE_INSTANCE, instidx));
	if (!inner || inner->kind != COMP_SCOPE_COMPONENT)
		return false;
	for (size_t i = 0; i < inner->comp->nexports; i++) {
		const struct comp_export *ex = &inner->comp->exports[i];
		if (names_equal(ex->name.name, name) && ex->ref.space == sp) {
			*s = inner;
			*idx = ex->idx;
			return true;
		}
	}
	return false;
}

/*
 * Whether core memory memidx of component c is 64-bit: through core
 * instances to the module that defines it (imports of a module followed
 * to the instance its instantiation passed).
 */
static bool core_instance_memory64(const struct comp_component *c,
				   uint32_t instidx, struct bin_name name,
				   unsigned *steps);

static bool
core_memory64(const struct comp_component *c, uint32_t memidx,
	      unsigned *steps)
{
	const struct comp_space_entry *e =
		comp_space_get(c, COMP_SPACE_CORE_MEMORY, memidx);
	if (!e || e->origin != COMP_DEF_ALIAS || (*steps)++ >= INSPECT_TRACE_STEPS)
		return false;
	const struct comp_alias *al = &c->aliases[e->item];
	return al->kind == COMP_ALIAS_CORE_INSTANCE_EXPORT &&
	       core_instance_memory64(c, al->instanceidx, al->name, steps);
}

static bool
module_memory64(const struct comp_component *c,
		const struct comp_core_instance *ci, struct bin_name name,
		unsigned *steps)
{
	const struct comp_space_entry *e =
		comp_space_get(c, COMP_SPACE_CORE_MODULE, ci->moduleidx);
	if (!e || e->origin != COMP_DEF_CORE_MODULE)
		return false;
	const struct core_module *m = c->core_modules[e->item].module;
	for (uint32_t i = 0; m && i < m->nexports; i++) {
		const struct core_export *ex = &m->exports[i];
		if (ex->kind != CORE_EXTERN_MEMORY || !names_equal(ex->name, name) ||
		    ex->index >= m->space_len[CORE_SPACE_MEMORY])
			continue;
		const struct core_memory *mem = &m->memories[ex->index];
		if (mem->import == CORE_NO_INDEX)
			return (mem->limits.flags & CORE_LIMITS_64) != 0;
		const struct core_import *im = &m->imports[mem->import];
		for (uint32_t k = 0; k < ci->nargs; k++)
			if (names_equal(ci->args[k].name, im->module))
				return core_instance_memory64(
					c, ci->args[k].ref.idx, im->name, steps);
		return false;
	}
	return false;
}

static bool
core_instance_memory64(const struct comp_component *c, uint32_t instidx,
		       struct bin_name name, unsigned *steps)
{
	const struct comp_space_entry *e =
		comp_space_get(c, COMP_SPACE_CORE_INSTANCE, instidx);
	if (!e || e->origin != COMP_DEF_CORE_INSTANCE ||
	    (*steps)++ >= INSPECT_TRACE_STEPS)
		return false;
	const struct comp_core_instance *ci = &c->core_instances[e->item];
	if (ci->kind == COMP_INSTANCE_INSTANTIATE)
		return module_memory64(c, ci, name, steps);
	for (uint32_t i = 0; i < ci->nexports; i++) {
		const struct comp_inline_export *ex = &ci->exports[i];
		if (ex->ref.space == COMP_SPACE_CORE_MEMORY &&
		    names_equal(ex->name.name, name))
			return core_memory64(c, ex->ref.idx, steps);
	}
	return false;
}

static const char *
encoding_name(enum comp_string_encoding e)
{
	switch (e) {
	case COMP_STRING_UTF8: return "utf8";
	case COMP_STRING_UTF16: return "utf16";
	case COMP_STRING_LATIN1_UTF16: return "latin1+utf16";
	}
	return "?";
}

/* "canon": the options of the canon lift, if the trace ends at one. */
static void
json_canon(struct insp *x, struct comp_scope *s, uint32_t funcidx,
	   unsigned steps)
{
	const struct comp_space_entry *e =
		trace_def(&s, COMP_SPACE_FUNC, &funcidx, &steps);
	if (!e || e->origin != COMP_DEF_CANON)
		return;
	const struct comp_canon *cn = &s->comp->canons[e->item];
	const struct comp_canon_opts *o = &cn->opts;
	if (cn->kind != COMP_CANON_LIFT)
		return;
	json_key(&x->j, "canon");
	json_object_begin(&x->j);
	json_kv_string(&x->j, "string_encoding", encoding_name(o->encoding));
	json_kv_bool(&x->j, "memory", o->has_memory);
	json_kv_bool(&x->j, "realloc", o->has_realloc);
	json_kv_bool(&x->j, "post_return", o->has_post_return);
	json_kv_bool(&x->j, "async", o->async);
	json_kv_bool(&x->j, "callback", o->has_callback);
	steps = 0;
	if (o->has_memory && core_memory64(s->comp, o->memoryidx, &steps))
		json_kv_bool(&x->j, "memory64", true);
	json_object_end(&x->j);
}

/* "exports" of a root instance export: each function with its type. */
static enum meld_status
json_instance_exports(struct insp *x, struct comp_scope *root,
		      struct comp_item *inst, uint32_t instidx)
{
	struct comp_export_ref *ex;
	uint32_t n = comp_item_exports(inst, &ex);
	enum meld_status st = MELD_OK;
	json_key(&x->j, "exports");
	json_array_begin(&x->j);
	for (uint32_t i = 0; i < n && st == MELD_OK; i++) {
		json_object_begin(&x->j);
		inspect_json_name(&x->j, "name", ex[i].name);
		json_kv_string(&x->j, "sort", comp_space_name(ex[i].space));
		if (ex[i].space == COMP_SPACE_FUNC) {
			struct comp_scope *s = root;
			uint32_t funcidx = 0;
			unsigned steps = 0;
			x->cur_func = ex[i].name;
			st = json_functype(x, ex[i].item);
			if (trace_instance_export(&s, instidx, ex[i].name,
						  COMP_SPACE_FUNC, &funcidx, &steps))
				json_canon(x, s, funcidx, steps);
		}
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
	return st;
}

/* After "wit": what the runner needs of a function or instance export. */
static enum meld_status
json_export_detail(struct insp *x, struct comp_scope *root,
		   const struct comp_export *ex, struct comp_item *it)
{
	enum meld_status st = MELD_OK;
	x->cur_instance = (struct bin_name){0};
	x->cur_func = ex->name.name;
	if (ex->ref.space == COMP_SPACE_FUNC) {
		st = json_functype(x, it);
		json_canon(x, root, ex->idx, 0);
	} else if (ex->ref.space == COMP_SPACE_INSTANCE) {
		x->cur_instance = ex->name.name;
		st = json_instance_exports(x, root, it, ex->idx);
	}
	if (st == MELD_OK && x->j.too_deep)
		st = type_refuse(x, ex->offset, "JSON nested more than %d levels",
				 JSON_MAX_DEPTH);
	return st;
}

enum meld_status
inspect_root_externs(struct insp *x, struct comp_scope *root)
{
	const struct comp_component *c = root->comp;
	enum meld_status st = MELD_OK;
	for (int pass = 0; pass < 2 && st == MELD_OK; pass++) {
		bool imp = pass == 0;
		size_t n = imp ? c->nimports : c->nexports;
		if (x->json) {
			json_key(&x->j, imp ? "imports" : "exports");
			json_array_begin(&x->j);
		} else {
			inspect_out(x, "\n%s (%zu):\n", imp ? "imports" : "exports", n);
		}
		for (size_t i = 0; i < n && st == MELD_OK; i++) {
			const struct comp_extern_name *xn =
				imp ? &c->imports[i].name : &c->exports[i].name;
			struct bin_name name = xn->name;
			enum comp_space sp = imp ? c->imports[i].space
						 : c->exports[i].ref.space;
			uint32_t idx = imp ? c->imports[i].idx : c->exports[i].idx;
			struct comp_item *it = comp_scope_get(root, sp, idx);
			struct bin_writer w;
			bin_writer_init(&w);
			st = extern_wit(x, imp ? "import" : "export", xn, it, sp,
					x->json ? 0 : 1, &w);
			if (st == MELD_OK && x->json) {
				json_object_begin(&x->j);
				inspect_json_name(&x->j, "name", name);
				json_kv_string(&x->j, "sort", comp_space_name(sp));
				json_key(&x->j, "wit");
				json_string_n(&x->j, w.buf,
					      w.len && w.buf[w.len - 1] == '\n' ? w.len - 1 : w.len);
				if (!imp)
					st = json_export_detail(x, root, &c->exports[i], it);
				json_object_end(&x->j);
			} else if (st == MELD_OK) {
				bin_write_bytes(x->w, w.buf, w.len);
			}
			bin_writer_clear(&w);
		}
		if (x->json)
			json_array_end(&x->j);
	}
	return st;
}
