// An HTTP server for webhook tests: records every request (method, path, headers, raw body) and
// answers 200, or 500 for the first `failFirst` requests (settable), or always `status` when set.
import http from 'node:http';

export async function startWebhookReceiver({ failFirst = 0, status = null } = {}) {
  const requests = [];
  const waiters = new Set();
  const cfg = { failFirst, status };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = requests.length;
      const code = cfg.status ?? (n < cfg.failFirst ? 500 : 200);
      requests.push({ method: req.method, path: req.url, headers: req.headers, body, answered: code });
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(code === 200 ? 'ok' : 'fail');
      for (const w of waiters) w();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  const port = server.address().port;
  return {
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    set(opts) { Object.assign(cfg, opts); },
    waitFor(pred, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = () => { const v = pred(requests); if (v) { waiters.delete(check); clearTimeout(t); resolve(v); } };
        const t = setTimeout(() => { waiters.delete(check); reject(new Error(`webhook receiver: condition not met in ${timeoutMs} ms; ${requests.length} requests`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() { server.closeAllConnections?.(); return new Promise((res) => server.close(() => res())); },
  };
}
