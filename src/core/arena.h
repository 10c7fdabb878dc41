/* arena.h: a region allocator; everything allocated from it is freed at once (one per request). */
#ifndef OTKLIK_CORE_ARENA_H
#define OTKLIK_CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t block_size;
};

void arena_init(struct arena *a, size_t block_size);
/* Frees every block; the arena can be used again after arena_init. */
void arena_release(struct arena *a);
/* Never NULL; memory aligned for any type; zeroed. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
