/* calendar.c: working-day arithmetic over weekends and exception days (pure, no I/O). */
#include "appeals/calendar.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

/* The calendar keeps a prefix sum of the exceptions' effect over the span they cover, so that
 * G(d) — the number of working days in [MONDAY0, d), extended to all integers — is O(1):
 *   G(d) = F(d) + A(d), F = weekdays only (closed form), A = the exceptions' adjustment.
 * Counting is a difference of G, adding working days a search over the monotone G. */
struct calendar {
	int64_t base; /* first exception day */
	int64_t len;  /* days covered: [base, base + len) */
	int32_t *adj; /* len + 1 entries: adj[i] = adjustment for days [base, base + i) */
};

#define MONDAY0 4 /* 1970-01-05, a Monday */

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int calendar_weekday(int64_t day)
{
	int64_t k = day - MONDAY0;
	return (int)(k - 7 * floordiv(k, 7));
}

/* Monday–Friday days in [MONDAY0, d) (negative below MONDAY0). */
static int64_t weekdays_before(int64_t d)
{
	int64_t k = d - MONDAY0;
	int64_t q = floordiv(k, 7), r = k - 7 * q;
	return 5 * q + (r < 5 ? r : 5);
}

static int64_t adjust_before(const struct calendar *cal, int64_t d)
{
	if (!cal || !cal->len || d <= cal->base)
		return 0;
	if (d >= cal->base + cal->len)
		return cal->adj[cal->len];
	return cal->adj[d - cal->base];
}

/* Working days in [MONDAY0, d). */
static int64_t wdays_before(const struct calendar *cal, int64_t d)
{
	return weekdays_before(d) + adjust_before(cal, d);
}

struct calendar *calendar_new(const struct calendar_exception *ex, size_t n)
{
	struct calendar *cal = xcalloc(1, sizeof(*cal));
	if (!n) {
		cal->adj = xcalloc(1, sizeof(*cal->adj));
		return cal;
	}
	int64_t lo = ex[0].day, hi = ex[0].day;
	for (size_t i = 1; i < n; i++) {
		if (ex[i].day < lo)
			lo = ex[i].day;
		if (ex[i].day > hi)
			hi = ex[i].day;
	}
	cal->base = lo;
	cal->len = hi - lo + 1;
	/* kind per day: 0 none, 1 holiday, 2 workday (the last listing wins) */
	unsigned char *kind = xcalloc((size_t)cal->len, 1);
	for (size_t i = 0; i < n; i++)
		kind[ex[i].day - lo] = ex[i].workday ? 2 : 1;
	cal->adj = xcalloc((size_t)cal->len + 1, sizeof(*cal->adj));
	for (int64_t i = 0; i < cal->len; i++) {
		bool weekday = calendar_weekday(lo + i) < 5;
		int delta = 0;
		if (kind[i] == 1 && weekday)
			delta = -1;
		else if (kind[i] == 2 && !weekday)
			delta = 1;
		cal->adj[i + 1] = cal->adj[i] + delta;
	}
	free(kind);
	return cal;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	free(cal->adj);
	free(cal);
}

bool calendar_is_workday(const struct calendar *cal, int64_t day)
{
	return wdays_before(cal, day + 1) - wdays_before(cal, day) == 1;
}

int64_t calendar_add_wdays(const struct calendar *cal, int64_t day, int64_t n)
{
	if (n <= 0)
		return day;
	/* The smallest e > day with G(e + 1) >= G(day + 1) + n: G climbs by at most one a day, so
	 * e is itself a working day. */
	int64_t target = wdays_before(cal, day + 1) + n;
	int64_t span = n + n / 2 + 4;
	while (wdays_before(cal, day + span + 1) < target)
		span *= 2;
	int64_t lo = day + 1, hi = day + span;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (wdays_before(cal, mid + 1) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int64_t calendar_wdays_between(const struct calendar *cal, int64_t from, int64_t to)
{
	return wdays_before(cal, to + 1) - wdays_before(cal, from + 1);
}

int64_t calendar_year_wdays(const struct calendar *cal, int year)
{
	return wdays_before(cal, calendar_day_from_ymd(year + 1, 1, 1)) -
	       wdays_before(cal, calendar_day_from_ymd(year, 1, 1));
}

int64_t calendar_day_of(int64_t ms, int offset_min)
{
	return floordiv(ms + (int64_t)offset_min * 60000, 86400000);
}

int64_t calendar_day_end_ms(int64_t day, int offset_min)
{
	return (day + 1) * 86400000 - 1 - (int64_t)offset_min * 60000;
}

int64_t calendar_due_wdays(const struct calendar *cal, int64_t start_ms, int64_t n, int offset_min)
{
	int64_t day = calendar_day_of(start_ms, offset_min);
	return calendar_day_end_ms(calendar_add_wdays(cal, day, n), offset_min);
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t calendar_day_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floordiv(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void calendar_ymd(int64_t day, int *y, int *m, int *d)
{
	int64_t z = day + 719468;
	int64_t era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int calendar_parse_date(const char *s, size_t len, int64_t *day)
{
	if (!s || len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	int64_t v = calendar_day_from_ymd(y, m, d);
	int yy, mm, dd;
	calendar_ymd(v, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d) /* 2025-02-30 */
		return -1;
	*day = v;
	return 0;
}

void calendar_format_date(int64_t day, char out[static 11])
{
	int y, m, d;
	calendar_ymd(day, &y, &m, &d);
	unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000), mm = (unsigned)m, dd = (unsigned)d;
	char v[11] = {(char)('0' + yy / 1000),
	              (char)('0' + yy / 100 % 10),
	              (char)('0' + yy / 10 % 10),
	              (char)('0' + yy % 10),
	              '-',
	              (char)('0' + mm / 10),
	              (char)('0' + mm % 10),
	              '-',
	              (char)('0' + dd / 10),
	              (char)('0' + dd % 10),
	              0};
	memcpy(out, v, sizeof(v));
}
