// `otklik import nash-spb`: real-format portal records (a made-up fixture) become appeals with their
// original times, answers, re-routings and timeline; a second import adds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli, startServer, ROOT } from './lib/server.mjs';
import { createTestDb } from './lib/db.mjs';
import { Demo } from './lib/demo.mjs';

const FIXTURE = join(ROOT, 'tests/fixtures/spb-portal-mini.jsonl.gz');
// The fixture's records, read with zcat (the same bytes the importer reads).
const records = execFileSync('zcat', [FIXTURE], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => JSON.parse(l));
// The portal writes Moscow local time (UTC+3) without a zone.
const ms = (s) => Date.parse(s.slice(0, 23) + 'Z') - 3 * 3600 * 1000;

let db;
let first;
before(() => {
  db = createTestDb();
  first = runCli(['import', 'nash-spb', '--db', db.url, FIXTURE], { timeout: 120000 });
});
after(() => db?.drop());

const summary = (r) => JSON.parse(r.stdout.trim().split('\n').pop());

test('the import reports what it loaded on its last line', () => {
  assert.equal(first.status, 0, first.stderr);
  const s = summary(first);
  assert.equal(s.appeals, records.length);
  assert.equal(s.skipped, 0);
  assert.equal(s.answers, records.reduce((n, r) => n + r.answers.length, 0));
  assert.equal(s.territories, new Set(records.map((r) => r.district)).size);
  assert.equal(s.topics, new Set(records.map((r) => r.reason_id)).size);
  assert.ok(s.rules > 0 && s.orgs > 0);
  assert.equal(typeof s.seconds, 'number');
});

test('a server on that database shows the appeals with their original times, answers and routes', async () => {
  const srv = await startServer({ db: db.url, demo: true });
  try {
    const demo = new Demo(srv.base);
    const admin = await demo.as('admin');
    const list = await admin.get('/api/appeals?queue=all&limit=100&sort=created');
    assert.equal(list.status, 200, list.text);
    const mine = list.json.items.filter((a) => a.channel === 'import');
    assert.equal(mine.length, records.length);

    // Every record: its creation time, its district, its status.
    const terr = await demo.anon().get('/api/territories?code=spb-primorskiy');
    assert.equal(terr.json.items.length, 1, 'the district became a territory');
    assert.equal(terr.json.items[0].parent_id, await demo.id('territories', 'RU-SPE'));
    for (const rec of records) {
      const a = mine.find((x) => x.created_at === ms(rec.created_at));
      assert.ok(a, `record ${rec.id} kept its time ${rec.created_at}`);
    }

    // The re-routed one: two redirects, its answers and timeline keep the portal's times.
    const rec = records.find((r) => r.routes.length === 2);
    const brief = mine.find((x) => x.created_at === ms(rec.created_at));
    const d = await admin.get(`/api/appeals/${brief.id}`);
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.status, 'closed');
    assert.equal(d.json.text, rec.text);
    assert.deepEqual(d.json.routes.filter((r) => r.kind === 'redirect').map((r) => r.at), rec.routes.map((r) => ms(r.dt)));
    assert.equal(d.json.routes.at(-1).to_org_name, rec.executor_org);
    assert.deepEqual(d.json.answers.map((x) => x.created_at), rec.answers.map((x) => ms(x.dt)));
    assert.equal(d.json.timeline[0].kind, 'submitted');
    assert.equal(d.json.timeline[0].at, ms(rec.created_at));

    // A satisfied user: closed with a positive rating; a record with quotes and newlines intact.
    const happy = records.find((r) => r.final_status.includes('удовлетворен'));
    const h = await admin.get(`/api/appeals/${mine.find((x) => x.created_at === ms(happy.created_at)).id}`);
    assert.equal(h.json.status, 'closed');
    assert.equal(h.json.rating?.solved, true);
    const nl = records.find((r) => r.text.includes('\n'));
    const n = await admin.get(`/api/appeals/${mine.find((x) => x.created_at === ms(nl.created_at)).id}`);
    assert.equal(n.json.text, nl.text);
    const waiting = records.find((r) => r.final_status === 'Промежуточный ответ');
    const w = mine.find((x) => x.created_at === ms(waiting.created_at));
    assert.equal(w.status, 'in_progress');
    assert.equal(w.org_name, waiting.executor_org);
  } finally {
    await srv.stop();
  }
});

test('importing the same file again adds nothing', () => {
  const again = runCli(['import', 'nash-spb', '--db', db.url, FIXTURE], { timeout: 120000 });
  assert.equal(again.status, 0, again.stderr);
  const s = summary(again);
  assert.equal(s.appeals, 0);
  assert.equal(s.skipped, records.length);
  assert.equal(s.answers, 0);
});

test('a missing file or a file that is not JSON lines fails with a message and stores nothing', () => {
  const r = runCli(['import', 'nash-spb', '--db', db.url, join(ROOT, 'tests/fixtures/no-such-file.jsonl.gz')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /import/);
  const bad = runCli(['import', 'nash-spb', '--db', db.url, join(ROOT, 'Makefile')]);
  assert.notEqual(bad.status, 0);
  const usage = runCli(['import', 'nash-spb', '--help']);
  assert.equal(usage.status, 0);
  assert.match(usage.stdout, /--batch/);
});
