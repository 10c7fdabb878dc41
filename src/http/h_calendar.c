/* h_calendar.c: the production calendar and organisations' deadline overrides. */
#include "http/handlers.h"
#include "appeals/calendar.h"
#include "appeals/deadline.h"
#include "core/err.h"

#include <string.h>

/* The {year} path parameter: four digits within the calendar's range, else 404. */
static int year_param(struct req *r, int *year)
{
	const char *s = r->params[0];
	if (!s || strlen(s) != 4 || strspn(s, "0123456789") != 4)
		return http_fail(r, ERR_NOTFOUND, "Календарь ведётся на 2000–2100 годы", NULL);
	*year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (*year < CALENDAR_YEAR_MIN || *year > CALENDAR_YEAR_MAX)
		return http_fail(r, ERR_NOTFOUND, "Календарь ведётся на 2000–2100 годы", NULL);
	return 0;
}

int h_calendar_get(struct req *r)
{
	int year;
	int rc = year_param(r, &year);
	if (rc)
		return rc;
	json_t *out;
	rc = deadline_calendar_get(r->store, r->a, year, &out);
	if (rc)
		return rc;
	return http_json(r, 200, out);
}

/* The body's single member `name` (an array), or 400. */
static int body_array(struct req *r, const char *name, json_t **in, json_t **arr)
{
	int rc = http_body_json(r, in);
	if (rc)
		return rc;
	json_error_t jerr;
	if (json_unpack_ex(*in, &jerr, JSON_STRICT, "{s:o}", name, arr) || !json_is_array(*arr)) {
		json_decref(*in);
		*in = NULL;
		return http_fail(r, ERR_INVALID,
		                 strcmp(name, "days") ? "Ожидается объект {\"items\": […]}"
		                                      : "Ожидается объект {\"days\": […]}",
		                 NULL);
	}
	return 0;
}

int h_calendar_put(struct req *r)
{
	int year;
	int rc = year_param(r, &year);
	if (rc)
		return rc;
	json_t *in, *days, *out = NULL;
	rc = body_array(r, "days", &in, &days);
	if (rc)
		return rc;
	struct deadline_problem p = {0};
	rc = deadline_calendar_put(r->store, r->a, &r->actor, year, days, &out, &p);
	json_decref(in);
	if (rc)
		return http_fail(r, rc, p.message, p.field);
	return http_json(r, 200, out);
}

int h_org_deadlines_get(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	json_t *out;
	rc = deadline_org_get(r->store, r->a, id, &out);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Организация не найдена", NULL);
	if (rc)
		return rc;
	return http_json(r, 200, out);
}

int h_org_deadlines_put(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	json_t *in, *items, *out = NULL;
	rc = body_array(r, "items", &in, &items);
	if (rc)
		return rc;
	struct deadline_problem p = {0};
	rc = deadline_org_put(r->store, r->a, &r->actor, id, items, &out, &p);
	json_decref(in);
	if (rc)
		return http_fail(r, rc, p.message, p.field);
	return http_json(r, 200, out);
}
