/* err.c: one mapping from error values to API codes and HTTP statuses. */
#include "core/err.h"

const char *err_code(int err)
{
	switch (err) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid_input";
	case ERR_UNAUTHORIZED: return "unauthorized";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_NOTFOUND: return "not_found";
	case ERR_CONFLICT: return "conflict";
	case ERR_TOOLARGE: return "payload_too_large";
	case ERR_MEDIATYPE: return "unsupported_media_type";
	case ERR_VALIDATION: return "validation_failed";
	case ERR_RATELIMIT: return "rate_limited";
	case ERR_DB: return "internal";
	case ERR_METHOD: return "method_not_allowed";
	case ERR_RETRY: return "internal";
	case ERR_UNAVAILABLE: return "unavailable";
	default: return "internal";
	}
}

int err_http_status(int err)
{
	switch (err) {
	case ERR_OK: return 200;
	case ERR_INVALID: return 400;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_NOTFOUND: return 404;
	case ERR_METHOD: return 405;
	case ERR_CONFLICT: return 409;
	case ERR_TOOLARGE: return 413;
	case ERR_MEDIATYPE: return 415;
	case ERR_VALIDATION: return 422;
	case ERR_RATELIMIT: return 429;
	case ERR_UNAVAILABLE: return 503;
	default: return 500;
	}
}
