// Start and stop a real `otklik serve` on 127.0.0.1 with a fresh database.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDb } from './db.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = resolve(ROOT, process.env.OTKLIK_BIN || './otklik');

const live = new Set();
process.on('exit', () => { for (const p of live) try { p.kill('SIGKILL'); } catch { /* gone */ } });

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

/** The environment for otklik children: the caller's, minus settings that would point elsewhere. */
export function childEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('OTKLIK_') && k !== 'OTKLIK_BIN') delete env[k];
  return { ...env, ...extra };
}

/** Run the CLI synchronously: {status, stdout, stderr}. */
export function runCli(args, { env = {}, timeout = 60000 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'otklik-data-'));
  try {
    const r = spawnSync(BIN, args, { cwd: ROOT, env: childEnv({ OTKLIK_DATA_DIR: dataDir, ...env }), encoding: 'utf8', timeout });
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Start `otklik serve --db URL --listen 127.0.0.1:PORT [--demo]` and wait until GET /healthz answers 200
 * (30 s at most). Returns {base, port, proc, stderr(), stop()}; stop() sends SIGTERM, waits for the exit
 * and throws unless the exit was graceful (code 0).
 */
export async function startServer({ db, demo = true, env = {}, args = [], port } = {}) {
  port ??= await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'otklik-data-'));
  const argv = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...(demo ? ['--demo'] : []), ...args];
  const proc = spawn(BIN, argv, { cwd: ROOT, env: childEnv({ OTKLIK_DATA_DIR: dataDir, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let err = '';
  let out = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  proc.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => { live.delete(proc); res({ code, signal }); }));
  let exitInfo = null;
  exited.then((x) => { exitInfo = x; });
  let spawnErr = null;
  proc.on('error', (e) => { spawnErr = e; live.delete(proc); });

  const deadline = Date.now() + 30000;
  for (;;) {
    if (exitInfo) break;
    if (spawnErr) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`cannot run ${BIN}: ${spawnErr.message} (build it with make otklik, or set OTKLIK_BIN)`);
    }
    try {
      const r = await fetch(base + '/healthz', { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (exitInfo || Date.now() > deadline) {
    proc.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`otklik serve did not become healthy (${exitInfo ? `exited ${JSON.stringify(exitInfo)}` : 'timeout 30 s'}): ${argv.join(' ')}\n--- stderr ---\n${err.slice(-4000)}`);
  }

  let stopped = null;
  return {
    base, port, proc, db, dataDir,
    stderr: () => err,
    stdout: () => out,
    exited,
    /** SIGTERM, await the exit; throws unless exit code 0 when expectGraceful. */
    async stop({ expectGraceful = true, timeoutMs = 15000 } = {}) {
      if (!stopped) {
        stopped = (async () => {
          if (!exitInfo) proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
          const x = await exited;
          clearTimeout(t);
          rmSync(dataDir, { recursive: true, force: true });
          return x;
        })();
      }
      const x = await stopped;
      if (expectGraceful && (x.code !== 0 || x.signal)) {
        throw new Error(`otklik serve did not exit gracefully on SIGTERM: ${JSON.stringify(x)}\n--- stderr ---\n${err.slice(-4000)}`);
      }
      return x;
    },
  };
}

/** A fresh database plus a server on it. close() stops the server (asserting a graceful exit) and drops the database. */
export async function bootServer(opts = {}) {
  const db = createTestDb();
  let srv;
  try {
    srv = await startServer({ db: db.url, ...opts });
  } catch (e) {
    db.drop();
    throw e;
  }
  return {
    ...srv,
    dbHandle: db,
    async close() {
      try { return await srv.stop(); } finally { db.drop(); }
    },
  };
}
