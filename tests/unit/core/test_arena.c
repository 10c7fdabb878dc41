/* test_arena.c: unit tests for core/arena.c (region allocator). */
#include <criterion/criterion.h>

#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

Test(arena, alloc_zeroed_aligned_distinct)
{
	struct arena a;
	arena_init(&a, 256);
	char *prev = NULL;
	for (size_t n = 1; n < 200; n += 7) {
		unsigned char *p = arena_alloc(&a, n);
		cr_assert_not_null(p);
		cr_expect_eq((uintptr_t)p % alignof(max_align_t), 0, "aligned for any type (n=%zu)",
		             n);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(p[i], 0, "zeroed (n=%zu, i=%zu)", n, i);
		memset(p, 0xAB, n); /* must not overlap the previous allocation */
		cr_expect_neq((char *)p, prev);
		prev = (char *)p;
	}
	arena_release(&a);
}

Test(arena, allocations_do_not_overlap)
{
	struct arena a;
	arena_init(&a, 128);
	enum { N = 100 };
	unsigned char *ptrs[N];
	for (int i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(&a, 40);
		memset(ptrs[i], i, 40);
	}
	for (int i = 0; i < N; i++)
		for (int k = 0; k < 40; k++)
			cr_assert_eq(ptrs[i][k], (unsigned char)i, "allocation %d clobbered", i);
	arena_release(&a);
}

Test(arena, big_allocation_keeps_head_space)
{
	struct arena a;
	arena_init(&a, 1024);
	char *small1 = arena_alloc(&a, 16);
	char *big = arena_alloc(&a, 100000); /* larger than a block */
	memset(big, 'x', 100000);
	char *small2 = arena_alloc(&a, 16);
	/* The big one-off block must not waste the current block: small2 follows small1. */
	cr_expect(small2 > small1 && small2 - small1 <= 64,
	          "small allocations continue in the head block (distance %td)", small2 - small1);
	cr_expect_eq(big[99999], 'x');
	arena_release(&a);
}

Test(arena, zero_size_and_default_block)
{
	struct arena a;
	arena_init(&a, 0);
	cr_expect_eq(a.block_size, 8192, "0 picks the default block size");
	void *p = arena_alloc(&a, 0);
	cr_expect_not_null(p);
	arena_release(&a);
	cr_expect_null(a.head);
	/* Usable again after release + init. */
	arena_init(&a, 64);
	cr_expect_not_null(arena_alloc(&a, 10));
	arena_release(&a);
}

Test(arena, strdup_strndup_printf)
{
	struct arena a;
	arena_init(&a, 64);
	char *s = arena_strdup(&a, "Калуга");
	cr_expect_str_eq(s, "Калуга");
	char *t = arena_strndup(&a, "abcdef", 3);
	cr_expect_str_eq(t, "abc");
	char *e = arena_strndup(&a, "", 0);
	cr_expect_str_eq(e, "");
	char *f = arena_printf(&a, "%s-%d-%zu", "x", -5, (size_t)42);
	cr_expect_str_eq(f, "x--5-42");
	/* Longer than a block. */
	char *g = arena_printf(&a, "%0300d", 7);
	cr_expect_eq(strlen(g), 300);
	cr_expect_eq(g[299], '7');
	cr_expect_eq(g[0], '0');
	cr_expect_str_eq(s, "Калуга", "earlier strings survive later allocations");
	arena_release(&a);
}
