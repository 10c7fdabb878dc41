/* appeal_flow.h (store): SQL of the appeal workflow and the deadline scanner — answers, route
 * history, assignee checks, co-authors on merge, and the scanner's candidate queries and
 * conditional claims. */
#ifndef OTKLIK_STORE_APPEAL_FLOW_H
#define OTKLIK_STORE_APPEAL_FLOW_H

#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* An organisation: *active and *approval_required. 0 or ERR_NOTFOUND, ERR_DB. */
int store_flow_org(struct store_conn *c, int64_t org_id, bool *active, bool *approval_required);
/* A topic: its category, whether it is active and whether a redirect resets the deadline.
 * 0 or ERR_NOTFOUND, ERR_DB. */
int store_flow_topic(struct store_conn *c, int64_t topic_id, int64_t *category_id, bool *active,
                     bool *redirect_resets);
/* *ok when user_id holds the executor role on org_id (an active account). 0 or ERR_DB. */
int store_flow_is_executor(struct store_conn *c, int64_t user_id, int64_t org_id, bool *ok);

/* One row of the route history (kind "triage" or "redirect"; 0 = NULL for ids). */
int store_flow_route_add(struct store_conn *c, int64_t appeal_id, int64_t at, const char *kind,
                         int64_t from_org_id, int64_t to_org_id, const char *reason,
                         int64_t actor_user_id);

/* A new answer row; *id is its id. published_at 0 = not published. */
int store_flow_answer_add(struct store_conn *c, int64_t appeal_id, const char *kind,
                          const char *state, const char *text, int64_t org_id, int64_t author_id,
                          int64_t created_at, int64_t published_at, int64_t *id);
/* The appeal's pending final answer moves to state ("published" or "returned") with the
 * reviewer and comment; *text (in a) is the answer's text. ERR_NOTFOUND when none is pending. */
int store_flow_answer_review(struct store_conn *c, struct arena *a, int64_t appeal_id,
                             const char *state, int64_t reviewer_id, const char *comment,
                             int64_t now, const char **text);

/* The authors and co-authors of from_id become co-authors of into_id (existing ones kept).
 * *added: how many were added. */
int store_flow_coauthors_merge(struct store_conn *c, int64_t from_id, int64_t into_id, int64_t now,
                               int64_t *added);

/* Forget that "due soon" was sent (the deadline moved). */
int store_flow_due_soon_reset(struct store_conn *c, int64_t appeal_id);

/* --- the scanner ----------------------------------------------------------------------- */

/* Up to limit ids (into ids[], *n) of open, unpaused, not yet overdue appeals due before now,
 * earliest first. */
int store_flow_scan_overdue(struct store_conn *c, int64_t now, int limit, int64_t *ids, size_t *n);
/* Marks one appeal overdue if it still qualifies (escalated_at = now, version bumped):
 * *claimed is true only for the caller that changed the row. */
int store_flow_claim_overdue(struct store_conn *c, int64_t id, int64_t now, bool *claimed);
/* Up to limit (id, deadline) of open, unpaused, not overdue appeals without the "due soon"
 * warning whose deadline is before horizon, earliest first. */
int store_flow_scan_due_soon(struct store_conn *c, int64_t horizon, int limit, int64_t *ids,
                             int64_t *deadlines, size_t *n);
int store_flow_claim_due_soon(struct store_conn *c, int64_t id, bool *claimed);
/* Up to limit ids of appeals answered before cutoff and not rated since that answer (a
 * rating of an earlier answer does not count). */
int store_flow_scan_unrated(struct store_conn *c, int64_t cutoff, int limit, int64_t *ids,
                            size_t *n);
/* Closes one of them if it still qualifies (closed_at = now, version bumped). */
int store_flow_claim_auto_close(struct store_conn *c, int64_t id, int64_t cutoff, int64_t now,
                                bool *claimed);

#endif
