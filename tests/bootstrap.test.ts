// `npm start`-style bootstrap (server/start.ts) against a temporary DATA_DIR: embedded PostgreSQL, migrations, web
// server and in-process worker reach a healthy /api/health; a restart keeps the data, also after a SIGKILL left
// the PostgreSQL server orphaned. Slow (a full app start several times; `next build` first if there is no build).
import assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, stopEmbeddedPostgres } from '../lib/server/db/embedded';
import { listMigrationNames } from '../lib/server/db/migrate';
import { createTestDatabase } from './helpers/database';
import { call, makeWav, signUp, tusUpload } from './helpers/webClient';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-'));
fs.chmodSync(dataDir, 0o755);
const children = new Set<ChildProcess>();

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopEmbeddedPostgres(path.join(dataDir, 'postgres')).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startApp(options: { dataDir?: string; databaseUrl?: string; env?: Record<string, string> } = {}): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: options.dataDir ?? dataDir, PORT: '0', WORKER_HEARTBEAT_SECONDS: '1', ...options.env };
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

async function withDb<T>(fn: (client: pg.Client) => Promise<T>, dir = dataDir): Promise<T> {
  // Adopts the app's running server (it is not stopped by this handle).
  const server = await startEmbeddedPostgres({ dataDir: dir, log: () => undefined });
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

test('Ctrl-C while a job runs: the app stops within the grace period, PostgreSQL with it; the next start runs the job again', { timeout: 300_000 }, async () => {
  const ownDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-ctrlc-'));
  fs.chmodSync(ownDataDir, 0o755);
  const env = { SHUTDOWN_GRACE_SECONDS: '1', JOB_RETRY_DELAY_SECONDS: '0' };
  try {
    const first = await startApp({ dataDir: ownDataDir, env });
    const base = `http://127.0.0.1:${first.port}`;
    assert.equal((await health(first.port)).status, 200);
    const user = await signUp(base, 'long@example.test', 'Long');
    const projectId = (await call(base, user, 'POST', '/api/projects', { name: 'Long job' })).json.id;
    const trackId = (await call(base, user, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Long' })).json.id;
    // Fifteen minutes of audio: its analysis (streamed, ~0.3 s a minute here) takes seconds, far beyond the one-second
    // grace even after the few percent it has done when the test sees it active. Four minutes no longer were.
    const upload = await tusUpload(base, user, makeWav(900), { trackId, kind: 'mix', filename: 'long.wav' });
    assert.equal(upload.patchStatus, 204, upload.patchText);
    for (const deadline = Date.now() + 30_000; ; ) {
      const jobs = (await call(base, user, 'GET', `/api/projects/${projectId}/jobs`)).json as { state: string; progress: number }[];
      if (jobs.some((j) => j.state === 'active' && j.progress > 0)) break;
      assert.ok(Date.now() < deadline, `the analysis never became active: ${JSON.stringify(jobs)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const stopAt = Date.now();
    assert.equal(await exitOf(first.child, 'SIGINT'), 0, 'a clean exit, not the 30 s forced one');
    const seconds = (Date.now() - stopAt) / 1000;
    assert.ok(seconds < 15, `stopped in ${seconds} s`);
    assert.equal(fs.existsSync(path.join(ownDataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL stopped too');

    const second = await startApp({ dataDir: ownDataDir, env });
    const base2 = `http://127.0.0.1:${second.port}`;
    let asset: { status: string; durationSeconds: number | null } | undefined;
    for (const deadline = Date.now() + 120_000; ; ) {
      asset = (await call(base2, user, 'GET', `/api/assets/${upload.assetId}`)).json;
      if (asset?.status === 'ready' || asset?.status === 'failed') break;
      assert.ok(Date.now() < deadline, `analysis not finished after the restart: ${JSON.stringify(asset)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(asset!.status, 'ready');
    const { rows } = await withDb((c) => c.query(`SELECT state, attempts FROM "Job" WHERE "assetId" = $1`, [upload.assetId]), ownDataDir);
    assert.deepEqual(rows, [{ state: 'completed', attempts: 2 }], 'the interrupted attempt was retried, once');
    assert.equal(await exitOf(second.child, 'SIGINT'), 0);
  } finally {
    await stopEmbeddedPostgres(path.join(ownDataDir, 'postgres')).catch(() => undefined);
    fs.rmSync(ownDataDir, { recursive: true, force: true });
  }
});

test('`npm start` as typed in a terminal: Ctrl-C (SIGINT to the whole process group) stops the app and PostgreSQL cleanly', { timeout: 300_000 }, async () => {
  const ownDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-npm-'));
  fs.chmodSync(ownDataDir, 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: ownDataDir, PORT: '0', WORKER_HEARTBEAT_SECONDS: '1' };
  delete env.DATABASE_URL;
  delete env.NEXTAUTH_SECRET;
  // A terminal job: its own process group, and Ctrl-C signals every process in it (npm, sh, node) at once.
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const ready = /ready on http:\/\/localhost:(\d+)/.exec(output);
        if (ready) {
          clearInterval(timer);
          resolve(Number(ready[1]));
        }
      }, 100);
      child.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    assert.equal((await health(port)).status, 200);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    // npm re-raises the SIGINT on itself, so its own status says nothing; the app's log and the cluster do.
    for (const deadline = Date.now() + 20_000; !/\] stopped\n/.test(output) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /\] stopped\n/, `the app stopped cleanly:\n${output}`);
    assert.doesNotMatch(output, /again: exiting now|took too long/);
    assert.equal(fs.existsSync(path.join(ownDataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL stopped with it');
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // group already gone
    }
    await stopEmbeddedPostgres(path.join(ownDataDir, 'postgres')).catch(() => undefined);
    fs.rmSync(ownDataDir, { recursive: true, force: true });
  }
});
