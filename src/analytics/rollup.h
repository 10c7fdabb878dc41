/* rollup.h: the rollup worker of docs/analytics.md. One node at a time (lease "analytics") turns
 * new timeline events into facts and cell differences; it builds the rollups from scratch when
 * they were never built (a fresh or bulk-loaded database). */
#ifndef OTKLIK_ANALYTICS_ROLLUP_H
#define OTKLIK_ANALYTICS_ROLLUP_H

#include "store/store.h"

/* Starts the background thread. 0 or ERR_INTERNAL. */
int rollup_start(struct store *s);
void rollup_stop(void);
#endif
