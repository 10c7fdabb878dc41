// Ratings (docs/ratings.md): the demo regions give a meaningful region rating (different scores,
// one improving and one worsening region, the top 10, improved/worsened/same counts); a region's
// 23 indicators with points of a 1000-point scale and drill links down to the appeals behind
// them; bodies and executors ranked with a minimum sample; ties, empty periods, weights (admin,
// audited, validated) and who may see what.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';
import { assertError } from './lib/client.mjs';

let S;
let demo;
const ids = {};

/** The rollups are built by the worker after start: poll until the demo regions are rated. */
async function regionsReady() {
  const deadline = Date.now() + 30000;
  for (;;) {
    const r = await demo.anon().get('/api/ratings/regions');
    assert.equal(r.status, 200, r.text);
    if (r.json.counts.rated >= 5) return r.json;
    if (Date.now() > deadline) assert.fail(`the demo regions were not rated: ${r.text.slice(0, 400)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

const byCode = (list, code) => list.items.find((x) => x.code === code);

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  for (const code of ['RU-TYU', 'RU-ORE', 'RU-ROS', 'RU-VLG', 'RU-KLU', 'klu-obninsk']) ids[code] = await demo.id('territories', code);
  ids.tyumenAdm = await demo.id('orgs', 'tyu-tyumen-adm');
  ids.tyuGov = await demo.id('orgs', 'tyu-gov');
  ids.kluGov = await demo.id('orgs', 'klu-gov');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  await regionsReady();
});
after(async () => { await S?.close(); });

describe('regions', () => {
  test('the demo regions are rated differently, ranked, compared with the period before', async () => {
    const r = await regionsReady();
    assert.equal(r.scale, 1000);
    const rated = r.items.filter((x) => x.rated);
    assert.ok(rated.length >= 5, 'five demo regions and Kaluga');
    for (const x of rated) {
      assert.ok(x.score >= 0 && x.score <= 1000, `${x.code}: ${x.score}`);
      assert.ok(x.rank >= 1);
    }
    // ordered by rank; the exemplary region first, the poorly connected slow one last of them
    const ranks = r.items.map((x) => x.rank ?? Infinity);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    const tyu = byCode(r, 'RU-TYU'), ore = byCode(r, 'RU-ORE');
    assert.equal(tyu.rank, 1, JSON.stringify(tyu));
    assert.ok(ore.score < tyu.score - 200, `${ore.score} vs ${tyu.score}`);
    assert.ok(new Set(rated.map((x) => x.score)).size >= 5, 'different behaviour, different scores');
    // Rostov got faster and happier, Vologda slower and unhappier
    const ros = byCode(r, 'RU-ROS'), vlg = byCode(r, 'RU-VLG');
    assert.ok(ros.change > 0 && ros.trend === 'up', JSON.stringify(ros));
    assert.ok(vlg.change < 0 && vlg.trend === 'down', JSON.stringify(vlg));
    assert.equal(ros.change, ros.score - ros.previous.score);
    // the counts add up to the regions listed
    const c = r.counts;
    assert.equal(c.improved + c.worsened + c.same + c.new, rated.length);
    assert.equal(c.improved, rated.filter((x) => x.trend === 'up').length);
    assert.equal(c.worsened, rated.filter((x) => x.trend === 'down').length);
    // the top 10: the rated regions with rank <= 10, in order
    assert.ok(r.top.length >= 5 && r.top.length <= 10);
    assert.deepEqual(r.top.map((x) => x.code), rated.filter((x) => x.rank <= 10).map((x) => x.code));
    assert.ok(Math.abs(r.average - rated.reduce((s, x) => s + x.score, 0) / rated.length) < 0.06);
    // participation is not measured yet: no data rather than zero points
    assert.equal(tyu.groups.participation, null);
    assert.ok(tyu.groups.connection > 0 && tyu.groups.appeals > 0);
  });

  test('a region: 23 indicators in three groups, points of 1000, drill links, its bodies', async () => {
    const r = await demo.anon().get(`/api/ratings/regions/${ids['RU-TYU']}`);
    assert.equal(r.status, 200, r.text);
    const inds = r.json.indicators;
    assert.equal(inds.length, 23);
    const groups = {};
    for (const i of inds) (groups[i.group] ??= []).push(i);
    assert.equal(groups.connection.length, 7);
    assert.equal(groups.appeals.length, 12);
    assert.equal(groups.participation.length, 4);
    const max = inds.reduce((s, i) => s + i.max_points, 0);
    assert.ok(Math.abs(max - 1000) < 1, `max points ${max}`);
    const pts = inds.filter((i) => i.points !== null).reduce((s, i) => s + i.points, 0);
    assert.ok(Math.abs(pts - r.json.region.score) <= 2, `${pts} vs ${r.json.region.score}`);
    for (const i of groups.participation) {
      assert.equal(i.available, false);
      assert.equal(i.points, null);
      assert.equal(i.value, null);
      assert.equal(i.drill, null);
    }
    for (const i of groups.appeals) assert.match(i.drill, new RegExp(`^/api/ratings/regions/${ids['RU-TYU']}/appeals\\?indicator=${i.key}&`));
    const onTime = inds.find((i) => i.key === 'on_time_share');
    assert.ok(onTime.value > 0.8 && onTime.sample > 50, JSON.stringify(onTime));
    // the shrunk value lies between the region's own value and the average
    assert.ok((onTime.shrunk - onTime.value) * (onTime.shrunk - onTime.average) <= 0, JSON.stringify(onTime));
    // bodies: all nine connected in Tyumen; Orenburg has bodies that are not on the platform
    assert.equal(r.json.bodies.length, 9);
    assert.ok(r.json.bodies.every((b) => b.connected));
    const ore = await demo.anon().get(`/api/ratings/regions/${ids['RU-ORE']}`);
    assert.ok(ore.json.bodies.some((b) => !b.connected) && ore.json.bodies.some((b) => b.connected));
    const conn = ore.json.indicators.find((i) => i.key === 'regional_connected');
    assert.equal(conn.value, ore.json.bodies.filter((b) => b.kind === 'regional' && b.connected).length / 4);
    // the capital's administration joined a month ago: connection grew against the period before
    const mun = ore.json.indicators.find((i) => i.key === 'municipal_connected');
    assert.ok(mun.value > mun.previous.value, JSON.stringify(mun));
    assertError(await demo.anon().get('/api/ratings/regions/999999'), 404, 'not_found');
  });

  test('drill-down: the appeals behind an indicator, for coordinators of the region and admins', async () => {
    const admin = await demo.as('admin');
    const region = (await demo.anon().get(`/api/ratings/regions/${ids['RU-TYU']}`)).json;
    const onTime = region.indicators.find((i) => i.key === 'on_time_share');
    const all = await admin.get(`${onTime.drill}&limit=100`);
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.total, onTime.sample, 'every answer counted by the indicator');
    const bad = await admin.get(`${onTime.drill}&only=bad&limit=100`);
    assert.equal(bad.status, 200, bad.text);
    assert.ok(bad.json.items.length > 0 && bad.json.items.every((a) => !a.on_time && a.answered_day));
    assert.equal(Math.round((1 - bad.json.total / all.json.total) * 1e4) / 1e4, onTime.value);
    // an appeal of the list opens for the admin
    const one = await admin.get(`/api/appeals/${bad.json.items[0].id}`);
    assert.equal(one.status, 200);
    const sat = region.indicators.find((i) => i.key === 'satisfaction');
    const unhappy = await admin.get(`${sat.drill}&only=bad`);
    assert.ok(unhappy.json.items.every((a) => !a.satisfied && a.rating !== null));
    // the Kaluga coordinator sees Kaluga, not Tyumen
    const coord = await demo.as('coordinator');
    const klu = await coord.get(`/api/ratings/regions/${ids['RU-KLU']}/appeals?indicator=answered_share`);
    assert.equal(klu.status, 200, klu.text);
    assertError(await coord.get(`${onTime.drill}`), 403, 'forbidden');
    assertError(await (await demo.as('coordinator2')).get(`/api/ratings/regions/${ids['RU-KLU']}/appeals?indicator=answered_share`), 403, 'forbidden');
    assertError(await admin.get(`/api/ratings/regions/${ids['RU-TYU']}/appeals?indicator=regional_connected`), 400, 'invalid_input', 'indicator');
    assertError(await admin.get(`/api/ratings/regions/${ids['RU-TYU']}/appeals?indicator=on_time_share&only=some`), 400, 'invalid_input', 'only');
    assertError(await demo.anon().get(`${onTime.drill}`), 401);
  });

  test('empty period and minimum sample: nobody rated, nothing ranked', async () => {
    const r = await demo.anon().get('/api/ratings/regions?from=2001-01-01&to=2001-01-31');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.counts.rated, 0);
    assert.equal(r.json.average, null);
    assert.deepEqual(r.json.top, []);
    assert.ok(r.json.items.every((x) => x.rank === null && x.score === null && x.trend === 'none'));
    assert.deepEqual(r.json.previous, { from: '2000-12-01', to: '2000-12-31' });
    const big = await demo.anon().get('/api/ratings/regions?min_appeals=100000');
    assert.equal(big.json.counts.rated, 0);
    const some = await demo.anon().get('/api/ratings/regions?min_appeals=100');
    assert.ok(some.json.items.filter((x) => x.rated).every((x) => x.received >= 100));
    assert.ok(some.json.items.some((x) => !x.rated && x.received > 0), 'smaller regions listed, unrated');
  });

  test('bad periods are refused with the field', async () => {
    assertError(await demo.anon().get('/api/ratings/regions?from=2026-02-30'), 400, 'invalid_input', 'from');
    assertError(await demo.anon().get('/api/ratings/regions?to=yesterday'), 400, 'invalid_input', 'to');
    assertError(await demo.anon().get('/api/ratings/regions?from=2026-05-02&to=2026-05-01'), 400, 'invalid_input', 'from');
    assertError(await demo.anon().get('/api/ratings/regions?from=1990-01-01&to=2026-01-01'), 400, 'invalid_input', 'from');
    assertError(await demo.anon().get('/api/ratings/regions?min_appeals=0'), 400, 'invalid_input', 'min_appeals');
  });
});

describe('bodies and executors', () => {
  test('bodies: ranked with the minimum sample, ties share a rank, months compared', async () => {
    const admin = await demo.as('admin');
    const r = await admin.get(`/api/ratings/bodies?territory_id=${ids['RU-TYU']}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.period.granularity, 'month');
    assert.match(r.json.period.from, /-01$/);
    assert.equal(r.json.items.length, 9);
    for (const b of r.json.items) {
      assert.equal(b.ranked, b.answered >= r.json.min_sample, JSON.stringify(b));
      assert.equal(b.rank === null, !b.ranked);
      if (b.answered === 0) assert.equal(b.score, null, 'no answers, no score');
    }
    const ranked = r.json.items.filter((b) => b.ranked);
    assert.ok(ranked.length >= 5);
    // competition ranking: rank = 1 + number of better (rounded) scores
    for (const b of ranked) assert.equal(b.rank, 1 + ranked.filter((o) => o.score > b.score).length, JSON.stringify(b));
    const high = await admin.get(`/api/ratings/bodies?territory_id=${ids['RU-TYU']}&min_sample=100000`);
    assert.ok(high.json.items.every((b) => b.rank === null));
    // load: most appeals first
    const load = ranked.filter((b) => b.rank_load === 1);
    assert.ok(load.length >= 1 && load.every((b) => b.received === Math.max(...r.json.items.map((x) => x.received))));
  });

  test('bodies: the supervisor sees their subtree, the coordinator their territories', async () => {
    const sup = await demo.as('supervisor');
    const mine = await sup.get('/api/ratings/bodies');
    assert.equal(mine.status, 200, mine.text);
    const codes = new Set();
    for (const b of mine.json.items) codes.add(b.id);
    assert.ok(codes.has(ids.kluGov) && codes.has(ids.minstroy));
    assert.ok(!codes.has(ids.tyuGov));
    assertError(await sup.get(`/api/ratings/bodies?org_id=${ids.tyuGov}`), 403, 'forbidden');
    assertError(await sup.get(`/api/ratings/bodies?territory_id=${ids['RU-TYU']}`), 403, 'forbidden');
    const coord = await demo.as('coordinator');
    const klu = await coord.get('/api/ratings/bodies');
    assert.equal(klu.status, 200, klu.text);
    assert.ok(klu.json.items.some((b) => b.id === ids.minstroy));
    assert.equal((await coord.get(`/api/ratings/bodies?org_id=${ids.minstroy}`)).status, 200);
    assertError(await coord.get(`/api/ratings/bodies?org_id=${ids.tyuGov}`), 403, 'forbidden');
    assertError(await (await demo.as('executor')).get('/api/ratings/bodies'), 403, 'forbidden');
  });

  test('executors of a body: ranked, compared, only for its supervisors and admins', async () => {
    const admin = await demo.as('admin');
    const r = await admin.get(`/api/ratings/executors?org_id=${ids.tyumenAdm}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, 2, r.text);
    const [first, second] = r.json.items;
    assert.ok(first.name && second.name);
    assert.equal(first.rank, 1);
    assert.ok(first.score >= second.score);
    assert.ok(first.previous.answered > 0, 'the period before has answers too');
    const one = await admin.get(`/api/ratings/executors?org_id=${ids.tyumenAdm}&min_sample=100000`);
    assert.ok(one.json.items.every((e) => e.rank === null && !e.ranked));
    assertError(await admin.get('/api/ratings/executors'), 400, 'invalid_input', 'org_id');
    const sup = await demo.as('supervisor');
    const own = await sup.get('/api/ratings/executors');
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.org_id, ids.kluGov);
    assertError(await sup.get(`/api/ratings/executors?org_id=${ids.tyumenAdm}`), 403, 'forbidden');
    assertError(await (await demo.as('executor')).get(`/api/ratings/executors?org_id=${ids.minstroy}`), 403, 'forbidden');
  });
});

describe('weights', () => {
  test('public, changed by an admin only, validated, audited, and they change the scores', async () => {
    const w = await demo.anon().get('/api/ratings/weights');
    assert.equal(w.status, 200, w.text);
    assert.equal(w.json.items.length, 23);
    assert.equal(w.json.total, 850, 'participation (150) is not counted while not measured');
    const admin = await demo.as('admin');
    const before = (await demo.anon().get('/api/ratings/regions')).json;
    // only being connected counts: Tyumen (every body connected) scores the full 1000
    const only = Object.fromEntries(w.json.items.map((i) => [i.key, /_connected$|_covered$/.test(i.key) ? i.default_weight : 0]));
    const put = await admin.put('/api/ratings/weights', { weights: only });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.total, 185);
    const after = (await demo.anon().get('/api/ratings/regions')).json;
    assert.equal(byCode(after, 'RU-TYU').score, 1000);
    assert.notEqual(byCode(after, 'RU-ORE').score, byCode(before, 'RU-ORE').score);
    const audit = await admin.get('/api/audit?limit=5');
    const e = audit.json.items.find((x) => x.action === 'ratings.weights');
    assert.ok(e, 'audited');
    assert.equal(e.before.on_time_share, 80);
    assert.equal(e.after.on_time_share, 0);
    // invalid input changes nothing
    assertError(await admin.put('/api/ratings/weights', { weights: { nope: 1 } }), 422, 'validation_failed', 'weights.nope');
    assertError(await admin.put('/api/ratings/weights', { weights: { on_time_share: -1 } }), 422, 'validation_failed', 'weights.on_time_share');
    assertError(await admin.put('/api/ratings/weights', { weights: { on_time_share: 2.5 } }), 422, 'validation_failed', 'weights.on_time_share');
    const zero = Object.fromEntries(w.json.items.map((i) => [i.key, 0]));
    assertError(await admin.put('/api/ratings/weights', { weights: zero }), 422, 'validation_failed', 'weights');
    assertError(await admin.put('/api/ratings/weights', { on_time_share: 1 }), 400, 'invalid_input', 'weights');
    assert.equal((await demo.anon().get('/api/ratings/weights')).json.total, 185);
    assertError(await (await demo.as('coordinator')).put('/api/ratings/weights', { weights: { on_time_share: 1 } }), 403, 'forbidden');
    // back to the defaults: the scores come back
    const defaults = Object.fromEntries(w.json.items.map((i) => [i.key, i.default_weight]));
    assert.equal((await admin.put('/api/ratings/weights', { weights: defaults })).status, 200);
    const again = (await demo.anon().get('/api/ratings/regions')).json;
    assert.equal(byCode(again, 'RU-TYU').score, byCode(before, 'RU-TYU').score);
  });
});
