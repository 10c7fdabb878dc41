// Personal data (docs/privacy.md): a citizen deletes their own account (password confirmation,
// CSRF), an administrator deletes an account; the personal data is gone from the whole database
// while the appeals stay as anonymous records; sessions end, the login fails and can be registered
// again; the audit log keeps one entry without personal data and stays append-only otherwise; the
// server's log never carries the personal data used here.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { bootServer } from './lib/server.mjs';
import { backend } from './lib/db.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';
import { startSmtp } from '../support/smtp-receiver.mjs';

let S;
let demo;
let smtp;
const ids = {};
const DELETED_NAME = 'Пользователь удалён';
const PASSWORD = 'privacy-password-1';
const TEXT = 'Во дворе дома 7 по улице Гагарина не вывозят мусор вторую неделю.';
/** Every personal value typed into the platform in this file: none may survive a deletion. */
const secrets = [];

before(async () => {
  smtp = await startSmtp();
  S = await bootServer({
    env: {
      OTKLIK_SMTP_URL: smtp.url,
      OTKLIK_SMTP_FROM: 'otklik@example.org',
      OTKLIK_NOTIFY_INTERVAL_MS: '100',
      OTKLIK_LOG_LEVEL: 'debug',
    },
  });
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.admin = await demo.userId('admin');
});
after(async () => {
  await S?.close();
  await smtp?.close();
});

/** A new citizen with a full profile; returns {c (logged-in client), id, login, name, email, phone}. */
async function person(tag) {
  const n = uniq(tag).replace(/-/g, '_');
  const p = {
    login: n,
    name: `Аполлинария Конфиденциальная ${n.slice(-6)}`,
    email: `${n}@privacy.example.org`,
    phone: `+7 912 ${String(Math.floor(Math.random() * 1e7)).padStart(7, '0').replace(/^(\d{3})(\d{2})(\d{2})$/, '$1-$2-$3')}`,
  };
  secrets.push(p.login, p.name, p.email, p.phone);
  const c = demo.fresh(n);
  const r = await c.post('/api/auth/register', { login: p.login, password: PASSWORD, name: p.name, email: p.email });
  assert.equal(r.status, 201, r.text);
  const up = await c.patch('/api/me', { phone: p.phone, birth_year: 1985, sex: 'f', home_territory_id: ids.kaluga });
  assert.equal(up.status, 200, up.text);
  return { ...p, c, id: r.json.user.id };
}

async function submit(c) {
  const r = await c.post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text: TEXT, address: 'ул. Гагарина, 7' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function act(who, id, action, body = {}) {
  const r = await (await demo.as(who)).post(`/api/appeals/${id}/${action}`, body);
  assert.ok(r.status === 200 || r.status === 201, `${who} ${action} #${id}: ${r.status} ${r.text}`);
  return r.json;
}

/** The whole database as text (SQL dump), to look for personal data anywhere in it. */
function dumpDb() {
  if (backend === 'sqlite') {
    const r = spawnSync('sqlite3', [S.db.slice('sqlite:'.length), '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  }
  const r = spawnSync(`${pgBin()}/pg_dump`, ['--data-only', '--dbname', S.db], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The PostgreSQL tools next to the server tests/pg/cluster.sh runs. */
function pgBin() {
  const v = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
  return `/usr/lib/postgresql/${v}/bin`;
}

/** One SQL statement straight on the database: {status, out, err}. */
function sql(q) {
  const r = backend === 'sqlite'
    ? spawnSync('sqlite3', ['-cmd', '.timeout 5000', S.db.slice('sqlite:'.length), q], { encoding: 'utf8' })
    : spawnSync(`${pgBin()}/psql`, ['-X', '-qtA', '-v', 'ON_ERROR_STOP=1', '-d', S.db, '-c', q], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

const found = (text, values) => values.filter((v) => text.includes(v));

describe('a citizen deletes their own account', () => {
  let p;
  let other;
  let ap1;
  let ap2;
  let viewBefore;

  before(async () => {
    p = await person('priv');
    ap1 = await submit(p.c);
    ap2 = await submit(p.c);
    // Staff work on one appeal: a timeline entry, an answer, an e-mail to the author.
    await act('executor', ap1.id, 'start');
    await act('executor', ap1.id, 'answers', { kind: 'interim', text: 'Вывоз мусора запланирован на завтра.' });
    await smtp.waitFor((m) => m.some((x) => x.to.includes(p.email)));
    const s = await (await demo.as('executor')).get(`/api/appeals/${ap1.id}`);
    assert.equal(s.json.author.name, p.name);
    viewBefore = s.json;
    const n = await p.c.get('/api/notifications');
    assert.ok(n.json.total > 0, 'the author has in-app notifications before the deletion');
    const d = await p.c.put('/api/notifications/settings', { email: 'digest' });
    assert.equal(d.status, 200, d.text);
    other = demo.fresh(p.login);
    await other.login(p.login, PASSWORD);
  });

  test('confirmation is required: no password, a wrong one, no CSRF token, anonymous — nothing changes', async () => {
    await assertErrors([
      ['no body', () => p.c.delete('/api/me'), 415, 'unsupported_media_type'],
      ['no password', () => p.c.delete('/api/me', { json: {} }), 422, 'validation_failed', 'password'],
      ['empty password', () => p.c.delete('/api/me', { json: { password: '' } }), 422, 'validation_failed', 'password'],
      ['wrong password', () => p.c.delete('/api/me', { json: { password: 'not-my-password' } }), 422, 'validation_failed', 'password'],
      ['password not a string', () => p.c.delete('/api/me', { json: { password: 12345678 } }), 400, 'invalid_input'],
      ['unknown field', () => p.c.delete('/api/me', { json: { password: PASSWORD, reason: 'x' } }), 400, 'invalid_input'],
      ['no CSRF token', () => p.c.delete('/api/me', { json: { password: PASSWORD }, csrf: false }), 403, 'csrf_failed'],
      ['anonymous', () => demo.fresh().delete('/api/me', { json: { password: PASSWORD } }), 401, 'unauthorized'],
    ]);
    const me = await p.c.get('/api/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.email, p.email, 'a refused deletion changed nothing');
    assert.equal((await other.get('/api/me')).status, 200);
  });

  test('deleting: 204, the cookie is cleared, every session ends, the login fails', async () => {
    const r = await p.c.delete('/api/me', { json: { password: PASSWORD } });
    assert.equal(r.status, 204, r.text);
    assert.ok(r.setCookies.some((l) => /^otklik_session=;/.test(l) && /Max-Age=0/i.test(l)), `cookie cleared: ${r.setCookies}`);
    assertError(await p.c.get('/api/me'), 401, 'unauthorized');
    assertError(await other.get('/api/me'), 401, 'unauthorized');
    const l = await demo.fresh().post('/api/auth/login', { login: p.login, password: PASSWORD });
    assertError(l, 401, 'invalid_credentials');
    // Its in-app inbox went with it (and later events add nothing: below).
    const n = sql(`SELECT COUNT(*) FROM notifications WHERE user_id = ${p.id}`);
    assert.equal(n.status, 0, n.err);
    assert.equal(n.out, '0', 'in-app notifications of the deleted account');
  });

  test('the appeals stay, anonymous: author «Пользователь удалён», text, timeline and answers kept', async () => {
    const ex = await demo.as('executor');
    const s = await ex.get(`/api/appeals/${ap1.id}`);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.author.name, DELETED_NAME);
    assert.equal(s.json.text, viewBefore.text);
    assert.equal(s.json.status, viewBefore.status);
    assert.deepEqual(s.json.timeline.map((e) => e.kind), viewBefore.timeline.map((e) => e.kind));
    assert.deepEqual(s.json.answers.map((a) => a.text), viewBefore.answers.map((a) => a.text));
    assert.equal(s.json.answers.length, 1);
    assert.equal((await ex.get(`/api/appeals/${ap2.id}`)).json.author.name, DELETED_NAME);
    const admin = await demo.as('admin');
    const all = await admin.get(`/api/appeals?queue=all&limit=100`);
    assert.ok([ap1.id, ap2.id].every((id) => all.json.items.some((a) => a.id === id)), 'both appeals are still listed');
    // The work goes on: staff can still act on the appeal of a deleted author…
    await act('executor', ap1.id, 'answers', { kind: 'final', text: 'Мусор вывезен.' });
    // …and nothing is queued for the deleted account any more.
    const n = sql(`SELECT COUNT(*) FROM notifications WHERE user_id = ${p.id}`);
    assert.equal(n.status, 0, n.err);
    assert.equal(n.out, '0', 'a later event notified the deleted account');
  });

  test('the account is a placeholder: no name, e-mail, phone; not found by search', async () => {
    const admin = await demo.as('admin');
    const u = await admin.get(`/api/users/${p.id}`);
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.user.login, `deleted:${p.id}`);
    assert.equal(u.json.user.name, DELETED_NAME);
    for (const k of ['email', 'phone', 'birth_year', 'sex', 'home_territory_id']) assert.equal(u.json.user[k], null, k);
    assert.equal(u.json.user.verified, false);
    assert.deepEqual(u.json.roles, []);
    for (const q of [p.email, p.login, 'Аполлинария']) {
      const l = await admin.get(`/api/users?q=${encodeURIComponent(q)}`);
      assert.ok(!l.json.items.some((x) => x.id === p.id), `the deleted account is found by «${q}»`);
    }
  });

  test('the audit log: one user.delete entry without personal data; older entries redacted', async () => {
    const admin = await demo.as('admin');
    const a = await admin.get(`/api/audit?entity=user&entity_id=${p.id}&limit=100`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.items[0].action, 'user.delete');
    assert.equal(a.json.items[0].actor_user_id, p.id);
    assert.deepEqual(a.json.items[0].after, { by: 'self' });
    assert.ok(a.json.items.some((e) => e.action === 'register'), 'the history of the account is kept');
    assert.deepEqual(found(JSON.stringify(a.json), [p.name, p.email, p.phone, p.login]), []);
    const everything = await admin.get('/api/audit?limit=500');
    assert.deepEqual(found(JSON.stringify(everything.json), [p.name, p.email, p.phone, p.login]), [], 'personal data left in the audit log');
  });

  test('nothing personal is left anywhere in the database; sessions, grants, settings gone', () => {
    assert.deepEqual(found(dumpDb(), [p.name, p.email, p.phone, p.login]), [], 'personal data left in the database');
    for (const [table, col] of [['sessions', 'user_id'], ['role_grants', 'user_id'], ['notification_settings', 'user_id']]) {
      const r = sql(`SELECT COUNT(*) FROM ${table} WHERE ${col} = ${p.id}`);
      assert.equal(r.status, 0, r.err);
      assert.equal(r.out, '0', `${table} rows of the deleted account`);
    }
    const pending = sql(`SELECT COUNT(*) FROM deliveries WHERE user_id = ${p.id} AND state = 'pending'`);
    assert.equal(pending.out, '0', 'pending e-mails of the deleted account');
  });

  test('no e-mail reaches the old address after the deletion', async () => {
    const mailed = smtp.messages.filter((m) => m.to.includes(p.email)).length;
    // citizen2 joins the appeal and gets the next update: once that mail is out, the worker has run.
    const c2 = await demo.as('citizen2');
    const email2 = `${uniq('c2')}@privacy.example.org`;
    assert.equal((await c2.patch('/api/me', { email: email2 })).status, 200);
    const ap = await submit(await demo.as('citizen'));
    assert.equal((await c2.post(`/api/appeals/${ap.id}/join`, {})).status, 200);
    await act('executor', ap2.id, 'start');
    await act('executor', ap.id, 'start');
    await smtp.waitFor((m) => m.some((x) => x.to.includes(email2) && x.headers.subject.includes(`№${ap.id}`)));
    assert.equal(smtp.messages.filter((m) => m.to.includes(p.email)).length, mailed);
  });

  test('the login and the e-mail can be registered again, as a new account', async () => {
    const c = demo.fresh();
    const r = await c.post('/api/auth/register', { login: p.login, password: 'another-password-2', name: 'Новый владелец', email: p.email });
    assert.equal(r.status, 201, r.text);
    assert.notEqual(r.json.user.id, p.id);
    const mine = await c.get('/api/appeals?queue=authored');
    assert.equal(mine.json.total, 0, 'the new account does not inherit the old appeals');
    assertError(await demo.fresh().post('/api/auth/login', { login: p.login, password: PASSWORD }), 401, 'invalid_credentials');
  });
});

describe('an administrator deletes an account', () => {
  test('204; the user is logged out everywhere; 404 the second time; the audit names the admin', async () => {
    const p = await person('adel');
    const ap = await submit(p.c);
    const admin = await demo.as('admin');
    assertError(await admin.delete(`/api/users/${p.id}`, { csrf: false }), 403, 'csrf_failed');
    assert.equal((await p.c.get('/api/me')).status, 200, 'a refused deletion changed nothing');
    const r = await admin.delete(`/api/users/${p.id}`);
    assert.equal(r.status, 204, r.text);
    assertError(await p.c.get('/api/me'), 401, 'unauthorized');
    assertError(await demo.fresh().post('/api/auth/login', { login: p.login, password: PASSWORD }), 401, 'invalid_credentials');
    assertError(await admin.delete(`/api/users/${p.id}`), 404, 'not_found');
    assertError(await admin.delete('/api/users/999999999'), 404, 'not_found');
    const s = await admin.get(`/api/appeals/${ap.id}`);
    assert.equal(s.json.author.name, DELETED_NAME);
    const a = await admin.get(`/api/audit?entity=user&entity_id=${p.id}&limit=5`);
    assert.equal(a.json.items[0].action, 'user.delete');
    assert.equal(a.json.items[0].actor_user_id, ids.admin);
    assert.deepEqual(a.json.items[0].after, { by: 'admin' });
    assert.deepEqual(found(dumpDb(), [p.name, p.email, p.phone, p.login]), []);
  });

  test('staff accounts lose their roles; an administrator cannot delete their own account', async () => {
    const p = await person('staff');
    const admin = await demo.as('admin');
    const g = await admin.post(`/api/users/${p.id}/roles`, { role: 'executor', org_id: await demo.id('orgs', 'klu-minstroy') });
    assert.equal(g.status, 201, g.text);
    assert.equal((await p.c.delete('/api/me', { json: { password: PASSWORD } })).status, 204);
    assert.deepEqual((await admin.get(`/api/users/${p.id}`)).json.roles, []);
    assertError(await admin.delete(`/api/users/${ids.admin}`), 409, 'conflict');
    assertError(await admin.delete('/api/me', { json: { password: 'otklik-demo' } }), 409, 'conflict');
    assert.equal((await admin.get('/api/me')).status, 200, 'the administrator is still there');
  });
});

test('the audit log is still append-only apart from redaction', () => {
  const upd = sql("UPDATE audit_log SET action = 'tampered' WHERE id = (SELECT MIN(id) FROM audit_log)");
  assert.notEqual(upd.status, 0, 'changing an audit entry must fail');
  assert.match(upd.err, /append-only/);
  const del = sql('DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)');
  assert.notEqual(del.status, 0, 'deleting an audit entry must fail');
  const redact = sql(`UPDATE audit_log SET after_json = '{"other":1}' WHERE id = (SELECT MIN(id) FROM audit_log) AND after_json IS NOT NULL`);
  assert.notEqual(redact.status, 0, 'only the redaction marker may replace a value');
});

test('no personal data in the server log (debug level) during these tests', () => {
  assert.ok(secrets.length >= 8);
  const log = S.stderr();
  assert.ok(log.length > 0 && log.includes('"listening"'), 'the log was captured');
  const digits = secrets.filter((s) => s.startsWith('+7')).map((s) => s.replace(/\D/g, ''));
  assert.deepEqual(found(log, [...secrets, ...digits]), [], 'personal data in the server log');
});
