#!/usr/bin/env python3
"""make_demo.py: builds data/demo/territories.csv and the approximate municipalities.geojson.

Usage: python3 tools/refdata/make_demo.py SHARED_DATA_DIR data/reference data/demo

Reads the town centres, OKATO/OKTMO codes and populations of the five demo towns of Kaluga
oblast from SHARED_DATA_DIR/cities-hflabs/city.csv (HFLabs, CC BY-SA 4.0). The polygons are NOT
real boundaries: a regular 16-gon around each town centre with a radius that grows with the
population (3 km for 15 000 people, 12 km for Kaluga). The script checks that every polygon lies
inside the RU-KLU polygon of data/reference/regions.geojson and that no two polygons overlap.
Python 3 standard library only; deterministic output.
"""

import csv
import io
import json
import math
import os
import sys

# code, city name in city.csv, kind of municipality, name of the municipality
TOWNS = [
	("klu-kaluga", "Калуга", "urban_okrug", "Городской округ «Город Калуга»"),
	("klu-obninsk", "Обнинск", "urban_okrug", "Городской округ «Город Обнинск»"),
	("klu-maloyaroslavets", "Малоярославец", "urban_settlement",
	 "Городское поселение «Город Малоярославец»"),
	("klu-kozelsk", "Козельск", "urban_settlement", "Городское поселение «Город Козельск»"),
	("klu-lyudinovo", "Людиново", "urban_settlement", "Городское поселение «Город Людиново»"),
]

SIDES = 16
KM_PER_DEG = 111.32


def radius_km(pop):
	"""3 km at 15 000 inhabitants, growing linearly to 12 km at 325 000 (Kaluga)."""
	return max(3.0, min(12.0, 3.0 + 9.0 * (pop - 15000) / 310000.0))


def ngon(lat, lon, r_km):
	"""Counter-clockwise closed ring [lon, lat] of a regular SIDES-gon (local flat-earth)."""
	ring = []
	for k in range(SIDES):
		a = 2 * math.pi * k / SIDES
		dlat = r_km * math.sin(a) / KM_PER_DEG
		dlon = r_km * math.cos(a) / (KM_PER_DEG * math.cos(math.radians(lat)))
		ring.append([round(lon + dlon, 5), round(lat + dlat, 5)])
	ring.append(ring[0])
	return ring


def in_ring(r, x, y):
	c = False
	for i in range(len(r) - 1):
		(x1, y1), (x2, y2) = r[i], r[i + 1]
		if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
			c = not c
	return c


def seg_dist_km(p, a, b, lat0):
	"""Distance from p to segment a-b in km, in a local flat projection around lat0."""
	kx = KM_PER_DEG * math.cos(math.radians(lat0))
	px, py = p[0] * kx, p[1] * KM_PER_DEG
	ax, ay = a[0] * kx, a[1] * KM_PER_DEG
	bx, by = b[0] * kx, b[1] * KM_PER_DEG
	dx, dy = bx - ax, by - ay
	t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
	return math.hypot(px - ax - t * dx, py - ay - t * dy)


def region_polygons(ref_dir, code):
	with open(os.path.join(ref_dir, "regions.geojson"), encoding="utf-8") as f:
		fc = json.load(f)
	for ft in fc["features"]:
		if ft["properties"]["code"] == code:
			g = ft["geometry"]
			return [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
	raise SystemExit("no polygon for %s in %s" % (code, ref_dir))


def main():
	if len(sys.argv) != 4:
		raise SystemExit(__doc__)
	shared, ref_dir, out = sys.argv[1:4]
	cities = {}
	with open(os.path.join(shared, "cities-hflabs", "city.csv"), encoding="utf-8", newline="") as f:
		for r in csv.DictReader(f):
			if r["region"] == "Калужская" and r["city"]:
				cities[r["city"]] = r
	region = region_polygons(ref_dir, "RU-KLU")

	rows, feats, placed = [], [], []
	for code, city, _kind, name in TOWNS:
		c = cities[city]
		lat, lon, pop = float(c["geo_lat"]), float(c["geo_lon"]), int(c["population"])
		r = radius_km(pop)
		# OKTMO: the first 8 digits of a settlement's 11-digit code name its municipality.
		oktmo = c["oktmo"][:8] if len(c["oktmo"]) == 11 else ""
		rows.append([code, "RU-KLU", "municipality", name, c["okato"], oktmo, ""])
		ring = ngon(lat, lon, r)
		inside = any(in_ring(pl[0], lon, lat) and not any(in_ring(h, lon, lat) for h in pl[1:])
			     for pl in region)
		clearance = min(seg_dist_km((lon, lat), ring_[i], ring_[i + 1], lat)
				for pl in region for ring_ in pl for i in range(len(ring_) - 1))
		if not inside or clearance < r * 1.05:
			raise SystemExit("%s: %.1f km polygon does not fit in RU-KLU (border %.1f km away)"
					 % (code, r, clearance))
		for other, (olat, olon, orad) in placed:
			d = math.hypot((lon - olon) * KM_PER_DEG * math.cos(math.radians(lat)),
				       (lat - olat) * KM_PER_DEG)
			if d < (r + orad) * 1.05:
				raise SystemExit("%s overlaps %s" % (code, other))
		placed.append((code, (lat, lon, r)))
		feats.append('{"type":"Feature","properties":{"code":"%s"},"geometry":'
			     '{"type":"Polygon","coordinates":%s}}'
			     % (code, json.dumps([ring], separators=(",", ":"))))
		print("%s: centre %.5f,%.5f pop %d radius %.1f km, %.1f km from the region border"
		      % (code, lat, lon, pop, r, clearance), file=sys.stderr)

	os.makedirs(out, exist_ok=True)
	buf = io.StringIO()
	w = csv.writer(buf, lineterminator="\n")
	w.writerow(["code", "parent_code", "kind", "name", "okato", "oktmo", "iso"])
	w.writerows(rows)
	with open(os.path.join(out, "territories.csv"), "w", encoding="utf-8", newline="") as f:
		f.write(buf.getvalue())
	with open(os.path.join(out, "municipalities.geojson"), "w", encoding="utf-8") as f:
		f.write('{"type":"FeatureCollection","features":[\n' + ",\n".join(feats) + "\n]}\n")


if __name__ == "__main__":
	main()
