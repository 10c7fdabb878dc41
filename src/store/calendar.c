/* calendar.c (store): SQL for the production calendar, deadline overrides and their versions. */
#include "store/calendar.h"
#include "store/backend.h"
#include "core/err.h"

#include <string.h>

int store_calendar_days(struct store_conn *c, struct arena *a, const char *from, const char *to,
                        struct store_rows *out)
{
	struct store_val p[] = {sv_text(from), sv_text(to)};
	return store_query(
	    c, a,
	    "SELECT day, kind, note FROM calendar_days WHERE day >= $1 AND day <= $2 "
	    "ORDER BY day",
	    p, 2, out);
}

int store_calendar_all(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a, "SELECT day, kind FROM calendar_days ORDER BY day", NULL, 0, out);
}

int store_calendar_delete(struct store_conn *c, const char *from, const char *to)
{
	struct store_val p[] = {sv_text(from), sv_text(to)};
	return store_query(c, NULL, "DELETE FROM calendar_days WHERE day >= $1 AND day <= $2", p, 2,
	                   NULL);
}

int store_calendar_insert(struct store_conn *c, const char *day, const char *kind, const char *note,
                          int64_t now)
{
	struct store_val p[] = {sv_text(day), sv_text(kind), sv_text(note), sv_int(now)};
	return store_query(c, NULL,
	                   "INSERT INTO calendar_days (day, kind, note, updated_at) "
	                   "VALUES ($1, $2, $3, $4)",
	                   p, 4, NULL);
}

int store_org_deadlines(struct store_conn *c, struct arena *a, int64_t org_id,
                        struct store_rows *out)
{
	struct store_val p[] = {sv_int(org_id)};
	return store_query(c, a,
	                   "SELECT d.topic_id, t.name, d.deadline, d.deadline_unit "
	                   "FROM org_deadlines d LEFT JOIN topics t ON t.id = d.topic_id "
	                   "WHERE d.org_id = $1 "
	                   "ORDER BY CASE WHEN d.topic_id IS NULL THEN 0 ELSE 1 END, d.topic_id",
	                   p, 1, out);
}

int store_org_deadlines_all(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a,
	                   "SELECT org_id, topic_id, deadline, deadline_unit FROM org_deadlines "
	                   "ORDER BY org_id, topic_id",
	                   NULL, 0, out);
}

int store_org_deadlines_delete(struct store_conn *c, int64_t org_id)
{
	struct store_val p[] = {sv_int(org_id)};
	return store_query(c, NULL, "DELETE FROM org_deadlines WHERE org_id = $1", p, 1, NULL);
}

int store_org_deadline_insert(struct store_conn *c, int64_t org_id, int64_t topic_id,
                              int64_t deadline, const char *unit, int64_t now)
{
	struct store_val p[] = {sv_int(org_id), topic_id ? sv_int(topic_id) : sv_null(),
	                        sv_int(deadline), sv_text(unit), sv_int(now)};
	return store_query(c, NULL,
	                   "INSERT INTO org_deadlines (org_id, topic_id, deadline, deadline_unit, "
	                   "updated_at) VALUES ($1, $2, $3, $4, $5)",
	                   p, 5, NULL);
}

int store_topic_deadline(struct store_conn *c, struct arena *a, int64_t topic_id, int64_t *deadline,
                         const char **unit)
{
	struct store_val p[] = {sv_int(topic_id)};
	struct store_rows r;
	int rc =
	    store_query(c, a, "SELECT deadline, deadline_unit FROM topics WHERE id = $1", p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*deadline = store_rows_i64(&r, 0, 0);
	*unit = store_rows_get(&r, 0, 1);
	return 0;
}

int store_deadline_versions(struct store_conn *c, int64_t *calendar, int64_t *org_deadlines)
{
	struct arena a;
	arena_init(&a, 1024);
	struct store_rows r;
	*calendar = *org_deadlines = 0;
	int rc = store_query(c, &a,
	                     "SELECT key, value FROM meta "
	                     "WHERE key IN ('calendar_version', 'org_deadlines_version')",
	                     NULL, 0, &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *k = store_rows_get(&r, i, 0);
		if (!strcmp(k, "calendar_version"))
			*calendar = store_rows_i64(&r, i, 1);
		else
			*org_deadlines = store_rows_i64(&r, i, 1);
	}
	arena_release(&a);
	return rc;
}

int store_calendar_bump(struct store_conn *c)
{
	return store_version_bump(c, "calendar_version");
}

int store_org_deadlines_bump(struct store_conn *c)
{
	return store_version_bump(c, "org_deadlines_version");
}
