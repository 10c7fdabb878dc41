// The dashboard API (docs/analytics.md, "Dashboard API") end to end: appeals made, answered,
// rated, redirected and rejected through the API in a test region of its own (two
// municipalities, two topics, two bodies), then — once the rollups have them — the figures,
// the trend against the previous period, the drill-down, monthly granularity, scope, bad input,
// CSV/XLSX exports, problems and open data.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { Client, assertError, assertErrors } from './lib/client.mjs';

let S;
let demo;
const ids = {};
const who = {};
const TAG = uniq('dash');
const appeals = {};

/** A new registered account with these role grants; returns its logged-in client. */
async function account(name, grants) {
  const admin = await demo.as('admin');
  const login = uniq(name).replace(/-/g, '_');
  const password = 'dashboard-password-1';
  const reg = await demo.fresh().post('/api/auth/register', { login, password, name: `Аналитика ${name}` }, { store: false });
  assert.equal(reg.status, 201, reg.text);
  for (const g of grants) {
    const r = await admin.post(`/api/users/${reg.json.user.id}/roles`, g);
    assert.equal(r.status, 201, r.text);
  }
  const c = new Client(S.base, { name });
  await c.login(login, password);
  return c;
}

async function make(coll, body) {
  const r = await (await demo.as('admin')).post(`/api/${coll}`, { code: uniq(coll.slice(0, 3)), ...body });
  assert.equal(r.status, 201, `${coll}: ${r.text}`);
  return r.json.id;
}

async function submit(topic, territory, text, point = {}) {
  const r = await (await demo.as('citizen')).post('/api/appeals', { topic_id: topic, territory_id: territory, text, ...point });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return r.json;
}

async function act(c, id, action, body = {}) {
  const r = await c.post(`/api/appeals/${id}/${action}`, body);
  assert.ok(r.status === 200 || r.status === 201, `${action} #${id}: ${r.status} ${r.text}`);
  return r.json;
}

/** Polls fn until it returns a truthy value (deadline 30 s). */
async function until(what, fn) {
  const end = Date.now() + 30000;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 150));
  }
}

const day = (ms) => new Date(ms + 3 * 3600e3).toISOString().slice(0, 10);
const shift = (d, n) => day(Date.parse(d + 'T00:00:00Z') - 3 * 3600e3 + n * 86400e3);

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  const admin = await demo.as('admin');
  const country = (await admin.get('/api/territories?kind=country&limit=1')).json.items[0].id;
  ids.region = await make('territories', { name: `Тестовая область ${TAG}`, kind: 'region', parent_id: country });
  ids.m1 = await make('territories', { name: 'Первый тестовый округ', kind: 'municipality', parent_id: ids.region });
  ids.m2 = await make('territories', { name: 'Второй тестовый округ', kind: 'municipality', parent_id: ids.region });
  ids.cat = await make('categories', { name: `Тестовая категория ${TAG}` });
  ids.t1 = await make('topics', { category_id: ids.cat, name: 'Не горят фонари', deadline: 10, deadline_unit: 'wdays' });
  ids.t2 = await make('topics', { category_id: ids.cat, name: 'Яма во дворе', deadline: 10, deadline_unit: 'wdays' });
  ids.o1 = await make('orgs', { name: 'Тестовая служба освещения', kind: 'regional', territory_id: ids.region });
  ids.o2 = await make('orgs', { name: 'Тестовая дорожная служба', kind: 'regional', territory_id: ids.region });
  await make('rules', { topic_id: ids.t1, territory_id: ids.region, org_id: ids.o1 });
  await make('rules', { topic_id: ids.t2, territory_id: ids.region, org_id: ids.o2 });
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.otherCat = await demo.id('categories', 'health');
  who.exec1 = await account('exec1', [{ role: 'executor', org_id: ids.o1 }]);
  who.exec2 = await account('exec2', [{ role: 'executor', org_id: ids.o2 }]);
  who.coord = await account('coord', [{ role: 'coordinator', territory_id: ids.region }]);
  who.sup = await account('sup', [{ role: 'supervisor', org_id: ids.o1 }]);

  // a1, a2, a6: lamps in m1 (one spot, to O1); a3: lamps in m2, redirected to O2;
  // a4: a pothole in m2, rejected; a5: a pothole in m1, left open.
  const spot = { lat: 10.5, lon: -30.5 }; // in the ocean: no region's polygon holds it
  const lamps = (n) => `Не горит фонарь у дома ${n} на Тестовой улице, вечером совсем темно ${TAG}`;
  appeals.a1 = await submit(ids.t1, ids.m1, lamps(1), spot);
  appeals.a2 = await submit(ids.t1, ids.m1, lamps(2), { lat: 10.5001, lon: -30.5 });
  appeals.a3 = await submit(ids.t1, ids.m2, `Третий фонарь не работает у школы ${TAG}`);
  appeals.a4 = await submit(ids.t2, ids.m2, `Проверка связи ${TAG}`);
  appeals.a5 = await submit(ids.t2, ids.m1, `Глубокая яма во дворе дома 7 ${TAG}`);
  appeals.a6 = await submit(ids.t1, ids.m1, lamps(3), { lat: 10.5002, lon: -30.5 });
  for (const k of ['a1', 'a2', 'a3', 'a6']) assert.equal(appeals[k].org_id, ids.o1, k);
  for (const k of ['a4', 'a5']) assert.equal(appeals[k].org_id, ids.o2, k);
  const citizen = await demo.as('citizen');
  for (const k of ['a1', 'a2']) {
    await act(who.exec1, appeals[k].id, 'start');
    await act(who.exec1, appeals[k].id, 'answers', { kind: 'final', text: 'Фонарь заменён.' });
  }
  await act(citizen, appeals.a1.id, 'rating', { score: 5, solved: true });
  await act(citizen, appeals.a2.id, 'rating', { score: 2, solved: false });
  await act(who.exec1, appeals.a3.id, 'redirect', { org_id: ids.o2, reason: 'Фонарь на балансе дорожной службы' });
  await act(who.exec2, appeals.a3.id, 'start');
  await act(who.exec2, appeals.a3.id, 'answers', { kind: 'final', text: 'Фонарь починили.' });
  await act(who.exec2, appeals.a4.id, 'reject', { reason: 'not_an_appeal' });
});
after(async () => { await S?.close(); });

const q = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined)).toString();

/** GET /api/analytics/<what>?… as c, asserting 200. */
async function get(c, what, params = {}) {
  const r = await c.get(`/api/analytics/${what}?${q(params)}`);
  assert.equal(r.status, 200, `${what}: ${r.text}`);
  return r.json;
}

/** The summary of the test region once the rollups show every action above. */
async function settled() {
  const admin = await demo.as('admin');
  return until('the rollups', async () => {
    const s = await get(admin, 'summary', { territory_id: ids.region });
    const f = s.figures;
    return f.received === 6 && f.answered === 3 && f.rated === 2 && f.rejected === 1 && f.redirect_share !== null && f.redirect_share > 0 ? s : null;
  });
}

describe('figures', () => {
  test('summary of the region: received, answered, on time, satisfaction, re-review, redirects, median', async () => {
    const s = await settled();
    const f = s.figures;
    assert.equal(s.period.granularity, 'day');
    assert.equal(s.period.to, day(Date.now()), 'the default period ends today');
    assert.equal(s.period.from, shift(s.period.to, -29), 'and covers 30 days');
    assert.deepEqual(s.previous, { from: shift(s.period.from, -30), to: shift(s.period.from, -1) });
    assert.equal(f.received, 6);
    assert.equal(f.answered, 3);
    assert.equal(f.on_time_share, 1, 'every answer was given long before its deadline');
    assert.equal(f.late, 0);
    assert.equal(f.rated, 2);
    assert.equal(f.satisfaction, 0.5, 'one of two ratings satisfied');
    assert.equal(f.avg_rating, 3.5);
    assert.equal(f.rereview_share, 0.5, 'one of two ratings sent the appeal back');
    assert.ok(Math.abs(f.redirect_share - 1 / 6) < 1e-3, `redirect share ${f.redirect_share}`);
    assert.equal(f.rejected, 1);
    assert.ok(f.median_review_hours >= 0 && f.median_review_hours < 1, `answers within the hour: median ${f.median_review_hours}`);
    assert.equal(f.avg_review_hours, 0);
    // a2 (re-review), a5 and a6 are still in work
    assert.deepEqual(s.now, { in_work: 3, overdue: 0 });
    assert.equal(s.previous_figures.received, 0);
    assert.equal(s.previous_figures.satisfaction, null, 'a share of nothing is null');
  });

  test('trend: the same days are the previous period of the next 30 days', async () => {
    await settled();
    const admin = await demo.as('admin');
    const today = day(Date.now());
    const s = await get(admin, 'summary', { territory_id: ids.region, from: shift(today, 1), to: shift(today, 30) });
    assert.deepEqual(s.previous, { from: shift(today, -29), to: today });
    assert.equal(s.figures.received, 0);
    assert.equal(s.previous_figures.received, 6);
    assert.equal(s.previous_figures.rated, 2);
  });

  test('series: days, weeks, months and the previous points', async () => {
    await settled();
    const admin = await demo.as('admin');
    const today = day(Date.now());
    const d = await get(admin, 'series', { territory_id: ids.region, metric: 'received', from: shift(today, -13), to: today });
    assert.equal(d.grain, 'day');
    assert.equal(d.points.length, 14);
    assert.equal(d.previous_points.length, 14);
    assert.deepEqual(d.points.at(-1), { from: today, to: today, value: 6 });
    assert.equal(d.points.reduce((n, p) => n + p.value, 0), 6);
    const w = await get(admin, 'series', { territory_id: ids.region, metric: 'answered', grain: 'week', from: shift(today, -13), to: today });
    assert.deepEqual(w.points.map((p) => [p.from, p.to]), [[shift(today, -13), shift(today, -7)], [shift(today, -6), today]]);
    assert.deepEqual(w.points.map((p) => p.value), [0, 3]);
    const m = await get(admin, 'series', { territory_id: ids.region, metric: 'satisfaction', grain: 'month' });
    assert.equal(m.points.at(-1).value, 0.5);
    assert.equal(m.points.at(-1).to, today, 'months are cut to the period');
    const md = await get(admin, 'series', { territory_id: ids.region, metric: 'median_review_hours', grain: 'month' });
    assert.ok(md.points.at(-1).value < 1);
  });

  test('breakdown: the country → the region → its municipalities; categories, topics, bodies', async () => {
    await settled();
    const admin = await demo.as('admin');
    const top = await get(admin, 'breakdown', { by: 'territory' });
    const mine = top.rows.find((r) => r.id === ids.region);
    assert.ok(mine, 'the regions of the country by default');
    assert.equal(mine.received, 6);
    assert.equal(mine.previous.received, 0);
    const down = await get(admin, 'breakdown', { by: 'territory', territory_id: ids.region });
    assert.deepEqual(down.rows.map((r) => [r.id, r.received]), [[ids.m1, 4], [ids.m2, 2]]);
    assert.equal(down.rows[0].name, 'Первый тестовый округ');
    assert.equal(down.rows[0].satisfaction, 0.5);
    assert.equal(down.rows[1].rejected, 1);
    const leaf = await get(admin, 'breakdown', { by: 'territory', territory_id: ids.m1 });
    assert.deepEqual(leaf.rows, [], 'a municipality without children has no rows');
    const cats = await get(admin, 'breakdown', { by: 'category', territory_id: ids.region });
    assert.equal(cats.rows.find((r) => r.id === ids.cat).received, 6);
    const topics = await get(admin, 'breakdown', { by: 'topic', territory_id: ids.region, category_id: ids.cat });
    assert.equal(topics.period.granularity, 'month');
    assert.deepEqual(topics.rows.map((r) => [r.id, r.received]), [[ids.t1, 4], [ids.t2, 2]]);
    const bodies = await get(admin, 'breakdown', { by: 'org', territory_id: ids.region });
    const byOrg = Object.fromEntries(bodies.rows.map((r) => [r.id, r.received]));
    assert.deepEqual([byOrg[ids.o1], byOrg[ids.o2]], [3, 3], 'a redirected appeal counts for its current body');
  });

  test('a topic or a body filter widens the period to whole months', async () => {
    await settled();
    const admin = await demo.as('admin');
    const t = await get(admin, 'summary', { topic_id: ids.t1 });
    assert.equal(t.period.granularity, 'month');
    assert.match(t.period.from, /-01$/);
    assert.equal(t.filter.category_id, ids.cat, 'a topic brings its category');
    assert.equal(t.figures.received, 4);
    assert.equal(t.figures.redirect_share, 0.25);
    const o = await get(admin, 'summary', { org_id: ids.o2, territory_id: ids.region });
    assert.equal(o.period.granularity, 'month');
    assert.equal(o.figures.received, 3);
    assert.equal(o.figures.rejected, 1);
    const s = await get(admin, 'series', { topic_id: ids.t2, grain: 'day' });
    assert.equal(s.grain, 'month', 'no daily points for a topic');
    assert.equal(s.points.at(-1).value, 2);
  });
});

describe('scope', () => {
  test('a coordinator sees their territory by default and nothing outside it', async () => {
    await settled();
    const s = await get(who.coord, 'summary');
    assert.equal(s.filter.territory_id, ids.region);
    assert.equal(s.figures.received, 6);
    assert.equal((await get(who.coord, 'summary', { territory_id: ids.m2 })).figures.received, 2);
    assertError(await who.coord.get(`/api/analytics/summary?territory_id=${ids.kaluga}`), 403, 'forbidden', 'territory_id');
    assertError(await (await demo.as('coordinator2')).get(`/api/analytics/breakdown?territory_id=${ids.region}`), 403, 'forbidden', 'territory_id');
  });

  test('a supervisor sees their body by default and not another one', async () => {
    await settled();
    const s = await get(who.sup, 'summary');
    assert.equal(s.filter.org_id, ids.o1);
    assert.equal(s.period.granularity, 'month');
    assert.equal(s.figures.received, 3);
    assertError(await who.sup.get(`/api/analytics/summary?org_id=${ids.o2}`), 403, 'forbidden', 'org_id');
    assertError(await (await demo.as('supervisor')).get(`/api/analytics/summary?org_id=${ids.o1}`), 403, 'forbidden', 'org_id');
  });

  test('executors, citizens and anonymous callers get nothing', async () => {
    for (const what of ['summary', 'series', 'breakdown', 'problems']) {
      assertError(await who.exec1.get(`/api/analytics/${what}`), 403, 'forbidden');
      assertError(await (await demo.as('citizen')).get(`/api/analytics/${what}?format=csv`), 403, 'forbidden');
      assertError(await demo.fresh().get(`/api/analytics/${what}`), 401);
    }
  });
});

test('bad input: 400 with the field', async () => {
  const admin = await demo.as('admin');
  const bad = (path, field) => [path, () => admin.get(`/api/analytics/${path}`), 400, 'invalid_input', field];
  await assertErrors([
    bad('summary?from=2025-13-01', 'from'),
    bad('summary?to=2025-02-30', 'to'),
    bad('summary?from=2025-03-01&to=2025-02-01', 'from'),
    bad('summary?from=2001-01-01&to=2025-01-01', 'from'),
    bad('summary?territory_id=abc', 'territory_id'),
    bad('summary?territory_id=999999999', 'territory_id'),
    bad('summary?org_id=0', 'org_id'),
    bad(`summary?category_id=${ids.otherCat}&topic_id=${ids.t1}`, 'topic_id'),
    bad('summary?topic_id=999999999', 'topic_id'),
    bad('summary?format=pdf', 'format'),
    bad('series?metric=mood', 'metric'),
    bad('series?grain=year', 'grain'),
    bad('series?grain=day&from=2020-01-01&to=2025-01-01', 'grain'),
    bad('breakdown?by=street', 'by'),
    bad('problems?sort=loudest', 'sort'),
    bad('problems?limit=0', 'limit'),
    bad('problems?limit=51', 'limit'),
  ]);
});

/** The entries of a zip archive: name → contents (stored or deflated). */
function unzip(buf) {
  const files = {};
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'a zip archive');
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50);
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nl = buf.readUInt16LE(p + 28), xl = buf.readUInt16LE(p + 30), cl = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nl);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(raw) : raw).toString('utf8');
    p += 46 + nl + xl + cl;
  }
  return files;
}

/** Parses RFC 4180 CSV (after the BOM) into rows of fields. */
function parseCsv(text) {
  assert.ok(text.startsWith('\ufeff'), 'UTF-8 with a BOM for Excel');
  const rows = [];
  let row = [], f = '', quoted = false;
  const s = text.slice(1);
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { f += '"'; i++; } else if (ch === '"') quoted = false; else f += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(f); f = ''; } else if (ch === '\r' && s[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; } else f += ch;
  }
  assert.equal(row.length + f.length, 0, 'the last line ends with CRLF');
  return rows;
}

describe('exports', () => {
  test('summary as CSV: a file with Russian column names and the figures', async () => {
    await settled();
    const r = await (await demo.as('admin')).get(`/api/analytics/summary?territory_id=${ids.region}&format=csv`, { validate: false });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['content-type'], /^text\/csv/);
    assert.match(r.headers['content-disposition'], /^attachment; filename="otklik-summary-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv"$/);
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0], ['Показатель', 'Текущий период', 'Предыдущий период']);
    const get = (name) => rows.find((x) => x[0] === name);
    assert.deepEqual(get('Поступило'), ['Поступило', '6', '0']);
    assert.deepEqual(get('Удовлетворённость'), ['Удовлетворённость', '0.5', '']);
    assert.deepEqual(get('Среднее время ответа, ч').slice(1), ['0', ''], 'a name with a comma is quoted');
  });

  test('breakdown and series as CSV, problems as XLSX', async () => {
    await settled();
    const admin = await demo.as('admin');
    const b = await admin.get(`/api/analytics/breakdown?territory_id=${ids.region}&format=csv`, { validate: false });
    const rows = parseCsv(b.text);
    assert.deepEqual(rows[0].slice(0, 3), ['ID', 'Название', 'Поступило']);
    assert.deepEqual(rows.slice(1).map((x) => x.slice(0, 3)), [[String(ids.m1), 'Первый тестовый округ', '4'], [String(ids.m2), 'Второй тестовый округ', '2']]);
    const s = await admin.get(`/api/analytics/series?territory_id=${ids.region}&grain=month&format=csv`, { validate: false });
    assert.equal(parseCsv(s.text)[0][2], 'Поступило');
    const x = await admin.get(`/api/analytics/breakdown?territory_id=${ids.region}&format=xlsx`, { validate: false });
    assert.equal(x.status, 200);
    assert.equal(x.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(x.headers['content-disposition'], /^attachment; filename="otklik-breakdown-.*\.xlsx"$/);
    const files = unzip(x.buf);
    assert.ok(files['xl/worksheets/sheet1.xml'], `the sheet: ${Object.keys(files)}`);
    assert.match(files['xl/workbook.xml'], /name="Разрез"/);
    assert.match(files['xl/sharedStrings.xml'], /Первый тестовый округ/);
    assert.match(files['xl/sharedStrings.xml'], /Удовлетворённость/);
    const p = await admin.get(`/api/analytics/problems?territory_id=${ids.region}&format=xlsx`, { validate: false });
    assert.match(unzip(p.buf)['xl/sharedStrings.xml'], /Всего обращений/);
  });
});

describe('problems', () => {
  test('the problems of the region count their appeals in the period; the timeline by day', async () => {
    await settled();
    const admin = await demo.as('admin');
    // the text engine places every appeal into a problem soon after it arrives
    await until('problems for every appeal', async () => {
      for (const a of Object.values(appeals)) if (!(await admin.get(`/api/appeals/${a.id}`)).json.problem_id) return false;
      return true;
    });
    const p = await get(admin, 'problems', { territory_id: ids.region, sort: 'growth', limit: 50 });
    assert.equal(p.items.reduce((n, x) => n + x.in_period, 0), 6, 'every appeal of the region in one problem');
    assert.ok(p.items.every((x) => x.previous === 0 && x.growth === x.in_period));
    assert.equal(p.total, p.items.length);
    for (let i = 1; i < p.items.length; i++) assert.ok(p.items[i - 1].growth >= p.items[i].growth, 'by growth');
    const a1 = (await admin.get(`/api/appeals/${appeals.a1.id}`)).json.problem_id;
    const lamps = p.items.find((x) => x.id === a1);
    assert.ok(lamps.bodies.some((b) => b.org_id === ids.o1), 'bodies of the problem');
    assert.ok(['open', 'solved'].includes(lamps.status));
    assert.equal(lamps.returned, false);
    assert.deepEqual(lamps.alarms.length <= 1, true);
    const bySize = await get(admin, 'problems', { territory_id: ids.region, sort: 'size', limit: 1 });
    assert.equal(bySize.items.length, 1);
    assert.equal(bySize.items[0].size, Math.max(...p.items.map((x) => x.size)));
    const tl = await get(admin, `problems/${a1}/timeline`);
    assert.equal(tl.points.reduce((n, x) => n + x.appeals, 0), lamps.size);
    assert.equal(tl.points.at(-1).day, day(Date.now()));
    // other territories see none of them; a coordinator outside gets 404 for the timeline
    const other = await get(admin, 'problems', { territory_id: ids.kaluga, limit: 50 });
    assert.ok(!other.items.some((x) => x.id === a1));
    assertError(await (await demo.as('coordinator2')).get(`/api/analytics/problems/${a1}/timeline`), 404, 'not_found');
    assert.equal((await get(who.coord, `problems/${a1}/timeline`)).problem_id, a1);
    // the supervisor of O2 sees only problems holding an appeal of their body
    const tlCsv = await admin.get(`/api/analytics/problems/${a1}/timeline?format=csv`, { validate: false });
    assert.deepEqual(parseCsv(tlCsv.text)[0], ['День', 'Обращений']);
  });
});

describe('open data', () => {
  test('anonymised appeals of the region: no text, no names; small cells generalised to the region', async () => {
    await settled();
    const r = await demo.fresh().get(`/api/opendata/appeals.csv?territory_id=${ids.region}`, { validate: false });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['content-type'], /^text\/csv/);
    assert.match(r.headers['content-disposition'], /^attachment; filename="otklik-appeals-.*\.csv"$/);
    for (const bit of ['Тестовой улице', 'Глубокая яма', 'Проверка связи', 'Фонарь заменён'])
      assert.ok(!r.text.includes(bit), `no text of appeals or answers: ${bit}`);
    const citizen = (await (await demo.as('citizen')).get('/api/me')).json.user;
    assert.ok(!r.text.includes(citizen.name) && !r.text.includes(citizen.login), 'no names of people');
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0], ['Месяц', 'Регион', 'Муниципальное образование', 'Категория', 'Тема', 'Орган', 'Статус', 'Дней до ответа', 'Оценка', 'В срок', 'Широта', 'Долгота']);
    const data = rows.slice(1);
    assert.equal(data.length, 6);
    assert.ok(data.every((x) => x[1] === `Тестовая область ${TAG}`));
    // three lamp appeals in m1 keep their municipality and rounded point; every other cell has
    // fewer than 3 appeals and is generalised
    const kept = data.filter((x) => x[2]);
    assert.equal(kept.length, 3);
    assert.ok(kept.every((x) => x[2] === 'Первый тестовый округ' && x[4] === 'Не горят фонари'));
    assert.deepEqual(kept.map((x) => [x[10], x[11]]), [['10.50', '-30.50'], ['10.50', '-30.50'], ['10.50', '-30.50']]);
    assert.ok(data.filter((x) => !x[2]).every((x) => x[10] === '' && x[11] === ''));
    const rated = data.filter((x) => x[8]).map((x) => x[8]).sort();
    assert.deepEqual(rated, ['2', '5']);
    assert.equal(data.filter((x) => x[9] === '1').length, 3, 'three answers on time');
    assert.ok(data.some((x) => x[6] === 'rejected'));
    assertError(await demo.fresh().get('/api/opendata/appeals.csv?from=2020-01-01&to=2022-01-01'), 400, 'invalid_input', 'from');
  });
});
