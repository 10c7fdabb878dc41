/* fuzz_route.c: libFuzzer target for http/route.c: route_match and route_allow on an
 * arbitrary method and path (input: "METHOD\npath"; without '\n' all of it is the path and
 * the method is GET). */
#include "core/arena.h"
#include "http/route.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *method, *path;
	if (nl) {
		method = strndup((const char *)data, (size_t)(nl - data));
		path = strndup((const char *)nl + 1, size - (size_t)(nl - data) - 1);
	} else {
		method = strdup("GET");
		path = strndup((const char *)data, size);
	}
	struct arena a;
	arena_init(&a, 0);
	const char *params[REQ_MAX_PARAMS];
	size_t np = 0;
	bool known = false;
	const struct route *r = route_match(method, path, params, &np, &a, &known);
	if (r) {
		if (!known || np > REQ_MAX_PARAMS || route_index(r) >= routes_count)
			abort();
		for (size_t i = 0; i < np; i++)
			if (!params[i] || !*params[i] || strlen(params[i]) > strlen(path))
				abort(); /* parameters are non-empty pieces of the path */
	}
	const char *allow = route_allow(path, &a);
	if (known != (*allow != '\0'))
		abort(); /* 405 exactly when some method is allowed */
	if (r && !strstr(allow, r->method))
		abort();
	arena_release(&a);
	free(method);
	free(path);
	return 0;
}
