/* problems.h (store): SQL of the text engine in the server (src/appeals/assist.c): the history
 * it learns from, leases, problems (clusters of appeals) and their placement, merge and split.
 * Row-returning functions document their columns; values are read with store_rows_*. */
#ifndef OTKLIK_STORE_PROBLEMS_H
#define OTKLIK_STORE_PROBLEMS_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Topics with their category: id, category_id, name, hint, category_name, active. */
int store_assist_topics(struct store_conn *c, struct arena *a, struct store_rows *out);

/* A page of appeals with id > after_id in id order: id, topic_id, category_id, org_id,
 * territory_id, text, lat, lon, created_at, is_open, problem_id. */
#define ASSIST_APPEAL_NCOLS 11
int store_assist_appeals_page(struct store_conn *c, struct arena *a, int64_t after_id,
                              int64_t limit, struct store_rows *out);
/* The id below which appeals are skipped to keep only the `keep` newest (0 = keep all). */
int store_assist_floor_id(struct store_conn *c, int64_t keep, int64_t *out);

/* Open appeals of a topic inside a box (candidates for "nearby"): id, lat, lon. */
int store_assist_open_in_box(struct store_conn *c, struct arena *a, int64_t topic_id, double lat0,
                             double lat1, double lon0, double lon1, int64_t limit,
                             struct store_rows *out);
/* Open appeals of a topic in a territory, newest first: id (lat, lon NULL when no point). */
int store_assist_open_in_territory(struct store_conn *c, struct arena *a, int64_t topic_id,
                                   int64_t territory_id, int64_t limit, struct store_rows *out);
/* Public briefs of appeals: id, topic_name, text, address, created_at, status, coauthors, lat,
 * lon, org_id, territory_id, is_open, topic_id (any order). */
int store_assist_briefs(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                        struct store_rows *out);
/* Published final answers of these appeals, newest first: appeal_id, text. */
int store_assist_final_answers(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                               struct store_rows *out);
/* The executor assistant's draft sources: each of these appeals with a published final answer
 * and its citizen's rating: appeal_id, topic_id, rating (NULL = none), rating_solved, address,
 * answer text (the newest final answer). */
int store_assist_answer_sources(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                                struct store_rows *out);
/* A topic's name and guidance (hint; NULL when none). 0, ERR_NOTFOUND or ERR_DB. */
int store_assist_topic(struct store_conn *c, struct arena *a, int64_t topic_id, const char **name,
                       const char **hint);

/* Leases (inside a write job): takes or renews `name` for owner until now + ttl_ms when it is
 * free, expired or already owner's; *held tells whether owner holds it now. */
int store_lease_take(struct store_conn *c, const char *name, const char *owner, int64_t now,
                     int64_t ttl_ms, bool *held);
/* Gives the lease up (owner only). */
int store_lease_drop(struct store_conn *c, const char *name, const char *owner);
/* The `until` value of a lease row (0 when missing). */
int store_lease_until(struct store_conn *c, const char *name, int64_t *until);
/* Moves the 'problems-edit' counter (a coordinator changed problems; the placing node reloads). */
int store_problems_edited(struct store_conn *c, int64_t now);

/* Appeals not yet in a problem, in id order: id, topic_id, category_id, territory_id, text,
 * lat, lon, created_at, is_open. */
int store_assist_unplaced(struct store_conn *c, struct arena *a, int64_t limit,
                          struct store_rows *out);
/* Placed appeals created at or after since_ms with id > after_id, in id order (replay):
 * id, topic_id, category_id, territory_id, text, lat, lon, created_at, problem_id. */
int store_assist_placed_page(struct store_conn *c, struct arena *a, int64_t since_ms,
                             int64_t after_id, int64_t limit, struct store_rows *out);

/* A new problem row for an appeal that opened it. */
struct problem_new {
	int64_t category_id, topic_id, territory_id, rep_appeal_id, split_from;
	const char *label;
	bool has_point;
	double lat, lon;
	int64_t first_at, now;
	int64_t size; /* appeals counted in already (0: store_problem_grow/refresh will count) */
};
int store_problem_insert(struct store_conn *c, const struct problem_new *p, int64_t *id);
/* Puts a not yet placed appeal (problem_id NULL) into a problem, without bumping its version
 * (placement is derived): *placed = 1, or 0 when it already had one (then nothing changes). */
int store_appeal_place(struct store_conn *c, int64_t appeal_id, int64_t problem_id, int *placed);
/* The same for n appeals (distinct) at once, placed[i] for each; on PostgreSQL one statement. */
int store_appeals_place(struct store_conn *c, const int64_t *appeal_ids, const int64_t *problem_ids,
                        size_t n, int *placed);
/* Counts `added` newly placed appeals created between first_at and last_at into the problem
 * without reading its appeals (store_problem_refresh recounts; this is the cheap path used as
 * appeals arrive). label NULL / rep 0 keep them. */
int store_problem_grow(struct store_conn *c, int64_t id, int64_t added, int64_t first_at,
                       int64_t last_at, const char *label, int64_t rep, int64_t now);
/* The text engine's doubt about the chosen topic (0 = none); no version bump either. */
int store_appeal_set_suggestion(struct store_conn *c, int64_t appeal_id, int64_t topic_id);
/* Recomputes size, first_at, last_at from the appeals; sets label and representative when given
 * (label NULL / rep 0 keep them). */
int store_problem_refresh(struct store_conn *c, int64_t id, const char *label, int64_t rep,
                          int64_t now);

/* Who may see which problems: admin all; else problems in the coordinator territories' subtrees,
 * or holding an appeal of the supervisor orgs' subtrees or of the executor orgs. */
struct problem_scope {
	bool all;
	const int64_t *territories, *sup_orgs, *exec_orgs;
	size_t nterritories, nsup_orgs, nexec_orgs;
};
struct problem_filter {
	int64_t id; /* 0 = any (GET /api/problems/{id} uses it) */
	int64_t territory_id, category_id, topic_id;
	const char *status; /* "open", "solved" or NULL */
	bool by_size;       /* sort by size, else by last_at */
	int64_t limit, offset;
};
/* Live problems (not merged away; with id: any) the scope sees: id, label, size, topic_id,
 * topic_name, category_id, lat, lon, territory_id, first_at, last_at, rep_appeal_id, rep_text,
 * status (open|solved|merged computed from the appeals), merged_into, split_from; *total counts
 * them without paging. */
#define PROBLEM_NCOLS 16
int store_problems_list(struct store_conn *c, struct arena *a, const struct problem_scope *sc,
                        const struct problem_filter *f, struct store_rows *out, int64_t *total);
/* The appeals of a problem (≤ limit, oldest first): id, status, topic_id, topic_name, org_id,
 * org_name, territory_id, text, address, lat, lon, created_at. */
int store_problem_appeals(struct store_conn *c, struct arena *a, int64_t id, int64_t limit,
                          struct store_rows *out);
/* Bodies of a problem's appeals: org_id, org_name, appeals (count). */
int store_problem_bodies(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);
/* One problem row: id, territory_id, merged_into, category_id, topic_id, label (0 / NOTFOUND). */
int store_problem_row(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);

/* Coordinator actions (inside a write job). merge: b's appeals move to a, b gets merged_into = a.
 * split: the appeals (all must be in id) move to a new problem with split_from = id; *new_id. */
int store_problem_merge(struct store_conn *c, int64_t a_id, int64_t b_id, int64_t now);
int store_problem_split(struct store_conn *c, struct arena *a, int64_t id,
                        const int64_t *appeal_ids, size_t n, int64_t now, int64_t *new_id);
/* How many of the listed appeals are in problem id (n == 0: how many appeals it has). */
int store_problem_count_members(struct store_conn *c, struct arena *a, int64_t id,
                                const int64_t *appeal_ids, size_t n, int64_t *count);

#endif
