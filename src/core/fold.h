/* fold.h: Unicode case folding for search keys (ё folded to е), via utf8proc. */
#ifndef OTKLIK_CORE_FOLD_H
#define OTKLIK_CORE_FOLD_H

#include "core/arena.h"

#include <stddef.h>

/* Folded copy of s[0..n) in the arena (valid UTF-8 expected; invalid bytes are dropped). */
char *fold_text(struct arena *a, const char *s, size_t n);
/* A LIKE pattern "%<folded q with % _ \ escaped>%" for ESCAPE '\'. */
char *fold_like_pattern(struct arena *a, const char *q);

#endif
