/* projects.c (store): SQL of the project map: projects, linked problems, stages, feedback. */
#include "store/plist.h"
#include "store/projects.h"
#include "core/buf.h"
#include "core/err.h"

#include <string.h>

/* The problems of project `pid` (an SQL expression): the linked ones and, when a linked problem
 * was merged away, the one it went into (its appeals are there now). */
#define LINKED(pid)                                                                                \
	"SELECT q.id FROM project_problems pp JOIN problems q ON q.id = pp.problem_id WHERE "      \
	"pp.project_id = " pid " UNION SELECT q.merged_into FROM project_problems pp JOIN "        \
	"problems q ON q.id = pp.problem_id WHERE pp.project_id = " pid                            \
	" AND q.merged_into IS NOT NULL"

/* The project row with its derived figures (table z of the outer query). */
#define PROJECT_INNER                                                                              \
	"SELECT p.id, p.title, p.goal, p.org_id, o.name AS org_name, p.territory_id, "             \
	"t.name AS territory_name, p.region_id, p.budget, p.deadline, p.place_kind, p.lat, "       \
	"p.lon, p.area, p.min_lat, p.min_lon, p.max_lat, p.max_lon, p.status AS stored_status, "   \
	"p.created_at, p.updated_at, p.started_at, p.done_at, "                                    \
	"(SELECT COUNT(*) FROM project_stages s WHERE s.project_id = p.id) AS stages_total, "      \
	"(SELECT COUNT(*) FROM project_stages s WHERE s.project_id = p.id AND s.done = 1) AS "     \
	"stages_done, (SELECT COUNT(*) FROM appeals x WHERE x.problem_id IN (" LINKED(             \
	    "p.id") ")) AS appeals, (SELECT COUNT(*) FROM project_feedback f WHERE f.project_id "  \
	            "= p.id AND "                                                                  \
	            "f.gone = 1) AS fb_gone, (SELECT COUNT(*) FROM project_feedback f WHERE "      \
	            "f.project_id = "                                                              \
	            "p.id AND f.gone = 0) AS fb_not_gone, CASE WHEN p.status = 'done' AND "        \
	            "(EXISTS (SELECT 1 "                                                           \
	            "FROM appeals x WHERE x.problem_id IN (" LINKED(                               \
	                "p.id") ") AND x.created_at > p.done_at) "                                 \
	                        "OR EXISTS (SELECT 1 FROM project_problems pp JOIN problems q ON " \
	                        "q.id = pp.problem_id "                                            \
	                        "WHERE pp.project_id = p.id AND q.returned_at > p.done_at)) THEN " \
	                        "1 ELSE 0 END AS "                                                 \
	                        "returned FROM projects p JOIN orgs o ON o.id = p.org_id LEFT "    \
	                        "JOIN territories t ON t.id "                                      \
	                        "= p.territory_id"

/* Attention: done, and a linked problem came back or most residents say it is not gone. */
#define PROJECT_OUTER                                                                              \
	"SELECT z.*, CASE WHEN z.stored_status = 'done' AND (z.returned = 1 OR 2 * z.fb_not_gone " \
	"> z.fb_gone + z.fb_not_gone) THEN 'attention' ELSE z.stored_status END AS status FROM "

static struct store_val opt_text(const char *s)
{
	return s ? sv_text(s) : sv_null();
}

static struct store_val opt_id(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

/* $1..$15 of the insert and the update: a project's editable fields, in column order. */
#define PROJECT_NFIELDS 15
static void field_params(const struct project_fields *f, struct store_val *p)
{
	const struct store_val v[PROJECT_NFIELDS] = {
	    sv_text(f->title),     sv_text(f->goal),
	    sv_int(f->org_id),     opt_id(f->territory_id),
	    opt_id(f->region_id),  f->has_budget ? sv_int(f->budget) : sv_null(),
	    opt_text(f->deadline), sv_text(f->place_kind),
	    sv_real(f->lat),       sv_real(f->lon),
	    opt_text(f->area),     sv_real(f->min_lat),
	    sv_real(f->min_lon),   sv_real(f->max_lat),
	    sv_real(f->max_lon)};
	memcpy(p, v, sizeof(v));
}

int store_project_insert(struct store_conn *c, const struct project_fields *f, int64_t created_by,
                         int64_t now, int64_t *id)
{
	struct store_val p[PROJECT_NFIELDS + 2];
	field_params(f, p);
	p[PROJECT_NFIELDS] = opt_id(created_by);
	p[PROJECT_NFIELDS + 1] = sv_int(now);
	return store_query_i64(
	    c,
	    "INSERT INTO projects (title, goal, org_id, territory_id, region_id, budget, deadline, "
	    "place_kind, lat, lon, area, min_lat, min_lon, max_lat, max_lon, status, created_by, "
	    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
	    "$13, $14, $15, 'planned', $16, $17, $17) RETURNING id",
	    p, sizeof(p) / sizeof(p[0]), id);
}

int store_project_update(struct store_conn *c, int64_t id, const struct project_fields *f,
                         int64_t now)
{
	struct store_val p[PROJECT_NFIELDS + 2];
	field_params(f, p);
	p[PROJECT_NFIELDS] = sv_int(now);
	p[PROJECT_NFIELDS + 1] = sv_int(id);
	return store_query(
	    c, NULL,
	    "UPDATE projects SET title = $1, goal = $2, org_id = $3, territory_id = "
	    "$4, region_id = $5, budget = $6, deadline = $7, place_kind = $8, lat = "
	    "$9, lon = $10, area = $11, min_lat = $12, min_lon = $13, max_lat = $14, "
	    "max_lon = $15, updated_at = $16 WHERE id = $17",
	    p, sizeof(p) / sizeof(p[0]), NULL);
}

int store_project_set_problems(struct store_conn *c, int64_t id, const int64_t *problem_ids,
                               size_t n)
{
	struct store_val p[] = {sv_int(id), sv_int(0)};
	int rc =
	    store_query(c, NULL, "DELETE FROM project_problems WHERE project_id = $1", p, 1, NULL);
	for (size_t i = 0; i < n && !rc; i++) {
		p[1] = sv_int(problem_ids[i]);
		rc = store_query(
		    c, NULL,
		    "INSERT INTO project_problems (project_id, problem_id) VALUES ($1, $2) "
		    "ON CONFLICT DO NOTHING",
		    p, 2, NULL);
	}
	return rc;
}

int store_project_set_status(struct store_conn *c, int64_t id, const char *from, const char *to,
                             int64_t now, bool *changed)
{
	*changed = false;
	struct store_val p[] = {sv_text(to), sv_int(now), sv_int(id), sv_text(from)};
	const char *sql =
	    !strcmp(to, "in_progress")
	        ? "UPDATE projects SET status = $1, updated_at = $2, started_at = $2 WHERE id = $3 "
	          "AND status = $4"
	    : !strcmp(to, "done")
	        ? "UPDATE projects SET status = $1, updated_at = $2, done_at = $2 WHERE id = $3 "
	          "AND "
	          "status = $4"
	        : "UPDATE projects SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4";
	struct store_rows r = {0};
	int rc = store_query(c, NULL, sql, p, 4, &r);
	if (!rc)
		*changed = r.changes > 0;
	return rc;
}

int store_project_get(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	int rc =
	    store_query(c, a, PROJECT_OUTER "(" PROJECT_INNER " WHERE p.id = $1) z", p, 1, out);
	if (!rc && !out->nrows)
		return ERR_NOTFOUND;
	return rc;
}

int store_projects_list(struct store_conn *c, struct arena *a, const struct project_filter *f,
                        struct store_rows *out, int64_t *total)
{
	struct plist pl;
	pl_init(&pl, a, 16);
	struct buf w = BUF_INIT(1u << 16);
	if (f->territory_id)
		buf_printf(
		    &w,
		    " AND p.territory_id IN (WITH RECURSIVE tt(id) AS (SELECT id FROM "
		    "territories WHERE id = %s UNION SELECT t2.id FROM territories t2 JOIN tt "
		    "ON t2.parent_id = tt.id) SELECT id FROM tt)",
		    pl_add(&pl, sv_int(f->territory_id)));
	if (f->org_id)
		buf_printf(&w, " AND p.org_id = %s", pl_add(&pl, sv_int(f->org_id)));
	if (f->problem_id) {
		const char *k = pl_add(&pl, sv_int(f->problem_id));
		buf_printf(
		    &w,
		    " AND p.id IN (SELECT pp.project_id FROM project_problems pp JOIN problems "
		    "q ON q.id = pp.problem_id WHERE pp.problem_id = %s OR q.merged_into = %s)",
		    k, k);
	}
	if (f->author_id) {
		const char *k = pl_add(&pl, sv_int(f->author_id));
		const char *mine =
		    arena_printf(a,
		                 "SELECT x.problem_id FROM appeals x WHERE x.author_id = "
		                 "%s AND x.problem_id IS NOT NULL UNION SELECT "
		                 "x.problem_id FROM appeal_authors aa JOIN appeals x ON "
		                 "x.id = aa.appeal_id WHERE aa.user_id = %s AND "
		                 "x.problem_id IS NOT NULL",
		                 k, k);
		buf_printf(
		    &w,
		    " AND p.id IN (SELECT pp.project_id FROM project_problems pp JOIN problems "
		    "q ON q.id = pp.problem_id WHERE pp.problem_id IN (%s) OR q.merged_into IN "
		    "(%s))",
		    mine, mine);
	}
	if (f->has_box) {
		buf_printf(&w, " AND p.max_lat >= %s", pl_add(&pl, sv_real(f->min_lat)));
		buf_printf(&w, " AND p.min_lat <= %s", pl_add(&pl, sv_real(f->max_lat)));
		buf_printf(&w, " AND p.max_lon >= %s", pl_add(&pl, sv_real(f->min_lon)));
		buf_printf(&w, " AND p.min_lon <= %s", pl_add(&pl, sv_real(f->max_lon)));
	}
	const char *outer_where = "";
	if (f->status)
		outer_where =
		    arena_printf(a, " WHERE y.status = %s", pl_add(&pl, sv_text(f->status)));
	char *where = arena_strndup(a, w.data, w.len);
	buf_release(&w);
	const char *base =
	    arena_printf(a, PROJECT_OUTER "(" PROJECT_INNER " WHERE 1 = 1%s) z", where);
	size_t nfilter = pl.n;
	int rc =
	    store_query_i64(c, arena_printf(a, "SELECT COUNT(*) FROM (%s) y%s", base, outer_where),
	                    pl.v, nfilter, total);
	if (rc)
		return rc;
	const char *lim = pl_add(&pl, sv_int(f->limit));
	const char *off = pl_add(&pl, sv_int(f->offset));
	return store_query(c, a,
	                   arena_printf(a,
	                                "SELECT y.* FROM (%s) y%s ORDER BY y.id DESC LIMIT %s "
	                                "OFFSET %s",
	                                base, outer_where, lim, off),
	                   pl.v, pl.n, out);
}

int store_project_problems(struct store_conn *c, struct arena *a, int64_t id,
                           struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(c, a,
	                   "SELECT q.id, q.label, q.size, q.territory_id, q.merged_into FROM "
	                   "project_problems pp JOIN problems q ON q.id = pp.problem_id WHERE "
	                   "pp.project_id = $1 ORDER BY q.id",
	                   p, 1, out);
}

int store_project_problem_info(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                               struct store_rows *out)
{
	if (!n || n > 64)
		return ERR_INVALID;
	struct store_val v[64];
	struct buf b = BUF_INIT(1u << 12);
	for (size_t i = 0; i < n; i++) {
		v[i] = sv_int(ids[i]);
		buf_printf(&b, "%s$%zu", i ? "," : "", i + 1);
	}
	const char *sql =
	    arena_printf(a,
	                 "SELECT id, territory_id, merged_into, lat, lon FROM problems "
	                 "WHERE id IN (%.*s) ORDER BY id",
	                 (int)b.len, b.data);
	buf_release(&b);
	return store_query(c, a, sql, v, n, out);
}

int store_project_region_of(struct store_conn *c, int64_t territory_id, int64_t *region_id)
{
	*region_id = 0;
	if (!territory_id)
		return 0;
	struct store_val p[] = {sv_int(territory_id)};
	int rc =
	    store_query_i64(c,
	                    "WITH RECURSIVE up(id, parent_id, kind, depth) AS (SELECT id, "
	                    "parent_id, kind, 0 FROM territories WHERE id = $1 UNION ALL "
	                    "SELECT t.id, t.parent_id, t.kind, up.depth + 1 FROM territories t "
	                    "JOIN up ON t.id = up.parent_id WHERE up.depth < 32) SELECT id FROM "
	                    "up WHERE kind = 'region' ORDER BY depth LIMIT 1",
	                    p, 1, region_id);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int store_project_stages(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(c, a,
	                   "SELECT id, pos, title, deadline, done, done_at, notified_at FROM "
	                   "project_stages WHERE project_id = $1 ORDER BY pos, id",
	                   p, 1, out);
}

int store_project_stage_insert(struct store_conn *c, int64_t project_id, const char *title,
                               const char *deadline, int64_t now, int64_t *sid)
{
	struct store_val p[] = {sv_int(project_id), sv_text(title), opt_text(deadline),
	                        sv_int(now)};
	return store_query_i64(
	    c,
	    "INSERT INTO project_stages (project_id, pos, title, deadline, done, "
	    "created_at) VALUES ($1, (SELECT COALESCE(MAX(pos), 0) + 1 FROM "
	    "project_stages WHERE project_id = $1), $2, $3, 0, $4) RETURNING id",
	    p, 4, sid);
}

int store_project_stage_update(struct store_conn *c, int64_t project_id, int64_t sid,
                               const char *title, const char *deadline, bool done, int64_t now)
{
	struct store_val p[] = {sv_text(title), opt_text(deadline), sv_int(done ? 1 : 0),
	                        sv_int(now),    sv_int(sid),        sv_int(project_id)};
	struct store_rows r = {0};
	int rc = store_query(c, NULL,
	                     "UPDATE project_stages SET title = $1, deadline = $2, done = $3, "
	                     "done_at = CASE WHEN $3 = 0 THEN NULL WHEN done = 1 THEN done_at ELSE "
	                     "$4 END WHERE id = $5 AND project_id = $6",
	                     p, 6, &r);
	if (!rc && !r.changes)
		return ERR_NOTFOUND;
	return rc;
}

int store_project_stage_notified(struct store_conn *c, int64_t sid, int64_t now, bool *first)
{
	*first = false;
	struct store_val p[] = {sv_int(now), sv_int(sid)};
	struct store_rows r = {0};
	int rc = store_query(c, NULL,
	                     "UPDATE project_stages SET notified_at = $1 WHERE id = $2 AND "
	                     "notified_at IS NULL",
	                     p, 2, &r);
	if (!rc)
		*first = r.changes > 0;
	return rc;
}

int store_project_stages_finish(struct store_conn *c, int64_t project_id, int64_t now)
{
	struct store_val p[] = {sv_int(now), sv_int(project_id)};
	return store_query(c, NULL,
	                   "UPDATE project_stages SET done = 1, done_at = COALESCE(done_at, $1), "
	                   "notified_at = COALESCE(notified_at, $1) WHERE project_id = $2",
	                   p, 2, NULL);
}

int store_project_residents(struct store_conn *c, struct arena *a, int64_t id,
                            struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(
	    c, a,
	    "SELECT w.uid, MIN(w.aid) FROM (SELECT x.author_id AS uid, x.id AS aid "
	    "FROM appeals x WHERE x.problem_id IN (" LINKED(
	        "$1") ") AND "
	              "x.author_id IS NOT NULL UNION ALL SELECT aa.user_id, aa.appeal_id FROM "
	              "appeal_authors aa JOIN appeals x ON x.id = aa.appeal_id WHERE "
	              "x.problem_id IN (" LINKED(
	                  "$1") ")) w JOIN users u ON u.id = w.uid "
	                        "WHERE u.login NOT LIKE 'deleted:%' GROUP BY w.uid ORDER BY w.uid",
	    p, 1, out);
}

int store_project_is_resident(struct store_conn *c, int64_t id, int64_t user_id, bool *yes)
{
	*yes = false;
	struct store_val p[] = {sv_int(id), sv_int(user_id)};
	int64_t n = 0;
	int rc = store_query_i64(c,
	                         "SELECT COUNT(*) FROM appeals x WHERE x.problem_id IN (" LINKED(
	                             "$1") ") AND (x.author_id = $2 OR EXISTS (SELECT 1 FROM "
	                                   "appeal_authors aa WHERE aa.appeal_id = x.id AND "
	                                   "aa.user_id = $2))",
	                         p, 2, &n);
	if (!rc)
		*yes = n > 0;
	return rc;
}

int store_project_feedback_put(struct store_conn *c, int64_t id, int64_t user_id, bool gone,
                               const char *comment, int64_t now)
{
	struct store_val p[] = {sv_int(id), sv_int(user_id), sv_int(gone ? 1 : 0),
	                        opt_text(comment), sv_int(now)};
	return store_query(
	    c, NULL,
	    "INSERT INTO project_feedback (project_id, user_id, gone, comment, at) "
	    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, user_id) DO UPDATE "
	    "SET gone = excluded.gone, comment = excluded.comment, at = excluded.at",
	    p, 5, NULL);
}

int store_project_feedback_get(struct store_conn *c, struct arena *a, int64_t id, int64_t user_id,
                               struct store_rows *out)
{
	struct store_val p[] = {sv_int(id), sv_int(user_id)};
	return store_query(
	    c, a,
	    "SELECT gone, comment, at FROM project_feedback WHERE project_id = $1 AND "
	    "user_id = $2",
	    p, 2, out);
}

int store_project_feedback_list(struct store_conn *c, struct arena *a, int64_t id, int64_t limit,
                                struct store_rows *out)
{
	struct store_val p[] = {sv_int(id), sv_int(limit)};
	return store_query(c, a,
	                   "SELECT gone, comment, at FROM project_feedback WHERE project_id = $1 "
	                   "ORDER BY at DESC, user_id LIMIT $2",
	                   p, 2, out);
}

int store_project_count_title(struct store_conn *c, const char *title, int64_t *n)
{
	struct store_val p[] = {sv_text(title)};
	return store_query_i64(c, "SELECT COUNT(*) FROM projects WHERE title = $1", p, 1, n);
}

int store_project_demo_appeal(struct store_conn *c, struct arena *a, const char *external_id,
                              struct store_rows *out)
{
	struct store_val p[] = {sv_text(external_id)};
	return store_query(
	    c, a,
	    "SELECT x.id, x.topic_id, x.category_id, x.territory_id, x.lat, x.lon, "
	    "x.created_at, x.problem_id, t.name FROM appeals x JOIN topics t ON t.id "
	    "= x.topic_id WHERE x.external_id = $1 ORDER BY x.id LIMIT 1",
	    p, 1, out);
}
