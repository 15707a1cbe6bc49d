// The `export` job: renders delivery files of a master version into the Export rows named in its input (created by
// the approval/download side): WAV 24-bit at the master's rate, WAV 16-bit/44.1 kHz with TPDF dither, FLAC, MP3 320,
// tagged from the Track row (title, artist, ISRC…). Decoding, resampling and encoding run in a worker thread. Rows
// already completed are skipped, so a retry only redoes what failed; a row is marked completed only after its file
// is stored.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DeliveryLoudness } from '../lib/audio/metadata';
import { AudioFormatError } from '../lib/audio/types';
import type { AnalysisResult } from '../lib/mastering/analysis/schema';
import { outputFormatSchema } from '../lib/mastering/settings';
import { getPrisma } from '../lib/server/db/client';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { assertStorageKey } from '../lib/server/storage/storageKey';
import type { ExportRender } from './cpu/cpuTasks';
import { runCpuTask } from './cpu/runCpuTask';
import { PermanentJobError, type JobContext } from './runner';
import { putBytes, withLocalCopies } from './storedAudio';
import { trackMetadataOf } from './trackMetadata';

const exportInputSchema = z.object({ exportIds: z.array(z.string().min(1).max(64)).min(1).max(16) });

/** Loudness for the WAV bext chunk; only when every figure was measurable (silence has none). */
function deliveryLoudness(analysis: AnalysisResult | null): DeliveryLoudness | null {
  const l = analysis?.loudness;
  if (!l) return null;
  const values = [l.integratedLufs, l.loudnessRangeLu, l.truePeakDbtp, l.momentaryMaxLufs, l.shortTermMaxLufs];
  if (values.some((v) => v === null || !Number.isFinite(v))) return null;
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
  const asset = rows[0].asset;
  if (rows.some((r) => r.assetId !== asset.id)) throw new PermanentJobError('one export job renders one master version');
  if (asset.kind !== 'master') throw new PermanentJobError('only master versions are exported');

  const renders: ExportRender[] = [];
  for (const row of rows.filter((r) => r.status !== 'completed')) {
    const format = outputFormatSchema.safeParse(row.format);
    if (!format.success) {
      await prisma.export.update({ where: { id: row.id }, data: { status: 'failed', error: `unknown format ${row.format}` } });
      continue;
    }
    renders.push({ exportId: row.id, format: format.data, sampleRate: row.sampleRate });
  }
  if (renders.length === 0) return { exported: [] };
  const ids = renders.map((r) => r.exportId);
  await prisma.export.updateMany({ where: { id: { in: ids } }, data: { status: 'active', error: null } });

  let progressChain = Promise.resolve();
  try {
    const files = await withLocalCopies([{ storageKey: asset.storageKey, displayName: asset.originalName }], ([filePath]) =>
      runCpuTask(
        { kind: 'export', filePath, renders, metadata: trackMetadataOf(asset.track), loudness: deliveryLoudness(asset.analysis as AnalysisResult | null) },
        (fraction, step) => {
          progressChain = progressChain.then(() => ctx.progress(fraction * 95, step)).catch(() => undefined);
        },
        ctx.signal,
      ),
    );
    await progressChain;
    await ctx.progress(95, 'storing delivery files');
    for (const f of files) {
      const key = `exports/${f.exportId}/${Date.now().toString(36)}.${f.fileExtension}`;
      assertStorageKey(key);
      const byteSize = await putBytes(key, f.file);
      const sha256 = createHash('sha256').update(f.file).digest('hex');
      const previous = rows.find((r) => r.id === f.exportId)?.storageKey;
      await prisma.export.update({ where: { id: f.exportId }, data: { status: 'completed', storageKey: key, byteSize: BigInt(byteSize), sha256, error: null } });
      if (previous && previous !== key) await getStorage().delete(previous).catch(() => undefined);
    }
    return { exported: files.map((f) => f.exportId) };
  } catch (error) {
    await progressChain;
    const message = (error as Error).message.slice(0, 2000);
    await prisma.export.updateMany({ where: { id: { in: ids }, status: { not: 'completed' } }, data: { status: 'failed', error: message } });
    if (error instanceof AudioFormatError) throw new PermanentJobError(message);
    throw error;
  }
}
