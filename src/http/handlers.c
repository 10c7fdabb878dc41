/* handlers.c: service, UI, authentication, registry, users, keys and audit endpoints. */
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"
#include "auth/oidc.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/utf8.h"
#include "http/ratelimit.h"
#include "registry/registry.h"
#include "store/users.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_COOKIE "otklik_session"

static int problem_fail(struct req *r, int rc, const struct problem *p)
{
	return http_fail(r, rc, p->message, p->field);
}

/* --- service --------------------------------------------------------------------------- */

int h_healthz(struct req *r)
{
	if (store_ping(r->store))
		return http_json(r, 503, json_pack("{s:s}", "status", "db_unavailable"));
	return http_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* Liveness without the database: the trivial handler the benchmarks compare with. */
int h_livez(struct req *r)
{
	return http_text(r, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

int h_metrics(struct req *r)
{
	struct buf b = BUF_INIT(0);
	metrics_render(&b, r->store);
	char *s = arena_strndup(r->a, b.data ? b.data : "", b.len);
	size_t n = b.len;
	buf_release(&b);
	return http_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", s, n);
}

int h_openapi(struct req *r)
{
	const struct embedded_file *f = embed_find("src/http/openapi.json");
	if (!f)
		return http_fail(r, ERR_NOTFOUND, "Описание API не собрано", NULL);
	return http_text(r, 200, "application/json; charset=utf-8", f->data, f->len);
}

static const char *content_type_for(const char *name)
{
	static const char *const map[][2] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".json", "application/json; charset=utf-8"},
	    {".woff2", "font/woff2"},
	    {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(dot, map[i][0]))
			return map[i][1];
	return "application/octet-stream";
}

static int serve_embedded(struct req *r, const char *name)
{
	const struct embedded_file *f = embed_find(name);
	if (!f)
		return http_fail(r, ERR_NOTFOUND, NULL, NULL);
	/* Content hash as ETag: assets change only with the binary. */
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < f->len; i++)
		h = (h ^ (unsigned char)f->data[i]) * 1099511628211ULL;
	const char *etag = arena_printf(r->a, "\"%016llx\"", (unsigned long long)h);
	http_add_header(r, "ETag", etag);
	http_add_header(r, "Cache-Control", "no-cache");
	const char *inm = http_header(r, "If-None-Match");
	if (inm && !strcmp(inm, etag))
		return http_text(r, 304, NULL, "", 0);
	return http_text(r, 200, content_type_for(name), f->data, f->len);
}

int h_index(struct req *r)
{
	return serve_embedded(r, "web/index.html");
}

int h_static(struct req *r)
{
	const char *p = r->params[0];
	if (strstr(p, "..") || strchr(p, '\\') || p[0] == '/')
		return http_fail(r, ERR_NOTFOUND, NULL, NULL);
	return serve_embedded(r, arena_printf(r->a, "web/%s", p));
}

/* --- authentication -------------------------------------------------------------------- */

static void set_session_cookie(struct req *r, const char *token, bool clear)
{
	const char *secure = r->srv->cfg.cookie_secure ? "; Secure" : "";
	if (clear)
		http_add_header(r, "Set-Cookie",
		                arena_printf(r->a,
		                             SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; "
		                                            "Max-Age=0%s",
		                             secure));
	else
		http_add_header(r, "Set-Cookie",
		                arena_printf(r->a,
		                             SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; "
		                                            "Max-Age=%lld%s",
		                             token, (long long)(SESSION_TTL_MS / 1000), secure));
}

static int me_json(struct req *r, int status, int64_t user_id, const char *csrf)
{
	struct store_conn *c;
	int rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct user_row u;
	struct actor who = {0};
	rc = store_user_by_id(c, r->a, user_id, &u);
	if (!rc)
		rc = auth_load_actor(c, r->a, user_id, &who);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	return http_json(r, status,
	                 json_pack("{s:o,s:o,s:s}", "user", auth_user_json(&u), "roles",
	                           auth_roles_json(&who), "csrf_token", csrf ? csrf : ""));
}

static bool login_rate_ok(struct req *r, const char *login)
{
	char key[160];
	snprintf(key, sizeof(key), "login:%.120s", login);
	return ratelimit_take(r->srv->rl, key, 10.0 / 60.0, 10);
}

int h_login(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *login = NULL, *password = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:s,s:s}", "login", &login, "password",
	                   &password)) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидаются поля login и password", NULL);
	}
	if (!login_rate_ok(r, login)) {
		json_decref(in);
		return http_fail(r, ERR_RATELIMIT, NULL, NULL);
	}
	int64_t uid;
	const char *token, *csrf;
	rc = auth_login(r->store, r->a, login, password, r->request_id, &uid, &token, &csrf);
	json_decref(in);
	if (rc == ERR_UNAUTHORIZED) {
		http_fail(r, rc, "Неверный логин или пароль", NULL);
		r->err_code = "invalid_credentials";
		return rc;
	}
	if (rc)
		return rc;
	set_session_cookie(r, token, false);
	return me_json(r, 200, uid, csrf);
}

int h_logout(struct req *r)
{
	int rc = auth_logout(r->store, &r->actor);
	if (rc)
		return rc;
	set_session_cookie(r, NULL, true);
	return http_no_content(r);
}

int h_register(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	int64_t uid;
	const char *field = NULL, *message = NULL;
	rc = auth_register(r->store, r->a, in, r->request_id, &uid, &field, &message);
	if (rc)
		http_fail(r, rc, message, field); /* before the decref: field may point into in */
	json_decref(in);
	if (rc)
		return rc;
	const char *token, *csrf;
	rc = auth_session_start(r->store, r->a, uid, r->request_id, &token, &csrf);
	if (rc)
		return rc;
	set_session_cookie(r, token, false);
	return me_json(r, 201, uid, csrf);
}

int h_providers(struct req *r)
{
	return http_json(r, 200,
	                 json_pack("{s:{s:b,s:s}}", "oidc", "enabled", oidc_enabled(r->srv->oidc),
	                           "name", oidc_name(r->srv->oidc)));
}

int h_oidc_start(struct req *r)
{
	if (!oidc_enabled(r->srv->oidc))
		return http_fail(r, ERR_NOTFOUND, "Вход через внешнего провайдера не настроен",
		                 NULL);
	char *url;
	int rc = oidc_begin(r->srv->oidc, r->store, r->a, http_query(r, "next"), &url);
	if (rc == ERR_UNAUTHORIZED)
		return http_fail(r, ERR_UNAVAILABLE, "Провайдер входа недоступен", NULL);
	if (rc)
		return rc;
	return http_redirect(r, url);
}

int h_oidc_callback(struct req *r)
{
	if (!oidc_enabled(r->srv->oidc))
		return http_fail(r, ERR_NOTFOUND, "Вход через внешнего провайдера не настроен",
		                 NULL);
	if (http_query(r, "error"))
		return http_fail(r, ERR_UNAUTHORIZED, "Провайдер отказал во входе", NULL);
	int64_t uid;
	const char *next, *why;
	int rc = oidc_finish(r->srv->oidc, r->store, r->a, http_query(r, "code"),
	                     http_query(r, "state"), r->request_id, &uid, &next, &why);
	if (rc == ERR_UNAUTHORIZED)
		return http_fail(
		    r, rc, arena_printf(r->a, "Не удалось войти через провайдера (%s)", why), NULL);
	if (rc)
		return rc;
	const char *token, *csrf;
	rc = auth_session_start(r->store, r->a, uid, r->request_id, &token, &csrf);
	if (rc)
		return rc;
	set_session_cookie(r, token, false);
	return http_redirect(r, next);
}

int h_me(struct req *r)
{
	if (!r->actor.user_id)
		return http_fail(r, ERR_UNAUTHORIZED, NULL, NULL);
	return me_json(r, 200, r->actor.user_id, r->actor.csrf_token);
}

int h_me_update(struct req *r)
{
	if (!r->actor.user_id)
		return http_fail(r, ERR_FORBIDDEN, "Профиль есть только у учётной записи", NULL);
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *field = NULL, *message = NULL;
	rc = auth_profile_update(r->store, r->a, &r->actor, in, &field, &message);
	if (rc)
		http_fail(r, rc, message, field); /* before the decref: field may point into in */
	json_decref(in);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct user_row u;
	rc = store_user_by_id(c, r->a, r->actor.user_id, &u);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	return http_json(r, 200, json_pack("{s:o}", "user", auth_user_json(&u)));
}

/* --- registry -------------------------------------------------------------------------- */

/* "/api/<coll>/..." -> descriptor. */
static const struct entity_desc *coll_of(struct req *r)
{
	const char *p = r->path + 5; /* after "/api/" */
	if (!strncmp(p, "import/", 7))
		p += 7;
	const char *slash = strchr(p, '/');
	char name[32];
	size_t n = slash ? (size_t)(slash - p) : strlen(p);
	if (n >= sizeof(name))
		return NULL;
	memcpy(name, p, n);
	name[n] = '\0';
	return registry_find(name);
}

static int paging(struct req *r, int64_t *limit, int64_t *offset)
{
	*limit = 50;
	*offset = 0;
	int rc = http_query_int(r, "limit", 1, 500, limit);
	if (!rc)
		rc = http_query_int(r, "offset", 0, 1000000000, offset);
	return rc;
}

int h_reg_list(struct req *r)
{
	const struct entity_desc *d = coll_of(r);
	struct list_query lq = {0};
	int rc = paging(r, &lq.limit, &lq.offset);
	if (rc)
		return rc;
	lq.q = http_query(r, "q");
	if (lq.q && strlen(lq.q) > 200)
		return http_fail(r, ERR_INVALID, "Слишком длинный поисковый запрос", "q");
	if (lq.q && !utf8_clean_text(lq.q, strlen(lq.q)))
		return http_fail(r, ERR_INVALID, "Недопустимые символы в запросе", "q");
	for (size_t i = 0; i < d->nfields; i++)
		if (d->fields[i].flags & FF_FILTER)
			lq.filter[i] = http_query(r, d->fields[i].name);
	json_t *out;
	struct problem p = {0};
	rc = registry_list(r->store, r->a, d, &lq, &out, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(r, 200, out);
}

int h_reg_get(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	json_t *out;
	struct problem p = {0};
	rc = registry_get(r->store, r->a, coll_of(r), id, &out, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(r, 200, out);
}

int h_reg_create(struct req *r)
{
	json_t *in, *out;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	struct problem p = {0};
	rc = registry_create(r->store, r->a, &r->actor, coll_of(r), in, &out, &p);
	json_decref(in);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(r, 201, out);
}

int h_reg_update(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	json_t *in, *out;
	rc = http_body_json(r, &in);
	if (rc)
		return rc;
	struct problem p = {0};
	rc = registry_update(r->store, r->a, &r->actor, coll_of(r), id, in, &out, &p);
	json_decref(in);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(r, 200, out);
}

int h_reg_delete(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	struct problem p = {0};
	rc = registry_delete(r->store, r->a, &r->actor, coll_of(r), id, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_no_content(r);
}

int h_polygon_put(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (!r->content_type || (strncasecmp(r->content_type, "application/json", 16) &&
	                         strncasecmp(r->content_type, "application/geo+json", 20)))
		return http_fail(r, ERR_MEDIATYPE, "Ожидается GeoJSON (application/geo+json)",
		                 NULL);
	struct problem p = {0};
	rc = registry_set_polygon(r->store, r->a, &r->actor, id, r->body, r->body_len, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_no_content(r);
}

int h_polygon_get(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	const char *g;
	struct problem p = {0};
	rc = registry_get_polygon(r->store, r->a, id, &g, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_text(r, 200, "application/json; charset=utf-8", g, strlen(g));
}

static int query_double(struct req *r, const char *name, double min, double max, bool *has,
                        double *out)
{
	const char *v = http_query(r, name);
	*has = false;
	if (!v || !*v)
		return 0;
	char *end;
	double x = strtod(v, &end);
	if (*end || !isfinite(x) || x < min || x > max)
		return http_fail(r, ERR_INVALID,
		                 arena_printf(r->a, "Параметр %s должен быть числом от %g до %g",
		                              name, min, max),
		                 name);
	*has = true;
	*out = x;
	return 0;
}

int h_route(struct req *r)
{
	int64_t topic = 0, territory = 0;
	int rc = http_query_int(r, "topic_id", 1, INT64_MAX, &topic);
	if (!rc)
		rc = http_query_int(r, "territory_id", 1, INT64_MAX, &territory);
	bool has_lat, has_lon;
	double lat = 0, lon = 0;
	if (!rc)
		rc = query_double(r, "lat", -90, 90, &has_lat, &lat);
	if (!rc)
		rc = query_double(r, "lon", -180, 180, &has_lon, &lon);
	if (rc)
		return rc;
	if (!topic)
		return http_fail(r, ERR_INVALID, "Укажите topic_id", "topic_id");
	if (has_lat != has_lon)
		return http_fail(r, ERR_INVALID, "Укажите обе координаты: lat и lon",
		                 has_lat ? "lon" : "lat");
	struct route_result res;
	struct problem p = {0};
	rc = registry_resolve(r->store, r->a, topic, territory, has_lat, lat, lon, &res, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(r, 200,
	                 json_pack("{s:o,s:o,s:o,s:s}", "org_id",
	                           res.org_id ? json_integer(res.org_id) : json_null(), "rule_id",
	                           res.rule_id ? json_integer(res.rule_id) : json_null(),
	                           "territory_id",
	                           res.territory_id ? json_integer(res.territory_id) : json_null(),
	                           "reason", res.reason));
}

int h_import(struct req *r)
{
	const struct entity_desc *d = coll_of(r);
	if (!d)
		return http_fail(r, ERR_NOTFOUND, "Неизвестный справочник", NULL);
	if (!r->content_type || strncasecmp(r->content_type, "text/csv", 8))
		return http_fail(r, ERR_MEDIATYPE, "Ожидается Content-Type: text/csv", NULL);
	int64_t ins, upd;
	struct problem p = {0};
	int rc =
	    registry_import_csv(r->store, r->a, &r->actor, d, r->body, r->body_len, &ins, &upd, &p);
	if (rc)
		return problem_fail(r, rc, &p);
	return http_json(
	    r, 200,
	    json_pack("{s:I,s:I}", "inserted", (json_int_t)ins, "updated", (json_int_t)upd));
}

/* --- users, roles, keys, audit -------------------------------------------------------- */

int h_users_list(struct req *r)
{
	int64_t limit, offset;
	int rc = paging(r, &limit, &offset);
	if (rc)
		return rc;
	const char *q = http_query(r, "q");
	if (q && (strlen(q) > 200 || !utf8_clean_text(q, strlen(q))))
		return http_fail(r, ERR_INVALID, "Некорректный поисковый запрос", "q");
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct user_row *rows;
	size_t n;
	int64_t total;
	char *pat = q && *q ? fold_like_pattern(r->a, q) : NULL;
	/* store_user_list wraps the pattern in % itself: strip ours. */
	if (pat) {
		pat[strlen(pat) - 1] = '\0';
		pat++;
	}
	rc = store_user_list(c, r->a, pat, limit, offset, &rows, &n, &total);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, auth_user_json(&rows[i]));
	return http_json(r, 200,
	                 json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total));
}

int h_user_get(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct user_row u;
	struct grant *g = NULL;
	size_t n = 0;
	rc = store_user_by_id(c, r->a, id, &u);
	if (!rc)
		rc = store_grants_for_user(c, r->a, id, &g, &n);
	store_conn_put(r->store, c);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Пользователь не найден", NULL);
	if (rc)
		return rc;
	return http_json(
	    r, 200,
	    json_pack("{s:o,s:o}", "user", auth_user_json(&u), "roles", auth_grants_json(g, n)));
}

struct grant_job {
	struct req *r;
	int64_t user_id, org_id, territory_id, grant_id;
	unsigned role;
	const char *message, *field;
};

static int grant_fn(struct store_conn *c, void *arg)
{
	struct grant_job *j = arg;
	j->message = NULL;
	return auth_grant_conn(c, j->r->a, &j->r->actor, j->user_id, j->role, j->org_id,
	                       j->territory_id, &j->grant_id, &j->message, &j->field);
}

int h_role_grant(struct req *r)
{
	struct grant_job j = {.r = r};
	int rc = http_param_id(r, 0, &j.user_id);
	if (rc)
		return rc;
	json_t *in;
	rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *role = NULL;
	json_t *org = NULL, *terr = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:s,s?o,s?o}", "role", &role, "org_id", &org,
	                   "territory_id", &terr) ||
	    (org && !json_is_integer(org) && !json_is_null(org)) ||
	    (terr && !json_is_integer(terr) && !json_is_null(terr))) {
		json_decref(in);
		return http_fail(r, ERR_INVALID,
		                 "Ожидаются поля role, org_id (число) и territory_id (число)",
		                 NULL);
	}
	j.role = role_from_name(role);
	j.org_id = json_integer_value(org);
	j.territory_id = json_integer_value(terr);
	json_decref(in);
	if (!j.role)
		return http_fail(r, ERR_VALIDATION, "Неизвестная роль", "role");
	rc = store_write(r->store, grant_fn, &j);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Пользователь не найден", NULL);
	if (rc)
		return http_fail(r, rc, j.message, j.field);
	struct grant g = {j.grant_id, j.role, j.org_id, j.territory_id};
	json_t *arr = auth_grants_json(&g, 1);
	json_t *one = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return http_json(r, 201, one);
}

struct revoke_job {
	struct req *r;
	int64_t user_id, grant_id;
};

static int revoke_fn(struct store_conn *c, void *arg)
{
	struct revoke_job *j = arg;
	int rc = store_grant_delete(c, j->user_id, j->grant_id);
	if (!rc) {
		json_t *before = json_pack("{s:I}", "user_id", (json_int_t)j->user_id);
		rc = audit_record(c, &j->r->actor, "revoke", "role_grant", j->grant_id, before,
		                  NULL);
		json_decref(before);
	}
	return rc;
}

int h_role_revoke(struct req *r)
{
	struct revoke_job j = {.r = r};
	int rc = http_param_id(r, 0, &j.user_id);
	if (!rc)
		rc = http_param_id(r, 1, &j.grant_id);
	if (rc)
		return rc;
	rc = store_write(r->store, revoke_fn, &j);
	if (rc == ERR_NOTFOUND)
		return http_fail(r, rc, "Роль не найдена", NULL);
	if (rc)
		return rc;
	return http_no_content(r);
}

int h_apikey_create(struct req *r)
{
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	const char *name = NULL;
	json_t *org = NULL, *scopes = NULL;
	json_error_t jerr;
	if (json_unpack_ex(in, &jerr, JSON_STRICT, "{s:s,s?o,s?o}", "name", &name, "org_id", &org,
	                   "scopes", &scopes) ||
	    (org && !json_is_integer(org) && !json_is_null(org)) ||
	    (scopes && !json_is_array(scopes))) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидаются поля name, org_id и scopes (массив)",
		                 NULL);
	}
	struct buf sc = BUF_INIT(4096);
	size_t i;
	json_t *s;
	json_array_foreach(scopes, i, s)
	{
		if (!json_is_string(s)) {
			buf_release(&sc);
			json_decref(in);
			return http_fail(r, ERR_INVALID, "scopes: ожидаются строки", "scopes");
		}
		buf_printf(&sc, "%s%s", i ? "," : "", json_string_value(s));
	}
	int64_t id;
	const char *key, *message = NULL, *field = NULL;
	const char *nm = arena_strdup(r->a, name);
	const char *scs = arena_strdup(r->a, sc.data ? sc.data : "");
	buf_release(&sc);
	int64_t org_id = json_integer_value(org);
	json_decref(in);
	rc = auth_apikey_create(r->store, r->a, &r->actor, nm, org_id, scs, &id, &key, &message,
	                        &field);
	if (rc)
		return http_fail(r, rc, message, rc == ERR_VALIDATION ? field : NULL);
	return http_json(r, 201,
	                 json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", nm, "key", key));
}

int h_apikey_list(struct req *r)
{
	struct store_conn *c;
	int rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct store_rows rows;
	rc = store_apikey_list(c, r->a, &rows);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < rows.nrows; i++) {
		json_t *scopes = json_array();
		char *dup = arena_strdup(r->a, store_rows_get(&rows, i, 4));
		for (char *save = NULL, *t = dup ? strtok_r(dup, ",", &save) : NULL; t;
		     t = strtok_r(NULL, ",", &save))
			json_array_append_new(scopes, json_string(t));
		json_array_append_new(
		    items, json_pack("{s:I,s:s,s:s,s:o,s:o,s:I,s:o}", "id",
		                     (json_int_t)store_rows_i64(&rows, i, 0), "name",
		                     store_rows_get(&rows, i, 1), "prefix",
		                     store_rows_get(&rows, i, 2), "org_id",
		                     store_rows_isnull(&rows, i, 3)
		                         ? json_null()
		                         : json_integer(store_rows_i64(&rows, i, 3)),
		                     "scopes", scopes, "created_at",
		                     (json_int_t)store_rows_i64(&rows, i, 5), "revoked_at",
		                     store_rows_isnull(&rows, i, 6)
		                         ? json_null()
		                         : json_integer(store_rows_i64(&rows, i, 6))));
	}
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

int h_apikey_revoke(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	const char *message = NULL;
	rc = auth_apikey_revoke(r->store, r->a, &r->actor, id, &message);
	if (rc)
		return http_fail(r, rc, message, NULL);
	return http_no_content(r);
}

static json_t *parse_or_null(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_loads(s, 0, NULL);
	return j ? j : json_null();
}

int h_audit(struct req *r)
{
	int64_t limit, offset, entity_id = 0;
	int rc = paging(r, &limit, &offset);
	if (!rc)
		rc = http_query_int(r, "entity_id", 1, INT64_MAX, &entity_id);
	if (rc)
		return rc;
	const char *entity = http_query(r, "entity");
	if (entity && (!*entity || strlen(entity) > 40))
		entity = NULL;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct audit_entry *rows;
	size_t n;
	int64_t total;
	rc = store_audit_list(c, r->a, entity, entity_id, limit, offset, &rows, &n, &total);
	store_conn_put(r->store, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		struct audit_entry *e = &rows[i];
		json_array_append_new(
		    items,
		    json_pack("{s:I,s:I,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:s?}", "id", (json_int_t)e->id,
		              "at", (json_int_t)e->at, "actor_user_id",
		              e->actor_user_id ? json_integer(e->actor_user_id) : json_null(),
		              "actor_apikey_id",
		              e->actor_apikey_id ? json_integer(e->actor_apikey_id) : json_null(),
		              "action", e->action, "entity", e->entity, "entity_id",
		              e->entity_id ? json_integer(e->entity_id) : json_null(), "before",
		              parse_or_null(e->before_json), "after", parse_or_null(e->after_json),
		              "request_id", e->request_id));
	}
	return http_json(r, 200,
	                 json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total));
}
