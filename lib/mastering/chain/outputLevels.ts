/**
 * What a render's report needs besides its loudness and spectrum: true and sample peak, and the stereo image. All of
 * it either ignores the final gain (side-to-mid ratio, correlation) or moves with it by exactly that gain (the
 * peaks), so it is measured once per render, before the final gain, on the chain worker while the main thread meters
 * loudness and spectrum.
 */
import type { StereoWindowSums } from '@/lib/audio/levelScan';
import { measurePeaks, TRUE_PEAK_BLOCK_FRAMES } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { measureStereoOverTime, stereoOverTimeFromSums } from '../analysis/stereo';

export interface OutputLevels {
  truePeakDbtp: number;
  samplePeakDbfs: number;
  sideToMidDb: number;
  correlation: number;
}

const STEREO_WINDOW_SECONDS = 60;

export function measureOutputLevels(pcm: PcmAudio): OutputLevels {
  const [left, right] = pcm.channels;
  if (pcm.channels.length === 2) {
    // Stereo: the peaks' block maxima and the stereo sums from one pass over the render (each pass over a
    // four-minute float64 render is ~30 ms of reading memory alone here).
    const windowFrames = Math.max(1, Math.round(STEREO_WINDOW_SECONDS * pcm.sampleRate));
    const { sums, blockAbsMax } = stereoSumsAndBlockMaxima(left, right, windowFrames);
    const stereo = stereoOverTimeFromSums(sums, pcm.sampleRate, left.length);
    const peaks = measurePeaks(pcm, { maxOverPositions: 0, blockAbsMax });
    return { truePeakDbtp: peaks.truePeak.truePeakDbtp, samplePeakDbfs: peaks.samplePeakDbfs, sideToMidDb: stereo.sideToMidDb, correlation: stereo.correlation };
  }
  const stereo = measureStereoOverTime(pcm, STEREO_WINDOW_SECONDS);
  // One pass for both peaks (the sample peak of the float32 output this render becomes, see measurePeaks).
  const peaks = measurePeaks(pcm, { maxOverPositions: 0 });
  return {
    truePeakDbtp: peaks.truePeak.truePeakDbtp,
    samplePeakDbfs: peaks.samplePeakDbfs,
    sideToMidDb: stereo.sideToMidDb,
    correlation: stereo.correlation,
  };
}

/**
 * Σ l·r, Σ l², Σ r² per window of `windowFrames` (added frame by frame, as measureStereoOverTime adds them) and each
 * channel's largest |sample| per true-peak block (kept at float32, as measurePeaks keeps its own): the same numbers
 * as those two passes, from one.
 */
export function stereoSumsAndBlockMaxima(left: Float32Array, right: Float32Array, windowFrames: number): { sums: StereoWindowSums; blockAbsMax: Float32Array[] } {
  const n = left.length;
  const windows = Math.ceil(n / windowFrames);
  const sums: StereoWindowSums = { lr: new Float64Array(windows), ll: new Float64Array(windows), rr: new Float64Array(windows), windowFrames };
  const blocks = Math.ceil(n / TRUE_PEAK_BLOCK_FRAMES);
  const maxL = new Float32Array(blocks);
  const maxR = new Float32Array(blocks);
  scan(left, right, windowFrames, sums.lr, sums.ll, sums.rr, maxL, maxR);
  return { sums, blockAbsMax: [maxL, maxR] };
}

function scan(left: Float32Array, right: Float32Array, windowFrames: number, lrOut: Float64Array, llOut: Float64Array, rrOut: Float64Array, maxL: Float32Array, maxR: Float32Array): void {
  const n = left.length;
  let lr = 0;
  let ll = 0;
  let rr = 0;
  let k = 0;
  let end = Math.min(n, windowFrames);
  for (let b = 0; b < maxL.length; b++) {
    let ml = 0;
    let mr = 0;
    const stop = Math.min(n, (b + 1) * TRUE_PEAK_BLOCK_FRAMES);
    for (let i = b * TRUE_PEAK_BLOCK_FRAMES; i < stop; i++) {
      const l = left[i];
      const r = right[i];
      lr += l * r;
      ll += l * l;
      rr += r * r;
      ml = Math.max(ml, Math.abs(l));
      mr = Math.max(mr, Math.abs(r));
      if (i + 1 === end) {
        lrOut[k] = lr;
        llOut[k] = ll;
        rrOut[k] = rr;
        lr = 0;
        ll = 0;
        rr = 0;
        k++;
        end = Math.min(n, end + windowFrames);
      }
    }
    maxL[b] = ml;
    maxR[b] = mr;
  }
}
