// `npm start`-style bootstrap (server/start.ts) against a temporary DATA_DIR: embedded PostgreSQL, migrations, web
// server and in-process worker reach a healthy /api/health; a restart keeps the data, also after a SIGKILL left
// the PostgreSQL server orphaned. Slow (a full app start several times; `next build` first if there is no build).
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, stopEmbeddedPostgres } from '../lib/server/db/embedded';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-'));
fs.chmodSync(dataDir, 0o755);
const children = new Set<ChildProcess>();

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopEmbeddedPostgres(path.join(dataDir, 'postgres')).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startApp(): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', WORKER_HEARTBEAT_SECONDS: '1' };
  delete env.DATABASE_URL;
  const child = fork(path.join(root, 'server', 'start.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stdout!.on('data', () => undefined);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: (m as { ready: number }).ready }));
    child.once('exit', (code) => reject(new Error(`server/start.ts exited with ${code} before it was ready`)));
  });
}

async function health(port: number): Promise<{ status: number; body: { ok: boolean } }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    const body = (await res.json().catch(() => ({}))) as { ok: boolean };
    if (res.status === 200 || Date.now() > deadline) return { status: res.status, body };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function exitOf(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}

async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // Adopts the app's running server (it is not stopped by this handle).
  const server = await startEmbeddedPostgres({ dataDir, log: () => undefined });
  assert.equal(server.reused, true, 'the app should already be running the cluster');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

test('npm start: healthy on a fresh data dir; data survives Ctrl-C and SIGKILL restarts', { timeout: 600_000 }, async () => {
  const first = await startApp();
  assert.equal((await health(first.port)).status, 200);
  await withDb((c) => c.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ('u1', 'keep@example.test', 'Keep', 'x')`));
  assert.equal(await exitOf(first.child, 'SIGINT'), 0);
  assert.equal(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), false, 'Ctrl-C stops the embedded server');

  const second = await startApp();
  assert.equal((await health(second.port)).status, 200);
  const { rows } = await withDb((c) => c.query(`SELECT email FROM "User"`));
  assert.deepEqual(rows, [{ email: 'keep@example.test' }]);

  // A SIGKILL leaves PostgreSQL running without its parent; the next start must adopt it, not fail on it.
  await exitOf(second.child, 'SIGKILL');
  assert.equal(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), true);
  const third = await startApp();
  assert.equal((await health(third.port)).status, 200);
  assert.equal((await withDb((c) => c.query(`SELECT count(*)::int AS n FROM "User"`))).rows[0].n, 1);
  assert.equal(await exitOf(third.child, 'SIGINT'), 0);
});
