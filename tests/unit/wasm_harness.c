/*
 * wasm_harness: the test-module writer and the wabt runners shared by
 * test_adapt_gen, test_rtab and test_cgen (core spec 5.5, binary format:
 * the sections are written in their required order, 1 3 5 6 7 12 10 11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "wasm_harness.h"

void
wasm_harness_section(struct bin_writer *w, uint8_t id, struct bin_writer *s)
{
	bin_write_u8(w, id);
	bin_write_u32(w, (uint32_t)s->len);
	bin_write_bytes(w, s->buf, s->len);
	bin_writer_clear(s);
}

static void
write_types(const struct wasm_harness_module *m, struct bin_writer *s)
{
	bin_write_u32(s, m->nf); /* one type per function: simple */
	for (uint32_t i = 0; i < m->nf; i++) {
		const struct adapt_gen_functype *t = &m->f[i].type;
		bin_write_u8(s, 0x60);
		bin_write_u32(s, t->nparams);
		bin_write_bytes(s, t->params, t->nparams);
		bin_write_u32(s, t->nresults);
		bin_write_bytes(s, t->results, t->nresults);
	}
}

static void
write_globals(const struct wasm_harness_module *m, struct bin_writer *s)
{
	bin_write_u32(s, m->nglobals);
	for (uint32_t i = 0; i < m->nglobals; i++) {
		bool wide = m->globals[i] == 0x7e;
		bin_write_u8(s, m->globals[i]);
		bin_write_u8(s, 1); /* mutable */
		bin_write_u8(s, wide ? 0x42 : 0x41);
		bin_write_u8(s, 0);
		bin_write_u8(s, 0x0b);
	}
}

static void
write_exports(const struct wasm_harness_module *m, struct bin_writer *s)
{
	uint32_t nexp = 0;
	for (uint32_t i = 0; i < m->nf; i++)
		nexp += m->f[i].export != NULL;
	bin_write_u32(s, nexp);
	for (uint32_t i = 0; i < m->nf; i++) {
		if (!m->f[i].export)
			continue;
		bin_write_name(s, (const uint8_t *)m->f[i].export,
			       strlen(m->f[i].export));
		bin_write_u8(s, 0);
		bin_write_u32(s, i);
	}
}

static void
write_data(const struct wasm_harness_module *m, struct bin_writer *s)
{
	bin_write_u32(s, m->nseg);
	for (uint32_t i = 0; i < m->nseg; i++) {
		bin_write_u8(s, 1);
		bin_write_u32(s, m->seg_len[i]);
		bin_write_bytes(s, m->seg[i], m->seg_len[i]);
	}
}

void
wasm_harness_write(const struct wasm_harness_module *m, struct bin_writer *w)
{
	struct bin_writer s;
	bin_writer_init(w);
	bin_writer_init(&s);
	bin_write_bytes(w, "\0asm\1\0\0\0", 8);
	write_types(m, &s);
	wasm_harness_section(w, 1, &s);
	bin_write_u32(&s, m->nf);
	for (uint32_t i = 0; i < m->nf; i++)
		bin_write_u32(&s, i);
	wasm_harness_section(w, 3, &s);
	bin_write_u32(&s, m->nmem);
	for (uint32_t i = 0; i < m->nmem; i++) {
		bin_write_u8(&s, 0);
		bin_write_u32(&s, m->mem_pages[i]);
	}
	wasm_harness_section(w, 5, &s);
	write_globals(m, &s);
	wasm_harness_section(w, 6, &s);
	write_exports(m, &s);
	wasm_harness_section(w, 7, &s);
	bin_write_u32(&s, m->nseg);
	wasm_harness_section(w, 12, &s);
	bin_write_u32(&s, m->nf);
	for (uint32_t i = 0; i < m->nf; i++)
		bin_write_bytes(&s, m->f[i].code, m->f[i].code_size);
	wasm_harness_section(w, 10, &s);
	write_data(m, &s);
	wasm_harness_section(w, 11, &s);
}

bool
wasm_harness_save(const struct bin_writer *w, const char *tag, char *path,
		  size_t cap)
{
	snprintf(path, cap, "/tmp/meld-%s-XXXXXX", tag);
	int fd = mkstemp(path);
	bool ok = fd >= 0 && w->err == MELD_OK &&
		  write(fd, w->buf, w->len) == (ssize_t)w->len;
	if (fd >= 0)
		close(fd);
	return ok;
}

int
wasm_harness_tool(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	return pclose(p);
}

bool
wasm_harness_have_wabt(const char *who)
{
	static int state; /* 0 unknown, 1 yes, 2 no */
	static const char *told;
	if (state == 0)
		state = system("command -v wasm-validate >/dev/null 2>&1 && "
			       "command -v wasm-interp >/dev/null 2>&1") == 0
				? 1
				: 2;
	if (state == 2 && told != who) {
		printf("  %s: skipping execution: wabt is not installed\n",
		       who);
		told = who;
	}
	return state == 1;
}

char *
wasm_harness_execute(const struct bin_writer *w, const char *tag,
		     const char *what)
{
	char path[64], cmd[256];
	bool ran = false;
	CHECK(wasm_harness_save(w, tag, path, sizeof path));
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	snprintf(cmd, sizeof cmd, "wasm-validate --enable-all %s 2>&1", path);
	int st = out ? wasm_harness_tool(cmd, out, cap) : -1;
	if (st != 0 && out)
		printf("  %s: wasm-validate: %s", what, out);
	CHECK(st == 0);
	if (st == 0) {
		snprintf(cmd, sizeof cmd,
			 "wasm-interp --enable-all --run-all-exports %s 2>&1",
			 path);
		st = wasm_harness_tool(cmd, out, cap);
		CHECK(st == 0);
		ran = true;
	}
	if (getenv("MELD_KEEP_WASM"))
		printf("  %s: kept %s\n", what, path);
	else
		unlink(path);
	if (!ran) {
		free(out);
		return NULL;
	}
	return out;
}
