/* h_appeals.c: appeal submission, lists and queues, the full appeal, attachments, joining. */
#include "http/handlers.h"
#include "appeals/attachment.h"
#include "appeals/query.h"
#include "appeals/submit.h"
#include "core/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int problem_fail(struct req *r, int rc, const struct problem *p)
{
	return http_fail(r, rc, p->message, p->field);
}

static int type_fail(struct req *r, const char *field, const char *what)
{
	return http_fail(r, ERR_VALIDATION,
	                 arena_printf(r->a, "Поле %s: ожидается %s", field, what), field);
}

/* An optional string member (null = absent); strings with NUL inside are refused. */
static int get_str(struct req *r, json_t *o, const char *key, const char *field, const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return type_fail(r, field, "строка");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return http_fail(r, ERR_VALIDATION, "Текст содержит недопустимые символы", field);
	*out = arena_strndup(r->a, json_string_value(v), json_string_length(v));
	return 0;
}

static int get_id(struct req *r, json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return type_fail(r, key, "положительное целое число");
	*out = json_integer_value(v);
	return 0;
}

static int get_num(struct req *r, json_t *o, const char *key, bool *has, double *out)
{
	json_t *v = json_object_get(o, key);
	*has = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return type_fail(r, key, "число");
	*out = json_number_value(v);
	*has = true;
	return 0;
}

static const char *const create_fields[] = {
    "topic_id", "text",   "territory_id", "address",        "lat", "lon",
    "channel",  "person", "external_id",  "attachment_ids", NULL,
};

static int parse_create(struct req *r, json_t *in, struct appeal_input *ai)
{
	const char *key;
	json_t *val;
	json_object_foreach(in, key, val)
	{
		bool known = false;
		for (size_t i = 0; create_fields[i]; i++)
			known |= !strcmp(create_fields[i], key);
		if (!known)
			return http_fail(r, ERR_INVALID,
			                 arena_printf(r->a, "Неизвестное поле «%s»", key), NULL);
	}
	int rc;
	json_t *t = json_object_get(in, "text");
	if (!t || json_is_null(t))
		return http_fail(r, ERR_VALIDATION, "Напишите текст обращения", "text");
	if (!json_is_string(t))
		return type_fail(r, "text", "строка");
	ai->text = json_string_value(t);
	ai->text_len = json_string_length(t);
	json_t *tp = json_object_get(in, "topic_id");
	if (!tp || json_is_null(tp))
		return http_fail(r, ERR_VALIDATION, "Выберите тему обращения", "topic_id");
	if ((rc = get_id(r, in, "topic_id", &ai->topic_id)) ||
	    (rc = get_id(r, in, "territory_id", &ai->territory_id)))
		return rc;
	bool has_lat, has_lon;
	if ((rc = get_num(r, in, "lat", &has_lat, &ai->lat)) ||
	    (rc = get_num(r, in, "lon", &has_lon, &ai->lon)))
		return rc;
	if (has_lat != has_lon)
		return http_fail(r, ERR_VALIDATION, "Укажите обе координаты: lat и lon",
		                 has_lat ? "lon" : "lat");
	ai->has_point = has_lat;
	if ((rc = get_str(r, in, "address", "address", &ai->address)) ||
	    (rc = get_str(r, in, "channel", "channel", &ai->channel)) ||
	    (rc = get_str(r, in, "external_id", "external_id", &ai->external_id)))
		return rc;
	if (ai->channel && (!strcmp(ai->channel, "open311") || !strcmp(ai->channel, "import")))
		return http_fail(r, ERR_VALIDATION,
		                 "Каналы open311 и import задаются только их собственными путями",
		                 "channel");
	json_t *person = json_object_get(in, "person");
	if (person && !json_is_null(person)) {
		if (!json_is_object(person))
			return type_fail(r, "person", "объект {name, contact}");
		json_object_foreach(
		    person, key,
		    val) if (strcmp(key, "name") &&
		             strcmp(key,
		                    "contact")) return http_fail(r, ERR_INVALID,
		                                                 arena_printf(
		                                                     r->a,
		                                                     "Неизвестное поле «person.%s»",
		                                                     key),
		                                                 NULL);
		if ((rc = get_str(r, person, "name", "person.name", &ai->person_name)) ||
		    (rc = get_str(r, person, "contact", "person.contact", &ai->person_contact)))
			return rc;
	}
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
		json_array_foreach(att, i, val)
		{
			if (!json_is_integer(val) || json_integer_value(val) < 1)
				return type_fail(r, "attachment_ids", "массив идентификаторов");
			ai->attachment_ids[ai->nattachments++] = json_integer_value(val);
		}
	}
	return 0;
}

/* What a submission keeps in the request's arena while its write is queued (http_defer). */
struct create_state {
	struct appeal_input ai;
	struct appeal_created cr;
	struct problem p;
	struct actor who;
	struct submit_job *job;
};

static int create_write(struct store_conn *c, void *arg)
{
	struct create_state *st = arg;
	return appeal_submit_write(c, st->job);
}

static int create_then(struct req *r, void *arg, int rc)
{
	struct create_state *st = arg;
	struct appeal ap;
	rc = appeal_submit_finish(st->job, rc, &ap);
	if (rc)
		return problem_fail(r, rc, &st->p);
	json_t *out;
	rc =
	    appeal_view_created(r->store, r->a, &r->actor, &ap, &st->cr, st->ai.nattachments, &out);
	if (rc)
		return rc;
	http_add_header(r, "Location", arena_printf(r->a, "/api/appeals/%lld", (long long)ap.id));
	return http_json(r, 201, out);
}

int h_appeal_create(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	struct create_state *st = arena_alloc(r->a, sizeof(*st));
	rc = parse_create(r, in, &st->ai);
	if (rc) {
		json_decref(in);
		return rc;
	}
	/* the strings point into `in`: copy the text before releasing it (prepare copies the
	 * others) */
	st->ai.text = arena_strndup(r->a, st->ai.text, st->ai.text_len);
	st->ai.created = &st->cr;
	st->who = r->actor;
	st->who.request_id = arena_strdup(r->a, r->request_id); /* r is gone when the job runs */
	rc = appeal_submit_prepare(r->store, r->a, &st->who, &st->ai, &st->p, &st->job);
	json_decref(in);
	if (rc)
		return problem_fail(r, rc, &st->p);
	/* the request thread goes on with other connections while the job waits for its batch */
	return http_defer(r, create_write, st, create_then);
}

/* An optional id query parameter: 422 with the field when malformed. */
static int query_id(struct req *r, const char *name, int64_t *out)
{
	int rc = http_query_int(r, name, 1, INT64_MAX, out);
	return rc ? ERR_VALIDATION : 0;
}

int h_appeal_list(struct req *r)
{
	struct appeal_list_params lp;
	memset(&lp, 0, sizeof(lp));
	int rc;
	if ((rc = query_id(r, "topic_id", &lp.topic_id)) ||
	    (rc = query_id(r, "category_id", &lp.category_id)) ||
	    (rc = query_id(r, "territory_id", &lp.territory_id)) ||
	    (rc = query_id(r, "org_id", &lp.org_id)) ||
	    (rc = query_id(r, "assignee_id", &lp.assignee_id)))
		return rc;
	if (http_query_int(r, "created_from", 0, INT64_MAX, &lp.created_from) ||
	    http_query_int(r, "created_to", 0, INT64_MAX, &lp.created_to) ||
	    http_query_int(r, "limit", 1, 100, &lp.limit) ||
	    http_query_int(r, "offset", 0, 100000000, &lp.offset))
		return ERR_VALIDATION;
	lp.queue = http_query(r, "queue");
	lp.status = http_query(r, "status");
	lp.sort = http_query(r, "sort");
	lp.q = http_query(r, "q");
	json_t *out;
	struct problem p = {0};
	rc = appeal_list(r->store, r->a, &r->actor, &lp, &out, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(r, 200, out);
}

int h_appeal_get(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	json_t *out;
	rc = appeal_view(r->store, r->a, &r->actor, id, &out);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Обращение не найдено", NULL);
	if (rc)
		return rc;
	return http_json(r, 200, out);
}

int h_appeal_join(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (r->body_len) {
		json_t *in;
		rc = http_body_json(r, &in);
		if (rc)
			return rc;
		size_t n = json_object_size(in);
		json_decref(in);
		if (n)
			return http_fail(r, ERR_INVALID,
			                 "Тело запроса должно быть пустым объектом {}", NULL);
	}
	struct problem p = {0};
	rc = appeal_join(r->store, r->a, &r->actor, id, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	json_t *out;
	rc = appeal_view(r->store, r->a, &r->actor, id, &out);
	if (rc)
		return rc;
	return http_json(r, 200, out);
}

int h_attachment_upload(struct req *r)
{
	const char *name = http_query(r, "name");
	struct attachment_info info;
	struct problem p = {0};
	int rc =
	    attachment_upload(r->store, r->a, &r->actor, name, r->body, r->body_len, &info, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	http_add_header(r, "Location",
	                arena_printf(r->a, "/api/attachments/%lld", (long long)info.id));
	return http_json(r, 201,
	                 json_pack("{s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)info.id, "name",
	                           info.name, "mime", info.mime, "size", (json_int_t)info.size,
	                           "sha256", info.sha256));
}

/* RFC 5987 percent-encoding of a UTF-8 file name for Content-Disposition. */
static const char *disposition(struct arena *a, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(name);
	char *out = arena_alloc(a, n * 3 + 64);
	char *o = out;
	o += snprintf(o, 64, "attachment; filename*=UTF-8''");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == '~')
			*o++ = (char)ch;
		else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}

int h_attachment_get(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	struct attachment_info info;
	const char *data;
	size_t len;
	rc = attachment_read(r->store, r->a, &r->actor, id, &info, &data, &len);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Вложение не найдено", NULL);
	if (rc)
		return rc;
	http_add_header(r, "Content-Disposition", disposition(r->a, info.name));
	/* X-Content-Type-Options: nosniff is on every response (server.c) */
	return http_text(r, 200, info.mime, data, len);
}
