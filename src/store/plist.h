/* plist.h (store, private): parameter lists that number themselves — each value added gives the
 * SQL piece its "$k" placeholder. Growable; arena-owned. */
#ifndef OTKLIK_STORE_PLIST_H
#define OTKLIK_STORE_PLIST_H

#include "core/arena.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct plist {
	struct store_val *v;
	size_t n, cap;
	struct arena *a;
};

void pl_init(struct plist *p, struct arena *a, size_t cap);
/* Adds a value and returns its placeholder ("$3"). */
const char *pl_add(struct plist *p, struct store_val v);
/* "$k,$k+1,…" for ids (or "-1" when there are none, which matches no row). */
const char *pl_ids(struct plist *p, const int64_t *ids, size_t n);

#endif
