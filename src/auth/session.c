/* session.c: accounts, passwords, sessions and API keys. */
#include "auth/session.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "store/entity.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ascii_lower(struct arena *a, const char *s);

#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024 * 1024)

int auth_init(void)
{
	return sodium_init() < 0 ? ERR_INTERNAL : 0;
}

int auth_password_hash(struct arena *a, const char *password, const char **out)
{
	char *h = arena_alloc(a, crypto_pwhash_STRBYTES);
	if (crypto_pwhash_str(h, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
		return ERR_INTERNAL;
	*out = h;
	return 0;
}

bool auth_password_verify(const char *hash, const char *password)
{
	if (!hash || !*hash)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash to verify against when the login is unknown, so timing does not reveal accounts. */
static char dummy_hash[crypto_pwhash_STRBYTES];

const char *auth_token_new(struct arena *a)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	size_t n = sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, n);
	sodium_bin2base64(out, n, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

const char *auth_token_hash(struct arena *a, const char *token)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	char *hex = arena_alloc(a, sizeof(h) * 2 + 1);
	sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
	return hex;
}

bool auth_token_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}

int auth_load_actor(struct store_conn *c, struct arena *a, int64_t user_id, struct actor *out)
{
	struct user_row u;
	int rc = store_user_by_id(c, a, user_id, &u);
	if (rc)
		return rc;
	out->user_id = user_id;
	out->verified = u.verified;
	out->name = u.name ? u.name : u.login;
	rc = store_grants_for_user(c, a, user_id, &out->grants, &out->ngrants);
	if (rc)
		return rc;
	out->roles = ROLE_CITIZEN;
	for (size_t i = 0; i < out->ngrants; i++)
		out->roles |= out->grants[i].role;
	return 0;
}

int auth_session_authenticate(struct store *s, struct arena *a, const char *token,
                              struct actor *out)
{
	if (strlen(token) > 128)
		return ERR_UNAUTHORIZED;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	const char *hash = auth_token_hash(a, token);
	int64_t user_id;
	const char *csrf;
	rc = store_session_lookup(c, a, hash, clock_now_ms(), &user_id, &csrf);
	if (!rc)
		rc = auth_load_actor(c, a, user_id, out);
	store_conn_put(s, c);
	if (rc == ERR_NOTFOUND)
		return ERR_UNAUTHORIZED;
	if (rc)
		return rc;
	out->via_cookie = true;
	out->csrf_token = csrf;
	out->session_hash = hash;
	return 0;
}

/* --- API keys kept a moment ------------------------------------------------------------ *
 * An integration signs each request with the same key, and reading the key's row was a round
 * trip to the database per request (on PostgreSQL a seventh of a submission's cost). The rows
 * of keys found are kept here for APIKEY_KEEP_MS, so a key revoked (otklik apikey revoke, by
 * any process or node) stops working within that time. Keys not found are not kept: a new key
 * works at once. Direct-mapped on the key's hash; shared by the request threads. */

#define APIKEY_SLOTS   256
#define APIKEY_KEEP_MS 1000

struct apikey_entry {
	uint64_t store; /* store_serial; 0 = empty */
	int64_t at_ns;  /* clock_mono_ns of the read */
	char hash[65];
	int64_t id, org_id;
	char *scopes, *name;
};

static pthread_mutex_t apikeys_lock = PTHREAD_MUTEX_INITIALIZER;
static struct apikey_entry apikeys[APIKEY_SLOTS];
static uint64_t apikeys_epoch; /* + 1 at each revocation here: a read begun before is not kept */

static struct apikey_entry *apikey_slot(const char *hash)
{
	uint64_t h = 1469598103934665603u;
	for (const char *p = hash; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return &apikeys[h % APIKEY_SLOTS];
}

static bool apikey_kept(struct store *s, struct arena *a, const char *hash, uint64_t *epoch,
                        int64_t *id, int64_t *org_id, const char **scopes, const char **name)
{
	struct apikey_entry *e = apikey_slot(hash);
	pthread_mutex_lock(&apikeys_lock);
	*epoch = apikeys_epoch;
	bool hit = e->store == store_serial(s) && !strcmp(e->hash, hash) &&
	           clock_mono_ns() - e->at_ns < (int64_t)APIKEY_KEEP_MS * 1000000;
	if (hit) {
		*id = e->id;
		*org_id = e->org_id;
		*scopes = e->scopes ? arena_strdup(a, e->scopes) : NULL;
		*name = e->name ? arena_strdup(a, e->name) : NULL;
	}
	pthread_mutex_unlock(&apikeys_lock);
	return hit;
}

static void apikey_keep(struct store *s, const char *hash, uint64_t epoch, int64_t at_ns,
                        int64_t id, int64_t org_id, const char *scopes, const char *name)
{
	if (strlen(hash) >= sizeof(apikeys[0].hash))
		return;
	char *sc = scopes ? xstrdup(scopes) : NULL, *nm = name ? xstrdup(name) : NULL;
	struct apikey_entry *e = apikey_slot(hash);
	pthread_mutex_lock(&apikeys_lock);
	if (apikeys_epoch != epoch) {
		pthread_mutex_unlock(&apikeys_lock);
		free(sc);
		free(nm);
		return;
	}
	struct apikey_entry old = *e;
	*e = (struct apikey_entry){.store = store_serial(s),
	                           .at_ns = at_ns,
	                           .id = id,
	                           .org_id = org_id,
	                           .scopes = sc,
	                           .name = nm};
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	pthread_mutex_unlock(&apikeys_lock);
	free(old.scopes);
	free(old.name);
}

int auth_apikey_authenticate(struct store *s, struct arena *a, const char *key, struct actor *out)
{
	if (strlen(key) > 200)
		return ERR_UNAUTHORIZED;
	const char *hash = auth_token_hash(a, key);
	int64_t id, org_id;
	const char *scopes, *name;
	uint64_t epoch;
	if (!apikey_kept(s, a, hash, &epoch, &id, &org_id, &scopes, &name)) {
		struct store_conn *c;
		int rc = store_conn_get(s, &c);
		if (rc)
			return rc;
		int64_t at_ns = clock_mono_ns(); /* kept from before the read: never longer */
		rc = store_apikey_lookup(c, a, hash, &id, &org_id, &scopes, &name);
		store_conn_put(s, c);
		if (rc == ERR_NOTFOUND)
			return ERR_UNAUTHORIZED;
		if (rc)
			return rc;
		apikey_keep(s, hash, epoch, at_ns, id, org_id, scopes, name);
	}
	out->apikey_id = id;
	out->name = name;
	/* The key acts with the roles named in its scopes, on its organisation. */
	size_t cap = 0;
	char *dup = arena_strdup(a, scopes ? scopes : "");
	for (char *save = NULL, *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned role = role_from_name(t);
		if (!role)
			continue;
		out->roles |= role;
		struct grant *g = arena_alloc(a, (out->ngrants + 1) * sizeof(*g));
		if (out->ngrants)
			memcpy(g, out->grants, out->ngrants * sizeof(*g));
		g[out->ngrants] = (struct grant){.role = role, .org_id = org_id};
		out->grants = g;
		out->ngrants++;
		cap++;
	}
	(void)cap;
	return 0;
}

static int session_create(struct store_conn *c, struct arena *a, int64_t user_id,
                          const char **token, const char **csrf)
{
	*token = auth_token_new(a);
	*csrf = auth_token_new(a);
	int64_t now = clock_now_ms();
	return store_session_insert(c, auth_token_hash(a, *token), user_id, *csrf, now,
	                            now + SESSION_TTL_MS);
}

struct session_job {
	struct arena *a;
	int64_t user_id;
	const char *request_id;
	const char **token, **csrf;
	const char *action;
};

static int session_job_fn(struct store_conn *c, void *arg)
{
	struct session_job *j = arg;
	int rc = session_create(c, j->a, j->user_id, j->token, j->csrf);
	if (!rc) {
		struct actor who = {.user_id = j->user_id, .request_id = j->request_id};
		rc = audit_record(c, &who, j->action, "user", j->user_id, NULL, NULL);
	}
	return rc;
}

int auth_session_start(struct store *s, struct arena *a, int64_t user_id, const char *request_id,
                       const char **token, const char **csrf)
{
	struct session_job j = {a, user_id, request_id, token, csrf, "login"};
	return store_write(s, session_job_fn, &j);
}

int auth_login(struct store *s, struct arena *a, const char *login, const char *password,
               const char *request_id, int64_t *user_id, const char **token, const char **csrf)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct user_row u;
	rc = store_user_by_login(c, a, ascii_lower(a, login), &u);
	store_conn_put(s, c);
	if (rc && rc != ERR_NOTFOUND)
		return rc;
	if (rc == ERR_NOTFOUND) {
		if (!dummy_hash[0] &&
		    crypto_pwhash_str(dummy_hash, "x", 1, PW_OPSLIMIT, PW_MEMLIMIT) != 0)
			dummy_hash[0] = '\0';
		(void)auth_password_verify(dummy_hash, password);
		return ERR_UNAUTHORIZED;
	}
	if (!auth_password_verify(u.password_hash, password))
		return ERR_UNAUTHORIZED;
	*user_id = u.id;
	return auth_session_start(s, a, u.id, request_id, token, csrf);
}

struct logout_job {
	const struct actor *who;
};

static int logout_fn(struct store_conn *c, void *arg)
{
	struct logout_job *j = arg;
	int rc = store_session_delete(c, j->who->session_hash);
	if (!rc)
		rc = audit_record(c, j->who, "logout", "user", j->who->user_id, NULL, NULL);
	return rc;
}

int auth_logout(struct store *s, const struct actor *who)
{
	if (!who->session_hash)
		return 0;
	struct logout_job j = {who};
	return store_write(s, logout_fn, &j);
}

json_t *auth_user_json(const struct user_row *u)
{
	return json_pack("{s:I,s:s,s:s?,s:s?,s:s?,s:o,s:s?,s:o,s:b,s:I}", "id", (json_int_t)u->id,
	                 "login", u->login, "name", u->name, "email", u->email, "phone", u->phone,
	                 "birth_year", u->birth_year ? json_integer(u->birth_year) : json_null(),
	                 "sex", u->sex, "home_territory_id",
	                 u->home_territory_id ? json_integer(u->home_territory_id) : json_null(),
	                 "verified", u->verified, "created_at", (json_int_t)u->created_at);
}

json_t *auth_grants_json(const struct grant *g, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    arr,
		    json_pack("{s:I,s:s,s:o,s:o}", "id", (json_int_t)g[i].id, "role",
		              role_name(g[i].role), "org_id",
		              g[i].org_id ? json_integer(g[i].org_id) : json_null(), "territory_id",
		              g[i].territory_id ? json_integer(g[i].territory_id) : json_null()));
	return arr;
}

json_t *auth_roles_json(const struct actor *who)
{
	return auth_grants_json(who->grants, who->ngrants);
}

/* --- validation of account fields ----------------------------------------------------- */

struct vfail {
	const char **field, **message;
};

static int vf(struct vfail *v, int err, const char *field, const char *message)
{
	*v->field = field;
	*v->message = message;
	return err;
}

static int text_field(json_t *in, const char *key, size_t max, bool required, const char **out,
                      struct vfail *v, const char *label_msg)
{
	json_t *j = json_object_get(in, key);
	if (!j || json_is_null(j)) {
		if (required)
			return vf(v, ERR_VALIDATION, key, label_msg);
		*out = NULL;
		return 0;
	}
	if (!json_is_string(j))
		return vf(v, ERR_INVALID, key, "Ожидается строка");
	const char *s = json_string_value(j);
	size_t n = json_string_length(j);
	if (n != strlen(s) || !utf8_clean_text(s, n))
		return vf(v, ERR_VALIDATION, key, "Недопустимые символы");
	if (utf8_len(s, n) > max)
		return vf(v, ERR_VALIDATION, key, "Слишком длинное значение");
	if (required && !n)
		return vf(v, ERR_VALIDATION, key, label_msg);
	*out = n ? s : NULL;
	return 0;
}

static bool phone_ok(const char *s)
{
	size_t digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr("+-() ", *p))
			return false;
	}
	return digits >= 10 && digits <= 15;
}

/* Logins are ASCII and compared case-insensitively: stored lower-case. */
static const char *ascii_lower(struct arena *a, const char *s)
{
	char *d = arena_strdup(a, s);
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-@+", *s)))
			return false;
	return true;
}

static int check_keys(json_t *in, const char *const *allowed, struct vfail *v)
{
	const char *k;
	json_t *val;
	json_object_foreach(in, k, val)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			ok = ok || !strcmp(*a, k);
		if (!ok) {
			*v->field = k;
			*v->message = "Неизвестное поле";
			return ERR_INVALID;
		}
	}
	return 0;
}

const char *auth_user_search(struct arena *a, const struct user_row *u)
{
	const char *s =
	    arena_printf(a, "%s %s %s", u->login, u->name ? u->name : "", u->email ? u->email : "");
	return fold_text(a, s, strlen(s));
}

struct register_job {
	struct arena *a;
	struct user_row u;
	const char *request_id;
	int64_t id;
};

static int register_fn(struct store_conn *c, void *arg)
{
	struct register_job *j = arg;
	int rc = store_user_insert(c, j->a, &j->u, auth_user_search(j->a, &j->u), clock_now_ms(),
	                           &j->id);
	if (!rc) {
		j->u.id = j->id;
		struct actor who = {.user_id = j->id, .request_id = j->request_id};
		json_t *after = auth_user_json(&j->u);
		rc = audit_record(c, &who, "register", "user", j->id, NULL, after);
		json_decref(after);
	}
	return rc;
}

int auth_register(struct store *s, struct arena *a, json_t *in, const char *request_id,
                  int64_t *user_id, const char **field, const char **message)
{
	struct vfail v = {field, message};
	static const char *const allowed[] = {"login", "password", "name", "email", NULL};
	int rc = check_keys(in, allowed, &v);
	if (rc)
		return rc;
	struct register_job j = {.a = a, .request_id = request_id};
	const char *password;
	if ((rc = text_field(in, "login", 64, true, &j.u.login, &v, "Укажите логин")) ||
	    (rc = text_field(in, "password", 200, true, &password, &v, "Укажите пароль")) ||
	    (rc = text_field(in, "name", 200, true, &j.u.name, &v, "Укажите имя")) ||
	    (rc = text_field(in, "email", 254, false, &j.u.email, &v, NULL)))
		return rc;
	j.u.login = ascii_lower(a, j.u.login);
	if (!login_ok(j.u.login))
		return vf(&v, ERR_VALIDATION, "login",
		          "Логин: от 3 до 64 символов, латинские буквы, цифры и . _ - @ +");
	if (utf8_len(password, strlen(password)) < 8)
		return vf(&v, ERR_VALIDATION, "password",
		          "Пароль должен быть не короче 8 символов");
	if (j.u.email && !valid_email(j.u.email))
		return vf(&v, ERR_VALIDATION, "email", "Некорректный адрес электронной почты");
	rc = auth_password_hash(a, password, &j.u.password_hash);
	if (rc)
		return rc;
	j.u.created_at = clock_now_ms();
	rc = store_write(s, register_fn, &j);
	if (rc == ERR_CONFLICT)
		return vf(&v, ERR_CONFLICT, "login", "Этот логин уже занят");
	if (!rc)
		*user_id = j.id;
	return rc;
}

struct profile_job {
	struct arena *a;
	const struct actor *who;
	json_t *in;
	struct vfail *v;
};

static int profile_fn(struct store_conn *c, void *arg)
{
	struct profile_job *j = arg;
	struct user_row u;
	int rc = store_user_by_id(c, j->a, j->who->user_id, &u);
	if (rc)
		return rc;
	json_t *before = auth_user_json(&u);
	json_t *in = j->in;
	const char *s;
	if (json_object_get(in, "name")) {
		if ((rc = text_field(in, "name", 200, true, &s, j->v, "Укажите имя")))
			goto out;
		u.name = s;
	}
	if (json_object_get(in, "email")) {
		if ((rc = text_field(in, "email", 254, false, &s, j->v, NULL)))
			goto out;
		if (s && !valid_email(s)) {
			rc = vf(j->v, ERR_VALIDATION, "email",
			        "Некорректный адрес электронной почты");
			goto out;
		}
		u.email = s;
	}
	if (json_object_get(in, "phone")) {
		if ((rc = text_field(in, "phone", 32, false, &s, j->v, NULL)))
			goto out;
		if (s && !phone_ok(s)) {
			rc = vf(j->v, ERR_VALIDATION, "phone",
			        "Телефон: от 10 до 15 цифр, допустимы + - ( ) и пробелы");
			goto out;
		}
		u.phone = s;
	}
	if (json_object_get(in, "sex")) {
		json_t *x = json_object_get(in, "sex");
		if (json_is_null(x))
			u.sex = NULL;
		else if (json_is_string(x) &&
		         (!strcmp(json_string_value(x), "m") || !strcmp(json_string_value(x), "f")))
			u.sex = json_string_value(x);
		else {
			rc = vf(j->v, ERR_VALIDATION, "sex", "Пол: «m», «f» или не указан");
			goto out;
		}
	}
	if (json_object_get(in, "birth_year")) {
		json_t *x = json_object_get(in, "birth_year");
		int year_now = (int)(1970 + clock_now_ms() / 1000 / 31556952);
		if (json_is_null(x))
			u.birth_year = 0;
		else if (!json_is_integer(x)) {
			rc = vf(j->v, ERR_INVALID, "birth_year", "Год рождения должен быть числом");
			goto out;
		} else if (json_integer_value(x) < 1900 || json_integer_value(x) > year_now) {
			rc = vf(j->v, ERR_VALIDATION, "birth_year",
			        "Год рождения должен быть от 1900 до текущего");
			goto out;
		} else
			u.birth_year = json_integer_value(x);
	}
	if (json_object_get(in, "home_territory_id")) {
		json_t *x = json_object_get(in, "home_territory_id");
		if (json_is_null(x))
			u.home_territory_id = 0;
		else if (!json_is_integer(x)) {
			rc = vf(j->v, ERR_INVALID, "home_territory_id", "Ожидается идентификатор");
			goto out;
		} else {
			bool exists;
			rc = store_id_exists(c, "territories", json_integer_value(x), &exists);
			if (rc)
				goto out;
			if (!exists) {
				rc = vf(j->v, ERR_VALIDATION, "home_territory_id",
				        "Территория не найдена");
				goto out;
			}
			u.home_territory_id = json_integer_value(x);
		}
	}
	rc = store_user_update(c, &u, auth_user_search(j->a, &u), clock_now_ms());
	if (!rc) {
		json_t *after = auth_user_json(&u);
		rc = audit_record(c, j->who, "update_profile", "user", u.id, before, after);
		json_decref(after);
	}
out:
	json_decref(before);
	return rc;
}

int auth_profile_update(struct store *s, struct arena *a, const struct actor *who, json_t *in,
                        const char **field, const char **message)
{
	struct vfail v = {field, message};
	static const char *const allowed[] = {
	    "name", "email", "phone", "birth_year", "sex", "home_territory_id", NULL};
	int rc = check_keys(in, allowed, &v);
	if (rc)
		return rc;
	struct profile_job j = {a, who, in, &v};
	return store_write(s, profile_fn, &j);
}

struct apikey_job {
	struct arena *a;
	const struct actor *who;
	const char *name, *scopes, *key;
	int64_t org_id, id;
};

static int apikey_fn(struct store_conn *c, void *arg)
{
	struct apikey_job *j = arg;
	const char *hash = auth_token_hash(j->a, j->key);
	char prefix[9];
	snprintf(prefix, sizeof(prefix), "%s", j->key);
	int rc = store_apikey_insert(c, j->name, hash, prefix, j->org_id, j->scopes, clock_now_ms(),
	                             &j->id);
	if (!rc) {
		json_t *after = json_pack("{s:s,s:o,s:s,s:s}", "name", j->name, "org_id",
		                          j->org_id ? json_integer(j->org_id) : json_null(),
		                          "scopes", j->scopes, "prefix", prefix);
		rc = audit_record(c, j->who, "create", "apikey", j->id, NULL, after);
		json_decref(after);
	}
	return rc;
}

int auth_apikey_create(struct store *s, struct arena *a, const struct actor *who, const char *name,
                       int64_t org_id, const char *scopes, int64_t *id, const char **key,
                       const char **message, const char **field)
{
	*field = "name";
	if (!name || !*name || utf8_len(name, strlen(name)) > 200 ||
	    !utf8_clean_text(name, strlen(name))) {
		*message = "Укажите название ключа (до 200 символов)";
		return ERR_VALIDATION;
	}
	char *dup = arena_strdup(a, scopes ? scopes : "");
	for (char *save = NULL, *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!role_from_name(t)) {
			*field = "scopes";
			*message = arena_printf(a, "Неизвестная роль в scopes: %s", t);
			return ERR_VALIDATION;
		}
	if (org_id) {
		struct store_conn *c;
		int rc = store_conn_get(s, &c);
		if (rc)
			return rc;
		bool exists = false;
		rc = store_id_exists(c, "orgs", org_id, &exists);
		store_conn_put(s, c);
		if (rc)
			return rc;
		if (!exists) {
			*field = "org_id";
			*message = "Организация не найдена";
			return ERR_VALIDATION;
		}
	}
	struct apikey_job j = {a, who, name, scopes ? scopes : "", NULL, org_id, 0};
	j.key = arena_printf(a, "otk_%s", auth_token_new(a));
	int rc = store_write(s, apikey_fn, &j);
	if (!rc) {
		*id = j.id;
		*key = j.key;
	}
	return rc;
}

struct revoke_job {
	const struct actor *who;
	int64_t id;
	bool existed;
};

static int revoke_fn(struct store_conn *c, void *arg)
{
	struct revoke_job *j = arg;
	int64_t changed = 0, now = clock_now_ms();
	int rc = store_apikey_revoke(c, j->id, now, &changed);
	if (rc)
		return rc;
	if (!changed) {
		rc = store_id_exists(c, "api_keys", j->id, &j->existed);
		return rc ? rc : j->existed ? ERR_CONFLICT : ERR_NOTFOUND;
	}
	json_t *after = json_pack("{s:I}", "revoked_at", (json_int_t)now);
	rc = audit_record(c, j->who, "revoke", "apikey", j->id, NULL, after);
	json_decref(after);
	return rc;
}

int auth_apikey_revoke(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                       const char **message)
{
	(void)a;
	struct revoke_job j = {.who = who, .id = id};
	int rc = store_write(s, revoke_fn, &j);
	if (!rc) { /* refused here at once (elsewhere within APIKEY_KEEP_MS) */
		pthread_mutex_lock(&apikeys_lock);
		apikeys_epoch++;
		for (size_t i = 0; i < APIKEY_SLOTS; i++)
			if (apikeys[i].store == store_serial(s) && apikeys[i].id == id)
				apikeys[i].store = 0;
		pthread_mutex_unlock(&apikeys_lock);
	}
	*message = rc == ERR_NOTFOUND   ? "Ключ не найден"
	           : rc == ERR_CONFLICT ? "Ключ уже отозван"
	                                : NULL;
	return rc;
}

int auth_user_create_conn(struct store_conn *c, struct arena *a, const struct actor *who,
                          const char *login, const char *password, const char *name, bool verified,
                          int64_t *id)
{
	struct user_row u = {.login = login, .name = name, .verified = verified};
	if (password) {
		int rc = auth_password_hash(a, password, &u.password_hash);
		if (rc)
			return rc;
	}
	int rc = store_user_insert(c, a, &u, auth_user_search(a, &u), clock_now_ms(), id);
	if (!rc) {
		u.id = *id;
		u.created_at = clock_now_ms();
		json_t *after = auth_user_json(&u);
		rc = audit_record(c, who, "create", "user", *id, NULL, after);
		json_decref(after);
	}
	return rc;
}

int auth_grant_conn(struct store_conn *c, struct arena *a, const struct actor *who, int64_t user_id,
                    unsigned role, int64_t org_id, int64_t territory_id, int64_t *grant_id,
                    const char **message, const char **field)
{
	(void)a;
	*field = NULL;
	bool needs_org = role == ROLE_OPERATOR || role == ROLE_EXECUTOR || role == ROLE_SUPERVISOR;
	bool needs_territory = role == ROLE_COORDINATOR;
	if (needs_org && !org_id) {
		*field = "org_id";
		*message = "Для этой роли нужна организация (org_id)";
		return ERR_VALIDATION;
	}
	if (needs_territory && !territory_id) {
		*field = "territory_id";
		*message = "Для роли координатора нужна территория (territory_id)";
		return ERR_VALIDATION;
	}
	if (role == ROLE_ADMIN && (org_id || territory_id)) {
		*field = org_id ? "org_id" : "territory_id";
		*message = "Роль администратора не привязывается к организации или территории";
		return ERR_VALIDATION;
	}
	bool exists;
	int rc = store_id_exists(c, "users", user_id, &exists);
	if (!rc && !exists)
		return ERR_NOTFOUND;
	if (!rc && org_id) {
		rc = store_id_exists(c, "orgs", org_id, &exists);
		if (!rc && !exists) {
			*field = "org_id";
			*message = "Организация не найдена";
			return ERR_VALIDATION;
		}
	}
	if (!rc && territory_id) {
		rc = store_id_exists(c, "territories", territory_id, &exists);
		if (!rc && !exists) {
			*field = "territory_id";
			*message = "Территория не найдена";
			return ERR_VALIDATION;
		}
	}
	if (!rc)
		rc = store_grant_exists(c, user_id, role, org_id, territory_id, &exists);
	if (!rc && exists) {
		*field = "role";
		*message = "Такая роль уже выдана";
		return ERR_CONFLICT;
	}
	if (!rc)
		rc = store_grant_insert(c, user_id, role, org_id, territory_id, clock_now_ms(),
		                        grant_id);
	if (!rc) {
		json_t *after = json_pack(
		    "{s:I,s:s,s:o,s:o}", "user_id", (json_int_t)user_id, "role", role_name(role),
		    "org_id", org_id ? json_integer(org_id) : json_null(), "territory_id",
		    territory_id ? json_integer(territory_id) : json_null());
		rc = audit_record(c, who, "grant", "role_grant", *grant_id, NULL, after);
		json_decref(after);
	}
	return rc;
}

/* --- account deletion (docs/privacy.md) ------------------------------------------------- */

struct delete_job {
	const struct actor *who;
	int64_t user_id;
	bool self;
};

static int delete_fn(struct store_conn *c, void *arg)
{
	struct delete_job *j = arg;
	int rc = store_user_erase(c, j->user_id, clock_now_ms());
	if (rc)
		return rc;
	/* Written after the erase, which redacts the older entries about the account. */
	json_t *after = json_pack("{s:s}", "by", j->self ? "self" : "admin");
	rc = audit_record(c, j->who, "user.delete", "user", j->user_id, NULL, after);
	json_decref(after);
	return rc;
}

int auth_account_delete(struct store *s, struct arena *a, const struct actor *who, int64_t user_id,
                        bool self, const char *password, const char **field, const char **message)
{
	*field = NULL;
	*message = NULL;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct user_row u;
	struct grant *g = NULL;
	size_t n = 0;
	int64_t login_at = 0;
	rc = store_user_by_id(c, a, user_id, &u);
	if (!rc && store_user_is_deleted(&u))
		rc = ERR_NOTFOUND;
	if (!rc)
		rc = store_grants_for_user(c, a, user_id, &g, &n);
	if (!rc && self && !(u.password_hash && *u.password_hash) && who->session_hash) {
		rc = store_session_created(c, who->session_hash, &login_at);
		if (rc == ERR_NOTFOUND)
			rc = 0, login_at = 0;
	}
	store_conn_put(s, c);
	if (rc == ERR_NOTFOUND)
		*message = "Пользователь не найден";
	if (rc)
		return rc;
	bool admin = false;
	for (size_t i = 0; i < n; i++)
		admin = admin || g[i].role == ROLE_ADMIN;
	/* The platform must keep an administrator: one cannot remove oneself. */
	if (user_id == who->user_id && (admin || !self)) {
		*message = "Учётную запись администратора удаляет другой администратор";
		return ERR_CONFLICT;
	}
	if (self && u.password_hash && *u.password_hash) {
		*field = "password";
		if (!password || !*password) {
			*message = "Введите пароль, чтобы подтвердить удаление";
			return ERR_VALIDATION;
		}
		if (!auth_password_verify(u.password_hash, password)) {
			*message = "Неверный пароль";
			return ERR_VALIDATION;
		}
		*field = NULL;
	} else if (self && (!login_at || clock_now_ms() - login_at > AUTH_RECENT_LOGIN_MS)) {
		/* No password (an OpenID Connect account): a fresh login confirms instead. */
		*field = "password";
		*message = "Для учётной записи без пароля нужен недавний вход: войдите заново и "
		           "повторите удаление";
		return ERR_VALIDATION;
	}
	struct delete_job j = {who, user_id, self};
	rc = store_write(s, delete_fn, &j);
	if (rc == ERR_NOTFOUND)
		*message = "Пользователь не найден";
	return rc;
}
