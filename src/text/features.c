/* features.c: hashing vectorizer over tokens and stems; TF-IDF weighting and sparse vectors. */
#include "text/features.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SEED_WORD = 0x11, SEED_BIGRAM = 0x22, SEED_CHAR = 0x33, SEED_NUM = 0x44 };

uint32_t text_hash(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL ^ ((uint64_t)seed * 0x9E3779B97F4A7C15ULL);
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

void text_vec_init(struct text_vec *v)
{
	memset(v, 0, sizeof(*v));
}

void text_vec_release(struct text_vec *v)
{
	free(v->f);
	memset(v, 0, sizeof(*v));
}

void text_vec_copy(struct text_vec *dst, const struct text_vec *src)
{
	text_vec_release(dst);
	dst->f = xmalloc((src->n ? src->n : 1) * sizeof(*dst->f));
	if (src->n)
		memcpy(dst->f, src->f, src->n * sizeof(*dst->f));
	dst->n = dst->cap = src->n;
}

float text_vec_dot(const struct text_vec *a, const struct text_vec *b)
{
	size_t i = 0, j = 0;
	float s = 0;
	while (i < a->n && j < b->n) {
		if (a->f[i].idx < b->f[j].idx)
			i++;
		else if (a->f[i].idx > b->f[j].idx)
			j++;
		else
			s += a->f[i++].val * b->f[j++].val;
	}
	return s;
}

void text_vec_normalize(struct text_vec *v)
{
	double s = 0;
	for (size_t i = 0; i < v->n; i++)
		s += (double)v->f[i].val * v->f[i].val;
	if (s <= 0)
		return;
	float k = (float)(1.0 / sqrt(s));
	for (size_t i = 0; i < v->n; i++)
		v->f[i].val *= k;
}

void text_lexicon_init(struct text_lexicon *lx)
{
	memset(lx, 0, sizeof(*lx));
}

void text_lexicon_release(struct text_lexicon *lx)
{
	for (size_t i = 0; i < lx->cap; i++)
		free(lx->vals ? lx->vals[i] : NULL);
	free(lx->keys);
	free(lx->vals);
	memset(lx, 0, sizeof(*lx));
}

const char *text_lexicon_get(const struct text_lexicon *lx, uint32_t idx)
{
	if (!lx->cap)
		return NULL;
	size_t m = lx->cap - 1;
	for (size_t i = (idx * 2654435761u) & m;; i = (i + 1) & m) {
		if (lx->keys[i] == 0)
			return NULL;
		if (lx->keys[i] == idx + 1)
			return lx->vals[i];
	}
}

void text_lexicon_add(struct text_lexicon *lx, uint32_t idx, const char *s, size_t n)
{
	if ((lx->n + 1) * 2 > lx->cap) {
		struct text_lexicon big = {0};
		big.cap = lx->cap ? lx->cap * 2 : 1024;
		big.keys = xcalloc(big.cap, sizeof(*big.keys));
		big.vals = xcalloc(big.cap, sizeof(*big.vals));
		for (size_t i = 0; i < lx->cap; i++) {
			if (!lx->keys[i])
				continue;
			size_t j = ((lx->keys[i] - 1) * 2654435761u) & (big.cap - 1);
			while (big.keys[j])
				j = (j + 1) & (big.cap - 1);
			big.keys[j] = lx->keys[i];
			big.vals[j] = lx->vals[i];
		}
		big.n = lx->n;
		free(lx->keys);
		free(lx->vals);
		*lx = big;
	}
	size_t m = lx->cap - 1, i = (idx * 2654435761u) & m;
	while (lx->keys[i]) {
		if (lx->keys[i] == idx + 1)
			return;
		i = (i + 1) & m;
	}
	lx->keys[i] = idx + 1;
	lx->vals[i] = xstrndup(s, n);
	lx->n++;
}

int text_featurizer_init(struct text_featurizer *fz, unsigned flags, unsigned bits, unsigned cmin,
                         unsigned cmax)
{
	memset(fz, 0, sizeof(*fz));
	if (bits < 10 || bits > 24 ||
	    (flags & TEXT_F_CHARS && (cmin < 1 || cmax < cmin || cmax > 8)))
		return ERR_INVALID;
	fz->flags = flags;
	fz->bits = bits;
	fz->cmin = cmin;
	fz->cmax = cmax;
	text_doc_init(&fz->doc);
	return text_stemmer_init(&fz->stem);
}

void text_featurizer_release(struct text_featurizer *fz)
{
	text_stemmer_release(&fz->stem);
	text_doc_release(&fz->doc);
	free(fz->ids);
	free(fz->stemids);
	memset(fz, 0, sizeof(*fz));
}

static void emit(struct text_featurizer *fz, uint32_t h)
{
	if (fz->nids + 1 > fz->ids_cap)
		fz->ids = xgrow(fz->ids, sizeof(*fz->ids), fz->nids + 1, &fz->ids_cap);
	fz->ids[fz->nids++] = h & ((1u << fz->bits) - 1);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Character n-grams of " word " (as sklearn's char_wb); positions are code points. */
static void char_ngrams(struct text_featurizer *fz, const char *w, size_t n)
{
	size_t pos[72]; /* byte offsets of code points in " w " */
	char buf[260];
	if (n > 250)
		return;
	buf[0] = ' ';
	memcpy(buf + 1, w, n);
	buf[n + 1] = ' ';
	size_t bl = n + 2, np = 0;
	for (size_t i = 0; i < bl && np < 71;) {
		pos[np++] = i;
		i += utf8_decode(buf + i, bl - i, &(uint32_t){0});
	}
	pos[np] = bl;
	for (unsigned k = fz->cmin; k <= fz->cmax; k++) {
		if (k > np)
			break;
		for (size_t i = 0; i + k <= np; i++)
			emit(fz, text_hash(buf + pos[i], pos[i + k] - pos[i], SEED_CHAR + k));
	}
}

int text_featurize(struct text_featurizer *fz, const char *s, size_t n, struct text_vec *out)
{
	out->n = 0;
	fz->nids = 0;
	int rc = text_tokenize(&fz->doc, s, n);
	if (rc)
		return rc;
	struct text_doc *d = &fz->doc;
	if (d->ntoks > fz->stemids_cap)
		fz->stemids = xgrow(fz->stemids, sizeof(*fz->stemids), d->ntoks, &fz->stemids_cap);
	uint32_t prev = 0;
	for (size_t i = 0; i < d->ntoks; i++) {
		const struct text_token *t = &d->toks[i];
		const char *w = d->norm + t->off;
		fz->stemids[i] = 0;
		if (t->kind == TEXT_TOK_WORD) {
			if (fz->flags & TEXT_F_CHARS)
				char_ngrams(fz, w, t->len);
			if (t->stop)
				continue;
			size_t sl;
			const char *st = text_stem(&fz->stem, w, t->len, &sl);
			uint32_t h = text_hash(st, sl, SEED_WORD);
			if (fz->flags & TEXT_F_WORDS) {
				emit(fz, h);
				if (fz->lex)
					text_lexicon_add(fz->lex, h & ((1u << fz->bits) - 1), st,
					                 sl);
			}
			if ((fz->flags & TEXT_F_BIGRAMS) && prev) {
				uint32_t pair[2] = {prev, h};
				emit(fz, text_hash(pair, sizeof(pair), SEED_BIGRAM));
			}
			prev = h;
		} else if (t->kind == TEXT_TOK_NUMBER && (fz->flags & TEXT_F_NUMBERS)) {
			emit(fz, text_hash("#", 1, SEED_NUM));
			if (t->len <= 3)
				emit(fz, text_hash(w, t->len, SEED_NUM));
		}
	}
	if (fz->nids)
		qsort(fz->ids, fz->nids, sizeof(*fz->ids), cmp_u32);
	if (fz->nids > out->cap)
		out->f = xgrow(out->f, sizeof(*out->f), fz->nids, &out->cap);
	for (size_t i = 0; i < fz->nids; i++) {
		if (out->n && out->f[out->n - 1].idx == fz->ids[i]) {
			out->f[out->n - 1].val += 1;
		} else {
			out->f[out->n].idx = fz->ids[i];
			out->f[out->n].val = 1;
			out->n++;
		}
	}
	return 0;
}

void text_idf_init(struct text_idf *idf, unsigned bits)
{
	idf->bits = bits;
	idf->ndocs = 0;
	idf->df = xcalloc((size_t)1 << bits, sizeof(*idf->df));
}

void text_idf_release(struct text_idf *idf)
{
	free(idf->df);
	memset(idf, 0, sizeof(*idf));
}

void text_idf_add(struct text_idf *idf, const struct text_vec *v)
{
	idf->ndocs++;
	for (size_t i = 0; i < v->n; i++)
		idf->df[v->f[i].idx & ((1u << idf->bits) - 1)]++;
}

float text_idf_weight(const struct text_idf *idf, uint32_t idx)
{
	uint32_t df = idf->df[idx & ((1u << idf->bits) - 1)];
	return logf((1.0f + (float)idf->ndocs) / (1.0f + (float)df)) + 1.0f;
}

void text_vec_tfidf(struct text_vec *v, const struct text_idf *idf)
{
	for (size_t i = 0; i < v->n; i++) {
		float w = 1.0f + logf(v->f[i].val);
		v->f[i].val = idf ? w * text_idf_weight(idf, v->f[i].idx) : w;
	}
	text_vec_normalize(v);
}

int text_idf_write(const struct text_idf *idf, FILE *f)
{
	uint32_t hdr[2] = {idf->bits, idf->ndocs};
	if (fwrite(hdr, sizeof(hdr), 1, f) != 1 ||
	    fwrite(idf->df, sizeof(*idf->df), (size_t)1 << idf->bits, f) != (size_t)1 << idf->bits)
		return ERR_INTERNAL;
	return 0;
}

int text_idf_read(struct text_idf *idf, FILE *f)
{
	uint32_t hdr[2];
	memset(idf, 0, sizeof(*idf));
	if (fread(hdr, sizeof(hdr), 1, f) != 1 || hdr[0] < 10 || hdr[0] > 24)
		return ERR_INVALID;
	text_idf_init(idf, hdr[0]);
	idf->ndocs = hdr[1];
	if (fread(idf->df, sizeof(*idf->df), (size_t)1 << idf->bits, f) != (size_t)1 << idf->bits) {
		text_idf_release(idf);
		return ERR_INVALID;
	}
	return 0;
}
