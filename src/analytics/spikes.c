/* spikes.c: the spike detector. Per problem, per topic x place cell and per topic x territory
 * it keeps an exponentially decayed count (the baseline rate) and, for problems, the recent
 * appeals; each new appeal compares the distinct sources in the recent windows with the count
 * the baseline expects (Poisson tail) and raises at most one alarm per problem and place per
 * episode. */
#include "analytics/spikes.h"
#include "core/err.h"
#include "core/mem.h"
#include "text/geo.h"
#include "text/tokenize.h"
#include "text/features.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PROBLEM   1ull
#define KEY_CELL      2ull
#define KEY_TERRITORY 3ull
#define TERR_HOURS    48
#define SWEEP_EVERY   4096
#define M_PER_DEG     111320.0

struct spike_event {
	int64_t t, appeal_id, author;
	double lat, lon;
	uint32_t sk[SPIKE_SKETCH];
	bool has_sk;
};

struct spike_key {
	uint64_t key;
	double acc;     /* decayed count as of acc_at */
	int64_t acc_at; /* seconds */
	int64_t first, last;
	int64_t alarm_at;         /* the last alarm (0 = none) */
	bool alarmed;             /* the current episode has alarmed (problems) */
	struct spike_event *ring; /* problems: recent appeals, oldest first */
	uint32_t rn;
	uint32_t *hours; /* territories: appeals per hour, hours[h % TERR_HOURS] */
	int64_t hour_at; /* the newest hour counted */
};

struct spike_params spike_params_default(void)
{
	return (struct spike_params){
	    .window_h = {2, 6, 24, 0},
	    .min_count = {3, 4, 6, 0},
	    .alpha = 1e-3,
	    .ratio = 3,
	    .dup_sim = 0.3,
	    .point_min = 0,
	    .halflife_days = 14,
	    .floor_per_day = 0.01,
	    .place_share = 0.35,
	    .cell_m = 150,
	    .episode_h = 24,
	    .terr_window_h = 24,
	    .terr_min = 40,
	    .terr_alpha = 1e-6,
	    .terr_ratio = 5,
	    .max_keys = 1000000,
	};
}

const char spike_params_help[] =
    "  w1..w4 H      problem windows in hours (0 = unused); min1..min4 N: sources needed\n"
    "  alpha X       Poisson tail needed; ratio X: observed >= ratio * expected\n"
    "  dup X         sketch agreement making two texts one source (0 = off)\n"
    "  point MIN     same exact point within MIN minutes = one source (0 = off)\n"
    "  halflife D    baseline half-life (days); floor X: least expected appeals per day\n"
    "  share X       share of the 3x3 cells' rate that is the place; cell M: cell size\n"
    "  episode H     one alarm per problem and place until quiet for H hours\n"
    "  terr_w H      topic x territory window (0 = off); terr_min N; terr_alpha X; "
    "terr_ratio X\n"
    "  max_keys N    remembered keys\n";

int spike_params_set(struct spike_params *p, const char *name, const char *value)
{
	char *end;
	double v = strtod(value, &end);
	if (end == value || *end || !isfinite(v) || v < 0)
		return ERR_INVALID;
	if (strlen(name) == 2 && name[0] == 'w' && name[1] >= '1' && name[1] <= '4')
		p->window_h[name[1] - '1'] = v;
	else if (strlen(name) == 4 && !strncmp(name, "min", 3) && name[3] >= '1' && name[3] <= '4')
		p->min_count[name[3] - '1'] = (unsigned)v;
	else if (!strcmp(name, "alpha"))
		p->alpha = v;
	else if (!strcmp(name, "ratio"))
		p->ratio = v;
	else if (!strcmp(name, "dup"))
		p->dup_sim = v;
	else if (!strcmp(name, "point"))
		p->point_min = v;
	else if (!strcmp(name, "halflife"))
		p->halflife_days = v;
	else if (!strcmp(name, "floor"))
		p->floor_per_day = v;
	else if (!strcmp(name, "share"))
		p->place_share = v;
	else if (!strcmp(name, "cell"))
		p->cell_m = v;
	else if (!strcmp(name, "episode"))
		p->episode_h = v;
	else if (!strcmp(name, "terr_w"))
		p->terr_window_h = v;
	else if (!strcmp(name, "terr_min"))
		p->terr_min = (unsigned)v;
	else if (!strcmp(name, "terr_alpha"))
		p->terr_alpha = v;
	else if (!strcmp(name, "terr_ratio"))
		p->terr_ratio = v;
	else if (!strcmp(name, "max_keys"))
		p->max_keys = (size_t)v;
	else
		return ERR_INVALID;
	return 0;
}

/* --- helpers ----------------------------------------------------------------------------- */

double spike_poisson_tail(unsigned k, double lambda)
{
	if (k == 0)
		return 1;
	if (lambda <= 0)
		return 0;
	/* 1 - P(X < k), summed from the small side when lambda is small (no cancellation) */
	double term = exp(-lambda), below = 0;
	for (unsigned i = 0; i < k; i++) {
		below += term;
		term *= lambda / (i + 1);
	}
	if (below < 0.5)
		return 1 - below;
	/* upper tail directly: term is P(X = k) now */
	double tail = 0;
	for (unsigned i = k; i < k + 200; i++) {
		tail += term;
		term *= lambda / (i + 1);
		if (term < tail * 1e-12)
			break;
	}
	return tail;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

void spike_sketch(const char *text, size_t len, uint32_t out[SPIKE_SKETCH])
{
	for (int k = 0; k < SPIKE_SKETCH; k++)
		out[k] = UINT32_MAX;
	struct text_doc doc;
	text_doc_init(&doc);
	if (text_tokenize(&doc, text, len) == 0)
		for (size_t i = 0; i < doc.ntoks; i++) {
			const struct text_token *t = &doc.toks[i];
			if (t->kind == TEXT_TOK_MASK || t->stop)
				continue;
			uint64_t h = text_hash(doc.norm + t->off, t->len, 0x5eed);
			for (int k = 0; k < SPIKE_SKETCH; k++) {
				uint32_t v = (uint32_t)mix64(h + 0x9E3779B97F4A7C15ull * (k + 1));
				if (v == UINT32_MAX)
					v--;
				if (v < out[k])
					out[k] = v;
			}
		}
	text_doc_release(&doc);
}

static double sketch_sim(const uint32_t *a, const uint32_t *b)
{
	if (a[0] == UINT32_MAX || b[0] == UINT32_MAX)
		return 0;
	int same = 0;
	for (int k = 0; k < SPIKE_SKETCH; k++)
		same += a[k] == b[k];
	return (double)same / SPIKE_SKETCH;
}

static double tau_s(const struct spikes *d)
{
	return d->p.halflife_days * 86400.0 / M_LN2;
}

static double decayed(const struct spikes *d, const struct spike_key *k, int64_t t)
{
	if (!k || t <= k->acc_at)
		return k ? k->acc : 0;
	return k->acc * exp(-(double)(t - k->acc_at) / tau_s(d));
}

static void acc_add(const struct spikes *d, struct spike_key *k, int64_t t)
{
	k->acc = decayed(d, k, t) + 1;
	k->acc_at = t > k->acc_at ? t : k->acc_at;
}

/* Events per second a decayed count stands for, given how long the detector has watched. */
static double rate_of(const struct spikes *d, double acc, int64_t t)
{
	double span = (double)(t - d->t0);
	double tau = tau_s(d);
	if (span < 86400)
		span = 86400;
	return acc / (span < tau ? span : tau);
}

/* --- the key map ------------------------------------------------------------------------- */

static size_t map_slot(const struct spike_map *m, uint64_t key)
{
	size_t i = (size_t)mix64(key) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void map_put(struct spike_map *m, uint64_t key, uint32_t slot);

static void map_resize(struct spike_map *m, size_t cap)
{
	struct spike_map old = *m;
	m->cap = cap;
	m->keys = xcalloc(cap, sizeof(*m->keys));
	m->slot = xcalloc(cap, sizeof(*m->slot));
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			map_put(m, old.keys[i], old.slot[i]);
	free(old.keys);
	free(old.slot);
}

static void map_put(struct spike_map *m, uint64_t key, uint32_t slot)
{
	size_t i = map_slot(m, key);
	m->keys[i] = key;
	m->slot[i] = slot;
}

static struct spike_key *key_find(struct spikes *d, uint64_t key)
{
	size_t i = map_slot(&d->map, key);
	return d->map.keys[i] ? &d->pool[d->map.slot[i]] : NULL;
}

static struct spike_key *key_get(struct spikes *d, uint64_t key, int64_t t)
{
	struct spike_key *k = key_find(d, key);
	if (k)
		return k;
	if ((d->n - d->nfree + 1) * 2 > d->map.cap)
		map_resize(&d->map, d->map.cap * 2);
	uint32_t slot;
	if (d->nfree)
		slot = d->free_list[--d->nfree];
	else {
		d->pool = xgrow(d->pool, sizeof(*d->pool), d->n + 1, &d->pool_cap);
		slot = (uint32_t)d->n++;
	}
	k = &d->pool[slot];
	memset(k, 0, sizeof(*k));
	k->key = key;
	k->acc_at = t;
	k->first = t;
	map_put(&d->map, key, slot);
	return k;
}

static void key_clear(struct spike_key *k)
{
	free(k->ring);
	free(k->hours);
	memset(k, 0, sizeof(*k));
}

static double longest_window_s(const struct spikes *d)
{
	double w = 0;
	for (int i = 0; i < SPIKE_WINDOWS; i++)
		if (d->p.window_h[i] > w)
			w = d->p.window_h[i];
	return w * 3600;
}

static int cmp_last(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Forgets keys whose baseline has decayed away and whose episode is over; when more than
 * max_keys remain, the least recently seen go too. Frees rings no window needs. */
static void sweep(struct spikes *d)
{
	int64_t t = d->now;
	double keep_s = longest_window_s(d);
	double ep_s = d->p.episode_h * 3600;
	if (ep_s > keep_s)
		keep_s = ep_s;
	int64_t cut_last = INT64_MIN;
	size_t live = d->n - d->nfree;
	if (live > d->p.max_keys) { /* the (live - max_keys * 3/4)-th oldest `last` */
		int64_t *lasts = xmalloc(live * sizeof(*lasts));
		size_t m = 0;
		for (size_t i = 0; i < d->n; i++)
			if (d->pool[i].key)
				lasts[m++] = d->pool[i].last;
		qsort(lasts, m, sizeof(*lasts), cmp_last);
		cut_last = lasts[m - d->p.max_keys * 3 / 4];
		free(lasts);
	}
	bool removed = false;
	for (size_t i = 0; i < d->n; i++) {
		struct spike_key *k = &d->pool[i];
		if (!k->key)
			continue;
		bool quiet = (double)(t - k->last) > keep_s;
		if ((quiet && decayed(d, k, t) < 0.05) || k->last < cut_last) {
			key_clear(k);
			d->free_list =
			    xgrow(d->free_list, sizeof(*d->free_list), d->nfree + 1, &d->free_cap);
			d->free_list[d->nfree++] = (uint32_t)i;
			removed = true;
		} else if (quiet && k->ring) {
			free(k->ring);
			k->ring = NULL;
			k->rn = 0;
		}
	}
	if (removed) { /* rebuild the map without the removed keys */
		size_t cap = d->map.cap;
		free(d->map.keys);
		free(d->map.slot);
		d->map.keys = xcalloc(cap, sizeof(*d->map.keys));
		d->map.slot = xcalloc(cap, sizeof(*d->map.slot));
		for (size_t i = 0; i < d->n; i++)
			if (d->pool[i].key)
				map_put(&d->map, d->pool[i].key, (uint32_t)i);
	}
	d->swept_at = t;
}

int spikes_init(struct spikes *d, const struct spike_params *p)
{
	memset(d, 0, sizeof(*d));
	if (!(p->cell_m > 0) || !(p->halflife_days > 0) || !(p->alpha > 0) || p->max_keys < 16)
		return ERR_INVALID;
	d->p = *p;
	d->map.cap = 1024;
	d->map.keys = xcalloc(d->map.cap, sizeof(*d->map.keys));
	d->map.slot = xcalloc(d->map.cap, sizeof(*d->map.slot));
	return 0;
}

void spikes_release(struct spikes *d)
{
	for (size_t i = 0; i < d->n; i++)
		key_clear(&d->pool[i]);
	free(d->pool);
	free(d->free_list);
	free(d->map.keys);
	free(d->map.slot);
	memset(d, 0, sizeof(*d));
}

size_t spikes_size(const struct spikes *d)
{
	return d->n - d->nfree;
}

/* --- keys of an appeal --------------------------------------------------------------------- */

static uint64_t key_problem(int64_t id)
{
	return KEY_PROBLEM << 60 | ((uint64_t)id & 0x0fffffffffffffffull);
}

static uint64_t key_hashed(uint64_t type, int64_t a, int64_t b, int64_t c)
{
	uint64_t h = mix64((uint64_t)a * 0x9E3779B97F4A7C15ull ^ mix64((uint64_t)b + 7) ^
	                   mix64((uint64_t)c * 31 + 3));
	return type << 60 | (h & 0x0fffffffffffffffull) | 1;
}

static void cell_of(const struct spikes *d, double lat, double lon, int64_t *cy, int64_t *cx)
{
	*cy = (int64_t)floor(lat * M_PER_DEG / d->p.cell_m);
	double row_lat = ((double)*cy + 0.5) * d->p.cell_m / M_PER_DEG;
	*cx = (int64_t)floor(lon * M_PER_DEG * cos(row_lat * M_PI / 180) / d->p.cell_m);
}

/* --- the reason text ----------------------------------------------------------------------- */

static const char *msgs(int n)
{
	int a = n % 100, b = n % 10;
	if (a >= 11 && a <= 14)
		return "сообщений";
	if (b == 1)
		return "сообщение";
	if (b >= 2 && b <= 4)
		return "сообщения";
	return "сообщений";
}

/* "0,4", "2,1", "12", "менее 0,01" */
static void fmt_expected(double x, char *out, size_t cap)
{
	if (x < 0.01)
		snprintf(out, cap, "менее 0,01");
	else if (x < 0.1)
		snprintf(out, cap, "%.2f", x);
	else if (x < 10)
		snprintf(out, cap, "%.1f", x);
	else
		snprintf(out, cap, "%.0f", x);
	for (char *c = out; *c; c++)
		if (*c == '.')
			*c = ',';
}

static void fmt_reason(struct spike_alarm *a, const char *prefix)
{
	char ex[32], win[32];
	fmt_expected(a->expected, ex, sizeof(ex));
	if (a->window_min % 60 == 0)
		snprintf(win, sizeof(win), "%d ч", a->window_min / 60);
	else
		snprintf(win, sizeof(win), "%d мин", a->window_min);
	snprintf(a->reason, sizeof(a->reason), "%s%d %s за %s при ожидаемых %s", prefix,
	         a->observed, msgs(a->observed), win, ex);
}

/* --- observing ----------------------------------------------------------------------------- */

static bool same_source(const struct spikes *d, const struct spike_event *a,
                        const struct spike_event *b)
{
	if (a->author && a->author == b->author)
		return true;
	if (d->p.dup_sim > 0 && a->has_sk && b->has_sk && sketch_sim(a->sk, b->sk) >= d->p.dup_sim)
		return true;
	if (d->p.point_min > 0 && !isnan(a->lat) && !isnan(b->lat) &&
	    llabs(a->t - b->t) <= (int64_t)(d->p.point_min * 60) &&
	    geo_dist_m(a->lat, a->lon, b->lat, b->lon) < 1.0)
		return true;
	return false;
}

/* Adds the appeal to the problem's ring (keeping only what the longest window needs). */
static void ring_add(struct spikes *d, struct spike_key *k, const struct spike_obs *o, int64_t t)
{
	if (!k->ring)
		k->ring = xmalloc(SPIKE_RING * sizeof(*k->ring));
	double keep = longest_window_s(d);
	uint32_t drop = 0;
	while (drop < k->rn && (double)(t - k->ring[drop].t) >= keep)
		drop++;
	if (k->rn - drop == SPIKE_RING)
		drop++;
	if (drop) {
		memmove(k->ring, k->ring + drop, (k->rn - drop) * sizeof(*k->ring));
		k->rn -= drop;
	}
	struct spike_event *e = &k->ring[k->rn++];
	e->t = t;
	e->appeal_id = o->appeal_id;
	e->author = o->author_id;
	e->lat = o->lat;
	e->lon = o->lon;
	e->has_sk = o->sketch != NULL;
	if (o->sketch)
		memcpy(e->sk, o->sketch, sizeof(e->sk));
}

/* Place suppression: a topic alarm within the 3x3 cells during the episode. */
static bool place_alarmed(struct spikes *d, int64_t topic, int64_t cy, int64_t cx, int64_t t)
{
	for (int dy = -1; dy <= 1; dy++)
		for (int dx = -1; dx <= 1; dx++) {
			struct spike_key *c =
			    key_find(d, key_hashed(KEY_CELL, topic, cy + dy, cx + dx));
			if (c && c->alarm_at && (double)(t - c->alarm_at) < d->p.episode_h * 3600)
				return true;
		}
	return false;
}

static double place_acc(struct spikes *d, int64_t topic, int64_t cy, int64_t cx, int64_t t)
{
	double s = 0;
	for (int dy = -1; dy <= 1; dy++)
		for (int dx = -1; dx <= 1; dx++)
			s += decayed(d, key_find(d, key_hashed(KEY_CELL, topic, cy + dy, cx + dx)),
			             t);
	return s;
}

static void alarm_base(struct spike_alarm *a, const struct spike_obs *o, int64_t t)
{
	memset(a, 0, sizeof(*a));
	a->problem_id = o->problem_id;
	a->topic_id = o->topic_id;
	a->category_id = o->category_id;
	a->territory_id = o->territory_id;
	a->lat = o->lat;
	a->lon = o->lon;
	a->at = t;
	a->first_at = t;
}

/* The problem test: returns true and fills *a when the recent windows are improbable. */
static bool problem_test(struct spikes *d, struct spike_key *pk, const struct spike_obs *o,
                         int64_t t, bool has_place, int64_t cy, int64_t cx, struct spike_alarm *a)
{
	const struct spike_event *r = pk->ring;
	uint32_t n = pk->rn;
	double best = 2, best_lambda = 0;
	int best_w = -1;
	unsigned best_n = 0;
	double pacc = decayed(d, pk, t);
	double cacc = has_place ? place_acc(d, o->topic_id, cy, cx, t) : 0;
	for (int w = 0; w < SPIKE_WINDOWS; w++) {
		double ws = d->p.window_h[w] * 3600;
		if (ws <= 0 || !d->p.min_count[w])
			continue;
		unsigned raw = 0, sources = 0;
		for (uint32_t i = 0; i < n; i++) {
			if ((double)(t - r[i].t) >= ws)
				continue;
			raw++;
			bool rep = false;
			for (uint32_t j = 0; j < i && !rep; j++)
				rep = (double)(t - r[j].t) < ws && same_source(d, &r[i], &r[j]);
			sources += !rep; /* a source unless it repeats an earlier appeal */
		}
		if (sources < d->p.min_count[w])
			continue;
		/* the baselines without the appeals being tested */
		double pb = pacc - raw > 0 ? pacc - raw : 0;
		double cb = cacc - raw > 0 ? (cacc - raw) * d->p.place_share : 0;
		double rate = rate_of(d, pb > cb ? pb : cb, t);
		if (rate < d->p.floor_per_day / 86400)
			rate = d->p.floor_per_day / 86400;
		double lambda = rate * ws;
		if (sources < d->p.ratio * lambda)
			continue;
		double tail = spike_poisson_tail(sources, lambda);
		if (tail < d->p.alpha && tail < best) {
			best = tail;
			best_w = w;
			best_lambda = lambda;
			best_n = sources;
		}
	}
	if (best_w < 0)
		return false;
	double ws = d->p.window_h[best_w] * 3600;
	alarm_base(a, o, t);
	a->kind = (double)(t - pk->first) < ws ? SPIKE_NEW : SPIKE_SPIKE;
	a->observed = (int)best_n;
	a->expected = best_lambda;
	a->window_min = (int)lround(ws / 60);
	double slat = 0, slon = 0;
	int np = 0;
	for (uint32_t i = 0; i < n; i++) {
		if ((double)(t - r[i].t) >= ws)
			continue;
		if (a->nids == 0)
			a->first_at = r[i].t;
		if (a->nids < SPIKE_MAX_IDS)
			a->appeal_ids[a->nids++] = r[i].appeal_id;
		if (!isnan(r[i].lat)) {
			slat += r[i].lat;
			slon += r[i].lon;
			np++;
		}
	}
	if (np) {
		a->lat = slat / np;
		a->lon = slon / np;
	}
	fmt_reason(a, a->kind == SPIKE_NEW ? "Новая проблема: " : "");
	return true;
}

/* The topic x territory test on hourly counts. */
static bool territory_test(struct spikes *d, struct spike_key *tk, const struct spike_obs *o,
                           int64_t t, struct spike_alarm *a)
{
	int64_t hour = t / 3600;
	if (!tk->hours) {
		tk->hours = xcalloc(TERR_HOURS, sizeof(*tk->hours));
		tk->hour_at = hour;
	}
	for (int64_t h = tk->hour_at + 1; h <= hour && h <= tk->hour_at + TERR_HOURS; h++)
		tk->hours[h % TERR_HOURS] = 0;
	if (hour > tk->hour_at)
		tk->hour_at = hour;
	tk->hours[tk->hour_at % TERR_HOURS]++;
	if (d->p.terr_window_h <= 0)
		return false;
	int wh = (int)ceil(d->p.terr_window_h);
	if (wh > TERR_HOURS)
		wh = TERR_HOURS;
	unsigned n = 0;
	for (int i = 0; i < wh; i++)
		n += tk->hours[(tk->hour_at - i) % TERR_HOURS];
	if (n < d->p.terr_min)
		return false;
	if (tk->alarm_at && (double)(t - tk->alarm_at) < d->p.episode_h * 3600)
		return false;
	double acc = decayed(d, tk, t) - n;
	double lambda = rate_of(d, acc > 0 ? acc : 0, t) * wh * 3600.0;
	if (n < d->p.terr_ratio * lambda || spike_poisson_tail(n, lambda) >= d->p.terr_alpha)
		return false;
	alarm_base(a, o, t);
	a->kind = SPIKE_SPIKE;
	a->observed = (int)n;
	a->expected = lambda;
	a->window_min = wh * 60;
	a->first_at = (tk->hour_at - wh + 1) * 3600;
	a->appeal_ids[a->nids++] = o->appeal_id;
	fmt_reason(a, "Рост по теме в районе: ");
	tk->alarm_at = t;
	return true;
}

size_t spikes_observe(struct spikes *d, const struct spike_obs *o, struct spike_alarm *out,
                      size_t max)
{
	int64_t t = o->at > d->now ? o->at : d->now;
	if (!d->nobs)
		d->t0 = t;
	d->now = t;
	d->nobs++;
	size_t na = 0;
	struct spike_alarm tmp;

	struct spike_key *pk = key_get(d, key_problem(o->problem_id), t);
	if (pk->last && (double)(t - pk->last) > d->p.episode_h * 3600)
		pk->alarmed = false; /* the problem was quiet: a new episode */
	bool has_place = geo_valid(o->lat, o->lon);
	int64_t cy = 0, cx = 0;
	struct spike_key *ck = NULL;
	if (has_place) {
		cell_of(d, o->lat, o->lon, &cy, &cx);
		ck = key_get(d, key_hashed(KEY_CELL, o->topic_id, cy, cx), t);
		acc_add(d, ck, t);
		ck->last = t;
	}
	pk = key_find(d, key_problem(o->problem_id)); /* the pool may have moved */
	ring_add(d, pk, o, t);
	acc_add(d, pk, t);
	pk->last = t;
	if (!pk->alarmed && !(has_place && place_alarmed(d, o->topic_id, cy, cx, t)) &&
	    problem_test(d, pk, o, t, has_place, cy, cx, &tmp)) {
		pk->alarmed = true;
		pk->alarm_at = t;
		if (has_place)
			key_find(d, key_hashed(KEY_CELL, o->topic_id, cy, cx))->alarm_at = t;
		if (out && na < max)
			out[na] = tmp;
		na++;
	}
	if (o->territory_id) {
		struct spike_key *tk =
		    key_get(d, key_hashed(KEY_TERRITORY, o->topic_id, o->territory_id, 0), t);
		acc_add(d, tk, t);
		tk->last = t;
		if (territory_test(d, tk, o, t, &tmp)) {
			if (out && na < max)
				out[na] = tmp;
			na++;
		}
	}
	if (d->nobs % SWEEP_EVERY == 0 || d->n - d->nfree > d->p.max_keys)
		sweep(d);
	return out ? (na < max ? na : max) : na;
}

void spikes_returned(struct spikes *d, const struct spike_obs *o, struct spike_alarm *out)
{
	int64_t t = o->at > d->now ? o->at : d->now;
	struct spike_key *pk = key_find(d, key_problem(o->problem_id));
	if (pk) {
		pk->alarmed = false;
		pk->alarm_at = t;
	}
	if (geo_valid(o->lat, o->lon)) { /* and of its place */
		int64_t cy, cx;
		cell_of(d, o->lat, o->lon, &cy, &cx);
		for (int dy = -1; dy <= 1; dy++)
			for (int dx = -1; dx <= 1; dx++) {
				struct spike_key *c = key_find(
				    d, key_hashed(KEY_CELL, o->topic_id, cy + dy, cx + dx));
				if (c)
					c->alarm_at = 0;
			}
	}
	spike_returned_alarm(o, out);
	out->at = t;
}

void spike_returned_alarm(const struct spike_obs *o, struct spike_alarm *out)
{
	int64_t t = o->at;
	alarm_base(out, o, t);
	out->kind = SPIKE_RETURNED;
	out->observed = 1;
	out->expected = 0;
	out->window_min = 0;
	out->appeal_ids[out->nids++] = o->appeal_id;
	snprintf(out->reason, sizeof(out->reason),
	         "Проблема вернулась: новое сообщение после того, как она была решена");
}
