// The deadline scanner inside `otklik serve`: with its clock 40 days ahead
// (OTKLIK_CLOCK_SKEW_MS, a test/simulation setting) and a pass every 200 ms, a routed appeal
// becomes overdue (once, visible to staff only) and an unrated answer is closed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';

const DAY = 86400000;
let S;
let demo;
const ids = {};
before(async () => {
  S = await bootServer({ env: { OTKLIK_SCAN_INTERVAL_MS: '200', OTKLIK_CLOCK_SKEW_MS: String(40 * DAY) } });
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
});
after(async () => { await S?.close(); });

async function submit() {
  const r = await (await demo.as('citizen')).post('/api/appeals', {
    topic_id: ids.heating, territory_id: ids.kaluga,
    text: 'Холодные батареи в квартире уже неделю, управляющая компания не отвечает.',
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function view(who, id) {
  const r = await (await demo.as(who)).get(`/api/appeals/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
/** Poll until cond(appeal as who) holds (10 s at most). */
async function until(who, id, cond, what) {
  const end = Date.now() + 10000;
  for (;;) {
    const a = await view(who, id);
    if (cond(a)) return a;
    if (Date.now() > end) assert.fail(`${what}: not within 10 s; last: ${JSON.stringify(a).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a routed appeal past its deadline becomes overdue, once, and only staff see the event', async () => {
  const a0 = await submit();
  assert.equal(a0.status, 'routed');
  const a = await until('executor', a0.id, (x) => x.overdue === true, 'overdue');
  assert.equal(a.status, 'routed', 'overdue does not change the status');
  const ev = a.timeline.filter((e) => e.kind === 'overdue');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].public, false);

  const ex = await demo.as('executor');
  const q = await ex.get('/api/appeals?queue=overdue&limit=100');
  assert.equal(q.status, 200, q.text);
  assert.ok(q.json.items.some((x) => x.id === a0.id && x.overdue === true), `queue=overdue lists it: ${q.text.slice(0, 400)}`);

  const c = await view('citizen', a0.id);
  assert.ok(!c.timeline.some((e) => e.kind === 'overdue'), 'the author does not see the internal escalation');

  // later passes do not repeat it
  await new Promise((r) => setTimeout(r, 700));
  assert.equal((await view('executor', a0.id)).timeline.filter((e) => e.kind === 'overdue').length, 1, 'one overdue event after several passes');

  // an extension moves the deadline past the real now: no longer overdue — until the
  // scanner's clock (40 days ahead) passes the new deadline too: a second, separate event
  const ext = await ex.post(`/api/appeals/${a0.id}/extend`, { days: 5, reason: 'Нужна экспертиза' });
  assert.equal(ext.status, 200, ext.text);
  assert.ok(ext.json.deadline_at > Date.now());
  await until('executor', a0.id, (x) => x.overdue === true && x.timeline.filter((e) => e.kind === 'overdue').length === 2, 'overdue again after the extension');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await view('executor', a0.id)).timeline.filter((e) => e.kind === 'overdue').length, 2);
});

test('an answer left unrated for 30 days is closed by the scanner', async () => {
  const { id } = await submit();
  const ex = await demo.as('executor');
  let r = await ex.post(`/api/appeals/${id}/start`, {});
  // the scanner may have marked it overdue meanwhile: then the version moved, retry once
  if (r.status === 409) r = await ex.post(`/api/appeals/${id}/start`, {});
  assert.equal(r.status, 200, r.text);
  r = await ex.post(`/api/appeals/${id}/answers`, { kind: 'final', text: 'Отопление восстановлено.' });
  if (r.status === 409) r = await ex.post(`/api/appeals/${id}/answers`, { kind: 'final', text: 'Отопление восстановлено.' });
  assert.equal(r.status, 201, r.text);
  const c = await until('citizen', id, (x) => x.status === 'closed', 'auto-close');
  assert.ok(c.closed_at > 0);
  const ev = c.timeline.filter((e) => e.kind === 'auto_closed');
  assert.equal(ev.length, 1, 'the author sees that it was closed');
  assert.equal(ev[0].status_from, 'answered');
  assert.equal(ev[0].status_to, 'closed');
  // closed: the author can no longer rate
  const rate = await (await demo.as('citizen')).post(`/api/appeals/${id}/rating`, { score: 5, solved: true });
  assert.equal(rate.status, 409, rate.text);
});

test('due within a working day: one "due soon" warning for staff; appeals due later get none', async () => {
  const S2 = await bootServer({ env: { OTKLIK_SCAN_INTERVAL_MS: '200' } });
  try {
    const d2 = new Demo(S2.base);
    const c = await d2.as('citizen');
    const post = async (topic, text) => {
      const r = await c.post('/api/appeals', { topic_id: await d2.id('topics', topic), territory_id: await d2.id('territories', 'klu-kaluga'), text });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    // heating: 24 hours; a doctor's appointment: 8 working days
    const soon = await post('housing-heating', 'Нет отопления второй день, в квартире холодно.');
    const later = await post('health-appointment', 'Не могу записаться к терапевту через Госуслуги.');
    const ex = await d2.as('executor');
    const end = Date.now() + 10000;
    let a;
    for (;;) {
      a = (await ex.get(`/api/appeals/${soon.id}`)).json;
      if (a.timeline.some((e) => e.kind === 'due_soon')) break;
      if (Date.now() > end) assert.fail(`no due_soon event: ${JSON.stringify(a.timeline)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 600));
    a = (await ex.get(`/api/appeals/${soon.id}`)).json;
    assert.equal(a.timeline.filter((e) => e.kind === 'due_soon').length, 1, 'warned once');
    assert.equal(a.timeline.find((e) => e.kind === 'due_soon').public, false);
    assert.equal(a.overdue, false);
    assert.ok(!(await c.get(`/api/appeals/${soon.id}`)).json.timeline.some((e) => e.kind === 'due_soon'), 'not shown to the author');
    const l = (await (await d2.as('executor2')).get(`/api/appeals/${later.id}`)).json;
    assert.ok(!l.timeline.some((e) => e.kind === 'due_soon' || e.kind === 'overdue'), 'eight working days ahead: no warning');
  } finally {
    await S2.close();
  }
});
