/* test_geo.c: unit tests for registry/geo.c (GeoJSON shapes, point-in-polygon, distance). */
#include <criterion/criterion.h>

#include "core/buf.h"
#include "core/err.h"
#include "registry/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct geo_shape *parse_ok(const char *json)
{
	struct geo_shape *s = NULL;
	int rc = geo_shape_parse(json, strlen(json), &s);

	cr_assert_eq(rc, 0, "expected valid: %s", json);
	cr_assert_not_null(s);
	return s;
}

static void parse_bad(const char *json)
{
	struct geo_shape *s = (struct geo_shape *)&s; /* must be reset to NULL */
	int rc = geo_shape_parse(json, strlen(json), &s);

	cr_expect_eq(rc, ERR_INVALID, "expected ERR_INVALID for: %.200s", json);
	cr_expect_null(s);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	cr_assert_not_null(f, "cannot open %s (run the tests from the project root)", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	cr_assert_not_null(p);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static struct geo_shape *parse_file(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	struct geo_shape *s = NULL;

	cr_assert_eq(geo_shape_parse(text, len, &s), 0, "%s should parse", path);
	free(text);
	return s;
}

#define SQUARE "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}"

/* contains() takes (lat, lon); the GeoJSON above is [lon, lat]. */
Test(geo, square_inside_outside)
{
	struct geo_shape *s = parse_ok(SQUARE);

	cr_expect(geo_shape_contains(s, 5, 5));
	cr_expect(geo_shape_contains(s, 0.001, 9.999));
	cr_expect_not(geo_shape_contains(s, 5, 15));
	cr_expect_not(geo_shape_contains(s, 15, 5));
	cr_expect_not(geo_shape_contains(s, -0.001, 5));
	cr_expect_not(geo_shape_contains(s, 5, 10.000001));
	cr_expect_eq(geo_shape_points(s), 5);
	geo_shape_free(s);
}

/* Chosen behaviour: polygons are closed sets, every edge and vertex is inside. */
Test(geo, square_edges_and_vertices_are_inside)
{
	struct geo_shape *s = parse_ok(SQUARE);

	cr_expect(geo_shape_contains(s, 0, 5), "bottom edge");
	cr_expect(geo_shape_contains(s, 10, 5), "top edge");
	cr_expect(geo_shape_contains(s, 5, 0), "left edge");
	cr_expect(geo_shape_contains(s, 5, 10), "right edge");
	cr_expect(geo_shape_contains(s, 0, 0), "vertex");
	cr_expect(geo_shape_contains(s, 10, 10), "vertex");
	cr_expect(geo_shape_contains(s, 10, 0), "vertex");
	cr_expect(geo_shape_contains(s, 0, 10), "vertex");
	geo_shape_free(s);
}

Test(geo, clockwise_ring_gives_the_same_answers)
{
	struct geo_shape *s = parse_ok(
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[0,10],[10,10],[10,0],[0,0]]]}");

	cr_expect(geo_shape_contains(s, 5, 5));
	cr_expect_not(geo_shape_contains(s, 5, 11));
	cr_expect(geo_shape_contains(s, 10, 10));
	geo_shape_free(s);
}

/* A ray through a vertex must be counted once (inside) or twice (outside), never wrongly. */
Test(geo, ray_through_vertices)
{
	struct geo_shape *s = parse_ok("{\"type\":\"Polygon\",\"coordinates\":"
	                               "[[[0,5],[5,0],[10,5],[5,10],[0,5]]]}");

	cr_expect(geo_shape_contains(s, 5, 2), "ray passes the vertex at (5,10)");
	cr_expect(geo_shape_contains(s, 5, 5));
	cr_expect_not(geo_shape_contains(s, 5, -3), "ray passes two vertices");
	cr_expect_not(geo_shape_contains(s, 1, 1), "inside the bbox, outside the diamond");
	cr_expect(geo_shape_contains(s, 2.5, 2.5), "on an edge");
	geo_shape_free(s);
}

Test(geo, concave_polygon)
{
	/* a U: the notch (4..6, 3..10) is outside */
	struct geo_shape *s =
	    parse_ok("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[6,10],[6,3],"
	             "[4,3],[4,10],[0,10],[0,0]]]}");

	cr_expect(geo_shape_contains(s, 8, 2));
	cr_expect(geo_shape_contains(s, 8, 8));
	cr_expect_not(geo_shape_contains(s, 8, 5));
	cr_expect(geo_shape_contains(s, 2, 5));
	cr_expect(geo_shape_contains(s, 3, 5), "bottom of the notch is an edge");
	geo_shape_free(s);
}

Test(geo, square_with_hole)
{
	struct geo_shape *s = parse_file("tests/fixtures/geo/square_with_hole.feature.geojson");

	cr_expect(geo_shape_contains(s, 1, 1));
	cr_expect(geo_shape_contains(s, 8, 5));
	cr_expect_not(geo_shape_contains(s, 5, 5), "in the hole");
	cr_expect_not(geo_shape_contains(s, 3.5, 6.9), "in the hole");
	cr_expect(geo_shape_contains(s, 3, 5), "the hole's edge belongs to the polygon");
	cr_expect(geo_shape_contains(s, 7, 7), "the hole's vertex belongs to the polygon");
	cr_expect_not(geo_shape_contains(s, 11, 5));
	geo_shape_free(s);
}

Test(geo, multipolygon)
{
	struct geo_shape *s = parse_file("tests/fixtures/geo/two_islands.multipolygon.geojson");
	double a, b, c, d;

	cr_expect(geo_shape_contains(s, 54.25, 36.25), "first part");
	cr_expect(geo_shape_contains(s, 55.2, 37.2), "second part");
	cr_expect_not(geo_shape_contains(s, 55.5, 37.5), "hole of the second part");
	cr_expect_not(geo_shape_contains(s, 54.7, 36.7), "between the parts, inside the bbox");
	cr_expect_not(geo_shape_contains(s, 60, 30));
	geo_shape_bbox(s, &a, &b, &c, &d);
	cr_expect_float_eq(a, 54.0, 1e-12);
	cr_expect_float_eq(b, 36.0, 1e-12);
	cr_expect_float_eq(c, 56.0, 1e-12);
	cr_expect_float_eq(d, 38.0, 1e-12);
	cr_expect_eq(geo_shape_points(s), 15);
	geo_shape_free(s);
}

Test(geo, feature_and_altitude_accepted)
{
	struct geo_shape *s = parse_ok(
	    "{\"type\":\"Feature\",\"properties\":{\"code\":\"x\"},\"geometry\":"
	    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0,1],[1,0,1],[1,1,2],[0,1],[0,0,1]]]}}");

	cr_expect(geo_shape_contains(s, 0.5, 0.5));
	geo_shape_free(s);
	/* the slice need not be NUL-terminated: parse only the geometry at the front */
	{
		const char *two = SQUARE "garbage";
		struct geo_shape *t = NULL;

		cr_expect_eq(geo_shape_parse(two, strlen(SQUARE), &t), 0);
		cr_expect(geo_shape_contains(t, 5, 5));
		geo_shape_free(t);
	}
}

Test(geo, ranges_at_the_limits_are_valid)
{
	struct geo_shape *s = parse_ok("{\"type\":\"Polygon\",\"coordinates\":"
	                               "[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}");

	cr_expect(geo_shape_contains(s, 0, 0));
	cr_expect(geo_shape_contains(s, 90, 180));
	geo_shape_free(s);
}

Test(geo, invalid_inputs)
{
	parse_bad("");
	parse_bad("not json");
	parse_bad("[]");
	parse_bad("null");
	parse_bad("{\"type\":\"Polygon\"}");
	parse_bad("{\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"Point\",\"coordinates\":[0,0]}");
	parse_bad("{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}");
	parse_bad("{\"type\":\"GeometryCollection\",\"geometries\":[" SQUARE "]}");
	parse_bad("{\"type\":\"FeatureCollection\",\"features\":[]}");
	parse_bad("{\"type\":\"Feature\",\"geometry\":null}");
	parse_bad("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Feature\",\"geometry\":" SQUARE
	          "}}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[]}");
	parse_bad("{\"type\":\"MultiPolygon\",\"coordinates\":[]}");
	parse_bad("{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}");
	/* non-numeric coordinates */
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[\"1\",0],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,null],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,true],[1,1],[0,0]]]}");
	/* positions with too few / too many elements */
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0,0,0],[1,1],[0,0]]]}");
	/* rings: fewer than 4 positions, not closed */
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0.5,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0.5]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
	          "[[3,3],[7,3],[7,7],[3,7]]]}");
	/* out of range */
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,91],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,-90.5],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[-180.0001,0],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1e400,0],[1,1],[0,0]]]}");
	/* nesting: a MultiPolygon's coordinates given to a Polygon, and the reverse */
	parse_bad("{\"type\":\"Polygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]]]}");
	parse_bad("{\"type\":\"MultiPolygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}");
	parse_bad("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[[0,0],[1,0],[1,1],[0,0]]]]]}");
	/* duplicate keys are ambiguous */
	parse_bad("{\"type\":\"Polygon\",\"type\":\"Polygon\",\"coordinates\":"
	          "[[[0,0],[1,0],[1,1],[0,0]]]}");
	{
		size_t len;
		char *text = read_file("tests/fixtures/geo/unclosed_ring.invalid.geojson", &len);

		parse_bad(text);
		free(text);
	}
}

/* A circle of n positions (n - 1 distinct + the closing one) as a Polygon. */
static char *circle_json(size_t n)
{
	struct buf b = BUF_INIT(64u << 20);

	cr_assert_eq(buf_puts(&b, "{\"type\":\"Polygon\",\"coordinates\":[["), 0);
	for (size_t i = 0; i < n; i++) {
		double a = 2 * 3.14159265358979 * (double)(i % (n - 1)) / (double)(n - 1);

		cr_assert_eq(buf_printf(&b, "%s[%.7f,%.7f]", i ? "," : "", 36.25 + cos(a),
		                        54.5 + 0.5 * sin(a)),
		             0);
	}
	cr_assert_eq(buf_puts(&b, "]]}"), 0);
	return buf_detach(&b, NULL);
}

Test(geo, point_limit)
{
	char *ok = circle_json(GEO_MAX_POINTS);
	char *big = circle_json(GEO_MAX_POINTS + 1);
	struct geo_shape *s = parse_ok(ok);

	cr_expect_eq(geo_shape_points(s), GEO_MAX_POINTS);
	cr_expect(geo_shape_contains(s, 54.5, 36.25));
	cr_expect_not(geo_shape_contains(s, 54.99, 37.2));
	geo_shape_free(s);
	parse_bad(big);
	free(ok);
	free(big);
}

Test(geo, free_null_is_a_noop)
{
	geo_shape_free(NULL);
}

Test(geo, distance)
{
	/* Kremlin to Palace Square: about 634.5 km along the great circle */
	cr_expect_float_eq(geo_distance_m(55.7520, 37.6175, 59.9390, 30.3158), 634490.0, 100.0);
	cr_expect_float_eq(geo_distance_m(0, 0, 1, 0), 111195.08, 0.5);
	cr_expect_float_eq(geo_distance_m(54.51, 36.26, 54.51, 36.26), 0.0, 1e-9);
	cr_expect_float_eq(geo_distance_m(0, 0, 0, 180), 20015114.4, 1.0);
	cr_expect_float_eq(geo_distance_m(10, 20, 30, 40), geo_distance_m(30, 40, 10, 20), 1e-6);
	/* across the antimeridian: 2 degrees of longitude at 65N, not 358 */
	cr_expect_lt(geo_distance_m(65, 179, 65, -179), 100000.0);
}

/* ---- the committed reference data -------------------------------------------------------- */

struct collection {
	size_t n;
	char codes[128][32];
	struct geo_shape *shapes[128];
};

static void load_collection(const char *path, struct collection *c)
{
	size_t len;
	char *text = read_file(path, &len);
	json_error_t err;
	json_t *root = json_loadb(text, len, 0, &err);
	json_t *features = json_object_get(root, "features");
	json_t *ft;
	size_t i;

	cr_assert_not_null(root, "%s: %s", path, err.text);
	cr_assert(json_is_array(features));
	memset(c, 0, sizeof(*c));
	json_array_foreach(features, i, ft)
	{
		const char *code =
		    json_string_value(json_object_get(json_object_get(ft, "properties"), "code"));
		char *one = json_dumps(ft, JSON_COMPACT);

		cr_assert_lt(c->n, 128);
		cr_assert_not_null(code);
		cr_assert_lt(strlen(code), sizeof(c->codes[0]));
		memcpy(c->codes[c->n], code, strlen(code) + 1);
		cr_assert_eq(geo_shape_parse(one, strlen(one), &c->shapes[c->n]), 0,
		             "%s: feature %s does not parse", path, code);
		free(one);
		c->n++;
	}
	json_decref(root);
	free(text);
}

static void free_collection(struct collection *c)
{
	for (size_t i = 0; i < c->n; i++)
		geo_shape_free(c->shapes[i]);
}

static const struct geo_shape *find(const struct collection *c, const char *code)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->codes[i], code) == 0)
			return c->shapes[i];
	cr_assert_fail("no feature %s", code);
	return NULL;
}

/* The code of the only region holding the point; fails if none or several do. */
static const char *region_at(const struct collection *c, double lat, double lon)
{
	const char *hit = NULL;

	for (size_t i = 0; i < c->n; i++) {
		if (!geo_shape_contains(c->shapes[i], lat, lon))
			continue;
		cr_assert_null(hit, "(%f, %f) is in both %s and %s", lat, lon, hit, c->codes[i]);
		hit = c->codes[i];
	}
	cr_assert_not_null(hit, "(%f, %f) is in no region", lat, lon);
	return hit;
}

Test(geo_reference, regions_parse)
{
	struct collection c;

	load_collection("data/reference/regions.geojson", &c);
	cr_expect_eq(c.n, 83, "83 regions have polygons (no Crimea, Sevastopol)");
	free_collection(&c);
}

Test(geo_reference, real_cities)
{
	static const struct {
		const char *name, *code;
		double lat, lon;
	} cities[] = {
	    {"Калуга", "RU-KLU", 54.51, 36.26},
	    {"Москва", "RU-MOW", 55.75, 37.62},
	    {"Зеленоград", "RU-MOW", 55.98, 37.18},
	    {"Санкт-Петербург", "RU-SPE", 59.94, 30.31},
	    {"Владивосток", "RU-PRI", 43.12, 131.89},
	    {"Калининград", "RU-KGD", 54.71, 20.51},
	    {"Обнинск", "RU-KLU", 55.0943, 36.6122},
	    {"Тула", "RU-TUL", 54.19, 37.62},
	    {"Химки", "RU-MOS", 55.89, 37.44},
	    {"Майкоп", "RU-AD", 44.61, 40.10},
	    {"Краснодар", "RU-KDA", 45.04, 38.98},
	    {"Анадырь", "RU-CHU", 64.73, 177.51},
	    {"Петропавловск-Камчатский", "RU-KAM", 53.02, 158.65},
	};
	struct collection c;

	load_collection("data/reference/regions.geojson", &c);
	for (size_t i = 0; i < sizeof(cities) / sizeof(cities[0]); i++)
		cr_expect_str_eq(region_at(&c, cities[i].lat, cities[i].lon), cities[i].code, "%s",
		                 cities[i].name);
	cr_expect_not(geo_shape_contains(find(&c, "RU-MOS"), 55.75, 37.62),
	              "Moscow is not part of Moscow oblast");
	cr_expect_not(geo_shape_contains(find(&c, "RU-LEN"), 59.94, 30.31));
	cr_expect_not(geo_shape_contains(find(&c, "RU-KLU"), 48.0, 10.0));
	free_collection(&c);
}

Test(geo_reference, demo_municipalities)
{
	/* town centres from the HFLabs city list (cities-hflabs/city.csv) */
	static const struct {
		const char *code;
		double lat, lon;
	} towns[] = {
	    {"klu-kaluga", 54.5059848, 36.2516245},
	    {"klu-obninsk", 55.0943144, 36.6121639},
	    {"klu-maloyaroslavets", 55.0177123, 36.4633603},
	    {"klu-kozelsk", 54.0347201, 35.780768},
	    {"klu-lyudinovo", 53.8700828, 34.4385915},
	};
	size_t ntowns = sizeof(towns) / sizeof(towns[0]);
	struct collection regions, munis;
	const struct geo_shape *klu;
	double a, b, c, d;

	load_collection("data/reference/regions.geojson", &regions);
	load_collection("data/demo/municipalities.geojson", &munis);
	klu = find(&regions, "RU-KLU");
	cr_expect_eq(munis.n, ntowns);
	for (size_t i = 0; i < ntowns; i++) {
		const struct geo_shape *m = find(&munis, towns[i].code);

		cr_expect(geo_shape_contains(m, towns[i].lat, towns[i].lon), "%s", towns[i].code);
		cr_expect_str_eq(region_at(&regions, towns[i].lat, towns[i].lon), "RU-KLU", "%s",
		                 towns[i].code);
		/* the whole approximate polygon lies in the region: even the corners of its bbox do
		 */
		geo_shape_bbox(m, &a, &b, &c, &d);
		cr_expect(geo_shape_contains(klu, a, b) && geo_shape_contains(klu, a, d) &&
		              geo_shape_contains(klu, c, b) && geo_shape_contains(klu, c, d),
		          "%s pokes out of RU-KLU", towns[i].code);
		/* the polygons do not overlap: no other town's centre is inside */
		for (size_t k = 0; k < ntowns; k++)
			if (k != i)
				cr_expect_not(geo_shape_contains(m, towns[k].lat, towns[k].lon),
				              "%s holds %s", towns[i].code, towns[k].code);
	}
	free_collection(&regions);
	free_collection(&munis);
}
