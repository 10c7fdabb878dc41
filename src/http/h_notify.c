/* h_notify.c: in-app notifications, notification settings and webhooks (docs/notify.md). */
#include "appeals/appeal.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/handlers.h"
#include "notify/config.h"
#include "notify/webhook.h"
#include "store/notify.h"

#include <string.h>

#define READ_IDS_MAX    500
#define DESCRIPTION_MAX 500 /* characters */

static int paging(struct req *r, int64_t *limit, int64_t *offset)
{
	*limit = 50;
	*offset = 0;
	int rc = http_query_int(r, "limit", 1, 100, limit);
	if (!rc)
		rc = http_query_int(r, "offset", 0, 1000000000, offset);
	return rc;
}

static int need_user(struct req *r)
{
	if (!r->actor.user_id)
		return http_fail(r, ERR_FORBIDDEN, "Уведомления есть только у учётной записи",
		                 NULL);
	return 0;
}

static json_t *opt_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* --- in-app notifications ----------------------------------------------------------------- */

int h_notifications_list(struct req *r)
{
	int rc = need_user(r);
	if (rc)
		return rc;
	int64_t limit, offset, unread_only = 0;
	rc = paging(r, &limit, &offset);
	if (!rc)
		rc = http_query_int(r, "unread", 0, 1, &unread_only);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct notification_row *rows;
	size_t n;
	int64_t total = 0, unread = 0;
	rc = store_notifications_list(c, r->a, r->actor.user_id, unread_only != 0, limit, offset,
	                              &rows, &n, &total, &unread);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    items, json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:b}", "id", (json_int_t)rows[i].id,
		                     "at", (json_int_t)rows[i].created_at, "kind", rows[i].kind,
		                     "title", rows[i].title, "body", rows[i].body, "appeal_id",
		                     opt_int(rows[i].appeal_id), "read", rows[i].read_at != 0));
	return http_json(r, 200,
	                 json_pack("{s:o,s:I,s:I}", "items", items, "total", (json_int_t)total,
	                           "unread", (json_int_t)unread));
}

struct read_job {
	int64_t user_id, now;
	int64_t ids[READ_IDS_MAX];
	size_t n;
	bool all;
};

static int read_fn(struct store_conn *c, void *arg)
{
	struct read_job *j = arg;
	return store_notifications_mark_read(c, j->user_id, j->ids, j->n, j->all, j->now);
}

int h_notifications_read(struct req *r)
{
	int rc = need_user(r);
	if (rc)
		return rc;
	json_t *in;
	rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *ids = NULL;
	int all = 0;
	json_error_t jerr;
	struct read_job *j = arena_alloc(r->a, sizeof(*j));
	j->user_id = r->actor.user_id;
	j->now = clock_now_ms();
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s?o,s?b}", "ids", &ids, "all", &all)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID,
		                 "Ожидаются поля ids (массив номеров) или all (true)", NULL);
	}
	j->all = all != 0;
	if (!j->all) {
		if (!ids || !json_is_array(ids) || !json_array_size(ids)) {
			json_decref(in);
			return http_fail(r, ERR_VALIDATION,
			                 "Укажите номера уведомлений (ids) или all: true", "ids");
		}
		if (json_array_size(ids) > READ_IDS_MAX) {
			json_decref(in);
			return http_fail(r, ERR_VALIDATION, "Не больше 500 уведомлений за раз",
			                 "ids");
		}
		size_t i;
		json_t *v;
		json_array_foreach(ids, i, v)
		{
			if (!json_is_integer(v) || json_integer_value(v) < 1) {
				json_decref(in);
				return http_fail(r, ERR_VALIDATION,
				                 "Номера уведомлений — положительные целые числа",
				                 "ids");
			}
			j->ids[j->n++] = json_integer_value(v);
		}
	}
	json_decref(in);
	rc = store_write(r->store, read_fn, j);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	int64_t unread = 0;
	rc = store_notifications_unread(c, r->actor.user_id, &unread);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	return http_json(r, 200, json_pack("{s:I}", "unread", (json_int_t)unread));
}

/* --- settings ----------------------------------------------------------------------------- */

static int settings_reply(struct req *r)
{
	struct store_conn *c;
	int rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct notify_user u;
	rc = store_notify_user(c, r->a, r->actor.user_id, &u);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	return http_json(r, 200,
	                 json_pack("{s:s,s:o,s:b}", "email", u.mode, "address", opt_str(u.email),
	                           "smtp", notify_config()->smtp_url != NULL));
}

int h_notify_settings_get(struct req *r)
{
	int rc = need_user(r);
	return rc ? rc : settings_reply(r);
}

struct settings_job {
	const struct actor *who;
	const char *mode;
	int64_t next_digest, now;
};

static int settings_fn(struct store_conn *c, void *arg)
{
	struct settings_job *j = arg;
	struct arena a;
	arena_init(&a, 256);
	const char *before = NULL;
	int rc = store_notify_mode_get(c, &a, j->who->user_id, &before);
	if (!rc)
		rc = store_notify_mode_put(c, j->who->user_id, j->mode, j->next_digest, j->now);
	if (!rc) {
		json_t *b = json_pack("{s:s}", "email", before),
		       *af = json_pack("{s:s}", "email", j->mode);
		rc = audit_record(c, j->who, "notify.settings", "user", j->who->user_id, b, af);
		json_decref(b);
		json_decref(af);
	}
	arena_release(&a);
	return rc;
}

int h_notify_settings_put(struct req *r)
{
	int rc = need_user(r);
	if (rc)
		return rc;
	json_t *in;
	rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *mode = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:s}", "email", &mode)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидается поле email: instant, digest или off",
		                 NULL);
	}
	const char *m = !strcmp(mode, "instant")  ? "instant"
	                : !strcmp(mode, "digest") ? "digest"
	                : !strcmp(mode, "off")    ? "off"
	                                          : NULL;
	json_decref(in);
	if (!m)
		return http_fail(r, ERR_VALIDATION,
		                 "Режим писем: instant (сразу), digest (раз в день) или off",
		                 "email");
	const struct notify_config *cfg = notify_config();
	struct settings_job j = {.who = &r->actor, .mode = m, .now = clock_now_ms()};
	if (!strcmp(m, "digest"))
		j.next_digest = notify_next_digest(j.now, cfg->digest_hour, cfg->digest_interval_ms,
		                                   appeal_tz_offset_min());
	rc = store_write(r->store, settings_fn, &j);
	return rc ? rc : settings_reply(r);
}

/* --- webhooks ----------------------------------------------------------------------------- */

static json_t *webhook_json(const struct webhook_row *w)
{
	return json_pack("{s:I,s:o,s:o,s:s,s:o,s:b,s:I,s:I}", "id", (json_int_t)w->id, "org_id",
	                 opt_int(w->org_id), "org_name", opt_str(w->org_name), "url", w->url,
	                 "description", opt_str(w->description), "active", w->active, "created_at",
	                 (json_int_t)w->created_at, "updated_at", (json_int_t)w->updated_at);
}

/* Audit form: never the secret. */
static json_t *webhook_audit(const struct webhook_row *w)
{
	return json_pack("{s:o,s:s,s:o,s:b}", "org_id", opt_int(w->org_id), "url", w->url,
	                 "description", opt_str(w->description), "active", w->active);
}

static int may_manage(struct store_conn *c, const struct actor *who, int64_t org_id, bool *ok)
{
	*ok = (who->roles & ROLE_ADMIN) != 0;
	if (*ok || !org_id)
		return 0;
	return perm_org_scope(c, who, ROLE_SUPERVISOR, org_id, ok);
}

/* Loads a webhook the caller may manage: 0, or the error already recorded (404). */
static int webhook_load(struct req *r, struct webhook_row *w)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	bool ok = false;
	rc = store_webhook_get(c, r->a, id, w);
	if (!rc)
		rc = may_manage(c, &r->actor, w->org_id, &ok);
	store_conn_put(r->store, c);
	if (rc == ERR_NOTFOUND || (!rc && !ok))
		return http_fail(r, ERR_NOTFOUND, "Вебхук не найден", NULL);
	return rc;
}

int h_webhook_list(struct req *r)
{
	int64_t limit, offset;
	int rc = paging(r, &limit, &offset);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct webhook_row *rows;
	size_t n;
	rc = store_webhooks_all(c, r->a, &rows, &n);
	json_t *items = json_array();
	int64_t total = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		bool ok = false;
		rc = may_manage(c, &r->actor, rows[i].org_id, &ok);
		if (rc || !ok)
			continue;
		if (total >= offset && total < offset + limit)
			json_array_append_new(items, webhook_json(&rows[i]));
		total++;
	}
	store_conn_put(r->store, c);
	if (rc) {
		json_decref(items);
		return rc;
	}
	return http_json(r, 200,
	                 json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total));
}

struct hook_job {
	const struct actor *who;
	struct webhook_row w, before;
	int kind; /* 0 create, 1 update, 2 delete */
	int64_t now;
};

static int hook_fn(struct store_conn *c, void *arg)
{
	struct hook_job *j = arg;
	int rc;
	json_t *b = NULL, *af = NULL;
	const char *action;
	if (j->kind == 0) {
		rc = store_webhook_insert(c, &j->w, j->who->user_id, &j->w.id);
		af = webhook_audit(&j->w);
		action = "webhook.create";
	} else if (j->kind == 1) {
		rc = store_webhook_update(c, &j->w, j->now);
		b = webhook_audit(&j->before);
		af = webhook_audit(&j->w);
		action = "webhook.update";
	} else {
		rc = store_webhook_delete(c, j->w.id, j->now);
		b = webhook_audit(&j->w);
		action = "webhook.delete";
	}
	if (!rc)
		rc = audit_record(c, j->who, action, "webhook", j->w.id, b, af);
	json_decref(b);
	json_decref(af);
	return rc;
}

/* Shared checks of url and description; 0 or the recorded 422. */
static int hook_fields(struct req *r, const char *url, const char *description)
{
	const char *why = NULL;
	if (url && notify_webhook_url_check(url, notify_config()->allow_private, &why))
		return http_fail(r, ERR_VALIDATION, why, "url");
	if (description && (!utf8_clean_text(description, strlen(description)) ||
	                    utf8_len(description, strlen(description)) > DESCRIPTION_MAX))
		return http_fail(r, ERR_VALIDATION, "Описание: до 500 символов обычного текста",
		                 "description");
	return 0;
}

int h_webhook_create(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *url = NULL, *description = NULL;
	json_t *org = NULL;
	int active = 1;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:s,s?o,s?s,s?b}", "url", &url, "org_id", &org,
	                   "description", &description, "active", &active) ||
	    (org && !json_is_integer(org) && !json_is_null(org))) {
		json_decref(in);
		return http_fail(r, ERR_INVALID,
		                 "Ожидаются поля url, org_id (число или null), description, active",
		                 NULL);
	}
	struct hook_job j = {.who = &r->actor, .kind = 0, .now = clock_now_ms()};
	j.w.url = arena_strdup(r->a, url);
	j.w.description = description && *description ? arena_strdup(r->a, description) : NULL;
	j.w.org_id = json_integer_value(org);
	j.w.active = active != 0;
	bool org_number = org && json_is_integer(org); /* org belongs to in: read it before */
	json_decref(in);
	rc = hook_fields(r, j.w.url, j.w.description);
	if (rc)
		return rc;
	if (org_number && j.w.org_id < 1)
		return http_fail(r, ERR_VALIDATION, "Организация не найдена", "org_id");
	if (!j.w.org_id && !(r->actor.roles & ROLE_ADMIN))
		return http_fail(r, ERR_VALIDATION,
		                 "Укажите организацию: общие вебхуки создаёт администратор",
		                 "org_id");
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	bool exists = true, ok = false;
	if (j.w.org_id)
		rc = store_notify_org_exists(c, j.w.org_id, &exists);
	if (!rc && exists)
		rc = may_manage(c, &r->actor, j.w.org_id, &ok);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	if (!exists)
		return http_fail(r, ERR_VALIDATION, "Организация не найдена", "org_id");
	if (!ok)
		return http_fail(r, ERR_FORBIDDEN,
		                 "Вебхуки можно настраивать только для своих организаций",
		                 "org_id");
	char secret[WEBHOOK_SECRET_HEX + 1];
	notify_webhook_secret(secret);
	j.w.secret = secret;
	j.w.created_at = j.w.updated_at = j.now;
	rc = store_write(r->store, hook_fn, &j);
	if (rc)
		return rc;
	struct webhook_row w;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	rc = store_webhook_get(c, r->a, j.w.id, &w);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	json_t *out = webhook_json(&w);
	json_object_set_new(out, "secret", json_string(secret)); /* shown this once only */
	return http_json(r, 201, out);
}

int h_webhook_get(struct req *r)
{
	struct webhook_row w;
	int rc = webhook_load(r, &w);
	return rc ? rc : http_json(r, 200, webhook_json(&w));
}

int h_webhook_update(struct req *r)
{
	struct hook_job j = {.who = &r->actor, .kind = 1, .now = clock_now_ms()};
	int rc = webhook_load(r, &j.before);
	if (rc)
		return rc;
	json_t *in;
	rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *url = NULL;
	json_t *desc = NULL;
	int active = -1;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s?s,s?o,s?b}", "url", &url, "description",
	                   &desc, "active", &active) ||
	    (desc && !json_is_string(desc) && !json_is_null(desc))) {
		json_decref(in);
		return http_fail(r, ERR_INVALID,
		                 "Ожидаются поля url, description (строка или null), active", NULL);
	}
	j.w = j.before;
	if (url)
		j.w.url = arena_strdup(r->a, url);
	if (desc)
		j.w.description = json_is_string(desc) && *json_string_value(desc)
		                      ? arena_strdup(r->a, json_string_value(desc))
		                      : NULL;
	if (active >= 0)
		j.w.active = active != 0;
	json_decref(in);
	rc = hook_fields(r, url ? j.w.url : NULL, desc ? j.w.description : NULL);
	if (rc)
		return rc;
	rc = store_write(r->store, hook_fn, &j);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	rc = store_webhook_get(c, r->a, j.w.id, &j.w);
	store_conn_put(r->store, c);
	return rc ? rc : http_json(r, 200, webhook_json(&j.w));
}

int h_webhook_delete(struct req *r)
{
	struct hook_job j = {.who = &r->actor, .kind = 2, .now = clock_now_ms()};
	int rc = webhook_load(r, &j.w);
	if (rc)
		return rc;
	rc = store_write(r->store, hook_fn, &j);
	return rc ? rc : http_no_content(r);
}

int h_webhook_deliveries(struct req *r)
{
	struct webhook_row w;
	int rc = webhook_load(r, &w);
	if (rc)
		return rc;
	int64_t limit, offset;
	rc = paging(r, &limit, &offset);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct delivery_log *rows;
	size_t n;
	int64_t total = 0;
	rc = store_webhook_deliveries(c, r->a, w.id, limit, offset, &rows, &n, &total);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct delivery_log *d = &rows[i];
		json_t *att = json_array();
		for (size_t k = 0; k < d->nattempts; k++)
			json_array_append_new(
			    att, json_pack("{s:I,s:o,s:o,s:I}", "at", (json_int_t)d->attempts[k].at,
			                   "status", opt_int(d->attempts[k].status), "error",
			                   opt_str(d->attempts[k].error), "duration_ms",
			                   (json_int_t)d->attempts[k].duration_ms));
		json_array_append_new(
		    items,
		    json_pack("{s:I,s:o,s:o,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)d->id,
		              "event_id", opt_int(d->event_id), "appeal_id", opt_int(d->appeal_id),
		              "kind", d->kind, "state", d->state, "created_at",
		              (json_int_t)d->created_at, "next_at",
		              strcmp(d->state, "pending") ? json_null() : json_integer(d->next_at),
		              "sent_at", opt_int(d->sent_at), "last_error", opt_str(d->last_error),
		              "attempts", att));
	}
	return http_json(r, 200,
	                 json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total));
}
