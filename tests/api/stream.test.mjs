// GET /api/analytics/stream (docs/analytics.md "Live"): server-sent events reach an open
// dashboard within seconds — new appeals inside the filter (ids and dimensions only), nothing
// outside it; a reconnect with Last-Event-ID resumes; scope and roles are checked; the stream
// does not hold a request thread (many streams and normal requests side by side); the server
// still stops promptly with streams open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';

let S;
let demo;
const ids = {};

before(async () => {
  S = await bootServer({ env: { OTKLIK_THREADS: '4' }, args: ['--threads', '4'] });
  demo = new Demo(S.base);
  ids.ru = await demo.id('territories', 'RU');
  ids.region = await demo.id('territories', 'RU-KLU');
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.doctor = await demo.id('topics', 'health-appointment');
});
after(async () => { await S?.close(); });

/** Opens a stream as client c; returns {events, status, close(), waitFor(pred)}. */
function open(c, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(S.base + path);
    const h = { accept: 'text/event-stream', ...headers };
    if (c.cookies.size) h.cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: h });
    req.on('error', reject);
    req.on('response', (res) => {
      const st = { status: res.statusCode, headers: res.headers, events: [], raw: '', body: '', waiters: [] };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        st.raw += d;
        if (res.statusCode !== 200) { st.body += d; return; }
        buf += d;
        let k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, k);
          buf = buf.slice(k + 2);
          const ev = { id: null, event: 'message', data: '' };
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            const f = line.slice(0, i);
            const v = line.slice(i + 1).replace(/^ /, '');
            if (f === 'id') ev.id = v; else if (f === 'event') ev.event = v; else if (f === 'data') ev.data += v;
          }
          if (ev.data) {
            ev.json = JSON.parse(ev.data);
            st.events.push(ev);
            st.waiters = st.waiters.filter((w) => !w());
          }
        }
      });
      res.on('end', () => { st.ended = true; st.waiters.forEach((w) => w()); });
      st.close = () => req.destroy();
      st.waitFor = (pred, ms = 10000) => new Promise((res2, rej2) => {
        const check = () => {
          const e = st.events.find(pred);
          if (e) { res2(e); return true; }
          if (st.ended) { rej2(new Error('stream ended')); return true; }
          return false;
        };
        if (check()) return;
        const t = setTimeout(() => rej2(new Error(`no matching event within ${ms} ms: ${JSON.stringify(st.events)}`)), ms);
        st.waiters.push(() => { const done = check(); if (done) clearTimeout(t); return done; });
      });
      if (res.statusCode !== 200) res.on('end', () => resolve(st)); else resolve(st);
    });
    req.end();
  });
}

async function submit(who, body) {
  const r = await (await demo.as(who)).post('/api/appeals', body);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const TEXT = 'Во дворе дома третий день не вывозят мусор, контейнеры переполнены.';

test('a new appeal inside the filter reaches the stream within seconds; one outside does not', async () => {
  const admin = await demo.as('admin');
  const st = await open(admin, `/api/analytics/stream?territory_id=${ids.kaluga}`);
  assert.equal(st.status, 200);
  assert.match(st.headers['content-type'], /^text\/event-stream/);
  const outside = await submit('citizen', { topic_id: ids.heating, territory_id: ids.obninsk, text: TEXT });
  const inside = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text: TEXT });
  const t0 = Date.now();
  const ev = await st.waitFor((e) => e.event === 'appeal' && e.json.id === inside);
  assert.ok(Date.now() - t0 < 10000);
  assert.equal(ev.json.territory_id, ids.kaluga);
  assert.equal(ev.json.topic_id, ids.heating);
  assert.equal(ev.data.includes('мусор'), false, 'no text in the stream');
  assert.ok(!st.events.some((e) => e.json.id === outside), 'an appeal outside the filter is not sent');
  assert.match(ev.id, /^\d+:\d+$/);

  // a reconnect with Last-Event-ID gets what it missed
  st.close();
  const missed = await submit('citizen2', { topic_id: ids.doctor, territory_id: ids.kaluga, text: 'Не могу записаться к врачу в поликлинике, телефон не отвечает.' });
  const st2 = await open(admin, `/api/analytics/stream?territory_id=${ids.kaluga}`, { 'last-event-id': ev.id });
  await st2.waitFor((e) => e.event === 'appeal' && e.json.id === missed);
  assert.ok(!st2.events.some((e) => e.json.id === inside), 'nothing already delivered comes again');
  st2.close();
});

test('filters by topic; region filter covers its municipalities', async () => {
  const coord = await demo.as('coordinator');
  const st = await open(coord, `/api/analytics/stream?territory_id=${ids.region}&topic_id=${ids.doctor}`);
  assert.equal(st.status, 200, st.body);
  const heating = await submit('citizen', { topic_id: ids.heating, territory_id: ids.obninsk, text: TEXT });
  const doctor = await submit('citizen', { topic_id: ids.doctor, territory_id: ids.obninsk, text: 'Записаться к терапевту невозможно уже неделю, талонов нет.' });
  await st.waitFor((e) => e.event === 'appeal' && e.json.id === doctor);
  assert.ok(!st.events.some((e) => e.json.id === heating));
  st.close();
});

test('roles and scope: citizens and executors are refused; a coordinator cannot watch another territory', async () => {
  const cit = await open(await demo.as('citizen'), '/api/analytics/stream');
  assert.equal(cit.status, 403);
  const ex = await open(await demo.as('executor'), '/api/analytics/stream');
  assert.equal(ex.status, 403);
  const anon = await open(demo.anon(), '/api/analytics/stream');
  assert.equal(anon.status, 401);
  const c2 = await open(await demo.as('coordinator2'), `/api/analytics/stream?territory_id=${ids.kaluga}`);
  assert.equal(c2.status, 403, c2.body);
  const bad = await open(await demo.as('admin'), '/api/analytics/stream?territory_id=abc');
  assert.equal(bad.status, 400);
});

test('open streams do not hold request threads (more streams than threads, requests still answered)', async () => {
  const admin = await demo.as('admin');
  const streams = [];
  for (let i = 0; i < 12; i++) streams.push(await open(admin, '/api/analytics/stream'));
  assert.ok(streams.every((s) => s.status === 200));
  for (let i = 0; i < 20; i++) {
    const r = await admin.get('/api/me');
    assert.equal(r.status, 200);
  }
  const id = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text: TEXT });
  await Promise.all(streams.map((s) => s.waitFor((e) => e.event === 'appeal' && e.json.id === id)));
  streams.forEach((s) => s.close());
});

test('the server stops promptly with streams open', async () => {
  const admin = await demo.as('admin');
  const st = await open(admin, '/api/analytics/stream');
  assert.equal(st.status, 200);
  const t0 = Date.now();
  await S.stop();
  assert.ok(Date.now() - t0 < 10000, 'stopped within 10 s');
  S = null;
});
