/* open311.c (store): SQL for Open311 services, attributes and the public request listing. */
#include "store/open311.h"
#include "core/err.h"

#include <string.h>

int store_o311_services(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a,
	                   "SELECT t.code, t.name, t.hint, k.name, k.code, "
	                   "(SELECT COUNT(*) FROM topic_attributes x WHERE x.topic_id = t.id) "
	                   "FROM topics t JOIN categories k ON k.id = t.category_id "
	                   "WHERE t.active = 1 AND k.active = 1 ORDER BY k.sort, k.id, t.id",
	                   NULL, 0, out);
}

int store_o311_topic(struct store_conn *c, struct arena *a, const char *code, int64_t *topic_id,
                     const char **name)
{
	struct store_val p[] = {sv_text(code)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT t.id, t.name FROM topics t JOIN categories k ON "
	                     "k.id = t.category_id WHERE t.code = $1 AND t.active = 1 AND "
	                     "k.active = 1",
	                     p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*topic_id = store_rows_i64(&r, 0, 0);
	if (name)
		*name = store_rows_get(&r, 0, 1);
	return 0;
}

int store_o311_attributes(struct store_conn *c, struct arena *a, int64_t topic_id,
                          struct store_rows *out)
{
	struct store_val p[] = {sv_int(topic_id)};
	return store_query(c, a,
	                   "SELECT code, datatype, required, description, datatype_description, "
	                   "sort, \"values\" FROM topic_attributes WHERE topic_id = $1 "
	                   "ORDER BY sort, id",
	                   p, 1, out);
}

int store_o311_attribute_add(struct store_conn *c, const char *topic_code, const char *code,
                             const char *datatype, int required, const char *description,
                             const char *datatype_description, int64_t sort, const char *values,
                             int64_t *id)
{
	int64_t topic_id = 0;
	struct store_val tp[] = {sv_text(topic_code)};
	int rc = store_query_i64(c, "SELECT id FROM topics WHERE code = $1", tp, 1, &topic_id);
	if (rc)
		return rc;
	struct store_val p[] = {
	    sv_int(topic_id), sv_text(code),        sv_text(datatype),
	    sv_int(required), sv_text(description), sv_text(datatype_description),
	    sv_int(sort),     sv_text(values),
	};
	struct arena tmp;
	arena_init(&tmp, 512);
	struct store_rows r;
	rc = store_query(c, &tmp,
	                 "INSERT INTO topic_attributes (topic_id, code, datatype, required, "
	                 "description, datatype_description, sort, \"values\") "
	                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	                 "ON CONFLICT (topic_id, code) DO NOTHING RETURNING id",
	                 p, sizeof(p) / sizeof(p[0]), &r);
	*id = !rc && r.nrows ? store_rows_i64(&r, 0, 0) : 0;
	arena_release(&tmp);
	return rc;
}

int store_o311_appeal_attr_set(struct store_conn *c, int64_t appeal_id, const char *code,
                               const char *const *values, size_t n)
{
	struct store_val d[] = {sv_int(appeal_id), sv_text(code)};
	int rc =
	    store_query(c, NULL, "DELETE FROM appeal_attributes WHERE appeal_id = $1 AND code = $2",
	                d, 2, NULL);
	for (size_t i = 0; !rc && i < n; i++) {
		struct store_val p[] = {sv_int(appeal_id), sv_text(code), sv_text(values[i])};
		rc = store_query(c, NULL,
		                 "INSERT INTO appeal_attributes (appeal_id, code, value) "
		                 "VALUES ($1, $2, $3)",
		                 p, 3, NULL);
	}
	return rc;
}

int store_o311_apikey_territory(struct store_conn *c, int64_t apikey_id, int64_t *territory_id)
{
	struct store_val p[] = {sv_int(apikey_id)};
	*territory_id = 0;
	int rc = store_query_i64(c,
	                         "SELECT o.territory_id FROM api_keys k JOIN orgs o ON "
	                         "o.id = k.org_id WHERE k.id = $1",
	                         p, 1, territory_id);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int store_o311_token(struct store_conn *c, const char *token, int64_t *id)
{
	struct store_val p[] = {sv_text(token)};
	return store_query_i64(c, "SELECT id FROM appeals WHERE token = $1", p, 1, id);
}

int store_o311_requests(struct store_conn *c, struct arena *a, const struct o311_filter *f,
                        struct store_rows *out)
{
	size_t np = 0, cap = 4 + f->nids + f->ncodes;
	struct store_val *p = arena_alloc(a, cap * sizeof(*p));
	char *where = arena_strdup(a, "1 = 1");
	if (f->nids) {
		char *in = arena_strdup(a, "");
		for (size_t i = 0; i < f->nids; i++) {
			p[np++] = sv_int(f->ids[i]);
			in = arena_printf(a, "%s%s$%zu", in, i ? ", " : "", np);
		}
		where = arena_printf(a, "a.id IN (%s)", in);
	} else {
		if (f->ncodes) {
			char *in = arena_strdup(a, "");
			for (size_t i = 0; i < f->ncodes; i++) {
				p[np++] = sv_text(f->codes[i]);
				in = arena_printf(a, "%s%s$%zu", in, i ? ", " : "", np);
			}
			where = arena_printf(a, "%s AND t.code IN (%s)", where, in);
		}
		if (f->open >= 0) {
			p[np++] = sv_int(f->open ? 1 : 0);
			where = arena_printf(a, "%s AND a.is_open = $%zu", where, np);
		}
		if (f->from) {
			p[np++] = sv_int(f->from);
			where = arena_printf(a, "%s AND a.created_at >= $%zu", where, np);
		}
		if (f->to) {
			p[np++] = sv_int(f->to);
			where = arena_printf(a, "%s AND a.created_at <= $%zu", where, np);
		}
	}
	p[np++] = sv_int(f->limit > 0 ? f->limit : 1000);
	const char *sql = arena_printf(
	    a,
	    "SELECT a.id, a.status, a.text, a.address, a.lat, a.lon, a.created_at, a.updated_at, "
	    "a.deadline_at, a.reject_reason, t.code, t.name, o.name, "
	    "(SELECT an.text FROM answers an WHERE an.appeal_id = a.id AND an.state = 'published' "
	    "ORDER BY an.published_at DESC, an.id DESC LIMIT 1), "
	    "(SELECT v.value FROM appeal_attributes v WHERE v.appeal_id = a.id AND "
	    "v.code = 'media_url' LIMIT 1), t.deadline, t.deadline_unit "
	    "FROM appeals a JOIN topics t ON t.id = a.topic_id LEFT JOIN orgs o ON o.id = a.org_id "
	    "WHERE %s ORDER BY a.created_at DESC, a.id DESC LIMIT $%zu",
	    where, np);
	return store_query(c, a, sql, p, np, out);
}
