/* alarms.h (store): alarms of the spike detector (migration 0009_alarms): insert, and the list
 * newest first within the problems' scope (docs/analytics.md, "Spikes and new problems"). */
#ifndef OTKLIK_STORE_ALARMS_H
#define OTKLIK_STORE_ALARMS_H

#include "store/problems.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct alarm_new {
	const char *kind;                                        /* "spike", "new" or "returned" */
	int64_t problem_id, topic_id, category_id, territory_id; /* 0 = none */
	bool has_point;
	double lat, lon;
	int64_t observed;
	double expected;
	int64_t window_min;
	const char *reason;
	int64_t first_at, at;   /* ms */
	const char *appeal_ids; /* JSON array text */
};
/* Inside a write job. Returns 0 or ERR_DB; *id the new alarm's id (may be NULL). */
int store_alarm_insert(struct store_conn *c, const struct alarm_new *n, int64_t *id);

struct alarm_filter {
	int64_t since_id; /* only alarms with id > since_id */
	int64_t territory_id, category_id, topic_id, problem_id; /* 0 = any */
	int64_t limit;
};
/* Alarms the scope sees (their problem would be listed by store_problems_list, or, for a
 * coordinator, their territory is in a granted subtree), newest first: id, kind, problem_id,
 * topic_id, category_id, territory_id, lat, lon, observed, expected, window_min, reason,
 * first_at, at, appeal_ids, problem_label, topic_name. */
#define ALARM_NCOLS 17
int store_alarms_list(struct store_conn *c, struct arena *a, const struct problem_scope *sc,
                      const struct alarm_filter *f, struct store_rows *out);
/* Authors of appeals (the detector counts distinct sources): rows (id, author_id), author_id
 * NULL for appeals without one (operators' channels). */
int store_alarm_authors(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                        struct store_rows *out);
/* How often a problem came back (problems.returned_count; 0 for an unknown problem). */
int store_alarm_returned_count(struct store_conn *c, int64_t problem_id, int64_t *out);
/* The newest alarm id (0 when none). */
int store_alarms_max_id(struct store_conn *c, int64_t *out);

#endif
