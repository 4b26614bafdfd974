/*
 * wasm_harness: what the unit tests that build and run core modules share:
 * a writer for a small test module (one type per function, memories,
 * zeroed mutable globals, exports, passive data), a temp-file saver and
 * the wabt runners (wasm-validate, wasm-interp).  Without wabt the
 * execution steps are skipped with one message per test file.
 */
#ifndef WASM_HARNESS_H
#define WASM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapt_gen.h"
#include "bin_write.h"

struct wasm_harness_func {
	struct adapt_gen_functype type;
	const uint8_t *code; /* a code-section entry */
	size_t code_size;
	const char *export; /* or NULL */
};

struct wasm_harness_module {
	const struct wasm_harness_func *f;
	uint32_t nf;
	const uint32_t *mem_pages; /* the minimum of each memory */
	uint32_t nmem;
	const uint8_t *globals; /* the value type of each global */
	uint32_t nglobals;
	const uint8_t *const *seg; /* passive data segments */
	const uint32_t *seg_len;
	uint32_t nseg;
};

/* Section id with content s appended to w; s is emptied for reuse. */
void wasm_harness_section(struct bin_writer *w, uint8_t id,
			  struct bin_writer *s);
/* The whole module into w (initialised here; the caller clears it). */
void wasm_harness_write(const struct wasm_harness_module *m,
			struct bin_writer *w);
/* Write w to a fresh /tmp/meld-<tag>-XXXXXX; path receives its name. */
bool wasm_harness_save(const struct bin_writer *w, const char *tag,
		       char *path, size_t cap);
/* Run a shell command, its output into out (NUL-terminated); returns its
 * exit status. */
int wasm_harness_tool(const char *cmd, char *out, size_t cap);
/* Both wasm-validate and wasm-interp are installed; says once, naming
 * who, when not. */
bool wasm_harness_have_wabt(const char *who);
/* Save module w, wasm-validate --enable-all it, run every export with
 * wasm-interp --enable-all (each step CHECKed; what names the module in
 * messages); returns the interpreter's output (the caller frees it) or
 * NULL when it did not run.  MELD_KEEP_WASM keeps the file. */
char *wasm_harness_execute(const struct bin_writer *w, const char *tag,
			   const char *what);

#endif
