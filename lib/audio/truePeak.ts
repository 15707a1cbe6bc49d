/**
 * True peak per ITU-R BS.1770-4 Annex 2: the maximum of the signal oversampled x4 below 96 kHz, x2 below 192 kHz,
 * and the plain sample peak from 192 kHz up (at those rates the inter-sample error is already below the meter's
 * tolerance).
 *
 * The interpolator is a 49-tap Hann-windowed sinc split into polyphase branches, as libebur128 uses. Its phase 0 is a
 * pure delay (the sinc is zero at every other integer), so the true peak can never read below the sample peak, and
 * "inter-sample" values are exactly the other phases.
 *
 * Speed: running all 36 multiply-adds per input sample costs ~2 s for a 4-minute stereo track, so the search is
 * pruned, exactly. For an output between samples n and n+1, |y| <= sum|h_p| * max|x| over the filter's support.
 * Blocks of 32 samples whose bound cannot beat the running maximum (which starts at the sample peak, already within
 * ~1 dB of the answer) nor reach the over threshold are skipped. Inside a surviving block a second, tighter bound
 * (the four central taps exactly, the rest bounded by the block maximum) skips most remaining samples. Everything
 * that could matter is computed with the same float64 arithmetic as the plain search, so the result is bit-identical.
 */
import type { PcmAudio } from './types';

const FILTER_TAPS = 49;
const BLOCK = 16; // = TRUE_PEAK_BLOCK_FRAMES
const CENTRAL_TAPS_EACH_SIDE = 2;

export interface TruePeakOptions {
  /**
   * Linear level above which an inter-sample value counts as an "over" (default 1.0 = 0 dBFS). Only places where the
   * interpolated signal exceeds it while neither neighbouring sample does are reported.
   */
  overThreshold?: number;
  /** Cap on the number of over positions returned (the count is always exact). Default 1000. */
  maxOverPositions?: number;
  /**
   * Per channel, max(0, |x|) over each TRUE_PEAK_BLOCK_FRAMES frames, if a fused pass already computed it
   * (lib/audio/levelScan.ts); saves this meter's own pass over the samples.
   */
  blockAbsMax?: readonly Float32Array[];
}

/** Block size of the pruned search (and of TruePeakOptions.blockAbsMax). */
export const TRUE_PEAK_BLOCK_FRAMES = 16;

export interface InterSampleOver {
  channel: number;
  /** Time of the highest oversampled value in this inter-sample interval. */
  timeSeconds: number;
  /** That value, dBTP. */
  levelDbtp: number;
}

export interface TruePeakResult {
  /** Max over channels, dBTP. -Infinity for silence. */
  truePeakDbtp: number;
  channelTruePeakDbtp: number[];
  /** Linear equivalents (1.0 = 0 dBTP). */
  truePeakLinear: number;
  channelTruePeakLinear: number[];
  /** Oversampling factor used (4, 2 or 1). */
  oversampling: number;
  /** Number of sample intervals, over all channels, with an inter-sample over. */
  interSampleOverCount: number;
  /** First `maxOverPositions` of them, in channel then time order. */
  interSampleOvers: InterSampleOver[];
}

export function linearToDb(linear: number): number {
  return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

export function oversamplingFactor(sampleRate: number): number {
  if (sampleRate < 96000) return 4;
  if (sampleRate < 192000) return 2;
  return 1;
}

/**
 * Polyphase branches of the interpolator. Branch p (1..factor-1) gives the value at n + p/factor as
 * sum_j coefficients[p][j] * x[n + firstOffset + j]; branch 0 is the identity and is not stored.
 */
export interface TruePeakInterpolator {
  factor: number;
  /** Offset of the first tap relative to n (negative). All branches share the same span. */
  firstOffset: number;
  tapsPerPhase: number;
  /** coefficients[p] for p = 1..factor-1 (index 0 is an empty array). */
  coefficients: Float64Array[];
}

const interpolators = new Map<number, TruePeakInterpolator>();

/** The interpolator for an oversampling factor (made once per factor; callers only read it). */
export function truePeakInterpolator(factor: number): TruePeakInterpolator {
  let interp = interpolators.get(factor);
  if (!interp) interpolators.set(factor, (interp = designInterpolator(factor)));
  return interp;
}

function designInterpolator(factor: number): TruePeakInterpolator {
  const half = (FILTER_TAPS - 1) / 2;
  // The value at n + p/L takes x[n + k] with weight h(p/L - k); h is defined for |p - kL| <= half (in output
  // samples). Find the k range that covers every branch.
  let kMin = Infinity;
  let kMax = -Infinity;
  for (let p = 1; p < factor; p++) {
    for (let k = -FILTER_TAPS; k <= FILTER_TAPS; k++) {
      if (Math.abs(p - k * factor) <= half) {
        kMin = Math.min(kMin, k);
        kMax = Math.max(kMax, k);
      }
    }
  }
  const taps = factor > 1 ? kMax - kMin + 1 : 0;
  const coefficients: Float64Array[] = [new Float64Array(0)];
  for (let p = 1; p < factor; p++) {
    const c = new Float64Array(taps);
    for (let k = kMin; k <= kMax; k++) {
      const m = p - k * factor; // distance in output samples from the tap to the centre
      if (Math.abs(m) > half) continue;
      const j = m + half;
      const arg = (Math.PI * m) / factor;
      const sinc = m === 0 ? 1 : Math.sin(arg) / arg;
      const window = 0.5 * (1 - Math.cos((2 * Math.PI * j) / (FILTER_TAPS - 1)));
      c[k - kMin] = sinc * window;
    }
    coefficients.push(c);
  }
  return { factor, firstOffset: factor > 1 ? kMin : 0, tapsPerPhase: taps, coefficients };
}

/**
 * The screen that rules most inter-sample values out before they are computed (this meter's and the limiter's): per
 * phase, the 4 taps nearest the point (on x[n-1] .. x[n+2]) give a core, and |value| <= |core| + tail·(max |x| over the
 * filter's span).
 */
export interface InterSampleScreen {
  /** Index, in each phase's coefficients, of the tap on x[n - 1]. */
  centralStart: number;
  /** The 4 central taps of phases 1 to factor-1, phase after phase. */
  centralTaps: Float64Array;
  /** tailL1[p]: sum of |h| of phase p outside its central taps (index 0 unused). */
  tailL1: number[];
  /** The largest sum of |h| over the phases: |value| <= l1Max · max |x| over the span. */
  l1Max: number;
}

const screens = new WeakMap<TruePeakInterpolator, InterSampleScreen>();

export function interSampleScreen(interp: TruePeakInterpolator): InterSampleScreen {
  const known = screens.get(interp);
  if (known) return known;
  // Float rounding of the bounds must never make them undercut a value they should cover.
  const slack = 1 + 1e-9;
  // Central taps are the ones nearest the interpolated point: offsets -1..+2 relative to n for a 4-tap core.
  const centralStart = -CENTRAL_TAPS_EACH_SIDE + 1 - interp.firstOffset;
  const centralCount = 2 * CENTRAL_TAPS_EACH_SIDE;
  const centralTaps = new Float64Array(centralCount * Math.max(0, interp.factor - 1));
  const tailL1 = [0];
  let l1Max = 0;
  for (let p = 1; p < interp.factor; p++) {
    const c = interp.coefficients[p];
    let l1 = 0;
    let tail = 0;
    for (let j = 0; j < interp.tapsPerPhase; j++) {
      const a = Math.abs(c[j]);
      l1 += a;
      if (j < centralStart || j >= centralStart + centralCount) tail += a;
    }
    l1Max = Math.max(l1Max, l1);
    tailL1.push(tail * slack);
    centralTaps.set(c.subarray(centralStart, centralStart + centralCount), centralCount * (p - 1));
  }
  const screen = { centralStart, centralTaps, tailL1, l1Max: l1Max * slack };
  screens.set(interp, screen);
  return screen;
}

/** Interpolated value at n + p/L; x outside [0, length) reads as zero. Shared by the fast and the reference path. */
export function interpolateAt(x: Float32Array, n: number, coefficients: Float64Array, firstOffset: number): number {
  const base = n + firstOffset;
  const taps = coefficients.length;
  let sum = 0;
  if (base >= 0 && base + taps <= x.length) {
    for (let j = 0; j < taps; j++) sum += coefficients[j] * x[base + j];
  } else {
    for (let j = 0; j < taps; j++) {
      const i = base + j;
      if (i >= 0 && i < x.length) sum += coefficients[j] * x[i];
    }
  }
  return sum;
}

/**
 * The pruned search over one channel, resumable: `scanBlocks` takes block ranges in order, from a whole signal or from
 * a sliding window of a stream (sample `i - base` of `x` is frame i). The running maximum starts from whatever sample
 * peak the caller knows so far; a lower start only prunes less, so the result is the same however the signal is cut.
 */
export class TruePeakChannelSearch {
  /** Running true peak (linear), never below the sample peak handed in. */
  peak = 0;
  overCount = 0;
  private readonly L: number;
  private readonly coefficients: Float64Array[];
  private readonly firstOffset: number;
  private readonly tapsPerPhase: number;
  private readonly l1Max: number;
  private readonly tailL1: number[];
  private readonly centralStart: number;
  /** Frames a block's interpolation reaches into its neighbours on either side. */
  readonly reach: number;
  private threshold = 0;
  private local = 0;
  private readonly limits: Float64Array;
  /** The 4 central taps of phases 1-3 (the x4 screen's hot loop). */
  private readonly centralX4: Float64Array;

  constructor(
    private readonly channel: number,
    private readonly sampleRate: number,
    interp: TruePeakInterpolator,
    private readonly overThreshold: number,
    private readonly overs: InterSampleOver[],
    private readonly maxOvers: number,
  ) {
    this.L = interp.factor;
    this.coefficients = interp.coefficients;
    this.firstOffset = interp.firstOffset;
    this.tapsPerPhase = interp.tapsPerPhase;
    const screen = interSampleScreen(interp);
    this.centralStart = screen.centralStart;
    this.tailL1 = screen.tailL1;
    this.l1Max = screen.l1Max;
    // Blocks reach this many samples into their neighbours; BLOCK is larger than the filter's half-span.
    this.reach = this.L > 1 ? Math.max(-this.firstOffset, this.tapsPerPhase + this.firstOffset) : 0;
    if (this.reach > BLOCK) throw new Error('true-peak block smaller than the interpolator span');
    this.limits = new Float64Array(this.L);
    this.centralX4 = this.L === 4 ? screen.centralTaps : new Float64Array(12);
  }

  /** Per-phase screening limit for |core|: the value can only matter if |core| + tail * local exceeds the smaller of
   * the running peak and the over threshold. */
  private setLimits(): void {
    const slack = 1 + 1e-9;
    for (let p = 1; p < this.L; p++) this.limits[p] = (this.threshold - this.tailL1[p] * this.local) / slack;
  }

  /**
   * Blocks [bFrom, bTo) of BLOCK frames. `blockMax` holds max(0, |x|) per block, valid through block bTo (the next
   * block bounds the last one's reach) unless `frames`, the signal's length, is given: that is the final call, and
   * blocks are clipped to it. `x` must hold frames [bFrom·BLOCK - reach, bTo·BLOCK + reach) that exist.
   * `samplePeak` is the largest |sample| known so far.
   */
  scanBlocks(x: Float32Array, base: number, bFrom: number, bTo: number, blockMax: Float32Array, samplePeak: number, frames?: number): void {
    if (samplePeak > this.peak) this.peak = samplePeak;
    const L = this.L;
    const final = frames !== undefined;
    const n = frames ?? Infinity;
    if (L === 1 || (final && n < 2)) return;
    const blockCount = final ? Math.ceil(n / BLOCK) : Infinity;
    const { firstOffset, tapsPerPhase, l1Max } = this;
    const last = n - 1; // inter-sample points lie between sample i and i+1 for i < last
    this.threshold = Math.min(this.peak, this.overThreshold);
    const coreOffset = firstOffset + this.centralStart; // x index of the first central tap relative to i
    const xLength = x.length;
    // The screen, the exact evaluation and the edge path are functions of their own: V8 optimizes each with the
    // feedback of its whole body. As one method (with the evaluation a closure), a compile entered in the screening
    // loop deoptimized at the first evaluation, and recompiling the whole cost ~70 ms per track.
    for (let b = bFrom; b < bTo; b++) {
      let local = blockMax[b];
      if (b > 0 && blockMax[b - 1] > local) local = blockMax[b - 1];
      if (b + 1 < blockCount && blockMax[b + 1] > local) local = blockMax[b + 1];
      if (l1Max * local <= this.threshold) continue;
      this.local = local;
      this.setLimits();
      const start = b * BLOCK;
      const end = Math.min(last, start + BLOCK);
      const s = start - base;
      const interior = s + firstOffset >= 0 && end - 1 - base + firstOffset + tapsPerPhase <= xLength;
      if (L === 4 && interior) {
        // Hot on loud masters: candidates are rare, and the limits only change when an evaluation raises the peak.
        for (let i = start; ; i++) {
          i = screenX4(x, i - base + coreOffset, i, end, this.centralX4, this.limits);
          if (i >= end) break;
          this.evaluate(x, base, i);
        }
      } else {
        this.scanEdge(x, base, start, end, coreOffset);
      }
    }
  }

  /** Any factor, any position (reads outside `x` as zero): the same screen, one central tap at a time. */
  private scanEdge(x: Float32Array, base: number, start: number, end: number, coreOffset: number): void {
    const { L, coefficients, limits } = this;
    const cs = this.centralStart;
    const centralCount = 2 * CENTRAL_TAPS_EACH_SIDE;
    const xLength = x.length;
    for (let i = start; i < end; i++) {
      const r = i - base + coreOffset;
      for (let p = 1; p < L; p++) {
        const c = coefficients[p];
        let core = 0;
        for (let j = 0; j < centralCount; j++) {
          const k = r + j;
          if (k >= 0 && k < xLength) core += c[cs + j] * x[k];
        }
        if (core > limits[p] || -core > limits[p]) {
          this.evaluate(x, base, i);
          break;
        }
      }
    }
  }

  /** Exact evaluation of every phase after frame i: the same arithmetic as a plain search. */
  private evaluate(x: Float32Array, base: number, i: number): void {
    const { L, coefficients, firstOffset, overThreshold } = this;
    const r = i - base;
    let bestAbs = 0;
    let bestPhase = 0;
    for (let p = 1; p < L; p++) {
      const y = interpolateAt(x, r, coefficients[p], firstOffset);
      const a = y < 0 ? -y : y;
      if (a > bestAbs) {
        bestAbs = a;
        bestPhase = p;
      }
    }
    if (bestAbs > this.peak) {
      this.peak = bestAbs;
      const t = Math.min(this.peak, overThreshold);
      if (t !== this.threshold) {
        this.threshold = t;
        this.setLimits();
      }
    }
    if (bestAbs > overThreshold) {
      const left = x[r] < 0 ? -x[r] : x[r];
      const right = x[r + 1] < 0 ? -x[r + 1] : x[r + 1];
      if (left <= overThreshold && right <= overThreshold) {
        this.overCount++;
        if (this.overs.length < this.maxOvers) {
          this.overs.push({ channel: this.channel, timeSeconds: (i + bestPhase / L) / this.sampleRate, levelDbtp: linearToDb(bestAbs) });
        }
      }
    }
  }
}

/**
 * The x4 screen from frame `from` (x[r0] is the first central tap of `from`): the first frame in [from, end) whose
 * central-tap estimate of any phase exceeds that phase's limit, or `end`. `k` holds the 4 central taps of phases 1-3.
 */
function screenX4(x: Float32Array, r0: number, from: number, end: number, k: Float64Array, limits: Float64Array): number {
  const k10 = k[0], k11 = k[1], k12 = k[2], k13 = k[3];
  const k20 = k[4], k21 = k[5], k22 = k[6], k23 = k[7];
  const k30 = k[8], k31 = k[9], k32 = k[10], k33 = k[11];
  const l1 = limits[1];
  const l2 = limits[2];
  const l3 = limits[3];
  let xa = x[r0];
  let xb = x[r0 + 1];
  let xc = x[r0 + 2];
  let xd = x[r0 + 3];
  for (let i = from, r = r0 + 4; i < end; i++, r++) {
    const e1 = k10 * xa + k11 * xb + k12 * xc + k13 * xd;
    const e2 = k20 * xa + k21 * xb + k22 * xc + k23 * xd;
    const e3 = k30 * xa + k31 * xb + k32 * xc + k33 * xd;
    if (e1 > l1 || -e1 > l1 || e2 > l2 || -e2 > l2 || e3 > l3 || -e3 > l3) return i;
    xa = xb;
    xb = xc;
    xc = xd;
    xd = x[r];
  }
  return end;
}

/** True peak of every channel, their maximum, and the positions of inter-sample overs. */
export function measureTruePeak(pcm: PcmAudio, options: TruePeakOptions = {}): TruePeakResult {
  return measurePeaks(pcm, options).truePeak;
}

/**
 * measureTruePeak and the sample peak (dBFS) from the same pass: the true-peak search reads every block's largest
 * |sample| first, and the sample peak is the largest of those. Block maxima are kept at float32, so for float64 samples
 * this is the peak of the samples rounded to float32 (rounding is monotonic), the peak a float32 output of them has.
 */
export function measurePeaks(pcm: PcmAudio, options: TruePeakOptions = {}): { truePeak: TruePeakResult; samplePeakDbfs: number } {
  const blockMaxima = pcm.channels.map((x, c) => {
    const precomputed = options.blockAbsMax?.[c];
    if (precomputed && precomputed.length !== Math.ceil(x.length / BLOCK)) throw new RangeError('blockAbsMax has the wrong length');
    return precomputed ?? blockAbsMaxOf(x);
  });
  const samplePeaks = blockMaxima.map((blockMax) => {
    let peak = 0;
    for (let b = 0; b < blockMax.length; b++) if (blockMax[b] > peak) peak = blockMax[b];
    return peak;
  });
  const meter = new TruePeakMeter(pcm.sampleRate, pcm.channels.length, options);
  const truePeak = meter.finish(pcm.channels, 0, pcm.channels[0]?.length ?? 0, (c) => blockMaxima[c], (c) => samplePeaks[c]);
  return { truePeak, samplePeakDbfs: linearToDb(samplePeaks.reduce((a, b) => Math.max(a, b), 0)) };
}

/**
 * The meter over all channels, fed as a stream behind a level scan that provides the per-block |x| maxima and the
 * sample peak so far (lib/audio/levelScan.ts): `advance` searches every block whose neighbours are known, `finish` the
 * rest. Sample `i - base` of each window channel is frame i. The result is measureTruePeak's, however the signal is cut.
 */
export class TruePeakMeter {
  private readonly searches: TruePeakChannelSearch[];
  /** Per channel, so which overs are listed (the first `maxOverPositions`, channel 0 first) does not depend on pieces. */
  private readonly overs: InterSampleOver[][];
  private readonly maxOvers: number;
  private readonly factor: number;
  /** Blocks searched so far. */
  private blocks = 0;

  constructor(sampleRate: number, channelCount: number, options: Pick<TruePeakOptions, 'overThreshold' | 'maxOverPositions'> = {}) {
    this.factor = oversamplingFactor(sampleRate);
    const interp = truePeakInterpolator(this.factor);
    this.maxOvers = options.maxOverPositions ?? 1000;
    this.overs = Array.from({ length: channelCount }, () => []);
    this.searches = Array.from({ length: channelCount }, (_, c) => new TruePeakChannelSearch(c, sampleRate, interp, options.overThreshold ?? 1, this.overs[c], this.maxOvers));
  }

  /** Frames before `scannedFrames` (a multiple of the block) have their block maxima. */
  advance(window: readonly Float32Array[], base: number, scannedFrames: number, blockAbsMax: (channel: number) => Float32Array, samplePeak: (channel: number) => number): void {
    // A block needs the next block's |x| maximum and its reach (≤ one block) of samples after it.
    const ready = Math.max(this.blocks, scannedFrames / BLOCK - 1);
    this.searches.forEach((search, c) => search.scanBlocks(window[c], base, this.blocks, ready, blockAbsMax(c), samplePeak(c)));
    this.blocks = ready;
  }

  /** Searches what is left of a signal of `frames` frames and returns the result. */
  finish(window: readonly Float32Array[], base: number, frames: number, blockAbsMax: (channel: number) => Float32Array, samplePeak: (channel: number) => number): TruePeakResult {
    const blocks = Math.ceil(frames / BLOCK);
    const linear = this.searches.map((search, c) => {
      search.scanBlocks(window[c], base, this.blocks, blocks, blockAbsMax(c), samplePeak(c), frames);
      return search.peak;
    });
    this.blocks = blocks;
    const max = linear.reduce((a, b) => Math.max(a, b), 0);
    return {
      truePeakDbtp: linearToDb(max),
      channelTruePeakDbtp: linear.map(linearToDb),
      truePeakLinear: max,
      channelTruePeakLinear: linear,
      oversampling: this.factor,
      interSampleOverCount: this.searches.reduce((sum, s) => sum + s.overCount, 0),
      interSampleOvers: this.overs.flat().slice(0, this.maxOvers),
    };
  }
}

function blockAbsMaxOf(x: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(Math.ceil(n / BLOCK));
  for (let b = 0; b < out.length; b++) {
    let m = 0;
    const end = Math.min(n, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < end; i++) m = Math.max(m, Math.abs(x[i]));
    out[b] = m;
  }
  return out;
}
