/* alarms.h: reading the spike detector's alarms for people (GET /api/analytics/alarms). */
#ifndef OTKLIK_ANALYTICS_ALARMS_H
#define OTKLIK_ANALYTICS_ALARMS_H

#include "auth/actor.h"
#include "core/arena.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

struct alarm_query {
	int64_t since_id, limit, territory_id, category_id, topic_id;
};

/* The alarms who may see (as problems: admin all, coordinators their territories' subtrees,
 * supervisors problems holding an appeal of their organisations or those below), newest first:
 * {"items":[…], "last_id"}. Returns 0, ERR_FORBIDDEN (a territory filter outside a
 * coordinator's scope; *field set), ERR_DB. */
int alarms_list(struct store *s, struct arena *a, const struct actor *who,
                const struct alarm_query *q, json_t **out, const char **field);

#endif
