/* test_fold.c: unit tests for core/fold.c (case folding for search keys). */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/fold.h"

#include <string.h>

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
