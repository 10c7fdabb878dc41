/* perm.h: scope checks: a role held on an organisation (or one above it) or on a territory
 * (or one above it). Admin passes every check. */
#ifndef OTKLIK_AUTH_PERM_H
#define OTKLIK_AUTH_PERM_H

#include "auth/actor.h"
#include "store/store.h"

#include <stdbool.h>

/* *ok = actor holds role on org_id or an ancestor organisation. */
int perm_org_scope(struct store_conn *c, const struct actor *who, unsigned role, int64_t org_id,
                   bool *ok);
/* *ok = actor holds role on territory_id or an ancestor territory. territory_id 0 -> false
 * unless admin. */
int perm_territory_scope(struct store_conn *c, const struct actor *who, unsigned role,
                         int64_t territory_id, bool *ok);

#endif
