/* submit.h: one way in for a new appeal, whatever the channel (web form, widget, operator,
 * JSON API, Open311, import): validation, routing by competence, deadline, timeline, audit and
 * notifications in one durable write. */
#ifndef OTKLIK_APPEALS_SUBMIT_H
#define OTKLIK_APPEALS_SUBMIT_H

#include "appeals/appeal.h"
#include "registry/registry.h" /* struct problem: a field-level error */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APPEAL_MAX_ATTACHMENTS 10

/* What a submission's write job wrote besides the appeal row, for its 201 answer
 * (appeal_view_created shows it without reading it back). */
struct appeal_created {
	int64_t event_id;         /* the "submitted" event */
	const char *route_kind;   /* "auto" or "triage" */
	const char *route_reason; /* arena-owned */
	/* the names of the appeal's topic, category, territory and organisation (NULL: none) as
	 * of the routing the job used */
	const char *topic_name, *category_name, *territory_name, *org_name;
};

struct appeal_input {
	const char *channel; /* "web", "widget", "operator", "api", "open311", "import" */
	int64_t topic_id;
	int64_t territory_id; /* 0: taken from the point */
	bool has_point;
	double lat, lon;
	const char *text; /* required; checked here (clean UTF-8, 1–4000 characters after trim) */
	size_t text_len;
	const char *address;                      /* optional */
	const char *person_name, *person_contact; /* operator / API / Open311 entry */
	const char *external_id;                  /* optional: the integrator's id */
	int64_t attachment_ids[APPEAL_MAX_ATTACHMENTS];
	size_t nattachments;
	/* Optional: more rows written in the same write job once the appeal has its id (e.g.
	 * Open311 attributes). May be re-run with the job; returns 0 or an error that undoes the
	 * whole submission. */
	int (*extra)(struct store_conn *c, int64_t appeal_id, void *arg);
	void *extra_arg;
	struct appeal_created *created; /* optional output, filled on success */
};

/* Validates in (field-level errors in *p: ERR_VALIDATION with p->field, ERR_FORBIDDEN when the
 * caller may not use the channel or person fields), then in one write job inserts the appeal
 * with its author row, routes it (rules → org, or the triage queue), computes the deadline,
 * links the attachments (the caller's own, unused), writes the events, audit and notifications.
 * On success *out is the stored appeal (strings in a). Nothing is stored on error. */
int appeal_submit(struct store *s, struct arena *a, const struct actor *who,
                  const struct appeal_input *in, struct appeal *out, struct problem *p);

/* appeal_submit in three steps, for a caller that does not wait for the write (http_defer):
 * prepare validates and routes (errors as appeal_submit's, nothing is queued); the job is then
 * written by appeal_submit_write (a store_write_fn, arg = the job); finish takes the write's
 * result and fills *out and in->created as appeal_submit does. The job lives in a, and keeps
 * pointers to who, in and p: all three must outlive finish. */
struct submit_job;
int appeal_submit_prepare(struct store *s, struct arena *a, const struct actor *who,
                          const struct appeal_input *in, struct problem *p,
                          struct submit_job **out);
int appeal_submit_write(struct store_conn *c, void *job);
int appeal_submit_finish(struct submit_job *j, int rc, struct appeal *out);

/* "Me too": the signed-in user who is not an author yet becomes a co-author of the open appeal
 * id (no read rights needed: strangers are offered nearby appeals). ERR_NOTFOUND (no such
 * appeal), ERR_CONFLICT (closed, or already an author), ERR_FORBIDDEN (no user account); the
 * message in *p. */
int appeal_join(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                struct problem *p);

/* Demo appeals in every status, for `--demo` (idempotent). */
int appeals_demo_load(struct store *s);

#endif
