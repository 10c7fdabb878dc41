// The route × role matrix: every operation of openapi.json, called as anonymous and as every demo
// account. Anonymous on a non-public route → 401; a role not in x-roles → 403; an allowed role →
// neither 401 nor 403 (nor 405). Plus the scoped cases (x-scope "org" and "territory").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, DEMO_ACCOUNTS, DEMO_LOGINS, uniq } from './lib/demo.mjs';
import { assertError } from './lib/client.mjs';
import { operations } from './lib/openapi.mjs';
import { readdirSync } from 'node:fs';

let S;
let demo;
const ids = {};
let regions = [];
let throwawayUser;

const SQUARE = { type: 'Polygon', coordinates: [[[36.0, 54.0], [36.01, 54.0], [36.01, 54.01], [36.0, 54.01], [36.0, 54.0]]] };

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  for (const l of DEMO_LOGINS) await demo.as(l);
  ids.klu = await demo.id('territories', 'RU-KLU');
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.gov = await demo.id('orgs', 'klu-gov');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.kalugaAdm = await demo.id('orgs', 'klu-kaluga-adm');
  ids.obninskAdm = await demo.id('orgs', 'klu-obninsk-adm');
  const anon = demo.anon();
  const cat = await anon.get('/api/categories?limit=1');
  assert.ok(cat.json.items.length, 'the demo has categories');
  ids.category = cat.json.items[0].id;
  const top = await anon.get('/api/topics?limit=1');
  assert.ok(top.json.items.length, 'the demo has topics');
  ids.topic = top.json.items[0].id;
  const reg = await anon.get('/api/territories?kind=region&limit=40');
  regions = reg.json.items.map((t) => t.id);
  assert.ok(regions.length >= 20, 'reference regions');
  const r = await demo.fresh().post('/api/auth/register', { login: uniq('matrix').replace(/-/g, '_'), password: 'matrix-password-1', name: 'Матрица' }, { store: false });
  assert.equal(r.status, 201, r.text);
  throwawayUser = r.json.user.id;
  ids.citizen = await demo.userId('citizen');
  ids.territory = (await make('territories')).id;
  ids.org = (await make('orgs')).id;
  ids.cat2 = (await make('categories')).id;
  ids.topic2 = (await make('topics')).id;
  ids.rule = (await make('rules')).id;
  for (const setup of setups) await setup(ctx);
});
after(async () => { await S?.close(); });

/** Create a throwaway registry object as admin. */
async function make(coll) {
  const admin = await demo.as('admin');
  const code = uniq(coll.slice(0, 4));
  const body = {
    territories: { code, name: 'Матричный посёлок', kind: 'settlement', parent_id: ids.obninsk },
    orgs: { code, name: 'Матричная организация', kind: 'social', territory_id: ids.obninsk },
    categories: { code, name: 'Матричная категория', sort: 999 },
    topics: { code, category_id: ids.category, name: 'Матричная тема', deadline: 10, deadline_unit: 'wdays' },
    rules: { code, category_id: ids.category, territory_id: ids.obninsk, org_id: ids.obninskAdm },
  }[coll];
  const r = await admin.post(`/api/${coll}`, body);
  assert.equal(r.status, 201, `create ${coll}: ${r.text}`);
  return r.json;
}

let regionIdx = 0;
const csv = {
  territories: 'code,parent_code,kind,name,okato,oktmo,iso\n',
  orgs: 'code,name,short_name,kind,territory_code,parent_code,email\n',
  categories: 'code,name,sort\n',
  topics: 'code,category_code,name,deadline,deadline_unit,hint,active\n',
  rules: 'code,topic_code,category_code,territory_code,org_code\n',
};

/**
 * One case per operation: call(who) → {path, opts}; optional:
 *   ok(status) for allowed callers (default 2xx), fresh: use a new session (logout),
 *   noEffect(who) checked after a refused call.
 */
const registryCases = {};
for (const coll of ['territories', 'orgs', 'categories', 'topics', 'rules']) {
  const codeOf = {};
  registryCases[`GET /api/${coll}`] = { call: () => ({ path: `/api/${coll}?limit=5` }) };
  registryCases[`GET /api/${coll}/{id}`] = { call: () => ({ path: `/api/${coll}/${ids[{ territories: 'territory', orgs: 'org', categories: 'cat2', topics: 'topic2', rules: 'rule' }[coll]]}` }) };
  registryCases[`POST /api/${coll}`] = {
    call: (who) => {
      const code = codeOf[who] = uniq(`m-${coll.slice(0, 4)}`);
      const body = {
        territories: { code, name: 'Посёлок', kind: 'settlement', parent_id: ids.obninsk },
        orgs: { code, name: 'Организация', kind: 'social', territory_id: ids.obninsk },
        categories: { code, name: 'Категория', sort: 5 },
        topics: { code, category_id: ids.category, name: 'Тема', deadline: 5, deadline_unit: 'wdays' },
        rules: { code, category_id: ids.category, territory_id: ids.obninsk, org_id: ids.obninskAdm },
      }[coll];
      return { path: `/api/${coll}`, opts: { json: body } };
    },
    noEffect: async (who) => {
      const r = await demo.anon().get(`/api/${coll}?code=${codeOf[who]}`);
      assert.equal(r.json.total, 0, `a refused create by ${who} created ${coll} ${codeOf[who]}`);
    },
  };
  registryCases[`PATCH /api/${coll}/{id}`] = {
    call: async () => {
      if (coll === 'orgs') {
        const cur = await demo.get('orgs', 'klu-minzdrav');
        return { path: `/api/orgs/${ids.minzdrav}`, opts: { json: { short_name: cur.short_name } } };
      }
      if (coll === 'rules') return { path: `/api/rules/${ids.rule}`, opts: { json: { org_id: ids.obninskAdm } } };
      const key = { territories: 'territory', categories: 'cat2', topics: 'topic2' }[coll];
      return { path: `/api/${coll}/${ids[key]}`, opts: { json: { name: 'Переименовано матрицей' } } };
    },
  };
  registryCases[`DELETE /api/${coll}/{id}`] = {
    call: async (who) => {
      const o = await make(coll);
      codeOf[who] = o.id;
      return { path: `/api/${coll}/${o.id}` };
    },
    noEffect: async (who) => {
      assert.equal((await demo.anon().get(`/api/${coll}/${codeOf[who]}`)).status, 200, `a refused delete by ${who} deleted ${coll} ${codeOf[who]}`);
    },
  };
}

const keyOf = {}; // DELETE /api/apikeys/{id}: the key each caller tried to revoke

const CASES = {
  'GET /healthz': { call: () => ({ path: '/healthz' }) },
  'GET /metrics': { call: () => ({ path: '/metrics' }) },
  'GET /api/openapi.json': { call: () => ({ path: '/api/openapi.json' }) },
  'GET /': { call: () => ({ path: '/' }), ok: (s) => s === 200 || s === 404 },
  'GET /static/{path}': { call: () => ({ path: '/static/app.js' }), ok: (s) => s === 200 || s === 404 },
  'POST /api/auth/login': {
    call: (who) => ({ path: '/api/auth/login', opts: { json: { login: who === 'anonymous' ? 'citizen2' : who, password: 'otklik-demo' }, store: false } }),
  },
  'POST /api/auth/register': {
    call: () => ({ path: '/api/auth/register', opts: { json: { login: uniq('mreg').replace(/-/g, '_'), password: 'matrix-password-1', name: 'Новый' }, store: false } }),
  },
  'GET /api/auth/providers': { call: () => ({ path: '/api/auth/providers' }) },
  'GET /auth/oidc/start': { call: () => ({ path: '/auth/oidc/start?next=/' }), ok: (s) => s === 302 || s === 404 },
  'GET /auth/oidc/callback': { call: () => ({ path: '/auth/oidc/callback?code=x&state=y' }), ok: (s) => s >= 300 && s < 500 && s !== 403 },
  'GET /api/me': { call: () => ({ path: '/api/me' }) },
  'PATCH /api/me': {
    call: async (who, c) => {
      const me = who === 'anonymous' ? { user: { name: 'Аноним' } } : (await c.get('/api/me')).json;
      return { path: '/api/me', opts: { json: { name: me.user.name } } };
    },
  },
  ...registryCases,
  'GET /api/territories/{id}/polygon': { call: () => ({ path: `/api/territories/${ids.klu}/polygon` }) },
  'PUT /api/territories/{id}/polygon': { call: () => ({ path: `/api/territories/${ids.territory}/polygon`, opts: { json: SQUARE } }) },
  'GET /api/route': { call: () => ({ path: `/api/route?topic_id=${ids.topic}&territory_id=${ids.kaluga}` }) },
  'GET /api/users': { call: () => ({ path: '/api/users?limit=5' }) },
  'GET /api/users/{id}': { call: () => ({ path: `/api/users/${ids.citizen}` }) },
  'POST /api/users/{id}/roles': {
    call: () => ({ path: `/api/users/${throwawayUser}/roles`, opts: { json: { role: 'volunteer', territory_id: regions[regionIdx++ % regions.length] } } }),
  },
  'DELETE /api/users/{id}/roles/{grant_id}': {
    call: async () => {
      const admin = await demo.as('admin');
      const g = await admin.post(`/api/users/${throwawayUser}/roles`, { role: 'coordinator', territory_id: regions[regionIdx++ % regions.length] });
      assert.equal(g.status, 201, g.text);
      return { path: `/api/users/${throwawayUser}/roles/${g.json.id}` };
    },
  },
  'POST /api/apikeys': { call: () => ({ path: '/api/apikeys', opts: { json: { name: 'matrix key', scopes: [] } } }) },
  'GET /api/apikeys': { call: () => ({ path: '/api/apikeys' }) },
  'DELETE /api/apikeys/{id}': {
    call: async (who) => {
      const k = await (await demo.as('admin')).post('/api/apikeys', { name: `matrix revoke ${who}`, scopes: [] });
      assert.equal(k.status, 201, k.text);
      keyOf[who] = k.json.id;
      return { path: `/api/apikeys/${k.json.id}` };
    },
    noEffect: async (who) => {
      const row = (await (await demo.as('admin')).get('/api/apikeys')).json.items.find((x) => x.id === keyOf[who]);
      assert.equal(row.revoked_at, null, `a refused revoke by ${who} revoked key ${keyOf[who]}`);
    },
  },
  'GET /api/audit': { call: () => ({ path: '/api/audit?limit=5' }) },
  'POST /api/auth/logout': { call: () => ({ path: '/api/auth/logout' }), fresh: true },
};
CASES['GET /livez'] = { call: () => ({ path: '/livez' }) };

// Cases of later areas live in tests/api/matrix/<area>.mjs: `export default (ctx) => ({cases})`
// and optionally `export async function setup(ctx)` (run at the end of before()). ctx gives the
// booted server, the Demo helper, the ids above and make().
const ctx = { get S() { return S; }, get demo() { return demo; }, ids, make, get regions() { return regions; } };
const setups = [];
for (const f of readdirSync(new URL('./matrix/', import.meta.url)).filter((n) => n.endsWith('.mjs')).sort()) {
  const mod = await import(new URL('./matrix/' + f, import.meta.url));
  Object.assign(CASES, mod.default(ctx));
  if (mod.setup) setups.push(mod.setup);
}

let importIdx = 0;
CASES['POST /api/import/{collection}'] = {
  call: () => {
    const coll = Object.keys(csv)[importIdx++ % 5];
    return { path: `/api/import/${coll}`, opts: { body: csv[coll], contentType: 'text/csv' } };
  },
};

/** Who x-roles allows: 'anonymous' and demo logins. */
function allowedSet(roles) {
  if (roles.includes('public')) return new Set(['anonymous', ...DEMO_LOGINS]);
  if (roles.includes('authenticated')) return new Set(DEMO_LOGINS);
  return new Set(DEMO_LOGINS.filter((l) => roles.includes('citizen') || DEMO_ACCOUNTS[l].some(([r]) => roles.includes(r))));
}

test('every operation has a matrix case', () => {
  const missing = operations.map((o) => `${o.method} ${o.path}`).filter((k) => !CASES[k]);
  assert.deepEqual(missing, [], 'operations without a case in matrix.test.mjs');
});

// Logout last: it ends sessions.
const ordered = [...operations].sort((a, b) => (a.path === '/api/auth/logout') - (b.path === '/api/auth/logout'));
for (const o of ordered) {
  const key = `${o.method} ${o.path}`;
  const roles = o.op['x-roles'];
  test(`${key} ${JSON.stringify(roles)}${o.op['x-scope'] ? ' scope ' + o.op['x-scope'] : ''}`, async () => {
    const cs = CASES[key];
    assert.ok(cs, `no case for ${key}`);
    const allowed = allowedSet(roles);
    const who = ['anonymous', ...DEMO_LOGINS.filter((l) => !allowed.has(l)), ...DEMO_LOGINS.filter((l) => allowed.has(l))];
    const failures = [];
    for (const w of who) {
      let c;
      if (w === 'anonymous') c = demo.fresh();
      else c = cs.fresh ? await demo.newSession(w) : await demo.as(w);
      const { path, opts = {} } = await cs.call(w, c);
      const r = await c.request(o.method, path, opts);
      const isAllowed = allowed.has(w);
      let want;
      let good;
      if (!isAllowed && w === 'anonymous') { want = '401'; good = r.status === 401; }
      else if (!isAllowed) { want = '403'; good = r.status === 403; }
      else {
        want = cs.ok ? 'allowed (case-specific)' : '2xx';
        good = cs.ok ? cs.ok(r.status) : r.status >= 200 && r.status < 300;
        good &&= ![401, 403, 405].includes(r.status);
      }
      if (!good) failures.push(`${w.padEnd(12)} ${o.method} ${path} → ${r.status}, expected ${want}: ${r.text.slice(0, 160)}`);
      else if (!isAllowed && cs.noEffect) {
        try { await cs.noEffect(w); } catch (e) { failures.push(`${w}: ${e.message}`); }
      }
    }
    assert.deepEqual(failures, [], `${key}: ${failures.length} wrong answers`);
  });
}

test('scope org: a supervisor may PATCH its organisation and those below it, nobody else may', async () => {
  const sup = await demo.as('supervisor');
  for (const code of ['klu-minzdrav', 'klu-gov']) {
    const cur = await demo.get('orgs', code);
    const r = await sup.patch(`/api/orgs/${cur.id}`, { email: 'priemnaya@example.org' });
    assert.equal(r.status, 200, `${code}: ${r.text}`);
    assert.equal(r.json.email, 'priemnaya@example.org');
    assert.equal((await demo.get('orgs', code)).email, 'priemnaya@example.org');
  }
  const adm = await demo.get('orgs', 'klu-kaluga-adm');
  assertError(await sup.patch(`/api/orgs/${adm.id}`, { email: 'hack@example.org' }), 403, 'forbidden');
  assert.deepEqual(await demo.get('orgs', 'klu-kaluga-adm'), adm, 'a refused PATCH changed the org');
  const minstroy = await demo.get('orgs', 'klu-minstroy');
  assertError(await (await demo.as('executor')).patch(`/api/orgs/${minstroy.id}`, { email: 'hack@example.org' }), 403, 'forbidden');
  assertError(await (await demo.as('executor')).patch(`/api/orgs/${ids.minzdrav}`, { email: 'hack@example.org' }), 403, 'forbidden');
  assertError(await (await demo.as('operator')).patch(`/api/orgs/${adm.id}`, { email: 'hack@example.org' }), 403, 'forbidden');
  assert.deepEqual(await demo.get('orgs', 'klu-minstroy'), minstroy);
  // A supervisor cannot escape its subtree by re-parenting an org it covers.
  assertError(await sup.patch(`/api/orgs/${ids.minzdrav}`, { parent_id: ids.kalugaAdm }), 403, 'forbidden');
});

test('scope territory: a coordinator writes rules only inside its territory', async () => {
  const c2 = await demo.as('coordinator2'); // klu-obninsk
  const c1 = await demo.as('coordinator'); // RU-KLU
  const body = (territory_id) => ({ code: uniq('scope'), category_id: ids.category, territory_id, org_id: ids.obninskAdm });
  const mine = await c2.post('/api/rules', body(ids.obninsk));
  assert.equal(mine.status, 201, mine.text);
  let b = body(ids.kaluga);
  assertError(await c2.post('/api/rules', b), 403, 'forbidden');
  assert.equal((await demo.anon().get(`/api/rules?code=${b.code}`)).json.total, 0);
  b = body(null);
  assertError(await c2.post('/api/rules', b), 403, 'forbidden');
  assertError(await c1.post('/api/rules', body(null)), 403, 'forbidden');
  const mow = (await demo.anon().get('/api/territories?code=RU-MOW')).json.items[0]?.id ?? regions.find((x) => x !== ids.klu);
  assertError(await c1.post('/api/rules', body(mow)), 403, 'forbidden');
  // The region's coordinator covers the municipality below it.
  const inKaluga = await c1.post('/api/rules', body(ids.kaluga));
  assert.equal(inKaluga.status, 201, inKaluga.text);
  // Moving a rule out of one's territory, or touching a rule outside it, is refused.
  assertError(await c2.patch(`/api/rules/${mine.json.id}`, { territory_id: ids.kaluga }), 403, 'forbidden');
  assertError(await c2.patch(`/api/rules/${mine.json.id}`, { territory_id: null }), 403, 'forbidden');
  assert.equal((await demo.anon().get(`/api/rules/${mine.json.id}`)).json.territory_id, ids.obninsk);
  assertError(await c2.patch(`/api/rules/${inKaluga.json.id}`, { org_id: ids.obninskAdm }), 403, 'forbidden');
  assertError(await c2.delete(`/api/rules/${inKaluga.json.id}`), 403, 'forbidden');
  assert.equal((await demo.anon().get(`/api/rules/${inKaluga.json.id}`)).status, 200);
  // Inside: allowed.
  assert.equal((await c2.patch(`/api/rules/${mine.json.id}`, { org_id: ids.kalugaAdm })).status, 200);
  assert.equal((await c2.delete(`/api/rules/${mine.json.id}`)).status, 204);
  assert.equal((await c1.delete(`/api/rules/${inKaluga.json.id}`)).status, 204);
  // Other roles cannot write rules at all.
  assertError(await (await demo.as('supervisor')).post('/api/rules', body(ids.obninsk)), 403, 'forbidden');
  assertError(await (await demo.as('volunteer')).post('/api/rules', body(ids.kaluga)), 403, 'forbidden');
});
