// Territory polygons and the competence resolver GET /api/route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertError } from './lib/client.mjs';

let S;
let demo;
let admin;
const ids = {};
// A square in the Atlantic, far from any Russian region polygon.
const SEA = { type: 'Polygon', coordinates: [[[-30.0, 0.5], [-29.9, 0.5], [-29.9, 0.6], [-30.0, 0.6], [-30.0, 0.5]]] };
const SEA_POINT = { lat: 0.55, lon: -29.95 };
// Another one, for the polygon storage test (so that its settlement never holds SEA_POINT).
const SEA2 = { type: 'Polygon', coordinates: [[[-40.0, 0.5], [-39.9, 0.5], [-39.9, 0.6], [-40.0, 0.6], [-40.0, 0.5]]] };

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  admin = await demo.as('admin');
  ids.ru = await demo.id('territories', 'RU');
  ids.klu = await demo.id('territories', 'RU-KLU');
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
});
after(async () => { await S?.close(); });

async function create(coll, body) {
  const r = await admin.post(`/api/${coll}`, { code: uniq(coll.slice(0, 3)), ...body });
  assert.equal(r.status, 201, `${coll}: ${r.text}`);
  return r.json;
}

function inRing(pt, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function inGeometry(pt, g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.some((rings) => inRing(pt, rings[0]) && !rings.slice(1).some((h) => inRing(pt, h)));
}

test('PUT then GET a territory polygon; has_polygon follows', async () => {
  const t = await create('territories', { name: 'Морской посёлок', kind: 'settlement', parent_id: ids.kaluga });
  assert.equal(t.has_polygon, false);
  assertError(await demo.anon().get(`/api/territories/${t.id}/polygon`), 404, 'not_found');
  const put = await admin.put(`/api/territories/${t.id}/polygon`, SEA2);
  assert.equal(put.status, 204, put.text);
  const g = await demo.anon().get(`/api/territories/${t.id}/polygon`);
  assert.equal(g.status, 200);
  assert.equal(g.json.type, 'Polygon');
  assert.deepEqual(g.json.coordinates, SEA2.coordinates);
  assert.equal((await demo.anon().get(`/api/territories/${t.id}`)).json.has_polygon, true);
  // A Feature wrapping a MultiPolygon is accepted too.
  const multi = { type: 'MultiPolygon', coordinates: [SEA2.coordinates, [[[-41, 1], [-40.9, 1], [-40.9, 1.1], [-41, 1.1], [-41, 1]]]] };
  const f = await admin.put(`/api/territories/${t.id}/polygon`, { type: 'Feature', properties: {}, geometry: multi });
  assert.equal(f.status, 204, f.text);
  const g2 = await demo.anon().get(`/api/territories/${t.id}/polygon`);
  assert.equal(g2.json.type, 'MultiPolygon');
  assert.deepEqual(g2.json.coordinates, multi.coordinates);
  // Bad geometries are refused and change nothing.
  for (const bad of [
    { type: 'Point', coordinates: [36, 54] },
    { type: 'Polygon', coordinates: [[[36, 54], [37, 54], [37, 55]]] }, // too few points
    { type: 'Polygon', coordinates: [[[36, 54], [37, 54], [37, 55], [36, 55.5]]] }, // not closed
    { type: 'Polygon', coordinates: [[[360, 54], [37, 54], [37, 55], [360, 54]]] }, // longitude out of range
    { type: 'Polygon', coordinates: 'nope' },
  ]) {
    const r = await admin.put(`/api/territories/${t.id}/polygon`, bad);
    assert.ok([400, 422].includes(r.status), `${JSON.stringify(bad)} → ${r.status} ${r.text}`);
  }
  assert.deepEqual((await demo.anon().get(`/api/territories/${t.id}/polygon`)).json, g2.json);
  assertError(await admin.put('/api/territories/987654321/polygon', SEA2), 404, 'not_found');
});

test('the demo region and municipalities have polygons', async () => {
  for (const id of [ids.klu, ids.kaluga]) {
    const g = await demo.anon().get(`/api/territories/${id}/polygon`);
    assert.equal(g.status, 200, g.text);
    assert.ok(['Polygon', 'MultiPolygon'].includes(g.json.type));
    assert.equal((await demo.anon().get(`/api/territories/${id}`)).json.has_polygon, true);
  }
});

test('resolver: topic rule beats category rule beats none; the deepest territory wins; no rule → null', async () => {
  const anon = demo.anon();
  // A private corner of the registry: region X (no polygon) with a municipality Y (sea polygon).
  const X = await create('territories', { name: 'Тестовый край', kind: 'region', parent_id: ids.ru });
  const Y = await create('territories', { name: 'Тестовый район', kind: 'municipality', parent_id: X.id });
  assert.equal((await admin.put(`/api/territories/${Y.id}/polygon`, SEA)).status, 204);
  const C = await create('categories', { name: 'Тестовые дороги', sort: 1 });
  const T = await create('topics', { category_id: C.id, name: 'Тестовая яма', deadline: 10, deadline_unit: 'wdays' });
  const T2 = await create('topics', { category_id: C.id, name: 'Тестовый знак', deadline: 10, deadline_unit: 'wdays' });
  const org = async (n) => create('orgs', { name: `Орган ${n}`, kind: 'regional', territory_id: X.id });
  const O1 = await org(1);
  const O2 = await org(2);
  const O3 = await org(3);
  const O4 = await org(4);
  const route = async (q) => {
    const r = await anon.get(`/api/route?${new URLSearchParams(q)}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const demoCatchAll = (await anon.get('/api/rules?limit=500')).json.items
    .filter((r) => r.topic_id === null && r.category_id === null && (r.territory_id === null || r.territory_id === ids.ru));

  let r = await route({ topic_id: T.id, territory_id: Y.id });
  if (demoCatchAll.length === 0) {
    assert.equal(r.org_id, null, `no rule → org_id null: ${JSON.stringify(r)}`);
    assert.equal(r.rule_id, null);
    assert.equal(r.territory_id, Y.id);
  }
  const R1 = await create('rules', { topic_id: null, category_id: null, territory_id: X.id, org_id: O1.id });
  r = await route({ topic_id: T.id, territory_id: Y.id });
  assert.deepEqual([r.org_id, r.rule_id], [O1.id, R1.id], 'a rule naming neither, in an ancestor territory');
  const R2 = await create('rules', { topic_id: null, category_id: C.id, territory_id: X.id, org_id: O2.id });
  r = await route({ topic_id: T.id, territory_id: Y.id });
  assert.deepEqual([r.org_id, r.rule_id], [O2.id, R2.id], 'category rule beats a rule naming neither');
  const R3 = await create('rules', { topic_id: T.id, category_id: null, territory_id: null, org_id: O3.id });
  r = await route({ topic_id: T.id, territory_id: Y.id });
  assert.deepEqual([r.org_id, r.rule_id], [O3.id, R3.id], 'topic rule (even with no territory) beats a category rule');
  const R4 = await create('rules', { topic_id: T.id, category_id: null, territory_id: Y.id, org_id: O4.id });
  r = await route({ topic_id: T.id, territory_id: Y.id });
  assert.deepEqual([r.org_id, r.rule_id], [O4.id, R4.id], 'among topic rules the deepest territory wins');
  assert.equal(typeof r.reason, 'string');
  r = await route({ topic_id: T.id, territory_id: X.id });
  assert.deepEqual([r.org_id, r.rule_id], [O3.id, R3.id], 'a rule of a territory below the asked one does not apply');
  r = await route({ topic_id: T2.id, territory_id: Y.id });
  assert.deepEqual([r.org_id, r.rule_id], [O2.id, R2.id], 'another topic of the category falls to the category rule');
  // A point inside Y's polygon picks Y.
  r = await route({ topic_id: T.id, ...SEA_POINT });
  assert.equal(r.territory_id, Y.id, `point in Y: ${JSON.stringify(r)}`);
  assert.deepEqual([r.org_id, r.rule_id], [O4.id, R4.id]);
  // A point in no polygon: only territory-less rules apply.
  r = await route({ topic_id: T.id, lat: -60, lon: -150 });
  assert.equal(r.territory_id, null, JSON.stringify(r));
  assert.deepEqual([r.org_id, r.rule_id], [O3.id, R3.id]);
  // Deleting the winning rule hands the case to the next one.
  assert.equal((await admin.delete(`/api/rules/${R4.id}`)).status, 204);
  r = await route({ topic_id: T.id, territory_id: Y.id });
  assert.deepEqual([r.org_id, r.rule_id], [O3.id, R3.id]);
});

test('resolver: a point inside the demo municipality polygon picks it', async () => {
  const g = (await demo.anon().get(`/api/territories/${ids.kaluga}/polygon`)).json;
  // Kaluga's centre, or failing that the first grid point inside the polygon.
  let pt = [36.2612, 54.5138];
  if (!inGeometry(pt, g)) {
    const all = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flatMap((p) => p[0]);
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    pt = null;
    for (let i = 1; i < 20 && !pt; i++) for (let j = 1; j < 20 && !pt; j++) {
      const p = [x0 + ((x1 - x0) * i) / 20, y0 + ((y1 - y0) * j) / 20];
      if (inGeometry(p, g)) pt = p;
    }
  }
  assert.ok(pt, 'a point inside the klu-kaluga polygon');
  const topic = (await demo.anon().get('/api/topics?limit=1')).json.items[0];
  const r = await demo.anon().get(`/api/route?topic_id=${topic.id}&lat=${pt[1]}&lon=${pt[0]}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.territory_id, ids.kaluga, `lat=${pt[1]} lon=${pt[0]}: ${r.text}`);
  const byId = await demo.anon().get(`/api/route?topic_id=${topic.id}&territory_id=${ids.kaluga}`);
  assert.deepEqual(r.json.org_id, byId.json.org_id, 'the point and the territory id resolve alike');
});

test('resolver: bad parameters are 400', async () => {
  const anon = demo.anon();
  for (const q of ['lat=abc&lon=36', 'lat=95&lon=36', 'lat=54&lon=200', 'topic_id=x', 'territory_id=-3']) {
    assertError(await anon.get(`/api/route?${q}`), 400, 'invalid_input');
  }
});
