/* resolve.c: the competence resolver: topic × territory (× point in polygon) → organisation.
 * Most specific rule wins: topic beats category beats "any topic"; then the deepest territory
 * (a rule without territory is the shallowest); ties go to the oldest rule. */
#include "registry/registry.h"
#include "core/err.h"
#include "core/mem.h"
#include "registry/geo.h"
#include "store/entity.h"
#include "store/users.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

/* Territory polygons, cached per registry version (shared by threads, rebuilt on change). */
struct poly_entry {
	int64_t id, parent_id;
	size_t depth; /* length of its chain of ancestors, itself included */
	struct geo_shape *shape;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct poly_entry *cache;
static size_t cache_n;
static int64_t cache_version = -1;
static uint64_t cache_owner; /* store_serial */

static void cache_clear(void)
{
	for (size_t i = 0; i < cache_n; i++)
		geo_shape_free(cache[i].shape);
	free(cache);
	cache = NULL;
	cache_n = 0;
}

/* Ancestors of t (t first), up to MAX_DEPTH: one query. */
static int chain_of(struct store_conn *c, int64_t t, int64_t *chain, size_t *n)
{
	*n = 0;
	return t ? store_territory_chain(c, t, chain, MAX_DEPTH, n) : 0;
}

/* version: the registry version as the caller just read it, or -1 (then it is read here). */
static int cache_refresh(struct store_conn *c, struct arena *a, uint64_t owner, int64_t version)
{
	int rc = version < 0 ? store_registry_version(c, &version) : 0;
	if (rc)
		return rc;
	if (version == cache_version && owner == cache_owner)
		return 0;
	struct store_rows r;
	rc = store_territory_polygons(c, a, &r);
	if (rc)
		return rc;
	cache_clear();
	cache = xcalloc(r.nrows ? r.nrows : 1, sizeof(*cache));
	for (size_t i = 0; i < r.nrows; i++) {
		const char *g = store_rows_get(&r, i, 2);
		struct geo_shape *shape;
		if (geo_shape_parse(g, strlen(g), &shape))
			continue;
		int64_t chain[MAX_DEPTH];
		size_t depth = 0;
		rc = chain_of(c, store_rows_i64(&r, i, 0), chain, &depth);
		if (rc) {
			geo_shape_free(shape);
			cache_clear();
			cache_version = -1;
			return rc;
		}
		cache[cache_n].depth = depth;
		cache[cache_n].id = store_rows_i64(&r, i, 0);
		cache[cache_n].parent_id = store_rows_i64(&r, i, 1);
		cache[cache_n].shape = shape;
		cache_n++;
	}
	cache_version = version;
	cache_owner = owner;
	return 0;
}

int registry_territory_at(struct store_conn *c, struct arena *a, double lat, double lon,
                          int64_t version, int64_t *out)
{
	*out = 0;
	pthread_mutex_lock(&cache_lock);
	int rc = cache_refresh(c, a, store_serial(store_conn_store(c)), version);
	size_t best_depth = 0;
	for (size_t i = 0; !rc && i < cache_n; i++) {
		if (cache[i].depth > best_depth && geo_shape_contains(cache[i].shape, lat, lon)) {
			best_depth = cache[i].depth;
			*out = cache[i].id;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

int registry_resolve_conn(struct store_conn *c, struct arena *a, int64_t topic_id,
                          int64_t territory_id, bool has_point, double lat, double lon,
                          struct route_result *out, struct problem *p)
{
	memset(out, 0, sizeof(*out));
	int64_t category_id = 0;
	int rc = store_topic_category(c, topic_id, &category_id);
	if (rc == ERR_NOTFOUND) {
		p->message = "Тема не найдена";
		p->field = "topic_id";
		return ERR_VALIDATION;
	}
	if (rc)
		return rc;
	int64_t chain[MAX_DEPTH];
	size_t n = 0;
	if (territory_id) { /* its chain also tells that it exists */
		rc = chain_of(c, territory_id, chain, &n);
		if (rc)
			return rc;
		if (!n) {
			p->message = "Территория не найдена";
			p->field = "territory_id";
			return ERR_VALIDATION;
		}
	}
	if (has_point) {
		int64_t at = 0;
		rc = registry_territory_at(c, a, lat, lon, -1, &at);
		if (rc)
			return rc;
		if (at && at != territory_id) {
			territory_id = at;
			rc = chain_of(c, territory_id, chain, &n);
			if (rc)
				return rc;
		}
	}
	out->territory_id = territory_id;
	struct store_rows r;
	rc = store_rules_for_topic(c, a, topic_id, category_id, &r);
	if (rc)
		return rc;
	long best = -1;
	size_t best_i = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		int64_t rt = store_rows_i64(&r, i, 4);
		long tdepth = 0; /* 0 = any territory; else depth from the root (1 = root) */
		if (rt) {
			size_t k;
			for (k = 0; k < n && chain[k] != rt; k++)
				;
			if (k == n)
				continue; /* the rule's territory does not contain ours */
			tdepth = (long)(n - k);
		}
		long spec = store_rows_i64(&r, i, 2) ? 2 : store_rows_i64(&r, i, 3) ? 1 : 0;
		long score = spec * 1000 + tdepth;
		if (score > best ||
		    (score == best && store_rows_i64(&r, i, 0) < store_rows_i64(&r, best_i, 0))) {
			best = score;
			best_i = i;
		}
	}
	if (best < 0) {
		out->reason =
		    "Нет правила компетенции для этой темы и территории: обращение попадёт "
		    "в очередь координатора территории";
		return 0;
	}
	out->rule_id = store_rows_i64(&r, best_i, 0);
	out->org_id = store_rows_i64(&r, best_i, 5);
	long spec = best / 1000;
	out->reason =
	    arena_printf(a, "Правило «%s»: %s, %s → %s", store_rows_get(&r, best_i, 1),
	                 spec == 2   ? "по теме"
	                 : spec == 1 ? "по категории темы"
	                             : "для любых тем",
	                 store_rows_i64(&r, best_i, 4) ? "для территории обращения или вышестоящей"
	                                               : "для любой территории",
	                 store_rows_get(&r, best_i, 6));
	return 0;
}

int registry_resolve(struct store *s, struct arena *a, int64_t topic_id, int64_t territory_id,
                     bool has_point, double lat, double lon, struct route_result *out,
                     struct problem *p)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = registry_resolve_conn(c, a, topic_id, territory_id, has_point, lat, lon, out, p);
	store_conn_put(s, c);
	return rc;
}
