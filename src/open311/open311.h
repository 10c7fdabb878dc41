/* open311.h: Open311 GeoReport v2 over the appeals (docs/open311.md). */
#ifndef OTKLIK_OPEN311_OPEN311_H
#define OTKLIK_OPEN311_OPEN311_H

#include "store/store.h"

/* Demo service attributes (idempotent). */
int open311_demo_load(struct store *s);

#endif
