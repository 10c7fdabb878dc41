/* h_alarms.c: GET /api/analytics/alarms — the spike detector's alarms, newest first. */
#include "http/h_alarms.h"
#include "analytics/alarms.h"
#include "core/err.h"

#include <stdint.h>

int h_alarms_list(struct req *r)
{
	struct alarm_query q = {.limit = 50};
	int rc = http_query_int(r, "since_id", 0, INT64_MAX, &q.since_id);
	if (!rc)
		rc = http_query_int(r, "limit", 1, 200, &q.limit);
	if (!rc)
		rc = http_query_int(r, "territory_id", 1, INT64_MAX, &q.territory_id);
	if (!rc)
		rc = http_query_int(r, "category_id", 1, INT64_MAX, &q.category_id);
	if (!rc)
		rc = http_query_int(r, "topic_id", 1, INT64_MAX, &q.topic_id);
	if (rc)
		return rc;
	json_t *out = NULL;
	const char *field = NULL;
	rc = alarms_list(r->store, r->a, &r->actor, &q, &out, &field);
	if (rc == ERR_FORBIDDEN)
		return http_fail(r, rc, "Территория вне вашей зоны ответственности", field);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}
