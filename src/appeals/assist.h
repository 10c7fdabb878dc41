/* assist.h: the text engine inside the server — topic and body suggestions while a citizen
 * types, similar appeals for executors, the "same problem nearby" offer, and problems
 * (clusters) assigned as appeals arrive. Models are built from the platform's own history at
 * start and kept current; with several nodes one node at a time (a lease) assigns problems. */
#ifndef OTKLIK_APPEALS_ASSIST_H
#define OTKLIK_APPEALS_ASSIST_H

#include "appeals/appeal.h"
#include "registry/registry.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads/trains the models from the database and starts the background thread.
 * Returns 0 or ERR_*; the server runs without suggestions if it fails. */
int assist_start(struct store *s);
void assist_stop(void);

/* Tell the engine a new appeal was committed. Off the request path, soon after (polls are at
 * least KICK_MIN_MS apart so that a burst is handled as one batch), the engine indexes it,
 * learns from it, and — on the node holding the lease — stores in suggested_topic_id the topic
 * it would choose when the citizen's choice looks wrong, and places it in a problem. */
void assist_appeal_added(int64_t appeal_id);

/* What the citizen has typed so far (POST /api/appeals/suggest), already validated. */
struct assist_query {
	const char *text;
	size_t len;
	int64_t topic_id, territory_id; /* 0 = not given */
	bool has_point;
	double lat, lon;
};
/* The suggestion object of docs/appeals.md (topics, org, hint, nearby, answers). Works without
 * the models too (then topics and answers are empty). 0 with *out (new reference) or ERR_DB;
 * ERR_VALIDATION with p set for an unknown topic. */
int assist_suggest(struct store *s, struct arena *a, const struct assist_query *q, json_t **out,
                   struct problem *p);

/* The similarity index: up to k appeals most like text, best first (0 while the engine is not
 * ready). struct text_hit is text/index.h's. */
struct text_hit;
int assist_search(const char *text, size_t len, struct text_hit *out, size_t k);

/* Appeals like ap that who may work on (staff rights), best first: {"items": [...]}. */
int assist_similar(struct store *s, struct arena *a, const struct actor *who,
                   const struct appeal *ap, json_t **out);

struct problem_scope;
/* The problems a caller may see: all for an admin, else the territories they coordinate and the
 * bodies they supervise (and, with executors, the bodies they execute for). */
void assist_problem_scope(struct arena *a, const struct actor *who, bool executors,
                          struct problem_scope *sc);

/* Problems API (docs/appeals.md): list and one problem in the caller's scope; merge and split
 * (coordinator of the problems' territories, or admin; audited). Errors carry p. */
struct problem_query {
	int64_t territory_id, category_id, topic_id;
	const char *status; /* open | solved | NULL */
	bool by_size;
	int64_t limit, offset;
};
int assist_problem_list(struct store *s, struct arena *a, const struct actor *who,
                        const struct problem_query *q, json_t **out);
int assist_problem_get(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                       json_t **out);
int assist_problem_merge(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         int64_t other_id, json_t **out, struct problem *p);
int assist_problem_split(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         const int64_t *appeal_ids, size_t n, json_t **out, struct problem *p);

/* Figures for /metrics and benchmarks. */
struct assist_stats {
	bool running, leader;
	size_t indexed, trained, classes, clusters;
	int64_t placed;
};
void assist_stats_get(struct assist_stats *out);

#endif
