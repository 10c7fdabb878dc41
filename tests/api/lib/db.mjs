// A fresh, empty database per caller: a temp SQLite file or a new PostgreSQL database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** 'sqlite' or 'postgres', set by tests/run-api.sh; a test file run alone uses SQLite. */
export const backend = process.env.OTKLIK_TEST_BACKEND || 'sqlite';

function pgUrl(dbname) {
  const base = process.env.OTKLIK_TEST_PG;
  if (!base) throw new Error('OTKLIK_TEST_PG is not set: run the PostgreSQL suite through tests/run-api.sh postgres');
  const u = new URL(base);
  u.pathname = '/' + dbname;
  return u.toString();
}

function psql(sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pgUrl('postgres'), '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
}

/**
 * Create an empty database. Returns {url, drop()}; url is what `otklik --db` takes.
 * drop() removes it (for PostgreSQL even while connections remain).
 */
export function createTestDb() {
  if (backend === 'postgres') {
    const name = 'otklik_t_' + randomBytes(6).toString('hex');
    psql(`CREATE DATABASE ${name}`);
    let dropped = false;
    return {
      url: pgUrl(name),
      name,
      drop() {
        if (dropped) return;
        dropped = true;
        psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  if (backend !== 'sqlite') throw new Error(`unknown OTKLIK_TEST_BACKEND ${backend}`);
  const dir = mkdtempSync(join(tmpdir(), 'otklik-t-'));
  return {
    url: `sqlite:${join(dir, 'db')}`,
    dir,
    drop() { rmSync(dir, { recursive: true, force: true }); },
  };
}
