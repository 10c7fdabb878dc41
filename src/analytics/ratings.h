/* ratings.h: the rules of the ratings (docs/ratings.md) — the region rating's indicators and
 * their normalisation to points, shrinkage toward the average, the minimum sample, ranks with
 * ties, period comparison — and the scores of bodies and executors. Pure: no I/O, no store. */
#ifndef OTKLIK_ANALYTICS_RATINGS_H
#define OTKLIK_ANALYTICS_RATINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATING_SCALE       1000.0 /* the region score's maximum (the seeds: average 440 -> 464) */
#define RATING_MIN_APPEALS 20     /* default: appeals a region needs in a period to be rated */
#define RATING_SHRINK      20.0   /* default pseudo-count of the regions' shrinkage */
#define RATING_BODY_MIN    5      /* default: answers a body or executor needs to be ranked */
#define RATING_BODY_SHRINK 10.0   /* default pseudo-count of bodies' and executors' shrinkage */
#define RATING_WEIGHT_MAX  1000

enum rating_group { RG_CONNECTION, RG_APPEALS, RG_PARTICIPATION, RG_COUNT };

/* How a value becomes a fraction of the indicator's points: linear between `bad` (0) and
 * `good` (1), clamped. `good < bad` means lower is better. */
struct rating_indicator {
	const char *key;
	enum rating_group group;
	const char *unit; /* "share", "hours", "score", "count", "per_1000" */
	double bad, good;
	int weight;     /* default weight (points of RATING_SCALE when every indicator counts) */
	bool shrink;    /* shrunk toward the average of the rated regions */
	bool available; /* measured on this platform (false: "no data" for every region) */
};

enum rating_key {
	/* connection of bodies */
	RI_REGIONAL_CONNECTED,
	RI_REGIONAL_ACTIVE,
	RI_MUNICIPAL_CONNECTED,
	RI_MUNICIPAL_ACTIVE,
	RI_SOCIAL_CONNECTED,
	RI_SOCIAL_ACTIVE,
	RI_MUNICIPALITIES_COVERED,
	/* work with appeals */
	RI_ON_TIME,
	RI_MEDIAN_HOURS,
	RI_AVG_HOURS,
	RI_FAST_ANSWERS,
	RI_ANSWERED,
	RI_SATISFACTION,
	RI_AVG_RATING,
	RI_REREVIEW,
	RI_LATE,
	RI_REDIRECT,
	RI_RATED,
	RI_REJECTED,
	/* public participation */
	RI_SURVEYS,
	RI_VOTES,
	RI_HEARINGS,
	RI_PARTICIPANTS,
	RI_COUNT
};

extern const struct rating_indicator rating_indicators[RI_COUNT];
extern const char *const rating_group_keys[RG_COUNT];

/* Index of an indicator key, or -1. */
int rating_indicator_find(const char *key);
/* Fraction of the points for value v in [0, 1]; 0 for NAN. */
double rating_fraction(const struct rating_indicator *ind, double v);
/* Shrinkage: (n * v + m * prior) / (n + m). With n = 0 the prior; NAN when nothing is known
 * (n = 0 and the prior NAN, or n + m = 0). */
double rating_shrink(double v, double n, double prior, double m);
/* Sample-weighted mean of values (the prior): sum(n_i * v_i) / sum(n_i) over i with n_i > 0 and
 * v_i a number; NAN when there is none. */
double rating_prior(const double *v, const double *n, size_t count, size_t stride);

/* Ranks with ties: scores are compared rounded to `step` (1 point for regions, 0.1 for bodies);
 * equal rounded scores share a rank and the next rank skips ("1, 2, 2, 4"). Entries with
 * eligible[i] false or a NAN score get rank 0 (not ranked). */
void rating_rank(const double *score, const bool *eligible, size_t n, double step, int *rank);
/* Rounds to the step (half away from zero); NAN stays NAN. */
double rating_round(double v, double step);

/* One region in one period: per indicator its value (NAN = no data) and sample (the count
 * behind it: appeals or bodies; 0 = none), whether it received enough appeals to be rated. */
struct rating_region_in {
	double value[RI_COUNT];
	double sample[RI_COUNT];
	int64_t received;
};
struct rating_region_out {
	bool rated;
	double shrunk[RI_COUNT]; /* the value used for the points (after shrinkage) */
	double points[RI_COUNT]; /* of RATING_SCALE; 0 for no data */
	double max_points[RI_COUNT];
	double group_points[RG_COUNT];
	double score; /* rounded to whole points; NAN when not rated */
	int rank;     /* 0 = not rated */
};
struct rating_params {
	int weights[RI_COUNT];
	int64_t min_appeals;
	double shrink;
};
/* The defaults: weights of rating_indicators, RATING_MIN_APPEALS, RATING_SHRINK. */
void rating_params_default(struct rating_params *p);
/* Sum of the weights of the available indicators (the divisor of the scale). */
int rating_weight_total(const struct rating_params *p);

/* Scores and ranks n regions of one period. The prior of each shrunk indicator is the
 * sample-weighted mean over the rated regions (so one region with three fast answers is pulled
 * toward the average); the averages are written to avg (RI_COUNT). An indicator not available
 * on the platform is left out of the maximum; an available one without data earns 0. */
void rating_regions_score(const struct rating_region_in *in, size_t n,
                          const struct rating_params *p, struct rating_region_out *out,
                          double *avg);

/* Comparison of a region's two periods. */
enum rating_trend { RT_NONE, RT_UP, RT_DOWN, RT_SAME, RT_NEW };
/* RT_NONE when not rated now; RT_NEW when rated now but not before; else by the rounded
 * scores. */
enum rating_trend rating_trend_of(const struct rating_region_out *now,
                                  const struct rating_region_out *before);
const char *rating_trend_name(enum rating_trend t);

/* A body or an executor in one period. median_h: median review hours (NAN when no answers);
 * redirected < 0 when not known (executors). */
struct rating_counts {
	int64_t received, answered, on_time, rated, satisfied, rereview, redirected;
	double median_h;
};
struct rating_body_score {
	bool ranked;                                                /* answered >= min_sample */
	double on_time, median_h, satisfaction, rereview, redirect; /* shrunk; NAN = unknown */
	double speed, quality, score;                               /* 0..100; NAN = unknown */
	int rank, rank_speed, rank_quality, rank_load;
};
/* Scores and ranks n bodies (or executors) of one period: every share shrunk toward the
 * pooled value of the n with pseudo-count m; speed = mean of the on-time and median points,
 * quality = mean of satisfaction, re-review and redirect points, score = their mean. Ranked
 * only with at least min_sample answers; load ranks by received (most first, no minimum). */
void rating_bodies_score(const struct rating_counts *in, size_t n, int64_t min_sample, double m,
                         struct rating_body_score *out);

#endif
