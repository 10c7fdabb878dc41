/* registry.h: territories, organisations, the rubricator (categories, topics) and competence
 * rules: validation, CRUD with audit, CSV import, the competence resolver. */
#ifndef OTKLIK_REGISTRY_REGISTRY_H
#define OTKLIK_REGISTRY_REGISTRY_H

#include "auth/actor.h"
#include "store/entity.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Error detail for the caller to show: Russian message and the field at fault (or NULL). */
struct problem {
	const char *message;
	const char *field;
};

extern const struct entity_desc registry_territories, registry_orgs, registry_categories,
    registry_topics, registry_rules;

/* The descriptor for a URL collection name, or NULL. */
const struct entity_desc *registry_find(const char *coll);

struct list_query {
	const char *q;
	int64_t limit, offset;
	const char *filter[ENTITY_MAX_FIELDS]; /* raw ?field= values by field index, or NULL */
};

int registry_get(struct store *s, struct arena *a, const struct entity_desc *d, int64_t id,
                 json_t **out, struct problem *p);
/* {items, total}. */
int registry_list(struct store *s, struct arena *a, const struct entity_desc *d,
                  const struct list_query *lq, json_t **out, struct problem *p);
/* Create/update/delete through group commit, with audit; scoped checks for orgs (supervisor)
 * and rules (coordinator) are done here. */
int registry_create(struct store *s, struct arena *a, const struct actor *who,
                    const struct entity_desc *d, json_t *in, json_t **out, struct problem *p);
int registry_update(struct store *s, struct arena *a, const struct actor *who,
                    const struct entity_desc *d, int64_t id, json_t *in, json_t **out,
                    struct problem *p);
int registry_delete(struct store *s, struct arena *a, const struct actor *who,
                    const struct entity_desc *d, int64_t id, struct problem *p);

/* Territory polygons (GeoJSON geometry or Feature). */
int registry_set_polygon(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                         const char *geojson, size_t len, struct problem *p);
int registry_get_polygon(struct store *s, struct arena *a, int64_t id, const char **geojson,
                         struct problem *p);

/* CSV import of one collection, all or nothing. */
int registry_import_csv(struct store *s, struct arena *a, const struct actor *who,
                        const struct entity_desc *d, const char *csv, size_t len, int64_t *inserted,
                        int64_t *updated, struct problem *p);
/* The same inside an open write job (used by the demo and reference loaders). */
int registry_import_csv_conn(struct store_conn *c, struct arena *a, const struct actor *who,
                             const struct entity_desc *d, const char *csv, size_t len,
                             int64_t *inserted, int64_t *updated, struct problem *p);
/* Sets polygons from a GeoJSON FeatureCollection whose features carry properties.code. */
int registry_import_polygons_conn(struct store_conn *c, struct arena *a, const struct actor *who,
                                  const char *geojson, size_t len, struct problem *p);

struct route_result {
	int64_t org_id; /* 0 = no rule: the triage queue of territory_id */
	int64_t rule_id;
	int64_t territory_id; /* the territory used (from the point when one was given) */
	const char *reason;   /* Russian, arena-owned */
};
/* The competence resolver. topic_id required; territory_id and/or a point (has_point). */
int registry_resolve(struct store *s, struct arena *a, int64_t topic_id, int64_t territory_id,
                     bool has_point, double lat, double lon, struct route_result *out,
                     struct problem *p);
int registry_resolve_conn(struct store_conn *c, struct arena *a, int64_t topic_id,
                          int64_t territory_id, bool has_point, double lat, double lon,
                          struct route_result *out, struct problem *p);

/* The deepest territory whose polygon holds the point, or 0 (polygons cached in memory per
 * registry version). registry_version: meta's as the caller just read it on c, or -1. */
int registry_territory_at(struct store_conn *c, struct arena *a, double lat, double lon,
                          int64_t registry_version, int64_t *territory_id);

/* Loads data/reference (regions and their polygons); idempotent. */
int registry_load_reference(struct store *s);

#endif
