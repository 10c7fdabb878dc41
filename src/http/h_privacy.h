/* h_privacy.h: endpoints for personal data: deleting one's own account, an admin deleting one. */
#ifndef OTKLIK_HTTP_H_PRIVACY_H
#define OTKLIK_HTTP_H_PRIVACY_H

#include "http/http.h"

/* DELETE /api/me {password}: the caller deletes its own account (docs/privacy.md). */
int h_me_delete(struct req *r);
/* DELETE /api/users/{id}: an administrator deletes an account. */
int h_user_delete(struct req *r);

#endif
