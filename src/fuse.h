/* fuse: the fusion pipeline, as a list of passes. */
#ifndef FUSE_H
#define FUSE_H

#include "session.h"

MELD_CHECK_RESULT enum meld_status
fuse_run(struct meld_session *s, const struct meld_fuse_options *opts,
	 const uint8_t **out, size_t *out_len, const char **report);

#endif
