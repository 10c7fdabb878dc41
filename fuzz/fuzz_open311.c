/* fuzz_open311.c: libFuzzer target for Open311 GeoReport v2 input (src/open311, through the
 * handlers of src/http/h_open311.c on a demo SQLite store). The selector byte's low two bits
 * pick what the rest is:
 *   0  a POST requests body (x-www-form-urlencoded: service_code, description, lat/long,
 *      address, person fields, media_url, attribute[code] and attribute[code][]), sent with an
 *      API key of an organisation with a territory, a key without one, or none (bits 2-3);
 *   1  a GET requests query string (service_request_id lists, service_code lists, status,
 *      start_date/end_date in ISO 8601);
 *   2  a date for open311_time_parse (what parses formats back to the same instant);
 *   3  a path parameter: a request id, a token or a service code.
 * Bit 4 picks XML instead of JSON replies. */
#include "auth/session.h"
#include "harness.h"
#include "store/entity.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *key_org, *key_bare; /* API keys (process-long) */
static struct arena keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct store *s = fz_store_open();
	struct actor admin;
	fz_actor_of("admin", &admin);
	arena_init(&keys, 0);
	struct store_conn *c;
	int64_t org = 0, id;
	if (store_conn_get(s, &c) || store_id_by_code(c, "orgs", "klu-kaluga-adm", &org))
		abort();
	store_conn_put(s, c);
	const char *msg, *field;
	if (auth_apikey_create(s, &keys, &admin, "fuzz org", org, "", &id, &key_org, &msg,
	                       &field) ||
	    auth_apikey_create(s, &keys, &admin, "fuzz bare", 0, "", &id, &key_bare, &msg, &field))
		abort();
	return 0;
}

/* open311_time_parse: accepted dates are real calendar dates from 1970 on, and the instant
 * formatted back (whole seconds, platform offset) parses to the same instant. */
static void check_time(struct arena *a, const char *s)
{
	int64_t ms = INT64_MIN;
	if (open311_time_parse(s, &ms)) {
		if (ms != INT64_MIN)
			abort(); /* nothing is written on failure */
		return;
	}
	/* from 1970-01-01 to 9999-12-31, give or take the zone offsets */
	if (ms < -15LL * 3600 * 1000 || ms > 253402300799999LL + 15LL * 3600 * 1000)
		abort();
	if (ms < 2LL * 86400000 || ms > 253370764800000LL) /* 9998-12-31: no year 10000 */
		return;
	const char *f = open311_time_format(a, ms);
	int64_t back;
	if (open311_time_parse(f, &back) || back != ms - (ms % 1000))
		abort();
}

/* A query string or a body with api_key=... in front (percent-encoding not needed: keys are
 * URL-safe). */
static const char *with_key(struct arena *a, const char *key, const char *rest)
{
	return key ? arena_printf(a, "api_key=%s&%s", key, rest) : rest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 64 * 1024 + 1) /* the route's body limit */
		return 0;
	uint8_t sel = data[0];
	int mode = sel & 3;
	const char *fmt = sel & 16 ? "xml" : "json";
	char *in = strndup((const char *)data + 1, size - 1);
	size_t in_len = size - 1; /* a body may hold NUL bytes; strings stop at the first */
	struct arena a;
	arena_init(&a, 0);
	struct fz_conn c;
	fz_conn_parse(&c, "", 0);
	struct req r;
	int rc;
	switch (mode) {
	case 0: {
		const char *key = (sel >> 2 & 3) == 0   ? key_org
		                  : (sel >> 2 & 3) == 1 ? key_bare
		                                        : NULL;
		char *body = arena_alloc(&a, in_len + 128);
		size_t bl = 0;
		if (key)
			bl = (size_t)snprintf(body, 128, "api_key=%s&", key);
		memcpy(body + bl, data + 1, in_len);
		bl += in_len;
		fz_req_init(&r, &a, &c, "POST", arena_printf(&a, "/open311/v2/requests.%s", fmt),
		            "", NULL);
		r.body = body;
		r.body_len = bl;
		r.content_type = sel & 32 ? "application/x-www-form-urlencoded; charset=utf-8"
		                          : "application/x-www-form-urlencoded";
		rc = fz_dispatch(&r);
		fz_check_handler(&r, rc);
		if (!rc && r.status != 201 && r.status != 400 && r.status != 403)
			abort(); /* a caller's mistake is the spec's 400 or 403 */
		if (!rc && r.status != 201 && !strstr(r.resp_body, "description"))
			abort(); /* the spec's error list */
		break;
	}
	case 1: {
		const char *q = with_key(&a, sel & 4 ? key_bare : NULL, in);
		fz_conn_release(&c);
		fz_conn_parse(&c, q, strlen(q));
		fz_req_init(&r, &a, &c, "GET", arena_printf(&a, "/open311/v2/requests.%s", fmt), q,
		            NULL);
		rc = fz_dispatch(&r);
		fz_check_handler(&r, rc);
		if (!rc && r.status != 200 && r.status != 400)
			abort();
		break;
	}
	case 2: check_time(&a, in); break;
	case 3: {
		if (!*in || strchr(in, '/') || strchr(in, '?'))
			break; /* not one path segment */
		static const char *const kinds[] = {"requests", "tokens", "services"};
		const char *path =
		    arena_printf(&a, "/open311/v2/%s/%s.%s", kinds[(sel >> 2) % 3], in, fmt);
		bool known;
		const char *params[REQ_MAX_PARAMS];
		size_t np;
		if (!route_match("GET", path, params, &np, &a, &known))
			break; /* e.g. a '.' that makes another format */
		fz_req_init(&r, &a, &c, "GET", path, "", NULL);
		rc = fz_dispatch(&r);
		fz_check_handler(&r, rc);
		if (!rc && r.status != 200 && r.status != 400 && r.status != 404)
			abort();
		break;
	}
	}
	fz_conn_release(&c);
	arena_release(&a);
	free(in);
	return 0;
}
