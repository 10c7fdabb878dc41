/* rating_board.c: the ratings' endpoints as data: regions, drill-down, bodies, executors,
 * weights (docs/ratings.md). */
#include "analytics/rating_board.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/analytics.h"
#include "store/ratings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS    86400000LL
#define MSK_MS    (3 * 3600000LL)
#define SUM_CHUNK 256

static json_t *num(double v, double step)
{
	if (isnan(v) || isinf(v))
		return json_null();
	return json_real(rating_round(v, step));
}

static json_t *day_json(int32_t day)
{
	char s[11];
	stat_day_format(day, s);
	return json_string(s);
}

static json_t *period_json(int32_t from, int32_t to)
{
	return json_pack("{s:o,s:o}", "from", day_json(from), "to", day_json(to));
}

/* The last millisecond of a (Moscow) day. */
static int64_t day_end_ms(int32_t day)
{
	return ((int64_t)day + 1) * DAY_MS - MSK_MS - 1;
}

int ratings_period(const char *from, const char *to, int32_t today, int default_days, bool monthly,
                   struct dash_period *out, struct problem *p)
{
	memset(out, 0, sizeof(*out));
	int32_t f, t;
	int rc = dash_dates(from, to, today, default_days, &f, &t, p);
	if (rc)
		return rc;
	if (monthly && !(from && *from)) /* this month and the two before it */
		f = stat_month_first_day(stat_month_of_day(t) - 2);
	dash_period_span(monthly, f, t, out);
	return 0;
}

static json_t *period_pair(json_t *o, const struct dash_period *pd)
{
	json_t *cur = period_json(pd->from, pd->to);
	json_object_set_new(cur, "granularity", json_string(pd->monthly ? "month" : "day"));
	json_object_set_new(o, "period", cur);
	json_object_set_new(o, "previous", period_json(pd->prev_from, pd->prev_to));
	return o;
}

/* --- weights -------------------------------------------------------------------------------- */

int ratings_params_load(struct store_conn *c, struct arena *a, struct rating_params *out)
{
	rating_params_default(out);
	struct store_rows r;
	int rc = store_ratings_weights(c, a, &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		int k = rating_indicator_find(store_rows_get(&r, i, 0));
		int64_t w = store_rows_i64(&r, i, 1);
		if (k >= 0 && w >= 0 && w <= RATING_WEIGHT_MAX)
			out->weights[k] = (int)w;
	}
	return rc;
}

static const char *better(const struct rating_indicator *ind)
{
	return ind->good >= ind->bad ? "higher" : "lower";
}

json_t *ratings_weights_json(const struct rating_params *p)
{
	json_t *items = json_array();
	for (int k = 0; k < RI_COUNT; k++) {
		const struct rating_indicator *ind = &rating_indicators[k];
		json_array_append_new(
		    items,
		    json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:i,s:f,s:f}", "key", ind->key, "group",
		              rating_group_keys[ind->group], "unit", ind->unit, "better",
		              better(ind), "available", ind->available, "weight", p->weights[k],
		              "default_weight", ind->weight, "bad", ind->bad, "good", ind->good));
	}
	return json_pack("{s:f,s:i,s:I,s:f,s:o}", "scale", RATING_SCALE, "total",
	                 rating_weight_total(p), "min_appeals", (json_int_t)p->min_appeals,
	                 "shrink", p->shrink, "items", items);
}

static json_t *weights_map(const struct rating_params *p)
{
	json_t *o = json_object();
	for (int k = 0; k < RI_COUNT; k++)
		json_object_set_new(o, rating_indicators[k].key, json_integer(p->weights[k]));
	return o;
}

struct weights_job {
	const struct actor *who;
	struct arena *a;
	int set[RI_COUNT]; /* -1 = unchanged */
	struct rating_params before, after;
	struct problem *p;
};

static int weights_write(struct store_conn *c, void *arg)
{
	struct weights_job *j = arg;
	int rc = ratings_params_load(c, j->a, &j->before);
	if (rc)
		return rc;
	j->after = j->before;
	for (int k = 0; k < RI_COUNT; k++)
		if (j->set[k] >= 0)
			j->after.weights[k] = j->set[k];
	if (rating_weight_total(&j->after) <= 0) {
		j->p->message = "Хотя бы один показатель должен иметь вес больше нуля";
		j->p->field = "weights";
		return ERR_VALIDATION;
	}
	int64_t now = clock_now_ms();
	for (int k = 0; !rc && k < RI_COUNT; k++)
		if (j->set[k] >= 0)
			rc = store_ratings_weight_put(c, rating_indicators[k].key, j->set[k], now);
	if (!rc) {
		json_t *b = weights_map(&j->before), *af = weights_map(&j->after);
		rc = audit_record(c, j->who, "ratings.weights", "rating_weights", 0, b, af);
		json_decref(b);
		json_decref(af);
	}
	return rc;
}

int ratings_weights_put(struct store *s, struct arena *a, const struct actor *who, json_t *in,
                        json_t **out, struct problem *p)
{
	json_t *w = json_object_get(in, "weights");
	if (!json_is_object(w) || json_object_size(in) != 1) {
		p->message = "Ожидается объект {\"weights\": {показатель: вес}}";
		p->field = "weights";
		return ERR_INVALID;
	}
	struct weights_job j = {.who = who, .a = a, .p = p};
	for (int k = 0; k < RI_COUNT; k++)
		j.set[k] = -1;
	const char *key;
	json_t *v;
	json_object_foreach(w, key, v)
	{
		int k = rating_indicator_find(key);
		if (k < 0) {
			p->message = arena_printf(a, "Нет такого показателя: %s", key);
			p->field = arena_printf(a, "weights.%s", key);
			return ERR_VALIDATION;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > RATING_WEIGHT_MAX) {
			p->message = "Вес — целое число от 0 до 1000";
			p->field = arena_printf(a, "weights.%s", key);
			return ERR_VALIDATION;
		}
		j.set[k] = (int)json_integer_value(v);
	}
	int rc = store_write(s, weights_write, &j);
	if (rc)
		return rc;
	*out = ratings_weights_json(&j.after);
	return 0;
}

/* --- regions -------------------------------------------------------------------------------- */

struct region {
	int64_t id;
	const char *code, *name;
	int64_t orgs; /* bodies of the three kinds */
};

/* One period of every region. */
struct region_period {
	struct rating_region_in *in;
	struct rating_region_out *out;
	double avg[RI_COUNT];
};

static size_t region_index(const struct region *rg, size_t n, int64_t id)
{
	/* regions are few (85); ids come sorted by name, so a linear search */
	for (size_t i = 0; i < n; i++)
		if (rg[i].id == id)
			return i;
	return n;
}

static void appeal_values(const struct stat_sums *s, struct rating_region_in *in)
{
	double ans = (double)s->answered, rec = (double)s->received, rat = (double)s->rated;
	int64_t fast = 0;
	for (int h = 0; h < STAT_HIST && stat_hist_bounds[h] <= 24; h++)
		fast += s->hist[h];
	struct {
		int k;
		double n, d;
	} v[] = {
	    {RI_ON_TIME, (double)s->on_time, ans},
	    {RI_AVG_HOURS, (double)s->review_h_sum, ans},
	    {RI_FAST_ANSWERS, (double)fast, ans},
	    {RI_ANSWERED, ans, rec},
	    {RI_SATISFACTION, (double)s->satisfied, rat},
	    {RI_AVG_RATING, (double)s->rating_sum, rat},
	    {RI_REREVIEW, (double)s->rereview, rat},
	    {RI_LATE, (double)s->late, rec},
	    {RI_REDIRECT, (double)s->redirected, rec},
	    {RI_RATED, rat, ans},
	    {RI_REJECTED, (double)s->rejected, rec},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		in->value[v[i].k] = v[i].d > 0 ? v[i].n / v[i].d : NAN;
		in->sample[v[i].k] = v[i].d;
	}
	/* answers of the period may be to appeals of the period before: at most all */
	if (in->value[RI_ANSWERED] > 1)
		in->value[RI_ANSWERED] = 1;
	in->value[RI_MEDIAN_HOURS] = s->answered ? stat_median_review_h(s) : NAN;
	in->sample[RI_MEDIAN_HOURS] = ans;
	in->received = s->received;
}

static int kind_slot(const char *kind, int *connected, int *active)
{
	if (!strcmp(kind, "regional")) {
		*connected = RI_REGIONAL_CONNECTED;
		*active = RI_REGIONAL_ACTIVE;
	} else if (!strcmp(kind, "municipal")) {
		*connected = RI_MUNICIPAL_CONNECTED;
		*active = RI_MUNICIPAL_ACTIVE;
	} else if (!strcmp(kind, "social")) {
		*connected = RI_SOCIAL_CONNECTED;
		*active = RI_SOCIAL_ACTIVE;
	} else
		return -1;
	return 0;
}

static int region_period_load(struct store_conn *c, struct arena *a, struct region *rg, size_t n,
                              int32_t from, int32_t to, const struct rating_params *prm,
                              struct region_period *rp)
{
	rp->in = arena_alloc(a, (n + 1) * sizeof(*rp->in));
	rp->out = arena_alloc(a, (n + 1) * sizeof(*rp->out));
	memset(rp->in, 0, (n + 1) * sizeof(*rp->in));
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < RI_COUNT; k++)
			rp->in[i].value[k] = NAN;
	/* appeals: the rollups by region */
	int64_t *ids = xcalloc(n + 1, sizeof(int64_t));
	struct stat_sums *sums = xcalloc(n + 1, sizeof(*sums));
	for (size_t i = 0; i < n; i++)
		ids[i] = rg[i].id;
	struct stat_key base = {0};
	int rc = 0;
	for (size_t off = 0; !rc && off < n; off += SUM_CHUNK)
		rc = store_stat_sum_many(c, &base, 't', ids + off,
		                         n - off < SUM_CHUNK ? n - off : SUM_CHUNK, from, to,
		                         sums + off);
	for (size_t i = 0; !rc && i < n; i++)
		appeal_values(&sums[i], &rp->in[i]);
	free(ids);
	free(sums);
	/* bodies: connected (a staff account by the period's end) and active (answered in it) */
	struct store_rows r;
	double(*cnt)[3] = xcalloc(n + 1, sizeof(*cnt)); /* total, connected, active per kind... */
	double(*kinds)[3][3] = xcalloc(n + 1, sizeof(*kinds));
	if (!rc)
		rc = store_ratings_region_orgs(c, a, 0, day_end_ms(to), from, to, &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		size_t ri = region_index(rg, n, store_rows_i64(&r, i, 0));
		int kc, ka;
		if (ri == n || kind_slot(store_rows_get(&r, i, 3), &kc, &ka))
			continue;
		int slot = (kc - RI_REGIONAL_CONNECTED) / 2;
		kinds[ri][slot][0] += 1;
		kinds[ri][slot][1] += (double)store_rows_i64(&r, i, 4);
		kinds[ri][slot][2] += (double)store_rows_i64(&r, i, 5);
		rg[ri].orgs++;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		for (int slot = 0; slot < 3; slot++) {
			int kc = RI_REGIONAL_CONNECTED + 2 * slot, ka = kc + 1;
			double total = kinds[i][slot][0];
			rp->in[i].sample[kc] = rp->in[i].sample[ka] = total;
			rp->in[i].value[kc] = total > 0 ? kinds[i][slot][1] / total : NAN;
			rp->in[i].value[ka] = total > 0 ? kinds[i][slot][2] / total : NAN;
		}
	}
	if (!rc)
		rc = store_ratings_municipalities(c, a, day_end_ms(to), &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		size_t ri = region_index(rg, n, store_rows_i64(&r, i, 0));
		if (ri == n)
			continue;
		cnt[ri][0] += 1;
		cnt[ri][1] += (double)store_rows_i64(&r, i, 2);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		rp->in[i].sample[RI_MUNICIPALITIES_COVERED] = cnt[i][0];
		rp->in[i].value[RI_MUNICIPALITIES_COVERED] =
		    cnt[i][0] > 0 ? cnt[i][1] / cnt[i][0] : NAN;
	}
	free(cnt);
	free(kinds);
	if (!rc)
		rating_regions_score(rp->in, n, prm, rp->out, rp->avg);
	return rc;
}

static json_t *groups_json(const struct rating_region_out *o)
{
	json_t *g = json_object();
	for (int k = 0; k < RG_COUNT; k++) {
		bool any = false;
		for (int i = 0; i < RI_COUNT; i++)
			any |= rating_indicators[i].group == (enum rating_group)k &&
			       o->max_points[i] > 0;
		json_object_set_new(g, rating_group_keys[k],
		                    any ? num(o->group_points[k], 0.1) : json_null());
	}
	return g;
}

static json_t *rank_json(int rank)
{
	return rank ? json_integer(rank) : json_null();
}

static double mean_score(const struct rating_region_out *o, size_t n)
{
	double s = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (o[i].rated) {
			s += o[i].score;
			k++;
		}
	return k ? s / (double)k : NAN;
}

/* The brief line of a region: score, rank, previous, change. */
static json_t *region_brief(const struct region *rg, const struct rating_region_out *now,
                            const struct rating_region_out *before, int64_t received)
{
	enum rating_trend tr = rating_trend_of(now, before);
	bool both = now->rated && before->rated;
	return json_pack("{s:I,s:s,s:s,s:b,s:o,s:o,s:I,s:o,s:{s:b,s:o,s:o},s:o,s:o,s:s}", "id",
	                 (json_int_t)rg->id, "code", rg->code, "name", rg->name, "rated",
	                 now->rated, "score", now->rated ? num(now->score, 1) : json_null(), "rank",
	                 rank_json(now->rank), "received", (json_int_t)received, "groups",
	                 groups_json(now), "previous", "rated", before->rated, "score",
	                 before->rated ? num(before->score, 1) : json_null(), "rank",
	                 rank_json(before->rank), "change",
	                 both ? num(now->score - before->score, 1) : json_null(), "rank_change",
	                 both ? json_integer(before->rank - now->rank) : json_null(), "trend",
	                 rating_trend_name(tr));
}

static int cmp_brief(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t ra = json_integer_value(json_object_get(a, "rank"));
	json_int_t rb = json_integer_value(json_object_get(b, "rank"));
	if ((ra == 0) != (rb == 0))
		return ra == 0 ? 1 : -1;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(json_string_value(json_object_get(a, "name")),
	              json_string_value(json_object_get(b, "name")));
}

static json_t *indicator_json(struct arena *a, int k, const struct region *rg,
                              const struct rating_region_in *in, const struct rating_region_out *o,
                              const struct rating_region_in *pin,
                              const struct rating_region_out *po, const double *avg,
                              const struct rating_params *prm, const struct dash_period *pd)
{
	const struct rating_indicator *ind = &rating_indicators[k];
	double step = !strcmp(ind->unit, "hours") || !strcmp(ind->unit, "score") ? 0.01 : 0.0001;
	json_t *drill = json_null();
	if (ind->group == RG_APPEALS) {
		char f[11], t[11];
		stat_day_format(pd->from, f);
		stat_day_format(pd->to, t);
		drill = json_string(
		    arena_printf(a, "/api/ratings/regions/%lld/appeals?indicator=%s&from=%s&to=%s",
		                 (long long)rg->id, ind->key, f, t));
	}
	bool has = in->sample[k] > 0 && !isnan(in->value[k]);
	bool phas = pin->sample[k] > 0 && !isnan(pin->value[k]);
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o},s:o}", "key",
	                 ind->key, "group", rating_group_keys[ind->group], "unit", ind->unit,
	                 "better", better(ind), "available", ind->available, "weight",
	                 prm->weights[k], "max_points", num(o->max_points[k], 0.1), "points",
	                 ind->available ? num(o->points[k], 0.1) : json_null(), "value",
	                 has ? num(in->value[k], step) : json_null(), "sample",
	                 json_integer((json_int_t)in->sample[k]), "shrunk", num(o->shrunk[k], step),
	                 "average", num(avg[k], step), "previous", "value",
	                 phas ? num(pin->value[k], step) : json_null(), "points",
	                 ind->available ? num(po->points[k], 0.1) : json_null(), "drill", drill);
}

static int region_bodies_json(struct store_conn *c, struct arena *a, int64_t region_id,
                              const struct dash_period *pd, json_t **out)
{
	struct store_rows r;
	int rc =
	    store_ratings_region_orgs(c, a, region_id, day_end_ms(pd->to), pd->from, pd->to, &r);
	if (rc)
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < r.nrows; i++)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:b,s:b}", "id",
		                                     (json_int_t)store_rows_i64(&r, i, 1), "name",
		                                     store_rows_get(&r, i, 2), "kind",
		                                     store_rows_get(&r, i, 3), "connected",
		                                     store_rows_i64(&r, i, 4) != 0, "active",
		                                     store_rows_i64(&r, i, 5) != 0));
	*out = arr;
	return 0;
}

int ratings_regions(struct store_conn *c, struct arena *a, const struct dash_period *pd,
                    int64_t min_appeals, int64_t region_id, json_t **out)
{
	struct rating_params prm;
	int rc = ratings_params_load(c, a, &prm);
	if (rc)
		return rc;
	if (min_appeals > 0)
		prm.min_appeals = min_appeals;
	struct store_rows rr;
	if ((rc = store_ratings_regions(c, a, &rr)))
		return rc;
	size_t n = rr.nrows;
	struct region *rg = arena_alloc(a, (n + 1) * sizeof(*rg));
	for (size_t i = 0; i < n; i++) {
		rg[i].id = store_rows_i64(&rr, i, 0);
		rg[i].code = store_rows_get(&rr, i, 1);
		rg[i].name = store_rows_get(&rr, i, 2);
		rg[i].orgs = 0;
	}
	size_t me = region_id ? region_index(rg, n, region_id) : n;
	if (region_id && me == n)
		return ERR_NOTFOUND;
	struct region_period cur, prev;
	rc = region_period_load(c, a, rg, n, pd->from, pd->to, &prm, &cur);
	if (!rc)
		rc = region_period_load(c, a, rg, n, pd->prev_from, pd->prev_to, &prm, &prev);
	if (rc)
		return rc;
	json_t *o = period_pair(json_object(), pd);
	json_object_set_new(o, "scale", json_real(RATING_SCALE));
	json_object_set_new(o, "min_appeals", json_integer((json_int_t)prm.min_appeals));
	if (region_id) {
		const struct region *r = &rg[me];
		json_t *inds = json_array(), *bodies = NULL;
		for (int k = 0; k < RI_COUNT; k++)
			json_array_append_new(
			    inds, indicator_json(a, k, r, &cur.in[me], &cur.out[me], &prev.in[me],
			                         &prev.out[me], cur.avg, &prm, pd));
		rc = region_bodies_json(c, a, r->id, pd, &bodies);
		if (rc) {
			json_decref(inds);
			json_decref(o);
			return rc;
		}
		json_object_set_new(
		    o, "region", region_brief(r, &cur.out[me], &prev.out[me], cur.in[me].received));
		json_object_set_new(o, "indicators", inds);
		json_object_set_new(o, "bodies", bodies);
		*out = o;
		return 0;
	}
	/* the list: rated now or before, or with bodies or appeals */
	json_t **items = xcalloc(n + 1, sizeof(json_t *));
	size_t m = 0;
	int64_t counts[RT_NEW + 1] = {0}, rated = 0, unrated = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rating_region_out *now = &cur.out[i], *before = &prev.out[i];
		if (!now->rated && !before->rated && !rg[i].orgs && !cur.in[i].received)
			continue;
		counts[rating_trend_of(now, before)]++;
		if (now->rated)
			rated++;
		else
			unrated++;
		items[m++] = region_brief(&rg[i], now, before, cur.in[i].received);
	}
	qsort(items, m, sizeof(*items), cmp_brief);
	json_t *arr = json_array(), *top = json_array();
	for (size_t i = 0; i < m; i++) {
		json_int_t rank = json_integer_value(json_object_get(items[i], "rank"));
		if (rank >= 1 && rank <= 10)
			json_array_append(top, items[i]);
		json_array_append_new(arr, items[i]);
	}
	free(items);
	json_object_set_new(o, "average", num(mean_score(cur.out, n), 0.1));
	json_object_set_new(o, "previous_average", num(mean_score(prev.out, n), 0.1));
	json_object_set_new(
	    o, "counts",
	    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "rated", (json_int_t)rated, "unrated",
	              (json_int_t)unrated, "improved", (json_int_t)counts[RT_UP], "worsened",
	              (json_int_t)counts[RT_DOWN], "same", (json_int_t)counts[RT_SAME], "new",
	              (json_int_t)counts[RT_NEW]));
	json_object_set_new(o, "top", top);
	json_object_set_new(o, "items", arr);
	*out = o;
	return 0;
}

static const char *day_or_null(struct arena *a, int64_t day)
{
	if (day <= 0)
		return NULL;
	char s[11];
	stat_day_format((int32_t)day, s);
	return arena_strdup(a, s);
}

int ratings_drill(struct store_conn *c, struct arena *a, int64_t region_id, const char *indicator,
                  const struct dash_period *pd, bool bad_only, int64_t limit, int64_t offset,
                  json_t **out, struct problem *p)
{
	int k = indicator ? rating_indicator_find(indicator) : -1;
	if (k < 0 || rating_indicators[k].group != RG_APPEALS) {
		p->message = "Укажите показатель работы с обращениями (indicator)";
		p->field = "indicator";
		return ERR_INVALID;
	}
	bool exists = false;
	int rc = store_id_exists(c, "territories", region_id, &exists);
	if (rc)
		return rc;
	if (!exists)
		return ERR_NOTFOUND;
	struct store_rows r;
	int64_t total = 0;
	rc = store_ratings_drill(c, a, region_id, indicator, pd->from, pd->to, bad_only, limit,
	                         offset, &r, &total);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < r.nrows; i++) {
		int64_t rating = store_rows_i64(&r, i, 8);
		int64_t ad = store_rows_i64(&r, i, 14);
		json_array_append_new(
		    items,
		    json_pack(
		        "{s:I,s:s,s:I,s:s?,s:s?,s:s?,s:o,s:b,s:o,s:b,s:b,s:b,s:b,s:b,s:s?,s:s?}",
		        "id", (json_int_t)store_rows_i64(&r, i, 0), "status",
		        store_rows_get(&r, i, 1), "created_at",
		        (json_int_t)store_rows_i64(&r, i, 2), "topic_name",
		        store_rows_get(&r, i, 3), "territory_name", store_rows_get(&r, i, 4),
		        "org_name", store_rows_get(&r, i, 5), "review_hours",
		        ad ? json_integer(store_rows_i64(&r, i, 6)) : json_null(), "on_time",
		        ad && store_rows_i64(&r, i, 7) != 0, "rating",
		        rating ? json_integer(rating) : json_null(), "satisfied",
		        store_rows_i64(&r, i, 9) != 0, "rereview", store_rows_i64(&r, i, 10) != 0,
		        "redirected", store_rows_i64(&r, i, 11) != 0, "rejected",
		        store_rows_i64(&r, i, 12) != 0, "late", store_rows_i64(&r, i, 13) != 0,
		        "answered_day", day_or_null(a, ad), "rated_day",
		        day_or_null(a, store_rows_i64(&r, i, 15))));
	}
	json_t *o = period_pair(json_object(), pd);
	json_object_set_new(o, "indicator", json_string(indicator));
	json_object_set_new(o, "bad_only", json_boolean(bad_only));
	json_object_set_new(o, "total", json_integer((json_int_t)total));
	json_object_set_new(o, "items", items);
	*out = o;
	return 0;
}

/* --- bodies and executors -------------------------------------------------------------------- */

static void counts_of(const struct stat_sums *s, struct rating_counts *c)
{
	c->received = s->received;
	c->answered = s->answered;
	c->on_time = s->on_time;
	c->rated = s->rated;
	c->satisfied = s->satisfied;
	c->rereview = s->rereview;
	c->redirected = s->redirected;
	c->median_h = s->answered ? stat_median_review_h(s) : NAN;
}

static json_t *figures_json(const struct rating_counts *c, const struct rating_body_score *b)
{
	json_t *o = json_pack(
	    "{s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o}", "received",
	    (json_int_t)c->received, "answered", (json_int_t)c->answered, "rated",
	    (json_int_t)c->rated, "on_time_share",
	    num(c->answered ? (double)c->on_time / (double)c->answered : NAN, 0.0001),
	    "median_review_hours", num(c->median_h, 0.1), "satisfaction",
	    num(c->rated ? (double)c->satisfied / (double)c->rated : NAN, 0.0001), "rereview_share",
	    num(c->rated ? (double)c->rereview / (double)c->rated : NAN, 0.0001), "redirect_share",
	    c->redirected < 0
	        ? json_null()
	        : num(c->received ? (double)c->redirected / (double)c->received : NAN, 0.0001),
	    "ranked", b->ranked, "rank", rank_json(b->rank), "score", num(b->score, 0.1), "speed",
	    num(b->speed, 0.1), "quality", num(b->quality, 0.1), "rank_speed",
	    rank_json(b->rank_speed), "rank_load", rank_json(b->rank_load));
	json_object_set_new(o, "rank_quality", rank_json(b->rank_quality));
	return o;
}

/* One entry of a bodies/executors table: figures now, previous, change. */
static json_t *entry_json(json_t *head, const struct rating_counts *c,
                          const struct rating_body_score *b, const struct rating_counts *pc,
                          const struct rating_body_score *pb)
{
	json_t *fig = figures_json(c, b);
	json_object_update(head, fig);
	json_decref(fig);
	json_t *prev = figures_json(pc, pb);
	json_object_set_new(head, "previous", prev);
	bool both = b->rank && pb->rank;
	json_object_set_new(head, "change", both ? num(b->score - pb->score, 0.1) : json_null());
	json_object_set_new(head, "rank_change",
	                    both ? json_integer(pb->rank - b->rank) : json_null());
	return head;
}

static int cmp_entry(const void *x, const void *y)
{
	return cmp_brief(x, y);
}

static json_t *table_json(json_t **items, size_t n, const struct dash_period *pd,
                          int64_t min_sample)
{
	qsort(items, n, sizeof(*items), cmp_entry);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	json_t *o = period_pair(json_object(), pd);
	json_object_set_new(o, "min_sample", json_integer((json_int_t)min_sample));
	json_object_set_new(o, "shrink", json_real(RATING_BODY_SHRINK));
	json_object_set_new(o, "items", arr);
	return o;
}

/* Adds the orgs of one subtree to the set (no duplicates). */
struct org_set {
	struct store_rows *parts;
	size_t nparts;
	int64_t *ids;
	size_t n, cap;
	size_t *part, *row;
};

static int org_set_add(struct store_conn *c, struct arena *a, struct org_set *s, int64_t org_root,
                       int64_t terr_root)
{
	s->parts = xrealloc(s->parts, (s->nparts + 1) * sizeof(*s->parts));
	struct store_rows *r = &s->parts[s->nparts];
	int rc = store_ratings_orgs(c, a, org_root, terr_root, RATINGS_MAX_ORGS, r);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->nrows && s->n < RATINGS_MAX_ORGS; i++) {
		int64_t id = store_rows_i64(r, i, 0);
		bool dup = false;
		for (size_t k = 0; k < s->n && !dup; k++)
			dup = s->ids[k] == id;
		if (dup)
			continue;
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->ids = xrealloc(s->ids, s->cap * sizeof(*s->ids));
			s->part = xrealloc(s->part, s->cap * sizeof(*s->part));
			s->row = xrealloc(s->row, s->cap * sizeof(*s->row));
		}
		s->ids[s->n] = id;
		s->part[s->n] = s->nparts;
		s->row[s->n] = i;
		s->n++;
	}
	s->nparts++;
	return 0;
}

static void org_set_free(struct org_set *s)
{
	free(s->parts);
	free(s->ids);
	free(s->part);
	free(s->row);
}

int ratings_bodies(struct store_conn *c, struct arena *a, const struct actor *who, int64_t org_id,
                   int64_t territory_id, const struct dash_period *pd, int64_t min_sample,
                   json_t **out, struct problem *p)
{
	struct org_set set = {0};
	int rc = 0;
	bool ok = false;
	if (org_id) {
		rc = perm_org_scope(c, who, ROLE_SUPERVISOR, org_id, &ok);
		if (!rc && !ok) {
			/* a coordinator covers the orgs of their territories */
			struct store_rows r;
			rc = store_ratings_orgs(c, a, org_id, 0, 1, &r);
			if (!rc && r.nrows && !store_rows_isnull(&r, 0, 5))
				rc = perm_territory_scope(c, who, ROLE_COORDINATOR,
				                          store_rows_i64(&r, 0, 5), &ok);
		}
		if (!rc && !ok)
			goto forbidden;
		if (!rc)
			rc = org_set_add(c, a, &set, org_id, 0);
	} else if (territory_id) {
		rc = perm_territory_scope(c, who, ROLE_COORDINATOR, territory_id, &ok);
		if (!rc && !ok)
			goto forbidden;
		if (!rc)
			rc = org_set_add(c, a, &set, 0, territory_id);
	} else if (who->roles & ROLE_ADMIN) {
		rc = org_set_add(c, a, &set, 0, 0);
	} else {
		for (size_t i = 0; !rc && i < who->ngrants; i++) {
			const struct grant *g = &who->grants[i];
			if (g->role == ROLE_SUPERVISOR && g->org_id)
				rc = org_set_add(c, a, &set, g->org_id, 0);
			else if (g->role == ROLE_COORDINATOR && g->territory_id)
				rc = org_set_add(c, a, &set, 0, g->territory_id);
		}
	}
	if (rc)
		goto out;
	if (min_sample <= 0)
		min_sample = RATING_BODY_MIN;
	size_t n = set.n;
	struct stat_sums *sums = xcalloc(2 * n + 1, sizeof(*sums));
	struct rating_counts *cnt = xcalloc(2 * n + 1, sizeof(*cnt));
	struct rating_body_score *sc = xcalloc(2 * n + 1, sizeof(*sc));
	struct stat_key base = {0};
	for (size_t off = 0; !rc && off < n; off += SUM_CHUNK) {
		size_t k = n - off < SUM_CHUNK ? n - off : SUM_CHUNK;
		rc = store_stat_sum_many(c, &base, 'o', set.ids + off, k, pd->from, pd->to,
		                         sums + off);
		if (!rc)
			rc = store_stat_sum_many(c, &base, 'o', set.ids + off, k, pd->prev_from,
			                         pd->prev_to, sums + n + off);
	}
	if (!rc) {
		for (size_t i = 0; i < 2 * n; i++)
			counts_of(&sums[i], &cnt[i]);
		rating_bodies_score(cnt, n, min_sample, RATING_BODY_SHRINK, sc);
		rating_bodies_score(cnt + n, n, min_sample, RATING_BODY_SHRINK, sc + n);
		json_t **items = xcalloc(n + 1, sizeof(json_t *));
		for (size_t i = 0; i < n; i++) {
			const struct store_rows *r = &set.parts[set.part[i]];
			size_t row = set.row[i];
			json_t *head =
			    json_pack("{s:I,s:s,s:s?,s:s,s:s?}", "id", (json_int_t)set.ids[i],
			              "name", store_rows_get(r, row, 1), "short_name",
			              store_rows_get(r, row, 2), "kind", store_rows_get(r, row, 3),
			              "territory_name", store_rows_get(r, row, 4));
			items[i] = entry_json(head, &cnt[i], &sc[i], &cnt[n + i], &sc[n + i]);
		}
		*out = table_json(items, n, pd, min_sample);
		free(items);
	}
	free(sums);
	free(cnt);
	free(sc);
out:
	org_set_free(&set);
	return rc;
forbidden:
	org_set_free(&set);
	p->message = "Рейтинг этих органов вам недоступен";
	p->field = org_id ? "org_id" : "territory_id";
	return ERR_FORBIDDEN;
}

static int executor_counts(struct store_conn *c, struct arena *a, int64_t org_id, int32_t from,
                           int32_t to, struct store_rows *r)
{
	return store_stat_executors(c, a, org_id, from, to, r);
}

static void exec_row(const struct store_rows *r, size_t i, struct rating_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->answered = store_rows_i64(r, i, 1);
	c->on_time = store_rows_i64(r, i, 2);
	c->median_h = store_rows_isnull(r, i, 3) ? NAN : store_rows_f64(r, i, 3);
	c->rated = store_rows_i64(r, i, 4);
	c->satisfied = store_rows_i64(r, i, 5);
	c->rereview = store_rows_i64(r, i, 6);
	c->received = store_rows_i64(r, i, 7);
	c->redirected = -1; /* not kept per executor */
}

int ratings_executors(struct store_conn *c, struct arena *a, const struct actor *who,
                      int64_t org_id, const struct dash_period *pd, int64_t min_sample,
                      json_t **out, struct problem *p)
{
	if (!org_id)
		for (size_t i = 0; i < who->ngrants && !org_id; i++)
			if (who->grants[i].role == ROLE_SUPERVISOR)
				org_id = who->grants[i].org_id;
	if (!org_id) {
		p->message = "Укажите организацию (org_id)";
		p->field = "org_id";
		return ERR_INVALID;
	}
	bool exists = false, ok = false;
	int rc = store_id_exists(c, "orgs", org_id, &exists);
	if (!rc && !exists) {
		p->message = "Нет такой организации";
		p->field = "org_id";
		return ERR_INVALID;
	}
	if (!rc)
		rc = perm_org_scope(c, who, ROLE_SUPERVISOR, org_id, &ok);
	if (rc)
		return rc;
	if (!ok) {
		p->message = "Рейтинг исполнителей этой организации вам недоступен";
		p->field = "org_id";
		return ERR_FORBIDDEN;
	}
	if (min_sample <= 0)
		min_sample = RATING_BODY_MIN;
	struct store_rows now, before;
	rc = executor_counts(c, a, org_id, pd->from, pd->to, &now);
	if (!rc)
		rc = executor_counts(c, a, org_id, pd->prev_from, pd->prev_to, &before);
	if (rc)
		return rc;
	/* every executor seen in either period, each with both periods' counts */
	size_t cap = now.nrows + before.nrows + 1, n = 0;
	int64_t *ids = xcalloc(cap, sizeof(int64_t));
	struct rating_counts *cnt = xcalloc(2 * cap, sizeof(*cnt));
	for (int per = 0; per < 2; per++) {
		const struct store_rows *r = per ? &before : &now;
		for (size_t i = 0; i < r->nrows; i++) {
			int64_t id = store_rows_i64(r, i, 0);
			size_t k = 0;
			while (k < n && ids[k] != id)
				k++;
			if (k == n) {
				ids[n] = id;
				cnt[k].median_h = cnt[cap + k].median_h = NAN;
				cnt[k].redirected = cnt[cap + k].redirected = -1;
				n++;
			}
			exec_row(r, i, &cnt[per * cap + k]);
		}
	}
	struct rating_counts *prevc = xcalloc(n + 1, sizeof(*prevc));
	memcpy(prevc, cnt + cap, n * sizeof(*prevc));
	struct rating_body_score *sc = xcalloc(2 * n + 1, sizeof(*sc));
	rating_bodies_score(cnt, n, min_sample, RATING_BODY_SHRINK, sc);
	rating_bodies_score(prevc, n, min_sample, RATING_BODY_SHRINK, sc + n);
	json_t **items = xcalloc(n + 1, sizeof(json_t *));
	for (size_t i = 0; !rc && i < n; i++) {
		const char *name = NULL;
		rc = store_ratings_user_name(c, a, ids[i], &name);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			name = "—";
		}
		json_t *head =
		    json_pack("{s:I,s:s}", "id", (json_int_t)ids[i], "name", name ? name : "—");
		items[i] = entry_json(head, &cnt[i], &sc[i], &prevc[i], &sc[n + i]);
	}
	if (!rc) {
		*out = table_json(items, n, pd, min_sample);
		json_object_set_new(*out, "org_id", json_integer((json_int_t)org_id));
	} else
		for (size_t i = 0; i < n; i++)
			json_decref(items[i]);
	free(items);
	free(ids);
	free(cnt);
	free(prevc);
	free(sc);
	return rc;
}
