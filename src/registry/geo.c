/* geo.c: GeoJSON (Multi)Polygon parsing, even-odd point-in-polygon with holes, haversine. */
#include "registry/geo.h"

#include "core/err.h"
#include "core/mem.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A point nearer than this to a ring's edge (in degrees, about 0.1 mm) is on the boundary. */
#define GEO_EDGE_EPS   1e-9
#define EARTH_RADIUS_M 6371008.8
#define DEG_TO_RAD     (3.14159265358979323846 / 180.0)

struct geo_bbox {
	double min_lon, min_lat, max_lon, max_lat;
};

struct geo_ring {
	double *xy; /* n positions: xy[2k] = lon, xy[2k+1] = lat; the last equals the first */
	size_t n;
};

struct geo_poly {
	struct geo_ring *rings; /* rings[0] is the outer ring, the rest are holes */
	size_t nrings;
	struct geo_bbox bbox; /* of the outer ring */
};

struct geo_shape {
	struct geo_poly *polys;
	size_t npolys;
	size_t npoints;
	struct geo_bbox bbox;
};

static void bbox_empty(struct geo_bbox *b)
{
	b->min_lon = b->min_lat = INFINITY;
	b->max_lon = b->max_lat = -INFINITY;
}

static void bbox_add(struct geo_bbox *b, double lon, double lat)
{
	if (lon < b->min_lon)
		b->min_lon = lon;
	if (lon > b->max_lon)
		b->max_lon = lon;
	if (lat < b->min_lat)
		b->min_lat = lat;
	if (lat > b->max_lat)
		b->max_lat = lat;
}

static void bbox_union(struct geo_bbox *b, const struct geo_bbox *o)
{
	bbox_add(b, o->min_lon, o->min_lat);
	bbox_add(b, o->max_lon, o->max_lat);
}

static bool bbox_holds(const struct geo_bbox *b, double lon, double lat)
{
	return lon >= b->min_lon - GEO_EDGE_EPS && lon <= b->max_lon + GEO_EDGE_EPS &&
	       lat >= b->min_lat - GEO_EDGE_EPS && lat <= b->max_lat + GEO_EDGE_EPS;
}

/* [lon, lat] or [lon, lat, alt], numbers only, in range. */
static int parse_position(const json_t *pos, double *lon, double *lat)
{
	size_t n = json_array_size(pos);

	if (!json_is_array(pos) || n < 2 || n > 3)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if (!json_is_number(json_array_get(pos, i)))
			return ERR_INVALID;
	*lon = json_number_value(json_array_get(pos, 0));
	*lat = json_number_value(json_array_get(pos, 1));
	if (!isfinite(*lon) || !isfinite(*lat) || fabs(*lon) > 180.0 || fabs(*lat) > 90.0)
		return ERR_INVALID;
	return 0;
}

/* A closed ring of at least 4 positions; *budget is the number of positions still allowed. */
static int parse_ring(const json_t *arr, struct geo_ring *r, struct geo_bbox *bb, size_t *budget)
{
	size_t n = json_array_size(arr);

	if (!json_is_array(arr) || n < 4 || n > *budget)
		return ERR_INVALID;
	*budget -= n;
	r->xy = xmalloc(n * 2 * sizeof(double));
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		if (parse_position(json_array_get(arr, i), &r->xy[2 * i], &r->xy[2 * i + 1]))
			return ERR_INVALID;
		if (bb)
			bbox_add(bb, r->xy[2 * i], r->xy[2 * i + 1]);
	}
	if (r->xy[0] != r->xy[2 * (n - 1)] || r->xy[1] != r->xy[2 * (n - 1) + 1])
		return ERR_INVALID;
	return 0;
}

/* Polygon coordinates: a non-empty array of rings, the first the outer one. */
static int parse_polygon(const json_t *arr, struct geo_poly *p, size_t *budget)
{
	size_t n = json_array_size(arr);

	if (!json_is_array(arr) || n == 0)
		return ERR_INVALID;
	p->rings = xcalloc(n, sizeof(*p->rings));
	bbox_empty(&p->bbox);
	for (size_t i = 0; i < n; i++) {
		p->nrings = i + 1; /* so that a failure frees what was allocated */
		if (parse_ring(json_array_get(arr, i), &p->rings[i], i == 0 ? &p->bbox : NULL,
		               budget))
			return ERR_INVALID;
	}
	return 0;
}

static int parse_geometry(const json_t *g, struct geo_shape *s)
{
	const char *type = json_string_value(json_object_get(g, "type"));
	const json_t *coords = json_object_get(g, "coordinates");
	size_t budget = GEO_MAX_POINTS;
	size_t n;

	if (!json_is_object(g) || !type || !json_is_array(coords))
		return ERR_INVALID;
	if (strcmp(type, "Polygon") == 0) {
		s->polys = xcalloc(1, sizeof(*s->polys));
		s->npolys = 1;
		if (parse_polygon(coords, &s->polys[0], &budget))
			return ERR_INVALID;
	} else if (strcmp(type, "MultiPolygon") == 0) {
		n = json_array_size(coords);
		if (n == 0)
			return ERR_INVALID;
		s->polys = xcalloc(n, sizeof(*s->polys));
		for (size_t i = 0; i < n; i++) {
			s->npolys = i + 1;
			if (parse_polygon(json_array_get(coords, i), &s->polys[i], &budget))
				return ERR_INVALID;
		}
	} else {
		return ERR_INVALID;
	}
	s->npoints = GEO_MAX_POINTS - budget;
	bbox_empty(&s->bbox);
	for (size_t i = 0; i < s->npolys; i++)
		bbox_union(&s->bbox, &s->polys[i].bbox);
	return 0;
}

int geo_shape_parse(const char *json, size_t len, struct geo_shape **out)
{
	json_error_t jerr;
	json_t *root = NULL;
	const json_t *g;
	const char *type;
	struct geo_shape *s = NULL;
	int rc = ERR_INVALID;

	*out = NULL;
	if (!json || len == 0)
		goto out;
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root))
		goto out;
	g = root;
	type = json_string_value(json_object_get(root, "type"));
	/* a Feature's geometry must be a geometry: a Feature inside a Feature is refused below */
	if (type && strcmp(type, "Feature") == 0)
		g = json_object_get(root, "geometry");
	s = xcalloc(1, sizeof(*s));
	rc = parse_geometry(g, s);
out:
	json_decref(root);
	if (rc) {
		geo_shape_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* Whether (x, y) is within GEO_EDGE_EPS of the segment a-b. */
static bool on_segment(double x, double y, const double *a, const double *b)
{
	double dx = b[0] - a[0], dy = b[1] - a[1];
	double len2 = dx * dx + dy * dy, t, qx, qy;

	if (len2 == 0)
		return fabs(x - a[0]) <= GEO_EDGE_EPS && fabs(y - a[1]) <= GEO_EDGE_EPS;
	t = ((x - a[0]) * dx + (y - a[1]) * dy) / len2;
	if (t < 0)
		t = 0;
	else if (t > 1)
		t = 1;
	qx = a[0] + t * dx - x;
	qy = a[1] + t * dy - y;
	return qx * qx + qy * qy <= GEO_EDGE_EPS * GEO_EDGE_EPS;
}

/*
 * Even-odd ray casting along +lon. Returns 1 if the ray crosses the ring an odd number of
 * times, 0 if even, -1 if the point is on the ring itself.
 */
static int ring_test(const struct geo_ring *r, double x, double y)
{
	int odd = 0;

	for (size_t i = 0; i + 1 < r->n; i++) {
		const double *a = &r->xy[2 * i], *b = &r->xy[2 * i + 2];

		if (on_segment(x, y, a, b))
			return -1;
		/* half-open rule on lat so that a vertex on the ray is counted once */
		if ((a[1] > y) != (b[1] > y) &&
		    x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]))
			odd = !odd;
	}
	return odd;
}

bool geo_shape_contains(const struct geo_shape *s, double lat, double lon)
{
	if (!s || !bbox_holds(&s->bbox, lon, lat))
		return false;
	for (size_t i = 0; i < s->npolys; i++) {
		const struct geo_poly *p = &s->polys[i];
		int odd = 0, t;

		if (!bbox_holds(&p->bbox, lon, lat))
			continue;
		for (size_t k = 0; k < p->nrings; k++) {
			t = ring_test(&p->rings[k], lon, lat);
			if (t < 0)
				return true; /* boundaries belong to the polygon */
			odd ^= t;
		}
		if (odd)
			return true;
	}
	return false;
}

void geo_shape_bbox(const struct geo_shape *s, double *min_lat, double *min_lon, double *max_lat,
                    double *max_lon)
{
	*min_lat = s->bbox.min_lat;
	*min_lon = s->bbox.min_lon;
	*max_lat = s->bbox.max_lat;
	*max_lon = s->bbox.max_lon;
}

size_t geo_shape_points(const struct geo_shape *s)
{
	return s ? s->npoints : 0;
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = lat1 * DEG_TO_RAD, p2 = lat2 * DEG_TO_RAD;
	double dp = p2 - p1, dl = (lon2 - lon1) * DEG_TO_RAD;
	double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	if (h > 1.0)
		h = 1.0; /* rounding near antipodes */
	return 2.0 * EARTH_RADIUS_M * asin(sqrt(h));
}

void geo_shape_free(struct geo_shape *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npolys; i++) {
		for (size_t k = 0; k < s->polys[i].nrings; k++)
			free(s->polys[i].rings[k].xy);
		free(s->polys[i].rings);
	}
	free(s->polys);
	free(s);
}
