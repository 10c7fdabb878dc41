/* geo.h: distances between points and a grid index of points (for "nearby" lookups). */
#ifndef OTKLIK_TEXT_GEO_H
#define OTKLIK_TEXT_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Great-circle distance in metres (equirectangular; exact enough below a few km). */
double geo_dist_m(double lat1, double lon1, double lat2, double lon2);
/* True when both coordinates are finite and within the valid range. */
bool geo_valid(double lat, double lon);

/* A hash grid: cells of cell_m metres, each holding a list of uint32 payloads. Keys may be
 * namespaced by a 32-bit tag (e.g. a category), so one grid serves many partitions. */
struct geo_grid {
	double cell_m;
	uint64_t *keys; /* 0 = empty */
	uint32_t **lists;
	uint32_t *lens, *caps;
	size_t n, cap;
};

/* An empty grid of cell_m-metre cells; release frees it. */
void geo_grid_init(struct geo_grid *g, double cell_m);
void geo_grid_release(struct geo_grid *g);
/* Adds payload at a point under tag (duplicates allowed). */
void geo_grid_add(struct geo_grid *g, uint32_t tag, double lat, double lon, uint32_t payload);
/* Removes one occurrence of payload from its cell; returns 0 or ERR_NOTFOUND. */
int geo_grid_remove(struct geo_grid *g, uint32_t tag, double lat, double lon, uint32_t payload);
/* Payload lists of the 3×3 cells around a point: calls fn for each list. */
void geo_grid_near(const struct geo_grid *g, uint32_t tag, double lat, double lon,
                   void (*fn)(void *ctx, const uint32_t *items, size_t n), void *ctx);

#endif
