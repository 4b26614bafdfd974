/* inspect: what is inside a core module or component, as text/JSON/WIT. */
#ifndef INSPECT_H
#define INSPECT_H

#include "session.h"

MELD_CHECK_RESULT enum meld_status
inspect_run(struct meld_session *s, const struct session_input *in,
	    enum meld_inspect_format format, const char **out);

#endif
