#!/usr/bin/env node
// The crash test (issue 5, "Nothing acknowledged is lost"): many clients write at full speed while
// `otklik serve` is killed with SIGKILL at random moments, round after round, and restarted on the
// same database; on PostgreSQL the database server itself is killed too. After every restart the
// database must hold every write that was acknowledged with a 2xx, whole, and nothing half-done.
// What it drives and checks: docs/reliability.md.
//
//   node tests/crash/crash.mjs                        # SQLite, 5 rounds of about 2 s
//   OTKLIK_TEST_BACKEND=postgres node tests/crash/crash.mjs   # a temporary cluster it may kill
//   CRASH_ROUNDS=200 CRASH_SECONDS=3 node tests/crash/crash.mjs
//
// Environment: OTKLIK_BIN (default ./otklik), OTKLIK_TEST_BACKEND (sqlite|postgres),
// OTKLIK_TEST_PG (an existing server: PostgreSQL itself is then never killed), CRASH_ROUNDS (5),
// CRASH_SECONDS (2), CRASH_CITIZENS (10), CRASH_SEED, CRASH_PG_KILL (1 = kill PostgreSQL too; the
// default when the cluster is our own), CRASH_KEEP=1 (keep the database for a post-mortem),
// CRASH_VERBOSE=1. Exit 0 when nothing was lost; the last line is `N passed, M failed`.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, readFileSync, readdirSync, existsSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startServer, ROOT } from '../api/lib/server.mjs';
import { Client } from '../api/lib/client.mjs';

const PASSWORD = 'otklik-demo';
const PNG = readFileSync(join(ROOT, 'tests/fixtures/attachments/pixel.png'));
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---------------------------------------------------------------- random (seeded: the choices
 * of a run can be replayed; the timing of the machine cannot) */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/* ---------------------------------------------------------------- PostgreSQL cluster we own */
const CLUSTER_SH = join(ROOT, 'tests/pg/cluster.sh');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return r;
}

function pgBindir() {
  const dirs = readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`).filter((d) => existsSync(`${d}/pg_ctl`));
  dirs.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (!dirs.length) throw new Error('no PostgreSQL server under /usr/lib/postgresql');
  return dirs.at(-1);
}

function procState(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

class PgCluster {
  constructor(dir) {
    this.dir = dir;
    this.kills = 0;
  }

  start() {
    const r = run(CLUSTER_SH, ['start', this.dir]);
    if (r.status !== 0) throw new Error(`cluster.sh start: ${r.stderr}`);
    this.url = r.stdout.trim().split('\n').at(-1);
    // the exact options of the postmaster, to start it again after a kill
    const opts = readFileSync(join(this.dir, 'data/postmaster.opts'), 'utf8');
    const toks = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    const keep = [];
    for (let i = 0; i < toks.length; i++) {
      if (toks[i] === '-D') { i++; continue; }
      keep.push(toks[i]);
    }
    this.options = keep.map((t) => (/\s/.test(t) ? `'${t}'` : t)).join(' ');
    return this.url;
  }

  /** Every process of the cluster: the postmaster and its children. */
  pids() {
    const pidFile = join(this.dir, 'data/postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pm = Number(lines[0]);
    const shm = (lines[6] || '').trim().split(/\s+/);
    this.shmid = shm.length === 2 ? shm[1] : null;
    const out = [pm];
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      const s = procState(e);
      if (s && s.ppid === pm && s.state !== 'Z') out.push(Number(e));
    }
    return out;
  }

  /** SIGKILL the postmaster and every backend at once (a crash of the database machine). */
  async kill() {
    const pids = this.pids();
    for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    this.kills++;
    const deadline = Date.now() + 10000;
    // killed processes whose parent is PID 1 may stay zombies here: gone enough
    while (pids.some((p) => { const s = procState(p); return s && s.state !== 'Z'; })) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL processes survived SIGKILL: ${pids}`);
      await sleep(10);
    }
    // a rebooted machine has no such processes: the lock file's PID may still "exist" as a zombie
    try { unlinkSync(join(this.dir, 'data/postmaster.pid')); } catch { /* none */ }
    for (const f of readdirSync(join(this.dir, 'sock'))) if (f.endsWith('.lock')) unlinkSync(join(this.dir, 'sock', f));
    if (this.shmid) run('ipcrm', ['-m', this.shmid]);
  }

  /** Start the killed cluster again on the same data directory (crash recovery). */
  restart() {
    const args = [join(pgBindir(), 'pg_ctl'), '-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-t', '120', '-o', this.options, 'start'];
    const r = process.getuid() === 0 ? run('runuser', ['-u', 'postgres', '--', ...args]) : run(args[0], args.slice(1));
    if (r.status !== 0) throw new Error(`pg_ctl start after a kill failed: ${r.stdout}${r.stderr}\n${tail(join(this.dir, 'server.log'))}`);
  }

  stop() {
    run(CLUSTER_SH, ['stop', this.dir]);
  }
}

function tail(file, n = 20) {
  try { return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

/* ---------------------------------------------------------------- direct database access */
class Db {
  constructor(backend, url) {
    this.backend = backend;
    this.url = url;
    this.file = backend === 'sqlite' ? url.slice('sqlite:'.length) : null;
  }

  /** Rows of a query as objects (sqlite3 -json / psql json_agg). */
  rows(sql) {
    let r;
    if (this.backend === 'sqlite') {
      r = run('sqlite3', ['-json', '-cmd', '.timeout 20000', this.file, sql]);
    } else {
      r = run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', this.url, '-c', `SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t`]);
    }
    if (r.status !== 0) throw new Error(`${this.backend} query failed: ${r.stderr}\n${sql}`);
    const out = r.stdout.trim();
    return out ? JSON.parse(out) : [];
  }

  /** Several queries at once: {key: sql} → {key: rows} (one psql run on PostgreSQL). */
  many(queries) {
    const keys = Object.keys(queries);
    if (this.backend === 'sqlite') return Object.fromEntries(keys.map((k) => [k, this.rows(queries[k])]));
    const parts = keys.map((k, i) => `'q${i}', (SELECT coalesce(json_agg(t), '[]'::json) FROM (${queries[k]}) t)`);
    const r = run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', this.url, '-c', `SELECT json_build_object(${parts.join(', ')})`]);
    if (r.status !== 0) throw new Error(`postgres query failed: ${r.stderr}`);
    const o = JSON.parse(r.stdout.trim());
    return Object.fromEntries(keys.map((k, i) => [k, o[`q${i}`]]));
  }

  one(sql) {
    const rows = this.rows(sql);
    return rows.length ? Object.values(rows[0])[0] : null;
  }
}

function pgAdmin(serverUrl, sql) {
  const u = new URL(serverUrl);
  u.pathname = '/postgres';
  const r = run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', u.toString(), '-c', sql]);
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
}

/* ---------------------------------------------------------------- the run */
export async function runCrash(opts = {}) {
  const env = process.env;
  const cfg = {
    backend: opts.backend ?? env.OTKLIK_TEST_BACKEND ?? 'sqlite',
    rounds: Number(opts.rounds ?? env.CRASH_ROUNDS ?? 5),
    seconds: Number(opts.seconds ?? env.CRASH_SECONDS ?? 2),
    citizens: Number(opts.citizens ?? env.CRASH_CITIZENS ?? 10),
    seed: Number(opts.seed ?? env.CRASH_SEED ?? (Date.now() % 1000000)),
    keep: opts.keep ?? env.CRASH_KEEP === '1',
    verbose: opts.verbose ?? env.CRASH_VERBOSE === '1',
    pgUrl: opts.pgUrl === undefined ? env.OTKLIK_TEST_PG || null : opts.pgUrl, // null: own cluster
    pgKill: opts.pgKill ?? (env.CRASH_PG_KILL ? env.CRASH_PG_KILL === '1' : null),
    log: opts.log ?? ((s) => process.stderr.write(s + '\n')),
  };
  if (!['sqlite', 'postgres'].includes(cfg.backend)) throw new Error(`unknown backend ${cfg.backend}`);
  const rnd = mulberry32(cfg.seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const say = (s) => cfg.log(`crash[${cfg.backend}] ${s}`);
  const debug = (s) => { if (cfg.verbose) say(s); };
  const t0 = Date.now();

  /* problems: lost writes and half-done states, each line with what and where */
  const problems = [];
  const counts = { lost: 0, halfDone: 0, other: 0 };
  const problem = (kind, msg) => {
    counts[kind]++;
    if (problems.length < 200) problems.push(`${kind}: ${msg}`);
  };

  /* -------------------------------------------------- database and (PostgreSQL) cluster */
  const work = mkdtempSync(join(tmpdir(), 'otklik-crash-'));
  chmodSync(work, 0o755); // the cluster's directory inside belongs to the postgres user
  let cluster = null;
  let dbUrl;
  let dropDb = () => {};
  if (cfg.backend === 'postgres') {
    let server = cfg.pgUrl;
    if (!server) {
      cluster = new PgCluster(join(work, 'pg'));
      server = cluster.start();
    }
    if (cfg.pgKill === null) cfg.pgKill = !!cluster;
    if (cfg.pgKill && !cluster) throw new Error('CRASH_PG_KILL=1 needs our own cluster (unset OTKLIK_TEST_PG)');
    const name = 'otklik_crash_' + randomBytes(5).toString('hex');
    pgAdmin(server, `CREATE DATABASE ${name}`);
    const u = new URL(server);
    u.pathname = '/' + name;
    dbUrl = u.toString();
    dropDb = () => pgAdmin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    cfg.pgKill = false;
    dbUrl = `sqlite:${join(work, 'db')}`;
  }
  const db = new Db(cfg.backend, dbUrl);
  say(`seed ${cfg.seed}, ${cfg.rounds} rounds × ${cfg.seconds} s, database ${dbUrl}${cfg.pgKill ? ', PostgreSQL is killed too' : ''}`);

  /* -------------------------------------------------- a webhook receiver (deliveries get sent) */
  let hooksReceived = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { hooksReceived++; res.writeHead(200).end('ok'); });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

  /* -------------------------------------------------- the server */
  const dataDir = join(work, 'data'); // attachments: the same directory across restarts
  mkdirSync(dataDir);
  const serverEnv = {
    OTKLIK_DATA_DIR: dataDir,
    OTKLIK_RATE_WRITE: '1000000', // full speed: the rate limits are not under test here
    OTKLIK_RATE_READ: '1000000',
    OTKLIK_WEBHOOK_ALLOW_PRIVATE: '1',
    OTKLIK_NOTIFY_INTERVAL_MS: '100',
    OTKLIK_WEBHOOK_BACKOFF_MS: '200',
    OTKLIK_LOG_LEVEL: 'warn',
  };
  let srv = null;
  const clients = []; // every Client, so a restart on a new port can move them
  const serverKills = { n: 0 };
  async function boot() {
    srv = await startServer({ db: dbUrl, env: serverEnv });
    for (const c of clients) c.base = srv.base;
  }
  async function killServer() {
    if (!srv) return;
    srv.proc.kill('SIGKILL');
    await srv.exited;
    rmSync(srv.dataDir, { recursive: true, force: true });
    serverKills.n++;
    srv = null;
  }
  const mkClient = (name, bearer = null) => {
    const c = new Client(srv.base, { name, bearer });
    clients.push(c);
    return c;
  };

  /** One request; null when the connection failed (a dead server). Never validates the contract:
   * the other API tests do, this one is about durability at full speed. */
  const stats = { requests: 0, netErrors: 0, status: {}, unauthorized: {} };
  async function req(c, method, path, json) {
    stats.requests++;
    try {
      const r = await c.request(method, path, { json, validate: false });
      stats.status[r.status] = (stats.status[r.status] || 0) + 1;
      if (r.status === 401) stats.unauthorized[c.bearer ? 'api key' : 'session'] = (stats.unauthorized[c.bearer ? 'api key' : 'session'] || 0) + 1;
      return r;
    } catch {
      stats.netErrors++;
      return null;
    }
  }

  /* -------------------------------------------------- what was acknowledged */
  const A = {
    appeals: new Map(), // id → {id, text, topic_id, territory_id, author, apikey, event}
    events: [], // {appeal_id, kind, text, event, round}
    users: [], // {login, name, id}
    files: new Map(), // attachment id → {id, sha256, size, appeal (once a submission naming it was acknowledged)}
    settings: new Map(), // user id → {acked, maybe: Set}
    webhook: null,
    apikey: null,
  };
  let lastAckAt = 0;
  const ack = () => { lastAckAt = Date.now(); };
  let seq = 0;
  const uniq = () => `${cfg.seed.toString(36)}-${(++seq).toString(36)}`;

  let ids = {};
  let citizens = []; // {login, id, client, rate: [], iter, settingsIdx}
  let admin, executor, supervisor, coordinator, bot;
  let baseAppeal = 0;
  let baseEvent = 0;
  let baseFile = 0;
  const pools = { exec: [], triage: [] };
  const noted = new Set();
  let roundNo = 0;
  let round = { stop: true };

  /** The event the response's timeline shows for what we did: the newest of that kind (and text). */
  function eventOf(appeal, kind, text) {
    const tl = (appeal && appeal.timeline) || [];
    for (let i = tl.length - 1; i >= 0; i--) {
      if (tl[i].kind === kind && (text === undefined || tl[i].text === text)) return tl[i].id;
    }
    return null;
  }

  function recordEvent(res, appealId, kind, text) {
    const ev = eventOf(res.json, kind, text);
    if (!ev) problem('other', `the ${kind} on appeal #${appealId} was acknowledged (${res.status}) but its reply shows no such event`);
    A.events.push({ appeal_id: appealId, kind, text: text ?? null, event: ev, round: roundNo });
    ack();
  }

  /* -------------------------------------------------- setup (on the first server) */
  async function setup() {
    const anon = mkClient('anonymous');
    const lookup = async (coll, code) => {
      const r = await anon.request('GET', `/api/${coll}?code=${code}`, { validate: false });
      if (r.status !== 200 || r.json.items.length !== 1) throw new Error(`lookup ${coll} ${code}: ${r.text}`);
      return r.json.items[0].id;
    };
    ids = {
      kaluga: await lookup('territories', 'klu-kaluga'),
      obninsk: await lookup('territories', 'klu-obninsk'),
      minstroy: await lookup('orgs', 'klu-minstroy'),
      kalugaAdm: await lookup('orgs', 'klu-kaluga-adm'),
      heating: await lookup('topics', 'housing-heating'),
      other: await lookup('topics', 'other-general'),
      doctor: await lookup('topics', 'health-appointment'),
    };
    const login = async (name) => {
      const c = mkClient(name);
      const r = await c.request('POST', '/api/auth/login', { json: { login: name, password: PASSWORD }, validate: false });
      if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.text}`);
      c.userId = r.json.user.id;
      return c;
    };
    [admin, executor, supervisor, coordinator] = await Promise.all(['admin', 'executor', 'supervisor', 'coordinator'].map(login));
    const demoCitizens = await Promise.all(['citizen', 'citizen2'].map(login));
    // more citizens: registration is a durable write too
    const registered = await Promise.all(Array.from({ length: Math.max(0, cfg.citizens - 2) }, async (_, i) => {
      const c = mkClient(`crash-citizen-${i}`);
      const lg = `crash_${cfg.seed.toString(36)}_${i}`;
      const name = `Житель краш-теста ${i}`;
      const r = await c.request('POST', '/api/auth/register', { json: { login: lg, password: 'crash-test-password-1', name }, validate: false });
      if (r.status !== 201) throw new Error(`register ${lg}: ${r.status} ${r.text}`);
      c.userId = r.json.user.id;
      c.name = lg;
      A.users.push({ login: lg, name, id: c.userId });
      return c;
    }));
    citizens = [...demoCitizens, ...registered].map((client) => ({ client, id: client.userId, rate: [], iter: 0, settingsIdx: 0 }));
    const k = await admin.request('POST', '/api/apikeys', { json: { name: 'crash test', org_id: ids.kalugaAdm, scopes: ['operator'] }, validate: false });
    if (k.status !== 201) throw new Error(`apikey: ${k.status} ${k.text}`);
    A.apikey = k.json.id;
    bot = mkClient('apikey', k.json.key);
    const w = await admin.request('POST', '/api/webhooks', { json: { url: hookUrl, description: 'crash test' }, validate: false });
    if (w.status !== 201) throw new Error(`webhook: ${w.status} ${w.text}`);
    A.webhook = w.json.id;
    baseAppeal = Number(db.one('SELECT coalesce(max(id), 0) AS m FROM appeals'));
    baseEvent = Number(db.one('SELECT coalesce(max(id), 0) AS m FROM appeal_events'));
    baseFile = Number(db.one('SELECT coalesce(max(id), 0) AS m FROM attachments'));
    since.appeal = baseAppeal;
    since.event = baseEvent;
  }

  /* -------------------------------------------------- the drivers */
  const TEXTS = [
    'Во дворе дома не убирают снег, пройти к подъезду невозможно.',
    'В квартире холодно: батареи еле тёплые уже неделю, «управляйка» не отвечает.',
    'Прошу проверить качество ремонта крыши — после дождя течёт 😞.',
    'Не работает уличное освещение на ул. Ленина, 12–14.',
  ];

  /** Upload a photo (a PNG made unique by bytes after its end): the file and its row. */
  async function upload(c) {
    const tag = uniq();
    const body = Buffer.concat([PNG, Buffer.from(tag)]);
    stats.requests++;
    let r;
    try {
      r = await c.request('POST', `/api/attachments?name=photo-${tag}.png`, { body, contentType: 'image/png', validate: false });
    } catch {
      stats.netErrors++;
      return null;
    }
    stats.status[r.status] = (stats.status[r.status] || 0) + 1;
    if (r.status !== 201) return r;
    A.files.set(r.json.id, { id: r.json.id, sha256: sha256(body), size: body.length, appeal: null, owner: c, round: roundNo });
    ack();
    return r;
  }

  async function submitAs(c, authorId, withFile = false) {
    const r0 = rnd();
    const topic = r0 < 0.6 ? ids.heating : r0 < 0.85 ? ids.other : ids.doctor;
    const territory = rnd() < 0.8 ? ids.kaluga : ids.obninsk;
    const text = `${pick(TEXTS)} [${uniq()}]`;
    const body = { topic_id: topic, territory_id: territory, text };
    if (withFile) {
      const u = await upload(c);
      if (!u) throw new Error('down');
      if (u.status !== 201) return u;
      body.attachment_ids = [u.json.id];
    }
    const r = await req(c, 'POST', '/api/appeals', body);
    if (!r) throw new Error('down');
    if (r.status !== 201) return r;
    const id = r.json.id;
    if (withFile) A.files.get(body.attachment_ids[0]).appeal = id;
    A.appeals.set(id, { id, text, topic_id: topic, territory_id: territory, author: authorId, apikey: authorId ? null : A.apikey, event: eventOf(r.json, 'submitted'), round: roundNo });
    ack();
    if (r.json.status === 'submitted') pools.triage.push(id);
    else if (r.json.org_id === ids.minstroy) pools.exec.push(id);
    return r;
  }

  const SETTINGS = ['digest', 'off', 'instant'];
  async function citizenStep(ct) {
    ct.iter++;
    if (ct.rate.length) {
      const id = ct.rate.shift();
      const score = 1 + Math.floor(rnd() * 5);
      const solved = score >= 4 && rnd() < 0.8;
      const comment = `Оценка ${score} [${uniq()}]`;
      const r = await req(ct.client, 'POST', `/api/appeals/${id}/rating`, { score, solved, comment });
      if (!r) { ct.rate.unshift(id); throw new Error('down'); }
      if (r.status === 200) {
        recordEvent(r, id, 'rating', comment);
        if (r.json.status === 'rereview') pools.exec.push(id);
      } else if (r.status >= 500) ct.rate.unshift(id);
      else pools.exec.push(id); // 409: someone's unacknowledged write went through; look again
      return r;
    }
    if (ct.iter % 7 === 3) {
      const email = SETTINGS[ct.settingsIdx++ % SETTINGS.length];
      const st = A.settings.get(ct.id) || { acked: null, maybe: new Set() };
      A.settings.set(ct.id, st);
      st.maybe.add(email);
      const r = await req(ct.client, 'PUT', '/api/notifications/settings', { email });
      if (!r) throw new Error('down');
      if (r.status === 200) {
        st.acked = email;
        st.maybe = new Set();
        ack();
      }
      return r;
    }
    return submitAs(ct.client, ct.id, ct.iter % 5 === 1);
  }

  async function act(c, id, action, body) {
    const r = await req(c, 'POST', `/api/appeals/${id}/${action}`, body);
    if (!r) throw new Error('down');
    return r;
  }

  /** One appeal of klu-minstroy one step further: start, a note, a final answer; approve and
   * re-review as the supervisor; an answered appeal goes to its author for a rating. */
  async function executorStep() {
    const id = rnd() < 0.5 ? pools.exec.shift() : pools.exec.pop(); // the oldest, or the newest
    if (id === undefined) return sleep(5);
    let back = true;
    try {
      const g = await req(executor, 'GET', `/api/appeals/${id}`);
      if (!g) throw new Error('down');
      if (g.status !== 200) {
        if (g.status === 404) problem('lost', `acknowledged appeal #${id} of klu-minstroy is 404 for its executor`);
        if (g.status < 500) back = false;
        return g;
      }
      const ap = g.json;
      let r;
      switch (ap.status) {
        case 'routed': case 'redirected':
          r = await act(executor, id, 'start', {});
          if (r.status === 200) recordEvent(r, id, 'start');
          break;
        case 'in_progress': case 'clarified':
          if (!noted.has(id)) {
            const text = `Служебная заметка [${uniq()}]`;
            r = await act(executor, id, 'notes', { text });
            if (r.status === 201) { recordEvent(r, id, 'notes', text); noted.add(id); }
          } else {
            const text = `Ответ по существу: работы выполнены [${uniq()}]`;
            r = await act(executor, id, 'answers', { kind: 'final', text });
            if (r.status === 201) recordEvent(r, id, 'answer_final', text);
          }
          break;
        case 'approval':
          r = await act(supervisor, id, 'approve', {});
          if (r.status === 200) recordEvent(r, id, 'approve');
          break;
        case 'rereview': {
          const comment = `Решение оставлено в силе [${uniq()}]`;
          r = await act(supervisor, id, 'rereview', { decision: 'uphold', comment });
          if (r.status === 200) recordEvent(r, id, 'rereview', comment);
          break;
        }
        case 'answered': {
          back = false;
          const author = A.appeals.get(id)?.author;
          const ct = citizens.find((x) => x.id === author);
          if (ct) ct.rate.push(id);
          return g;
        }
        default:
          back = false; // closed, or not ours to move
          return g;
      }
      return r;
    } finally {
      if (back) pools.exec.push(id);
    }
  }

  async function coordinatorStep() {
    const id = pools.triage.shift();
    if (id === undefined) return sleep(5);
    let back = true;
    try {
      const g = await req(coordinator, 'GET', `/api/appeals/${id}`);
      if (!g) throw new Error('down');
      if (g.status !== 200) {
        if (g.status === 404) problem('lost', `acknowledged triage appeal #${id} is 404 for the coordinator`);
        if (g.status < 500) back = false;
        return g;
      }
      if (g.json.status !== 'submitted') {
        back = false;
        if (g.json.org_id === ids.minstroy) pools.exec.push(id);
        return g;
      }
      const r = await act(coordinator, id, 'route', { org_id: ids.minstroy });
      if (r.status === 200) {
        recordEvent(r, id, 'route');
        back = false;
        pools.exec.push(id);
      }
      return r;
    } finally {
      if (back) pools.triage.push(id);
    }
  }

  async function registrarStep() {
    if (round.registered >= 2) return sleep(50); // password hashing is slow on purpose
    round.registered++;
    const c = mkClient('registrar');
    const lg = `crash_${cfg.seed.toString(36)}_r${uniq().replace(/-/g, '_')}`;
    const name = `Новый житель ${lg.slice(-6)}`;
    const r = await req(c, 'POST', '/api/auth/register', { login: lg, password: 'crash-test-password-2', name });
    clients.splice(clients.indexOf(c), 1);
    if (!r) throw new Error('down');
    if (r.status === 201) { A.users.push({ login: lg, name, id: r.json.user.id }); ack(); }
    return r;
  }

  /** Run step until the round stops; a failed connection or a 5xx backs off a little. */
  async function loop(step) {
    while (!round.stop) {
      let r = null;
      try { r = await step(); } catch { r = null; }
      if (round.stop) break;
      if (r === null || (r && r.status >= 500)) await sleep(10 + rnd() * 20);
    }
  }

  function startDrivers() {
    round = { stop: false, registered: 0 };
    const loops = [];
    for (const ct of citizens) loops.push(loop(() => citizenStep(ct)));
    for (let i = 0; i < 2; i++) loops.push(loop(() => submitAs(bot, null)));
    for (let i = 0; i < 4; i++) loops.push(loop(executorStep));
    loops.push(loop(coordinatorStep));
    loops.push(loop(registrarStep));
    return async () => { round.stop = true; await Promise.all(loops); };
  }

  /* -------------------------------------------------- verification */
  const verifiedAppeals = new Set();
  const since = { appeal: 0, event: 0, file: 0 }; // the newest appeal and event at the last check
  let verifiedEvents = 0;
  const inList = (xs) => xs.map(Number).join(',');

  function chunks(xs, n = 400) {
    const out = [];
    for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
    return out;
  }

  /** The acknowledged appeals and events (all of them, or those not checked yet) against the
   * database, then the invariants that a half-done write would break. */
  async function verify(label, full) {
    const tv = Date.now();
    const before = { ...counts };
    // 1. the people still have their sessions; the key and the webhook still exist
    await Promise.all([admin, executor, supervisor, coordinator, ...citizens.map((x) => x.client)].map(async (c) => {
      const r = await req(c, 'GET', '/api/me');
      if (!r || r.status !== 200) problem('lost', `${label}: the session of ${c.name} (acknowledged login) no longer works: ${r ? r.status : 'no answer'}`);
    }));
    const kr = await req(bot, 'GET', '/api/appeals?queue=authored&limit=1');
    if (!kr || kr.status !== 200) problem('lost', `${label}: the acknowledged API key no longer works: ${kr ? kr.status + ' ' + kr.text.slice(0, 200) : 'no answer'}`);
    if (!db.one(`SELECT count(*) AS n FROM webhooks WHERE id = ${A.webhook} AND deleted_at IS NULL AND active = 1`)) problem('lost', `${label}: webhook #${A.webhook} is gone`);

    // 2. appeals: whole, as sent
    const todo = [...A.appeals.values()].filter((x) => full || !verifiedAppeals.has(x.id));
    for (const part of chunks(todo)) {
      const got = new Map(db.rows(`SELECT id, text, topic_id, territory_id, author_id, apikey_id FROM appeals WHERE id IN (${inList(part.map((x) => x.id))})`).map((r) => [Number(r.id), r]));
      for (const x of part) {
        const g = got.get(x.id);
        if (!g) { problem('lost', `${label}: acknowledged appeal #${x.id} (round ${x.round}) is not in the database`); continue; }
        const bad = [];
        if (g.text !== x.text) bad.push(`text ${JSON.stringify(g.text)} ≠ ${JSON.stringify(x.text)}`);
        if (Number(g.topic_id) !== x.topic_id) bad.push(`topic ${g.topic_id} ≠ ${x.topic_id}`);
        if (Number(g.territory_id) !== x.territory_id) bad.push(`territory ${g.territory_id} ≠ ${x.territory_id}`);
        if ((g.author_id === null ? null : Number(g.author_id)) !== x.author) bad.push(`author ${g.author_id} ≠ ${x.author}`);
        if ((g.apikey_id === null ? null : Number(g.apikey_id)) !== x.apikey) bad.push(`api key ${g.apikey_id} ≠ ${x.apikey}`);
        if (bad.length) problem('lost', `${label}: appeal #${x.id} is not as sent: ${bad.join('; ')}`);
        verifiedAppeals.add(x.id);
      }
      // its submission event, as the reply showed it
      const evs = new Map(db.rows(`SELECT id, appeal_id, kind FROM appeal_events WHERE id IN (${inList(part.map((x) => x.event).filter(Boolean))})`).map((r) => [Number(r.id), r]));
      for (const x of part) {
        const e = evs.get(x.event);
        if (got.has(x.id) && (!e || Number(e.appeal_id) !== x.id || e.kind !== 'submitted')) problem('lost', `${label}: the submission event #${x.event} of appeal #${x.id} is missing or wrong`);
      }
    }

    // 3. acknowledged actions: their events, with the text sent
    const evTodo = full ? A.events : A.events.slice(verifiedEvents);
    for (const part of chunks(evTodo.filter((x) => x.event))) {
      const got = new Map(db.rows(`SELECT id, appeal_id, kind, text FROM appeal_events WHERE id IN (${inList(part.map((x) => x.event))})`).map((r) => [Number(r.id), r]));
      for (const x of part) {
        const g = got.get(x.event);
        if (!g) { problem('lost', `${label}: acknowledged ${x.kind} on appeal #${x.appeal_id} (event #${x.event}, round ${x.round}) is not in the database`); continue; }
        if (Number(g.appeal_id) !== x.appeal_id || g.kind !== x.kind || (x.text !== null && g.text !== x.text)) problem('lost', `${label}: event #${x.event} is ${JSON.stringify(g)}, acknowledged as ${x.kind} on #${x.appeal_id} with ${JSON.stringify(x.text)}`);
      }
    }
    const answers = evTodo.filter((x) => x.kind === 'answer_final');
    for (const part of chunks(answers)) {
      const got = new Set(db.rows(`SELECT appeal_id, text FROM answers WHERE kind = 'final' AND appeal_id IN (${inList(part.map((x) => x.appeal_id))})`).map((r) => `${r.appeal_id}\u0000${r.text}`));
      for (const x of part) if (!got.has(`${x.appeal_id}\u0000${x.text}`)) problem('lost', `${label}: the acknowledged final answer on appeal #${x.appeal_id} is not in answers`);
    }
    verifiedEvents = A.events.length;

    // 4. files: every acknowledged upload has its row (and its appeal), and its bytes on disk
    const fileTodo = [...A.files.values()].filter((f) => full || f.round >= roundNo - 1);
    for (const part of chunks(fileTodo)) {
      const got = new Map(db.rows(`SELECT id, sha256, size, appeal_id FROM attachments WHERE id IN (${inList(part.map((f) => f.id))})`).map((r) => [Number(r.id), r]));
      for (const f of part) {
        const g = got.get(f.id);
        if (!g || g.sha256 !== f.sha256 || Number(g.size) !== f.size) { problem('lost', `${label}: acknowledged upload #${f.id} is ${g ? JSON.stringify(g) : 'gone'}`); continue; }
        if (f.appeal !== null && Number(g.appeal_id) !== f.appeal) problem('lost', `${label}: attachment #${f.id} belongs to appeal ${g.appeal_id}, acknowledged with appeal #${f.appeal}`);
      }
    }

    // 5. accounts and notification settings
    if (A.users.length) {
      const got = new Map(db.rows(`SELECT id, login, name FROM users WHERE id IN (${inList(A.users.map((u) => u.id))})`).map((r) => [Number(r.id), r]));
      for (const u of A.users) {
        const g = got.get(u.id);
        if (!g || g.login !== u.login || g.name !== u.name) problem('lost', `${label}: registered account ${u.login} (#${u.id}) is ${g ? JSON.stringify(g) : 'gone'}`);
      }
    }
    if (A.settings.size) {
      const got = new Map(db.rows(`SELECT user_id, email FROM notification_settings WHERE user_id IN (${inList([...A.settings.keys()])})`).map((r) => [Number(r.user_id), r.email]));
      for (const [uid, st] of A.settings) {
        const have = got.get(uid) ?? 'instant';
        const allowed = new Set([st.acked ?? 'instant', ...st.maybe]);
        if (!allowed.has(have)) problem('lost', `${label}: notification setting of user #${uid} is ${have}, acknowledged ${st.acked} (unacknowledged since: ${[...st.maybe].join(',') || 'none'})`);
      }
    }

    // 6. nothing half-done: every appeal and event written since the start has all its parts
    // (between rounds: the appeals created or changed since the last check; at the end: all)
    const B = baseAppeal;
    const marks = db.rows('SELECT (SELECT coalesce(max(id), 0) FROM appeals) AS ap, (SELECT coalesce(max(id), 0) FROM appeal_events) AS ev, (SELECT coalesce(max(id), 0) FROM attachments) AS at')[0];
    const inScope = (col) => (full ? `${col} > ${B}` : `${col} > ${B} AND (${col} > ${since.appeal} OR ${col} IN (SELECT appeal_id FROM appeal_events WHERE id > ${since.event}))`);
    const newEvent = (col) => (full ? `${col} > ${baseEvent}` : `${col} > ${Math.max(baseEvent, since.event)}`);
    const act = (k) => `('appeal.' || CASE WHEN ${k} = 'submitted' THEN 'submit' ELSE ${k} END)`;
    const checks = {
      'appeal without its submitted event': `SELECT a.id FROM appeals a WHERE ${inScope('a.id')} AND NOT EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.kind = 'submitted')`,
      'appeal without its audit entry': `SELECT a.id FROM appeals a WHERE ${inScope('a.id')} AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.entity = 'appeal' AND l.entity_id = a.id AND l.action = 'appeal.submit')`,
      'appeal without its author row': `SELECT a.id FROM appeals a WHERE ${inScope('a.id')} AND a.author_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM appeal_authors x WHERE x.appeal_id = a.id AND x.user_id = a.author_id)`,
      'routes ≠ 1 + route/redirect events': `SELECT a.id FROM appeals a WHERE ${inScope('a.id')} AND (SELECT count(*) FROM appeal_routes r WHERE r.appeal_id = a.id) <> 1 + (SELECT count(*) FROM appeal_events e WHERE e.appeal_id = a.id AND e.kind IN ('route', 'redirect'))`,
      'events of a kind ≠ audit entries of that action': `SELECT * FROM (SELECT e.appeal_id, e.kind, count(*) AS n FROM appeal_events e WHERE ${inScope('e.appeal_id')} GROUP BY e.appeal_id, e.kind) x WHERE x.n <> (SELECT count(*) FROM audit_log l WHERE l.entity = 'appeal' AND l.entity_id = x.appeal_id AND l.action = ${act('x.kind')})`,
      'audit entries of an action ≠ events of that kind': `SELECT * FROM (SELECT l.entity_id AS appeal_id, l.action, count(*) AS n FROM audit_log l WHERE l.entity = 'appeal' AND ${inScope('l.entity_id')} GROUP BY l.entity_id, l.action) x WHERE x.n <> (SELECT count(*) FROM appeal_events e WHERE e.appeal_id = x.appeal_id AND ${act('e.kind')} = x.action)`,
      'status ≠ the last event\'s status_to': `SELECT * FROM (SELECT a.id, a.status, (SELECT e.status_to FROM appeal_events e WHERE e.appeal_id = a.id AND e.status_to IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS last FROM appeals a WHERE ${inScope('a.id')}) x WHERE x.last IS NULL OR x.last <> x.status`,
      'version ≠ number of events (but due_soon)': `SELECT * FROM (SELECT a.id, a.version, (SELECT count(*) FROM appeal_events e WHERE e.appeal_id = a.id AND e.kind <> 'due_soon') AS n FROM appeals a WHERE ${inScope('a.id')}) x WHERE x.version <> x.n`,
      'final answers ≠ answer_final events': `SELECT a.id FROM appeals a WHERE ${inScope('a.id')} AND (SELECT count(*) FROM answers w WHERE w.appeal_id = a.id AND w.kind = 'final') <> (SELECT count(*) FROM appeal_events e WHERE e.appeal_id = a.id AND e.kind = 'answer_final')`,
      'rated appeal without its rating event': `SELECT a.id FROM appeals a WHERE ${inScope('a.id')} AND a.rating IS NOT NULL AND NOT EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.kind = 'rating')`,
      'public event without the author\'s notification': `SELECT e.id, e.appeal_id, e.kind FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE e.appeal_id > ${B} AND ${newEvent('e.id')} AND e.public = 1 AND a.author_id IS NOT NULL AND coalesce(e.actor_user_id, 0) <> a.author_id AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = e.id AND n.user_id = a.author_id)`,
      'routed to klu-minstroy without the executor\'s notification': `SELECT e.id, e.appeal_id FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE e.appeal_id > ${B} AND ${newEvent('e.id')} AND e.status_to = 'routed' AND a.org_id = ${ids.minstroy} AND coalesce(e.actor_user_id, 0) <> ${executor.userId} AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = e.id AND n.user_id = ${executor.userId})`,
      'triage without the coordinator\'s notification': `SELECT e.id, e.appeal_id FROM appeal_events e WHERE e.appeal_id > ${B} AND ${newEvent('e.id')} AND e.status_to = 'submitted' AND coalesce(e.actor_user_id, 0) <> ${coordinator.userId} AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = e.id AND n.user_id = ${coordinator.userId})`,
      'notification of another appeal than its event': `SELECT n.id FROM notifications n JOIN appeal_events e ON e.id = n.event_id WHERE n.appeal_id > ${B} AND ${newEvent('n.event_id')} AND n.appeal_id <> e.appeal_id`,
      'event without exactly one webhook delivery': `SELECT e.id FROM appeal_events e WHERE e.appeal_id > ${B} AND ${newEvent('e.id')} AND (SELECT count(*) FROM deliveries d WHERE d.event_id = e.id AND d.channel = 'webhook' AND d.target = 'webhook:${A.webhook}') <> 1`,
      'event without its appeal': `SELECT e.id FROM appeal_events e WHERE ${newEvent('e.id')} AND NOT EXISTS (SELECT 1 FROM appeals a WHERE a.id = e.appeal_id)`,
      'notification or delivery without its event': `SELECT 'notification' AS what, n.id FROM notifications n WHERE ${newEvent('n.event_id')} AND NOT EXISTS (SELECT 1 FROM appeal_events e WHERE e.id = n.event_id) UNION ALL SELECT 'delivery', d.id FROM deliveries d WHERE ${newEvent('d.event_id')} AND NOT EXISTS (SELECT 1 FROM appeal_events e WHERE e.id = d.event_id)`,
      'delivery sent without an attempt logged': `SELECT d.id FROM deliveries d WHERE d.state = 'sent' AND NOT EXISTS (SELECT 1 FROM delivery_attempts t WHERE t.delivery_id = d.id)`,
    };
    const rowsWithoutFile = [];
    for (const f of db.rows(`SELECT id, sha256, size FROM attachments WHERE id > ${full ? baseFile : Math.max(baseFile, since.file)}`)) {
      let size = -1;
      try { size = statSync(join(dataDir, 'attachments', f.sha256.slice(0, 2), f.sha256.slice(2, 4), f.sha256)).size; } catch { /* missing */ }
      if (size !== Number(f.size)) rowsWithoutFile.push(f.id);
    }
    if (rowsWithoutFile.length) problem('halfDone', `${label}: attachment rows without their file: ${rowsWithoutFile.length} — ${rowsWithoutFile.slice(0, 5)}`);
    for (const [what, rows] of Object.entries(db.many(checks))) {
      if (rows.length) problem('halfDone', `${label}: ${what}: ${rows.length} — ${JSON.stringify(rows.slice(0, 5))}`);
    }
    since.appeal = Number(marks.ap);
    since.event = Number(marks.ev);
    since.file = Number(marks.at);

    // 7. what a person sees: a sample of the acknowledged appeals through the API
    const sample = todo.length <= (full ? 300 : 20) ? todo : Array.from({ length: full ? 300 : 20 }, () => pick(todo));
    const byAppeal = new Map();
    if (sample.length) for (const e of A.events) if (e.event) (byAppeal.get(e.appeal_id) ?? byAppeal.set(e.appeal_id, []).get(e.appeal_id)).push(e.event);
    const gets = [];
    for (const part of chunks(sample, 10)) gets.push(...(await Promise.all(part.map(async (x) => [x, await req(admin, 'GET', `/api/appeals/${x.id}`)]))));
    for (const [x, r] of gets) {
      if (!r || r.status !== 200) { problem('lost', `${label}: GET /api/appeals/${x.id} (acknowledged) → ${r ? r.status : 'no answer'}`); continue; }
      const ap = r.json;
      if (ap.text !== x.text || ap.topic_id !== x.topic_id || ap.territory_id !== x.territory_id) problem('lost', `${label}: appeal #${x.id} through the API is not as sent`);
      const tl = new Set(ap.timeline.map((e) => e.id));
      for (const ev of [x.event, ...(byAppeal.get(x.id) || [])]) if (ev && !tl.has(ev)) problem('lost', `${label}: event #${ev} of appeal #${x.id} is not in its timeline`);
    }
    const fileSample = fileTodo.length <= 20 ? fileTodo : Array.from({ length: 20 }, () => pick(fileTodo));
    for (const f of fileSample) {
      const r = await req(f.owner, 'GET', `/api/attachments/${f.id}`);
      if (!r || r.status !== 200 || sha256(r.buf) !== f.sha256) problem('lost', `${label}: GET /api/attachments/${f.id} (acknowledged upload) → ${r ? r.status : 'no answer'}${r && r.status === 200 ? ', other bytes' : ''}`);
    }
    const found = Object.entries(counts).filter(([k, v]) => v !== before[k]).map(([k, v]) => `${k} +${v - before[k]}`);
    debug(`${label}: verified ${todo.length} appeals, ${evTodo.length} events in ${Date.now() - tv} ms${found.length ? ' — ' + found.join(', ') : ''}`);
  }

  /* -------------------------------------------------- rounds */
  const figures = { rounds: 0, serverKills: 0, pgKills: 0, modes: {}, pgRecoveryMs: 0 };
  let ok = false;
  try {
    await boot();
    await setup();
    say(`setup: ${citizens.length} citizens, API key #${A.apikey}, webhook #${A.webhook}, appeals after #${baseAppeal}`);
    const MODES = cfg.pgKill ? ['server', 'pg', 'both'] : ['server'];
    for (roundNo = 1; roundNo <= cfg.rounds; roundNo++) {
      if (!srv) {
        await boot();
        await verify(`after round ${roundNo - 1}`, false);
      }
      const mode = MODES[(roundNo - 1) % MODES.length];
      figures.modes[mode] = (figures.modes[mode] || 0) + 1;
      const ms = cfg.seconds * 1000;
      const acked0 = A.appeals.size + A.events.length;
      const stopDrivers = startDrivers();
      if (mode === 'pg') {
        await sleep(ms * (0.15 + 0.35 * rnd()));
        await cluster.kill();
        debug(`round ${roundNo}: PostgreSQL killed`);
        await sleep(rnd() * 300);
        cluster.restart();
        const restartedAt = Date.now();
        // the server must come back by itself: writes succeed again
        while (lastAckAt < restartedAt && Date.now() - restartedAt < 30000) await sleep(20);
        if (lastAckAt < restartedAt) problem('other', `round ${roundNo}: no write succeeded within 30 s after PostgreSQL restarted`);
        else figures.pgRecoveryMs = Math.max(figures.pgRecoveryMs, lastAckAt - restartedAt);
        await sleep(ms * 0.5 * rnd());
        await killServer();
      } else if (mode === 'both') {
        await sleep(ms * (0.3 + 0.7 * rnd()));
        if (rnd() < 0.5) { await cluster.kill(); await killServer(); } else { await killServer(); await cluster.kill(); }
        cluster.restart();
      } else {
        await sleep(ms * (0.3 + 0.7 * rnd()));
        await killServer();
      }
      await stopDrivers();
      figures.rounds++;
      say(`round ${roundNo}/${cfg.rounds} (${mode}): ${A.appeals.size + A.events.length - acked0} writes acknowledged, ${A.appeals.size} appeals so far`);
    }
    await boot();
    await verify('at the end (all writes)', true);
    const x = await srv.stop({ expectGraceful: false });
    if (x.code !== 0 || x.signal) problem('other', `the server did not stop gracefully at the end: ${JSON.stringify(x)}`);
    srv = null;
    ok = true;
  } finally {
    round.stop = true; // the drivers of a round that threw end with it
    if (srv) await killServer();
    receiver.close();
    figures.serverKills = serverKills.n;
    figures.pgKills = cluster ? cluster.kills : 0;
    const failed = !ok || problems.length > 0;
    if (cfg.keep || failed) {
      if (cluster) try { cluster.stop(); } catch (e) { say(`cluster stop: ${e.message}`); }
      say(`kept for a post-mortem: ${work}${cluster ? ` (PostgreSQL, stopped: pg_ctl -D ${join(work, 'pg/data')} start)` : ''}`);
    } else {
      try { dropDb(); } catch (e) { say(`drop: ${e.message}`); }
      if (cluster) cluster.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }
  const summary = {
    backend: cfg.backend,
    seed: cfg.seed,
    rounds: figures.rounds,
    seconds_per_round: cfg.seconds,
    server_kills: figures.serverKills,
    postgres_kills: figures.pgKills,
    modes: figures.modes,
    max_ms_to_first_write_after_postgres_restart: cluster && cfg.pgKill ? figures.pgRecoveryMs : undefined,
    acknowledged: {
      appeals: A.appeals.size,
      actions: A.events.length,
      by_kind: A.events.reduce((m, e) => ((m[e.kind] = (m[e.kind] || 0) + 1), m), {}),
      registrations: A.users.length,
      uploads: A.files.size,
      settings: [...A.settings.values()].filter((s) => s.acked).length,
    },
    requests: stats.requests,
    failed_connections: stats.netErrors,
    statuses: stats.status,
    unauthorized: stats.unauthorized,
    webhook_calls_received: hooksReceived,
    lost: counts.lost,
    half_done: counts.halfDone,
    other_problems: counts.other,
    problems,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  return summary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await runCrash();
  const { problems, ...rest } = s;
  console.log(JSON.stringify(rest, null, 1));
  for (const p of problems) console.log(p);
  const failed = s.lost + s.half_done + s.other_problems;
  console.log(`${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
  process.exit(failed ? 1 : 0);
}
