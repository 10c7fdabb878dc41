/* project.h: the project map (docs/projects.md). A coordinator turns problems (clusters of
 * appeals) into a project with a goal, a responsible body, a budget, a deadline, a place and
 * stages; the residents who wrote the linked appeals are told when it starts, advances and is
 * done, and then say whether the problem is gone. Validation, permissions, audit and
 * notifications live here; SQL in store/projects.c; HTTP in http/h_projects.c. */
#ifndef OTKLIK_PROJECTS_PROJECT_H
#define OTKLIK_PROJECTS_PROJECT_H

#include "auth/actor.h"
#include "core/arena.h"
#include "registry/registry.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define PROJECT_TITLE_MAX    200
#define PROJECT_GOAL_MAX     4000
#define PROJECT_STAGES_MAX   30
#define PROJECT_PROBLEMS_MAX 50
#define PROJECT_COMMENT_MAX  2000
#define PROJECT_AREA_POINTS  5000
#define PROJECT_BUDGET_MAX   10000000000000LL /* 10^13 roubles */

struct project_query {
	const char *status; /* planned|in_progress|done|attention or NULL */
	int64_t territory_id, org_id, problem_id;
	bool has_box;
	double min_lat, min_lon, max_lat, max_lon;
	int64_t limit, offset;
};

/* Every function returns 0 or an ERR_* value; on a refusal p->message (Russian) and p->field
 * say why. Outputs are new JSON references owned by the caller. */

/* GET /api/projects: {"items": [ProjectBrief], "total"} (public). */
int project_list(struct store *s, struct arena *a, const struct project_query *q, json_t **out);
/* GET /api/me/projects: the projects linked to appeals who wrote or joined. */
int project_mine(struct store *s, struct arena *a, const struct actor *who, int64_t limit,
                 int64_t offset, json_t **out);
/* GET /api/projects/{id}: the public page, plus "viewer" (what who may do there). */
int project_get(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                json_t **out);

/* POST /api/projects and PATCH /api/projects/{id} with the request body `in`. */
int project_create(struct store *s, struct arena *a, const struct actor *who, json_t *in,
                   json_t **out, struct problem *p);
int project_update(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                   json_t *in, json_t **out, struct problem *p);
/* Stages: add {title, deadline?}; change {title?, deadline?, done?}. */
int project_stage_add(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                      json_t *in, json_t **out, struct problem *p);
int project_stage_update(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         int64_t sid, json_t *in, json_t **out, struct problem *p);
/* planned -> in_progress, in_progress -> done (each notifies the residents once). */
int project_start(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                  json_t **out, struct problem *p);
int project_complete(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                     json_t **out, struct problem *p);
/* A linked resident's answer after completion: {gone: bool, comment?}. */
int project_feedback(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                     json_t *in, json_t **out, struct problem *p);

/* Demo projects in the Kaluga demo region, built from demo appeals (idempotent). */
int projects_demo_load(struct store *s);

#endif
