/* h_privacy.c: account deletion endpoints; the rules are in auth_account_delete. */
#include "http/h_privacy.h"
#include "http/server.h"
#include "auth/session.h"
#include "core/err.h"

#include <string.h>

/* Same cookie as handlers.c/server.c set; deleting the account also ends this session. */
#define SESSION_COOKIE "otklik_session"

static int fail(struct req *r, int rc, const char *message, const char *field)
{
	/* ERR_DB and the like keep the framework's generic message. */
	if (message)
		return http_fail(r, rc, message, field);
	return rc;
}

int h_me_delete(struct req *r)
{
	if (!r->actor.user_id)
		return http_fail(r, ERR_FORBIDDEN,
		                 "Удалить можно только учётную запись пользователя", NULL);
	json_t *in;
	int rc = http_body_json(r, &in);
	if (rc)
		return rc;
	json_t *pw = json_object_get(in, "password");
	if (json_object_size(in) > (pw ? 1u : 0u) || (pw && !json_is_string(pw))) {
		json_decref(in);
		return http_fail(r, ERR_INVALID, "Ожидается только поле password (строка)", NULL);
	}
	const char *password = pw ? json_string_value(pw) : NULL;
	const char *field, *message;
	rc = auth_account_delete(r->store, r->a, &r->actor, r->actor.user_id, true, password,
	                         &field, &message);
	json_decref(in);
	if (rc)
		return fail(r, rc, message, field);
	const char *secure = r->srv->cfg.cookie_secure ? "; Secure" : "";
	http_add_header(
	    r, "Set-Cookie",
	    arena_printf(r->a, SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0%s",
	                 secure));
	return http_no_content(r);
}

int h_user_delete(struct req *r)
{
	int64_t id;
	int rc = http_param_id(r, 0, &id);
	if (rc)
		return rc;
	const char *field, *message;
	rc = auth_account_delete(r->store, r->a, &r->actor, id, false, NULL, &field, &message);
	if (rc)
		return fail(r, rc, message, field);
	return http_no_content(r);
}
