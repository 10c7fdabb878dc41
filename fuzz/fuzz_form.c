/* fuzz_form.c: libFuzzer target for open311/form.c (x-www-form-urlencoded) and the XML writer
 * on what it accepts: decoded fields are valid UTF-8 within the limits, re-encoding them parses
 * back to the same fields, and the XML writer refuses exactly the text XML cannot carry. */
#include "core/arena.h"
#include "core/utf8.h"
#include "open311/form.h"
#include "open311/xml.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t encode(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			out[k++] = (char)c;
		else if (c == ' ')
			out[k++] = '+';
		else {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	return k;
}

/* Every '&' in the document starts one of the entities the writer uses. */
static bool entities_ok(const char *s, size_t n)
{
	static const char *const ents[] = {"&amp;",  "&lt;",  "&gt;",  "&quot;",
	                                   "&apos;", "&#13;", "&#10;", "&#9;"};
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&')
			continue;
		bool ok = false;
		for (size_t e = 0; e < sizeof(ents) / sizeof(ents[0]); e++)
			ok |= strncmp(s + i, ents[e], strlen(ents[e])) == 0;
		if (!ok)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 4096);
	struct form f;
	const char *why = NULL;
	int rc = form_parse(&a, (const char *)data, size, &f, &why);
	if (rc) {
		if (!why)
			abort(); /* every refusal says why */
		arena_release(&a);
		return 0;
	}
	if (f.n > FORM_MAX_FIELDS)
		abort();
	size_t total = 0;
	for (size_t i = 0; i < f.n; i++) {
		const struct form_field *x = &f.fields[i];
		if (!x->key_len || x->key_len > FORM_MAX_KEY || x->value_len > FORM_MAX_VALUE)
			abort();
		if (strlen(x->key) != x->key_len || strlen(x->value) != x->value_len)
			abort(); /* no NUL inside */
		if (!utf8_valid(x->key, x->key_len) || !utf8_valid(x->value, x->value_len))
			abort();
		total += 3 * (x->key_len + x->value_len) + 2;
	}
	/* round trip */
	char *enc = malloc(total + 1);
	size_t k = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (i)
			enc[k++] = '&';
		k += encode(enc + k, f.fields[i].key, f.fields[i].key_len);
		enc[k++] = '=';
		k += encode(enc + k, f.fields[i].value, f.fields[i].value_len);
	}
	struct form g;
	if (form_parse(&a, enc, k, &g, &why) || g.n != f.n)
		abort();
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.fields[i].key, g.fields[i].key) ||
		    strcmp(f.fields[i].value, g.fields[i].value))
			abort();
	free(enc);
	/* the XML writer on the values: refused exactly when xml_text_ok says so */
	for (size_t i = 0; i < f.n && i < 8; i++) {
		struct xml x;
		xml_init(&x, 1 << 20);
		xml_elem(&x, "v", f.fields[i].value);
		xml_start(&x, "w");
		xml_attr(&x, "a", f.fields[i].value);
		xml_end(&x);
		const char *out;
		size_t len;
		int xr = xml_finish(&x, &a, &out, &len);
		bool ok = xml_text_ok(f.fields[i].value, f.fields[i].value_len);
		if ((xr == 0) != ok)
			abort();
		if (!xr && !entities_ok(out, len))
			abort(); /* a bare & in the output */
		xml_release(&x);
	}
	arena_release(&a);
	return 0;
}
