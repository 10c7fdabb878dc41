// A small local OpenID Connect provider for tests (node:http only).
// Authorization code flow with PKCE S256; id_token = HS256 JWT signed with the client secret.
// It auto-approves every authorization as the current test user. Hooks provoke failures:
//   provider.tamperNext('signature' | 'nonce' | 'aud' | 'iss' | 'expired')  — the next id_token is bad.
import http from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Sign claims as an HS256 JWT. */
export function signJwt(claims, secret) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/**
 * Start the provider on 127.0.0.1 (a free port unless given).
 * opts: {clientId, clientSecret, redirectUri, user:{sub,name,email,phone_number,birthdate,gender}}
 * Returns {issuer, port, log, setUser(u), tamperNext(kind), close()}.
 */
export async function startOidcProvider(opts) {
  const clientId = opts.clientId;
  const clientSecret = opts.clientSecret;
  let redirectUri = opts.redirectUri; // may be set later with setRedirectUri
  let user = {
    sub: 'esia-1000001', name: 'Анна Петровна Смирнова', email: 'anna@example.org',
    phone_number: '+79000000001', birthdate: '1985-04-12', gender: 'female', ...(opts.user || {}),
  };
  const codes = new Map(); // code → {client_id, redirect_uri, challenge, nonce, user, used}
  const tokens = new Map(); // access token → user
  const log = []; // {path, query|form, status, error?}
  let tamper = null;
  let issuer = '';

  const send = (res, status, obj, headers = {}) => {
    const body = obj === undefined ? '' : JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(body);
  };
  const fail = (res, entry, status, error, description) => {
    entry.status = status;
    entry.error = `${error}: ${description}`;
    send(res, status, { error, error_description: description });
  };

  const server = http.createServer((req, res) => {
    const u = new URL(req.url, issuer);
    const entry = { method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams) };
    log.push(entry);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      try {
        route(u, req, res, body, entry);
      } catch (e) {
        fail(res, entry, 500, 'server_error', String(e));
      }
    });
  });

  function route(u, req, res, body, entry) {
    if (u.pathname === '/.well-known/openid-configuration') {
      entry.status = 200;
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['HS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'email', 'phone'],
        grant_types_supported: ['authorization_code'],
      });
    }
    if (u.pathname === '/authorize' && req.method === 'GET') {
      const q = u.searchParams;
      if (q.get('client_id') !== clientId) return fail(res, entry, 400, 'unauthorized_client', 'unknown client_id');
      if (!redirectUri || q.get('redirect_uri') !== redirectUri) return fail(res, entry, 400, 'invalid_request', `redirect_uri ${q.get('redirect_uri')} != ${redirectUri}`);
      if (q.get('response_type') !== 'code') return fail(res, entry, 400, 'unsupported_response_type', 'response_type must be code');
      if (!(q.get('scope') || '').split(' ').includes('openid')) return fail(res, entry, 400, 'invalid_scope', 'scope must include openid');
      if (q.get('code_challenge_method') !== 'S256') return fail(res, entry, 400, 'invalid_request', 'code_challenge_method must be S256');
      if (!/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') || '')) return fail(res, entry, 400, 'invalid_request', 'bad code_challenge');
      if (!q.get('state')) return fail(res, entry, 400, 'invalid_request', 'state missing');
      const code = b64url(randomBytes(24));
      codes.set(code, {
        client_id: clientId, redirect_uri: q.get('redirect_uri'), challenge: q.get('code_challenge'),
        nonce: q.get('nonce'), user: { ...user }, used: false,
      });
      const to = new URL(redirectUri);
      to.searchParams.set('code', code);
      to.searchParams.set('state', q.get('state'));
      entry.status = 302;
      res.writeHead(302, { location: to.toString() });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      entry.form = Object.fromEntries(form);
      let id = form.get('client_id');
      let secret = form.get('client_secret');
      const auth = req.headers.authorization || '';
      if (auth.startsWith('Basic ')) {
        const dec = Buffer.from(auth.slice(6), 'base64').toString('utf8');
        const i = dec.indexOf(':');
        id = decodeURIComponent(dec.slice(0, i));
        secret = decodeURIComponent(dec.slice(i + 1));
        entry.auth = 'client_secret_basic';
      } else {
        entry.auth = 'client_secret_post';
      }
      if (id !== clientId || secret !== clientSecret) return fail(res, entry, 401, 'invalid_client', 'bad client credentials');
      if (form.get('grant_type') !== 'authorization_code') return fail(res, entry, 400, 'unsupported_grant_type', 'grant_type');
      const c = codes.get(form.get('code') || '');
      if (!c || c.used) return fail(res, entry, 400, 'invalid_grant', 'unknown or used code');
      c.used = true;
      if (form.get('redirect_uri') !== c.redirect_uri) return fail(res, entry, 400, 'invalid_grant', 'redirect_uri mismatch');
      const verifier = form.get('code_verifier') || '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return fail(res, entry, 400, 'invalid_grant', 'bad code_verifier');
      if (createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return fail(res, entry, 400, 'invalid_grant', 'PKCE verification failed');
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer, sub: c.user.sub, aud: clientId, exp: now + 300, iat: now,
        nonce: c.nonce ?? undefined, name: c.user.name, email: c.user.email,
      };
      let secretForSig = clientSecret;
      const t = tamper;
      tamper = null;
      if (t === 'signature') secretForSig = clientSecret + '-wrong';
      else if (t === 'nonce') claims.nonce = b64url(randomBytes(16));
      else if (t === 'aud') claims.aud = clientId + '-other';
      else if (t === 'iss') claims.iss = issuer + '/other';
      else if (t === 'expired') { claims.exp = now - 3600; claims.iat = now - 7200; }
      entry.tamper = t;
      const access = b64url(randomBytes(24));
      tokens.set(access, c.user);
      entry.status = 200;
      return send(res, 200, {
        access_token: access, token_type: 'Bearer', expires_in: 300, id_token: signJwt(claims, secretForSig),
      });
    }
    if (u.pathname === '/userinfo') {
      const auth = req.headers.authorization || '';
      const who = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
      if (!who) {
        entry.status = 401;
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
        return res.end();
      }
      entry.status = 200;
      return send(res, 200, {
        sub: who.sub, name: who.name, email: who.email, phone_number: who.phone_number,
        birthdate: who.birthdate, gender: who.gender,
      });
    }
    return fail(res, entry, 404, 'not_found', u.pathname);
  }

  await new Promise((r) => server.listen(opts.port || 0, '127.0.0.1', r));
  const port = server.address().port;
  issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    port,
    log,
    get user() { return user; },
    setUser(u) { user = { ...user, ...u }; },
    setRedirectUri(uri) { redirectUri = uri; },
    tamperNext(kind) { tamper = kind; },
    close() {
      server.closeAllConnections?.();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
