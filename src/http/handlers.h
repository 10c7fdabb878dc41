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
int h_audit(struct req *r);

#endif
