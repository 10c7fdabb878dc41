/* test_index.c: similar-appeal search — ranking, filters, removal, incremental growth, files. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "text/index.h"

static const char *const docs[] = {
    "не горит фонарь во дворе дома",      "яма на дороге у остановки автобуса",
    "не убран снег на тротуаре",          "фонари не горят на улице",
    "мусор на газоне у детской площадки",
};

static struct text_index ix;
static struct text_searcher s;

static void setup(void)
{
	cr_assert_eq(text_index_init(&ix, TEXT_F_WORDS | TEXT_F_BIGRAMS, 20), 0);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		uint32_t d;
		cr_assert_eq(text_index_add(&ix, 100 + (int64_t)i, docs[i], strlen(docs[i]), &d),
		             0);
		cr_assert_eq(d, i);
	}
	cr_assert_eq(text_searcher_init(&s, &ix), 0);
}

static void teardown(void)
{
	text_searcher_release(&s);
	text_index_release(&ix);
}

static int search(const struct text_index *x, const char *q, struct text_hit *h, size_t k)
{
	return text_index_search(x, &s, q, strlen(q), h, k, NULL, NULL);
}

TestSuite(index, .init = setup, .fini = teardown);

Test(index, finds_the_same_problem_in_other_words)
{
	struct text_hit h[3];
	int n = search(&ix, "Фонарь во дворе не горит", h, 3);
	cr_assert_geq(n, 2);
	cr_assert_eq(h[0].ext_id, 100);
	cr_assert_eq(h[1].ext_id, 103, "the other lighting appeal comes next");
	cr_assert_gt(h[0].score, h[1].score);
	cr_assert_eq(search(&ix, "совсем другое", h, 3), 0);
	cr_assert_eq(text_index_search(&ix, &s, "\xff", 1, h, 3, NULL, NULL), ERR_INVALID);
}

static bool only_odd(void *ctx, int64_t id)
{
	(void)ctx;
	return id % 2 == 1;
}

Test(index, filters_and_removal)
{
	struct text_hit h[3];
	int n = text_index_search(&ix, &s, "фонарь не горит", strlen("фонарь не горит"), h, 3,
	                          only_odd, NULL);
	cr_assert_geq(n, 1);
	cr_assert_eq(h[0].ext_id, 103);
	cr_assert_eq(text_index_remove(&ix, 3), 0);
	cr_assert_eq(text_index_remove(&ix, 3), ERR_NOTFOUND);
	n = search(&ix, "фонари на улице", h, 3);
	for (int i = 0; i < n; i++)
		cr_assert_neq(h[i].ext_id, 103);
}

Test(index, grows_while_searched)
{
	struct text_hit h[1];
	cr_assert_eq(text_index_add(&ix, 200, "провалился люк на дороге",
	                            strlen("провалился люк на дороге"), NULL),
	             0);
	cr_assert_eq(search(&ix, "открытый люк", h, 1), 1);
	cr_assert_eq(h[0].ext_id, 200);
}

Test(index, save_and_load)
{
	char path[] = "/tmp/otklik-test-idxXXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(text_index_save(&ix, path), 0);
	struct text_index back;
	cr_assert_eq(text_index_load(&back, path), 0);
	struct text_hit a[3], b[3];
	int na = search(&ix, "снег на тротуаре", a, 3),
	    nb = search(&back, "снег на тротуаре", b, 3);
	cr_assert_eq(na, nb);
	for (int i = 0; i < na; i++) {
		cr_assert_eq(a[i].ext_id, b[i].ext_id);
		cr_assert_float_eq(a[i].score, b[i].score, 1e-6);
	}
	text_index_release(&back);
	cr_assert_eq(truncate(path, 20), 0);
	cr_assert_eq(text_index_load(&back, path), ERR_INVALID);
	unlink(path);
}
