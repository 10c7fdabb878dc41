/* topics.c: spherical k-means (cosine) with dense folded centroids; assignment is one sparse pass. */
#include "text/topics.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIM ((size_t)1 << TOPICS_DIM_BITS)
#define FOLD(idx) ((idx) & (DIM - 1))

void topics_release(struct topic_model *t)
{
	free(t->c);
	memset(t, 0, sizeof(*t));
}

static float dot_dense(const float *c, const struct text_vec *v)
{
	float s = 0;
	for (size_t i = 0; i < v->n; i++)
		s += c[FOLD(v->f[i].idx)] * v->f[i].val;
	return s;
}

uint32_t topics_assign(const struct topic_model *t, const struct text_vec *v, float *sim)
{
	uint32_t best = 0;
	float bs = -2;
	for (uint32_t k = 0; k < t->k; k++) {
		float s = dot_dense(t->c + k * DIM, v);
		if (s > bs) {
			bs = s;
			best = k;
		}
	}
	if (sim)
		*sim = t->k ? bs : 0;
	return best;
}

int topics_fit(struct topic_model *t, const struct text_vec *docs, size_t n, uint32_t k, unsigned iters,
	       uint64_t seed)
{
	topics_release(t);
	if (k == 0 || n < k)
		return ERR_INVALID;
	t->k = k;
	t->c = xcalloc((size_t)k * DIM, sizeof(*t->c));
	uint32_t *asg = xmalloc(n * sizeof(*asg));
	uint64_t s = seed ? seed : 1;
	for (uint32_t j = 0; j < k; j++) { /* seeds: distinct non-empty documents */
		size_t tries = 0, i;
		do {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			i = (size_t)(s % n);
		} while (docs[i].n == 0 && ++tries < 100);
		for (size_t q = 0; q < docs[i].n; q++)
			t->c[j * DIM + FOLD(docs[i].f[q].idx)] += docs[i].f[q].val;
	}
	for (unsigned it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i++)
			asg[i] = topics_assign(t, &docs[i], NULL);
		memset(t->c, 0, (size_t)k * DIM * sizeof(*t->c));
		for (size_t i = 0; i < n; i++)
			for (size_t q = 0; q < docs[i].n; q++)
				t->c[asg[i] * DIM + FOLD(docs[i].f[q].idx)] += docs[i].f[q].val;
		for (uint32_t j = 0; j < k; j++) {
			float *c = t->c + j * DIM;
			double nn = 0;
			for (size_t d = 0; d < DIM; d++)
				nn += (double)c[d] * c[d];
			if (nn > 0) {
				float inv = (float)(1.0 / sqrt(nn));
				for (size_t d = 0; d < DIM; d++)
					c[d] *= inv;
			}
		}
	}
	free(asg);
	return 0;
}

int topics_write(const struct topic_model *t, FILE *f)
{
	if (fwrite(&t->k, sizeof(t->k), 1, f) != 1 ||
	    fwrite(t->c, sizeof(*t->c), (size_t)t->k * DIM, f) != (size_t)t->k * DIM)
		return ERR_INTERNAL;
	return 0;
}

int topics_read(struct topic_model *t, FILE *f)
{
	memset(t, 0, sizeof(*t));
	uint32_t k;
	if (fread(&k, sizeof(k), 1, f) != 1 || k > 100000)
		return ERR_INVALID;
	t->k = k;
	t->c = xmalloc(((size_t)(k ? k : 1) * DIM) * sizeof(*t->c));
	if (fread(t->c, sizeof(*t->c), (size_t)k * DIM, f) != (size_t)k * DIM) {
		topics_release(t);
		return ERR_INVALID;
	}
	return 0;
}
