/**
 * Word-length reduction from float PCM to integer samples: TPDF dither (±1 LSB peak, i.e. two summed uniform
 * variables of ±½ LSB each) so quantisation error is signal-independent noise instead of distortion, with optional
 * error-feedback noise shaping that moves that noise away from where hearing is most sensitive.
 *
 * Block-oriented (a `Quantizer` keeps per-channel state between blocks) so encoders can convert a long track
 * chunk by chunk without a second full-length copy.
 */
import type { PcmAudio } from './types';

export type DitherKind = 'tpdf' | 'none';
export type NoiseShaping = 'none' | 'lipshitz' | 'f-weighted';

export interface QuantizeOptions {
  dither?: DitherKind;
  noiseShaping?: NoiseShaping;
  /** Seed of the dither RNG. Renders are reproducible for a given seed; channels get decorrelated streams. */
  seed?: number;
}

export type OutputBitDepth = 16 | 24;

/**
 * Error-feedback coefficients h[k] (noise transfer function 1 − Σ h[k]·z^-(k+1)). Both were designed for
 * 44.1 kHz: at 48 kHz the curve shifts up ~9 % in frequency, which is harmless; at 88.2/96 kHz the shaped noise
 * mostly lands above hearing anyway.
 * - lipshitz: Lipshitz, Vanderkooy & Wannamaker 5-tap minimally-audible filter (1991).
 * - f-weighted: Wannamaker's 9-tap F-weighted filter (1992).
 */
const SHAPING_COEFFICIENTS: Record<Exclude<NoiseShaping, 'none'>, readonly number[]> = {
  lipshitz: [2.033, -2.165, 1.959, -1.59, 0.6149],
  'f-weighted': [2.412, -3.37, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847],
};

/** Returns the noise-shaping filter h[k] used for `shaping` (empty for none). Exposed for tests and docs. */
export function noiseShapingCoefficients(shaping: NoiseShaping): readonly number[] {
  return shaping === 'none' ? [] : SHAPING_COEFFICIENTS[shaping];
}

const OFFSET = 2 ** 24;
const ROUNDING_OFFSET = OFFSET + 0.5;

const DEFAULT_SEED = 0x6d617374; // "mast"

/**
 * Per-channel state: RNG, and the error history of the shaping filter. Error feedback can run away when the
 * signal sits at full scale and the quantiser clips, so the fed-back error is clamped to a few LSB.
 */
export class Quantizer {
  readonly bits: OutputBitDepth;
  readonly maxCode: number;
  readonly minCode: number;
  private readonly scale: number;
  private readonly dither: boolean;
  private readonly coefficients: Float64Array;
  private readonly rngState: Uint32Array;
  private readonly errorHistory: Float64Array[];
  private readonly historyPosition: Int32Array;

  constructor(bits: OutputBitDepth, channelCount: number, options: QuantizeOptions = {}) {
    if (bits !== 16 && bits !== 24) throw new Error(`Unsupported bit depth ${bits}`);
    this.bits = bits;
    this.scale = 2 ** (bits - 1);
    this.maxCode = this.scale - 1;
    this.minCode = -this.scale;
    this.dither = (options.dither ?? 'tpdf') === 'tpdf';
    this.coefficients = Float64Array.from(noiseShapingCoefficients(options.noiseShaping ?? 'none'));
    const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
    this.rngState = new Uint32Array(channelCount);
    this.errorHistory = [];
    this.historyPosition = new Int32Array(channelCount);
    for (let ch = 0; ch < channelCount; ch++) {
      // xorshift32 must not start at 0; mixing in the channel keeps channel streams independent.
      this.rngState[ch] = (Math.imul(seed ^ 0x9e3779b9, ch + 1) ^ (ch * 0x85ebca6b)) >>> 0 || 0x1234567;
      this.errorHistory.push(new Float64Array(2 * this.coefficients.length));
    }
  }

  /**
   * Quantises `input[start, end)` of one channel into `out[outOffset…]` as integer codes in
   * [minCode, maxCode]. Must be called with consecutive blocks per channel.
   *
   * The loops are functions of their own that return the RNG state, so that nothing follows a loop in them: a
   * block's loop is compiled on stack replacement in the first call, and code after it that had never run (the state
   * written back here) deoptimised that compiled copy on every later call (~290 times per channel in a four-minute
   * master) instead of once.
   */
  quantizeBlock(channel: number, input: Float32Array, start: number, end: number, out: Int32Array, outOffset = 0): void {
    const taps = this.coefficients.length;
    // As int32 (the same bits): a uint32 state made every shift and mix in the loop a float64 operation.
    const s = this.rngState[channel] | 0;
    const maxV = this.maxCode + ROUNDING_OFFSET;
    const minV = this.minCode + ROUNDING_OFFSET;
    if (taps === 0) {
      if (this.dither) this.rngState[channel] = quantizeTpdf(input, start, end, out, outOffset, this.scale, maxV, minV, s);
      else quantizePlain(input, start, end, out, outOffset, this.scale, maxV, minV);
      return;
    }
    const pos = this.historyPosition[channel];
    this.rngState[channel] = quantizeShaped(input, start, end, out, outOffset, this.scale, maxV, minV, s, this.dither, this.coefficients, this.errorHistory[channel], pos);
    // The history position steps back by one per sample (see quantizeShaped).
    this.historyPosition[channel] = (((pos - (end - start)) % taps) + taps) % taps;
  }
}

// One xorshift draw split into two 16-bit uniforms; their difference is triangular in (−1, 1) LSB with a 2^-16 LSB
// grain, far finer than anything audible, at half the RNG cost of two draws.
const U16 = 1 / 65536;

/** TPDF-dithered rounding; returns the RNG state after the block. */
function quantizeTpdf(input: Float32Array, start: number, end: number, out: Int32Array, outOffset: number, scale: number, maxV: number, minV: number, state: number): number {
  let s = state;
  let o = outOffset;
  // Truncation of a positive number is floor: with the +2^24+0.5 offset that is round-half-up, ~3x faster than
  // Math.round. Clamped first (min/max: no branches) so the int32 conversion cannot wrap.
  for (let i = start; i < end; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const v = Math.min(maxV, Math.max(minV, input[i] * scale + ROUNDING_OFFSET + ((s & 0xffff) - (s >>> 16)) * U16));
    out[o++] = (v | 0) - OFFSET;
  }
  return s;
}

function quantizePlain(input: Float32Array, start: number, end: number, out: Int32Array, outOffset: number, scale: number, maxV: number, minV: number): void {
  let o = outOffset;
  for (let i = start; i < end; i++) out[o++] = (Math.min(maxV, Math.max(minV, input[i] * scale + ROUNDING_OFFSET)) | 0) - OFFSET;
}

/** Error-feedback noise shaping (with or without dither); returns the RNG state after the block. */
function quantizeShaped(
  input: Float32Array,
  start: number,
  end: number,
  out: Int32Array,
  outOffset: number,
  scale: number,
  maxV: number,
  minV: number,
  state: number,
  dither: boolean,
  coef: Float64Array,
  hist: Float64Array,
  position: number,
): number {
  const taps = coef.length;
  let s = state;
  let pos = position;
  let o = outOffset;
  for (let i = start; i < end; i++) {
    // hist holds the error history twice over (ring buffer mirrored) so the newest `taps` errors are always
    // the contiguous run hist[pos … pos+taps), newest first, without shifting.
    let fb = 0;
    for (let k = 0; k < taps; k++) fb += coef[k] * hist[pos + k];
    const w = input[i] * scale - fb;
    let v = w + ROUNDING_OFFSET;
    if (dither) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      v += ((s & 0xffff) - (s >>> 16)) * U16;
    }
    if (v > maxV) v = maxV;
    else if (v < minV) v = minV;
    const q = (v | 0) - OFFSET;
    let e = q - w;
    if (e > 4) e = 4;
    else if (e < -4) e = -4;
    pos = pos === 0 ? taps - 1 : pos - 1;
    hist[pos] = e;
    hist[pos + taps] = e;
    out[o++] = q;
  }
  return s;
}

/** Whole-signal convenience: returns one Int32Array of integer codes per channel. */
export function quantize(pcm: PcmAudio, bits: OutputBitDepth, options: QuantizeOptions = {}): Int32Array[] {
  const q = new Quantizer(bits, pcm.channels.length, options);
  return pcm.channels.map((samples, ch) => {
    const out = new Int32Array(samples.length);
    q.quantizeBlock(ch, samples, 0, samples.length, out);
    return out;
  });
}
