/* appeal.h: the appeal record, its statuses, who may do what with it, and its timeline —
 * shared by submission, queries, the workflow, the scanner, notifications and Open311.
 * The contract is docs/appeals.md. */
#ifndef OTKLIK_APPEALS_APPEAL_H
#define OTKLIK_APPEALS_APPEAL_H

#include "auth/actor.h"
#include "core/arena.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum appeal_status {
	AS_SUBMITTED,
	AS_ROUTED,
	AS_REDIRECTED,
	AS_IN_PROGRESS,
	AS_CLARIFICATION,
	AS_CLARIFIED,
	AS_APPROVAL,
	AS_ANSWERED,
	AS_REREVIEW,
	AS_CLOSED,
	AS_REJECTED,
	AS_MERGED,
	AS__COUNT
};

/* "in_progress" for AS_IN_PROGRESS; never NULL for a valid status. */
const char *appeal_status_name(enum appeal_status s);
/* 0 and *out, or ERR_INVALID for an unknown name. */
int appeal_status_parse(const char *name, enum appeal_status *out);
/* Open = still needs work (not answered, closed, rejected or merged). */
bool appeal_status_open(enum appeal_status s);

/* Channels an appeal can come by. */
#define APPEAL_TEXT_MAX 4000 /* characters */

/* A new appeal's token (32 hex digits and a NUL into out): the creation time in milliseconds
 * (12 digits) then 80 random bits. Unguessable as a capability, and in the order appeals are
 * made, so that the unique index on tokens grows at its end instead of writing a random page
 * for every new appeal. */
#define APPEAL_TOKEN_SIZE 33
void appeal_token_new(char out[APPEAL_TOKEN_SIZE], int64_t now_ms);

/* Reasons an appeal can be rejected for (NULL-terminated). */
extern const char *const appeal_reject_reasons[];

/* One appeal row. Strings are owned by the arena the appeal was loaded into. */
struct appeal {
	int64_t id;
	const char *token;
	const char *channel;
	int64_t author_id, operator_id, apikey_id; /* 0 = none */
	const char *person_name, *person_contact;  /* operator entry; NULL otherwise */
	int64_t topic_id, category_id, territory_id;
	int64_t org_id; /* 0 = the triage queue */
	int64_t assignee_id;
	enum appeal_status status;
	const char *text, *address;
	bool has_point;
	double lat, lon;
	int64_t created_at, updated_at;
	int64_t deadline_at; /* 0 = none (answered, closed, …) */
	int64_t paused_at;   /* 0 = not paused */
	bool extended, overdue;
	const char *extension_reason;
	int64_t answered_at, closed_at;
	const char *reject_reason;
	int64_t merged_into;
	int rating;        /* 0 = not rated */
	int rating_solved; /* -1 none, 0, 1 */
	const char *rating_comment;
	int64_t rated_at;
	int64_t suggested_topic_id, problem_id;
	const char *external_id;
	int64_t version;
};

/* Loads one appeal. Returns 0, ERR_NOTFOUND, ERR_DB. */
int appeal_load(struct store_conn *c, struct arena *a, int64_t id, struct appeal *out);

/* What an actor may do with one appeal (a bit set). */
enum appeal_right {
	AR_AUTHOR = 1u << 0,      /* wrote it */
	AR_COAUTHOR = 1u << 1,    /* joined it ("me too") */
	AR_OPERATOR = 1u << 2,    /* entered it on behalf of a person */
	AR_EXECUTOR = 1u << 3,    /* executor of its organisation */
	AR_SUPERVISOR = 1u << 4,  /* supervisor of its organisation or one above */
	AR_COORDINATOR = 1u << 5, /* coordinator of its territory or one above */
	AR_ADMIN = 1u << 6,
};
#define AR_STAFF   (AR_EXECUTOR | AR_SUPERVISOR | AR_COORDINATOR | AR_ADMIN)
#define AR_CITIZEN (AR_AUTHOR | AR_COAUTHOR | AR_OPERATOR)
/* Rights of who over ap (0 = none: the caller must answer 404). */
int appeal_rights(struct store_conn *c, const struct actor *who, const struct appeal *ap,
                  unsigned *rights);

/* Appends a timeline event (inside a write job). status_from/to may be -1 (no change).
 * public: shown to citizens. text and data (JSON, not stolen) may be NULL. */
int appeal_event_add(struct store_conn *c, const struct actor *who, int64_t appeal_id,
                     const char *kind, int status_from, int status_to, bool public,
                     const char *text, json_t *data, int64_t at, int64_t *event_id);

/* The change of one appeal in a write job: sets the columns the caller filled in `set` (see
 * appeal_store_update), checks the version (ERR_CONFLICT "changed meanwhile" when it moved),
 * bumps it, writes the event, the audit entry (before/after status) and queues the notifications.
 * kind: the action name; text: public/internal text for the event. */
struct appeal_change {
	const char *kind;
	enum appeal_status to; /* == from for no status change */
	bool public;
	const char *text;
	json_t *data; /* not stolen */
};
int appeal_apply(struct store_conn *c, struct arena *a, const struct actor *who,
                 const struct appeal *before, const struct appeal *after,
                 const struct appeal_change *ch, int64_t now, int64_t *event_id);

/* The full JSON of an appeal as docs/appeals.md shows it, cut to the caller's rights
 * (citizens get the citizen view). Returns 0 with *out (new reference), ERR_*. */
int appeal_detail_json(struct store_conn *c, struct arena *a, const struct actor *who,
                       const struct appeal *ap, unsigned rights, json_t **out);
/* The brief form used in lists and webhooks (no rights needed beyond list scope). */
json_t *appeal_brief_json(const struct appeal *ap);

/* The transition table of docs/appeals.md. Actions: route, start, assign, redirect, notes,
 * answer_interim, answer_final, approve, return, clarification, clarify, extend, reject, merge,
 * rating, rereview. Returns 0 when rights allow action from st; ERR_FORBIDDEN when these rights
 * never allow it; ERR_CONFLICT (with a Russian explanation in *why, may be NULL) when they do
 * but not from this status; ERR_NOTFOUND for an unknown action. Extra conditions (extend once,
 * the assignee's org, …) are the workflow's. */
int appeal_action_check(const char *action, enum appeal_status st, unsigned rights, struct arena *a,
                        const char **why);

/* Actions the caller may take now (for the UI's buttons), from status and rights. */
json_t *appeal_allowed_actions(const struct appeal *ap, unsigned rights, const struct actor *who);

/* The local calendar day (days since 1970-01-01 in the platform's time zone) of a time. */
int64_t appeal_day(int64_t ms);
/* The platform's UTC offset in minutes (OTKLIK_TZ_OFFSET_MIN, default 180). */
int appeal_tz_offset_min(void);

#endif
