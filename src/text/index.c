/* index.c: term → postings hash table, BM25 scoring with an accumulator array and a top-k heap. */
#include "text/index.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BM25_K1 1.2f
#define BM25_B  0.75f
/* Once this many candidates are found, further terms only score them (bounded work). */
#define TEXT_INDEX_MAX_CAND 20000

struct text_posting_list {
	uint32_t *docs;
	uint16_t *tf;
	uint32_t n, cap;
};

int text_index_init(struct text_index *ix, unsigned flags, unsigned bits)
{
	memset(ix, 0, sizeof(*ix));
	text_vec_init(&ix->v);
	int rc = text_featurizer_init(&ix->fz, flags, bits, 3, 5);
	if (rc)
		return rc;
	ix->flags = flags;
	ix->bits = bits;
	return 0;
}

void text_index_release(struct text_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->keys[i]) {
			free(ix->lists[i].docs);
			free(ix->lists[i].tf);
		}
	free(ix->keys);
	free(ix->lists);
	free(ix->ext);
	free(ix->len);
	free(ix->dead);
	text_featurizer_release(&ix->fz);
	text_vec_release(&ix->v);
	memset(ix, 0, sizeof(*ix));
}

static size_t term_slot(const struct text_index *ix, uint32_t id)
{
	size_t m = ix->cap - 1, i = (id * 2654435761u) & m;
	while (ix->keys[i] && ix->keys[i] != id + 1)
		i = (i + 1) & m;
	return i;
}

static const struct text_posting_list *term_get(const struct text_index *ix, uint32_t id)
{
	if (!ix->cap)
		return NULL;
	size_t i = term_slot(ix, id);
	return ix->keys[i] ? &ix->lists[i] : NULL;
}

static struct text_posting_list *term_put(struct text_index *ix, uint32_t id)
{
	if ((ix->nterms + 1) * 2 > ix->cap) {
		uint32_t *ok = ix->keys;
		struct text_posting_list *ol = ix->lists;
		size_t oc = ix->cap;
		ix->cap = oc ? oc * 2 : 4096;
		ix->keys = xcalloc(ix->cap, sizeof(*ix->keys));
		ix->lists = xcalloc(ix->cap, sizeof(*ix->lists));
		for (size_t i = 0; i < oc; i++)
			if (ok[i]) {
				size_t j = term_slot(ix, ok[i] - 1);
				ix->keys[j] = ok[i];
				ix->lists[j] = ol[i];
			}
		free(ok);
		free(ol);
	}
	size_t i = term_slot(ix, id);
	if (!ix->keys[i]) {
		ix->keys[i] = id + 1;
		ix->nterms++;
	}
	return &ix->lists[i];
}

static void posting_add(struct text_posting_list *pl, uint32_t doc, float tf)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap + pl->cap / 2 + 1 : 2;
		pl->docs = xrealloc(pl->docs, pl->cap * sizeof(*pl->docs));
		pl->tf = xrealloc(pl->tf, pl->cap * sizeof(*pl->tf));
	}
	pl->docs[pl->n] = doc;
	pl->tf[pl->n++] = (uint16_t)(tf > 65535 ? 65535 : tf);
}

static void doc_push(struct text_index *ix, int64_t ext_id, uint32_t len)
{
	if (ix->ndocs + 1 > ix->docs_cap) {
		size_t cap = ix->docs_cap;
		ix->ext = xgrow(ix->ext, sizeof(*ix->ext), ix->ndocs + 1, &cap);
		cap = ix->docs_cap;
		ix->len = xgrow(ix->len, sizeof(*ix->len), ix->ndocs + 1, &cap);
		cap = ix->docs_cap;
		ix->dead = xgrow(ix->dead, sizeof(*ix->dead), ix->ndocs + 1, &cap);
		ix->docs_cap = cap;
	}
	ix->ext[ix->ndocs] = ext_id;
	ix->len[ix->ndocs] = (uint16_t)(len > 65535 ? 65535 : len);
	ix->dead[ix->ndocs] = 0;
	ix->ndocs++;
	ix->nlive++;
	ix->total_len += len;
}

int text_index_add(struct text_index *ix, int64_t ext_id, const char *text, size_t len,
                   uint32_t *doc)
{
	int rc = text_featurize(&ix->fz, text, len, &ix->v);
	if (rc)
		return rc;
	uint32_t d = (uint32_t)ix->ndocs, dl = 0;
	for (size_t i = 0; i < ix->v.n; i++) {
		posting_add(term_put(ix, ix->v.f[i].idx), d, ix->v.f[i].val);
		dl += (uint32_t)ix->v.f[i].val;
	}
	doc_push(ix, ext_id, dl);
	if (doc)
		*doc = d;
	return 0;
}

int text_index_remove(struct text_index *ix, uint32_t doc)
{
	if (doc >= ix->ndocs || ix->dead[doc])
		return ERR_NOTFOUND;
	ix->dead[doc] = 1;
	ix->nlive--;
	return 0;
}

int text_searcher_init(struct text_searcher *s, const struct text_index *ix)
{
	memset(s, 0, sizeof(*s));
	text_vec_init(&s->v);
	return text_featurizer_init(&s->fz, ix->flags, ix->bits, 3, 5);
}

void text_searcher_release(struct text_searcher *s)
{
	text_featurizer_release(&s->fz);
	text_vec_release(&s->v);
	free(s->acc);
	free(s->touched);
	free(s->q);
	memset(s, 0, sizeof(*s));
}

/* Min-heap on score of the current top k. */
static void heap_push(struct text_hit *h, size_t *n, size_t k, struct text_hit x)
{
	if (*n < k) {
		size_t i = (*n)++;
		while (i > 0 && h[(i - 1) / 2].score > x.score) {
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i] = x;
		return;
	}
	if (x.score <= h[0].score)
		return;
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		float ms = x.score;
		if (l < k && h[l].score < ms) {
			m = l;
			ms = h[l].score;
		}
		if (r < k && h[r].score < ms)
			m = r;
		if (m == i)
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = x;
}

static float bm25(float idf, float tf, float len, float avgdl)
{
	return idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * len / avgdl));
}

static int cmp_list_len(const void *a, const void *b)
{
	uint32_t x = (*(const struct text_posting_list *const *)a)->n;
	uint32_t y = (*(const struct text_posting_list *const *)b)->n;
	return x < y ? -1 : x > y;
}

static int cmp_hit_desc(const void *a, const void *b)
{
	const struct text_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

int text_index_search(const struct text_index *ix, struct text_searcher *s, const char *text,
                      size_t len, struct text_hit *out, size_t k,
                      bool (*keep)(void *ctx, int64_t ext_id), void *ctx)
{
	int rc = text_featurize(&s->fz, text, len, &s->v);
	if (rc)
		return rc;
	if (k == 0 || ix->ndocs == 0)
		return 0;
	if (s->cap < ix->ndocs) {
		s->acc = xrealloc(s->acc, ix->ndocs * sizeof(*s->acc));
		memset(s->acc + s->cap, 0, (ix->ndocs - s->cap) * sizeof(*s->acc));
		s->cap = ix->ndocs;
	}
	float avgdl = ix->ndocs ? (float)ix->total_len / (float)ix->ndocs : 1;
	float n = (float)ix->ndocs;
	/* Rare terms first: they choose the candidates. A frequent term (in more than 1 of 64
	 * documents), or any term once TEXT_INDEX_MAX_CAND candidates exist, only adds to the
	 * candidates already found — so the work per query stays bounded on a large index. */
	size_t nq = 0;
	if (s->v.n > s->qcap)
		s->q = xgrow(s->q, sizeof(*s->q), s->v.n, &s->qcap);
	for (size_t q = 0; q < s->v.n; q++) {
		const struct text_posting_list *pl = term_get(ix, s->v.f[q].idx);
		if (pl && pl->n)
			s->q[nq++] = pl;
	}
	if (nq)
		qsort(s->q, nq, sizeof(*s->q), cmp_list_len);
	size_t common = ix->ndocs / 64 > 1000 ? ix->ndocs / 64 : 1000;
	s->ntouched = 0;
	for (size_t q = 0; q < nq; q++) {
		const struct text_posting_list *pl = s->q[q];
		float idf = logf(1.0f + (n - (float)pl->n + 0.5f) / ((float)pl->n + 0.5f));
		if (idf < 0.05f) /* a term in most documents says nothing and costs the most */
			continue;
		int grow =
		    (pl->n < common && s->ntouched < TEXT_INDEX_MAX_CAND) || s->ntouched == 0;
		if (!grow && pl->n > 16 * s->ntouched) {
			/* long list, few candidates: look each candidate up (lists are sorted by
			 * doc) */
			for (size_t t = 0; t < s->ntouched; t++) {
				uint32_t d = s->touched[t], lo = 0, hi = pl->n;
				while (lo < hi) {
					uint32_t mid = lo + (hi - lo) / 2;
					if (pl->docs[mid] < d)
						lo = mid + 1;
					else
						hi = mid;
				}
				if (lo < pl->n && pl->docs[lo] == d)
					s->acc[d] += bm25(idf, pl->tf[lo], ix->len[d], avgdl);
			}
			continue;
		}
		if (grow && s->ntouched + pl->n > s->touched_cap)
			s->touched = xgrow(s->touched, sizeof(*s->touched), s->ntouched + pl->n,
			                   &s->touched_cap);
		for (uint32_t j = 0; j < pl->n; j++) {
			uint32_t d = pl->docs[j];
			if (!grow && s->acc[d] == 0)
				continue;
			if (s->acc[d] == 0)
				s->touched[s->ntouched++] = d;
			s->acc[d] += bm25(idf, pl->tf[j], ix->len[d], avgdl);
		}
	}
	size_t nh = 0;
	for (size_t i = 0; i < s->ntouched; i++) {
		uint32_t d = s->touched[i];
		float sc = s->acc[d];
		s->acc[d] = 0;
		if (ix->dead[d] || (keep && !keep(ctx, ix->ext[d])))
			continue;
		heap_push(out, &nh, k, (struct text_hit){ix->ext[d], d, sc});
	}
	qsort(out, nh, sizeof(*out), cmp_hit_desc);
	return (int)nh;
}

static const char ix_magic[8] = {'O', 'T', 'K', 'I', 'D', 'X', '1', '\0'};

int text_index_save(const struct text_index *ix, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return ERR_INTERNAL;
	uint64_t hdr[4] = {ix->flags, ix->bits, ix->ndocs, ix->nterms};
	int ok = fwrite(ix_magic, sizeof(ix_magic), 1, f) == 1 &&
	         fwrite(hdr, sizeof(hdr), 1, f) == 1 &&
	         fwrite(ix->ext, sizeof(*ix->ext), ix->ndocs, f) == ix->ndocs &&
	         fwrite(ix->len, sizeof(*ix->len), ix->ndocs, f) == ix->ndocs &&
	         fwrite(ix->dead, sizeof(*ix->dead), ix->ndocs, f) == ix->ndocs;
	for (size_t i = 0; ok && i < ix->cap; i++) {
		if (!ix->keys[i])
			continue;
		const struct text_posting_list *pl = &ix->lists[i];
		uint32_t kn[2] = {ix->keys[i] - 1, pl->n};
		ok = fwrite(kn, sizeof(kn), 1, f) == 1 &&
		     fwrite(pl->docs, sizeof(*pl->docs), pl->n, f) == pl->n &&
		     fwrite(pl->tf, sizeof(*pl->tf), pl->n, f) == pl->n;
	}
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : ERR_INTERNAL;
}

int text_index_load(struct text_index *ix, const char *path)
{
	memset(ix, 0, sizeof(*ix));
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	char magic[8];
	uint64_t hdr[4];
	if (fread(magic, sizeof(magic), 1, f) != 1 || memcmp(magic, ix_magic, sizeof(magic)) != 0 ||
	    fread(hdr, sizeof(hdr), 1, f) != 1 || hdr[1] < 10 || hdr[1] > 24 ||
	    hdr[2] > UINT32_MAX || hdr[3] > UINT32_MAX) {
		fclose(f);
		return ERR_INVALID;
	}
	int rc = text_index_init(ix, (unsigned)hdr[0], (unsigned)hdr[1]);
	if (rc) {
		fclose(f);
		text_index_release(ix);
		return rc;
	}
	rc = ERR_INVALID;
	size_t nd = (size_t)hdr[2];
	ix->docs_cap = nd ? nd : 1;
	ix->ext = xmalloc(ix->docs_cap * sizeof(*ix->ext));
	ix->len = xmalloc(ix->docs_cap * sizeof(*ix->len));
	ix->dead = xmalloc(ix->docs_cap * sizeof(*ix->dead));
	if (fread(ix->ext, sizeof(*ix->ext), nd, f) != nd ||
	    fread(ix->len, sizeof(*ix->len), nd, f) != nd ||
	    fread(ix->dead, sizeof(*ix->dead), nd, f) != nd)
		goto out;
	ix->ndocs = nd;
	for (size_t i = 0; i < nd; i++) {
		ix->total_len += ix->len[i];
		ix->nlive += !ix->dead[i];
	}
	for (uint64_t t = 0; t < hdr[3]; t++) {
		uint32_t kn[2];
		if (fread(kn, sizeof(kn), 1, f) != 1 || kn[1] > nd)
			goto out;
		struct text_posting_list *pl = term_put(ix, kn[0]);
		if (pl->n) /* duplicate term */
			goto out;
		pl->cap = kn[1] ? kn[1] : 1;
		pl->docs = xmalloc(pl->cap * sizeof(*pl->docs));
		pl->tf = xmalloc(pl->cap * sizeof(*pl->tf));
		pl->n = kn[1];
		if (fread(pl->docs, sizeof(*pl->docs), pl->n, f) != pl->n ||
		    fread(pl->tf, sizeof(*pl->tf), pl->n, f) != pl->n)
			goto out;
		for (uint32_t j = 0; j < pl->n; j++)
			if (pl->docs[j] >= nd)
				goto out;
	}
	rc = 0;
out:
	fclose(f);
	if (rc)
		text_index_release(ix);
	return rc;
}
