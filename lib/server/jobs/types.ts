import { z } from 'zod';

export const JOB_TYPES = ['analyze', 'master', 'export'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** What travels through pg-boss: only the id of our Job row; everything else is read from the row. */
export const bossPayloadSchema = z.object({ jobId: z.string().min(1) });
export type BossPayload = z.infer<typeof bossPayloadSchema>;

export interface EnqueueJobInput {
  type: JobType;
  projectId: string;
  trackId?: string | null;
  assetId?: string | null;
  input?: unknown;
  createdById?: string | null;
}
