// Service endpoints: /healthz, /metrics, /api/openapi.json, 404 and 405.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { bootServer } from './lib/server.mjs';
import { backend } from './lib/db.mjs';
import { Demo } from './lib/demo.mjs';
import { Client, assertError } from './lib/client.mjs';
import { spec, operations, checkResponse } from './lib/openapi.mjs';

let S;
let demo;
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
});
after(async () => { await S?.close(); });

/** Every route of docs/api.md (and the service routes), as METHOD path. */
const DOCUMENTED = `
GET /healthz
GET /metrics
GET /api/openapi.json
POST /api/auth/login
POST /api/auth/logout
POST /api/auth/register
GET /api/auth/providers
GET /auth/oidc/start
GET /auth/oidc/callback
GET /api/me
PATCH /api/me
GET /api/territories
POST /api/territories
GET /api/territories/{id}
PATCH /api/territories/{id}
DELETE /api/territories/{id}
GET /api/territories/{id}/polygon
PUT /api/territories/{id}/polygon
GET /api/orgs
POST /api/orgs
GET /api/orgs/{id}
PATCH /api/orgs/{id}
DELETE /api/orgs/{id}
GET /api/categories
POST /api/categories
GET /api/categories/{id}
PATCH /api/categories/{id}
DELETE /api/categories/{id}
GET /api/topics
POST /api/topics
GET /api/topics/{id}
PATCH /api/topics/{id}
DELETE /api/topics/{id}
GET /api/rules
POST /api/rules
GET /api/rules/{id}
PATCH /api/rules/{id}
DELETE /api/rules/{id}
GET /api/route
POST /api/import/{collection}
GET /api/users
GET /api/users/{id}
POST /api/users/{id}/roles
DELETE /api/users/{id}/roles/{grant_id}
POST /api/apikeys
GET /api/audit
`.trim().split('\n');

test('GET /healthz answers {"status":"ok"} as JSON', async () => {
  const r = await demo.anon().get('/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(r.json, { status: 'ok' });
});

test('GET /metrics is Prometheus text with request counters by route and status, a latency histogram and database timings', async () => {
  const c = demo.anon();
  // Produce traffic the counters must reflect: a 200 on a templated route, and a 404.
  const tid = await demo.id('territories', 'RU-KLU');
  for (let i = 0; i < 3; i++) assert.equal((await c.get(`/api/territories/${tid}`)).status, 200);
  assert.equal((await c.get('/api/territories/987654321')).status, 404);
  // A request is counted when it completes, which may be just after its client saw the answer:
  // read /metrics until the 404 shows (2 s at most).
  let r;
  for (let i = 0; i < 40; i++) {
    r = await c.get('/metrics');
    if (/status="404"/.test(r.text) || r.status !== 200) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/plain/);
  const text = r.text;
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
  assert.ok(types.size > 0, 'no # TYPE lines');
  // Every sample line parses as name{labels} value.
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels = {};
    for (const lm of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    const value = Number(m[4]);
    assert.ok(!Number.isNaN(value) || /^[+-]?Inf$|^NaN$/.test(m[4]), `bad value in ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  const template = '/api/territories/{id}';
  const opId = spec.paths[template].get.operationId;
  const isRoute = (v) => v === template || v === opId;
  // A counter keyed by route and status that counted our three 200s and the 404.
  const counters = samples.filter((s) => types.get(s.name) === 'counter' || (types.get(s.name.replace(/_total$/, '')) === 'counter'));
  const ok = counters.filter((s) => Object.values(s.labels).some(isRoute) && Object.values(s.labels).includes('200'));
  assert.ok(ok.length > 0, `no counter sample labelled with route ${template} and status 200:\n${text.slice(0, 3000)}`);
  assert.ok(ok.some((s) => s.value >= 3), `the route counter did not count 3 requests: ${JSON.stringify(ok)}`);
  assert.ok(counters.some((s) => Object.values(s.labels).some(isRoute) && Object.values(s.labels).includes('404')),
    'no counter sample for the 404 on the same route');
  // Routes are labelled by template, never by raw path (unbounded cardinality).
  assert.ok(!samples.some((s) => Object.values(s.labels).some((v) => /\/api\/territories\/\d+/.test(v))),
    'a metric label carries a raw path with an id');
  // A latency histogram with buckets, sum and count.
  const hist = [...types].filter(([, t]) => t === 'histogram').map(([n]) => n);
  assert.ok(hist.length > 0, 'no histogram');
  const lat = hist.find((n) => samples.some((s) => s.name === `${n}_bucket` && Object.values(s.labels).some(isRoute)))
    ?? hist.find((n) => /request|http|latency|duration/.test(n));
  assert.ok(lat, `no request latency histogram among ${hist.join(', ')}`);
  assert.ok(samples.some((s) => s.name === `${lat}_bucket` && s.labels.le === '+Inf'), `${lat} has no le="+Inf" bucket`);
  assert.ok(samples.some((s) => s.name === `${lat}_count` && s.value > 0), `${lat}_count is 0`);
  assert.ok(samples.some((s) => s.name === `${lat}_sum`), `${lat}_sum missing`);
  // Database timings: a metric about the database that has observed something.
  const dbm = samples.filter((s) => /(^|_)(db|database|sql|store)(_|$)/.test(s.name) && /_count$|_sum$|_total$|_seconds/.test(s.name));
  assert.ok(dbm.some((s) => s.value > 0), `no database timing metric with observations:\n${[...types.keys()].join('\n')}`);
});

test('GET /api/openapi.json serves src/http/openapi.json', async () => {
  const r = await demo.anon().get('/api/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(r.json, spec);
});

test('openapi.json is a valid OpenAPI 3.1 document', () => {
  assert.match(spec.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof spec.info?.title, 'string');
  assert.equal(typeof spec.info?.version, 'string');
  // Every $ref resolves.
  const resolve = (ref) => ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((o, k) => o?.[k], spec);
  const walk = (node, at) => {
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${at}/${i}`));
    if (node && typeof node === 'object') {
      if (typeof node.$ref === 'string') {
        assert.ok(node.$ref.startsWith('#/'), `external $ref at ${at}`);
        assert.notEqual(resolve(node.$ref), undefined, `unresolved $ref ${node.$ref} at ${at}`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    }
  };
  walk(spec, '#');
  // Every schema compiles as JSON Schema 2020-12 (the 3.1 dialect).
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, keywords: ['example', 'openapi', 'info', 'jsonSchemaDialect', 'servers', 'tags', 'paths', 'components', 'security', 'webhooks', 'externalDocs'] });
  addFormats(ajv);
  ajv.addSchema(spec, 'https://otklik.test/openapi.json');
  for (const k of Object.keys(spec.components.schemas)) {
    assert.doesNotThrow(() => ajv.compile({ $ref: `https://otklik.test/openapi.json#/components/schemas/${k}` }), `schema ${k}`);
  }
  const ids = new Set();
  const roles = new Set(['public', 'authenticated', 'citizen', 'operator', 'executor', 'supervisor', 'coordinator', 'organiser', 'moderator', 'volunteer', 'admin']);
  for (const { method, path, op } of operations) {
    const where = `${method} ${path}`;
    assert.ok(path.startsWith('/'), where);
    assert.ok(op.operationId && !ids.has(op.operationId), `${where}: missing or duplicate operationId`);
    ids.add(op.operationId);
    assert.ok(op.responses && Object.keys(op.responses).length > 0, `${where}: no responses`);
    const tpl = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    const declared = (op.parameters || []).filter((p) => p.in === 'path').map((p) => { assert.equal(p.required, true, `${where}: path parameter ${p.name} not required`); return p.name; }).sort();
    assert.deepEqual(declared, tpl, `${where}: path parameters`);
    assert.ok(Array.isArray(op['x-roles']) && op['x-roles'].length > 0, `${where}: x-roles`);
    for (const x of op['x-roles']) assert.ok(roles.has(x), `${where}: unknown role ${x}`);
    if (op['x-scope'] !== undefined) assert.ok(['org', 'territory'].includes(op['x-scope']), `${where}: x-scope`);
    const js = op.requestBody?.content?.['application/json']?.schema;
    if (js) {
      const s = js.$ref ? resolve(js.$ref) : js;
      if (s.type === 'object') assert.equal(s.additionalProperties, false, `${where}: request body without additionalProperties:false`);
    }
  }
});

test('openapi.json lists every documented route, scoped routes carry x-scope, and the server knows each route', async () => {
  const listed = operations.map((o) => `${o.method} ${o.path}`);
  for (const r of DOCUMENTED) assert.ok(listed.includes(r), `openapi.json lacks ${r}`);
  const byKey = Object.fromEntries(operations.map((o) => [`${o.method} ${o.path}`, o.op]));
  assert.equal(byKey['PATCH /api/orgs/{id}']['x-scope'], 'org');
  for (const m of ['POST /api/rules', 'PATCH /api/rules/{id}', 'DELETE /api/rules/{id}']) assert.equal(byKey[m]['x-scope'], 'territory', m);
  // The route table answers every listed path: never 405 for a listed method.
  const c = demo.anon();
  for (const { method, path, op } of operations) {
    const enumOf = (name) => (op.parameters || []).find((x) => x.name === name)?.schema?.enum?.[0];
    const p = path.replace('{path}', 'x.js').replace(/\{([^}]+)\}/g, (_, name) => enumOf(name) ?? '1');
    const r = await c.request(method, p, ['POST', 'PUT', 'PATCH'].includes(method) ? { json: {}, validate: false } : { validate: false });
    assert.notEqual(r.status, 405, `${method} ${p} → 405: the server does not route it`);
  }
});

test('an unknown path is a 404 JSON error', async () => {
  const c = demo.anon();
  for (const p of ['/api/no-such-thing', '/api/territories/1/nope', '/no-such-page']) {
    const r = await c.get(p);
    assertError(r, 404, 'not_found');
    assert.ok(r.json.error.message.length > 0);
  }
  assertError(await c.get('/api/territories/987654321'), 404, 'not_found');
});

test('a wrong method on a known path is 405 with an Allow header', async () => {
  const c = demo.anon();
  let r = await c.request('PUT', '/api/territories', { json: {} });
  assertError(r, 405, 'method_not_allowed');
  const allow = (r.headers.allow || '').split(',').map((s) => s.trim());
  assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow: ${r.headers.allow}`);
  r = await c.request('DELETE', '/healthz');
  assertError(r, 405, 'method_not_allowed');
  r = await c.request('GET', '/api/auth/login');
  assertError(r, 405, 'method_not_allowed');
});

test('healthz says 503 db_unavailable when the database goes away, and the server still stops gracefully', { skip: backend !== 'postgres' && 'needs PostgreSQL (a SQLite file cannot be taken away from an open server)' }, async () => {
  const T = await bootServer();
  try {
    assert.equal((await fetch(`${T.base}/healthz`)).status, 200);
    T.dbHandle.drop(); // DROP DATABASE … WITH (FORCE): every connection is cut
    const h = await fetch(`${T.base}/healthz`);
    assert.equal(h.status, 503);
    assert.deepEqual(await h.json(), { status: 'db_unavailable' });
    const c = new Client(T.base);
    const l = await c.get('/api/territories');
    assertError(l, 500, ['db_unavailable', 'internal']);
  } finally {
    await T.close();
  }
});

test('static files cannot escape their directory', async () => {
  for (const p of ['/static/../../../../etc/passwd', '/static/..%2f..%2f..%2fetc%2fpasswd', '/static/%2e%2e/%2e%2e/etc/passwd', '/static/../src/main.c', '/static//etc/passwd']) {
    const r = await demo.anon().request('GET', p, { validate: false });
    assert.ok(!/root:.*:0:0:/.test(r.text) && !r.text.includes('#include'), `${p} leaked a file`);
    assert.ok(r.status === 404 || r.status === 400, `${p} → ${r.status}`);
  }
});

test('the contract check itself catches wrong bodies (a validator that accepts everything would hide bugs)', () => {
  const res = (status, json, type = 'application/json') => ({ status, headers: { 'content-type': type }, text: JSON.stringify(json), json });
  const user = { id: 1, login: 'a', name: 'A', email: null, phone: null, birth_year: null, sex: null, home_territory_id: null, verified: false, created_at: 1 };
  assert.deepEqual(checkResponse('GET', '/api/me', res(200, { user, roles: [], csrf_token: 'x'.repeat(32) })), []);
  assert.notDeepEqual(checkResponse('GET', '/api/me', res(200, { user: { ...user, password_hash: 'x' }, roles: [], csrf_token: 'x'.repeat(32) })), []);
  assert.notDeepEqual(checkResponse('GET', '/api/me', res(200, { user: { ...user, sex: 'x' }, roles: [], csrf_token: 'x'.repeat(32) })), []);
  assert.notDeepEqual(checkResponse('GET', '/api/territories/5', res(200, { id: 5 })), []);
  assert.notDeepEqual(checkResponse('GET', '/api/territories', res(200, { items: [], total: 0 }, 'text/html')), []);
  assert.notDeepEqual(checkResponse('GET', '/api/territories', res(201, { items: [], total: 0 })), [], 'an undocumented 2xx');
  assert.deepEqual(checkResponse('POST', '/api/orgs', res(422, { error: { code: 'validation_failed', message: 'Ошибка', field: 'name' } })), []);
  assert.notDeepEqual(checkResponse('POST', '/api/orgs', res(422, { error: 'validation_failed' })), []);
  assert.notDeepEqual(checkResponse('POST', '/api/orgs', res(422, { error: { code: 'ValidationFailed', message: 'x' } })), []);
  assert.notDeepEqual(checkResponse('GET', '/nope', { status: 404, headers: { 'content-type': 'text/html' }, text: '<h1>404</h1>' }), []);
});

test('responses carry security headers; API answers are not cached', async () => {
  const c = demo.anon();
  const api = await c.get('/api/territories?limit=1');
  assert.equal(api.headers['x-content-type-options'], 'nosniff');
  assert.match(api.headers['cache-control'] || '', /no-store/);
  const page = await c.get('/', { validate: false });
  if (page.status === 200) {
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.match(page.headers['content-security-policy'] || '', /frame-ancestors 'none'|default-src/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
  }
  const me = await (await demo.as('citizen')).get('/api/me');
  assert.match(me.headers['cache-control'] || '', /no-store/, 'personal data must not be cached');
});
