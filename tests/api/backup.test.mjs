// `otklik backup` (docs/backup.md). SQLite: a copy taken while citizens keep submitting holds every
// appeal acknowledged before the backup began, passes PRAGMA integrity_check and serves; an existing
// file is kept unless --force. PostgreSQL: a clear error naming the pg_dump command, and (when the
// tools are installed) that very command plus pg_restore round-trips the data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, statSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootServer, startServer, runCli, BIN, ROOT, childEnv } from './lib/server.mjs';
import { backend } from './lib/db.mjs';
import { Demo } from './lib/demo.mjs';

let S;
let demo;
let dir;
const ids = {};

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
  dir = mkdtempSync(join(tmpdir(), 'otklik-backup-'));
});
after(async () => {
  await S?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const text = (i) => `Резервная копия: обращение номер ${i}, во дворе не убран снег.`;

async function submit(c, i) {
  const r = await c.post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text: text(i) });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

/** `otklik backup …` without blocking the event loop (submissions go on meanwhile). */
function backupAsync(args) {
  return new Promise((res) => {
    execFile(BIN, ['backup', ...args], { cwd: ROOT, env: childEnv(), encoding: 'utf8' }, (err, stdout, stderr) =>
      res({ status: err ? err.code : 0, stdout, stderr }));
  });
}

test('SQLite: a backup taken during submissions holds every acknowledged appeal and is consistent', { skip: backend !== 'sqlite' }, async (t) => {
  // Some bulk so the copy takes more than one step.
  const g = runCli(['gen', 'appeals', '--db', S.db, '--count', '20000', '--orgs', '5']);
  assert.equal(g.status, 0, g.stderr);
  const c = await demo.as('citizen');
  const acked = new Map();
  for (let i = 0; i < 10; i++) acked.set(await submit(c, i), text(i));

  // Two writers keep submitting while the backup runs.
  let stop = false;
  let during = 0;
  let n = 1000;
  const failures = [];
  const writer = async () => {
    while (!stop) {
      const i = n++;
      const r = await c.post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text: text(i) });
      if (r.status !== 201) failures.push(`${r.status} ${r.text.slice(0, 200)}`);
      else during++;
    }
  };
  const writers = [writer(), writer()];
  // The backup starts once submissions are flowing.
  for (const until = Date.now() + 10000; during < 2 && !failures.length && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
  const file = join(dir, 'copy.db');
  const before_ = new Map(acked);
  const b = await backupAsync(['--db', S.db, file]);
  stop = true;
  await Promise.all(writers);
  assert.equal(b.status, 0, b.stderr);
  assert.deepEqual(failures, [], 'submissions failed while the backup ran');
  const lines = b.stdout.trim().split('\n');
  const out = JSON.parse(lines[lines.length - 1]);
  assert.equal(out.file, file);
  assert.ok(out.pages > 0 && out.steps >= 1, b.stdout);
  assert.equal(out.bytes, statSync(file).size);
  assert.equal(typeof out.ms, 'number');
  t.diagnostic(`backup: ${b.stdout.trim()}; ${during} submissions acknowledged meanwhile`);
  assert.ok(!existsSync(`${file}.partial`), 'no partial file left');

  const ic = spawnSync('sqlite3', [file, 'PRAGMA integrity_check; PRAGMA foreign_key_check;'], { encoding: 'utf8' });
  assert.equal(ic.status, 0, ic.stderr);
  assert.equal(ic.stdout.trim(), 'ok', 'integrity_check on the copy');

  // A server on the copy serves every appeal acknowledged before the backup began.
  const S2 = await startServer({ db: `sqlite:${file}`, demo: false });
  try {
    const d2 = new Demo(S2.base);
    const admin = await d2.as('admin');
    const missing = [];
    for (const [id, txt] of before_) {
      const r = await admin.get(`/api/appeals/${id}`);
      if (r.status !== 200 || r.json.text !== txt) missing.push(`${id}: ${r.status}`);
    }
    assert.deepEqual(missing, [], 'appeals acknowledged before the backup are missing from it');
    const cnt = spawnSync('sqlite3', [file, 'SELECT COUNT(*) FROM appeals'], { encoding: 'utf8' });
    assert.ok(Number(cnt.stdout) >= 20000 + before_.size, `appeals in the copy: ${cnt.stdout}`);
  } finally {
    await S2.stop();
  }
});

test('SQLite: an existing file is kept unless --force; a missing database is an error', { skip: backend !== 'sqlite' }, async () => {
  const file = join(dir, 'existing.db');
  writeFileSync(file, 'keep me');
  const b = runCli(['backup', '--db', S.db, file]);
  assert.equal(b.status, 1);
  assert.match(b.stderr, /exists; pass --force/);
  assert.equal(readFileSync(file, 'utf8'), 'keep me', 'the file was overwritten without --force');
  const f = runCli(['backup', '--db', S.db, '--force', file]);
  assert.equal(f.status, 0, f.stderr);
  assert.notEqual(readFileSync(file).subarray(0, 15).toString(), 'keep me');
  assert.equal(spawnSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).stdout.trim(), 'ok');
  const none = runCli(['backup', '--db', `sqlite:${join(dir, 'nothing-here.db')}`, join(dir, 'x.db')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no database at/);
  assert.ok(!existsSync(join(dir, 'x.db')));
  const self = runCli(['backup', '--db', S.db, '--force', S.db.slice('sqlite:'.length)]);
  assert.equal(self.status, 1);
  assert.match(self.stderr, /is the database itself/);
  const noFile = runCli(['backup', '--db', S.db]);
  assert.equal(noFile.status, 2);
  assert.match(noFile.stderr, /FILE is required/);
});

/** The PostgreSQL client tools of the installation tests/pg/cluster.sh uses, or null. */
function pgBin() {
  try {
    const v = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
    const bin = `/usr/lib/postgresql/${v}/bin`;
    return existsSync(`${bin}/pg_dump`) && existsSync(`${bin}/pg_restore`) ? bin : null;
  } catch {
    return null;
  }
}

test('PostgreSQL: a clear error with the pg_dump command; that command and pg_restore round-trip', { skip: backend !== 'postgres' }, async (t) => {
  const file = join(dir, 'pg.dump');
  const b = runCli(['backup', '--db', S.db, file]);
  assert.equal(b.status, 1);
  assert.match(b.stderr, /back up PostgreSQL with pg_dump/);
  const cmd = b.stderr.split('\n').map((l) => l.trim()).find((l) => l.startsWith('pg_dump '));
  assert.equal(cmd, `pg_dump --format=custom --no-owner --dbname='${S.db}' --file='${file}'`);
  assert.ok(!existsSync(file), 'nothing written');

  const bin = pgBin();
  if (!bin) {
    t.skip('pg_dump/pg_restore not installed');
    return;
  }
  const c = await demo.as('citizen');
  const acked = new Map();
  for (let i = 0; i < 5; i++) acked.set(await submit(c, i), text(i));
  // Run exactly the printed command.
  const dump = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(dump.status, 0, dump.stderr);
  assert.ok(statSync(file).size > 0);
  const target = new URL(S.db);
  const name = `${target.pathname.slice(1)}_restored`;
  target.pathname = '/' + name;
  const admin = new URL(S.db);
  admin.pathname = '/postgres';
  const psql = (q) => spawnSync(`${bin}/psql`, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin.toString(), '-c', q], { encoding: 'utf8' });
  assert.equal(psql(`CREATE DATABASE ${name}`).status, 0);
  try {
    const rs = spawnSync(`${bin}/pg_restore`, ['--no-owner', '--exit-on-error', `--dbname=${target}`, file], { encoding: 'utf8' });
    assert.equal(rs.status, 0, rs.stderr);
    const S2 = await startServer({ db: target.toString(), demo: false });
    try {
      const a2 = await new Demo(S2.base).as('admin');
      for (const [id, txt] of acked) {
        const r = await a2.get(`/api/appeals/${id}`);
        assert.equal(r.status, 200, `appeal ${id} after restore: ${r.text}`);
        assert.equal(r.json.text, txt);
      }
    } finally {
      await S2.stop();
    }
  } finally {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
});
