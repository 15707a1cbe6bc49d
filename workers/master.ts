// The `master` job: mix + reference(s) (+ optional edited settings) -> a new master version of the track. Nothing is
// visible until everything exists: audio, analysis, peaks and report are stored first and the Asset row is created
// last, in one insert; a failure on the way removes the stored objects, so a failed render leaves no half version
// and can simply run again.
import { createHash } from 'node:crypto';
import { Prisma } from '../lib/generated/prisma/client';
import { encodedBytes } from '../lib/audio/encode/encodedAudio';
import { serializePeaks } from '../lib/audio/peaks';
import { AudioFormatError, type DecodedAudio } from '../lib/audio/types';
import { analyzeAudioWithPeaks } from '../lib/mastering/analysis/analyze';
import { masterTrack } from '../lib/mastering/match/masterTrack';
import { parseSettings, type MasteringSettings } from '../lib/mastering/settings';
import { getPrisma } from '../lib/server/db/client';
import { toAssetSummary } from '../lib/server/projects/assets';
import { newId } from '../lib/server/projects/ids';
import type { MasterJobInput } from '../lib/server/projects/versions';
import { emitProjectEvent } from '../lib/server/realtime/emitter';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { originalAssetKey } from '../lib/server/storage/storageKey';
import { PermanentJobError, type JobContext } from './runner';
import { decodeStoredAudio, derivedAssetKey, putBytes } from './storedAudio';
import { trackMetadataOf } from './trackMetadata';

/** Share of the job's progress bar each phase takes (percent at its end). */
const DECODED_AT = 10;
const RENDERED_AT = 80;
const ANALYSED_AT = 94;

function asDecoded(audio: { sampleRate: number; channels: Float32Array[] }): DecodedAudio {
  const frames = audio.channels[0]?.length ?? 0;
  return {
    ...audio,
    format: { container: 'wav', codec: 'pcm_s24le', sampleRate: audio.sampleRate, channelCount: audio.channels.length, bitsPerSample: 24, frames, durationSeconds: frames / audio.sampleRate },
  };
}

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
  const decode = async (id: string) => {
    const row = byId.get(id)!;
    try {
      return await decodeStoredAudio(row.storageKey, row.originalName);
    } catch (error) {
      if (error instanceof AudioFormatError) throw new PermanentJobError(error.message);
      throw error;
    }
  };
  const mix = await decode(input.mixId);
  const references = [];
  for (const id of input.referenceIds) references.push({ audio: await decode(id) });
  await ctx.progress(DECODED_AT, 'analysing mix and references');

  const metadata = trackMetadataOf(track);
  // The stored master is the archival render (24-bit WAV at the chosen rate); delivery formats are the export job's.
  if (settings) settings.output = { ...settings.output, format: 'wav24', metadata };
  let lastStep = '';
  const result = await masterTrack({
    mix,
    references,
    settings,
    options: { output: { format: 'wav24', metadata } },
    onProgress: (p) => {
      if (p.step === lastStep) return;
      lastStep = p.step;
      void ctx.progress(DECODED_AT + p.fraction * (RENDERED_AT - DECODED_AT), `master: ${p.step}`).catch(() => undefined);
    },
  });
  if (!result.encoded) throw new Error('the render produced no file');
  const bytes = encodedBytes(result.encoded);

  await ctx.progress(RENDERED_AT, 'measuring the master');
  const { analysis, peaks } = await analyzeAudioWithPeaks(asDecoded(result.audio));
  await ctx.progress(ANALYSED_AT, 'storing the new version');

  const assetId = newId();
  const storageKey = originalAssetKey(assetId, result.encoded.fileExtension);
  const peaksKey = derivedAssetKey(assetId, 'peaks', 'bin');
  const stored: string[] = [];
  try {
    stored.push(storageKey);
    const byteSize = await putBytes(storageKey, bytes);
    stored.push(peaksKey);
    await putBytes(peaksKey, serializePeaks(peaks));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const asset = await createMasterRow({
      id: assetId,
      trackId,
      originalName: `${track.title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 150)} (master).${result.encoded.fileExtension}`,
      storageKey,
      sha256,
      byteSize: BigInt(byteSize),
      container: 'wav',
      codec: 'pcm_s24le',
      sampleRate: result.audio.sampleRate,
      channels: result.audio.channels.length,
      bitsPerSample: 24,
      durationSeconds: result.encoded.frames / result.encoded.sampleRate,
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
