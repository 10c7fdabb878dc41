/* submit.c: appeal submission for every channel — validation, then one write job that stores,
 * routes, sets the deadline, links the attachments, and writes the event, audit entry and
 * notifications. */
#include "appeals/submit.h"
#include "appeals/assist.h"
#include "appeals/deadline.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "notify/notify.h"
#include "store/appeals.h"
#include "store/notify.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define ADDRESS_MAX  500 /* characters */
#define PERSON_MAX   200
#define EXTERNAL_MAX 100

static int fail(struct problem *p, int rc, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return rc;
}

/* s[0..*n) without leading and trailing white space (ASCII and no-break space). */
static const char *trim(const char *s, size_t *n)
{
	size_t b = 0, e = *n;
	for (;;) {
		if (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r'))
			b++;
		else if (b + 1 < e && (unsigned char)s[b] == 0xC2 &&
		         (unsigned char)s[b + 1] == 0xA0)
			b += 2;
		else
			break;
	}
	for (;;) {
		if (e > b &&
		    (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r'))
			e--;
		else if (e >= b + 2 && (unsigned char)s[e - 2] == 0xC2 &&
		         (unsigned char)s[e - 1] == 0xA0)
			e -= 2;
		else
			break;
	}
	*n = e - b;
	return s + b;
}

/* An optional short text: NULL stays NULL, blank becomes NULL; too long or unclean fails. */
static int short_text(struct arena *a, const char *in, size_t max, const char *field,
                      const char *what, const char **out, struct problem *p)
{
	*out = NULL;
	if (!in)
		return 0;
	size_t n = strlen(in);
	if (!utf8_clean_text(in, n))
		return fail(p, ERR_VALIDATION, arena_printf(a, "%s: недопустимые символы", what),
		            field);
	const char *s = trim(in, &n);
	if (!n)
		return 0;
	if (utf8_len(s, n) > max)
		return fail(p, ERR_VALIDATION,
		            arena_printf(a, "%s: не длиннее %zu символов", what, max), field);
	*out = arena_strndup(a, s, n);
	return 0;
}

static bool channel_known(const char *ch)
{
	static const char *const names[] = {"web", "widget",  "operator",
	                                    "api", "open311", "import"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(ch, names[i]))
			return true;
	return false;
}

struct submit_job {
	struct arena *a;
	const struct actor *who;
	struct appeal ap; /* filled before the job but for id, routing and the deadline */
	const char *search;
	const int64_t *attachment_ids;
	size_t nattachments;
	int (*extra)(struct store_conn *c, int64_t appeal_id, void *arg);
	void *extra_arg;
	int64_t now;
	struct problem *p;
	/* routing worked out before the job on a reading connection, valid while the versions
	 * it depends on are the same inside the job's transaction (then the writer need not
	 * repeat it) */
	bool pre_ok;
	int64_t versions[STORE_VERSIONS]; /* store_routing_versions */
	struct route_result rr;
	int64_t deadline_at;
	/* outputs */
	int64_t id, event_id;
	const char *route_kind, *route_reason;
	struct appeal out; /* as stored */
	/* for appeal_submit_finish */
	const char *names[4]; /* of the routing used (the pre-job one, or the writer's) */
	struct appeal_created *created;
};

static json_t *audit_after(const struct appeal *ap)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:o}", "status", appeal_status_name(ap->status),
	                 "channel", ap->channel, "topic_id", (json_int_t)ap->topic_id,
	                 "territory_id", (json_int_t)ap->territory_id, "org_id",
	                 ap->org_id ? json_integer(ap->org_id) : json_null());
}

/* The body and territory of a new appeal by the competence rules, and its deadline rule. */
static int route_rule(struct store_conn *c, struct arena *a, const struct appeal *ap,
                      struct route_result *rr, int64_t *n, bool *hours, struct problem *p)
{
	int rc = registry_resolve_conn(c, a, ap->topic_id, ap->territory_id, ap->has_point, ap->lat,
	                               ap->lon, rr, p);
	if (rc)
		return rc;
	if (!rr->territory_id)
		return fail(p, ERR_VALIDATION,
		            ap->has_point ? "Точка не попадает ни в одну известную территорию: "
		                            "укажите территорию"
		                          : "Укажите территорию или точку на карте",
		            ap->has_point ? "lat" : "territory_id");
	rc = deadline_rule(c, ap->topic_id, rr->org_id, n, hours);
	if (rc == ERR_NOTFOUND)
		return fail(p, ERR_VALIDATION, "Тема не найдена", "topic_id");
	return rc;
}

/* --- the routing memo ------------------------------------------------------------------- *
 * What a submission needs from the registry — the topic's category and state, the route and
 * the deadline rule — depends only on (topic, territory given, territory of the point) and on
 * the routing versions (registry, calendar, org deadlines: every change of those tables bumps
 * one). Kept per key while the versions stay the same, a submission reads the versions once
 * instead of the topic three times, the territory chain, the rules and the calendar's versions.
 * Shared by the request threads; direct-mapped; only successful lookups of active topics are kept.
 */

#define MEMO_SLOTS 1024

struct memo_entry {
	uint64_t store; /* store_serial; 0 = empty */
	int64_t versions[STORE_ROUTING_VERSIONS];
	int64_t topic_id, territory_id, at;
	int64_t category_id; /* of an active topic (others are not kept) */
	int64_t org_id, rule_id, route_territory_id;
	char *reason;
	char *names[4]; /* topic, category, territory, organisation (NULL: triage) */
	int64_t deadline_n;
	bool hours;
};

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct memo_entry memo[MEMO_SLOTS];

static size_t memo_slot(int64_t topic_id, int64_t territory_id, int64_t at)
{
	uint64_t h = (uint64_t)topic_id * 0x9E3779B97F4A7C15u;
	h ^= (uint64_t)territory_id * 0xC2B2AE3D27D4EB4Fu;
	h ^= (uint64_t)at * 0x165667B19E3779F9u;
	return (size_t)(h >> 32) % MEMO_SLOTS;
}

/* What the pre-job routing of a submission works out. */
struct routed {
	int64_t category_id;
	struct route_result rr;
	int64_t deadline_at;
	const char *names[4]; /* as memo_entry.names, arena-owned */
};

/* The names the 201 answer shows, kept in the memo with the route they belong to. */
static int registry_names(struct store_conn *c, struct arena *a, int64_t topic_id,
                          struct routed *out)
{
	struct appeal ids = {.topic_id = topic_id,
	                     .category_id = out->category_id,
	                     .territory_id = out->rr.territory_id,
	                     .org_id = out->rr.org_id};
	struct store_rows r;
	int rc = store_appeal_names_new(c, a, &ids, 0, 0, &r);
	if (rc)
		return rc;
	for (int k = 0; k < 4; k++)
		out->names[k] = store_rows_get(&r, 0, (size_t)k);
	return 0;
}

static bool memo_get(uint64_t store, const int64_t *versions, int64_t topic_id,
                     int64_t territory_id, int64_t at, struct arena *a, int64_t *n, bool *hours,
                     struct routed *out)
{
	bool hit = false;
	struct memo_entry *e = &memo[memo_slot(topic_id, territory_id, at)];
	pthread_mutex_lock(&memo_lock);
	if (e->store == store && !memcmp(e->versions, versions, sizeof(e->versions)) &&
	    e->topic_id == topic_id && e->territory_id == territory_id && e->at == at) {
		hit = true;
		out->category_id = e->category_id;
		out->rr = (struct route_result){.org_id = e->org_id,
		                                .rule_id = e->rule_id,
		                                .territory_id = e->route_territory_id,
		                                .reason = arena_strdup(a, e->reason)};
		for (int k = 0; k < 4; k++)
			out->names[k] = e->names[k] ? arena_strdup(a, e->names[k]) : NULL;
		*n = e->deadline_n;
		*hours = e->hours;
	}
	pthread_mutex_unlock(&memo_lock);
	return hit;
}

static void memo_put(uint64_t store, const int64_t *versions, int64_t topic_id,
                     int64_t territory_id, int64_t at, int64_t n, bool hours,
                     const struct routed *r)
{
	char *reason = xstrdup(r->rr.reason ? r->rr.reason : "");
	char *names[4];
	for (int k = 0; k < 4; k++)
		names[k] = r->names[k] ? xstrdup(r->names[k]) : NULL;
	struct memo_entry *e = &memo[memo_slot(topic_id, territory_id, at)];
	pthread_mutex_lock(&memo_lock);
	struct memo_entry old = *e;
	*e = (struct memo_entry){.store = store,
	                         .topic_id = topic_id,
	                         .territory_id = territory_id,
	                         .at = at,
	                         .category_id = r->category_id,
	                         .org_id = r->rr.org_id,
	                         .rule_id = r->rr.rule_id,
	                         .route_territory_id = r->rr.territory_id,
	                         .reason = reason,
	                         .deadline_n = n,
	                         .hours = hours};
	memcpy(e->versions, versions, sizeof(e->versions));
	memcpy(e->names, names, sizeof(names));
	pthread_mutex_unlock(&memo_lock);
	free(old.reason);
	for (int k = 0; k < 4; k++)
		free(old.names[k]);
}

/* The topic's state, the route and the deadline of a new appeal, as of `versions` (read by the
 * caller on the same connection), from the memo when it knows them. */
static int route_new(struct store_conn *c, struct arena *a, const struct appeal *ap,
                     const int64_t *versions, int64_t now, struct routed *out, struct problem *p)
{
	memset(out, 0, sizeof(*out));
	uint64_t store = store_serial(store_conn_store(c));
	int64_t at = 0;
	int rc =
	    ap->has_point ? registry_territory_at(c, a, ap->lat, ap->lon, versions[0], &at) : 0;
	if (rc)
		return rc;
	int64_t n = 0;
	bool hours = false;
	if (!memo_get(store, versions, ap->topic_id, ap->territory_id, at, a, &n, &hours, out)) {
		bool active = false;
		rc = store_topic_state(c, ap->topic_id, &out->category_id, &active);
		if (rc == ERR_NOTFOUND)
			return fail(p, ERR_VALIDATION, "Тема не найдена", "topic_id");
		if (!rc && !active)
			return fail(p, ERR_VALIDATION, "Эта тема больше не принимает обращений",
			            "topic_id");
		if (!rc)
			rc = route_rule(c, a, ap, &out->rr, &n, &hours, p);
		if (!rc)
			rc = registry_names(c, a, ap->topic_id, out);
		if (rc)
			return rc;
		memo_put(store, versions, ap->topic_id, ap->territory_id, at, n, hours, out);
	}
	return deadline_due_by(c, n, hours, now, &out->deadline_at);
}

int appeal_submit_write(struct store_conn *c, void *arg)
{
	struct submit_job *j = arg;
	struct appeal ap = j->ap; /* a copy: a re-run starts from the same input */
	j->id = 0;
	struct route_result rr = j->rr;
	ap.deadline_at = j->deadline_at;
	int64_t v[STORE_VERSIONS];
	int rc = store_routing_versions(c, v);
	if (rc)
		return rc;
	bool same = j->pre_ok && !memcmp(v, j->versions, STORE_ROUTING_VERSIONS * sizeof(*v));
	if (!same) {
		/* the registry, calendar or deadlines changed since the pre-routing (or it read a
		 * copy of the versions kept a moment): all of it again, as of this transaction —
		 * the topic's state and category too */
		struct routed routed;
		rc = route_new(c, j->a, &ap, v, j->now, &routed, j->p);
		if (rc)
			return rc;
		ap.category_id = routed.category_id;
		rr = routed.rr;
		ap.deadline_at = routed.deadline_at;
		memcpy(j->names, routed.names, sizeof(j->names));
	}
	ap.territory_id = rr.territory_id;
	ap.org_id = rr.org_id;
	ap.status = rr.org_id ? AS_ROUTED : AS_SUBMITTED;
	/* each submission of the batch inserts one appeal and one event: their ids at once, so
	 * that no insert of the batch waits for its id */
	rc = store_ids_reserve_batch(c, "appeals");
	if (!rc)
		rc = store_ids_reserve_batch(c, "appeal_events");
	if (rc)
		return rc;
	int64_t id = 0;
	rc = store_appeal_insert(c, &ap, j->search, appeal_day(j->now), &id);
	if (rc)
		return rc;
	ap.id = id;
	if (ap.author_id) {
		rc = store_appeal_author_add(c, id, ap.author_id, "author", j->now);
		if (rc)
			return rc;
	}
	struct appeal_route_row route = {
	    .appeal_id = id,
	    .at = j->now,
	    .to_org_id = rr.org_id,
	    .rule_id = rr.rule_id,
	    .kind = rr.org_id ? "auto" : "triage",
	    .reason = rr.reason,
	};
	rc = store_appeal_route_insert(c, &route);
	if (rc)
		return rc;
	if (j->nattachments) {
		int64_t linked = 0;
		rc = store_attachments_claim(c, j->attachment_ids, j->nattachments,
		                             j->who ? j->who->user_id : 0,
		                             j->who ? j->who->apikey_id : 0, id, 0, 0, &linked);
		if (rc)
			return rc;
		if (linked != (int64_t)j->nattachments)
			return fail(j->p, ERR_VALIDATION,
			            "Вложение не найдено, уже использовано или загружено не вами",
			            "attachment_ids");
	}
	if (j->extra) {
		rc = j->extra(c, id, j->extra_arg);
		if (rc)
			return rc;
	}
	int64_t event_id = 0;
	rc = appeal_event_add(c, j->who, id, "submitted", -1, (int)ap.status, true, NULL, NULL,
	                      j->now, &event_id);
	if (rc)
		return rc;
	json_t *after = audit_after(&ap);
	rc = audit_record(c, j->who, "appeal.submit", "appeal", id, NULL, after);
	json_decref(after);
	if (rc)
		return rc;
	struct notify_event ev = {
	    .id = event_id,
	    .appeal_id = id,
	    .actor_user_id = j->who ? j->who->user_id : 0,
	    .at = j->now,
	    .kind = "submitted",
	    .status_to = appeal_status_name(ap.status),
	    .public = true,
	    .fresh = true,
	    .webhooks_version = v[3],
	    .grants_version = v[4],
	};
	ap.version = 1;
	rc = notify_appeal_event_of(c, j->a, &ev, &ap, j->now);
	if (rc)
		return rc;
	j->id = id;
	j->event_id = event_id;
	j->route_kind = route.kind;
	j->route_reason = route.reason;
	j->out = ap;
	return 0;
}

int appeal_submit_prepare(struct store *s, struct arena *a, const struct actor *who,
                          const struct appeal_input *in, struct problem *p, struct submit_job **out)
{
	p->message = NULL;
	p->field = NULL;
	bool is_key = who && who->apikey_id;
	bool is_user = who && who->user_id;
	bool internal = false;
	const char *channel = in->channel ? in->channel : is_key ? "api" : "web";
	if (!channel_known(channel))
		return fail(p, ERR_VALIDATION,
		            "Неизвестный канал: ожидается web, widget, api или operator",
		            "channel");
	internal = !strcmp(channel, "open311") || !strcmp(channel, "import");
	if (!internal && !is_user && !is_key)
		return fail(p, ERR_FORBIDDEN, "Войдите, чтобы подать обращение", NULL);
	bool is_operator = who && (who->roles & ROLE_OPERATOR);
	bool has_person =
	    (in->person_name && *in->person_name) || (in->person_contact && *in->person_contact);
	if (!strcmp(channel, "operator") && !is_operator)
		return fail(p, ERR_FORBIDDEN, "Канал operator доступен только операторам",
		            "channel");
	if (has_person && !is_operator && !is_key && !internal)
		return fail(p, ERR_FORBIDDEN,
		            "Данные заявителя (person) указывает только оператор или интеграция",
		            "person");

	/* text */
	if (!in->text || !utf8_clean_text(in->text, in->text_len))
		return fail(p, ERR_VALIDATION,
		            "Текст обращения содержит недопустимые символы или неверную кодировку",
		            "text");
	size_t tn = in->text_len;
	const char *text = trim(in->text, &tn);
	if (!tn)
		return fail(p, ERR_VALIDATION, "Напишите текст обращения", "text");
	if (utf8_len(text, tn) > APPEAL_TEXT_MAX)
		return fail(p, ERR_VALIDATION, "Текст обращения — не длиннее 4000 символов",
		            "text");

	/* topic */
	if (in->topic_id <= 0)
		return fail(p, ERR_VALIDATION, "Выберите тему обращения", "topic_id");
	/* point and territory */
	if (in->has_point) {
		if (!isfinite(in->lat) || in->lat < -90 || in->lat > 90)
			return fail(p, ERR_VALIDATION, "Широта должна быть от -90 до 90", "lat");
		if (!isfinite(in->lon) || in->lon < -180 || in->lon > 180)
			return fail(p, ERR_VALIDATION, "Долгота должна быть от -180 до 180", "lon");
	}
	if (in->territory_id < 0)
		return fail(p, ERR_VALIDATION, "Неверная территория", "territory_id");
	if (!in->territory_id && !in->has_point)
		return fail(p, ERR_VALIDATION, "Укажите территорию или точку на карте",
		            "territory_id");

	struct appeal ap;
	memset(&ap, 0, sizeof(ap));
	ap.rating_solved = -1;
	int rc = short_text(a, in->address, ADDRESS_MAX, "address", "Адрес", &ap.address, p);
	if (!rc)
		rc = short_text(a, in->person_name, PERSON_MAX, "person.name", "Имя заявителя",
		                &ap.person_name, p);
	if (!rc)
		rc = short_text(a, in->person_contact, PERSON_MAX, "person.contact",
		                "Контакт заявителя", &ap.person_contact, p);
	if (!rc)
		rc = short_text(a, in->external_id, EXTERNAL_MAX, "external_id", "Внешний номер",
		                &ap.external_id, p);
	if (rc)
		return rc;
	if (!strcmp(channel, "operator") && !ap.person_name)
		return fail(p, ERR_VALIDATION, "Укажите имя заявителя", "person.name");
	if (in->nattachments > APPEAL_MAX_ATTACHMENTS)
		return fail(p, ERR_VALIDATION, "Не больше 10 вложений", "attachment_ids");
	for (size_t i = 0; i < in->nattachments; i++) {
		if (in->attachment_ids[i] <= 0)
			return fail(p, ERR_VALIDATION, "Неверный номер вложения", "attachment_ids");
		for (size_t k = 0; k < i; k++)
			if (in->attachment_ids[k] == in->attachment_ids[i])
				return fail(p, ERR_VALIDATION, "Вложение указано дважды",
				            "attachment_ids");
	}

	/* routing and the deadline here, in parallel with other requests, rather than on the one
	 * writer (appeal_submit_write only checks that nothing they depend on changed meanwhile) */
	int64_t now = clock_now_ms();
	struct submit_job *j = arena_alloc(a, sizeof(*j));
	ap.topic_id = in->topic_id;
	ap.territory_id = in->territory_id;
	ap.has_point = in->has_point;
	ap.lat = in->has_point ? in->lat : NAN;
	ap.lon = in->has_point ? in->lon : NAN;
	struct store_conn *c;
	rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct routed routed;
	rc = store_routing_versions(c, j->versions);
	if (!rc)
		rc = route_new(c, a, &ap, j->versions, now, &routed, p);
	store_conn_put(s, c);
	if (rc)
		return rc;
	int64_t category_id = routed.category_id;
	j->rr = routed.rr;
	j->deadline_at = routed.deadline_at;
	j->pre_ok = true;

	char token[APPEAL_TOKEN_SIZE];
	appeal_token_new(token, now);

	ap.token = arena_strdup(a, token);
	ap.channel = arena_strdup(a, channel);
	bool entered_for = !strcmp(channel, "operator") || ap.person_name || ap.person_contact;
	if (is_key)
		ap.apikey_id = who->apikey_id;
	else if (is_user && entered_for)
		ap.operator_id = who->user_id;
	else if (is_user)
		ap.author_id = who->user_id;
	ap.category_id = category_id;
	ap.text = arena_strndup(a, text, tn);
	ap.created_at = ap.updated_at = now;

	const char *blob = ap.address ? arena_printf(a, "%s %s", ap.text, ap.address) : ap.text;
	j->a = a;
	j->who = who;
	j->ap = ap;
	j->search = fold_text(a, blob, strlen(blob));
	j->attachment_ids = in->attachment_ids;
	j->nattachments = in->nattachments;
	j->extra = in->extra;
	j->extra_arg = in->extra_arg;
	j->now = now;
	j->p = p;
	memcpy(j->names, routed.names, sizeof(j->names));
	j->created = in->created;
	*out = j;
	return 0;
}

int appeal_submit_finish(struct submit_job *j, int rc, struct appeal *out)
{
	struct problem *p = j->p;
	if (rc) {
		if (!p->message && rc == ERR_CONFLICT)
			return fail(p, ERR_VALIDATION, "Неверная ссылка в обращении", NULL);
		return rc;
	}
	assist_appeal_added(j->id);
	*out = j->out;
	if (j->created)
		*j->created = (struct appeal_created){.event_id = j->event_id,
		                                      .route_kind = j->route_kind,
		                                      .route_reason = j->route_reason,
		                                      .topic_name = j->names[0],
		                                      .category_name = j->names[1],
		                                      .territory_name = j->names[2],
		                                      .org_name = j->names[3]};
	return 0;
}

int appeal_submit(struct store *s, struct arena *a, const struct actor *who,
                  const struct appeal_input *in, struct appeal *out, struct problem *p)
{
	struct submit_job *j;
	int rc = appeal_submit_prepare(s, a, who, in, p, &j);
	if (rc)
		return rc;
	return appeal_submit_finish(j, store_write(s, appeal_submit_write, j), out);
}

/* --- joining ("me too") ----------------------------------------------------------------- */

struct join_job {
	struct arena *a;
	const struct actor *who;
	int64_t id, now;
	struct problem *p;
};

static int join_fn(struct store_conn *c, void *arg)
{
	struct join_job *j = arg;
	struct appeal ap;
	int rc = appeal_load(c, j->a, j->id, &ap);
	if (rc == ERR_NOTFOUND)
		return fail(j->p, ERR_NOTFOUND, "Обращение не найдено", NULL);
	if (rc)
		return rc;
	if (!appeal_status_open(ap.status))
		return fail(j->p, ERR_CONFLICT,
		            "Обращение уже закрыто: присоединиться можно только к открытому", NULL);
	const char *kind = NULL;
	rc = store_appeal_author_kind(c, j->a, ap.id, j->who->user_id, &kind);
	if (rc)
		return rc;
	if (kind || ap.author_id == j->who->user_id)
		return fail(j->p, ERR_CONFLICT, "Вы уже автор или соавтор этого обращения", NULL);
	rc = store_appeal_author_add(c, ap.id, j->who->user_id, "coauthor", j->now);
	if (rc == ERR_CONFLICT)
		return fail(j->p, ERR_CONFLICT, "Вы уже автор или соавтор этого обращения", NULL);
	if (rc)
		return rc;
	int64_t event_id = 0;
	rc = appeal_event_add(c, j->who, ap.id, "joined", -1, -1, false, NULL, NULL, j->now,
	                      &event_id);
	if (rc)
		return rc;
	json_t *after = json_pack("{s:I}", "coauthor_id", (json_int_t)j->who->user_id);
	rc = audit_record(c, j->who, "appeal.join", "appeal", ap.id, NULL, after);
	json_decref(after);
	if (rc)
		return rc;
	return notify_appeal_event(c, j->a, event_id, j->now);
}

int appeal_join(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                struct problem *p)
{
	p->message = NULL;
	p->field = NULL;
	if (!who || !who->user_id)
		return fail(p, ERR_FORBIDDEN,
		            "Присоединиться может только пользователь с учётной записью", NULL);
	struct join_job j = {.a = a, .who = who, .id = id, .now = clock_now_ms(), .p = p};
	return store_write(s, join_fn, &j);
}
