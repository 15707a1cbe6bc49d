/**
 * Mastering from files: what the CLI and the "master" job both run. The mix is measured as it is read, straight into
 * the render's float64 working buffer, and read again for any later full render (mixFile.ts: from its file, or from the
 * decoded copy a compressed mix leaves in the temporary folder, removed at the end).
 * The references are measured as they are read (matchFile.ts) on the chain worker, whose start-up overlaps the mix's
 * decoding; their samples never reach this thread. The same worker then renders half of each pass: a second worker
 * for the render cost its start-up (~0.25 s of CPU: its own copy of the code compiled, its own WebAssembly
 * instantiated) while both cores were decoding, and peak memory stayed the same within noise (the worker collects
 * its garbage after each reference). Without parallel rendering the reference thread ends once they are measured.
 */
import { ChainWorker } from '../chain/chainWorkerClient';
import { deliveryRate, type MasteringSettings } from '../settings';
import { probeCapacityFrames, type ProbeBuffers } from './closedLoop';
import type { MatchAnalysis } from './matchAnalysis';
import { masterTrack, type MasterOptions, type MasterProgress, type MasterTrackResult } from './masterTrack';
import { readMixForRender, type StreamedMix } from './mixFile';

export interface MasterFilesInput {
  mixPath: string;
  references: { path: string; weight?: number }[];
  settings?: MasteringSettings;
  options?: Omit<MasterOptions, 'worker' | 'analyses' | 'transferReferences' | 'probeBuffers'>;
  onProgress?: (progress: MasterProgress) => void;
  /** After the mix is decoded (its wall and CPU time), before masterTrack's own stages. */
  onDecoded?: () => void;
  /** A chain worker already started (its start-up overlapping the caller's); the caller closes it. */
  worker?: ChainWorker;
}

/**
 * A compressed mix's ffmpeg runs 5 nice levels below this thread rather than at the lowest priority (19): everything
 * after the decode waits on the mix, while the references' ffmpeg (at 19) and their analysis, which finish first, share
 * the cores with it; at the lowest priority the mix's decoder got ~15-35 % of a core against them. king_is_dead, 10
 * alternating rounds: -0.02 s wall, -0.035 s CPU (0 levels below measured about the same as 5).
 */
const MIX_DECODER_NICE_INCREMENT = 5;

export async function masterFiles(input: MasterFilesInput): Promise<MasterTrackResult> {
  const parallel = input.options?.parallel !== false;
  // One worker analyses the references and then renders; without parallel rendering it ends after the references.
  const ownWorker = (parallel && !input.worker) || (!parallel && input.references.length > 0) ? new ChainWorker() : null;
  const worker = parallel ? (input.worker ?? ownWorker) : ownWorker;
  let mix: StreamedMix | undefined;
  try {
    const analyses = input.references.map((r) => worker!.run<MatchAnalysis>({ kind: 'analyzeFile', path: r.path, options: {} }));
    for (const p of analyses) p.catch(() => undefined);
    if (!parallel) {
      const allAnalysed = Promise.allSettled(analyses).then(() => worker?.close());
      allAnalysed.catch(() => undefined);
    }
    // The drive probe's memory is made and touched on the worker (touchedMemory.ts) once it is done with the references:
    // ~45 MB of page faults (~80 ms here) off this thread's path, where they came just before the first probe render
    // with the worker idle. Asked for as soon as the mix's length is known, so that a worker done with the references
    // before this thread is done with the mix does it meanwhile; otherwise it does it while this thread derives the
    // settings. Only where the probe is cut at the mix's own rate (a mix resampled for delivery makes its own): given
    // settings deliver at their output's rate, a derivation at its options' (masterTrack.ts).
    const output = input.settings ? input.settings.output : (input.options?.output ?? {});
    let probeBuffers: Promise<ProbeBuffers> | undefined;
    const prepareProbe = (sampleRate: number, channelCount: number, frames: number) => {
      if (!parallel || !worker || deliveryRate(output, sampleRate) !== sampleRate || !(frames > 0)) return;
      probeBuffers = Promise.allSettled(analyses).then(() => makeProbeBuffers(worker, sampleRate, channelCount, frames));
      probeBuffers.catch(() => undefined);
    };
    // Measured while it is read: the mix's analysis is ready when its last samples are.
    const read = await readMixForRender(input.mixPath, { onOpen: prepareProbe, ffmpegNiceIncrement: MIX_DECODER_NICE_INCREMENT });
    mix = read.mix;
    const mixAnalysis = read.analysis;
    input.onDecoded?.();
    // A stream without a length in its header: now that it is known.
    if (!probeBuffers) prepareProbe(mix.sampleRate, mix.channelCount, mix.frames);
    return await masterTrack({
      mix,
      references: analyses.map((analysis, i) => ({ analysis, weight: input.references[i].weight })),
      settings: input.settings,
      options: { ...input.options, worker: parallel ? (worker ?? undefined) : undefined, parallel, analyses: { mix: mixAnalysis }, probeBuffers },
      onProgress: input.onProgress,
    });
  } finally {
    await Promise.all([ownWorker?.close(), mix?.dispose()]);
  }
}

/** Buffers for the drive probe of a mix of `frames` frames at its own rate. */
async function makeProbeBuffers(worker: ChainWorker, sampleRate: number, channelCount: number, frames: number): Promise<ProbeBuffers> {
  const capacity = probeCapacityFrames(frames, sampleRate);
  const buffers = await worker.run<SharedArrayBuffer[]>({
    kind: 'touchedBuffers',
    byteLengths: [...Array<number>(channelCount).fill(capacity * Float64Array.BYTES_PER_ELEMENT), ...Array<number>(channelCount).fill(capacity * Float32Array.BYTES_PER_ELEMENT)],
  });
  return { sampleRate, frames: capacity, wide: buffers.slice(0, channelCount), narrow: buffers.slice(channelCount) };
}
