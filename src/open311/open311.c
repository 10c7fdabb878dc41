/* open311.c: Open311 GeoReport v2 (docs/open311.md): services from topics, service definitions
 * from topic attributes, service requests from appeals; times in ISO 8601 with the platform's
 * offset. */
#include "open311/open311.h"
#include "appeals/appeal.h"
#include "appeals/submit.h"
#include "audit/audit.h"
#include "auth/session.h"
#include "core/csv.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "open311/xml.h"
#include "store/open311.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTR_STRING_MAX 500  /* characters of a string attribute */
#define ATTR_TEXT_MAX   4000 /* characters of a text attribute */
#define NAME_MAX_CHARS  100
#define URL_MAX_BYTES   2000
#define XML_MAX_BYTES   (16u * 1024 * 1024)

/* ---- time ---- */

const char *open311_time_format(struct arena *a, int64_t ms)
{
	int off = appeal_tz_offset_min();
	time_t t = (time_t)((ms - (ms % 1000 + 1000) % 1000) / 1000) + (time_t)off * 60;
	struct tm tm;
	gmtime_r(&t, &tm);
	int aoff = off < 0 ? -off : off;
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
	                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	                    off < 0 ? '-' : '+', aoff / 60, aoff % 60);
}

/* n digits at *p into *v; advances. */
static bool digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return true;
}

int open311_time_parse(const char *s, int64_t *ms)
{
	if (!s)
		return ERR_INVALID;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return ERR_INVALID;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return ERR_INVALID;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return ERR_INVALID;
			if (*p == '.' || *p == ',') {
				p++;
				int n = 0;
				while (isdigit((unsigned char)*p)) {
					if (n < 3)
						frac_ms = frac_ms * 10 + (*p - '0');
					n++, p++;
				}
				if (!n || n > 9)
					return ERR_INVALID;
				for (; n < 3; n++)
					frac_ms *= 10;
			}
		}
	}
	int off_min = appeal_tz_offset_min();
	if (*p == 'Z' || *p == 'z') {
		off_min = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (!digits(&p, 2, &oh))
			return ERR_INVALID;
		if (*p == ':')
			p++;
		if (!digits(&p, 2, &om) || oh > 23 || om > 59)
			return ERR_INVALID;
		off_min = sign * (oh * 60 + om);
	}
	if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return ERR_INVALID;
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = sec};
	time_t t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse dates that do not exist. */
	struct tm back;
	gmtime_r(&t, &back);
	if (back.tm_mday != d || back.tm_mon != mo - 1)
		return ERR_INVALID;
	*ms = ((int64_t)t - (int64_t)off_min * 60) * 1000 + frac_ms;
	return 0;
}

int64_t open311_max_requests(void)
{
	const char *v = getenv("OTKLIK_OPEN311_MAX_REQUESTS");
	if (v && *v) {
		char *end;
		long long x = strtoll(v, &end, 10);
		if (!*end && x >= 1 && x <= O311_MAX_REQUESTS)
			return x;
	}
	return O311_MAX_REQUESTS;
}

/* ---- rendering ---- */

json_t *open311_errors(int status, const char *description)
{
	return json_pack("[{s:i,s:s}]", "code", status, "description",
	                 description ? description : "Ошибка");
}

int open311_render(struct arena *a, bool xml, json_t *body, const char *root, const char **out,
                   size_t *len)
{
	if (!xml) {
		char *s =
		    json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		if (!s)
			return ERR_INTERNAL;
		*len = strlen(s);
		*out = arena_strndup(a, s, *len);
		free(s);
		return 0;
	}
	struct xml x;
	xml_init(&x, XML_MAX_BYTES);
	xml_from_json(&x, root, NULL, body);
	int rc = xml_finish(&x, a, out, len);
	xml_release(&x);
	return rc;
}

/* ---- discovery and services ---- */

json_t *open311_discovery(const char *base_url)
{
	return json_pack(
	    "{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:[s,s]}]}", "changeset", "2026-01-01T00:00:00+03:00",
	    "contact", "Оператор платформы «Отклик»: обратитесь к администратору платформы",
	    "key_service",
	    "Ключ API выдаёт администратор платформы (otklik apikey create) по заявке организации",
	    "endpoints", "specification", "http://wiki.open311.org/GeoReport_v2", "url", base_url,
	    "changeset", "2026-01-01T00:00:00+03:00", "type", "production", "formats", "text/xml",
	    "application/json");
}

int open311_services(struct store *s, struct arena *a, json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct store_rows r;
	rc = store_o311_services(c, a, &r);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < r.nrows; i++) {
		const char *hint = store_rows_get(&r, i, 2);
		json_array_append_new(
		    arr,
		    json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "service_code",
		              store_rows_get(&r, i, 0), "service_name", store_rows_get(&r, i, 1),
		              "description", hint ? hint : "", "metadata",
		              store_rows_i64(&r, i, 5) > 0, "type", "realtime", "keywords",
		              arena_printf(a, "%s, %s", store_rows_get(&r, i, 4),
		                           store_rows_get(&r, i, 0)),
		              "group", store_rows_get(&r, i, 3)));
	}
	*out = arr;
	return 0;
}

/* One attribute definition as loaded. */
struct attr_def {
	const char *code, *datatype, *description, *datatype_description;
	bool required;
	int64_t order;
	json_t *values; /* [{key,name}] or NULL (borrowed from the caller's list) */
};

static int load_attrs(struct store_conn *c, struct arena *a, int64_t topic_id,
                      struct attr_def **defs, size_t *n, json_t **keep)
{
	struct store_rows r;
	int rc = store_o311_attributes(c, a, topic_id, &r);
	if (rc)
		return rc;
	*keep = json_array();
	*defs = arena_alloc(a, (r.nrows + 1) * sizeof(**defs));
	*n = r.nrows;
	for (size_t i = 0; i < r.nrows; i++) {
		struct attr_def *d = &(*defs)[i];
		d->code = store_rows_get(&r, i, 0);
		d->datatype = store_rows_get(&r, i, 1);
		d->required = store_rows_i64(&r, i, 2) != 0;
		d->description = store_rows_get(&r, i, 3);
		d->datatype_description = store_rows_get(&r, i, 4);
		d->order = store_rows_i64(&r, i, 5);
		const char *vals = store_rows_get(&r, i, 6);
		d->values = vals ? json_loads(vals, 0, NULL) : NULL;
		if (d->values && !json_is_array(d->values)) {
			json_decref(d->values);
			d->values = NULL;
		}
		if (d->values)
			json_array_append_new(*keep, d->values); /* owned by keep */
	}
	return 0;
}

/* Topic codes are short ASCII words; anything else cannot name a service. */
static bool code_ok(const char *code)
{
	size_t n = strlen(code);
	if (!n || n > 100)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && code[i] != '-' && code[i] != '_' &&
		    code[i] != '.')
			return false;
	return true;
}

static bool is_list(const char *datatype)
{
	return strcmp(datatype, "singlevaluelist") == 0 || strcmp(datatype, "multivaluelist") == 0;
}

int open311_service_definition(struct store *s, struct arena *a, const char *code, json_t **out,
                               const char **why)
{
	if (!code_ok(code)) {
		*why = "Услуга не найдена";
		return ERR_NOTFOUND;
	}
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	int64_t topic_id;
	struct attr_def *defs = NULL;
	size_t n = 0;
	json_t *keep = NULL;
	rc = store_o311_topic(c, a, code, &topic_id, NULL);
	if (!rc)
		rc = load_attrs(c, a, topic_id, &defs, &n, &keep);
	store_conn_put(s, c);
	if (rc == ERR_NOTFOUND)
		*why = arena_printf(a, "Услуга %s не найдена", code);
	if (rc)
		return rc;
	json_t *attrs = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:b,s:s,s:s,s:b,s:s,s:I,s:s}", "variable", 1, "code", defs[i].code,
		    "datatype", defs[i].datatype, "required", defs[i].required,
		    "datatype_description",
		    defs[i].datatype_description ? defs[i].datatype_description : "", "order",
		    (json_int_t)defs[i].order, "description", defs[i].description);
		if (is_list(defs[i].datatype))
			json_object_set(o, "values",
			                defs[i].values ? defs[i].values : json_array());
		json_array_append_new(attrs, o);
	}
	json_decref(keep);
	*out = json_pack("{s:s,s:o}", "service_code", code, "attributes", attrs);
	return 0;
}

/* ---- GET requests ---- */

static const char *reject_label(const char *reason)
{
	static const char *const map[][2] = {
	    {"abusive", "Отклонено: оскорбительные выражения"},
	    {"not_an_appeal", "Отклонено: не является обращением"},
	    {"no_content", "Отклонено: нет сути обращения"},
	    {"repeated", "Отклонено: повторное обращение без новых доводов"},
	    {"not_competent", "Отклонено: вне компетенции платформы"},
	    {NULL, NULL},
	};
	for (size_t i = 0; reason && map[i][0]; i++)
		if (strcmp(map[i][0], reason) == 0)
			return map[i][1];
	return reason ? "Отклонено" : NULL;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *deadline_notice(struct arena *a, const char *deadline, const char *unit)
{
	if (!deadline || !unit)
		return NULL;
	if (strcmp(unit, "hours") == 0)
		return arena_printf(a, "Срок рассмотрения: %s ч.", deadline);
	return arena_printf(a, "Срок рассмотрения: %s рабочих дней", deadline);
}

static json_t *request_json(struct arena *a, const struct store_rows *r, size_t i)
{
	const char *status = store_rows_get(r, i, 1);
	enum appeal_status st = AS_SUBMITTED;
	appeal_status_parse(status, &st);
	bool open = appeal_status_open(st);
	const char *reject = store_rows_get(r, i, 9);
	const char *notes = store_rows_get(r, i, 13);
	if (st == AS_REJECTED)
		notes = reject_label(reject);
	const char *text = store_rows_get(r, i, 2);
	if (st == AS_REJECTED && reject && strcmp(reject, "abusive") == 0)
		text = NULL; /* not republished */
	json_t *o = json_object();
	json_object_set_new(
	    o, "service_request_id",
	    json_string(arena_printf(a, "%lld", (long long)store_rows_i64(r, i, 0))));
	json_object_set_new(o, "status", json_string(open ? "open" : "closed"));
	json_object_set_new(o, "status_notes", str_or_null(notes));
	json_object_set_new(o, "service_name", json_string(store_rows_get(r, i, 11)));
	json_object_set_new(o, "service_code", json_string(store_rows_get(r, i, 10)));
	json_object_set_new(o, "description", str_or_null(text));
	json_object_set_new(o, "agency_responsible", str_or_null(store_rows_get(r, i, 12)));
	json_object_set_new(
	    o, "service_notice",
	    str_or_null(deadline_notice(a, store_rows_get(r, i, 15), store_rows_get(r, i, 16))));
	json_object_set_new(o, "requested_datetime",
	                    json_string(open311_time_format(a, store_rows_i64(r, i, 6))));
	json_object_set_new(o, "updated_datetime",
	                    json_string(open311_time_format(a, store_rows_i64(r, i, 7))));
	json_object_set_new(o, "expected_datetime",
	                    store_rows_isnull(r, i, 8) || !open
	                        ? json_null()
	                        : json_string(open311_time_format(a, store_rows_i64(r, i, 8))));
	json_object_set_new(o, "address", str_or_null(store_rows_get(r, i, 3)));
	json_object_set_new(o, "address_id", json_null());
	json_object_set_new(o, "zipcode", json_null());
	bool point = !store_rows_isnull(r, i, 4) && !store_rows_isnull(r, i, 5);
	json_object_set_new(o, "lat", point ? json_real(store_rows_f64(r, i, 4)) : json_null());
	json_object_set_new(o, "long", point ? json_real(store_rows_f64(r, i, 5)) : json_null());
	json_object_set_new(o, "media_url", str_or_null(store_rows_get(r, i, 14)));
	return o;
}

static int run_requests(struct store *s, struct arena *a, const struct o311_filter *f, json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct store_rows r;
	rc = store_o311_requests(c, a, f, &r);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < r.nrows; i++)
		json_array_append_new(arr, request_json(a, &r, i));
	*out = arr;
	return 0;
}

/* Splits a comma list into trimmed non-empty items (at most max); NULL list → 0 items. */
static size_t split_list(struct arena *a, const char *s, const char ***items, size_t max,
                         bool *too_many)
{
	*too_many = false;
	*items = NULL;
	if (!s)
		return 0;
	char *dup = arena_strdup(a, s);
	const char **v = arena_alloc(a, (max + 1) * sizeof(*v));
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		size_t l = strlen(t);
		while (l && t[l - 1] == ' ')
			t[--l] = '\0';
		if (!l)
			continue;
		if (n == max) {
			*too_many = true;
			break;
		}
		v[n++] = t;
	}
	*items = v;
	return n;
}

static bool parse_id(const char *s, int64_t *id)
{
	if (!s || !isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (*end || errno || x <= 0)
		return false;
	*id = x;
	return true;
}

int open311_requests(struct store *s, struct arena *a, const struct open311_query *q, int64_t now,
                     json_t **out, const char **why)
{
	struct o311_filter f = {.open = -1, .limit = open311_max_requests()};
	const char **items;
	bool too_many;
	size_t n = split_list(a, q->service_request_id, &items, O311_MAX_IDS, &too_many);
	if (too_many) {
		*why = arena_printf(a, "Не больше %d номеров в service_request_id", O311_MAX_IDS);
		return ERR_INVALID;
	}
	if (n) {
		int64_t *ids = arena_alloc(a, n * sizeof(*ids));
		for (size_t i = 0; i < n; i++)
			if (!parse_id(items[i], &ids[i])) {
				/* Echo the value only when the reply (JSON or XML) can carry it. */
				size_t l = strlen(items[i]);
				bool echo = l <= 100 && utf8_clean_text(items[i], l);
				*why = arena_printf(a, "Некорректный service_request_id: %s",
				                    echo ? items[i] : "…");
				return ERR_INVALID;
			}
		f.ids = ids;
		f.nids = n;
		/* The spec: with service_request_id the other parameters are ignored. */
		return run_requests(s, a, &f, out);
	}
	if (q->service_request_id) {
		*why = "Пустой service_request_id";
		return ERR_INVALID;
	}
	f.ncodes = split_list(a, q->service_code, &items, 100, &too_many);
	f.codes = items;
	if (too_many) {
		*why = "Не больше 100 кодов в service_code";
		return ERR_INVALID;
	}
	if (q->status) {
		bool want_open = false, want_closed = false;
		size_t ns = split_list(a, q->status, &items, 10, &too_many);
		for (size_t i = 0; i < ns; i++) {
			if (strcmp(items[i], "open") == 0)
				want_open = true;
			else if (strcmp(items[i], "closed") == 0)
				want_closed = true;
			else {
				*why = "status: ожидается open, closed или open,closed";
				return ERR_INVALID;
			}
		}
		if (!ns || too_many) {
			*why = "status: ожидается open, closed или open,closed";
			return ERR_INVALID;
		}
		f.open = want_open && want_closed ? -1 : want_open ? 1 : 0;
	}
	int64_t from = 0, to = 0;
	if (q->start_date && open311_time_parse(q->start_date, &from)) {
		*why = "start_date: ожидается дата и время ISO 8601, например "
		       "2026-01-15T00:00:00+03:00";
		return ERR_INVALID;
	}
	if (q->end_date && open311_time_parse(q->end_date, &to)) {
		*why =
		    "end_date: ожидается дата и время ISO 8601, например 2026-01-31T23:59:59+03:00";
		return ERR_INVALID;
	}
	if (q->start_date && q->end_date) {
		if (to < from) {
			*why = "end_date раньше start_date";
			return ERR_INVALID;
		}
		if (to - from > O311_WINDOW_MS) {
			*why = "Промежуток между start_date и end_date не может превышать 90 дней";
			return ERR_INVALID;
		}
	} else if (q->start_date) {
		to = from + O311_WINDOW_MS;
	} else if (q->end_date) {
		from = to - O311_WINDOW_MS;
	} else {
		from = now - O311_WINDOW_MS;
	}
	f.from = from > 0 ? from : 1;
	f.to = to;
	return run_requests(s, a, &f, out);
}

int open311_request_get(struct store *s, struct arena *a, const char *id, json_t **out,
                        const char **why)
{
	int64_t v;
	if (!parse_id(id, &v)) {
		*why = "Заявка не найдена";
		return ERR_NOTFOUND;
	}
	struct o311_filter f = {.ids = &v, .nids = 1, .open = -1, .limit = 1};
	int rc = run_requests(s, a, &f, out);
	if (!rc && json_array_size(*out) == 0) {
		json_decref(*out);
		*out = NULL;
		*why = "Заявка не найдена";
		return ERR_NOTFOUND;
	}
	return rc;
}

int open311_token(struct store *s, struct arena *a, const char *token, json_t **out,
                  const char **why)
{
	*why = "Токен не найден";
	if (!token || !*token || strlen(token) > 200)
		return ERR_NOTFOUND;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	int64_t id = 0;
	rc = store_o311_token(c, token, &id);
	store_conn_put(s, c);
	if (rc)
		return rc;
	*out = json_pack("[{s:s,s:s}]", "service_request_id",
	                 arena_printf(a, "%lld", (long long)id), "token", token);
	return 0;
}

/* ---- POST requests ---- */

/* A scalar form field: NULL when absent; ERR_INVALID (why set) when repeated. */
static int scalar(struct arena *a, const struct form *f, const char *key, const char **out,
                  const char **why)
{
	*out = NULL;
	if (form_count(f, key) > 1) {
		*why = arena_printf(a, "Поле %s указано несколько раз", key);
		return ERR_INVALID;
	}
	*out = form_get(f, key);
	return 0;
}

/* Trimmed copy (spaces, tabs, newlines at the edges), arena-owned. */
static const char *trim(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

static bool short_text_ok(const char *s, size_t max_chars)
{
	size_t n = strlen(s);
	return utf8_clean_text(s, n) && utf8_len(s, n) <= max_chars && !strchr(s, '\n') &&
	       !strchr(s, '\r');
}

static bool parse_double(const char *s, double *v)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return !*end && !errno && isfinite(*v) && !isspace((unsigned char)*s);
}

/* Values given for one attribute. */
struct attr_given {
	const struct attr_def *def;
	const char **values;
	size_t n, cap;
};

static bool value_in_list(const struct attr_def *d, const char *v)
{
	size_t i;
	json_t *m;
	json_array_foreach(d->values, i, m)
	{
		const char *k = json_string_value(json_object_get(m, "key"));
		if (k && strcmp(k, v) == 0)
			return true;
	}
	return false;
}

static int check_attr_value(struct arena *a, const struct attr_def *d, const char *v,
                            const char **why)
{
	const char *dt = d->datatype;
	size_t n = strlen(v);
	bool ok = true;
	if (strcmp(dt, "number") == 0) {
		double x;
		ok = parse_double(v, &x);
	} else if (strcmp(dt, "datetime") == 0) {
		int64_t ms;
		ok = open311_time_parse(v, &ms) == 0;
	} else if (strcmp(dt, "text") == 0) {
		ok = utf8_clean_text(v, n) && utf8_len(v, n) <= ATTR_TEXT_MAX;
	} else if (is_list(dt)) {
		ok = d->values && value_in_list(d, v);
	} else { /* string */
		ok = short_text_ok(v, ATTR_STRING_MAX);
	}
	if (!ok)
		*why = arena_printf(a, "Недопустимое значение attribute[%s] (%s): %s", d->code,
		                    d->datatype_description && *d->datatype_description
		                        ? d->datatype_description
		                        : d->datatype,
		                    short_text_ok(v, 100) ? v : "…");
	return ok ? 0 : ERR_INVALID;
}

/* Collects and checks attribute[code] and attribute[code][] fields against defs. */
static int collect_attrs(struct arena *a, const struct form *f, const struct attr_def *defs,
                         size_t ndefs, struct attr_given *given, const char **why)
{
	for (size_t i = 0; i < ndefs; i++)
		given[i] = (struct attr_given){.def = &defs[i]};
	for (size_t i = 0; i < f->n; i++) {
		const char *k = f->fields[i].key;
		if (strncmp(k, "attribute[", 10) != 0)
			continue;
		const char *code = k + 10;
		const char *close = strchr(code, ']');
		if (!close || (close[1] && strcmp(close + 1, "[]") != 0)) {
			*why = arena_printf(a, "Некорректное имя поля %s",
			                    short_text_ok(k, 100) ? k : "…");
			return ERR_INVALID;
		}
		size_t cl = (size_t)(close - code);
		struct attr_given *g = NULL;
		for (size_t j = 0; j < ndefs; j++)
			if (strlen(defs[j].code) == cl && memcmp(defs[j].code, code, cl) == 0)
				g = &given[j];
		if (!g) {
			*why = arena_printf(a, "Услуга не имеет атрибута %.*s",
			                    (int)(cl < 100 ? cl : 100), code);
			if (!short_text_ok(*why, 300))
				*why = "Услуга не имеет такого атрибута";
			return ERR_INVALID;
		}
		const char *v = trim(a, f->fields[i].value);
		if (!*v)
			continue;
		int rc = check_attr_value(a, g->def, v, why);
		if (rc)
			return rc;
		if (g->n && strcmp(g->def->datatype, "multivaluelist") != 0) {
			*why =
			    arena_printf(a, "attribute[%s] принимает одно значение", g->def->code);
			return ERR_INVALID;
		}
		if (g->n == g->cap) {
			size_t nc = g->cap ? g->cap * 2 : 4;
			const char **nv = arena_alloc(a, nc * sizeof(*nv));
			if (g->n)
				memcpy(nv, g->values, g->n * sizeof(*nv));
			g->values = nv;
			g->cap = nc;
		}
		bool dup = false;
		for (size_t j = 0; j < g->n; j++)
			dup |= strcmp(g->values[j], v) == 0;
		if (!dup)
			g->values[g->n++] = v;
	}
	for (size_t i = 0; i < ndefs; i++)
		if (defs[i].required && !given[i].n) {
			*why = arena_printf(a, "Не заполнен обязательный атрибут attribute[%s]: %s",
			                    defs[i].code, defs[i].description);
			return ERR_INVALID;
		}
	return 0;
}

struct attrs_job {
	const struct actor *who;
	int64_t appeal_id;
	struct attr_given *given;
	size_t ngiven;
	const char *media_url, *address_id;
};

/* Runs inside appeal_submit's write job (struct appeal_input.extra): the attributes are stored
 * with the appeal or not at all. */
static int attrs_fn(struct store_conn *c, int64_t appeal_id, void *arg)
{
	struct attrs_job *j = arg;
	j->appeal_id = appeal_id;
	json_t *after = json_object();
	int rc = 0;
	for (size_t i = 0; !rc && i < j->ngiven; i++) {
		if (!j->given[i].n)
			continue;
		rc = store_o311_appeal_attr_set(c, j->appeal_id, j->given[i].def->code,
		                                j->given[i].values, j->given[i].n);
		json_t *vals = json_array();
		for (size_t k = 0; k < j->given[i].n; k++)
			json_array_append_new(vals, json_string(j->given[i].values[k]));
		json_object_set_new(after, j->given[i].def->code, vals);
	}
	if (!rc && j->media_url) {
		rc = store_o311_appeal_attr_set(c, j->appeal_id, "media_url", &j->media_url, 1);
		json_object_set_new(after, "media_url", json_string(j->media_url));
	}
	if (!rc && j->address_id) {
		rc = store_o311_appeal_attr_set(c, j->appeal_id, "address_id", &j->address_id, 1);
		json_object_set_new(after, "address_id", json_string(j->address_id));
	}
	if (!rc && json_object_size(after))
		rc = audit_record(c, j->who, "open311_attributes", "appeal", j->appeal_id, NULL,
		                  after);
	json_decref(after);
	return rc;
}

static bool url_ok(const char *u)
{
	size_t n = strlen(u);
	if (n > URL_MAX_BYTES || !utf8_clean_text(u, n))
		return false;
	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return false;
	for (const char *p = u; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '<' || *p == '>' ||
		    *p == '"')
			return false;
	return strlen(strchr(u, ':') + 3) > 0;
}

int open311_request_create(struct store *s, struct arena *a, const char *request_id,
                           const struct form *f, json_t **out, const char **why)
{
	const char *key, *code, *desc, *lat_s, *lon_s, *addr, *addr_id, *first, *last, *email,
	    *phone, *media;
	int rc;
	/* The key first: nothing is said about the rest to a caller without one. */
	if ((rc = scalar(a, f, "api_key", &key, why)))
		return rc;
	if (!key || !*key) {
		*why = "Не указан api_key: ключ выдаёт администратор платформы";
		return ERR_FORBIDDEN;
	}
	struct actor who = {.request_id = request_id};
	rc = auth_apikey_authenticate(s, a, key, &who);
	if (rc == ERR_UNAUTHORIZED) {
		*why = "Недействительный api_key";
		return ERR_FORBIDDEN;
	}
	if (rc)
		return rc;
	if ((rc = scalar(a, f, "service_code", &code, why)) ||
	    (rc = scalar(a, f, "description", &desc, why)) ||
	    (rc = scalar(a, f, "lat", &lat_s, why)) || (rc = scalar(a, f, "long", &lon_s, why)) ||
	    (rc = scalar(a, f, "address_string", &addr, why)) ||
	    (rc = scalar(a, f, "address_id", &addr_id, why)) ||
	    (rc = scalar(a, f, "first_name", &first, why)) ||
	    (rc = scalar(a, f, "last_name", &last, why)) ||
	    (rc = scalar(a, f, "email", &email, why)) ||
	    (rc = scalar(a, f, "phone", &phone, why)) ||
	    (rc = scalar(a, f, "media_url", &media, why)))
		return rc;
	code = trim(a, code);
	if (!code || !*code) {
		*why = "Не указан service_code";
		return ERR_INVALID;
	}

	struct store_conn *c;
	if ((rc = store_conn_get(s, &c)))
		return rc;
	int64_t topic_id = 0, key_territory = 0;
	struct attr_def *defs = NULL;
	size_t ndefs = 0;
	json_t *keep = NULL;
	rc = code_ok(code) ? store_o311_topic(c, a, code, &topic_id, NULL) : ERR_NOTFOUND;
	if (!rc)
		rc = load_attrs(c, a, topic_id, &defs, &ndefs, &keep);
	if (!rc)
		rc = store_o311_apikey_territory(c, who.apikey_id, &key_territory);
	store_conn_put(s, c);
	if (rc == ERR_NOTFOUND) {
		*why = code_ok(code) ? arena_printf(a, "Неизвестный service_code: %s", code)
		                     : "Неизвестный service_code";
		rc = ERR_INVALID;
	}
	if (rc)
		goto out;

	struct appeal_input in = {.channel = "open311", .topic_id = topic_id};
	desc = trim(a, desc);
	if (!desc || !*desc) {
		*why = "Не указано описание (description)";
		rc = ERR_INVALID;
		goto out;
	}
	in.text = desc;
	in.text_len = strlen(desc);

	/* Location: a point, or an address / address id within the key's territory. */
	lat_s = trim(a, lat_s);
	lon_s = trim(a, lon_s);
	addr = trim(a, addr);
	addr_id = trim(a, addr_id);
	bool has_lat = lat_s && *lat_s, has_lon = lon_s && *lon_s;
	if (has_lat || has_lon) {
		if (!has_lat || !has_lon || !parse_double(lat_s, &in.lat) ||
		    !parse_double(lon_s, &in.lon) || in.lat < -90 || in.lat > 90 || in.lon < -180 ||
		    in.lon > 180) {
			*why =
			    "lat и long: широта от -90 до 90 и долгота от -180 до 180, обе вместе";
			rc = ERR_INVALID;
			goto out;
		}
		in.has_point = true;
	} else if ((addr && *addr) || (addr_id && *addr_id)) {
		if (!key_territory) {
			*why = "Укажите место (location required): lat и long — у ключа API нет "
			       "территории, по которой можно найти адрес";
			rc = ERR_INVALID;
			goto out;
		}
		in.territory_id = key_territory;
	} else {
		*why =
		    "Укажите место (location required): lat и long, address_string или address_id";
		rc = ERR_INVALID;
		goto out;
	}
	if (addr && *addr) {
		if (!short_text_ok(addr, 500)) {
			*why = "address_string: одна строка до 500 символов";
			rc = ERR_INVALID;
			goto out;
		}
		in.address = addr;
	}
	if (addr_id && *addr_id && !short_text_ok(addr_id, 200)) {
		*why = "address_id: одна строка до 200 символов";
		rc = ERR_INVALID;
		goto out;
	}

	/* The person (optional). */
	first = trim(a, first);
	last = trim(a, last);
	email = trim(a, email);
	phone = trim(a, phone);
	if ((first && !short_text_ok(first, NAME_MAX_CHARS)) ||
	    (last && !short_text_ok(last, NAME_MAX_CHARS))) {
		*why = "first_name, last_name: до 100 символов";
		rc = ERR_INVALID;
		goto out;
	}
	if (email && *email && !valid_email(email)) {
		*why = "email: некорректный адрес электронной почты";
		rc = ERR_INVALID;
		goto out;
	}
	if (phone && *phone && !short_text_ok(phone, 50)) {
		*why = "phone: до 50 символов";
		rc = ERR_INVALID;
		goto out;
	}
	const char *name =
	    arena_printf(a, "%s%s%s", first ? first : "",
	                 first && *first && last && *last ? " " : "", last ? last : "");
	const char *contact =
	    arena_printf(a, "%s%s%s", email ? email : "",
	                 email && *email && phone && *phone ? ", " : "", phone ? phone : "");
	in.person_name = *name ? name : NULL;
	in.person_contact = *contact ? contact : NULL;

	media = trim(a, media);
	if (media && *media && !url_ok(media)) {
		*why = "media_url: ссылка http(s) до 2000 символов";
		rc = ERR_INVALID;
		goto out;
	}

	struct attr_given *given = arena_alloc(a, (ndefs + 1) * sizeof(*given));
	if ((rc = collect_attrs(a, f, defs, ndefs, given, why)))
		goto out;

	struct attrs_job j = {&who,
	                      0,
	                      given,
	                      ndefs,
	                      media && *media ? media : NULL,
	                      addr_id && *addr_id ? addr_id : NULL};
	in.extra = attrs_fn;
	in.extra_arg = &j;
	struct appeal ap;
	struct problem p = {0};
	rc = appeal_submit(s, a, &who, &in, &ap, &p);
	if (rc == ERR_VALIDATION || rc == ERR_INVALID) {
		*why = p.message ? p.message : "Обращение не принято: проверьте данные";
		rc = ERR_INVALID;
		goto out;
	}
	if (rc == ERR_FORBIDDEN) {
		*why = p.message ? p.message : "Ключу API это не разрешено";
		goto out;
	}
	if (rc)
		goto out;

	json_t *notice = ap.deadline_at
	                     ? json_string(arena_printf(a, "Обращение принято, срок ответа до %s",
	                                                open311_time_format(a, ap.deadline_at)))
	                     : json_string("Обращение принято и будет направлено в "
	                                   "компетентный орган");
	*out = json_pack("[{s:s,s:o,s:n,s:s}]", "service_request_id",
	                 arena_printf(a, "%lld", (long long)ap.id), "service_notice", notice,
	                 "account_id", "token", ap.token ? ap.token : "");
out:
	json_decref(keep);
	return rc;
}

/* ---- demo ---- */

struct demo_job {
	struct arena *a;
	const char *data;
	size_t len;
};

static const struct actor system_actor = {.roles = ROLE_ADMIN, .request_id = "system"};

/* "pothole=Выбоина|crack=Трещины" → [{"key","name"}…] as JSON text (NULL when empty). */
static const char *values_json(struct arena *a, const char *s, size_t n)
{
	if (!n)
		return NULL;
	json_t *arr = json_array();
	char *dup = arena_strndup(a, s, n);
	for (char *save = NULL, *t = strtok_r(dup, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(t, '=');
		if (!eq)
			continue;
		*eq = '\0';
		json_array_append_new(arr, json_pack("{s:s,s:s}", "key", t, "name", eq + 1));
	}
	char *js = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	const char *outs = arena_strdup(a, js ? js : "[]");
	free(js);
	return outs;
}

static int demo_fn(struct store_conn *c, void *arg)
{
	struct demo_job *j = arg;
	struct csv_reader r;
	csv_init(&r, j->data, j->len);
	int rc = csv_next(&r); /* the header */
	if (rc != 1) {
		csv_release(&r);
		return ERR_INVALID;
	}
	rc = 0;
	int more;
	while ((more = csv_next(&r)) == 1) {
		if (r.nfields < 8) {
			rc = ERR_INVALID;
			break;
		}
		const char *f[8];
		for (size_t i = 0; i < 8; i++)
			f[i] = arena_strndup(j->a, r.fields[i], r.lens[i]);
		int64_t id = 0;
		rc = store_o311_attribute_add(c, f[0], f[1], f[2], atoi(f[3]) ? 1 : 0, f[4],
		                              *f[5] ? f[5] : NULL, atoll(f[6]),
		                              values_json(j->a, f[7], strlen(f[7])), &id);
		if (rc == ERR_NOTFOUND) {
			log_error("open311", "topic_attributes.csv: unknown topic %s", f[0]);
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (id) {
			json_t *after = json_pack("{s:s,s:s,s:s}", "topic", f[0], "code", f[1],
			                          "datatype", f[2]);
			rc = audit_record(c, &system_actor, "create", "topic_attribute", id, NULL,
			                  after);
			json_decref(after);
			if (rc)
				break;
		}
	}
	if (!rc && more < 0)
		rc = ERR_INVALID;
	csv_release(&r);
	return rc;
}

int open311_demo_load(struct store *s)
{
	const struct embedded_file *fe = embed_find("data/demo/topic_attributes.csv");
	if (!fe) {
		log_error("open311", "missing embedded file data/demo/topic_attributes.csv");
		return ERR_INTERNAL;
	}
	struct arena a;
	arena_init(&a, 8192);
	struct demo_job j = {&a, fe->data, fe->len};
	int rc = store_write(s, demo_fn, &j);
	arena_release(&a);
	if (rc)
		log_error("open311", "demo attributes not loaded (%d)", rc);
	return rc;
}
