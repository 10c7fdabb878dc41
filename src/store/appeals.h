/* appeals.h (store): SQL for appeals, their authors, timeline, routes, answers and attachments.
 * src/store/appeals.c holds the shared record functions; submission/query SQL lives there too,
 * the workflow's in appeal_flow.c. */
#ifndef OTKLIK_STORE_APPEALS_H
#define OTKLIK_STORE_APPEALS_H

#include "appeals/appeal.h"
#include "store/store.h"

/* The columns of struct appeal, in the order appeal_from_row reads them. */
#define APPEAL_COLS                                                                                \
	"a.id, a.token, a.channel, a.author_id, a.operator_id, a.apikey_id, a.person_name, "       \
	"a.person_contact, a.topic_id, a.category_id, a.territory_id, a.org_id, a.assignee_id, "   \
	"a.status, a.text, a.address, a.lat, a.lon, a.created_at, a.updated_at, a.deadline_at, "   \
	"a.paused_at, a.extended, a.overdue, a.extension_reason, a.answered_at, a.closed_at, "     \
	"a.reject_reason, a.merged_into, a.rating, a.rating_solved, a.rating_comment, a.rated_at, " \
	"a.suggested_topic_id, a.problem_id, a.external_id, a.version"
#define APPEAL_NCOLS 37

/* Fills *ap from row i of a result whose first APPEAL_NCOLS columns are APPEAL_COLS (starting
 * at column off). */
void store_appeal_from_row(const struct store_rows *r, size_t i, size_t off, struct appeal *ap);

/* One appeal by id: 0, ERR_NOTFOUND, ERR_DB. */
int store_appeal_load(struct store_conn *c, struct arena *a, int64_t id, struct appeal *out);

/* Writes the mutable columns of `after` (org, assignee, status, topic, territory, deadline,
 * pause, extension, overdue, answer/close times, reject reason, merge, rating, suggestion,
 * problem) if the row still has before->version; bumps the version.
 * 0, ERR_CONFLICT when the version moved, ERR_DB. */
int store_appeal_update(struct store_conn *c, const struct appeal *before,
                        const struct appeal *after, int64_t now);

/* Author kind of user on appeal: "author", "coauthor" or NULL (not an author). */
int store_appeal_author_kind(struct store_conn *c, struct arena *a, int64_t appeal_id,
                             int64_t user_id, const char **kind);

struct appeal_event_row {
	int64_t appeal_id, actor_user_id, actor_apikey_id, at;
	const char *kind, *status_from, *status_to, *text, *data;
	bool public;
};
int store_appeal_event_insert(struct store_conn *c, const struct appeal_event_row *e,
                              int64_t *id);

#endif
