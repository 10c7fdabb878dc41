/* test_dashboard.c: unit tests for analytics/dashboard.c (dates, periods, figures). */
#include <criterion/criterion.h>

#include "analytics/dashboard.h"
#include "core/err.h"

#include <string.h>

static int32_t d(const char *s)
{
	int32_t day = 0;
	cr_assert(stat_day_parse(s, &day), "%s parses", s);
	return day;
}

static const char *fmt(int32_t day)
{
	static char out[4][11];
	static int k;
	k = (k + 1) % 4;
	stat_day_format(day, out[k]);
	return out[k];
}

Test(dashboard, dates_default_to_the_last_30_days)
{
	int32_t f, t;
	struct problem p = {0};
	cr_assert_eq(dash_dates(NULL, NULL, d("2026-03-10"), DASH_DEFAULT_DAYS, &f, &t, &p), 0);
	cr_expect_str_eq(fmt(t), "2026-03-10");
	cr_expect_str_eq(fmt(f), "2026-02-09");
	/* only to: 30 days ending there */
	cr_assert_eq(dash_dates(NULL, "2026-01-30", d("2026-03-10"), DASH_DEFAULT_DAYS, &f, &t, &p),
	             0);
	cr_expect_str_eq(fmt(f), "2026-01-01");
	/* empty values count as absent */
	cr_assert_eq(dash_dates("", "", d("2026-03-10"), DASH_DEFAULT_DAYS, &f, &t, &p), 0);
	cr_expect_eq(t - f, 29);
}

Test(dashboard, dates_refused_with_the_field)
{
	int32_t f, t;
	struct problem p = {0};
	cr_expect_eq(dash_dates("2026-13-01", NULL, d("2026-03-10"), DASH_DEFAULT_DAYS, &f, &t, &p),
	             ERR_INVALID);
	cr_expect_str_eq(p.field, "from");
	cr_expect_eq(dash_dates(NULL, "2026-02-29", d("2026-03-10"), DASH_DEFAULT_DAYS, &f, &t, &p),
	             ERR_INVALID);
	cr_expect_str_eq(p.field, "to");
	cr_expect_eq(dash_dates("2026-03-02", "2026-03-01", 0, DASH_DEFAULT_DAYS, &f, &t, &p),
	             ERR_INVALID);
	cr_expect_str_eq(p.field, "from");
	cr_expect_eq(dash_dates("2000-01-01", "2026-03-01", 0, DASH_DEFAULT_DAYS, &f, &t, &p),
	             ERR_INVALID);
	cr_expect_str_eq(p.field, "from");
	cr_expect_eq(dash_dates("2026-3-1", NULL, d("2026-03-10"), DASH_DEFAULT_DAYS, &f, &t, &p),
	             ERR_INVALID);
	/* a one-day period is fine */
	cr_expect_eq(dash_dates("2026-03-01", "2026-03-01", 0, DASH_DEFAULT_DAYS, &f, &t, &p), 0);
}

Test(dashboard, daily_period_and_the_previous_one)
{
	struct stat_key k = {.territory_id = 5, .category_id = 2};
	struct dash_period pd;
	dash_period_of(&k, d("2026-03-01"), d("2026-03-10"), &pd);
	cr_expect(!pd.monthly);
	cr_expect_str_eq(fmt(pd.from), "2026-03-01");
	cr_expect_str_eq(fmt(pd.to), "2026-03-10");
	cr_expect_str_eq(fmt(pd.prev_from), "2026-02-19");
	cr_expect_str_eq(fmt(pd.prev_to), "2026-02-28");
}

Test(dashboard, topic_or_body_widens_to_months)
{
	struct stat_key k = {.category_id = 2, .topic_id = 7};
	struct dash_period pd;
	dash_period_of(&k, d("2026-01-15"), d("2026-03-10"), &pd);
	cr_expect(pd.monthly);
	cr_expect_str_eq(fmt(pd.from), "2026-01-01");
	cr_expect_str_eq(fmt(pd.to), "2026-03-31");
	/* three months before, across the year */
	cr_expect_str_eq(fmt(pd.prev_from), "2025-10-01");
	cr_expect_str_eq(fmt(pd.prev_to), "2025-12-31");
	struct stat_key o = {.org_id = 3};
	dash_period_of(&o, d("2024-02-10"), d("2024-02-10"), &pd);
	cr_expect(pd.monthly);
	cr_expect_str_eq(fmt(pd.to), "2024-02-29");
	cr_expect_str_eq(fmt(pd.prev_from), "2024-01-01");
}

Test(dashboard, figures_with_null_shares)
{
	struct stat_sums s = {0};
	json_t *f = dash_figures_json(&s);
	cr_expect(json_is_null(json_object_get(f, "satisfaction")));
	cr_expect(json_is_null(json_object_get(f, "median_review_hours")));
	cr_expect_eq(json_integer_value(json_object_get(f, "received")), 0);
	json_decref(f);
	s.received = 6;
	s.redirected = 1;
	s.answered = 3;
	s.on_time = 3;
	s.hist[0] = 3;
	s.rated = 2;
	s.satisfied = 1;
	s.rereview = 1;
	s.rating_sum = 7;
	f = dash_figures_json(&s);
	cr_expect_float_eq(json_real_value(json_object_get(f, "satisfaction")), 0.5, 1e-9);
	cr_expect_float_eq(json_real_value(json_object_get(f, "redirect_share")), 0.1667, 1e-9);
	cr_expect_float_eq(json_real_value(json_object_get(f, "on_time_share")), 1.0, 1e-9);
	cr_expect_float_eq(json_real_value(json_object_get(f, "avg_rating")), 3.5, 1e-9);
	cr_expect_float_eq(json_real_value(json_object_get(f, "median_review_hours")), 0.5, 1e-9);
	json_decref(f);
}
