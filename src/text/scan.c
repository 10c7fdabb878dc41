/* scan.c: tokens of the original text with their offsets (scan.h). */
#include "text/scan.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

static bool is_letter(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	       (cp >= 0x410 && cp <= 0x44F) || cp == 0x401 || cp == 0x451;
}

static bool is_upper(uint32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 0x410 && cp <= 0x42F) || cp == 0x401;
}

static uint32_t lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20;
	if (cp == 0x401 || cp == 0x451)
		return 0x435; /* ё → е */
	return cp;
}

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x2009 ||
	       cp == 0x202F || cp < 0x20;
}

/* Bytes of the next code point at s[i..n), and the code point; an invalid byte is 1 byte of
 * U+0000 (white space). */
static size_t next_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
	size_t k = 1;
	unsigned char c = (unsigned char)s[i];
	if (c >= 0xC0)
		k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (i + k > n || !utf8_valid(s + i, k)) {
		*cp = 0;
		return 1;
	}
	utf8_decode(s + i, k, cp);
	return k;
}

static const char mask_word[] = "[скрыто]";

void scan_text(const char *s, size_t n, struct scan *out)
{
	size_t cap = 0;
	out->t = NULL;
	out->n = 0;
	bool space = false, line = false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = next_cp(s, n, i, &cp);
		if (is_space(cp)) {
			space = true;
			line |= cp == '\n';
			i += k;
			continue;
		}
		out->t = xgrow(out->t, sizeof(*out->t), out->n + 1, &cap);
		struct scan_tok *t = &out->t[out->n++];
		memset(t, 0, sizeof(*t));
		t->off = (uint32_t)i;
		t->space_before = space;
		t->line_before = line;
		space = line = false;
		size_t ml = sizeof(mask_word) - 1;
		if (cp == '[' && i + ml <= n && !memcmp(s + i, mask_word, ml)) {
			t->kind = SCAN_MASK;
			t->len = (uint32_t)ml;
			i += ml;
			continue;
		}
		if (is_letter(cp)) {
			t->kind = SCAN_WORD;
			t->upper = is_upper(cp);
			size_t j = i, lo = 0;
			while (j < n) {
				uint32_t c2;
				size_t k2 = next_cp(s, n, j, &c2);
				if (!is_letter(c2))
					break;
				char enc[4];
				size_t m = utf8_encode(lower(c2), enc);
				if (lo + m < SCAN_LOW_MAX) {
					memcpy(t->low + lo, enc, m);
					lo += m;
				}
				j += k2;
			}
			t->low[lo] = '\0';
			t->len = (uint32_t)(j - i);
			i = j;
			continue;
		}
		if (cp >= '0' && cp <= '9') {
			size_t j = i;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			t->kind = SCAN_NUM;
			t->len = (uint32_t)(j - i);
			i = j;
			continue;
		}
		t->kind = SCAN_PUNCT;
		t->cp = cp;
		t->len = (uint32_t)k;
		i += k;
	}
}

void scan_free(struct scan *sc)
{
	free(sc->t);
	sc->t = NULL;
	sc->n = 0;
}

bool scan_is(const struct scan *sc, size_t i, const char *w)
{
	return i < sc->n && sc->t[i].kind == SCAN_WORD && !strcmp(sc->t[i].low, w);
}

bool scan_punct(const struct scan *sc, size_t i, uint32_t cp)
{
	return i < sc->n && sc->t[i].kind == SCAN_PUNCT && sc->t[i].cp == cp;
}

bool scan_starts(const struct scan *sc, size_t i, const char *prefix)
{
	return i < sc->n && sc->t[i].kind == SCAN_WORD &&
	       !strncmp(sc->t[i].low, prefix, strlen(prefix));
}

long scan_num(const struct scan *sc, const char *s, size_t i)
{
	if (i >= sc->n || sc->t[i].kind != SCAN_NUM || sc->t[i].len > 9)
		return -1;
	long v = 0;
	for (uint32_t k = 0; k < sc->t[i].len; k++)
		v = v * 10 + (s[sc->t[i].off + k] - '0');
	return v;
}
