/* session.h: passwords (argon2id), random tokens, cookie sessions, API keys, accounts. */
#ifndef OTKLIK_AUTH_SESSION_H
#define OTKLIK_AUTH_SESSION_H

#include "auth/actor.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/users.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SESSION_TTL_MS (14LL * 24 * 3600 * 1000)

/* Must be called once before any other auth function (initialises libsodium). */
int auth_init(void);
/* argon2id hash string (t=2, m=19 MiB) into the arena. */
int auth_password_hash(struct arena *a, const char *password, const char **out);
bool auth_password_verify(const char *hash, const char *password);
/* 32 random bytes, base64url, arena-owned. */
const char *auth_token_new(struct arena *a);
/* Hex BLAKE2b of a token (what the database stores). */
const char *auth_token_hash(struct arena *a, const char *token);
bool auth_token_equal(const char *a, const char *b);

/* Fills actor from a session cookie token / Bearer key. ERR_UNAUTHORIZED when unknown. */
int auth_session_authenticate(struct store *s, struct arena *a, const char *token,
                              struct actor *out);
int auth_apikey_authenticate(struct store *s, struct arena *a, const char *key, struct actor *out);
/* Loads grants and the role mask of a user into actor (citizen is implicit). */
int auth_load_actor(struct store_conn *c, struct arena *a, int64_t user_id, struct actor *out);

/* Checks the password; on success creates a session. ERR_UNAUTHORIZED when wrong. */
int auth_login(struct store *s, struct arena *a, const char *login, const char *password,
               const char *request_id, int64_t *user_id, const char **token, const char **csrf);
/* Creates a session for a user (after OIDC). */
int auth_session_start(struct store *s, struct arena *a, int64_t user_id, const char *request_id,
                       const char **token, const char **csrf);
int auth_logout(struct store *s, const struct actor *who);

/* A citizen account (ERR_CONFLICT when the login is taken; ERR_VALIDATION with field). */
int auth_register(struct store *s, struct arena *a, json_t *in, const char *request_id,
                  int64_t *user_id, const char **field, const char **message);
/* Profile update of the actor's own account (validated). */
int auth_profile_update(struct store *s, struct arena *a, const struct actor *who, json_t *in,
                        const char **field, const char **message);

/* The folded text that GET /api/users?q= searches (login, name, e-mail), arena-owned. */
const char *auth_user_search(struct arena *a, const struct user_row *u);

/* JSON views. */
json_t *auth_user_json(const struct user_row *u);
json_t *auth_roles_json(const struct actor *who);
json_t *auth_grants_json(const struct grant *g, size_t n);

/* Creates an API key; the key (shown once) is arena-owned. scopes: comma-separated roles. */
int auth_apikey_create(struct store *s, struct arena *a, const struct actor *who, const char *name,
                       int64_t org_id, const char *scopes, int64_t *id, const char **key,
                       const char **message, const char **field);

/* Revokes API key `id` (it stops working within a second everywhere: see
 * auth_apikey_authenticate); ERR_NOTFOUND when there is no such key, ERR_CONFLICT when it is
 * revoked already (*message says which). */
int auth_apikey_revoke(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                       const char **message);

/* Account creation for the demo and admin tools (password may be NULL). */
int auth_user_create_conn(struct store_conn *c, struct arena *a, const struct actor *who,
                          const char *login, const char *password, const char *name, bool verified,
                          int64_t *id);
int auth_grant_conn(struct store_conn *c, struct arena *a, const struct actor *who, int64_t user_id,
                    unsigned role, int64_t org_id, int64_t territory_id, int64_t *grant_id,
                    const char **message, const char **field);

/* Account deletion (docs/privacy.md): erases the personal data of user_id and ends its
 * sessions; its appeals stay, shown as by USER_DELETED_NAME; one audit entry "user.delete"
 * without personal data. self: the account deletes itself and must confirm with its password
 * (or, without a password, a login less than AUTH_RECENT_LOGIN_MS old); else who is an
 * administrator deleting another account. Errors (message and field set): ERR_VALIDATION
 * (field "password": wrong or missing confirmation), ERR_CONFLICT (an administrator's own
 * account), ERR_NOTFOUND (no such account, or deleted already). */
#define AUTH_RECENT_LOGIN_MS (15LL * 60 * 1000)
int auth_account_delete(struct store *s, struct arena *a, const struct actor *who, int64_t user_id,
                        bool self, const char *password, const char **field, const char **message);

#endif
