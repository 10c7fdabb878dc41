/* notify.c (store): SQL for notifications, settings, digests, webhooks and the delivery outbox. */
#include "store/notify.h"
#include "store/backend.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t opt_i64(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? 0 : store_rows_i64(r, i, col);
}

static struct store_val opt_int(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

int store_notify_event(struct store_conn *c, struct arena *a, int64_t id, struct notify_event *out)
{
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc =
	    store_query(c, a,
	                "SELECT id, appeal_id, actor_user_id, at, kind, status_from, status_to, "
	                "text, public FROM appeal_events WHERE id = $1",
	                p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	memset(out, 0, sizeof(*out));
	out->id = store_rows_i64(&r, 0, 0);
	out->appeal_id = store_rows_i64(&r, 0, 1);
	out->actor_user_id = opt_i64(&r, 0, 2);
	out->at = store_rows_i64(&r, 0, 3);
	out->kind = store_rows_get(&r, 0, 4);
	out->status_from = store_rows_get(&r, 0, 5);
	out->status_to = store_rows_get(&r, 0, 6);
	out->text = store_rows_get(&r, 0, 7);
	out->public = store_rows_i64(&r, 0, 8) != 0;
	return 0;
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The ids of the statement's first column (NULLs left out), ascending and each once: sorting
 * here instead of DISTINCT/UNION/ORDER BY in SQL spares SQLite a temporary b-tree per
 * statement, and these run inside the write job of every submission. */
static int id_query(struct store_conn *c, struct arena *a, const char *sql,
                    const struct store_val *p, size_t np, struct id_list *out)
{
	struct store_rows r;
	out->ids = NULL;
	out->n = 0;
	int rc = store_query(c, a, sql, p, np, &r);
	if (rc)
		return rc;
	out->ids = arena_alloc(a, (r.nrows + 1) * sizeof(int64_t));
	for (size_t i = 0; i < r.nrows; i++)
		if (!store_rows_isnull(&r, i, 0))
			out->ids[out->n++] = store_rows_i64(&r, i, 0);
	if (out->n > 1) {
		qsort(out->ids, out->n, sizeof(int64_t), cmp_id);
		size_t k = 1;
		for (size_t i = 1; i < out->n; i++)
			if (out->ids[i] != out->ids[k - 1])
				out->ids[k++] = out->ids[i];
		out->n = k;
	}
	return 0;
}

/* Deleted accounts (docs/privacy.md) are left out: nobody can read their notifications. */
int store_notify_authors(struct store_conn *c, struct arena *a, int64_t appeal_id,
                         struct id_list *out)
{
	struct store_val p[] = {sv_int(appeal_id)};
	return id_query(c, a,
	                "SELECT a.author_id FROM appeals a JOIN users u ON u.id = a.author_id "
	                "WHERE a.id = $1 AND u.login NOT LIKE 'deleted:%' UNION ALL "
	                "SELECT x.user_id FROM appeal_authors x JOIN users u ON u.id = x.user_id "
	                "WHERE x.appeal_id = $1 AND u.login NOT LIKE 'deleted:%'",
	                p, 1, out);
}

int store_notify_role_org(struct store_conn *c, struct arena *a, const char *role, int64_t org_id,
                          struct id_list *out)
{
	struct store_val p[] = {sv_text(role), sv_int(org_id)};
	return id_query(c, a, "SELECT user_id FROM role_grants WHERE role = $1 AND org_id = $2", p,
	                2, out);
}

int store_notify_role_territory(struct store_conn *c, struct arena *a, const char *role,
                                int64_t territory_id, struct id_list *out)
{
	struct store_val p[] = {sv_text(role), sv_int(territory_id)};
	return id_query(c, a,
	                "SELECT user_id FROM role_grants WHERE role = $1 AND territory_id = $2", p,
	                2, out);
}

int store_notify_user(struct store_conn *c, struct arena *a, int64_t user_id,
                      struct notify_user *out)
{
	struct store_val p[] = {sv_int(user_id)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT u.id, u.email, s.email FROM users u LEFT JOIN "
	                     "notification_settings s ON s.user_id = u.id WHERE u.id = $1",
	                     p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	out->id = store_rows_i64(&r, 0, 0);
	out->email = store_rows_get(&r, 0, 1);
	if (out->email && !*out->email)
		out->email = NULL;
	out->mode = store_rows_get(&r, 0, 2);
	if (!out->mode)
		out->mode = "instant";
	return 0;
}

int store_notification_insert(struct store_conn *c, const struct notification_row *n)
{
	struct store_val p[] = {sv_int(n->user_id),   opt_int(n->appeal_id), opt_int(n->event_id),
	                        sv_text(n->kind),     sv_text(n->title),     sv_text(n->body),
	                        sv_int(n->created_at)};
	return store_send(c,
	                  "INSERT INTO notifications (user_id, appeal_id, event_id, kind, title, "
	                  "body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
	                  "ON CONFLICT (event_id, user_id) DO NOTHING",
	                  p, 7);
}

#define NOTIF_COLS "id, user_id, appeal_id, event_id, created_at, read_at, kind, title, body"

static void notif_rows(struct arena *a, const struct store_rows *r, struct notification_row **rows,
                       size_t *n)
{
	*rows = arena_alloc(a, (r->nrows + 1) * sizeof(**rows));
	*n = r->nrows;
	for (size_t i = 0; i < r->nrows; i++) {
		struct notification_row *x = &(*rows)[i];
		x->id = store_rows_i64(r, i, 0);
		x->user_id = store_rows_i64(r, i, 1);
		x->appeal_id = opt_i64(r, i, 2);
		x->event_id = opt_i64(r, i, 3);
		x->created_at = store_rows_i64(r, i, 4);
		x->read_at = opt_i64(r, i, 5);
		x->kind = store_rows_get(r, i, 6);
		x->title = store_rows_get(r, i, 7);
		x->body = store_rows_get(r, i, 8);
	}
}

int store_notifications_unread(struct store_conn *c, int64_t user_id, int64_t *unread)
{
	struct store_val p[] = {sv_int(user_id)};
	return store_query_i64(
	    c, "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", p, 1,
	    unread);
}

int store_notifications_list(struct store_conn *c, struct arena *a, int64_t user_id,
                             bool unread_only, int64_t limit, int64_t offset,
                             struct notification_row **rows, size_t *n, int64_t *total,
                             int64_t *unread)
{
	struct store_val p[] = {sv_int(user_id), sv_int(limit), sv_int(offset)};
	struct store_rows r;
	int rc =
	    store_query(c, a,
	                unread_only ? "SELECT " NOTIF_COLS " FROM notifications WHERE user_id = "
	                              "$1 AND read_at IS NULL ORDER BY id DESC LIMIT $2 OFFSET $3"
	                            : "SELECT " NOTIF_COLS " FROM notifications WHERE user_id = "
	                              "$1 ORDER BY id DESC LIMIT $2 OFFSET $3",
	                p, 3, &r);
	if (rc)
		return rc;
	notif_rows(a, &r, rows, n);
	rc = store_notifications_unread(c, user_id, unread);
	if (rc)
		return rc;
	if (unread_only) {
		*total = *unread;
		return 0;
	}
	return store_query_i64(c, "SELECT COUNT(*) FROM notifications WHERE user_id = $1", p, 1,
	                       total);
}

int store_notifications_mark_read(struct store_conn *c, int64_t user_id, const int64_t *ids,
                                  size_t n, bool all, int64_t now)
{
	if (all) {
		struct store_val p[] = {sv_int(user_id), sv_int(now)};
		return store_query(c, NULL,
		                   "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND "
		                   "read_at IS NULL",
		                   p, 2, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		struct store_val p[] = {sv_int(user_id), sv_int(now), sv_int(ids[i])};
		int rc = store_query(c, NULL,
		                     "UPDATE notifications SET read_at = $2 WHERE id = $3 AND "
		                     "user_id = $1 AND read_at IS NULL",
		                     p, 3, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

int store_notifications_after(struct store_conn *c, struct arena *a, int64_t user_id,
                              int64_t after_id, int64_t limit, struct notification_row **rows,
                              size_t *n)
{
	struct store_val p[] = {sv_int(user_id), sv_int(after_id), sv_int(limit)};
	struct store_rows r;
	int rc =
	    store_query(c, a,
	                "SELECT " NOTIF_COLS " FROM notifications WHERE user_id = $1 AND id > $2 "
	                "ORDER BY id LIMIT $3",
	                p, 3, &r);
	if (rc)
		return rc;
	notif_rows(a, &r, rows, n);
	return 0;
}

int store_notify_mode_get(struct store_conn *c, struct arena *a, int64_t user_id, const char **mode)
{
	struct store_val p[] = {sv_int(user_id)};
	struct store_rows r;
	int rc = store_query(c, a, "SELECT email FROM notification_settings WHERE user_id = $1", p,
	                     1, &r);
	if (rc)
		return rc;
	*mode = r.nrows ? store_rows_get(&r, 0, 0) : "instant";
	return 0;
}

int store_notify_mode_put(struct store_conn *c, int64_t user_id, const char *mode,
                          int64_t next_digest_at, int64_t now)
{
	struct store_val p[] = {sv_int(user_id), sv_text(mode), opt_int(next_digest_at),
	                        sv_int(now)};
	/* switching to digest starts it after the newest notification; staying on digest keeps
	 * the schedule */
	return store_query(
	    c, NULL,
	    "INSERT INTO notification_settings (user_id, email, next_digest_at, digest_after_id, "
	    "updated_at) VALUES ($1, $2, $3, (SELECT COALESCE(MAX(id), 0) FROM notifications WHERE "
	    "user_id = $1), $4) ON CONFLICT (user_id) DO UPDATE SET "
	    "next_digest_at = CASE WHEN notification_settings.email = 'digest' AND "
	    "excluded.email = 'digest' THEN notification_settings.next_digest_at ELSE "
	    "excluded.next_digest_at END, "
	    "digest_after_id = CASE WHEN notification_settings.email = 'digest' AND "
	    "excluded.email = 'digest' THEN notification_settings.digest_after_id ELSE "
	    "excluded.digest_after_id END, "
	    "email = excluded.email, updated_at = excluded.updated_at",
	    p, 4, NULL);
}

int store_digest_due(struct store_conn *c, struct arena *a, int64_t now, int64_t limit,
                     struct digest_due **rows, size_t *n)
{
	struct store_val p[] = {sv_int(now), sv_int(limit)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT s.user_id, s.next_digest_at, s.digest_after_id, u.email FROM "
	                     "notification_settings s JOIN users u ON u.id = s.user_id WHERE "
	                     "s.email = 'digest' AND s.next_digest_at <= $1 ORDER BY "
	                     "s.next_digest_at LIMIT $2",
	                     p, 2, &r);
	if (rc)
		return rc;
	*rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
	*n = r.nrows;
	for (size_t i = 0; i < r.nrows; i++) {
		(*rows)[i].user_id = store_rows_i64(&r, i, 0);
		(*rows)[i].next_digest_at = store_rows_i64(&r, i, 1);
		(*rows)[i].after_id = store_rows_i64(&r, i, 2);
		(*rows)[i].email = store_rows_get(&r, i, 3);
	}
	return 0;
}

int store_digest_claim(struct store_conn *c, int64_t user_id, int64_t old_next, int64_t new_next,
                       int64_t new_after, bool *claimed)
{
	struct store_val p[] = {sv_int(user_id), sv_int(old_next), sv_int(new_next),
	                        sv_int(new_after)};
	struct arena a;
	arena_init(&a, 256);
	struct store_rows r;
	int rc = store_query(c, &a,
	                     "UPDATE notification_settings SET next_digest_at = $3, "
	                     "digest_after_id = $4 WHERE user_id = $1 AND email = 'digest' AND "
	                     "next_digest_at = $2",
	                     p, 4, &r);
	*claimed = !rc && r.changes == 1;
	arena_release(&a);
	return rc;
}

#define HOOK_COLS                                                                                  \
	"w.id, w.org_id, w.created_at, w.updated_at, w.url, w.secret, w.description, o.name, "     \
	"w.active"

static void hook_rows(struct arena *a, const struct store_rows *r, struct webhook_row **rows,
                      size_t *n)
{
	*rows = arena_alloc(a, (r->nrows + 1) * sizeof(**rows));
	*n = r->nrows;
	for (size_t i = 0; i < r->nrows; i++) {
		struct webhook_row *w = &(*rows)[i];
		w->id = store_rows_i64(r, i, 0);
		w->org_id = opt_i64(r, i, 1);
		w->created_at = store_rows_i64(r, i, 2);
		w->updated_at = store_rows_i64(r, i, 3);
		w->url = store_rows_get(r, i, 4);
		w->secret = store_rows_get(r, i, 5);
		w->description = store_rows_get(r, i, 6);
		w->org_name = store_rows_get(r, i, 7);
		w->active = store_rows_i64(r, i, 8) != 0;
	}
}

int store_webhooks_all(struct store_conn *c, struct arena *a, struct webhook_row **rows, size_t *n)
{
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT " HOOK_COLS " FROM webhooks w LEFT JOIN orgs o ON o.id = "
	                     "w.org_id WHERE w.deleted_at IS NULL ORDER BY w.id LIMIT 1000",
	                     NULL, 0, &r);
	if (rc)
		return rc;
	hook_rows(a, &r, rows, n);
	return 0;
}

int store_webhook_get(struct store_conn *c, struct arena *a, int64_t id, struct webhook_row *out)
{
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT " HOOK_COLS " FROM webhooks w LEFT JOIN orgs o ON o.id = "
	                     "w.org_id WHERE w.id = $1 AND w.deleted_at IS NULL",
	                     p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	struct webhook_row *rows;
	size_t n;
	hook_rows(a, &r, &rows, &n);
	*out = rows[0];
	return 0;
}

/* Every change of webhooks: notify/outbox.c keeps the list while this stays the same. */
static int webhooks_bump(struct store_conn *c)
{
	return store_version_bump(c, "webhooks_version");
}

int store_webhook_insert(struct store_conn *c, const struct webhook_row *w, int64_t created_by,
                         int64_t *id)
{
	struct store_val p[] = {opt_int(w->org_id),        sv_text(w->url),
	                        sv_text(w->secret),        sv_text(w->description),
	                        sv_int(w->active ? 1 : 0), opt_int(created_by),
	                        sv_int(w->created_at)};
	struct arena a;
	arena_init(&a, 256);
	struct store_rows r;
	int rc = store_query(c, &a,
	                     "INSERT INTO webhooks (org_id, url, secret, description, active, "
	                     "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
	                     "$7, $7) RETURNING id",
	                     p, 7, &r);
	if (!rc)
		*id = r.nrows ? store_rows_i64(&r, 0, 0) : 0;
	arena_release(&a);
	return rc ? rc : webhooks_bump(c);
}

int store_webhook_update(struct store_conn *c, const struct webhook_row *w, int64_t now)
{
	struct store_val p[] = {sv_int(w->id), sv_text(w->url), sv_text(w->description),
	                        sv_int(w->active ? 1 : 0), sv_int(now)};
	int rc = store_query(c, NULL,
	                     "UPDATE webhooks SET url = $2, description = $3, active = $4, "
	                     "updated_at = $5 WHERE id = $1 AND deleted_at IS NULL",
	                     p, 5, NULL);
	return rc ? rc : webhooks_bump(c);
}

int store_webhook_delete(struct store_conn *c, int64_t id, int64_t now)
{
	struct store_val p[] = {sv_int(id), sv_int(now)};
	int rc = store_query(c, NULL,
	                     "UPDATE webhooks SET deleted_at = $2, active = 0, updated_at = $2 "
	                     "WHERE id = $1 AND deleted_at IS NULL",
	                     p, 2, NULL);
	if (!rc)
		rc = store_query(c, NULL,
		                 "UPDATE deliveries SET state = 'cancelled', lease_owner = NULL, "
		                 "lease_until = NULL, next_at = $2 WHERE webhook_id = $1 AND "
		                 "state = 'pending'",
		                 p, 2, NULL);
	return rc ? rc : webhooks_bump(c);
}

int store_notify_org_exists(struct store_conn *c, int64_t org_id, bool *exists)
{
	struct store_val p[] = {sv_int(org_id)};
	int64_t one = 0;
	int rc = store_query_i64(c, "SELECT 1 FROM orgs WHERE id = $1", p, 1, &one);
	*exists = rc == 0;
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int store_delivery_insert(struct store_conn *c, const struct delivery_new *d)
{
	struct store_val p[] = {sv_text(d->channel),   sv_text(d->target),  opt_int(d->event_id),
	                        opt_int(d->appeal_id), opt_int(d->user_id), opt_int(d->webhook_id),
	                        sv_text(d->kind),      sv_text(d->subject), sv_text(d->payload),
	                        sv_int(d->now)};
	return store_query(c, NULL,
	                   "INSERT INTO deliveries (channel, target, event_id, appeal_id, user_id, "
	                   "webhook_id, kind, subject, payload, state, attempts, next_at, "
	                   "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, "
	                   "$10, $10) ON CONFLICT (event_id, channel, target) DO NOTHING",
	                   p, 10, NULL);
}

#define CLAIM_RET                                                                                  \
	" RETURNING id, event_id, user_id, webhook_id, attempts, created_at, channel, target, "    \
	"kind, subject, payload"

int store_delivery_claim(struct store_conn *c, struct arena *a, const char *node, int64_t now,
                         int64_t lease_ms, int64_t limit, struct delivery **rows, size_t *n)
{
	struct store_val p[] = {sv_text(node), sv_int(now), sv_int(now + lease_ms), sv_int(limit)};
	/* PostgreSQL: rows locked by another node's claim are skipped rather than waited for;
	 * SQLite has one writer, so the plain form is already exclusive. */
	const char *sql =
	    store_backend(store_conn_store(c)) == STORE_PG
	        ? "UPDATE deliveries SET lease_owner = $1, lease_until = $3, attempts = attempts + "
	          "1 "
	          "WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= "
	          "$2 "
	          "AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $4 "
	          "FOR UPDATE SKIP LOCKED)" CLAIM_RET
	        : "UPDATE deliveries SET lease_owner = $1, lease_until = $3, attempts = attempts + "
	          "1 "
	          "WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= "
	          "$2 "
	          "AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $4)" CLAIM_RET;
	struct store_rows r;
	int rc = store_query(c, a, sql, p, 4, &r);
	if (rc)
		return rc;
	*rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
	*n = r.nrows;
	for (size_t i = 0; i < r.nrows; i++) {
		struct delivery *d = &(*rows)[i];
		d->id = store_rows_i64(&r, i, 0);
		d->event_id = opt_i64(&r, i, 1);
		d->user_id = opt_i64(&r, i, 2);
		d->webhook_id = opt_i64(&r, i, 3);
		d->attempts = store_rows_i64(&r, i, 4);
		d->created_at = store_rows_i64(&r, i, 5);
		d->channel = store_rows_get(&r, i, 6);
		d->target = store_rows_get(&r, i, 7);
		d->kind = store_rows_get(&r, i, 8);
		d->subject = store_rows_get(&r, i, 9);
		d->payload = store_rows_get(&r, i, 10);
	}
	return 0;
}

int store_delivery_finish(struct store_conn *c, int64_t id, const char *node, const char *state,
                          int64_t now, int64_t next_at, int status, const char *error,
                          int64_t duration_ms)
{
	struct store_val p[] = {sv_int(id),  sv_text(node),   sv_text(state),
	                        sv_int(now), sv_int(next_at), sv_text(error)};
	struct arena a;
	arena_init(&a, 256);
	struct store_rows r;
	int rc = store_query(c, &a,
	                     "UPDATE deliveries SET state = $3, next_at = $5, lease_owner = NULL, "
	                     "lease_until = NULL, sent_at = CASE WHEN $3 = 'sent' THEN $4 ELSE "
	                     "sent_at END, last_error = $6 WHERE id = $1 AND lease_owner = $2 AND "
	                     "state = 'pending'",
	                     p, 6, &r);
	/* no change: the lease was lost (expired and taken by another node), which logs its own
	 * try */
	if (!rc && r.changes == 1) {
		struct store_val q[] = {sv_int(id),     sv_int(now),
		                        sv_text(node),  status ? sv_int(status) : sv_null(),
		                        sv_text(error), sv_int(duration_ms)};
		rc = store_query(
		    c, NULL,
		    "INSERT INTO delivery_attempts (delivery_id, at, node, status, error, "
		    "duration_ms) VALUES ($1, $2, $3, $4, $5, $6)",
		    q, 6, NULL);
	}
	arena_release(&a);
	return rc;
}

int store_webhook_deliveries(struct store_conn *c, struct arena *a, int64_t webhook_id,
                             int64_t limit, int64_t offset, struct delivery_log **rows, size_t *n,
                             int64_t *total)
{
	struct store_val p[] = {sv_int(webhook_id), sv_int(limit), sv_int(offset)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT id, event_id, appeal_id, created_at, next_at, sent_at, kind, "
	                     "state, last_error FROM deliveries WHERE webhook_id = $1 ORDER BY id "
	                     "DESC LIMIT $2 OFFSET $3",
	                     p, 3, &r);
	if (rc)
		return rc;
	rc = store_query_i64(c, "SELECT COUNT(*) FROM deliveries WHERE webhook_id = $1", p, 1,
	                     total);
	if (rc)
		return rc;
	*rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
	*n = r.nrows;
	for (size_t i = 0; i < r.nrows; i++) {
		struct delivery_log *d = &(*rows)[i];
		d->id = store_rows_i64(&r, i, 0);
		d->event_id = opt_i64(&r, i, 1);
		d->appeal_id = opt_i64(&r, i, 2);
		d->created_at = store_rows_i64(&r, i, 3);
		d->next_at = opt_i64(&r, i, 4);
		d->sent_at = opt_i64(&r, i, 5);
		d->kind = store_rows_get(&r, i, 6);
		d->state = store_rows_get(&r, i, 7);
		d->last_error = store_rows_get(&r, i, 8);
		struct store_val q[] = {sv_int(d->id)};
		struct store_rows ar;
		rc = store_query(
		    c, a,
		    "SELECT at, duration_ms, status, error FROM delivery_attempts WHERE "
		    "delivery_id = $1 ORDER BY id DESC LIMIT 100",
		    q, 1, &ar);
		if (rc)
			return rc;
		d->attempts = arena_alloc(a, (ar.nrows + 1) * sizeof(*d->attempts));
		d->nattempts = ar.nrows;
		for (size_t k = 0; k < ar.nrows; k++) {
			d->attempts[k].at = store_rows_i64(&ar, k, 0);
			d->attempts[k].duration_ms = store_rows_i64(&ar, k, 1);
			d->attempts[k].status = (int)opt_i64(&ar, k, 2);
			d->attempts[k].error = store_rows_get(&ar, k, 3);
		}
	}
	return 0;
}
