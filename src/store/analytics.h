/* analytics.h (store): the rollups of docs/analytics.md — facts per appeal, additive cells by
 * territory × sector × body × day/month, their incremental upkeep and full rebuild, and the reads
 * the dashboard, ratings and exports are built on. */
#ifndef OTKLIK_STORE_ANALYTICS_H
#define OTKLIK_STORE_ANALYTICS_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STAT_HIST 20 /* review-hours histogram buckets (bounds in stat_hist_bounds) */
extern const double stat_hist_bounds[STAT_HIST]; /* upper bounds in hours; the last is +inf */

/* Day numbers: days since 1970-01-01 in Moscow time (UTC+3, the platform's reporting zone). */
int32_t stat_day_of_ms(int64_t ms);
/* Month bucket (year * 12 + month - 1) of a day, and its first and last day. */
int32_t stat_month_of_day(int32_t day);
int32_t stat_month_first_day(int32_t month);
int32_t stat_month_last_day(int32_t month);
/* "2026-11-22" <-> day number; parse returns false on a malformed or impossible date. */
bool stat_day_parse(const char *s, int32_t *day);
void stat_day_format(int32_t day, char out[11]);

/* A cell key; 0 = all. */
struct stat_key {
	int64_t territory_id, category_id, topic_id, org_id;
};

/* Sums of the additive measures over some cells. */
struct stat_sums {
	int64_t received, answered, on_time, review_h_sum, hist[STAT_HIST];
	int64_t rated, rating_sum, satisfied, rereview, redirected, rejected, late;
};
/* Current gauges of a key. */
struct stat_now {
	int64_t open_now, overdue_now;
};

/* Whether a key is kept by day (no topic, no body) or only by month. */
bool stat_key_daily(const struct stat_key *k);

/* Sums of key over days [from, to] (inclusive). A key kept by month only needs month-aligned
 * days (stat_month_first_day / stat_month_last_day): otherwise ERR_INVALID. 0 / ERR_DB. */
int store_stat_sum(struct store_conn *c, const struct stat_key *k, int32_t from, int32_t to,
                   struct stat_sums *out);
/* Sums per day (grain 1) or per month (grain 2) of key over [from, to]: out[i] is bucket
 * first + i, where first is from (grain 1) or stat_month_of_day(from) (grain 2); n buckets are
 * zeroed first. Grain 1 needs a daily key. */
int store_stat_series(struct store_conn *c, const struct stat_key *k, int grain, int32_t from,
                      int32_t to, struct stat_sums *out, size_t n);
/* Sums over [from, to] for many keys at once that differ in one dimension: keys[i] is base with
 * that dimension (dim: 't' territory, 'c' category, 'p' topic, 'o' org) set to ids[i]. */
int store_stat_sum_many(struct store_conn *c, const struct stat_key *base, char dim,
                        const int64_t *ids, size_t n, int32_t from, int32_t to,
                        struct stat_sums *out);
/* Gauges of a key. */
int store_stat_now(struct store_conn *c, const struct stat_key *k, struct stat_now *out);

/* Derived figures (helpers for every reader). Return NAN when undefined. */
double stat_median_review_h(const struct stat_sums *s);
double stat_share(int64_t num, int64_t den);

/* Executors of one org (ratings): per assignee over answers given in [from, to]: assignee_id,
 * answered, on_time, review_h (median, hours), rated, satisfied, rereview, received (assigned
 * appeals created in the period). Read from appeal_facts (index on org_id, answered_day). */
int store_stat_executors(struct store_conn *c, struct arena *a, int64_t org_id, int32_t from,
                         int32_t to, struct store_rows *out);

/* --- the live stream (src/http/h_stream.c) --- */

/* The highest appeal id and alarm id now (0 when none). */
int store_live_max_ids(struct store_conn *c, int64_t *appeal, int64_t *alarm);
/* Appeals with id > after in id order (≤ limit): id, created_at, territory_id, category_id,
 * topic_id, org_id. */
int store_live_appeals_after(struct store_conn *c, struct arena *a, int64_t after, int64_t limit,
                             struct store_rows *out);
/* Alarms with id > after in id order (≤ limit): id, kind, problem_id, topic_id, category_id,
 * territory_id, lat, lon, observed, expected, window_min, reason, first_at, at, appeal_ids,
 * problem_label, topic_name. */
int store_live_alarms_after(struct store_conn *c, struct arena *a, int64_t after, int64_t limit,
                            struct store_rows *out);

/* --- upkeep (src/analytics/rollup.c) --- */

/* Inside a write job: recomputes the facts of these appeals from the appeals table and adds the
 * differences to the cells; refreshes the state of the problems they belong to. */
int store_stat_refresh_appeals(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                               int64_t now);
/* Appeal ids with timeline events id in (after, after + limit], and the highest event id seen
 * (*max_id = after when none): rows (appeal_id, event_id). */
int store_stat_events_after(struct store_conn *c, struct arena *a, int64_t after, int64_t limit,
                            struct store_rows *out);
/* The worker's cursor and built flag (rollup_state). */
int store_stat_state(struct store_conn *c, int64_t *cursor, bool *built);
int store_stat_set_cursor(struct store_conn *c, int64_t cursor, bool built);
/* Recomputes facts and cells of every appeal from scratch, a page of appeals per transaction;
 * sets the cursor to the highest event id and built. *appeals counts what was read. offline:
 * nothing else writes (the CLI), so the write-ahead log is checkpointed in full between pages
 * (store_checkpoint_full) and stays small. */
int store_stat_rebuild(struct store *s, bool offline, int64_t *appeals, double *seconds);

/* Problem control (docs/analytics.md): recomputes solved_at / returned_at / returned_count of a
 * problem from its appeals. */
int store_problem_state_refresh(struct store_conn *c, int64_t problem_id, int64_t now);
/* Whether the problem is marked solved (false when there is no such problem). */
int store_problem_solved(struct store_conn *c, int64_t problem_id, bool *solved);

#endif
