/* assist.c: the text engine inside the server: topic suggestion, similar appeals, nearby
 * appeals and predicted answers, and problems (clusters) placed by the node holding the lease.
 * docs/text.md ("In the server") describes threads, memory and several nodes. */
#include "appeals/assist.h"
#include "analytics/spikes.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "store/alarms.h"
#include "store/analytics.h"
#include "store/problems.h"
#include "text/classifier.h"
#include "text/cluster.h"
#include "text/geo.h"
#include "text/index.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE              2000
#define POLL_MS           500
#define RETRAIN_MIN_MS    60000
#define KICK_MIN_MS       50 /* polls at least this far apart: a burst is one batch */
#define LEASE_TTL_MS      10000
#define LEASE_RENEW_MS    3000
#define TOPICS_REFRESH_MS 30000
#define RESCAN_WINDOW     64 /* ids below the newest seen that are read again (late commits) */
#define PLACE_BATCH       64
#define NEARBY_M          500.0
#define NEARBY_MAX        5
#define ANSWERS_MAX       3
#define SIMILAR_MAX       10
#define DOUBT_MIN_PROB    0.5f
#define TEXT_CUT          300 /* characters of an appeal text in lists */

/* --- an int64 → int64 hash map (keys > 0) ------------------------------------------------- */

struct idmap {
	int64_t *k, *v;
	size_t n, cap; /* cap: power of two or 0 */
};

static size_t idmap_slot(const struct idmap *m, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(h >> 17) & (m->cap - 1);
	while (m->k[i] && m->k[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void idmap_put(struct idmap *m, int64_t key, int64_t val);

static void idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 1024;
	m->n = 0;
	m->k = xcalloc(m->cap, sizeof(*m->k));
	m->v = xcalloc(m->cap, sizeof(*m->v));
	for (size_t i = 0; i < old.cap; i++)
		if (old.k[i])
			idmap_put(m, old.k[i], old.v[i]);
	free(old.k);
	free(old.v);
}

static void idmap_put(struct idmap *m, int64_t key, int64_t val)
{
	if ((m->n + 1) * 2 > m->cap)
		idmap_grow(m);
	size_t i = idmap_slot(m, key);
	if (!m->k[i]) {
		m->k[i] = key;
		m->n++;
	}
	m->v[i] = val;
}

/* The value, or 0 when absent. */
static int64_t idmap_get(const struct idmap *m, int64_t key)
{
	if (!m->cap)
		return 0;
	size_t i = idmap_slot(m, key);
	return m->k[i] ? m->v[i] : 0;
}

static bool idmap_has(const struct idmap *m, int64_t key)
{
	return m->cap && m->k[idmap_slot(m, key)] == key;
}

static void idmap_release(struct idmap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* --- state ------------------------------------------------------------------------------- */

struct topic_info {
	int64_t id, category_id;
	char *name, *hint, *category_name;
	bool active;
};

static struct {
	struct store *s;
	/* guarded by lock: readers (suggest, similar, doubt) share, writers (new appeals, model
	 * swap, topic refresh) are brief */
	pthread_rwlock_t lock;
	bool ready;
	struct classifier *cls; /* NULL until trained */
	struct text_index ix;
	bool ix_ready;
	struct idmap indexed; /* appeal ids in the index */
	struct topic_info *topics;
	size_t ntopics;
	int64_t last_seen; /* newest appeal id indexed */
	size_t history;    /* appeals seen */
	size_t trained;    /* real appeals the current classifier was trained on */
	struct classifier_params cparams;

	/* background thread */
	pthread_t thread, trainer;
	bool thread_on, trainer_on;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool stop, kick, trainer_done;
	atomic_bool kicked;       /* a kick is pending: later submissions need not signal */
	struct classifier *fresh; /* a retrained model waiting to be swapped in (under mu) */
	int64_t fresh_max_id;
	size_t fresh_n;
	int64_t trained_at, topics_at;

	/* problems (background thread only; stats read without the lock) */
	char node[96];
	bool leader, cm_ready;
	int64_t lease_at, edit_seen;
	struct cluster_model cm;
	int64_t *pid_of; /* model cluster id → problems.id */
	size_t pid_cap;
	struct idmap placed; /* appeal id → problems.id for appeals in the model */
	struct spikes sp;    /* the spike detector (leader only; docs/text.md, "Spikes") */
	bool sp_ready;
	int64_t nplaced;
	int64_t retrain_ms;
	int64_t train_max, cluster_days;
	int64_t index_max; /* 0: every appeal in the similarity index at start, else the newest */
} g = {
    .lock = PTHREAD_RWLOCK_INITIALIZER,
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
};

/* --- per-thread workers -------------------------------------------------------------------- */

struct tls {
	struct classifier_worker cw;
	struct text_searcher ts;
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *p)
{
	struct tls *t = p;
	classifier_worker_release(&t->cw);
	text_searcher_release(&t->ts);
	free(t);
}

static void tls_make_key(void)
{
	pthread_key_create(&tls_key, tls_free);
}

/* This thread's workers (created on first use), or NULL when the stemmer is missing. */
static struct tls *tls_get(void)
{
	pthread_once(&tls_once, tls_make_key);
	struct tls *t = pthread_getspecific(tls_key);
	if (t)
		return t;
	t = xcalloc(1, sizeof(*t));
	struct classifier tmp;
	classifier_init(&tmp);
	tmp.p = g.cparams;
	struct text_index ixp = {.flags = TEXT_F_WORDS | TEXT_F_BIGRAMS, .bits = 22};
	if (classifier_worker_init(&t->cw, &tmp) || text_searcher_init(&t->ts, &ixp)) {
		tls_free(t);
		return NULL;
	}
	pthread_setspecific(tls_key, t);
	return t;
}

static int64_t env_i64(const char *name, int64_t def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long long x = strtoll(v, &end, 10);
	return *end || x <= 0 ? def : (int64_t)x;
}

static const struct topic_info *topic_find(int64_t id)
{
	for (size_t i = 0; i < g.ntopics; i++)
		if (g.topics[i].id == id)
			return &g.topics[i];
	return NULL;
}

static void topics_free(struct topic_info *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].name);
		free(t[i].hint);
		free(t[i].category_name);
	}
	free(t);
}

/* Reads the rubricator into a new array. */
static int topics_read(struct store *s, struct topic_info **out, size_t *nout)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct arena a;
	arena_init(&a, 16384);
	struct store_rows r = {0};
	rc = store_assist_topics(c, &a, &r);
	store_conn_put(s, c);
	if (!rc) {
		struct topic_info *t = xcalloc(r.nrows ? r.nrows : 1, sizeof(*t));
		for (size_t i = 0; i < r.nrows; i++) {
			t[i].id = store_rows_i64(&r, i, 0);
			t[i].category_id = store_rows_i64(&r, i, 1);
			t[i].name =
			    xstrdup(store_rows_get(&r, i, 2) ? store_rows_get(&r, i, 2) : "");
			t[i].hint =
			    store_rows_get(&r, i, 3) ? xstrdup(store_rows_get(&r, i, 3)) : NULL;
			t[i].category_name =
			    xstrdup(store_rows_get(&r, i, 4) ? store_rows_get(&r, i, 4) : "");
			t[i].active = store_rows_i64(&r, i, 5) != 0;
		}
		*out = t;
		*nout = r.nrows;
	}
	arena_release(&a);
	return rc;
}

static void topics_refresh(void)
{
	struct topic_info *t;
	size_t n;
	if (topics_read(g.s, &t, &n))
		return;
	pthread_rwlock_wrlock(&g.lock);
	struct topic_info *old = g.topics;
	size_t oldn = g.ntopics;
	g.topics = t;
	g.ntopics = n;
	pthread_rwlock_unlock(&g.lock);
	topics_free(old, oldn);
}

/* --- training ------------------------------------------------------------------------------ */

struct corpus {
	char **texts, **labels;
	size_t *lens;
	int64_t *created; /* ms; 0 for the rubricator's examples */
	size_t n, cap, real;
	int64_t max_id;
};

static void corpus_add(struct corpus *cp, const char *text, size_t len, int64_t topic_id,
                       int64_t created)
{
	if (cp->n == cp->cap) {
		size_t cap = cp->cap;
		cp->texts = xgrow(cp->texts, sizeof(*cp->texts), cp->n + 1, &cap);
		cap = cp->cap;
		cp->labels = xgrow(cp->labels, sizeof(*cp->labels), cp->n + 1, &cap);
		cap = cp->cap;
		cp->created = xgrow(cp->created, sizeof(*cp->created), cp->n + 1, &cap);
		cp->lens = xgrow(cp->lens, sizeof(*cp->lens), cp->n + 1, &cp->cap);
	}
	char lab[24];
	snprintf(lab, sizeof(lab), "%lld", (long long)topic_id);
	cp->texts[cp->n] = xstrndup(text, len);
	cp->lens[cp->n] = len;
	cp->labels[cp->n] = xstrdup(lab);
	cp->created[cp->n] = created;
	cp->n++;
}

static void corpus_release(struct corpus *cp)
{
	for (size_t i = 0; i < cp->n; i++) {
		free(cp->texts[i]);
		free(cp->labels[i]);
	}
	free(cp->texts);
	free(cp->labels);
	free(cp->lens);
	free(cp->created);
	memset(cp, 0, sizeof(*cp));
}

/* The rubricator as examples: every active topic's name, category and hint, so that a young
 * platform (few appeals) still suggests sensibly. */
static void corpus_seed(struct corpus *cp, const struct topic_info *t, size_t nt)
{
	int reps = cp->real < 1000 ? 3 : 1;
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].active)
			continue;
		char buf[4096];
		int len = snprintf(buf, sizeof(buf), "%s. %s. %s", t[i].name, t[i].category_name,
		                   t[i].hint ? t[i].hint : "");
		if (len < 0)
			continue;
		if ((size_t)len >= sizeof(buf))
			len = (int)strlen(buf);
		for (int r = 0; r < reps; r++) {
			corpus_add(cp, buf, (size_t)len, t[i].id, 0);
			corpus_add(cp, t[i].name, strlen(t[i].name), t[i].id, 0);
		}
	}
}

static struct classifier_params train_params(size_t real)
{
	struct classifier_params p = classifier_params_default();
	if (real < 2000) { /* a handful of texts: keep every feature, more passes */
		p.min_df = 1;
		p.epochs = 30;
	}
	return p;
}

/* Reads the newest train_max appeals (with the rubricator) into cp; when to_index, also
 * indexes the history (every appeal, or the newest index_max) and records their ids. */
static int history_read(struct store *s, struct corpus *cp, bool to_index)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	int64_t floor_id = 0, index_floor = 0;
	rc = store_assist_floor_id(c, g.train_max, &floor_id);
	if (!rc && g.index_max)
		rc = store_assist_floor_id(c, g.index_max, &index_floor);
	int64_t after = to_index ? (index_floor < floor_id ? index_floor : floor_id) : floor_id;
	struct arena a;
	arena_init(&a, 1 << 16);
	while (!rc) {
		struct store_rows r = {0};
		rc = store_assist_appeals_page(c, &a, after, PAGE, &r);
		if (rc || !r.nrows)
			break;
		for (size_t i = 0; i < r.nrows; i++) {
			int64_t id = store_rows_i64(&r, i, 0);
			const char *text = store_rows_get(&r, i, 5);
			if (!text)
				continue;
			size_t len = strlen(text);
			if (id > floor_id) {
				corpus_add(cp, text, len, store_rows_i64(&r, i, 1),
				           store_rows_i64(&r, i, 8));
				cp->real++;
			}
			if (to_index && !idmap_has(&g.indexed, id)) {
				text_index_add(&g.ix, id, text, len, NULL);
				idmap_put(&g.indexed, id, 1);
				g.history++;
			}
			cp->max_id = id;
		}
		after = store_rows_i64(&r, r.nrows - 1, 0);
		arena_release(&a);
		arena_init(&a, 1 << 16);
		if (r.nrows < PAGE)
			break;
	}
	arena_release(&a);
	store_conn_put(s, c);
	return rc;
}

/* A new classifier from the corpus (rubricator examples added). NULL when nothing to learn. */
static struct classifier *train(struct corpus *cp, const struct topic_info *t, size_t nt)
{
	corpus_seed(cp, t, nt);
	if (!cp->n)
		return NULL;
	struct classifier *c = xmalloc(sizeof(*c));
	classifier_init(c);
	struct classifier_params p = train_params(cp->real);
	/* ages in days from the newest appeal, for the recent-topics prior (classifier.h); the
	 * rubricator's examples count as old as the oldest appeal */
	int64_t newest = 0, oldest = INT64_MAX;
	for (size_t i = 0; i < cp->n; i++)
		if (cp->created[i]) {
			newest = cp->created[i] > newest ? cp->created[i] : newest;
			oldest = cp->created[i] < oldest ? cp->created[i] : oldest;
		}
	float *age = xmalloc(cp->n * sizeof(*age));
	for (size_t i = 0; i < cp->n; i++)
		age[i] = (float)((double)(newest - (cp->created[i] ? cp->created[i] : oldest)) /
		                 86400000.0);
	int rc = classifier_train(c, &p, (const char *const *)cp->texts, cp->lens,
	                          (const char *const *)cp->labels, newest ? age : NULL, cp->n);
	free(age);
	if (rc) {
		classifier_release(c);
		free(c);
		return NULL;
	}
	return c;
}

static void *trainer_main(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-train"); /* for top -H and perf */
	(void)arg;
	struct corpus cp = {0};
	struct topic_info *t = NULL;
	size_t nt = 0;
	struct classifier *c = NULL;
	int64_t t0 = clock_now_ms();
	if (!topics_read(g.s, &t, &nt) && !history_read(g.s, &cp, false))
		c = train(&cp, t, nt);
	topics_free(t, nt);
	pthread_mutex_lock(&g.mu);
	g.fresh = c;
	g.fresh_max_id = cp.max_id;
	g.fresh_n = cp.real;
	g.trainer_done = true;
	g.kick = true;
	pthread_cond_signal(&g.cond);
	pthread_mutex_unlock(&g.mu);
	log_info("assist", "{\"retrained\":%zu,\"ms\":%lld}", cp.real,
	         (long long)(clock_now_ms() - t0));
	corpus_release(&cp);
	return NULL;
}

/* --- new appeals -------------------------------------------------------------------------- */

/* The topic the classifier would choose when the chosen one looks wrong; 0 = no doubt.
 * Caller holds g.lock. */
static int64_t doubt_locked(struct tls *t, const char *text, size_t len, int64_t chosen_topic_id)
{
	if (!t || !text || !g.cls || g.cls->nclasses < 2)
		return 0;
	char lab[24];
	snprintf(lab, sizeof(lab), "%lld", (long long)chosen_topic_id);
	struct classifier_score sc;
	if (classifier_doubt(g.cls, &t->cw, text, len, lab, DOUBT_MIN_PROB, &sc) != 1)
		return 0;
	int64_t id = strtoll(sc.label, NULL, 10);
	const struct topic_info *ti = topic_find(id);
	return ti && ti->active && id != chosen_topic_id ? id : 0;
}

struct doubts {
	int64_t *id, *topic;
	size_t n, cap;
};

static void doubts_add(struct doubts *d, int64_t id, int64_t topic)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->id = xrealloc(d->id, d->cap * sizeof(*d->id));
		d->topic = xrealloc(d->topic, d->cap * sizeof(*d->topic));
	}
	d->id[d->n] = id;
	d->topic[d->n++] = topic;
}

static int doubts_write(struct store_conn *c, void *arg)
{
	const struct doubts *d = arg;
	for (size_t i = 0; i < d->n; i++) {
		int rc = store_appeal_set_suggestion(c, d->id[i], d->topic[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Indexes appeals committed since the last look (also those of other nodes), teaches the
 * classifier their topics and, on the lease holder, stores its doubts about them. */
static void poll_new(void)
{
	struct store_conn *c;
	if (store_conn_get(g.s, &c))
		return;
	struct tls *t = tls_get();
	struct arena a;
	arena_init(&a, 1 << 16);
	int64_t after = g.last_seen > RESCAN_WINDOW ? g.last_seen - RESCAN_WINDOW : 0;
	struct doubts d = {0};
	for (;;) {
		struct store_rows r = {0};
		if (store_assist_appeals_page(c, &a, after, PAGE, &r) || !r.nrows)
			break;
		pthread_rwlock_wrlock(&g.lock);
		for (size_t i = 0; i < r.nrows; i++) {
			int64_t id = store_rows_i64(&r, i, 0);
			const char *text = store_rows_get(&r, i, 5);
			if (!text || idmap_has(&g.indexed, id))
				continue;
			size_t len = strlen(text);
			text_index_add(&g.ix, id, text, len, NULL);
			idmap_put(&g.indexed, id, 1);
			g.history++;
			if (id > g.last_seen)
				g.last_seen = id;
			int64_t chosen = store_rows_i64(&r, i, 1);
			/* the doubt before learning from the appeal; only the lease holder writes
			 */
			int64_t doubt = g.leader && store_rows_i64(&r, i, 9)
			                    ? doubt_locked(t, text, len, chosen)
			                    : 0;
			if (doubt)
				doubts_add(&d, id, doubt);
			if (g.cls && t) {
				char lab[24];
				snprintf(lab, sizeof(lab), "%lld", (long long)chosen);
				classifier_update(g.cls, &t->cw, text, len, lab);
			}
		}
		pthread_rwlock_unlock(&g.lock);
		after = store_rows_i64(&r, r.nrows - 1, 0);
		arena_release(&a);
		arena_init(&a, 1 << 16);
		if (r.nrows < PAGE)
			break;
	}
	arena_release(&a);
	store_conn_put(g.s, c);
	if (d.n)
		store_write(g.s, doubts_write, &d);
	free(d.id);
	free(d.topic);
}

/* Swaps a retrained model in (readers hold the lock, so none sees it half-made), after teaching
 * it the appeals that arrived while it trained. */
static void swap_fresh(void)
{
	pthread_mutex_lock(&g.mu);
	struct classifier *c = g.fresh;
	int64_t max_id = g.fresh_max_id;
	size_t n = g.fresh_n;
	bool done = g.trainer_done;
	g.fresh = NULL;
	g.trainer_done = false;
	pthread_mutex_unlock(&g.mu);
	if (!done)
		return;
	pthread_join(g.trainer, NULL);
	g.trainer_on = false;
	g.trained_at = clock_now_ms();
	if (!c)
		return;
	struct tls *t = tls_get();
	struct store_conn *sc;
	struct arena a;
	arena_init(&a, 1 << 16);
	struct store_rows r = {0};
	bool have = !store_conn_get(g.s, &sc);
	if (have) {
		if (store_assist_appeals_page(sc, &a, max_id, 100000, &r))
			r.nrows = 0;
		store_conn_put(g.s, sc);
	}
	pthread_rwlock_wrlock(&g.lock);
	for (size_t i = 0; t && i < r.nrows; i++) {
		const char *text = store_rows_get(&r, i, 5);
		char lab[24];
		snprintf(lab, sizeof(lab), "%lld", (long long)store_rows_i64(&r, i, 1));
		if (text)
			classifier_update(c, &t->cw, text, strlen(text), lab);
	}
	struct classifier *old = g.cls;
	g.cls = c;
	g.trained = n;
	pthread_rwlock_unlock(&g.lock);
	arena_release(&a);
	if (old) {
		classifier_release(old);
		free(old);
	}
}

static void maybe_retrain(int64_t now)
{
	if (g.trainer_on)
		return;
	size_t h = g.history;
	/* grown by a fifth, but not more often than once a minute: under a burst of appeals the
	 * online updates keep the model current and retraining would take the CPU from intake */
	bool grown = h > g.trained && (double)h >= 1.2 * (double)(g.trained ? g.trained : 1) &&
	             now - g.trained_at >= RETRAIN_MIN_MS;
	bool old = h > g.trained && now - g.trained_at >= g.retrain_ms;
	if (!grown && !old)
		return;
	g.trained = h; /* not again before this one finishes */
	if (pthread_create(&g.trainer, NULL, trainer_main, NULL) == 0)
		g.trainer_on = true;
}

/* --- problems: the node holding the lease places appeals ------------------------------------ */

static void cm_drop(void)
{
	if (g.cm_ready)
		cluster_model_release(&g.cm);
	g.cm_ready = false;
	if (g.sp_ready)
		spikes_release(&g.sp);
	g.sp_ready = false;
	free(g.pid_of);
	g.pid_of = NULL;
	g.pid_cap = 0;
	idmap_release(&g.placed);
}

static void pid_set(uint32_t mid, int64_t pid)
{
	if (mid >= g.pid_cap) {
		size_t old = g.pid_cap;
		g.pid_of = xgrow(g.pid_of, sizeof(*g.pid_of), (size_t)mid + 1, &g.pid_cap);
		memset(g.pid_of + old, 0, (g.pid_cap - old) * sizeof(*g.pid_of));
	}
	g.pid_of[mid] = pid;
}

static int64_t pid_get(uint32_t mid)
{
	return mid < g.pid_cap ? g.pid_of[mid] : 0;
}

static void row_input(const struct store_rows *r, size_t i, struct cluster_input *in, char *cat,
                      char *top)
{
	snprintf(cat, 24, "%lld", (long long)store_rows_i64(r, i, 2));
	snprintf(top, 24, "%lld", (long long)store_rows_i64(r, i, 1));
	const char *text = store_rows_get(r, i, 4);
	in->ext_id = store_rows_i64(r, i, 0);
	in->text = text ? text : "";
	in->text_len = strlen(in->text);
	in->category = cat;
	in->topic = top;
	bool pt = !store_rows_isnull(r, i, 5) && !store_rows_isnull(r, i, 6);
	in->lat = pt ? store_rows_f64(r, i, 5) : NAN;
	in->lon = pt ? store_rows_f64(r, i, 6) : NAN;
	in->created = store_rows_i64(r, i, 7) / 1000;
}

static void spikes_replay(struct store_conn *c, struct arena *a, const struct store_rows *r);

/* Rebuilds the cluster model from the appeals already placed (recent ones: older problems
 * cannot grow), keeping their stored problems. */
static int cm_rebuild(void)
{
	cm_drop();
	struct cluster_params p = cluster_params_default();
	if (cluster_model_init(&g.cm, &p))
		return ERR_INTERNAL;
	g.cm_ready = true;
	struct spike_params sp = spike_params_default();
	g.sp_ready = spikes_init(&g.sp, &sp) == 0;
	struct store_conn *c;
	int rc = store_conn_get(g.s, &c);
	if (rc)
		return rc;
	int64_t since = clock_now_ms() - g.cluster_days * 86400000ll;
	int64_t after = 0;
	struct arena a;
	arena_init(&a, 1 << 16);
	int64_t t0 = clock_now_ms();
	size_t n = 0;
	for (;;) {
		struct store_rows r = {0};
		rc = store_assist_placed_page(c, &a, since, after, PAGE, &r);
		if (rc || !r.nrows)
			break;
		for (size_t i = 0; i < r.nrows; i++) {
			struct cluster_input in;
			char cat[24], top[24];
			row_input(&r, i, &in, cat, top);
			int64_t pid = store_rows_i64(&r, i, 8);
			uint32_t mid = 0;
			if (cluster_assign(&g.cm, &in, &mid))
				continue;
			mid = cluster_resolve(&g.cm, mid);
			/* the model may group differently from the stored problems: the first
			 * stored problem seen for a model cluster receives its newcomers */
			if (!pid_get(mid))
				pid_set(mid, pid);
			idmap_put(&g.placed, in.ext_id, pid);
			n++;
		}
		/* the detector's state: the same appeals, their alarms already raised */
		if (g.sp_ready)
			spikes_replay(c, &a, &r);
		after = store_rows_i64(&r, r.nrows - 1, 0);
		arena_release(&a);
		arena_init(&a, 1 << 16);
		if (r.nrows < PAGE)
			break;
	}
	arena_release(&a);
	if (!rc)
		rc = store_lease_until(c, "problems-edit", &g.edit_seen);
	store_conn_put(g.s, c);
	log_info("assist", "{\"problems_model\":%zu,\"ms\":%lld}", n,
	         (long long)(clock_now_ms() - t0));
	return rc;
}

struct place_item {
	int64_t appeal_id, known_pid; /* known_pid: the problem to use when already decided */
	uint32_t mid;                 /* model cluster (when known_pid == 0) */
	int64_t category_id, topic_id, territory_id, created_at;
	bool has_point;
	double lat, lon;
	const char *label;
	int64_t rep;
	int64_t out_pid;           /* set by the job */
	int placed;                /* set by the job: 1 when this job placed it */
	bool opened;               /* set by the job: it opened out_pid, counted in already */
	bool is_open;              /* the appeal is open (so its problem cannot become solved) */
	uint32_t sk[SPIKE_SKETCH]; /* the text's sketch for the spike detector */
};

struct place_job {
	struct place_item *it;
	size_t n;
	int64_t now;
};

static int place_write(struct store_conn *c, void *arg)
{
	struct place_job *j = arg;
	if (j->n > PLACE_BATCH)
		return ERR_INTERNAL;
	/* the problems this job opens, their ids reserved at once: no insert waits for its id */
	size_t opening = 0;
	for (size_t i = 0; i < j->n; i++) {
		bool first = !j->it[i].known_pid;
		for (size_t k = 0; k < i && first; k++)
			first = j->it[k].known_pid || j->it[k].mid != j->it[i].mid;
		opening += first;
	}
	int rc = store_ids_reserve(c, "problems", opening);
	int64_t aids[PLACE_BATCH], pids[PLACE_BATCH];
	int placed[PLACE_BATCH];
	for (size_t i = 0; i < j->n && !rc; i++) {
		struct place_item *x = &j->it[i];
		x->out_pid = x->known_pid;
		x->opened = false;
		if (!x->out_pid) /* a problem opened earlier in this batch? */
			for (size_t k = 0; k < i; k++)
				if (!j->it[k].known_pid && j->it[k].mid == x->mid) {
					x->out_pid = j->it[k].out_pid;
					break;
				}
		if (!x->out_pid) {
			struct problem_new pn = {
			    .category_id = x->category_id,
			    .topic_id = x->topic_id,
			    .territory_id = x->territory_id,
			    .rep_appeal_id = x->appeal_id,
			    .label = x->label,
			    .has_point = x->has_point,
			    .lat = x->lat,
			    .lon = x->lon,
			    .first_at = x->created_at,
			    .now = j->now,
			    .size = 1, /* this appeal: a new problem is written whole */
			};
			if (x->rep)
				pn.rep_appeal_id = x->rep;
			rc = store_problem_insert(c, &pn, &x->out_pid);
			x->opened = !rc;
		}
		aids[i] = x->appeal_id;
		pids[i] = x->out_pid;
	}
	/* all the appeals in one go (one statement on PostgreSQL) */
	if (!rc)
		rc = store_appeals_place(c, aids, pids, j->n, placed);
	for (size_t i = 0; i < j->n && !rc; i++) {
		struct place_item *x = &j->it[i];
		x->placed = placed[i];
		if (x->opened && !x->placed) { /* it had a problem after all */
			x->opened = false;
			rc = store_problem_grow(c, x->out_pid, -1, 0, 0, NULL, 0, j->now);
		}
	}
	/* each touched problem once (its last item carries the newest label and representative),
	 * counting only the appeals this job placed */
	for (size_t i = 0; i < j->n && !rc; i++) {
		bool later = false;
		for (size_t k = i + 1; k < j->n && !later; k++)
			later = j->it[k].out_pid == j->it[i].out_pid;
		if (later)
			continue;
		if (j->it[i].opened)
			continue; /* the problem's only appeal here: its insert said it all */
		int64_t added = 0, first = INT64_MAX, last = INT64_MIN;
		for (size_t k = 0; k <= i; k++) {
			const struct place_item *y = &j->it[k];
			if (y->out_pid != j->it[i].out_pid || !y->placed || y->opened)
				continue;
			added++;
			first = y->created_at < first ? y->created_at : first;
			last = y->created_at > last ? y->created_at : last;
		}
		rc = store_problem_grow(c, j->it[i].out_pid, added, added ? first : 0,
		                        added ? last : 0, j->it[i].label, j->it[i].rep, j->now);
	}
	return rc;
}

static const char *label_of(struct arena *a, uint32_t mid)
{
	const char *terms[4];
	size_t k = cluster_label(&g.cm, mid, terms, 4);
	char buf[512];
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < k; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", terms[i]);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			break;
		len += (size_t)w;
	}
	return arena_strdup(a, buf);
}

/* --- spikes: the detector follows placement (docs/analytics.md, "Spikes and new problems") -- */

static const char *const kind_names[] = {"spike", "new", "returned"};

/* Authors of appeals (0 = none) into an idmap (keys: appeal ids). */
static void authors_read(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                         struct idmap *out)
{
	struct store_rows r = {0};
	if (!n || store_alarm_authors(c, a, ids, n, &r))
		return;
	for (size_t i = 0; i < r.nrows; i++)
		if (!store_rows_isnull(&r, i, 1))
			idmap_put(out, store_rows_i64(&r, i, 0), store_rows_i64(&r, i, 1));
}

/* Feeds a page of replayed placed appeals (store_assist_placed_page rows) to the detector,
 * dropping its alarms: they were raised (and stored) when the appeals arrived. */
static void spikes_replay(struct store_conn *c, struct arena *a, const struct store_rows *r)
{
	int64_t *ids = arena_alloc(a, (r->nrows + 1) * sizeof(*ids));
	for (size_t i = 0; i < r->nrows; i++)
		ids[i] = store_rows_i64(r, i, 0);
	struct idmap au = {0};
	authors_read(c, a, ids, r->nrows, &au);
	for (size_t i = 0; i < r->nrows; i++) {
		const char *text = store_rows_get(r, i, 4);
		uint32_t sk[SPIKE_SKETCH];
		spike_sketch(text ? text : "", text ? strlen(text) : 0, sk);
		bool pt = !store_rows_isnull(r, i, 5) && !store_rows_isnull(r, i, 6);
		struct spike_obs o = {
		    .appeal_id = ids[i],
		    .at = store_rows_i64(r, i, 7) / 1000,
		    .problem_id = store_rows_i64(r, i, 8),
		    .topic_id = store_rows_i64(r, i, 1),
		    .category_id = store_rows_i64(r, i, 2),
		    .territory_id = store_rows_isnull(r, i, 3) ? 0 : store_rows_i64(r, i, 3),
		    .author_id = idmap_get(&au, ids[i]),
		    .lat = pt ? store_rows_f64(r, i, 5) : NAN,
		    .lon = pt ? store_rows_f64(r, i, 6) : NAN,
		    .sketch = sk,
		};
		spikes_observe(&g.sp, &o, NULL, 0);
	}
	idmap_release(&au);
}

struct alarms_job {
	struct spike_alarm *al;
	size_t nal;
	const struct place_item *it; /* the placed appeals (problem state, 'returned') */
	size_t n;
	bool *returned;          /* per item: it brought its problem back (set by the job) */
	struct spike_alarm *ret; /* per item: the 'returned' alarm */
	int64_t now;
};

static int alarm_store(struct store_conn *c, const struct spike_alarm *x, int64_t now)
{
	char ids[SPIKE_MAX_IDS * 22 + 4];
	size_t len = 0;
	ids[len++] = '[';
	for (size_t k = 0; k < x->nids; k++)
		len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%lld", k ? "," : "",
		                        (long long)x->appeal_ids[k]);
	snprintf(ids + len, sizeof(ids) - len, "]");
	struct alarm_new an = {
	    .kind = kind_names[x->kind],
	    .problem_id = x->problem_id,
	    .topic_id = x->topic_id,
	    .category_id = x->category_id,
	    .territory_id = x->territory_id,
	    .has_point = !isnan(x->lat) && !isnan(x->lon),
	    .lat = x->lat,
	    .lon = x->lon,
	    .observed = x->observed,
	    .expected = x->expected,
	    .window_min = x->window_min,
	    .reason = x->reason,
	    .first_at = x->first_at * 1000,
	    .at = now,
	    .appeal_ids = ids,
	};
	return store_alarm_insert(c, &an, NULL);
}

static int alarms_write(struct store_conn *c, void *arg)
{
	struct alarms_job *j = arg;
	int rc = 0;
	for (size_t i = 0; i < j->nal && !rc; i++)
		rc = alarm_store(c, &j->al[i], j->now);
	/* problem control: each touched problem once (by its last appeal here) */
	for (size_t i = 0; i < j->n && !rc; i++) {
		j->returned[i] = false;
		bool later = false;
		for (size_t k = i + 1; k < j->n && !later; k++)
			later = j->it[k].out_pid == j->it[i].out_pid;
		if (later || !j->it[i].placed)
			continue;
		if (j->it[i].is_open) {
			/* an open appeal keeps its problem unsolved: only a solved one changes (it
			 * comes back), so the common case costs one read, and none for a problem
			 * this placement opened */
			if (!j->it[i].known_pid)
				continue;
			bool solved = false;
			rc = store_problem_solved(c, j->it[i].out_pid, &solved);
			if (rc || !solved)
				continue;
		}
		int64_t before = 0, after = 0;
		rc = store_alarm_returned_count(c, j->it[i].out_pid, &before);
		if (!rc)
			rc = store_problem_state_refresh(c, j->it[i].out_pid, j->now);
		if (!rc)
			rc = store_alarm_returned_count(c, j->it[i].out_pid, &after);
		if (!rc && after > before) {
			j->returned[i] = true;
			rc = alarm_store(c, &j->ret[i], j->now);
		}
	}
	return rc;
}

/* After placement: the detector sees each newly placed appeal; its alarms, the problems' state
 * (solved / returned) and 'returned' alarms are written in one job. */
static void spikes_feed(struct arena *a, const struct place_item *it, size_t n, int64_t now)
{
	if (!n)
		return;
	struct store_conn *c;
	struct idmap au = {0};
	int64_t *ids = arena_alloc(a, n * sizeof(*ids));
	for (size_t i = 0; i < n; i++)
		ids[i] = it[i].appeal_id;
	if (g.sp_ready && !store_conn_get(g.s, &c)) {
		authors_read(c, a, ids, n, &au);
		store_conn_put(g.s, c);
	}
	size_t cap = 4 * n + 4;
	struct alarms_job j = {
	    .al = arena_alloc(a, cap * sizeof(*j.al)),
	    .it = it,
	    .n = n,
	    .returned = arena_alloc(a, n * sizeof(*j.returned)),
	    .ret = arena_alloc(a, n * sizeof(*j.ret)),
	    .now = now,
	};
	struct spike_obs *obs = arena_alloc(a, n * sizeof(*obs));
	for (size_t i = 0; i < n; i++) {
		const struct place_item *x = &it[i];
		obs[i] = (struct spike_obs){
		    .appeal_id = x->appeal_id,
		    .at = x->created_at / 1000,
		    .problem_id = x->out_pid,
		    .topic_id = x->topic_id,
		    .category_id = x->category_id,
		    .territory_id = x->territory_id,
		    .author_id = idmap_get(&au, x->appeal_id),
		    .lat = x->has_point ? x->lat : NAN,
		    .lon = x->has_point ? x->lon : NAN,
		    .sketch = x->sk,
		};
		if (g.sp_ready && x->placed)
			j.nal += spikes_observe(&g.sp, &obs[i], j.al + j.nal, cap - j.nal);
		/* prepared in case the job finds that this appeal brought its problem back */
		spike_returned_alarm(&obs[i], &j.ret[i]);
	}
	idmap_release(&au);
	int rc = store_write(g.s, alarms_write, &j);
	if (rc) {
		log_warn("assist", "{\"alarms\":\"not written\",\"rc\":%d}", rc);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (j.returned[i] && g.sp_ready) { /* a new episode for the problem */
			struct spike_alarm tmp;
			spikes_returned(&g.sp, &obs[i], &tmp);
		}
	for (size_t i = 0; i < j.nal; i++)
		log_info("assist", "{\"alarm\":\"%s\",\"problem\":%lld,\"observed\":%d}",
		         kind_names[j.al[i].kind], (long long)j.al[i].problem_id, j.al[i].observed);
}

/* Places the appeals that have no problem yet. Returns how many were placed. */
static size_t place_pending(void)
{
	struct store_conn *c;
	if (store_conn_get(g.s, &c))
		return 0;
	struct arena a;
	arena_init(&a, 1 << 16);
	struct store_rows r = {0};
	int rc = store_assist_unplaced(c, &a, PLACE_BATCH, &r);
	store_conn_put(g.s, c);
	size_t placed = 0;
	if (rc || !r.nrows)
		goto out;
	struct place_item *it = arena_alloc(&a, r.nrows * sizeof(*it));
	size_t n = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		struct place_item *x = &it[n];
		struct cluster_input in;
		char cat[24], top[24];
		row_input(&r, i, &in, cat, top);
		x->appeal_id = in.ext_id;
		x->topic_id = store_rows_i64(&r, i, 1);
		x->category_id = store_rows_i64(&r, i, 2);
		x->territory_id = store_rows_isnull(&r, i, 3) ? 0 : store_rows_i64(&r, i, 3);
		x->created_at = store_rows_i64(&r, i, 7);
		x->is_open = store_rows_i64(&r, i, 8) != 0;
		x->has_point = !isnan(in.lat);
		x->lat = in.lat;
		x->lon = in.lon;
		spike_sketch(in.text, in.text_len, x->sk);
		/* already in the model (its problem_id was written over meanwhile): same problem */
		x->known_pid = idmap_get(&g.placed, in.ext_id);
		if (!x->known_pid) {
			uint32_t mid = 0;
			if (cluster_assign(&g.cm, &in, &mid))
				continue; /* not UTF-8: impossible for a stored appeal; skip it */
			x->mid = cluster_resolve(&g.cm, mid);
			x->known_pid = pid_get(x->mid);
			x->label = label_of(&a, x->mid);
			const struct cluster *cl = cluster_get(&g.cm, x->mid);
			x->rep = cl ? g.cm.docs[cl->rep].ext_id : x->appeal_id;
		}
		n++;
	}
	struct place_job j = {.it = it, .n = n, .now = clock_now_ms()};
	rc = store_write(g.s, place_write, &j);
	if (rc) {
		/* the model moved on but the database did not: start again from the database */
		log_warn("assist", "placing problems failed (%d): rebuilding the model", rc);
		cm_rebuild();
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!it[i].known_pid)
			pid_set(it[i].mid, it[i].out_pid);
		idmap_put(&g.placed, it[i].appeal_id, it[i].out_pid);
	}
	placed = n;
	__atomic_add_fetch(&g.nplaced, (int64_t)n, __ATOMIC_RELAXED);
	spikes_feed(&a, it, n, j.now);
out:
	arena_release(&a);
	return placed;
}

struct lease_job {
	int64_t now;
	bool held;
};

static int lease_write(struct store_conn *c, void *arg)
{
	struct lease_job *j = arg;
	return store_lease_take(c, "problems", g.node, j->now, LEASE_TTL_MS, &j->held);
}

static int lease_drop_write(struct store_conn *c, void *arg)
{
	(void)arg;
	return store_lease_drop(c, "problems", g.node);
}

static void problems_tick(int64_t now)
{
	if (now - g.lease_at >= LEASE_RENEW_MS || !g.leader) {
		if (!g.leader && now - g.lease_at < LEASE_RENEW_MS)
			return;
		struct lease_job j = {.now = now};
		int rc = store_write(g.s, lease_write, &j);
		g.lease_at = now;
		if (rc || !j.held) {
			if (g.leader)
				log_info("assist", "{\"problems_lease\":\"lost\"}");
			g.leader = false;
			cm_drop();
			return;
		}
		if (!g.leader) {
			log_info("assist", "{\"problems_lease\":\"taken\",\"node\":\"%s\"}",
			         g.node);
			g.leader = true;
			if (cm_rebuild()) {
				g.leader = false;
				cm_drop();
				return;
			}
		}
	}
	/* a coordinator merged or split problems (on any node): reload from the database */
	struct store_conn *c;
	if (!store_conn_get(g.s, &c)) {
		int64_t ed = 0;
		int rc = store_lease_until(c, "problems-edit", &ed);
		store_conn_put(g.s, c);
		if (!rc && ed != g.edit_seen && cm_rebuild())
			return;
	}
	for (int round = 0; round < 40 && place_pending() == PLACE_BATCH; round++)
		if (__atomic_load_n(&g.stop, __ATOMIC_RELAXED))
			break;
}

static void *assist_main(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-assist"); /* for top -H and perf */
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&g.mu);
		if (!g.stop && !g.kick) {
			struct timespec ts = clock_realtime_in(POLL_MS);
			pthread_cond_timedwait(&g.cond, &g.mu, &ts);
		}
		bool stop = g.stop;
		g.kick = false;
		atomic_store(&g.kicked, false);
		pthread_mutex_unlock(&g.mu);
		if (stop)
			break;
		int64_t now = clock_now_ms();
		poll_new();
		swap_fresh();
		if (now - g.topics_at >= TOPICS_REFRESH_MS) {
			topics_refresh();
			g.topics_at = now;
		}
		maybe_retrain(now);
		problems_tick(now);
		/* a short pause even when kicked: appeals arriving meanwhile make one batch */
		struct timespec until = clock_realtime_in(KICK_MIN_MS);
		pthread_mutex_lock(&g.mu);
		while (!g.stop && pthread_cond_timedwait(&g.cond, &g.mu, &until) == 0)
			;
		pthread_mutex_unlock(&g.mu);
	}
	if (g.trainer_on) {
		pthread_join(g.trainer, NULL);
		g.trainer_on = false;
		if (g.fresh) {
			classifier_release(g.fresh);
			free(g.fresh);
			g.fresh = NULL;
		}
	}
	if (g.leader)
		store_write(g.s, lease_drop_write, NULL);
	g.leader = false;
	cm_drop();
	return NULL;
}

int assist_start(struct store *s)
{
	g.s = s;
	g.cparams = train_params(0);
	g.retrain_ms = env_i64("OTKLIK_ASSIST_RETRAIN_S", 600) * 1000;
	g.train_max = env_i64("OTKLIK_ASSIST_TRAIN_MAX", 60000);
	g.index_max = env_i64("OTKLIK_ASSIST_INDEX_MAX", 0);
	g.cluster_days = env_i64("OTKLIK_ASSIST_CLUSTER_DAYS", 30);
	char host[64] = "node";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	snprintf(g.node, sizeof(g.node), "%s/%d/%llx", host, (int)getpid(),
	         (unsigned long long)clock_mono_ns());
	int64_t t0 = clock_now_ms();

	struct topic_info *t = NULL;
	size_t nt = 0;
	int rc = topics_read(s, &t, &nt);
	if (rc)
		return rc;
	if (text_index_init(&g.ix, TEXT_F_WORDS | TEXT_F_BIGRAMS, 22)) {
		topics_free(t, nt);
		return ERR_INTERNAL;
	}
	g.ix_ready = true;
	struct corpus cp = {0};
	rc = history_read(s, &cp, true);
	struct classifier *c = rc ? NULL : train(&cp, t, nt);
	g.last_seen = cp.max_id;
	g.trained = cp.real;
	corpus_release(&cp);
	if (rc) {
		topics_free(t, nt);
		text_index_release(&g.ix);
		idmap_release(&g.indexed);
		g.ix_ready = false;
		return rc;
	}
	pthread_rwlock_wrlock(&g.lock);
	g.cls = c;
	g.topics = t;
	g.ntopics = nt;
	g.ready = true;
	pthread_rwlock_unlock(&g.lock);
	g.trained_at = g.topics_at = clock_now_ms();
	g.stop = false;
	if (pthread_create(&g.thread, NULL, assist_main, NULL)) {
		assist_stop();
		return ERR_INTERNAL;
	}
	g.thread_on = true;
	log_info("assist", "{\"indexed\":%zu,\"trained\":%zu,\"classes\":%u,\"ms\":%lld}",
	         g.history, g.trained, c ? c->nclasses : 0, (long long)(clock_now_ms() - t0));
	return 0;
}

void assist_stop(void)
{
	if (g.thread_on) {
		pthread_mutex_lock(&g.mu);
		g.stop = true;
		pthread_cond_signal(&g.cond);
		pthread_mutex_unlock(&g.mu);
		pthread_join(g.thread, NULL);
		g.thread_on = false;
	}
	pthread_rwlock_wrlock(&g.lock);
	g.ready = false;
	if (g.cls) {
		classifier_release(g.cls);
		free(g.cls);
		g.cls = NULL;
	}
	if (g.ix_ready)
		text_index_release(&g.ix);
	g.ix_ready = false;
	idmap_release(&g.indexed);
	topics_free(g.topics, g.ntopics);
	g.topics = NULL;
	g.ntopics = 0;
	g.history = g.trained = 0;
	g.last_seen = 0;
	pthread_rwlock_unlock(&g.lock);
	/* this thread's workers */
	pthread_once(&tls_once, tls_make_key);
	struct tls *tl = pthread_getspecific(tls_key);
	if (tl) {
		tls_free(tl);
		pthread_setspecific(tls_key, NULL);
	}
}

void assist_appeal_added(int64_t appeal_id)
{
	(void)appeal_id; /* the thread reads every appeal newer than the last one it saw */
	if (atomic_exchange(&g.kicked, true))
		return; /* already kicked and not yet handled: no lock for every submission */
	pthread_mutex_lock(&g.mu);
	g.kick = true;
	pthread_cond_signal(&g.cond);
	pthread_mutex_unlock(&g.mu);
}

void assist_stats_get(struct assist_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_rwlock_rdlock(&g.lock);
	out->running = g.ready;
	out->indexed = g.history;
	out->trained = g.trained;
	out->classes = g.cls ? g.cls->nclasses : 0;
	pthread_rwlock_unlock(&g.lock);
	out->leader = g.leader;
	out->placed = __atomic_load_n(&g.nplaced, __ATOMIC_RELAXED);
}

/* --- suggestions ------------------------------------------------------------------------ */

/* The first max characters of s (whole code points), in a. */
static const char *cut_text(struct arena *a, const char *s, size_t max)
{
	if (!s)
		return "";
	return arena_strndup(a, s, utf8_prefix(s, strlen(s), max));
}

static json_t *opt_int(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_integer(store_rows_i64(r, i, col));
}

static json_t *opt_real(const struct store_rows *r, size_t i, size_t col)
{
	return store_rows_isnull(r, i, col) ? json_null() : json_real(store_rows_f64(r, i, col));
}

static json_t *opt_str(const struct store_rows *r, size_t i, size_t col)
{
	const char *s = store_rows_get(r, i, col);
	return s ? json_string(s) : json_null();
}

struct idset {
	const int64_t *ids;
	size_t n;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool keep_in_set(void *ctx, int64_t id)
{
	const struct idset *s = ctx;
	return bsearch(&id, s->ids, s->n, sizeof(*s->ids), cmp_i64) != NULL;
}

struct cand {
	int64_t id;
	double dist; /* metres, or -1 */
	float score;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

/* Similar documents in the index (best first) among keep; returns the hit count (0 when no
 * index or no text). */
static int index_search(const char *text, size_t len, struct text_hit *out, size_t k,
                        bool (*keep)(void *, int64_t), void *ctx)
{
	struct tls *t = tls_get();
	if (!t || !len)
		return 0;
	pthread_rwlock_rdlock(&g.lock);
	int n = g.ready && g.ix_ready
	            ? text_index_search(&g.ix, &t->ts, text, len, out, k, keep, ctx)
	            : 0;
	pthread_rwlock_unlock(&g.lock);
	return n < 0 ? 0 : n;
}

int assist_search(const char *text, size_t len, struct text_hit *out, size_t k)
{
	return index_search(text, len, out, k, NULL, NULL);
}

static int nearby_json(struct store_conn *c, struct arena *a, const struct assist_query *q,
                       int64_t topic_id, bool has_text, json_t *arr)
{
	struct store_rows r = {0};
	int rc;
	if (q->has_point) {
		double dlat = NEARBY_M / 111320.0;
		double dlon = dlat / fmax(cos(q->lat * M_PI / 180.0), 0.01);
		rc = store_assist_open_in_box(c, a, topic_id, q->lat - dlat, q->lat + dlat,
		                              q->lon - dlon, q->lon + dlon, 1000, &r);
	} else if (q->territory_id) {
		rc = store_assist_open_in_territory(c, a, topic_id, q->territory_id, 200, &r);
	} else {
		return 0;
	}
	if (rc || !r.nrows)
		return rc;
	struct cand *cd = arena_alloc(a, r.nrows * sizeof(*cd));
	int64_t *ids = arena_alloc(a, r.nrows * sizeof(*ids));
	size_t n = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		double d = -1;
		if (q->has_point) {
			if (store_rows_isnull(&r, i, 1) || store_rows_isnull(&r, i, 2))
				continue;
			d = geo_dist_m(q->lat, q->lon, store_rows_f64(&r, i, 1),
			               store_rows_f64(&r, i, 2));
			if (d > NEARBY_M)
				continue;
		}
		cd[n] = (struct cand){.id = store_rows_i64(&r, i, 0), .dist = d};
		ids[n] = cd[n].id;
		n++;
	}
	if (!n)
		return 0;
	qsort(ids, n, sizeof(*ids), cmp_i64);
	if (has_text) {
		struct idset set = {ids, n};
		struct text_hit hits[64];
		int h = index_search(q->text, q->len, hits, 64, keep_in_set, &set);
		for (int k = 0; k < h; k++)
			for (size_t i = 0; i < n; i++)
				if (cd[i].id == hits[k].ext_id)
					cd[i].score = hits[k].score;
	}
	qsort(cd, n, sizeof(*cd), cmp_cand);
	size_t m = n < NEARBY_MAX ? n : NEARBY_MAX;
	for (size_t i = 0; i < m; i++)
		ids[i] = cd[i].id;
	struct store_rows b = {0};
	rc = store_assist_briefs(c, a, ids, m, &b);
	if (rc)
		return rc;
	for (size_t i = 0; i < m; i++)
		for (size_t k = 0; k < b.nrows; k++) {
			if (store_rows_i64(&b, k, 0) != cd[i].id || store_rows_i64(&b, k, 11) == 0)
				continue;
			json_array_append_new(
			    arr,
			    json_pack("{s:I,s:s,s:s,s:o,s:I,s:s,s:I,s:o}", "id",
			              (json_int_t)cd[i].id, "topic_name", store_rows_get(&b, k, 1),
			              "text", cut_text(a, store_rows_get(&b, k, 2), TEXT_CUT),
			              "address", opt_str(&b, k, 3), "created_at",
			              (json_int_t)store_rows_i64(&b, k, 4), "status",
			              store_rows_get(&b, k, 5), "coauthors",
			              (json_int_t)store_rows_i64(&b, k, 6), "distance_m",
			              cd[i].dist < 0 ? json_null()
			                             : json_integer(lround(cd[i].dist))));
		}
	return 0;
}

static int answers_json(struct store_conn *c, struct arena *a, const struct assist_query *q,
                        json_t *arr)
{
	struct text_hit hits[40];
	int h = index_search(q->text, q->len, hits, 40, NULL, NULL);
	if (h <= 0)
		return 0;
	int64_t ids[40];
	for (int i = 0; i < h; i++)
		ids[i] = hits[i].ext_id;
	struct store_rows ans = {0};
	int rc = store_assist_final_answers(c, a, ids, (size_t)h, &ans);
	if (rc || !ans.nrows)
		return rc;
	int64_t chosen[ANSWERS_MAX];
	const char *texts[ANSWERS_MAX];
	size_t m = 0;
	for (int i = 0; i < h && m < ANSWERS_MAX; i++)
		for (size_t k = 0; k < ans.nrows; k++)
			if (store_rows_i64(&ans, k, 0) == ids[i]) {
				chosen[m] = ids[i];
				texts[m++] = store_rows_get(&ans, k, 1);
				break;
			}
	struct store_rows b = {0};
	rc = store_assist_briefs(c, a, chosen, m, &b);
	if (rc)
		return rc;
	for (size_t i = 0; i < m; i++) {
		const char *tn = "";
		for (size_t k = 0; k < b.nrows; k++)
			if (store_rows_i64(&b, k, 0) == chosen[i])
				tn = store_rows_get(&b, k, 1);
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "appeal_id",
		                                     (json_int_t)chosen[i], "topic_name", tn,
		                                     "text", texts[i] ? texts[i] : ""));
	}
	return 0;
}

/* Letters and digits in the text: below 3 it is too short to suggest from. */
static size_t text_weight(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k)
			break;
		i += k;
		if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= 'a' && cp <= 'z') || (cp >= 0x400 && cp <= 0x4FF))
			w++;
	}
	return w;
}

int assist_suggest(struct store *s, struct arena *a, const struct assist_query *q, json_t **out,
                   struct problem *p)
{
	bool has_text = q->len && text_weight(q->text, q->len) >= 3;
	json_t *topics = json_array();
	int64_t best = q->topic_id;
	const char *hint = NULL;
	bool topic_known = !q->topic_id;

	struct tls *t = tls_get();
	pthread_rwlock_rdlock(&g.lock);
	if (q->topic_id) {
		const struct topic_info *ti = topic_find(q->topic_id);
		if (ti) {
			topic_known = true;
			hint = ti->hint ? arena_strdup(a, ti->hint) : NULL;
		}
	}
	if (has_text && t && g.ready && g.cls && g.cls->nclasses) {
		struct classifier_score sc[12];
		int k = classifier_predict(g.cls, &t->cw, q->text, q->len, sc, 12);
		for (int i = 0, m = 0; i < k && m < 3; i++) {
			const struct topic_info *ti = topic_find(strtoll(sc[i].label, NULL, 10));
			if (!ti || !ti->active)
				continue;
			json_array_append_new(topics,
			                      json_pack("{s:I,s:s,s:I,s:f}", "topic_id",
			                                (json_int_t)ti->id, "topic_name", ti->name,
			                                "category_id", (json_int_t)ti->category_id,
			                                "prob", (double)sc[i].prob));
			if (!best) {
				best = ti->id;
				hint = ti->hint ? arena_strdup(a, ti->hint) : NULL;
			}
			m++;
		}
	}
	bool ready = g.ready;
	pthread_rwlock_unlock(&g.lock);

	struct store_conn *c = NULL;
	int rc = 0;
	if (!ready && q->topic_id) { /* no engine: the rubricator straight from the database */
		struct topic_info *ts;
		size_t nt;
		rc = topics_read(s, &ts, &nt);
		if (!rc)
			for (size_t i = 0; i < nt; i++)
				if (ts[i].id == q->topic_id) {
					topic_known = true;
					hint = ts[i].hint ? arena_strdup(a, ts[i].hint) : NULL;
				}
		if (!rc)
			topics_free(ts, nt);
	}
	if (!rc && !topic_known) {
		json_decref(topics);
		p->message = "Тема не найдена";
		p->field = "topic_id";
		return ERR_VALIDATION;
	}
	json_t *org = json_null(), *nearby = json_array(), *answers = json_array();
	if (!rc && best && (q->territory_id || q->has_point)) {
		struct route_result rr;
		struct problem rp = {0};
		if (!registry_resolve(s, a, best, q->territory_id, q->has_point, q->lat, q->lon,
		                      &rr, &rp) &&
		    rr.org_id) {
			json_t *o = NULL;
			if (!registry_get(s, a, &registry_orgs, rr.org_id, &o, &rp)) {
				json_t *name = json_object_get(o, "name");
				json_decref(org);
				org = json_pack("{s:I,s:s,s:s}", "org_id", (json_int_t)rr.org_id,
				                "org_name",
				                json_is_string(name) ? json_string_value(name) : "",
				                "reason", rr.reason ? rr.reason : "");
			}
			json_decref(o);
		}
	}
	if (!rc && (best || has_text))
		rc = store_conn_get(s, &c);
	if (!rc && c && best)
		rc = nearby_json(c, a, q, best, has_text, nearby);
	if (!rc && c && has_text)
		rc = answers_json(c, a, q, answers);
	if (c)
		store_conn_put(s, c);
	if (rc) {
		json_decref(topics);
		json_decref(org);
		json_decref(nearby);
		json_decref(answers);
		return rc;
	}
	*out =
	    json_pack("{s:o,s:o,s:o,s:o,s:o}", "topics", topics, "org", org, "hint",
	              hint ? json_string(hint) : json_null(), "nearby", nearby, "answers", answers);
	return 0;
}

int assist_similar(struct store *s, struct arena *a, const struct actor *who,
                   const struct appeal *ap, json_t **out)
{
	struct text_hit hits[60];
	int h = index_search(ap->text, ap->text ? strlen(ap->text) : 0, hits, 60, NULL, NULL);
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	json_t *items = json_array();
	int64_t ids[SIMILAR_MAX];
	float scores[SIMILAR_MAX];
	size_t m = 0;
	for (int i = 0; i < h && m < SIMILAR_MAX && !rc; i++) {
		if (hits[i].ext_id == ap->id)
			continue;
		struct appeal other;
		rc = appeal_load(c, a, hits[i].ext_id, &other);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		unsigned rights = 0;
		if (!rc)
			rc = appeal_rights(c, who, &other, &rights);
		if (!rc && (rights & AR_STAFF)) {
			ids[m] = other.id;
			scores[m++] = hits[i].score;
		}
	}
	struct store_rows b = {0}, ans = {0};
	if (!rc && m)
		rc = store_assist_briefs(c, a, ids, m, &b);
	if (!rc && m)
		rc = store_assist_final_answers(c, a, ids, m, &ans);
	for (size_t i = 0; !rc && i < m; i++) {
		const char *answer = NULL;
		for (size_t k = 0; k < ans.nrows && !answer; k++)
			if (store_rows_i64(&ans, k, 0) == ids[i])
				answer = store_rows_get(&ans, k, 1);
		for (size_t k = 0; k < b.nrows; k++)
			if (store_rows_i64(&b, k, 0) == ids[i])
				json_array_append_new(
				    items,
				    json_pack("{s:I,s:s,s:s,s:s,s:f,s:o}", "id", (json_int_t)ids[i],
				              "status", store_rows_get(&b, k, 5), "topic_name",
				              store_rows_get(&b, k, 1), "text",
				              cut_text(a, store_rows_get(&b, k, 2), TEXT_CUT),
				              "score", round((double)scores[i] * 1000) / 1000,
				              "answer",
				              answer ? json_string(answer) : json_null()));
	}
	store_conn_put(s, c);
	if (rc) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

/* --- problems API ----------------------------------------------------------------------- */

void assist_problem_scope(struct arena *a, const struct actor *who, bool executors,
                          struct problem_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (who->roles & ROLE_ADMIN) {
		sc->all = true;
		return;
	}
	int64_t *tt = arena_alloc(a, (who->ngrants + 1) * sizeof(*tt));
	int64_t *so = arena_alloc(a, (who->ngrants + 1) * sizeof(*so));
	int64_t *eo = arena_alloc(a, (who->ngrants + 1) * sizeof(*eo));
	for (size_t i = 0; i < who->ngrants; i++) {
		const struct grant *gr = &who->grants[i];
		if (gr->role == ROLE_COORDINATOR && gr->territory_id)
			tt[sc->nterritories++] = gr->territory_id;
		else if (gr->role == ROLE_SUPERVISOR && gr->org_id)
			so[sc->nsup_orgs++] = gr->org_id;
		else if (executors && gr->role == ROLE_EXECUTOR && gr->org_id)
			eo[sc->nexec_orgs++] = gr->org_id;
	}
	sc->territories = tt;
	sc->sup_orgs = so;
	sc->exec_orgs = eo;
}

static json_t *problem_json(struct arena *a, const struct store_rows *r, size_t i)
{
	return json_pack(
	    "{s:I,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o}", "id",
	    (json_int_t)store_rows_i64(r, i, 0), "label",
	    store_rows_get(r, i, 1) ? store_rows_get(r, i, 1) : "", "size",
	    (json_int_t)store_rows_i64(r, i, 2), "topic_id", opt_int(r, i, 3), "topic_name",
	    opt_str(r, i, 4), "category_id", opt_int(r, i, 5), "lat", opt_real(r, i, 6), "lon",
	    opt_real(r, i, 7), "territory_id", opt_int(r, i, 8), "first_at", opt_int(r, i, 9),
	    "last_at", opt_int(r, i, 10), "rep_appeal_id", opt_int(r, i, 11), "rep_text",
	    cut_text(a, store_rows_get(r, i, 12), TEXT_CUT), "status", store_rows_get(r, i, 13),
	    "merged_into", opt_int(r, i, 14), "split_from", opt_int(r, i, 15));
}

int assist_problem_list(struct store *s, struct arena *a, const struct actor *who,
                        const struct problem_query *q, json_t **out)
{
	struct problem_scope sc;
	assist_problem_scope(a, who, true, &sc);
	struct problem_filter f = {
	    .territory_id = q->territory_id,
	    .category_id = q->category_id,
	    .topic_id = q->topic_id,
	    .status = q->status,
	    .by_size = q->by_size,
	    .limit = q->limit,
	    .offset = q->offset,
	};
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct store_rows r = {0};
	int64_t total = 0;
	rc = store_problems_list(c, a, &sc, &f, &r, &total);
	store_conn_put(s, c);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < r.nrows; i++)
		json_array_append_new(items, problem_json(a, &r, i));
	*out = json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total);
	return 0;
}

/* The problem as the caller sees it (ERR_NOTFOUND outside the scope). */
static int problem_load(struct store_conn *c, struct arena *a, const struct actor *who, int64_t id,
                        json_t **out)
{
	struct problem_scope sc;
	assist_problem_scope(a, who, true, &sc);
	struct problem_filter f = {.id = id, .limit = 1};
	struct store_rows r = {0};
	int64_t total = 0;
	int rc = store_problems_list(c, a, &sc, &f, &r, &total);
	if (rc)
		return rc;
	if (!r.nrows)
		return ERR_NOTFOUND;
	json_t *pj = problem_json(a, &r, 0);
	struct store_rows ap = {0}, bodies = {0};
	rc = store_problem_appeals(c, a, id, 200, &ap);
	if (!rc)
		rc = store_problem_bodies(c, a, id, &bodies);
	if (rc) {
		json_decref(pj);
		return rc;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < ap.nrows; i++)
		json_array_append_new(
		    arr,
		    json_pack(
		        "{s:I,s:s,s:I,s:s,s:o,s:o,s:I,s:s,s:o,s:o,s:o,s:I}", "id",
		        (json_int_t)store_rows_i64(&ap, i, 0), "status", store_rows_get(&ap, i, 1),
		        "topic_id", (json_int_t)store_rows_i64(&ap, i, 2), "topic_name",
		        store_rows_get(&ap, i, 3), "org_id", opt_int(&ap, i, 4), "org_name",
		        opt_str(&ap, i, 5), "territory_id", (json_int_t)store_rows_i64(&ap, i, 6),
		        "text", cut_text(a, store_rows_get(&ap, i, 7), TEXT_CUT), "address",
		        opt_str(&ap, i, 8), "lat", opt_real(&ap, i, 9), "lon", opt_real(&ap, i, 10),
		        "created_at", (json_int_t)store_rows_i64(&ap, i, 11)));
	json_object_set_new(pj, "appeals", arr);
	json_t *bs = json_array();
	for (size_t i = 0; i < bodies.nrows; i++)
		json_array_append_new(bs, json_pack("{s:I,s:s,s:I}", "org_id",
		                                    (json_int_t)store_rows_i64(&bodies, i, 0),
		                                    "org_name", store_rows_get(&bodies, i, 1),
		                                    "appeals",
		                                    (json_int_t)store_rows_i64(&bodies, i, 2)));
	json_object_set_new(pj, "bodies", bs);
	*out = pj;
	return 0;
}

int assist_problem_get(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                       json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = problem_load(c, a, who, id, out);
	store_conn_put(s, c);
	return rc;
}

/* May who change problem id (coordinator of its territory, or admin)? 0, ERR_NOTFOUND (unknown
 * or invisible), ERR_FORBIDDEN (visible but not theirs), ERR_CONFLICT (merged away). */
static int problem_editable(struct store_conn *c, struct arena *a, const struct actor *who,
                            int64_t id, struct problem *p)
{
	struct store_rows r = {0};
	int rc = store_problem_row(c, a, id, &r);
	if (rc)
		return rc;
	bool ok = false;
	int64_t terr = store_rows_isnull(&r, 0, 1) ? 0 : store_rows_i64(&r, 0, 1);
	rc = perm_territory_scope(c, who, ROLE_COORDINATOR, terr, &ok);
	if (rc)
		return rc;
	if (!ok) {
		/* invisible problems are not confirmed to exist */
		struct problem_scope sc;
		assist_problem_scope(a, who, true, &sc);
		struct problem_filter f = {.id = id, .limit = 1};
		struct store_rows v = {0};
		int64_t total = 0;
		rc = store_problems_list(c, a, &sc, &f, &v, &total);
		if (rc)
			return rc;
		if (!total)
			return ERR_NOTFOUND;
		p->message = "Объединять и разделять проблемы может координатор их территории";
		return ERR_FORBIDDEN;
	}
	if (!store_rows_isnull(&r, 0, 2)) {
		p->message = arena_printf(a, "Проблема уже объединена с проблемой %s",
		                          store_rows_get(&r, 0, 2));
		return ERR_CONFLICT;
	}
	return 0;
}

struct edit_job {
	const struct actor *who;
	struct arena *a;
	int64_t id, other;
	const int64_t *ids;
	size_t n;
	int64_t now;
	int64_t new_id; /* split */
};

static int merge_write(struct store_conn *c, void *arg)
{
	struct edit_job *j = arg;
	int rc = store_problem_merge(c, j->id, j->other, j->now);
	if (!rc)
		rc = store_problems_edited(c, j->now);
	if (!rc) {
		json_t *after = json_pack("{s:I,s:I}", "merged", (json_int_t)j->other, "into",
		                          (json_int_t)j->id);
		rc = audit_record(c, j->who, "problem.merge", "problems", j->id, NULL, after);
		json_decref(after);
	}
	return rc;
}

static int split_write(struct store_conn *c, void *arg)
{
	struct edit_job *j = arg;
	struct arena a;
	arena_init(&a, 4096);
	int rc = store_problem_split(c, &a, j->id, j->ids, j->n, j->now, &j->new_id);
	arena_release(&a);
	if (!rc)
		rc = store_problems_edited(c, j->now);
	if (!rc) {
		json_t *ids = json_array();
		for (size_t i = 0; i < j->n; i++)
			json_array_append_new(ids, json_integer(j->ids[i]));
		json_t *after = json_pack("{s:I,s:I,s:o}", "split_from", (json_int_t)j->id,
		                          "new_id", (json_int_t)j->new_id, "appeal_ids", ids);
		rc = audit_record(c, j->who, "problem.split", "problems", j->new_id, NULL, after);
		json_decref(after);
	}
	return rc;
}

static void kick(void)
{
	pthread_mutex_lock(&g.mu);
	g.kick = true;
	pthread_cond_signal(&g.cond);
	pthread_mutex_unlock(&g.mu);
}

int assist_problem_merge(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         int64_t other_id, json_t **out, struct problem *p)
{
	if (other_id == id) {
		p->message = "Нельзя объединить проблему саму с собой";
		p->field = "other_id";
		return ERR_VALIDATION;
	}
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = problem_editable(c, a, who, id, p);
	if (!rc) {
		struct problem p2 = {0};
		rc = problem_editable(c, a, who, other_id, &p2);
		if (rc == ERR_NOTFOUND) {
			p->message = "Проблема для объединения не найдена";
			p->field = "other_id";
			rc = ERR_VALIDATION;
		} else if (rc) {
			*p = p2;
		}
	}
	store_conn_put(s, c);
	if (rc)
		return rc;
	struct edit_job j = {
	    .who = who, .a = a, .id = id, .other = other_id, .now = clock_now_ms()};
	rc = store_write(s, merge_write, &j);
	if (rc)
		return rc;
	kick();
	return assist_problem_get(s, a, who, id, out);
}

int assist_problem_split(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         const int64_t *appeal_ids, size_t n, json_t **out, struct problem *p)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = problem_editable(c, a, who, id, p);
	int64_t members = 0, size = 0;
	if (!rc)
		rc = store_problem_count_members(c, a, id, appeal_ids, n, &members);
	if (!rc)
		rc = store_problem_count_members(c, a, id, NULL, 0, &size);
	store_conn_put(s, c);
	if (rc)
		return rc;
	if ((size_t)members != n) {
		p->message = "Не все обращения входят в эту проблему";
		p->field = "appeal_ids";
		return ERR_VALIDATION;
	}
	if (members >= size) {
		p->message = "В проблеме должно остаться хотя бы одно обращение";
		p->field = "appeal_ids";
		return ERR_VALIDATION;
	}
	struct edit_job j = {
	    .who = who, .a = a, .id = id, .ids = appeal_ids, .n = n, .now = clock_now_ms()};
	rc = store_write(s, split_write, &j);
	if (rc)
		return rc;
	kick();
	return assist_problem_get(s, a, who, j.new_id, out);
}
