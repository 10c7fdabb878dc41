/* executor.c: body suggestion by recency-weighted votes of (topic, district), of district-free
 * templates of the topic, and of routed appeals on the same topic nearby. */
#include "text/executor.h"
#include "core/err.h"
#include "core/mem.h"
#include "text/features.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct executor_bag {
	uint32_t *ids;
	double *w;
	uint32_t n, cap;
};

struct executor_point {
	double lat, lon, w;
	uint32_t body, tag; /* tag: hash of the topic, the grid partition */
};

enum { NS_DISTRICT = 1, NS_GENERIC = 2, NS_AREA = 3 };

/* Weight of the district's usual body whatever the topic: a fallback for topics never routed. */
#define AREA_WEIGHT 0.05

void executor_init(struct executor_model *m)
{
	memset(m, 0, sizeof(*m));
	m->halflife_days = 60;
	m->geo_radius_m = 100;
	m->geo_weight = 1.0;
	m->generic_weight = 0.6;
	geo_grid_init(&m->grid, 100);
}

void executor_release(struct executor_model *m)
{
	for (size_t i = 0; i < m->nnames; i++)
		free(m->names[i]);
	for (size_t i = 0; i < m->nbags; i++) {
		free(m->bags[i].ids);
		free(m->bags[i].w);
	}
	free(m->names);
	free(m->keys);
	free(m->slots);
	free(m->bags);
	free(m->pts);
	geo_grid_release(&m->grid);
	memset(m, 0, sizeof(*m));
}

static uint32_t intern(struct executor_model *m, const char *s)
{
	for (size_t i = 0; i < m->nnames; i++) /* a few hundred bodies: a scan is enough */
		if (strcmp(m->names[i], s) == 0)
			return (uint32_t)i;
	if (m->nnames + 1 > m->names_cap)
		m->names = xgrow(m->names, sizeof(*m->names), m->nnames + 1, &m->names_cap);
	m->names[m->nnames] = xstrdup(s);
	return (uint32_t)m->nnames++;
}

static int find_name(const struct executor_model *m, const char *s)
{
	for (size_t i = 0; i < m->nnames; i++)
		if (strcmp(m->names[i], s) == 0)
			return (int)i;
	return -1;
}

static uint64_t key2(int ns, const char *a, const char *b)
{
	uint64_t h = text_hash(a, strlen(a), (uint32_t)ns);
	h = (h << 32) | text_hash(b, strlen(b), (uint32_t)ns * 7 + 1);
	return h ? h : 1;
}

static size_t key_slot(const struct executor_model *m, uint64_t k)
{
	size_t mask = m->keys_cap - 1, i = (size_t)(k ^ (k >> 31)) & mask;
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & mask;
	return i;
}

static struct executor_bag *bag_get(const struct executor_model *m, uint64_t k)
{
	if (!m->keys_cap)
		return NULL;
	size_t i = key_slot(m, k);
	return m->keys[i] ? &m->bags[m->slots[i] - 1] : NULL;
}

static struct executor_bag *bag_put(struct executor_model *m, uint64_t k)
{
	if ((m->nkeys + 1) * 2 > m->keys_cap) {
		uint64_t *ok = m->keys;
		uint32_t *os = m->slots;
		size_t oc = m->keys_cap;
		m->keys_cap = oc ? oc * 2 : 256;
		m->keys = xcalloc(m->keys_cap, sizeof(*m->keys));
		m->slots = xcalloc(m->keys_cap, sizeof(*m->slots));
		for (size_t i = 0; i < oc; i++)
			if (ok[i]) {
				size_t j = key_slot(m, ok[i]);
				m->keys[j] = ok[i];
				m->slots[j] = os[i];
			}
		free(ok);
		free(os);
	}
	size_t i = key_slot(m, k);
	if (!m->keys[i]) {
		if (m->nbags + 1 > m->bags_cap)
			m->bags = xgrow(m->bags, sizeof(*m->bags), m->nbags + 1, &m->bags_cap);
		memset(&m->bags[m->nbags], 0, sizeof(*m->bags));
		m->keys[i] = k;
		m->slots[i] = (uint32_t)++m->nbags;
		m->nkeys++;
	}
	return &m->bags[m->slots[i] - 1];
}

static void bag_add(struct executor_bag *b, uint32_t id, double w)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (b->ids[i] == id) {
			b->w[i] += w;
			return;
		}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4;
		b->ids = xrealloc(b->ids, b->cap * sizeof(*b->ids));
		b->w = xrealloc(b->w, b->cap * sizeof(*b->w));
	}
	b->ids[b->n] = id;
	b->w[b->n++] = w;
}

/* The district's name without its adjective ending ("Кировский" → "Кировск") is what appears
 * inside the body's name ("Администрация Кировского района"); "@" stands for it in a template. */
static size_t district_stem(const char *d, size_t n)
{
	size_t k = n;
	for (int drop = 0; drop < 2 && k > 0; drop++) { /* two code points */
		k--;
		while (k > 0 && ((unsigned char)d[k] & 0xC0) == 0x80)
			k--;
	}
	return k >= 4 ? k : 0;
}

static char *make_template(const char *body, const char *district)
{
	size_t dl = district_stem(district, strlen(district));
	const char *p = dl ? memmem(body, strlen(body), district, dl) : NULL;
	if (!p)
		return NULL;
	size_t bl = strlen(body), pre = (size_t)(p - body);
	char *t = xmalloc(bl - dl + 2);
	memcpy(t, body, pre);
	t[pre] = '@';
	memcpy(t + pre + 1, p + dl, bl - pre - dl);
	t[bl - dl + 1] = '\0';
	return t;
}

static char *fill_template(const char *tmpl, const char *district)
{
	size_t dl = district_stem(district, strlen(district)), tl = strlen(tmpl);
	const char *at = strchr(tmpl, '@');
	if (!at || !dl)
		return NULL;
	char *s = xmalloc(tl + dl);
	size_t pre = (size_t)(at - tmpl);
	memcpy(s, tmpl, pre);
	memcpy(s + pre, district, dl);
	memcpy(s + pre + dl, at + 1, tl - pre - 1);
	s[tl - 1 + dl] = '\0';
	return s;
}

static double recency(const struct executor_model *m, int64_t created)
{
	if (m->halflife_days <= 0 || created == 0)
		return 1;
	return exp2(((double)created - m->t0) / 86400.0 / m->halflife_days);
}

int executor_add(struct executor_model *m, const char *topic, const char *district, double lat,
                 double lon, int64_t created, const char *body)
{
	if (!body || !*body)
		return 0;
	if (m->t0 == 0 && created)
		m->t0 = (double)created;
	if (created > m->tmax)
		m->tmax = created;
	double w = recency(m, created);
	uint32_t id = intern(m, body);
	bag_add(bag_put(m, key2(NS_DISTRICT, topic, district)), id, w);
	bag_add(bag_put(m, key2(NS_AREA, "", district)), id, w);
	char *t = make_template(body, district);
	bag_add(bag_put(m, key2(NS_GENERIC, topic, "")), t ? intern(m, t) : id, w);
	free(t);
	if (geo_valid(lat, lon)) {
		if (m->npts + 1 > m->pts_cap)
			m->pts = xgrow(m->pts, sizeof(*m->pts), m->npts + 1, &m->pts_cap);
		uint32_t tag = text_hash(topic, strlen(topic), 5);
		m->pts[m->npts] = (struct executor_point){lat, lon, w, id, tag};
		geo_grid_add(&m->grid, tag, lat, lon, (uint32_t)m->npts++);
	}
	return 0;
}

struct vote {
	double *v; /* per name */
	const struct executor_model *m;
	double lat, lon, norm;
};

static void near_cb(void *ctx, const uint32_t *items, size_t n)
{
	struct vote *vt = ctx;
	for (size_t i = 0; i < n; i++) {
		const struct executor_point *p = &vt->m->pts[items[i]];
		double d = geo_dist_m(vt->lat, vt->lon, p->lat, p->lon);
		if (d < vt->m->geo_radius_m)
			vt->v[p->body] += vt->m->geo_weight * p->w * vt->norm / (1 + d / 30);
	}
}

const char *executor_predict(const struct executor_model *m, const char *topic,
                             const char *district, double lat, double lon, float *score)
{
	if (!m->nnames)
		return NULL;
	double *v = xcalloc(m->nnames, sizeof(*v));
	double scale = 0; /* votes are normalised per source so old and new models compare */
	const struct executor_bag *b = bag_get(m, key2(NS_DISTRICT, topic, district));
	if (b) {
		double t = 0;
		for (uint32_t i = 0; i < b->n; i++)
			t += b->w[i];
		for (uint32_t i = 0; i < b->n; i++)
			v[b->ids[i]] += b->w[i] / t;
	}
	b = bag_get(m, key2(NS_AREA, "", district));
	if (b) {
		double t = 0;
		for (uint32_t i = 0; i < b->n; i++)
			t += b->w[i];
		for (uint32_t i = 0; i < b->n; i++)
			v[b->ids[i]] += AREA_WEIGHT * b->w[i] / t;
	}
	b = bag_get(m, key2(NS_GENERIC, topic, ""));
	if (b) {
		double t = 0;
		for (uint32_t i = 0; i < b->n; i++)
			t += b->w[i];
		for (uint32_t i = 0; i < b->n; i++) {
			const char *name = m->names[b->ids[i]];
			int id = (int)b->ids[i];
			if (strchr(name, '@')) {
				char *f = fill_template(name, district);
				id = f ? find_name(m, f) : -1;
				free(f);
			}
			if (id >= 0)
				v[id] += m->generic_weight * b->w[i] / t;
		}
	}
	if (geo_valid(lat, lon)) {
		/* neighbours' recency weights are relative to the newest routed appeal */
		struct vote vt = {v, m, lat, lon, 1.0 / recency(m, m->tmax)};
		geo_grid_near(&m->grid, text_hash(topic, strlen(topic), 5), lat, lon, near_cb, &vt);
	}
	int best = -1;
	double bv = 0;
	for (size_t i = 0; i < m->nnames; i++) {
		scale += v[i];
		if (v[i] > bv && !strchr(m->names[i], '@')) {
			bv = v[i];
			best = (int)i;
		}
	}
	free(v);
	if (score)
		*score = scale > 0 ? (float)(bv / scale) : 0;
	return best >= 0 ? m->names[best] : NULL;
}

static const char exec_magic[8] = {'O', 'T', 'K', 'E', 'X', 'E', '1', '\0'};

int executor_save(const struct executor_model *m, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return ERR_INTERNAL;
	double hdr[5] = {m->halflife_days, m->t0, m->geo_radius_m, m->geo_weight,
	                 m->generic_weight};
	uint64_t cnt[4] = {m->nnames, m->nkeys, m->npts, (uint64_t)m->tmax};
	int ok = fwrite(exec_magic, sizeof(exec_magic), 1, f) == 1 &&
	         fwrite(hdr, sizeof(hdr), 1, f) == 1 && fwrite(cnt, sizeof(cnt), 1, f) == 1;
	for (size_t i = 0; ok && i < m->nnames; i++) {
		uint32_t l = (uint32_t)strlen(m->names[i]);
		ok = fwrite(&l, sizeof(l), 1, f) == 1 && fwrite(m->names[i], 1, l, f) == l;
	}
	for (size_t i = 0; ok && i < m->keys_cap; i++) {
		if (!m->keys[i])
			continue;
		const struct executor_bag *b = &m->bags[m->slots[i] - 1];
		ok = fwrite(&m->keys[i], sizeof(m->keys[i]), 1, f) == 1 &&
		     fwrite(&b->n, sizeof(b->n), 1, f) == 1 &&
		     fwrite(b->ids, sizeof(*b->ids), b->n, f) == b->n &&
		     fwrite(b->w, sizeof(*b->w), b->n, f) == b->n;
	}
	ok = ok && fwrite(m->pts, sizeof(*m->pts), m->npts, f) == m->npts;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : ERR_INTERNAL;
}

int executor_load(struct executor_model *m, const char *path)
{
	executor_release(m);
	executor_init(m);
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	char magic[8];
	double hdr[5];
	uint64_t cnt[4];
	int rc = ERR_INVALID;
	if (fread(magic, sizeof(magic), 1, f) != 1 ||
	    memcmp(magic, exec_magic, sizeof(magic)) != 0 || fread(hdr, sizeof(hdr), 1, f) != 1 ||
	    fread(cnt, sizeof(cnt), 1, f) != 1 || cnt[0] > 1000000 || cnt[1] > 100000000 ||
	    cnt[2] > 1000000000)
		goto out;
	m->halflife_days = hdr[0];
	m->t0 = hdr[1];
	m->geo_radius_m = hdr[2];
	m->geo_weight = hdr[3];
	m->generic_weight = hdr[4];
	m->tmax = (int64_t)cnt[3];
	for (uint64_t i = 0; i < cnt[0]; i++) {
		uint32_t l;
		if (fread(&l, sizeof(l), 1, f) != 1 || l > 4096)
			goto out;
		char *s = xmalloc(l + 1);
		int got = fread(s, 1, l, f) == l;
		s[l] = '\0';
		if (got) {
			if (m->nnames + 1 > m->names_cap)
				m->names = xgrow(m->names, sizeof(*m->names), m->nnames + 1,
				                 &m->names_cap);
			m->names[m->nnames++] = s;
		} else {
			free(s);
			goto out;
		}
	}
	for (uint64_t i = 0; i < cnt[1]; i++) {
		uint64_t k;
		uint32_t n;
		if (fread(&k, sizeof(k), 1, f) != 1 || fread(&n, sizeof(n), 1, f) != 1 ||
		    n > cnt[0] || !k)
			goto out;
		struct executor_bag *b = bag_put(m, k);
		b->cap = n ? n : 1;
		b->ids = xrealloc(b->ids, b->cap * sizeof(*b->ids));
		b->w = xrealloc(b->w, b->cap * sizeof(*b->w));
		b->n = n;
		if (fread(b->ids, sizeof(*b->ids), n, f) != n ||
		    fread(b->w, sizeof(*b->w), n, f) != n)
			goto out;
		for (uint32_t j = 0; j < n; j++)
			if (b->ids[j] >= cnt[0])
				goto out;
	}
	if (cnt[2]) {
		m->pts = xmalloc(cnt[2] * sizeof(*m->pts));
		m->pts_cap = cnt[2];
		if (fread(m->pts, sizeof(*m->pts), cnt[2], f) != cnt[2])
			goto out;
	}
	m->npts = cnt[2];
	for (size_t i = 0; i < m->npts; i++) {
		if (m->pts[i].body >= cnt[0])
			goto out;
		geo_grid_add(&m->grid, m->pts[i].tag, m->pts[i].lat, m->pts[i].lon, (uint32_t)i);
	}
	rc = 0;
out:
	fclose(f);
	if (rc) {
		executor_release(m);
		executor_init(m);
	}
	return rc;
}
