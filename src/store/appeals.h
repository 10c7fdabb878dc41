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
	"a.reject_reason, a.merged_into, a.rating, a.rating_solved, a.rating_comment, "            \
	"a.rated_at, "                                                                             \
	"a.suggested_topic_id, a.problem_id, a.external_id, a.version"
#define APPEAL_NCOLS 37

/* Fills *ap from row i of a result whose first APPEAL_NCOLS columns are APPEAL_COLS (starting
 * at column off). */
void store_appeal_from_row(const struct store_rows *r, size_t i, size_t off, struct appeal *ap);

/* One appeal by id: 0, ERR_NOTFOUND, ERR_DB. */
int store_appeal_load(struct store_conn *c, struct arena *a, int64_t id, struct appeal *out);

/* Writes the mutable columns of `after` (org, assignee, status, topic, territory, deadline,
 * pause, extension, overdue, answer/close times, reject reason, merge, rating) if the row still
 * has before->version; bumps the version. problem_id and suggested_topic_id belong to the text
 * engine and are never written here.
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
int store_appeal_event_insert(struct store_conn *c, const struct appeal_event_row *e, int64_t *id);

/* --- submission (src/appeals/submit.c) ------------------------------------------------- */

/* A topic's category and whether it is active: 0, ERR_NOTFOUND, ERR_DB. */
int store_topic_state(struct store_conn *c, int64_t topic_id, int64_t *category_id, bool *active);

/* Inserts a whole appeal row (every column of struct appeal but id and version, which starts
 * at 1), with its folded search text and local day. *id is the new id. */
int store_appeal_insert(struct store_conn *c, const struct appeal *ap, const char *search,
                        int64_t day, int64_t *id);
/* Adds user as "author" or "coauthor" of an appeal; ERR_CONFLICT when already one. */
int store_appeal_author_add(struct store_conn *c, int64_t appeal_id, int64_t user_id,
                            const char *kind, int64_t at);
struct appeal_route_row {
	int64_t appeal_id, at, from_org_id, to_org_id, rule_id, actor_user_id; /* 0 = NULL */
	const char *kind, *reason;
};
int store_appeal_route_insert(struct store_conn *c, const struct appeal_route_row *r);
/* An answer row (used by the demo loader; the workflow has its own in appeal_flow.c).
 * published_at 0 = not published. */
int store_appeal_answer_insert(struct store_conn *c, int64_t appeal_id, const char *kind,
                               const char *state, const char *text, int64_t org_id,
                               int64_t author_id, int64_t created_at, int64_t published_at,
                               int64_t *id);
/* Id of the appeal with this external id (0 when none). */
int store_appeal_by_external(struct store_conn *c, const char *external_id, int64_t *id);

/* --- attachments ------------------------------------------------------------------------ */

struct attachment_row {
	int64_t id, size, uploader_user_id, uploader_apikey_id, created_at;
	int64_t appeal_id, answer_id, event_id; /* 0 = not linked */
	const char *sha256, *mime, *name;
	int64_t answer_appeal_id; /* the appeal of the answer it belongs to (0 = none) */
	const char *answer_state; /* that answer's state, or NULL */
};
int store_attachment_insert(struct store_conn *c, const struct attachment_row *at, int64_t *id);
/* 0, ERR_NOTFOUND, ERR_DB. */
int store_attachment_get(struct store_conn *c, struct arena *a, int64_t id,
                         struct attachment_row *out);
/* Links the caller's unused attachments ids[0..n) to an appeal (and optionally an answer or an
 * event): only rows uploaded by uploader_user_id (or, when that is 0, uploader_apikey_id) that
 * are not linked yet. *linked = how many rows changed (the caller compares with n). */
int store_attachments_claim(struct store_conn *c, const int64_t *ids, size_t n,
                            int64_t uploader_user_id, int64_t uploader_apikey_id, int64_t appeal_id,
                            int64_t answer_id, int64_t event_id, int64_t *linked);

/* --- the full appeal (src/appeals/query.c) --------------------------------------------- */

/* Names for the detail view: columns topic_name, category_name, territory_name, org_name,
 * assignee_name, author_name, coauthors (count). */
int store_appeal_names(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);
/* The same names for an appeal just stored (no assignee, no co-authors yet) from its ids, without
 * reading the appeal, plus actor_user_name and actor_key_name: the one who submitted it. */
int store_appeal_names_new(struct store_conn *c, struct arena *a, const struct appeal *ap,
                           int64_t actor_user_id, int64_t actor_apikey_id, struct store_rows *out);
/* Answers: id, kind, state, text, org_id, org_name, author_name, created_at, published_at. */
int store_appeal_answers(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);
/* Timeline: id, at, kind, status_from, status_to, actor_name (user name or login), key name,
 * text, public, actor_user_id, actor_is_author (1/NULL). public_only: citizens' view. */
int store_appeal_events(struct store_conn *c, struct arena *a, int64_t id, bool public_only,
                        struct store_rows *out);
/* Routes: at, kind, from_org_id, from_org_name, to_org_id, to_org_name, reason. */
int store_appeal_routes(struct store_conn *c, struct arena *a, int64_t id, struct store_rows *out);
/* Attachments of the appeal and of its answers: id, name, mime, size, sha256, answer_id. */
int store_appeal_attachments(struct store_conn *c, struct arena *a, int64_t id,
                             struct store_rows *out);

/* --- lists and queues ------------------------------------------------------------------ */

enum appeal_sort { APPEAL_SORT_DEADLINE, APPEAL_SORT_CREATED, APPEAL_SORT_CREATED_DESC };
#define APPEAL_LIST_MAX_IDS   32
#define APPEAL_LIST_MAX_WORDS 8
#define APPEAL_TOTAL_CAP      10000

/* Who may see what (the scope) and what to show (the queue and filters). Any scope part may be
 * empty; all = no restriction (admin). Work queues pass only the staff part of the scope. */
struct appeal_list_query {
	bool all;
	int64_t exec_orgs[APPEAL_LIST_MAX_IDS]; /* exactly these orgs */
	size_t nexec;
	int64_t super_orgs[APPEAL_LIST_MAX_IDS]; /* these orgs and every org below */
	size_t nsuper;
	int64_t coord_terrs[APPEAL_LIST_MAX_IDS]; /* these territories and below */
	size_t ncoord;
	int64_t author_user_id;   /* appeal_authors of this user */
	int64_t operator_user_id; /* entered by this operator */
	int64_t apikey_id;        /* entered through this key */
	/* conditions (0 / NULL / -1 = none) */
	bool none; /* nothing can match */
	bool open_only, overdue_only, not_overdue, org_null;
	int64_t due_before;   /* deadline_at <= this */
	unsigned status_mask; /* bits of enum appeal_status; 0 = any */
	int64_t topic_id, category_id, territory_id, org_id, assignee_id;
	int64_t created_from, created_to;         /* 0 = none */
	const char *words[APPEAL_LIST_MAX_WORDS]; /* folded LIKE patterns */
	size_t nwords;
	enum appeal_sort sort;
	int64_t limit, offset;
};
/* One page: rows of APPEAL_COLS followed by topic_name, territory_name, org_name; *total exact
 * up to APPEAL_TOTAL_CAP (then APPEAL_TOTAL_CAP and *capped). */
int store_appeal_list(struct store_conn *c, struct arena *a, const struct appeal_list_query *q,
                      struct store_rows *out, int64_t *total, bool *capped);

#endif
