/* calendar.h: pure working-day arithmetic over the production calendar (weekends plus a set of
 * exception days), and civil-date helpers. No I/O: the caller supplies the exceptions. */
#ifndef OTKLIK_APPEALS_CALENDAR_H
#define OTKLIK_APPEALS_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days are counted since 1970-01-01 (day 0, a Thursday) in the platform's local time. */

/* Years the API accepts for calendar pages. */
#define CALENDAR_YEAR_MIN 2000
#define CALENDAR_YEAR_MAX 2100

/* One exception: a holiday (day off, even on a weekday) or a workday (a transferred Saturday or
 * Sunday that is worked). */
struct calendar_exception {
	int64_t day;
	bool workday;
};

struct calendar;

/* A calendar over the exceptions (copied; any order; on a duplicate day the last one wins).
 * O(span of the exceptions) memory. Never NULL (aborts on out of memory). */
struct calendar *calendar_new(const struct calendar_exception *ex, size_t n);
/* NULL is a no-op. */
void calendar_free(struct calendar *cal);

/* Monday = 0 … Sunday = 6. */
int calendar_weekday(int64_t day);
/* Working day: Monday–Friday and not a holiday, or listed as a workday. cal may be NULL
 * (weekends only). */
bool calendar_is_workday(const struct calendar *cal, int64_t day);
/* The n-th working day after day (n >= 1); day itself when n <= 0. O(log n). */
int64_t calendar_add_wdays(const struct calendar *cal, int64_t day, int64_t n);
/* Working days in (from, to] when to >= from, or minus the working days in (to, from] when
 * to < from. O(1). */
int64_t calendar_wdays_between(const struct calendar *cal, int64_t from, int64_t to);
/* Working days in a calendar year. */
int64_t calendar_year_wdays(const struct calendar *cal, int year);

/* Local day of an epoch-ms time at UTC offset offset_min. */
int64_t calendar_day_of(int64_t ms, int offset_min);
/* The last millisecond (23:59:59.999 local) of a local day, as epoch ms. */
int64_t calendar_day_end_ms(int64_t day, int offset_min);
/* Due time of `n` working days counted from start_ms: the end of the n-th working day after
 * start's local day. */
int64_t calendar_due_wdays(const struct calendar *cal, int64_t start_ms, int64_t n, int offset_min);

/* Civil date ↔ day number (proleptic Gregorian). */
int64_t calendar_day_from_ymd(int y, int m, int d);
void calendar_ymd(int64_t day, int *y, int *m, int *d);
/* Strict "YYYY-MM-DD" (exactly 10 characters, a real date): 0 and *day, or -1. */
int calendar_parse_date(const char *s, size_t len, int64_t *day);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void calendar_format_date(int64_t day, char out[static 11]);

#endif
