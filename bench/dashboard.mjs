// bench/dashboard.mjs BASE IDS.json: dashboard requests against a server holding many appeals.
// Logs in as the demo admin, then for each request kind sends BENCH_DASH_REQUESTS requests
// (random filters from IDS: regions, municipalities, topics, bodies) from BENCH_DASH_CLIENTS
// concurrent clients, and prints one JSON line per kind: {kind, n, p50_ms, p95_ms, p99_ms, max_ms,
// errors}. Latency is measured on the client (loopback), whole response read.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [base, idsFile] = process.argv.slice(2);
const ids = JSON.parse(readFileSync(idsFile, 'utf8'));
const N = Number(process.env.BENCH_DASH_REQUESTS || 200);
const CLIENTS = Number(process.env.BENCH_DASH_CLIENTS || 2);
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
const u = new URL(base);

function req(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : null;
    const r = http.request({ host: u.hostname, port: u.port, path, method, agent,
      headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    if (data) r.write(data);
    r.end();
  });
}

const login = await req('POST', '/api/auth/login', { login: 'admin', password: 'otklik-demo' });
if (login.status !== 200) throw new Error(`login: ${login.status} ${login.body}`);
const cookie = login.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const day = (d) => new Date(Date.now() + 3 * 3600e3 - d * 86400e3).toISOString().slice(0, 10);
const period = (days) => `from=${day(days - 1)}&to=${day(0)}`;

const kinds = {
  'summary country 30d': () => `/api/analytics/summary?${period(30)}`,
  'summary region 365d': () => `/api/analytics/summary?${period(365)}&territory_id=${pick(ids.regions)}`,
  'summary municipality 90d': () => `/api/analytics/summary?${period(90)}&territory_id=${pick(ids.munis)}`,
  'summary region+category 30d': () => `/api/analytics/summary?${period(30)}&territory_id=${pick(ids.regions)}&category_id=${pick(ids.categories)}`,
  'summary topic 365d (months)': () => `/api/analytics/summary?${period(365)}&topic_id=${pick(ids.topics)}`,
  'summary body 90d (months)': () => `/api/analytics/summary?${period(90)}&org_id=${pick(ids.bodies)}`,
  'series region daily 365d': () => `/api/analytics/series?${period(365)}&territory_id=${pick(ids.regions)}&metric=received&grain=day`,
  'breakdown country by region 30d': () => `/api/analytics/breakdown?${period(30)}&by=territory`,
  'breakdown region by category 90d': () => `/api/analytics/breakdown?${period(90)}&territory_id=${pick(ids.regions)}&by=category`,
  'problems region 30d': () => `/api/analytics/problems?${period(30)}&territory_id=${pick(ids.regions)}&sort=growth`,
  'export summary xlsx': () => `/api/analytics/summary?${period(30)}&territory_id=${pick(ids.regions)}&format=xlsx`,
  'ratings regions': () => '/api/ratings/regions',
};

const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
for (const [kind, make] of Object.entries(kinds)) {
  const lat = [];
  let errors = 0;
  let left = N;
  // one warm-up request
  await req('GET', make(), null, { cookie });
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (left-- > 0) {
      const t0 = process.hrtime.bigint();
      const r = await req('GET', make(), null, { cookie });
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 200) errors++;
    }
  }));
  lat.sort((a, b) => a - b);
  const f = (x) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({ kind, n: lat.length, p50_ms: f(q(lat, 0.5)), p95_ms: f(q(lat, 0.95)), p99_ms: f(q(lat, 0.99)), max_ms: f(lat[lat.length - 1]), errors }));
}
agent.destroy();
