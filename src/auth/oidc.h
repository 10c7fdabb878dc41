/* oidc.h: OpenID Connect login (authorization code + PKCE S256) against one configured
 * provider; id_token signed HS256 with the client secret; claims from the userinfo endpoint. */
#ifndef OTKLIK_AUTH_OIDC_H
#define OTKLIK_AUTH_OIDC_H

#include "core/arena.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct oidc_config {
	char issuer[256];
	char client_id[128];
	char client_secret[256];
	char name[128];         /* shown on the login button */
	char redirect_uri[300]; /* <public url>/auth/oidc/callback */
};

struct oidc_client;

/* NULL when cfg has no issuer (OIDC disabled). */
struct oidc_client *oidc_client_new(const struct oidc_config *cfg);
void oidc_client_free(struct oidc_client *c);
bool oidc_enabled(const struct oidc_client *c);
const char *oidc_name(const struct oidc_client *c);

/* Starts a login: stores state/nonce/verifier, returns the provider URL to redirect to
 * (arena-owned). next must be a local path ("/..."); anything else becomes "/". */
int oidc_begin(struct oidc_client *c, struct store *s, struct arena *a, const char *next,
               char **auth_url);
/* Finishes a login: checks state (single use), exchanges the code, verifies the id_token
 * (signature, iss, aud, exp, nonce), upserts the verified account. Returns 0 with the user
 * id and the local path to go to; ERR_UNAUTHORIZED (with *why) when anything is wrong. */
int oidc_finish(struct oidc_client *c, struct store *s, struct arena *a, const char *code,
                const char *state, const char *request_id, int64_t *user_id, const char **next,
                const char **why);

#endif
