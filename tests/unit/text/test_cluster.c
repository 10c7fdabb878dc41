/* test_cluster.c: incremental problem clusters — place, time, category, ids, labels, files. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "text/cluster.h"

#define DAY 86400
static const int64_t T0 = 1614556800;
static struct cluster_model m;
static int64_t next_id;

static void setup(void)
{
	struct cluster_params p = cluster_params_default();
	p.bits = 16;
	cr_assert_eq(cluster_model_init(&m, &p), 0);
	next_id = 1;
}

static void teardown(void)
{
	cluster_model_release(&m);
}

static uint32_t put(const char *text, const char *cat, double lat, double lon, int64_t t)
{
	struct cluster_input in = {next_id++, text, strlen(text), cat, NULL, lat, lon, t};
	uint32_t id = 0;
	cr_assert_eq(cluster_assign(&m, &in, &id), 0);
	cr_assert_neq(id, 0);
	return id;
}

TestSuite(cluster, .init = setup, .fini = teardown);

Test(cluster, same_place_time_category_is_one_problem)
{
	uint32_t a = put("Не горит фонарь у дома", "light", 59.9386, 30.3141, T0);
	uint32_t b = put("фонарь не работает", "light", 59.9387, 30.3142, T0 + DAY);
	uint32_t c = put("Темно во дворе, фонарь", "light", 59.9385, 30.3140, T0 + 2 * DAY);
	cr_assert_eq(a, b);
	cr_assert_eq(a, c);
	const struct cluster *cl = cluster_get(&m, a);
	cr_assert_eq(cl->n, 3);
	const char *label[3];
	size_t n = cluster_label(&m, a, label, 3);
	cr_assert_geq(n, 1);
	cr_assert_str_eq(label[0], "фонар", "the shared stem leads the label");
}

Test(cluster, far_apart_late_or_other_category_are_other_problems)
{
	uint32_t a = put("Не горит фонарь", "light", 59.9386, 30.3141, T0);
	cr_assert_neq(put("Не горит фонарь", "light", 59.9420, 30.3141, T0), a, "~380 m away");
	cr_assert_neq(put("Не горит фонарь", "light", 59.9386, 30.3141, T0 + 15 * DAY), a,
	              "15 days later");
	cr_assert_neq(put("Не горит фонарь", "roads", 59.9386, 30.3141, T0), a, "another category");
	cr_assert_neq(put("Не горит фонарь", "light", NAN, NAN, T0), a, "no point: alone");
	cr_assert_eq(m.nclusters, 5);
}

Test(cluster, a_long_running_problem_keeps_its_cluster_a_little_longer)
{
	uint32_t a = 0;
	for (int day = 0; day <= 10; day++) /* one appeal a day at one stairwell */
		a = put("грязно в парадной", "house", 59.9386, 30.3141, T0 + day * DAY);
	cr_assert_eq(cluster_get(&m, a)->n, 11);
	/* day 15: only the day-0 appeal (1 of 11) is more than 14 days older: joins */
	cr_assert_eq(put("грязно в парадной", "house", 59.9386, 30.3141, T0 + 15 * DAY), a);
	/* day 17: three of twelve are too old */
	cr_assert_neq(put("грязно в парадной", "house", 59.9386, 30.3141, T0 + 17 * DAY), a);
}

Test(cluster, but_never_longer_than_the_stretch)
{
	uint32_t a = put("яма", "roads", 59.95, 30.30, T0);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(put("яма", "roads", 59.95, 30.30, T0 + 8 * DAY), a);
	/* day 20: one member of 21 is older than 14 days: joins */
	cr_assert_eq(put("яма", "roads", 59.95, 30.30, T0 + 20 * DAY), a);
	/* day 22: as few old members, but more than 1.5 windows (21 days) after the first */
	cr_assert_neq(put("яма", "roads", 59.95, 30.30, T0 + 22 * DAY), a);
}

Test(cluster, every_member_is_within_the_radius_of_every_other)
{
	uint32_t a = put("мусор", "yard", 59.9386, 30.3141, T0);
	cr_assert_eq(put("мусор", "yard", 59.9386 + 0.0012, 30.3141, T0), a, "~130 m");
	/* 130 m from the second, 260 m from the first: cannot join */
	cr_assert_neq(put("мусор", "yard", 59.9386 + 0.0024, 30.3141, T0), a);
}

Test(cluster, text_picks_among_candidates)
{
	uint32_t a = put("не горит фонарь", "light", 59.9386, 30.3141, T0);
	uint32_t b = put("разбит плафон", "light", 59.9406, 30.3141, T0);
	cr_assert_neq(a, b, "~220 m apart");
	/* between the two (within 150 m of both): goes where the words match */
	uint32_t c = put("разбит плафон, осколки", "light", 59.9396, 30.3141, T0 + 1);
	cr_assert_eq(c, b);
}

Test(cluster, suggest_does_not_place)
{
	uint32_t a = put("яма на дороге", "roads", 59.9386, 30.3141, T0);
	struct cluster_input in = {99, "яма", 6, "roads", NULL, 59.9387, 30.3141, T0 + DAY};
	uint32_t id;
	float sim;
	cr_assert_eq(cluster_suggest(&m, &in, &id, &sim), 0);
	cr_assert_eq(id, a);
	cr_assert_gt(sim, 0);
	cr_assert_eq(m.ndocs, 1);
	in.category = "light";
	cr_assert_eq(cluster_suggest(&m, &in, &id, NULL), ERR_NOTFOUND);
}

Test(cluster, merge_and_split_keep_ids_traceable)
{
	uint32_t a = put("не горит фонарь", "light", 59.9386, 30.3141, T0);
	uint32_t b = put("не горит фонарь", "light", 59.9500, 30.3141, T0);
	put("фонарь погас", "light", 59.9501, 30.3141, T0 + 1);
	cr_assert_eq(cluster_merge(&m, a, b), 0);
	cr_assert_eq(cluster_resolve(&m, b), a);
	cr_assert_eq(cluster_get(&m, b)->n, 3);
	cr_assert_eq(cluster_merge(&m, a, b), ERR_NOTFOUND, "b is gone");
	cr_assert_eq(cluster_merge(&m, a, a), ERR_INVALID);
	uint32_t docs[] = {1, 2}, nid;
	cr_assert_eq(cluster_split(&m, a, docs, 2, &nid), 0);
	const struct cluster *na = cluster_get(&m, nid), *oa = cluster_get(&m, a);
	cr_assert_eq(na->split_from, a);
	cr_assert_eq(na->n, 2);
	cr_assert_eq(oa->n, 1);
	cr_assert_eq(m.docs[1].cluster, nid);
	cr_assert_eq(m.docs[0].cluster, a);
	cr_assert_eq(cluster_split(&m, a, docs, 1, &nid), ERR_INVALID, "doc 1 left a");
	uint32_t all[] = {0};
	cr_assert_eq(cluster_split(&m, a, all, 1, &nid), ERR_INVALID, "nothing would stay");
}

Test(cluster, consolidation_merges_alike_neighbours)
{
	uint32_t a = put("не горит фонарь", "light", 59.9386, 30.3141, T0);
	uint32_t b = put("не горит фонарь во дворе", "light", 59.9500, 30.3141, T0);
	/* move b next to a by hand (as after a coordinator fixes an address) */
	m.docs[1].lat = 59.9387;
	m.clusters[b - 1].lat = 59.9387;
	cr_assert_eq(cluster_consolidate(&m), 1);
	cr_assert_eq(cluster_resolve(&m, b), a);
}

Test(cluster, save_and_load)
{
	uint32_t a = put("Не горит фонарь у дома", "light", 59.9386, 30.3141, T0);
	put("Не горит фонарь у дома", "light", 59.9386, 30.3141, T0 + 1);
	put("яма", "roads", 59.9386, 30.3141, T0 + 2);
	char path[] = "/tmp/otklik-test-cluXXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(cluster_save(&m, path), 0);
	struct cluster_model back;
	cr_assert_eq(cluster_load(&back, path), 0);
	cr_assert_eq(back.nclusters, 2);
	cr_assert_eq(back.ndocs, 3);
	const char *l1[2], *l2[2];
	cr_assert_eq(cluster_label(&back, a, l1, 2), cluster_label(&m, a, l2, 2));
	cr_assert_str_eq(l1[0], l2[0]);
	/* the loaded model keeps placing appeals into the same clusters */
	struct cluster_input in = {
	    9,     "фонарь не горит", strlen("фонарь не горит"), "light", NULL, 59.9386, 30.3141,
	    T0 + 3};
	uint32_t id;
	cr_assert_eq(cluster_assign(&back, &in, &id), 0);
	cr_assert_eq(id, a);
	cluster_model_release(&back);
	cr_assert_eq(truncate(path, 40), 0);
	cr_assert_eq(cluster_load(&back, path), ERR_INVALID);
	unlink(path);
}
