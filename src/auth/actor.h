/* actor.h: who is calling (a user by session, an integration by API key, or nobody) and
 * with which roles; permission checks by role and by organisation/territory scope. */
#ifndef OTKLIK_AUTH_ACTOR_H
#define OTKLIK_AUTH_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
	ROLE_CITIZEN = 1u << 0,
	ROLE_OPERATOR = 1u << 1,
	ROLE_EXECUTOR = 1u << 2,
	ROLE_SUPERVISOR = 1u << 3,
	ROLE_COORDINATOR = 1u << 4,
	ROLE_ORGANISER = 1u << 5,
	ROLE_MODERATOR = 1u << 6,
	ROLE_VOLUNTEER = 1u << 7,
	ROLE_ADMIN = 1u << 8,
};
#define ROLE_COUNT 9
/* Route permissions besides role masks. */
#define PERM_PUBLIC 0u
#define PERM_AUTH   (1u << 15)

struct grant {
	int64_t id;
	enum role role;
	int64_t org_id;       /* 0 = none */
	int64_t territory_id; /* 0 = none */
};

struct actor {
	int64_t user_id;   /* 0 = anonymous or API key */
	int64_t apikey_id; /* 0 = not an API key */
	unsigned roles;    /* union of granted roles (+ citizen for any user) */
	const char *name;  /* the user's name (or login) or the key's name; NULL when not loaded */
	struct grant *grants;
	size_t ngrants;
	bool verified;
	bool via_cookie; /* authenticated by the session cookie: writes need CSRF */
	const char *csrf_token;
	const char *session_hash;
	const char *request_id;
};

/* "executor" -> ROLE_EXECUTOR; 0 when unknown. */
unsigned role_from_name(const char *name);
const char *role_name(unsigned role);

#endif
