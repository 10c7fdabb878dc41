/* outbox.c: what an appeal event calls for: in-app notifications, e-mails and webhook calls,
 * queued in the same write job as the event (docs/notify.md, "Who is notified"). */
#include "appeals/appeal.h"
#include "core/err.h"
#include "core/mem.h"
#include "notify/config.h"
#include "notify/notify.h"
#include "notify/render.h"
#include "store/notify.h"
#include "store/users.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH      32
#define MAX_RECIPIENTS 2000

struct recipients {
	int64_t ids[MAX_RECIPIENTS];
	bool staff[MAX_RECIPIENTS];
	size_t n;
	int64_t skip; /* the actor */
};

static void add(struct recipients *r, int64_t id, bool staff)
{
	if (!id || id == r->skip)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (r->ids[i] == id) {
			r->staff[i] = r->staff[i] || staff;
			return;
		}
	if (r->n < MAX_RECIPIENTS) {
		r->ids[r->n] = id;
		r->staff[r->n++] = staff;
	}
}

static void add_list(struct recipients *r, const struct id_list *l, bool staff)
{
	for (size_t i = 0; i < l->n; i++)
		add(r, l->ids[i], staff);
}

/* --- who holds a role on an organisation, kept per meta.grants_version --------------------
 * Every submission notifies the executors of the body it went to; while no grant changes
 * (every change bumps the version) they are the same. Direct-mapped by (role, org). */

#define HOLDERS_SLOTS 256

struct holders {
	uint64_t store; /* store_serial; 0 = empty */
	int64_t version, org_id;
	char role[16];
	int64_t *ids;
	size_t n;
};
static pthread_mutex_t holders_lock = PTHREAD_MUTEX_INITIALIZER;
static struct holders holders[HOLDERS_SLOTS];

/* The holders of role on org: from memory when ev->grants_version is what they were read at,
 * else read (and kept when the version is known). The list is arena-owned. */
static int role_org_holders(struct store_conn *c, struct arena *a, const struct notify_event *ev,
                            const char *role, int64_t org, struct id_list *out)
{
	uint64_t store = store_serial(store_conn_store(c));
	uint64_t h = ((uint64_t)org ^ (uint64_t)(unsigned char)role[0] << 56) * 0x9E3779B97F4A7C15u;
	struct holders *e = &holders[(h >> 32) % HOLDERS_SLOTS];
	bool keep = ev->grants_version && strlen(role) < sizeof(e->role);
	if (keep) {
		bool hit = false;
		pthread_mutex_lock(&holders_lock);
		if (e->store == store && e->version == ev->grants_version && e->org_id == org &&
		    !strcmp(e->role, role)) {
			hit = true;
			out->n = e->n;
			out->ids = arena_alloc(a, (e->n + 1) * sizeof(*out->ids));
			memcpy(out->ids, e->ids, e->n * sizeof(*out->ids));
		}
		pthread_mutex_unlock(&holders_lock);
		if (hit)
			return 0;
	}
	int rc = store_notify_role_org(c, a, role, org, out);
	if (rc || !keep)
		return rc;
	int64_t *copy = xmalloc((out->n + 1) * sizeof(*copy));
	memcpy(copy, out->ids, out->n * sizeof(*copy));
	pthread_mutex_lock(&holders_lock);
	int64_t *old = e->ids;
	*e = (struct holders){
	    .store = store, .version = ev->grants_version, .org_id = org, .ids = copy, .n = out->n};
	snprintf(e->role, sizeof(e->role), "%s", role);
	pthread_mutex_unlock(&holders_lock);
	free(old);
	return 0;
}

/* Holders of role on org and every organisation above it. */
static int add_org_chain(struct store_conn *c, struct arena *a, struct recipients *r,
                         const char *role, int64_t org)
{
	for (int d = 0; org && d < MAX_DEPTH; d++) {
		struct id_list l;
		int rc = store_notify_role_org(c, a, role, org, &l);
		if (rc)
			return rc;
		add_list(r, &l, true);
		int64_t parent = 0;
		rc = store_org_parent(c, org, &parent);
		if (rc == ERR_NOTFOUND)
			return 0;
		if (rc)
			return rc;
		org = parent;
	}
	return 0;
}

static int add_territory_chain(struct store_conn *c, struct arena *a, struct recipients *r,
                               const char *role, int64_t terr)
{
	if (!terr)
		return 0;
	int64_t chain[MAX_DEPTH];
	size_t n = 0;
	int rc = store_territory_chain(c, terr, chain, MAX_DEPTH, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct id_list l;
		rc = store_notify_role_territory(c, a, role, chain[i], &l);
		if (!rc)
			add_list(r, &l, true);
	}
	return rc;
}

/* The assignee, or the executors of the org when nobody is assigned. */
static int add_workers(struct store_conn *c, struct arena *a, struct recipients *r,
                       const struct appeal *ap)
{
	if (ap->assignee_id) {
		add(r, ap->assignee_id, true);
		return 0;
	}
	if (!ap->org_id)
		return 0;
	struct id_list l;
	int rc = store_notify_role_org(c, a, "executor", ap->org_id, &l);
	if (!rc)
		add_list(r, &l, true);
	return rc;
}

static bool is(const char *s, const char *v)
{
	return s && !strcmp(s, v);
}

static int collect(struct store_conn *c, struct arena *a, const struct notify_event *ev,
                   const struct appeal *ap, struct recipients *r)
{
	int rc = 0;
	if (ev->public && ev->fresh) {
		add(r, ap->author_id, false);
	} else if (ev->public) {
		struct id_list l;
		rc = store_notify_authors(c, a, ap->id, &l);
		if (rc)
			return rc;
		add_list(r, &l, false);
	}
	const char *to = ev->status_to, *k = ev->kind;
	if (is(to, "submitted"))
		rc = add_territory_chain(c, a, r, "coordinator", ap->territory_id);
	if (!rc && (is(to, "routed") || is(to, "redirected")) && ap->org_id) {
		struct id_list l;
		rc = role_org_holders(c, a, ev, "executor", ap->org_id, &l);
		if (!rc)
			add_list(r, &l, true);
	}
	if (!rc && is(k, "overdue")) {
		rc = add_workers(c, a, r, ap);
		if (!rc)
			rc = add_org_chain(c, a, r, "supervisor", ap->org_id);
	}
	if (!rc && (is(k, "due_soon") || is(k, "clarify")))
		rc = add_workers(c, a, r, ap);
	if (!rc && (is(to, "approval") || is(to, "rereview")))
		rc = add_org_chain(c, a, r, "supervisor", ap->org_id);
	if (!rc && is(k, "assign"))
		add(r, ap->assignee_id, true);
	return rc;
}

int notify_org_covers(struct store_conn *c, int64_t hook_org, int64_t org, bool *yes)
{
	*yes = false;
	for (int d = 0; org && d < MAX_DEPTH; d++) {
		if (org == hook_org) {
			*yes = true;
			return 0;
		}
		int64_t parent = 0;
		int rc = store_org_parent(c, org, &parent);
		if (rc == ERR_NOTFOUND)
			return 0;
		if (rc)
			return rc;
		org = parent;
	}
	return 0;
}

/* The webhooks' (id, org, active), kept while meta.webhooks_version stays the same. */
struct hook_brief {
	int64_t id, org_id;
	bool active;
};
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hook_brief *hooks_cache;
static size_t hooks_n;
static int64_t hooks_version; /* 0 = none */
static uint64_t hooks_store;  /* store_serial */

/* The webhooks an event may go to: from memory when ev->webhooks_version is what it was read
 * at, else read (and kept when the version is known). */
static int webhooks_list(struct store_conn *c, struct arena *a, const struct notify_event *ev,
                         struct hook_brief **out, size_t *n)
{
	uint64_t store = store_serial(store_conn_store(c));
	if (ev->webhooks_version) {
		bool hit = false;
		pthread_mutex_lock(&hooks_lock);
		if (hooks_version == ev->webhooks_version && hooks_store == store) {
			hit = true;
			*n = hooks_n;
			*out = arena_alloc(a, (hooks_n + 1) * sizeof(**out));
			memcpy(*out, hooks_cache, hooks_n * sizeof(**out));
		}
		pthread_mutex_unlock(&hooks_lock);
		if (hit)
			return 0;
	}
	struct webhook_row *rows;
	int rc = store_webhooks_all(c, a, &rows, n);
	if (rc)
		return rc;
	*out = arena_alloc(a, (*n + 1) * sizeof(**out));
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = (struct hook_brief){rows[i].id, rows[i].org_id, rows[i].active};
	if (ev->webhooks_version) {
		struct hook_brief *copy = xmalloc((*n + 1) * sizeof(*copy));
		memcpy(copy, *out, *n * sizeof(*copy));
		pthread_mutex_lock(&hooks_lock);
		struct hook_brief *old = hooks_cache;
		hooks_cache = copy;
		hooks_n = *n;
		hooks_version = ev->webhooks_version;
		hooks_store = store;
		pthread_mutex_unlock(&hooks_lock);
		free(old);
	}
	return 0;
}

static int queue_webhooks(struct store_conn *c, struct arena *a, const struct notify_event *ev,
                          const struct appeal *ap, int64_t now)
{
	struct hook_brief *hooks;
	size_t n;
	int rc = webhooks_list(c, a, ev, &hooks, &n);
	if (rc || !n)
		return rc;
	char *payload = NULL;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!hooks[i].active)
			continue;
		bool covers = !hooks[i].org_id;
		if (!covers)
			rc = notify_org_covers(c, hooks[i].org_id, ap->org_id, &covers);
		if (rc || !covers)
			continue;
		if (!payload) {
			json_t *brief = appeal_brief_json(ap);
			payload = notify_webhook_payload(ev, brief);
			json_decref(brief);
		}
		struct delivery_new d = {
		    .channel = "webhook",
		    .target = arena_printf(a, "webhook:%lld", (long long)hooks[i].id),
		    .event_id = ev->id,
		    .appeal_id = ap->id,
		    .webhook_id = hooks[i].id,
		    .kind = ev->kind,
		    .payload = payload,
		    .now = now,
		};
		rc = store_delivery_insert(c, &d);
	}
	free(payload);
	return rc;
}

int notify_appeal_event(struct store_conn *c, struct arena *a, int64_t event_id, int64_t now)
{
	struct notify_event ev;
	int rc = store_notify_event(c, a, event_id, &ev);
	if (rc)
		return rc == ERR_NOTFOUND ? 0 : rc;
	struct appeal ap;
	rc = appeal_load(c, a, ev.appeal_id, &ap);
	if (rc)
		return rc == ERR_NOTFOUND ? 0 : rc;
	return notify_appeal_event_of(c, a, &ev, &ap, now);
}

int notify_appeal_event_of(struct store_conn *c, struct arena *a, const struct notify_event *evp,
                           const struct appeal *app, int64_t now)
{
	const struct notify_event ev = *evp;
	const struct appeal ap = *app;
	struct recipients *r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_INTERNAL;
	r->skip = ev.actor_user_id;
	int rc = collect(c, a, &ev, &ap, r);
	const struct notify_config *cfg = notify_config();
	for (size_t i = 0; i < r->n && !rc; i++) {
		const char *title, *body;
		notify_render_event(a, &ev, ev.public || r->staff[i], &title, &body);
		struct notification_row nr = {
		    .user_id = r->ids[i],
		    .appeal_id = ap.id,
		    .event_id = ev.id,
		    .created_at = now,
		    .kind = ev.kind,
		    .title = title,
		    .body = body,
		};
		rc = store_notification_insert(c, &nr);
		if (rc || !cfg->smtp_url)
			continue;
		struct notify_user u;
		rc = store_notify_user(c, a, r->ids[i], &u);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc || !u.email || strcmp(u.mode, "instant"))
			continue;
		struct delivery_new d = {
		    .channel = "email",
		    .target = u.email,
		    .event_id = ev.id,
		    .appeal_id = ap.id,
		    .user_id = u.id,
		    .kind = ev.kind,
		    .subject = title,
		    .payload = notify_render_email(a, title, body),
		    .now = now,
		};
		rc = store_delivery_insert(c, &d);
	}
	free(r);
	if (!rc)
		rc = queue_webhooks(c, a, &ev, &ap, now);
	return rc;
}
