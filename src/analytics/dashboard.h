/* dashboard.h: the dashboard API of docs/analytics.md — filters and scope, periods, figures,
 * summary, series, breakdowns, the problems ranking and a problem's timeline. Everything but
 * the problems is read from the rollups (store/analytics.h). */
#ifndef OTKLIK_ANALYTICS_DASHBOARD_H
#define OTKLIK_ANALYTICS_DASHBOARD_H

#include "auth/actor.h"
#include "registry/registry.h"
#include "store/analytics.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define DASH_DEFAULT_DAYS 30   /* the default period: the last 30 days ending today */
#define DASH_MAX_DAYS     3660 /* the longest period asked for (about 10 years) */
#define DASH_MAX_POINTS   731  /* the most points of a series */
#define DASH_PROBLEMS_MAX 50   /* the largest page of problems */

/* The common query of every dashboard endpoint as given (dates NULL / ids 0 when absent). */
struct dash_args {
	const char *from, *to;
	int64_t territory_id, category_id, topic_id, org_id;
};

/* A validated filter: the key (0 = all) and the days asked for, [from, to]. */
struct dash_filter {
	struct stat_key key;
	int32_t from, to;
};

/* The days a key can answer for [from, to]: the same days for a daily key, whole months
 * otherwise; the previous period is as many days (months) just before. */
struct dash_period {
	int32_t from, to, prev_from, prev_to;
	bool monthly;
};

/* Dates: YYYY-MM-DD, to defaults to today and from to default_days - 1 days before it;
 * from <= to; at most DASH_MAX_DAYS. Returns 0 or ERR_INVALID with p (message and field). No
 * database needed. */
int dash_dates(const char *from, const char *to, int32_t today, int32_t default_days,
               int32_t *out_from, int32_t *out_to, struct problem *p);
/* The period for [from, to]: those days, or whole months when monthly; the previous period is
 * as many days (months) just before. */
void dash_period_span(bool monthly, int32_t from, int32_t to, struct dash_period *out);
/* The period of a key for [from, to] (monthly unless the key is kept by day). */
void dash_period_of(const struct stat_key *k, int32_t from, int32_t to, struct dash_period *out);

/* Parses the common query: dates (dash_dates with today), ids that exist (ERR_INVALID with the
 * field otherwise); a topic sets its category (a different category given is ERR_INVALID). */
int dash_filter_parse(struct store_conn *c, const struct dash_args *in, int32_t today,
                      struct dash_filter *out, struct problem *p);
/* Applies the caller's scope (docs/analytics.md): admin everything; a coordinator the subtrees
 * of their territories (default: the first); a supervisor their organisations and those below
 * (default: the first). ERR_FORBIDDEN with p when the filter is outside it or the caller has
 * none of these roles. */
int dash_scope(struct store_conn *c, const struct actor *who, struct dash_filter *f,
               struct problem *p);

/* Figures of sums as the API names them (shares and averages null when undefined). */
json_t *dash_figures_json(const struct stat_sums *s);

/* The endpoints: 0 with *out (a new reference), ERR_DB, or ERR_INVALID with p for bad
 * endpoint-specific arguments (NULL = default). */
int dash_summary(struct store_conn *c, const struct dash_filter *f, json_t **out);
int dash_series(struct store_conn *c, const struct dash_filter *f, const char *metric,
                const char *grain, json_t **out, struct problem *p);
int dash_breakdown(struct store_conn *c, struct arena *a, const struct dash_filter *f,
                   const char *by, json_t **out, struct problem *p);
int dash_problems(struct store_conn *c, struct arena *a, const struct dash_filter *f,
                  const char *sort, int64_t limit, int64_t offset, json_t **out, struct problem *p);
/* Daily counts of a problem's appeals (the last DASH_MAX_POINTS days of its life, zeros
 * included). ERR_NOTFOUND when there is no such problem or the caller may not see it. */
int dash_problem_timeline(struct store_conn *c, struct arena *a, const struct actor *who,
                          int64_t id, json_t **out);

#endif
