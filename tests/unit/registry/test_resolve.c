/* test_resolve.c: unit tests for registry/resolve.c, the competence resolver: rule
 * specificity (topic > category > any), territory depth, ties, point in polygon. */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/demo.h"
#include "registry/registry.h"
#include "store/testdb.h"

#include <jansson.h>
#include <string.h>

static struct testdb db;
static struct arena a;
static const struct actor admin = {.roles = ROLE_ADMIN, .request_id = "test"};

/* A test territory tree far from Russia (South Pacific), so no demo polygon holds it:
 *   T1 (lon -130..-110, lat -50..-30)
 *   ├─ T2 (lon -125..-115, lat -45..-35)
 *   │   └─ T3 (lon -122..-118, lat -42..-38)
 *   └─ T2b (lon -112..-111, lat -32..-31)          */
static int64_t t1, t2, t3, t2b, cat_c, cat_d, topic_x, topic_y, topic_z;
static int64_t org[6];

static int64_t create(const struct entity_desc *d, const char *text)
{
	json_error_t err;
	json_t *in = json_loads(text, 0, &err);
	cr_assert_not_null(in, "%s: %s", text, err.text);
	json_t *out = NULL;
	struct problem p = {0};
	int rc = registry_create(db.s, &a, &admin, d, in, &out, &p);
	json_decref(in);
	cr_assert_eq(rc, 0, "create %s: %s", text, p.message ? p.message : "");
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

static int64_t territory(const char *code, int64_t parent, double lon0, double lat0, double lon1,
                         double lat1)
{
	int64_t id = create(&registry_territories,
	                    parent ? arena_printf(&a,
	                                          "{\"code\":\"%s\",\"kind\":\"municipality\","
	                                          "\"name\":\"%s\",\"parent_id\":%lld}",
	                                          code, code, (long long)parent)
	                           : arena_printf(&a,
	                                          "{\"code\":\"%s\",\"kind\":\"region\","
	                                          "\"name\":\"%s\"}",
	                                          code, code));
	const char *poly = arena_printf(&a,
	                                "{\"type\":\"Polygon\",\"coordinates\":[[[%g,%g],[%g,%g],"
	                                "[%g,%g],[%g,%g],[%g,%g]]]}",
	                                lon0, lat0, lon1, lat0, lon1, lat1, lon0, lat1, lon0, lat0);
	struct problem p = {0};
	cr_assert_eq(registry_set_polygon(db.s, &a, &admin, id, poly, strlen(poly), &p), 0, "%s",
	             p.message ? p.message : "");
	return id;
}

static void setup(void)
{
	log_set_level(LOG_ERROR);
	testdb_open(&db, true);
	arena_init(&a, 1 << 14);
	cr_assert_eq(demo_load(db.s), 0, "demo_load");
	t1 = territory("t-t1", 0, -130, -50, -110, -30);
	t2 = territory("t-t2", t1, -125, -45, -115, -35);
	t3 = territory("t-t3", t2, -122, -42, -118, -38);
	t2b = territory("t-t2b", t1, -112, -32, -111, -31);
	cat_c = create(&registry_categories, "{\"code\":\"t-cat-c\",\"name\":\"C\"}");
	cat_d = create(&registry_categories, "{\"code\":\"t-cat-d\",\"name\":\"D\"}");
	topic_x = create(&registry_topics,
	                 arena_printf(&a,
	                              "{\"code\":\"t-x\",\"name\":\"X\",\"category_id\":%lld,"
	                              "\"deadline\":5,\"deadline_unit\":\"wdays\"}",
	                              (long long)cat_c));
	topic_y = create(&registry_topics,
	                 arena_printf(&a,
	                              "{\"code\":\"t-y\",\"name\":\"Y\",\"category_id\":%lld,"
	                              "\"deadline\":5,\"deadline_unit\":\"wdays\"}",
	                              (long long)cat_c));
	topic_z = create(&registry_topics,
	                 arena_printf(&a,
	                              "{\"code\":\"t-z\",\"name\":\"Z\",\"category_id\":%lld,"
	                              "\"deadline\":5,\"deadline_unit\":\"hours\"}",
	                              (long long)cat_d));
	for (int i = 0; i < 6; i++)
		org[i] = create(&registry_orgs,
		                arena_printf(&a,
		                             "{\"code\":\"t-org%d\",\"name\":\"Орган %d\","
		                             "\"kind\":\"regional\"}",
		                             i, i));
}

static void teardown(void)
{
	arena_release(&a);
	testdb_close(&db);
}

TestSuite(resolve, .init = setup, .fini = teardown);

static int rule_n;

/* A rule; topic/category/territory 0 = none. Returns its id. */
static int64_t rule(int64_t topic, int64_t category, int64_t terr, int64_t org_id)
{
	const char *t = topic ? arena_printf(&a, ",\"topic_id\":%lld", (long long)topic) : "";
	const char *c =
	    category ? arena_printf(&a, ",\"category_id\":%lld", (long long)category) : "";
	const char *tr = terr ? arena_printf(&a, ",\"territory_id\":%lld", (long long)terr) : "";
	return create(&registry_rules,
	              arena_printf(&a, "{\"code\":\"t-rule%d\",\"org_id\":%lld%s%s%s}", ++rule_n,
	                           (long long)org_id, t, c, tr));
}

static struct route_result resolve(int64_t topic, int64_t terr)
{
	struct route_result r;
	struct problem p = {0};
	int rc = registry_resolve(db.s, &a, topic, terr, false, 0, 0, &r, &p);
	cr_assert_eq(rc, 0, "resolve: %s", p.message ? p.message : "");
	cr_assert_not_null(r.reason);
	return r;
}

static struct route_result resolve_at(int64_t topic, int64_t terr, double lat, double lon)
{
	struct route_result r;
	struct problem p = {0};
	int rc = registry_resolve(db.s, &a, topic, terr, true, lat, lon, &r, &p);
	cr_assert_eq(rc, 0, "resolve: %s", p.message ? p.message : "");
	return r;
}

Test(resolve, topic_beats_category_beats_any)
{
	int64_t r_any = rule(0, 0, t1, org[1]);
	int64_t r_cat = rule(0, cat_c, t1, org[2]);
	int64_t r_topic = rule(topic_x, 0, t1, org[3]);

	struct route_result r = resolve(topic_x, t3);
	cr_expect_eq(r.org_id, org[3], "a rule naming the topic wins");
	cr_expect_eq(r.rule_id, r_topic);
	cr_expect_eq(r.territory_id, t3);

	r = resolve(topic_y, t3);
	cr_expect_eq(r.org_id, org[2], "same category, no topic rule: the category rule");
	cr_expect_eq(r.rule_id, r_cat);

	r = resolve(topic_z, t3);
	cr_expect_eq(r.org_id, org[1], "other category: the any-topic rule");
	cr_expect_eq(r.rule_id, r_any);
}

Test(resolve, specificity_beats_depth)
{
	rule(topic_x, 0, t1, org[1]); /* topic, shallow */
	rule(0, cat_c, t3, org[2]);   /* category, deep */
	rule(0, 0, t3, org[3]);       /* any, deep */
	cr_expect_eq(resolve(topic_x, t3).org_id, org[1],
	             "topic at the region beats category in the town");
	cr_expect_eq(resolve(topic_y, t3).org_id, org[2]);
	cr_expect_eq(resolve(topic_z, t3).org_id, org[3]);
	cr_expect_eq(resolve(topic_y, t2).org_id, 0, "the town's category rule does not cover T2");
}

Test(resolve, deeper_territory_wins)
{
	int64_t r_none = rule(topic_x, 0, 0, org[0]);
	int64_t r_t1 = rule(topic_x, 0, t1, org[1]);
	int64_t r_t2 = rule(topic_x, 0, t2, org[2]);

	struct route_result r = resolve(topic_x, t3);
	cr_expect_eq(r.rule_id, r_t2, "the nearest ancestor of T3 with a rule");
	cr_expect_eq(r.org_id, org[2]);
	cr_expect_eq(resolve(topic_x, t2).rule_id, r_t2);
	cr_expect_eq(resolve(topic_x, t1).rule_id, r_t1);
	cr_expect_eq(resolve(topic_x, t2b).rule_id, r_t1,
	             "a sibling branch gets the region's rule");
	r = resolve(topic_x, 0);
	cr_expect_eq(r.rule_id, r_none, "no territory: only a rule without territory applies");
	cr_expect_eq(r.territory_id, 0);
	/* A territory elsewhere (a demo region) falls back to the territory-less rule. */
	cr_expect_eq(resolve(topic_x, t1 - 1).rule_id, r_none);
}

Test(resolve, tie_goes_to_oldest_rule)
{
	int64_t first = rule(topic_x, 0, t2, org[4]);
	int64_t second = rule(topic_x, 0, t2, org[5]);
	cr_assert_lt(first, second);
	struct route_result r = resolve(topic_x, t3);
	cr_expect_eq(r.rule_id, first);
	cr_expect_eq(r.org_id, org[4]);
	/* Still the oldest after the newer one is edited. */
	json_t *in = json_pack("{s:s}", "code", "t-rule-renamed");
	json_t *out = NULL;
	struct problem p = {0};
	cr_assert_eq(registry_update(db.s, &a, &admin, &registry_rules, second, in, &out, &p), 0);
	json_decref(in);
	json_decref(out);
	cr_expect_eq(resolve(topic_x, t3).rule_id, first);
}

Test(resolve, no_rule_gives_no_org)
{
	struct route_result r = resolve(topic_x, t3);
	cr_expect_eq(r.org_id, 0, "no rule: the coordinator's queue");
	cr_expect_eq(r.rule_id, 0);
	cr_expect_eq(r.territory_id, t3, "the territory is kept for the triage queue");
	cr_expect_gt(strlen(r.reason), 0);
	rule(topic_x, 0, t2b, org[1]);
	cr_expect_eq(resolve(topic_x, t3).org_id, 0, "a rule for another branch does not apply");
}

Test(resolve, inactive_org_rule_skipped)
{
	int64_t r_t1 = rule(topic_x, 0, t1, org[1]);
	rule(topic_x, 0, t3, org[2]);
	json_t *in = json_pack("{s:b}", "active", 0);
	json_t *out = NULL;
	struct problem p = {0};
	cr_assert_eq(registry_update(db.s, &a, &admin, &registry_orgs, org[2], in, &out, &p), 0);
	json_decref(in);
	json_decref(out);
	cr_expect_eq(resolve(topic_x, t3).rule_id, r_t1);
}

Test(resolve, point_picks_deepest_territory)
{
	cr_expect_eq(resolve_at(topic_x, 0, -40, -120).territory_id, t3, "inside T3 (and T2, T1)");
	cr_expect_eq(resolve_at(topic_x, 0, -36, -116).territory_id, t2, "inside T2, not T3");
	cr_expect_eq(resolve_at(topic_x, 0, -31.5, -111.5).territory_id, t2b);
	cr_expect_eq(resolve_at(topic_x, 0, -48, -128).territory_id, t1, "only in T1");
	cr_expect_eq(resolve_at(topic_x, 0, -42, -122).territory_id, t3,
	             "a corner of T3 belongs to T3");
	cr_expect_eq(resolve_at(topic_x, 0, -10, -150).territory_id, 0, "open ocean");
	/* The point overrides the territory given, and the rules follow. */
	int64_t r_t2 = rule(topic_x, 0, t2, org[2]);
	int64_t r_t2b = rule(topic_x, 0, t2b, org[3]);
	struct route_result r = resolve_at(topic_x, t2b, -40, -120);
	cr_expect_eq(r.territory_id, t3);
	cr_expect_eq(r.rule_id, r_t2);
	r = resolve_at(topic_x, t2b, -10, -150);
	cr_expect_eq(r.territory_id, t2b, "a point outside every polygon keeps the territory");
	cr_expect_eq(r.rule_id, r_t2b);
}

Test(resolve, point_in_demo_municipality)
{
	/* Kaluga city centre lies in the klu-kaluga polygon, inside the Kaluga region. */
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	int64_t kaluga = 0;
	cr_assert_eq(store_id_by_code(c, "territories", "klu-kaluga", &kaluga), 0);
	int64_t topic = 0;
	cr_assert_eq(store_id_by_code(c, "topics", "health-drugs", &topic), 0);
	int64_t minzdrav = 0;
	cr_assert_eq(store_id_by_code(c, "orgs", "klu-minzdrav", &minzdrav), 0);
	store_conn_put(db.s, c);
	struct route_result r = resolve_at(topic, 0, 54.5293, 36.2754);
	cr_expect_eq(r.territory_id, kaluga);
	cr_expect_eq(r.org_id, minzdrav, "the region's health rule covers the city");
}

Test(resolve, polygon_change_is_seen)
{
	cr_expect_eq(resolve_at(topic_x, 0, -40, -120).territory_id, t3);
	/* Move T3 elsewhere (inside T2b's box): the cache must follow. */
	const char *poly = "{\"type\":\"Polygon\",\"coordinates\":[[[-111.9,-31.9],[-111.1,-31.9],"
	                   "[-111.1,-31.1],[-111.9,-31.1],[-111.9,-31.9]]]}";
	struct problem p = {0};
	cr_assert_eq(registry_set_polygon(db.s, &a, &admin, t3, poly, strlen(poly), &p), 0);
	cr_expect_eq(resolve_at(topic_x, 0, -40, -120).territory_id, t2);
	cr_expect_eq(resolve_at(topic_x, 0, -31.5, -111.5).territory_id, t3,
	             "T3 (depth 3) now beats T2b (depth 2) at this point");
}

Test(resolve, errors)
{
	struct route_result r;
	struct problem p = {0};
	cr_expect_eq(registry_resolve(db.s, &a, 999999, t1, false, 0, 0, &r, &p), ERR_VALIDATION);
	cr_expect(p.field && !strcmp(p.field, "topic_id"));
	memset(&p, 0, sizeof(p));
	cr_expect_eq(registry_resolve(db.s, &a, topic_x, 999999, false, 0, 0, &r, &p),
	             ERR_VALIDATION);
	cr_expect(p.field && !strcmp(p.field, "territory_id"));
}
