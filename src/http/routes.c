/* routes.c: THE route table. One line per endpoint: method, path, handler, who may call it,
 * scope checked against the object, CSRF for cookie sessions, body limit, rate-limit class.
 * src/http/openapi.json describes the same endpoints (a unit test keeps them in step). */
#include "http/handlers.h"
#include "http/route.h"

#define KB  1024
#define MB  (1024 * 1024)
#define ADM ROLE_ADMIN
#define PUB PERM_PUBLIC
#define ANY PERM_AUTH

/* clang-format off */
const struct route routes[] = {
	/* service */
	{ "GET",    "/healthz",                                h_healthz,        PUB, SCOPE_NONE,      false, 0,        RL_NONE },
	{ "GET",    "/metrics",                                h_metrics,        PUB, SCOPE_NONE,      false, 0,        RL_NONE },
	{ "GET",    "/api/openapi.json",                       h_openapi,        PUB, SCOPE_NONE,      false, 0,        RL_READ },
	/* the embedded UI */
	{ "GET",    "/",                                       h_index,          PUB, SCOPE_NONE,      false, 0,        RL_NONE },
	{ "GET",    "/static/{*path}",                         h_static,         PUB, SCOPE_NONE,      false, 0,        RL_NONE },
	/* authentication and profile */
	{ "POST",   "/api/auth/login",                         h_login,          PUB, SCOPE_NONE,      false, 4 * KB,   RL_AUTH },
	{ "POST",   "/api/auth/logout",                        h_logout,         ANY, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "POST",   "/api/auth/register",                      h_register,       PUB, SCOPE_NONE,      false, 4 * KB,   RL_AUTH },
	{ "GET",    "/api/auth/providers",                     h_providers,      PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/auth/oidc/start",                        h_oidc_start,     PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/auth/oidc/callback",                     h_oidc_callback,  PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/api/me",                                 h_me,             ANY, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/me",                                 h_me_update,      ANY, SCOPE_NONE,      true,  8 * KB,   RL_WRITE },
	/* registry: territories */
	{ "GET",    "/api/territories",                        h_reg_list,       PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/territories",                        h_reg_create,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "GET",    "/api/territories/{id}",                   h_reg_get,        PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/territories/{id}",                   h_reg_update,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "DELETE", "/api/territories/{id}",                   h_reg_delete,     ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "GET",    "/api/territories/{id}/polygon",           h_polygon_get,    PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PUT",    "/api/territories/{id}/polygon",           h_polygon_put,    ADM, SCOPE_NONE,      true,  8 * MB,   RL_WRITE },
	/* registry: organisations */
	{ "GET",    "/api/orgs",                               h_reg_list,       PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/orgs",                               h_reg_create,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "GET",    "/api/orgs/{id}",                          h_reg_get,        PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/orgs/{id}",                          h_reg_update,     ADM | ROLE_SUPERVISOR, SCOPE_ORG, true, 16 * KB, RL_WRITE },
	{ "DELETE", "/api/orgs/{id}",                          h_reg_delete,     ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	/* registry: rubricator */
	{ "GET",    "/api/categories",                         h_reg_list,       PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/categories",                         h_reg_create,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "GET",    "/api/categories/{id}",                    h_reg_get,        PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/categories/{id}",                    h_reg_update,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "DELETE", "/api/categories/{id}",                    h_reg_delete,     ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "GET",    "/api/topics",                             h_reg_list,       PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/topics",                             h_reg_create,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "GET",    "/api/topics/{id}",                        h_reg_get,        PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/topics/{id}",                        h_reg_update,     ADM, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "DELETE", "/api/topics/{id}",                        h_reg_delete,     ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	/* registry: competence rules and the resolver */
	{ "GET",    "/api/rules",                              h_reg_list,       PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/rules",                              h_reg_create,     ADM | ROLE_COORDINATOR, SCOPE_TERRITORY, true, 16 * KB, RL_WRITE },
	{ "GET",    "/api/rules/{id}",                         h_reg_get,        PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/rules/{id}",                         h_reg_update,     ADM | ROLE_COORDINATOR, SCOPE_TERRITORY, true, 16 * KB, RL_WRITE },
	{ "DELETE", "/api/rules/{id}",                         h_reg_delete,     ADM | ROLE_COORDINATOR, SCOPE_TERRITORY, true, 0, RL_WRITE },
	{ "GET",    "/api/route",                              h_route,          PUB, SCOPE_NONE,      false, 0,        RL_READ },
	/* CSV import */
	{ "POST",   "/api/import/{collection}",                h_import,         ADM, SCOPE_NONE,      true,  16 * MB,  RL_WRITE },
	/* users, roles, API keys, audit */
	{ "GET",    "/api/users",                              h_users_list,     ADM, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/api/users/{id}",                         h_user_get,       ADM, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/users/{id}/roles",                   h_role_grant,     ADM, SCOPE_NONE,      true,  4 * KB,   RL_WRITE },
	{ "DELETE", "/api/users/{id}/roles/{grant_id}",        h_role_revoke,    ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "POST",   "/api/apikeys",                            h_apikey_create,  ADM, SCOPE_NONE,      true,  4 * KB,   RL_WRITE },
	{ "GET",    "/api/audit",                              h_audit,          ADM, SCOPE_NONE,      false, 0,        RL_READ },
};
/* clang-format on */

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
