/* test_calendar.c: unit tests for appeals/calendar.c: weekends, holidays, transferred working
 * Saturdays, due times at the end of the local day, long spans, year boundaries, counting. */
#include <criterion/criterion.h>

#include "appeals/calendar.h"

#include <string.h>

#define MSK 180

static int64_t D(const char *s)
{
	int64_t d = 0;
	cr_assert_eq(calendar_parse_date(s, strlen(s), &d), 0, "parse %s", s);
	return d;
}

static const char *S(int64_t day)
{
	static char buf[8][11];
	static int k;
	char *b = buf[k++ % 8];
	calendar_format_date(day, b);
	return b;
}

/* Epoch ms of a local (MSK) time. */
static int64_t msk(const char *date, int h, int m)
{
	return D(date) * 86400000LL + (h * 60 + m) * 60000LL - MSK * 60000LL;
}

/* The official exceptions of 2025 and 2026 (as seeded by migrations/…/0003_calendar.sql). */
static const char *const HOL[] = {
    "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06",
    "2025-01-07", "2025-01-08", "2025-02-23", "2025-03-08", "2025-05-01", "2025-05-02",
    "2025-05-08", "2025-05-09", "2025-06-12", "2025-06-13", "2025-11-03", "2025-11-04",
    "2025-12-31", "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05",
    "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-02-23", "2026-03-08",
    "2026-03-09", "2026-05-01", "2026-05-09", "2026-05-11", "2026-06-12", "2026-11-04",
    "2026-12-31"};
static const char *const WORK[] = {"2025-11-01"};

static struct calendar *official(void)
{
	size_t nh = sizeof(HOL) / sizeof(HOL[0]), nw = sizeof(WORK) / sizeof(WORK[0]);
	struct calendar_exception ex[64];
	size_t n = 0;
	for (size_t i = 0; i < nh; i++)
		ex[n++] = (struct calendar_exception){D(HOL[i]), false};
	for (size_t i = 0; i < nw; i++)
		ex[n++] = (struct calendar_exception){D(WORK[i]), true};
	return calendar_new(ex, n);
}

Test(calendar, dates_parse_format_and_weekdays)
{
	cr_assert_eq(D("1970-01-01"), 0);
	cr_assert_eq(calendar_weekday(0), 3, "1970-01-01 was a Thursday");
	cr_assert_eq(calendar_weekday(D("2026-01-01")), 3);
	cr_assert_eq(calendar_weekday(D("2025-11-01")), 5, "a Saturday");
	cr_assert_eq(calendar_weekday(D("1969-12-28")), 6, "a Sunday before the epoch");
	cr_assert_str_eq(S(D("2024-02-29")), "2024-02-29");
	cr_assert_str_eq(S(D("1900-03-01")), "1900-03-01");
	int64_t d;
	const char *bad[] = {"2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01",   "2025-01-1",
	                     "20250101",   "abcd-01-01", "2025-04-31", "2025-01-01x", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(calendar_parse_date(bad[i], strlen(bad[i]), &d), -1, "%s accepted",
		             bad[i]);
}

Test(calendar, weekends_are_skipped)
{
	/* No exceptions: Monday–Friday only. */
	cr_assert_str_eq(S(calendar_add_wdays(NULL, D("2025-03-14"), 1)), "2025-03-17",
	                 "Friday + 1 → Monday");
	cr_assert_str_eq(S(calendar_add_wdays(NULL, D("2025-03-15"), 1)), "2025-03-17",
	                 "Saturday + 1 → Monday");
	cr_assert_str_eq(S(calendar_add_wdays(NULL, D("2025-03-12"), 5)), "2025-03-19",
	                 "Wednesday + 5 → next Wednesday");
	cr_assert_str_eq(S(calendar_add_wdays(NULL, D("2025-03-12"), 0)), "2025-03-12");
	cr_assert(!calendar_is_workday(NULL, D("2025-03-15")));
	cr_assert(calendar_is_workday(NULL, D("2025-03-14")));
}

Test(calendar, new_year_holidays_2026)
{
	struct calendar *cal = official();
	for (int64_t d = D("2025-12-31"); d <= D("2026-01-11"); d++)
		cr_assert(!calendar_is_workday(cal, d), "%s is a day off", S(d));
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2025-12-30"), 1)), "2026-01-12",
	                 "the first working day of 2026 is Monday 12 January");
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2026-01-05"), 2)), "2026-01-13");
	/* Mar 8 2026 is a Sunday: Monday Mar 9 is off instead. */
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2026-03-06"), 1)), "2026-03-10");
	calendar_free(cal);
}

Test(calendar, transferred_working_saturday)
{
	struct calendar *cal = official();
	cr_assert(calendar_is_workday(cal, D("2025-11-01")), "Saturday 1 Nov 2025 is worked");
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2025-10-31"), 1)), "2025-11-01");
	/* Nov 2 is Sunday, Nov 3 (moved from Nov 1) and Nov 4 are off. */
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2025-10-31"), 2)), "2025-11-05");
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2025-11-01"), 1)), "2025-11-05");
	calendar_free(cal);
}

Test(calendar, due_is_end_of_local_day_after_friday_evening)
{
	struct calendar *cal = official();
	/* Friday 14 Mar 2025, 20:00 Moscow time, 1 working day → Monday 17 Mar, 23:59:59.999. */
	int64_t due = calendar_due_wdays(cal, msk("2025-03-14", 20, 0), 1, MSK);
	cr_assert_eq(due, msk("2025-03-18", 0, 0) - 1);
	cr_assert_eq(due, D("2025-03-17") * 86400000LL + 21 * 3600000LL - 1, "20:59:59.999 UTC");
	/* 01:00 Friday in Moscow is still Thursday in UTC: the local day counts. */
	due = calendar_due_wdays(cal, msk("2025-03-14", 1, 0), 1, MSK);
	cr_assert_eq(due, msk("2025-03-18", 0, 0) - 1, "Friday (local) + 1 → Monday");
	due = calendar_due_wdays(cal, msk("2025-03-14", 1, 0), 1, 0);
	cr_assert_eq(due, D("2025-03-15") * 86400000LL - 1, "in UTC it was Thursday → Friday");
	/* Friday before a holiday Monday: 23 Feb 2026 is off → Tuesday. */
	due = calendar_due_wdays(cal, msk("2026-02-20", 18, 30), 1, MSK);
	cr_assert_eq(due, msk("2026-02-25", 0, 0) - 1);
	/* Submitted on the Saturday: still the first working day after it. */
	due = calendar_due_wdays(cal, msk("2025-03-15", 12, 0), 1, MSK);
	cr_assert_eq(due, msk("2025-03-18", 0, 0) - 1);
	calendar_free(cal);
}

Test(calendar, long_spans_and_extensions)
{
	struct calendar *cal = official();
	/* January 2026 has 15 working days (12–30), February's 23rd is off. */
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2026-01-01"), 15)), "2026-01-30");
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2026-01-01"), 30)), "2026-02-20");
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2026-01-01"), 31)), "2026-02-24");
	/* An extension of 2 working days from a due time (end of Fri 20 Feb 2026). */
	int64_t due = msk("2026-02-21", 0, 0) - 1;
	cr_assert_eq(calendar_due_wdays(cal, due, 2, MSK), msk("2026-02-26", 0, 0) - 1);
	/* Far beyond the exceptions: every 5 working days are a week. */
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2030-01-07"), 500)), "2031-12-08");
	calendar_free(cal);
}

Test(calendar, agrees_with_day_by_day_stepping)
{
	struct calendar *cal = official();
	for (int64_t start = D("2024-12-01"); start < D("2027-01-31"); start += 3) {
		for (int n = 1; n <= 70; n += 7) {
			int64_t d = start;
			for (int k = 0; k < n;) {
				d++;
				if (calendar_is_workday(cal, d))
					k++;
			}
			cr_assert_eq(calendar_add_wdays(cal, start, n), d, "%s + %d", S(start), n);
			cr_assert_eq(calendar_wdays_between(cal, start, d), n);
			cr_assert_eq(calendar_wdays_between(cal, d, start), -n);
		}
	}
	/* is_workday matches the list itself. */
	cr_assert(!calendar_is_workday(cal, D("2025-06-13")));
	cr_assert(calendar_is_workday(cal, D("2025-06-16")));
	calendar_free(cal);
}

Test(calendar, working_days_per_year)
{
	struct calendar *cal = official();
	cr_assert_eq(calendar_year_wdays(cal, 2025), 247);
	cr_assert_eq(calendar_year_wdays(cal, 2026), 247);
	cr_assert_eq(calendar_year_wdays(cal, 2024), 262, "no exceptions: Mon–Fri of a leap year");
	cr_assert_eq(calendar_year_wdays(NULL, 2027), 261);
	calendar_free(cal);
}

Test(calendar, days_left_counts_and_year_boundary)
{
	struct calendar *cal = official();
	cr_assert_eq(calendar_wdays_between(cal, D("2026-02-16"), D("2026-02-16")), 0, "today");
	cr_assert_eq(calendar_wdays_between(cal, D("2026-02-16"), D("2026-02-17")), 1);
	cr_assert_eq(calendar_wdays_between(cal, D("2026-02-20"), D("2026-02-24")), 1,
	             "weekend and the 23rd do not count");
	cr_assert_eq(calendar_wdays_between(cal, D("2026-02-24"), D("2026-02-20")), -1, "overdue");
	cr_assert_eq(calendar_wdays_between(cal, D("2025-12-30"), D("2026-01-12")), 1,
	             "across the New Year");
	cr_assert_eq(calendar_wdays_between(cal, D("2026-01-13"), D("2025-12-29")), -3);
	cr_assert_eq(calendar_wdays_between(cal, D("2026-01-09"), D("2026-01-10")), 0,
	             "due on a day off after a day off");
	calendar_free(cal);
}

Test(calendar, exceptions_semantics)
{
	struct calendar_exception ex[] = {
	    {D("2030-03-16"), false}, /* a holiday on a Saturday: no effect */
	    {D("2030-03-18"), true},  /* a "workday" on a Monday: no effect */
	    {D("2030-03-19"), true},  /* a duplicate: the last listing wins */
	    {D("2030-03-19"), false}, {D("2030-03-23"), true}, /* a worked Saturday */
	};
	struct calendar *cal = calendar_new(ex, 5);
	cr_assert(!calendar_is_workday(cal, D("2030-03-16")));
	cr_assert(calendar_is_workday(cal, D("2030-03-18")));
	cr_assert(!calendar_is_workday(cal, D("2030-03-19")));
	cr_assert(calendar_is_workday(cal, D("2030-03-23")));
	cr_assert_eq(calendar_year_wdays(cal, 2030), 261, "-1 holiday +1 Saturday");
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("2030-03-15"), 2)), "2030-03-20");
	/* Before the epoch too. */
	cr_assert_str_eq(S(calendar_add_wdays(cal, D("1969-12-26"), 1)), "1969-12-29");
	calendar_free(cal);
	struct calendar *empty = calendar_new(NULL, 0);
	cr_assert_eq(calendar_year_wdays(empty, 2025), 261);
	calendar_free(empty);
}
