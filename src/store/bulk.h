/* bulk.h (store): fast row writers for imports, the synthetic generator and the raw-insert
 * benchmark — plain INSERTs with cached statements, meant to run many to a transaction. */
#ifndef OTKLIK_STORE_BULK_H
#define OTKLIK_STORE_BULK_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* One appeal row as an import writes it (no author: imported citizens are anonymous). Zero
 * ids and times are stored as NULL; rating 0 = not rated; rating_solved -1 = none. */
struct bulk_appeal {
	const char *token, *channel, *status, *text, *search, *address, *external_id;
	const char *reject_reason;
	int64_t topic_id, category_id, territory_id, org_id;
	bool is_open, overdue, has_point;
	double lat, lon;
	int64_t created_at, updated_at, day, deadline_at, answered_at, closed_at, rated_at;
	int rating, rating_solved;
};

/* Inserts one appeal; *id is the new row's id. 0, ERR_CONFLICT (token), ERR_DB. */
int bulk_appeal_insert(struct store_conn *c, const struct bulk_appeal *b, int64_t *id);

/* A published answer (kind "interim" or "final") of org_id (0 = none) at `at`. */
int bulk_answer_insert(struct store_conn *c, int64_t appeal_id, const char *kind, const char *text,
                       int64_t org_id, int64_t at);

/* A route history row (kind "auto", "triage" or "redirect"); org ids 0 = NULL. */
int bulk_route_insert(struct store_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                      int64_t from_org_id, int64_t to_org_id, const char *reason);

/* A timeline event without an actor (imports); status_from/to and text may be NULL. */
int bulk_event_insert(struct store_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                      const char *status_from, const char *status_to, const char *text);

/* external_id of every appeal that came by `channel` (one column), for skipping known ones. */
int bulk_external_ids(struct store_conn *c, struct arena *a, const char *channel,
                      struct store_rows *out);

/* Synthetic appeals generated inside the database: numbers first..last (inclusive) become
 * appeals on topic/category/territory, spread round-robin over the orgs whose code starts with
 * org_prefix, in a mix of statuses (about 60 % open), created over the year before now.
 * Tokens are "<token_prefix><n>". Returns the number of rows inserted in *inserted. */
struct bulk_gen {
	int64_t first, last;
	int64_t topic_id, category_id, territory_id;
	const char *org_prefix;   /* e.g. "gen-org-" */
	const char *token_prefix; /* unique per run */
	int64_t now, tz_offset_ms;
};
int bulk_gen_appeals(struct store_conn *c, const struct bulk_gen *g, int64_t *inserted);

/* Appeals n = first..last spread like a country's flow for the dashboard benchmark: over the
 * municipalities gen-m-*, the topics gen-t-* and the bodies gen-b-* (three per region, in the
 * order of the municipalities' regions: body (muni / 4) * 3 + topic % 3), created over `days`
 * days before now; answered after a delay that depends on the region (five behaviours),
 * mostly rated, some rejected, the recent ones still open. Tokens "<token_prefix><n>". */
struct bulk_spread {
	int64_t first, last, count, now, days, tz_offset_ms; /* count: of the whole run */
	const char *token_prefix;
};
int bulk_gen_spread(struct store_conn *c, const struct bulk_spread *g, int64_t *inserted);

/* Codes of the regions (kind region) but synthetic ones, in id order: code, name. */
int bulk_region_codes(struct store_conn *c, struct arena *a, struct store_rows *out);

/* Number of rows in appeals (for reports). */
int bulk_count_appeals(struct store_conn *c, int64_t *n);

/* Ids of the orgs whose code starts with prefix, the first by id in *first (0 when none),
 * and their number in *n. */
int bulk_orgs_by_prefix(struct store_conn *c, const char *prefix, int64_t *first, int64_t *n);

#endif
