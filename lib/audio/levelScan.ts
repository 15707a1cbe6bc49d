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

/** Runs the fused scan. Mono and stereo inputs; more channels are refused (the analysis handles at most two). */
export function scanLevels(pcm: PcmAudio, options: LevelScanOptions = {}): LevelScanResult {
  const channelCount = pcm.channels.length;
  if (channelCount < 1 || channelCount > 2) throw new RangeError(`scanLevels handles 1 or 2 channels, got ${channelCount}`);
  const left = pcm.channels[0];
  const right = pcm.channels[1] ?? left;
  const n = left.length;
  if (right.length !== n) throw new RangeError('channels differ in length');
  const threshold = options.clipping?.threshold ?? 0.999;
  const minRun = options.clipping?.minRunSamples ?? 3;
  const maxRuns = options.clipping?.maxRuns ?? 1000;
  const sppList = [...new Set(options.peaksSamplesPerPixel ?? DEFAULT_SAMPLES_PER_PIXEL)].sort((a, b) => a - b);
  if (sppList.length === 0 || sppList.some((spp) => !Number.isInteger(spp) || spp < 1)) {
    throw new RangeError('samplesPerPixel must be positive integers');
  }
  const finestSpp = sppList[0];
  // The finest pixel is assembled from whole 16-frame blocks when it is a multiple of 16 (the default 256 is);
  // other sizes fall back to the plain scan in peaks.ts.
  const pixelBlocks = finestSpp % LEVEL_SCAN_BLOCK === 0 ? finestSpp / LEVEL_SCAN_BLOCK : PIXEL_BLOCKS_MAX;
  const windowFrames = Math.max(1, Math.round(options.stereoWindowFrames ?? pcm.sampleRate));
  const factor = Math.max(0, Math.floor(options.monoDecimation ?? 4));

  const blocks = Math.ceil(n / LEVEL_SCAN_BLOCK);
  const absL = new Float32Array(blocks);
  const absR = channelCount === 2 ? new Float32Array(blocks) : absL;
  const d2Blocks = Math.floor(n / SECOND_DIFFERENCE_BLOCK);
  const d2L = new Float32Array(d2Blocks);
  const d2R = channelCount === 2 ? new Float32Array(d2Blocks) : d2L;
  const pixels = pixelBlocks === PIXEL_BLOCKS_MAX ? 0 : Math.ceil(n / finestSpp);
  const pixL = new Float32Array(2 * pixels);
  const pixR = channelCount === 2 ? new Float32Array(2 * pixels) : pixL;
  const windows = Math.ceil(n / windowFrames);
  const wLR = new Float64Array(windows);
  const wLL = new Float64Array(windows);
  const wRR = new Float64Array(windows);
  const mono = new Float32Array(factor > 0 ? Math.floor(n / factor) : 0);

  const clip = [new ClipTracker(0, threshold, minRun, maxRuns, pcm.sampleRate), new ClipTracker(1, threshold, minRun, maxRuns, pcm.sampleRate)];
  // Two lean loops beat one wide one here: a loop carrying ~20 live doubles spills registers and ran at ~27 ns per
  // sample, while a per-channel loop plus a branch-free stereo loop together cost ~6 ns.
  const sums = (channelCount === 2 ? [left, right] : [left]).map((x, c) =>
    scanChannel(x, c === 0 ? absL : absR, c === 0 ? d2L : d2R, pixels > 0 ? (c === 0 ? pixL : pixR) : null, pixelBlocks),
  );
  scanStereo(left, right, windowFrames, wLR, wLL, wRR, mono, factor);

  let peakL = 0;
  let peakR = 0;
  let peakBlockL = 0;
  let peakBlockR = 0;
  for (let b = 0; b < blocks; b++) {
    if (absL[b] > peakL) {
      peakL = absL[b];
      peakBlockL = b;
    }
    if (absR[b] > peakR) {
      peakR = absR[b];
      peakBlockR = b;
    }
  }
  const sumL = sums[0];
  const sumR = sums[1] ?? 0;
  for (let c = 0; c < channelCount; c++) {
    const x = c === 0 ? left : right;
    const abs = c === 0 ? absL : absR;
    const tracker = clip[c];
    for (let b = 0; b < blocks; b++) {
      const s = b * LEVEL_SCAN_BLOCK;
      // Clipping: only blocks with a sample on a rail (|x| >= threshold) need the per-sample run logic.
      if (abs[b] >= threshold) tracker.scan(x, s, Math.min(n, s + LEVEL_SCAN_BLOCK));
      else tracker.quiet(s);
    }
    tracker.quiet(n);
  }
  // The loop's second difference starts from zero history; the click detector's starts at n = 2. Redo block 0.
  if (d2Blocks > 0) {
    for (const [x, out] of channelCount === 2 ? [[left, d2L], [right, d2R]] as const : [[left, d2L]] as const) {
      let max = 0;
      for (let i = 2; i < SECOND_DIFFERENCE_BLOCK; i++) {
        const d = x[i] - 2 * x[i - 1] + x[i - 2];
        const a = d < 0 ? -d : d;
        if (a > max) max = a;
      }
      out[0] = max;
    }
  }

  const channels = channelCount === 2 ? [left, right] : [left];
  const peaksLinear = channelCount === 2 ? [peakL, peakR] : [peakL];
  const peakBlocks = channelCount === 2 ? [peakBlockL, peakBlockR] : [peakBlockL];
  const peakFrames = channels.map((x, c) => {
    const value = peaksLinear[c];
    const start = peakBlocks[c] * LEVEL_SCAN_BLOCK;
    for (let i = start; i < Math.min(n, start + LEVEL_SCAN_BLOCK); i++) if (Math.abs(x[i]) === value) return i;
    return 0;
  });
  const toDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);
  const samplePeak: SamplePeakResult = {
    samplePeakDbfs: toDb(Math.max(0, ...peaksLinear)),
    channelSamplePeakDbfs: peaksLinear.map(toDb),
    channelSamplePeakLinear: peaksLinear,
    channelPeakFrame: peakFrames,
  };
  const means = (channelCount === 2 ? [sumL, sumR] : [sumL]).map((sum) => (n ? sum / n : 0));
  const meanDbs = means.map((v) => (v !== 0 ? 20 * Math.log10(Math.abs(v)) : -Infinity));
  const dcOffset: DcOffsetResult = { channelMean: means, channelMeanDbfs: meanDbs, maxDbfs: Math.max(-Infinity, ...meanDbs) };

  const runs: ClippingRun[] = [];
  let runCount = 0;
  let clippedSamples = 0;
  for (const tracker of clip.slice(0, channelCount)) {
    for (const run of tracker.runs) if (runs.length < maxRuns) runs.push(run);
    runCount += tracker.runCount;
    clippedSamples += tracker.clippedSamples;
  }
  const clipping: ClippingResult = { runCount, clippedSamples, runs, threshold, minRunSamples: minRun };

  const finest: PeakLevel | undefined = pixels > 0 ? { samplesPerPixel: finestSpp, length: pixels, channels: channelCount === 2 ? [pixL, pixR] : [pixL] } : undefined;
  const peaks = peaksFromFinestLevel(pcm, sppList, finest);

  return {
    samplePeak,
    dcOffset,
    clipping,
    peaks,
    blockAbsMax: channelCount === 2 ? [absL, absR] : [absL],
    secondDifferenceMax: channelCount === 2 ? [d2L, d2R] : [d2L],
    stereo: { lr: wLR, ll: wLL, rr: wRR, windowFrames },
    mono,
    monoDecimationFactor: factor,
  };
}

/**
 * Per 16-frame block max(0, |x|); per pixel of `pixelBlocks` blocks the min and max (clamped to ±1), folded here so no
 * per-block min/max arrays are kept; per 256-frame block the second-difference maximum (from n = 0 with zero history;
 * the caller redoes block 0). Returns the float64 sum for the DC offset.
 */
function scanChannel(x: Float32Array, blockAbs: Float32Array, d2: Float32Array, pix: Float32Array | null, pixelBlocks: number): number {
  const n = x.length;
  const blocks = blockAbs.length;
  const perD2 = SECOND_DIFFERENCE_BLOCK / LEVEL_SCAN_BLOCK;
  let sum = 0;
  let x1 = 0;
  let x2 = 0;
  let dMax = 0;
  let pixMin = Infinity;
  let pixMax = -Infinity;
  let pixBlock = 0;
  let pixel = 0;
  for (let b = 0; b < blocks; b++) {
    const s = b * LEVEL_SCAN_BLOCK;
    const e = Math.min(n, s + LEVEL_SCAN_BLOCK);
    let min = Infinity;
    let max = -Infinity;
    let blockSum = 0;
    for (let i = s; i < e; i++) {
      const v = x[i];
      if (v < min) min = v;
      if (v > max) max = v;
      blockSum += v;
      const a = Math.abs(v - 2 * x1 + x2);
      x2 = x1;
      x1 = v;
      if (a > dMax) dMax = a;
    }
    sum += blockSum;
    blockAbs[b] = Math.max(0, max, -min);
    if ((b + 1) % perD2 === 0) {
      const k = (b + 1) / perD2 - 1;
      if (k < d2.length) d2[k] = dMax;
      dMax = 0;
    }
    if (pix) {
      if (min < pixMin) pixMin = min;
      if (max > pixMax) pixMax = max;
      if (++pixBlock === pixelBlocks || b === blocks - 1) {
        pix[2 * pixel] = clampUnit(pixMin);
        pix[2 * pixel + 1] = clampUnit(pixMax);
        pixel++;
        pixBlock = 0;
        pixMin = Infinity;
        pixMax = -Infinity;
      }
    }
  }
  return sum;
}

/** Σ L·R, Σ L², Σ R² per window (exact per window, so silence sums to 0) and the boxcar mono copy. */
function scanStereo(left: Float32Array, right: Float32Array, windowFrames: number, wLR: Float64Array, wLL: Float64Array, wRR: Float64Array, mono: Float32Array, factor: number): void {
  const n = left.length;
  for (let w = 0; w < wLR.length; w++) {
    let lr = 0;
    let ll = 0;
    let rr = 0;
    const end = Math.min(n, (w + 1) * windowFrames);
    for (let i = w * windowFrames; i < end; i++) {
      const l = left[i];
      const r = right[i];
      lr += l * r;
      ll += l * l;
      rr += r * r;
    }
    wLR[w] = lr;
    wLL[w] = ll;
    wRR[w] = rr;
  }
  if (factor === 0) return;
  const scale = 0.5 / factor;
  for (let o = 0, i = 0; o < mono.length; o++) {
    let acc = 0;
    for (const end = i + factor; i < end; i++) acc += left[i] + right[i];
    mono[o] = acc * scale;
  }
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

  /** A stretch starting at `start` with no sample on a rail: an open run ends there. */
  quiet(start: number): void {
    if (this.runStart >= 0) this.close(start);
  }

  scan(x: Float32Array, start: number, end: number): void {
    const t = this.threshold;
    for (let i = start; i < end; i++) {
      const v = x[i];
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
