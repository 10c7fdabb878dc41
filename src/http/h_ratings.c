/* h_ratings.c: the ratings endpoints (docs/ratings.md); the work is in analytics/rating_board.c. */
#include "http/h_ratings.h"
#include "analytics/rating_board.h"
#include "auth/perm.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/analytics.h"

#include <string.h>

static int fail_p(struct req *r, int rc, const struct problem *p)
{
	return http_fail(r, rc, p->message, p->field);
}

/* The period of from/to; monthly for bodies (their rollups are kept by month). */
static int period(struct req *r, bool monthly, struct dash_period *pd)
{
	struct problem p = {0};
	int rc =
	    ratings_period(http_query(r, "from"), http_query(r, "to"),
	                   stat_day_of_ms(clock_now_ms()), RATINGS_DEFAULT_DAYS, monthly, pd, &p);
	return rc ? fail_p(r, rc, &p) : 0;
}

/* Renders out (200), or the error with its message and field. */
static int answer(struct req *r, int rc, json_t *out, const struct problem *p)
{
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, p->message ? p->message : "Регион не найден", p->field);
	if (rc)
		return p->message ? fail_p(r, rc, p) : http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

static int regions(struct req *r, int64_t id)
{
	struct dash_period pd;
	int64_t min_appeals = 0;
	int rc = period(r, false, &pd);
	if (!rc)
		rc = http_query_int(r, "min_appeals", 1, 1000000, &min_appeals);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	json_t *out = NULL;
	struct problem p = {0};
	rc = ratings_regions(c, r->a, &pd, min_appeals, id, &out);
	store_conn_put(r->store, c);
	return answer(r, rc, out, &p);
}

int h_ratings_regions(struct req *r)
{
	return regions(r, 0);
}

int h_ratings_region(struct req *r)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Регион не найден", NULL);
	return regions(r, id);
}

int h_ratings_region_appeals(struct req *r)
{
	int64_t id, limit = 50, offset = 0;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Регион не найден", NULL);
	struct dash_period pd;
	int rc = period(r, false, &pd);
	if (!rc)
		rc = http_query_int(r, "limit", 1, 100, &limit);
	if (!rc)
		rc = http_query_int(r, "offset", 0, 100000000, &offset);
	if (rc)
		return rc;
	const char *only = http_query(r, "only");
	if (only && strcmp(only, "bad") && strcmp(only, "all"))
		return http_fail(r, ERR_INVALID, "only: bad или all", "only");
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	bool ok = false;
	json_t *out = NULL;
	struct problem p = {0};
	rc = perm_territory_scope(c, &r->actor, ROLE_COORDINATOR, id, &ok);
	if (!rc && !ok) {
		p.message = "Обращения этого региона вам недоступны";
		rc = ERR_FORBIDDEN;
	}
	if (!rc)
		rc = ratings_drill(c, r->a, id, http_query(r, "indicator"), &pd,
		                   only && !strcmp(only, "bad"), limit, offset, &out, &p);
	store_conn_put(r->store, c);
	return answer(r, rc, out, &p);
}

int h_ratings_bodies(struct req *r)
{
	struct dash_period pd;
	int64_t org_id = 0, territory_id = 0, min_sample = 0;
	int rc = period(r, true, &pd);
	if (!rc)
		rc = http_query_int(r, "org_id", 1, INT64_MAX, &org_id);
	if (!rc)
		rc = http_query_int(r, "territory_id", 1, INT64_MAX, &territory_id);
	if (!rc)
		rc = http_query_int(r, "min_sample", 1, 1000000, &min_sample);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	json_t *out = NULL;
	struct problem p = {0};
	rc = ratings_bodies(c, r->a, &r->actor, org_id, territory_id, &pd, min_sample, &out, &p);
	store_conn_put(r->store, c);
	return answer(r, rc, out, &p);
}

int h_ratings_executors(struct req *r)
{
	struct dash_period pd;
	int64_t org_id = 0, min_sample = 0;
	int rc = period(r, false, &pd);
	if (!rc)
		rc = http_query_int(r, "org_id", 1, INT64_MAX, &org_id);
	if (!rc)
		rc = http_query_int(r, "min_sample", 1, 1000000, &min_sample);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	json_t *out = NULL;
	struct problem p = {0};
	rc = ratings_executors(c, r->a, &r->actor, org_id, &pd, min_sample, &out, &p);
	store_conn_put(r->store, c);
	return answer(r, rc, out, &p);
}

int h_ratings_weights_get(struct req *r)
{
	struct store_conn *c;
	int rc = store_conn_get(r->store, &c);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	struct rating_params prm;
	rc = ratings_params_load(c, r->a, &prm);
	store_conn_put(r->store, c);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, ratings_weights_json(&prm));
}

int h_ratings_weights_put(struct req *r)
{
	json_t *in, *out = NULL;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	struct problem p = {0};
	rc = ratings_weights_put(r->store, r->a, &r->actor, in, &out, &p);
	json_decref(in);
	return answer(r, rc, out, &p);
}
