/* h_projects.c: the project map's endpoints; the rules are in src/projects/project.c. */
#include "http/h_projects.h"
#include "core/err.h"
#include "projects/project.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct req *r, int rc, const struct problem *p)
{
	if (rc == ERR_NOTFOUND && !p->message)
		return http_fail(r, rc, "Проект не найден", NULL);
	return http_fail(r, rc, p->message, p->field);
}

static int paging(struct req *r, int64_t max, int64_t *limit, int64_t *offset)
{
	*limit = 50;
	*offset = 0;
	int rc = http_query_int(r, "limit", 1, max, limit);
	if (!rc)
		rc = http_query_int(r, "offset", 0, 1000000000, offset);
	return rc;
}

/* bbox=min_lon,min_lat,max_lon,max_lat (the GeoJSON order). */
static int parse_bbox(struct req *r, struct project_query *q)
{
	const char *v = http_query(r, "bbox");
	if (!v || !*v)
		return 0;
	double x[4];
	const char *s = v;
	for (int i = 0; i < 4; i++) {
		char *end;
		x[i] = strtod(s, &end);
		if (end == s || !isfinite(x[i]) || (i < 3 && *end != ',') || (i == 3 && *end))
			return http_fail(
			    r, ERR_INVALID,
			    "bbox: четыре числа через запятую — мин. долгота, мин. широта, "
			    "макс. долгота, макс. широта",
			    "bbox");
		s = end + 1;
	}
	if (x[0] > x[2] || x[1] > x[3] || fabs(x[1]) > 90 || fabs(x[3]) > 90 || fabs(x[0]) > 180 ||
	    fabs(x[2]) > 180)
		return http_fail(r, ERR_INVALID, "bbox: границы перепутаны или вне координат",
		                 "bbox");
	q->has_box = true;
	q->min_lon = x[0];
	q->min_lat = x[1];
	q->max_lon = x[2];
	q->max_lat = x[3];
	return 0;
}

int h_project_list(struct req *r)
{
	struct project_query q = {0};
	int rc = paging(r, 500, &q.limit, &q.offset);
	if (!rc)
		rc = http_query_int(r, "territory_id", 1, INT64_MAX, &q.territory_id);
	if (!rc)
		rc = http_query_int(r, "org_id", 1, INT64_MAX, &q.org_id);
	if (!rc)
		rc = http_query_int(r, "problem_id", 1, INT64_MAX, &q.problem_id);
	if (!rc)
		rc = parse_bbox(r, &q);
	if (rc)
		return rc;
	const char *st = http_query(r, "status");
	if (st && *st) {
		static const char *const ok[] = {"planned", "in_progress", "done", "attention"};
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]) && !q.status; i++)
			if (!strcmp(st, ok[i]))
				q.status = ok[i];
		if (!q.status)
			return http_fail(r, ERR_INVALID,
			                 "status: planned, in_progress, done или attention",
			                 "status");
	}
	json_t *out = NULL;
	rc = project_list(r->store, r->a, &q, &out);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

int h_me_projects(struct req *r)
{
	if (!r->actor.user_id)
		return http_fail(r, ERR_FORBIDDEN, "Список доступен только пользователю", NULL);
	int64_t limit, offset;
	int rc = paging(r, 100, &limit, &offset);
	if (rc)
		return rc;
	json_t *out = NULL;
	rc = project_mine(r->store, r->a, &r->actor, limit, offset, &out);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

int h_project_get(struct req *r)
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Проект не найден", NULL);
	json_t *out = NULL;
	int rc = project_get(r->store, r->a, &r->actor, id, &out);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Проект не найден", NULL);
	if (rc)
		return http_fail(r, rc, NULL, NULL);
	return http_json(r, 200, out);
}

int h_project_create(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *out = NULL;
	struct problem p = {0};
	rc = project_create(r->store, r->a, &r->actor, in, &out, &p);
	/* the problem's message or field may point into the body: answer before releasing it */
	rc = rc ? fail(r, rc, &p) : http_json(r, 201, out);
	json_decref(in);
	return rc;
}

/* The common shape of the writes on one project: path id (and stage id), optional body. */
static int on_project(struct req *r, bool body, int status,
                      int (*fn)(struct req *r, int64_t id, json_t *in, json_t **out,
                                struct problem *p))
{
	int64_t id;
	if (http_param_id(r, 0, &id))
		return http_fail(r, ERR_NOTFOUND, "Проект не найден", NULL);
	json_t *in = NULL;
	if (body) {
		int rc = http_body_json(r, &in);
		if (rc)
			return rc;
	}
	json_t *out = NULL;
	struct problem p = {0};
	int rc = fn(r, id, in, &out, &p);
	/* the problem's message or field may point into the body: answer before releasing it */
	rc = rc ? fail(r, rc, &p) : http_json(r, status, out);
	json_decref(in);
	return rc;
}

static int do_update(struct req *r, int64_t id, json_t *in, json_t **out, struct problem *p)
{
	return project_update(r->store, r->a, &r->actor, id, in, out, p);
}

static int do_stage_add(struct req *r, int64_t id, json_t *in, json_t **out, struct problem *p)
{
	return project_stage_add(r->store, r->a, &r->actor, id, in, out, p);
}

static int do_stage_update(struct req *r, int64_t id, json_t *in, json_t **out, struct problem *p)
{
	int64_t sid;
	if (http_param_id(r, 1, &sid)) {
		p->message = "Этап не найден";
		return ERR_NOTFOUND;
	}
	return project_stage_update(r->store, r->a, &r->actor, id, sid, in, out, p);
}

static int do_start(struct req *r, int64_t id, json_t *in, json_t **out, struct problem *p)
{
	(void)in;
	return project_start(r->store, r->a, &r->actor, id, out, p);
}

static int do_complete(struct req *r, int64_t id, json_t *in, json_t **out, struct problem *p)
{
	(void)in;
	return project_complete(r->store, r->a, &r->actor, id, out, p);
}

static int do_feedback(struct req *r, int64_t id, json_t *in, json_t **out, struct problem *p)
{
	return project_feedback(r->store, r->a, &r->actor, id, in, out, p);
}

int h_project_update(struct req *r)
{
	return on_project(r, true, 200, do_update);
}

int h_project_stage_add(struct req *r)
{
	return on_project(r, true, 201, do_stage_add);
}

int h_project_stage_update(struct req *r)
{
	return on_project(r, true, 200, do_stage_update);
}

int h_project_start(struct req *r)
{
	return on_project(r, false, 200, do_start);
}

int h_project_complete(struct req *r)
{
	return on_project(r, false, 200, do_complete);
}

int h_project_feedback(struct req *r)
{
	return on_project(r, true, 200, do_feedback);
}
