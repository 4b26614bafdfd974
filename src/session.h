/* session: the state behind the public API: arena, diagnostic, inputs. */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "common.h"
#include "meld.h"

struct session_input {
	const char *name;
	const uint8_t *bytes;
	size_t len;
};

struct meld_session {
	struct arena arena;
	struct diag diag;
	struct session_input *inputs;
	size_t ninputs, inputs_cap;
	const char *text;      /* last inspect/report text (arena) */
	uint8_t *output;       /* last fused output (heap) */
	size_t output_len;
};

#endif
