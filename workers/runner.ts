// Takes jobs from pg-boss and keeps the user-visible Job row (state, progress, attempts, worker, timestamps, error)
// in step with each attempt. Any number of these can run, in the web process and in `npm run worker` processes:
// pg-boss hands each job to exactly one of them, and a job whose worker dies is handed to another.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Job as BossJob } from 'pg-boss';
import type { Job } from '../lib/generated/prisma/client';
import { getConfig } from '../lib/server/config';
import { getPrisma } from '../lib/server/db/client';
import { getBoss } from '../lib/server/jobs/boss';
import { updateJobProgress } from '../lib/server/jobs/progress';
import { publishJob } from '../lib/server/jobs/publish';
import { reconcileJobs } from '../lib/server/jobs/reconcile';
import { bossPayloadSchema, JOB_TYPES, type JobType } from '../lib/server/jobs/types';
import { startWorkerHeartbeat } from './heartbeat';

export interface JobContext {
  job: Job;
  workerId: string;
  /** Aborted when pg-boss gives up on this attempt (expiry) or the worker is stopping. */
  signal: AbortSignal;
  /** 1 for the first run, 2 for the first retry… */
  attempt: number;
  progress(percent: number, step?: string | null): Promise<void>;
}

/** A job handler: returns the job's output (stored in Job.output) or throws to fail the attempt. */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;
export type JobHandlers = Partial<Record<JobType, JobHandler>>;

/** Thrown by a handler when running again cannot help (e.g. the upload is not audio): the job fails at once,
 * without using up automatic retries. A user can still retry it by hand. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface WorkerHandle {
  workerId: string;
  /**
   * Stops taking jobs and waits for the running ones to finish, at most `waitSeconds` when given. Resolves true when
   * nothing is running any more, false when the wait ran out (stopping pg-boss then hands those jobs back to the
   * queue for a retry).
   */
  stop(options?: { waitSeconds?: number }): Promise<boolean>;
}

export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}

async function runAttempt(bossJob: BossJob<unknown>, handler: JobHandler, workerId: string): Promise<unknown> {
  const prisma = getPrisma();
  const { jobId } = bossPayloadSchema.parse(bossJob.data);
  const attempt = bossJob.retryCount + 1;
  // The row may point at a newer pg-boss entry (manual retry): then this entry is stale and must not run.
  const { count } = await prisma.job.updateMany({
    where: { id: jobId, bossId: bossJob.id },
    data: { state: 'active', attempts: attempt, workerId, startedAt: new Date(), finishedAt: null, error: null, progress: 0, step: null },
  });
  if (count === 0) return { skipped: 'job row no longer refers to this queue entry' };
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  await publishJob(job);
  try {
    const output = await handler({
      job,
      workerId,
      signal: bossJob.signal,
      attempt,
      progress: async (percent, step) => {
        await updateJobProgress(jobId, percent, step);
      },
    });
    const done = await prisma.job.update({
      where: { id: jobId },
      data: { state: 'completed', progress: 100, step: null, output: (output ?? undefined) as never, finishedAt: new Date() },
    });
    await publishJob(done);
    return output ?? null;
  } catch (error) {
    if (error instanceof PermanentJobError) {
      const failed = await prisma.job.update({ where: { id: jobId }, data: { state: 'failed', error: errorMessage(error), finishedAt: new Date() } });
      await publishJob(failed);
      // Settled for pg-boss, so it does not retry; the row says failed.
      return { failed: errorMessage(error) };
    }
    const retryLimit = (bossJob as BossJob<unknown> & { retryLimit?: number }).retryLimit ?? getConfig().jobs.retryLimit;
    const willRetry = bossJob.retryCount < retryLimit;
    const failed = await prisma.job.update({
      where: { id: jobId },
      // A retry waiting its turn is `queued` again; the error of the failed attempt stays visible until it runs.
      data: willRetry ? { state: 'queued', error: errorMessage(error), step: null } : { state: 'failed', error: errorMessage(error), finishedAt: new Date() },
    });
    await publishJob(failed);
    throw error;
  }
}

/** Start taking jobs of the given types. */
export async function startWorker(handlers: JobHandlers, options: { workerId?: string } = {}): Promise<WorkerHandle> {
  const workerId = options.workerId ?? newWorkerId();
  const { jobs } = getConfig();
  const boss = await getBoss();
  const heartbeat = await startWorkerHeartbeat(workerId, jobs.workerHeartbeatSeconds);
  const workIds: string[] = [];
  for (const type of JOB_TYPES) {
    const handler = handlers[type];
    if (!handler) continue;
    let workId = '';
    workId = await boss.work<unknown>(
      type,
      {
        batchSize: 1,
        localConcurrency: jobs.concurrency,
        includeMetadata: true,
        pollingIntervalSeconds: jobs.pollSeconds,
        notifyPollingIntervalSeconds: jobs.pollSeconds,
      },
      async ([bossJob]) => {
        try {
          return await runAttempt(bossJob!, handler, workerId);
        } finally {
          // Fetch the next job straight away instead of after the poll delay, so a backlog drains at once.
          if (workId) boss.notifyWorker(workId);
        }
      },
    );
    workIds.push(workId);
  }
  // Catch rows whose jobs pg-boss settled without us (worker died on the last attempt, expiry).
  const reconcileTimer = setInterval(() => {
    reconcileJobs().catch((error: Error) => console.error('[worker] reconcile failed:', error.message));
  }, Math.max(2, jobs.superviseIntervalSeconds) * 1000);
  reconcileTimer.unref();
  let stopped = false;
  return {
    workerId,
    async stop(options = {}) {
      if (stopped) return true;
      stopped = true;
      clearInterval(reconcileTimer);
      const drained = Promise.all(JOB_TYPES.filter((type) => handlers[type]).map((type) => boss.offWork(type, { wait: true }).catch(() => undefined))).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const idle =
        options.waitSeconds === undefined
          ? await drained
          : await Promise.race([drained, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.waitSeconds! * 1000)))]);
      clearTimeout(timer);
      await heartbeat.stop();
      return idle;
    },
  };
}
