/* ratings.c (store): SQL of the ratings: weights, regions and their bodies, orgs in scope,
 * executors' names, the appeals behind an indicator. */
#include "store/ratings.h"
#include "core/err.h"

#include <string.h>

/* Who counts as "connected": the org has a staff account that works appeals. */
#define STAFF_ROLES "('operator', 'executor', 'supervisor')"

int store_ratings_weights(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a, "SELECT key, weight FROM rating_weights ORDER BY key", NULL, 0,
	                   out);
}

int store_ratings_weight_put(struct store_conn *c, const char *key, int64_t weight, int64_t now)
{
	struct store_val p[] = {sv_text(key), sv_int(weight), sv_int(now)};
	return store_query(
	    c, NULL,
	    "INSERT INTO rating_weights (key, weight, updated_at) VALUES ($1, $2, $3) "
	    "ON CONFLICT (key) DO UPDATE SET weight = excluded.weight, "
	    "updated_at = excluded.updated_at",
	    p, 3, NULL);
}

int store_ratings_regions(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(
	    c, a,
	    "SELECT id, code, name FROM territories WHERE kind = 'region' AND active = 1 "
	    "ORDER BY name, id",
	    NULL, 0, out);
}

/* Every territory with the region it lies in (the region itself included). */
#define REGION_OF                                                                                  \
	"WITH RECURSIVE up(id, region_id) AS (SELECT id, id FROM territories WHERE kind = "        \
	"'region' AND (CAST($1 AS BIGINT) = 0 OR id = CAST($1 AS BIGINT)) UNION "                  \
	"SELECT t.id, up.region_id FROM territories t JOIN up ON t.parent_id = up.id) "

int store_ratings_region_orgs(struct store_conn *c, struct arena *a, int64_t region_id,
                              int64_t until_ms, int32_t from, int32_t to, struct store_rows *out)
{
	struct store_val p[] = {sv_int(region_id), sv_int(until_ms), sv_int(from), sv_int(to)};
	return store_query(
	    c, a,
	    REGION_OF "SELECT up.region_id, o.id, o.name, o.kind, "
	              "CASE WHEN EXISTS (SELECT 1 FROM role_grants g WHERE g.org_id = o.id AND "
	              "g.role IN " STAFF_ROLES " AND g.created_at <= $2) THEN 1 ELSE 0 END, "
	              "CASE WHEN EXISTS (SELECT 1 FROM appeal_facts f WHERE f.org_id = o.id AND "
	              "f.answered_day >= $3 AND f.answered_day <= $4) THEN 1 ELSE 0 END "
	              "FROM orgs o JOIN up ON o.territory_id = up.id "
	              "WHERE o.active = 1 AND o.kind IN ('regional', 'municipal', 'social') "
	              "ORDER BY up.region_id, o.kind, o.name, o.id",
	    p, 4, out);
}

int store_ratings_municipalities(struct store_conn *c, struct arena *a, int64_t until_ms,
                                 struct store_rows *out)
{
	struct store_val p[] = {sv_int(0), sv_int(until_ms)};
	return store_query(
	    c, a,
	    REGION_OF
	    "SELECT up.region_id, m.id, "
	    "CASE WHEN EXISTS (SELECT 1 FROM orgs o JOIN role_grants g ON g.org_id = o.id "
	    "WHERE o.territory_id = m.id AND o.active = 1 AND g.role IN " STAFF_ROLES
	    " AND g.created_at <= $2) THEN 1 ELSE 0 END "
	    "FROM territories m JOIN up ON m.id = up.id "
	    "WHERE m.kind = 'municipality' AND m.active = 1 ORDER BY up.region_id, m.id",
	    p, 2, out);
}

#define ORG_COLS                                                                                   \
	"SELECT o.id, o.name, o.short_name, o.kind, t.name, o.territory_id FROM orgs o "           \
	"LEFT JOIN territories t ON t.id = o.territory_id "

int store_ratings_orgs(struct store_conn *c, struct arena *a, int64_t org_root, int64_t terr_root,
                       int64_t limit, struct store_rows *out)
{
	if (org_root) {
		struct store_val p[] = {sv_int(org_root), sv_int(limit)};
		return store_query(
		    c, a,
		    "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) UNION "
		    "SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id) " ORG_COLS
		    "JOIN sub ON sub.id = o.id WHERE o.active = 1 "
		    "ORDER BY o.name, o.id LIMIT $2",
		    p, 2, out);
	}
	if (terr_root) {
		struct store_val p[] = {sv_int(terr_root), sv_int(limit)};
		return store_query(
		    c, a,
		    "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) UNION "
		    "SELECT t.id FROM territories t JOIN sub ON t.parent_id = sub.id) " ORG_COLS
		    "JOIN sub ON sub.id = o.territory_id WHERE o.active = 1 "
		    "ORDER BY o.name, o.id LIMIT $2",
		    p, 2, out);
	}
	struct store_val p[] = {sv_int(limit)};
	return store_query(c, a, ORG_COLS "WHERE o.active = 1 ORDER BY o.name, o.id LIMIT $1", p, 1,
	                   out);
}

int store_ratings_user_name(struct store_conn *c, struct arena *a, int64_t id, const char **name)
{
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc =
	    store_query(c, a, "SELECT COALESCE(name, login) FROM users WHERE id = $1", p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*name = store_rows_get(&r, 0, 0);
	return 0;
}

/* Which facts an appeal indicator counts (its days) and which of them lower it. */
struct drill_rule {
	const char *key, *base, *bad;
};

#define ANSWERED "f.answered_day >= $2 AND f.answered_day <= $3"
#define CREATED  "f.created_day >= $2 AND f.created_day <= $3"
#define RATED    "f.rated_day >= $2 AND f.rated_day <= $3"
#define DUE      "f.deadline_day >= $2 AND f.deadline_day <= $3"

static const struct drill_rule drill_rules[] = {
    {"on_time_share", ANSWERED, "f.on_time = 0"},
    {"median_review_hours", ANSWERED, "f.review_h > 240"},
    {"avg_review_hours", ANSWERED, "f.review_h > 240"},
    {"fast_answer_share", ANSWERED, "f.review_h >= 24"},
    {"answered_share", CREATED, "f.answered_day = 0"},
    {"satisfaction", RATED, "f.satisfied = 0"},
    {"avg_rating", RATED, "f.rating <= 3"},
    {"rereview_share", RATED, "f.rereview = 1"},
    {"late_share", DUE, "f.late = 1"},
    {"redirect_share", CREATED, "f.redirected = 1"},
    {"rated_share", ANSWERED, "f.rated_day = 0"},
    {"rejected_share", CREATED, "f.rejected = 1"},
};

int store_ratings_drill(struct store_conn *c, struct arena *a, int64_t region_id,
                        const char *indicator, int32_t from, int32_t to, bool bad_only,
                        int64_t limit, int64_t offset, struct store_rows *out, int64_t *total)
{
	const struct drill_rule *rule = NULL;
	for (size_t i = 0; i < sizeof(drill_rules) / sizeof(drill_rules[0]); i++)
		if (!strcmp(drill_rules[i].key, indicator))
			rule = &drill_rules[i];
	if (!rule)
		return ERR_INVALID;
	/* the fragments are constants of the table above, never user text */
	static const char cte[] =
	    "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) UNION SELECT t.id FROM "
	    "territories t JOIN sub ON t.parent_id = sub.id) ";
	const char *where = arena_printf(a, "WHERE %s%s%s", rule->base, bad_only ? " AND " : "",
	                                 bad_only ? rule->bad : "");
	struct store_val p[] = {sv_int(region_id), sv_int(from), sv_int(to), sv_int(limit),
	                        sv_int(offset)};
	int rc = store_query_i64(c,
	                         arena_printf(a,
	                                      "%sSELECT COUNT(*) FROM appeal_facts f JOIN sub ON "
	                                      "f.territory_id = sub.id %s",
	                                      cte, where),
	                         p, 3, total);
	if (rc)
		return rc;
	const char *sql = arena_printf(
	    a,
	    "%sSELECT a.id, a.status, a.created_at, tp.name, tr.name, o.name, f.review_h, "
	    "f.on_time, f.rating, f.satisfied, f.rereview, f.redirected, f.rejected, f.late, "
	    "f.answered_day, f.rated_day FROM appeal_facts f JOIN sub ON f.territory_id = sub.id "
	    "JOIN appeals a ON a.id = f.appeal_id LEFT JOIN topics tp ON tp.id = a.topic_id "
	    "LEFT JOIN territories tr ON tr.id = a.territory_id LEFT JOIN orgs o ON o.id = "
	    "a.org_id %s ORDER BY a.created_at DESC, a.id DESC LIMIT $4 OFFSET $5",
	    cte, where);
	return store_query(c, a, sql, p, 5, out);
}

int store_ratings_demo_assign(struct store_conn *c, int64_t appeal_id, int64_t user_id)
{
	struct store_val p[] = {sv_int(appeal_id), sv_int(user_id)};
	return store_query(c, NULL, "UPDATE appeals SET assignee_id = $2 WHERE id = $1", p, 2,
	                   NULL);
}

int store_ratings_demo_backdate(struct store_conn *c, int64_t user_id, int64_t at)
{
	struct store_val p[] = {sv_int(user_id), sv_int(at)};
	return store_query(c, NULL, "UPDATE role_grants SET created_at = $2 WHERE user_id = $1", p,
	                   2, NULL);
}
