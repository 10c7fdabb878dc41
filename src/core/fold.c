/* fold.c: case folding with utf8proc (STABLE|COMPOSE|CASEFOLD, never STRIPMARK: й stays й). */
#include "core/fold.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The table: every character it accepts is a starter that nothing composes with, and folds to
 * a character of the same length in bytes. false when s holds anything else. */
static bool fold_fast(const unsigned char *s, size_t n, unsigned char *o)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			o[i] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
			i++;
			continue;
		}
		if (i + 1 >= n)
			return false;
		unsigned char d = s[i + 1];
		if (c == 0xD0 && d >= 0x90 && d <= 0x9F) { /* А..П → а..п */
			o[i] = 0xD0, o[i + 1] = (unsigned char)(d + 0x20);
		} else if (c == 0xD0 && d >= 0xA0 && d <= 0xAF) { /* Р..Я → р..я */
			o[i] = 0xD1, o[i + 1] = (unsigned char)(d - 0x20);
		} else if (c == 0xD0 && d >= 0xB0 && d <= 0xBF) { /* а..п */
			o[i] = c, o[i + 1] = d;
		} else if (c == 0xD1 && d >= 0x80 && d <= 0x8F) { /* р..я */
			o[i] = c, o[i + 1] = d;
		} else if ((c == 0xD0 && d == 0x81) || (c == 0xD1 && d == 0x91)) { /* Ё ё → е */
			o[i] = 0xD0, o[i + 1] = 0xB5;
		} else if (c == 0xC2 && (d == 0xA0 || d == 0xAB || d == 0xBB)) { /* nbsp « » */
			o[i] = c, o[i + 1] = d;
		} else if (c == 0xE2 && i + 2 < n &&
		           ((d == 0x80 &&
		             (s[i + 2] == 0x93 || s[i + 2] == 0x94 || s[i + 2] == 0xA6 ||
		              s[i + 2] == 0x9C || s[i + 2] == 0x9D)) ||
		            (d == 0x84 && s[i + 2] == 0x96))) { /* – — … “ ” № */
			o[i] = c, o[i + 1] = d, o[i + 2] = s[i + 2];
			i++;
		} else {
			return false;
		}
		i += 2;
	}
	return true;
}

long fold_map(const char *s, size_t n, char **out)
{
	unsigned char *o = malloc(n + 1);
	if (o && fold_fast((const unsigned char *)s, n, o)) {
		o[n] = '\0';
		*out = (char *)o;
		return (long)n;
	}
	free(o);
	utf8proc_uint8_t *f = NULL;
	utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &f,
	                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (len < 0) {
		free(f);
		*out = NULL;
		return -1;
	}
	/* ё (U+0451, D1 91) -> е (U+0435, D0 B5): same byte length, fold in place. */
	for (utf8proc_ssize_t i = 0; i + 1 < len; i++)
		if (f[i] == 0xD1 && f[i + 1] == 0x91) {
			f[i] = 0xD0;
			f[i + 1] = 0xB5;
		}
	*out = (char *)f;
	return (long)len;
}

char *fold_text(struct arena *a, const char *s, size_t n)
{
	char *f = NULL;
	long len = fold_map(s, n, &f);
	if (len < 0)
		return arena_strdup(a, "");
	char *r = arena_strndup(a, f, (size_t)len);
	free(f);
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
