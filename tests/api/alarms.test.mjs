// Alarms of the spike detector (docs/analytics.md, "Spikes and new problems"; method in
// docs/text.md, "Spikes"): a burst of appeals from different people at one place raises an
// alarm that supervisors, coordinators and admins read through the API, within their scope.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertErrors } from './lib/client.mjs';

let S;
let demo;
const ids = {};
// Kaluga, away from the other tests' points and the demo appeals
const P = { lat: 54.5610, lon: 36.1950 };
const M = 0.0002; // ≈ 20 m of latitude

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.topic = await demo.id('topics', 'light-yard');
});
after(async () => { await S?.close(); });

async function until(fn, what, timeout = 15000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeout) assert.fail(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 150));
  }
}

/** A newly registered citizen (a distinct author). */
async function newCitizen() {
  const c = demo.fresh();
  const r = await c.post('/api/auth/register', { login: uniq('burst'), password: 'long-enough-password-1', name: 'Житель двора' });
  assert.equal(r.status, 201, r.text);
  return c;
}

describe('a burst at one place', () => {
  const TEXTS = [
    'Во дворе не горит ни один фонарь, вечером идти страшно',
    'Темно у подъезда, освещение отключилось вчера вечером',
    'Погасли светильники на детской площадке, дети гуляют в темноте',
    'Нет света на дорожке вдоль дома, уже упала соседка',
  ];
  let appeals = [];
  let alarm;
  before(async () => {
    const authors = [await demo.as('citizen'), await demo.as('citizen2'), await newCitizen(), await newCitizen()];
    for (let i = 0; i < TEXTS.length; i++) {
      const r = await authors[i].post('/api/appeals', { territory_id: ids.kaluga, topic_id: ids.topic, text: TEXTS[i], lat: P.lat + i * M, lon: P.lon });
      assert.equal(r.status, 201, r.text);
      appeals.push(r.json);
    }
    const co = await demo.as('coordinator');
    const mine = new Set(appeals.map((a) => a.id));
    alarm = await until(async () => {
      const r = await co.get('/api/analytics/alarms?limit=50');
      assert.equal(r.status, 200, r.text);
      return r.json.items.find((x) => x.appeal_ids.some((id) => mine.has(id)));
    }, 'an alarm for the burst');
  });

  test('the alarm names the place, the problem and says why in Russian', async () => {
    assert.ok(['new', 'spike'].includes(alarm.kind), alarm.kind);
    assert.ok(alarm.observed >= 3, `observed ${alarm.observed}`);
    assert.ok(alarm.expected < 1, `expected ${alarm.expected}`);
    assert.match(alarm.reason, /сообщени[яей]? за \d+ (ч|мин) при ожидаемых/);
    assert.equal(alarm.topic_id, ids.topic);
    assert.equal(alarm.territory_id, ids.kaluga);
    assert.ok(Math.abs(alarm.lat - P.lat) < 0.002 && Math.abs(alarm.lon - P.lon) < 0.002, 'at the place');
    const admin = await demo.as('admin');
    const ap = await admin.get(`/api/appeals/${alarm.appeal_ids[0]}`);
    assert.equal(ap.json.problem_id, alarm.problem_id, 'the problem of the counted appeals');
  });

  test('one alarm per problem for one episode; since_id lists only newer ones', async () => {
    const co = await demo.as('coordinator');
    const all = (await co.get('/api/analytics/alarms?limit=200')).json;
    assert.equal(all.items.filter((x) => x.problem_id === alarm.problem_id && x.kind !== 'returned').length, 1);
    const newer = await co.get(`/api/analytics/alarms?since_id=${all.last_id}`);
    assert.equal(newer.status, 200);
    assert.equal(newer.json.items.length, 0);
    assert.equal(newer.json.last_id, all.last_id);
    const byTopic = await co.get(`/api/analytics/alarms?topic_id=${ids.topic}&territory_id=${ids.kaluga}`);
    assert.ok(byTopic.json.items.some((x) => x.id === alarm.id));
    const other = await co.get(`/api/analytics/alarms?topic_id=${ids.topic + 100000}`);
    assert.ok(!other.json.items.some((x) => x.id === alarm.id));
  });

  test('scope: admin sees it, another territory\'s coordinator does not; foreign filters are 403', async () => {
    const admin = await demo.as('admin');
    assert.ok((await admin.get('/api/analytics/alarms?limit=200')).json.items.some((x) => x.id === alarm.id));
    const co2 = await demo.as('coordinator2');
    const l = await co2.get('/api/analytics/alarms?limit=200');
    assert.equal(l.status, 200);
    assert.ok(!l.json.items.some((x) => x.id === alarm.id), 'Obninsk\'s coordinator does not see Kaluga\'s alarm');
    await assertErrors([
      ['coordinator2 filters Kaluga', () => co2.get(`/api/analytics/alarms?territory_id=${ids.kaluga}`), 403, 'forbidden', 'territory_id'],
      ['executor', async () => (await demo.as('executor')).get('/api/analytics/alarms'), 403, 'forbidden'],
      ['citizen', async () => (await demo.as('citizen')).get('/api/analytics/alarms'), 403, 'forbidden'],
      ['anonymous', () => demo.anon().get('/api/analytics/alarms'), 401, 'unauthorized'],
      ['bad limit', async () => (await demo.as('coordinator')).get('/api/analytics/alarms?limit=0'), 400, 'invalid_input'],
      ['bad since_id', async () => (await demo.as('coordinator')).get('/api/analytics/alarms?since_id=x'), 400, 'invalid_input'],
    ]);
  });
});
