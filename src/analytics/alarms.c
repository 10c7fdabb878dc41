/* alarms.c: reading the spike detector's alarms for people (docs/analytics.md, "Spikes and new
 * problems"); the detector itself is spikes.c, fed by the placing node (src/appeals/assist.c). */
#include "analytics/alarms.h"
#include "appeals/assist.h"
#include "auth/perm.h"
#include "core/err.h"
#include "store/alarms.h"

#include <string.h>

static json_t *opt_int(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_integer(store_rows_i64(r, i, col));
}

static json_t *opt_real(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_real(store_rows_f64(r, i, col));
}

static json_t *opt_str(const struct store_rows *r, size_t i, size_t col)
{
	const char *s = store_rows_get(r, i, col);
	return s ? json_string(s) : json_null();
}

static json_t *alarm_json(const struct store_rows *r, size_t i)
{
	json_t *ids =
	    json_loads(store_rows_get(r, i, 14) ? store_rows_get(r, i, 14) : "[]", 0, NULL);
	if (!json_is_array(ids)) {
		json_decref(ids);
		ids = json_array();
	}
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:f,s:I,s:s,s:I,s:I,s:o}",
	                 "id", (json_int_t)store_rows_i64(r, i, 0), "kind", store_rows_get(r, i, 1),
	                 "problem_id", opt_int(r, i, 2), "problem_label", opt_str(r, i, 15),
	                 "topic_id", opt_int(r, i, 3), "topic_name", opt_str(r, i, 16),
	                 "category_id", opt_int(r, i, 4), "territory_id", opt_int(r, i, 5), "lat",
	                 opt_real(r, i, 6), "lon", opt_real(r, i, 7), "observed",
	                 (json_int_t)store_rows_i64(r, i, 8), "expected", store_rows_f64(r, i, 9),
	                 "window_min", (json_int_t)store_rows_i64(r, i, 10), "reason",
	                 store_rows_get(r, i, 11), "first_at", (json_int_t)store_rows_i64(r, i, 12),
	                 "at", (json_int_t)store_rows_i64(r, i, 13), "appeal_ids", ids);
}

int alarms_list(struct store *s, struct arena *a, const struct actor *who,
                const struct alarm_query *q, json_t **out, const char **field)
{
	*field = NULL;
	struct problem_scope sc;
	assist_problem_scope(a, who, false, &sc);
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	if (!sc.all && q->territory_id && !sc.nsup_orgs) {
		bool ok = false;
		rc = perm_territory_scope(c, who, ROLE_COORDINATOR, q->territory_id, &ok);
		if (!rc && !ok) {
			rc = ERR_FORBIDDEN;
			*field = "territory_id";
		}
	}
	struct store_rows r = {0};
	struct alarm_filter f = {
	    .since_id = q->since_id,
	    .territory_id = q->territory_id,
	    .category_id = q->category_id,
	    .topic_id = q->topic_id,
	    .limit = q->limit,
	};
	if (!rc)
		rc = store_alarms_list(c, a, &sc, &f, &r);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	int64_t last = q->since_id;
	for (size_t i = 0; i < r.nrows; i++) {
		json_array_append_new(items, alarm_json(&r, i));
		if (store_rows_i64(&r, i, 0) > last)
			last = store_rows_i64(&r, i, 0);
	}
	*out = json_pack("{s:o,s:I}", "items", items, "last_id", (json_int_t)last);
	return 0;
}
