// HTTP client for the API tests: cookie jar, CSRF header on writes, optional Bearer key, and
// validation of every JSON response against src/http/openapi.json.
//
// It speaks node:http rather than fetch for two reasons: each client can connect from its own loopback
// address (127.0.x.y), so the per-IP login rate limit of one client does not starve the others, and a
// test can see exactly what went over the wire (Set-Cookie lines, raw bodies, trickled uploads).
import http from 'node:http';
import assert from 'node:assert/strict';
import { checkResponse } from './openapi.mjs';

let nextAddr = Math.floor(Math.random() * 200) * 250;
/** A loopback address (127.x.y.z, never 127.0.0.1) not used by any other client of this process. */
export function newLocalAddress() {
  const n = nextAddr++;
  return `127.${1 + ((n / 62500) | 0) % 250}.${((n / 250) | 0) % 250}.${(n % 250) + 2}`;
}

const agents = new Map();
function agentFor(addr) {
  if (!agents.has(addr)) agents.set(addr, new http.Agent({ keepAlive: false, localAddress: addr }));
  return agents.get(addr);
}

/** One HTTP exchange. Returns {status, headers, text, json, setCookies}. */
export function rawRequest(base, method, path, { headers = {}, body, localAddress, timeout = 30000 } = {}) {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers,
      agent: localAddress ? agentFor(localAddress) : undefined, timeout,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json;
        if ((res.headers['content-type'] || '').toLowerCase().startsWith('application/json') && text.length) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        const sc = res.headers['set-cookie'] || [];
        resolve({ status: res.statusCode, headers: res.headers, text, json, buf, setCookies: sc });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

/** Parse Set-Cookie lines into [{name, value, attrs:{lower-case name: value|true}}]. */
export function parseSetCookies(lines) {
  return lines.map((line) => {
    const [nv, ...rest] = line.split(';');
    const i = nv.indexOf('=');
    const attrs = {};
    for (const a of rest) {
      const j = a.indexOf('=');
      if (j < 0) attrs[a.trim().toLowerCase()] = true;
      else attrs[a.slice(0, j).trim().toLowerCase()] = a.slice(j + 1).trim();
    }
    return { name: nv.slice(0, i).trim(), value: nv.slice(i + 1).trim(), attrs };
  });
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class Client {
  constructor(base, { localAddress = newLocalAddress(), bearer = null, name = 'anonymous' } = {}) {
    this.base = base;
    this.localAddress = localAddress;
    this.bearer = bearer;
    this.name = name;
    this.cookies = new Map();
    this.csrf = null;
  }

  get session() { return this.cookies.get('otklik_session') || null; }

  /**
   * request(method, path, opts):
   *   json: value sent as application/json; body + contentType: raw body;
   *   headers: extra headers; csrf: false to omit X-CSRF-Token (or a string to send instead);
   *   store: false to ignore Set-Cookie; validate: false to skip the contract check.
   */
  async request(method, path, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined && opts.contentType) {
      headers['content-type'] = opts.contentType;
    }
    if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = Buffer.byteLength(body);
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (WRITE.has(method) && opts.csrf !== false) {
      const tok = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
      if (tok) headers['x-csrf-token'] = tok;
    }
    const res = await rawRequest(this.base, method, path, { headers, body, localAddress: this.localAddress });
    if (opts.store !== false) {
      for (const c of parseSetCookies(res.setCookies)) {
        const expired = c.value === '' || c.attrs['max-age'] === '0' ||
          (c.attrs.expires && Date.parse(c.attrs.expires) < Date.now());
        if (expired) this.cookies.delete(c.name); else this.cookies.set(c.name, c.value);
      }
      if (res.json && typeof res.json.csrf_token === 'string') this.csrf = res.json.csrf_token;
    }
    if (opts.validate !== false) {
      const problems = checkResponse(method, path, res);
      assert.deepEqual(problems, [], `response does not match src/http/openapi.json (as ${this.name})`);
    }
    return res;
  }

  get(path, opts) { return this.request('GET', path, opts); }
  delete(path, opts) { return this.request('DELETE', path, opts); }
  post(path, json, opts = {}) { return this.request('POST', path, json === undefined ? opts : { ...opts, json }); }
  patch(path, json, opts = {}) { return this.request('PATCH', path, { ...opts, json }); }
  put(path, json, opts = {}) { return this.request('PUT', path, { ...opts, json }); }

  /** Log in (asserting 200) and keep the session cookie and CSRF token. */
  async login(login, password) {
    const r = await this.post('/api/auth/login', { login, password });
    assert.equal(r.status, 200, `login as ${login}: ${r.status} ${r.text}`);
    this.name = login;
    return r;
  }
}

/** Assert an error response: status, error.code (string or list), and optionally error.field. */
export function assertError(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code || ''}, got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.ok(res.json && res.json.error, `error body expected: ${res.text.slice(0, 200)}`);
  if (code) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(res.json.error.code), `error code ${res.json.error.code}, expected ${codes.join('|')}: ${res.text}`);
  }
  if (field !== undefined) assert.equal(res.json.error.field, field, `error field: ${res.text}`);
  return res.json.error;
}

/**
 * Run a battery of error cases and report every mismatch at once:
 * cases = [[label, () => Promise<res>, status, code, field?], …]. Throws listing all wrong answers.
 */
export async function assertErrors(cases) {
  const wrong = [];
  for (const [label, call, status, code, field] of cases) {
    const res = await call();
    try {
      assertError(res, status, code, field);
    } catch (e) {
      wrong.push(`${label}: expected ${status} ${code}${field !== undefined ? ` field=${field}` : ''}, got ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${cases.length} error cases answered wrongly`);
}
