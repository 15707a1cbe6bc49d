/**
 * Leading and trailing silence: where the first and last 10 ms block with a sample above the threshold is.
 * Dither noise at 16 bits sits near -90 dBFS, so -60 dBFS separates "nothing playing" from quiet music.
 */

export interface SilenceEdges {
  headSeconds: number;
  tailSeconds: number;
  /** True when no block exceeds the threshold. */
  allSilent: boolean;
}

/** Fed in pieces: every 10 ms block is judged as it completes. */
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
