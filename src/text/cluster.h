/* cluster.h: incremental clustering of appeals into problems (same meaning, place and time). */
#ifndef OTKLIK_TEXT_CLUSTER_H
#define OTKLIK_TEXT_CLUSTER_H

#include "text/features.h"
#include "text/geo.h"

#include <stddef.h>
#include <stdint.h>

struct cluster_params {
	double radius_m;    /* every two members are at most this far apart */
	double window_days; /* a newcomer is this close in time to (nearly) all members */
	double stretch;     /* ... and at most stretch windows after the first member (>= 1) */
	float late_share;   /* share of members allowed to be older than the window */
	float min_sim;      /* cosine of the text to a coherent cluster's centroid needed to join */
	float near_weight;  /* weight of closeness to the cluster's anchor when choosing */
	float diffuse;      /* clusters whose members are less alike than this take any text */
	float merge_sim;    /* centroid cosine for re-consolidation merges */
	unsigned centroid_terms;          /* centroid is cut to its heaviest terms (memory bound) */
	unsigned flags, bits, cmin, cmax; /* featurizer */
};

/* One problem. Ids start at 1, are never reused; a merged cluster keeps its record with
 * merged_into set so old ids stay traceable (cluster_resolve). */
struct cluster {
	uint32_t id;
	uint32_t merged_into; /* 0 while live */
	uint32_t split_from;  /* 0, or the cluster this one was split off */
	uint32_t tag;         /* hash of the category: clusters never mix categories */
	double lat, lon;      /* first member's point (grid anchor) */
	int64_t first, last;  /* creation times of the oldest and newest member */
	uint32_t *members;    /* document indexes (into cluster_model.docs) */
	uint32_t n, cap;
	struct text_vec centroid; /* sum of the members' unit vectors, cut to centroid_terms */
	uint32_t rep;             /* the representative document (most typical when it joined) */
	float rep_sim;
};

/* A document known to the model. */
struct cluster_doc {
	int64_t ext_id;  /* the caller's id (e.g. the appeal id) */
	int64_t created; /* seconds */
	double lat, lon;
	uint32_t cluster; /* id of the cluster it was placed in (resolve for merges) */
};

/* The model. Owns all it points to. Not thread-safe: one writer (assignment is a few µs). */
struct cluster_model {
	struct cluster_params p;
	struct cluster *clusters; /* clusters[id - 1] */
	size_t nclusters, clusters_cap;
	struct cluster_doc *docs;
	size_t ndocs, docs_cap;
	struct geo_grid grid; /* tag = category hash; payload = cluster id */
	struct text_idf idf;
	struct text_lexicon lex; /* stems of word features, for labels */
	struct text_featurizer fz;
	struct text_vec v; /* scratch */
};

/* A new appeal to place. text must be UTF-8; lat/lon NAN when unknown; category may be "". */
struct cluster_input {
	int64_t ext_id;
	const char *text;
	size_t text_len;
	const char *category;
	const char *topic; /* optional (NULL or ""): the topic chosen by the citizen or suggested by
	                    * the classifier; when given, clusters never mix topics either */
	double lat, lon;
	int64_t created;
};

/* The tuned settings (see docs/text.md). */
struct cluster_params cluster_params_default(void);

/* Returns 0, ERR_INVALID (bad params), ERR_INTERNAL (stemmer missing). */
int cluster_model_init(struct cluster_model *m, const struct cluster_params *p);
/* Frees everything the model owns. */
void cluster_model_release(struct cluster_model *m);

/* Counts a text's terms into the IDF without placing it (to warm a new model with history).
 * Returns 0 or ERR_INVALID (bad UTF-8). */
int cluster_observe(struct cluster_model *m, const char *text, size_t len);

/* Places one appeal: joins the most similar live cluster of the same category (and topic) that is
 * within the radius of all its members and within the time window of (nearly) all of them, or
 * opens a new cluster. Sets *cluster_id.
 * Returns 0 or ERR_INVALID (bad UTF-8: nothing is changed). Appeals should come in time order. */
int cluster_assign(struct cluster_model *m, const struct cluster_input *in, uint32_t *cluster_id);

/* "Same problem nearby?": the live cluster the appeal would join, without placing it (for the
 * offer shown before submission). Returns 0 with *cluster_id (and its text cosine in *sim, may
 * be NULL), ERR_NOTFOUND when it would open a new cluster, ERR_INVALID on bad UTF-8. */
int cluster_suggest(struct cluster_model *m, const struct cluster_input *in, uint32_t *cluster_id,
                    float *sim);

/* Follows merges to the live cluster an id now belongs to; 0 when id is unknown. */
uint32_t cluster_resolve(const struct cluster_model *m, uint32_t id);
/* The live cluster record for id (after resolve), or NULL. */
const struct cluster *cluster_get(const struct cluster_model *m, uint32_t id);

/* Up to k key terms (stems) of a cluster, heaviest first, into out; returns the count. Strings
 * are owned by the model. */
size_t cluster_label(const struct cluster_model *m, uint32_t id, const char **out, size_t k);

/* Coordinator actions. merge: b's members move into a, b records merged_into = a.
 * split: the listed documents (indexes into docs) leave id for a new cluster (its id in *new_id),
 * whose split_from = id. Return 0, ERR_NOTFOUND (unknown or merged id), ERR_INVALID (a == b,
 * a document not in the cluster, or nothing left behind). */
int cluster_merge(struct cluster_model *m, uint32_t a, uint32_t b);
int cluster_split(struct cluster_model *m, uint32_t id, const uint32_t *docs, size_t n,
                  uint32_t *new_id);

/* Periodic re-consolidation: merges live clusters of the same category whose centroids are at
 * least merge_sim alike and whose members all satisfy the radius and window. Returns the number
 * of merges (ids stay traceable through merged_into). */
size_t cluster_consolidate(struct cluster_model *m);

/* Save / load (binary). Return 0, ERR_INTERNAL when writing fails (or the stemmer is missing),
 * ERR_NOTFOUND when the file cannot be opened, ERR_INVALID on a malformed file. A loaded model
 * must be released with cluster_model_release on success only. */
int cluster_save(const struct cluster_model *m, const char *path);
int cluster_load(struct cluster_model *m, const char *path);

#endif
