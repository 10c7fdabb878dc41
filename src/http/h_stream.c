/* h_stream.c: GET /api/analytics/stream — server-sent events for an open dashboard: each new
 * appeal inside the filter (ids and dimensions only, no text) and each new alarm. The source is
 * polled from the database every second, so every node's streams see what any node wrote.
 * Ids of appeals may commit out of order on PostgreSQL: each poll looks a little below the
 * highest id sent and skips the ids it has already handled. */
#include "http/h_stream.h"
#include "http/h_analytics.h"
#include "analytics/dashboard.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEEN_MAX     1024 /* ids handled recently */
#define LOOK_BACK    256  /* how far below the highest id each poll looks */
#define POLL_APPEALS 500
#define POLL_ALARMS  100

struct terr_memo {
	int64_t id;
	bool inside;
};

struct live {
	struct store *s;
	struct stat_key key;
	int64_t floor; /* appeals up to this id existed before the stream: never sent */
	int64_t last_appeal, last_alarm;
	int64_t seen[SEEN_MAX];
	size_t nseen, seen_at;
	struct terr_memo *memo;
	size_t nmemo;
};

static void live_free(void *ctx)
{
	struct live *l = ctx;
	free(l->memo);
	free(l);
}

static bool seen(struct live *l, int64_t id)
{
	for (size_t i = 0; i < l->nseen; i++)
		if (l->seen[i] == id)
			return true;
	return false;
}

static void mark_seen(struct live *l, int64_t id)
{
	l->seen[l->seen_at] = id;
	l->seen_at = (l->seen_at + 1) % SEEN_MAX;
	if (l->nseen < SEEN_MAX)
		l->nseen++;
}

/* Whether territory t is the filter's territory or below it (memoised per stream). */
static int inside(struct live *l, struct store_conn *c, int64_t t, bool *out)
{
	if (!l->key.territory_id) {
		*out = true;
		return 0;
	}
	for (size_t i = 0; i < l->nmemo; i++)
		if (l->memo[i].id == t) {
			*out = l->memo[i].inside;
			return 0;
		}
	int64_t chain[16];
	size_t n = 0;
	int rc = store_territory_chain(c, t, chain, 16, &n);
	if (rc)
		return rc;
	bool in = false;
	for (size_t i = 0; i < n; i++)
		in = in || chain[i] == l->key.territory_id;
	if (l->nmemo < 4096) {
		l->memo = xrealloc(l->memo, (l->nmemo + 1) * sizeof(*l->memo));
		l->memo[l->nmemo++] = (struct terr_memo){t, in};
	}
	*out = in;
	return 0;
}

static bool matches(const struct live *l, int64_t cat, int64_t topic, int64_t org)
{
	return (!l->key.category_id || l->key.category_id == cat) &&
	       (!l->key.topic_id || l->key.topic_id == topic) &&
	       (!l->key.org_id || l->key.org_id == org);
}

static void event(struct buf *out, const struct live *l, const char *name, json_t *data)
{
	char *s = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (!s)
		return;
	buf_printf(out, "id: %lld:%lld\nevent: %s\ndata: %s\n\n", (long long)l->last_appeal,
	           (long long)l->last_alarm, name, s);
	free(s);
}

static json_t *num_or_null(const struct store_rows *r, size_t i, size_t col, bool real)
{
	if (store_rows_isnull(r, i, col))
		return json_null();
	return real ? json_real(store_rows_f64(r, i, col))
	            : json_integer(store_rows_i64(r, i, col));
}

static int poll_appeals(struct live *l, struct store_conn *c, struct arena *a, struct buf *out)
{
	struct store_rows r;
	int64_t from =
	    l->last_appeal - LOOK_BACK > l->floor ? l->last_appeal - LOOK_BACK : l->floor;
	int rc = store_live_appeals_after(c, a, from, POLL_APPEALS, &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		int64_t id = store_rows_i64(&r, i, 0);
		if (seen(l, id))
			continue;
		mark_seen(l, id);
		if (id > l->last_appeal)
			l->last_appeal = id;
		bool in = false;
		rc = inside(l, c, store_rows_i64(&r, i, 2), &in);
		if (rc || !in ||
		    !matches(l, store_rows_i64(&r, i, 3), store_rows_i64(&r, i, 4),
		             store_rows_i64(&r, i, 5)))
			continue;
		event(out, l, "appeal",
		      json_pack("{sI sI sI sI sI so}", "id", (json_int_t)id, "created_at",
		                (json_int_t)store_rows_i64(&r, i, 1), "territory_id",
		                (json_int_t)store_rows_i64(&r, i, 2), "category_id",
		                (json_int_t)store_rows_i64(&r, i, 3), "topic_id",
		                (json_int_t)store_rows_i64(&r, i, 4), "org_id",
		                num_or_null(&r, i, 5, false)));
	}
	return rc;
}

static int poll_alarms(struct live *l, struct store_conn *c, struct arena *a, struct buf *out)
{
	struct store_rows r;
	int rc = store_live_alarms_after(c, a, l->last_alarm, POLL_ALARMS, &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		l->last_alarm = store_rows_i64(&r, i, 0);
		bool in = true;
		if (!store_rows_isnull(&r, i, 5))
			rc = inside(l, c, store_rows_i64(&r, i, 5), &in);
		/* alarms are about places and topics, not bodies: the body filter does not apply */
		if (rc || !in ||
		    (l->key.category_id && l->key.category_id != store_rows_i64(&r, i, 4)) ||
		    (l->key.topic_id && l->key.topic_id != store_rows_i64(&r, i, 3)))
			continue;
		json_t *ids = json_loads(
		    store_rows_get(&r, i, 14) ? store_rows_get(&r, i, 14) : "[]", 0, NULL);
		json_t *al = json_pack(
		    "{sI ss so so so so so so sf sf sI ss sI sI so}", "id",
		    (json_int_t)l->last_alarm, "kind", store_rows_get(&r, i, 1), "problem_id",
		    num_or_null(&r, i, 2, false), "topic_id", num_or_null(&r, i, 3, false),
		    "category_id", num_or_null(&r, i, 4, false), "territory_id",
		    num_or_null(&r, i, 5, false), "lat", num_or_null(&r, i, 6, true), "lon",
		    num_or_null(&r, i, 7, true), "observed", store_rows_f64(&r, i, 8), "expected",
		    store_rows_f64(&r, i, 9), "window_min", (json_int_t)store_rows_i64(&r, i, 10),
		    "reason", store_rows_get(&r, i, 11) ? store_rows_get(&r, i, 11) : "",
		    "first_at", (json_int_t)store_rows_i64(&r, i, 12), "at",
		    (json_int_t)store_rows_i64(&r, i, 13), "appeal_ids", ids ? ids : json_array());
		if (al) {
			json_object_set_new(al, "problem_label",
			                    store_rows_isnull(&r, i, 15)
			                        ? json_null()
			                        : json_string(store_rows_get(&r, i, 15)));
			json_object_set_new(al, "topic_name",
			                    store_rows_isnull(&r, i, 16)
			                        ? json_null()
			                        : json_string(store_rows_get(&r, i, 16)));
			event(out, l, "alarm", al);
		}
	}
	return rc;
}

static int live_poll(void *ctx, struct buf *out, int64_t now)
{
	(void)now;
	struct live *l = ctx;
	struct store_conn *c;
	if (store_conn_get(l->s, &c))
		return 0; /* the database is away: try again on the next tick */
	struct arena a;
	arena_init(&a, 1u << 16);
	int rc = poll_appeals(l, c, &a, out);
	if (!rc)
		rc = poll_alarms(l, c, &a, out);
	arena_release(&a);
	store_conn_put(l->s, c);
	(void)rc; /* a failed poll is retried on the next tick */
	return 0;
}

int h_analytics_stream(struct req *r)
{
	int64_t max_s = 600;
	int rc = http_query_int(r, "max_seconds", 1, 600, &max_s);
	if (rc)
		return rc;
	struct store_conn *c;
	rc = store_conn_get(r->store, &c);
	if (rc)
		return rc;
	struct dash_filter f;
	rc = analytics_load_filter(r, c, &f);
	struct live *l = NULL;
	if (!rc) {
		l = xcalloc(1, sizeof(*l));
		l->s = r->store;
		l->key = f.key;
		/* a reconnecting EventSource says where it was: "appeal:alarm" */
		const char *last = http_header(r, "Last-Event-ID");
		long long la = 0, ll = 0;
		if (last && sscanf(last, "%lld:%lld", &la, &ll) == 2 && la >= 0 && ll >= 0) {
			l->floor = l->last_appeal = la, l->last_alarm = ll;
		} else {
			rc = store_live_max_ids(c, &l->last_appeal, &l->last_alarm);
			l->floor = l->last_appeal;
		}
	}
	store_conn_put(r->store, c);
	if (rc) {
		if (l)
			live_free(l);
		return rc; /* analytics_load_filter rendered its own errors */
	}
	http_add_header(r, "X-Accel-Buffering", "no");
	struct http_stream_spec spec = {live_poll, live_free, l, 1000, max_s * 1000};
	return http_stream(r, "text/event-stream; charset=utf-8", &spec);
}
