import { randomUUID } from 'node:crypto';
import { Prisma, type Job } from '../../generated/prisma/client';
import { getPrisma } from '../db/client';
import { getBoss, jobSendOptions } from './boss';
import { publishJob } from './publish';
import type { BossPayload, EnqueueJobInput } from './types';

/**
 * Create the user-visible Job row and queue it in pg-boss. The pg-boss id is chosen here and stored on the row
 * first, so a row always knows its queue entry even if the process dies between the two writes (the row then stays
 * `queued` without a queue entry, and retryJob can re-send it).
 */
export async function enqueueJob(input: EnqueueJobInput): Promise<Job> {
  const prisma = getPrisma();
  const bossId = randomUUID();
  const job = await prisma.job.create({
    data: {
      bossId,
      type: input.type,
      projectId: input.projectId,
      trackId: input.trackId ?? null,
      assetId: input.assetId ?? null,
      input: input.input === undefined ? Prisma.JsonNull : (input.input as Prisma.InputJsonValue),
      createdById: input.createdById ?? null,
    },
  });
  try {
    const boss = await getBoss();
    const payload: BossPayload = { jobId: job.id };
    await boss.send(input.type, payload, { ...jobSendOptions(), id: bossId });
  } catch (error) {
    const failed = await prisma.job.update({
      where: { id: job.id },
      data: { state: 'failed', error: `could not queue: ${(error as Error).message}`, finishedAt: new Date() },
    });
    await publishJob(failed);
    throw error;
  }
  await publishJob(job);
  return job;
}
