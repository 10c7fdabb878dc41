/* audit.c: writes audit entries through the store. */
#include "audit/audit.h"
#include "core/clock.h"
#include "store/users.h"

#include <stdlib.h>

int audit_record(struct store_conn *c, const struct actor *who, const char *action,
                 const char *entity, int64_t entity_id, json_t *before, json_t *after)
{
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct audit_entry e = {
	    .at = clock_now_ms(),
	    .actor_user_id = who ? who->user_id : 0,
	    .actor_apikey_id = who ? who->apikey_id : 0,
	    .entity_id = entity_id,
	    .action = action,
	    .entity = entity,
	    .before_json = b,
	    .after_json = a,
	    .request_id = who ? who->request_id : NULL,
	};
	int rc = store_audit_insert(c, &e);
	free(b);
	free(a);
	return rc;
}
