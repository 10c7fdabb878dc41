// Registry CRUD for territories, orgs, categories, topics and rules: create/read/update/delete,
// lists with q/filters/limit/offset/code, and the error battery (each error changes nothing).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';

let S;
let demo;
let admin;
const ids = {};
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  admin = await demo.as('admin');
  ids.ru = await demo.id('territories', 'RU');
  ids.klu = await demo.id('territories', 'RU-KLU');
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.kalugaAdm = await demo.id('orgs', 'klu-kaluga-adm');
  ids.gov = await demo.id('orgs', 'klu-gov');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
});
after(async () => { await S?.close(); });

const LONG = 'Я'.repeat(5000);

/** Per collection: a valid body, an update, the error cases, and how to make a referencing object. */
const COLL = {
  territories: {
    body: (code) => ({ code, name: 'Деревня Тестовая', kind: 'settlement', parent_id: ids.kaluga, okato: '29401000001', oktmo: '29701000001', iso: null }),
    update: { name: 'Село Тестовое', okato: '29401000002' },
    filters: (o) => [`parent_id=${o.parent_id}`, 'kind=settlement'],
    nameField: 'name',
    enumField: ['kind', 'planet'],
    refField: 'parent_id',
    // something that references a territory: a child territory
    referrer: async (o) => (await admin.post('/api/territories', { code: uniq('child'), name: 'Хутор', kind: 'settlement', parent_id: o.id })).json,
    referrerColl: 'territories',
  },
  orgs: {
    body: (code) => ({ code, name: 'Тестовая поликлиника № 1', short_name: 'ТП-1', kind: 'social', territory_id: ids.kaluga, parent_id: ids.minzdrav, email: 'tp1@example.org' }),
    update: { name: 'Тестовая поликлиника № 2', short_name: 'ТП-2', email: 'tp2@example.org' },
    filters: (o) => [`territory_id=${o.territory_id}`, 'kind=social', `parent_id=${o.parent_id}`],
    nameField: 'name',
    enumField: ['kind', 'private'],
    refField: 'territory_id',
    badEmail: true,
    referrer: async (o) => (await admin.post('/api/rules', { code: uniq('ref'), territory_id: ids.kaluga, org_id: o.id })).json,
    referrerColl: 'rules',
  },
  categories: {
    body: (code) => ({ code, name: 'Тестовая категория', sort: 42 }),
    update: { name: 'Тестовая категория (изм.)', sort: 43 },
    filters: () => [],
    nameField: 'name',
    referrer: async (o) => (await admin.post('/api/topics', { code: uniq('ref'), category_id: o.id, name: 'Тема', deadline: 5, deadline_unit: 'wdays' })).json,
    referrerColl: 'topics',
  },
  topics: {
    body: (code) => ({ code, category_id: ids.category, name: 'Яма во дворе', deadline: 10, deadline_unit: 'wdays', hint: 'Укажите адрес', active: true }),
    update: { name: 'Яма на дороге', deadline: 24, deadline_unit: 'hours' },
    filters: (o) => [`category_id=${o.category_id}`],
    nameField: 'name',
    enumField: ['deadline_unit', 'weeks'],
    refField: 'category_id',
    referrer: async (o) => (await admin.post('/api/rules', { code: uniq('ref'), topic_id: o.id, territory_id: ids.kaluga, org_id: ids.kalugaAdm })).json,
    referrerColl: 'rules',
  },
  rules: {
    body: (code) => ({ code, topic_id: null, category_id: ids.category, territory_id: ids.obninsk, org_id: ids.kalugaAdm }),
    update: { org_id: ids.gov, territory_id: ids.kaluga },
    filters: (o) => [`org_id=${o.org_id}`, `territory_id=${o.territory_id}`],
    refField: 'org_id',
  },
};

/** Everything a user could see of a collection (and the audit log size), to prove nothing changed. */
async function snapshot(coll) {
  const r = await demo.anon().get(`/api/${coll}?limit=500`);
  assert.equal(r.status, 200);
  const a = await admin.get('/api/audit?limit=1');
  return { list: r.json, audit: a.json?.total };
}

for (const [coll, C] of Object.entries(COLL)) {
  describe(coll, () => {
    let obj;
    before(async () => {
      if (!ids.category) {
        const r = await admin.post('/api/categories', { code: uniq('regcat'), name: 'Категория для тестов', sort: 1 });
        assert.equal(r.status, 201, r.text);
        ids.category = r.json.id;
        // functions above read ids lazily; refresh the rules update with real ids
        COLL.rules.update = { org_id: ids.gov, territory_id: ids.kaluga };
      }
    });

    test('create, read, update', async () => {
      const code = uniq(coll.slice(0, 3));
      const body = C.body(code);
      const r = await admin.post(`/api/${coll}`, body);
      assert.equal(r.status, 201, r.text);
      for (const [k, v] of Object.entries(body)) assert.deepEqual(r.json[k], v, `created ${k}`);
      obj = r.json;
      const g = await demo.anon().get(`/api/${coll}/${obj.id}`);
      assert.equal(g.status, 200);
      assert.deepEqual(g.json, obj, 'GET returns what POST returned');
      const u = await admin.patch(`/api/${coll}/${obj.id}`, C.update);
      assert.equal(u.status, 200, u.text);
      for (const [k, v] of Object.entries(C.update)) assert.deepEqual(u.json[k], v, `updated ${k}`);
      for (const k of Object.keys(obj)) if (!(k in C.update)) assert.deepEqual(u.json[k], obj[k], `PATCH left ${k} alone`);
      obj = u.json;
      assert.deepEqual((await demo.anon().get(`/api/${coll}/${obj.id}`)).json, obj);
      assertError(await admin.patch(`/api/${coll}/987654321`, C.update), 404, 'not_found');
      assertError(await demo.anon().get(`/api/${coll}/987654321`), 404, 'not_found');
    });

    test('list: code, q, filters, limit, offset', async () => {
      const anon = demo.anon();
      const byCode = await anon.get(`/api/${coll}?code=${encodeURIComponent(obj.code)}`);
      assert.equal(byCode.status, 200);
      assert.equal(byCode.json.total, 1);
      assert.deepEqual(byCode.json.items, [obj]);
      assert.equal((await anon.get(`/api/${coll}?code=${encodeURIComponent(obj.code + 'x')}`)).json.total, 0, 'code is an exact match');
      if (C.nameField) {
        const word = obj.name.split(/[\s()«».,№]+/).reduce((a, b) => (b.length > a.length ? b : a), '');
        const q = await anon.get(`/api/${coll}?q=${encodeURIComponent(word.toLowerCase())}&limit=500`);
        assert.equal(q.status, 200);
        assert.ok(q.json.items.some((x) => x.id === obj.id), `q=${word.toLowerCase()} (case-insensitive, Cyrillic) finds ${obj.name}`);
        const none = await anon.get(`/api/${coll}?q=${encodeURIComponent('щщщнетакогощщщ')}`);
        assert.deepEqual(none.json, { items: [], total: 0 });
      }
      for (const f of C.filters(obj)) {
        const r = await anon.get(`/api/${coll}?${f}&limit=500`);
        assert.equal(r.status, 200, `${f}: ${r.text}`);
        assert.ok(r.json.items.some((x) => x.id === obj.id), `filter ${f} keeps the object`);
        const [k, v] = f.split('=');
        for (const x of r.json.items) assert.equal(String(x[k]), v, `filter ${f} returned ${JSON.stringify(x)}`);
        assert.equal(r.json.total, r.json.items.length);
      }
      const all = await anon.get(`/api/${coll}?limit=500`);
      const total = all.json.total;
      assert.ok(total >= 1 && all.json.items.length === Math.min(total, 500));
      assert.ok(new Set(all.json.items.map((x) => x.id)).size === all.json.items.length, 'no duplicates');
      const first = await anon.get(`/api/${coll}?limit=1`);
      assert.equal(first.json.items.length, 1);
      assert.equal(first.json.total, total, 'total counts all matches, not the page');
      if (total >= 3) {
        const page = await anon.get(`/api/${coll}?limit=2&offset=1`);
        assert.deepEqual(page.json.items, all.json.items.slice(1, 3), 'offset/limit page out of a stable order');
      }
      const past = await anon.get(`/api/${coll}?offset=${total + 10}`);
      assert.deepEqual(past.json.items, []);
      const dflt = await anon.get(`/api/${coll}`);
      assert.equal(dflt.json.items.length, Math.min(total, 50), 'default limit 50');
      const badFilters = C.filters(obj).map((f) => f.split('=')[0]).map((k) => (k === 'kind' ? 'kind=planet' : `${k}=abc`));
      await assertErrors(['limit=501', 'limit=-1', 'limit=abc', 'offset=-1', 'offset=x', ...badFilters]
        .map((bad) => [`GET /api/${coll}?${bad} (a bad query parameter)`, () => anon.get(`/api/${coll}?${bad}`), 400, 'invalid_input']));
    });

    test('validation errors name the field and change nothing', async () => {
      const snap = await snapshot(coll);
      const good = C.body(uniq('bad'));
      const cases = [];
      const drop = (k) => { const b = { ...good }; delete b[k]; return b; };
      cases.push([drop('code'), 422, 'validation_failed', 'code']);
      cases.push([{ ...good, code: '' }, 422, 'validation_failed', 'code']);
      cases.push([{ ...good, code: obj.code }, 409, 'conflict', undefined]);
      if (C.nameField) {
        cases.push([drop('name'), 422, 'validation_failed', 'name']);
        cases.push([{ ...good, name: '' }, 422, 'validation_failed', 'name']);
        cases.push([{ ...good, name: '   ' }, 422, 'validation_failed', 'name']);
        cases.push([{ ...good, name: LONG }, 422, 'validation_failed', 'name']);
        cases.push([{ ...good, name: 123 }, 400, 'invalid_input', undefined]);
      }
      if (C.enumField) cases.push([{ ...good, [C.enumField[0]]: C.enumField[1] }, 422, 'validation_failed', C.enumField[0]]);
      if (C.refField) cases.push([{ ...good, [C.refField]: 987654321 }, 422, 'validation_failed', C.refField]);
      if (C.badEmail) cases.push([{ ...good, email: 'not-an-email' }, 422, 'validation_failed', 'email']);
      cases.push([{ ...good, id: 5 }, 400, 'invalid_input', undefined]);
      cases.push([{ ...good, unknown_field: 1 }, 400, 'invalid_input', undefined]);
      await assertErrors(cases.map(([body, status, code, field]) =>
        [`POST ${JSON.stringify(body).slice(0, 120)}`, () => admin.post(`/api/${coll}`, body), status, code, field]));
      // The same through PATCH.
      const patches = [[{ code: '' }, 422, 'code'], [{ unknown_field: 1 }, 400, undefined]];
      if (C.nameField) patches.push([{ name: LONG }, 422, 'name'], [{ name: '' }, 422, 'name']);
      if (C.refField) patches.push([{ [C.refField]: 987654321 }, 422, C.refField]);
      if (C.enumField) patches.push([{ [C.enumField[0]]: C.enumField[1] }, 422, C.enumField[0]]);
      const other = await admin.post(`/api/${coll}`, C.body(uniq('other')));
      assert.equal(other.status, 201, other.text);
      const snap2 = await snapshot(coll);
      patches.push([{ code: other.json.code }, 409, undefined]);
      await assertErrors(patches.map(([body, status, field]) =>
        [`PATCH ${JSON.stringify(body).slice(0, 120)}`, () => admin.patch(`/api/${coll}/${obj.id}`, body), status,
          status === 400 ? 'invalid_input' : status === 409 ? 'conflict' : 'validation_failed', field]));
      assert.deepEqual(await snapshot(coll), snap2, 'a refused PATCH changed the data or wrote an audit entry');
      assert.equal(snap2.list.total, snap.list.total + 1, 'only the one good create added an object');
    });

    test('malformed requests: bad JSON, invalid UTF-8, deep nesting, oversized body, wrong content type', async () => {
      const snap = await snapshot(coll);
      const code = uniq('raw');
      const good = JSON.stringify(C.body(code));
      const send = (body, contentType = 'application/json') => admin.request('POST', `/api/${coll}`, { body, contentType });
      assertError(await send(good.slice(0, -3)), 400, 'invalid_input');
      assertError(await send('{"code": "x",}'), 400, 'invalid_input');
      assertError(await send('[]'), 400, 'invalid_input');
      assertError(await send(''), 400, 'invalid_input');
      const head = JSON.stringify({ ...C.body(code), [C.nameField || 'code']: undefined }).slice(0, -1);
      const utf8Body = Buffer.concat([Buffer.from(`${head},"${C.nameField || 'code'}":"Ok`), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);
      assertError(await send(utf8Body), 400, 'invalid_input');
      const deep = (n) => JSON.stringify({ ...C.body(code), code: undefined }).slice(0, -1) + ',"code":' + '['.repeat(n) + ']'.repeat(n) + '}';
      assertError(await send(deep(100)), 400, 'invalid_input');
      const r = await send(deep(200000));
      assertError(r, r.status === 413 ? 413 : 400, r.status === 413 ? 'payload_too_large' : 'invalid_input');
      const huge = JSON.stringify({ ...C.body(code), [C.nameField || 'code']: 'Ж'.repeat(2 * 1024 * 1024) });
      assertError(await send(huge), 413, 'payload_too_large');
      assertError(await send(good, 'text/plain'), 415, 'unsupported_media_type');
      assertError(await send(good, 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
      assertError(await admin.request('POST', `/api/${coll}`, { body: good }), 415, 'unsupported_media_type');
      assert.deepEqual(await snapshot(coll), snap, 'a malformed request changed the data');
      // A JSON content type with charset is fine.
      const ok = await send(good, 'application/json; charset=utf-8');
      assert.equal(ok.status, 201, ok.text);
      assert.equal((await demo.anon().get('/healthz')).status, 200, 'the server survived');
    });

    test('delete: 409 while referenced, 204, then 404', async () => {
      if (C.referrer) {
        const ref = await C.referrer(obj);
        assert.ok(ref?.id, `creating a referrer for ${coll}`);
        const snap = await snapshot(coll);
        assertError(await admin.delete(`/api/${coll}/${obj.id}`), 409, 'conflict');
        assert.deepEqual(await snapshot(coll), snap, 'a refused delete changed the data');
        assert.equal((await admin.delete(`/api/${C.referrerColl}/${ref.id}`)).status, 204);
      }
      const d = await admin.delete(`/api/${coll}/${obj.id}`);
      assert.equal(d.status, 204, d.text);
      assertError(await demo.anon().get(`/api/${coll}/${obj.id}`), 404, 'not_found');
      assertError(await admin.delete(`/api/${coll}/${obj.id}`), 404, 'not_found');
      assert.equal((await demo.anon().get(`/api/${coll}?code=${encodeURIComponent(obj.code)}`)).json.total, 0);
      // the code is free again
      const again = await admin.post(`/api/${coll}`, C.body(obj.code));
      assert.equal(again.status, 201, again.text);
    });
  });
}

test('demo objects that others depend on cannot be deleted', async () => {
  assertError(await admin.delete(`/api/territories/${ids.klu}`), 409, 'conflict');
  assertError(await admin.delete(`/api/orgs/${ids.gov}`), 409, 'conflict');
  assert.equal((await demo.anon().get(`/api/territories/${ids.klu}`)).status, 200);
});

test('a territory cannot become its own ancestor', async () => {
  const t = await admin.post('/api/territories', { code: uniq('cyc'), name: 'Цикл', kind: 'settlement', parent_id: ids.kaluga });
  assert.equal(t.status, 201);
  assertError(await admin.patch(`/api/territories/${t.json.id}`, { parent_id: t.json.id }), 422, 'validation_failed', 'parent_id');
  const kalugaBefore = (await demo.anon().get(`/api/territories/${ids.kaluga}`)).json;
  const r = await admin.patch(`/api/territories/${ids.kaluga}`, { parent_id: t.json.id });
  assertError(r, 422, 'validation_failed', 'parent_id');
  assert.deepEqual((await demo.anon().get(`/api/territories/${ids.kaluga}`)).json, kalugaBefore);
});

test('concurrent creates with one code: exactly one wins, the others get 409 (never 5xx)', async () => {
  const code = uniq('race');
  const rs = await Promise.all(Array.from({ length: 8 }, () => admin.post('/api/categories', { code, name: 'Гонка', sort: 1 })));
  const st = rs.map((r) => r.status).sort();
  assert.deepEqual(st, [201, 409, 409, 409, 409, 409, 409, 409], `statuses ${st}`);
  assert.equal((await demo.anon().get(`/api/categories?code=${code}`)).json.total, 1);
  // Different codes in parallel all succeed.
  const many = await Promise.all(Array.from({ length: 12 }, (_, i) => admin.post('/api/categories', { code: `${code}-${i}`, name: `Параллель ${i}`, sort: i })));
  assert.deepEqual(many.map((r) => r.status), Array(12).fill(201), many.map((r) => r.text.slice(0, 80)).join('\n'));
});

test('search text is literal: SQL and LIKE metacharacters match nothing special', async () => {
  const anon = demo.anon();
  const all = (await anon.get('/api/categories?limit=500')).json.total;
  for (const q of ["' OR '1'='1", '%', '_', '%%%', "'; DROP TABLE categories; --", '\\']) {
    const r = await anon.get(`/api/categories?q=${encodeURIComponent(q)}&limit=500`);
    assert.equal(r.status, 200, `q=${q}: ${r.text}`);
    assert.ok(r.json.items.every((x) => x.name.includes(q) || x.code.includes(q)), `q=${q} matched ${r.json.items.length} unrelated objects`);
  }
  assert.equal((await anon.get('/api/categories?limit=500')).json.total, all);
  const pct = await admin.post('/api/categories', { code: uniq('pct'), name: 'Скидка 100% на всё', sort: 1 });
  assert.equal(pct.status, 201);
  const r = await anon.get(`/api/categories?q=${encodeURIComponent('100%')}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [pct.json.id]);
});

test('text with a NUL character is refused or kept whole, never truncated', async () => {
  const code = uniq('nul');
  const r = await admin.post('/api/categories', { code, name: 'До\u0000после', sort: 1 });
  if (r.status === 201) {
    assert.equal(r.json.name, 'До\u0000после');
    assert.equal((await demo.anon().get(`/api/categories/${r.json.id}`)).json.name, 'До\u0000после');
  } else {
    assert.ok([400, 422].includes(r.status), `${r.status} ${r.text}`);
    assert.equal((await demo.anon().get(`/api/categories?code=${code}`)).json.total, 0);
  }
  const c2 = await admin.post('/api/categories', { code: `${code}\u0000x`, name: 'Код с NUL', sort: 1 });
  assert.ok([400, 422].includes(c2.status) || (c2.status === 201 && c2.json.code === `${code}\u0000x`), `${c2.status} ${c2.text}`);
});

test('out-of-range numbers are refused, not wrapped', async () => {
  const code = uniq('big');
  for (const body of [
    `{"code":"${code}","name":"Большая","sort":9223372036854775808}`,
    `{"code":"${code}","name":"Большая","sort":1e400}`,
    `{"code":"${code}","name":"Большая","sort":1.5}`,
  ]) {
    const r = await admin.request('POST', '/api/categories', { body, contentType: 'application/json' });
    assert.ok([400, 422].includes(r.status), `${body} → ${r.status} ${r.text}`);
  }
  assert.equal((await demo.anon().get(`/api/categories?code=${code}`)).json.total, 0);
  const t = await admin.request('POST', '/api/territories', {
    body: `{"code":"${code}","name":"Переполнение","kind":"settlement","parent_id":9223372036854775807}`, contentType: 'application/json',
  });
  assertError(t, 422, 'validation_failed', 'parent_id');
  for (const id of ['99999999999999999999', '-1', '0', 'abc', '1.5']) {
    const g = await demo.anon().get(`/api/categories/${id}`);
    assert.ok([400, 404].includes(g.status), `GET /api/categories/${id} → ${g.status}`);
  }
});

test('UTF-8: 4-byte characters round-trip; overlong forms, surrogates and lone \\u escapes are refused', async () => {
  const code = uniq('utf');
  const name = 'Дорожные работы 🚧 — «ёлка» 𝔘';
  const ok = await admin.post('/api/categories', { code, name, sort: 1 });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.name, name);
  assert.equal((await demo.anon().get(`/api/categories/${ok.json.id}`)).json.name, name);
  const q = await demo.anon().get(`/api/categories?q=${encodeURIComponent('ёлка')}`);
  assert.ok(q.json.items.some((x) => x.id === ok.json.id), 'search finds a word with ё');
  const snap = (await demo.anon().get('/api/categories?limit=500')).json;
  const raw = (bytes) => Buffer.concat([Buffer.from(`{"code":"${uniq('u8')}","name":"`), Buffer.from(bytes), Buffer.from('"}')]);
  await assertErrors([
    ['overlong NUL (C0 80)', () => admin.request('POST', '/api/categories', { body: raw([0x41, 0xc0, 0x80]), contentType: 'application/json' }), 400, 'invalid_input'],
    ['overlong slash (E0 80 AF)', () => admin.request('POST', '/api/categories', { body: raw([0xe0, 0x80, 0xaf]), contentType: 'application/json' }), 400, 'invalid_input'],
    ['UTF-16 surrogate in UTF-8 (ED A0 80)', () => admin.request('POST', '/api/categories', { body: raw([0xed, 0xa0, 0x80]), contentType: 'application/json' }), 400, 'invalid_input'],
    ['beyond U+10FFFF (F4 90 80 80)', () => admin.request('POST', '/api/categories', { body: raw([0xf4, 0x90, 0x80, 0x80]), contentType: 'application/json' }), 400, 'invalid_input'],
    ['truncated sequence (D0)', () => admin.request('POST', '/api/categories', { body: raw([0xd0]), contentType: 'application/json' }), 400, 'invalid_input'],
    ['lone surrogate escape', () => admin.request('POST', '/api/categories', { body: `{"code":"${uniq('u8')}","name":"a\\ud800b"}`, contentType: 'application/json' }), 400, 'invalid_input'],
  ]);
  assert.deepEqual((await demo.anon().get('/api/categories?limit=500')).json, snap);
});
