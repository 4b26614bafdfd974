/*
 * fuzz_component: libFuzzer target for the component reader, validation
 * and `meld inspect` (text, JSON and WIT).  Any input must be read or
 * refused with a diagnostic: no crash, no hang, no leak.
 *   make fuzz && tests/fuzz/run.sh fuzz_component [SECONDS]
 * run.sh seeds it with the corpus' components and the component suite's
 * .wast cases.  Crashes it finds become cases in tests/unit/test_comp.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "comp.h"
#include "diag.h"
#include "meld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct diag d;
	struct comp_component *c = NULL;
	arena_init(&a);
	diag_init(&d);
	enum meld_status st = comp_read(&a, &d, "fuzz", data, size, &c);
	if (st == MELD_OK)
		st = comp_validate(&a, &d, "fuzz", c);
	/* a refusal is one diagnostic naming the input */
	const char *text = diag_text(&d);
	if (st != MELD_OK && (!text || strncmp(text, "fuzz", 4) != 0))
		abort();
	arena_clear(&a);
	if (st != MELD_OK)
		return 0;
	for (int f = MELD_INSPECT_TEXT; f <= MELD_INSPECT_WIT; f++) {
		struct meld_session *s = meld_session_create();
		const char *text;
		if (!s)
			return 0;
		if (meld_add_input(s, "fuzz", data, size) == MELD_OK &&
		    meld_inspect(s, 0, (enum meld_inspect_format)f, &text) == MELD_OK)
			(void)strlen(text);
		meld_session_destroy(s);
	}
	return 0;
}
