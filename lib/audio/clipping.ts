/**
 * Clipping detection: runs of consecutive samples at or above a level near full scale. A single full-scale sample
 * is common in legitimately mastered audio; several in a row (a flat top) is the signature of clipping, before or
 * after a limiter. Defaults: |x| >= 0.999 (about -0.01 dBFS, so 16-bit 32767 counts) for at least 3 samples.
 */
import type { PcmAudio } from './types';

export interface ClippingOptions {
  /** Linear level a sample must reach (absolute value). Default 0.999. */
  threshold?: number;
  /** Minimum run length in samples. Default 3. */
  minRunSamples?: number;
  /** Cap on the number of runs returned (the count is always exact). Default 1000. */
  maxRuns?: number;
}

export interface ClippingRun {
  channel: number;
  startFrame: number;
  startSeconds: number;
  lengthSamples: number;
  /** +1 for a run at the positive rail, -1 for the negative one. */
  polarity: 1 | -1;
}

export interface ClippingResult {
  runCount: number;
  /** Total samples inside counted runs, all channels. */
  clippedSamples: number;
  /** Runs in channel then time order, capped at maxRuns. */
  runs: ClippingRun[];
  threshold: number;
  minRunSamples: number;
}

export function findClipping(pcm: PcmAudio, options: ClippingOptions = {}): ClippingResult {
  const threshold = options.threshold ?? 0.999;
  const minRun = options.minRunSamples ?? 3;
  const maxRuns = options.maxRuns ?? 1000;
  const runs: ClippingRun[] = [];
  let runCount = 0;
  let clippedSamples = 0;
  pcm.channels.forEach((x, channel) => {
    let runStart = -1;
    let polarity: 1 | -1 = 1;
    const close = (end: number) => {
      const length = end - runStart;
      if (length >= minRun) {
        runCount++;
        clippedSamples += length;
        if (runs.length < maxRuns) {
          runs.push({ channel, startFrame: runStart, startSeconds: runStart / pcm.sampleRate, lengthSamples: length, polarity });
        }
      }
      runStart = -1;
    };
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      // A run stays on one rail: a jump from +1 to -1 is two events (and a very loud square wave, not one flat top).
      const p: 0 | 1 | -1 = v >= threshold ? 1 : v <= -threshold ? -1 : 0;
      if (runStart >= 0 && p !== polarity) close(i);
      if (p !== 0 && runStart < 0) {
        runStart = i;
        polarity = p;
      }
    }
    if (runStart >= 0) close(x.length);
  });
  return { runCount, clippedSamples, runs, threshold, minRunSamples: minRun };
}
