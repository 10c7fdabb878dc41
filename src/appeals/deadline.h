/* deadline.h: due times over the production calendar (working days) or in hours, the calendar's
 * pages and the organisations' deadline overrides. */
#ifndef OTKLIK_APPEALS_DEADLINE_H
#define OTKLIK_APPEALS_DEADLINE_H

#include "auth/actor.h"
#include "core/arena.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The due time of an appeal on topic_id handled by org_id (0 = none yet: the topic's own
 * deadline), counted from start_ms: the org's override for the topic (or for all its topics),
 * else the topic's deadline; `wdays` N → the end of the N-th working day after start's day
 * (local time), `hours` N → start + N hours. Returns 0, ERR_NOTFOUND (topic), ERR_DB.
 * The calendar and the overrides are cached in memory; a change on another node is seen within
 * a second (versions in meta), on this node at once. Thread-safe. */
int deadline_due(struct store_conn *c, int64_t topic_id, int64_t org_id, int64_t start_ms,
                 int64_t *due_ms);
/* deadline_due in two steps: the rule of (topic, org) — N working days, or N hours when *hours
 * (0, ERR_NOTFOUND for the topic, ERR_DB) — and the due time of such a rule from start_ms. */
int deadline_rule(struct store_conn *c, int64_t topic_id, int64_t org_id, int64_t *n, bool *hours);
int deadline_due_by(struct store_conn *c, int64_t n, bool hours, int64_t start_ms, int64_t *due_ms);
/* due_ms moved by `days` working days (extension): the end of the days-th working day after
 * due's local day. Returns 0 or ERR_DB. */
int deadline_add_wdays(struct store_conn *c, int64_t due_ms, int days, int64_t *out);
/* Working days left from now_ms to due_ms: working days after today up to due's day; 0 when due
 * today, negative when overdue (whole working days), for "due soon". Returns 0 or ERR_DB. */
int deadline_wdays_left(struct store_conn *c, int64_t now_ms, int64_t due_ms, int *out);

/* Forget what the in-memory cache knows: the next call re-checks the versions. */
void deadline_cache_invalidate(void);

/* Error detail of the calls below: Russian message and the field at fault (or NULL). */
struct deadline_problem {
	const char *message;
	const char *field;
};

/* The page of a year: {year, days: [{date, kind, note}], working_days}. ERR_NOTFOUND for a year
 * outside CALENDAR_YEAR_MIN..MAX, ERR_DB. *out is a new reference. */
int deadline_calendar_get(struct store *s, struct arena *a, int year, json_t **out);
/* Replaces a year's exceptions with `days` (the request's array; validated: ERR_VALIDATION with
 * p's field "days[i].date" …), writes the audit entry, bumps the calendar version. Replies with
 * the new page in *out. ERR_NOTFOUND for a year out of range, ERR_DB. */
int deadline_calendar_put(struct store *s, struct arena *a, const struct actor *who, int year,
                          json_t *days, json_t **out, struct deadline_problem *p);
/* An org's overrides: {org_id, items: [{topic_id|null, topic_name|null, deadline,
 * deadline_unit}]}. ERR_NOTFOUND for an unknown org. */
int deadline_org_get(struct store *s, struct arena *a, int64_t org_id, json_t **out);
/* Replaces an org's overrides with `items` (validated: topic exists, deadline 1–8760, unit
 * wdays|hours, no topic twice). Admin, or a supervisor of the org or one above it (else
 * ERR_FORBIDDEN); ERR_NOTFOUND for an unknown org. Audit, version bump; *out as the GET. */
int deadline_org_put(struct store *s, struct arena *a, const struct actor *who, int64_t org_id,
                     json_t *items, json_t **out, struct deadline_problem *p);

#endif
