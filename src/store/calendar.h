/* calendar.h (store): SQL for the production calendar (calendar_days), organisations' deadline
 * overrides (org_deadlines), the topics' own deadlines and the cache versions in meta. */
#ifndef OTKLIK_STORE_CALENDAR_H
#define OTKLIK_STORE_CALENDAR_H

#include "store/store.h"

#include <stdint.h>

/* Exception days from..to inclusive ("YYYY-MM-DD"), by date: columns day, kind, note. */
int store_calendar_days(struct store_conn *c, struct arena *a, const char *from, const char *to,
                        struct store_rows *out);
/* Every exception day: columns day, kind (for the in-memory calendar). */
int store_calendar_all(struct store_conn *c, struct arena *a, struct store_rows *out);
/* Deletes the exception days from..to inclusive (inside a write job). */
int store_calendar_delete(struct store_conn *c, const char *from, const char *to);
/* Inserts one exception day (inside a write job). note may be NULL. */
int store_calendar_insert(struct store_conn *c, const char *day, const char *kind, const char *note,
                          int64_t now);

/* The org's overrides: columns topic_id (NULL = all topics), topic_name, deadline,
 * deadline_unit; the all-topics row first, then by topic id. */
int store_org_deadlines(struct store_conn *c, struct arena *a, int64_t org_id,
                        struct store_rows *out);
/* Every override: columns org_id, topic_id (NULL), deadline, deadline_unit. */
int store_org_deadlines_all(struct store_conn *c, struct arena *a, struct store_rows *out);
/* Deletes the org's overrides (inside a write job). */
int store_org_deadlines_delete(struct store_conn *c, int64_t org_id);
/* Inserts one override (topic_id 0 = all topics). ERR_CONFLICT on a duplicate. */
int store_org_deadline_insert(struct store_conn *c, int64_t org_id, int64_t topic_id,
                              int64_t deadline, const char *unit, int64_t now);

/* A topic's own deadline and unit (copied into the arena); ERR_NOTFOUND when no such topic. */
int store_topic_deadline(struct store_conn *c, struct arena *a, int64_t topic_id, int64_t *deadline,
                         const char **unit);

/* Cache versions (meta 'calendar_version' and 'org_deadlines_version'; 0 when absent). */
int store_deadline_versions(struct store_conn *c, int64_t *calendar, int64_t *org_deadlines);
int store_calendar_bump(struct store_conn *c);
int store_org_deadlines_bump(struct store_conn *c);

#endif
