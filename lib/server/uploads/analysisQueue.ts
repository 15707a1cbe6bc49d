import { getPrisma } from '@/lib/server/db/client';
import { enqueueJob } from '@/lib/server/jobs/enqueue';

/** Every stored upload gets an analysis job; the upload is not complete until that job exists. */
export async function enqueueAnalysis(input: { projectId: string; trackId: string; assetId: string; createdById: string }) {
  return enqueueJob({ type: 'analyze', ...input });
}

export async function cancelAssetOnEnqueueFailure(assetId: string): Promise<void> {
  await getPrisma().asset.deleteMany({ where: { id: assetId } });
}
