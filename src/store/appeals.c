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
	ap->rating_solved =
	    store_rows_isnull(r, i, o + 30) ? -1 : (int)store_rows_i64(r, i, o + 30);
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
	int rc =
	    store_query(c, a, "SELECT " APPEAL_COLS " FROM appeals a WHERE a.id = $1", p, 1, &r);
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

int store_appeal_update(struct store_conn *c, const struct appeal *before, const struct appeal *ap,
                        int64_t now)
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
	    sv_int(now),
	};
	struct store_rows r;
	struct arena tmp;
	arena_init(&tmp, 512);
	int rc =
	    store_query(c, &tmp,
	                "UPDATE appeals SET org_id = $3, assignee_id = $4, status = $5, "
	                "is_open = $6, topic_id = $7, category_id = $8, territory_id = $9, "
	                "deadline_at = $10, paused_at = $11, extended = $12, "
	                "extension_reason = $13, overdue = $14, answered_at = $15, "
	                "closed_at = $16, reject_reason = $17, merged_into = $18, rating = $19, "
	                "rating_solved = $20, rating_comment = $21, rated_at = $22, "
	                "updated_at = $23, "
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
	int rc = store_query(
	    c, a, "SELECT kind FROM appeal_authors WHERE appeal_id = $1 AND user_id = $2", p, 2,
	    &r);
	if (rc)
		return rc;
	if (r.nrows)
		*kind = store_rows_get(&r, 0, 0);
	return 0;
}

int store_appeal_event_insert(struct store_conn *c, const struct appeal_event_row *e, int64_t *id)
{
	struct store_val p[] = {
	    sv_int(e->appeal_id),
	    sv_int(e->at),
	    sv_text(e->kind),
	    opt_id(e->actor_user_id),
	    opt_id(e->actor_apikey_id),
	    sv_text(e->status_from),
	    sv_text(e->status_to),
	    sv_int(e->public ? 1 : 0),
	    sv_text(e->text),
	    sv_text(e->data),
	    sv_null(), /* the id, when taken ahead */
	};
	int64_t v = 0;
	int rc = store_id_ahead(c, "appeal_events", &v);
	if (rc)
		return rc;
	if (v) { /* sent: nothing waits for it */
		p[10] = sv_int(v);
		rc = store_send(c,
		                "INSERT INTO appeal_events (appeal_id, at, kind, actor_user_id, "
		                "actor_apikey_id, status_from, status_to, public, text, data, id) "
		                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		                p, sizeof(p) / sizeof(p[0]));
	} else {
		rc = store_query_i64(
		    c,
		    "INSERT INTO appeal_events (appeal_id, at, kind, actor_user_id, "
		    "actor_apikey_id, status_from, status_to, public, text, data) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
		    p, sizeof(p) / sizeof(p[0]) - 1, &v);
	}
	if (id)
		*id = rc ? 0 : v;
	return rc;
}

/* --- submission ------------------------------------------------------------------------- */

int store_topic_state(struct store_conn *c, int64_t topic_id, int64_t *category_id, bool *active)
{
	struct store_val p[] = {sv_int(topic_id)};
	struct store_rows r;
	struct arena tmp;
	arena_init(&tmp, 256);
	int rc =
	    store_query(c, &tmp, "SELECT category_id, active FROM topics WHERE id = $1", p, 1, &r);
	if (!rc && !r.nrows)
		rc = ERR_NOTFOUND;
	if (!rc) {
		*category_id = store_rows_i64(&r, 0, 0);
		*active = store_rows_i64(&r, 0, 1) != 0;
	}
	arena_release(&tmp);
	return rc;
}

int store_appeal_insert(struct store_conn *c, const struct appeal *ap, const char *search,
                        int64_t day, int64_t *id)
{
	struct store_val p[] = {
	    sv_text(ap->token),
	    sv_text(ap->channel),
	    opt_id(ap->author_id),
	    opt_id(ap->operator_id),
	    opt_id(ap->apikey_id),
	    sv_text(ap->person_name),
	    sv_text(ap->person_contact),
	    sv_int(ap->topic_id),
	    sv_int(ap->category_id),
	    sv_int(ap->territory_id),
	    opt_id(ap->org_id),
	    opt_id(ap->assignee_id),
	    sv_text(appeal_status_name(ap->status)),
	    sv_int(appeal_status_open(ap->status) ? 1 : 0),
	    sv_text(ap->text),
	    sv_text(ap->address),
	    ap->has_point ? sv_real(ap->lat) : sv_null(),
	    ap->has_point ? sv_real(ap->lon) : sv_null(),
	    sv_text(search ? search : ""),
	    sv_int(ap->created_at),
	    sv_int(ap->updated_at ? ap->updated_at : ap->created_at),
	    sv_int(day),
	    opt_ms(ap->deadline_at),
	    opt_ms(ap->paused_at),
	    sv_int(ap->extended ? 1 : 0),
	    sv_text(ap->extension_reason),
	    sv_int(ap->overdue ? 1 : 0),
	    opt_ms(ap->answered_at),
	    opt_ms(ap->closed_at),
	    sv_text(ap->reject_reason),
	    ap->rating ? sv_int(ap->rating) : sv_null(),
	    ap->rating_solved >= 0 ? sv_int(ap->rating_solved) : sv_null(),
	    sv_text(ap->rating_comment),
	    opt_ms(ap->rated_at),
	    opt_id(ap->suggested_topic_id),
	    opt_id(ap->problem_id),
	    sv_text(ap->external_id),
	    sv_null(), /* the id, when taken ahead */
	};
#define APPEAL_COLUMNS                                                                             \
	"token, channel, author_id, operator_id, apikey_id, person_name, person_contact, "         \
	"topic_id, "                                                                               \
	"category_id, territory_id, org_id, assignee_id, status, is_open, text, address, lat, "    \
	"lon, "                                                                                    \
	"search, created_at, updated_at, day, deadline_at, paused_at, extended, "                  \
	"extension_reason, "                                                                       \
	"overdue, answered_at, closed_at, reject_reason, rating, rating_solved, rating_comment, "  \
	"rated_at, suggested_topic_id, problem_id, external_id, version"
#define APPEAL_PARAMS                                                                              \
	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "   \
	"$20, "                                                                                    \
	"$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, 1"
	int64_t v = 0;
	int rc = store_id_ahead(c, "appeals", &v);
	if (rc)
		return rc;
	if (v) { /* sent: nothing waits for it */
		p[37] = sv_int(v);
		rc = store_send(c,
		                "INSERT INTO appeals (" APPEAL_COLUMNS
		                ", id) VALUES (" APPEAL_PARAMS ", $38)",
		                p, sizeof(p) / sizeof(p[0]));
	} else {
		rc = store_query_i64(c,
		                     "INSERT INTO appeals (" APPEAL_COLUMNS
		                     ") VALUES (" APPEAL_PARAMS ") RETURNING id",
		                     p, sizeof(p) / sizeof(p[0]) - 1, &v);
	}
#undef APPEAL_COLUMNS
#undef APPEAL_PARAMS
	if (!rc)
		*id = v;
	return rc;
}

int store_appeal_author_add(struct store_conn *c, int64_t appeal_id, int64_t user_id,
                            const char *kind, int64_t at)
{
	struct store_val p[] = {sv_int(appeal_id), sv_int(user_id), sv_text(kind), sv_int(at)};
	return store_query(c, NULL,
	                   "INSERT INTO appeal_authors (appeal_id, user_id, kind, joined_at) "
	                   "VALUES ($1, $2, $3, $4)",
	                   p, 4, NULL);
}

int store_appeal_route_insert(struct store_conn *c, const struct appeal_route_row *rt)
{
	struct store_val p[] = {
	    sv_int(rt->appeal_id), sv_int(rt->at),
	    sv_text(rt->kind),     opt_id(rt->from_org_id),
	    opt_id(rt->to_org_id), opt_id(rt->rule_id),
	    sv_text(rt->reason),   opt_id(rt->actor_user_id),
	};
	return store_send(c,
	                  "INSERT INTO appeal_routes (appeal_id, at, kind, from_org_id, to_org_id, "
	                  "rule_id, reason, actor_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	                  p, sizeof(p) / sizeof(p[0]));
}

int store_appeal_by_external(struct store_conn *c, const char *external_id, int64_t *id)
{
	struct store_val p[] = {sv_text(external_id)};
	*id = 0;
	int rc = store_query_i64(
	    c, "SELECT id FROM appeals WHERE external_id = $1 ORDER BY id LIMIT 1", p, 1, id);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* --- attachments ------------------------------------------------------------------------ */

int store_attachment_insert(struct store_conn *c, const struct attachment_row *at, int64_t *id)
{
	struct store_val p[] = {
	    sv_text(at->sha256),
	    sv_int(at->size),
	    sv_text(at->mime),
	    sv_text(at->name),
	    opt_id(at->uploader_user_id),
	    opt_id(at->uploader_apikey_id),
	    sv_int(at->created_at),
	};
	return store_query_i64(
	    c,
	    "INSERT INTO attachments (sha256, size, mime, name, uploader_user_id, "
	    "uploader_apikey_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
	    "RETURNING id",
	    p, sizeof(p) / sizeof(p[0]), id);
}

int store_attachment_get(struct store_conn *c, struct arena *a, int64_t id,
                         struct attachment_row *out)
{
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT t.id, t.sha256, t.size, t.mime, t.name, t.uploader_user_id, "
	                     "t.uploader_apikey_id, t.appeal_id, t.answer_id, t.event_id, "
	                     "t.created_at, an.appeal_id, an.state FROM attachments t "
	                     "LEFT JOIN answers an ON an.id = t.answer_id WHERE t.id = $1",
	                     p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	memset(out, 0, sizeof(*out));
	out->id = store_rows_i64(&r, 0, 0);
	out->sha256 = store_rows_get(&r, 0, 1);
	out->size = store_rows_i64(&r, 0, 2);
	out->mime = store_rows_get(&r, 0, 3);
	out->name = store_rows_get(&r, 0, 4);
	out->uploader_user_id = opt_i64(&r, 0, 5);
	out->uploader_apikey_id = opt_i64(&r, 0, 6);
	out->appeal_id = opt_i64(&r, 0, 7);
	out->answer_id = opt_i64(&r, 0, 8);
	out->event_id = opt_i64(&r, 0, 9);
	out->created_at = opt_i64(&r, 0, 10);
	out->answer_appeal_id = opt_i64(&r, 0, 11);
	out->answer_state = store_rows_get(&r, 0, 12);
	return 0;
}

int store_attachments_claim(struct store_conn *c, const int64_t *ids, size_t n,
                            int64_t uploader_user_id, int64_t uploader_apikey_id, int64_t appeal_id,
                            int64_t answer_id, int64_t event_id, int64_t *linked)
{
	*linked = 0;
	if (!n)
		return 0;
	if (n > 64)
		return ERR_INVALID;
	struct arena tmp;
	arena_init(&tmp, 1024);
	struct store_val p[64 + 4];
	p[0] = opt_id(appeal_id);
	p[1] = opt_id(answer_id);
	p[2] = opt_id(event_id);
	p[3] = sv_int(uploader_user_id ? uploader_user_id : uploader_apikey_id);
	const char *in = "";
	for (size_t i = 0; i < n; i++) {
		p[4 + i] = sv_int(ids[i]);
		in = arena_printf(&tmp, "%s%s$%zu", in, i ? ", " : "", i + 5);
	}
	const char *sql = arena_printf(
	    &tmp,
	    "UPDATE attachments SET appeal_id = $1, answer_id = $2, event_id = $3 "
	    "WHERE %s = $4 AND appeal_id IS NULL AND answer_id IS NULL AND event_id IS NULL "
	    "AND id IN (%s)",
	    uploader_user_id ? "uploader_user_id" : "uploader_apikey_id", in);
	struct store_rows r;
	int rc = store_query(c, &tmp, sql, p, n + 4, &r);
	if (!rc)
		*linked = r.changes;
	arena_release(&tmp);
	return rc;
}

/* --- the full appeal -------------------------------------------------------------------- */

int store_appeal_names(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(c, a,
	                   "SELECT t.name, cat.name, tr.name, o.name, COALESCE(u.name, u.login), "
	                   "COALESCE(au.name, au.login), (SELECT COUNT(*) FROM appeal_authors x "
	                   "WHERE x.appeal_id = a.id AND x.kind = 'coauthor') FROM appeals a "
	                   "LEFT JOIN topics t ON t.id = a.topic_id "
	                   "LEFT JOIN categories cat ON cat.id = a.category_id "
	                   "LEFT JOIN territories tr ON tr.id = a.territory_id "
	                   "LEFT JOIN orgs o ON o.id = a.org_id "
	                   "LEFT JOIN users u ON u.id = a.assignee_id "
	                   "LEFT JOIN users au ON au.id = a.author_id WHERE a.id = $1",
	                   p, 1, out);
}

int store_appeal_names_new(struct store_conn *c, struct arena *a, const struct appeal *ap,
                           int64_t actor_user_id, int64_t actor_apikey_id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(ap->topic_id),     sv_int(ap->category_id),
	                        sv_int(ap->territory_id), opt_id(ap->org_id),
	                        opt_id(ap->author_id),    opt_id(actor_user_id),
	                        opt_id(actor_apikey_id)};
	return store_query(c, a,
	                   "SELECT (SELECT name FROM topics WHERE id = $1), "
	                   "(SELECT name FROM categories WHERE id = $2), "
	                   "(SELECT name FROM territories WHERE id = $3), "
	                   "(SELECT name FROM orgs WHERE id = $4), NULL, "
	                   "(SELECT COALESCE(name, login) FROM users WHERE id = $5), 0, "
	                   "(SELECT COALESCE(name, login) FROM users WHERE id = $6), "
	                   "(SELECT name FROM api_keys WHERE id = $7)",
	                   p, sizeof(p) / sizeof(p[0]), out);
}

int store_appeal_answers(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(
	    c, a,
	    "SELECT an.id, an.kind, an.state, an.text, an.org_id, o.name, "
	    "COALESCE(u.name, u.login), an.created_at, an.published_at FROM answers an "
	    "LEFT JOIN orgs o ON o.id = an.org_id "
	    "LEFT JOIN users u ON u.id = an.author_id "
	    "WHERE an.appeal_id = $1 ORDER BY an.id",
	    p, 1, out);
}

int store_appeal_events(struct store_conn *c, struct arena *a, int64_t id, bool public_only,
                        struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(c, a,
	                   public_only
	                       ? "SELECT e.id, e.at, e.kind, e.status_from, e.status_to, "
	                         "COALESCE(u.name, u.login), k.name, e.text, e.public, "
	                         "e.actor_user_id, (SELECT 1 FROM appeal_authors x WHERE "
	                         "x.appeal_id = e.appeal_id AND x.user_id = e.actor_user_id) "
	                         "FROM appeal_events e LEFT JOIN users u ON u.id = e.actor_user_id "
	                         "LEFT JOIN api_keys k ON k.id = e.actor_apikey_id "
	                         "WHERE e.appeal_id = $1 AND e.public = 1 ORDER BY e.id"
	                       : "SELECT e.id, e.at, e.kind, e.status_from, e.status_to, "
	                         "COALESCE(u.name, u.login), k.name, e.text, e.public, "
	                         "e.actor_user_id, (SELECT 1 FROM appeal_authors x WHERE "
	                         "x.appeal_id = e.appeal_id AND x.user_id = e.actor_user_id) "
	                         "FROM appeal_events e LEFT JOIN users u ON u.id = e.actor_user_id "
	                         "LEFT JOIN api_keys k ON k.id = e.actor_apikey_id "
	                         "WHERE e.appeal_id = $1 ORDER BY e.id",
	                   p, 1, out);
}

int store_appeal_routes(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(
	    c, a,
	    "SELECT r.at, r.kind, r.from_org_id, fo.name, r.to_org_id, tg.name, "
	    "r.reason FROM appeal_routes r LEFT JOIN orgs fo ON fo.id = r.from_org_id "
	    "LEFT JOIN orgs tg ON tg.id = r.to_org_id WHERE r.appeal_id = $1 "
	    "ORDER BY r.id",
	    p, 1, out);
}

int store_appeal_attachments(struct store_conn *c, struct arena *a, int64_t id,
                             struct store_rows *out)
{
	struct store_val p[] = {sv_int(id)};
	return store_query(c, a,
	                   "SELECT t.id, t.name, t.mime, t.size, t.sha256, t.answer_id FROM "
	                   "attachments t WHERE t.appeal_id = $1 UNION "
	                   "SELECT t.id, t.name, t.mime, t.size, t.sha256, t.answer_id FROM "
	                   "answers an JOIN attachments t ON t.answer_id = an.id "
	                   "WHERE an.appeal_id = $1 ORDER BY 1",
	                   p, 1, out);
}

/* --- lists and queues ------------------------------------------------------------------- */

#define LIST_MAX_PARAMS (3 * APPEAL_LIST_MAX_IDS + APPEAL_LIST_MAX_WORDS + 24)

struct sqlb {
	struct arena *a;
	const char *s;
	struct store_val p[LIST_MAX_PARAMS];
	size_t n;
};

/* Appends text to the statement. */
static void sql_add(struct sqlb *b, const char *text)
{
	b->s = arena_printf(b->a, "%s%s", b->s, text);
}

/* Binds v and returns its "$n". */
static const char *sql_param(struct sqlb *b, struct store_val v)
{
	b->p[b->n++] = v;
	return arena_printf(b->a, "$%zu", b->n);
}

static const char *sql_id_list(struct sqlb *b, const int64_t *ids, size_t n)
{
	const char *s = "";
	for (size_t i = 0; i < n; i++)
		s = arena_printf(b->a, "%s%s%s", s, i ? ", " : "", sql_param(b, sv_int(ids[i])));
	return s;
}

/* WITH clause (recursive subtrees for supervisors and coordinators) and the WHERE conditions. */
static void list_where(struct sqlb *b, const struct appeal_list_query *q, const char **with)
{
	*with = "";
	if (q->nsuper || q->ncoord) {
		const char *w = "WITH RECURSIVE ";
		if (q->nsuper)
			w = arena_printf(
			    b->a,
			    "%ssup(id) AS (SELECT id FROM orgs WHERE id IN (%s) UNION "
			    "SELECT o.id FROM orgs o JOIN sup ON o.parent_id = sup.id)",
			    w, sql_id_list(b, q->super_orgs, q->nsuper));
		if (q->ncoord)
			w = arena_printf(
			    b->a,
			    "%s%sterr(id) AS (SELECT id FROM territories WHERE id IN (%s) "
			    "UNION SELECT t.id FROM territories t JOIN terr ON "
			    "t.parent_id = terr.id)",
			    w, q->nsuper ? ", " : "", sql_id_list(b, q->coord_terrs, q->ncoord));
		*with = arena_printf(b->a, "%s ", w);
	}
	sql_add(b, " WHERE 1 = 1");
	if (!q->all) {
		const char * or = "";
		if (q->nexec)
			or = arena_printf(b->a, "%s OR a.org_id IN (%s)", or,
			                  sql_id_list(b, q->exec_orgs, q->nexec));
		if (q->nsuper)
			or = arena_printf(b->a, "%s OR a.org_id IN (SELECT id FROM sup)", or);
		if (q->ncoord)
			or = arena_printf(b->a, "%s OR a.territory_id IN (SELECT id FROM terr)",
			                  or);
		if (q->author_user_id)
			or = arena_printf(b->a,
			                  "%s OR a.id IN (SELECT x.appeal_id FROM appeal_authors x "
			                  "WHERE x.user_id = %s)",
			                  or, sql_param(b, sv_int(q->author_user_id)));
		if (q->operator_user_id)
			or = arena_printf(b->a, "%s OR a.operator_id = %s", or,
			                  sql_param(b, sv_int(q->operator_user_id)));
		if (q->apikey_id)
			or = arena_printf(b->a, "%s OR a.apikey_id = %s", or,
			                  sql_param(b, sv_int(q->apikey_id)));
		if (!* or)
			sql_add(b, " AND 1 = 0");
		else
			b->s = arena_printf(b->a, "%s AND (%s)", b->s, or +4);
	}
	if (q->none)
		sql_add(b, " AND 1 = 0");
	if (q->open_only)
		sql_add(b, " AND a.is_open = 1");
	if (q->overdue_only)
		sql_add(b, " AND a.overdue = 1");
	if (q->not_overdue)
		sql_add(b, " AND a.overdue = 0");
	if (q->org_null)
		sql_add(b, " AND a.org_id IS NULL");
	if (q->due_before)
		b->s = arena_printf(b->a, "%s AND a.deadline_at <= %s", b->s,
		                    sql_param(b, sv_int(q->due_before)));
	if (q->status_mask) {
		const char *in = "";
		for (int st = 0; st < AS__COUNT; st++)
			if (q->status_mask & (1u << st))
				in = arena_printf(b->a, "%s%s%s", in, *in ? ", " : "",
				                  sql_param(b, sv_text(appeal_status_name(
				                                   (enum appeal_status)st))));
		b->s = arena_printf(b->a, "%s AND a.status IN (%s)", b->s, in);
	}
	static const char *const idcols[] = {"a.topic_id", "a.category_id", "a.territory_id",
	                                     "a.org_id", "a.assignee_id"};
	const int64_t idvals[] = {q->topic_id, q->category_id, q->territory_id, q->org_id,
	                          q->assignee_id};
	for (size_t i = 0; i < 5; i++)
		if (idvals[i])
			b->s = arena_printf(b->a, "%s AND %s = %s", b->s, idcols[i],
			                    sql_param(b, sv_int(idvals[i])));
	if (q->created_from)
		b->s = arena_printf(b->a, "%s AND a.created_at >= %s", b->s,
		                    sql_param(b, sv_int(q->created_from)));
	if (q->created_to)
		b->s = arena_printf(b->a, "%s AND a.created_at <= %s", b->s,
		                    sql_param(b, sv_int(q->created_to)));
	for (size_t i = 0; i < q->nwords; i++)
		b->s = arena_printf(b->a, "%s AND a.search LIKE %s ESCAPE '\\'", b->s,
		                    sql_param(b, sv_text(q->words[i])));
}

int store_appeal_list(struct store_conn *c, struct arena *a, const struct appeal_list_query *q,
                      struct store_rows *out, int64_t *total, bool *capped)
{
	*total = 0;
	*capped = false;
	const char *with;
	/* the page */
	struct sqlb *b = arena_alloc(a, sizeof(*b));
	b->a = a;
	b->s = "";
	list_where(b, q, &with);
	const char *where = b->s;
	const char *order = q->sort == APPEAL_SORT_DEADLINE  ? "a.deadline_at, a.id"
	                    : q->sort == APPEAL_SORT_CREATED ? "a.created_at, a.id"
	                                                     : "a.created_at DESC, a.id DESC";
	const char *lim = sql_param(b, sv_int(q->limit));
	const char *off = sql_param(b, sv_int(q->offset));
	const char *sql = arena_printf(
	    a,
	    "%sSELECT " APPEAL_COLS ", t.name, tr.name, o.name FROM appeals a "
	    "LEFT JOIN topics t ON t.id = a.topic_id LEFT JOIN territories tr ON tr.id = "
	    "a.territory_id LEFT JOIN orgs o ON o.id = a.org_id%s ORDER BY %s LIMIT %s OFFSET %s",
	    with, where, order, lim, off);
	int rc = store_query(c, a, sql, b->p, b->n, out);
	if (rc)
		return rc;
	/* the total, capped */
	struct sqlb *cb = arena_alloc(a, sizeof(*cb));
	cb->a = a;
	cb->s = "";
	list_where(cb, q, &with);
	const char *cap = sql_param(cb, sv_int(APPEAL_TOTAL_CAP + 1));
	sql = arena_printf(a, "%sSELECT COUNT(*) FROM (SELECT a.id FROM appeals a%s LIMIT %s) x",
	                   with, cb->s, cap);
	int64_t n = 0;
	rc = store_query_i64(c, sql, cb->p, cb->n, &n);
	if (rc)
		return rc;
	if (n > APPEAL_TOTAL_CAP) {
		n = APPEAL_TOTAL_CAP;
		*capped = true;
	}
	*total = n;
	return 0;
}

int store_appeal_answer_insert(struct store_conn *c, int64_t appeal_id, const char *kind,
                               const char *state, const char *text, int64_t org_id,
                               int64_t author_id, int64_t created_at, int64_t published_at,
                               int64_t *id)
{
	struct store_val p[] = {sv_int(appeal_id),  sv_text(kind),       sv_text(state),
	                        sv_text(text),      opt_id(org_id),      opt_id(author_id),
	                        sv_int(created_at), opt_ms(published_at)};
	int64_t v = 0;
	int rc = store_query_i64(c,
	                         "INSERT INTO answers (appeal_id, kind, state, text, org_id, "
	                         "author_id, created_at, published_at) VALUES ($1, $2, $3, $4, $5, "
	                         "$6, $7, $8) RETURNING id",
	                         p, sizeof(p) / sizeof(p[0]), &v);
	if (id)
		*id = v;
	return rc;
}
