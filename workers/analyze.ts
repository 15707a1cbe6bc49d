// The `analyze` job of an uploaded asset: reads the stored file's head (and tail, for Ogg/MP4 lengths) and records its
// format facts at once (so the page shows them within a second), then decodes the whole file and runs the full
// analysis (loudness, true peak, spectrum, stereo, problems): the JSON goes to Asset.analysis, the waveform peaks to
// storage (Asset.peaksKey) for the player.
import type { Readable } from 'node:stream';
import { probeAudio, PROBE_HEAD_BYTES } from '../lib/audio/decode/probe';
import { AudioFormatError } from '../lib/audio/types';
import { getPrisma } from '../lib/server/db/client';
import { emitProjectEvent } from '../lib/server/realtime/emitter';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { PermanentJobError, type JobContext } from './runner';
import { runCpuTask } from './cpu/runCpuTask';
import { derivedAssetKey, putBytes, withLocalCopies } from './storedAudio';

const TAIL_BYTES = 256 * 1024;

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

async function readRange(key: string, start: number, endInclusive: number): Promise<Uint8Array> {
  if (endInclusive < start) return new Uint8Array(0);
  return readAll(await getStorage().createReadStream(key, { start, end: endInclusive }));
}

export async function analyzeJob(ctx: JobContext): Promise<unknown> {
  const prisma = getPrisma();
  const assetId = ctx.job.assetId;
  if (!assetId) throw new PermanentJobError('analyze job without an asset');
  const asset = await prisma.asset.findUnique({ where: { id: assetId }, include: { track: { select: { projectId: true } } } });
  if (!asset) throw new PermanentJobError(`asset ${assetId} no longer exists`);
  const projectId = asset.track.projectId;

  await prisma.asset.update({ where: { id: assetId }, data: { status: 'analyzing', error: null } });
  await emitProjectEvent(projectId, 'asset:updated', { projectId, trackId: asset.trackId, assetId, status: 'analyzing' }).catch(() => undefined);
  await ctx.progress(5, 'reading file header');

  const size = Number(asset.byteSize);
  const head = await readRange(asset.storageKey, 0, Math.min(size, PROBE_HEAD_BYTES) - 1);
  const tail = size > PROBE_HEAD_BYTES ? await readRange(asset.storageKey, Math.max(PROBE_HEAD_BYTES, size - TAIL_BYTES), size - 1) : undefined;
  await ctx.progress(40, 'probing format');

  let facts;
  try {
    const info = probeAudio(head, size, tail);
    facts = {
      container: info.container,
      codec: info.codec,
      sampleRate: info.sampleRate,
      channels: info.channelCount,
      bitsPerSample: info.bitsPerSample ?? null,
      durationSeconds: Number.isFinite(info.durationSeconds) ? info.durationSeconds : null,
    };
  } catch (error) {
    if (!(error instanceof AudioFormatError)) throw error;
    await prisma.asset.update({ where: { id: assetId }, data: { status: 'failed', error: error.message } });
    await emitProjectEvent(projectId, 'asset:updated', { projectId, trackId: asset.trackId, assetId, status: 'failed', error: error.message }).catch(() => undefined);
    throw new PermanentJobError(error.message);
  }

  await prisma.asset.update({ where: { id: assetId }, data: { ...facts } });
  await emitProjectEvent(projectId, 'asset:updated', { projectId, trackId: asset.trackId, assetId, status: 'analyzing', ...facts }).catch(() => undefined);
  await ctx.progress(50, 'decoding');
  // Decode + analysis run in a worker thread (cpu/), so this process keeps serving pages, sockets and heartbeats.

  const fail = async (message: string): Promise<never> => {
    await prisma.asset.update({ where: { id: assetId }, data: { status: 'failed', error: message } });
    await emitProjectEvent(projectId, 'asset:updated', { projectId, trackId: asset.trackId, assetId, status: 'failed', error: message }).catch(() => undefined);
    throw new PermanentJobError(message);
  };
  // Progress writes go one after another and are awaited below, so none lands after the job has finished.
  let progressChain = Promise.resolve();
  let result;
  try {
    result = await withLocalCopies([{ storageKey: asset.storageKey, displayName: asset.originalName }], ([file]) =>
      runCpuTask({ kind: 'analyze', filePath: file }, (fraction, step) => {
          progressChain = progressChain.then(() => ctx.progress(50 + fraction * 40, step)).catch(() => undefined);
        }, ctx.signal),
    );
  } catch (error) {
    if (error instanceof AudioFormatError) return fail(error.message);
    throw error;
  }
  await progressChain;
  await ctx.progress(90, 'storing analysis and waveform');
  const peaksKey = derivedAssetKey(assetId, 'peaks', 'bin');
  await putBytes(peaksKey, result.peaks);
  const previous = await prisma.asset.findUnique({ where: { id: assetId }, select: { peaksKey: true } });
  await prisma.asset.update({
    where: { id: assetId },
    data: { status: 'ready', error: null, analysis: result.analysis as never, peaksKey },
  });
  if (previous?.peaksKey && previous.peaksKey !== peaksKey) await getStorage().delete(previous.peaksKey).catch(() => undefined);
  await emitProjectEvent(projectId, 'asset:updated', { projectId, trackId: asset.trackId, assetId, status: 'ready', ...facts }).catch(() => undefined);
  return { format: facts, integratedLufs: result.analysis.loudness.integratedLufs, problems: result.analysis.problems.length };
}
