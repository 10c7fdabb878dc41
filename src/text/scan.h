/* scan.h: tokens of the original text with their byte offsets, for the executor's assistant
 * (facts, essence, plain language). Unlike tokenize.h, which folds the text for features, the
 * tokens here point into the text as typed, so what is found can be shown or replaced in place. */
#ifndef OTKLIK_TEXT_SCAN_H
#define OTKLIK_TEXT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum scan_kind {
	SCAN_WORD = 0,  /* a run of letters (Cyrillic or Latin) */
	SCAN_NUM = 1,   /* a run of decimal digits */
	SCAN_PUNCT = 2, /* one other visible character */
	SCAN_MASK = 3   /* "[скрыто]", the portal's moderator mask */
};

#define SCAN_LOW_MAX 48 /* bytes of a word's lower-case form kept (longer words are cut) */

struct scan_tok {
	uint32_t off, len;      /* bytes in the original text */
	uint32_t cp;            /* SCAN_PUNCT: the character */
	uint8_t kind;           /* enum scan_kind */
	bool space_before;      /* white space between the previous token and this one */
	bool line_before;       /* a line break between them */
	bool upper;             /* SCAN_WORD: starts with a capital letter */
	char low[SCAN_LOW_MAX]; /* SCAN_WORD: lower case, ё → е, NUL-terminated */
};

struct scan {
	struct scan_tok *t;
	size_t n;
};

/* Splits s[0..n) into tokens (invalid UTF-8 bytes count as white space). Release with
 * scan_free. */
void scan_text(const char *s, size_t n, struct scan *out);
void scan_free(struct scan *sc);

/* True when token i is the word w (lower case). */
bool scan_is(const struct scan *sc, size_t i, const char *w);
/* True when token i is the punctuation character cp. */
bool scan_punct(const struct scan *sc, size_t i, uint32_t cp);
/* True when token i is a word that starts with prefix (lower case). */
bool scan_starts(const struct scan *sc, size_t i, const char *prefix);
/* The value of a number token of up to 9 digits, else -1. */
long scan_num(const struct scan *sc, const char *s, size_t i);

#endif
