/* projects.h (store): SQL of the project map (docs/projects.md): projects, the problems behind
 * them, stages, residents' feedback, and who is to be told. Row-returning functions document
 * their columns; values are read with store_rows_*. */
#ifndef OTKLIK_STORE_PROJECTS_H
#define OTKLIK_STORE_PROJECTS_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The stored fields of a project (strings are not copied). */
struct project_fields {
	const char *title, *goal;
	int64_t org_id, territory_id, region_id; /* territory/region 0 = none */
	bool has_budget;
	int64_t budget;         /* roubles */
	const char *deadline;   /* "YYYY-MM-DD" or NULL */
	const char *place_kind; /* "point" or "area" */
	double lat, lon;        /* the point, or the centre of the area's box */
	const char *area;       /* GeoJSON Polygon/MultiPolygon for "area", else NULL */
	double min_lat, min_lon, max_lat, max_lon;
};

int store_project_insert(struct store_conn *c, const struct project_fields *f, int64_t created_by,
                         int64_t now, int64_t *id);
/* Replaces every field of struct project_fields. */
int store_project_update(struct store_conn *c, int64_t id, const struct project_fields *f,
                         int64_t now);
/* Replaces the set of linked problems. */
int store_project_set_problems(struct store_conn *c, int64_t id, const int64_t *problem_ids,
                               size_t n);
/* Moves the status from `from` to `to` (started_at for in_progress, done_at for done);
 * *changed = false when the status was not `from` (nothing changes then). */
int store_project_set_status(struct store_conn *c, int64_t id, const char *from, const char *to,
                             int64_t now, bool *changed);

/* Columns of store_project_get and store_projects_list. status is the public status
 * (planned|in_progress|done|attention); stored_status the row's; returned 1 when a linked
 * problem came back after done_at (a new appeal or problems.returned_at); fb_* count feedback. */
enum project_col {
	PC_ID,
	PC_TITLE,
	PC_GOAL,
	PC_ORG_ID,
	PC_ORG_NAME,
	PC_TERRITORY_ID,
	PC_TERRITORY_NAME,
	PC_REGION_ID,
	PC_BUDGET,
	PC_DEADLINE,
	PC_PLACE_KIND,
	PC_LAT,
	PC_LON,
	PC_AREA,
	PC_MIN_LAT,
	PC_MIN_LON,
	PC_MAX_LAT,
	PC_MAX_LON,
	PC_STORED_STATUS,
	PC_CREATED_AT,
	PC_UPDATED_AT,
	PC_STARTED_AT,
	PC_DONE_AT,
	PC_STAGES_TOTAL,
	PC_STAGES_DONE,
	PC_APPEALS,
	PC_FB_GONE,
	PC_FB_NOT_GONE,
	PC_RETURNED,
	PC_STATUS,
	PC_NCOLS
};
/* One project (ERR_NOTFOUND when unknown). */
int store_project_get(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);

struct project_filter {
	const char *status;   /* public status or NULL */
	int64_t territory_id; /* the territory's subtree; 0 = any */
	int64_t org_id;       /* 0 = any */
	int64_t problem_id;   /* projects linked to this problem; 0 = any */
	int64_t author_id;    /* projects linked to appeals this user wrote or joined; 0 = any */
	bool has_box;
	double min_lat, min_lon, max_lat, max_lon;
	int64_t limit, offset;
};
/* A page of projects, newest first; *total without paging. */
int store_projects_list(struct store_conn *c, struct arena *a, const struct project_filter *f,
                        struct store_rows *out, int64_t *total);

/* Linked problems: id, label, size, territory_id, merged_into. */
int store_project_problems(struct store_conn *c, struct arena *a, int64_t id,
                           struct store_rows *out);
/* Problems by id, for linking: id, territory_id, merged_into, lat, lon (unknown ids missing). */
int store_project_problem_info(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                               struct store_rows *out);
/* The region (kind 'region') at or above a territory (0 when none). */
int store_project_region_of(struct store_conn *c, int64_t territory_id, int64_t *region_id);

/* Stages in order: id, pos, title, deadline, done, done_at, notified_at. */
int store_project_stages(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);
int store_project_stage_insert(struct store_conn *c, int64_t project_id, const char *title,
                               const char *deadline, int64_t now, int64_t *sid);
/* Sets title, deadline and done of a stage of the project (done_at moves with done);
 * ERR_NOTFOUND when the stage is not the project's. */
int store_project_stage_update(struct store_conn *c, int64_t project_id, int64_t sid,
                               const char *title, const char *deadline, bool done, int64_t now);
/* Marks the stage's residents told; *first = true only for the first call. */
int store_project_stage_notified(struct store_conn *c, int64_t sid, int64_t now, bool *first);
/* Marks every stage done (completion); stages done this way count as told. */
int store_project_stages_finish(struct store_conn *c, int64_t project_id, int64_t now);

/* Everyone who wrote or joined an appeal of the linked problems (deleted accounts left out),
 * once each, with the lowest such appeal: user_id, appeal_id. */
int store_project_residents(struct store_conn *c, struct arena *a, int64_t id,
                            struct store_rows *out);
/* *yes when user_id wrote or joined an appeal of the linked problems. */
int store_project_is_resident(struct store_conn *c, int64_t id, int64_t user_id, bool *yes);

/* Inserts or replaces the user's feedback. */
int store_project_feedback_put(struct store_conn *c, int64_t id, int64_t user_id, bool gone,
                               const char *comment, int64_t now);
/* The user's feedback: gone, comment, at (no row when none). */
int store_project_feedback_get(struct store_conn *c, struct arena *a, int64_t id, int64_t user_id,
                               struct store_rows *out);
/* Feedback newest first, without who: gone, comment, at. */
int store_project_feedback_list(struct store_conn *c, struct arena *a, int64_t id, int64_t limit,
                                struct store_rows *out);
/* A demo appeal by external id: id, topic_id, category_id, territory_id, lat, lon, created_at,
 * problem_id, topic name (no row when missing). */
int store_project_demo_appeal(struct store_conn *c, struct arena *a, const char *external_id,
                              struct store_rows *out);
/* Count of projects whose title is exactly this (the demo's idempotence check). */
int store_project_count_title(struct store_conn *c, const char *title, int64_t *n);

#endif
