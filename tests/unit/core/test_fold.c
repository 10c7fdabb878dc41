/* test_fold.c: unit tests for core/fold.c (case folding for search keys). */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/fold.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static struct arena a;

static void setup(void)
{
	arena_init(&a, 1024);
}

static void teardown(void)
{
	arena_release(&a);
}

static const char *fold(const char *s)
{
	return fold_text(&a, s, strlen(s));
}

TestSuite(fold, .init = setup, .fini = teardown);

Test(fold, latin_case)
{
	cr_expect_str_eq(fold("Hello WORLD"), "hello world");
	cr_expect_str_eq(fold("abc 123 !?"), "abc 123 !?");
	cr_expect_str_eq(fold(""), "");
}

Test(fold, cyrillic_case)
{
	cr_expect_str_eq(fold("МОСКВА"), "москва");
	cr_expect_str_eq(fold("Калужская Область"), "калужская область");
	cr_expect_str_eq(fold("ЪЫЬЭЮЯ"), "ъыьэюя");
	cr_expect_str_eq(fold(fold("ПрИвЕт")), "привет", "idempotent");
}

Test(fold, yo_folds_to_ye)
{
	cr_expect_str_eq(fold("ёлка"), "елка");
	cr_expect_str_eq(fold("ЁЛКА"), "елка");
	cr_expect_str_eq(fold("Семёнов"), fold("СЕМЕНОВ"));
	/* Decomposed ё (е + U+0308) composes first, then folds. */
	cr_expect_str_eq(fold("\xD0\xB5\xCC\x88"), "е");
}

Test(fold, short_i_stays)
{
	cr_expect_str_eq(fold("Й"), "й");
	cr_expect_str_eq(fold("йод"), "йод");
	cr_expect_str_neq(fold("й"), "и", "й must not lose its breve");
	/* Decomposed й (и + U+0306) composes into й. */
	cr_expect_str_eq(fold("\xD0\xB8\xCC\x86"), "й");
}

Test(fold, nbytes_respected)
{
	const char *s = "ABCDEF";
	cr_expect_str_eq(fold_text(&a, s, 3), "abc");
}

Test(fold, like_pattern_wraps_and_folds)
{
	cr_expect_str_eq(fold_like_pattern(&a, "Калуга"), "%калуга%");
	cr_expect_str_eq(fold_like_pattern(&a, ""), "%%");
	cr_expect_str_eq(fold_like_pattern(&a, "Ёж"), "%еж%");
}

Test(fold, like_pattern_escapes_wildcards)
{
	cr_expect_str_eq(fold_like_pattern(&a, "100%"), "%100\\%%");
	cr_expect_str_eq(fold_like_pattern(&a, "a_b"), "%a\\_b%");
	cr_expect_str_eq(fold_like_pattern(&a, "C:\\X"), "%c:\\\\x%");
	cr_expect_str_eq(fold_like_pattern(&a, "%_\\"), "%\\%\\_\\\\%");
}

/* The reference: utf8proc_map (STABLE|COMPOSE|CASEFOLD), then ё → е. */
static char *fold_reference(const char *s, size_t n)
{
	utf8proc_uint8_t *f = NULL;
	utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &f,
	                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	cr_assert_geq(len, 0);
	for (utf8proc_ssize_t i = 0; i + 1 < len; i++)
		if (f[i] == 0xD1 && f[i + 1] == 0x91)
			f[i] = 0xD0, f[i + 1] = 0xB5;
	return (char *)f;
}

static void expect_same_as_utf8proc(const char *s, size_t n)
{
	char *fast = NULL, *ref = fold_reference(s, n);
	long len = fold_map(s, n, &fast);
	cr_assert_geq(len, 0);
	cr_expect_eq((size_t)len, strlen(ref), "length for \"%.*s\"", (int)n, s);
	cr_expect_str_eq(fast, ref, "fold of \"%.*s\"", (int)n, s);
	free(fast);
	free(ref);
}

Test(fold, table_path_matches_utf8proc)
{
	/* every character the table accepts, alone and between letters */
	char buf[16];
	for (uint32_t cp = 1; cp < 0x80; cp++) {
		buf[0] = (char)cp;
		expect_same_as_utf8proc(buf, 1);
	}
	for (uint32_t cp = 0x400; cp <= 0x45F; cp++) {
		buf[0] = 'x';
		buf[1] = (char)(0xC0 | (cp >> 6));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		buf[3] = 'Y';
		expect_same_as_utf8proc(buf, 4);
	}
	const char *punct[] = {"\u00A0", "\u00AB", "\u00BB", "\u2013", "\u2014",
	                       "\u2026", "\u201C", "\u201D", "\u2116"};
	for (size_t i = 0; i < sizeof(punct) / sizeof(punct[0]); i++) {
		snprintf(buf, sizeof(buf), "А%sб", punct[i]);
		expect_same_as_utf8proc(buf, strlen(buf));
	}
	const char *texts[] = {
	    "Во ДВОРЕ дома № 5 — не убирают «МУСОР» уже неделю… Ёлка, ЁЖ, ёж!",
	    "ул. Ленина, 12; тел. +7 (900) 123-45-67 \"Test\" 100%",
	    /* outside the table: decomposed й (и + U+0306) composes, Greek and German fold */
	    "и\u0306ogurt", "ΣΊΣΥΦΟΣ", "Straße", "Ǆ", "ﬁ", "Ⅻ", "日本語"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		expect_same_as_utf8proc(texts[i], strlen(texts[i]));
}

Test(fold, map_rejects_invalid_utf8)
{
	char *out = (char *)1;
	cr_expect_eq(fold_map("\xD0", 1, &out), -1);
	cr_expect_null(out);
	cr_expect_eq(fold_map("ab\xFF", 3, &out), -1);
}
