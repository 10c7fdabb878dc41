/* route.c: matching a path against the route table's patterns. */
#include "http/route.h"

#include <string.h>

static bool match(const char *pattern, const char *path, const char **params, size_t *nparams,
                  struct arena *a)
{
	size_t np = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '*') {
			/* {*name}: the rest of the path, at least one character */
			if (np >= REQ_MAX_PARAMS)
				return false;
			if (params)
				params[np] = arena_strdup(a, s);
			np++;
			if (nparams)
				*nparams = np;
			return strchr(p, '}') && strchr(p, '}')[1] == '\0';
		}
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			size_t slen = se ? (size_t)(se - s) : strlen(s);
			if (!pe || slen == 0 || np >= REQ_MAX_PARAMS)
				return false;
			/* "{id}.{format}": a literal after the parameter inside the segment ends it
			 * at that character's last occurrence in the segment. */
			if (pe[1] && pe[1] != '/') {
				const char *cut = NULL;
				for (const char *q = s; q < s + slen; q++)
					if (*q == pe[1])
						cut = q;
				if (!cut || cut == s)
					return false;
				slen = (size_t)(cut - s);
			}
			if (params)
				params[np] = arena_strndup(a, s, slen);
			np++;
			p = pe + 1;
			s += slen;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;
	if (nparams)
		*nparams = np;
	return true;
}

const struct route *route_match(const char *method, const char *path, const char **params,
                                size_t *nparams, struct arena *a, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		if (!match(r->pattern, path, NULL, NULL, a))
			continue;
		*path_known = true;
		if (strcmp(r->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			match(r->pattern, path, params, nparams, a);
			return r;
		}
	}
	return NULL;
}

size_t route_index(const struct route *r)
{
	return (size_t)(r - routes);
}

const char *route_allow(const char *path, struct arena *a)
{
	char *out = arena_strdup(a, "");
	for (size_t i = 0; i < routes_count; i++)
		if (match(routes[i].pattern, path, NULL, NULL, a))
			out = arena_printf(a, "%s%s%s", out, *out ? ", " : "", routes[i].method);
	return out;
}
