/* geo.c: equirectangular distances and an open-addressing hash grid of points. */
#include "text/geo.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_M 6371000.0
#define DEG     (3.14159265358979323846 / 180.0)

double geo_dist_m(double lat1, double lon1, double lat2, double lon2)
{
	double x = (lon2 - lon1) * DEG * cos((lat1 + lat2) * 0.5 * DEG);
	double y = (lat2 - lat1) * DEG;
	return sqrt(x * x + y * y) * EARTH_M;
}

bool geo_valid(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180 &&
	       !(lat == 0 && lon == 0);
}

void geo_grid_init(struct geo_grid *g, double cell_m)
{
	memset(g, 0, sizeof(*g));
	g->cell_m = cell_m;
}

void geo_grid_release(struct geo_grid *g)
{
	for (size_t i = 0; i < g->cap; i++)
		free(g->lists[i]);
	free(g->keys);
	free(g->lists);
	free(g->lens);
	free(g->caps);
	memset(g, 0, sizeof(*g));
}

/* Rows of cell_m metres in latitude; each row is cut into cells at least cell_m wide. */
static int32_t row_of(const struct geo_grid *g, double lat)
{
	return (int32_t)floor(lat / (g->cell_m / (EARTH_M * DEG)));
}

static int32_t col_of(const struct geo_grid *g, int32_t row, double lon)
{
	double dlat = g->cell_m / (EARTH_M * DEG);
	double c = cos((row + 0.5) * dlat * DEG);
	return (int32_t)floor(lon / (dlat / (c > 0.1 ? c : 0.1)));
}

static void cell_of(const struct geo_grid *g, double lat, double lon, int32_t *cx, int32_t *cy)
{
	*cy = row_of(g, lat);
	*cx = col_of(g, *cy, lon);
}

static uint64_t key_of(uint32_t tag, int32_t cx, int32_t cy)
{
	uint64_t k = ((uint64_t)tag * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(uint32_t)cx << 32) ^
	             (uint64_t)(uint32_t)cy * 0xC2B2AE3D27D4EB4FULL;
	return k ? k : 1;
}

static size_t slot(const struct geo_grid *g, uint64_t k)
{
	size_t m = g->cap - 1, i = (size_t)(k ^ (k >> 29)) & m;
	while (g->keys[i] && g->keys[i] != k)
		i = (i + 1) & m;
	return i;
}

static void grow(struct geo_grid *g)
{
	struct geo_grid b = *g;
	b.cap = g->cap ? g->cap * 2 : 1024;
	b.keys = xcalloc(b.cap, sizeof(*b.keys));
	b.lists = xcalloc(b.cap, sizeof(*b.lists));
	b.lens = xcalloc(b.cap, sizeof(*b.lens));
	b.caps = xcalloc(b.cap, sizeof(*b.caps));
	for (size_t i = 0; i < g->cap; i++) {
		if (!g->keys[i])
			continue;
		size_t j = slot(&b, g->keys[i]);
		b.keys[j] = g->keys[i];
		b.lists[j] = g->lists[i];
		b.lens[j] = g->lens[i];
		b.caps[j] = g->caps[i];
	}
	free(g->keys);
	free(g->lists);
	free(g->lens);
	free(g->caps);
	*g = b;
}

void geo_grid_add(struct geo_grid *g, uint32_t tag, double lat, double lon, uint32_t payload)
{
	if ((g->n + 1) * 2 > g->cap)
		grow(g);
	int32_t cx, cy;
	cell_of(g, lat, lon, &cx, &cy);
	uint64_t k = key_of(tag, cx, cy);
	size_t i = slot(g, k);
	if (!g->keys[i]) {
		g->keys[i] = k;
		g->n++;
	}
	if (g->lens[i] == g->caps[i]) {
		g->caps[i] = g->caps[i] ? g->caps[i] * 2 : 4;
		g->lists[i] = xrealloc(g->lists[i], g->caps[i] * sizeof(**g->lists));
	}
	g->lists[i][g->lens[i]++] = payload;
}

int geo_grid_remove(struct geo_grid *g, uint32_t tag, double lat, double lon, uint32_t payload)
{
	if (!g->cap)
		return ERR_NOTFOUND;
	int32_t cx, cy;
	cell_of(g, lat, lon, &cx, &cy);
	size_t i = slot(g, key_of(tag, cx, cy));
	for (uint32_t j = 0; g->keys[i] && j < g->lens[i]; j++)
		if (g->lists[i][j] == payload) {
			g->lists[i][j] = g->lists[i][--g->lens[i]];
			return 0;
		}
	return ERR_NOTFOUND;
}

void geo_grid_near(const struct geo_grid *g, uint32_t tag, double lat, double lon,
                   void (*fn)(void *ctx, const uint32_t *items, size_t n), void *ctx)
{
	if (!g->cap)
		return;
	int32_t cy = row_of(g, lat);
	for (int dy = -1; dy <= 1; dy++) {
		int32_t cx = col_of(g, cy + dy, lon);
		for (int dx = -1; dx <= 1; dx++) {
			size_t i = slot(g, key_of(tag, cx + dx, cy + dy));
			if (g->keys[i] && g->lens[i])
				fn(ctx, g->lists[i], g->lens[i]);
		}
	}
}
