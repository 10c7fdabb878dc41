/* appeals.c (store): SQL for appeal records, authors and the timeline. */
#include "store/appeals.h"
#include "core/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int64_t opt_i64(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? 0 : store_rows_i64(r, i, col);
}

void store_appeal_from_row(const struct store_rows *r, size_t i, size_t o, struct appeal *ap)
{
	memset(ap, 0, sizeof(*ap));
	ap->id = store_rows_i64(r, i, o + 0);
	ap->token = store_rows_get(r, i, o + 1);
	ap->channel = store_rows_get(r, i, o + 2);
	ap->author_id = opt_i64(r, i, o + 3);
	ap->operator_id = opt_i64(r, i, o + 4);
	ap->apikey_id = opt_i64(r, i, o + 5);
	ap->person_name = store_rows_get(r, i, o + 6);
	ap->person_contact = store_rows_get(r, i, o + 7);
	ap->topic_id = opt_i64(r, i, o + 8);
	ap->category_id = opt_i64(r, i, o + 9);
	ap->territory_id = opt_i64(r, i, o + 10);
	ap->org_id = opt_i64(r, i, o + 11);
	ap->assignee_id = opt_i64(r, i, o + 12);
	enum appeal_status st = AS_SUBMITTED;
	appeal_status_parse(store_rows_get(r, i, o + 13), &st);
	ap->status = st;
	ap->text = store_rows_get(r, i, o + 14);
	ap->address = store_rows_get(r, i, o + 15);
	ap->has_point = !store_rows_isnull(r, i, o + 16) && !store_rows_isnull(r, i, o + 17);
	ap->lat = ap->has_point ? store_rows_f64(r, i, o + 16) : NAN;
	ap->lon = ap->has_point ? store_rows_f64(r, i, o + 17) : NAN;
	ap->created_at = opt_i64(r, i, o + 18);
	ap->updated_at = opt_i64(r, i, o + 19);
	ap->deadline_at = opt_i64(r, i, o + 20);
	ap->paused_at = opt_i64(r, i, o + 21);
	ap->extended = opt_i64(r, i, o + 22) != 0;
	ap->overdue = opt_i64(r, i, o + 23) != 0;
	ap->extension_reason = store_rows_get(r, i, o + 24);
	ap->answered_at = opt_i64(r, i, o + 25);
	ap->closed_at = opt_i64(r, i, o + 26);
	ap->reject_reason = store_rows_get(r, i, o + 27);
	ap->merged_into = opt_i64(r, i, o + 28);
	ap->rating = (int)opt_i64(r, i, o + 29);
	ap->rating_solved = store_rows_isnull(r, i, o + 30) ? -1 : (int)store_rows_i64(r, i, o + 30);
	ap->rating_comment = store_rows_get(r, i, o + 31);
	ap->rated_at = opt_i64(r, i, o + 32);
	ap->suggested_topic_id = opt_i64(r, i, o + 33);
	ap->problem_id = opt_i64(r, i, o + 34);
	ap->external_id = store_rows_get(r, i, o + 35);
	ap->version = opt_i64(r, i, o + 36);
}

int store_appeal_load(struct store_conn *c, struct arena *a, int64_t id, struct appeal *out)
{
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc = store_query(c, a, "SELECT " APPEAL_COLS " FROM appeals a WHERE a.id = $1", p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	store_appeal_from_row(&r, 0, 0, out);
	return 0;
}

static struct store_val opt_id(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

static struct store_val opt_ms(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

int store_appeal_update(struct store_conn *c, const struct appeal *before,
                        const struct appeal *ap, int64_t now)
{
	struct store_val p[] = {
	    sv_int(ap->id),
	    sv_int(before->version),
	    opt_id(ap->org_id),
	    opt_id(ap->assignee_id),
	    sv_text(appeal_status_name(ap->status)),
	    sv_int(appeal_status_open(ap->status) ? 1 : 0),
	    sv_int(ap->topic_id),
	    sv_int(ap->category_id),
	    sv_int(ap->territory_id),
	    opt_ms(ap->deadline_at),
	    opt_ms(ap->paused_at),
	    sv_int(ap->extended ? 1 : 0),
	    sv_text(ap->extension_reason),
	    sv_int(ap->overdue ? 1 : 0),
	    opt_ms(ap->answered_at),
	    opt_ms(ap->closed_at),
	    sv_text(ap->reject_reason),
	    opt_id(ap->merged_into),
	    ap->rating ? sv_int(ap->rating) : sv_null(),
	    ap->rating_solved >= 0 ? sv_int(ap->rating_solved) : sv_null(),
	    sv_text(ap->rating_comment),
	    opt_ms(ap->rated_at),
	    opt_id(ap->suggested_topic_id),
	    opt_id(ap->problem_id),
	    sv_int(now),
	};
	struct store_rows r;
	struct arena tmp;
	arena_init(&tmp, 512);
	int rc = store_query(c, &tmp,
	                     "UPDATE appeals SET org_id = $3, assignee_id = $4, status = $5, "
	                     "is_open = $6, topic_id = $7, category_id = $8, territory_id = $9, "
	                     "deadline_at = $10, paused_at = $11, extended = $12, "
	                     "extension_reason = $13, overdue = $14, answered_at = $15, "
	                     "closed_at = $16, reject_reason = $17, merged_into = $18, rating = $19, "
	                     "rating_solved = $20, rating_comment = $21, rated_at = $22, "
	                     "suggested_topic_id = $23, problem_id = $24, updated_at = $25, "
	                     "version = version + 1 WHERE id = $1 AND version = $2",
	                     p, sizeof(p) / sizeof(p[0]), &r);
	int64_t changes = rc ? 0 : r.changes;
	arena_release(&tmp);
	if (rc)
		return rc;
	return changes == 1 ? 0 : ERR_CONFLICT;
}

int store_appeal_author_kind(struct store_conn *c, struct arena *a, int64_t appeal_id,
                             int64_t user_id, const char **kind)
{
	struct store_val p[] = {sv_int(appeal_id), sv_int(user_id)};
	struct store_rows r;
	*kind = NULL;
	int rc = store_query(c, a,
	                     "SELECT kind FROM appeal_authors WHERE appeal_id = $1 AND user_id = $2",
	                     p, 2, &r);
	if (rc)
		return rc;
	if (r.nrows)
		*kind = store_rows_get(&r, 0, 0);
	return 0;
}

int store_appeal_event_insert(struct store_conn *c, const struct appeal_event_row *e, int64_t *id)
{
	struct store_val p[] = {
	    sv_int(e->appeal_id),   sv_int(e->at),          sv_text(e->kind),
	    opt_id(e->actor_user_id), opt_id(e->actor_apikey_id), sv_text(e->status_from),
	    sv_text(e->status_to),  sv_int(e->public ? 1 : 0), sv_text(e->text),
	    sv_text(e->data),
	};
	int64_t v = 0;
	int rc = store_query_i64(c,
	                         "INSERT INTO appeal_events (appeal_id, at, kind, actor_user_id, "
	                         "actor_apikey_id, status_from, status_to, public, text, data) "
	                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
	                         p, sizeof(p) / sizeof(p[0]), &v);
	if (id)
		*id = v;
	return rc;
}
