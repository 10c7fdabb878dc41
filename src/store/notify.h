/* notify.h (store): SQL for notifications, e-mail settings and digests, webhooks, the delivery
 * outbox (claimed by workers with leases) and its attempt log. */
#ifndef OTKLIK_STORE_NOTIFY_H
#define OTKLIK_STORE_NOTIFY_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* One appeal_events row as notifications need it. Strings in the arena. */
struct notify_event {
	int64_t id, appeal_id, actor_user_id, at;
	const char *kind, *status_from, *status_to, *text; /* may be NULL */
	bool public;
	/* the appeal was created in the same transaction: its only author is the appeal's
	 * author_id (no co-authors yet), so the recipients need not be read back */
	bool fresh;
	/* meta.webhooks_version as read in this transaction, or 0: then the webhooks are read */
	int64_t webhooks_version;
	/* meta.grants_version as read in this transaction, or 0: then the executors are read */
	int64_t grants_version;
};
/* 0, ERR_NOTFOUND, ERR_DB. */
int store_notify_event(struct store_conn *c, struct arena *a, int64_t id, struct notify_event *out);

/* A list of user ids (arena-owned). */
struct id_list {
	int64_t *ids;
	size_t n;
};
/* The author and co-authors of an appeal. */
int store_notify_authors(struct store_conn *c, struct arena *a, int64_t appeal_id,
                         struct id_list *out);
/* Users holding role (its name: "executor", …) on exactly this organisation. */
int store_notify_role_org(struct store_conn *c, struct arena *a, const char *role, int64_t org_id,
                          struct id_list *out);
/* Users holding role on exactly this territory. */
int store_notify_role_territory(struct store_conn *c, struct arena *a, const char *role,
                                int64_t territory_id, struct id_list *out);

/* A recipient: e-mail address (NULL = none) and e-mail mode ("instant" when never set). */
struct notify_user {
	int64_t id;
	const char *email;
	const char *mode;
};
int store_notify_user(struct store_conn *c, struct arena *a, int64_t user_id,
                      struct notify_user *out);

/* An in-app notification. */
struct notification_row {
	int64_t id, user_id, appeal_id, event_id, created_at, read_at;
	const char *kind, *title, *body;
};
/* Inserts one (nothing when (event_id, user_id) exists already). */
int store_notification_insert(struct store_conn *c, const struct notification_row *n);
/* A page of the user's notifications, newest first; *total and *unread over all of them. */
int store_notifications_list(struct store_conn *c, struct arena *a, int64_t user_id,
                             bool unread_only, int64_t limit, int64_t offset,
                             struct notification_row **rows, size_t *n, int64_t *total,
                             int64_t *unread);
int store_notifications_unread(struct store_conn *c, int64_t user_id, int64_t *unread);
/* Marks the user's notifications read: the ids given (others' ids are ignored) or all. */
int store_notifications_mark_read(struct store_conn *c, int64_t user_id, const int64_t *ids,
                                  size_t n, bool all, int64_t now);
/* Notifications of user with id > after_id, oldest first, at most limit. */
int store_notifications_after(struct store_conn *c, struct arena *a, int64_t user_id,
                              int64_t after_id, int64_t limit, struct notification_row **rows,
                              size_t *n);

/* E-mail mode of a user ("instant" when never set). */
int store_notify_mode_get(struct store_conn *c, struct arena *a, int64_t user_id,
                          const char **mode);
/* Sets the mode; for "digest" next_digest_at is the first digest time and the digest starts
 * after the user's newest notification. */
int store_notify_mode_put(struct store_conn *c, int64_t user_id, const char *mode,
                          int64_t next_digest_at, int64_t now);

/* Digest users whose next_digest_at <= now (at most limit). */
struct digest_due {
	int64_t user_id, next_digest_at, after_id;
	const char *email; /* may be NULL */
};
int store_digest_due(struct store_conn *c, struct arena *a, int64_t now, int64_t limit,
                     struct digest_due **rows, size_t *n);
/* Claims one user's digest: moves next_digest_at from old_next to new_next and after_id to
 * new_after only if it still is old_next (*claimed = false when another node took it). */
int store_digest_claim(struct store_conn *c, int64_t user_id, int64_t old_next, int64_t new_next,
                       int64_t new_after, bool *claimed);

/* A webhook. secret is only read by the sender. */
struct webhook_row {
	int64_t id, org_id, created_at, updated_at;
	const char *url, *secret, *description, *org_name;
	bool active;
};
/* Every webhook not deleted (at most a few hundred: they are configuration). */
int store_webhooks_all(struct store_conn *c, struct arena *a, struct webhook_row **rows, size_t *n);
/* One webhook not deleted: 0, ERR_NOTFOUND. */
int store_webhook_get(struct store_conn *c, struct arena *a, int64_t id, struct webhook_row *out);
int store_webhook_insert(struct store_conn *c, const struct webhook_row *w, int64_t created_by,
                         int64_t *id);
/* Updates url, description, active. */
int store_webhook_update(struct store_conn *c, const struct webhook_row *w, int64_t now);
/* Marks the webhook deleted and cancels its pending deliveries. */
int store_webhook_delete(struct store_conn *c, int64_t id, int64_t now);
/* 1 when the organisation exists. */
int store_notify_org_exists(struct store_conn *c, int64_t org_id, bool *exists);

/* A new outbox row (ON CONFLICT (event_id, channel, target) DO NOTHING). */
struct delivery_new {
	const char *channel; /* "email", "webhook", "digest" */
	const char *target;  /* e-mail address or "webhook:<id>" */
	int64_t event_id, appeal_id, user_id, webhook_id;
	const char *kind, *subject, *payload;
	int64_t now;
};
int store_delivery_insert(struct store_conn *c, const struct delivery_new *d);

/* A claimed outbox row. */
struct delivery {
	int64_t id, event_id, user_id, webhook_id, attempts, created_at;
	const char *channel, *target, *kind, *subject, *payload;
};
/* Claims up to limit due pending rows for node (lease until now + lease_ms; attempts + 1).
 * Run inside a write job. */
int store_delivery_claim(struct store_conn *c, struct arena *a, const char *node, int64_t now,
                         int64_t lease_ms, int64_t limit, struct delivery **rows, size_t *n);
/* Records one attempt and its outcome: state "sent", "pending" (retry at next_at), "dead" or
 * "cancelled"; only while node holds the lease. */
int store_delivery_finish(struct store_conn *c, int64_t id, const char *node, const char *state,
                          int64_t now, int64_t next_at, int status, const char *error,
                          int64_t duration_ms);

/* A delivery as the log shows it, with its attempts. */
struct delivery_attempt {
	int64_t at, duration_ms;
	int status; /* 0 = none */
	const char *error;
};
struct delivery_log {
	int64_t id, event_id, appeal_id, created_at, next_at, sent_at;
	const char *kind, *state, *last_error;
	struct delivery_attempt *attempts;
	size_t nattempts;
};
/* A page of a webhook's deliveries, newest first, each with its attempts (newest first). */
int store_webhook_deliveries(struct store_conn *c, struct arena *a, int64_t webhook_id,
                             int64_t limit, int64_t offset, struct delivery_log **rows, size_t *n,
                             int64_t *total);

#endif
