/* perm.c: walks organisation/territory parents (bounded) to check scoped grants. */
#include "auth/perm.h"
#include "core/err.h"
#include "store/users.h"

#define MAX_DEPTH 32

static bool holds(const struct actor *who, unsigned role, int64_t org_id, int64_t territory_id)
{
	for (size_t i = 0; i < who->ngrants; i++) {
		const struct grant *g = &who->grants[i];
		if (g->role != role)
			continue;
		if (org_id && g->org_id == org_id)
			return true;
		if (territory_id && g->territory_id == territory_id)
			return true;
	}
	return false;
}

int perm_org_scope(struct store_conn *c, const struct actor *who, unsigned role, int64_t org_id,
                   bool *ok)
{
	*ok = false;
	if (who->roles & ROLE_ADMIN) {
		*ok = true;
		return 0;
	}
	if (!(who->roles & role))
		return 0;
	for (int depth = 0; org_id && depth < MAX_DEPTH; depth++) {
		if (holds(who, role, org_id, 0)) {
			*ok = true;
			return 0;
		}
		int64_t parent = 0;
		int rc = store_org_parent(c, org_id, &parent);
		if (rc == ERR_NOTFOUND)
			return 0;
		if (rc)
			return rc;
		org_id = parent;
	}
	return 0;
}

int perm_territory_scope(struct store_conn *c, const struct actor *who, unsigned role,
                         int64_t territory_id, bool *ok)
{
	*ok = false;
	if (who->roles & ROLE_ADMIN) {
		*ok = true;
		return 0;
	}
	if (!(who->roles & role))
		return 0;
	if (!territory_id)
		return 0;
	int64_t chain[MAX_DEPTH];
	size_t n = 0;
	int rc = store_territory_chain(c, territory_id, chain, MAX_DEPTH, &n);
	for (size_t i = 0; !rc && i < n && !*ok; i++)
		*ok = holds(who, role, 0, chain[i]);
	return rc;
}
