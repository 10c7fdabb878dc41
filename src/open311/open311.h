/* open311.h: Open311 GeoReport v2 over the appeals (docs/open311.md): topics are the services,
 * topic attributes the service definitions, appeals the service requests. Every function builds
 * the JSON form of a reply; open311_render turns it into JSON or XML text. */
#ifndef OTKLIK_OPEN311_OPEN311_H
#define OTKLIK_OPEN311_OPEN311_H

#include "core/arena.h"
#include "open311/form.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define O311_WINDOW_MS    (90LL * 24 * 3600 * 1000) /* GET requests: the default window */
#define O311_MAX_REQUESTS 1000 /* rows of GET requests (OTKLIK_OPEN311_MAX_REQUESTS lowers it) */
#define O311_MAX_IDS      200  /* service_request_id values in one GET requests */

/* Demo service attributes from data/demo/topic_attributes.csv (idempotent). */
int open311_demo_load(struct store *s);

/* Functions below return 0 with *out (a new reference), or an error value with a Russian
 * description in *why: ERR_INVALID (the spec's 400), ERR_FORBIDDEN (403), ERR_NOTFOUND (404);
 * ERR_DB and the like come without a description. */

/* The service discovery document for the endpoint at base_url (".../open311/v2"). */
json_t *open311_discovery(const char *base_url);
/* Every active topic as a service. */
int open311_services(struct store *s, struct arena *a, json_t **out);
/* {service_code, attributes:[…]} of one active topic. */
int open311_service_definition(struct store *s, struct arena *a, const char *code, json_t **out,
                               const char **why);
/* POST requests: checks the api_key, the service, location, description, person fields and
 * attributes, submits the appeal (channel "open311") and stores its attributes.
 * *out = [{service_request_id, service_notice, account_id, token}]. */
int open311_request_create(struct store *s, struct arena *a, const char *request_id,
                           const struct form *f, json_t **out, const char **why);

/* GET requests parameters as given (NULL = absent). */
struct open311_query {
	const char *service_request_id, *service_code, *start_date, *end_date, *status;
};
/* Public service requests, newest first, at most open311_max_requests(). */
int open311_requests(struct store *s, struct arena *a, const struct open311_query *q, int64_t now,
                     json_t **out, const char **why);
/* One request by id ([one]); ERR_NOTFOUND for an unknown or malformed id. */
int open311_request_get(struct store *s, struct arena *a, const char *id, json_t **out,
                        const char **why);
/* [{service_request_id, token}] for an appeal token; ERR_NOTFOUND when unknown. */
int open311_token(struct store *s, struct arena *a, const char *token, json_t **out,
                  const char **why);

/* The spec's error list [{code, description}]. */
json_t *open311_errors(int status, const char *description);
/* Text of body as JSON or (xml) as Open311 XML under root ("services", "service_requests",
 * "service_definition", "discovery", "errors"). Steals nothing. 0 or ERR_INVALID (text that
 * XML cannot carry) / ERR_TOOLARGE. */
int open311_render(struct arena *a, bool xml, json_t *body, const char *root, const char **out,
                   size_t *len);

/* ISO 8601 with the platform's offset ("2026-01-05T12:00:00+03:00"), arena-owned. */
const char *open311_time_format(struct arena *a, int64_t ms);
/* Parses "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM]" (no zone: the platform's) into epoch
 * ms. 0 or ERR_INVALID. */
int open311_time_parse(const char *s, int64_t *ms);
/* O311_MAX_REQUESTS, or OTKLIK_OPEN311_MAX_REQUESTS when set to 1..1000. */
int64_t open311_max_requests(void);

#endif
