/* deadline.c: due times (placeholder: calendar days, until the production calendar lands). */
#include "appeals/deadline.h"
#include "core/err.h"

int deadline_due(struct store_conn *c, int64_t topic_id, int64_t org_id, int64_t start_ms,
                 int64_t *due_ms)
{
	(void)org_id;
	struct store_val p[] = {sv_int(topic_id)};
	int64_t days = 0;
	int rc = store_query_i64(c, "SELECT deadline FROM topics WHERE id = $1", p, 1, &days);
	if (rc)
		return rc;
	*due_ms = start_ms + days * 86400000LL;
	return 0;
}

int deadline_add_wdays(struct store_conn *c, int64_t due_ms, int days, int64_t *out)
{
	(void)c;
	*out = due_ms + (int64_t)days * 86400000LL;
	return 0;
}

int deadline_wdays_left(struct store_conn *c, int64_t now_ms, int64_t due_ms, int *out)
{
	(void)c;
	*out = (int)((due_ms - now_ms) / 86400000LL);
	return 0;
}
