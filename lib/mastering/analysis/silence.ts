/**
 * Leading and trailing silence: where the first and last 10 ms block with a sample above the threshold is.
 * Dither noise at 16 bits sits near -90 dBFS, so -60 dBFS separates "nothing playing" from quiet music.
 */
import type { PcmAudio } from '@/lib/audio/types';

export interface SilenceEdges {
  headSeconds: number;
  tailSeconds: number;
  /** True when no block exceeds the threshold. */
  allSilent: boolean;
}

export function measureSilenceEdges(pcm: PcmAudio, thresholdDbfs = -60, blockSeconds = 0.01): SilenceEdges {
  const threshold = 10 ** (thresholdDbfs / 20);
  const length = pcm.channels[0]?.length ?? 0;
  const block = Math.max(1, Math.round(blockSeconds * pcm.sampleRate));
  const loud = (from: number, to: number) => {
    for (const samples of pcm.channels) {
      for (let i = from; i < to; i++) if (samples[i] > threshold || samples[i] < -threshold) return true;
    }
    return false;
  };
  let first = -1;
  for (let start = 0; start < length; start += block) {
    if (loud(start, Math.min(length, start + block))) {
      first = start;
      break;
    }
  }
  const durationSeconds = length / pcm.sampleRate;
  if (first < 0) return { headSeconds: durationSeconds, tailSeconds: durationSeconds, allSilent: true };
  let lastEnd = length;
  const lastStart = Math.floor((length - 1) / block) * block;
  for (let start = lastStart; start >= first; start -= block) {
    const end = Math.min(length, start + block);
    if (loud(start, end)) {
      lastEnd = end;
      break;
    }
  }
  return { headSeconds: first / pcm.sampleRate, tailSeconds: (length - lastEnd) / pcm.sampleRate, allSilent: false };
}

/**
 * The same edges from a signal fed in pieces: every 10 ms block is judged as it completes (the whole-signal version
 * reads inward from both ends instead, which a stream cannot).
 */
export class SilenceEdgeTracker {
  private readonly threshold: number;
  private readonly block: number;
  /** Blocks judged so far. */
  private judged = 0;
  private first = -1;
  private lastEnd = -1;

  constructor(
    private readonly sampleRate: number,
    thresholdDbfs = -60,
    blockSeconds = 0.01,
  ) {
    this.threshold = 10 ** (thresholdDbfs / 20);
    this.block = Math.max(1, Math.round(blockSeconds * sampleRate));
  }

  /** Judges the blocks that end by frame `end`; `x[c][i - base]` is frame i. */
  add(channels: readonly Float32Array[], base: number, end: number): void {
    const { block, threshold } = this;
    for (; (this.judged + 1) * block <= end; this.judged++) this.judge(channels, base, this.judged * block, (this.judged + 1) * block, threshold);
  }

  finish(channels: readonly Float32Array[], base: number, frames: number): SilenceEdges {
    this.add(channels, base, frames);
    const start = this.judged * this.block;
    if (start < frames) this.judge(channels, base, start, frames, this.threshold);
    const durationSeconds = frames / this.sampleRate;
    if (this.first < 0) return { headSeconds: durationSeconds, tailSeconds: durationSeconds, allSilent: true };
    return { headSeconds: this.first / this.sampleRate, tailSeconds: (frames - this.lastEnd) / this.sampleRate, allSilent: false };
  }

  private judge(channels: readonly Float32Array[], base: number, from: number, to: number, threshold: number): void {
    for (const samples of channels) {
      for (let i = from - base; i < to - base; i++) {
        if (samples[i] > threshold || samples[i] < -threshold) {
          if (this.first < 0) this.first = from;
          this.lastEnd = to;
          return;
        }
      }
    }
  }
}
