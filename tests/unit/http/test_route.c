/* test_route.c: unit tests for http/route.c and the table in http/routes.c, including its
 * agreement with the embedded OpenAPI contract (src/http/openapi.json). */
#include <criterion/criterion.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "core/embed.h"
#include "http/route.h"

#include <jansson.h>
#include <string.h>

static struct arena a;

static void setup(void)
{
	arena_init(&a, 4096);
}

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(route, .init = setup, .fini = teardown);

static const struct route *find(const char *method, const char *path, const char **params,
                                size_t *np, bool *known)
{
	*np = 0;
	return route_match(method, path, params, np, &a, known);
}

Test(route, literal_paths)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known;
	const struct route *r = find("GET", "/healthz", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->pattern, "/healthz");
	cr_expect_str_eq(r->method, "GET");
	cr_expect_eq(np, 0);
	cr_expect(known);

	r = find("GET", "/", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->pattern, "/");

	r = find("POST", "/api/auth/login", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->method, "POST");
	cr_expect_str_eq(r->pattern, "/api/auth/login");

	/* The same path picks the route of the method. */
	r = find("PATCH", "/api/me", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->method, "PATCH");
	cr_expect(r->csrf);
	r = find("GET", "/api/me", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->method, "GET");
}

Test(route, unknown_paths_404)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known = true;
	static const char *const paths[] = {"/nope",
	                                    "/healthz/",
	                                    "/healthzz",
	                                    "/api/orgs/",
	                                    "/api/orgs//",
	                                    "/api/orgs/1/x",
	                                    "/API/orgs",
	                                    "",
	                                    "/static/",
	                                    "/static",
	                                    "/api/territories/1/polygon/x"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		known = true;
		cr_expect_null(find("GET", paths[i], params, &np, &known), "%s should not match",
		               paths[i]);
		cr_expect_not(known, "%s is not a known path", paths[i]);
	}
}

Test(route, id_parameter)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known;
	const struct route *r = find("GET", "/api/orgs/42", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->pattern, "/api/orgs/{id}");
	cr_assert_eq(np, 1);
	cr_expect_str_eq(params[0], "42");

	/* A parameter is one segment: any text but '/'. */
	r = find("DELETE", "/api/territories/abc", params, &np, &known);
	cr_assert_not_null(r);
	cr_assert_eq(np, 1);
	cr_expect_str_eq(params[0], "abc");

	r = find("GET", "/api/territories/7/polygon", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->pattern, "/api/territories/{id}/polygon");
	cr_assert_eq(np, 1);
	cr_expect_str_eq(params[0], "7");

	r = find("DELETE", "/api/users/5/roles/17", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->pattern, "/api/users/{id}/roles/{grant_id}");
	cr_assert_eq(np, 2);
	cr_expect_str_eq(params[0], "5");
	cr_expect_str_eq(params[1], "17");
}

Test(route, rest_parameter)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known;
	const struct route *r = find("GET", "/static/app.js", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->pattern, "/static/{*path}");
	cr_assert_eq(np, 1);
	cr_expect_str_eq(params[0], "app.js");

	r = find("GET", "/static/css/deep/x.css", params, &np, &known);
	cr_assert_not_null(r);
	cr_assert_eq(np, 1);
	cr_expect_str_eq(params[0], "css/deep/x.css", "{*path} takes the rest, slashes included");
}

Test(route, head_uses_get)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known;
	const struct route *r = find("HEAD", "/api/orgs/3", params, &np, &known);
	cr_assert_not_null(r);
	cr_expect_str_eq(r->method, "GET");
	cr_expect_null(find("HEAD", "/api/auth/login", params, &np, &known),
	               "HEAD has no POST fallback");
	cr_expect(known);
}

Test(route, method_not_allowed_detected)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known = false;
	cr_expect_null(find("DELETE", "/healthz", params, &np, &known));
	cr_expect(known, "405: the path exists with another method");
	known = false;
	cr_expect_null(find("PUT", "/api/orgs/9", params, &np, &known));
	cr_expect(known);
	known = false;
	cr_expect_null(find("GET", "/api/auth/login", params, &np, &known));
	cr_expect(known);
	known = false;
	cr_expect_null(find("get", "/healthz", params, &np, &known), "methods are case-sensitive");
	cr_expect(known);
}

Test(route, allow_lists_methods)
{
	cr_expect_str_eq(route_allow("/api/orgs/5", &a), "GET, PATCH, DELETE");
	cr_expect_str_eq(route_allow("/api/orgs", &a), "GET, POST");
	cr_expect_str_eq(route_allow("/api/territories/1/polygon", &a), "GET, PUT");
	cr_expect_str_eq(route_allow("/api/auth/login", &a), "POST");
	cr_expect_str_eq(route_allow("/nowhere", &a), "");
}

Test(route, index_of_route)
{
	const char *params[REQ_MAX_PARAMS];
	size_t np;
	bool known;
	const struct route *r = find("GET", "/api/audit", params, &np, &known);
	cr_assert_not_null(r);
	size_t i = route_index(r);
	cr_assert_lt(i, routes_count);
	cr_expect_eq(&routes[i], r);
}

Test(route, table_invariants)
{
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		bool write = strcmp(r->method, "GET") != 0;
		cr_expect_not_null(r->handler, "%s %s has a handler", r->method, r->pattern);
		cr_expect_eq(r->pattern[0], '/', "%s starts with /", r->pattern);
		/* Cookie-authenticated writes need CSRF protection; reads must not demand it. */
		if (write && r->perm != PERM_PUBLIC)
			cr_expect(r->csrf, "%s %s is an authenticated write without CSRF",
			          r->method, r->pattern);
		if (!write)
			cr_expect_not(r->csrf, "%s %s: GET with CSRF", r->method, r->pattern);
		if (!write)
			cr_expect_eq(r->body_limit, 0, "%s %s: GET accepts a body", r->method,
			             r->pattern);
		for (size_t k = i + 1; k < routes_count; k++)
			cr_expect(strcmp(r->method, routes[k].method) ||
			              strcmp(r->pattern, routes[k].pattern),
			          "duplicate route %s %s", r->method, r->pattern);
	}
}

/* --- consistency with the OpenAPI contract --------------------------------------------- */

static json_t *load_openapi(void)
{
	const struct embedded_file *f = embed_find("src/http/openapi.json");
	cr_assert_not_null(f, "openapi.json is embedded");
	json_error_t err;
	json_t *doc = json_loadb(f->data, f->len, 0, &err);
	cr_assert_not_null(doc, "openapi.json parses: %s (line %d)", err.text, err.line);
	cr_assert(json_is_object(json_object_get(doc, "paths")));
	return doc;
}

/* "/static/{*path}" -> "/static/{path}" (OpenAPI has no rest-of-path syntax). */
static const char *openapi_form(const char *pattern)
{
	char *o = arena_strdup(&a, pattern);
	char *w = o;
	for (const char *p = pattern; *p; p++) {
		if (p[0] == '*' && p > pattern && p[-1] == '{')
			continue;
		*w++ = *p;
	}
	*w = '\0';
	return o;
}

static const char *lower(const char *s)
{
	char *o = arena_strdup(&a, s);
	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return o;
}

static const char *upper(const char *s)
{
	char *o = arena_strdup(&a, s);
	for (char *p = o; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return o;
}

static bool is_http_method(const char *k)
{
	static const char *const m[] = {"get",   "put",  "post",    "delete",
	                                "patch", "head", "options", "trace"};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(k, m[i]))
			return true;
	return false;
}

/* The route an OpenAPI operation documents: same method and the same path, or, for a
 * route parameter that OpenAPI spells out as separate literal paths (/api/import/orgs for
 * /api/import/{collection}), the route whose pattern matches that path. */
static const struct route *route_for(const char *method, const char *path)
{
	for (size_t i = 0; i < routes_count; i++)
		if (!strcmp(routes[i].method, method) &&
		    !strcmp(openapi_form(routes[i].pattern), path))
			return &routes[i];
	if (strchr(path, '{'))
		return NULL;
	bool known;
	const char *params[REQ_MAX_PARAMS];
	size_t np = 0;
	const struct route *r = route_match(method, path, params, &np, &a, &known);
	/* HEAD -> GET fallback must not count as documenting a HEAD route. */
	return r && !strcmp(r->method, method) ? r : NULL;
}

Test(route, every_route_is_in_openapi)
{
	json_t *doc = load_openapi();
	json_t *paths = json_object_get(doc, "paths");
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		const char *m = lower(r->method);
		json_t *item = json_object_get(paths, openapi_form(r->pattern));
		if (json_is_object(json_object_get(item, m)))
			continue;
		/* A parameterised route may be documented as literal paths it matches. */
		bool found = false;
		const char *p;
		json_t *v;
		json_object_foreach(paths, p, v)
		{
			if (json_is_object(json_object_get(v, m)) && route_for(r->method, p) == r)
				found = true;
		}
		cr_expect(found, "route %s %s is missing from openapi.json", r->method, r->pattern);
	}
	json_decref(doc);
}

Test(route, every_openapi_operation_is_routed)
{
	json_t *doc = load_openapi();
	const char *p;
	json_t *item;
	size_t ops = 0;
	json_object_foreach(json_object_get(doc, "paths"), p, item)
	{
		const char *k;
		json_t *op;
		json_object_foreach(item, k, op)
		{
			if (!is_http_method(k))
				continue;
			ops++;
			cr_expect_not_null(
			    route_for(upper(k), p),
			    "openapi.json documents %s %s but routes[] has no such route", upper(k),
			    p);
		}
	}
	cr_expect_geq(ops, routes_count, "openapi.json documents at least every route");
	json_decref(doc);
}

/* The role mask an x-roles array stands for; PERM_PUBLIC / PERM_AUTH for the two keywords.
 * Returns false (with a message) when the array is malformed. */
static bool roles_mask(json_t *xr, unsigned *mask, const char **why)
{
	*mask = 0;
	*why = NULL;
	if (!json_is_array(xr) || json_array_size(xr) == 0) {
		*why = "x-roles missing or empty";
		return false;
	}
	size_t i;
	json_t *v;
	json_array_foreach(xr, i, v)
	{
		const char *name = json_string_value(v);
		if (!name) {
			*why = "x-roles holds a non-string";
			return false;
		}
		if (!strcmp(name, "public") || !strcmp(name, "authenticated")) {
			if (json_array_size(xr) != 1) {
				*why = "public/authenticated must stand alone";
				return false;
			}
			*mask = !strcmp(name, "public") ? PERM_PUBLIC : PERM_AUTH;
			return true;
		}
		unsigned role = role_from_name(name);
		if (!role) {
			*why = arena_printf(&a, "unknown role «%s»", name);
			return false;
		}
		if (strcmp(role_name(role), name)) {
			*why = "role_name does not round-trip";
			return false;
		}
		*mask |= role;
	}
	return true;
}

Test(route, openapi_roles_match_route_perm)
{
	json_t *doc = load_openapi();
	const char *p;
	json_t *item;
	json_object_foreach(json_object_get(doc, "paths"), p, item)
	{
		const char *k;
		json_t *op;
		json_object_foreach(item, k, op)
		{
			if (!is_http_method(k))
				continue;
			const struct route *r = route_for(upper(k), p);
			if (!r)
				continue; /* reported by every_openapi_operation_is_routed */
			unsigned mask;
			const char *why;
			bool ok = roles_mask(json_object_get(op, "x-roles"), &mask, &why);
			cr_expect(ok, "%s %s: %s", upper(k), p, why ? why : "");
			if (!ok)
				continue;
			cr_expect_eq(mask, r->perm, "%s %s: x-roles say 0x%x, routes[] says 0x%x",
			             upper(k), p, mask, r->perm);
			/* x-scope agrees with the route's scope. */
			const char *xs = json_string_value(json_object_get(op, "x-scope"));
			const char *want = r->scope == SCOPE_ORG         ? "org"
			                   : r->scope == SCOPE_TERRITORY ? "territory"
			                                                 : NULL;
			if (want)
				cr_expect(xs && !strcmp(xs, want), "%s %s: x-scope should be %s",
				          upper(k), p, want);
			else
				cr_expect_null(xs, "%s %s: x-scope %s but the route has no scope",
				               upper(k), p, xs);
		}
	}
	json_decref(doc);
}

Test(route, role_names_round_trip)
{
	for (unsigned i = 0; i < ROLE_COUNT; i++) {
		unsigned r = 1u << i;
		const char *n = role_name(r);
		cr_expect_str_neq(n, "unknown");
		cr_expect_eq(role_from_name(n), r, "%s", n);
	}
	cr_expect_eq(role_from_name("root"), 0);
	cr_expect_eq(role_from_name(NULL), 0);
	cr_expect_str_eq(role_name(ROLE_ADMIN | ROLE_CITIZEN), "unknown");
}
