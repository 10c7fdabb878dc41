/* metrics.c: atomic counters rendered in the Prometheus text format. */
#include "http/metrics.h"
#include "http/route.h"

#include <stdatomic.h>
#include <stdio.h>

#define MAX_ROUTES 256
#define NBUCKETS   12
static const double bounds_s[NBUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,   0.25,   0.5,   1.0};
/* status classes kept per exact code from a short list; others fold into "other". */
static const int codes[] = {200, 201, 204, 302, 304, 400, 401, 403, 404,
                            405, 409, 413, 415, 422, 429, 500, 503};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

static atomic_uint_fast64_t counts[MAX_ROUTES + 1][NCODES + 1];
static atomic_uint_fast64_t buckets[MAX_ROUTES + 1][NBUCKETS];
static atomic_uint_fast64_t sum_us[MAX_ROUTES + 1];

void metrics_observe(size_t route_idx, int status, int64_t duration_ns)
{
	if (route_idx > MAX_ROUTES)
		route_idx = MAX_ROUTES;
	size_t ci = NCODES;
	for (size_t i = 0; i < NCODES; i++)
		if (codes[i] == status)
			ci = i;
	atomic_fetch_add(&counts[route_idx][ci], 1);
	double s = (double)duration_ns / 1e9;
	size_t b = 0;
	while (b < NBUCKETS - 1 && s > bounds_s[b])
		b++;
	atomic_fetch_add(&buckets[route_idx][b], 1);
	atomic_fetch_add(&sum_us[route_idx], (uint64_t)(duration_ns / 1000));
}

static void route_label(size_t i, char *out, size_t n)
{
	if (i < routes_count)
		snprintf(out, n, "method=\"%s\",route=\"%s\"", routes[i].method, routes[i].pattern);
	else
		snprintf(out, n, "method=\"\",route=\"unmatched\"");
}

void metrics_render(struct buf *out, struct store *s)
{
	size_t nr = routes_count < MAX_ROUTES ? routes_count : MAX_ROUTES;
	char label[300];
	buf_puts(out, "# HELP otklik_http_requests_total HTTP requests by route and status.\n"
	              "# TYPE otklik_http_requests_total counter\n");
	for (size_t i = 0; i <= nr; i++) {
		size_t ri = i == nr ? MAX_ROUTES : i;
		route_label(i == nr ? routes_count : i, label, sizeof(label));
		for (size_t c = 0; c <= NCODES; c++) {
			uint64_t v = atomic_load(&counts[ri][c]);
			if (!v)
				continue;
			if (c < NCODES)
				buf_printf(out,
				           "otklik_http_requests_total{%s,status=\"%d\"} %llu\n",
				           label, codes[c], (unsigned long long)v);
			else
				buf_printf(out,
				           "otklik_http_requests_total{%s,status=\"other\"} %llu\n",
				           label, (unsigned long long)v);
		}
	}
	buf_puts(out, "# HELP otklik_http_request_duration_seconds Request latency by route.\n"
	              "# TYPE otklik_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= nr; i++) {
		size_t ri = i == nr ? MAX_ROUTES : i;
		uint64_t total = 0;
		for (size_t b = 0; b < NBUCKETS; b++)
			total += atomic_load(&buckets[ri][b]);
		if (!total)
			continue;
		route_label(i == nr ? routes_count : i, label, sizeof(label));
		uint64_t cum = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += atomic_load(&buckets[ri][b]);
			if (b < NBUCKETS - 1)
				buf_printf(out,
				           "otklik_http_request_duration_seconds_bucket{%s,"
				           "le=\"%g\"} %llu\n",
				           label, bounds_s[b], (unsigned long long)cum);
			else
				buf_printf(out,
				           "otklik_http_request_duration_seconds_bucket{%s,"
				           "le=\"+Inf\"} %llu\n",
				           label, (unsigned long long)cum);
		}
		buf_printf(out, "otklik_http_request_duration_seconds_sum{%s} %.6f\n", label,
		           (double)atomic_load(&sum_us[ri]) / 1e6);
		buf_printf(out, "otklik_http_request_duration_seconds_count{%s} %llu\n", label,
		           (unsigned long long)total);
	}
	struct store_stats st;
	store_stats_get(s, &st);
	buf_printf(out,
	           "# HELP otklik_db_queries_total Database statements executed.\n"
	           "# TYPE otklik_db_queries_total counter\n"
	           "otklik_db_queries_total{backend=\"%s\"} %llu\n"
	           "# HELP otklik_db_errors_total Database statements that failed.\n"
	           "# TYPE otklik_db_errors_total counter\n"
	           "otklik_db_errors_total %llu\n"
	           "# HELP otklik_db_commit_batches_total Group-commit transactions.\n"
	           "# TYPE otklik_db_commit_batches_total counter\n"
	           "otklik_db_commit_batches_total %llu\n"
	           "# HELP otklik_db_commit_jobs_total Writes committed through group commit.\n"
	           "# TYPE otklik_db_commit_jobs_total counter\n"
	           "otklik_db_commit_jobs_total %llu\n"
	           "# HELP otklik_db_commit_syncs_total Syncs to disk that acknowledged commits.\n"
	           "# TYPE otklik_db_commit_syncs_total counter\n"
	           "otklik_db_commit_syncs_total %llu\n"
	           "# HELP otklik_db_query_duration_seconds Database statement latency.\n"
	           "# TYPE otklik_db_query_duration_seconds histogram\n",
	           store_backend_name(s), (unsigned long long)st.queries,
	           (unsigned long long)st.errors, (unsigned long long)st.batches,
	           (unsigned long long)st.batched_jobs, (unsigned long long)st.syncs);
	uint64_t cum = 0;
	for (size_t b = 0; b < 12; b++) {
		cum += st.buckets[b];
		if (b < 11)
			buf_printf(out, "otklik_db_query_duration_seconds_bucket{le=\"%g\"} %llu\n",
			           store_stats_bounds_ms[b] / 1000.0, (unsigned long long)cum);
		else
			buf_printf(out,
			           "otklik_db_query_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			           (unsigned long long)cum);
	}
	buf_printf(out, "otklik_db_query_duration_seconds_sum %.6f\n", st.seconds);
	buf_printf(out, "otklik_db_query_duration_seconds_count %llu\n",
	           (unsigned long long)st.queries);
}
