// A real, minimal SMTP server for tests (node:net): EHLO/HELO, MAIL FROM, RCPT TO, DATA (with
// dot-unstuffing), RSET, NOOP, QUIT. Keeps every received message for assertions, with helpers
// to decode RFC 2047 headers and base64/8bit bodies.
import net from 'node:net';

/** Decode =?UTF-8?B?…?= / =?UTF-8?Q?…?= words of a header value (folding already removed). */
export function decodeWords(v) {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, cs, enc, text) => {
    const buf = enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return buf.toString(cs.toLowerCase() === 'utf-8' || cs.toLowerCase() === 'utf8' ? 'utf8' : 'latin1');
  });
}

/** Parse a raw RFC 5322 message: {headers: {lower-name: decoded value}, body (decoded text)}. */
export function parseMessage(raw) {
  const i = raw.indexOf('\r\n\r\n');
  const head = i < 0 ? raw : raw.slice(0, i);
  const rawBody = i < 0 ? '' : raw.slice(i + 4);
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = decodeWords(line.slice(c + 1).trim());
  }
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  const body = cte === 'base64' ? Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8') : Buffer.from(rawBody, 'latin1').toString('utf8');
  return { headers, body };
}

/** Start the server on 127.0.0.1 (port 0 = any). Returns {port, url, messages, waitFor, close, clear}. */
export async function startSmtp({ port = 0 } = {}) {
  const messages = []; // {from, to: [..], raw, headers, body}
  const waiters = new Set();
  const server = net.createServer((sock) => {
    sock.setEncoding('latin1'); // bytes in, bytes out: the message is decoded later as UTF-8
    let buf = '';
    let state = 'cmd';
    let env = { from: null, to: [] };
    let data = [];
    const reply = (s) => sock.write(s + '\r\n');
    reply('220 test-smtp ready');
    sock.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (state === 'data') {
          if (line === '.') {
            const raw = data.join('\r\n') + '\r\n';
            const parsed = parseMessage(raw);
            messages.push({ from: env.from, to: env.to, raw, ...parsed });
            for (const w of waiters) w();
            env = { from: null, to: [] };
            data = [];
            state = 'cmd';
            reply(`250 OK queued as ${messages.length}`);
          } else {
            data.push(line.startsWith('.') ? line.slice(1) : line); // dot-unstuffing
          }
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') { sock.write('250-test-smtp\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n'); }
        else if (cmd === 'HELO') reply('250 test-smtp');
        else if (cmd === 'MAIL') { const m = /FROM:\s*<([^>]*)>/i.exec(line); env = { from: m ? m[1] : null, to: [] }; reply('250 OK'); }
        else if (cmd === 'RCPT') {
          const m = /TO:\s*<([^>]*)>/i.exec(line);
          if (!env.from && env.from !== '') reply('503 need MAIL first');
          else if (!m) reply('501 bad recipient');
          else { env.to.push(m[1]); reply('250 OK'); }
        }
        else if (cmd === 'DATA') {
          if (!env.to.length) reply('503 need RCPT first');
          else { state = 'data'; reply('354 end with <CRLF>.<CRLF>'); }
        }
        else if (cmd === 'RSET') { env = { from: null, to: [] }; reply('250 OK'); }
        else if (cmd === 'NOOP') reply('250 OK');
        else if (cmd === 'QUIT') { reply('221 bye'); sock.end(); }
        else reply('502 not implemented');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((res) => server.listen(port, '127.0.0.1', res));
  const actual = server.address().port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    messages,
    clear() { messages.length = 0; },
    /** Wait until pred(messages) is truthy (polls on arrival; rejects after timeoutMs). */
    waitFor(pred, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = () => { const v = pred(messages); if (v) { waiters.delete(check); clearTimeout(t); resolve(v); } };
        const t = setTimeout(() => { waiters.delete(check); reject(new Error(`smtp: condition not met in ${timeoutMs} ms; ${messages.length} messages: ${messages.map((m) => `${m.to} «${m.headers.subject}»`).join('; ')}`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() { return new Promise((res) => server.close(() => res())); },
  };
}
