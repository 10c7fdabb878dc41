/* dashboard.c (store): SQL of the dashboard API beside the rollups: names, problems, open data. */
#include "store/plist.h"
#include "store/dashboard.h"
#include "core/buf.h"
#include "core/err.h"

#include <string.h>

#define DAY_MS    86400000LL
#define MSK_MS    10800000LL /* UTC+3: the reporting zone of docs/analytics.md */
#define SQL_MAX   (1u << 20)
#define DAY_OF_AT "((%s + 10800000) / 86400000)"

int64_t store_dash_day_ms(int32_t day)
{
	return (int64_t)day * DAY_MS - MSK_MS;
}

int store_dash_territory(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	int rc = store_query(
	    c, a, "SELECT id, parent_id, kind, name FROM territories WHERE id = $1", p, 1, out);
	if (!rc && !out->nrows)
		rc = ERR_NOTFOUND;
	return rc;
}

int store_dash_territory_children(struct store_conn *c, struct arena *a, int64_t parent,
                                  struct store_rows *out)
{
	if (parent) {
		struct store_val p[] = {sv_int(parent)};
		return store_query(c, a,
		                   "SELECT id, name FROM territories WHERE parent_id = $1 AND "
		                   "active = 1 ORDER BY name, id",
		                   p, 1, out);
	}
	struct store_rows r = {0};
	int rc = store_query(
	    c, a, "SELECT id FROM territories WHERE kind = 'country' ORDER BY id LIMIT 1", NULL, 0,
	    &r);
	if (rc)
		return rc;
	if (r.nrows)
		return store_dash_territory_children(c, a, store_rows_i64(&r, 0, 0), out);
	return store_query(
	    c, a,
	    "SELECT id, name FROM territories WHERE parent_id IS NULL AND active = 1 "
	    "ORDER BY name, id",
	    NULL, 0, out);
}

int store_dash_territories_all(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a, "SELECT id, parent_id, kind, name FROM territories ORDER BY id",
	                   NULL, 0, out);
}

int store_dash_categories(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a, "SELECT id, name FROM categories ORDER BY sort, name, id", NULL, 0,
	                   out);
}

int store_dash_topics(struct store_conn *c, struct arena *a, int64_t category_id,
                      struct store_rows *out)
{
	if (category_id) {
		struct store_val p[] = {sv_int(category_id)};
		return store_query(
		    c, a,
		    "SELECT id, category_id, name FROM topics WHERE category_id = $1 "
		    "ORDER BY name, id",
		    p, 1, out);
	}
	return store_query(
	    c, a, "SELECT id, category_id, name FROM topics ORDER BY category_id, name, id", NULL,
	    0, out);
}

int store_dash_orgs(struct store_conn *c, struct arena *a, int64_t root, struct store_rows *out)
{
	if (!root)
		return store_query(c, a,
		                   "SELECT id, name, territory_id FROM orgs ORDER BY name, id",
		                   NULL, 0, out);
	struct store_val p[] = {sv_int(root)};
	return store_query(c, a,
	                   "WITH RECURSIVE so(id) AS (SELECT id FROM orgs WHERE id = $1 UNION "
	                   "SELECT o.id FROM orgs o JOIN so ON o.parent_id = so.id) "
	                   "SELECT o.id, o.name, o.territory_id FROM orgs o WHERE o.id IN "
	                   "(SELECT id FROM so) ORDER BY o.name, o.id",
	                   p, 1, out);
}

int store_dash_name(struct store_conn *c, struct arena *a, const char *table, int64_t id,
                    const char **out)
{
	static const char *const tables[] = {"territories", "categories", "topics", "orgs"};
	bool known = false;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		known |= !strcmp(table, tables[i]);
	if (!known)
		return ERR_INTERNAL;
	*out = NULL;
	struct store_val p[] = {sv_int(id)};
	struct store_rows r = {0};
	int rc = store_query(c, a, arena_printf(a, "SELECT name FROM %s WHERE id = $1", table), p,
	                     1, &r);
	if (!rc && r.nrows)
		*out = store_rows_get(&r, 0, 0);
	return rc;
}

int store_dash_problems(struct store_conn *c, struct arena *a, const struct dash_problem_query *q,
                        struct store_rows *out, int64_t *total)
{
	struct plist pl;
	pl_init(&pl, a, 16);
	const char *pf = pl_add(&pl, sv_int(q->prev_from_ms));
	const char *cf = pl_add(&pl, sv_int(q->from_ms));
	const char *ce = pl_add(&pl, sv_int(q->end_ms));
	struct buf w = BUF_INIT(SQL_MAX);
	const char *with = "";
	if (q->territory_id) {
		with = arena_printf(
		    a,
		    "WITH RECURSIVE tt(id) AS (SELECT id FROM territories WHERE id = %s "
		    "UNION SELECT t.id FROM territories t JOIN tt ON t.parent_id = "
		    "tt.id) ",
		    pl_add(&pl, sv_int(q->territory_id)));
		buf_puts(&w, " AND p.territory_id IN (SELECT id FROM tt)");
	}
	if (q->category_id)
		buf_printf(&w, " AND p.category_id = %s", pl_add(&pl, sv_int(q->category_id)));
	if (q->topic_id)
		buf_printf(&w, " AND p.topic_id = %s", pl_add(&pl, sv_int(q->topic_id)));
	if (q->org_id)
		buf_printf(&w,
		           " AND EXISTS (SELECT 1 FROM appeals z WHERE z.problem_id = p.id AND "
		           "z.org_id = %s)",
		           pl_add(&pl, sv_int(q->org_id)));
	/* last_at / first_at narrow the candidates through problems_recent; the counts come from
	 * the problem's appeals (appeals_problem). */
	const char *inner = arena_printf(
	    a,
	    "SELECT p.id, p.label, p.size, p.topic_id, tp.name AS topic_name, p.category_id, "
	    "p.lat, "
	    "p.lon, p.territory_id, tr.name AS territory_name, p.first_at, p.last_at, p.solved_at, "
	    "p.returned_at, p.returned_count, "
	    "(SELECT COUNT(*) FROM appeals x WHERE x.problem_id = p.id AND x.created_at >= %s AND "
	    "x.created_at < %s) AS in_period, "
	    "(SELECT COUNT(*) FROM appeals x WHERE x.problem_id = p.id AND x.created_at >= %s AND "
	    "x.created_at < %s) AS previous "
	    "FROM problems p LEFT JOIN topics tp ON tp.id = p.topic_id "
	    "LEFT JOIN territories tr ON tr.id = p.territory_id "
	    "WHERE p.merged_into IS NULL AND p.size > 0 AND p.last_at >= %s AND p.first_at < %s%s",
	    cf, ce, pf, cf, pf, ce, w.data ? w.data : "");
	buf_release(&w);
	size_t nfilter = pl.n;
	int rc = store_query_i64(
	    c,
	    arena_printf(a, "%sSELECT COUNT(*) FROM (%s) q WHERE q.in_period + q.previous > 0",
	                 with, inner),
	    pl.v, nfilter, total);
	if (rc)
		return rc;
	const char *lim = pl_add(&pl, sv_int(q->limit));
	const char *off = pl_add(&pl, sv_int(q->offset));
	return store_query(
	    c, a,
	    arena_printf(a,
	                 "%sSELECT * FROM (%s) q WHERE q.in_period + q.previous > 0 ORDER BY %s "
	                 "LIMIT %s OFFSET %s",
	                 with, inner,
	                 q->by_growth ? "q.in_period - q.previous DESC, q.in_period DESC, q.id DESC"
	                              : "q.size DESC, q.id DESC",
	                 lim, off),
	    pl.v, pl.n, out);
}

int store_dash_problem_bodies(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                              struct store_rows *out)
{
	if (!n) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	struct plist pl;
	pl_init(&pl, a, n);
	const char *in = pl_ids(&pl, ids, n);
	return store_query(c, a,
	                   arena_printf(a,
	                                "SELECT x.problem_id, x.org_id, o.name, COUNT(*) FROM "
	                                "appeals x JOIN orgs o ON o.id = x.org_id WHERE "
	                                "x.problem_id IN (%s) GROUP BY x.problem_id, x.org_id, "
	                                "o.name ORDER BY x.problem_id, COUNT(*) DESC, x.org_id",
	                                in),
	                   pl.v, pl.n, out);
}

int store_dash_problem_alarms(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                              struct store_rows *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	struct plist pl;
	pl_init(&pl, a, n);
	const char *in = pl_ids(&pl, ids, n);
	return store_query(
	    c, a,
	    arena_printf(a,
	                 "SELECT l.problem_id, l.id, l.kind, l.observed, l.expected, "
	                 "l.window_min, l.reason, l.first_at, l.at FROM alarms l "
	                 "WHERE l.id IN (SELECT MAX(m.id) FROM alarms m WHERE "
	                 "m.problem_id IN (%s) GROUP BY m.problem_id)",
	                 in),
	    pl.v, pl.n, out);
}

int store_dash_problem_days(struct store_conn *c, struct arena *a, int64_t id,
                            struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	const char *day = arena_printf(a, DAY_OF_AT, "created_at");
	return store_query(c, a,
	                   arena_printf(a,
	                                "SELECT %s AS d, COUNT(*) FROM appeals WHERE problem_id = "
	                                "$1 GROUP BY %s ORDER BY 1",
	                                day, day),
	                   p, 1, out);
}

/* The territory subtree (and the period) of open data: "WITH RECURSIVE …" or "", and the
 * conditions on appeals x, with their parameters added to pl. */
static const char *open_filter(struct plist *pl, int64_t territory_id, int64_t from_ms,
                               int64_t end_ms, const char **where)
{
	const char *with = "", *tw = "";
	if (territory_id) {
		with = arena_printf(
		    pl->a,
		    "WITH RECURSIVE tt(id) AS (SELECT id FROM territories WHERE id = %s "
		    "UNION SELECT t.id FROM territories t JOIN tt ON t.parent_id = "
		    "tt.id) ",
		    pl_add(pl, sv_int(territory_id)));
		tw = " AND x.territory_id IN (SELECT id FROM tt)";
	}
	const char *f = pl_add(pl, sv_int(from_ms));
	*where = arena_printf(pl->a, "x.created_at >= %s AND x.created_at < %s%s", f,
	                      pl_add(pl, sv_int(end_ms)), tw);
	return with;
}

int store_dash_open_counts(struct store_conn *c, struct arena *a, int64_t territory_id,
                           int64_t from_ms, int64_t end_ms, struct store_rows *out)
{
	struct plist pl;
	pl_init(&pl, a, 16);
	const char *where;
	const char *with = open_filter(&pl, territory_id, from_ms, end_ms, &where);
	const char *day = arena_printf(a, DAY_OF_AT, "x.created_at");
	return store_query(
	    c, a,
	    arena_printf(a,
	                 "%sSELECT x.territory_id, x.topic_id, %s, COUNT(*) FROM "
	                 "appeals x WHERE %s GROUP BY x.territory_id, x.topic_id, %s",
	                 with, day, where, day),
	    pl.v, pl.n, out);
}

int store_dash_open_page(struct store_conn *c, struct arena *a, int64_t territory_id,
                         int64_t from_ms, int64_t end_ms, int64_t after_at, int64_t after_id,
                         int64_t limit, struct store_rows *out)
{
	struct plist pl;
	pl_init(&pl, a, 16);
	const char *where;
	const char *with = open_filter(&pl, territory_id, from_ms, end_ms, &where);
	const char *at = pl_add(&pl, sv_int(after_at));
	const char *id = pl_add(&pl, sv_int(after_id));
	const char *lim = pl_add(&pl, sv_int(limit));
	return store_query(
	    c, a,
	    arena_printf(a,
	                 "%sSELECT x.id, x.territory_id, x.category_id, x.topic_id, x.org_id, "
	                 "x.status, x.created_at, x.answered_at, x.deadline_at, x.rating, x.lat, "
	                 "x.lon, f.answered_day, f.on_time FROM appeals x LEFT JOIN appeal_facts f "
	                 "ON f.appeal_id = x.id WHERE %s AND (x.created_at, x.id) > (%s, %s) "
	                 "ORDER BY x.created_at, x.id LIMIT %s",
	                 with, where, at, id, lim),
	    pl.v, pl.n, out);
}
