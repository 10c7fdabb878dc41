// Graceful shutdown: SIGTERM lets in-flight requests finish, then exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { bootServer } from './lib/server.mjs';
import { newLocalAddress } from './lib/client.mjs';

/**
 * Send the headers now (with Expect: 100-continue), the body only on finish(). `accepted` resolves when the
 * server has parsed the headers (its 100 Continue), i.e. the request is in flight.
 */
function trickle(port, path, body) {
  const buf = Buffer.from(body);
  const req = http.request({
    host: '127.0.0.1', port, path, method: 'POST', localAddress: newLocalAddress(), agent: false,
    headers: { 'content-type': 'application/json', 'content-length': buf.length, expect: '100-continue' },
  });
  const accepted = new Promise((resolve) => req.on('continue', resolve));
  const response = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return {
    accepted,
    finish: () => { req.write(buf.subarray(0, buf.length >> 1)); setTimeout(() => req.end(buf.subarray(buf.length >> 1)), 50); },
    response,
  };
}

test('SIGTERM while requests are in flight: they complete, then exit code 0', async () => {
  const S = await bootServer();
  try {
    const body = JSON.stringify({ login: 'citizen', password: 'wrong-password-for-shutdown-test' });
    const inflight = [];
    for (let i = 0; i < 6; i++) inflight.push(trickle(S.port, '/api/auth/login', body));
    const reads = [];
    for (let i = 0; i < 6; i++) reads.push(fetch(`${S.base}/api/territories?limit=500`).then(async (r) => ({ status: r.status, n: (await r.json()).items.length })));
    // Every request is in flight: the server has parsed its headers.
    await Promise.race([Promise.all(inflight.map((x) => x.accepted)), new Promise((r) => setTimeout(r, 5000))]);
    S.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    for (const x of inflight) x.finish();
    const results = await Promise.all(inflight.map((x) => x.response));
    for (const r of results) assert.equal(r.status, 401, `an in-flight request was cut off: ${JSON.stringify(r)}`);
    for (const r of await Promise.all(reads)) assert.equal(r.status, 200);
    const exit = await Promise.race([S.exited, new Promise((r) => setTimeout(() => r('timeout'), 15000))]);
    assert.notEqual(exit, 'timeout', 'the server did not exit within 15 s of SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, 'graceful exit code');
    // It no longer listens.
    await assert.rejects(fetch(`${S.base}/healthz`));
    assert.match(S.stderr(), /"event"\s*:\s*"listening"/, 'logs {"event":"listening"} once it accepts connections');
  } finally {
    await S.close();
  }
});

test('SIGINT also stops gracefully', async () => {
  const S = await bootServer();
  S.proc.kill('SIGINT');
  const exit = await Promise.race([S.exited, new Promise((r) => setTimeout(() => r('timeout'), 15000))]);
  await S.close();
  assert.deepEqual(exit, { code: 0, signal: null });
});
