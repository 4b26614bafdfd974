/*
 * inspect_core: `meld inspect` of a core module (core spec 3.0, 5.5
 * "Modules"): its sections with their sizes and counts, then its imports
 * and exports with their types, as text or JSON.
 */
#include "inspect_impl.h"

#include <stdio.h>
#include <string.h>

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
		inspect_out(x, "sections:\n");
	}
	for (uint32_t i = 0; i < m->nsections; i++) {
		const struct core_section *sec = &m->sections[i];
		size_t off = (size_t)(sec->start - m->base);
		size_t size = (size_t)(sec->end - sec->content);
		if (x->json) {
			json_object_begin(&x->j);
			json_kv_string(&x->j, "id", core_section_name(sec->id));
			if (sec->id == CORE_SEC_CUSTOM)
				inspect_json_name(&x->j, "name", sec->name);
			json_kv_uint(&x->j, "offset", off);
			json_kv_uint(&x->j, "size", size);
			if (sec->count_width)
				json_kv_uint(&x->j, "count", sec->count);
			json_object_end(&x->j);
			continue;
		}
		inspect_out(x, "  %-10s at 0x%zx, %zu bytes", core_section_name(sec->id),
		    off, size);
		if (sec->id == CORE_SEC_CUSTOM) {
			inspect_out(x, " ");
			inspect_out_quoted(x, sec->name);
		}
		if (sec->count_width)
			inspect_out(x, ", %u %s", sec->count,
			    sec->count == 1 ? "entry" : "entries");
		inspect_out(x, "\n");
	}
	if (x->json)
		json_array_end(&x->j);
}

static void
core_import_text(struct insp *x, const struct core_module *m,
		 const struct core_import *im)
{
	inspect_out(x, "  ");
	inspect_out_quoted(x, im->module);
	inspect_out(x, " ");
	inspect_out_quoted(x, im->name);
	inspect_out(x, ": %s", core_kind_name(im->kind));
	if (im->kind == CORE_EXTERN_FUNC) {
		inspect_out(x, " ");
		core_functype_text(x->w, core_type_at(m, core_import_typeidx(m, im)));
	}
	inspect_out(x, "\n");
}

static void
core_imports_exports(struct insp *x, const struct core_module *m)
{
	if (x->json) {
		json_key(&x->j, "imports");
		json_array_begin(&x->j);
		for (uint32_t i = 0; i < m->nimports; i++) {
			json_object_begin(&x->j);
			inspect_json_name(&x->j, "module", m->imports[i].module);
			inspect_json_name(&x->j, "name", m->imports[i].name);
			json_kv_string(&x->j, "kind", core_kind_name(m->imports[i].kind));
			json_object_end(&x->j);
		}
		json_array_end(&x->j);
		json_key(&x->j, "exports");
		json_array_begin(&x->j);
		for (uint32_t i = 0; i < m->nexports; i++) {
			json_object_begin(&x->j);
			inspect_json_name(&x->j, "name", m->exports[i].name);
			json_kv_string(&x->j, "kind", core_kind_name(m->exports[i].kind));
			json_kv_uint(&x->j, "index", m->exports[i].index);
			json_object_end(&x->j);
		}
		json_array_end(&x->j);
		return;
	}
	inspect_out(x, "imports (%u):\n", m->nimports);
	for (uint32_t i = 0; i < m->nimports; i++)
		core_import_text(x, m, &m->imports[i]);
	inspect_out(x, "exports (%u):\n", m->nexports);
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct core_export *e = &m->exports[i];
		inspect_out(x, "  ");
		inspect_out_quoted(x, e->name);
		inspect_out(x, ": %s %u", core_kind_name(e->kind), e->index);
		if (e->kind == CORE_EXTERN_FUNC) {
			inspect_out(x, " ");
			core_functype_text(x->w, core_func_type(m, e->index));
		}
		inspect_out(x, "\n");
	}
}

enum meld_status
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
		inspect_out(x, "%s: core module (version 1), %zu bytes\n", x->in->name,
		    x->in->len);
	}
	core_section_summary(x, m);
	core_imports_exports(x, m);
	if (x->json)
		json_object_end(&x->j);
	return MELD_OK;
}
