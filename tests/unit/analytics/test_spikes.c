/* test_spikes.c: the spike detector — a burst alarms, a steady rate does not, one alarm per
 * episode, repeated sources count once, new problems, returned problems, bounded memory. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analytics/spikes.h"
#include "core/err.h"

#define HOUR 3600
#define DAY  86400
static const int64_t T0 = 1614556800;
static struct spikes d;
static int64_t next_id;

static void setup(void)
{
	struct spike_params p = spike_params_default();
	cr_assert_eq(spikes_init(&d, &p), 0);
	next_id = 1;
}

static void teardown(void)
{
	spikes_release(&d);
}

TestSuite(spikes, .init = setup, .fini = teardown);

/* Feeds one appeal; returns the number of alarms (the first in *out when out is given). */
static size_t feed(int64_t at, int64_t problem, int64_t topic, double lat, double lon,
                   int64_t author, const char *text, struct spike_alarm *out)
{
	uint32_t sk[SPIKE_SKETCH];
	spike_sketch(text, strlen(text), sk);
	struct spike_obs o = {
	    .appeal_id = next_id++,
	    .at = at,
	    .problem_id = problem,
	    .topic_id = topic,
	    .category_id = 1,
	    .territory_id = 7,
	    .author_id = author,
	    .lat = lat,
	    .lon = lon,
	    .sketch = sk,
	};
	struct spike_alarm tmp[4];
	size_t n = spikes_observe(&d, &o, tmp, 4);
	if (out && n)
		*out = tmp[0];
	return n;
}

static const char *texts[] = {
    "Не горит фонарь у подъезда",      "Во дворе темно, освещение отключено",
    "Погасли светильники на площадке", "Нет света на дорожке вдоль дома",
    "Сломана опора освещения",         "Лампа мигает всю ночь",
};

/* Background: 60 days of scattered appeals of other problems across the city. */
static void background(int64_t topic)
{
	for (int day = 0; day < 60; day++)
		for (int k = 0; k < 5; k++)
			cr_assert_eq(feed(T0 + day * DAY + k * 4 * HOUR, 1000 + day * 10 + k, topic,
			                  59.8 + 0.01 * k, 30.2 + 0.003 * day, 0, texts[k], NULL),
			             0, "scattered appeals raise nothing");
}

Test(spikes, a_burst_at_one_place_alarms_as_a_new_problem)
{
	background(5);
	int64_t t = T0 + 61 * DAY;
	struct spike_alarm a;
	cr_assert_eq(feed(t, 1, 5, 59.95, 30.31, 11, texts[0], &a), 0);
	cr_assert_eq(feed(t + 20 * 60, 1, 5, 59.9501, 30.3101, 12, texts[1], &a), 0);
	cr_assert_eq(feed(t + 50 * 60, 1, 5, 59.9502, 30.3099, 13, texts[2], &a), 1,
	             "the third person within two hours raises an alarm");
	cr_assert_eq(a.kind, SPIKE_NEW);
	cr_assert_eq(a.problem_id, 1);
	cr_assert_eq(a.observed, 3);
	cr_assert_lt(a.expected, 0.1);
	cr_assert_eq(a.window_min, 120);
	cr_assert_eq(a.first_at, t);
	cr_assert_eq(a.nids, 3);
	cr_assert_lt(fabs(a.lat - 59.9501), 0.001);
	cr_assert(strstr(a.reason, "3 сообщения за 2 ч при ожидаемых"), "%s", a.reason);
	/* the episode goes on: no second alarm for the same problem */
	for (int k = 3; k < 6; k++)
		cr_assert_eq(
		    feed(t + (50 + k * 10) * 60, 1, 5, 59.9501, 30.31, 20 + k, texts[k], NULL), 0);
	/* another problem of the same topic at the same place in the episode: not again */
	cr_assert_eq(feed(t + 3 * HOUR, 2, 5, 59.9502, 30.3102, 31, texts[0], NULL), 0);
	cr_assert_eq(feed(t + 3 * HOUR + 60, 2, 5, 59.9502, 30.3102, 32, texts[1], NULL), 0);
	cr_assert_eq(feed(t + 3 * HOUR + 120, 2, 5, 59.9502, 30.3102, 33, texts[2], NULL), 0);
}

Test(spikes, a_steady_rate_does_not_alarm)
{
	/* a busy place: an appeal every 30 minutes from different people, a new problem each day;
	 * once the place has a history (10 days), its usual rate raises nothing */
	for (int i = 0; i < 40 * 48; i++) {
		int day = i / 48;
		size_t n = feed(T0 + (int64_t)i * 30 * 60, 1 + day, 5, 59.95, 30.31, 100 + i,
		                texts[i % 6], NULL);
		if (day >= 10)
			cr_assert_eq(n, 0, "appeal %d (day %d) of a steady stream raised an alarm",
			             i, day);
	}
}

Test(spikes, an_old_problem_that_speeds_up_is_a_spike)
{
	int64_t t = T0;
	for (int i = 0; i < 10; i++, t += 3 * DAY) /* quiet: one appeal every three days */
		cr_assert_eq(feed(t, 1, 5, 59.95, 30.31, 100 + i, texts[i % 6], NULL), 0);
	struct spike_alarm a;
	size_t n = 0;
	for (int i = 0; i < 6 && !n; i++)
		n = feed(t + i * 15 * 60, 1, 5, 59.95, 30.31, 200 + i, texts[i % 6], &a);
	cr_assert_eq(n, 1);
	cr_assert_eq(a.kind, SPIKE_SPIKE, "the problem is older than the window");
	cr_assert_gt(a.observed, 2);
}

Test(spikes, one_person_or_one_copied_text_counts_once)
{
	background(5);
	int64_t t = T0 + 61 * DAY;
	/* one author, many appeals */
	for (int i = 0; i < 6; i++)
		cr_assert_eq(feed(t + i * 5 * 60, 1, 5, 59.95, 30.31, 42, texts[i], NULL), 0);
	/* anonymous appeals with the same text */
	for (int i = 0; i < 6; i++)
		cr_assert_eq(feed(t + i * 5 * 60, 2, 5, 59.97, 30.35, 0, texts[0], NULL), 0);
}

Test(spikes, a_new_episode_after_a_quiet_day_can_alarm_again)
{
	int64_t t = T0 + 5 * DAY;
	for (int i = 0; i < 3; i++)
		feed(t + i * 10 * 60, 1, 5, 59.95, 30.31, 10 + i, texts[i], NULL);
	t += 3 * DAY;
	size_t n = 0;
	for (int i = 0; i < 6 && !n; i++)
		n = feed(t + i * 10 * 60, 1, 5, 59.95, 30.31, 20 + i, texts[i], NULL);
	cr_assert_eq(n, 1, "a later burst is a new episode");
}

Test(spikes, returned_makes_an_alarm_and_a_new_episode)
{
	int64_t t = T0 + DAY;
	for (int i = 0; i < 3; i++)
		feed(t + i * 60, 1, 5, 59.95, 30.31, 10 + i, texts[i], NULL);
	struct spike_obs o = {.appeal_id = 99,
	                      .at = t + HOUR,
	                      .problem_id = 1,
	                      .topic_id = 5,
	                      .category_id = 1,
	                      .territory_id = 7,
	                      .lat = 59.95,
	                      .lon = 30.31};
	struct spike_alarm a;
	spikes_returned(&d, &o, &a);
	cr_assert_eq(a.kind, SPIKE_RETURNED);
	cr_assert_eq(a.problem_id, 1);
	cr_assert_eq(a.nids, 1);
	cr_assert_eq(a.appeal_ids[0], 99);
	cr_assert(strstr(a.reason, "вернулась"), "%s", a.reason);
	/* the episode was reset: the same problem may alarm again */
	size_t n = feed(t + HOUR + 60, 1, 5, 59.95, 30.31, 50, texts[3], NULL);
	cr_assert_eq(n, 1);
}

Test(spikes, replay_without_output_keeps_the_episode)
{
	int64_t t = T0 + DAY;
	for (int i = 0; i < 3; i++) {
		uint32_t sk[SPIKE_SKETCH];
		spike_sketch(texts[i], strlen(texts[i]), sk);
		struct spike_obs o = {.appeal_id = i + 1,
		                      .at = t + i * 60,
		                      .problem_id = 1,
		                      .topic_id = 5,
		                      .author_id = 10 + i,
		                      .lat = 59.95,
		                      .lon = 30.31,
		                      .sketch = sk};
		size_t n = spikes_observe(&d, &o, NULL, 0);
		cr_assert_eq(n, i == 2 ? 1u : 0u);
	}
	cr_assert_eq(feed(t + 600, 1, 5, 59.95, 30.31, 77, texts[4], NULL), 0,
	             "the alarm raised before the restart is not raised again");
}

Test(spikes, memory_stays_bounded)
{
	spikes_release(&d);
	struct spike_params p = spike_params_default();
	p.max_keys = 2000;
	cr_assert_eq(spikes_init(&d, &p), 0);
	for (int i = 0; i < 50000; i++)
		feed(T0 + (int64_t)i * 60, 1 + i, 1 + i % 50, 59.8 + (i % 997) * 1e-3,
		     30.2 + (i % 991) * 1e-3, 0, texts[i % 6], NULL);
	cr_assert_leq(spikes_size(&d), 2000 + 4096 * 3, "keys: %zu", spikes_size(&d));
}

Test(spikes, poisson_tail_and_params)
{
	cr_assert_float_eq(spike_poisson_tail(0, 2.0), 1.0, 1e-12);
	cr_assert_float_eq(spike_poisson_tail(1, 2.0), 1 - exp(-2.0), 1e-12);
	cr_assert_float_eq(spike_poisson_tail(3, 0.01), 1.6625e-7, 1e-9);
	cr_assert_lt(spike_poisson_tail(30, 2.0), 1e-15);
	struct spike_params p = spike_params_default();
	cr_assert_eq(spike_params_set(&p, "alpha", "1e-4"), 0);
	cr_assert_float_eq(p.alpha, 1e-4, 1e-12);
	cr_assert_eq(spike_params_set(&p, "w2", "3"), 0);
	cr_assert_float_eq(p.window_h[1], 3, 1e-12);
	cr_assert_eq(spike_params_set(&p, "nonsense", "1"), ERR_INVALID);
	cr_assert_eq(spike_params_set(&p, "alpha", "x"), ERR_INVALID);
	struct spikes bad;
	p.cell_m = 0;
	cr_assert_eq(spikes_init(&bad, &p), ERR_INVALID);
}
