/* test_classifier.c: training, top-3 suggestions, online updates, doubt and model files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "text/classifier.h"

static const char *const train_text[] = {
    "не горит фонарь во дворе",        "фонарь у дома не работает",
    "темно, уличный фонарь погас",     "сломан фонарь на улице",
    "фонари не горят вечером",         "яма на дороге у остановки",
    "глубокая яма на проезжей части",  "провал асфальта, яма",
    "ямы на дороге, машины объезжают", "выбоина и яма на дороге",
    "не убран снег на тротуаре",       "тротуар завален снегом",
    "снег не убирают третий день",     "сугробы снега на остановке",
    "снег на тротуаре не вывезен",
};
static const char *const train_label[] = {"light", "light", "light", "light", "light",
                                          "road",  "road",  "road",  "road",  "road",
                                          "snow",  "snow",  "snow",  "snow",  "snow"};
#define NTRAIN (sizeof(train_text) / sizeof(train_text[0]))

static struct classifier c;
static struct classifier_worker wk;

static void train(void)
{
	size_t lens[NTRAIN];
	for (size_t i = 0; i < NTRAIN; i++)
		lens[i] = strlen(train_text[i]);
	struct classifier_params p = classifier_params_default();
	p.bits = 16;
	p.min_df = 1;
	p.epochs = 20;
	classifier_init(&c);
	cr_assert_eq(classifier_train(&c, &p, train_text, lens, train_label, NULL, NTRAIN), 0);
	cr_assert_eq(classifier_worker_init(&wk, &c), 0);
}

static void done(void)
{
	classifier_worker_release(&wk);
	classifier_release(&c);
}

static const char *top1(const struct classifier *m, const char *t)
{
	struct classifier_score s[3];
	cr_assert_eq(classifier_predict(m, &wk, t, strlen(t), s, 3), 3);
	cr_assert_geq(s[0].prob, s[1].prob);
	cr_assert_geq(s[1].prob, s[2].prob);
	return s[0].label;
}

TestSuite(classifier, .init = train, .fini = done);

Test(classifier, suggests_the_topic_of_unseen_texts)
{
	cr_assert_eq(c.nclasses, 3);
	cr_assert_str_eq(top1(&c, "Фонарь возле подъезда не горит"), "light");
	cr_assert_str_eq(top1(&c, "огромная яма, асфальт провалился"), "road");
	cr_assert_str_eq(top1(&c, "Снегом завалило тротуар"), "snow");
	cr_assert_str_eq(top1(&c, "фанарь не гарит"), "light", "typos are tolerated");
}

Test(classifier, probabilities_sum_to_one)
{
	float p[3];
	cr_assert_eq(classifier_probs(&c, &wk, "яма", 6, p), 0);
	cr_assert_float_eq(p[0] + p[1] + p[2], 1.0f, 1e-4);
	cr_assert_eq(classifier_probs(&c, &wk, "\xff", 1, p), ERR_INVALID);
}

Test(classifier, doubts_an_unlikely_choice)
{
	struct classifier_score s;
	const char *t = "не горит фонарь, темно во дворе";
	cr_assert_eq(classifier_doubt(&c, &wk, t, strlen(t), "light", 0.3f, &s), 0);
	cr_assert_eq(classifier_doubt(&c, &wk, t, strlen(t), "road", 0.3f, &s), 1);
	cr_assert_str_eq(s.label, "light");
	cr_assert_eq(classifier_doubt(&c, &wk, t, strlen(t), "road", 0.999f, &s), 0,
	             "not sure enough");
	cr_assert_eq(classifier_doubt(&c, &wk, "\xff", 1, "road", 0.3f, &s), ERR_INVALID);
}

Test(classifier, online_updates_learn_a_new_topic)
{
	for (int i = 0; i < 30; i++) {
		cr_assert_eq(classifier_update(&c, &wk, "переполнен мусорный контейнер",
		                               strlen("переполнен мусорный контейнер"), "trash"),
		             0);
		cr_assert_eq(classifier_update(&c, &wk, "мусор не вывозят из контейнера",
		                               strlen("мусор не вывозят из контейнера"), "trash"),
		             0);
	}
	cr_assert_str_eq(top1(&c, "контейнер с мусором переполнен"), "trash");
	cr_assert_str_eq(top1(&c, "яма на дороге"), "road", "old topics survive");
}

Test(classifier, save_and_load_give_the_same_predictions)
{
	char path[] = "/tmp/otklik-test-clsXXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(classifier_save(&c, path), 0);
	struct classifier back;
	classifier_init(&back);
	cr_assert_eq(classifier_load(&back, path), 0);
	float p1[3], p2[3];
	const char *t = "снег и яма у фонаря";
	cr_assert_eq(classifier_probs(&c, &wk, t, strlen(t), p1), 0);
	cr_assert_eq(classifier_probs(&back, &wk, t, strlen(t), p2), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_float_eq(p1[i], p2[i], 1e-5);
	cr_assert_str_eq(back.labels[1], c.labels[1]);
	/* a truncated file is rejected and leaves the model empty */
	cr_assert_eq(truncate(path, 100), 0);
	cr_assert_eq(classifier_load(&back, path), ERR_INVALID);
	cr_assert_eq(back.nclasses, 0);
	cr_assert_eq(classifier_load(&back, "/nonexistent/model"), ERR_NOTFOUND);
	classifier_release(&back);
	unlink(path);
}

/* The seasonal case: "наледь" (icicles) and "снег" (snow) texts share words; when the newest
 * appeals are mostly about icicles, an ambiguous text leans to icicles (the recent shift), while
 * the same examples without ages (or all of one age) leave the model as it was. */
static const char *const season_text[] = {
    "снег на крыше, наледь", "сосульки и наледь на крыше",  "наледь на козырьке",
    "снег на крыше дома",    "снег не убран во дворе",      "сугробы снега во дворе",
    "двор завален снегом",   "снег и наледь на тротуаре",   "снег на дорожке во дворе",
    "снег у парадной",       "снег с крыши падает во двор", "снег не убирают",
};
static const char *const season_label[] = {"ice",  "ice",  "ice",  "snow", "snow", "snow",
                                           "snow", "snow", "snow", "snow", "snow", "snow"};
#define NSEASON (sizeof(season_text) / sizeof(season_text[0]))

static float ice_prob(const float *ages, float halflife, float flatten)
{
	size_t lens[NSEASON];
	for (size_t i = 0; i < NSEASON; i++)
		lens[i] = strlen(season_text[i]);
	struct classifier_params p = classifier_params_default();
	p.bits = 16;
	p.min_df = 1;
	p.epochs = 10;
	p.prior_halflife_days = halflife;
	p.prior_flatten = flatten;
	struct classifier m;
	struct classifier_worker w;
	classifier_init(&m);
	cr_assert_eq(classifier_train(&m, &p, season_text, lens, season_label, ages, NSEASON), 0);
	cr_assert_eq(classifier_worker_init(&w, &m), 0);
	float pr[2];
	const char *t = "снег на крыше";
	cr_assert_eq(classifier_probs(&m, &w, t, strlen(t), pr), 0);
	float ice = pr[classifier_class(&m, "ice")];
	classifier_worker_release(&w);
	classifier_release(&m);
	return ice;
}

Test(classifier, recent_topics_gain_weight)
{
	/* icicles: the last days; snow: two months ago */
	float recent[NSEASON], same[NSEASON];
	for (size_t i = 0; i < NSEASON; i++) {
		recent[i] = strcmp(season_label[i], "ice") == 0 ? 1.0f : 60.0f;
		same[i] = 5.0f;
	}
	float base = ice_prob(NULL, 10, 0);
	cr_assert_lt(base, 0.5f, "snow is the usual topic");
	cr_assert_gt(ice_prob(recent, 10, 0), 0.5f, "icicles are what comes in now");
	cr_assert_float_eq(ice_prob(same, 10, 0), base, 1e-6, "one age for all: no shift");
	cr_assert_float_eq(ice_prob(recent, 0, 0), base, 1e-6, "shift turned off");
}

Test(classifier, flattening_favours_rare_topics)
{
	/* icicles: 3 examples of 12 */
	cr_assert_gt(ice_prob(NULL, 10, 0.5f), ice_prob(NULL, 10, 0));
}
