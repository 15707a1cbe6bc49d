/**
 * Two cores for one render: the track is cut in two at the middle; the main thread renders the first half in place
 * while the chain worker renders a copy of the second half. The second half starts PRE_ROLL earlier so the stateful
 * stages (FIR history, compressor and limiter envelopes) have settled by the cut: their envelopes forget within a
 * few release times (≤ 0.9 s), so after 8 s the two halves join seamlessly (state difference < e^-8 of the gain).
 * The first half runs TAIL past the cut for the linear-phase FIR's look-ahead (≤ 0.2 s) and the limiter's.
 * The true-peak ceiling holds either way: each half is limited on its own.
 *
 * Memory: the audio lives in shared memory (allocateSplittable) and both threads render it in place. Its buffers have
 * room for PRE_ROLL + TAIL more frames, so the second half (with its pre-roll) is moved up beside the first instead of
 * copied out, and moved back afterwards: no second ~100 MB buffer, no transfer. Audio not in shared memory is rendered
 * here whole.
 */
import type { GainReductionStats } from '@/lib/audio/gainReductionStats';
import { inSharedMemory, type WorkingAudio } from '@/lib/audio/workingAudio';
import type { ChainTask } from './chainWorker';
import type { ChainWorker } from './chainWorkerClient';

const PRE_ROLL_SECONDS = 8;
const TAIL_SECONDS = 1;
/** Below this the hand-over costs more than the second core saves (a render, or a measurement: splitLoudness.ts). */
export const MIN_SPLIT_SECONDS = 30;

/** Frames of room allocateSplittable leaves after the audio. */
export function splitRoomFrames(sampleRate: number): number {
  return Math.round(PRE_ROLL_SECONDS * sampleRate) + Math.round(TAIL_SECONDS * sampleRate);
}

/** Zeroed working audio in shared memory, with the room splitRender needs to render it in place on two threads. */
export function allocateSplittable(sampleRate: number, channelCount: number, frames: number): WorkingAudio {
  const capacity = frames + splitRoomFrames(sampleRate);
  return {
    sampleRate,
    channels: Array.from({ length: channelCount }, () => new Float64Array(new SharedArrayBuffer(capacity * Float64Array.BYTES_PER_ELEMENT), 0, frames)),
  };
}

export interface SplitPart<S> {
  stats: S;
  /** Frames of the output this part produced (weights when merging statistics). */
  frames: number;
}

export async function splitRender<S>(
  work: WorkingAudio,
  worker: ChainWorker | null,
  renderHere: (part: WorkingAudio) => Promise<S> | S,
  remoteTask: (part: WorkingAudio) => ChainTask,
  /**
   * Cut here instead, with no pre-roll or tail: for audio made of independent pieces that carry their own rolls
   * (the drive probe). null = do not split.
   */
  cutAt?: number | null,
): Promise<SplitPart<S>[]> {
  const n = work.channels[0]?.length ?? 0;
  const rate = work.sampleRate;
  const independent = cutAt !== undefined;
  const preRoll = independent ? 0 : Math.round(PRE_ROLL_SECONDS * rate);
  const tail = independent ? 0 : Math.round(TAIL_SECONDS * rate);
  const roomy = inSharedMemory(work.channels) && work.channels.every((c) => c.byteOffset === 0 && c.buffer.byteLength >= (n + preRoll + tail) * 8);
  const worthIt = independent ? cutAt !== null && cutAt > 0 && cutAt < n : n >= MIN_SPLIT_SECONDS * rate;
  if (!worker || !roomy || !worthIt) return [{ stats: await renderHere(work), frames: n }];
  // Balanced: the first part is mid + tail long, the second n - mid + preRoll.
  const mid = independent ? cutAt! : Math.floor((n + preRoll - tail) / 2);
  const from = mid - preRoll;
  // In place: [0, mid + tail) here; frames [from, n) moved up to start at mid + tail for the worker.
  const full = work.channels.map((c) => new Float64Array(c.buffer, 0, n + preRoll + tail));
  const secondAt = mid + tail;
  if (!independent) for (const f of full) f.copyWithin(secondAt, from, n);
  const remote = worker.run<S>(remoteTask({ sampleRate: rate, channels: full.map((f) => f.subarray(secondAt, secondAt + n - from)) }));
  // Settle the remote promise even if the local half throws, so no rejection goes unhandled.
  remote.catch(() => undefined);
  const firstStats = await renderHere({ sampleRate: rate, channels: full.map((f) => f.subarray(0, Math.min(n, mid + tail))) });
  const remoteStats = await remote;
  if (!independent) for (const f of full) f.copyWithin(mid, secondAt + preRoll, n + preRoll + tail);
  return [
    { stats: firstStats, frames: mid },
    { stats: remoteStats, frames: n - mid },
  ];
}

/** Frame-weighted merge of per-part gain-reduction summaries (max of maxima). */
export function mergeGainReductionStats(parts: { stats: GainReductionStats; frames: number }[]): GainReductionStats {
  if (parts.length === 1) return parts[0].stats;
  const total = parts.reduce((a, p) => a + p.frames, 0) || 1;
  const w = (p: { frames: number }) => p.frames / total;
  const first = parts[0].stats;
  return {
    maxDb: Math.max(...parts.map((p) => p.stats.maxDb)),
    meanDb: parts.reduce((a, p) => a + w(p) * p.stats.meanDb, 0),
    percentOver1Db: parts.reduce((a, p) => a + w(p) * p.stats.percentOver1Db, 0),
    histogramEdgesDb: first.histogramEdgesDb,
    histogramPercent: first.histogramPercent.map((_, b) => parts.reduce((a, p) => a + w(p) * p.stats.histogramPercent[b], 0)),
  };
}
