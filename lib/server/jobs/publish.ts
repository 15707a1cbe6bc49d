// Every change of a Job row that users can see goes to the project's browsers as a `job:progress` event.
import type { Job } from '../../generated/prisma/client';
import { emitProjectEvent } from '../realtime/emitter';

export async function publishJob(job: Job): Promise<void> {
  try {
    await emitProjectEvent(job.projectId, 'job:progress', {
      jobId: job.id,
      projectId: job.projectId,
      trackId: job.trackId,
      assetId: job.assetId,
      type: job.type,
      state: job.state,
      progress: job.progress,
      step: job.step,
      error: job.error ? job.error.slice(0, 2000) : null,
    });
  } catch (error) {
    // Live updates are a courtesy: the Job row is the truth and a page reload shows it. Never fail a job for this.
    console.error(`[jobs] could not publish job ${job.id}:`, (error as Error).message);
  }
}
