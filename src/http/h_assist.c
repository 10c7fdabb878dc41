/* h_assist.c: text assistance: suggestions while typing, similar appeals, problems (clusters). */
#include "http/handlers.h"
#include "appeals/appeal.h"
#include "appeals/assist.h"
#include "appeals/assistant.h"
#include "core/err.h"
#include "core/utf8.h"
#include "store/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int fail_p(struct req *r, int rc, const struct problem *p)
{
	return http_fail(r, rc, p->message, p->field);
}

/* An optional positive id field: absent/null → 0; anything else but a positive integer → 422. */
static int opt_id(struct req *r, json_t *v, const char *field, int64_t *out)
{
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return http_fail(r, ERR_VALIDATION, "Ожидается положительное целое число", field);
	*out = json_integer_value(v);
	return 0;
}

int h_appeal_suggest(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *text = NULL, *topic = NULL, *terr = NULL, *lat = NULL, *lon = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s?o,s?o,s?o,s?o,s?o}", "text", &text,
	                   "topic_id", &topic, "territory_id", &terr, "lat", &lat, "lon", &lon)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID,
		                 "Ожидаются поля text, topic_id, territory_id, lat и lon", NULL);
	}
	struct assist_query q = {0};
	if (text && !json_is_null(text)) {
		if (!json_is_string(text)) {
			rc = http_fail(r, ERR_VALIDATION, "Текст должен быть строкой", "text");
			goto out;
		}
		q.text = json_string_value(text);
		q.len = json_string_length(text);
		if (utf8_len(q.text, q.len) > APPEAL_TEXT_MAX) {
			rc = http_fail(r, ERR_VALIDATION, "Текст длиннее 4000 символов", "text");
			goto out;
		}
		if (!utf8_clean_text(q.text, q.len)) {
			rc = http_fail(r, ERR_VALIDATION, "Недопустимые символы в тексте", "text");
			goto out;
		}
	}
	if ((rc = opt_id(r, topic, "topic_id", &q.topic_id)) ||
	    (rc = opt_id(r, terr, "territory_id", &q.territory_id)))
		goto out;
	bool hl = lat && !json_is_null(lat), hn = lon && !json_is_null(lon);
	if (hl != hn) {
		rc = http_fail(r, ERR_VALIDATION, "Укажите обе координаты: lat и lon",
		               hl ? "lon" : "lat");
		goto out;
	}
	if (hl) {
		if (!json_is_number(lat) || fabs(json_number_value(lat)) > 90) {
			rc = http_fail(r, ERR_VALIDATION, "Широта — число от -90 до 90", "lat");
			goto out;
		}
		if (!json_is_number(lon) || fabs(json_number_value(lon)) > 180) {
			rc = http_fail(r, ERR_VALIDATION, "Долгота — число от -180 до 180", "lon");
			goto out;
		}
		q.has_point = true;
		q.lat = json_number_value(lat);
		q.lon = json_number_value(lon);
	}
	json_t *res = NULL;
	struct problem p = {0};
	rc = assist_suggest(r->store, r->a, &q, &res, &p);
	if (rc)
		rc = fail_p(r, rc, &p);
	else
		rc = http_json(r, 200, res);
out:
	json_decref(in);
	return rc;
}

/* The appeal of the path's {id} when the caller may work on it; otherwise the error to return
 * (404 as if it did not exist). */
static int staff_appeal(struct req *r, struct appeal *ap)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Обращение не найдено", NULL);
	struct store_conn *c;
	int rc = store_conn_get(r->store, &c);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	unsigned rights = 0;
	rc = appeal_load(c, r->a, id, ap);
	if (!rc)
		rc = appeal_rights(c, &r->actor, ap, &rights);
	store_conn_put(r->store, c);
	if (rc == ERR_NOTFOUND || (!rc && !(rights & AR_STAFF)))
		return http_fail(r, ERR_NOTFOUND, "Обращение не найдено", NULL);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return 0;
}

int h_appeal_similar(struct req *r)
{
	struct appeal ap;
	int rc = staff_appeal(r, &ap);
	if (rc)
		return rc;
	json_t *out = NULL;
	rc = assist_similar(r->store, r->a, &r->actor, &ap, &out);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

int h_appeal_assistant(struct req *r)
{
	struct appeal ap;
	int rc = staff_appeal(r, &ap);
	if (rc)
		return rc;
	json_t *out = NULL;
	rc = assistant_for(r->store, r->a, &r->actor, &ap, &out);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

#define PLAIN_TEXT_MAX 8000 /* characters */

int h_assistant_plain(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *text = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:o}", "text", &text)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидается одно поле text", NULL);
	}
	const char *s = json_is_string(text) ? json_string_value(text) : NULL;
	size_t len = s ? json_string_length(text) : 0;
	if (!s)
		rc = http_fail(r, ERR_VALIDATION, "Текст должен быть строкой", "text");
	else if (utf8_len(s, len) > PLAIN_TEXT_MAX)
		rc = http_fail(r, ERR_VALIDATION, "Текст длиннее 8000 символов", "text");
	else if (len != strlen(s) || !utf8_clean_text(s, len))
		rc = http_fail(r, ERR_VALIDATION, "Недопустимые символы в тексте", "text");
	else
		rc = http_json(r, 200, assistant_plain_json(r->a, s, len));
	json_decref(in);
	return rc;
}

int h_problem_list(struct req *r)
{
	struct problem_query q = {.limit = 50};
	int rc = http_query_int(r, "limit", 1, 100, &q.limit);
	if (!rc)
		rc = http_query_int(r, "offset", 0, 1000000000, &q.offset);
	if (!rc)
		rc = http_query_int(r, "territory_id", 1, INT64_MAX, &q.territory_id);
	if (!rc)
		rc = http_query_int(r, "category_id", 1, INT64_MAX, &q.category_id);
	if (!rc)
		rc = http_query_int(r, "topic_id", 1, INT64_MAX, &q.topic_id);
	if (rc)
		return rc;
	const char *st = http_query(r, "status");
	if (st && strcmp(st, "open") && strcmp(st, "solved"))
		return http_fail(r, ERR_INVALID, "status: open или solved", "status");
	q.status = st;
	const char *sort = http_query(r, "sort");
	if (sort && strcmp(sort, "size") && strcmp(sort, "recent"))
		return http_fail(r, ERR_INVALID, "sort: size или recent", "sort");
	q.by_size = sort && !strcmp(sort, "size");
	json_t *out = NULL;
	rc = assist_problem_list(r->store, r->a, &r->actor, &q, &out);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

int h_problem_get(struct req *r)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Проблема не найдена", NULL);
	json_t *out = NULL;
	int rc = assist_problem_get(r->store, r->a, &r->actor, id, &out);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Проблема не найдена", NULL);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

int h_problem_merge(struct req *r)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Проблема не найдена", NULL);
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *other = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:o}", "other_id", &other)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидается поле other_id", NULL);
	}
	int64_t oid = 0;
	rc = opt_id(r, other, "other_id", &oid);
	json_decref(in);
	if (rc)
		return rc;
	if (!oid)
		return http_fail(r, ERR_VALIDATION, "Укажите проблему для объединения", "other_id");
	json_t *out = NULL;
	struct problem p = {0};
	rc = assist_problem_merge(r->store, r->a, &r->actor, id, oid, &out, &p);
	if (rc == ERR_NOTFOUND && !p.message)
		p.message = "Проблема не найдена";
	if (rc)
		return fail_p(r, rc, &p);
	return http_json(r, 200, out);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int h_problem_split(struct req *r)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Проблема не найдена", NULL);
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *arr = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:o}", "appeal_ids", &arr)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидается поле appeal_ids", NULL);
	}
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
	if (!json_is_array(arr) || n < 1 || n > 200) {
		json_decref(in);
		return http_fail(r, ERR_VALIDATION, "Укажите от 1 до 200 обращений", "appeal_ids");
	}
	int64_t *ids = arena_alloc(r->a, n * sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			json_decref(in);
			return http_fail(r, ERR_VALIDATION,
			                 "Номера обращений — положительные числа", "appeal_ids");
		}
		ids[i] = json_integer_value(v);
	}
	json_decref(in);
	qsort(ids, n, sizeof(*ids), cmp_i64);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || ids[m - 1] != ids[i])
			ids[m++] = ids[i];
	json_t *out = NULL;
	struct problem p = {0};
	rc = assist_problem_split(r->store, r->a, &r->actor, id, ids, m, &out, &p);
	if (rc == ERR_NOTFOUND && !p.message)
		p.message = "Проблема не найдена";
	if (rc)
		return fail_p(r, rc, &p);
	return http_json(r, 201, out);
}
