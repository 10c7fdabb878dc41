// The short crash test (tests/crash/crash.mjs, docs/reliability.md) on this run's back end: many
// clients write while the server is killed with SIGKILL at random moments and restarted on the same
// database; every write acknowledged with a 2xx must be there afterwards, whole, and nothing
// half-done. On PostgreSQL it starts a cluster of its own (tests/pg/cluster.sh) rather than using
// OTKLIK_TEST_PG, because it kills PostgreSQL too; without a local PostgreSQL server it falls back to
// OTKLIK_TEST_PG and kills only otklik. CRASH_ROUNDS / CRASH_SECONDS change the length (5 × 2 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { runCrash } from '../crash/crash.mjs';
import { backend } from './lib/db.mjs';

const localPg = existsSync('/usr/lib/postgresql') &&
  readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const rounds = Number(process.env.CRASH_ROUNDS || 5);

test(`${rounds} kill -9 rounds on ${backend}: nothing acknowledged is lost, nothing half-done`, { timeout: 300000 }, async () => {
  const ownCluster = backend === 'postgres' && localPg;
  const s = await runCrash({
    backend,
    rounds,
    seconds: Number(process.env.CRASH_SECONDS || 2),
    pgUrl: backend === 'postgres' && !ownCluster ? process.env.OTKLIK_TEST_PG : null,
    log: (line) => process.stderr.write(line + '\n'),
  });
  assert.deepEqual(s.problems, [], `lost ${s.lost}, half-done ${s.half_done}, other ${s.other_problems} (seed ${s.seed})`);
  assert.equal(s.rounds, rounds);
  assert.equal(s.server_kills, rounds, 'the server was killed once a round');
  if (ownCluster && rounds >= 2) assert.ok(s.postgres_kills >= 1, 'PostgreSQL was killed too');
  assert.ok(s.acknowledged.appeals > 0, 'appeals were acknowledged');
  assert.ok(s.acknowledged.actions > 0, 'workflow actions were acknowledged');
});
