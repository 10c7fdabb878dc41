/* dashboard.h (store): the SQL of the dashboard API that the rollups do not answer (registry
 * names for breakdowns, the problems ranking and timeline, open data pages). Row-returning
 * functions document their columns; values are read with store_rows_*. */
#ifndef OTKLIK_STORE_DASHBOARD_H
#define OTKLIK_STORE_DASHBOARD_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds of the start of a day number (Moscow time, as stat_day_of_ms). */
int64_t store_dash_day_ms(int32_t day);

/* One territory: id, parent_id, kind, name; ERR_NOTFOUND when none. */
int store_dash_territory(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);
/* Children of a territory (parent 0: of the country — the first territory of kind 'country' —
 * or, when there is none, the territories without a parent): id, name; active ones by name. */
int store_dash_territory_children(struct store_conn *c, struct arena *a, int64_t parent,
                                  struct store_rows *out);
/* Every territory: id, parent_id, kind, name. */
int store_dash_territories_all(struct store_conn *c, struct arena *a, struct store_rows *out);
/* Every category: id, name (by sort, name). */
int store_dash_categories(struct store_conn *c, struct arena *a, struct store_rows *out);
/* Topics (category 0: all): id, category_id, name (by category, name). */
int store_dash_topics(struct store_conn *c, struct arena *a, int64_t category_id,
                      struct store_rows *out);
/* Organisations (root 0: all; else root and every organisation below it): id, name,
 * territory_id. */
int store_dash_orgs(struct store_conn *c, struct arena *a, int64_t root, struct store_rows *out);
/* The name of a row of table (territories, categories, topics, orgs), or NULL when none. */
int store_dash_name(struct store_conn *c, struct arena *a, const char *table, int64_t id,
                    const char **out);

/* The problems ranking: live problems with at least one appeal created in [prev_from, to_end)
 * (ms), inside the filter (territory subtree, category, topic, holding an appeal of org). */
struct dash_problem_query {
	int64_t territory_id, category_id, topic_id, org_id; /* 0 = any */
	int64_t prev_from_ms, from_ms,
	    end_ms;     /* previous = [prev_from, from), current = [from, end) */
	bool by_growth; /* else by size */
	int64_t limit, offset;
};
/* Columns: id, label, size, topic_id, topic_name, category_id, lat, lon, territory_id,
 * territory_name, first_at, last_at, solved_at, returned_at, returned_count, in_period,
 * previous. *total counts them without paging. */
#define DASH_PROBLEM_NCOLS 17
int store_dash_problems(struct store_conn *c, struct arena *a, const struct dash_problem_query *q,
                        struct store_rows *out, int64_t *total);
/* Bodies of these problems' appeals: problem_id, org_id, org_name, appeals (most first). */
int store_dash_problem_bodies(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                              struct store_rows *out);
/* The latest alarm of each of these problems:
 * problem_id, id, kind, observed, expected, window_min, reason, first_at, at. */
int store_dash_problem_alarms(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                              struct store_rows *out);
/* Appeals of a problem per day (Moscow), in day order: day, appeals. */
int store_dash_problem_days(struct store_conn *c, struct arena *a, int64_t id,
                            struct store_rows *out);

/* Open data: appeals created in [from_ms, end_ms) in the territory's subtree (0 = all). */
/* Counts per territory, topic and day (Moscow): territory_id, topic_id, day, appeals. */
int store_dash_open_counts(struct store_conn *c, struct arena *a, int64_t territory_id,
                           int64_t from_ms, int64_t end_ms, struct store_rows *out);
/* A page in (created_at, id) order after (after_at, after_id): id, territory_id, category_id,
 * topic_id, org_id, status, created_at, answered_at, deadline_at, rating, lat, lon, and from the
 * rollup's facts (NULL until the worker has seen the appeal) answered_day (of the first final
 * answer, 0 = none) and on_time. */
#define DASH_OPEN_NCOLS 14
int store_dash_open_page(struct store_conn *c, struct arena *a, int64_t territory_id,
                         int64_t from_ms, int64_t end_ms, int64_t after_at, int64_t after_id,
                         int64_t limit, struct store_rows *out);

#endif
