/* oidc.c: OpenID Connect relying party: discovery, authorization code + PKCE (S256),
 * token exchange, HS256 id_token verification (iss, aud, exp, nonce), userinfo claims. */
#include "auth/oidc.h"
#include "audit/audit.h"
#include "auth/session.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/users.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define STATE_MAX_AGE_MS (10 * 60 * 1000)

struct oidc_client {
	struct oidc_config cfg;
	pthread_mutex_t lock;
	char *authorization_endpoint, *token_endpoint, *userinfo_endpoint;
};

struct oidc_client *oidc_client_new(const struct oidc_config *cfg)
{
	if (!cfg->issuer[0])
		return NULL;
	struct oidc_client *c = xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	pthread_mutex_init(&c->lock, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return c;
}

void oidc_client_free(struct oidc_client *c)
{
	if (!c)
		return;
	free(c->authorization_endpoint);
	free(c->token_endpoint);
	free(c->userinfo_endpoint);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

bool oidc_enabled(const struct oidc_client *c)
{
	return c != NULL;
}

const char *oidc_name(const struct oidc_client *c)
{
	return c && c->cfg.name[0] ? c->cfg.name : "OpenID Connect";
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	return buf_append(b, p, size * n) ? 0 : size * n;
}

/* GET or POST (form body) with timeouts, no redirects, http(s) only. JSON result. */
static int http_json_call(const char *url, const char *form, const char *bearer, json_t **out)
{
	CURL *h = curl_easy_init();
	if (!h)
		return ERR_INTERNAL;
	struct buf b = BUF_INIT(1 << 20);
	struct curl_slist *hdr = NULL;
	char *auth = NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (bearer) {
		size_t n = strlen(bearer) + 32;
		auth = xmalloc(n);
		snprintf(auth, n, "Authorization: Bearer %s", bearer);
		hdr = curl_slist_append(hdr, auth);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (form)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	free(auth);
	curl_easy_cleanup(h);
	int rc = 0;
	if (cc != CURLE_OK || status != 200) {
		log_warn("oidc_http", "%s: curl %d, status %ld", url, (int)cc, status);
		rc = ERR_UNAUTHORIZED;
	} else {
		*out = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			rc = ERR_UNAUTHORIZED;
		}
	}
	buf_release(&b);
	return rc;
}

static int discover(struct oidc_client *c)
{
	pthread_mutex_lock(&c->lock);
	int rc = 0;
	if (!c->token_endpoint) {
		char url[400];
		size_t n = strlen(c->cfg.issuer);
		snprintf(url, sizeof(url), "%s%s.well-known/openid-configuration", c->cfg.issuer,
		         n && c->cfg.issuer[n - 1] == '/' ? "" : "/");
		json_t *d = NULL;
		rc = http_json_call(url, NULL, NULL, &d);
		if (!rc) {
			const char *ae =
			    json_string_value(json_object_get(d, "authorization_endpoint"));
			const char *te = json_string_value(json_object_get(d, "token_endpoint"));
			const char *ue = json_string_value(json_object_get(d, "userinfo_endpoint"));
			const char *iss = json_string_value(json_object_get(d, "issuer"));
			if (!ae || !te || !iss || strcmp(iss, c->cfg.issuer)) {
				log_warn("oidc_discovery",
				         "incomplete document or issuer mismatch");
				rc = ERR_UNAUTHORIZED;
			} else {
				c->authorization_endpoint = xstrdup(ae);
				c->token_endpoint = xstrdup(te);
				c->userinfo_endpoint = ue ? xstrdup(ue) : NULL;
			}
		}
		json_decref(d);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static char *url_escape(struct arena *a, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *r = arena_strdup(a, e ? e : "");
	curl_free(e);
	return r;
}

static const char *b64url(struct arena *a, const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, len);
	sodium_bin2base64(out, len, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static const char *pkce_challenge(struct arena *a, const char *verifier)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	return b64url(a, h, sizeof(h));
}

struct begin_job {
	const char *state, *verifier, *nonce, *next;
};

static int begin_fn(struct store_conn *c, void *arg)
{
	struct begin_job *j = arg;
	return store_oidc_state_insert(c, j->state, j->verifier, j->nonce, j->next, clock_now_ms());
}

static bool local_path(const char *next)
{
	return next && next[0] == '/' && next[1] != '/' && next[1] != '\\' && strlen(next) < 500 &&
	       !strpbrk(next, "\r\n");
}

int oidc_begin(struct oidc_client *c, struct store *s, struct arena *a, const char *next,
               char **auth_url)
{
	int rc = discover(c);
	if (rc)
		return rc;
	struct begin_job j = {auth_token_new(a), auth_token_new(a), auth_token_new(a),
	                      local_path(next) ? next : "/"};
	rc = store_write(s, begin_fn, &j);
	if (rc)
		return rc;
	*auth_url = arena_printf(
	    a,
	    "%s%cresponse_type=code&client_id=%s&redirect_uri=%s&scope=%s&state=%s&nonce=%s&"
	    "code_challenge=%s&code_challenge_method=S256",
	    c->authorization_endpoint, strchr(c->authorization_endpoint, '?') ? '&' : '?',
	    url_escape(a, c->cfg.client_id), url_escape(a, c->cfg.redirect_uri),
	    url_escape(a, "openid profile email phone"), j.state, j.nonce,
	    pkce_challenge(a, j.verifier));
	return 0;
}

/* Decodes a base64url segment into a NUL-terminated arena string (NULL when invalid). */
static char *b64url_decode(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	unsigned char *out = arena_alloc(a, n + 1);
	size_t len = 0;
	if (sodium_base642bin(out, n, s, n, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return NULL;
	out[len] = '\0';
	if (outlen)
		*outlen = len;
	return (char *)out;
}

/* Verifies an HS256 JWT with the client secret; returns its claims or NULL. */
static json_t *jwt_verify_hs256(struct arena *a, const char *jwt, const char *secret,
                                const char **why)
{
	const char *d1 = strchr(jwt, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d2 || strchr(d2 + 1, '.')) {
		*why = "malformed id_token";
		return NULL;
	}
	char *header = b64url_decode(a, jwt, (size_t)(d1 - jwt), NULL);
	json_t *h = header ? json_loads(header, 0, NULL) : NULL;
	const char *alg = json_string_value(json_object_get(h, "alg"));
	if (!alg || strcmp(alg, "HS256")) {
		json_decref(h);
		*why = "unsupported id_token algorithm";
		return NULL;
	}
	json_decref(h);
	size_t siglen = 0;
	char *sig = b64url_decode(a, d2 + 1, strlen(d2 + 1), &siglen);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)jwt, (size_t)(d2 - jwt));
	crypto_auth_hmacsha256_final(&st, mac);
	if (!sig || siglen != sizeof(mac) || sodium_memcmp(sig, mac, sizeof(mac)) != 0) {
		*why = "bad id_token signature";
		return NULL;
	}
	char *payload = b64url_decode(a, d1 + 1, (size_t)(d2 - d1 - 1), NULL);
	json_t *claims = payload ? json_loads(payload, 0, NULL) : NULL;
	if (!json_is_object(claims)) {
		json_decref(claims);
		*why = "malformed id_token claims";
		return NULL;
	}
	return claims;
}

struct finish_job {
	struct arena *a;
	const char *issuer, *sub, *name, *email, *phone, *sex, *request_id;
	int64_t birth_year, user_id;
};

static int finish_fn(struct store_conn *c, void *arg)
{
	struct finish_job *j = arg;
	struct user_row u;
	int rc = store_user_by_oidc(c, j->a, j->issuer, j->sub, &u);
	json_t *before = NULL;
	if (rc == ERR_NOTFOUND) {
		memset(&u, 0, sizeof(u));
		u.login = arena_printf(j->a, "oidc-%s", auth_token_new(j->a));
		u.oidc_issuer = j->issuer;
		u.oidc_sub = j->sub;
		u.verified = true;
		rc = store_user_insert(c, j->a, &u, auth_user_search(j->a, &u), clock_now_ms(),
		                       &u.id);
		if (rc)
			return rc;
	} else if (rc) {
		return rc;
	} else {
		before = auth_user_json(&u);
	}
	/* The provider's verified identity refreshes the profile. */
	if (j->name)
		u.name = j->name;
	if (j->email)
		u.email = j->email;
	if (j->phone)
		u.phone = j->phone;
	if (j->sex)
		u.sex = j->sex;
	if (j->birth_year)
		u.birth_year = j->birth_year;
	u.verified = true;
	rc = store_user_update(c, &u, auth_user_search(j->a, &u), clock_now_ms());
	if (!rc) {
		struct actor who = {.user_id = u.id, .request_id = j->request_id};
		json_t *after = auth_user_json(&u);
		rc = audit_record(c, &who, before ? "oidc_login" : "oidc_register", "user", u.id,
		                  before, after);
		json_decref(after);
	}
	json_decref(before);
	j->user_id = u.id;
	return rc;
}

struct take_job {
	struct arena *a;
	const char *state, *verifier, *nonce, *next;
};

static int take_fn(struct store_conn *c, void *arg)
{
	struct take_job *j = arg;
	return store_oidc_state_take(c, j->a, j->state, clock_now_ms(), STATE_MAX_AGE_MS,
	                             &j->verifier, &j->nonce, &j->next);
}

int oidc_finish(struct oidc_client *c, struct store *s, struct arena *a, const char *code,
                const char *state, const char *request_id, int64_t *user_id, const char **next,
                const char **why)
{
	*why = "";
	if (!code || !state || strlen(state) > 100 || strlen(code) > 2000) {
		*why = "missing code or state";
		return ERR_UNAUTHORIZED;
	}
	struct take_job tj = {a, state, NULL, NULL, NULL};
	int rc = store_write(s, take_fn, &tj);
	if (rc == ERR_NOTFOUND) {
		*why = "unknown, used or expired state";
		return ERR_UNAUTHORIZED;
	}
	if (rc)
		return rc;
	rc = discover(c);
	if (rc) {
		*why = "provider discovery failed";
		return rc;
	}
	const char *form = arena_printf(
	    a,
	    "grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=%s&client_secret=%s&"
	    "code_verifier=%s",
	    url_escape(a, code), url_escape(a, c->cfg.redirect_uri),
	    url_escape(a, c->cfg.client_id), url_escape(a, c->cfg.client_secret), tj.verifier);
	json_t *tok = NULL;
	rc = http_json_call(c->token_endpoint, form, NULL, &tok);
	if (rc) {
		*why = "token exchange failed";
		return ERR_UNAUTHORIZED;
	}
	const char *id_token = json_string_value(json_object_get(tok, "id_token"));
	const char *access = json_string_value(json_object_get(tok, "access_token"));
	json_t *claims = id_token ? jwt_verify_hs256(a, id_token, c->cfg.client_secret, why) : NULL;
	if (!id_token)
		*why = "no id_token";
	rc = ERR_UNAUTHORIZED;
	json_t *info = NULL;
	if (claims) {
		const char *iss = json_string_value(json_object_get(claims, "iss"));
		json_t *aud = json_object_get(claims, "aud");
		bool aud_ok =
		    json_is_string(aud) && !strcmp(json_string_value(aud), c->cfg.client_id);
		if (json_is_array(aud)) {
			size_t i;
			json_t *x;
			json_array_foreach(aud, i, x) aud_ok =
			    aud_ok ||
			    (json_is_string(x) && !strcmp(json_string_value(x), c->cfg.client_id));
		}
		json_int_t exp = json_integer_value(json_object_get(claims, "exp"));
		const char *nonce = json_string_value(json_object_get(claims, "nonce"));
		const char *sub = json_string_value(json_object_get(claims, "sub"));
		if (!iss || strcmp(iss, c->cfg.issuer))
			*why = "issuer mismatch";
		else if (!aud_ok)
			*why = "audience mismatch";
		else if (exp * 1000 < clock_now_ms() - 60000)
			*why = "id_token expired";
		else if (!nonce || strcmp(nonce, tj.nonce))
			*why = "nonce mismatch";
		else if (!sub || !*sub || strlen(sub) > 255)
			*why = "no subject";
		else
			rc = 0;
		if (!rc && access && c->userinfo_endpoint) {
			rc = http_json_call(c->userinfo_endpoint, NULL, access, &info);
			const char *isub = json_string_value(json_object_get(info, "sub"));
			if (rc || !isub || strcmp(isub, sub)) {
				*why = "userinfo failed or subject mismatch";
				rc = ERR_UNAUTHORIZED;
			}
		}
		if (!rc) {
			struct finish_job fj = {.a = a,
			                        .issuer = c->cfg.issuer,
			                        .sub = arena_strdup(a, sub),
			                        .request_id = request_id};
			json_t *src[2] = {info, claims};
			for (int k = 0; k < 2; k++) {
				json_t *o = src[k];
				if (!o)
					continue;
				const char *v;
#define TAKE(field, key)                                                                           \
	if (!fj.field && (v = json_string_value(json_object_get(o, key))) && *v &&                 \
	    strlen(v) < 255)                                                                       \
	fj.field = arena_strdup(a, v)
				TAKE(name, "name");
				TAKE(email, "email");
				TAKE(phone, "phone_number");
#undef TAKE
				v = json_string_value(json_object_get(o, "gender"));
				if (!fj.sex && v)
					fj.sex = !strcmp(v, "female") ? "f"
					         : !strcmp(v, "male") ? "m"
					                              : NULL;
				v = json_string_value(json_object_get(o, "birthdate"));
				if (!fj.birth_year && v && strlen(v) >= 4)
					fj.birth_year = strtol(arena_strndup(a, v, 4), NULL, 10);
			}
			rc = store_write(s, finish_fn, &fj);
			if (!rc) {
				*user_id = fj.user_id;
				*next = tj.next;
			}
		}
	}
	json_decref(info);
	json_decref(claims);
	json_decref(tok);
	return rc;
}
