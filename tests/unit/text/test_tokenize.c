/* test_tokenize.c: normalisation, masks, numbers and stop words of text/tokenize.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "text/tokenize.h"

static struct text_doc d;

static void setup(void)
{
	text_doc_init(&d);
}

static void teardown(void)
{
	text_doc_release(&d);
}

static void tok(const char *s)
{
	cr_assert_eq(text_tokenize(&d, s, strlen(s)), 0);
}

static int is(size_t i, const char *w, int kind)
{
	const struct text_token *t = &d.toks[i];
	return t->len == strlen(w) && memcmp(d.norm + t->off, w, t->len) == 0 && t->kind == kind;
}

TestSuite(tokenize, .init = setup, .fini = teardown);

Test(tokenize, folds_case_and_yo)
{
	tok("ЁЛКА Ёж Street ÉCLAIR");
	cr_assert_eq(d.ntoks, 4);
	cr_assert(is(0, "елка", TEXT_TOK_WORD));
	cr_assert(is(1, "еж", TEXT_TOK_WORD));
	cr_assert(is(2, "street", TEXT_TOK_WORD));
	cr_assert(is(3, "éclair", TEXT_TOK_WORD), "accents are kept (no STRIPMARK)");
	cr_assert_str_eq(d.norm, "елка еж street éclair");
}

Test(tokenize, keeps_short_i)
{
	tok("Йошкар-Ола, район");
	cr_assert(is(0, "йошкар", TEXT_TOK_WORD), "й must not become и");
	cr_assert(is(1, "ола", TEXT_TOK_WORD));
}

Test(tokenize, numbers_are_tokens_apart_from_letters)
{
	tok("д.5к2, 1й подъезд");
	cr_assert_eq(d.ntoks, 7);
	cr_assert(is(0, "д", TEXT_TOK_WORD));
	cr_assert(is(1, "5", TEXT_TOK_NUMBER));
	cr_assert(is(2, "к", TEXT_TOK_WORD));
	cr_assert(is(3, "2", TEXT_TOK_NUMBER));
	cr_assert(is(4, "1", TEXT_TOK_NUMBER));
	cr_assert(is(5, "й", TEXT_TOK_WORD));
}

Test(tokenize, masked_spans)
{
	tok("звонил [скрыто] тел XXXX и хххх, но скрыто");
	cr_assert(is(1, "скрыто", TEXT_TOK_MASK));
	cr_assert(is(3, "xxxx", TEXT_TOK_MASK));
	cr_assert(is(5, "хххх", TEXT_TOK_MASK));
	cr_assert(is(7, "скрыто", TEXT_TOK_WORD), "a plain word outside brackets is a word");
}

Test(tokenize, stop_words_and_boilerplate)
{
	tok("Здравствуйте, прошу убрать мусор и не тянуть");
	cr_assert(d.toks[0].stop);
	cr_assert(d.toks[1].stop);
	cr_assert(!d.toks[2].stop);
	cr_assert(d.toks[4].stop, "и");
	cr_assert(!d.toks[5].stop, "negation is kept");
	cr_assert(text_is_stopword("для", strlen("для")));
	cr_assert(!text_is_stopword("фонарь", strlen("фонарь")));
}

Test(tokenize, rejects_invalid_utf8)
{
	const char bad[] = {'a', (char)0xC3, 'b', 0};
	cr_assert_eq(text_tokenize(&d, bad, 3), ERR_INVALID);
	cr_assert_eq(d.ntoks, 0);
	const char overlong[] = {(char)0xC0, (char)0xAF, 0};
	cr_assert_eq(text_tokenize(&d, overlong, 2), ERR_INVALID);
}

Test(tokenize, empty_and_punctuation_only)
{
	tok("");
	cr_assert_eq(d.ntoks, 0);
	tok("!!! ... ---");
	cr_assert_eq(d.ntoks, 0);
}
