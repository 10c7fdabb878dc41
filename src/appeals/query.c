/* query.c: reading appeals — the full appeal cut to the caller's rights, lists and queues. */
#include "appeals/query.h"
#include "appeals/deadline.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/utf8.h"
#include "store/appeals.h"

#include <stdlib.h>
#include <string.h>

static json_t *opt_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *row_int(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_integer(store_rows_i64(r, i, col));
}

static json_t *row_str(const struct store_rows *r, size_t i, size_t col)
{
	return opt_str(store_rows_get(r, i, col));
}

static json_t *attachment_json(const struct store_rows *r, size_t i)
{
	return json_pack("{s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)store_rows_i64(r, i, 0), "name",
	                 store_rows_get(r, i, 1), "mime", store_rows_get(r, i, 2), "size",
	                 (json_int_t)store_rows_i64(r, i, 3), "sha256", store_rows_get(r, i, 4));
}

/* Attachments of one answer (answer_id) or of the appeal itself (answer_id 0). */
static json_t *attachments_of(const struct store_rows *r, int64_t answer_id)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nrows; i++) {
		int64_t an = store_rows_isnull(r, i, 5) ? 0 : store_rows_i64(r, i, 5);
		if (an == answer_id)
			json_array_append_new(arr, attachment_json(r, i));
	}
	return arr;
}

/* One row of ncols NULLs in a (arena memory is zeroed): a timeline or route row built from
 * what was just written. */
static const char **one_row(struct arena *a, struct store_rows *r, size_t ncols)
{
	*r = (struct store_rows){.nrows = 1, .ncols = ncols};
	r->vals = arena_alloc(a, ncols * sizeof(*r->vals));
	return r->vals;
}

static const char *i64_str(struct arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

/* The names, timeline and routes of an appeal this request has just stored: one read of names;
 * the timeline is its "submitted" event and the routes its first route (columns as
 * store_appeal_events and store_appeal_routes give them). */
static int created_rows(struct store_conn *c, struct arena *a, const struct actor *who,
                        const struct appeal *ap, const struct appeal_created *cr,
                        struct store_rows *names, struct store_rows *events,
                        struct store_rows *routes)
{
	int64_t uid = who ? who->user_id : 0, kid = who ? who->apikey_id : 0;
	/* the names at hand: the registry's from the routing, the submitter's from the sign-in
	 * (an author other than the one who submits has no name here) */
	const char *me = who ? who->name : NULL;
	if ((!(uid || kid) || me) && (!ap->author_id || ap->author_id == uid)) {
		const char **n = one_row(a, names, 9);
		n[0] = cr->topic_name;
		n[1] = cr->category_name;
		n[2] = cr->territory_name;
		n[3] = cr->org_name;
		n[5] = ap->author_id ? me : NULL;
		n[6] = "0";
		n[7] = uid ? me : NULL;
		n[8] = kid ? me : NULL;
	} else {
		int rc = store_appeal_names_new(c, a, ap, uid, kid, names);
		if (rc)
			return rc;
		if (!names->nrows)
			return ERR_NOTFOUND;
	}
	const char **e = one_row(a, events, 11);
	e[0] = i64_str(a, cr->event_id);
	e[1] = i64_str(a, ap->created_at);
	e[2] = "submitted";
	e[4] = appeal_status_name(ap->status);
	e[5] = uid ? store_rows_get(names, 0, 7) : NULL;
	e[6] = kid ? store_rows_get(names, 0, 8) : NULL;
	e[8] = "1";
	e[9] = uid ? i64_str(a, uid) : NULL;
	e[10] = uid && uid == ap->author_id ? "1" : NULL;
	const char **r = one_row(a, routes, 7);
	r[0] = i64_str(a, ap->created_at);
	r[1] = cr->route_kind;
	r[4] = ap->org_id ? i64_str(a, ap->org_id) : NULL;
	r[5] = store_rows_get(names, 0, 3);
	r[6] = cr->route_reason;
	return 0;
}

/* created: the appeal was just stored by this request (no answers can exist yet) and has that
 * many attachments, and cr is what its write job wrote; -1: any appeal (cr NULL). */
static int detail_json(struct store_conn *c, struct arena *a, const struct actor *who,
                       const struct appeal *ap, unsigned rights, long created,
                       const struct appeal_created *cr, json_t **out)
{
	bool staff = (rights & AR_STAFF) != 0;
	struct store_rows names, answers = {0}, events, routes, files = {0};
	int rc;
	if (cr)
		rc = created_rows(c, a, who, ap, cr, &names, &events, &routes);
	else {
		rc = store_appeal_names(c, a, ap->id, &names);
		if (!rc && !names.nrows)
			rc = ERR_NOTFOUND;
		if (!rc && created < 0)
			rc = store_appeal_answers(c, a, ap->id, &answers);
		if (!rc)
			rc = store_appeal_events(c, a, ap->id, !staff, &events);
		if (!rc)
			rc = store_appeal_routes(c, a, ap->id, &routes);
	}
	if (!rc && created != 0)
		rc = store_appeal_attachments(c, a, ap->id, &files);
	if (rc)
		return rc;
	const char *org_name = store_rows_get(&names, 0, 3);

	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(ap->id));
	json_object_set_new(o, "token", json_string(ap->token ? ap->token : ""));
	json_object_set_new(o, "status", json_string(appeal_status_name(ap->status)));
	json_object_set_new(o, "channel", json_string(ap->channel ? ap->channel : ""));
	json_object_set_new(o, "topic_id", json_integer(ap->topic_id));
	json_object_set_new(o, "topic_name", row_str(&names, 0, 0));
	json_object_set_new(o, "category_id", json_integer(ap->category_id));
	json_object_set_new(o, "category_name", row_str(&names, 0, 1));
	json_object_set_new(o, "territory_id", json_integer(ap->territory_id));
	json_object_set_new(o, "territory_name", row_str(&names, 0, 2));
	json_object_set_new(o, "org_id", opt_int(ap->org_id));
	json_object_set_new(o, "org_name", opt_str(org_name));
	if (staff) {
		json_object_set_new(o, "assignee_id", opt_int(ap->assignee_id));
		json_object_set_new(o, "assignee_name",
		                    ap->assignee_id ? row_str(&names, 0, 4) : json_null());
	}
	json_object_set_new(o, "text", json_string(ap->text ? ap->text : ""));
	json_object_set_new(o, "address", opt_str(ap->address));
	json_object_set_new(o, "lat", ap->has_point ? json_real(ap->lat) : json_null());
	json_object_set_new(o, "lon", ap->has_point ? json_real(ap->lon) : json_null());
	const char *author_name = store_rows_get(&names, 0, 5);
	json_t *author = json_null();
	if (staff && ap->author_id)
		author = json_pack("{s:I,s:s}", "id", (json_int_t)ap->author_id, "name",
		                   author_name ? author_name : "");
	else if ((rights & AR_AUTHOR) && ap->author_id)
		author = json_pack("{s:s}", "name", author_name ? author_name : "");
	json_object_set_new(o, "author", author);
	if (staff || (rights & AR_OPERATOR))
		json_object_set_new(o, "person",
		                    ap->person_name || ap->person_contact
		                        ? json_pack("{s:o,s:o}", "name", opt_str(ap->person_name),
		                                    "contact", opt_str(ap->person_contact))
		                        : json_null());
	json_object_set_new(o, "coauthors", json_integer(store_rows_i64(&names, 0, 6)));
	json_object_set_new(o, "is_author", json_boolean(rights & AR_AUTHOR));
	json_object_set_new(o, "is_coauthor", json_boolean(rights & AR_COAUTHOR));
	json_object_set_new(o, "created_at", json_integer(ap->created_at));
	json_object_set_new(o, "updated_at", json_integer(ap->updated_at));
	json_object_set_new(o, "deadline_at", opt_int(ap->deadline_at));
	json_object_set_new(o, "paused", json_boolean(ap->paused_at != 0));
	json_object_set_new(o, "overdue", json_boolean(ap->overdue));
	json_object_set_new(o, "extended", json_boolean(ap->extended));
	json_object_set_new(o, "extension_reason", opt_str(ap->extension_reason));
	json_object_set_new(o, "answered_at", opt_int(ap->answered_at));
	json_object_set_new(o, "closed_at", opt_int(ap->closed_at));
	json_object_set_new(o, "reject_reason", opt_str(ap->reject_reason));
	json_object_set_new(o, "merged_into", opt_int(ap->merged_into));
	json_object_set_new(o, "problem_id", opt_int(ap->problem_id));
	if (staff)
		json_object_set_new(o, "suggested_topic_id", opt_int(ap->suggested_topic_id));
	json_object_set_new(
	    o, "rating",
	    ap->rating
	        ? json_pack("{s:i,s:o,s:o,s:o}", "score", ap->rating, "solved",
	                    ap->rating_solved < 0 ? json_null() : json_boolean(ap->rating_solved),
	                    "comment", opt_str(ap->rating_comment), "at", opt_int(ap->rated_at))
	        : json_null());
	json_object_set_new(o, "attachments", attachments_of(&files, 0));

	json_t *arr = json_array();
	for (size_t i = 0; i < answers.nrows; i++) {
		const char *state = store_rows_get(&answers, i, 2);
		if (!staff && (!state || strcmp(state, "published")))
			continue;
		int64_t aid = store_rows_i64(&answers, i, 0);
		json_array_append_new(
		    arr,
		    json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:o,s:o}", "id", (json_int_t)aid,
		              "kind", store_rows_get(&answers, i, 1), "state", state ? state : "",
		              "text", store_rows_get(&answers, i, 3), "org_id",
		              row_int(&answers, i, 4), "org_name", row_str(&answers, i, 5),
		              "author_name", row_str(&answers, i, 6), "created_at",
		              (json_int_t)store_rows_i64(&answers, i, 7), "published_at",
		              row_int(&answers, i, 8), "attachments", attachments_of(&files, aid)));
	}
	json_object_set_new(o, "answers", arr);

	arr = json_array();
	for (size_t i = 0; i < events.nrows; i++) {
		const char *actor;
		int64_t uid = store_rows_isnull(&events, i, 9) ? 0 : store_rows_i64(&events, i, 9);
		bool by_author = !store_rows_isnull(&events, i, 10) ||
		                 (uid && (uid == ap->author_id || uid == ap->operator_id));
		const char *kind = store_rows_get(&events, i, 2);
		if (staff) {
			const char *user = store_rows_get(&events, i, 5);
			const char *key = store_rows_get(&events, i, 6);
			actor = user ? user : key ? arena_printf(a, "API: %s", key) : "Система";
		} else if (by_author || (!uid && kind && !strcmp(kind, "submitted")))
			actor = "Заявитель";
		else
			actor = org_name ? org_name : "Платформа «Отклик»";
		json_array_append_new(
		    arr, json_pack("{s:I,s:I,s:s,s:o,s:o,s:s,s:o,s:b}", "id",
		                   (json_int_t)store_rows_i64(&events, i, 0), "at",
		                   (json_int_t)store_rows_i64(&events, i, 1), "kind",
		                   kind ? kind : "", "status_from", row_str(&events, i, 3),
		                   "status_to", row_str(&events, i, 4), "actor_name", actor, "text",
		                   row_str(&events, i, 7), "public",
		                   store_rows_i64(&events, i, 8) != 0));
	}
	json_object_set_new(o, "timeline", arr);

	arr = json_array();
	for (size_t i = 0; i < routes.nrows; i++)
		json_array_append_new(
		    arr, json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o}", "at",
		                   (json_int_t)store_rows_i64(&routes, i, 0), "kind",
		                   store_rows_get(&routes, i, 1), "from_org_id",
		                   row_int(&routes, i, 2), "from_org_name", row_str(&routes, i, 3),
		                   "to_org_id", row_int(&routes, i, 4), "to_org_name",
		                   row_str(&routes, i, 5), "reason", row_str(&routes, i, 6)));
	json_object_set_new(o, "routes", arr);
	json_object_set_new(o, "allowed_actions", appeal_allowed_actions(ap, rights, who));
	json_object_set_new(o, "version", json_integer(ap->version));
	*out = o;
	return 0;
}

int appeal_detail_json(struct store_conn *c, struct arena *a, const struct actor *who,
                       const struct appeal *ap, unsigned rights, json_t **out)
{
	return detail_json(c, a, who, ap, rights, -1, NULL, out);
}

/* appeal_view of id, or of *stored (not read again) with created attachments (appeal_created). */
static int view(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                const struct appeal *stored, long created, const struct appeal_created *cr,
                json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct appeal ap;
	unsigned rights = 0;
	if (stored)
		ap = *stored;
	else
		rc = appeal_load(c, a, id, &ap);
	if (!rc)
		rc = appeal_rights(c, who, &ap, &rights);
	/* the key that entered an appeal reads it like the operator who entered it would */
	if (!rc && who && who->apikey_id && ap.apikey_id == who->apikey_id)
		rights |= AR_OPERATOR;
	if (!rc && !rights)
		rc = ERR_NOTFOUND;
	if (!rc)
		rc = detail_json(c, a, who, &ap, rights, created, cr, out);
	store_conn_put(s, c);
	return rc;
}

int appeal_view(struct store *s, struct arena *a, const struct actor *who, int64_t id, json_t **out)
{
	return view(s, a, who, id, NULL, -1, NULL, out);
}

int appeal_view_created(struct store *s, struct arena *a, const struct actor *who,
                        const struct appeal *ap, const struct appeal_created *cr,
                        size_t nattachments, json_t **out)
{
	return view(s, a, who, ap->id, ap, (long)nattachments, cr, out);
}

/* --- lists and queues ------------------------------------------------------------------- */

json_t *appeal_brief_named_json(const struct appeal *ap, const char *topic_name,
                                const char *territory_name, const char *org_name)
{
	json_t *o = appeal_brief_json(ap);
	json_object_set_new(o, "topic_name", opt_str(topic_name));
	json_object_set_new(o, "territory_name", opt_str(territory_name));
	json_object_set_new(o, "org_name", opt_str(org_name));
	return o;
}

static int bad(struct problem *p, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return ERR_VALIDATION;
}

enum queue {
	Q_MINE,
	Q_ORG,
	Q_NEW,
	Q_OVERDUE,
	Q_DUE_SOON,
	Q_TRIAGE,
	Q_APPROVAL,
	Q_REREVIEW,
	Q_WAITING,
	Q_AUTHORED,
	Q_ALL,
	Q__COUNT
};
static const char *const queue_names[Q__COUNT] = {
    "mine",     "org",      "new",     "overdue",  "due_soon", "triage",
    "approval", "rereview", "waiting", "authored", "all",
};

/* The staff part of the caller's scope (executor orgs, supervisor and coordinator subtrees). */
static bool staff_scope(const struct actor *who, struct appeal_list_query *q)
{
	if (who->roles & ROLE_ADMIN) {
		q->all = true;
		return true;
	}
	bool any = false;
	for (size_t i = 0; i < who->ngrants; i++) {
		const struct grant *g = &who->grants[i];
		if (g->role == ROLE_EXECUTOR && g->org_id && q->nexec < APPEAL_LIST_MAX_IDS)
			q->exec_orgs[q->nexec++] = g->org_id, any = true;
		else if (g->role == ROLE_SUPERVISOR && g->org_id && q->nsuper < APPEAL_LIST_MAX_IDS)
			q->super_orgs[q->nsuper++] = g->org_id, any = true;
		else if (g->role == ROLE_COORDINATOR && g->territory_id &&
		         q->ncoord < APPEAL_LIST_MAX_IDS)
			q->coord_terrs[q->ncoord++] = g->territory_id, any = true;
	}
	return any;
}

/* The caller's own appeals: written, joined, entered as an operator or through the key. */
static void own_scope(const struct actor *who, struct appeal_list_query *q)
{
	if (who->user_id) {
		q->author_user_id = who->user_id;
		if (who->roles & ROLE_OPERATOR)
			q->operator_user_id = who->user_id;
	}
	if (who->apikey_id)
		q->apikey_id = who->apikey_id;
}

static bool has_staff_role(const struct actor *who)
{
	return who->roles & (ROLE_EXECUTOR | ROLE_SUPERVISOR | ROLE_COORDINATOR | ROLE_ADMIN);
}

int appeal_list(struct store *s, struct arena *a, const struct actor *who,
                const struct appeal_list_params *in, json_t **out, struct problem *p)
{
	struct appeal_list_query *q = arena_alloc(a, sizeof(*q));
	int queue = -1;
	if (in->queue && *in->queue) {
		for (int i = 0; i < Q__COUNT; i++)
			if (!strcmp(in->queue, queue_names[i]))
				queue = i;
		if (queue < 0)
			return bad(
			    p,
			    "Неизвестная очередь: mine, org, new, overdue, due_soon, triage, "
			    "approval, rereview, waiting, authored или all",
			    "queue");
	} else
		queue = has_staff_role(who) ? Q_ORG : Q_AUTHORED;

	if (in->status && *in->status) {
		/* one status or several separated by commas */
		char *dup = arena_strdup(a, in->status), *save = NULL;
		for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			enum appeal_status st;
			if (appeal_status_parse(t, &st))
				return bad(p, "Неизвестный статус обращения", "status");
			q->status_mask |= 1u << st;
		}
		if (!q->status_mask)
			return bad(p, "Неизвестный статус обращения", "status");
	}
	enum appeal_sort sort =
	    queue == Q_AUTHORED || queue == Q_ALL ? APPEAL_SORT_CREATED_DESC : APPEAL_SORT_DEADLINE;
	if (in->sort && *in->sort) {
		if (!strcmp(in->sort, "deadline"))
			sort = APPEAL_SORT_DEADLINE;
		else if (!strcmp(in->sort, "created"))
			sort = APPEAL_SORT_CREATED;
		else if (!strcmp(in->sort, "-created"))
			sort = APPEAL_SORT_CREATED_DESC;
		else
			return bad(p, "Сортировка: deadline, created или -created", "sort");
	}
	q->sort = sort;
	if (in->limit < 0 || in->limit > 100)
		return bad(p, "limit — от 1 до 100", "limit");
	q->limit = in->limit ? in->limit : 50;
	if (in->offset < 0)
		return bad(p, "offset не может быть отрицательным", "offset");
	q->offset = in->offset;
	if (in->created_from && in->created_to && in->created_from > in->created_to)
		return bad(p, "created_from позже created_to", "created_from");
	q->topic_id = in->topic_id;
	q->category_id = in->category_id;
	q->territory_id = in->territory_id;
	q->org_id = in->org_id;
	q->assignee_id = in->assignee_id;
	q->created_from = in->created_from;
	q->created_to = in->created_to;
	if (in->q && *in->q) {
		size_t n = strlen(in->q);
		if (n > 200)
			return bad(p, "Слишком длинный поисковый запрос", "q");
		if (!utf8_clean_text(in->q, n))
			return bad(p, "Недопустимые символы в запросе", "q");
		char *dup = arena_strdup(a, in->q), *save = NULL;
		for (char *t = strtok_r(dup, " \t\r\n", &save); t;
		     t = strtok_r(NULL, " \t\r\n", &save)) {
			if (q->nwords == APPEAL_LIST_MAX_WORDS)
				return bad(p, "Не больше 8 слов в поисковом запросе", "q");
			q->words[q->nwords++] = fold_like_pattern(a, t);
		}
	}

	/* scope and queue */
	if (queue == Q_AUTHORED)
		own_scope(who, q);
	else if (queue == Q_ALL) {
		staff_scope(who, q);
		if (!q->all)
			own_scope(who, q);
	} else
		staff_scope(who, q);
	unsigned qmask = 0; /* the queue's own statuses */
	switch (queue) {
	case Q_MINE:
		q->open_only = true;
		if (!who->user_id || (in->assignee_id && in->assignee_id != who->user_id))
			q->none = true;
		q->assignee_id = who->user_id;
		break;
	case Q_ORG: q->open_only = true; break;
	case Q_NEW: qmask = (1u << AS_ROUTED) | (1u << AS_REDIRECTED); break;
	case Q_OVERDUE:
		q->open_only = true;
		q->overdue_only = true;
		break;
	case Q_DUE_SOON: {
		q->open_only = true;
		q->not_overdue = true;
		int64_t now = clock_now_ms(), lim = 0;
		struct store_conn *c;
		int rc = store_conn_get(s, &c);
		if (rc)
			return rc;
		rc = deadline_add_wdays(c, now, 1, &lim);
		store_conn_put(s, c);
		if (rc)
			return rc;
		q->due_before = lim;
		/* paused appeals (clarification) are not running out */
		qmask = ((1u << AS__COUNT) - 1) & ~(1u << AS_CLARIFICATION);
		break;
	}
	case Q_TRIAGE:
		/* the coordinators' queue: the org parts of the scope do not apply */
		q->nexec = q->nsuper = 0;
		qmask = 1u << AS_SUBMITTED;
		q->org_null = true;
		break;
	case Q_APPROVAL: qmask = 1u << AS_APPROVAL; break;
	case Q_REREVIEW: qmask = 1u << AS_REREVIEW; break;
	case Q_WAITING: qmask = 1u << AS_CLARIFICATION; break;
	default: break;
	}
	/* a queue's own statuses narrowed by status= (both given: the intersection) */
	if (qmask) {
		unsigned asked = q->status_mask;
		q->status_mask = asked ? qmask & asked : qmask;
		if (!q->status_mask)
			q->none = true;
	}

	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct store_rows rows;
	int64_t total = 0;
	bool capped = false;
	rc = store_appeal_list(c, a, q, &rows, &total, &capped);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < rows.nrows; i++) {
		struct appeal ap;
		store_appeal_from_row(&rows, i, 0, &ap);
		json_array_append_new(
		    items, appeal_brief_named_json(&ap, store_rows_get(&rows, i, APPEAL_NCOLS),
		                                   store_rows_get(&rows, i, APPEAL_NCOLS + 1),
		                                   store_rows_get(&rows, i, APPEAL_NCOLS + 2)));
	}
	json_t *o = json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total);
	if (capped)
		json_object_set_new(o, "total_capped", json_true());
	*out = o;
	return 0;
}
