/**
 * Every level statistic the analysis needs from one lean loop per channel plus one stereo loop: sample peak, DC offset,
 * clipping runs, the finest waveform-peaks level, per-16-sample absolute maxima (the true-peak search's block screen),
 * per-256-sample second-difference maxima (the click detector's first stage), L/R energy and cross terms per window
 * (stereo), and a boxcar-decimated mono copy. Each was its own pass over the samples before (seven passes, plus the
 * true-peak and click searches' own screens); the per-channel loop keeps 16-frame min/max so clipping, peaks and
 * sample peak are then read from blocks, not samples.
 *
 * The individual meters (samplePeak.ts, dcOffset.ts, clipping.ts, peaks.ts) stay the reference implementations; this
 * scan gives the same results (bit-identical except DC, whose float64 sum is grouped differently: ~1e-16 relative).
 */
import type { ClippingOptions, ClippingResult, ClippingRun } from './clipping';
import type { DcOffsetResult } from './dcOffset';
import { DEFAULT_SAMPLES_PER_PIXEL, peaksFromFinestLevel, type PeakLevel, type WaveformPeaks } from './peaks';
import type { SamplePeakResult } from './samplePeak';
import { KERNEL_PIECE_FRAMES, levelKernel, type LevelKernel } from './simd/levelKernel';
import type { PcmAudio } from './types';

/** Frames per block of the absolute-maximum screen (the true-peak search's block size). */
export const LEVEL_SCAN_BLOCK = 16;
/** Frames per block of the second-difference maxima (the click detector's first stage). */
export const SECOND_DIFFERENCE_BLOCK = 256;

export interface LevelScanOptions {
  clipping?: ClippingOptions;
  peaksSamplesPerPixel?: readonly number[];
  /** Window of the stereo energy sums, in frames. Default: one second. */
  stereoWindowFrames?: number;
  /** Boxcar decimation factor of the mono copy ((L+R)/2 averaged over this many frames). Default 4; 0 = none. */
  monoDecimation?: number;
  /** Scalar code only, without the SIMD kernel (the tests compare the two). */
  scalar?: boolean;
}

export interface StereoWindowSums {
  /** Σ L·R, Σ L², Σ R² per window (float64); the last window may be partial. */
  lr: Float64Array;
  ll: Float64Array;
  rr: Float64Array;
  windowFrames: number;
}

export interface LevelScanResult {
  samplePeak: SamplePeakResult;
  dcOffset: DcOffsetResult;
  clipping: ClippingResult;
  peaks: WaveformPeaks;
  /** Per channel: max(0, |x|) over each LEVEL_SCAN_BLOCK frames (ceil(frames / 16) entries). */
  blockAbsMax: Float32Array[];
  /** Per channel: max |x[n] - 2x[n-1] + x[n-2]| (n >= 2) over each full SECOND_DIFFERENCE_BLOCK frames. */
  secondDifferenceMax: Float32Array[];
  /** Present for two channels (for one, L = R). */
  stereo: StereoWindowSums;
  /** (L+R)/2 boxcar-decimated; sample rate = sampleRate / monoDecimationFactor. */
  mono: Float32Array;
  monoDecimationFactor: number;
}

const PIXEL_BLOCKS_MAX = 1 << 30;

/** Runs the fused scan over a whole signal. Mono and stereo inputs; more channels are refused (the analysis handles at most two). */
export function scanLevels(pcm: PcmAudio, options: LevelScanOptions = {}): LevelScanResult {
  const channelCount = pcm.channels.length;
  if (channelCount < 1 || channelCount > 2) throw new RangeError(`scanLevels handles 1 or 2 channels, got ${channelCount}`);
  const n = pcm.channels[0].length;
  if (pcm.channels.some((c) => c.length !== n)) throw new RangeError('channels differ in length');
  const scanner = new LevelScanner(pcm.sampleRate, channelCount, { ...options, expectedFrames: n });
  return scanner.finish(pcm.channels, 0, n, pcm);
}

/** Grows a typed array to at least `needed` entries (by half again), keeping its first `used` entries. */
function ensureLength<T extends Float32Array | Float64Array>(array: T, needed: number, used: number): T {
  if (needed <= array.length) return array;
  const grown = new (array.constructor as new (length: number) => T)(Math.max(needed, Math.ceil(array.length * 1.5) + 1024));
  grown.set(array.subarray(0, used));
  return grown;
}

/**
 * The fused scan, fed in pieces: `scan(channels, base, to)` reads frames [scannedFrames, to) where channel sample
 * `i - base` is frame i, so a caller can hand over a sliding window of a stream as well as a whole decoded track. `to`
 * must be a multiple of LEVEL_SCAN_BLOCK until `finish`. Results are identical however the signal is cut.
 *
 * `expectedFrames` sizes the outputs (a wrong guess only costs a reallocation).
 */
export class LevelScanner {
  readonly channelCount: number;
  private readonly threshold: number;
  private readonly maxRuns: number;
  private readonly minRun: number;
  private readonly sppList: number[];
  private readonly finestSpp: number;
  private readonly pixelBlocks: number;
  private readonly windowFrames: number;
  private readonly factor: number;
  private readonly kernel: LevelKernel | null;
  /** Where blockStatistics writes, in the kernel's layout. */
  private readonly scalarStatistics = { extremes: new Float32Array(4 * (KERNEL_PIECE_FRAMES / LEVEL_SCAN_BLOCK)), sums: new Float64Array(7 * (KERNEL_PIECE_FRAMES / LEVEL_SCAN_BLOCK)) };
  private readonly clip: ClipTracker[];
  /** Frames scanned so far. */
  scannedFrames = 0;
  private abs: Float32Array[];
  private d2: Float32Array[];
  private pix: Float32Array[];
  private wLR: Float64Array;
  private wLL: Float64Array;
  private wRR: Float64Array;
  private mono: Float32Array;
  private readonly state: ChannelState[];
  private lr = 0;
  private ll = 0;
  private rr = 0;
  private monoAcc = 0;
  private monoCount = 0;
  private monoLength = 0;
  /** Frames the mono decimation has taken in (the kernel may run ahead of scanTo's own pass). */
  private monoFrames = 0;
  private readonly peak: { value: number; frame: number }[];

  constructor(
    readonly sampleRate: number,
    channelCount: number,
    options: LevelScanOptions & { expectedFrames?: number } = {},
  ) {
    if (channelCount < 1 || channelCount > 2) throw new RangeError(`LevelScanner handles 1 or 2 channels, got ${channelCount}`);
    this.channelCount = channelCount;
    this.threshold = options.clipping?.threshold ?? 0.999;
    this.minRun = options.clipping?.minRunSamples ?? 3;
    this.maxRuns = options.clipping?.maxRuns ?? 1000;
    this.sppList = [...new Set(options.peaksSamplesPerPixel ?? DEFAULT_SAMPLES_PER_PIXEL)].sort((a, b) => a - b);
    if (this.sppList.length === 0 || this.sppList.some((spp) => !Number.isInteger(spp) || spp < 1)) {
      throw new RangeError('samplesPerPixel must be positive integers');
    }
    this.finestSpp = this.sppList[0];
    // The finest pixel is assembled from whole 16-frame blocks when it is a multiple of 16 (the default 256 is);
    // other sizes fall back to the plain scan in peaks.ts, which needs the whole signal.
    this.pixelBlocks = this.finestSpp % LEVEL_SCAN_BLOCK === 0 ? this.finestSpp / LEVEL_SCAN_BLOCK : PIXEL_BLOCKS_MAX;
    this.windowFrames = Math.max(1, Math.round(options.stereoWindowFrames ?? sampleRate));
    this.factor = Math.max(0, Math.floor(options.monoDecimation ?? 4));
    this.kernel = options.scalar ? null : levelKernel();
    const expected = Math.max(0, Math.floor(options.expectedFrames ?? sampleRate * 60));
    const blocks = Math.ceil(expected / LEVEL_SCAN_BLOCK);
    const perChannel = <T,>(make: () => T) => Array.from({ length: channelCount }, make);
    this.abs = perChannel(() => new Float32Array(blocks));
    this.d2 = perChannel(() => new Float32Array(Math.floor(expected / SECOND_DIFFERENCE_BLOCK)));
    const pixels = this.pixelBlocks === PIXEL_BLOCKS_MAX ? 0 : Math.ceil(expected / this.finestSpp);
    this.pix = perChannel(() => new Float32Array(2 * pixels));
    const windows = Math.ceil(expected / this.windowFrames);
    this.wLR = new Float64Array(windows);
    this.wLL = new Float64Array(windows);
    this.wRR = new Float64Array(windows);
    this.mono = new Float32Array(this.factor > 0 ? Math.floor(expected / this.factor) : 0);
    this.clip = Array.from({ length: channelCount }, (_, c) => new ClipTracker(c, this.threshold, this.minRun, this.maxRuns, sampleRate));
    this.state = perChannel(() => ({ sum: 0, x1: 0, x2: 0, dMax: 0, pixMin: Infinity, pixMax: -Infinity, pixBlock: 0, pixel: 0 }));
    this.peak = perChannel(() => ({ value: 0, frame: 0 }));
  }

  /** Per channel: the block |x| maxima so far (LEVEL_SCAN_BLOCK frames each; valid up to scannedFrames / 16). */
  blockAbsMax(channel: number): Float32Array {
    return this.abs[channel];
  }

  /** Per channel: second-difference maxima of the full SECOND_DIFFERENCE_BLOCK blocks scanned so far. */
  secondDifferenceMax(channel: number): Float32Array {
    return this.d2[channel];
  }

  /** The running sample peak (linear) of one channel. */
  channelSamplePeak(channel: number): number {
    return this.peak[channel].value;
  }

  /** Scans frames [scannedFrames, to); `to` a multiple of LEVEL_SCAN_BLOCK. */
  scan(channels: readonly Float32Array[], base: number, to: number): void {
    if (to % LEVEL_SCAN_BLOCK !== 0) throw new RangeError('LevelScanner.scan: the end must be a multiple of 16 frames (use finish for the rest)');
    this.scanTo(channels, base, to);
  }

  /** Scans what is left up to `frames` (the signal's length) and returns the results. `wholePcm` (the whole signal,
   * when the caller has it) lets waveform zoom levels that are not multiples of 16 frames be scanned from samples. */
  finish(channels: readonly Float32Array[], base: number, frames: number, wholePcm?: PcmAudio): LevelScanResult {
    this.scanTo(channels, base, frames);
    const n = frames;
    // The last pixel, when the signal ends inside it.
    if (this.pixelBlocks !== PIXEL_BLOCKS_MAX) {
      this.state.forEach((st, c) => {
        if (st.pixBlock === 0) return;
        this.pix[c] = ensureLength(this.pix[c], 2 * (st.pixel + 1), 2 * st.pixel);
        this.pix[c][2 * st.pixel] = clampUnit(st.pixMin);
        this.pix[c][2 * st.pixel + 1] = clampUnit(st.pixMax);
        st.pixel++;
        st.pixBlock = 0;
      });
    }
    const blocks = Math.ceil(n / LEVEL_SCAN_BLOCK);
    const d2Blocks = Math.floor(n / SECOND_DIFFERENCE_BLOCK);
    const pixels = this.pixelBlocks === PIXEL_BLOCKS_MAX ? 0 : Math.ceil(n / this.finestSpp);
    const windows = Math.ceil(n / this.windowFrames);
    const c2 = this.channelCount;
    // Trim the outputs to the real length (copying only when the slack is noticeable).
    const trim = <T extends Float32Array | Float64Array>(a: T, length: number): T => (a.length - length > (length >> 5) + 16 ? (a.slice(0, length) as T) : (a.subarray(0, length) as T));
    this.abs = this.abs.map((a) => trim(a, blocks));
    this.d2 = this.d2.map((a) => trim(a, d2Blocks));
    this.pix = this.pix.map((a) => trim(a, 2 * pixels));
    const stereo: StereoWindowSums = { lr: trim(this.wLR, windows), ll: trim(this.wLL, windows), rr: trim(this.wRR, windows), windowFrames: this.windowFrames };
    const mono = trim(this.mono, this.monoLength);

    const peaksLinear = this.peak.map((p) => p.value);
    const toDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);
    const samplePeak: SamplePeakResult = {
      samplePeakDbfs: toDb(Math.max(0, ...peaksLinear)),
      channelSamplePeakDbfs: peaksLinear.map(toDb),
      channelSamplePeakLinear: peaksLinear,
      channelPeakFrame: this.peak.map((p) => p.frame),
    };
    const means = this.state.map((s) => (n ? s.sum / n : 0));
    const meanDbs = means.map((v) => (v !== 0 ? 20 * Math.log10(Math.abs(v)) : -Infinity));
    const dcOffset: DcOffsetResult = { channelMean: means, channelMeanDbfs: meanDbs, maxDbfs: Math.max(-Infinity, ...meanDbs) };

    const runs: ClippingRun[] = [];
    let runCount = 0;
    let clippedSamples = 0;
    for (const tracker of this.clip) {
      tracker.quiet(n);
      for (const run of tracker.runs) if (runs.length < this.maxRuns) runs.push(run);
      runCount += tracker.runCount;
      clippedSamples += tracker.clippedSamples;
    }
    const clipping: ClippingResult = { runCount, clippedSamples, runs, threshold: this.threshold, minRunSamples: this.minRun };

    const finest: PeakLevel | undefined = pixels > 0 ? { samplesPerPixel: this.finestSpp, length: pixels, channels: this.pix.slice(0, c2) } : undefined;
    const needsSamples = !finest || this.sppList.some((spp, i) => i > 0 && spp % this.sppList[i - 1] !== 0);
    if (needsSamples && !wholePcm) throw new RangeError('waveform zoom levels that are not multiples of 16 frames (and of each other) need the whole signal');
    const peaks = peaksFromFinestLevel(wholePcm ?? { sampleRate: this.sampleRate, channels: [] }, this.sppList, finest, n);

    return {
      samplePeak,
      dcOffset,
      clipping,
      peaks,
      blockAbsMax: this.abs.slice(0, c2),
      secondDifferenceMax: this.d2.slice(0, c2),
      stereo,
      mono,
      monoDecimationFactor: this.factor,
    };
  }

  private scanTo(channels: readonly Float32Array[], base: number, to: number): void {
    const from = this.scannedFrames;
    if (to < from) throw new RangeError('LevelScanner: frames already scanned');
    if (channels.length !== this.channelCount) throw new RangeError(`expected ${this.channelCount} channels, got ${channels.length}`);
    if (to === from) return;
    if (from < base || to - base > channels[0].length) throw new RangeError('LevelScanner: the frames to scan are not in the window');
    const bFrom = from / LEVEL_SCAN_BLOCK;
    const bTo = Math.ceil(to / LEVEL_SCAN_BLOCK);
    for (let c = 0; c < this.channelCount; c++) {
      this.abs[c] = ensureLength(this.abs[c], bTo, bFrom);
      this.d2[c] = ensureLength(this.d2[c], Math.floor(to / SECOND_DIFFERENCE_BLOCK), Math.floor(from / SECOND_DIFFERENCE_BLOCK));
      if (this.pixelBlocks !== PIXEL_BLOCKS_MAX) this.pix[c] = ensureLength(this.pix[c], 2 * Math.ceil(to / this.finestSpp), 2 * this.state[c].pixel);
    }
    if (this.factor > 0) this.mono = ensureLength(this.mono, Math.floor(to / this.factor), this.monoLength);
    const windowFrames = this.windowFrames;
    this.wLR = ensureLength(this.wLR, Math.ceil(to / windowFrames), Math.floor(from / windowFrames));
    this.wLL = ensureLength(this.wLL, Math.ceil(to / windowFrames), Math.floor(from / windowFrames));
    this.wRR = ensureLength(this.wRR, Math.ceil(to / windowFrames), Math.floor(from / windowFrames));
    const left = channels[0];
    const right = channels[1] ?? channels[0];
    // Pieces of whole blocks, then the end of a signal that stops inside a block on its own.
    const wholeTo = to - (to % LEVEL_SCAN_BLOCK);
    for (let at = from; at < wholeTo; at += KERNEL_PIECE_FRAMES) this.scanPiece(channels, base, at, Math.min(wholeTo, at + KERNEL_PIECE_FRAMES));
    if (wholeTo < to) this.scanPiece(channels, base, Math.max(from, wholeTo), to);
    for (let c = 0; c < this.channelCount; c++) {
      const x = channels[c];
      // The loop's second difference starts from zero history; the click detector's starts at n = 2. Redo block 0.
      if (from < SECOND_DIFFERENCE_BLOCK && to >= SECOND_DIFFERENCE_BLOCK) {
        let max = 0;
        for (let i = 2; i < SECOND_DIFFERENCE_BLOCK; i++) {
          const d = x[i - base] - 2 * x[i - 1 - base] + x[i - 2 - base];
          const a = d < 0 ? -d : d;
          if (a > max) max = a;
        }
        this.d2[c][0] = max;
      }
      const abs = this.abs[c];
      const tracker = this.clip[c];
      const peak = this.peak[c];
      const threshold = this.threshold;
      for (let b = bFrom; b < bTo; b++) {
        const value = abs[b];
        // Most blocks: below the rails, no run open, not a new peak.
        if (value < threshold && !tracker.open && value <= peak.value && b !== 0) continue;
        const s = b * LEVEL_SCAN_BLOCK;
        const e = Math.min(to, s + LEVEL_SCAN_BLOCK);
        // Clipping: only blocks with a sample on a rail (|x| >= threshold) need the per-sample run logic.
        if (value >= threshold) tracker.scan(x, s, e, base);
        else tracker.quiet(s);
        // Sample peak: the first block holding the maximum, and the first sample in it with that value.
        if (value > peak.value || b === 0) {
          peak.value = value;
          peak.frame = 0;
          for (let i = s; i < e; i++) {
            if (Math.abs(x[i - base]) === value) {
              peak.frame = i;
              break;
            }
          }
        }
      }
    }
    this.decimateMono(left, right, base, to);
    this.scannedFrames = to;
  }

  /**
   * Frames [at, end) (at most KERNEL_PIECE_FRAMES; only the signal's end stops inside a block): per-block statistics
   * from the SIMD kernel (whole blocks), or from blockStatistics, the same figures computed one sample at a time; then
   * what carries across blocks, folded in block order.
   */
  private scanPiece(channels: readonly Float32Array[], base: number, at: number, end: number): void {
    const frames = end - at;
    const blocks = Math.ceil(frames / LEVEL_SCAN_BLOCK);
    const left = channels[0];
    const right = channels[1] ?? channels[0];
    const stateRight = this.state[1] ?? this.state[0];
    const kernel = frames % LEVEL_SCAN_BLOCK === 0 ? this.kernel : null;
    let stats: { extremes: Float32Array; sums: Float64Array };
    if (kernel) {
      kernel.left[0] = this.state[0].x2;
      kernel.left[1] = this.state[0].x1;
      kernel.left.set(left.subarray(at - base, end - base), 2);
      kernel.right[0] = stateRight.x2;
      kernel.right[1] = stateRight.x1;
      kernel.right.set(right.subarray(at - base, end - base), 2);
      kernel.scan(blocks);
      stats = { extremes: kernel.blockExtremes, sums: kernel.blockSums };
      // The mono copy from the samples already in the kernel, when the piece starts a group (factor 4, the default).
      if (this.factor === 4 && this.monoCount === 0 && this.monoFrames === at) {
        const groups = frames / 4;
        kernel.decimate4(groups);
        this.mono.set(kernel.mono.subarray(0, groups), this.monoLength);
        this.monoLength += groups;
        this.monoFrames = end;
      }
    } else {
      stats = this.scalarStatistics;
      blockStatistics(left, right, base, at, end, this.state[0], stateRight, stats.extremes, stats.sums);
    }
    const first = at / LEVEL_SCAN_BLOCK;
    for (let c = 0; c < this.channelCount; c++) {
      const st = this.state[c];
      foldBlocks(stats.extremes, stats.sums, c, blocks, first, this.abs[c], this.d2[c], this.pixelBlocks !== PIXEL_BLOCKS_MAX ? this.pix[c] : null, this.pixelBlocks, st);
      const x = channels[c];
      st.x2 = frames >= 2 ? x[end - 2 - base] : st.x1;
      st.x1 = x[end - 1 - base];
    }
    this.stereoSums(left, right, base, at, end, stats.sums);
  }

  /**
   * Σ L·R, Σ L², Σ R² per window (exact per window, so silence sums to 0): whole blocks inside a window add their block
   * sums (`blockSums`, for the blocks from frame `from`); frames of a block that a window boundary or the signal's end
   * cuts are added one by one.
   */
  private stereoSums(left: Float32Array, right: Float32Array, base: number, from: number, to: number, blockSums: Float64Array): void {
    const windowFrames = this.windowFrames;
    for (let pos = from; pos < to; ) {
      const w = Math.floor(pos / windowFrames);
      const windowEnd = (w + 1) * windowFrames;
      const end = Math.min(to, windowEnd);
      let lr = this.lr;
      let ll = this.ll;
      let rr = this.rr;
      let i = pos;
      const firstWhole = Math.min(end, Math.ceil(i / LEVEL_SCAN_BLOCK) * LEVEL_SCAN_BLOCK);
      for (; i < firstWhole; i++) {
        const l = left[i - base];
        const r = right[i - base];
        lr += l * r;
        ll += l * l;
        rr += r * r;
      }
      for (; i + LEVEL_SCAN_BLOCK <= end; i += LEVEL_SCAN_BLOCK) {
        const j = 7 * ((i - from) / LEVEL_SCAN_BLOCK);
        lr += blockSums[j + 4];
        ll += blockSums[j + 5];
        rr += blockSums[j + 6];
      }
      for (let k = i - base, stop = end - base; k < stop; k++) {
        const l = left[k];
        const r = right[k];
        lr += l * r;
        ll += l * l;
        rr += r * r;
      }
      // Partial windows are stored as they stand (the last one stays partial) and finished by later pieces.
      this.wLR[w] = lr;
      this.wLL[w] = ll;
      this.wRR[w] = rr;
      if (end === windowEnd) {
        lr = 0;
        ll = 0;
        rr = 0;
      }
      this.lr = lr;
      this.ll = ll;
      this.rr = rr;
      pos = end;
    }
  }

  /** The boxcar-decimated mono copy. */
  private decimateMono(left: Float32Array, right: Float32Array, base: number, to: number): void {
    const factor = this.factor;
    if (factor === 0) return;
    const from = this.monoFrames;
    this.monoFrames = to;
    if (from >= to) return;
    const mono = this.mono;
    const scale = 0.5 / factor;
    let acc = this.monoAcc;
    let count = this.monoCount;
    let o = this.monoLength;
    let i = from - base;
    const stop = to - base;
    // Finish a group begun by the previous piece, then whole groups, then carry the start of the next one.
    if (count > 0) {
      for (; count < factor && i < stop; count++, i++) acc += left[i] + right[i];
      if (count === factor) {
        mono[o++] = acc * scale;
        acc = 0;
        count = 0;
      }
    }
    const groups = Math.max(0, Math.floor((stop - i) / factor));
    // The whole groups in a function of their own, so V8 optimizes that loop with its full feedback (compiled in the
    // middle of this method, it deoptimized at the tail loop whenever a piece ended mid-group).
    decimateGroups(left, right, i, groups, factor, scale, mono, o);
    i += groups * factor;
    o += groups;
    for (; i < stop; i++, count++) acc += left[i] + right[i];
    this.monoAcc = acc;
    this.monoCount = count;
    this.monoLength = o;
  }
}

/** mono[o + g] = scale · Σ (left + right) over group g of `factor` frames from `from`, for `groups` groups. */
function decimateGroups(left: Float32Array, right: Float32Array, from: number, groups: number, factor: number, scale: number, mono: Float32Array, o: number): void {
  for (let g = 0, i = from; g < groups; g++) {
    let a = 0;
    for (const end = i + factor; i < end; i++) a += left[i] + right[i];
    mono[o + g] = a * scale;
  }
}

interface ChannelState {
  sum: number;
  x1: number;
  x2: number;
  dMax: number;
  pixMin: number;
  pixMax: number;
  pixBlock: number;
  pixel: number;
}

/**
 * The kernel's per-block figures (simd/levelKernel.wat) one sample at a time, in its layout, for frames [at, end) (the
 * last block may be partial): per block min and max of each channel, the largest |second difference| (history from
 * the channel states: zero at the start; the caller redoes block 0 from n = 2) and the sum of each channel, and the
 * stereo products. The fallback where WebAssembly SIMD is missing, the tests' reference, and the signal's last partial
 * block.
 */
function blockStatistics(left: Float32Array, right: Float32Array, base: number, at: number, end: number, stateLeft: ChannelState, stateRight: ChannelState, extremes: Float32Array, sums: Float64Array): void {
  let xl1 = stateLeft.x1;
  let xl2 = stateLeft.x2;
  let xr1 = stateRight.x1;
  let xr2 = stateRight.x2;
  for (let s = at, j = 0; s < end; s += LEVEL_SCAN_BLOCK, j++) {
    const e = Math.min(end, s + LEVEL_SCAN_BLOCK);
    let minL = Infinity;
    let maxL = -Infinity;
    let minR = Infinity;
    let maxR = -Infinity;
    let dL = 0;
    let dR = 0;
    let sumL = 0;
    let sumR = 0;
    let lr = 0;
    let ll = 0;
    let rr = 0;
    for (let i = s - base; i < e - base; i++) {
      const l = left[i];
      const r = right[i];
      if (l < minL) minL = l;
      if (l > maxL) maxL = l;
      if (r < minR) minR = r;
      if (r > maxR) maxR = r;
      sumL += l;
      sumR += r;
      const al = Math.abs(l - 2 * xl1 + xl2);
      const ar = Math.abs(r - 2 * xr1 + xr2);
      if (al > dL) dL = al;
      if (ar > dR) dR = ar;
      xl2 = xl1;
      xl1 = l;
      xr2 = xr1;
      xr1 = r;
      lr += l * r;
      ll += l * l;
      rr += r * r;
    }
    extremes[4 * j] = minL;
    extremes[4 * j + 1] = maxL;
    extremes[4 * j + 2] = minR;
    extremes[4 * j + 3] = maxR;
    sums[7 * j] = dL;
    sums[7 * j + 1] = dR;
    sums[7 * j + 2] = sumL;
    sums[7 * j + 3] = sumR;
    sums[7 * j + 4] = lr;
    sums[7 * j + 5] = ll;
    sums[7 * j + 6] = rr;
  }
}

/**
 * The per-block figures of one channel (`c`) folded into the scan's outputs and state, block by block (a small
 * function of its own: V8 optimises it far better than the same loop inside the scanner's method).
 */
function foldBlocks(extremes: Float32Array, sums: Float64Array, c: number, blocks: number, first: number, blockAbs: Float32Array, d2: Float32Array, pix: Float32Array | null, pixelBlocks: number, st: ChannelState): void {
  const perD2 = SECOND_DIFFERENCE_BLOCK / LEVEL_SCAN_BLOCK;
  let sum = st.sum;
  let dMax = st.dMax;
  let pixMin = st.pixMin;
  let pixMax = st.pixMax;
  let pixBlock = st.pixBlock;
  let pixel = st.pixel;
  // Blocks into the current 256-frame second-difference block (a counter: a modulo per block costs a division).
  let inD2 = first % perD2;
  for (let j = 0, e = 2 * c, q = c; j < blocks; j++, e += 4, q += 7) {
    const min = extremes[e];
    const max = extremes[e + 1];
    const d = sums[q];
    sum += sums[q + 2];
    const a = max > -min ? max : -min;
    blockAbs[first + j] = a > 0 ? a : 0;
    if (d > dMax) dMax = d;
    if (++inD2 === perD2) {
      const k = (first + j + 1) / perD2 - 1;
      if (k < d2.length) d2[k] = dMax;
      dMax = 0;
      inD2 = 0;
    }
    if (pix) {
      if (min < pixMin) pixMin = min;
      if (max > pixMax) pixMax = max;
      if (++pixBlock === pixelBlocks) {
        pix[2 * pixel] = clampUnit(pixMin);
        pix[2 * pixel + 1] = clampUnit(pixMax);
        pixel++;
        pixBlock = 0;
        pixMin = Infinity;
        pixMax = -Infinity;
      }
    }
  }
  st.sum = sum;
  st.dMax = dMax;
  st.pixMin = pixMin;
  st.pixMax = pixMax;
  st.pixBlock = pixBlock;
  st.pixel = pixel;
}

/** The run logic of clipping.ts, resumable block by block. */
class ClipTracker {
  runs: ClippingRun[] = [];
  runCount = 0;
  clippedSamples = 0;
  private runStart = -1;
  private polarity: 1 | -1 = 1;

  constructor(
    private readonly channel: number,
    private readonly threshold: number,
    private readonly minRun: number,
    private readonly maxRuns: number,
    private readonly sampleRate: number,
  ) {}

  /** A run is open (its end not seen yet). */
  get open(): boolean {
    return this.runStart >= 0;
  }

  /** A stretch starting at `start` with no sample on a rail: an open run ends there. */
  quiet(start: number): void {
    if (this.runStart >= 0) this.close(start);
  }

  /** Frames [start, end); sample `i - base` of `x` is frame i. */
  scan(x: Float32Array, start: number, end: number, base = 0): void {
    const t = this.threshold;
    for (let i = start; i < end; i++) {
      const v = x[i - base];
      const p: 0 | 1 | -1 = v >= t ? 1 : v <= -t ? -1 : 0;
      if (this.runStart >= 0 && p !== this.polarity) this.close(i);
      if (p !== 0 && this.runStart < 0) {
        this.runStart = i;
        this.polarity = p;
      }
    }
  }

  private close(end: number): void {
    const length = end - this.runStart;
    if (length >= this.minRun) {
      this.runCount++;
      this.clippedSamples += length;
      if (this.runs.length < this.maxRuns) {
        this.runs.push({ channel: this.channel, startFrame: this.runStart, startSeconds: this.runStart / this.sampleRate, lengthSamples: length, polarity: this.polarity });
      }
    }
    this.runStart = -1;
  }
}

function clampUnit(value: number): number {
  return value > 1 ? 1 : value < -1 ? -1 : value;
}
