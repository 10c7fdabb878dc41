/* fuzz_geo.c: libFuzzer target for registry/geo.c: geo_shape_parse on arbitrary bytes, then
 * point-in-polygon checks on what parsed. */
#include "core/err.h"
#include "registry/geo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1); /* not NUL-terminated, on purpose */
	if (size)
		memcpy(in, data, size);
	struct geo_shape *s = (struct geo_shape *)in;
	int rc = geo_shape_parse(in, size, &s);
	if (rc != 0 && rc != ERR_INVALID)
		abort();
	if (rc) {
		if (s)
			abort(); /* *out is NULL on failure */
		free(in);
		return 0;
	}
	if (!s || geo_shape_points(s) < 4 || geo_shape_points(s) > GEO_MAX_POINTS)
		abort();
	double lat0, lon0, lat1, lon1;
	geo_shape_bbox(s, &lat0, &lon0, &lat1, &lon1);
	if (!(lat0 <= lat1 && lon0 <= lon1) || lat0 < -90 || lat1 > 90 || lon0 < -180 || lon1 > 180)
		abort();
	double pts[][2] = {{lat0, lon0},
	                   {lat1, lon1},
	                   {(lat0 + lat1) / 2, (lon0 + lon1) / 2},
	                   {lat0 + (lat1 - lat0) / 3, lon0 + (lon1 - lon0) / 7},
	                   {0, 0},
	                   {90, 180},
	                   {-90, -180}};
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		bool in_shape = geo_shape_contains(s, pts[i][0], pts[i][1]);
		const double e = 1e-6; /* more than the boundary tolerance */
		bool in_box = pts[i][0] >= lat0 - e && pts[i][0] <= lat1 + e &&
		              pts[i][1] >= lon0 - e && pts[i][1] <= lon1 + e;
		if (in_shape && !in_box)
			abort(); /* the shape lies within its bounding box */
	}
	/* Points clearly outside the bounding box (beyond the boundary tolerance) are outside. */
	if (lat1 < 89.9 && geo_shape_contains(s, lat1 + 1e-6, lon0))
		abort();
	if (lon0 > -179.9 && geo_shape_contains(s, lat0, lon0 - 1e-6))
		abort();
	double d = geo_distance_m(lat0, lon0, lat1, lon1);
	if (!(d >= 0) || d > 20100000)
		abort(); /* at most half the Earth's circumference */
	geo_shape_free(s);
	free(in);
	return 0;
}
