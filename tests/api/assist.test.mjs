// Text assistance (docs/appeals.md, "Text assistance"; docs/text.md, "In the server"): topic,
// body and hint suggestions while typing, the "same problem nearby" offer, predicted answers,
// similar appeals for executors, problems placed as appeals arrive, and coordinators' merge/split.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';
import { assertErrors } from './lib/client.mjs';

let S;
let demo;
const ids = {};
// Kaluga: a base point for each test group, far enough apart not to meet
const P_NEAR = { lat: 54.5300, lon: 36.2500 };
const P_PROB = { lat: 54.5000, lon: 36.3000 };
const M = 0.0009; // ≈ 100 m of latitude

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  for (const t of ['waste-collection', 'waste-bulky', 'housing-heating', 'housing-capital-repair', 'light-yard', 'roads-potholes-local', 'green-trees']) {
    ids[t] = await demo.id('topics', t);
  }
  const cats = (await demo.anon().get('/api/categories?limit=100')).json.items;
  ids.cat = Object.fromEntries(cats.map((c) => [c.code, c.id]));
});
after(async () => { await S?.close(); });

/** POST /api/appeals as who; returns the appeal, or null when submission is not available yet. */
async function submit(who, body) {
  const r = await (await demo.as(who)).post('/api/appeals', { territory_id: ids.kaluga, ...body });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return r.json;
}
const suggest = (body, client = demo.anon()) => client.post('/api/appeals/suggest', body);

/** Polls until fn() returns a truthy value (or fails after timeout ms). */
async function until(fn, what, timeout = 8000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeout) assert.fail(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
async function problemOf(id) {
  const r = await (await demo.as('admin')).get(`/api/appeals/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.problem_id;
}

describe('suggestions while typing', () => {
  test('the right topic is among the top three for everyday texts', async () => {
    const cases = [
      ['Не убирают мусор во дворе, контейнеры переполнены', (t) => t.category_id === ids.cat.waste],
      ['В квартире холодные батареи, отопления нет уже неделю', (t) => t.topic_id === ids['housing-heating']],
      ['Не горит фонарь у подъезда, во дворе вечером темно', (t) => t.category_id === ids.cat.lighting],
      ['Огромная яма на дороге посреди улицы, машины объезжают', (t) => t.category_id === ids.cat.roads],
    ];
    for (const [text, want] of cases) {
      const r = await suggest({ text });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.topics.length >= 1 && r.json.topics.length <= 3, text);
      assert.ok(r.json.topics.some(want), `${text}: ${JSON.stringify(r.json.topics)}`);
      for (const t of r.json.topics) assert.ok(t.prob >= 0 && t.prob <= 1 && t.topic_name.length > 0);
      const probs = r.json.topics.map((t) => t.prob);
      assert.deepEqual(probs, [...probs].sort((x, y) => y - x), 'most likely first');
    }
  });

  test('with a place, the body that would handle it, and the topic hint', async () => {
    const r = await suggest({ text: 'Контейнеры переполнены, мусор не вывозят', topic_id: ids['waste-collection'], territory_id: ids.kaluga });
    assert.equal(r.status, 200, r.text);
    const route = await demo.anon().get(`/api/route?topic_id=${ids['waste-collection']}&territory_id=${ids.kaluga}`);
    assert.equal(route.status, 200, route.text);
    if (route.json.org_id) {
      assert.equal(r.json.org?.org_id, route.json.org_id);
      assert.ok(r.json.org.org_name.length > 0 && r.json.org.reason.length > 0);
    } else {
      assert.equal(r.json.org, null);
    }
    const topic = (await demo.anon().get(`/api/topics/${ids['waste-collection']}`)).json;
    assert.equal(r.json.hint, topic.hint);
  });

  test('empty or short text: no topics, but the chosen topic still gives its hint and body', async () => {
    for (const text of ['', 'ой']) {
      const r = await suggest({ text, topic_id: ids['housing-heating'], territory_id: ids.kaluga });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.topics, []);
      assert.ok(r.json.hint && r.json.hint.length > 0);
      assert.ok(r.json.org && r.json.org.org_id > 0, 'heating in Kaluga has a body');
    }
    const none = await suggest({ text: '' });
    assert.equal(none.status, 200);
    assert.deepEqual(none.json, { topics: [], org: null, hint: null, nearby: [], answers: [] });
  });

  test('bad input is refused with the field at fault', async () => {
    await assertErrors([
      ['unknown key', () => suggest({ text: 'яма', foo: 1 }), 400, 'invalid_input'],
      ['not JSON', () => demo.anon().post('/api/appeals/suggest', undefined, { body: '{', contentType: 'application/json' }), 400, 'invalid_input'],
      ['text too long', () => suggest({ text: 'я'.repeat(4001) }), 422, 'validation_failed', 'text'],
      ['text not a string', () => suggest({ text: 5 }), 422, 'validation_failed', 'text'],
      ['control characters', () => suggest({ text: 'яма\u0001' }), 422, 'validation_failed', 'text'],
      ['lat without lon', () => suggest({ text: 'яма', lat: 54.5 }), 422, 'validation_failed', 'lon'],
      ['lat out of range', () => suggest({ text: 'яма', lat: 91, lon: 36 }), 422, 'validation_failed', 'lat'],
      ['topic not a number', () => suggest({ text: 'яма', topic_id: 'x' }), 422, 'validation_failed', 'topic_id'],
      ['unknown topic', () => suggest({ text: 'яма', topic_id: 999999 }), 422, 'validation_failed', 'topic_id'],
    ]);
  });
});

describe('the same problem nearby', () => {
  test('an open appeal 100 m away on the same topic is offered, one 2 km away is not', async () => {
    const near = await submit('citizen', { topic_id: ids['waste-bulky'], text: 'Во дворе у контейнеров свалили старый диван и шкаф, не вывозят', lat: P_NEAR.lat + M, lon: P_NEAR.lon });
    const far = await submit('citizen', { topic_id: ids['waste-bulky'], text: 'Во дворе у контейнеров свалили старый диван и шкаф, не вывозят', lat: P_NEAR.lat + 20 * M, lon: P_NEAR.lon });
    const other = await submit('citizen', { topic_id: ids['waste-collection'], text: 'Старый диван у контейнеров, не вывозят', lat: P_NEAR.lat, lon: P_NEAR.lon + 0.0005 });
    const r = await suggest({ text: 'Выбросили диван у мусорных контейнеров', topic_id: ids['waste-bulky'], ...P_NEAR });
    assert.equal(r.status, 200, r.text);
    const got = r.json.nearby.map((x) => x.id);
    assert.ok(got.includes(near.id), `nearby: ${r.text}`);
    assert.ok(!got.includes(far.id), '2 km away is not nearby');
    assert.ok(!got.includes(other.id), 'another topic is not the same problem');
    const n = r.json.nearby.find((x) => x.id === near.id);
    assert.ok(n.distance_m >= 80 && n.distance_m <= 120, `distance ${n.distance_m}`);
    assert.equal(n.status, near.status);
    assert.equal(n.coauthors, 0);
    assert.ok(n.text.startsWith('Во дворе у контейнеров'));
    // without a point: the same territory
    const t = await suggest({ text: 'диван у контейнеров', topic_id: ids['waste-bulky'], territory_id: ids.kaluga });
    assert.ok(t.json.nearby.some((x) => x.id === near.id && x.distance_m === null), t.text);
  });
});

describe('similar appeals for staff, and predicted answers', () => {
  let a1;
  let a2;
  before(async () => {
    a1 = await submit('citizen', { topic_id: ids['housing-heating'], text: 'Третий день нет отопления в доме на улице Ленина, батареи ледяные, дети мёрзнут' });
    a2 = await submit('citizen2', { topic_id: ids['housing-heating'], text: 'Батареи ледяные, отопления нет, в квартире холодно, улица Ленина' });
  });

  test('the executor of the body sees the similar appeal; a stranger gets 404', async () => {
    const ex = await demo.as('executor');
    const r = await until(async () => {
      const x = await ex.get(`/api/appeals/${a1.id}/similar`);
      assert.equal(x.status, 200, x.text);
      return x.json.items.some((i) => i.id === a2.id) && x;
    }, 'the second appeal to be indexed');
    assert.ok(!r.json.items.some((i) => i.id === a1.id), 'not itself');
    const it = r.json.items.find((i) => i.id === a2.id);
    assert.ok(it.score > 0 && it.topic_name.length > 0 && it.answer === null);
    const stranger = await (await demo.as('executor2')).get(`/api/appeals/${a1.id}/similar`);
    assert.equal(stranger.status, 404);
    const missing = await ex.get('/api/appeals/99999999/similar');
    assert.equal(missing.status, 404);
  });

  test('after an answer is published, similar texts get it as a predicted answer', async (t) => {
    const ex = await demo.as('executor');
    const start = await ex.post(`/api/appeals/${a1.id}/start`, {});
    if (start.status !== 200) return t.skip(`workflow not ready: ${start.status}`);
    const ANSWER = 'Отопление восстановлено после ремонта задвижки в тепловом узле дома.';
    const fin = await ex.post(`/api/appeals/${a1.id}/answers`, { kind: 'final', text: ANSWER });
    if (fin.status !== 201) return t.skip(`answers not ready: ${fin.status} ${fin.text.slice(0, 200)}`);
    if (fin.json.status !== 'answered') return t.skip('the body needs approval');
    const r = await suggest({ text: 'Нет отопления, батареи ледяные, холодно в квартире' });
    assert.equal(r.status, 200, r.text);
    const a = r.json.answers.find((x) => x.appeal_id === a1.id);
    assert.ok(a, `answers: ${r.text}`);
    assert.equal(a.text, ANSWER);
    const sim = await ex.get(`/api/appeals/${a2.id}/similar`);
    assert.equal(sim.json.items.find((i) => i.id === a1.id)?.answer, ANSWER);
  });
});

describe("the executor's assistant", () => {
  const OLD = 'В доме по ул. Гагарина, д. 7 протекает кровля, после дождя вода течёт по стенам подъезда. Прошу отремонтировать крышу.';
  const NEW = 'Здравствуйте! В доме по ул. Кирова, д. 12, кв. 5 уже 3 недели протекает кровля, вода течёт по стенам, '
    + 'на потолке плесень. Звонил в УК «Уют» 15.01.2021 в 10:30 — без толку. Прошу принять меры и отремонтировать крышу. Спасибо.';
  const ANSWER = 'Здравствуйте!\nВ настоящее время кровля по адресу ул. Гагарина, д. 7 отремонтирована, протечек нет.\n'
    + 'С уважением, отдел капитального ремонта';
  let older;
  let a;
  before(async () => {
    older = await submit('citizen', { topic_id: ids['housing-capital-repair'], text: OLD, address: 'ул. Гагарина, д. 7' });
    a = await submit('citizen2', { topic_id: ids['housing-capital-repair'], text: NEW });
  });

  test('essence, facts, guidance and links of an appeal', async () => {
    const ex = await demo.as('executor');
    const r = await ex.get(`/api/appeals/${a.id}/assistant`);
    assert.equal(r.status, 200, r.text);
    const x = r.json;
    assert.deepEqual(x.essence, [
      'В доме по ул. Кирова, д. 12, кв. 5 уже 3 недели протекает кровля, вода течёт по стенам, на потолке плесень.',
      'Прошу принять меры и отремонтировать крышу.',
    ]);
    const f = (kind) => x.facts.filter((y) => y.kind === kind).map((y) => [y.text, y.value]);
    assert.deepEqual(f('address'), [['ул. Кирова, д. 12', null]]);
    assert.deepEqual(f('apartment'), [['кв. 5', '5']]);
    assert.deepEqual(f('duration'), [['3 недели', null]]);
    assert.deepEqual(f('org'), [['УК «Уют»', null]]);
    assert.deepEqual(f('date'), [['15.01.2021', '2021-01-15']]);
    assert.deepEqual(f('time'), [['10:30', '10:30']]);
    assert.ok(x.links.some((l) => l.rel === 'similar' && l.href === `/api/appeals/${a.id}/similar`), r.text);
    assert.ok('guidance' in x);
    // with nothing answered yet, the draft is a frame to fill, from the appeal itself
    assert.equal(x.draft.source, 'template');
    assert.equal(x.draft.based_on, null);
    assert.match(x.draft.text, new RegExp(`^Здравствуйте!\n\nВаше обращение № ${a.id} от \\d\\d\\.\\d\\d\\.\\d{4} \\(«[^»]+», ул\\. Кирова, д\\. 12\\) рассмотрено\\.`));
    assert.ok(x.draft.text.includes('[опишите, что сделано'), x.draft.text);
  });

  test('the draft is built from the best answer to a similar appeal, in plain language', async (t) => {
    const ex = await demo.as('executor');
    const start = await ex.post(`/api/appeals/${older.id}/start`, {});
    if (start.status !== 200) return t.skip(`workflow: ${start.status}`);
    const fin = await ex.post(`/api/appeals/${older.id}/answers`, { kind: 'final', text: ANSWER });
    assert.equal(fin.status, 201, fin.text);
    if (fin.json.status !== 'answered') return t.skip('the body needs approval');
    const r = await until(async () => {
      const y = await ex.get(`/api/appeals/${a.id}/assistant`);
      assert.equal(y.status, 200, y.text);
      return y.json.draft.source === 'answer' && y;
    }, 'the answered appeal to be found');
    const d = r.json.draft;
    assert.equal(d.based_on.appeal_id, older.id);
    assert.equal(d.based_on.rating, null);
    assert.ok(d.based_on.same_topic);
    // the old answer's greeting and signature are gone, its address is this appeal's, and
    // "В настоящее время" became "Сейчас"
    assert.ok(d.text.includes('\n\nСейчас кровля по адресу ул. Кирова, д. 12 отремонтирована, протечек нет.\n\nЕсли проблема не решена'), d.text);
    assert.ok(!d.text.includes('С уважением') && !d.text.includes('Гагарина'), d.text);
    assert.deepEqual(d.plain_changes, [{ from: 'В настоящее время', to: 'сейчас', offset: d.plain_changes[0].offset }]);
    // an answer its citizen rated 1 or 2 is never offered
    const rate = await (await demo.as('citizen')).post(`/api/appeals/${older.id}/rating`, { score: 1, solved: false });
    assert.equal(rate.status, 200, rate.text);
    const again = await ex.get(`/api/appeals/${a.id}/assistant`);
    assert.equal(again.status, 200);
    assert.ok(again.json.draft.based_on?.appeal_id !== older.id, again.text);
  });

  test('only staff who may work on the appeal get it', async () => {
    for (const who of ['executor2', 'citizen2']) {
      const r = await (await demo.as(who)).get(`/api/appeals/${a.id}/assistant`);
      assert.equal(r.status, who === 'citizen2' ? 403 : 404, `${who}: ${r.text}`);
    }
    assert.equal((await (await demo.as('executor')).get('/api/appeals/99999999/assistant')).status, 404);
    assert.equal((await demo.anon().get(`/api/appeals/${a.id}/assistant`)).status, 401);
  });

  test('plain language on demand', async () => {
    const ex = await demo.as('executor');
    const r = await ex.post('/api/assistant/plain', { text: 'Данный вопрос будет решён в кратчайшие сроки. В связи с тем, что работы произведены, заявка закрыта.' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.text, 'Этот вопрос будет решён как можно скорее. Так как работы выполнены, заявка закрыта.');
    assert.deepEqual(r.json.changes.map((c) => [c.from, c.to, c.offset]), [
      ['Данный', 'этот', 0], ['в кратчайшие сроки', 'как можно скорее', 26], ['В связи с тем, что', 'так как', 46], ['произведены', 'выполнены', 72],
    ]);
    await assertErrors([
      ['not a string', () => ex.post('/api/assistant/plain', { text: 5 }), 422, 'validation_failed', 'text'],
      ['too long', () => ex.post('/api/assistant/plain', { text: 'а'.repeat(8001) }), 422, 'validation_failed', 'text'],
      ['unknown field', () => ex.post('/api/assistant/plain', { text: 'x', other: 1 }), 400, 'invalid_input'],
      ['no text', () => ex.post('/api/assistant/plain', {}), 400, 'invalid_input'],
    ]);
    assert.equal((await (await demo.as('citizen')).post('/api/assistant/plain', { text: 'Данный' })).status, 403);
  });
});

describe('problems', () => {
  const TEXT = 'Упало аварийное дерево, перегородило проход во дворе';
  let near = [];
  let far;
  let pNear;
  let pFar;
  before(async () => {
    for (let i = 0; i < 3; i++) {
      near.push(await submit(i === 1 ? 'citizen2' : 'citizen', { topic_id: ids['green-trees'], text: TEXT + (i ? ` (${i})` : ''), lat: P_PROB.lat + i * 0.0003, lon: P_PROB.lon }));
    }
    far = await submit('citizen', { topic_id: ids['green-trees'], text: TEXT, lat: P_PROB.lat + 0.02, lon: P_PROB.lon });
    pNear = await until(async () => {
      const ps = await Promise.all(near.map((a) => problemOf(a.id)));
      return ps.every((p) => p) && ps;
    }, 'problems for the three appeals');
    pFar = await until(() => problemOf(far.id), 'a problem for the far appeal');
  });

  test('three appeals on the same topic within 100 m get one problem, a far one another', async () => {
    assert.equal(new Set(pNear).size, 1, `problems ${pNear}`);
    assert.notEqual(pFar, pNear[0]);
    const r = await (await demo.as('coordinator')).get(`/api/problems/${pNear[0]}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.size, 3);
    assert.equal(r.json.topic_id, ids['green-trees']);
    assert.equal(r.json.status, 'open');
    assert.deepEqual(r.json.appeals.map((a) => a.id).sort((x, y) => x - y), near.map((a) => a.id).sort((x, y) => x - y));
    assert.ok(r.json.label.length > 0);
    assert.ok(near.some((a) => a.id === r.json.rep_appeal_id));
  });

  test('lists: filters, sort and scope', async () => {
    const co = await demo.as('coordinator');
    const l = await co.get(`/api/problems?topic_id=${ids['green-trees']}&sort=size`);
    assert.equal(l.status, 200, l.text);
    assert.ok(l.json.items.findIndex((p) => p.id === pNear[0]) < l.json.items.findIndex((p) => p.id === pFar), 'bigger first');
    for (let i = 1; i < l.json.items.length; i++) assert.ok(l.json.items[i - 1].size >= l.json.items[i].size);
    assert.ok(l.json.items.some((p) => p.id === pFar));
    assert.ok(l.json.total >= l.json.items.length);
    const solved = await co.get(`/api/problems?topic_id=${ids['green-trees']}&status=solved&limit=100`);
    assert.equal(solved.status, 200);
    assert.ok(!solved.json.items.some((p) => p.id === pNear[0] || p.id === pFar), 'open problems are not solved');
    const open = await co.get(`/api/problems?topic_id=${ids['green-trees']}&status=open&limit=100`);
    assert.ok(open.json.items.some((p) => p.id === pNear[0]) && open.json.items.every((p) => p.status === 'open'));
    // coordinator2 holds Obninsk only: Kaluga's problems are not theirs
    const co2 = await demo.as('coordinator2');
    assert.ok(!(await co2.get('/api/problems?limit=100')).json.items.some((p) => p.id === pNear[0]));
    assert.equal((await co2.get(`/api/problems/${pNear[0]}`)).status, 404);
    await assertErrors([
      ['bad status', () => co.get('/api/problems?status=maybe'), 400, 'invalid_input', 'status'],
      ['bad sort', () => co.get('/api/problems?sort=x'), 400, 'invalid_input', 'sort'],
      ['bad limit', () => co.get('/api/problems?limit=0'), 400, 'invalid_input'],
    ]);
  });

  test('merge and split: by the territory coordinator, ids stay traceable', async () => {
    const co = await demo.as('coordinator');
    await assertErrors([
      ['stranger coordinator', async () => (await demo.as('coordinator2')).post(`/api/problems/${pNear[0]}/merge`, { other_id: pFar }), 404, 'not_found'],
      ['itself', () => co.post(`/api/problems/${pNear[0]}/merge`, { other_id: pNear[0] }), 422, 'validation_failed', 'other_id'],
      ['unknown other', () => co.post(`/api/problems/${pNear[0]}/merge`, { other_id: 99999999 }), 422, 'validation_failed', 'other_id'],
      ['no body', () => co.post(`/api/problems/${pNear[0]}/merge`, {}), 400, 'invalid_input'],
      ['split nothing', () => co.post(`/api/problems/${pNear[0]}/split`, { appeal_ids: [] }), 422, 'validation_failed', 'appeal_ids'],
      ['split a stranger appeal', () => co.post(`/api/problems/${pNear[0]}/split`, { appeal_ids: [far.id] }), 422, 'validation_failed', 'appeal_ids'],
      ['split all', () => co.post(`/api/problems/${pNear[0]}/split`, { appeal_ids: near.map((a) => a.id) }), 422, 'validation_failed', 'appeal_ids'],
    ]);
    assert.equal(await problemOf(far.id), pFar, 'refused edits change nothing');

    const m = await co.post(`/api/problems/${pNear[0]}/merge`, { other_id: pFar });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.json.size, 4);
    assert.equal(await problemOf(far.id), pNear[0]);
    const old = await co.get(`/api/problems/${pFar}`);
    assert.equal(old.status, 200);
    assert.equal(old.json.status, 'merged');
    assert.equal(old.json.merged_into, pNear[0]);
    const again = await co.post(`/api/problems/${pFar}/merge`, { other_id: pNear[0] });
    assert.equal(again.status, 409, again.text);

    const s = await co.post(`/api/problems/${pNear[0]}/split`, { appeal_ids: [far.id] });
    assert.equal(s.status, 201, s.text);
    assert.equal(s.json.split_from, pNear[0]);
    assert.equal(s.json.size, 1);
    assert.deepEqual(s.json.appeals.map((a) => a.id), [far.id]);
    assert.equal(await problemOf(far.id), s.json.id);
    assert.equal((await co.get(`/api/problems/${pNear[0]}`)).json.size, 3);

    const audit = await (await demo.as('admin')).get('/api/audit?limit=100');
    if (audit.status === 200) {
      const acts = audit.json.items.map((e) => e.action);
      assert.ok(acts.includes('problem.merge') && acts.includes('problem.split'), 'audited');
    }
    // a new appeal next to the first three still joins their problem after the edits
    const late = await submit('citizen2', { topic_id: ids['green-trees'], text: TEXT, lat: P_PROB.lat + 0.0002, lon: P_PROB.lon });
    assert.equal(await until(() => problemOf(late.id), 'the late appeal placed'), pNear[0]);
  });
});
