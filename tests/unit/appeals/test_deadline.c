/* test_deadline.c: unit tests for appeals/deadline.c over a real (SQLite) database: the seeded
 * calendar, hours and working days, org overrides and their precedence, extensions, days left,
 * validation, and the cache following the versions in meta. */
#include <criterion/criterion.h>

#include "appeals/calendar.h"
#include "appeals/deadline.h"
#include "core/arena.h"
#include "core/err.h"
#include "registry/registry.h"
#include "store/calendar.h"
#include "store/testdb.h"

#include <jansson.h>
#include <string.h>

#define MSK 180

static struct testdb db;
static struct arena a;
static struct store_conn *c;
static const struct actor admin = {.roles = ROLE_ADMIN, .request_id = "test"};
static int64_t topic_wd, topic_h, org1;

static int64_t D(const char *s)
{
	int64_t d = 0;
	cr_assert_eq(calendar_parse_date(s, strlen(s), &d), 0, "parse %s", s);
	return d;
}

static int64_t msk(const char *date, int h, int m)
{
	return D(date) * 86400000LL + (h * 60 + m) * 60000LL - MSK * 60000LL;
}

static int64_t create(const struct entity_desc *d, const char *text)
{
	json_t *in = json_loads(text, 0, NULL);
	cr_assert_not_null(in, "%s", text);
	json_t *out = NULL;
	struct problem p = {0};
	int rc = registry_create(db.s, &a, &admin, d, in, &out, &p);
	json_decref(in);
	cr_assert_eq(rc, 0, "create %s: %s", text, p.message ? p.message : "");
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

static void setup(void)
{
	arena_init(&a, 8192);
	testdb_open(&db, true);
	int64_t cat = create(&registry_categories, "{\"code\":\"c\",\"name\":\"Категория\"}");
	topic_wd = create(&registry_topics,
	                  arena_printf(&a,
	                               "{\"code\":\"t1\",\"name\":\"Тема\",\"category_id\":%lld,"
	                               "\"deadline\":5,\"deadline_unit\":\"wdays\"}",
	                               (long long)cat));
	topic_h = create(&registry_topics,
	                 arena_printf(&a,
	                              "{\"code\":\"t2\",\"name\":\"Срочно\",\"category_id\":%lld,"
	                              "\"deadline\":24,\"deadline_unit\":\"hours\"}",
	                              (long long)cat));
	org1 = create(&registry_orgs, "{\"code\":\"o1\",\"name\":\"Орган\",\"kind\":\"regional\"}");
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	deadline_cache_invalidate();
}

static void teardown(void)
{
	store_conn_put(db.s, c);
	testdb_close(&db);
	arena_release(&a);
}

TestSuite(deadline, .init = setup, .fini = teardown);

static int64_t due(int64_t topic, int64_t org, int64_t start)
{
	int64_t out = 0;
	cr_assert_eq(deadline_due(c, topic, org, start, &out), 0);
	return out;
}

Test(deadline, working_days_over_the_seeded_calendar)
{
	/* Tuesday 30 Dec 2025, 5 working days: Dec 31 and Jan 1–11 are off → Fri 16 Jan 2026. */
	cr_assert_eq(due(topic_wd, 0, msk("2025-12-30", 10, 0)), msk("2026-01-17", 0, 0) - 1);
	/* Friday evening before the worked Saturday 1 Nov 2025: Sat 1, then 5, 6, 7, 10 Nov. */
	cr_assert_eq(due(topic_wd, 0, msk("2025-10-31", 21, 0)), msk("2025-11-11", 0, 0) - 1);
	/* An org without overrides: the topic's deadline. */
	cr_assert_eq(due(topic_wd, org1, msk("2025-10-31", 21, 0)), msk("2025-11-11", 0, 0) - 1);
	int64_t out;
	cr_assert_eq(deadline_due(c, 999999, 0, 0, &out), ERR_NOTFOUND);
}

Test(deadline, hours_are_calendar_time)
{
	int64_t start = msk("2026-01-01", 12, 34);
	cr_assert_eq(due(topic_h, 0, start), start + 24 * 3600000LL, "holidays do not stop hours");
}

Test(deadline, extension_and_days_left)
{
	int64_t d = msk("2026-02-21", 0, 0) - 1; /* end of Friday 20 Feb 2026 */
	int64_t ext;
	cr_assert_eq(deadline_add_wdays(c, d, 2, &ext), 0);
	cr_assert_eq(ext, msk("2026-02-26", 0, 0) - 1, "Mon 23 Feb is off: Tue, Wed");
	int left;
	cr_assert_eq(deadline_wdays_left(c, msk("2026-02-20", 9, 0), d, &left), 0);
	cr_assert_eq(left, 0, "due today");
	cr_assert_eq(deadline_wdays_left(c, msk("2026-02-19", 23, 59), d, &left), 0);
	cr_assert_eq(left, 1);
	cr_assert_eq(deadline_wdays_left(c, msk("2026-02-25", 9, 0), d, &left), 0);
	cr_assert_eq(left, -2, "overdue by Tuesday and Wednesday");
	cr_assert_eq(
	    deadline_wdays_left(c, msk("2025-12-30", 9, 0), msk("2026-01-13", 12, 0), &left), 0);
	cr_assert_eq(left, 2, "across the New Year holidays: 12 and 13 January");
}

static json_t *J(const char *s)
{
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(v, "%s", s);
	return v;
}

Test(deadline, org_overrides_take_precedence)
{
	int64_t start = msk("2026-03-02", 10, 0); /* a Monday */
	json_t *out = NULL,
	       *items =
	           J(arena_printf(&a,
	                          "[{\"topic_id\":null,\"deadline\":3,\"deadline_unit\":\"hours\"},"
	                          "{\"topic_id\":%lld,\"deadline\":1,\"deadline_unit\":\"wdays\"}]",
	                          (long long)topic_h));
	struct deadline_problem p = {0};
	cr_assert_eq(deadline_org_put(db.s, &a, &admin, org1, items, &out, &p), 0, "%s",
	             p.message ? p.message : "");
	json_decref(items);
	json_decref(out);
	cr_assert_eq(due(topic_h, org1, start), msk("2026-03-04", 0, 0) - 1, "org's topic: 1 wday");
	cr_assert_eq(due(topic_wd, org1, start), start + 3 * 3600000LL,
	             "org's all topics: 3 hours");
	cr_assert_eq(due(topic_wd, 0, start), msk("2026-03-11", 0, 0) - 1,
	             "no org: the topic's 5 wdays (Mar 9 is off)");
	/* Validation: nothing changes. */
	items = J("[{\"topic_id\":null,\"deadline\":0,\"deadline_unit\":\"hours\"}]");
	cr_assert_eq(deadline_org_put(db.s, &a, &admin, org1, items, &out, &p), ERR_VALIDATION);
	cr_assert_str_eq(p.field, "items[0].deadline");
	json_decref(items);
	items = J("[]");
	cr_assert_eq(deadline_org_put(db.s, &a, &admin, 999999, items, &out, &p), ERR_NOTFOUND);
	const struct actor nobody = {.roles = ROLE_CITIZEN, .user_id = 1};
	cr_assert_eq(deadline_org_put(db.s, &a, &nobody, org1, items, &out, &p), ERR_FORBIDDEN);
	json_decref(items);
	cr_assert_eq(due(topic_wd, org1, start), start + 3 * 3600000LL);
}

struct raw_job {
	bool bump;
};

static int raw_holiday(struct store_conn *wc, void *arg)
{
	struct raw_job *j = arg;
	int rc = store_calendar_insert(wc, "2030-03-04", "holiday", NULL, 0);
	if (!rc && j->bump)
		rc = store_calendar_bump(wc);
	return rc;
}

static int raw_holiday2(struct store_conn *wc, void *arg)
{
	(void)arg;
	int rc = store_calendar_insert(wc, "2030-03-05", "holiday", NULL, 0);
	return rc ? rc : store_calendar_bump(wc);
}

Test(deadline, cache_follows_the_version_in_meta)
{
	/* Friday 1 Mar 2030 + 1 working day → Monday 4 March. */
	int64_t start = msk("2030-03-01", 10, 0);
	cr_assert_eq(due(topic_wd, org1, start) > 0, true);
	int64_t one;
	cr_assert_eq(deadline_add_wdays(c, start, 1, &one), 0);
	cr_assert_eq(one, msk("2030-03-05", 0, 0) - 1);
	/* Another node writes a holiday without bumping the version: the cache keeps its copy. */
	struct raw_job j = {.bump = false};
	cr_assert_eq(store_write(db.s, raw_holiday, &j), 0);
	deadline_cache_invalidate(); /* as if the check interval had passed */
	cr_assert_eq(deadline_add_wdays(c, start, 1, &one), 0);
	cr_assert_eq(one, msk("2030-03-05", 0, 0) - 1, "same version: no reload");
	/* With a version bump the next check reloads. */
	cr_assert_eq(store_write(db.s, raw_holiday2, NULL), 0);
	deadline_cache_invalidate();
	cr_assert_eq(deadline_add_wdays(c, start, 1, &one), 0);
	cr_assert_eq(one, msk("2030-03-07", 0, 0) - 1, "4 and 5 March are now off");
}

Test(deadline, calendar_put_validates_and_applies)
{
	json_t *out = NULL,
	       *days = J("[{\"date\":\"2030-03-04\",\"kind\":\"holiday\",\"note\":\"x\"},"
	                 "{\"date\":\"2030-03-09\",\"kind\":\"workday\"}]");
	struct deadline_problem p = {0};
	cr_assert_eq(deadline_calendar_put(db.s, &a, &admin, 2030, days, &out, &p), 0, "%s",
	             p.message ? p.message : "");
	json_decref(days);
	cr_assert_eq(json_integer_value(json_object_get(out, "working_days")), 261);
	json_decref(out);
	int64_t one;
	cr_assert_eq(deadline_add_wdays(c, msk("2030-03-01", 10, 0), 1, &one), 0);
	cr_assert_eq(one, msk("2030-03-06", 0, 0) - 1, "seen at once on this node");
	cr_assert_eq(deadline_add_wdays(c, msk("2030-03-08", 10, 0), 1, &one), 0);
	cr_assert_eq(one, msk("2030-03-10", 0, 0) - 1, "the worked Saturday");
	days = J("[{\"date\":\"2030-03-05\",\"kind\":\"workday\"}]");
	cr_assert_eq(deadline_calendar_put(db.s, &a, &admin, 2030, days, &out, &p), ERR_VALIDATION);
	cr_assert_str_eq(p.field, "days[0].date");
	json_decref(days);
	days = J("[{\"date\":\"2031-03-05\",\"kind\":\"holiday\"}]");
	cr_assert_eq(deadline_calendar_put(db.s, &a, &admin, 2030, days, &out, &p), ERR_VALIDATION);
	json_decref(days);
	cr_assert_eq(deadline_calendar_get(db.s, &a, 2030, &out), 0);
	cr_assert_eq(json_array_size(json_object_get(out, "days")), 2, "errors changed nothing");
	json_decref(out);
	cr_assert_eq(deadline_calendar_get(db.s, &a, 1999, &out), ERR_NOTFOUND);
}
