/* notify.h: notifications. Every appeal event queues its notifications in the outbox inside
 * the same write job (so nothing acknowledged is lost); workers in `otklik serve` deliver them
 * in-app, by e-mail (SMTP) and by signed webhooks, each message once even with several nodes. */
#ifndef OTKLIK_NOTIFY_NOTIFY_H
#define OTKLIK_NOTIFY_NOTIFY_H

#include "core/arena.h"
#include "store/store.h"

#include <stdint.h>

/* Inside a write job: queues what the appeal event event_id calls for (docs/appeals.md,
 * "Notifications": authors and co-authors for public events, staff by kind, webhooks).
 * Returns 0 or ERR_DB. */
int notify_appeal_event(struct store_conn *c, struct arena *a, int64_t event_id, int64_t now);

struct notify_event;
struct appeal;
/* The same for an event and appeal the caller already holds (as just written in this job):
 * saves reading both back. */
int notify_appeal_event_of(struct store_conn *c, struct arena *a, const struct notify_event *ev,
                           const struct appeal *ap, int64_t now);
/* Whether a webhook of hook_org covers something of org: org is hook_org or under it (for
 * appeals and for projects alike). */
int notify_org_covers(struct store_conn *c, int64_t hook_org, int64_t org, bool *yes);

/* Starts the delivery workers (configuration from the environment: OTKLIK_SMTP_URL,
 * OTKLIK_SMTP_FROM, …; see docs/notify.md). Returns 0 or ERR_INTERNAL. */
int notify_start(struct store *s);
/* Stops the workers (finishing the message in hand). Safe when not started. */
void notify_stop(void);

#endif
