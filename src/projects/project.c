/* project.c: projects built from problems: validation, permissions, status changes, audit and
 * the residents' notifications (docs/projects.md). */
#include "projects/project.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "notify/config.h"
#include "notify/notify.h"
#include "notify/render.h"
#include "registry/geo.h"
#include "store/notify.h"
#include "store/entity.h"
#include "store/problems.h"
#include "store/projects.h"
#include "store/users.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEPTH 32
#define DAY_MS    86400000LL

static int refuse(struct problem *p, int rc, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return rc;
}

/* --- reading rows --------------------------------------------------------------------- */

static json_t *col_int(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_integer(store_rows_i64(r, i, col));
}

static json_t *col_str(const struct store_rows *r, size_t i, size_t col)
{
	const char *s = store_rows_get(r, i, col);
	return s ? json_string(s) : json_null();
}

static json_t *place_json(const struct store_rows *r, size_t i)
{
	const char *kind = store_rows_get(r, i, PC_PLACE_KIND);
	json_t *pl =
	    json_pack("{s:s,s:f,s:f,s:[f,f,f,f]}", "type", kind, "lat",
	              store_rows_f64(r, i, PC_LAT), "lon", store_rows_f64(r, i, PC_LON), "bbox",
	              store_rows_f64(r, i, PC_MIN_LON), store_rows_f64(r, i, PC_MIN_LAT),
	              store_rows_f64(r, i, PC_MAX_LON), store_rows_f64(r, i, PC_MAX_LAT));
	const char *area = store_rows_get(r, i, PC_AREA);
	if (area) {
		json_t *g = json_loads(area, 0, NULL);
		if (g)
			json_object_set_new(pl, "geojson", g);
	}
	return pl;
}

static int progress_of(const struct store_rows *r, size_t i)
{
	const char *st = store_rows_get(r, i, PC_STORED_STATUS);
	if (st && !strcmp(st, "done"))
		return 100;
	int64_t total = store_rows_i64(r, i, PC_STAGES_TOTAL);
	int64_t done = store_rows_i64(r, i, PC_STAGES_DONE);
	return total > 0 ? (int)(done * 100 / total) : 0;
}

/* The public brief of a project row (no personal data). */
static json_t *brief_json(const struct store_rows *r, size_t i)
{
	const char *status = store_rows_get(r, i, PC_STATUS);
	bool attention = !strcmp(status, "attention");
	json_t *reasons = json_array();
	int64_t gone = store_rows_i64(r, i, PC_FB_GONE),
	        not_gone = store_rows_i64(r, i, PC_FB_NOT_GONE);
	if (attention && store_rows_i64(r, i, PC_RETURNED))
		json_array_append_new(reasons, json_string("returned"));
	if (attention && 2 * not_gone > gone + not_gone)
		json_array_append_new(reasons, json_string("feedback"));
	json_t *o = json_pack(
	    "{s:I,s:s,s:s,s:s,s:b,s:o,s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:I,s:I,s:I,s:{s:I,s:I},"
	    "s:I,s:I,s:o,s:o}",
	    "id", (json_int_t)store_rows_i64(r, i, PC_ID), "title", store_rows_get(r, i, PC_TITLE),
	    "goal", store_rows_get(r, i, PC_GOAL), "status", status, "attention", attention,
	    "attention_reasons", reasons, "org_id", (json_int_t)store_rows_i64(r, i, PC_ORG_ID),
	    "org_name", store_rows_get(r, i, PC_ORG_NAME), "territory_id",
	    col_int(r, i, PC_TERRITORY_ID), "territory_name", col_str(r, i, PC_TERRITORY_NAME),
	    "region_id", col_int(r, i, PC_REGION_ID), "budget", col_int(r, i, PC_BUDGET),
	    "deadline", col_str(r, i, PC_DEADLINE), "place", place_json(r, i), "progress",
	    progress_of(r, i), "stages_total", (json_int_t)store_rows_i64(r, i, PC_STAGES_TOTAL),
	    "stages_done", (json_int_t)store_rows_i64(r, i, PC_STAGES_DONE), "appeals",
	    (json_int_t)store_rows_i64(r, i, PC_APPEALS), "feedback", "gone", (json_int_t)gone,
	    "not_gone", (json_int_t)not_gone, "created_at",
	    (json_int_t)store_rows_i64(r, i, PC_CREATED_AT), "updated_at",
	    (json_int_t)store_rows_i64(r, i, PC_UPDATED_AT), "started_at",
	    col_int(r, i, PC_STARTED_AT), "done_at", col_int(r, i, PC_DONE_AT));
	return o;
}

/* --- permissions ------------------------------------------------------------------------ */

/* May who manage project (coordinator of its territory, or of every linked problem's
 * territory, or admin)? */
static int can_manage(struct store_conn *c, struct arena *a, const struct actor *who, int64_t id,
                      int64_t territory_id, bool *ok)
{
	*ok = false;
	int rc = perm_territory_scope(c, who, ROLE_COORDINATOR, territory_id, ok);
	if (rc || *ok || !(who->roles & ROLE_COORDINATOR))
		return rc;
	struct store_rows pr = {0};
	rc = store_project_problems(c, a, id, &pr);
	if (rc || !pr.nrows)
		return rc;
	bool all = true;
	for (size_t i = 0; i < pr.nrows && all && !rc; i++) {
		int64_t t = store_rows_isnull(&pr, i, 3) ? 0 : store_rows_i64(&pr, i, 3);
		rc = perm_territory_scope(c, who, ROLE_COORDINATOR, t, &all);
	}
	*ok = !rc && all;
	return rc;
}

/* May who mark stages done (a supervisor of the responsible body or one above it, or admin)? */
static int can_advance(struct store_conn *c, const struct actor *who, int64_t org_id, bool *ok)
{
	return perm_org_scope(c, who, ROLE_SUPERVISOR, org_id, ok);
}

/* --- the full page ---------------------------------------------------------------------- */

static int load_full(struct store_conn *c, struct arena *a, const struct actor *who, int64_t id,
                     json_t **out)
{
	struct store_rows r = {0}, pr = {0}, st = {0};
	int rc = store_project_get(c, a, id, &r);
	if (!rc)
		rc = store_project_problems(c, a, id, &pr);
	if (!rc)
		rc = store_project_stages(c, a, id, &st);
	if (rc)
		return rc;
	json_t *o = brief_json(&r, 0);
	json_t *probs = json_array();
	for (size_t i = 0; i < pr.nrows; i++)
		json_array_append_new(
		    probs,
		    json_pack("{s:I,s:s,s:I}", "id", (json_int_t)store_rows_i64(&pr, i, 0), "label",
		              store_rows_get(&pr, i, 1) ? store_rows_get(&pr, i, 1) : "", "size",
		              (json_int_t)store_rows_i64(&pr, i, 2)));
	json_object_set_new(o, "problems", probs);
	json_t *stages = json_array();
	for (size_t i = 0; i < st.nrows; i++)
		json_array_append_new(
		    stages,
		    json_pack("{s:I,s:I,s:s,s:o,s:b,s:o}", "id",
		              (json_int_t)store_rows_i64(&st, i, 0), "pos",
		              (json_int_t)store_rows_i64(&st, i, 1), "title",
		              store_rows_get(&st, i, 2), "deadline", col_str(&st, i, 3), "done",
		              store_rows_i64(&st, i, 4) != 0, "done_at", col_int(&st, i, 5)));
	json_object_set_new(o, "stages", stages);

	bool linked = false, manage = false, advance = false;
	json_t *mine = json_null();
	int64_t terr =
	    store_rows_isnull(&r, 0, PC_TERRITORY_ID) ? 0 : store_rows_i64(&r, 0, PC_TERRITORY_ID);
	rc = can_manage(c, a, who, id, terr, &manage);
	if (!rc)
		rc = can_advance(c, who, store_rows_i64(&r, 0, PC_ORG_ID), &advance);
	if (!rc && who->user_id)
		rc = store_project_is_resident(c, id, who->user_id, &linked);
	if (!rc && linked) {
		struct store_rows fb = {0};
		rc = store_project_feedback_get(c, a, id, who->user_id, &fb);
		if (!rc && fb.nrows) {
			json_decref(mine);
			mine = json_pack("{s:b,s:o,s:I}", "gone", store_rows_i64(&fb, 0, 0) != 0,
			                 "comment", col_str(&fb, 0, 1), "at",
			                 (json_int_t)store_rows_i64(&fb, 0, 2));
		}
	}
	if (!rc && manage) {
		struct store_rows fl = {0};
		rc = store_project_feedback_list(c, a, id, 200, &fl);
		json_t *arr = json_array();
		for (size_t i = 0; !rc && i < fl.nrows; i++)
			json_array_append_new(
			    arr, json_pack("{s:b,s:o,s:I}", "gone", store_rows_i64(&fl, i, 0) != 0,
			                   "comment", col_str(&fl, i, 1), "at",
			                   (json_int_t)store_rows_i64(&fl, i, 2)));
		json_object_set_new(o, "feedback_comments", arr);
	}
	if (rc) {
		json_decref(o);
		json_decref(mine);
		return rc;
	}
	bool done = !strcmp(store_rows_get(&r, 0, PC_STORED_STATUS), "done");
	json_object_set_new(o, "viewer",
	                    json_pack("{s:b,s:b,s:b,s:b,s:o}", "linked", linked, "can_manage",
	                              manage, "can_advance", advance || manage, "can_feedback",
	                              linked && done, "feedback", mine));
	*out = o;
	return 0;
}

int project_get(struct store *s, struct arena *a, const struct actor *who, int64_t id, json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = load_full(c, a, who, id, out);
	store_conn_put(s, c);
	return rc;
}

static int list_with(struct store *s, struct arena *a, const struct project_filter *f, json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct store_rows r = {0};
	int64_t total = 0;
	rc = store_projects_list(c, a, f, &r, &total);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < r.nrows; i++)
		json_array_append_new(items, brief_json(&r, i));
	*out = json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total);
	return 0;
}

int project_list(struct store *s, struct arena *a, const struct project_query *q, json_t **out)
{
	struct project_filter f = {
	    .status = q->status,
	    .territory_id = q->territory_id,
	    .org_id = q->org_id,
	    .problem_id = q->problem_id,
	    .has_box = q->has_box,
	    .min_lat = q->min_lat,
	    .min_lon = q->min_lon,
	    .max_lat = q->max_lat,
	    .max_lon = q->max_lon,
	    .limit = q->limit,
	    .offset = q->offset,
	};
	return list_with(s, a, &f, out);
}

int project_mine(struct store *s, struct arena *a, const struct actor *who, int64_t limit,
                 int64_t offset, json_t **out)
{
	if (!who->user_id)
		return ERR_FORBIDDEN;
	struct project_filter f = {.author_id = who->user_id, .limit = limit, .offset = offset};
	return list_with(s, a, &f, out);
}

/* --- validating input ------------------------------------------------------------------- */

/* A text field: a string of clean UTF-8, 1..max characters after trimming; single_line refuses
 * line breaks and tabs. *out is the trimmed copy in the arena. */
static int text_field(struct arena *a, json_t *v, const char *field, size_t max, bool single_line,
                      const char *what, const char **out, struct problem *p)
{
	if (!json_is_string(v))
		return refuse(p, ERR_VALIDATION, arena_printf(a, "%s: ожидается строка", what),
		              field);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (!utf8_clean_text(s, n) || (single_line && strpbrk(s, "\r\n\t")) || strlen(s) != n)
		return refuse(p, ERR_VALIDATION, arena_printf(a, "%s: недопустимые символы", what),
		              field);
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return refuse(p, ERR_VALIDATION, arena_printf(a, "%s: заполните поле", what),
		              field);
	if (utf8_len(s, n) > max)
		return refuse(p, ERR_VALIDATION,
		              arena_printf(a, "%s: не длиннее %zu символов", what, max), field);
	*out = arena_strndup(a, s, n);
	return 0;
}

/* "YYYY-MM-DD" between 2000 and 2100, a real day; null → NULL. */
static int date_field(struct arena *a, json_t *v, const char *field, const char **out,
                      struct problem *p)
{
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	const char *s = json_string_value(v);
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[5]) || !isdigit((unsigned char)s[8]))
		return refuse(p, ERR_VALIDATION, "Дата — в виде ГГГГ-ММ-ДД", field);
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap ? 1 : 0))
		return refuse(p, ERR_VALIDATION, "Такой даты нет (допустимы 2000–2100 годы)",
		              field);
	*out = arena_strdup(a, s);
	return 0;
}

static int place_field(struct arena *a, json_t *v, struct project_fields *f, struct problem *p)
{
	const char *type = json_string_value(json_object_get(v, "type"));
	if (!json_is_object(v) || !type)
		return refuse(p, ERR_VALIDATION,
		              "Место: {type: \"point\", lat, lon} или {type: \"area\", geojson}",
		              "place");
	if (!strcmp(type, "point")) {
		json_t *lat = json_object_get(v, "lat"), *lon = json_object_get(v, "lon");
		if (json_object_size(v) != 3 || !json_is_number(lat) || !json_is_number(lon))
			return refuse(p, ERR_VALIDATION, "Точка: укажите lat и lon числами",
			              "place");
		double la = json_number_value(lat), lo = json_number_value(lon);
		if (!isfinite(la) || !isfinite(lo) || fabs(la) > 90 || fabs(lo) > 180)
			return refuse(p, ERR_VALIDATION,
			              "Широта — от -90 до 90, долгота — от -180 до 180", "place");
		f->place_kind = "point";
		f->lat = f->min_lat = f->max_lat = la;
		f->lon = f->min_lon = f->max_lon = lo;
		f->area = NULL;
		return 0;
	}
	if (strcmp(type, "area"))
		return refuse(p, ERR_VALIDATION, "Тип места — point или area", "place");
	json_t *g = json_object_get(v, "geojson");
	const char *gt = json_string_value(json_object_get(g, "type"));
	if (json_object_size(v) != 2 || !json_is_object(g) || !gt ||
	    (strcmp(gt, "Polygon") && strcmp(gt, "MultiPolygon")))
		return refuse(p, ERR_VALIDATION, "Область: geojson типа Polygon или MultiPolygon",
		              "place");
	char *text = json_dumps(g, JSON_COMPACT);
	if (!text)
		return refuse(p, ERR_VALIDATION, "Область не читается", "place");
	struct geo_shape *shape = NULL;
	int rc = geo_shape_parse(text, strlen(text), &shape);
	if (!rc && geo_shape_points(shape) > PROJECT_AREA_POINTS)
		rc = refuse(p, ERR_VALIDATION,
		            arena_printf(a, "Область: не больше %d точек", PROJECT_AREA_POINTS),
		            "place");
	else if (rc)
		rc = refuse(p, ERR_VALIDATION,
		            "Область: кольца из 4 и более точек [lon, lat], замкнутые, в пределах "
		            "координат",
		            "place");
	if (!rc) {
		geo_shape_bbox(shape, &f->min_lat, &f->min_lon, &f->max_lat, &f->max_lon);
		f->place_kind = "area";
		f->lat = (f->min_lat + f->max_lat) / 2;
		f->lon = (f->min_lon + f->max_lon) / 2;
		f->area = arena_strdup(a, text);
	}
	geo_shape_free(shape);
	free(text);
	return rc;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* problem_ids: 1..PROJECT_PROBLEMS_MAX problems the caller coordinates (sorted, unique); sets
 * the project's territory (the lowest territory holding all of them), region and, when
 * set_place, a point at the problems' mean position. */
static int problems_field(struct store_conn *c, struct arena *a, const struct actor *who, json_t *v,
                          bool set_place, struct project_fields *f, int64_t **ids_out,
                          size_t *n_out, struct problem *p)
{
	size_t n = json_array_size(v);
	if (!json_is_array(v) || n < 1 || n > PROJECT_PROBLEMS_MAX)
		return refuse(p, ERR_VALIDATION,
		              arena_printf(a, "Укажите от 1 до %d проблем", PROJECT_PROBLEMS_MAX),
		              "problem_ids");
	int64_t *ids = arena_alloc(a, n * sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(v, i);
		if (!json_is_integer(x) || json_integer_value(x) < 1)
			return refuse(p, ERR_VALIDATION,
			              "Номера проблем — положительные целые числа", "problem_ids");
		ids[i] = json_integer_value(x);
	}
	qsort(ids, n, sizeof(*ids), cmp_i64);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || ids[u - 1] != ids[i])
			ids[u++] = ids[i];
	n = u;
	struct store_rows r = {0};
	int rc = store_project_problem_info(c, a, ids, n, &r);
	if (rc)
		return rc;
	int64_t chain0[MAX_DEPTH];
	size_t n0 = 0;
	bool in_all[MAX_DEPTH];
	double slat = 0, slon = 0;
	int npoints = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < r.nrows && store_rows_i64(&r, k, 0) != ids[i])
			k++;
		bool ok = false;
		int64_t terr =
		    k < r.nrows && !store_rows_isnull(&r, k, 1) ? store_rows_i64(&r, k, 1) : 0;
		if (k < r.nrows) {
			rc = perm_territory_scope(c, who, ROLE_COORDINATOR, terr, &ok);
			if (rc)
				return rc;
		}
		if (!ok)
			return refuse(p, ERR_VALIDATION,
			              arena_printf(a,
			                           "Проблема №%lld не найдена среди проблем вашей "
			                           "территории",
			                           (long long)ids[i]),
			              "problem_ids");
		if (!store_rows_isnull(&r, k, 2))
			return refuse(p, ERR_VALIDATION,
			              arena_printf(a,
			                           "Проблема №%lld объединена с проблемой №%s — "
			                           "укажите её",
			                           (long long)ids[i], store_rows_get(&r, k, 2)),
			              "problem_ids");
		if (!store_rows_isnull(&r, k, 3) && !store_rows_isnull(&r, k, 4)) {
			slat += store_rows_f64(&r, k, 3);
			slon += store_rows_f64(&r, k, 4);
			npoints++;
		}
		/* the lowest common territory: keep the part of the first chain every chain holds
		 */
		int64_t chain[MAX_DEPTH];
		size_t nc = 0;
		rc = store_territory_chain(c, terr, chain, MAX_DEPTH, &nc);
		if (rc)
			return rc;
		if (i == 0) {
			memcpy(chain0, chain, nc * sizeof(*chain));
			n0 = nc;
			for (size_t j = 0; j < n0; j++)
				in_all[j] = true;
		} else {
			for (size_t j = 0; j < n0; j++) {
				bool found = false;
				for (size_t m = 0; m < nc && !found; m++)
					found = chain[m] == chain0[j];
				in_all[j] = in_all[j] && found;
			}
		}
	}
	f->territory_id = 0;
	for (size_t j = 0; j < n0 && !f->territory_id; j++)
		if (in_all[j])
			f->territory_id = chain0[j];
	rc = store_project_region_of(c, f->territory_id, &f->region_id);
	if (rc)
		return rc;
	if (set_place) {
		if (!npoints)
			return refuse(p, ERR_VALIDATION,
			              "У проблем нет точки на карте — укажите место проекта",
			              "place");
		f->place_kind = "point";
		f->lat = f->min_lat = f->max_lat = slat / npoints;
		f->lon = f->min_lon = f->max_lon = slon / npoints;
		f->area = NULL;
	}
	*ids_out = ids;
	*n_out = n;
	return 0;
}

/* The fields of a create (all) or a patch (those present, over the current values in f).
 * Unknown fields are 400. */
static int parse_fields(struct store_conn *c, struct arena *a, const struct actor *who, json_t *in,
                        bool create, struct project_fields *f, int64_t **pids, size_t *npids,
                        json_t **stages, struct problem *p)
{
	static const char *const known[] = {"title",    "goal",  "org_id",      "budget",
	                                    "deadline", "place", "problem_ids", "stages"};
	const char *key;
	json_t *v;
	json_object_foreach(in, key, v)
	{
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
			ok = !strcmp(key, known[i]) && (create || strcmp(key, "stages"));
		if (!ok)
			return refuse(p, ERR_INVALID, arena_printf(a, "Неизвестное поле %s", key),
			              NULL);
	}
	int rc = 0;
	*pids = NULL;
	*npids = 0;
	*stages = NULL;
	static const char *const required[] = {"title", "goal", "org_id", "problem_ids"};
	for (size_t i = 0; create && i < sizeof(required) / sizeof(required[0]); i++)
		if (!json_object_get(in, required[i]))
			return refuse(p, ERR_VALIDATION, "Обязательное поле", required[i]);
	if ((v = json_object_get(in, "title")) &&
	    (rc = text_field(a, v, "title", PROJECT_TITLE_MAX, true, "Название", &f->title, p)))
		return rc;
	if ((v = json_object_get(in, "goal")) &&
	    (rc = text_field(a, v, "goal", PROJECT_GOAL_MAX, false, "Цель", &f->goal, p)))
		return rc;
	if ((v = json_object_get(in, "org_id"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return refuse(p, ERR_VALIDATION, "Ответственный орган — номер организации",
			              "org_id");
		bool exists = false;
		rc = store_notify_org_exists(c, json_integer_value(v), &exists);
		if (rc)
			return rc;
		if (!exists)
			return refuse(p, ERR_VALIDATION, "Такой организации нет", "org_id");
		f->org_id = json_integer_value(v);
	}
	if ((v = json_object_get(in, "budget"))) {
		if (json_is_null(v)) {
			f->has_budget = false;
		} else if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		           json_integer_value(v) > PROJECT_BUDGET_MAX) {
			return refuse(p, ERR_VALIDATION,
			              "Бюджет — целое число рублей от 0 до 10 трлн (или null)",
			              "budget");
		} else {
			f->has_budget = true;
			f->budget = json_integer_value(v);
		}
	}
	if ((v = json_object_get(in, "deadline")) &&
	    (rc = date_field(a, v, "deadline", &f->deadline, p)))
		return rc;
	json_t *place = json_object_get(in, "place");
	if (place && !json_is_null(place) && (rc = place_field(a, place, f, p)))
		return rc;
	if (!create && place && json_is_null(place))
		return refuse(p, ERR_VALIDATION, "Место проекта нельзя убрать", "place");
	if ((v = json_object_get(in, "problem_ids")) &&
	    (rc = problems_field(c, a, who, v, create && (!place || json_is_null(place)), f, pids,
	                         npids, p)))
		return rc;
	if ((v = json_object_get(in, "stages"))) {
		if (!json_is_array(v) || json_array_size(v) > PROJECT_STAGES_MAX)
			return refuse(
			    p, ERR_VALIDATION,
			    arena_printf(a, "Этапы — список до %d этапов", PROJECT_STAGES_MAX),
			    "stages");
		size_t i;
		json_t *st;
		json_array_foreach(v, i, st)
		{
			json_t *t = json_object_get(st, "title"),
			       *d = json_object_get(st, "deadline");
			const char *title, *dl;
			if (!json_is_object(st) ||
			    json_object_size(st) != (size_t)(1 + (d != NULL)) || !t)
				return refuse(p, ERR_VALIDATION, "Этап: {title, deadline?}",
				              "stages");
			if ((rc = text_field(a, t, "stages", PROJECT_TITLE_MAX, true, "Этап",
			                     &title, p)) ||
			    (rc = date_field(a, d, "stages", &dl, p)))
				return rc;
		}
		*stages = v;
	}
	return 0;
}

/* --- notifications ---------------------------------------------------------------------- */

static const char *date_ru(struct arena *a, const char *iso)
{
	if (!iso || strlen(iso) != 10)
		return "не указан";
	return arena_printf(a, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

static int queue_webhooks(struct store_conn *c, struct arena *a, const struct store_rows *pr,
                          const char *kind, int64_t stage_id, int64_t now)
{
	struct webhook_row *hooks;
	size_t n;
	int rc = store_webhooks_all(c, a, &hooks, &n);
	if (rc || !n)
		return rc;
	char *payload = NULL;
	int64_t id = store_rows_i64(pr, 0, PC_ID);
	for (size_t i = 0; i < n && !rc; i++) {
		if (!hooks[i].active)
			continue;
		bool covers = !hooks[i].org_id;
		if (!covers)
			rc = notify_org_covers(c, hooks[i].org_id, store_rows_i64(pr, 0, PC_ORG_ID),
			                       &covers);
		if (rc || !covers)
			continue;
		if (!payload) {
			json_t *body =
			    json_pack("{s:{s:s,s:I,s:I,s:o},s:o}", "event", "kind", kind, "at",
			              (json_int_t)now, "project_id", (json_int_t)id, "stage_id",
			              stage_id ? json_integer(stage_id) : json_null(), "project",
			              brief_json(pr, 0));
			payload = json_dumps(body, JSON_COMPACT);
			json_decref(body);
		}
		struct delivery_new d = {
		    .channel = "webhook",
		    .target = arena_printf(a, "webhook:%lld", (long long)hooks[i].id),
		    .webhook_id = hooks[i].id,
		    .kind = kind,
		    .payload = payload,
		    .now = now,
		};
		rc = store_delivery_insert(c, &d);
	}
	free(payload);
	return rc;
}

/* Tells every resident of the project (the actor aside) once: in-app, e-mail as each chose,
 * and the responsible body's webhooks. kind: project_start, project_stage, project_done. */
static int tell(struct store_conn *c, struct arena *a, const struct actor *who, int64_t id,
                const char *kind, const char *stage_title, int64_t stage_id, int64_t now)
{
	struct store_rows pr = {0}, res = {0};
	int rc = store_project_get(c, a, id, &pr);
	if (!rc)
		rc = store_project_residents(c, a, id, &res);
	if (rc)
		return rc;
	const char *ptitle = notify_excerpt(a, store_rows_get(&pr, 0, PC_TITLE), 80);
	const struct notify_config *cfg = notify_config();
	for (size_t i = 0; i < res.nrows && !rc; i++) {
		int64_t uid = store_rows_i64(&res, i, 0), aid = store_rows_i64(&res, i, 1);
		if (uid == who->user_id)
			continue;
		const char *title, *body;
		if (!strcmp(kind, "project_start")) {
			title = arena_printf(a, "Начат проект «%s»", ptitle);
			body = arena_printf(
			    a,
			    "По проблеме из вашего обращения №%lld начат проект «%s». "
			    "Ответственный: %s. "
			    "Срок: %s. Ход работ — на странице проекта /#/projects/%lld.",
			    (long long)aid, ptitle, store_rows_get(&pr, 0, PC_ORG_NAME),
			    date_ru(a, store_rows_get(&pr, 0, PC_DEADLINE)), (long long)id);
		} else if (!strcmp(kind, "project_stage")) {
			title = arena_printf(a, "Проект «%s»: этап выполнен", ptitle);
			body = arena_printf(
			    a,
			    "Выполнен этап «%s» (%lld из %lld, %d %%). Проект начат по проблеме из "
			    "вашего обращения №%lld. Страница проекта: /#/projects/%lld.",
			    notify_excerpt(a, stage_title, 200),
			    (long long)store_rows_i64(&pr, 0, PC_STAGES_DONE),
			    (long long)store_rows_i64(&pr, 0, PC_STAGES_TOTAL), progress_of(&pr, 0),
			    (long long)aid, (long long)id);
		} else {
			title = arena_printf(a, "Проект «%s» завершён", ptitle);
			body = arena_printf(a,
			                    "Работы по проблеме из вашего обращения №%lld "
			                    "завершены. Проблема решена? "
			                    "Ответьте на странице проекта /#/projects/%lld.",
			                    (long long)aid, (long long)id);
		}
		struct notification_row nr = {
		    .user_id = uid,
		    .appeal_id = aid,
		    .created_at = now,
		    .kind = kind,
		    .title = title,
		    .body = body,
		};
		rc = store_notification_insert(c, &nr);
		if (rc || !cfg->smtp_url)
			continue;
		struct notify_user u;
		rc = store_notify_user(c, a, uid, &u);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc || !u.email || strcmp(u.mode, "instant"))
			continue;
		struct delivery_new d = {
		    .channel = "email",
		    .target = u.email,
		    .appeal_id = aid,
		    .user_id = uid,
		    .kind = kind,
		    .subject = title,
		    .payload = notify_render_email(a, title, body),
		    .now = now,
		};
		rc = store_delivery_insert(c, &d);
	}
	if (!rc)
		rc = queue_webhooks(c, a, &pr, kind, stage_id, now);
	return rc;
}

/* --- writes ----------------------------------------------------------------------------- */

enum op { OP_CREATE, OP_UPDATE, OP_STAGE_ADD, OP_STAGE_UPDATE, OP_START, OP_COMPLETE, OP_FEEDBACK };

struct job {
	enum op op;
	struct arena *a;
	const struct actor *who;
	json_t *in;
	int64_t id, sid, now;
	struct problem p;
};

static int audit_json(struct store_conn *c, const struct actor *who, const char *action, int64_t id,
                      json_t *after)
{
	int rc = audit_record(c, who, action, "projects", id, NULL, after);
	json_decref(after);
	return rc;
}

/* The current row as fields (for a patch). */
static void fields_of(const struct store_rows *r, struct project_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->title = store_rows_get(r, 0, PC_TITLE);
	f->goal = store_rows_get(r, 0, PC_GOAL);
	f->org_id = store_rows_i64(r, 0, PC_ORG_ID);
	f->territory_id =
	    store_rows_isnull(r, 0, PC_TERRITORY_ID) ? 0 : store_rows_i64(r, 0, PC_TERRITORY_ID);
	f->region_id =
	    store_rows_isnull(r, 0, PC_REGION_ID) ? 0 : store_rows_i64(r, 0, PC_REGION_ID);
	f->has_budget = !store_rows_isnull(r, 0, PC_BUDGET);
	f->budget = store_rows_i64(r, 0, PC_BUDGET);
	f->deadline = store_rows_get(r, 0, PC_DEADLINE);
	f->place_kind = store_rows_get(r, 0, PC_PLACE_KIND);
	f->lat = store_rows_f64(r, 0, PC_LAT);
	f->lon = store_rows_f64(r, 0, PC_LON);
	f->area = store_rows_get(r, 0, PC_AREA);
	f->min_lat = store_rows_f64(r, 0, PC_MIN_LAT);
	f->min_lon = store_rows_f64(r, 0, PC_MIN_LON);
	f->max_lat = store_rows_f64(r, 0, PC_MAX_LAT);
	f->max_lon = store_rows_f64(r, 0, PC_MAX_LON);
}

static int do_create(struct store_conn *c, struct job *j)
{
	if (!(j->who->roles & (ROLE_COORDINATOR | ROLE_ADMIN)))
		return refuse(&j->p, ERR_FORBIDDEN, "Создавать проекты может координатор", NULL);
	struct project_fields f = {0};
	int64_t *pids;
	size_t npids;
	json_t *stages;
	int rc = parse_fields(c, j->a, j->who, j->in, true, &f, &pids, &npids, &stages, &j->p);
	if (rc)
		return rc;
	rc = store_project_insert(c, &f, j->who->user_id, j->now, &j->id);
	if (!rc)
		rc = store_project_set_problems(c, j->id, pids, npids);
	size_t i;
	json_t *st;
	json_array_foreach(stages, i, st)
	{
		if (rc)
			break;
		const char *title, *dl;
		int64_t sid;
		rc = text_field(j->a, json_object_get(st, "title"), "stages", PROJECT_TITLE_MAX,
		                true, "Этап", &title, &j->p);
		if (!rc)
			rc =
			    date_field(j->a, json_object_get(st, "deadline"), "stages", &dl, &j->p);
		if (!rc)
			rc = store_project_stage_insert(c, j->id, title, dl, j->now, &sid);
	}
	if (!rc) {
		json_t *ids = json_array();
		for (size_t k = 0; k < npids; k++)
			json_array_append_new(ids, json_integer(pids[k]));
		rc = audit_json(c, j->who, "project.create", j->id,
		                json_pack("{s:s,s:I,s:o,s:I}", "title", f.title, "org_id",
		                          (json_int_t)f.org_id, "problem_ids", ids, "stages",
		                          (json_int_t)json_array_size(stages)));
	}
	return rc;
}

/* Loads the project and checks who may manage it (404 unknown, 403 not theirs). */
static int managed(struct store_conn *c, struct job *j, struct store_rows *r)
{
	int rc = store_project_get(c, j->a, j->id, r);
	if (rc == ERR_NOTFOUND)
		return refuse(&j->p, rc, "Проект не найден", NULL);
	if (rc)
		return rc;
	bool ok = false;
	int64_t terr =
	    store_rows_isnull(r, 0, PC_TERRITORY_ID) ? 0 : store_rows_i64(r, 0, PC_TERRITORY_ID);
	rc = can_manage(c, j->a, j->who, j->id, terr, &ok);
	if (!rc && !ok)
		return refuse(&j->p, ERR_FORBIDDEN,
		              "Изменять проект может координатор его территории или администратор",
		              NULL);
	return rc;
}

static bool status_is(const struct store_rows *r, const char *s)
{
	return !strcmp(store_rows_get(r, 0, PC_STORED_STATUS), s);
}

static int do_update(struct store_conn *c, struct job *j)
{
	struct store_rows r = {0};
	int rc = managed(c, j, &r);
	if (rc)
		return rc;
	struct project_fields f;
	fields_of(&r, &f);
	int64_t *pids;
	size_t npids;
	json_t *stages;
	rc = parse_fields(c, j->a, j->who, j->in, false, &f, &pids, &npids, &stages, &j->p);
	if (rc)
		return rc;
	if (pids && status_is(&r, "done"))
		return refuse(&j->p, ERR_CONFLICT,
		              "Проект завершён: список проблем больше не меняется", "problem_ids");
	rc = store_project_update(c, j->id, &f, j->now);
	if (!rc && pids)
		rc = store_project_set_problems(c, j->id, pids, npids);
	if (!rc) {
		json_t *keys = json_array();
		const char *key;
		json_t *v;
		json_object_foreach(j->in, key, v) json_array_append_new(keys, json_string(key));
		rc = audit_json(c, j->who, "project.update", j->id,
		                json_pack("{s:o}", "fields", keys));
	}
	return rc;
}

static int do_stage_add(struct store_conn *c, struct job *j)
{
	struct store_rows r = {0}, st = {0};
	int rc = managed(c, j, &r);
	if (rc)
		return rc;
	if (status_is(&r, "done"))
		return refuse(&j->p, ERR_CONFLICT, "Проект завершён: этапы не добавляются", NULL);
	rc = store_project_stages(c, j->a, j->id, &st);
	if (rc)
		return rc;
	if (st.nrows >= PROJECT_STAGES_MAX)
		return refuse(&j->p, ERR_VALIDATION,
		              arena_printf(j->a, "Не больше %d этапов", PROJECT_STAGES_MAX),
		              "title");
	json_t *t = json_object_get(j->in, "title"), *d = json_object_get(j->in, "deadline");
	if (json_object_size(j->in) != (size_t)(1 + (d != NULL)) || !t)
		return refuse(&j->p, ERR_INVALID, "Ожидаются поля title и deadline", NULL);
	const char *title, *dl;
	if ((rc = text_field(j->a, t, "title", PROJECT_TITLE_MAX, true, "Этап", &title, &j->p)) ||
	    (rc = date_field(j->a, d, "deadline", &dl, &j->p)))
		return rc;
	rc = store_project_stage_insert(c, j->id, title, dl, j->now, &j->sid);
	if (!rc)
		rc = audit_json(
		    c, j->who, "project.stage_add", j->id,
		    json_pack("{s:I,s:s}", "stage_id", (json_int_t)j->sid, "title", title));
	return rc;
}

static int do_stage_update(struct store_conn *c, struct job *j)
{
	struct store_rows r = {0}, st = {0};
	int rc = store_project_get(c, j->a, j->id, &r);
	if (rc == ERR_NOTFOUND)
		return refuse(&j->p, rc, "Проект не найден", NULL);
	if (rc)
		return rc;
	bool manage = false, advance = false;
	int64_t terr =
	    store_rows_isnull(&r, 0, PC_TERRITORY_ID) ? 0 : store_rows_i64(&r, 0, PC_TERRITORY_ID);
	rc = can_manage(c, j->a, j->who, j->id, terr, &manage);
	if (!rc && !manage)
		rc = can_advance(c, j->who, store_rows_i64(&r, 0, PC_ORG_ID), &advance);
	if (rc)
		return rc;
	if (!manage && !advance)
		return refuse(
		    &j->p, ERR_FORBIDDEN,
		    "Этапы отмечает координатор территории или куратор ответственного органа",
		    NULL);
	rc = store_project_stages(c, j->a, j->id, &st);
	if (rc)
		return rc;
	size_t k = 0;
	while (k < st.nrows && store_rows_i64(&st, k, 0) != j->sid)
		k++;
	if (k == st.nrows)
		return refuse(&j->p, ERR_NOTFOUND, "Этап не найден", NULL);
	const char *title = store_rows_get(&st, k, 2), *dl = store_rows_get(&st, k, 3);
	bool was_done = store_rows_i64(&st, k, 4) != 0, done = was_done;
	const char *key;
	json_t *v;
	json_object_foreach(j->in, key, v)
	{
		if (strcmp(key, "title") && strcmp(key, "deadline") && strcmp(key, "done"))
			return refuse(&j->p, ERR_INVALID,
			              arena_printf(j->a, "Неизвестное поле %s", key), NULL);
		if (strcmp(key, "done") && !manage)
			return refuse(
			    &j->p, ERR_FORBIDDEN,
			    "Куратор ответственного органа может только отмечать выполнение "
			    "этапов",
			    key);
	}
	if ((v = json_object_get(j->in, "title")) &&
	    (rc = text_field(j->a, v, "title", PROJECT_TITLE_MAX, true, "Этап", &title, &j->p)))
		return rc;
	if ((v = json_object_get(j->in, "deadline")) &&
	    (rc = date_field(j->a, v, "deadline", &dl, &j->p)))
		return rc;
	if ((v = json_object_get(j->in, "done"))) {
		if (!json_is_boolean(v))
			return refuse(&j->p, ERR_VALIDATION, "done — true или false", "done");
		done = json_is_true(v);
	}
	if (done != was_done && !status_is(&r, "in_progress"))
		return refuse(&j->p, ERR_CONFLICT,
		              status_is(&r, "planned")
		                  ? "Проект ещё не начат: отмечать этапы можно после начала работ"
		                  : "Проект завершён: этапы больше не меняются",
		              "done");
	rc = store_project_stage_update(c, j->id, j->sid, title, dl, done, j->now);
	if (!rc)
		rc = audit_json(c, j->who, "project.stage_update", j->id,
		                json_pack("{s:I,s:s,s:b}", "stage_id", (json_int_t)j->sid, "title",
		                          title, "done", done));
	if (!rc && done && !was_done) {
		bool first = false;
		rc = store_project_stage_notified(c, j->sid, j->now, &first);
		if (!rc && first)
			rc = tell(c, j->a, j->who, j->id, "project_stage", title, j->sid, j->now);
	}
	return rc;
}

static int do_status(struct store_conn *c, struct job *j, const char *from, const char *to)
{
	struct store_rows r = {0};
	int rc = managed(c, j, &r);
	if (rc)
		return rc;
	bool changed = false;
	rc = store_project_set_status(c, j->id, from, to, j->now, &changed);
	if (rc)
		return rc;
	if (!changed)
		return refuse(&j->p, ERR_CONFLICT,
		              !strcmp(to, "in_progress")
		                  ? "Начать можно только запланированный проект"
		                  : "Завершить можно только проект в работе",
		              NULL);
	if (!strcmp(to, "done"))
		rc = store_project_stages_finish(c, j->id, j->now);
	if (!rc)
		rc = audit_json(c, j->who,
		                !strcmp(to, "done") ? "project.complete" : "project.start", j->id,
		                json_pack("{s:s,s:s}", "from", from, "to", to));
	if (!rc)
		rc = tell(c, j->a, j->who, j->id,
		          !strcmp(to, "done") ? "project_done" : "project_start", NULL, 0, j->now);
	return rc;
}

static int do_feedback(struct store_conn *c, struct job *j)
{
	if (!j->who->user_id)
		return refuse(&j->p, ERR_FORBIDDEN, "Отвечают жители, а не интеграции", NULL);
	struct store_rows r = {0};
	int rc = store_project_get(c, j->a, j->id, &r);
	if (rc == ERR_NOTFOUND)
		return refuse(&j->p, rc, "Проект не найден", NULL);
	if (rc)
		return rc;
	bool linked = false;
	rc = store_project_is_resident(c, j->id, j->who->user_id, &linked);
	if (rc)
		return rc;
	if (!linked)
		return refuse(&j->p, ERR_FORBIDDEN,
		              "Оценить результат могут жители, чьи обращения привели к проекту",
		              NULL);
	if (!status_is(&r, "done"))
		return refuse(&j->p, ERR_CONFLICT, "Проект ещё не завершён: оценить можно после",
		              NULL);
	json_t *gone = json_object_get(j->in, "gone"), *cm = json_object_get(j->in, "comment");
	if (json_object_size(j->in) != (size_t)(1 + (cm != NULL)) || !gone)
		return refuse(&j->p, ERR_INVALID, "Ожидаются поля gone и comment", NULL);
	if (!json_is_boolean(gone))
		return refuse(&j->p, ERR_VALIDATION, "gone — true или false", "gone");
	const char *comment = NULL;
	if (cm && !json_is_null(cm) &&
	    (rc = text_field(j->a, cm, "comment", PROJECT_COMMENT_MAX, false, "Комментарий",
	                     &comment, &j->p)))
		return rc;
	rc = store_project_feedback_put(c, j->id, j->who->user_id, json_is_true(gone), comment,
	                                j->now);
	/* the answer itself stays out of the log: a resident's opinion, not a state change of
	 * the body's work */
	if (!rc)
		rc = audit_json(c, j->who, "project.feedback", j->id,
		                json_pack("{s:b}", "gone", json_is_true(gone)));
	return rc;
}

static int job_fn(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	memset(&j->p, 0, sizeof(j->p));
	switch (j->op) {
	case OP_CREATE: j->id = 0; return do_create(c, j);
	case OP_UPDATE: return do_update(c, j);
	case OP_STAGE_ADD: return do_stage_add(c, j);
	case OP_STAGE_UPDATE: return do_stage_update(c, j);
	case OP_START: return do_status(c, j, "planned", "in_progress");
	case OP_COMPLETE: return do_status(c, j, "in_progress", "done");
	case OP_FEEDBACK: return do_feedback(c, j);
	}
	return ERR_INTERNAL;
}

static int run(struct store *s, struct arena *a, const struct actor *who, enum op op, int64_t id,
               int64_t sid, json_t *in, json_t **out, struct problem *p)
{
	if (in && !json_is_object(in))
		return refuse(p, ERR_INVALID, "Ожидается объект JSON", NULL);
	struct job j = {
	    .op = op, .a = a, .who = who, .in = in, .id = id, .sid = sid, .now = clock_now_ms()};
	int rc = store_write(s, job_fn, &j);
	*p = j.p;
	if (rc)
		return rc;
	return project_get(s, a, who, j.id, out);
}

int project_create(struct store *s, struct arena *a, const struct actor *who, json_t *in,
                   json_t **out, struct problem *p)
{
	return run(s, a, who, OP_CREATE, 0, 0, in, out, p);
}

int project_update(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                   json_t *in, json_t **out, struct problem *p)
{
	return run(s, a, who, OP_UPDATE, id, 0, in, out, p);
}

int project_stage_add(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                      json_t *in, json_t **out, struct problem *p)
{
	return run(s, a, who, OP_STAGE_ADD, id, 0, in, out, p);
}

int project_stage_update(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         int64_t sid, json_t *in, json_t **out, struct problem *p)
{
	return run(s, a, who, OP_STAGE_UPDATE, id, sid, in, out, p);
}

int project_start(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                  json_t **out, struct problem *p)
{
	return run(s, a, who, OP_START, id, 0, NULL, out, p);
}

int project_complete(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                     json_t **out, struct problem *p)
{
	return run(s, a, who, OP_COMPLETE, id, 0, NULL, out, p);
}

int project_feedback(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                     json_t *in, json_t **out, struct problem *p)
{
	return run(s, a, who, OP_FEEDBACK, id, 0, in, out, p);
}

/* --- the demo --------------------------------------------------------------------------- */

struct demo_project {
	const char *title, *goal, *org_code;
	int64_t budget;
	int deadline_days;      /* from today */
	const char *appeals[4]; /* external ids of demo appeals, one problem each */
	const char *labels[4];  /* labels of problems made for them */
	double area[5][2];      /* lon, lat of a rectangle; [0] = {0,0}: a point */
	double lat, lon;
	const char *stages[5];
	int done_stages;
	const char *status;
};

static const struct demo_project demo_projects[] = {
    {"Восстановление отопления в центре Калуги",
     "Вернуть нормальную температуру в квартирах домов на улицах Ленина и Московской: "
     "обследовать и заменить изношенный участок теплотрассы, промыть систему.",
     "klu-kaluga-teplo",
     4800000,
     45,
     {"demo-3", "demo-8", "demo-13", NULL},
     {"холодные батареи, ул. Ленина", "нет отопления, ул. Московская",
      "не греют батареи после промывки", NULL},
     {{36.2480, 54.5100},
      {36.2840, 54.5100},
      {36.2840, 54.5320},
      {36.2480, 54.5320},
      {36.2480, 54.5100}},
     0,
     0,
     {"Обследование теплотрассы", "Замена участка трубопровода", "Промывка и опрессовка системы",
      "Пуск тепла и проверка температуры в квартирах", NULL},
     2,
     "in_progress"},
    {"Уличное освещение на улице Курчатова",
     "Восстановить освещение вдоль улицы Курчатова от дома 20 до перекрёстка: заменить "
     "светильники и кабель.",
     "klu-obninsk-adm",
     1250000,
     -5,
     {"demo-10", NULL},
     {"не горят фонари, ул. Курчатова", NULL},
     {{0, 0}},
     55.1010,
     36.6050,
     {"Проверка линии освещения", "Замена кабеля и светильников", NULL},
     2,
     "done"},
    {"Ремонт дворового проезда на улице Суворова",
     "Устранить яму на выезде из двора на улицу Суворова и восстановить покрытие проезда.",
     "klu-kaluga-adm",
     650000,
     90,
     {"demo-5", NULL},
     {"яма на выезде из двора, ул. Суворова", NULL},
     {{0, 0}},
     54.5205,
     36.2440,
     {"Смета и согласование", "Ремонт покрытия", NULL},
     0,
     "planned"},
};

static const struct actor demo_actor = {.roles = ROLE_ADMIN, .request_id = "system"};

/* The problem of a demo appeal: its own when placed, else a new one made for it. */
static int demo_problem(struct store_conn *c, struct arena *a, const char *ext, const char *label,
                        int64_t now, int64_t *pid)
{
	struct store_rows r = {0};
	*pid = 0;
	int rc = store_project_demo_appeal(c, a, ext, &r);
	if (rc || !r.nrows)
		return rc;
	if (!store_rows_isnull(&r, 0, 7)) {
		*pid = store_rows_i64(&r, 0, 7);
		return 0;
	}
	int64_t aid = store_rows_i64(&r, 0, 0);
	struct problem_new pn = {
	    .category_id = store_rows_i64(&r, 0, 2),
	    .topic_id = store_rows_i64(&r, 0, 1),
	    .territory_id = store_rows_i64(&r, 0, 3),
	    .rep_appeal_id = aid,
	    .label = label,
	    .has_point = !store_rows_isnull(&r, 0, 4),
	    .lat = store_rows_f64(&r, 0, 4),
	    .lon = store_rows_f64(&r, 0, 5),
	    .first_at = store_rows_i64(&r, 0, 6),
	    .now = now,
	};
	int placed = 0;
	rc = store_problem_insert(c, &pn, pid);
	if (!rc)
		rc = store_appeal_place(c, aid, *pid, &placed);
	if (!rc)
		rc = store_problem_refresh(c, *pid, label, aid, now);
	return rc;
}

static int demo_one(struct store_conn *c, struct arena *a, const struct demo_project *d,
                    int64_t now)
{
	int64_t n = 0;
	int rc = store_project_count_title(c, d->title, &n);
	if (rc || n)
		return rc;
	int64_t pids[4];
	size_t np = 0;
	for (size_t i = 0; i < 4 && d->appeals[i] && !rc; i++) {
		int64_t pid = 0;
		rc = demo_problem(c, a, d->appeals[i], d->labels[i], now, &pid);
		if (!rc && pid)
			pids[np++] = pid;
	}
	if (rc || !np)
		return rc;
	json_t *ids = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(ids, json_integer(pids[i]));
	json_t *stages = json_array();
	for (size_t i = 0; i < 5 && d->stages[i]; i++)
		json_array_append_new(stages, json_pack("{s:s}", "title", d->stages[i]));
	int64_t org = 0;
	rc = store_id_by_code(c, "orgs", d->org_code, &org);
	if (rc) {
		json_decref(ids);
		json_decref(stages);
		return rc;
	}
	time_t dl = (time_t)((now + d->deadline_days * DAY_MS) / 1000);
	struct tm tm;
	gmtime_r(&dl, &tm);
	char date[16];
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	json_t *place;
	if (d->area[0][0] != 0) {
		json_t *ring = json_array();
		for (size_t i = 0; i < 5; i++)
			json_array_append_new(ring,
			                      json_pack("[f,f]", d->area[i][0], d->area[i][1]));
		place = json_pack("{s:s,s:{s:s,s:[o]}}", "type", "area", "geojson", "type",
		                  "Polygon", "coordinates", ring);
	} else {
		place = json_pack("{s:s,s:f,s:f}", "type", "point", "lat", d->lat, "lon", d->lon);
	}
	json_t *in =
	    json_pack("{s:s,s:s,s:I,s:I,s:s,s:o,s:o,s:o}", "title", d->title, "goal", d->goal,
	              "org_id", (json_int_t)org, "budget", (json_int_t)d->budget, "deadline", date,
	              "place", place, "problem_ids", ids, "stages", stages);
	/* everything happens now: a "done" earlier than the demo appeals would read as the
	 * problem having come back */
	struct job j = {.op = OP_CREATE, .a = a, .who = &demo_actor, .in = in, .now = now};
	rc = do_create(c, &j);
	json_decref(in);
	if (rc) {
		log_error("demo_projects", "%s: %s", d->title,
		          j.p.message ? j.p.message : "failed");
		return rc;
	}
	if (strcmp(d->status, "planned"))
		rc = do_status(c, &j, "planned", "in_progress");
	struct store_rows st = {0};
	if (!rc)
		rc = store_project_stages(c, a, j.id, &st);
	for (int i = 0; !rc && i < d->done_stages && (size_t)i < st.nrows; i++) {
		j.op = OP_STAGE_UPDATE;
		j.sid = store_rows_i64(&st, (size_t)i, 0);
		j.in = json_pack("{s:b}", "done", 1);
		rc = do_stage_update(c, &j);
		json_decref(j.in);
	}
	if (!rc && !strcmp(d->status, "done"))
		rc = do_status(c, &j, "in_progress", "done");
	return rc;
}

static int demo_fn(struct store_conn *c, void *arg)
{
	int64_t now = *(const int64_t *)arg;
	struct arena a;
	arena_init(&a, 16384);
	int rc = 0;
	for (size_t i = 0; i < sizeof(demo_projects) / sizeof(demo_projects[0]) && !rc; i++)
		rc = demo_one(c, &a, &demo_projects[i], now);
	if (!rc)
		rc = store_problems_edited(c, now);
	arena_release(&a);
	return rc;
}

int projects_demo_load(struct store *s)
{
	int64_t now = clock_now_ms();
	int rc = store_write(s, demo_fn, &now);
	if (rc)
		log_error("demo_projects", "cannot load the demo projects (%d)", rc);
	return rc;
}
