/* diag: the one diagnostic of a session; the first error wins. */
#ifndef DIAG_H
#define DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "meld.h"

#define DIAG_NO_OFFSET ((size_t)-1)

struct diag {
	enum meld_status status;
	const char *input;     /* input name, or NULL */
	size_t offset;         /* byte offset in that input, or DIAG_NO_OFFSET */
	char msg[512];
	char formatted[768];
};

void diag_init(struct diag *d);

/*
 * Record an error unless one is already recorded; always returns `st` so a
 * caller can write `return diag_fail(...)`.
 */
enum meld_status diag_fail(struct diag *d, enum meld_status st,
			   const char *input, size_t offset, const char *fmt,
			   ...) __attribute__((format(printf, 5, 6)));

bool diag_failed(const struct diag *d);

/* "input:0xOFFSET: kind: message" (parts omitted when unknown). */
const char *diag_text(struct diag *d);

/* "malformed", "invalid", ... */
const char *diag_status_name(enum meld_status st);

#endif
