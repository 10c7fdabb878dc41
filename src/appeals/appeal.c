/* appeal.c: statuses, the transition table, rights, timeline events and the one way an
 * appeal changes (appeal_apply: row, event, audit and notifications in one write job). */
#include "appeals/appeal.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/err.h"
#include "core/utf8.h"
#include "notify/notify.h"
#include "store/appeals.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[AS__COUNT] = {
    [AS_SUBMITTED] = "submitted",         [AS_ROUTED] = "routed",
    [AS_REDIRECTED] = "redirected",       [AS_IN_PROGRESS] = "in_progress",
    [AS_CLARIFICATION] = "clarification", [AS_CLARIFIED] = "clarified",
    [AS_APPROVAL] = "approval",           [AS_ANSWERED] = "answered",
    [AS_REREVIEW] = "rereview",           [AS_CLOSED] = "closed",
    [AS_REJECTED] = "rejected",           [AS_MERGED] = "merged",
};

/* Russian names for the explanations of refused transitions. */
static const char *const status_ru[AS__COUNT] = {
    [AS_SUBMITTED] = "«на распределении»",
    [AS_ROUTED] = "«направлено исполнителю»",
    [AS_REDIRECTED] = "«перенаправлено»",
    [AS_IN_PROGRESS] = "«в работе»",
    [AS_CLARIFICATION] = "«запрошено уточнение»",
    [AS_CLARIFIED] = "«уточнено»",
    [AS_APPROVAL] = "«ответ на согласовании»",
    [AS_ANSWERED] = "«дан ответ»",
    [AS_REREVIEW] = "«повторное рассмотрение»",
    [AS_CLOSED] = "«закрыто»",
    [AS_REJECTED] = "«отклонено»",
    [AS_MERGED] = "«объединено с другим обращением»",
};

const char *const appeal_reject_reasons[] = {"abusive",  "not_an_appeal", "no_content",
                                             "repeated", "not_competent", NULL};

void appeal_token_new(char out[APPEAL_TOKEN_SIZE], int64_t now_ms)
{
	unsigned char raw[16];
	uint64_t t = (uint64_t)now_ms & 0xFFFFFFFFFFFFu;
	for (int i = 0; i < 6; i++)
		raw[i] = (unsigned char)(t >> (8 * (5 - i)));
	randombytes_buf(raw + 6, sizeof(raw) - 6);
	sodium_bin2hex(out, APPEAL_TOKEN_SIZE, raw, sizeof(raw));
}

const char *appeal_status_name(enum appeal_status s)
{
	return (unsigned)s < AS__COUNT ? status_names[s] : "unknown";
}

int appeal_status_parse(const char *name, enum appeal_status *out)
{
	for (int i = 0; name && i < AS__COUNT; i++)
		if (!strcmp(name, status_names[i])) {
			*out = (enum appeal_status)i;
			return 0;
		}
	return ERR_INVALID;
}

bool appeal_status_open(enum appeal_status s)
{
	return s != AS_ANSWERED && s != AS_CLOSED && s != AS_REJECTED && s != AS_MERGED;
}

/* --- the transition table -------------------------------------------------------------- */

#define S(x) (1u << (x))
#define OPEN_MASK                                                                                  \
	(S(AS_SUBMITTED) | S(AS_ROUTED) | S(AS_REDIRECTED) | S(AS_IN_PROGRESS) |                   \
	 S(AS_CLARIFICATION) | S(AS_CLARIFIED) | S(AS_APPROVAL) | S(AS_REREVIEW))
#define ALL_MASK ((1u << AS__COUNT) - 1)
#define WORK     (AR_EXECUTOR | AR_SUPERVISOR | AR_ADMIN)
#define SUPER    (AR_SUPERVISOR | AR_ADMIN)

struct transition {
	const char *action;
	unsigned from; /* status mask */
	unsigned rights;
};

static const struct transition transitions[] = {
    {"route", S(AS_SUBMITTED), AR_COORDINATOR | AR_ADMIN},
    {"start", S(AS_ROUTED) | S(AS_REDIRECTED), WORK},
    {"assign", OPEN_MASK, WORK},
    {"redirect", S(AS_ROUTED) | S(AS_REDIRECTED) | S(AS_IN_PROGRESS) | S(AS_CLARIFIED),
     WORK | AR_COORDINATOR},
    {"notes", ALL_MASK, AR_STAFF},
    {"answer_interim", S(AS_IN_PROGRESS) | S(AS_CLARIFIED), WORK},
    {"answer_final", S(AS_IN_PROGRESS) | S(AS_CLARIFIED), WORK},
    {"answer_final", S(AS_REREVIEW), SUPER},
    {"approve", S(AS_APPROVAL), SUPER},
    {"return", S(AS_APPROVAL) | S(AS_REREVIEW), SUPER},
    {"clarification", S(AS_IN_PROGRESS) | S(AS_CLARIFIED), WORK},
    {"clarify", S(AS_CLARIFICATION), AR_AUTHOR | AR_OPERATOR},
    {"extend", OPEN_MASK & ~S(AS_CLARIFICATION), WORK},
    {"reject",
     S(AS_SUBMITTED) | S(AS_ROUTED) | S(AS_REDIRECTED) | S(AS_IN_PROGRESS) | S(AS_CLARIFIED),
     WORK | AR_COORDINATOR},
    {"merge", OPEN_MASK & ~S(AS_APPROVAL), WORK | AR_COORDINATOR},
    {"rating", S(AS_ANSWERED), AR_AUTHOR},
    {"rereview", S(AS_REREVIEW), SUPER},
};
#define NTRANS (sizeof(transitions) / sizeof(transitions[0]))

int appeal_action_check(const char *action, enum appeal_status st, unsigned rights, struct arena *a,
                        const char **why)
{
	bool known = false, may = false;
	for (size_t i = 0; i < NTRANS; i++) {
		const struct transition *t = &transitions[i];
		if (strcmp(t->action, action))
			continue;
		known = true;
		if (!(t->rights & rights))
			continue;
		may = true;
		if (t->from & S(st))
			return 0;
	}
	if (!known)
		return ERR_NOTFOUND;
	if (!may)
		return ERR_FORBIDDEN;
	if (why) {
		const char *allowed = "";
		for (size_t i = 0; i < NTRANS && a; i++)
			if ((transitions[i].rights & rights) && (transitions[i].from & S(st)) &&
			    !strstr(allowed, transitions[i].action))
				allowed = arena_printf(a, "%s%s%s", allowed, *allowed ? ", " : "",
				                       transitions[i].action);
		*why = a ? arena_printf(
		               a, "Действие %s невозможно в статусе %s; доступные действия: %s",
		               action, status_ru[st], *allowed ? allowed : "нет")
		         : "Действие невозможно в текущем статусе";
	}
	return ERR_CONFLICT;
}

json_t *appeal_allowed_actions(const struct appeal *ap, unsigned rights, const struct actor *who)
{
	json_t *out = json_array();
	for (size_t i = 0; i < NTRANS; i++) {
		const struct transition *t = &transitions[i];
		if (!(t->rights & rights) || !(t->from & S(ap->status)))
			continue;
		if (!strcmp(t->action, "extend") && ap->extended)
			continue;
		bool dup = false;
		size_t k;
		json_t *v;
		json_array_foreach(out, k, v) if (!strcmp(json_string_value(v), t->action)) dup =
		    true;
		if (!dup)
			json_array_append_new(out, json_string(t->action));
	}
	/* "me too": any citizen account that is not already an author (staff working it are not
	 * offered to join) */
	if (who && who->user_id && appeal_status_open(ap->status) &&
	    !(rights & (AR_AUTHOR | AR_COAUTHOR | AR_STAFF)))
		json_array_append_new(out, json_string("join"));
	return out;
}

/* --- loading and rights ----------------------------------------------------------------- */

int appeal_load(struct store_conn *c, struct arena *a, int64_t id, struct appeal *out)
{
	return store_appeal_load(c, a, id, out);
}

int appeal_rights(struct store_conn *c, const struct actor *who, const struct appeal *ap,
                  unsigned *rights)
{
	unsigned r = 0;
	*rights = 0;
	if (!who)
		return 0;
	if (who->roles & ROLE_ADMIN)
		r |= AR_ADMIN;
	/* an integration acts for the person it entered the appeal for */
	if (who->apikey_id && ap->apikey_id == who->apikey_id)
		r |= AR_OPERATOR;
	if (who->user_id) {
		struct arena tmp;
		arena_init(&tmp, 256);
		const char *kind = NULL;
		int rc = store_appeal_author_kind(c, &tmp, ap->id, who->user_id, &kind);
		if (!rc && kind)
			r |= !strcmp(kind, "author") ? AR_AUTHOR : AR_COAUTHOR;
		arena_release(&tmp);
		if (rc)
			return rc;
		if (ap->operator_id == who->user_id)
			r |= AR_OPERATOR;
	}
	if (ap->org_id) {
		for (size_t i = 0; i < who->ngrants; i++)
			if (who->grants[i].role == ROLE_EXECUTOR &&
			    who->grants[i].org_id == ap->org_id)
				r |= AR_EXECUTOR;
		if (who->roles & ROLE_SUPERVISOR) {
			bool ok = false;
			int rc = perm_org_scope(c, who, ROLE_SUPERVISOR, ap->org_id, &ok);
			if (rc)
				return rc;
			if (ok)
				r |= AR_SUPERVISOR;
		}
	}
	if ((who->roles & ROLE_COORDINATOR) && ap->territory_id) {
		bool ok = false;
		int rc = perm_territory_scope(c, who, ROLE_COORDINATOR, ap->territory_id, &ok);
		if (rc)
			return rc;
		if (ok)
			r |= AR_COORDINATOR;
	}
	/* perm_* pass admins everywhere; keep the admin bit separate from the role bits */
	if (!(who->roles & ROLE_SUPERVISOR))
		r &= ~(unsigned)AR_SUPERVISOR;
	if (!(who->roles & ROLE_COORDINATOR))
		r &= ~(unsigned)AR_COORDINATOR;
	*rights = r;
	return 0;
}

/* --- events and changes ----------------------------------------------------------------- */

int appeal_event_add(struct store_conn *c, const struct actor *who, int64_t appeal_id,
                     const char *kind, int status_from, int status_to, bool public,
                     const char *text, json_t *data, int64_t at, int64_t *event_id)
{
	char *d = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct appeal_event_row e = {
	    .appeal_id = appeal_id,
	    .actor_user_id = who ? who->user_id : 0,
	    .actor_apikey_id = who ? who->apikey_id : 0,
	    .at = at,
	    .kind = kind,
	    .status_from =
	        status_from >= 0 ? appeal_status_name((enum appeal_status)status_from) : NULL,
	    .status_to = status_to >= 0 ? appeal_status_name((enum appeal_status)status_to) : NULL,
	    .text = text,
	    .data = d,
	    .public = public,
	};
	int rc = store_appeal_event_insert(c, &e, event_id);
	free(d);
	return rc;
}

static json_t *audit_state(const struct appeal *ap)
{
	return json_pack(
	    "{s:s,s:o,s:o,s:o,s:o}", "status", appeal_status_name(ap->status), "org_id",
	    ap->org_id ? json_integer(ap->org_id) : json_null(), "assignee_id",
	    ap->assignee_id ? json_integer(ap->assignee_id) : json_null(), "deadline_at",
	    ap->deadline_at ? json_integer(ap->deadline_at) : json_null(), "topic_id",
	    json_integer(ap->topic_id));
}

int appeal_apply(struct store_conn *c, struct arena *a, const struct actor *who,
                 const struct appeal *before, const struct appeal *after,
                 const struct appeal_change *ch, int64_t now, int64_t *event_id)
{
	int rc = store_appeal_update(c, before, after, now);
	if (rc == ERR_CONFLICT)
		return ERR_CONFLICT;
	if (rc)
		return rc;
	int64_t eid = 0;
	bool moved = before->status != after->status;
	rc = appeal_event_add(c, who, after->id, ch->kind, moved ? (int)before->status : -1,
	                      moved ? (int)after->status : -1, ch->public, ch->text, ch->data, now,
	                      &eid);
	if (rc)
		return rc;
	json_t *b = audit_state(before), *af = audit_state(after);
	char action[64];
	snprintf(action, sizeof(action), "appeal.%s", ch->kind);
	rc = audit_record(c, who, action, "appeal", after->id, b, af);
	json_decref(b);
	json_decref(af);
	if (rc)
		return rc;
	rc = notify_appeal_event(c, a, eid, now);
	if (!rc && event_id)
		*event_id = eid;
	return rc;
}

/* --- JSON ------------------------------------------------------------------------------- */

static json_t *opt_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *appeal_brief_json(const struct appeal *ap)
{
	const char *text = ap->text ? ap->text : "";
	size_t cut = utf8_prefix(text, strlen(text), 300); /* characters, not bytes */
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(ap->id));
	json_object_set_new(o, "status", json_string(appeal_status_name(ap->status)));
	json_object_set_new(o, "channel", json_string(ap->channel ? ap->channel : ""));
	json_object_set_new(o, "topic_id", json_integer(ap->topic_id));
	json_object_set_new(o, "category_id", json_integer(ap->category_id));
	json_object_set_new(o, "territory_id", json_integer(ap->territory_id));
	json_object_set_new(o, "org_id", opt_int(ap->org_id));
	json_object_set_new(o, "assignee_id", opt_int(ap->assignee_id));
	json_object_set_new(o, "text", json_stringn(text, cut));
	json_object_set_new(o, "address", opt_str(ap->address));
	json_object_set_new(o, "lat", ap->has_point ? json_real(ap->lat) : json_null());
	json_object_set_new(o, "lon", ap->has_point ? json_real(ap->lon) : json_null());
	json_object_set_new(o, "created_at", json_integer(ap->created_at));
	json_object_set_new(o, "deadline_at", opt_int(ap->deadline_at));
	json_object_set_new(o, "overdue", json_boolean(ap->overdue));
	json_object_set_new(o, "extended", json_boolean(ap->extended));
	json_object_set_new(o, "paused", json_boolean(ap->paused_at != 0));
	json_object_set_new(o, "problem_id", opt_int(ap->problem_id));
	return o;
}

/* --- time ------------------------------------------------------------------------------- */

int appeal_tz_offset_min(void)
{
	static int cached = -100000;
	if (cached == -100000) {
		const char *e = getenv("OTKLIK_TZ_OFFSET_MIN");
		long v = e && *e ? strtol(e, NULL, 10) : 180;
		cached = v >= -720 && v <= 840 ? (int)v : 180;
	}
	return cached;
}

int64_t appeal_day(int64_t ms)
{
	int64_t local = ms + (int64_t)appeal_tz_offset_min() * 60000;
	int64_t d = local / 86400000;
	if (local < 0 && local % 86400000)
		d--;
	return d;
}
