/* audit.h: the append-only audit log of every state change. */
#ifndef OTKLIK_AUDIT_AUDIT_H
#define OTKLIK_AUDIT_AUDIT_H

#include "auth/actor.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

/* Records who (actor; NULL = the system), what (action on entity/id) and the before/after
 * values (either may be NULL). Call inside the same write job as the change. Does not steal
 * references. */
int audit_record(struct store_conn *c, const struct actor *who, const char *action,
                 const char *entity, int64_t entity_id, json_t *before, json_t *after);

#endif
