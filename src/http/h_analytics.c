/* h_analytics.c: the dashboard API (summary, series, breakdown, problems, a problem's timeline),
 * its CSV/XLSX exports, and the public open data file (docs/analytics.md). */
#include "http/h_analytics.h"
#include "analytics/dashboard.h"
#include "analytics/export.h"
#include "analytics/opendata.h"
#include "core/clock.h"
#include "core/err.h"

#include <string.h>

enum fmt { F_JSON, F_CSV, F_XLSX };

typedef void (*table_fn)(struct xtable *t, struct arena *a, const json_t *answer);

static int fail_p(struct req *r, int rc, const struct problem *p)
{
	return p->message ? http_fail(r, rc, p->message, p->field) : http_fail(r, rc, NULL, NULL);
}

static int parse_format(struct req *r, enum fmt *out)
{
	const char *f = http_query(r, "format");
	*out = F_JSON;
	if (!f || !*f || !strcmp(f, "json"))
		return 0;
	if (!strcmp(f, "csv"))
		*out = F_CSV;
	else if (!strcmp(f, "xlsx"))
		*out = F_XLSX;
	else
		return http_fail(r, ERR_INVALID, "format: json, csv или xlsx", "format");
	return 0;
}

static int64_t query_id(struct req *r, const char *name, int *rc)
{
	int64_t v = 0;
	if (!*rc)
		*rc = http_query_int(r, name, 1, INT64_MAX, &v);
	return v;
}

int analytics_load_filter(struct req *r, struct store_conn *c, struct dash_filter *f)
{
	int rc = 0;
	struct dash_args in = {http_query(r, "from"),
	                       http_query(r, "to"),
	                       query_id(r, "territory_id", &rc),
	                       query_id(r, "category_id", &rc),
	                       query_id(r, "topic_id", &rc),
	                       query_id(r, "org_id", &rc)};
	if (rc)
		return rc;
	struct problem p = {0};
	rc = dash_filter_parse(c, &in, stat_day_of_ms(clock_now_ms()), f, &p);
	if (!rc)
		rc = dash_scope(c, &r->actor, f, &p);
	return rc ? fail_p(r, rc, &p) : 0;
}

/* The answer as JSON or as a file named otklik-<what>-<from>_<to>.<ext>. Takes o. */
static int answer(struct req *r, enum fmt fm, json_t *o, table_fn table, const char *what)
{
	if (fm == F_JSON)
		return http_json(r, 200, o);
	struct xtable t;
	table(&t, r->a, o);
	const char *from = json_string_value(json_object_get(json_object_get(o, "period"), "from"));
	const char *to = json_string_value(json_object_get(json_object_get(o, "period"), "to"));
	const char *name = from && to ? arena_printf(r->a, "otklik-%s-%s_%s", what, from, to)
	                              : arena_printf(r->a, "otklik-%s", what);
	const char *data = NULL;
	size_t len = 0;
	int rc =
	    fm == F_CSV ? export_csv(&t, r->a, &data, &len) : export_xlsx(&t, r->a, &data, &len);
	json_decref(o);
	if (rc == ERR_TOOLARGE)
		return http_fail(r, rc, "Таблица слишком велика: сузьте период или фильтр", NULL);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	const char *ext = fm == F_CSV ? "csv" : "xlsx";
	http_add_header(r, "Content-Disposition",
	                arena_printf(r->a, "attachment; filename=\"%s.%s\"", name, ext));
	return http_text(r, 200,
	                 fm == F_CSV ? "text/csv; charset=utf-8"
	                             : "application/"
	                               "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	                 data, len);
}

/* The shape every dashboard endpoint shares: format, connection, filter, the work, answer. */
struct dash_call {
	int (*run)(struct req *r, struct store_conn *c, const struct dash_filter *f, json_t **out,
	           struct problem *p);
	table_fn table;
	const char *what;
};

static int dash_handle(struct req *r, const struct dash_call *call)
{
	enum fmt fm;
	int rc = parse_format(r, &fm);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	struct dash_filter f;
	json_t *o = NULL;
	struct problem p = {0};
	rc = analytics_load_filter(r, c, &f);
	if (!rc && (rc = call->run(r, c, &f, &o, &p)))
		rc = fail_p(r, rc, &p);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	return answer(r, fm, o, call->table, call->what);
}

static int run_summary(struct req *r, struct store_conn *c, const struct dash_filter *f,
                       json_t **out, struct problem *p)
{
	(void)r;
	(void)p;
	return dash_summary(c, f, out);
}

static int run_series(struct req *r, struct store_conn *c, const struct dash_filter *f,
                      json_t **out, struct problem *p)
{
	return dash_series(c, f, http_query(r, "metric"), http_query(r, "grain"), out, p);
}

static int run_breakdown(struct req *r, struct store_conn *c, const struct dash_filter *f,
                         json_t **out, struct problem *p)
{
	return dash_breakdown(c, r->a, f, http_query(r, "by"), out, p);
}

static int run_problems(struct req *r, struct store_conn *c, const struct dash_filter *f,
                        json_t **out, struct problem *p)
{
	int64_t limit = 20, offset = 0;
	int rc = http_query_int(r, "limit", 1, DASH_PROBLEMS_MAX, &limit);
	if (!rc)
		rc = http_query_int(r, "offset", 0, 1000000000, &offset);
	if (rc) {
		/* http_query_int has set the message; keep it */
		p->message = r->err_message;
		p->field = r->err_field;
		return rc;
	}
	return dash_problems(c, r->a, f, http_query(r, "sort"), limit, offset, out, p);
}

int h_analytics_summary(struct req *r)
{
	static const struct dash_call call = {run_summary, export_summary_table, "summary"};
	return dash_handle(r, &call);
}

int h_analytics_series(struct req *r)
{
	static const struct dash_call call = {run_series, export_series_table, "series"};
	return dash_handle(r, &call);
}

int h_analytics_breakdown(struct req *r)
{
	static const struct dash_call call = {run_breakdown, export_breakdown_table, "breakdown"};
	return dash_handle(r, &call);
}

int h_analytics_problems(struct req *r)
{
	static const struct dash_call call = {run_problems, export_problems_table, "problems"};
	return dash_handle(r, &call);
}

int h_analytics_problem_timeline(struct req *r)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Проблема не найдена", NULL);
	enum fmt fm;
	int rc = parse_format(r, &fm);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	json_t *o = NULL;
	rc = dash_problem_timeline(c, r->a, &r->actor, id, &o);
	store_conn_put(r->store, c);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Проблема не найдена", NULL);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return answer(r, fm, o, export_timeline_table,
	              arena_printf(r->a, "problem-%lld", (long long)id));
}

int h_opendata_appeals(struct req *r)
{
	int64_t territory_id = 0;
	int rc = http_query_int(r, "territory_id", 1, INT64_MAX, &territory_id);
	if (rc)
		return rc;
	int32_t from, to;
	struct problem p = {0};
	rc = dash_dates(http_query(r, "from"), http_query(r, "to"), stat_day_of_ms(clock_now_ms()),
	                DASH_DEFAULT_DAYS, &from, &to, &p);
	if (rc)
		return fail_p(r, rc, &p);
	if (to - from + 1 > OPENDATA_MAX_DAYS)
		return http_fail(r, ERR_INVALID, "Период открытых данных — не больше 366 дней",
		                 "from");
	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return http_fail(r, rc, NULL, NULL);
	const char *data = NULL;
	size_t len = 0;
	if (territory_id) {
		struct dash_args in = {.territory_id = territory_id};
		struct dash_filter f;
		rc = dash_filter_parse(c, &in, to, &f, &p);
	}
	if (!rc)
		rc = opendata_appeals_csv(c, r->a, from, to, territory_id, &data, &len);
	store_conn_put(r->store, c);
	if (rc == ERR_TOOLARGE)
		return http_fail(r, rc, "Слишком много обращений: сузьте период или территорию",
		                 NULL);
	if (rc)
		return fail_p(r, rc, &p);
	char df[11], dt[11];
	stat_day_format(from, df);
	stat_day_format(to, dt);
	http_add_header(
	    r, "Content-Disposition",
	    arena_printf(r->a, "attachment; filename=\"otklik-appeals-%s_%s.csv\"", df, dt));
	return http_text(r, 200, "text/csv; charset=utf-8", data, len);
}
