// Several nodes (docs/multinode.md): three `otklik serve` processes on one PostgreSQL database,
// with a real SMTP receiver and webhook receivers. Load is spread over the nodes (concurrent
// submissions round-robin, workflow actions through other nodes, one action raced on two
// nodes); then: no appeal lost or doubled, every e-mail and webhook delivered exactly once,
// every overdue appeal escalated once although three scanners race, a node SIGKILLed while it
// holds delivery leases (and the text engine's 'problems' lease) leaves nothing stuck, and the
// appeals are placed into problems once. PostgreSQL only (SQLite is one process by design).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer } from './lib/server.mjs';
import { createTestDb, backend } from './lib/db.mjs';
import { Demo } from './lib/demo.mjs';
import { Client } from './lib/client.mjs';
import { startSmtp } from '../support/smtp-receiver.mjs';
import { startWebhookReceiver } from '../support/webhook-receiver.mjs';

if (backend !== 'postgres') {
  test('several nodes on one database', {
    skip: `needs PostgreSQL (OTKLIK_TEST_BACKEND=${backend}): run tests/run-api.sh postgres tests/api/multinode.test.mjs`,
  }, () => {});
} else {
  suite();
}

function suite() {
  const TAG = 'mn' + randomBytes(4).toString('hex'); // marks this run's appeals
  const LEASE_MS = 10000; // OTKLIK_DELIVERY_LEASE_MS of every node (timeout 8000 + 2000)
  const MAIL = {
    citizen: 'citizen.mn@example.org',
    citizen2: 'citizen2.mn@example.org',
    executor: 'executor.mn@example.org',
    supervisor: 'supervisor.mn@example.org',
  };
  let db;
  let smtp;
  let hook1Rx; // tests/support/webhook-receiver.mjs, failing its first requests
  let hold; // a receiver that holds requests until released (below)
  const nodes = []; // {name, srv, alive}
  let demo; // logins and ids, through node A
  const ids = {};
  const hooks = {};
  const mine = new Map(); // appeal id → {node, author}
  let phase1 = [];

  /** SQL on the test database through psql; rows as arrays of strings. */
  function sql(q) {
    return new Promise((res, rej) => {
      execFile('psql', ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', q],
        { encoding: 'utf8' }, (err, stdout, stderr) => {
          if (err) rej(new Error(`psql ${q}: ${stderr || err.message}`));
          else res(stdout.split('\n').filter((l) => l.length).map((l) => l.split('\t')));
        });
    });
  }
  const one = async (q) => (await sql(q))[0]?.[0];

  /** Poll fn() every 100 ms until it returns a truthy value (deadline ms), else fail with what(). */
  async function until(fn, ms, what) {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) assert.fail(`not within ${ms} ms: ${typeof what === 'function' ? await what() : what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const env = (name) => ({
    OTKLIK_NODE_ID: name,
    OTKLIK_SMTP_URL: smtp.url,
    OTKLIK_SMTP_FROM: 'otklik@example.org',
    OTKLIK_WEBHOOK_ALLOW_PRIVATE: '1',
    OTKLIK_NOTIFY_INTERVAL_MS: '100',
    OTKLIK_NOTIFY_WORKERS: '2',
    OTKLIK_WEBHOOK_BACKOFF_MS: '100',
    OTKLIK_DELIVERY_TIMEOUT_MS: '8000',
    OTKLIK_DELIVERY_LEASE_MS: String(LEASE_MS),
    OTKLIK_SCAN_INTERVAL_MS: '200',
  });

  /** The same logged-in session (stored in the database) used against another node. */
  const clients = new Map();
  async function on(node, login) {
    const key = `${node.name}:${login}`;
    if (!clients.has(key)) {
      const base = await demo.as(login);
      const c = new Client(node.srv.base, { name: `${login}@${node.name}` });
      c.cookies = new Map(base.cookies);
      c.csrf = base.csrf;
      clients.set(key, c);
    }
    return clients.get(key);
  }
  const live = () => nodes.filter((n) => n.alive);

  const STREETS = ['Ленина', 'Кирова', 'Гагарина', 'Московской', 'Суворова'];
  async function submit(node, i, author) {
    const r = await (await on(node, author)).post('/api/appeals', {
      topic_id: ids.heating, territory_id: ids.kaluga,
      text: `Нет отопления в доме ${i + 1} по улице ${STREETS[i % STREETS.length]}, батареи холодные третий день (${TAG}-${i}).`,
    });
    assert.equal(r.status, 201, `submit #${i} on ${node.name}: ${r.text}`);
    mine.set(r.json.id, { node: node.name, author });
    return r.json;
  }

  /** A webhook receiver that keeps every request open until release(); a request whose
   * connection closes first (the sender died or gave up) counts as not delivered. */
  async function startHoldingReceiver() {
    const reqs = []; // {delivery, event, body, state: held|ok|aborted}
    let holding = true;
    const answer = (r) => { r.state = 'ok'; r.res.writeHead(200, { 'content-type': 'text/plain' }); r.res.end('ok'); };
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const r = { delivery: req.headers['x-otklik-delivery'], event: req.headers['x-otklik-event'], body: Buffer.concat(chunks).toString('utf8'), state: 'held', res };
        reqs.push(r);
        res.on('close', () => { if (r.state === 'held') r.state = 'aborted'; });
        if (!holding) answer(r);
      });
    });
    server.keepAliveTimeout = 1;
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${server.address().port}/hold`,
      reqs,
      release() { holding = false; for (const r of reqs) if (r.state === 'held') answer(r); },
      close() { holding = false; server.closeAllConnections(); return new Promise((r) => server.close(() => r())); },
    };
  }

  before(async () => {
    smtp = await startSmtp();
    hook1Rx = await startWebhookReceiver({ failFirst: 10 });
    hold = await startHoldingReceiver();
    db = createTestDb();
    // A first (migrates and loads the demo data), then B and C together on the same database
    const a = await startServer({ db: db.url, env: env('node-a') });
    nodes.push({ name: 'node-a', srv: a, alive: true });
    const [b, c] = await Promise.all([
      startServer({ db: db.url, env: env('node-b') }),
      startServer({ db: db.url, env: env('node-c') }),
    ]);
    nodes.push({ name: 'node-b', srv: b, alive: true }, { name: 'node-c', srv: c, alive: true });
    demo = new Demo(a.base);
    ids.kaluga = await demo.id('territories', 'klu-kaluga');
    ids.heating = await demo.id('topics', 'housing-heating');
    // e-mail addresses set through different nodes, instant mode
    let k = 0;
    for (const [login, email] of Object.entries(MAIL)) {
      const n = nodes[k++ % 3];
      const r = await (await on(n, login)).patch('/api/me', { email });
      assert.equal(r.status, 200, `${login}: ${r.text}`);
      const s = await (await on(nodes[k % 3], login)).put('/api/notifications/settings', { email: 'instant' });
      assert.equal(s.status, 200, s.text);
      assert.equal(s.json.address, email, 'another node sees the address just set');
      assert.equal(s.json.smtp, true);
    }
    const w = await (await on(nodes[1], 'admin')).post('/api/webhooks', { url: hook1Rx.url('/all'), description: 'все события' });
    assert.equal(w.status, 201, w.text);
    hooks.all = w.json.id;
  });

  after(async () => {
    const errs = [];
    hold?.release(); // a failed test may have left delivery workers waiting on it
    for (const n of nodes) {
      try { await n.srv.stop({ expectGraceful: n.alive }); } catch (e) { errs.push(e); }
    }
    db?.drop();
    await smtp?.close();
    await hook1Rx?.close();
    await hold?.close();
    if (errs.length) throw errs[0];
  });

  test('appeals submitted concurrently through three nodes: every 201 is stored once, and every node sees it', async () => {
    const N = 45;
    const res = await Promise.all(Array.from({ length: N }, (_, i) =>
      submit(nodes[i % 3], i, i % 2 ? 'citizen2' : 'citizen')));
    phase1 = res.map((x) => x.id);
    assert.equal(new Set(phase1).size, N, 'distinct ids');
    const [cnt, distinct, texts] = (await sql(`SELECT count(*), count(DISTINCT id), count(DISTINCT text) FROM appeals WHERE text LIKE '%(${TAG}-%'`))[0].map(Number);
    assert.deepEqual([cnt, distinct, texts], [N, N, N], 'stored once each');
    const ev = await sql(`SELECT appeal_id, count(*) FROM appeal_events WHERE kind = 'submitted' AND appeal_id IN (${phase1}) GROUP BY appeal_id HAVING count(*) <> 1`);
    assert.deepEqual(ev, [], 'one submitted event per appeal');
    // read back through a node other than the one that took it
    for (const [i, id] of phase1.entries()) {
      const n = nodes[(i + 1) % 3];
      const r = await (await on(n, 'executor')).get(`/api/appeals/${id}`);
      assert.equal(r.status, 200, `#${id} on ${n.name}: ${r.text}`);
      assert.match(r.json.text, new RegExp(`\\(${TAG}-${i}\\)`));
      assert.equal(r.json.status, 'routed');
    }
  });

  test('workflow actions through other nodes; the same action raced on two nodes succeeds once', async () => {
    const jobs = [];
    const raced = [];
    for (const [i, id] of phase1.entries()) {
      if (i % 4 === 3) continue; // these stay routed
      const k = i % 3;
      if (i % 5 === 0) {
        raced.push(id);
        jobs.push(Promise.all([1, 2].map(async (d) => (await on(nodes[(k + d) % 3], 'executor')).post(`/api/appeals/${id}/start`, {})))
          .then((rs) => ({ id, raced: true, statuses: rs.map((r) => r.status).sort(), texts: rs.map((r) => r.text) })));
      } else {
        jobs.push((async () => {
          const r = await (await on(nodes[(k + 1) % 3], 'executor')).post(`/api/appeals/${id}/start`, {});
          return { id, statuses: [r.status], texts: [r.text] };
        })());
      }
    }
    const out = await Promise.all(jobs);
    for (const o of out) {
      if (o.raced) assert.deepEqual(o.statuses, [200, 409], `#${o.id} raced start: one wins, one is refused: ${o.texts.join(' | ').slice(0, 400)}`);
      else assert.deepEqual(o.statuses, [200], `#${o.id}: ${o.texts[0].slice(0, 300)}`);
    }
    assert.ok(raced.length >= 5);
    const starts = await sql(`SELECT appeal_id, count(*) FROM appeal_events WHERE kind = 'start' AND appeal_id IN (${phase1}) GROUP BY appeal_id`);
    const started = phase1.filter((_, i) => i % 4 !== 3);
    assert.equal(starts.length, started.length, 'every started appeal has a start event');
    assert.ok(starts.every(([, c]) => c === '1'), `one start event each: ${JSON.stringify(starts.filter(([, c]) => c !== '1'))}`);
    const st = await sql(`SELECT status, count(*) FROM appeals WHERE id IN (${phase1}) GROUP BY status ORDER BY status`);
    assert.deepEqual(st, [['in_progress', String(started.length)], ['routed', String(phase1.length - started.length)]]);
  });

  test('overdue appeals are escalated once although three scanners race', async () => {
    const aged = phase1.filter((_, i) => i % 3 === 0); // started and routed ones
    await sql(`UPDATE appeals SET deadline_at = ${Date.now() - 60000} WHERE id IN (${aged})`);
    await until(async () => Number(await one(`SELECT count(*) FROM appeals WHERE overdue = 1 AND id IN (${aged})`)) === aged.length,
      15000, 'every aged appeal marked overdue');
    // a few more passes of all three scanners
    const passes = Date.now() + 1000;
    await until(() => Date.now() > passes, 2000, 'wait');
    const ev = await sql(`SELECT appeal_id, count(*) FROM appeal_events WHERE kind = 'overdue' AND appeal_id IN (${phase1}) GROUP BY appeal_id ORDER BY appeal_id`);
    assert.deepEqual(ev, aged.sort((x, y) => x - y).map((id) => [String(id), '1']), 'one overdue event per aged appeal, none for the others');
    const soon = await sql(`SELECT appeal_id FROM appeal_events WHERE kind = 'due_soon' AND appeal_id IN (${phase1}) GROUP BY appeal_id HAVING count(*) > 1`);
    assert.deepEqual(soon, [], 'at most one due-soon warning per appeal');
    // the escalation reached the supervisor once per appeal, in-app (checked on every node)
    for (const n of nodes) {
      const items = [];
      for (let off = 0; ; off += 100) {
        const r = await (await on(n, 'supervisor')).get(`/api/notifications?limit=100&offset=${off}`);
        assert.equal(r.status, 200, r.text);
        items.push(...r.json.items);
        if (r.json.items.length < 100) break;
      }
      const over = items.filter((x) => x.kind === 'overdue' && mine.has(x.appeal_id));
      assert.deepEqual(over.map((x) => x.appeal_id).sort((x, y) => x - y), aged, `${n.name}: one overdue notification per aged appeal`);
    }
  });

  /** Every delivery row is done and went out exactly once; receivers agree with the table. */
  async function checkExactlyOnce(what) {
    await until(async () => Number(await one(`SELECT count(*) FROM deliveries WHERE state = 'pending'`)) === 0,
      60000, async () => `${what}: deliveries still pending: ${JSON.stringify(await sql(`SELECT id, channel, attempts, lease_owner, last_error FROM deliveries WHERE state = 'pending' LIMIT 10`))}`);
    const rows = await sql(`SELECT id, channel, state, coalesce(webhook_id, 0), target, coalesce(event_id, 0) FROM deliveries ORDER BY id`);
    const bad = rows.filter((r) => r[2] !== 'sent');
    assert.deepEqual(bad, [], `${what}: every delivery sent (none dead or cancelled)`);
    // e-mail: the Message-ID names the delivery
    const byId = new Map();
    for (const m of smtp.messages) {
      const id = /^<otklik-delivery-(\d+)@/.exec(m.headers['message-id'] || '')?.[1];
      assert.ok(id, `Message-ID of «${m.headers.subject}»`);
      byId.set(id, (byId.get(id) || 0) + 1);
    }
    const mails = rows.filter((r) => r[1] === 'email' || r[1] === 'digest');
    const mailDup = [...byId].filter(([, c]) => c > 1);
    assert.deepEqual(mailDup, [], `${what}: an e-mail delivered twice`);
    const mailMissing = mails.filter((r) => !byId.has(r[0])).map((r) => r[0]);
    assert.deepEqual(mailMissing, [], `${what}: e-mail deliveries never received`);
    assert.equal(smtp.messages.length, mails.length, `${what}: messages at the SMTP receiver = e-mail rows`);
    // webhooks: delivered = answered 2xx; X-Otklik-Delivery names the row
    const got = (reqs, ok) => {
      const m = new Map();
      for (const r of reqs) if (ok(r)) m.set(r.delivery, (m.get(r.delivery) || 0) + 1);
      return m;
    };
    for (const [hook, reqs, ok] of [
      [hooks.all, hook1Rx.requests.map((r) => ({ ...r, delivery: r.headers['x-otklik-delivery'] })), (r) => r.answered === 200],
      [hooks.hold, hold.reqs, (r) => r.state === 'ok'],
    ]) {
      if (!hook) continue;
      const m = got(reqs, ok);
      const want = rows.filter((r) => r[3] === String(hook)).map((r) => r[0]);
      assert.deepEqual([...m].filter(([, c]) => c > 1), [], `${what}: webhook ${hook}: a delivery received twice`);
      assert.deepEqual(want.filter((id) => !m.has(id)), [], `${what}: webhook ${hook}: deliveries never received`);
      assert.equal(m.size, want.length, `${what}: webhook ${hook}: received = rows`);
    }
    // each sent row has exactly one successful attempt in the log
    const att = await sql(`SELECT d.id, count(a.id) FROM deliveries d LEFT JOIN delivery_attempts a ON a.delivery_id = d.id AND a.error IS NULL GROUP BY d.id HAVING count(a.id) <> 1`);
    assert.deepEqual(att, [], `${what}: one successful attempt recorded per delivery`);
    return rows;
  }

  /** Every event of these appeals reached the global webhook exactly once (by payload). */
  async function checkEveryEvent(appealIds, what) {
    const events = (await sql(`SELECT id FROM appeal_events WHERE appeal_id IN (${appealIds}) ORDER BY id`)).map((r) => Number(r[0]));
    const seen = new Map();
    for (const r of hook1Rx.requests) {
      if (r.answered !== 200) continue;
      const e = JSON.parse(r.body).event.id;
      seen.set(e, (seen.get(e) || 0) + 1);
    }
    assert.deepEqual(events.filter((e) => seen.get(e) !== 1).map((e) => [e, seen.get(e) || 0]), [],
      `${what}: each event of these appeals delivered to the webhook exactly once`);
  }
  const subjects = (to, re) => smtp.messages.filter((m) => m.to.includes(to) && re.test(m.headers.subject));

  test('every e-mail and webhook call of that work went out exactly once (the webhook failing at first)', async () => {
    await checkExactlyOnce('phase 1');
    assert.ok(hook1Rx.requests.some((r) => r.answered === 500), 'the receiver refused its first requests (retries happened)');
    await checkEveryEvent(phase1, 'phase 1');
    // what the people involved notice: one mail per (recipient, event)
    for (const [i, id] of phase1.entries()) {
      const author = MAIL[mine.get(id).author];
      assert.equal(subjects(MAIL.executor, new RegExp(`^Обращение №${id}: «Направлено`)).length, 1, `executor: the new appeal #${id} once`);
      assert.equal(subjects(author, new RegExp(`^Обращение №${id}: «В работе»`)).length, i % 4 === 3 ? 0 : 1, `author: «В работе» of #${id}`);
      const overdue = i % 3 === 0 ? 1 : 0;
      assert.equal(subjects(MAIL.supervisor, new RegExp(`^Просрочено обращение №${id}$`)).length, overdue, `supervisor: escalation of #${id}`);
      assert.equal(subjects(MAIL.executor, new RegExp(`^Просрочено обращение №${id}$`)).length, overdue, `executor: overdue #${id}`);
    }
    // the work was shared: every node sent some of it
    const nodesSeen = await sql(`SELECT DISTINCT node FROM delivery_attempts ORDER BY node`);
    assert.deepEqual(nodesSeen.map((r) => r[0]), ['node-a', 'node-b', 'node-c'], 'all three nodes delivered');
  });

  let victim;
  let phase2 = [];
  test('a node killed while holding delivery leases: the others deliver its messages after the lease runs out, once', async (t) => {
    // the node holding the text engine's lease is the one to kill
    const owner = await until(async () => {
      const o = await one(`SELECT owner FROM leases WHERE name = 'problems' AND until > ${Date.now()}`);
      return o && nodes.find((n) => o.split('/')[1] === String(n.srv.proc.pid));
    }, 20000, 'a node holds the problems lease');
    victim = owner;
    const w = await (await on(nodes[0], 'admin')).post('/api/webhooks', { url: hold.url, description: 'медленный приёмник' });
    assert.equal(w.status, 201, w.text);
    hooks.hold = w.json.id;

    // a burst through all nodes: the held webhook calls block every delivery worker
    const res = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(nodes[i % 3], 100 + i, 'citizen')));
    phase2 = res.map((x) => x.id);
    const heldBy = async () => {
      const held = hold.reqs.filter((r) => r.state === 'held').map((r) => r.delivery);
      if (!held.length) return [];
      return (await sql(`SELECT lease_owner FROM deliveries WHERE id IN (${held})`)).map((r) => r[0]);
    };
    // both of the victim's workers are inside a held call: it is mid-send, holding leases, and
    // no other message of its own is half sent
    await until(async () => (await heldBy()).filter((o) => o === victim.name).length === 2, 20000,
      async () => `both workers of ${victim.name} blocked; held by: ${JSON.stringify(await heldBy())}`);
    const leased = (await sql(`SELECT id FROM deliveries WHERE state = 'pending' AND lease_owner = '${victim.name}'`)).map((r) => r[0]);
    assert.ok(leased.length >= 2, `${victim.name} holds leases: ${leased}`);
    // submissions in flight to the victim as it dies: whatever answered 201 must be there
    const inflight = [0, 1, 2].map((i) => submit(victim, 200 + i, 'citizen2').then((a) => a.id, () => null));
    const killedAt = Date.now();
    victim.srv.proc.kill('SIGKILL');
    victim.alive = false;
    const x = await victim.srv.exited;
    assert.equal(x.signal, 'SIGKILL');
    const late = (await Promise.all(inflight)).filter(Boolean);
    hold.release();
    const after = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => submit(live()[i % 2], 300 + i, 'citizen')));
    phase2.push(...late, ...after.map((a) => a.id));

    const rows = await checkExactlyOnce('after the kill');
    t.diagnostic(`${victim.name} killed holding ${leased.length} delivery leases; all ${rows.length} deliveries sent ${Date.now() - killedAt} ms later (lease ${LEASE_MS} ms); ${smtp.messages.length} e-mails, ${hook1Rx.requests.length} + ${hold.reqs.length} webhook requests; ${late.length} of 3 in-flight submissions answered 201`);
    // the victim's leased rows: sent by a survivor, after a second claim (the lease ran out)
    const redo = await sql(`SELECT d.id, d.attempts, a.node FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id AND a.error IS NULL WHERE d.id IN (${leased}) ORDER BY d.id`);
    assert.equal(redo.length, leased.length);
    for (const [id, attempts, node] of redo) {
      assert.notEqual(node, victim.name, `#${id} finished by a survivor`);
      assert.ok(Number(attempts) >= 2, `#${id} claimed again after the lease expired (attempts ${attempts})`);
    }
    const aborted = hold.reqs.filter((r) => r.state === 'aborted').map((r) => r.delivery);
    assert.ok(aborted.length >= 2, 'the victim\'s calls died with it');
    assert.ok(aborted.every((id) => hold.reqs.some((r) => r.delivery === id && r.state === 'ok')), 'and were delivered again');
    assert.ok(rows.length > 0);
    await checkEveryEvent(phase2, 'phase 2');
    for (const id of phase2) assert.equal(subjects(MAIL.executor, new RegExp(`^Обращение №${id}: «Направлено`)).length, 1, `executor: the new appeal #${id} once`);
    // no appeal lost or doubled across the kill
    const [cnt, distinct] = (await sql(`SELECT count(*), count(DISTINCT id) FROM appeals WHERE text LIKE '%(${TAG}-%'`))[0].map(Number);
    assert.ok(cnt >= phase1.length + phase2.length && cnt <= phase1.length + phase2.length + 3 - late.length, `${cnt} stored`);
    assert.equal(distinct, cnt);
    const inDb = new Set((await sql(`SELECT id FROM appeals WHERE text LIKE '%(${TAG}-%'`)).map((r) => Number(r[0])));
    assert.ok([...phase1, ...phase2].every((id) => inDb.has(id)), 'every 201 stored');
    // the survivors serve on
    for (const n of live()) assert.equal((await (await on(n, 'executor')).get(`/api/appeals/${phase2.at(-1)}`)).status, 200);
  });

  test('problems: one node places the appeals, each once; a survivor takes over the lease after the kill', async (t) => {
    await until(async () => Number(await one(`SELECT count(*) FROM appeals WHERE problem_id IS NULL`)) === 0, 60000,
      async () => `every appeal placed; unplaced: ${await one(`SELECT count(*) FROM appeals WHERE problem_id IS NULL`)}, lease: ${JSON.stringify(await sql(`SELECT owner, until FROM leases`))}`);
    const owner = await one(`SELECT owner FROM leases WHERE name = 'problems'`);
    assert.ok(live().some((n) => owner.split('/')[1] === String(n.srv.proc.pid)), `a survivor holds the lease: ${owner}`);
    // placed once: no empty (raced) problems, each size equals its appeals
    assert.equal(await one(`SELECT count(*) FROM problems WHERE size = 0`), '0', 'no empty problem (an appeal placed by two nodes leaves one)');
    const wrong = await sql(`SELECT p.id, p.size, (SELECT count(*) FROM appeals a WHERE a.problem_id = p.id) FROM problems p WHERE p.size <> (SELECT count(*) FROM appeals a WHERE a.problem_id = p.id)`);
    assert.deepEqual(wrong, [], 'problem sizes match their appeals');
    const takers = nodes.map((n) => `${n.name}${n === victim ? ' (killed)' : ''}: ${(n.srv.stderr().match(/problems_lease[^a-z]+taken/g) || []).length}`);
    t.diagnostic(`problems lease taken: ${takers.join(', ')}`);
  });
}
