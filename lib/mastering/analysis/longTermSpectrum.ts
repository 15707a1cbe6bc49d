/**
 * Long-term average spectrum of mid and side (Welch: Hann, 32768-sample segments, 50 % overlap). One pass gives
 * everything spectral the analysis needs: |M|², |S|² and Re(M·S*) per bin are enough to rebuild the L/R powers and
 * cross-power, hence per-band correlation, width and the L+R power the tonal-distance metric averages.
 */
import { createComplexFft, hannWindow } from '@/lib/audio/fft';
import { createWelchKernel, type WelchKernel } from '@/lib/audio/simd/welchKernel';
import { packedFrameCount } from '@/lib/audio/stft';
import type { PcmAudio } from '@/lib/audio/types';
import type { BandSet } from './bands';
import { SegmentBandRecorder, type SegmentBands } from './segmentBands';

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
  /** Each segment's band powers (see LongTermSpectrumOptions.segmentBands). */
  segmentBands?: SegmentBands;
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
  /** Window and sum with the scalar functions instead of the SIMD kernel (the same results; tests compare them). */
  scalar?: boolean;
  /** Also record every segment's mid and side power in these bands (segmentBands.ts). */
  segmentBands?: BandSet;
  /** Segments expected (sizes the per-segment record; a wrong guess only costs growing it). */
  expectedSegments?: number;
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
  /** The per-bin sums: the kernel's memory when there is a kernel. */
  private readonly m2: Float64Array;
  private readonly s2: Float64Array;
  private readonly ms: Float64Array;
  private readonly kernel: WelchKernel | null;
  private readonly keep: LongTermSpectrumOptions['keepFrames'];
  private readonly fineBins: number;
  private readonly coarseGroup: number;
  private readonly coarseBins: number;
  private readonly keptFrames: KeptFrames;
  private readonly weightOf: LongTermSpectrumOptions['segmentWeight'];
  private readonly bandRecorder: SegmentBandRecorder | null;
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
    this.kernel = options.scalar ? null : createWelchKernel(this.size);
    if (this.kernel) this.kernel.window.set(this.window);
    this.m2 = this.kernel?.m2 ?? new Float64Array(this.bins);
    this.s2 = this.kernel?.s2 ?? new Float64Array(this.bins);
    this.ms = this.kernel?.ms ?? new Float64Array(this.bins);
    this.keep = options.keepFrames;
    this.fineBins = this.keep ? Math.min(this.bins, Math.ceil(this.keep.fineMaxHz / (sampleRate / this.size)) + 1) : 0;
    this.coarseGroup = this.keep?.coarseGroup ?? 1;
    this.coarseBins = Math.floor((this.bins - 1) / this.coarseGroup) + 1;
    this.keptFrames = { timesSeconds: [], fine: [], coarse: [], coarseBinHz: (sampleRate / this.size) * this.coarseGroup };
    this.weightOf = options.segmentWeight;
    this.bandRecorder = options.segmentBands ? new SegmentBandRecorder(options.segmentBands, this.size, sampleRate, options.expectedSegments) : null;
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
    const { size, bins } = this;
    // Copied out of the kernel's memory, which goes with the accumulator.
    const m2 = this.kernel ? this.m2.slice() : this.m2;
    const s2 = this.kernel ? this.s2.slice() : this.s2;
    const ms = this.kernel ? this.ms.slice() : this.ms;
    // The split formulas skip the /2, hence /4; one-sided doubling for 0 < k < N/2; Welch scale 1/(N·Σw²).
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
      ...(this.bandRecorder ? { segmentBands: this.bandRecorder.finish() } : {}),
    };
  }

  dispose(): void {
    this.fft.dispose();
  }

  /** One segment from frame `start`, `available` frames of it present (the rest zero). */
  private analyse(channels: readonly Float32Array[], base: number, start: number, available: number): void {
    const { size, bins, window: w, keep } = this;
    const [left, right] = channels;
    const input = this.fft.input;
    const kernel = this.kernel;
    const from = start - base;
    // A render's float64 working audio comes here as it stands (typed as float32 audio by its callers).
    const [wideLeft, wideRight] = channels as readonly (Float32Array | Float64Array)[];
    if (kernel) {
      if (wideLeft instanceof Float64Array && wideRight instanceof Float64Array) {
        // Copied as it is (a plain memory copy) and rounded to float32 in the kernel.
        kernel.left64.set(wideLeft.subarray(from, from + available));
        kernel.right64.set(wideRight.subarray(from, from + available));
        kernel.windowMidSide64(available);
      } else {
        kernel.left.set(left.subarray(from, from + available));
        if (right) {
          kernel.right.set(right.subarray(from, from + available));
          kernel.windowMidSide(available);
        } else kernel.windowMono(available);
      }
      if (available < size) kernel.input.fill(0, 2 * available);
      input.set(kernel.input);
    } else {
      // Each hot loop is a function of its own: V8 then optimizes it with the feedback of its whole body. Inline here,
      // an on-stack-replacement compile entered in the windowing loop reached the bin loop without feedback and
      // deoptimized, in every segment (~60 deoptimizations per track).
      if (right) windowMidSide(input, left, right, from, w, available);
      else windowMono(input, left, from, w, available);
      if (available < size) input.fill(0, 2 * available);
    }
    this.fft.forward();
    const z = this.fft.output;
    const frame = this.frame++;
    this.bandRecorder?.add(z);
    const centreSeconds = (start + size / 2) / this.sampleRate;
    const weight = this.weightOf ? this.weightOf(centreSeconds) : 1;
    if (weight > 0) {
      this.totalWeight += weight;
      if (kernel) {
        kernel.spectrum.set(z);
        kernel.accumulate(weight);
      } else accumulateMidSide(z, size, bins, weight, this.m2, this.s2, this.ms);
    }
    if (keep && frame % keep.every === 0) {
      const fine = new Float32Array(this.fineBins);
      const coarse = new Float32Array(this.coarseBins);
      keepMidMagnitudes(z, size, bins, this.coarseGroup, fine, coarse);
      sqrtInPlace(coarse);
      this.keptFrames.fine.push(fine);
      this.keptFrames.coarse.push(coarse);
      this.keptFrames.timesSeconds.push(centreSeconds);
    }
  }
}

/** window·(l+r)/2 and window·(l-r)/2 interleaved: mid and side formed while windowing, never as full-length copies. */
function windowMidSide(input: Float32Array, left: Float32Array, right: Float32Array, from: number, w: Float32Array, count: number): void {
  for (let i = 0, j = from; i < count; i++, j++) {
    const l = left[j];
    const r = right[j];
    const half = 0.5 * w[i];
    input[2 * i] = (l + r) * half;
    input[2 * i + 1] = (l - r) * half;
  }
}

function windowMono(input: Float32Array, x: Float32Array, from: number, w: Float32Array, count: number): void {
  for (let i = 0, j = from; i < count; i++, j++) {
    input[2 * i] = x[j] * w[i];
    input[2 * i + 1] = 0;
  }
}

/**
 * Adds weight·|M|², weight·|S|² and weight·Re(M·S*) per bin. A[k] = (Z[k] + conj Z[N-k]) / 2, B[k] = (Z[k] - conj
 * Z[N-k]) / 2i, with a/b/c/d = Re/Im of Z[k], Z[N-k]; the /2 is folded into the final scale.
 */
function accumulateMidSide(z: Float32Array, size: number, bins: number, weight: number, m2: Float64Array, s2: Float64Array, ms: Float64Array): void {
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

/** |M| per bin below `fine.length`, and |M|² summed over groups of `coarseGroup` bins. */
function keepMidMagnitudes(z: Float32Array, size: number, bins: number, coarseGroup: number, fine: Float32Array, coarse: Float32Array): void {
  const fineBins = fine.length;
  for (let k = 0; k < bins; k++) {
    const mirror = k === 0 ? 0 : size - k;
    const mr = z[2 * k] + z[2 * mirror];
    const mi = z[2 * k + 1] - z[2 * mirror + 1];
    const power = (mr * mr + mi * mi) * 0.25;
    if (k < fineBins) fine[k] = Math.sqrt(power);
    coarse[Math.floor((k + (coarseGroup >> 1)) / coarseGroup)] += power;
  }
}

function sqrtInPlace(values: Float32Array): void {
  for (let j = 0; j < values.length; j++) values[j] = Math.sqrt(values[j]);
}
