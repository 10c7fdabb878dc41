/* err.h: the project-wide error codes; functions return 0 or one of these. */
#ifndef OTKLIK_CORE_ERR_H
#define OTKLIK_CORE_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INVALID = -1,      /* malformed input: 400 */
	ERR_UNAUTHORIZED = -2, /* 401 */
	ERR_FORBIDDEN = -3,    /* 403 */
	ERR_NOTFOUND = -4,     /* 404 */
	ERR_CONFLICT = -5,     /* 409 */
	ERR_TOOLARGE = -6,     /* 413 */
	ERR_MEDIATYPE = -7,    /* 415 */
	ERR_VALIDATION = -8,   /* well-formed but unacceptable: 422 */
	ERR_RATELIMIT = -9,    /* 429 */
	ERR_DB = -10,          /* database failure: 500 */
	ERR_INTERNAL = -11,    /* 500 */
	ERR_METHOD = -12,      /* 405 */
	ERR_RETRY = -13,       /* transient (serialization failure, busy): try again */
	ERR_UNAVAILABLE = -14  /* 503 */
};

/* Stable English code for the API ("invalid_input", ...). */
const char *err_code(int err);
/* HTTP status for an error value. */
int err_http_status(int err);

#endif
