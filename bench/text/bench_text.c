/* bench_text.c: figures of the text engine — incremental clustering throughput, similarity search
 * over a million appeals, memory per million. Synthesises documents by resampling a real export.
 *
 *   gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc src/core/{mem,buf,utf8,csv,clock,err}.c src/text/\*.c \
 *       bench/text/bench_text.c -o /tmp/bench_text -lutf8proc -ljansson -lstemmer -lm
 *   /tmp/bench_text ../shared/data/nash-spb/appeals.csv [--docs 1000000] [--queries 2000]
 */
#include "core/clock.h"
#include "core/mem.h"
#include "text/cluster.h"
#include "text/dataset.h"
#include "text/index.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes the allocator has handed out (freed memory is not counted, unlike RSS). */
static double heap_mb(void)
{
	struct mallinfo2 mi = mallinfo2();
	return (double)(mi.uordblks + mi.hblkhd) / (1024.0 * 1024.0);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
	size_t ndocs = 1000000, nq = 2000;
	int skip_cluster = 0;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc)
			ndocs = (size_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--no-cluster") == 0)
			skip_cluster = 1;
		else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc)
			nq = (size_t)atol(argv[++i]);
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: bench_text APPEALS.csv [--docs N] [--queries N]\n");
		return 2;
	}
	struct dataset ds;
	if (dataset_load(&ds, path, NULL) != 0 || ds.n == 0) {
		fprintf(stderr, "bench_text: cannot read %s\n", path);
		return 1;
	}
	printf("source: %zu appeals; synthesising %zu by resampling (texts reused, points jittered "
	       "±300 m, times spread over a year)\n",
	       ds.n, ndocs);

	/* 1. incremental assignment */
	double assign_per_s = 0, cl_mb = 0;
	if (!skip_cluster) {
		struct cluster_model cm;
		struct cluster_params p = cluster_params_default();
		cluster_model_init(&cm, &p);
		for (size_t i = 0; i < ds.n;
		     i++) /* warm the IDF with the history, as in production */
			cluster_observe(&cm, ds.rows[i].text, ds.rows[i].text_len);
		float *lat_us = xmalloc(ndocs * sizeof(*lat_us));
		double heap0 = heap_mb();
		int64_t t0 = clock_mono_ns(), tbase = 1609459200;
		for (size_t j = 0; j < ndocs; j++) {
			const struct dataset_row *r = &ds.rows[next() % ds.n];
			double lat = isnan(r->lat) ? NAN : r->lat + (uniform() - 0.5) * 0.0054;
			double lon = isnan(r->lon) ? NAN : r->lon + (uniform() - 0.5) * 0.0108;
			struct cluster_input in = {
			    (int64_t)j,
			    r->text,
			    r->text_len,
			    r->category_id,
			    NULL,
			    lat,
			    lon,
			    tbase + (int64_t)((double)j * 365.0 * 86400.0 / (double)ndocs)};
			uint32_t id;
			int64_t a = clock_mono_ns();
			cluster_assign(&cm, &in, &id);
			lat_us[j] = (float)(clock_mono_ns() - a) / 1e3f;
		}
		double secs = (double)(clock_mono_ns() - t0) / 1e9;
		cl_mb = (heap_mb() - heap0) - (double)ndocs * sizeof(*lat_us) / (1024.0 * 1024.0);
		qsort(lat_us, ndocs, sizeof(*lat_us), cmp_float);
		assign_per_s = (double)ndocs / secs;
		printf("clustering: %zu appeals in %.2f s = %.0f appeals/s on one core; per appeal "
		       "p50 %.1f us, p99 %.1f us, p99.99 %.2f ms; %zu clusters; +%.0f MB heap = "
		       "%.0f MB "
		       "per million\n",
		       ndocs, secs, assign_per_s, lat_us[ndocs / 2], lat_us[ndocs * 99 / 100],
		       lat_us[ndocs * 9999 / 10000] / 1e3, cm.nclusters, cl_mb,
		       cl_mb * 1e6 / (double)ndocs);
		free(lat_us);
		cluster_model_release(&cm);
	}

	/* 2. similarity search over ndocs */
	struct text_index ix;
	text_index_init(&ix, TEXT_F_WORDS | TEXT_F_BIGRAMS, 22);
	double heap0 = heap_mb();
	int64_t t0 = clock_mono_ns();
	for (size_t j = 0; j < ndocs; j++) {
		const struct dataset_row *r = &ds.rows[next() % ds.n];
		text_index_add(&ix, (int64_t)j, r->text, r->text_len, NULL);
	}
	double build = (double)(clock_mono_ns() - t0) / 1e9;
	double ix_mb = heap_mb() - heap0;
	struct text_searcher s;
	text_searcher_init(&s, &ix);
	struct text_hit hits[10];
	size_t found = 0;
	t0 = clock_mono_ns();
	for (size_t q = 0; q < nq; q++) {
		const struct dataset_row *r = &ds.rows[next() % ds.n];
		int n = text_index_search(&ix, &s, r->text, r->text_len, hits, 10, NULL, NULL);
		found += n > 0;
	}
	double qs = (double)(clock_mono_ns() - t0) / 1e9;
	printf(
	    "search: index of %zu appeals built in %.1f s (%.0f docs/s), +%.0f MB heap = %.0f MB "
	    "per "
	    "million; %zu top-10 queries in %.2f s = %.0f queries/s on one core (%.2f ms each), "
	    "%zu "
	    "with hits\n",
	    ndocs, build, (double)ndocs / build, ix_mb, ix_mb * 1e6 / (double)ndocs, nq, qs,
	    (double)nq / qs, qs * 1e3 / (double)nq, found);
	printf("{\"assign_per_s\":%.0f,\"cluster_mb_per_million\":%.0f,\"search_qps\":%.0f,"
	       "\"index_mb_per_million\":%.0f,\"docs\":%zu}\n",
	       assign_per_s, cl_mb * 1e6 / (double)ndocs, (double)nq / qs,
	       ix_mb * 1e6 / (double)ndocs, ndocs);
	text_searcher_release(&s);
	text_index_release(&ix);
	dataset_release(&ds);
	return 0;
}
