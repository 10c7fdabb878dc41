/* stem.h: the Snowball Russian stemmer (libstemmer) behind a small wrapper. */
#ifndef OTKLIK_TEXT_STEM_H
#define OTKLIK_TEXT_STEM_H

#include <stddef.h>

struct sb_stemmer;

/* One per thread: libstemmer's state is not thread-safe. */
struct text_stemmer {
	struct sb_stemmer *sb;
};

/* Returns 0, or ERR_INTERNAL when libstemmer has no Russian UTF-8 stemmer. */
int text_stemmer_init(struct text_stemmer *st);
/* Frees the stemmer; safe on a stemmer whose init failed. */
void text_stemmer_release(struct text_stemmer *st);

/* Stems the lower-case UTF-8 word w[0..n). Returns a pointer owned by st, valid until the
 * next call, and sets *out_len; never NULL (on failure the word itself is returned). */
const char *text_stem(struct text_stemmer *st, const char *w, size_t n, size_t *out_len);

#endif
