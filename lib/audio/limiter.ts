import { z } from 'zod';
import { GainReductionAccumulator, type GainReductionStats } from './gainReductionStats';
import { primerSignal } from './primerSignal';
import { SparseSlidingMinRuns, slidingMax, slidingMin, slidingMinSparse } from './slidingExtremum';
import { interSampleScreenKernel, type InterSampleScreenKernel } from './simd/interSampleScreenKernel';
import { limiterGainKernel, type LimiterGainKernel } from './simd/limiterGainKernel';
import { interSampleScreen, oversamplingFactor, truePeakInterpolator, type InterSampleScreen, type TruePeakInterpolator } from './truePeak';
import type { PcmAudio } from './types';
import { dbToGain, dbToGainFast, toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

/**
 * True-peak brickwall limiter, offline (the whole track is known, so "lookahead" costs no latency: the output stays
 * sample-aligned with the input).
 *
 * 1. Each sample gets the gain it needs so that neither it nor the inter-sample values up to the next sample
 *    (interpolated with the same polyphase filter as lib/audio/truePeak.ts) exceed the ceiling. Channels are linked.
 *    Most values are ruled out by a bound from the filter's 4 central taps, screened in WebAssembly SIMD where the
 *    engine has it (simd/interSampleScreenKernel.ts: ~4x faster than the scalar screen, the same result).
 * 2. A running minimum over [n - hold, n + lookahead] turns that into a target envelope. The hold (default 35 ms,
 *    longer than one period of 30 Hz) spans every half-cycle of sustained bass, so the envelope does not follow
 *    individual low-frequency cycles: no pumping, no added harmonic distortion.
 * 3. Release runs in dB with two stages: fast back to a slowly-moving floor (the recent average reduction), then slow.
 *    Short transients recover quickly; dense passages keep a steady gain instead of pumping. For stereo this per-frame
 *    recursion and the gain's application run in WebAssembly (simd/limiterGainKernel.ts: the same arithmetic in the
 *    same order, ~1.6x faster than V8's code for it).
 * 4. A moving average over the lookahead smooths the attack. Because every value averaged at n comes from a window
 *    that contains n, the smoothed gain can never exceed the gain sample n needs.
 * 5. The gain changes the inter-sample values slightly (the interpolator sees a gain ramp), so the output is measured
 *    again and any remaining over gets a short local dip; finally samples are clamped to the largest float32 at or
 *    below the ceiling (in practice this clamps nothing; it is the contract "no sample above the ceiling").
 */

export const limiterSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Drive into the limiter (the loudness push). */
  inputGainDb: z.number().min(-24).max(36).default(0),
  ceilingDbtp: z.number().min(-24).max(0).default(-1),
  lookaheadMs: z.number().min(0.5).max(10).default(3),
  holdMs: z.number().min(0).max(200).default(35),
  releaseMs: z.number().min(1).max(2000).default(60),
  /** Release of the slow stage, reached once limiting has gone on for longer than slowAttackMs. */
  slowReleaseMs: z.number().min(10).max(10000).default(900),
  slowAttackMs: z.number().min(1).max(5000).default(300),
});
export type LimiterSettings = z.infer<typeof limiterSettingsSchema>;
export type LimiterSettingsInput = z.input<typeof limiterSettingsSchema>;

export interface LimiterStats {
  gainReduction: GainReductionStats;
  /** Number of verification rounds that found inter-sample overs after the main gain was applied. */
  correctionPasses: number;
  /** Inter-sample overs corrected in those rounds. */
  correctedOvers: number;
  /** Samples the final safety clamp touched (expected 0). */
  clampedSamples: number;
}

/** Headroom the envelope aims below the ceiling, so the verification round rarely has anything to do. */
const DETECTION_MARGIN_DB = 0.05;
const BLOCK = 32;
const BLOCK_SHIFT = 5;
const DB_PER_NEPER = 20 / Math.LN10;
const MAX_CORRECTION_PASSES = 6;
const CORRECTION_HALF_WIDTH = 24;

/** Largest float32 value that is ≤ x (x > 0), so converting the output to float32 cannot round above the ceiling. */
export function float32AtOrBelow(x: number): number {
  const f = new Float32Array([x]);
  if (f[0] <= x) return f[0];
  const bits = new Int32Array(f.buffer);
  bits[0] -= 1;
  return f[0];
}

/** max over phases of sum |h_j| * |offset of tap j from the sample|: bounds what a gain ramp adds to a value. */
function interpolatorMoment(interp: TruePeakInterpolator): number {
  let m = 0;
  for (let p = 1; p < interp.factor; p++) {
    let s = 0;
    interp.coefficients[p].forEach((c, j) => (s += Math.abs(c) * Math.abs(interp.firstOffset + j)));
    m = Math.max(m, s);
  }
  return m * (1 + 1e-9);
}

function blockMaxima(channels: Float64Array[], from: number, to: number): Float64Array {
  const count = Math.ceil((to - from) / BLOCK);
  const out = new Float64Array(count);
  for (const x of channels) {
    for (let b = 0; b < count; b++) {
      let m = out[b];
      const end = Math.min(to, from + (b + 1) * BLOCK);
      for (let i = from + b * BLOCK; i < end; i++) {
        const v = Math.abs(x[i]);
        if (v > m) m = v;
      }
      out[b] = m;
    }
  }
  return out;
}

/**
 * Positions in increasing order with one value each, grown on demand (the limiter's sparse "needs reduction" list).
 * Exported for tests.
 */
export class PositionList {
  positions = new Int32Array(1024);
  values = new Float64Array(1024);
  count = 0;

  /** Emptied for reuse. */
  reset(): this {
    this.count = 0;
    return this;
  }

  /** Lets go of arrays that grew past `keepEntries`. */
  trim(keepEntries: number): void {
    if (this.positions.length <= keepEntries) return;
    this.count = 0;
    this.positions = new Int32Array(1024);
    this.values = new Float64Array(1024);
  }

  /** Room for `entries` without growing again. */
  reserve(entries: number): void {
    if (entries <= this.positions.length) return;
    const p = new Int32Array(entries);
    p.set(this.positions.subarray(0, this.count));
    this.positions = p;
    const v = new Float64Array(entries);
    v.set(this.values.subarray(0, this.count));
    this.values = v;
  }

  push(position: number, value: number): void {
    if (this.count === this.positions.length) this.reserve(this.count * 2);
    this.positions[this.count] = position;
    this.values[this.count++] = value;
  }
}

/**
 * The lists of one limiter pass, kept for the next (per thread; the limiter is synchronous): a master runs the limiter
 * over a probe several times, and lists grown afresh each time were garbage by the megabyte (growing by doubling,
 * three lists per pass). Lists longer than this many entries (0.75 MB) are let go after their pass.
 */
const KEEP_LIST_ENTRIES = 1 << 16;
const lists = { samples: new PositionList(), inter: new PositionList() };

function trimLists(): void {
  lists.samples.trim(KEEP_LIST_ENTRIES);
  lists.inter.trim(KEEP_LIST_ENTRIES);
}

/**
 * For every i in [from, to) whose inter-sample values (between samples i and i+1, any channel) may exceed the
 * block's threshold, reports (i, largest such |value|) to `out`, in increasing i. Blocks where an L1 bound on the
 * filter proves no value can exceed the threshold are skipped without computing (most of a track that is not
 * limited). `blockMax`, when given, holds max |x| over the channels per BLOCK starting at 0 (saves a pass).
 */
function scanInterSample(
  channels: Float64Array[],
  from: number,
  to: number,
  interp: TruePeakInterpolator,
  blockThreshold: Float64Array | null,
  fixedThreshold: number,
  out: PositionList,
  blockMax: Float64Array | null,
  scalar: boolean,
): void {
  if (interp.factor === 1) return;
  const n = channels[0].length;
  const lo = Math.max(0, from);
  const hi = Math.min(n - 1, to);
  if (hi <= lo) return;
  const screen = interSampleScreen(interp);
  const l1 = screen.l1Max;
  // With block maxima aligned at 0 and lo a multiple of BLOCK, the bounds below read exactly the same blocks as
  // maxima computed from lo - BLOCK would.
  const aligned = blockMax !== null && lo % BLOCK === 0;
  const bmFrom = aligned ? 0 : Math.max(0, lo - BLOCK);
  const bm = aligned ? blockMax : blockMaxima(channels, bmFrom, Math.min(n, hi + BLOCK));
  const { firstOffset, tapsPerPhase: taps, factor } = interp;
  const c1 = interp.coefficients[1];
  const c2 = factor > 2 ? interp.coefficients[2] : c1;
  const c3 = factor > 3 ? interp.coefficients[3] : c1;
  if (factor === 4 && !scalar) {
    const kernel = interSampleScreenKernel(screen.centralTaps);
    if (kernel && kernel.blockFrames === BLOCK) {
      scanWithKernel(kernel, channels, lo, hi, interp, screen, bm, bmFrom, blockThreshold, fixedThreshold, out);
      return;
    }
  }
  // Cheaper per-sample bound: the four taps nearest the point exactly, the others by the local maximum.
  const cs = screen.centralStart;
  const tail = Math.max(...screen.tailL1.slice(1));
  const phases = [c1, c2, c3];
  const p10 = c1[cs], p11 = c1[cs + 1], p12 = c1[cs + 2], p13 = c1[cs + 3];
  const p20 = c2[cs], p21 = c2[cs + 1], p22 = c2[cs + 2], p23 = c2[cs + 3];
  const p30 = c3[cs], p31 = c3[cs + 1], p32 = c3[cs + 2], p33 = c3[cs + 3];
  const blockPeak = new Float64Array(BLOCK);
  for (let b0 = lo; b0 < hi; b0 += BLOCK) {
    const b1 = Math.min(hi, b0 + BLOCK);
    const threshold = blockThreshold ? blockThreshold[Math.floor(b0 / BLOCK)] : fixedThreshold;
    // the filter reaches less than BLOCK samples to either side
    const k0 = Math.max(0, Math.floor((b0 - BLOCK - bmFrom) / BLOCK));
    const k1 = Math.min(bm.length - 1, Math.floor((b1 + BLOCK - bmFrom) / BLOCK));
    let local = 0;
    for (let k = k0; k <= k1; k++) if (bm[k] > local) local = bm[k];
    if (l1 * local <= threshold) continue;
    let found = false;
    for (let c = 0; c < channels.length; c++) {
      const x = channels[c];
      for (let i = b0; i < b1; i++) {
        const base = i + firstOffset;
        if (base >= 0 && base + taps <= n) {
          const xa = x[i - 1], xb = x[i], xc = x[i + 1], xd = x[i + 2];
          const q1 = p10 * xa + p11 * xb + p12 * xc + p13 * xd;
          const q2 = p20 * xa + p21 * xb + p22 * xc + p23 * xd;
          const q3 = p30 * xa + p31 * xb + p32 * xc + p33 * xd;
          let q = q1 < 0 ? -q1 : q1;
          if (q2 > q || -q2 > q) q = q2 < 0 ? -q2 : q2;
          if (q3 > q || -q3 > q) q = q3 < 0 ? -q3 : q3;
          if (q * (1 + 1e-12) + tail * local <= threshold) continue;
        }
        const a = interSamplePeakAt(x, i, n, phases, firstOffset, taps);
        if (a > threshold && a > blockPeak[i - b0]) {
          blockPeak[i - b0] = a;
          found = true;
        }
      }
    }
    if (!found) continue;
    for (let k = 0; k < b1 - b0; k++) {
      if (blockPeak[k] > 0) out.push(b0 + k, blockPeak[k]);
    }
    blockPeak.fill(0);
  }
}

/**
 * scanInterSample with the screen in WebAssembly SIMD (simd/interSampleScreenKernel.ts), a chunk of blocks per call:
 * the kernel names the frames whose 4-tap core of some phase exceeds that phase's limit, and those are evaluated here
 * with every tap, as the scalar scan evaluates them. Each phase's limit is (threshold - tail·local) / slack with that
 * phase's own tail (|value| <= |core| + tail·local), so no frame the kernel passes over could have reported a value:
 * the positions and values are the scalar scan's. Blocks whose filter span leaves the signal are evaluated here whole.
 */
function scanWithKernel(
  kernel: InterSampleScreenKernel,
  channels: Float64Array[],
  lo: number,
  hi: number,
  interp: TruePeakInterpolator,
  screen: InterSampleScreen,
  bm: Float64Array,
  bmFrom: number,
  blockThreshold: Float64Array | null,
  fixedThreshold: number,
  out: PositionList,
): void {
  const n = channels[0].length;
  const { firstOffset, tapsPerPhase: taps } = interp;
  const phases = [interp.coefficients[1], interp.coefficients[2], interp.coefficients[3]];
  const { l1Max: l1, tailL1 } = screen;
  const slack = 1 + 1e-9;
  const { limits, samples, candidates, maxBlocks } = kernel;
  const chunkFrames = maxBlocks * BLOCK;
  const peaks = new Float64Array(chunkFrames);
  const thresholds = new Float64Array(maxBlocks);
  // 0: nothing to evaluate; 1: screened by the kernel; 2: at the signal's ends, every frame evaluated here.
  const mode = new Uint8Array(maxBlocks);
  const found = new Uint8Array(maxBlocks);
  for (let c0 = lo; c0 < hi; c0 += chunkFrames) {
    const frames = Math.min(hi, c0 + chunkFrames) - c0;
    const blocks = Math.ceil(frames / BLOCK);
    let screened = false;
    let edges = false;
    for (let k = 0; k < blocks; k++) {
      const b0 = c0 + k * BLOCK;
      const b1 = Math.min(hi, b0 + BLOCK);
      const threshold = blockThreshold ? blockThreshold[Math.floor(b0 / BLOCK)] : fixedThreshold;
      thresholds[k] = threshold;
      // the filter reaches less than BLOCK samples to either side
      const k0 = Math.max(0, Math.floor((b0 - BLOCK - bmFrom) / BLOCK));
      const k1 = Math.min(bm.length - 1, Math.floor((b1 + BLOCK - bmFrom) / BLOCK));
      let local = 0;
      for (let j = k0; j <= k1; j++) if (bm[j] > local) local = bm[j];
      limits[3 * k] = Infinity;
      if (l1 * local <= threshold) {
        mode[k] = 0;
      } else if (b0 + firstOffset >= 0 && b1 - 1 + firstOffset + taps <= n) {
        mode[k] = 1;
        screened = true;
        for (let p = 0; p < 3; p++) limits[3 * k + p] = (threshold - tailL1[p + 1] * local) / slack;
      } else {
        mode[k] = 2;
        edges = true;
      }
    }
    for (const x of channels) {
      if (screened) {
        // Sample j is x[c0 + j - 1] (the first central tap of frame c0 + j), read for j < frames + 4.
        const from = c0 - 1;
        const to = Math.min(n, from + frames + 4);
        samples.set(x.subarray(Math.max(0, from), to), Math.max(0, -from));
        const count = kernel.screen(blocks, frames);
        for (let q = 0; q < count; q++) {
          const j = candidates[q];
          const k = j >> BLOCK_SHIFT;
          const a = interSamplePeakAt(x, c0 + j, n, phases, firstOffset, taps);
          if (a > thresholds[k] && a > peaks[j]) {
            peaks[j] = a;
            found[k] = 1;
          }
        }
      }
      if (edges) {
        for (let k = 0; k < blocks; k++) {
          if (mode[k] !== 2) continue;
          const end = Math.min(frames, (k + 1) * BLOCK);
          for (let j = k * BLOCK; j < end; j++) {
            const a = interSamplePeakAt(x, c0 + j, n, phases, firstOffset, taps);
            if (a > thresholds[k] && a > peaks[j]) {
              peaks[j] = a;
              found[k] = 1;
            }
          }
        }
      }
    }
    for (let k = 0; k < blocks; k++) {
      if (!found[k]) continue;
      found[k] = 0;
      const end = Math.min(frames, (k + 1) * BLOCK);
      for (let j = k * BLOCK; j < end; j++) {
        if (peaks[j] > 0) {
          out.push(c0 + j, peaks[j]);
          peaks[j] = 0;
        }
      }
    }
  }
}

/** The largest |interpolated value| between frames i and i + 1 of x over phases 1-3 (x outside [0, n) reads as 0). */
function interSamplePeakAt(x: Float64Array, i: number, n: number, phases: Float64Array[], firstOffset: number, taps: number): number {
  const [c1, c2, c3] = phases;
  const base = i + firstOffset;
  let y1 = 0, y2 = 0, y3 = 0;
  if (base >= 0 && base + taps <= n) {
    for (let j = 0; j < taps; j++) {
      const v = x[base + j];
      y1 += c1[j] * v;
      y2 += c2[j] * v;
      y3 += c3[j] * v;
    }
  } else {
    for (let j = 0; j < taps; j++) {
      const k = base + j;
      if (k < 0 || k >= n) continue;
      const v = x[k];
      y1 += c1[j] * v;
      y2 += c2[j] * v;
      y3 += c3[j] * v;
    }
  }
  if (y1 < 0) y1 = -y1;
  if (y2 < 0) y2 = -y2;
  if (y3 < 0) y3 = -y3;
  const a = y1 > y2 ? y1 : y2;
  return y3 > a ? y3 : a;
}

/** Running mean of x over [n - before, n + after], outside reading as `outside`; written into out. */
function boxMean(x: Float64Array, before: number, after: number, outside: number, out: Float64Array): void {
  const n = x.length;
  const w = before + after + 1;
  const src = out === x ? Float64Array.from(x) : x;
  let sum = 0;
  for (let i = -before; i <= after; i++) sum += i >= 0 && i < n ? src[i] : outside;
  for (let i = 0; i < n; i++) {
    out[i] = sum / w;
    const e = i + after + 1;
    const l = i - before;
    sum += (e < n ? src[e] : outside) - (l >= 0 ? src[l] : outside);
  }
}

/**
 * limiterNeeds' first pass: the input gain applied, max |x| over the channels per block into blockMax, and (i, target /
 * max |x| over the channels) for every frame above target (division is monotonic: the smallest target / |x|).
 */
function applyInputGain(channels: Float64Array[], n: number, inputGain: number, target: number, blockMax: Float64Array, samples: PositionList): void {
  const nc = channels.length;
  const blocks = blockMax.length;
  const scale = inputGain !== 1;
  const [l, r] = channels;
  for (let b = 0; b < blocks; b++) {
    const start = b * BLOCK;
    const end = Math.min(n, start + BLOCK);
    let m = 0;
    if (nc === 2) {
      if (scale) {
        for (let i = start; i < end; i++) {
          l[i] *= inputGain;
          r[i] *= inputGain;
        }
      }
      // Math.abs rather than a branch on the sign: music's signs are random to the branch predictor (on noise this
      // loop took 20 ns per frame with the branches, 4-5 without).
      for (let i = start; i < end; i++) {
        const a = Math.abs(l[i]);
        const c = Math.abs(r[i]);
        if (a > m) m = a;
        if (c > m) m = c;
      }
      if (m > target) {
        for (let i = start; i < end; i++) {
          const v = Math.max(Math.abs(l[i]), Math.abs(r[i]));
          if (v > target) samples.push(i, target / v);
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        let v = 0;
        for (let k = 0; k < nc; k++) {
          if (scale) channels[k][i] *= inputGain;
          const a = Math.abs(channels[k][i]);
          if (a > v) v = a;
        }
        if (v > m) m = v;
        if (v > target) samples.push(i, target / v);
      }
    }
    blockMax[b] = m;
  }
}

/**
 * Positions (increasing) and linear gains that the samples and inter-sample values need, or null when nothing needs
 * any reduction. `inputGain` is applied to the channels on the way (same pass). Fills `blockMaxOut` with
 * max |x| over the channels per BLOCK.
 */
function limiterNeeds(
  channels: Float64Array[],
  sampleRate: number,
  settings: LimiterSettings,
  inputGain: number,
  blockMaxOut: Float64Array,
  scalar: boolean,
): PositionList | null {
  const n = channels.length ? channels[0].length : 0;
  const ceiling = dbToGain(settings.ceilingDbtp);
  const target = ceiling * dbToGain(-DETECTION_MARGIN_DB);
  const lookahead = Math.max(1, Math.round((settings.lookaheadMs * sampleRate) / 1000));
  const hold = Math.round((settings.holdMs * sampleRate) / 1000);

  // One pass: input gain, per-block maxima (for the bounds below and the verification) and the samples that need
  // reduction.
  const samples = lists.samples.reset();
  const blocks = blockMaxOut.length;
  applyInputGain(channels, n, inputGain, target, blockMaxOut, samples);

  const interp = truePeakInterpolator(oversamplingFactor(sampleRate));
  // An inter-sample value only matters where it asks for more reduction than the sample-peak envelope already gives
  // somewhere in the span it influences: threshold = target / (max of that envelope around the block).
  // The envelope is constant over long runs, so its block maxima come straight from the runs.
  const blockEnvMax = new Float64Array(blocks);
  slidingMinSparse(samples.positions, samples.values, samples.count, n, hold, lookahead, 1, (s, e, v) => {
    const last = Math.floor((e - 1) / BLOCK);
    for (let b = Math.floor(s / BLOCK); b <= last; b++) if (v > blockEnvMax[b]) blockEnvMax[b] = v;
  });
  const reachBlocks = Math.ceil((hold + lookahead + BLOCK) / BLOCK);
  const thresholds = slidingMax(blockEnvMax, reachBlocks, reachBlocks, 1);
  for (let b = 0; b < blocks; b++) thresholds[b] = target / thresholds[b];
  const inter = lists.inter.reset();
  scanInterSample(channels, 0, n - 1, interp, thresholds, 0, inter, blockMaxOut, scalar);
  if (samples.count === 0 && inter.count === 0) return null;

  mergeInterSample(samples, inter, target);
  return samples;
}

/**
 * The inter-sample needs (as gains target / value) merged into the sample needs, in place: both sorted by position, the
 * smallest gain where both have one. Merged from the end, so no third list is needed: on heavily limited material the
 * sample list is long (singularity_inevitable at level 2: ~600k entries on each thread's half), and a merged copy
 * beside it (12 bytes an entry, grown by doubling) added ~20-40 MB to the master's peak memory (438-464 -> 420-424 MB).
 */
export function mergeInterSample(samples: PositionList, inter: PositionList, target: number): void {
  const sampleCount = samples.count;
  const total = sampleCount + inter.count;
  samples.reserve(total);
  const positions = samples.positions;
  const values = samples.values;
  let a = sampleCount - 1;
  let k = total - 1;
  for (let b = inter.count - 1; b >= 0; k--) {
    const pb = inter.positions[b];
    if (a >= 0 && positions[a] > pb) {
      positions[k] = positions[a];
      values[k] = values[a--];
    } else {
      const g = target / inter.values[b--];
      if (a >= 0 && positions[a] === pb) {
        const ga = values[a--];
        values[k] = g < ga ? g : ga;
      } else {
        values[k] = g;
      }
      positions[k] = pb;
    }
  }
  // Entries [0, a] were already in place; positions both lists had leave a gap of that many entries before the merged run.
  const gap = k - a;
  if (gap > 0) {
    positions.copyWithin(a + 1, k + 1, total);
    values.copyWithin(a + 1, k + 1, total);
  }
  samples.count = total - gap;
}

/** The gain reduction (dB, >= 0) a linear gain makes, as the statistics take it. */
function reductionDb(gain: number): number {
  return gain >= 1 ? 0 : -20 * Math.log10(gain > 1e-12 ? gain : 1e-12);
}

/** What renderGain does with each gain value besides smoothing it. */
interface GainSink {
  /** Written with the gain, when given. */
  gain: Float64Array | null;
  /** Multiplied by the gain in place, when given; then outBlockMax (max |y| per BLOCK) and blockSlope (largest
   * |gain[i+1] - gain[i]| per BLOCK of i) are filled. */
  channels: Float64Array[] | null;
  inputBlockMax: Float64Array;
  outBlockMax: Float64Array;
  blockSlope: Float64Array;
  stats: GainReductionAccumulator | null;
  statsStride: number;
}

/**
 * Streams the gain envelope from the needs: hold + lookahead running minimum, two-stage release in dB, then the
 * lookahead moving average, one sample at a time without a full-length intermediate (the arithmetic, and its order,
 * is that of the dense formulation: the results are bit-identical). Where the envelope sits at exactly 1 with no
 * release pending, whole blocks are passed over (the samples are left as they are).
 */
function renderGain(need: PositionList, n: number, sampleRate: number, settings: LimiterSettings, sink: GainSink, scalar = false): void {
  const lookahead = Math.max(1, Math.round((settings.lookaheadMs * sampleRate) / 1000));
  const hold = Math.round((settings.holdMs * sampleRate) / 1000);
  const fastCoef = Math.exp(-1000 / (settings.releaseMs * sampleRate));
  const slowRelease = Math.exp(-1000 / (settings.slowReleaseMs * sampleRate));
  const slowAttack = 1 - Math.exp(-1000 / (settings.slowAttackMs * sampleRate));
  const { gain: gainOut, channels, inputBlockMax, outBlockMax, blockSlope, stats, statsStride } = sink;
  if (!scalar && gainOut === null && channels !== null && channels.length === 2) {
    const kernel = limiterGainKernel();
    if (kernel && kernel.blockFrames === BLOCK && lookahead + 1 <= kernel.maxWindow) {
      renderGainWithKernel(kernel, need, n, hold, lookahead, fastCoef, slowRelease, slowAttack, { ...sink, channels });
      return;
    }
  }
  const apply = channels !== null;
  const nc = apply ? channels.length : 0;
  const left = apply ? channels[0] : new Float64Array(0);
  const right = apply && nc > 1 ? channels[1] : new Float64Array(0);
  // Release state (dB of reduction).
  let d = 0;
  let ds = 0;
  let lastD = 0;
  let lastRelease = 1;
  // Moving average over [i - lookahead, i]; before the first sample it reads the first released value.
  const w = lookahead + 1;
  const ring = new Float64Array(w);
  let sum = 0;
  let slot = 0;
  let ones = 0; // how many of the last w released values are exactly 1
  let prevGain = 1;
  let nextStat = 0;

  const runs = new SparseSlidingMinRuns(need.positions, need.values, need.count, n, hold, lookahead, 1);
  while (runs.next()) {
    const e = runs.end;
    const t = runs.value;
    const dt = t < 1 ? -DB_PER_NEPER * Math.log(t) : 0;
    let i = runs.start;
    for (; i < e; i++) {
      let r = 1;
      if (dt !== 0 || d >= 1e-9 || ds >= 1e-9) {
        ds = dt > ds ? ds + (dt - ds) * slowAttack : dt + (ds - dt) * slowRelease;
        const floor = ds < d ? ds : d;
        const dr = floor + (d - floor) * fastCoef;
        d = dt > dr ? dt : dr;
        if (d !== lastD) {
          lastD = d;
          lastRelease = dbToGainFast(-d);
        }
        r = d === 0 ? 1 : lastRelease;
      } else {
        // released: exactly 1, as the dense form leaves the envelope there
        d = 0;
        ds = 0;
        if (ones === w) break; // the average reads w ones: the gain is constant to the end of the run
      }
      if (i === 0) {
        for (let k = -lookahead; k <= 0; k++) sum += r;
        ring.fill(r);
        // The slot written below is one of these w (and is counted again there).
        ones = r === 1 ? w - 1 : 0;
      } else {
        const old = ring[slot];
        sum += r - old;
        if (old === 1) ones--;
      }
      ring[slot] = r;
      if (r === 1) ones++;
      slot = slot + 1 === w ? 0 : slot + 1;
      const g = sum / w;

      if (gainOut !== null) gainOut[i] = g;
      if (i === nextStat) {
        nextStat += statsStride;
        if (stats !== null) stats.addDb(reductionDb(g));
      }
      if (!apply) continue;
      if (i > 0) {
        const a = Math.abs(g - prevGain);
        const pb = (i - 1) >> BLOCK_SHIFT;
        if (a > blockSlope[pb]) blockSlope[pb] = a;
      }
      prevGain = g;
      const b = i >> BLOCK_SHIFT;
      let m = outBlockMax[b];
      if (nc === 2) {
        const y0 = left[i] * g;
        const y1 = right[i] * g;
        left[i] = y0;
        right[i] = y1;
        const a0 = Math.abs(y0);
        const a1 = Math.abs(y1);
        if (a0 > m) m = a0;
        if (a1 > m) m = a1;
      } else {
        for (let c = 0; c < nc; c++) {
          const x = channels[c];
          const y = x[i] * g;
          x[i] = y;
          const a = Math.abs(y);
          if (a > m) m = a;
        }
      }
      outBlockMax[b] = m;
    }
    if (i === e) continue;

    // The rest of the run: released values of 1 in and out of a full window keep the sum (and the gain) as it is.
    const g = sum / w;
    if (i > 0 && g !== prevGain) {
      const a = Math.abs(g - prevGain);
      const pb = (i - 1) >> BLOCK_SHIFT;
      if (a > blockSlope[pb]) blockSlope[pb] = a;
    }
    prevGain = g;
    if (gainOut !== null) gainOut.fill(g, i, e);
    if (stats !== null) {
      const reduction = reductionDb(g);
      for (; nextStat < e; nextStat += statsStride) stats.addDb(reduction);
    } else {
      while (nextStat < e) nextStat += statsStride;
    }
    if (!apply) continue;
    if (g === 1) {
      // Samples untouched: block maxima are the input's (partial blocks at the ends are measured).
      const firstFull = (i + BLOCK - 1) & ~(BLOCK - 1);
      const lastFull = e & ~(BLOCK - 1);
      if (firstFull < lastFull) {
        measure(channels, i, firstFull, outBlockMax);
        for (let b = firstFull >> BLOCK_SHIFT; b < lastFull >> BLOCK_SHIFT; b++) if (inputBlockMax[b] > outBlockMax[b]) outBlockMax[b] = inputBlockMax[b];
        measure(channels, lastFull, e, outBlockMax);
      } else {
        measure(channels, i, e, outBlockMax);
      }
    } else {
      for (let c = 0; c < nc; c++) {
        const x = channels[c];
        for (let k = i; k < e; k++) x[k] *= g;
      }
      measure(channels, i, e, outBlockMax);
    }
  }
}

/**
 * renderGain for two channels applied in place, with the per-frame work in WebAssembly (simd/limiterGainKernel.ts),
 * a chunk of frames at a time: the runs of the needs' running minimum and their target reductions come from here, the
 * kernel releases, averages and applies the gain, and fills the block maxima, gain steps and the gains the statistics
 * take. Its arithmetic is renderGain's, in the same order: the samples and figures are the same to the last bit.
 */
function renderGainWithKernel(
  kernel: LimiterGainKernel,
  need: PositionList,
  n: number,
  hold: number,
  lookahead: number,
  fastCoef: number,
  slowRelease: number,
  slowAttack: number,
  sink: GainSink & { channels: Float64Array[] },
): void {
  const { channels, outBlockMax, blockSlope, stats, statsStride } = sink;
  const [left, right] = channels;
  kernel.init(lookahead + 1, lookahead, fastCoef, slowRelease, slowAttack, statsStride);
  const runs = new SparseSlidingMinRuns(need.positions, need.values, need.count, n, hold, lookahead, 1);
  const { chunkFrames, statGains } = kernel;
  let runEnd = 0;
  let lastValue = NaN;
  let dt = 0;
  // The current run goes on released with a full window of ones (renderGain's "rest of the run").
  let resting = false;
  // A run fetched ahead (its value differs from the one before it).
  let pending = false;
  let pendingEnd = 0;
  let pendingValue = 0;
  let at = 0;
  for (let c0 = 0; c0 < n; c0 += chunkFrames) {
    const c1 = Math.min(n, c0 + chunkFrames);
    kernel.left.set(left.subarray(c0, c1));
    kernel.right.set(right.subarray(c0, c1));
    kernel.beginChunk(c0);
    while (at < c1) {
      if (at === runEnd) {
        let value: number;
        if (pending) {
          pending = false;
          runEnd = pendingEnd;
          value = pendingValue;
        } else {
          runs.next();
          runEnd = runs.end;
          value = runs.value;
        }
        // Consecutive runs often share their value (a need entering the window without lowering its minimum): they go
        // to the kernel as one, since renderGain's frames do not depend on where a run of one value is cut.
        while (runEnd < c1 && runs.next()) {
          if (runs.value === value) {
            runEnd = runs.end;
          } else {
            pending = true;
            pendingEnd = runs.end;
            pendingValue = runs.value;
            break;
          }
        }
        if (value !== lastValue) {
          lastValue = value;
          dt = value < 1 ? -DB_PER_NEPER * Math.log(value) : 0;
        }
        resting = false;
      }
      const to = Math.min(runEnd, c1);
      if (!resting) {
        at = kernel.active(at, to, dt);
        resting = at < to;
      }
      if (resting) {
        kernel.rest(at, to);
        at = to;
      }
    }
    left.set(kernel.left.subarray(0, c1 - c0), c0);
    right.set(kernel.right.subarray(0, c1 - c0), c0);
    const b0 = c0 >> BLOCK_SHIFT;
    const blocks = Math.ceil((c1 - c0) / BLOCK);
    outBlockMax.set(kernel.blockMax.subarray(0, blocks), b0);
    if (b0 > 0 && kernel.blockSlope[0] > blockSlope[b0 - 1]) blockSlope[b0 - 1] = kernel.blockSlope[0];
    blockSlope.set(kernel.blockSlope.subarray(1, blocks + 1), b0);
    if (stats !== null) {
      const count = kernel.statCount();
      for (let k = 0; k < count; k++) stats.addDb(reductionDb(statGains[k]));
    }
  }
}

/** Raises blockMax (per BLOCK from 0) to max |x| over [start, end). */
function measure(channels: Float64Array[], start: number, end: number, blockMax: Float64Array): void {
  for (const x of channels) {
    for (let i = start; i < end; i++) {
      const a = Math.abs(x[i]);
      const b = i >> BLOCK_SHIFT;
      if (a > blockMax[b]) blockMax[b] = a;
    }
  }
}

/**
 * The limiter's gain envelope for the given channels (already including any input gain), one linear gain per frame.
 * Exposed for drawing and for tests.
 */
export function computeLimiterGain(channels: Float64Array[], sampleRate: number, settings: LimiterSettings): Float64Array {
  const n = channels.length ? channels[0].length : 0;
  const blockMax = new Float64Array(Math.ceil(n / BLOCK));
  const need = limiterNeeds(channels, sampleRate, settings, 1, blockMax, false);
  const gain = new Float64Array(n).fill(1);
  if (need === null) return gain;
  renderGain(need, n, sampleRate, settings, {
    gain, channels: null, inputBlockMax: blockMax, outBlockMax: blockMax, blockSlope: blockMax, stats: null, statsStride: 1,
  });
  trimLists();
  return gain;
}

export interface LimiterOptions {
  /** Scalar code instead of the WebAssembly kernels (screen, gain stage): the same result; for tests. */
  scalar?: boolean;
}

/**
 * The limiter's first use on a thread runs it once over a short made-up signal (bursts over the ceiling, quiet between)
 * with the same settings, before the real input. Its long loops are otherwise compiled on stack replacement halfway
 * through the first real pass, before the code after them has ever run: that code then deoptimised for missing type
 * feedback and was compiled again, pass after pass (a master's limiter code: 62-66 compilations, ~270 ms of CPU on the
 * threads waiting for them; primed: 45, ~195 ms). The primer's samples and statistics are thrown away.
 */
let primed = false;
function prime(sampleRate: number, channelCount: number, settingsInput: LimiterSettingsInput, scalar: boolean): void {
  primed = true;
  processLimiter({ sampleRate, channels: primerSignal(channelCount, 1.5, 0.05) }, { ...settingsInput, inputGainDb: 6 }, { scalar });
}

/** Applies the limiter in place and returns its statistics. */
export function processLimiter(work: WorkingAudio, settingsInput: LimiterSettingsInput, { scalar = false }: LimiterOptions = {}): LimiterStats {
  if (!primed) prime(work.sampleRate, work.channels.length, settingsInput, scalar);
  const settings = limiterSettingsSchema.parse(settingsInput);
  const acc = new GainReductionAccumulator();
  const stats: LimiterStats = { gainReduction: acc.result(), correctionPasses: 0, correctedOvers: 0, clampedSamples: 0 };
  if (!settings.enabled || work.channels.length === 0) return stats;
  const { channels, sampleRate } = work;
  const n = channels[0].length;
  const blocks = Math.ceil(n / BLOCK);
  const inputBlockMax = new Float64Array(blocks);
  const need = limiterNeeds(channels, sampleRate, settings, settings.inputGainDb !== 0 ? dbToGain(settings.inputGainDb) : 1, inputBlockMax, scalar);
  const stride = Math.max(1, Math.round(sampleRate / 2000));
  if (need === null) {
    // Nothing exceeds the target, let alone the ceiling: the samples stay as they are (bit-transparent).
    for (let i = 0; i < n; i += stride) acc.addDb(0);
    stats.gainReduction = acc.result();
    return stats;
  }
  // Applying the gain as it is produced: the output's block maxima (for the verification's bounds and the final
  // clamp) and the largest gain step per block come with it.
  const outBlockMax = new Float64Array(blocks);
  const blockSlope = new Float64Array(blocks);
  renderGain(need, n, sampleRate, settings, { gain: null, channels, inputBlockMax, outBlockMax, blockSlope, stats: acc, statsStride: stride }, scalar);
  trimLists();
  stats.gainReduction = acc.result();

  const ceiling = dbToGain(settings.ceilingDbtp);
  const target = ceiling * dbToGain(-DETECTION_MARGIN_DB);
  const interp = truePeakInterpolator(oversamplingFactor(sampleRate));
  // Where the gain is constant over the filter span, the output's inter-sample values are exactly gain times the
  // input's, which the envelope already kept below target. A gain ramp adds at most
  // (input level) * moment * (max gain slope); only blocks where that could bridge target -> ceiling are measured.
  const moment = interpolatorMoment(interp);
  const firstThresholds = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let level = 0;
    let slope = 0;
    for (let k = Math.max(0, b - 1); k <= Math.min(blocks - 1, b + 1); k++) {
      if (inputBlockMax[k] > level) level = inputBlockMax[k];
      if (blockSlope[k] > slope) slope = blockSlope[k];
    }
    firstThresholds[b] = level * moment * slope > ceiling - target ? ceiling : Infinity;
  }
  let from = 0;
  let to = n - 1;
  let touchedLo = n;
  let touchedHi = -1;
  for (let pass = 0; pass < MAX_CORRECTION_PASSES && to > from; pass++) {
    const found = new PositionList();
    scanInterSample(channels, from, to, interp, pass === 0 ? firstThresholds : null, ceiling, found, pass === 0 ? outBlockMax : null, scalar);
    if (found.count === 0) break;
    const overs = found.positions;
    const count = found.count;
    stats.correctionPasses++;
    stats.correctedOvers += count;
    const w = CORRECTION_HALF_WIDTH;
    const lo = Math.max(0, overs[0] - 3 * w);
    const hi = Math.min(n - 1, overs[count - 1] + 3 * w);
    const len = hi - lo + 1;
    const dip = new Float64Array(len).fill(1);
    for (let o = 0; o < count; o++) {
      const g = target / found.values[o];
      const k = overs[o] - lo;
      if (g < dip[k]) dip[k] = g;
      if (k + 1 < len && g < dip[k + 1]) dip[k + 1] = g;
    }
    // min over ±2w, then mean over ±w: a smooth dip that is at or below the needed gain at every over.
    const m = slidingMin(dip, 2 * w, 2 * w, 1);
    boxMean(m, w, w, 1, dip);
    for (const x of channels) for (let k = 0; k < len; k++) x[lo + k] *= dip[k];
    if (lo < touchedLo) touchedLo = lo;
    if (hi > touchedHi) touchedHi = hi;
    from = Math.max(0, lo - 64);
    to = Math.min(n - 1, hi + 64);
  }

  // Only blocks that were over after the gain, or that a correction touched since, can hold a sample to clamp.
  const c32 = float32AtOrBelow(ceiling);
  const clamp = (start: number, end: number): void => {
    for (const x of channels) {
      for (let i = start; i < end; i++) {
        const v = x[i];
        if (v > c32) { x[i] = c32; stats.clampedSamples++; }
        else if (v < -c32) { x[i] = -c32; stats.clampedSamples++; }
      }
    }
  };
  for (let b = 0; b < blocks; b++) {
    const start = b * BLOCK;
    const inTouched = start + BLOCK > touchedLo && start <= touchedHi;
    if (outBlockMax[b] > c32 || inTouched) clamp(start, Math.min(n, start + BLOCK));
  }
  return stats;
}

export function applyLimiter(pcm: PcmAudio, settings: LimiterSettingsInput): { audio: PcmAudio; stats: LimiterStats } {
  const work = toWorkingAudio(pcm);
  const stats = processLimiter(work, settings);
  return { audio: toPcmAudio(work), stats };
}
