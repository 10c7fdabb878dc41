/* bulk.c (store): fast row writers for imports, the synthetic generator and the raw-insert
 * benchmark. Each is one cached statement; callers put thousands of them in one transaction. */
#include "store/bulk.h"
#include "core/err.h"

#include <string.h>

static struct store_val opt_id(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

int bulk_appeal_insert(struct store_conn *c, const struct bulk_appeal *b, int64_t *id)
{
	struct store_val p[] = {
	    sv_text(b->token),
	    sv_text(b->channel),
	    sv_int(b->topic_id),
	    sv_int(b->category_id),
	    sv_int(b->territory_id),
	    opt_id(b->org_id),
	    sv_text(b->status),
	    sv_int(b->is_open ? 1 : 0),
	    sv_text(b->text),
	    sv_text(b->address),
	    b->has_point ? sv_real(b->lat) : sv_null(),
	    b->has_point ? sv_real(b->lon) : sv_null(),
	    sv_text(b->search ? b->search : ""),
	    sv_int(b->created_at),
	    sv_int(b->updated_at ? b->updated_at : b->created_at),
	    sv_int(b->day),
	    opt_id(b->deadline_at),
	    sv_int(b->overdue ? 1 : 0),
	    opt_id(b->answered_at),
	    opt_id(b->closed_at),
	    sv_text(b->reject_reason),
	    b->rating ? sv_int(b->rating) : sv_null(),
	    b->rating_solved >= 0 ? sv_int(b->rating_solved) : sv_null(),
	    opt_id(b->rated_at),
	    sv_text(b->external_id),
	};
	int64_t v = 0;
	int rc = store_query_i64(
	    c,
	    "INSERT INTO appeals (token, channel, topic_id, category_id, territory_id, org_id, "
	    "status, is_open, text, address, lat, lon, search, created_at, updated_at, day, "
	    "deadline_at, overdue, answered_at, closed_at, reject_reason, rating, rating_solved, "
	    "rated_at, external_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
	    "$13, "
	    "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id",
	    p, sizeof(p) / sizeof(p[0]), &v);
	if (id)
		*id = v;
	return rc;
}

int bulk_answer_insert(struct store_conn *c, int64_t appeal_id, const char *kind, const char *text,
                       int64_t org_id, int64_t at)
{
	struct store_val p[] = {sv_int(appeal_id), sv_text(kind), sv_text(text), opt_id(org_id),
	                        sv_int(at)};
	return store_query(c, NULL,
	                   "INSERT INTO answers (appeal_id, kind, state, text, org_id, created_at, "
	                   "published_at) VALUES ($1, $2, 'published', $3, $4, $5, $5)",
	                   p, 5, NULL);
}

int bulk_route_insert(struct store_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                      int64_t from_org_id, int64_t to_org_id, const char *reason)
{
	struct store_val p[] = {sv_int(appeal_id),   sv_int(at),        sv_text(kind),
	                        opt_id(from_org_id), opt_id(to_org_id), sv_text(reason)};
	return store_query(
	    c, NULL,
	    "INSERT INTO appeal_routes (appeal_id, at, kind, from_org_id, to_org_id, "
	    "reason) VALUES ($1, $2, $3, $4, $5, $6)",
	    p, 6, NULL);
}

int bulk_event_insert(struct store_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                      const char *status_from, const char *status_to, const char *text)
{
	struct store_val p[] = {sv_int(appeal_id),    sv_int(at),         sv_text(kind),
	                        sv_text(status_from), sv_text(status_to), sv_text(text)};
	return store_query(
	    c, NULL,
	    "INSERT INTO appeal_events (appeal_id, at, kind, status_from, status_to, "
	    "public, text) VALUES ($1, $2, $3, $4, $5, 1, $6)",
	    p, 6, NULL);
}

int bulk_external_ids(struct store_conn *c, struct arena *a, const char *channel,
                      struct store_rows *out)
{
	struct store_val p[] = {sv_text(channel)};
	return store_query(
	    c, a,
	    "SELECT external_id FROM appeals WHERE channel = $1 AND external_id IS NOT "
	    "NULL",
	    p, 1, out);
}

int bulk_gen_appeals(struct store_conn *c, const struct bulk_gen *g, int64_t *inserted)
{
	int64_t first = 0, norgs = 0;
	int rc = bulk_orgs_by_prefix(c, g->org_prefix, &first, &norgs);
	if (rc)
		return rc;
	if (!norgs)
		return ERR_NOTFOUND;
	struct arena a;
	arena_init(&a, 256);
	char *like = arena_printf(&a, "%s%%", g->org_prefix);
	struct store_val p[] = {
	    sv_int(g->first),       sv_int(g->last),          sv_text(like),
	    sv_int(g->now),         sv_text(g->token_prefix), sv_int(g->topic_id),
	    sv_int(g->category_id), sv_int(g->territory_id),  sv_int(g->tz_offset_ms),
	    sv_int(norgs),
	};
	/* (n / orgs) % 20 decides the status (independent of the org, n % orgs): 0–5 in_progress,
	 * 6–9 routed, 10 redirected, 11 clarification (open: 60 %), 12–13 answered, 14–18 closed,
	 * 19 rejected. Created over the 120 days before now; deadline 14 days after creation. */
	struct store_rows r;
	rc = store_query(
	    c, &a,
	    "INSERT INTO appeals (token, channel, topic_id, category_id, territory_id, org_id, "
	    "status, is_open, text, search, created_at, updated_at, day, deadline_at, paused_at, "
	    "overdue, answered_at, closed_at, reject_reason) "
	    "WITH RECURSIVE seq(n) AS (SELECT CAST($1 AS BIGINT) UNION ALL "
	    "SELECT n + 1 FROM seq WHERE n < $2), "
	    "o AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM orgs WHERE code LIKE "
	    "$3), "
	    "g AS (SELECT n, (n / $10) % 20 AS m, $4 - ((n * 7919) % 10368000) * 1000 AS cr FROM "
	    "seq) "
	    "SELECT CAST($5 AS TEXT) || CAST(n AS TEXT), 'api', $6, $7, $8, o.id, "
	    "CASE WHEN m < 6 THEN 'in_progress' WHEN m < 10 THEN 'routed' "
	    "WHEN m = 10 THEN 'redirected' WHEN m = 11 THEN 'clarification' "
	    "WHEN m < 14 THEN 'answered' WHEN m < 19 THEN 'closed' ELSE 'rejected' END, "
	    "CASE WHEN m < 12 THEN 1 ELSE 0 END, "
	    "'Синтетическое обращение № ' || CAST(n AS TEXT) || ': во дворе дома не убран мусор, "
	    "прошу принять меры', "
	    "'синтетическое обращение № ' || CAST(n AS TEXT) || ': во дворе дома не убран мусор, "
	    "прошу принять меры', "
	    "cr, cr, (cr + $9) / 86400000, "
	    "CASE WHEN m < 12 THEN cr + 1209600000 ELSE NULL END, "
	    "CASE WHEN m = 11 THEN cr + 86400000 ELSE NULL END, "
	    "CASE WHEN m < 12 AND cr + 1209600000 < $4 THEN 1 ELSE 0 END, "
	    "CASE WHEN m >= 12 AND m < 19 THEN cr + 432000000 ELSE NULL END, "
	    "CASE WHEN m >= 14 AND m < 19 THEN cr + 864000000 ELSE NULL END, "
	    "CASE WHEN m = 19 THEN 'no_content' ELSE NULL END "
	    "FROM g JOIN o ON o.k = g.n % $10",
	    p, sizeof(p) / sizeof(p[0]), &r);
	if (!rc && inserted)
		*inserted = r.changes;
	arena_release(&a);
	return rc;
}

int bulk_gen_spread(struct store_conn *c, const struct bulk_spread *g, int64_t *inserted)
{
	int64_t nt = 0, np = 0, nb = 0;
	int rc = store_query_i64(c, "SELECT COUNT(*) FROM territories WHERE code LIKE 'gen-m-%'",
	                         NULL, 0, &nt);
	if (!rc)
		rc = store_query_i64(c, "SELECT COUNT(*) FROM topics WHERE code LIKE 'gen-t-%'",
		                     NULL, 0, &np);
	if (!rc)
		rc = store_query_i64(c, "SELECT COUNT(*) FROM orgs WHERE code LIKE 'gen-b-%'", NULL,
		                     0, &nb);
	if (rc)
		return rc;
	if (!nt || !np || nb < (nt / 4) * 3)
		return ERR_NOTFOUND;
	struct arena a;
	arena_init(&a, 256);
	struct store_val p[] = {
	    sv_int(g->first),         sv_int(g->last),         sv_int(g->now), sv_int(g->days),
	    sv_text(g->token_prefix), sv_int(g->tz_offset_ms), sv_int(nt),     sv_int(np),
	    sv_int(g->count)};
	/* h: per appeal the municipality ti, topic pi, behaviour of its region beh (0 best .. 4
	 * worst), creation time cr, answer delay dh (hours) and a dice m (0..19). Creation times
	 * grow with n (up to a 10-minute jitter), as a real intake's do, so the time-ordered
	 * indexes are appended to rather than rewritten all over at every chunk. */
	struct store_rows r;
	rc = store_query(
	    c, &a,
	    "INSERT INTO appeals (token, channel, topic_id, category_id, territory_id, org_id, "
	    "status, is_open, text, search, created_at, updated_at, day, deadline_at, overdue, "
	    "answered_at, closed_at, rated_at, rating, rating_solved, reject_reason) "
	    "WITH RECURSIVE seq(n) AS (SELECT CAST($1 AS BIGINT) UNION ALL "
	    "SELECT n + 1 FROM seq WHERE n < $2), "
	    "t AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM territories "
	    "WHERE code LIKE 'gen-m-%'), "
	    "tp AS (SELECT id, category_id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM topics "
	    "WHERE code LIKE 'gen-t-%'), "
	    "o AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM orgs "
	    "WHERE code LIKE 'gen-b-%'), "
	    "h0 AS (SELECT n, (n * 40503) % $7 AS ti, ((n / 7) * 2654435) % $8 AS pi, n % 20 AS m, "
	    "$3 - $4 * 86400000 + (n * $4 * 86400000) / $9 + (n * 7919) % 600000 - 600000 AS cr "
	    "FROM seq), "
	    "h AS (SELECT h0.*, (ti / 4) % 5 AS beh, 6 + ((ti / 4) % 5) * 70 + (n % 97) * 2 AS dh "
	    "FROM h0), "
	    "x AS (SELECT h.*, CASE WHEN m = 19 THEN 'rej' WHEN m = 0 OR cr + dh * 3600000 > $3 "
	    "THEN 'open' ELSE 'ans' END AS st, "
	    "CASE WHEN (n / 7) % 10 < 8 - 2 * beh THEN 5 - (n / 3) % 2 ELSE 1 + (n / 3) % 3 END AS "
	    "rt FROM h) "
	    "SELECT CAST($5 AS TEXT) || CAST(n AS TEXT), 'web', tp.id, tp.category_id, t.id, o.id, "
	    "CASE WHEN st = 'rej' THEN 'rejected' WHEN st = 'open' THEN 'in_progress' "
	    /* unrated answers older than 30 days are closed, as the scanner would have done */
	    "WHEN m >= 12 AND cr + dh * 3600000 > $3 - 2592000000 THEN 'answered' "
	    "WHEN m >= 12 THEN 'closed' WHEN rt >= 4 THEN 'closed' ELSE 'rereview' END, "
	    "CASE WHEN st = 'open' OR (st = 'ans' AND m < 12 AND rt < 4) THEN 1 ELSE 0 END, "
	    "'Синтетическое обращение № ' || CAST(n AS TEXT), "
	    "'синтетическое обращение № ' || CAST(n AS TEXT), "
	    "cr, cr, (cr + $6) / 86400000, cr + 1209600000, "
	    /* every open appeal past its deadline is already overdue, as the scanner would have
	     * left it (else a server started on the data escalates millions of them) */
	    "CASE WHEN (st = 'open' OR (st = 'ans' AND m < 12 AND rt < 4)) AND "
	    "cr + 1209600000 < $3 THEN 1 ELSE 0 END, "
	    "CASE WHEN st = 'ans' THEN cr + dh * 3600000 ELSE NULL END, "
	    "CASE WHEN st = 'rej' THEN cr + 86400000 WHEN st = 'ans' AND m < 12 AND rt >= 4 "
	    "THEN cr + dh * 3600000 + 86400000 WHEN st = 'ans' AND m >= 12 AND "
	    "cr + dh * 3600000 <= $3 - 2592000000 THEN cr + dh * 3600000 + 2592000000 ELSE NULL "
	    "END, "
	    "CASE WHEN st = 'ans' AND m < 12 THEN cr + dh * 3600000 + 86400000 ELSE NULL END, "
	    "CASE WHEN st = 'ans' AND m < 12 THEN rt ELSE NULL END, "
	    "CASE WHEN st = 'ans' AND m < 12 THEN (CASE WHEN rt >= 4 THEN 1 ELSE 0 END) ELSE NULL "
	    "END, "
	    "CASE WHEN st = 'rej' THEN 'no_content' ELSE NULL END "
	    "FROM x JOIN t ON t.k = x.ti JOIN tp ON tp.k = x.pi JOIN o ON o.k = (x.ti / 4) * 3 + "
	    "x.pi % 3",
	    p, sizeof(p) / sizeof(p[0]), &r);
	if (!rc && inserted)
		*inserted = r.changes;
	arena_release(&a);
	return rc;
}

int bulk_region_codes(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(
	    c, a,
	    "SELECT code, name FROM territories WHERE kind = 'region' AND code NOT LIKE "
	    "'gen-%' ORDER BY id",
	    NULL, 0, out);
}

int bulk_count_appeals(struct store_conn *c, int64_t *n)
{
	return store_query_i64(c, "SELECT COUNT(*) FROM appeals", NULL, 0, n);
}

int bulk_orgs_by_prefix(struct store_conn *c, const char *prefix, int64_t *first, int64_t *n)
{
	struct arena a;
	arena_init(&a, 256);
	struct store_val p[] = {sv_text(arena_printf(&a, "%s%%", prefix))};
	struct store_rows r;
	int rc =
	    store_query(c, &a, "SELECT COUNT(*), MIN(id) FROM orgs WHERE code LIKE $1", p, 1, &r);
	if (!rc) {
		*n = r.nrows ? store_rows_i64(&r, 0, 0) : 0;
		*first = r.nrows && !store_rows_isnull(&r, 0, 1) ? store_rows_i64(&r, 0, 1) : 0;
	}
	arena_release(&a);
	return rc;
}
