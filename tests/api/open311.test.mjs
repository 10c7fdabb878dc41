// Open311 GeoReport v2 (docs/open311.md), case by case against the specification: discovery,
// services, service definitions, POST requests with each error, GET requests and its filters,
// requests/{id}, tokens/{token} — every reply in JSON and in XML, with the same data in both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { backend } from './lib/db.mjs';

let S;
let demo;
let keyOrg; // a key of klu-kaluga-adm (territory klu-kaluga)
let keyBare; // a key without an organisation
const V2 = '/open311/v2';
const DAY = 24 * 3600 * 1000;

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  const admin = await demo.as('admin');
  const org = await demo.id('orgs', 'klu-kaluga-adm');
  let r = await admin.post('/api/apikeys', { name: 'open311 test', org_id: org, scopes: [] });
  assert.equal(r.status, 201, r.text);
  keyOrg = r.json.key;
  r = await admin.post('/api/apikeys', { name: 'open311 bare', scopes: [] });
  assert.equal(r.status, 201, r.text);
  keyBare = r.json.key;
});
after(async () => { await S?.close(); });

// ---- a tiny XML reader: well-formedness, entities, a tree ----

const ENT = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescape(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    if (!(e in ENT)) throw new Error(`unknown entity ${m}`);
    return ENT[e];
  });
}

/** Parses an XML document (declaration required) into {name, children:[…], text}; throws when not well-formed. */
function parseXml(doc) {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(doc);
  if (!decl) throw new Error(`no XML declaration: ${doc.slice(0, 80)}`);
  const re = /<\/([A-Za-z_][\w.-]*)\s*>|<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<&]*(?:&[^;"<]+;[^"<&]*)*")*)\s*(\/?)>|([^<]+)/y;
  re.lastIndex = decl[0].length;
  const root = { name: '#doc', children: [], text: '' };
  const stack = [root];
  while (re.lastIndex < doc.length) {
    const at = re.lastIndex;
    const m = re.exec(doc);
    if (!m) throw new Error(`not well-formed at ${at}: ${doc.slice(at, at + 60)}`);
    if (m[1]) {
      const top = stack.pop();
      if (!top || top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top?.name}>`);
    } else if (m[2]) {
      const el = { name: m[2], children: [], text: '' };
      stack.at(-1).children.push(el);
      if (!m[4]) stack.push(el);
    } else {
      const t = m[5];
      if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/.test(t)) throw new Error(`raw & in text: ${t.slice(0, 60)}`);
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(t)) throw new Error('control character in text');
      if (stack.length === 1) {
        if (t.trim()) throw new Error(`text outside the root: ${t}`);
        continue;
      }
      stack.at(-1).text += unescape(t);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1).name}>`);
  if (root.children.length !== 1) throw new Error('exactly one root element expected');
  return root.children[0];
}

const LISTS = new Set(['services', 'service_requests', 'errors', 'attributes', 'values', 'endpoints', 'formats']);
/** The XML tree as the JSON value it carries: lists as arrays, leaves as strings. */
function xmlValue(el) {
  if (LISTS.has(el.name)) return el.children.map(xmlValue);
  if (!el.children.length) return el.text;
  const o = {};
  for (const c of el.children) {
    assert.ok(!(c.name in o), `<${el.name}> repeats <${c.name}>`);
    o[c.name] = xmlValue(c);
  }
  return o;
}
/** JSON with leaves as the strings XML carries (null → ''). */
function asXmlStrings(v) {
  if (Array.isArray(v)) return v.map(asXmlStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asXmlStrings(x)]));
  return v === null ? '' : String(v);
}

// ---- calls ----

/** GET in JSON (validated against openapi.json) */
async function getJson(path) {
  return demo.anon().get(`${V2}/${path.replace(/(\?|$)/, '.json$1')}`);
}
/** GET in XML: {status, root (parsed), value (as JSON), res} */
async function getXml(path) {
  const res = await demo.anon().get(`${V2}/${path.replace(/(\?|$)/, '.xml$1')}`, { validate: false });
  assert.match(res.headers['content-type'], /^text\/xml; charset=utf-8/i, `${path}: ${res.headers['content-type']}`);
  const root = parseXml(res.text);
  return { status: res.status, root, value: xmlValue(root), res };
}
/** The same resource in both formats, asserting they carry the same data; returns the JSON reply. */
async function both(path, xmlRoot, status = 200) {
  const j = await getJson(path);
  assert.equal(j.status, status, `${path}.json: ${j.text.slice(0, 300)}`);
  const x = await getXml(path);
  assert.equal(x.status, status, `${path}.xml: ${x.res.text.slice(0, 300)}`);
  assert.equal(x.root.name, xmlRoot);
  assert.deepEqual(x.value, asXmlStrings(j.json), `${path}: XML and JSON differ`);
  return j;
}

function formBody(fields) {
  if (typeof fields === 'string') return fields;
  const p = new URLSearchParams();
  for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) if (v !== undefined) p.append(k, v);
  return p.toString();
}
async function post(format, fields, { contentType = 'application/x-www-form-urlencoded' } = {}) {
  const res = await demo.fresh().request('POST', `${V2}/requests.${format}`, { body: formBody(fields), contentType, validate: format === 'json' });
  if (format === 'xml') {
    assert.match(res.headers['content-type'], /^text\/xml/);
    res.xml = parseXml(res.text);
    res.value = xmlValue(res.xml);
  }
  return res;
}
const base = () => ({ api_key: keyOrg, service_code: 'roads-potholes-local', lat: '54.5140', long: '36.2610', description: 'Глубокая яма у остановки', 'attribute[defect]': 'pothole' });
async function create(extra = {}, format = 'json') {
  const r = await post(format, { ...base(), ...extra });
  assert.equal(r.status, 201, r.text);
  return format === 'json' ? r.json[0] : r.value[0];
}
/** Count of requests in the default window (public list). */
async function total() {
  const r = await getJson('requests');
  assert.equal(r.status, 200, r.text);
  return r.json.length;
}

function sql(statement) {
  const url = S.dbHandle.url;
  const r = backend === 'postgres'
    ? spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', url.replace(/^sqlite:/, ''), statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${statement}: ${r.stderr}`);
}

// ---- discovery, services, definitions ----

test('discovery names the GeoReport v2 endpoint and both formats, in JSON and XML', async () => {
  const j = await both('discovery', 'discovery');
  const [ep] = j.json.endpoints;
  assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.match(ep.url, /\/open311\/v2$/);
  assert.deepEqual([...ep.formats].sort(), ['application/json', 'text/xml']);
  assert.match(j.json.changeset, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/);
  const x = await getXml('discovery');
  assert.deepEqual(x.value.endpoints[0].formats.sort(), ['application/json', 'text/xml']);
});

test('an unknown format is 404 in the spec error shape', async () => {
  for (const p of ['discovery.yaml', 'services.html', 'services/roads-potholes-local.csv', 'requests/1.txt', 'tokens/abc.JSON']) {
    const r = await demo.anon().get(`${V2}/${p}`);
    assert.equal(r.status, 404, `${p}: ${r.text}`);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].code, 404);
    assert.equal(typeof r.json[0].description, 'string');
  }
});

test('services: every active topic, with group, metadata and type; the same in XML', async () => {
  const j = await both('services', 'services');
  const topics = await demo.anon().get('/api/topics?limit=500&active=1');
  const active = topics.json.items.filter((t) => t.active !== false);
  assert.equal(j.json.length, active.length, 'one service per active topic');
  const pot = j.json.find((s) => s.service_code === 'roads-potholes-local');
  assert.ok(pot, 'the pothole topic is a service');
  assert.equal(pot.service_name, (await demo.get('topics', 'roads-potholes-local')).name);
  assert.equal(pot.group, 'Дороги');
  assert.equal(pot.metadata, true, 'it has attributes');
  assert.equal(pot.type, 'realtime');
  const doc = j.json.find((s) => s.service_code === 'health-appointment');
  assert.equal(doc.metadata, false);
  assert.match(doc.description, /медицинскую организацию/, 'description = the topic hint');
});

test('service definition: attributes with datatypes, order and values; unknown service → 404', async () => {
  const j = await both('services/roads-potholes-local', 'service_definition');
  assert.equal(j.json.service_code, 'roads-potholes-local');
  const [defect, area] = j.json.attributes;
  assert.equal(defect.code, 'defect');
  assert.equal(defect.datatype, 'singlevaluelist');
  assert.equal(defect.required, true);
  assert.equal(defect.variable, true);
  assert.equal(defect.order, 1);
  assert.deepEqual(defect.values.map((v) => v.key), ['pothole', 'crack', 'rut', 'hatch']);
  assert.equal(defect.values[0].name, 'Выбоина');
  assert.equal(area.datatype, 'number');
  assert.equal(area.required, false);
  assert.equal(area.values, undefined, 'no values for a number');
  const h = await both('services/housing-repair', 'service_definition');
  assert.deepEqual(h.json.attributes.map((a) => [a.code, a.datatype]), [['entrance', 'number'], ['floor', 'number'], ['problem', 'multivaluelist']]);
  const none = await both('services/health-appointment', 'service_definition');
  assert.deepEqual(none.json.attributes, []);
  for (const code of ['no-such-topic', '%3Cscript%3E', '%01']) {
    const r = await demo.anon().get(`${V2}/services/${code}.json`);
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json[0].code, 404);
    const x = await getXml(`services/${code}`);
    assert.equal(x.status, 404);
    assert.equal(x.value[0].code, '404');
  }
});

// ---- POST requests: errors ----

test('POST requests: each error in both formats, exact shapes, nothing stored', async () => {
  const before = await total();
  const cases = [
    ['no api_key', () => { const b = base(); delete b.api_key; return b; }, 403, /api_key/],
    ['bad api_key', () => ({ ...base(), api_key: 'otk_nope' }), 403, /api_key/],
    ['no service_code', () => { const b = base(); delete b.service_code; return b; }, 400, /service_code/],
    ['unknown service', () => ({ ...base(), service_code: 'no-such-service' }), 400, /service_code/],
    ['no location', () => { const b = base(); delete b.lat; delete b.long; return b; }, 400, /location required/],
    ['lat without long', () => { const b = base(); delete b.long; return b; }, 400, /lat/],
    ['lat out of range', () => ({ ...base(), lat: '91' }), 400, /lat/],
    ['address but key without territory', () => { const b = { ...base(), api_key: keyBare, address_string: 'ул. Ленина, 1' }; delete b.lat; delete b.long; return b; }, 400, /location required/],
    ['no description', () => { const b = base(); delete b.description; return b; }, 400, /description/],
    ['blank description', () => ({ ...base(), description: '   ' }), 400, /description/],
    ['bad attribute value', () => ({ ...base(), 'attribute[defect]': 'meteorite' }), 400, /attribute\[defect\]/],
    ['bad number attribute', () => ({ ...base(), 'attribute[area]': 'много' }), 400, /attribute\[area\]/],
    ['missing required attribute', () => { const b = base(); delete b['attribute[defect]']; return b; }, 400, /attribute\[defect\]/],
    ['unknown attribute', () => ({ ...base(), 'attribute[colour]': 'red' }), 400, /colour/],
    ['two values for a single-value list', () => [...Object.entries(base()), ['attribute[defect]', 'rut']], 400, /attribute\[defect\]/],
    ['service_code twice', () => [...Object.entries(base()), ['service_code', 'light-street']], 400, /service_code/],
    ['bad email', () => ({ ...base(), email: 'not-an-email' }), 400, /email/],
    ['bad media_url', () => ({ ...base(), media_url: 'javascript:alert(1)' }), 400, /media_url/],
    ['invalid %XX', () => formBody(base()) + '&description=%zz', 400, /%/],
    ['invalid UTF-8', () => formBody({ ...base(), description: undefined }) + '&description=%FF%FE', 400, /UTF-8/],
  ];
  const wrong = [];
  for (const [label, body, status, desc] of cases) {
    for (const fmt of ['json', 'xml']) {
      const r = await post(fmt, body());
      const errs = fmt === 'json' ? r.json : r.value;
      const ok = r.status === status && Array.isArray(errs) && errs.length === 1 &&
        String(errs[0].code) === String(status) && desc.test(errs[0].description) &&
        (fmt === 'json' ? typeof errs[0].code === 'number' : r.xml.name === 'errors' && r.xml.children[0].name === 'error');
      if (!ok) wrong.push(`${label} (${fmt}): ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length} error cases answered wrongly`);
  // not form-encoded at all
  const js = await post('json', JSON.stringify(base()), { contentType: 'application/json' });
  assert.equal(js.status, 400);
  assert.match(js.json[0].description, /x-www-form-urlencoded/);
  assert.equal(await total(), before, 'a refused request stored nothing');
});

// ---- POST requests: success, and reading it back ----

test('POST requests → 201 [{service_request_id, service_notice, account_id, token}]; requests/{id} and tokens/{token} show it in both formats', async () => {
  const text = 'Яма <b>глубокая</b> & "опасная" \'очень\'';
  const r = await post('json', { ...base(), description: text, 'attribute[area]': '2.5', first_name: 'Иван', last_name: 'Петров', email: 'ivan@example.org', phone: '+7 900 000-00-00', media_url: 'https://example.org/photo.jpg', device_id: 'dev-1', account_id: 'acc-1' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.length, 1);
  const [made] = r.json;
  assert.match(made.service_request_id, /^\d+$/);
  assert.equal(made.account_id, null);
  assert.equal(typeof made.service_notice, 'string');
  assert.ok(made.token.length >= 8);

  const j = await both(`requests/${made.service_request_id}`, 'service_requests');
  assert.equal(j.json.length, 1);
  const q = j.json[0];
  assert.equal(q.service_request_id, made.service_request_id);
  assert.equal(q.status, 'open');
  assert.equal(q.service_code, 'roads-potholes-local');
  assert.equal(q.service_name, (await demo.get('topics', 'roads-potholes-local')).name);
  assert.equal(q.description, text);
  assert.equal(q.lat, 54.514);
  assert.equal(q.long, 36.261);
  assert.equal(q.media_url, 'https://example.org/photo.jpg');
  assert.equal(q.agency_responsible, (await demo.get('orgs', 'klu-kaluga-adm')).name, 'routed by the competence rules');
  for (const k of ['requested_datetime', 'updated_datetime', 'expected_datetime']) assert.match(q[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/, k);
  assert.ok(Math.abs(Date.parse(q.requested_datetime) - Date.now()) < 10 * 60 * 1000, 'requested now');
  assert.ok(Date.parse(q.expected_datetime) > Date.parse(q.requested_datetime), 'the deadline is ahead');
  const raw = JSON.stringify(j.json);
  for (const secret of ['Иван', 'Петров', 'ivan@example.org', '900 000']) assert.ok(!raw.includes(secret), `public reply leaks ${secret}`);

  // XML escaping: the raw document carries entities, the parsed text is the original
  const x = await getXml(`requests/${made.service_request_id}`);
  assert.ok(x.res.text.includes('Яма &lt;b&gt;глубокая&lt;/b&gt; &amp; &quot;опасная&quot; &apos;очень&apos;'), x.res.text);
  assert.equal(x.value[0].description, text);

  const t = await both(`tokens/${made.token}`, 'service_requests');
  assert.deepEqual(t.json, [{ service_request_id: made.service_request_id, token: made.token }]);
  const unknown = await getJson('tokens/no-such-token');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json[0].code, 404);

  // staff see the person and the channel
  const admin = await demo.as('admin');
  const full = await admin.get(`/api/appeals/${made.service_request_id}`, { validate: false });
  assert.equal(full.status, 200, full.text);
  assert.equal(full.json.channel, 'open311');
  assert.equal(full.json.person?.name, 'Иван Петров');
  assert.match(full.json.person?.contact || '', /ivan@example\.org/);
});

test('POST requests.xml replies in XML; address_string alone uses the key organisation territory', async () => {
  const b = base();
  delete b.lat;
  delete b.long;
  const r = await post('xml', { ...b, address_string: 'Калуга, ул. Ленина, 1' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.xml.name, 'service_requests');
  const [made] = r.value;
  assert.match(made.service_request_id, /^\d+$/);
  assert.equal(made.account_id, '');
  const j = await both(`requests/${made.service_request_id}`, 'service_requests');
  assert.equal(j.json[0].address, 'Калуга, ул. Ленина, 1');
  assert.equal(j.json[0].lat, null);
  const admin = await demo.as('admin');
  const full = await admin.get(`/api/appeals/${made.service_request_id}`, { validate: false });
  assert.equal(full.json.territory_id, await demo.id('territories', 'klu-kaluga'));
});

test('form encoding: + and %20 are spaces, %D0%9F Cyrillic, repeated multi-value attributes', async () => {
  const body = `api_key=${encodeURIComponent(keyOrg)}&service_code=housing-repair&lat=54.51&long=36.26` +
    '&description=%D0%9F%D0%BE%D0%B4%D1%8A%D0%B5%D0%B7%D0%B4+%D1%82%D0%B5%D1%87%D1%91%D1%82%20%D0%BA%D1%80%D1%8B%D1%88%D0%B0' +
    '&attribute%5Bentrance%5D=3&attribute[problem][]=roof&attribute[problem][]=stairs';
  const r = await post('json', body);
  assert.equal(r.status, 201, r.text);
  const j = await getJson(`requests/${r.json[0].service_request_id}`);
  assert.equal(j.json[0].description, 'Подъезд течёт крыша');
  // a value outside the list, among good ones, is refused
  const bad = await post('json', body.replace('stairs', 'elevator'));
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.json[0].description, /attribute\[problem\]/);
  // the entrance must be a number; a datetime must be ISO 8601
  assert.equal((await post('json', body.replace('entrance%5D=3', 'entrance%5D=third'))).status, 400);
  const light = { ...base(), service_code: 'light-street', 'attribute[defect]': undefined };
  assert.equal((await post('json', { ...light, 'attribute[noticed_at]': 'вчера' })).status, 400);
  assert.equal((await post('json', { ...light, 'attribute[noticed_at]': '2026-01-15T18:30:00+03:00' })).status, 201);
});

// ---- GET requests: filters and windows ----

test('GET requests: service_code, status, service_request_id, dates; newest first', async () => {
  const a = await create({ description: 'Фильтр: яма' });
  const b = await create({ service_code: 'light-street', 'attribute[defect]': undefined, description: 'Фильтр: фонарь' });
  const c = await create({ description: 'Фильтр: ещё яма' });
  // close c: rejected by the coordinator
  const coord = await demo.as('coordinator');
  const rej = await coord.post(`/api/appeals/${c.service_request_id}/reject`, { reason: 'not_competent', comment: 'Вне компетенции' }, { validate: false });
  assert.equal(rej.status, 200, rej.text);

  const ids = (res) => res.json.map((x) => x.service_request_id);
  const light = await both('requests?service_code=light-street', 'service_requests');
  assert.ok(light.json.length >= 1);
  assert.ok(light.json.every((x) => x.service_code === 'light-street'));
  assert.ok(ids(light).includes(b.service_request_id));
  const two = await getJson('requests?service_code=light-street,roads-potholes-local');
  for (const x of [a, b, c]) assert.ok(ids(two).includes(x.service_request_id));
  const times = two.json.map((x) => Date.parse(x.requested_datetime));
  assert.deepEqual(times, [...times].sort((p, q) => q - p), 'newest first');

  const open = await getJson('requests?status=open&service_code=roads-potholes-local');
  assert.ok(open.json.every((x) => x.status === 'open'));
  assert.ok(ids(open).includes(a.service_request_id) && !ids(open).includes(c.service_request_id));
  const closed = await both('requests?status=closed', 'service_requests');
  assert.ok(closed.json.every((x) => x.status === 'closed'));
  const cx = closed.json.find((x) => x.service_request_id === c.service_request_id);
  assert.ok(cx, 'the rejected appeal is closed');
  assert.match(cx.status_notes, /компетенции/, 'status_notes = the reject reason');
  assert.equal(cx.expected_datetime, null);
  const any = await getJson('requests?status=open,closed&service_code=roads-potholes-local');
  assert.ok(ids(any).includes(a.service_request_id) && ids(any).includes(c.service_request_id));

  // service_request_id: a list, and the other filters are ignored
  const byId = await both(`requests?service_request_id=${a.service_request_id},${c.service_request_id}&status=open&service_code=light-street`, 'service_requests');
  assert.deepEqual(ids(byId).sort(), [a.service_request_id, c.service_request_id].sort());

  // dates: a window around now has them, one in the past does not
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const now = Date.now();
  const win = await getJson(`requests?start_date=${iso(now - 3600e3)}&end_date=${encodeURIComponent(new Date(now + 3600e3).toISOString().slice(0, 19) + '+00:00')}`);
  assert.ok(ids(win).includes(a.service_request_id));
  const past = await getJson(`requests?end_date=${iso(now - 91 * DAY)}`);
  assert.ok(!ids(past).includes(a.service_request_id));
  const future = await getJson(`requests?start_date=${iso(now + DAY)}`);
  assert.deepEqual(future.json, []);

  const wrong = [];
  for (const q of ['status=pending', 'status=', 'start_date=yesterday', 'end_date=2026-13-01', 'start_date=2026-02-31',
    `start_date=${iso(now - 100 * DAY)}&end_date=${iso(now)}`, `start_date=${iso(now)}&end_date=${iso(now - DAY)}`,
    'service_request_id=abc', 'service_request_id=1,-2',
    // bytes that are not UTF-8 or a NUL: the spec's 400, not a 500 (found by fuzz/fuzz_open311)
    'service_request_id=1,2%DA%203', 'service_code=%FF', 'status=open%00closed']) {
    const r = await getJson(`requests?${q}`);
    if (r.status !== 400 || r.json?.[0]?.code !== 400) wrong.push(`${q}: ${r.status} ${r.text.slice(0, 120)}`);
    const x = await getXml(`requests?${q}`);
    if (x.status !== 400 || x.value[0].code !== '400') wrong.push(`${q} (xml): ${x.status}`);
  }
  assert.deepEqual(wrong, []);
});

test('GET requests: the default window is the last 90 days', async () => {
  const old = await create({ description: 'Давняя яма' });
  const fresh = await create({ description: 'Свежая яма' });
  const at = Date.now() - 100 * DAY;
  sql(`UPDATE appeals SET created_at = ${at}, updated_at = ${at} WHERE id = ${old.service_request_id}`);
  const ids = (res) => res.json.map((x) => x.service_request_id);
  const def = await getJson('requests');
  assert.ok(ids(def).includes(fresh.service_request_id));
  assert.ok(!ids(def).includes(old.service_request_id), 'older than 90 days is outside the default window');
  const iso = (ms) => new Date(ms).toISOString();
  const then = await getJson(`requests?start_date=${iso(at - DAY)}&end_date=${iso(at + DAY)}`);
  // (the demo's other regions have appeals of that time too)
  assert.ok(ids(then).includes(old.service_request_id), 'the old one is inside its own window');
  assert.ok(!ids(then).includes(fresh.service_request_id), 'the fresh one is not');
  const x = await getXml(`requests/${old.service_request_id}`);
  assert.equal(x.status, 200, 'requests/{id} is not windowed');
  assert.equal(Date.parse(x.value[0].requested_datetime), Math.floor(at / 1000) * 1000);
  const byId = await getJson(`requests?service_request_id=${old.service_request_id}`);
  assert.deepEqual(ids(byId), [old.service_request_id]);
});

test('requests/{id}: unknown or malformed ids are 404 in both formats', async () => {
  for (const id of ['999999', 'abc', '0', '-1', '1e3']) {
    const j = await getJson(`requests/${id}`);
    assert.equal(j.status, 404, `${id}: ${j.text}`);
    assert.deepEqual(Object.keys(j.json[0]).sort(), ['code', 'description']);
    const x = await getXml(`requests/${id}`);
    assert.equal(x.status, 404);
    assert.equal(x.root.name, 'errors');
  }
});

test('GET requests returns at most the row limit, newest first (OTKLIK_OPEN311_MAX_REQUESTS=2)', async () => {
  const S2 = await bootServer({ env: { OTKLIK_OPEN311_MAX_REQUESTS: '2' } });
  try {
    const d2 = new Demo(S2.base);
    const admin = await d2.as('admin');
    const k = await admin.post('/api/apikeys', { name: uniq('lim'), org_id: await d2.id('orgs', 'klu-kaluga-adm'), scopes: [] });
    const made = [];
    for (let i = 0; i < 3; i++) {
      const r = await d2.fresh().request('POST', `${V2}/requests.json`, { body: formBody({ ...base(), api_key: k.json.key, description: `Яма ${i}` }), contentType: 'application/x-www-form-urlencoded' });
      assert.equal(r.status, 201, r.text);
      made.push(r.json[0].service_request_id);
    }
    const r = await d2.anon().get(`${V2}/requests.json`);
    assert.deepEqual(r.json.map((x) => x.service_request_id), [made[2], made[1]]);
    const x = await d2.anon().get(`${V2}/requests.xml`, { validate: false });
    assert.equal(parseXml(x.text).children.length, 2);
  } finally {
    await S2.close();
  }
});
