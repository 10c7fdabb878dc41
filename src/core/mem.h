/* mem.h: allocation that never returns NULL (out-of-memory aborts here, in one place). */
#ifndef OTKLIK_CORE_MEM_H
#define OTKLIK_CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow an array of elem_size elements to hold at least need; *cap is updated. */
void *xgrow(void *p, size_t elem_size, size_t need, size_t *cap);

#endif
