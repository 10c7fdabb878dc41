/* topics.h: unsupervised topics — spherical k-means over folded TF-IDF vectors. */
#ifndef OTKLIK_TEXT_TOPICS_H
#define OTKLIK_TEXT_TOPICS_H

#include "text/features.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TOPICS_DIM_BITS 16 /* hashed ids are folded to 2^16 dimensions */

struct topic_model {
	uint32_t k;
	float *c; /* k × 2^TOPICS_DIM_BITS unit centroids */
};

/* Fits k topics to n unit vectors (iters rounds, deterministic in seed). Replaces t's content.
 * Returns 0 or ERR_INVALID (k == 0 or n < k). */
int topics_fit(struct topic_model *t, const struct text_vec *docs, size_t n, uint32_t k, unsigned iters,
	       uint64_t seed);
void topics_release(struct topic_model *t);
/* The nearest topic of a unit vector (its cosine in *sim when non-NULL); 0 for an empty model. */
uint32_t topics_assign(const struct topic_model *t, const struct text_vec *v, float *sim);
/* Binary save/load inside an open file. Return 0, ERR_INTERNAL (write), ERR_INVALID (read). */
int topics_write(const struct topic_model *t, FILE *f);
int topics_read(struct topic_model *t, FILE *f);

#endif
