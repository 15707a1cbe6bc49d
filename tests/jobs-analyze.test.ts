import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { buildWav, testSignal } from '../lib/audio/decode/testAudioFiles';
import { closeDatabase, getPrisma } from '../lib/server/db/client';
import { stopBoss } from '../lib/server/jobs/boss';
import { enqueueJob } from '../lib/server/jobs/enqueue';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { jobHandlers } from '../workers/handlers';
import { startWorker, type WorkerHandle } from '../workers/runner';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
let dataDir: string;
let worker: WorkerHandle;

before(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'analyze-job-'));
  Object.assign(process.env, { DATABASE_URL: db.url, DATA_DIR: dataDir, JOB_RETRY_LIMIT: '1', JOB_RETRY_DELAY_SECONDS: '0' });
  worker = await startWorker(jobHandlers);
});

after(async () => {
  await worker.stop();
  await stopBoss();
  await closeDatabase();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function storedAsset(bytes: Uint8Array, name: string) {
  const prisma = getPrisma();
  const project = await prisma.project.create({ data: { name: 'P', tracks: { create: { title: 'T' } } }, include: { tracks: true } });
  const track = project.tracks[0]!;
  const key = `test/${name}-${Date.now()}`;
  await getStorage().putStream(key, Readable.from([Buffer.from(bytes)]));
  const asset = await prisma.asset.create({
    data: { trackId: track.id, kind: 'mix', version: 1, originalName: name, storageKey: key, sha256: 'x', byteSize: BigInt(bytes.length) },
  });
  return { projectId: project.id, trackId: track.id, assetId: asset.id };
}

async function finished(jobId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await getPrisma().job.findUniqueOrThrow({ where: { id: jobId } });
    if (job.state === 'completed' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job still ${job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('analyze job records the format facts of an uploaded WAV and marks the asset ready', async () => {
  const wav = buildWav(testSignal(48_000 * 2, 48_000, 2), { format: 's24', sampleRate: 48_000 });
  const ids = await storedAsset(wav, 'mix.wav');
  const job = await enqueueJob({ type: 'analyze', ...ids });
  const done = await finished(job.id);
  assert.equal(done.state, 'completed', done.error ?? '');
  const asset = await getPrisma().asset.findUniqueOrThrow({ where: { id: ids.assetId } });
  assert.equal(asset.status, 'ready');
  assert.equal(asset.container, 'wav');
  assert.equal(asset.sampleRate, 48_000);
  assert.equal(asset.channels, 2);
  assert.equal(asset.bitsPerSample, 24);
  assert.ok(Math.abs((asset.durationSeconds ?? 0) - 2) < 1e-6);
});

test('analyze job of a file that is not audio fails at once (no automatic retries) and marks the asset failed', async () => {
  const ids = await storedAsset(new TextEncoder().encode('<!doctype html><html><body>nope</body></html>'), 'page.wav');
  const job = await enqueueJob({ type: 'analyze', ...ids });
  const done = await finished(job.id);
  assert.equal(done.state, 'failed');
  assert.equal(done.attempts, 1);
  assert.match(done.error ?? '', /HTML/);
  const asset = await getPrisma().asset.findUniqueOrThrow({ where: { id: ids.assetId } });
  assert.equal(asset.status, 'failed');
  assert.match(asset.error ?? '', /HTML/);
});
