/* features.h: hashed sparse feature vectors (stems, stem bigrams, character n-grams), TF-IDF. */
#ifndef OTKLIK_TEXT_FEATURES_H
#define OTKLIK_TEXT_FEATURES_H

#include "text/stem.h"
#include "text/tokenize.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum text_feat_flags {
	TEXT_F_WORDS = 1,   /* stems of content words (stop words and masks dropped) */
	TEXT_F_BIGRAMS = 2, /* pairs of neighbouring content-word stems */
	TEXT_F_CHARS = 4,   /* character n-grams inside " word " (typo tolerant) */
	TEXT_F_NUMBERS = 8  /* numbers: a "has number" feature and short values ("д 5") */
};

struct text_feat {
	uint32_t idx; /* hashed feature id in [0, 2^bits) */
	float val;
};

/* A sparse vector sorted by idx with unique ids. */
struct text_vec {
	struct text_feat *f;
	size_t n, cap;
};

/* Maps hashed word-feature ids back to a readable stem (for cluster labels). */
struct text_lexicon {
	uint32_t *keys; /* idx + 1; 0 = empty slot */
	char **vals;
	size_t n, cap;
};

/* Turns text into a vector. Owns a stemmer: one featurizer per thread. */
struct text_featurizer {
	unsigned flags, bits;
	unsigned cmin, cmax; /* character n-gram lengths, in code points */
	struct text_stemmer stem;
	struct text_doc doc;
	struct text_lexicon *lex; /* optional, not owned: word ids seen are recorded here */
	uint32_t *ids;
	size_t nids, ids_cap;
	uint32_t *stemids; /* per token: hashed stem id or 0 for dropped tokens */
	size_t stemids_cap;
};

/* Document frequencies per hashed id, for inverse document frequency weights. */
struct text_idf {
	unsigned bits;
	uint32_t ndocs;
	uint32_t *df; /* 2^bits counters */
};

/* flags: enum text_feat_flags; bits: log2 of the hashed space (10..24); n-grams cmin..cmax.
 * Returns 0, ERR_INVALID on bad arguments, ERR_INTERNAL when the stemmer is missing. */
int text_featurizer_init(struct text_featurizer *fz, unsigned flags, unsigned bits, unsigned cmin,
                         unsigned cmax);
/* Frees what init allocated (not the lexicon, which the caller owns). */
void text_featurizer_release(struct text_featurizer *fz);

/* Raw term counts of s[0..n) into out (replaced). Returns 0 or ERR_INVALID (bad UTF-8; out empty).
 */
int text_featurize(struct text_featurizer *fz, const char *s, size_t n, struct text_vec *out);

/* Lifecycle of a vector: init makes it empty, release frees its storage. */
void text_vec_init(struct text_vec *v);
void text_vec_release(struct text_vec *v);
/* Deep copy; dst's old contents are released. */
void text_vec_copy(struct text_vec *dst, const struct text_vec *src);
/* Dot product of two sorted vectors. */
float text_vec_dot(const struct text_vec *a, const struct text_vec *b);
/* Scales to unit L2 norm (no-op on an empty vector). */
void text_vec_normalize(struct text_vec *v);

/* Zeroed counters for 2^bits ids (never fails: allocation aborts); release frees them. */
void text_idf_init(struct text_idf *idf, unsigned bits);
void text_idf_release(struct text_idf *idf);
/* Counts one document (its non-zero ids). */
void text_idf_add(struct text_idf *idf, const struct text_vec *v);
/* Smoothed idf of one id: ln((1 + N) / (1 + df)) + 1. */
float text_idf_weight(const struct text_idf *idf, uint32_t idx);
/* counts → (1 + ln tf) · idf, then unit L2 norm. idf may be NULL (sublinear tf only). */
void text_vec_tfidf(struct text_vec *v, const struct text_idf *idf);
/* Binary save/load of the df table. Return 0, ERR_INVALID on a malformed file, ERR_INTERNAL on I/O.
 */
int text_idf_write(const struct text_idf *idf, FILE *f);
int text_idf_read(struct text_idf *idf, FILE *f);

/* Lifecycle of a lexicon (owns its strings). */
void text_lexicon_init(struct text_lexicon *lx);
void text_lexicon_release(struct text_lexicon *lx);
/* Records s[0..n) (copied) for id idx; an id already present keeps its first string. */
void text_lexicon_add(struct text_lexicon *lx, uint32_t idx, const char *s, size_t n);
/* The stem recorded for a word-feature id, or NULL. */
const char *text_lexicon_get(const struct text_lexicon *lx, uint32_t idx);

/* 32-bit hash of bytes with a seed (used for all hashed ids). */
uint32_t text_hash(const void *p, size_t n, uint32_t seed);

#endif
