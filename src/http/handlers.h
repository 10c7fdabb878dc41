/* handlers.h: the endpoint handlers named in the route table. */
#ifndef OTKLIK_HTTP_HANDLERS_H
#define OTKLIK_HTTP_HANDLERS_H

#include "http/http.h"

int h_healthz(struct req *r);
int h_metrics(struct req *r);
int h_openapi(struct req *r);
int h_index(struct req *r);
int h_static(struct req *r);

int h_login(struct req *r);
int h_logout(struct req *r);
int h_register(struct req *r);
int h_providers(struct req *r);
int h_oidc_start(struct req *r);
int h_oidc_callback(struct req *r);
int h_me(struct req *r);
int h_me_update(struct req *r);

int h_reg_list(struct req *r);
int h_reg_get(struct req *r);
int h_reg_create(struct req *r);
int h_reg_update(struct req *r);
int h_reg_delete(struct req *r);
int h_polygon_put(struct req *r);
int h_polygon_get(struct req *r);
int h_route(struct req *r);
int h_import(struct req *r);

int h_users_list(struct req *r);
int h_user_get(struct req *r);
int h_role_grant(struct req *r);
int h_role_revoke(struct req *r);
int h_apikey_create(struct req *r);
int h_apikey_list(struct req *r);
int h_apikey_revoke(struct req *r);
int h_audit(struct req *r);

/* appeals (h_appeals.c) */
int h_livez(struct req *r);
int h_appeal_create(struct req *r);
int h_appeal_list(struct req *r);
int h_appeal_get(struct req *r);
int h_appeal_join(struct req *r);
int h_attachment_upload(struct req *r);
int h_attachment_get(struct req *r);
/* workflow actions (h_workflow.c) */
int h_appeal_action(struct req *r);
/* calendar and deadlines (h_calendar.c) */
int h_calendar_get(struct req *r);
int h_calendar_put(struct req *r);
int h_org_deadlines_get(struct req *r);
int h_org_deadlines_put(struct req *r);
/* notifications and webhooks (h_notify.c) */
int h_notifications_list(struct req *r);
int h_notifications_read(struct req *r);
int h_notify_settings_get(struct req *r);
int h_notify_settings_put(struct req *r);
int h_webhook_list(struct req *r);
int h_webhook_create(struct req *r);
int h_webhook_get(struct req *r);
int h_webhook_update(struct req *r);
int h_webhook_delete(struct req *r);
int h_webhook_deliveries(struct req *r);
/* Open311 GeoReport v2 (h_open311.c) */
int h_o311_discovery(struct req *r);
int h_o311_services(struct req *r);
int h_o311_service(struct req *r);
int h_o311_request_create(struct req *r);
int h_o311_requests(struct req *r);
int h_o311_request(struct req *r);
int h_o311_token(struct req *r);
/* text assistance and problems (h_assist.c) */
int h_appeal_suggest(struct req *r);
int h_appeal_similar(struct req *r);
int h_appeal_assistant(struct req *r);
int h_assistant_plain(struct req *r);
int h_problem_list(struct req *r);
int h_problem_get(struct req *r);
int h_problem_merge(struct req *r);
int h_problem_split(struct req *r);

#endif
