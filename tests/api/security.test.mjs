// Attacks (issue 5, docs/security.md): guessing ids of other people's appeals, attachments and
// notifications; staff and API keys of one body against another body's appeals; what Open311 shows;
// SQL injection strings in every text field and query parameter; malformed input (invalid UTF-8,
// deep nesting, huge numbers, duplicate keys, wrong content types); oversized headers, URLs and
// bodies; slow and idle connections; security headers. Session handling (logout, cookie flags,
// fixation, CSRF, login rate limits) is in auth.test.mjs, static path traversal in service.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { Client, assertError, rawRequest } from './lib/client.mjs';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/attachments');
const file = (n) => readFileSync(join(FIX, n));
const V2 = '/open311/v2';
/** The connection timeout of src/http/server.c (MHD_OPTION_CONNECTION_TIMEOUT, seconds). */
const CONN_TIMEOUT_S = 30;
/** The connection limit of src/http/server.c (MHD_OPTION_CONNECTION_LIMIT). */
const CONN_LIMIT = 4096;

let S;
let demo;
const ids = {};
// Markers: unique strings that must never show up in an answer to someone who may not see them.
const M = {
  text: uniq('ТЕКСТ-Б'),
  address: uniq('АДРЕС-Б'),
  note: uniq('ЗАМЕТКА'),
  person: uniq('ЗАЯВИТЕЛЬ'),
  contact: uniq('контакт'),
  draft: uniq('ЧЕРНОВИК'),
};
const v = {}; // the victims' objects

let slowIdle; // promises started in before(): they run while the other tests do
let slowTrickle;

/** Submit as a client; asserts 201 and returns the appeal. */
async function submit(c, body) {
  const r = await c.post('/api/appeals', body);
  assert.equal(r.status, 201, `submit as ${c.name}: ${r.text}`);
  return r.json;
}

async function upload(c, name, body) {
  const r = await c.request('POST', `/api/attachments?name=${encodeURIComponent(name)}`, { body, contentType: 'application/octet-stream' });
  assert.equal(r.status, 201, `upload ${name}: ${r.text}`);
  return r.json;
}

/** Everything the admin sees of an appeal (its version tells whether anything changed). */
async function full(id) {
  const r = await (await demo.as('admin')).get(`/api/appeals/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** The markers found in a response (raw bytes, so escapes and XML are covered too). */
function leaks(res, markers = Object.values(M)) {
  const raw = res.text + JSON.stringify(res.json ?? null);
  return markers.filter((m) => raw.includes(m));
}

/**
 * A raw TCP exchange: write `chunks` (strings or Buffers) and collect what comes back until the
 * server closes or `waitMs` passes. Returns {data, closed}.
 */
function rawExchange(chunks, { waitMs = 10000, localAddress } = {}) {
  return new Promise((res) => {
    const s = net.connect({ port: S.port, host: '127.0.0.1', localAddress });
    const got = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      s.destroy();
      res({ data: Buffer.concat(got).toString('latin1'), closed });
    };
    const t = setTimeout(() => finish(false), waitMs);
    s.on('data', (d) => got.push(d));
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => { for (const c of chunks) s.write(c); });
  });
}

/**
 * A slow client: sends the start of a request, then (trickle) one more header byte every second.
 * Resolves {closed: true, after} when the server closes the connection, or {closed: false} at the
 * deadline.
 */
function slowClient({ trickle, deadlineMs }) {
  return new Promise((res) => {
    const s = net.connect({ port: S.port, host: '127.0.0.1' });
    const t0 = Date.now();
    let timer = null;
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(dl);
      s.destroy();
      res({ closed, after: Date.now() - t0 });
    };
    const dl = setTimeout(() => finish(false), deadlineMs);
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => {
      s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      if (trickle) timer = setInterval(() => { if (!s.destroyed) s.write('a'); }, 1000);
    });
  });
}

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  // The slow connections run in the background while the other tests go on (a 30 s wait each).
  const deadlineMs = (CONN_TIMEOUT_S + 15) * 1000;
  slowIdle = slowClient({ trickle: false, deadlineMs });
  slowTrickle = slowClient({ trickle: true, deadlineMs });

  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.appointment = await demo.id('topics', 'health-appointment');

  const a = await demo.as('citizen');
  const b = await demo.as('citizen2');
  const png = file('pixel.png');
  // A's own things, so that "A sees exactly A's objects" can fail both ways.
  v.attA = await upload(a, 'своё.png', png);
  v.appealA = await submit(a, { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Моё обращение: холодно в квартире.', attachment_ids: [v.attA.id] });
  // B's appeal at the ministry of construction, with a photo, an internal note and an interim answer.
  v.attB = await upload(b, 'чужое.png', png);
  v.appealB = await submit(b, { topic_id: ids.heating, territory_id: ids.kaluga, text: `Холодно. ${M.text}`, address: M.address, attachment_ids: [v.attB.id] });
  assert.equal(v.appealB.org_id, ids.minstroy, 'heating goes to the ministry of construction');
  const ex = await demo.as('executor');
  assert.equal((await ex.post(`/api/appeals/${v.appealB.id}/start`, {})).status, 200);
  assert.equal((await ex.post(`/api/appeals/${v.appealB.id}/notes`, { text: `Внутреннее: ${M.note}` })).status, 201);
  assert.equal((await ex.post(`/api/appeals/${v.appealB.id}/answers`, { kind: 'interim', text: 'Проверяем.' })).status, 201);
  // An appeal entered by an operator for a person (name and contact are for staff only).
  const op = await demo.as('operator');
  v.appealP = await submit(op, { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Звонок: нет отопления.', channel: 'operator', person: { name: M.person, contact: M.contact } });
  // An appeal of the ministry of health, for the executor of that body.
  v.appealZ = await submit(a, { topic_id: ids.appointment, territory_id: ids.kaluga, text: 'Не могу записаться к врачу.' });
  assert.equal(v.appealZ.org_id, ids.minzdrav, 'appointments go to the ministry of health');
  v.last = v.appealZ.id;
  // The markers are really there for those who may see them (else a "no leak" check proves nothing).
  const adminB = await (await demo.as('admin')).get(`/api/appeals/${v.appealB.id}`);
  assert.deepEqual(leaks(adminB, [M.text, M.address, M.note]), [M.text, M.address, M.note]);
  const exP = await ex.get(`/api/appeals/${v.appealP.id}`);
  assert.deepEqual(leaks(exP, [M.person, M.contact]), [M.person, M.contact]);
});
after(async () => { await S?.close(); });

// ---------------------------------------------------------------------------------------------
// IDOR: ids guessed around other people's objects

test('a citizen guessing appeal ids reads exactly the appeals in their own list, and nothing of the others', async () => {
  const a = await demo.as('citizen');
  const mine = new Set((await a.get('/api/appeals?queue=authored&limit=100')).json.items.map((x) => x.id));
  assert.ok(mine.has(v.appealA.id) && !mine.has(v.appealB.id));
  const wrong = [];
  for (let id = Math.max(1, v.appealA.id - 10); id <= v.last + 10; id++) {
    const r = await a.get(`/api/appeals/${id}`);
    if (r.status === 200 && !mine.has(id)) wrong.push(`#${id} readable though not in the citizen's list`);
    else if (r.status !== 200 && mine.has(id)) wrong.push(`#${id} in the list but ${r.status}`);
    else if (r.status !== 200 && r.status !== 404) wrong.push(`#${id}: ${r.status} (expected 404 for strangers)`);
    if (leaks(r).length) wrong.push(`#${id} leaks ${leaks(r)}`);
    for (const sub of ['similar', 'assistant']) {
      const s = await a.get(`/api/appeals/${id}/${sub}`);
      if (s.status < 400 || leaks(s).length) wrong.push(`#${id}/${sub}: ${s.status} ${s.text.slice(0, 100)}`);
    }
  }
  assert.deepEqual(wrong, []);
  // An unknown id and another person's id look the same: nothing is confirmed to strangers.
  const stranger = await a.get(`/api/appeals/${v.appealB.id}`);
  const unknown = await a.get('/api/appeals/2147483000');
  assert.equal(stranger.status, unknown.status);
  assert.deepEqual(stranger.json, unknown.json);
});

test('a citizen acting on another person\'s appeal changes nothing and learns nothing', async () => {
  const a = await demo.as('citizen');
  const before_ = await full(v.appealB.id);
  const wrong = [];
  const actions = [['clarify', { text: 'Уточняю чужое' }], ['rating', { score: 1, solved: false }], ['notes', { text: 'x' }],
    ['answers', { kind: 'final', text: 'x' }], ['start', {}], ['reject', { reason: 'abusive' }], ['merge', { into_id: v.appealA.id }],
    ['redirect', { org_id: null, reason: 'x' }], ['extend', { days: 5, reason: 'x' }]];
  for (const [action, body] of actions) {
    const r = await a.post(`/api/appeals/${v.appealB.id}/${action}`, body);
    if (![403, 404].includes(r.status) || leaks(r).length) wrong.push(`${action}: ${r.status} ${r.text.slice(0, 120)}`);
  }
  // Merging one's own appeal into a stranger's would make the merger a co-author there.
  const m = await a.post(`/api/appeals/${v.appealA.id}/merge`, { into_id: v.appealB.id });
  if (m.status < 400) wrong.push(`merge own into a stranger's: ${m.status}`);
  assert.deepEqual(wrong, []);
  const after_ = await full(v.appealB.id);
  assert.equal(after_.version, before_.version, 'the appeal was changed');
  assert.equal(after_.coauthors, before_.coauthors);
  assert.equal((await full(v.appealA.id)).status, v.appealA.status);
});

test('a citizen guessing attachment ids downloads only their own files', async () => {
  const a = await demo.as('citizen');
  const wrong = [];
  for (let id = Math.max(1, v.attA.id - 5); id <= v.attB.id + 5; id++) {
    const r = await a.get(`/api/attachments/${id}`, { validate: id === v.attA.id });
    if (id === v.attA.id) {
      if (r.status !== 200) wrong.push(`own #${id}: ${r.status}`);
    } else if (r.status !== 404) wrong.push(`#${id}: ${r.status} ${r.headers['content-type']}`);
  }
  assert.deepEqual(wrong, []);
  assertError(await a.get(`/api/attachments/${v.attB.id}`), 404, 'not_found');
  // The executor of another body cannot either, nor can an admin reach a file by a negative or huge id.
  assertError(await (await demo.as('executor2')).get(`/api/attachments/${v.attB.id}`), 404, 'not_found');
  for (const bad of ['-1', '0', '99999999999999999999', '1%20OR%201=1', `${v.attB.id}.png`, `${v.attB.id}%2F`])
    assert.equal((await (await demo.as('admin')).get(`/api/attachments/${bad}`, { validate: false })).status, 404, bad);
});

test('notifications: a citizen\'s list never mentions another person\'s appeal', async () => {
  const b = await demo.as('citizen2');
  const theirs = await b.get('/api/notifications?limit=100');
  assert.ok(theirs.json.items.some((n) => n.appeal_id === v.appealB.id), 'B is notified about B\'s appeal (else the test proves nothing)');
  const a = await demo.as('citizen');
  for (const q of ['', '?unread=1', '?limit=100&offset=0', `?appeal_id=${v.appealB.id}`, `?user_id=${await demo.userId('citizen2')}`]) {
    const r = await a.get(`/api/notifications${q}`);
    assert.ok(r.status === 200 || r.status === 400, `${q}: ${r.status}`);
    if (r.status === 200) assert.ok(!r.json.items.some((n) => n.appeal_id === v.appealB.id), `${q}: A sees B's notification`);
    assert.deepEqual(leaks(r), [], q);
  }
  // Marking B's notifications read by guessing their ids does not touch B's.
  const unread = (await b.get('/api/notifications')).json.unread;
  const bIds = theirs.json.items.map((n) => n.id);
  const r = await a.post('/api/notifications/read', { ids: bIds });
  assert.ok(r.status < 500, r.text);
  assert.equal((await b.get('/api/notifications')).json.unread, unread, 'A marked B\'s notifications read');
});

test('list filters do not widen a citizen\'s view', async () => {
  const a = await demo.as('citizen');
  const wrong = [];
  for (const q of ['queue=all', 'queue=org', 'queue=new', 'queue=triage', 'queue=approval', `org_id=${ids.minstroy}`, `assignee_id=${await demo.userId('executor')}`,
    `q=${encodeURIComponent(M.text)}`, `q=${encodeURIComponent(M.note)}`, `q=${encodeURIComponent(M.address)}`, 'status=in_progress', 'limit=100&offset=0']) {
    const r = await a.get(`/api/appeals?${q}`);
    if (r.status === 200 && r.json.items.some((x) => x.id === v.appealB.id || x.id === v.appealP.id)) wrong.push(`${q}: a stranger's appeal listed`);
    if (r.status >= 500 || leaks(r).length) wrong.push(`${q}: ${r.status} ${leaks(r)}`);
  }
  assert.deepEqual(wrong, []);
  // The public suggestion endpoint offers "the same problem nearby", but never the markers of internal data.
  const s = await demo.anon().post('/api/appeals/suggest', { text: `Холодно. ${M.text}`, topic_id: ids.heating, territory_id: ids.kaluga });
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(leaks(s, [M.note, M.person, M.contact, M.draft]), []);
});

// ---------------------------------------------------------------------------------------------
// Staff of one body, and API keys of one body, against another body's appeals

/** Every way a staff client could touch appeal `id` of another body: all must be 403/404, nothing changes. */
async function outsider(c, id) {
  const wrong = [];
  const before_ = await full(id);
  const r = await c.get(`/api/appeals/${id}`);
  if (r.status !== 404 || leaks(r).length) wrong.push(`read: ${r.status}`);
  const s = await c.get(`/api/appeals/${id}/similar`);
  if (![403, 404].includes(s.status) || leaks(s).length) wrong.push(`similar: ${s.status}`);
  const att = await c.get(`/api/attachments/${v.attB.id}`, { validate: false });
  if (att.status !== 404) wrong.push(`attachment: ${att.status}`);
  const actions = [['start', {}], ['assign', { user_id: await demo.userId('executor2') }], ['redirect', { org_id: null, reason: 'Не наше' }],
    ['notes', { text: 'Чужая заметка' }], ['answers', { kind: 'interim', text: 'Чужой ответ' }], ['answers', { kind: 'final', text: 'Чужой ответ' }],
    ['clarification', { text: 'Вопрос' }], ['extend', { days: 3, reason: 'Причина' }], ['reject', { reason: 'abusive' }],
    ['merge', { into_id: v.appealZ.id }], ['approve', {}], ['return', { comment: 'x' }], ['rereview', { decision: 'uphold', comment: 'x' }]];
  for (const [action, body] of actions) {
    const x = await c.post(`/api/appeals/${id}/${action}`, body);
    if (![403, 404].includes(x.status) || leaks(x).length) wrong.push(`${action}: ${x.status} ${x.text.slice(0, 120)}`);
  }
  for (const q of ['queue=all', 'queue=org', 'queue=new', 'queue=mine', `org_id=${ids.minstroy}`, `q=${encodeURIComponent(M.note)}`, `q=${encodeURIComponent(M.text)}`, 'status=in_progress']) {
    const l = await c.get(`/api/appeals?${q}&limit=100`);
    if (l.status !== 200 || l.json.items.some((x) => x.id === id) || leaks(l).length) wrong.push(`list ${q}: ${l.status}`);
  }
  const own = await c.get(`/api/appeals/${v.appealZ.id}/similar`);
  if (own.status === 200 && (own.json.items.some((x) => x.id === id) || leaks(own).length)) wrong.push('similar of an own appeal lists the other body\'s appeal');
  const p = await c.get('/api/problems?limit=100');
  if (p.status === 200 && leaks(p).length) wrong.push(`problems leak ${leaks(p)}`);
  const after_ = await full(id);
  if (after_.version !== before_.version) wrong.push(`the appeal changed: version ${before_.version} → ${after_.version}`);
  return wrong;
}

test('the executor of one body cannot read or act on another body\'s appeal, its files or its notes', async () => {
  const ex2 = await demo.as('executor2');
  assert.equal((await ex2.get(`/api/appeals/${v.appealZ.id}`)).status, 200, 'executor2 works the ministry of health');
  assert.deepEqual(await outsider(ex2, v.appealB.id), []);
  // Merging an own appeal into the other body's one must not reach it either.
  const before_ = await full(v.appealB.id);
  const m = await ex2.post(`/api/appeals/${v.appealZ.id}/merge`, { into_id: v.appealB.id });
  assert.ok(m.status >= 400 && m.status < 500, `merge into another body's appeal: ${m.status} ${m.text}`);
  assert.equal((await full(v.appealB.id)).version, before_.version);
  assert.equal((await full(v.appealZ.id)).status, 'routed');
});

test('an API key of one body cannot read or act on another body\'s appeals; Bearer needs no CSRF but gets no more rights', async () => {
  const admin = await demo.as('admin');
  const k = await admin.post('/api/apikeys', { name: uniq('minzdrav'), org_id: ids.minzdrav, scopes: ['executor'] });
  assert.equal(k.status, 201, k.text);
  const bot = new Client(S.base, { bearer: k.json.key, name: 'key of minzdrav' });
  assert.equal((await bot.get(`/api/appeals/${v.appealZ.id}`)).status, 200, 'the key reads its own body\'s appeal');
  assert.deepEqual(await outsider(bot, v.appealB.id), []);
  // A key without scopes is a submitter only.
  const w = await admin.post('/api/apikeys', { name: uniq('bare'), org_id: ids.minstroy, scopes: [] });
  const weak = new Client(S.base, { bearer: w.json.key, name: 'bare key of minstroy' });
  assertError(await weak.get(`/api/appeals/${v.appealB.id}`), 404, 'not_found');
  assertError(await weak.post(`/api/appeals/${v.appealB.id}/start`, {}), 403, 'forbidden');
  // A session cookie and a Bearer key together: the key decides, the cookie adds nothing.
  const both = new Client(S.base, { bearer: w.json.key, name: 'key + admin cookie' });
  both.cookies = new Map(admin.cookies);
  assertError(await both.get('/api/users'), 403, 'forbidden');
  // A garbage key is 401 even with a valid cookie.
  const bad = new Client(S.base, { bearer: "x' OR '1'='1", name: 'injected key' });
  bad.cookies = new Map(admin.cookies);
  assertError(await bad.get('/api/me'), 401, 'unauthorized');
});

test('Open311 requests/{id} shows only public fields: no person, contact, author, internal notes or unpublished answers', async () => {
  // An unpublished (pending approval) answer on an org with approval_required.
  const admin = await demo.as('admin');
  const org = await admin.patch(`/api/orgs/${ids.minzdrav}`, { approval_required: true });
  assert.equal(org.status, 200, org.text);
  const ex2 = await demo.as('executor2');
  assert.equal((await ex2.post(`/api/appeals/${v.appealZ.id}/start`, {})).status, 200);
  const fin = await ex2.post(`/api/appeals/${v.appealZ.id}/answers`, { kind: 'final', text: `Проект ответа ${M.draft}` });
  assert.equal(fin.status, 201, fin.text);
  assert.equal(fin.json.status, 'approval');
  assert.equal((await ex2.post(`/api/appeals/${v.appealZ.id}/notes`, { text: `Служебно ${M.note}` })).status, 201);
  assert.deepEqual(leaks(await ex2.get(`/api/appeals/${v.appealZ.id}`), [M.draft, M.note]), [M.draft, M.note], 'staff see the draft and the note');
  const b = await demo.as('citizen2');
  const wrong = [];
  const names = [(await b.get('/api/me')).json.user.name, (await (await demo.as('executor')).get('/api/me')).json.user.name, (await ex2.get('/api/me')).json.user.name];
  for (const id of [v.appealB.id, v.appealP.id, v.appealZ.id]) {
    for (const fmt of ['json', 'xml']) {
      for (const path of [`${V2}/requests/${id}.${fmt}`, `${V2}/requests.${fmt}?service_request_id=${id}`]) {
        const r = await demo.anon().get(path, { validate: false });
        if (r.status !== 200) wrong.push(`${path}: ${r.status}`);
        const found = leaks(r, [M.note, M.person, M.contact, M.draft, ...names]);
        if (found.length) wrong.push(`${path} leaks ${found}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  const one = await demo.anon().get(`${V2}/requests/${v.appealZ.id}.json`, { validate: false });
  assert.equal(one.json[0].status_notes ?? null, null, 'a pending answer is not published as status_notes');
});

// ---------------------------------------------------------------------------------------------
// SQL injection: every text field and query parameter

const INJ = ["' OR 1=1 --", '"; DROP TABLE appeals; --', "1' UNION SELECT password_hash FROM users --", 'a\u0000b', '\u0000', '%', '_', '\\', `${"'".repeat(3000)}`, 'x'.repeat(5000)];

/** Appeal count, user count and a known text as the admin sees them (to prove the database is intact). */
async function dbState() {
  const admin = await demo.as('admin');
  const ap = await admin.get('/api/appeals?queue=all&limit=1');
  const us = await admin.get('/api/users?limit=1');
  const b = await admin.get(`/api/appeals/${v.appealB.id}`);
  assert.equal(ap.status, 200);
  return { appeals: ap.json.total, users: us.json.total, text: b.json.text, health: (await demo.anon().get('/healthz')).status };
}

/** [client, path, [query parameters]] of every list a caller can filter. */
async function listParams() {
  const admin = await demo.as('admin');
  const coord = await demo.as('coordinator');
  const a = await demo.as('citizen');
  return [
    [admin, '/api/appeals', ['queue', 'status', 'topic_id', 'category_id', 'territory_id', 'org_id', 'assignee_id', 'q', 'created_from', 'created_to', 'sort', 'limit', 'offset']],
    [a, '/api/appeals', ['queue', 'q', 'sort', 'status']],
    [coord, '/api/problems', ['status', 'sort', 'territory_id', 'category_id', 'topic_id', 'limit', 'offset']],
    [a, '/api/notifications', ['unread', 'limit', 'offset']],
    [admin, '/api/users', ['q', 'limit', 'offset']],
    [admin, '/api/audit', ['entity', 'entity_id', 'actor_id', 'limit', 'offset']],
    [demo.anon(), '/api/territories', ['q', 'code', 'parent_id', 'kind', 'limit', 'offset']],
    [demo.anon(), '/api/orgs', ['q', 'code', 'territory_id', 'limit']],
    [demo.anon(), '/api/topics', ['q', 'code', 'category_id', 'limit']],
    [demo.anon(), '/api/categories', ['q', 'code', 'limit']],
    [demo.anon(), '/api/rules', ['q', 'territory_id', 'topic_id', 'org_id']],
    [demo.anon(), '/api/route', ['territory_id', 'topic_id', 'lat', 'lon']],
    [demo.anon(), `${V2}/requests.json`, ['service_request_id', 'service_code', 'status', 'start_date', 'end_date']],
    [demo.anon(), `${V2}/requests.xml`, ['service_code', 'status']],
  ];
}

test('SQL injection strings in every filter and query parameter: never 500, never more rows, the database intact', async () => {
  const before_ = await dbState();
  const wrong = [];
  const lists = await listParams();
  for (const [c, path, params] of lists) {
    const base = await c.get(`${path}${path.includes('?') ? '&' : '?'}limit=100`, { validate: !path.startsWith(V2) });
    const baseCount = base.json ? (Array.isArray(base.json) ? base.json.length : base.json.total) : null;
    for (const p of params) {
      for (const inj of INJ) {
        const r = await c.get(`${path}?${p}=${encodeURIComponent(inj)}`, { validate: !path.startsWith(V2) });
        const tag = `${c.name} ${path}?${p}=${JSON.stringify(inj.slice(0, 30))}`;
        if (r.status >= 500) { wrong.push(`${tag}: ${r.status} ${r.text.slice(0, 150)}`); continue; }
        if (r.status !== 200) continue;
        const n = Array.isArray(r.json) ? r.json.length : r.json?.total;
        // A filter can only narrow: an injected string must never return more than no filter at all.
        if (baseCount !== null && typeof n === 'number' && n > baseCount && p !== 'limit') wrong.push(`${tag}: ${n} rows > ${baseCount} unfiltered`);
        // A word search for an injection string finds nothing (no stored text contains it).
        if ((p === 'q' || p === 'code' || p === 'service_code') && /OR 1=1|DROP|UNION/.test(inj) && n > 0) wrong.push(`${tag}: ${n} rows`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(await dbState(), before_, 'the database changed');
});

test('a NUL byte in a search is refused or finds nothing (it must not cut the search short)', async () => {
  const wrong = [];
  for (const [c, path] of [[demo.anon(), '/api/territories'], [await demo.as('admin'), '/api/appeals'], [await demo.as('admin'), '/api/users']]) {
    const r = await c.get(`${path}?q=${encodeURIComponent('\u0000zzzq-nothing-like-this')}`);
    if (r.status === 200 && r.json.total !== 0) wrong.push(`${path}: ${r.json.total} rows for "\\0zzzq…"`);
    if (r.status >= 500) wrong.push(`${path}: ${r.status}`);
  }
  assert.deepEqual(wrong, []);
});

test('SQL injection strings in every text field are stored and shown literally, or refused with a clear 4xx', async () => {
  const before_ = await dbState();
  const op = await demo.as('operator');
  const admin = await demo.as('admin');
  const ex = await demo.as('executor');
  const wrong = [];
  const made = [];
  const ok = (tag, r, back) => {
    if (r.status >= 500) wrong.push(`${tag}: ${r.status} ${r.text.slice(0, 150)}`);
    else if (r.status >= 400 && !(r.json && r.json.error && r.json.error.code)) wrong.push(`${tag}: ${r.status} without the error shape`);
    else if (r.status < 300 && back !== undefined && back() === false) wrong.push(`${tag}: not stored literally`);
  };
  for (const inj of INJ) {
    const tag = JSON.stringify(inj.slice(0, 30));
    const text = `Текст ${inj}`;
    const r = await op.post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text, address: inj.slice(0, 300), channel: 'operator', person: { name: inj.slice(0, 200), contact: inj.slice(0, 200) }, external_id: inj.slice(0, 100) });
    ok(`appeal ${tag}`, r, () => r.json.text === text.trim());
    if (r.status === 201) {
      made.push(r.json.id);
      const n = await ex.post(`/api/appeals/${r.json.id}/notes`, { text: `Заметка ${inj}` });
      ok(`note ${tag}`, n, () => n.json.timeline.some((e) => e.kind === 'notes' && e.text === `Заметка ${inj}`.trim()));
    }
    const me = await (await demo.as('citizen2')).patch('/api/me', { name: inj.slice(0, 100) });
    ok(`profile ${tag}`, me, () => me.json.user.name === inj.slice(0, 100).trim());
    const cat = await admin.post('/api/categories', { code: uniq('inj'), name: `Рубрика ${inj}`.slice(0, 200) });
    ok(`category ${tag}`, cat, () => cat.json.name === `Рубрика ${inj}`.slice(0, 200).trim());
    const login = await demo.fresh().post('/api/auth/login', { login: inj, password: inj });
    if (![400, 401, 413, 422, 429].includes(login.status)) wrong.push(`login ${tag}: ${login.status}`);
    const sug = await demo.anon().post('/api/appeals/suggest', { text: `Холодно ${inj}`.slice(0, 4000) });
    ok(`suggest ${tag}`, sug);
  }
  assert.deepEqual(wrong, []);
  const after_ = await dbState();
  assert.equal(after_.appeals, before_.appeals + made.length, 'exactly the new appeals were added');
  assert.equal(after_.users, before_.users);
  assert.equal(after_.text, before_.text);
  // the stored injection text is found by a literal search, and only there
  const hit = await admin.get(`/api/appeals?queue=all&q=${encodeURIComponent('DROP TABLE')}&limit=100`);
  assert.equal(hit.status, 200);
  assert.ok(hit.json.items.length >= 1 && hit.json.items.every((x) => made.includes(x.id)), hit.text.slice(0, 300));
});

test('Open311 POST with injection strings in every field: 201 or a 400 in the spec shape, never 500', async () => {
  const admin = await demo.as('admin');
  const k = await admin.post('/api/apikeys', { name: uniq('o311'), org_id: await demo.id('orgs', 'klu-kaluga-adm'), scopes: [] });
  assert.equal(k.status, 201, k.text);
  const before_ = await dbState();
  const wrong = [];
  for (const inj of INJ.filter((x) => x.length < 4000)) {
    for (const field of ['service_code', 'description', 'address_string', 'first_name', 'last_name', 'email', 'phone', 'lat', 'long', 'media_url', 'api_key', 'attribute[defect]']) {
      const body = { api_key: k.json.key, service_code: 'roads-potholes-local', lat: '54.514', long: '36.261', description: 'Яма у остановки', 'attribute[defect]': 'pothole', [field]: inj };
      const enc = Object.entries(body).map(([a, b]) => `${encodeURIComponent(a)}=${encodeURIComponent(b)}`).join('&');
      const r = await demo.anon().request('POST', `${V2}/requests.json`, { body: enc, contentType: 'application/x-www-form-urlencoded', validate: false });
      if (![201, 400, 403].includes(r.status) || !Array.isArray(r.json)) wrong.push(`${field}=${JSON.stringify(inj.slice(0, 20))}: ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(wrong, []);
  const after_ = await dbState();
  assert.ok(after_.appeals >= before_.appeals);
  assert.equal(after_.users, before_.users);
});

// ---------------------------------------------------------------------------------------------
// Malformed input

/** POST raw bytes as a logged-in client (CSRF token included). */
async function postRaw(c, path, body, contentType = 'application/json', extra = {}) {
  return c.request('POST', path, { body, contentType, ...extra });
}

test('invalid UTF-8 in JSON bodies and query strings: a clear 400/422, nothing stored', async () => {
  const c = await demo.as('citizen');
  const n0 = (await dbState()).appeals;
  const head = Buffer.from(`{"topic_id":${ids.heating},"territory_id":${ids.kaluga},"text":"`);
  const tail = Buffer.from('"}');
  const bad = {
    'lone 0xFF': Buffer.from([0xff]),
    'truncated sequence': Buffer.from([0xd0]),
    'overlong slash': Buffer.from([0xc0, 0xaf]),
    'UTF-16 surrogate': Buffer.from([0xed, 0xa0, 0x80]),
    'beyond U+10FFFF': Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  };
  const wrong = [];
  for (const [label, bytes] of Object.entries(bad)) {
    const r = await postRaw(c, '/api/appeals', Buffer.concat([head, Buffer.from('Холодно '), bytes, tail]));
    if (r.status !== 400 && r.status !== 422) wrong.push(`${label}: ${r.status} ${r.text.slice(0, 100)}`);
    else if (!r.json?.error?.message) wrong.push(`${label}: no message`);
  }
  for (const esc of ['\\ud800', '\\udfff\\ud800', '\\u0000']) {
    const r = await postRaw(c, '/api/appeals', Buffer.from(`{"topic_id":${ids.heating},"territory_id":${ids.kaluga},"text":"Холодно ${esc}"}`));
    if (r.status !== 400 && r.status !== 422) wrong.push(`escape ${esc}: ${r.status}`);
  }
  for (const [path, q] of [['/api/appeals', 'q=%FF'], ['/api/appeals', 'q=%C0%AF'], ['/api/appeals', 'sort=%ED%A0%80'], ['/api/territories', 'q=%FE%FF']]) {
    const r = await c.get(`${path}?${q}`, { validate: false });
    if (r.status !== 400 && r.status !== 422 && !(r.status === 200 && (Array.isArray(r.json) ? r.json.length === 0 : r.json.total === 0))) wrong.push(`${path}?${q}: ${r.status} ${r.text.slice(0, 80)}`);
  }
  assert.deepEqual(wrong, []);
  assert.equal((await dbState()).appeals, n0, 'nothing stored');
});

test('bytes that are not UTF-8 in any filter of any list: a 4xx or nothing found, never 500', async () => {
  const wrong = [];
  for (const [cl, path, params] of await listParams()) {
    for (const p of params) {
      for (const bytes of ['%FF', '%C0%AF', 'a%ED%A0%80b']) {
        const r = await cl.get(`${path}?${p}=${bytes}`, { validate: !path.startsWith(V2) });
        if (r.status >= 500) wrong.push(`${cl.name} ${path}?${p}=${bytes}: ${r.status}`);
        else if (r.status === 200 && (Array.isArray(r.json) ? r.json.length : r.json?.total) > 0 && ['q', 'code', 'service_code', 'entity'].includes(p)) wrong.push(`${cl.name} ${path}?${p}=${bytes}: found rows`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('huge JSON nesting, huge numbers, duplicate keys: 400/413/422, never 500; the server keeps serving', async () => {
  const c = await demo.as('citizen');
  const admin = await demo.as('admin');
  const coord = await demo.as('coordinator');
  const n0 = (await dbState()).appeals;
  const good = (extra) => `{"topic_id":${ids.heating},"territory_id":${ids.kaluga},"text":"Холодно"${extra}}`;
  const cases = [
    // nesting: within the body limit of each route
    ['appeals: 8000 × [', () => postRaw(c, '/api/appeals', '['.repeat(8000)), [400, 413]],
    ['appeals: nested in a field', () => postRaw(c, '/api/appeals', good(`,"x":${'['.repeat(5000)}${']'.repeat(5000)}`)), [400, 413]],
    ['split: 60000 × {"a":', () => postRaw(coord, '/api/problems/1/split', '{"a":'.repeat(12000)), [400, 413]],
    ['polygon: 100000 × [', () => admin.request('PUT', `/api/territories/${ids.kaluga}/polygon`, { body: '['.repeat(100000), contentType: 'application/json' }), [400, 413, 422]],
    ['polygon: 100000 × [ closed', () => admin.request('PUT', `/api/territories/${ids.kaluga}/polygon`, { body: '['.repeat(100000) + ']'.repeat(100000), contentType: 'application/json' }), [400, 413, 422]],
    // numbers
    ['topic_id 1e400', () => postRaw(c, '/api/appeals', good(',"lat":1e400')), [400, 422]],
    ['topic_id 2^64', () => postRaw(c, '/api/appeals', `{"topic_id":18446744073709551616,"territory_id":${ids.kaluga},"text":"Холодно"}`), [400, 422]],
    ['topic_id 2^63-1', () => postRaw(c, '/api/appeals', `{"topic_id":9223372036854775807,"territory_id":${ids.kaluga},"text":"Холодно"}`), [422]],
    ['topic_id -2^63', () => postRaw(c, '/api/appeals', `{"topic_id":-9223372036854775808,"territory_id":${ids.kaluga},"text":"Холодно"}`), [422]],
    ['topic_id 1.5', () => postRaw(c, '/api/appeals', `{"topic_id":1.5,"territory_id":${ids.kaluga},"text":"Холодно"}`), [400, 422]],
    ['lat 1e308', () => postRaw(c, '/api/appeals', good(',"lat":1e308,"lon":1e308')), [422]],
    ['lat -0.0 lon NaN', () => postRaw(c, '/api/appeals', good(',"lat":-0.0,"lon":NaN')), [400]],
    ['200-digit number', () => postRaw(c, '/api/appeals', good(`,"lat":${'9'.repeat(200)}`)), [400, 422]],
    ['extend days 2^63', () => postRaw(c, `/api/appeals/${v.appealA.id}/extend`, '{"days":9223372036854775807,"reason":"x"}'), [403, 404, 422]],
    ['rating score 1e10', () => postRaw(c, `/api/appeals/${v.appealA.id}/rating`, '{"score":10000000000,"solved":true}'), [409, 422]],
    // duplicate keys
    ['duplicate text', () => postRaw(c, '/api/appeals', `{"topic_id":${ids.heating},"territory_id":${ids.kaluga},"text":"Раз","text":"Два"}`), [400]],
    ['duplicate topic_id', () => postRaw(c, '/api/appeals', `{"topic_id":${ids.heating},"topic_id":${ids.appointment},"territory_id":${ids.kaluga},"text":"Раз"}`), [400]],
    ['duplicate person.name', () => postRaw(c, '/api/appeals', good(',"person":{"name":"a","name":"b"}')), [400, 403, 422]],
    ['duplicate login', () => demo.fresh().request('POST', '/api/auth/login', { body: '{"login":"nobody","login":"admin","password":"otklik-demo"}', contentType: 'application/json' }), [400]],
    // not JSON at all
    ['empty body', () => postRaw(c, '/api/appeals', ''), [400]],
    ['JSON with BOM', () => postRaw(c, '/api/appeals', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good(''))])), [400, 201]],
    ['trailing garbage', () => postRaw(c, '/api/appeals', `${good('')}{}`), [400]],
    ['a string', () => postRaw(c, '/api/appeals', '"text"'), [400]],
    ['null', () => postRaw(c, '/api/appeals', 'null'), [400]],
  ];
  const wrong = [];
  let created = 0;
  for (const [label, call, statuses] of cases) {
    const r = await call();
    if (r.status === 201) created++;
    if (!statuses.includes(r.status)) wrong.push(`${label}: ${r.status} (want ${statuses.join('/')}) ${r.text.slice(0, 150)}`);
    else if (r.status >= 400 && !r.json?.error?.code) wrong.push(`${label}: no error shape`);
  }
  assert.deepEqual(wrong, []);
  assert.equal((await dbState()).appeals, n0 + created);
  // The one logged in as admin through a duplicate key would show here.
  assert.equal((await demo.anon().get('/healthz')).status, 200);
});

test('wrong content types on JSON endpoints are 415 and store nothing', async () => {
  const c = await demo.as('citizen');
  const n0 = (await dbState()).appeals;
  const body = JSON.stringify({ topic_id: ids.heating, territory_id: ids.kaluga, text: 'Тип содержимого' });
  const wrong = [];
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html', 'application/xml', 'application/javascript', '']) {
    const r = await c.request('POST', '/api/appeals', { body, headers: type ? { 'content-type': type } : {} });
    if (r.status !== 415 && r.status !== 400) wrong.push(`${type || '(none)'}: ${r.status}`);
  }
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
    const r = await c.request('POST', '/api/appeals', { body, headers: { 'content-type': type } });
    if (r.status !== 201) wrong.push(`${type}: ${r.status} ${r.text.slice(0, 100)}`);
  }
  assert.deepEqual(wrong, []);
  assert.equal((await dbState()).appeals, n0 + 3);
  // a cross-site form can send only such types: with a cookie and no CSRF token it is refused first
  const form = await c.request('POST', '/api/appeals', { body: 'text=x', contentType: 'application/x-www-form-urlencoded', csrf: false });
  assert.equal(form.status, 403);
});

test('a media type that merely starts with application/json is not JSON', async () => {
  const c = await demo.as('citizen');
  const body = JSON.stringify({ topic_id: ids.heating, territory_id: ids.kaluga, text: 'Похожий тип содержимого' });
  const wrong = [];
  for (const type of ['application/jsonp', 'application/json-seq', 'application/jsonx; charset=utf-8']) {
    const r = await c.request('POST', '/api/appeals', { body, headers: { 'content-type': type } });
    if (r.status !== 415) wrong.push(`${type}: ${r.status}`);
  }
  assert.deepEqual(wrong, []);
});

// ---------------------------------------------------------------------------------------------
// Oversized and slow requests

test('oversized headers, URLs and bodies: 413/414/431 or a closed connection; the server keeps serving', async () => {
  const wrong = [];
  const alive = async (tag) => {
    const h = await demo.fresh().get('/healthz');
    if (h.status !== 200) wrong.push(`after ${tag}: healthz ${h.status}`);
  };
  // one header of 100 KB (the connection memory limit is 64 KB)
  let x = await rawExchange([`GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(100000)}\r\n\r\n`]);
  if (!(/^HTTP\/1\.1 (413|431|400)/.test(x.data) || (x.closed && !x.data))) wrong.push(`100 KB header: ${x.data.slice(0, 40)} closed=${x.closed}`);
  await alive('100 KB header');
  // 3000 small headers
  x = await rawExchange([`GET /healthz HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`]);
  if (!(/^HTTP\/1\.1 (413|431|400)/.test(x.data) || (x.closed && !x.data))) wrong.push(`3000 headers: ${x.data.slice(0, 40)}`);
  await alive('3000 headers');
  // a cookie of 100 KB
  x = await rawExchange([`GET /api/me HTTP/1.1\r\nHost: a\r\nCookie: otklik_session=${'b'.repeat(100000)}\r\n\r\n`]);
  if (!(/^HTTP\/1\.1 (413|431|400)/.test(x.data) || (x.closed && !x.data))) wrong.push(`100 KB cookie: ${x.data.slice(0, 40)}`);
  // a URL of 100 KB
  x = await rawExchange([`GET /api/territories?q=${'c'.repeat(100000)} HTTP/1.1\r\nHost: a\r\n\r\n`]);
  if (!(/^HTTP\/1\.1 (413|414|431|400)/.test(x.data) || (x.closed && !x.data))) wrong.push(`100 KB URL: ${x.data.slice(0, 40)}`);
  await alive('100 KB URL');
  // bodies over the route limit: declared, and chunked without a length
  const c = await demo.as('citizen');
  const big = JSON.stringify({ topic_id: ids.heating, territory_id: ids.kaluga, text: 'я'.repeat(20000) });
  assertError(await postRaw(c, '/api/appeals', big), 413, 'payload_too_large');
  const chunked = await rawRequest(S.base, 'POST', '/api/appeals', {
    headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', cookie: `otklik_session=${c.session}`, 'x-csrf-token': c.csrf },
    body: big,
  });
  assert.equal(chunked.status, 413, `chunked body over the limit: ${chunked.status} ${chunked.text.slice(0, 100)}`);
  // a body where the route takes none
  const gb = await rawRequest(S.base, 'GET', '/api/territories', { headers: { 'content-type': 'application/json', 'content-length': 5000 }, body: 'x'.repeat(5000) });
  assert.ok([400, 413].includes(gb.status), `GET with a body: ${gb.status}`);
  // a login body over 4 KB
  const lb = await demo.fresh().request('POST', '/api/auth/login', { body: JSON.stringify({ login: 'a'.repeat(5000), password: 'x' }), contentType: 'application/json' });
  assert.equal(lb.status, 413);
  await alive('bodies');
  assert.deepEqual(wrong, []);
});

test(`an idle half-sent request is closed after the connection timeout (${CONN_TIMEOUT_S} s) while others are served`, async () => {
  // others are served while the slow ones hang (the rest of this file ran meanwhile, too)
  assert.equal((await demo.fresh().get('/healthz')).status, 200);
  const r = await slowIdle;
  assert.ok(r.closed, `the server kept an idle half-sent request open for ${Math.round(r.after / 1000)} s`);
});

test('slowloris: a request whose headers trickle in one byte a second is closed too',
  async () => {
    const r = await slowTrickle;
    assert.ok(r.closed, `the server kept a trickling request open for ${Math.round(r.after / 1000)} s`);
  });

test('one address holding every connection slot does not lock everyone else out',
  async () => {
    const socks = [];
    try {
      let opened = 0;
      await new Promise((res) => {
        for (let i = 0; i < CONN_LIMIT + 100; i++) {
          const s = net.connect({ port: S.port, host: '127.0.0.1', localAddress: '127.9.9.9' });
          s.on('error', () => {});
          s.on('connect', () => { s.write('GET /healthz HTTP/1.1\r\n'); if (++opened === CONN_LIMIT + 100) res(); });
          socks.push(s);
        }
        setTimeout(res, 5000);
      });
      const other = await rawRequest(S.base, 'GET', '/healthz', { localAddress: '127.9.9.10', timeout: 5000 }).catch((e) => ({ status: e.message }));
      assert.equal(other.status, 200, 'another address is served while one address holds many connections');
    } finally {
      for (const s of socks) s.destroy();
    }
    // the server recovers once they are gone
    const deadline = Date.now() + 10000;
    for (;;) {
      const h = await rawRequest(S.base, 'GET', '/healthz', { timeout: 2000 }).catch(() => null);
      if (h?.status === 200) break;
      assert.ok(Date.now() < deadline, 'the server did not recover after the connections closed');
    }
  });

// ---------------------------------------------------------------------------------------------
// Security headers

test('strict security headers on HTML, API, error and static responses', async () => {
  const c = await demo.as('citizen');
  const responses = {
    'index.html': await c.get('/', { validate: false }),
    'static js': await c.get('/static/app.js', { validate: false }),
    'API JSON': await c.get('/api/me'),
    'API 404': await c.get('/api/appeals/2147483000'),
    'unknown path': await c.get('/no/such/page', { validate: false }),
    '401': await demo.fresh().get('/api/me'),
    '413': await postRaw(c, '/api/appeals', JSON.stringify({ text: 'я'.repeat(20000) })),
    'Open311 XML': await demo.anon().get(`${V2}/services.xml`, { validate: false }),
    attachment: await c.get(`/api/attachments/${v.attA.id}`, { validate: false }),
  };
  const wrong = [];
  for (const [name, r] of Object.entries(responses)) {
    const csp = r.headers['content-security-policy'] || '';
    const dir = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...vs]) => [k, vs]));
    const script = dir['script-src'] || dir['default-src'] || [];
    if (!script.length) wrong.push(`${name}: no script-src/default-src in "${csp}"`);
    if (script.some((s) => /unsafe-inline|unsafe-eval|^\*$|^https?:$|^data:$/.test(s))) wrong.push(`${name}: weak script-src ${script.join(' ')}`);
    if (!(dir['frame-ancestors'] || []).includes("'none'") && r.headers['x-frame-options'] !== 'DENY') wrong.push(`${name}: can be framed`);
    if (r.headers['x-frame-options'] !== 'DENY') wrong.push(`${name}: X-Frame-Options ${r.headers['x-frame-options']}`);
    if (!(dir['object-src'] || dir['default-src'] || []).every((s) => s === "'self'" || s === "'none'")) wrong.push(`${name}: object-src`);
    if (!(dir['base-uri'] || []).length) wrong.push(`${name}: no base-uri`);
    if (r.headers['x-content-type-options'] !== 'nosniff') wrong.push(`${name}: X-Content-Type-Options ${r.headers['x-content-type-options']}`);
    if (!r.headers['content-type']) wrong.push(`${name}: no Content-Type`);
  }
  assert.deepEqual(wrong, []);
  // the HTML has no inline script for the policy to have to allow
  const html = responses['index.html'].text;
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'an inline <script> in index.html');
  assert.ok(!/\son[a-z]+\s*=/i.test(html), 'an inline event handler in index.html');
  // a download is never rendered in place
  assert.match(responses.attachment.headers['content-disposition'] || '', /^attachment/);
});
