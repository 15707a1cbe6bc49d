import { Prisma, type Asset } from '@/lib/generated/prisma/client';
import { requireAssetAction, requireTrackAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import type { AssetSummary } from '@/lib/server/realtime/events';
import { enqueueAnalysis } from '@/lib/server/uploads/analysisQueue';
import { ServiceError } from './serviceError';

export interface NewUploadedAsset {
  id: string;
  trackId: string;
  kind: 'mix' | 'reference';
  originalName: string;
  storageKey: string;
  sha256: string;
  byteSize: number;
  container: string;
  codec: string;
  sampleRate: number;
  channels: number;
  bitsPerSample: number | null;
  durationSeconds: number | null;
  uploadedById: string;
}

/** Inserts with the next version for (track, kind); two uploads finishing together retry on the unique index. */
export async function createUploadedAsset(input: NewUploadedAsset): Promise<Asset> {
  const prisma = getPrisma();
  for (let attempt = 0; ; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        const last = await tx.asset.aggregate({ where: { trackId: input.trackId, kind: input.kind }, _max: { version: true } });
        return tx.asset.create({
          data: { ...input, byteSize: BigInt(input.byteSize), version: (last._max.version ?? 0) + 1, status: 'uploaded' },
        });
      });
    } catch (error) {
      const conflict = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
      if (!conflict || attempt >= 4) throw error;
    }
  }
}

export function toAssetSummary(asset: Asset): AssetSummary {
  return {
    id: asset.id,
    trackId: asset.trackId,
    kind: asset.kind,
    version: asset.version,
    originalName: asset.originalName,
    byteSize: Number(asset.byteSize),
    sha256: asset.sha256,
    status: asset.status,
    error: asset.error,
    container: asset.container,
    codec: asset.codec,
    sampleRate: asset.sampleRate,
    channels: asset.channels,
    bitsPerSample: asset.bitsPerSample,
    durationSeconds: asset.durationSeconds,
    createdAt: asset.createdAt.toISOString(),
  };
}

export async function listTrackAssets(userId: string, trackId: string): Promise<AssetSummary[]> {
  await requireTrackAction(userId, trackId, 'project.view');
  const assets = await getPrisma().asset.findMany({ where: { trackId }, orderBy: [{ kind: 'asc' }, { version: 'desc' }] });
  return assets.map(toAssetSummary);
}

export async function getAsset(userId: string, assetId: string): Promise<AssetSummary> {
  await requireAssetAction(userId, assetId, 'project.view');
  return toAssetSummary(await getPrisma().asset.findUniqueOrThrow({ where: { id: assetId } }));
}

/** Storage key and download name of an asset the user may read; the key comes from the row, never from the request. */
export async function getAssetForDownload(
  userId: string,
  assetId: string,
): Promise<{ storageKey: string; originalName: string; byteSize: number; container: string | null }> {
  await requireAssetAction(userId, assetId, 'project.view');
  const asset = await getPrisma().asset.findUniqueOrThrow({
    where: { id: assetId },
    select: { storageKey: true, originalName: true, byteSize: true, container: true },
  });
  return { ...asset, byteSize: Number(asset.byteSize) };
}

/** Runs analysis again (after a failure or an analyzer upgrade). The original is untouched; only derived data changes. */
export async function reanalyzeAsset(userId: string, assetId: string): Promise<{ assetId: string; jobId: string }> {
  const { projectId, trackId } = await requireAssetAction(userId, assetId, 'asset.reanalyze');
  const asset = await getPrisma().asset.findUniqueOrThrow({ where: { id: assetId }, select: { kind: true } });
  if (asset.kind === 'master') throw new ServiceError(409, 'not_applicable', 'Masters are analysed when they are rendered');
  await getPrisma().asset.update({ where: { id: assetId }, data: { status: 'uploaded', error: null } });
  const job = await enqueueAnalysis({ projectId, trackId, assetId, createdById: userId });
  return { assetId, jobId: job.id };
}
