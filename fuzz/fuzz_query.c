/* fuzz_query.c: libFuzzer target for query strings: the typed accessors of src/http/server.c
 * (http_query, http_query_int) and the GET handlers that read filters from the query (appeal
 * lists and queues, Open311 GET requests, registry lists, users, audit, routing, problems,
 * notifications, webhooks) on a demo SQLite store. Input: one selector byte (endpoint and
 * caller), then the raw query string (without '?'), split and decoded as libmicrohttpd does. */
#include "harness.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct actor who[4]; /* admin, citizen, executor, coordinator */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_store_open();
	fz_actor_of("admin", &who[0]);
	fz_actor_of("citizen", &who[1]);
	fz_actor_of("executor", &who[2]);
	fz_actor_of("coordinator", &who[3]);
	return 0;
}

/* GET endpoints that read filters from the query string (the route table gives handlers). */
static const char *const endpoints[] = {
    "/api/appeals",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/api/territories",
    "/api/orgs",
    "/api/categories",
    "/api/topics",
    "/api/rules",
    "/api/users",
    "/api/audit",
    "/api/route",
    "/api/problems",
    "/api/notifications",
    "/api/webhooks",
};
#define NENDPOINTS (sizeof(endpoints) / sizeof(endpoints[0]))

/* http_query_int on the first key given, with bounds from the selector: what it accepts lies
 * within the bounds and is the decimal value given; what it refuses names the parameter. */
static void check_query_int(const struct fz_conn *c, uint8_t sel, struct arena *a)
{
	if (!c->n)
		return;
	static const int64_t bounds[][2] = {{1, 100},       {0, 1000000000}, {1, INT64_MAX},
	                                    {0, INT64_MAX}, {0, 1},          {-5, 5}};
	const int64_t *b = bounds[sel % (sizeof(bounds) / sizeof(bounds[0]))];
	struct req r;
	fz_req_init(&r, a, (struct fz_conn *)c, "GET", "/", "", NULL);
	const int64_t sentinel = INT64_MIN + 7;
	int64_t out = sentinel;
	const char *v = http_query(&r, c->keys[0]);
	int rc = http_query_int(&r, c->keys[0], b[0], b[1], &out);
	if (rc) {
		if (rc != ERR_INVALID || !r.err_message || !r.err_field ||
		    strcmp(r.err_field, c->keys[0]) || out != sentinel)
			abort();
		return;
	}
	if (out == sentinel) {
		if (v && *v)
			abort(); /* a non-empty value was neither taken nor refused */
		return;
	}
	if (out < b[0] || out > b[1] || !v || strtoll(v, NULL, 10) != out)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192) /* MHD's default connection memory bounds the URL anyway */
		return 0;
	uint8_t sel = data[0];
	const char *path = endpoints[(sel & 0x3f) % NENDPOINTS];
	const struct actor *caller = &who[sel >> 6];
	char *query = strndup((const char *)data + 1, size - 1);
	struct fz_conn c;
	fz_conn_parse(&c, query, strlen(query));
	struct arena a;
	arena_init(&a, 0);

	check_query_int(&c, sel, &a);

	struct req r;
	fz_req_init(&r, &a, &c, "GET", path, query, caller);
	int rc = fz_dispatch(&r);
	fz_check_handler(&r, rc);

	arena_release(&a);
	fz_conn_release(&c);
	free(query);
	return 0;
}
