/* test_ratings.c: the ranking rules of analytics/ratings.c — shrinkage and the minimum sample,
 * ties, empty periods, weights and the points scale, period comparison. */
#include <criterion/criterion.h>

#include "analytics/ratings.h"

#include <math.h>
#include <string.h>

static struct rating_counts body(int64_t answered, int64_t on_time, double median_h, int64_t rated,
                                 int64_t satisfied)
{
	struct rating_counts c = {.received = answered,
	                          .answered = answered,
	                          .on_time = on_time,
	                          .rated = rated,
	                          .satisfied = satisfied,
	                          .rereview = rated - satisfied,
	                          .redirected = 0,
	                          .median_h = answered ? median_h : NAN};
	return c;
}

Test(ratings, shrink_formula)
{
	cr_expect_float_eq(rating_shrink(1.0, 1, 0.5, 10), (1.0 + 5.0) / 11, 1e-12);
	cr_expect_float_eq(rating_shrink(0.9, 0, 0.5, 10), 0.5, 1e-12, "no sample: the prior");
	cr_expect_float_eq(rating_shrink(0.9, 100, 0.5, 0), 0.9, 1e-12, "m = 0: no shrinkage");
	cr_expect(isnan(rating_shrink(NAN, 0, NAN, 10)), "nothing known");
	/* the more answers, the closer to the own value */
	cr_expect_gt(rating_shrink(1.0, 100, 0.5, 10), rating_shrink(1.0, 5, 0.5, 10));
}

Test(ratings, one_quick_answer_does_not_top_the_list)
{
	struct rating_counts in[] = {
	    body(1, 1, 1, 1, 1),      /* one answer within the hour, rated 5 */
	    body(60, 57, 20, 40, 34), /* a steady body */
	    body(40, 20, 300, 30, 9), /* a slow body */
	};
	struct rating_body_score out[3];
	rating_bodies_score(in, 3, 5, 10, out);
	cr_expect_not(out[0].ranked, "below the minimum sample: not ranked");
	cr_expect_eq(out[0].rank, 0);
	cr_expect_eq(out[1].rank, 1);
	cr_expect_eq(out[2].rank, 2);
	/* even with no minimum, shrinkage keeps the single answer below the steady body */
	rating_bodies_score(in, 3, 1, 10, out);
	cr_expect(out[0].ranked);
	cr_expect_eq(out[1].rank, 1, "steady body first, got %d (quick one %d)", out[1].rank,
	             out[0].rank);
	cr_expect_gt(out[0].rank, 1);
	/* without shrinkage the single answer would win: the rule is what prevents it */
	rating_bodies_score(in, 3, 1, 0, out);
	cr_expect_eq(out[0].rank, 1);
}

Test(ratings, ties_share_a_rank)
{
	double score[] = {900.4, 850, 899.6, 700, NAN};
	bool ok[] = {true, true, true, true, true};
	int rank[5];
	rating_rank(score, ok, 5, 1, rank);
	/* 900.4 and 899.6 both round to 900: the same rank, and the next one skips */
	cr_expect_eq(rank[0], 1);
	cr_expect_eq(rank[2], 1);
	cr_expect_eq(rank[1], 3);
	cr_expect_eq(rank[3], 4);
	cr_expect_eq(rank[4], 0, "no score: not ranked");
	/* bodies compare to a tenth */
	double b[] = {91.24, 91.16, 91.21};
	rating_rank(b, NULL, 3, 0.1, rank);
	cr_expect_eq(rank[0], 1);
	cr_expect_eq(rank[1], 1);
	cr_expect_eq(rank[2], 1);
	double c[] = {91.24, 91.36};
	rating_rank(c, NULL, 2, 0.1, rank);
	cr_expect_eq(rank[0], 2);
	cr_expect_eq(rank[1], 1);
	/* ineligible entries do not push others down */
	double d[] = {10, 20, 30};
	bool e[] = {true, true, false};
	rating_rank(d, e, 3, 1, rank);
	cr_expect_eq(rank[1], 1);
	cr_expect_eq(rank[0], 2);
	cr_expect_eq(rank[2], 0);
}

static void region(struct rating_region_in *in, int64_t received, double on_time, double sat)
{
	memset(in, 0, sizeof(*in));
	for (int k = 0; k < RI_COUNT; k++)
		in->value[k] = NAN;
	in->received = received;
	in->value[RI_ON_TIME] = on_time;
	in->sample[RI_ON_TIME] = (double)received;
	in->value[RI_SATISFACTION] = sat;
	in->sample[RI_SATISFACTION] = (double)received / 2;
	in->value[RI_REGIONAL_CONNECTED] = 1;
	in->sample[RI_REGIONAL_CONNECTED] = 4;
}

Test(ratings, empty_period_rates_nobody)
{
	struct rating_region_in in[3];
	for (int i = 0; i < 3; i++)
		region(&in[i], 0, NAN, NAN);
	struct rating_region_out out[3];
	struct rating_params p;
	rating_params_default(&p);
	double avg[RI_COUNT];
	rating_regions_score(in, 3, &p, out, avg);
	for (int i = 0; i < 3; i++) {
		cr_expect_not(out[i].rated);
		cr_expect_eq(out[i].rank, 0);
		cr_expect(isnan(out[i].score));
		cr_expect_eq(rating_trend_of(&out[i], &out[i]), RT_NONE);
	}
	cr_expect(isnan(avg[RI_ON_TIME]), "no average without rated regions");
	/* nothing at all: no regions */
	rating_regions_score(in, 0, &p, out, avg);
	/* bodies with no answers: no scores, no ranks */
	struct rating_counts z[2] = {body(0, 0, 0, 0, 0), body(0, 0, 0, 0, 0)};
	struct rating_body_score bs[2];
	rating_bodies_score(z, 2, 5, 10, bs);
	for (int i = 0; i < 2; i++) {
		cr_expect_eq(bs[i].rank, 0);
		cr_expect(isnan(bs[i].score));
		cr_expect_eq(bs[i].rank_load, 0);
	}
}

Test(ratings, minimum_appeals_of_a_region)
{
	struct rating_region_in in[2];
	region(&in[0], RATING_MIN_APPEALS - 1, 1.0, 0.9);
	region(&in[1], RATING_MIN_APPEALS, 0.6, 0.5);
	struct rating_region_out out[2];
	struct rating_params p;
	rating_params_default(&p);
	double avg[RI_COUNT];
	rating_regions_score(in, 2, &p, out, avg);
	cr_expect_not(out[0].rated, "19 appeals: not rated");
	cr_expect(out[1].rated);
	cr_expect_eq(out[1].rank, 1);
	/* the prior comes from rated regions only */
	cr_expect_float_eq(avg[RI_ON_TIME], 0.6, 1e-9);
	/* the small region is still shrunk toward it (shown, not ranked) */
	cr_expect_lt(out[0].shrunk[RI_ON_TIME], 1.0);
}

Test(ratings, weights_and_scale)
{
	struct rating_params p;
	rating_params_default(&p);
	/* participation is not measured yet: left out of the maximum, the scale stays 1000 */
	double max = 0;
	struct rating_region_in in[2];
	region(&in[0], 100, 1.0, 0.2); /* fast, unhappy */
	region(&in[1], 100, 0.5, 0.9); /* slow, happy */
	struct rating_region_out out[2];
	double avg[RI_COUNT];
	rating_regions_score(in, 2, &p, out, avg);
	for (int k = 0; k < RI_COUNT; k++)
		max += out[0].max_points[k];
	cr_expect_float_eq(max, RATING_SCALE, 1e-6);
	cr_expect_eq(out[0].max_points[RI_SURVEYS], 0);
	cr_expect(isnan(out[0].points[RI_SURVEYS]), "no data, not zero points");
	cr_expect_geq(out[0].score, 0);
	cr_expect_leq(out[0].score, RATING_SCALE);
	/* weight only speed: the fast region wins; only satisfaction: the happy one */
	memset(p.weights, 0, sizeof(p.weights));
	p.weights[RI_ON_TIME] = 100;
	rating_regions_score(in, 2, &p, out, avg);
	cr_expect_eq(out[0].rank, 1);
	cr_expect_eq(out[1].rank, 2);
	memset(p.weights, 0, sizeof(p.weights));
	p.weights[RI_SATISFACTION] = 100;
	rating_regions_score(in, 2, &p, out, avg);
	cr_expect_eq(out[1].rank, 1);
	cr_expect_eq(out[0].rank, 2);
	/* all weights zero: nothing can be scored */
	memset(p.weights, 0, sizeof(p.weights));
	cr_expect_eq(rating_weight_total(&p), 0);
	rating_regions_score(in, 2, &p, out, avg);
	cr_expect_eq(out[0].rank, 0);
	cr_expect_eq(out[1].rank, 0);
}

Test(ratings, normalisation_to_points)
{
	const struct rating_indicator *on = &rating_indicators[RI_ON_TIME];
	const struct rating_indicator *late = &rating_indicators[RI_LATE];
	const struct rating_indicator *hours = &rating_indicators[RI_MEDIAN_HOURS];
	cr_expect_float_eq(rating_fraction(on, 1.0), 1, 1e-12);
	cr_expect_float_eq(rating_fraction(on, 0.75), 0.5, 1e-12);
	cr_expect_float_eq(rating_fraction(on, 0.1), 0, 1e-12, "clamped below bad");
	cr_expect_float_eq(rating_fraction(late, 0), 1, 1e-12, "lower is better");
	cr_expect_float_eq(rating_fraction(late, 0.9), 0, 1e-12);
	cr_expect_float_eq(rating_fraction(hours, 24), 1, 1e-12);
	cr_expect_float_eq(rating_fraction(hours, 1), 1, 1e-12, "faster than good: full points");
	cr_expect_float_eq(rating_fraction(hours, 720), 0, 1e-12);
	cr_expect_float_eq(rating_fraction(on, NAN), 0, 1e-12);
	/* 23 indicators in three groups, keys unique and findable */
	int groups[RG_COUNT] = {0}, sum = 0;
	for (int k = 0; k < RI_COUNT; k++) {
		groups[rating_indicators[k].group]++;
		cr_expect_eq(rating_indicator_find(rating_indicators[k].key), k);
		sum += rating_indicators[k].weight;
	}
	cr_expect_eq(RI_COUNT, 23);
	cr_expect_eq(groups[RG_CONNECTION], 7);
	cr_expect_eq(groups[RG_APPEALS], 12);
	cr_expect_eq(groups[RG_PARTICIPATION], 4);
	cr_expect_eq(sum, 1000, "default weights are points of 1000");
	cr_expect_eq(rating_indicator_find("nope"), -1);
}

Test(ratings, period_comparison)
{
	struct rating_region_out now = {.rated = true, .score = 464},
	                         before = {.rated = true, .score = 440};
	cr_expect_eq(rating_trend_of(&now, &before), RT_UP);
	cr_expect_eq(rating_trend_of(&before, &now), RT_DOWN);
	cr_expect_eq(rating_trend_of(&now, &now), RT_SAME);
	struct rating_region_out unrated = {0};
	cr_expect_eq(rating_trend_of(&now, &unrated), RT_NEW);
	cr_expect_eq(rating_trend_of(&unrated, &now), RT_NONE);
	cr_expect_str_eq(rating_trend_name(RT_SAME), "same");
	cr_expect_float_eq(rating_round(463.5, 1), 464, 1e-9);
	cr_expect_float_eq(rating_round(0.12345, 0.0001), 0.1235, 1e-12);
}
