/* utf8.h: strict UTF-8 validation and counting. */
#ifndef OTKLIK_CORE_UTF8_H
#define OTKLIK_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t utf8_len(const char *s, size_t n);
/* Bytes of the first max_chars characters of valid UTF-8 s (never splits a character). */
size_t utf8_prefix(const char *s, size_t n, size_t max_chars);
/* Decode one code point at s (valid input assumed); returns bytes consumed (>=1). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode cp into out (>= 4 bytes); returns bytes written. */
size_t utf8_encode(uint32_t cp, char *out);
/* True when valid UTF-8 and free of control characters other than \n, \r, \t. */
bool utf8_clean_text(const char *s, size_t n);

#endif
