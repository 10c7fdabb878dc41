/* query.c: the full appeal (detail JSON); lists and queues. */
#include "appeals/appeal.h"
#include "core/err.h"

int appeal_detail_json(struct store_conn *c, struct arena *a, const struct actor *who,
                       const struct appeal *ap, unsigned rights, json_t **out)
{
	(void)c;
	(void)a;
	json_t *o = appeal_brief_json(ap);
	json_object_set_new(o, "allowed_actions", appeal_allowed_actions(ap, rights, who));
	json_object_set_new(o, "version", json_integer(ap->version));
	*out = o;
	return 0;
}
