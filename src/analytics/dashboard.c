/* dashboard.c: filters, scope, periods and the dashboard's answers (docs/analytics.md). */
#include "analytics/dashboard.h"
#include "auth/perm.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/dashboard.h"
#include "store/entity.h"
#include "store/problems.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct problem *p, int rc, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return rc;
}

/* --- filters, scope, periods ---------------------------------------------------------------- */

int dash_dates(const char *from, const char *to, int32_t today, int32_t default_days,
               int32_t *out_from, int32_t *out_to, struct problem *p)
{
	int32_t t = today, f;
	if (to && *to && !stat_day_parse(to, &t))
		return bad(p, ERR_INVALID, "Дата должна быть в формате ГГГГ-ММ-ДД", "to");
	f = t - (default_days - 1);
	if (from && *from && !stat_day_parse(from, &f))
		return bad(p, ERR_INVALID, "Дата должна быть в формате ГГГГ-ММ-ДД", "from");
	if (f > t)
		return bad(p, ERR_INVALID, "Начало периода позже его конца", "from");
	if (t - f + 1 > DASH_MAX_DAYS)
		return bad(p, ERR_INVALID, "Период не может быть длиннее 10 лет", "from");
	*out_from = f;
	*out_to = t;
	return 0;
}

void dash_period_of(const struct stat_key *k, int32_t from, int32_t to, struct dash_period *out)
{
	dash_period_span(!stat_key_daily(k), from, to, out);
}

void dash_period_span(bool monthly, int32_t from, int32_t to, struct dash_period *out)
{
	out->monthly = monthly;
	if (!out->monthly) {
		int32_t n = to - from + 1;
		out->from = from;
		out->to = to;
		out->prev_to = from - 1;
		out->prev_from = from - n;
		return;
	}
	int32_t m0 = stat_month_of_day(from), m1 = stat_month_of_day(to), nm = m1 - m0 + 1;
	out->from = stat_month_first_day(m0);
	out->to = stat_month_last_day(m1);
	out->prev_from = stat_month_first_day(m0 - nm);
	out->prev_to = stat_month_last_day(m0 - 1);
}

int dash_filter_parse(struct store_conn *c, const struct dash_args *in, int32_t today,
                      struct dash_filter *out, struct problem *p)
{
	memset(out, 0, sizeof(*out));
	int rc = dash_dates(in->from, in->to, today, DASH_DEFAULT_DAYS, &out->from, &out->to, p);
	if (rc)
		return rc;
	static const struct {
		const char *table, *field, *message;
		size_t off;
	} ids[] = {
	    {"territories", "territory_id", "Территория не найдена",
	     offsetof(struct dash_args, territory_id)},
	    {"categories", "category_id", "Категория не найдена",
	     offsetof(struct dash_args, category_id)},
	    {"orgs", "org_id", "Организация не найдена", offsetof(struct dash_args, org_id)},
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int64_t id = *(const int64_t *)((const char *)in + ids[i].off);
		if (!id)
			continue;
		bool exists = false;
		if ((rc = store_id_exists(c, ids[i].table, id, &exists)))
			return rc;
		if (!exists)
			return bad(p, ERR_INVALID, ids[i].message, ids[i].field);
	}
	out->key.territory_id = in->territory_id;
	out->key.category_id = in->category_id;
	out->key.org_id = in->org_id;
	if (in->topic_id) {
		int64_t cat = 0;
		rc = store_topic_category(c, in->topic_id, &cat);
		if (rc == ERR_NOTFOUND)
			return bad(p, ERR_INVALID, "Тема не найдена", "topic_id");
		if (rc)
			return rc;
		if (in->category_id && in->category_id != cat)
			return bad(p, ERR_INVALID, "Тема не относится к выбранной категории",
			           "topic_id");
		/* cells of a topic are kept under its category (docs/analytics.md) */
		out->key.topic_id = in->topic_id;
		out->key.category_id = cat;
	}
	return 0;
}

/* The first territory (org) the actor holds role on, or 0. */
static int64_t first_grant(const struct actor *who, unsigned role, bool org)
{
	for (size_t i = 0; i < who->ngrants; i++) {
		const struct grant *g = &who->grants[i];
		if (g->role != role)
			continue;
		if (org && g->org_id)
			return g->org_id;
		if (!org && g->territory_id)
			return g->territory_id;
	}
	return 0;
}

int dash_scope(struct store_conn *c, const struct actor *who, struct dash_filter *f,
               struct problem *p)
{
	if (who->roles & ROLE_ADMIN)
		return 0;
	bool coord = who->roles & ROLE_COORDINATOR, sup = who->roles & ROLE_SUPERVISOR;
	if (!coord && !sup)
		return bad(p, ERR_FORBIDDEN,
		           "Аналитика доступна руководителям, координаторам и администраторам",
		           NULL);
	bool ok = false;
	int rc;
	/* a coordinator sees everything inside their territories, whatever body */
	if (coord) {
		int64_t t = f->key.territory_id ? f->key.territory_id
		                                : first_grant(who, ROLE_COORDINATOR, false);
		if (t && (rc = perm_territory_scope(c, who, ROLE_COORDINATOR, t, &ok)))
			return rc;
		if (ok) {
			f->key.territory_id = t;
			return 0;
		}
	}
	/* a supervisor sees their bodies' appeals, wherever they are */
	if (sup) {
		int64_t o = f->key.org_id ? f->key.org_id : first_grant(who, ROLE_SUPERVISOR, true);
		if (o && (rc = perm_org_scope(c, who, ROLE_SUPERVISOR, o, &ok)))
			return rc;
		if (ok) {
			f->key.org_id = o;
			return 0;
		}
	}
	if (coord && (f->key.territory_id || !sup))
		return bad(p, ERR_FORBIDDEN, "Эта территория вне вашей зоны ответственности",
		           "territory_id");
	return bad(p, ERR_FORBIDDEN, "Эта организация вне вашей зоны ответственности", "org_id");
}

/* --- figures -------------------------------------------------------------------------------- */

static json_t *num(double v, double scale)
{
	if (isnan(v) || isinf(v))
		return json_null();
	return json_real(round(v * scale) / scale);
}

static json_t *share(int64_t n, int64_t d)
{
	return num(stat_share(n, d), 10000);
}

json_t *dash_figures_json(const struct stat_sums *s)
{
	return json_pack("{s:I,s:I,s:o,s:I,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:I}", "received",
	                 (json_int_t)s->received, "answered", (json_int_t)s->answered,
	                 "on_time_share", share(s->on_time, s->answered), "late",
	                 (json_int_t)s->late, "avg_review_hours",
	                 num(stat_share(s->review_h_sum, s->answered), 100), "median_review_hours",
	                 num(stat_median_review_h(s), 100), "rated", (json_int_t)s->rated,
	                 "satisfaction", share(s->satisfied, s->rated), "avg_rating",
	                 num(stat_share(s->rating_sum, s->rated), 100), "rereview_share",
	                 share(s->rereview, s->rated), "redirect_share",
	                 share(s->redirected, s->received), "rejected", (json_int_t)s->rejected);
}

static void sums_add(struct stat_sums *d, const struct stat_sums *s)
{
	d->received += s->received;
	d->answered += s->answered;
	d->on_time += s->on_time;
	d->review_h_sum += s->review_h_sum;
	for (int i = 0; i < STAT_HIST; i++)
		d->hist[i] += s->hist[i];
	d->rated += s->rated;
	d->rating_sum += s->rating_sum;
	d->satisfied += s->satisfied;
	d->rereview += s->rereview;
	d->redirected += s->redirected;
	d->rejected += s->rejected;
	d->late += s->late;
}

static bool sums_empty(const struct stat_sums *s)
{
	return !s->received && !s->answered && !s->rated && !s->late && !s->rejected;
}

static json_t *day_json(int32_t day)
{
	char d[11];
	stat_day_format(day, d);
	return json_string(d);
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *filter_json(const struct dash_filter *f)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "from", day_json(f->from), "to",
	                 day_json(f->to), "territory_id", id_or_null(f->key.territory_id),
	                 "category_id", id_or_null(f->key.category_id), "topic_id",
	                 id_or_null(f->key.topic_id), "org_id", id_or_null(f->key.org_id));
}

/* Adds filter, period and previous to a response object. */
static void frame(json_t *o, const struct dash_filter *f, const struct dash_period *pd)
{
	json_object_set_new(o, "filter", filter_json(f));
	json_object_set_new(o, "period",
	                    json_pack("{s:o,s:o,s:s}", "from", day_json(pd->from), "to",
	                              day_json(pd->to), "granularity",
	                              pd->monthly ? "month" : "day"));
	json_object_set_new(
	    o, "previous",
	    json_pack("{s:o,s:o}", "from", day_json(pd->prev_from), "to", day_json(pd->prev_to)));
}

/* --- summary -------------------------------------------------------------------------------- */

int dash_summary(struct store_conn *c, const struct dash_filter *f, json_t **out)
{
	struct dash_period pd;
	dash_period_of(&f->key, f->from, f->to, &pd);
	struct stat_sums cur, prev;
	struct stat_now now;
	int rc = store_stat_sum(c, &f->key, pd.from, pd.to, &cur);
	if (!rc)
		rc = store_stat_sum(c, &f->key, pd.prev_from, pd.prev_to, &prev);
	if (!rc)
		rc = store_stat_now(c, &f->key, &now);
	if (rc)
		return rc;
	json_t *o = json_object();
	frame(o, f, &pd);
	json_object_set_new(o, "figures", dash_figures_json(&cur));
	json_object_set_new(o, "previous_figures", dash_figures_json(&prev));
	json_object_set_new(o, "now",
	                    json_pack("{s:I,s:I}", "in_work", (json_int_t)now.open_now, "overdue",
	                              (json_int_t)now.overdue_now));
	*out = o;
	return 0;
}

/* --- series --------------------------------------------------------------------------------- */

enum metric { M_RECEIVED, M_ANSWERED, M_LATE, M_SATISFACTION, M_MEDIAN };
static const char *const metric_names[] = {"received", "answered", "late", "satisfaction",
                                           "median_review_hours"};

enum grain { G_DAY, G_WEEK, G_MONTH };
static const char *const grain_names[] = {"day", "week", "month"};

static int pick(const char *v, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	return -1;
}

static json_t *metric_value(enum metric m, const struct stat_sums *s)
{
	switch (m) {
	case M_RECEIVED: return json_integer(s->received);
	case M_ANSWERED: return json_integer(s->answered);
	case M_LATE: return json_integer(s->late);
	case M_SATISFACTION: return share(s->satisfied, s->rated);
	case M_MEDIAN: return num(stat_median_review_h(s), 100);
	}
	return json_null();
}

static void point(json_t *arr, int32_t from, int32_t to, json_t *value)
{
	json_array_append_new(arr, json_pack("{s:o,s:o,s:o}", "from", day_json(from), "to",
	                                     day_json(to), "value", value));
}

/* The points of [from, to] (a period of the key's granularity) into arr. */
static int series_points(struct store_conn *c, const struct stat_key *k, bool monthly, enum grain g,
                         enum metric m, int32_t from, int32_t to, json_t *arr)
{
	if (monthly) {
		int32_t m0 = stat_month_of_day(from), m1 = stat_month_of_day(to);
		size_t n = (size_t)(m1 - m0 + 1);
		struct stat_sums *s = xcalloc(n, sizeof(*s));
		int rc = store_stat_series(c, k, 2, from, to, s, n);
		for (size_t i = 0; !rc && i < n; i++)
			point(arr, stat_month_first_day(m0 + (int32_t)i),
			      stat_month_last_day(m0 + (int32_t)i), metric_value(m, &s[i]));
		free(s);
		return rc;
	}
	size_t n = (size_t)(to - from + 1);
	struct stat_sums *s = xcalloc(n, sizeof(*s));
	int rc = store_stat_series(c, k, 1, from, to, s, n);
	for (int32_t d = from; !rc && d <= to;) {
		int32_t end = d;
		if (g == G_WEEK)
			end = d + 6 < to ? d + 6 : to;
		else if (g == G_MONTH) {
			int32_t last = stat_month_last_day(stat_month_of_day(d));
			end = last < to ? last : to;
		}
		struct stat_sums acc = {0};
		for (int32_t i = d; i <= end; i++)
			sums_add(&acc, &s[i - from]);
		point(arr, d, end, metric_value(m, &acc));
		d = end + 1;
	}
	free(s);
	return rc;
}

int dash_series(struct store_conn *c, const struct dash_filter *f, const char *metric,
                const char *grain, json_t **out, struct problem *p)
{
	int m = metric ? pick(metric, metric_names, 5) : M_RECEIVED;
	if (m < 0)
		return bad(p, ERR_INVALID,
		           "metric: received, answered, late, satisfaction или median_review_hours",
		           "metric");
	struct dash_period pd;
	dash_period_of(&f->key, f->from, f->to, &pd);
	int32_t days = pd.to - pd.from + 1;
	int g;
	if (grain) {
		g = pick(grain, grain_names, 3);
		if (g < 0)
			return bad(p, ERR_INVALID, "grain: day, week или month", "grain");
	} else
		g = days <= DASH_MAX_POINTS ? G_DAY : G_MONTH;
	/* fine cells (a topic or a body) are kept by month only */
	if (pd.monthly)
		g = G_MONTH;
	int32_t points = g == G_DAY ? days : g == G_WEEK ? (days + 6) / 7 : days / 28 + 2;
	if (points > DASH_MAX_POINTS)
		return bad(p, ERR_INVALID, "Слишком много точек: выберите неделю или месяц",
		           "grain");
	json_t *cur = json_array(), *prev = json_array();
	int rc = series_points(c, &f->key, pd.monthly, (enum grain)g, (enum metric)m, pd.from,
	                       pd.to, cur);
	if (!rc)
		rc = series_points(c, &f->key, pd.monthly, (enum grain)g, (enum metric)m,
		                   pd.prev_from, pd.prev_to, prev);
	if (rc) {
		json_decref(cur);
		json_decref(prev);
		return rc;
	}
	json_t *o = json_object();
	frame(o, f, &pd);
	json_object_set_new(o, "metric", json_string(metric_names[m]));
	json_object_set_new(o, "grain", json_string(grain_names[g]));
	json_object_set_new(o, "points", cur);
	json_object_set_new(o, "previous_points", prev);
	*out = o;
	return 0;
}

/* --- breakdown ------------------------------------------------------------------------------ */

struct brow {
	int64_t id;
	const char *name;
	struct stat_sums cur, prev;
};

static int cmp_brow(const void *a, const void *b)
{
	const struct brow *x = a, *y = b;
	if (x->cur.received != y->cur.received)
		return x->cur.received > y->cur.received ? -1 : 1;
	int n = strcmp(x->name, y->name);
	return n ? n : (x->id > y->id) - (x->id < y->id);
}

/* Sums of rows[i..j) (keys: base with dim = the row's id) over the period and the previous. */
static int brow_sums(struct store_conn *c, const struct stat_key *base, char dim,
                     const struct dash_period *pd, struct brow *rows, size_t n)
{
	if (!n)
		return 0;
	int64_t *ids = xcalloc(n, sizeof(*ids));
	struct stat_sums *s = xcalloc(2 * n, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i].id;
	int rc = store_stat_sum_many(c, base, dim, ids, n, pd->from, pd->to, s);
	if (!rc)
		rc = store_stat_sum_many(c, base, dim, ids, n, pd->prev_from, pd->prev_to, s + n);
	for (size_t i = 0; !rc && i < n; i++) {
		rows[i].cur = s[i];
		rows[i].prev = s[n + i];
	}
	free(ids);
	free(s);
	return rc;
}

int dash_breakdown(struct store_conn *c, struct arena *a, const struct dash_filter *f,
                   const char *by, json_t **out, struct problem *p)
{
	static const char *const bys[] = {"territory", "category", "topic", "org"};
	int b = by ? pick(by, bys, 4) : 0;
	if (b < 0)
		return bad(p, ERR_INVALID, "by: territory, category, topic или org", "by");
	const char dims[] = {'t', 'c', 'p', 'o'};
	struct store_rows r = {0};
	int rc;
	size_t name_col = 1;
	switch (b) {
	case 0: rc = store_dash_territory_children(c, a, f->key.territory_id, &r); break;
	case 1: rc = store_dash_categories(c, a, &r); break;
	case 2:
		rc = store_dash_topics(c, a, f->key.category_id, &r);
		name_col = 2;
		break;
	default: rc = store_dash_orgs(c, a, f->key.org_id, &r); break;
	}
	if (rc)
		return rc;
	/* the period of the rows' keys: a topic or a body makes it monthly */
	struct stat_key pk = f->key;
	if (b == 2)
		pk.topic_id = 1;
	if (b == 3)
		pk.org_id = 1;
	struct dash_period pd;
	dash_period_of(&pk, f->from, f->to, &pd);
	size_t n = r.nrows;
	struct brow *rows = arena_alloc(a, (n ? n : 1) * sizeof(*rows));
	for (size_t i = 0; i < n; i++) {
		rows[i].id = store_rows_i64(&r, i, 0);
		rows[i].name = store_rows_get(&r, i, name_col);
	}
	if (b == 2) {
		/* a topic's cells sit under its category: one batch per category */
		for (size_t i = 0; !rc && i < n;) {
			int64_t cat = store_rows_i64(&r, i, 1);
			size_t j = i;
			while (j < n && store_rows_i64(&r, j, 1) == cat)
				j++;
			struct stat_key base = f->key;
			base.category_id = cat;
			rc = brow_sums(c, &base, 'p', &pd, rows + i, j - i);
			i = j;
		}
	} else
		rc = brow_sums(c, &f->key, dims[b], &pd, rows, n);
	if (rc)
		return rc;
	qsort(rows, n, sizeof(*rows), cmp_brow);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		/* topics and bodies are many: only those with something to show */
		if (b >= 2 && sums_empty(&rows[i].cur) && sums_empty(&rows[i].prev))
			continue;
		json_t *row = dash_figures_json(&rows[i].cur);
		json_object_set_new(row, "id", json_integer(rows[i].id));
		json_object_set_new(row, "name", json_string(rows[i].name ? rows[i].name : ""));
		json_object_set_new(row, "previous", dash_figures_json(&rows[i].prev));
		json_array_append_new(arr, row);
	}
	json_t *o = json_object();
	frame(o, f, &pd);
	json_object_set_new(o, "by", json_string(bys[b]));
	json_object_set_new(o, "rows", arr);
	*out = o;
	return 0;
}

/* --- problems ------------------------------------------------------------------------------- */

static json_t *int_or_null(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_integer(store_rows_i64(r, i, col));
}

static json_t *real_or_null(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_real(store_rows_f64(r, i, col));
}

static json_t *text_or_null(const struct store_rows *r, size_t i, size_t col)
{
	const char *v = store_rows_get(r, i, col);
	return v ? json_string(v) : json_null();
}

int dash_problems(struct store_conn *c, struct arena *a, const struct dash_filter *f,
                  const char *sort, int64_t limit, int64_t offset, json_t **out, struct problem *p)
{
	if (sort && strcmp(sort, "size") && strcmp(sort, "growth"))
		return bad(p, ERR_INVALID, "sort: size или growth", "sort");
	/* problems are counted from their appeals: the exact days, whatever the filter */
	struct dash_period pd;
	struct stat_key daily = {0};
	dash_period_of(&daily, f->from, f->to, &pd);
	struct dash_problem_query q = {
	    .territory_id = f->key.territory_id,
	    .category_id = f->key.category_id,
	    .topic_id = f->key.topic_id,
	    .org_id = f->key.org_id,
	    .prev_from_ms = store_dash_day_ms(pd.prev_from),
	    .from_ms = store_dash_day_ms(pd.from),
	    .end_ms = store_dash_day_ms(pd.to + 1),
	    .by_growth = sort && !strcmp(sort, "growth"),
	    .limit = limit,
	    .offset = offset,
	};
	struct store_rows r = {0}, bodies = {0}, alarms = {0};
	int64_t total = 0;
	int rc = store_dash_problems(c, a, &q, &r, &total);
	if (rc)
		return rc;
	int64_t *ids = arena_alloc(a, (r.nrows ? r.nrows : 1) * sizeof(*ids));
	for (size_t i = 0; i < r.nrows; i++)
		ids[i] = store_rows_i64(&r, i, 0);
	rc = store_dash_problem_bodies(c, a, ids, r.nrows, &bodies);
	if (!rc)
		rc = store_dash_problem_alarms(c, a, ids, r.nrows, &alarms);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < r.nrows; i++) {
		int64_t cur = store_rows_i64(&r, i, 15), prev = store_rows_i64(&r, i, 16);
		json_t *bl = json_array(), *al = json_array();
		for (size_t j = 0; j < bodies.nrows; j++)
			if (store_rows_i64(&bodies, j, 0) == ids[i])
				json_array_append_new(
				    bl, json_pack("{s:I,s:o,s:I}", "org_id",
				                  (json_int_t)store_rows_i64(&bodies, j, 1), "name",
				                  text_or_null(&bodies, j, 2), "appeals",
				                  (json_int_t)store_rows_i64(&bodies, j, 3)));
		for (size_t j = 0; j < alarms.nrows; j++)
			if (store_rows_i64(&alarms, j, 0) == ids[i])
				json_array_append_new(
				    al, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
				                  (json_int_t)store_rows_i64(&alarms, j, 1), "kind",
				                  text_or_null(&alarms, j, 2), "observed",
				                  real_or_null(&alarms, j, 3), "expected",
				                  real_or_null(&alarms, j, 4), "window_min",
				                  int_or_null(&alarms, j, 5), "reason",
				                  text_or_null(&alarms, j, 6), "first_at",
				                  int_or_null(&alarms, j, 7), "at",
				                  int_or_null(&alarms, j, 8)));
		bool solved = !store_rows_isnull(&r, i, 12);
		json_t *it = json_pack(
		    "{s:I,s:o,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:b,s:o,s:I,"
		    "s:o,"
		    "s:o}",
		    "id", (json_int_t)ids[i], "label", text_or_null(&r, i, 1), "size",
		    (json_int_t)store_rows_i64(&r, i, 2), "in_period", (json_int_t)cur, "previous",
		    (json_int_t)prev, "growth", (json_int_t)(cur - prev), "topic_id",
		    int_or_null(&r, i, 3), "topic_name", text_or_null(&r, i, 4), "category_id",
		    int_or_null(&r, i, 5), "lat", real_or_null(&r, i, 6), "lon",
		    real_or_null(&r, i, 7), "territory_id", int_or_null(&r, i, 8), "territory_name",
		    text_or_null(&r, i, 9), "first_at", int_or_null(&r, i, 10), "status",
		    solved ? "solved" : "open", "solved_at", int_or_null(&r, i, 12), "returned",
		    !store_rows_isnull(&r, i, 13), "returned_at", int_or_null(&r, i, 13),
		    "returned_count", (json_int_t)store_rows_i64(&r, i, 14), "bodies", bl, "alarms",
		    al);
		json_object_set_new(it, "last_at", int_or_null(&r, i, 11));
		json_array_append_new(items, it);
	}
	json_t *o = json_object();
	frame(o, f, &pd);
	json_object_set_new(o, "sort", json_string(q.by_growth ? "growth" : "size"));
	json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(o, "items", items);
	*out = o;
	return 0;
}

int dash_problem_timeline(struct store_conn *c, struct arena *a, const struct actor *who,
                          int64_t id, json_t **out)
{
	/* the caller sees the problem as GET /api/problems/{id} would show it to them */
	struct problem_scope sc = {.all = (who->roles & ROLE_ADMIN) != 0};
	int64_t *terr = arena_alloc(a, (who->ngrants + 1) * sizeof(*terr));
	int64_t *orgs = arena_alloc(a, (who->ngrants + 1) * sizeof(*orgs));
	for (size_t i = 0; i < who->ngrants; i++) {
		const struct grant *g = &who->grants[i];
		if (g->role == ROLE_COORDINATOR && g->territory_id)
			terr[sc.nterritories++] = g->territory_id;
		if (g->role == ROLE_SUPERVISOR && g->org_id)
			orgs[sc.nsup_orgs++] = g->org_id;
	}
	sc.territories = terr;
	sc.sup_orgs = orgs;
	struct problem_filter pf = {.id = id, .limit = 1};
	struct store_rows r = {0}, days = {0};
	int64_t total = 0;
	int rc = store_problems_list(c, a, &sc, &pf, &r, &total);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	if ((rc = store_dash_problem_days(c, a, id, &days)))
		return rc;
	json_t *pts = json_array();
	if (days.nrows) {
		int32_t first = (int32_t)store_rows_i64(&days, 0, 0);
		int32_t last = (int32_t)store_rows_i64(&days, days.nrows - 1, 0);
		if (last - first + 1 > DASH_MAX_POINTS)
			first = last - DASH_MAX_POINTS + 1;
		size_t j = 0;
		for (int32_t d = first; d <= last; d++) {
			int64_t n = 0;
			while (j < days.nrows && store_rows_i64(&days, j, 0) < d)
				j++;
			if (j < days.nrows && store_rows_i64(&days, j, 0) == d)
				n = store_rows_i64(&days, j, 1);
			json_array_append_new(pts, json_pack("{s:o,s:I}", "day", day_json(d),
			                                     "appeals", (json_int_t)n));
		}
	}
	*out = json_pack("{s:I,s:o,s:o}", "problem_id", (json_int_t)id, "label",
	                 text_or_null(&r, 0, 1), "points", pts);
	return 0;
}
