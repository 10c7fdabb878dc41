// The command line: --help everywhere, `demo` idempotent, `apikey create` prints a working key,
// `apikey list` and `apikey revoke` (a running server refuses the key within a second).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startServer } from './lib/server.mjs';
import { createTestDb } from './lib/db.mjs';
import { Client, assertError } from './lib/client.mjs';
import { uniq } from './lib/demo.mjs';

test('otklik --help and every subcommand --help exit 0 and print usage', () => {
  const top = runCli(['--help']);
  assert.equal(top.status, 0, top.stderr);
  const text = top.stdout + top.stderr;
  for (const cmd of ['serve', 'migrate', 'demo', 'apikey']) assert.match(text, new RegExp(`\\b${cmd}\\b`), `--help mentions ${cmd}`);
  for (const args of [['serve', '--help'], ['migrate', '--help'], ['demo', '--help'], ['apikey', '--help'], ['apikey', 'create', '--help'], ['eval', '--help']]) {
    const r = runCli(args);
    assert.equal(r.status, 0, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    assert.ok((r.stdout + r.stderr).trim().length > 0, `${args.join(' ')} prints something`);
  }
  assert.match(runCli(['serve', '--help']).stdout + runCli(['serve', '--help']).stderr, /--listen/);
  assert.match(runCli(['apikey', 'create', '--help']).stdout + runCli(['apikey', 'create', '--help']).stderr, /--name/);
});

test('an unknown subcommand or option fails with a message', () => {
  const r = runCli(['no-such-command']);
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.trim().length > 0, 'says why on stderr');
  const o = runCli(['migrate', '--no-such-option']);
  assert.notEqual(o.status, 0);
  const d = runCli(['migrate', '--db', 'mysql://nope']);
  assert.notEqual(d.status, 0, 'an unsupported --db URL is refused');
});

async function counts(dbUrl) {
  const srv = await startServer({ db: dbUrl, demo: false });
  try {
    const c = new Client(srv.base);
    const out = {};
    for (const coll of ['territories', 'orgs', 'categories', 'topics', 'rules']) {
      const r = await c.get(`/api/${coll}?limit=1`);
      assert.equal(r.status, 200);
      out[coll] = r.json.total;
    }
    const login = await c.post('/api/auth/login', { login: 'admin', password: 'otklik-demo' });
    assert.equal(login.status, 200, 'the demo admin can log in');
    out.users = (await c.get('/api/users?limit=1')).json.total;
    out.orgsList = (await c.get('/api/orgs?limit=500')).json.items;
    return out;
  } finally {
    await srv.stop();
  }
}

test('otklik demo twice is idempotent', async () => {
  const db = createTestDb();
  try {
    const m = runCli(['migrate', '--db', db.url]);
    assert.equal(m.status, 0, `migrate: ${m.stderr}`);
    const m2 = runCli(['migrate', '--db', db.url]);
    assert.equal(m2.status, 0, `second migrate: ${m2.stderr}`);
    const a = runCli(['demo', '--db', db.url]);
    assert.equal(a.status, 0, `demo: ${a.stderr}`);
    const first = await counts(db.url);
    assert.ok(first.territories >= 85 + 1 + 5, `regions and demo municipalities: ${first.territories}`);
    assert.ok(first.users >= 12, `demo accounts: ${first.users}`);
    const b = runCli(['demo', '--db', db.url]);
    assert.equal(b.status, 0, `second demo: ${b.stderr}`);
    const second = await counts(db.url);
    assert.deepEqual(second, first, 'a second demo run changed the data');
  } finally {
    db.drop();
  }
});

test('otklik apikey create prints the key alone on the last line; it works as a Bearer token', async () => {
  const db = createTestDb();
  try {
    assert.equal(runCli(['demo', '--db', db.url]).status, 0);
    const r = runCli(['apikey', 'create', '--db', db.url, '--name', 'ci-integration', '--scopes', 'admin']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    const key = lines.at(-1);
    assert.ok(key && key === key.trim() && !/\s/.test(key) && key.length >= 16, `last line is the key: ${JSON.stringify(r.stdout)}`);
    const other = runCli(['apikey', 'create', '--db', db.url, '--name', 'second']).stdout.trim().split('\n').at(-1);
    assert.notEqual(other, key, 'keys are random');
    const noName = runCli(['apikey', 'create', '--db', db.url]);
    assert.notEqual(noName.status, 0, '--name is required');
    const badScope = runCli(['apikey', 'create', '--db', db.url, '--name', 'x', '--scopes', 'superuser']);
    assert.notEqual(badScope.status, 0, 'an unknown scope is refused');
    const srv = await startServer({ db: db.url, demo: false });
    try {
      const bot = new Client(srv.base, { bearer: key, name: 'cli key' });
      const code = uniq('cli');
      const w = await bot.post('/api/categories', { code, name: 'Из CLI' });
      assert.equal(w.status, 201, `the admin-scoped key writes: ${w.text}`);
      assert.equal((await new Client(srv.base).get(`/api/categories?code=${code}`)).json.total, 1);
      const plain = new Client(srv.base, { bearer: other, name: 'unscoped cli key' });
      assertError(await plain.post('/api/categories', { code: uniq('cli'), name: 'x' }), 403, 'forbidden');
      const bad = new Client(srv.base, { bearer: key.slice(0, -2) + (key.endsWith('aa') ? 'bb' : 'aa'), name: 'bad key' });
      assertError(await bad.post('/api/categories', { code: uniq('cli'), name: 'x' }), 401, 'unauthorized');
      // The database holds no plain copy of the key (SQLite file check).
      if (db.dir) {
        const { readFileSync, readdirSync } = await import('node:fs');
        for (const f of readdirSync(db.dir)) {
          assert.ok(!readFileSync(`${db.dir}/${f}`).includes(key), `the key is stored in plain text in ${f}`);
        }
      }
    } finally {
      await srv.stop();
    }
  } finally {
    db.drop();
  }
});

test('otklik apikey list shows keys without them; apikey revoke stops a key on a running server', async () => {
  const db = createTestDb();
  try {
    assert.equal(runCli(['demo', '--db', db.url]).status, 0);
    const key = runCli(['apikey', 'create', '--db', db.url, '--name', 'to-revoke', '--scopes', 'admin']).stdout.trim().split('\n').at(-1);
    const other = runCli(['apikey', 'create', '--db', db.url, '--name', 'kept', '--scopes', 'admin']).stdout.trim().split('\n').at(-1);
    const list = runCli(['apikey', 'list', '--db', db.url]);
    assert.equal(list.status, 0, list.stderr);
    assert.ok(!list.stdout.includes(key) && !list.stdout.includes(other), 'the list shows a key');
    const line = list.stdout.split('\n').find((l) => l.endsWith(' to-revoke'));
    assert.ok(line, `the key is listed: ${list.stdout}`);
    const id = line.trim().split(/\s+/)[0];
    assert.match(line, /\bactive\b/);
    assert.ok(line.includes(key.slice(0, 8)), 'the key\'s first characters are shown');
    const srv = await startServer({ db: db.url, demo: false });
    try {
      const bot = new Client(srv.base, { bearer: key, name: 'key revoked by the CLI' });
      const keeper = new Client(srv.base, { bearer: other, name: 'other key' });
      assert.equal((await bot.get('/api/apikeys')).status, 200, 'the key works before');
      const r = runCli(['apikey', 'revoke', '--db', db.url, '--id', id]);
      assert.equal(r.status, 0, r.stderr);
      // another process revoked it: the server refuses it within a second (polled for 10 s)
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) {
        status = (await bot.get('/api/apikeys')).status;
        if (status === 200) await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(status, 401, 'the revoked key still works');
      assert.equal((await keeper.get('/api/apikeys')).status, 200, 'the other key stopped working too');
      assert.match(runCli(['apikey', 'list', '--db', db.url]).stdout.split('\n').find((l) => l.endsWith(' to-revoke')), /revoked \d{4}-\d\d-\d\d/);
      const again = runCli(['apikey', 'revoke', '--db', db.url, '--id', id]);
      assert.notEqual(again.status, 0, 'revoking twice fails');
      assert.match(again.stderr, /отозван/);
      const unknown = runCli(['apikey', 'revoke', '--db', db.url, '--id', '99999']);
      assert.notEqual(unknown.status, 0);
      assert.match(unknown.stderr, /не найден/);
      assert.notEqual(runCli(['apikey', 'revoke', '--db', db.url]).status, 0, '--id is required');
      assert.notEqual(runCli(['apikey', 'rotate', '--db', db.url]).status, 0, 'an unknown subcommand fails');
    } finally {
      await srv.stop();
    }
  } finally {
    db.drop();
  }
});
