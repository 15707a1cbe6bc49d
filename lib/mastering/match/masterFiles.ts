/**
 * Mastering from files: what the CLI and the "master" job both run. The references are decoded and analysed on a
 * thread of their own, which ends once they are measured (their samples never reach this thread, and the memory the
 * decoder and analysis touched goes back with the thread instead of staying resident through the render); the render
 * gets a fresh chain worker for its second core, started at once so its start-up overlaps the mix's decoding.
 */
import { AudioFormatError } from '@/lib/audio/types';
import { readAudioFile } from '../audioFile';
import { ChainWorker } from '../chain/chainWorkerClient';
import { defaultDeliveryRate, type MasteringSettings } from '../settings';
import type { MatchAnalysis } from './matchAnalysis';
import { masterTrack, type MasterOptions, type MasterProgress, type MasterTrackResult } from './masterTrack';

export interface MasterFilesInput {
  mixPath: string;
  references: { path: string; weight?: number }[];
  settings?: MasteringSettings;
  options?: Omit<MasterOptions, 'worker' | 'analyses' | 'transferReferences'>;
  onProgress?: (progress: MasterProgress) => void;
  /** After the mix is decoded (its wall and CPU time), before masterTrack's own stages. */
  onDecoded?: () => void;
}

export async function masterFiles(input: MasterFilesInput): Promise<MasterTrackResult> {
  const parallel = input.options?.parallel !== false;
  const referenceWorker = input.references.length > 0 ? new ChainWorker() : null;
  const renderWorker = parallel ? new ChainWorker() : null;
  try {
    const analyses = input.references.map((r) =>
      referenceWorker!.run<MatchAnalysis>({ kind: 'analyzeFile', path: r.path, options: {} }),
    );
    for (const p of analyses) p.catch(() => undefined);
    const allAnalysed = Promise.allSettled(analyses).then(() => referenceWorker?.close());
    allAnalysed.catch(() => undefined);
    const mix = await readAudioFile(input.mixPath);
    if (mix.channels.length > 2) throw new AudioFormatError(`${input.mixPath}: ${mix.channels.length} channels; mastering supports mono and stereo`);
    input.onDecoded?.();
    // Deliver at 44.1/48/88.2/96 kHz (and MP3 at 44.1/48) even when the mix is not at one of those rates: left
    // unset, the render would keep the mix's rate (a 192 kHz WAV, or an MP3 encoder refusing 22.05 kHz after the
    // whole render). Only set when it differs, so settings of mixes at a delivery rate stay as they were.
    let { settings } = input;
    let options = input.options ?? {};
    const format = settings?.output.format ?? options.output?.format ?? 'wav24';
    const requested = settings ? settings.output.sampleRate : options.output?.sampleRate;
    const rate = defaultDeliveryRate(format, mix.sampleRate);
    if ((requested === null || requested === undefined) && rate !== mix.sampleRate) {
      if (settings) settings = { ...settings, output: { ...settings.output, sampleRate: rate } };
      else options = { ...options, output: { ...options.output, sampleRate: rate } };
    }
    return await masterTrack({
      mix,
      references: analyses.map((analysis, i) => ({ analysis, weight: input.references[i].weight })),
      settings,
      options: { ...options, worker: renderWorker ?? undefined, parallel },
      onProgress: input.onProgress,
    });
  } finally {
    await Promise.all([referenceWorker?.close(), renderWorker?.close()]);
  }
}
