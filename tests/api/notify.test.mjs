// Notifications (docs/notify.md): appeal events reach authors, co-authors and staff in-app and by
// e-mail (a real SMTP receiver), unread counts and marking read, the e-mail mode (instant, digest,
// off), the daily digest, and every message exactly once.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { Client, assertError } from './lib/client.mjs';
import { startSmtp } from '../support/smtp-receiver.mjs';

let S;
let demo;
let smtp;
const ids = {};
const MAIL = {
  citizen: 'citizen.notify@example.org',
  citizen2: 'citizen2.notify@example.org',
  executor: 'executor.notify@example.org',
  coordinator: 'coordinator.notify@example.org',
};

before(async () => {
  smtp = await startSmtp();
  S = await bootServer({
    env: {
      OTKLIK_SMTP_URL: smtp.url,
      OTKLIK_SMTP_FROM: 'otklik@example.org',
      OTKLIK_WEBHOOK_ALLOW_PRIVATE: '1',
      OTKLIK_NOTIFY_INTERVAL_MS: '100',
      OTKLIK_WEBHOOK_BACKOFF_MS: '50',
      OTKLIK_DIGEST_INTERVAL_MS: '2000',
    },
  });
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
  for (const [login, email] of Object.entries(MAIL)) {
    const r = await (await demo.as(login)).patch('/api/me', { email });
    assert.equal(r.status, 200, `${login}: ${r.text}`);
  }
});
after(async () => {
  await S?.close();
  await smtp?.close();
});

const TEXT = 'Во дворе дома 5 по улице Ленина третий день не работает уличное освещение.';

async function submit(who = 'citizen') {
  const r = await (await demo.as(who)).post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text: TEXT });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return r.json;
}
async function act(who, id, action, body = {}) {
  const r = await (await demo.as(who)).post(`/api/appeals/${id}/${action}`, body);
  assert.ok(r.status === 200 || r.status === 201, `${who} ${action} #${id}: ${r.status} ${r.text}`);
  return r.json;
}
async function list(who, query = '') {
  const r = await (await demo.as(who)).get(`/api/notifications${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
/** Poll who's notifications until pred(items) holds (5 s). */
async function waitNotes(who, pred) {
  const until = Date.now() + 5000;
  for (;;) {
    const j = await list(who, '?limit=100');
    if (pred(j.items)) return j;
    if (Date.now() > until) assert.fail(`${who}: notifications never matched: ${JSON.stringify(j.items.slice(0, 5))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const mailsFor = (to, appealId) => smtp.messages.filter((m) => m.to.includes(to) && (appealId === undefined || m.headers.subject.includes(`№${appealId}`)));

describe('a status change', () => {
  test('reaches the author by e-mail (Russian subject, the status in the body) and in-app', async () => {
    const a = await submit();
    const before = (await list('citizen')).unread;
    await act('executor', a.id, 'start');
    const [m] = await smtp.waitFor(() => {
      const x = mailsFor(MAIL.citizen, a.id).filter((y) => y.headers.subject.includes('В работе'));
      return x.length ? x : null;
    });
    assert.deepEqual(m.to, [MAIL.citizen]);
    assert.equal(m.headers.to, MAIL.citizen);
    assert.equal(m.headers.subject, `Обращение №${a.id}: «В работе»`);
    assert.match(m.headers['content-type'], /text\/plain; charset=utf-8/i);
    assert.match(m.body, /«Направлено в ведомство» → «В работе»/);
    assert.match(m.headers['message-id'], /^<otklik-delivery-\d+@example\.org>$/);
    assert.ok(m.headers.date, 'a Date header');

    const j = await waitNotes('citizen', (items) => items.some((n) => n.appeal_id === a.id && n.kind === 'start'));
    const n = j.items.find((x) => x.appeal_id === a.id && x.kind === 'start');
    assert.equal(n.read, false);
    assert.equal(n.title, `Обращение №${a.id}: «В работе»`);
    assert.match(n.body, /В работе/);
    assert.ok(j.unread > before, 'the unread count went up');
    // the author's own submission is not announced back to them
    assert.ok(!j.items.some((x) => x.appeal_id === a.id && x.kind === 'submitted'));
  });

  test('marking read lowers the unread count; others cannot mark my notifications', async () => {
    const a = await submit();
    await act('executor', a.id, 'start');
    const j = await waitNotes('citizen', (items) => items.some((n) => n.appeal_id === a.id && !n.read));
    const mine = j.items.find((n) => n.appeal_id === a.id && !n.read);
    // someone else's id is silently ignored
    const other = await (await demo.as('citizen2')).post('/api/notifications/read', { ids: [mine.id] });
    assert.equal(other.status, 200, other.text);
    assert.equal((await list('citizen')).unread, j.unread, 'citizen2 changed the citizen\'s unread count');

    const r = await (await demo.as('citizen')).post('/api/notifications/read', { ids: [mine.id] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.unread, j.unread - 1);
    const after = await list('citizen', '?limit=100');
    assert.equal(after.items.find((n) => n.id === mine.id).read, true);
    const unreadOnly = await list('citizen', '?unread=1&limit=100');
    assert.ok(!unreadOnly.items.some((n) => n.id === mine.id), 'unread=1 hides read ones');
    assert.equal(unreadOnly.total, unreadOnly.unread);

    const all = await (await demo.as('citizen')).post('/api/notifications/read', { all: true });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.unread, 0);
    assert.equal((await list('citizen')).unread, 0);
  });

  test('bad requests to mark read are refused and change nothing', async () => {
    const c = await demo.as('citizen');
    assertError(await c.post('/api/notifications/read', {}), 422, 'validation_failed', 'ids');
    assertError(await c.post('/api/notifications/read', { ids: [] }), 422, 'validation_failed', 'ids');
    assertError(await c.post('/api/notifications/read', { ids: ['x'] }), 422, 'validation_failed', 'ids');
    assertError(await c.post('/api/notifications/read', { ids: [0] }), 422, 'validation_failed', 'ids');
    assertError(await c.post('/api/notifications/read', { ids: [1], nonsense: 1 }), 400);
    assertError(await c.get('/api/notifications?unread=2'), 400, 'invalid_input', 'unread');
    assertError(await c.get('/api/notifications?limit=0'), 400, 'invalid_input', 'limit');
  });

  test('a co-author who joined gets it too', async () => {
    const a = await submit();
    await act('citizen2', a.id, 'join');
    await act('executor', a.id, 'start');
    await smtp.waitFor(() => mailsFor(MAIL.citizen2, a.id).length && mailsFor(MAIL.citizen, a.id).length);
    await waitNotes('citizen2', (items) => items.some((n) => n.appeal_id === a.id && n.kind === 'start'));
  });
});

describe('staff', () => {
  test('executors of the organisation hear of a routed appeal (in-app and e-mail)', async () => {
    const a = await submit();
    assert.equal(a.status, 'routed');
    const j = await waitNotes('executor', (items) => items.some((n) => n.appeal_id === a.id));
    const n = j.items.find((x) => x.appeal_id === a.id);
    assert.equal(n.kind, 'submitted');
    assert.match(n.body, /Направлено в ведомство/);
    await smtp.waitFor(() => mailsFor(MAIL.executor, a.id).length);
    // an executor of another organisation hears nothing
    assert.ok(!(await list('executor2', '?limit=100')).items.some((x) => x.appeal_id === a.id));
  });

  test('a new executor hears of the very next appeal, and of none after the grant is taken back', async () => {
    // the executors of a body are kept in memory while no grant changes: every change must
    // reach the next submission
    const admin = await demo.as('admin');
    const first = await submit();
    const login = uniq('newexec').replace(/-/g, '_');
    const password = 'new-executor-password-1';
    const reg = await demo.fresh().post('/api/auth/register', { login, password, name: 'Новый исполнитель' }, { store: false });
    assert.equal(reg.status, 201, reg.text);
    const g = await admin.post(`/api/users/${reg.json.user.id}/roles`, { role: 'executor', org_id: first.org_id });
    assert.equal(g.status, 201, g.text);
    const me = new Client(S.base, { name: login });
    await me.login(login, password);
    const mine = async () => {
      const r = await me.get('/api/notifications?limit=100');
      assert.equal(r.status, 200, r.text);
      return r.json.items;
    };
    const second = await submit();
    assert.equal(second.org_id, first.org_id);
    const until = Date.now() + 5000;
    while (!(await mine()).some((n) => n.appeal_id === second.id)) {
      assert.ok(Date.now() < until, 'the new executor never heard of the appeal');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(!(await mine()).some((n) => n.appeal_id === first.id), 'not of the one before the grant');
    const del = await admin.delete(`/api/users/${reg.json.user.id}/roles/${g.json.id}`);
    assert.ok(del.status === 200 || del.status === 204, del.text);
    const third = await submit();
    await waitNotes('executor', (items) => items.some((n) => n.appeal_id === third.id));
    assert.ok(!(await mine()).some((n) => n.appeal_id === third.id), 'the grant taken back: nothing');
  });
});

describe('settings and digests', () => {
  test('settings: default instant, bad values refused, off stops e-mail but not in-app', async () => {
    const c = await demo.as('citizen2');
    let r = await c.get('/api/notifications/settings');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.email, 'instant');
    assert.equal(r.json.address, MAIL.citizen2);
    assert.equal(r.json.smtp, true);
    assertError(await c.put('/api/notifications/settings', { email: 'sometimes' }), 422, 'validation_failed', 'email');
    assertError(await c.put('/api/notifications/settings', {}), 400);
    assert.equal((await c.get('/api/notifications/settings')).json.email, 'instant', 'a refused PUT changed the mode');

    r = await c.put('/api/notifications/settings', { email: 'off' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.email, 'off');
    const a = await submit('citizen2');
    await act('executor', a.id, 'start');
    await waitNotes('citizen2', (items) => items.some((n) => n.appeal_id === a.id && n.kind === 'start'));
    // the author's mail for the same change would already be out: wait for the executor's mail of a later appeal
    const b = await submit('citizen');
    await act('executor', b.id, 'start');
    await smtp.waitFor(() => mailsFor(MAIL.citizen, b.id).some((m) => m.headers.subject.includes('В работе')));
    assert.equal(mailsFor(MAIL.citizen2, a.id).length, 0, 'mode off still sent e-mail');
    r = await c.put('/api/notifications/settings', { email: 'instant' });
    assert.equal(r.json.email, 'instant');
  });

  test('a digest user gets no instant e-mail, then one digest listing the notifications', async () => {
    const c = await demo.as('citizen2');
    const r = await c.put('/api/notifications/settings', { email: 'digest' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.email, 'digest');
    const a = await submit('citizen2');
    await act('executor', a.id, 'start');
    await waitNotes('citizen2', (items) => items.some((n) => n.appeal_id === a.id && n.kind === 'start'));
    const [d] = await smtp.waitFor(() => {
      const x = smtp.messages.filter((m) => m.to.includes(MAIL.citizen2) && /сводка/.test(m.headers.subject));
      return x.length ? x : null;
    }, 10000);
    assert.match(d.body, new RegExp(`Обращение №${a.id}: «В работе»`));
    assert.equal(mailsFor(MAIL.citizen2, a.id).filter((m) => !/сводка/.test(m.headers.subject)).length, 0, 'a digest user got an instant e-mail');
    // nothing new since: no second digest in the next periods
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(smtp.messages.filter((m) => m.to.includes(MAIL.citizen2) && /сводка/.test(m.headers.subject)).length, 1, 'more than one digest');
    await c.put('/api/notifications/settings', { email: 'instant' });
  });
});

test('each e-mail goes out once', async () => {
  const a = await submit();
  await act('executor', a.id, 'start');
  await act('executor', a.id, 'answers', { kind: 'interim', text: 'Передали в управляющую компанию.' });
  await smtp.waitFor(() => mailsFor(MAIL.citizen, a.id).length >= 2);
  await new Promise((res) => setTimeout(res, 500)); // a duplicate would come within a few polls
  const idsSeen = smtp.messages.map((m) => m.headers['message-id']);
  assert.equal(new Set(idsSeen).size, idsSeen.length, 'a message was delivered twice');
  assert.equal(mailsFor(MAIL.citizen, a.id).length, 2, 'one e-mail per event for the author');
});

test('accounts only: API keys and anonymous callers get no notifications', async () => {
  assertError(await demo.fresh().get('/api/notifications'), 401);
});
