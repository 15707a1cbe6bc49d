// The `export` job: renders delivery files of a master version into the Export rows named in its input (created by
// the approval/download side): WAV 24-bit at the master's rate, WAV 16-bit/44.1 kHz with TPDF dither, FLAC, MP3 320,
// tagged from the Track row (title, artist, ISRC…). Rows already completed are skipped, so a retry only redoes what
// failed; a row is marked completed only after its file is stored.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { encodedBytes } from '../lib/audio/encode/encodedAudio';
import type { DeliveryLoudness } from '../lib/audio/metadata';
import { resample } from '../lib/audio/resample';
import { AudioFormatError, type PcmAudio } from '../lib/audio/types';
import type { AnalysisResult } from '../lib/mastering/analysis/schema';
import { encodeMaster } from '../lib/mastering/chain/encodeMaster';
import { outputFormatSchema, type OutputSettings } from '../lib/mastering/settings';
import { getPrisma } from '../lib/server/db/client';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { assertStorageKey } from '../lib/server/storage/storageKey';
import { PermanentJobError, type JobContext } from './runner';
import { decodeStoredAudio, putBytes } from './storedAudio';
import { trackMetadataOf } from './trackMetadata';

const exportInputSchema = z.object({ exportIds: z.array(z.string().min(1).max(64)).min(1).max(16) });

/** Loudness for the WAV bext chunk; only when every figure was measurable (silence has none). */
function deliveryLoudness(analysis: AnalysisResult | null): DeliveryLoudness | undefined {
  const l = analysis?.loudness;
  if (!l) return undefined;
  const values = [l.integratedLufs, l.loudnessRangeLu, l.truePeakDbtp, l.momentaryMaxLufs, l.shortTermMaxLufs];
  if (values.some((v) => v === null || !Number.isFinite(v))) return undefined;
  return {
    integratedLufs: l.integratedLufs!,
    loudnessRangeLu: Math.max(0, l.loudnessRangeLu!),
    maxTruePeakDbtp: l.truePeakDbtp!,
    maxMomentaryLufs: l.momentaryMaxLufs!,
    maxShortTermLufs: l.shortTermMaxLufs!,
  };
}

export async function exportJob(ctx: JobContext): Promise<unknown> {
  const prisma = getPrisma();
  const parsed = exportInputSchema.safeParse(ctx.job.input);
  if (!parsed.success) throw new PermanentJobError('export job without export ids');
  const rows = await prisma.export.findMany({
    where: { id: { in: parsed.data.exportIds } },
    include: { asset: { include: { track: true } } },
  });
  if (rows.length === 0) throw new PermanentJobError('the exports no longer exist');
  const todo = rows.filter((r) => r.status !== 'completed');
  const done: string[] = [];
  let source: PcmAudio | null = null;
  const resampled = new Map<number, PcmAudio>();

  for (const [index, row] of todo.entries()) {
    const base = (index / todo.length) * 100;
    const span = 100 / todo.length;
    const asset = row.asset;
    if (asset.kind !== 'master') throw new PermanentJobError('only master versions are exported');
    const format = outputFormatSchema.safeParse(row.format);
    if (!format.success) {
      await prisma.export.update({ where: { id: row.id }, data: { status: 'failed', error: `unknown format ${row.format}` } });
      continue;
    }
    await prisma.export.update({ where: { id: row.id }, data: { status: 'active', error: null } });
    try {
      await ctx.progress(base + span * 0.05, `${row.format}: reading the master`);
      if (!source) {
        try {
          source = await decodeStoredAudio(asset.storageKey, asset.originalName);
        } catch (error) {
          if (error instanceof AudioFormatError) throw new PermanentJobError(error.message);
          throw error;
        }
      }
      const rate = row.sampleRate || source.sampleRate;
      let pcm = source;
      if (rate !== source.sampleRate) {
        await ctx.progress(base + span * 0.2, `${row.format}: resampling to ${rate} Hz`);
        pcm = resampled.get(rate) ?? resample(source, rate);
        resampled.set(rate, pcm);
      }
      await ctx.progress(base + span * 0.5, `${row.format}: encoding`);
      const output: OutputSettings = {
        format: format.data,
        sampleRate: null,
        dither: 'tpdf',
        noiseShaping: 'none',
        metadata: trackMetadataOf(asset.track),
      };
      const encoded = await encodeMaster(pcm, output, deliveryLoudness(asset.analysis as AnalysisResult | null));
      const bytes = encodedBytes(encoded);
      const key = `exports/${row.id}/${row.format}-${Date.now().toString(36)}.${encoded.fileExtension}`;
      assertStorageKey(key);
      const byteSize = await putBytes(key, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const previous = row.storageKey;
      await prisma.export.update({ where: { id: row.id }, data: { status: 'completed', storageKey: key, byteSize: BigInt(byteSize), sha256, error: null } });
      if (previous && previous !== key) await getStorage().delete(previous).catch(() => undefined);
      done.push(row.id);
    } catch (error) {
      await prisma.export.update({ where: { id: row.id }, data: { status: 'failed', error: (error as Error).message.slice(0, 2000) } });
      throw error;
    }
  }
  return { exported: done };
}
