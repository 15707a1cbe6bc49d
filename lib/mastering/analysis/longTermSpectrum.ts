/**
 * Long-term average spectrum of mid and side (Welch: Hann, 32768-sample segments, 50 % overlap). One pass gives
 * everything spectral the analysis needs: |M|², |S|² and Re(M·S*) per bin are enough to rebuild the L/R powers and
 * cross-power, hence per-band correlation, width and the L+R power the tonal-distance metric averages.
 */
import { createComplexFft, hannWindow } from '@/lib/audio/fft';
import { packedFrameCount, packedStftWith, type PackedFrameLoader } from '@/lib/audio/stft';
import type { PcmAudio } from '@/lib/audio/types';

export const WELCH_SEGMENT_SIZE = 32768;

export interface LongTermSpectrum {
  sampleRate: number;
  segmentSize: number;
  binHz: number;
  /** Mean one-sided power per bin, scaled so a full-scale sine sums to 0.5 (its mean square). */
  midPower: Float64Array;
  sidePower: Float64Array;
  /** Mean Re(M·S*) per bin, same scale. */
  midSideCross: Float64Array;
  segments: number;
  /** Sum of segment weights (equals `segments` without weighting). */
  totalWeight: number;
  /** Kept frames for descriptors (see LongTermSpectrumOptions.keepFrames). */
  keptFrames: KeptFrames;
}

export interface LongTermSpectrumOptions {
  segmentSize?: number;
  /** Weight of the segment centred at `timeSeconds` (e.g. from short-term loudness); 0 skips it. */
  segmentWeight?: (timeSeconds: number) => number;
  /**
   * Keep |M| of every n-th segment for descriptors: full resolution up to `fineMaxHz` (pitch needs the 1.3 Hz bins)
   * and, for the whole band, amplitude summed in power over groups of `coarseGroup` bins (spectral shape does not).
   */
  keepFrames?: { every: number; fineMaxHz: number; coarseGroup: number };
}

export interface KeptFrames {
  timesSeconds: number[];
  /** |M| for bins 0..fineBins-1 at binHz spacing. */
  fine: Float32Array[];
  /** sqrt of summed |M|² over coarseGroup bins; bin j is centred near (j·coarseGroup)·binHz. */
  coarse: Float32Array[];
  coarseBinHz: number;
}

export async function longTermSpectrum(pcm: PcmAudio, options: LongTermSpectrumOptions = {}): Promise<LongTermSpectrum> {
  const size = options.segmentSize ?? WELCH_SEGMENT_SIZE;
  const hop = size / 2;
  const [left, right] = pcm.channels;
  const length = left.length;
  const fft = await createComplexFft(size);
  const window = hannWindow(size);
  let windowEnergy = 0;
  for (let i = 0; i < size; i++) windowEnergy += window[i] * window[i];
  const bins = size / 2 + 1;
  const m2 = new Float64Array(bins);
  const s2 = new Float64Array(bins);
  const ms = new Float64Array(bins);
  const keep = options.keepFrames;
  const fineBins = keep ? Math.min(bins, Math.ceil(keep.fineMaxHz / (pcm.sampleRate / size)) + 1) : 0;
  const coarseGroup = keep?.coarseGroup ?? 1;
  const coarseBins = Math.floor((bins - 1) / coarseGroup) + 1;
  const keptFrames: KeptFrames = { timesSeconds: [], fine: [], coarse: [], coarseBinHz: (pcm.sampleRate / size) * coarseGroup };
  const weightOf = options.segmentWeight;
  let totalWeight = 0;
  const includePartialFrame = length < size;
  // Mid and side are formed while windowing, so no full-length mid/side copies are ever allocated.
  const load: PackedFrameLoader = right
    ? (input, w, start, count) => {
        for (let i = 0, j = start; i < count; i++, j++) {
          const l = left[j];
          const r = right[j];
          const half = 0.5 * w[i];
          input[2 * i] = (l + r) * half;
          input[2 * i + 1] = (l - r) * half;
        }
      }
    : (input, w, start, count) => {
        for (let i = 0, j = start; i < count; i++, j++) {
          input[2 * i] = left[j] * w[i];
          input[2 * i + 1] = 0;
        }
      };
  try {
    packedStftWith(length, load, { fft, window, hopSize: hop, includePartialFrame }, (frame, start, z) => {
      const centreSeconds = (start + size / 2) / pcm.sampleRate;
      const weight = weightOf ? weightOf(centreSeconds) : 1;
      if (weight > 0) {
        totalWeight += weight;
        // A[k] = (Z[k] + conj Z[N-k]) / 2, B[k] = (Z[k] - conj Z[N-k]) / 2i, with a/b/c/d = Re/Im of Z[k], Z[N-k];
        // the /2 is folded into the final scale.
        for (let k = 0; k < bins; k++) {
          const mirror = k === 0 ? 0 : size - k;
          const a = z[2 * k];
          const b = z[2 * k + 1];
          const c = z[2 * mirror];
          const d = z[2 * mirror + 1];
          const mr = a + c;
          const mi = b - d;
          const sr = b + d;
          const si = c - a;
          m2[k] += weight * (mr * mr + mi * mi);
          s2[k] += weight * (sr * sr + si * si);
          ms[k] += weight * (mr * sr + mi * si);
        }
      }
      if (keep && frame % keep.every === 0) {
        const fine = new Float32Array(fineBins);
        const coarse = new Float32Array(coarseBins);
        for (let k = 0; k < bins; k++) {
          const mirror = k === 0 ? 0 : size - k;
          const mr = z[2 * k] + z[2 * mirror];
          const mi = z[2 * k + 1] - z[2 * mirror + 1];
          const power = (mr * mr + mi * mi) * 0.25;
          if (k < fineBins) fine[k] = Math.sqrt(power);
          coarse[Math.floor((k + (coarseGroup >> 1)) / coarseGroup)] += power;
        }
        for (let j = 0; j < coarseBins; j++) coarse[j] = Math.sqrt(coarse[j]);
        keptFrames.fine.push(fine);
        keptFrames.coarse.push(coarse);
        keptFrames.timesSeconds.push(centreSeconds);
      }
    });
  } finally {
    fft.dispose();
  }
  const segments = packedFrameCount(length, size, hop, includePartialFrame);
  // The split formulas above skip the /2, hence /4; one-sided doubling for 0 < k < N/2; Welch scale 1/(N·Σw²).
  const base = totalWeight > 0 ? 1 / (4 * size * windowEnergy * totalWeight) : 0;
  for (let k = 0; k < bins; k++) {
    const scale = k === 0 || k === bins - 1 ? base : 2 * base;
    m2[k] *= scale;
    s2[k] *= scale;
    ms[k] *= scale;
  }
  return {
    sampleRate: pcm.sampleRate,
    segmentSize: size,
    binHz: pcm.sampleRate / size,
    midPower: m2,
    sidePower: s2,
    midSideCross: ms,
    segments,
    totalWeight,
    keptFrames,
  };
}
