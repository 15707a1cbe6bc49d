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
import { listMigrationNames } from '../lib/server/db/migrate';
import { createTestDatabase } from './helpers/database';
import { call, signUp } from './helpers/webClient';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-'));
fs.chmodSync(dataDir, 0o755);
const children = new Set<ChildProcess>();

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopEmbeddedPostgres(path.join(dataDir, 'postgres')).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startApp(options: { dataDir?: string; databaseUrl?: string } = {}): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: options.dataDir ?? dataDir, PORT: '0', WORKER_HEARTBEAT_SECONDS: '1' };
  delete env.DATABASE_URL;
  delete env.NEXTAUTH_SECRET;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
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
  const secret = fs.readFileSync(path.join(dataDir, 'secret'), 'utf8');
  const user = await signUp(`http://127.0.0.1:${first.port}`, 'keep@example.test', 'Keep');
  assert.equal(await exitOf(first.child, 'SIGINT'), 0);
  assert.equal(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), false, 'Ctrl-C stops the embedded server');

  const second = await startApp();
  assert.equal((await health(second.port)).status, 200);
  const { rows } = await withDb((c) => c.query(`SELECT email FROM "User"`));
  assert.deepEqual(rows, [{ email: 'keep@example.test' }]);
  assert.equal(fs.readFileSync(path.join(dataDir, 'secret'), 'utf8'), secret, 'the generated secret is kept');
  const session = await call(`http://127.0.0.1:${second.port}`, user, 'GET', '/api/projects');
  assert.equal(session.status, 200, 'a session signed before the restart is still valid');

  // A SIGKILL leaves PostgreSQL running without its parent; the next start must adopt it, not fail on it.
  await exitOf(second.child, 'SIGKILL');
  assert.equal(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), true);
  const third = await startApp();
  assert.equal((await health(third.port)).status, 200);
  assert.equal((await withDb((c) => c.query(`SELECT count(*)::int AS n FROM "User"`))).rows[0].n, 1);
  assert.equal(await exitOf(third.child, 'SIGINT'), 0);
});

test('npm start with DATABASE_URL: uses that server as is (migrates it), starts no embedded PostgreSQL, leaves it running', { timeout: 300_000 }, async () => {
  const external = await createTestDatabase({ migrate: false });
  const ownDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-external-'));
  try {
    const app = await startApp({ dataDir: ownDataDir, databaseUrl: external.url });
    assert.equal((await health(app.port)).status, 200);
    assert.equal(await exitOf(app.child, 'SIGINT'), 0);
    const entries = fs.readdirSync(ownDataDir);
    assert.ok(entries.includes('secret'));
    assert.deepEqual(entries.filter((e) => e.startsWith('postgres')), [], 'no embedded cluster, password or pointer file in DATA_DIR');
    const client = new pg.Client({ connectionString: external.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
      assert.deepEqual(rows.map((r) => r.migration_name), listMigrationNames(), 'migrations were applied to DATABASE_URL');
    } finally {
      await client.end();
    }
  } finally {
    fs.rmSync(ownDataDir, { recursive: true, force: true });
    await external.drop();
  }
});
