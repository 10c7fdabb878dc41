/* server.h: the HTTP server (libmicrohttpd behind it) and its configuration. */
#ifndef OTKLIK_HTTP_SERVER_H
#define OTKLIK_HTTP_SERVER_H

#include "auth/oidc.h"
#include "store/store.h"

#include <stdbool.h>

struct server_config {
	char host[64];
	int port;
	int threads;
	char public_url[256]; /* e.g. http://127.0.0.1:8080 */
	bool cookie_secure;
	struct oidc_config oidc;
	/* requests per second and burst for the rate-limit classes (0 = defaults) */
	double rate_write, rate_read;
};

/* Parses "HOST:PORT" into cfg. ERR_INVALID on a bad value. */
int server_parse_listen(struct server_config *cfg, const char *listen);

/* Serves until SIGTERM/SIGINT; in-flight requests finish before it returns 0.
 * ERR_INTERNAL when it cannot listen. */
int server_run(const struct server_config *cfg, struct store *s);

struct server {
	struct server_config cfg;
	struct store *store;
	struct ratelimit *rl;
	struct oidc_client *oidc;
};

#endif
