/* appeal_flow.c (store): SQL of the appeal workflow and the deadline scanner. */
#include "store/appeal_flow.h"
#include "core/err.h"

#include <string.h>

static struct store_val opt_id(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

/* Runs a DML statement and reports how many rows it changed. */
static int exec_changes(struct store_conn *c, const char *sql, const struct store_val *p, size_t n,
                        int64_t *changes)
{
	struct arena tmp;
	arena_init(&tmp, 256);
	struct store_rows r;
	int rc = store_query(c, &tmp, sql, p, n, &r);
	if (changes)
		*changes = rc ? 0 : r.changes;
	arena_release(&tmp);
	return rc;
}

int store_flow_org(struct store_conn *c, int64_t org_id, bool *active, bool *approval_required)
{
	struct store_val p[] = {sv_int(org_id)};
	struct arena tmp;
	arena_init(&tmp, 256);
	struct store_rows r;
	int rc = store_query(c, &tmp, "SELECT active, approval_required FROM orgs WHERE id = $1", p,
	                     1, &r);
	if (!rc && !r.nrows)
		rc = ERR_NOTFOUND;
	if (!rc) {
		*active = store_rows_i64(&r, 0, 0) != 0;
		*approval_required = store_rows_i64(&r, 0, 1) != 0;
	}
	arena_release(&tmp);
	return rc;
}

int store_flow_topic(struct store_conn *c, int64_t topic_id, int64_t *category_id, bool *active,
                     bool *redirect_resets)
{
	struct store_val p[] = {sv_int(topic_id)};
	struct arena tmp;
	arena_init(&tmp, 256);
	struct store_rows r;
	int rc = store_query(
	    c, &tmp, "SELECT category_id, active, redirect_resets FROM topics WHERE id = $1", p, 1,
	    &r);
	if (!rc && !r.nrows)
		rc = ERR_NOTFOUND;
	if (!rc) {
		*category_id = store_rows_i64(&r, 0, 0);
		*active = store_rows_i64(&r, 0, 1) != 0;
		*redirect_resets = store_rows_i64(&r, 0, 2) != 0;
	}
	arena_release(&tmp);
	return rc;
}

int store_flow_is_executor(struct store_conn *c, int64_t user_id, int64_t org_id, bool *ok)
{
	struct store_val p[] = {sv_int(user_id), sv_int(org_id)};
	int64_t n = 0;
	*ok = false;
	int rc = store_query_i64(c,
	                         "SELECT COUNT(*) FROM role_grants WHERE user_id = $1 AND "
	                         "org_id = $2 AND role = 'executor'",
	                         p, 2, &n);
	if (rc)
		return rc;
	*ok = n > 0;
	return 0;
}

int store_flow_route_add(struct store_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                         int64_t from_org_id, int64_t to_org_id, const char *reason,
                         int64_t actor_user_id)
{
	struct store_val p[] = {sv_int(appeal_id),    sv_int(at),        sv_text(kind),
	                        opt_id(from_org_id),  opt_id(to_org_id), sv_text(reason),
	                        opt_id(actor_user_id)};
	return exec_changes(
	    c,
	    "INSERT INTO appeal_routes (appeal_id, at, kind, from_org_id, to_org_id, "
	    "reason, actor_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	    p, sizeof(p) / sizeof(p[0]), NULL);
}

int store_flow_answer_add(struct store_conn *c, int64_t appeal_id, const char *kind,
                          const char *state, const char *text, int64_t org_id, int64_t author_id,
                          int64_t created_at, int64_t published_at, int64_t *id)
{
	struct store_val p[] = {sv_int(appeal_id),  sv_text(kind),       sv_text(state),
	                        sv_text(text),      opt_id(org_id),      opt_id(author_id),
	                        sv_int(created_at), opt_id(published_at)};
	return store_query_i64(
	    c,
	    "INSERT INTO answers (appeal_id, kind, state, text, org_id, author_id, "
	    "created_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	    "RETURNING id",
	    p, sizeof(p) / sizeof(p[0]), id);
}

int store_flow_answer_review(struct store_conn *c, struct arena *a, int64_t appeal_id,
                             const char *state, int64_t reviewer_id, const char *comment,
                             int64_t now, const char **text)
{
	struct store_val q[] = {sv_int(appeal_id)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT id, text FROM answers WHERE appeal_id = $1 AND kind = 'final' "
	                     "AND state = 'pending' ORDER BY id DESC",
	                     q, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	int64_t id = store_rows_i64(&r, 0, 0);
	*text = store_rows_get(&r, 0, 1);
	bool publish = !strcmp(state, "published");
	struct store_val p[] = {sv_int(id), sv_text(state), opt_id(reviewer_id), sv_text(comment),
	                        publish ? sv_int(now) : sv_null()};
	return exec_changes(c,
	                    "UPDATE answers SET state = $2, reviewer_id = $3, review_comment = $4, "
	                    "published_at = $5 WHERE id = $1",
	                    p, sizeof(p) / sizeof(p[0]), NULL);
}

int store_flow_coauthors_merge(struct store_conn *c, int64_t from_id, int64_t into_id, int64_t now,
                               int64_t *added)
{
	struct store_val p[] = {sv_int(from_id), sv_int(into_id), sv_int(now)};
	return exec_changes(c,
	                    "INSERT INTO appeal_authors (appeal_id, user_id, kind, joined_at) "
	                    "SELECT $2, user_id, 'coauthor', $3 FROM appeal_authors "
	                    "WHERE appeal_id = $1 ON CONFLICT (appeal_id, user_id) DO NOTHING",
	                    p, 3, added);
}

int store_flow_due_soon_reset(struct store_conn *c, int64_t appeal_id)
{
	struct store_val p[] = {sv_int(appeal_id)};
	return exec_changes(c, "UPDATE appeals SET due_soon_sent = 0 WHERE id = $1", p, 1, NULL);
}

/* --- the scanner ----------------------------------------------------------------------- */

static int scan_ids(struct store_conn *c, const char *sql, const struct store_val *p, size_t np,
                    int64_t *ids, int64_t *second, size_t *n)
{
	struct arena tmp;
	arena_init(&tmp, 4096);
	struct store_rows r;
	*n = 0;
	int rc = store_query(c, &tmp, sql, p, np, &r);
	if (!rc) {
		for (size_t i = 0; i < r.nrows; i++) {
			ids[i] = store_rows_i64(&r, i, 0);
			if (second)
				second[i] = store_rows_i64(&r, i, 1);
		}
		*n = r.nrows;
	}
	arena_release(&tmp);
	return rc;
}

int store_flow_scan_overdue(struct store_conn *c, int64_t now, int limit, int64_t *ids, size_t *n)
{
	struct store_val p[] = {sv_int(now), sv_int(limit)};
	return scan_ids(c,
	                "SELECT id FROM appeals WHERE is_open = 1 AND overdue = 0 AND "
	                "paused_at IS NULL AND deadline_at IS NOT NULL AND deadline_at < $1 "
	                "ORDER BY deadline_at, id LIMIT $2",
	                p, 2, ids, NULL, n);
}

int store_flow_claim_overdue(struct store_conn *c, int64_t id, int64_t now, bool *claimed)
{
	struct store_val p[] = {sv_int(id), sv_int(now)};
	int64_t n = 0;
	int rc = exec_changes(c,
	                      "UPDATE appeals SET overdue = 1, escalated_at = $2, "
	                      "version = version + 1 WHERE id = $1 AND overdue = 0 AND is_open = 1 "
	                      "AND paused_at IS NULL AND deadline_at < $2",
	                      p, 2, &n);
	*claimed = !rc && n == 1;
	return rc;
}

int store_flow_scan_due_soon(struct store_conn *c, int64_t horizon, int limit, int64_t *ids,
                             int64_t *deadlines, size_t *n)
{
	struct store_val p[] = {sv_int(horizon), sv_int(limit)};
	return scan_ids(c,
	                "SELECT id, deadline_at FROM appeals WHERE is_open = 1 AND overdue = 0 AND "
	                "due_soon_sent = 0 AND paused_at IS NULL AND deadline_at IS NOT NULL AND "
	                "deadline_at < $1 ORDER BY deadline_at, id LIMIT $2",
	                p, 2, ids, deadlines, n);
}

int store_flow_claim_due_soon(struct store_conn *c, int64_t id, bool *claimed)
{
	struct store_val p[] = {sv_int(id)};
	int64_t n = 0;
	int rc = exec_changes(c,
	                      "UPDATE appeals SET due_soon_sent = 1 WHERE id = $1 AND "
	                      "due_soon_sent = 0 AND overdue = 0 AND is_open = 1",
	                      p, 1, &n);
	*claimed = !rc && n == 1;
	return rc;
}

int store_flow_scan_unrated(struct store_conn *c, int64_t cutoff, int limit, int64_t *ids,
                            size_t *n)
{
	struct store_val p[] = {sv_int(cutoff), sv_int(limit)};
	return scan_ids(c,
	                "SELECT id FROM appeals WHERE status = 'answered' AND answered_at < $1 AND "
	                "(rating IS NULL OR rated_at < answered_at) ORDER BY answered_at, id "
	                "LIMIT $2",
	                p, 2, ids, NULL, n);
}

int store_flow_claim_auto_close(struct store_conn *c, int64_t id, int64_t cutoff, int64_t now,
                                bool *claimed)
{
	struct store_val p[] = {sv_int(id), sv_int(cutoff), sv_int(now)};
	int64_t n = 0;
	int rc = exec_changes(c,
	                      "UPDATE appeals SET status = 'closed', is_open = 0, closed_at = $3, "
	                      "updated_at = $3, version = version + 1 WHERE id = $1 AND "
	                      "status = 'answered' AND answered_at < $2 AND "
	                      "(rating IS NULL OR rated_at < answered_at)",
	                      p, 3, &n);
	*claimed = !rc && n == 1;
	return rc;
}
