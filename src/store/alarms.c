/* alarms.c (store): SQL of the spike detector's alarms. */
#include "store/alarms.h"
#include "core/buf.h"
#include "core/err.h"

#include <string.h>

int store_alarm_insert(struct store_conn *c, const struct alarm_new *n, int64_t *id)
{
	struct store_val p[] = {
	    sv_text(n->kind),
	    n->problem_id ? sv_int(n->problem_id) : sv_null(),
	    n->topic_id ? sv_int(n->topic_id) : sv_null(),
	    n->category_id ? sv_int(n->category_id) : sv_null(),
	    n->territory_id ? sv_int(n->territory_id) : sv_null(),
	    n->has_point ? sv_real(n->lat) : sv_null(),
	    n->has_point ? sv_real(n->lon) : sv_null(),
	    sv_int(n->observed),
	    sv_real(n->expected),
	    sv_int(n->window_min),
	    sv_text(n->reason),
	    sv_int(n->first_at),
	    sv_int(n->at),
	    sv_text(n->appeal_ids ? n->appeal_ids : "[]"),
	};
	int64_t got = 0;
	int rc =
	    store_query_i64(c,
	                    "INSERT INTO alarms (kind, problem_id, topic_id, category_id, "
	                    "territory_id, lat, lon, observed, expected, window_min, reason, "
	                    "first_at, at, appeal_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	                    "$9, $10, $11, $12, $13, $14) RETURNING id",
	                    p, 14, &got);
	if (id)
		*id = got;
	return rc;
}

/* "$k,$k+1,…" for ids (or "-1", which matches no row); appends the values to v. */
static const char *ids_in(struct arena *a, struct store_val *v, size_t *nv, const int64_t *ids,
                          size_t n)
{
	if (!n)
		return "-1";
	struct buf b = BUF_INIT(1u << 20);
	for (size_t i = 0; i < n; i++) {
		v[(*nv)++] = sv_int(ids[i]);
		buf_printf(&b, "%s$%zu", i ? "," : "", *nv);
	}
	char *s = arena_strndup(a, b.data, b.len);
	buf_release(&b);
	return s;
}

int store_alarms_list(struct store_conn *c, struct arena *a, const struct problem_scope *sc,
                      const struct alarm_filter *f, struct store_rows *out)
{
	size_t cap = 8 + sc->nterritories + sc->nsup_orgs + sc->nexec_orgs;
	struct store_val *v = arena_alloc(a, cap * sizeof(*v));
	size_t nv = 0;
	struct buf w = BUF_INIT(1u << 20);
	const char *with = "";
	v[nv++] = sv_int(f->since_id);
	buf_printf(&w, " AND x.id > $%zu", nv);
	if (!sc->all) {
		const char *tt = ids_in(a, v, &nv, sc->territories, sc->nterritories);
		const char *so = ids_in(a, v, &nv, sc->sup_orgs, sc->nsup_orgs);
		const char *eo = ids_in(a, v, &nv, sc->exec_orgs, sc->nexec_orgs);
		with = arena_printf(
		    a,
		    "WITH RECURSIVE tt(id) AS (SELECT id FROM territories WHERE id IN (%s) "
		    "UNION SELECT t.id FROM territories t JOIN tt ON t.parent_id = tt.id), "
		    "so(id) AS (SELECT id FROM orgs WHERE id IN (%s) UNION SELECT o.id "
		    "FROM orgs o JOIN so ON o.parent_id = so.id) ",
		    tt, so);
		buf_printf(&w,
		           " AND (x.territory_id IN (SELECT id FROM tt) OR p.territory_id IN "
		           "(SELECT id FROM tt) OR EXISTS (SELECT 1 FROM appeals z WHERE "
		           "z.problem_id = x.problem_id AND (z.org_id IN (SELECT id FROM so) OR "
		           "z.org_id IN (%s))))",
		           eo);
	}
	if (f->territory_id) {
		v[nv++] = sv_int(f->territory_id);
		buf_printf(&w, " AND x.territory_id = $%zu", nv);
	}
	if (f->category_id) {
		v[nv++] = sv_int(f->category_id);
		buf_printf(&w, " AND x.category_id = $%zu", nv);
	}
	if (f->topic_id) {
		v[nv++] = sv_int(f->topic_id);
		buf_printf(&w, " AND x.topic_id = $%zu", nv);
	}
	if (f->problem_id) {
		v[nv++] = sv_int(f->problem_id);
		buf_printf(&w, " AND x.problem_id = $%zu", nv);
	}
	v[nv++] = sv_int(f->limit);
	const char *sql = arena_printf(
	    a,
	    "%sSELECT x.id, x.kind, x.problem_id, x.topic_id, x.category_id, x.territory_id, "
	    "x.lat, "
	    "x.lon, x.observed, x.expected, x.window_min, x.reason, x.first_at, x.at, "
	    "x.appeal_ids, p.label, t.name FROM alarms x LEFT JOIN problems p ON p.id = "
	    "x.problem_id LEFT JOIN topics t ON t.id = x.topic_id WHERE 1 = 1%.*s ORDER BY x.id "
	    "DESC LIMIT $%zu",
	    with, (int)w.len, w.data, nv);
	int rc = store_query(c, a, sql, v, nv, out);
	buf_release(&w);
	return rc;
}

int store_alarms_max_id(struct store_conn *c, int64_t *out)
{
	return store_query_i64(c, "SELECT COALESCE(MAX(id), 0) FROM alarms", NULL, 0, out);
}

int store_alarm_authors(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                        struct store_rows *out)
{
	struct store_val *v = arena_alloc(a, (n + 1) * sizeof(*v));
	size_t nv = 0;
	const char *in = ids_in(a, v, &nv, ids, n);
	return store_query(
	    c, a, arena_printf(a, "SELECT id, author_id FROM appeals WHERE id IN (%s)", in), v, nv,
	    out);
}

int store_alarm_returned_count(struct store_conn *c, int64_t problem_id, int64_t *out)
{
	struct store_val p[] = {sv_int(problem_id)};
	*out = 0;
	int rc = store_query_i64(
	    c, "SELECT COALESCE(MAX(returned_count), 0) FROM problems WHERE id = $1", p, 1, out);
	return rc == ERR_NOTFOUND ? 0 : rc;
}
