// Authentication: login/logout, session fixation, CSRF, API keys, rate limiting, registration, profile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, DEMO_PASSWORD, uniq } from './lib/demo.mjs';
import { Client, assertError, assertErrors, parseSetCookies } from './lib/client.mjs';

let S;
let demo;
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
});
after(async () => { await S?.close(); });

const sessionCookie = (res) => parseSetCookies(res.setCookies).find((c) => c.name === 'otklik_session');

test('login returns the user, roles and a CSRF token, and sets an HttpOnly SameSite=Lax session cookie', async () => {
  const c = demo.fresh();
  const r = await c.post('/api/auth/login', { login: 'supervisor', password: DEMO_PASSWORD });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.login, 'supervisor');
  const gov = await demo.id('orgs', 'klu-gov');
  assert.ok(r.json.roles.some((x) => x.role === 'supervisor' && x.org_id === gov), JSON.stringify(r.json.roles));
  assert.ok(!r.json.roles.some((x) => x.role === 'admin'));
  const ck = sessionCookie(r);
  assert.ok(ck && ck.value.length >= 16, `session cookie: ${r.setCookies}`);
  assert.equal(ck.attrs.httponly, true, 'HttpOnly');
  assert.equal(String(ck.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
  assert.equal(ck.attrs.path, '/');
  const me = await c.get('/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.login, 'supervisor');
  assert.equal(me.json.csrf_token, r.json.csrf_token, 'GET /api/me returns the session CSRF token');
});

test('a wrong password and an unknown login get the same 401 and no session', async () => {
  const c = demo.fresh();
  const bad = await c.post('/api/auth/login', { login: 'citizen', password: 'wrong-password' });
  const e1 = assertError(bad, 401, 'invalid_credentials');
  assert.equal(sessionCookie(bad)?.value || '', '');
  const unk = await c.post('/api/auth/login', { login: 'no-such-user-' + Date.now(), password: 'wrong-password' });
  const e2 = assertError(unk, 401, 'invalid_credentials');
  assert.equal(e1.message, e2.message, 'the message must not reveal whether the login exists');
  assertError(await c.get('/api/me'), 401, 'unauthorized');
});

test('anonymous GET /api/me is 401', async () => {
  assertError(await demo.fresh().get('/api/me'), 401, 'unauthorized');
});

test('logout deletes the session server-side and clears the cookie', async () => {
  const c = await demo.newSession('citizen');
  const old = c.session;
  const r = await c.post('/api/auth/logout');
  assert.equal(r.status, 204, r.text);
  const ck = sessionCookie(r);
  assert.ok(ck, 'logout sends a Set-Cookie clearing otklik_session');
  assert.ok(ck.value === '' || ck.attrs['max-age'] === '0' || Date.parse(ck.attrs.expires) < Date.now(), `cookie not cleared: ${r.setCookies}`);
  // Replaying the old cookie (as an attacker who copied it would) no longer works.
  const replay = new Client(S.base);
  replay.cookies.set('otklik_session', old);
  assertError(await replay.get('/api/me'), 401, 'unauthorized');
  replay.csrf = c.csrf;
  assertError(await replay.patch('/api/me', { name: 'Взлом' }), 401, 'unauthorized');
});

test('logout without the CSRF token is refused and the session survives', async () => {
  const c = await demo.newSession('citizen');
  assertError(await c.post('/api/auth/logout', undefined, { csrf: false }), 403, 'csrf_failed');
  assert.equal((await c.get('/api/me')).status, 200);
  assert.equal((await c.post('/api/auth/logout')).status, 204);
});

test('every login issues a new session id (no fixation)', async () => {
  const c = demo.fresh();
  c.cookies.set('otklik_session', 'attacker-chosen-session-id-0123456789');
  await c.login('citizen2', DEMO_PASSWORD);
  const first = c.session;
  assert.notEqual(first, 'attacker-chosen-session-id-0123456789', 'the server adopted a session id chosen by the client');
  await c.login('citizen2', DEMO_PASSWORD);
  assert.notEqual(c.session, first, 'a second login kept the same session id');
  assert.equal((await c.get('/api/me')).json.user.login, 'citizen2');
});

test('a cookie-authenticated write without or with a wrong X-CSRF-Token is 403 and changes nothing', async () => {
  const c = await demo.newSession('citizen2');
  const before = (await c.get('/api/me')).json.user;
  assertError(await c.patch('/api/me', { name: 'Без токена' }, { csrf: false }), 403, 'csrf_failed');
  assertError(await c.patch('/api/me', { name: 'Чужой токен' }, { csrf: 'x'.repeat(43) }), 403, 'csrf_failed');
  // Another session's token is no good either.
  const other = await demo.as('citizen');
  assertError(await c.patch('/api/me', { name: 'Токен другой сессии' }, { csrf: other.csrf }), 403, 'csrf_failed');
  assert.deepEqual((await c.get('/api/me')).json.user, before);

  const admin = await demo.as('admin');
  const code = uniq('csrf');
  assertError(await admin.post('/api/categories', { code, name: 'CSRF' }, { csrf: false }), 403, 'csrf_failed');
  assert.equal((await admin.get(`/api/categories?code=${code}`)).json.total, 0, 'the category was created despite the CSRF failure');
});

test('API key writes need no CSRF token; a key acts with the roles of its scopes; an unknown key is 401', async () => {
  const admin = await demo.as('admin');
  const k = await admin.post('/api/apikeys', { name: 'auth test', scopes: ['admin'] });
  assert.equal(k.status, 201, k.text);
  assert.ok(k.json.key.length >= 16);
  const bot = new Client(S.base, { bearer: k.json.key, name: 'apikey' });
  const code = uniq('bearer');
  const r = await bot.post('/api/categories', { code, name: 'Через ключ', sort: 1 });
  assert.equal(r.status, 201, `an admin-scoped key writes without a CSRF token: ${r.text}`);
  assert.equal((await admin.get(`/api/categories?code=${code}`)).json.total, 1);
  // A key without scopes authenticates but may not do admin work.
  const weak = await admin.post('/api/apikeys', { name: 'no scopes', scopes: [] });
  assert.equal(weak.status, 201, weak.text);
  const wbot = new Client(S.base, { bearer: weak.json.key, name: 'weak key' });
  assertError(await wbot.post('/api/categories', { code: uniq('weak'), name: 'x' }), 403, 'forbidden');
  assertError(await admin.post('/api/apikeys', { name: 'bad scope', scopes: ['superuser'] }), 422, 'validation_failed', 'scopes');
  assertError(await admin.post('/api/apikeys', { name: 'bad scope', scopes: 'admin' }), 400, 'invalid_input');
  assert.notEqual(weak.json.key, k.json.key);
  // The key is shown once: it is not in the audit log.
  const audit = await admin.get('/api/audit?limit=500');
  assert.equal(audit.status, 200);
  assert.ok(!audit.text.includes(k.json.key), 'the API key leaks into the audit log');
  const bad = new Client(S.base, { bearer: 'not-a-real-key-0123456789abcdef', name: 'badkey' });
  assertError(await bad.post('/api/categories', { code: uniq('bad'), name: 'x' }), 401, 'unauthorized');
  assertError(await bad.get('/api/me'), 401, 'unauthorized');
  // A key cannot mint keys for more than itself… at least an unknown key cannot.
  assertError(await bad.post('/api/apikeys', { name: 'x', scopes: ['admin'] }), 401, 'unauthorized');
});

test('an admin lists and revokes API keys: a revoked key is refused at once; 404, 409, audit; others may not', async () => {
  const admin = await demo.as('admin');
  const k = await admin.post('/api/apikeys', { name: 'to revoke', scopes: ['admin'] });
  assert.equal(k.status, 201, k.text);
  const bot = new Client(S.base, { bearer: k.json.key, name: 'revoked key' });
  // used once, so that the server has its row at hand when it is revoked
  assert.equal((await bot.get('/api/apikeys')).status, 200);
  const list = await admin.get('/api/apikeys');
  assert.equal(list.status, 200, list.text);
  const row = list.json.items.find((x) => x.id === k.json.id);
  assert.ok(row, 'the new key is listed');
  assert.equal(row.name, 'to revoke');
  assert.deepEqual(row.scopes, ['admin']);
  assert.equal(row.revoked_at, null);
  assert.ok(k.json.key.startsWith(row.prefix), 'the prefix is the first characters of the key');
  assert.ok(!list.text.includes(k.json.key), 'the list shows the key itself');
  const del = await admin.delete(`/api/apikeys/${k.json.id}`);
  assert.equal(del.status, 204, del.text);
  assertError(await bot.get('/api/apikeys'), 401, 'unauthorized');
  assertError(await bot.post('/api/categories', { code: uniq('revoked'), name: 'x' }), 401, 'unauthorized');
  const after = (await admin.get('/api/apikeys')).json.items.find((x) => x.id === k.json.id);
  assert.equal(typeof after.revoked_at, 'number', 'revoked_at is set');
  assertError(await admin.delete(`/api/apikeys/${k.json.id}`), 409, 'conflict');
  assertError(await admin.delete('/api/apikeys/999999999'), 404, 'not_found');
  const audit = await admin.get(`/api/audit?entity=apikey&entity_id=${k.json.id}`);
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.json.items.some((e) => e.action === 'revoke'), `the revocation is audited: ${audit.text}`);
  const executor = await demo.as('executor');
  assertError(await executor.get('/api/apikeys'), 403, 'forbidden');
  assertError(await executor.delete(`/api/apikeys/${k.json.id}`), 403, 'forbidden');
});

test('register creates a logged-in citizen; a taken login is 409', async () => {
  const c = demo.fresh();
  const login = uniq('reg').replace(/-/g, '_');
  const r = await c.post('/api/auth/register', { login, password: 'long-enough-password-1', name: 'Иван Иванов', email: 'ivan@example.org' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user.login, login);
  assert.equal(r.json.user.name, 'Иван Иванов');
  assert.equal(r.json.user.email, 'ivan@example.org');
  assert.equal(r.json.user.verified, false);
  assert.ok(r.json.roles.every((x) => x.role === 'citizen'), `a new account has only the citizen role: ${JSON.stringify(r.json.roles)}`);
  assert.ok(c.session, 'register sets the session cookie');
  const me = await c.get('/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.login, login);
  // The new account can log in with its password.
  const c2 = demo.fresh();
  await c2.login(login, 'long-enough-password-1');
  // Duplicates (also a demo login) are 409.
  assertError(await demo.fresh().post('/api/auth/register', { login, password: 'another-password-2', name: 'Двойник' }), 409, 'conflict');
  assertError(await demo.fresh().post('/api/auth/register', { login: 'admin', password: 'another-password-2', name: 'Не админ' }), 409, 'conflict');
  // Missing name, unknown field.
  assertError(await demo.fresh().post('/api/auth/register', { login: login + '_x', password: 'long-enough-password-1' }), 422, 'validation_failed', 'name');
  assertError(await demo.fresh().post('/api/auth/register', { login: login + '_y', password: 'long-enough-password-1', name: 'X', role: 'admin' }), 400, 'invalid_input');
  assertError(await demo.fresh().post('/api/auth/login', { login: login + '_y', password: 'long-enough-password-1' }), 401, 'invalid_credentials');
});

test('PATCH /api/me validates the profile and changes nothing on error', async () => {
  const c = await demo.newSession('citizen2');
  const kaluga = await demo.id('territories', 'klu-kaluga');
  const ok = await c.patch('/api/me', { name: 'Пётр Сидоров', email: 'petr@example.org', phone: '+79001234567', birth_year: 1990, sex: 'm', home_territory_id: kaluga });
  assert.equal(ok.status, 200, ok.text);
  const want = { name: 'Пётр Сидоров', email: 'petr@example.org', phone: '+79001234567', birth_year: 1990, sex: 'm', home_territory_id: kaluga };
  for (const [k, v] of Object.entries(want)) assert.equal(ok.json.user[k], v, k);
  const before = (await c.get('/api/me')).json.user;
  for (const [k, v] of Object.entries(want)) assert.equal(before[k], v, `re-read ${k}`);

  const p = (body) => () => c.patch('/api/me', body);
  await assertErrors([
    ['birth_year 1800', p({ birth_year: 1800 }), 422, 'validation_failed', 'birth_year'],
    ['birth_year 3000', p({ birth_year: 3000 }), 422, 'validation_failed', 'birth_year'],
    ['birth_year as a string', p({ birth_year: '1990' }), 400, 'invalid_input'],
    ['sex x', p({ sex: 'x' }), 422, 'validation_failed', 'sex'],
    ['bad email', p({ email: 'not-an-email' }), 422, 'validation_failed', 'email'],
    ['unknown territory', p({ home_territory_id: 987654321 }), 422, 'validation_failed', 'home_territory_id'],
    ['empty name', p({ name: '' }), 422, 'validation_failed', 'name'],
    ['unknown field', p({ name: 'X', is_admin: true }), 400, 'invalid_input'],
    ['verified is not writable', p({ verified: true }), 400, 'invalid_input'],
    ['good name, bad sex', p({ name: 'Новое имя', sex: 'x' }), 422, 'validation_failed', 'sex'],
  ]);
  assert.deepEqual((await c.get('/api/me')).json.user, before, 'a refused PATCH changed the profile');

  const cleared = await c.patch('/api/me', { sex: null, birth_year: null });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.user.sex, null);
  assert.equal(cleared.json.user.birth_year, null);
});

test('GET /api/auth/providers without OIDC configuration says disabled', async () => {
  const r = await demo.anon().get('/api/auth/providers');
  assert.equal(r.status, 200);
  assert.equal(r.json.oidc.enabled, false);
});

test('login brute force: the 11th attempt in a minute from one address is 429 with Retry-After', async () => {
  const c = demo.fresh('bruteforce-ip');
  for (let i = 1; i <= 10; i++) {
    const r = await c.post('/api/auth/login', { login: `nobody${i}`, password: 'guess' });
    assert.equal(r.status, 401, `attempt ${i}: ${r.status} ${r.text}`);
  }
  const r = await c.post('/api/auth/login', { login: 'citizen', password: DEMO_PASSWORD });
  assertError(r, 429, 'rate_limited');
  assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After: ${r.headers['retry-after']}`);
  assert.equal(sessionCookie(r)?.value || '', '', 'a rate-limited login must not log in even with the right password');
});

test('login brute force on one account from many addresses is 429 too', async () => {
  const reg = demo.fresh();
  const login = uniq('victim').replace(/-/g, '_');
  assert.equal((await reg.post('/api/auth/register', { login, password: 'victim-password-1', name: 'Жертва' })).status, 201);
  for (let i = 1; i <= 10; i++) {
    const r = await demo.fresh().post('/api/auth/login', { login, password: `guess-${i}` });
    assert.equal(r.status, 401, `attempt ${i}: ${r.status} ${r.text}`);
  }
  const r = await demo.fresh().post('/api/auth/login', { login, password: 'victim-password-1' });
  assertError(r, 429, 'rate_limited');
  assert.ok(Number(r.headers['retry-after']) >= 1);
  // Other accounts are not locked out.
  await demo.newSession('moderator');
});

test('registration is rate limited per address too', async () => {
  const c = demo.fresh('register-flood');
  let last;
  for (let i = 1; i <= 11; i++) {
    last = await c.post('/api/auth/register', { login: uniq('flood').replace(/-/g, '_'), password: 'flood-password-1', name: 'Флуд' }, { store: false });
    if (i <= 10) assert.equal(last.status, 201, `registration ${i}: ${last.text}`);
  }
  assertError(last, 429, 'rate_limited');
  assert.ok(Number(last.headers['retry-after']) >= 1);
});

test('with OTKLIK_COOKIE_SECURE=1 the session cookie is Secure', async () => {
  const { bootServer: boot } = await import('./lib/server.mjs');
  const T = await boot({ env: { OTKLIK_COOKIE_SECURE: '1' } });
  try {
    const c = new Client(T.base, { name: 'secure' });
    const r = await c.post('/api/auth/login', { login: 'citizen', password: DEMO_PASSWORD });
    assert.equal(r.status, 200);
    assert.equal(sessionCookie(r).attrs.secure, true, `Secure missing: ${r.setCookies}`);
  } finally {
    await T.close();
  }
  const plain = await demo.fresh().post('/api/auth/login', { login: 'executor2', password: DEMO_PASSWORD });
  assert.equal(sessionCookie(plain).attrs.secure, undefined, 'no Secure on plain HTTP by default');
});
