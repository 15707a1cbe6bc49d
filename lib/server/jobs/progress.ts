import type { Job } from '../../generated/prisma/client';
import { getPrisma } from '../db/client';
import { publishJob } from './publish';

/** Record how far a running job is (0-100 %, clamped) and what it is doing, and tell the project's browsers. */
export async function updateJobProgress(jobId: string, progress: number, step?: string | null): Promise<Job> {
  const clamped = Math.max(0, Math.min(100, Math.round(Number.isFinite(progress) ? progress : 0)));
  const job = await getPrisma().job.update({
    where: { id: jobId },
    data: { progress: clamped, ...(step === undefined ? {} : { step }) },
  });
  await publishJob(job);
  return job;
}
