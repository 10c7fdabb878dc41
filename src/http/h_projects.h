/* h_projects.h: handlers of the project map (docs/projects.md). */
#ifndef OTKLIK_HTTP_H_PROJECTS_H
#define OTKLIK_HTTP_H_PROJECTS_H

#include "http/http.h"

/* GET /api/projects (public): filters status, territory_id, org_id, problem_id, bbox; paging. */
int h_project_list(struct req *r);
/* GET /api/projects/{id} (public): the project's page. */
int h_project_get(struct req *r);
/* POST /api/projects, PATCH /api/projects/{id} (coordinator, admin). */
int h_project_create(struct req *r);
int h_project_update(struct req *r);
/* POST /api/projects/{id}/stages, PATCH /api/projects/{id}/stages/{sid}. */
int h_project_stage_add(struct req *r);
int h_project_stage_update(struct req *r);
/* POST /api/projects/{id}/start, POST /api/projects/{id}/complete. */
int h_project_start(struct req *r);
int h_project_complete(struct req *r);
/* POST /api/projects/{id}/feedback (a linked resident, after completion). */
int h_project_feedback(struct req *r);
/* GET /api/me/projects: projects linked to the caller's appeals. */
int h_me_projects(struct req *r);

#endif
