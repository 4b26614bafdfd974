/* inspect: placeholder until the readers land. */
#include "inspect.h"

enum meld_status
inspect_run(struct meld_session *s, const struct session_input *in,
	    enum meld_inspect_format format, const char **out)
{
	(void)format;
	(void)out;
	return diag_fail(&s->diag, MELD_EUNSUPPORTED, in->name,
			 DIAG_NO_OFFSET, "inspect is not implemented yet");
}
