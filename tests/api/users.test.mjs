// Users and role grants (admin): demo accounts carry the roles of docs/cli.md; grants take effect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, DEMO_ACCOUNTS, DEMO_LOGINS, uniq } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';

let S;
let demo;
let admin;
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  admin = await demo.as('admin');
});
after(async () => { await S?.close(); });

test('every demo account has exactly the roles docs/cli.md lists', async () => {
  for (const login of DEMO_LOGINS) {
    const c = await demo.as(login);
    const me = await c.get('/api/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.login, login);
    const want = [];
    for (const [role, scope] of DEMO_ACCOUNTS[login]) {
      let org_id = null;
      let territory_id = null;
      if (['operator', 'executor', 'supervisor', 'organiser', 'moderator'].includes(role)) org_id = await demo.id('orgs', scope);
      if (['coordinator', 'volunteer'].includes(role)) territory_id = await demo.id('territories', scope);
      want.push({ role, org_id, territory_id });
    }
    const got = me.json.roles.filter((r) => r.role !== 'citizen').map(({ role, org_id, territory_id }) => ({ role, org_id, territory_id }));
    assert.deepEqual(got, want, `${login}'s roles`);
    const detail = await admin.get(`/api/users/${me.json.user.id}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.json.user, me.json.user);
    assert.deepEqual(detail.json.roles, me.json.roles);
  }
  assert.equal((await (await demo.as('citizen')).get('/api/me')).json.user.verified, true, 'citizen is verified');
  assert.equal((await (await demo.as('citizen2')).get('/api/me')).json.user.verified, false);
});

test('GET /api/users searches and pages', async () => {
  const r = await admin.get('/api/users?q=coordinator&limit=500');
  assert.equal(r.status, 200);
  const logins = r.json.items.map((u) => u.login);
  assert.ok(logins.includes('coordinator') && logins.includes('coordinator2'), logins.join(','));
  assert.ok(!logins.includes('admin'));
  const all = await admin.get('/api/users?limit=500');
  assert.ok(all.json.total >= 12);
  const page = await admin.get('/api/users?limit=2&offset=1');
  assert.deepEqual(page.json.items, all.json.items.slice(1, 3));
  assert.ok(!all.text.includes('otklik-demo') && !/password|hash/i.test(all.text), 'no password material in user lists');
  assertError(await admin.get('/api/users/987654321'), 404, 'not_found');
});

test('a granted role takes effect; a revoked one stops working', async () => {
  const login = uniq('grant').replace(/-/g, '_');
  const reg = await demo.fresh().post('/api/auth/register', { login, password: 'grant-password-1', name: 'Новый координатор' }, { store: false });
  assert.equal(reg.status, 201, reg.text);
  const uid = reg.json.user.id;
  const kaluga = await demo.id('territories', 'klu-kaluga');
  const adm = await demo.id('orgs', 'klu-kaluga-adm');
  const user = demo.fresh(login);
  await user.login(login, 'grant-password-1');
  const rule = () => ({ code: uniq('gr'), territory_id: kaluga, org_id: adm });
  assertError(await user.post('/api/rules', rule()), 403, 'forbidden');

  const g = await admin.post(`/api/users/${uid}/roles`, { role: 'coordinator', territory_id: kaluga });
  assert.equal(g.status, 201, g.text);
  assert.deepEqual({ role: g.json.role, org_id: g.json.org_id, territory_id: g.json.territory_id }, { role: 'coordinator', org_id: null, territory_id: kaluga });
  assert.ok((await admin.get(`/api/users/${uid}`)).json.roles.some((r) => r.id === g.json.id));
  assertError(await admin.post(`/api/users/${uid}/roles`, { role: 'coordinator', territory_id: kaluga }), 409, 'conflict');
  // The user's next request (same session or a new one) has the role.
  const fresh = demo.fresh(login);
  await fresh.login(login, 'grant-password-1');
  const ok = await fresh.post('/api/rules', rule());
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await admin.delete(`/api/users/${uid}/roles/${g.json.id}`)).status, 204);
  assertError(await admin.delete(`/api/users/${uid}/roles/${g.json.id}`), 404, 'not_found');
  assertError(await fresh.post('/api/rules', rule()), 403, 'forbidden');
  assert.ok(!(await admin.get(`/api/users/${uid}`)).json.roles.some((r) => r.role === 'coordinator'));
});

test('role grants are validated', async () => {
  const uid = await demo.userId('citizen2');
  const before = (await admin.get(`/api/users/${uid}`)).json;
  const kaluga = await demo.id('territories', 'klu-kaluga');
  const adm = await demo.id('orgs', 'klu-kaluga-adm');
  const grant = (body, id = uid) => () => admin.post(`/api/users/${id}/roles`, body);
  await assertErrors([
    ['unknown role', grant({ role: 'overlord' }), 422, 'validation_failed', 'role'],
    ['executor without org', grant({ role: 'executor' }), 422, 'validation_failed', 'org_id'],
    ['coordinator without territory', grant({ role: 'coordinator' }), 422, 'validation_failed', 'territory_id'],
    ['unknown org', grant({ role: 'executor', org_id: 987654321 }), 422, 'validation_failed', 'org_id'],
    ['unknown territory', grant({ role: 'coordinator', territory_id: 987654321 }), 422, 'validation_failed', 'territory_id'],
    ['unknown field', grant({ role: 'executor', org_id: adm, extra: 1 }), 400, 'invalid_input'],
    ['unknown user', grant({ role: 'coordinator', territory_id: kaluga }, 987654321), 404, 'not_found'],
  ]);
  assert.deepEqual((await admin.get(`/api/users/${uid}`)).json, before);
});
