/* routes.c: THE route table. One line per endpoint: method, path, handler, who may call it,
 * scope checked against the object, CSRF for cookie sessions, body limit, rate-limit class.
 * src/http/openapi.json describes the same endpoints (a unit test keeps them in step). */
#include "http/handlers.h"
#include "http/h_privacy.h"
/* area headers (one per helper area) */
#include "http/h_analytics.h"
#include "http/h_stream.h"
#include "http/h_alarms.h"
#include "http/h_ratings.h"
#include "http/h_projects.h"
#include "http/route.h"

#define KB  1024
#define MB  (1024 * 1024)
#define ADM ROLE_ADMIN
#define PUB PERM_PUBLIC
#define ANY PERM_AUTH
/* who works appeals: executors, supervisors (and coordinators), admins */
#define WORK  (ROLE_EXECUTOR | ROLE_SUPERVISOR | ROLE_ADMIN)
#define SUPER (ROLE_SUPERVISOR | ROLE_ADMIN)
#define COORD (ROLE_COORDINATOR | ROLE_ADMIN)
#define STAFF (ROLE_EXECUTOR | ROLE_SUPERVISOR | ROLE_COORDINATOR | ROLE_ADMIN)

/* clang-format off */
const struct route routes[] = {
	/* service */
	{ "GET",    "/healthz",                                h_healthz,        PUB, SCOPE_NONE,      false, 0,        RL_NONE },
	{ "GET",    "/livez",                                  h_livez,          PUB, SCOPE_NONE,      false, 0,        RL_NONE },
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
	/* personal data: deleting an account (docs/privacy.md); RL_AUTH: the password is checked */
	{ "DELETE", "/api/me",                                 h_me_delete,      ANY, SCOPE_NONE,      true,  4 * KB,   RL_AUTH },
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
	{ "DELETE", "/api/users/{id}",                         h_user_delete,    ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "POST",   "/api/users/{id}/roles",                   h_role_grant,     ADM, SCOPE_NONE,      true,  4 * KB,   RL_WRITE },
	{ "DELETE", "/api/users/{id}/roles/{grant_id}",        h_role_revoke,    ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "POST",   "/api/apikeys",                            h_apikey_create,  ADM, SCOPE_NONE,      true,  4 * KB,   RL_WRITE },
	{ "GET",    "/api/apikeys",                            h_apikey_list,    ADM, SCOPE_NONE,      false, 0,        RL_READ },
	{ "DELETE", "/api/apikeys/{id}",                       h_apikey_revoke,  ADM, SCOPE_NONE,      true,  0,        RL_WRITE },
	{ "GET",    "/api/audit",                              h_audit,          ADM, SCOPE_NONE,      false, 0,        RL_READ },
	/* appeals: submission, queues, the full appeal, attachments (docs/appeals.md) */
	{ "POST",   "/api/appeals",                            h_appeal_create,  ANY, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "GET",    "/api/appeals",                            h_appeal_list,    ANY, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/appeals/suggest",                    h_appeal_suggest, PUB, SCOPE_NONE,      false, 16 * KB,  RL_READ },
	{ "GET",    "/api/appeals/{id}",                       h_appeal_get,     ANY, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/api/appeals/{id}/similar",               h_appeal_similar, STAFF, SCOPE_NONE,    false, 0,        RL_READ },
	{ "GET",    "/api/appeals/{id}/assistant",             h_appeal_assistant, STAFF, SCOPE_NONE,  false, 0,        RL_READ },
	{ "POST",   "/api/assistant/plain",                    h_assistant_plain, STAFF, SCOPE_NONE,   true,  32 * KB,  RL_READ },
	{ "POST",   "/api/appeals/{id}/join",                  h_appeal_join,    ANY, SCOPE_NONE,      true,  1 * KB,   RL_WRITE },
	/* appeals: the workflow (the transition table is in src/appeals/appeal.c) */
	{ "POST",   "/api/appeals/{id}/route",                 h_appeal_action,  COORD, SCOPE_NONE,    true,  4 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/start",                 h_appeal_action,  WORK, SCOPE_NONE,     true,  1 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/assign",                h_appeal_action,  WORK, SCOPE_NONE,     true,  1 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/redirect",              h_appeal_action,  WORK | ROLE_COORDINATOR, SCOPE_NONE, true, 8 * KB, RL_WRITE },
	{ "POST",   "/api/appeals/{id}/notes",                 h_appeal_action,  STAFF, SCOPE_NONE,    true,  16 * KB,  RL_WRITE },
	{ "POST",   "/api/appeals/{id}/answers",               h_appeal_action,  WORK, SCOPE_NONE,     true,  32 * KB,  RL_WRITE },
	{ "POST",   "/api/appeals/{id}/approve",               h_appeal_action,  SUPER, SCOPE_NONE,    true,  8 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/return",                h_appeal_action,  SUPER, SCOPE_NONE,    true,  8 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/clarification",         h_appeal_action,  WORK, SCOPE_NONE,     true,  16 * KB,  RL_WRITE },
	{ "POST",   "/api/appeals/{id}/clarify",               h_appeal_action,  ANY, SCOPE_NONE,      true,  16 * KB,  RL_WRITE },
	{ "POST",   "/api/appeals/{id}/extend",                h_appeal_action,  WORK, SCOPE_NONE,     true,  8 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/reject",                h_appeal_action,  WORK | ROLE_COORDINATOR, SCOPE_NONE, true, 8 * KB, RL_WRITE },
	{ "POST",   "/api/appeals/{id}/merge",                 h_appeal_action,  WORK | ROLE_COORDINATOR, SCOPE_NONE, true, 1 * KB, RL_WRITE },
	{ "POST",   "/api/appeals/{id}/rating",                h_appeal_action,  ANY, SCOPE_NONE,      true,  8 * KB,   RL_WRITE },
	{ "POST",   "/api/appeals/{id}/rereview",              h_appeal_action,  SUPER, SCOPE_NONE,    true,  8 * KB,   RL_WRITE },
	{ "POST",   "/api/attachments",                        h_attachment_upload, ANY, SCOPE_NONE,   true,  10 * MB,  RL_WRITE },
	{ "GET",    "/api/attachments/{id}",                   h_attachment_get, ANY, SCOPE_NONE,      false, 0,        RL_READ },
	/* problems (clusters of appeals) */
	{ "GET",    "/api/problems",                           h_problem_list,   STAFF, SCOPE_NONE,    false, 0,        RL_READ },
	{ "GET",    "/api/problems/{id}",                      h_problem_get,    STAFF, SCOPE_NONE,    false, 0,        RL_READ },
	{ "POST",   "/api/problems/{id}/merge",                h_problem_merge,  COORD, SCOPE_NONE,    true,  1 * KB,   RL_WRITE },
	{ "POST",   "/api/problems/{id}/split",                h_problem_split,  COORD, SCOPE_NONE,    true,  64 * KB,  RL_WRITE },
	/* production calendar and deadline overrides */
	{ "GET",    "/api/calendar/{year}",                    h_calendar_get,   PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PUT",    "/api/calendar/{year}",                    h_calendar_put,   ADM, SCOPE_NONE,      true,  64 * KB,  RL_WRITE },
	{ "GET",    "/api/orgs/{id}/deadlines",                h_org_deadlines_get, PUB, SCOPE_NONE,   false, 0,        RL_READ },
	{ "PUT",    "/api/orgs/{id}/deadlines",                h_org_deadlines_put, ADM | ROLE_SUPERVISOR, SCOPE_ORG, true, 64 * KB, RL_WRITE },
	/* notifications and webhooks */
	{ "GET",    "/api/notifications",                      h_notifications_list, ANY, SCOPE_NONE,  false, 0,        RL_READ },
	{ "POST",   "/api/notifications/read",                 h_notifications_read, ANY, SCOPE_NONE,  true,  64 * KB,  RL_WRITE },
	{ "GET",    "/api/notifications/settings",             h_notify_settings_get, ANY, SCOPE_NONE, false, 0,        RL_READ },
	{ "PUT",    "/api/notifications/settings",             h_notify_settings_put, ANY, SCOPE_NONE, true,  1 * KB,   RL_WRITE },
	{ "GET",    "/api/webhooks",                           h_webhook_list,   ADM | ROLE_SUPERVISOR, SCOPE_ORG, false, 0, RL_READ },
	{ "POST",   "/api/webhooks",                           h_webhook_create, ADM | ROLE_SUPERVISOR, SCOPE_ORG, true, 8 * KB, RL_WRITE },
	{ "GET",    "/api/webhooks/{id}",                      h_webhook_get,    ADM | ROLE_SUPERVISOR, SCOPE_ORG, false, 0, RL_READ },
	{ "PATCH",  "/api/webhooks/{id}",                      h_webhook_update, ADM | ROLE_SUPERVISOR, SCOPE_ORG, true, 8 * KB, RL_WRITE },
	{ "DELETE", "/api/webhooks/{id}",                      h_webhook_delete, ADM | ROLE_SUPERVISOR, SCOPE_ORG, true, 0, RL_WRITE },
	{ "GET",    "/api/webhooks/{id}/deliveries",           h_webhook_deliveries, ADM | ROLE_SUPERVISOR, SCOPE_ORG, false, 0, RL_READ },
	/* Open311 GeoReport v2 (docs/open311.md); POST requests checks its api_key itself */
	{ "GET",    "/open311/v2/discovery.{format}",          h_o311_discovery, PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/open311/v2/services.{format}",           h_o311_services,  PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/open311/v2/services/{code}.{format}",    h_o311_service,   PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/open311/v2/requests.{format}",           h_o311_request_create, PUB, SCOPE_NONE, false, 64 * KB,  RL_WRITE },
	{ "GET",    "/open311/v2/requests.{format}",           h_o311_requests,  PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/open311/v2/requests/{id}.{format}",      h_o311_request,   PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/open311/v2/tokens/{token}.{format}",     h_o311_token,     PUB, SCOPE_NONE,      false, 0,        RL_READ },
	/* analytics: the live stream of an open dashboard (server-sent events) */
	{ "GET",    "/api/analytics/stream",                   h_analytics_stream, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	/* analytics: dashboard, exports, open data (docs/analytics.md) */
	/* @analytics-routes */
	{ "GET",    "/api/analytics/summary",                  h_analytics_summary, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	{ "GET",    "/api/analytics/series",                   h_analytics_series, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	{ "GET",    "/api/analytics/breakdown",                h_analytics_breakdown, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	{ "GET",    "/api/analytics/problems",                 h_analytics_problems, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	{ "GET",    "/api/analytics/problems/{id}/timeline",   h_analytics_problem_timeline, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	{ "GET",    "/api/opendata/appeals.csv",               h_opendata_appeals, PUB, SCOPE_NONE,    false, 0,        RL_READ },
	/* analytics: alarms (spikes and new problems) */
	/* @alarms-routes */
	{ "GET",    "/api/analytics/alarms",                   h_alarms_list,    ROLE_SUPERVISOR | ROLE_COORDINATOR | ROLE_ADMIN, SCOPE_NONE, false, 0, RL_READ },
	/* ratings (docs/ratings.md) */
	/* @ratings-routes */
	{ "GET",    "/api/ratings/regions",                    h_ratings_regions, PUB, SCOPE_NONE,     false, 0,        RL_READ },
	{ "GET",    "/api/ratings/regions/{id}",               h_ratings_region, PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "GET",    "/api/ratings/regions/{id}/appeals",       h_ratings_region_appeals, COORD, SCOPE_TERRITORY, false, 0, RL_READ },
	{ "GET",    "/api/ratings/bodies",                     h_ratings_bodies, SUPER | ROLE_COORDINATOR, SCOPE_NONE, false, 0, RL_READ },
	{ "GET",    "/api/ratings/executors",                  h_ratings_executors, SUPER, SCOPE_ORG,  false, 0,        RL_READ },
	{ "GET",    "/api/ratings/weights",                    h_ratings_weights_get, PUB, SCOPE_NONE, false, 0,        RL_READ },
	{ "PUT",    "/api/ratings/weights",                    h_ratings_weights_put, ADM, SCOPE_NONE, true,  16 * KB,  RL_WRITE },
	/* projects (docs/projects.md) */
	/* @projects-routes */
	{ "GET",    "/api/projects",                           h_project_list,   PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "POST",   "/api/projects",                           h_project_create, COORD, SCOPE_NONE,    true,  256 * KB, RL_WRITE },
	{ "GET",    "/api/projects/{id}",                      h_project_get,    PUB, SCOPE_NONE,      false, 0,        RL_READ },
	{ "PATCH",  "/api/projects/{id}",                      h_project_update, COORD, SCOPE_NONE,    true,  256 * KB, RL_WRITE },
	{ "POST",   "/api/projects/{id}/stages",               h_project_stage_add, COORD, SCOPE_NONE, true,  4 * KB,   RL_WRITE },
	{ "PATCH",  "/api/projects/{id}/stages/{sid}",         h_project_stage_update, COORD | ROLE_SUPERVISOR, SCOPE_NONE, true, 4 * KB, RL_WRITE },
	{ "POST",   "/api/projects/{id}/start",                h_project_start,  COORD, SCOPE_NONE,    true,  1 * KB,   RL_WRITE },
	{ "POST",   "/api/projects/{id}/complete",             h_project_complete, COORD, SCOPE_NONE,  true,  1 * KB,   RL_WRITE },
	{ "POST",   "/api/projects/{id}/feedback",             h_project_feedback, ANY, SCOPE_NONE,    true,  8 * KB,   RL_WRITE },
	{ "GET",    "/api/me/projects",                        h_me_projects,    ANY, SCOPE_NONE,      false, 0,        RL_READ },
};
/* clang-format on */

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
