/* entity.c: SQL generated from registry descriptors. */
#include "store/entity.h"
#include "store/backend.h"
#include "core/buf.h"
#include "core/err.h"

#include <string.h>

static void select_cols(struct buf *b, const struct entity_desc *d, bool list)
{
	buf_puts(b, "id");
	for (size_t i = 0; i < d->nfields; i++) {
		const struct field_desc *f = &d->fields[i];
		if (f->flags & FF_HIDDEN)
			continue;
		if (list && (f->flags & FF_LONG))
			buf_puts(b, ", NULL");
		else
			buf_printf(b, ", %s", f->name);
	}
}

static int finish_sql(struct buf *b, struct arena *a, const char **sql)
{
	if (b->overflow) {
		buf_release(b);
		return ERR_INTERNAL;
	}
	*sql = arena_strndup(a, b->data, b->len);
	buf_release(b);
	return 0;
}

int store_entity_get(struct store_conn *c, struct arena *a, const struct entity_desc *d, int64_t id,
                     struct store_rows *out)
{
	struct buf b = BUF_INIT(8192);
	buf_puts(&b, "SELECT ");
	select_cols(&b, d, false);
	buf_printf(&b, " FROM %s WHERE id = $1", d->table);
	const char *sql;
	int rc = finish_sql(&b, a, &sql);
	if (rc)
		return rc;
	struct store_val p[] = {sv_int(id)};
	rc = store_query(c, a, sql, p, 1, out);
	if (rc)
		return rc;
	return out->nrows ? 0 : ERR_NOTFOUND;
}

int store_entity_list(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                      const struct entity_vals *filters, const char *q_pattern, int64_t limit,
                      int64_t offset, struct store_rows *out, int64_t *total)
{
	struct store_val p[ENTITY_MAX_FIELDS + 3];
	size_t np = 0;
	struct buf w = BUF_INIT(4096);
	buf_puts(&w, " WHERE 1 = 1");
	for (size_t i = 0; i < d->nfields; i++) {
		if (!filters || !filters->set[i])
			continue;
		if (filters->v[i].type == SV_NULL) {
			buf_printf(&w, " AND %s IS NULL", d->fields[i].name);
			continue;
		}
		p[np++] = filters->v[i];
		buf_printf(&w, " AND %s = $%zu", d->fields[i].name, np);
	}
	if (q_pattern) {
		p[np++] = sv_text(q_pattern);
		buf_printf(&w, " AND search LIKE $%zu ESCAPE '\\'", np);
	}
	size_t nfilter = np;
	struct buf b = BUF_INIT(8192);
	buf_puts(&b, "SELECT ");
	select_cols(&b, d, true);
	buf_printf(&b, " FROM %s%s ORDER BY %s LIMIT $%zu OFFSET $%zu", d->table,
	           w.data ? w.data : "", d->order_by, np + 1, np + 2);
	p[np++] = sv_int(limit);
	p[np++] = sv_int(offset);
	const char *sql;
	int rc = finish_sql(&b, a, &sql);
	if (!rc)
		rc = store_query(c, a, sql, p, np, out);
	if (!rc) {
		struct buf cb = BUF_INIT(4096);
		buf_printf(&cb, "SELECT COUNT(*) FROM %s%s", d->table, w.data ? w.data : "");
		rc = finish_sql(&cb, a, &sql);
		struct store_rows t;
		if (!rc)
			rc = store_query(c, a, sql, p, nfilter, &t);
		if (!rc)
			*total = store_rows_i64(&t, 0, 0);
	}
	buf_release(&w);
	return rc;
}

int store_entity_insert(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                        const struct entity_vals *vals, const char *search, int64_t now,
                        int64_t *id)
{
	struct store_val p[ENTITY_MAX_FIELDS + 3];
	size_t np = 0;
	struct buf cols = BUF_INIT(4096), params = BUF_INIT(4096);
	for (size_t i = 0; i < d->nfields; i++) {
		if (!vals->set[i])
			continue;
		p[np++] = vals->v[i];
		buf_printf(&cols, "%s, ", d->fields[i].name);
		buf_printf(&params, "$%zu, ", np);
	}
	p[np++] = sv_text(search ? search : "");
	p[np++] = sv_int(now);
	struct buf b = BUF_INIT(8192);
	buf_printf(&b,
	           "INSERT INTO %s (%ssearch, created_at, updated_at) VALUES (%s$%zu, $%zu, $%zu) "
	           "RETURNING id",
	           d->table, cols.data ? cols.data : "", params.data ? params.data : "", np - 1, np,
	           np);
	buf_release(&cols);
	buf_release(&params);
	const char *sql;
	int rc = finish_sql(&b, a, &sql);
	struct store_rows r;
	if (!rc)
		rc = store_query(c, a, sql, p, np, &r);
	if (!rc)
		*id = store_rows_i64(&r, 0, 0);
	return rc;
}

int store_entity_update(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                        int64_t id, const struct entity_vals *vals, const char *search, int64_t now)
{
	struct store_val p[ENTITY_MAX_FIELDS + 3];
	size_t np = 0;
	p[np++] = sv_int(id);
	struct buf b = BUF_INIT(8192);
	buf_printf(&b, "UPDATE %s SET ", d->table);
	for (size_t i = 0; i < d->nfields; i++) {
		if (!vals->set[i])
			continue;
		p[np++] = vals->v[i];
		buf_printf(&b, "%s = $%zu, ", d->fields[i].name, np);
	}
	p[np++] = sv_text(search ? search : "");
	p[np++] = sv_int(now);
	buf_printf(&b, "search = $%zu, updated_at = $%zu WHERE id = $1", np - 1, np);
	const char *sql;
	int rc = finish_sql(&b, a, &sql);
	struct store_rows r;
	if (!rc)
		rc = store_query(c, a, sql, p, np, &r);
	if (!rc && !r.changes)
		rc = ERR_NOTFOUND;
	return rc;
}

int store_entity_delete(struct store_conn *c, const struct entity_desc *d, int64_t id)
{
	struct arena a;
	arena_init(&a, 512);
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc = store_query(c, &a, arena_printf(&a, "DELETE FROM %s WHERE id = $1", d->table), p,
	                     1, &r);
	if (!rc && !r.changes)
		rc = ERR_NOTFOUND;
	arena_release(&a);
	return rc;
}

int store_id_by_code(struct store_conn *c, const char *table, const char *code, int64_t *id)
{
	struct arena a;
	arena_init(&a, 256);
	struct store_val p[] = {sv_text(code)};
	int rc = store_query_i64(c, arena_printf(&a, "SELECT id FROM %s WHERE code = $1", table), p,
	                         1, id);
	arena_release(&a);
	return rc;
}

int store_id_exists(struct store_conn *c, const char *table, int64_t id, bool *exists)
{
	struct arena a;
	arena_init(&a, 512);
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc =
	    store_query(c, &a, arena_printf(&a, "SELECT 1 FROM %s WHERE id = $1", table), p, 1, &r);
	if (!rc)
		*exists = r.nrows > 0;
	arena_release(&a);
	return rc;
}

int store_get_text(struct store_conn *c, struct arena *a, const char *table, const char *column,
                   int64_t id, const char **out)
{
	struct store_val p[] = {sv_int(id)};
	struct store_rows r;
	int rc = store_query(
	    c, a, arena_printf(a, "SELECT %s FROM %s WHERE id = $1", column, table), p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*out = store_rows_get(&r, 0, 0);
	return 0;
}

int store_version_bump(struct store_conn *c, const char *key)
{
	store_versions_forget(c);
	struct store_val p[] = {sv_text(key)};
	int rc =
	    store_query(c, NULL, "UPDATE meta SET value = value + 1 WHERE key = $1", p, 1, NULL);
	store_versions_changed(c);
	return rc;
}

int store_registry_bump(struct store_conn *c)
{
	return store_version_bump(c, "registry_version");
}

int store_registry_version(struct store_conn *c, int64_t *version)
{
	*version = 0;
	int rc = store_query_i64(c, "SELECT value FROM meta WHERE key = 'registry_version'", NULL,
	                         0, version);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int store_routing_versions(struct store_conn *c, int64_t out[STORE_VERSIONS])
{
	/* Inside a transaction, once: SQLite's writer holds the write lock, so nobody else can
	 * change them meanwhile; on PostgreSQL a change committed meanwhile by another
	 * connection is missed by this batch as it would be by a job already past this read.
	 * A submission sent after that change is in a later batch, which reads it. */
	struct store_conn_base *b = (struct store_conn_base *)c;
	if (b->in_tx && b->versions_ok) {
		memcpy(out, b->versions, sizeof(b->versions));
		return 0;
	}
	/* Outside a transaction (a request's pre-routing), a copy kept per store will do: see
	 * store_versions_cached */
	uint64_t epoch = 0;
	if (!b->in_tx && store_versions_cached(b->owner, out, &epoch))
		return 0;
	/* one row of primary-key lookups: `key IN (...)` would make SQLite build a temporary
	 * table of the list on every call */
	struct arena a;
	arena_init(&a, 512);
	struct store_rows r;
	memset(out, 0, STORE_VERSIONS * sizeof(*out));
	int rc = store_query(c, &a,
	                     "SELECT (SELECT value FROM meta WHERE key = 'registry_version'), "
	                     "(SELECT value FROM meta WHERE key = 'calendar_version'), "
	                     "(SELECT value FROM meta WHERE key = 'org_deadlines_version'), "
	                     "(SELECT value FROM meta WHERE key = 'webhooks_version'), "
	                     "(SELECT value FROM meta WHERE key = 'grants_version')",
	                     NULL, 0, &r);
	for (int k = 0; !rc && r.nrows && k < STORE_VERSIONS; k++)
		out[k] = store_rows_i64(&r, 0, k);
	arena_release(&a);
	if (!rc && b->in_tx) {
		memcpy(b->versions, out, sizeof(b->versions));
		b->versions_ok = true;
	} else if (!rc) {
		store_versions_cache_put(b->owner, epoch, out);
	}
	return rc;
}

int store_topic_category(struct store_conn *c, int64_t topic_id, int64_t *category_id)
{
	struct store_val p[] = {sv_int(topic_id)};
	return store_query_i64(c, "SELECT category_id FROM topics WHERE id = $1", p, 1,
	                       category_id);
}

int store_rules_for_topic(struct store_conn *c, struct arena *a, int64_t topic_id,
                          int64_t category_id, struct store_rows *out)
{
	struct store_val p[] = {sv_int(topic_id), sv_int(category_id)};
	return store_query(
	    c, a,
	    "SELECT r.id, r.code, r.topic_id, r.category_id, r.territory_id, r.org_id, "
	    "o.name FROM rules r JOIN orgs o ON o.id = r.org_id WHERE o.active = 1 AND "
	    "(r.topic_id = $1 OR (r.topic_id IS NULL AND (r.category_id = $2 OR "
	    "r.category_id IS NULL)))",
	    p, 2, out);
}

int store_territory_polygons(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(
	    c, a,
	    "SELECT id, parent_id, polygon FROM territories WHERE polygon IS NOT NULL "
	    "AND active = 1",
	    NULL, 0, out);
}

int store_territory_set_polygon(struct store_conn *c, int64_t id, const char *geojson, size_t len,
                                int64_t now)
{
	struct store_val v[] = {sv_int(id), geojson ? sv_textn(geojson, len) : sv_null(),
	                        sv_int(geojson ? 1 : 0), sv_int(now)};
	return store_query(c, NULL,
	                   "UPDATE territories SET polygon = $2, has_polygon = $3, updated_at = $4 "
	                   "WHERE id = $1",
	                   v, 4, NULL);
}
