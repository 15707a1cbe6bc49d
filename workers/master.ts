// The `master` job: mix + reference(s) (+ optional edited settings) -> a new master version of the track. Nothing is
// visible until everything exists: audio, analysis, peaks and report are stored first and the Asset row is created
// last, in one insert; a failure on the way removes the stored objects, so a failed render leaves no half version
// and can simply run again.
import { createHash } from 'node:crypto';
import { Prisma } from '../lib/generated/prisma/client';
import { AudioFormatError } from '../lib/audio/types';
import { parseSettings, type MasteringSettings } from '../lib/mastering/settings';
import { getPrisma } from '../lib/server/db/client';
import { toAssetSummary } from '../lib/server/projects/assets';
import { newId } from '../lib/server/projects/ids';
import type { MasterJobInput } from '../lib/server/projects/versions';
import { emitProjectEvent } from '../lib/server/realtime/emitter';
import { notifyNewVersion } from '../lib/server/review/versionNotifications';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { originalAssetKey } from '../lib/server/storage/storageKey';
import { PermanentJobError, type JobContext } from './runner';
import { runCpuTask } from './cpu/runCpuTask';
import { derivedAssetKey, putBytes, withLocalCopies } from './storedAudio';
import { trackMetadataOf } from './trackMetadata';

/** Percent of the progress bar where storing the new version starts (the thread's work is everything before). */
const STORED_FROM = 95;

export async function masterJob(ctx: JobContext): Promise<unknown> {
  const prisma = getPrisma();
  const input = ctx.job.input as unknown as MasterJobInput | null;
  const trackId = ctx.job.trackId;
  if (!input?.mixId || !trackId) throw new PermanentJobError('master job without a mix or track');
  const track = await prisma.track.findUnique({ where: { id: trackId } });
  if (!track) throw new PermanentJobError('the track no longer exists');
  const ids = [input.mixId, ...input.referenceIds];
  const rows = await prisma.asset.findMany({ where: { id: { in: ids }, trackId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw new PermanentJobError('a source file of this render was deleted');
  let settings: MasteringSettings | undefined;
  try {
    settings = input.settings ? parseSettings(input.settings) : undefined;
  } catch (error) {
    throw new PermanentJobError((error as Error).message);
  }

  await ctx.progress(2, 'decoding mix and references');
  // Decode, derive, render and measure in a worker thread (cpu/): this process keeps serving pages and sockets.
  const sources = ids.map((id) => ({ storageKey: byId.get(id)!.storageKey, displayName: byId.get(id)!.originalName }));
  // Progress writes go one after another and are awaited below, so none lands after the job has finished.
  let progressChain = Promise.resolve();
  let result;
  try {
    result = await withLocalCopies(sources, ([mixPath, ...referencePaths]) =>
      runCpuTask(
        { kind: 'master', mixPath, referencePaths, settings: settings ?? null, metadata: trackMetadataOf(track) },
        (fraction, step) => {
          progressChain = progressChain.then(() => ctx.progress(2 + fraction * (STORED_FROM - 2), step)).catch(() => undefined);
        },
        ctx.signal,
      ),
    );
  } catch (error) {
    if (error instanceof AudioFormatError) throw new PermanentJobError(error.message);
    throw error;
  }
  await progressChain;
  const { analysis } = result;
  await ctx.progress(STORED_FROM, 'storing the new version');

  const assetId = newId();
  const storageKey = originalAssetKey(assetId, result.fileExtension);
  const peaksKey = derivedAssetKey(assetId, 'peaks', 'bin');
  const stored: string[] = [];
  try {
    stored.push(storageKey);
    const byteSize = await putBytes(storageKey, result.file);
    stored.push(peaksKey);
    await putBytes(peaksKey, result.peaks);
    const sha256 = createHash('sha256').update(result.file).digest('hex');
    const asset = await createMasterRow({
      id: assetId,
      trackId,
      originalName: `${track.title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 150)} (master).${result.fileExtension}`,
      storageKey,
      sha256,
      byteSize: BigInt(byteSize),
      container: 'wav',
      codec: 'pcm_s24le',
      sampleRate: result.sampleRate,
      channels: result.channels,
      bitsPerSample: 24,
      durationSeconds: result.frames / result.sampleRate,
      status: 'ready',
      analysis: analysis as never,
      peaksKey,
      sourceMixId: input.mixId,
      referenceIds: input.referenceIds,
      settings: result.settings as never,
      report: result.report as never,
      uploadedById: ctx.job.createdById,
    });
    await emitProjectEvent(track.projectId, 'asset:created', { projectId: track.projectId, asset: toAssetSummary(asset) }).catch(() => undefined);
    // Members get a bell notification for the new master version (best effort: a failed notice must not fail the render).
    await notifyNewVersion(asset.id, ctx.job.createdById);
    return { assetId: asset.id, version: asset.version, integratedLufs: analysis.loudness.integratedLufs, truePeakDbtp: analysis.loudness.truePeakDbtp };
  } catch (error) {
    for (const key of stored) await getStorage().delete(key).catch(() => undefined);
    throw error;
  }
}

/** Next master number for the track; two renders finishing together retry on the (track, kind, version) index. */
async function createMasterRow(data: Omit<Prisma.AssetUncheckedCreateInput, 'kind' | 'version'>) {
  const prisma = getPrisma();
  for (let attempt = 0; ; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        const last = await tx.asset.aggregate({ where: { trackId: data.trackId, kind: 'master' }, _max: { version: true } });
        return tx.asset.create({ data: { ...data, kind: 'master', version: (last._max.version ?? 0) + 1 } });
      });
    } catch (error) {
      const conflict = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
      if (!conflict || attempt >= 4) throw error;
    }
  }
}
