/* eval.c: the `otklik eval` commands — train/predict/score on CSV exports of appeals. */
#include "text/eval.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "text/classifier.h"
#include "text/cluster.h"
#include "text/dataset.h"
#include "text/executor.h"
#include "text/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

static double round3(double x)
{
	return round(x * 1000.0) / 1000.0;
}

/* Prints obj as one compact line and frees it. */
static void print_json(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(6));
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(obj);
	fflush(stdout);
}

static int load(struct dataset *ds, const char *path)
{
	size_t line = 0;
	int rc = dataset_load(ds, path, &line);
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "eval: cannot open %s\n", path);
	else if (rc)
		fprintf(stderr,
		        "eval: %s: malformed CSV near line %zu (need id, created_at, text)\n", path,
		        line);
	return rc;
}

static const char routing_usage[] =
    "usage: otklik eval routing --train TRAIN.csv --test TEST.csv [--save-model PREFIX]\n"
    "  Trains the topic classifier (reason_id from text) and the body predictor on TRAIN,\n"
    "  predicts for TEST and prints {topic_top1, topic_top3, category_top1, executor_acc,\n"
    "  train_s, predict_s, peak_rss_mb} as the last line.\n"
    "  Tuning: --epochs N --lr X --l2 X --bits N --cmin N --cmax N --min-df N --halflife DAYS\n"
    "          --average 0|1 --flags N\n"
    "          --prior-halflife DAYS --prior-weight X --prior-smooth N (recent shift of the\n"
    "          topic priors, 0 days = off) --prior-flatten X (0 = off)\n"
    "          bodies: --ex-generic X --ex-geo X --ex-halflife DAYS\n"
    "          --dump OUT.jsonl: predicted body of each routed TEST appeal\n";

static int eval_routing(int argc, char **argv)
{
	const char *train_path = NULL, *test_path = NULL, *save = NULL;
	const char *dump = NULL;
	double ex_generic = -1, ex_geo = -1, ex_half = -1;
	struct classifier_params p = classifier_params_default();
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(routing_usage, stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "eval routing: %s needs a value\n%s", a, routing_usage);
			return 2;
		}
		i++;
		if (strcmp(a, "--train") == 0)
			train_path = v;
		else if (strcmp(a, "--test") == 0)
			test_path = v;
		else if (strcmp(a, "--save-model") == 0)
			save = v;
		else if (strcmp(a, "--dump") == 0)
			dump = v;
		else if (strcmp(a, "--epochs") == 0)
			p.epochs = (unsigned)atoi(v);
		else if (strcmp(a, "--lr") == 0)
			p.lr = strtof(v, NULL);
		else if (strcmp(a, "--l2") == 0)
			p.l2 = strtof(v, NULL);
		else if (strcmp(a, "--bits") == 0)
			p.bits = (unsigned)atoi(v);
		else if (strcmp(a, "--cmin") == 0)
			p.cmin = (unsigned)atoi(v);
		else if (strcmp(a, "--cmax") == 0)
			p.cmax = (unsigned)atoi(v);
		else if (strcmp(a, "--min-df") == 0)
			p.min_df = (unsigned)atoi(v);
		else if (strcmp(a, "--flags") == 0)
			p.flags = (unsigned)atoi(v);
		else if (strcmp(a, "--ex-generic") == 0)
			ex_generic = strtod(v, NULL);
		else if (strcmp(a, "--ex-geo") == 0)
			ex_geo = strtod(v, NULL);
		else if (strcmp(a, "--ex-halflife") == 0)
			ex_half = strtod(v, NULL);
		else if (strcmp(a, "--average") == 0)
			p.average = (unsigned)atoi(v);
		else if (strcmp(a, "--halflife") == 0)
			p.recency_halflife_days = strtof(v, NULL);
		else if (strcmp(a, "--prior-halflife") == 0)
			p.prior_halflife_days = strtof(v, NULL);
		else if (strcmp(a, "--prior-weight") == 0)
			p.prior_weight = strtof(v, NULL);
		else if (strcmp(a, "--prior-smooth") == 0)
			p.prior_smooth = strtof(v, NULL);
		else if (strcmp(a, "--prior-flatten") == 0)
			p.prior_flatten = strtof(v, NULL);
		else {
			fprintf(stderr, "eval routing: unknown option %s\n%s", a, routing_usage);
			return 2;
		}
	}
	if (!train_path || !test_path) {
		fputs(routing_usage, stderr);
		return 2;
	}
	struct dataset tr, te;
	if (load(&tr, train_path))
		return 1;
	if (load(&te, test_path)) {
		dataset_release(&tr);
		return 1;
	}
	int64_t t0 = clock_mono_ns();
	/* topic classifier: texts with a topic */
	const char **texts = xmalloc(tr.n * sizeof(*texts));
	const char **labels = xmalloc(tr.n * sizeof(*labels));
	size_t *lens = xmalloc(tr.n * sizeof(*lens));
	float *age = xmalloc(tr.n * sizeof(*age));
	int64_t newest = 0;
	for (size_t i = 0; i < tr.n; i++)
		if (tr.rows[i].created > newest)
			newest = tr.rows[i].created;
	size_t m = 0;
	for (size_t i = 0; i < tr.n; i++) {
		if (!*tr.rows[i].reason_id)
			continue;
		texts[m] = tr.rows[i].text;
		lens[m] = tr.rows[i].text_len;
		labels[m] = tr.rows[i].reason_id;
		age[m] = (float)(newest - tr.rows[i].created) / 86400.0f;
		m++;
	}
	struct classifier clf;
	classifier_init(&clf);
	int rc = classifier_train(&clf, &p, texts, lens, labels, age, m);
	if (rc) {
		fprintf(stderr, "eval routing: training failed (%s)\n", err_code(rc));
		goto out;
	}
	/* topic → category, learned from TRAIN */
	const char **cat_of = xcalloc(clf.nclasses, sizeof(*cat_of));
	for (size_t i = 0; i < tr.n; i++) {
		int k = *tr.rows[i].reason_id ? classifier_class(&clf, tr.rows[i].reason_id) : -1;
		if (k >= 0 && !cat_of[k])
			cat_of[k] = tr.rows[i].category_id;
	}
	/* each topic's category is represented by its first topic, so mass sums by index */
	uint32_t *cat_rep = xmalloc(clf.nclasses * sizeof(*cat_rep));
	float *mass = xmalloc(clf.nclasses * sizeof(*mass));
	for (uint32_t k = 0; k < clf.nclasses; k++) {
		cat_rep[k] = k;
		for (uint32_t q = 0; q < k; q++)
			if (cat_of[k] && cat_of[q] && strcmp(cat_of[k], cat_of[q]) == 0) {
				cat_rep[k] = q;
				break;
			}
	}
	/* body predictor, fed in time order as the platform would */
	size_t *ord = xmalloc(tr.n * sizeof(*ord));
	for (size_t i = 0; i < tr.n; i++)
		ord[i] = i;
	for (size_t i = 1; i < tr.n; i++) { /* insertion sort: exports are almost sorted */
		size_t x = ord[i], j = i;
		while (j > 0 && tr.rows[ord[j - 1]].created > tr.rows[x].created) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = x;
	}
	struct executor_model ex;
	executor_init(&ex);
	if (ex_generic >= 0)
		ex.generic_weight = ex_generic;
	if (ex_geo >= 0)
		ex.geo_weight = ex_geo;
	if (ex_half >= 0)
		ex.halflife_days = ex_half;
	for (size_t j = 0; j < tr.n; j++) {
		const struct dataset_row *r = &tr.rows[ord[j]];
		executor_add(&ex, r->reason_id, r->district, r->lat, r->lon, r->created,
		             r->executor);
	}
	free(ord);
	double train_s = (double)(clock_mono_ns() - t0) / 1e9;
	printf("trained on %zu texts, %u topics, %u feature rows in %.2f s\n", m, clf.nclasses,
	       clf.nrows, train_s);

	int64_t t1 = clock_mono_ns();
	struct classifier_worker wk;
	classifier_worker_init(&wk, &clf);
	float *probs = xmalloc(clf.nclasses * sizeof(*probs));
	FILE *df = dump ? fopen(dump, "w") : NULL;
	if (dump && !df)
		fprintf(stderr, "eval routing: cannot write %s\n", dump);
	size_t n_topic = 0, top1 = 0, top3 = 0, cat1 = 0, n_exec = 0, exec_ok = 0, online_ok = 0;
	/* a second body model that also learns each TEST appeal after predicting it, as the
	 * platform would once the appeal is routed (reported apart: it uses TEST's answers as they
	 * come) */
	struct executor_model online;
	executor_init(&online);
	online.generic_weight = ex.generic_weight;
	online.geo_weight = ex.geo_weight;
	online.halflife_days = ex.halflife_days;
	for (size_t j = 0; j < tr.n; j++) {
		const struct dataset_row *r = &tr.rows[j];
		executor_add(&online, r->reason_id, r->district, r->lat, r->lon, r->created,
		             r->executor);
	}
	for (size_t i = 0; i < te.n; i++) {
		const struct dataset_row *r = &te.rows[i];
		if (*r->reason_id) {
			n_topic++;
			if (classifier_probs(&clf, &wk, r->text, r->text_len, probs) == 0) {
				/* top 3 topics, and the category with the most probability mass */
				int truth = classifier_class(&clf, r->reason_id);
				float pt = truth >= 0 ? probs[truth] : -1;
				unsigned above = 0;
				for (uint32_t k = 0; k < clf.nclasses; k++)
					if (probs[k] > pt || (probs[k] == pt && (int)k < truth))
						above++;
				if (truth >= 0 && above == 0)
					top1++;
				if (truth >= 0 && above < 3)
					top3++;
				memset(mass, 0, clf.nclasses * sizeof(*mass));
				uint32_t bc = 0;
				for (uint32_t k = 0; k < clf.nclasses; k++)
					mass[cat_rep[k]] += probs[k];
				for (uint32_t k = 0; k < clf.nclasses; k++)
					if (mass[k] > mass[bc])
						bc = k;
				if (cat_of[bc] && strcmp(cat_of[bc], r->category_id) == 0)
					cat1++;
			}
		}
		if (*r->executor) {
			n_exec++;
			const char *b =
			    executor_predict(&ex, r->reason_id, r->district, r->lat, r->lon, NULL);
			if (b && strcmp(b, r->executor) == 0)
				exec_ok++;
			if (df) {
				json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", r->id, "topic",
				                      r->reason_id, "predicted", b ? b : "", "body",
				                      r->executor);
				char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
				if (line)
					fprintf(df, "%s\n", line);
				free(line);
				json_decref(o);
			}
			b = executor_predict(&online, r->reason_id, r->district, r->lat, r->lon,
			                     NULL);
			if (b && strcmp(b, r->executor) == 0)
				online_ok++;
			executor_add(&online, r->reason_id, r->district, r->lat, r->lon, r->created,
			             r->executor);
		}
	}
	double predict_s = (double)(clock_mono_ns() - t1) / 1e9;
	if (df)
		fclose(df);
	if (save) {
		char path[4096];
		snprintf(path, sizeof(path), "%s.topics", save);
		if (classifier_save(&clf, path) != 0)
			fprintf(stderr, "eval routing: cannot save %s\n", path);
		snprintf(path, sizeof(path), "%s.bodies", save);
		if (executor_save(&ex, path) != 0)
			fprintf(stderr, "eval routing: cannot save %s\n", path);
	}
	printf(
	    "test: %zu texts with a topic, %zu routed appeals; body accuracy when the model also "
	    "learns each routed TEST appeal in turn: %.3f\n",
	    n_topic, n_exec, n_exec ? (double)online_ok / n_exec : 0);
	executor_release(&online);
	print_json(json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "topic_top1",
	                     round3(n_topic ? (double)top1 / n_topic : 0), "topic_top3",
	                     round3(n_topic ? (double)top3 / n_topic : 0), "category_top1",
	                     round3(n_topic ? (double)cat1 / n_topic : 0), "executor_acc",
	                     round3(n_exec ? (double)exec_ok / n_exec : 0), "train_s",
	                     round3(train_s), "predict_s", round3(predict_s), "peak_rss_mb",
	                     round3(peak_rss_mb())));
	free(probs);
	free(cat_of);
	free(cat_rep);
	free(mass);
	classifier_worker_release(&wk);
	executor_release(&ex);
out:
	classifier_release(&clf);
	free(texts);
	free(labels);
	free(lens);
	free(age);
	dataset_release(&tr);
	dataset_release(&te);
	return rc ? 1 : 0;
}

static const char cluster_usage[] =
    "usage: otklik eval cluster --input FILE.csv [--topic-model FILE]\n"
    "  Places FILE's appeals one by one in time order into problem clusters (text, point, time,\n"
    "  category_id; never reason_id) and prints {clusters, nmi_reason, pair_precision,\n"
    "  pair_recall, pair_f1, seconds, peak_rss_mb} as the last line. A true pair: same reason_id,\n"
    "  points within 150 m, created within 14 days.\n"
    "  --topic-model FILE: a topic classifier trained on other (earlier) appeals, e.g. by\n"
    "          `eval routing --save-model P` (FILE = P.topics); its top topic splits clusters\n"
    "  --dump OUT.csv: writes id,cluster for each row\n"
    "  Tuning: --radius M --window DAYS --stretch X --late-share X --near X --min-sim X --diffuse "
    "X --terms N\n"
    "          --merge-sim X --consolidate 0|1 --flags N (1 words, 2 bigrams, 4 char n-grams,\n"
    "          8 numbers)\n";

struct row_key {
	uint32_t a, b; /* sort keys */
	int64_t t;
	uint32_t row;
};

static int cmp_row_key(const void *x, const void *y)
{
	const struct row_key *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	if (p->t != q->t)
		return p->t < q->t ? -1 : 1;
	return p->row < q->row ? -1 : p->row > q->row;
}

static int cmp_str_ptr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Index of each row's reason_id among the sorted distinct values. */
static uint32_t *reason_index(const struct dataset *ds)
{
	const char **u = xmalloc((ds->n ? ds->n : 1) * sizeof(*u));
	for (size_t i = 0; i < ds->n; i++)
		u[i] = ds->rows[i].reason_id;
	qsort(u, ds->n, sizeof(*u), cmp_str_ptr);
	size_t nu = 0;
	for (size_t i = 0; i < ds->n; i++)
		if (nu == 0 || strcmp(u[nu - 1], u[i]) != 0)
			u[nu++] = u[i];
	uint32_t *idx = xmalloc((ds->n ? ds->n : 1) * sizeof(*idx));
	for (size_t i = 0; i < ds->n; i++) {
		const char *key = ds->rows[i].reason_id;
		const char **hit = bsearch(&key, u, nu, sizeof(*u), cmp_str_ptr);
		idx[i] = (uint32_t)(hit - u);
	}
	free(u);
	return idx;
}

/* Normalised mutual information (arithmetic mean of the entropies, as scikit-learn). */
static double nmi(const uint32_t *a, const uint32_t *b, size_t n)
{
	if (n == 0)
		return 0;
	struct row_key *k = xmalloc(n * sizeof(*k));
	for (size_t i = 0; i < n; i++)
		k[i] = (struct row_key){a[i], b[i], 0, (uint32_t)i};
	qsort(k, n, sizeof(*k), cmp_row_key);
	double hab = 0, ha = 0;
	for (size_t i = 0, j; i < n; i = j) { /* joint and a-marginal entropies */
		for (j = i; j < n && k[j].a == k[i].a && k[j].b == k[i].b; j++)
			;
		double p = (double)(j - i) / n;
		hab -= p * log(p);
	}
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && k[j].a == k[i].a; j++)
			;
		double p = (double)(j - i) / n;
		ha -= p * log(p);
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct row_key){b[i], 0, 0, (uint32_t)i};
	qsort(k, n, sizeof(*k), cmp_row_key);
	double hb = 0;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && k[j].a == k[i].a; j++)
			;
		double p = (double)(j - i) / n;
		hb -= p * log(p);
	}
	free(k);
	double mi = ha + hb - hab;
	return ha + hb > 0 ? 2 * mi / (ha + hb) : 1;
}

static int eval_cluster(int argc, char **argv)
{
	const char *input = NULL, *dump = NULL, *topic_model = NULL;
	int consolidate = 1;
	struct cluster_params p = cluster_params_default();
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(cluster_usage, stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "eval cluster: %s needs a value\n%s", a, cluster_usage);
			return 2;
		}
		i++;
		if (strcmp(a, "--input") == 0)
			input = v;
		else if (strcmp(a, "--radius") == 0)
			p.radius_m = strtod(v, NULL);
		else if (strcmp(a, "--window") == 0)
			p.window_days = strtod(v, NULL);
		else if (strcmp(a, "--stretch") == 0)
			p.stretch = strtod(v, NULL);
		else if (strcmp(a, "--late-share") == 0)
			p.late_share = strtof(v, NULL);
		else if (strcmp(a, "--min-sim") == 0)
			p.min_sim = strtof(v, NULL);
		else if (strcmp(a, "--merge-sim") == 0)
			p.merge_sim = strtof(v, NULL);
		else if (strcmp(a, "--flags") == 0)
			p.flags = (unsigned)atoi(v);
		else if (strcmp(a, "--consolidate") == 0)
			consolidate = atoi(v);
		else if (strcmp(a, "--near") == 0)
			p.near_weight = strtof(v, NULL);
		else if (strcmp(a, "--diffuse") == 0)
			p.diffuse = strtof(v, NULL);
		else if (strcmp(a, "--terms") == 0)
			p.centroid_terms = (unsigned)atoi(v);
		else if (strcmp(a, "--topic-model") == 0)
			topic_model = v;
		else if (strcmp(a, "--dump") == 0)
			dump = v;
		else {
			fprintf(stderr, "eval cluster: unknown option %s\n%s", a, cluster_usage);
			return 2;
		}
	}
	if (!input) {
		fputs(cluster_usage, stderr);
		return 2;
	}
	struct classifier tmodel;
	struct classifier_worker twk;
	classifier_init(&tmodel);
	memset(&twk, 0, sizeof(twk));
	if (topic_model) {
		int lrc = classifier_load(&tmodel, topic_model);
		if (lrc || classifier_worker_init(&twk, &tmodel)) {
			fprintf(stderr, "eval cluster: cannot load topic model %s (%s)\n",
			        topic_model, err_code(lrc));
			classifier_release(&tmodel);
			return 1;
		}
	}
	struct dataset ds;
	if (load(&ds, input)) {
		classifier_worker_release(&twk);
		classifier_release(&tmodel);
		return 1;
	}
	int64_t t0 = clock_mono_ns();
	struct cluster_model cm;
	int rc = cluster_model_init(&cm, &p);
	if (rc) {
		fprintf(stderr, "eval cluster: bad parameters (%s)\n", err_code(rc));
		cluster_model_release(&cm);
		dataset_release(&ds);
		classifier_worker_release(&twk);
		classifier_release(&tmodel);
		return 2;
	}
	size_t n = ds.n;
	struct row_key *ord = xmalloc((n ? n : 1) * sizeof(*ord));
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct row_key){0, 0, ds.rows[i].created, (uint32_t)i};
	qsort(ord, n, sizeof(*ord), cmp_row_key);
	for (size_t i = 0; i < n;
	     i++) /* IDF of the whole file first, as a batch vectorizer would */
		cluster_observe(&cm, ds.rows[i].text, ds.rows[i].text_len);
	uint32_t *doc_of = xmalloc((n ? n : 1) * sizeof(*doc_of));
	for (size_t j = 0; j < n; j++) {
		const struct dataset_row *r = &ds.rows[ord[j].row];
		const char *topic = NULL;
		struct classifier_score top;
		if (tmodel.nclasses &&
		    classifier_predict(&tmodel, &twk, r->text, r->text_len, &top, 1) == 1)
			topic = top.label;
		struct cluster_input in = {j,     r->text, r->text_len, r->category_id,
		                           topic, r->lat,  r->lon,      r->created};
		uint32_t id;
		if (cluster_assign(&cm, &in, &id) !=
		    0) { /* bad UTF-8: placed by itself as "" text */
			in.text = "";
			in.text_len = 0;
			cluster_assign(&cm, &in, &id);
		}
		doc_of[ord[j].row] = (uint32_t)(cm.ndocs - 1);
	}
	size_t merges = consolidate ? cluster_consolidate(&cm) : 0;
	double seconds = (double)(clock_mono_ns() - t0) / 1e9;
	uint32_t *cl = xmalloc((n ? n : 1) * sizeof(*cl));
	for (size_t i = 0; i < n; i++)
		cl[i] = cluster_resolve(&cm, cm.docs[doc_of[i]].cluster);
	FILE *df = dump ? fopen(dump, "w") : NULL;
	if (dump && !df)
		fprintf(stderr, "eval cluster: cannot write %s\n", dump);
	for (size_t i = 0; df && i < n; i++)
		fprintf(df, "%s,%u\n", ds.rows[i].id, cl[i]);
	if (df)
		fclose(df);
	size_t live = 0;
	for (size_t i = 0; i < cm.nclusters; i++)
		live += !cm.clusters[i].merged_into && cm.clusters[i].n;
	uint32_t *reason = reason_index(&ds);
	double score_nmi = nmi(cl, reason, n);
	/* true pairs: same reason, within 150 m and 14 days — a window over rows sorted by time */
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct row_key){reason[i], 0, ds.rows[i].created, (uint32_t)i};
	qsort(ord, n, sizeof(*ord), cmp_row_key);
	uint64_t truth = 0, tp = 0, predicted = 0;
	for (size_t i = 0; i < n; i++) {
		const struct dataset_row *a = &ds.rows[ord[i].row];
		if (!geo_valid(a->lat, a->lon))
			continue;
		for (size_t j = i + 1;
		     j < n && ord[j].a == ord[i].a && ord[j].t - ord[i].t <= 14 * 86400; j++) {
			const struct dataset_row *b = &ds.rows[ord[j].row];
			if (!geo_valid(b->lat, b->lon) ||
			    geo_dist_m(a->lat, a->lon, b->lat, b->lon) > 150)
				continue;
			truth++;
			tp += cl[ord[i].row] == cl[ord[j].row];
		}
	}
	for (size_t i = 0; i < cm.nclusters; i++) {
		const struct cluster *c = &cm.clusters[i];
		if (!c->merged_into)
			predicted += (uint64_t)c->n * (c->n - 1) / 2;
	}
	double prec = predicted ? (double)tp / predicted : 0, rec = truth ? (double)tp / truth : 0;
	double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
	printf("%zu appeals, %zu clusters (%zu merged on consolidation), %llu true pairs, %llu "
	       "predicted\n",
	       n, live, merges, (unsigned long long)truth, (unsigned long long)predicted);
	print_json(json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "clusters", (json_int_t)live,
	                     "nmi_reason", round3(score_nmi), "pair_precision", round3(prec),
	                     "pair_recall", round3(rec), "pair_f1", round3(f1), "seconds",
	                     round3(seconds), "peak_rss_mb", round3(peak_rss_mb())));
	free(reason);
	free(cl);
	free(doc_of);
	free(ord);
	cluster_model_release(&cm);
	dataset_release(&ds);
	classifier_worker_release(&twk);
	classifier_release(&tmodel);
	return 0;
}

int eval_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "routing") == 0)
		return eval_routing(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "cluster") == 0)
		return eval_cluster(argc, argv);
	fputs("usage: otklik eval routing|cluster [--help]\n",
	      argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
