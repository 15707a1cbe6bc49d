/**
 * Long-term average spectrum of mid and side (Welch: Hann, 32768-sample segments, 50 % overlap). One pass gives
 * everything spectral the analysis needs: |M|², |S|² and Re(M·S*) per bin are enough to rebuild the L/R powers and
 * cross-power, hence per-band correlation, width and the L+R power the tonal-distance metric averages.
 */
import { createComplexFft, hannWindow } from '@/lib/audio/fft';
import { packedFrameCount } from '@/lib/audio/stft';
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
  const accumulator = await LongTermSpectrumAccumulator.create(pcm.sampleRate, options);
  try {
    const n = pcm.channels[0].length;
    return accumulator.finish(pcm.channels, 0, n);
  } finally {
    accumulator.dispose();
  }
}

/**
 * The Welch accumulation fed in pieces: `add(channels, base, end)` analyses every segment that lies wholly before
 * `end` (sample `i - base` of each channel is frame i; the caller keeps the last `segmentSize` frames before `end`
 * in view), `finish` the rest. Fed whole or in pieces, the result is identical. `dispose` frees the FFT.
 */
export class LongTermSpectrumAccumulator {
  private readonly size: number;
  private readonly hop: number;
  private readonly window: Float32Array;
  private readonly windowEnergy: number;
  private readonly bins: number;
  private readonly m2: Float64Array;
  private readonly s2: Float64Array;
  private readonly ms: Float64Array;
  private readonly keep: LongTermSpectrumOptions['keepFrames'];
  private readonly fineBins: number;
  private readonly coarseGroup: number;
  private readonly coarseBins: number;
  private readonly keptFrames: KeptFrames;
  private readonly weightOf: LongTermSpectrumOptions['segmentWeight'];
  private totalWeight = 0;
  /** Segments analysed so far. */
  private frame = 0;

  private constructor(
    private readonly sampleRate: number,
    options: LongTermSpectrumOptions,
    private readonly fft: Awaited<ReturnType<typeof createComplexFft>>,
  ) {
    this.size = options.segmentSize ?? WELCH_SEGMENT_SIZE;
    this.hop = this.size / 2;
    this.window = hannWindow(this.size);
    let windowEnergy = 0;
    for (let i = 0; i < this.size; i++) windowEnergy += this.window[i] * this.window[i];
    this.windowEnergy = windowEnergy;
    this.bins = this.size / 2 + 1;
    this.m2 = new Float64Array(this.bins);
    this.s2 = new Float64Array(this.bins);
    this.ms = new Float64Array(this.bins);
    this.keep = options.keepFrames;
    this.fineBins = this.keep ? Math.min(this.bins, Math.ceil(this.keep.fineMaxHz / (sampleRate / this.size)) + 1) : 0;
    this.coarseGroup = this.keep?.coarseGroup ?? 1;
    this.coarseBins = Math.floor((this.bins - 1) / this.coarseGroup) + 1;
    this.keptFrames = { timesSeconds: [], fine: [], coarse: [], coarseBinHz: (sampleRate / this.size) * this.coarseGroup };
    this.weightOf = options.segmentWeight;
  }

  static async create(sampleRate: number, options: LongTermSpectrumOptions = {}): Promise<LongTermSpectrumAccumulator> {
    const fft = await createComplexFft(options.segmentSize ?? WELCH_SEGMENT_SIZE);
    return new LongTermSpectrumAccumulator(sampleRate, options, fft);
  }

  get segmentSize(): number {
    return this.size;
  }

  /** Analyses every segment that ends by frame `end`. */
  add(channels: readonly Float32Array[], base: number, end: number): void {
    while (this.frame * this.hop + this.size <= end) this.analyse(channels, base, this.frame * this.hop, this.size);
  }

  /** Analyses what is left of a signal of `frames` frames (one zero-padded segment for a signal shorter than one). */
  finish(channels: readonly Float32Array[], base: number, frames: number): LongTermSpectrum {
    this.add(channels, base, frames);
    if (this.frame === 0 && frames > 0) this.analyse(channels, base, 0, frames);
    const segments = packedFrameCount(frames, this.size, this.hop, frames < this.size);
    if (segments !== this.frame) throw new Error(`long-term spectrum: analysed ${this.frame} segments of ${segments}`);
    const { size, bins, m2, s2, ms } = this;
    // The split formulas below skip the /2, hence /4; one-sided doubling for 0 < k < N/2; Welch scale 1/(N·Σw²).
    const base2 = this.totalWeight > 0 ? 1 / (4 * size * this.windowEnergy * this.totalWeight) : 0;
    for (let k = 0; k < bins; k++) {
      const scale = k === 0 || k === bins - 1 ? base2 : 2 * base2;
      m2[k] *= scale;
      s2[k] *= scale;
      ms[k] *= scale;
    }
    return {
      sampleRate: this.sampleRate,
      segmentSize: size,
      binHz: this.sampleRate / size,
      midPower: m2,
      sidePower: s2,
      midSideCross: ms,
      segments,
      totalWeight: this.totalWeight,
      keptFrames: this.keptFrames,
    };
  }

  dispose(): void {
    this.fft.dispose();
  }

  /** One segment from frame `start`, `available` frames of it present (the rest zero). */
  private analyse(channels: readonly Float32Array[], base: number, start: number, available: number): void {
    const { size, bins, window: w, m2, s2, ms, keep } = this;
    const [left, right] = channels;
    const input = this.fft.input;
    // Mid and side are formed while windowing, so no full-length mid/side copies are ever allocated.
    if (right) {
      for (let i = 0, j = start - base; i < available; i++, j++) {
        const l = left[j];
        const r = right[j];
        const half = 0.5 * w[i];
        input[2 * i] = (l + r) * half;
        input[2 * i + 1] = (l - r) * half;
      }
    } else {
      for (let i = 0, j = start - base; i < available; i++, j++) {
        input[2 * i] = left[j] * w[i];
        input[2 * i + 1] = 0;
      }
    }
    if (available < size) input.fill(0, 2 * available);
    this.fft.forward();
    const z = this.fft.output;
    const frame = this.frame++;
    const centreSeconds = (start + size / 2) / this.sampleRate;
    const weight = this.weightOf ? this.weightOf(centreSeconds) : 1;
    if (weight > 0) {
      this.totalWeight += weight;
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
      const { fineBins, coarseBins, coarseGroup } = this;
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
      this.keptFrames.fine.push(fine);
      this.keptFrames.coarse.push(coarse);
      this.keptFrames.timesSeconds.push(centreSeconds);
    }
  }
}
