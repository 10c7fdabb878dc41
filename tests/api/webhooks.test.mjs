// Webhooks (docs/notify.md): management by admins and supervisors (scope, validation, the secret
// shown once), signed deliveries to a real HTTP receiver, retries with backoff and the delivery
// log, giving up after the maximum attempts, and every delivery exactly once.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';
import { assertError } from './lib/client.mjs';
import { startWebhookReceiver } from '../support/webhook-receiver.mjs';

let S;
let demo;
const ids = {};
const receivers = [];

before(async () => {
  S = await bootServer({
    env: {
      OTKLIK_WEBHOOK_ALLOW_PRIVATE: '1',
      OTKLIK_NOTIFY_INTERVAL_MS: '100',
      OTKLIK_WEBHOOK_BACKOFF_MS: '50',
      OTKLIK_DELIVERY_MAX_ATTEMPTS: '4',
    },
  });
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.doctor = await demo.id('topics', 'health-appointment');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
  ids.gov = await demo.id('orgs', 'klu-gov');
  ids.kalugaAdm = await demo.id('orgs', 'klu-kaluga-adm');
});
after(async () => {
  await S?.close();
  for (const r of receivers) await r.close();
});

async function receiver(opts) {
  const r = await startWebhookReceiver(opts);
  receivers.push(r);
  return r;
}
async function createHook(who, body) {
  const r = await (await demo.as(who)).post('/api/webhooks', body);
  assert.equal(r.status, 201, `create webhook: ${r.text}`);
  return r.json;
}
async function submit(topic_id = ids.heating) {
  const r = await (await demo.as('citizen')).post('/api/appeals', {
    topic_id, territory_id: ids.kaluga, text: 'Во дворе дома 5 по улице Ленина не работает освещение, темно и опасно.',
  });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return r.json;
}
async function deliveries(who, hookId) {
  const r = await (await demo.as(who)).get(`/api/webhooks/${hookId}/deliveries?limit=100`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function waitDeliveries(hookId, pred, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    const j = await deliveries('admin', hookId);
    if (pred(j.items)) return j;
    if (Date.now() > until) assert.fail(`deliveries never matched: ${JSON.stringify(j.items).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
function verify(req, secret) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(req.headers['x-otklik-signature'] || '');
  assert.ok(m, `signature header: ${req.headers['x-otklik-signature']}`);
  const mac = createHmac('sha256', secret).update(`${m[1]}.${req.body}`).digest('hex');
  return mac === m[2];
}

describe('management', () => {
  test('admin creates a webhook: the secret once, never again; list, patch, delete', async () => {
    const w = await createHook('admin', { url: 'http://127.0.0.1:9/a', description: 'CRM ведомства', org_id: ids.minstroy });
    assert.match(w.secret, /^[0-9a-f]{64}$/);
    assert.equal(w.org_id, ids.minstroy);
    assert.equal(w.active, true);
    const admin = await demo.as('admin');
    let r = await admin.get(`/api/webhooks/${w.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.secret, undefined, 'GET shows the secret');
    assert.equal(r.json.description, 'CRM ведомства');
    r = await admin.get('/api/webhooks?limit=100');
    assert.ok(r.json.items.some((x) => x.id === w.id));
    assert.ok(r.json.items.every((x) => x.secret === undefined));
    r = await admin.patch(`/api/webhooks/${w.id}`, { active: false, description: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.active, false);
    assert.equal(r.json.description, null);
    r = await admin.delete(`/api/webhooks/${w.id}`);
    assert.equal(r.status, 204, r.text);
    assertError(await admin.get(`/api/webhooks/${w.id}`), 404, 'not_found');
    assertError(await admin.get(`/api/webhooks/${w.id}/deliveries`), 404, 'not_found');
    assertError(await admin.delete(`/api/webhooks/${w.id}`), 404, 'not_found');
  });

  test('bad input is refused with the field and stores nothing', async () => {
    const admin = await demo.as('admin');
    const before = (await admin.get('/api/webhooks?limit=100')).json.total;
    assertError(await admin.post('/api/webhooks', { url: 'ftp://example.org/x' }), 422, 'validation_failed', 'url');
    assertError(await admin.post('/api/webhooks', { url: 'не адрес' }), 422, 'validation_failed', 'url');
    assertError(await admin.post('/api/webhooks', { url: '' }), 422, 'validation_failed', 'url');
    assertError(await admin.post('/api/webhooks', { url: 'https://example.org/x', org_id: 999999 }), 422, 'validation_failed', 'org_id');
    assertError(await admin.post('/api/webhooks', { url: 'https://example.org/x', description: 'x'.repeat(501) }), 422, 'validation_failed', 'description');
    assertError(await admin.post('/api/webhooks', { url: 'https://example.org/x', secret: 'mine' }), 400);
    assertError(await admin.post('/api/webhooks', {}), 400);
    assert.equal((await admin.get('/api/webhooks?limit=100')).json.total, before, 'a refused create stored a webhook');
    const w = await createHook('admin', { url: 'http://127.0.0.1:9/b', org_id: ids.minstroy });
    assertError(await admin.patch(`/api/webhooks/${w.id}`, { url: 'gopher://x' }), 422, 'validation_failed', 'url');
    assertError(await admin.patch(`/api/webhooks/${w.id}`, { org_id: ids.gov }), 400);
    assert.equal((await admin.get(`/api/webhooks/${w.id}`)).json.url, 'http://127.0.0.1:9/b');
  });

  test('a supervisor manages webhooks of its organisations only', async () => {
    const sup = await demo.as('supervisor');
    const own = await createHook('supervisor', { url: 'http://127.0.0.1:9/sup', org_id: ids.minstroy });
    const global = await createHook('admin', { url: 'http://127.0.0.1:9/global' });
    const other = await createHook('admin', { url: 'http://127.0.0.1:9/other', org_id: ids.kalugaAdm });
    assertError(await sup.post('/api/webhooks', { url: 'http://127.0.0.1:9/x', org_id: ids.kalugaAdm }), 403, 'forbidden');
    assertError(await sup.post('/api/webhooks', { url: 'http://127.0.0.1:9/x' }), 422, 'validation_failed', 'org_id');
    const list = (await sup.get('/api/webhooks?limit=100')).json;
    assert.ok(list.items.some((x) => x.id === own.id));
    assert.ok(!list.items.some((x) => x.id === global.id || x.id === other.id), 'the supervisor sees webhooks outside its scope');
    for (const id of [global.id, other.id]) {
      assertError(await sup.get(`/api/webhooks/${id}`), 404, 'not_found');
      assertError(await sup.patch(`/api/webhooks/${id}`, { active: false }), 404, 'not_found');
      assertError(await sup.delete(`/api/webhooks/${id}`), 404, 'not_found');
      assertError(await sup.get(`/api/webhooks/${id}/deliveries`), 404, 'not_found');
    }
    assert.equal((await (await demo.as('admin')).get(`/api/webhooks/${other.id}`)).json.active, true);
    assert.equal((await sup.patch(`/api/webhooks/${own.id}`, { description: 'наш' })).status, 200);
    for (const w of [own, global, other]) await (await demo.as('admin')).delete(`/api/webhooks/${w.id}`);
  });
});

describe('delivery', () => {
  test('signed calls: the signature verifies with the secret; headers name the event and delivery', async () => {
    const rx = await receiver();
    const w = await createHook('admin', { url: rx.url('/signed'), org_id: ids.minstroy });
    const a = await submit();
    const [req] = await rx.waitFor((reqs) => reqs.length >= 1 && reqs);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/signed');
    assert.match(req.headers['content-type'], /^application\/json/);
    assert.equal(req.headers['x-otklik-event'], 'submitted');
    assert.match(req.headers['x-otklik-delivery'], /^\d+$/);
    assert.ok(verify(req, w.secret), 'the signature does not verify with the secret');
    assert.ok(!verify(req, 'f'.repeat(64)), 'any secret verifies');
    const body = JSON.parse(req.body);
    assert.equal(body.event.kind, 'submitted');
    assert.equal(body.event.status_to, 'routed');
    assert.equal(body.appeal.id, a.id);
    assert.equal(body.appeal.org_id, ids.minstroy);
    const log = await waitDeliveries(w.id, (items) => items.length === 1 && items[0].state === 'sent');
    assert.equal(String(log.items[0].id), req.headers['x-otklik-delivery']);
    assert.equal(log.items[0].attempts.length, 1);
    assert.equal(log.items[0].attempts[0].status, 200);
    await (await demo.as('admin')).delete(`/api/webhooks/${w.id}`);
  });

  test('a receiver failing twice gets it on the 3rd attempt; the log shows 3 attempts', async () => {
    const rx = await receiver({ failFirst: 2 });
    const w = await createHook('admin', { url: rx.url('/flaky'), org_id: ids.minstroy });
    await submit();
    const log = await waitDeliveries(w.id, (items) => items.length === 1 && items[0].state === 'sent');
    const d = log.items[0];
    assert.deepEqual(d.attempts.map((x) => x.status), [200, 500, 500], 'attempts newest first');
    assert.equal(d.next_at, null);
    assert.ok(d.sent_at);
    assert.equal(rx.requests.length, 3);
    assert.equal(new Set(rx.requests.map((x) => x.headers['x-otklik-delivery'])).size, 1, 'the delivery id is stable across retries');
    assert.equal(new Set(rx.requests.map((x) => x.body)).size, 1, 'the body is stable across retries');
    await (await demo.as('admin')).delete(`/api/webhooks/${w.id}`);
  });

  test('a dead receiver: the delivery is given up after the maximum attempts', async () => {
    const rx = await receiver({ status: 500 });
    const w = await createHook('admin', { url: rx.url('/dead'), org_id: ids.minstroy });
    await submit();
    const log = await waitDeliveries(w.id, (items) => items.length === 1 && items[0].state === 'dead');
    assert.equal(log.items[0].attempts.length, 4);
    assert.match(log.items[0].last_error, /500/);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(rx.requests.length, 4, 'no more calls after giving up');
    await (await demo.as('admin')).delete(`/api/webhooks/${w.id}`);
  });

  test('scope: an org webhook hears its org (and the orgs below), not others; each event once', async () => {
    const rxGov = await receiver();
    const rxZdrav = await receiver();
    const gov = await createHook('admin', { url: rxGov.url('/gov'), org_id: ids.gov });
    const zdrav = await createHook('admin', { url: rxZdrav.url('/zdrav'), org_id: ids.minzdrav });
    const a = await submit(); // → klu-minstroy, below klu-gov
    const ex = await demo.as('executor');
    let r = await ex.post(`/api/appeals/${a.id}/start`, {});
    assert.equal(r.status, 200, r.text);
    r = await ex.post(`/api/appeals/${a.id}/notes`, { text: 'Внутренняя заметка для коллег.' });
    assert.equal(r.status, 201, r.text);
    r = await ex.post(`/api/appeals/${a.id}/answers`, { kind: 'interim', text: 'Заявка передана подрядчику.' });
    assert.equal(r.status, 201, r.text);
    await rxGov.waitFor((reqs) => reqs.length >= 4);
    await new Promise((res) => setTimeout(res, 500)); // duplicates would arrive within a few polls
    const kinds = rxGov.requests.map((x) => JSON.parse(x.body).event.kind);
    assert.deepEqual(kinds.sort(), ['answer_interim', 'notes', 'start', 'submitted'].sort(), `events: ${kinds}`);
    const delivered = rxGov.requests.map((x) => x.headers['x-otklik-delivery']);
    assert.equal(new Set(delivered).size, delivered.length, 'a delivery arrived twice');
    const note = rxGov.requests.map((x) => JSON.parse(x.body)).find((b) => b.event.kind === 'notes');
    assert.equal(note.event.public, false);
    assert.equal(note.event.text, null, 'internal text leaked to a webhook');
    assert.equal(rxZdrav.requests.length, 0, 'another ministry heard of the appeal');
    for (const w of [gov, zdrav]) await (await demo.as('admin')).delete(`/api/webhooks/${w.id}`);
  });

  test('switched off, a webhook hears nothing of new appeals; switched on, it hears the next one', async () => {
    // the server keeps the list of webhooks while it stays the same: each change must be seen
    const rx = await receiver();
    const w = await createHook('admin', { url: rx.url('/toggle'), org_id: ids.minstroy });
    const admin = await demo.as('admin');
    const a = await submit();
    await rx.waitFor((reqs) => reqs.length >= 1);
    let r = await admin.patch(`/api/webhooks/${w.id}`, { active: false });
    assert.equal(r.status, 200, r.text);
    const b = await submit();
    r = await admin.patch(`/api/webhooks/${w.id}`, { active: true });
    assert.equal(r.status, 200, r.text);
    const c = await submit();
    await rx.waitFor((reqs) => reqs.length >= 2);
    await new Promise((res) => setTimeout(res, 400));
    const heard = rx.requests.map((x) => JSON.parse(x.body).appeal.id);
    assert.deepEqual(heard, [a.id, c.id], `appeals heard: ${heard} (switched off for ${b.id})`);
    await admin.delete(`/api/webhooks/${w.id}`);
  });

  test('a deleted webhook gets nothing more', async () => {
    const rx = await receiver();
    const w = await createHook('admin', { url: rx.url('/gone'), org_id: ids.minstroy });
    await (await demo.as('admin')).delete(`/api/webhooks/${w.id}`);
    await submit();
    await new Promise((res) => setTimeout(res, 400));
    assert.equal(rx.requests.length, 0);
  });
});
