/* ratings.h (store): SQL of the ratings (docs/ratings.md): weights, regions, the bodies of
 * regions with their connection and activity, the orgs a caller may rate, executors' names,
 * and the appeals behind an indicator. The sums of appeals come from store/analytics.h. */
#ifndef OTKLIK_STORE_RATINGS_H
#define OTKLIK_STORE_RATINGS_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* Rows (key, weight) of the configured weights (only overridden ones). */
int store_ratings_weights(struct store_conn *c, struct arena *a, struct store_rows *out);
/* Sets one weight (insert or update). Inside a write job. */
int store_ratings_weight_put(struct store_conn *c, const char *key, int64_t weight, int64_t now);

/* Rows (id, code, name) of the active regions (territories of kind "region"), by name. */
int store_ratings_regions(struct store_conn *c, struct arena *a, struct store_rows *out);

/* Rows (region_id, org_id, name, kind, connected, active) of the active regional, municipal and
 * social orgs whose territory lies in a region (region_id 0 = every region): connected = a staff
 * grant (operator, executor, supervisor) on the org created before until_ms; active = a final
 * answer given by the org on days [from, to] (appeal_facts). By region, kind, name. */
int store_ratings_region_orgs(struct store_conn *c, struct arena *a, int64_t region_id,
                              int64_t until_ms, int32_t from, int32_t to, struct store_rows *out);
/* Rows (region_id, municipality_id, covered) of the active municipalities (kind
 * "municipality") of every region: covered = a connected org (as above) sits in it. */
int store_ratings_municipalities(struct store_conn *c, struct arena *a, int64_t until_ms,
                                 struct store_rows *out);

/* Rows (id, name, short_name, kind, territory_name, territory_id) of the active orgs in a subtree:
 * below and including org_root when org_root != 0, else those whose territory lies below and
 * including terr_root (terr_root 0 = every org). At most limit rows, by name. */
int store_ratings_orgs(struct store_conn *c, struct arena *a, int64_t org_root, int64_t terr_root,
                       int64_t limit, struct store_rows *out);
/* The display name of a user (name, else login) into *name (arena); ERR_NOTFOUND. */
int store_ratings_user_name(struct store_conn *c, struct arena *a, int64_t id, const char **name);

/* The appeals behind an appeal indicator of a region (docs/ratings.md, "Drill-down"): facts of
 * the region's subtree whose dates put them into the indicator on days [from, to]; only the
 * ones that lower it when bad_only. Rows (id, status, created_at, topic_name, territory_name,
 * org_name, review_h, on_time, rating, satisfied, rereview, redirected, rejected, late,
 * answered_day, rated_day) newest first; *total counts every match. ERR_INVALID for an
 * indicator without appeals behind it. */
int store_ratings_drill(struct store_conn *c, struct arena *a, int64_t region_id,
                        const char *indicator, int32_t from, int32_t to, bool bad_only,
                        int64_t limit, int64_t offset, struct store_rows *out, int64_t *total);

/* The demo data (appeals/demo_regions.c): sets the assignee of an appeal written by the bulk
 * path, which has no assignee column. */
int store_ratings_demo_assign(struct store_conn *c, int64_t appeal_id, int64_t user_id);
/* The demo data: dates the grants of a demo account back to `at` (connected since then). */
int store_ratings_demo_backdate(struct store_conn *c, int64_t user_id, int64_t at);

#endif
