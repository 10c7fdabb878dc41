/* fold.c: case folding with utf8proc (STABLE|COMPOSE|CASEFOLD, never STRIPMARK: й stays й). */
#include "core/fold.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

char *fold_text(struct arena *a, const char *s, size_t n)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
	                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (len < 0) {
		free(out);
		return arena_strdup(a, "");
	}
	/* ё (U+0451, D1 91) -> е (U+0435, D0 B5): same byte length, fold in place. */
	for (utf8proc_ssize_t i = 0; i + 1 < len; i++)
		if (out[i] == 0xD1 && out[i + 1] == 0x91) {
			out[i] = 0xD0;
			out[i + 1] = 0xB5;
		}
	char *r = arena_strndup(a, (const char *)out, (size_t)len);
	free(out);
	return r;
}

char *fold_like_pattern(struct arena *a, const char *q)
{
	char *f = fold_text(a, q, strlen(q));
	size_t n = strlen(f);
	char *p = arena_alloc(a, n * 2 + 3);
	size_t o = 0;
	p[o++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (f[i] == '%' || f[i] == '_' || f[i] == '\\')
			p[o++] = '\\';
		p[o++] = f[i];
	}
	p[o++] = '%';
	p[o] = '\0';
	return p;
}
