/* rollup.h: the rollup worker of docs/analytics.md. One node at a time (lease "analytics") turns
 * new timeline events into facts and cell differences; it builds the rollups from scratch when
 * they were never built (a fresh or bulk-loaded database). */
#ifndef OTKLIK_ANALYTICS_ROLLUP_H
#define OTKLIK_ANALYTICS_ROLLUP_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* Starts the background thread. 0 or ERR_INTERNAL. */
int rollup_start(struct store *s);
void rollup_stop(void);
/* One pass on the caller's thread (tests, the CLI): takes the lease, builds if needed, applies
 * every pending event. *applied counts the appeals refreshed. */
int rollup_pass(struct store *s, int64_t *applied);

struct rollup_stats {
	bool leader, built;
	int64_t cursor, appeals_refreshed, passes, lag_ms;
};
void rollup_stats_get(struct rollup_stats *out);

#endif
