import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { closeDatabase, getPgPool, getPrisma } from '../lib/server/db/client';
import { stopBoss } from '../lib/server/jobs/boss';
import { enqueueJob } from '../lib/server/jobs/enqueue';
import { retryJob } from '../lib/server/jobs/retry';
import { createTestDatabase, type TestDatabase } from './helpers/database';

// Short timings so a dead worker's job is handed on within seconds (pg-boss' minimum heartbeat is 10 s).
const jobEnv = {
  JOB_HEARTBEAT_SECONDS: '10',
  JOB_SUPERVISE_INTERVAL_SECONDS: '1',
  JOB_RETRY_LIMIT: '2',
  JOB_RETRY_DELAY_SECONDS: '0',
  WORKER_HEARTBEAT_SECONDS: '1',
};

let db: TestDatabase;
let projectId: string;
const children = new Set<ChildProcess>();

before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  Object.assign(process.env, jobEnv);
  await getPgPool().query('CREATE TABLE job_runs (job_id text NOT NULL, worker_id text NOT NULL, attempt int NOT NULL, at timestamptz DEFAULT now())');
  projectId = (await getPrisma().project.create({ data: { name: 'Jobs' } })).id;
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopBoss();
  await closeDatabase();
  await db.drop();
});

function startWorkerProcess(): Promise<{ child: ChildProcess; workerId: string }> {
  const child = fork(path.join(import.meta.dirname, 'helpers', 'jobWorker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: db.url, ...jobEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, workerId: (m as { ready: string }).ready }));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runsOf(jobId: string): Promise<{ worker_id: string; attempt: number }[]> {
  const { rows } = await getPgPool().query('SELECT worker_id, attempt FROM job_runs WHERE job_id = $1 ORDER BY at', [jobId]);
  return rows;
}

test('two worker processes: every job runs exactly once and its row ends completed', async () => {
  const [a, b] = await Promise.all([startWorkerProcess(), startWorkerProcess()]);
  const jobs = [];
  for (let i = 0; i < 24; i++) jobs.push(await enqueueJob({ type: 'analyze', projectId, input: { sleepMs: 20 } }));
  const ids = jobs.map((j) => j.id);
  await waitFor('all jobs completed', async () => (await getPrisma().job.count({ where: { id: { in: ids }, state: 'completed' } })) === ids.length);
  const { rows } = await getPgPool().query('SELECT job_id, count(*)::int AS n FROM job_runs WHERE job_id = ANY($1) GROUP BY job_id', [ids]);
  assert.equal(rows.length, ids.length);
  for (const row of rows) assert.equal(row.n, 1, `job ${row.job_id} ran ${row.n} times`);
  const finished = await getPrisma().job.findMany({ where: { id: { in: ids } } });
  for (const job of finished) {
    assert.equal(job.progress, 100);
    assert.equal(job.attempts, 1);
    assert.ok([a.workerId, b.workerId].includes(job.workerId!));
    assert.ok(job.startedAt && job.finishedAt && job.finishedAt >= job.startedAt);
    assert.deepEqual(job.output, { by: job.workerId });
  }
  await Promise.all([stopWorkerProcess(a.child), stopWorkerProcess(b.child)]);
});

test('a worker killed with SIGKILL mid-job leaves the job to another worker, which completes it', async () => {
  const victim = await startWorkerProcess();
  const job = await enqueueJob({ type: 'analyze', projectId, input: { hangFirstAttemptMs: 120_000 } });
  await waitFor('job active on the first worker', async () => {
    const row = await getPrisma().job.findUnique({ where: { id: job.id } });
    return row?.state === 'active' && row.workerId === victim.workerId && row.progress === 50;
  });
  const rescuer = await startWorkerProcess();
  victim.child.kill('SIGKILL');
  const done = await waitFor('job completed by the second worker', async () => {
    const row = await getPrisma().job.findUnique({ where: { id: job.id } });
    return row?.state === 'completed' ? row : undefined;
  });
  assert.equal(done.workerId, rescuer.workerId);
  assert.equal(done.attempts, 2);
  assert.deepEqual(
    (await runsOf(job.id)).map((r) => [r.worker_id, r.attempt]),
    [
      [victim.workerId, 1],
      [rescuer.workerId, 2],
    ],
  );
  await stopWorkerProcess(rescuer.child);
});

test('a failing attempt is retried automatically; a job that fails every attempt can be retried by hand', async () => {
  const worker = await startWorkerProcess();
  const flaky = await enqueueJob({ type: 'analyze', projectId, input: { failAttempts: 1 } });
  const flagFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-test-')), 'fail');
  fs.writeFileSync(flagFile, '');
  const broken = await enqueueJob({ type: 'analyze', projectId, input: { failWhileFileExists: flagFile } });

  const flakyDone = await waitFor('flaky job completed', async () => {
    const row = await getPrisma().job.findUnique({ where: { id: flaky.id } });
    return row?.state === 'completed' ? row : undefined;
  });
  assert.equal(flakyDone.attempts, 2);
  assert.equal(flakyDone.error, null);

  const failed = await waitFor('broken job failed', async () => {
    const row = await getPrisma().job.findUnique({ where: { id: broken.id } });
    return row?.state === 'failed' ? row : undefined;
  });
  assert.equal(failed.attempts, 3, 'first run + JOB_RETRY_LIMIT=2 retries');
  assert.match(failed.error ?? '', /flag file present/);
  assert.equal((await runsOf(broken.id)).length, 3);

  fs.rmSync(path.dirname(flagFile), { recursive: true });
  const requeued = await retryJob(broken.id);
  // The worker may take the re-sent job (NOTIFY wake-up is fast) before retryJob re-reads the row.
  assert.ok(['queued', 'active', 'completed'].includes(requeued.state), `unexpected state after retry: ${requeued.state}`);
  assert.notEqual(requeued.bossId, failed.bossId);
  const recovered = await waitFor('retried job completed', async () => {
    const row = await getPrisma().job.findUnique({ where: { id: broken.id } });
    return row?.state === 'completed' ? row : undefined;
  });
  assert.equal(recovered.error, null);
  assert.equal((await runsOf(broken.id)).length, 4);
  await assert.rejects(retryJob(broken.id), /only failed or cancelled/);
  await stopWorkerProcess(worker.child);
});
