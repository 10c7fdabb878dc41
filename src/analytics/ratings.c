/* ratings.c: the ratings' rules (docs/ratings.md): indicators, points, shrinkage, ranks. */
#include "analytics/ratings.h"
#include "core/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
const struct rating_indicator rating_indicators[RI_COUNT] = {
	[RI_REGIONAL_CONNECTED]     = {"regional_connected",     RG_CONNECTION,    "share",    0,   1,   60, false, true},
	[RI_REGIONAL_ACTIVE]        = {"regional_active",        RG_CONNECTION,    "share",    0,   1,   50, false, true},
	[RI_MUNICIPAL_CONNECTED]    = {"municipal_connected",    RG_CONNECTION,    "share",    0,   1,   50, false, true},
	[RI_MUNICIPAL_ACTIVE]       = {"municipal_active",       RG_CONNECTION,    "share",    0,   1,   40, false, true},
	[RI_SOCIAL_CONNECTED]       = {"social_connected",       RG_CONNECTION,    "share",    0,   1,   35, false, true},
	[RI_SOCIAL_ACTIVE]          = {"social_active",          RG_CONNECTION,    "share",    0,   1,   25, false, true},
	[RI_MUNICIPALITIES_COVERED] = {"municipalities_covered", RG_CONNECTION,    "share",    0,   1,   40, false, true},
	[RI_ON_TIME]                = {"on_time_share",          RG_APPEALS,       "share",    0.5, 1,   80, true,  true},
	[RI_MEDIAN_HOURS]           = {"median_review_hours",    RG_APPEALS,       "hours",    720, 24,  60, true,  true},
	[RI_AVG_HOURS]              = {"avg_review_hours",       RG_APPEALS,       "hours",    720, 24,  30, true,  true},
	[RI_FAST_ANSWERS]           = {"fast_answer_share",      RG_APPEALS,       "share",    0,   0.5, 30, true,  true},
	[RI_ANSWERED]               = {"answered_share",         RG_APPEALS,       "share",    0.5, 1,   50, true,  true},
	[RI_SATISFACTION]           = {"satisfaction",           RG_APPEALS,       "share",    0.2, 0.9, 80, true,  true},
	[RI_AVG_RATING]             = {"avg_rating",             RG_APPEALS,       "score",    1,   5,   40, true,  true},
	[RI_REREVIEW]               = {"rereview_share",         RG_APPEALS,       "share",    0.5, 0,   50, true,  true},
	[RI_LATE]                   = {"late_share",             RG_APPEALS,       "share",    0.3, 0,   50, true,  true},
	[RI_REDIRECT]               = {"redirect_share",         RG_APPEALS,       "share",    0.3, 0,   30, true,  true},
	[RI_RATED]                  = {"rated_share",            RG_APPEALS,       "share",    0,   0.6, 30, true,  true},
	[RI_REJECTED]               = {"rejected_share",         RG_APPEALS,       "share",    0.3, 0,   20, true,  true},
	[RI_SURVEYS]                = {"surveys",                RG_PARTICIPATION, "count",    0,   50,  40, false, false},
	[RI_VOTES]                  = {"votes",                  RG_PARTICIPATION, "count",    0,   10,  40, false, false},
	[RI_HEARINGS]               = {"hearings",               RG_PARTICIPATION, "count",    0,   20,  30, false, false},
	[RI_PARTICIPANTS]           = {"participants_per_1000",  RG_PARTICIPATION, "per_1000", 0,   50,  40, false, false},
};
/* clang-format on */

const char *const rating_group_keys[RG_COUNT] = {"connection", "appeals", "participation"};

int rating_indicator_find(const char *key)
{
	for (int i = 0; key && i < RI_COUNT; i++)
		if (!strcmp(rating_indicators[i].key, key))
			return i;
	return -1;
}

double rating_fraction(const struct rating_indicator *ind, double v)
{
	if (isnan(v) || ind->good == ind->bad)
		return 0;
	double f = (v - ind->bad) / (ind->good - ind->bad);
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

double rating_shrink(double v, double n, double prior, double m)
{
	if (n <= 0 || isnan(v))
		return m > 0 ? prior : NAN;
	if (isnan(prior) || m <= 0)
		return v;
	return (n * v + m * prior) / (n + m);
}

double rating_prior(const double *v, const double *n, size_t count, size_t stride)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < count; i++) {
		double vi = v[i * stride], ni = n[i * stride];
		if (ni > 0 && !isnan(vi)) {
			num += ni * vi;
			den += ni;
		}
	}
	return den > 0 ? num / den : NAN;
}

double rating_round(double v, double step)
{
	if (isnan(v) || step <= 0)
		return v;
	if (step < 1) {
		/* by the inverse: round(v * 10) / 10 is the double nearest to the decimal */
		double inv = round(1 / step);
		return round(v * inv) / inv;
	}
	return round(v / step) * step;
}

void rating_rank(const double *score, const bool *eligible, size_t n, double step, int *rank)
{
	/* O(n^2) is fine for the sizes ranked (85 regions, a few hundred bodies); it keeps the
	 * rule visible: a rank is 1 + the number of ranked entries with a strictly higher
	 * rounded score. */
	for (size_t i = 0; i < n; i++) {
		rank[i] = 0;
		if ((eligible && !eligible[i]) || isnan(score[i]))
			continue;
		double si = rating_round(score[i], step);
		int above = 0;
		for (size_t j = 0; j < n; j++) {
			if ((eligible && !eligible[j]) || isnan(score[j]))
				continue;
			if (rating_round(score[j], step) > si + step / 1000)
				above++;
		}
		rank[i] = above + 1;
	}
}

void rating_params_default(struct rating_params *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < RI_COUNT; i++)
		p->weights[i] = rating_indicators[i].weight;
	p->min_appeals = RATING_MIN_APPEALS;
	p->shrink = RATING_SHRINK;
}

int rating_weight_total(const struct rating_params *p)
{
	int total = 0;
	for (int i = 0; i < RI_COUNT; i++)
		if (rating_indicators[i].available)
			total += p->weights[i];
	return total;
}

void rating_regions_score(const struct rating_region_in *in, size_t n,
                          const struct rating_params *p, struct rating_region_out *out, double *avg)
{
	int total = rating_weight_total(p);
	bool *rated = xcalloc(n + 1, sizeof(bool));
	double *score = xcalloc(n + 1, sizeof(double));
	int *rank = xcalloc(n + 1, sizeof(int));
	for (size_t i = 0; i < n; i++)
		rated[i] = in[i].received >= p->min_appeals && in[i].received > 0;
	for (int k = 0; k < RI_COUNT; k++) {
		/* the prior: over the rated regions only (unrated ones are too small to trust) */
		double num = 0, den = 0;
		for (size_t i = 0; i < n; i++) {
			if (!rated[i] || in[i].sample[k] <= 0 || isnan(in[i].value[k]))
				continue;
			num += in[i].sample[k] * in[i].value[k];
			den += in[i].sample[k];
		}
		avg[k] = den > 0 ? num / den : NAN;
	}
	for (size_t i = 0; i < n; i++) {
		struct rating_region_out *o = &out[i];
		memset(o, 0, sizeof(*o));
		o->rated = rated[i];
		double sum = 0;
		for (int k = 0; k < RI_COUNT; k++) {
			const struct rating_indicator *ind = &rating_indicators[k];
			double v = in[i].value[k], s = in[i].sample[k];
			if (s <= 0)
				v = NAN;
			o->shrunk[k] = ind->shrink ? rating_shrink(v, s, avg[k], p->shrink) : v;
			if (!ind->available || total <= 0) {
				o->points[k] = NAN;
				o->max_points[k] = 0;
				continue;
			}
			o->max_points[k] = RATING_SCALE * p->weights[k] / total;
			o->points[k] = o->max_points[k] * rating_fraction(ind, o->shrunk[k]);
			o->group_points[ind->group] += o->points[k];
			sum += o->points[k];
		}
		score[i] = rated[i] && total > 0 ? rating_round(sum, 1) : NAN;
		o->score = score[i];
	}
	rating_rank(score, rated, n, 1, rank);
	for (size_t i = 0; i < n; i++)
		out[i].rank = rank[i];
	free(rated);
	free(score);
	free(rank);
}

enum rating_trend rating_trend_of(const struct rating_region_out *now,
                                  const struct rating_region_out *before)
{
	if (!now->rated)
		return RT_NONE;
	if (!before || !before->rated)
		return RT_NEW;
	double d = now->score - before->score;
	return d > 0 ? RT_UP : d < 0 ? RT_DOWN : RT_SAME;
}

const char *rating_trend_name(enum rating_trend t)
{
	switch (t) {
	case RT_UP: return "up";
	case RT_DOWN: return "down";
	case RT_SAME: return "same";
	case RT_NEW: return "new";
	case RT_NONE: break;
	}
	return "none";
}

static double share(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : NAN;
}

static double mean2(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return (a + b) / 2;
}

/* Mean of the fractions of the known values, times 100; NAN when none is known. */
static double points100(const int *keys, const double *vals, size_t n)
{
	double sum = 0;
	int known = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(vals[i]))
			continue;
		sum += rating_fraction(&rating_indicators[keys[i]], vals[i]);
		known++;
	}
	return known ? 100.0 * sum / known : NAN;
}

void rating_bodies_score(const struct rating_counts *in, size_t n, int64_t min_sample, double m,
                         struct rating_body_score *out)
{
	int64_t ans = 0, ont = 0, rat = 0, sat = 0, rer = 0, rec = 0, red = 0;
	double med_num = 0, med_den = 0;
	for (size_t i = 0; i < n; i++) {
		ans += in[i].answered;
		ont += in[i].on_time;
		rat += in[i].rated;
		sat += in[i].satisfied;
		rer += in[i].rereview;
		if (in[i].redirected >= 0) {
			red += in[i].redirected;
			rec += in[i].received;
		}
		if (in[i].answered > 0 && !isnan(in[i].median_h)) {
			med_num += (double)in[i].answered * in[i].median_h;
			med_den += (double)in[i].answered;
		}
	}
	double p_on = share(ont, ans), p_sat = share(sat, rat), p_rer = share(rer, rat);
	double p_red = share(red, rec), p_med = med_den > 0 ? med_num / med_den : NAN;
	double *score = xcalloc(4 * n + 1, sizeof(double));
	bool *ranked = xcalloc(2 * n + 1, sizeof(bool));
	int *rank = xcalloc(n + 1, sizeof(int));
	double *speed = score + n, *quality = score + 2 * n, *load = score + 3 * n;
	bool *loaded = ranked + n;
	for (size_t i = 0; i < n; i++) {
		const struct rating_counts *c = &in[i];
		struct rating_body_score *o = &out[i];
		memset(o, 0, sizeof(*o));
		o->ranked = c->answered >= min_sample && c->answered > 0;
		o->on_time =
		    rating_shrink(share(c->on_time, c->answered), (double)c->answered, p_on, m);
		o->median_h = rating_shrink(c->median_h, (double)c->answered, p_med, m);
		o->satisfaction =
		    rating_shrink(share(c->satisfied, c->rated), (double)c->rated, p_sat, m);
		o->rereview =
		    rating_shrink(share(c->rereview, c->rated), (double)c->rated, p_rer, m);
		o->redirect = c->redirected < 0 ? NAN
		                                : rating_shrink(share(c->redirected, c->received),
		                                                (double)c->received, p_red, m);
		static const int sk[] = {RI_ON_TIME, RI_MEDIAN_HOURS};
		static const int qk[] = {RI_SATISFACTION, RI_REREVIEW, RI_REDIRECT};
		double sv[] = {o->on_time, o->median_h};
		double qv[] = {o->satisfaction, o->rereview, o->redirect};
		o->speed = points100(sk, sv, 2);
		o->quality = points100(qk, qv, 3);
		o->score = mean2(o->speed, o->quality);
		if (c->answered == 0) /* nothing of its own: no score, only the average */
			o->speed = o->quality = o->score = NAN;
		score[i] = o->score;
		speed[i] = o->speed;
		quality[i] = o->quality;
		ranked[i] = o->ranked;
		load[i] = (double)c->received;
		loaded[i] = c->received > 0;
	}
	rating_rank(score, ranked, n, 0.1, rank);
	for (size_t i = 0; i < n; i++)
		out[i].rank = rank[i];
	rating_rank(speed, ranked, n, 0.1, rank);
	for (size_t i = 0; i < n; i++)
		out[i].rank_speed = rank[i];
	rating_rank(quality, ranked, n, 0.1, rank);
	for (size_t i = 0; i < n; i++)
		out[i].rank_quality = rank[i];
	rating_rank(load, loaded, n, 1, rank);
	for (size_t i = 0; i < n; i++)
		out[i].rank_load = rank[i];
	free(score);
	free(ranked);
	free(rank);
}
