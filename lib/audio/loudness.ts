/**
 * Programme loudness per ITU-R BS.1770-4 and EBU R 128 (Tech 3341 "EBU Mode", Tech 3342 loudness range).
 *
 * Design: the K-weighted, channel-weighted energy is accumulated into 10 ms sub-blocks as samples stream in. Every
 * figure (gated integrated loudness, LRA, momentary/short-term maxima and curves) is a window sum over that short
 * array, so the expensive part (filtering each sample once) happens exactly once and the rest costs microseconds.
 * The 10 ms grain also lets the momentary and short-term maxima be found with 10 ms resolution, which Tech 3341
 * cases 10 and 13 (bursts at arbitrary offsets) need; a meter that only looked every 100 ms would read up to 0.6 LU
 * low on a 400 ms burst.
 *
 * Silence: loudness of digital silence (or anything entirely below the -70 LUFS absolute gate for the integrated
 * value) is reported as -Infinity, never as a magic number. JSON.stringify turns -Infinity into null, so JSON-facing
 * callers get null for "no measurable loudness" without any special casing here.
 */
import { KWeightingChannel, kWeightingCoefficients } from './kWeighting';
import { KWEIGHTING_PIECE_FRAMES, kWeightingKernel, type KWeightingKernel } from './simd/kWeightingKernel';
import type { PcmAudio } from './types';

/** BS.1770-4 absolute gate. */
export const ABSOLUTE_GATE_LUFS = -70;
/** BS.1770-4 relative gate for integrated loudness. */
export const RELATIVE_GATE_LU = -10;
/** EBU Tech 3342 relative gate for loudness range. */
export const LRA_RELATIVE_GATE_LU = -20;
/** Surround channel weight of BS.1770-4 Table 3 (+1.5 dB). */
export const SURROUND_CHANNEL_WEIGHT = 1.41;

const SUB_BLOCKS_PER_HOP = 10; // 100 ms
const MOMENTARY_SUB_BLOCKS = 40; // 400 ms
const SHORT_TERM_SUB_BLOCKS = 300; // 3 s
const LUFS_OFFSET = -0.691;

export interface LoudnessOptions {
  /**
   * Per-channel weights G_i of BS.1770. Default by channel count: 1-3 channels all 1.0 (L, R, C); 5 channels
   * L R C Ls Rs = 1, 1, 1, 1.41, 1.41; 6 channels (5.1, order L R C LFE Ls Rs) = 1, 1, 1, 0, 1.41, 1.41;
   * any other count all 1.0.
   */
  channelWeights?: readonly number[];
  /**
   * Treat a mono signal as if it were played on both speakers of a stereo pair (+3 dB versus BS.1770's plain
   * single-channel sum). Streaming services normalise mono this way; BS.1770 itself does not. Default false.
   */
  dualMono?: boolean;
  /** Scalar filters only, without the stereo SIMD kernel (the tests compare the two). */
  scalar?: boolean;
}

/** A loudness time series: value k covers the window that ends at (k + 1) * hopSeconds. */
export interface LoudnessCurve {
  hopSeconds: number;
  windowSeconds: number;
  /**
   * LUFS per hop. Windows that would start before the signal are zero-padded (what a live meter shows while it
   * fills up). -Infinity for silent windows.
   */
  lufs: Float32Array;
}

export interface LoudnessResult {
  /** Gated programme loudness (BS.1770-4). -Infinity when no 400 ms block passes the gates (silence, < 0.4 s). */
  integratedLufs: number;
  /** EBU Tech 3342 loudness range. 0 when fewer than two 3 s blocks pass the gates. */
  loudnessRangeLu: number;
  /** 10th and 95th percentile short-term loudness of the LRA computation; -Infinity when LRA is 0 for lack of data. */
  loudnessRangeLowLufs: number;
  loudnessRangeHighLufs: number;
  /** Maximum momentary (400 ms) loudness, searched with 10 ms resolution. */
  momentaryMaxLufs: number;
  /** Maximum short-term (3 s) loudness, searched with 10 ms resolution. */
  shortTermMaxLufs: number;
  /** Short-term loudness every 100 ms. */
  shortTermCurve: LoudnessCurve;
  /** Momentary loudness every 100 ms. */
  momentaryCurve: LoudnessCurve;
  /** Samples per channel measured. */
  frames: number;
  durationSeconds: number;
}

export function defaultChannelWeights(channelCount: number): number[] {
  if (channelCount === 5) return [1, 1, 1, SURROUND_CHANNEL_WEIGHT, SURROUND_CHANNEL_WEIGHT];
  if (channelCount === 6) return [1, 1, 1, 0, SURROUND_CHANNEL_WEIGHT, SURROUND_CHANNEL_WEIGHT];
  return new Array<number>(channelCount).fill(1);
}

/** LUFS of a mean channel-weighted energy. */
export function energyToLufs(energy: number): number {
  return energy > 0 ? LUFS_OFFSET + 10 * Math.log10(energy) : -Infinity;
}

function lufsToEnergy(lufs: number): number {
  return Math.pow(10, (lufs - LUFS_OFFSET) / 10);
}

/**
 * Peak-to-loudness ratio (AES TD1004 / EBU "PLR"): true peak minus integrated loudness. Undefined (NaN) when either
 * is not finite, e.g. for silence.
 */
export function peakToLoudnessRatioDb(truePeakDbtp: number, integratedLufs: number): number {
  return Number.isFinite(truePeakDbtp) && Number.isFinite(integratedLufs) ? truePeakDbtp - integratedLufs : NaN;
}

/** Two channels of one sample type the stereo kernel reads (float32, or float64 kept at full precision). */
function isPair(left: ArrayLike<number>, right: ArrayLike<number>): left is Float32Array | Float64Array {
  return (left instanceof Float32Array && right instanceof Float32Array) || (left instanceof Float64Array && right instanceof Float64Array);
}

/**
 * Streaming BS.1770-4 / EBU R 128 meter. Feed planar Float32 channels in blocks of any size; results can be read at
 * any time and reflect everything fed so far. Feeding in one block or many gives identical results.
 */
export class LoudnessMeter {
  readonly sampleRate: number;
  readonly channelCount: number;
  /** Samples in one 10 ms sub-block (rounded for rates not divisible by 100). */
  readonly subBlockFrames: number;
  private readonly weights: Float64Array;
  private readonly filters: KWeightingChannel[];
  /** Stereo: both channels through the SIMD kernel, with this filter state (x1 x2 m1 m2 y1 y2, each [L, R]). */
  private readonly kernel: KWeightingKernel | null;
  private readonly kernelCoefficients: Float64Array;
  private readonly kernelState = new Float64Array(12);
  private subBlocks = new Float64Array(1024);
  private subBlockCount = 0;
  /** Frames already accumulated into the current, incomplete sub-block, and each channel's sum of squares so far. */
  private pendingFrames = 0;
  private readonly openSums: Float64Array;
  private totalFrames = 0;
  /** addFramesAsFloat32's copies where the kernel does not round (made at first use). */
  private float32Pieces: Float32Array[] | null = null;

  constructor(sampleRate: number, channelCount: number, options: LoudnessOptions = {}) {
    if (!Number.isInteger(channelCount) || channelCount < 1) {
      throw new RangeError(`channelCount must be a positive integer, got ${channelCount}`);
    }
    const weights = options.channelWeights ?? defaultChannelWeights(channelCount);
    if (weights.length !== channelCount) {
      throw new RangeError(`channelWeights has ${weights.length} entries for ${channelCount} channels`);
    }
    this.sampleRate = sampleRate;
    this.channelCount = channelCount;
    this.subBlockFrames = Math.max(1, Math.round(sampleRate / 100));
    const dualMonoGain = options.dualMono && channelCount === 1 ? 2 : 1;
    this.weights = Float64Array.from(weights, (w) => w * dualMonoGain);
    const coefficients = kWeightingCoefficients(sampleRate);
    this.filters = Array.from({ length: channelCount }, () => new KWeightingChannel(coefficients));
    this.openSums = new Float64Array(channelCount);
    this.kernel = channelCount === 2 && !options.scalar ? kWeightingKernel() : null;
    const { shelf, highPass } = coefficients;
    this.kernelCoefficients = Float64Array.of(shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2, highPass.a1, highPass.a2);
  }

  /** Adds frames `[start, end)` of each planar channel (all channels must cover that range). */
  addFrames(channels: readonly Float32Array[], start = 0, end?: number): void {
    if (channels.length !== this.channelCount) {
      throw new RangeError(`expected ${this.channelCount} channels, got ${channels.length}`);
    }
    const stop = end ?? channels[0].length;
    for (const ch of channels) {
      if (ch.length < stop) throw new RangeError('channels differ in length');
    }
    // A render's float64 working audio (metered as it stands) keeps its full precision: the kernel reads it as float64.
    if (this.kernel && isPair(channels[0], channels[1])) {
      if (stop > start) this.addStereo(this.kernel, channels[0], channels[1], start, stop);
      this.totalFrames += stop - start;
      return;
    }
    let pos = start;
    while (pos < stop) {
      const take = Math.min(this.subBlockFrames - this.pendingFrames, stop - pos);
      const closes = this.pendingFrames + take === this.subBlockFrames;
      let energy = 0;
      for (let c = 0; c < this.channelCount; c++) {
        // Filter even zero-weight channels so their state stays consistent should weights ever be changed.
        const sum = this.filters[c].filterSumSquares(channels[c], pos, pos + take, this.openSums[c], closes);
        this.openSums[c] = closes ? 0 : sum;
        energy += this.weights[c] * sum;
      }
      this.pendingFrames += take;
      pos += take;
      if (closes) {
        this.pushSubBlock(energy);
        this.pendingFrames = 0;
      }
    }
    this.totalFrames += stop - start;
  }

  /**
   * Adds frames `[start, end)` of float64 channels as their float32 rounding: what addFrames gives for a float32 copy
   * of them (a rendered probe is metered as float32 audio would be), with the stereo kernel rounding as it reads
   * instead of a copy being made (a native float64-to-float32 copy costs ~3 ns per sample). Without the kernel (mono,
   * or no WebAssembly SIMD) through float32 copies a piece at a time.
   */
  addFramesAsFloat32(channels: readonly Float64Array[], start: number, end: number): void {
    if (this.kernel && channels.length === 2 && end > start) {
      this.addStereo(this.kernel, channels[0], channels[1], start, end, true);
      this.totalFrames += end - start;
      return;
    }
    const pieces = (this.float32Pieces ??= channels.map(() => new Float32Array(KWEIGHTING_PIECE_FRAMES)));
    for (let at = start; at < end; at += KWEIGHTING_PIECE_FRAMES) {
      const frames = Math.min(KWEIGHTING_PIECE_FRAMES, end - at);
      // set() rounds float64 to float32 as an assignment does.
      channels.forEach((c, ch) => pieces[ch].set(c.subarray(at, at + frames)));
      this.addFrames(pieces, 0, frames);
    }
  }

  /**
   * addFrames for a stereo pair through the kernel: the same segments (whole sub-blocks), the same arithmetic in the
   * same order as the scalar loop, so the same energies bit for bit. The open sub-block's sums stay open across calls.
   */
  private addStereo(kernel: KWeightingKernel, left: Float32Array | Float64Array, right: Float32Array | Float64Array, start: number, stop: number, asFloat32 = false): void {
    kernel.coefficients.set(this.kernelCoefficients);
    kernel.state.set(this.kernelState);
    kernel.openSums.set(this.openSums);
    const wL = this.weights[0];
    const wR = this.weights[1];
    const sub = this.subBlockFrames;
    let open = sub - this.pendingFrames;
    const wide = left instanceof Float64Array;
    for (let pos = start; pos < stop; ) {
      const end = Math.min(stop, pos + KWEIGHTING_PIECE_FRAMES);
      (wide ? kernel.left64 : kernel.left).set(left.subarray(pos, end));
      (wide ? kernel.right64 : kernel.right).set(right.subarray(pos, end));
      const closed = kernel.run(end - pos, open, sub, wide ? (asFloat32 ? 2 : 1) : 0);
      open = kernel.openFrames();
      const sums = kernel.segmentSums;
      for (let s = 0; s < closed; s++) {
        let energy = 0;
        energy += wL * sums[2 * s];
        energy += wR * sums[2 * s + 1];
        this.pushSubBlock(energy);
      }
      pos = end;
    }
    this.pendingFrames = sub - open;
    this.openSums.set(kernel.openSums);
    this.kernelState.set(kernel.state);
  }

  private pushSubBlock(energy: number): void {
    if (this.subBlockCount === this.subBlocks.length) {
      const grown = new Float64Array(this.subBlocks.length * 2);
      grown.set(this.subBlocks);
      this.subBlocks = grown;
    }
    this.subBlocks[this.subBlockCount++] = energy;
  }

  get frames(): number {
    return this.totalFrames;
  }

  /**
   * Mean energies of windows of `windowSubBlocks` sub-blocks ending at sub-block indices end = firstEnd,
   * firstEnd + step, ... <= subBlockCount. Windows reaching before the start are zero-padded. Summed directly (via
   * 100 ms group sums) rather than with a running add/subtract so silence after loud passages is exactly zero.
   */
  private windowEnergies(windowSubBlocks: number, firstEnd: number, step: number): Float64Array {
    const n = this.subBlockCount;
    const count = firstEnd > n ? 0 : Math.floor((n - firstEnd) / step) + 1;
    const out = new Float64Array(count);
    const groups = this.groupSums();
    const blocks = this.subBlocks;
    const norm = 1 / (windowSubBlocks * this.subBlockFrames);
    for (let k = 0; k < count; k++) {
      const end = firstEnd + k * step;
      let a = Math.max(0, end - windowSubBlocks);
      let sum = 0;
      while (a < end && a % SUB_BLOCKS_PER_HOP !== 0) sum += blocks[a++];
      while (a + SUB_BLOCKS_PER_HOP <= end) {
        sum += groups[a / SUB_BLOCKS_PER_HOP];
        a += SUB_BLOCKS_PER_HOP;
      }
      while (a < end) sum += blocks[a++];
      out[k] = sum * norm;
    }
    return out;
  }

  private groupSums(): Float64Array {
    const groupCount = Math.floor(this.subBlockCount / SUB_BLOCKS_PER_HOP);
    const groups = new Float64Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      let s = 0;
      const base = g * SUB_BLOCKS_PER_HOP;
      for (let i = 0; i < SUB_BLOCKS_PER_HOP; i++) s += this.subBlocks[base + i];
      groups[g] = s;
    }
    return groups;
  }

  /** Gated integrated loudness over everything fed so far (BS.1770-4 §2.8 / Annex 1). */
  integratedLufs(): number {
    // Gating blocks: 400 ms, stepped by 100 ms, complete blocks only.
    const blocks = this.windowEnergies(MOMENTARY_SUB_BLOCKS, MOMENTARY_SUB_BLOCKS, SUB_BLOCKS_PER_HOP);
    return gatedMeanLufs(blocks, RELATIVE_GATE_LU);
  }

  /** EBU Tech 3342 loudness range with its two percentile bounds. */
  loudnessRange(): { rangeLu: number; lowLufs: number; highLufs: number } {
    const blocks = this.windowEnergies(SHORT_TERM_SUB_BLOCKS, SHORT_TERM_SUB_BLOCKS, SUB_BLOCKS_PER_HOP);
    return loudnessRangeOf(blocks);
  }

  loudnessRangeLu(): number {
    return this.loudnessRange().rangeLu;
  }

  /** Momentary loudness of the latest 400 ms (zero-padded at the start). */
  momentaryLufs(): number {
    const e = this.windowEnergies(MOMENTARY_SUB_BLOCKS, this.subBlockCount, 1);
    return e.length ? energyToLufs(e[0]) : -Infinity;
  }

  /** Short-term loudness of the latest 3 s (zero-padded at the start). */
  shortTermLufs(): number {
    const e = this.windowEnergies(SHORT_TERM_SUB_BLOCKS, this.subBlockCount, 1);
    return e.length ? energyToLufs(e[0]) : -Infinity;
  }

  /**
   * Maximum momentary loudness, every 10 ms. Zero-padded windows at the start are included: when the signal is at
   * least 400 ms long they can never exceed the first full window (which contains the same energy and more), and
   * for shorter signals they are the only estimate there is.
   */
  momentaryMaxLufs(): number {
    return energyToLufs(maxOf(this.windowEnergies(MOMENTARY_SUB_BLOCKS, 1, 1)));
  }

  /** Maximum short-term loudness, every 10 ms (see momentaryMaxLufs for the zero-padded start). */
  shortTermMaxLufs(): number {
    return energyToLufs(maxOf(this.windowEnergies(SHORT_TERM_SUB_BLOCKS, 1, 1)));
  }

  shortTermCurve(): LoudnessCurve {
    return this.curve(SHORT_TERM_SUB_BLOCKS);
  }

  momentaryCurve(): LoudnessCurve {
    return this.curve(MOMENTARY_SUB_BLOCKS);
  }

  private curve(windowSubBlocks: number): LoudnessCurve {
    const energies = this.windowEnergies(windowSubBlocks, SUB_BLOCKS_PER_HOP, SUB_BLOCKS_PER_HOP);
    const lufs = new Float32Array(energies.length);
    for (let i = 0; i < energies.length; i++) lufs[i] = energyToLufs(energies[i]);
    const subBlockSeconds = this.subBlockFrames / this.sampleRate;
    return {
      hopSeconds: SUB_BLOCKS_PER_HOP * subBlockSeconds,
      windowSeconds: windowSubBlocks * subBlockSeconds,
      lufs,
    };
  }

  result(): LoudnessResult {
    const range = this.loudnessRange();
    return {
      integratedLufs: this.integratedLufs(),
      loudnessRangeLu: range.rangeLu,
      loudnessRangeLowLufs: range.lowLufs,
      loudnessRangeHighLufs: range.highLufs,
      momentaryMaxLufs: this.momentaryMaxLufs(),
      shortTermMaxLufs: this.shortTermMaxLufs(),
      shortTermCurve: this.shortTermCurve(),
      momentaryCurve: this.momentaryCurve(),
      frames: this.totalFrames,
      durationSeconds: this.totalFrames / this.sampleRate,
    };
  }

  /**
   * The 10 ms sub-block energies completed so far, from sub-block `first` on: what appendSubBlocks continues another
   * meter with (metering a signal in pieces, e.g. on two threads).
   */
  subBlockEnergies(first = 0): Float64Array {
    return this.subBlocks.slice(first, this.subBlockCount);
  }

  /**
   * Continues this metering with the sub-blocks of the signal's next `frames` frames, metered elsewhere (subBlocksFrom).
   * This meter must stand on a sub-block boundary, and takes no more frames afterwards (its filters are where its own
   * signal ended).
   */
  appendSubBlocks(energies: Float64Array, frames: number): void {
    if (this.pendingFrames !== 0) throw new Error('appendSubBlocks: the meter is not on a sub-block boundary');
    for (let i = 0; i < energies.length; i++) this.pushSubBlock(energies[i]);
    this.totalFrames += frames;
    this.pendingFrames = frames - energies.length * this.subBlockFrames;
  }

  reset(): void {
    for (const f of this.filters) f.reset();
    this.kernelState.fill(0);
    this.subBlockCount = 0;
    this.openSums.fill(0);
    this.pendingFrames = 0;
    this.totalFrames = 0;
  }
}

function maxOf(values: Float64Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

/** Absolute gate at -70 LUFS, then a relative gate `relativeGateLu` below the mean of what passed; mean of the rest. */
function gatedMeanLufs(blockEnergies: Float64Array, relativeGateLu: number): number {
  const absGate = lufsToEnergy(ABSOLUTE_GATE_LUFS);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < blockEnergies.length; i++) {
    if (blockEnergies[i] > absGate) {
      sum += blockEnergies[i];
      count++;
    }
  }
  if (count === 0) return -Infinity;
  const relGate = (sum / count) * Math.pow(10, relativeGateLu / 10);
  const gate = Math.max(relGate, absGate);
  sum = 0;
  count = 0;
  for (let i = 0; i < blockEnergies.length; i++) {
    if (blockEnergies[i] > gate) {
      sum += blockEnergies[i];
      count++;
    }
  }
  return count === 0 ? -Infinity : energyToLufs(sum / count);
}

function loudnessRangeOf(shortTermEnergies: Float64Array): { rangeLu: number; lowLufs: number; highLufs: number } {
  const absGate = lufsToEnergy(ABSOLUTE_GATE_LUFS);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < shortTermEnergies.length; i++) {
    if (shortTermEnergies[i] > absGate) {
      sum += shortTermEnergies[i];
      count++;
    }
  }
  const none = { rangeLu: 0, lowLufs: -Infinity, highLufs: -Infinity };
  if (count === 0) return none;
  const gate = Math.max(absGate, (sum / count) * Math.pow(10, LRA_RELATIVE_GATE_LU / 10));
  const kept: number[] = [];
  for (let i = 0; i < shortTermEnergies.length; i++) {
    if (shortTermEnergies[i] > gate) kept.push(shortTermEnergies[i]);
  }
  if (kept.length < 2) return none;
  kept.sort((a, b) => a - b);
  // Nearest-rank percentiles, as libebur128 does; energies sort in the same order as their loudness.
  const low = energyToLufs(kept[Math.round((kept.length - 1) * 0.1)]);
  const high = energyToLufs(kept[Math.round((kept.length - 1) * 0.95)]);
  return { rangeLu: high - low, lowLufs: low, highLufs: high };
}

/**
 * Sub-block energies of frames [from, end) of `pcm` for a meter that metered [0, from) itself (appendSubBlocks), `from`
 * a multiple of the sub-block. The filters settle on up to `settleFrames` frames before `from` (whole sub-blocks): the
 * K-weighting's slowest pole decays by e^-240 over a second at 44.1 kHz, so the energies are those of one metering to
 * the last bits of a float64.
 */
export function subBlocksFrom(pcm: PcmAudio, from: number, settleFrames: number, options: LoudnessOptions = {}): { energies: Float64Array; frames: number } {
  const meter = new LoudnessMeter(pcm.sampleRate, pcm.channels.length, options);
  const sub = meter.subBlockFrames;
  if (from % sub !== 0) throw new RangeError(`subBlocksFrom: ${from} is not a multiple of the sub-block (${sub} frames)`);
  const settle = Math.min(from, Math.floor(settleFrames / sub) * sub);
  const end = pcm.channels[0]?.length ?? 0;
  meter.addFrames(pcm.channels, from - settle, end);
  return { energies: meter.subBlockEnergies(settle / sub), frames: end - from };
}

/** Whole-signal convenience: runs a LoudnessMeter over a decoded signal in one pass. */
export function measureLoudness(pcm: PcmAudio, options: LoudnessOptions = {}): LoudnessResult {
  const meter = new LoudnessMeter(pcm.sampleRate, pcm.channels.length, options);
  meter.addFrames(pcm.channels);
  return meter.result();
}
