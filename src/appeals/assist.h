/* assist.h: the text engine inside the server — topic and body suggestions while a citizen
 * types, similar appeals for executors, the "same problem nearby" offer, and problems
 * (clusters) assigned as appeals arrive. Models are built from the platform's own history at
 * start and kept current; with several nodes one node at a time (a lease) assigns problems. */
#ifndef OTKLIK_APPEALS_ASSIST_H
#define OTKLIK_APPEALS_ASSIST_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* Loads/trains the models from the database and starts the background thread.
 * Returns 0 or ERR_*; the server runs without suggestions if it fails. */
int assist_start(struct store *s);
void assist_stop(void);

/* The topic the text engine would choose when the citizen's choice looks wrong; 0 = no doubt
 * (or no model). Thread-safe; a few microseconds. */
int64_t assist_doubt_topic(const char *text, size_t len, int64_t chosen_topic_id);

/* Tell the engine a new appeal was committed (index it, place it in a problem soon). */
void assist_appeal_added(int64_t appeal_id);

#endif
