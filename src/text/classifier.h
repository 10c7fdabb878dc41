/* classifier.h: topic classifier — multinomial logistic regression over hashed TF-IDF features. */
#ifndef OTKLIK_TEXT_CLASSIFIER_H
#define OTKLIK_TEXT_CLASSIFIER_H

#include "text/features.h"

#include <stddef.h>
#include <stdint.h>

/* Training settings; classifier_params_default() gives the tuned values. */
struct classifier_params {
	unsigned flags, bits, cmin, cmax; /* featurizer (enum text_feat_flags) */
	unsigned min_df;                  /* features seen in fewer training texts are dropped */
	unsigned epochs;
	float lr, l2;
	unsigned average;            /* 1: average the weights of the later epochs */
	float recency_halflife_days; /* weight of an example halves per this age; 0 = off */
	/* Prior adjustments, applied to the biases once training ends:
	 * - recent shift: + prior_weight · ln(recent share / overall share) per class, the recent
	 *   share counting examples with weights halving every prior_halflife_days of age (0 = off;
	 *   needs ages), shrunk towards the overall share by prior_smooth examples per class. It
	 *   follows seasonal topics (snow, icicles) within days;
	 * - flattening: − prior_flatten · ln(overall share): rare topics reach the top 3 more
	 * often.
	 */
	float prior_halflife_days, prior_weight, prior_smooth, prior_flatten;
	uint64_t seed;
};

/* A trained model. Owns everything it points to. Read-only while predicting, so one model can
 * serve many threads, each with its own struct classifier_worker. */
struct classifier {
	struct classifier_params p;
	uint32_t nclasses, ncap;
	char **labels; /* nclasses strings */
	int32_t *row;  /* 2^bits: hashed id → weight row, or -1 */
	uint32_t nrows;
	size_t rcap;
	float *w;         /* nrows × ncap */
	float *bias;      /* ncap */
	uint32_t *act;    /* ncap: scratch of the training step */
	float wscale;     /* true weights are wscale · w (lazy L2 decay) */
	uint64_t updates; /* SGD steps taken, for the learning-rate schedule */
	struct text_idf idf;
};

/* Per-thread scratch for featurizing and scoring. */
struct classifier_worker {
	struct text_featurizer fz;
	struct text_vec v;
	float *scores;
	size_t scores_cap;
	/* the last text featurized and its raw counts: a text asked about and then learnt (the
	 * server's doubt, then its update) is featurized once */
	char *last_text;
	size_t last_len, last_cap;
	struct text_vec last_raw;
	bool last_ok;
};

struct classifier_score {
	uint32_t cls;      /* index into labels */
	const char *label; /* owned by the model */
	float prob;
};

/* The tuned settings (see docs/text.md). */
struct classifier_params classifier_params_default(void);

/* An empty model (no classes); release frees everything and leaves it empty again. */
void classifier_init(struct classifier *c);
void classifier_release(struct classifier *c);

/* Trains from n texts with labels (copied) and optional ages in days (NULL = all 0, used by
 * recency weighting and the recent shift, both then off). Replaces any previous model.
 * Returns 0, ERR_INVALID (n == 0, bad params or a text that is not UTF-8 — such texts are skipped,
 * not fatal, unless all are bad). */
int classifier_train(struct classifier *c, const struct classifier_params *p,
                     const char *const *texts, const size_t *lens, const char *const *labels,
                     const float *age_days, size_t n);

/* Online update with one newly labelled text (one SGD step; a new label becomes a new class).
 * Returns 0 or ERR_INVALID (bad UTF-8). */
int classifier_update(struct classifier *c, struct classifier_worker *wk, const char *text,
                      size_t len, const char *label);

/* Returns 0 or ERR_INTERNAL (stemmer missing). Release with classifier_worker_release. */
int classifier_worker_init(struct classifier_worker *wk, const struct classifier *c);
void classifier_worker_release(struct classifier_worker *wk);

/* Top-k classes for a text into out[0..k); returns how many were written (<= k, <= nclasses),
 * or ERR_INVALID for bad UTF-8. probs are softmax probabilities; out->label is owned by c. */
int classifier_predict(const struct classifier *c, struct classifier_worker *wk, const char *text,
                       size_t len, struct classifier_score *out, size_t k);

/* Full probability vector (nclasses floats, caller's buffer). Returns 0 or ERR_INVALID. */
int classifier_probs(const struct classifier *c, struct classifier_worker *wk, const char *text,
                     size_t len, float *probs);

/* "Does the citizen's topic look wrong?": 1 when the best topic has probability >= min_prob and
 * is at least ten times as likely as chosen (or chosen is unknown); then *suggested is set.
 * 0 otherwise, ERR_INVALID on bad UTF-8. Shown to the executor as the suggested topic. */
int classifier_doubt(const struct classifier *c, struct classifier_worker *wk, const char *text,
                     size_t len, const char *chosen, float min_prob,
                     struct classifier_score *suggested);

/* Class index of a label, or -1. */
int classifier_class(const struct classifier *c, const char *label);

/* Save to / load from a file (binary, versioned, host byte order). Return 0, ERR_INTERNAL when
 * writing fails, ERR_NOTFOUND when the file cannot be opened, ERR_INVALID when it is not a
 * (complete) classifier model; on failure a loaded c is left empty. */
int classifier_save(const struct classifier *c, const char *path);
int classifier_load(struct classifier *c, const char *path);

#endif
