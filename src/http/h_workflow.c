/* h_workflow.c: the workflow actions on one appeal (POST /api/appeals/{id}/<action>): strict
 * JSON bodies per action, then appeals/workflow.c; every reply is the full appeal. */
#include "http/handlers.h"
#include "appeals/workflow.h"
#include "core/err.h"

#include <string.h>

/* The fields each action's body may have (NULL-terminated). */
struct action_fields {
	const char *segment;
	const char *fields[4];
};

static const struct action_fields actions[] = {
    {"route", {"org_id", "topic_id", "comment", NULL}},
    {"start", {NULL}},
    {"assign", {"user_id", NULL}},
    {"redirect", {"org_id", "reason", NULL}},
    {"notes", {"text", NULL}},
    {"answers", {"kind", "text", "attachment_ids", NULL}},
    {"approve", {"comment", NULL}},
    {"return", {"comment", NULL}},
    {"clarification", {"text", NULL}},
    {"clarify", {"text", "attachment_ids", NULL}},
    {"extend", {"days", "reason", NULL}},
    {"reject", {"reason", "comment", NULL}},
    {"merge", {"into_id", NULL}},
    {"rating", {"score", "solved", "comment", NULL}},
    {"rereview", {"decision", "comment", NULL}},
};

static int type_fail(struct req *r, const char *field, const char *what)
{
	return http_fail(r, ERR_VALIDATION,
	                 arena_printf(r->a, "Поле %s: ожидается %s", field, what), field);
}

/* Reads an optional string field (null = absent). */
static int get_str(struct req *r, json_t *in, const char *field, const char **out)
{
	json_t *v = json_object_get(in, field);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return type_fail(r, field, "строка");
	*out = arena_strndup(r->a, json_string_value(v), json_string_length(v));
	if (strlen(*out) != json_string_length(v))
		return http_fail(r, ERR_VALIDATION, "Текст содержит недопустимые символы", field);
	return 0;
}

/* Reads an optional integer field into *out (absent or null leaves it; *present tells). */
static int get_int(struct req *r, json_t *in, const char *field, int64_t min, int64_t max,
                   int64_t *out, bool *present)
{
	json_t *v = json_object_get(in, field);
	if (present)
		*present = v != NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return type_fail(r, field, "целое число");
	json_int_t x = json_integer_value(v);
	if (x < min || x > max)
		return http_fail(r, ERR_VALIDATION,
		                 arena_printf(r->a, "Поле %s: от %lld до %lld", field,
		                              (long long)min, (long long)max),
		                 field);
	*out = x;
	return 0;
}

static int parse(struct req *r, const char *segment, json_t *in, struct workflow_input *w)
{
	const struct action_fields *af = NULL;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(actions[i].segment, segment))
			af = &actions[i];
	if (!af)
		return http_fail(r, ERR_NOTFOUND, "Нет такого действия", NULL);
	const char *key;
	json_t *val;
	json_object_foreach(in, key, val)
	{
		bool known = false;
		for (size_t i = 0; af->fields[i]; i++)
			known |= !strcmp(af->fields[i], key);
		if (!known)
			return http_fail(r, ERR_INVALID,
			                 arena_printf(r->a, "Неизвестное поле «%s»", key), NULL);
	}
	w->action = segment;
	w->solved = -1;
	int rc;
	bool present = false;
	if ((rc = get_int(r, in, "org_id", 0, INT64_MAX, &w->org_id, &present)) ||
	    (rc = get_int(r, in, "topic_id", 1, INT64_MAX, &w->topic_id, NULL)) ||
	    (rc = get_int(r, in, "user_id", 1, INT64_MAX, &w->user_id, NULL)) ||
	    (rc = get_int(r, in, "into_id", 1, INT64_MAX, &w->into_id, NULL)))
		return rc;
	if (!strcmp(segment, "redirect") && !present)
		return http_fail(r, ERR_VALIDATION,
		                 "Укажите организацию (или null — вернуть на распределение)",
		                 "org_id");
	int64_t days = 0, score = 0;
	if ((rc = get_int(r, in, "days", INT32_MIN, INT32_MAX, &days, NULL)) ||
	    (rc = get_int(r, in, "score", INT32_MIN, INT32_MAX, &score, NULL)))
		return rc;
	w->days = (int)days;
	w->score = (int)score;
	json_t *solved = json_object_get(in, "solved");
	if (solved && !json_is_null(solved)) {
		if (!json_is_boolean(solved))
			return type_fail(r, "solved", "true или false");
		w->solved = json_is_true(solved) ? 1 : 0;
	}
	if ((rc = get_str(r, in, "text", &w->text)) ||
	    (rc = get_str(r, in, "comment", &w->comment)) ||
	    (rc = get_str(r, in, "reason", &w->reason)) ||
	    (rc = get_str(r, in, "decision", &w->decision)))
		return rc;
	json_t *att = json_object_get(in, "attachment_ids");
	if (att && !json_is_null(att)) {
		if (!json_is_array(att))
			return type_fail(r, "attachment_ids", "массив идентификаторов");
		if (json_array_size(att) > APPEAL_MAX_ATTACHMENTS)
			return http_fail(
			    r, ERR_VALIDATION,
			    arena_printf(r->a, "Не больше %d вложений", APPEAL_MAX_ATTACHMENTS),
			    "attachment_ids");
		size_t i;
		json_t *v;
		json_array_foreach(att, i, v)
		{
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				return type_fail(r, "attachment_ids", "массив идентификаторов");
			for (size_t k = 0; k < w->nattachments; k++)
				if (w->attachment_ids[k] == json_integer_value(v))
					return http_fail(r, ERR_VALIDATION,
					                 "Вложение указано дважды",
					                 "attachment_ids");
			w->attachment_ids[w->nattachments++] = json_integer_value(v);
		}
	}
	if (!strcmp(segment, "answers")) {
		const char *kind = NULL;
		if ((rc = get_str(r, in, "kind", &kind)))
			return rc;
		if (kind && !strcmp(kind, "interim"))
			w->action = "answer_interim";
		else if (kind && !strcmp(kind, "final"))
			w->action = "answer_final";
		else
			return http_fail(r, ERR_VALIDATION, "Вид ответа: interim или final",
			                 "kind");
	}
	/* required fields whose absence the domain cannot tell from a zero */
	if (!strcmp(segment, "extend") && !json_object_get(in, "days"))
		return http_fail(r, ERR_VALIDATION, "Укажите, на сколько рабочих дней продлить",
		                 "days");
	if (!strcmp(segment, "rating") && !json_object_get(in, "score"))
		return http_fail(r, ERR_VALIDATION, "Поставьте оценку от 1 до 5", "score");
	return 0;
}

int h_appeal_action(struct req *r)
{
	struct workflow_input w = {0};
	int rc = http_param_id(r, 0, &w.appeal_id);
	if (rc)
		return rc;
	const char *segment = strrchr(r->path, '/');
	segment = segment ? segment + 1 : "";
	json_t *in = NULL;
	if (r->body_len == 0)
		in = json_object();
	else if ((rc = http_body_json(r, &in)))
		return rc;
	rc = parse(r, segment, in, &w);
	json_decref(in); /* strings were copied into the arena */
	if (rc)
		return rc;

	struct appeal ap;
	unsigned rights = 0;
	struct problem p = {0};
	rc = workflow_act(r->store, r->a, &r->actor, &w, &ap, &rights, &p);
	if (rc)
		return http_fail(r, rc, p.message, p.field);

	struct store_conn *c;
	if ((rc = store_conn_get(r->store, &c)))
		return rc;
	json_t *out = NULL;
	/* after a redirect the caller may no longer see the appeal: the staff view of what they
	 * just did, with no further actions */
	rc = appeal_detail_json(c, r->a, &r->actor, &ap, rights ? rights : AR_EXECUTOR, &out);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	if (!rights)
		json_object_set_new(out, "allowed_actions", json_array());
	bool created = !strcmp(segment, "notes") || !strcmp(segment, "answers");
	return http_json(r, created ? 201 : 200, out);
}
