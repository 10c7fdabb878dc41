/* test_form.c: unit tests for open311/form.c (application/x-www-form-urlencoded). */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/err.h"
#include "open311/form.h"

#include <stdio.h>
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

TestSuite(form, .init = setup, .fini = teardown);

static int parse(const char *s, struct form *f, const char **why)
{
	*why = NULL;
	return form_parse(&a, s, strlen(s), f, why);
}

Test(form, plus_and_percent_decoding)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("description=a+b%20c&x=%2B%26%3D", &f, &why), 0);
	cr_assert_eq(f.n, 2);
	cr_assert_str_eq(form_get(&f, "description"), "a b c");
	cr_assert_str_eq(form_get(&f, "x"), "+&=");
	cr_assert_null(form_get(&f, "missing"));
}

Test(form, cyrillic_utf8)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("name=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82", &f, &why), 0);
	cr_assert_str_eq(form_get(&f, "name"), "Привет");
	/* raw UTF-8 bytes are accepted too */
	cr_assert_eq(parse("name=Привет", &f, &why), 0);
	cr_assert_str_eq(form_get(&f, "name"), "Привет");
}

Test(form, repeated_keys_kept_in_order)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("attribute[p][]=roof&attribute[p][]=stairs&k=1", &f, &why), 0);
	cr_assert_eq(form_count(&f, "attribute[p][]"), 2);
	cr_assert_eq(form_count(&f, "k"), 1);
	cr_assert_str_eq(f.fields[0].value, "roof");
	cr_assert_str_eq(f.fields[1].value, "stairs");
	cr_assert_str_eq(form_get(&f, "attribute[p][]"), "roof");
}

Test(form, bracket_keys_percent_encoded)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("attribute%5Bdefect%5D=pothole", &f, &why), 0);
	cr_assert_str_eq(form_get(&f, "attribute[defect]"), "pothole");
}

Test(form, empty_pairs_and_missing_values)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("&&a=1&&b&c=&", &f, &why), 0);
	cr_assert_eq(f.n, 3);
	cr_assert_str_eq(form_get(&f, "b"), "");
	cr_assert_str_eq(form_get(&f, "c"), "");
	cr_assert_eq(parse("", &f, &why), 0);
	cr_assert_eq(f.n, 0);
}

Test(form, value_may_contain_equals)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("u=a=b=c", &f, &why), 0);
	cr_assert_str_eq(form_get(&f, "u"), "a=b=c");
}

Test(form, bad_escapes_refused)
{
	struct form f;
	const char *why;
	const char *bad[] = {"a=%", "a=%4", "a=%G0", "a=%0g", "a=x%zz", "%=1", "a=%%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse(bad[i], &f, &why), ERR_INVALID, "%s accepted", bad[i]);
		cr_assert_not_null(why);
	}
}

Test(form, nul_and_invalid_utf8_refused)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("a=%00", &f, &why), ERR_INVALID);
	cr_assert_eq(parse("a=%D0", &f, &why), ERR_INVALID);              /* truncated sequence */
	cr_assert_eq(parse("a=%C0%AF", &f, &why), ERR_INVALID);           /* overlong */
	cr_assert_eq(parse("a=%ED%A0%80", &f, &why), ERR_INVALID);        /* surrogate */
	cr_assert_eq(parse("%FF=1", &f, &why), ERR_INVALID);              /* in the key */
	cr_assert_eq(form_parse(&a, "a=b\0c", 5, &f, &why), ERR_INVALID); /* raw NUL */
}

Test(form, empty_key_refused)
{
	struct form f;
	const char *why;
	cr_assert_eq(parse("=value", &f, &why), ERR_INVALID);
}

Test(form, limits)
{
	struct form f;
	const char *why;
	/* FORM_MAX_FIELDS pairs pass, one more does not */
	size_t cap = FORM_MAX_FIELDS * 4 + 8;
	char *s = arena_alloc(&a, cap);
	size_t n = 0;
	for (int i = 0; i < FORM_MAX_FIELDS; i++)
		n += (size_t)snprintf(s + n, cap - n, "%sk=v", i ? "&" : "");
	cr_assert_eq(form_parse(&a, s, n, &f, &why), 0);
	cr_assert_eq(f.n, FORM_MAX_FIELDS);
	n += (size_t)snprintf(s + n, cap - n, "&k=v");
	cr_assert_eq(form_parse(&a, s, n, &f, &why), ERR_INVALID);

	/* a value of FORM_MAX_VALUE bytes passes, one byte more does not */
	char *v = arena_alloc(&a, FORM_MAX_VALUE + 8);
	memcpy(v, "a=", 2);
	memset(v + 2, 'x', FORM_MAX_VALUE + 1);
	cr_assert_eq(form_parse(&a, v, FORM_MAX_VALUE + 2, &f, &why), 0);
	cr_assert_eq(form_parse(&a, v, FORM_MAX_VALUE + 3, &f, &why), ERR_INVALID);
	/* %XX counts decoded bytes: 3 input bytes, 1 output byte */
	char *k = arena_alloc(&a, FORM_MAX_KEY * 3 + 8);
	size_t kn = 0;
	for (int i = 0; i < FORM_MAX_KEY; i++)
		memcpy(k + kn, "%41", 3), kn += 3;
	cr_assert_eq(form_parse(&a, k, kn, &f, &why), 0);
	cr_assert_eq(f.fields[0].key_len, FORM_MAX_KEY);
	memcpy(k + kn, "%41", 3);
	cr_assert_eq(form_parse(&a, k, kn + 3, &f, &why), ERR_INVALID);
}
