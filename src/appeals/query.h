/* query.h: reading appeals — the full appeal for one caller, and lists and queues
 * (docs/appeals.md, GET /api/appeals and GET /api/appeals/{id}). */
#ifndef OTKLIK_APPEALS_QUERY_H
#define OTKLIK_APPEALS_QUERY_H

#include "appeals/appeal.h"
#include "appeals/submit.h"
#include "registry/registry.h" /* struct problem */

#include <jansson.h>
#include <stdint.h>

/* The full appeal id as the caller may see it (appeal_detail_json). Returns 0 with *out (new
 * reference), ERR_NOTFOUND when it does not exist or the caller has no rights on it, ERR_DB. */
int appeal_view(struct store *s, struct arena *a, const struct actor *who, int64_t id,
                json_t **out);
/* appeal_view of an appeal this request has just stored (*ap and *cr as appeal_submit gave
 * them, with nattachments attachments): the same answer from one read of names instead of
 * reading the row, its timeline and its routes back. */
int appeal_view_created(struct store *s, struct arena *a, const struct actor *who,
                        const struct appeal *ap, const struct appeal_created *cr,
                        size_t nattachments, json_t **out);

/* GET /api/appeals parameters, raw (NULL / 0 = absent); validated by appeal_list. */
struct appeal_list_params {
	const char *queue, *status, *sort, *q;
	int64_t topic_id, category_id, territory_id, org_id, assignee_id;
	int64_t created_from, created_to;
	int64_t limit, offset; /* limit 0 = the default (50) */
};

/* A page of the appeals the caller may see: {"items": [brief…], "total": n[, "total_capped":
 * true]}. ERR_VALIDATION with p->field for a bad parameter; ERR_DB. */
int appeal_list(struct store *s, struct arena *a, const struct actor *who,
                const struct appeal_list_params *in, json_t **out, struct problem *p);

/* The brief of a list row (APPEAL_COLS then topic_name, territory_name, org_name at off). */
json_t *appeal_brief_named_json(const struct appeal *ap, const char *topic_name,
                                const char *territory_name, const char *org_name);

#endif
