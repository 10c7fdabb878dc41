/* test_stem.c: the Russian stemmer against the Snowball vocabulary (fixture; full list if shared).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "text/stem.h"

/* Checks "word<sep>stem" lines (or two line-aligned files); returns mismatches, sets *n. */
static long check_pairs(FILE *a, FILE *b, long *n)
{
	struct text_stemmer st;
	cr_assert_eq(text_stemmer_init(&st), 0);
	char x[512], y[512];
	long bad = 0;
	*n = 0;
	while (fgets(x, sizeof(x), a)) {
		x[strcspn(x, "\r\n")] = '\0';
		char *stem;
		if (b) {
			if (!fgets(y, sizeof(y), b))
				break;
			y[strcspn(y, "\r\n")] = '\0';
			stem = y;
		} else {
			char *tab = strchr(x, '\t');
			cr_assert_not_null(tab, "fixture line without a tab: %s", x);
			*tab = '\0';
			stem = tab + 1;
		}
		size_t l;
		const char *s = text_stem(&st, x, strlen(x), &l);
		if (l != strlen(stem) || memcmp(s, stem, l) != 0) {
			if (bad < 5)
				cr_log_error("stem(%s) = %.*s, want %s", x, (int)l, s, stem);
			bad++;
		}
		(*n)++;
	}
	text_stemmer_release(&st);
	return bad;
}

Test(stem, snowball_fixture_2000_pairs)
{
	FILE *f = fopen("tests/fixtures/text/snowball-russian-2000.tsv", "r");
	cr_assert_not_null(f, "run from the project root");
	long n, bad = check_pairs(f, NULL, &n);
	fclose(f);
	cr_assert_eq(n, 2000);
	cr_assert_eq(bad, 0, "%ld of %ld stems differ", bad, n);
}

Test(stem, snowball_full_vocabulary_when_shared)
{
	FILE *a = fopen("../shared/data/snowball-russian-testdata/voc.txt", "r");
	FILE *b = fopen("../shared/data/snowball-russian-testdata/output.txt", "r");
	if (!a || !b) {
		if (a)
			fclose(a);
		if (b)
			fclose(b);
		cr_skip_test("shared data not present");
	}
	long n, bad = check_pairs(a, b, &n);
	fclose(a);
	fclose(b);
	cr_assert_eq(n, 49785);
	cr_assert_eq(bad, 0, "%ld of %ld stems differ", bad, n);
}

Test(stem, stems_inflections_together)
{
	struct text_stemmer st;
	cr_assert_eq(text_stemmer_init(&st), 0);
	size_t a, b;
	char x[64];
	const char *s = text_stem(&st, "фонари", strlen("фонари"), &a);
	memcpy(x, s, a);
	s = text_stem(&st, "фонарём", strlen("фонарём"), &b);
	cr_assert_eq(a, b);
	cr_assert(memcmp(x, s, a) == 0, "фонари and фонарём share a stem");
	text_stemmer_release(&st);
}
