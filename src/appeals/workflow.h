/* workflow.h: the actions on one appeal (route, start, assign, redirect, notes, answers,
 * approve, return, clarification, clarify, extend, reject, merge, rating, rereview) — each a
 * single durable write: load, check rights and the transition table, change, event, audit and
 * notifications (docs/appeals.md, "Transitions"). */
#ifndef OTKLIK_APPEALS_WORKFLOW_H
#define OTKLIK_APPEALS_WORKFLOW_H

#include "appeals/appeal.h"
#include "appeals/submit.h"    /* APPEAL_MAX_ATTACHMENTS */
#include "registry/registry.h" /* struct problem */

#include <stdbool.h>
#include <stdint.h>

/* Limits in characters: answers; notes, questions and clarifications; redirect and extension
 * reasons; comments (route, approve, return, reject, rating, rereview). */
#define WORKFLOW_ANSWER_MAX  10000
#define WORKFLOW_TEXT_MAX    4000
#define WORKFLOW_REASON_MAX  1000
#define WORKFLOW_COMMENT_MAX 2000

/* One action's input; fields an action does not use are ignored. Strings are not copied. */
struct workflow_input {
	const char *action; /* a name of appeal_action_check ("answer_final", not "answers") */
	int64_t appeal_id;
	int64_t org_id; /* route, redirect (0 with redirect: back to the triage queue) */
	int64_t topic_id, user_id, into_id;
	const char *text, *comment, *reason, *decision;
	int days, score;
	int solved; /* -1 absent, 0, 1 */
	int64_t attachment_ids[APPEAL_MAX_ATTACHMENTS];
	size_t nattachments;
};

/* Runs the action for who. On success *out is the appeal after the change (strings in a) and
 * *rights the caller's rights on it now (0 when the action took the appeal out of their
 * reach, e.g. a redirect). Errors (message and field in *p): ERR_NOTFOUND (no such appeal or
 * not visible to who), ERR_FORBIDDEN (these rights never allow the action), ERR_CONFLICT
 * (not from this status, extended already, or changed meanwhile), ERR_VALIDATION (a field),
 * ERR_DB. Nothing is stored on error. */
int workflow_act(struct store *s, struct arena *a, const struct actor *who,
                 const struct workflow_input *in, struct appeal *out, unsigned *rights,
                 struct problem *p);

#endif
