/* fold.h: Unicode case folding for search keys (ё folded to е), via utf8proc. */
#ifndef OTKLIK_CORE_FOLD_H
#define OTKLIK_CORE_FOLD_H

#include "core/arena.h"

#include <stddef.h>

/* The fold of s[0..n): utf8proc_map with STABLE|COMPOSE|CASEFOLD, then ё → е. *out is
 * malloc'ed (NUL-terminated; the caller frees it); returns its length, or -1 on invalid UTF-8
 * (*out NULL). Text made only of ASCII, the Russian alphabet and common punctuation (« » — –
 * … “ ” № and the no-break space) is folded by a table, as utf8proc would, without it. */
long fold_map(const char *s, size_t n, char **out);

/* Folded copy of s[0..n) in the arena (valid UTF-8 expected; invalid bytes are dropped). */
char *fold_text(struct arena *a, const char *s, size_t n);
/* A LIKE pattern "%<folded q with % _ \ escaped>%" for ESCAPE '\'. */
char *fold_like_pattern(struct arena *a, const char *q);

#endif
