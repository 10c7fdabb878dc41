/* executor.h: suggests the responsible body for an appeal from its topic, district and point. */
#ifndef OTKLIK_TEXT_EXECUTOR_H
#define OTKLIK_TEXT_EXECUTOR_H

#include "text/geo.h"

#include <stddef.h>
#include <stdint.h>

struct executor_bag; /* weighted counts of bodies for one key */

/* Learned from routed appeals; updated one appeal at a time (executor_add), so it follows the
 * platform's history. Recent appeals weigh more (weights double every halflife_days). */
struct executor_model {
	double halflife_days, t0; /* t0: time origin of the recency weights (seconds) */
	int64_t tmax;             /* newest appeal learned */
	double geo_radius_m;      /* at most the grid's cell (100 m) */
	double geo_weight, generic_weight;
	char *
	    *names; /* interned body names and district-free templates ("Администрация @ района") */
	size_t nnames, names_cap;
	uint64_t *keys; /* open addressing: key hash → bag index + 1 (0 = empty) */
	uint32_t *slots;
	size_t nkeys, keys_cap;
	struct executor_bag *bags;
	size_t nbags, bags_cap;
	struct executor_point *pts;
	size_t npts, pts_cap;
	struct geo_grid grid; /* tag = topic hash, payload = index into pts */
};

/* An empty model with the tuned weights; release frees everything (init again to reuse). */
void executor_init(struct executor_model *m);
void executor_release(struct executor_model *m);

/* Learns one routed appeal: topic (e.g. reason_id), district, point (NAN if none), creation time
 * (seconds) and the body that handled it. Strings are copied. Empty body: ignored, returns 0. */
int executor_add(struct executor_model *m, const char *topic, const char *district, double lat,
                 double lon, int64_t created, const char *body);

/* Best body for a new appeal (a topic never routed falls back to the district's usual body), or
 * NULL when neither the topic nor the district is known. The string is
 * owned by the model; *score (may be NULL) gets its share of the total vote in [0, 1]. */
const char *executor_predict(const struct executor_model *m, const char *topic,
                             const char *district, double lat, double lon, float *score);

/* Save / load (binary). Return 0, ERR_INTERNAL when writing fails, ERR_NOTFOUND when the file
 * cannot be opened, ERR_INVALID on a malformed file (the model is then empty). */
int executor_save(const struct executor_model *m, const char *path);
int executor_load(struct executor_model *m, const char *path);

#endif
