/* http.h: the request/response abstraction handlers see (no HTTP library types here). */
#ifndef OTKLIK_HTTP_HTTP_H
#define OTKLIK_HTTP_HTTP_H

#include "auth/actor.h"
#include "core/arena.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct store;
struct store_conn;
struct route;
struct http_deferred;

#define REQ_MAX_PARAMS  4
#define REQ_MAX_HEADERS 8

struct req {
	struct arena *a;
	struct server *srv;
	struct store *store;
	const struct route *route;
	const char *method;
	const char *path;  /* decoded path, without the query */
	const char *query; /* raw query string after '?', or "" */
	/* a GET argument with a NUL byte or invalid UTF-8: refused with 400 before dispatch, except
	 * on Open311 routes, which answer it in the spec's error format themselves */
	const char *bad_query_arg;
	const char *body;
	size_t body_len;
	const char *content_type; /* or NULL */
	const char *client_ip;
	const char *params[REQ_MAX_PARAMS]; /* path parameters in pattern order */
	size_t nparams;
	struct actor actor;
	char request_id[24];
	void *conn; /* the HTTP library's connection (opaque) */

	/* response */
	int status;
	const char *resp_type;
	const char *resp_body;
	size_t resp_len;
	const char *resp_headers[REQ_MAX_HEADERS][2];
	size_t nresp_headers;
	/* error detail set by http_fail */
	const char *err_message;
	const char *err_field;
	const char *err_code; /* overrides the code derived from the error value */
	/* a stream instead of a body (http_stream) */
	struct http_stream_spec *stream;
	/* a write to wait for before the response (http_defer) */
	struct http_deferred *deferred;
};

struct buf;
/* A long-lived response (server-sent events). The server's stream thread — never a request
 * thread — calls poll every interval_ms: it appends what is new to out and returns 0 to go on,
 * 1 to end the stream after out is sent, or an error (the stream ends). The server adds a
 * comment line after 15 s without data and ends the stream after max_ms. free_ctx(ctx) runs
 * once when the connection is gone (also when the stream never started). */
typedef int (*http_stream_poll_fn)(void *ctx, struct buf *out, int64_t now_ms);
struct http_stream_spec {
	http_stream_poll_fn poll;
	void (*free_ctx)(void *ctx);
	void *ctx;
	int64_t interval_ms, max_ms;
};

/* Request header value (case-insensitive name) or NULL. */
const char *http_header(struct req *r, const char *name);
/* Cookie value or NULL. */
const char *http_cookie(struct req *r, const char *name);
/* Query parameter, URL-decoded into the arena, or NULL when absent. */
const char *http_query(struct req *r, const char *name);
/* Integer query parameter: 0 ok (absent leaves *out), ERR_INVALID (message set) if malformed
 * or outside [min, max]. */
int http_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out);
/* Path parameter i as a positive id: 0 or ERR_NOTFOUND. */
int http_param_id(struct req *r, size_t i, int64_t *out);

/* Parse the body as a JSON object (checks content type, depth, UTF-8). On failure returns the
 * error with message/field set. The object is owned by the caller (json_decref). */
int http_body_json(struct req *r, json_t **out);

/* Responses. http_json steals the reference. Return 0 so handlers can `return http_json(...)`. */
int http_json(struct req *r, int status, json_t *body);
int http_text(struct req *r, int status, const char *type, const char *body, size_t len);
int http_no_content(struct req *r);
int http_redirect(struct req *r, const char *location);
void http_add_header(struct req *r, const char *name, const char *value);
/* Answers 200 with a stream of type (e.g. "text/event-stream"); the spec is copied. At most
 * HTTP_STREAMS_MAX streams per node: beyond, ERR_UNAVAILABLE (free_ctx is called then too). */
#define HTTP_STREAMS_MAX 64
int http_stream(struct req *r, const char *type, const struct http_stream_spec *spec);
/* Answers once a write job is committed, without holding this thread meanwhile: the server
 * queues fn(arg) with store_write_async and goes on with other connections; once the job is
 * done, it calls then(r, arg, rc) with the request as it was (the arena, the actor) and rc as
 * store_write would have returned it, and then answers what `then` set, like a handler. arg
 * and what it points to must live in r->a (not on the handler's stack). Returns 0: the
 * handler returns it. */
typedef int (*http_then_fn)(struct req *r, void *arg, int rc);
int http_defer(struct req *r, int (*fn)(struct store_conn *c, void *arg), void *arg,
               http_then_fn then);
/* For a caller outside the server's loop (the fuzz targets): when the handler deferred a write,
 * runs it with the blocking store_write and returns what `then` returns; otherwise returns rc. */
int http_defer_finish(struct req *r, int rc);
/* Record an error for the framework to render; returns err. field may be NULL. */
int http_fail(struct req *r, int err, const char *message, const char *field);

#endif
