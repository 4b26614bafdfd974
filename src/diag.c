/*
 * diag: every failure in meld is a status code plus one diagnostic naming
 * the input and the byte offset where the problem was found.  Only the
 * first error is kept: later ones are usually consequences of it.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
diag_init(struct diag *d)
{
	d->status = MELD_OK;
	d->input = NULL;
	d->offset = DIAG_NO_OFFSET;
	d->msg[0] = 0;
	d->formatted[0] = 0;
}

enum meld_status
diag_fail(struct diag *d, enum meld_status st, const char *input,
	  size_t offset, const char *fmt, ...)
{
	if (d->status != MELD_OK)
		return st;
	d->status = st;
	d->input = input;
	d->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return st;
}

bool
diag_failed(const struct diag *d)
{
	return d->status != MELD_OK;
}

const char *
diag_status_name(enum meld_status st)
{
	switch (st) {
	case MELD_OK: return "ok";
	case MELD_EMALFORMED: return "malformed";
	case MELD_EINVALID: return "invalid";
	case MELD_EUNSUPPORTED: return "unsupported";
	case MELD_ELINK: return "link error";
	case MELD_ENOMEM: return "out of memory";
	case MELD_EIO: return "i/o error";
	case MELD_EUSAGE: return "usage";
	}
	return "error";
}

const char *
diag_text(struct diag *d)
{
	if (d->status == MELD_OK)
		return "";
	char where[300] = "";
	if (d->input && d->offset != DIAG_NO_OFFSET)
		snprintf(where, sizeof where, "%s:0x%zx: ", d->input, d->offset);
	else if (d->input)
		snprintf(where, sizeof where, "%s: ", d->input);
	int n = snprintf(d->formatted, sizeof d->formatted, "%s%s: ", where,
			 diag_status_name(d->status));
	size_t used = n < 0 ? 0 : (size_t)n;
	if (used < sizeof d->formatted) {
		size_t room = sizeof d->formatted - used;
		size_t len = strlen(d->msg);
		if (len >= room)
			len = room - 1;
		memcpy(d->formatted + used, d->msg, len);
		d->formatted[used + len] = 0;
	}
	return d->formatted;
}
