// The production calendar and organisations' deadline overrides: the seeded official calendar,
// PUT round trips, validation (each error stores nothing), audit, permissions, and the effect on
// the deadline of appeals submitted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';

let S;
let demo;
let admin;
const ids = {};
const OFFSET_MS = 180 * 60000; // the server's default OTKLIK_TZ_OFFSET_MIN

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  admin = await demo.as('admin');
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.kalugaAdm = await demo.id('orgs', 'klu-kaluga-adm');
  ids.gov = await demo.id('orgs', 'klu-gov');
  ids.appointment = await demo.id('topics', 'health-appointment'); // 8 wdays, → klu-minzdrav
  ids.drugs = await demo.id('topics', 'health-drugs');
});
after(async () => { await S?.close(); });

const byDate = (days) => Object.fromEntries(days.map((d) => [d.date, d]));

test('the official calendar of 2025–2027 is there, with working-day counts', async () => {
  const anon = demo.anon();
  const y25 = await anon.get('/api/calendar/2025');
  assert.equal(y25.status, 200, y25.text);
  assert.equal(y25.json.year, 2025);
  assert.equal(y25.json.working_days, 247);
  const d25 = byDate(y25.json.days);
  assert.equal(d25['2025-11-01'].kind, 'workday', 'Saturday 1 November 2025 was worked');
  for (const d of ['2025-01-01', '2025-01-08', '2025-05-02', '2025-05-08', '2025-06-13', '2025-11-03', '2025-12-31'])
    assert.equal(d25[d]?.kind, 'holiday', d);
  const y26 = await anon.get('/api/calendar/2026');
  assert.equal(y26.json.working_days, 247);
  const d26 = byDate(y26.json.days);
  for (const d of ['2026-01-09', '2026-02-23', '2026-03-09', '2026-05-11', '2026-06-12', '2026-11-04', '2026-12-31'])
    assert.equal(d26[d]?.kind, 'holiday', d);
  assert.ok(d26['2026-01-07'].note.includes('Рождество'));
  assert.deepEqual(y26.json.days.map((d) => d.date), [...y26.json.days.map((d) => d.date)].sort(), 'days by date');
  const y27 = await anon.get('/api/calendar/2027');
  assert.equal(y27.status, 200);
  assert.ok(y27.json.days.length >= 10);
  // A year without exceptions: weekends only.
  const y30 = await anon.get('/api/calendar/2030');
  assert.deepEqual(y30.json, { year: 2030, days: [], working_days: 261 });
  for (const bad of ['1999', '2101', 'abcd', '20255', '-2025'])
    assertError(await anon.get(`/api/calendar/${bad}`), 404, 'not_found');
});

test('PUT replaces a year: round trip, working days, audit', async () => {
  const days = [
    { date: '2031-01-01', kind: 'holiday', note: 'Новый год' },
    { date: '2031-01-02', kind: 'holiday' },
    { date: '2031-01-04', kind: 'holiday', note: 'суббота: ничего не меняет' },
    { date: '2031-01-11', kind: 'workday', note: 'рабочая суббота' },
  ];
  const r = await admin.put('/api/calendar/2031', { days: [days[3], days[1], days[0], days[2]] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.days, days.map((d) => ({ note: null, ...d })), 'sorted, note null when absent');
  assert.equal(r.json.working_days, 261 - 2 + 1);
  assert.deepEqual((await demo.anon().get('/api/calendar/2031')).json, r.json);
  // Replacing again drops what is not listed; other years are untouched.
  const r2 = await admin.put('/api/calendar/2031', { days: [days[0]] });
  assert.equal(r2.status, 200);
  assert.deepEqual(r2.json.days.map((d) => d.date), ['2031-01-01']);
  assert.equal((await demo.anon().get('/api/calendar/2025')).json.working_days, 247);
  const a = await admin.get('/api/audit?entity=calendar&entity_id=2031&limit=10');
  assert.equal(a.status, 200, a.text);
  const es = a.json.items.filter((e) => e.entity === 'calendar' && e.entity_id === 2031).sort((x, y) => x.id - y.id);
  assert.equal(es.length, 2, JSON.stringify(a.json));
  assert.deepEqual(es[0].before.days, []);
  assert.equal(es[0].after.days.length, 4);
  assert.deepEqual(es[1].before, r.json);
  assert.deepEqual(es[1].after, r2.json);
  // An empty list clears the year.
  const r3 = await admin.put('/api/calendar/2031', { days: [] });
  assert.deepEqual(r3.json, { year: 2031, days: [], working_days: 261 });
});

test('PUT validation: each error names the field and stores nothing', async () => {
  const before = (await demo.anon().get('/api/calendar/2026')).json;
  const put = (body) => admin.put('/api/calendar/2026', body);
  const ok = { date: '2026-03-10', kind: 'holiday', note: 'x' };
  await assertErrors([
    ['date outside the year', () => put({ days: [ok, { date: '2027-01-01', kind: 'holiday' }] }), 422, 'validation_failed', 'days[1].date'],
    ['not a date', () => put({ days: [{ date: '2026-02-30', kind: 'holiday' }] }), 422, 'validation_failed', 'days[0].date'],
    ['not ISO', () => put({ days: [{ date: '10.03.2026', kind: 'holiday' }] }), 422, 'validation_failed', 'days[0].date'],
    ['date missing', () => put({ days: [{ kind: 'holiday' }] }), 422, 'validation_failed', 'days[0].date'],
    ['bad kind', () => put({ days: [ok, { date: '2026-03-11', kind: 'vacation' }] }), 422, 'validation_failed', 'days[1].kind'],
    ['workday on a weekday', () => put({ days: [{ date: '2026-03-11', kind: 'workday' }] }), 422, 'validation_failed', 'days[0].date'],
    ['duplicate', () => put({ days: [ok, { date: '2026-03-12', kind: 'holiday' }, { ...ok, note: 'again' }] }), 422, 'validation_failed', 'days[2].date'],
    ['note too long', () => put({ days: [{ ...ok, note: 'я'.repeat(201) }] }), 422, 'validation_failed', 'days[0].note'],
    ['unknown member', () => put({ days: [{ ...ok, color: 'red' }] }), 422, 'validation_failed', 'days[0]'],
    ['item not an object', () => put({ days: ['2026-03-10'] }), 422, 'validation_failed', 'days[0]'],
    ['days not an array', () => put({ days: {} }), 400, 'invalid_input'],
    ['unknown top-level member', () => put({ days: [], extra: 1 }), 400, 'invalid_input'],
    ['no body', () => admin.request('PUT', '/api/calendar/2026', { body: 'nope', contentType: 'application/json' }), 400, 'invalid_input'],
    ['year out of range', () => admin.put('/api/calendar/2101', { days: [] }), 404, 'not_found'],
  ]);
  assert.deepEqual((await demo.anon().get('/api/calendar/2026')).json, before, 'nothing changed');
  // Refused callers change nothing either.
  for (const who of ['supervisor', 'executor', 'citizen'])
    assertError(await (await demo.as(who)).put('/api/calendar/2026', { days: [] }), 403, 'forbidden');
  assertError(await demo.fresh().put('/api/calendar/2026', { days: [] }), 401);
  assertError(await admin.put('/api/calendar/2026', { days: [] }, { csrf: false }), 403, 'csrf_failed');
  assert.deepEqual((await demo.anon().get('/api/calendar/2026')).json, before, 'nothing changed');
});

/* --- deadlines of new appeals ----------------------------------------------------------------- */

const DAY = 86400000;
const localDay = (ms) => Math.floor((ms + OFFSET_MS) / DAY);
const isoOf = (day) => new Date(day * DAY).toISOString().slice(0, 10);
const endOfDay = (day) => (day + 1) * DAY - 1 - OFFSET_MS;

/** Working-day predicate from calendar pages (date → kind). */
async function calendarFor(years) {
  const ex = {};
  for (const y of years) for (const d of (await demo.anon().get(`/api/calendar/${y}`)).json.days) ex[d.date] = d.kind;
  return (day) => {
    const k = ex[isoOf(day)];
    if (k) return k === 'workday';
    const wd = new Date(day * DAY).getUTCDay();
    return wd !== 0 && wd !== 6;
  };
}

function addWdays(isWork, day, n) {
  let d = day;
  for (let k = 0; k < n;) { d++; if (isWork(d)) k++; }
  return d;
}

async function submit(topicId) {
  const c = await demo.as('citizen');
  const r = await c.post('/api/appeals', { topic_id: topicId, text: 'Не могу записаться к врачу через портал, проверьте расписание.', territory_id: ids.kaluga });
  assert.equal(r.status, 201, `POST /api/appeals: ${r.text}`);
  return r.json;
}

test('a new appeal is due at the end of the 8th working day; a calendar PUT moves later ones', async () => {
  const a1 = await submit(ids.appointment);
  assert.equal(a1.org_id, ids.minzdrav, 'routed to the ministry of health by the demo rules');
  const start = localDay(a1.created_at);
  const years = [...new Set([0, 1].map((k) => new Date((start + 40 * k) * DAY).getUTCFullYear()))];
  let isWork = await calendarFor(years);
  assert.equal(a1.deadline_at, endOfDay(addWdays(isWork, start, 8)), 'end of the 8th working day (local time)');

  // Declare the next ten weekdays after today holidays (in whichever years they fall).
  const off = [];
  for (let d = start + 1; off.length < 10; d++) if (isWork(d)) off.push(d);
  for (const y of years) {
    const cur = (await demo.anon().get(`/api/calendar/${y}`)).json.days.filter((x) => !off.some((d) => isoOf(d) === x.date));
    const add = off.filter((d) => isoOf(d).startsWith(`${y}-`)).map((d) => ({ date: isoOf(d), kind: 'holiday', note: 'тест' }));
    const r = await admin.put(`/api/calendar/${y}`, { days: [...cur, ...add] });
    assert.equal(r.status, 200, r.text);
  }
  isWork = await calendarFor(years);
  const a2 = await submit(ids.appointment);
  const expect = endOfDay(addWdays(isWork, localDay(a2.created_at), 8));
  assert.equal(a2.deadline_at, expect, 'the new calendar is used at once');
  assert.ok(a2.deadline_at >= a1.deadline_at + 10 * DAY, 'ten more days off push the deadline two weeks');
  const old = await (await demo.as('citizen')).get(`/api/appeals/${a1.id}`);
  assert.equal(old.json.deadline_at, a1.deadline_at, 'an appeal already submitted keeps its deadline');
});

test('org overrides: the org\'s topic beats the org\'s all-topics beats the topic', async () => {
  const anon = demo.anon();
  assert.deepEqual((await anon.get(`/api/orgs/${ids.minzdrav}/deadlines`)).json, { org_id: ids.minzdrav, items: [] });
  let r = await admin.put(`/api/orgs/${ids.minzdrav}/deadlines`, { items: [{ topic_id: null, deadline: 3, deadline_unit: 'hours' }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { org_id: ids.minzdrav, items: [{ topic_id: null, topic_name: null, deadline: 3, deadline_unit: 'hours' }] });
  let a = await submit(ids.appointment);
  assert.equal(a.deadline_at, a.created_at + 3 * 3600000, 'all topics of the org: 3 hours');

  r = await admin.put(`/api/orgs/${ids.minzdrav}/deadlines`, {
    items: [{ topic_id: ids.appointment, deadline: 2, deadline_unit: 'wdays' }, { topic_id: null, deadline: 3, deadline_unit: 'hours' }],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items[0].topic_id, null, 'the all-topics row first');
  assert.equal(r.json.items[1].topic_id, ids.appointment);
  assert.equal(r.json.items[1].topic_name, 'Запись на приём к врачу');
  a = await submit(ids.appointment);
  const isWork = await calendarFor([new Date(a.created_at).getUTCFullYear(), new Date(a.created_at).getUTCFullYear() + 1].filter((y) => y <= 2100));
  assert.equal(a.deadline_at, endOfDay(addWdays(isWork, localDay(a.created_at), 2)), 'the topic override: 2 working days');
  const b = await submit(ids.drugs);
  assert.equal(b.org_id, ids.minzdrav);
  assert.equal(b.deadline_at, b.created_at + 3 * 3600000, 'another topic: the all-topics override');

  // Removing the overrides restores the topic's own deadline (8 working days).
  r = await admin.put(`/api/orgs/${ids.minzdrav}/deadlines`, { items: [] });
  assert.deepEqual(r.json.items, []);
  a = await submit(ids.appointment);
  assert.equal(a.deadline_at, endOfDay(addWdays(isWork, localDay(a.created_at), 8)));

  const au = await admin.get(`/api/audit?entity=org_deadlines&entity_id=${ids.minzdrav}&limit=10`);
  const es = au.json.items.filter((e) => e.entity === 'org_deadlines').sort((x, y) => x.id - y.id);
  assert.equal(es.length, 3);
  assert.deepEqual(es[0].before.items, []);
  assert.equal(es[1].after.items.length, 2);
});

test('org overrides: validation stores nothing; unknown org 404', async () => {
  const url = `/api/orgs/${ids.minstroy}/deadlines`;
  const good = { topic_id: ids.drugs, deadline: 5, deadline_unit: 'wdays' };
  assert.equal((await admin.put(url, { items: [good] })).status, 200);
  const before = (await demo.anon().get(url)).json;
  await assertErrors([
    ['unknown topic', () => admin.put(url, { items: [good, { topic_id: 999999, deadline: 5, deadline_unit: 'wdays' }] }), 422, 'validation_failed', 'items[1].topic_id'],
    ['topic not a number', () => admin.put(url, { items: [{ topic_id: 'x', deadline: 5, deadline_unit: 'wdays' }] }), 422, 'validation_failed', 'items[0].topic_id'],
    ['deadline 0', () => admin.put(url, { items: [{ ...good, deadline: 0 }] }), 422, 'validation_failed', 'items[0].deadline'],
    ['deadline 8761', () => admin.put(url, { items: [{ ...good, deadline: 8761 }] }), 422, 'validation_failed', 'items[0].deadline'],
    ['deadline missing', () => admin.put(url, { items: [{ topic_id: null, deadline_unit: 'hours' }] }), 422, 'validation_failed', 'items[0].deadline'],
    ['bad unit', () => admin.put(url, { items: [{ ...good, deadline_unit: 'weeks' }] }), 422, 'validation_failed', 'items[0].deadline_unit'],
    ['duplicate topic', () => admin.put(url, { items: [good, { ...good, deadline: 7 }] }), 422, 'validation_failed', 'items[1].topic_id'],
    ['two all-topics rows', () => admin.put(url, { items: [{ topic_id: null, deadline: 1, deadline_unit: 'hours' }, { deadline: 2, deadline_unit: 'hours' }] }), 422, 'validation_failed', 'items[1].topic_id'],
    ['unknown member', () => admin.put(url, { items: [{ ...good, org_id: 1 }] }), 422, 'validation_failed', 'items[0]'],
    ['items not an array', () => admin.put(url, { items: 5 }), 400, 'invalid_input'],
    ['unknown org', () => admin.put('/api/orgs/999999/deadlines', { items: [] }), 404, 'not_found'],
  ]);
  assert.deepEqual((await demo.anon().get(url)).json, before, 'nothing changed');
  assertError(await demo.anon().get('/api/orgs/999999/deadlines'), 404, 'not_found');
});

test('org overrides: a supervisor manages its org and those below, nobody else', async () => {
  const sup = await demo.as('supervisor'); // klu-gov, parent of the regional ministries
  const body = { items: [{ topic_id: null, deadline: 20, deadline_unit: 'wdays' }] };
  for (const org of [ids.gov, ids.minstroy]) {
    const r = await sup.put(`/api/orgs/${org}/deadlines`, body);
    assert.equal(r.status, 200, r.text);
    assert.equal((await demo.anon().get(`/api/orgs/${org}/deadlines`)).json.items[0].deadline, 20);
  }
  const before = (await demo.anon().get(`/api/orgs/${ids.kalugaAdm}/deadlines`)).json;
  assertError(await sup.put(`/api/orgs/${ids.kalugaAdm}/deadlines`, body), 403, 'forbidden');
  assertError(await sup.put(`/api/orgs/${ids.kalugaAdm}/deadlines`, { items: [{ deadline: 0 }] }), 403, 'forbidden');
  for (const who of ['executor', 'operator', 'coordinator', 'citizen'])
    assertError(await (await demo.as(who)).put(`/api/orgs/${ids.minstroy}/deadlines`, body), 403, 'forbidden');
  assertError(await demo.fresh().put(`/api/orgs/${ids.minstroy}/deadlines`, body), 401);
  assert.deepEqual((await demo.anon().get(`/api/orgs/${ids.kalugaAdm}/deadlines`)).json, before);
});
