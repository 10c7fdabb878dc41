/* test_features.c: hashed vectors, typo tolerance of character n-grams, TF-IDF and idf files. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "text/features.h"

static float cosine(struct text_featurizer *fz, const char *a, const char *b)
{
	struct text_vec x, y;
	text_vec_init(&x);
	text_vec_init(&y);
	cr_assert_eq(text_featurize(fz, a, strlen(a), &x), 0);
	cr_assert_eq(text_featurize(fz, b, strlen(b), &y), 0);
	text_vec_tfidf(&x, NULL);
	text_vec_tfidf(&y, NULL);
	float c = text_vec_dot(&x, &y);
	text_vec_release(&x);
	text_vec_release(&y);
	return c;
}

Test(features, sorted_unique_counts)
{
	struct text_featurizer fz;
	cr_assert_eq(text_featurizer_init(&fz, TEXT_F_WORDS | TEXT_F_BIGRAMS, 16, 0, 0), 0);
	struct text_vec v;
	text_vec_init(&v);
	const char *t = "фонарь фонари фонарём не горит";
	cr_assert_eq(text_featurize(&fz, t, strlen(t), &v), 0);
	for (size_t i = 1; i < v.n; i++)
		cr_assert_lt(v.f[i - 1].idx, v.f[i].idx);
	float maxc = 0;
	for (size_t i = 0; i < v.n; i++)
		maxc = v.f[i].val > maxc ? v.f[i].val : maxc;
	cr_assert_float_eq(maxc, 3, 1e-6, "three inflections of one stem count as one term thrice");
	text_vec_release(&v);
	text_featurizer_release(&fz);
}

Test(features, typos_stay_close_with_char_ngrams)
{
	struct text_featurizer ch, wd;
	cr_assert_eq(text_featurizer_init(&ch, TEXT_F_CHARS, 18, 3, 5), 0);
	cr_assert_eq(text_featurizer_init(&wd, TEXT_F_WORDS, 18, 0, 0), 0);
	const char *a = "не работает освещение в подъезде", *b = "не роботает асвещение в подьезде";
	cr_assert_gt(cosine(&ch, a, b), 0.4f);
	cr_assert_lt(cosine(&wd, a, b), 0.4f, "whole words miss the typos");
	cr_assert_lt(cosine(&ch, a, "яма на дороге у остановки"), 0.2f);
	text_featurizer_release(&ch);
	text_featurizer_release(&wd);
}

Test(features, masks_and_stop_words_are_not_features)
{
	struct text_featurizer fz;
	cr_assert_eq(text_featurizer_init(&fz, TEXT_F_WORDS, 16, 0, 0), 0);
	struct text_vec v;
	text_vec_init(&v);
	const char *t = "Здравствуйте! [скрыто] XXXX и для";
	cr_assert_eq(text_featurize(&fz, t, strlen(t), &v), 0);
	cr_assert_eq(v.n, 0);
	text_vec_release(&v);
	text_featurizer_release(&fz);
}

Test(features, invalid_utf8_is_an_error)
{
	struct text_featurizer fz;
	cr_assert_eq(text_featurizer_init(&fz, TEXT_F_WORDS, 16, 0, 0), 0);
	struct text_vec v;
	text_vec_init(&v);
	cr_assert_eq(text_featurize(&fz, "\xff\xfe", 2, &v), ERR_INVALID);
	cr_assert_eq(v.n, 0);
	text_vec_release(&v);
	text_featurizer_release(&fz);
	cr_assert_eq(text_featurizer_init(&fz, TEXT_F_CHARS, 16, 0, 0), ERR_INVALID);
	text_featurizer_release(&fz);
}

Test(features, tfidf_unit_norm_and_idf_round_trip)
{
	struct text_featurizer fz;
	cr_assert_eq(text_featurizer_init(&fz, TEXT_F_WORDS, 12, 0, 0), 0);
	struct text_idf idf, back;
	text_idf_init(&idf, 12);
	struct text_vec v;
	text_vec_init(&v);
	const char *docs[] = {"яма на дороге", "яма во дворе", "фонарь во дворе"};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(text_featurize(&fz, docs[i], strlen(docs[i]), &v), 0);
		text_idf_add(&idf, &v);
	}
	cr_assert_eq(text_featurize(&fz, docs[0], strlen(docs[0]), &v), 0);
	text_vec_tfidf(&v, &idf);
	float n2 = text_vec_dot(&v, &v);
	cr_assert_float_eq(n2, 1.0f, 1e-5);
	FILE *f = tmpfile();
	cr_assert_eq(text_idf_write(&idf, f), 0);
	rewind(f);
	cr_assert_eq(text_idf_read(&back, f), 0);
	cr_assert_eq(back.ndocs, 3);
	cr_assert_eq(memcmp(back.df, idf.df, sizeof(*idf.df) << 12), 0);
	rewind(f);
	cr_assert_eq(fputs("garbage", f) >= 0, 1);
	rewind(f);
	struct text_idf bad;
	cr_assert_eq(text_idf_read(&bad, f), ERR_INVALID);
	fclose(f);
	text_idf_release(&back);
	text_idf_release(&idf);
	text_vec_release(&v);
	text_featurizer_release(&fz);
}

Test(features, lexicon_maps_ids_back_to_stems)
{
	struct text_featurizer fz;
	struct text_lexicon lx;
	text_lexicon_init(&lx);
	cr_assert_eq(text_featurizer_init(&fz, TEXT_F_WORDS, 20, 0, 0), 0);
	fz.lex = &lx;
	struct text_vec v;
	text_vec_init(&v);
	cr_assert_eq(text_featurize(&fz, "фонари", strlen("фонари"), &v), 0);
	cr_assert_eq(v.n, 1);
	cr_assert_str_eq(text_lexicon_get(&lx, v.f[0].idx), "фонар");
	text_vec_release(&v);
	text_featurizer_release(&fz);
	text_lexicon_release(&lx);
}
