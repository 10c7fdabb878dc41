/* demo_regions.h: more demo regions for the ratings (docs/ratings.md): bodies, staff accounts
 * and a few hundred answered appeals per region with different behaviour. */
#ifndef OTKLIK_APPEALS_DEMO_REGIONS_H
#define OTKLIK_APPEALS_DEMO_REGIONS_H

#include "store/store.h"

/* Loads five regions' municipalities, bodies (some connected with an executor account, some
 * not) and about 250 appeals each over the last 120 days, written by the bulk path with their
 * timeline events (the rollups pick them up). Idempotent: a second run changes nothing. */
int demo_regions_load(struct store *s);

#endif
