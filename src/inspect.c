/*
 * inspect: `meld inspect` — what is inside a component or a core module,
 * as text, JSON or WIT.
 *
 * For a component: format and size; the tree of nested components with
 * their core modules (size, import and export counts), core instances and
 * component instances and what each is instantiated with; the root's
 * imports and exports with their types as WIT.  For a core module: its
 * sections, imports and exports.  Everything is printed in binary order,
 * so the output is deterministic.
 */
#include "inspect.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bin_write.h"
#include "comp.h"
#include "comp_scope.h"
#include "core_module.h"
#include "json.h"
#include "wit.h"

struct insp {
	struct meld_session *s;
	const struct session_input *in;
	struct bin_writer *w;
	struct json j;
	bool json;
	/* export types (json): nodes written, the export being written */
	size_t type_nodes;
	struct bin_name cur_instance, cur_func;
};

static void
out(struct insp *x, const char *f, ...) __attribute__((format(printf, 2, 3)));

static void
out(struct insp *x, const char *f, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	if (n > 0)
		bin_write_bytes(x->w, buf,
				(size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void
out_indent(struct insp *x, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		bin_write_bytes(x->w, "  ", 2);
}

/* A name as a quoted string (escaping quotes, backslashes, controls). */
static void
out_quoted(struct insp *x, struct bin_name n)
{
	bin_write_u8(x->w, '"');
	for (uint32_t i = 0; i < n.len; i++) {
		uint8_t c = n.p[i];
		if (c == '"' || c == '\\')
			out(x, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			out(x, "\\%02x", c);
		else
			bin_write_u8(x->w, c);
	}
	bin_write_u8(x->w, '"');
}

static void
json_name(struct json *j, const char *key, struct bin_name n)
{
	json_key(j, key);
	json_string_n(j, n.p, n.len);
}

/* ---- core modules ----------------------------------------------------- */

static const char *
core_kind_name(uint8_t k)
{
	switch (k) {
	case CORE_EXTERN_FUNC: return "func";
	case CORE_EXTERN_TABLE: return "table";
	case CORE_EXTERN_MEMORY: return "memory";
	case CORE_EXTERN_GLOBAL: return "global";
	case CORE_EXTERN_TAG: return "tag";
	}
	return "?";
}

static const char *
core_valtype_text(struct core_valtype v, char *buf, size_t n)
{
	switch (v.code) {
	case CORE_VALTYPE_I32: return "i32";
	case CORE_VALTYPE_I64: return "i64";
	case CORE_VALTYPE_F32: return "f32";
	case CORE_VALTYPE_F64: return "f64";
	case CORE_VALTYPE_V128: return "v128";
	default: break;
	}
	if (v.heap == CORE_HEAP_FUNC && v.code == CORE_VALTYPE_REF_NULL)
		return "funcref";
	if (v.heap == CORE_HEAP_EXTERN && v.code == CORE_VALTYPE_REF_NULL)
		return "externref";
	if (v.heap == 0)
		snprintf(buf, n, "(ref %s%u)",
			 v.code == CORE_VALTYPE_REF_NULL ? "null " : "", v.typeidx);
	else
		snprintf(buf, n, "(ref %s0x%02x)",
			 v.code == CORE_VALTYPE_REF_NULL ? "null " : "", v.heap);
	return buf;
}

/* "(i32, i32) -> (i32)" */
static void
core_functype_text(struct bin_writer *w, const struct core_type *t)
{
	char buf[48];
	bin_write_u8(w, '(');
	for (uint32_t i = 0; t && i < t->nparams; i++) {
		const char *s = core_valtype_text(t->params[i], buf, sizeof buf);
		if (i)
			bin_write_bytes(w, ", ", 2);
		bin_write_bytes(w, s, strlen(s));
	}
	bin_write_bytes(w, ") -> (", 6);
	for (uint32_t i = 0; t && i < t->nresults; i++) {
		const char *s = core_valtype_text(t->results[i], buf, sizeof buf);
		if (i)
			bin_write_bytes(w, ", ", 2);
		bin_write_bytes(w, s, strlen(s));
	}
	bin_write_u8(w, ')');
}

static uint32_t
core_import_typeidx(const struct core_module *m, const struct core_import *im)
{
	if (im->kind == CORE_EXTERN_FUNC)
		return core_func_typeidx(m, im->index);
	return CORE_NO_INDEX;
}

static void
core_section_summary(struct insp *x, const struct core_module *m)
{
	if (x->json) {
		json_key(&x->j, "sections");
		json_array_begin(&x->j);
	} else {
		out(x, "sections:\n");
	}
	for (uint32_t i = 0; i < m->nsections; i++) {
		const struct core_section *sec = &m->sections[i];
		size_t off = (size_t)(sec->start - m->base);
		size_t size = (size_t)(sec->end - sec->content);
		if (x->json) {
			json_object_begin(&x->j);
			json_kv_string(&x->j, "id", core_section_name(sec->id));
			if (sec->id == CORE_SEC_CUSTOM)
				json_name(&x->j, "name", sec->name);
			json_kv_uint(&x->j, "offset", off);
			json_kv_uint(&x->j, "size", size);
			if (sec->count_width)
				json_kv_uint(&x->j, "count", sec->count);
			json_object_end(&x->j);
			continue;
		}
		out(x, "  %-10s at 0x%zx, %zu bytes", core_section_name(sec->id),
		    off, size);
		if (sec->id == CORE_SEC_CUSTOM) {
			out(x, " ");
			out_quoted(x, sec->name);
		}
		if (sec->count_width)
			out(x, ", %u %s", sec->count,
			    sec->count == 1 ? "entry" : "entries");
		out(x, "\n");
	}
	if (x->json)
		json_array_end(&x->j);
}

static void
core_import_text(struct insp *x, const struct core_module *m,
		 const struct core_import *im)
{
	out(x, "  ");
	out_quoted(x, im->module);
	out(x, " ");
	out_quoted(x, im->name);
	out(x, ": %s", core_kind_name(im->kind));
	if (im->kind == CORE_EXTERN_FUNC) {
		out(x, " ");
		core_functype_text(x->w, core_type_at(m, core_import_typeidx(m, im)));
	}
	out(x, "\n");
}

static void
core_imports_exports(struct insp *x, const struct core_module *m)
{
	if (x->json) {
		json_key(&x->j, "imports");
		json_array_begin(&x->j);
		for (uint32_t i = 0; i < m->nimports; i++) {
			json_object_begin(&x->j);
			json_name(&x->j, "module", m->imports[i].module);
			json_name(&x->j, "name", m->imports[i].name);
			json_kv_string(&x->j, "kind", core_kind_name(m->imports[i].kind));
			json_object_end(&x->j);
		}
		json_array_end(&x->j);
		json_key(&x->j, "exports");
		json_array_begin(&x->j);
		for (uint32_t i = 0; i < m->nexports; i++) {
			json_object_begin(&x->j);
			json_name(&x->j, "name", m->exports[i].name);
			json_kv_string(&x->j, "kind", core_kind_name(m->exports[i].kind));
			json_kv_uint(&x->j, "index", m->exports[i].index);
			json_object_end(&x->j);
		}
		json_array_end(&x->j);
		return;
	}
	out(x, "imports (%u):\n", m->nimports);
	for (uint32_t i = 0; i < m->nimports; i++)
		core_import_text(x, m, &m->imports[i]);
	out(x, "exports (%u):\n", m->nexports);
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct core_export *e = &m->exports[i];
		out(x, "  ");
		out_quoted(x, e->name);
		out(x, ": %s %u", core_kind_name(e->kind), e->index);
		if (e->kind == CORE_EXTERN_FUNC) {
			out(x, " ");
			core_functype_text(x->w, core_func_type(m, e->index));
		}
		out(x, "\n");
	}
}

static enum meld_status
inspect_core(struct insp *x)
{
	struct core_module *m;
	enum meld_status st = core_read(&x->s->arena, &x->s->diag, x->in->name,
					x->in->bytes, x->in->bytes, x->in->len, &m);
	if (st != MELD_OK)
		return st;
	if (x->json) {
		json_object_begin(&x->j);
		json_kv_string(&x->j, "file", x->in->name);
		json_kv_string(&x->j, "format", "core module");
		json_kv_uint(&x->j, "version", 1);
		json_kv_uint(&x->j, "size", x->in->len);
	} else {
		out(x, "%s: core module (version 1), %zu bytes\n", x->in->name,
		    x->in->len);
	}
	core_section_summary(x, m);
	core_imports_exports(x, m);
	if (x->json)
		json_object_end(&x->j);
	return MELD_OK;
}

/* ---- components: the tree ------------------------------------------- */

static bool
sort_name(const struct comp_component *c, enum comp_space sp, uint32_t idx,
	  struct bin_name *out_name)
{
	for (uint32_t i = 0; i < c->names.nsorts; i++) {
		const struct comp_sort_names *sn = &c->names.sorts[i];
		if (sn->space != sp)
			continue;
		for (uint32_t k = 0; k < sn->nnames; k++) {
			if (sn->names[k].idx == idx) {
				*out_name = sn->names[k].name;
				return true;
			}
		}
	}
	return false;
}

/* ` "name"` after an item when the name section gives one. */
static void
text_item_name(struct insp *x, const struct comp_component *c,
	       enum comp_space sp, uint32_t idx)
{
	struct bin_name n;
	if (!sort_name(c, sp, idx, &n))
		return;
	out(x, " ");
	out_quoted(x, n);
}

static void
json_item_name(struct insp *x, const struct comp_component *c,
	       enum comp_space sp, uint32_t idx)
{
	struct bin_name n;
	json_key(&x->j, "name");
	if (sort_name(c, sp, idx, &n))
		json_string_n(&x->j, n.p, n.len);
	else
		json_null(&x->j);
}

static void
core_module_node(struct insp *x, const struct comp_component *c,
		 const struct comp_core_module *m, unsigned depth)
{
	const struct core_module *cm = m->module;
	if (x->json) {
		json_object_begin(&x->j);
		json_kv_uint(&x->j, "index", m->idx);
		json_item_name(x, c, COMP_SPACE_CORE_MODULE, m->idx);
		json_kv_uint(&x->j, "offset", m->offset);
		json_kv_uint(&x->j, "size", m->len);
		if (cm) {
			json_kv_uint(&x->j, "imports", cm->nimports);
			json_kv_uint(&x->j, "exports", cm->nexports);
		}
		json_object_end(&x->j);
		return;
	}
	out_indent(x, depth);
	out(x, "core module %u", m->idx);
	text_item_name(x, c, COMP_SPACE_CORE_MODULE, m->idx);
	out(x, ": %zu bytes at 0x%zx", m->len, m->offset);
	if (cm)
		out(x, ", %u imports, %u exports", cm->nimports, cm->nexports);
	out(x, "\n");
}

static void
text_sortidx(struct insp *x, struct comp_sortidx r)
{
	out(x, "%s %u", comp_space_name(r.space), r.idx);
}

static void
json_sortidx(struct insp *x, struct comp_sortidx r)
{
	json_kv_string(&x->j, "sort", comp_space_name(r.space));
	json_kv_uint(&x->j, "index", r.idx);
}

static void
args_json(struct insp *x, const struct comp_arg *args, uint32_t n)
{
	json_key(&x->j, "args");
	json_array_begin(&x->j);
	for (uint32_t i = 0; i < n; i++) {
		json_object_begin(&x->j);
		json_name(&x->j, "name", args[i].name);
		json_sortidx(x, args[i].ref);
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
}

static void
exports_json(struct insp *x, const struct comp_inline_export *e, uint32_t n)
{
	json_key(&x->j, "exports");
	json_array_begin(&x->j);
	for (uint32_t i = 0; i < n; i++) {
		json_object_begin(&x->j);
		json_name(&x->j, "name", e[i].name.name);
		json_sortidx(x, e[i].ref);
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
}

static void
args_text(struct insp *x, const struct comp_arg *args, uint32_t n,
	  unsigned depth)
{
	for (uint32_t i = 0; i < n; i++) {
		out_indent(x, depth + 1);
		out(x, "with ");
		out_quoted(x, args[i].name);
		out(x, ": ");
		text_sortidx(x, args[i].ref);
		out(x, "\n");
	}
}

static void
exports_text(struct insp *x, const struct comp_inline_export *e, uint32_t n,
	     unsigned depth)
{
	for (uint32_t i = 0; i < n; i++) {
		out_indent(x, depth + 1);
		out(x, "export ");
		out_quoted(x, e[i].name.name);
		out(x, ": ");
		text_sortidx(x, e[i].ref);
		out(x, "\n");
	}
}

static void
core_instance_node(struct insp *x, const struct comp_component *c,
		   const struct comp_core_instance *ci, unsigned depth)
{
	bool inst = ci->kind == COMP_INSTANCE_INSTANTIATE;
	if (x->json) {
		json_object_begin(&x->j);
		json_kv_uint(&x->j, "index", ci->idx);
		json_item_name(x, c, COMP_SPACE_CORE_INSTANCE, ci->idx);
		json_kv_string(&x->j, "kind", inst ? "instantiate" : "exports");
		if (inst) {
			json_kv_uint(&x->j, "module", ci->moduleidx);
			args_json(x, ci->args, ci->nargs);
		} else {
			exports_json(x, ci->exports, ci->nexports);
		}
		json_object_end(&x->j);
		return;
	}
	out_indent(x, depth);
	out(x, "core instance %u", ci->idx);
	text_item_name(x, c, COMP_SPACE_CORE_INSTANCE, ci->idx);
	if (inst) {
		out(x, ": instantiate core module %u\n", ci->moduleidx);
		args_text(x, ci->args, ci->nargs, depth);
	} else {
		out(x, ": %u exports\n", ci->nexports);
		exports_text(x, ci->exports, ci->nexports, depth);
	}
}

static void
instance_node(struct insp *x, const struct comp_component *c,
	      const struct comp_instance *in, unsigned depth)
{
	bool inst = in->kind == COMP_INSTANCE_INSTANTIATE;
	if (x->json) {
		json_object_begin(&x->j);
		json_kv_uint(&x->j, "index", in->idx);
		json_item_name(x, c, COMP_SPACE_INSTANCE, in->idx);
		json_kv_string(&x->j, "kind", inst ? "instantiate" : "exports");
		if (inst) {
			json_kv_uint(&x->j, "component", in->componentidx);
			args_json(x, in->args, in->nargs);
		} else {
			exports_json(x, in->exports, in->nexports);
		}
		json_object_end(&x->j);
		return;
	}
	out_indent(x, depth);
	out(x, "instance %u", in->idx);
	text_item_name(x, c, COMP_SPACE_INSTANCE, in->idx);
	if (inst) {
		out(x, ": instantiate component %u\n", in->componentidx);
		args_text(x, in->args, in->nargs, depth);
	} else {
		out(x, ": %u exports\n", in->nexports);
		exports_text(x, in->exports, in->nexports, depth);
	}
}

static const char *
extern_kind_name(enum comp_extern_kind k)
{
	switch (k) {
	case COMP_EXTERN_MODULE: return "core module";
	case COMP_EXTERN_FUNC: return "func";
	case COMP_EXTERN_VALUE: return "value";
	case COMP_EXTERN_TYPE: return "type";
	case COMP_EXTERN_COMPONENT: return "component";
	case COMP_EXTERN_INSTANCE: return "instance";
	}
	return "?";
}

static void component_node(struct insp *x, const struct comp_component *c,
			   uint32_t idx, const struct comp_component *parent,
			   unsigned depth);

static void
text_counts(struct insp *x, const struct comp_component *c, unsigned depth)
{
	out_indent(x, depth + 1);
	out(x, "%zu core modules, %zu core instances, %zu core types, "
	       "%zu components, %zu instances, %zu aliases, %zu types, "
	       "%zu canons, %zu imports, %zu exports\n",
	    c->ncore_modules, c->ncore_instances, c->ncore_types,
	    c->ncomponents, c->ninstances, c->naliases, c->ntypes, c->ncanons,
	    c->nimports, c->nexports);
}

static void
json_counts(struct insp *x, const struct comp_component *c)
{
	json_key(&x->j, "counts");
	json_object_begin(&x->j);
	json_kv_uint(&x->j, "core_types", c->ncore_types);
	json_kv_uint(&x->j, "imports", c->nimports);
	json_kv_uint(&x->j, "exports", c->nexports);
	json_kv_uint(&x->j, "aliases", c->naliases);
	json_kv_uint(&x->j, "types", c->ntypes);
	json_kv_uint(&x->j, "canons", c->ncanons);
	json_kv_uint(&x->j, "starts", c->nstarts);
	json_kv_uint(&x->j, "values", c->nvalues);
	json_object_end(&x->j);
}

static void text_import(struct insp *x, const struct comp_import *im,
			unsigned depth);
static void text_export(struct insp *x, const struct comp_export *ex,
			unsigned depth);

static void
def_node(struct insp *x, const struct comp_component *c,
	 const struct comp_def *d, unsigned depth)
{
	switch (d->kind) {
	case COMP_DEF_IMPORT:
		if (c->parent && !x->json)
			text_import(x, &c->imports[d->item], depth);
		return;
	case COMP_DEF_EXPORT:
		if (c->parent && !x->json)
			text_export(x, &c->exports[d->item], depth);
		return;
	case COMP_DEF_CORE_MODULE:
		core_module_node(x, c, &c->core_modules[d->item], depth);
		return;
	case COMP_DEF_CORE_INSTANCE:
		core_instance_node(x, c, &c->core_instances[d->item], depth);
		return;
	case COMP_DEF_COMPONENT:
		component_node(x, c->components[d->item], d->item, c, depth);
		return;
	case COMP_DEF_INSTANCE:
		instance_node(x, c, &c->instances[d->item], depth);
		return;
	default:
		return;
	}
}

/* The definitions of one kind, in binary order, as a JSON array. */
static void
json_defs(struct insp *x, const struct comp_component *c, const char *key,
	  enum comp_def_kind kind)
{
	json_key(&x->j, key);
	json_array_begin(&x->j);
	for (size_t i = 0; i < c->ndefs; i++) {
		if (c->defs[i].kind == kind)
			def_node(x, c, &c->defs[i], 0);
	}
	json_array_end(&x->j);
}

static void
json_extern_list(struct insp *x, const struct comp_component *c)
{
	json_key(&x->j, "imports");
	json_array_begin(&x->j);
	for (size_t i = 0; i < c->nimports; i++) {
		json_object_begin(&x->j);
		json_name(&x->j, "name", c->imports[i].name.name);
		json_kv_string(&x->j, "sort",
			       extern_kind_name(c->imports[i].ext.kind));
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
	json_key(&x->j, "exports");
	json_array_begin(&x->j);
	for (size_t i = 0; i < c->nexports; i++) {
		json_object_begin(&x->j);
		json_name(&x->j, "name", c->exports[i].name.name);
		json_sortidx(x, c->exports[i].ref);
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
}

static void
text_import(struct insp *x, const struct comp_import *im, unsigned depth)
{
	out_indent(x, depth);
	out(x, "import ");
	out_quoted(x, im->name.name);
	out(x, ": %s\n", extern_kind_name(im->ext.kind));
}

static void
text_export(struct insp *x, const struct comp_export *ex, unsigned depth)
{
	out_indent(x, depth);
	out(x, "export ");
	out_quoted(x, ex->name.name);
	out(x, ": ");
	text_sortidx(x, ex->ref);
	out(x, "\n");
}

static void
component_node(struct insp *x, const struct comp_component *c, uint32_t idx,
	       const struct comp_component *parent, unsigned depth)
{
	if (x->json) {
		json_object_begin(&x->j);
		if (parent) {
			json_kv_uint(&x->j, "index", idx);
			json_item_name(x, parent, COMP_SPACE_COMPONENT, idx);
		}
		json_kv_uint(&x->j, "offset", c->offset);
		json_kv_uint(&x->j, "size", c->len);
		json_defs(x, c, "core_modules", COMP_DEF_CORE_MODULE);
		json_defs(x, c, "core_instances", COMP_DEF_CORE_INSTANCE);
		json_defs(x, c, "components", COMP_DEF_COMPONENT);
		json_defs(x, c, "instances", COMP_DEF_INSTANCE);
		json_counts(x, c);
		if (parent)
			json_extern_list(x, c);
		json_object_end(&x->j);
		return;
	}
	out_indent(x, depth);
	if (parent) {
		out(x, "component %u", idx);
		text_item_name(x, parent, COMP_SPACE_COMPONENT, idx);
		out(x, ": %zu bytes at 0x%zx\n", c->len, c->offset);
	} else {
		out(x, "root component\n");
	}
	text_counts(x, c, depth);
	for (size_t i = 0; i < c->ndefs; i++)
		def_node(x, c, &c->defs[i], depth + 1);
}

/* ---- components: root imports and exports as WIT -------------------- */

/*
 * Type nodes one inspect may write.  Written out in full, a type that
 * uses another twice doubles: a small component can describe a type too
 * large to print.
 */
#define INSPECT_TYPE_NODES 100000

/* A WIT printer ran out of its budget: refuse rather than print. */
static enum meld_status
wit_refuse(struct insp *x, const struct wit_printer *p)
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
		return wit_refuse(x, &p);
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
	json_name(&x->j, "name", label);
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
		json_name(&x->j, "name", ex[i].name);
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

static enum meld_status
root_externs(struct insp *x, struct comp_scope *root)
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
			out(x, "\n%s (%zu):\n", imp ? "imports" : "exports", n);
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
				json_name(&x->j, "name", name);
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

static void
producers(struct insp *x, const struct comp_component *c)
{
	const struct comp_producers *p = &c->producers;
	if (x->json) {
		json_key(&x->j, "producers");
		json_object_begin(&x->j);
		for (uint32_t i = 0; i < p->nfields; i++) {
			json_key_n(&x->j, p->fields[i].name.p, p->fields[i].name.len);
			json_array_begin(&x->j);
			for (uint32_t k = 0; k < p->fields[i].nvalues; k++) {
				const struct comp_producer_value *v = &p->fields[i].values[k];
				json_object_begin(&x->j);
				json_name(&x->j, "name", v->name);
				json_name(&x->j, "version", v->version);
				json_object_end(&x->j);
			}
			json_array_end(&x->j);
		}
		json_object_end(&x->j);
		return;
	}
	if (!p->present)
		return;
	out(x, "\nproducers:\n");
	for (uint32_t i = 0; i < p->nfields; i++) {
		for (uint32_t k = 0; k < p->fields[i].nvalues; k++) {
			out(x, "  ");
			out_quoted(x, p->fields[i].name);
			out(x, ": ");
			out_quoted(x, p->fields[i].values[k].name);
			out(x, " ");
			out_quoted(x, p->fields[i].values[k].version);
			out(x, "\n");
		}
	}
}

/* Read every core module of c and its nested components (for counts). */
static enum meld_status
read_core_modules(struct insp *x, struct comp_component *c)
{
	for (size_t i = 0; i < c->ncore_modules; i++) {
		struct comp_core_module *m = &c->core_modules[i];
		if (m->module)
			continue;
		enum meld_status st =
			core_read(&x->s->arena, &x->s->diag, x->in->name,
				  x->in->bytes, m->bytes, m->len, &m->module);
		if (st != MELD_OK)
			return st;
	}
	for (size_t i = 0; i < c->ncomponents; i++) {
		enum meld_status st = read_core_modules(x, c->components[i]);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

static enum meld_status
inspect_component(struct insp *x, enum meld_inspect_format format)
{
	struct comp_component *c;
	enum meld_status st = comp_read(&x->s->arena, &x->s->diag, x->in->name,
					x->in->bytes, x->in->len, &c);
	if (st == MELD_OK)
		st = comp_validate(&x->s->arena, &x->s->diag, x->in->name, c);
	if (st == MELD_OK)
		st = read_core_modules(x, c);
	if (st != MELD_OK)
		return st;
	struct comp_scope_ctx sx;
	comp_scope_ctx_init(&sx, &x->s->arena);
	struct comp_scope *root = comp_scope_new_component(&sx, NULL, c);
	if (!root)
		return diag_fail(&x->s->diag, MELD_ENOMEM, x->in->name,
				 DIAG_NO_OFFSET, "out of memory");
	comp_scope_fill(root);
	if (format == MELD_INSPECT_WIT) {
		struct wit_printer p;
		wit_init(&p, x->w, &x->s->arena);
		p.max_nodes = INSPECT_TYPE_NODES;
		wit_print_world(&p, root);
		if (p.over_budget)
			st = wit_refuse(x, &p);
	} else if (x->json) {
		json_object_begin(&x->j);
		json_kv_string(&x->j, "file", x->in->name);
		json_kv_string(&x->j, "format", "component");
		json_kv_uint(&x->j, "version", 0x0d);
		json_kv_uint(&x->j, "layer", 1);
		json_kv_uint(&x->j, "size", x->in->len);
		json_key(&x->j, "root");
		component_node(x, c, 0, NULL, 0);
		st = root_externs(x, root);
		producers(x, c);
		json_object_end(&x->j);
	} else {
		out(x, "%s: component (version 0x0d, layer 1), %zu bytes\n\n",
		    x->in->name, x->in->len);
		component_node(x, c, 0, NULL, 0);
		st = root_externs(x, root);
		producers(x, c);
	}
	if (sx.oom)
		return diag_fail(&x->s->diag, MELD_ENOMEM, x->in->name,
				 DIAG_NO_OFFSET, "out of memory");
	return st;
}

enum meld_status
inspect_run(struct meld_session *s, const struct session_input *in,
	    enum meld_inspect_format format, const char **out_text)
{
	struct bin_writer w;
	struct insp x;
	memset(&x, 0, sizeof x);
	bin_writer_init(&w);
	x.s = s;
	x.in = in;
	x.w = &w;
	x.json = format == MELD_INSPECT_JSON;
	json_init(&x.j, &w);
	enum meld_status st;
	switch (comp_detect(in->bytes, in->len)) {
	case COMP_LAYER_COMPONENT:
		st = inspect_component(&x, format);
		break;
	case COMP_LAYER_CORE:
		if (format == MELD_INSPECT_WIT)
			st = diag_fail(&s->diag, MELD_EUSAGE, in->name, DIAG_NO_OFFSET,
				       "--wit needs a component; this is a core module");
		else
			st = inspect_core(&x);
		break;
	default:
		st = diag_fail(&s->diag, MELD_EMALFORMED, in->name, 0,
			       "not a WebAssembly component or module (bad magic, version or layer)");
		break;
	}
	if (st == MELD_OK && w.err != MELD_OK)
		st = diag_fail(&s->diag, w.err, in->name, DIAG_NO_OFFSET,
			       "out of memory");
	char *text = NULL;
	if (st == MELD_OK) {
		text = arena_alloc(&s->arena, w.len + 1);
		if (!text)
			st = diag_fail(&s->diag, MELD_ENOMEM, in->name,
				       DIAG_NO_OFFSET, "out of memory");
	}
	if (st == MELD_OK) {
		if (w.len)
			memcpy(text, w.buf, w.len);
		text[w.len] = 0;
		s->text = text;
		*out_text = text;
	}
	bin_writer_clear(&w);
	return st;
}
