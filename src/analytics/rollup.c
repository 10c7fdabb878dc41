/* rollup.c: the rollup worker (docs/analytics.md). Every OTKLIK_ROLLUP_MS (200 ms) the node
 * holding the "analytics" lease reads timeline events above the cursor, recomputes the facts of
 * their appeals and adds the differences to the cells, and moves the cursor — in one write job,
 * so a crash or a change of node never counts anything twice. Event ids may commit out of order
 * on PostgreSQL: a gap below the highest id read holds the cursor for up to HOLE_WAIT_MS. */
#include "analytics/rollup.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/analytics.h"
#include "store/problems.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEASE_TTL_MS    15000
#define LEASE_RENEW_MS  5000
#define REBUILD_TTL_MS  (6 * 3600 * 1000LL)
#define HOLE_WAIT_MS    10000
#define HOLES_MAX       4096
#define EVENTS_PER_PASS 256

struct hole {
	int64_t id, seen_at;
};

static struct {
	struct store *s;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop;
	int64_t interval_ms;
	char node[96];
	int64_t lease_until;
	struct hole *holes;
	size_t nholes;
	bool leader; /* held the lease on the last pass */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct lease_job {
	int64_t now, ttl;
	bool held;
};

static int lease_write(struct store_conn *c, void *arg)
{
	struct lease_job *j = arg;
	return store_lease_take(c, "analytics", g.node, j->now, j->ttl, &j->held);
}

static bool lease_hold(struct store *s, int64_t ttl)
{
	int64_t now = clock_now_ms();
	if (ttl == LEASE_TTL_MS && g.lease_until - now > LEASE_TTL_MS - LEASE_RENEW_MS)
		return true;
	struct lease_job j = {now, ttl, false};
	if (store_write(s, lease_write, &j) || !j.held) {
		g.lease_until = 0;
		return false;
	}
	g.lease_until = now + ttl;
	return true;
}

struct apply_job {
	const int64_t *ids;
	size_t n;
	int64_t cursor, now;
};

static int apply_write(struct store_conn *c, void *arg)
{
	struct apply_job *j = arg;
	struct arena a;
	arena_init(&a, 1u << 16);
	int rc = store_stat_refresh_appeals(c, &a, j->ids, j->n, j->now);
	if (!rc)
		rc = store_stat_set_cursor(c, j->cursor, true);
	arena_release(&a);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Notes the ids missing between cursor and the ids read; returns the new cursor: the highest
 * id read, or just below the oldest gap still worth waiting for. */
static int64_t settle(int64_t cursor, const struct store_rows *r, int64_t now)
{
	/* ids read fill their holes */
	size_t k = 0;
	for (size_t i = 0; i < g.nholes; i++) {
		bool filled = false;
		for (size_t j = 0; j < r->nrows && !filled; j++)
			filled = store_rows_i64(r, j, 1) == g.holes[i].id;
		if (!filled && now - g.holes[i].seen_at < HOLE_WAIT_MS && g.holes[i].id > cursor)
			g.holes[k++] = g.holes[i];
	}
	g.nholes = k;
	int64_t expect = cursor + 1, max = cursor;
	for (size_t j = 0; j < r->nrows; j++) {
		int64_t id = store_rows_i64(r, j, 1);
		for (int64_t h = expect; h < id && g.nholes < HOLES_MAX; h++) {
			bool known = false;
			for (size_t i = 0; i < g.nholes && !known; i++)
				known = g.holes[i].id == h;
			if (!known) {
				g.holes = xrealloc(g.holes, (g.nholes + 1) * sizeof(*g.holes));
				g.holes[g.nholes++] = (struct hole){h, now};
			}
		}
		if (id >= expect)
			expect = id + 1;
		if (id > max)
			max = id;
	}
	int64_t lowest = max + 1;
	for (size_t i = 0; i < g.nholes; i++)
		if (g.holes[i].id < lowest)
			lowest = g.holes[i].id;
	return lowest <= max ? lowest - 1 : max;
}

/* One pass: takes the lease, builds if never built, applies every pending event. *applied
 * counts the appeals refreshed. */
static int rollup_pass(struct store *s, int64_t *applied)
{
	*applied = 0;
	if (!lease_hold(s, LEASE_TTL_MS)) {
		g.leader = false;
		return 0;
	}
	g.leader = true;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	int64_t cursor = 0;
	bool built = false;
	rc = store_stat_state(c, &cursor, &built);
	if (!rc && !built) {
		store_conn_put(s, c);
		c = NULL;
		if (!lease_hold(s, REBUILD_TTL_MS))
			return 0;
		int64_t n = 0;
		double secs = 0;
		rc = store_stat_rebuild(s, false, &n, &secs);
		g.lease_until = 0; /* back to the normal lease on the next pass */
		if (!rc)
			log_info("rollup", "{\"built_from\":%lld,\"seconds\":%.1f}", (long long)n,
			         secs);
		return rc;
	}
	while (!rc) {
		struct arena a;
		arena_init(&a, 1u << 16);
		struct store_rows r;
		rc = store_stat_events_after(c, &a, cursor, EVENTS_PER_PASS, &r);
		if (rc || !r.nrows) {
			arena_release(&a);
			break;
		}
		int64_t now = clock_now_ms();
		int64_t next = settle(cursor, &r, now);
		int64_t *ids = xmalloc(r.nrows * sizeof(*ids));
		for (size_t i = 0; i < r.nrows; i++)
			ids[i] = store_rows_i64(&r, i, 0);
		qsort(ids, r.nrows, sizeof(*ids), cmp_i64);
		size_t n = 0;
		for (size_t i = 0; i < r.nrows; i++)
			if (!n || ids[i] != ids[n - 1])
				ids[n++] = ids[i];
		struct apply_job j = {ids, n, next, now};
		rc = store_write(s, apply_write, &j);
		free(ids);
		bool more = r.nrows == EVENTS_PER_PASS && next > cursor;
		arena_release(&a);
		if (!rc)
			*applied += (int64_t)n;
		if (!more || next == cursor)
			break;
		cursor = next;
	}
	if (c)
		store_conn_put(s, c);
	return rc;
}

static void *worker(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-rollup"); /* for top -H and perf */
	(void)arg;
	pthread_mutex_lock(&g.mu);
	while (!g.stop) {
		pthread_mutex_unlock(&g.mu);
		int64_t applied = 0;
		int rc = rollup_pass(g.s, &applied);
		if (rc)
			log_warn("rollup", "{\"pass_failed\":\"%s\"}", err_code(rc));
		pthread_mutex_lock(&g.mu);
		if (g.stop)
			break;
		struct timespec ts = clock_realtime_in(rc ? 2000 : g.interval_ms);
		pthread_cond_timedwait(&g.cv, &g.mu, &ts);
	}
	pthread_mutex_unlock(&g.mu);
	return NULL;
}

int rollup_start(struct store *s)
{
	g.s = s;
	const char *e = getenv("OTKLIK_ROLLUP_MS");
	g.interval_ms = e && atoll(e) > 0 ? atoll(e) : 200;
	char host[64] = "node";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	snprintf(g.node, sizeof(g.node), "%s/%d/%llx", host, (int)getpid(),
	         (unsigned long long)clock_mono_ns());
	g.stop = false;
	if (pthread_create(&g.th, NULL, worker, NULL))
		return ERR_INTERNAL;
	g.running = true;
	return 0;
}

static int drop_write(struct store_conn *c, void *arg)
{
	(void)arg;
	return store_lease_drop(c, "analytics", g.node);
}

void rollup_stop(void)
{
	if (!g.running)
		return;
	pthread_mutex_lock(&g.mu);
	g.stop = true;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	pthread_join(g.th, NULL);
	g.running = false;
	if (g.leader)
		store_write(g.s, drop_write, NULL);
	free(g.holes);
	g.holes = NULL;
	g.nholes = 0;
}
