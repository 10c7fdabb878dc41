/* test_eval.c: `otklik eval` end to end on the synthetic fixtures: exit codes and the JSON line. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "text/eval.h"

/* Runs eval with stdout captured; returns the parsed last line (NULL if not JSON). */
static json_t *run(int argc, char **argv, int *code)
{
	fflush(stdout);
	FILE *keep = tmpfile(), *saved = stdout;
	stdout = keep;
	*code = eval_main(argc, argv);
	fflush(stdout);
	stdout = saved;
	rewind(keep);
	char line[4096], last[4096] = "";
	while (fgets(line, sizeof(line), keep))
		memcpy(last, line, sizeof(line));
	fclose(keep);
	return json_loads(last, 0, NULL);
}

Test(eval, routing_prints_the_figures)
{
	char *argv[] = {"eval",    "routing",
	                "--train", "tests/fixtures/text/appeals-train.csv",
	                "--test",  "tests/fixtures/text/appeals-test.csv"};
	int code;
	json_t *j = run(6, argv, &code);
	cr_assert_eq(code, 0);
	cr_assert_not_null(j, "last line is JSON");
	const char *keys[] = {"topic_top1", "topic_top3", "category_top1", "executor_acc",
	                      "train_s",    "predict_s",  "peak_rss_mb"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert(json_is_number(json_object_get(j, keys[i])), "%s", keys[i]);
	/* the synthetic topics are easy: a working model gets most of them */
	cr_assert_gt(json_number_value(json_object_get(j, "topic_top1")), 0.6);
	cr_assert_geq(json_number_value(json_object_get(j, "topic_top3")),
	              json_number_value(json_object_get(j, "topic_top1")));
	cr_assert_gt(json_number_value(json_object_get(j, "executor_acc")), 0.6);
	json_decref(j);
}

Test(eval, cluster_prints_the_figures)
{
	char *argv[] = {"eval", "cluster", "--input", "tests/fixtures/text/appeals-train.csv"};
	int code;
	json_t *j = run(4, argv, &code);
	cr_assert_eq(code, 0);
	cr_assert_not_null(j);
	const char *keys[] = {"clusters", "nmi_reason", "pair_precision", "pair_recall",
	                      "pair_f1",  "seconds",    "peak_rss_mb"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert(json_is_number(json_object_get(j, keys[i])), "%s", keys[i]);
	double c = json_number_value(json_object_get(j, "clusters"));
	cr_assert(c >= 1 && c <= 60);
	double f1 = json_number_value(json_object_get(j, "pair_f1"));
	cr_assert(f1 >= 0 && f1 <= 1);
	json_decref(j);
}

Test(eval, a_saved_topic_model_splits_clusters_by_topic)
{
	char *train[] = {"eval",         "routing",
	                 "--train",      "tests/fixtures/text/appeals-train.csv",
	                 "--test",       "tests/fixtures/text/appeals-test.csv",
	                 "--save-model", "/tmp/otklik-test-eval"};
	int code;
	json_decref(run(8, train, &code));
	cr_assert_eq(code, 0);
	char *plain[] = {"eval", "cluster", "--input", "tests/fixtures/text/appeals-test.csv"};
	char *topics[] = {"eval",          "cluster",
	                  "--input",       "tests/fixtures/text/appeals-test.csv",
	                  "--topic-model", "/tmp/otklik-test-eval.topics"};
	json_t *a = run(4, plain, &code), *b = run(6, topics, &code);
	cr_assert_eq(code, 0);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	/* a topic can only split clusters: at least as many, and at least as precise */
	cr_assert_geq(json_number_value(json_object_get(b, "clusters")),
	              json_number_value(json_object_get(a, "clusters")));
	cr_assert_geq(json_number_value(json_object_get(b, "pair_precision")),
	              json_number_value(json_object_get(a, "pair_precision")));
	json_decref(a);
	json_decref(b);
	remove("/tmp/otklik-test-eval.topics");
	remove("/tmp/otklik-test-eval.bodies");
}

Test(eval, usage_errors)
{
	int code;
	char *a1[] = {"eval", "routing", "--train", "x.csv"};
	json_decref(run(4, a1, &code));
	cr_assert_eq(code, 2, "missing --test");
	char *a2[] = {"eval", "nonsense"};
	json_decref(run(2, a2, &code));
	cr_assert_eq(code, 2);
	char *a3[] = {"eval", "cluster", "--input", "/nonexistent.csv"};
	json_decref(run(4, a3, &code));
	cr_assert_eq(code, 1);
	char *a4[] = {"eval", "cluster", "--help"};
	json_decref(run(3, a4, &code));
	cr_assert_eq(code, 0);
}
