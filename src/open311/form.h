/* form.h: an application/x-www-form-urlencoded body parser (+ and %XX decoding, repeated keys,
 * limits on count and length, strict UTF-8). */
#ifndef OTKLIK_OPEN311_FORM_H
#define OTKLIK_OPEN311_FORM_H

#include "core/arena.h"

#include <stddef.h>

#define FORM_MAX_FIELDS 200   /* pairs in one body */
#define FORM_MAX_KEY    256   /* bytes of a decoded key */
#define FORM_MAX_VALUE  16384 /* bytes of a decoded value */

struct form_field {
	const char *key, *value; /* decoded, NUL-terminated, arena-owned */
	size_t key_len, value_len;
};

struct form {
	struct form_field *fields; /* in body order; a key may repeat */
	size_t n;
};

/* Parses s[0..n) into out (everything in a). Empty pairs ("a=1&&b=2") are skipped; a pair
 * without '=' has the value "". Returns 0, or ERR_INVALID with a Russian reason in *why for a
 * bad %XX escape, a decoded NUL byte, invalid UTF-8, an empty key, or a limit passed. */
int form_parse(struct arena *a, const char *s, size_t n, struct form *out, const char **why);

/* The first value of key, or NULL when absent. */
const char *form_get(const struct form *f, const char *key);
/* How many times key occurs. */
size_t form_count(const struct form *f, const char *key);

#endif
