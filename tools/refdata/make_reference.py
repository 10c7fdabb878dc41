#!/usr/bin/env python3
"""make_reference.py: builds data/reference (regions.csv, regions.geojson) from the shared open data.

Usage: python3 tools/refdata/make_reference.py SHARED_DATA_DIR OUT_DIR [--tolerance-m M]

SHARED_DATA_DIR must hold regions-hflabs/region.csv (HFLabs, CC BY-SA 4.0) and
geo-osm-gislab/russia.geojson + russia_geojson_to_hflabs_region.csv (OSM/GIS-Lab, ODbL).
Python 3 standard library only. The output is deterministic: re-running on the same input
gives byte-identical files.

Simplification is topology-preserving: the source regions share their border vertices exactly,
so every ring is cut into arcs at the junctions (points where the neighbours change) and each
arc is simplified once (Douglas-Peucker on a sinusoidal projection), the same way for both
regions that share it. Neighbouring regions therefore keep a common border: no gaps, no overlaps.
"""

import argparse
import csv
import io
import json
import math
import os
import sys

# Federal subjects whose ISO 3166-2 code in the source is not a RU- code.
ISO_OVERRIDE = {"UA-43": "RU-CR", "UA-40": "RU-SEV"}

# Full official names where "<name> <type spelled out>" is not the right form.
NAME_OVERRIDE = {
	"Кабардино-Балкарская": "Кабардино-Балкарская Республика",
	"Карачаево-Черкесская": "Карачаево-Черкесская Республика",
	"Удмуртская": "Удмуртская Республика",
	"Чеченская": "Чеченская Республика",
	"Чувашская Республика": "Чувашская Республика — Чувашия",
	"Саха /Якутия/": "Республика Саха (Якутия)",
	"Северная Осетия - Алания": "Республика Северная Осетия — Алания",
	"Кемеровская область - Кузбасс": "Кемеровская область — Кузбасс",
	"Ханты-Мансийский Автономный округ - Югра": "Ханты-Мансийский автономный округ — Югра",
	"Еврейская": "Еврейская автономная область",
}

TYPE_WORDS = {"обл": "область", "край": "край", "АО": "автономный округ"}

EARTH_M_PER_DEG = 111320.0


def full_name(name, kind):
	"""The usual official Russian name of a federal subject from HFLabs name + type."""
	if name in NAME_OVERRIDE:
		return NAME_OVERRIDE[name]
	if kind == "Респ":
		return "Республика " + name
	if kind == "г":
		return name
	if kind in TYPE_WORDS:
		return name + " " + TYPE_WORDS[kind]
	raise SystemExit("unknown region type %r for %r" % (kind, name))


def read_regions(shared):
	"""Rows for regions.csv (without the country row), in the source order (KLADR code)."""
	path = os.path.join(shared, "regions-hflabs", "region.csv")
	rows = []
	with open(path, encoding="utf-8", newline="") as f:
		for r in csv.DictReader(f):
			if not r["federal_district"]:
				continue  # Baikonur: a city leased to Russia, not a federal subject
			iso = ISO_OVERRIDE.get(r["iso_code"], r["iso_code"])
			if not iso.startswith("RU-"):
				raise SystemExit("unexpected ISO code %r" % r["iso_code"])
			rows.append([iso, "RU", "region", full_name(r["name"], r["type"]),
				     r["okato"], r["oktmo"], iso])
	if len(rows) != 85:
		raise SystemExit("expected 85 federal subjects, got %d" % len(rows))
	return rows


def write_csv(path, header, rows):
	buf = io.StringIO()
	w = csv.writer(buf, lineterminator="\n")
	w.writerow(header)
	w.writerows(rows)
	with open(path, "w", encoding="utf-8", newline="") as f:
		f.write(buf.getvalue())


# ---- geometry -------------------------------------------------------------------------------

def proj(p):
	"""Sinusoidal projection in metres: good enough for simplification distances."""
	lon, lat = p
	return (lon * EARTH_M_PER_DEG * math.cos(math.radians(lat)), lat * EARTH_M_PER_DEG)


def seg_dist2(p, a, b):
	px, py = p
	ax, ay = a
	bx, by = b
	dx, dy = bx - ax, by - ay
	d2 = dx * dx + dy * dy
	if d2 == 0:
		return (px - ax) ** 2 + (py - ay) ** 2
	t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / d2))
	qx, qy = ax + t * dx, ay + t * dy
	return (px - qx) ** 2 + (py - qy) ** 2


def douglas_peucker(pts, tol, forced=()):
	"""Indices kept by Douglas-Peucker (iterative) on projected points; the ends and the
	forced indices are always kept."""
	n = len(pts)
	if n <= 2:
		return list(range(n))
	xy = [proj(p) for p in pts]
	keep = [False] * n
	tol2 = tol * tol
	marks = sorted({0, n - 1} | set(forced))
	for k in marks:
		keep[k] = True
	stack = list(zip(marks, marks[1:]))
	while stack:
		i, j = stack.pop()
		best, bi = -1.0, -1
		for k in range(i + 1, j):
			d = seg_dist2(xy[k], xy[i], xy[j])
			if d > best:
				best, bi = d, k
		if bi >= 0 and best > tol2:
			keep[bi] = True
			stack.append((i, bi))
			stack.append((bi, j))
	return [k for k in range(n) if keep[k]]


def farthest(pts, i, j):
	"""Index in (i, j) farthest from the segment pts[i]-pts[j], or -1 if there is none."""
	a, b = proj(pts[i]), proj(pts[j])
	best, bi = -1.0, -1
	for k in range(i + 1, j):
		d = seg_dist2(proj(pts[k]), a, b)
		if d > best:
			best, bi = d, k
	return bi


def ring_area(r):
	"""Signed area in square degrees (shoelace); positive = counter-clockwise."""
	s = 0.0
	for k in range(len(r) - 1):
		s += r[k][0] * r[k + 1][1] - r[k + 1][0] * r[k][1]
	return s / 2.0


def ring_area_km2(r):
	lat = sum(p[1] for p in r) / len(r)
	return abs(ring_area(r)) * (EARTH_M_PER_DEG / 1000.0) ** 2 * math.cos(math.radians(lat))


def polygons_of(geom):
	if geom["type"] == "Polygon":
		return [geom["coordinates"]]
	if geom["type"] == "MultiPolygon":
		return geom["coordinates"]
	raise SystemExit("unexpected geometry type %r" % geom["type"])


def find_junctions(rings):
	"""Points where rings meet or part: a vertex seen with different neighbours somewhere."""
	seen = {}
	junctions = set()
	for r in rings:
		n = len(r)
		for k in range(n):
			p = r[k]
			nb = frozenset((r[k - 1], r[(k + 1) % n]))
			old = seen.get(p)
			if old is None:
				seen[p] = nb
			elif old != nb:
				junctions.add(p)
	return junctions


class ArcSimplifier:
	"""Simplifies an arc identically whichever direction it is walked in.

	refine() makes chosen segments follow the source more closely, one more point at a time."""

	def __init__(self, tol, decimals):
		self.tol = tol
		self.decimals = decimals
		self.forced = {}  # canonical arc -> indices that must be kept
		self.cache = {}
		self.owner = {}  # rounded segment (both directions) -> (canonical arc, i, j)

	def simplify(self, arc):
		arc = tuple(arc)
		rev = arc[::-1]
		canon, flipped = (arc, False) if arc <= rev else (rev, True)
		out = self.cache.get(canon)
		if out is None:
			idx = douglas_peucker(canon, self.tol, self.forced.get(canon, ()))
			out = [canon[i] for i in idx]
			self.cache[canon] = out
			for i, j in zip(idx, idx[1:]):
				ra, rb = self.rounded(canon[i]), self.rounded(canon[j])
				self.owner[(ra, rb)] = self.owner[(rb, ra)] = (canon, i, j)
		return out[::-1] if flipped else list(out)

	def rounded(self, p):
		return (round(p[0], self.decimals), round(p[1], self.decimals))

	def refine(self, segments):
		"""Split each of these segments at the source point farthest from it. False if none
		could be split (what crossings are left are in the source data)."""
		changed = False
		for seg in segments:
			hit = self.owner.get(seg)
			if hit is None:
				continue
			canon, i, j = hit
			k = farthest(canon, i, j)
			if k < 0 or k in self.forced.get(canon, ()):
				continue
			self.forced.setdefault(canon, set()).add(k)
			self.cache.pop(canon, None)
			changed = True
		return changed


def crossing_segments(polys):
	"""Segments of the shape that properly cross another segment of the same shape."""
	segs = [(r[i], r[i + 1]) for pl in polys for r in pl for i in range(len(r) - 1)]
	grid = {}
	cell = 0.25
	for k, (a, b) in enumerate(segs):
		for gx in range(int(math.floor(min(a[0], b[0]) / cell)), int(math.floor(max(a[0], b[0]) / cell)) + 1):
			for gy in range(int(math.floor(min(a[1], b[1]) / cell)), int(math.floor(max(a[1], b[1]) / cell)) + 1):
				grid.setdefault((gx, gy), []).append(k)

	def orient(p, q, r):
		v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
		return (v > 0) - (v < 0)

	out = set()
	for ks in grid.values():
		for i in range(len(ks)):
			a, b = segs[ks[i]]
			for j in range(i + 1, len(ks)):
				c, d = segs[ks[j]]
				if orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0:
					out.add((a, b))
					out.add((c, d))
	return out


def simplify_ring(r, junctions, simp):
	"""r is an open ring (no closing point). Returns an open simplified ring."""
	n = len(r)
	cuts = [k for k in range(n) if r[k] in junctions]
	if len(cuts) < 2:
		# A ring with no (or one) junction: cut it at canonical points (the smallest vertex and
		# the vertex farthest from it), which both sides of a shared ring agree on.
		s = min(range(n), key=lambda k: r[k])
		p0 = proj(r[s])
		far = max(range(n), key=lambda k: ((proj(r[k])[0] - p0[0]) ** 2 +
						     (proj(r[k])[1] - p0[1]) ** 2, r[k]))
		cuts = sorted({s, far} | set(cuts))
		if len(cuts) < 2:
			return []
	out = []
	for c in range(len(cuts)):
		a, b = cuts[c], cuts[(c + 1) % len(cuts)]
		arc = r[a:b + 1] if b > a else r[a:] + r[:b + 1]
		out.extend(simp.simplify(arc)[:-1])
	return out


def finish_ring(r, decimals, want_ccw):
	"""Round, drop repeated points, close, orient. None if the ring degenerates."""
	q = []
	for lon, lat in r:
		p = (round(lon, decimals), round(lat, decimals))
		if not q or q[-1] != p:
			q.append(p)
	while len(q) > 1 and q[0] == q[-1]:
		q.pop()
	if len(set(q)) < 3:
		return None
	q.append(q[0])
	if ring_area(q) == 0:
		return None
	if (ring_area(q) > 0) != want_ccw:
		q.reverse()
	return q


def build_geojson(shared, tol_m, decimals, min_island_km2):
	geo_dir = os.path.join(shared, "geo-osm-gislab")
	with open(os.path.join(geo_dir, "russia_geojson_to_hflabs_region.csv"), encoding="utf-8") as f:
		code_of = {r["geojson_name"]: r["iso_3166_2"] for r in csv.DictReader(f)}
	with open(os.path.join(geo_dir, "russia.geojson"), encoding="utf-8") as f:
		src = json.load(f)

	feats = []
	for ft in src["features"]:
		name = ft["properties"]["name"]
		if name not in code_of:
			raise SystemExit("no ISO code for %r in the crosswalk" % name)
		polys = []
		for pl in polygons_of(ft["geometry"]):
			rings = [[tuple(p[:2]) for p in ring[:-1]] if ring[0] == ring[-1]
				 else [tuple(p[:2]) for p in ring] for ring in pl]
			polys.append(rings)
		feats.append((code_of[name], polys))
	codes = [c for c, _ in feats]
	if len(set(codes)) != len(codes):
		raise SystemExit("duplicate region codes in the polygons")

	all_rings = [r for _, polys in feats for pl in polys for r in pl]
	junctions = find_junctions(all_rings)
	simp = ArcSimplifier(tol_m, decimals)
	# Simplification can make a ring cross itself or another ring of its region: the segments
	# at fault get back the source point farthest from them, until no crossing is left that
	# simplification made (the source itself has a few, which are kept as they are).
	for _ in range(50):
		out_feats, stats = simplify_all(feats, junctions, simp, decimals, min_island_km2)
		bad = set()
		for ft in out_feats:
			g = ft["geometry"]
			bad |= crossing_segments([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"])
		stats["crossings"] = len(bad) // 2
		if not simp.refine(bad):
			break
	stats["in"] = sum(len(r) for r in all_rings)
	return {"type": "FeatureCollection", "features": out_feats}, stats


def simplify_all(feats, junctions, simp, decimals, min_island_km2):
	out_feats = []
	stats = {"out": 0, "dropped_islands": 0}
	for code, polys in sorted(feats):
		# Keep the largest part always; drop other parts smaller than min_island_km2.
		areas = [ring_area_km2(pl[0] + [pl[0][0]]) for pl in polys]
		biggest = max(range(len(polys)), key=lambda k: areas[k])
		new_polys = []
		for k, pl in enumerate(polys):
			if k != biggest and areas[k] < min_island_km2:
				stats["dropped_islands"] += 1
				continue
			outer = finish_ring(simplify_ring(pl[0], junctions, simp), decimals, True)
			if outer is None:
				stats["dropped_islands"] += 1
				continue
			holes = []
			for h in pl[1:]:
				fh = finish_ring(simplify_ring(h, junctions, simp), decimals, False)
				if fh is not None:
					holes.append(fh)
			new_polys.append([outer] + holes)
		if not new_polys:
			raise SystemExit("region %s vanished; lower the tolerance" % code)
		stats["out"] += sum(len(r) for pl in new_polys for r in pl)
		if len(new_polys) == 1:
			geom = {"type": "Polygon", "coordinates": new_polys[0]}
		else:
			geom = {"type": "MultiPolygon", "coordinates": new_polys}
		out_feats.append({"type": "Feature", "properties": {"code": code}, "geometry": geom})
	return out_feats, stats


def dump_geojson(fc):
	"""Compact JSON, one feature per line (diffs stay readable), floats without trailing noise."""
	def num(x):
		s = repr(float(x))
		return s[:-2] if s.endswith(".0") else s

	def coords(c):
		if isinstance(c, (tuple, list)) and c and isinstance(c[0], (int, float)):
			return "[" + ",".join(num(v) for v in c) + "]"
		return "[" + ",".join(coords(x) for x in c) + "]"

	lines = ['{"type":"FeatureCollection","features":[']
	for i, ft in enumerate(fc["features"]):
		g = ft["geometry"]
		lines.append('{"type":"Feature","properties":%s,"geometry":{"type":"%s","coordinates":%s}}%s'
			     % (json.dumps(ft["properties"], ensure_ascii=False, separators=(",", ":")),
				g["type"], coords(g["coordinates"]),
				"," if i + 1 < len(fc["features"]) else ""))
	lines.append("]}")
	return "\n".join(lines) + "\n"


def main():
	ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	ap.add_argument("shared", help="the shared data directory")
	ap.add_argument("out", help="output directory, e.g. data/reference")
	ap.add_argument("--tolerance-m", type=float, default=2000.0,
			help="Douglas-Peucker tolerance in metres (default 2000)")
	ap.add_argument("--decimals", type=int, default=4, help="coordinate decimals (default 4)")
	ap.add_argument("--min-island-km2", type=float, default=30.0,
			help="drop secondary parts smaller than this (default 30 km²)")
	a = ap.parse_args()

	os.makedirs(a.out, exist_ok=True)
	regions = read_regions(a.shared)
	write_csv(os.path.join(a.out, "regions.csv"),
		  ["code", "parent_code", "kind", "name", "okato", "oktmo", "iso"],
		  [["RU", "", "country", "Российская Федерация", "", "", "RU"]] + regions)

	fc, st = build_geojson(a.shared, a.tolerance_m, a.decimals, a.min_island_km2)
	known = {r[0] for r in regions}
	for ft in fc["features"]:
		if ft["properties"]["code"] not in known:
			raise SystemExit("polygon for unknown region %s" % ft["properties"]["code"])
	text = dump_geojson(fc)
	with open(os.path.join(a.out, "regions.geojson"), "w", encoding="utf-8") as f:
		f.write(text)
	without = sorted(known - {ft["properties"]["code"] for ft in fc["features"]})
	print("regions.csv: %d rows; regions.geojson: %d features, %d -> %d points, "
	      "%d small parts dropped, %d crossing segment pairs left, %d bytes; no polygon: %s"
	      % (len(regions) + 1, len(fc["features"]), st["in"], st["out"], st["dropped_islands"],
		 st["crossings"], len(text.encode()), ", ".join(without)), file=sys.stderr)


if __name__ == "__main__":
	main()
