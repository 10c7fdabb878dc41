/* fuzz_text.c: libFuzzer target for the Russian text pipeline (src/text) on arbitrary bytes, as
 * appeal texts reach it: tokenize → stem → featurize (every feature kind, several hash sizes,
 * TF-IDF), the "similar appeals" index (each line of the input is a document; some are removed;
 * each line is then a query), the topic classifier (a small model trained at start-up) and the
 * clusterer. Input: one selector byte (feature flags, hash size, removals, place), then text. */
#include "core/err.h"
#include "core/utf8.h"
#include "text/classifier.h"
#include "text/cluster.h"
#include "text/features.h"
#include "text/index.h"
#include "text/stem.h"
#include "text/tokenize.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOCS 32

static struct text_stemmer stemmer;
static struct text_doc doc;
static struct classifier model;
static struct classifier_worker worker;

static const char *const train_texts[] = {
    "Яма на дороге у дома 5, машины объезжают по встречной",
    "Разбит асфальт на улице Ленина, глубокие ямы после зимы",
    "Прошу отремонтировать дорогу, колея и выбоины на проезжей части",
    "Не горит фонарь во дворе, вечером темно и страшно",
    "Уличное освещение не работает на всей улице третью неделю",
    "Отключили свет в подъезде, лампочки перегорели",
    "Мусор не вывозят уже неделю, контейнеры переполнены",
    "Свалка у гаражей, мусор разносит ветер",
    "Контейнерная площадка завалена отходами, крысы",
    "Яма во дворе дома 12 по Кирова, асфальт провалился",
    "Фонари на остановке не горят, ничего не видно",
    "Переполнены мусорные баки возле школы",
};
static const char *const train_labels[] = {"roads", "roads", "roads", "light", "light", "light",
                                           "waste", "waste", "waste", "roads", "light", "waste"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (text_stemmer_init(&stemmer))
		abort();
	text_doc_init(&doc);
	size_t n = sizeof(train_texts) / sizeof(train_texts[0]);
	size_t lens[sizeof(train_texts) / sizeof(train_texts[0])];
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(train_texts[i]);
	struct classifier_params p = classifier_params_default();
	p.bits = 16;
	p.min_df = 1;
	classifier_init(&model);
	if (classifier_train(&model, &p, train_texts, lens, train_labels, NULL, n) ||
	    classifier_worker_init(&worker, &model))
		abort();
	return 0;
}

static bool bad(float x)
{
	return !isfinite(x);
}

/* Tokens lie inside norm in order, separated by single spaces; stems are UTF-8 too. */
static void check_tokens(const uint8_t *s, size_t n)
{
	int rc = text_tokenize(&doc, (const char *)s, n);
	bool valid = utf8_valid((const char *)s, n);
	if (n <= TEXT_MAX_INPUT && (rc == 0) != valid)
		abort();
	if (rc) {
		if (doc.ntoks || doc.norm_len)
			abort(); /* the document is empty after a refusal */
		return;
	}
	if (doc.norm_len &&
	    (strlen(doc.norm) != doc.norm_len || !utf8_valid(doc.norm, doc.norm_len)))
		abort();
	size_t end = 0;
	for (size_t i = 0; i < doc.ntoks; i++) {
		const struct text_token *t = &doc.toks[i];
		if (!t->len || t->off < end || (size_t)t->off + t->len > doc.norm_len ||
		    t->kind > TEXT_TOK_MASK || (t->stop && t->kind != TEXT_TOK_WORD))
			abort();
		if (i && (t->off != end + 1 || doc.norm[end] != ' '))
			abort();
		end = (size_t)t->off + t->len;
		if (memchr(doc.norm + t->off, ' ', t->len))
			abort();
		if (t->kind == TEXT_TOK_WORD) {
			size_t sl;
			const char *st = text_stem(&stemmer, doc.norm + t->off, t->len, &sl);
			if (!st || !utf8_valid(st, sl) || sl > t->len)
				abort();
		}
	}
	if (end != doc.norm_len)
		abort();
}

static void check_vec(const struct text_vec *v, unsigned bits)
{
	for (size_t i = 0; i < v->n; i++) {
		if (v->f[i].idx >> bits || bad(v->f[i].val) || v->f[i].val <= 0)
			abort();
		if (i && v->f[i].idx <= v->f[i - 1].idx)
			abort(); /* sorted, unique */
	}
}

static void check_features(const uint8_t *s, size_t n, uint8_t sel)
{
	static const unsigned bits_of[] = {10, 16, 20, 24};
	unsigned flags = 1 + (sel & 15) % 15; /* a non-empty subset of the four kinds */
	unsigned bits = bits_of[(sel >> 4) & 3];
	unsigned cmin = 1 + (sel >> 6), cmax = cmin + 2;
	struct text_featurizer fz;
	if (text_featurizer_init(&fz, flags, bits, cmin, cmax))
		abort();
	struct text_vec v;
	text_vec_init(&v);
	int rc = text_featurize(&fz, (const char *)s, n, &v);
	if (rc && (rc != ERR_INVALID || v.n))
		abort();
	check_vec(&v, bits);
	text_vec_tfidf(&v, NULL);
	check_vec(&v, bits);
	float nn = text_vec_dot(&v, &v);
	if (v.n && fabsf(nn - 1.0f) > 1e-3f)
		abort(); /* unit length */
	text_vec_release(&v);
	text_featurizer_release(&fz);
}

struct lines {
	const char *p[MAX_DOCS];
	size_t len[MAX_DOCS], n;
};

static void split_lines(const uint8_t *s, size_t n, struct lines *l)
{
	l->n = 0;
	size_t i = 0;
	while (i <= n && l->n < MAX_DOCS) {
		const uint8_t *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n;
		l->p[l->n] = (const char *)s + i;
		l->len[l->n++] = e - i;
		if (!nl)
			break;
		i = e + 1;
	}
}

static bool keep_odd(void *ctx, int64_t ext)
{
	(void)ctx;
	return ext % 2 == 1;
}

static void check_index(const struct lines *l, uint8_t sel)
{
	struct text_index ix;
	if (text_index_init(&ix, TEXT_F_WORDS | TEXT_F_BIGRAMS | (sel & 1 ? TEXT_F_NUMBERS : 0),
	                    sel & 2 ? 18 : 12))
		abort();
	bool live[MAX_DOCS] = {0};
	uint32_t docno[MAX_DOCS];
	for (size_t i = 0; i < l->n; i++) {
		int rc = text_index_add(&ix, (int64_t)i + 1, l->p[i], l->len[i], &docno[i]);
		live[i] = rc == 0;
		if (rc && rc != ERR_INVALID)
			abort();
	}
	for (size_t i = 0; i < l->n; i++) /* removals picked by the selector's upper bits */
		if (live[i] && ((sel >> 2) & (1u << (i % 6)))) {
			if (text_index_remove(&ix, docno[i]))
				abort();
			live[i] = false;
			if (text_index_remove(&ix, docno[i]) != ERR_NOTFOUND)
				abort();
		}
	struct text_searcher se;
	if (text_searcher_init(&se, &ix))
		abort();
	struct text_hit hits[5];
	for (size_t i = 0; i < l->n; i++) {
		bool filter = (i + sel) % 3 == 0;
		int k = text_index_search(&ix, &se, l->p[i], l->len[i], hits, 5,
		                          filter ? keep_odd : NULL, NULL);
		if (k < 0) {
			if (k != ERR_INVALID)
				abort();
			continue;
		}
		if (k > 5)
			abort();
		for (int h = 0; h < k; h++) {
			int64_t e = hits[h].ext_id;
			if (e < 1 || e > (int64_t)l->n || !live[e - 1] || bad(hits[h].score) ||
			    (filter && e % 2 != 1))
				abort(); /* removed or filtered documents are never found */
			if (h && hits[h].score > hits[h - 1].score)
				abort(); /* best first */
		}
	}
	text_searcher_release(&se);
	text_index_release(&ix);
}

static void check_classifier(const uint8_t *s, size_t n, uint8_t sel)
{
	struct classifier_score out[3];
	int k = classifier_predict(&model, &worker, (const char *)s, n, out, 3);
	if (k < 0) {
		if (k != ERR_INVALID)
			abort();
		return;
	}
	float sum = 0;
	for (int i = 0; i < k; i++) {
		if (bad(out[i].prob) || out[i].prob < 0 || out[i].prob > 1.0001f ||
		    out[i].cls >= model.nclasses || strcmp(out[i].label, model.labels[out[i].cls]))
			abort();
		if (i && out[i].prob > out[i - 1].prob)
			abort();
		sum += out[i].prob;
	}
	if (sum > 1.001f)
		abort();
	static const char *const chosen[] = {"roads", "light", "waste", "unknown"};
	struct classifier_score sug;
	int d = classifier_doubt(&model, &worker, (const char *)s, n, chosen[sel & 3], 0.5f, &sug);
	if (d < 0 || d > 1 || (d == 1 && (sug.prob < 0.5f || sug.cls >= model.nclasses)))
		abort();
}

static void check_cluster(const struct lines *l, uint8_t sel)
{
	struct cluster_params p = cluster_params_default();
	p.bits = 12;
	struct cluster_model m;
	if (cluster_model_init(&m, &p))
		abort();
	for (size_t i = 0; i < l->n; i++)
		if (cluster_observe(&m, l->p[i], l->len[i]) && utf8_valid(l->p[i], l->len[i]))
			abort();
	for (size_t i = 0; i < l->n; i++) {
		struct cluster_input in = {
		    .ext_id = (int64_t)i + 1,
		    .text = l->p[i],
		    .text_len = l->len[i],
		    .category = (sel + i) & 1 ? "roads" : "",
		    .topic = (sel >> 1) & 1 ? "yamy" : NULL,
		    .lat = (sel & 4) ? NAN : 54.5 + 0.0005 * (double)(i % 3),
		    .lon = (sel & 4) ? NAN : 36.27,
		    .created = 1767225600 + 3600 * (int64_t)i,
		};
		uint32_t id = 0, sid = 0;
		float sim = 0;
		int rs = cluster_suggest(&m, &in, &sid, &sim);
		if (rs && rs != ERR_NOTFOUND && rs != ERR_INVALID)
			abort();
		if (!rs && (!cluster_get(&m, sid) || bad(sim)))
			abort();
		int rc = cluster_assign(&m, &in, &id);
		if (rc) {
			if (rc != ERR_INVALID)
				abort();
			continue;
		}
		const struct cluster *c = cluster_get(&m, id);
		if (!c || !c->n)
			abort();
		const char *labels[4];
		size_t nl = cluster_label(&m, id, labels, 4);
		for (size_t j = 0; j < nl; j++)
			if (!labels[j] || !utf8_valid(labels[j], strlen(labels[j])))
				abort();
	}
	cluster_consolidate(&m);
	cluster_model_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 80 * 1024)
		return 0;
	uint8_t sel = data[0];
	/* an exact-size copy, so that a read past the end is caught */
	size_t n = size - 1;
	uint8_t *s = malloc(n ? n : 1);
	if (n)
		memcpy(s, data + 1, n);
	check_tokens(s, n);
	check_features(s, n, sel);
	check_classifier(s, n, sel);
	struct lines l;
	split_lines(s, n, &l);
	check_index(&l, sel);
	check_cluster(&l, sel);
	free(s);
	return 0;
}
