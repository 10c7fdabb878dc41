/* index.h: an inverted index of appeals for "similar appeals" search (BM25 over stems). */
#ifndef OTKLIK_TEXT_INDEX_H
#define OTKLIK_TEXT_INDEX_H

#include "text/features.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct text_posting_list; /* the documents of one term */

/* Grows one document at a time; scores are computed at query time from the current document
 * frequencies, so additions never require re-weighting. Not thread-safe for writes; searches
 * may run in parallel (one text_searcher each) when no write runs. */
struct text_index {
	unsigned flags, bits;
	uint32_t *keys; /* term id + 1; 0 = empty */
	struct text_posting_list *lists;
	size_t nterms, cap;
	int64_t *ext;  /* caller's id per document */
	uint16_t *len; /* terms per document (BM25 length) */
	uint8_t *dead; /* removed documents */
	size_t ndocs, docs_cap, nlive;
	uint64_t total_len;
	struct text_featurizer fz; /* used by text_index_add */
	struct text_vec v;
};

/* Per-thread search state. */
struct text_searcher {
	struct text_featurizer fz;
	struct text_vec v;
	float *acc;
	uint32_t *touched;
	size_t ntouched, cap, touched_cap;
	const struct text_posting_list **q; /* query terms' lists, rarest first */
	size_t qcap;
};

struct text_hit {
	int64_t ext_id;
	uint32_t doc;
	float score;
};

/* flags: enum text_feat_flags (words and bigrams recommended); bits: hashed space (up to 24).
 * Returns 0, ERR_INVALID, ERR_INTERNAL (stemmer missing). */
int text_index_init(struct text_index *ix, unsigned flags, unsigned bits);
/* Frees the index and its postings. */
void text_index_release(struct text_index *ix);

/* Adds a document; *doc (may be NULL) gets its number. Returns 0 or ERR_INVALID (bad UTF-8). */
int text_index_add(struct text_index *ix, int64_t ext_id, const char *text, size_t len,
                   uint32_t *doc);
/* Hides a document from searches. Returns 0 or ERR_NOTFOUND. */
int text_index_remove(struct text_index *ix, uint32_t doc);

/* Per-thread search state for ix: returns 0 or ERR_INTERNAL (stemmer missing); release frees. */
int text_searcher_init(struct text_searcher *s, const struct text_index *ix);
void text_searcher_release(struct text_searcher *s);

/* The k most similar documents to text (best first) into out; keep (may be NULL) filters
 * candidates (e.g. open or answered appeals only). Returns the number of hits or ERR_INVALID. */
int text_index_search(const struct text_index *ix, struct text_searcher *s, const char *text,
                      size_t len, struct text_hit *out, size_t k,
                      bool (*keep)(void *ctx, int64_t ext_id), void *ctx);

/* Save / load (binary). Return 0, ERR_INTERNAL when writing fails, ERR_NOTFOUND when the file
 * cannot be opened, ERR_INVALID on a malformed file (nothing to release then). */
int text_index_save(const struct text_index *ix, const char *path);
int text_index_load(struct text_index *ix, const char *path);

#endif
