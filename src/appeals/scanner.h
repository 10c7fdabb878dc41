/* scanner.h: the deadline scanner inside `otklik serve`: marks overdue appeals, warns about
 * appeals due soon, escalates to supervisors, closes answers left unrated for 30 days. Each
 * appeal is handled once even when several nodes share one PostgreSQL (conditional updates). */
#ifndef OTKLIK_APPEALS_SCANNER_H
#define OTKLIK_APPEALS_SCANNER_H

#include "store/store.h"

#include <stdint.h>

/* Starts the scanner thread (period: OTKLIK_SCAN_INTERVAL_MS, default 30000). */
int scanner_start(struct store *s);
void scanner_stop(void);
/* One pass at time now (also used by tests through the thread). Returns the number of appeals
 * changed, or ERR_*. */
int scanner_run_once(struct store *s, int64_t now);

#endif
