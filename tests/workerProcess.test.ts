// `npm run worker` as a user runs it: a standalone process against DATABASE_URL and the shared storage takes a real
// analyze job of a stored upload, reports in for /api/health, and stops cleanly on Ctrl-C (SIGINT to its process
// group, as a terminal sends it), removing its heartbeat.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { buildWav, testSignal } from '../lib/audio/decode/testAudioFiles';
import { closeDatabase, getPrisma } from '../lib/server/db/client';
import { getHealth } from '../lib/server/health';
import { stopBoss } from '../lib/server/jobs/boss';
import { enqueueJob } from '../lib/server/jobs/enqueue';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { repoRoot } from '../server/productionBuild';

let db: TestDatabase;
let dataDir: string;
let worker: ChildProcess | undefined;

before(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-worker-'));
  Object.assign(process.env, { DATABASE_URL: db.url, DATA_DIR: dataDir });
});

after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null && worker.pid) {
    try {
      process.kill(-worker.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stopBoss();
  await closeDatabase();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function startNpmWorker(): Promise<{ child: ChildProcess; workerId: string }> {
  const child = spawn('npm', ['run', '--silent', 'worker'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, WORKER_HEARTBEAT_SECONDS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group, like a terminal job
  });
  worker = child;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /\[worker\] (\S+) ready/.exec(out);
      if (ready) resolve({ child, workerId: ready[1] });
    });
    child.once('exit', (code) => reject(new Error(`npm run worker exited with ${code} before it was ready:\n${out}`)));
  });
}

test('npm run worker takes a real analyze job from the shared database, then stops cleanly on Ctrl-C', { timeout: 120_000 }, async () => {
  const prisma = getPrisma();
  const project = await prisma.project.create({ data: { name: 'P', tracks: { create: { title: 'T' } } }, include: { tracks: true } });
  const wav = buildWav(testSignal(44_100 * 3, 44_100, 2), { format: 's16', sampleRate: 44_100 });
  const key = 'assets/workerprocesstest/original.wav';
  await getStorage().putStream(key, Readable.from([Buffer.from(wav)]));
  const asset = await prisma.asset.create({
    data: { trackId: project.tracks[0]!.id, kind: 'mix', version: 1, originalName: 'mix.wav', storageKey: key, sha256: 'x', byteSize: BigInt(wav.length) },
  });

  const { child, workerId } = await startNpmWorker();
  assert.equal((await getHealth()).worker.ok, true, 'the standalone worker counts for /api/health');
  const job = await enqueueJob({ type: 'analyze', projectId: project.id, trackId: project.tracks[0]!.id, assetId: asset.id });
  const deadline = Date.now() + 90_000;
  let row = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
  while (row.state !== 'completed' && row.state !== 'failed' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    row = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
  }
  assert.equal(row.state, 'completed', row.error ?? row.state);
  assert.equal(row.workerId, workerId);
  const analysed = await prisma.asset.findUniqueOrThrow({ where: { id: asset.id } });
  assert.equal(analysed.status, 'ready');
  assert.equal(analysed.sampleRate, 44_100);
  assert.ok(analysed.peaksKey && (await getStorage().stat(analysed.peaksKey)), 'waveform peaks written to the shared storage');

  // npm re-raises the SIGINT on itself once its script has exited, so npm's own status is `signal SIGINT`; the
  // worker's clean shutdown shows in its heartbeat row being gone and in nothing of the group being left.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  process.kill(-child.pid!, 'SIGINT');
  const { code, signal } = await exited;
  assert.ok(code === 0 || signal === 'SIGINT', `npm exited with ${code ?? signal}`);
  assert.equal(await prisma.workerHeartbeat.count({ where: { id: workerId } }), 0, 'a stopped worker removes its heartbeat');
  await new Promise((r) => setTimeout(r, 200));
  assert.throws(() => process.kill(-child.pid!, 0), { code: 'ESRCH' }, 'no process of the worker group is left');
});

test('npm run worker on a database nobody has migrated yet refuses with a clear message instead of a stack trace', { timeout: 120_000 }, async () => {
  const empty = await createTestDatabase({ migrate: false });
  try {
    const result = spawnSync('npm', ['run', '--silent', 'worker'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: empty.url, DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /missing migrations \(.*_init.*\): start the web app once \(`npm start`, which migrates\) or run `npm run db:migrate`/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await empty.drop();
  }
});
