/*
 * fuzz_fuse: libFuzzer target for the whole fusion pipeline (read,
 * validate, instantiate, plan with its adapters and helpers, emit) on
 * arbitrary bytes.  Any input must fuse or be refused with a diagnostic:
 * no crash, no hang, no leak.  A fused output must read back as a core
 * module, and fusing the same input again must give the same bytes.
 *   make fuzz && build/fuzz/fuzz_fuse -max_len=65536 CORPUS_DIR SEED_DIR
 * Seed it with compositions: the .wasm files under build/fuse-tests and
 * build/wast/local/tests/fuse (tests/suite-fuse.sh makes them) and the
 * split spec tests under build/wast/component-model.  Crashes it finds
 * go to tests/data/crashes-fuse/, which tests/suite-fuse.sh runs.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "core_module.h"
#include "diag.h"
#include "meld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuse data alone; the output copied to *out (malloc'd), or NULL. */
static enum meld_status
fuse_once(const uint8_t *data, size_t size, uint8_t **out, size_t *out_len)
{
	struct meld_fuse_options o = {MELD_MEMORY_MULTI, 0, 1, 1};
	struct meld_session *s = meld_session_create();
	const uint8_t *bytes;
	const char *report;
	*out = NULL;
	if (!s)
		return MELD_ENOMEM;
	enum meld_status st = meld_add_input(s, "fuzz", data, size);
	if (st == MELD_OK)
		st = meld_fuse(s, &o, &bytes, out_len, &report);
	if (st == MELD_OK) {
		(void)strlen(report);
		*out = malloc(*out_len ? *out_len : 1);
		if (*out)
			memcpy(*out, bytes, *out_len);
	} else if (!meld_session_error(s)[0]) {
		abort(); /* a refusal without a diagnostic */
	}
	meld_session_destroy(s);
	return st;
}

/* The output is a core module the reader takes. */
static void
check_output(const uint8_t *bytes, size_t len)
{
	struct arena a;
	struct diag d;
	struct core_module *m;
	arena_init(&a);
	diag_init(&d);
	if (core_read(&a, &d, "fused", bytes, bytes, len, &m) != MELD_OK)
		abort();
	arena_clear(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *first, *second;
	size_t first_len, second_len;
	if (fuse_once(data, size, &first, &first_len) != MELD_OK || !first)
		return 0;
	check_output(first, first_len);
	if (fuse_once(data, size, &second, &second_len) == MELD_OK &&
	    second &&
	    (second_len != first_len || memcmp(first, second, first_len)))
		abort();
	free(first);
	free(second);
	return 0;
}
