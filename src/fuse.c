/*
 * fuse: the pipeline, one pass after another (ARCHITECTURE.md):
 *
 *   read         bytes → component IR (comp_read, comp_validate)
 *   instantiate  IR → instance graph (inst_run)
 *   shims        wit-component trampolines → direct references
 *   plan         instance graph → fused index spaces, adapter decisions
 *   emit         plan → fused module bytes (adapters generated on the way)
 *   wrap         --component: that module inside a component (wrap.c)
 *   report       --stats / --explain text
 *
 * Each pass reads the previous passes' results and adds its own; the
 * first failure stops the pipeline with the session's diagnostic set.
 */
#include "fuse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapt.h"
#include "comp.h"
#include "emit.h"
#include "inst.h"
#include "plan.h"
#include "wrap.h"

struct fusion {
	struct meld_session *s;
	const struct meld_fuse_options *opts;
	struct inst_input *inputs;
	struct inst_graph graph;
	uint32_t trampolines;
	struct plan plan;
	struct bin_writer out;
	double seconds[6];
};

/* ---- passes --------------------------------------------------------- */

static enum meld_status
pass_options(struct fusion *f)
{
	struct diag *d = &f->s->diag;
	if (f->opts->memory != MELD_MEMORY_MULTI)
		return diag_fail(d, MELD_EUNSUPPORTED, NULL, DIAG_NO_OFFSET,
				 "--memory shared is not implemented yet; "
				 "use --memory multi (one memory per "
				 "original memory)");
	return MELD_OK;
}

static enum meld_status
pass_read(struct fusion *f)
{
	struct meld_session *s = f->s;
	f->inputs = arena_alloc_array(&s->arena, s->ninputs, sizeof *f->inputs);
	if (!f->inputs)
		return diag_fail(&s->diag, MELD_ENOMEM, NULL, DIAG_NO_OFFSET,
				 "out of memory");
	for (size_t i = 0; i < s->ninputs; i++) {
		const struct session_input *in = &s->inputs[i];
		switch (comp_detect(in->bytes, in->len)) {
		case COMP_LAYER_CORE:
			return diag_fail(&s->diag, MELD_EUNSUPPORTED, in->name,
					 0,
					 "this is a core module, not a "
					 "component: meld fuse takes "
					 "components");
		case COMP_LAYER_UNKNOWN:
			return diag_fail(&s->diag, MELD_EMALFORMED, in->name,
					 0,
					 "not a WebAssembly component (bad "
					 "magic, version or layer)");
		default:
			break;
		}
		f->inputs[i].name = in->name;
		enum meld_status st = comp_read(&s->arena, &s->diag, in->name,
						in->bytes, in->len,
						&f->inputs[i].comp);
		if (st == MELD_OK)
			st = comp_validate(&s->arena, &s->diag, in->name,
					   f->inputs[i].comp);
		if (st != MELD_OK)
			return st;
	}
	return MELD_OK;
}

static enum meld_status
pass_instantiate(struct fusion *f)
{
	return inst_run(&f->s->arena, &f->s->diag, f->inputs, f->s->ninputs,
			&f->graph);
}

static enum meld_status
pass_shims(struct fusion *f)
{
	return inst_resolve_shims(&f->s->arena, &f->s->diag, &f->graph,
				  &f->trampolines);
}

static enum meld_status
pass_plan(struct fusion *f)
{
	return plan_build(&f->s->arena, &f->s->diag, &f->graph,
			  f->opts->component || f->opts->host_resources,
			  &f->plan);
}

static enum meld_status
pass_emit(struct fusion *f)
{
	/*
	 * The output is about the size of the inputs: reserve that once
	 * rather than grow by doubling (each step a copy and fresh pages).
	 */
	size_t total = 0;
	for (size_t i = 0; i < f->s->ninputs; i++)
		total += f->s->inputs[i].len;
	core_write_reserve(&f->out, total + total / 8 + 4096);
	return emit_module(&f->s->arena, &f->s->diag, &f->plan, &f->out);
}

/* --component: the fused module inside a component (wrap.c). */
static enum meld_status
pass_wrap(struct fusion *f)
{
	if (!f->opts->component || f->out.err != MELD_OK)
		return MELD_OK;
	struct bin_writer comp;
	bin_writer_init(&comp);
	enum meld_status st =
		wrap_component(&f->s->arena, &f->s->diag, f->inputs,
			       f->s->ninputs, &f->plan, f->out.buf, f->out.len, &comp);
	bin_writer_clear(&f->out);
	f->out = comp;
	return st;
}

/* ---- the report ----------------------------------------------------- */

static void
say(struct bin_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
say(struct bin_writer *w, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		bin_write_bytes(w, buf, (size_t)n < sizeof buf
						? (size_t)n
						: sizeof buf - 1);
}

static void
explain(struct fusion *f, struct bin_writer *w)
{
	const struct plan *p = &f->plan;
	const struct inst_graph *g = &f->graph;
	char tb[256];
	for (size_t i = 0; i < g->nlowers; i++) {
		const struct inst_lower *l = g->lowers[i];
		const struct plan_site *site = &p->sites[i];
		if (site->kind == PLAN_SITE_NONE ||
		    site->kind == PLAN_SITE_IMPORT)
			continue;
		size_t size = site->kind == PLAN_SITE_ADAPTER
				      ? p->adapters[site->adapter].code_size
				      : 0;
		say(w, "adapter site %zu: %s -> %s: \"%s\" %s: %s, %zu "
		       "bytes of code%s\n",
		    i, inst_comp_name(g, l->comp),
		    inst_comp_name(g, l->func->comp),
		    l->func->name ? l->func->name : "(unnamed)",
		    vtype_func_print(l->func->type, tb, sizeof tb),
		    adapt_strategy_name(site->kind), size,
		    site->guard != UINT32_MAX ? ", behind a reentrance guard"
					      : "");
	}
	for (size_t i = 0; i < p->nimports; i++) {
		const struct plan_import *im = &p->imports[i];
		say(w, "import %zu: \"%s\" \"%s\"%s%s\n", i, im->module,
		    im->field, im->lower ? " lowered by " : "",
		    im->lower ? inst_comp_name(g, im->lower->comp) : "");
	}
}

static void
stats(struct fusion *f, struct bin_writer *w)
{
	const struct plan *p = &f->plan;
	const struct inst_graph *g = &f->graph;
	static const char *const names[] = {"read", "instantiate", "shims",
					    "plan", "emit"};
	say(w, "inputs: %zu\n", f->s->ninputs);
	say(w, "component instances: %zu\n", g->ncomps);
	say(w, "core instances: %zu (%zu distinct modules)\n", g->ncores,
	    p->ntmods);
	say(w, "functions: %u (%zu imported, %zu adapters)\n",
	    p->total[CORE_SPACE_FUNC], p->nimports, p->nadapters);
	say(w, "adapter sites: %u direct, %zu adapters\n", p->ndirect,
	    p->nadapters);
	say(w, "trampolines resolved: %u\n", f->trampolines);
	say(w, "reentrance flags: %u (%zu guards)\n", p->nflags, p->nguards);
	say(w, "memories: %u, tables: %u, globals: %u, types: %u\n",
	    p->total[CORE_SPACE_MEMORY], p->total[CORE_SPACE_TABLE],
	    p->total[CORE_SPACE_GLOBAL], p->total[CORE_SPACE_TYPE]);
	say(w, "exports: %zu, imports: %zu\n", p->nexports, p->nimports);
	say(w, "output: %zu bytes\n", f->out.len);
	for (int i = 0; i < 5; i++)
		say(w, "time %s: %.3f ms\n", names[i], f->seconds[i] * 1000);
}

static enum meld_status
pass_report(struct fusion *f, const char **report)
{
	struct bin_writer w;
	bin_writer_init(&w);
	if (f->opts->stats)
		stats(f, &w);
	if (f->opts->explain)
		explain(f, &w);
	bin_write_u8(&w, 0);
	enum meld_status st = w.err;
	char *text = st == MELD_OK ? arena_dup(&f->s->arena, w.buf, w.len)
				   : NULL;
	bin_writer_clear(&w);
	if (!text)
		return diag_fail(&f->s->diag, MELD_ENOMEM, NULL,
				 DIAG_NO_OFFSET, "out of memory");
	*report = text;
	return MELD_OK;
}

/* ---- the pipeline --------------------------------------------------- */

enum meld_status
fuse_run(struct meld_session *s, const struct meld_fuse_options *opts,
	 const uint8_t **out, size_t *out_len, const char **report)
{
	static enum meld_status (*const passes[])(struct fusion *) = {
		pass_read, pass_instantiate, pass_shims, pass_plan, pass_emit,
		pass_wrap,
	};
	struct fusion f;
	memset(&f, 0, sizeof f);
	f.s = s;
	f.opts = opts;
	bin_writer_init(&f.out);
	enum meld_status st = pass_options(&f);
	for (size_t i = 0; st == MELD_OK && i < 6; i++) {
		clock_t t0 = clock();
		st = passes[i](&f);
		f.seconds[i] = (double)(clock() - t0) / CLOCKS_PER_SEC;
	}
	if (st == MELD_OK && f.out.err != MELD_OK)
		st = diag_fail(&s->diag, f.out.err, NULL, DIAG_NO_OFFSET,
			       "cannot write the output");
	if (st == MELD_OK && report)
		st = pass_report(&f, report);
	if (st != MELD_OK) {
		bin_writer_clear(&f.out);
		return st;
	}
	free(s->output);
	s->output = bin_writer_take(&f.out, &s->output_len);
	*out = s->output;
	*out_len = s->output_len;
	return MELD_OK;
}
