/* tokenize.h: Russian text normalisation (UTF-8 check, case fold, ё→е, masks) and tokens. */
#ifndef OTKLIK_TEXT_TOKENIZE_H
#define OTKLIK_TEXT_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum text_token_kind {
	TEXT_TOK_WORD = 0,   /* a run of letters, case-folded, ё folded to е */
	TEXT_TOK_NUMBER = 1, /* a run of decimal digits (house numbers, dates, counts) */
	TEXT_TOK_MASK = 2    /* a span hidden by a moderator: "[скрыто]", "XXXX", "ххх" */
};

struct text_token {
	uint32_t off, len; /* bytes in text_doc.norm */
	uint8_t kind;      /* enum text_token_kind */
	bool stop;         /* a stop word or portal boilerplate (words only) */
};

/* A tokenized document: norm holds the folded tokens joined by single spaces. */
struct text_doc {
	char *norm;
	size_t norm_len, norm_cap;
	struct text_token *toks;
	size_t ntoks, toks_cap;
};

/* Longest input accepted by text_tokenize, in bytes; longer input is cut at a code point. */
#define TEXT_MAX_INPUT (64 * 1024)

/* Lifecycle: init makes an empty document; release frees its buffers (init again to reuse). */
void text_doc_init(struct text_doc *d);
void text_doc_release(struct text_doc *d);

/* Normalises and splits s[0..n) into d (previous contents are replaced).
 * Returns 0, or ERR_INVALID when s is not valid UTF-8 (d is then empty).
 * Punctuation separates tokens; letters and digits never share a token ("5й" → "5", "й"). */
int text_tokenize(struct text_doc *d, const char *s, size_t n);

/* True when the folded word w[0..n) is a Russian stop word or portal boilerplate
 * ("здравствуйте", "прошу", ...). Negations ("не", "нет") are not stop words. */
bool text_is_stopword(const char *w, size_t n);

#endif
