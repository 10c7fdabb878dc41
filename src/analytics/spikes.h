/* spikes.h: the spike detector — in-memory, incremental, deterministic; raises alarms when
 * appeals about one problem (or one topic at one place, or one topic in one territory) come
 * faster than their history makes probable. docs/text.md ("Spikes") gives the method. */
#ifndef OTKLIK_ANALYTICS_SPIKES_H
#define OTKLIK_ANALYTICS_SPIKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPIKE_SKETCH  16 /* MinHash values of an appeal's words (near-duplicate texts) */
#define SPIKE_WINDOWS 4
#define SPIKE_MAX_IDS 32 /* appeal ids an alarm lists */
#define SPIKE_RING    32 /* recent appeals kept per problem */
#define SPIKE_REASON  192

enum spike_kind { SPIKE_SPIKE = 0, SPIKE_NEW = 1, SPIKE_RETURNED = 2 };

struct spike_params {
	double window_h[SPIKE_WINDOWS];    /* windows counted per problem (hours; 0 = unused) */
	unsigned min_count[SPIKE_WINDOWS]; /* distinct sources needed in each window */
	double alpha;         /* the Poisson tail P(X >= observed | expected) must be below */
	double ratio;         /* and observed >= ratio * expected */
	double dup_sim;       /* texts whose sketches agree this much are one source (0 = off) */
	double point_min;     /* same exact point within this many minutes = one source (0 = off;
	                       * a stand-in for the author when it is unknown) */
	double halflife_days; /* baselines decay with this half-life */
	double floor_per_day; /* a place's expected rate is at least this (appeals per day) */
	double place_share;   /* share of the 3x3-cell neighbourhood's rate that is "the place" */
	double cell_m;        /* place cells (metres) */
	double episode_h;     /* a problem (place) quiet this long ends its episode */
	double terr_window_h; /* topic x territory window (0 = off) */
	unsigned terr_min;    /* appeals needed in it */
	double terr_alpha, terr_ratio;
	size_t max_keys; /* bound on remembered keys (old ones are evicted first) */
};

/* One appeal as placed into a problem. Times in seconds. */
struct spike_obs {
	int64_t appeal_id, at, problem_id, topic_id, category_id, territory_id;
	int64_t author_id;      /* 0 = unknown */
	double lat, lon;        /* NAN when unknown */
	const uint32_t *sketch; /* SPIKE_SKETCH values from spike_sketch, or NULL */
};

struct spike_alarm {
	enum spike_kind kind;
	int64_t problem_id, topic_id, category_id, territory_id;
	double lat, lon; /* NAN when unknown */
	int observed;
	double expected;
	int window_min;
	int64_t first_at, at; /* seconds: the first appeal counted, when raised */
	int64_t appeal_ids[SPIKE_MAX_IDS];
	size_t nids;
	char reason[SPIKE_REASON]; /* Russian, for people */
};

struct spike_key;
struct spike_map {
	uint64_t *keys; /* 0 = empty */
	uint32_t *slot; /* index into the pool */
	size_t cap;     /* power of two */
};

/* The detector. Owns all it points to. Not thread-safe: one writer. */
struct spikes {
	struct spike_params p;
	struct spike_key *pool;
	size_t n, pool_cap;
	uint32_t *free_list;
	size_t nfree, free_cap;
	struct spike_map map;
	int64_t t0, now; /* first and newest observation */
	uint64_t nobs;
	int64_t swept_at;
};

/* The tuned settings (docs/text.md, "Spikes"). */
struct spike_params spike_params_default(void);
/* Sets one parameter by name ("alpha", "dup", "w1", "min1", ...) from text; 0 or ERR_INVALID.
 * spike_params_help lists the names. */
int spike_params_set(struct spike_params *p, const char *name, const char *value);
extern const char spike_params_help[];

/* Returns 0 or ERR_INVALID (bad params: nothing to release). */
int spikes_init(struct spikes *d, const struct spike_params *p);
void spikes_release(struct spikes *d);

/* Feeds one appeal (appeals should come in time order; an older one counts at the newest time
 * seen). Writes up to max alarms into out (out may be NULL: the state moves as if they were
 * raised — used to rebuild after a restart) and returns how many were raised. */
size_t spikes_observe(struct spikes *d, const struct spike_obs *o, struct spike_alarm *out,
                      size_t max);

/* A 'returned' alarm for an appeal that brought a solved problem back (the caller knows it from
 * problems.returned_at); also ends the problem's current episode. */
void spikes_returned(struct spikes *d, const struct spike_obs *o, struct spike_alarm *out);

/* The same 'returned' alarm, built without touching a detector. */
void spike_returned_alarm(const struct spike_obs *o, struct spike_alarm *out);

/* The MinHash sketch of a text's content words (out[0] == UINT32_MAX: no words). */
void spike_sketch(const char *text, size_t len, uint32_t out[SPIKE_SKETCH]);

/* Poisson upper tail P(X >= k) for mean lambda. */
double spike_poisson_tail(unsigned k, double lambda);

/* Entries in use (memory: about 400 bytes each plus 4 KiB per problem active in the longest
 * window). */
size_t spikes_size(const struct spikes *d);

#endif
