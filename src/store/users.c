/* users.c: SQL for accounts, grants, sessions, API keys, OIDC states and the audit log. */
#include "store/users.h"
#include "store/backend.h"
#include "core/err.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS                                                                                  \
	"id, login, password_hash, name, email, phone, sex, birth_year, home_territory_id, "       \
	"verified, oidc_issuer, oidc_sub, created_at"

static void user_from_row(const struct store_rows *r, size_t i, struct user_row *u)
{
	memset(u, 0, sizeof(*u));
	u->id = store_rows_i64(r, i, 0);
	u->login = store_rows_get(r, i, 1);
	u->password_hash = store_rows_get(r, i, 2);
	u->name = store_rows_get(r, i, 3);
	u->email = store_rows_get(r, i, 4);
	u->phone = store_rows_get(r, i, 5);
	u->sex = store_rows_get(r, i, 6);
	u->birth_year = store_rows_i64(r, i, 7);
	u->home_territory_id = store_rows_i64(r, i, 8);
	u->verified = store_rows_i64(r, i, 9) != 0;
	u->oidc_issuer = store_rows_get(r, i, 10);
	u->oidc_sub = store_rows_get(r, i, 11);
	u->created_at = store_rows_i64(r, i, 12);
}

static int user_one(struct store_conn *c, struct arena *a, const char *sql,
                    const struct store_val *p, size_t np, struct user_row *out)
{
	struct store_rows r;
	int rc = store_query(c, a, sql, p, np, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	user_from_row(&r, 0, out);
	return 0;
}

int store_user_by_login(struct store_conn *c, struct arena *a, const char *login,
                        struct user_row *out)
{
	struct store_val p[] = {sv_text(login)};
	return user_one(c, a, "SELECT " USER_COLS " FROM users WHERE login = $1", p, 1, out);
}

int store_user_by_id(struct store_conn *c, struct arena *a, int64_t id, struct user_row *out)
{
	struct store_val p[] = {sv_int(id)};
	return user_one(c, a, "SELECT " USER_COLS " FROM users WHERE id = $1", p, 1, out);
}

int store_user_by_oidc(struct store_conn *c, struct arena *a, const char *issuer, const char *sub,
                       struct user_row *out)
{
	struct store_val p[] = {sv_text(issuer), sv_text(sub)};
	return user_one(c, a,
	                "SELECT " USER_COLS " FROM users WHERE oidc_issuer = $1 AND oidc_sub = $2",
	                p, 2, out);
}

static struct store_val opt_int(int64_t v)
{
	return v ? sv_int(v) : sv_null();
}

int store_user_insert(struct store_conn *c, struct arena *a, const struct user_row *u,
                      const char *search, int64_t now, int64_t *id)
{
	struct store_val p[] = {sv_text(u->login),
	                        sv_text(u->password_hash),
	                        sv_text(u->name),
	                        sv_text(u->email),
	                        sv_text(u->phone),
	                        sv_text(u->sex),
	                        opt_int(u->birth_year),
	                        opt_int(u->home_territory_id),
	                        sv_int(u->verified),
	                        sv_text(u->oidc_issuer),
	                        sv_text(u->oidc_sub),
	                        sv_text(search ? search : ""),
	                        sv_int(now)};
	struct store_rows r;
	int rc =
	    store_query(c, a,
	                "INSERT INTO users (login, password_hash, name, email, phone, sex, "
	                "birth_year, home_territory_id, verified, oidc_issuer, oidc_sub, search, "
	                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
	                "$10, $11, $12, $13, $13) RETURNING id",
	                p, 13, &r);
	if (rc)
		return rc;
	*id = store_rows_i64(&r, 0, 0);
	return 0;
}

int store_user_update(struct store_conn *c, const struct user_row *u, const char *search,
                      int64_t now)
{
	struct store_val p[] = {sv_int(u->id),
	                        sv_text(u->name),
	                        sv_text(u->email),
	                        sv_text(u->phone),
	                        sv_text(u->sex),
	                        opt_int(u->birth_year),
	                        opt_int(u->home_territory_id),
	                        sv_int(u->verified),
	                        sv_text(search ? search : ""),
	                        sv_int(now)};
	return store_query(c, NULL,
	                   "UPDATE users SET name = $2, email = $3, phone = $4, sex = $5, "
	                   "birth_year = $6, home_territory_id = $7, verified = $8, search = $9, "
	                   "updated_at = $10 WHERE id = $1",
	                   p, 10, NULL);
}

int store_user_list(struct store_conn *c, struct arena *a, const char *q, int64_t limit,
                    int64_t offset, struct user_row **rows, size_t *n, int64_t *total)
{
	char *pat = q && *q ? arena_printf(a, "%%%s%%", q) : NULL;
	struct store_val p[] = {sv_text(pat ? pat : "%"), sv_int(limit), sv_int(offset)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT " USER_COLS " FROM users WHERE search LIKE $1 ESCAPE '\\' "
	                     "ORDER BY id LIMIT $2 OFFSET $3",
	                     p, 3, &r);
	if (rc)
		return rc;
	*rows = arena_alloc(a, (r.nrows ? r.nrows : 1) * sizeof(**rows));
	for (size_t i = 0; i < r.nrows; i++)
		user_from_row(&r, i, &(*rows)[i]);
	*n = r.nrows;
	struct store_rows t;
	rc = store_query(c, a, "SELECT COUNT(*) FROM users WHERE search LIKE $1 ESCAPE '\\'", p, 1,
	                 &t);
	if (rc)
		return rc;
	*total = store_rows_i64(&t, 0, 0);
	return 0;
}

int store_grants_for_user(struct store_conn *c, struct arena *a, int64_t user_id,
                          struct grant **out, size_t *n)
{
	struct store_val p[] = {sv_int(user_id)};
	struct store_rows r;
	int rc =
	    store_query(c, a,
	                "SELECT id, role, org_id, territory_id FROM role_grants WHERE user_id = $1 "
	                "ORDER BY id",
	                p, 1, &r);
	if (rc)
		return rc;
	*out = arena_alloc(a, (r.nrows ? r.nrows : 1) * sizeof(**out));
	size_t k = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		unsigned role = role_from_name(store_rows_get(&r, i, 1));
		if (!role)
			continue;
		(*out)[k].id = store_rows_i64(&r, i, 0);
		(*out)[k].role = role;
		(*out)[k].org_id = store_rows_i64(&r, i, 2);
		(*out)[k].territory_id = store_rows_i64(&r, i, 3);
		k++;
	}
	*n = k;
	return 0;
}

/* Every change of role_grants: notify/outbox.c keeps who is notified while this stays the
 * same. */
static int grants_bump(struct store_conn *c)
{
	return store_version_bump(c, "grants_version");
}

int store_grant_insert(struct store_conn *c, int64_t user_id, unsigned role, int64_t org_id,
                       int64_t territory_id, int64_t now, int64_t *id)
{
	int rc = grants_bump(c);
	if (rc)
		return rc;
	struct store_val p[] = {sv_int(user_id), sv_text(role_name(role)), opt_int(org_id),
	                        opt_int(territory_id), sv_int(now)};
	return store_query_i64(c,
	                       "INSERT INTO role_grants (user_id, role, org_id, territory_id, "
	                       "created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
	                       p, 5, id);
}

int store_grant_delete(struct store_conn *c, int64_t user_id, int64_t grant_id)
{
	struct store_val p[] = {sv_int(grant_id), sv_int(user_id)};
	struct store_rows r;
	int rc = grants_bump(c);
	if (!rc)
		rc = store_query(c, NULL, "DELETE FROM role_grants WHERE id = $1 AND user_id = $2",
		                 p, 2, &r);
	if (rc)
		return rc;
	return r.changes ? 0 : ERR_NOTFOUND;
}

int store_grant_exists(struct store_conn *c, int64_t user_id, unsigned role, int64_t org_id,
                       int64_t territory_id, bool *exists)
{
	struct arena a;
	arena_init(&a, 512);
	struct store_val p[] = {sv_int(user_id), sv_text(role_name(role)), sv_int(org_id),
	                        sv_int(territory_id)};
	struct store_rows r;
	int rc = store_query(c, &a,
	                     "SELECT 1 FROM role_grants WHERE user_id = $1 AND role = $2 AND "
	                     "COALESCE(org_id, 0) = $3 AND COALESCE(territory_id, 0) = $4",
	                     p, 4, &r);
	if (!rc)
		*exists = r.nrows > 0;
	arena_release(&a);
	return rc;
}

int store_session_insert(struct store_conn *c, const char *token_hash, int64_t user_id,
                         const char *csrf, int64_t now, int64_t expires_at)
{
	struct store_val p[] = {sv_text(token_hash), sv_int(user_id), sv_text(csrf), sv_int(now),
	                        sv_int(expires_at)};
	return store_query(c, NULL,
	                   "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
	                   "expires_at) VALUES ($1, $2, $3, $4, $5)",
	                   p, 5, NULL);
}

int store_session_lookup(struct store_conn *c, struct arena *a, const char *token_hash, int64_t now,
                         int64_t *user_id, const char **csrf)
{
	struct store_val p[] = {sv_text(token_hash), sv_int(now)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "SELECT user_id, csrf_token FROM sessions WHERE token_hash = $1 AND "
	                     "expires_at > $2",
	                     p, 2, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*user_id = store_rows_i64(&r, 0, 0);
	*csrf = store_rows_get(&r, 0, 1);
	return 0;
}

int store_session_delete(struct store_conn *c, const char *token_hash)
{
	struct store_val p[] = {sv_text(token_hash)};
	return store_query(c, NULL, "DELETE FROM sessions WHERE token_hash = $1", p, 1, NULL);
}

int store_apikey_insert(struct store_conn *c, const char *name, const char *key_hash,
                        const char *prefix, int64_t org_id, const char *scopes, int64_t now,
                        int64_t *id)
{
	struct store_val p[] = {sv_text(name),   sv_text(key_hash), sv_text(prefix),
	                        opt_int(org_id), sv_text(scopes),   sv_int(now)};
	return store_query_i64(c,
	                       "INSERT INTO api_keys (name, key_hash, prefix, org_id, scopes, "
	                       "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
	                       p, 6, id);
}

int store_apikey_lookup(struct store_conn *c, struct arena *a, const char *key_hash, int64_t *id,
                        int64_t *org_id, const char **scopes, const char **name)
{
	struct store_val p[] = {sv_text(key_hash)};
	struct store_rows r;
	int rc =
	    store_query(c, a,
	                "SELECT id, org_id, scopes, name FROM api_keys WHERE key_hash = $1 AND "
	                "revoked_at IS NULL",
	                p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	*id = store_rows_i64(&r, 0, 0);
	*org_id = store_rows_i64(&r, 0, 1);
	*scopes = store_rows_get(&r, 0, 2);
	*name = store_rows_get(&r, 0, 3);
	return 0;
}

int store_apikey_revoke(struct store_conn *c, int64_t id, int64_t now, int64_t *changed)
{
	struct store_val p[] = {sv_int(id), sv_int(now)};
	struct store_rows r;
	int rc = store_query(
	    c, NULL, "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", p,
	    2, &r);
	*changed = rc ? 0 : r.changes;
	return rc;
}

int store_apikey_list(struct store_conn *c, struct arena *a, struct store_rows *out)
{
	return store_query(c, a,
	                   "SELECT id, name, prefix, org_id, scopes, created_at, revoked_at "
	                   "FROM api_keys ORDER BY id",
	                   NULL, 0, out);
}

int store_oidc_state_insert(struct store_conn *c, const char *state, const char *verifier,
                            const char *nonce, const char *next, int64_t now)
{
	struct store_val p[] = {sv_text(state), sv_text(verifier), sv_text(nonce), sv_text(next),
	                        sv_int(now)};
	int rc = store_query(c, NULL,
	                     "INSERT INTO oidc_states (state, verifier, nonce, next, created_at) "
	                     "VALUES ($1, $2, $3, $4, $5)",
	                     p, 5, NULL);
	if (rc)
		return rc;
	/* Forget abandoned logins. */
	struct store_val old[] = {sv_int(now - 3600 * 1000)};
	return store_query(c, NULL, "DELETE FROM oidc_states WHERE created_at < $1", old, 1, NULL);
}

int store_oidc_state_take(struct store_conn *c, struct arena *a, const char *state, int64_t now,
                          int64_t max_age_ms, const char **verifier, const char **nonce,
                          const char **next)
{
	struct store_val p[] = {sv_text(state)};
	struct store_rows r;
	int rc = store_query(c, a,
	                     "DELETE FROM oidc_states WHERE state = $1 RETURNING verifier, nonce, "
	                     "next, created_at",
	                     p, 1, &r);
	if (rc)
		return rc;
	if (!r.nrows || store_rows_i64(&r, 0, 3) < now - max_age_ms)
		return ERR_NOTFOUND;
	*verifier = store_rows_get(&r, 0, 0);
	*nonce = store_rows_get(&r, 0, 1);
	*next = store_rows_get(&r, 0, 2);
	return 0;
}

int store_audit_insert(struct store_conn *c, const struct audit_entry *e)
{
	struct store_val p[] = {
	    sv_int(e->at),           opt_int(e->actor_user_id), opt_int(e->actor_apikey_id),
	    sv_text(e->action),      sv_text(e->entity),        opt_int(e->entity_id),
	    sv_text(e->before_json), sv_text(e->after_json),    sv_text(e->request_id)};
	return store_send(
	    c,
	    "INSERT INTO audit_log (at, actor_user_id, actor_apikey_id, action, entity, "
	    "entity_id, before_json, after_json, request_id) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7, $8, $9)",
	    p, 9);
}

int store_audit_list(struct store_conn *c, struct arena *a, const char *entity, int64_t entity_id,
                     int64_t limit, int64_t offset, struct audit_entry **rows, size_t *n,
                     int64_t *total)
{
	/* Parameters: $1 limit, $2 offset, then the filters actually used. */
	struct store_val p[4] = {sv_int(limit), sv_int(offset)};
	size_t np = 2;
	const char *where = "", *cwhere = "";
	if (entity) {
		p[np++] = sv_text(entity);
		where = " WHERE entity = $3";
		cwhere = " WHERE entity = $1";
		if (entity_id) {
			p[np++] = sv_int(entity_id);
			where = " WHERE entity = $3 AND entity_id = $4";
			cwhere = " WHERE entity = $1 AND entity_id = $2";
		}
	}
	struct store_rows r;
	int rc = store_query(c, a,
	                     arena_printf(a,
	                                  "SELECT id, at, actor_user_id, actor_apikey_id, action, "
	                                  "entity, entity_id, before_json, after_json, request_id "
	                                  "FROM audit_log%s ORDER BY id DESC LIMIT $1 OFFSET $2",
	                                  where),
	                     p, np, &r);
	if (rc)
		return rc;
	*rows = arena_alloc(a, (r.nrows ? r.nrows : 1) * sizeof(**rows));
	for (size_t i = 0; i < r.nrows; i++) {
		struct audit_entry *e = &(*rows)[i];
		e->id = store_rows_i64(&r, i, 0);
		e->at = store_rows_i64(&r, i, 1);
		e->actor_user_id = store_rows_i64(&r, i, 2);
		e->actor_apikey_id = store_rows_i64(&r, i, 3);
		e->action = store_rows_get(&r, i, 4);
		e->entity = store_rows_get(&r, i, 5);
		e->entity_id = store_rows_i64(&r, i, 6);
		e->before_json = store_rows_get(&r, i, 7);
		e->after_json = store_rows_get(&r, i, 8);
		e->request_id = store_rows_get(&r, i, 9);
	}
	*n = r.nrows;
	struct store_rows t;
	rc = store_query(c, a, arena_printf(a, "SELECT COUNT(*) FROM audit_log%s", cwhere), p + 2,
	                 np - 2, &t);
	if (rc)
		return rc;
	*total = store_rows_i64(&t, 0, 0);
	return 0;
}

int store_org_parent(struct store_conn *c, int64_t id, int64_t *parent)
{
	struct store_val p[] = {sv_int(id)};
	return store_query_i64(c, "SELECT parent_id FROM orgs WHERE id = $1", p, 1, parent);
}

int store_territory_chain(struct store_conn *c, int64_t id, int64_t *chain, size_t max, size_t *n)
{
	*n = 0;
	struct store_val p[] = {sv_int(id), sv_int((int64_t)max)};
	struct arena a;
	arena_init(&a, 1024);
	struct store_rows r;
	int rc = store_query(c, &a,
	                     "WITH RECURSIVE ch(id, parent_id, depth) AS ("
	                     "SELECT id, parent_id, 0 FROM territories WHERE id = $1 "
	                     "UNION ALL SELECT t.id, t.parent_id, ch.depth + 1 FROM territories t "
	                     "JOIN ch ON t.id = ch.parent_id WHERE ch.depth + 1 < $2) "
	                     "SELECT id FROM ch ORDER BY depth",
	                     p, 2, &r);
	for (size_t i = 0; !rc && i < r.nrows && i < max; i++)
		chain[(*n)++] = store_rows_i64(&r, i, 0);
	arena_release(&a);
	return rc;
}

/* --- account deletion (docs/privacy.md) ------------------------------------------------- */

bool store_user_is_deleted(const struct user_row *u)
{
	return u->login && !strncmp(u->login, USER_DELETED_LOGIN, strlen(USER_DELETED_LOGIN));
}

int store_user_erase(struct store_conn *c, int64_t id, int64_t now)
{
	char login[48];
	snprintf(login, sizeof(login), USER_DELETED_LOGIN "%lld", (long long)id);
	struct store_val p[] = {sv_int(id), sv_text(login), sv_text(USER_DELETED_NAME),
	                        sv_int(now)};
	struct store_rows r;
	int rc = store_query(c, NULL,
	                     "UPDATE users SET login = $2, password_hash = NULL, name = $3, "
	                     "email = NULL, phone = NULL, birth_year = NULL, sex = NULL, "
	                     "home_territory_id = NULL, verified = 0, oidc_issuer = NULL, "
	                     "oidc_sub = NULL, search = '', updated_at = $4 WHERE id = $1 AND "
	                     "login NOT LIKE 'deleted:%'",
	                     p, 4, &r);
	if (!rc && r.changes)
		rc = grants_bump(c); /* its grants go below */
	if (rc)
		return rc;
	if (!r.changes)
		return ERR_NOTFOUND;
	/* $1 the account, $2 its placeholder login (a per-user e-mail target keeps the
	 * deliveries' UNIQUE (event_id, channel, target) satisfied). */
	static const char *const steps[] = {
	    "DELETE FROM sessions WHERE user_id = $1",
	    "DELETE FROM role_grants WHERE user_id = $1",
	    "DELETE FROM notification_settings WHERE user_id = $1",
	    "DELETE FROM notifications WHERE user_id = $1",
	    "UPDATE delivery_attempts SET error = NULL WHERE delivery_id IN (SELECT id FROM "
	    "deliveries WHERE user_id = $1 AND channel = 'email')",
	    "UPDATE deliveries SET target = $2, subject = NULL, payload = '', state = CASE WHEN "
	    "state = 'pending' THEN 'cancelled' ELSE state END, lease_owner = NULL, "
	    "lease_until = NULL WHERE user_id = $1 AND channel = 'email'",
	    "UPDATE appeals SET person_name = NULL, person_contact = NULL WHERE author_id = $1 AND "
	    "(person_name IS NOT NULL OR person_contact IS NOT NULL)",
	    "UPDATE audit_log SET before_json = CASE WHEN before_json IS NULL THEN NULL ELSE "
	    "'{\"redacted\":true}' END, after_json = CASE WHEN after_json IS NULL THEN NULL ELSE "
	    "'{\"redacted\":true}' END WHERE entity = 'user' AND entity_id = $1 AND "
	    "(before_json IS NOT NULL OR after_json IS NOT NULL)",
	};
	for (size_t i = 0; !rc && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = store_query(c, NULL, steps[i], p, strstr(steps[i], "$2") ? 2 : 1, NULL);
	return rc;
}

int store_session_created(struct store_conn *c, const char *token_hash, int64_t *created_at)
{
	struct store_val p[] = {sv_text(token_hash)};
	return store_query_i64(c, "SELECT created_at FROM sessions WHERE token_hash = $1", p, 1,
	                       created_at);
}
