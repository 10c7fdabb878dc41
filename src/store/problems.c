/* problems.c (store): SQL of the text engine in the server: history, leases, problems. */
#include "store/problems.h"
#include "store/plist.h"
#include "core/buf.h"
#include "core/err.h"

#include <string.h>

int store_assist_topics(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(
	    c, a,
	    "SELECT t.id, t.category_id, t.name, t.hint, k.name, t.active FROM topics t "
	    "JOIN categories k ON k.id = t.category_id ORDER BY t.id",
	    NULL, 0, out);
}

int store_assist_appeals_page(struct store_conn *c, struct arena *a, int64_t after_id,
                              int64_t limit, struct store_rows *out)
{
	struct store_val p[] = {sv_int(after_id), sv_int(limit)};
	return store_query(
	    c, a,
	    "SELECT id, topic_id, category_id, org_id, territory_id, text, lat, lon, "
	    "created_at, is_open, problem_id FROM appeals WHERE id > $1 ORDER BY id "
	    "LIMIT $2",
	    p, 2, out);
}

int store_assist_floor_id(struct store_conn *c, int64_t keep, int64_t *out)
{
	*out = 0;
	if (keep <= 0)
		return 0;
	struct store_val p[] = {sv_int(keep)};
	int rc = store_query_i64(c, "SELECT id FROM appeals ORDER BY id DESC LIMIT 1 OFFSET $1", p,
	                         1, out);
	if (rc == ERR_NOTFOUND) {
		*out = 0;
		return 0;
	}
	return rc;
}

int store_assist_open_in_box(struct store_conn *c, struct arena *a, int64_t topic_id, double lat0,
                             double lat1, double lon0, double lon1, int64_t limit,
                             struct store_rows *out)
{
	struct store_val p[] = {sv_int(topic_id), sv_real(lat0), sv_real(lat1),
	                        sv_real(lon0),    sv_real(lon1), sv_int(limit)};
	return store_query(c, a,
	                   "SELECT id, lat, lon FROM appeals WHERE topic_id = $1 AND is_open = 1 "
	                   "AND lat BETWEEN $2 AND $3 AND lon BETWEEN $4 AND $5 "
	                   "ORDER BY created_at DESC LIMIT $6",
	                   p, 6, out);
}

int store_assist_open_in_territory(struct store_conn *c, struct arena *a, int64_t topic_id,
                                   int64_t territory_id, int64_t limit, struct store_rows *out)
{
	struct store_val p[] = {sv_int(topic_id), sv_int(territory_id), sv_int(limit)};
	return store_query(c, a,
	                   "SELECT id, lat, lon FROM appeals WHERE topic_id = $1 AND is_open = 1 "
	                   "AND territory_id = $2 ORDER BY created_at DESC LIMIT $3",
	                   p, 3, out);
}

int store_assist_briefs(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                        struct store_rows *out)
{
	struct plist pl;
	pl_init(&pl, a, n + 1);
	const char *in = pl_ids(&pl, ids, n);
	const char *sql =
	    arena_printf(a,
	                 "SELECT x.id, t.name, x.text, x.address, x.created_at, x.status, "
	                 "(SELECT COUNT(*) FROM appeal_authors w WHERE w.appeal_id = x.id AND "
	                 "w.kind = 'coauthor'), "
	                 "x.lat, x.lon, x.org_id, x.territory_id, x.is_open, x.topic_id "
	                 "FROM appeals x JOIN topics t ON t.id = x.topic_id WHERE x.id IN (%s)",
	                 in);
	return store_query(c, a, sql, pl.v, pl.n, out);
}

int store_assist_final_answers(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                               struct store_rows *out)
{
	struct plist pl;
	pl_init(&pl, a, n + 1);
	const char *in = pl_ids(&pl, ids, n);
	const char *sql =
	    arena_printf(a,
	                 "SELECT appeal_id, text FROM answers WHERE appeal_id IN (%s) "
	                 "AND kind = 'final' AND state = 'published' ORDER BY id DESC",
	                 in);
	return store_query(c, a, sql, pl.v, pl.n, out);
}

int store_assist_answer_sources(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                                struct store_rows *out)
{
	struct plist pl;
	pl_init(&pl, a, n + 1);
	const char *in = pl_ids(&pl, ids, n);
	const char *sql = arena_printf(
	    a,
	    "SELECT x.id, x.topic_id, x.rating, x.rating_solved, x.address, w.text "
	    "FROM appeals x JOIN answers w ON w.appeal_id = x.id WHERE x.id IN (%s) "
	    "AND w.kind = 'final' AND w.state = 'published' AND w.id = (SELECT MAX(v.id) FROM "
	    "answers v WHERE v.appeal_id = x.id AND v.kind = 'final' AND v.state = 'published')",
	    in);
	return store_query(c, a, sql, pl.v, pl.n, out);
}

int store_assist_topic(struct store_conn *c, struct arena *a, int64_t topic_id, const char **name,
                       const char **hint)
{
	struct store_val p[] = {sv_int(topic_id)};
	struct store_rows r = {0};
	int rc = store_query(c, a, "SELECT name, hint FROM topics WHERE id = $1", p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*name = store_rows_get(&r, 0, 0);
	*hint = store_rows_isnull(&r, 0, 1) ? NULL : store_rows_get(&r, 0, 1);
	return 0;
}

int store_lease_take(struct store_conn *c, const char *name, const char *owner, int64_t now,
                     int64_t ttl_ms, bool *held)
{
	struct arena a;
	arena_init(&a, 1024);
	struct store_rows r = {0};
	struct store_val p[] = {sv_text(name), sv_text(owner), sv_int(now), sv_int(now + ttl_ms)};
	int rc = store_query(c, &a,
	                     "UPDATE leases SET owner = $2, until = $4 WHERE name = $1 "
	                     "AND (owner = $2 OR until < $3)",
	                     p, 4, &r);
	*held = rc == 0 && r.changes == 1;
	arena_release(&a);
	return rc;
}

int store_lease_drop(struct store_conn *c, const char *name, const char *owner)
{
	struct store_val p[] = {sv_text(name), sv_text(owner)};
	return store_query(c, NULL, "UPDATE leases SET until = 0 WHERE name = $1 AND owner = $2", p,
	                   2, NULL);
}

int store_lease_until(struct store_conn *c, const char *name, int64_t *until)
{
	struct store_val p[] = {sv_text(name)};
	int rc = store_query_i64(c, "SELECT until FROM leases WHERE name = $1", p, 1, until);
	if (rc == ERR_NOTFOUND) {
		*until = 0;
		return 0;
	}
	return rc;
}

int store_problems_edited(struct store_conn *c, int64_t now)
{
	struct store_val p[] = {sv_int(now)};
	return store_query(
	    c, NULL,
	    "UPDATE leases SET until = CASE WHEN until >= $1 THEN until + 1 ELSE $1 END "
	    "WHERE name = 'problems-edit'",
	    p, 1, NULL);
}

int store_assist_unplaced(struct store_conn *c, struct arena *a, int64_t limit,
                          struct store_rows *out)
{
	struct store_val p[] = {sv_int(limit)};
	return store_query(
	    c, a,
	    "SELECT id, topic_id, category_id, territory_id, text, lat, lon, created_at, is_open "
	    "FROM appeals WHERE problem_id IS NULL ORDER BY id LIMIT $1",
	    p, 1, out);
}

int store_assist_placed_page(struct store_conn *c, struct arena *a, int64_t since_ms,
                             int64_t after_id, int64_t limit, struct store_rows *out)
{
	struct store_val p[] = {sv_int(since_ms), sv_int(after_id), sv_int(limit)};
	return store_query(
	    c, a,
	    "SELECT id, topic_id, category_id, territory_id, text, lat, lon, created_at, "
	    "problem_id FROM appeals WHERE problem_id IS NOT NULL AND created_at >= $1 "
	    "AND id > $2 ORDER BY id LIMIT $3",
	    p, 3, out);
}

int store_problem_insert(struct store_conn *c, const struct problem_new *pn, int64_t *id)
{
	struct store_val p[] = {
	    sv_int(pn->category_id),
	    pn->topic_id ? sv_int(pn->topic_id) : sv_null(),
	    sv_text(pn->label ? pn->label : ""),
	    pn->rep_appeal_id ? sv_int(pn->rep_appeal_id) : sv_null(),
	    pn->has_point ? sv_real(pn->lat) : sv_null(),
	    pn->has_point ? sv_real(pn->lon) : sv_null(),
	    pn->territory_id ? sv_int(pn->territory_id) : sv_null(),
	    sv_int(pn->first_at),
	    pn->split_from ? sv_int(pn->split_from) : sv_null(),
	    sv_int(pn->now),
	    sv_int(pn->size),
	    sv_null(), /* the id, when taken ahead */
	};
	int64_t v = 0;
	int rc = store_id_ahead(c, "problems", &v);
	if (rc)
		return rc;
	if (v) { /* sent: nothing waits for it */
		p[11] = sv_int(v);
		rc = store_send(
		    c,
		    "INSERT INTO problems (category_id, topic_id, label, rep_appeal_id, "
		    "size, lat, lon, territory_id, first_at, last_at, split_from, status, "
		    "updated_at, id) VALUES ($1, $2, $3, $4, $11, $5, $6, $7, $8, $8, $9, "
		    "'open', $10, $12)",
		    p, 12);
	} else {
		rc = store_query_i64(
		    c,
		    "INSERT INTO problems (category_id, topic_id, label, rep_appeal_id, "
		    "size, lat, lon, territory_id, first_at, last_at, split_from, "
		    "status, updated_at) VALUES ($1, $2, $3, $4, $11, $5, $6, $7, $8, "
		    "$8, $9, 'open', $10) RETURNING id",
		    p, 11, &v);
	}
	*id = rc ? 0 : v;
	return rc;
}

int store_appeal_place(struct store_conn *c, int64_t appeal_id, int64_t problem_id, int *placed)
{
	struct store_val p[] = {sv_int(problem_id), sv_int(appeal_id)};
	struct store_rows r;
	int rc = store_query(
	    c, NULL, "UPDATE appeals SET problem_id = $1 WHERE id = $2 AND problem_id IS NULL", p,
	    2, &r);
	*placed = rc ? 0 : (int)r.changes;
	return rc;
}

int store_appeals_place(struct store_conn *c, const int64_t *appeal_ids, const int64_t *problem_ids,
                        size_t n, int *placed)
{
	memset(placed, 0, n * sizeof(*placed));
	if (!n)
		return 0;
	if (store_backend(store_conn_store(c)) != STORE_PG) {
		int rc = 0;
		for (size_t i = 0; i < n && !rc; i++)
			rc = store_appeal_place(c, appeal_ids[i], problem_ids[i], &placed[i]);
		return rc;
	}
	/* one statement: the appeals and their problems as two arrays */
	struct buf ids = BUF_INIT(1 << 20), pids = BUF_INIT(1 << 20);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = buf_printf(&ids, "%s%lld", i ? "," : "{", (long long)appeal_ids[i]);
		if (!rc)
			rc = buf_printf(&pids, "%s%lld", i ? "," : "{", (long long)problem_ids[i]);
	}
	if (!rc)
		rc = buf_puts(&ids, "}");
	if (!rc)
		rc = buf_puts(&pids, "}");
	struct arena a;
	arena_init(&a, 4096);
	struct store_rows r = {0};
	if (!rc) {
		struct store_val p[] = {sv_textn(ids.data, ids.len), sv_textn(pids.data, pids.len)};
		rc =
		    store_query(c, &a,
		                "UPDATE appeals a SET problem_id = v.pid FROM unnest($1::bigint[], "
		                "$2::bigint[]) AS v(aid, pid) WHERE a.id = v.aid AND "
		                "a.problem_id IS NULL RETURNING a.id",
		                p, 2, &r);
	}
	for (size_t k = 0; !rc && k < r.nrows; k++) {
		int64_t id = store_rows_i64(&r, k, 0);
		for (size_t i = 0; i < n; i++)
			if (appeal_ids[i] == id) {
				placed[i] = 1;
				break;
			}
	}
	arena_release(&a);
	buf_release(&ids);
	buf_release(&pids);
	return rc;
}

int store_problem_grow(struct store_conn *c, int64_t id, int64_t added, int64_t first_at,
                       int64_t last_at, const char *label, int64_t rep, int64_t now)
{
	struct store_val p[] = {sv_int(id),      sv_int(added),  sv_int(first_at),
	                        sv_int(last_at), sv_text(label), rep ? sv_int(rep) : sv_null(),
	                        sv_int(now)};
	return store_send(
	    c,
	    "UPDATE problems SET size = size + $2, "
	    "first_at = CASE WHEN $2 > 0 AND (first_at IS NULL OR $3 < first_at) "
	    "THEN $3 ELSE first_at END, "
	    "last_at = CASE WHEN $2 > 0 AND (last_at IS NULL OR $4 > last_at) "
	    "THEN $4 ELSE last_at END, "
	    "label = COALESCE($5, label), rep_appeal_id = COALESCE($6, rep_appeal_id), "
	    "updated_at = $7 WHERE id = $1",
	    p, 7);
}

int store_appeal_set_suggestion(struct store_conn *c, int64_t appeal_id, int64_t topic_id)
{
	struct store_val p[] = {topic_id ? sv_int(topic_id) : sv_null(), sv_int(appeal_id)};
	return store_query(c, NULL, "UPDATE appeals SET suggested_topic_id = $1 WHERE id = $2", p,
	                   2, NULL);
}

int store_problem_refresh(struct store_conn *c, int64_t id, const char *label, int64_t rep,
                          int64_t now)
{
	struct store_val p[] = {sv_int(id), sv_text(label), rep ? sv_int(rep) : sv_null(),
	                        sv_int(now)};
	return store_query(
	    c, NULL,
	    "UPDATE problems SET "
	    "size = (SELECT COUNT(*) FROM appeals x WHERE x.problem_id = $1), "
	    "first_at = COALESCE((SELECT MIN(created_at) FROM appeals x WHERE x.problem_id = $1), "
	    "first_at), "
	    "last_at = COALESCE((SELECT MAX(created_at) FROM appeals x WHERE x.problem_id = $1), "
	    "last_at), "
	    "label = COALESCE($2, label), rep_appeal_id = COALESCE($3, rep_appeal_id), "
	    "updated_at = $4 WHERE id = $1",
	    p, 4, NULL);
}

#define PROBLEM_STATUS                                                                             \
	"CASE WHEN p.merged_into IS NOT NULL THEN 'merged' WHEN EXISTS (SELECT 1 FROM appeals y "  \
	"WHERE y.problem_id = p.id AND y.is_open = 1) THEN 'open' ELSE 'solved' END"

int store_problems_list(struct store_conn *c, struct arena *a, const struct problem_scope *sc,
                        const struct problem_filter *f, struct store_rows *out, int64_t *total)
{
	struct plist pl;
	pl_init(&pl, a, 16);
	struct buf w = BUF_INIT(1u << 20);
	const char *with = "";
	if (f->id)
		buf_printf(&w, " AND p.id = %s", pl_add(&pl, sv_int(f->id)));
	else
		buf_printf(&w, " AND p.merged_into IS NULL AND p.size > 0");
	if (!sc->all) {
		const char *tt = pl_ids(&pl, sc->territories, sc->nterritories);
		const char *so = pl_ids(&pl, sc->sup_orgs, sc->nsup_orgs);
		const char *eo = pl_ids(&pl, sc->exec_orgs, sc->nexec_orgs);
		with = arena_printf(
		    a,
		    "WITH RECURSIVE tt(id) AS (SELECT id FROM territories WHERE id IN (%s) "
		    "UNION SELECT t.id FROM territories t JOIN tt ON t.parent_id = tt.id), "
		    "so(id) AS (SELECT id FROM orgs WHERE id IN (%s) UNION SELECT o.id "
		    "FROM orgs o JOIN so ON o.parent_id = so.id) ",
		    tt, so);
		buf_printf(
		    &w,
		    " AND (p.territory_id IN (SELECT id FROM tt) OR EXISTS (SELECT 1 FROM appeals "
		    "z WHERE z.problem_id = p.id AND (z.org_id IN (SELECT id FROM so) OR z.org_id "
		    "IN (%s))))",
		    eo);
	}
	if (f->territory_id)
		buf_printf(&w, " AND p.territory_id = %s", pl_add(&pl, sv_int(f->territory_id)));
	if (f->category_id)
		buf_printf(&w, " AND p.category_id = %s", pl_add(&pl, sv_int(f->category_id)));
	if (f->topic_id)
		buf_printf(&w, " AND p.topic_id = %s", pl_add(&pl, sv_int(f->topic_id)));
	if (f->status)
		buf_printf(&w, " AND (" PROBLEM_STATUS ") = %s", pl_add(&pl, sv_text(f->status)));
	char *where = arena_strndup(a, w.data, w.len);
	buf_release(&w);

	size_t nfilter = pl.n;
	int rc = store_query_i64(
	    c, arena_printf(a, "%sSELECT COUNT(*) FROM problems p WHERE 1 = 1%s", with, where),
	    pl.v, nfilter, total);
	if (rc)
		return rc;
	const char *lim = pl_add(&pl, sv_int(f->limit));
	const char *off = pl_add(&pl, sv_int(f->offset));
	const char *sql = arena_printf(
	    a,
	    "%sSELECT p.id, p.label, p.size, p.topic_id, t.name, p.category_id, p.lat, p.lon, "
	    "p.territory_id, p.first_at, p.last_at, p.rep_appeal_id, r.text, " PROBLEM_STATUS
	    ", p.merged_into, p.split_from FROM problems p LEFT JOIN topics t ON t.id = p.topic_id "
	    "LEFT JOIN appeals r ON r.id = p.rep_appeal_id WHERE 1 = 1%s ORDER BY %s LIMIT %s "
	    "OFFSET %s",
	    with, where, f->by_size ? "p.size DESC, p.id DESC" : "p.last_at DESC, p.id DESC", lim,
	    off);
	return store_query(c, a, sql, pl.v, pl.n, out);
}

int store_problem_appeals(struct store_conn *c, struct arena *a, int64_t id, int64_t limit,
                          struct store_rows *out)
{
	struct store_val p[] = {sv_int(id), sv_int(limit)};
	return store_query(c, a,
	                   "SELECT x.id, x.status, x.topic_id, t.name, x.org_id, o.name, "
	                   "x.territory_id, x.text, x.address, x.lat, x.lon, x.created_at "
	                   "FROM appeals x JOIN topics t ON t.id = x.topic_id "
	                   "LEFT JOIN orgs o ON o.id = x.org_id WHERE x.problem_id = $1 "
	                   "ORDER BY x.created_at, x.id LIMIT $2",
	                   p, 2, out);
}

int store_problem_bodies(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(c, a,
	                   "SELECT x.org_id, o.name, COUNT(*) FROM appeals x JOIN orgs o ON "
	                   "o.id = x.org_id WHERE x.problem_id = $1 GROUP BY x.org_id, o.name "
	                   "ORDER BY COUNT(*) DESC, x.org_id",
	                   p, 1, out);
}

int store_problem_row(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	int rc = store_query(c, a,
	                     "SELECT id, territory_id, merged_into, category_id, topic_id, label "
	                     "FROM problems WHERE id = $1",
	                     p, 1, out);
	if (!rc && out->nrows == 0)
		rc = ERR_NOTFOUND;
	return rc;
}

int store_problem_merge(struct store_conn *c, int64_t a_id, int64_t b_id, int64_t now)
{
	struct store_val p[] = {sv_int(a_id), sv_int(b_id), sv_int(now)};
	int rc = store_query(c, NULL, "UPDATE appeals SET problem_id = $1 WHERE problem_id = $2", p,
	                     2, NULL);
	if (!rc)
		rc = store_query(
		    c, NULL,
		    "UPDATE problems SET merged_into = $1, status = 'merged', size = 0, "
		    "updated_at = $3 WHERE id = $2",
		    p, 3, NULL);
	/* problems merged into b earlier now point at a directly (one hop to the live one) */
	if (!rc)
		rc = store_query(c, NULL,
		                 "UPDATE problems SET merged_into = $1, updated_at = $3 WHERE "
		                 "merged_into = $2",
		                 p, 3, NULL);
	if (!rc)
		rc = store_problem_refresh(c, a_id, NULL, 0, now);
	return rc;
}

int store_problem_count_members(struct store_conn *c, struct arena *a, int64_t id,
                                const int64_t *appeal_ids, size_t n, int64_t *count)
{
	if (!n) {
		struct store_val p[] = {sv_int(id)};
		return store_query_i64(c, "SELECT COUNT(*) FROM appeals WHERE problem_id = $1", p,
		                       1, count);
	}
	struct plist pl;
	pl_init(&pl, a, n + 2);
	const char *pid = pl_add(&pl, sv_int(id));
	const char *in = pl_ids(&pl, appeal_ids, n);
	return store_query_i64(
	    c,
	    arena_printf(a, "SELECT COUNT(*) FROM appeals WHERE problem_id = %s AND id IN (%s)",
	                 pid, in),
	    pl.v, pl.n, count);
}

int store_problem_split(struct store_conn *c, struct arena *a, int64_t id,
                        const int64_t *appeal_ids, size_t n, int64_t now, int64_t *new_id)
{
	struct store_rows r = {0};
	int rc = store_problem_row(c, a, id, &r);
	if (rc)
		return rc;
	struct problem_new pn = {
	    .category_id = store_rows_i64(&r, 0, 3),
	    .topic_id = store_rows_isnull(&r, 0, 4) ? 0 : store_rows_i64(&r, 0, 4),
	    .territory_id = store_rows_isnull(&r, 0, 1) ? 0 : store_rows_i64(&r, 0, 1),
	    .label = store_rows_get(&r, 0, 5),
	    .rep_appeal_id = appeal_ids[0],
	    .split_from = id,
	    .first_at = now,
	    .now = now,
	};
	/* the new problem's place: its first appeal's point */
	struct store_rows pt = {0};
	struct store_val p1[] = {sv_int(appeal_ids[0])};
	rc = store_query(c, a, "SELECT lat, lon FROM appeals WHERE id = $1", p1, 1, &pt);
	if (rc)
		return rc;
	if (pt.nrows && !store_rows_isnull(&pt, 0, 0) && !store_rows_isnull(&pt, 0, 1)) {
		pn.has_point = true;
		pn.lat = store_rows_f64(&pt, 0, 0);
		pn.lon = store_rows_f64(&pt, 0, 1);
	}
	rc = store_problem_insert(c, &pn, new_id);
	if (rc)
		return rc;
	struct plist pl;
	pl_init(&pl, a, n + 2);
	const char *np = pl_add(&pl, sv_int(*new_id));
	const char *op = pl_add(&pl, sv_int(id));
	const char *in = pl_ids(&pl, appeal_ids, n);
	rc =
	    store_query(c, a,
	                arena_printf(a,
	                             "UPDATE appeals SET problem_id = %s WHERE problem_id = %s AND "
	                             "id IN (%s)",
	                             np, op, in),
	                pl.v, pl.n, NULL);
	if (!rc)
		rc = store_problem_refresh(c, *new_id, NULL, 0, now);
	if (!rc)
		rc = store_problem_refresh(c, id, NULL, 0, now);
	return rc;
}
