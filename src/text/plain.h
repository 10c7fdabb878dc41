/* plain.h: bureaucratic Russian into plain Russian, for answers citizens can read
 * ("в настоящее время" → "сейчас", "денежные средства" → "деньги"). A fixed list of
 * replacements that keep the sentence grammatical; every change is reported so the executor
 * sees what was changed and can undo it. */
#ifndef OTKLIK_TEXT_PLAIN_H
#define OTKLIK_TEXT_PLAIN_H

#include "core/arena.h"

#include <stddef.h>
#include <stdint.h>

struct text_change {
	uint32_t off, len; /* bytes of the original text that were replaced */
	const char *to;    /* what replaced them (static) */
};

/* Rewrites s[0..n). *out gets the new text (NUL-terminated, in a), *changes the replacements in
 * text order (in a; NULL when none) and *nchanges their count. */
void text_plain(struct arena *a, const char *s, size_t n, const char **out,
                struct text_change **changes, size_t *nchanges);

#endif
