/* plist.c (store, private): self-numbering parameter lists (plist.h). */
#include "store/plist.h"
#include "core/buf.h"

#include <string.h>

void pl_init(struct plist *p, struct arena *a, size_t cap)
{
	p->a = a;
	p->cap = cap;
	p->n = 0;
	p->v = arena_alloc(a, cap * sizeof(*p->v));
}

const char *pl_add(struct plist *p, struct store_val v)
{
	if (p->n == p->cap) {
		struct store_val *nv = arena_alloc(p->a, 2 * p->cap * sizeof(*nv));
		memcpy(nv, p->v, p->n * sizeof(*nv));
		p->v = nv;
		p->cap *= 2;
	}
	p->v[p->n++] = v;
	return arena_printf(p->a, "$%zu", p->n);
}

const char *pl_ids(struct plist *p, const int64_t *ids, size_t n)
{
	if (!n)
		return "-1";
	struct buf b = BUF_INIT(1u << 20);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(&b, ",");
		buf_puts(&b, pl_add(p, sv_int(ids[i])));
	}
	char *s = arena_strndup(p->a, b.data, b.len);
	buf_release(&b);
	return s;
}
