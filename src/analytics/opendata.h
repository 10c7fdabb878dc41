/* opendata.h: the public, anonymised appeals file of docs/analytics.md (open data). */
#ifndef OTKLIK_ANALYTICS_OPENDATA_H
#define OTKLIK_ANALYTICS_OPENDATA_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define OPENDATA_MAX_DAYS 366 /* the longest period of one file */
#define OPENDATA_K        3   /* fewer appeals of a (month, municipality, topic): generalised */

/* Appeals created in days [from, to] in the territory's subtree (0 = all) as CSV (BOM, Russian
 * header row): month, region, municipality, category, topic, body, status, days to answer,
 * rating, on time, lat, lon (rounded to 0.01°) — no text, names or ids of people. Rows of a
 * (month, municipality, topic) with fewer than OPENDATA_K appeals lose municipality,
 * coordinates and a body of that municipality. 0 with *out (arena) / ERR_TOOLARGE / ERR_DB. */
int opendata_appeals_csv(struct store_conn *c, struct arena *a, int32_t from, int32_t to,
                         int64_t territory_id, const char **out, size_t *len);

#endif
