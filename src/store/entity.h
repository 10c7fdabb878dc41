/* entity.h: descriptor-driven SQL for the registry's collections (territories, orgs,
 * categories, topics, rules). Table and column names come from trusted descriptors; every
 * value is a bound parameter. */
#ifndef OTKLIK_STORE_ENTITY_H
#define OTKLIK_STORE_ENTITY_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_type { FT_TEXT, FT_INT, FT_BOOL, FT_ENUM, FT_REF };

#define FF_REQUIRED 1u  /* must be present (non-null) on create */
#define FF_FILTER   2u  /* list filter by exact value (?name=) */
#define FF_SEARCH   4u  /* contributes to the folded search text (?q=) */
#define FF_READONLY 8u  /* output only; maintained by the server */
#define FF_HIDDEN   16u /* neither input nor output; maintained by the server */
#define FF_LONG     32u /* long text: not selected in lists */

#define ENTITY_MAX_FIELDS 16

struct field_desc {
	const char *name; /* JSON key and column name */
	enum field_type type;
	unsigned flags;
	size_t max_len; /* code points, for text */
	int64_t min, max;
	const char *const *enum_values; /* NULL-terminated, for FT_ENUM */
	const char *ref_table;          /* for FT_REF */
	const char *label;              /* Russian name for messages */
};

struct entity_desc {
	const char *coll;   /* URL collection: "territories" */
	const char *table;  /* SQL table */
	const char *entity; /* audit entity name: "territory" */
	const struct field_desc *fields;
	size_t nfields;
	const char *order_by; /* column list */
};

/* Values for the fields of a descriptor, by index; set[i] says the field is given. */
struct entity_vals {
	struct store_val v[ENTITY_MAX_FIELDS];
	bool set[ENTITY_MAX_FIELDS];
};

/* Rows have columns: id, then every non-hidden field in descriptor order. */
int store_entity_get(struct store_conn *c, struct arena *a, const struct entity_desc *d, int64_t id,
                     struct store_rows *out);
/* filters: set[i] -> "field = value" (SV_NULL value -> "field IS NULL"); q_pattern: LIKE
 * pattern over the search column (already folded and escaped), may be NULL. */
int store_entity_list(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                      const struct entity_vals *filters, const char *q_pattern, int64_t limit,
                      int64_t offset, struct store_rows *out, int64_t *total);
int store_entity_insert(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                        const struct entity_vals *vals, const char *search, int64_t now,
                        int64_t *id);
/* ERR_NOTFOUND when no such row. */
int store_entity_update(struct store_conn *c, struct arena *a, const struct entity_desc *d,
                        int64_t id, const struct entity_vals *vals, const char *search,
                        int64_t now);
/* ERR_NOTFOUND, or ERR_CONFLICT when other rows reference it. */
int store_entity_delete(struct store_conn *c, const struct entity_desc *d, int64_t id);
/* Id of the row of table with this code; ERR_NOTFOUND when none. */
int store_id_by_code(struct store_conn *c, const char *table, const char *code, int64_t *id);
/* True when table has a row with this id. */
int store_id_exists(struct store_conn *c, const char *table, int64_t id, bool *exists);
/* One text column of one row (e.g. a territory's polygon); NULL value when SQL NULL;
 * ERR_NOTFOUND when no row. */
int store_get_text(struct store_conn *c, struct arena *a, const char *table, const char *column,
                   int64_t id, const char **out);
/* Bumps and returns the registry version (cache invalidation across nodes). */
int store_registry_bump(struct store_conn *c);
int store_registry_version(struct store_conn *c, int64_t *version);
/* The versions a submission depends on, in one read (0 when a key is missing): routing and
 * deadlines — [0] registry, [1] working calendar, [2] bodies' own deadlines; equal versions =
 * the same routing result (STORE_ROUTING_VERSIONS of them) — then [3] webhooks (the list an
 * event goes to) and [4] role grants (who is notified). */
#define STORE_ROUTING_VERSIONS 3
#define STORE_VERSIONS         5
int store_routing_versions(struct store_conn *c, int64_t out[STORE_VERSIONS]);

/* Registry queries used by the resolver and the polygon writer. */
/* category_id of a topic; ERR_NOTFOUND when no such topic. */
int store_topic_category(struct store_conn *c, int64_t topic_id, int64_t *category_id);
/* Rules that may apply to a topic: columns id, code, topic_id, category_id, territory_id,
 * org_id, org name (active organisations only). */
int store_rules_for_topic(struct store_conn *c, struct arena *a, int64_t topic_id,
                          int64_t category_id, struct store_rows *out);
/* Active territories with a polygon: columns id, parent_id, polygon. */
int store_territory_polygons(struct store_conn *c, struct arena *a, struct store_rows *out);
/* Sets (geojson != NULL) or clears a territory's polygon. */
int store_territory_set_polygon(struct store_conn *c, int64_t id, const char *geojson, size_t len,
                                int64_t now);

#endif
