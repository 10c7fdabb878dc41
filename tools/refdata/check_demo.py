#!/usr/bin/env python3
"""check_demo.py: validates data/reference and data/demo against the import formats of docs/api.md.

Usage: python3 tools/refdata/check_demo.py [ROOT]   (ROOT = project root, default .)

Checks headers, unique codes, references between files, allowed kinds and units, e-mail form,
GeoJSON codes; then runs the competence rules the way GET /api/route resolves them (topic rule >
category rule > neither; then the deepest territory) for every (topic, territory) pair and prints
the pairs that reach no organisation (the coordinator's triage queue). Exit status 1 on errors.
Python 3 standard library only.
"""

import csv
import json
import os
import re
import sys

HEADERS = {
	"territories": ["code", "parent_code", "kind", "name", "okato", "oktmo", "iso"],
	"orgs": ["code", "name", "short_name", "kind", "territory_code", "parent_code", "email"],
	"categories": ["code", "name", "sort"],
	"topics": ["code", "category_code", "name", "deadline", "deadline_unit", "hint", "active"],
	"rules": ["code", "topic_code", "category_code", "territory_code", "org_code"],
}
TERRITORY_KINDS = {"country", "region", "municipality", "settlement"}
ORG_KINDS = {"federal", "regional", "municipal", "social"}
EMAIL = re.compile(r"^[a-z0-9][a-z0-9.-]*@example\.org$")

errors = []


def err(msg):
	errors.append(msg)


def read(path, kind):
	with open(path, encoding="utf-8", newline="") as f:
		rows = list(csv.reader(f))
	if not rows or rows[0] != HEADERS[kind]:
		err("%s: header must be %s" % (path, ",".join(HEADERS[kind])))
		return []
	out = []
	for n, r in enumerate(rows[1:], start=2):
		if len(r) != len(HEADERS[kind]):
			err("%s:%d: %d fields, want %d" % (path, n, len(r), len(HEADERS[kind])))
			continue
		d = dict(zip(HEADERS[kind], r))
		d["_where"] = "%s:%d" % (os.path.basename(path), n)
		out.append(d)
	return out


def unique(rows, what):
	seen = {}
	for r in rows:
		if not r["code"]:
			err("%s: empty code" % r["_where"])
		if r["code"] in seen:
			err("%s: duplicate %s code %s" % (r["_where"], what, r["code"]))
		seen[r["code"]] = r
	return seen


def geo_codes(path):
	with open(path, encoding="utf-8") as f:
		fc = json.load(f)
	return [ft["properties"]["code"] for ft in fc["features"]]


def main():
	root = sys.argv[1] if len(sys.argv) > 1 else "."
	ref = os.path.join(root, "data", "reference")
	demo = os.path.join(root, "data", "demo")

	terr_rows = read(os.path.join(ref, "regions.csv"), "territories")
	terr_rows += read(os.path.join(demo, "territories.csv"), "territories")
	terrs = unique(terr_rows, "territory")
	for r in terr_rows:
		if r["kind"] not in TERRITORY_KINDS:
			err("%s: kind %r" % (r["_where"], r["kind"]))
		if r["parent_code"] and r["parent_code"] not in terrs:
			err("%s: unknown parent %s" % (r["_where"], r["parent_code"]))
		for col, n in (("okato", 11), ("oktmo", 8)):
			v = r[col]
			if v and not (v.isdigit() and len(v) in (n, 11)):
				err("%s: %s %r" % (r["_where"], col, v))
	for path in (os.path.join(ref, "regions.geojson"), os.path.join(demo, "municipalities.geojson")):
		for c in geo_codes(path):
			if c not in terrs:
				err("%s: polygon for unknown territory %s" % (path, c))

	orgs = unique(read(os.path.join(demo, "orgs.csv"), "orgs"), "org")
	for r in orgs.values():
		if r["kind"] not in ORG_KINDS:
			err("%s: kind %r" % (r["_where"], r["kind"]))
		if r["territory_code"] and r["territory_code"] not in terrs:
			err("%s: unknown territory %s" % (r["_where"], r["territory_code"]))
		if r["parent_code"] and r["parent_code"] not in orgs:
			err("%s: unknown parent %s" % (r["_where"], r["parent_code"]))
		if r["email"] and not EMAIL.match(r["email"]):
			err("%s: e-mail must be name@example.org" % r["_where"])

	cats = unique(read(os.path.join(demo, "categories.csv"), "categories"), "category")
	for r in cats.values():
		if not r["sort"].lstrip("-").isdigit():
			err("%s: sort %r" % (r["_where"], r["sort"]))

	topics = unique(read(os.path.join(demo, "topics.csv"), "topics"), "topic")
	for r in topics.values():
		if r["category_code"] not in cats:
			err("%s: unknown category %s" % (r["_where"], r["category_code"]))
		if r["deadline_unit"] not in ("wdays", "hours"):
			err("%s: deadline_unit %r" % (r["_where"], r["deadline_unit"]))
		if not r["deadline"].isdigit() or int(r["deadline"]) <= 0:
			err("%s: deadline %r" % (r["_where"], r["deadline"]))
		if r["active"] not in ("0", "1"):
			err("%s: active %r" % (r["_where"], r["active"]))
		if not r["hint"]:
			err("%s: no hint" % r["_where"])

	rules = unique(read(os.path.join(demo, "rules.csv"), "rules"), "rule")
	for r in rules.values():
		if r["topic_code"] and r["topic_code"] not in topics:
			err("%s: unknown topic %s" % (r["_where"], r["topic_code"]))
		if r["category_code"] and r["category_code"] not in cats:
			err("%s: unknown category %s" % (r["_where"], r["category_code"]))
		if r["territory_code"] and r["territory_code"] not in terrs:
			err("%s: unknown territory %s" % (r["_where"], r["territory_code"]))
		if r["org_code"] not in orgs:
			err("%s: unknown organisation %s" % (r["_where"], r["org_code"]))

	def depth(code):
		d = 0
		while code:
			code = terrs[code]["parent_code"]
			d += 1
		return d

	def ancestors(code):
		out = set()
		while code:
			out.add(code)
			code = terrs[code]["parent_code"]
		return out

	def route(topic, terr):
		up = ancestors(terr)
		best = None
		for r in rules.values():
			if r["topic_code"] and r["topic_code"] != topic["code"]:
				continue
			if r["category_code"] and r["category_code"] != topic["category_code"]:
				continue
			if r["territory_code"] and r["territory_code"] not in up:
				continue
			spec = 2 if r["topic_code"] else 1 if r["category_code"] else 0
			key = (spec, depth(r["territory_code"]) if r["territory_code"] else 0)
			if best is None or key > best[0]:
				best = (key, r)
		return best[1] if best else None

	if not errors:
		demo_terrs = ["RU-KLU"] + [r["code"] for r in terr_rows if r["parent_code"] == "RU-KLU"]
		triage = []
		for t in topics.values():
			for terr in demo_terrs:
				if route(t, terr) is None:
					triage.append("%s @ %s" % (t["code"], terr))
		print("%d territories, %d organisations, %d categories, %d topics (%d inactive), %d rules"
		      % (len(terrs), len(orgs), len(cats), len(topics),
			 sum(1 for t in topics.values() if t["active"] == "0"), len(rules)))
		print("no rule (triage queue): " + "; ".join(triage))
		if not triage:
			err("every (topic, territory) pair has a rule: the triage queue is not exercised")
	for e in errors:
		print("error: " + e, file=sys.stderr)
	sys.exit(1 if errors else 0)


if __name__ == "__main__":
	main()
