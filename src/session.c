/*
 * session: the public API (include/meld.h) over the library's passes.
 * Everything a call allocates lives in the session's arena, except the
 * fused output buffer, which is released with the session.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "fuse.h"

#ifndef MELD_VERSION
#define MELD_VERSION "0.1.0"
#endif

const char *
meld_version(void)
{
	return MELD_VERSION;
}

struct meld_session *
meld_session_create(void)
{
	struct meld_session *s = mem_malloc(sizeof *s);
	if (!s)
		return NULL;
	memset(s, 0, sizeof *s);
	arena_init(&s->arena);
	diag_init(&s->diag);
	return s;
}

void
meld_session_destroy(struct meld_session *s)
{
	if (!s)
		return;
	free(s->output);
	arena_clear(&s->arena);
	free(s);
}

const char *
meld_session_error(const struct meld_session *s)
{
	return diag_text((struct diag *)&s->diag);
}

enum meld_status
meld_session_status(const struct meld_session *s)
{
	return s->diag.status;
}

enum meld_status
meld_add_input(struct meld_session *s, const char *name, const uint8_t *bytes,
	       size_t len)
{
	struct session_input *in =
		arena_push(&s->arena, (void **)&s->inputs, &s->ninputs,
			   &s->inputs_cap, sizeof *in);
	if (!in)
		return diag_fail(&s->diag, MELD_ENOMEM, name, DIAG_NO_OFFSET,
				 "cannot record input");
	size_t n = strlen(name) + 1;
	char *copy = arena_dup(&s->arena, name, n);
	if (!copy)
		return diag_fail(&s->diag, MELD_ENOMEM, name, DIAG_NO_OFFSET,
				 "cannot record input");
	in->name = copy;
	in->bytes = bytes;
	in->len = len;
	return MELD_OK;
}

enum meld_status
meld_inspect(struct meld_session *s, size_t index,
	     enum meld_inspect_format format, const char **out)
{
	if (index >= s->ninputs)
		return diag_fail(&s->diag, MELD_EUSAGE, NULL, DIAG_NO_OFFSET,
				 "no input number %zu", index);
	return inspect_run(s, &s->inputs[index], format, out);
}

enum meld_status
meld_fuse(struct meld_session *s, const struct meld_fuse_options *opts,
	  const uint8_t **out, size_t *out_len, const char **report)
{
	if (s->ninputs == 0)
		return diag_fail(&s->diag, MELD_EUSAGE, NULL, DIAG_NO_OFFSET,
				 "nothing to fuse: no input");
	return fuse_run(s, opts, out, out_len, report);
}
