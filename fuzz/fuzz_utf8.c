/* fuzz_utf8.c: libFuzzer target for core/utf8.c (checked against a reference decoder) and
 * core/fold.c on the inputs it accepts. */
#include "core/arena.h"
#include "core/fold.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Straightforward decoder by the definition: shortest form, no surrogates, <= U+10FFFF. */
static bool ref_valid(const uint8_t *s, size_t n, size_t *count)
{
	size_t i = 0;
	*count = 0;
	while (i < n) {
		uint32_t c = s[i];
		size_t len;
		uint32_t min;
		if (c < 0x80) {
			len = 1, min = 0;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, min = 0x10000, c &= 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return false;
		i += len;
		(*count)++;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	size_t count;
	bool want = ref_valid(data, size, &count);
	bool got = utf8_valid(s, size);
	if (got != want)
		abort(); /* utf8_valid disagrees with the definition */
	bool clean = utf8_clean_text(s, size);
	if (clean && !got)
		abort();
	if (got) {
		if (utf8_len(s, size) != count)
			abort();
		/* decode/encode round trip, code point by code point */
		size_t i = 0;
		while (i < size) {
			uint32_t cp;
			size_t n = utf8_decode(s + i, size - i, &cp);
			char buf[4];
			if (n == 0 || n > 4 || utf8_encode(cp, buf) != n || memcmp(buf, s + i, n))
				abort();
			i += n;
		}
		struct arena a;
		arena_init(&a, 0);
		const char *f = fold_text(&a, s, size);
		if (!utf8_valid(f, strlen(f)))
			abort(); /* folding valid text gives valid text */
		if (!memchr(s, '\0', size)) {
			const char *p = fold_like_pattern(&a, s);
			size_t pl = strlen(p);
			if (pl < 2 || p[0] != '%' || p[pl - 1] != '%')
				abort();
		}
		arena_release(&a);
	} else {
		/* decode must stay inside the buffer even on invalid input */
		size_t i = 0;
		while (i < size) {
			uint32_t cp;
			size_t n = utf8_decode(s + i, size - i, &cp);
			if (n == 0 || n > size - i)
				abort();
			i += n;
		}
	}
	free(s);
	return 0;
}
