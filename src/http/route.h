/* route.h: the route table's shape; the table itself is in routes.c, one line per endpoint. */
#ifndef OTKLIK_HTTP_ROUTE_H
#define OTKLIK_HTTP_ROUTE_H

#include "http/http.h"

enum rate_class { RL_NONE, RL_READ, RL_WRITE, RL_AUTH };
enum scope { SCOPE_NONE, SCOPE_ORG, SCOPE_TERRITORY };

struct route {
	const char *method;
	const char *pattern; /* "/api/orgs/{id}": {x} one segment, {*x} the rest */
	int (*handler)(struct req *r);
	unsigned perm;     /* PERM_PUBLIC, PERM_AUTH or a mask of roles */
	enum scope scope;  /* checked by the handler against the object */
	bool csrf;         /* cookie-authenticated calls need X-CSRF-Token */
	size_t body_limit; /* bytes; 0 = no body accepted */
	enum rate_class rate;
};

extern const struct route routes[];
extern const size_t routes_count;

/* Finds the route for method+path; fills params. NULL when none; *path_known tells whether
 * the path matched some route with another method (405 rather than 404). */
const struct route *route_match(const char *method, const char *path, const char **params,
                                size_t *nparams, struct arena *a, bool *path_known);
/* "GET, PATCH": the methods the path has (for 405's Allow header), arena-owned. */
const char *route_allow(const char *path, struct arena *a);
/* Index of r in routes[] (for metrics). */
size_t route_index(const struct route *r);

#endif
