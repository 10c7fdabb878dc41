/* classifier.c: multinomial logistic regression trained by SGD with lazy L2, over TF-IDF vectors.
 */
#include "text/classifier.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct classifier_params classifier_params_default(void)
{
	struct classifier_params p = {
	    .flags = TEXT_F_WORDS | TEXT_F_BIGRAMS | TEXT_F_CHARS | TEXT_F_NUMBERS,
	    .bits = 20,
	    .cmin = 3,
	    .cmax = 4,
	    .min_df = 2,
	    .epochs = 5,
	    .lr = 1.0f,
	    .l2 = 1e-6f,
	    .recency_halflife_days = 0,
	    .prior_halflife_days = 10,
	    .prior_weight = 1.0f,
	    .prior_smooth = 1,
	    .prior_flatten = 0.15f,
	    .seed = 42,
	};
	return p;
}

void classifier_init(struct classifier *c)
{
	memset(c, 0, sizeof(*c));
	c->wscale = 1;
}

void classifier_release(struct classifier *c)
{
	for (uint32_t i = 0; i < c->nclasses; i++)
		free(c->labels[i]);
	free(c->labels);
	free(c->row);
	free(c->w);
	free(c->bias);
	free(c->act);
	text_idf_release(&c->idf);
	classifier_init(c);
}

int classifier_class(const struct classifier *c, const char *label)
{
	for (uint32_t i = 0; i < c->nclasses; i++)
		if (strcmp(c->labels[i], label) == 0)
			return (int)i;
	return -1;
}

static uint32_t add_class(struct classifier *c, const char *label)
{
	if (c->nclasses == c->ncap) {
		uint32_t ncap = c->ncap ? c->ncap * 2 : 16;
		float *w = xcalloc((size_t)(c->rcap ? c->rcap : 1) * ncap, sizeof(*w));
		for (uint32_t r = 0; r < c->nrows; r++)
			memcpy(w + (size_t)r * ncap, c->w + (size_t)r * c->ncap,
			       c->ncap * sizeof(*w));
		free(c->w);
		c->w = w;
		c->bias = xrealloc(c->bias, ncap * sizeof(*c->bias));
		memset(c->bias + c->ncap, 0, (ncap - c->ncap) * sizeof(*c->bias));
		c->labels = xrealloc(c->labels, ncap * sizeof(*c->labels));
		c->act = xrealloc(c->act, ncap * sizeof(*c->act));
		c->ncap = ncap;
	}
	c->labels[c->nclasses] = xstrdup(label);
	return c->nclasses++;
}

static int32_t add_row(struct classifier *c, uint32_t idx)
{
	if (c->nrows == c->rcap) {
		size_t old = c->rcap;
		c->w = xgrow(c->w, (size_t)c->ncap * sizeof(*c->w), c->nrows + 1, &c->rcap);
		memset(c->w + old * c->ncap, 0, (c->rcap - old) * c->ncap * sizeof(*c->w));
	}
	c->row[idx] = (int32_t)c->nrows;
	return (int32_t)c->nrows++;
}

/* dst = src, reusing dst's storage. */
static void vec_set(struct text_vec *dst, const struct text_vec *src)
{
	if (dst->cap < src->n)
		dst->f = xgrow(dst->f, sizeof(*dst->f), src->n, &dst->cap);
	if (src->n)
		memcpy(dst->f, src->f, src->n * sizeof(*dst->f));
	dst->n = src->n;
}

/* Raw counts of a text into wk->v: those of the worker's last text when it is the same. */
static int featurize(struct classifier_worker *wk, const char *t, size_t n)
{
	if (wk->last_ok && n == wk->last_len && (!n || memcmp(t, wk->last_text, n) == 0)) {
		vec_set(&wk->v, &wk->last_raw);
		return 0;
	}
	wk->last_ok = false;
	int rc = text_featurize(&wk->fz, t, n, &wk->v);
	if (rc)
		return rc;
	if (wk->last_cap < n + 1)
		wk->last_text = xgrow(wk->last_text, 1, n + 1, &wk->last_cap);
	if (n)
		memcpy(wk->last_text, t, n);
	wk->last_len = n;
	vec_set(&wk->last_raw, &wk->v);
	wk->last_ok = true;
	return 0;
}

/* Featurize and weight a text; rows absent from the model are dropped from scoring. */
static int vectorize(const struct classifier *c, struct classifier_worker *wk, const char *t,
                     size_t n)
{
	int rc = featurize(wk, t, n);
	if (rc)
		return rc;
	text_vec_tfidf(&wk->v, &c->idf);
	return 0;
}

/* Scores over whole blocks of 8 classes (ncap is a multiple of 8) so the compiler vectorizes the
 * inner loop; the padding classes are ignored by callers. */
static void scores_of(const struct classifier *c, const struct text_vec *v, float *restrict s)
{
	uint32_t nb = (c->nclasses + 7) / 8;
	memcpy(s, c->bias, (size_t)nb * 8 * sizeof(*s));
	for (size_t i = 0; i < v->n; i++) {
		int32_t r = c->row[v->f[i].idx];
		if (r < 0)
			continue;
		const float *restrict w = c->w + (size_t)r * c->ncap;
		float x = v->f[i].val * c->wscale;
		for (uint32_t b = 0; b < nb; b++)
			for (uint32_t j = 0; j < 8; j++)
				s[b * 8 + j] += x * w[b * 8 + j];
	}
}

static void softmax(float *s, uint32_t K)
{
	float m = s[0];
	for (uint32_t k = 1; k < K; k++)
		if (s[k] > m)
			m = s[k];
	float z = 0;
	for (uint32_t k = 0; k < K; k++) {
		s[k] = expf(s[k] - m);
		z += s[k];
	}
	for (uint32_t k = 0; k < K; k++)
		s[k] /= z;
}

/* One SGD step on example (v, y) with weight ex_w; s is K floats of scratch. */
static void sgd_step(struct classifier *c, const struct text_vec *v, uint32_t y, float ex_w,
                     float *s)
{
	const struct classifier_params *p = &c->p;
	float lr = p->lr / (1.0f + p->lr * p->l2 * (float)c->updates);
	c->updates++;
	uint32_t K = c->nclasses;
	scores_of(c, v, s);
	softmax(s, K);
	s[y] -= 1.0f;
	c->wscale *= 1.0f - lr * p->l2;
	if (c->wscale < 1e-6f) { /* fold the scale back into the weights */
		for (size_t i = 0; i < (size_t)c->nrows * c->ncap; i++)
			c->w[i] *= c->wscale;
		c->wscale = 1;
	}
	float step = lr * ex_w / c->wscale;
	uint32_t *act = c->act, na = 0; /* classes whose gradient matters; most are ~0 soon */
	for (uint32_t k = 0; k < K; k++)
		if (s[k] > 1e-3f || s[k] < -1e-3f)
			act[na++] = k;
	for (size_t i = 0; i < v->n; i++) {
		int32_t r = c->row[v->f[i].idx];
		if (r < 0)
			continue;
		float *w = c->w + (size_t)r * c->ncap;
		float x = v->f[i].val * step;
		for (uint32_t a = 0; a < na; a++)
			w[act[a]] -= x * s[act[a]];
	}
	for (uint32_t a = 0; a < na; a++)
		c->bias[act[a]] -= lr * ex_w * s[act[a]] * 0.1f;
}

int classifier_worker_init(struct classifier_worker *wk, const struct classifier *c)
{
	memset(wk, 0, sizeof(*wk));
	text_vec_init(&wk->v);
	text_vec_init(&wk->last_raw);
	return text_featurizer_init(&wk->fz, c->p.flags, c->p.bits, c->p.cmin, c->p.cmax);
}

void classifier_worker_release(struct classifier_worker *wk)
{
	text_featurizer_release(&wk->fz);
	text_vec_release(&wk->v);
	text_vec_release(&wk->last_raw);
	free(wk->last_text);
	free(wk->scores);
	memset(wk, 0, sizeof(*wk));
}

static float *worker_scores(struct classifier_worker *wk, size_t k)
{
	if (k > wk->scores_cap)
		wk->scores = xgrow(wk->scores, sizeof(*wk->scores), k, &wk->scores_cap);
	return wk->scores;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The prior adjustments (classifier.h) over the m examples order[0..m) with classes y[] and
 * ages age_days[] (may be NULL): bias_k += w · ln(recent share / share) − flatten · ln(share). */
static void prior_adjust(struct classifier *c, const struct classifier_params *p,
                         const float *age_days, const uint32_t *y, const size_t *order, size_t m)
{
	uint32_t K = c->nclasses;
	if (!K || !m)
		return;
	double *all = xcalloc(2 * (size_t)K, sizeof(*all)), *rec = all + K, nr = 0;
	double amin = 0;
	for (size_t j = 0; age_days && j < m; j++)
		if (j == 0 || age_days[order[j]] < amin)
			amin = age_days[order[j]];
	int recent = age_days && p->prior_halflife_days > 0 && p->prior_weight != 0;
	for (size_t j = 0; j < m; j++) {
		size_t i = order[j];
		all[y[i]] += 1;
		if (recent) {
			double w = exp2(-(age_days[i] - amin) / p->prior_halflife_days);
			rec[y[i]] += w;
			nr += w;
		}
	}
	double s = (p->prior_smooth > 0 ? p->prior_smooth : 0) * K;
	for (uint32_t k = 0; k < K; k++) {
		double pa = (all[k] + 1) / ((double)m + K); /* Laplace */
		double adj = -p->prior_flatten * log(pa);
		if (recent) /* both shares shrunk alike towards pa, so one age for all is neutral */
			adj += p->prior_weight * log(((rec[k] + s * pa) / (nr + s)) /
			                             ((all[k] + s * pa) / ((double)m + s)));
		c->bias[k] += (float)adj;
	}
	free(all);
}

int classifier_train(struct classifier *c, const struct classifier_params *p,
                     const char *const *texts, const size_t *lens, const char *const *labels,
                     const float *age_days, size_t n)
{
	classifier_release(c);
	c->p = *p;
	if (n == 0)
		return ERR_INVALID;
	struct classifier_worker wk;
	int rc = classifier_worker_init(&wk, c);
	if (rc) {
		classifier_worker_release(&wk);
		return rc;
	}
	size_t dim = (size_t)1 << p->bits;
	text_idf_init(&c->idf, p->bits);
	struct text_vec *vs = xcalloc(n, sizeof(*vs));
	uint32_t *y = xmalloc(n * sizeof(*y));
	size_t *order = xmalloc(n * sizeof(*order));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (text_featurize(&wk.fz, texts[i], lens[i], &vs[i]) != 0)
			continue;
		text_idf_add(&c->idf, &vs[i]);
		int k = classifier_class(c, labels[i]);
		y[i] = k >= 0 ? (uint32_t)k : add_class(c, labels[i]);
		order[m++] = i;
	}
	if (m == 0) {
		rc = ERR_INVALID;
		goto out;
	}
	/* all classes are known now: a row stride of just enough blocks of 8 halves the memory
	 * traffic of training compared with the doubling capacity */
	uint32_t tight = (c->nclasses + 7) / 8 * 8;
	if (tight < c->ncap) {
		c->ncap = tight;
		free(c->w);
		c->w = NULL;
		c->rcap = 0;
		c->bias = xrealloc(c->bias, tight * sizeof(*c->bias));
		c->act = xrealloc(c->act, tight * sizeof(*c->act));
	}
	c->row = xmalloc(dim * sizeof(*c->row));
	for (size_t i = 0; i < dim; i++)
		c->row[i] = -1;
	for (size_t i = 0; i < dim; i++)
		if (c->idf.df[i] >= p->min_df)
			add_row(c, (uint32_t)i);
	for (size_t j = 0; j < m; j++)
		text_vec_tfidf(&vs[order[j]], &c->idf);
	float *s = worker_scores(&wk, c->ncap ? c->ncap : 8);
	uint64_t seed = p->seed ? p->seed : 1;
	float *avg = NULL;
	unsigned nsnap = 0;
	for (unsigned e = 0; e < p->epochs; e++) {
		for (size_t j = m; j > 1; j--) { /* Fisher–Yates */
			size_t r = (size_t)(rng_next(&seed) % j), t = order[j - 1];
			order[j - 1] = order[r];
			order[r] = t;
		}
		for (size_t j = 0; j < m; j++) {
			size_t i = order[j];
			float ew = 1;
			if (age_days && p->recency_halflife_days > 0)
				ew = powf(0.5f, age_days[i] / p->recency_halflife_days);
			sgd_step(c, &vs[i], y[i], ew, s);
		}
		if (p->average && e >= p->epochs / 2) { /* Polyak averaging of the later epochs */
			size_t nw = (size_t)c->nrows * c->ncap;
			if (!avg) {
				avg = xcalloc(nw + c->ncap, sizeof(*avg));
			}
			for (size_t i = 0; i < nw; i++)
				avg[i] += c->w[i] * c->wscale;
			for (uint32_t k = 0; k < c->ncap; k++)
				avg[nw + k] += c->bias[k];
			nsnap++;
		}
	}
	if (avg) {
		size_t nw = (size_t)c->nrows * c->ncap;
		for (size_t i = 0; i < nw; i++)
			c->w[i] = avg[i] / (float)nsnap;
		for (uint32_t k = 0; k < c->ncap; k++)
			c->bias[k] = avg[nw + k] / (float)nsnap;
		c->wscale = 1;
		free(avg);
	}
	prior_adjust(c, p, age_days, y, order, m);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		text_vec_release(&vs[i]);
	free(vs);
	free(y);
	free(order);
	classifier_worker_release(&wk);
	return rc;
}

int classifier_update(struct classifier *c, struct classifier_worker *wk, const char *text,
                      size_t len, const char *label)
{
	int rc = featurize(wk, text, len);
	if (rc)
		return rc;
	if (!c->idf.df)
		text_idf_init(&c->idf, c->p.bits);
	if (!c->row) {
		size_t dim = (size_t)1 << c->p.bits;
		c->row = xmalloc(dim * sizeof(*c->row));
		for (size_t i = 0; i < dim; i++)
			c->row[i] = -1;
	}
	text_idf_add(&c->idf, &wk->v);
	int k = classifier_class(c, label);
	uint32_t y = k >= 0 ? (uint32_t)k : add_class(c, label);
	for (size_t i = 0; i < wk->v.n; i++)
		if (c->row[wk->v.f[i].idx] < 0 && c->idf.df[wk->v.f[i].idx] >= c->p.min_df)
			add_row(c, wk->v.f[i].idx);
	text_vec_tfidf(&wk->v, &c->idf);
	sgd_step(c, &wk->v, y, 1, worker_scores(wk, c->ncap));
	return 0;
}

/* Softmax probabilities in wk's scratch (ncap floats, the first nclasses valid), or NULL. */
static float *probs_of(const struct classifier *c, struct classifier_worker *wk, const char *text,
                       size_t len)
{
	if (c->nclasses == 0 || vectorize(c, wk, text, len) != 0)
		return NULL;
	float *s = worker_scores(wk, c->ncap);
	scores_of(c, &wk->v, s);
	softmax(s, c->nclasses);
	return s;
}

int classifier_probs(const struct classifier *c, struct classifier_worker *wk, const char *text,
                     size_t len, float *probs)
{
	const float *s = probs_of(c, wk, text, len);
	if (!s)
		return ERR_INVALID;
	memcpy(probs, s, c->nclasses * sizeof(*probs));
	return 0;
}

int classifier_predict(const struct classifier *c, struct classifier_worker *wk, const char *text,
                       size_t len, struct classifier_score *out, size_t k)
{
	float *s = probs_of(c, wk, text, len);
	if (!s)
		return ERR_INVALID;
	if (k > c->nclasses)
		k = c->nclasses;
	for (size_t j = 0; j < k; j++) {
		uint32_t best = 0;
		float bp = -1;
		for (uint32_t i = 0; i < c->nclasses; i++)
			if (s[i] > bp) {
				bp = s[i];
				best = i;
			}
		out[j].cls = best;
		out[j].label = c->labels[best];
		out[j].prob = bp;
		s[best] = -2; /* taken */
	}
	return (int)k;
}

/* version 2: the parameters gained the recent-prior settings */
static const char model_magic[8] = {'O', 'T', 'K', 'C', 'L', 'S', '2', '\0'};

int classifier_save(const struct classifier *c, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return ERR_INTERNAL;
	int ok = fwrite(model_magic, sizeof(model_magic), 1, f) == 1 &&
	         fwrite(&c->p, sizeof(c->p), 1, f) == 1 &&
	         fwrite(&c->nclasses, sizeof(c->nclasses), 1, f) == 1 &&
	         fwrite(&c->nrows, sizeof(c->nrows), 1, f) == 1 &&
	         fwrite(&c->updates, sizeof(c->updates), 1, f) == 1;
	for (uint32_t i = 0; ok && i < c->nclasses; i++) {
		uint32_t l = (uint32_t)strlen(c->labels[i]);
		ok = fwrite(&l, sizeof(l), 1, f) == 1 && fwrite(c->labels[i], 1, l, f) == l;
	}
	size_t dim = (size_t)1 << c->p.bits;
	if (ok && c->nrows) /* the row map as (row → hashed id) */
		for (size_t i = 0; ok && i < dim; i++)
			if (c->row[i] >= 0) {
				uint32_t pr[2] = {(uint32_t)c->row[i], (uint32_t)i};
				ok = fwrite(pr, sizeof(pr), 1, f) == 1;
			}
	for (uint32_t r = 0; ok && r < c->nrows; r++)
		for (uint32_t k = 0; ok && k < c->nclasses; k++) {
			float x = c->w[(size_t)r * c->ncap + k] * c->wscale;
			ok = fwrite(&x, sizeof(x), 1, f) == 1;
		}
	ok = ok && fwrite(c->bias, sizeof(*c->bias), c->nclasses, f) == c->nclasses &&
	     text_idf_write(&c->idf, f) == 0;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : ERR_INTERNAL;
}

int classifier_load(struct classifier *c, const char *path)
{
	classifier_release(c);
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	char magic[8];
	uint32_t nclasses = 0, nrows = 0;
	int rc = ERR_INVALID;
	if (fread(magic, sizeof(magic), 1, f) != 1 ||
	    memcmp(magic, model_magic, sizeof(magic)) != 0 ||
	    fread(&c->p, sizeof(c->p), 1, f) != 1 ||
	    fread(&nclasses, sizeof(nclasses), 1, f) != 1 ||
	    fread(&nrows, sizeof(nrows), 1, f) != 1 ||
	    fread(&c->updates, sizeof(c->updates), 1, f) != 1 || c->p.bits < 10 || c->p.bits > 24 ||
	    nclasses > 100000)
		goto out;
	size_t dim = (size_t)1 << c->p.bits;
	if (nrows > dim)
		goto out;
	c->row = xmalloc(dim * sizeof(*c->row));
	for (size_t i = 0; i < dim; i++)
		c->row[i] = -1;
	for (uint32_t i = 0; i < nclasses; i++) {
		uint32_t l;
		if (fread(&l, sizeof(l), 1, f) != 1 || l > 4096)
			goto out;
		char *s = xmalloc(l + 1);
		if (fread(s, 1, l, f) != l) {
			free(s);
			goto out;
		}
		s[l] = '\0';
		add_class(c, s);
		free(s);
	}
	for (uint32_t j = 0; j < nrows; j++) {
		uint32_t pr[2];
		if (fread(pr, sizeof(pr), 1, f) != 1 || pr[0] >= nrows || pr[1] >= dim)
			goto out;
		c->row[pr[1]] = (int32_t)pr[0];
	}
	c->rcap = nrows ? nrows : 1;
	free(c->w);
	c->w = xcalloc((size_t)c->rcap * c->ncap, sizeof(*c->w));
	c->nrows = nrows;
	for (uint32_t r = 0; r < nrows; r++)
		for (uint32_t k = 0; k < nclasses; k++)
			if (fread(&c->w[(size_t)r * c->ncap + k], sizeof(float), 1, f) != 1)
				goto out;
	if (fread(c->bias, sizeof(*c->bias), nclasses, f) != nclasses ||
	    text_idf_read(&c->idf, f) != 0 || c->idf.bits != c->p.bits)
		goto out;
	rc = 0;
out:
	fclose(f);
	if (rc)
		classifier_release(c);
	return rc;
}

int classifier_doubt(const struct classifier *c, struct classifier_worker *wk, const char *text,
                     size_t len, const char *chosen, float min_prob,
                     struct classifier_score *suggested)
{
	struct classifier_score top;
	int k = classifier_class(c, chosen);
	float *s = probs_of(c, wk, text, len);
	if (!s)
		return ERR_INVALID;
	uint32_t best = 0;
	for (uint32_t i = 1; i < c->nclasses; i++)
		if (s[i] > s[best])
			best = i;
	top.cls = best;
	top.label = c->labels[best];
	top.prob = s[best];
	/* an unknown topic, or one the text makes ten times less likely than the best */
	if ((int)best == k || top.prob < min_prob || (k >= 0 && s[k] * 10 >= top.prob))
		return 0;
	*suggested = top;
	return 1;
}
