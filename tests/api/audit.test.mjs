// Audit log: every write leaves who, what, before and after; only admins read it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { Client, assertError } from './lib/client.mjs';

let S;
let demo;
let admin;
let adminId;
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  admin = await demo.as('admin');
  adminId = (await admin.get('/api/me')).json.user.id;
});
after(async () => { await S?.close(); });

/** Audit entries for one object, oldest first. */
async function entriesFor(entityId, match) {
  const r = await admin.get('/api/audit?limit=500');
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((e) => e.entity_id === entityId && (!match || match(e))).sort((a, b) => a.id - b.id);
}

test('create, update and delete leave entries with actor, action, entity, before and after', async () => {
  const code = uniq('aud');
  const c = await admin.post('/api/categories', { code, name: 'Аудит', sort: 1 });
  assert.equal(c.status, 201);
  const id = c.json.id;
  assert.equal((await admin.patch(`/api/categories/${id}`, { name: 'Аудит 2' })).status, 200);
  assert.equal((await admin.delete(`/api/categories/${id}`)).status, 204);
  const es = await entriesFor(id, (e) => /categor/.test(e.entity));
  assert.equal(es.length, 3, `three entries for category ${id}: ${JSON.stringify(es)}`);
  const [cr, up, del] = es;
  for (const e of es) {
    assert.equal(e.actor_user_id, adminId);
    assert.equal(e.actor_apikey_id, null);
    assert.ok(e.at > Date.now() - 600000 && e.at <= Date.now() + 1000, `at ${e.at} is ms since the epoch`);
    assert.equal(e.entity, cr.entity);
  }
  assert.match(cr.action, /create|insert/);
  assert.equal(cr.before, null);
  assert.equal(cr.after.code, code);
  assert.equal(cr.after.name, 'Аудит');
  assert.match(up.action, /update|patch/);
  assert.equal(up.before.name, 'Аудит');
  assert.equal(up.after.name, 'Аудит 2');
  assert.match(del.action, /delete/);
  assert.equal(del.before.name, 'Аудит 2');
  assert.equal(del.after, null);
  assert.ok(new Set(es.map((e) => e.action)).size === 3);
  // Filters.
  const f = await admin.get(`/api/audit?entity=${encodeURIComponent(cr.entity)}&entity_id=${id}`);
  assert.equal(f.status, 200);
  assert.deepEqual(f.json.items.map((e) => e.id).sort((a, b) => a - b), es.map((e) => e.id));
  assert.equal(f.json.total, 3);
  const lim = await admin.get('/api/audit?limit=2');
  assert.equal(lim.json.items.length, 2);
  assert.ok(lim.json.items[0].id > lim.json.items[1].id, 'newest first');
  assert.ok(lim.json.total >= 3);
});

test('every kind of registry write is audited', async () => {
  const kaluga = await demo.id('territories', 'klu-kaluga');
  const t = await admin.post('/api/territories', { code: uniq('aut'), name: 'Аудитовка', kind: 'settlement', parent_id: kaluga });
  const o = await admin.post('/api/orgs', { code: uniq('auo'), name: 'Аудит-организация', kind: 'social', territory_id: kaluga });
  const cat = await admin.post('/api/categories', { code: uniq('auc'), name: 'Аудит-категория' });
  const tp = await admin.post('/api/topics', { code: uniq('aup'), category_id: cat.json.id, name: 'Аудит-тема', deadline: 3, deadline_unit: 'wdays' });
  const r = await admin.post('/api/rules', { code: uniq('aur'), topic_id: tp.json.id, territory_id: t.json.id, org_id: o.json.id });
  for (const [name, res, re] of [['territory', t, /territor/], ['org', o, /org/], ['topic', tp, /topic/], ['rule', r, /rule/]]) {
    assert.equal(res.status, 201, `${name}: ${res.text}`);
    const es = await entriesFor(res.json.id, (e) => re.test(e.entity));
    assert.equal(es.length, 1, `${name} create audited`);
    assert.equal(es[0].after.code, res.json.code);
  }
  const poly = { type: 'Polygon', coordinates: [[[-30, 0.5], [-29.9, 0.5], [-29.9, 0.6], [-30, 0.5]]] };
  assert.equal((await admin.put(`/api/territories/${t.json.id}/polygon`, poly)).status, 204);
  assert.equal((await entriesFor(t.json.id, (e) => /territor/.test(e.entity))).length, 2, 'polygon change audited');
  // The supervisor's scoped org update names the supervisor.
  const sup = await demo.as('supervisor');
  const supId = (await sup.get('/api/me')).json.user.id;
  const mz = await demo.id('orgs', 'klu-minzdrav');
  assert.equal((await sup.patch(`/api/orgs/${mz}`, { email: 'audit@example.org' })).status, 200);
  const es = await entriesFor(mz, (e) => /org/.test(e.entity));
  assert.equal(es.at(-1).actor_user_id, supId);
  assert.equal(es.at(-1).after.email, 'audit@example.org');
});

test('role grants, API keys and imports are audited; an API key is named as the actor', async () => {
  const reg = await demo.fresh().post('/api/auth/register', { login: uniq('aud').replace(/-/g, '_'), password: 'audit-password-1', name: 'Аудитор' }, { store: false });
  assert.equal(reg.status, 201, reg.text);
  const uid = reg.json.user.id;
  const kaluga = await demo.id('territories', 'klu-kaluga');
  const before = (await admin.get('/api/audit?limit=1')).json.total;
  const g = await admin.post(`/api/users/${uid}/roles`, { role: 'volunteer', territory_id: kaluga });
  assert.equal(g.status, 201, g.text);
  assert.equal((await admin.delete(`/api/users/${uid}/roles/${g.json.id}`)).status, 204);
  const k = await admin.post('/api/apikeys', { name: 'аудит', scopes: ['admin'] });
  assert.equal(k.status, 201);
  const imp = await admin.request('POST', '/api/import/categories', { body: `code,name,sort\n${uniq('auimp')},Из файла,1\n`, contentType: 'text/csv' });
  assert.equal(imp.status, 200, imp.text);
  const after = await admin.get('/api/audit?limit=500');
  assert.ok(after.json.total >= before + 4, `grant, revoke, key, import: ${after.json.total - before} new entries`);
  assert.ok(!after.text.includes(k.json.key), 'the API key secret is in the audit log');
  // A write through an API key names the key.
  const bot = new Client(S.base, { bearer: k.json.key, name: 'apikey' });
  const w = await bot.post('/api/categories', { code: uniq('aukey'), name: 'Через ключ' });
  assert.equal(w.status, 201, w.text);
  const es = await entriesFor(w.json.id, (e) => /categor/.test(e.entity));
  assert.equal(es.length, 1);
  assert.equal(es[0].actor_apikey_id, k.json.id);
  assert.equal(es[0].actor_user_id, null);
});

test('refused writes leave no audit entry', async () => {
  await demo.as('citizen'); // logging in is audited: do it before counting
  const before = (await admin.get('/api/audit?limit=1')).json.total;
  await admin.post('/api/categories', { code: '', name: 'x' });
  await admin.post('/api/categories', { name: 'x' }, { csrf: false });
  await (await demo.as('citizen')).post('/api/categories', { code: uniq('no'), name: 'x' });
  await demo.anon().post('/api/categories', { code: uniq('no'), name: 'x' });
  assert.equal((await admin.get('/api/audit?limit=1')).json.total, before);
});

test('GET /api/audit is admin-only', async () => {
  assertError(await demo.anon().get('/api/audit'), 401, 'unauthorized');
  for (const l of ['citizen', 'supervisor', 'coordinator', 'operator']) {
    assertError(await (await demo.as(l)).get('/api/audit'), 403, 'forbidden');
  }
  assertError(await admin.get('/api/audit?limit=501'), 400, 'invalid_input');
});
