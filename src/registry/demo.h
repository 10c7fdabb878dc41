/* demo.h: reference data (regions of Russia with polygons) and the demo data set. */
#ifndef OTKLIK_REGISTRY_DEMO_H
#define OTKLIK_REGISTRY_DEMO_H

#include "store/store.h"

/* Loads data/demo (a region with municipalities, bodies, rubricator, rules) and the demo
 * accounts; idempotent: a second run changes nothing. */
int demo_load(struct store *s);

#endif
