// Appeals: submission by every channel (citizen, operator for a person, API key), routing and the
// triage queue, a point choosing the territory, the validation battery (nothing stored), who sees
// which appeal, the queues and filters, search, pagination, and "me too" joining.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';
import { Client, assertError, assertErrors } from './lib/client.mjs';

let S;
let demo;
const ids = {};
const POINT_OBNINSK = { lat: 55.1, lon: 36.61 };

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.kozelsk = await demo.id('territories', 'klu-kozelsk');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
  ids.kalugaAdm = await demo.id('orgs', 'klu-kaluga-adm');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.appointment = await demo.id('topics', 'health-appointment');
  ids.other = await demo.id('topics', 'other-general');
  ids.citizen = await demo.userId('citizen');
  ids.executor = await demo.userId('executor');
});
after(async () => { await S?.close(); });

/** Submit as login (or a Client); asserts 201 and returns the appeal. */
async function submit(who, body) {
  const c = typeof who === 'string' ? await demo.as(who) : who;
  const r = await c.post('/api/appeals', body);
  assert.equal(r.status, 201, `submit as ${c.name}: ${r.status} ${r.text}`);
  assert.equal(r.headers.location, `/api/appeals/${r.json.id}`);
  // the 201 body (built without reading the appeal back) is what a read gives, but for what
  // background work may have added since (its problem, a topic doubt, and so its version)
  const g = await c.get(`/api/appeals/${r.json.id}`);
  assert.equal(g.status, 200, g.text);
  const strip = (o) => {
    const x = { ...o };
    for (const k of ['problem_id', 'suggested_topic_id', 'version', 'updated_at']) delete x[k];
    return x;
  };
  assert.deepEqual(strip(r.json), strip(g.json), 'the 201 body equals a read of the appeal');
  return r.json;
}

/** Everything stored, seen by admin: the count of all appeals and of audit entries. */
async function counts() {
  const admin = await demo.as('admin');
  const a = await admin.get('/api/appeals?queue=all&limit=1');
  assert.equal(a.status, 200, a.text);
  const au = await admin.get('/api/audit?entity=appeal&limit=1');
  return { appeals: a.json.total, audit: au.json.total };
}

describe('submission', () => {
  test('a citizen submits: routed by the rules, deadline, timeline, citizen view', async () => {
    const before_ = Date.now();
    const ap = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text: '  В квартире холодно, батареи чуть тёплые.  ', address: 'ул. Ленина, 1' });
    assert.equal(ap.status, 'routed');
    assert.equal(ap.channel, 'web');
    assert.equal(ap.org_id, ids.minstroy, 'the topic rule sends heating to the ministry');
    assert.match(ap.org_name, /Министерство строительства/);
    assert.equal(ap.topic_id, ids.heating);
    assert.equal(ap.territory_id, ids.kaluga);
    assert.equal(ap.text, 'В квартире холодно, батареи чуть тёплые.', 'text is trimmed');
    assert.ok(ap.created_at >= before_ - 1000);
    assert.ok(ap.deadline_at > ap.created_at, 'a deadline is set');
    assert.equal(ap.is_author, true);
    assert.deepEqual(ap.author, { name: ap.author.name });
    assert.ok(!('person' in ap) && !('assignee_id' in ap) && !('suggested_topic_id' in ap), 'citizen view');
    assert.equal(ap.timeline.length, 1);
    assert.equal(ap.timeline[0].kind, 'submitted');
    assert.equal(ap.timeline[0].status_to, 'routed');
    assert.equal(ap.timeline[0].actor_name, 'Заявитель');
    assert.equal(ap.routes.length, 1);
    assert.equal(ap.routes[0].kind, 'auto');
    assert.equal(ap.routes[0].to_org_id, ids.minstroy);
    assert.ok(ap.routes[0].reason.length > 0);
    assert.match(ap.token, /^[0-9a-f]{32}$/);
    const g = await (await demo.as('citizen')).get(`/api/appeals/${ap.id}`);
    assert.equal(g.status, 200);
    // problem_id is set in the background by the text engine: compare the rest
    assert.deepEqual({ ...g.json, problem_id: null }, { ...ap, problem_id: null }, 'GET shows what POST returned');
    // the executor of the org sees the staff view
    const ex = await (await demo.as('executor')).get(`/api/appeals/${ap.id}`);
    assert.equal(ex.status, 200);
    assert.equal(ex.json.author.id, ids.citizen);
    assert.equal(ex.json.assignee_id, null);
    assert.ok(ex.json.allowed_actions.includes('start'));
    assert.equal(ex.json.timeline[0].actor_name.length > 0, true);
  });

  test('no rule: the triage queue of the territory', async () => {
    const ap = await submit('citizen', { topic_id: ids.other, territory_id: ids.kaluga, text: 'Вопрос, для которого нет правила компетенции.' });
    assert.equal(ap.status, 'submitted');
    assert.equal(ap.org_id, null);
    assert.equal(ap.routes[0].kind, 'triage');
    assert.equal(ap.timeline[0].status_to, 'submitted');
    const coord = await demo.as('coordinator');
    const q = await coord.get('/api/appeals?queue=triage&limit=100');
    assert.equal(q.status, 200);
    assert.ok(q.json.items.some((x) => x.id === ap.id), 'in the coordinator triage queue');
    assert.ok(q.json.items.every((x) => x.status === 'submitted' && x.org_id === null));
    assertError(await (await demo.as('coordinator2')).get(`/api/appeals/${ap.id}`), 404, 'not_found');
  });

  test('a point chooses the territory', async () => {
    const ap = await submit('citizen2', { topic_id: ids.heating, ...POINT_OBNINSK, text: 'Холодно в квартире, отопление не работает.' });
    assert.equal(ap.territory_id, ids.obninsk);
    assert.equal(ap.lat, POINT_OBNINSK.lat);
    assert.equal(ap.lon, POINT_OBNINSK.lon);
    // a point wins over a territory that does not contain it
    const ap2 = await submit('citizen2', { topic_id: ids.heating, territory_id: ids.kaluga, ...POINT_OBNINSK, text: 'Снова холодно.' });
    assert.equal(ap2.territory_id, ids.obninsk);
  });


  test('a registry change reaches the very next submission', async () => {
    // the server keeps what routing found per (topic, territory) while the registry, calendar and
    // overrides stay the same: every change must be seen by the next appeal
    const admin = await demo.as('admin');
    const tag = Date.now();
    const cat = await admin.post('/api/categories', { code: `memo-c-${tag}`, name: 'Проверка кеша' });
    assert.equal(cat.status, 201, cat.text);
    const tp = await admin.post('/api/topics', { code: `memo-t-${tag}`, category_id: cat.json.id, name: 'Тема без правила', deadline: 5, deadline_unit: 'wdays' });
    assert.equal(tp.status, 201, tp.text);
    const body = { topic_id: tp.json.id, territory_id: ids.kaluga, text: 'Проверка маршрутизации после изменения реестра.' };
    let ap = await submit('citizen', body);
    assert.equal(ap.org_id, null, 'no rule yet: triage');
    ap = await submit('citizen', body);
    assert.equal(ap.org_id, null, 'the same again');

    const rule = await admin.post('/api/rules', { code: `memo-r-${tag}`, topic_id: tp.json.id, territory_id: ids.kaluga, org_id: ids.minstroy });
    assert.equal(rule.status, 201, rule.text);
    ap = await submit('citizen', body);
    assert.equal(ap.status, 'routed');
    assert.equal(ap.org_id, ids.minstroy, 'the new rule is used at once');
    assert.match(ap.routes[0].reason, new RegExp(`memo-r-${tag}`));

    let r = await admin.patch(`/api/rules/${rule.json.id}`, { org_id: ids.kalugaAdm });
    assert.equal(r.status, 200, r.text);
    ap = await submit('citizen', body);
    assert.equal(ap.org_id, ids.kalugaAdm, 'the changed rule is used at once');

    r = await admin.patch(`/api/topics/${tp.json.id}`, { deadline: 3, deadline_unit: 'hours' });
    assert.equal(r.status, 200, r.text);
    ap = await submit('citizen', body);
    assert.equal(ap.deadline_at, ap.created_at + 3 * 3600000, 'the new deadline at once');

    // the names in the 201 come with the route: a renamed topic shows in the next answer
    // (submit() also checks the whole 201 against a read of the appeal)
    r = await admin.patch(`/api/topics/${tp.json.id}`, { name: `Тема переименована ${tag}` });
    assert.equal(r.status, 200, r.text);
    ap = await submit('citizen', body);
    assert.equal(ap.topic_name, `Тема переименована ${tag}`, 'the new name at once');

    r = await admin.patch(`/api/topics/${tp.json.id}`, { active: false });
    assert.equal(r.status, 200, r.text);
    assertError(await (await demo.as('citizen')).post('/api/appeals', body), 422, 'validation_failed', 'topic_id');
    r = await admin.patch(`/api/topics/${tp.json.id}`, { active: true });
    assert.equal(r.status, 200, r.text);
    r = await admin.delete(`/api/rules/${rule.json.id}`);
    assert.ok(r.status === 200 || r.status === 204, r.text);
    ap = await submit('citizen', body);
    assert.equal(ap.org_id, null, 'the rule deleted: triage again');
  });
  test('an operator enters an appeal for a person', async () => {
    const op = await demo.as('operator');
    const ap = await submit(op, { topic_id: ids.appointment, territory_id: ids.kaluga, channel: 'operator', text: 'Заявитель не может записаться к врачу.', person: { name: 'Мария Иванова', contact: '+7 900 111-22-33' } });
    assert.equal(ap.channel, 'operator');
    assert.equal(ap.org_id, ids.minzdrav);
    assert.deepEqual(ap.person, { name: 'Мария Иванова', contact: '+7 900 111-22-33' }, 'the operator sees the person');
    assert.equal(ap.author, null);
    const ex = await (await demo.as('executor2')).get(`/api/appeals/${ap.id}`);
    assert.equal(ex.status, 200);
    assert.deepEqual(ex.json.person, ap.person, 'staff see the person');
    assertError(await (await demo.as('citizen')).get(`/api/appeals/${ap.id}`), 404, 'not_found');
    const mine = await op.get('/api/appeals?queue=authored');
    assert.ok(mine.json.items.some((x) => x.id === ap.id), 'the operator finds their entries');
    assertError(await op.post('/api/appeals', { topic_id: ids.appointment, territory_id: ids.kaluga, channel: 'operator', text: 'Без имени' }), 422, 'validation_failed', 'person.name');
  });

  test('an API key submits (channel api, person allowed)', async () => {
    const admin = await demo.as('admin');
    const k = await admin.post('/api/apikeys', { name: 'CRM', org_id: ids.kalugaAdm, scopes: ['operator'] });
    assert.equal(k.status, 201, k.text);
    const bot = new Client(S.base, { bearer: k.json.key, name: 'apikey' });
    const ap = await submit(bot, { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Обращение из CRM.', person: { name: 'Пётр Сидоров' }, external_id: 'crm-77' });
    assert.equal(ap.channel, 'api');
    assert.equal(ap.author, null);
    const g = await bot.get(`/api/appeals/${ap.id}`);
    assert.equal(g.status, 200, 'the key reads what it entered');
    const l = await bot.get('/api/appeals?queue=authored');
    assert.ok(l.json.items.some((x) => x.id === ap.id));
  });

  test('validation: every bad input is refused and nothing is stored', async () => {
    const admin = await demo.as('admin');
    const inactive = await admin.post('/api/topics', { code: `inactive-${Date.now()}`, category_id: (await (await demo.anon()).get(`/api/topics/${ids.heating}`)).json.category_id, name: 'Старая тема', deadline: 5, deadline_unit: 'wdays', active: false });
    assert.equal(inactive.status, 201, inactive.text);
    const c = await demo.as('citizen');
    const good = { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Нормальный текст' };
    const before_ = await counts();
    const post = (body) => () => c.post('/api/appeals', body);
    await assertErrors([
      ['empty text', post({ ...good, text: '   ' }), 422, 'validation_failed', 'text'],
      ['no text', post({ topic_id: ids.heating, territory_id: ids.kaluga }), 422, 'validation_failed', 'text'],
      ['4001 characters', post({ ...good, text: 'Я'.repeat(4001) }), 422, 'validation_failed', 'text'],
      ['control characters', post({ ...good, text: 'текст\u0001с управляющим' }), 422, 'validation_failed', 'text'],
      ['C1 control', post({ ...good, text: 'текст\u0085' }), 422, 'validation_failed', 'text'],
      ['unknown topic', post({ ...good, topic_id: 987654 }), 422, 'validation_failed', 'topic_id'],
      ['inactive topic', post({ ...good, topic_id: inactive.json.id }), 422, 'validation_failed', 'topic_id'],
      ['topic as a string', post({ ...good, topic_id: '12' }), 422, 'validation_failed', 'topic_id'],
      ['no topic', post({ territory_id: ids.kaluga, text: 'x' }), 422, 'validation_failed', 'topic_id'],
      ['unknown territory', post({ ...good, territory_id: 987654 }), 422, 'validation_failed', 'territory_id'],
      ['no territory and no point', post({ topic_id: ids.heating, text: 'x' }), 422, 'validation_failed', 'territory_id'],
      ['lat without lon', post({ ...good, lat: 54.5 }), 422, 'validation_failed', 'lon'],
      ['lon without lat', post({ ...good, lon: 36.2 }), 422, 'validation_failed', 'lat'],
      ['lat out of range', post({ ...good, lat: 91, lon: 36 }), 422, 'validation_failed', 'lat'],
      ['lon out of range', post({ ...good, lat: 54, lon: -181 }), 422, 'validation_failed', 'lon'],
      ['point outside every territory', post({ topic_id: ids.heating, text: 'x', lat: -60, lon: 0 }), 422, 'validation_failed', 'lat'],
      ['address too long', post({ ...good, address: 'д'.repeat(501) }), 422, 'validation_failed', 'address'],
      ['unknown field', post({ ...good, priority: 'high' }), 400, 'invalid_input'],
      ['channel open311', post({ ...good, channel: 'open311' }), 422, 'validation_failed', 'channel'],
      ['channel import', post({ ...good, channel: 'import' }), 422, 'validation_failed', 'channel'],
      ['unknown channel', post({ ...good, channel: 'fax' }), 422, 'validation_failed', 'channel'],
      ['channel operator by a citizen', post({ ...good, channel: 'operator', person: { name: 'X' } }), 403, 'forbidden'],
      ['person from a citizen', post({ ...good, person: { name: 'Кто-то другой' } }), 403, 'forbidden', 'person'],
      ['attachment of nobody', post({ ...good, attachment_ids: [987654] }), 422, 'validation_failed', 'attachment_ids'],
      ['attachment ids not numbers', post({ ...good, attachment_ids: ['a'] }), 422, 'validation_failed', 'attachment_ids'],
      ['11 attachments', post({ ...good, attachment_ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }), 422, 'validation_failed', 'attachment_ids'],
      ['not JSON', () => c.request('POST', '/api/appeals', { body: '{"topic_id":', contentType: 'application/json' }), 400, 'invalid_input'],
    ]);
    // invalid UTF-8 bytes in the body
    const raw = Buffer.concat([Buffer.from(`{"topic_id":${ids.heating},"territory_id":${ids.kaluga},"text":"`), Buffer.from([0xd0, 0x28]), Buffer.from('"}')]);
    const bad = await c.request('POST', '/api/appeals', { body: raw, contentType: 'application/json' });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(await counts(), before_, 'nothing stored, nothing audited');
    // anonymous and missing CSRF
    assertError(await demo.anon().post('/api/appeals', good), 401, 'unauthorized');
    assertError(await c.post('/api/appeals', good, { csrf: false }), 403, 'csrf_failed');
    assert.deepEqual(await counts(), before_);
    // exactly 4000 characters pass
    const ok = await submit('citizen', { ...good, text: 'Я'.repeat(4000) });
    assert.equal(ok.text.length, 4000);
  });
});

describe('who sees what', () => {
  let ap;
  before(async () => {
    ap = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Проверка видимости: холодно.' });
  });
  for (const [login, status] of [['citizen', 200], ['citizen2', 404], ['executor', 200], ['executor2', 404], ['supervisor', 200], ['coordinator', 200], ['coordinator2', 404], ['admin', 200], ['operator', 404], ['volunteer', 404]]) {
    test(`${login} → ${status}`, async () => {
      const r = await (await demo.as(login)).get(`/api/appeals/${ap.id}`);
      assert.equal(r.status, status, r.text);
      if (status === 404) assertError(r, 404, 'not_found');
      const l = await (await demo.as(login)).get('/api/appeals?queue=all&limit=100');
      assert.equal(l.status, 200);
      assert.equal(l.json.items.some((x) => x.id === ap.id), status === 200, `${login}: in queue=all iff visible`);
    });
  }
  test('unknown id and anonymous', async () => {
    assertError(await (await demo.as('admin')).get('/api/appeals/987654321'), 404, 'not_found');
    assertError(await (await demo.as('admin')).get('/api/appeals/abc'), 404, 'not_found');
    assertError(await demo.anon().get(`/api/appeals/${ap.id}`), 401, 'unauthorized');
  });
});

describe('queues and filters', () => {
  test('org, new, overdue, authored, mine', async () => {
    const ex = await demo.as('executor');
    const org = await ex.get('/api/appeals?queue=org&limit=100');
    assert.equal(org.status, 200);
    assert.ok(org.json.items.length > 0);
    assert.ok(org.json.items.every((x) => x.org_id === ids.minstroy && !['answered', 'closed', 'rejected', 'merged'].includes(x.status)), 'only open appeals of the org');
    for (let i = 1; i < org.json.items.length; i++) assert.ok(org.json.items[i - 1].deadline_at <= org.json.items[i].deadline_at, 'sorted by deadline');
    const dflt = await ex.get('/api/appeals?limit=100');
    assert.deepEqual(dflt.json, org.json, 'org is the staff default');
    const nw = await ex.get('/api/appeals?queue=new&limit=100');
    assert.ok(nw.json.items.length > 0 && nw.json.items.every((x) => ['routed', 'redirected'].includes(x.status)));
    const od = await ex.get('/api/appeals?queue=overdue');
    assert.ok(od.json.items.length > 0, 'the demo has an overdue appeal at the ministry');
    assert.ok(od.json.items.every((x) => x.overdue === true));
    const ds = await ex.get('/api/appeals?queue=due_soon&limit=100');
    assert.equal(ds.status, 200);
    assert.ok(ds.json.items.every((x) => x.overdue === false && x.status !== 'clarification'));
    const mine = await ex.get('/api/appeals?queue=mine&limit=100');
    assert.ok(mine.json.items.length > 0, 'demo appeals are assigned to the executor');
    assert.ok(mine.json.items.every((x) => x.assignee_id === ids.executor));
    const ex2 = await demo.as('executor2');
    const o2 = await ex2.get('/api/appeals?queue=org&limit=100');
    assert.ok(o2.json.items.every((x) => x.org_id === ids.minzdrav));
    const cit = await demo.as('citizen');
    const auth = await cit.get('/api/appeals?limit=100');
    const auth2 = await cit.get('/api/appeals?queue=authored&limit=100');
    assert.deepEqual(auth.json, auth2.json, 'authored is the citizen default');
    assert.ok(auth.json.items.length > 0);
    for (const x of auth.json.items) assert.equal((await cit.get(`/api/appeals/${x.id}`)).json.is_author || (await cit.get(`/api/appeals/${x.id}`)).json.is_coauthor, true);
    for (let i = 1; i < auth.json.items.length; i++) assert.ok(auth.json.items[i - 1].created_at >= auth.json.items[i].created_at, 'newest first');
    const c2 = await (await demo.as('citizen2')).get('/api/appeals?queue=authored&limit=100');
    assert.ok(!c2.json.items.some((x) => auth.json.items.some((y) => y.id === x.id)), 'citizens do not see each other');
    assert.deepEqual((await cit.get('/api/appeals?queue=org')).json, { items: [], total: 0 }, 'a citizen has no org queue');
  });

  test('supervisor and coordinator scopes', async () => {
    const sup = await demo.as('supervisor');
    const s = await sup.get('/api/appeals?queue=org&limit=100');
    assert.ok(s.json.items.some((x) => x.org_id === ids.minstroy) && s.json.items.some((x) => x.org_id === ids.minzdrav), 'orgs below klu-gov');
    assert.ok(!s.json.items.some((x) => x.org_id === ids.kalugaAdm), 'not the city administration');
    const c2 = await (await demo.as('coordinator2')).get('/api/appeals?queue=all&limit=100');
    assert.ok(c2.json.items.length > 0 && c2.json.items.every((x) => x.territory_id === ids.obninsk));
  });

  test('filters and sorting', async () => {
    const admin = await demo.as('admin');
    const f = await admin.get(`/api/appeals?queue=all&status=routed,in_progress&topic_id=${ids.heating}&limit=100`);
    assert.equal(f.status, 200);
    assert.ok(f.json.items.length > 0 && f.json.items.every((x) => ['routed', 'in_progress'].includes(x.status) && x.topic_id === ids.heating));
    const t = await admin.get(`/api/appeals?queue=all&territory_id=${ids.kozelsk}&sort=created`);
    assert.ok(t.json.items.every((x) => x.territory_id === ids.kozelsk));
    for (let i = 1; i < t.json.items.length; i++) assert.ok(t.json.items[i - 1].created_at <= t.json.items[i].created_at);
    const now = Date.now();
    const recent = await admin.get(`/api/appeals?queue=all&created_from=${now - 3 * 86400000}&limit=100`);
    assert.ok(recent.json.items.every((x) => x.created_at >= now - 3 * 86400000));
    const old = await admin.get(`/api/appeals?queue=all&created_to=${now - 10 * 86400000}&limit=100`);
    assert.ok(old.json.items.length > 0 && old.json.items.every((x) => x.created_at <= now - 10 * 86400000));
    const ex = await demo.as('executor');
    await assertErrors([
      ['unknown queue', () => ex.get('/api/appeals?queue=everything'), 422, 'validation_failed', 'queue'],
      ['unknown status', () => ex.get('/api/appeals?status=lost'), 422, 'validation_failed', 'status'],
      ['bad sort', () => ex.get('/api/appeals?sort=name'), 422, 'validation_failed', 'sort'],
      ['limit 0', () => ex.get('/api/appeals?limit=0'), 422, 'validation_failed', 'limit'],
      ['limit 101', () => ex.get('/api/appeals?limit=101'), 422, 'validation_failed', 'limit'],
      ['negative offset', () => ex.get('/api/appeals?offset=-1'), 422, 'validation_failed', 'offset'],
      ['topic_id text', () => ex.get('/api/appeals?topic_id=abc'), 422, 'validation_failed', 'topic_id'],
      ['org_id 0', () => ex.get('/api/appeals?org_id=0'), 422, 'validation_failed', 'org_id'],
      ['created_from text', () => ex.get('/api/appeals?created_from=yesterday'), 422, 'validation_failed', 'created_from'],
      ['q too long', () => ex.get(`/api/appeals?q=${'я'.repeat(201)}`), 422, 'validation_failed', 'q'],
    ]);
  });

  test('q: every word, Cyrillic case-insensitive, ё = е, address too', async () => {
    const ap = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Протекает Крыша над ПОДЪЕЗДОМ, всё в воде', address: 'Заречная улица, 7' });
    const c = await demo.as('citizen');
    for (const q of ['подъездом', 'КРЫША протекает', 'все воде', 'ВСЁ ВОДЕ', 'заречная', 'Подъездом заречная']) {
      const r = await c.get(`/api/appeals?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.items.map((x) => x.id), [ap.id], `q=${q}`);
    }
    const none = await c.get(`/api/appeals?q=${encodeURIComponent('крыша гараж')}`);
    assert.deepEqual(none.json, { items: [], total: 0 }, 'all words must occur');
    const pct = await c.get(`/api/appeals?q=${encodeURIComponent('%')}`);
    assert.equal(pct.json.total, 0, '% is a literal, not a wildcard');
  });

  test('pagination: limit, offset, total', async () => {
    const admin = await demo.as('admin');
    const all = await admin.get('/api/appeals?queue=all&limit=100&sort=created');
    assert.ok(all.json.total >= 25);
    assert.equal(all.json.items.length, Math.min(100, all.json.total));
    const p1 = await admin.get('/api/appeals?queue=all&limit=7&offset=0&sort=created');
    const p2 = await admin.get('/api/appeals?queue=all&limit=7&offset=7&sort=created');
    assert.equal(p1.json.items.length, 7);
    assert.equal(p1.json.total, all.json.total);
    assert.deepEqual([...p1.json.items, ...p2.json.items].map((x) => x.id), all.json.items.slice(0, 14).map((x) => x.id));
    const past = await admin.get(`/api/appeals?queue=all&offset=${all.json.total}`);
    assert.deepEqual(past.json.items, []);
    assert.equal(past.json.total, all.json.total);
    assert.ok(!('total_capped' in all.json));
  });
});

describe('me too', () => {
  test('a stranger joins an open appeal and becomes a co-author', async () => {
    const ap = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Во всём доме холодно.' });
    const c2 = await demo.as('citizen2');
    assertError(await c2.get(`/api/appeals/${ap.id}`), 404, 'not_found');
    const j = await c2.post(`/api/appeals/${ap.id}/join`, {});
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.is_coauthor, true);
    assert.equal(j.json.is_author, false);
    assert.equal(j.json.coauthors, 1);
    assert.equal(j.json.author, null, 'a co-author does not see the author');
    assert.ok(!j.json.timeline.some((e) => e.kind === 'joined'), 'joining is not public');
    assert.equal((await c2.get(`/api/appeals/${ap.id}`)).status, 200, 'now readable');
    const mine = await c2.get('/api/appeals?queue=authored&limit=100');
    assert.ok(mine.json.items.some((x) => x.id === ap.id), 'in the co-author\'s list');
    assertError(await c2.post(`/api/appeals/${ap.id}/join`, {}), 409, 'conflict');
    assertError(await (await demo.as('citizen')).post(`/api/appeals/${ap.id}/join`, {}), 409, 'conflict');
    const staff = await (await demo.as('executor')).get(`/api/appeals/${ap.id}`);
    assert.ok(staff.json.timeline.some((e) => e.kind === 'joined' && e.public === false), 'staff see the join');
    const a = await (await demo.as('citizen')).get(`/api/appeals/${ap.id}`);
    assert.equal(a.json.coauthors, 1);
  });

  test('closed, unknown, body, anonymous', async () => {
    const admin = await demo.as('admin');
    const closed = await admin.get('/api/appeals?queue=all&status=closed&limit=1');
    assert.equal(closed.json.items.length, 1);
    const c2 = await demo.newSession('citizen2');
    const closedId = closed.json.items[0].id;
    const before_ = (await admin.get(`/api/appeals/${closedId}`)).json.coauthors;
    assertError(await c2.post(`/api/appeals/${closedId}/join`, {}), 409, 'conflict');
    assert.equal((await admin.get(`/api/appeals/${closedId}`)).json.coauthors, before_);
    assertError(await c2.post('/api/appeals/987654321/join', {}), 404, 'not_found');
    assertError(await c2.post(`/api/appeals/${closedId}/join`, { extra: 1 }), 400, 'invalid_input');
    assertError(await demo.anon().post(`/api/appeals/${closedId}/join`, {}), 401, 'unauthorized');
  });
});

// last: it adds many appeals, which would crowd the first pages the tests above look at
describe('burst', () => {
  test('many submissions at once (more than the server has threads): each 201 is its own stored appeal', async () => {
    // the request threads do not wait for the commit (http_defer): every one of these is
    // answered only after its own write, and with its own appeal
    const admin = await demo.as('admin');
    const k = await admin.post('/api/apikeys', { name: 'Burst', org_id: ids.kalugaAdm, scopes: ['operator'] });
    assert.equal(k.status, 201, k.text);
    const bot = new Client(S.base, { bearer: k.json.key, name: 'apikey' });
    const before = await counts();
    const n = 120;
    const rs = await Promise.all(Array.from({ length: n }, (_, i) =>
      bot.post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text: `Пакет обращений, номер ${i}.` })));
    for (const r of rs) assert.equal(r.status, 201, r.text);
    assert.equal(new Set(rs.map((r) => r.json.id)).size, n, 'distinct appeals');
    rs.forEach((r, i) => {
      assert.equal(r.json.text, `Пакет обращений, номер ${i}.`, 'each answer is about its own request');
    });
    const after = await counts();
    assert.equal(after.appeals - before.appeals, n);
    assert.equal(after.audit - before.audit, n);
    for (const i of [0, n >> 1, n - 1]) {
      const g = await bot.get(`/api/appeals/${rs[i].json.id}`);
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.text, `Пакет обращений, номер ${i}.`);
    }
  });
});
