/* h_open311.c: Open311 GeoReport v2 (JSON and XML): format from the path, the spec's error list
 * for every error the caller can cause, replies rendered by src/open311. */
#include "core/clock.h"
#include "core/err.h"
#include "http/handlers.h"
#include "http/server.h"
#include "open311/form.h"
#include "open311/open311.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* The last path parameter is the format: 0 json, 1 xml, -1 anything else. */
static int format_of(struct req *r)
{
	const char *f = r->nparams ? r->params[r->nparams - 1] : "";
	if (strcmp(f, "json") == 0)
		return 0;
	if (strcmp(f, "xml") == 0)
		return 1;
	return -1;
}

static int send(struct req *r, int status, bool xml, json_t *body, const char *root)
{
	const char *out;
	size_t len;
	int rc = open311_render(r->a, xml, body, root, &out, &len);
	json_decref(body);
	if (rc)
		return http_fail(r, ERR_INTERNAL, "Ответ не удалось сформировать", NULL);
	return http_text(r, status,
	                 xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8", out,
	                 len);
}

/* The spec's error list for the errors a caller causes; others go to the common error shape. */
static int fail(struct req *r, bool xml, int err, const char *why)
{
	int status;
	switch (err) {
	case ERR_INVALID: status = 400; break;
	case ERR_FORBIDDEN: status = 403; break;
	case ERR_NOTFOUND: status = 404; break;
	default: return http_fail(r, err, NULL, NULL);
	}
	return send(r, status, xml, open311_errors(status, why), "errors");
}

/* Checks the format; on a bad one renders the 404 (JSON) and returns -1. */
static int begin(struct req *r, bool *xml)
{
	int f = format_of(r);
	if (f < 0) {
		fail(r, false, ERR_NOTFOUND,
		     "Формат не поддерживается: используйте .json или .xml");
		return -1;
	}
	*xml = f == 1;
	if (r->bad_query_arg) {
		fail(r, *xml, ERR_INVALID,
		     arena_printf(r->a,
		                  "Параметр %s: недопустимые символы (NUL или неверный UTF-8)",
		                  r->bad_query_arg));
		return -1;
	}
	return 0;
}

int h_o311_discovery(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	const char *url = arena_printf(r->a, "%s/open311/v2", r->srv->cfg.public_url);
	return send(r, 200, xml, open311_discovery(url), "discovery");
}

int h_o311_services(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	json_t *out;
	int rc = open311_services(r->store, r->a, &out);
	if (rc)
		return fail(r, xml, rc, NULL);
	return send(r, 200, xml, out, "services");
}

int h_o311_service(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	json_t *out;
	const char *why = NULL;
	int rc = open311_service_definition(r->store, r->a, r->params[0], &out, &why);
	if (rc)
		return fail(r, xml, rc, why);
	return send(r, 200, xml, out, "service_definition");
}

int h_o311_request_create(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	const char *ct = r->content_type;
	if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
	    (ct[33] && ct[33] != ';' && ct[33] != ' '))
		return fail(r, xml, ERR_INVALID,
		            "Ожидается Content-Type: application/x-www-form-urlencoded");
	struct form f;
	const char *why = NULL;
	int rc = form_parse(r->a, r->body, r->body_len, &f, &why);
	if (rc)
		return fail(r, xml, rc, why);
	json_t *out;
	rc = open311_request_create(r->store, r->a, r->request_id, &f, &out, &why);
	if (rc)
		return fail(r, xml, rc, why);
	return send(r, 201, xml, out, "service_requests");
}

int h_o311_requests(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	struct open311_query q = {
	    .service_request_id = http_query(r, "service_request_id"),
	    .service_code = http_query(r, "service_code"),
	    .start_date = http_query(r, "start_date"),
	    .end_date = http_query(r, "end_date"),
	    .status = http_query(r, "status"),
	};
	json_t *out;
	const char *why = NULL;
	int rc = open311_requests(r->store, r->a, &q, clock_now_ms(), &out, &why);
	if (rc)
		return fail(r, xml, rc, why);
	return send(r, 200, xml, out, "service_requests");
}

int h_o311_request(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	json_t *out;
	const char *why = NULL;
	int rc = open311_request_get(r->store, r->a, r->params[0], &out, &why);
	if (rc)
		return fail(r, xml, rc, why);
	return send(r, 200, xml, out, "service_requests");
}

int h_o311_token(struct req *r)
{
	bool xml;
	if (begin(r, &xml))
		return 0;
	json_t *out;
	const char *why = NULL;
	int rc = open311_token(r->store, r->a, r->params[0], &out, &why);
	if (rc)
		return fail(r, xml, rc, why);
	return send(r, 200, xml, out, "service_requests");
}
