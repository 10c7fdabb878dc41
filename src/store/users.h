/* users.h: SQL for accounts, role grants, sessions, API keys, OIDC login states, the audit log. */
#ifndef OTKLIK_STORE_USERS_H
#define OTKLIK_STORE_USERS_H

#include "auth/actor.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct user_row {
	int64_t id;
	const char *login, *password_hash, *name, *email, *phone, *sex;
	int64_t birth_year;        /* 0 = unknown */
	int64_t home_territory_id; /* 0 = none */
	bool verified;
	const char *oidc_issuer, *oidc_sub;
	int64_t created_at;
};

/* ERR_NOTFOUND when absent. Strings are arena-owned. */
int store_user_by_login(struct store_conn *c, struct arena *a, const char *login,
                        struct user_row *out);
int store_user_by_id(struct store_conn *c, struct arena *a, int64_t id, struct user_row *out);
int store_user_by_oidc(struct store_conn *c, struct arena *a, const char *issuer, const char *sub,
                       struct user_row *out);
/* ERR_CONFLICT when the login is taken. search is the folded text used by list q=. */
int store_user_insert(struct store_conn *c, struct arena *a, const struct user_row *u,
                      const char *search, int64_t now, int64_t *id);
/* Updates profile fields and verified flag of u->id. */
int store_user_update(struct store_conn *c, const struct user_row *u, const char *search,
                      int64_t now);
/* Page of users matching the folded q (may be NULL). */
int store_user_list(struct store_conn *c, struct arena *a, const char *q, int64_t limit,
                    int64_t offset, struct user_row **rows, size_t *n, int64_t *total);

int store_grants_for_user(struct store_conn *c, struct arena *a, int64_t user_id,
                          struct grant **out, size_t *n);
int store_grant_insert(struct store_conn *c, int64_t user_id, unsigned role, int64_t org_id,
                       int64_t territory_id, int64_t now, int64_t *id);
/* ERR_NOTFOUND when the grant is not the user's. */
int store_grant_delete(struct store_conn *c, int64_t user_id, int64_t grant_id);
/* True when the user already holds exactly this grant. */
int store_grant_exists(struct store_conn *c, int64_t user_id, unsigned role, int64_t org_id,
                       int64_t territory_id, bool *exists);

int store_session_insert(struct store_conn *c, const char *token_hash, int64_t user_id,
                         const char *csrf, int64_t now, int64_t expires_at);
/* ERR_NOTFOUND when unknown or expired. */
int store_session_lookup(struct store_conn *c, struct arena *a, const char *token_hash, int64_t now,
                         int64_t *user_id, const char **csrf);
int store_session_delete(struct store_conn *c, const char *token_hash);

int store_apikey_insert(struct store_conn *c, const char *name, const char *key_hash,
                        const char *prefix, int64_t org_id, const char *scopes, int64_t now,
                        int64_t *id);
/* A key that is not revoked, by its hash: its id, organisation, scopes and name (arena-owned);
 * ERR_NOTFOUND when none. */
int store_apikey_lookup(struct store_conn *c, struct arena *a, const char *key_hash, int64_t *id,
                        int64_t *org_id, const char **scopes, const char **name);
/* Marks key `id` revoked at `now`; *changed = 0 when it does not exist or was revoked already. */
int store_apikey_revoke(struct store_conn *c, int64_t id, int64_t now, int64_t *changed);
/* Every key, oldest first: columns id, name, prefix, org_id, scopes, created_at, revoked_at. */
int store_apikey_list(struct store_conn *c, struct arena *a, struct store_rows *out);

int store_oidc_state_insert(struct store_conn *c, const char *state, const char *verifier,
                            const char *nonce, const char *next, int64_t now);
/* Deletes and returns the state (single use); ERR_NOTFOUND when unknown or older than max_age. */
int store_oidc_state_take(struct store_conn *c, struct arena *a, const char *state, int64_t now,
                          int64_t max_age_ms, const char **verifier, const char **nonce,
                          const char **next);

struct audit_entry {
	int64_t id; /* set by store_audit_list */
	int64_t at, actor_user_id, actor_apikey_id, entity_id;
	const char *action, *entity, *before_json, *after_json, *request_id;
};
int store_audit_insert(struct store_conn *c, const struct audit_entry *e);
/* entity may be NULL (all); entity_id 0 = all. Newest first. */
int store_audit_list(struct store_conn *c, struct arena *a, const char *entity, int64_t entity_id,
                     int64_t limit, int64_t offset, struct audit_entry **rows, size_t *n,
                     int64_t *total);

/* Parent of an organisation (0 when none). ERR_NOTFOUND when id is unknown. */
int store_org_parent(struct store_conn *c, int64_t id, int64_t *parent);
/* A territory and its ancestors (id first), at most max, in one query: *n = 0 when the
 * territory does not exist. */
int store_territory_chain(struct store_conn *c, int64_t id, int64_t *chain, size_t max, size_t *n);

/* --- account deletion (docs/privacy.md) ------------------------------------------------- */

/* A deleted account keeps its row (appeals, answers and the timeline point at it) under a
 * login no one can register (':' is not allowed in logins) and this display name. */
#define USER_DELETED_LOGIN "deleted:"
#define USER_DELETED_NAME  "Пользователь удалён"

/* True when u is a deleted account. */
bool store_user_is_deleted(const struct user_row *u);
/* Erases the personal data of account id, inside the caller's write job: name, e-mail,
 * phone, birth year, sex, home territory, password hash and OIDC link are replaced by the
 * placeholders above or NULL; sessions, role grants, notification settings and in-app
 * notifications are deleted; its e-mail deliveries lose address and text (pending ones are
 * cancelled); the person fields of appeals it authored are cleared; the audit entries about
 * the account are redacted. Appeals themselves stay. ERR_NOTFOUND when there is no such
 * account or it was deleted already. */
int store_user_erase(struct store_conn *c, int64_t id, int64_t now);
/* Creation time of a live session (for "recently logged in"); ERR_NOTFOUND when unknown. */
int store_session_created(struct store_conn *c, const char *token_hash, int64_t *created_at);

#endif
