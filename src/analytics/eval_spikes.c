/* eval_spikes.c: `otklik eval spikes` — replays FILE.csv in time order through the problem
 * clustering of the server and the spike detector, injects synthetic bursts (15 appeals within
 * 6 hours within 150 m, texts of real appeals of one topic) and scores detection and false
 * alarms. */
#include "analytics/eval_spikes.h"
#include "analytics/spikes.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "text/cluster.h"
#include "text/dataset.h"
#include "text/features.h"
#include "text/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BURST_SIZE     15
#define BURST_SPAN_S   (6 * 3600)
#define BURST_RADIUS_M 75.0 /* every two appeals of a burst are within 150 m */
#define DETECT_S       (2 * 3600)
#define PLACE_M        150.0
#define MAX_ALARMS     8

static const char usage[] =
    "usage: otklik eval spikes --input FILE.csv [--bursts N] [--seed S] [--params K=V,...]\n"
    "  Replays FILE (the columns of `otklik eval`) in time order through the problem\n"
    "  clustering and the spike detector, injecting N synthetic bursts (default 100) at random\n"
    "  times and places: 15 appeals within 6 hours within 150 m, texts of real appeals of one\n"
    "  topic. A burst is detected when an alarm names its place (150 m) and one of its problems\n"
    "  within 2 hours of its first appeal. Prints progress on stderr and\n"
    "  {bursts, detected, detected_share, median_delay_min, false_alarms, false_alarms_per_week,\n"
    "  alarms, false_alarm_weeks, weeks, ...} as the last stdout line.\n"
    "  --warmup DAYS   no burst in the first DAYS of the file (default 14)\n"
    "  --dump FILE     writes every alarm as a JSON line (burst: its index, or -1)\n"
    "  --params K=V,.. detector settings (the CSV has no authors: point=120 by default here):\n";

/* xorshift64*: deterministic across platforms */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

struct event {
	int64_t t;
	uint32_t row;  /* the real row (injected: the row whose text is used) */
	int32_t burst; /* -1: a real appeal */
	double lat, lon;
};

struct burst {
	int64_t t0;
	double lat, lon;
	uint32_t row; /* the real appeal that chose topic and place */
	int64_t problems[BURST_SIZE];
	size_t nproblems;
	int64_t detected_at; /* 0: not (yet) */
	int64_t caused;      /* alarms caused by it */
};

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->burst != y->burst)
		return x->burst < y->burst ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_row_reason(const void *a, const void *b, void *ctx)
{
	const struct dataset *ds = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(ds->rows[x].reason_id, ds->rows[y].reason_id);
	return c ? c : (x < y ? -1 : x > y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int64_t id_of(const char *s)
{
	if (!*s)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*end && v > 0)
		return v;
	return (int64_t)(text_hash(s, strlen(s), 17) | 0x40000000u);
}

static const char *kind_name(enum spike_kind k)
{
	return k == SPIKE_NEW ? "new" : k == SPIKE_RETURNED ? "returned" : "spike";
}

static double round3(double x)
{
	return round(x * 1000.0) / 1000.0;
}

static int set_params(struct spike_params *p, const char *list)
{
	char *copy = xmalloc(strlen(list) + 1);
	memcpy(copy, list, strlen(list) + 1);
	int rc = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			rc = ERR_INVALID;
			break;
		}
		*eq = 0;
		rc = spike_params_set(p, tok, eq + 1);
		if (rc)
			fprintf(stderr, "eval spikes: bad parameter %s=%s\n", tok, eq + 1);
	}
	free(copy);
	return rc;
}

int eval_spikes_main(int argc, char **argv)
{
	const char *input = NULL, *dump = NULL;
	long nbursts = 100;
	uint64_t seed = 1;
	double warmup_days = 14;
	struct spike_params sp = spike_params_default();
	sp.point_min = 120; /* no authors in the export: the same point stands in for them */
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			fputs(spike_params_help, stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "eval spikes: %s needs a value\n%s", a, usage);
			return 2;
		}
		i++;
		if (!strcmp(a, "--input"))
			input = v;
		else if (!strcmp(a, "--bursts"))
			nbursts = atol(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--warmup"))
			warmup_days = strtod(v, NULL);
		else if (!strcmp(a, "--dump"))
			dump = v;
		else if (!strcmp(a, "--params")) {
			if (set_params(&sp, v))
				return 2;
		} else {
			fprintf(stderr, "eval spikes: unknown option %s\n%s", a, usage);
			return 2;
		}
	}
	if (!input || nbursts < 0 || nbursts > 100000) {
		fputs(usage, stderr);
		return 2;
	}
	struct dataset ds;
	size_t line = 0;
	int rc = dataset_load(&ds, input, &line);
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "eval spikes: cannot open %s\n", input);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "eval spikes: %s: malformed CSV near line %zu\n", input, line);
		return 1;
	}
	int64_t t0 = clock_mono_ns();
	struct spikes det;
	if (spikes_init(&det, &sp)) {
		fprintf(stderr, "eval spikes: bad detector parameters\n");
		dataset_release(&ds);
		return 2;
	}
	/* rows with a time, and the time span */
	size_t n = ds.n;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	for (size_t i = 0; i < n; i++)
		if (ds.rows[i].created) {
			tmin = ds.rows[i].created < tmin ? ds.rows[i].created : tmin;
			tmax = ds.rows[i].created > tmax ? ds.rows[i].created : tmax;
		}
	if (tmin == INT64_MAX) {
		fprintf(stderr, "eval spikes: %s has no dated rows\n", input);
		spikes_release(&det);
		dataset_release(&ds);
		return 1;
	}
	/* rows grouped by topic (texts of a burst) and the rows that can seed a burst */
	uint32_t *by_reason = xmalloc((n ? n : 1) * sizeof(*by_reason));
	uint32_t *seeds = xmalloc((n ? n : 1) * sizeof(*seeds));
	size_t nseeds = 0;
	for (size_t i = 0; i < n; i++) {
		by_reason[i] = (uint32_t)i;
		const struct dataset_row *r = &ds.rows[i];
		if (*r->reason_id && r->created && geo_valid(r->lat, r->lon))
			seeds[nseeds++] = (uint32_t)i;
	}
	qsort_r(by_reason, n, sizeof(*by_reason), cmp_row_reason, &ds);
	int64_t lo = tmin + (int64_t)(warmup_days * 86400), hi = tmax - BURST_SPAN_S;
	if (hi < lo || !nseeds)
		nbursts = 0;
	struct rng rg = {seed * 0x9E3779B97F4A7C15ull + 0x1234567ull};
	struct burst *bs = xcalloc((size_t)nbursts + 1, sizeof(*bs));
	size_t nev = 0, ev_cap = n + (size_t)nbursts * BURST_SIZE + 1;
	struct event *ev = xmalloc(ev_cap * sizeof(*ev));
	for (size_t i = 0; i < n; i++)
		if (ds.rows[i].created)
			ev[nev++] = (struct event){ds.rows[i].created, (uint32_t)i, -1,
			                           ds.rows[i].lat, ds.rows[i].lon};
	for (long b = 0; b < nbursts; b++) {
		struct burst *x = &bs[b];
		x->t0 = lo + (int64_t)(rng_unit(&rg) * (double)(hi - lo));
		x->row = seeds[rng_next(&rg) % nseeds];
		const struct dataset_row *sr = &ds.rows[x->row];
		x->lat = sr->lat;
		x->lon = sr->lon;
		/* the rows of the seed's topic: a contiguous run of by_reason */
		size_t first = 0, last = n;
		{
			size_t l = 0, h = n;
			while (l < h) {
				size_t m = (l + h) / 2;
				if (strcmp(ds.rows[by_reason[m]].reason_id, sr->reason_id) < 0)
					l = m + 1;
				else
					h = m;
			}
			first = l;
			h = n;
			while (l < h) {
				size_t m = (l + h) / 2;
				if (strcmp(ds.rows[by_reason[m]].reason_id, sr->reason_id) <= 0)
					l = m + 1;
				else
					h = m;
			}
			last = l;
		}
		for (int k = 0; k < BURST_SIZE; k++) {
			double r = BURST_RADIUS_M * sqrt(rng_unit(&rg)),
			       th = 2 * M_PI * rng_unit(&rg);
			double dlat = r * cos(th) / 111320.0;
			double dlon = r * sin(th) / (111320.0 * cos(x->lat * M_PI / 180));
			int64_t t =
			    k == 0 ? x->t0 : x->t0 + (int64_t)(rng_unit(&rg) * BURST_SPAN_S);
			uint32_t text_row = by_reason[first + rng_next(&rg) % (last - first)];
			ev[nev++] =
			    (struct event){t, text_row, (int32_t)b, x->lat + dlat, x->lon + dlon};
		}
	}
	qsort(ev, nev, sizeof(*ev), cmp_event);
	fprintf(stderr, "eval spikes: %zu appeals, %ld bursts injected, %.1f weeks\n", n, nbursts,
	        (double)(tmax - tmin) / (7 * 86400.0));

	struct cluster_params cp = cluster_params_default();
	struct cluster_model cm;
	if (cluster_model_init(&cm, &cp)) {
		fprintf(stderr, "eval spikes: clustering unavailable\n");
		rc = 1;
		goto out_early;
	}
	for (size_t i = 0; i < nev; i++) /* IDF of the whole stream first, as `eval cluster` */
		cluster_observe(&cm, ds.rows[ev[i].row].text, ds.rows[ev[i].row].text_len);

	size_t weeks = (size_t)((tmax - tmin) / (7 * 86400)) + 1;
	int64_t *fa_week = xcalloc(weeks, sizeof(*fa_week));
	int64_t alarms = 0, false_alarms = 0, by_kind[3] = {0}, fa_kind[3] = {0};
	FILE *df = dump ? fopen(dump, "w") : NULL;
	if (dump && !df)
		fprintf(stderr, "eval spikes: cannot write %s\n", dump);
	struct spike_alarm out[MAX_ALARMS];
	for (size_t i = 0; i < nev; i++) {
		const struct event *e = &ev[i];
		const struct dataset_row *r = &ds.rows[e->row];
		int64_t appeal_id = e->burst < 0 ? (int64_t)e->row + 1 : (int64_t)(n + i + 1);
		struct cluster_input in = {appeal_id,    r->text, r->text_len, r->category_id,
		                           r->reason_id, e->lat,  e->lon,      e->t};
		uint32_t mid = 0;
		if (cluster_assign(&cm, &in, &mid)) {
			in.text = "";
			in.text_len = 0;
			cluster_assign(&cm, &in, &mid);
		}
		int64_t pid = cluster_resolve(&cm, mid);
		if (e->burst >= 0) {
			struct burst *x = &bs[e->burst];
			bool known = false;
			for (size_t k = 0; k < x->nproblems; k++)
				known |= x->problems[k] == pid;
			if (!known && x->nproblems < BURST_SIZE)
				x->problems[x->nproblems++] = pid;
		}
		uint32_t sk[SPIKE_SKETCH];
		spike_sketch(r->text, r->text_len, sk);
		struct spike_obs o = {
		    .appeal_id = appeal_id,
		    .at = e->t,
		    .problem_id = pid,
		    .topic_id = id_of(r->reason_id),
		    .category_id = id_of(r->category_id),
		    .territory_id = id_of(r->district),
		    .lat = e->lat,
		    .lon = e->lon,
		    .sketch = sk,
		};
		size_t na = spikes_observe(&det, &o, out, MAX_ALARMS);
		for (size_t k = 0; k < na; k++) {
			const struct spike_alarm *al = &out[k];
			alarms++;
			by_kind[al->kind]++;
			/* caused by a burst: it counted an injected appeal */
			int32_t cause = -1;
			for (size_t q = 0; q < al->nids && cause < 0; q++)
				if (al->appeal_ids[q] > (int64_t)n)
					cause = ev[al->appeal_ids[q] - (int64_t)n - 1].burst;
			if (cause < 0) {
				false_alarms++;
				fa_kind[al->kind]++;
				fa_week[(al->at - tmin) / (7 * 86400)]++;
			} else {
				struct burst *x = &bs[cause];
				x->caused++;
				bool mine = false;
				for (size_t q = 0; q < x->nproblems; q++)
					mine |= x->problems[q] == al->problem_id;
				if (!x->detected_at && mine && al->at - x->t0 <= DETECT_S &&
				    geo_dist_m(al->lat, al->lon, x->lat, x->lon) <= PLACE_M)
					x->detected_at = al->at > x->t0 ? al->at : x->t0 + 1;
			}
			if (df) {
				json_t *ids = json_array();
				for (size_t q = 0; q < al->nids; q++)
					json_array_append_new(ids, json_integer(al->appeal_ids[q]));
				json_t *j = json_pack(
				    "{s:s,s:I,s:I,s:f,s:f,s:i,s:f,s:i,s:I,s:I,s:s,s:i,s:o}", "kind",
				    kind_name(al->kind), "problem_id", (json_int_t)al->problem_id,
				    "topic_id", (json_int_t)al->topic_id, "lat",
				    isnan(al->lat) ? 0.0 : al->lat, "lon",
				    isnan(al->lon) ? 0.0 : al->lon, "observed", al->observed,
				    "expected", al->expected, "window_min", al->window_min,
				    "first_at", (json_int_t)al->first_at, "at", (json_int_t)al->at,
				    "reason", al->reason, "burst", (int)cause, "appeal_ids", ids);
				char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
				if (s)
					fprintf(df, "%s\n", s);
				free(s);
				json_decref(j);
			}
		}
		if ((i + 1) % 10000 == 0)
			fprintf(stderr, "eval spikes: %zu / %zu appeals, %lld alarms\n", i + 1, nev,
			        (long long)alarms);
	}
	if (df)
		fclose(df);
	double *delays = xmalloc(((size_t)nbursts + 1) * sizeof(*delays));
	size_t ndet = 0;
	for (long b = 0; b < nbursts; b++)
		if (bs[b].detected_at)
			delays[ndet++] = (double)(bs[b].detected_at - bs[b].t0) / 60.0;
	qsort(delays, ndet, sizeof(*delays), cmp_double);
	double median = ndet == 0       ? 0
	                : ndet % 2 == 1 ? delays[ndet / 2]
	                                : (delays[ndet / 2 - 1] + delays[ndet / 2]) / 2;
	double wk = (double)(tmax - tmin) / (7 * 86400.0);
	if (wk < 1.0 / 7)
		wk = 1.0 / 7;
	double seconds = (double)(clock_mono_ns() - t0) / 1e9;
	fprintf(stderr,
	        "eval spikes: %lld alarms (%lld spike, %lld new), %lld false alarms, detector keys "
	        "%zu, %.1f s\n",
	        (long long)alarms, (long long)by_kind[SPIKE_SPIKE], (long long)by_kind[SPIKE_NEW],
	        (long long)false_alarms, spikes_size(&det), seconds);
	json_t *fw = json_array();
	for (size_t w = 0; w < weeks; w++)
		json_array_append_new(fw, json_integer(fa_week[w]));
	json_t *res = json_pack(
	    "{s:I,s:I,s:f,s:f,s:I,s:f,s:I,s:o,s:f,s:{s:I,s:I},s:{s:I,s:I},s:I,s:f}", "bursts",
	    (json_int_t)nbursts, "detected", (json_int_t)ndet, "detected_share",
	    round3(nbursts ? (double)ndet / nbursts : 0), "median_delay_min", round3(median),
	    "false_alarms", (json_int_t)false_alarms, "false_alarms_per_week",
	    round3((double)false_alarms / wk), "alarms", (json_int_t)alarms, "false_alarm_weeks",
	    fw, "weeks", round3(wk), "alarms_by_kind", "spike", (json_int_t)by_kind[SPIKE_SPIKE],
	    "new", (json_int_t)by_kind[SPIKE_NEW], "false_by_kind", "spike",
	    (json_int_t)fa_kind[SPIKE_SPIKE], "new", (json_int_t)fa_kind[SPIKE_NEW], "seed",
	    (json_int_t)seed, "seconds", round3(seconds));
	char *s = json_dumps(res, JSON_COMPACT | JSON_REAL_PRECISION(6));
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(res);
	fflush(stdout);
	free(delays);
	free(fa_week);
	cluster_model_release(&cm);
	rc = 0;
out_early:
	free(ev);
	free(bs);
	free(seeds);
	free(by_reason);
	spikes_release(&det);
	dataset_release(&ds);
	return rc;
}
