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
 *
 * This file: the component tree and the entry point; core modules are in
 * inspect_core.c, the root's imports and exports in inspect_externs.c.
 */
#include "inspect_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
inspect_out(struct insp *x, const char *f, ...)
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

void
inspect_out_indent(struct insp *x, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		bin_write_bytes(x->w, "  ", 2);
}

void
inspect_out_quoted(struct insp *x, struct bin_name n)
{
	bin_write_u8(x->w, '"');
	for (uint32_t i = 0; i < n.len; i++) {
		uint8_t c = n.p[i];
		if (c == '"' || c == '\\')
			inspect_out(x, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			inspect_out(x, "\\%02x", c);
		else
			bin_write_u8(x->w, c);
	}
	bin_write_u8(x->w, '"');
}

void
inspect_json_name(struct json *j, const char *key, struct bin_name n)
{
	json_key(j, key);
	json_string_n(j, n.p, n.len);
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
	inspect_out(x, " ");
	inspect_out_quoted(x, n);
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
	inspect_out_indent(x, depth);
	inspect_out(x, "core module %u", m->idx);
	text_item_name(x, c, COMP_SPACE_CORE_MODULE, m->idx);
	inspect_out(x, ": %zu bytes at 0x%zx", m->len, m->offset);
	if (cm)
		inspect_out(x, ", %u imports, %u exports", cm->nimports, cm->nexports);
	inspect_out(x, "\n");
}

static void
text_sortidx(struct insp *x, struct comp_sortidx r)
{
	inspect_out(x, "%s %u", comp_space_name(r.space), r.idx);
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
		inspect_json_name(&x->j, "name", args[i].name);
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
		inspect_json_name(&x->j, "name", e[i].name.name);
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
		inspect_out_indent(x, depth + 1);
		inspect_out(x, "with ");
		inspect_out_quoted(x, args[i].name);
		inspect_out(x, ": ");
		text_sortidx(x, args[i].ref);
		inspect_out(x, "\n");
	}
}

static void
exports_text(struct insp *x, const struct comp_inline_export *e, uint32_t n,
	     unsigned depth)
{
	for (uint32_t i = 0; i < n; i++) {
		inspect_out_indent(x, depth + 1);
		inspect_out(x, "export ");
		inspect_out_quoted(x, e[i].name.name);
		inspect_out(x, ": ");
		text_sortidx(x, e[i].ref);
		inspect_out(x, "\n");
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
	inspect_out_indent(x, depth);
	inspect_out(x, "core instance %u", ci->idx);
	text_item_name(x, c, COMP_SPACE_CORE_INSTANCE, ci->idx);
	if (inst) {
		inspect_out(x, ": instantiate core module %u\n", ci->moduleidx);
		args_text(x, ci->args, ci->nargs, depth);
	} else {
		inspect_out(x, ": %u exports\n", ci->nexports);
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
	inspect_out_indent(x, depth);
	inspect_out(x, "instance %u", in->idx);
	text_item_name(x, c, COMP_SPACE_INSTANCE, in->idx);
	if (inst) {
		inspect_out(x, ": instantiate component %u\n", in->componentidx);
		args_text(x, in->args, in->nargs, depth);
	} else {
		inspect_out(x, ": %u exports\n", in->nexports);
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
	inspect_out_indent(x, depth + 1);
	inspect_out(x, "%zu core modules, %zu core instances, %zu core types, "
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
		inspect_json_name(&x->j, "name", c->imports[i].name.name);
		json_kv_string(&x->j, "sort",
			       extern_kind_name(c->imports[i].ext.kind));
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
	json_key(&x->j, "exports");
	json_array_begin(&x->j);
	for (size_t i = 0; i < c->nexports; i++) {
		json_object_begin(&x->j);
		inspect_json_name(&x->j, "name", c->exports[i].name.name);
		json_sortidx(x, c->exports[i].ref);
		json_object_end(&x->j);
	}
	json_array_end(&x->j);
}

static void
text_import(struct insp *x, const struct comp_import *im, unsigned depth)
{
	inspect_out_indent(x, depth);
	inspect_out(x, "import ");
	inspect_out_quoted(x, im->name.name);
	inspect_out(x, ": %s\n", extern_kind_name(im->ext.kind));
}

static void
text_export(struct insp *x, const struct comp_export *ex, unsigned depth)
{
	inspect_out_indent(x, depth);
	inspect_out(x, "export ");
	inspect_out_quoted(x, ex->name.name);
	inspect_out(x, ": ");
	text_sortidx(x, ex->ref);
	inspect_out(x, "\n");
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
	inspect_out_indent(x, depth);
	if (parent) {
		inspect_out(x, "component %u", idx);
		text_item_name(x, parent, COMP_SPACE_COMPONENT, idx);
		inspect_out(x, ": %zu bytes at 0x%zx\n", c->len, c->offset);
	} else {
		inspect_out(x, "root component\n");
	}
	text_counts(x, c, depth);
	for (size_t i = 0; i < c->ndefs; i++)
		def_node(x, c, &c->defs[i], depth + 1);
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
				inspect_json_name(&x->j, "name", v->name);
				inspect_json_name(&x->j, "version", v->version);
				json_object_end(&x->j);
			}
			json_array_end(&x->j);
		}
		json_object_end(&x->j);
		return;
	}
	if (!p->present)
		return;
	inspect_out(x, "\nproducers:\n");
	for (uint32_t i = 0; i < p->nfields; i++) {
		for (uint32_t k = 0; k < p->fields[i].nvalues; k++) {
			inspect_out(x, "  ");
			inspect_out_quoted(x, p->fields[i].name);
			inspect_out(x, ": ");
			inspect_out_quoted(x, p->fields[i].values[k].name);
			inspect_out(x, " ");
			inspect_out_quoted(x, p->fields[i].values[k].version);
			inspect_out(x, "\n");
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
			st = inspect_wit_refuse(x, &p);
	} else if (x->json) {
		json_object_begin(&x->j);
		json_kv_string(&x->j, "file", x->in->name);
		json_kv_string(&x->j, "format", "component");
		json_kv_uint(&x->j, "version", 0x0d);
		json_kv_uint(&x->j, "layer", 1);
		json_kv_uint(&x->j, "size", x->in->len);
		json_key(&x->j, "root");
		component_node(x, c, 0, NULL, 0);
		st = inspect_root_externs(x, root);
		producers(x, c);
		json_object_end(&x->j);
	} else {
		inspect_out(x, "%s: component (version 0x0d, layer 1), %zu bytes\n\n",
		    x->in->name, x->in->len);
		component_node(x, c, 0, NULL, 0);
		st = inspect_root_externs(x, root);
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
