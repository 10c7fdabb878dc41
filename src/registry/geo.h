/* geo.h: GeoJSON (Multi)Polygon shapes, point-in-polygon and great-circle distance. */
#ifndef OTKLIK_REGISTRY_GEO_H
#define OTKLIK_REGISTRY_GEO_H

#include <stdbool.h>
#include <stddef.h>

/* Most points a shape may hold (all rings of all polygons together). */
#define GEO_MAX_POINTS 200000

/* One Polygon or MultiPolygon, with holes, plus its bounding box. Opaque. */
struct geo_shape;

/*
 * Parse a GeoJSON geometry (Polygon or MultiPolygon) or a Feature holding one, from
 * json[0..len) (need not be NUL-terminated). Positions are [lon, lat] or [lon, lat, alt];
 * every ring must have at least 4 positions and be closed; |lat| <= 90, |lon| <= 180; at
 * most GEO_MAX_POINTS positions. Ring orientation is not checked (either winding is accepted).
 * Returns 0 and a new shape in *out (free it with geo_shape_free), or ERR_INVALID with
 * *out set to NULL.
 */
int geo_shape_parse(const char *json, size_t len, struct geo_shape **out);

/*
 * Whether the point lies in the shape. Polygons are closed sets: a point on any ring's
 * boundary (an edge or a vertex, of an outer ring or of a hole) counts as inside. Inside a
 * hole (strictly) is outside. A MultiPolygon holds the points any of its polygons holds.
 */
bool geo_shape_contains(const struct geo_shape *s, double lat, double lon);

/* The shape's bounding box in degrees. */
void geo_shape_bbox(const struct geo_shape *s, double *min_lat, double *min_lon, double *max_lat,
                    double *max_lon);

/* Number of positions the shape holds (closing positions included). */
size_t geo_shape_points(const struct geo_shape *s);

/* Great-circle distance in metres between two points (haversine, mean Earth radius). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Free a shape; NULL is a no-op. */
void geo_shape_free(struct geo_shape *s);

#endif
