// CSV import: upsert by code, all or nothing, errors name the line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertError } from './lib/client.mjs';

let S;
let demo;
let admin;
const P = uniq('imp').replace(/-/g, '_');
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  admin = await demo.as('admin');
});
after(async () => { await S?.close(); });

const importCsv = (coll, text, contentType = 'text/csv') => admin.request('POST', `/api/import/${coll}`, { body: text, contentType });
const byCode = async (coll, code) => {
  const r = await demo.anon().get(`/api/${coll}?code=${encodeURIComponent(code)}`);
  assert.equal(r.status, 200);
  return r.json.items[0];
};
const snapshot = async (coll) => (await demo.anon().get(`/api/${coll}?limit=500`)).json;

const files = {
  territories: [
    'code,parent_code,kind,name,okato,oktmo,iso',
    `${P}_t1,klu-kaluga,settlement,Деревня Первая,29401000101,,`,
    `${P}_t2,klu-kaluga,settlement,"Посёлок ""Вторый""",,29701000102,`,
    `${P}_t3,${P}_t1,settlement,"Хутор, что при Первой",,,`,
  ],
  categories: [
    'code,name,sort',
    `${P}_c1,Импортные дороги,10`,
    `${P}_c2,Импортное ЖКХ,20`,
  ],
  topics: [
    'code,category_code,name,deadline,deadline_unit,hint,active',
    `${P}_p1,${P}_c1,Яма,10,wdays,"Укажите адрес,
и приложите фото",true`,
    `${P}_p2,${P}_c2,Нет отопления,24,hours,,false`,
  ],
  orgs: [
    'code,name,short_name,kind,territory_code,parent_code,email',
    `${P}_o1,Администрация деревни Первая,АДП,municipal,${P}_t1,klu-kaluga-adm,adp@example.org`,
    `${P}_o2,Управляющая компания,,social,${P}_t2,,`,
  ],
  rules: [
    'code,topic_code,category_code,territory_code,org_code',
    `${P}_r1,${P}_p1,,${P}_t1,${P}_o1`,
    `${P}_r2,,${P}_c2,${P}_t2,${P}_o2`,
    `${P}_r3,,,${P}_t1,${P}_o1`,
  ],
};

test('a good file inserts; the same file again updates every row and changes nothing', async () => {
  for (const coll of ['territories', 'categories', 'topics', 'orgs', 'rules']) {
    const text = files[coll].join('\r\n') + '\r\n';
    const n = files[coll].length - 1;
    const r1 = await importCsv(coll, text);
    assert.equal(r1.status, 200, `${coll}: ${r1.text}`);
    assert.deepEqual(r1.json, { inserted: n, updated: 0 }, coll);
    const snap = await snapshot(coll);
    const r2 = await importCsv(coll, text);
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual(r2.json, { inserted: 0, updated: n }, `${coll} second import`);
    assert.deepEqual(await snapshot(coll), snap, `${coll}: a repeated import changed data`);
  }
  // The values arrived, quoting and references included.
  const t1 = await byCode('territories', `${P}_t1`);
  const t2 = await byCode('territories', `${P}_t2`);
  const t3 = await byCode('territories', `${P}_t3`);
  assert.equal(t1.parent_id, await demo.id('territories', 'klu-kaluga'));
  assert.equal(t1.okato, '29401000101');
  assert.equal(t1.oktmo, null, 'empty = null');
  assert.equal(t2.name, 'Посёлок "Вторый"');
  assert.equal(t3.name, 'Хутор, что при Первой');
  assert.equal(t3.parent_id, t1.id);
  const p1 = await byCode('topics', `${P}_p1`);
  assert.equal(p1.hint, 'Укажите адрес,\nи приложите фото');
  assert.equal(p1.deadline, 10);
  assert.equal(p1.deadline_unit, 'wdays');
  assert.equal(p1.category_id, (await byCode('categories', `${P}_c1`)).id);
  const p2 = await byCode('topics', `${P}_p2`);
  assert.equal(p2.active, false);
  assert.equal(p2.deadline_unit, 'hours');
  const o1 = await byCode('orgs', `${P}_o1`);
  assert.equal(o1.territory_id, t1.id);
  assert.equal(o1.parent_id, await demo.id('orgs', 'klu-kaluga-adm'));
  assert.equal(o1.email, 'adp@example.org');
  assert.equal((await byCode('orgs', `${P}_o2`)).short_name, null);
  const r1 = await byCode('rules', `${P}_r1`);
  assert.deepEqual([r1.topic_id, r1.category_id, r1.territory_id, r1.org_id], [p1.id, null, t1.id, o1.id]);
  // The imported rules route.
  const route = await demo.anon().get(`/api/route?topic_id=${p1.id}&territory_id=${t3.id}`);
  assert.equal(route.json.org_id, o1.id);
});

test('a changed row updates the existing object in place', async () => {
  const before = await byCode('categories', `${P}_c1`);
  const r = await importCsv('categories', `code,name,sort\n${P}_c1,Импортные дороги и мосты,11\n${P}_c9,Новая категория,90\n`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { inserted: 1, updated: 1 });
  const after = await byCode('categories', `${P}_c1`);
  assert.equal(after.id, before.id, 'upsert by code keeps the id');
  assert.equal(after.name, 'Импортные дороги и мосты');
  assert.equal(after.sort, 11);
});

test('one bad line → 422 naming the line, and nothing is imported', async () => {
  const cases = [
    // [collection, lines, bad line number (the header is line 1)]
    ['territories', ['code,parent_code,kind,name,okato,oktmo,iso', `${P}_x1,klu-kaluga,settlement,Годная,,,`, `${P}_x2,klu-kaluga,settlement,Тоже годная,,,`, `${P}_x3,klu-kaluga,planet,Плохая,,,`, `${P}_x4,klu-kaluga,settlement,Годная,,,`], 4],
    ['territories', ['code,parent_code,kind,name,okato,oktmo,iso', `${P}_y1,klu-kaluga,settlement,Годная,,,`, `${P}_y2,no-such-parent,settlement,Сирота,,,`], 3],
    ['categories', ['code,name,sort', `${P}_z1,Годная,1`, `${P}_z2,,2`], 3],
    ['categories', ['code,name,sort', `${P}_w1,Годная,1`, `${P}_w2,Плохой порядок,abc`], 3],
    ['topics', ['code,category_code,name,deadline,deadline_unit,hint,active', `${P}_v1,${P}_c1,Годная,5,wdays,,true`, `${P}_v2,${P}_c1,Плохая,5,weeks,,true`], 3],
    ['orgs', ['code,name,short_name,kind,territory_code,parent_code,email', `${P}_u1,Годная,,social,klu-kaluga,,`, `${P}_u2,Плохая,,social,klu-kaluga,,not-an-email`], 3],
    ['rules', ['code,topic_code,category_code,territory_code,org_code', `${P}_s1,,,klu-kaluga,klu-kaluga-adm`, `${P}_s2,,,klu-kaluga,no-such-org`], 3],
    ['categories', ['code,name,sort', `${P}_q1,Годная,1`, `${P}_q2,"Незакрытая кавычка,2`], 3],
    ['categories', ['code,name,sort', `${P}_q3,Годная,1`, `${P}_q4,Лишняя колонка,2,3`], 3],
  ];
  for (const [coll, lines, n] of cases) {
    const snap = await snapshot(coll);
    const r = await importCsv(coll, lines.join('\n') + '\n');
    const e = assertError(r, 422, 'validation_failed', `line:${n}`);
    assert.match(e.message, new RegExp(`${n}`), `the message names line ${n}: ${e.message}`);
    assert.deepEqual(await snapshot(coll), snap, `${coll}: a refused import changed data`);
    const firstCode = lines[1].split(',')[0];
    assert.equal(await byCode(coll, firstCode), undefined, `${firstCode} (a good line before the bad one) was imported`);
  }
});

test('a header that does not match, an empty body, a wrong content type', async () => {
  const snap = await snapshot('categories');
  assertError(await importCsv('categories', `name,code\nX,${P}_h1\n`), 422, 'validation_failed');
  assertError(await importCsv('categories', `code,name,sort\n${P}_h2,X,1\n`, 'application/json'), 415, 'unsupported_media_type');
  const r = await importCsv('categories', '');
  assert.ok([200, 422].includes(r.status), `empty file → ${r.status}`);
  if (r.status === 200) assert.deepEqual(r.json, { inserted: 0, updated: 0 });
  assert.deepEqual(await snapshot('categories'), snap);
});

test('invalid UTF-8 in a CSV is refused', async () => {
  const snap = await snapshot('categories');
  const body = Buffer.concat([Buffer.from(`code,name,sort\n${P}_b1,`), Buffer.from([0xd0, 0x28, 0xff]), Buffer.from(',1\n')]);
  const r = await importCsv('categories', body);
  assert.ok([400, 422].includes(r.status), `${r.status} ${r.text}`);
  assert.deepEqual(await snapshot('categories'), snap);
});

test('a large file (5,000 rows) imports whole, and again as updates', async () => {
  const lines = ['code,name,sort'];
  for (let i = 0; i < 5000; i++) lines.push(`${P}_big${i},"Категория №${i}, крупный импорт",${i}`);
  const text = lines.join('\n') + '\n';
  const before = (await demo.anon().get('/api/categories?limit=1')).json.total;
  const r = await importCsv('categories', text);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { inserted: 5000, updated: 0 });
  assert.equal((await demo.anon().get('/api/categories?limit=1')).json.total, before + 5000);
  const one = await byCode('categories', `${P}_big4321`);
  assert.equal(one.name, 'Категория №4321, крупный импорт');
  assert.equal(one.sort, 4321);
  const again = await importCsv('categories', text);
  assert.deepEqual(again.json, { inserted: 0, updated: 5000 });
  // A bad last line rolls back all 5,000 changes before it.
  const bad = lines.map((l, i) => (i === 0 ? l : l.replace('крупный импорт', 'изменено'))).concat([`${P}_bigX,,1`]).join('\n') + '\n';
  const b = await importCsv('categories', bad);
  assertError(b, 422, 'validation_failed', 'line:5002');
  assert.equal((await byCode('categories', `${P}_big4321`)).name, 'Категория №4321, крупный импорт');
});
