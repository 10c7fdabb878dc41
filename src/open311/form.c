/* form.c: application/x-www-form-urlencoded parsing for Open311 POST bodies. */
#include "open311/form.h"
#include "core/err.h"
#include "core/utf8.h"

#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) ('+' = space, %XX) into a fresh arena string of at most max bytes. */
static int decode(struct arena *a, const char *s, size_t n, size_t max, const char **out,
                  size_t *out_len, const char **why)
{
	char *d = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = n - i >= 3 ? hexval(s[i + 1]) : -1;
			int lo = n - i >= 3 ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*why = "Некорректная %-последовательность в теле формы";
				return ERR_INVALID;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0') {
			*why = "Нулевой байт в теле формы";
			return ERR_INVALID;
		}
		d[k++] = c;
	}
	d[k] = '\0';
	if (k > max) {
		*why = "Слишком длинное поле формы";
		return ERR_INVALID;
	}
	if (!utf8_valid(d, k)) {
		*why = "Поле формы не в кодировке UTF-8";
		return ERR_INVALID;
	}
	*out = d;
	*out_len = k;
	return 0;
}

int form_parse(struct arena *a, const char *s, size_t n, struct form *out, const char **why)
{
	out->fields = NULL;
	out->n = 0;
	size_t cap = 0;
	size_t i = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t kend = eq ? (size_t)(eq - s) : end;
			struct form_field f = {0};
			if (kend == i) {
				*why = "Пустое имя поля в теле формы";
				return ERR_INVALID;
			}
			if (out->n >= FORM_MAX_FIELDS) {
				*why = "Слишком много полей в теле формы";
				return ERR_INVALID;
			}
			int rc = decode(a, s + i, kend - i, FORM_MAX_KEY, &f.key, &f.key_len, why);
			if (!rc)
				rc = eq ? decode(a, eq + 1, end - kend - 1, FORM_MAX_VALUE,
				                 &f.value, &f.value_len, why)
				        : decode(a, "", 0, FORM_MAX_VALUE, &f.value, &f.value_len,
				                 why);
			if (rc)
				return rc;
			if (out->n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct form_field *nf = arena_alloc(a, ncap * sizeof(*nf));
				if (out->n)
					memcpy(nf, out->fields, out->n * sizeof(*nf));
				out->fields = nf;
				cap = ncap;
			}
			out->fields[out->n++] = f;
		}
		i = end + 1;
	}
	return 0;
}

const char *form_get(const struct form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].key, key) == 0)
			return f->fields[i].value;
	return NULL;
}

size_t form_count(const struct form *f, const char *key)
{
	size_t c = 0;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].key, key) == 0)
			c++;
	return c;
}
