import { randomUUID } from 'node:crypto';
import type { Job } from '../../generated/prisma/client';
import { getPrisma } from '../db/client';
import { getBoss, jobSendOptions } from './boss';
import { publishJob } from './publish';
import type { BossPayload, JobType } from './types';

export class JobNotRetryableError extends Error {
  override name = 'JobNotRetryableError';
}

/**
 * Run a failed (or cancelled) job again, with a fresh set of automatic retries. A new pg-boss entry is sent rather
 * than reviving the old one, so the retry does not depend on how long pg-boss keeps finished jobs.
 */
export async function retryJob(jobId: string): Promise<Job> {
  const prisma = getPrisma();
  const current = await prisma.job.findUnique({ where: { id: jobId } });
  if (!current) throw new JobNotRetryableError(`job ${jobId} does not exist`);
  if (current.state !== 'failed' && current.state !== 'cancelled') {
    throw new JobNotRetryableError(`job ${jobId} is ${current.state}; only failed or cancelled jobs can be retried`);
  }
  const bossId = randomUUID();
  // Guarded update: two clicks on "retry" must not queue the job twice.
  const { count } = await prisma.job.updateMany({
    where: { id: jobId, state: current.state, bossId: current.bossId },
    data: { state: 'queued', bossId, progress: 0, step: null, error: null, output: undefined, startedAt: null, finishedAt: null, workerId: null },
  });
  if (count === 0) throw new JobNotRetryableError(`job ${jobId} changed while retrying; try again`);
  const boss = await getBoss();
  const payload: BossPayload = { jobId };
  await boss.send(current.type as JobType, payload, { ...jobSendOptions(), id: bossId });
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  await publishJob(job);
  return job;
}
