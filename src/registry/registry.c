/* registry.c: descriptors of the registry collections, JSON validation, CRUD with audit. */
#include "registry/registry.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "registry/geo.h"
#include "store/entity.h"
#include "store/users.h"

#include <stdlib.h>
#include <string.h>

static const char *const territory_kinds[] = {"country", "region", "municipality", "settlement",
                                              NULL};
static const char *const org_kinds[] = {"federal", "regional", "municipal", "social", NULL};
static const char *const deadline_units[] = {"wdays", "hours", NULL};

#define CODE_FIELD                                                                                   \
	{                                                                                            \
		"code", FT_TEXT, FF_REQUIRED | FF_FILTER | FF_SEARCH, 64, 0, 0, NULL, NULL, "Код" \
	}
#define NAME_FIELD                                                                                  \
	{                                                                                           \
		"name", FT_TEXT, FF_REQUIRED | FF_SEARCH, 300, 0, 0, NULL, NULL, "Название" \
	}
#define ACTIVE_FIELD                                                                               \
	{                                                                                          \
		"active", FT_BOOL, FF_FILTER, 0, 0, 1, NULL, NULL, "Активность"          \
	}

static const struct field_desc territory_fields[] = {
    CODE_FIELD,
    {"parent_id", FT_REF, FF_FILTER, 0, 0, 0, NULL, "territories", "Родительская территория"},
    {"kind", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, 0, territory_kinds, NULL, "Тип"},
    NAME_FIELD,
    {"okato", FT_TEXT, FF_FILTER, 20, 0, 0, NULL, NULL, "ОКАТО"},
    {"oktmo", FT_TEXT, FF_FILTER, 20, 0, 0, NULL, NULL, "ОКТМО"},
    {"iso", FT_TEXT, FF_FILTER, 10, 0, 0, NULL, NULL, "ISO 3166-2"},
    {"has_polygon", FT_BOOL, FF_READONLY, 0, 0, 1, NULL, NULL, "Полигон"},
    ACTIVE_FIELD,
};

static const struct field_desc org_fields[] = {
    CODE_FIELD,
    NAME_FIELD,
    {"short_name", FT_TEXT, FF_SEARCH, 120, 0, 0, NULL, NULL, "Краткое название"},
    {"kind", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, 0, org_kinds, NULL, "Тип"},
    {"territory_id", FT_REF, FF_FILTER, 0, 0, 0, NULL, "territories", "Территория"},
    {"parent_id", FT_REF, FF_FILTER, 0, 0, 0, NULL, "orgs", "Вышестоящая организация"},
    {"email", FT_TEXT, 0, 254, 0, 0, NULL, NULL, "Электронная почта"},
    {"approval_required", FT_BOOL, 0, 0, 0, 1, NULL, NULL, "Ответы согласует руководитель"},
    ACTIVE_FIELD,
};

static const struct field_desc category_fields[] = {
    CODE_FIELD,
    NAME_FIELD,
    {"sort", FT_INT, 0, 0, -1000000, 1000000, NULL, NULL, "Порядок"},
    ACTIVE_FIELD,
};

static const struct field_desc topic_fields[] = {
    CODE_FIELD,
    {"category_id", FT_REF, FF_REQUIRED | FF_FILTER, 0, 0, 0, NULL, "categories", "Категория"},
    NAME_FIELD,
    {"deadline", FT_INT, FF_REQUIRED, 0, 1, 8760, NULL, NULL, "Срок"},
    {"deadline_unit", FT_ENUM, FF_REQUIRED, 0, 0, 0, deadline_units, NULL, "Единица срока"},
    {"hint", FT_TEXT, 0, 2000, 0, 0, NULL, NULL, "Подсказка"},
    {"redirect_resets", FT_BOOL, 0, 0, 0, 1, NULL, NULL, "Перенаправление обновляет срок"},
    ACTIVE_FIELD,
};

static const struct field_desc rule_fields[] = {
    CODE_FIELD,
    {"topic_id", FT_REF, FF_FILTER, 0, 0, 0, NULL, "topics", "Тема"},
    {"category_id", FT_REF, FF_FILTER, 0, 0, 0, NULL, "categories", "Категория"},
    {"territory_id", FT_REF, FF_FILTER, 0, 0, 0, NULL, "territories", "Территория"},
    {"org_id", FT_REF, FF_REQUIRED | FF_FILTER, 0, 0, 0, NULL, "orgs", "Организация"},
};

#define N(x) (sizeof(x) / sizeof((x)[0]))
const struct entity_desc registry_territories = {"territories",    "territories",       "territory",
                                                 territory_fields, N(territory_fields), "name, id"};
const struct entity_desc registry_orgs = {"orgs",     "orgs",        "org",
                                          org_fields, N(org_fields), "name, id"};
const struct entity_desc registry_categories = {
    "categories", "categories", "category", category_fields, N(category_fields), "sort, name, id"};
const struct entity_desc registry_topics = {"topics",     "topics",        "topic",
                                            topic_fields, N(topic_fields), "name, id"};
const struct entity_desc registry_rules = {"rules",     "rules",        "rule",
                                           rule_fields, N(rule_fields), "id"};

static const struct entity_desc *const all[] = {
    &registry_territories, &registry_orgs, &registry_categories, &registry_topics, &registry_rules};

const struct entity_desc *registry_find(const char *coll)
{
	for (size_t i = 0; i < N(all); i++)
		if (strcmp(all[i]->coll, coll) == 0)
			return all[i];
	return NULL;
}

static int field_index(const struct entity_desc *d, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int fail(struct problem *p, int err, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return err;
}

/* One row (id + visible fields) as a JSON object. */
static json_t *row_json(const struct entity_desc *d, const struct store_rows *r, size_t row)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(store_rows_i64(r, row, 0)));
	size_t col = 1;
	for (size_t i = 0; i < d->nfields; i++) {
		const struct field_desc *f = &d->fields[i];
		if (f->flags & FF_HIDDEN)
			continue;
		const char *v = store_rows_get(r, row, col);
		json_t *jv;
		if (!v)
			jv = f->type == FT_BOOL ? json_false() : json_null();
		else if (f->type == FT_INT || f->type == FT_REF)
			jv = json_integer(strtoll(v, NULL, 10));
		else if (f->type == FT_BOOL)
			jv = json_boolean(strtoll(v, NULL, 10) != 0);
		else
			jv = json_string(v);
		json_object_set_new(o, f->name, jv);
		col++;
	}
	return o;
}

static bool code_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Validates a JSON object against d into vals. create: required fields must be present. */
static int parse_vals(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                      json_t *in, bool create, struct entity_vals *vals, struct problem *p)
{
	memset(vals, 0, sizeof(*vals));
	const char *key;
	json_t *v;
	json_object_foreach(in, key, v)
	{
		int fi = field_index(d, key);
		if (fi < 0 || (d->fields[fi].flags & (FF_READONLY | FF_HIDDEN)))
			return fail(p, ERR_INVALID,
			            fi < 0 || !strcmp(key, "id")
			                ? arena_printf(a, "Неизвестное поле «%s»", key)
			                : arena_printf(a, "Поле «%s» только для чтения", key),
			            arena_strdup(a, key));
		const struct field_desc *f = &d->fields[fi];
		const char *fname = f->name;
		if (json_is_null(v)) {
			if (f->flags & FF_REQUIRED)
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "Поле «%s» обязательно", f->label),
				            fname);
			if (f->type == FT_BOOL)
				return fail(p, ERR_INVALID,
				            arena_printf(a, "Поле «%s» должно быть true или false",
				                         f->label),
				            fname);
			if (f->type == FT_INT)
				return fail(
				    p, ERR_VALIDATION,
				    arena_printf(a, "Поле «%s» должно быть числом", f->label),
				    fname);
			vals->v[fi] = sv_null();
			vals->set[fi] = true;
			continue;
		}
		switch (f->type) {
		case FT_TEXT:
		case FT_ENUM: {
			if (!json_is_string(v))
				return fail(
				    p, ERR_INVALID,
				    arena_printf(a, "Поле «%s» должно быть строкой", f->label),
				    fname);
			const char *s = json_string_value(v);
			size_t len = json_string_length(v);
			if (len != strlen(s) || !utf8_clean_text(s, len))
				return fail(p, ERR_VALIDATION,
				            arena_printf(a,
				                         "Поле «%s» содержит недопустимые символы",
				                         f->label),
				            fname);
			/* Trim surrounding spaces. */
			while (len && (*s == ' ' || *s == '\t'))
				s++, len--;
			while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
				len--;
			s = arena_strndup(a, s, len);
			if (!len && (f->flags & FF_REQUIRED))
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "Поле «%s» обязательно", f->label),
				            fname);
			if (f->type == FT_ENUM) {
				bool ok = false;
				for (const char *const *e = f->enum_values; *e; e++)
					ok = ok || !strcmp(*e, s);
				if (!ok)
					return fail(p, ERR_VALIDATION,
					            arena_printf(a,
					                         "Недопустимое значение поля «%s»",
					                         f->label),
					            fname);
			} else if (utf8_len(s, len) > f->max_len) {
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "Поле «%s» длиннее %zu символов",
				                         f->label, f->max_len),
				            fname);
			}
			if (!strcmp(fname, "code") && !code_ok(s))
				return fail(
				    p, ERR_VALIDATION,
				    "Код может содержать только латинские буквы, цифры и знаки "
				    "- _ .",
				    fname);
			if (!strcmp(fname, "email") && len && !valid_email(s))
				return fail(p, ERR_VALIDATION,
				            "Некорректный адрес электронной почты", fname);
			vals->v[fi] = len || (f->flags & FF_REQUIRED) ? sv_text(s) : sv_null();
			break;
		}
		case FT_INT:
			if (!json_is_integer(v))
				return fail(
				    p, ERR_INVALID,
				    arena_printf(a, "Поле «%s» должно быть целым числом", f->label),
				    fname);
			if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "Поле «%s» должно быть от %lld до %lld",
				                         f->label, (long long)f->min,
				                         (long long)f->max),
				            fname);
			vals->v[fi] = sv_int(json_integer_value(v));
			break;
		case FT_BOOL:
			if (!json_is_boolean(v))
				return fail(p, ERR_INVALID,
				            arena_printf(a, "Поле «%s» должно быть true или false",
				                         f->label),
				            fname);
			vals->v[fi] = sv_int(json_is_true(v) ? 1 : 0);
			break;
		case FT_REF: {
			if (!json_is_integer(v))
				return fail(p, ERR_INVALID,
				            arena_printf(a, "Поле «%s» должно быть идентификатором",
				                         f->label),
				            fname);
			bool exists = false;
			int rc = store_id_exists(c, f->ref_table, json_integer_value(v), &exists);
			if (rc)
				return rc;
			if (!exists)
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "«%s»: объект с id %lld не найден",
				                         f->label,
				                         (long long)json_integer_value(v)),
				            fname);
			vals->v[fi] = sv_int(json_integer_value(v));
			break;
		}
		}
		vals->set[fi] = true;
	}
	if (create)
		for (size_t i = 0; i < d->nfields; i++)
			if ((d->fields[i].flags & FF_REQUIRED) && !vals->set[i])
				return fail(
				    p, ERR_VALIDATION,
				    arena_printf(a, "Поле «%s» обязательно", d->fields[i].label),
				    d->fields[i].name);
	return 0;
}

/* Folded search text from the current values of the search fields. */
static const char *search_text(struct arena *a, const struct entity_desc *d, json_t *obj)
{
	struct buf b = BUF_INIT(8192);
	for (size_t i = 0; i < d->nfields; i++) {
		if (!(d->fields[i].flags & FF_SEARCH))
			continue;
		json_t *v = json_object_get(obj, d->fields[i].name);
		if (json_is_string(v)) {
			buf_puts(&b, json_string_value(v));
			buf_puts(&b, " ");
		}
	}
	const char *r = fold_text(a, b.data ? b.data : "", b.len);
	buf_release(&b);
	return r;
}

static int load(struct store_conn *c, struct arena *a, const struct entity_desc *d, int64_t id,
                json_t **out)
{
	struct store_rows r;
	int rc = store_entity_get(c, a, d, id, &r);
	if (rc)
		return rc;
	*out = row_json(d, &r, 0);
	return 0;
}

/* A merged view (current object updated with new values) for the search text and checks. */
static json_t *merged(const struct entity_desc *d, json_t *before, const struct entity_vals *v)
{
	json_t *m = before ? json_deep_copy(before) : json_object();
	for (size_t i = 0; i < d->nfields; i++) {
		if (!v->set[i])
			continue;
		const struct store_val *sv = &v->v[i];
		json_t *jv = sv->type == SV_NULL  ? json_null()
		             : sv->type == SV_INT ? json_integer(sv->i)
		                                  : json_stringn(sv->s, sv->len);
		json_object_set_new(m, d->fields[i].name, jv);
	}
	return m;
}

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Checks that make sense only for some collections: cycles, scopes, rule shape. */
static int check_entity(struct store_conn *c, const struct actor *who, const struct entity_desc *d,
                        int64_t id, json_t *before, json_t *after, struct problem *p)
{
	int rc;
	if (d == &registry_territories || d == &registry_orgs) {
		/* The new parent must not be the object itself or below it. */
		int64_t parent = jint(after, "parent_id");
		if (id && parent && d == &registry_territories) {
			int64_t chain[64];
			size_t n = 0;
			rc = store_territory_chain(c, parent, chain, 64, &n);
			for (size_t i = 0; !rc && i < n; i++)
				if (chain[i] == id)
					return fail(p, ERR_VALIDATION,
					            "Нельзя сделать объект подчинённым самому себе",
					            "parent_id");
			if (rc)
				return rc;
		}
		for (int depth = 0; id && parent && d == &registry_orgs && depth < 64; depth++) {
			if (parent == id)
				return fail(p, ERR_VALIDATION,
				            "Нельзя сделать объект подчинённым самому себе",
				            "parent_id");
			rc = store_org_parent(c, parent, &parent);
			if (rc == ERR_NOTFOUND)
				break;
			if (rc)
				return rc;
		}
	}
	if (d == &registry_orgs && before && !(who->roles & ROLE_ADMIN)) {
		bool ok;
		rc = perm_org_scope(c, who, ROLE_SUPERVISOR, id, &ok);
		if (rc)
			return rc;
		if (!ok)
			return fail(p, ERR_FORBIDDEN, "Организация вне вашей зоны ответственности",
			            NULL);
		if (jint(before, "parent_id") != jint(after, "parent_id") ||
		    strcmp(json_string_value(json_object_get(before, "code")),
		           json_string_value(json_object_get(after, "code"))))
			return fail(p, ERR_FORBIDDEN,
			            "Менять код и подчинённость организации может только "
			            "администратор",
			            NULL);
	}
	if (d == &registry_rules) {
		if (jint(after, "topic_id") && jint(after, "category_id"))
			return fail(p, ERR_VALIDATION,
			            "Правило указывает либо тему, либо категорию, но не обе",
			            "category_id");
		if (!(who->roles & ROLE_ADMIN)) {
			json_t *objs[2] = {before, after};
			for (int k = 0; k < 2; k++) {
				if (!objs[k])
					continue;
				bool ok;
				rc = perm_territory_scope(c, who, ROLE_COORDINATOR,
				                          jint(objs[k], "territory_id"), &ok);
				if (rc)
					return rc;
				if (!ok)
					return fail(p, ERR_FORBIDDEN,
					            "Правило вне территории вашей ответственности",
					            "territory_id");
			}
		}
	}
	return 0;
}

static int conflict_problem(struct arena *a, struct problem *p)
{
	(void)a;
	return fail(p, ERR_CONFLICT, "Код уже используется другим объектом", "code");
}

static int do_create(struct store_conn *c, struct arena *a, const struct actor *who,
                     const struct entity_desc *d, json_t *in, int64_t *id, json_t **out,
                     struct problem *p)
{
	struct entity_vals vals;
	int rc = parse_vals(c, a, d, in, true, &vals, p);
	if (rc)
		return rc;
	json_t *m = merged(d, NULL, &vals);
	rc = check_entity(c, who, d, 0, NULL, m, p);
	if (!rc) {
		rc = store_entity_insert(c, a, d, &vals, search_text(a, d, m), clock_now_ms(), id);
		if (rc == ERR_CONFLICT)
			rc = conflict_problem(a, p);
	}
	json_decref(m);
	if (!rc)
		rc = load(c, a, d, *id, out);
	if (!rc)
		rc = audit_record(c, who, "create", d->entity, *id, NULL, *out);
	if (!rc)
		rc = store_registry_bump(c);
	if (rc && out && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int do_update(struct store_conn *c, struct arena *a, const struct actor *who,
                     const struct entity_desc *d, int64_t id, json_t *in, json_t **out,
                     struct problem *p)
{
	json_t *before = NULL;
	int rc = load(c, a, d, id, &before);
	if (rc == ERR_NOTFOUND)
		return fail(p, rc, "Объект не найден", NULL);
	if (rc)
		return rc;
	struct entity_vals vals;
	rc = parse_vals(c, a, d, in, false, &vals, p);
	json_t *m = NULL;
	if (!rc) {
		m = merged(d, before, &vals);
		rc = check_entity(c, who, d, id, before, m, p);
	}
	if (!rc) {
		rc = store_entity_update(c, a, d, id, &vals, search_text(a, d, m), clock_now_ms());
		if (rc == ERR_CONFLICT)
			rc = conflict_problem(a, p);
	}
	json_decref(m);
	if (!rc)
		rc = load(c, a, d, id, out);
	if (!rc)
		rc = audit_record(c, who, "update", d->entity, id, before, *out);
	if (!rc)
		rc = store_registry_bump(c);
	json_decref(before);
	if (rc && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

struct job {
	struct arena *a;
	const struct actor *who;
	const struct entity_desc *d;
	int64_t id;
	json_t *in;
	json_t *out;
	struct problem *p;
	const char *text;
	size_t len;
	int64_t inserted, updated;
};

static void job_reset(struct job *j)
{
	json_decref(j->out);
	j->out = NULL;
	j->p->message = j->p->field = NULL;
}

static int create_job(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	job_reset(j);
	return do_create(c, j->a, j->who, j->d, j->in, &j->id, &j->out, j->p);
}

static int update_job(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	job_reset(j);
	return do_update(c, j->a, j->who, j->d, j->id, j->in, &j->out, j->p);
}

static int delete_job(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	job_reset(j);
	json_t *before = NULL;
	int rc = load(c, j->a, j->d, j->id, &before);
	if (rc == ERR_NOTFOUND)
		return fail(j->p, rc, "Объект не найден", NULL);
	if (rc)
		return rc;
	rc = check_entity(c, j->who, j->d, j->id, before, NULL, j->p);
	if (!rc && j->d == &registry_orgs && !(j->who->roles & ROLE_ADMIN))
		rc = fail(j->p, ERR_FORBIDDEN, "Удалять организации может только администратор",
		          NULL);
	if (!rc) {
		rc = store_entity_delete(c, j->d, j->id);
		if (rc == ERR_CONFLICT)
			rc = fail(j->p, rc,
			          "Объект нельзя удалить: на него ссылаются другие записи", NULL);
	}
	if (!rc)
		rc = audit_record(c, j->who, "delete", j->d->entity, j->id, before, NULL);
	if (!rc)
		rc = store_registry_bump(c);
	json_decref(before);
	return rc;
}

static int with_conn(struct store *s, struct store_conn **c)
{
	return store_conn_get(s, c);
}

int registry_get(struct store *s, struct arena *a, const struct entity_desc *d, int64_t id,
                 json_t **out, struct problem *p)
{
	struct store_conn *c;
	int rc = with_conn(s, &c);
	if (rc)
		return rc;
	rc = load(c, a, d, id, out);
	store_conn_put(s, c);
	if (rc == ERR_NOTFOUND)
		return fail(p, rc, "Объект не найден", NULL);
	return rc;
}

int registry_list(struct store *s, struct arena *a, const struct entity_desc *d,
                  const struct list_query *lq, json_t **out, struct problem *p)
{
	struct entity_vals f;
	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < d->nfields; i++) {
		const char *v = lq->filter[i];
		if (!v)
			continue;
		const struct field_desc *fd = &d->fields[i];
		if (fd->type == FT_INT || fd->type == FT_REF || fd->type == FT_BOOL) {
			char *end;
			if (!*v || !strcmp(v, "null")) {
				f.v[i] = sv_null();
			} else {
				long long x = strtoll(v, &end, 10);
				if (*end)
					return fail(p, ERR_INVALID,
					            arena_printf(a,
					                         "Параметр %s должен быть числом",
					                         fd->name),
					            fd->name);
				f.v[i] = sv_int(x);
			}
		} else {
			if (fd->type == FT_ENUM) {
				bool ok = false;
				for (const char *const *e = fd->enum_values; *e; e++)
					ok = ok || !strcmp(*e, v);
				if (!ok)
					return fail(
					    p, ERR_INVALID,
					    arena_printf(a, "Недопустимое значение параметра %s",
					                 fd->name),
					    fd->name);
			}
			f.v[i] = sv_text(v);
		}
		f.set[i] = true;
	}
	const char *pat = lq->q && *lq->q ? fold_like_pattern(a, lq->q) : NULL;
	struct store_conn *c;
	int rc = with_conn(s, &c);
	if (rc)
		return rc;
	struct store_rows r;
	int64_t total = 0;
	rc = store_entity_list(c, a, d, &f, pat, lq->limit, lq->offset, &r, &total);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < r.nrows; i++)
		json_array_append_new(items, row_json(d, &r, i));
	*out = json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total);
	return 0;
}

int registry_create(struct store *s, struct arena *a, const struct actor *who,
                    const struct entity_desc *d, json_t *in, json_t **out, struct problem *p)
{
	struct job j = {.a = a, .who = who, .d = d, .in = in, .p = p};
	int rc = store_write(s, create_job, &j);
	if (rc) {
		json_decref(j.out);
		return rc;
	}
	*out = j.out;
	return 0;
}

int registry_update(struct store *s, struct arena *a, const struct actor *who,
                    const struct entity_desc *d, int64_t id, json_t *in, json_t **out,
                    struct problem *p)
{
	struct job j = {.a = a, .who = who, .d = d, .id = id, .in = in, .p = p};
	int rc = store_write(s, update_job, &j);
	if (rc) {
		json_decref(j.out);
		return rc;
	}
	*out = j.out;
	return 0;
}

int registry_delete(struct store *s, struct arena *a, const struct actor *who,
                    const struct entity_desc *d, int64_t id, struct problem *p)
{
	struct job j = {.a = a, .who = who, .d = d, .id = id, .p = p};
	return store_write(s, delete_job, &j);
}

static int set_polygon(struct store_conn *c, struct arena *a, const struct actor *who, int64_t id,
                       const char *geojson, size_t len, struct problem *p)
{
	struct geo_shape *shape = NULL;
	if (len && geo_shape_parse(geojson, len, &shape))
		return fail(
		    p, ERR_VALIDATION,
		    "Ожидается геометрия GeoJSON типа Polygon или MultiPolygon (или Feature с "
		    "ней)",
		    NULL);
	geo_shape_free(shape);
	/* Store the bare geometry (a Feature is unwrapped), compact. */
	if (len) {
		json_t *j = json_loadb(geojson, len, 0, NULL);
		json_t *g = json_is_object(json_object_get(j, "geometry"))
		                ? json_object_get(j, "geometry")
		                : j;
		char *dump = json_dumps(g, JSON_COMPACT);
		geojson = arena_strdup(a, dump ? dump : "");
		len = strlen(geojson);
		free(dump);
		json_decref(j);
	}
	json_t *before = NULL;
	int rc = load(c, a, &registry_territories, id, &before);
	if (rc == ERR_NOTFOUND)
		return fail(p, rc, "Территория не найдена", NULL);
	if (rc)
		return rc;
	rc = store_territory_set_polygon(c, id, len ? geojson : NULL, len, clock_now_ms());
	json_t *after = NULL;
	if (!rc)
		rc = load(c, a, &registry_territories, id, &after);
	if (!rc)
		rc = audit_record(c, who, "set_polygon", "territory", id, before, after);
	if (!rc)
		rc = store_registry_bump(c);
	json_decref(before);
	json_decref(after);
	return rc;
}

static int polygon_job(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	job_reset(j);
	return set_polygon(c, j->a, j->who, j->id, j->text, j->len, j->p);
}

int registry_set_polygon(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         const char *geojson, size_t len, struct problem *p)
{
	struct job j = {.a = a, .who = who, .id = id, .text = geojson, .len = len, .p = p};
	return store_write(s, polygon_job, &j);
}

int registry_get_polygon(struct store *s, struct arena *a, int64_t id, const char **geojson,
                         struct problem *p)
{
	struct store_conn *c;
	int rc = with_conn(s, &c);
	if (rc)
		return rc;
	rc = store_get_text(c, a, "territories", "polygon", id, geojson);
	store_conn_put(s, c);
	if (rc == ERR_NOTFOUND)
		return fail(p, rc, "Территория не найдена", NULL);
	if (!rc && !*geojson)
		return fail(p, ERR_NOTFOUND, "У территории нет полигона", NULL);
	return rc;
}

/* --- CSV import ----------------------------------------------------------------------- */

struct csv_col {
	const char *header;
	const char *field;     /* descriptor field */
	const char *ref_table; /* non-NULL: the column holds a code of this table */
};

static const struct csv_col territory_csv[] = {
    {"code", "code", NULL},   {"parent_code", "parent_id", "territories"},
    {"kind", "kind", NULL},   {"name", "name", NULL},
    {"okato", "okato", NULL}, {"oktmo", "oktmo", NULL},
    {"iso", "iso", NULL},     {NULL, NULL, NULL}};
static const struct csv_col org_csv[] = {{"code", "code", NULL},
                                         {"name", "name", NULL},
                                         {"short_name", "short_name", NULL},
                                         {"kind", "kind", NULL},
                                         {"territory_code", "territory_id", "territories"},
                                         {"parent_code", "parent_id", "orgs"},
                                         {"email", "email", NULL},
                                         {NULL, NULL, NULL}};
static const struct csv_col category_csv[] = {
    {"code", "code", NULL}, {"name", "name", NULL}, {"sort", "sort", NULL}, {NULL, NULL, NULL}};
static const struct csv_col topic_csv[] = {{"code", "code", NULL},
                                           {"category_code", "category_id", "categories"},
                                           {"name", "name", NULL},
                                           {"deadline", "deadline", NULL},
                                           {"deadline_unit", "deadline_unit", NULL},
                                           {"hint", "hint", NULL},
                                           {"active", "active", NULL},
                                           {NULL, NULL, NULL}};
static const struct csv_col rule_csv[] = {{"code", "code", NULL},
                                          {"topic_code", "topic_id", "topics"},
                                          {"category_code", "category_id", "categories"},
                                          {"territory_code", "territory_id", "territories"},
                                          {"org_code", "org_id", "orgs"},
                                          {NULL, NULL, NULL}};

static const struct csv_col *csv_columns(const struct entity_desc *d)
{
	if (d == &registry_territories)
		return territory_csv;
	if (d == &registry_orgs)
		return org_csv;
	if (d == &registry_categories)
		return category_csv;
	if (d == &registry_topics)
		return topic_csv;
	return rule_csv;
}

#define MAX_CSV_COLS 16

/* Converts one CSV record into the JSON object the API would accept. */
static int csv_record_json(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                           const struct csv_col *cols, const int *map, struct csv_reader *r,
                           json_t **out, struct problem *p)
{
	json_t *o = json_object();
	for (size_t k = 0; cols[k].header; k++) {
		if (map[k] < 0)
			continue;
		const char *v = r->fields[map[k]];
		size_t vlen = r->lens[map[k]];
		if (!utf8_valid(v, vlen) || strlen(v) != vlen) {
			json_decref(o);
			return fail(p, ERR_VALIDATION, "недопустимые символы (ожидается UTF-8)",
			            cols[k].header);
		}
		const struct field_desc *f = &d->fields[field_index(d, cols[k].field)];
		json_t *jv;
		if (!*v) {
			jv = json_null();
		} else if (cols[k].ref_table) {
			int64_t id;
			int rc = store_id_by_code(c, cols[k].ref_table, v, &id);
			if (rc == ERR_NOTFOUND) {
				json_decref(o);
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "%s «%s» не найден", cols[k].header, v),
				            cols[k].header);
			}
			if (rc) {
				json_decref(o);
				return rc;
			}
			jv = json_integer(id);
		} else if (f->type == FT_INT) {
			char *end;
			long long x = strtoll(v, &end, 10);
			if (*end) {
				json_decref(o);
				return fail(
				    p, ERR_VALIDATION,
				    arena_printf(a, "%s: ожидается целое число", cols[k].header),
				    cols[k].header);
			}
			jv = json_integer(x);
		} else if (f->type == FT_BOOL) {
			jv =
			    json_boolean(!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "да"));
		} else {
			jv = json_string(v);
		}
		if (json_is_null(jv) && f->type == FT_BOOL) {
			json_decref(jv);
			continue;
		}
		json_object_set_new(o, f->name, jv);
	}
	*out = o;
	return 0;
}

int registry_import_csv_conn(struct store_conn *c, struct arena *a, const struct actor *who,
                             const struct entity_desc *d, const char *csv, size_t len,
                             int64_t *inserted, int64_t *updated, struct problem *p)
{
	*inserted = *updated = 0;
	if (!utf8_valid(csv, len))
		return fail(p, ERR_VALIDATION, "Файл должен быть в кодировке UTF-8", NULL);
	const struct csv_col *cols = csv_columns(d);
	struct csv_reader r;
	csv_init(&r, csv, len);
	int rc = csv_next(&r);
	if (rc != 1) {
		csv_release(&r);
		return fail(p, ERR_VALIDATION, "Пустой файл: ожидается строка заголовка", "line:1");
	}
	/* The header must be exactly the documented columns, in order. */
	int map[MAX_CSV_COLS];
	size_t want = 0;
	const char *expected = "";
	for (size_t k = 0; cols[k].header; k++) {
		map[k] = (int)k;
		expected = arena_printf(a, "%s%s%s", expected, k ? "," : "", cols[k].header);
		want++;
	}
	bool header_ok = r.nfields == want;
	for (size_t k = 0; header_ok && k < want; k++)
		header_ok = !strcmp(r.fields[k], cols[k].header);
	if (!header_ok) {
		csv_release(&r);
		return fail(p, ERR_VALIDATION,
		            arena_printf(a, "строка 1: заголовок должен быть «%s»", expected),
		            "line:1");
	}
	size_t ncols = r.nfields;
	while ((rc = csv_next(&r)) == 1) {
		size_t line = r.line;
		if (r.nfields == 1 && r.lens[0] == 0)
			continue; /* blank line */
		if (r.nfields != ncols) {
			rc = fail(p, ERR_VALIDATION,
			          arena_printf(a, "строка %zu: %zu столбцов вместо %zu", line,
			                       r.nfields, ncols),
			          arena_printf(a, "line:%zu", line));
			break;
		}
		json_t *obj = NULL;
		struct problem rp = {0};
		rc = csv_record_json(c, a, d, cols, map, &r, &obj, &rp);
		int64_t id = 0;
		json_t *out = NULL;
		if (!rc) {
			const char *code = json_string_value(json_object_get(obj, "code"));
			int frc = code ? store_id_by_code(c, d->table, code, &id) : ERR_NOTFOUND;
			if (frc && frc != ERR_NOTFOUND)
				rc = frc;
			else if (frc == ERR_NOTFOUND) {
				rc = do_create(c, a, who, d, obj, &id, &out, &rp);
				if (!rc)
					(*inserted)++;
			} else {
				json_t *before = NULL;
				rc = load(c, a, d, id, &before);
				/* Only real changes are written (and audited). */
				bool same = !rc;
				const char *k;
				json_t *v;
				if (!rc)
					json_object_foreach(obj, k, v)
					{
						if (!json_equal(json_object_get(before, k), v))
							same = false;
					}
				json_decref(before);
				if (!rc && !same)
					rc = do_update(c, a, who, d, id, obj, &out, &rp);
				if (!rc)
					(*updated)++;
			}
		}
		json_decref(obj);
		json_decref(out);
		if (rc) {
			if (rc != ERR_DB && rc != ERR_RETRY)
				rc = fail(p, ERR_VALIDATION,
				          arena_printf(a, "строка %zu: %s", line,
				                       rp.message ? rp.message : "ошибка"),
				          arena_printf(a, "line:%zu", line));
			break;
		}
	}
	if (rc < 0 && !p->message)
		rc = fail(p, ERR_VALIDATION,
		          arena_printf(a, "строка %zu: нарушен формат CSV (кавычки)", r.next_line),
		          arena_printf(a, "line:%zu", r.next_line));
	csv_release(&r);
	return rc < 0 ? rc : 0;
}

static int import_job(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	job_reset(j);
	return registry_import_csv_conn(c, j->a, j->who, j->d, j->text, j->len, &j->inserted,
	                                &j->updated, j->p);
}

int registry_import_csv(struct store *s, struct arena *a, const struct actor *who,
                        const struct entity_desc *d, const char *csv, size_t len, int64_t *inserted,
                        int64_t *updated, struct problem *p)
{
	struct job j = {.a = a, .who = who, .d = d, .text = csv, .len = len, .p = p};
	int rc = store_write(s, import_job, &j);
	*inserted = rc ? 0 : j.inserted;
	*updated = rc ? 0 : j.updated;
	return rc;
}

int registry_import_polygons_conn(struct store_conn *c, struct arena *a, const struct actor *who,
                                  const char *geojson, size_t len, struct problem *p)
{
	json_error_t jerr;
	json_t *fc = json_loadb(geojson, len, 0, &jerr);
	json_t *features = json_object_get(fc, "features");
	if (!json_is_array(features)) {
		json_decref(fc);
		return fail(p, ERR_VALIDATION, "Ожидается GeoJSON FeatureCollection", NULL);
	}
	size_t i;
	json_t *f;
	int rc = 0;
	json_array_foreach(features, i, f)
	{
		const char *code =
		    json_string_value(json_object_get(json_object_get(f, "properties"), "code"));
		json_t *geom = json_object_get(f, "geometry");
		if (!code || !geom)
			continue;
		int64_t id;
		rc = store_id_by_code(c, "territories", code, &id);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		char *g = json_dumps(geom, JSON_COMPACT);
		const char *cur = NULL;
		rc = store_get_text(c, a, "territories", "polygon", id, &cur);
		if (!rc && (!cur || strcmp(cur, g)))
			rc = set_polygon(c, a, who, id, g, strlen(g), p);
		free(g);
		if (rc)
			break;
	}
	json_decref(fc);
	return rc;
}
