/* cluster.c: leader clustering with complete linkage in space and time and a text centroid test;
 * stable ids, labels, representatives, manual merge/split and re-consolidation. */
#include "text/cluster.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cluster_params cluster_params_default(void)
{
	struct cluster_params p = {
	    .radius_m = 150,
	    .window_days = 14,
	    .stretch = 1.5,
	    .late_share = 0.1f,
	    .min_sim = 0.1f,
	    .merge_sim = 0.5f,
	    .centroid_terms = 64,
	    .flags = TEXT_F_WORDS | TEXT_F_BIGRAMS,
	    .bits = 20,
	    .cmin = 3,
	    .cmax = 5,
	    /* > 1: off — on the portal's data the veto cost more recall than it won */
	    .diffuse = 1.5f,
	    .near_weight = 0.2f,
	};
	return p;
}

int cluster_model_init(struct cluster_model *m, const struct cluster_params *p)
{
	memset(m, 0, sizeof(*m));
	if (p->radius_m <= 0 || p->window_days <= 0 || p->centroid_terms == 0 || p->stretch < 1)
		return ERR_INVALID;
	m->p = *p;
	geo_grid_init(&m->grid, p->radius_m);
	text_lexicon_init(&m->lex);
	text_vec_init(&m->v);
	int rc = text_featurizer_init(&m->fz, p->flags, p->bits, p->cmin, p->cmax);
	if (rc)
		return rc;
	m->fz.lex = &m->lex;
	text_idf_init(&m->idf, p->bits);
	return 0;
}

void cluster_model_release(struct cluster_model *m)
{
	for (size_t i = 0; i < m->nclusters; i++) {
		free(m->clusters[i].members);
		text_vec_release(&m->clusters[i].centroid);
	}
	free(m->clusters);
	free(m->docs);
	geo_grid_release(&m->grid);
	text_idf_release(&m->idf);
	text_lexicon_release(&m->lex);
	text_featurizer_release(&m->fz);
	text_vec_release(&m->v);
	memset(m, 0, sizeof(*m));
}

int cluster_observe(struct cluster_model *m, const char *text, size_t len)
{
	int rc = text_featurize(&m->fz, text, len, &m->v);
	if (rc)
		return rc;
	text_idf_add(&m->idf, &m->v);
	return 0;
}

uint32_t cluster_resolve(const struct cluster_model *m, uint32_t id)
{
	for (size_t hops = 0; id && id <= m->nclusters && hops <= m->nclusters; hops++) {
		const struct cluster *c = &m->clusters[id - 1];
		if (!c->merged_into)
			return id;
		id = c->merged_into;
	}
	return 0;
}

const struct cluster *cluster_get(const struct cluster_model *m, uint32_t id)
{
	id = cluster_resolve(m, id);
	return id ? &m->clusters[id - 1] : NULL;
}

static int cmp_feat_val_desc(const void *a, const void *b)
{
	float x = ((const struct text_feat *)a)->val, y = ((const struct text_feat *)b)->val;
	return x > y ? -1 : x < y;
}

static int cmp_feat_idx(const void *a, const void *b)
{
	uint32_t x = ((const struct text_feat *)a)->idx, y = ((const struct text_feat *)b)->idx;
	return x < y ? -1 : x > y;
}

/* acc += scale · v (both sorted), then cut acc to its `keep` heaviest terms. */
static void vec_add(struct text_vec *acc, const struct text_vec *v, float scale, unsigned keep)
{
	size_t need = acc->n + v->n;
	struct text_feat *out = xmalloc((need ? need : 1) * sizeof(*out));
	size_t i = 0, j = 0, k = 0;
	while (i < acc->n || j < v->n) {
		if (j >= v->n || (i < acc->n && acc->f[i].idx < v->f[j].idx)) {
			out[k++] = acc->f[i++];
		} else if (i >= acc->n || v->f[j].idx < acc->f[i].idx) {
			out[k].idx = v->f[j].idx;
			out[k++].val = scale * v->f[j++].val;
		} else {
			out[k].idx = acc->f[i].idx;
			out[k++].val = acc->f[i++].val + scale * v->f[j++].val;
		}
	}
	if (k > keep) {
		qsort(out, k, sizeof(*out), cmp_feat_val_desc);
		k = keep;
		qsort(out, k, sizeof(*out), cmp_feat_idx);
	}
	free(acc->f);
	acc->f = out;
	acc->n = k;
	acc->cap = need ? need : 1;
}

static float centroid_cos(const struct text_vec *centroid, const struct text_vec *v)
{
	double s = 0;
	for (size_t i = 0; i < centroid->n; i++)
		s += (double)centroid->f[i].val * centroid->f[i].val;
	return s > 0 ? text_vec_dot(centroid, v) / (float)sqrt(s) : 0;
}

static uint32_t new_cluster(struct cluster_model *m, uint32_t tag, double lat, double lon,
                            int64_t t)
{
	if (m->nclusters + 1 > m->clusters_cap)
		m->clusters =
		    xgrow(m->clusters, sizeof(*m->clusters), m->nclusters + 1, &m->clusters_cap);
	struct cluster *c = &m->clusters[m->nclusters];
	memset(c, 0, sizeof(*c));
	c->id = (uint32_t)++m->nclusters;
	c->tag = tag;
	c->lat = lat;
	c->lon = lon;
	c->first = c->last = t;
	c->rep_sim = -1;
	if (geo_valid(lat, lon))
		geo_grid_add(&m->grid, tag, lat, lon, c->id);
	return c->id;
}

static void add_member(struct cluster_model *m, struct cluster *c, uint32_t doc,
                       const struct text_vec *v, float sim)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 2;
		c->members = xrealloc(c->members, c->cap * sizeof(*c->members));
	}
	c->members[c->n++] = doc;
	const struct cluster_doc *d = &m->docs[doc];
	if (d->created < c->first)
		c->first = d->created;
	if (d->created > c->last)
		c->last = d->created;
	if (v)
		vec_add(&c->centroid, v, 1, m->p.centroid_terms);
	if (sim > c->rep_sim) {
		c->rep_sim = sim;
		c->rep = doc;
	}
	m->docs[doc].cluster = c->id;
}

/* True when doc d may join c: within the radius of every member, and within the window of all
 * but late_share of them, and no later than stretch windows after the first. A long-running
 * problem thus keeps its cluster a little longer instead of being cut every window (the cut
 * loses every pair across it); the share keeps the pairs older than the window few. */
static int fits(const struct cluster_model *m, const struct cluster *c, const struct cluster_doc *d)
{
	double win = m->p.window_days * 86400.0;
	if ((double)(d->created - c->first) > m->p.stretch * win ||
	    (double)(c->last - d->created) > win)
		return 0;
	uint32_t late = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct cluster_doc *o = &m->docs[c->members[i]];
		if (geo_dist_m(d->lat, d->lon, o->lat, o->lon) > m->p.radius_m)
			return 0;
		late += (double)(d->created - o->created) > win;
	}
	return late <= m->p.late_share * c->n;
}

/* Mean pairwise cosine of the members: |Σ unit vectors|² = n + Σ_{i≠j} cos. A cluster of one
 * has none and counts as diffuse (0): the second appeal at a place joins on place and time. */
static float cluster_coherence(const struct cluster *c)
{
	if (c->n < 2)
		return 0;
	double s = 0;
	for (size_t i = 0; i < c->centroid.n; i++)
		s += (double)c->centroid.f[i].val * c->centroid.f[i].val;
	return (float)((s - c->n) / ((double)c->n * (c->n - 1)));
}

struct scan {
	struct cluster_model *m;
	const struct cluster_doc *d;
	const struct text_vec *v;
	uint32_t tag, best;
	float best_sim, best_score;
	uint32_t *expired;
	size_t nexp, exp_cap;
};

static void scan_cb(void *ctx, const uint32_t *items, size_t n)
{
	struct scan *s = ctx;
	double win = s->m->p.window_days * 86400.0;
	for (size_t i = 0; i < n; i++) {
		const struct cluster *c = &s->m->clusters[items[i] - 1];
		if (c->merged_into || c->tag != s->tag)
			continue;
		if ((double)(s->d->created - c->first) > s->m->p.stretch * win) { /* never again */
			if (s->nexp + 1 > s->exp_cap)
				s->expired = xgrow(s->expired, sizeof(*s->expired), s->nexp + 1,
				                   &s->exp_cap);
			s->expired[s->nexp++] = c->id;
			continue;
		}
		if (!fits(s->m, c, s->d))
			continue;
		float sim = centroid_cos(&c->centroid, s->v);
		float near = 1.0f - (float)(geo_dist_m(s->d->lat, s->d->lon, c->lat, c->lon) /
		                            s->m->p.radius_m);
		float score = sim + s->m->p.near_weight * near;
		if (sim < s->m->p.min_sim && cluster_coherence(c) >= s->m->p.diffuse)
			continue; /* a coherent cluster only takes texts like its own */
		if (score > s->best_score || (score == s->best_score && c->id < s->best)) {
			s->best_score = score;
			s->best_sim = sim;
			s->best = c->id;
		}
	}
}

/* Scans the live clusters a document may join; s->best is the choice (0: none). */
static void scan_candidates(struct cluster_model *m, struct scan *s, const struct cluster_input *in)
{
	const char *cat = in->category ? in->category : "";
	s->tag = text_hash(cat, strlen(cat), 9);
	if (in->topic && *in->topic)
		s->tag = text_hash(in->topic, strlen(in->topic), s->tag);
	if (geo_valid(in->lat, in->lon))
		geo_grid_near(&m->grid, s->tag, in->lat, in->lon, scan_cb, s);
}

int cluster_suggest(struct cluster_model *m, const struct cluster_input *in, uint32_t *cluster_id,
                    float *sim)
{
	int rc = text_featurize(&m->fz, in->text, in->text_len, &m->v);
	if (rc)
		return rc;
	text_vec_tfidf(&m->v, &m->idf);
	struct cluster_doc d = {in->ext_id, in->created, in->lat, in->lon, 0};
	struct scan s = {m, &d, &m->v, 0, 0, -1, -1e9f, NULL, 0, 0};
	scan_candidates(m, &s, in);
	free(s.expired);
	*cluster_id = s.best;
	if (sim)
		*sim = s.best ? s.best_sim : 0;
	return s.best ? 0 : ERR_NOTFOUND;
}

int cluster_assign(struct cluster_model *m, const struct cluster_input *in, uint32_t *cluster_id)
{
	int rc = text_featurize(&m->fz, in->text, in->text_len, &m->v);
	if (rc)
		return rc;
	text_idf_add(&m->idf, &m->v);
	text_vec_tfidf(&m->v, &m->idf);
	if (m->ndocs + 1 > m->docs_cap)
		m->docs = xgrow(m->docs, sizeof(*m->docs), m->ndocs + 1, &m->docs_cap);
	uint32_t doc = (uint32_t)m->ndocs++;
	struct cluster_doc *d = &m->docs[doc];
	memset(d, 0, sizeof(*d)); /* the padding too: cluster_save writes docs as they are */
	d->ext_id = in->ext_id;
	d->created = in->created;
	d->lat = in->lat;
	d->lon = in->lon;
	struct scan s = {m, d, &m->v, 0, 0, -1, -1e9f, NULL, 0, 0};
	scan_candidates(m, &s, in);
	for (size_t i = 0; i < s.nexp; i++) { /* clusters too old to grow leave the grid */
		const struct cluster *c = &m->clusters[s.expired[i] - 1];
		geo_grid_remove(&m->grid, c->tag, c->lat, c->lon, c->id);
	}
	free(s.expired);
	uint32_t id = s.best ? s.best : new_cluster(m, s.tag, in->lat, in->lon, in->created);
	struct cluster *c = &m->clusters[id - 1];
	add_member(m, c, doc, &m->v, c->n ? s.best_sim : 1.0f);
	*cluster_id = id;
	return 0;
}

size_t cluster_label(const struct cluster_model *m, uint32_t id, const char **out, size_t k)
{
	const struct cluster *c = cluster_get(m, id);
	if (!c || !k)
		return 0;
	struct text_feat *f = xmalloc((c->centroid.n ? c->centroid.n : 1) * sizeof(*f));
	if (c->centroid.n) {
		memcpy(f, c->centroid.f, c->centroid.n * sizeof(*f));
		qsort(f, c->centroid.n, sizeof(*f), cmp_feat_val_desc);
	}
	size_t n = 0;
	for (size_t i = 0; i < c->centroid.n && n < k; i++) {
		const char *s = text_lexicon_get(&m->lex, f[i].idx);
		if (s)
			out[n++] = s;
	}
	free(f);
	return n;
}

static void absorb(struct cluster_model *m, struct cluster *a, struct cluster *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		add_member(m, a, b->members[i], NULL, -2);
	vec_add(&a->centroid, &b->centroid, 1, m->p.centroid_terms);
	if (b->rep_sim > a->rep_sim) {
		a->rep = b->rep;
		a->rep_sim = b->rep_sim;
	}
	geo_grid_remove(&m->grid, b->tag, b->lat, b->lon, b->id);
	free(b->members);
	b->members = NULL;
	b->n = b->cap = 0;
	text_vec_release(&b->centroid);
	b->merged_into = a->id;
}

int cluster_merge(struct cluster_model *m, uint32_t a, uint32_t b)
{
	if (!a || !b || a > m->nclusters || b > m->nclusters || m->clusters[a - 1].merged_into ||
	    m->clusters[b - 1].merged_into)
		return ERR_NOTFOUND;
	if (a == b)
		return ERR_INVALID;
	absorb(m, &m->clusters[a - 1], &m->clusters[b - 1]);
	return 0;
}

int cluster_split(struct cluster_model *m, uint32_t id, const uint32_t *docs, size_t n,
                  uint32_t *new_id)
{
	if (!id || id > m->nclusters || m->clusters[id - 1].merged_into)
		return ERR_NOTFOUND;
	struct cluster *c = &m->clusters[id - 1];
	if (n == 0 || n >= c->n)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if (docs[i] >= m->ndocs || m->docs[docs[i]].cluster != id)
			return ERR_INVALID;
	const struct cluster_doc *d0 = &m->docs[docs[0]];
	uint32_t nid = new_cluster(m, c->tag, d0->lat, d0->lon, d0->created);
	c = &m->clusters[id - 1]; /* new_cluster may move the array */
	struct cluster *nc = &m->clusters[nid - 1];
	nc->split_from = id;
	for (size_t i = 0; i < n; i++)
		m->docs[docs[i]].cluster = nid;
	/* rebuild the member lists; centroids are scaled by share (member vectors are not kept) */
	uint32_t keep = 0, old_n = c->n;
	for (uint32_t i = 0; i < old_n; i++) {
		uint32_t doc = c->members[i];
		if (m->docs[doc].cluster == nid) {
			m->docs[doc].cluster = 0;
			add_member(m, nc, doc, NULL, -2);
		} else {
			c->members[keep++] = doc;
		}
	}
	c->n = keep;
	vec_add(&nc->centroid, &c->centroid, (float)n / (float)old_n, m->p.centroid_terms);
	for (size_t i = 0; i < c->centroid.n; i++)
		c->centroid.f[i].val *= (float)keep / (float)old_n;
	c->first = INT64_MAX;
	c->last = INT64_MIN;
	int rep_left = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct cluster_doc *d = &m->docs[c->members[i]];
		c->first = d->created < c->first ? d->created : c->first;
		c->last = d->created > c->last ? d->created : c->last;
		rep_left |= c->members[i] == c->rep;
	}
	if (!rep_left) {
		nc->rep = c->rep;
		c->rep = c->members[0];
	} else {
		nc->rep = nc->members[0];
	}
	*new_id = nid;
	return 0;
}

struct cscan {
	struct cluster_model *m;
	struct cluster *a;
	uint32_t best;
	float best_sim;
};

static void consolidate_cb(void *ctx, const uint32_t *items, size_t n)
{
	struct cscan *s = ctx;
	for (size_t i = 0; i < n; i++) {
		struct cluster *b = &s->m->clusters[items[i] - 1];
		if (b->id <= s->a->id || b->merged_into || b->tag != s->a->tag)
			continue;
		int ok = 1;
		for (uint32_t j = 0; ok && j < b->n; j++)
			ok = fits(s->m, s->a, &s->m->docs[b->members[j]]);
		if (!ok)
			continue;
		double na = 0, nb = 0;
		for (size_t j = 0; j < s->a->centroid.n; j++)
			na += (double)s->a->centroid.f[j].val * s->a->centroid.f[j].val;
		for (size_t j = 0; j < b->centroid.n; j++)
			nb += (double)b->centroid.f[j].val * b->centroid.f[j].val;
		float sim = na > 0 && nb > 0
		                ? text_vec_dot(&s->a->centroid, &b->centroid) / (float)sqrt(na * nb)
		                : 0;
		if (sim >= s->m->p.merge_sim && sim > s->best_sim) {
			s->best_sim = sim;
			s->best = b->id;
		}
	}
}

size_t cluster_consolidate(struct cluster_model *m)
{
	/* a grid over every live cluster (the assignment grid forgets expired ones) */
	struct geo_grid all;
	geo_grid_init(&all, m->p.radius_m);
	for (size_t i = 0; i < m->nclusters; i++) {
		const struct cluster *c = &m->clusters[i];
		if (!c->merged_into && c->n && geo_valid(c->lat, c->lon))
			geo_grid_add(&all, c->tag, c->lat, c->lon, c->id);
	}
	size_t merges = 0;
	for (size_t i = 0; i < m->nclusters; i++) {
		struct cluster *a = &m->clusters[i];
		if (a->merged_into || !a->n || !geo_valid(a->lat, a->lon))
			continue;
		for (;;) {
			struct cscan s = {m, a, 0, -1};
			struct geo_grid *g = &all;
			geo_grid_near(g, a->tag, a->lat, a->lon, consolidate_cb, &s);
			if (!s.best)
				break;
			struct cluster *b = &m->clusters[s.best - 1];
			geo_grid_remove(&all, b->tag, b->lat, b->lon, b->id);
			absorb(m, a, b);
			merges++;
		}
	}
	geo_grid_release(&all);
	return merges;
}

static const char cl_magic[8] = {'O', 'T', 'K', 'C', 'L', 'U', '1', '\0'};

static int write_vec(const struct text_vec *v, FILE *f)
{
	uint32_t n = (uint32_t)v->n;
	return fwrite(&n, sizeof(n), 1, f) == 1 && fwrite(v->f, sizeof(*v->f), n, f) == n;
}

static int read_vec(struct text_vec *v, FILE *f)
{
	uint32_t n;
	if (fread(&n, sizeof(n), 1, f) != 1 || n > 1u << 24)
		return 0;
	v->f = xmalloc((n ? n : 1) * sizeof(*v->f));
	v->n = v->cap = n;
	return fread(v->f, sizeof(*v->f), n, f) == n;
}

int cluster_save(const struct cluster_model *m, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return ERR_INTERNAL;
	uint64_t cnt[3] = {m->nclusters, m->ndocs, m->lex.n};
	int ok = fwrite(cl_magic, sizeof(cl_magic), 1, f) == 1 &&
	         fwrite(&m->p, sizeof(m->p), 1, f) == 1 && fwrite(cnt, sizeof(cnt), 1, f) == 1;
	for (size_t i = 0; ok && i < m->nclusters; i++) {
		const struct cluster *c = &m->clusters[i];
		struct cluster hdr = *c;
		hdr.members = NULL;
		memset(&hdr.centroid, 0, sizeof(hdr.centroid));
		ok = fwrite(&hdr, sizeof(hdr), 1, f) == 1 &&
		     fwrite(c->members, sizeof(*c->members), c->n, f) == c->n &&
		     write_vec(&c->centroid, f);
	}
	ok = ok && fwrite(m->docs, sizeof(*m->docs), m->ndocs, f) == m->ndocs &&
	     text_idf_write(&m->idf, f) == 0;
	for (size_t i = 0; ok && i < m->lex.cap; i++) {
		if (!m->lex.keys[i])
			continue;
		uint32_t kl[2] = {m->lex.keys[i] - 1, (uint32_t)strlen(m->lex.vals[i])};
		ok = fwrite(kl, sizeof(kl), 1, f) == 1 &&
		     fwrite(m->lex.vals[i], 1, kl[1], f) == kl[1];
	}
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : ERR_INTERNAL;
}

int cluster_load(struct cluster_model *m, const char *path)
{
	memset(m, 0, sizeof(*m));
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	char magic[8];
	struct cluster_params p;
	uint64_t cnt[3];
	int rc = ERR_INVALID;
	if (fread(magic, sizeof(magic), 1, f) != 1 || memcmp(magic, cl_magic, sizeof(magic)) != 0 ||
	    fread(&p, sizeof(p), 1, f) != 1 || fread(cnt, sizeof(cnt), 1, f) != 1 ||
	    cnt[0] > UINT32_MAX || cnt[1] > UINT32_MAX || cnt[2] > UINT32_MAX) {
		fclose(f);
		return ERR_INVALID;
	}
	rc = cluster_model_init(m, &p);
	if (rc) {
		fclose(f);
		cluster_model_release(m);
		return rc == ERR_INTERNAL ? rc : ERR_INVALID;
	}
	rc = ERR_INVALID;
	text_idf_release(&m->idf);
	m->clusters = xcalloc(cnt[0] ? cnt[0] : 1, sizeof(*m->clusters));
	m->clusters_cap = cnt[0] ? cnt[0] : 1;
	for (size_t i = 0; i < cnt[0]; i++) {
		struct cluster *c = &m->clusters[i];
		if (fread(c, sizeof(*c), 1, f) != 1)
			goto out;
		m->nclusters = i + 1;
		c->members = NULL;
		memset(&c->centroid, 0, sizeof(c->centroid));
		c->cap = c->n;
		if (c->id != i + 1 || c->n > cnt[1] || c->merged_into > cnt[0])
			goto out;
		c->members = xmalloc((c->n ? c->n : 1) * sizeof(*c->members));
		if (fread(c->members, sizeof(*c->members), c->n, f) != c->n ||
		    !read_vec(&c->centroid, f))
			goto out;
		for (uint32_t j = 0; j < c->n; j++)
			if (c->members[j] >= cnt[1])
				goto out;
	}
	m->docs = xmalloc((cnt[1] ? cnt[1] : 1) * sizeof(*m->docs));
	m->docs_cap = cnt[1] ? cnt[1] : 1;
	if (fread(m->docs, sizeof(*m->docs), cnt[1], f) != cnt[1] ||
	    text_idf_read(&m->idf, f) != 0 || m->idf.bits != p.bits)
		goto out;
	m->ndocs = cnt[1];
	for (uint64_t i = 0; i < cnt[2]; i++) {
		uint32_t kl[2];
		if (fread(kl, sizeof(kl), 1, f) != 1 || kl[1] > 4096)
			goto out;
		char *s = xmalloc(kl[1] + 1);
		int got = fread(s, 1, kl[1], f) == kl[1];
		if (got)
			text_lexicon_add(&m->lex, kl[0], s, kl[1]);
		free(s);
		if (!got)
			goto out;
	}
	for (size_t i = 0; i < m->nclusters; i++) {
		const struct cluster *c = &m->clusters[i];
		if (!c->merged_into && c->n && geo_valid(c->lat, c->lon))
			geo_grid_add(&m->grid, c->tag, c->lat, c->lon, c->id);
	}
	rc = 0;
out:
	fclose(f);
	if (rc) {
		if (!m->idf.df)
			text_idf_init(&m->idf, p.bits);
		cluster_model_release(m);
	}
	return rc;
}
