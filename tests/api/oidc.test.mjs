// OpenID Connect login against the local provider of tests/support/oidc-provider.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer, freePort } from './lib/server.mjs';
import { startOidcProvider } from '../support/oidc-provider.mjs';
import { parseSetCookies } from './lib/client.mjs';
import { checkResponse } from './lib/openapi.mjs';
import { Demo } from './lib/demo.mjs';

const CLIENT_ID = 'otklik-test-client';
const CLIENT_SECRET = 'test-secret-6d1f0c2a9b8e4f7a8c3d5e6f7a8b9c0d';
let S;
let provider;
let base;

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${base}/auth/oidc/callback` });
  try {
    S = await bootServer({
      port,
      env: {
        OTKLIK_OIDC_ISSUER: provider.issuer,
        OTKLIK_OIDC_CLIENT_ID: CLIENT_ID,
        OTKLIK_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        OTKLIK_OIDC_NAME: 'Госуслуги (ЕСИА)',
        OTKLIK_PUBLIC_URL: base,
      },
    });
  } catch (e) {
    await provider.close();
    throw e;
  }
});
after(async () => {
  try { await S?.close(); } finally { await provider?.close(); }
});

/** A browser-like cookie jar over fetch with redirect: "manual". */
class Browser {
  constructor() { this.jar = new Map(); }
  async go(url, init = {}) {
    const u = new URL(url, base);
    const headers = { ...(init.headers || {}) };
    if (u.origin === base && this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    const text = await res.text();
    const cookies = u.origin === base ? parseSetCookies(res.headers.getSetCookie()) : [];
    for (const c of cookies) {
      if (c.value === '' || c.attrs['max-age'] === '0') this.jar.delete(c.name); else this.jar.set(c.name, c.value);
    }
    const location = res.headers.get('location');
    return { status: res.status, headers: res.headers, text, cookies, location: location && new URL(location, u).toString(), rawLocation: location };
  }
}

/** start → provider → callback. Returns the pieces; does not assert the callback's outcome. */
async function flow(b, { next = '/#/profile', tamper } = {}) {
  const start = await b.go(`/auth/oidc/start?next=${encodeURIComponent(next)}`);
  assert.equal(start.status, 302, `start: ${start.status} ${start.text}`);
  assert.ok(start.location.startsWith(`${provider.issuer}/authorize?`), `start redirects to the provider: ${start.location}`);
  const q = new URL(start.location).searchParams;
  assert.equal(q.get('client_id'), CLIENT_ID);
  assert.equal(q.get('redirect_uri'), `${base}/auth/oidc/callback`);
  assert.equal(q.get('response_type'), 'code');
  assert.ok(q.get('scope').split(' ').includes('openid'));
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge') || '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((q.get('state') || '').length >= 16, 'state is long and random');
  assert.ok((q.get('nonce') || '').length >= 16, 'nonce is long and random');
  if (tamper) provider.tamperNext(tamper);
  const auth = await b.go(start.location);
  assert.equal(auth.status, 302, `provider: ${auth.text}`);
  assert.ok(auth.location.startsWith(`${base}/auth/oidc/callback?`));
  const cb = await b.go(auth.location);
  return { start, params: q, callbackUrl: auth.location, cb };
}

const sessionSet = (res) => res.cookies.some((c) => c.name === 'otklik_session' && c.value !== '' && c.attrs['max-age'] !== '0');

async function me(b) {
  const r = await b.go('/api/me');
  return { status: r.status, json: r.status === 200 ? JSON.parse(r.text) : null };
}

test('GET /api/auth/providers names the configured provider', async () => {
  const r = await fetch(`${base}/api/auth/providers`);
  const json = await r.json();
  assert.deepEqual(json, { oidc: { enabled: true, name: 'Госуслуги (ЕСИА)' } });
});

let firstUserId;
test('login through the provider: 302 back to next with a session; the account is verified with the provider data', async () => {
  const b = new Browser();
  const { cb } = await flow(b);
  assert.equal(cb.status, 302, `callback: ${cb.status} ${cb.text}`);
  assert.ok(cb.rawLocation === '/#/profile' || cb.location === `${base}/#/profile`, `redirects to next: ${cb.rawLocation}`);
  assert.ok(sessionSet(cb), 'the callback sets otklik_session');
  const ck = cb.cookies.find((c) => c.name === 'otklik_session');
  assert.equal(ck.attrs.httponly, true);
  const m = await me(b);
  assert.equal(m.status, 200);
  assert.deepEqual(checkResponse('GET', '/api/me', { status: 200, headers: { 'content-type': 'application/json' }, text: JSON.stringify(m.json), json: m.json }), []);
  const u = m.json.user;
  assert.equal(u.verified, true);
  assert.equal(u.name, 'Анна Петровна Смирнова');
  assert.equal(u.email, 'anna@example.org');
  assert.equal(u.birth_year, 1985);
  assert.equal(u.sex, 'f');
  firstUserId = u.id;
  // The server redeemed the code with PKCE and asked /userinfo.
  const tokenCalls = provider.log.filter((e) => e.path === '/token');
  assert.equal(tokenCalls.at(-1).status, 200, `token exchange: ${tokenCalls.at(-1).error}`);
  assert.ok(provider.log.some((e) => e.path === '/userinfo' && e.status === 200), 'userinfo was fetched');
  // The administrator finds the verified account by the name the provider gave.
  const admin = await new Demo(base).as('admin');
  const found = await admin.get(`/api/users?q=${encodeURIComponent('смирнова')}`);
  assert.equal(found.status, 200, found.text);
  assert.ok(found.json.items.some((x) => x.id === u.id), `OIDC account not found by name: ${found.text}`);
  // The session works for writes with its CSRF token.
  const r = await b.go('/api/me', {
    method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': m.json.csrf_token }, body: JSON.stringify({ phone: '+79000000002' }),
  });
  assert.equal(r.status, 200, r.text);
});

test('a second login with the same subject reuses the account; another subject gets another', async () => {
  assert.ok(firstUserId, 'needs the first login');
  const b = new Browser();
  const { cb } = await flow(b);
  assert.equal(cb.status, 302);
  assert.equal((await me(b)).json.user.id, firstUserId);
  provider.setUser({ sub: 'esia-2000002', name: 'Борис Иванов', email: 'boris@example.org', gender: 'male', birthdate: '1970-01-31' });
  try {
    const b2 = new Browser();
    const r = await flow(b2);
    assert.equal(r.cb.status, 302);
    const u = (await me(b2)).json.user;
    assert.notEqual(u.id, firstUserId);
    assert.equal(u.sex, 'm');
    assert.equal(u.birth_year, 1970);
  } finally {
    provider.setUser({ sub: 'esia-1000001', name: 'Анна Петровна Смирнова', email: 'anna@example.org', gender: 'female', birthdate: '1985-04-12' });
  }
});

for (const tamper of ['signature', 'nonce', 'aud', 'iss', 'expired']) {
  test(`an id_token with a bad ${tamper} is refused: 4xx and no session`, async () => {
    const b = new Browser();
    const { cb } = await flow(b, { tamper });
    assert.ok(cb.status >= 400 && cb.status < 500, `callback with bad ${tamper}: ${cb.status} → ${cb.rawLocation || cb.text.slice(0, 200)}`);
    assert.ok(!sessionSet(cb), 'no session cookie');
    assert.equal((await me(b)).status, 401);
  });
}

test('a replayed state is refused', async () => {
  const b = new Browser();
  const { cb, callbackUrl } = await flow(b);
  assert.equal(cb.status, 302);
  const b2 = new Browser();
  b2.jar = new Map([...b.jar].filter(([k]) => k !== 'otklik_session'));
  const again = await b2.go(callbackUrl);
  assert.ok(again.status >= 400 && again.status < 500, `replay: ${again.status}`);
  assert.ok(!sessionSet(again));
  assert.equal((await me(b2)).status, 401);
});

test('an unknown state is refused without redeeming the code', async () => {
  const b = new Browser();
  const start = await b.go(`/auth/oidc/start?next=${encodeURIComponent('/')}`);
  const auth = await b.go(start.location);
  const u = new URL(auth.location);
  u.searchParams.set('state', 'forged-state-value-0123456789abcdef');
  const tokensBefore = provider.log.filter((e) => e.path === '/token').length;
  const r = await b.go(u.toString());
  assert.ok(r.status >= 400 && r.status < 500, `unknown state: ${r.status}`);
  assert.ok(!sessionSet(r));
  assert.equal(provider.log.filter((e) => e.path === '/token').length, tokensBefore, 'the code was redeemed for a forged state');
  const none = await b.go('/auth/oidc/callback?code=abc');
  assert.ok(none.status >= 400 && none.status < 500);
  const denied = await b.go('/auth/oidc/callback?error=access_denied&state=x');
  assert.ok(denied.status >= 400 && denied.status < 500 || (denied.status === 302 && !sessionSet(denied)));
  assert.equal((await me(b)).status, 401);
});

test('next must be a local path (no open redirect)', async () => {
  for (const next of ['https://evil.example.org/', '//evil.example.org/x', '/\\evil.example.org']) {
    const b = new Browser();
    const start = await b.go(`/auth/oidc/start?next=${encodeURIComponent(next)}`);
    if (start.status !== 302) {
      assert.ok(start.status >= 400 && start.status < 500, `${next}: ${start.status}`);
      continue;
    }
    const auth = await b.go(start.location);
    const cb = await b.go(auth.location);
    if (cb.status === 302) assert.equal(new URL(cb.location).origin, base, `${next} → ${cb.rawLocation}`);
  }
});
