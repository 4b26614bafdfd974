/*
 * fuse: the pipeline, one pass after another (ARCHITECTURE.md):
 *   read → instantiate → plan → adapt → emit → wrap.
 * Each pass reads the previous pass's result and adds its own; the first
 * failure stops the pipeline with the session's diagnostic set.
 */
#include "fuse.h"

enum meld_status
fuse_run(struct meld_session *s, const struct meld_fuse_options *opts,
	 const uint8_t **out, size_t *out_len, const char **report)
{
	(void)opts;
	(void)out;
	(void)out_len;
	(void)report;
	return diag_fail(&s->diag, MELD_EUNSUPPORTED, s->inputs[0].name,
			 DIAG_NO_OFFSET, "fusion is not implemented yet");
}
