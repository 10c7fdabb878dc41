/* rating_board.h: the ratings of docs/ratings.md as the API answers them — regions (score,
 * rank, change, indicators, drill-down to appeals), bodies and executors, the weights. Reads
 * the rollups (store/analytics.h) and store/ratings.h; the rules are in analytics/ratings.h. */
#ifndef OTKLIK_ANALYTICS_RATING_BOARD_H
#define OTKLIK_ANALYTICS_RATING_BOARD_H

#include "analytics/dashboard.h"
#include "analytics/ratings.h"
#include "auth/actor.h"
#include "registry/registry.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define RATINGS_DEFAULT_DAYS 60   /* regions, executors: the last 60 days ending today */
#define RATINGS_MAX_ORGS     1000 /* bodies rated in one answer */

/* Parses from/to (YYYY-MM-DD, either may be NULL) into a period ending today by default
 * (default_days long; dash_dates); monthly widens it to whole months (default: this month and
 * the two before). ERR_INVALID with p (message, field) for a bad date, from > to or a too long
 * one. */
int ratings_period(const char *from, const char *to, int32_t today, int default_days, bool monthly,
                   struct dash_period *out, struct problem *p);

/* The effective parameters: default weights overridden by the stored ones. */
int ratings_params_load(struct store_conn *c, struct arena *a, struct rating_params *out);
/* GET /api/ratings/weights. */
json_t *ratings_weights_json(const struct rating_params *p);
/* PUT /api/ratings/weights {"weights": {key: points}}: validates (ERR_INVALID / ERR_VALIDATION
 * with p), stores and audits (ratings.weights) in one write; *out as GET. */
int ratings_weights_put(struct store *s, struct arena *a, const struct actor *who, json_t *in,
                        json_t **out, struct problem *p);

/* GET /api/ratings/regions (region_id 0) or /api/ratings/regions/{id} (ERR_NOTFOUND for an
 * unknown region). min_appeals 0 = the default. */
int ratings_regions(struct store_conn *c, struct arena *a, const struct dash_period *pd,
                    int64_t min_appeals, int64_t region_id, json_t **out);
/* GET /api/ratings/regions/{id}/appeals: the appeals behind an appeal indicator. ERR_INVALID
 * with p for an unknown indicator or one without appeals behind it. */
int ratings_drill(struct store_conn *c, struct arena *a, int64_t region_id, const char *indicator,
                  const struct dash_period *pd, bool bad_only, int64_t limit, int64_t offset,
                  json_t **out, struct problem *p);

/* GET /api/ratings/bodies: the bodies in the caller's scope (admin: all, or the org_id /
 * territory_id subtree; a supervisor: their orgs and those below; a coordinator: the orgs of
 * their territories). ERR_FORBIDDEN with p for a filter outside the scope. */
int ratings_bodies(struct store_conn *c, struct arena *a, const struct actor *who, int64_t org_id,
                   int64_t territory_id, const struct dash_period *pd, int64_t min_sample,
                   json_t **out, struct problem *p);
/* GET /api/ratings/executors: the executors of one org (org_id 0: the supervisor's first). */
int ratings_executors(struct store_conn *c, struct arena *a, const struct actor *who,
                      int64_t org_id, const struct dash_period *pd, int64_t min_sample,
                      json_t **out, struct problem *p);

#endif
