/* deadline.h: due times over the production calendar (working days) or in hours. */
#ifndef OTKLIK_APPEALS_DEADLINE_H
#define OTKLIK_APPEALS_DEADLINE_H

#include "store/store.h"

#include <stdint.h>

/* The due time of an appeal on topic_id handled by org_id (0 = none yet: the topic's own
 * deadline), counted from start_ms: the org's override for the topic (or for all its topics),
 * else the topic's deadline; `wdays` N → the end of the N-th working day after start's day
 * (local time), `hours` N → start + N hours. Returns 0, ERR_NOTFOUND (topic), ERR_DB. */
int deadline_due(struct store_conn *c, int64_t topic_id, int64_t org_id, int64_t start_ms,
                 int64_t *due_ms);
/* due_ms moved by `days` working days (extension). Returns 0 or ERR_DB. */
int deadline_add_wdays(struct store_conn *c, int64_t due_ms, int days, int64_t *out);
/* Working days left from now_ms to due_ms: 0 when due today, negative when overdue
 * (whole working days), for "due soon". Returns 0 or ERR_DB. */
int deadline_wdays_left(struct store_conn *c, int64_t now_ms, int64_t due_ms, int *out);

#endif
