/* test_geo.c: distances and the hash grid of text/geo.c. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/err.h"
#include "text/geo.h"

Test(geo, distances)
{
	cr_assert_float_eq(geo_dist_m(59.9386, 30.3141, 59.9386, 30.3141), 0, 1e-9);
	/* one thousandth of a degree of latitude is ~111 m */
	cr_assert_float_eq(geo_dist_m(59.9386, 30.3141, 59.9396, 30.3141), 111.2, 0.5);
	/* at 60°N a degree of longitude is half as long */
	cr_assert_float_eq(geo_dist_m(60, 30, 60, 30.002), 111.2, 0.5);
	cr_assert(!geo_valid(NAN, 30));
	cr_assert(!geo_valid(0, 0));
	cr_assert(!geo_valid(91, 0));
	cr_assert(geo_valid(59.9, 30.3));
}

static void count(void *ctx, const uint32_t *items, size_t n)
{
	size_t *c = ctx;
	for (size_t i = 0; i < n; i++)
		*c += items[i];
}

Test(geo, grid_finds_neighbours_within_a_cell_and_respects_tags)
{
	struct geo_grid g;
	geo_grid_init(&g, 150);
	geo_grid_add(&g, 1, 59.9386, 30.3141, 1);
	geo_grid_add(&g, 1, 59.9390, 30.3160, 10);  /* ~110 m away */
	geo_grid_add(&g, 1, 59.9500, 30.3141, 100); /* ~1.3 km away */
	geo_grid_add(&g, 2, 59.9386, 30.3141, 1000);
	size_t c = 0;
	geo_grid_near(&g, 1, 59.9386, 30.3141, count, &c);
	cr_assert_eq(c, 11);
	cr_assert_eq(geo_grid_remove(&g, 1, 59.9390, 30.3160, 10), 0);
	cr_assert_eq(geo_grid_remove(&g, 1, 59.9390, 30.3160, 10), ERR_NOTFOUND);
	c = 0;
	geo_grid_near(&g, 1, 59.9386, 30.3141, count, &c);
	cr_assert_eq(c, 1);
	for (uint32_t i = 0; i < 5000; i++) /* growth keeps lookups right */
		geo_grid_add(&g, 3, 55 + i * 0.01, 37, i);
	c = 0;
	geo_grid_near(&g, 3, 55 + 4321 * 0.01, 37, count, &c);
	cr_assert_eq(c, 4321);
	geo_grid_release(&g);
}
